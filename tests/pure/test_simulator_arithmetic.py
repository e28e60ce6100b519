# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The simulator's order arithmetic: the identities an importer reconciles on.

Orders are fetched over HTTP, so the figures checked are the ones a client
sees, and every response is validated against the specs on the way.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import BigCommerceSimulator

TOKEN = "arith-token"
CENT = Decimal("0.01")
FOUR_PLACES = re.compile(r"^\d+\.\d{4}$")


def D(value) -> Decimal:
    return Decimal(str(value))


def cents(value) -> Decimal:
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def sim():
    with BigCommerceSimulator(store_hash="arith", access_token=TOKEN, quota=None) as s:
        yield s


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        session.headers.update({"X-Auth-Token": TOKEN, "Accept": "application/json"})
        yield session


def fetch(sim, http, order_id):
    """The order, its lines and its detailed taxes, as a client reads them."""
    base = f"{sim.api_url}/v2/orders/{order_id}"
    order = http.get(base).json()
    products = http.get(f"{base}/products").json()
    taxes = http.get(f"{base}/taxes", params={"details": "true"})
    addresses = http.get(f"{base}/shipping_addresses")
    return (
        order,
        products,
        taxes.json() if taxes.status_code == 200 else [],
        addresses.json() if addresses.status_code == 200 else [],
    )


def line_discount(line) -> Decimal:
    return sum((D(d["amount"]) for d in line["applied_discounts"]), Decimal(0))


def charge(order, prefix):
    return tuple(
        D(order[f"{prefix}_cost_{part}"]) for part in ("ex_tax", "inc_tax", "tax")
    )


def check_line(line, inclusive, rate):
    qty = line["quantity"]
    disc = line_discount(line)
    assert D(line["total_ex_tax"]) == D(line["price_ex_tax"]) * qty
    assert D(line["price_inc_tax"]) - D(line["price_ex_tax"]) == D(line["price_tax"])
    assert all(D(d["amount"]) > 0 for d in line["applied_discounts"])
    if inclusive:
        assert D(line["total_inc_tax"]) == D(line["price_inc_tax"]) * qty
        net = D(line["total_inc_tax"]) - disc
        assert D(line["total_tax"]) == cents(net * rate / (1 + rate))
        assert D(line["discounted_total_inc_tax"]) == net
    else:
        net = D(line["total_ex_tax"]) - disc
        assert D(line["total_tax"]) == cents(net * rate)
        assert D(line["discounted_total_inc_tax"]) == net + D(line["total_tax"])
    assert D(line["discounted_total_inc_tax"]) >= 0
    if line["type"] == "giftcertificate":
        assert line["applied_discounts"] == []
        assert D(line["total_tax"]) == 0


