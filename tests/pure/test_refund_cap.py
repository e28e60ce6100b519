# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An order's credit notes never credit more than its invoice: per product
(units and amount), per charge, for the tax and in total, whatever the
store answers."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_fixtures import store_fixtures

from bigcommerce.mapping import MappingError, order_to_invoice_plan
from bigcommerce.refunds import (
    CreditLedger,
    credit_excess,
    credit_note_ledger,
    invoice_ledger,
    refund_to_credit_note_plan,
)
from simulator.refunds import RefundError

D = Decimal
CENT = D("0.01")

sim, client = store_fixtures(
    "refundcapstore",
    {
        "MUG": ("12.50", "0.0825", "physical"),
        "BOOK": ("30.00", "0.0825", "physical"),
        "EBOOK": ("9.99", "0.20", "physical"),
    },
)


class Books:
    """One order's invoice and the credit notes booked on it so far, as the
    connector reads them before each refund."""

    def __init__(self, client, order_id):
        self.order = client.get_order(order_id)
        self.taxes = client.get_order_taxes(order_id)
        self.invoiced = invoice_ledger(order_to_invoice_plan(self.order, self.taxes))
        self.credited = CreditLedger()
        self.plans = []

    def credit(self, refund):
        """The refund's credit note plan, booked; raises when refused."""
        plan = refund_to_credit_note_plan(
            refund, self.order, self.taxes, self.invoiced, self.credited
        )
        self.credited.add(credit_note_ledger(plan))
        self.plans.append(plan)
        return plan


def faulty_refund(order_id, items, total, tax, refund_id=900000):
    """A refund as a faulty answer (or a merchant's override) could carry
    it: the store's own checks did not hold it back."""
    return {
        "id": refund_id,
        "order_id": order_id,
        "created": None,
        "reason": "",
        "total_amount": str(total),
        "total_tax": str(tax),
        "uses_merchant_override_values": True,
        "items": items,
    }


def product_item(line, quantity):
    return {"item_type": "PRODUCT", "item_id": line["id"], "quantity": quantity}


def test_an_order_level_refund_beyond_the_order_total_is_refused(sim, client):
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 2}])
    assert D(order["total_inc_tax"]) == D("27.06")
    books = Books(client, order["id"])
    refund = faulty_refund(
        order["id"],
        [{"item_type": "ORDER", "item_id": order["id"], "requested_amount": "5000"}],
        "5000.00",
        "0",
    )
    with pytest.raises(MappingError) as caught:
        books.credit(refund)
    message = str(caught.value)
    assert "more than was invoiced" in message
    assert "in total: 5000.00 to credit" in message
    assert "27.06 of the 27.06 invoiced" in message
    assert "4972.94 too much" in message
    assert "Nothing was credited" in message
    assert not books.plans


def test_a_tax_refund_beyond_the_tax_charged_is_refused(sim, client):
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 1}])
    assert D(order["total_tax"]) == D("1.03")
    books = Books(client, order["id"])
    with pytest.raises(MappingError) as caught:
        books.credit(faulty_refund(order["id"], [], "5000.00", "5000.00"))
    message = str(caught.value)
    assert "the tax: 5000.00 to credit, but only 1.03" in message
    assert "4998.97 too much" in message
    assert "in total" in message


def test_the_same_units_refunded_twice_are_credited_once(sim, client):
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 2}])
    (line,) = sim.state.order_products(order["id"])
    books = Books(client, order["id"])
    first = sim.state.add_refund(order["id"], [product_item(line, 2)])
    books.credit(first)
    again = faulty_refund(
        order["id"],
        [product_item(line, 2)],
        first["total_amount"],
        first["total_tax"],
    )
    with pytest.raises(MappingError) as caught:
        books.credit(again)
    message = str(caught.value)
    assert (
        "Mug (SKU MUG): 2 unit(s) to credit, but 2 were invoiced and 2 are "
        "credited already (2 too many)"
    ) in message
    assert "25.00 too much" in message
    assert len(books.plans) == 1


def test_one_refund_naming_the_same_units_twice_is_refused(sim, client):
    order = sim.state.add_order(lines=[{"sku": "BOOK", "quantity": 2}])
    (line,) = sim.state.order_products(order["id"])
    books = Books(client, order["id"])
    total = D(line["discounted_total_inc_tax"]) * 2
    tax = D(line["total_tax"]) * 2
    refund = faulty_refund(
        order["id"], [product_item(line, 2), product_item(line, 2)], total, tax
    )
    with pytest.raises(MappingError, match="2 too many"):
        books.credit(refund)


