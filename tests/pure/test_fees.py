# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order fees: read with the order, booked as lines of their own with their
tax, credited when refunded; the simulator's fees as the specs show them."""

import copy
from decimal import Decimal

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_fixtures import store_fixtures

from bigcommerce.mapping import (
    FEE_TAX_TYPE,
    KIND_FEE,
    MappingError,
    infer_order_taxes,
    order_to_invoice_plan,
    with_fee_taxes,
)
from bigcommerce.refunds import (
    credit_note_ledger,
    invoice_ledger,
    refund_to_credit_note_plan,
)
from simulator.refunds import RefundError

D = Decimal
CENT = D("0.01")
# The store's tax rates, in percent, as the Odoo store lists them.
STORE_RATES = ("8.25", "20")

sim, client = store_fixtures(
    "feestore",
    {
        "MUG": ("12.50", "0.0825", "physical"),
        "BOOK": ("30.00", "0.20", "physical"),
    },
)

TWO_FEES = [
    {"name": "Package protection", "amount": "2.00", "tax_rate": "0.0825"},
    {"name": "Service fee", "amount": "1.50", "customer_name": "Service"},
]


def order_with_fees(sim, fees=TWO_FEES, **values):
    values.setdefault("lines", [{"sku": "MUG", "quantity": 2}])
    values.setdefault("shipping", "5.00")
    return sim.state.add_order(fees=fees, **values)


def fee_lines(plan):
    return [line for line in plan.lines if line.kind == KIND_FEE]


def called_plan(client, order_id, rates=STORE_RATES):
    order = client.get_order(order_id)
    taxes = with_fee_taxes(order, client.get_order_taxes(order_id), rates)
    return order, taxes, order_to_invoice_plan(order, taxes)


def api_requests(sim):
    return [r for r in sim.requests if "/v2/" in r["path"] or "/v3/" in r["path"]]


# -- the client ---------------------------------------------------------------------


def test_the_order_comes_with_its_fees_in_one_call(sim, client):
    created = order_with_fees(sim)
    before = len(sim.requests)
    order = client.get_order(created["id"])
    assert len(sim.requests) == before + 1
    assert [fee["display_name_merchant"] for fee in order["fees"]] == [
        "Package protection",
        "Service fee",
    ]
    assert sim.requests[-1]["query"]["include"] == "consignments.line_items,fees"


def test_a_listing_of_orders_brings_their_fees(sim, client):
    created = order_with_fees(sim)
    page = client.list_orders_with_lines(limit=250)
    listed = next(order for order in page if order["id"] == created["id"])
    assert len(listed["fees"]) == 2


# -- the invoice plan ----------------------------------------------------------------


def test_each_fee_is_a_line_of_its_own_with_its_tax(sim, client):
    created = order_with_fees(sim)
    order, _taxes, plan = called_plan(client, created["id"])
    assert [
        (line.name, line.price_unit, line.tax_rates) for line in fee_lines(plan)
    ] == [
        ("Package protection", D("2.00"), (D("8.25"),)),
        ("Service fee", D("1.50"), ()),
    ]
    # To the cent with the store: 25.00 + 5.00 shipping + 3.50 of fees.
    assert plan.untaxed == D("33.50") == D(order["total_ex_tax"])
    assert plan.tax == D(order["total_tax"]).quantize(CENT)
    assert plan.tax_by_rate == {D("8.25"): plan.tax}
    assert plan.total == D(order["total_inc_tax"]).quantize(CENT)


def test_without_the_fees_tax_rows_the_order_is_refused_saying_which_fee(sim, client):
    created = order_with_fees(sim)
    order = client.get_order(created["id"])
    with pytest.raises(MappingError, match="fee 'Package protection'"):
        order_to_invoice_plan(order, client.get_order_taxes(created["id"]))


def test_fees_left_out_of_the_order_do_not_reconcile(sim, client):
    created = order_with_fees(sim)
    order = client.get_order(created["id"])
    taxes = with_fee_taxes(order, client.get_order_taxes(created["id"]), STORE_RATES)
    order.pop("fees")
    with pytest.raises(MappingError, match="does not reconcile"):
        order_to_invoice_plan(order, [r for r in taxes if "fee_id" not in r])


def test_fees_as_a_link_are_refused(sim, client):
    created = order_with_fees(sim)
    order = client.get_order(created["id"])
    order["fees"] = {"url": "https://x/orders/1/fees", "resource": "/orders/1/fees"}
    with pytest.raises(MappingError, match="include=fees"):
        order_to_invoice_plan(order, [])


def test_a_tax_inclusive_fee_is_booked_ex_tax(sim, client):
    created = order_with_fees(
        sim,
        fees=[{"name": "Eco fee", "amount": "3.60", "tax_rate": "0.20"}],
        lines=[{"sku": "BOOK", "quantity": 1}],
        shipping="0",
        tax_inclusive=True,
    )
    order, _taxes, plan = called_plan(client, created["id"])
    (line,) = fee_lines(plan)
    assert (line.name, line.price_unit, line.tax_rates) == (
        "Eco fee",
        D("3.00"),
        (D("20"),),
    )
    assert plan.total == D(order["total_inc_tax"]).quantize(CENT)


