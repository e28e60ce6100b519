# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The simulator's endpoints over real HTTP, each answer checked against the specs."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
import requests

from simulator import BigCommerceSimulator, generate_store

HASH, TOKEN = "simstore", "sim-token"
ANCHOR = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def sim():
    with BigCommerceSimulator(
        store_hash=HASH,
        access_token=TOKEN,
        quota=None,
        client_id="cid-1",
        name="Demo Store",
        plan_name="Plus",
    ) as simulator:
        yield simulator


@pytest.fixture
def api(sim):
    """``api(path, **query)`` -> response, authenticated."""
    session = requests.Session()
    session.headers.update({"X-Auth-Token": TOKEN, "Accept": "application/json"})

    def call(path, method="GET", json=None, **query):
        return session.request(
            method, f"{sim.api_url}{path}", params=query, json=json, timeout=10
        )

    yield call
    session.close()


def add_orders(sim, count, start=ANCHOR, **values):
    values.setdefault(
        "lines",
        [
            {
                "sku": "X",
                "name": "Thing",
                "price": "10.00",
                "quantity": 1,
                "tax_rate": "0.1",
            }
        ],
    )
    return [
        sim.state.add_order(date_created=start + timedelta(hours=i), **values)
        for i in range(count)
    ]


def mixed_order(sim):
    """Physical, digital and gift-certificate lines in one order."""
    return sim.state.add_order(
        lines=[
            {
                "sku": "MUG",
                "name": "Mug",
                "price": "12.50",
                "quantity": 2,
                "tax_rate": "0.0825",
            },
            {
                "sku": "EBOOK",
                "name": "E-book",
                "price": "7.99",
                "quantity": 1,
                "tax_rate": "0.0825",
                "type": "digital",
            },
            {
                "sku": "GC",
                "name": "Gift Certificate",
                "price": "25.00",
                "quantity": 1,
                "type": "giftcertificate",
                "recipient_email": "friend@example.com",
            },
        ],
        shipping="5.00",
        handling="1.00",
        wrapping="2.00",
    )


# -- store ---------------------------------------------------------------------


def test_store_information_and_time(sim, api):
    store = api("/v2/store").json()
    assert (store["id"], store["name"], store["plan_name"]) == (
        HASH,
        "Demo Store",
        "Plus",
    )
    assert (store["currency"], store["is_price_entered_with_tax"]) == ("USD", False)
    moment = api("/v2/time").json()["time"]
    assert abs(moment - datetime.now(UTC).timestamp()) < 60
    sim.assert_conformant()


def test_generated_store_is_spec_valid_end_to_end(sim, api):
    summary = generate_store(sim.state, seed=7, customers=6, orders=30, anchor=ANCHOR)
    statuses = {}
    paths = [
        "/v2/orders",
        "/v2/orders/count",
        "/v2/order_statuses",
        "/v3/orders/payment_actions/refunds",
        "/v3/customers",
        "/v3/customers/addresses",
        "/v3/hooks",
    ]
    for order_id in summary["orders"]:
        base = f"/v2/orders/{order_id}"
        paths += [
            base,
            f"{base}/products",
            f"{base}/shipping_addresses",
            f"{base}/coupons",
            f"{base}/taxes",
            f"{base}/shipments",
            f"{base}/shipments/count",
            f"{base}/consignments",
            f"/v3/orders/{order_id}/payment_actions/refunds",
        ]
    paths += [f"/v3/orders/payment_actions/refunds/{r}" for r in sim.state.refunds]
    for path in paths:
        status = api(path).status_code
        statuses[status] = statuses.get(status, 0) + 1
    for order_id in summary["orders"]:
        assert (
            api(
                f"/v2/orders/{order_id}",
                include="consignments.line_items",
                consignment_structure="object",
            ).status_code
            == 200
        )
        assert api(f"/v2/orders/{order_id}/taxes", details="true").status_code in (
            200,
            204,
        )
    assert set(statuses) <= {200, 204} and statuses[200] > len(paths) // 2
    assert len(sim.requests) == len(paths) + 2 * len(summary["orders"])
    sim.assert_conformant()


def test_order_statuses(sim, api):
    statuses = api("/v2/order_statuses").json()
    assert [s["id"] for s in statuses] == list(range(15))
    assert statuses[11]["name"] == "Awaiting Fulfillment"
    assert api("/v2/order_statuses/14").json()["name"] == "Partially Refunded"
    sim.assert_conformant()


