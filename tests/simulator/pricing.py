# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order arithmetic, the way BigCommerce lays it out.

Everything here is pure: ``price_order`` takes prices in the order's *price
basis* (tax-exclusive or tax-inclusive) and returns every figure the v2 API
shows. The figures obey these identities exactly (Decimal, no tolerance):

Per line
    ``total_ex_tax = price_ex_tax * quantity``; ``total_inc_tax`` is the
    pre-discount line total including tax (``price_inc_tax * quantity`` in a
    tax-inclusive order); ``total_tax`` is the tax on the *discounted* line,
    computed per line and rounded to cents; ``discounted_total_inc_tax`` is the
    line after every discount, tax included; the ``applied_discounts`` amounts
    (in the price basis) add up to the line's discount.

Per order
    ``subtotal_* = sum(line total_*)`` (before discounts),
    ``discount_amount = sum(applied_discounts)``,
    ``coupon_discount = sum(coupon applied_discounts)``,
    ``total_tax = sum(line total_tax) + shipping/handling/wrapping tax +
    sum(fee cost_tax)``,
    ``total_inc_tax = total_ex_tax + total_tax`` and
    ``total_inc_tax = sum(line discounted_total_inc_tax) + shipping_inc +
    handling_inc + wrapping_inc + sum(fee cost_inc_tax)``.
    Tax-exclusive: ``total_ex_tax = subtotal_ex_tax - discount_amount +
    shipping_ex + handling_ex + wrapping_ex + sum(fee cost_ex_tax)``.
    Tax-inclusive: ``total_inc_tax = subtotal_inc_tax - discount_amount +
    shipping_inc + handling_inc + wrapping_inc + sum(fee cost_inc_tax)``;
    ex-tax unit prices are derived
    (``price_inc / (1 + rate)`` at four places, so they may carry sub-cent
    digits) and the discount's ex-tax value is implied by the line figures.

Discounts (coupons, then the manual discount) are spread over the discountable
lines proportionally to their subtotal in the price basis, in cents, the last
line taking the remainder. Gift-certificate lines are never discounted nor
taxed. Shipping coupons (types 3 and 4) lower the shipping charge instead.
Order fees are charges of their own (each taxed at its own rate, in the price
basis like shipping), outside the subtotal and never discounted.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from .money import ZERO, allocate, cents, dec, four

# Coupon type codes (orderCoupons_Base.type).
PER_ITEM, PERCENTAGE, PER_TOTAL, SHIPPING, FREE_SHIPPING, PROMOTION = range(6)
COUPON_TYPES = {
    PER_ITEM: "per_item_discount",
    PERCENTAGE: "percentage_discount",
    PER_TOTAL: "per_total_discount",
    SHIPPING: "shipping_discount",
    FREE_SHIPPING: "free_shipping",
    PROMOTION: "promotion",
}


@dataclass
class LineInput:
    """One order line: unit price in the order's price basis."""

    unit_price: Decimal
    quantity: int
    tax_rate: Decimal = ZERO
    discountable: bool = True


@dataclass
class DiscountInput:
    """A line discount: coupon (types 0, 1, 2, 5) or the manual discount."""

    key: str  # applied_discounts[].id
    name: str
    code: str | None
    coupon_type: int | None  # None for the manual discount
    amount: Decimal  # per unit (type 0), percent (type 1) or total


@dataclass
class ChargeInput:
    amount: Decimal = ZERO  # in the price basis
    tax_rate: Decimal = ZERO


@dataclass
class PricedLine:
    price_ex: Decimal
    price_inc: Decimal
    price_tax: Decimal
    total_ex: Decimal
    total_inc: Decimal
    total_tax: Decimal = ZERO
    discounts: list = field(default_factory=list)  # [(DiscountInput, amount)]
    discounted_total_inc: Decimal = ZERO

    @property
    def discount(self) -> Decimal:
        return sum((amount for _d, amount in self.discounts), ZERO)