def test_a_shipping_refund_beyond_the_shipping_charged_is_refused(sim, client):
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 1}], shipping="10")
    address = client.request("GET", 2, f"orders/{order['id']}/shipping_addresses")[0]
    books = Books(client, order["id"])
    shipping = {"item_type": "SHIPPING", "item_id": address["id"]}
    first = sim.state.add_refund(order["id"], [dict(shipping, amount="6.00")])
    books.credit(first)
    refund = faulty_refund(
        order["id"],
        [dict(shipping, requested_amount="6.00")],
        first["total_amount"],
        first["total_tax"],
    )
    with pytest.raises(MappingError) as caught:
        books.credit(refund)
    # Ex-tax: 6.00 with its tax is 5.54, and 10.00 - 5.54 is left.
    assert (
        "shipping: 5.54 to credit, but only 4.46 of the 10.00 invoiced is left "
        "to credit (1.08 too much)"
    ) in str(caught.value)


def test_a_line_refunded_in_pieces_is_credited_to_the_cent(sim, client):
    """Rounding alone never takes a part over its invoice: the cent goes to
    the discount share."""
    order = sim.state.add_order(
        lines=[{"sku": "EBOOK", "quantity": 3}],
        coupons=[{"code": "C", "type": 2, "amount": "1.00"}],
    )
    (line,) = sim.state.order_products(order["id"])
    books = Books(client, order["id"])
    for quantity in (1, 1, 1):
        books.credit(sim.state.add_refund(order["id"], [product_item(line, quantity)]))
    key = ("product", "EBOOK")
    assert books.credited.quantities[key] == books.invoiced.quantities[key] == 3
    assert books.credited.amounts[key] == books.invoiced.amounts[key]
    assert books.credited.total == books.invoiced.total
    assert books.credited.tax == books.invoiced.tax


def test_credit_excess_is_empty_within_the_invoice():
    invoiced = CreditLedger(tax=D("2.06"), total=D("27.06"))
    invoiced.add_part(("product", "MUG"), D("25.00"), D(2), "Mug")
    new = CreditLedger(tax=D("1.03"), total=D("13.53"))
    new.add_part(("product", "MUG"), D("12.50"), D(1), "Mug")
    assert credit_excess(invoiced, CreditLedger(), new) == []
    assert credit_excess(invoiced, CreditLedger().add(new), new) == []
    twice = CreditLedger().add(new).add(new)
    assert len(credit_excess(invoiced, twice, new)) == 4  # units, amount, tax, total


# -- property: whatever the store answers, the invoice is never exceeded ------

RATES = ["0", "0.05", "0.0825", "0.20"]
price = st.decimals(min_value=D("0.01"), max_value=D("199.99"), places=2)
order_line = st.fixed_dictionaries(
    {
        "sku": st.sampled_from(["MUG", "BOOK", "EBOOK"]),
        "quantity": st.integers(min_value=1, max_value=4),
        "price": price.map(str),
        "tax_rate": st.sampled_from(RATES),
    }
)
# A refund step: which component, a number that picks how much, and whether
# it is an excessive refund (one the store itself would refuse).
step = st.tuples(
    st.sampled_from(["PRODUCT", "SHIPPING", "ORDER", "TAX"]),
    st.integers(min_value=0, max_value=10**6),
    st.booleans(),
)


def _excessive(sim, created, products, address_id, kind, pick):
    """A refund beyond what is left of the order."""
    order_id = created["id"]
    if kind == "PRODUCT":
        line = products[pick % len(products)]
        return faulty_refund(
            order_id,
            [product_item(line, line["quantity"])],
            line["discounted_total_inc_tax"],
            line["total_tax"],
        )
    if kind == "SHIPPING":
        return faulty_refund(
            order_id,
            [{"item_type": "SHIPPING", "item_id": address_id}],
            created["shipping_cost_inc_tax"],
            created["shipping_cost_tax"],
        )
    if kind == "ORDER":
        amount = D(created["total_inc_tax"]) + D(pick % 500 + 1) / 100
        item = {"item_type": "ORDER", "item_id": order_id, "requested_amount": amount}
        return faulty_refund(order_id, [item], amount, 0)
    amount = D(created["total_tax"]) + D(pick % 200 + 1) / 100
    return faulty_refund(order_id, [], amount, amount)


