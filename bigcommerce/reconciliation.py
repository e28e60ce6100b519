# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's side of a month-end reconciliation: pure, in ``Decimal``.

What BigCommerce's listings say of a period (its orders, its refunds) is
summed here exactly, per currency (an order's currency is the one its
customer paid in, ``default_currency_code``, the one its invoice is in).
The Odoo side (``components/reconciliation.py``) reads the ledger and
compares.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from .client import parse_datetime
from .mapping import MappingError, fee_untaxed, order_fees
from .payments import KIND_GATEWAY, is_paid, payment_parts_from_order

ZERO = Decimal("0.00")
# BigCommerce's provider id of store credit, in a refund's payments: a debt
# to the customer, no money through a gateway.
STORE_CREDIT_PROVIDER = "storecredit"
CENT = Decimal("0.01")


def money(value):
    """A BigCommerce decimal string (or number) as ``Decimal``, to the cent."""
    try:
        return Decimal(str(value if value not in (None, "") else 0)).quantize(CENT)
    except InvalidOperation:
        return ZERO


@dataclass
class OrderFigures:
    """One order as the store's listing shows it."""

    id: int
    status_id: int
    currency: str
    date_created: datetime
    date_modified: datetime
    untaxed: Decimal
    tax: Decimal
    total: Decimal
    shipping: Decimal
    discount: Decimal
    paid: bool
    payment_method: str
    #: ``[(method, amount)]`` of the gateway parts of its payment, or
    #: ``None`` when only its transactions could tell (a split payment).
    gateway_parts: list | None
    #: What a gateway took: the total less gift certificates and store credit.
    gateway_total: Decimal = ZERO
    #: Its fees, untaxed (``include=fees`` of the listing).
    fees: Decimal = ZERO


def order_figures(order):
    """:class:`OrderFigures` of a listed order (``GET /v2/orders``)."""
    try:
        parts = payment_parts_from_order(order)
    except MappingError:
        parts = None
    gateway = (
        None
        if parts is None
        else [(p.method, p.amount) for p in parts if p.kind == KIND_GATEWAY]
    )
    try:
        fees = sum((fee_untaxed(fee) for fee in order_fees(order)), ZERO)
    except MappingError:
        # Listed without its fees: the invoice's check tells.
        fees = ZERO
    return OrderFigures(
        id=int(order["id"]),
        status_id=int(order.get("status_id") or 0),
        currency=order.get("default_currency_code") or order.get("currency_code") or "",
        date_created=parse_datetime(order.get("date_created")),
        date_modified=parse_datetime(order.get("date_modified")),
        untaxed=money(order.get("total_ex_tax")),
        tax=money(order.get("total_tax")),
        total=money(order.get("total_inc_tax")),
        shipping=money(order.get("shipping_cost_ex_tax")),
        # Every discount of the order, coupons included.
        discount=money(order.get("discount_amount")),
        paid=is_paid(order),
        payment_method=(order.get("payment_method") or "").strip(),
        gateway_parts=gateway,
        gateway_total=money(order.get("total_inc_tax"))
        - money(order.get("gift_certificate_amount"))
        - money(order.get("store_credit_amount")),
        fees=fees,
    )


@dataclass
class RefundFigures:
    """One refund as the store's listing shows it."""

    id: int
    order_id: int
    created: datetime
    total: Decimal
    tax: Decimal
    #: ``[(provider, amount)]`` of the money paid back through a gateway
    #: (offline and declined payments, and store credit, left out).
    paid_back: list = field(default_factory=list)


def refund_figures(refund):
    """:class:`RefundFigures` of a listed refund (``GET /v3/.../refunds``)."""
    paid_back = [
        (payment.get("provider_id") or "", money(payment.get("amount")))
        for payment in refund.get("payments") or []
        if not payment.get("offline")
        and not payment.get("is_declined")
        and payment.get("provider_id") != STORE_CREDIT_PROVIDER
    ]
    return RefundFigures(
        id=int(refund["id"]),
        order_id=int(refund.get("order_id") or 0),
        created=parse_datetime(refund.get("created")),
        total=money(refund.get("total_amount")),
        tax=money(refund.get("total_tax")),
        paid_back=[(provider, amount) for provider, amount in paid_back if amount],
    )


@dataclass
class Totals:
    """Sums of one currency."""

    count: int = 0
    untaxed: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    shipping: Decimal = ZERO
    discount: Decimal = ZERO
    fees: Decimal = ZERO
    refund_count: int = 0
    refunds: Decimal = ZERO

    @property
    def net(self):
        return self.total - self.refunds

    def add_order(self, order):
        self.count += 1
        self.untaxed += order.untaxed
        self.tax += order.tax
        self.total += order.total
        self.shipping += order.shipping
        self.discount += order.discount
        self.fees += order.fees

    def add_refund(self, amount):
        self.refund_count += 1
        self.refunds += amount


def totals_by_currency(orders, refunds, refund_currency):
    """``{currency: Totals}`` of ``orders`` (:class:`OrderFigures`) and
    ``refunds`` (:class:`RefundFigures`); ``refund_currency(refund)`` says
    a refund's currency (its order's)."""
    totals = {}
    for order in orders:
        totals.setdefault(order.currency, Totals()).add_order(order)
    for refund in refunds:
        currency = refund_currency(refund)
        totals.setdefault(currency, Totals()).add_refund(refund.total)
    return totals


def summary_amount(amount):
    """``183,420.17``: an amount as the one-line summary shows it."""
    return f"{amount:,.2f}"