def check_order(order, lines, taxes, addresses, rates):
    """Every identity promised in ``simulator.pricing``'s docstring."""
    inclusive = order["is_tax_inclusive_pricing"]
    for line in lines:
        check_line(line, inclusive, rates[line["sku"]])
    for key, value in order.items():
        if key.endswith(("_tax", "_cost", "_amount", "_discount")) and isinstance(
            value, str
        ):
            assert FOUR_PLACES.match(value), (key, value)

    def sum_of(key):
        return sum((D(line[key]) for line in lines), Decimal(0))

    charges = [charge(order, p) for p in ("shipping", "handling", "wrapping")]
    for ex, inc, tax in charges:
        assert inc == ex + tax
    assert D(order["subtotal_ex_tax"]) == sum_of("total_ex_tax")
    assert D(order["subtotal_inc_tax"]) == sum_of("total_inc_tax")
    assert D(order["subtotal_tax"]) == sum_of("total_inc_tax") - sum_of("total_ex_tax")
    all_discounts = sum((line_discount(line) for line in lines), Decimal(0))
    coupon_discounts = sum(
        (
            D(d["amount"])
            for line in lines
            for d in line["applied_discounts"]
            if d["code"] is not None
        ),
        Decimal(0),
    )
    assert D(order["discount_amount"]) == all_discounts
    assert D(order["coupon_discount"]) == coupon_discounts
    total_ex, total_inc, total_tax = (
        D(order[k]) for k in ("total_ex_tax", "total_inc_tax", "total_tax")
    )
    assert total_tax == sum_of("total_tax") + sum(tax for _ex, _inc, tax in charges)
    assert total_inc == total_ex + total_tax
    assert total_inc == sum_of("discounted_total_inc_tax") + sum(
        inc for _ex, inc, _tax in charges
    )
    discounts_ex = sum_of("total_ex_tax") - (
        sum_of("discounted_total_inc_tax") - sum_of("total_tax")
    )
    assert total_ex == D(order["subtotal_ex_tax"]) - discounts_ex + sum(
        ex for ex, _inc, _tax in charges
    )
    if inclusive:
        assert total_inc == D(order["subtotal_inc_tax"]) - all_discounts + sum(
            inc for _ex, inc, _tax in charges
        )
    else:
        assert discounts_ex == all_discounts
    for value in (total_ex, total_inc, total_tax, all_discounts):
        assert value == cents(value)
    # GET /taxes?details=true: one row per taxed component, adding up exactly.
    assert sum((D(t["line_amount"]) for t in taxes), Decimal(0)) == total_tax
    for line in lines:
        rows = [t for t in taxes if t["order_product_id"] == str(line["id"])]
        assert all(t["line_item_type"] == "item" for t in rows)
        assert sum((D(t["line_amount"]) for t in rows), Decimal(0)) == D(
            line["total_tax"]
        )
    shipping_rows = [t for t in taxes if t["line_item_type"] == "shipping"]
    assert sum((D(t["line_amount"]) for t in shipping_rows), Decimal(0)) == D(
        order["shipping_cost_tax"]
    )
    assert all(t["order_product_id"] is None for t in shipping_rows)
    wrapped = sum((D(line["wrapping_cost_inc_tax"]) for line in lines), Decimal(0))
    assert wrapped == D(order["wrapping_cost_inc_tax"])
    for address in addresses:
        assert D(address["cost_inc_tax"]) == D(order["shipping_cost_inc_tax"])
        assert D(address["handling_cost_tax"]) == D(order["handling_cost_tax"])
    assert order["items_total"] == sum(line["quantity"] for line in lines)


# -- worked examples ------------------------------------------------------------


def test_tax_exclusive_order_with_coupon_to_the_cent(sim, http):
    sim.state.add_product(
        sku="MUG-BLK", name="Black Mug", price="12.50", tax_rate="0.0825"
    )
    created = sim.state.add_order(
        lines=[{"sku": "MUG-BLK", "quantity": 2}],
        shipping="5.00",
        shipping_tax_rate="0.0825",
        coupons=[{"code": "SAVE10", "type": 2, "amount": "10.00"}],
    )
    order, lines, taxes, addresses = fetch(sim, http, created["id"])
    assert order == created
    (line,) = lines
    assert (line["price_ex_tax"], line["price_tax"], line["price_inc_tax"]) == (
        "12.5000",
        "1.0300",
        "13.5300",
    )
    assert (
        line["total_ex_tax"],
        line["total_tax"],
        line["discounted_total_inc_tax"],
    ) == (
        "25.0000",
        "1.2400",
        "16.2400",  # tax on 15.00 after the coupon
    )
    assert line["applied_discounts"] == [
        {
            "id": line["applied_discounts"][0]["id"],
            "amount": "10.0000",
            "name": "SAVE10",
            "code": "SAVE10",
            "target": "order",
        }
    ]
    assert (order["subtotal_ex_tax"], order["subtotal_inc_tax"]) == (
        "25.0000",
        "27.0600",
    )
    assert (order["shipping_cost_tax"], order["coupon_discount"]) == (
        "0.4100",
        "10.0000",
    )
    assert (order["total_ex_tax"], order["total_tax"], order["total_inc_tax"]) == (
        "20.0000",
        "1.6500",
        "21.6500",
    )
    assert {t["line_item_type"]: t["line_amount"] for t in taxes} == {
        "item": "1.2400",
        "shipping": "0.4100",
    }
    assert taxes[0]["rate"] == "8.2500"
    coupons = http.get(f"{sim.api_url}/v2/orders/{order['id']}/coupons").json()
    assert [(c["code"], c["type"], c["discount"]) for c in coupons] == [
        ("SAVE10", 2, 10.0)
    ]
    check_order(order, lines, taxes, addresses, {"MUG-BLK": D("0.0825")})
    sim.assert_conformant()


