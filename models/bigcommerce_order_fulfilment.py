# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models

from ..bigcommerce.shipments import completed_before
from ..components import actions, kinds


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
    shipments_unread = fields.Boolean(
        string="Shipments Not Read",
        readonly=True,
        help="The first sync of the store's history imported this order long "
        "after it was shipped or completed, and did not read its shipments "
        "(the store's setting): its status says it shipped. Read Shipments "
        "reads them.",
    )

    # === ACTION METHODS === #
    def action_read_shipments(self):
        """Queue the reading of the orders' shipments, and say so."""
        # Only who may change the store may spend its request quota.
        self.check_access("read")
        self.mapped("backend_id").check_access("write")
        for order in self:
            kinds.delay_import(order.backend_id, "shipment", order.bigcommerce_id)
        return actions.notification(
            self.env._("Shipments queued"),
            self.env._(
                "The shipments of %(orders)s will be read from BigCommerce in a "
                "moment; the order's chatter will list them.",
                orders=", ".join(self.mapped("display_name")),
            ),
        )

    # === BUSINESS METHODS === #
    def _items_shipped(self):
        """Quantities shipped, as the order's shipments in Odoo add up."""
        self.ensure_one()
        return sum(self.shipment_ids.mapped("quantity"))

    def _leave_shipments_unread(self, order):
        """Whether a first sync leaves the shipments of ``order`` (as the
        store listed it) unread: it was shipped or completed before the
        store's number of days (:func:`completed_before`), and none of its
        shipments was read before. The order then says so
        (:attr:`shipments_unread`).
        """
        self.ensure_one()
        if self.shipment_ids:
            # Read before, and changed since: read again, not left stale.
            return False
        days = max(0, self.backend_id.shipments_read_days)
        if not completed_before(order, fields.Datetime.now() - timedelta(days=days)):
            return False
        self.shipments_unread = True
        return True

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
