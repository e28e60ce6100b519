# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What an order line whose SKU no Odoo product has is booked on: the
store's *Unknown products* setting, and what is read of the catalog for it.

Plain Python (no Odoo): the order importer asks these functions which lines
need the catalog, what a product created from BigCommerce is made of, and
how a line booked on the fallback product is labelled.
"""

from decimal import Decimal, InvalidOperation

from .mapping import cents

#: Hold the order as a failure (the default), create the product, or book
#: the line on the store's fallback product.
POLICY_HOLD = "hold"
POLICY_CREATE = "create"
POLICY_FALLBACK = "fallback"
POLICIES = (POLICY_HOLD, POLICY_CREATE, POLICY_FALLBACK)

#: What the connector reads of a catalog product (``include_fields``).
CATALOG_FIELDS = ("name", "sku", "price")


def _text(value):
    return str(value).strip() if value not in (None, "") else ""


def line_product_id(item):
    """The id of the catalog product an order line is of (``0``: none, as
    for a custom product)."""
    try:
        return max(0, int(item.get("product_id") or 0))
    except (TypeError, ValueError):
        return 0


def may_be_variant(item):
    """Whether an order line may be a variant of its product, whose own SKU
    then differs from the product's: it was ordered with option values
    (a product without options is its base variant, with the product's
    SKU)."""
    return bool(item.get("product_options")) and bool(line_product_id(item))


def catalog_ids_to_read(items, policy):
    """The catalog products to read for the order lines ``items`` whose SKU
    no Odoo product has: the products of those that may be variants (their
    parent's SKU is tried first), and, when the store creates the unknown
    products, of every such line (the product is made from its catalog
    entry). Sorted; empty when nothing needs reading.

    :param items: BigCommerce order lines (``orderProducts``).
    :param policy: the store's setting, one of :data:`POLICIES`.
    """
    ids = {
        line_product_id(item)
        for item in items
        if may_be_variant(item) or (policy == POLICY_CREATE and line_product_id(item))
    }
    return sorted(ids - {0})


def catalog_by_id(products):
    """``{product id: catalog product}`` of a catalog answer."""
    return {int(p["id"]): p for p in products if p.get("id")}


def parent_sku(item, catalog):
    """The SKU of the line's catalog product when it is not the line's own
    (a variant's parent), else ``""``.

    :param catalog: ``{product id: catalog product}`` (:func:`catalog_by_id`).
    """
    product = catalog.get(line_product_id(item)) or {}
    sku = _text(product.get("sku"))
    return sku if sku and sku != _text(item.get("sku")) else ""


def product_to_create(item, catalog):
    """What the Odoo product created for an unknown line is made of:
    ``{"name", "sku", "price", "service"}`` from its catalog product (its
    name, its SKU when it has one, its price), else from the line itself
    (a product deleted from the catalog, a custom product). ``None`` when
    there is no SKU at all to give the product.

    :param catalog: ``{product id: catalog product}`` (:func:`catalog_by_id`).
    """
    product = catalog.get(line_product_id(item)) or {}
    sku = _text(product.get("sku")) or _text(item.get("sku"))
    if not sku:
        return None
    name = _text(product.get("name")) or _text(item.get("name")) or sku
    price = product.get("price")
    if price in (None, ""):
        price = item.get("base_price")
    try:
        price = cents(price)
    except (InvalidOperation, TypeError, ValueError):
        price = Decimal(0)
    return {
        "name": name,
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
