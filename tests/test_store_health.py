# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store form says what is happening: webhooks subscribed, the last
delivery, the last catch-up, and recovery from outages."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce.const import HANDLED_SCOPES
from .common import BigCommerceAccountingCase


@tagged("post_install", "-at_install")
class TestWebhookHealth(BigCommerceAccountingCase):
    def setUp(self):
        super().setUp()
        self.start_without_webhooks(register=True)

    def hook(self, scope):
        return next(
            hook
            for hook in self.simulator.state.hooks.values()
            if hook["scope"] == scope
            and hook["destination"] == self.backend.webhook_url
        )

    def log_delivery(self, age):
        self.env["bigcommerce.webhook.log"].sudo().create(
            {
                "backend_id": self.backend.id,
                "outcome": "queued",
                "scope": "store/order/created",
                "received_at": fields.Datetime.now() - age,
            }
        )

    def test_registered_webhooks_are_listed_with_their_state(self):
        subs = self.backend.webhook_subscription_ids
        self.assertEqual(set(subs.mapped("scope")), set(HANDLED_SCOPES))
        self.assertTrue(all(subs.mapped("is_active")))
        self.assertTrue(all(subs.mapped("is_ours")))
        self.assertTrue(all(subs.mapped("subscribed_at")))
        self.assertTrue(self.backend.webhooks_checked_at)
        # Changed at BigCommerce, read again with Refresh.
        self.simulator.state.update_hook(
            self.hook("store/order/updated")["id"], is_active=False
        )
        self.backend.action_refresh_webhooks()
        inactive = self.backend.webhook_subscription_ids.filtered(
            lambda sub: not sub.is_active
        )
        self.assertEqual(inactive.scope, "store/order/updated")

    def test_scheduled_check_reactivates_a_deactivated_hook(self):
        """BigCommerce deactivates a hook after 48 hours of failed
        deliveries: the check turns it back on and catches up."""
        self.log_delivery(timedelta(minutes=5))
        hook = self.hook("store/order/created")
        self.simulator.state.update_hook(hook["id"], is_active=False)
        with trap_jobs() as trap:
            self.env["bigcommerce.backend"]._scheduler_check_webhooks()
            trap.assert_jobs_count(1, only=self.backend._check_webhooks)
            trap.perform_enqueued_jobs()
            trap.assert_jobs_count(1, only=self.backend._catch_up_orders)
        self.assertTrue(self.hook("store/order/created")["is_active"])
        self.assertTrue(all(self.backend.webhook_subscription_ids.mapped("is_active")))
        self.assertIn("re-activated", self.backend.webhook_alert)
        self.assertIn("store/order/created", self.backend.webhook_alert)

    def test_silent_store_is_flagged_and_caught_up(self):
        self.log_delivery(timedelta(hours=30))
        with trap_jobs() as trap:
            self.backend._check_webhooks()
            trap.assert_jobs_count(1, only=self.backend._catch_up_orders)
        self.assertIn("No webhook delivery since", self.backend.webhook_alert)
        # Deliveries come again: the warning goes at the next check.
        self.log_delivery(timedelta(minutes=1))
        self.backend.invalidate_recordset(["last_delivery_at"])
        with trap_jobs() as trap:
            self.backend._check_webhooks()
            trap.assert_jobs_count(0, only=self.backend._catch_up_orders)
        self.assertFalse(self.backend.webhook_alert)

    def test_quiet_store_within_its_hours_is_not_flagged(self):
        self.log_delivery(timedelta(hours=2))
        self.backend._check_webhooks()
        self.assertFalse(self.backend.webhook_alert)
        self.backend.webhook_silence_hours = 1
        self.backend._check_webhooks()
        self.assertTrue(self.backend.webhook_alert)

    def test_check_that_cannot_reach_the_store_says_so(self):
        self.backend.access_token = "revoked"
        self.backend._check_webhooks()
        self.assertIn("401", self.backend.webhook_alert)

    def test_last_delivery_and_catch_up_on_the_form(self):
        self.log_delivery(timedelta(minutes=3))
        self.env["bigcommerce.webhook.log"].sudo().create(
            {"backend_id": self.backend.id, "outcome": "refused"}
        )
        self.backend.invalidate_recordset()
        self.assertAlmostEqual(
            self.backend.last_delivery_at,
            fields.Datetime.now() - timedelta(minutes=3),
            delta=timedelta(seconds=5),
        )
        self.assertEqual(self.backend.delivery_count, 1, "refused ones not counted")
        self.backend.orders_modified_since = fields.Datetime.now() - timedelta(hours=1)
        with trap_jobs():
            self.backend._catch_up_orders()
        self.assertEqual(self.backend.last_catch_up_state, "done")
        self.assertTrue(self.backend.last_catch_up_at)
        self.backend.access_token = "revoked"
        self.backend._catch_up_orders()
        self.assertEqual(self.backend.last_catch_up_state, "failed")
        self.assertIn("401", self.backend.last_catch_up_result)
        arch = self.env["bigcommerce.backend"].get_view(view_type="form")["arch"]
        for fname in (
            "last_delivery_at",
            "last_catch_up_result",
            "webhook_subscription_ids",
            "action_view_deliveries",
            "action_open_import_wizard",
        ):
            self.assertIn(fname, arch)

    def test_delivery_log_is_for_connector_managers(self):
        self.log_delivery(timedelta(minutes=1))
        manager = new_test_user(
            self.env,
            login="bc_log_manager",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
        )
        plain = new_test_user(self.env, login="bc_log_plain", groups="base.group_user")
        Log = self.env["bigcommerce.webhook.log"]
        self.assertEqual(len(Log.with_user(manager).search([])), 1)
        with self.assertRaises(AccessError):
            Log.with_user(plain).search([])
        action = self.backend.with_user(manager).action_view_deliveries()
        self.assertEqual(action["domain"], [("backend_id", "=", self.backend.id)])

    def test_old_deliveries_are_forgotten_after_the_store_s_days(self):
        self.backend.webhook_log_days = 30
        self.log_delivery(timedelta(days=31))
        self.log_delivery(timedelta(days=29))
        self.env["bigcommerce.webhook.log"].sudo()._gc_old_log()
        logs = self.env["bigcommerce.webhook.log"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(len(logs), 1)
        self.assertGreater(logs.received_at, fields.Datetime.now() - timedelta(days=30))

    def test_outage_then_catch_up_recovers_every_order_once(self):
        """No delivery came for a day while orders were placed: the check
        flags it and queues the catch-up, which brings every order, once."""
        self.log_delivery(timedelta(hours=26))
        self.backend.orders_modified_since = fields.Datetime.now() - timedelta(days=1)
        missed = [self.add_order() for _ in range(4)]
        with trap_jobs() as trap:
            self.backend._check_webhooks()
            trap.perform_enqueued_jobs()  # the catch-up
            trap.perform_enqueued_jobs()  # the imports it queued
        for order in missed:
            binding = self.binding(order)
            self.assertEqual(binding.move_id.state, "posted")
        # A late webhook, and another catch-up, change nothing.
        self.backend.orders_modified_since = fields.Datetime.now() - timedelta(days=1)
        with trap_jobs() as trap:
            self.backend._catch_up_orders()
            trap.perform_enqueued_jobs()
        self.import_order(missed[0])
        for order in missed:
            self.assertEqual(
                self.env["account.move"].search_count(
                    [("ref", "=", str(order["id"])), ("move_type", "=", "out_invoice")]
                ),
                1,
            )
