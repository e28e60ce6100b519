# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What an order line whose SKU no Odoo product has is booked on: the
store's *Unknown products* setting, what a product created for it is made
of, and how a line booked on the fallback product is labelled.

Plain Python (no Odoo). Everything comes from the order line itself: the
connector reads nothing more of BigCommerce for an unknown SKU.
"""

from decimal import Decimal, InvalidOperation

from .mapping import cents

#: Hold the order as a failure (the default), create the product, or book
#: the line on the store's fallback product.
POLICY_HOLD = "hold"
POLICY_CREATE = "create"
POLICY_FALLBACK = "fallback"


def _text(value):
    return str(value).strip() if value not in (None, "") else ""


def product_to_create(item):
    """What the Odoo product created for an unknown order line is made of:
    ``{"name", "sku", "price", "service"}``: the line's name, its SKU (the
    product's internal reference), its unit price ex tax (the list price;
    zero when unreadable), and whether it is digital (a service). ``None``
    when the line has no SKU to give the product.

    :param item: a BigCommerce order line (``orderProducts``).
    """
    sku = _text(item.get("sku"))
    if not sku:
        return None
    try:
        price = cents(item.get("price_ex_tax"))
    except (InvalidOperation, TypeError, ValueError):
        price = Decimal(0)
    return {
        "name": _text(item.get("name")) or sku,
        "sku": sku,
        "price": price,
        "service": item.get("type") == "digital",
    }


def fallback_line_label(name, sku):
    """The label of a line booked on the fallback product: the line's own
    name and SKU, as Odoo shows a product (``[SKU] name``)."""
    name, sku = _text(name), _text(sku)
    if not sku:
        return name
    return f"[{sku}] {name}" if name else f"[{sku}]"
