# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payments settle invoices; the status rules; due dates; tracing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce.const import ORDER_STATUSES
from ..bigcommerce.payments import (
    ACTION_DRAFT,
    ACTION_HOLD,
    ACTION_POST,
    ACTION_SKIP,
    DEFAULT_STATUS_ACTIONS,
)
from .common import BigCommerceAccountingCase

PAID = {"captured", "paid", "partially refunded", "refunded"}
MARCH_4 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


class PaymentCase(BigCommerceAccountingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_store_credit = cls.env["account.account"].create(
            {
                "code": "250100",
                "name": "Store credit owed",
                "account_type": "liability_current",
            }
        )
        cls.backend.store_credit_account_id = cls.account_store_credit
        cls.bank = cls.company_data["default_journal_bank"]
        cls.paypal_journal = cls.env["account.journal"].create(
            {"name": "PayPal clearing", "code": "PPAL", "type": "bank"}
        )
        cls.stripe_journal = cls.env["account.journal"].create(
            {"name": "Stripe clearing", "code": "STRP", "type": "bank"}
        )

    def transaction_calls(self, order):
        return [
            request
            for request in self.simulator.requests
            if request["path"].endswith(f"/orders/{order['id']}/transactions")
        ]

    def payments(self, move):
        return move.matched_payment_ids

    def liability_balance(self, move, account):
        """What the entries reconciled with the invoice took from ``account``."""
        lines = move.line_ids.matched_credit_ids.credit_move_id.move_id.line_ids
        return round(
            sum(
                lines.filtered(lambda line: line.account_id == account).mapped(
                    "balance"
                )
            ),
            2,
        )


@tagged("post_install", "-at_install")
class TestPaymentRegistration(PaymentCase):
    def test_paid_order_goes_to_the_journal_of_its_method(self):
        self.backend.payment_journal_map_ids = [
            Command.create(
                {"payment_method": "paypal", "journal_id": self.paypal_journal.id}
            )
        ]
        order = self.add_order(payment_method="PayPal", shipping="5.00")
        self.import_order(order)
        move = self.binding(order).move_id
        self.assert_matches_store(move, order)
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(move.amount_residual, 0.0)
        payment = self.payments(move)
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.journal_id, self.paypal_journal)
        self.assertAlmostEqual(payment.amount, float(order["total_inc_tax"]), places=2)
        self.assertIn(f"BigCommerce order #{order['id']}: PayPal", payment.memo)
        # The gateway's id the order carries is on the payment.
        served = self.simulator.state.render_order(order["id"])
        self.assertIn(served["payment_provider_id"], payment.memo)
        self.assertFalse(self.transaction_calls(order), "decided from the order alone")

    def test_unmapped_method_goes_to_the_default_journal(self):
        self.backend.payment_journal_map_ids = [
            Command.create(
                {"payment_method": "PayPal", "journal_id": self.paypal_journal.id}
            )
        ]
        self.backend.payment_journal_id = self.stripe_journal
        order = self.add_order(payment_method="Credit Card")
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(self.payments(move).journal_id, self.stripe_journal)
        self.assertEqual(move.payment_state, "paid")

    def test_without_any_payment_journal_the_company_bank_is_used(self):
        order = self.add_order(payment_method="Cash on Delivery")
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(self.payments(move).journal_id, self.bank)

    def test_gift_certificate_and_card_split_payment(self):
        order = self.add_order(
            lines=[{"sku": "MUG-BLK", "quantity": 4}],
            shipping="6.00",
            payment_method="Credit Card",
            gift_certificate_amount="20.00",
        )
        self.import_order(order)
        move = self.binding(order).move_id
        # The gift certificate is a means of payment: the invoice keeps the
        # store's totals, no line reduces revenue.
        self.assert_matches_store(move, order)
        self.assertNotIn(self.account_gift_cert, move.invoice_line_ids.account_id)
        self.assertEqual(move.payment_state, "paid")
        # Its part settles the invoice against the gift-certificate liability.
        self.assertEqual(self.liability_balance(move, self.account_gift_cert), 20.0)
        card = self.payments(move)
        self.assertEqual(len(card), 1)
        self.assertAlmostEqual(
            card.amount,
            float(Decimal(order["total_inc_tax"]) - Decimal("20.00")),
            places=2,
        )
        self.assertFalse(
            self.transaction_calls(order), "the order's fields tell the split"
        )

    def test_store_credit_settles_against_its_account(self):
        order = self.add_order(payment_method="Credit Card", store_credit_amount="5.00")
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(self.liability_balance(move, self.account_store_credit), 5.0)

    def test_order_paid_entirely_by_gift_certificate(self):
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 1}])
        total = order["total_inc_tax"]
        order = self.simulator.state.update_order(
            order["id"],
            gift_certificate_amount=total,
            payment_method="Gift Certificate",
        )
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.payment_state, "paid")
        self.assertFalse(self.payments(move))
        self.assertEqual(
            self.liability_balance(move, self.account_gift_cert),
            round(float(total), 2),
        )
        self.assertFalse(self.transaction_calls(order))

    def test_split_the_order_cannot_tell_reads_the_transactions(self):
        """The order names the gift certificate as its method, yet it paid
        only part: only the transactions say who paid the rest."""
        self.backend.payment_journal_map_ids = [
            Command.create(
                {"payment_method": "stripe", "journal_id": self.stripe_journal.id}
            )
        ]
        probe = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 2}])
        rest = Decimal(probe["total_inc_tax"]) - Decimal("10.00")
        order = self.add_order(
            lines=[{"sku": "MUG-BLK", "quantity": 2}],
            payment_method="Gift Certificate",
            gift_certificate_amount="10.00",
            transactions=[
                {
                    "method": "gift_certificate",
                    "gateway": "giftcertificate",
                    "amount": "10.00",
                },
                {
                    "method": "credit_card",
                    "gateway": "stripe",
                    "amount": str(rest),
                    "gateway_transaction_id": "ch_split_1",
                },
            ],
        )
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(len(self.transaction_calls(order)), 1)
        self.assertEqual(move.payment_state, "paid")
        card = self.payments(move)
        self.assertEqual(card.journal_id, self.stripe_journal)
        self.assertIn("ch_split_1", card.memo)
        self.assertEqual(self.liability_balance(move, self.account_gift_cert), 10.0)

    def test_missing_store_credit_account_leaves_a_note_not_a_wrong_payment(self):
        self.backend.store_credit_account_id = False
        order = self.add_order(store_credit_amount="5.00")
        self.import_order(order)
        binding = self.binding(order)
        move = binding.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.payment_state, "not_paid", "nothing half-registered")
        self.assertFalse(self.payments(move))
        self.assertIn("Store Credit Account", binding.payment_note)
        self.assertIn("Payment not registered", move.message_ids[0].body)
        # Once the account is set, importing again registers it.
        self.backend.store_credit_account_id = self.account_store_credit
        self.import_order(order)
        self.assertEqual(move.payment_state, "paid")
        self.assertFalse(binding.payment_note)

    def test_reconciliation_state_of_the_invoice(self):
        order = self.add_order(
            payment_method="Credit Card", gift_certificate_amount="3.00"
        )
        self.import_order(order)
        move = self.binding(order).move_id
        receivable = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(receivable.reconciled)
        self.assertTrue(receivable.full_reconcile_id)
        self.assertEqual(move.amount_residual, 0.0)
        self.assertEqual(move.payment_state, "paid")
        # Importing again registers nothing twice.
        payments = self.payments(move)
        self.simulator.state.set_order_status(order["id"], 2)
        self.import_order(order)
        self.assertEqual(self.payments(move), payments)
        self.assertEqual(move.amount_residual, 0.0)

    def test_unpaid_posted_invoice_stays_open(self):
        self.backend.status_rule_ids = [
            Command.create({"status": "7", "action": ACTION_POST})
        ]
        order = self.add_order(status_id=7)
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.payment_state, "not_paid")
        self.assertAlmostEqual(
            move.amount_residual, float(order["total_inc_tax"]), places=2
        )

    def test_payment_registration_turned_off(self):
        self.backend.register_payments = False
        order = self.add_order(gift_certificate_amount="2.00")
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.payment_state, "not_paid")
        self.assertFalse(self.payments(move))
        self.assertFalse(self.binding(order).payment_note)
        self.assertFalse(self.transaction_calls(order))