# -- orders --------------------------------------------------------------------


def test_order_with_consignment_line_items_in_one_call(sim, api):
    order = mixed_order(sim)
    response = api(
        f"/v2/orders/{order['id']}",
        include="consignments.line_items",
        consignment_structure="object",
    )
    consignments = response.json()["consignments"]
    products = api(f"/v2/orders/{order['id']}/products").json()
    by_sku = {p["sku"]: p for p in products}
    (shipping,) = consignments["shipping"]
    assert shipping["line_items"] == [by_sku["MUG"]]
    assert shipping["cost_inc_tax"] == 5.41 and isinstance(shipping["base_cost"], float)
    (download,) = consignments["downloads"]
    assert download["line_items"] == [by_sku["EBOOK"]]
    (certificate,) = consignments["email"]["gift_certificates"]
    assert certificate["recipient_email"] == "friend@example.com"
    assert certificate["line_items"] == [by_sku["GC"]]
    assert consignments["pickups"] == []
    links = api(
        f"/v2/orders/{order['id']}",
        include="consignments",
        consignment_structure="object",
    ).json()["consignments"]
    resource = f"/orders/{order['id']}/products/{by_sku['MUG']['id']}"
    assert links["shipping"][0]["line_items"] == [
        {"url": f"{sim.api_url}/v2{resource}", "resource": resource}
    ]
    assert "consignments" not in api(f"/v2/orders/{order['id']}").json()
    assert len(sim.requests) == 4
    sim.assert_conformant()


def test_order_links_and_sub_resources(sim, api):
    order = mixed_order(sim)
    base = f"/v2/orders/{order['id']}"
    fetched = api(base).json()
    assert fetched["products"] == {
        "url": f"{sim.api_url}{base}/products",
        "resource": f"/orders/{order['id']}/products",
    }
    follow = requests.get(
        fetched["products"]["url"], headers={"X-Auth-Token": TOKEN}, timeout=10
    )
    assert [p["sku"] for p in follow.json()] == ["MUG", "EBOOK", "GC"]
    (address,) = api(f"{base}/shipping_addresses").json()
    assert address["id"] == follow.json()[0]["order_address_id"]
    assert api(f"{base}/shipping_addresses/{address['id']}").json() == address
    line = follow.json()[0]
    assert api(f"{base}/products/{line['id']}").json() == line
    assert api(f"{base}/coupons").status_code == 204
    plain = api(f"{base}/taxes").json()
    assert "line_item_type" not in plain[0]
    detailed = api(f"{base}/taxes", details="true").json()
    assert {t["line_item_type"] for t in detailed} == {
        "item",
        "shipping",
        "handling",
        "gift-wrapping",
    }
    assert fetched["date_created"].endswith("+0000")
    parsedate_to_datetime(fetched["date_created"])
    sim.assert_conformant()


def test_unknown_order_and_paths_answer_404_in_v2_shape(sim, api):
    response = api("/v2/orders/424242")
    assert response.status_code == 404
    assert response.json() == [
        {"status": 404, "message": "The requested resource was not found."}
    ]
    assert api("/v2/orders/424242/products").status_code == 404
    missing = api("/v3/hooks/99")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    sim.assert_conformant()


def test_v2_orders_are_204_when_empty_and_paged(sim, api):
    empty = api("/v2/orders")
    assert (empty.status_code, empty.content) == (204, b"")
    orders = add_orders(sim, 5)
    pages = [api("/v2/orders", limit=2, page=page) for page in (1, 2, 3, 4)]
    assert [len(p.json()) if p.status_code == 200 else 0 for p in pages] == [2, 2, 1, 0]
    assert pages[3].status_code == 204
    assert [o["id"] for p in pages[:3] for o in p.json()] == [o["id"] for o in orders]
    assert api("/v2/orders", limit=250).status_code == 200
    too_many = api("/v2/orders", limit=251)
    assert too_many.status_code == 413 and too_many.json()[0]["status"] == 413
    assert api("/v2/orders/count").json()["count"] == 5
    sim.assert_conformant()


