# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The money of a refund, paid back, reconciled with its credit note."""

from decimal import Decimal
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import import_refund_job
from .test_payments import PaymentCase


@tagged("post_install", "-at_install")
class TestRefundPayments(PaymentCase):
    def paid_order(self, **values):
        values.setdefault("lines", [{"sku": "MUG-BLK", "quantity": 2}])
        values.setdefault("payment_method", "Credit Card")
        order = self.add_order(**values)
        self.import_order(order)
        invoice = self.binding(order).move_id
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        return order, invoice

    def refund_line(self, order, payments, quantity=1):
        line = self.simulator.state.order_products(order["id"])[0]
        refund = self.simulator.state.add_refund(
            order["id"],
            [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": quantity}],
            reason="Broken",
            payments=payments,
        )
        import_refund_job(self.backend, refund["id"], order["id"])
        binding = self.env["bigcommerce.refund"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", refund["id"]),
            ]
        )
        return refund, binding

    def import_again(self, binding):
        """The refund's *Import again*, its job run."""
        with trap_jobs() as trap:
            binding.action_reimport()
            trap.assert_jobs_count(1, only=self.backend._import_refund)
            trap.perform_enqueued_jobs()

    def test_card_refund_pays_the_credit_note_back_in_the_gateway_journal(self):
        self.backend.payment_journal_map_ids = [
            Command.create(
                {"payment_method": "braintree", "journal_id": self.stripe_journal.id}
            )
        ]
        order, _invoice = self.paid_order(customer_id=0)
        refund, binding = self.refund_line(order, [{"provider_id": "braintree"}])
        credit_note = binding.move_id
        self.assertEqual(credit_note.state, "posted")
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        payment = credit_note.matched_payment_ids
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.journal_id, self.stripe_journal)
        self.assertEqual(payment.payment_type, "outbound")
        self.assertAlmostEqual(payment.amount, float(refund["total_amount"]), places=2)
        self.assertFalse(binding.payment_note)

    def test_refund_to_store_credit_is_owed_to_the_customer(self):
        order, _invoice = self.paid_order()
        refund, binding = self.refund_line(order, [{"provider_id": "storecredit"}])
        credit_note = binding.move_id
        # Settled by the entry that owes the money to the customer.
        self.assertTrue(credit_note.currency_id.is_zero(credit_note.amount_residual))
        self.assertFalse(credit_note.matched_payment_ids)
        owed = self.env["account.move.line"].search(
            [
                ("account_id", "=", self.account_store_credit.id),
                ("move_id.ref", "like", f"BigCommerce refund #{refund['id']}"),
            ]
        )
        self.assertAlmostEqual(
            -sum(owed.mapped("balance")), float(refund["total_amount"]), places=2
        )

    def test_a_payment_file_method_without_a_validated_account_is_said(self):
        """A journal that pays back only by a payment file (SEPA credit
        transfer, with its module) needs the customer's bank account
        validated: the credit note stays open and the refund says what to
        do, instead of failing on Odoo's error; once validated, the refund
        imported again is paid back."""
        self.backend.payment_journal_map_ids = [
            Command.create(
                {"payment_method": "braintree", "journal_id": self.stripe_journal.id}
            )
        ]
        order, invoice = self.paid_order(customer_id=0)
        Payment = type(self.env["account.payment"])
        # What a payment-file module (account_sepa...) says of its method.
        with mock.patch.object(
            Payment, "_get_method_codes_needing_bank_account", lambda self: ["manual"]
        ):
            _refund, binding = self.refund_line(order, [{"provider_id": "braintree"}])
            credit_note = binding.move_id
            self.assertEqual(credit_note.state, "posted")
            self.assertEqual(credit_note.payment_state, "not_paid")
            self.assertIn("validated", binding.payment_note)
            self.assertIn(self.stripe_journal.display_name, binding.payment_note)
            self.assertIn("validated", " ".join(credit_note.message_ids.mapped("body")))
            self.env["res.partner.bank"].create(
                {
                    "partner_id": invoice.partner_id.id,
                    "acc_number": "NL91ABNA0417164300",
                    "allow_out_payment": True,
                }
            )
            self.import_again(binding)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        payment = credit_note.matched_payment_ids
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.partner_bank_id.acc_number, "NL91ABNA0417164300")
        self.assertFalse(binding.payment_note)

    def test_offline_refund_leaves_the_credit_note_open_and_says_why(self):
        order, _invoice = self.paid_order(customer_id=0)
        _refund, binding = self.refund_line(
            order, [{"provider_id": "braintree", "offline": True}]
        )
        credit_note = binding.move_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.payment_state, "not_paid")
        self.assertIn("refunded offline", binding.payment_note)
        self.assertIn(
            "refunded offline",
            " ".join(credit_note.message_ids.mapped("body")),
        )

    def test_store_credit_without_its_account_is_said_not_guessed(self):
        self.backend.store_credit_account_id = False
        order, _invoice = self.paid_order()
        refund, binding = self.refund_line(order, [{"provider_id": "storecredit"}])
        credit_note = binding.move_id
        self.assertEqual(credit_note.payment_state, "not_paid")
        self.assertIn("Store Credit Account", binding.payment_note)
        notes = len(credit_note.message_ids)
        # A duplicate delivery changes nothing and costs no call.
        requests = len(self.simulator.requests)
        import_refund_job(self.backend, refund["id"], order["id"])
        self.assertEqual(len(self.simulator.requests), requests)
        # Imported again (its button) before the fix: said once, not twice.
        self.import_again(binding)
        self.assertIn("Store Credit Account", binding.payment_note)
        self.assertEqual(len(credit_note.message_ids), notes)
        # Once the account is set, importing it again settles it.
        self.backend.store_credit_account_id = self.account_store_credit
        self.import_again(binding)
        self.assertTrue(credit_note.currency_id.is_zero(credit_note.amount_residual))
        self.assertFalse(binding.payment_note)
        self.assertEqual(
            self.env["bigcommerce.refund"].search_count(
                [("backend_id", "=", self.backend.id), ("move_id", "=", credit_note.id)]
            ),
            1,
        )

    def test_unpaid_invoice_is_credited_not_paid_back(self):
        """With payment registration off, the invoice is open: the credit note
        reduces what is owed, and no money is paid back in Odoo."""
        self.backend.register_payments = False
        order = self.add_order(
            lines=[{"sku": "MUG-BLK", "quantity": 2}], payment_method="Credit Card"
        )
        self.import_order(order)
        invoice = self.binding(order).move_id
        refund, binding = self.refund_line(order, [{"provider_id": "braintree"}])
        self.assertFalse(binding.move_id.matched_payment_ids)
        self.assertTrue(
            binding.move_id.currency_id.is_zero(binding.move_id.amount_residual)
        )
        self.assertAlmostEqual(
            invoice.amount_residual,
            invoice.amount_total - float(refund["total_amount"]),
            places=2,
        )


