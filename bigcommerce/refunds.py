# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""BigCommerce refund -> credit note plan: small pure functions, exact money.

A refund (``GET /v3/orders/payment_actions/refunds/{id}``) says what was
refunded (its ``items``) and how much money went back (``total_amount``, tax
included, and ``total_tax``), but not how much each item was worth: PRODUCT
items carry a quantity and no amount (API-NOTES §4). The amounts of each
item are therefore computed from the order, the way the invoice was built
(:mod:`.mapping`), and then held against the refund's own totals:

- a refunded product returns its share of the invoice line (gross ex-tax
  amount on the product, its discount on the discount account) and of the
  line's tax;
- a refunded shipping, handling or gift-wrapping amount returns its share
  of the charge's tax;
- an ORDER-level amount carries no tax (BigCommerce does not recalculate
  tax for it);
- a tax-only adjustment (a refund without items) returns tax and nothing
  else: it is booked on the accounts of the order's taxes.

The refund's totals are the truth. Rounding (a cent per item) is absorbed on
the largest line; anything more means the items do not explain the money
(a merchant override, an order edited since), and the plan refuses with a
:class:`~.mapping.MappingError` that says by how much.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from .client import parse_datetime
from .mapping import (
    CENT,
    KIND_DISCOUNT,
    KIND_GIFT_CERTIFICATE,
    KIND_HANDLING,
    KIND_PRODUCT,
    KIND_SHIPPING,
    KIND_WRAPPING,
    ZERO,
    MappingError,
    ReconcilingPlan,
    _discount_shares,
    _rows_rates,
    _rows_tax,
    _tax_rows_by_key,
    cents,
    money,
    order_line_items,
    split_quantity,
)

# Credit note line kinds beside those of invoices (mapping.KIND_*).
KIND_ORDER_LEVEL = "order_level"
KIND_TAX_ADJUSTMENT = "tax_adjustment"

ITEM_PRODUCT = "PRODUCT"
ITEM_GIFT_WRAPPING = "GIFT_WRAPPING"
ITEM_SHIPPING = "SHIPPING"
ITEM_HANDLING = "HANDLING"
ITEM_ORDER = "ORDER"
ITEM_FEE = "FEE"

# Refund item type -> (line kind, order field prefix, tax row type, label).
CHARGE_ITEMS = {
    ITEM_SHIPPING: (KIND_SHIPPING, "shipping_cost", "shipping", "Shipping"),
    ITEM_HANDLING: (KIND_HANDLING, "handling_cost", "handling", "Handling"),
}


@dataclass
class CreditNoteLine:
    kind: str
    name: str
    quantity: Decimal
    price_unit: Decimal  # ex-tax, in cents; positive: what is credited
    tax_rates: tuple = ()
    sku: str = None
    #: For a tax adjustment: the rate whose tax account it goes to.
    tax_rate: Decimal = None

    @property
    def amount(self):
        return self.quantity * self.price_unit


@dataclass
class CreditNotePlan(ReconcilingPlan):
    refund_id: int
    order_id: int
    currency: str
    date: object  # naive UTC datetime
    reason: str
    lines: list = field(default_factory=list)
    tax_by_rate: dict = field(default_factory=dict)  # rate -> amount credited
    untaxed: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    #: Whether the refund returns tax only (no items).
    tax_only: bool = False

    def _label(self):
        return f"Refund {self.refund_id} of order {self.order_id}"


@dataclass
class _Part:
    """What one refunded component is expected to be worth (exact)."""

    kind: str
    name: str
    amount: Decimal  # ex-tax, exact
    rates: tuple = ()
    sku: str = None
    quantity: Decimal = Decimal(1)
    tax_rate: Decimal = None


def _item_label(item):
    return f"{item.get('item_type')} {item.get('item_id')}"


def _requested(item, default):
    value = item.get("requested_amount")
    return default if value in (None, "") else money(value)


def _share_tax(rows, share):
    """Exact tax by rate of ``share`` of the given tax rows."""
    taxes = OrderedDict()
    for row in rows:
        amount = cents(row.get("line_amount"))
        if amount:
            rate = money(row.get("rate")).normalize() + ZERO
            taxes[rate] = taxes.get(rate, ZERO) + amount * share
    return taxes


def _add_taxes(total, taxes):
    for rate, amount in taxes.items():
        total[rate] = total.get(rate, ZERO) + amount