def test_v2_order_filters_and_sorting(sim, api):
    customer = sim.state.add_customer(
        first_name="Ana", last_name="Lima", email="ana@example.com"
    )
    orders = add_orders(sim, 4)
    mine = sim.state.add_order(
        customer_id=customer["id"],
        lines=[{"sku": "X", "price": "3.00"}],
        date_created=ANCHOR + timedelta(days=1),
    )
    incomplete = sim.state.add_order(
        lines=[{"sku": "X", "price": "3.00"}], status_id=0, date_created=ANCHOR
    )
    later = ANCHOR + timedelta(days=2)
    sim.state.set_order_status(orders[0]["id"], 10, at=later)

    def ids(**query):
        response = api("/v2/orders", **query)
        return [o["id"] for o in response.json()] if response.status_code == 200 else []

    assert incomplete["id"] not in ids()
    assert ids(status_id=0) == [incomplete["id"]]
    assert ids(status_id=10) == [orders[0]["id"]]
    assert ids(customer_id=customer["id"]) == [mine["id"]]
    assert ids(email="ana@example.com") == [mine["id"]]
    assert ids(min_id=orders[1]["id"], max_id=orders[2]["id"]) == [
        orders[1]["id"],
        orders[2]["id"],
    ]
    rfc = format_datetime(later)
    iso = (later - timedelta(hours=5)).isoformat().replace("+00:00", "-05:00")
    assert ids(min_date_modified=rfc) == [orders[0]["id"]]
    assert ids(min_date_modified=later.isoformat()) == [orders[0]["id"]]
    assert ids(max_date_modified=iso, min_date_created="2026-03-01T01:00:00Z") == [
        orders[1]["id"],
        orders[2]["id"],
        orders[3]["id"],
        mine["id"],
    ]
    assert ids(sort="date_modified:desc")[0] == orders[0]["id"]
    assert ids(sort="date_modified:asc")[-1] == orders[0]["id"]
    assert ids(sort="id:desc") == sorted(ids(), reverse=True)
    count = api("/v2/orders/count").json()
    assert count["count"] == 6  # the count includes incomplete orders
    by_status = {s["id"]: s["count"] for s in count["statuses"]}
    assert (by_status[0], by_status[10], by_status[11]) == (1, 1, 4)
    assert mine["billing_address"]["zip"] and mine["billing_address"]["email"]
    sim.assert_conformant()  # the direction suffix on ``sort`` is accepted
    assert api("/v2/orders", sort="total:asc").status_code == 400
    assert "sort" in sim.spec_errors[-1]


def test_status_and_field_updates_bump_date_modified(sim, api):
    (order,) = add_orders(sim, 1)
    moment = ANCHOR + timedelta(days=3)
    sim.state.set_order_status(order["id"], 9, at=moment)
    fetched = api(f"/v2/orders/{order['id']}").json()
    assert (fetched["status_id"], fetched["status"]) == (9, "Awaiting Shipment")
    assert parsedate_to_datetime(fetched["date_modified"]) == moment
    assert fetched["date_created"] == order["date_created"]
    sim.state.update_order(
        order["id"], staff_notes="call first", at=moment + timedelta(minutes=5)
    )
    fetched = api(f"/v2/orders/{order['id']}").json()
    assert fetched["staff_notes"] == "call first"
    assert parsedate_to_datetime(fetched["date_modified"]) > moment
    with pytest.raises(ValueError):
        sim.state.update_order(order["id"], no_such_field=1)
    sim.assert_conformant()


def test_a_merchant_changes_an_order_s_status_by_put(sim, api):
    """``PUT /v2/orders/{id}`` with a status: the order as its status says
    (a held payment taken), answered as the order."""
    order = sim.state.add_order(
        lines=[{"sku": "MUG", "price": "12.50", "quantity": 1}], status_id=12
    )
    assert order["payment_status"] == "held for review"
    answer = api(f"/v2/orders/{order['id']}", method="PUT", json={"status_id": 11})
    assert answer.status_code == 200
    assert (answer.json()["status_id"], answer.json()["payment_status"]) == (
        11,
        "captured",
    )
    fetched = api(f"/v2/orders/{order['id']}").json()
    assert (fetched["status"], fetched["payment_status"]) == (
        "Awaiting Fulfillment",
        "captured",
    )
    assert sim.state.order_record(order["id"]).transactions
    sim.assert_conformant()
    # Only the status, and a known one.
    bad = api(f"/v2/orders/{order['id']}", method="PUT", json={"staff_notes": "x"})
    assert bad.status_code == 400
    bad = api(f"/v2/orders/{order['id']}", method="PUT", json={"status_id": 99})
    assert bad.status_code == 400
    missing = api("/v2/orders/999999", method="PUT", json={"status_id": 11})
    assert missing.status_code == 404


