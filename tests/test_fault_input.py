# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fault suite: bad input, hostile text, outsiders and secrets.

- Whatever reaches the webhook route, fuzzed by hypothesis, gets a clear
  4xx or a 200, never a 5xx, and only a sensible signed delivery queues a
  job. Order payloads fuzzed at the mapper are in the pure tier
  (``tests/pure/test_tax_inference.py``); here an unreadable order ends as
  a failure record, never a crashed job.
- HTML and script in names are escaped wherever the connector writes them.
- A user outside the connector's groups reads and triggers nothing, by RPC
  or through the buttons the UI calls.
- The access token and the client secret never reach the logs, chatter,
  failure records, job results or error messages.
"""

import base64
import hmac
import json
import time
import uuid
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce import BigCommerceClient
from ..models.bigcommerce_backend import BigCommerceBackend
from .common import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    BigCommerceAccountingCase,
    import_order_job,
)
from .simulator import webhooks as simulator_webhooks

CONTROLLER_LOGGER = "odoo.addons.bigcommerce_connector.controllers.main"
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"
REAL_GET_ORDER = BigCommerceClient.get_order

header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
)
json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**64), 2**64),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4),
    ),
    max_leaves=15,
)


@tagged("post_install", "-at_install")
class TestBadInputAtTheRoute(BigCommerceAccountingCase, HttpCase):
    def path(self):
        return f"/bigcommerce/webhook/{self.backend.webhook_key}"

    def post(self, body, headers):
        headers = dict(headers)
        headers.setdefault("Content-Type", "application/json")
        with mute_logger(CONTROLLER_LOGGER, "odoo.http", "werkzeug"):
            return self.url_open(self.path(), data=body, headers=headers)

    def signed(self, body, secret=CLIENT_SECRET, age=0):
        """Standard Webhooks headers signing ``body`` as bytes, whether it
        is UTF-8 or not (the simulator signs text only)."""
        webhook_id = f"msg_{uuid.uuid4().hex}"
        timestamp = int(time.time()) - age
        digest = hmac.new(
            secret.encode(), f"{webhook_id}.{timestamp}.".encode() + body, "sha256"
        ).digest()
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
        }

    def assert_clear_answer(self, response, trap):
        self.assertLess(response.status_code, 500, response.text)
        self.assertIn(response.status_code, (200, 400, 401, 405, 413))
        if response.status_code != 200 or response.json()["status"] != "queued":
            trap.assert_jobs_count(0)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(
        body=st.one_of(
            st.binary(max_size=600),
            json_value.map(lambda value: json.dumps(value).encode()),
            st.fixed_dictionaries(
                {
                    "scope": st.one_of(
                        st.just("store/order/created"), st.text(max_size=30)
                    ),
                    "data": json_value,
                    "producer": st.one_of(
                        st.just("stores/teststore1"), st.text(max_size=20)
                    ),
                }
            ).map(lambda value: json.dumps(value).encode()),
        ),
        signing=st.sampled_from(["signed", "wrong secret", "stale", "unsigned"]),
        extra_headers=st.dictionaries(
            st.sampled_from(
                [
                    "webhook-id",
                    "webhook-timestamp",
                    "webhook-signature",
                    "Content-Type",
                    "X-Anything",
                ]
            ),
            header_text,
            max_size=3,
        ),
    )
    def test_fuzzed_bodies_and_headers_never_get_a_5xx(
        self, body, signing, extra_headers
    ):
        headers = {
            "signed": lambda: self.signed(body),
            "wrong secret": lambda: self.signed(body, secret="not-the-secret"),
            "stale": lambda: self.signed(body, age=3600),
            "unsigned": dict,
        }[signing]()
        headers.update(extra_headers)
        with trap_jobs() as trap:
            self.assert_clear_answer(self.post(body, headers), trap)

    def test_nul_bytes_and_non_utf8_bodies_are_client_errors(self):
        envelope = self.simulator.webhook_payload(
            "store/order/created", {"type": "order", "id": 12}
        )
        text = json.dumps(envelope)
        cases = {
            "NUL after the JSON": text.encode() + b"\x00",
            "NUL inside the JSON": text.replace('"order"', '"or\x00der"').encode(),
            "escaped NUL in the scope": text.replace(
                "store/order/created", "store/order/created\\u0000"
            ).encode(),
            "latin-1": text.replace("order", "ordér").encode("latin-1"),
            "invalid UTF-8": b"\xff\xfe" + text.encode(),
            "UTF-16": text.encode("utf-16"),
        }
        for label, body in cases.items():
            with self.subTest(label), trap_jobs() as trap:
                response = self.post(body, self.signed(body))
                # Not UTF-8 cannot be what BigCommerce signed: 401, like a
                # bad signature; UTF-8 that is no sensible envelope: 400.
                self.assertIn(response.status_code, (400, 401), label)
                trap.assert_jobs_count(0)

    def test_forged_and_replayed_deliveries_queue_nothing(self):
        body = json.dumps(
            self.simulator.webhook_payload(
                "store/order/created", {"type": "order", "id": 12}
            )
        ).encode()
        headers = self.signed(body)
        with trap_jobs() as trap:
            self.assertEqual(self.post(body, headers).status_code, 200)
            self.assertEqual(self.post(body, headers).json(), {"status": "duplicate"})
            forged = dict(headers, **{"webhook-signature": "v1,AAAA"})
            self.assertEqual(self.post(body, forged).status_code, 401)
            tampered = body.replace(b'"id": 12', b'"id": 13')
            self.assertEqual(self.post(tampered, headers).status_code, 401)
            trap.assert_jobs_count(1)


@tagged("post_install", "-at_install")
class TestBadOrdersInTheWorker(BigCommerceAccountingCase):
    def test_unreadable_order_is_a_failure_record_not_a_crash(self):
        order = self.add_order()
        junk_values = (
            {"total_inc_tax": "twelve"},
            {"consignments": {"shipping": [{"line_items": [{"id": "x"}]}]}},
            {"consignments": "none"},
            {"billing_address": ["not", "an", "address"]},
        )
        for junk in junk_values:
            with self.subTest(junk=junk):

                def junk_order(client, order_id, junk=junk):
                    return dict(REAL_GET_ORDER(client, order_id), **junk)

                with (
                    mock.patch.object(BigCommerceClient, "get_order", junk_order),
                    mute_logger("odoo.addons.bigcommerce_connector.components"),
                ):
                    result = self.import_order(order, expect="failed")
                self.assertIn("failed", result)
                failure = self.failure(order)
                self.assertEqual(failure.state, "open")
                self.assertTrue(failure.reason)
                self.assertFalse(self.binding(order).move_id)


@tagged("post_install", "-at_install")
class TestHostileText(BigCommerceAccountingCase):
    def assert_escaped_everywhere(self, record):
        bodies = "".join(record.message_ids.mapped(lambda m: str(m.body)))
        self.assertIn("&lt;script&gt;", bodies)
        self.assertNotIn("<script", bodies)
        self.assertNotIn("<img", bodies)

    def test_html_in_names_is_escaped_in_failures_and_their_chatter(self):
        order = self.add_order(
            billing_address={"first_name": HOSTILE, "last_name": HOSTILE},
            lines=[
                {
                    "sku": HOSTILE,
                    "name": HOSTILE,
                    "price": "5.00",
                    "tax_rate": "0.0825",
                    "quantity": 1,
                }
            ],
        )
        self.import_order(order, expect="failed")
        failure = self.failure(order)
        self.assertIn(HOSTILE, failure.reason)  # plain text, shown escaped
        self.assertNotIsInstance(failure.reason, Markup)
        self.assert_escaped_everywhere(failure)

    def test_html_in_a_changed_order_is_escaped_on_the_invoice(self):
        order = self.add_order(
            billing_address={"first_name": HOSTILE, "company": HOSTILE}
        )
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assertIn("<script>", move.partner_id.name)  # data, kept as typed

        def hostile_status(client, order_id):
            return dict(REAL_GET_ORDER(client, order_id), custom_status=HOSTILE)

        with mock.patch.object(BigCommerceClient, "get_order", hostile_status):
            self.import_order(order)
        self.assert_escaped_everywhere(move)

    def test_html_from_the_store_is_plain_text_in_notifications(self):
        """The web client escapes a notification's message (htmlSprintf);
        the connector never marks store text up."""
        self.simulator.state.name = HOSTILE
        action = self.backend.action_test_connection()
        message = action["params"]["message"]
        self.assertIn(HOSTILE, message)
        self.assertNotIsInstance(message, Markup)
        self.assertNotIn("html", action["params"])


@tagged("post_install", "-at_install")
class TestOutsiders(BigCommerceAccountingCase, HttpCase):
    """An accountant with no connector group: reads and triggers nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsider = new_test_user(
            cls.env,
            login="bc_outsider",
            password="bc_outsider_pw",
            groups="base.group_user,account.group_account_manager",
        )
        order = cls.simulator.state.add_order(
            customer_id=cls.customer["id"],
            lines=[{"sku": "NO-SUCH-SKU", "name": "X", "price": "1.00", "quantity": 1}],
        )
        import_order_job(cls.backend, order["id"])
        cls.failure_record = cls.env["bigcommerce.failure"].search(
            [("backend_id", "=", cls.backend.id)]
        )
        cls.delivery = (
            cls.env["bigcommerce.webhook.log"]
            .sudo()
            ._record(cls.backend, "queued", 200, webhook_id="msg_outsider")
        )

    def test_outsider_reads_and_triggers_nothing_by_orm(self):
        checks = {
            "read stores": lambda: self.backend.with_user(self.outsider).read(["name"]),
            "read secrets": lambda: self.backend.with_user(self.outsider).read(
                ["access_token", "client_secret"]
            ),
            "read failure payloads": lambda: self.failure_record.with_user(
                self.outsider
            ).read(["payload"]),
            "read delivery logs": lambda: self.delivery.with_user(self.outsider).read(
                ["webhook_id"]
            ),
            "reprocess": lambda: self.failure_record.with_user(
                self.outsider
            ).action_reprocess(),
            "test connection": lambda: self.backend.with_user(
                self.outsider
            ).action_test_connection(),
            "register webhooks": lambda: self.backend.with_user(
                self.outsider
            ).action_register_webhooks(),
        }
        requests_before = len(self.simulator.requests)
        for label, check in checks.items():
            with self.subTest(label), trap_jobs() as trap:
                with self.assertRaises(AccessError):
                    check()
                trap.assert_jobs_count(0)
        self.assertEqual(len(self.simulator.requests), requests_before)

    def test_outsider_reads_and_triggers_nothing_by_rpc(self):
        self.authenticate("bc_outsider", "bc_outsider_pw")
        calls = {
            "search stores": (
                "call_kw",
                "bigcommerce.backend",
                "search_read",
                [[]],
                {"fields": ["name", "access_token", "client_secret"]},
            ),
            "read failure payloads": (
                "call_kw",
                "bigcommerce.failure",
                "read",
                [self.failure_record.ids, ["payload", "reason"]],
                {},
            ),
            "read delivery logs": (
                "call_kw",
                "bigcommerce.webhook.log",
                "search_read",
                [[]],
                {"fields": ["webhook_id"]},
            ),
            "reprocess button": (
                "call_button",
                "bigcommerce.failure",
                "action_reprocess",
                [self.failure_record.ids],
                {},
            ),
            "test connection button": (
                "call_button",
                "bigcommerce.backend",
                "action_test_connection",
                [self.backend.ids],
                {},
            ),
            "register webhooks button": (
                "call_button",
                "bigcommerce.backend",
                "action_register_webhooks",
                [self.backend.ids],
                {},
            ),
        }
        requests_before = len(self.simulator.requests)
        for label, (route, model, method, args, kwargs) in calls.items():
            with (
                self.subTest(label),
                trap_jobs() as trap,
                mute_logger("odoo.http"),
            ):
                with self.assertRaises(JsonRpcException) as caught:
                    self.make_jsonrpc_request(
                        f"/web/dataset/{route}",
                        {
                            "model": model,
                            "method": method,
                            "args": args,
                            "kwargs": kwargs,
                        },
                    )
                self.assertEqual(
                    caught.exception.args[0], "odoo.exceptions.AccessError", label
                )
                trap.assert_jobs_count(0)
        self.assertEqual(len(self.simulator.requests), requests_before)
        self.assertEqual(self.failure_record.state, "open")


