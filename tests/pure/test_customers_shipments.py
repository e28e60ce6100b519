# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Customers and shipments: the pure mapping, the webhook subjects, and the
simulator's customers, address books and shipments over real HTTP."""

import hashlib
import threading
from datetime import UTC, datetime

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bigcommerce import BigCommerceClient
from bigcommerce.const import HANDLED_SCOPES, KNOWN_SCOPES
from bigcommerce.customers import (
    CUT,
    DELIVERY,
    DROPPED,
    EMAIL_MAX_LENGTH,
    INVOICE,
    REFUSED,
    TEXT_LIMITS,
    TooLong,
    customer_to_partner_values,
    email_key,
    fit_contact_values,
    values_digest,
)
from bigcommerce.shipments import completed_before, shipment_values
from bigcommerce.webhook import WebhookMalformed, webhook_subject
from simulator import BigCommerceSimulator, generate_store, webhooks
from simulator.__main__ import deliver_customer_and_shipment_webhooks
from simulator.state import StoreState

HASH, TOKEN, SECRET = "custstore", "cust-token", "cust-secret"


@pytest.fixture
def sim():
    with BigCommerceSimulator(
        store_hash=HASH, access_token=TOKEN, client_secret=SECRET, quota=None
    ) as simulator:
        yield simulator


@pytest.fixture
def client(sim):
    return BigCommerceClient(HASH, TOKEN, base_url=sim.base_url)


def customer_payload(**values):
    customer = {
        "id": 32,
        "email": " Jane@Example.com ",
        "first_name": "Jane",
        "last_name": "Doe",
        "company": "Doe Corp",
        "phone": "555-0100",
        "addresses": [
            {
                "id": 61,
                "customer_id": 32,
                "first_name": "Dock",
                "last_name": "",
                "company": "",
                "address1": "9 Warehouse Lane",
                "address2": "",
                "city": "Leeds",
                "state_or_province": "",
                "postal_code": "LS1 1AA",
                "country_code": "gb",
                "phone": "",
            },
            {
                "id": 60,
                "customer_id": 32,
                "first_name": "",
                "last_name": "",
                "company": "Doe Corp",
                "address1": "1 Main Street",
                "address2": "Suite 4",
                "city": "Austin",
                "state_or_province": "Texas",
                "postal_code": "78701",
                "country_code": "US",
                "phone": "555-0101",
            },
        ],
    }
    customer.update(values)
    return customer


# -- mapping -----------------------------------------------------------------


def test_customer_values_with_billing_and_delivery_contacts():
    mapped = customer_to_partner_values(customer_payload())
    partner = mapped["partner"]
    assert partner["name"] == "Jane Doe"
    assert partner["email"] == "jane@example.com"
    assert (partner["phone"], partner["company_name"]) == ("555-0100", "Doe Corp")
    # The first address (lowest id) is the billing address, on the partner too.
    assert (partner["street"], partner["state_name"]) == ("1 Main Street", "Texas")
    assert mapped["billing"]["street2"] == "Suite 4"
    assert mapped["billing"]["name"] == "Doe Corp"
    assert [address_id for address_id, _v in mapped["addresses"]] == [60, 61]
    leeds = dict(mapped["addresses"])[61]
    assert (leeds["name"], leeds["country_code"], leeds["state_name"]) == (
        "Dock",
        "GB",
        False,
    )
    assert (INVOICE, DELIVERY) == ("invoice", "delivery")


def test_customer_without_addresses_or_name():
    mapped = customer_to_partner_values(
        customer_payload(first_name="", last_name="", company="", addresses=[])
    )
    assert mapped["partner"]["name"] == "jane@example.com"
    assert mapped["billing"] is None
    assert mapped["addresses"] == []
    assert mapped["partner"]["country_code"] is False


def test_values_digest_tells_changes_apart():
    one = customer_to_partner_values(customer_payload())
    again = customer_to_partner_values(customer_payload())
    assert values_digest(one) == values_digest(again)
    moved = customer_payload()
    moved["addresses"][0]["city"] = "York"
    assert values_digest(customer_to_partner_values(moved)) != values_digest(one)


def test_text_within_limits_is_kept_as_it_is():
    mapped = customer_to_partner_values(customer_payload())
    assert mapped["too_long"] == []
    values = dict(mapped["partner"])
    assert fit_contact_values(values) == (values, [])


