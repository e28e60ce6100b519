# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Catch-up on modified orders (scheduled action and job)."""

from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce.client import format_iso_datetime
from .common import BigCommerceAccountingCase


@tagged("post_install", "-at_install")
class TestPoll(BigCommerceAccountingCase):
    def setUp(self):
        super().setUp()
        self.since = fields.Datetime.now() - timedelta(hours=1)
        self.backend.orders_modified_since = self.since

    def jobs_of(self, trap, method):
        return [
            job
            for job in trap.enqueued_jobs
            if job.method_name == method and job.recordset == self.backend
        ]

    def test_scheduler_queues_one_catch_up_per_store(self):
        quiet = self.backend.copy(
            {
                "store_hash": "quietstore",
                "catch_up_orders": False,
                "catch_up_customers": False,
            }
        )
        with trap_jobs() as trap:
            self.env["bigcommerce.backend"]._scheduler_catch_up_orders()
            self.assertEqual(len(self.jobs_of(trap, "_catch_up_orders")), 1)
            self.assertFalse(
                [job for job in trap.enqueued_jobs if job.recordset == quiet]
            )

    def test_catch_up_queues_modified_orders_and_moves_on(self):
        orders = [self.add_order() for _ in range(3)]
        # The simulated store outlives each test's rollback: everything it
        # holds is new to this test's database.
        in_store = sorted(self.simulator.state.orders)
        with trap_jobs() as trap:
            result = self.backend._catch_up_orders()
            queued = sorted(job.args[0] for job in self.jobs_of(trap, "_import_order"))
        self.assertEqual(queued, in_store)
        self.assertTrue({o["id"] for o in orders} <= set(queued))
        self.assertIn(f"{len(in_store)} order(s) queued", result)
        self.assertGreater(self.backend.orders_modified_since, self.since)
        listing = [
            r for r in self.simulator.requests if r["path"].endswith("/v2/orders")
        ][-1]
        overlap = timedelta(minutes=self.backend.catch_up_overlap_minutes)
        self.assertEqual(
            listing["query"]["min_date_modified"],
            format_iso_datetime(self.since - overlap),
        )

    def test_orders_unchanged_since_import_are_left_alone(self):
        order = self.add_order()
        self.import_order(order)
        with trap_jobs() as trap:
            self.backend._catch_up_orders()
            queued = [job.args[0] for job in self.jobs_of(trap, "_import_order")]
            self.assertNotIn(order["id"], queued)
        self.backend.orders_modified_since = self.since
        self.simulator.state.set_order_status(order["id"], 2)
        with trap_jobs() as trap:
            self.backend._catch_up_orders()
            queued = [job.args[0] for job in self.jobs_of(trap, "_import_order")]
            self.assertIn(order["id"], queued)

    def test_webhook_after_a_catch_up_leaves_one_invoice(self):
        order = self.add_order()
        with trap_jobs() as trap:
            self.backend._catch_up_orders()
            trap.perform_enqueued_jobs()
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.import_order(order)  # the webhook's job, late
        self.assertEqual(
            self.env["account.move"].search([("ref", "=", str(order["id"]))]), move
        )

    def test_refused_catch_up_is_a_failure_then_reprocessed(self):
        self.add_order()
        self.backend.access_token = "revoked"
        result = self.backend._catch_up_orders()
        self.assertIn("failed", result)
        failure = self.backend.failure_ids.filtered(
            lambda f: f.record_type == "catch_up"
        )
        self.assertIn("401", failure.reason)
        self.assertEqual(self.backend.orders_modified_since, self.since)
        self.backend.access_token = "tok-5f2b9c0e7a"
        with trap_jobs() as trap:
            failure.action_reprocess()
            self.assertEqual(len(self.jobs_of(trap, "_catch_up_orders")), 1)
            trap.perform_enqueued_jobs()
        self.assertEqual(failure.state, "resolved")

    def test_transient_error_retries_and_keeps_the_mark(self):
        self.simulator.faults.inject("503", count=50)
        with mock.patch("time.sleep"), self.assertRaises(RetryableJobError):
            self.backend._catch_up_orders()
        self.simulator.faults.clear()
        self.assertEqual(self.backend.orders_modified_since, self.since)
        self.assertFalse(self.backend.failure_ids)
