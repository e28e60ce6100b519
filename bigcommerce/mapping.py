# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""BigCommerce order -> invoice plan: small pure functions, exact money.

The plan is what the Odoo side turns into an ``account.move``: lines with
ex-tax amounts in cents and the tax rates BigCommerce applied to them, plus
BigCommerce's own totals and tax amounts, which are the truth the invoice
must match to the cent.

Why ex-tax lines with a separate tax truth: BigCommerce rounds tax per line
after discounts, a tax provider may compute it differently again, and
tax-inclusive stores derive ex-tax unit prices with four decimals. Booking
every line at its exact ex-tax amount in cents, then setting each tax to
BigCommerce's amount, makes untaxed, tax and total agree with the store
whatever the store's tax settings, and leaves any disagreement visible as
a :class:`MappingError` instead of a wrong invoice.

Gift certificates and store credit *used* on an order
(``gift_certificate_amount``, ``store_credit_amount``) are means of payment,
not reductions: BigCommerce's totals include what they paid, so the plan
books nothing for them and the invoice total stays the store's; the payment
side (``payments.py``) settles that part of the invoice against their
liability accounts. A gift certificate *sold* is a line
(``KIND_GIFT_CERTIFICATE``) on the gift-certificate liability account, the
account its later use is taken from.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .client import clean_text, parse_datetime

CENT = Decimal("0.01")
ZERO = Decimal("0")

KIND_PRODUCT = "product"
KIND_GIFT_CERTIFICATE = "gift_certificate"
KIND_SHIPPING = "shipping"
KIND_HANDLING = "handling"
KIND_WRAPPING = "wrapping"
KIND_DISCOUNT = "discount"
KIND_FEE = "fee"

# Order-level charges: (kind, order field prefix, taxes line_item_type, label)
CHARGES = (
    (KIND_SHIPPING, "shipping_cost", "shipping", "Shipping"),
    (KIND_HANDLING, "handling_cost", "handling", "Handling"),
    (KIND_WRAPPING, "wrapping_cost", "gift-wrapping", "Gift wrapping"),
)
#: The ``line_item_type`` of the tax rows of order fees that
#: :func:`fee_tax_rows` works out; each row also carries the fee's id
#: (``fee_id``). BigCommerce's ``/taxes`` rows have no such type.
FEE_TAX_TYPE = "fee"
#: The ``line_item_type`` values BigCommerce documents for ``/taxes`` rows.
DOCUMENTED_TAX_TYPES = ("item", "shipping", "handling", "gift-wrapping")


class MappingError(Exception):
    """The order cannot be turned into a correct invoice; says why."""


def clean_payload(value):
    """``value`` (decoded JSON) with control characters removed from every
    string, keys included.

    A NUL byte or another control character in an order (a name, an
    address, a product option) means nothing to a person, and PostgreSQL
    refuses NUL in text: clean text in, before anything reads it.
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_payload(key): clean_payload(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_payload(item) for item in value]
    return value


def money(value):
    """A BigCommerce money value (string, number or None) as a Decimal."""
    if value in (None, ""):
        return ZERO
    return Decimal(str(value))


def cents(value):
    return money(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _rate(value):
    """Tax rates come as percent strings such as ``"8.2500"``."""
    return money(value).normalize() + ZERO


@dataclass
class InvoiceLine:
    kind: str
    name: str
    quantity: Decimal
    price_unit: Decimal  # ex-tax, in cents
    tax_rates: tuple = ()  # percents, e.g. (Decimal("8.25"),)
    sku: str = None
    item_id: int = None  # the order line (order product) it books, if any

    @property
    def amount(self):
        return self.quantity * self.price_unit


class ReconcilingPlan:
    """What an invoice plan and a credit note plan share: lines, tax rows by
    rate, and totals that must add up to BigCommerce's to the cent."""

    @property
    def lines_untaxed(self):
        return sum((line.amount for line in self.lines), ZERO)

    def _label(self):
        raise NotImplementedError

    def _problems(self):
        """What does not add up, in plain words (empty when all does)."""
        problems = []
        if self.lines_untaxed != self.untaxed:
            problems.append(
                f"lines add up to {self.lines_untaxed} untaxed, BigCommerce says "
                f"{self.untaxed} (difference {self.lines_untaxed - self.untaxed})"
            )
        tax_rows = sum(self.tax_by_rate.values(), ZERO)
        if tax_rows != self.tax:
            problems.append(
                f"tax rows add up to {tax_rows}, BigCommerce's total tax is "
                f"{self.tax} (difference {tax_rows - self.tax})"
            )
        if self.untaxed + self.tax != self.total:
            problems.append(
                f"untaxed {self.untaxed} + tax {self.tax} = {self.untaxed + self.tax}, "
                f"BigCommerce's total is {self.total} (difference "
                f"{self.total - self.untaxed - self.tax})"
            )
        return problems

    def check(self):
        """Raise :class:`MappingError` unless the plan adds up to BigCommerce's
        figures."""
        problems = self._problems()
        if problems:
            raise MappingError(
                f"{self._label()} does not reconcile: " + "; ".join(problems)
            )
        return self