@tagged("post_install", "-at_install")
class TestStatusPolicy(PaymentCase):
    def test_each_status_by_default(self):
        for status_id, label in ORDER_STATUSES.items():
            with self.subTest(status=label):
                order = self.add_order(status_id=status_id)
                action = DEFAULT_STATUS_ACTIONS.get(status_id, ACTION_POST)
                self.import_order(
                    order,
                    expect={ACTION_SKIP: "skipped", ACTION_HOLD: "held"}.get(
                        action, "invoiced"
                    ),
                )
                binding = self.binding(order)
                move = binding.move_id
                paid = order["payment_status"] in PAID
                if action == ACTION_SKIP:
                    # Kept as a record of what happened, with no invoice.
                    self.assertFalse(move)
                    self.assertEqual(binding.sync_state, "skipped")
                elif action == ACTION_HOLD:
                    self.assertFalse(move)
                    self.assertIn(label, binding.hold_reason)
                    self.assertIn(binding.hold_reason, binding.message_ids[0].body)
                elif action == ACTION_DRAFT:
                    self.assertEqual(move.state, "posted" if paid else "draft")
                    self.assertFalse(binding.hold_reason)
                else:
                    self.assertEqual(move.state, "posted")
                    self.assertEqual(move.payment_state, "paid" if paid else "not_paid")
                    self.assertFalse(binding.hold_reason)
        # The defaults the README documents.
        self.assertEqual(
            dict(DEFAULT_STATUS_ACTIONS),
            {
                0: "skip",
                1: "draft",
                5: "skip",
                6: "skip",
                7: "draft",
                12: "hold",
                13: "hold",
            },
        )

    def test_awaiting_payment_is_posted_and_paid_by_a_later_update(self):
        order = self.add_order(status_id=7)
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "draft")
        self.assertIn("stays in draft", move.message_ids[0].body)
        self.simulator.state.set_order_status(order["id"], 11)
        self.import_order(order)
        self.assertEqual(self.binding(order).move_id, move)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.payment_state, "paid")
        self.assert_matches_store(move, order)

    def test_disputed_after_posting_keeps_the_invoice_and_shows_why(self):
        order = self.add_order()
        self.import_order(order)
        move = self.binding(order).move_id
        self.simulator.state.set_order_status(order["id"], 13)
        self.import_order(order, expect="held")
        binding = self.binding(order)
        self.assertEqual(binding.move_id, move)
        self.assertEqual(move.state, "posted")
        self.assertIn("Disputed", binding.hold_reason)
        self.assertIn("Disputed", move.message_ids[0].body)
        # Resolved on the store: no longer held.
        self.simulator.state.set_order_status(order["id"], 10)
        self.import_order(order)
        self.assertFalse(binding.hold_reason)

    def test_held_order_is_invoiced_once_verified(self):
        order = self.add_order(status_id=12)
        result = self.import_order(order, expect="held")
        self.assertIn("Manual Verification Required", result)
        self.assertFalse(self.binding(order).move_id)
        self.simulator.state.set_order_status(order["id"], 11)
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.payment_state, "paid")
        self.assertFalse(self.binding(order).hold_reason)

    def test_held_draft_is_neither_posted_nor_paid(self):
        order = self.add_order(status_id=7)
        self.import_order(order)
        move = self.binding(order).move_id
        self.simulator.state.set_order_status(order["id"], 13)
        order = self.simulator.state.update_order(
            order["id"], payment_status="captured"
        )
        self.import_order(order, expect="held")
        self.assertEqual(move.state, "draft")
        self.assertIn("Disputed", self.binding(order).hold_reason)
        self.simulator.state.set_order_status(order["id"], 11)
        self.import_order(order)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.payment_state, "paid")

    def test_disputed_payment_is_not_registered(self):
        """Posted unpaid, then disputed with its payment captured: held, so
        the payment is not booked as received."""
        order = self.add_order(status_id=7)
        self.backend.status_rule_ids = [
            Command.create({"status": "7", "action": ACTION_POST})
        ]
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.simulator.state.set_order_status(order["id"], 13)
        order = self.simulator.state.update_order(
            order["id"], payment_status="captured"
        )
        self.import_order(order, expect="held")
        self.assertEqual(move.payment_state, "not_paid")
        self.assertFalse(move.matched_payment_ids)

    def test_store_rules_override_the_default(self):
        self.backend.status_rule_ids = [
            Command.create({"status": "13", "action": ACTION_POST}),
            Command.create({"status": "11", "action": ACTION_HOLD}),
            Command.create({"status": "10", "action": ACTION_SKIP}),
        ]
        disputed = self.add_order(status_id=13)
        self.import_order(disputed)
        self.assertEqual(self.binding(disputed).move_id.state, "posted")
        fulfilment = self.add_order(status_id=11)
        self.import_order(fulfilment, expect="held")
        self.assertFalse(self.binding(fulfilment).move_id)
        self.assertIn("Awaiting Fulfillment", self.binding(fulfilment).hold_reason)
        completed = self.add_order(status_id=10)
        self.assertIn("not invoiced", self.import_order(completed, expect="skipped"))

    def test_leave_in_draft_posting_policy_still_wins(self):
        self.backend.posting_policy = "draft"
        order = self.add_order(status_id=7)
        self.import_order(order)
        self.simulator.state.set_order_status(order["id"], 11)
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.payment_state, "not_paid")


