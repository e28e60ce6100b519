# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The benchmark: the connector against the limits it lives under.

Run by ``tools/bench.sh`` (which prepares the database) through
``tools/bench.py``; see ``--help``. Everything listens on 127.0.0.1: a real
Odoo 19 server in prefork mode with its queue_job runner, and three
simulated stores (the simulator's seeded generator: 1 to 20 lines, taxes,
coupons, shipping, guests, several currencies, refunds):

- ``benchsync``: the first sync (the import wizard's "orders of a period",
  from before the first order to now);
- ``benchhook``: orders that arrive by webhook (throughput, acknowledgement);
- ``benchcost``: the import cost against the ORM floor, and its profile.

The measurements (the issue's numbering):

1. webhook acknowledgement, open loop at a fixed rate and closed loop at a
   fixed concurrency, 10% duplicate deliveries, while the orders they queue
   import, in both deployments of readme/INSTALL.md (the single instance;
   the web tier and the job tier, under ``nice -n 10``, on one database);
   then a burst of deliveries against the two tiers, above what the job
   tier imports, and every delivery's job counted in the database;
2. import cost per order against a direct ORM create + post of the
   identical invoices, same run and database; cProfile of the import;
3. posted invoices per minute, webhook to ledger, with 1 and 2 job workers;
4. API calls per imported order, counted at the simulator, by endpoint:
   the invoice's (order, taxes, transactions) and the other records'
   (shipments, refunds, customers);
5. a first sync of N orders: wall time, worker memory, the quota's bound.

It prints a table and writes it to BENCHMARKS.md with the machine and the
date. Nothing here is a test: tests never time anything.

The modules, in the order the run uses them:

- ``run``: the command line and the order of the phases;
- ``seeding``: the simulated stores, and the same stores in Odoo;
- ``server``: the machine, the Odoo server under test, its workers' memory;
- ``throughput`` (3), ``first_sync`` (5), ``acknowledgement`` (1),
  ``import_cost`` (2): the phases, one a module; ``deployments`` (1): the
  two deployments started and stopped together, the acknowledgement in
  each, and the burst;
- ``deliveries``: signed webhook deliveries, for the webhook phases;
- ``queries``: what the phases read back from the database and the log,
  and which orders get a posted invoice;
- ``addon``: the addon's simulator and status policy (which orders are
  invoiced is the addon's decision, read from ``bigcommerce.payments`` and
  the store's rules, never restated here);
- ``report`` (``report_acks`` for measurement 1), ``notes``, ``figures``:
  the report, its explanations, and the figures both derive from the raw
  numbers;
- ``common``: names, endpoints and arithmetic they all share.

``queries.wait_for_jobs`` waits for every job of a store: orders, refunds,
customers and shipments alike.
"""
