# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""End to end over the demo's store: what tools/demo.sh shows, asserted.

The store is the simulator's seeded generator (36 orders of every status,
10 customers, guests, coupons, several currencies and tax rates, and the
showcase's five: a fee, an order at the store's own rate, three unknown
SKUs), configured in Odoo exactly as the demo configures it
(``demo_store.py``), and every order goes through the import job against
the simulator's HTTP API. The month-end (``demo_month_end.py``) then
clears what the store holds, and the period reconciles clean.
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
from ..components.binder import BigCommerceBinder
from ..components.products import CREATED_PRODUCT_KIND, sku_key
from .common import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    STORE_HASH,
    SimulatorMixin,
    import_customer_job,
    import_order_job,
)
from .demo_month_end import (
    HELD_ON_THE_STORE,
    clear_unknown_sku_failures,
    release_held_orders,
)
from .demo_store import configure_demo_store, the_store_gateways, what_the_store_sells
from .simulator.generator import generate_store
from .simulator.showcase import SHOWCASE_FEE, SHOWCASE_RATE, SHOWCASE_UNKNOWN

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
            showcase=True,
        )
        cls.showcase = cls.generated["showcase"]
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

    def assert_only_unknown_skus_failed(self):
        """The only failures are the showcase's orders of unknown SKUs,
        which the store holds as failures."""
        failures = self.env["bigcommerce.failure"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(
            sorted(int(f.bigcommerce_id) for f in failures),
            sorted(self.showcase["unknown"].values()),
        )

    def store_orders(self):
        """Every order as the store's API shows it."""
        state = self.simulator.state
        return [state.render_order(order_id) for order_id in sorted(state.orders)]

    def test_every_order_ends_as_the_store_says(self):
        orders = self.store_orders()
        self.assertEqual(len(orders), ORDERS + 5)
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
            if order["id"] in self.showcase["unknown"].values():
                # Held as a failure (the store's Unknown Products setting).
                self.assertIn("failed: Unknown SKU", results[order["id"]])
                self.assertFalse(binding.move_id, order["id"])
                continue
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
        self.assert_only_unknown_skus_failed()

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
        self.assert_only_unknown_skus_failed()

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
        self.assert_only_unknown_skus_failed()

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

    # -- the showcase and the month-end ----------------------------------------
    def import_the_store(self):
        """Every order imported as its job does, and what they queued."""
        with trap_jobs() as trap:
            for order in self.store_orders():
                import_order_job(self.backend, order["id"])
            trap.perform_enqueued_jobs()

    def binding(self, order_id):
        return self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id), ("bigcommerce_id", "=", order_id)]
        )

    def test_the_fee_and_the_store_rate_book_as_the_store_says(self):
        """The fee is a line of its own on the store's Fees Account, with
        its tax; the euro order is booked in the company's currency at the
        rate the store applied (not Odoo's), and paid at it, with no
        exchange difference."""
        self.import_the_store()
        state = self.simulator.state
        move = self.binding(self.showcase["fee"]).move_id
        self.assertEqual(move.state, "posted")
        [fee] = move.invoice_line_ids.filtered(
            lambda line: line.account_id == self.backend.fee_account_id
        )
        self.assertEqual(self.backend.fee_account_id.code, "400400")
        self.assertEqual(
            (fee.name, fee.price_subtotal, fee.tax_ids.mapped("amount")),
            (SHOWCASE_FEE["name"], float(SHOWCASE_FEE["amount"]), [8.25]),
        )
        self.assertFalse(fee.product_id)

        order = state.render_order(self.showcase["store_rate"])
        move = self.binding(order["id"]).move_id
        currency, rate, _vat = SHOWCASE_RATE
        self.assertEqual(move.currency_id.name, currency)
        self.assertTrue(move.bigcommerce_store_rate)
        self.assertEqual(move.invoice_currency_rate, float(rate))
        odoo_rate = move.currency_id._get_conversion_rate(
            move.company_id.currency_id,
            move.currency_id,
            move.company_id,
            move.invoice_date,
        )
        self.assertNotAlmostEqual(odoo_rate, float(rate), places=4)

        def at_store_rate(amount):
            return (Decimal(amount) / Decimal(rate)).quantize(Decimal("0.01"))

        self.assertEqual(
            Decimal(str(move.amount_total_signed)).quantize(Decimal("0.01")),
            at_store_rate(order["total_inc_tax"]),
        )
        self.assertEqual(
            Decimal(str(move.amount_untaxed_signed)).quantize(Decimal("0.01")),
            at_store_rate(order["total_ex_tax"]),
        )
        self.assertEqual(move.payment_state, "paid")
        receivable = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(receivable.full_reconcile_id)
        self.assertFalse(
            (receivable.matched_debit_ids | receivable.matched_credit_ids).mapped(
                "exchange_move_id"
            )
        )

    def reconcile_the_period(self):
        """The demo period reconciled as tools/demo_reconcile.py does it."""
        orders = self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id)]
        )
        dates = [d.date() for d in orders.mapped("date_created")]
        reconciliation = self.env["bigcommerce.reconciliation"].create(
            {
                "backend_id": self.backend.id,
                "date_from": min(dates).replace(day=1),
                "date_to": max(dates),
            }
        )
        reconciliation._reconcile()
        self.assertEqual(reconciliation.state, "done", reconciliation.error)
        return reconciliation

    def test_the_month_end_clears_what_is_held_and_reconciles_clean(self):
        """Held orders are differences (the store counts them, the ledger
        does not). Released on the store and cleared of their unknown SKUs,
        one way per Unknown Products setting, the period reconciles without
        a difference; a failure provoked then is its one difference."""
        self.import_the_store()
        state = self.simulator.state
        unknown = self.showcase["unknown"]
        held = self.reconcile_the_period()
        self.assertEqual(
            sorted(held.line_ids.mapped("bigcommerce_id")),
            sorted(
                [
                    *unknown.values(),
                    *(
                        order_id
                        for order_id, record in state.orders.items()
                        if record.data["status_id"] in HELD_ON_THE_STORE
                    ),
                ]
            ),
        )
        for setting, order_id in unknown.items():
            [failure] = self.env["bigcommerce.failure"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", str(order_id)),
                ]
            )
            sku = SHOWCASE_UNKNOWN[setting][0]
            self.assertIn(f"Unknown SKU '{sku}'", failure.reason)

        released = release_held_orders(self.backend, state.set_order_status)
        self.assertEqual(len(released), len(HELD_ON_THE_STORE))
        for binding, _before, _how, result in released:
            self.assertFalse(binding.hold_reason, result)
            self.assertEqual(binding.move_id.state, "posted", result)
        cleared = clear_unknown_sku_failures(self.backend, unknown)
        self.assertEqual([setting for setting, *_ in cleared], list(unknown))
        self.assertEqual(self.backend.unknown_product_policy, "hold")
        self.assertFalse(
            self.env["bigcommerce.failure"].search(
                [("backend_id", "=", self.backend.id), ("state", "!=", "resolved")]
            )
        )
        binder = BigCommerceBinder(self.backend, CREATED_PRODUCT_KIND)
        lines = {}
        for setting, order_id in unknown.items():
            sku, name, _price = SHOWCASE_UNKNOWN[setting]
            move = self.binding(order_id).move_id
            self.assertEqual(move.state, "posted", setting)
            self.assert_matches_the_store(move, state.render_order(order_id))
            [lines[setting]] = move.invoice_line_ids.filtered(
                lambda line, n=name, s=sku: n in line.name or s in line.name
            )
        # Held, then booked on the product an accountant created.
        self.assertEqual(lines["hold"].product_id.default_code, "CANDLE-SOY")
        self.assertFalse(binder.to_record(sku_key("CANDLE-SOY"), "product.product"))
        # Created by the connector from its line, in the store's category.
        created = lines["create"].product_id
        self.assertEqual(created.default_code, "APRON-DNM")
        self.assertEqual(
            binder.to_record(sku_key("APRON-DNM"), "product.product"), created
        )
        self.assertEqual(created.categ_id, self.backend.created_product_categ_id)
        # On the fallback product, labelled with its own SKU.
        self.assertEqual(lines["fallback"].product_id, self.backend.fallback_product_id)
        self.assertIn("SOCKS-WOOL", lines["fallback"].name)
        self.assertFalse(
            self.env["product.product"]
            .with_context(active_test=False)
            .search([("default_code", "=", "SOCKS-WOOL")])
        )

        clean = self.reconcile_the_period()
        self.assertFalse(
            clean.line_ids,
            [(line.bigcommerce_id, line.cause) for line in clean.line_ids],
        )
        self.assertEqual(clean.difference_count, 0)

        # A failure provoked on purpose: an invoiced order's product
        # archived, its invoice reset to draft, the order imported again.
        victim = self.binding(self.showcase["fee"])
        victim.move_id.button_draft()
        victim.move_id.invoice_line_ids.product_id.product_tmpl_id.active = False
        self.assertIn("failed", import_order_job(self.backend, victim.bigcommerce_id))
        provoked = self.reconcile_the_period()
        self.assertEqual(
            [(line.bigcommerce_id, line.kind, line.fix) for line in provoked.line_ids],
            [(victim.bigcommerce_id, "missing_invoice", "reprocess")],
        )

    def assert_matches_the_store(self, move, order):
        cents = Decimal("0.01")
        self.assertEqual(
            tuple(
                Decimal(str(v)).quantize(cents)
                for v in (move.amount_untaxed, move.amount_tax, move.amount_total)
            ),
            tuple(
                Decimal(order[k]).quantize(cents)
                for k in ("total_ex_tax", "total_tax", "total_inc_tax")
            ),
        )