@tagged("post_install", "-at_install")
class TestSecretsStayOut(BigCommerceAccountingCase, HttpCase):
    """Everything the connector logs, at DEBUG, while it imports through
    faults, fails, tests its connection and receives webhooks: no secret."""

    def test_secrets_never_in_logs_chatter_failures_or_errors(self):
        """Root logger at DEBUG (SQL queries and their parameters, HTTP
        requests included), captured and searched."""
        with self.assertLogs(level="DEBUG") as captured:
            errors = self.do_everything_that_logs()
        logs = "\n".join(captured.output)

        self.assertIn("BigCommerce", logs)  # the capture did capture
        self.assertIn("rejected the credentials", "".join(errors))
        texts = {
            "logs": logs,
            "errors": "\n".join(errors),
            "chatter": "\n".join(
                str(body)
                for body in self.env["mail.message"]
                .sudo()
                .search([("model", "like", "bigcommerce.%")])
                .mapped("body")
            ),
            "failures": "\n".join(
                f"{f.reason}\n{f.payload}"
                for f in self.env["bigcommerce.failure"].search([])
            ),
            "jobs": "\n".join(
                f"{j.result}\n{j.exc_info}"
                for j in self.env["queue.job"].sudo().search([])
            ),
        }
        self.assertIn("rejected the credentials", texts["failures"])
        for where, text in texts.items():
            for secret in (ACCESS_TOKEN, CLIENT_SECRET):
                with self.subTest(where=where, secret=secret[:4]):
                    self.assertNotIn(secret, text)

    def do_everything_that_logs(self):
        """Import through faults, fail, test the connection, receive webhooks;
        the error messages shown to the user."""
        errors = []
        faults = self.simulator.faults
        self.backend.client_secret = CLIENT_SECRET  # written while logging
        # An import through faults, a refused import, a missing product.
        good = self.add_order()
        for kind in ("500", "429", "429_no_headers", "503"):
            faults.inject(kind)
        get_client = BigCommerceBackend._get_client

        def client_without_waits(backend, **options):
            client = get_client(backend, **options)
            client.sleep = lambda seconds: None
            return client

        with mock.patch.object(BigCommerceBackend, "_get_client", client_without_waits):
            self.import_order(good)
        self.assertEqual(self.binding(good).move_id.state, "posted")
        bad = self.add_order(
            lines=[{"sku": "NO-SUCH", "name": "Y", "price": "2.00", "quantity": 1}]
        )
        self.import_order(bad, expect="failed")
        self.simulator.access_token = "rotated-token"  # the store refuses ours
        refused = self.add_order()
        self.import_order(refused, expect="failed")
        for action in (
            self.backend.action_test_connection,
            self.backend.action_register_webhooks,
        ):
            try:
                action()
            except UserError as exc:
                errors.append(str(exc))
        # Test connection says it on the store's state rather than raising.
        errors.append(self.backend.state_message or "")
        self.simulator.access_token = ACCESS_TOKEN
        self.backend.action_test_connection()
        # Webhooks: a good one, a forged one.
        path = f"/bigcommerce/webhook/{self.backend.webhook_key}"
        body = json.dumps(
            self.simulator.webhook_payload(
                "store/order/created", {"type": "order", "id": good["id"]}
            )
        ).encode()
        for secret in (CLIENT_SECRET, "forged"):
            headers = simulator_webhooks.sign(
                secret, body, f"msg_{uuid.uuid4().hex}", int(time.time())
            )
            headers["Content-Type"] = "application/json"
            self.url_open(path, data=body, headers=headers)
        self.env.flush_all()
        return errors