def _product_parts(item, line, rows):
    """A refunded quantity of a product line: its gross ex-tax share on the
    product, its discount share, and its tax share."""
    line_id = int(line["id"])
    ordered = money(line.get("quantity"))
    quantity = money(item.get("quantity"))
    if not 0 < quantity <= ordered:
        raise MappingError(
            f"refunds {quantity} of order line {line_id}, which has {ordered}"
        )
    share = quantity / ordered
    name = line.get("name") or line.get("sku") or f"Line {line_id}"
    total_ex = cents(line.get("total_ex_tax"))
    if line.get("type") == "giftcertificate":
        return [
            _Part(KIND_GIFT_CERTIFICATE, name, total_ex * share, (), None, quantity)
        ], {}
    rates = _rows_rates(rows)
    discounted_inc = line.get("discounted_total_inc_tax")
    net_ex = (
        total_ex
        if discounted_inc in (None, "")
        else cents(discounted_inc) - _rows_tax(rows)
    )
    parts = [
        _Part(
            KIND_PRODUCT,
            name,
            total_ex * share,
            rates,
            line.get("sku") or None,
            quantity,
        )
    ]
    discount = (total_ex - net_ex) * share
    if cents(discount):
        # The same labels as the invoice's discount lines; the shares are in
        # cents, and the rounding of the whole plan is settled later.
        for label, amount in _discount_shares(line, cents(discount)):
            parts.append(
                _Part(
                    KIND_DISCOUNT,
                    f"Discount: {label}" if label != "Discount" else label,
                    -amount,
                    rates,
                )
            )
    return parts, _share_tax(rows, share)


def _charge_parts(item, order, tax_rows):
    """A refunded amount (tax included) of shipping or handling."""
    kind, prefix, tax_type, label = CHARGE_ITEMS[item["item_type"]]
    rows = [
        row for key, group in tax_rows.items() if key[0] == tax_type for row in group
    ]
    full = money(order.get(f"{prefix}_inc_tax"))
    amount = _requested(item, full)
    return _share_of_charge(kind, label, amount, full, rows, _item_label(item))


def _wrapping_parts(item, line, tax_rows):
    """Refunded gift wrapping of one product line (tax included)."""
    full = money(line.get("wrapping_cost_inc_tax"))
    amount = _requested(item, full)
    rows = [
        row
        for key, group in tax_rows.items()
        if key[0] == "gift-wrapping"
        for row in group
    ]
    # The tax rows of wrapping are order-wide; this line's share of them.
    order_wrapping_tax = _rows_tax(rows)
    line_tax = money(line.get("wrapping_cost_tax"))
    scale = line_tax / order_wrapping_tax if order_wrapping_tax else ZERO
    scaled = [
        dict(row, line_amount=cents(row.get("line_amount")) * scale) for row in rows
    ]
    return _share_of_charge(
        KIND_WRAPPING,
        "Gift wrapping",
        amount,
        full,
        scaled,
        _item_label(item),
        exact=True,
    )


def _share_of_charge(kind, label, amount, full, rows, item_label, exact=False):
    if amount <= 0:
        return [], {}
    if full <= 0 or amount > full:
        raise MappingError(
            f"{item_label} refunds {amount}, but the order charged {full}"
        )
    share = amount / full
    if exact:
        taxes = OrderedDict()
        for row in rows:
            rate = money(row.get("rate")).normalize() + ZERO
            taxes[rate] = taxes.get(rate, ZERO) + money(row.get("line_amount")) * share
    else:
        taxes = _share_tax(rows, share)
    tax = sum(taxes.values(), ZERO)
    rates = tuple(sorted(rate for rate, value in taxes.items() if value))
    return [_Part(kind, label, amount - tax, rates)], taxes


def _tax_adjustment_parts(refund, order_taxes):
    """A refund without items returns tax only: spread over the order's
    taxes in proportion to what each one charged."""
    amount = money(refund.get("total_amount"))
    by_rate = OrderedDict()
    for row in order_taxes or []:
        value = cents(row.get("line_amount"))
        if value:
            rate = money(row.get("rate")).normalize() + ZERO
            by_rate[rate] = by_rate.get(rate, ZERO) + value
    charged = sum(by_rate.values(), ZERO)
    if not charged:
        raise MappingError(
            f"returns {amount} of tax, but the order charged no tax to return"
        )
    return [
        _Part(
            KIND_TAX_ADJUSTMENT,
            f"Tax adjustment ({rate.normalize()}%)",
            amount * value / charged,
            (),
            tax_rate=rate,
        )
        for rate, value in by_rate.items()
    ]


def _round_parts(parts, target):
    """Each part's amount in cents, the rounding left on the largest part,
    so that they add up to ``target``."""
    rounded = [cents(part.amount) for part in parts]
    left = target - sum(rounded, ZERO)
    if left and parts:
        largest = max(range(len(parts)), key=lambda i: abs(rounded[i]))
        rounded[largest] += left
    return rounded


def _lines(parts, amounts):
    lines = []
    for part, amount in zip(parts, amounts, strict=True):
        if not amount:
            continue
        quantity = part.quantity
        if amount < 0 or quantity != quantity.to_integral_value():
            pieces = [(Decimal(1), amount)]
        else:
            pieces = split_quantity(amount, quantity)
        for piece_quantity, unit in pieces:
            lines.append(
                CreditNoteLine(
                    kind=part.kind,
                    name=part.name,
                    quantity=piece_quantity,
                    price_unit=unit,
                    tax_rates=part.rates,
                    sku=part.sku,
                    tax_rate=part.tax_rate,
                )
            )
    return lines