def test_huge_name_and_address_are_cut_and_said_so():
    huge = "x" * 100_000
    payload = customer_payload(first_name=huge, company="c" * 300)
    payload["addresses"][1].update(address1=huge, postal_code="9" * 60)
    mapped = customer_to_partner_values(payload)
    partner = mapped["partner"]
    assert partner["name"] == "x" * TEXT_LIMITS["name"]
    assert partner["company_name"] == "c" * 255
    # Address 60 is the billing address: on the partner, cut the same way.
    assert len(partner["street"]) == 255
    assert partner["zip"] == "9" * TEXT_LIMITS["zip"]
    assert mapped["billing"]["street"] == partner["street"]
    assert dict(mapped["addresses"])[60]["street"] == partner["street"]
    assert mapped["too_long"] == [
        TooLong("name", 100_004, 255, CUT),
        TooLong("company_name", 300, 255, CUT),
        TooLong("street", 100_000, 255, CUT, 60),
        TooLong("zip", 60, 50, CUT, 60),
    ]
    # What was cut is not in the digest: the values are.
    assert values_digest(mapped) == values_digest(dict(mapped, too_long=[]))


def test_every_contact_text_has_a_limit():
    values = {
        "name": "n" * 1000,
        "company_name": "c" * 1000,
        "phone": "5" * 1000,
        "street": "s" * 1000,
        "street2": "t" * 1000,
        "city": "y" * 1000,
        "zip": "z" * 1000,
        "state_name": "e" * 1000,
        "country_code": "USA",
        "email": "a" * 300 + "@example.com",
        "comment": "not a contact field: left alone " * 40,
    }
    fitted, too_long = fit_contact_values(values)
    assert {t.field for t in too_long} == set(values) - {"comment"}
    for fname, limit in TEXT_LIMITS.items():
        assert len(fitted[fname]) == limit, fname
    assert fitted["comment"] == values["comment"]
    # Not a country code, not an e-mail: left empty; the e-mail is refused.
    assert (fitted["country_code"], fitted["email"]) == (False, False)
    actions = {t.field: t.action for t in too_long}
    assert (actions["country_code"], actions["email"]) == (DROPPED, REFUSED)
    assert fit_contact_values(fitted) == (fitted, [])


def test_email_longer_than_an_email_is_refused():
    local = "a" * (EMAIL_MAX_LENGTH - len("@example.com"))
    email = f"{local}@example.com"
    at_limit = customer_to_partner_values(customer_payload(email=email))
    assert at_limit["too_long"] == []
    assert len(at_limit["partner"]["email"]) == EMAIL_MAX_LENGTH
    over = customer_to_partner_values(customer_payload(email=f"{local}b@example.com"))
    assert over["too_long"] == [TooLong("email", 255, 254, REFUSED)]
    assert over["partner"]["email"] is False


def test_email_key_is_the_one_guests_were_bound_by():
    """Guests' partners keep their external IDs: the key is unchanged."""
    old_key = hashlib.sha1(b"gus@example.com").hexdigest()[:24]
    assert email_key("Gus@Example.com") == old_key


def test_shipment_values():
    shipment = {
        "id": 12,
        "order_id": 251,
        "date_created": "Tue, 05 Mar 2024 10:00:00 +0000",
        "tracking_number": "1Z999",
        "tracking_carrier": "ups",
        "tracking_link": "",
        "generated_tracking_link": "https://track.example/1Z999",
        "shipping_method": "Ground",
        "shipping_provider": "ups",
        "shipping_provider_display_name": "UPS",
        "comments": "",
        "items": [{"order_product_id": 7, "product_id": 77, "quantity": 2}],
    }
    values = shipment_values(shipment, {7: {"id": 7, "sku": "MUG", "name": "Mug"}})
    assert values["bigcommerce_id"] == 12
    assert values["date"] == datetime(2024, 3, 5, 10, 0)
    assert (values["carrier"], values["tracking_number"]) == ("UPS", "1Z999")
    assert values["tracking_link"] == "https://track.example/1Z999"
    assert values["comments"] is False
    assert values["items"] == [
        {"order_product_id": 7, "sku": "MUG", "name": "Mug", "quantity": 2}
    ]
    unnamed = shipment_values(dict(shipment, shipping_provider_display_name=""))
    # Without a display name, the carrier code in words.
    assert unnamed["carrier"] == "UPS"
    assert unnamed["items"][0]["name"] == "Product 77"


# -- webhook subjects ------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "data", "subject"),
    [
        ("store/order/created", webhooks.order_data(250), ("order", (250,))),
        (
            "store/order/refund/created",
            {"type": "order", "id": 250, "refund": {"refund_id": 3}},
            ("refund", (3, 250)),
        ),
        ("store/customer/created", webhooks.customer_data(32), ("customer", (32,))),
        ("store/customer/deleted", webhooks.customer_data(32), ("customer", (32,))),
        (
            "store/customer/address/updated",
            webhooks.customer_address_data(60, 32),
            ("customer", (32,)),
        ),
        (
            "store/shipment/deleted",
            webhooks.shipment_data(12, 251),
            ("shipments", (251,)),
        ),
        ("store/order/message/created", webhooks.order_data(250), None),
        ("store/product/updated", {"type": "product", "id": 5}, None),
    ],
)
def test_webhook_subject(scope, data, subject):
    assert webhook_subject(scope, data) == subject


