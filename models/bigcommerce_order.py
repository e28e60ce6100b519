# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.fields import Domain

from ..bigcommerce.const import ORDER_STATUSES
from ..bigcommerce.labels import PAYMENT_STATUSES, payment_status_key
from ..components import actions, kinds
from ..components.accounting import store_date
from ..components.binder import by_store


class BigCommerceOrder(models.Model):
    """A BigCommerce order and the invoice it became.

    Written by the order importer (``components/order_importer.py``) through
    the binder, never by hand.
    """

    _name = "bigcommerce.order"
    _inherit = ["bigcommerce.binding", "mail.thread"]
    _description = "BigCommerce Order"
    _order = "date_created desc, id desc"
    _bigcommerce_record_field = "move_id"

    bigcommerce_id = fields.Integer(string="Order ID")
    name = fields.Char(compute="_compute_name", store=True)
    status = fields.Selection(
        [(str(key), label) for key, label in ORDER_STATUSES.items()],
        readonly=True,
        help="The order's status on BigCommerce.",
    )
    custom_status = fields.Char(
        string="Status on the Store",
        readonly=True,
        help="The status as the store names it (stores can rename statuses).",
    )
    payment_status = fields.Char(
        string="Payment Status Code",
        readonly=True,
        help="The payment status as BigCommerce sends it.",
    )
    payment_status_label = fields.Selection(
        list(PAYMENT_STATUSES.items()),
        string="Payment Status",
        compute="_compute_payment_status_label",
        help="The order's payment status on BigCommerce, in words.",
    )
    failure_id = fields.Many2one(
        "bigcommerce.failure",
        string="Failure",
        compute="_compute_failure",
        compute_sudo=True,
        groups="bigcommerce_connector.group_bigcommerce_manager",
        help="The failure of the order's last import (or of its shipments'), "
        "while it waits for a fix.",
    )
    failure_reason = fields.Text(
        string="Why It Failed",
        compute="_compute_failure",
        compute_sudo=True,
        help="What the failure says.",
    )
    customer_bigcommerce_id = fields.Integer(
        string="Customer ID", readonly=True, help="0 for guest checkouts."
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date_created = fields.Datetime(string="Order Date", readonly=True)
    date_modified = fields.Datetime(string="Modified on BigCommerce", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    store_currency_id = fields.Many2one(
        "res.currency",
        string="Currency on the Store",
        readonly=True,
        help="Set when the order's currency changed on BigCommerce after its "
        "invoice was posted: the currency the store now says. The order's "
        "amounts stay the invoice's, in its currency.",
    )
    total_ex_tax = fields.Monetary(string="Untaxed", readonly=True)
    total_tax = fields.Monetary(string="Tax", readonly=True)
    total_inc_tax = fields.Monetary(string="Total", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, copy=False
    )
    move_state = fields.Selection(related="move_id.state", string="Invoice Status")
    payment_state = fields.Selection(
        related="move_id.payment_state", string="Invoice Payment"
    )
    outcome = fields.Selection(
        [
            ("invoiced", "Invoiced"),
            ("draft", "Draft until paid"),
            ("held", "Held"),
            ("skipped", "Skipped"),
            ("cancelled", "Cancelled"),
            ("failed", "Failed"),
            ("waiting", "Not invoiced"),
        ],
        compute="_compute_outcome",
        store=True,
        help="What became of the order: invoiced; its invoice in draft until "
        "BigCommerce reports the payment; held by the store's status rules; "
        "skipped (the reason says why); cancelled; or its last import failed "
        "(its failure says why).",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_company = fields.Monetary(
        string="Total (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
        help="The order's total in the company's currency: its posted invoice's, "
        "else the store's total at the rate of the order's day. Zero for "
        "skipped and cancelled orders, which sold nothing.",
    )
    hold_reason = fields.Char(
        readonly=True,
        help="Why the order is held and not invoiced (or its draft invoice not "
        "posted): its status on BigCommerce, per the store's status rules.",
    )
    payment_method = fields.Char(
        readonly=True,
        help="How the customer paid, as BigCommerce names it (a gateway, "
        "'Cash on Delivery'...): the store's payment journals map it to a "
        "clearing journal.",
    )
    payment_note = fields.Char(
        readonly=True,
        help="Why the payment BigCommerce reports was not registered on the "
        "invoice, and what to do.",
    )

    # === COMPUTE METHODS === #
    @api.depends("bigcommerce_id")
    def _compute_name(self):
        """The order's name: ``#<BigCommerce id>``."""
        for order in self:
            order.name = f"#{order.bigcommerce_id}"

    @api.depends("payment_status")
    def _compute_payment_status_label(self):
        """The payment status in words (none for an unknown code: the code
        is shown instead)."""
        for order in self:
            order.payment_status_label = payment_status_key(order.payment_status)

    @api.depends("sync_state")
    def _compute_failure(self):
        """The order's failure still waiting, if any: of its import, of its
        cancellation after invoicing, or of its shipments. One search for
        the whole recordset."""
        record_types = [
            record_type
            for kind in (kinds.KINDS["order"], kinds.KINDS["shipment"])
            for record_type in kind.failure_types
        ]
        failures = self.env["bigcommerce.failure"]
        stored = self.filtered(lambda order: order._origin.id)
        latest = {}
        if stored:
            domain = (
                Domain("record_type", "in", record_types)
                & Domain("state", "!=", "resolved")
                & by_store(
                    (order._origin.backend_id.id, str(order.bigcommerce_id))
                    for order in stored
                )
            )
            for failure in failures.search_fetch(
                domain,
                ["backend_id", "bigcommerce_id", "reason"],
                order="last_failed_at desc, id desc",
            ):
                latest.setdefault(
                    (failure.backend_id.id, failure.bigcommerce_id), failure
                )
        for order in self:
            failure = failures
            if order._origin.id:
                failure = latest.get(
                    (order._origin.backend_id.id, str(order.bigcommerce_id)), failures
                )
            order.failure_id = failure
            order.failure_reason = failure.reason

    @api.depends("sync_state", "hold_reason", "status", "move_id.state")
    def _compute_outcome(self):
        """What became of each order, for its badge (the last import's
        failure first: the order is not as the store says)."""
        for order in self:
            move_state = order.move_id.state
            if order.sync_state == "failed":
                order.outcome = "failed"
            elif order.sync_state == "skipped":
                order.outcome = "skipped"
            elif order.status == "5" or move_state == "cancel":
                order.outcome = "cancelled"
            elif order.hold_reason:
                order.outcome = "held"
            elif move_state == "posted":
                order.outcome = "invoiced"
            elif move_state == "draft":
                order.outcome = "draft"
            else:
                order.outcome = "waiting"

    @api.depends(
        "outcome",
        "total_inc_tax",
        "currency_id",
        "date_created",
        "move_id.state",
        "move_id.amount_total_signed",
    )
    def _compute_amount_company(self):
        """The order's total in the company's currency (see the field)."""
        for order in self:
            company = order.company_id or self.env.company
            if order.outcome in ("skipped", "cancelled"):
                order.amount_company = 0.0
            elif order.move_id.state == "posted":
                order.amount_company = order.move_id.amount_total_signed
            elif order.currency_id:
                # At the rate of the order's day in the store, its invoice's.
                order.amount_company = order.currency_id._convert(
                    order.total_inc_tax,
                    company.currency_id,
                    company,
                    store_date(order.backend_id, order.date_created),
                )
            else:
                order.amount_company = 0.0

    # === ACTION METHODS === #
    def action_open_failure(self):
        """Open the failure of the order's last import."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(self, "bigcommerce.failure", self.failure_id.id)

    def action_open_invoice(self):
        """Open the order's invoice."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(self, "account.move", self.move_id.id)

    def action_reimport(self):
        """Queue the import of the orders again, and say so."""
        # Before anything is queued: only who may change the store may spend
        # its request quota.
        self.check_access("read")
        self.mapped("backend_id").check_access("write")
        for order in self:
            kinds.delay_import(
                order.backend_id, "order", order.bigcommerce_id, origin="manual"
            )
        return actions.notification(
            self.env._("Import queued"),
            self.env._(
                "%(orders)s will be imported again from BigCommerce in a "
                "moment; the order's chatter will say what changed.",
                orders=", ".join(self.mapped("display_name")),
            ),
        )

    # === REFUNDS === #
    refund_ids = fields.One2many(
        "bigcommerce.refund", "order_id", string="Refunds", readonly=True
    )
    amount_refunded = fields.Monetary(
        string="Refunded",
        compute="_compute_amount_refunded",
        store=True,
        help="Money given back on this order, tax included, by the refunds "
        "imported from BigCommerce.",
    )
    amount_balance = fields.Monetary(
        string="Balance Left",
        compute="_compute_amount_refunded",
        store=True,
        help="The order's total less what was refunded.",
    )
    cancel_move_id = fields.Many2one(
        "account.move",
        string="Cancellation Credit Note",
        readonly=True,
        copy=False,
        help="The credit note that reversed the invoice when the order was "
        "cancelled on BigCommerce after it was invoiced.",
    )
    cancel_note = fields.Char(
        string="Cancellation",
        readonly=True,
        help="Why the credit note that reversed the invoice of an order "
        "cancelled on the store stays open: the store recorded no refund (or "
        "not all of the money) for the payment the invoice received. Cleared "
        "once the refunds imported from the store pay it back.",
    )

    @api.depends("total_inc_tax", "refund_ids.total_amount")
    def _compute_amount_refunded(self):
        """What the order's refunds took back, and what is left of it."""
        for order in self:
            order.amount_refunded = sum(order.refund_ids.mapped("total_amount"))
            order.amount_balance = order.total_inc_tax - order.amount_refunded
