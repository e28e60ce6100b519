# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The registry of record kinds: one declaration per BigCommerce kind.

Each :class:`RecordKind` says, for one kind of BigCommerce record:

- its binding model (what the binder reads and writes, :func:`binder`);
- its importer, and the store's job that runs it (with the job's identity
  key and description, for :func:`delay_import`);
- the webhook that feeds it: the scopes, the word
  :func:`~..bigcommerce.webhook.webhook_subject` names it by, and the
  options of the import a delivery queues;
- its failures: their record types, and how each is queued again;
- its catch-up (a batch, ``batch_importer.py``): what it lists, the store
  field that turns it on, and the id its failures carry.

The webhook controller, the failure model, the binder and the scheduler
read this registry; a new kind is one more entry here, besides its binding
model, its importer and its mapping.

Importers are named here (``module.Class`` in this package) and loaded when
first used: they queue imports and find binders through this registry.
"""

import importlib
from dataclasses import dataclass, field

from ..bigcommerce.const import (
    HANDLED_CUSTOMER_ADDRESS_SCOPES,
    HANDLED_CUSTOMER_SCOPES,
    HANDLED_ORDER_SCOPES,
    HANDLED_SHIPMENT_SCOPES,
    REFUND_CREATED_SCOPE,
)
from . import jobs
from .binder import BigCommerceBinder


def _load(path):
    """The class ``module.Class`` of this package, or of the full module
    path ``odoo.addons.<addon>.<module>.Class``."""
    module, name = path.rsplit(".", 1)
    if not module.startswith("odoo."):
        module = f"{__package__}.{module}"
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class RecordKind:
    """One kind of BigCommerce record, as the connector handles it."""

    #: The kind, as in the binder's external IDs and locks.
    name: str
    #: Its binding model (a ``bigcommerce.binding``), or ``None``.
    binding_model: str | None
    #: The importer of one record (a ``BigCommerceImporter``), as
    #: ``module.Class`` of this package, or a full module path
    #: (``odoo.addons.<addon>.<module>.Class``) for a kind declared elsewhere.
    importer_path: str
    #: What ``webhook_subject`` calls a delivery of this kind, the scopes
    #: that feed it, and the options of the import a delivery queues.
    webhook_subject: str = ""
    scopes: frozenset = frozenset()
    webhook_options: dict = field(default_factory=dict)
    #: Keyword arguments the job is always queued with, unless given.
    job_defaults: dict = field(default_factory=dict)
    #: Record types of its failures -> (label, options of the import that a
    #: reprocess queues).
    failure_types: dict = field(default_factory=dict)
    #: The model of the record its failures name (by BigCommerce id).
    failure_model: str | None = None
    #: Its catch-up (a ``BigCommerceBatchImporter``), as ``module.Class``,
    #: or ``None``.
    batch_path: str | None = None
    #: The store's job that imports one record: by default the generic
    #: ``_import_record`` (a new kind needs no job of its own); the kinds of
    #: earlier versions keep the named jobs their queued jobs call.
    job: str | None = None
    #: The job's identity key (``{store}``, ``{id}``) and description
    #: (``{id}``); by default named after the kind.
    job_key: str = ""
    job_description: str = ""

    def __post_init__(self):
        if not self.job_key:
            object.__setattr__(
                self, "job_key", f"bigcommerce-{self.name}-{{store}}-{{id}}"
            )
        if not self.job_description:
            object.__setattr__(
                self, "job_description", f"Import BigCommerce {self.name} #{{id}}"
            )

    @property
    def importer(self):
        """The importer class of one record of this kind."""
        return _load(self.importer_path)

    @property
    def batch(self):
        """The batch importer class of this kind's catch-up, or ``None``."""
        return _load(self.batch_path) if self.batch_path else None

    def binder(self, backend):
        """The binder of this kind for one store."""
        return BigCommerceBinder(backend, self.name, self.binding_model)

    def delay_import(
        self, backend, bigcommerce_id, *args, identity_suffix="", **kwargs
    ):
        """Queue the import of one record; a pending duplicate is dropped.

        :param backend: the store, one record; the job runs as its user.
        :param bigcommerce_id: the record's BigCommerce id.
        :param args: the other arguments of the kind's job, as they are (a
            refund's order id; an order's ``origin``, a shipment's order
            lines as keywords).
        :param identity_suffix: added to the job's identity key, for an
            import that a pending ordinary one must not swallow (a refund's
            *Import again* that registers its money).
        """
        bigcommerce_id = int(bigcommerce_id)
        key, description = self._job_identity(backend, bigcommerce_id)
        delayable = jobs.delay(backend, key + identity_suffix, description)
        method, args, kwargs = self._job_call(bigcommerce_id, args, kwargs)
        return getattr(delayable, method)(*args, **kwargs)

    def webhook_job(self, backend, bigcommerce_id, *args, store_name=None):
        """The job of the import a webhook delivery asks for, with the
        kind's webhook options, built and not stored (``jobs.build()``):
        the route's claim of the delivery stores it. ``None`` where
        queue_job's tools are at work (a test's ``trap_jobs()``): queue it
        with :meth:`delay_import` then.

        :param store_name: the store's name, for the job's description,
            when the caller has it (the webhook route's cache): ``backend``
            is then not read.
        """
        bigcommerce_id = int(bigcommerce_id)
        method, args, kwargs = self._job_call(
            bigcommerce_id, args, dict(self.webhook_options)
        )
        return jobs.build(
            backend,
            *self._job_identity(backend, bigcommerce_id, store_name),
            method,
            *args,
            **kwargs,
        )

    def _job_identity(self, backend, bigcommerce_id, store_name=None):
        """The identity key and description of the import of one record."""
        return (
            self.job_key.format(store=backend.id, id=bigcommerce_id),
            f"{self.job_description.format(id=bigcommerce_id)} "
            f"({store_name or backend.name})",
        )

    def _job_call(self, bigcommerce_id, args, kwargs):
        """The store's job method that imports one record, and its
        arguments: ``(method name, args, kwargs)``."""
        kwargs = dict(self.job_defaults, **kwargs)
        if not self.job:
            return "_import_record", (self.name, bigcommerce_id, *args), kwargs
        return self.job, (bigcommerce_id, *args), kwargs

    def delay_batch(self, backend, identity_suffix="", **kwargs):
        """Queue this kind's catch-up; a pending duplicate is dropped.

        :param identity_suffix: added to the job's identity key, for a
            catch-up that must not be taken for the scheduled one (the
            import wizard's).
        :param kwargs: the arguments of the catch-up's job.
        """
        batch = self.batch
        delayable = jobs.delay(
            backend,
            batch.job_key.format(store=backend.id) + identity_suffix,
            f"{batch.job_description} ({backend.name})",
        )
        return getattr(delayable, batch.job)(**kwargs)


