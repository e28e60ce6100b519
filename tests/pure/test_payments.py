# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What paid an order, and the default status policy: pure, on the
simulator's spec-checked payloads."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from store_fixtures import store_fixtures

from bigcommerce.mapping import MappingError, order_to_invoice_plan
from bigcommerce.payments import (
    ACTION_DRAFT,
    ACTION_HOLD,
    ACTION_POST,
    ACTION_SKIP,
    KIND_GATEWAY,
    KIND_GIFT_CERTIFICATE,
    KIND_STORE_CREDIT,
    capture_moment,
    is_paid,
    paid_after_placed,
    payment_parts_from_order,
    payment_parts_from_transactions,
    status_action,
)

D = Decimal
MARCH_28 = datetime(2025, 3, 28, 15, 0, tzinfo=UTC)
APRIL_3 = datetime(2025, 4, 3, 9, 30, tzinfo=UTC)


sim, client = store_fixtures("paystore", {"MUG": ("12.50", "0.0825", "physical")})


def served(sim, client, **values):
    values.setdefault("lines", [{"sku": "MUG", "quantity": 2}])
    return client.get_order(sim.state.add_order(**values)["id"])


def test_card_payment_from_the_order_alone(sim, client):
    order = served(sim, client, payment_method="Credit Card")
    assert is_paid(order)
    (part,) = payment_parts_from_order(order)
    assert part.kind == KIND_GATEWAY
    assert part.amount == D(order["total_inc_tax"]).quantize(D("0.01"))
    assert part.method == "Credit Card"
    assert part.reference == order["payment_provider_id"] != ""


def test_gift_certificate_store_credit_and_card(sim, client):
    order = served(
        sim,
        client,
        payment_method="PayPal",
        gift_certificate_amount="5.00",
        store_credit_amount="2.50",
    )
    parts = payment_parts_from_order(order)
    assert [(p.kind, p.amount) for p in parts] == [
        (KIND_GIFT_CERTIFICATE, D("5.00")),
        (KIND_STORE_CREDIT, D("2.50")),
        (KIND_GATEWAY, D(order["total_inc_tax"]) - D("7.50")),
    ]
    assert sum(p.amount for p in parts) == D(order["total_inc_tax"])


def test_gift_certificate_and_store_credit_are_not_revenue_reductions(sim, client):
    """They pay the order; the invoice plan is the same with or without."""
    plain = served(sim, client)
    paid_with_gift = served(
        sim, client, gift_certificate_amount="10.00", store_credit_amount="3.00"
    )
    assert plain["total_inc_tax"] == paid_with_gift["total_inc_tax"]
    first = order_to_invoice_plan(plain, client.get_order_taxes(plain["id"]))
    second = order_to_invoice_plan(
        paid_with_gift, client.get_order_taxes(paid_with_gift["id"])
    )
    assert [(line.kind, line.amount) for line in first.lines] == [
        (line.kind, line.amount) for line in second.lines
    ]
    assert first.total == second.total == D(plain["total_inc_tax"])


def test_split_the_order_cannot_tell_needs_the_transactions(sim, client):
    order = served(sim, client, payment_method="Gift Certificate")
    order = dict(order, gift_certificate_amount="10.0000")
    assert payment_parts_from_order(order) is None
    order = dict(order, payment_method="")
    assert payment_parts_from_order(order) is None


def test_parts_from_transactions(sim, client):
    order = served(
        sim, client, gift_certificate_amount="4.00", payment_gateway="braintree"
    )
    rows = client.get_order_transactions(order["id"])
    assert len(rows) == 2
    parts = payment_parts_from_transactions(order, rows)
    assert [(p.kind, p.gateway) for p in parts] == [
        (KIND_GIFT_CERTIFICATE, "giftcertificate"),
        (KIND_GATEWAY, "braintree"),
    ]
    assert parts[1].reference == order["payment_provider_id"]
    assert sum(p.amount for p in parts) == D(order["total_inc_tax"])


def test_transactions_that_do_not_add_up_are_refused(sim, client):
    order = served(sim, client)
    rows = client.get_order_transactions(order["id"])
    rows[0]["amount"] -= 0.01
    with pytest.raises(MappingError, match=r"difference -0\.01"):
        payment_parts_from_transactions(order, rows)


def test_authorizations_and_errors_do_not_count(sim, client):
    order = served(sim, client)
    (row,) = client.get_order_transactions(order["id"])
    extra = [
        dict(row, event="authorization"),
        dict(row, status="error"),
        row,
    ]
    parts = payment_parts_from_transactions(order, extra)
    assert len(parts) == 1


def test_unpaid_order_has_no_transactions_yet(sim, client):
    order = served(sim, client, status_id=7)
    assert not is_paid(order)
    assert order["payment_provider_id"] == ""
    assert client.get_order_transactions(order["id"]) == []
    sim.state.set_order_status(order["id"], 11)
    order = client.get_order(order["id"])
    assert is_paid(order)
    assert len(client.get_order_transactions(order["id"])) == 1


