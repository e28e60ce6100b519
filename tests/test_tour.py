# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's screens in a real browser (headless Chromium)."""

import threading

import requests

from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

from .common import STORE_HASH, SimulatorMixin

# The tour's steps set this parameter to "hold" or "run": while held, the
# stand-in leaves queued jobs pending, so that the browser sees the work
# queued before it is done, whatever the speed of the machine.
RUNNER_GATE = "bigcommerce_connector.test_job_runner"
# Bounds, in seconds: generous, since a loaded machine may be many times
# slower than a developer's; a test that reaches one fails saying so.
DRAIN_TIMEOUT = 300
JOB_REQUEST_TIMEOUT = 300


class JobRunnerStandIn(threading.Thread):
    """queue_job's job runner, which does not run in tests: every pending
    job is enqueued, then run through queue_job's own route
    (``/queue_job/runjob``), as the runner does, unless the tour holds the
    runner (:data:`RUNNER_GATE`). :meth:`drain` runs what is left."""

    def __init__(self, case):
        super().__init__(daemon=True)
        self.case = case
        self.stopped = threading.Event()
        # Set when the tour is over: run everything, whatever the gate says.
        self.draining = False
        # Set whenever the runner is released and no job is left to run.
        self.idle = threading.Event()
        self.ran = []
        self.errors = []
        self.session = requests.Session()

    def run(self):
        while not self.stopped.wait(0.1):
            try:
                due, unfinished = self._due()
                for uuid in due:
                    response = self.session.get(
                        self.case.base_url() + "/queue_job/runjob",
                        params={"db": self.case.env.cr.dbname, "job_uuid": uuid},
                        # Requests of the test's own browser carry it too.
                        cookies={TEST_CURSOR_COOKIE_NAME: self.case.http_request_key},
                        timeout=JOB_REQUEST_TIMEOUT,
                    )
                    response.raise_for_status()
                    self.ran.append(uuid)
                if due:
                    continue
                if unfinished:
                    self.idle.clear()
                else:
                    self.idle.set()
            except Exception as error:
                self.errors.append(repr(error))
                self.idle.clear()

    def _due(self):
        """The jobs to run now, and whether any job is not finished yet."""
        with self.case.env.registry.cursor() as cr:
            cr.execute(
                "SELECT value FROM ir_config_parameter WHERE key = %s", [RUNNER_GATE]
            )
            gate = cr.fetchone()
            held = not self.draining and (gate and gate[0]) != "run"
            cr.execute(
                "SELECT uuid, state FROM queue_job"
                " WHERE state NOT IN ('done', 'failed', 'cancelled')"
            )
            unfinished = cr.fetchall()
            due = [uuid for uuid, state in unfinished if state == "pending"]
            if held:
                return [], True
            if due:
                cr.execute(
                    "UPDATE queue_job SET state = 'enqueued' WHERE uuid IN %s",
                    [tuple(due)],
                )
        return due, bool(unfinished)

    def drain(self):
        """Run every job left, including the ones the jobs queued, and wait,
        with a bound, until none is left; then stop."""
        self.draining = True
        self.idle.clear()
        try:
            if not self.idle.wait(timeout=DRAIN_TIMEOUT):
                with self.case.env.registry.cursor() as cr:
                    cr.execute(
                        "SELECT name, state FROM queue_job"
                        " WHERE state NOT IN ('done', 'failed', 'cancelled')"
                    )
                    left = cr.fetchall()
                self.case.fail(
                    f"Jobs still not run {DRAIN_TIMEOUT}s after the tour ended: "
                    f"{left}; runner errors: {self.errors}"
                )
        finally:
            self.stop()

    def stop(self):
        self.stopped.set()
        if self.ident is None:
            return  # never started
        self.join(timeout=JOB_REQUEST_TIMEOUT + 10)
        if self.is_alive():
            self.case.fail("The job runner stand-in did not stop: a job request hangs.")


@tagged("post_install", "-at_install")
class TestStoreTour(SimulatorMixin, HttpCase):
    # A job run by the stand-in holds the test cursor while the browser's
    # requests wait for it: on a loaded machine, longer than Odoo's 20 s.
    test_cursor_lock_timeout = 120

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
        self.env["ir.config_parameter"].sudo().set_param(RUNNER_GATE, "hold")
        self.env.flush_all()
        runner = JobRunnerStandIn(self)
        authenticate = self.authenticate

        def authenticate_then_start_the_runner(*args, **kwargs):
            # The test's own thread uses the database directly until the
            # browser's session exists: only then may the stand-in take
            # test cursors (another thread on the same connection).
            result = authenticate(*args, **kwargs)
            self.cr.flush()
            runner.start()
            return result

        self.patch(self, "authenticate", authenticate_then_start_the_runner)
        try:
            self.start_tour(
                "/odoo/action-bigcommerce_connector.bigcommerce_backend_action",
                "bigcommerce_store_tour",
                login="admin",
                # The whole tour; each step has its own bound (in the tour).
                timeout=900,
            )
        except BaseException:
            runner.stop()
            raise
        # Outside the tour, the test holds the database: let the stand-in's
        # requests in, as the tour's were.
        with self.allow_requests():
            runner.drain()
        self.assertEqual(runner.errors, [])
        self.env.invalidate_all()
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
        # Every job the tour queued was run by the runner's route, and
        # succeeded: the three imports, the reprocessing and what they queued.
        jobs = self.env["queue.job"].search([])
        self.assertEqual(
            [(job.name, job.state) for job in jobs if job.state != "done"], []
        )
        self.assertCountEqual(runner.ran, jobs.mapped("uuid"))
        self.assertGreaterEqual(len(jobs), 4)