def test_tax_inclusive_foreign_currency_order(sim, http):
    created = sim.state.add_order(
        currency="EUR",
        exchange_rate="0.92",
        tax_inclusive=True,
        lines=[
            {
                "sku": "MUG-EU",
                "name": "Mug",
                "quantity": 2,
                "price": "14.90",
                "tax_rate": "0.20",
            }
        ],
        shipping="6.90",
    )
    order, lines, taxes, addresses = fetch(sim, http, created["id"])
    (line,) = lines
    assert (line["price_inc_tax"], line["price_ex_tax"]) == ("14.9000", "12.4167")
    assert (line["total_inc_tax"], line["total_ex_tax"], line["total_tax"]) == (
        "29.8000",
        "24.8334",
        "4.9700",
    )
    assert (order["shipping_cost_ex_tax"], order["shipping_cost_tax"]) == (
        "5.7500",
        "1.1500",
    )
    assert (order["total_inc_tax"], order["total_tax"], order["total_ex_tax"]) == (
        "36.7000",
        "6.1200",
        "30.5800",
    )
    assert order["is_tax_inclusive_pricing"] is True
    assert (order["currency_code"], order["default_currency_code"]) == ("EUR", "EUR")
    assert order["store_default_currency_code"] == "USD"
    assert order["store_default_to_transactional_exchange_rate"] == "0.9200000000"
    check_order(order, lines, taxes, addresses, {"MUG-EU": D("0.20")})
    sim.assert_conformant()


def test_manual_discount_spread_proportionally_remainder_last(sim, http):
    created = sim.state.add_order(
        lines=[
            {
                "sku": "A",
                "name": "A",
                "quantity": 1,
                "price": "10.00",
                "tax_rate": "0.1",
            },
            {
                "sku": "B",
                "name": "B",
                "quantity": 1,
                "price": "10.00",
                "tax_rate": "0.1",
            },
            {
                "sku": "C",
                "name": "C",
                "quantity": 1,
                "price": "10.00",
                "tax_rate": "0.1",
            },
        ],
        manual_discount="10.00",
    )
    order, lines, taxes, addresses = fetch(sim, http, created["id"])
    assert [line["applied_discounts"][0]["amount"] for line in lines] == [
        "3.3300",
        "3.3300",
        "3.3400",
    ]
    assert {d["name"] for line in lines for d in line["applied_discounts"]} == {
        "Manual Discount"
    }
    assert order["coupon_discount"] == "0.0000"
    assert order["discount_amount"] == "10.0000"
    check_order(
        order, lines, taxes, addresses, {"A": D("0.1"), "B": D("0.1"), "C": D("0.1")}
    )


def test_gift_certificate_lines_are_neither_taxed_nor_discounted(sim, http):
    created = sim.state.add_order(
        lines=[
            {
                "sku": "GC",
                "name": "Gift Certificate",
                "quantity": 1,
                "price": "50.00",
                "type": "giftcertificate",
                "recipient_email": "friend@example.com",
            },
            {
                "sku": "TEE",
                "name": "Tee",
                "quantity": 1,
                "price": "20.00",
                "tax_rate": "0.0825",
            },
        ],
        coupons=[{"code": "HALF", "type": 1, "amount": "50"}],
        shipping="4.00",
    )
    order, lines, taxes, addresses = fetch(sim, http, created["id"])
    gift, tee = lines
    assert gift["type"] == "giftcertificate" and gift["gift_certificate_id"]
    assert (gift["total_tax"], gift["applied_discounts"]) == ("0.0000", [])
    assert line_discount(tee) == D("10.00")  # 50% of the discountable 20.00
    check_order(order, lines, taxes, addresses, {"GC": D(0), "TEE": D("0.0825")})


def test_shipping_coupons_lower_the_shipping_charge(sim, http):
    created = sim.state.add_order(
        lines=[
            {
                "sku": "P",
                "name": "Poster",
                "quantity": 1,
                "price": "18.00",
                "tax_rate": "0.0825",
            }
        ],
        shipping="9.00",
        coupons=[{"code": "SHIP3", "type": 3, "amount": "3.00"}],
    )
    order, lines, taxes, addresses = fetch(sim, http, created["id"])
    assert (order["base_shipping_cost"], order["shipping_cost_ex_tax"]) == (
        "9.0000",
        "6.0000",
    )
    assert order["coupon_discount"] == "0.0000"
    coupons = http.get(f"{sim.api_url}/v2/orders/{order['id']}/coupons").json()
    assert coupons[0]["discount"] == 3.0
    check_order(order, lines, taxes, addresses, {"P": D("0.0825")})


# -- property: any order reconciles ----------------------------------------------

