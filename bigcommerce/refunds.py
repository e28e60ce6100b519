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
  of the charge's tax, and so does a refunded fee amount (item ``FEE``, its
  ``item_id`` the fee's id), credited as a fee line;
- an ORDER-level amount carries no tax (BigCommerce does not recalculate
  tax for it);
- a tax-only adjustment (a refund without items) returns tax and nothing
  else: the plan has no lines, only tax by rate (spread over the order's
  taxes in proportion to what each charged), which the Odoo side books on
  each tax's refund distribution, in its tax grids.

The refund's totals are the truth. Rounding (a cent per item) is absorbed on
the largest line; anything more means the items do not explain the money
(a merchant override, an order edited since), and the plan refuses with a
:class:`~.mapping.MappingError` that says by how much.

Given what the invoice booked and what the order's earlier credit notes
credited (two :class:`CreditLedger`), the plan is also capped: all the
credit notes of an order together never credit more than the invoice, per
product (units and amount), for shipping, handling, gift wrapping, fees and
gift certificates, for the tax, and in total. A refund that would is refused,
saying which part exceeds what was invoiced and by how much. Discount shares
and order-level amounts have no part of their own to exceed: the tax and the
total hold them.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from .client import parse_datetime
from .mapping import (
    CENT,
    FEE_TAX_TYPE,
    KIND_DISCOUNT,
    KIND_FEE,
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
    fee_name,
    money,
    order_fees,
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
    #: Whether the refund returns tax only (no items): it has no lines, its
    #: tax (``tax_by_rate``) is all it credits.
    tax_only: bool = False

    def _label(self):
        return f"Refund {self.refund_id} of order {self.order_id}"


# ----------------------------------------------------------------------
# What an invoice booked, and its credit notes credited, by part
# ----------------------------------------------------------------------
#: The charges capped by a part of the invoice of their own, and the words a
#: message names them by. Products are parts too, one per SKU.
PART_LABELS = {
    KIND_SHIPPING: "shipping",
    KIND_HANDLING: "handling",
    KIND_WRAPPING: "gift wrapping",
    KIND_FEE: "fees",
    KIND_GIFT_CERTIFICATE: "gift certificates",
}


def part_key(kind, sku=None, shared=None):
    """The part of the invoice a line of ``kind`` books on, as a key of a
    :class:`CreditLedger`; ``None`` for what only the tax and the total cap
    (discount shares, order-level amounts, returned tax).

    :param shared: ``{kind: key}`` for charges that cannot be told apart in
        the ledger (booked on one account), each key the tuple of the kinds
        it pools; a charge not in it is a part of its own, ``(kind,)``.
    """
    if kind == KIND_PRODUCT:
        return (KIND_PRODUCT, sku or "")
    if kind in PART_LABELS:
        return (shared or {}).get(kind) or (kind,)
    return None


def _counted(key):
    """Whether the units of a part are capped too (a charge has none)."""
    return key[0] == KIND_PRODUCT or key == (KIND_GIFT_CERTIFICATE,)


@dataclass
class CreditLedger:
    """What an invoice booked, or an order's credit notes credited: the
    ex-tax amount (and units) of each part (:func:`part_key`), the tax and
    the total, exact, in the invoice's currency. Tax returned on a line of
    its own (a tax adjustment) is tax."""

    amounts: dict = field(default_factory=dict)
    quantities: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    tax: Decimal = ZERO
    total: Decimal = ZERO

    def add_part(self, key, amount, quantity=None, name=None):
        """Add a line's ex-tax ``amount`` (and ``quantity``) to its part."""
        if key is None:
            return
        self.amounts[key] = self.amounts.get(key, ZERO) + amount
        if quantity is not None and _counted(key):
            self.quantities[key] = self.quantities.get(key, ZERO) + quantity
        if name and key not in self.names:
            self.names[key] = name

    def add(self, other):
        """Add another ledger to this one; returns this one."""
        for key, amount in other.amounts.items():
            self.add_part(key, amount, other.quantities.get(key), other.names.get(key))
        self.tax += other.tax
        self.total += other.total
        return self


def part_label(key, names=None):
    """A part's name, as a message says it (``names``: key -> line name)."""
    if key[0] != KIND_PRODUCT:
        return " and ".join(PART_LABELS.get(kind, kind) for kind in key)
    name, sku = (names or {}).get(key), key[1]
    return f"{name} (SKU {sku})" if name and name != sku else f"SKU {sku}"


def invoice_ledger(plan, shared=None):
    """What an :class:`~.mapping.InvoicePlan` books, by part."""
    ledger = CreditLedger(tax=plan.tax, total=plan.total)
    for line in plan.lines:
        key = part_key(line.kind, line.sku, shared)
        ledger.add_part(key, line.amount, line.quantity, line.name)
    return ledger


def credit_note_ledger(plan, shared=None):
    """What a :class:`CreditNotePlan` credits, by part."""
    ledger = CreditLedger(tax=plan.tax, total=plan.total)
    for line in plan.lines:
        key = part_key(line.kind, line.sku, shared)
        ledger.add_part(key, line.amount, line.quantity, line.name)
    return ledger


def _number(value):
    value = value.normalize() + ZERO
    return f"{value:f}" if value == value.to_integral_value() else f"{value}"


def credit_excess(invoiced, credited, new):
    """What ``new`` would credit beyond what is left of ``invoiced`` once
    ``credited`` is taken off, in plain words, one sentence a part (units,
    amounts, the tax, the total); empty when it stays within.

    :param invoiced: the invoice's :class:`CreditLedger`.
    :param credited: the order's earlier credit notes, together.
    :param new: the credit note to come.
    """
    names = {**invoiced.names, **new.names}
    problems = []
    for key, quantity in new.quantities.items():
        billed = invoiced.quantities.get(key, ZERO)
        done = credited.quantities.get(key, ZERO)
        over = done + quantity - billed
        if over > 0:
            problems.append(
                f"{part_label(key, names)}: {_number(quantity)} unit(s) to credit, but "
                f"{_number(billed)} were invoiced and {_number(done)} are credited "
                f"already ({_number(over)} too many)"
            )

    def amount_over(label, asked, billed, done):
        over = cents(done + asked - billed)
        if over > 0:
            problems.append(
                f"{label}: {cents(asked)} to credit, but only "
                f"{cents(max(billed - done, ZERO))} of the {cents(billed)} invoiced is "
                f"left to credit ({over} too much)"
            )

    for key, asked in new.amounts.items():
        if asked > 0:
            amount_over(
                part_label(key, names),
                asked,
                invoiced.amounts.get(key, ZERO),
                credited.amounts.get(key, ZERO),
            )
    if new.tax > 0:
        amount_over("the tax", new.tax, invoiced.tax, credited.tax)
    if new.total > 0:
        amount_over("in total", new.total, invoiced.total, credited.total)
    return problems


def _settle_rounding_within_caps(keys, parts, amounts, invoiced, credited, tolerance):
    """Move the cents by which rounding takes a part over what is left of
    it, or, when the credit note takes the part's last units, short of it
    (at most ``tolerance`` either way), to another part of the credit note
    that can take them: a discount share, an order-level amount, a part
    with room left. Rounding alone then never credits a part beyond its
    invoice, and a part credited in pieces adds up to it. ``amounts`` is
    changed in place; its sum stays the same."""

    def mine(key):
        return [i for i, k in enumerate(keys) if k == key]

    def left(key):
        return (
            invoiced.amounts.get(key, ZERO)
            - credited.amounts.get(key, ZERO)
            - sum((amounts[i] for i in mine(key)), ZERO)
        )

    def last_units(key):
        if not _counted(key):
            return False
        units = sum((parts[i].quantity for i in mine(key)), ZERO)
        return credited.quantities.get(key, ZERO) + units == invoiced.quantities.get(
            key, ZERO
        )

    for key in dict.fromkeys(k for k in keys if k is not None):
        over = -left(key)
        if not over or abs(over) > tolerance or (over < 0 and not last_units(key)):
            continue
        takers = [
            j
            for j, other in enumerate(keys)
            if other != key and (other is None or over < 0 or left(other) >= over)
        ]
        if not takers:
            continue
        giver = max(mine(key), key=lambda i: amounts[i])
        taker = max(takers, key=lambda j: abs(amounts[j]))
        amounts[giver] -= over
        amounts[taker] += over


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


def _fee_parts(item, fee, tax_rows):
    """A refunded amount (tax included) of an order fee: its share of the
    fee's tax, on a fee line named as on the invoice."""
    rows = tax_rows.get((FEE_TAX_TYPE, int(fee["id"])), [])
    full = money(fee.get("cost_inc_tax"))
    amount = _requested(item, full)
    return _share_of_charge(
        KIND_FEE, fee_name(fee), amount, full, rows, _item_label(item)
    )


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
                )
            )
    return lines


