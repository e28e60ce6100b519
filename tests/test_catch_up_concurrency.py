# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Catch-ups of one store run at once on real connections: each writes the
row of its own state, so none conflicts with another nor logs an error; the
same catch-up twice at once is retried later, quietly."""

import threading
import uuid
from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..components.batch_importer import BigCommerceBatchImporter, OrderCatchUp
from .common import THREAD_TIMEOUT, CommittedStoreMixin, start_simulator

RUN = uuid.uuid4().hex[:8]
STORE_HASH = f"catchuprace{RUN}"


@tagged("post_install", "-at_install")
class TestConcurrentCatchUps(CommittedStoreMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_simulator(cls, store_hash=STORE_HASH, quota=None)

    def setUp(self):
        super().setUp()
        self.create_committed_store("Catch-up race store", STORE_HASH)
        self.since = fields.Datetime.now() - timedelta(hours=1)
        with self.committed_env() as env:
            env["bigcommerce.backend"].browse(self.backend_id).write(
                {
                    "orders_modified_since": self.since,
                    "refunds_created_since": self.since,
                }
            )

    def watermarks(self):
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            return backend.orders_modified_since, backend.refunds_created_since

    def test_the_orders_and_refunds_catch_ups_at_once_both_move_on(self):
        both_listing = threading.Barrier(2, timeout=THREAD_TIMEOUT)
        real_import = BigCommerceBatchImporter._import

        def import_once_both_started(importer):
            # Both workers have read the store (their snapshots are taken)
            # before either writes its watermark.
            importer.env.cr.execute("SELECT 1")
            both_listing.wait()
            return real_import(importer)

        def catch_up(method):
            def job(backend):
                getattr(backend, method)()
                return method

            return job

        with self.assertNoLogs("odoo", level="ERROR"):
            outcomes = self.race_jobs(
                [catch_up("_catch_up_orders"), catch_up("_catch_up_refunds")],
                patches=[
                    mock.patch.object(
                        BigCommerceBatchImporter, "_import", import_once_both_started
                    )
                ],
                quiet_sql=False,
            )
        self.assertEqual(outcomes, ["_catch_up_orders", "_catch_up_refunds"])
        orders_since, refunds_since = self.watermarks()
        self.assertGreater(orders_since, self.since)
        self.assertGreater(refunds_since, self.since)
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            self.assertEqual(backend.last_catch_up_state, "done")

    def test_the_same_catch_up_twice_at_once_is_retried_later_quietly(self):
        """The second worker of one catch-up waits for the first's end as a
        job retried later, and logs no error."""
        first_listing = threading.Event()
        second_done = threading.Event()
        real_list = OrderCatchUp._list

        def list_until_the_second_is_done(importer):
            first_listing.set()
            # Bounded: a second worker that got the row too would wait here
            # for itself, and the race fails as stuck.
            second_done.wait(THREAD_TIMEOUT)
            return real_list(importer)

        def first(backend):
            backend._catch_up_orders()
            return "first done"

        def second(backend):
            try:
                self.assertTrue(first_listing.wait(THREAD_TIMEOUT))
                backend._catch_up_orders()
                return "second done"
            finally:
                second_done.set()

        with self.assertNoLogs("odoo", level="ERROR"):
            outcomes = self.race_jobs(
                [first, second],
                start_together=False,
                patches=[
                    mock.patch.object(
                        OrderCatchUp, "_list", list_until_the_second_is_done
                    )
                ],
                quiet_sql=False,
            )
        self.assertEqual(outcomes, ["first done", "retry later"])
        orders_since, _refunds_since = self.watermarks()
        self.assertGreater(orders_since, self.since)
