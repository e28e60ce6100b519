# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's time zone: read at each connection test; the day of every
invoice, credit note and payment, the import wizard's period, the catch-up's
window and the status history are the store's, not UTC's."""

from datetime import date, datetime, timedelta

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import import_refund_job
from .test_payments import PaymentCase

CHICAGO = "America/Chicago"


@tagged("post_install", "-at_install")
class TestStoreTimeZone(PaymentCase):
    """A store in Chicago (UTC-6, UTC-5 in daylight saving time).

    The class's simulator keeps every test's orders: each test has dates of
    its own.
    """

    simulator_options = {"timezone": CHICAGO}

    def wizard(self, **values):
        return (
            self.env["bigcommerce.import.wizard"]
            .with_context(active_model="bigcommerce.backend", active_id=self.backend.id)
            .create(values)
        )

    def set_store_time_zone(self, name):
        """The store's time zone on BigCommerce (for this test only)."""
        self.addCleanup(setattr, self.simulator.state, "timezone", CHICAGO)
        self.simulator.state.timezone = name

    def invoice(self, order):
        return self.binding(order).move_id

    def refund(self, order, created):
        line = self.simulator.state.order_products(order["id"])[0]
        refund = self.simulator.state.add_refund(
            order["id"],
            [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
            reason="Broken",
            payments=[{"provider_id": "braintree"}],
            created=created,
        )
        import_refund_job(self.backend, refund["id"], order["id"])
        return self.env["bigcommerce.refund"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", refund["id"]),
            ]
        )

    # -- the store's time zone -------------------------------------------------
    def test_the_time_zone_is_read_at_each_connection_test(self):
        # Read when the store was saved.
        self.assertEqual(self.backend.timezone, CHICAGO)
        self.set_store_time_zone("Europe/Paris")
        action = self.backend.action_test_connection()
        self.assertEqual(self.backend.timezone, "Europe/Paris")
        self.assertIn("time zone Europe/Paris", action["params"]["message"])

        self.set_store_time_zone(None)
        action = self.backend.action_test_connection()
        self.assertFalse(self.backend.timezone)
        self.assertIn("none given: dates in UTC", action["params"]["message"])

    def test_the_daily_check_reads_a_changed_time_zone_and_says_so(self):
        """A store whose zone changed on BigCommerce, or configured before
        the connector read zones, is in the right zone within a day,
        without a connection test."""
        self.set_store_time_zone("Europe/Paris")
        # Read less than a day ago: the hourly check does not ask again.
        self.backend._check_webhooks()
        self.assertEqual(self.backend.timezone, CHICAGO)
        self.backend.connection_checked_at = datetime.now() - timedelta(days=1, hours=1)
        self.backend._check_webhooks()
        self.assertEqual(self.backend.timezone, "Europe/Paris")
        self.assertGreater(
            self.backend.connection_checked_at, datetime.now() - timedelta(hours=1)
        )
        note = self.backend.message_ids[:1]
        self.assertIn("time zone on BigCommerce is now Europe/Paris", note.body)
        self.assertIn(f"it was {CHICAGO}", note.body)
        # An order placed now is dated in Paris.
        order = self.add_order(date_created=datetime(2026, 2, 28, 23, 30))
        self.import_order(order)
        self.assertEqual(self.invoice(order).invoice_date, date(2026, 3, 1))
        # The same zone the next day: nothing said.
        self.backend.connection_checked_at = datetime.now() - timedelta(days=2)
        notes = len(self.backend.message_ids)
        self.backend._check_webhooks()
        self.assertEqual(len(self.backend.message_ids), notes)

    def test_a_time_zone_unknown_to_the_server_keeps_dates_in_utc_and_says_so(self):
        self.set_store_time_zone("Mars/Olympus_Mons")
        with self.assertLogs(
            "odoo.addons.bigcommerce_connector.models.bigcommerce_backend_time",
            "WARNING",
        ):
            action = self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected")
        self.assertFalse(self.backend.timezone)
        self.assertEqual(self.backend.timezone_unknown, "Mars/Olympus_Mons")
        self.assertIn(
            "Mars/Olympus_Mons, unknown to this server: dates in UTC",
            action["params"]["message"],
        )
        order = self.add_order(date_created=datetime(2026, 2, 1, 4, 30))
        self.import_order(order)
        self.assertEqual(self.invoice(order).invoice_date, date(2026, 2, 1))
        # Once BigCommerce gives a zone the server knows, it is the store's.
        self.set_store_time_zone(CHICAGO)
        self.backend.action_test_connection()
        self.assertEqual(self.backend.timezone, CHICAGO)
        self.assertFalse(self.backend.timezone_unknown)

    # -- the month's edge ------------------------------------------------------
    def test_an_order_at_23_30_on_the_last_day_of_march_is_march_s(self):
        """23:30 on 31 March in Chicago is 04:30 on 1 April in UTC: invoiced
        and paid on 31 March, its status dated 23:30 CDT."""
        order = self.add_order(date_created=datetime(2026, 4, 1, 4, 30))
        self.import_order(order)
        invoice = self.invoice(order)
        self.assertEqual(invoice.invoice_date, date(2026, 3, 31))
        self.assertEqual(invoice.invoice_date_due, date(2026, 3, 31))
        self.assertEqual(invoice.date, date(2026, 3, 31))
        payment = self.payments(invoice)
        self.assertEqual(payment.date, date(2026, 3, 31))
        self.assertEqual(invoice.payment_state, "paid")
        history = self.binding(order).status_history_ids
        self.assertEqual(history.store_time, "2026-03-31 23:30:00 CDT")

    def test_a_refund_at_23_30_on_the_last_day_of_a_month_is_that_month_s(self):
        order = self.add_order(date_created=datetime(2026, 5, 20, 15))
        self.import_order(order)
        # 23:30 on 31 May in Chicago: 04:30 on 1 June in UTC.
        binding = self.refund(order, created=datetime(2026, 6, 1, 4, 30))
        credit_note = binding.move_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.invoice_date, date(2026, 5, 31))
        self.assertEqual(credit_note.matched_payment_ids.date, date(2026, 5, 31))
        # Half an hour later in Chicago, it is June's.
        later = self.refund(order, created=datetime(2026, 6, 1, 5, 30))
        self.assertEqual(later.move_id.invoice_date, date(2026, 6, 1))

    def test_a_store_without_a_time_zone_books_on_the_utc_day(self):
        self.set_store_time_zone(None)
        self.backend.action_test_connection()
        order = self.add_order(date_created=datetime(2026, 7, 1, 4, 30))
        self.import_order(order)
        invoice = self.invoice(order)
        self.assertEqual(invoice.invoice_date, date(2026, 7, 1))
        self.assertEqual(self.payments(invoice).date, date(2026, 7, 1))
        self.assertEqual(
            self.binding(order).status_history_ids.store_time,
            "2026-07-01 04:30:00 UTC",
        )

    # -- daylight saving -------------------------------------------------------
    def test_the_hour_that_repeats_is_one_day_its_two_times_told_apart(self):
        """1 November 2026: at 02:00 CDT the clocks go back to 01:00 CST."""
        orders = [
            self.add_order(date_created=datetime(2026, 11, 1, hour, minute))
            for hour, minute in ((4, 59), (6, 30), (7, 30))
        ]
        for order in orders:
            self.import_order(order)
        self.assertEqual(
            [self.invoice(order).invoice_date for order in orders],
            [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 1)],
        )
        self.assertEqual(
            [self.binding(order).status_history_ids.store_time for order in orders],
            [
                "2026-10-31 23:59:00 CDT",
                "2026-11-01 01:30:00 CDT",
                "2026-11-01 01:30:00 CST",
            ],
        )
        self.assertEqual(
            [self.payments(self.invoice(order)).date for order in orders],
            [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 1)],
        )

    def test_the_hour_that_is_skipped_leaves_the_day_whole(self):
        """8 March 2026: at 02:00 CST the clocks jump to 03:00 CDT."""
        orders = [
            self.add_order(date_created=datetime(2026, 3, 8, hour, minute, second))
            for hour, minute, second in ((5, 59, 59), (7, 59, 59), (8, 0, 0))
        ]
        for order in orders:
            self.import_order(order)
        self.assertEqual(
            [self.invoice(order).invoice_date for order in orders],
            [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 8)],
        )
        self.assertEqual(
            [self.binding(order).status_history_ids.store_time for order in orders],
            [
                "2026-03-07 23:59:59 CST",
                "2026-03-08 01:59:59 CST",
                "2026-03-08 03:00:00 CDT",
            ],
        )

    # -- the import wizard's period and the catch-up -------------------------------
    def test_the_import_wizard_s_period_is_days_of_the_store(self):
        """March 2025 in Chicago: from 06:00 UTC on 1 March to 05:00 UTC on
        1 April (daylight saving time began on the 9th)."""
        inside = [
            self.add_order(date_created=datetime(2025, 3, 1, 6, 30)),  # 00:30 CST
            self.add_order(date_created=datetime(2025, 4, 1, 4, 30)),  # 23:30 CDT
        ]
        outside = [
            self.add_order(date_created=datetime(2025, 3, 1, 5, 30)),  # 28 Feb
            self.add_order(date_created=datetime(2025, 4, 1, 5, 30)),  # 1 April
        ]
        wizard = self.wizard(mode="period")
        self.assertEqual(wizard.timezone, CHICAGO)
        wizard.write({"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31)})
        with trap_jobs() as trap:
            wizard.action_import()
            run = self.backend.last_import_run_id
            trap.perform_enqueued_jobs()  # the listing
            trap.perform_enqueued_jobs()  # the imports
        self.assertEqual(
            run.name, "Orders created from 2025-03-01 to 2025-03-31 (America/Chicago)"
        )
        self.assertEqual(
            (run.date_from, run.date_to),
            (datetime(2025, 3, 1, 6), datetime(2025, 4, 1, 4, 59, 59)),
        )
        self.assertEqual(
            sorted(run.line_ids.mapped("bigcommerce_id")),
            sorted(order["id"] for order in inside),
        )
        self.assertEqual(
            [self.invoice(order).invoice_date for order in inside],
            [date(2025, 3, 1), date(2025, 3, 31)],
        )
        for order in outside:
            self.assertFalse(self.binding(order))

    def test_the_catch_up_books_on_the_store_day_and_tells_its_window_so(self):
        order = self.add_order(date_created=datetime(2024, 2, 1, 3))  # 31 Jan
        self.backend.write(
            {
                "orders_modified_since": datetime(2024, 2, 1, 2, 10),
                "catch_up_overlap_minutes": 10,
            }
        )
        with trap_jobs() as trap:
            self.backend._catch_up_orders()
            trap.perform_enqueued_jobs()
        self.assertEqual(self.backend.last_catch_up_state, "done")
        self.assertIn(
            "modified since 2024-01-31 20:00:00 CST",
            self.backend.last_catch_up_result,
        )
        self.assertEqual(self.invoice(order).invoice_date, date(2024, 1, 31))