def test_more_gift_certificate_than_total_is_refused(sim, client):
    order = served(sim, client)
    order = dict(order, gift_certificate_amount="1000.00")
    with pytest.raises(MappingError, match="more than the order's total"):
        payment_parts_from_order(order)


@pytest.mark.parametrize(
    ("status_id", "action"),
    [
        (0, ACTION_SKIP),
        (1, ACTION_DRAFT),
        (2, ACTION_POST),
        (4, ACTION_POST),
        (5, ACTION_SKIP),
        (6, ACTION_SKIP),
        (7, ACTION_DRAFT),
        (10, ACTION_POST),
        (11, ACTION_POST),
        (12, ACTION_HOLD),
        (13, ACTION_HOLD),
        (14, ACTION_POST),
    ],
)
def test_default_status_policy(status_id, action):
    assert status_action(status_id) == action


def test_store_rules_win():
    assert status_action(13, {13: ACTION_POST}) == ACTION_POST
    assert status_action(7, {13: ACTION_POST}) == ACTION_DRAFT


@given(
    total=st.decimals("0.01", "9999.99", places=2),
    gift=st.decimals("0", "1", places=2),
    credit=st.decimals("0", "1", places=2),
)
def test_parts_always_add_up_to_the_total(total, gift, credit):
    gift = (total * gift).quantize(D("0.01"))
    credit = min((total * credit).quantize(D("0.01")), total - gift)
    order = {
        "id": 1,
        "total_inc_tax": f"{total:.4f}",
        "gift_certificate_amount": f"{gift:.4f}",
        "store_credit_amount": f"{credit:.4f}",
        "payment_method": "Credit Card",
        "payment_provider_id": "",
    }
    parts = payment_parts_from_order(order)
    assert sum(p.amount for p in parts) == total
    assert all(p.amount > 0 for p in parts)


# -- when the payment was taken ----------------------------------------------------


def test_late_capture_is_served_as_authorization_then_capture(sim, client):
    order = served(sim, client, date_created=MARCH_28, payment_status="authorized")
    assert not is_paid(order)
    (authorization,) = client.get_order_transactions(order["id"])
    assert authorization["event"] == "authorization"
    assert capture_moment([authorization]) is None
    sim.state.capture_payment(order["id"], at=APRIL_3)
    captured = client.get_order(order["id"])
    assert is_paid(captured)
    rows = client.get_order_transactions(order["id"])
    assert [row["event"] for row in rows] == ["authorization", "capture"]
    assert capture_moment(rows) == datetime(2025, 4, 3, 9, 30)
    # The order alone still says who paid what.
    (part,) = payment_parts_from_order(captured)
    assert part.kind == KIND_GATEWAY
    assert paid_after_placed(captured, "authorized")


def test_gift_certificate_is_used_at_checkout_the_card_captured_later(sim, client):
    order = served(
        sim,
        client,
        date_created=MARCH_28,
        payment_status="authorized",
        gift_certificate_amount="3.00",
    )
    sim.state.capture_payment(order["id"], at=APRIL_3)
    rows = client.get_order_transactions(order["id"])
    assert [(row["method"], row["event"]) for row in rows] == [
        ("gift_certificate", "purchase"),
        ("credit_card", "authorization"),
        ("credit_card", "capture"),
    ]
    assert capture_moment(rows) == datetime(2025, 4, 3, 9, 30)


def test_captured_with_a_later_status_change(sim, client):
    order = served(sim, client, date_created=MARCH_28, payment_status="authorized")
    sim.state.set_order_status(order["id"], 2, at=APRIL_3)
    rows = client.get_order_transactions(order["id"])
    assert [row["event"] for row in rows] == ["authorization", "capture"]
    assert capture_moment(rows) == datetime(2025, 4, 3, 9, 30)


def test_paid_by_a_later_status_change_is_dated_then(sim, client):
    order = served(sim, client, date_created=MARCH_28, status_id=7)
    sim.state.set_order_status(order["id"], 11, at=APRIL_3)
    paid = client.get_order(order["id"])
    assert paid_after_placed(paid, "pending")
    assert capture_moment(client.get_order_transactions(order["id"])) == datetime(
        2025, 4, 3, 9, 30
    )


def test_which_orders_were_paid_after_they_were_placed(sim, client):
    order = served(sim, client, date_created=MARCH_28)
    # Paid at checkout: seen paid, or never seen, it is the order's date.
    assert not paid_after_placed(order, None)
    assert not paid_after_placed(order, "captured")
    # Seen unpaid, but paid (and last changed) the day it was placed.
    assert not paid_after_placed(order, "authorized")
    later = dict(order, date_modified="Thu, 03 Apr 2025 09:30:00 +0000")
    assert paid_after_placed(later, "authorized")
    assert paid_after_placed(later, "")
    assert not paid_after_placed(later, None), "first seen: no call"
    assert not paid_after_placed(dict(later, payment_status="authorized"), "")
