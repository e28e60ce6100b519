# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook ids seen lately, so that a replayed delivery queues nothing.

A signed delivery stays valid for the signature's timestamp tolerance: a
copy of it, sent again within that window, verifies. Each accepted
delivery's ``webhook-id`` is recorded in the request's transaction under a
unique index; a second delivery of the same id, even a concurrent one, is a
duplicate. Rows older than the replay window are useless and purged.
"""

from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.tools import SQL

from ..bigcommerce.webhook import REPLAY_WINDOW


class BigCommerceWebhookDelivery(models.Model):
    _name = "bigcommerce.webhook.delivery"
    _description = "BigCommerce Webhook Delivery"
    _log_access = False

    backend_id = fields.Many2one(
        "bigcommerce.backend", required=True, ondelete="cascade", index=True
    )
    webhook_id = fields.Char(string="Webhook ID", required=True)
    received_at = fields.Datetime(required=True, default=fields.Datetime.now)

    _webhook_id_uniq = models.Constraint(
        "unique(backend_id, webhook_id)",
        "This webhook delivery was already received.",
    )

    @api.model
    def _claim(self, backend, webhook_id):
        """Record a delivery; ``False`` if its id was already received.

        The row is written in the caller's transaction: of concurrent
        deliveries of one id, the unique index lets one through and makes
        the others wait for it, then refuses them.
        """
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT 1 FROM bigcommerce_webhook_delivery "
                "WHERE backend_id = %s AND webhook_id = %s",
                backend.id,
                webhook_id,
            )
        )
        if cr.fetchone():
            return False
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    SQL(
                        "INSERT INTO bigcommerce_webhook_delivery "
                        "(backend_id, webhook_id, received_at) "
                        "VALUES (%s, %s, NOW() AT TIME ZONE 'UTC')",
                        backend.id,
                        webhook_id,
                    ),
                    # A concurrent duplicate is expected, not an error.
                    log_exceptions=False,
                )
        except psycopg2.errors.UniqueViolation:
            return False
        return True

    @api.autovacuum
    def _gc_old_deliveries(self):
        """Forget the ids whose deliveries can no longer be replayed."""
        limit = fields.Datetime.now() - REPLAY_WINDOW - timedelta(minutes=1)
        self.search([("received_at", "<", limit)]).unlink()