@dataclass
class InvoicePlan(ReconcilingPlan):
    order_id: int
    currency: str
    date: object  # naive UTC datetime
    customer_id: int
    billing_address: dict
    lines: list = field(default_factory=list)
    tax_by_rate: dict = field(default_factory=dict)  # rate -> amount
    untaxed: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    #: For an order in another currency than the store's default: that
    #: currency's code, and the rate the store applied from it to the
    #: order's (``store_default_to_transactional_exchange_rate``).
    store_currency: str = ""
    store_rate: Decimal | None = None

    def _label(self):
        return f"Order {self.order_id}"

    def _problems(self):
        problems = super()._problems()
        taxed_rates = {rate for line in self.lines for rate in line.tax_rates}
        for rate, amount in self.tax_by_rate.items():
            if amount and rate not in taxed_rates:
                problems.append(f"tax {amount} at {rate}% is on no line")
        return problems


# ----------------------------------------------------------------------
# Order lines
# ----------------------------------------------------------------------
def _as_list(value):
    if isinstance(value, dict):
        return [value]
    return list(value or [])


def order_line_items(order):
    """The order's product lines, from ``include=consignments.line_items``.

    Lines sit in shipping, pickup, digital (downloads) and gift-certificate
    (email) consignments; each line appears once, in id order.
    """
    consignments = order.get("consignments")
    if not isinstance(consignments, dict):
        raise MappingError(
            f"Order {order.get('id')} came without its consignments and line items."
        )
    groups = (
        _as_list(consignments.get("shipping"))
        + _as_list(consignments.get("pickups"))
        + _as_list(consignments.get("downloads"))
        + _as_list((consignments.get("email") or {}).get("gift_certificates"))
    )
    lines = {}
    for group in groups:
        for item in _as_list(group.get("line_items")):
            if "id" not in item or "quantity" not in item:
                raise MappingError(
                    f"Order {order.get('id')}: line items are links, not lines; "
                    "fetch the order with include=consignments.line_items."
                )
            lines.setdefault(int(item["id"]), item)
    return [lines[key] for key in sorted(lines)]


def split_quantity(total, quantity):
    """[(quantity, unit price)] adding up exactly to ``total`` in cents.

    ``27.27`` for 2 gives ``[(1, 13.63), (1, 13.64)]`` rather than a unit
    price of 13.635 that no invoice line can hold.
    """
    if quantity <= 0:
        raise MappingError(f"Invalid quantity {quantity}.")
    unit = (total / quantity).quantize(CENT, rounding=ROUND_DOWN)
    if unit * quantity == total:
        return [(quantity, unit)]
    if quantity == 1:
        return [(quantity, total)]
    return [(quantity - 1, unit), (Decimal(1), total - unit * (quantity - 1))]


def _tax_rows_by_key(taxes):
    """Group the ``/taxes?details=true`` rows by (line type, product id),
    and the rows of fees by (``FEE_TAX_TYPE``, fee id)."""
    grouped = {}
    for row in taxes or []:
        kind = row.get("line_item_type") or "item"
        if kind == FEE_TAX_TYPE:
            fee_id = row.get("fee_id")
            key = (kind, int(fee_id) if fee_id else None)
        else:
            product_id = row.get("order_product_id")
            key = (kind, int(product_id) if kind == "item" and product_id else None)
        grouped.setdefault(key, []).append(row)
    return grouped


def _rows_tax(rows):
    return sum((cents(row.get("line_amount")) for row in rows), ZERO)


def _rows_rates(rows):
    return tuple(
        sorted(
            {_rate(row.get("rate")) for row in rows if money(row.get("line_amount"))}
        )
    )


