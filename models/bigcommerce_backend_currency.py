# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which exchange rates a store's foreign-currency orders are booked at:
Odoo's, or the rate the store applied to each order
(``store_default_to_transactional_exchange_rate``), which its payments and
credit notes then follow (``components/accounting.py``:
:meth:`~..components.accounting.AccountingResolver.invoice_rate`)."""

from odoo import fields, models

RATE_ODOO = "odoo"
RATE_STORE = "store"


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    # === FIELDS === #
    exchange_rate_source = fields.Selection(
        [
            (RATE_ODOO, "Odoo's rates"),
            (RATE_STORE, "The rate the store applied"),
        ],
        string="Exchange Rates",
        default=RATE_ODOO,
        required=True,
        help="The company-currency amounts of an order paid in another "
        "currency. Odoo's rates: the company's rate of the invoice date. The "
        "rate the store applied: the order's own rate from the store's default "
        "currency (which must be the company's), used by its invoice, its "
        "payments and its credit notes, so that no exchange difference appears "
        "that the store never had.",
    )
