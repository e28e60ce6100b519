# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from odoo import Command
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce import BigCommerceClient
from ..components import kinds
from ..components.binder import XMLID_MODULE, BigCommerceBinder
from .common import BigCommerceAccountingCase, import_order_job
from .simulator.orders import currency_id

IMPORT_LOGGER = "odoo.addons.bigcommerce_connector.components.importer"
REAL_GET_ORDER = BigCommerceClient.get_order
REAL_GET_ORDER_TAXES = BigCommerceClient.get_order_taxes


@contextmanager
def serve_as(order_id, source_id):
    """Make the store answer for ``order_id`` with order ``source_id``'s content,
    as if the merchant had edited the order on BigCommerce."""

    def get_order(client, requested):
        data = REAL_GET_ORDER(client, source_id if requested == order_id else requested)
        return dict(data, id=requested)

    def get_order_taxes(client, requested):
        return REAL_GET_ORDER_TAXES(
            client, source_id if requested == order_id else requested
        )

    with (
        mock.patch.object(BigCommerceClient, "get_order", get_order),
        mock.patch.object(BigCommerceClient, "get_order_taxes", get_order_taxes),
    ):
        yield


@tagged("post_install", "-at_install")
class TestOrderImport(BigCommerceAccountingCase):
    # -- the invoice ---------------------------------------------------------
    def test_tax_exclusive_order_with_every_component(self):
        order = self.add_order(
            lines=[
                {"sku": "MUG-BLK", "quantity": 3},
                {"sku": "TEE", "variant_sku": "TEE-RED-M", "quantity": 1},
            ],
            shipping="7.95",
            handling="2.00",
            wrapping="3.50",
            coupons=[{"code": "SAVE5", "type": 2, "amount": "5.00"}],
            manual_discount="1.50",
        )
        self.import_order(order)
        binding = self.binding(order)
        move = binding.move_id
        self.assertEqual(len(binding), 1)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.journal_id, self.company_data["default_journal_sale"])
        self.assertEqual(move.ref, str(order["id"]))
        self.assertEqual(move.currency_id.name, "USD")
        self.assert_matches_store(move, order)
        by_account = self.lines_by_account(move)
        self.assertEqual(by_account[self.account_shipping], 7.95)
        self.assertEqual(by_account[self.account_handling], 2.0)
        self.assertEqual(by_account[self.account_wrapping], 3.5)
        # The 5.00 coupon and the 1.50 manual discount, ex-tax.
        self.assertEqual(by_account[self.account_discount], -6.5)
        mug_lines = move.invoice_line_ids.filtered(
            lambda line: line.product_id == self.product_mug
        )
        self.assertEqual(sum(mug_lines.mapped("quantity")), 3)
        self.assertEqual(
            mug_lines.account_id, self.product_mug.property_account_income_id
        )
        self.assertEqual(mug_lines.tax_ids, self.tax_825)
        tee_line = move.invoice_line_ids.filtered(
            lambda line: line.product_id == self.product_tee
        )
        self.assertEqual(
            tee_line.account_id, self.company_data["default_account_revenue"]
        )
        self.assertIn("SAVE5", " ".join(move.invoice_line_ids.mapped("name")))
        # Bound by an external ID derived from store and order.
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", XMLID_MODULE),
                ("model", "=", "account.move"),
                ("res_id", "=", move.id),
            ]
        )
        self.assertEqual(data.name, f"backend{self.backend.id}_order_{order['id']}")
        # The binding carries the order's facts.
        self.assertEqual(binding.status, "11")
        self.assertEqual(binding.partner_id, move.partner_id)
        self.assertAlmostEqual(
            binding.total_inc_tax, float(order["total_inc_tax"]), places=2
        )
        self.assertEqual(move.invoice_date, binding.date_created.date())
        self.assertEqual(move.invoice_date_due, move.invoice_date)

    def test_customer_partner(self):
        order = self.add_order()
        self.import_order(order)
        partner = self.binding(order).partner_id
        self.assertEqual(partner.email, "jane@example.com")
        self.assertEqual(partner.name, "Jane Doe")
        self.assertEqual(partner.country_id.code, "US")
        self.assertEqual(partner.state_id.name, "Texas")
        second = self.add_order()
        self.import_order(second)
        self.assertEqual(self.binding(second).partner_id, partner, "never duplicated")

    def test_guest_order_uses_billing_contact(self):
        address = {
            "first_name": "Gus",
            "last_name": "Guest",
            "email": "Gus@Example.com",
            "street_1": "5 Rue de la Paix",
            "city": "Paris",
            "zip": "75002",
            "country": "France",
            "country_iso2": "FR",
            "state": "",
        }
        order = self.add_order(customer_id=0, billing_address=address)
        self.import_order(order)
        partner = self.binding(order).partner_id
        self.assertEqual(partner.name, "Gus Guest")
        self.assertEqual(partner.country_id.code, "FR")
        self.assertEqual(partner.city, "Paris")
        again = self.add_order(
            customer_id=0, billing_address=dict(address, email="gus@example.com")
        )
        self.import_order(again)
        self.assertEqual(self.binding(again).partner_id, partner)

    def test_tax_inclusive_order(self):
        order = self.add_order(
            tax_inclusive=True,
            lines=[
                {"sku": "BOOK-1", "quantity": 3, "price": "19.99", "tax_rate": "0.20"},
                {"sku": "MUG-BLK", "quantity": 1, "price": "12.49", "tax_rate": "0.20"},
            ],
            shipping="4.99",
            shipping_tax_rate="0.20",
            coupons=[{"code": "TENOFF", "type": 1, "amount": "10"}],
        )
        self.assertTrue(order["is_tax_inclusive_pricing"])
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_20)

    def test_several_tax_rates(self):
        order = self.add_order(
            lines=[
                {
                    "sku": "MUG-BLK",
                    "quantity": 7,
                    "price": "3.33",
                    "tax_rate": "0.0825",
                },
                {"sku": "BOOK-1", "quantity": 3, "price": "9.99", "tax_rate": "0.10"},
            ],
            shipping="5.55",
            shipping_tax_rate="0.20",
            coupons=[{"code": "PCT15", "type": 1, "amount": "15"}],
        )
        self.import_order(order)
        move = self.binding(order).move_id
        self.assert_matches_store(move, order)
        self.assertEqual(
            move.invoice_line_ids.tax_ids, self.tax_825 | self.tax_10 | self.tax_20
        )

    def test_store_taxes_win_over_other_taxes_of_the_same_rate(self):
        other_10 = self.tax_10.copy({"name": "Another 10%", "sequence": 0})
        line = {"sku": "BOOK-1", "quantity": 1, "tax_rate": "0.10"}
        self.backend.tax_ids = self.tax_10
        listed = self.add_order(lines=[line])
        self.import_order(listed)
        self.assertEqual(
            self.binding(listed).move_id.invoice_line_ids.tax_ids, self.tax_10
        )
        # Without the store's list, the company's first 10% sales tax.
        self.backend.tax_ids = False
        unlisted = self.add_order(lines=[line])
        self.import_order(unlisted)
        self.assertEqual(
            self.binding(unlisted).move_id.invoice_line_ids.tax_ids, other_10
        )

    def test_bigcommerce_tax_wins_over_odoo_rounding(self):
        """BigCommerce taxes the discounted line (9.00 x 8.25% = 0.7425 -> 0.74);
        Odoo alone would tax the line and the discount apart (0.83 - 0.08)."""
        order = self.add_order(
            lines=[
                {"sku": "BOOK-1", "quantity": 1, "price": "10.00", "tax_rate": "0.0825"}
            ],
            coupons=[{"code": "TENPC", "type": 1, "amount": "10"}],
        )
        self.assertEqual(order["total_tax"], "0.7400")
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.amount_tax, 0.74)
        tax_lines = move.line_ids.filtered(lambda line: line.display_type == "tax")
        self.assertEqual(tax_lines.tax_line_id, self.tax_825)
        self.assertAlmostEqual(sum(tax_lines.mapped("balance")), -0.74, places=2)
        self.assert_matches_store(move, order)

    def test_tax_beyond_rounding_is_refused(self):
        """A store that charged a dollar more tax than its rate gives: no invoice."""
        order = self.add_order(lines=[{"sku": "BOOK-1", "quantity": 1}])

        def taxes_plus_one(client, order_id):
            rows = REAL_GET_ORDER_TAXES(client, order_id)
            rows[0]["line_amount"] = str(Decimal(rows[0]["line_amount"]) + 1)
            return rows

        def order_plus_one(client, order_id):
            data = REAL_GET_ORDER(client, order_id)
            for field in ("total_tax", "total_inc_tax"):
                data[field] = str(Decimal(data[field]) + 1)
            line = data["consignments"]["shipping"][0]["line_items"][0]
            line["discounted_total_inc_tax"] = str(
                Decimal(line["discounted_total_inc_tax"]) + 1
            )
            return data

        with (
            mock.patch.object(BigCommerceClient, "get_order", order_plus_one),
            mock.patch.object(BigCommerceClient, "get_order_taxes", taxes_plus_one),
        ):
            self.import_order(order, expect="failed")
        failure = self.failure(order)
        self.assertIn("is more than rounding", failure.reason)
        self.assertIn("-1.00", failure.reason)
        self.assertFalse(self.binding(order))
        self.assertFalse(
            self.env["account.move"].search([("ref", "=", str(order["id"]))])
        )

    def test_multi_currency_order(self):
        eur = self.setup_other_currency("EUR")
        order = self.add_order(currency="EUR", exchange_rate="0.92")
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.currency_id, eur)
        self.assert_matches_store(move, order)

    def test_inactive_currency_is_a_failure(self):
        self.env.ref("base.JPY").active = False
        order = self.add_order(currency="JPY", exchange_rate="150")
        self.import_order(order, expect="failed")
        self.assertFalse(self.binding(order))
        failure = self.failure(order)
        self.assertIn("Currency JPY is not active", failure.reason)

    def test_gift_certificate_purchase_is_a_liability(self):
        order = self.add_order(
            lines=[
                {"sku": "GIFT-CERT", "quantity": 1},
                {"sku": "MUG-BLK", "quantity": 1},
            ]
        )
        self.import_order(order)
        move = self.binding(order).move_id
        self.assert_matches_store(move, order)
        gift_line = move.invoice_line_ids.filtered(
            lambda line: line.account_id == self.account_gift_cert
        )
        self.assertEqual(gift_line.price_subtotal, 50.0)
        self.assertFalse(gift_line.tax_ids)
        self.assertFalse(gift_line.product_id)

    def test_store_of_another_company(self):
        """Everything is booked in the store's company, whoever runs the job."""
        data = self.setup_other_company()
        company = data["company"]
        tax = self.env["account.tax"].create(
            {
                "name": "Sales tax 8.25% (company 2)",
                "amount": 8.25,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
                "company_id": company.id,
            }
        )
        backend = self.env["bigcommerce.backend"].create(
            dict(
                self._backend_values(),
                store_hash="teststore1",
                company_id=company.id,
                journal_id=data["default_journal_sale"].id,
                revenue_account_id=data["default_account_revenue"].id,
                shipping_account_id=data["default_account_revenue"].id,
                tax_ids=[Command.set(tax.ids)],
            )
        )
        self._create_product(
            name="Mug (company 2)", default_code="MUG-BLK", company_id=company.id
        )
        self.product_mug.company_id = self.env.company
        order = self.add_order(shipping="5.00")
        import_order_job(backend, order["id"])
        move = (
            self.env["bigcommerce.order"]
            .search([("backend_id", "=", backend.id)])
            .move_id
        )
        self.assertEqual(move.company_id, company)
        self.assertEqual(move.journal_id, data["default_journal_sale"])
        self.assertEqual(move.invoice_line_ids.tax_ids, tax)
        self.assertEqual(move.invoice_line_ids.product_id.company_id, company)
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)

    def test_analytic_distribution(self):
        plan = self.env["account.analytic.plan"].create({"name": "Channels"})
        web = self.env["account.analytic.account"].create(
            {"name": "Web shop", "plan_id": plan.id}
        )
        self.backend.analytic_distribution = {str(web.id): 100}
        order = self.add_order(shipping="5.00")
        self.import_order(order)
        lines = self.binding(order).move_id.invoice_line_ids
        # The product's line and the shipping's, each with the distribution.
        self.assertIn(self.product_mug, lines.product_id)
        self.assertIn(self.account_shipping, lines.account_id)
        self.assertEqual(
            lines.mapped("analytic_distribution"),
            [{str(web.id): 100}] * len(lines),
        )

    def test_draft_policy(self):
        self.backend.posting_policy = "draft"
        order = self.add_order()
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "draft")
        self.assert_matches_store(move, order)

    def test_cancelled_or_declined_orders_are_not_invoiced(self):
        """They are kept as skipped orders, with their reason and no invoice
        (they used to leave no trace outside the job queue)."""
        for status_id, label in ((5, "Cancelled"), (6, "Declined")):
            order = self.add_order(status_id=status_id)
            result = self.import_order(order, expect="skipped")
            self.assertIn("not invoiced", result)
            binding = self.binding(order)
            self.assertEqual(binding.sync_state, "skipped")
            self.assertIn(label, binding.skip_reason)
            self.assertEqual(binding.status, str(status_id))
            self.assertFalse(binding.move_id)
            self.assertFalse(binding.partner_id)
            self.assertEqual(binding.total_inc_tax, float(order["total_inc_tax"]))
            self.assertEqual(binding.currency_id.name, "USD")
            self.assertFalse(
                self.env["account.move"].search([("ref", "=", str(order["id"]))])
            )
            self.assertFalse(self.failure(order))

    def test_order_cancelled_before_posting_cancels_the_draft(self):
        self.backend.posting_policy = "draft"
        order = self.add_order()
        self.import_order(order)
        move = self.binding(order).move_id
        self.simulator.state.set_order_status(order["id"], 5)
        self.import_order(order)
        self.assertEqual(move.state, "cancel")
        self.assertEqual(self.binding(order).status, "5")
        self.assertTrue(
            move.message_ids.filtered(
                lambda m: "draft invoice was cancelled" in (m.body or "")
            )
        )

    def test_order_cancelled_after_posting_is_noted(self):
        order = self.add_order()
        self.import_order(order)
        move = self.binding(order).move_id
        self.simulator.state.set_order_status(order["id"], 5)
        self.import_order(order)
        self.assertEqual(move.state, "posted", "a credit note is the accountant's call")
        self.assertTrue(
            move.message_ids.filtered(lambda m: "Cancelled" in (m.body or ""))
        )

    def test_incomplete_order_is_not_invoiced(self):
        order = self.add_order(status_id=0)
        result = self.import_order(order, expect="skipped")
        self.assertIn("Incomplete: not invoiced", result)
        binding = self.binding(order)
        self.assertEqual(binding.sync_state, "skipped")
        self.assertIn("Incomplete", binding.skip_reason)
        self.assertFalse(binding.move_id)
        self.assertFalse(self.failure(order))

    def test_skipped_orders_show_in_the_not_invoiced_filter(self):
        skipped = self.add_order(status_id=5)
        invoiced = self.add_order()
        self.import_order(skipped, expect="skipped")
        self.import_order(invoiced)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_order_action"
        )
        search = self.env["bigcommerce.order"].get_view(view_type="search")["arch"]
        self.assertIn('name="no_invoice"', search)
        not_invoiced = self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id), ("move_id", "=", False)]
        )
        self.assertIn(self.binding(skipped), not_invoiced)
        self.assertNotIn(self.binding(invoiced), not_invoiced)
        self.assertIn("graph", action["view_mode"])
        self.assertIn("pivot", action["view_mode"])

    def test_skipped_order_that_sells_later_is_invoiced(self):
        """An incomplete checkout completed later: the same binding gets
        the invoice, and the reason goes."""
        order = self.add_order(status_id=0)
        self.import_order(order, expect="skipped")
        binding = self.binding(order)
        self.simulator.state.set_order_status(order["id"], 11)
        self.import_order(order)
        self.assertEqual(self.binding(order), binding)
        self.assertEqual(binding.sync_state, "done")
        self.assertFalse(binding.skip_reason)
        self.assertEqual(binding.move_id.state, "posted")

    # -- idempotency -----------------------------------------------------------
    def test_importing_twice_leaves_one_invoice(self):
        order = self.add_order()
        self.import_order(order)
        move = self.binding(order).move_id
        moves_before = self.env["account.move"].search_count([])
        self.import_order(order)
        self.import_order(order)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertEqual(self.binding(order).move_id, move)

    def test_update_of_posted_invoice_goes_to_chatter(self):
        order = self.add_order()
        self.import_order(order)
        move = self.binding(order).move_id
        self.simulator.state.set_order_status(order["id"], 2)
        self.import_order(order)
        self.assertEqual(self.binding(order).move_id, move)
        self.assertEqual(self.binding(order).status, "2")
        self.assertEqual(move.state, "posted")
        notes = move.message_ids.filtered(
            lambda m: "the posted invoice was not modified" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn("Shipped", notes.body)

    def test_update_of_posted_invoice_keeps_its_customer(self):
        address = {
            "first_name": "Ann",
            "last_name": "Guest",
            "email": "ann@example.com",
        }
        order = self.add_order(customer_id=0, billing_address=address)
        self.import_order(order)
        move = self.binding(order).move_id
        edited = self.add_order(
            customer_id=0, billing_address=dict(address, email="ann.new@example.com")
        )
        with serve_as(order["id"], edited["id"]):
            self.import_order(order)
        self.assertEqual(self.binding(order).partner_id, move.partner_id)
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "ann.new@example.com")])
        )

    def change_currency(self, order, code):
        """The merchant changes the order's currency on the store (its
        amounts stay the same figures)."""
        self.simulator.state.update_order(
            order["id"],
            currency_code=code,
            currency_id=currency_id(code),
            default_currency_code=code,
            default_currency_id=currency_id(code),
        )

    def test_currency_changed_after_posting_is_noted_and_the_order_keeps_the_invoice_s(
        self,
    ):
        eur = self.setup_other_currency("EUR")
        order = self.add_order()
        self.import_order(order)
        binding = self.binding(order)
        move = binding.move_id
        usd = move.currency_id
        self.assertEqual((move.state, usd.name), ("posted", "USD"))
        invoice_before = (
            move.currency_id,
            move.amount_untaxed,
            move.amount_tax,
            move.amount_total,
            move.invoice_line_ids.ids,
            move.payment_state,
        )
        amounts_before = (
            binding.total_ex_tax,
            binding.total_tax,
            binding.total_inc_tax,
        )
        self.change_currency(order, "EUR")
        self.import_order(order)
        self.assertEqual(binding.move_id, move)
        self.assertEqual(move.state, "posted")
        self.assertEqual(
            (
                move.currency_id,
                move.amount_untaxed,
                move.amount_tax,
                move.amount_total,
                move.invoice_line_ids.ids,
                move.payment_state,
            ),
            invoice_before,
            "the posted invoice is unchanged",
        )
        self.assertEqual(binding.currency_id, usd, "the order keeps the invoice's")
        self.assertEqual(
            (binding.total_ex_tax, binding.total_tax, binding.total_inc_tax),
            amounts_before,
        )
        self.assertEqual(binding.store_currency_id, eur)

        def notes(record):
            return record.message_ids.filtered(
                lambda m: (
                    "changed on BigCommerce after its invoice was posted"
                    in (m.body or "")
                )
            )

        for record in (binding, move):
            note = notes(record)
            self.assertEqual(len(note), 1, record._name)
            self.assertIn("Currency USD \N{RIGHTWARDS ARROW} EUR", note.body)
            self.assertIn("the posted invoice was not modified", note.body)
            self.assertIn("stay in USD", note.body)
            self.assertIn(f"{order['total_inc_tax'][:-2]} EUR", note.body)
            self.assertIn("Reverse", note.body)
            self.assertNotIn("nothing changed", note.body)
        form = self.env["bigcommerce.order"].get_view(view_type="form")["arch"]
        self.assertIn('name="store_currency_id"', form)

        # Said once: importing again changes nothing, and says so.
        self.import_order(order)
        self.assertEqual(len(notes(binding)), 1)
        self.assertEqual(len(notes(move)), 1)
        self.assertEqual(binding.currency_id, usd)
        self.assertIn("nothing changed", binding.message_ids[:1].body)

        # Set back on the store: the order is in its invoice's currency again.
        self.change_currency(order, "USD")
        self.import_order(order)
        self.assertFalse(binding.store_currency_id)
        self.assertEqual(binding.currency_id, usd)
        self.assertEqual(binding.total_inc_tax, amounts_before[2])
        self.assertIn(
            "Currency EUR \N{RIGHTWARDS ARROW} USD", binding.message_ids[:1].body
        )

    def test_payment_in_another_currency_than_the_posted_invoice_is_not_registered(
        self,
    ):
        self.setup_other_currency("EUR")
        self.backend.register_payments = False
        order = self.add_order()
        self.import_order(order)
        binding = self.binding(order)
        move = binding.move_id
        self.assertEqual((move.state, move.payment_state), ("posted", "not_paid"))
        self.backend.register_payments = True
        self.change_currency(order, "EUR")
        self.import_order(order)
        self.assertEqual(move.payment_state, "not_paid")
        self.assertEqual(move.amount_residual, move.amount_total)
        self.assertIn("Payment not registered", binding.payment_note)
        self.assertIn("EUR", binding.payment_note)
        self.assertIn("USD", binding.payment_note)

    def test_update_of_draft_invoice_rewrites_it(self):
        self.backend.posting_policy = "draft"
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 1}])
        self.import_order(order)
        move = self.binding(order).move_id
        # The merchant edits the order on the store: now 4 mugs and shipping.
        edited = self.add_order(
            lines=[{"sku": "MUG-BLK", "quantity": 4}], shipping="6.00"
        )
        with serve_as(order["id"], edited["id"]):
            self.import_order(order)
        self.assertEqual(self.binding(order).move_id, move)
        self.assertEqual(move.state, "draft")
        self.assertEqual(
            sum(move.invoice_line_ids.filtered("product_id").mapped("quantity")), 4
        )
        self.assert_matches_store(move, edited)

    def test_worker_holding_the_order_makes_others_retry(self):
        """A second database connection holds the order: this one retries."""
        order = self.add_order()
        self.env.cr.execute("SELECT 1")  # the test cursor is open
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            key = BigCommerceBinder(self.backend, "order").lock_key(order["id"])
            other.execute("SELECT pg_advisory_lock(%s)", [key])
            with self.assertRaises(RetryableJobError):
                self.import_order(order)
            self.assertFalse(self.binding(order))
        finally:
            other.execute("SELECT pg_advisory_unlock_all()")
            other.close()
        self.import_order(order)
        self.assertEqual(len(self.binding(order)), 1)

    def test_concurrent_insert_loses_to_the_unique_index(self):
        """Two workers that both saw no invoice: the database keeps one."""
        order = self.add_order()
        self.import_order(order)
        move = self.binding(order).move_id
        moves_before = self.env["account.move"].search_count([])
        # This worker read before the other one committed: it sees nothing.
        with (
            mock.patch.object(
                BigCommerceBinder, "to_bindings", lambda binder, ids: binder.bindings
            ),
            mute_logger("odoo.sql_db"),
        ):
            with self.assertRaises(RetryableJobError):
                self.import_order(order)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertEqual(self.binding(order).move_id, move)

    # -- failures ------------------------------------------------------------
    def test_unknown_sku_fails_into_a_record_then_reprocesses(self):
        order = self.add_order(
            lines=[
                {"sku": "NEW-1", "name": "New thing", "price": "9.00", "quantity": 1}
            ]
        )
        moves_before = self.env["account.move"].search_count([])
        with mute_logger(IMPORT_LOGGER):
            self.import_order(order, expect="failed")
        self.assertEqual(
            self.env["account.move"].search_count([]),
            moves_before,
            "nothing half-written",
        )
        self.assertFalse(self.binding(order))
        failure = self.failure(order)
        self.assertEqual(failure.state, "open")
        self.assertIn("Unknown SKU 'NEW-1'", failure.reason)
        self.assertIn('"NEW-1"', failure.payload)
        self.assertEqual(failure.attempts, 1)
        self.assertIn("Unknown SKU", failure.message_ids[0].body)
        self.assertEqual(self.backend.failure_count, 1)
        # Same failure again: counted, not duplicated.
        self.import_order(order, expect="failed")
        self.assertEqual(failure.attempts, 2)
        self.assertEqual(len(self.failure(order)), 1)
        # The accountant creates the product and reprocesses.
        self._create_product(name="New thing", default_code="NEW-1")
        with trap_jobs() as trap:
            failure.action_reprocess()
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.backend._import_order,
                args=(order["id"],),
                kwargs={"origin": "reprocess"},
            )
            self.assertEqual(failure.state, "queued")
            trap.perform_enqueued_jobs()
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(self.binding(order).move_id.state, "posted")
        self.assertEqual(self.backend.failure_count, 0)

    def test_bulk_reprocess(self):
        orders = [
            self.add_order(lines=[{"sku": f"X-{i}", "price": "1.00", "quantity": 1}])
            for i in range(3)
        ]
        for order in orders:
            self.import_order(order, expect="failed")
        failures = self.env["bigcommerce.failure"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(len(failures), 3)
        with trap_jobs() as trap:
            failures.action_reprocess()
            trap.assert_jobs_count(3)

    def test_missing_account_is_a_failure(self):
        self.backend.shipping_account_id = False
        order = self.add_order(shipping="5.00")
        self.import_order(order, expect="failed")
        self.assertIn("Shipping Account", self.failure(order).reason)
        self.assertFalse(self.binding(order))

    def test_missing_tax_is_a_failure(self):
        order = self.add_order(
            lines=[{"sku": "MUG-BLK", "quantity": 1, "tax_rate": "0.07"}]
        )
        self.import_order(order, expect="failed")
        self.assertIn("No Odoo sales tax at 7%", self.failure(order).reason)

    def test_totals_mismatch_is_not_posted(self):
        order = self.add_order()

        def tampered(client, order_id):
            return dict(REAL_GET_ORDER(client, order_id), total_inc_tax="999.0000")

        with mock.patch.object(BigCommerceClient, "get_order", tampered):
            self.import_order(order, expect="failed")
        failure = self.failure(order)
        self.assertIn("does not reconcile", failure.reason)
        self.assertIn("999", failure.reason)
        self.assertFalse(self.binding(order))
        self.assertFalse(
            kinds.binder(self.backend, "order").to_record(order["id"], "account.move")
        )

    def test_fatal_api_error_is_a_failure(self):
        import_order_job(self.backend, 424242)
        failure = self.env["bigcommerce.failure"].search(
            [("bigcommerce_id", "=", "424242")]
        )
        self.assertIn("404", failure.reason)

    def test_transient_error_retries_through_the_queue(self):
        self.simulator.faults.inject("503", count=50)
        order = self.add_order()
        with mock.patch("time.sleep"), self.assertRaises(RetryableJobError):
            self.import_order(order)
        self.simulator.faults.clear()
        self.assertFalse(self.failure(order), "transient faults are not failures")
        self.assertFalse(self.binding(order))