money = st.integers(min_value=1, max_value=50000).map(lambda c: D(c) / 100)
rates = st.sampled_from(["0", "0.05", "0.07", "0.0825", "0.1", "0.2", "0.21"])
line_strategy = st.fixed_dictionaries(
    {
        "price": money,
        "quantity": st.integers(min_value=1, max_value=6),
        "tax_rate": rates,
        "type": st.sampled_from(["physical"] * 4 + ["digital", "giftcertificate"]),
    }
)
coupon_strategy = st.one_of(
    st.fixed_dictionaries({"type": st.just(0), "amount": money.map(lambda m: m / 20)}),
    st.fixed_dictionaries({"type": st.just(1), "amount": st.integers(1, 100).map(D)}),
    st.fixed_dictionaries({"type": st.sampled_from([2, 5]), "amount": money}),
    st.fixed_dictionaries({"type": st.just(3), "amount": money.map(lambda m: m / 10)}),
    st.fixed_dictionaries({"type": st.just(4), "amount": st.just(D(0))}),
)
charge_amount = st.one_of(st.just(D(0)), money.map(lambda m: m / 10))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    lines=st.lists(line_strategy, min_size=1, max_size=4),
    coupons=st.lists(coupon_strategy, max_size=2),
    manual=st.one_of(st.just(D(0)), money.map(lambda m: m / 5)),
    shipping=charge_amount,
    handling=charge_amount,
    wrapping=charge_amount,
    charge_rate=rates,
    inclusive=st.booleans(),
)
def test_any_order_reconciles_exactly(
    sim,
    http,
    lines,
    coupons,
    manual,
    shipping,
    handling,
    wrapping,
    charge_rate,
    inclusive,
):
    order_lines = [
        {**line, "sku": f"SKU-{i}", "name": f"Item {i}", "price": str(line["price"])}
        for i, line in enumerate(lines)
    ]
    has_physical = any(line["type"] == "physical" for line in lines)
    created = sim.state.add_order(
        lines=order_lines,
        coupons=[
            {"code": f"C{i}", "type": c["type"], "amount": str(c["amount"])}
            for i, c in enumerate(coupons)
        ],
        manual_discount=str(manual),
        shipping=str(shipping),
        shipping_tax_rate=charge_rate,
        handling=str(handling),
        wrapping=str(wrapping) if has_physical else "0",
        wrapping_tax_rate=charge_rate,
        tax_inclusive=inclusive,
    )
    order, fetched, taxes, addresses = fetch(sim, http, created["id"])
    rates_by_sku = {
        line["sku"]: D(0) if line["type"] == "giftcertificate" else D(line["tax_rate"])
        for line in order_lines
    }
    check_order(order, fetched, taxes, addresses, rates_by_sku)
    sim.assert_conformant()


# -- refunds ---------------------------------------------------------------------


def test_refunds_in_pieces_add_up_to_the_order(sim, http):
    created = sim.state.add_order(
        lines=[
            {
                "sku": "M",
                "name": "Mug",
                "quantity": 3,
                "price": "9.99",
                "tax_rate": "0.0825",
            }
        ],
        shipping="5.00",
        coupons=[{"code": "OFF1", "type": 2, "amount": "1.00"}],
    )
    order_id = created["id"]
    line = sim.state.order_products(order_id)[0]
    address = http.get(f"{sim.api_url}/v2/orders/{order_id}/shipping_addresses").json()[
        0
    ]
    first = sim.state.add_refund(
        order_id,
        [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
        reason="broken",
    )
    assert sim.state.render_order(order_id)["status_id"] == 14
    second = sim.state.add_refund(
        order_id,
        [
            {"item_type": "PRODUCT", "item_id": line["id"], "quantity": 2},
            {"item_type": "SHIPPING", "item_id": address["id"], "amount": "5.41"},
        ],
    )
    order = http.get(f"{sim.api_url}/v2/orders/{order_id}").json()
    assert order["status_id"] == 4 and order["status"] == "Refunded"
    assert order["refunded_amount"] == "0.0000"
    assert D(first["total_amount"]) + D(second["total_amount"]) == D(
        order["total_inc_tax"]
    )
    assert D(first["total_tax"]) + D(second["total_tax"]) == D(order["total_tax"])
    lines = http.get(f"{sim.api_url}/v2/orders/{order_id}/products").json()
    assert (lines[0]["quantity_refunded"], lines[0]["is_refunded"]) == (3, True)
    assert first["items"][0]["requested_amount"] is None
    assert second["items"][1]["requested_amount"] == "5.41"
    with pytest.raises(ValueError):
        sim.state.add_refund(
            order_id, [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]
        )
    sim.assert_conformant()