def test_a_fee_taxed_at_a_rate_the_store_lacks_says_so(sim, client):
    created = order_with_fees(
        sim, fees=[{"name": "Insurance", "amount": "10.00", "tax_rate": "0.07"}]
    )
    order = client.get_order(created["id"])
    with pytest.raises(MappingError, match=r"Insurance.*no single tax rate"):
        with_fee_taxes(order, client.get_order_taxes(created["id"]), STORE_RATES)
    assert infer_order_taxes(order, STORE_RATES) is None


# -- how the store lists the fees' taxes ----------------------------------------------


@pytest.mark.parametrize("listed_as", ["item", "fee"])
def test_fee_tax_rows_the_store_lists_are_replaced_by_the_fees(sim, client, listed_as):
    created = order_with_fees(sim)
    order = client.get_order(created["id"])
    rows = client.get_order_taxes(created["id"])
    listed = copy.deepcopy(rows[0])
    listed.update(
        line_item_type=listed_as,
        order_product_id=None,
        rate="8.2500",
        line_amount=order["fees"][0]["cost_tax"],
    )
    taxes = with_fee_taxes(order, [*rows, listed], STORE_RATES)
    assert listed not in taxes
    fee_rows = [row for row in taxes if row["line_item_type"] == FEE_TAX_TYPE]
    assert [row["fee_id"] for row in fee_rows] == [order["fees"][0]["id"]]
    assert order_to_invoice_plan(order, taxes).tax == D(order["total_tax"]).quantize(
        CENT
    )


def test_the_simulator_can_list_fee_taxes_as_item_rows(sim, client):
    sim.state.fee_taxes_listed_as = "item"
    try:
        created = order_with_fees(sim)
    finally:
        sim.state.fee_taxes_listed_as = None
    rows = client.get_order_taxes(created["id"])
    stray = [row for row in rows if row["order_product_id"] is None]
    assert [(row["line_item_type"], row["line_amount"]) for row in stray] == [
        ("shipping", "0.4100"),
        ("item", "0.1700"),
    ]
    _order, _taxes, plan = called_plan(client, created["id"])
    assert len(fee_lines(plan)) == 2


def test_stray_tax_rows_that_are_not_the_fees_are_refused(sim, client):
    created = order_with_fees(sim)
    order = client.get_order(created["id"])
    rows = client.get_order_taxes(created["id"])
    stray = dict(rows[0], line_item_type="fee", rate="20.0000", line_amount="0.1700")
    with pytest.raises(MappingError, match="not the taxes of its fees"):
        with_fee_taxes(order, [*rows, stray], STORE_RATES)


def test_inferred_rows_give_the_plan_of_the_called_rows(sim, client):
    created = order_with_fees(sim)
    order, _taxes, called = called_plan(client, created["id"])
    inferred_rows = infer_order_taxes(order, STORE_RATES)
    assert inferred_rows is not None
    assert with_fee_taxes(order, inferred_rows, STORE_RATES) == inferred_rows
    inferred = order_to_invoice_plan(order, inferred_rows)
    assert inferred.lines == called.lines
    assert dict(inferred.tax_by_rate) == dict(called.tax_by_rate)


# -- refunds of fees ------------------------------------------------------------------


def refund_plan(client, refund, **caps):
    order_id = refund["order_id"]
    order = client.get_order(order_id)
    taxes = with_fee_taxes(order, client.get_order_taxes(order_id), STORE_RATES)
    return refund_to_credit_note_plan(refund, order, taxes, **caps)


def test_a_fee_refund_credits_a_fee_line_with_its_tax_share(sim, client):
    created = order_with_fees(sim)
    fee = client.get_order(created["id"])["fees"][0]
    refund = sim.state.add_refund(
        created["id"], [{"item_type": "FEE", "item_id": fee["id"], "amount": "1.00"}]
    )
    plan = refund_plan(client, refund)
    assert [(line.kind, line.name, line.tax_rates) for line in plan.lines] == [
        (KIND_FEE, "Package protection", (D("8.25"),))
    ]
    assert plan.total == D("1.00")
    assert plan.tax == D(str(refund["total_tax"])) == D("0.08")
    assert plan.lines_untaxed == D("0.92")


def test_a_whole_fee_refunded_credits_what_the_invoice_booked(sim, client):
    created = order_with_fees(sim)
    _order, _taxes, invoice = called_plan(client, created["id"])
    fees = client.get_order(created["id"])["fees"]
    refund = sim.state.add_refund(
        created["id"], [{"item_type": "FEE", "item_id": fee["id"]} for fee in fees]
    )
    plan = refund_plan(client, refund, invoiced=invoice_ledger(invoice))
    assert [(line.name, line.amount) for line in plan.lines] == [
        (line.name, line.amount) for line in fee_lines(invoice)
    ]
    assert plan.tax == D("0.17")