def _discount_shares(line, discount_total):
    """Split a line's ex-tax discount over its applied discounts, in cents."""
    applied = [d for d in line.get("applied_discounts") or [] if money(d.get("amount"))]
    if not applied:
        return [("Discount", discount_total)]
    weights = [money(d["amount"]) for d in applied]
    weight_sum = sum(weights, ZERO)
    shares = []
    allocated = ZERO
    for index, (discount, weight) in enumerate(zip(applied, weights, strict=True)):
        label = discount.get("code") or discount.get("name") or "Discount"
        if index == len(applied) - 1:
            amount = discount_total - allocated
        else:
            amount = (discount_total * weight / weight_sum).quantize(
                CENT, ROUND_HALF_UP
            )
        allocated += amount
        shares.append((str(label), amount))
    return shares


def product_lines(order, tax_rows):
    """Invoice lines and discount amounts of the order's product lines.

    Returns ``(lines, discounts)`` where ``discounts`` maps
    ``(label, tax rates)`` to the ex-tax discount amount.
    """
    lines = []
    discounts = OrderedDict()
    for item in order_line_items(order):
        line_id = int(item["id"])
        quantity = money(item.get("quantity"))
        if quantity <= 0:
            continue
        total_ex = cents(item.get("total_ex_tax"))
        name = item.get("name") or item.get("sku") or f"Line {line_id}"
        if item.get("type") == "giftcertificate":
            kind, rates, net_ex = KIND_GIFT_CERTIFICATE, (), total_ex
        else:
            rows = tax_rows.get(("item", line_id), [])
            kind, rates = KIND_PRODUCT, _rows_rates(rows)
            discounted_inc = item.get("discounted_total_inc_tax")
            if discounted_inc in (None, ""):
                net_ex = total_ex
            else:
                net_ex = cents(discounted_inc) - _rows_tax(rows)
        if total_ex == 0 and item.get("parent_order_product_id"):
            continue  # a bundle's component, priced on its parent line
        for part_quantity, unit in split_quantity(total_ex, quantity):
            lines.append(
                InvoiceLine(
                    kind=kind,
                    name=name,
                    quantity=part_quantity,
                    price_unit=unit,
                    tax_rates=rates,
                    sku=item.get("sku") or None,
                    item_id=line_id,
                )
            )
        discount_ex = total_ex - net_ex
        if discount_ex:
            for label, amount in _discount_shares(item, discount_ex):
                key = (label, rates)
                discounts[key] = discounts.get(key, ZERO) + amount
    return lines, discounts


def discount_lines(discounts):
    return [
        InvoiceLine(
            kind=KIND_DISCOUNT,
            name=f"Discount: {label}" if label != "Discount" else label,
            quantity=Decimal(1),
            price_unit=-amount,
            tax_rates=rates,
        )
        for (label, rates), amount in discounts.items()
        if amount
    ]


def charge_lines(order, tax_rows):
    """Shipping, handling and gift-wrapping lines (ex-tax)."""
    lines = []
    for kind, prefix, tax_type, label in CHARGES:
        rows = [
            row
            for key, group in tax_rows.items()
            if key[0] == tax_type
            for row in group
        ]
        inc = order.get(f"{prefix}_inc_tax")
        if rows and inc not in (None, ""):
            amount = cents(inc) - _rows_tax(rows)
        else:
            amount = cents(order.get(f"{prefix}_ex_tax"))
        if not amount:
            continue
        lines.append(
            InvoiceLine(
                kind=kind,
                name=label,
                quantity=Decimal(1),
                price_unit=amount,
                tax_rates=_rows_rates(rows),
            )
        )
    return lines


def order_fees(order):
    """The order's fees, from ``include=fees`` (none when it has none).

    :raises MappingError: when the order came with a link to its fees
        instead of the fees.
    """
    fees = order.get("fees")
    if fees is None:
        return []
    if not isinstance(fees, list):
        raise MappingError(
            f"Order {order.get('id')} came without its fees; fetch the order "
            "with include=fees."
        )
    for fee in fees:
        if not isinstance(fee, dict) or "id" not in fee:
            raise MappingError(f"Order {order.get('id')}: a fee has no id.")
    return fees


def fee_name(fee):
    """A fee's name, as the merchant sees it."""
    name = fee.get("display_name_merchant") or fee.get("display_name_customer")
    return str(name).strip() if name and str(name).strip() else "Fee"


