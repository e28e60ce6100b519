# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The audit trail of webhook deliveries, through Odoo's real HTTP server."""

import faulthandler
import json
import threading
import time
import uuid
from contextlib import closing
from datetime import datetime, timedelta
from unittest import mock

from freezegun import freeze_time

from odoo import fields
from odoo.orm.registry import DummyRLock, Registry
from odoo.sql_db import db_connect
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..components import kinds
from ..models.bigcommerce_webhook_log import REFUSALS_LOGGED_ONE_BY_ONE
from .common import (
    CLIENT_SECRET,
    THREAD_TIMEOUT,
    BigCommerceAccountingCase,
    BigCommerceCase,
    CommittedStoreMixin,
)
from .queries import list_specification, read_queries
from .simulator import webhooks as simulator_webhooks

# Committed data outlives a crashed test run: names of their own each time.
RUN = uuid.uuid4().hex[:8]
UNSIGNED = "invalid signature: Missing required headers"

CONTROLLER_LOGGER = "odoo.addons.bigcommerce_connector.controllers.main"


@tagged("post_install", "-at_install")
class TestWebhookLog(BigCommerceAccountingCase, HttpCase):
    def deliver(self, scope="store/order/created", data=None, key=None, **sign):
        body = json.dumps(
            self.simulator.webhook_payload(scope, data or {"type": "order", "id": 1234})
        ).encode()
        webhook_id = sign.pop("webhook_id", None) or f"msg_{uuid.uuid4().hex}"
        headers = simulator_webhooks.sign(
            sign.pop("secret", CLIENT_SECRET), body, webhook_id, int(time.time())
        )
        headers["Content-Type"] = "application/json"
        with mute_logger(CONTROLLER_LOGGER):
            response = self.url_open(
                f"/bigcommerce/webhook/{key or self.backend.webhook_key}",
                data=body,
                headers=headers,
            )
        return response, webhook_id

    def logs(self):
        return self.env["bigcommerce.webhook.log"].search(
            [("backend_id", "=", self.backend.id)], order="id"
        )

    def test_every_delivery_is_logged_with_its_outcome(self):
        with trap_jobs():
            queued, queued_id = self.deliver()
            again, _id = self.deliver(webhook_id=queued_id)
            ignored, _id = self.deliver(
                "store/order/message/created",
                {"type": "order", "id": 1234, "message": {"order_message_id": 12}},
            )
            refused, refused_id = self.deliver(secret="not-the-secret")
        self.assertEqual(
            [r.json()["status"] for r in (queued, again, ignored)],
            ["queued", "duplicate", "ignored"],
        )
        self.assertEqual(refused.status_code, 401)
        logs = self.logs()
        self.assertEqual(
            logs.mapped("outcome"), ["queued", "duplicate", "ignored", "refused"]
        )
        first = logs[0]
        self.assertEqual(
            (first.webhook_id, first.scope, first.resource_type, first.order_id),
            (queued_id, "store/order/created", "order", 1234),
        )
        self.assertEqual(first.http_status, 200)
        self.assertTrue(first.received_at)
        self.assertIn("already received", logs[1].reason)
        self.assertEqual((logs[2].resource_id, logs[2].order_id), (1234, 1234))
        self.assertIn("not handle", logs[2].reason)
        refused_log = logs[3]
        self.assertEqual(refused_log.webhook_id, refused_id)
        self.assertIn("invalid signature", refused_log.reason)
        # What an unsigned body claims is not recorded.
        self.assertFalse(refused_log.scope)
        self.assertFalse(refused_log.order_id)

    def test_did_bigcommerce_ever_tell_us_about_order_1234(self):
        with trap_jobs():
            self.deliver(data={"type": "order", "id": 1234})
            self.deliver("store/order/updated", {"type": "order", "id": 999})
            self.deliver(
                "store/order/statusUpdated",
                {
                    "type": "order",
                    "id": 1234,
                    "status": {"previous_status_id": 0, "new_status_id": 11},
                },
            )
        told = self.env["bigcommerce.webhook.log"].search([("order_id", "=", 1234)])
        self.assertEqual(
            sorted(told.mapped("scope")),
            ["store/order/created", "store/order/statusUpdated"],
        )
        self.assertEqual(set(told.mapped("outcome")), {"queued"})
        search = self.env["bigcommerce.webhook.log"].get_view(view_type="search")
        self.assertIn('name="order_id"', search["arch"])

    def test_refused_for_an_unknown_store_reveals_nothing(self):
        Log = self.env["bigcommerce.webhook.log"]
        before = Log.search_count([])
        with trap_jobs() as trap:
            unknown, _id = self.deliver(key="no-such-store")
            bad_signature, _id = self.deliver(secret="nope")
            trap.assert_jobs_count(0)
        self.assertEqual(unknown.status_code, 401)
        self.assertEqual(unknown.text, bad_signature.text)
        # Only the store's own refusal is in its log; the unknown address
        # left no row anywhere.
        self.assertEqual(Log.search_count([]), before + 1)
        self.assertEqual(self.logs().outcome, "refused")

    def test_malformed_delivery_to_a_store_is_logged_as_refused(self):
        with trap_jobs():
            response, webhook_id = self.deliver(data={"type": "order"})
        self.assertEqual(response.status_code, 400)
        log = self.logs()
        self.assertEqual((log.outcome, log.webhook_id), ("refused", webhook_id))
        self.assertIn("order id", log.reason)

    # -- a flood of refused deliveries ------------------------------------------
    def post_unsigned(self, count):
        """Post ``count`` unsigned deliveries to the store's address; their
        answers' status codes."""
        body = json.dumps(
            self.simulator.webhook_payload(
                "store/order/created", {"type": "order", "id": 1234}
            )
        ).encode()
        with mute_logger(CONTROLLER_LOGGER):
            return [
                self.url_open(
                    f"/bigcommerce/webhook/{self.backend.webhook_key}",
                    data=body,
                    headers={"Content-Type": "application/json"},
                ).status_code
                for _post in range(count)
            ]

    def test_a_flood_of_unsigned_posts_is_counted_not_logged_one_by_one(self):
        flood = 50
        beyond = flood - REFUSALS_LOGGED_ONE_BY_ONE
        # Every post lands in one frozen minute, however fast they come.
        start = fields.Datetime.now().replace(second=10)
        minute = start.replace(second=0)
        with freeze_time(start) as clock, trap_jobs() as trap:
            self.assertEqual(self.post_unsigned(flood), [401] * flood)
            logs = self.logs()
            counted = logs.filtered("window_start")
            one_by_one = logs - counted
            self.assertEqual(len(one_by_one), REFUSALS_LOGGED_ONE_BY_ONE)
            self.assertEqual(set(one_by_one.mapped("reason")), {UNSIGNED})
            self.assertEqual(set(one_by_one.mapped("delivery_count")), {1})
            self.assertEqual(len(counted), 1, "one row counts the rest")
            self.assertEqual(
                (
                    counted.outcome,
                    counted.reason,
                    counted.http_status,
                    counted.delivery_count,
                    counted.received_at,
                    counted.last_received_at,
                    counted.window_start,
                ),
                ("refused", UNSIGNED, 401, beyond, start, start, minute),
            )
            self.assertEqual(sum(logs.mapped("delivery_count")), flood)

            # A signed delivery is still logged, and queued, as before.
            queued, queued_id = self.deliver()
            self.assertEqual(queued.json(), {"status": "queued"})
            trap.assert_jobs_count(1)
            queued_log = self.logs() - logs
            self.assertEqual(
                (
                    queued_log.outcome,
                    queued_log.webhook_id,
                    queued_log.order_id,
                    queued_log.delivery_count,
                    queued_log.window_start,
                ),
                ("queued", queued_id, 1234, 1, False),
            )
            # Another reason has its own few rows.
            refused, refused_id = self.deliver(secret="not-the-secret")
            self.assertEqual(refused.status_code, 401)
            wrong_secret = self.logs() - logs - queued_log
            self.assertEqual(wrong_secret.webhook_id, refused_id)
            self.assertFalse(wrong_secret.window_start)

            # The next minute starts a new count; the last one's stays.
            clock.tick(timedelta(minutes=1))
            seen = self.logs()
            self.assertEqual(
                self.post_unsigned(REFUSALS_LOGGED_ONE_BY_ONE + 2),
                [401] * (REFUSALS_LOGGED_ONE_BY_ONE + 2),
            )
            new = self.logs() - seen
            next_counted = new.filtered("window_start")
            self.assertEqual(len(new - next_counted), REFUSALS_LOGGED_ONE_BY_ONE)
            self.assertEqual(
                (next_counted.delivery_count, next_counted.window_start),
                (2, minute + timedelta(minutes=1)),
            )
            counted.invalidate_recordset()
            self.assertEqual(counted.delivery_count, beyond)
        views = self.env["bigcommerce.webhook.log"]
        for view_type in ("list", "form"):
            arch = views.get_view(view_type=view_type)["arch"]
            for fname in ("delivery_count", "last_received_at"):
                self.assertIn(f'name="{fname}"', arch, view_type)


