# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from ..bigcommerce.const import ORDER_STATUSES
from ..components.accounting import store_time


class BigCommerceShipment(models.Model):
    """A shipment of a BigCommerce order: carrier, tracking and what left.

    Lines of the order (``bigcommerce.order``), written by the shipment
    importer (``components/shipment_importer.py``).
    """

    _name = "bigcommerce.shipment"
    _description = "BigCommerce Shipment"
    _order = "date desc, bigcommerce_id desc"
    _check_company_auto = True

    order_id = fields.Many2one(
        "bigcommerce.order",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    backend_id = fields.Many2one(related="order_id.backend_id", store=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    bigcommerce_id = fields.Integer(
        string="Shipment ID", required=True, readonly=True, index=True
    )
    name = fields.Char(compute="_compute_name", store=True)
    date = fields.Datetime(string="Shipped on", readonly=True)
    carrier = fields.Char(readonly=True)
    tracking_number = fields.Char(readonly=True)
    tracking_link = fields.Char(readonly=True)
    shipping_method = fields.Char(readonly=True)
    comments = fields.Text(readonly=True)
    item_ids = fields.One2many(
        "bigcommerce.shipment.item", "shipment_id", string="Items", readonly=True
    )
    quantity = fields.Integer(
        string="Items Shipped", compute="_compute_quantity", store=True
    )

    _order_shipment_uniq = models.Constraint(
        "unique(order_id, bigcommerce_id)",
        "This shipment is already on the order.",
    )

    @api.depends("bigcommerce_id")
    def _compute_name(self):
        for shipment in self:
            shipment.name = f"Shipment #{shipment.bigcommerce_id}"

    @api.depends("item_ids.quantity")
    def _compute_quantity(self):
        for shipment in self:
            shipment.quantity = sum(shipment.item_ids.mapped("quantity"))


class BigCommerceShipmentItem(models.Model):
    _name = "bigcommerce.shipment.item"
    _description = "BigCommerce Shipment Item"
    _order = "shipment_id, order_product_id"

    shipment_id = fields.Many2one(
        "bigcommerce.shipment", required=True, ondelete="cascade", index=True
    )
    order_product_id = fields.Integer(
        string="Order Line ID", help="The order line on BigCommerce."
    )
    product_id = fields.Many2one("product.product")
    sku = fields.Char(string="SKU")
    name = fields.Char(string="Description")
    quantity = fields.Integer()


class BigCommerceOrderStatusHistory(models.Model):
    """One status an order had, from when the connector saw it."""

    _name = "bigcommerce.order.status.history"
    _description = "BigCommerce Order Status History"
    _order = "date desc, id desc"

    order_id = fields.Many2one(
        "bigcommerce.order", required=True, ondelete="cascade", index=True
    )
    date = fields.Datetime(
        required=True,
        help="When the order took this status on BigCommerce (its modification "
        "date as the connector read it).",
    )
    status = fields.Selection(
        [(str(key), label) for key, label in ORDER_STATUSES.items()]
    )
    custom_status = fields.Char(string="Status on the Store")
    store_time = fields.Char(
        string="Store Time",
        compute="_compute_store_time",
        help="The date, as the store's clock showed it (its time zone, UTC "
        "while the store gives none).",
    )

    # === COMPUTE METHODS === #
    @api.depends("date", "order_id.backend_id.timezone")
    def _compute_store_time(self):
        """The date in the store's time zone, with the zone's abbreviation."""
        for entry in self:
            entry.store_time = store_time(entry.order_id.backend_id, entry.date)
