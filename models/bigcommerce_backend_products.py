# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's settings of the products its orders are booked on: what an
order line whose SKU no Odoo product has becomes (``components/products.py``).
"""

from odoo import api, fields, models

from ..bigcommerce.products import POLICY_CREATE, POLICY_FALLBACK, POLICY_HOLD


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    unknown_product_policy = fields.Selection(
        [
            (POLICY_HOLD, "Hold the order as a failure"),
            (POLICY_CREATE, "Create the product"),
            (POLICY_FALLBACK, "Book on a fallback product"),
        ],
        string="Unknown Products",
        required=True,
        default=POLICY_HOLD,
        help="What an order line becomes when no product has its SKU as internal "
        "reference (for a variant, its own SKU: it is not matched on its "
        "product's). Hold: the order waits in the failures until the product "
        "exists, then is reprocessed. Create the product: a product is made from "
        "the order line (its name, its SKU, its unit price ex tax) in the "
        "Category of Created Products, whose income account the line is booked "
        "on. Book on a fallback product: the line is booked on the Fallback "
        "Product, labelled with its own name and SKU, and the order's chatter "
        "says which lines were.",
    )
    created_product_categ_id = fields.Many2one(
        "product.category",
        string="Category of Created Products",
        default=lambda self: self._default_created_product_categ(),
        help="The category of the products created for unknown SKUs (Unknown "
        "Products: Create the product): their sales are booked on its income "
        "account (else the store's Fallback Revenue Account).",
    )
    fallback_product_id = fields.Many2one(
        "product.product",
        string="Fallback Product",
        check_company=True,
        help="The product an order line whose SKU no product has is booked on "
        "(Unknown Products: Book on a fallback product), on its income account; "
        "the invoice line keeps the line's name and SKU.",
    )

    @api.model
    def _default_created_product_categ(self):
        """Odoo's own *Goods* category, when it exists."""
        return self.env.ref("product.product_category_goods", raise_if_not_found=False)
