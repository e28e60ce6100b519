# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Batches: what the store lists, queued for import a record a job.

:class:`BigCommerceBatchImporter` lists the records of a kind within a
window and queues the import of those that need one; a kind's batch (a
catch-up, or the listing of a period for the import wizard) says what to
list, which of the listed records to import, and how to queue them. The
batch owns, once for every kind:

- the **window**: from the store's watermark (the last catch-up) minus the
  overlap, since clocks and late writes are not exact, to the moment the
  batch started; or a period given explicitly (the first sync of a period);
- the **watermark**, moved to the start of the batch once it succeeded;
- the **paging**: a batch listed a page at a time says whether a next page
  may hold more (:attr:`more`), and its job queues it.

A batch runs like the import of one record (``importer.py``): under a lock,
in a savepoint, with the same sorting of errors, and on failure the same
kind of record to reprocess (``catch_up`` and the batch's id, such as
``orders``). The identity keys of the imports it queues, and the binder,
make a batch that meets a webhook harmless.
"""

import math
from datetime import datetime, time, timedelta

from odoo import fields

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.const import MAX_PAGE_SIZE
from ..bigcommerce.customers import customer_to_partner_values, values_digest
from ..bigcommerce.mapping import clean_payload
from . import jobs, kinds
from .accounting import store_time
from .importer import BigCommerceImporter
from .listed_customers import import_order_customers


class BigCommerceBatchImporter(BigCommerceImporter):
    """Lists records of one kind in a window and queues their imports.

    A kind's batch sets the class attributes below and fills in
    :meth:`_list`, :meth:`_to_import` and :meth:`_queue`.
    """

    #: Failures of every catch-up are of one record type; the id says which.
    kind = kinds.CATCH_UP_FAILURE
    #: The id of the batch's failures and lock (``orders``, ``refunds``...).
    batch_id = None
    #: Key of :attr:`fetched` holding what was listed (the failure's payload).
    listed_key = None
    #: The store field that shows the watermark the window starts from
    #: (minus the overlap), moved forward when the batch succeeds; ``None``
    #: for a period given. The watermark is kept in the batch's state
    #: (``bigcommerce.batch.state``).
    watermark_field = None
    #: The store field that turns the scheduled catch-up on.
    enabled_field = None
    #: The store's job running the batch, its identity key (``{store}``:
    #: the store's id) and description.
    job = None
    job_key = None
    job_description = None
    #: What the batch is, in the log and its failures.
    label = "Catch-up"

    def __init__(self, backend, since=None, until=None, page=None, batch_id=None):
        """:param since: start of a period given explicitly (else the
            watermark minus the overlap).
        :param until: its end (else the moment the batch starts).
        :param page: the page to list, for a batch listed a page a job.
        :param batch_id: the id of the batch's failures, instead of
            :attr:`batch_id`.
        """
        super().__init__(backend, batch_id if batch_id is not None else self.batch_id)
        self.started = fields.Datetime.now()
        #: Where the catch-up is (``bigcommerce.batch.state``): its watermark
        #: and last outcome, a row of its own; ``None`` for a period given.
        self.state = (
            self.env["bigcommerce.batch.state"].sudo()._of(backend, self.batch_id)
            if self.watermark_field
            else None
        )
        self.since = since
        self.until = until or self.started
        self.page = page
        #: Whether a next page may hold more records (paged batches only).
        self.more = False
        #: What was queued for import.
        self.queued = []

    # --- the run --------------------------------------------------------
    def _import(self):
        if self.state:
            # Read once the row is this worker's: the watermark another
            # worker moved is the one to start from.
            self.state._lock()
            self.since = (self.state.watermark or self.started) - timedelta(
                minutes=max(0, self.backend.catch_up_overlap_minutes)
            )
        self.client = self.backend._get_client()
        listed = self._call(self._list)
        self.fetched[self.listed_key] = listed
        self.queued = self._to_import(listed)
        self._queue(self.queued)
        self.more = self.page is not None and len(listed) >= MAX_PAGE_SIZE
        if self.state:
            self.state.watermark = self.started
        self._resolve_failure()
        self.outcome = "done"
        return self._result()

    # --- the steps, for a kind to fill in -----------------------------------
    def _list(self):
        """The records of the window (a page of them, for a paged batch),
        as the store lists them."""
        raise NotImplementedError

    def _to_import(self, listed):
        """Those of ``listed`` to queue for import."""
        return listed

    def _queue(self, to_import):
        """Queue the import of ``to_import``."""
        raise NotImplementedError

    # --- helpers ------------------------------------------------------------
    def _label(self):
        return self.label

    def _since_label(self):
        """The window's start as the store's clock shows it (its time
        zone), for the batch's result."""
        return store_time(self.backend, self.since)


