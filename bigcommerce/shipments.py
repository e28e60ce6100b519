# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shipments of an order (``GET /v2/orders/{id}/shipments``), as values."""

from .client import clean_text, parse_datetime
from .labels import carrier_label


def _text(record, key):
    value = (record or {}).get(key)
    if value in (None, False):
        return ""
    return clean_text(str(value)).strip()


def shipment_values(shipment, lines=None):
    """The values of one v2 shipment.

    :param lines: the order's line items by order-product id (``{id: line}``
        of the v2 order products), to name what was shipped.
    :returns: a dict with ``bigcommerce_id``, ``date``, ``carrier``,
        ``tracking_number``, ``tracking_link``, ``shipping_method``,
        ``comments`` and ``items`` (a list of dicts with
        ``order_product_id``, ``sku``, ``name``, ``quantity``).
    """
    lines = lines or {}
    items = []
    for item in shipment.get("items") or ():
        order_product_id = int(item.get("order_product_id") or 0)
        line = lines.get(order_product_id) or {}
        items.append(
            {
                "order_product_id": order_product_id,
                "sku": _text(line, "sku") or False,
                "name": _text(line, "name")
                or f"Product {int(item.get('product_id') or 0)}",
                "quantity": int(item.get("quantity") or 0),
            }
        )
    carrier = (
        _text(shipment, "shipping_provider_display_name")
        or carrier_label(_text(shipment, "tracking_carrier"))
        or carrier_label(_text(shipment, "shipping_provider"))
    )
    return {
        "bigcommerce_id": int(shipment["id"]),
        "date": parse_datetime(shipment.get("date_created")),
        "carrier": carrier or False,
        "tracking_number": _text(shipment, "tracking_number") or False,
        "tracking_link": _text(shipment, "tracking_link")
        or _text(shipment, "generated_tracking_link")
        or False,
        "shipping_method": _text(shipment, "shipping_method") or False,
        "comments": _text(shipment, "comments") or False,
        "items": items,
    }


#: The statuses of an order whose shipping is over: Shipped, Completed.
SHIPPING_OVER_STATUSES = frozenset({2, 10})


def completed_before(order, moment):
    """Whether the v2 ``order`` was shipped or completed before ``moment`` (a
    naive UTC datetime): its status says its shipping is over, and it was
    last modified before then (the date of its last shipment, at the
    latest)."""
    if int(order.get("status_id") or 0) not in SHIPPING_OVER_STATUSES:
        return False
    modified = parse_datetime(order.get("date_modified"))
    return modified is not None and modified < moment
