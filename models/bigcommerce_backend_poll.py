# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Catch-up on modified orders, for outages and missed webhooks.

A scheduled action enqueues one job per store; the job asks BigCommerce for
the orders modified since the last catch-up (minus an overlap, since clocks
and late writes are not exact) and enqueues the import of each one that
changed since it was imported. The import's identity key and external IDs
make a catch-up that meets a webhook harmless.
"""

import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce import BigCommerceError, BigCommerceRetryableError
from ..bigcommerce.client import parse_datetime


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    poll_orders = fields.Boolean(
        string="Catch Up on Orders",
        default=True,
        help="Every run of the scheduled action 'BigCommerce: catch up on "
        "orders', ask the store for the orders modified since the last run and "
        "import those that changed. Webhooks stay the fast path; this one "
        "repairs what an outage or a lost webhook missed.",
    )
    orders_modified_since = fields.Datetime(
        default=fields.Datetime.now,
        copy=False,
        help="The next catch-up asks for the orders modified after this moment "
        "(minus the overlap). It moves forward after each catch-up; set it back "
        "to import older orders.",
    )
    poll_overlap_minutes = fields.Integer(
        string="Overlap (minutes)",
        default=10,
        help="How far before the last catch-up the next one starts looking, "
        "for orders whose changes reached BigCommerce's index late.",
    )

    @api.model
    def _scheduler_poll_orders(self):
        """Scheduled action: queue one catch-up job per store."""
        for backend in self.search([("poll_orders", "=", True)]):
            backend._delay_poll_orders()

    def _delay_poll_orders(self):
        self.ensure_one()
        return self.with_delay(
            identity_key=f"bigcommerce-poll-{self.id}",
            description=f"Catch up on BigCommerce orders ({self.name})",
        )._poll_orders()

    def _poll_orders(self):
        """Job: queue the import of the orders modified since the last run."""
        self.ensure_one()
        started = fields.Datetime.now()
        since = (self.orders_modified_since or started) - timedelta(
            minutes=max(0, self.poll_overlap_minutes)
        )
        imported = {
            order.bigcommerce_id: order.date_modified
            for order in self.env["bigcommerce.order"]
            .sudo()
            .search([("backend_id", "=", self.id)])
        }
        try:
            client = self._get_client()
            changed = [
                int(order["id"])
                for order in client.iter_orders_modified(since, until=started)
                if not self._import_is_current(order, imported)
            ]
        except BigCommerceRetryableError as exc:
            raise RetryableJobError(
                exc.message, seconds=max(5, math.ceil(exc.retry_after or 60))
            ) from exc
        except (BigCommerceError, UserError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            self._record_failure("poll", "orders", message)
            return f"Catch-up failed: {message}"
        for order_id in changed:
            self._delay_import_order(order_id)
        self.sudo().orders_modified_since = started
        self.env["bigcommerce.failure"].sudo()._resolve(self, "poll", "orders")
        return f"{len(changed)} order(s) queued for import, modified since {since}."

    @staticmethod
    def _import_is_current(order, imported):
        """Whether ``order`` (a list entry) is unchanged since its import."""
        last_import = imported.get(int(order["id"]))
        modified = parse_datetime(order.get("date_modified"))
        return bool(last_import and modified and modified <= last_import)