def test_the_simulator_refuses_a_fee_refund_beyond_the_fee(sim, client):
    created = order_with_fees(sim)
    fee = client.get_order(created["id"])["fees"][1]
    with pytest.raises(RefundError):
        sim.state.add_refund(
            created["id"],
            [{"item_type": "FEE", "item_id": fee["id"], "amount": "1.51"}],
        )
    with pytest.raises(RefundError, match="no fee"):
        sim.state.add_refund(
            created["id"], [{"item_type": "FEE", "item_id": 999999, "amount": "1"}]
        )


def test_fee_credits_are_capped_by_the_fees_invoiced(sim, client):
    """The fees are one part of the invoice, as shipping is: all the credit
    notes of an order never credit more fees than it invoiced."""
    created = order_with_fees(sim)
    _order, _taxes, invoice = called_plan(client, created["id"])
    invoiced = invoice_ledger(invoice)
    fees = client.get_order(created["id"])["fees"]
    refund = sim.state.add_refund(
        created["id"], [{"item_type": "FEE", "item_id": fee["id"]} for fee in fees]
    )
    credited = credit_note_ledger(refund_plan(client, refund, invoiced=invoiced))
    assert credited.amounts == {(KIND_FEE,): D("3.50")}
    # The service fee once more (BigCommerce refused it, a merchant did not).
    again = {
        **refund,
        "id": refund["id"] + 1000,
        "total_amount": 1.5,
        "total_tax": 0,
        "items": [
            {"item_type": "FEE", "item_id": fees[1]["id"], "requested_amount": 1.5}
        ],
    }
    left = r"fees: 1\.50 to credit, but only 0\.00 of the 3\.50 invoiced"
    with pytest.raises(MappingError, match=left):
        refund_plan(client, again, invoiced=invoiced, credited=credited)


# -- the simulator: fees as the specs show them ----------------------------------------


def test_the_fees_endpoint_and_the_include_agree(sim, client):
    created = order_with_fees(sim)
    fees = client.request("GET", 2, f"orders/{created['id']}/fees")["fees"]
    assert fees == client.get_order(created["id"])["fees"]
    fee = fees[0]
    assert fee["type"] == "custom_fee"
    assert D(fee["cost_ex_tax"]) + D(fee["cost_tax"]) == D(fee["cost_inc_tax"])
    without = requests.get(
        f"{sim.base_url}/stores/feestore/v2/orders/{created['id']}",
        headers={"X-Auth-Token": "t", "Accept": "application/json"},
        timeout=10,
    ).json()
    assert "fees" not in without


def test_the_order_totals_hold_the_fees(sim, client):
    created = order_with_fees(sim)
    order = client.get_order(created["id"])
    fees_ex = sum((D(fee["cost_ex_tax"]) for fee in order["fees"]), D(0))
    fees_tax = sum((D(fee["cost_tax"]) for fee in order["fees"]), D(0))
    assert D(order["total_ex_tax"]) == (
        D(order["subtotal_ex_tax"]) + D(order["shipping_cost_ex_tax"]) + fees_ex
    )
    assert D(order["total_tax"]) == (
        D(order["subtotal_tax"]) + D(order["shipping_cost_tax"]) + fees_tax
    )
    # The /taxes rows cannot name a fee: its tax is in no row.
    rows = client.get_order_taxes(created["id"])
    assert (
        sum((D(r["line_amount"]) for r in rows), D(0))
        == D(order["total_tax"]) - fees_tax
    )


# -- property: any order with fees reconciles, inferred or called -------------------

fee = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Package protection", "Service", "Eco fee"]),
        "amount": st.decimals(min_value=D("0.01"), max_value=D("99.99"), places=2).map(
            str
        ),
        "tax_rate": st.sampled_from(["0", "0.0825", "0.20"]),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    fees=st.lists(fee, min_size=1, max_size=3),
    quantity=st.integers(min_value=1, max_value=4),
    tax_inclusive=st.booleans(),
)
def test_any_order_with_fees_reconciles_inferred_or_called(
    sim, client, fees, quantity, tax_inclusive
):
    created = order_with_fees(
        sim,
        fees=fees,
        lines=[{"sku": "MUG", "quantity": quantity}],
        tax_inclusive=tax_inclusive,
    )
    order = client.get_order(created["id"])
    try:
        taxes = with_fee_taxes(order, client.get_order_taxes(order["id"]), STORE_RATES)
    except MappingError as exc:
        # A tiny fee whose tax both rates round alike: said, never guessed.
        assert "no single tax rate" in str(exc)
        assert infer_order_taxes(order, STORE_RATES) is None
        return
    called = order_to_invoice_plan(order, taxes)
    assert called.total == D(order["total_inc_tax"]).quantize(CENT)
    assert sum((line.amount for line in fee_lines(called)), D(0)) + sum(
        (D(fee["cost_tax"]) for fee in order["fees"]), D(0)
    ) == sum((D(fee["cost_inc_tax"]) for fee in order["fees"]), D(0))
    inferred_rows = infer_order_taxes(order, STORE_RATES)
    if inferred_rows is not None:
        inferred = order_to_invoice_plan(order, inferred_rows)
        assert inferred.lines == called.lines
        assert dict(inferred.tax_by_rate) == dict(called.tax_by_rate)