def test_shipments(sim, api):
    order = mixed_order(sim)
    base = f"/v2/orders/{order['id']}"
    empty = api(f"{base}/shipments")
    assert (empty.status_code, empty.content) == (204, b"")
    assert api(f"{base}/shipments/count").json() == {"count": 0}
    mug = api(f"{base}/products").json()[0]
    first = sim.state.add_shipment(
        order["id"],
        [{"order_product_id": mug["id"], "quantity": 1}],
        tracking_number="1Z999",
        tracking_carrier="ups",
        shipping_method="UPS Ground",
    )
    assert api(base).json()["status_id"] == 3
    sim.state.add_shipment(
        order["id"], [{"order_product_id": mug["id"], "quantity": 1}]
    )
    fetched = api(base).json()
    assert (fetched["status_id"], fetched["items_shipped"]) == (2, 2)
    assert fetched["date_shipped"] != ""
    shipments = api(f"{base}/shipments").json()
    assert [s["id"] for s in shipments] == [first["id"], first["id"] + 1]
    assert shipments[0]["items"] == [
        {"order_product_id": mug["id"], "product_id": mug["product_id"], "quantity": 1}
    ]
    assert shipments[0]["tracking_number"] == "1Z999"
    assert api(f"{base}/shipments/{first['id']}").json() == shipments[0]
    assert api(f"{base}/shipments/count").json() == {"count": 2}
    assert api(f"{base}/shipments/9999").status_code == 404
    assert api(f"{base}/products").json()[0]["quantity_shipped"] == 2
    with pytest.raises(ValueError):
        sim.state.add_shipment(
            order["id"], [{"order_product_id": mug["id"], "quantity": 1}]
        )
    sim.assert_conformant()


# -- refunds -------------------------------------------------------------------


