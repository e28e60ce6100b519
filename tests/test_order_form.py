# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order form: a failed sync's banner and its failure, grids only with
rows, BigCommerce's codes in words, a chatter line for every skip and hold,
and the customer whenever Odoo has one."""

from odoo.tests import new_test_user, tagged

from .common import BigCommerceAccountingCase


@tagged("post_install", "-at_install")
class TestOrderForm(BigCommerceAccountingCase):
    """The order form: a failed sync's banner and its failure, grids only
    with rows, BigCommerce's codes in words, a chatter line for every skip
    and hold, and the customer whenever Odoo has one."""

    def form_arch(self):
        return self.env["bigcommerce.order"].get_view(view_type="form")["arch"]

    def test_failed_sync_shows_a_banner_with_its_failure(self):
        order = self.add_order()
        self.import_order(order)
        binding = self.binding(order)
        self.assertFalse(binding.failure_reason)
        self.backend.sudo().access_token = "revoked"
        self.import_order(order, expect="failed")
        binding.invalidate_recordset()
        self.assertEqual(binding.sync_state, "failed")
        failure = self.order_failure(order)
        self.assertEqual(binding.failure_id, failure)
        self.assertIn("401", binding.failure_reason)
        action = binding.action_open_failure()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("bigcommerce.failure", failure.id)
        )
        arch = self.form_arch()
        self.assertIn('name="failed_sync"', arch)
        self.assertIn('invisible="not failure_reason"', arch)
        self.assertIn('name="action_open_failure"', arch)
        # Reprocessed once the store answers: the banner goes.
        self.backend.sudo().access_token = self.simulator.access_token
        self.import_order(order)
        binding.invalidate_recordset()
        self.assertFalse(binding.failure_id)
        self.assertFalse(binding.failure_reason)

    def test_failure_reason_shows_to_invoicing_users_without_the_link(self):
        order = self.add_order()
        self.import_order(order)
        self.backend.sudo().access_token = "revoked"
        self.import_order(order, expect="failed")
        accountant = new_test_user(
            self.env, login="bc-accountant", groups="account.group_account_invoice"
        )
        binding = self.binding(order).with_user(accountant)
        self.assertIn("401", binding.failure_reason)
        arch = binding.get_view(view_type="form")["arch"]
        self.assertIn('name="failed_sync"', arch)
        self.assertNotIn("action_open_failure", arch)

    def test_grids_show_only_with_rows_in_one_notebook(self):
        arch = self.form_arch()
        self.assertEqual(arch.count("<notebook"), 1)
        for page, field in (
            ("refunds", "refund_ids"),
            ("shipments", "shipment_ids"),
            ("status_history", "status_history_ids"),
        ):
            self.assertRegex(
                arch, f'<page[^>]*name="{page}"[^>]*invisible="not {field}"'
            )

    def test_payment_status_in_words(self):
        order = self.add_order()
        self.import_order(order)
        binding = self.binding(order)
        self.assertEqual(binding.payment_status, "captured")
        self.assertEqual(binding.payment_status_label, "captured")
        labels = dict(binding._fields["payment_status_label"].selection)
        self.assertEqual(labels[binding.payment_status_label], "Captured")
        # A code BigCommerce adds later is shown as it is.
        binding.sudo().payment_status = "brand new"
        self.assertFalse(binding.payment_status_label)
        arch = self.form_arch()
        self.assertIn(
            '<field name="payment_status" invisible="payment_status_label or not '
            'payment_status"',
            arch,
        )

    def test_skipped_order_says_why_in_its_chatter_and_links_its_customer(self):
        self.import_order(self.add_order())
        partner = (
            self.env["bigcommerce.customer"]
            .search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", self.customer["id"]),
                ]
            )
            .partner_id
        )
        self.assertTrue(partner)
        cancelled = self.add_order(status_id=5)
        self.import_order(cancelled, expect="skipped")
        binding = self.binding(cancelled)
        self.assertEqual(binding.partner_id, partner)
        [line] = binding.message_ids.filtered(
            lambda message: "Cancelled" in (message.body or "")
        )
        self.assertIn(f"BigCommerce order #{cancelled['id']}", line.body)
        self.assertIn("not invoiced", line.body)

    def test_skipped_order_of_a_customer_odoo_does_not_have_creates_no_partner(self):
        stranger = self.simulator.state.add_customer(
            first_name="Sam", last_name="Stranger", email="sam@example.com"
        )
        partners = self.env["res.partner"].search_count([])
        cancelled = self.add_order(status_id=5, customer_id=stranger["id"])
        self.import_order(cancelled, expect="skipped")
        binding = self.binding(cancelled)
        self.assertFalse(binding.partner_id)
        self.assertEqual(binding.customer_bigcommerce_id, stranger["id"])
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_held_order_says_why_in_its_chatter_once_and_cleanly(self):
        held = self.add_order(status_id=12)
        self.import_order(held, expect="held")
        binding = self.binding(held)
        lines = binding.message_ids.filtered(
            lambda message: "Held:" in (message.body or "")
        )
        self.assertEqual(len(lines), 1)
        self.assertIn("Manual Verification Required", lines.body)
        self.assertNotIn("..", lines.body)
        self.assertTrue(binding.partner_id)
