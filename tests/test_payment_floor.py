# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A payment written directly books what Odoo's payment wizard books.

Each case builds two identical posted moves, pays one through Odoo's own
payment wizard (``account.payment.register``, the difference left open) and
the other through :func:`register_payment`, and compares the two ledgers:
the payments, their entries, the reconciliation, any exchange difference,
and the invoice's residual and payment state.
"""

from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..components.payment_entries import PaymentNotRegistered, register_payment

MARCH_4 = fields.Date.to_date("2025-03-04")
APRIL_10 = fields.Date.to_date("2025-04-10")


@tagged("post_install", "-at_install")
class TestPaymentFloor(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency(
            "EUR", rates=[("2025-01-01", 0.9), ("2025-04-01", 0.8)]
        )
        cls.jpy = cls.setup_other_currency(
            "JPY", rates=[("2025-01-01", 150.0)], rounding=1.0
        )
        cls.tax = cls.env["account.tax"].create(
            {
                "name": "Sales tax 8.25%",
                "amount": 8.25,
                "amount_type": "percent",
                "type_tax_use": "sale",
            }
        )
        cls.bank = cls.company_data["default_journal_bank"]
        cls.outstanding = cls.env["account.account"].create(
            {
                "code": "101999",
                "name": "Outstanding card receipts",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )

    # --- the two sides ------------------------------------------------------
    def twin_moves(
        self, move_type="out_invoice", currency=None, prices=(100.0,), taxed=True
    ):
        """Two identical posted moves, dated 4 March."""
        return [
            self._create_invoice(
                move_type=move_type,
                invoice_date=MARCH_4,
                partner_id=self.partner_a,
                currency_id=currency or self.env.company.currency_id,
                invoice_line_ids=[
                    self._prepare_invoice_line(
                        price_unit=price, tax_ids=self.tax if taxed else None
                    )
                    for price in prices
                ],
                post=True,
            )
            for _twin in range(2)
        ]

    def by_wizard(self, move, amount, memo, date=None, journal=None):
        """The payment as Odoo's payment wizard registers it."""
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "journal_id": (journal or self.bank).id,
                    "amount": amount,
                    "currency_id": move.currency_id.id,
                    "payment_date": date or move.invoice_date,
                    "communication": memo,
                    "payment_difference_handling": "open",
                }
            )
            ._create_payments()
        )

    def directly(self, move, amount, memo, date=None, journal=None):
        """The payment as the connector registers it."""
        return register_payment(move, journal or self.bank, amount, memo, date=date)

    def pay_both(self, twins, amount, memo="BigCommerce order #100: card", **kw):
        wizard_move, direct_move = twins
        return (
            self.by_wizard(wizard_move, amount, memo, **kw),
            self.directly(direct_move, amount, memo, **kw),
        )

    # --- what is compared ---------------------------------------------------
    @staticmethod
    def entry_lines(moves):
        return sorted(
            (
                line.account_id.code,
                line.debit,
                line.credit,
                line.amount_currency,
                line.currency_id.name,
                line.partner_id.id,
                line.date,
                line.reconciled,
                line.amount_residual,
            )
            for line in moves.line_ids
        )

    def ledger(self, move):
        """Everything a payment leaves on ``move`` and in the books."""
        receivable = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        partials = receivable.matched_debit_ids | receivable.matched_credit_ids
        exchange = partials.exchange_move_id
        payments = move.matched_payment_ids.sorted("id")
        return {
            "payment_state": move.payment_state,
            "residual": move.amount_residual,
            "residual_signed": move.amount_residual_signed,
            "fully_reconciled": bool(receivable.full_reconcile_id),
            "partials": sorted(
                (p.amount, p.debit_amount_currency, p.credit_amount_currency)
                for p in partials
            ),
            "exchange_difference": self.entry_lines(exchange),
            "payments": [
                {
                    "amount": pay.amount,
                    "currency": pay.currency_id.name,
                    "date": pay.date,
                    "memo": pay.memo,
                    "journal": pay.journal_id.id,
                    "payment_type": pay.payment_type,
                    "partner_type": pay.partner_type,
                    "partner": pay.partner_id.id,
                    "partner_bank": pay.partner_bank_id.id,
                    "method": pay.payment_method_line_id.id,
                    "destination": pay.destination_account_id.id,
                    "outstanding": pay.outstanding_account_id.id,
                    "state": pay.state,
                    "is_matched": pay.is_matched,
                    "is_reconciled": pay.is_reconciled,
                    "has_entry": bool(pay.move_id),
                    "entry_state": pay.move_id.state,
                    "entry_ref": pay.move_id.ref,
                    "entry_date": pay.move_id.date,
                    "entry_lines": self.entry_lines(pay.move_id),
                }
                for pay in payments
            ],
        }

    def assert_same_ledger(self, twins):
        wizard_move, direct_move = twins
        wizard, direct = self.ledger(wizard_move), self.ledger(direct_move)
        self.assertTrue(wizard["payments"], "the wizard registered a payment")
        self.assertEqual(direct, wizard)
        return direct

    def accounting_installed(self):
        """Odoo as with its Accounting app, whose hook makes a paid invoice
        ``in_payment`` until its payment is matched with the bank."""
        return patch.object(
            type(self.env["account.move"]),
            "_get_invoice_in_payment_state",
            lambda move: "in_payment",
        )

    def outstanding_account_of_bank(self, account):
        """Set the outstanding account of the bank journal's incoming and
        outgoing payment methods (``False``: none)."""
        methods = (
            self.bank.inbound_payment_method_line_ids
            | self.bank.outbound_payment_method_line_ids
        )
        methods.payment_account_id = account

    # --- the cases ----------------------------------------------------------
    def test_full_payment_in_the_company_currency(self):
        twins = self.twin_moves(prices=(19.99, 5.01))
        payment = self.pay_both(twins, twins[0].amount_total)[1]
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(ledger["payment_state"], "paid")
        self.assertEqual(ledger["residual"], 0.0)
        self.assertTrue(ledger["fully_reconciled"])
        self.assertEqual(payment.currency_id, self.env.company.currency_id)

    def test_memo_and_date_are_the_ones_given(self):
        twins = self.twin_moves()
        memo = "BigCommerce order #104: Credit Card ch_104"
        payment = self.pay_both(twins, twins[0].amount_total, memo, date=APRIL_10)[1]
        self.assert_same_ledger(twins)
        self.assertEqual(payment.memo, memo)
        self.assertEqual(payment.date, APRIL_10)
        self.assertEqual(payment.move_id.ref, memo)
        self.assertEqual(payment.move_id.date, APRIL_10)

    def test_date_is_the_invoice_date_unless_given(self):
        twins = self.twin_moves()
        payment = self.pay_both(twins, twins[0].amount_total)[1]
        self.assert_same_ledger(twins)
        self.assertEqual(payment.date, MARCH_4)

    def test_foreign_currency_at_the_invoice_s_rate(self):
        twins = self.twin_moves(currency=self.eur, prices=(40.0, 12.34))
        payment = self.pay_both(twins, twins[0].amount_total)[1]
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(payment.currency_id, self.eur)
        self.assertEqual(ledger["payment_state"], "paid")
        self.assertEqual(ledger["residual"], 0.0)

    def test_foreign_currency_paid_at_another_rate_books_the_exchange_difference(
        self,
    ):
        twins = self.twin_moves(currency=self.eur)
        self.pay_both(twins, twins[0].amount_total, date=APRIL_10)
        ledger = self.assert_same_ledger(twins)
        self.assertTrue(ledger["exchange_difference"], "0.9 in March, 0.8 in April")
        self.assertEqual(ledger["payment_state"], "paid")

    def test_rounding_of_the_company_currency_balance(self):
        # Each line is converted and rounded on its own (3 x 11.12), the
        # payment's total at once (30.03 / 0.9 = 33.37): whatever Odoo makes
        # of the cent, the invoice is paid in full in both currencies.
        twins = self.twin_moves(
            currency=self.eur, prices=(10.01, 10.01, 10.01), taxed=False
        )
        self.pay_both(twins, twins[0].amount_total)
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(ledger["payment_state"], "paid")
        self.assertEqual(ledger["residual"], 0.0)
        self.assertTrue(ledger["fully_reconciled"])
        receivable = twins[1].line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.amount_residual, 0.0)

    def test_rounding_of_an_amount_in_a_currency_without_cents(self):
        twins = self.twin_moves(currency=self.jpy, prices=(1234.0, 99.0))
        # The amount as a float sum carries noise; the currency rounds it.
        amount = sum([0.1] * 10) * twins[0].amount_total
        payment = self.pay_both(twins, amount)[1]
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(payment.amount, twins[1].amount_total)
        self.assertEqual(ledger["payment_state"], "paid")

    def test_partial_payments_leave_the_rest_open_then_pay_it(self):
        twins = self.twin_moves(prices=(100.0,))
        self.pay_both(twins, 40.0)
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(ledger["payment_state"], "partial")
        self.assertAlmostEqual(ledger["residual"], 108.25 - 40.0, places=2)
        self.pay_both(twins, twins[1].amount_residual)
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(len(ledger["payments"]), 2)
        self.assertEqual(ledger["payment_state"], "paid")

    def test_credit_note_is_paid_back(self):
        twins = self.twin_moves(move_type="out_refund", prices=(30.0,))
        payment = self.pay_both(twins, twins[0].amount_total)[1]
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(payment.payment_type, "outbound")
        self.assertEqual(ledger["payment_state"], "paid")

    def test_credit_note_in_foreign_currency_partly_paid_back(self):
        twins = self.twin_moves(move_type="out_refund", currency=self.eur)
        self.pay_both(twins, 50.0, date=APRIL_10)
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(ledger["payment_state"], "partial")

    def test_outstanding_account_makes_the_invoice_in_payment_until_matched(self):
        self.outstanding_account_of_bank(self.outstanding)
        with self.accounting_installed():
            twins = self.twin_moves()
            self.pay_both(twins, twins[0].amount_total)
            ledger = self.assert_same_ledger(twins)
        self.assertEqual(ledger["payment_state"], "in_payment")
        self.assertEqual(ledger["residual"], 0.0)
        self.assertEqual(ledger["payments"][0]["outstanding"], self.outstanding.id)

    def test_the_bank_account_as_outstanding_account_makes_the_invoice_paid(self):
        self.outstanding_account_of_bank(self.bank.default_account_id)
        with self.accounting_installed():
            twins = self.twin_moves()
            self.pay_both(twins, twins[0].amount_total)
            ledger = self.assert_same_ledger(twins)
        self.assertEqual(ledger["payment_state"], "paid")

    def test_no_outstanding_account_matches_the_payment_without_an_entry(self):
        self.outstanding_account_of_bank(False)
        with self.accounting_installed():
            twins = self.twin_moves()
            self.pay_both(twins, twins[0].amount_total)
            ledger = self.assert_same_ledger(twins)
        self.assertEqual(ledger["payment_state"], "in_payment")
        self.assertFalse(ledger["payments"][0]["has_entry"])
        self.assertEqual(ledger["payments"][0]["state"], "in_process")

    def test_without_accounting_every_payment_has_its_entry_and_pays(self):
        self.outstanding_account_of_bank(False)
        twins = self.twin_moves()
        self.pay_both(twins, twins[0].amount_total)
        ledger = self.assert_same_ledger(twins)
        self.assertEqual(ledger["payment_state"], "paid")
        self.assertTrue(ledger["payments"][0]["has_entry"])

    def test_nothing_left_to_pay_is_said(self):
        move = self.twin_moves()[0]
        self.directly(move, move.amount_total, "first")
        with self.assertRaisesRegex(PaymentNotRegistered, "nothing left to pay"):
            self.directly(move, 1.0, "second")

    def test_journal_without_an_incoming_method_is_said(self):
        move = self.twin_moves()[0]
        self.bank.inbound_payment_method_line_ids.unlink()
        with self.assertRaisesRegex(PaymentNotRegistered, "no incoming payment method"):
            self.directly(move, move.amount_total, "card")
        self.assertEqual(move.payment_state, "not_paid")
