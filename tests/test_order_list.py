# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The orders list as an accountant reads it: a badge for what became of
each order, and totals in the company's currency that leave out the orders
that sold nothing."""

from odoo.tests import tagged

from .common import BigCommerceAccountingCase


@tagged("post_install", "-at_install")
class TestOrderList(BigCommerceAccountingCase):
    def binding(self, order):
        return self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id), ("bigcommerce_id", "=", order["id"])]
        )

    def test_each_order_has_the_badge_of_what_became_of_it(self):
        invoiced = self.add_order()
        held = self.add_order(status_id=13)
        skipped = self.add_order(status_id=5)
        self.import_order(invoiced)
        self.import_order(held, expect="held")
        self.import_order(skipped, expect="skipped")
        self.assertEqual(
            [self.binding(o).outcome for o in (invoiced, held, skipped)],
            ["invoiced", "held", "skipped"],
        )
        binding = self.binding(invoiced)
        binding.sudo().sync_state = "failed"
        self.assertEqual(binding.outcome, "failed")

    def test_totals_are_in_the_company_currency_without_what_sold_nothing(self):
        eur = self.setup_other_currency("EUR")
        usd_order = self.add_order()
        eur_order = self.add_order(currency="EUR", exchange_rate="0.92")
        skipped = self.add_order(status_id=5)
        for order in (usd_order, eur_order):
            self.import_order(order)
        self.import_order(skipped, expect="skipped")
        bindings = (
            self.binding(usd_order) | self.binding(eur_order) | self.binding(skipped)
        )
        self.assertEqual(self.binding(skipped).amount_company, 0.0)
        eur_move = self.binding(eur_order).move_id
        self.assertEqual(eur_move.currency_id, eur)
        self.assertAlmostEqual(
            self.binding(eur_order).amount_company, eur_move.amount_total_signed
        )
        # Converted: not the EUR figure.
        self.assertNotAlmostEqual(
            self.binding(eur_order).amount_company, eur_move.amount_total, 2
        )
        [(total,)] = self.env["bigcommerce.order"]._read_group(
            [("id", "in", bindings.ids)], aggregates=["amount_company:sum"]
        )
        self.assertAlmostEqual(
            total,
            self.binding(usd_order).move_id.amount_total_signed
            + eur_move.amount_total_signed,
        )
