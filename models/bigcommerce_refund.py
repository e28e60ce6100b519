# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from ..components import actions, kinds


class BigCommerceRefund(models.Model):
    """A BigCommerce refund and the credit note it became.

    Written by the refund importer (``components/refund_importer.py``)
    through the binder, never by hand. One refund, one credit note: the
    binding's ``unique(backend_id, bigcommerce_id)`` is the last word.
    """

    _name = "bigcommerce.refund"
    _inherit = ["bigcommerce.binding"]
    _description = "BigCommerce Refund"
    _order = "date_created desc, id desc"
    _bigcommerce_record_field = "move_id"

    bigcommerce_id = fields.Integer(string="Refund ID")
    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one(
        "bigcommerce.order",
        string="Order",
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The imported order this refund gives money back on.",
    )
    bigcommerce_order_id = fields.Integer(string="Order ID", readonly=True, index=True)
    partner_id = fields.Many2one(
        related="order_id.partner_id",
        string="Customer",
        help="The customer of the refund's order, once the order is imported.",
    )
    date_created = fields.Datetime(string="Refunded on", readonly=True)
    reason = fields.Char(readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    total_amount = fields.Monetary(
        string="Refunded", readonly=True, help="Money given back, tax included."
    )
    total_tax = fields.Monetary(string="Tax Refunded", readonly=True)
    payment_summary = fields.Char(
        string="Refunded to",
        readonly=True,
        help="Where the money went back, as BigCommerce reports it: payment "
        "provider, amount, offline.",
    )
    move_id = fields.Many2one(
        "account.move", string="Credit Note", readonly=True, copy=False, index=True
    )
    move_name = fields.Char(
        related="move_id.name",
        string="Credit Note Number",
        help="The credit note's number, as the refunds' list shows it.",
    )
    move_state = fields.Selection(related="move_id.state", string="Credit Note Status")
    credit_state = fields.Selection(
        [("waiting", "Waiting for the Invoice"), ("credited", "Credited")],
        compute="_compute_credit_state",
        store=True,
        help="Waiting: the order has no invoice to credit yet; the refund is "
        "credited as soon as the order is invoiced.",
    )
    payment_note = fields.Char(
        string="Payment",
        readonly=True,
        help="Why the credit note is not (fully) reconciled with the money paid "
        "back: a refund made offline or declined, or a journal or account the "
        "store lacks.",
    )
    note = fields.Char(
        readonly=True,
        help="Why the refund is not credited yet, or why it is credited by a "
        "credit note that is not its own (the reversal of a cancelled order).",
    )

    # === COMPUTE METHODS === #
    @api.depends("bigcommerce_id")
    def _compute_name(self):
        """The refund's name: ``#<BigCommerce id>``."""
        for refund in self:
            refund.name = f"#{refund.bigcommerce_id}"

    @api.depends("move_id")
    def _compute_credit_state(self):
        """Credited once the refund has its credit note, else waiting for
        its order's invoice."""
        for refund in self:
            refund.credit_state = "credited" if refund.move_id else "waiting"

    # === ACTION METHODS === #
    def action_open_credit_note(self):
        """Open the refund's credit note."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(self, "account.move", self.move_id.id)

    def action_open_order(self):
        """Open the refund's order."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(self, "bigcommerce.order", self.order_id.id)

    def action_reimport(self):
        # Before anything is queued: only who may change the store may spend
        # its request quota.
        """Queue the import of the refunds again (who may change their store
        only): a refund credited already whose money is not registered has
        it registered, once what stopped it is fixed."""
        self.check_access("read")
        self.mapped("backend_id").check_access("write")
        for refund in self:
            pay_again = bool(refund.move_id and refund.payment_note)
            kinds.delay_import(
                refund.backend_id,
                "refund",
                refund.bigcommerce_id,
                refund.bigcommerce_order_id or None,
                pay_again=pay_again,
                # A pending import of the same refund (a duplicate delivery)
                # would not register its money: this one is a job of its own.
                identity_suffix="-pay" if pay_again else "",
            )
        return True