def _legitimate(sim, created, products, address_id, kind, pick):
    """A refund the store accepts (``None`` when nothing of it is left)."""
    order_id = created["id"]
    if kind == "PRODUCT":
        line = products[pick % len(products)]
        left = line["quantity"] - line["quantity_refunded"]
        if not left:
            return None
        item = product_item(line, 1 + pick % left)
        return sim.state.add_refund(order_id, [item])
    if kind == "SHIPPING":
        full = D(created["shipping_cost_inc_tax"])
        value = (full * (pick % 100 + 1) / 100).quantize(CENT)
        item = {"item_type": "SHIPPING", "item_id": address_id, "amount": str(value)}
        return sim.state.add_refund(order_id, [item]) if value > 0 else None
    if kind == "ORDER":
        item = {"item_type": "ORDER", "item_id": order_id, "amount": pick % 500 + 1}
        item["amount"] = str(D(item["amount"]) / 100)
        return sim.state.add_refund(order_id, [item])
    return sim.state.add_tax_adjustment_refund(order_id, D(pick % 200 + 1) / 100)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    lines=st.lists(order_line, min_size=1, max_size=3),
    coupon=st.one_of(
        st.none(),
        st.decimals(min_value=D("0.50"), max_value=D("10"), places=2).map(str),
    ),
    shipping=st.one_of(st.just("0"), price.map(str)),
    tax_inclusive=st.booleans(),
    steps=st.lists(step, min_size=1, max_size=6),
)
def test_credit_notes_never_exceed_the_invoice(
    sim, client, lines, coupon, shipping, tax_inclusive, steps
):
    created = sim.state.add_order(
        lines=lines,
        coupons=[{"code": "C", "type": 2, "amount": coupon}] if coupon else [],
        shipping=shipping,
        tax_inclusive=tax_inclusive,
    )
    order_id = created["id"]
    products = sim.state.order_products(order_id)
    address_id = client.request("GET", 2, f"orders/{order_id}/shipping_addresses")[0][
        "id"
    ]
    books = Books(client, order_id)
    # Once a refund the store did not book is credited (an "excessive" one
    # that was within what was left), the store and the books part ways:
    # the store's later refunds may then rightly be refused.
    parted = False
    for kind, pick, excessive in steps:
        if excessive:
            refund = _excessive(sim, created, products, address_id, kind, pick)
        else:
            try:
                refund = _legitimate(sim, created, products, address_id, kind, pick)
            except RefundError:
                refund = None  # more than is left: the store refuses it too
            if refund is None:
                continue
            # The simulated store holds each kind of refund to what is left
            # of that kind only (tax adjustments to the tax less earlier
            # adjustments, order-level amounts to the total less earlier
            # order-level amounts): beyond the order's tax or total left, a
            # refund it booked is excessive all the same.
            excessive = D(str(refund["total_amount"])) > (
                books.invoiced.total - books.credited.total
            ) or D(str(refund["total_tax"])) > (books.invoiced.tax - books.credited.tax)
        try:
            books.credit(refund)
        except MappingError as exc:
            # Refused by the cap, or by the plan's own checks (no tax to
            # return, items that do not explain the money).
            assert excessive or parted, f"a refund the store booked was refused: {exc}"
        else:
            parted = parted or excessive
    invoiced, credited = books.invoiced, books.credited
    for key, amount in credited.amounts.items():
        assert amount <= invoiced.amounts.get(key, D(0)), key
    for key, quantity in credited.quantities.items():
        assert quantity <= invoiced.quantities.get(key, D(0)), key
    assert credited.tax <= invoiced.tax
    assert credited.total <= invoiced.total
    assert sum((plan.total for plan in books.plans), D(0)) == credited.total


def test_a_bundle_component_worth_nothing_is_not_counted_in_units(sim, client):
    """A bundle's component is priced on its parent line and has no line on
    the invoice: returned with its parent, it credits no units."""
    order = sim.state.add_order(lines=[{"sku": "BOOK", "quantity": 1}])
    books = Books(client, order["id"])
    (shipping,) = books.order["consignments"]["shipping"]
    (parent,) = shipping["line_items"]
    component = dict(
        parent,
        id=parent["id"] + 1000,
        sku="BOOKMARK",
        name="Bookmark",
        parent_order_product_id=parent["id"],
        total_ex_tax="0.0000",
        total_inc_tax="0.0000",
        total_tax="0.0000",
        discounted_total_inc_tax="0.0000",
    )
    shipping["line_items"].append(component)
    refund = faulty_refund(
        order["id"],
        [product_item(parent, 1), product_item(component, 1)],
        parent["discounted_total_inc_tax"],
        parent["total_tax"],
    )
    plan = books.credit(refund)
    assert plan.total == D(order["total_inc_tax"])
    assert ("product", "BOOKMARK") not in books.credited.quantities