@tagged("post_install", "-at_install")
class TestRefusalsCountedConcurrently(CommittedStoreMixin, TransactionCase):
    """Workers answering refused deliveries at the same moment, each in its
    own transaction, as the HTTP workers do."""

    def logs(self, env):
        logs = env["bigcommerce.webhook.log"].search(
            [("backend_id", "=", self.backend_id)]
        )
        return logs - logs.filtered("window_start"), logs.filtered("window_start")

    def waiting_on_locks(self):
        with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND query LIKE '%bigcommerce_webhook_refusal%'"
            )
            return cr.fetchone()[0]

    def test_two_workers_counting_at_once_lose_no_count_and_raise_nothing(self):
        self.create_committed_store("Flooded store", f"flooded{RUN}", bare=True)
        now = datetime(2031, 5, 4, 10, 20, 30)
        dbname = self.env.cr.dbname
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            for _post in range(REFUSALS_LOGGED_ONE_BY_ONE + 1):
                env["bigcommerce.webhook.log"]._record_refused(
                    backend, 401, UNSIGNED, now=now
                )
        outcomes = []

        def worker():
            with closing(db_connect(dbname).cursor()) as cr:
                env = self.env_on(cr)
                cr.execute("SELECT 1")  # the request's transaction has begun
                try:
                    env["bigcommerce.webhook.log"]._record_refused(
                        env["bigcommerce.backend"].browse(self.backend_id),
                        401,
                        UNSIGNED,
                        now=now,
                    )
                    cr.commit()  # pylint: disable=invalid-commit
                    outcomes.append("answered")
                except Exception as exc:
                    outcomes.append(repr(exc))

        # A third worker is counting, and has not committed yet: the two
        # others must wait for it, then count on what it wrote.
        with (
            closing(db_connect(dbname).cursor()) as busy,
            mock.patch.object(Registry, "_lock", DummyRLock()),
            self.assertNoLogs(
                "odoo.addons.bigcommerce_connector.models.bigcommerce_webhook_log",
                "WARNING",
            ),
        ):
            busy.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            env = self.env_on(busy)
            Log = env["bigcommerce.webhook.log"]
            Log._count_refused(
                busy,
                Log._refusal_values(
                    env["bigcommerce.backend"].browse(self.backend_id),
                    401,
                    UNSIGNED,
                    None,
                    now,
                ),
            )
            threads = [threading.Thread(target=worker) for _worker in range(2)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + THREAD_TIMEOUT
            while self.waiting_on_locks() < 2:
                if time.monotonic() > deadline or not all(
                    t.is_alive() for t in threads
                ):
                    busy.rollback()
                    self.fail(f"the workers did not both wait: {outcomes}")
                threading.Event().wait(0.01)
            busy.commit()  # pylint: disable=invalid-commit
            for thread in threads:
                thread.join(timeout=THREAD_TIMEOUT)
        if any(thread.is_alive() for thread in threads):
            faulthandler.dump_traceback(all_threads=True)
            self.fail("a worker is stuck; tracebacks above")
        self.assertEqual(outcomes, ["answered", "answered"])
        with self.committed_env() as env:
            one_by_one, counted = self.logs(env)
            self.assertEqual(len(one_by_one), REFUSALS_LOGGED_ONE_BY_ONE)
            # The first beyond the few, the busy worker's, and both others'.
            self.assertEqual(counted.delivery_count, 4)
            env.cr.execute(
                "SELECT seen FROM bigcommerce_webhook_refusal WHERE backend_id = %s",
                [self.backend_id],
            )
            self.assertEqual(env.cr.fetchall(), [(REFUSALS_LOGGED_ONE_BY_ONE + 4,)])


@tagged("post_install", "-at_install")
class TestWebhookLogListQueries(BigCommerceCase):
    """The deliveries' list reads what each delivery is about and what
    became of it for the whole page at once: 40 rows cost the queries of
    20."""

    # What became of each kind of delivery of :meth:`deliveries`, in turn.
    RESULTS = ["done", "failed", "done", "queued", "queued", "ignored"]

    def setUp(self):
        super().setUp()
        self.manager = new_test_user(
            self.env,
            login="bc-log-manager",
            groups="bigcommerce_connector.group_bigcommerce_manager",
        )
        self.next_id = 1000

    def deliveries(self, count):
        """``count`` deliveries of five minutes ago, of each kind in turn:
        an order imported since, an order whose import failed since, a
        shipment of an order imported since, a customer not imported yet, a
        refund whose job waits, an ignored delivery."""
        now = fields.Datetime.now()
        values = []
        for index in range(count):
            self.next_id += 1
            bigcommerce_id = self.next_id
            row = {
                "backend_id": self.backend.id,
                "outcome": "queued",
                "scope": "store/order/updated",
                "received_at": now - timedelta(minutes=5),
            }
            kind = index % len(self.RESULTS)
            if kind in (0, 2):
                self.env["bigcommerce.order"].sudo().create(
                    {
                        "backend_id": self.backend.id,
                        "bigcommerce_id": bigcommerce_id,
                        "sync_date": now,
                    }
                )
            if kind in (0, 1):
                row.update(subject="order", subject_id=bigcommerce_id)
            if kind == 1:
                self.env["bigcommerce.failure"].sudo()._record(
                    self.backend, "order", bigcommerce_id, "Unknown SKU 'X'"
                )
            if kind == 2:
                row.update(
                    scope="store/shipment/created",
                    subject="shipment",
                    subject_id=bigcommerce_id,
                    order_id=bigcommerce_id,
                )
            if kind == 3:
                row.update(
                    scope="store/customer/updated",
                    subject="customer",
                    subject_id=bigcommerce_id,
                )
            if kind == 4:
                job = kinds.delay_import(
                    self.backend, "refund", bigcommerce_id, 77
                ).db_record()
                row.update(
                    scope="store/order/refund/created",
                    subject="refund",
                    subject_id=bigcommerce_id,
                    order_id=77,
                    job_id=job.id,
                )
            if kind == 5:
                row.update(outcome="ignored", scope="store/order/message/created")
            values.append(row)
        return self.env["bigcommerce.webhook.log"].sudo().create(values)

    def test_forty_rows_cost_the_queries_of_twenty(self):
        spec = list_specification(self.env["bigcommerce.webhook.log"])
        self.assertTrue({"subject_name", "result", "failure_id"} <= set(spec))
        twenty, forty = self.deliveries(20), self.deliveries(40)
        as_manager = self.env(user=self.manager)["bigcommerce.webhook.log"]
        read_queries(as_manager.browse(twenty.ids[:5]), spec)  # caches warm
        queries_20 = read_queries(as_manager.browse(twenty.ids), spec)
        queries_40 = read_queries(as_manager.browse(forty.ids), spec)
        self.assertEqual(queries_40, queries_20)
        rows = as_manager.browse(forty.ids).web_read(spec)
        self.assertEqual(
            [row["result"] for row in rows],
            (self.RESULTS * 7)[:40],
        )
        self.assertEqual(
            [bool(row["failure_id"]) for row in rows],
            [result == "failed" for result in (self.RESULTS * 7)[:40]],
        )
        # One record as many: what the form opens is the list's.
        shipment = forty[2]
        self.assertEqual(
            shipment.subject_ref,
            self.env["bigcommerce.order"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", shipment.order_id),
                ]
            ),
        )