def fee_untaxed(fee):
    """A fee's untaxed amount, as its invoice line books it (a ``Decimal``
    to the cent)."""
    return _fee_ex(fee)


def _fee_tax(fee):
    return cents(fee.get("cost_tax"))


def _fee_ex(fee):
    """A fee's ex-tax cost, to the cent: what is left of the tax-inclusive cost
    once its tax is taken off (as for shipping), else its ex-tax cost."""
    inc = fee.get("cost_inc_tax")
    if inc not in (None, ""):
        return cents(inc) - _fee_tax(fee)
    # ``cost_exc_tax``: as the spec's own example spells it once.
    ex = fee.get("cost_ex_tax", fee.get("cost_exc_tax"))
    return cents(ex)


def fee_lines(order, tax_rows):
    """One line per order fee (ex-tax), with the rates of its tax rows.

    :raises MappingError: when a fee's tax is not in the tax rows of that
        fee (see :func:`with_fee_taxes`).
    """
    lines = []
    for fee in order_fees(order):
        fee_id = int(fee["id"])
        rows = tax_rows.get((FEE_TAX_TYPE, fee_id), [])
        tax = _fee_tax(fee)
        if _rows_tax(rows) != tax:
            raise MappingError(
                f"Order {order.get('id')}: the tax of the fee {fee_name(fee)!r} "
                f"({tax}) is not in the order's tax rows."
            )
        amount = _fee_ex(fee)
        if not amount and not tax:
            continue
        lines.append(
            InvoiceLine(
                kind=KIND_FEE,
                name=fee_name(fee),
                quantity=Decimal(1),
                price_unit=amount,
                tax_rates=_rows_rates(rows),
            )
        )
    return lines


def fee_tax_rows(order, rates):
    """The tax rows of the order's taxed fees, one per fee, each with the
    one rate of ``rates`` (percents) that gives its ``cost_tax``.

    :raises MappingError: when no rate, or more than one, could have given
        a fee's tax, saying which fee and which rates.
    """
    rates = sorted({_rate(rate) for rate in rates if money(rate) > 0})
    inclusive = bool(order.get("is_tax_inclusive_pricing"))
    rows = []
    for fee in order_fees(order):
        tax = _fee_tax(fee)
        if not tax:
            continue
        net = _fee_ex(fee)
        rate = _inferred_rate(net, tax, rates, inclusive)
        if rate is None:
            listed = ", ".join(f"{r.normalize():f}%" for r in rates) or "none"
            raise MappingError(
                f"Order {order.get('id')}: the tax {tax} on the fee "
                f"{fee_name(fee)!r} ({net} ex tax) matches no single tax rate of "
                f"the store's (rates: {listed}); add the tax the store charges "
                "on fees to the store's taxes."
            )
        rows.append(_fee_tax_row(fee, rate, tax))
    return rows


def _fee_tax_row(fee, rate, tax):
    return {
        "line_item_type": FEE_TAX_TYPE,
        "fee_id": int(fee["id"]),
        "order_product_id": None,
        "tax_class_id": fee.get("tax_class_id"),
        "rate": f"{rate:.4f}",
        "line_amount": f"{tax:.4f}",
    }


def _unattributed(row, line_ids):
    """Whether a ``/taxes`` row belongs to no product line nor charge (a
    type BigCommerce does not document, an item row without its line)."""
    kind = row.get("line_item_type") or "item"
    if kind not in DOCUMENTED_TAX_TYPES:
        return True
    if kind != "item":
        return False
    product_id = row.get("order_product_id")
    return not product_id or int(product_id) not in line_ids


