# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Each difference of a reconciliation fixed through its line's button,
as a person would: the normal import, or the invoice opened and corrected.
The reconciliation computed again is clean."""

from datetime import date
from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import BigCommerceAccountingCase
from .test_reconciliation import ReconciliationMixin


@tagged("post_install", "-at_install")
class TestReconciliationFixes(ReconciliationMixin, BigCommerceAccountingCase):
    year = 2020

    def fix(self, line):
        """Click the line's fix; the jobs it queues run."""
        with trap_jobs() as trap:
            action = line.action_fix()
            trap.perform_enqueued_jobs()
        return action

    def assert_opens(self, action, record):
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(
            (action["res_model"], action["res_id"]), (record._name, record.id)
        )

    def reimport(self, order):
        with trap_jobs() as trap:
            self.binding(order).action_reimport()
            trap.perform_enqueued_jobs()

    def test_every_difference_is_fixed_through_its_button(self):
        made = self.make_every_difference()
        reconciliation = self.reconcile()
        self.assertEqual(len(reconciliation.line_ids), 10)
        line = self.line

        # Reprocess the failure, once the product exists.
        self.env["product.product"].create(
            {"name": "Desk lamp", "default_code": "LAMP-1", "lst_price": 40.0}
        )
        failed = line(reconciliation, "missing_invoice", made["failed"]["id"])
        self.fix(failed)
        self.assertEqual(failed.state, "queued")
        self.assertEqual(self.failure(made["failed"]).state, "resolved")
        self.assertEqual(self.binding(made["failed"]).move_id.state, "posted")

        # Import now: the order never imported, the refund, the payment.
        never = line(reconciliation, "missing_invoice", made["never"]["id"])
        self.fix(never)
        self.assertEqual(self.binding(made["never"]).move_id.state, "posted")
        refund_line = line(reconciliation, "missing_credit_note", made["refund"]["id"])
        self.fix(refund_line)
        refund = self.env["bigcommerce.refund"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", made["refund"]["id"]),
            ]
        )
        self.assertEqual(refund.move_id.state, "posted")
        unpaid = line(reconciliation, "payment_missing", made["unpaid"]["id"])
        self.fix(unpaid)
        self.assertIn(
            self.binding(made["unpaid"]).move_id.payment_state, ("in_payment", "paid")
        )

        # Open the invoice, and correct it as an accountant does.
        changed = line(reconciliation, "amount_changed", made["changed"]["id"])
        move = self.binding(made["changed"]).move_id
        self.assert_opens(self.fix(changed), move)
        move.button_draft()
        self.reimport(made["changed"])
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(
            move, self.simulator.state.render_order(made["changed"]["id"])
        )

        partly = line(reconciliation, "payment_amount", made["partly"]["id"])
        move = self.binding(made["partly"]).move_id
        self.assert_opens(self.fix(partly), move)
        rest = Decimal(made["partly"]["total_inc_tax"]) - Decimal("10.00")
        self.pay_by_hand(move, float(rest), made["bank"])

        elsewhere = line(reconciliation, "payment_journal", made["elsewhere"]["id"])
        move = self.binding(made["elsewhere"]).move_id
        self.assert_opens(self.fix(elsewhere), move)
        payment = move._get_reconciled_payments()
        payment.action_draft()
        payment.action_cancel()
        self.reimport(made["elsewhere"])
        self.assertEqual(move._get_reconciled_payments().journal_id, made["bank"])

        by_hand = line(reconciliation, "no_counterpart")
        self.assert_opens(self.fix(by_hand), made["by_hand"])
        made["by_hand"].button_draft()
        made["by_hand"].button_cancel()

        late = line(reconciliation, "other_period", made["late"]["id"])
        move = self.binding(made["late"]).move_id
        self.assert_opens(self.fix(late), move)
        self.redate(move, date(self.year, 4, 28))
        may = line(reconciliation, "other_period", made["may"]["id"])
        move = self.binding(made["may"]).move_id
        self.assert_opens(self.fix(may), move)
        self.redate(move, date(self.year, 5, 3))

        # Computed again, the period is clean.
        self.reconcile(reconciliation=reconciliation)
        self.assertEqual(self.differences(reconciliation), [])
        self.assertTrue(reconciliation.is_clean)
        self.assertTrue(
            reconciliation.summary.endswith("ledger equal to the store"),
            reconciliation.summary,
        )
        self.assertEqual(reconciliation.store_total, reconciliation.ledger_total)
        self.assertFalse(
            reconciliation.figure_ids.filtered(
                lambda f: f.section in ("sales", "money") and f.difference
            )
        )

    def test_open_order_of_a_held_order(self):
        self.year = 2018
        held = self.add_order(date_created=self.april(5), status_id=13)
        self.import_order(held, expect="held")
        reconciliation = self.reconcile()
        line = self.line(reconciliation, "missing_invoice", held["id"])
        self.assertEqual(line.fix, "open_order")
        self.assertIn("Disputed", line.cause)
        self.assert_opens(self.fix(line), self.binding(held))