@pytest.mark.parametrize(
    ("scope", "data"),
    [
        ("store/shipment/created", {"type": "shipment", "id": 12}),
        ("store/customer/address/created", {"type": "customer", "id": 60}),
        ("store/customer/updated", {"type": "customer", "id": True}),
        ("store/customer/created", {"type": "customer", "id": 2**31}),
        ("store/order/refund/created", {"type": "order", "id": 250}),
        ("store/order/refund/created", {"type": "order", "refund": {"refund_id": 3}}),
    ],
)
def test_webhook_subject_without_its_id(scope, data):
    with pytest.raises(WebhookMalformed):
        webhook_subject(scope, data)


def test_handled_scopes_are_known():
    assert HANDLED_SCOPES <= KNOWN_SCOPES
    assert "store/customer/payment/instrument/default/updated" not in HANDLED_SCOPES


def test_simulator_callbacks_are_spec_valid(sim):
    for scope, data in (
        ("store/customer/created", webhooks.customer_data(32)),
        ("store/customer/updated", webhooks.customer_data(32)),
        ("store/customer/deleted", webhooks.customer_data(32)),
        ("store/customer/address/created", webhooks.customer_address_data(60, 32)),
        ("store/customer/address/updated", webhooks.customer_address_data(60, 32)),
        ("store/customer/address/deleted", webhooks.customer_address_data(60, 32)),
        ("store/shipment/created", webhooks.shipment_data(12, 251)),
        ("store/shipment/updated", webhooks.shipment_data(12, 251)),
        ("store/shipment/deleted", webhooks.shipment_data(12, 251)),
    ):
        payload = sim.webhook_payload(scope, data)
        assert sim.validator.validate_callback(scope, payload) == [], scope


# -- the simulator's customers and shipments ---------------------------------------


def test_customer_address_book_and_deletion(sim, client):
    customer = sim.state.add_customer(
        first_name="Ann",
        last_name="Lee",
        email="ann@example.com",
        addresses=[{"country_code": "US"}],
    )
    added = sim.state.add_customer_address(
        customer["id"],
        address1="2 Side Street",
        country_code="CA",
        state_or_province="Ontario",
        at=datetime(2030, 1, 1),
    )
    assert added["country"] == "Canada"
    # Address changes date the customer (so the catch-up sees them).
    assert client.get_customer(customer["id"])["date_modified"].startswith("2030-")
    sim.state.update_customer_address(
        customer["addresses"][0]["id"], city="Dallas", at=datetime(2031, 1, 1)
    )
    fetched = client.get_customer(customer["id"])
    assert [a["city"] for a in fetched["addresses"]] == ["Dallas", "Austin"]
    assert fetched["date_modified"].startswith("2031-")
    sim.state.delete_customer_address(added["id"])
    assert len(client.get_customer(customer["id"])["addresses"]) == 1
    listed = list(client.iter_customers_modified(datetime(2000, 1, 1)))
    assert [c["id"] for c in listed] == [customer["id"]]
    assert "addresses" in listed[0]
    sim.state.delete_customer(customer["id"])
    assert client.get_customer(customer["id"]) is None
    with pytest.raises(KeyError):
        sim.state.update_customer_address(added["id"], city="Nowhere")
    sim.assert_conformant()


def test_get_customers_reads_250_a_call_with_their_addresses(sim, client):
    ids = [
        sim.state.add_customer(
            first_name="Bulk",
            last_name=str(i),
            email=f"bulk{i}@example.com",
            addresses=[{"city": f"City {i}"}] * (i % 3),
        )["id"]
        for i in range(252)
    ]
    sim.state.delete_customer(ids[5])
    sim.reset_log()
    customers = client.get_customers(ids + ids[:3])
    assert sorted(c["id"] for c in customers) == sorted(set(ids) - {ids[5]})
    by_id = {c["id"]: c for c in customers}
    assert [a["city"] for a in by_id[ids[2]]["addresses"]] == ["City 2", "City 2"]
    assert by_id[ids[3]]["addresses"] == []
    queries = [r["query"] for r in sim.requests]
    assert [len(q["id:in"].split(",")) for q in queries] == [250, 2]
    assert {q["include"] for q in queries} == {"addresses"}
    assert client.get_customers([]) == []
    assert len(sim.requests) == 2
    sim.assert_conformant()


