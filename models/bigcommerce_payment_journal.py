# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class BigCommercePaymentJournal(models.Model):
    """Which journal receives a store's payments of one method or gateway.

    The store's list of them is on its Accounting tab; a payment no line
    matches goes to the store's default payment journal.
    """

    _name = "bigcommerce.payment.journal"
    _description = "BigCommerce Payment Journal"
    _order = "sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    payment_method = fields.Char(
        string="Payment Method or Gateway",
        required=True,
        help="The order's payment method as BigCommerce names it (e.g. 'Credit "
        "Card', 'PayPal', 'Cash on Delivery'), or a gateway code of its "
        "transactions (e.g. 'stripe', 'paypalexpress'). Case does not matter.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash', 'credit'))]",
        help="The clearing journal reconciled against this method's payouts.",
    )

    _method_uniq = models.Constraint(
        "unique(backend_id, payment_method)",
        "This payment method already has a journal on this store.",
    )

    @api.model
    def _normalize(self, name):
        return " ".join((name or "").split()).lower()
