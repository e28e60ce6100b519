# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The catch-up on modified orders, for outages and missed webhooks.

A scheduled action queues one job per store; the job asks BigCommerce for
the orders modified since the last catch-up (minus an overlap, since clocks
and late writes are not exact) and queues the import of each one that
changed since it was imported. The import's identity key and the binder
make a catch-up that meets a webhook harmless.

It runs as an importer of the store's list of modified orders: the same
lock, savepoint and sorting of errors, and on failure the same kind of
record to reprocess.
"""

from datetime import timedelta

from odoo import fields

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.const import MAX_PAGE_SIZE
from ..bigcommerce.customers import customer_to_partner_values, values_digest
from ..bigcommerce.mapping import clean_payload
from .binder import BigCommerceBinder
from .importer import BigCommerceImporter


class OrderCatchUp(BigCommerceImporter):
    kind = "catch_up"

    def __init__(self, backend, run=None):
        """:param run: the import run (``bigcommerce.import.run``) showing
        the progress of the orders queued, or an empty recordset."""
        super().__init__(backend, "orders")
        self.run_record = run
        self.started = fields.Datetime.now()
        self.since = (backend.orders_modified_since or self.started) - timedelta(
            minutes=max(0, backend.catch_up_overlap_minutes)
        )

    def _label(self):
        return "Catch-up"

    def _fetch(self):
        self.fetched["orders"] = self._call(
            lambda: list(
                self.client.iter_orders_modified(self.since, until=self.started)
            )
        )

    def _map(self):
        return self._changed_order_ids(self.fetched["orders"])

    def _changed_order_ids(self, listed):
        """Ids of the listed orders that changed since their import.

        An order is unchanged when its modification date, status and total
        are those it had when imported (the date alone has one-second steps).
        """
        bindings = BigCommerceBinder(
            self.backend, "order", "bigcommerce.order"
        ).to_bindings([order["id"] for order in listed])
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

    def _create_or_update(self, changed):
        if self.run_record:
            self.run_record._queue_orders(changed)
        else:
            for order_id in changed:
                self.backend._delay_import_order(order_id, origin="catch_up")
        return None

    def _bind(self, record, changed):
        return None

    def _after_import(self, changed):
        self.backend.sudo().orders_modified_since = self.started
        self.changed = changed

    def _result(self):
        result = (
            f"{len(self.changed)} order(s) queued for import, modified since "
            f"{self.since}."
        )
        self._note_outcome("done", result)
        return result

    def _fail(self, message):
        result = super()._fail(message)
        self._note_outcome("failed", message)
        return result

    def _note_outcome(self, state, result):
        """What the store form shows of the last catch-up."""
        self.backend.sudo().write(
            {
                "last_catch_up_at": fields.Datetime.now(),
                "last_catch_up_state": state,
                "last_catch_up_result": result[:250],
            }
        )


class OrderListing(BigCommerceImporter):
    """One page of the orders of a period, listed with their lines (250 a
    page), queued for import with what the listing returned: a first sync
    of a store's history asks BigCommerce, per order, for its taxes at most.

    One page per job, each job queuing the next while its page was full:
    a store's whole history is never listed in one worker's time limit.

    Incomplete orders (abandoned checkouts) are not listed by BigCommerce
    unless asked for; they are never invoiced.
    """

    kind = "order_listing"

    def __init__(self, backend, run, since, until, field="date_created", page=1):
        super().__init__(backend, run.id if run else 0)
        self.run_record = run
        self.since = since
        self.until = until
        self.field = field
        self.page = page
        #: Whether a next page may hold more orders.
        self.more = False

    def _label(self):
        return "Order listing"

    def _fetch(self):
        self.fetched["orders"] = self._call(
            lambda: self.client.list_orders_with_lines(
                self.since, self.until, field=self.field, page=self.page
            )
        )

    def _map(self):
        return self.fetched["orders"]

    def _create_or_update(self, orders):
        prefetched = {int(order["id"]): order for order in orders}
        if self.run_record:
            self.run_record._queue_orders(list(prefetched), prefetched)
        else:
            for order_id, order in prefetched.items():
                self.backend.with_delay(
                    description=f"Import BigCommerce order #{order_id}",
                )._import_order(order_id, prefetched=order)
        self.more = len(orders) >= MAX_PAGE_SIZE
        return None

    def _bind(self, record, orders):
        return None

    def _fail(self, message):
        # The payload of a failed listing is not worth keeping whole.
        self.fetched = {}
        return super()._fail(message)

    def _result(self):
        return (
            f"{len(self.fetched['orders'])} order(s) listed on page {self.page} and "
            "queued for import."
        )


class CustomerCatchUp(BigCommerceImporter):
    """The catch-up on modified customers: customers changed since the last
    run (``date_modified``, minus the overlap) whose data differs from what
    their last import brought, or that were never imported, are queued for
    import.

    A customer deleted on BigCommerce is no longer listed: only its webhook
    archives its partner.
    """

    # One kind of failure for every catch-up; the id says which.
    kind = "catch_up"

    def __init__(self, backend):
        super().__init__(backend, "customers")
        self.started = fields.Datetime.now()
        self.since = (backend.customers_modified_since or self.started) - timedelta(
            minutes=max(0, backend.catch_up_overlap_minutes)
        )

    def _label(self):
        return "Customer catch-up"

    def _fetch(self):
        self.fetched["customers"] = self._call(
            lambda: list(
                self.client.iter_customers_modified(self.since, until=self.started)
            )
        )

    def _map(self):
        listed = self.fetched["customers"]
        bindings = BigCommerceBinder(
            self.backend, "customer", "bigcommerce.customer"
        ).to_bindings([customer["id"] for customer in listed])
        digests = {b.bigcommerce_id: b.data_digest for b in bindings}
        return [
            int(customer["id"])
            for customer in listed
            if digests.get(int(customer["id"]))
            != values_digest(customer_to_partner_values(clean_payload(customer)))
        ]

    def _create_or_update(self, changed):
        for customer_id in changed:
            self.backend._delay_import_customer(customer_id)
        return None

    def _bind(self, record, changed):
        return None

    def _after_import(self, changed):
        self.backend.sudo().customers_modified_since = self.started
        self.changed = changed

    def _result(self):
        return (
            f"{len(self.changed)} customer(s) queued for import, modified since "
            f"{self.since}."
        )
