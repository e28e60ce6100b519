# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The overview: one card per store, its health in the words of the form,
and figures that each open their list."""

import json
import time as time_module
import uuid
from datetime import date, datetime, time, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..components import kinds
from ..components.accounting import store_date
from .common import (
    CLIENT_SECRET,
    BigCommerceAccountingCase,
    BigCommerceAccountingHttpCase,
)
from .simulator import webhooks as simulator_webhooks

CONTROLLER_LOGGER = "odoo.addons.bigcommerce_connector.controllers.main"


@tagged("post_install", "-at_install")
class TestOverviewHealth(BigCommerceAccountingCase):
    """Each health state, from what the store knows and what waits."""

    def setUp(self):
        super().setUp()
        self.start_without_webhooks(register=True)
        self.log_delivery(timedelta(minutes=5))

    def log_delivery(self, age):
        self.env["bigcommerce.webhook.log"].sudo().create(
            {
                "backend_id": self.backend.id,
                "outcome": "queued",
                "scope": "store/order/created",
                "received_at": fields.Datetime.now() - age,
            }
        )
        self.backend.invalidate_recordset()

    def assert_health(self, state, message=None):
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.health_state, state, self.backend.health_message)
        if message:
            self.assertRegex(self.backend.health_message, message)
        # The card, the ribbon and the header say it in the same words.
        label = dict(self.backend._fields["health_state"].selection)[state]
        arch = self.env["bigcommerce.backend"].get_view(view_type="form")["arch"]
        self.assertIn(f'title="{label}"', arch)
        self.assertIn(f"health_state != '{state}'", arch)

    def test_connected_store_with_nothing_waiting_is_healthy(self):
        self.assert_health("healthy")
        self.assertFalse(self.backend.health_message)

    def test_store_that_does_not_answer_is_disconnected(self):
        self.backend.access_token = "revoked"
        self.assertEqual(self.backend.state, "error")
        self.assert_health("disconnected", "401")
        # Connected again: healthy again.
        self.backend.access_token = self.simulator.access_token
        self.assert_health("healthy")

    def test_store_without_access_token_is_disconnected(self):
        self.backend.access_token = False
        self.assert_health("disconnected", "access token")

    def test_failures_waiting_make_the_store_failing(self):
        failure = (
            self.env["bigcommerce.failure"]
            .sudo()
            ._record(self.backend, "order", 4242, "Unknown SKU 'X'")
        )
        self.assert_health("failing", "1 import.*failed")
        failure.state = "queued"
        self.assert_health("failing")
        failure.state = "resolved"
        self.assert_health("healthy")

    def test_inactive_hooks_make_the_store_failing(self):
        hook = next(
            hook
            for hook in self.simulator.state.hooks.values()
            if hook["scope"] == "store/order/created"
        )
        self.simulator.state.update_hook(hook["id"], is_active=False)
        self.backend.action_refresh_webhooks()
        self.assert_health("failing", "store/order/created.*Register webhooks")

    def test_no_delivery_for_the_store_s_hours_is_delayed(self):
        self.env["bigcommerce.webhook.log"].sudo().search(
            [("backend_id", "=", self.backend.id)]
        ).unlink()
        self.log_delivery(timedelta(hours=30))
        self.assert_health("delayed", "No webhook delivery since")
        self.backend.webhook_silence_hours = 48
        self.assert_health("healthy")

    def test_jobs_waiting_longer_than_the_store_s_minutes_is_delayed(self):
        job = kinds.delay_import(self.backend, "order", 777).db_record()
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.waiting_job_count, 1)
        self.assert_health("healthy")
        self.env.cr.execute(
            "UPDATE queue_job SET date_created = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(minutes=45), job.id],
        )
        self.env["queue.job"].invalidate_model()
        self.assert_health("delayed", "1 job.*waiting.*job runner")
        self.backend.job_delay_minutes = 60
        self.assert_health("healthy")
        # Jobs of another store do not count.
        other = self.backend.copy({"name": "Other", "store_hash": "other1"})
        self.assertEqual(other.waiting_job_count, 0)
        # The figure opens the store's waiting jobs, for the job queue's
        # managers (others see the count only).
        self.env.user.group_ids |= self.env.ref("queue_job.group_queue_job_manager")
        action = self.backend.action_view_waiting_jobs()
        self.assertEqual(action["res_model"], "queue.job")
        self.assertEqual(self.env["queue.job"].search(action["domain"]), job)
        # Once it ran, nothing waits.
        self.run_jobs(jobs=job)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.waiting_job_count, 0)

    def test_worst_state_wins(self):
        self.env["bigcommerce.failure"].sudo()._record(self.backend, "order", 1, "Bad")
        self.env["bigcommerce.webhook.log"].sudo().search(
            [("backend_id", "=", self.backend.id)]
        ).unlink()
        self.log_delivery(timedelta(hours=30))
        self.assert_health("failing")
        self.backend.access_token = "revoked"
        self.assert_health("disconnected")


@tagged("post_install", "-at_install")
class TestOverviewFigures(BigCommerceAccountingCase):
    """The card's figures, and the lists they open: of the store's days (in
    its time zone), as its invoices are dated, whatever the user's."""

    def setUp(self):
        super().setUp()
        # The store's days are UTC's; the user's are already tomorrow's
        # (UTC+14), or still today's: the card says the store's.
        self.assertEqual(self.backend.timezone, "Etc/UTC")
        self.backend = self.backend.with_context(tz="Pacific/Kiritimati")
        now = fields.Datetime.now()
        self.today = store_date(self.backend, now)
        self.today_orders = [self.add_order(date_created=now) for _ in range(2)]
        self.month_orders = []
        if self.today.day > 1:
            self.month_orders.append(
                self.add_order(
                    date_created=datetime.combine(
                        self.today.replace(day=1), time(0, 30)
                    )
                )
            )
        self.last_month_order = self.add_order(
            date_created=datetime.combine(
                self.today.replace(day=1) - timedelta(days=1), time(12)
            )
        )
        for order in self.today_orders + self.month_orders + [self.last_month_order]:
            self.import_order(order)

    def bindings(self, orders):
        return self.env["bigcommerce.order"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "in", [order["id"] for order in orders]),
            ]
        )

    def test_orders_today_and_this_month_open_their_lists(self):
        self.assertEqual(self.backend.orders_today_count, 2)
        self.assertEqual(self.backend.orders_month_count, 2 + len(self.month_orders))
        for method, orders in (
            ("action_view_orders_today", self.today_orders),
            ("action_view_orders_month", self.today_orders + self.month_orders),
        ):
            action = getattr(self.backend, method)()
            self.assertEqual(action["res_model"], "bigcommerce.order")
            self.assertEqual(
                self.env["bigcommerce.order"].search(action["domain"]),
                self.bindings(orders),
                method,
            )

    def test_invoiced_today_and_this_month_in_company_currency_open_their_lists(
        self,
    ):
        for period, orders in (
            ("today", self.today_orders),
            ("month", self.today_orders + self.month_orders),
        ):
            invoices = self.bindings(orders).move_id
            self.assertEqual(len(invoices), len(orders))
            self.assertAlmostEqual(
                self.backend[f"invoiced_{period}_amount"],
                sum(invoices.mapped("amount_total_signed")),
            )
            self.assertEqual(
                self.backend.company_currency_id, self.env.company.currency_id
            )
            action = getattr(self.backend, f"action_view_invoiced_{period}")()
            self.assertEqual(action["res_model"], "account.move")
            self.assertEqual(
                self.env["account.move"].search(action["domain"]), invoices, period
            )

    def test_invoiced_amounts_of_several_currencies_are_in_the_company_s(self):
        """USD and EUR invoices are converted, not added together as they are."""
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        euro_order = self.add_order(
            currency="EUR", exchange_rate="2", date_created=fields.Datetime.now()
        )
        self.import_order(euro_order)
        euro_invoice = self.bindings([euro_order]).move_id
        self.assertEqual(euro_invoice.currency_id, eur)
        usd_invoices = self.bindings(self.today_orders).move_id
        self.backend.invalidate_recordset()
        expected = sum(usd_invoices.mapped("amount_total")) + (
            euro_invoice.amount_total / 2.0
        )
        self.assertAlmostEqual(self.backend.invoiced_today_amount, expected, places=2)
        self.assertNotAlmostEqual(
            self.backend.invoiced_today_amount,
            sum((usd_invoices | euro_invoice).mapped("amount_total")),
            places=2,
        )

    def test_today_and_this_month_are_the_store_s_days_not_the_user_s(self):
        """At 23:30 on 31 March in Chicago (the store), it is already
        1 April, 13:30, in Tokyo (the user): the card counts the store's 31
        March and March, as the invoices are dated."""
        self.addCleanup(setattr, self.simulator.state, "timezone", "Etc/UTC")
        self.simulator.state.timezone = "America/Chicago"
        self.backend.sudo().timezone = "America/Chicago"
        self.env.user.tz = "Asia/Tokyo"
        orders = {
            # 31 March, 23:00 in Chicago (1 April, 13:00 in Tokyo).
            "late_today": datetime(2026, 4, 1, 4, 0),
            # 31 March, 09:00 in Chicago (31 March, 23:00 in Tokyo).
            "early_today": datetime(2026, 3, 31, 14, 0),
            # 1 March, 04:00 in Chicago (1 March, 19:00 in Tokyo).
            "first_of_month": datetime(2026, 3, 1, 10, 0),
            # 28 February, 22:00 in Chicago (1 March, 13:00 in Tokyo).
            "last_month": datetime(2026, 3, 1, 4, 0),
        }
        orders = {
            name: self.add_order(date_created=moment) for name, moment in orders.items()
        }
        for order in orders.values():
            self.import_order(order)
        bindings = {name: self.bindings([order]) for name, order in orders.items()}
        self.assertEqual(
            [bindings[name].move_id.invoice_date for name in orders],
            [date(2026, 3, 31), date(2026, 3, 31), date(2026, 3, 1), date(2026, 2, 28)],
        )
        today = bindings["late_today"] | bindings["early_today"]
        month = today | bindings["first_of_month"]
        store = self.backend.with_context(tz="Asia/Tokyo")
        with freeze_time("2026-04-01 04:30:00"):
            store.invalidate_recordset()
            self.assertEqual(store.orders_today_count, 2)
            self.assertEqual(store.orders_month_count, 3)
            self.assertAlmostEqual(
                store.invoiced_today_amount,
                sum(today.move_id.mapped("amount_total_signed")),
            )
            self.assertAlmostEqual(
                store.invoiced_month_amount,
                sum(month.move_id.mapped("amount_total_signed")),
            )
            for method, expected in (
                ("action_view_orders_today", today),
                ("action_view_orders_month", month),
                ("action_view_invoiced_today", today.move_id),
                ("action_view_invoiced_month", month.move_id),
            ):
                action = getattr(store, method)()
                self.assertEqual(
                    self.env[action["res_model"]].search(action["domain"]),
                    expected,
                    method,
                )
            bars = json.loads(store.orders_graph)
            self.assertEqual(bars[-1]["day"], "2026-03-31")
            self.assertEqual(
                {bar["day"]: bar["count"] for bar in bars if bar["count"]},
                {"2026-03-31": 2},
            )

    def test_failures_waiting_open_their_list(self):
        failure = (
            self.env["bigcommerce.failure"]
            .sudo()
            ._record(self.backend, "order", 4242, "Unknown SKU 'X'")
        )
        self.env["bigcommerce.failure"].sudo()._record(
            self.backend, "order", 4243, "Fixed"
        ).state = "resolved"
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.failure_count, 1)
        action = self.backend.action_view_waiting_failures()
        self.assertEqual(action["res_model"], "bigcommerce.failure")
        self.assertEqual(
            self.env["bigcommerce.failure"].search(action["domain"]), failure
        )

    def test_deliveries_open_their_list(self):
        action = self.backend.action_view_deliveries()
        self.assertEqual(action["res_model"], "bigcommerce.webhook.log")
        self.assertIn(("backend_id", "=", self.backend.id), action["domain"])

    def test_graph_counts_the_orders_of_each_day(self):
        bars = json.loads(self.backend.orders_graph)
        self.assertEqual(len(bars), 14)
        self.assertEqual(bars[-1]["day"], self.today.isoformat())
        self.assertEqual(bars[-1]["count"], 2)
        self.assertEqual(bars[-1]["height"], 100)
        expected = dict.fromkeys((bar["day"] for bar in bars), 0)
        for order in self.today_orders + self.month_orders + [self.last_month_order]:
            day = self.bindings([order]).date_created.date().isoformat()
            if day in expected:
                expected[day] += 1
        self.assertEqual({bar["day"]: bar["count"] for bar in bars}, expected)

    def test_overview_is_the_app_s_first_screen(self):
        menu = self.env.ref("bigcommerce_connector.bigcommerce_overview_menu")
        root = self.env.ref("bigcommerce_connector.bigcommerce_menu_root")
        first = self.env["ir.ui.menu"].search(
            [("parent_id", "=", root.id)], order="sequence, id", limit=1
        )
        self.assertEqual(first, menu)
        action = menu.action
        self.assertEqual(action.res_model, "bigcommerce.backend")
        self.assertEqual(action.view_mode.split(",")[0], "kanban")
        arch = self.env["bigcommerce.backend"].get_view(
            action.view_ids[:1].view_id.id, view_type="kanban"
        )["arch"]
        for name in (
            "health_state",
            "action_view_orders_today",
            "action_view_orders_month",
            "action_view_invoiced_today",
            "action_view_invoiced_month",
            "waiting_job_count",
            "action_view_waiting_failures",
            "action_view_deliveries",
            "last_catch_up_at",
            "orders_graph",
        ):
            self.assertIn(name, arch)