def with_fee_taxes(order, taxes, rates):
    """``GET /v2/orders/{id}/taxes`` rows, with the rows of the order's fees
    worked out (:func:`fee_tax_rows`) in place of whatever the store listed
    for them: rows of no product line or charge (an undocumented type, an
    item row without its line) are the fees' when they add up, rate by rate,
    to the fees' taxes; the store may also list none.

    :param rates: the tax rates the store's invoices may carry, in percent.
    :raises MappingError: when a fee's rate cannot be told, or rows of no
        line do not add up to the fees' taxes.
    """
    taxes = list(taxes or [])
    if any(
        row.get("line_item_type") == FEE_TAX_TYPE and row.get("fee_id") for row in taxes
    ):
        return taxes  # worked out already
    fee_rows = fee_tax_rows(order, rates)
    if not fee_rows:
        return taxes
    line_ids = {int(line["id"]) for line in order_line_items(order)}
    stray = [row for row in taxes if _unattributed(row, line_ids)]
    if stray and tax_amounts_by_rate(stray) != tax_amounts_by_rate(fee_rows):
        raise MappingError(
            f"Order {order.get('id')}: tax rows of no line of the order "
            f"({_rows_tax(stray)}) are not the taxes of its fees "
            f"({_rows_tax(fee_rows)})."
        )
    stray_ids = {id(row) for row in stray}
    return [row for row in taxes if id(row) not in stray_ids] + fee_rows


def tax_amounts_by_rate(taxes):
    amounts = OrderedDict()
    for row in taxes or []:
        amount = cents(row.get("line_amount"))
        if amount:
            rate = _rate(row.get("rate"))
            amounts[rate] = amounts.get(rate, ZERO) + amount
    return amounts


def order_to_invoice_plan(order, taxes):
    """Map an order (with line items) and its tax rows to an invoice plan.

    :param order: ``GET /v2/orders/{id}?include=consignments.line_items,fees``.
    :param taxes: ``GET /v2/orders/{id}/taxes?details=true`` rows with the
        fees' (:func:`with_fee_taxes`), or the rows :func:`infer_order_taxes`
        worked out.
    :raises MappingError: when the result does not reconcile to the cent,
        or a figure of the order cannot be read at all.
    """
    try:
        return _order_to_invoice_plan(order, taxes)
    except MappingError:
        raise
    except (ArithmeticError, TypeError, ValueError, KeyError, AttributeError) as exc:
        order_id = order.get("id") if isinstance(order, dict) else None
        raise MappingError(
            f"Order {order_id} cannot be read: {type(exc).__name__} in its "
            "figures or structure."
        ) from exc


def _order_to_invoice_plan(order, taxes):
    tax_rows = _tax_rows_by_key(taxes)
    lines, discounts = product_lines(order, tax_rows)
    lines += charge_lines(order, tax_rows)
    lines += fee_lines(order, tax_rows)
    lines += discount_lines(discounts)
    currency = order.get("default_currency_code") or order.get("currency_code")
    if not currency:
        raise MappingError(f"Order {order.get('id')} has no currency.")
    plan = InvoicePlan(
        order_id=int(order["id"]),
        currency=currency,
        date=parse_datetime(order.get("date_created")),
        customer_id=int(order.get("customer_id") or 0),
        billing_address=order.get("billing_address") or {},
        lines=lines,
        tax_by_rate=tax_amounts_by_rate(taxes),
        untaxed=cents(order.get("total_ex_tax")),
        tax=cents(order.get("total_tax")),
        total=cents(order.get("total_inc_tax")),
    )
    plan.store_currency, plan.store_rate = store_exchange_rate(order, currency)
    return plan.check()


def store_exchange_rate(order, currency):
    """The store's default currency and the rate the store applied from it
    to the order's ``currency``: ``(code, Decimal rate)``; ``("", None)``
    for an order in the store's default currency, or without a readable
    positive rate."""
    store_currency = order.get("store_default_currency_code") or ""
    if not store_currency or store_currency == currency:
        return "", None
    try:
        rate = Decimal(str(order.get("store_default_to_transactional_exchange_rate")))
    except (ArithmeticError, ValueError):
        return store_currency, None
    return store_currency, rate if rate.is_finite() and rate > 0 else None


# ----------------------------------------------------------------------
# Tax rows inferred from the order, to spare the /taxes call
# ----------------------------------------------------------------------
def _tax_at(net, tax, rate, inclusive):
    """The tax BigCommerce rounds to the cent at ``rate`` percent, on the
    ex-tax amount, or on the tax-inclusive one in a tax-inclusive order."""
    fraction = rate / 100
    if inclusive:
        return ((net + tax) * fraction / (1 + fraction)).quantize(CENT, ROUND_HALF_UP)
    return (net * fraction).quantize(CENT, ROUND_HALF_UP)


