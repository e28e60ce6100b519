# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refund amounts, computed from the order's own figures.

A PRODUCT refund of ``k`` units returns ``k/quantity`` of the line's
``discounted_total_inc_tax`` and of its ``total_tax`` (cents); the refund that
exhausts a line returns exactly what is left, so a line refunded in pieces
adds up to the line. SHIPPING, HANDLING and GIFT_WRAPPING refunds return an
amount of the tax-inclusive charge with its proportional share of tax, and so
do FEE refunds, of a fee (``item_id`` the fee's id); ORDER
refunds carry no tax (``order_level_amount does not affect tax liability``).
"""

from .money import ZERO, cents, dec

ITEM_TYPES = ("PRODUCT", "GIFT_WRAPPING", "SHIPPING", "HANDLING", "ORDER", "FEE")


class RefundError(ValueError):
    """A refund that BigCommerce would refuse (422)."""


def _line(order, line_id: int) -> dict:
    for product in order.products:
        if product["id"] == line_id:
            return product
    raise RefundError(f"order {order.id} has no order product {line_id}")


def _address(order, address_id: int) -> dict:
    for address in order.shipping_addresses:
        if address["id"] == address_id:
            return address
    raise RefundError(f"order {order.id} has no order address {address_id}")


def _fee(order, fee_id: int) -> dict:
    for fee in order.fees:
        if fee["id"] == fee_id:
            return fee
    raise RefundError(f"order {order.id} has no fee {fee_id}")


def component(order, item_type: str, item_id: int) -> tuple:
    """(refundable inc-tax amount, its tax) of one refundable component."""
    if item_type == "PRODUCT":
        line = _line(order, item_id)
        return dec(line["discounted_total_inc_tax"]), dec(line["total_tax"])
    if item_type == "GIFT_WRAPPING":
        line = _line(order, item_id)
        return dec(line["wrapping_cost_inc_tax"]), dec(line["wrapping_cost_tax"])
    if item_type in ("SHIPPING", "HANDLING"):
        address = _address(order, item_id)
        prefix = "cost" if item_type == "SHIPPING" else "handling_cost"
        return dec(address[f"{prefix}_inc_tax"]), dec(address[f"{prefix}_tax"])
    if item_type == "FEE":
        fee = _fee(order, item_id)
        return dec(fee["cost_inc_tax"]), dec(fee["cost_tax"])
    if item_type == "ORDER":
        if item_id != order.id:
            raise RefundError(f"ORDER refund item_id must be the order id {order.id}")
        return dec(order.data["total_inc_tax"]), ZERO
    raise RefundError(f"unsupported refund item_type {item_type!r}")


def refund_item(order, item: dict) -> tuple:
    """(amount, tax, quantity) refunded by one requested item."""
    item_type, item_id = item["item_type"], int(item["item_id"])
    full, full_tax = component(order, item_type, item_id)
    done, done_tax = order.refunded.get((item_type, item_id), (ZERO, ZERO))
    if item_type == "PRODUCT":
        line = _line(order, item_id)
        quantity = int(item.get("quantity", 1))
        left = line["quantity"] - line["quantity_refunded"]
        if not 0 < quantity <= left:
            raise RefundError(
                f"cannot refund {quantity} of line {item_id} ({left} left)"
            )
        if quantity == left:
            return full - done, full_tax - done_tax, quantity
        share = dec(quantity) / line["quantity"]
        return cents(full * share), cents(full_tax * share), quantity
    amount = cents(item.get("amount", full - done))
    if not 0 < amount <= full - done:
        raise RefundError(f"cannot refund {amount} of {item_type} {item_id}")
    if item_type == "ORDER" or full == 0:
        return amount, ZERO, None
    if amount == full - done:
        return amount, full_tax - done_tax, None
    return amount, cents(amount * full_tax / full), None


def book(order, item: dict, amount, tax, quantity) -> None:
    """Record a refunded item on the order's lines and bookkeeping."""
    key = (item["item_type"], int(item["item_id"]))
    done, done_tax = order.refunded.get(key, (ZERO, ZERO))
    order.refunded[key] = (done + amount, done_tax + tax)
    if quantity:
        line = _line(order, key[1])
        line["quantity_refunded"] += quantity
        line["is_refunded"] = line["quantity_refunded"] == line["quantity"]


def refunded_total(order) -> object:
    return sum((amount for amount, _tax in order.refunded.values()), ZERO)