class OrderCatchUp(BigCommerceBatchImporter):
    """The catch-up on modified orders, for outages and missed webhooks: the
    orders modified since the last catch-up that changed since their import
    (or were never imported) are queued for import."""

    batch_id = "orders"
    listed_key = "orders"
    watermark_field = "orders_modified_since"
    enabled_field = "catch_up_orders"
    job = "_catch_up_orders"
    job_key = "bigcommerce-catch-up-{store}"
    job_description = "Catch up on BigCommerce orders"

    def __init__(self, backend, run=None):
        """:param run: the import run (``bigcommerce.import.run``) showing
        the progress of the orders queued, or an empty recordset."""
        super().__init__(backend)
        self.run_record = run

    def _list(self):
        return list(self.client.iter_orders_modified(self.since, until=self.until))

    def _to_import(self, listed):
        """Ids of the listed orders that changed since their import.

        An order is unchanged when its modification date, status and total
        are those it had when imported (the date alone has one-second steps).
        """
        bindings = kinds.binder(self.backend, "order").to_bindings(
            [order["id"] for order in listed]
        )
        imported = {binding.bigcommerce_id: binding for binding in bindings}
        changed = []
        for order in listed:
            binding = imported.get(int(order["id"]))
            if not binding or (
                binding.date_modified != parse_datetime(order.get("date_modified"))
                or binding.status != str(order.get("status_id") or 0)
                or binding.currency_id.compare_amounts(
                    binding.total_inc_tax, float(order.get("total_inc_tax") or 0)
                )
            ):
                changed.append(int(order["id"]))
        return changed

    def _queue(self, changed):
        if self.run_record:
            self.run_record._queue_orders(changed)
        else:
            for order_id in changed:
                kinds.delay_import(self.backend, "order", order_id, origin="catch_up")

    def _result(self):
        result = (
            f"{len(self.queued)} order(s) queued for import, modified since "
            f"{self._since_label()}."
        )
        self._note_outcome("done", result)
        return result

    def _fail(self, message):
        result = super()._fail(message)
        self._note_outcome("failed", message)
        return result

    def _note_outcome(self, state, result):
        """What the store form shows of the last catch-up."""
        self.state.write(
            {
                "last_at": fields.Datetime.now(),
                "last_state": state,
                "last_result": result[:250],
            }
        )


class OrderPeriodListing(BigCommerceBatchImporter):
    """One page of the orders of a period (the first sync of a store's
    history, from the import wizard), listed with their lines (250 a page)
    and queued for import with what the listing returned: BigCommerce is
    then asked, per order, for its taxes at most. The orders' new customers
    are read 250 a call and imported first (``listed_customers.py``).

    One page per job, each job queuing the next while its page was full:
    a store's whole history is never listed in one worker's time limit.

    Incomplete orders (abandoned checkouts) are not listed by BigCommerce
    unless asked for; they are never invoiced.
    """

    kind = kinds.LISTING_FAILURE
    listed_key = "orders"
    label = "Order listing"

    def __init__(self, backend, run, since, until, field="date_created", page=1):
        """:param run: the import run (``bigcommerce.import.run``), whose id
            the listing's failure carries, or an empty recordset.
        :param field: ``date_created`` or ``date_modified``: which date of
            the orders the period is of.
        """
        super().__init__(
            backend, since, until, page=page, batch_id=run.id if run else 0
        )
        self.run_record = run
        self.field = field
        #: How many of the orders' customers were imported before them.
        self.customers_imported = 0

    def _list(self):
        return self.client.list_orders_with_lines(
            self.since, self.until, field=self.field, page=self.page
        )

    def _queue(self, orders):
        """Import the orders' new customers, then queue the orders' imports
        with what the listing returned."""
        self.customers_imported = import_order_customers(self, orders)
        prefetched = {int(order["id"]): order for order in orders}
        if self.run_record:
            self.run_record._queue_orders(list(prefetched), prefetched)
            return
        for order_id, order in prefetched.items():
            jobs.delay(
                self.backend,
                f"bigcommerce-order-{self.backend.id}-{order_id}",
                f"Import BigCommerce order #{order_id} ({self.backend.name})",
            )._import_order(order_id, prefetched=order)

    def _fail(self, message):
        # The payload of a failed listing is not worth keeping whole.
        self.fetched = {}
        return super()._fail(message)

    def _result(self):
        customers = (
            f", {self.customers_imported} new customer(s) imported"
            if self.customers_imported
            else ""
        )
        return (
            f"{len(self.fetched['orders'])} order(s) listed on page {self.page} and "
            f"queued for import{customers}."
        )


