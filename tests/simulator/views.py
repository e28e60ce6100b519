# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Render stored records as the API shows them (deep copies, never live)."""

import copy
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .dates import rfc2822, rfc3339, rfc3339_z
from .money import money_num
from .orders import DIGITAL, GIFT_CERTIFICATE, PHYSICAL

ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "street_1",
    "street_2",
    "city",
    "state",
    "zip",
    "country",
    "country_iso2",
    "phone",
    "email",
)


def _v2_dates(record: dict) -> dict:
    """Datetimes to RFC-2822; an unset ``date_shipped`` is ``""``."""
    for key, value in record.items():
        if isinstance(value, datetime):
            record[key] = rfc2822(value)
        elif key == "date_shipped" and value is None:
            record[key] = ""
    return record


def link(base: str, resource: str) -> dict:
    return {"url": f"{base}{resource}", "resource": resource}


def plain_address(address: dict) -> dict:
    """The ``billingAddress_Base`` / ``shippingAddress_Base`` fields only."""
    return {key: address.get(key, "") for key in ADDRESS_FIELDS}


# --------------------------------------------------------------------------
# v2


def order(record, v2_base: str, include=(), consignment_structure=None) -> dict:
    """``GET /v2/orders/{id}``; ``include`` may name consignments[.line_items]
    and fees."""
    data = _v2_dates(copy.deepcopy(record.data))
    prefix = f"/orders/{record.id}"
    data["products"] = link(v2_base, f"{prefix}/products")
    data["shipping_addresses"] = link(v2_base, f"{prefix}/shipping_addresses")
    data["coupons"] = link(v2_base, f"{prefix}/coupons")
    include = set(include or ())
    if consignment_structure == "object":
        if "consignments.line_items" in include:
            data["consignments"] = consignments(record, v2_base, line_items=True)
        elif "consignments" in include:
            data["consignments"] = consignments(record, v2_base, line_items=False)
    if "fees" in include:
        data["fees"] = fees(record)
    return data


def fees(record) -> list:
    """The order's fees (``orderFees_Resp``)."""
    return copy.deepcopy(record.fees)


def product(record: dict) -> dict:
    return copy.deepcopy(record)


def shipping_address(record, address: dict, v2_base: str) -> dict:
    data = copy.deepcopy(address)
    data["shipping_quotes"] = link(
        v2_base,
        f"/orders/{record.id}/shipping_addresses/{address['id']}/shipping_quotes",
    )
    return data


def _line_items(record, v2_base, products, line_items: bool) -> list:
    if line_items:
        return [product(p) for p in products]
    return [link(v2_base, f"/orders/{record.id}/products/{p['id']}") for p in products]


def _shipping_consignment(record, address, v2_base, line_items) -> dict:
    physical = [p for p in record.products if p["type"] == PHYSICAL]
    consignment = {"id": address["id"], **plain_address(address)}
    consignment.update(
        form_fields=copy.deepcopy(address["form_fields"]),
        shipping_method=address["shipping_method"],
        line_items=_line_items(record, v2_base, physical, line_items),
        items_total=address["items_total"],
        items_shipped=address["items_shipped"],
        shipping_zone_id=address["shipping_zone_id"],
        shipping_zone_name=address["shipping_zone_name"],
        shipping_quotes=link(
            v2_base,
            f"/orders/{record.id}/consignments/shipping/{address['id']}"
            "/shipping_quotes",
        ),
    )
    # Money is typed ``number`` in shippingConsignment_Get.
    for key in (
        "base_cost",
        "cost_ex_tax",
        "cost_inc_tax",
        "cost_tax",
        "base_handling_cost",
        "handling_cost_ex_tax",
        "handling_cost_inc_tax",
        "handling_cost_tax",
    ):
        consignment[key] = money_num(address[key])
    consignment["cost_tax_class_id"] = address["cost_tax_class_id"]
    consignment["handling_cost_tax_class_id"] = address["handling_cost_tax_class_id"]
    return consignment


