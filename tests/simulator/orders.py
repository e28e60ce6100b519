# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Build v2 order records (order, lines, address, coupons, taxes, fees) from
inputs.

``build_order`` prices the order with :mod:`.pricing` and lays the figures out
in the field names of the Orders V2 spec. Records are plain dicts kept by the
store; the HTTP layer only adds ``{url, resource}`` links when it serves them.
"""

import uuid
from dataclasses import dataclass, field

from .money import ZERO, cents, dec, money_str, rate_str
from .pricing import (
    COUPON_TYPES,
    ChargeInput,
    DiscountInput,
    LineInput,
    price_order,
)
from .statuses import status_name

PHYSICAL, DIGITAL, GIFT_CERTIFICATE = "physical", "digital", "giftcertificate"
PRODUCT_TYPES = (PHYSICAL, DIGITAL, GIFT_CERTIFICATE)

CURRENCY_IDS = {"USD": 1, "EUR": 2, "GBP": 3, "CAD": 4, "AUD": 5, "JPY": 6}
COUNTRIES = {
    "US": "United States",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "CA": "Canada",
    "AU": "Australia",
}
# Tax class ids as the spec's examples show them.
ITEM_TAX_CLASS, SHIPPING_TAX_CLASS, WRAPPING_TAX_CLASS = 0, 2, 3

PAYMENT_STATUS_BY_ORDER_STATUS = {
    0: "",
    1: "pending",
    4: "refunded",
    5: "void",
    6: "declined",
    7: "pending",
    12: "held for review",
    14: "partially refunded",
}


def payment_status(status_id: int) -> str:
    return PAYMENT_STATUS_BY_ORDER_STATUS.get(status_id, "captured")


# payment_status values once the money was taken.
PAID_PAYMENT_STATUSES = frozenset(
    {"captured", "paid", "partially refunded", "refunded"}
)
# Gateways (transaction ``gateway`` enum) of the payment_method display names
# the simulator knows; others are "custom" (a manual payment method).
GATEWAYS = {
    "Credit Card": "stripe",
    "Test Payment Gateway": "testgateway",
    "PayPal": "paypalexpress",
    "Cash on Delivery": "cod",
    "Bank Deposit": "bankdeposit",
    "Cheque": "cheque",
    "Money Order": "moneyorder",
}


def payment_transactions(data: dict, gateway: str | None = None) -> list:
    """The captured transactions of a paid order, from its payment fields:
    one per gift certificate, store credit and gateway part."""
    total = dec(data["total_inc_tax"])
    gift = dec(data["gift_certificate_amount"])
    credit = dec(data["store_credit_amount"])
    rest = total - gift - credit
    method = data["payment_method"]
    rows = []
    if gift:
        rows.append(("gift_certificate", "giftcertificate", gift, ""))
    if credit:
        rows.append(("store_credit", "storecredit", credit, ""))
    if rest:
        gateway = gateway or GATEWAYS.get(method, "custom")
        kind = (
            "offline"
            if gateway in ("cod", "bankdeposit", "cheque")
            else ("custom" if gateway == "custom" else "credit_card")
        )
        rows.append((kind, gateway, rest, str(data.get("payment_provider_id") or "")))
    return [
        {
            "event": "purchase",
            "method": kind,
            "gateway": gw,
            "amount": cents(amount),
            "gateway_transaction_id": reference,
            "display_name": method,
        }
        for kind, gw, amount, reference in rows
    ]


def currency_id(code: str) -> int:
    return CURRENCY_IDS.get(code, 100 + sum(map(ord, code)))


@dataclass
class Order:
    """Everything the store keeps about one order (API-shaped dicts)."""

    data: dict
    products: list
    shipping_addresses: list
    coupons: list
    taxes: list
    fees: list = field(default_factory=list)  # orderFees_Resp records
    shipments: list = field(default_factory=list)
    recipients: dict = field(default_factory=dict)  # line id -> email
    refunded: dict = field(default_factory=dict)  # (item_type, id) -> (amt, tax)
    # Payment transactions (``views.transaction`` shape, unrendered); ``None``
    # until the payment is taken.
    transactions: list | None = None
    gateway: str | None = None  # of the payment_method, when not the default

    @property
    def id(self) -> int:
        return self.data["id"]


# --------------------------------------------------------------------------
# Addresses


def billing_from_customer_address(address: dict, email: str) -> dict:
    """A v3 customer address turned into a v2 ``billing_address``."""
    code = address.get("country_code", "US")
    return {
        "first_name": address.get("first_name", ""),
        "last_name": address.get("last_name", ""),
        "company": address.get("company", ""),
        "street_1": address.get("address1", ""),
        "street_2": address.get("address2", ""),
        "city": address.get("city", ""),
        "state": address.get("state_or_province", ""),
        "zip": address.get("postal_code", ""),
        "country": address.get("country") or COUNTRIES.get(code, code),
        "country_iso2": code,
        "phone": address.get("phone", ""),
        "email": email,
    }


def complete_address(address: dict | None, defaults: dict) -> dict:
    """Fill a partial v2 address from ``defaults``; add ``form_fields``."""
    merged = dict(defaults)
    merged.update(address or {})
    code = merged.get("country_iso2") or "US"
    merged["country_iso2"] = code
    merged.setdefault("country", COUNTRIES.get(code, code))
    if not merged.get("country"):
        merged["country"] = COUNTRIES.get(code, code)
    merged.setdefault("form_fields", [])
    for key in ("company", "street_2", "phone", "email"):
        merged.setdefault(key, "")
    return merged


GUEST_ADDRESS = {
    "first_name": "Guest",
    "last_name": "Shopper",
    "company": "",
    "street_1": "1 Market Street",
    "street_2": "",
    "city": "Austin",
    "state": "Texas",
    "zip": "78701",
    "country": "United States",
    "country_iso2": "US",
    "phone": "",
    "email": "guest@example.com",
}


# --------------------------------------------------------------------------
# Inputs


@dataclass
class LineSpec:
    """A resolved order line before pricing."""

    sku: str
    name: str
    quantity: int
    price: object
    tax_rate: object
    type: str
    product_id: int
    variant_id: int
    options: list
    recipient_email: str = ""


def coupon_inputs(coupons: list, ids) -> list:
    """(DiscountInput, coupon id) pairs for the coupons of an order."""
    result = []
    for coupon in coupons or ():
        ctype = int(coupon.get("type", 2))
        if ctype not in COUPON_TYPES:
            raise ValueError(f"unknown coupon type {ctype}")
        coupon_id = int(coupon.get("coupon_id") or ids.next("coupon"))
        result.append(
            DiscountInput(
                key=str(coupon_id),
                name=coupon.get("name") or coupon["code"],
                code=coupon["code"],
                coupon_type=ctype,
                amount=dec(coupon.get("amount", "0")),
            )
        )
    return result


def manual_discount_input(amount) -> list:
    if dec(amount) <= 0:
        return []
    return [
        DiscountInput(
            key="manual-discount",
            name="Manual Discount",
            code=None,
            coupon_type=None,
            amount=dec(amount),
        )
    ]


# --------------------------------------------------------------------------
# Records


def _applied_discounts(discounts) -> list:
    return [
        {
            "id": disc.key,
            "amount": money_str(amount),
            "name": disc.name,
            "code": disc.code,
            "target": "product" if disc.coupon_type == 0 else "order",
        }
        for disc, amount in discounts
    ]


def _product_options(options: list, order_product_id: int, ids) -> list:
    rendered = []
    for option in options:
        name = option.get("display_name", "Option")
        value = str(option.get("display_value", ""))
        rendered.append(
            {
                "id": ids.next("product_option"),
                "option_id": int(option.get("option_id", 1)),
                "order_product_id": order_product_id,
                "product_option_id": int(option.get("product_option_id", 1)),
                "display_name": name,
                "display_value": value,
                "value": str(option.get("value", value)),
                "type": option.get("type", "Multiple choice"),
                "name": option.get("name", name),
                "display_style": option.get("display_style", "Dropdown"),
                "display_name_customer": name,
                "display_name_merchant": name,
                "display_value_customer": value,
                "display_value_merchant": value,
            }
        )
    return rendered


def _product_record(spec: LineSpec, priced, ctx: dict, ids) -> dict:
    line_id = ids.next("order_product")
    base_price = priced.price_inc if ctx["inclusive"] else priced.price_ex
    physical = spec.type == PHYSICAL
    return {
        "id": line_id,
        "order_id": ctx["order_id"],
        "product_id": spec.product_id,
        "order_pickup_method_id": 0,
        "order_address_id": ctx["address_id"] if physical else 0,
        "name": spec.name,
        "name_customer": spec.name,
        "name_merchant": spec.name,
        "sku": spec.sku,
        "upc": "",
        "type": spec.type,
        "base_price": money_str(base_price),
        "price_ex_tax": money_str(priced.price_ex),
        "price_inc_tax": money_str(priced.price_inc),
        "price_tax": money_str(priced.price_tax),
        "base_total": money_str(base_price * spec.quantity),
        "total_ex_tax": money_str(priced.total_ex),
        "total_inc_tax": money_str(priced.total_inc),
        "total_tax": money_str(priced.total_tax),
        "weight": "1.0000" if physical else "0.0000",
        "width": "0.0000",
        "height": "0.0000",
        "depth": "0.0000",
        "quantity": spec.quantity,
        "base_cost_price": "0.0000",
        "cost_price_inc_tax": "0.0000",
        "cost_price_ex_tax": "0.0000",
        "cost_price_tax": "0.0000",
        "is_refunded": False,
        "quantity_refunded": 0,
        "refund_amount": "0.0000",
        "return_id": 0,
        "wrapping_id": 0,
        "wrapping_name": None,
        "base_wrapping_cost": "0.0000",
        "wrapping_cost_ex_tax": "0.0000",
        "wrapping_cost_inc_tax": "0.0000",
        "wrapping_cost_tax": "0.0000",
        "wrapping_message": "",
        "quantity_shipped": 0,
        "event_name": None,
        "event_date": None,
        "fixed_shipping_cost": "0.0000",
        "ebay_item_id": "",
        "ebay_transaction_id": "",
        "option_set_id": None,
        "parent_order_product_id": None,
        "is_bundled_product": False,
        "bin_picking_number": "",
        "external_id": None,
        "brand": "",
        "applied_discounts": _applied_discounts(priced.discounts),
        "product_options": _product_options(spec.options, line_id, ids),
        "configurable_fields": [],
        "variant_id": spec.variant_id,
        "gift_certificate_id": (
            ids.next("gift_certificate") if spec.type == GIFT_CERTIFICATE else None
        ),
        "discounted_total_inc_tax": money_str(priced.discounted_total_inc),
    }


def _attach_wrapping(products: list, wrapping) -> None:
    """Gift wrapping is charged per item: put the order's on its first
    physical line, so ``sum(line wrapping) == order wrapping``."""
    if wrapping.base == 0:
        return
    for product in products:
        if product["type"] == PHYSICAL:
            product.update(
                wrapping_id=1,
                wrapping_name="Gift Wrap",
                base_wrapping_cost=money_str(wrapping.base),
                wrapping_cost_ex_tax=money_str(wrapping.ex),
                wrapping_cost_inc_tax=money_str(wrapping.inc),
                wrapping_cost_tax=money_str(wrapping.tax),
                wrapping_message="Happy birthday!",
            )
            return
    raise ValueError("gift wrapping needs a physical line")


def _shipping_address_record(ctx: dict, address: dict, method: str, priced) -> dict:
    ship, handling = priced.shipping, priced.handling
    return {
        "id": ctx["address_id"],
        "order_id": ctx["order_id"],
        **{k: v for k, v in address.items() if k != "form_fields"},
        "items_total": ctx["physical_items"],
        "items_shipped": 0,
        "shipping_method": method,
        "base_cost": money_str(ship.base),
        "cost_ex_tax": money_str(ship.ex),
        "cost_inc_tax": money_str(ship.inc),
        "cost_tax": money_str(ship.tax),
        "cost_tax_class_id": SHIPPING_TAX_CLASS,
        "base_handling_cost": money_str(handling.base),
        "handling_cost_ex_tax": money_str(handling.ex),
        "handling_cost_inc_tax": money_str(handling.inc),
        "handling_cost_tax": money_str(handling.tax),
        "handling_cost_tax_class_id": SHIPPING_TAX_CLASS,
        "shipping_zone_id": 1,
        "shipping_zone_name": COUNTRIES.get(address["country_iso2"], "Rest of World"),
        "form_fields": address.get("form_fields", []),
    }


def _coupon_records(order_id: int, coupons: list, taken: dict, ids) -> list:
    return [
        {
            "id": ids.next("order_coupon"),
            "coupon_id": int(disc.key),
            "order_id": order_id,
            "code": disc.code,
            "amount": money_str(disc.amount),
            "type": disc.coupon_type,
            "discount": float(cents(taken.get(disc.key, ZERO))),
        }
        for disc in coupons
    ]


def _tax_name(rate, inclusive: bool) -> str:
    percent = (dec(rate) * 100).normalize()
    return f"{'VAT' if inclusive else 'Sales Tax'} {percent:f}%"


def _tax_row(ctx, ids, *, amount, rate, product_id, item_type, tax_class, label):
    return {
        "id": ids.next("tax"),
        "order_id": ctx["order_id"],
        "order_address_id": ctx["address_id"],
        "sales_tax_id": f"rate-{money_str(dec(rate) * 100)}",
        "tax_class_id": tax_class,
        "name": _tax_name(rate, ctx["inclusive"]),
        "class": label,
        "rate": money_str(dec(rate) * 100),
        "priority": 0,
        "priority_amount": money_str(amount),
        "line_amount": money_str(amount),
        "order_pickup_method_id": 0,
        "order_product_id": None if product_id is None else str(product_id),
        "line_item_type": item_type,
    }


def _tax_records(ctx, ids, specs, products, priced) -> list:
    """One row per taxed component; the rows add up to ``total_tax``."""
    rows = []
    for spec, product, line in zip(specs, products, priced.lines, strict=True):
        if dec(spec.tax_rate) > 0:
            rows.append(
                _tax_row(
                    ctx,
                    ids,
                    amount=line.total_tax,
                    rate=spec.tax_rate,
                    product_id=product["id"],
                    item_type="item",
                    tax_class=ITEM_TAX_CLASS,
                    label="Default Tax Class",
                )
            )
    charges = (
        (priced.shipping, "shipping", SHIPPING_TAX_CLASS, "Shipping"),
        (priced.handling, "handling", SHIPPING_TAX_CLASS, "Handling"),
        (priced.wrapping, "gift-wrapping", WRAPPING_TAX_CLASS, "Gift Wrapping"),
    )
    for charge, item_type, tax_class, label in charges:
        if charge.tax_rate > 0 and charge.base > 0:
            rows.append(
                _tax_row(
                    ctx,
                    ids,
                    amount=charge.tax,
                    rate=charge.tax_rate,
                    product_id=None,
                    item_type=item_type,
                    tax_class=tax_class,
                    label=label,
                )
            )
    return rows


def _fee_records(ctx, ids, fees: list, priced) -> list:
    """``orderFees_Resp`` records, money as four-place strings."""
    records = []
    for fee, charge in zip(fees, priced.fees, strict=True):
        name = fee.get("name") or "Fee"
        records.append(
            {
                "id": ids.next("order_fee"),
                "type": "custom_fee",
                "display_name_customer": fee.get("customer_name") or name,
                "display_name_merchant": name,
                "source": "v2",
                "base_cost": money_str(charge.base),
                "cost_ex_tax": money_str(charge.ex),
                "cost_inc_tax": money_str(charge.inc),
                "cost_tax": money_str(charge.tax),
                "tax_class_id": fee.get("tax_class_id"),
            }
        )
    return records


def _fee_tax_records(ctx, ids, records: list, fees: list, listed_as) -> list:
    """The rows of the fees' taxes in ``/taxes``, when the store lists them
    (``listed_as``: the ``line_item_type`` they carry); none by default.

    The spec's ``line_item_type`` (item, shipping, handling, gift-wrapping)
    names no fee, so by default a fee's tax is only in the fee's own
    ``cost_tax`` and in the order's ``total_tax``; ``listed_as="item"``
    lists it as an item row without an order product, as a store may."""
    if not listed_as:
        return []
    rows = []
    for record, fee in zip(records, fees, strict=True):
        rate = dec(fee.get("tax_rate") or "0")
        if rate > 0 and dec(record["cost_tax"]):
            rows.append(
                _tax_row(
                    ctx,
                    ids,
                    amount=dec(record["cost_tax"]),
                    rate=rate,
                    product_id=None,
                    item_type=listed_as,
                    tax_class=record["tax_class_id"] or ITEM_TAX_CLASS,
                    label="Fees",
                )
            )
    return rows


def _currency_fields(currency: str, store_currency: str, exchange_rate) -> dict:
    fields = {
        "currency_id": currency_id(currency),
        "currency_code": currency,
        "currency_exchange_rate": rate_str(exchange_rate),
        "default_currency_id": currency_id(currency),
        "default_currency_code": currency,
    }
    if currency != store_currency:
        fields["store_default_currency_code"] = store_currency
        fields["store_default_to_transactional_exchange_rate"] = rate_str(exchange_rate)
    return fields


def _charge_fields(prefix: str, charge, tax_class: int) -> dict:
    return {
        f"base_{prefix}_cost": money_str(charge.base),
        f"{prefix}_cost_ex_tax": money_str(charge.ex),
        f"{prefix}_cost_inc_tax": money_str(charge.inc),
        f"{prefix}_cost_tax": money_str(charge.tax),
        f"{prefix}_cost_tax_class_id": tax_class,
    }


def _order_fields(ctx: dict, opts: dict, priced, products: list) -> dict:
    status_id = opts["status_id"]
    types = {p["type"] for p in products}
    return {
        "id": ctx["order_id"],
        "customer_id": opts["customer_id"],
        "date_created": opts["date_created"],
        "date_modified": opts["date_created"],
        "date_shipped": None,
        "status_id": status_id,
        "status": status_name(status_id),
        "custom_status": status_name(status_id),
        "subtotal_ex_tax": money_str(priced.subtotal_ex),
        "subtotal_inc_tax": money_str(priced.subtotal_inc),
        "subtotal_tax": money_str(priced.subtotal_tax),
        **_charge_fields("shipping", priced.shipping, SHIPPING_TAX_CLASS),
        **_charge_fields("handling", priced.handling, SHIPPING_TAX_CLASS),
        **_charge_fields("wrapping", priced.wrapping, WRAPPING_TAX_CLASS),
        "total_ex_tax": money_str(priced.total_ex),
        "total_inc_tax": money_str(priced.total_inc),
        "total_tax": money_str(priced.total_tax),
        "is_tax_inclusive_pricing": ctx["inclusive"],
        "items_total": sum(p["quantity"] for p in products),
        "items_shipped": 0,
        "payment_method": opts["payment_method"],
        "payment_provider_id": "",
        "payment_status": payment_status(status_id),
        "refunded_amount": "0.0000",
        "order_is_digital": PHYSICAL not in types,
        "store_credit_amount": money_str(opts["store_credit_amount"]),
        "gift_certificate_amount": money_str(opts["gift_certificate_amount"]),
        "ip_address": "203.0.113.10",
        "ip_address_v6": "",
        "geoip_country": opts["billing_address"]["country"],
        "geoip_country_iso2": opts["billing_address"]["country_iso2"],
        **_currency_fields(ctx["currency"], ctx["store_currency"], ctx["rate"]),
        "staff_notes": opts["staff_notes"],
        "customer_message": opts["customer_message"],
        "discount_amount": money_str(priced.discount_amount),
        "coupon_discount": money_str(priced.coupon_discount),
        "shipping_address_count": 1 if ctx["address_id"] else 0,
        "is_deleted": False,
        "ebay_order_id": "0",
        "cart_id": str(uuid.UUID(int=ctx["order_id"])),
        "billing_address": opts["billing_address"],
        "is_email_opt_in": False,
        "credit_card_type": None,
        "order_source": opts["order_source"],
        "channel_id": 1,
        "external_source": None,
        "external_id": None,
        "external_merchant_id": None,
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": "en",
        "external_order_id": "",
    }


def build_order(ctx: dict, opts: dict, specs: list, discounts: list, ids) -> Order:
    """Price and lay out one order.

    ``ctx``: order_id, address_id (0 if none), inclusive, currency,
    store_currency, rate, and optionally fee_taxes_listed_as (see
    :func:`_fee_tax_records`). ``opts``: the remaining order fields (already
    defaulted; ``fees``: ``{name, amount, tax_rate[, tax_class_id,
    customer_name]}`` in the price basis). ``specs``: resolved ``LineSpec`` lines.
    """
    lines = [
        LineInput(
            unit_price=dec(spec.price),
            quantity=spec.quantity,
            tax_rate=ZERO if spec.type == GIFT_CERTIFICATE else dec(spec.tax_rate),
            discountable=spec.type != GIFT_CERTIFICATE,
        )
        for spec in specs
    ]
    for spec, line in zip(specs, lines, strict=True):
        spec.tax_rate = line.tax_rate
    priced = price_order(
        lines,
        discounts,
        shipping=ChargeInput(dec(opts["shipping"]), dec(opts["shipping_tax_rate"])),
        handling=ChargeInput(dec(opts["handling"]), dec(opts["handling_tax_rate"])),
        wrapping=ChargeInput(dec(opts["wrapping"]), dec(opts["wrapping_tax_rate"])),
        inclusive=ctx["inclusive"],
        fees=[
            ChargeInput(dec(fee["amount"]), dec(fee.get("tax_rate") or "0"))
            for fee in opts.get("fees") or ()
        ],
    )
    ctx["physical_items"] = sum(s.quantity for s in specs if s.type == PHYSICAL)
    products = [
        _product_record(spec, line, ctx, ids)
        for spec, line in zip(specs, priced.lines, strict=True)
    ]
    _attach_wrapping(products, priced.wrapping)
    addresses = []
    if ctx["address_id"]:
        addresses.append(
            _shipping_address_record(
                ctx, opts["shipping_address"], opts["shipping_method"], priced
            )
        )
    order = Order(
        data=_order_fields(ctx, opts, priced, products),
        products=products,
        shipping_addresses=addresses,
        coupons=_coupon_records(
            ctx["order_id"],
            [d for d in discounts if d.coupon_type is not None],
            priced.coupon_discounts,
            ids,
        ),
        taxes=_tax_records(ctx, ids, specs, products, priced),
    )
    fees = list(opts.get("fees") or ())
    order.fees = _fee_records(ctx, ids, fees, priced)
    order.taxes += _fee_tax_records(
        ctx, ids, order.fees, fees, ctx.get("fee_taxes_listed_as")
    )
    order.recipients = {
        p["id"]: s.recipient_email for p, s in zip(products, specs, strict=True)
    }
    return order