def test_refund_endpoints(sim, api):
    orders = add_orders(sim, 3)
    refunds = []
    for i, order in enumerate(orders):
        line = sim.state.order_products(order["id"])[0]
        refunds.append(
            sim.state.add_refund(
                order["id"],
                [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
                reason="damaged",
                created=ANCHOR + timedelta(days=i),
            )
        )
    listed = api("/v3/orders/payment_actions/refunds", limit=2).json()
    assert [r["id"] for r in listed["data"]] == [refunds[0]["id"], refunds[1]["id"]]
    assert listed["meta"]["pagination"] == {
        "total": 3,
        "count": 2,
        "per_page": 2,
        "current_page": 1,
        "total_pages": 2,
        "links": {"current": "?page=1&limit=2", "next": "?page=2&limit=2"},
    }
    second = api("/v3/orders/payment_actions/refunds", limit=2, page=2).json()
    assert [r["id"] for r in second["data"]] == [refunds[2]["id"]]
    by_order = api(
        "/v3/orders/payment_actions/refunds",
        **{"order_id:in": f"{orders[0]['id']},{orders[2]['id']}"},
    ).json()
    assert [r["order_id"] for r in by_order["data"]] == [
        orders[0]["id"],
        orders[2]["id"],
    ]
    by_id = api(
        "/v3/orders/payment_actions/refunds", **{"id:in": str(refunds[1]["id"])}
    ).json()
    assert [r["id"] for r in by_id["data"]] == [refunds[1]["id"]]
    window = api(
        "/v3/orders/payment_actions/refunds",
        **{
            "created:min": "2026-03-02T00:00:00+00:00",
            "created:max": "2026-03-02T23:59:59Z",
        },
    ).json()
    assert [r["id"] for r in window["data"]] == [refunds[1]["id"]]
    mine = api(f"/v3/orders/{orders[1]['id']}/payment_actions/refunds").json()
    assert [r["id"] for r in mine["data"]] == [refunds[1]["id"]]
    item = mine["data"][0]["items"][0]
    assert (item["item_type"], item["quantity"], item["requested_amount"]) == (
        "PRODUCT",
        1,
        None,
    )
    assert mine["data"][0]["total_amount"] == 11.0
    assert mine["data"][0]["total_tax"] == 1.0
    single = api(f"/v3/orders/payment_actions/refunds/{refunds[1]['id']}").json()
    assert single["data"]["created"] == "2026-03-02T00:00:00+00:00"
    assert single["data"] == refunds[1]
    assert api("/v3/orders/payment_actions/refunds/777").status_code == 404
    sim.assert_conformant()


# -- customers -----------------------------------------------------------------


def add_customers(sim, count):
    return [
        sim.state.add_customer(
            first_name=f"First{i}",
            last_name=f"Last{i}",
            email=f"c{i}@example.com",
            company="Acme" if i % 2 else "",
            addresses=[
                {
                    "address1": f"{i} Main St",
                    "city": "Austin",
                    "state_or_province": "Texas",
                    "postal_code": "78701",
                    "country_code": "US",
                    "country": "United States",
                }
            ],
            date_created=ANCHOR + timedelta(days=i),
        )
        for i in range(count)
    ]


def test_customers_page_pagination(sim, api):
    customers = add_customers(sim, 5)
    first = api("/v3/customers", limit=2).json()
    assert [c["id"] for c in first["data"]] == [customers[0]["id"], customers[1]["id"]]
    assert first["meta"]["pagination"]["total"] == 5
    assert first["meta"]["pagination"]["total_pages"] == 3
    assert first["meta"]["cursor_pagination"]["count"] == 2
    assert "addresses" not in first["data"][0]
    third = api("/v3/customers", limit=2, page=3).json()
    assert [c["id"] for c in third["data"]] == [customers[4]["id"]]
    assert "cursor_pagination" not in third["meta"]
    assert third["meta"]["pagination"]["links"] == {
        "current": "?page=3&limit=2",
        "previous": "?page=2&limit=2",
    }
    with_addresses = api(
        "/v3/customers",
        include="addresses,storecredit",
        **{"id:in": str(customers[1]["id"])},
    ).json()["data"]
    assert with_addresses[0]["addresses"][0]["address1"] == "1 Main St"
    assert with_addresses[0]["store_credit_amounts"] == [{"amount": 0.0}]
    assert with_addresses[0] == customers[1]
    by_email = api("/v3/customers", **{"email:in": "c3@example.com,C4@example.com"})
    assert [c["id"] for c in by_email.json()["data"]] == [
        customers[3]["id"],
        customers[4]["id"],
    ]
    by_date = api(
        "/v3/customers",
        **{
            "date_modified:min": "2026-03-04",
            "date_created:max": "2026-03-05T00:00:00",
        },
    )
    assert [c["id"] for c in by_date.json()["data"]] == [
        customers[3]["id"],
        customers[4]["id"],
    ]
    newest = api("/v3/customers", sort="date_created:desc", limit=1).json()
    assert newest["data"][0]["id"] == customers[4]["id"]
    sim.assert_conformant()


def test_customers_cursor_pagination(sim, api):
    customers = add_customers(sim, 5)
    first = api("/v3/customers", limit=2).json()
    seen = [c["id"] for c in first["data"]]
    cursor = first["meta"]["cursor_pagination"]
    while "next" in cursor["links"]:
        response = api("/v3/customers", limit=2, after=cursor["end_cursor"]).json()
        assert set(response["meta"]) == {"cursor_pagination"}
        seen += [c["id"] for c in response["data"]]
        cursor = response["meta"]["cursor_pagination"]
    assert seen == [c["id"] for c in customers]
    back = api("/v3/customers", limit=2, before=cursor["start_cursor"]).json()
    assert [c["id"] for c in back["data"]] == [customers[2]["id"], customers[3]["id"]]
    assert "previous" in back["meta"]["cursor_pagination"]["links"]
    assert api("/v3/customers", after="not-a-cursor").status_code == 422
    sim.assert_conformant()


def test_customer_addresses(sim, api):
    customers = add_customers(sim, 3)
    everything = api("/v3/customers/addresses").json()
    assert len(everything["data"]) == 3
    assert everything["meta"]["pagination"]["total"] == 3
    mine = api(
        "/v3/customers/addresses", **{"customer_id:in": str(customers[2]["id"])}
    ).json()["data"]
    assert [a["customer_id"] for a in mine] == [customers[2]["id"]]
    assert mine[0]["country_code"] == "US"
    sim.assert_conformant()


# -- webhooks ------------------------------------------------------------------


def test_webhook_crud_and_validation(sim, api):
    assert api("/v3/hooks").json() == {
        "data": [],
        "meta": {
            "pagination": {
                "total": 0,
                "count": 0,
                "per_page": 50,
                "current_page": 1,
                "total_pages": 0,
                "links": {"current": "?page=1&limit=50"},
            }
        },
    }
    body = {
        "scope": "store/order/*",
        "destination": "https://erp.example.com/hook",
        "headers": {"X-Key": "v"},
    }
    created = api("/v3/hooks", method="POST", json=body)
    assert created.status_code == 200
    hook = created.json()["data"]
    assert (hook["client_id"], hook["store_hash"], hook["is_active"]) == (
        "cid-1",
        HASH,
        True,
    )
    duplicate = api("/v3/hooks", method="POST", json=body)
    assert duplicate.status_code == 422 and "destination" in duplicate.json()["errors"]
    for destination in (
        "http://erp.example.com/hook",
        "https://erp.example.com:8443/h",
    ):
        refused = api(
            "/v3/hooks",
            method="POST",
            json={"scope": "store/order/*", "destination": destination},
        )
        assert refused.status_code == 422
    other = api(
        "/v3/hooks",
        method="POST",
        json={
            "scope": "store/customer/*",
            "destination": "https://erp.example.com/hook",
        },
    ).json()["data"]
    listed = api("/v3/hooks", scope="store/customer/*").json()["data"]
    assert [h["id"] for h in listed] == [other["id"]]
    assert api(f"/v3/hooks/{hook['id']}").json()["data"] == hook
    updated = api(f"/v3/hooks/{hook['id']}", method="PUT", json={"is_active": False})
    assert updated.json()["data"]["is_active"] is False
    assert [h["id"] for h in api("/v3/hooks", is_active="true").json()["data"]] == [
        other["id"]
    ]
    deleted = api(f"/v3/hooks/{hook['id']}", method="DELETE")
    assert deleted.json()["data"]["id"] == hook["id"]
    assert api(f"/v3/hooks/{hook['id']}").status_code == 404
    sim.assert_conformant()


# -- authentication ------------------------------------------------------------


def test_wrong_token_is_401_in_each_versions_shape(sim):
    bad = {"X-Auth-Token": "wrong", "Accept": "application/json"}
    v2 = requests.get(f"{sim.api_url}/v2/orders", headers=bad, timeout=10)
    assert v2.status_code == 401
    assert v2.json()[0]["status"] == 401 and "message" in v2.json()[0]
    v3 = requests.get(f"{sim.api_url}/v3/customers", headers=bad, timeout=10)
    assert v3.status_code == 401
    assert {"status", "title", "type"} <= set(v3.json())
    sim.assert_conformant()  # a wrong token is still a well-formed request


def test_missing_token_is_401_and_a_spec_violation(sim):
    response = requests.get(f"{sim.api_url}/v2/orders", timeout=10)
    assert response.status_code == 401
    assert any("Security" in e and "/v2/orders" in e for e in sim.spec_errors)
    with pytest.raises(AssertionError, match="spec violation"):
        sim.assert_conformant()


def test_unknown_store_is_404(sim):
    response = requests.get(
        f"{sim.base_url}/stores/other/v2/orders",
        headers={"X-Auth-Token": TOKEN},
        timeout=10,
    )
    assert response.status_code == 404
    assert response.json()[0]["status"] == 404


def test_requests_are_recorded(sim, api):
    api("/v2/orders", status_id=11, limit=5)
    (record,) = sim.requests
    assert record["method"] == "GET"
    assert record["path"] == f"/stores/{HASH}/v2/orders"
    assert record["query"] == {"status_id": "11", "limit": "5"}
    assert record["status"] == 204
    assert record["headers"]["X-Auth-Token"] == TOKEN


def test_cancelling_a_paid_order_keeps_or_refunds_its_money(sim, api):
    kept, refunded = add_orders(sim, 2, shipping="4.99")
    for order in (kept, refunded):
        assert order["payment_status"] == "captured"
    assert sim.state.cancel_order(kept["id"]) is None
    read = api(f"/v2/orders/{kept['id']}").json()
    # Cancelling gives no money back.
    assert (read["status_id"], read["payment_status"]) == (5, "captured")
    refund = sim.state.cancel_order(
        refunded["id"], refund=True, payments=[{"provider_id": "braintree"}]
    )
    read = api(f"/v2/orders/{refunded['id']}").json()
    assert (read["status_id"], read["payment_status"]) == (5, "refunded")
    assert refund["total_amount"] == float(read["total_inc_tax"])
    assert {item["item_type"] for item in refund["items"]} == {"PRODUCT", "SHIPPING"}
    assert sim.state.refundable_items(refunded["id"]) == []
    listed = api(f"/v3/orders/{refunded['id']}/payment_actions/refunds").json()
    assert [r["id"] for r in listed["data"]] == [refund["id"]]