@tagged("post_install", "-at_install")
class TestDueDates(PaymentCase):
    def late_invoices(self):
        """Odoo's "Overdue" filter of the invoice list."""
        return self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("invoice_date_due", "<", fields.Date.context_today(self.env.user)),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )

    def test_without_terms_due_on_the_order_date(self):
        order = self.add_order(date_created=MARCH_4)
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(str(move.invoice_date_due), "2025-03-04")
        self.assertFalse(move.invoice_payment_term_id)

    def test_store_payment_terms(self):
        terms = self.env.ref("account.account_payment_term_30days")
        self.backend.payment_term_id = terms
        order = self.add_order(date_created=MARCH_4)
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.invoice_payment_term_id, terms)
        self.assertEqual(str(move.invoice_date_due), "2025-04-03")

    def test_customer_payment_terms_come_first(self):
        self.backend.payment_term_id = self.env.ref(
            "account.account_payment_term_30days"
        )
        order = self.add_order(date_created=MARCH_4)
        self.import_order(order)
        partner = self.binding(order).partner_id
        terms = self.env.ref("account.account_payment_term_15days")
        partner.property_payment_term_id = terms
        second = self.add_order(date_created=MARCH_4)
        self.import_order(second)
        move = self.binding(second).move_id
        self.assertEqual(move.invoice_payment_term_id, terms)
        self.assertEqual(str(move.invoice_date_due), "2025-03-19")

    def test_nothing_paid_shows_overdue(self):
        when = datetime.now(UTC) - timedelta(days=60)
        paid = self.add_order(date_created=when, gift_certificate_amount="1.00")
        self.backend.status_rule_ids = [
            Command.create({"status": "7", "action": ACTION_POST})
        ]
        unpaid = self.add_order(date_created=when, status_id=7)
        self.import_order(paid)
        self.import_order(unpaid)
        late = self.late_invoices()
        self.assertNotIn(self.binding(paid).move_id, late)
        self.assertIn(self.binding(unpaid).move_id, late, "the check can fail")