def refund_to_credit_note_plan(refund, order, taxes):
    """Map a refund, with its order and the order's tax rows, to a credit
    note plan that adds up to the refund to the cent.

    :param refund: a v3 refund object.
    :param order: ``GET /v2/orders/{id}?include=consignments.line_items``.
    :param taxes: ``GET /v2/orders/{id}/taxes?details=true`` rows.
    :raises MappingError: when the items do not explain the refunded money,
        saying by how much and why.
    """
    refund_id, order_id = refund.get("id"), order.get("id")
    total = cents(refund.get("total_amount"))
    total_tax = cents(refund.get("total_tax"))
    currency = order.get("default_currency_code") or order.get("currency_code")
    if not currency:
        raise MappingError(f"Order {order_id} has no currency.")
    if int(refund.get("order_id") or 0) != int(order_id):
        raise MappingError(
            f"Refund {refund_id} belongs to order {refund.get('order_id')}, "
            f"not {order_id}."
        )

    def refuse(why):
        return MappingError(f"Refund {refund_id} of order {order_id}: {why}.")

    plan = CreditNotePlan(
        refund_id=int(refund_id),
        order_id=int(order_id),
        currency=currency,
        date=parse_datetime(refund.get("created")),
        reason=(refund.get("reason") or "").strip(),
        total=total,
    )
    items = refund.get("items") or []
    if not items:
        # A tax-only adjustment: money back, all of it tax, no goods.
        try:
            parts = _tax_adjustment_parts(refund, taxes)
        except MappingError as exc:
            raise refuse(str(exc)) from exc
        plan.tax_only = True
        plan.untaxed = total
        plan.lines = _lines(parts, _round_parts(parts, total))
        return plan.check()

    tax_rows = _tax_rows_by_key(taxes)
    lines_by_id = {int(line["id"]): line for line in order_line_items(order)}
    parts, expected_tax = [], OrderedDict()
    try:
        for item in items:
            item_type = item.get("item_type")
            item_id = int(item.get("item_id") or 0)
            if item_type in (ITEM_PRODUCT, ITEM_GIFT_WRAPPING):
                line = lines_by_id.get(item_id)
                if line is None:
                    raise MappingError(f"the order has no line {item_id}")
                if item_type == ITEM_PRODUCT:
                    rows = tax_rows.get(("item", item_id), [])
                    item_parts, item_taxes = _product_parts(item, line, rows)
                else:
                    item_parts, item_taxes = _wrapping_parts(item, line, tax_rows)
            elif item_type in CHARGE_ITEMS:
                item_parts, item_taxes = _charge_parts(item, order, tax_rows)
            elif item_type == ITEM_ORDER:
                amount = _requested(item, ZERO)
                item_parts = (
                    [_Part(KIND_ORDER_LEVEL, item.get("reason") or "Refund", amount)]
                    if amount
                    else []
                )
                item_taxes = {}
            elif item_type == ITEM_FEE:
                raise MappingError(
                    "it refunds an order fee, and order fees are not invoiced by "
                    "this connector"
                )
            else:
                raise MappingError(f"unknown refund item type {item_type!r}")
            parts += item_parts
            _add_taxes(expected_tax, item_taxes)
    except MappingError as exc:
        raise refuse(str(exc)) from exc

    # Rounding: at most a cent per item and per tax rate.
    tolerance = CENT * (len(items) + len(expected_tax))
    expected_untaxed = sum((part.amount for part in parts), ZERO)
    expected_total = expected_untaxed + sum(expected_tax.values(), ZERO)
    if abs(expected_total - total) > tolerance:
        why = (
            "the merchant overrode the refund's amounts"
            if refund.get("uses_merchant_override_values")
            else "the order's figures do not explain the refund (was the order "
            "edited after the refund?)"
        )
        raise refuse(
            f"its items are worth {cents(expected_total)} but {total} was "
            f"refunded (difference {cents(total - expected_total)}): {why}. "
            "Credit it by hand, then mark this failure resolved"
        )
    tax_by_rate = OrderedDict(
        (rate, cents(amount)) for rate, amount in expected_tax.items()
    )
    tax_left = total_tax - sum(tax_by_rate.values(), ZERO)
    if tax_left:
        if abs(tax_left) > tolerance or not tax_by_rate:
            raise refuse(
                f"its items carry {sum(tax_by_rate.values(), ZERO)} of tax but "
                f"{total_tax} of tax was refunded (difference {tax_left})"
            )
        largest = max(tax_by_rate, key=lambda rate: abs(tax_by_rate[rate]))
        tax_by_rate[largest] += tax_left
    plan.tax_by_rate = OrderedDict((r, a) for r, a in tax_by_rate.items() if a)
    plan.tax = total_tax
    plan.untaxed = total - total_tax
    plan.lines = _lines(parts, _round_parts(parts, plan.untaxed))
    return plan.check()
