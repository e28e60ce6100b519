# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's screens in a real browser (headless Chromium)."""

import threading
import time

import requests

from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

from .common import STORE_HASH, SimulatorMixin


class JobRunnerStandIn(threading.Thread):
    """queue_job's job runner, which does not run in tests: every job that
    has waited ``delay`` seconds is enqueued, then run through queue_job's
    own route (``/queue_job/runjob``), as the runner does. The wait lets the
    browser see the work queued before it is done."""

    def __init__(self, case, delay=1.5):
        super().__init__(daemon=True)
        self.case = case
        self.delay = delay
        self.stopped = threading.Event()
        self.seen = {}
        self.ran = []
        self.session = requests.Session()

    def run(self):
        while not self.stopped.wait(0.25):
            for uuid in self._due():
                self.session.get(
                    self.case.base_url() + "/queue_job/runjob",
                    params={"db": self.case.env.cr.dbname, "job_uuid": uuid},
                    # Requests of the test's own browser carry it too.
                    cookies={TEST_CURSOR_COOKIE_NAME: self.case.http_request_key},
                    timeout=120,
                )
                self.ran.append(uuid)

    def _due(self):
        now = time.monotonic()
        with self.case.env.registry.cursor() as cr:
            cr.execute("SELECT uuid FROM queue_job WHERE state = 'pending'")
            pending = [uuid for (uuid,) in cr.fetchall()]
            due = [
                u for u in pending if now - self.seen.setdefault(u, now) >= self.delay
            ]
            if due:
                cr.execute(
                    "UPDATE queue_job SET state = 'enqueued' WHERE uuid IN %s",
                    [tuple(due)],
                )
        return due

    def stop(self):
        self.stopped.set()
        self.join(timeout=150)


@tagged("post_install", "-at_install")
class TestStoreTour(SimulatorMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_simulator()

    def test_create_connect_register_import_and_reprocess(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://erp.example.com"
        )
        state = self.simulator.state
        for hook_id in list(state.hooks):
            state.delete_hook(hook_id)
        state.add_product(sku="TOUR-1", name="Tour mug", price="9.00")
        # Sold on the store, not yet in Odoo: the admin creates it in the tour.
        state.add_product(sku="TOUR-2", name="Tour cap", price="15.00")
        customer = state.add_customer("Ada", "Lovelace", "ada@example.com")
        lines = [{"sku": "TOUR-1", "quantity": 1}]
        declined = state.add_order(status_id=6, lines=lines)
        cancelled = state.add_order(status_id=5, lines=lines)
        unknown_sku = state.add_order(
            customer_id=customer["id"],
            lines=[{"sku": "TOUR-2", "quantity": 2}],
        )
        self.assertEqual(
            (declined["id"], cancelled["id"], unknown_sku["id"]), (100, 101, 102)
        )
        # The admin keeps the API host BigCommerce's; here, the simulator's.
        field = self.env["bigcommerce.backend"]._fields["api_base_url"]
        self.patch(field, "default", lambda model: self.simulator.base_url)
        runner = JobRunnerStandIn(self)
        runner.start()
        try:
            self.start_tour(
                "/odoo/action-bigcommerce_connector.bigcommerce_backend_action",
                "bigcommerce_store_tour",
                login="admin",
            )
        finally:
            runner.stop()
        backend = self.env["bigcommerce.backend"].search([("name", "=", "Tour store")])
        self.assertEqual(backend.store_hash, STORE_HASH)
        self.assertEqual(backend.state, "connected")
        self.assertTrue(backend.webhook_subscription_ids)
        run = backend.last_import_run_id
        self.assertEqual(
            (run.state, run.skipped_count, run.failed_count), ("done", 2, 1)
        )
        # The failure was reprocessed once the product existed.
        failure = backend.failure_ids
        self.assertEqual((failure.bigcommerce_id, failure.state), ("102", "resolved"))
        order = self.env["bigcommerce.order"].search(
            [("backend_id", "=", backend.id), ("bigcommerce_id", "=", 102)]
        )
        self.assertEqual(order.move_id.state, "posted")
        self.assertEqual(
            order.move_id.invoice_line_ids.product_id.default_code, "TOUR-2"
        )
        self.assertEqual(order.move_id.partner_id.email, "ada@example.com")
        self.assertEqual(backend.customer_count, 1)
        # Every job the tour queued was run by the runner's route.
        self.assertFalse(
            self.env["queue.job"].search([("state", "not in", ("done",))]),
        )
        self.assertGreaterEqual(len(runner.ran), 4)
