# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's set-up checks: each finds what is left to set, says what to
do, and its button opens the place to do it; done once it is set."""

from odoo import Command
from odoo.tests import tagged
from odoo.tools import config

from ..models.bigcommerce_backend_secrets import ENCRYPTION_KEY_OPTION
from .common import BigCommerceAccountingCase, BigCommerceAccountingHttpCase


@tagged("post_install", "-at_install")
class TestSetupChecks(BigCommerceAccountingCase):
    def check(self, code):
        self.backend._refresh_setup_checks()
        (check,) = self.backend.setup_check_ids.filtered(lambda c: c.code == code)
        return check

    def test_a_tax_without_account_or_grid_is_found_and_opened(self):
        company = self.backend.company_id
        tax_account = self.env["account.account"].create(
            {
                "code": "251900",
                "name": "Tax due",
                "account_type": "liability_current",
                "company_ids": [Command.set(company.ids)],
            }
        )
        grid = self.env["account.account.tag"].create(
            {
                "name": "+Box 9",
                "applicability": "taxes",
                "country_id": company.account_fiscal_country_id.id,
            }
        )
        Tax = self.env["account.tax"].with_company(company)
        bare = Tax.create(
            {
                "name": "Bare tax 7%",
                "amount": 7,
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        booked = Tax.create(
            {
                "name": "Booked tax 6%",
                "amount": 6,
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        # A tax line without an account nor a grid, whatever the defaults.
        bare.repartition_line_ids = [
            Command.clear(),
            *(
                Command.create({"document_type": document, "repartition_type": kind})
                for document in ("invoice", "refund")
                for kind in ("base", "tax")
            ),
        ]
        booked.repartition_line_ids = [
            Command.clear(),
            *(
                Command.create({"document_type": document, "repartition_type": kind})
                for document in ("invoice", "refund")
                for kind in ("base", "tax")
            ),
        ]
        booked.repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax"
        ).write({"account_id": tax_account.id, "tag_ids": [Command.set(grid.ids)]})
        check = self.check("taxes")
        self.assertEqual(check.state, "todo")
        self.assertIn(bare.id, check.record_ids)
        self.assertNotIn(booked.id, check.record_ids)
        self.assertTrue(
            check.message.startswith(f"{len(check.record_ids)} sales tax(es) book")
        )
        action = check.action_fix()
        self.assertEqual(action["res_model"], "account.tax")
        self.assertEqual(
            self.env["account.tax"].search(action["domain"]).ids, check.record_ids
        )
        # Every sales tax set: done.
        taxes = self.env["account.tax"].search(
            [("company_id", "=", company.id), ("type_tax_use", "=", "sale")]
        )
        taxes.repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax"
        ).write({"account_id": tax_account.id, "tag_ids": [Command.set(grid.ids)]})
        self.assertEqual(self.check("taxes").state, "ok")

    def test_a_payment_method_without_its_journal_is_named(self):
        order = self.add_order(payment_method="PayPal")
        self.import_order(order)
        self.assertEqual(
            self.env["bigcommerce.order"]
            .search([("bigcommerce_id", "=", order["id"])])
            .payment_method,
            "PayPal",
        )
        check = self.check("gateways")
        self.assertEqual(check.state, "todo")
        self.assertIn("PayPal", check.message)
        action = check.action_fix()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("bigcommerce.backend", self.backend.id),
        )
        journal = self.env["account.journal"].create(
            {"name": "PayPal clearing", "type": "bank", "code": "PPCL"}
        )
        self.backend.payment_journal_map_ids = [
            Command.create({"payment_method": "paypal", "journal_id": journal.id})
        ]
        self.assertEqual(self.check("gateways").state, "ok")

    def test_unset_accounts_are_named_and_needed_ones_are_to_do(self):
        self.assertEqual(self.check("accounts").state, "ok")
        self.backend.fee_account_id = False
        check = self.check("accounts")
        # Only orders with fees need it: said, not to do.
        self.assertEqual(check.state, "ok")
        self.assertIn("Fees Account", check.message)
        self.backend.shipping_account_id = False
        check = self.check("accounts")
        self.assertEqual(check.state, "todo")
        self.assertIn("Shipping Account", check.message)
        self.assertIn("Fees Account", check.message)

    def test_webhooks_unregistered_or_inactive_are_to_do(self):
        self.backend.webhook_subscription_ids.sudo().unlink()
        check = self.check("webhooks")
        self.assertEqual(check.state, "todo")
        self.assertIn("No webhook is registered", check.message)
        # Written by the connector's webhook check (as the superuser).
        Subscription = self.env["bigcommerce.webhook.subscription"].sudo()
        hooks = Subscription.create(
            [
                {
                    "backend_id": self.backend.id,
                    "hook_id": hook_id,
                    "scope": scope,
                    "is_active": True,
                    "destination": self.backend.webhook_url,
                }
                for hook_id, scope in (
                    (1, "store/order/created"),
                    (2, "store/order/updated"),
                )
            ]
        )
        self.assertEqual(self.check("webhooks").state, "ok")
        hooks[1].is_active = False
        check = self.check("webhooks")
        self.assertEqual(check.state, "todo")
        self.assertIn("1 of the store's webhooks are inactive", check.message)

    def test_the_encryption_key_in_the_database_is_to_do(self):
        self.patch(
            config, "options", dict(config.options, **{ENCRYPTION_KEY_OPTION: ""})
        )
        self.assertEqual(self.check("encryption_key").state, "todo")
        self.patch(
            config,
            "options",
            dict(config.options, **{ENCRYPTION_KEY_OPTION: "a-key-of-the-server"}),
        )
        self.backend.invalidate_recordset(["encryption_key_in_database"])
        self.assertEqual(self.check("encryption_key").state, "ok")

    def test_check_set_up_says_how_many_steps_are_left(self):
        self.backend.shipping_account_id = False
        action = self.backend.action_check_setup()
        self.assertEqual(action["params"]["type"], "warning")
        left = self.backend.setup_todo_count
        self.assertGreaterEqual(left, 1)
        self.assertIn(f"{left} set-up step(s) left", action["params"]["message"])
        self.assertEqual(
            len(self.backend.setup_check_ids), 5, "one line per check, again"
        )
        self.backend.action_check_setup()
        self.assertEqual(len(self.backend.setup_check_ids), 5)

    def test_test_connection_checks_the_set_up(self):
        self.backend.setup_check_ids.unlink()
        self.backend.action_test_connection()
        self.assertEqual(
            sorted(self.backend.setup_check_ids.mapped("code")),
            ["accounts", "encryption_key", "gateways", "taxes", "webhooks"],
        )


@tagged("post_install", "-at_install")
class TestSetupAndFailureTours(BigCommerceAccountingHttpCase):
    """In a real browser: the set-up checks' Fix opens the taxes to fix, and
    a failed order's banner opens its failure."""

    def test_set_up_checks_fix_opens_the_taxes_to_fix(self):
        company = self.backend.company_id
        tax = self.env["account.tax"].create(
            {
                "name": "Bare tour tax 7%",
                "amount": 7,
                "type_tax_use": "sale",
                "company_id": company.id,
                "repartition_line_ids": [
                    Command.create(
                        {"document_type": document, "repartition_type": kind}
                    )
                    for document in ("invoice", "refund")
                    for kind in ("base", "tax")
                ],
            }
        )
        self.assertTrue(tax)
        self.start_tour(
            f"/odoo/action-bigcommerce_connector.bigcommerce_backend_action/"
            f"{self.backend.id}",
            "bigcommerce_setup_checks_tour",
            login="accountman",
            timeout=600,
        )

    def test_failed_order_banner_opens_its_failure(self):
        order = self.add_order()
        self.import_order(order)
        binding = self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id), ("bigcommerce_id", "=", order["id"])]
        )
        binding.sudo().sync_state = "failed"
        self.env["bigcommerce.failure"].sudo()._record(
            self.backend, "order", order["id"], "Unknown SKU 'TOUR-X'"
        )
        self.start_tour(
            f"/odoo/action-bigcommerce_connector.bigcommerce_order_action/{binding.id}",
            "bigcommerce_failed_order_tour",
            login="accountman",
            timeout=600,
        )
