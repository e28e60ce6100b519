# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refund -> credit note plan: every kind of refund item, and reconciliation
to the refund's total to the cent."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_fixtures import store_fixtures

from bigcommerce.mapping import (
    KIND_DISCOUNT,
    KIND_HANDLING,
    KIND_PRODUCT,
    KIND_SHIPPING,
    KIND_WRAPPING,
    MappingError,
    order_to_invoice_plan,
)
from bigcommerce.refunds import (
    KIND_ORDER_LEVEL,
    refund_to_credit_note_plan,
)
from simulator.refunds import RefundError

D = Decimal
CENT = D("0.01")


sim, client = store_fixtures(
    "refundstore",
    {
        "MUG": ("12.50", "0.0825", "physical"),
        "BOOK": ("30.00", "0.0825", "physical"),
        "EBOOK": ("9.99", "0.20", "physical"),
    },
)


def plan_for(client, refund):
    order_id = refund["order_id"]
    return refund_to_credit_note_plan(
        refund, client.get_order(order_id), client.get_order_taxes(order_id)
    )


def lines_of(sim, order):
    return sim.state.order_products(order["id"])


def address_id(client, order):
    return client.request("GET", 2, f"orders/{order['id']}/shipping_addresses")[0]["id"]


def amount(plan, kind):
    return sum((line.amount for line in plan.lines if line.kind == kind), D(0))


def assert_reconciles(plan, refund):
    assert plan.total == D(str(refund["total_amount"])).quantize(CENT)
    assert plan.untaxed + plan.tax == plan.total
    assert plan.lines_untaxed == plan.untaxed
    assert sum(plan.tax_by_rate.values(), D(0)) == plan.tax
    for line in plan.lines:
        assert line.price_unit == line.price_unit.quantize(CENT)


def test_full_refund_credits_what_the_invoice_charged(sim, client):
    order = sim.state.add_order(
        lines=[{"sku": "MUG", "quantity": 3}, {"sku": "BOOK", "quantity": 1}],
        shipping="7.95",
        handling="2.00",
        coupons=[{"code": "SAVE5", "type": 2, "amount": "5.00"}],
    )
    items = [
        {"item_type": "PRODUCT", "item_id": line["id"], "quantity": line["quantity"]}
        for line in lines_of(sim, order)
    ]
    addr = address_id(client, order)
    items += [
        {"item_type": "SHIPPING", "item_id": addr},
        {"item_type": "HANDLING", "item_id": addr},
    ]
    refund = sim.state.add_refund(order["id"], items, reason="Returned")
    plan = plan_for(client, refund)
    assert_reconciles(plan, refund)
    invoice = order_to_invoice_plan(
        client.get_order(order["id"]), client.get_order_taxes(order["id"])
    )
    # The same money on the same kinds of line as the invoice.
    for kind in (KIND_PRODUCT, KIND_SHIPPING, KIND_HANDLING, KIND_DISCOUNT):
        assert amount(plan, kind) == sum(
            (line.amount for line in invoice.lines if line.kind == kind), D(0)
        ), kind
    assert plan.tax_by_rate == invoice.tax_by_rate
    assert plan.total == invoice.total
    assert plan.reason == "Returned"
    assert not plan.tax_only


def test_part_of_one_line_keeps_the_quantity_and_unit_price(sim, client):
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 4}])
    line = lines_of(sim, order)[0]
    refund = sim.state.add_refund(
        order["id"], [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]
    )
    plan = plan_for(client, refund)
    assert_reconciles(plan, refund)
    (product,) = plan.lines
    assert (product.kind, product.sku, product.quantity, product.price_unit) == (
        KIND_PRODUCT,
        "MUG",
        D(1),
        D("12.50"),
    )
    assert product.tax_rates == (D("8.25"),)
    assert plan.tax == D("1.03")


def test_several_refunds_of_one_line_add_up_to_the_line(sim, client):
    order = sim.state.add_order(
        lines=[{"sku": "CUSTOM", "name": "Odd", "price": "9.99", "quantity": 3}],
        coupons=[{"code": "OFF1", "type": 2, "amount": "1.00"}],
    )
    line = lines_of(sim, order)[0]
    plans = []
    for _ in range(3):
        refund = sim.state.add_refund(
            order["id"],
            [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
        )
        plans.append(plan_for(client, refund))
        assert_reconciles(plans[-1], refund)
    fetched = client.get_order(order["id"])
    assert sum((p.total for p in plans), D(0)) == D(fetched["total_inc_tax"]).quantize(
        CENT
    )
    assert fetched["status_id"] == 4


def test_shipping_only_refund(sim, client):
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 1}], shipping="10.00")
    refund = sim.state.add_refund(
        order["id"],
        [
            {
                "item_type": "SHIPPING",
                "item_id": address_id(client, order),
                "amount": "5.00",
            }
        ],
    )
    plan = plan_for(client, refund)
    assert_reconciles(plan, refund)
    assert [line.kind for line in plan.lines] == [KIND_SHIPPING]
    assert plan.total == D("5.00")
    assert plan.tax_by_rate == {D("8.25"): plan.tax}
    assert plan.tax > 0


