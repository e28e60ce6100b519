# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""API calls per imported order, counted at the simulator.

The store's quota, not Odoo, bounds how fast a store syncs: an order whose
tax rows can be told from its own figures costs one call, and the tax call
is made only where they cannot.
"""

from unittest import mock

from odoo import Command
from odoo.tests import tagged

from ..components.order_importer import OrderImporter
from .common import BigCommerceAccountingCase


@tagged("post_install", "-at_install")
class TestApiCallsPerOrder(BigCommerceAccountingCase):
    def calls_while(self, action):
        before = len(self.simulator.requests)
        action()
        return [r["path"] for r in self.simulator.requests[before:]]

    def test_an_order_costs_one_call(self):
        order = self.add_order(
            lines=[
                {"sku": "MUG-BLK", "quantity": 3},
                {"sku": "BOOK-1", "quantity": 1},
            ],
            shipping="7.95",
            coupons=[{"code": "SAVE5", "type": 2, "amount": "5.00"}],
        )
        paths = self.calls_while(lambda: self.import_order(order))
        self.assertEqual(paths, [f"/stores/teststore1/v2/orders/{order['id']}"])
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_825)

    def test_ambiguous_rates_make_the_tax_call_and_book_the_same(self):
        """With 8.25% and 8.3% in the list, 10.00 taxed 0.83 could be either:
        the store's tax rows decide."""
        tax_83 = self.tax_825.copy({"name": "Sales tax 8.3%", "amount": 8.3})
        self.backend.tax_ids = [Command.link(tax_83.id)]
        order = self.add_order(
            lines=[
                {"sku": "BOOK-1", "quantity": 1, "price": "10.00", "tax_rate": "0.0825"}
            ]
        )
        paths = self.calls_while(lambda: self.import_order(order))
        self.assertEqual(
            paths,
            [
                f"/stores/teststore1/v2/orders/{order['id']}",
                f"/stores/teststore1/v2/orders/{order['id']}/taxes",
            ],
        )
        move = self.binding(order).move_id
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_825)
        self.assert_matches_store(move, order)

    def test_inferred_and_called_rows_give_the_same_invoice(self):
        """Two identical orders: one imported with the inferred rows, one
        forced through the tax call (no rate fits an empty list)."""
        values = {
            "lines": [
                {"sku": "MUG-BLK", "quantity": 2},
                {"sku": "TEE", "variant_sku": "TEE-RED-M", "quantity": 1},
            ],
            "shipping": "4.00",
            "wrapping": "2.50",
            "wrapping_tax_rate": "0.20",
            "manual_discount": "1.10",
        }
        inferred_order, called_order = (
            self.add_order(**values),
            self.add_order(**values),
        )
        self.assertEqual(
            len(self.calls_while(lambda: self.import_order(inferred_order))), 1
        )
        with self.patch_store_rates(set()):
            self.assertEqual(
                len(self.calls_while(lambda: self.import_order(called_order))), 2
            )

        def invoice(order):
            move = self.binding(order).move_id
            self.assertEqual(move.state, "posted")
            lines = sorted(
                (
                    line.name,
                    line.quantity,
                    line.price_unit,
                    line.account_id.id,
                    tuple(line.tax_ids.ids),
                )
                for line in move.invoice_line_ids
            )
            return lines, move.amount_untaxed, move.amount_tax, move.amount_total

        self.assertEqual(invoice(inferred_order), invoice(called_order))

    def patch_store_rates(self, rates):
        return mock.patch.object(
            OrderImporter, "_store_tax_rates", lambda importer: rates
        )
