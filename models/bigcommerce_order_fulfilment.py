# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import fields, models


class BigCommerceOrder(models.Model):
    """The order's life after checkout: shipments, status history, and a
    chatter where each change is told, as on its invoice."""

    _name = "bigcommerce.order"
    _inherit = ["bigcommerce.order", "mail.thread"]

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

    def _record_status(self, previous, when, tell_invoice=True):
        """Add the order's current status to its history when it changed,
        and say so on its chatter (and on its invoice's, unless
        ``tell_invoice`` is false because the invoice was told already).

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
        if previous is None or previous == self.status:
            return True
        labels = dict(self._fields["status"]._description_selection(self.env))
        body = self.env._(
            "Status on BigCommerce: %(old)s → %(new)s.",
            old=labels.get(previous, previous or "-"),
            new=labels.get(self.status, self.status or "-"),
        )
        self._post_lifecycle(body, tell_invoice=tell_invoice)
        return True

    def _post_lifecycle(self, body, tell_invoice=True):
        """One chatter line on the order and one on its invoice."""
        self.ensure_one()
        if not isinstance(body, Markup):
            body = Markup("<p>%s</p>") % body
        self.message_post(body=body)
        if tell_invoice and self.move_id:
            self.move_id.message_post(body=body)