@dataclass
class PricedCharge:
    base: Decimal
    ex: Decimal
    inc: Decimal
    tax: Decimal
    tax_rate: Decimal


@dataclass
class PricedOrder:
    tax_inclusive: bool
    lines: list
    shipping: PricedCharge
    handling: PricedCharge
    wrapping: PricedCharge
    coupon_discounts: dict  # DiscountInput.key -> amount actually taken off
    shipping_discount: Decimal
    fees: list = field(default_factory=list)  # PricedCharge per order fee
    subtotal_ex: Decimal = ZERO
    subtotal_inc: Decimal = ZERO
    subtotal_tax: Decimal = ZERO
    discount_amount: Decimal = ZERO
    coupon_discount: Decimal = ZERO
    total_ex: Decimal = ZERO
    total_inc: Decimal = ZERO
    total_tax: Decimal = ZERO


def tax_of(amount: Decimal, rate: Decimal, inclusive: bool) -> Decimal:
    """Tax on ``amount`` at ``rate``, in cents; ``amount`` includes it if inclusive."""
    if rate == 0 or amount == 0:
        return ZERO
    if inclusive:
        return cents(amount * rate / (1 + rate))
    return cents(amount * rate)


def price_line(line: LineInput, inclusive: bool) -> PricedLine:
    """Unit and pre-discount totals of one line."""
    price, qty, rate = cents(line.unit_price), line.quantity, dec(line.tax_rate)
    if inclusive:
        price_ex = four(price / (1 + rate))
        return PricedLine(
            price_ex=price_ex,
            price_inc=price,
            price_tax=price - price_ex,
            total_ex=price_ex * qty,
            total_inc=price * qty,
        )
    total_ex = price * qty
    unit_tax = tax_of(price, rate, False)
    return PricedLine(
        price_ex=price,
        price_inc=price + unit_tax,
        price_tax=unit_tax,
        total_ex=total_ex,
        total_inc=total_ex + tax_of(total_ex, rate, False),
    )


def price_charge(charge: ChargeInput, inclusive: bool, base=None) -> PricedCharge:
    """Shipping, handling or wrapping: split into ex, tax and inc."""
    amount, rate = cents(charge.amount), dec(charge.tax_rate)
    tax = tax_of(amount, rate, inclusive)
    ex, inc = (amount - tax, amount) if inclusive else (amount, amount + tax)
    base = amount if base is None else cents(base)
    return PricedCharge(base=base, ex=ex, inc=inc, tax=tax, tax_rate=rate)


def _spread(total: Decimal, weights: list, room: list) -> list:
    """Allocate ``total`` by ``weights`` and push any share above ``room`` on."""
    shares = allocate(total, weights)
    for _ in range(len(shares)):
        excess = ZERO
        for i, share in enumerate(shares):
            if share > room[i]:
                excess += share - room[i]
                shares[i] = room[i]
        if excess == 0:
            break
        spare = [room[i] - shares[i] for i in range(len(shares))]
        extra = allocate(excess, spare)
        shares = [s + e for s, e in zip(shares, extra, strict=True)]
    return shares


def _discount_shares(disc: DiscountInput, bases: list, room: list, qtys: list):
    """Per-line amounts of one line discount, never more than a line's room."""
    if disc.coupon_type == PER_ITEM:
        return [
            min(cents(disc.amount * q), r) if b > 0 else ZERO
            for b, r, q in zip(bases, room, qtys, strict=True)
        ]
    if disc.coupon_type == PERCENTAGE:
        wanted = cents(sum(bases, ZERO) * disc.amount / 100)
    else:
        wanted = cents(disc.amount)
    return _spread(min(wanted, sum(room, ZERO)), bases, room)


