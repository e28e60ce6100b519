# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two job workers of one store share its rate limit, for real.

Each worker has its own database connection and commits, as queue_job's
workers do, against a simulated store with a small quota: they slow down
together, and BigCommerce never answers 429.
"""

import itertools
import threading
import uuid
from contextlib import closing
from unittest import mock

from odoo.orm.registry import DummyRLock, Registry
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce import RateLimitState
from ..components.rate_limit import SharedRateLimit
from .common import (
    THREAD_TIMEOUT,
    CommittedStoreMixin,
    start_simulator,
)

RUN = uuid.uuid4().hex[:8]
STORE_HASH = f"ratelimit{RUN}"
SKU = f"RATE-{RUN}"
QUOTA = 5
WINDOW_MS = 1000
ORDERS_PER_WORKER = 6
# Tries of an order's import in a worker, as queue_job retries it: the
# first imports of one guest may meet the other worker's new partner.
IMPORT_TRIES = 20


@tagged("post_install", "-at_install")
class TestSharedRateLimit(CommittedStoreMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_simulator(cls, store_hash=STORE_HASH, quota=QUOTA, window_ms=WINDOW_MS)
        cls.simulator.state.add_product(sku=SKU, name="Rate mug", price="4.00")

    def setUp(self):
        super().setUp()
        self.create_committed_store(
            "Rate-limited store", STORE_HASH, sku=SKU, product_name="Rate mug"
        )
        # A fresh window for each test.
        self.simulator.rate_limiter.reset()

    def two_workers(self):
        """Two workers, each importing its own orders at the same time."""
        orders = [
            [
                self.simulator.state.add_order(lines=[{"sku": SKU, "quantity": 1}])
                for _ in range(ORDERS_PER_WORKER)
            ]
            for _worker in range(2)
        ]
        self.simulator.reset_log()
        barrier = threading.Barrier(2, timeout=THREAD_TIMEOUT)
        errors = []

        def worker(batch):
            try:
                with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
                    backend = self.env_on(cr)["bigcommerce.backend"].browse(
                        self.backend_id
                    )
                    barrier.wait()
                    for order in batch:
                        # As queue_job does: a retryable error (both
                        # workers creating the same guest's partner) is
                        # rolled back and the job run again.
                        for _try in range(IMPORT_TRIES):
                            try:
                                backend._import_order(order["id"])
                            except RetryableJobError:
                                cr.rollback()
                                continue
                            cr.commit()  # pylint: disable=invalid-commit
                            break
                        else:
                            errors.append(
                                f"order {order['id']} still retried after "
                                f"{IMPORT_TRIES} tries"
                            )
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(b,)) for b in orders]
        with (
            mock.patch.object(Registry, "_lock", DummyRLock()),
            mute_logger("odoo.sql_db", "odoo.addons.bigcommerce_connector"),
        ):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=THREAD_TIMEOUT)
        self.assertFalse(any(t.is_alive() for t in threads), "a worker is stuck")
        self.assertEqual(errors, [])
        return [order for batch in orders for order in batch]

    def assert_all_invoiced(self, orders):
        with self.committed_env() as env:
            bindings = env["bigcommerce.order"].search(
                [("backend_id", "=", self.backend_id)]
            )
            self.assertEqual(
                sorted(bindings.mapped("bigcommerce_id")),
                sorted(o["id"] for o in orders),
            )
            self.assertEqual(set(bindings.move_id.mapped("state")), {"posted"})
            self.assertFalse(
                env["bigcommerce.failure"].search(
                    [("backend_id", "=", self.backend_id)]
                )
            )

    def statuses(self):
        return [r["status"] for r in self.simulator.requests]

    def left_in_window(self):
        with self.committed_env() as env:
            env.cr.execute(
                "SELECT left_in_window FROM bigcommerce_rate_limit "
                "WHERE backend_id = %s",
                [self.backend_id],
            )
            return env.cr.fetchone()[0]

    def test_a_reservation_meets_the_others_commits_without_an_error(self):
        """A worker reserving a request after another worker committed its
        own reservation, since the first one's transaction began: both are
        counted, and nothing is logged as an error (no serialization
        failure on the row, which Odoo's cursors would raise)."""
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            this, other = SharedRateLimit(backend), SharedRateLimit(backend)
        # A window with room, far from its reset.
        with self.committed_env() as env:
            env.cr.execute(
                "INSERT INTO bigcommerce_rate_limit (backend_id) VALUES (%s) "
                "ON CONFLICT (backend_id) DO NOTHING",
                [self.backend_id],
            )
            env.cr.execute(
                "UPDATE bigcommerce_rate_limit SET quota = 150, "
                "left_in_window = 100, reset_at = (NOW() AT TIME ZONE 'UTC') "
                "+ INTERVAL '1 hour' WHERE backend_id = %s",
                [self.backend_id],
            )
        real_reserve = SharedRateLimit._reserve

        def reserve_once_the_other_committed(limit, cr):
            if limit is this:
                # This transaction reads the row, then the other worker
                # reserves (and commits) before this one takes the row.
                cr.execute(
                    "SELECT left_in_window FROM bigcommerce_rate_limit "
                    "WHERE backend_id = %s",
                    [self.backend_id],
                )
                self.assertEqual(other.reserve(), 0)
            return real_reserve(limit, cr)

        with (
            mock.patch.object(
                SharedRateLimit, "_reserve", reserve_once_the_other_committed
            ),
            self.assertNoLogs("odoo.sql_db", level="ERROR"),
            self.assertNoLogs(
                "odoo.addons.bigcommerce_connector.components.rate_limit",
                level="WARNING",
            ),
        ):
            self.assertEqual(this.reserve(), 0)
        self.assertEqual(self.left_in_window(), 98)

    def test_two_workers_slow_down_together(self):
        orders = self.two_workers()
        self.assert_all_invoiced(orders)
        statuses = self.statuses()
        # A call per order at least (more for an order tried again, or whose
        # taxes its figures do not tell), over several windows of QUOTA
        # requests.
        self.assertGreaterEqual(len(statuses), len(orders))
        self.assertGreater(len(statuses), 2 * QUOTA)
        self.assertNotIn(429, statuses)

    def test_without_sharing_the_workers_run_into_429(self):
        """The control: each worker pacing itself alone meets 429s (which
        its retries absorb); the shared quota above is what avoids them.

        One request a window, and the store's clock moves 0.5 s with each
        request it answers, whatever the real time: two requests in a row
        are in one window, so a 429 comes however fast or slow the machine
        imports (on real time, a slow machine would stay under the quota by
        itself)."""
        limiter = self.simulator.rate_limiter
        self.addCleanup(setattr, limiter, "quota", limiter.quota)
        self.addCleanup(setattr, limiter, "clock", limiter.clock)
        limiter.quota = 1
        ticks = itertools.count()
        # The limiter calls its clock under its own lock: one tick a request.
        limiter.clock = lambda: 0.5 * next(ticks)
        with (
            mock.patch.object(SharedRateLimit, "reserve", lambda self: 0),
            mock.patch.object(SharedRateLimit, "observe", lambda self, state: None),
        ):
            orders = self.two_workers()
        self.assert_all_invoiced(orders)
        self.assertIn(429, self.statuses())


@tagged("post_install", "-at_install")
class TestSharedRateLimitRow(CommittedStoreMixin, TransactionCase):
    """The store's row, as the workers read and write it."""

    def setUp(self):
        super().setUp()
        # A store id no test database has: the row is committed on its own
        # connection, and removed afterwards (the store's only committed data).
        self.backend_id = 2**31 - 7
        self.backend = self.env["bigcommerce.backend"].browse(self.backend_id)
        self.limiter = SharedRateLimit(self.backend)
        self.addCleanup(self.remove_committed_data)

    def row(self):
        with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute(
                "SELECT quota, left_in_window FROM bigcommerce_rate_limit "
                "WHERE backend_id = %s",
                [self.backend.id],
            )
            return cr.fetchone()

    def state(self, left, reset_ms=600000, quota=10):
        return RateLimitState(
            window_ms=30000, reset_ms=reset_ms, quota=quota, left=left, observed_at=0
        )

    def test_unknown_quota_lets_the_first_request_go(self):
        self.assertEqual(self.limiter.reserve(), 0)
        self.assertEqual(self.row(), (None, None))

    def test_each_request_takes_one_and_the_reserve_is_kept(self):
        self.limiter.reserve()
        self.limiter.observe(self.state(left=5))
        self.assertEqual(self.row(), (10, 5))
        self.assertEqual([self.limiter.reserve() for _ in range(3)], [0, 0, 0])
        self.assertEqual(self.row(), (10, 2))
        # Two left: kept for the store's other apps; wait for the reset (in
        # ten minutes, not the second a window with no reset known waits).
        wait = self.limiter.reserve()
        self.assertGreater(wait, 60)
        self.assertLessEqual(wait, 600)

    def test_a_later_answer_never_gives_back_what_others_took(self):
        self.limiter.reserve()
        self.limiter.observe(self.state(left=8))
        self.limiter.reserve()
        self.limiter.reserve()
        # An answer sent before those two requests arrived says 8 left.
        self.limiter.observe(self.state(left=8))
        self.assertEqual(self.row(), (10, 6))

    def test_a_spent_window_resets_to_the_full_quota(self):
        self.limiter.reserve()
        self.limiter.observe(self.state(left=1))
        self.assertGreater(self.limiter.reserve(), 0)
        # The window's end has passed (moved back, rather than waited for).
        with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute(
                "UPDATE bigcommerce_rate_limit SET reset_at = reset_at - "
                "INTERVAL '1 hour' WHERE backend_id = %s",
                [self.backend.id],
            )
            cr.commit()  # pylint: disable=invalid-commit
        self.assertEqual(self.limiter.reserve(), 0)
        self.assertEqual(self.row(), (10, 9))
