"""The work of the connector on the Odoo side, one class per job.

- ``binder.py``: the only code that reads or writes BigCommerce identities;
- ``importer.py``: the steps of one import, and the sorting of its errors;
- one importer per kind of BigCommerce record (``order_importer.py``), and
  the catch-up (``catch_up.py``);
- ``accounting.py``: the journal, currency, accounts, products and taxes an
  invoice or a credit note is booked with, and the check of its totals,
  shared by the order and the refund importers;
- ``payment_registrar.py``: the money of an order or a refund, registered
  on its invoice or credit note.

A new kind of record needs a binding model (``models/``, inheriting
``bigcommerce.binding``), an importer here, and a mapping function in
``bigcommerce/mapping.py``; the store model only queues its jobs.
"""
