# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's screens in a real browser (headless Chromium)."""

import threading

import requests

from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

from .common import STORE_HASH, THREAD_TIMEOUT, SimulatorMixin

# The tour's steps set this parameter to "hold" or "run": while held, the
# stand-in leaves queued jobs pending, so that the browser sees the work
# queued before it is done, whatever the speed of the machine.
RUNNER_GATE = "bigcommerce_connector.test_job_runner"
# How many times drain() runs the jobs left before it says they never end:
# each round runs every job left, so that only jobs queueing jobs without
# end, or a job retried without end, reach it.
MAX_DRAIN_ROUNDS = 100


class JobRunnerStandIn(threading.Thread):
    """queue_job's job runner, which does not run in tests: every pending
    job is enqueued, then run through queue_job's own route
    (``/queue_job/runjob``), as the runner does, unless the tour holds the
    runner (:data:`RUNNER_GATE`). :meth:`drain` stops it and runs what is
    left."""

    def __init__(self, case):
        super().__init__(daemon=True)
        self.case = case
        self.stopped = threading.Event()
        self.ran = []
        self.errors = []
        self.session = requests.Session()

    def run(self):
        # Polls the queue as the runner does; the tour's steps wait, each
        # with its bound, for what the jobs do.
        while not self.stopped.wait(0.1):
            try:
                self._run(self._due()[0], until=self.stopped)
            except Exception as error:
                self.errors.append(repr(error))

    def _due(self, draining=False):
        """The jobs to run now (none while the tour holds the runner), and
        the unfinished ones, as ``(uuid, state)`` pairs. ``draining``: the
        stand-in is stopped, so the jobs it enqueued are due again."""
        with self.case.env.registry.cursor() as cr:
            cr.execute(
                "SELECT value FROM ir_config_parameter WHERE key = %s", [RUNNER_GATE]
            )
            gate = cr.fetchone()
            held = not draining and (gate and gate[0]) != "run"
            cr.execute(
                "SELECT uuid, state FROM queue_job"
                " WHERE state NOT IN ('done', 'failed', 'cancelled')"
            )
            unfinished = cr.fetchall()
            due_states = ("pending", "enqueued") if draining else ("pending",)
            due = [uuid for uuid, state in unfinished if state in due_states]
            if held:
                return [], unfinished
            if due:
                cr.execute(
                    "UPDATE queue_job SET state = 'enqueued' WHERE uuid IN %s",
                    [tuple(due)],
                )
        return due, unfinished

    def _run(self, due, until=None):
        """Run the jobs ``due`` through queue_job's route, one request each:
        the route answers once its job has run. Once the event ``until`` is
        set, the jobs not run yet are left enqueued, for :meth:`drain`."""
        for uuid in due:
            if until is not None and until.is_set():
                return
            response = self.session.get(
                self.case.base_url() + "/queue_job/runjob",
                params={"db": self.case.env.cr.dbname, "job_uuid": uuid},
                # Requests of the test's own browser carry it too.
                cookies={TEST_CURSOR_COOKIE_NAME: self.case.http_request_key},
                timeout=THREAD_TIMEOUT,
            )
            response.raise_for_status()
            self.ran.append(uuid)

    def drain(self):
        """Stop the stand-in, then run every job left, including the ones
        the jobs queue, round after round in the caller's thread, until none
        is left. Nothing is waited for but the route's answers: a job left
        that no round can run (started and never finished), or jobs that
        never end, fail the test."""
        self.stop()
        for _round in range(MAX_DRAIN_ROUNDS):
            due, unfinished = self._due(draining=True)
            if not unfinished:
                return
            if not due:
                self.case.fail(
                    f"Jobs left that nothing runs: {unfinished}; "
                    f"runner errors: {self.errors}"
                )
            self._run(due)
        self.case.fail(
            f"Jobs still left after {MAX_DRAIN_ROUNDS} rounds: "
            f"{self._due(draining=True)[1]}"
        )

    def stop(self):
        """Stop the polling, and wait (bounded) for its last request."""
        self.stopped.set()
        if self.ident is None:
            return  # never started
        # One request at most is under way, itself bounded by THREAD_TIMEOUT.
        self.join(timeout=THREAD_TIMEOUT + 60)
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
            with self.allow_requests():
                runner.stop()
            raise
        # Outside the tour, the test holds the database: let the stand-in's
        # last request, and the drain's, in, as the tour's were.
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
        self.assertEqual(set(runner.ran), set(jobs.mapped("uuid")))
        self.assertGreaterEqual(len(jobs), 4)
