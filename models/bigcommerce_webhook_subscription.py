# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhooks BigCommerce has for the store's API account, as last read."""

from odoo import api, fields, models

from ..bigcommerce.client import parse_datetime


class BigCommerceWebhookSubscription(models.Model):
    _name = "bigcommerce.webhook.subscription"
    _description = "BigCommerce Webhook Subscription"
    _order = "scope, id"

    backend_id = fields.Many2one(
        "bigcommerce.backend", required=True, ondelete="cascade", index=True
    )
    hook_id = fields.Integer(string="Hook ID", readonly=True)
    scope = fields.Char(readonly=True)
    destination = fields.Char(readonly=True)
    is_active = fields.Boolean(string="Active", readonly=True)
    is_ours = fields.Boolean(
        string="To This Server",
        compute="_compute_is_ours",
        help="The hook sends its events to this store's webhook address.",
    )
    subscribed_at = fields.Datetime(readonly=True)
    updated_at = fields.Datetime(string="Changed on BigCommerce", readonly=True)

    @api.depends("destination", "backend_id.webhook_url")
    def _compute_is_ours(self):
        for sub in self:
            sub.is_ours = sub.destination == sub.backend_id.webhook_url

    @api.model
    def _sync(self, backend, hooks):
        """Replace the store's list with ``hooks`` (BigCommerce's answer)."""
        current = self.search([("backend_id", "=", backend.id)])
        by_hook = {sub.hook_id: sub for sub in current}
        seen = self.browse()
        for hook in hooks:
            values = {
                "scope": hook.get("scope"),
                "destination": hook.get("destination"),
                "is_active": bool(hook.get("is_active")),
                "subscribed_at": parse_datetime(hook.get("created_at")),
                "updated_at": parse_datetime(hook.get("updated_at")),
            }
            sub = by_hook.get(hook.get("id"))
            if sub:
                sub.write(values)
            else:
                sub = self.create(
                    dict(values, backend_id=backend.id, hook_id=hook.get("id"))
                )
            seen |= sub
        (current - seen).unlink()
        return seen
