# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tax rows inferred from the order give the same invoice as the /taxes call.

An order imported by webhook costs one API call when its tax rows can be
told from its own figures and the store's tax rates; these tests hold the
two paths to the same invoice plan, and the inference to saying "I cannot
tell" rather than guessing.
"""

import copy
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_fixtures import store_fixtures

from bigcommerce.mapping import (
    MappingError,
    infer_order_taxes,
    order_to_invoice_plan,
)

D = Decimal
# The rates the simulated store charges, and so the Odoo store's tax list.
STORE_RATES = ("8.25", "20", "10")
SKUS = {
    "MUG": ("12.50", "0.0825", "physical"),
    "BOOK": ("30.00", "0.0825", "physical"),
    "EBOOK": ("9.99", "0.20", "digital"),
    "SOAP": ("4.35", "0.10", "physical"),
    "BEANS": ("31.40", "0", "physical"),
    "GIFT": ("50.00", "0", "giftcertificate"),
}


sim, client = store_fixtures("taxstore", SKUS)


def normalized(plan):
    """The plan as a comparable value (the order of the tax dict aside)."""
    return (
        plan.order_id,
        plan.currency,
        plan.date,
        plan.customer_id,
        plan.billing_address,
        plan.lines,
        sorted(plan.tax_by_rate.items()),
        plan.untaxed,
        plan.tax,
        plan.total,
    )


def both_plans(client, order_id, rates=STORE_RATES):
    order = client.get_order(order_id)
    called = order_to_invoice_plan(order, client.get_order_taxes(order_id))
    inferred_rows = infer_order_taxes(order, rates)
    inferred = (
        order_to_invoice_plan(order, inferred_rows)
        if inferred_rows is not None
        else None
    )
    return called, inferred, inferred_rows


price = st.decimals(min_value=D("0.01"), max_value=D("400"), places=2)
line = st.one_of(
    st.fixed_dictionaries(
        {"sku": st.sampled_from(sorted(SKUS)), "quantity": st.integers(1, 7)}
    ),
    st.fixed_dictionaries(
        {
            "sku": st.just("CUSTOM"),
            "name": st.just("Custom item"),
            "price": price.map(str),
            "tax_rate": st.sampled_from(["0", "0.0825", "0.20", "0.10"]),
            "quantity": st.integers(1, 4),
        }
    ),
)
coupon = st.fixed_dictionaries(
    {
        "code": st.sampled_from(["A", "B", "C"]),
        "type": st.sampled_from([0, 1, 2, 3, 4]),
        "amount": st.decimals(min_value=D("0.5"), max_value=D("15"), places=2).map(str),
    }
)
money_or_zero = st.one_of(st.just("0"), price.map(str))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    lines=st.lists(line, min_size=1, max_size=8),
    coupons=st.lists(coupon, max_size=2, unique_by=lambda c: c["code"]),
    manual_discount=st.one_of(
        st.just("0"),
        st.decimals(min_value=D("0.01"), max_value=D("20"), places=2).map(str),
    ),
    shipping=money_or_zero,
    handling=money_or_zero,
    wrapping=money_or_zero,
    charge_rate=st.sampled_from(["0", "0.0825", "0.20", "0.10"]),
    tax_inclusive=st.booleans(),
    currency=st.sampled_from([None, "EUR"]),
)
def test_inferred_and_called_tax_rows_give_the_same_plan(
    sim,
    client,
    lines,
    coupons,
    manual_discount,
    shipping,
    handling,
    wrapping,
    charge_rate,
    tax_inclusive,
    currency,
):
    if not any(
        SKUS.get(item["sku"], ("", "", "physical"))[2] == "physical" for item in lines
    ):
        wrapping = "0"  # gift wrapping wraps a physical item
    created = sim.state.add_order(
        lines=lines,
        coupons=coupons,
        manual_discount=manual_discount,
        shipping=shipping,
        shipping_tax_rate=charge_rate,
        handling=handling,
        handling_tax_rate=charge_rate,
        wrapping=wrapping,
        wrapping_tax_rate=charge_rate,
        tax_inclusive=tax_inclusive,
        currency=currency,
        exchange_rate="0.92" if currency else "1",
    )
    called, inferred, rows = both_plans(client, created["id"])
    if rows is None:
        return  # ambiguous: the importer makes the /taxes call
    assert normalized(inferred) == normalized(called)


def test_most_orders_need_no_tax_call(sim, client):
    """The common case is inferred: a store with a few distinct rates."""
    orders = [
        sim.state.add_order(
            lines=[{"sku": sku, "quantity": quantity}],
            shipping="5.00",
        )
        for sku in ("MUG", "BOOK", "EBOOK", "SOAP", "BEANS")
        for quantity in (1, 2, 3)
    ]
    inferred = 0
    for order in orders:
        called, plan, rows = both_plans(client, order["id"])
        if rows is not None:
            inferred += 1
            assert normalized(plan) == normalized(called)
    assert inferred == len(orders)


def test_a_rate_the_store_list_lacks_is_not_guessed(sim, client):
    order = sim.state.add_order(lines=[{"sku": "EBOOK", "quantity": 3}])
    assert infer_order_taxes(client.get_order(order["id"]), ["8.25", "10"]) is None


def test_rates_that_round_alike_are_ambiguous(sim, client):
    """8.25% and 8.3% of 10.00 both round to 0.83: the call decides."""
    order = sim.state.add_order(
        lines=[
            {
                "sku": "CUSTOM",
                "name": "X",
                "price": "10.00",
                "tax_rate": "0.0825",
                "quantity": 1,
            }
        ]
    )
    fetched = client.get_order(order["id"])
    assert infer_order_taxes(fetched, ["8.25"]) is not None
    assert infer_order_taxes(fetched, ["8.25", "8.3"]) is None


def test_two_rates_that_add_up_to_the_tax_are_ambiguous(sim, client):
    """A line taxed 8.25% might be a 6.25% and a 2% row: the call decides."""
    order = sim.state.add_order(lines=[{"sku": "BOOK", "quantity": 2}])
    fetched = client.get_order(order["id"])
    assert infer_order_taxes(fetched, ["8.25", "6.25", "2"]) is None


def test_untaxed_order_needs_no_rate(sim, client):
    order = sim.state.add_order(lines=[{"sku": "BEANS", "quantity": 2}])
    called, plan, rows = both_plans(client, order["id"], rates=())
    assert rows == []
    assert normalized(plan) == normalized(called)


def test_figures_that_do_not_add_up_are_not_inferred(sim, client):
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 1}])
    fetched = client.get_order(order["id"])
    fetched["total_tax"] = str(D(fetched["total_tax"]) + D("0.05"))
    assert infer_order_taxes(fetched, STORE_RATES) is None


# -- fuzzed payloads at the mapper: a plan or a MappingError, never a crash -------
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["12.50", "-3", "1e999", "NaN", "", "0.0000"]),
)
json_value = st.recursive(
    scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)


def mutate(order, path_value):
    """``order`` with one value, somewhere inside it, replaced."""
    paths, value = path_value
    target = order
    for step in paths[:-1]:
        if isinstance(target, dict) and target:
            target = target[sorted(target)[step % len(target)]]
        elif isinstance(target, list) and target:
            target = target[step % len(target)]
    if isinstance(target, dict) and target:
        target[sorted(target)[paths[-1] % len(target)]] = value
    elif isinstance(target, list) and target:
        target[paths[-1] % len(target)] = value
    return order


@pytest.fixture(scope="module")
def sample_order(sim, client):
    created = sim.state.add_order(
        lines=[{"sku": "MUG", "quantity": 2}, {"sku": "GIFT", "quantity": 1}],
        shipping="4.00",
        coupons=[{"code": "A", "type": 2, "amount": "3.00"}],
    )
    return client.get_order(created["id"]), client.get_order_taxes(created["id"])


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    mutations=st.lists(
        st.tuples(st.lists(st.integers(0, 50), min_size=1, max_size=5), json_value),
        min_size=1,
        max_size=4,
    ),
    use_inferred=st.booleans(),
)
def test_fuzzed_order_maps_to_a_plan_or_a_mapping_error(
    sample_order, mutations, use_inferred
):

    order, taxes = copy.deepcopy(sample_order)
    for mutation in mutations:
        order = mutate(order, mutation)
    if use_inferred:
        taxes = assert_inferred_or_none(order) or taxes
    try:
        plan = order_to_invoice_plan(order, taxes)
    except MappingError as exc:
        assert str(exc)
    else:
        assert plan.lines_untaxed == plan.untaxed


def assert_inferred_or_none(order):
    """The inference on ``order`` says it cannot tell (``None``), or gives
    rows at the store's rates that add up to the order's total tax, as
    ``/taxes`` lists them. Returns the rows."""
    rows = infer_order_taxes(order, STORE_RATES)
    if rows is None:
        return None
    assert isinstance(rows, list)
    assert {D(row["rate"]) for row in rows} <= {D(rate) for rate in STORE_RATES}
    assert all(D(row["line_amount"]) > 0 for row in rows)
    total_tax = order.get("total_tax")
    total_tax = D(str(total_tax)) if total_tax not in (None, "") else D(0)
    total_tax = total_tax.quantize(D("0.01"), ROUND_HALF_UP)
    assert sum(D(row["line_amount"]) for row in rows) == total_tax
    return rows


def test_the_fuzzed_sample_order_is_inferred(sample_order):
    """The fuzzing above starts from an order whose rows can be told, so
    that its mutations reach the inference, not a ``None`` only."""
    order, _taxes = copy.deepcopy(sample_order)
    assert assert_inferred_or_none(order)


@given(payload=json_value)
@settings(max_examples=200, deadline=None)
def test_any_json_maps_to_a_plan_or_a_mapping_error(payload):
    order = payload if isinstance(payload, dict) else {"id": 1, "x": payload}
    try:
        plan = order_to_invoice_plan(order, [])
    except MappingError as exc:
        assert str(exc)
    else:
        assert plan.lines_untaxed == plan.untaxed
    assert_inferred_or_none(order)