def test_completed_before_is_the_end_of_shipping_long_ago():
    moment = datetime(2025, 6, 1)

    def order(status_id, modified):
        return {"status_id": status_id, "date_modified": modified}

    old, recent = "Tue, 01 Apr 2025 10:00:00 +0000", "Mon, 02 Jun 2025 10:00:00 +0000"
    assert completed_before(order(2, old), moment)
    assert completed_before(order(10, old), moment)
    assert not completed_before(order(2, recent), moment)
    assert not completed_before(order(10, recent), moment)
    for status_id in (3, 9, 11, 4, 14):
        assert not completed_before(order(status_id, old), moment)
    assert not completed_before(order(2, ""), moment)


def test_existing_customer_ids_asks_250_a_call(sim, client):
    ids = [
        sim.state.add_customer(
            first_name="Bulk", last_name=str(i), email=f"bulk{i}@example.com"
        )["id"]
        for i in range(252)
    ]
    sim.state.delete_customer(ids[0])
    sim.state.delete_customer(ids[251])
    sim.reset_log()
    assert client.existing_customer_ids(ids) == set(ids[1:251])
    calls = [r["query"]["id:in"].split(",") for r in sim.requests]
    assert [len(call) for call in calls] == [250, 2]
    assert client.existing_customer_ids([]) == set()
    assert len(sim.requests) == 2
    sim.assert_conformant()


def test_shipment_update_and_delete(sim, client):
    sim.state.add_product(sku="MUG", name="Mug", price="10.00")
    order = sim.state.add_order(lines=[{"sku": "MUG", "quantity": 2}])
    line = sim.state.order_products(order["id"])[0]
    shipment = sim.state.add_shipment(
        order["id"],
        [{"order_product_id": line["id"], "quantity": 2}],
        tracking_number="A1",
        tracking_carrier="ups",
    )
    assert client.get_order(order["id"])["status_id"] == 2
    sim.state.update_shipment(order["id"], shipment["id"], tracking_number="B2")
    [fetched] = client.get_order_shipments(order["id"])
    assert fetched["tracking_number"] == "B2"
    assert fetched["generated_tracking_link"].endswith("/ups/B2")
    with pytest.raises(ValueError):
        sim.state.update_shipment(order["id"], shipment["id"], items=[])
    sim.state.delete_shipment(order["id"], shipment["id"])
    assert client.get_order_shipments(order["id"]) == []
    after = client.get_order(order["id"])
    # BigCommerce keeps the status; nothing is shipped any more.
    assert (after["status_id"], after["items_shipped"]) == (2, 0)
    assert after["date_shipped"] == ""
    sim.assert_conformant()


# -- the demo store's customers ---------------------------------------------------

ANCHOR = datetime(2026, 3, 1, tzinfo=UTC)


def test_newcomers_leave_the_orders_as_they_were():
    plain, active = StoreState(), StoreState()
    before = generate_store(plain, seed=5, customers=4, orders=12, anchor=ANCHOR)
    after = generate_store(
        active, seed=5, customers=4, orders=12, anchor=ANCHOR, newcomers=2
    )
    assert after["orders"] == before["orders"]
    assert after["by_status"] == before["by_status"]
    assert plain.snapshot()["orders"] == active.snapshot()["orders"]
    assert len(after["customers_without_orders"]) == 2
    assert not {record.data["customer_id"] for record in active.orders.values()} & set(
        after["customers_without_orders"]
    )
    [moved] = after["address_changes"]
    assert len(active.customers[moved]["addresses"]) == (
        len(plain.customers[moved]["addresses"]) + 1
    )
    assert "customers_without_orders" not in before


def test_customer_and_shipment_webhooks_of_the_demo(sim):
    received = []

    def app(environ, start_response):
        received.append(Request(environ).get_json())
        return Response("ok")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        generated = generate_store(
            sim.state, seed=3, customers=3, orders=14, anchor=ANCHOR, newcomers=1
        )
        url = f"http://127.0.0.1:{server.server_port}/hook"
        summary = deliver_customer_and_shipment_webhooks(sim, url, generated)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    shipments = sum(len(r.shipments) for r in sim.state.orders.values())
    assert shipments
    assert summary == {
        "store/customer/created": {"sent": 4, "accepted": 4},
        "store/customer/address/created": {"sent": 1, "accepted": 1},
        "store/shipment/created": {"sent": shipments, "accepted": shipments},
    }
    assert {
        p["data"]["id"] for p in received if p["scope"].endswith("/created")
    } >= set(sim.state.customers)
    sim.assert_conformant()
