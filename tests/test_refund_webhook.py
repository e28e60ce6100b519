# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The refund webhook, on Odoo's real HTTP server."""

from odoo import SUPERUSER_ID
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from . import test_webhook
from .common import BigCommerceAccountingCase

CONTROLLER_LOGGER = test_webhook.CONTROLLER_LOGGER
SCOPE = "store/order/refund/created"


@tagged("post_install", "-at_install")
class TestRefundWebhook(BigCommerceAccountingCase, HttpCase):
    # The webhook tests' own ways of signing and posting (their class is not
    # bound here, or the runner would collect it twice).
    path = test_webhook.TestWebhook.path
    envelope = test_webhook.TestWebhook.envelope
    sign = test_webhook.TestWebhook.sign
    post = test_webhook.TestWebhook.post
    deliver = test_webhook.TestWebhook.deliver

    def refund_envelope(self, order_id=250, refund=None):
        return self.envelope(
            SCOPE,
            {"type": "order", "id": order_id, "refund": refund or {"refund_id": 3}},
        )

    def test_refund_webhook_queues_the_refund_import(self):
        with trap_jobs() as trap:
            response = self.deliver(self.refund_envelope())
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json(), {"status": "queued"})
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.method_name, "_import_refund")
            self.assertEqual(job.args, (3, 250))
            self.assertEqual(job.recordset.env.uid, SUPERUSER_ID)
            self.assertEqual(
                job.identity_key, f"bigcommerce-refund-{self.backend.id}-3"
            )

    def test_refund_webhook_without_a_refund_id_is_refused(self):
        for refund in ({}, {"refund_id": "3"}, {"refund_id": 0}, {"refund_id": True}):
            with self.subTest(refund=refund), trap_jobs() as trap:
                envelope = self.refund_envelope()
                envelope["data"]["refund"] = refund
                response = self.deliver(envelope)
                self.assertEqual(response.status_code, 400)
                trap.assert_jobs_count(0)
        with trap_jobs() as trap:
            envelope = self.refund_envelope()
            envelope["data"]["refund"] = [3]
            self.assertEqual(self.deliver(envelope).status_code, 400)
            trap.assert_jobs_count(0)

    def test_duplicated_refund_deliveries_collapse_into_one_job(self):
        envelope = self.refund_envelope(refund={"refund_id": 77})
        for webhook_id in ("msg_r1", "msg_r1", "msg_r2"):
            self.assertEqual(
                self.deliver(envelope, webhook_id=webhook_id).status_code, 200
            )
        jobs = self.connector_jobs("_import_refund", "_import_order")
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.identity_key, f"bigcommerce-refund-{self.backend.id}-77")

    def test_refund_webhook_before_the_order_to_credit_note(self):
        """The refund's webhook comes first: one job books the invoice and its
        credit note; BigCommerce delivering again changes nothing."""
        order = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 3}])
        line = self.simulator.state.order_products(order["id"])[0]
        refund = self.simulator.state.add_refund(
            order["id"],
            [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 2}],
            reason="Too many mugs",
        )
        url = self.base_url() + self.path()
        for _ in range(2):
            with (
                self.allow_requests(all_requests=True),
                mute_logger(CONTROLLER_LOGGER),
            ):
                status, body = self.simulator.deliver_webhook(
                    url,
                    scope=SCOPE,
                    data={
                        "type": "order",
                        "id": order["id"],
                        "refund": {"refund_id": refund["id"]},
                    },
                )
            self.assertEqual(status, 200, body)
            self.run_jobs("_import_refund", "_import_order")
        invoice = self.binding(order).move_id
        self.assertEqual(invoice.state, "posted")
        credit_notes = self.env["account.move"].search(
            [("reversed_entry_id", "=", invoice.id)]
        )
        self.assertEqual(len(credit_notes), 1)
        self.assertEqual(credit_notes.state, "posted")
        self.assertAlmostEqual(credit_notes.amount_total, refund["total_amount"])
        self.assertIn("Too many mugs", credit_notes.ref)
