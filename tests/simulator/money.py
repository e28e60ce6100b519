# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Decimal helpers: every amount the simulator computes goes through these."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")
TEN_PLACES = Decimal("0.0000000001")
ZERO = Decimal(0)


def dec(value) -> Decimal:
    """Coerce ``value`` (str, int, Decimal or None) to a Decimal.

    Floats are refused: they would smuggle binary rounding into the books.
    """
    if value is None or value == "":
        return ZERO
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError(f"pass money as str or Decimal, not float: {value!r}")
    return Decimal(str(value))


def cents(value) -> Decimal:
    """Round to cents, half up."""
    return dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


def four(value) -> Decimal:
    """Round to four places, half up (BigCommerce's string precision)."""
    return dec(value).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def money_str(value) -> str:
    """Format as BigCommerce's 4-place decimal string, e.g. ``"12.5000"``."""
    return str(four(value))


def rate_str(value) -> str:
    """Format an exchange rate as a 10-place decimal string."""
    return str(dec(value).quantize(TEN_PLACES, rounding=ROUND_HALF_UP))


def money_num(value) -> float:
    """Format as a JSON number (where the spec says ``number``), cent-rounded."""
    return float(cents(value))


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` over ``weights`` proportionally, in cents.

    Every share but the last is rounded down to cents; the last takes the
    remainder, so the shares add up to ``total`` exactly and none is negative
    (for a non-negative ``total``). Zero weights get nothing.
    """
    total = cents(total)
    positive = [i for i, w in enumerate(weights) if w > 0]
    shares = [ZERO for _ in weights]
    if not positive or total == 0:
        return shares
    weight_sum = sum(weights[i] for i in positive)
    allocated = ZERO
    for i in positive[:-1]:
        shares[i] = (total * weights[i] / weight_sum).quantize(
            CENT, rounding=ROUND_DOWN
        )
        allocated += shares[i]
    shares[positive[-1]] = total - allocated
    return shares