class RefundCatchUp(BigCommerceBatchImporter):
    """The refunds created since the last run, each queued for import unless
    it is credited already: the catch-up on modified orders does not see
    refunds."""

    batch_id = "refunds"
    listed_key = "refunds"
    watermark_field = "refunds_created_since"
    enabled_field = "catch_up_orders"
    job = "_catch_up_refunds"
    job_key = "bigcommerce-catch-up-refunds-{store}"
    job_description = "Catch up on BigCommerce refunds"
    label = "Refund catch-up"

    def _list(self):
        return [
            {"id": refund["id"], "order_id": refund.get("order_id")}
            for refund in self.client.iter_refunds_created(self.since, until=self.until)
        ]

    def _to_import(self, listed):
        credited = {
            binding.bigcommerce_id
            for binding in kinds.binder(self.backend, "refund").to_bindings(
                [refund["id"] for refund in listed]
            )
            if binding.move_id
        }
        return [refund for refund in listed if int(refund["id"]) not in credited]

    def _queue(self, refunds):
        for refund in refunds:
            kinds.delay_import(
                self.backend, "refund", refund["id"], refund.get("order_id")
            )

    def _result(self):
        return (
            f"{len(self.queued)} refund(s) queued for import, created since "
            f"{self._since_label()}."
        )


class CustomerCatchUp(BigCommerceBatchImporter):
    """The catch-up on modified customers: customers changed since the last
    run (``date_modified``, minus the overlap) whose data differs from what
    their last import brought, or that were never imported, are queued for
    import.

    A customer deleted on BigCommerce is no longer listed, so the catch-up
    also asks the store whether the customers it has partners for still
    exist (:meth:`_due_for_check`, :meth:`_gone`): each about once a week,
    a seventh of them a day, 250 a call. One that is gone has its import
    queued, the job its deletion webhook queues, which archives it.
    """

    #: Each customer is asked for about once in this many days.
    CHECK_EVERY_DAYS = 7

    def __init__(self, backend, **options):
        super().__init__(backend, **options)
        #: The customers this run asked the store about, and the ids of
        #: those it no longer has (:meth:`_to_import`).
        self.checked = backend.env["bigcommerce.customer"]
        self.gone = []

    batch_id = "customers"
    listed_key = "customers"
    watermark_field = "customers_modified_since"
    enabled_field = "catch_up_customers"
    job = "_catch_up_customers"
    job_key = "bigcommerce-customer-catch-up-{store}"
    job_description = "Catch up on BigCommerce customers"
    label = "Customer catch-up"

    def _list(self):
        return list(self.client.iter_customers_modified(self.since, until=self.until))

    def _to_import(self, listed):
        """The listed customers whose data changed since their import, and
        the customers checked today that the store no longer has."""
        bindings = kinds.binder(self.backend, "customer").to_bindings(
            [customer["id"] for customer in listed]
        )
        digests = {b.bigcommerce_id: b.data_digest for b in bindings}
        changed = [
            int(customer["id"])
            for customer in listed
            if digests.get(int(customer["id"]))
            != values_digest(customer_to_partner_values(clean_payload(customer)))
        ]
        self.checked = self._due_for_check()
        self.gone = self._gone(self.checked)
        return changed + [i for i in self.gone if i not in changed]

    def _managed_domain(self):
        """The store's customers that have a partner in Odoo, not deleted
        on the store (as far as Odoo knows)."""
        return [
            ("backend_id", "=", self.backend.id),
            ("partner_id", "!=", False),
            ("deleted_on_store", "=", False),
        ]

    def _due_for_check(self):
        """The customers to ask the store about in this run: of a day's
        share, a seventh of the store's customers (rounded up), what the
        day's earlier runs did not check, those checked longest ago first
        (never checked before all), then by id. Over seven days each
        customer is checked once; a run later the same day checks none."""
        Binding = self.env["bigcommerce.customer"].sudo()
        domain = self._managed_domain()
        day_start = datetime.combine(self.started.date(), time.min)
        checked_today = [("existence_checked_at", ">=", day_start)]
        share = math.ceil(
            Binding.search_count(domain) / self.CHECK_EVERY_DAYS
        ) - Binding.search_count(domain + checked_today)
        if share <= 0:
            return Binding
        not_today = [
            "|",
            ("existence_checked_at", "=", False),
            ("existence_checked_at", "<", day_start),
        ]
        return Binding.search(
            domain + not_today,
            order="existence_checked_at asc nulls first, id",
            limit=share,
        )

    def _gone(self, bindings):
        """Ask the store which of ``bindings``' customers it still has (250
        a call) and mark them checked; returns the ids of those it has not."""
        if not bindings:
            return []
        ids = bindings.mapped("bigcommerce_id")
        found = self._call(self.client.existing_customer_ids, ids)
        bindings.sudo().write({"existence_checked_at": self.started})
        return [i for i in ids if i not in found]

    def _queue(self, changed):
        for customer_id in changed:
            kinds.delay_import(self.backend, "customer", customer_id)

    def _result(self):
        return (
            f"{len(self.queued)} customer(s) queued for import, modified since "
            f"{self._since_label()}; {len(self.checked)} checked on the store, "
            f"{len(self.gone)} of them gone."
        )