@tagged("post_install", "-at_install")
class TestDeliveryStory(BigCommerceAccountingCase, HttpCase):
    """Each delivery says what it is about, with a link, and follows its job
    to Done or Failed, with a link to the failure."""

    def deliver(self, scope, data):
        body = json.dumps(self.simulator.webhook_payload(scope, data)).encode()
        webhook_id = f"msg_{uuid.uuid4().hex}"
        headers = simulator_webhooks.sign(
            CLIENT_SECRET, body, webhook_id, int(time_module.time())
        )
        headers["Content-Type"] = "application/json"
        with mute_logger(CONTROLLER_LOGGER):
            response = self.url_open(
                f"/bigcommerce/webhook/{self.backend.webhook_key}",
                data=body,
                headers=headers,
            )
        self.assertEqual(response.status_code, 200, response.text)
        return self.env["bigcommerce.webhook.log"].search(
            [("webhook_id", "=", webhook_id)]
        )

    def test_order_delivery_follows_its_job_to_done_and_links_the_order(self):
        order = self.add_order()
        log = self.deliver("store/order/created", {"type": "order", "id": order["id"]})
        self.assertEqual((log.outcome, log.result), ("queued", "queued"))
        self.assertEqual((log.subject, log.subject_id), ("order", order["id"]))
        self.assertEqual(log.subject_name, f"Order #{order['id']}")
        self.assertEqual(log.sudo().job_id.method_name, "_import_order")
        self.assertFalse(log.subject_ref)
        self.run_jobs(jobs=log.sudo().job_id)
        log.invalidate_recordset()
        self.assertEqual(log.result, "done")
        self.assertFalse(log.failure_id)
        binding = self.binding(order)
        self.assertEqual(log.subject_ref, binding)
        action = log.action_open_subject()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (binding._name, binding.id)
        )

    def test_failed_import_shows_failed_with_its_failure(self):
        self.simulator.state.add_product(sku="NOT-IN-ODOO", name="Mystery", price="5")
        order = self.add_order(lines=[{"sku": "NOT-IN-ODOO", "quantity": 1}])
        log = self.deliver("store/order/created", {"type": "order", "id": order["id"]})
        self.run_jobs(jobs=log.sudo().job_id)
        log.invalidate_recordset()
        # The job is done (the import recorded its failure): the delivery failed.
        self.assertEqual(log.sudo().job_id.state, "done")
        self.assertEqual(log.result, "failed")
        self.assertEqual(log.failure_id, self.order_failure(order))
        action = log.action_open_failure()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("bigcommerce.failure", log.failure_id.id),
        )
        # Fixed and reprocessed: the failure no longer waits.
        log.failure_id.state = "resolved"
        log.invalidate_recordset()
        self.assertEqual(log.result, "done")

    def test_job_that_failed_shows_failed(self):
        order = self.add_order()
        log = self.deliver("store/order/updated", {"type": "order", "id": order["id"]})
        log.sudo().job_id.state = "failed"
        log.invalidate_recordset()
        self.assertEqual(log.result, "failed")
        log.sudo().job_id.state = "started"
        log.invalidate_recordset()
        self.assertEqual(log.result, "running")

    def test_customer_delivery_is_about_the_customer_not_an_order(self):
        customer_id = self.customer["id"]
        log = self.deliver(
            "store/customer/updated", {"type": "customer", "id": customer_id}
        )
        self.assertEqual((log.subject, log.subject_id), ("customer", customer_id))
        self.assertEqual(log.subject_name, f"Customer #{customer_id}")
        self.assertFalse(log.order_id)
        address = self.deliver(
            "store/customer/address/updated",
            {"type": "customer", "id": 555, "address": {"customer_id": customer_id}},
        )
        self.assertEqual(
            (address.subject, address.subject_id), ("customer", customer_id)
        )
        self.run_jobs(jobs=(log | address).sudo().job_id)
        (log | address).invalidate_recordset()
        self.assertEqual((log | address).mapped("result"), ["done", "done"])
        self.assertEqual(log.subject_ref._name, "bigcommerce.customer")
        self.assertEqual(log.subject_ref.bigcommerce_id, customer_id)

    def test_refund_and_shipment_deliveries_name_their_order(self):
        with trap_jobs():
            refund = self.deliver(
                "store/order/refund/created",
                {"type": "order", "id": 321, "refund": {"refund_id": 7}},
            )
            shipment = self.deliver(
                "store/shipment/created", {"type": "shipment", "id": 9, "orderId": 321}
            )
        self.assertEqual((refund.subject, refund.subject_id), ("refund", 7))
        self.assertEqual(refund.subject_name, "Refund #7 of order #321")
        self.assertEqual((shipment.subject, shipment.subject_id), ("shipment", 9))
        self.assertEqual(shipment.subject_name, "Shipment #9 of order #321")


@tagged("post_install", "-at_install")
class TestOverviewTour(BigCommerceAccountingHttpCase):
    """The overview in a real browser: the card renders, says its health,
    and its figures open their lists."""

    def test_card_figures_open_their_lists(self):
        self.backend.name = "Overview store"
        # Today's orders are the store's today (UTC's here), whatever the
        # user's time zone.
        self.import_order(self.add_order())
        self.env["bigcommerce.failure"].sudo()._record(
            self.backend, "order", 4242, "Unknown SKU 'X'"
        )
        self.start_tour(
            "/odoo/action-bigcommerce_connector.bigcommerce_backend_overview_action",
            "bigcommerce_overview_tour",
            login="accountman",
            timeout=600,
        )