def _email_consignments(record, v2_base, products, line_items) -> list:
    """One consignment per recipient, in line order."""
    by_recipient = {}
    for p in products:
        by_recipient.setdefault(record.recipients.get(p["id"], ""), []).append(p)
    return [
        {
            "recipient_email": email,
            "line_items": _line_items(record, v2_base, lines, line_items),
        }
        for email, lines in by_recipient.items()
    ]


def consignments(record, v2_base: str, line_items: bool) -> dict:
    """The ``orderConsignment_Get`` object structure."""
    digital = [p for p in record.products if p["type"] == DIGITAL]
    certificates = [p for p in record.products if p["type"] == GIFT_CERTIFICATE]
    downloads = []
    if digital:  # the spec allows a single download consignment
        downloads.append(
            {
                "recipient_email": record.recipients.get(digital[0]["id"], ""),
                "line_items": _line_items(record, v2_base, digital, line_items),
            }
        )
    return {
        "pickups": [],
        "shipping": [
            _shipping_consignment(record, address, v2_base, line_items)
            for address in record.shipping_addresses
        ],
        "downloads": downloads,
        "email": {
            "gift_certificates": _email_consignments(
                record, v2_base, certificates, line_items
            ),
        },
    }


def tax(row: dict, details: bool) -> dict:
    data = dict(row)
    if not details:
        data.pop("order_product_id")
        data.pop("line_item_type")
    return data


def shipment(record: dict) -> dict:
    return _v2_dates(copy.deepcopy(record))


# --------------------------------------------------------------------------
# v3


def refund(record: dict, single: bool = False) -> dict:
    """A refund. The collection schema (``Refund``) types ``requested_amount``
    as a number, the single-refund schema (``RefundID_Get``) as a string;
    each endpoint answers in its own schema's type."""
    items = []
    for item in record["items"]:
        rendered = {
            "item_type": item["item_type"],
            "item_id": item["item_id"],
            "reason": item["reason"],
            "requested_amount": _requested(item["requested_amount"], single),
        }
        if item["quantity"]:
            rendered["quantity"] = item["quantity"]
        items.append(rendered)
    return {
        "id": record["id"],
        "order_id": record["order_id"],
        "user_id": record["user_id"],
        "created": rfc3339(record["created"]),
        "reason": record["reason"],
        "total_amount": money_num(record["total_amount"]),
        "total_tax": money_num(record["total_tax"]),
        "uses_merchant_override_values": record["uses_merchant_override_values"],
        "items": items,
        "payments": [
            {**p, "amount": money_num(p["amount"])} for p in record["payments"]
        ],
    }


def transaction(record, index: int, row: dict) -> dict:
    """One of ``GET /v3/orders/{id}/transactions``; ids follow the order's."""
    method = row["method"]
    return {
        "id": record.id * 100 + index + 1,
        "order_id": str(record.id),
        "event": row["event"],
        "method": method,
        "amount": money_num(row["amount"]),
        "currency": record.data["default_currency_code"],
        "gateway": row["gateway"],
        "gateway_transaction_id": row.get("gateway_transaction_id") or "",
        "date_created": rfc3339(row.get("date") or record.data["date_created"]),
        "test": False,
        "status": "ok",
        "fraud_review": False,
        "offline": {"display_name": row.get("display_name") or ""}
        if method == "offline"
        else None,
        "custom": {"payment_method": row.get("display_name") or ""}
        if method == "custom"
        else None,
    }


def _requested(amount, single: bool):
    if amount is None:
        return None
    return f"{amount:.2f}" if single else money_num(amount)


def customer_address(address: dict) -> dict:
    return dict(address)