@tagged("post_install", "-at_install")
class TestTracing(PaymentCase):
    def test_each_import_writes_one_line_on_order_and_invoice(self):
        order = self.add_order()
        self.import_order(order, origin="webhook")
        binding = self.binding(order)
        move = binding.move_id
        first = binding.message_ids.filtered(lambda m: "(webhook)" in (m.body or ""))
        self.assertEqual(len(first), 1)
        self.assertIn("invoice created", first.body)
        self.assertIn("invoice posted", first.body)
        self.assertIn("payment of", first.body)
        self.assertEqual(
            len(move.message_ids.filtered(lambda m: "(webhook)" in (m.body or ""))), 1
        )
        order_messages, move_messages = len(binding.message_ids), len(move.message_ids)
        self.simulator.state.set_order_status(order["id"], 2)
        self.import_order(order, origin="catch_up")
        self.assertEqual(len(binding.message_ids), order_messages + 1)
        self.assertEqual(len(move.message_ids), move_messages + 1)
        line = binding.message_ids[0].body
        self.assertIn("(catch-up)", line)
        self.assertIn("Awaiting Fulfillment \N{RIGHTWARDS ARROW} Shipped", line)
        self.assertIn("the posted invoice was not modified", line)
        self.assertEqual(move.message_ids[0].body, line)

    def test_smart_button_opens_the_order(self):
        order = self.add_order()
        self.import_order(order)
        binding = self.binding(order)
        move = binding.move_id
        self.assertEqual(move.bigcommerce_order_count, 1)
        action = move.action_open_bigcommerce_order()
        self.assertEqual(action["res_model"], "bigcommerce.order")
        self.assertEqual(action["res_id"], binding.id)
        arch = move.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_open_bigcommerce_order", arch)
        other = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.partner_a.id,
                "invoice_line_ids": [
                    Command.create({"name": "Other", "price_unit": 10})
                ],
            }
        )
        self.assertEqual(other.bigcommerce_order_count, 0)

    def test_import_again_says_it_was_queued(self):
        order = self.add_order()
        self.import_order(order)
        binding = self.binding(order)
        with trap_jobs() as trap:
            answer = binding.action_reimport()
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.backend._import_order,
                args=(order["id"],),
                kwargs={"origin": "manual"},
            )
            self.assertEqual(answer["tag"], "display_notification")
            self.assertIn("queued", answer["params"]["title"].lower())
            self.assertIn(binding.display_name, answer["params"]["message"])
            trap.perform_enqueued_jobs()
        self.assertIn("(manual import): nothing changed", binding.message_ids[0].body)


