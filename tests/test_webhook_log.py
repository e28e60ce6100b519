# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The audit trail of webhook deliveries, through Odoo's real HTTP server."""

import json
import time
import uuid

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import CLIENT_SECRET, BigCommerceAccountingCase
from .simulator import webhooks as simulator_webhooks

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
