# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The audit trail of webhook deliveries.

Every delivery that reached a store's webhook address is one row: its id,
scope, the object it was about, when it came and what became of it (queued,
ignored, duplicate, refused and why). Kept for the store's number of days,
so that an accountant can answer "did BigCommerce ever tell us about order
1234?".

Deliveries to an address no store has are not recorded here (only in the
server log): nothing identifies them, and anyone may send them.
"""

from datetime import timedelta

from odoo import api, fields, models


class BigCommerceWebhookLog(models.Model):
    _name = "bigcommerce.webhook.log"
    _description = "BigCommerce Webhook Delivery Log"
    _order = "received_at desc, id desc"
    _rec_name = "webhook_id"
    _log_access = False

    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    received_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    webhook_id = fields.Char(string="Webhook ID", readonly=True)
    scope = fields.Char(readonly=True)
    resource_type = fields.Char(string="About", readonly=True)
    resource_id = fields.Integer(
        string="Object ID",
        readonly=True,
        help="The id in the delivery: the order's, the customer's, the shipment's...",
    )
    order_id = fields.Integer(
        string="Order",
        readonly=True,
        index=True,
        help="The BigCommerce order the delivery was about, if any.",
    )
    outcome = fields.Selection(
        [
            ("queued", "Queued"),
            ("ignored", "Ignored"),
            ("duplicate", "Duplicate"),
            ("refused", "Refused"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    reason = fields.Char(readonly=True)
    http_status = fields.Integer(string="Answer", readonly=True)

    @api.model
    def _record(
        self, backend, outcome, http_status, reason=None, envelope=None, webhook_id=None
    ):
        """Log one delivery to ``backend``. ``envelope`` is only given for
        a delivery whose signature was verified: what an unsigned body says
        is not worth keeping."""
        data = (envelope or {}).get("data")
        data = data if isinstance(data, dict) else {}
        scope = (envelope or {}).get("scope")

        def small_int(value):
            if isinstance(value, bool):
                return 0
            try:
                value = int(value)
            except (TypeError, ValueError, OverflowError):
                return 0
            return value if 0 < value < 2**31 else 0

        order_id = small_int(
            data.get("orderId") or data.get("order_id")
            if data.get("type") in ("shipment", "transaction")
            else data.get("id")
            if data.get("type") == "order"
            else None
        )
        return self.sudo().create(
            {
                "backend_id": backend.id,
                "outcome": outcome,
                "http_status": http_status,
                "reason": (reason or "")[:250] or False,
                "webhook_id": (webhook_id or "")[:128] or False,
                "scope": scope[:128] if isinstance(scope, str) else False,
                "resource_type": (
                    data["type"][:32] if isinstance(data.get("type"), str) else False
                ),
                "resource_id": small_int(data.get("id")),
                "order_id": order_id,
            }
        )

    @api.autovacuum
    def _gc_old_log(self):
        """Forget deliveries older than their store keeps them."""
        for backend in (
            self.env["bigcommerce.backend"].with_context(active_test=False).search([])
        ):
            days = backend.webhook_log_days
            if days > 0:
                self.search(
                    [
                        ("backend_id", "=", backend.id),
                        (
                            "received_at",
                            "<",
                            fields.Datetime.now() - timedelta(days=days),
                        ),
                    ]
                ).unlink()
