# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What paid an order, and what an order's status makes of its invoice.

Pure functions over BigCommerce's own payloads, no Odoo.

How an order was paid is read from the order itself first, at no extra API
call: ``gift_certificate_amount`` and ``store_credit_amount`` are the parts
paid with a gift certificate and with store credit, and the rest of
``total_inc_tax`` was paid with ``payment_method`` (its gateway reference in
``payment_provider_id``). The order's totals include what gift certificates
and store credit paid: they are means of payment, not discounts, so they are
never taken off the invoice; they settle part of it.

``GET /v3/orders/{id}/transactions`` is one more request per order against a
store's rate limit, which every app of the store shares. It is called only
when the order's fields cannot say who paid the rest: a rest left to pay but
no gateway payment method named (the order names a gift certificate or store
credit, or nothing, as its method although they do not cover the total): a
split payment whose parts only the transactions list.

A payment is dated on the order's date, unless the order was paid after it
was placed: then on its capture, read from the same transactions (see
:func:`paid_after_placed`, :func:`capture_moment`).
"""

from dataclasses import dataclass
from decimal import Decimal

from .client import parse_datetime
from .mapping import ZERO, MappingError, cents

# payment_status values meaning the money was taken (API-NOTES §3). An order
# refunded later was paid first: its invoice is paid, and the refund is a
# credit note settled by the refund's own payment.
PAID_PAYMENT_STATUSES = frozenset(
    {"captured", "paid", "partially refunded", "refunded"}
)

KIND_GATEWAY = "gateway"
KIND_GIFT_CERTIFICATE = "gift_certificate"
KIND_STORE_CREDIT = "store_credit"

# payment_method (display names) and transaction methods/gateways that are
# not a gateway: the store's own liabilities paid these parts.
_GIFT_CERTIFICATE_NAMES = frozenset({"gift certificate", "giftcertificate"})
_STORE_CREDIT_NAMES = frozenset({"store credit", "storecredit"})
_TRANSACTION_KINDS = {
    "gift_certificate": KIND_GIFT_CERTIFICATE,
    "giftcertificate": KIND_GIFT_CERTIFICATE,
    "store_credit": KIND_STORE_CREDIT,
    "storecredit": KIND_STORE_CREDIT,
}
# Transaction events that move money to the store.
_CAPTURE_EVENTS = frozenset({"purchase", "capture", "settled"})


@dataclass(frozen=True)
class PaymentPart:
    """One part of an order's payment."""

    kind: str  # KIND_GATEWAY, KIND_GIFT_CERTIFICATE or KIND_STORE_CREDIT
    amount: Decimal
    method: str = ""  # the order's payment_method, or a transaction's method
    gateway: str = ""  # a transaction's gateway, when known
    reference: str = ""  # the gateway's transaction id


def is_paid(order):
    """Whether BigCommerce reports the order's payment as taken."""
    return (order.get("payment_status") or "").strip().lower() in PAID_PAYMENT_STATUSES


def paid_after_placed(order, previous_payment_status):
    """Whether the order's payment may have been taken on a later day than
    the order was placed, so that only its transactions can date it.

    It is when the order is paid now, was seen unpaid before (its payment
    status changed after it was placed: an authorization captured later,
    an order awaiting payment paid), and was modified on a later day than
    it was created (a capture changes the order: one modified on the day it
    was placed was paid that day). An order seen for the first time already
    paid is dated on its order date: telling otherwise would cost a call
    for every order of a store's history.

    :param order: the order, as ``GET /v2/orders/{id}`` returns it.
    :param previous_payment_status: the order's ``payment_status`` when it
        was last imported; ``None`` when it never was.
    """
    if previous_payment_status is None or not is_paid(order):
        return False
    if is_paid({"payment_status": previous_payment_status}):
        return False
    created = parse_datetime(order.get("date_created"))
    modified = parse_datetime(order.get("date_modified"))
    return bool(created and modified and modified.date() > created.date())


def capture_moment(transactions):
    """When the gateway took the money: the latest successful capture,
    purchase or settlement of a gateway (not a gift certificate or store
    credit, used at checkout), as a naive UTC datetime; ``None`` without
    one.

    :param transactions: ``GET /v3/orders/{id}/transactions`` ``data`` rows.
    """
    moments = [
        parse_datetime(row.get("date_created"))
        for row in transactions or []
        if row.get("event") in _CAPTURE_EVENTS
        and row.get("status") == "ok"
        and _TRANSACTION_KINDS.get(row.get("method") or "") is None
        and _TRANSACTION_KINDS.get(row.get("gateway") or "") is None
    ]
    moments = [moment for moment in moments if moment]
    return max(moments) if moments else None


