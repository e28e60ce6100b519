# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A first sync of a store's history with many customers and shipped
orders: its new customers are read 250 a call before the orders, and the
shipments of orders completed long ago are left unread, so that the whole
sync costs at most 0.1 API call per order."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import BigCommerceAccountingCase, import_order_job
from .test_import_wizard import WizardMixin


@tagged("post_install", "-at_install")
class TestFirstSyncCalls(WizardMixin, BigCommerceAccountingCase):
    """300 orders of 150 customers (and guests), shipped long ago or lately."""

    ORDERS = 300
    CUSTOMERS = 150
    START = datetime(2024, 1, 1)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator.rate_limiter.quota = 5000
        # Payments cost no API call here, and have their tests.
        cls.backend.register_payments = False

    def add_history(self):
        """The store's history: customers with 0 to 2 addresses; orders of
        the customers (two or more each) and of guests; a fifth of them
        shipped in 2024 (half of those completed since, in 2024 too), and a
        few shipped in the last days."""
        state = self.simulator.state
        customers = [
            state.add_customer(
                first_name="Buyer",
                last_name=str(i),
                email=f"buyer{i}@example.com",
                addresses=[
                    {"city": f"Town {i}", "address1": f"{n} Long Road"}
                    for n in range(i % 3)
                ],
                date_created=self.START,
            )
            for i in range(self.CUSTOMERS)
        ]
        now = fields.Datetime.now()
        orders, old, recent = [], [], []
        for i in range(self.ORDERS):
            is_recent = i >= self.ORDERS - 8
            created = (
                now - timedelta(days=6)
                if is_recent
                else (self.START + timedelta(hours=i))
            )
            order = self.add_order(
                customer_id=0 if i % 7 == 0 else customers[i % self.CUSTOMERS]["id"],
                date_created=created,
            )
            product = state.order_products(order["id"])[0]
            items = [{"order_product_id": product["id"], "quantity": 2}]
            if is_recent:
                state.add_shipment(
                    order["id"], items, date_created=now - timedelta(days=2)
                )
                recent.append(order)
            elif i % 5 == 0:
                shipped = created + timedelta(days=1)
                state.add_shipment(order["id"], items, date_created=shipped)
                if i % 10 == 0:
                    state.set_order_status(
                        order["id"], 10, at=shipped + timedelta(days=3)
                    )
                old.append(order)
            orders.append(state.order_record(order["id"]).data)
        return customers, orders, old, recent

    def sync(self, date_from=START, date_to=None):
        """The import of a period by the wizard (the history's, by default),
        every job run; returns the API calls it made and the jobs it
        queued."""
        before = len(self.simulator.requests)
        queued = []
        with trap_jobs() as trap:
            self.wizard(
                mode="period",
                date_from=date_from,
                date_to=date_to or fields.Datetime.now(),
            ).action_import()
            for _round in range(10):
                if not trap.enqueued_jobs:
                    break
                queued += [job.method_name for job in trap.enqueued_jobs]
                trap.perform_enqueued_jobs()
            else:
                self.fail(f"jobs still queued after 10 rounds: {trap.enqueued_jobs}")
        return self.api_calls(before), queued

    def test_first_sync_costs_at_most_a_tenth_of_a_call_per_order(self):
        customers, orders, old, recent = self.add_history()
        calls, queued = self.sync()
        run = self.backend.last_import_run_id
        run.invalidate_recordset()
        self.assertEqual(
            (run.state, run.done_count, run.failed_count), ("done", self.ORDERS, 0)
        )
        pages = [c for c in calls if c["path"].endswith("/v2/orders")]
        customer_calls = [c for c in calls if "/v3/customers" in c["path"]]
        shipment_calls = [c for c in calls if c["path"].endswith("/shipments")]
        # Two pages of orders (250, then 50); the new customers of each page
        # in one call, with their addresses, before its orders.
        self.assertEqual(len(pages), 2)
        self.assertEqual(len(customer_calls), 2)
        kinds = [
            "page" if c in pages else "customers"
            for c in calls
            if c in pages or c in customer_calls
        ]
        self.assertEqual(kinds, ["page", "customers", "page", "customers"])
        asked = [
            [int(i) for i in c["query"]["id:in"].split(",")] for c in customer_calls
        ]
        self.assertTrue(
            all(c["query"]["include"] == "addresses" for c in customer_calls)
        )
        ordered_by = {o["customer_id"] for o in orders} - {0}
        # Each customer asked for once, on the page of its first order.
        self.assertEqual(sorted(asked[0] + asked[1]), sorted(ordered_by))
        self.assertEqual(set(asked[0]), {o["customer_id"] for o in orders[:250]} - {0})
        self.assertNotIn("_import_customer", queued)
        # Each customer one partner, with its address book; none twice.
        bindings = self.env["bigcommerce.customer"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(sorted(bindings.mapped("bigcommerce_id")), sorted(ordered_by))
        for customer in customers:
            if customer["id"] not in ordered_by:
                continue
            partners = self.env["res.partner"].search(
                [("email", "=", customer["email"]), ("parent_id", "=", False)]
            )
            self.assertEqual(len(partners), 1, customer["email"])
            self.assertEqual(partners.name, f"Buyer {customer['last_name']}")
            self.assertEqual(
                sorted(
                    partners.child_ids.filtered(lambda c: c.type == "delivery").mapped(
                        "street"
                    )
                ),
                sorted(a["address1"] for a in customer["addresses"]),
            )
            orders_of = self.env["bigcommerce.order"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("customer_bigcommerce_id", "=", customer["id"]),
                ]
            )
            self.assertTrue(orders_of)
            self.assertEqual(orders_of.partner_id, partners)
        # The orders shipped lately have their shipments; those shipped or
        # completed in 2024 keep their status, and say they were not read.
        self.assertEqual(
            sorted(int(c["path"].split("/")[-2]) for c in shipment_calls),
            sorted(o["id"] for o in recent),
        )
        for order in recent:
            binding = self.binding(order)
            self.assertEqual(len(binding.shipment_ids), 1)
            self.assertFalse(binding.shipments_unread)
        for order in old:
            binding = self.binding(order)
            self.assertIn(binding.status, ("2", "10"))
            self.assertFalse(binding.shipment_ids)
            self.assertTrue(binding.shipments_unread)
        self.assertEqual({self.binding(o).status for o in old}, {"2", "10"})
        # Nothing else is read: no order alone, no taxes (they are inferred).
        self.assertEqual(
            len(calls), len(pages) + len(customer_calls) + len(shipment_calls)
        )
        self.assertLessEqual(len(calls) / self.ORDERS, 0.1)

    # The other tests' orders are of 2023, out of the history's period (the
    # simulated store outlives a test).
    def test_read_shipments_reads_those_the_first_sync_left(self):
        state = self.simulator.state
        order = self.add_order(date_created=datetime(2023, 3, 1))
        product = state.order_products(order["id"])[0]
        state.add_shipment(
            order["id"],
            [{"order_product_id": product["id"], "quantity": 2}],
            tracking_number="1Z999",
            date_created=datetime(2023, 3, 2),
        )
        self.sync(datetime(2023, 3, 1), datetime(2023, 3, 31))
        binding = self.binding(order)
        self.assertTrue(binding.shipments_unread)
        with trap_jobs() as trap:
            action = binding.action_read_shipments()
            trap.assert_jobs_count(1, only=self.backend._import_shipments)
            trap.perform_enqueued_jobs()
        self.assertEqual(action["params"]["title"], "Shipments queued")
        self.assertEqual(binding.shipment_ids.tracking_number, "1Z999")
        self.assertFalse(binding.shipments_unread)

    def test_webhooks_still_read_the_shipments_of_old_orders(self):
        state = self.simulator.state
        order = self.add_order(date_created=datetime(2023, 4, 1))
        product = state.order_products(order["id"])[0]
        state.add_shipment(
            order["id"],
            [{"order_product_id": product["id"], "quantity": 2}],
            date_created=datetime(2023, 4, 2),
        )
        with trap_jobs() as trap:
            import_order_job(self.backend, order["id"], origin="webhook")
            trap.assert_jobs_count(1, only=self.backend._import_shipments)
            trap.perform_enqueued_jobs()
        binding = self.binding(order)
        self.assertEqual(len(binding.shipment_ids), 1)
        self.assertFalse(binding.shipments_unread)

    def test_shipments_read_before_are_read_again_not_left_stale(self):
        """An old order whose shipments a webhook read, shipped again since:
        a first sync reads them again rather than leave the first stale."""
        state = self.simulator.state
        order = self.add_order(date_created=datetime(2023, 6, 1))
        product = state.order_products(order["id"])[0]
        state.add_shipment(
            order["id"],
            [{"order_product_id": product["id"], "quantity": 1}],
            date_created=datetime(2023, 6, 2),
        )
        with trap_jobs() as trap:
            import_order_job(self.backend, order["id"], origin="webhook")
            trap.perform_enqueued_jobs()
        binding = self.binding(order)
        self.assertEqual(len(binding.shipment_ids), 1)
        state.add_shipment(
            order["id"],
            [{"order_product_id": product["id"], "quantity": 1}],
            date_created=datetime(2023, 6, 3),
        )
        self.sync(datetime(2023, 6, 1), datetime(2023, 6, 30))
        self.assertEqual(len(binding.shipment_ids), 2)
        self.assertFalse(binding.shipments_unread)

    def test_the_store_s_days_decide_which_orders_are_old(self):
        state = self.simulator.state
        order = self.add_order(date_created=datetime(2023, 5, 1))
        product = state.order_products(order["id"])[0]
        state.add_shipment(
            order["id"],
            [{"order_product_id": product["id"], "quantity": 2}],
            date_created=fields.Datetime.now() - timedelta(days=40),
        )
        self.backend.shipments_read_days = 60
        calls, _queued = self.sync(datetime(2023, 5, 1), datetime(2023, 5, 31))
        self.assertEqual(len(self.binding(order).shipment_ids), 1)
        self.assertFalse(self.binding(order).shipments_unread)
        self.assertTrue([c for c in calls if c["path"].endswith("/shipments")])

    def test_a_guest_who_registered_keeps_its_partner(self):
        """The guest's order is listed before the customer's: the partner the
        guest got is the customer's; a customer whose only order is
        cancelled gets none, and is not read."""
        state = self.simulator.state
        guest_order = self.add_order(
            customer_id=0,
            billing_address={
                "first_name": "Gail",
                "last_name": "Guest",
                "email": "gail@example.com",
            },
            date_created=datetime(2023, 6, 1),
        )
        gail = state.add_customer(
            first_name="Gail", last_name="Guest", email="gail@example.com"
        )
        gail_order = self.add_order(
            customer_id=gail["id"], date_created=datetime(2023, 6, 2)
        )
        carl = state.add_customer(
            first_name="Carl", last_name="Cancel", email="carl@example.com"
        )
        self.add_order(
            customer_id=carl["id"], status_id=5, date_created=datetime(2023, 6, 3)
        )
        calls, queued = self.sync(datetime(2023, 6, 1), datetime(2023, 6, 30))
        (customer_call,) = [c for c in calls if "/v3/customers" in c["path"]]
        self.assertEqual(customer_call["query"]["id:in"], str(gail["id"]))
        self.assertNotIn("_import_customer", queued)
        partner = self.binding(guest_order).partner_id
        self.assertTrue(partner)
        self.assertEqual(self.binding(gail_order).partner_id, partner)
        self.assertEqual(
            self.env["res.partner"].search_count(
                [("email", "=", "gail@example.com"), ("parent_id", "=", False)]
            ),
            1,
        )
        self.assertFalse(
            self.env["bigcommerce.customer"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", carl["id"]),
                ]
            )
        )
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "carl@example.com")])
        )
