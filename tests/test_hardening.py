# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Jobs that meet outages, bad data, bugs and races, and what they leave.

A job ends one of two ways: the invoice, or a failure record that a person
can read and reprocess. Never a job in ``failed`` that nobody sees.
"""

import logging
import threading
import uuid
from contextlib import closing
from datetime import timedelta
from unittest import mock

import psycopg2.errors

from odoo import sql_db
from odoo.orm.registry import DummyRLock, Registry
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce import BigCommerceClient
from ..components import kinds
from ..components.binder import BigCommerceBinder
from ..components.importer import expected_unique_violations
from ..components.order_importer import OrderImporter
from .common import THREAD_TIMEOUT, BigCommerceAccountingCase, CommittedStoreMixin

IMPORT_LOGGER = "odoo.addons.bigcommerce_connector.components.importer"
REAL_GET_ORDER = BigCommerceClient.get_order


@tagged("post_install", "-at_install")
class TestJobsNeverFailSilently(BigCommerceAccountingCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self.simulator.faults.clear)
        # The client's own waits between attempts, shortened to nothing.
        Backend = type(self.backend)
        real_get_client = Backend._get_client
        self.patch(
            Backend,
            "_get_client",
            lambda backend, **options: real_get_client(
                backend, **dict(options, sleep=lambda seconds: None)
            ),
        )

    def stored_job(self, method_name):
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("model_name", "=", "bigcommerce.backend"),
                    ("method_name", "=", method_name),
                ],
                order="id desc",
                limit=1,
            )
        )

    # -- outages -------------------------------------------------------------
    def test_retry_pattern_covers_an_outage_of_a_day(self):
        """The import job's retry pattern (data) and max_retries span more
        than a day before it gives up; the first retries come quickly."""
        with trap_jobs() as trap:
            kinds.delay_import(self.backend, "order", 7)
        job = trap.enqueued_jobs[0]
        waits = []
        for retry in range(1, job.max_retries):
            job.retry = retry
            waits.append(job._get_retry_seconds())
        self.assertLessEqual(waits[0], 60)
        self.assertGreaterEqual(sum(waits), timedelta(days=1).total_seconds())

    def test_short_outage_delays_the_order_and_loses_nothing(self):
        """BigCommerce answers 503 to eight tries' worth of requests (five
        attempts each): the job retries past queue_job's default of five
        tries, then books the invoice."""
        order = self.add_order()
        kinds.delay_import(self.backend, "order", order["id"])
        self.simulator.faults.inject("503", count=8 * 5)
        job = self.run_jobs(jobs=self.stored_job("_import_order"))
        self.assertEqual(job.state, "done", job.exc_message)
        self.assertEqual(job.retry, 9)
        self.assertEqual(self.binding(order).move_id.state, "posted")
        self.assertFalse(self.failure(order))

    def test_job_that_gives_up_leaves_a_failure_to_reprocess(self):
        order = self.add_order()
        kinds.delay_import(self.backend, "order", order["id"])
        job = self.stored_job("_import_order")
        job.max_retries = 3
        self.simulator.faults.set_rate("503", 1.0)
        with mute_logger(IMPORT_LOGGER):
            job = self.run_jobs(jobs=job)
        self.assertEqual(job.state, "done", "not failed: the failure is a record")
        self.assertEqual(job.retry, 3)
        failure = self.failure(order)
        self.assertEqual(failure.state, "open")
        self.assertIn("503", failure.reason)
        self.assertIn("Gave up after 3 tries", failure.reason)
        self.assertFalse(self.binding(order))
        # The store is back: reprocessing books the invoice.
        self.simulator.faults.clear()
        with trap_jobs() as trap:
            failure.action_reprocess()
            trap.perform_enqueued_jobs()
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(self.binding(order).move_id.state, "posted")

    def test_catch_up_that_gives_up_leaves_a_failure(self):
        kinds.delay_batch(self.backend, "order")
        job = self.stored_job("_catch_up_orders")
        job.retry = job.max_retries - 1
        self.simulator.faults.set_rate("503", 1.0)
        job = self.run_jobs(jobs=job, max_rounds=1)
        self.assertEqual(job.state, "done")
        failure = self.backend.failure_ids.filtered(
            lambda f: f.record_type == "catch_up"
        )
        self.assertIn("503", failure.reason)

    def test_before_the_last_try_a_transient_fault_is_no_failure(self):
        order = self.add_order()
        kinds.delay_import(self.backend, "order", order["id"])
        self.simulator.faults.set_rate("503", 1.0)
        job = self.run_jobs(
            jobs=self.stored_job("_import_order"), max_rounds=2, leave_pending=True
        )
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.retry, 2)
        self.assertFalse(self.failure(order))

    # -- bugs and bad data ---------------------------------------------------
    def test_unexpected_error_is_a_failure_and_writes_nothing(self):
        order = self.add_order()
        moves_before = self.env["account.move"].search_count([])
        real_write = OrderImporter._create_or_update

        def import_then_crash(importer, plan):
            real_write(importer, plan)
            raise KeyError("surprise")

        kinds.delay_import(self.backend, "order", order["id"])
        with (
            mock.patch.object(OrderImporter, "_create_or_update", import_then_crash),
            mute_logger(IMPORT_LOGGER),
        ):
            job = self.run_jobs(jobs=self.stored_job("_import_order"))
        self.assertEqual(job.state, "done")
        failure = self.failure(order)
        self.assertIn("Unexpected error (KeyError)", failure.reason)
        self.assertIn('"status_id"', failure.payload)
        self.assertFalse(self.binding(order))
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_serialization_failure_is_left_to_the_queue(self):
        order = self.add_order()

        def conflict(*args):
            raise psycopg2.errors.SerializationFailure("could not serialize access")

        with (
            mock.patch.object(OrderImporter, "_create_or_update", conflict),
            self.assertRaises(psycopg2.errors.SerializationFailure),
        ):
            self.import_order(order)
        self.assertFalse(self.failure(order))

    def test_nul_and_control_characters_in_an_order_are_cleaned(self):
        order = self.add_order()

        def with_nul(client, order_id):
            data = REAL_GET_ORDER(client, order_id)
            billing = dict(
                data["billing_address"], first_name="Ja\x00ne", city="Aus\x07tin"
            )
            return dict(
                data,
                billing_address=billing,
                status="Awaiting\x00 Fulfillment",
                payment_method="Credit\x1b Card",
            )

        with mock.patch.object(BigCommerceClient, "get_order", with_nul):
            result = self.import_order(order)
        binding = self.binding(order)
        self.assertEqual(binding.move_id.state, "posted", result)
        self.assertFalse(self.failure(order))
        self.assertEqual(binding.partner_id.city, "Austin")
        self.assertNotIn("\x00", binding.partner_id.name)
        self.assertNotIn("\x00", binding.custom_status or "")

    def test_nul_in_a_failure_reason_is_recorded_cleaned(self):
        order = self.add_order(
            lines=[{"sku": "NO\x00PE", "name": "Ghost", "price": "1.00", "quantity": 1}]
        )
        with mute_logger(IMPORT_LOGGER):
            self.import_order(order, expect="failed")
        failure = self.failure(order)
        self.assertIn("Unknown SKU 'NOPE'", failure.reason)

    # -- races ---------------------------------------------------------------
    def test_handled_race_is_no_error_in_the_log(self):
        """A worker that loses to the unique index retries; the database's
        refusal is expected, so PostgreSQL's "bad query" is no ERROR in the
        log of that thread (other threads log as usual)."""

        def bad_query(error):
            sql_db._logger.error("bad query: %s\nERROR: %s", "INSERT ...", error)

        def errors_logged(work):
            with mock.patch.object(sql_db._logger, "callHandlers") as handled:
                work()
            return [
                call.args[0].getMessage()
                for call in handled.call_args_list
                if call.args[0].levelno >= logging.ERROR
            ]

        duplicate = psycopg2.errors.UniqueViolation("duplicate key value")
        other = psycopg2.errors.NotNullViolation("null value")

        def in_the_import(error):
            with expected_unique_violations():
                bad_query(error)

        def in_another_thread(error):
            with expected_unique_violations():
                thread = threading.Thread(target=bad_query, args=(error,))
                thread.start()
                thread.join(timeout=THREAD_TIMEOUT)
                self.assertFalse(thread.is_alive(), "the logging thread is stuck")

        self.assertEqual(errors_logged(lambda: in_the_import(duplicate)), [])
        self.assertTrue(errors_logged(lambda: in_the_import(other)))
        self.assertTrue(errors_logged(lambda: in_another_thread(duplicate)))
        self.assertTrue(errors_logged(lambda: bad_query(duplicate)))

    def test_race_lost_to_the_unique_index_retries_quietly(self):
        order = self.add_order()
        self.import_order(order)
        with (
            mock.patch.object(
                BigCommerceBinder, "to_bindings", lambda binder, ids: binder.bindings
            ),
            mock.patch.object(sql_db._logger, "callHandlers") as handled,
            self.assertRaises(RetryableJobError) as raised,
        ):
            self.import_order(order)
        self.assertIsInstance(raised.exception.__cause__, psycopg2.IntegrityError)
        self.assertFalse(
            [c for c in handled.call_args_list if c.args[0].levelno >= logging.ERROR]
        )


@tagged("post_install", "-at_install")
class TestConcurrentDeliveries(CommittedStoreMixin, TransactionCase):
    """Many deliveries of one webhook at once, each in its own transaction
    as Odoo's HTTP workers run them: one job."""

    def setUp(self):
        super().setUp()
        run = uuid.uuid4().hex[:8]
        self.create_committed_store("Race store", f"race{run}", bare=True)
        self.identity_key = f"bigcommerce-order-{self.backend_id}-4242"

    def test_concurrent_deliveries_of_one_id_queue_one_job(self):
        workers = 8
        barrier = threading.Barrier(workers, timeout=THREAD_TIMEOUT)
        outcomes = []
        envelope = {
            "scope": "store/order/created",
            "data": {"type": "order", "id": 4242},
        }

        def deliver():
            with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
                env = self.env_on(cr)
                backend = env["bigcommerce.backend"].browse(self.backend_id)
                store = env["bigcommerce.backend"]._webhook_stores()[
                    backend.webhook_key
                ]
                barrier.wait()
                # What the route does once the delivery is verified.
                job = kinds.KINDS["order"].webhook_job(
                    backend, 4242, store_name=store.name
                )
                if env["bigcommerce.webhook.log"]._claim(
                    store, envelope, "msg_same", job=job
                ):
                    outcomes.append("queued")
                else:
                    outcomes.append("duplicate")
                cr.commit()  # pylint: disable=invalid-commit

        threads = [threading.Thread(target=deliver) for _i in range(workers)]
        with mock.patch.object(Registry, "_lock", DummyRLock()):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=THREAD_TIMEOUT)
        self.assertFalse(any(thread.is_alive() for thread in threads), "stuck")
        self.assertEqual(sorted(outcomes), ["duplicate"] * (workers - 1) + ["queued"])
        with self.committed_env() as env:
            jobs = env["queue.job"].search_count(
                [("identity_key", "=", self.identity_key)]
            )
            logged = env["bigcommerce.webhook.log"].search(
                [("backend_id", "=", self.backend_id)]
            )
            self.assertEqual(
                sorted(logged.mapped("outcome")),
                ["duplicate"] * (workers - 1) + ["queued"],
            )
            self.assertEqual(set(logged.mapped("webhook_id")), {"msg_same"})
            self.assertEqual(logged.filtered("claimed").outcome, "queued")
        self.assertEqual(jobs, 1)
