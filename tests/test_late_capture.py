# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A payment captured after the order was placed is dated on its capture."""

from datetime import UTC, date, datetime

from odoo.tests import tagged

from .test_payments import PaymentCase

MARCH_28 = datetime(2025, 3, 28, 15, 0, tzinfo=UTC)
MARCH_28_EVENING = datetime(2025, 3, 28, 21, 0, tzinfo=UTC)
APRIL_3 = datetime(2025, 4, 3, 9, 30, tzinfo=UTC)


@tagged("post_install", "-at_install")
class TestLateCapture(PaymentCase):
    def authorized_order(self, **values):
        """An order placed on 28 March with its card payment only
        authorized, imported: invoiced, nothing paid yet."""
        order = self.add_order(
            date_created=MARCH_28, payment_status="authorized", **values
        )
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.payment_state, "not_paid")
        self.assertFalse(self.payments(move))
        return order, move

    def test_order_placed_in_march_captured_in_april_gets_an_april_payment(self):
        order, move = self.authorized_order()
        self.simulator.state.capture_payment(order["id"], at=APRIL_3)
        self.import_order(order)
        self.assertEqual(move.invoice_date, date(2025, 3, 28))
        self.assertEqual(move.payment_state, "paid")
        payment = self.payments(move)
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.date, date(2025, 4, 3))
        self.assertEqual(payment.move_id.date, date(2025, 4, 3))
        self.assertEqual(len(self.transaction_calls(order)), 1)
        self.assertIn("dated on its capture on 2025-04-03", move.message_ids[0].body)

    def test_awaiting_payment_paid_in_april_gets_an_april_payment(self):
        order = self.add_order(date_created=MARCH_28, status_id=7)
        self.import_order(order)
        move = self.binding(order).move_id
        self.simulator.state.set_order_status(order["id"], 11, at=APRIL_3)
        self.import_order(order)
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(self.payments(move).date, date(2025, 4, 3))
        self.assertEqual(move.invoice_date, date(2025, 3, 28))

    def test_gift_certificate_part_stays_on_the_order_date(self):
        order, move = self.authorized_order(gift_certificate_amount="5.00")
        self.simulator.state.capture_payment(order["id"], at=APRIL_3)
        self.import_order(order)
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(self.payments(move).date, date(2025, 4, 3))
        gift_entry = move.line_ids.matched_credit_ids.credit_move_id.move_id.filtered(
            lambda entry: not entry.origin_payment_id
        )
        self.assertEqual(gift_entry.date, date(2025, 3, 28))

    def test_normal_order_costs_no_transactions_call(self):
        order = self.add_order(date_created=MARCH_28)
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(self.payments(move).date, date(2025, 3, 28))
        # Shipped in April: the order changes, the payment was made already.
        self.simulator.state.set_order_status(order["id"], 2, at=APRIL_3)
        self.import_order(order)
        self.assertEqual(self.payments(move).date, date(2025, 3, 28))
        self.assertFalse(self.transaction_calls(order))

    def test_captured_the_day_it_was_placed_costs_no_call(self):
        order, move = self.authorized_order()
        self.simulator.state.capture_payment(order["id"], at=MARCH_28_EVENING)
        self.import_order(order)
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(self.payments(move).date, date(2025, 3, 28))
        self.assertFalse(self.transaction_calls(order))

    def test_first_seen_already_captured_is_dated_on_the_order_date(self):
        # Never seen unpaid (a first sync of the store's history): nothing
        # tells the connector that the payment came later without a call
        # per order, so it is dated on the order.
        order = self.add_order(date_created=MARCH_28, payment_status="authorized")
        self.simulator.state.capture_payment(order["id"], at=APRIL_3)
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(self.payments(move).date, date(2025, 3, 28))
        self.assertFalse(self.transaction_calls(order))