@tagged("post_install", "-at_install")
class TestRefundSequenceProperty(PaymentCase):
    """For paid orders and any sequence of partial refunds, paid back by card
    or as store credit: the credit notes sum to what was refunded, and the
    ledger owes what the store shows (nothing on the invoice, nothing on the
    credit notes: the money went back, or is owed as store credit)."""

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
    )
    @given(
        quantities=st.lists(st.integers(2, 4), min_size=1, max_size=2),
        shipping=st.sampled_from(["0", "4.99"]),
        refunds=st.lists(
            st.tuples(
                st.integers(0, 1),
                st.integers(1, 2),
                st.sampled_from(["braintree", "storecredit"]),
            ),
            min_size=1,
            max_size=3,
        ),
    )
    def test_refunds_leave_the_ledger_as_the_store_shows(
        self, quantities, shipping, refunds
    ):
        skus = ["MUG-BLK", "BOOK-1"]
        lines = [
            {"sku": skus[index], "quantity": quantity}
            for index, quantity in enumerate(quantities)
        ]
        order = self.add_order(
            lines=lines, shipping=shipping, payment_method="Credit Card"
        )
        self.import_order(order)
        binding = self.binding(order)
        invoice = binding.move_id
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        products = self.simulator.state.order_products(order["id"])
        remaining = {line["id"]: line["quantity"] for line in products}
        refunded = Decimal(0)
        for line_index, quantity, provider in refunds:
            line = products[line_index % len(products)]
            quantity = min(quantity, remaining[line["id"]])
            if not quantity:
                continue
            remaining[line["id"]] -= quantity
            refund = self.simulator.state.add_refund(
                order["id"],
                [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": quantity}],
                payments=[{"provider_id": provider}],
            )
            import_refund_job(self.backend, refund["id"], order["id"])
            refunded += Decimal(str(refund["total_amount"]))
        credit_notes = binding.refund_ids.move_id
        self.assertEqual(
            Decimal(str(round(sum(credit_notes.mapped("amount_total")), 2))),
            refunded.quantize(Decimal("0.01")),
        )
        self.assertEqual(
            Decimal(str(round(binding.amount_refunded, 2))),
            refunded.quantize(Decimal("0.01")),
        )
        # The store shows nothing owed on a paid order, whatever was refunded.
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        for credit_note in credit_notes:
            self.assertEqual(credit_note.state, "posted")
            self.assertTrue(
                credit_note.currency_id.is_zero(credit_note.amount_residual),
                credit_note.name,
            )
