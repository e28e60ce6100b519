# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook route, on Odoo's real HTTP server."""

import json
import time
import uuid
from datetime import timedelta
from unittest import mock

import requests
from werkzeug.serving import DechunkedInput

from odoo import SUPERUSER_ID, fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce.webhook import REPLAY_WINDOW
from ..components import kinds
from ..controllers.main import MAX_BODY_BYTES
from .common import CLIENT_SECRET, BigCommerceAccountingHttpCase
from .simulator import webhooks as simulator_webhooks

CONTROLLER_LOGGER = "odoo.addons.bigcommerce_connector.controllers.main"


@tagged("post_install", "-at_install")
class TestWebhook(BigCommerceAccountingHttpCase):
    def path(self, key=None):
        return f"/bigcommerce/webhook/{key or self.backend.webhook_key}"

    def envelope(self, scope="store/order/created", data=None):
        return self.simulator.webhook_payload(
            scope, data or {"type": "order", "id": 250}
        )

    def sign(self, body, secret=CLIENT_SECRET, timestamp=None, webhook_id=None):
        """Standard Webhooks headers; each delivery has its own id unless
        ``webhook_id`` says otherwise (BigCommerce's retries keep theirs)."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
        return simulator_webhooks.sign(secret, body, webhook_id, timestamp)

    def post(self, body, headers, key=None):
        headers = dict(headers, **{"Content-Type": "application/json"})
        with mute_logger(CONTROLLER_LOGGER):
            return self.url_open(self.path(key), data=body, headers=headers)

    def deliver(self, envelope=None, **sign_options):
        body = json.dumps(envelope or self.envelope()).encode()
        return self.post(body, self.sign(body, **sign_options))

    # -- good deliveries ---------------------------------------------------------
    def test_valid_delivery_is_queued_and_answered(self):
        requests_before = len(self.simulator.requests)
        with trap_jobs() as trap:
            response = self.deliver()
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json(), {"status": "queued"})
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.method_name, "_import_order")
            self.assertEqual(job.recordset, self.backend)
            self.assertEqual(job.recordset.env.uid, SUPERUSER_ID)
            self.assertEqual(job.args, (250,))
        self.assertEqual(
            len(self.simulator.requests),
            requests_before,
            "no BigCommerce call in the request",
        )
        self.assertFalse(self.env["bigcommerce.order"].search([]))

    def test_every_handled_scope_is_queued(self):
        for scope, data in (
            ("store/order/created", {"type": "order", "id": 7}),
            ("store/order/updated", {"type": "order", "id": 7}),
            (
                "store/order/statusUpdated",
                {
                    "type": "order",
                    "id": 7,
                    "status": {"previous_status_id": 0, "new_status_id": 11},
                },
            ),
        ):
            with self.subTest(scope=scope), trap_jobs() as trap:
                response = self.deliver(self.envelope(scope, data))
                self.assertEqual(response.status_code, 200)
                trap.assert_jobs_count(1)

    def test_known_unhandled_scope_is_acknowledged(self):
        for scope, data in (
            (
                "store/customer/payment/instrument/default/updated",
                {"type": "customer", "id": 32},
            ),
            (
                "store/order/message/created",
                {"type": "order", "id": 250, "message": {"order_message_id": 3}},
            ),
            ("store/product/updated", {"type": "product", "id": 5}),
        ):
            with self.subTest(scope=scope), trap_jobs() as trap:
                response = self.deliver(self.envelope(scope, data))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json(), {"status": "ignored"})
                trap.assert_jobs_count(0)

    def test_duplicate_deliveries_collapse_into_one_job(self):
        envelope = self.envelope(data={"type": "order", "id": 4242})
        for webhook_id in ("msg_a", "msg_a", "msg_b"):
            self.assertEqual(
                self.deliver(envelope, webhook_id=webhook_id).status_code, 200
            )
        jobs = self.connector_jobs("_import_order")
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.identity_key, f"bigcommerce-order-{self.backend.id}-4242")

    # -- bad deliveries ----------------------------------------------------------
    def assert_refused(self, response, status, trap):
        self.assertEqual(response.status_code, status)
        trap.assert_jobs_count(0)
        self.assertFalse(self.env["bigcommerce.failure"].search([]))
        self.assertFalse(self.env["bigcommerce.order"].search([]))

    def test_bad_signatures_are_refused_alike(self):
        body = json.dumps(self.envelope()).encode()
        good = self.sign(body)
        cases = {
            "tampered body": (body.replace(b"250", b"251"), good),
            "wrong secret": (body, self.sign(body, secret="not-the-secret")),
            "stale timestamp": (
                body,
                self.sign(body, timestamp=int(time.time()) - 3600),
            ),
            "future timestamp": (
                body,
                self.sign(body, timestamp=int(time.time()) + 3600),
            ),
            "no signature": (
                body,
                {k: v for k, v in good.items() if k != "webhook-signature"},
            ),
            "no id": (body, {k: v for k, v in good.items() if k != "webhook-id"}),
            "no timestamp": (
                body,
                {k: v for k, v in good.items() if k != "webhook-timestamp"},
            ),
            "garbage signature": (body, dict(good, **{"webhook-signature": "v1,###"})),
        }
        answers = set()
        for label, (payload, headers) in cases.items():
            with self.subTest(label), trap_jobs() as trap:
                response = self.post(payload, headers)
                self.assert_refused(response, 401, trap)
                answers.add(response.text)
        self.assertEqual(len(answers), 1, "every refusal looks the same")

    def test_unknown_archived_or_secretless_store_reveals_nothing(self):
        body = json.dumps(self.envelope()).encode()
        with trap_jobs() as trap:
            bad_signature = self.post(body, self.sign(body, secret="nope"))
            unknown = self.post(body, self.sign(body), key="no-such-store")
            self.assert_refused(unknown, 401, trap)
            self.assertEqual(unknown.text, bad_signature.text)
            self.backend.active = False
            self.assert_refused(self.post(body, self.sign(body)), 401, trap)
            self.backend.active = True
            self.backend.client_secret = False
            self.assert_refused(self.post(body, self.sign(body)), 401, trap)

    def test_malformed_payloads(self):
        cases = {
            "not json": b"scope=store/order/created",
            "json array": b"[]",
            "no scope": json.dumps({"data": {"type": "order", "id": 1}}).encode(),
            "no data": json.dumps({"scope": "store/order/created"}).encode(),
            "order without id": json.dumps(
                self.envelope(data={"type": "order"})
            ).encode(),
            "unknown scope": json.dumps(
                self.envelope("store/nonsense/created")
            ).encode(),
            "another store": json.dumps(
                dict(self.envelope(), producer="stores/otherstore")
            ).encode(),
        }
        for label, body in cases.items():
            with self.subTest(label), trap_jobs() as trap:
                self.assert_refused(self.post(body, self.sign(body)), 400, trap)

    def test_oversized_body(self):
        body = json.dumps(dict(self.envelope(), padding="x" * MAX_BODY_BYTES)).encode()
        with trap_jobs() as trap:
            self.assert_refused(self.post(body, self.sign(body)), 413, trap)

    def test_only_post(self):
        with mute_logger("odoo.http"):
            response = self.url_open(self.path())
        self.assertEqual(response.status_code, 405)

    def test_options_with_a_signed_body_queues_nothing(self):
        """Odoo's router lets OPTIONS through to every route: the route
        itself only takes POST."""
        body = json.dumps(self.envelope()).encode()
        headers = dict(self.sign(body), **{"Content-Type": "application/json"})
        with trap_jobs() as trap, mute_logger(CONTROLLER_LOGGER):
            response = self.url_open(
                self.path(), data=body, headers=headers, method="OPTIONS"
            )
            self.assert_refused(response, 405, trap)

    # -- hardening: what anyone may send ------------------------------------------
    def test_chunked_body_is_read_no_further_than_the_limit(self):
        """A chunked body declares no length: the route reads the limit and
        one byte, answers 413, and leaves the rest unread."""
        read = []
        real_readinto = DechunkedInput.readinto

        def counting_readinto(stream, buffer):
            count = real_readinto(stream, buffer)
            read.append(count)
            return count

        def body():
            for _i in range(64):  # 4 MiB in 64 KiB chunks
                yield b" " * 65536

        headers = {"Content-Type": "application/json"}
        with (
            mock.patch.object(DechunkedInput, "readinto", counting_readinto),
            trap_jobs() as trap,
            mute_logger(CONTROLLER_LOGGER, "odoo.http", "werkzeug"),
        ):
            try:
                status = self.url_open(
                    self.path("any-key"), data=body(), headers=headers
                ).status_code
            except requests.exceptions.ConnectionError:
                status = None  # the server answered and hung up mid-upload
            trap.assert_jobs_count(0)
        self.assertIn(status, (413, None))
        self.assertTrue(read, "the body came in chunks")
        self.assertLessEqual(sum(read), MAX_BODY_BYTES + 1)

    def test_chunked_form_body_is_read_no_further_than_the_limit(self):
        """A form-encoded body is what Odoo parses into parameters before any
        route runs: chunked, it too is read no further than the limit."""
        read = []
        real_readinto = DechunkedInput.readinto

        def counting_readinto(stream, buffer):
            count = real_readinto(stream, buffer)
            read.append(count)
            return count

        def body():
            yield b"a="
            for _i in range(64):  # 4 MiB in 64 KiB chunks
                yield b"b" * 65536

        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with (
            mock.patch.object(DechunkedInput, "readinto", counting_readinto),
            trap_jobs() as trap,
            mute_logger(CONTROLLER_LOGGER, "odoo.http", "werkzeug"),
        ):
            try:
                status = self.url_open(
                    self.path(), data=body(), headers=headers
                ).status_code
            except requests.exceptions.ConnectionError:
                status = None  # the server answered and hung up mid-upload
            trap.assert_jobs_count(0)
        self.assertIn(status, (413, None))
        self.assertTrue(read, "the body came in chunks")
        self.assertLessEqual(sum(read), MAX_BODY_BYTES + 1)

    def test_delivery_labelled_as_a_form_is_still_checked_on_its_bytes(self):
        """Odoo parses a form-encoded body into parameters before the route
        runs; the signature is still checked on the exact bytes received."""
        body = json.dumps(self.envelope()).encode()
        headers = dict(
            self.sign(body), **{"Content-Type": "application/x-www-form-urlencoded"}
        )
        with trap_jobs() as trap, mute_logger(CONTROLLER_LOGGER):
            response = self.url_open(self.path(), data=body, headers=headers)
            self.assertEqual(response.status_code, 200, response.text)
            trap.assert_jobs_count(1)
        with trap_jobs() as trap, mute_logger(CONTROLLER_LOGGER):
            tampered = body.replace(b"250", b"251")
            headers = dict(headers, **{"webhook-id": "msg_other"})
            response = self.url_open(self.path(), data=tampered, headers=headers)
            self.assert_refused(response, 401, trap)

    def test_webhook_key_that_no_store_can_have(self):
        """A NUL byte, or anything else no webhook key contains, is refused
        like an unknown store, without a database error."""
        body = json.dumps(self.envelope()).encode()
        for key in ("%00", "a%00b", "%C3%A9t%C3%A9", "x" * 300):
            with self.subTest(key=key), trap_jobs() as trap:
                self.assert_refused(
                    self.post(body, self.sign(body), key=key), 401, trap
                )

    def test_absurd_signed_json_is_a_client_error(self):
        envelope = '{"scope": "store/order/created", "data": %s}'
        cases = {
            "nested 10,000 deep": envelope % ("[" * 10000 + "]" * 10000),
            "Infinity": envelope % '{"type": "order", "id": Infinity}',
            "NaN": envelope % '{"type": "order", "id": NaN}',
            "1e400": envelope % '{"type": "order", "id": 1e400}',
            "huge integer": envelope % ('{"type": "order", "id": 1%s}' % ("0" * 5000)),
        }
        for label, text in cases.items():
            body = text.encode()
            with self.subTest(label), trap_jobs() as trap:
                self.assert_refused(self.post(body, self.sign(body)), 400, trap)

    def test_order_id_must_be_a_positive_32_bit_integer(self):
        for order_id in (True, 1.5, " 102 ", "102", None, [], {}, 0, -7, 2**31, 10**30):
            with self.subTest(order_id=order_id), trap_jobs() as trap:
                response = self.deliver(
                    self.envelope(data={"type": "order", "id": order_id})
                )
                self.assert_refused(response, 400, trap)
        with trap_jobs() as trap:
            response = self.deliver(
                self.envelope(data={"type": "order", "id": 2**31 - 1})
            )
            self.assertEqual(response.status_code, 200)
            trap.assert_jobs_count(1)
            self.assertEqual(trap.enqueued_jobs[0].args, (2**31 - 1,))
            self.assertEqual(trap.enqueued_jobs[0].kwargs, {"origin": "webhook"})

    def test_replayed_delivery_queues_nothing(self):
        """The same signed delivery, sent again within the timestamp
        tolerance, after its job has run: acknowledged, not queued."""
        body = json.dumps(self.envelope(data={"type": "order", "id": 77})).encode()
        headers = self.sign(body, webhook_id="msg_replayed")
        self.assertEqual(self.post(body, headers).json(), {"status": "queued"})
        self.connector_jobs("_import_order").write({"state": "done"})
        replay = self.post(body, headers)
        self.assertEqual(replay.status_code, 200)
        self.assertEqual(replay.json(), {"status": "duplicate"})
        self.assertEqual(len(self.connector_jobs("_import_order")), 1)
        # Another delivery (another id) of the same order is queued.
        self.assertEqual(
            self.deliver(self.envelope(data={"type": "order", "id": 77})).json(),
            {"status": "queued"},
        )
        self.assertEqual(len(self.connector_jobs("_import_order")), 2)

    def test_seen_ids_are_remembered_as_long_as_the_log(self):
        """The log is the replay guard: the same delivery, sent again long
        after the signature's tolerance (BigCommerce retrying a delivery
        whose answer it lost signs it again), is still a duplicate; once
        the log has forgotten the delivery, its id is new again."""
        envelope = self.envelope(data={"type": "order", "id": 78})
        self.assertEqual(
            self.deliver(envelope, webhook_id="msg_retried").json(),
            {"status": "queued"},
        )
        queued = self.env["bigcommerce.webhook.log"].search(
            [("webhook_id", "=", "msg_retried")]
        )
        self.assertTrue(queued.claimed)
        self.connector_jobs("_import_order").write({"state": "done"})
        long_ago = fields.Datetime.now() - REPLAY_WINDOW - timedelta(days=2)
        self.env.cr.execute(
            "UPDATE bigcommerce_webhook_log SET received_at = %s WHERE id = %s",
            [long_ago, queued.id],
        )
        self.assertEqual(
            self.deliver(envelope, webhook_id="msg_retried").json(),
            {"status": "duplicate"},
        )
        self.assertEqual(len(self.connector_jobs("_import_order")), 1)
        self.backend.webhook_log_days = 1
        self.env["bigcommerce.webhook.log"].sudo()._gc_old_log()
        self.assertFalse(queued.exists())
        self.assertEqual(
            self.deliver(envelope, webhook_id="msg_retried").json(),
            {"status": "queued"},
        )
        self.assertEqual(len(self.connector_jobs("_import_order")), 2)

    # -- the acknowledgement's cost ----------------------------------------------
    def test_acknowledgement_is_one_statement(self):
        """A valid delivery is answered with one SQL statement: the claim
        that logs it and stores its job. The store and its secret come from
        the worker's cache; nothing is computed by the ORM."""
        # The first delivery fills the worker's caches (the stores, the job
        # function's configuration).
        self.assertEqual(self.deliver().json(), {"status": "queued"})
        key = self.backend.webhook_key
        for order_id in (251, 252):
            body = json.dumps(
                self.envelope(data={"type": "order", "id": order_id})
            ).encode()
            headers = self.sign(body)
            with self.assertQueryCount(1):
                response = self.post(body, headers, key=key)
            self.assertEqual(response.json(), {"status": "queued"})
        # A duplicate costs its one statement: the claim that logs it.
        body = json.dumps(self.envelope(data={"type": "order", "id": 253})).encode()
        headers = self.sign(body)
        self.assertEqual(self.post(body, headers, key=key).json(), {"status": "queued"})
        with self.assertQueryCount(1):
            response = self.post(body, headers, key=key)
        self.assertEqual(response.json(), {"status": "duplicate"})
        # Each delivery is logged, and each queued one has its job.
        jobs = self.connector_jobs("_import_order")
        self.assertEqual(
            sorted(tuple(args) for args in jobs.mapped("args")),
            [(250,), (251,), (252,), (253,)],
        )
        logs = self.env["bigcommerce.webhook.log"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(sorted(logs.mapped("outcome")), ["duplicate"] + ["queued"] * 4)
        self.assertEqual(set(logs.mapped("company_id")), {self.backend.company_id})

    def test_job_of_the_claim_is_queue_jobs_own(self):
        """The job the claim of a delivery stores is the row queue_job's own
        ``with_delay()`` stores, with the same followers; a job waiting for
        the same record is named, not queued twice."""
        Jobs = self.env["queue.job"].sudo()
        Log = self.env["bigcommerce.webhook.log"].sudo()
        kind = kinds.KINDS["order"]
        backend = self.backend.with_user(SUPERUSER_ID)
        store = self.env["bigcommerce.backend"]._webhook_stores()[
            self.backend.webhook_key
        ]
        envelope = self.envelope(data={"type": "order", "id": 260})

        def row(job_record):
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT * FROM queue_job WHERE id = %s", [job_record.id]
            )
            values = self.env.cr.dictfetchone()
            for fname in ("id", "uuid", "date_created"):
                values.pop(fname)
            return values

        def claim(webhook_id):
            job = kind.webhook_job(backend, 260, store_name=store.name)
            claimed = Log._claim(store, envelope, webhook_id, job=job)
            stored = Jobs.search([("uuid", "=", job.uuid)])
            log = Log.search([("webhook_id", "=", webhook_id)], order="id desc")[:1]
            return claimed, stored, log

        with_delay = kind.delay_import(backend, 260, **kind.webhook_options)
        stored_by_queue_job = Jobs.search([("uuid", "=", with_delay.uuid)])
        expected = row(stored_by_queue_job)
        followers = stored_by_queue_job.message_follower_ids.partner_id
        stored_by_queue_job.unlink()

        claimed, job, log = claim("msg_260")
        self.assertTrue(claimed)
        self.assertEqual(row(job), expected)
        self.assertEqual(job.message_follower_ids.partner_id, followers)
        self.assertEqual((job.state, job.records), ("pending", self.backend))
        self.assertEqual(log.job_id, job)
        self.assertEqual(
            (log.outcome, log.subject, log.subject_id), ("queued", "order", 260)
        )
        # Waiting: another delivery of the order names that job.
        claimed, stored, log = claim("msg_261")
        self.assertTrue(claimed)
        self.assertFalse(stored)
        self.assertEqual(log.job_id, job)
        # Done: the next one is queued.
        job.state = "done"
        claimed, stored, log = claim("msg_262")
        self.assertTrue(claimed)
        self.assertEqual(log.job_id, stored)
        self.assertEqual(stored.state, "pending")
        # A duplicate queues nothing and names no job.
        claimed, stored, log = claim("msg_260")
        self.assertFalse(claimed)
        self.assertFalse(stored)
        self.assertEqual((log.outcome, log.job_id), ("duplicate", Jobs))

    def test_store_changes_reach_the_route_at_once(self):
        """The route's cache of stores is cleared when a store's webhook
        key, secret or archiving change, or a store is added."""
        self.assertEqual(self.deliver().json(), {"status": "queued"})
        order_ids = iter(range(300, 400))

        def answer(key=None, store_hash=None, **sign_options):
            data = {"type": "order", "id": next(order_ids)}
            envelope = self.envelope(data=data)
            if store_hash:
                envelope["producer"] = f"stores/{store_hash}"
            body = json.dumps(envelope).encode()
            response = self.post(body, self.sign(body, **sign_options), key=key)
            return response.status_code

        old_key = self.backend.webhook_key
        self.backend.sudo().webhook_key = "a-new-key-for-this-store"
        self.assertEqual(answer(key=old_key), 401)
        self.assertEqual(answer(), 200)
        self.backend.client_secret = "another-secret"
        self.assertEqual(answer(), 401)
        self.assertEqual(answer(secret="another-secret"), 200)
        another = self.backend.copy(
            {"name": "Another store", "store_hash": "anotherstore1"}
        )
        another.client_secret = CLIENT_SECRET
        self.assertEqual(answer(another.webhook_key, another.store_hash), 200)
        another.active = False
        self.assertEqual(answer(another.webhook_key, another.store_hash), 401)
        self.assertEqual(
            len(self.connector_jobs("_import_order")), 4, "one job per answer 200"
        )

    # -- end to end ----------------------------------------------------------
    def test_webhook_to_posted_invoice(self):
        """The store sends a signed webhook; a job books the posted invoice."""
        order = self.add_order(
            lines=[{"sku": "MUG-BLK", "quantity": 2}, {"sku": "BOOK-1", "quantity": 1}],
            shipping="4.95",
            coupons=[{"code": "WELCOME", "type": 2, "amount": "3.00"}],
        )
        url = self.base_url() + self.path()
        # The simulator is another HTTP client: let its requests in.
        with self.allow_requests(all_requests=True), mute_logger(CONTROLLER_LOGGER):
            status, body = self.simulator.deliver_webhook(
                url,
                scope="store/order/created",
                data={"type": "order", "id": order["id"]},
            )
        self.assertEqual(status, 200, body)
        self.assertEqual(len(self.connector_jobs("_import_order")), 1)
        self.run_jobs("_import_order")
        self.assertEqual(self.connector_jobs("_import_order").state, "done")
        binding = self.binding(order)
        self.assertEqual(binding.move_id.state, "posted")
        self.assert_matches_store(binding.move_id, order)
        # BigCommerce delivers again (a retry): still one invoice.
        with self.allow_requests(all_requests=True), mute_logger(CONTROLLER_LOGGER):
            status, _body = self.simulator.deliver_webhook(
                url,
                scope="store/order/updated",
                data={"type": "order", "id": order["id"]},
            )
        self.assertEqual(status, 200)
        self.run_jobs("_import_order")
        self.assertEqual(self.binding(order).move_id, binding.move_id)
        self.assertEqual(
            self.env["account.move"].search_count([("ref", "=", str(order["id"]))]), 1
        )