def _two_rates_could_give(net, tax, rates, inclusive):
    """Whether two rates of the list, as two tax rows on one line (a state
    and a city tax, say), could add up to ``tax`` as well."""
    for index, first in enumerate(rates):
        for second in rates[index + 1 :]:
            combined = first + second
            if inclusive:
                exact = (net + tax) * combined / (100 + combined)
            else:
                exact = net * combined / 100
            if abs(exact - tax) <= CENT:
                return True
    return False


def _inferred_rate(net, tax, rates, inclusive):
    """The one rate of ``rates`` that gives ``tax`` on ``net``, or ``None``
    when none or several could."""
    if net <= 0:
        return None
    fits = [rate for rate in rates if _tax_at(net, tax, rate, inclusive) == tax]
    if len(fits) != 1 or _two_rates_could_give(net, tax, rates, inclusive):
        return None
    return fits[0]


def infer_order_taxes(order, rates):
    """The order's tax rows, as ``/taxes?details=true`` would list them,
    worked out from the order's own figures; ``None`` when they cannot be
    told for certain, and the ``/taxes`` call must be made.

    Every line and charge of an order carries its tax after discounts
    (``total_tax``, ``shipping_cost_tax``, ...). Where exactly one of the
    store's tax ``rates`` (percents) rounds its ex-tax amount to that tax,
    and no two rates together could, the line was taxed at that rate: the
    row is the line's tax at that rate. Fees likewise (``cost_tax``), each
    row with the fee's id (:func:`fee_tax_rows`). Anything else (no rate
    fits, several do, a taxed gift certificate, figures that do not add up to
    the order's total tax) gives ``None``.

    The inference trusts that the store charges only rates the list holds:
    a BigCommerce rate missing from it, which rounds like a rate of the list,
    would be read as that rate.

    :param order: ``GET /v2/orders/{id}?include=consignments.line_items,fees``.
    :param rates: the tax rates the store's invoices may carry, in percent.
    """
    try:
        return _infer_order_taxes(order, rates)
    except (
        MappingError,
        ArithmeticError,
        TypeError,
        ValueError,
        KeyError,
        AttributeError,
    ):
        return None


def _infer_order_taxes(order, rates):
    rates = sorted({_rate(rate) for rate in rates if money(rate) > 0})
    inclusive = bool(order.get("is_tax_inclusive_pricing"))
    rows = []

    def add_row(line_item_type, product_id, net, tax):
        if not tax:
            return True
        rate = _inferred_rate(net, tax, rates, inclusive)
        if rate is None:
            return False
        rows.append(
            {
                "line_item_type": line_item_type,
                "order_product_id": product_id,
                "rate": f"{rate:.4f}",
                "line_amount": f"{tax:.4f}",
            }
        )
        return True

    for item in order_line_items(order):
        tax = cents(item.get("total_tax"))
        discounted_inc = item.get("discounted_total_inc_tax")
        if item.get("type") == "giftcertificate" or discounted_inc in (None, ""):
            if tax:
                return None
            continue
        if not add_row("item", int(item["id"]), cents(discounted_inc) - tax, tax):
            return None
    for _kind, prefix, tax_type, _label in CHARGES:
        tax = cents(order.get(f"{prefix}_tax"))
        inc = order.get(f"{prefix}_inc_tax")
        if tax and inc in (None, ""):
            return None
        if tax and not add_row(tax_type, None, cents(inc) - tax, tax):
            return None
    rows += fee_tax_rows(order, rates)
    if sum((money(row["line_amount"]) for row in rows), ZERO) != cents(
        order.get("total_tax")
    ):
        return None
    return rows


# ----------------------------------------------------------------------
# Partner
# ----------------------------------------------------------------------
def billing_partner_values(address):
    """Contact values of a v2 billing (or shipping) address.

    Country and state come back as codes/names for the Odoo side to
    resolve: ``country_code`` (ISO 3166-1 alpha-2) and ``state_name``.
    """
    address = address or {}

    def text(key):
        value = address.get(key)
        return clean_text(str(value)).strip() if value not in (None, False) else ""

    first, last, company = text("first_name"), text("last_name"), text("company")
    name = " ".join(part for part in (first, last) if part) or company
    return {
        "name": name or text("email") or "BigCommerce customer",
        "company_name": company or False,
        "email": text("email") or False,
        "phone": text("phone") or False,
        "street": text("street_1") or False,
        "street2": text("street_2") or False,
        "city": text("city") or False,
        "zip": text("zip") or False,
        "country_code": text("country_iso2").upper() or False,
        "state_name": text("state") or False,
    }
