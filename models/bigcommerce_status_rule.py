# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..bigcommerce.const import ORDER_STATUSES
from ..bigcommerce.payments import ACTION_DRAFT, ACTION_HOLD, ACTION_POST, ACTION_SKIP

STATUS_ACTIONS = [
    (ACTION_POST, "Invoice and post"),
    (ACTION_DRAFT, "Draft until paid"),
    (ACTION_HOLD, "Hold"),
    (ACTION_SKIP, "Do not invoice"),
]


class BigCommerceStatusRule(models.Model):
    """A store's own rule for the orders of one status, in place of the
    default (``bigcommerce/payments.py``, ``DEFAULT_STATUS_ACTIONS``)."""

    _name = "bigcommerce.status.rule"
    _description = "BigCommerce Order Status Rule"
    _order = "backend_id, status"

    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        ondelete="cascade",
        index=True,
    )
    status = fields.Selection(
        [(str(key), label) for key, label in ORDER_STATUSES.items()],
        required=True,
    )
    action = fields.Selection(
        STATUS_ACTIONS,
        required=True,
        help="Invoice and post: as the store's posting policy says. Draft until "
        "paid: a draft invoice, posted by a later update once BigCommerce "
        "reports the order paid. Hold: no invoice (a draft is not posted), the "
        "reason shown on the order. Do not invoice: no invoice (a draft is "
        "cancelled).",
    )

    _status_uniq = models.Constraint(
        "unique(backend_id, status)",
        "This status already has a rule on this store.",
    )