@tagged("post_install", "-at_install")
class TestResidualProperty(PaymentCase):
    """For any order, the invoice's residual is what the store still shows
    as owed: nothing once paid, the whole total before."""

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
    )
    @given(
        quantities=st.lists(st.integers(1, 5), min_size=1, max_size=3),
        shipping=st.sampled_from(["0", "4.99", "12.35"]),
        coupon=st.sampled_from([None, "3.00", "7.77"]),
        gift_share=st.sampled_from([0, 25, 100]),
        credit_cents=st.integers(0, 300),
        status_id=st.sampled_from([1, 2, 7, 9, 10, 11, 12, 13, 14]),
        method=st.sampled_from(["Credit Card", "PayPal", "Cash on Delivery"]),
    )
    def test_residual_equals_what_the_store_shows_owed(
        self, quantities, shipping, coupon, gift_share, credit_cents, status_id, method
    ):
        skus = ["MUG-BLK", "BOOK-1", "TEE"]
        lines = []
        for index, quantity in enumerate(quantities):
            line = {"sku": skus[index], "quantity": quantity}
            if skus[index] == "TEE":
                line["variant_sku"] = "TEE-RED-M"
            lines.append(line)
        coupons = [{"code": "C", "type": 2, "amount": coupon}] if coupon else []
        # Unpaid first, so that the payment is taken with its final fields.
        order = self.add_order(
            lines=lines, shipping=shipping, coupons=coupons, status_id=7
        )
        total = Decimal(order["total_inc_tax"])
        credit = min(Decimal(credit_cents) / 100, total)
        gift = ((total - credit) * gift_share / 100).quantize(Decimal("0.01"))
        order = self.simulator.state.update_order(
            order["id"],
            payment_method=method,
            gift_certificate_amount=f"{gift:.4f}",
            store_credit_amount=f"{credit:.4f}",
        )
        order = self.simulator.state.set_order_status(order["id"], status_id)
        self.import_order(
            order,
            expect="held"
            if DEFAULT_STATUS_ACTIONS.get(status_id) == ACTION_HOLD
            else "invoiced",
        )
        move = self.binding(order).move_id
        owed = Decimal(0) if order["payment_status"] in PAID else total
        if not move:
            self.assertIn(status_id, (12, 13), "only held orders have no invoice")
            return
        self.assert_matches_store(move, order)
        if move.state == "posted":
            self.assertEqual(Decimal(str(round(move.amount_residual, 2))), owed)
        else:
            self.assertNotIn(order["payment_status"], PAID)