def test_gift_wrapping_refund(sim, client):
    order = sim.state.add_order(
        lines=[{"sku": "MUG", "quantity": 1}], wrapping="3.50", wrapping_tax_rate="0.20"
    )
    line = lines_of(sim, order)[0]
    refund = sim.state.add_refund(
        order["id"], [{"item_type": "GIFT_WRAPPING", "item_id": line["id"]}]
    )
    plan = plan_for(client, refund)
    assert_reconciles(plan, refund)
    assert amount(plan, KIND_WRAPPING) == D("3.50")
    assert plan.tax_by_rate == {D("20"): D("0.70")}


def test_order_level_refund_carries_no_tax(sim, client):
    order = sim.state.add_order(lines=[{"sku": "BOOK", "quantity": 1}])
    refund = sim.state.add_refund(
        order["id"],
        [{"item_type": "ORDER", "item_id": order["id"], "amount": "4.00"}],
        reason="Goodwill",
    )
    plan = plan_for(client, refund)
    assert_reconciles(plan, refund)
    (line,) = plan.lines
    assert (line.kind, line.price_unit, line.tax_rates) == (
        KIND_ORDER_LEVEL,
        D("4.00"),
        (),
    )
    assert plan.tax == 0


def test_tax_adjustment_refund_is_tax_only(sim, client):
    order = sim.state.add_order(
        lines=[{"sku": "MUG", "quantity": 2}, {"sku": "EBOOK", "quantity": 1}]
    )
    refund = sim.state.add_tax_adjustment_refund(order["id"], "1.50")
    assert refund["items"] == []
    plan = plan_for(client, refund)
    assert_reconciles(plan, refund)
    assert plan.tax_only
    # No line: all of it is tax, by rate, in proportion to the order's taxes.
    assert plan.lines == []
    assert set(plan.tax_by_rate) == {D("8.25"), D("20")}
    assert plan.untaxed == 0 and plan.tax == D("1.50")


def test_tax_adjustment_on_an_untaxed_order_is_refused(sim, client):
    order = sim.state.add_order(
        lines=[{"sku": "CUSTOM", "name": "Free", "price": "5.00", "quantity": 1}]
    )
    refund = {
        "id": 999,
        "order_id": order["id"],
        "total_amount": 1.0,
        "total_tax": 1.0,
        "items": [],
    }
    with pytest.raises(MappingError, match="no tax to return"):
        plan_for(client, refund)


def test_tax_inclusive_and_foreign_currency_refunds(sim, client):
    order = sim.state.add_order(
        lines=[{"sku": "BOOK", "quantity": 2}],
        shipping="4.99",
        tax_inclusive=True,
        currency="EUR",
        exchange_rate="0.92",
    )
    line = lines_of(sim, order)[0]
    refund = sim.state.add_refund(
        order["id"], [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]
    )
    plan = plan_for(client, refund)
    assert_reconciles(plan, refund)
    assert plan.currency == "EUR"
    assert plan.tax == D(str(refund["total_tax"])).quantize(CENT)


def test_a_refund_the_items_do_not_explain_says_by_how_much(sim, client):
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 2}])
    line = lines_of(sim, order)[0]
    refund = sim.state.add_refund(
        order["id"], [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]
    )
    overridden = dict(
        refund,
        total_amount=refund["total_amount"] + 3,
        uses_merchant_override_values=True,
    )
    with pytest.raises(MappingError) as caught:
        plan_for(client, overridden)
    message = str(caught.value)
    assert "difference 3.00" in message
    assert "merchant overrode" in message
    assert f"Refund {refund['id']} of order {order['id']}" in message


def test_tax_that_the_items_do_not_carry_is_refused(sim, client):
    order = sim.state.add_order(lines=[{"sku": "BOOK", "quantity": 1}])
    refund = sim.state.add_refund(
        order["id"],
        [{"item_type": "ORDER", "item_id": order["id"], "amount": "2.00"}],
    )
    with pytest.raises(MappingError, match="of tax was refunded"):
        plan_for(client, dict(refund, total_tax=0.5))


