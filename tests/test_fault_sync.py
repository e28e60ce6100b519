# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fault suite: a store syncs through injected API faults and an outage,
and every order arrives exactly once.

The jobs run as queue_job's runner runs them (``run_jobs``, tests/common.py):
one savepoint per job, a retryable error postpones the job and counts a
try, any other error fails it. Only the waits are shortened: the client's
sleeps, its HTTP timeout and the simulator's rate-limit window, so that
what takes minutes on a real store takes seconds here. Nothing is timed.

Where refunds and customers have their own importers, their jobs join the
same run: add their records to ``expected_records`` and their checks to
``assert_exactly_once``.
"""

import time
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..bigcommerce.payments import ACTION_DRAFT, ACTION_HOLD, ACTION_SKIP, is_paid
from ..components import kinds
from ..models.bigcommerce_backend import BigCommerceBackend
from .common import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    STORE_HASH,
    THREAD_TIMEOUT,
    SimulatorMixin,
)
from .demo_store import configure_demo_store
from .simulator.faults import KINDS
from .simulator.generator import generate_store

SEED, CUSTOMERS = 1010, 40
CLIENT_TIMEOUT = 1.0
# 1 - (1 - 0.0436) ** 8 = 0.30: each of the eight fault kinds at 4.36%.
FAULT_RATE_PER_KIND = 0.0436
QUIET_LOGGERS = (
    "odoo.addons.bigcommerce_connector.bigcommerce.client",
    "odoo.addons.bigcommerce_connector.components.importer",
    "odoo.addons.bigcommerce_connector.controllers.main",
    "odoo.addons.queue_job.delay",
)


class SyncCase(SimulatorMixin, AccountTestInvoicingCommon):
    """A generated store, configured as the demo configures it."""

    orders = 36

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_simulator()
        # Short rate-limit windows: the quota and its headers are real, the
        # waits short.
        cls.simulator.rate_limiter.window_ms = 300
        # A timeout fault holds its answer 1.5 s (with the margin), past the
        # client's 1 s. A request merely slow on a loaded machine that takes
        # longer is tried again, as the job would on a real store: the
        # outcome checked here is the same.
        cls.simulator.faults.timeout_delay = 1.0
        cls.simulator.faults.slow_delay = 0.2
        cls.env.user.group_ids |= cls.env.ref("base.group_system") | cls.env.ref(
            "bigcommerce_connector.group_bigcommerce_manager"
        )
        cls.summary = generate_store(
            cls.simulator.state, seed=SEED, customers=CUSTOMERS, orders=cls.orders
        )
        cls.backend, _setup = configure_demo_store(
            cls.env,
            api_base_url=cls.simulator.base_url,
            store_hash=STORE_HASH,
            access_token=ACCESS_TOKEN,
            client_secret=CLIENT_SECRET,
            seed=SEED,
            customers=CUSTOMERS,
            orders=cls.orders,
        )
        # A first sync: the catch-up starts at the beginning of time.
        cls.backend.orders_modified_since = datetime(2000, 1, 1)

    # -- the runner, with short waits -------------------------------------------
    @contextmanager
    def short_waits(self):
        """The client as the jobs build it, with its sleeps capped at 20 ms
        and a 1 s HTTP timeout (the simulator's timeouts hold 1.5 s)."""
        get_client = BigCommerceBackend._get_client

        def client_with_short_waits(backend, **options):
            client = get_client(backend, **options)
            client.sleep = lambda seconds: time.sleep(min(seconds, 0.02))
            client.timeout = CLIENT_TIMEOUT
            return client

        with (
            mock.patch.object(
                BigCommerceBackend, "_get_client", client_with_short_waits
            ),
            mute_logger(*QUIET_LOGGERS),
        ):
            yield

    # -- exactly once ---------------------------------------------------------
    def expected_records(self):
        """Order id -> the state of its invoice (``None``: no invoice), as the
        store's status rules make of what the store says."""
        state = self.simulator.state
        expected = {}
        for order_id in self.summary["orders"]:
            order = state.render_order(order_id)
            action = self.backend._status_action(order["status_id"])
            if action in (ACTION_SKIP, ACTION_HOLD):
                expected[order_id] = None
            elif action == ACTION_DRAFT and not is_paid(order):
                expected[order_id] = "draft"
            else:
                expected[order_id] = "posted"
        return expected

    def assert_exactly_once(self):
        expected = self.expected_records()
        bindings = self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id)]
        )
        by_order = {}
        for binding in bindings:
            by_order.setdefault(binding.bigcommerce_id, []).append(binding)
        moves = self.env["account.move"].search(
            [("invoice_origin", "=like", "BigCommerce order #%")]
        )
        moves_by_ref = {}
        for move in moves:
            moves_by_ref.setdefault(int(move.ref), []).append(move)
        for order_id, invoiced in expected.items():
            if invoiced:
                self.assertEqual(len(by_order.get(order_id, [])), 1, order_id)
                self.assertEqual(len(moves_by_ref.get(order_id, [])), 1, order_id)
                move = by_order[order_id][0].move_id
                self.assertEqual(move.state, invoiced, order_id)
                order = self.simulator.state.render_order(order_id)
                self.assertEqual(
                    move.currency_id.round(move.amount_total),
                    round(float(order["total_inc_tax"]), 2),
                    order_id,
                )
            else:
                self.assertFalse(moves_by_ref.get(order_id), order_id)
        self.assertEqual(set(moves_by_ref), {o for o, inv in expected.items() if inv})
        self.assertFalse(
            self.env["bigcommerce.failure"]
            .search([("backend_id", "=", self.backend.id), ("state", "!=", "resolved")])
            .mapped("reason")
        )
        self.assertFalse(
            self.connector_jobs(states=["failed"]).mapped("exc_info"),
            "no job may end failed because of a transient fault",
        )


