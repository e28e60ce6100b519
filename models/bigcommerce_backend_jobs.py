# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's jobs: the entry points the job queue runs.

Each job runs one importer (``components/``): the import of one record of
a kind, or a batch of a kind (a catch-up, the listing of a period). They
are queued through one helper (``components/jobs.py``), with the store's
identity keys and retry budget; which job imports which kind is declared
once, in the registry of record kinds (``components/kinds.py``). Their
channel and retry pattern are data (``data/queue_job_data.xml``).

The jobs are methods of the store (``bigcommerce.backend``), whose record
is the job's: a job queued by an earlier version still runs.
"""

from odoo import api, fields, models

from ..components import jobs
from ..components.batch_importer import OrderCatchUp, OrderPeriodListing
from ..components.kinds import KINDS, batch_kinds
from ..components.order_batch import OrderPage


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    # === BUSINESS METHODS: THE SCHEDULER === #
    @api.model
    def _scheduler_catch_up_orders(self):
        """Scheduled action: queue, for each store, the catch-up of each
        kind whose catch-up the store turned on (orders, and their refunds,
        then customers)."""
        kinds = batch_kinds()
        switches = sorted({kind.batch.enabled_field for kind in kinds})
        domain = ["|"] * (len(switches) - 1) + [(name, "=", True) for name in switches]
        for backend in self.search(domain):
            for kind in kinds:
                if backend[kind.batch.enabled_field]:
                    kind.delay_batch(backend)

    # === BUSINESS METHODS: JOBS OF ONE RECORD === #
    def _import_record(self, kind, bigcommerce_id, *args, **kwargs):
        """Job: import one BigCommerce record of ``kind`` (a name of the
        registry of record kinds) with its importer.

        The job of every kind that names no job of its own: a new kind is
        queued and run without one.

        :param args: the other arguments of the kind's importer, and
            ``kwargs`` its options.
        :return: a sentence saying what became of the record.
        """
        self.ensure_one()
        return KINDS[kind].importer(self, bigcommerce_id, *args, **kwargs).run()

    def _import_order(self, order_id, origin=None, run_line_id=None, prefetched=None):
        """Job: import one BigCommerce order as a customer invoice.

        :param origin: what asked for it, for the chatter: ``webhook``,
            ``catch_up``, ``manual`` or ``reprocess``.
        :param run_line_id: the line of an import run (the import wizard)
            that shows this order's progress.
        :param prefetched: the order as a listing returned it, with its
            lines: the import then asks the store for its taxes only.
        :return: a sentence saying what became of the order.
        """
        self.ensure_one()
        importer = KINDS["order"].importer(
            self, order_id, origin=origin, prefetched=prefetched
        )
        result = importer.run()
        if run_line_id:
            self.env["bigcommerce.import.run.line"].sudo().browse(
                run_line_id
            ).exists()._set_outcome(importer.outcome, result)
        return result

    def _import_refund(self, refund_id, order_id=None, pay_again=False):
        """Job: import one BigCommerce refund as a credit note of its order's
        invoice (importing the order first when it is not yet).

        :param order_id: the refund's order, when the caller knows it.
        :param pay_again: for a refund credited already whose money was
            left unregistered, register it now (its *Import again*).
        """
        return self._import_record("refund", refund_id, order_id, pay_again=pay_again)

    def _import_customer(self, customer_id):
        """Job: import one BigCommerce customer as a partner (or archive the
        partner of a customer deleted on the store)."""
        return self._import_record("customer", customer_id)

    def _import_shipments(self, order_id, lines=None):
        """Job: bring one order's shipments onto its order record.

        :param lines: the order's line items as its import just read them,
            ``{order product id: {"sku": ..., "name": ...}}``: the job then
            names what was shipped without reading the order again.
        """
        return self._import_record("shipment", order_id, lines=lines)

    # === BUSINESS METHODS: BATCHES === #
    def _catch_up_orders(self, run_id=None):
        """Job: queue the import of the orders modified since the last run.

        :param run_id: the import run (the import wizard) whose progress
            shows the orders queued.
        """
        self.ensure_one()
        run = self.env["bigcommerce.import.run"].sudo().browse(run_id).exists()
        result = OrderCatchUp(self, run=run).run()
        if run:
            run._listing_done(result)
        return result

    def _catch_up_refunds(self):
        """Job: queue the import of the refunds created since the last run."""
        self.ensure_one()
        return KINDS["refund"].batch(self).run()

    def _catch_up_customers(self):
        """Job: queue the import of the customers modified since the last run."""
        self.ensure_one()
        return KINDS["customer"].batch(self).run()

    def _import_orders_listing(
        self, run_id, since, until, field="date_created", page=1
    ):
        """Job: list one page of the orders of a period with their lines
        (250 a page), queue the import of each with what the listing
        returned, and queue the next page while this one was full.

        :param run_id: the import run the orders are queued for.
        :param since: start of the period, as a string.
        :param until: its end, as a string.
        :param field: ``date_created`` or ``date_modified``.
        """
        self.ensure_one()
        run = self.env["bigcommerce.import.run"].sudo().browse(run_id).exists()
        listing = OrderPeriodListing(
            self,
            run,
            fields.Datetime.to_datetime(since),
            fields.Datetime.to_datetime(until),
            field,
            page=page,
        )
        result = listing.run()
        if listing.more:
            self._delay_orders_listing(run, since, until, field, page=page + 1)
        elif run:
            run._listing_done(result)
        return result

    def _delay_orders_listing(self, run, since, until, field, page=1):
        """Queue the listing of one page of the orders of a period, for an
        import run (:meth:`_import_orders_listing`).

        :param since: start of the period, a datetime or its string.
        :param until: its end, likewise.
        """
        self.ensure_one()
        return jobs.delay(
            self,
            f"bigcommerce-listing-{self.id}-{run.id}-page{page}",
            f"List BigCommerce orders to import, page {page} ({self.name})",
        )._import_orders_listing(
            run.id,
            fields.Datetime.to_string(fields.Datetime.to_datetime(since)),
            fields.Datetime.to_string(fields.Datetime.to_datetime(until)),
            field,
            page=page,
        )

    def _delay_run_order(self, run, line_id, order_id, prefetched=None):
        """Queue the import of one order of an import run, alone.

        :param run: the import run (``bigcommerce.import.run``).
        :param line_id: the run's line of the order.
        :param prefetched: the order as a listing returned it, if it did.
        """
        self.ensure_one()
        return jobs.delay(
            self,
            # Its own key: a pending webhook job of the same order must not
            # swallow this one (the binder keeps one invoice).
            f"bigcommerce-order-{self.id}-{order_id}-run{line_id}",
            f"Import BigCommerce order #{order_id} ({run.name})",
        )._import_order(order_id, run_line_id=line_id, prefetched=prefetched)

    def _delay_orders_page(self, run, page):
        """Queue the import of a page of listed orders (at most
        :data:`~..components.jobs.ORDERS_PER_PAGE_JOB`), in one job.

        :param page: ``[[run line id, order], ...]``.
        """
        self.ensure_one()
        first, last = page[0][1]["id"], page[-1][1]["id"]
        return jobs.delay(
            self,
            f"bigcommerce-orders-page-{self.id}-line{page[0][0]}",
            f"Import BigCommerce orders #{first} to #{last} ({run.name})",
        )._import_orders_page(page)

    def _import_orders_page(self, items):
        """Job: import listed orders in one transaction
        (``components/order_batch.py``).

        The new invoices the page posts are created in one batch and posted
        together; every other order (skipped, held, already invoiced) is
        imported alone, in a savepoint of its own. Each order ends as it
        would alone: invoiced, skipped, or a failure record (a batch that
        fails is rolled back, and its orders are imported one by one). An
        order that meets a transient fault (the rate limit, a worker
        importing it already) is queued alone instead, to be retried as
        every import is; the others are not held back by it.

        :param items: ``[[run line id, order], ...]``, each order as the
            listing returned it, with its lines.
        """
        self.ensure_one()
        return OrderPage(self, items).run()
