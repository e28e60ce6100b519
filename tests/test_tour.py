# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's screens in a real browser (headless Chromium)."""

import os
from unittest import mock

from odoo.tests import HttpCase, tagged

from .common import STORE_HASH, SimulatorMixin


@tagged("post_install", "-at_install")
class TestStoreTour(SimulatorMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_simulator()

    def test_create_connect_register_and_import(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://erp.example.com"
        )
        state = self.simulator.state
        for hook_id in list(state.hooks):
            state.delete_hook(hook_id)
        state.add_product(sku="TOUR-1", name="Tour mug", price="9.00")
        lines = [{"sku": "TOUR-1", "quantity": 1}]
        declined = state.add_order(status_id=6, lines=lines)
        cancelled = state.add_order(status_id=5, lines=lines)
        self.assertEqual((declined["id"], cancelled["id"]), (100, 101))
        # The admin keeps the API host BigCommerce's; here, the simulator's.
        field = self.env["bigcommerce.backend"]._fields["api_base_url"]
        self.patch(field, "default", lambda model: self.simulator.base_url)
        # queue_job's runner does not run in tests: jobs run when queued.
        with mock.patch.dict(os.environ, {"QUEUE_JOB__NO_DELAY": "1"}):
            self.start_tour(
                "/odoo/action-bigcommerce_connector.bigcommerce_backend_action",
                "bigcommerce_store_tour",
                login="admin",
            )
        backend = self.env["bigcommerce.backend"].search([("name", "=", "Tour store")])
        self.assertEqual(backend.store_hash, STORE_HASH)
        self.assertEqual(backend.state, "connected")
        self.assertTrue(backend.webhook_subscription_ids)
        run = backend.last_import_run_id
        self.assertEqual((run.state, run.skipped_count), ("done", 2))