def apply_discounts(lines, priced, discounts, inclusive):
    """Distribute ``discounts`` over the discountable lines; return totals by key."""
    bases = [
        (p.total_inc if inclusive else p.total_ex) if line.discountable else ZERO
        for line, p in zip(lines, priced, strict=True)
    ]
    room = list(bases)
    qtys = [line.quantity for line in lines]
    taken = {}
    for disc in discounts:
        shares = _discount_shares(disc, bases, room, qtys)
        for i, share in enumerate(shares):
            if share > 0:
                priced[i].discounts.append((disc, share))
                room[i] -= share
        taken[disc.key] = sum(shares, ZERO)
    return taken


def _finish_line(line: LineInput, p: PricedLine, inclusive: bool) -> None:
    """Post-discount tax and discounted total of one line."""
    rate = dec(line.tax_rate)
    if inclusive:
        net_inc = p.total_inc - p.discount
        p.total_tax = tax_of(net_inc, rate, True)
        p.discounted_total_inc = net_inc
    else:
        net_ex = p.total_ex - p.discount
        p.total_tax = tax_of(net_ex, rate, False)
        p.discounted_total_inc = net_ex + p.total_tax


def shipping_after_coupons(amount: Decimal, coupons) -> tuple:
    """Apply shipping coupons (types 3, 4); return (charged, {key: discount})."""
    charged, taken = cents(amount), {}
    for disc in coupons:
        if disc.coupon_type == FREE_SHIPPING:
            off = charged
        elif disc.coupon_type == SHIPPING:
            off = min(cents(disc.amount), charged)
        else:
            continue
        charged -= off
        taken[disc.key] = off
    return charged, taken


def price_order(
    lines: list,
    discounts: list,
    shipping: ChargeInput,
    handling: ChargeInput,
    wrapping: ChargeInput,
    inclusive: bool,
    fees: list = (),
) -> PricedOrder:
    """Price a whole order. ``discounts`` may hold shipping coupons too;
    ``fees`` are ``ChargeInput`` (one per order fee)."""
    line_discounts = [
        d for d in discounts if d.coupon_type not in (SHIPPING, FREE_SHIPPING)
    ]
    charged_shipping, shipping_taken = shipping_after_coupons(
        shipping.amount, discounts
    )
    priced = [price_line(line, inclusive) for line in lines]
    taken = apply_discounts(lines, priced, line_discounts, inclusive)
    for line, p in zip(lines, priced, strict=True):
        _finish_line(line, p, inclusive)
    order = PricedOrder(
        tax_inclusive=inclusive,
        lines=priced,
        shipping=price_charge(
            ChargeInput(charged_shipping, shipping.tax_rate),
            inclusive,
            base=shipping.amount,
        ),
        handling=price_charge(handling, inclusive),
        wrapping=price_charge(wrapping, inclusive),
        coupon_discounts={**taken, **shipping_taken},
        shipping_discount=sum(shipping_taken.values(), ZERO),
        fees=[price_charge(fee, inclusive) for fee in fees],
    )
    _total_order(order, line_discounts)
    return order


def _total_order(order: PricedOrder, line_discounts: list) -> None:
    charges = (order.shipping, order.handling, order.wrapping, *order.fees)
    order.subtotal_ex = sum((p.total_ex for p in order.lines), ZERO)
    order.subtotal_inc = sum((p.total_inc for p in order.lines), ZERO)
    order.subtotal_tax = order.subtotal_inc - order.subtotal_ex
    order.discount_amount = sum((p.discount for p in order.lines), ZERO)
    order.coupon_discount = sum(
        (
            amount
            for p in order.lines
            for d, amount in p.discounts
            if d.coupon_type is not None
        ),
        ZERO,
    )
    order.total_tax = sum((p.total_tax for p in order.lines), ZERO) + sum(
        (c.tax for c in charges), ZERO
    )
    if order.tax_inclusive:
        order.total_inc = (
            order.subtotal_inc
            - order.discount_amount
            + sum((c.inc for c in charges), ZERO)
        )
        order.total_ex = order.total_inc - order.total_tax
    else:
        order.total_ex = (
            order.subtotal_ex
            - order.discount_amount
            + sum((c.ex for c in charges), ZERO)
        )
        order.total_inc = order.total_ex + order.total_tax