@tagged("post_install", "-at_install")
class TestSyncUnderFaults(SyncCase):
    orders = 300

    def test_300_orders_sync_exactly_once_through_30_percent_faults(self):
        faults = self.simulator.faults
        for kind in KINDS:
            faults.set_rate(kind, FAULT_RATE_PER_KIND)
        expected = self.expected_records()
        with self.short_waits():
            # Webhooks of a tenth of the orders arrive twice, before the first
            # sync's catch-up lists every order again.
            for order_id in list(expected)[::10]:
                kinds.delay_import(self.backend, "order", order_id)
                kinds.delay_import(self.backend, "order", order_id)
            kinds.delay_batch(self.backend, "order")
            self.run_jobs()
        faults.clear()

        faulted = [r for r in self.simulator.requests if r["fault"]]
        answered = [r for r in self.simulator.requests if r["path"].startswith("/st")]
        # The faults happened, at about the rate asked for, of every kind.
        self.assertGreater(len(faulted), 0.2 * len(answered))
        self.assertEqual({r["fault"] for r in faulted}, set(KINDS))
        self.assert_exactly_once()
        # At most one import job per order: the duplicates collapsed.
        imports = self.connector_jobs().filtered(
            lambda job: job.method_name == "_import_order"
        )
        imported = [job.args[0] for job in imports]
        self.assertEqual(len(imported), len(set(imported)))
        self.assertLessEqual({o for o, inv in expected.items() if inv}, set(imported))
        self.assertEqual(set(imports.mapped("state")), {"done"})


@tagged("post_install", "-at_install")
class TestOutage(SyncCase, HttpCase):
    orders = 24

    def deliver(self, order_id, url=None):
        """BigCommerce's delivery of ``store/order/created``: the status, or
        ``None`` when nothing answered."""
        path = f"/bigcommerce/webhook/{self.backend.webhook_key}"
        url = url or self.base_url() + path
        try:
            status, _body = self.simulator.deliver_webhook(
                url, data={"type": "order", "id": order_id}, timeout=THREAD_TIMEOUT
            )
        except OSError:
            return None
        return status

    def test_webhooks_lost_in_an_outage_are_caught_up_once(self):
        order_ids = list(self.expected_records())
        before, during, after = order_ids[:8], order_ids[8:16], order_ids[16:]
        # The catch-up's mark: the store was in sync before these orders.
        self.backend.orders_modified_since = datetime(2000, 1, 1)
        with (
            self.allow_requests(all_requests=True),
            self.short_waits(),
        ):
            self.assertEqual({self.deliver(o) for o in before}, {200})
            self.run_jobs()
            # The outage: Odoo is down, BigCommerce's deliveries go nowhere
            # (a closed port answers nothing) and are given up.
            dead = "http://127.0.0.1:9/bigcommerce/webhook/x"
            self.assertEqual({self.deliver(o, url=dead) for o in during}, {None})
            # Back up: new orders arrive by webhook again...
            self.assertEqual({self.deliver(o) for o in after}, {200})
            self.run_jobs()
            missing = [
                o
                for o in during
                if self.expected_records()[o]
                and not self.env["bigcommerce.order"].search(
                    [("backend_id", "=", self.backend.id), ("bigcommerce_id", "=", o)]
                )
            ]
            self.assertTrue(missing, "the outage lost orders, before the catch-up")
            # ...and the catch-up recovers what the outage lost.
            kinds.delay_batch(self.backend, "order")
            self.run_jobs()
            # BigCommerce's late retries of lost deliveries change nothing.
            self.assertEqual({self.deliver(o) for o in during}, {200})
            self.run_jobs()
        self.assert_exactly_once()
