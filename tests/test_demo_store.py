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
    ACTION_POST,
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
from .demo_store import configure_demo_store, the_store_gateways, what_the_store_sells
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

    def test_the_store_taxes_book_tax_to_tax_accounts(self):
        """Each rate the store charges has its sales tax, set up as an
        accountant would: its tax (invoices and refunds) on a tax payable
        account of its own, in a tax group named after it. An invoice of
        the store books its tax there, none to revenue, and its totals name
        each rate."""
        _products, rates, _currencies, _gateways = what_the_store_sells(
            STORE_HASH, "USD", SEED, CUSTOMERS, ORDERS
        )
        taxes = self.backend.tax_ids
        self.assertEqual(sorted(Decimal(str(t.amount)) for t in taxes), rates)
        for tax in taxes:
            tax_lines = tax.repartition_line_ids.filtered(
                lambda r: r.repartition_type == "tax"
            )
            self.assertEqual(
                sorted(tax_lines.mapped("document_type")), ["invoice", "refund"]
            )
            [account] = tax_lines.account_id
            self.assertEqual(account.account_type, "liability_current", tax.name)
            self.assertEqual(tax.tax_group_id.name, tax.name)
            self.assertEqual(tax.tax_group_id.tax_payable_account_id, account)
        self.assertEqual(len(taxes.tax_group_id), len(taxes), "a group each")
        # The first invoiced order that charges tax, imported.
        state = self.simulator.state
        order = next(
            state.render_order(order_id)
            for order_id in sorted(state.orders)
            if self.backend._status_action(state.orders[order_id].data["status_id"])
            == ACTION_POST
            and Decimal(state.orders[order_id].data["total_tax"])
        )
        move = self.imported_invoice(order)
        self.assertEqual(move.state, "posted")
        tax_lines = move.line_ids.filtered(lambda line: line.display_type == "tax")
        self.assertTrue(tax_lines)
        self.assertEqual(tax_lines.tax_line_id, move.invoice_line_ids.tax_ids)
        self.assertEqual(
            tax_lines.account_id,
            tax_lines.tax_line_id.invoice_repartition_line_ids.account_id,
        )
        self.assertEqual(
            Decimal(str(-sum(tax_lines.mapped("amount_currency")))).quantize(
                Decimal("0.01")
            ),
            Decimal(order["total_tax"]).quantize(Decimal("0.01")),
        )
        self.assertFalse(
            move.line_ids.filtered(
                lambda line: (
                    line.display_type == "product"
                    and line.account_id in tax_lines.account_id
                )
            )
        )
        [subtotal] = move.tax_totals["subtotals"]
        self.assertEqual(
            sorted(group["group_name"] for group in subtotal["tax_groups"]),
            sorted(move.invoice_line_ids.tax_ids.mapped("name")),
        )

    def imported_invoice(self, order):
        """Import the store's ``order`` as its job does; its invoice."""
        import_order_job(self.backend, order["id"])
        return (
            self.env["bigcommerce.order"]
            .search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", order["id"]),
                ]
            )
            .move_id
        )

    def test_each_gateway_pays_into_its_clearing_journal(self):
        """Every name the store gives a gateway (the orders' payment method,
        the transactions' and refunds' gateway) is on the store's Payments
        tab, with the gateway's own clearing journal; a paid order's payment
        is booked on that journal's account, not in the company's bank."""
        gateways = the_store_gateways(self.simulator.state)
        self.assertTrue(gateways)
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.backend.company_id.id)],
            order="sequence, id",
            limit=1,
        )
        journals = self.env["account.journal"]
        for gateway, names in gateways.items():
            journal = self.backend._payment_journal(gateway)
            self.assertEqual(journal.type, "bank")
            self.assertNotEqual(journal, bank)
            for name in names:
                self.assertEqual(self.backend._payment_journal(name), journal, name)
            journals |= journal
        self.assertEqual(len(journals), len(gateways), "a journal each")
        state = self.simulator.state
        order = next(
            state.render_order(order_id)
            for order_id in sorted(state.orders)
            if self.backend._status_action(state.orders[order_id].data["status_id"])
            == ACTION_POST
            and state.render_order(order_id)["payment_status"] in PAID_PAYMENT_STATUSES
        )
        move = self.imported_invoice(order)
        self.assertEqual(move.payment_state, "paid")
        payment = move._get_reconciled_payments()
        journal = self.backend._payment_journal(order["payment_method"])
        self.assertEqual(payment.journal_id, journal)
        self.assertEqual(payment.state, "paid")
        self.assertEqual(payment.outstanding_account_id, journal.default_account_id)
        self.assertEqual(
            payment.move_id.line_ids.filtered(
                lambda line: line.account_id == journal.default_account_id
            ).amount_currency,
            move.amount_total,
        )