def test_unknown_fee_and_unknown_lines_are_refused(sim, client):
    order = sim.state.add_order(lines=[{"sku": "BOOK", "quantity": 1}])
    base = {"id": 5, "order_id": order["id"], "total_amount": 1.0, "total_tax": 0}
    with pytest.raises(MappingError, match="no fee 1"):
        plan_for(
            client,
            dict(
                base, items=[{"item_type": "FEE", "item_id": 1, "requested_amount": 1}]
            ),
        )
    with pytest.raises(MappingError, match="no line 424242"):
        plan_for(
            client,
            dict(
                base, items=[{"item_type": "PRODUCT", "item_id": 424242, "quantity": 1}]
            ),
        )


def test_a_refund_of_another_order_is_refused(sim, client):
    order = sim.state.add_order(lines=[{"sku": "BOOK", "quantity": 1}])
    refund = {"id": 5, "order_id": order["id"] + 1000, "items": [], "total_amount": 0}
    with pytest.raises(MappingError, match="belongs to order"):
        refund_to_credit_note_plan(
            refund, client.get_order(order["id"]), client.get_order_taxes(order["id"])
        )


# -- property: any sequence of refunds is credited exactly -------------------------

RATES = ["0", "0.05", "0.0825", "0.10", "0.20", "0.07375"]
price = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
order_line = st.fixed_dictionaries(
    {
        "sku": st.sampled_from(["MUG", "BOOK", "EBOOK", "CUSTOM"]),
        "quantity": st.integers(min_value=1, max_value=5),
        "price": price.map(str),
        "tax_rate": st.sampled_from(RATES),
    }
)
# A refund step: which component, and a number that picks how much.
step = st.tuples(
    st.sampled_from(["PRODUCT", "SHIPPING", "HANDLING", "ORDER", "TAX"]),
    st.integers(min_value=0, max_value=10**6),
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    lines=st.lists(order_line, min_size=1, max_size=4),
    coupon=st.one_of(
        st.none(),
        st.decimals(min_value=D("0.50"), max_value=D("20"), places=2).map(str),
    ),
    shipping=st.one_of(st.just("0"), price.map(str)),
    handling=st.one_of(st.just("0"), price.map(str)),
    tax_inclusive=st.booleans(),
    currency=st.sampled_from([None, "EUR"]),
    steps=st.lists(step, min_size=1, max_size=6),
)
def test_credit_notes_sum_to_the_refunded_totals(
    sim, client, lines, coupon, shipping, handling, tax_inclusive, currency, steps
):
    created = sim.state.add_order(
        lines=lines,
        coupons=[{"code": "C", "type": 2, "amount": coupon}] if coupon else [],
        shipping=shipping,
        handling=handling,
        tax_inclusive=tax_inclusive,
        currency=currency,
        exchange_rate="0.92" if currency else "1",
    )
    order_id = created["id"]
    products = sim.state.order_products(order_id)
    refunds = []
    for kind, pick in steps:
        try:
            if kind == "PRODUCT":
                line = products[pick % len(products)]
                left = line["quantity"] - line["quantity_refunded"]
                if not left:
                    continue
                item = {
                    "item_type": "PRODUCT",
                    "item_id": line["id"],
                    "quantity": 1 + pick % left,
                }
                refunds.append(sim.state.add_refund(order_id, [item]))
            elif kind in ("SHIPPING", "HANDLING"):
                full = D(
                    created[
                        "shipping_cost_inc_tax"
                        if kind == "SHIPPING"
                        else "handling_cost_inc_tax"
                    ]
                )
                value = (full * (pick % 100 + 1) / 100).quantize(CENT)
                if value <= 0:
                    continue
                item = {
                    "item_type": kind,
                    "item_id": address_id(client, created),
                    "amount": str(value),
                }
                refunds.append(sim.state.add_refund(order_id, [item]))
            elif kind == "ORDER":
                value = D(pick % 500 + 1) / 100
                item = {"item_type": "ORDER", "item_id": order_id, "amount": str(value)}
                refunds.append(sim.state.add_refund(order_id, [item]))
            else:
                value = D(pick % 200 + 1) / 100
                refunds.append(sim.state.add_tax_adjustment_refund(order_id, value))
        except RefundError:
            continue  # more than is left to refund: the store refuses it too
    order = client.get_order(order_id)
    taxes = client.get_order_taxes(order_id)
    plans = [refund_to_credit_note_plan(refund, order, taxes) for refund in refunds]
    for plan, refund in zip(plans, refunds, strict=True):
        assert_reconciles(plan, refund)
    assert sum((plan.total for plan in plans), D(0)) == sum(
        (D(str(refund["total_amount"])) for refund in refunds), D(0)
    ).quantize(CENT)
    assert sum((plan.tax for plan in plans), D(0)) == sum(
        (D(str(r["total_tax"])) for r in refunds), D(0)
    ).quantize(CENT)