def _method_kind(name):
    name = (name or "").strip().lower()
    if name in _GIFT_CERTIFICATE_NAMES:
        return KIND_GIFT_CERTIFICATE
    if name in _STORE_CREDIT_NAMES:
        return KIND_STORE_CREDIT
    return KIND_GATEWAY


def payment_parts_from_order(order):
    """The parts of the order's payment, from the order alone.

    Returns ``None`` when the order's fields cannot tell who paid the rest
    (see the module's docstring): then the transactions must say.

    :raises MappingError: when gift certificate and store credit add up to
        more than the order's total.
    """
    total = cents(order.get("total_inc_tax"))
    gift = cents(order.get("gift_certificate_amount"))
    credit = cents(order.get("store_credit_amount"))
    rest = total - gift - credit
    if rest < 0:
        raise MappingError(
            f"Order {order.get('id')}: gift certificate {gift} and store credit "
            f"{credit} add up to more than the order's total {total}."
        )
    parts = []
    if gift:
        parts.append(PaymentPart(KIND_GIFT_CERTIFICATE, gift, "Gift Certificate"))
    if credit:
        parts.append(PaymentPart(KIND_STORE_CREDIT, credit, "Store Credit"))
    if rest:
        method = (order.get("payment_method") or "").strip()
        if not method or _method_kind(method) != KIND_GATEWAY:
            return None
        reference = order.get("payment_provider_id")
        parts.append(
            PaymentPart(
                KIND_GATEWAY,
                rest,
                method,
                reference=str(reference) if reference not in (None, "") else "",
            )
        )
    return parts


def payment_parts_from_transactions(order, transactions):
    """The parts of the order's payment, from its transactions.

    Successful purchases, captures and settlements count (an authorization
    before its capture would count the same money twice); gift certificate
    and store credit transactions are the store's liabilities, the others
    gateways.

    :param transactions: ``GET /v3/orders/{id}/transactions`` ``data`` rows.
    :raises MappingError: when they do not add up to the order's total.
    """
    parts = []
    for row in transactions or []:
        if row.get("event") not in _CAPTURE_EVENTS or row.get("status") != "ok":
            continue
        method = row.get("method") or ""
        gateway = row.get("gateway") or ""
        kind = _TRANSACTION_KINDS.get(method) or _TRANSACTION_KINDS.get(
            gateway, KIND_GATEWAY
        )
        label = method
        if kind == KIND_GATEWAY:
            label = (
                (row.get("offline") or {}).get("display_name")
                or (row.get("custom") or {}).get("payment_method")
                or order.get("payment_method")
                or method
            )
        parts.append(
            PaymentPart(
                kind,
                cents(row.get("amount")),
                label,
                gateway=gateway,
                reference=str(row.get("gateway_transaction_id") or ""),
            )
        )
    total = cents(order.get("total_inc_tax"))
    paid = sum((part.amount for part in parts), ZERO)
    if paid != total:
        raise MappingError(
            f"Order {order.get('id')}: its captured transactions add up to "
            f"{paid}, its total is {total} (difference {paid - total}); the "
            "payment was not registered."
        )
    return parts


# ----------------------------------------------------------------------
# Status policy: what an order's status makes of its invoice
# ----------------------------------------------------------------------
#: Invoice it, and post it (as the store's posting policy says).
ACTION_POST = "post"
#: Invoice it in draft; a later update posts it once BigCommerce reports it
#: paid.
ACTION_DRAFT = "draft"
#: Hold it: no invoice (an existing draft is not posted), with the reason on
#: the order record.
ACTION_HOLD = "hold"
#: Do not invoice it (an existing draft is cancelled).
ACTION_SKIP = "skip"

# The default policy, by status id (API-NOTES §3); statuses not listed are
# posted. Documented in readme/USAGE.md.
DEFAULT_STATUS_ACTIONS = {
    0: ACTION_SKIP,  # Incomplete: an abandoned checkout
    1: ACTION_DRAFT,  # Pending: payment not taken yet
    5: ACTION_SKIP,  # Cancelled
    6: ACTION_SKIP,  # Declined
    7: ACTION_DRAFT,  # Awaiting Payment
    12: ACTION_HOLD,  # Manual Verification Required
    13: ACTION_HOLD,  # Disputed
}


def status_action(status_id, overrides=None):
    """The action for an order status: the store's rule, else the default.

    :param overrides: ``{status id: action}``, the store's own rules.
    """
    status_id = int(status_id or 0)
    if overrides and status_id in overrides:
        return overrides[status_id]
    return DEFAULT_STATUS_ACTIONS.get(status_id, ACTION_POST)
