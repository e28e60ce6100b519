# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order fees: a line of its own on the store's Fees Account, with its tax;
credited on the same account when refunded; read with the order."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import BigCommerceAccountingCase, import_refund_job

TWO_FEES = [
    {"name": "Package protection", "amount": "2.00", "tax_rate": "0.0825"},
    {"name": "Service fee", "amount": "1.50", "customer_name": "Service"},
]


@tagged("post_install", "-at_install")
class TestOrderFees(BigCommerceAccountingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_fees = cls.env["account.account"].create(
            {"code": "700400", "name": "Fees income", "account_type": "income"}
        )
        cls.backend.fee_account_id = cls.account_fees

    def add_order_with_fees(self, fees=TWO_FEES, **values):
        values.setdefault("shipping", "5.00")
        return self.add_order(fees=fees, **values)

    def fee_lines(self, move):
        return move.invoice_line_ids.filtered(
            lambda line: line.account_id == self.account_fees
        )

    def calls_while(self, action):
        before = len(self.simulator.requests)
        action()
        return self.simulator.requests[before:]

    # -- the invoice -----------------------------------------------------------
    def test_two_fees_are_two_lines_on_the_fees_account_with_their_tax(self):
        order = self.add_order_with_fees()
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)
        fees = self.fee_lines(move)
        self.assertEqual(
            [(line.name, line.price_subtotal, line.tax_ids) for line in fees],
            [
                ("Package protection", 2.0, self.tax_825),
                ("Service fee", 1.5, self.env["account.tax"]),
            ],
        )
        self.assertFalse(fees.product_id)
        self.assertEqual(self.lines_by_account(move)[self.account_shipping], 5.0)

    def test_an_order_with_fees_costs_one_call_by_webhook(self):
        order = self.add_order_with_fees()
        requests = self.calls_while(lambda: self.import_order(order, origin="webhook"))
        self.assertEqual(
            [r["path"] for r in requests],
            [f"/stores/teststore1/v2/orders/{order['id']}"],
        )
        self.assertIn("fees", requests[0]["query"]["include"].split(","))
        self.assertEqual(len(self.fee_lines(self.binding(order).move_id)), 2)

    def test_fees_are_booked_when_the_tax_rows_are_called(self):
        """With 8.25% and 8.3% in the list, the book's 0.83 of tax could be
        either: the store's tax rows are called, and they name no fee; the
        fee's 8.25 on 100.00 can only be 8.25%."""
        tax_83 = self.tax_825.copy({"name": "Sales tax 8.3%", "amount": 8.3})
        self.backend.tax_ids = [Command.link(tax_83.id)]
        order = self.add_order_with_fees(
            fees=[{"name": "Insurance", "amount": "100.00", "tax_rate": "0.0825"}],
            lines=[
                {"sku": "BOOK-1", "quantity": 1, "price": "10.00", "tax_rate": "0.0825"}
            ],
            shipping="0",
        )
        requests = self.calls_while(lambda: self.import_order(order))
        self.assertEqual(
            [r["path"] for r in requests][-1],
            f"/stores/teststore1/v2/orders/{order['id']}/taxes",
        )
        move = self.binding(order).move_id
        self.assert_matches_store(move, order)
        self.assertEqual(self.fee_lines(move).tax_ids, self.tax_825)

    # -- without a Fees Account ------------------------------------------------
    def test_fees_without_a_fees_account_fail_then_are_invoiced_once_it_is_set(self):
        self.backend.fee_account_id = False
        order = self.add_order_with_fees()
        self.import_order(order, expect="failed")
        failure = self.failure(order)
        self.assertIn("set the Fees Account", failure.reason)
        self.assertFalse(self.binding(order).move_id)
        # An order without fees needs no Fees Account.
        plain = self.add_order()
        self.import_order(plain)
        self.assertEqual(self.binding(plain).move_id.state, "posted")

        self.backend.fee_account_id = self.account_fees
        with trap_jobs() as trap:
            failure.action_reprocess()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)
        self.assertEqual(len(self.fee_lines(move)), 2)
        self.assertEqual(failure.state, "resolved")

    # -- refunds ---------------------------------------------------------------
    def test_a_fee_refund_is_credited_on_the_fees_account(self):
        order = self.add_order_with_fees()
        self.import_order(order)
        invoice = self.binding(order).move_id
        fee = self.simulator.state.order_record(order["id"]).fees[0]
        refund = self.simulator.state.add_refund(
            order["id"],
            [{"item_type": "FEE", "item_id": fee["id"], "amount": "1.00"}],
        )
        import_refund_job(self.backend, refund["id"], order["id"])
        credit_note = (
            self.env["bigcommerce.refund"]
            .search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", refund["id"]),
                ]
            )
            .move_id
        )
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        (line,) = credit_note.invoice_line_ids
        self.assertEqual(
            (line.name, line.account_id, line.tax_ids, line.price_subtotal),
            ("Package protection", self.account_fees, self.tax_825, 0.92),
        )
        self.assertAlmostEqual(credit_note.amount_total, 1.0)
        self.assertAlmostEqual(credit_note.amount_tax, 0.08)