def refund_to_credit_note_plan(
    refund, order, taxes, invoiced=None, credited=None, shared=None
):
    """Map a refund, with its order and the order's tax rows, to a credit
    note plan that adds up to the refund to the cent.

    :param refund: a v3 refund object.
    :param order: ``GET /v2/orders/{id}?include=consignments.line_items,fees``.
    :param taxes: ``GET /v2/orders/{id}/taxes?details=true`` rows, with the
        fees' (:func:`~.mapping.with_fee_taxes`).
    :param invoiced: what the order's invoice booked (:class:`CreditLedger`);
        given, the credit note is capped by what is left of it.
    :param credited: what the order's earlier credit notes credited, together.
    :param shared: the charges the ledgers pool (see :func:`part_key`).
    :raises MappingError: when the items do not explain the refunded money,
        or it would credit more than the invoice, saying by how much and why.
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

    def capped(parts, amounts, tax, tolerance):
        """The credit note's amounts, held against what is left of the
        invoice (when the ledgers are given)."""
        if invoiced is None:
            return amounts
        earlier = credited or CreditLedger()
        keys = [part_key(part.kind, part.sku, shared) for part in parts]
        _settle_rounding_within_caps(keys, parts, amounts, invoiced, earlier, tolerance)
        new = CreditLedger(tax=tax, total=total)
        for part, key, amount in zip(parts, keys, amounts, strict=True):
            if part.kind == KIND_TAX_ADJUSTMENT:
                new.tax += amount
            else:
                # A part worth nothing gets no line (a bundle's component):
                # its units are not credited, as they were not invoiced.
                units = part.quantity if amount else None
                new.add_part(key, amount, units, part.name)
        problems = credit_excess(invoiced, earlier, new)
        if problems:
            raise refuse(
                "it would credit more than was invoiced: "
                + "; ".join(problems)
                + ". Nothing was credited or paid back. Check the refund on "
                "BigCommerce; if the money really went back, credit it by hand, "
                "then mark this failure resolved"
            )
        return amounts

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
        plan.tax = total
        amounts = capped(parts, _round_parts(parts, total), ZERO, CENT)
        plan.tax_by_rate = OrderedDict(
            (part.tax_rate, amount)
            for part, amount in zip(parts, amounts, strict=True)
            if amount
        )
        return plan.check()

    tax_rows = _tax_rows_by_key(taxes)
    lines_by_id = {int(line["id"]): line for line in order_line_items(order)}
    parts, expected_tax = [], OrderedDict()
    try:
        fees_by_id = {int(fee["id"]): fee for fee in order_fees(order)}
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
                fee = fees_by_id.get(item_id)
                if fee is None:
                    raise MappingError(f"the order has no fee {item_id}")
                item_parts, item_taxes = _fee_parts(item, fee, tax_rows)
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
    amounts = capped(parts, _round_parts(parts, plan.untaxed), total_tax, tolerance)
    plan.lines = _lines(parts, amounts)
    return plan.check()
