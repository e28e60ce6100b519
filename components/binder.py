# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The binder: the only code that reads or writes BigCommerce identities."""

import hashlib
from collections import defaultdict

from odoo.fields import Domain

from odoo.addons.queue_job.exception import RetryableJobError

# Module of the external IDs of records that came from BigCommerce.
XMLID_MODULE = "__bigcommerce__"


def by_store(keys):
    """The domain of the records of ``keys``, ``(store id, BigCommerce id)``
    pairs, on a model with ``backend_id`` and ``bigcommerce_id``: one
    ``bigcommerce_id in`` per store, to read many stores' records in one
    search (nothing for no key)."""
    ids_by_store = defaultdict(set)
    for backend_id, bigcommerce_id in keys:
        ids_by_store[backend_id].add(bigcommerce_id)
    return Domain.OR(
        Domain("backend_id", "=", backend_id)
        & Domain("bigcommerce_id", "in", sorted(ids))
        for backend_id, ids in ids_by_store.items()
    )


class BigCommerceBinder:
    """Links the BigCommerce objects of one kind ("order", "customer", ...)
    of one store to the Odoo records they became.

    An object has up to two marks in Odoo, which the binder writes together,
    in one step (:meth:`bind`), and finds records by (:meth:`to_binding`,
    :meth:`to_record`):

    - its **binding**, a record of the kind's binding model (a
      ``bigcommerce.binding``, e.g. ``bigcommerce.order``), unique per store
      and BigCommerce id: what the object is on BigCommerce, when it was last
      synchronised, and which Odoo record it became;
    - the **external ID** ``__bigcommerce__.backend<store>_<kind>_<id>`` of
      that Odoo record (the invoice, the partner), so that Odoo's own tools
      (exports, imports, other modules) find it too.

    The rule: **the binding is authoritative.** Where a kind has a binding
    model, the binder answers from the binding, and the external ID is
    written with it as its mirror (an external ID without its binding, as
    customers had before they got a binding model, is adopted by the next
    :meth:`bind`). Where a kind has none (guests' partners, found by e-mail;
    the address contacts of a customer), the external ID is the object's
    only mark, and so the authority.

    Both marks carry a unique index (the binding's ``unique(backend_id,
    bigcommerce_id)``, ``ir.model.data``'s ``(module, name)``): whatever
    runs twice or at once, the database keeps one. Before that last word,
    :meth:`lock` keeps two workers off the same object.
    """

    def __init__(self, backend, kind, binding_model=None):
        """:param backend: the store (``bigcommerce.backend``), one record.
        :param kind: the BigCommerce object kind, part of the external ID.
        :param binding_model: the kind's binding model name, or ``None``.
        """
        backend.ensure_one()
        self.backend = backend
        self.env = backend.env
        self.kind = kind
        # Bindings and external IDs are the connector's own records: nobody
        # writes them by hand, so the binder works as the system.
        self.bindings = self.env[binding_model].sudo() if binding_model else None

    # --- identities -----------------------------------------------------
    def xmlid_name(self, bigcommerce_id):
        """Name (in module ``__bigcommerce__``) of the object's external ID."""
        return f"backend{self.backend.id}_{self.kind}_{bigcommerce_id}"

    def lock_key(self, bigcommerce_id):
        """The PostgreSQL advisory lock key of one object."""
        digest = hashlib.sha1(
            f"bigcommerce:{self.backend.id}:{self.kind}:{bigcommerce_id}".encode()
        ).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def lock(self, bigcommerce_id):
        """Hold a transaction lock on one object, or retry the job later."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s)", [self.lock_key(bigcommerce_id)]
        )
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                f"BigCommerce {self.kind} {bigcommerce_id} is being imported by "
                "another worker.",
                seconds=5,
                ignore_retry=True,
            )

    # --- reading --------------------------------------------------------
    def to_binding(self, bigcommerce_id):
        """The binding of one object, or an empty recordset."""
        return self.to_bindings([bigcommerce_id])

    def to_bindings(self, bigcommerce_ids):
        """The bindings of several objects of the store."""
        return self.bindings.search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "in", [int(i) for i in bigcommerce_ids]),
            ]
        )

    def to_record(self, bigcommerce_id, model):
        """The Odoo record (of ``model``) that one object became, or an
        empty recordset: through the binding where the kind has one, else
        through the external ID."""
        if self.bindings is not None:
            binding = self.to_binding(bigcommerce_id)
            if binding:
                return binding._bound_record()
            # Not bound yet: an external ID written before the kind had a
            # binding model (customers' partners did) still marks its
            # record, and :meth:`bind` makes the binding from it.
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("module", "=", XMLID_MODULE),
                    ("name", "=", self.xmlid_name(bigcommerce_id)),
                    ("model", "=", model),
                ],
                limit=1,
            )
        )
        return self.env[model].browse(data.res_id).exists()

    def _marked(self, model, res_ids=None):
        """``[(BigCommerce id, record id)]`` of the records of ``model`` (of
        ``res_ids`` only, if given) this kind marks with an external ID."""
        prefix = f"backend{self.backend.id}_{self.kind}_"
        domain = [
            ("module", "=", XMLID_MODULE),
            ("model", "=", model),
            ("name", "=like", f"{prefix}%"),
        ]
        if res_ids is not None:
            domain.append(("res_id", "in", res_ids))
        rows = self.env["ir.model.data"].sudo().search_read(domain, ["name", "res_id"])
        return [
            (int(row["name"][len(prefix) :]), row["res_id"])
            for row in rows
            if row["name"][len(prefix) :].isdigit()
        ]

    def to_bigcommerce_ids(self, records):
        """``{record id: BigCommerce id}`` of those of ``records`` this kind
        marks with an external ID (e.g. a partner's address contacts)."""
        return {res_id: key for key, res_id in self._marked(records._name, records.ids)}

    # --- writing --------------------------------------------------------
    def adopt_external_ids(self, model):
        """Bind the records of ``model`` that carry this kind's external ID
        but have no binding (records marked before the kind had a binding
        model); returns the new bindings."""
        marked = dict(self._marked(model))
        bound = set(self.to_bindings(list(marked)).mapped("bigcommerce_id"))
        records = (
            self.env[model]
            .browse([res_id for key, res_id in marked.items() if key not in bound])
            .exists()
        )
        new = self.bindings.browse()
        for key, res_id in marked.items():
            if key not in bound and res_id in records.ids:
                new |= self.bind(key, records.browse(res_id))
        return new

    def bind(self, bigcommerce_id, record, values=None):
        """Mark ``record`` as what one object became: its external ID and,
        for a kind with a binding model, the binding (created or updated with
        ``values``). Returns the binding, or ``record`` for a kind without.

        A second external ID for the object, or a second binding, is refused
        by the database whoever tries: that is what makes imports idempotent.
        """
        if record and not self._has_xmlid(bigcommerce_id, record):
            self.env["ir.model.data"].sudo().create(
                {
                    "module": XMLID_MODULE,
                    "name": self.xmlid_name(bigcommerce_id),
                    "model": record._name,
                    "res_id": record.id,
                    "noupdate": True,
                }
            )
        if self.bindings is None:
            return record
        values = dict(values or {})
        if record:
            values[self.bindings._bigcommerce_record_field] = record.id
        binding = self.to_binding(bigcommerce_id)
        if binding:
            binding.write(values)
        else:
            binding = self.bindings.create(
                dict(
                    values,
                    backend_id=self.backend.id,
                    bigcommerce_id=int(bigcommerce_id),
                )
            )
        return binding

    def bind_many(self, items):
        """Bind several objects of a kind with a binding model at once, as
        :meth:`bind` binds each: one look-up and one create of the external
        IDs, one look-up and one create of the new bindings (a binding that
        exists is written). The same unique indexes keep one of each.

        :param items: ``[(BigCommerce id, record, values)]``, the records
            of one model, none empty.
        :return: the bindings, in the order of ``items``.
        """
        if not items:
            return self.bindings.browse()
        model = items[0][1]._name
        xmlids = self.env["ir.model.data"].sudo()
        names = {self.xmlid_name(key): record for key, record, _values in items}
        marked = {
            (row["name"], row["res_id"])
            for row in xmlids.search_read(
                [
                    ("module", "=", XMLID_MODULE),
                    ("model", "=", model),
                    ("name", "in", list(names)),
                ],
                ["name", "res_id"],
            )
        }
        xmlids.create(
            [
                {
                    "module": XMLID_MODULE,
                    "name": name,
                    "model": model,
                    "res_id": record.id,
                    "noupdate": True,
                }
                for name, record in names.items()
                if (name, record.id) not in marked
            ]
        )
        record_field = self.bindings._bigcommerce_record_field
        existing = {
            binding.bigcommerce_id: binding
            for binding in self.to_bindings([key for key, _r, _v in items])
        }
        new_values = []
        for key, record, values in items:
            values = dict(values or {}, **{record_field: record.id})
            if int(key) in existing:
                existing[int(key)].write(values)
            else:
                new_values.append(
                    dict(values, backend_id=self.backend.id, bigcommerce_id=int(key))
                )
        created = {
            binding.bigcommerce_id: binding
            for binding in self.bindings.create(new_values)
        }
        return self.bindings.browse(
            [(existing.get(int(key)) or created[int(key)]).id for key, _r, _v in items]
        )

    def _has_xmlid(self, bigcommerce_id, record):
        return bool(
            self.env["ir.model.data"]
            .sudo()
            .search_count(
                [
                    ("module", "=", XMLID_MODULE),
                    ("name", "=", self.xmlid_name(bigcommerce_id)),
                    ("model", "=", record._name),
                    ("res_id", "=", record.id),
                ],
                limit=1,
            )
        )
