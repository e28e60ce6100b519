# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The orders list as an accountant reads it: a badge for what became of
each order, and totals in the company's currency that leave out the orders
that sold nothing; and orders' failures read for many orders at once."""

from odoo.tests import new_test_user, tagged

from .common import BigCommerceAccountingCase, BigCommerceCase
from .queries import read_queries


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


@tagged("post_install", "-at_install")
class TestOrderFailureQueries(BigCommerceCase):
    """The failures of orders (their form's banner) are read for many
    orders at once: 40 orders cost the queries of 20."""

    SPEC = {
        "name": {},
        "failure_reason": {},
        "failure_id": {"fields": {"display_name": {}}},
    }

    def orders(self, count, first_id):
        """``count`` orders; every other one's import failed, every third
        one's shipments too (the latest failure is the order's banner)."""
        orders = self.env["bigcommerce.order"].sudo()
        failures = self.env["bigcommerce.failure"].sudo()
        for bigcommerce_id in range(first_id, first_id + count):
            orders |= orders.create(
                {"backend_id": self.backend.id, "bigcommerce_id": bigcommerce_id}
            )
            if bigcommerce_id % 3 == 0:
                failures._record(self.backend, "shipment", bigcommerce_id, "Old")
            if bigcommerce_id % 2 == 0:
                failures._record(self.backend, "order", bigcommerce_id, "Unknown SKU")
        return orders

    def test_forty_orders_cost_the_queries_of_twenty(self):
        manager = new_test_user(
            self.env,
            login="bc-order-manager",
            groups="bigcommerce_connector.group_bigcommerce_manager",
        )
        twenty, forty = self.orders(20, 100), self.orders(40, 200)
        # Another store's failure of the same order id is not the order's.
        other = self.backend.copy({"name": "Other", "store_hash": "other1"})
        self.env["bigcommerce.failure"].sudo()._record(other, "order", 201, "Other")
        orders = self.env(user=manager)["bigcommerce.order"]
        read_queries(orders.browse(twenty.ids[:5]), self.SPEC)  # caches warm
        queries_20 = read_queries(orders.browse(twenty.ids), self.SPEC)
        queries_40 = read_queries(orders.browse(forty.ids), self.SPEC)
        self.assertEqual(queries_40, queries_20)
        rows = {row["id"]: row for row in orders.browse(forty.ids).web_read(self.SPEC)}
        for order in forty:
            row = rows[order.id]
            if order.bigcommerce_id % 2 == 0:
                # The order's failure, the latest.
                self.assertEqual(row["failure_reason"], "Unknown SKU")
                self.assertEqual(
                    row["failure_id"]["display_name"], f"Order #{order.bigcommerce_id}"
                )
            elif order.bigcommerce_id % 3 == 0:
                self.assertEqual(row["failure_reason"], "Old")
            else:
                self.assertFalse(row["failure_reason"])
                self.assertFalse(row["failure_id"])