KINDS = {
    kind.name: kind
    for kind in (
        RecordKind(
            name="order",
            binding_model="bigcommerce.order",
            importer_path="order_importer.OrderImporter",
            job="_import_order",
            job_key="bigcommerce-order-{store}-{id}",
            job_description="Import BigCommerce order #{id}",
            job_defaults={"origin": None},
            webhook_subject="order",
            scopes=HANDLED_ORDER_SCOPES - {REFUND_CREATED_SCOPE},
            webhook_options={"origin": "webhook"},
            failure_types={
                "order": ("Order", {"origin": "reprocess"}),
                # An invoiced order cancelled on the store, left to decide.
                "cancelled_invoice": ("Invoiced order cancelled", {}),
            },
            failure_model="bigcommerce.order",
            batch_path="batch_importer.OrderCatchUp",
        ),
        RecordKind(
            name="refund",
            binding_model="bigcommerce.refund",
            importer_path="refund_importer.RefundImporter",
            job="_import_refund",
            job_key="bigcommerce-refund-{store}-{id}",
            job_description="Import BigCommerce refund #{id}",
            webhook_subject="refund",
            scopes=frozenset({REFUND_CREATED_SCOPE}),
            failure_types={"refund": ("Refund", {})},
            failure_model="bigcommerce.refund",
            batch_path="batch_importer.RefundCatchUp",
        ),
        RecordKind(
            name="customer",
            binding_model="bigcommerce.customer",
            importer_path="customer_importer.CustomerImporter",
            job="_import_customer",
            job_key="bigcommerce-customer-{store}-{id}",
            job_description="Import BigCommerce customer #{id}",
            webhook_subject="customer",
            scopes=HANDLED_CUSTOMER_SCOPES | HANDLED_CUSTOMER_ADDRESS_SCOPES,
            failure_types={"customer": ("Customer", {})},
            failure_model="bigcommerce.customer",
            batch_path="batch_importer.CustomerCatchUp",
        ),
        # The shipments of one order, read again whatever the event: the
        # order's binding holds them, and names the failures.
        RecordKind(
            name="shipment",
            binding_model=None,
            importer_path="shipment_importer.ShipmentImporter",
            job="_import_shipments",
            job_key="bigcommerce-shipments-{store}-{id}",
            job_description="Import shipments of BigCommerce order #{id}",
            job_defaults={"lines": None},
            webhook_subject="shipments",
            scopes=HANDLED_SHIPMENT_SCOPES,
            failure_types={"shipment": ("Order shipments", {})},
            failure_model="bigcommerce.order",
        ),
    )
}


