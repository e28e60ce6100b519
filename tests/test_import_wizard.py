# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imports on demand: the wizard's three modes, and their progress."""

import math
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce.client import parse_datetime
from ..components.binder import BigCommerceBinder
from ..components.jobs import JOB_MAX_RETRIES
from ..wizards.bigcommerce_import_wizard import parse_order_numbers
from .common import BigCommerceAccountingCase


class WizardMixin:
    def wizard(self, **values):
        return (
            self.env["bigcommerce.import.wizard"]
            .with_context(active_model="bigcommerce.backend", active_id=self.backend.id)
            .create(values)
        )

    def api_calls(self, since):
        return [r for r in self.simulator.requests[since:] if r["status"] < 300]


@tagged("post_install", "-at_install")
class TestImportWizard(WizardMixin, BigCommerceAccountingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Sold on the store, unknown in Odoo: its orders fail.
        cls.simulator.state.add_product(sku="NOPE-1", name="Unknown", price="5.00")

    def test_parse_order_numbers(self):
        self.assertEqual(
            parse_order_numbers("101, 103\n105-107 #110;101"),
            [101, 103, 105, 106, 107, 110],
        )
        for text in ("12a", "5-2", "1-20000", "DROP TABLE"):
            with self.subTest(text=text), self.assertRaises(ValueError):
                parse_order_numbers(text)

    def test_import_by_number_counts_done_skipped_failed(self):
        good = self.add_order()
        cancelled = self.add_order(status_id=5)
        unknown_sku = self.add_order(lines=[{"sku": "NOPE-1", "quantity": 1}])
        wizard = self.wizard(
            mode="numbers",
            order_numbers=f"{good['id']}, {cancelled['id']} {unknown_sku['id']}",
        )
        self.assertEqual(wizard.backend_id, self.backend)
        with trap_jobs() as trap:
            action = wizard.action_import()
            trap.assert_jobs_count(3, only=self.backend._import_order)
            run = self.backend.last_import_run_id
            self.assertEqual(action["res_id"], self.backend.id)
            self.assertEqual(
                (run.state, run.queued_count, run.total_count), ("running", 3, 3)
            )
            self.assertEqual(self.backend.last_import_state, "running")
            trap.perform_enqueued_jobs()
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(
            (run.queued_count, run.done_count, run.skipped_count, run.failed_count),
            (0, 1, 1, 1),
        )
        self.assertEqual(run.skipped_summary, "1 Cancelled")
        lines = {line.bigcommerce_id: line for line in run.line_ids}
        self.assertEqual(lines[good["id"]].order_binding_id, self.binding(good))
        self.assertIn("Unknown SKU", lines[unknown_sku["id"]].message)
        self.assertTrue(self.failure(unknown_sku))
        self.assertEqual(self.binding(cancelled).sync_state, "skipped")
        # The store form shows the same counts.
        self.backend.invalidate_recordset()
        self.assertEqual(
            (
                self.backend.last_import_done,
                self.backend.last_import_skipped,
                self.backend.last_import_failed,
                self.backend.last_import_skipped_summary,
            ),
            (1, 1, 1, "1 Cancelled"),
        )

    def test_bad_numbers_are_refused(self):
        with self.assertRaisesRegex(UserError, "not an order number"):
            self.wizard(mode="numbers", order_numbers="12, twelve").action_import()
        with self.assertRaisesRegex(UserError, "Enter the numbers"):
            self.wizard(mode="numbers", order_numbers=" , ").action_import()

    def test_import_of_a_period(self):
        # A period of the store's past, which no other test's order is in.
        start = datetime(2025, 3, 1, 8, 0)
        orders = [
            self.add_order(date_created=start + timedelta(hours=1)),
            self.add_order(status_id=6, date_created=start + timedelta(hours=2)),
            self.add_order(date_created=start + timedelta(hours=3)),
        ]
        self.add_order(date_created=start + timedelta(days=2))  # outside
        with trap_jobs() as trap:
            self.wizard(
                mode="period",
                date_from=start,
                date_to=start + timedelta(days=1),
            ).action_import()
            run = self.backend.last_import_run_id
            self.assertEqual((run.state, run.listing_state), ("running", "listing"))
            trap.assert_jobs_count(1, only=self.backend._import_orders_listing)
            trap.perform_enqueued_jobs()  # the listing
            run.invalidate_recordset()
            self.assertEqual(run.listing_state, "listed")
            self.assertEqual(run.queued_count, 3)
            trap.perform_enqueued_jobs()  # the imports
        run.invalidate_recordset()
        self.assertEqual(
            (run.state, run.done_count, run.skipped_count, run.failed_count),
            ("done", 2, 1, 0),
        )
        self.assertEqual(run.skipped_summary, "1 Declined")
        self.assertEqual(
            sorted(run.line_ids.mapped("bigcommerce_id")), [o["id"] for o in orders]
        )

    def test_listed_orders_are_imported_a_page_per_job(self):
        """One job, one transaction, a savepoint per order: an order another
        worker is importing waits alone, and the others are not held back."""
        start = datetime(2025, 9, 1)
        orders = [
            self.add_order(date_created=start + timedelta(hours=hour))
            for hour in (1, 2, 3)
        ]
        busy = orders[1]["id"]
        lock_key = BigCommerceBinder(self.backend, "order").lock_key(busy)
        with trap_jobs() as trap:
            self.wizard(
                mode="period", date_from=start, date_to=start + timedelta(days=1)
            ).action_import()
            trap.perform_enqueued_jobs()  # the listing
            trap.assert_jobs_count(1, only=self.backend._import_orders_page)
            trap.assert_jobs_count(0, only=self.backend._import_order)
            with self.env.registry.cursor() as other_worker:
                other_worker.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key])
                trap.perform_enqueued_jobs()  # the page
            run = self.backend.last_import_run_id
            run.invalidate_recordset()
            self.assertEqual(
                (run.state, run.done_count, run.queued_count), ("running", 2, 1)
            )
            self.assertFalse(self.binding(orders[1]))
            # The busy order, queued alone with what the listing returned.
            trap.assert_jobs_count(1, only=self.backend._import_order)
            (alone,) = trap._filtered_enqueued_jobs(self.backend._import_order)
            self.assertEqual(alone.args, (busy,))
            self.assertEqual(alone.kwargs["prefetched"]["id"], busy)
            before = len(self.simulator.requests)
            trap.perform_enqueued_jobs()
        # (Its customer's import reads the customer.)
        self.assertEqual(
            [c for c in self.api_calls(before) if "/v2/orders" in c["path"]], []
        )
        run.invalidate_recordset()
        self.assertEqual((run.state, run.done_count), ("done", 3))
        for order in orders:
            self.assertEqual(self.binding(order).move_id.state, "posted")

    def test_failed_listing_is_a_failure_then_reprocessed(self):
        start = datetime(2025, 6, 1)
        order = self.add_order(date_created=start + timedelta(hours=1))
        self.backend.access_token = "revoked"
        with trap_jobs() as trap:
            self.wizard(
                mode="period", date_from=start, date_to=start + timedelta(days=1)
            ).action_import()
            trap.perform_enqueued_jobs()
        run = self.backend.last_import_run_id
        failure = self.backend.failure_ids.filtered(
            lambda f: f.record_type == "order_listing"
        )
        self.assertIn("401", failure.reason)
        self.assertEqual(failure.bigcommerce_id, str(run.id))
        self.assertEqual((run.state, run.total_count), ("done", 0))
        self.assertIn("failed", run.listing_result)
        self.backend.access_token = "tok-5f2b9c0e7a"
        with trap_jobs() as trap:
            failure.action_reprocess()
            trap.perform_enqueued_jobs()  # the listing again
            trap.perform_enqueued_jobs()  # the import
        run.invalidate_recordset()
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(run.line_ids.bigcommerce_id, order["id"])
        self.assertEqual((run.state, run.done_count), ("done", 1))

    def test_period_in_the_wrong_order_is_refused(self):
        now = fields.Datetime.now()
        with self.assertRaisesRegex(UserError, "in order"):
            self.wizard(
                mode="period", date_from=now, date_to=now - timedelta(days=1)
            ).action_import()

    def test_catch_up_now(self):
        self.backend.orders_modified_since = fields.Datetime.now() - timedelta(hours=1)
        self.add_order()
        in_store = sorted(self.simulator.state.orders)
        with trap_jobs() as trap:
            self.wizard(mode="catch_up").action_import()
            run = self.backend.last_import_run_id
            self.assertEqual(run.mode, "catch_up")
            (job,) = trap.enqueued_jobs
            self.assertEqual(
                job.identity_key, f"bigcommerce-catch-up-{self.backend.id}-run{run.id}"
            )
            self.assertEqual(job.max_retries, JOB_MAX_RETRIES)
            trap.perform_enqueued_jobs()  # the catch-up
            run.invalidate_recordset()
            self.assertEqual(run.listing_state, "listed")
            self.assertEqual(sorted(run.line_ids.mapped("bigcommerce_id")), in_store)
            trap.perform_enqueued_jobs()
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.queued_count, 0)
        self.assertEqual(
            run.done_count + run.skipped_count + run.failed_count, len(in_store)
        )
        self.assertEqual(self.backend.last_catch_up_state, "done")
        self.assertIn("queued for import", self.backend.last_catch_up_result)