def customer(record: dict, include=()) -> dict:
    """``customer_Full``; sub-resources only when ``include`` names them."""
    data = {
        "id": record["id"],
        "email": record["email"],
        "first_name": record["first_name"],
        "last_name": record["last_name"],
        "company": record["company"],
        "phone": record["phone"],
        "registration_ip_address": "",
        "notes": record["notes"],
        "tax_exempt_category": "",
        "customer_group_id": record["customer_group_id"],
        "date_modified": rfc3339_z(record["date_modified"]),
        "date_created": rfc3339_z(record["date_created"]),
        "address_count": len(record["addresses"]),
        "attribute_count": 0,
        "authentication": {"force_password_reset": False},
        "accepts_product_review_abandoned_cart_emails": False,
        "origin_channel_id": 1,
        "channel_ids": [1],
    }
    if "addresses" in include:
        data["addresses"] = [customer_address(a) for a in record["addresses"]]
    if "storecredit" in include:
        data["store_credit_amounts"] = [{"amount": money_num(record["store_credit"])}]
    return data


def hook(record: dict) -> dict:
    return dict(record)


CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "$", "AUD": "$"}


def time_zone(name, year) -> dict:
    """``timezone`` of ``GET /v2/store``: the zone's name, its offsets in
    seconds in standard and in daylight saving time (the same when it has
    none) and whether it has one, in ``year``; a name the time zone database
    does not know, with offsets of zero."""
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    moments = [datetime(year, month, 1, 12, tzinfo=zone) for month in (1, 7)]
    standard = [m for m in moments if not m.dst()] or moments
    daylight = [m for m in moments if m.dst()] or standard
    return {
        "name": name,
        "raw_offset": int(standard[0].utcoffset().total_seconds()),
        "dst_offset": int(daylight[0].utcoffset().total_seconds()),
        "dst_correction": any(m.dst() for m in moments),
        "date_format": {
            "display": "M jS Y",
            "export": "M jS Y",
            "extended_display": "M jS Y @ g:i A",
        },
    }


def store_information(state) -> dict:
    """``GET /v2/store`` (StoreInformation); without ``timezone`` for a
    store whose time zone is ``None``."""
    info = {
        "id": state.store_hash,
        "account_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, state.store_hash)),
        "domain": f"{state.store_hash}.mybigcommerce.com",
        "secure_url": f"https://{state.store_hash}.mybigcommerce.com",
        "control_panel_base_url": f"https://store-{state.store_hash}.mybigcommerce.com",
        "status": "live",
        "name": state.name,
        "first_name": "Jane",
        "last_name": "Doe",
        "address": "1 Main Street, Austin, TX 78701",
        "country": "United States",
        "country_code": "US",
        "phone": "555-123-4567",
        "admin_email": "owner@example.com",
        "order_email": "orders@example.com",
        "favicon_url": "https://cdn.example.com/favicon.ico",
        "language": "en",
        "currency": state.currency,
        "currency_symbol": CURRENCY_SYMBOLS.get(state.currency, state.currency),
        "decimal_separator": ".",
        "thousands_separator": ",",
        "decimal_places": 2,
        "currency_symbol_location": "left",
        "weight_units": "Ounces",
        "dimension_units": "Inches",
        "dimension_decimal_places": 2,
        "dimension_decimal_token": ".",
        "dimension_thousands_token": ",",
        "plan_name": state.plan_name,
        "plan_level": state.plan_name,
        "plan_is_trial": False,
        "industry": "Retail",
        "logo": [],
        "is_price_entered_with_tax": state.tax_inclusive,
        "store_id": 1000000 + sum(map(ord, state.store_hash)),
        "default_channel_id": 1,
        "default_site_id": 1000,
        "active_comparison_modules": [],
        "features": {
            "stencil_enabled": True,
            "sitewidehttps_enabled": True,
            "facebook_catalog_id": "",
            "checkout_type": "optimized",
            "wishlists_enabled": True,
            "graphql_storefront_api_enabled": True,
            "shopper_consent_tracking_enabled": True,
            "multi_storefront_enabled": False,
            "storefront_limits": {"active": 1, "total_including_inactive": 1},
        },
    }
    if state.timezone:
        info["timezone"] = time_zone(state.timezone, state.now().year)
    return info
