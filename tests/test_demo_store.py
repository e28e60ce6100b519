# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""End to end over the demo's store: what tools/demo.sh shows, asserted.

The store is the simulator's seeded generator (36 orders of every status,
10 customers, guests, coupons, several currencies and tax rates), configured
in Odoo exactly as the demo configures it (``demo_store.py``), and every
order goes through the import job against the simulator's HTTP API.
"""

from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce.payments import (
    ACTION_DRAFT,
    ACTION_HOLD,
    ACTION_SKIP,
    PAID_PAYMENT_STATUSES,
)
from .common import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    STORE_HASH,
    SimulatorMixin,
    import_customer_job,
    import_order_job,
)
from .demo_store import configure_demo_store
from .simulator.generator import generate_store

SEED, CUSTOMERS, ORDERS, NEWCOMERS = 42, 10, 36, 3


@tagged("post_install", "-at_install")
class TestDemoStore(SimulatorMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_simulator()
        # An administrator configures the store, as in the demo.
        cls.env.user.group_ids |= cls.env.ref("base.group_system") | cls.env.ref(
            "bigcommerce_connector.group_bigcommerce_manager"
        )
        cls.generated = generate_store(
            cls.simulator.state,
            seed=SEED,
            customers=CUSTOMERS,
            orders=ORDERS,
            newcomers=NEWCOMERS,
        )
        cls.backend, cls.summary = configure_demo_store(
            cls.env,
            api_base_url=cls.simulator.base_url,
            store_hash=STORE_HASH,
            access_token=ACCESS_TOKEN,
            client_secret=CLIENT_SECRET,
            seed=SEED,
            customers=CUSTOMERS,
            orders=ORDERS,
        )

    def store_orders(self):
        """Every order as the store's API shows it."""
        state = self.simulator.state
        return [state.render_order(order_id) for order_id in sorted(state.orders)]

    def test_every_order_ends_as_the_store_says(self):
        orders = self.store_orders()
        self.assertEqual(len(orders), ORDERS)
        results = {
            order["id"]: import_order_job(self.backend, order["id"]) for order in orders
        }
        Binding = self.env["bigcommerce.order"]
        invoiced = not_invoiced = held = paid = 0
        currencies = set()
        for order in orders:
            binding = Binding.search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", order["id"]),
                ]
            )
            action = self.backend._status_action(order["status_id"])
            is_paid = order["payment_status"] in PAID_PAYMENT_STATUSES
            if action == ACTION_SKIP:
                # Incomplete, cancelled and declined orders never sold.
                self.assertIn("not invoiced", results[order["id"]])
                self.assertFalse(binding.move_id, order["id"])
                not_invoiced += 1
                continue
            if action == ACTION_HOLD:
                self.assertFalse(binding.move_id, order["id"])
                self.assertIn(binding.custom_status, binding.hold_reason)
                held += 1
                continue
            move = binding.move_id
            self.assertEqual(
                move.state,
                "draft" if action == ACTION_DRAFT and not is_paid else "posted",
                results[order["id"]],
            )
            # The ledger owes what the store says is owed.
            if move.state == "posted":
                self.assertEqual(
                    move.payment_state, "paid" if is_paid else "not_paid", order["id"]
                )
                paid += is_paid
            self.assertEqual(move.move_type, "out_invoice")
            self.assertEqual(move.currency_id.name, order["currency_code"])
            self.assertEqual(
                (
                    Decimal(str(move.amount_untaxed)).quantize(Decimal("0.01")),
                    Decimal(str(move.amount_tax)).quantize(Decimal("0.01")),
                    Decimal(str(move.amount_total)).quantize(Decimal("0.01")),
                ),
                (
                    Decimal(order["total_ex_tax"]).quantize(Decimal("0.01")),
                    Decimal(order["total_tax"]).quantize(Decimal("0.01")),
                    Decimal(order["total_inc_tax"]).quantize(Decimal("0.01")),
                ),
                f"order {order['id']}",
            )
            currencies.add(order["currency_code"])
            invoiced += 1
        # The demo store has something of everything.
        self.assertGreater(invoiced, 25)
        self.assertGreaterEqual(not_invoiced, 3)
        self.assertGreater(paid, 20)
        self.assertTrue(held)
        self.assertGreater(len(currencies), 1)
        self.assertFalse(
            self.env["bigcommerce.failure"].search(
                [("backend_id", "=", self.backend.id)]
            )
        )

    def test_importing_the_store_again_changes_nothing(self):
        orders = self.store_orders()
        for order in orders:
            import_order_job(self.backend, order["id"])
        moves = self.env["account.move"].search(
            [("invoice_origin", "=like", "BigCommerce order #%")]
        )
        totals = sorted(moves.mapped("amount_total"))
        for order in orders:
            import_order_job(self.backend, order["id"])
        again = self.env["account.move"].search(
            [("invoice_origin", "=like", "BigCommerce order #%")]
        )
        self.assertEqual(again, moves)
        self.assertEqual(sorted(again.mapped("amount_total")), totals)

    def test_every_refund_ends_as_a_credit_note(self):
        """Importing the store's orders queues the refunds of the refunded
        ones; each becomes a credit note of exactly the refunded amount."""
        refunds = self.simulator.state.refunds
        self.assertTrue(refunds, "the demo store has refunds")
        with trap_jobs() as trap:
            for order in self.store_orders():
                import_order_job(self.backend, order["id"])
            queued = sorted(
                job.args[0]
                for job in trap.enqueued_jobs
                if job.method_name == "_import_refund"
            )
            self.assertEqual(queued, sorted(refunds))
            trap.perform_enqueued_jobs()
        bindings = self.env["bigcommerce.refund"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(sorted(bindings.mapped("bigcommerce_id")), sorted(refunds))
        for binding in bindings:
            refund = refunds[binding.bigcommerce_id]
            credit_note = binding.move_id
            self.assertEqual(credit_note.move_type, "out_refund")
            self.assertEqual(credit_note.state, "posted")
            self.assertEqual(credit_note.reversed_entry_id, binding.order_id.move_id)
            self.assertEqual(
                Decimal(str(credit_note.amount_total)).quantize(Decimal("0.01")),
                Decimal(refund["total_amount"]).quantize(Decimal("0.01")),
            )
            self.assertEqual(
                binding.order_id.currency_id.compare_amounts(
                    binding.order_id.amount_refunded,
                    sum(binding.order_id.refund_ids.mapped("total_amount")),
                ),
                0,
            )
        self.assertFalse(
            self.env["bigcommerce.failure"].search(
                [("backend_id", "=", self.backend.id)]
            )
        )

    def test_customers_and_shipments_of_the_store(self):
        """Every customer one partner (those without orders too), the address
        book as contacts, every shipment of an invoiced order on its order
        record and told on its invoice."""
        state = self.simulator.state
        with trap_jobs() as trap:
            for order_id in sorted(state.orders):
                import_order_job(self.backend, order_id)
            for customer_id in sorted(state.customers):
                import_customer_job(self.backend, customer_id)
            # The shipments the order imports queued, and the customers'.
            trap.perform_enqueued_jobs()
        customers = self.env["bigcommerce.customer"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(
            sorted(customers.mapped("bigcommerce_id")), sorted(state.customers)
        )
        self.assertEqual(len(customers.partner_id), len(customers), "one each")
        orders = self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id)]
        )
        newcomers = customers.filtered(
            lambda c: c.bigcommerce_id in self.generated["customers_without_orders"]
        )
        self.assertEqual(len(newcomers), NEWCOMERS)
        self.assertFalse(newcomers.partner_id & orders.partner_id)
        for customer in customers:
            addresses = state.customers[customer.bigcommerce_id]["addresses"]
            contacts = customer.partner_id.child_ids
            self.assertEqual(
                len(contacts.filtered(lambda c: c.type == "delivery")), len(addresses)
            )
            self.assertEqual(
                len(contacts.filtered(lambda c: c.type == "invoice")),
                1 if addresses else 0,
            )
        [moved] = self.generated["address_changes"]
        self.assertGreater(len(state.customers[moved]["addresses"]), 1)
        shipped = {
            (order.bigcommerce_id, shipment["id"])
            for order in orders
            for shipment in state.order_record(order.bigcommerce_id).shipments
        }
        self.assertTrue(shipped, "the demo store ships")
        self.assertEqual(
            {
                (s.order_id.bigcommerce_id, s.bigcommerce_id)
                for s in orders.shipment_ids
            },
            shipped,
        )
        for shipment in orders.shipment_ids:
            self.assertTrue(
                shipment.order_id.move_id.message_ids.filtered(
                    lambda m, s=shipment: f"{s.name} shipped" in (m.body or "")
                )
            )
        self.assertFalse(
            self.env["bigcommerce.failure"].search(
                [("backend_id", "=", self.backend.id)]
            )
        )