def register(kind):
    """Add ``kind`` (a :class:`RecordKind`) to the registry, or replace the
    kind of its name: how an addon extending the connector declares a kind
    of its own. Returns the kind."""
    KINDS[kind.name] = kind
    return kind


def kind_of_subject(subject):
    """The kind a webhook delivery feeds, by what ``webhook_subject`` calls
    it (``order``, ``refund``...), or ``None``."""
    return next(
        (kind for kind in KINDS.values() if kind.webhook_subject == subject), None
    )


def kind_of_failure(record_type):
    """The kind whose failures have the record type ``record_type``, or
    ``None`` (a batch's failure)."""
    return next(
        (kind for kind in KINDS.values() if record_type in kind.failure_types), None
    )


#: Failures of batches, which no kind has: a catch-up's (its id says which:
#: ``orders``, ``refunds``, ``customers``), and the listing of a period's
#: (its id is the import run's).
CATCH_UP_FAILURE = "catch_up"
LISTING_FAILURE = "order_listing"
BATCH_FAILURE_TYPES = {
    CATCH_UP_FAILURE: "Catch-up",
    LISTING_FAILURE: "Order listing",
}


def failure_type_selection():
    """The record types of failures, with their labels, in the registry's
    order (the failure model's ``record_type``)."""
    selection = [
        (record_type, label)
        for kind in KINDS.values()
        for record_type, (label, _options) in kind.failure_types.items()
    ]
    return selection + list(BATCH_FAILURE_TYPES.items())


def batch_kinds():
    """The kinds that have a catch-up, in the order the scheduler queues
    them."""
    return [kind for kind in KINDS.values() if kind.batch_path]


def binder(backend, kind):
    """The binder of one kind (a name of the registry: ``order``,
    ``refund``, ``customer``...) for one store, with its binding model."""
    return KINDS[kind].binder(backend)


def delay_import(backend, kind, bigcommerce_id, *args, **kwargs):
    """Queue the import of one record of ``kind`` (a name of the registry)
    for one store (:meth:`RecordKind.delay_import`)."""
    return KINDS[kind].delay_import(backend, bigcommerce_id, *args, **kwargs)


def delay_batch(backend, kind, **kwargs):
    """Queue the catch-up of ``kind`` (a name of the registry) for one store
    (:meth:`RecordKind.delay_batch`)."""
    return KINDS[kind].delay_batch(backend, **kwargs)


def queue_failure_again(failure):
    """Queue again the import a failure (``bigcommerce.failure``) is about:
    the record's import with the options of its record type, the catch-up
    its id names, or the listing of its import run."""
    backend = failure.backend_id
    kind = kind_of_failure(failure.record_type)
    if kind:
        options = kind.failure_types[failure.record_type][1]
        return kind.delay_import(backend, int(failure.bigcommerce_id), **options)
    if failure.record_type == CATCH_UP_FAILURE:
        # A catch-up failure of a version that had one catch-up says nothing
        # more: the orders'.
        kind = next(
            (k for k in batch_kinds() if k.batch.batch_id == failure.bigcommerce_id),
            KINDS["order"],
        )
        return kind.delay_batch(backend)
    if failure.record_type == LISTING_FAILURE:
        run = failure.env["bigcommerce.import.run"].browse(int(failure.bigcommerce_id))
        if run.exists():
            return run._list_again()
    return None
