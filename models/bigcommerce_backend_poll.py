# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Catch-up on modified orders, for outages and missed webhooks.

A scheduled action enqueues one job per store; the job asks BigCommerce for
the orders modified since the last catch-up (minus an overlap, since clocks
and late writes are not exact) and enqueues the import of each one that
changed since it was imported. The import's identity key and external IDs
make a catch-up that meets a webhook harmless.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..bigcommerce import BigCommerceError
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
        try:
            client = self._get_client()
            listed = self._fetch(
                lambda: list(client.iter_orders_modified(since, until=started))
            )
        except (BigCommerceError, UserError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            self._record_failure("poll", "orders", message)
            return f"Catch-up failed: {message}"
        changed = self._changed_order_ids(listed)
        for order_id in changed:
            self._delay_import_order(order_id)
        self.sudo().orders_modified_since = started
        self.env["bigcommerce.failure"].sudo()._resolve(self, "poll", "orders")
        return f"{len(changed)} order(s) queued for import, modified since {since}."

    def _changed_order_ids(self, listed):
        """Ids of the listed orders that changed since their import.

        An order is unchanged when its modification date, status and total
        are those it had when imported (the date alone has one-second steps).
        """
        ids = [int(order["id"]) for order in listed]
        imported = {
            binding.bigcommerce_id: binding
            for binding in self.env["bigcommerce.order"]
            .sudo()
            .search([("backend_id", "=", self.id), ("bigcommerce_id", "in", ids)])
        }
        changed = []
        for order in listed:
            binding = imported.get(int(order["id"]))
            if not binding or (
                binding.date_modified != parse_datetime(order.get("date_modified"))
                or binding.status_id != int(order.get("status_id") or 0)
                or binding.currency_id.compare_amounts(
                    binding.total_inc_tax, float(order.get("total_inc_tax") or 0)
                )
            ):
                changed.append(int(order["id"]))
        return changed
