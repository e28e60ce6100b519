# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A paid order cancelled on the store: its invoice's reversal is settled by
the money the store pays back, or stays open and the order says why."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..components import kinds
from .common import import_refund_job
from .test_payments import PaymentCase

NO_REFUND = "Cancelled on the store, no refund recorded"


@tagged("post_install", "-at_install")
class TestCancelledPaidOrders(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend.cancelled_invoice_policy = "reverse"
        cls.backend.payment_journal_map_ids = [
            Command.create(
                {"payment_method": "braintree", "journal_id": cls.stripe_journal.id}
            )
        ]

    def paid_order(self):
        # A guest's order: its refunds are paid back by card (braintree).
        order = self.add_order(
            customer_id=0,
            lines=[{"sku": "MUG-BLK", "quantity": 2}],
            payment_method="Credit Card",
        )
        self.import_order(order)
        invoice = self.binding(order).move_id
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        return order, invoice

    def refund_binding(self, refund):
        return self.env["bigcommerce.refund"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", refund["id"]),
            ]
        )

    def chatter(self, record):
        return [message.preview for message in record.message_ids]

    def assert_paid_back(self, reversal, refund):
        self.assertIn(reversal.payment_state, ("paid", "in_payment"))
        payment = reversal.matched_payment_ids
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.journal_id, self.stripe_journal)
        self.assertEqual(payment.payment_type, "outbound")
        self.assertAlmostEqual(payment.amount, float(refund["total_amount"]), places=2)

    def test_cancelled_and_refunded_paid_order_settles_its_reversal(self):
        order, invoice = self.paid_order()
        refund = self.simulator.state.cancel_order(
            order["id"], refund=True, payments=[{"provider_id": "braintree"}]
        )
        self.assertAlmostEqual(
            float(refund["total_amount"]), invoice.amount_total, places=2
        )
        with trap_jobs() as trap:
            self.import_order(order)
            # The store reports the payment refunded: its refund is queued.
            trap.assert_enqueued_job(
                self.backend._import_refund, args=(refund["id"], order["id"])
            )
            binding = self.binding(order)
            reversal = binding.cancel_move_id
            self.assertEqual(reversal.state, "posted")
            self.assertEqual(reversal.amount_total, invoice.amount_total)
            # The refund is not imported yet: the credit note is owed.
            self.assertIn(NO_REFUND, binding.cancel_note)
            trap.perform_enqueued_jobs()
        # The reversal covers the refund, and the money paid back settles it.
        self.assertEqual(self.refund_binding(refund).move_id, reversal)
        self.assert_paid_back(reversal, refund)
        self.assertFalse(binding.cancel_note)
        self.assertTrue(
            any("settled by the money paid back" in m for m in self.chatter(binding))
        )
        # Nothing is credited twice, nor paid back twice.
        self.assertEqual(
            self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)]),
            reversal,
        )
        import_refund_job(self.backend, refund["id"], order["id"])
        self.import_order(order)
        self.assertEqual(len(reversal.matched_payment_ids), 1)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_a_covered_refund_s_money_is_registered_by_its_import_again(self):
        """The refund a cancelled order's reversal covers, whose money could
        not be registered (no store-credit account), has it registered by
        the refund's Import again once the account is set, even with an
        ordinary import of the same refund waiting in the queue."""
        self.backend.store_credit_account_id = False
        order, _invoice = self.paid_order()
        refund = self.simulator.state.cancel_order(
            order["id"], refund=True, payments=[{"provider_id": "storecredit"}]
        )
        with trap_jobs() as trap:
            self.import_order(order)
            trap.perform_enqueued_jobs()
        binding = self.binding(order)
        reversal = binding.cancel_move_id
        refund_binding = self.refund_binding(refund)
        self.assertEqual(refund_binding.move_id, reversal)
        self.assertIn("Store Credit Account", refund_binding.payment_note)
        self.assertFalse(reversal.currency_id.is_zero(reversal.amount_residual))
        self.backend.store_credit_account_id = self.account_store_credit
        with trap_jobs() as trap:
            # A duplicate delivery of the refund, waiting.
            kinds.delay_import(self.backend, "refund", refund["id"], order["id"])
            refund_binding.action_reimport()
            trap.assert_jobs_count(2, only=self.backend._import_refund)
            trap.perform_enqueued_jobs()
        self.assertTrue(reversal.currency_id.is_zero(reversal.amount_residual))
        self.assertFalse(refund_binding.payment_note)
        self.assertFalse(binding.cancel_note)

    def test_cancelled_without_refund_leaves_the_credit_note_open_and_says_why(self):
        order, invoice = self.paid_order()
        self.assertIsNone(self.simulator.state.cancel_order(order["id"]))
        self.import_order(order)
        binding = self.binding(order)
        reversal = binding.cancel_move_id
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(reversal.payment_state, "not_paid")
        self.assertAlmostEqual(reversal.amount_residual, invoice.amount_total)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertIn(NO_REFUND, binding.cancel_note)
        self.assertIn(reversal.name, binding.cancel_note)
        said = [m for m in self.chatter(binding) if NO_REFUND in m]
        self.assertEqual(len(said), 1)
        # Imported again: said once.
        self.import_order(order)
        self.assertEqual(len([m for m in self.chatter(binding) if NO_REFUND in m]), 1)
        self.assertEqual(binding.cancel_move_id, reversal)
        # The store refunds it later: the money paid back settles the reversal.
        refund = self.simulator.state.add_refund(
            order["id"],
            self.simulator.state.refundable_items(order["id"]),
            payments=[{"provider_id": "braintree"}],
            update_status=False,
        )
        import_refund_job(self.backend, refund["id"], order["id"])
        self.assert_paid_back(reversal, refund)
        self.assertFalse(binding.cancel_note)

    def test_cancelled_unpaid_invoice_is_settled_by_its_reversal(self):
        self.backend.register_payments = False
        order = self.add_order(payment_method="Credit Card")
        self.import_order(order)
        invoice = self.binding(order).move_id
        self.simulator.state.cancel_order(order["id"])
        self.import_order(order)
        binding = self.binding(order)
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertTrue(
            binding.cancel_move_id.currency_id.is_zero(
                binding.cancel_move_id.amount_residual
            )
        )
        # Nothing is owed: nothing to say.
        self.assertFalse(binding.cancel_note)
