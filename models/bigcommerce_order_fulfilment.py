# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import fields, models


class BigCommerceOrder(models.Model):
    """The order's life after checkout: shipments, status history, and a
    chatter where each change is told, as on its invoice."""

    _inherit = "bigcommerce.order"

    shipment_ids = fields.One2many(
        "bigcommerce.shipment", "order_id", string="Shipments", readonly=True
    )
    status_history_ids = fields.One2many(
        "bigcommerce.order.status.history", "order_id", readonly=True
    )

    # === BUSINESS METHODS === #
    def _items_shipped(self):
        """Quantities shipped, as the order's shipments in Odoo add up."""
        self.ensure_one()
        return sum(self.shipment_ids.mapped("quantity"))

    def _record_status(self, previous, when):
        """Add the order's current status to its history, when it changed
        (the order import's chatter line tells of the change).

        :param previous: the status (key) before the import, ``None`` for an
            order imported for the first time.
        :param when: the moment of the change (the order's modification date).
        """
        self.ensure_one()
        if self.status_history_ids and previous == self.status:
            return False
        self.env["bigcommerce.order.status.history"].create(
            {
                "order_id": self.id,
                "date": when or fields.Datetime.now(),
                "status": self.status,
                "custom_status": self.custom_status,
            }
        )
        return True

    def _post_lifecycle(self, body):
        """One chatter line on the order and one on its invoice."""
        self.ensure_one()
        if not isinstance(body, Markup):
            body = Markup("<p>%s</p>") % body
        self.message_post(body=body)
        if self.move_id:
            self.move_id.message_post(body=body)