@tagged("post_install", "-at_install")
class TestFirstSync(WizardMixin, BigCommerceAccountingCase):
    """A first sync of a store's history: 500 orders."""

    ORDERS = 500

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A store on a plan with room for it; the shared limiter still reads
        # the headers.
        cls.simulator.rate_limiter.quota = 5000
        # What is counted here is the listing and the calls; the payments
        # (two fifths of an import's time, and no API call for these orders)
        # have their tests.
        cls.backend.register_payments = False

    def test_first_sync_of_500_orders_needs_about_one_call_per_order(self):
        start = datetime(2024, 1, 1)
        lines = (
            [{"sku": "MUG-BLK", "quantity": 2}],
            [{"sku": "BOOK-1", "quantity": 1}, {"sku": "MUG-BLK", "quantity": 1}],
        )
        orders = [
            self.add_order(
                lines=lines[i % 2],
                status_id=5 if i % 50 == 0 else 11,
                date_created=start + timedelta(hours=i),
            )
            for i in range(self.ORDERS)
        ]
        before = len(self.simulator.requests)
        with trap_jobs() as trap:
            self.wizard(
                mode="period",
                date_from=start,
                date_to=start + timedelta(days=30),
            ).action_import()
            run = self.backend.last_import_run_id
            listings, pages_of_orders = [], 0
            channels, queued_dates = set(), []
            for _round in range(10):
                if not trap.enqueued_jobs:
                    break
                listings += [
                    job.kwargs.get("page", 1)
                    for job in trap._filtered_enqueued_jobs(
                        self.backend._import_orders_listing
                    )
                ]
                page_jobs = trap._filtered_enqueued_jobs(
                    self.backend._import_orders_page
                )
                pages_of_orders += len(page_jobs)
                channels |= {job.channel for job in page_jobs}
                queued_dates += [
                    order["date_created"]
                    for job in page_jobs
                    for _line_id, order in job.args[0]
                ]
                trap.perform_enqueued_jobs()
                run.invalidate_recordset()
                if trap.enqueued_jobs:
                    # A listing queues the next page before it is done.
                    self.assertEqual(run.state, "running")
            else:
                self.fail(f"jobs still queued after 10 rounds: {trap.enqueued_jobs}")
        # One listing job per page, each queuing the next while its page was
        # full; each page's orders imported 20 to a job.
        self.assertEqual(listings, [1, 2, 3])
        self.assertEqual(pages_of_orders, 2 * math.ceil(250 / 20))
        # The pages are queued in order-date order, in the channel whose
        # capacity of 1 runs them one after the other: their invoices are
        # numbered in date order.
        self.assertEqual(channels, {"root.bigcommerce.history"})
        self.assertEqual(
            [parse_datetime(d) for d in queued_dates],
            sorted(parse_datetime(d) for d in queued_dates),
        )
        invoices = (
            self.env["bigcommerce.order"]
            .search([("bigcommerce_id", "in", [o["id"] for o in orders])])
            .move_id.filtered(lambda move: move.state == "posted")
            .sorted("name")
        )
        self.assertTrue(invoices)
        self.assertEqual(
            invoices.mapped("invoice_date"), sorted(invoices.mapped("invoice_date"))
        )
        calls = self.api_calls(before)
        pages = [c for c in calls if c["path"].endswith("/v2/orders")]
        taxes = [c for c in calls if c["path"].endswith("/taxes")]
        one_by_one = [
            c for c in calls if c["path"].rstrip("/").split("/")[-2] == "orders"
        ]
        # 250 orders a page with their lines; the last page is empty (204).
        self.assertEqual(len(pages), math.ceil(self.ORDERS / 250) + 1)
        self.assertTrue(all(p["query"]["limit"] == "250" for p in pages))
        self.assertEqual(pages[0]["query"]["include"], "consignments.line_items,fees")
        # No order is read again on its own, and an invoiced order's taxes
        # are asked for only where its figures and the store's rates do not
        # tell them.
        invoiced = [o for o in orders if o["status_id"] != 5]
        self.assertLessEqual(len(taxes), len(invoiced))
        self.assertEqual(one_by_one, [])
        # The orders' one customer is read once, with its addresses.
        customers = [c for c in calls if c["path"].endswith("/v3/customers")]
        self.assertEqual(len(customers), 1)
        self.assertEqual(len(calls), len(pages) + len(taxes) + len(customers))
        # The first sync's target: at most 0.1 API call per order.
        self.assertLessEqual(len(calls) / self.ORDERS, 0.1)
        run = self.backend.last_import_run_id
        run.invalidate_recordset()
        self.assertEqual(
            (run.state, run.done_count, run.skipped_count, run.failed_count),
            ("done", len(invoiced), self.ORDERS - len(invoiced), 0),
        )
        moves = (
            self.env["bigcommerce.order"]
            .search([("backend_id", "=", self.backend.id)])
            .move_id
        )
        self.assertEqual(len(moves), len(invoiced))
        self.assertEqual(set(moves.mapped("state")), {"posted"})
