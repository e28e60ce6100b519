# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refunds become credit notes, line by line, against the simulator."""

from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce import BigCommerceClient
from .common import BigCommerceAccountingCase, import_refund_job

IMPORT_LOGGER = "odoo.addons.bigcommerce_connector.components.importer"
REAL_GET_REFUND = BigCommerceClient.get_refund


@tagged("post_install", "-at_install")
class TestRefundImport(BigCommerceAccountingCase):
    # -- helpers ---------
    def products_of(self, order):
        return self.simulator.state.order_products(order["id"])

    def address_of(self, order):
        return self.simulator.state.order_record(order["id"]).shipping_addresses[0]

    def refund(self, order, items, **options):
        return self.simulator.state.add_refund(order["id"], items, **options)

    def product_item(self, line, quantity=None):
        return {
            "item_type": "PRODUCT",
            "item_id": line["id"],
            "quantity": quantity or line["quantity"],
        }

    def import_refund(self, refund, with_order=True):
        return import_refund_job(
            self.backend, refund["id"], refund["order_id"] if with_order else None
        )

    def refund_binding(self, refund):
        return self.env["bigcommerce.refund"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", refund["id"]),
            ]
        )

    def credit_notes(self, invoice):
        return self.env["account.move"].search(
            [("reversed_entry_id", "=", invoice.id)], order="id"
        )

    def assert_matches_refund(self, move, refund):
        """The credit note's totals are the refund's, to the cent."""
        total = round(float(refund["total_amount"]), 2)
        self.assertEqual(move.currency_id.round(move.amount_total), total)
        if refund["items"]:
            self.assertEqual(
                move.currency_id.round(move.amount_tax),
                round(float(refund["total_tax"]), 2),
            )

    # -- one credit note per refund, line by line ---------
    def test_full_refund_credits_the_whole_invoice(self):
        plan = self.env["account.analytic.plan"].create({"name": "Channels"})
        web = self.env["account.analytic.account"].create(
            {"name": "Web shop", "plan_id": plan.id}
        )
        self.backend.analytic_distribution = {str(web.id): 100}
        order = self.add_order(
            lines=[
                {"sku": "MUG-BLK", "quantity": 3},
                {"sku": "BOOK-1", "quantity": 1},
            ],
            shipping="7.95",
            handling="2.00",
            coupons=[{"code": "SAVE5", "type": 2, "amount": "5.00"}],
        )
        self.import_order(order)
        invoice = self.binding(order).move_id
        address = self.address_of(order)["id"]
        refund = self.refund(
            order,
            [self.product_item(line) for line in self.products_of(order)]
            + [
                {"item_type": "SHIPPING", "item_id": address},
                {"item_type": "HANDLING", "item_id": address},
            ],
            reason="Parcel lost",
        )
        result = self.import_refund(refund)
        binding = self.refund_binding(refund)
        credit_note = binding.move_id
        self.assertIn(credit_note.display_name, result)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.partner_id, invoice.partner_id)
        self.assertEqual(credit_note.journal_id, invoice.journal_id)
        self.assertIn("Parcel lost", credit_note.ref)
        self.assert_matches_refund(credit_note, refund)
        # The whole invoice is credited, account by account, tax by tax.
        self.assertEqual(
            self.lines_by_account(credit_note), self.lines_by_account(invoice)
        )
        self.assertEqual(credit_note.amount_total, invoice.amount_total)
        self.assertEqual(credit_note.amount_tax, invoice.amount_tax)
        self.assertEqual(
            set(credit_note.invoice_line_ids.mapped("tax_ids")),
            set(invoice.invoice_line_ids.mapped("tax_ids")),
        )
        for line in credit_note.invoice_line_ids:
            self.assertEqual(line.analytic_distribution, {str(web.id): 100})
        # The binding: the refund, its order, its credit note.
        order_binding = self.binding(order)
        self.assertEqual(binding.order_id, order_binding)
        self.assertEqual(binding.bigcommerce_order_id, order["id"])
        self.assertEqual(binding.reason, "Parcel lost")
        self.assertEqual(binding.credit_state, "credited")
        self.assertAlmostEqual(binding.total_amount, float(refund["total_amount"]))
        self.assertEqual(order_binding.refund_ids, binding)
        self.assertAlmostEqual(
            order_binding.amount_refunded, order_binding.total_inc_tax
        )
        self.assertAlmostEqual(order_binding.amount_balance, 0.0)
        # Tracing both ways.
        self.assertEqual(credit_note.bigcommerce_refund_count, 1)
        self.assertEqual(
            credit_note.action_open_bigcommerce_refund()["res_id"], binding.id
        )
        self.assertEqual(binding.action_open_credit_note()["res_id"], credit_note.id)
        self.assertIn(
            f"refund #{refund['id']}",
            " ".join(invoice.message_ids.mapped("preview")),
        )

    def test_part_of_one_line_keeps_its_account_tax_and_unit_price(self):
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 4}])
        self.import_order(order)
        invoice = self.binding(order).move_id
        line = self.products_of(order)[0]
        refund = self.refund(order, [self.product_item(line, 1)], reason="Chipped")
        self.import_refund(refund)
        credit_note = self.refund_binding(refund).move_id
        self.assert_matches_refund(credit_note, refund)
        (credit_line,) = credit_note.invoice_line_ids
        invoice_line = invoice.invoice_line_ids.filtered(
            lambda line: line.product_id == self.product_mug
        )
        self.assertEqual(credit_line.product_id, self.product_mug)
        self.assertEqual(credit_line.quantity, 1)
        self.assertEqual(credit_line.price_unit, 12.5)
        self.assertEqual(credit_line.account_id, invoice_line.account_id)
        self.assertEqual(credit_line.tax_ids, self.tax_825)
        self.assertAlmostEqual(credit_note.amount_total, 13.53)
        order_binding = self.binding(order)
        self.assertAlmostEqual(order_binding.amount_refunded, 13.53)
        self.assertAlmostEqual(
            order_binding.amount_balance, order_binding.total_inc_tax - 13.53
        )

    def test_credit_notes_follow_the_posting_policy(self):
        self.backend.posting_policy = "draft"
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 2}])
        self.import_order(order)
        refund = self.refund(order, [self.product_item(self.products_of(order)[0], 1)])
        self.import_refund(refund)
        credit_note = self.refund_binding(refund).move_id
        self.assertEqual(credit_note.state, "draft")
        self.assert_matches_refund(credit_note, refund)
        # A draft credit note is still the refund's: not credited again.
        self.assertIn("already credited", self.import_refund(refund))

    def test_several_refunds_on_one_order(self):
        order = self.add_order(
            lines=[{"sku": "MUG-BLK", "quantity": 3}, {"sku": "BOOK-1", "quantity": 2}],
            shipping="6.00",
        )
        self.import_order(order)
        invoice = self.binding(order).move_id
        mug, book = self.products_of(order)
        refunds = [
            self.refund(order, [self.product_item(mug, 1)]),
            self.refund(order, [self.product_item(mug, 2), self.product_item(book, 1)]),
            self.refund(
                order,
                [
                    {
                        "item_type": "ORDER",
                        "item_id": order["id"],
                        "amount": "3.00",
                        "reason": "Goodwill",
                    }
                ],
            ),
        ]
        for refund in refunds:
            self.import_refund(refund)
        credit_notes = self.credit_notes(invoice)
        self.assertEqual(len(credit_notes), 3)
        for refund in refunds:
            self.assert_matches_refund(self.refund_binding(refund).move_id, refund)
        order_binding = self.binding(order)
        self.assertEqual(len(order_binding.refund_ids), 3)
        refunded = round(sum(float(r["total_amount"]) for r in refunds), 2)
        self.assertAlmostEqual(sum(credit_notes.mapped("amount_total")), refunded)
        self.assertAlmostEqual(order_binding.amount_refunded, refunded)
        # The order-level amount goes on the discount account (no refund
        # account set), without tax.
        goodwill = self.refund_binding(refunds[2]).move_id.invoice_line_ids
        self.assertEqual(goodwill.account_id, self.account_discount)
        self.assertFalse(goodwill.tax_ids)
        self.assertEqual(
            self.lines_by_account(goodwill.move_id), {self.account_discount: 3.0}
        )

    def test_shipping_only_refund(self):
        order = self.add_order(shipping="10.00")
        self.import_order(order)
        invoice = self.binding(order).move_id
        refund = self.refund(
            order,
            [
                {
                    "item_type": "SHIPPING",
                    "item_id": self.address_of(order)["id"],
                    "amount": "5.00",
                }
            ],
        )
        self.import_refund(refund)
        credit_note = self.refund_binding(refund).move_id
        self.assert_matches_refund(credit_note, refund)
        (line,) = credit_note.invoice_line_ids
        shipping_line = invoice.invoice_line_ids.filtered(
            lambda line: line.account_id == self.account_shipping
        )
        self.assertEqual(line.account_id, self.account_shipping)
        self.assertEqual(line.tax_ids, shipping_line.tax_ids)
        self.assertFalse(line.product_id)
        self.assertAlmostEqual(credit_note.amount_total, 5.0)

    def test_gift_wrapping_and_handling_refunds_go_to_their_accounts(self):
        self.backend.refund_account_id = self.account_fallback
        order = self.add_order(
            lines=[{"sku": "MUG-BLK", "quantity": 1}],
            handling="3.00",
            wrapping="4.00",
            wrapping_tax_rate="0.20",
        )
        self.import_order(order)
        invoice = self.binding(order).move_id
        refund = self.refund(
            order,
            [
                {
                    "item_type": "GIFT_WRAPPING",
                    "item_id": self.products_of(order)[0]["id"],
                },
                {
                    "item_type": "HANDLING",
                    "item_id": self.address_of(order)["id"],
                    "amount": "1.00",
                },
                {"item_type": "ORDER", "item_id": order["id"], "amount": "2.50"},
            ],
        )
        self.import_refund(refund)
        credit_note = self.refund_binding(refund).move_id
        self.assert_matches_refund(credit_note, refund)
        by_account = self.lines_by_account(credit_note)
        self.assertEqual(by_account[self.account_wrapping], 4.0)
        self.assertEqual(by_account[self.account_fallback], 2.5)
        self.assertIn(self.account_handling, by_account)
        wrapping = credit_note.invoice_line_ids.filtered(
            lambda line: line.account_id == self.account_wrapping
        )
        self.assertEqual(wrapping.tax_ids, self.tax_20)
        self.assertEqual(
            wrapping.tax_ids,
            invoice.invoice_line_ids.filtered(
                lambda line: line.account_id == self.account_wrapping
            ).tax_ids,
        )

    def test_tax_adjustment_only_refund_returns_tax(self):
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 2}])
        self.import_order(order)
        refund = self.simulator.state.add_tax_adjustment_refund(
            order["id"], "1.00", reason="Tax overcharged"
        )
        # The test's taxes book to no account: nowhere to return tax from.
        with mute_logger(IMPORT_LOGGER):
            self.assertIn("books to no account", self.import_refund(refund))
        tax_account = self.company_data["default_account_tax_sale"]
        repartition = self.tax_825.refund_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax"
        )
        grid = self.env["account.account.tag"].create(
            {
                "name": "Refunded sales tax (test grid)",
                "applicability": "taxes",
                "country_id": self.env.company.account_fiscal_country_id.id,
            }
        )
        repartition.write({"account_id": tax_account.id, "tag_ids": [(6, 0, grid.ids)]})

        def grid_balance():
            lines = self.env["account.move.line"].search(
                [("tax_tag_ids", "in", grid.ids), ("parent_state", "=", "posted")]
            )
            return round(sum(lines.mapped("balance")), 2)

        self.assertEqual(grid_balance(), 0.0)
        self.import_refund(refund)
        credit_note = self.refund_binding(refund).move_id
        self.assertEqual(credit_note.state, "posted")
        # Booked as tax: on the tax's distribution for credit notes, in its
        # grid, so that the tax report counts it; no revenue moves.
        tax_line = credit_note.line_ids.filtered(lambda ml: ml.display_type == "tax")
        self.assertEqual(tax_line.tax_repartition_line_id, repartition)
        self.assertEqual(tax_line.tax_line_id, self.tax_825)
        self.assertEqual(tax_line.tax_tag_ids, grid)
        self.assertEqual(tax_line.account_id, tax_account)
        self.assertAlmostEqual(tax_line.balance, 1.0)
        self.assertEqual(grid_balance(), 1.0)
        (line,) = credit_note.invoice_line_ids
        self.assertEqual(line.tax_ids, self.tax_825)
        self.assertAlmostEqual(line.balance, 0.0)
        self.assertAlmostEqual(credit_note.amount_untaxed, 0.0)
        self.assertAlmostEqual(credit_note.amount_tax, 1.0)
        self.assertAlmostEqual(credit_note.amount_total, 1.0)
        # The document shows it as tax too.
        self.assertAlmostEqual(credit_note.tax_totals["tax_amount_currency"], 1.0)
        self.assertAlmostEqual(credit_note.tax_totals["total_amount_currency"], 1.0)
        receivable = credit_note.line_ids.filtered(
            lambda ml: ml.display_type == "payment_term"
        )
        self.assertAlmostEqual(receivable.balance, -1.0)
        self.assertIn("Tax overcharged", credit_note.ref)

    def test_tax_only_refund_over_two_taxes_books_each_on_its_own(self):
        order = self.add_order(
            lines=[
                {"sku": "MUG-BLK", "quantity": 2},
                {"sku": "BOOK-1", "quantity": 1, "price": "30.00", "tax_rate": "0.20"},
            ]
        )
        self.import_order(order)
        invoice = self.binding(order).move_id
        tax_account = self.company_data["default_account_tax_sale"]
        for tax in self.tax_825 | self.tax_20:
            tax.refund_repartition_line_ids.filtered(
                lambda r: r.repartition_type == "tax"
            ).account_id = tax_account
        refund = self.simulator.state.add_tax_adjustment_refund(order["id"], "3.00")
        self.import_refund(refund)
        credit_note = self.refund_binding(refund).move_id
        self.assertAlmostEqual(credit_note.amount_tax, 3.0)
        self.assertAlmostEqual(credit_note.amount_untaxed, 0.0)
        tax_lines = credit_note.line_ids.filtered(lambda ml: ml.display_type == "tax")
        self.assertEqual(tax_lines.tax_line_id, self.tax_825 | self.tax_20)
        self.assertEqual(
            tax_lines.tax_repartition_line_id,
            (
                self.tax_825.refund_repartition_line_ids
                | self.tax_20.refund_repartition_line_ids
            ).filtered(lambda r: r.repartition_type == "tax"),
        )
        # Spread in proportion to what each tax charged on the invoice.
        charged = {
            line.tax_line_id: -line.balance
            for line in invoice.line_ids.filtered(lambda ml: ml.display_type == "tax")
        }
        total = sum(charged.values())
        for line in tax_lines:
            share = 3.0 * charged[line.tax_line_id] / total
            self.assertAlmostEqual(line.balance, share, delta=0.01)
        self.assertAlmostEqual(sum(tax_lines.mapped("balance")), 3.0)

    def test_refund_of_a_tax_inclusive_order(self):
        order = self.add_order(
            lines=[{"sku": "BOOK-1", "quantity": 3}],
            shipping="4.99",
            tax_inclusive=True,
        )
        self.import_order(order)
        line = self.products_of(order)[0]
        refund = self.refund(
            order,
            [
                self.product_item(line, 2),
                {"item_type": "SHIPPING", "item_id": self.address_of(order)["id"]},
            ],
        )
        self.import_refund(refund)
        credit_note = self.refund_binding(refund).move_id
        self.assert_matches_refund(credit_note, refund)
        self.assertEqual(
            credit_note.invoice_line_ids.tax_ids.mapped("price_include"), [False]
        )

    def test_refund_in_a_foreign_currency(self):
        eur = self.setup_other_currency("EUR")
        order = self.add_order(currency="EUR", exchange_rate="0.92")
        self.import_order(order)
        invoice = self.binding(order).move_id
        self.assertEqual(invoice.currency_id, eur)
        refund = self.refund(order, [self.product_item(self.products_of(order)[0], 1)])
        self.import_refund(refund)
        binding = self.refund_binding(refund)
        credit_note = binding.move_id
        self.assertEqual(credit_note.currency_id, eur)
        self.assertEqual(binding.currency_id, eur)
        self.assert_matches_refund(credit_note, refund)

    # -- what cannot be credited right ---------
    def test_a_refund_that_does_not_reconcile_becomes_a_failure(self):
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 2}])
        self.import_order(order)
        refund = self.refund(order, [self.product_item(self.products_of(order)[0], 1)])

        def overridden(client, refund_id):
            data = REAL_GET_REFUND(client, refund_id)
            return dict(
                data,
                total_amount=data["total_amount"] + 2,
                uses_merchant_override_values=True,
            )

        with mock.patch.object(BigCommerceClient, "get_refund", overridden):
            result = self.import_refund(refund)
        self.assertIn("failed", result)
        failure = self.env["bigcommerce.failure"].search(
            [("record_type", "=", "refund"), ("bigcommerce_id", "=", str(refund["id"]))]
        )
        self.assertEqual(failure.state, "open")
        self.assertIn("difference 2.00", failure.reason)
        self.assertIn("merchant overrode", failure.reason)
        self.assertFalse(self.credit_notes(self.binding(order).move_id))
        # Reprocessing queues the refund again; the import then succeeds.
        with trap_jobs() as trap:
            failure.action_reprocess()
            trap.assert_jobs_count(1)
            self.assertEqual(trap.enqueued_jobs[0].method_name, "_import_refund")
            trap.perform_enqueued_jobs()
        self.assertEqual(failure.state, "resolved")
        self.assert_matches_refund(self.refund_binding(refund).move_id, refund)

    # -- twice, at once, early ---------
    def test_duplicated_refund_is_credited_once(self):
        order = self.add_order()
        self.import_order(order)
        refund = self.refund(order, [self.product_item(self.products_of(order)[0], 1)])
        self.import_refund(refund)
        requests = len(self.simulator.requests)
        second = self.import_refund(refund)
        self.assertIn("already credited", second)
        self.assertEqual(len(self.simulator.requests), requests, "no call to the store")
        self.assertEqual(len(self.credit_notes(self.binding(order).move_id)), 1)
        self.assertEqual(len(self.refund_binding(refund)), 1)

    def test_refund_before_its_order_imports_the_order_first(self):
        order = self.add_order(lines=[{"sku": "BOOK-1", "quantity": 2}])
        refund = self.refund(order, [self.product_item(self.products_of(order)[0], 1)])
        self.assertFalse(self.binding(order))
        with trap_jobs() as trap:
            self.import_refund(refund, with_order=False)
            # The order's import does not queue the refund this job credits.
            self.assertFalse(
                [j for j in trap.enqueued_jobs if j.method_name == "_import_refund"]
            )
        invoice = self.binding(order).move_id
        self.assertEqual(invoice.state, "posted")
        credit_note = self.refund_binding(refund).move_id
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assert_matches_refund(credit_note, refund)

    def test_refund_of_an_order_that_cannot_be_invoiced_yet_waits(self):
        self.simulator.state.add_product(sku="NEW-SKU", name="New", price="8.00")
        order = self.add_order(lines=[{"sku": "NEW-SKU", "quantity": 1}])
        refund = self.refund(order, [self.product_item(self.products_of(order)[0])])
        with mute_logger(IMPORT_LOGGER):
            result = self.import_refund(refund)
        self.assertIn("no invoice to credit yet", result)
        binding = self.refund_binding(refund)
        self.assertEqual(binding.credit_state, "waiting")
        self.assertIn("Unknown SKU", binding.note)
        # The order failed (that is its own failure to fix); the refund did not.
        self.assertEqual(self.failure(order).record_type, "order")
        self.assertFalse(
            self.env["bigcommerce.failure"].search(
                [
                    ("record_type", "=", "refund"),
                    ("bigcommerce_id", "=", str(refund["id"])),
                ]
            )
        )
        # Once the product exists and the order is reprocessed, the refund is
        # queued and credited.
        self._create_product(name="New", default_code="NEW-SKU", lst_price=8.0)
        with trap_jobs() as trap:
            self.failure(order).action_reprocess()
            trap.perform_enqueued_jobs()  # the order's import queues the refund
            # (and the import of its customer, whose first order it is)
            self.assertEqual(
                sorted(j.method_name for j in trap.enqueued_jobs),
                ["_import_customer", "_import_refund"],
            )
            trap.perform_enqueued_jobs()
        self.assertEqual(binding.credit_state, "credited")
        self.assertFalse(binding.note)
        self.assert_matches_refund(binding.move_id, refund)
        self.assertEqual(binding.order_id, self.binding(order))

    def test_importing_a_refunded_order_queues_its_refunds(self):
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 3}])
        line = self.products_of(order)[0]
        first = self.refund(order, [self.product_item(line, 1)])
        second = self.refund(order, [self.product_item(line, 1)])
        with trap_jobs() as trap:
            self.import_order(order)
            queued = [
                j.args[0]
                for j in trap.enqueued_jobs
                if j.method_name == "_import_refund"
            ]
            self.assertEqual(queued, [first["id"], second["id"]])
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.credit_notes(self.binding(order).move_id)), 2)
        # A later update of the order lists nothing again.
        with trap_jobs() as trap:
            self.import_order(order)
            trap.assert_jobs_count(0)

    # -- catch-up ---------
    def test_refund_catch_up_after_missed_webhooks(self):
        since = fields.Datetime.now() - timedelta(hours=1)
        self.backend.refunds_created_since = since
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 3}])
        self.import_order(order)
        line = self.products_of(order)[0]
        credited = self.refund(order, [self.product_item(line, 1)])
        self.import_refund(credited)
        missed = [self.refund(order, [self.product_item(line, 1)]) for _ in range(2)]
        with trap_jobs() as trap:
            result = self.backend._catch_up_refunds()
            queued = [
                j.args for j in trap.enqueued_jobs if j.method_name == "_import_refund"
            ]
            self.assertIn((missed[0]["id"], order["id"]), queued)
            self.assertIn((missed[1]["id"], order["id"]), queued)
            self.assertNotIn(credited["id"], [args[0] for args in queued])
            self.assertIn("refund(s) queued", result)
            trap.perform_enqueued_jobs()
        self.assertGreater(self.backend.refunds_created_since, since)
        self.assertEqual(len(self.credit_notes(self.binding(order).move_id)), 3)
        listing = [
            r
            for r in self.simulator.requests
            if r["path"].endswith("/v3/orders/payment_actions/refunds")
        ][-1]
        self.assertIn("created:min", listing["query"])
        self.assertIn("created:max", listing["query"])

    def test_scheduler_queues_the_refund_catch_up(self):
        with trap_jobs() as trap:
            self.env["bigcommerce.backend"]._scheduler_catch_up_orders()
            methods = [
                j.method_name for j in trap.enqueued_jobs if j.recordset == self.backend
            ]
        self.assertEqual(
            sorted(methods),
            ["_catch_up_customers", "_catch_up_orders", "_catch_up_refunds"],
        )

    # -- an order cancelled after it was invoiced ---------
    def cancel_after_invoicing(self, policy):
        self.backend.cancelled_invoice_policy = policy
        order = self.add_order()
        self.import_order(order)
        invoice = self.binding(order).move_id
        self.assertEqual(invoice.state, "posted")
        self.simulator.state.set_order_status(order["id"], 5)
        self.import_order(order)
        return order, invoice

    def test_cancelled_after_invoicing_reverses_the_invoice(self):
        order, invoice = self.cancel_after_invoicing("reverse")
        binding = self.binding(order)
        reversal = binding.cancel_move_id
        self.assertEqual(reversal.move_type, "out_refund")
        self.assertEqual(reversal.reversed_entry_id, invoice)
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(reversal.amount_total, invoice.amount_total)
        # The invoice was paid: it keeps its payment, and the credit note is
        # owed to the customer until the store records a refund.
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(reversal.payment_state, "not_paid")
        self.assertIn("no refund recorded", binding.cancel_note)
        self.assertIn(
            "reversed in full", " ".join(invoice.message_ids.mapped("preview"))
        )
        # Imported again: reversed once.
        self.import_order(order)
        self.assertEqual(self.credit_notes(invoice), reversal)
        self.assertFalse(
            self.env["bigcommerce.failure"].search(
                [("record_type", "=", "cancelled_invoice")]
            )
        )

    def test_refund_after_the_cancellation_reversal_is_not_credited_twice(self):
        order, invoice = self.cancel_after_invoicing("reverse")
        reversal = self.binding(order).cancel_move_id
        refund = self.refund(order, [self.product_item(self.products_of(order)[0])])
        result = self.import_refund(refund)
        self.assertIn("Covered by", result)
        binding = self.refund_binding(refund)
        self.assertEqual(binding.move_id, reversal)
        self.assertEqual(binding.credit_state, "credited")
        self.assertEqual(self.credit_notes(invoice), reversal)

    def test_cancelled_after_invoicing_raises_a_failure_for_an_accountant(self):
        order, invoice = self.cancel_after_invoicing("failure")
        failure = self.env["bigcommerce.failure"].search(
            [
                ("record_type", "=", "cancelled_invoice"),
                ("bigcommerce_id", "=", str(order["id"])),
            ]
        )
        self.assertEqual(failure.state, "open")
        self.assertIn("Cancelled on BigCommerce after its invoice", failure.reason)
        self.assertFalse(self.credit_notes(invoice))
        self.assertEqual(invoice.state, "posted")
        # Imported again: the same one failure.
        self.import_order(order)
        self.assertEqual(failure.attempts, 1)
        # The accountant reverses the invoice; reprocessing resolves it.
        invoice._reverse_moves(cancel=True)
        with trap_jobs() as trap:
            failure.action_reprocess()
            trap.perform_enqueued_jobs()
        self.assertEqual(failure.state, "resolved")
        self.assertFalse(self.binding(order).cancel_move_id)

    def test_cancelled_after_a_partial_refund_is_raised(self):
        self.backend.cancelled_invoice_policy = "reverse"
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 2}])
        self.import_order(order)
        invoice = self.binding(order).move_id
        refund = self.refund(order, [self.product_item(self.products_of(order)[0], 1)])
        self.import_refund(refund)
        self.simulator.state.set_order_status(order["id"], 5)
        self.import_order(order)
        failure = self.env["bigcommerce.failure"].search(
            [
                ("record_type", "=", "cancelled_invoice"),
                ("bigcommerce_id", "=", str(order["id"])),
            ]
        )
        self.assertIn("partly refunded", failure.reason)
        self.assertEqual(len(self.credit_notes(invoice)), 1)
