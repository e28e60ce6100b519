# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from ..components import actions


class AccountMove(models.Model):
    _inherit = "account.move"

    bigcommerce_order_ids = fields.One2many(
        "bigcommerce.order", "move_id", string="BigCommerce Orders", readonly=True
    )
    bigcommerce_order_count = fields.Integer(compute="_compute_bigcommerce_order_count")
    bigcommerce_refund_ids = fields.One2many(
        "bigcommerce.refund", "move_id", string="BigCommerce Refunds", readonly=True
    )
    bigcommerce_refund_count = fields.Integer(
        compute="_compute_bigcommerce_refund_count"
    )
    bigcommerce_store_rate = fields.Boolean(
        string="At the Store's Rate",
        readonly=True,
        copy=False,
        help="Booked at the exchange rate the store applied to the order, not "
        "at Odoo's: its payments, and the credit notes of its order, use its "
        "rate.",
    )

    # === COMPUTE METHODS === #
    @api.depends("bigcommerce_order_ids")
    def _compute_bigcommerce_order_count(self):
        for move in self:
            # Its readers may not read the orders; the count tells nothing more.
            move.bigcommerce_order_count = len(move.sudo().bigcommerce_order_ids)

    @api.depends("bigcommerce_refund_ids")
    def _compute_bigcommerce_refund_count(self):
        for move in self:
            move.bigcommerce_refund_count = len(move.sudo().bigcommerce_refund_ids)

    # === ACTION METHODS === #
    def action_open_bigcommerce_order(self):
        """Open the BigCommerce order this invoice was made from."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(
            self,
            "bigcommerce.order",
            self.bigcommerce_order_ids[:1].id,
            name=self.env._("BigCommerce Order"),
        )

    def action_open_bigcommerce_refund(self):
        """The BigCommerce refund this credit note was made from."""
        self.ensure_one()
        self.check_access("read")
        refund = self.sudo().bigcommerce_refund_ids[:1]
        return actions.open_form(self, "bigcommerce.refund", refund.id)
