# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Seeded demo data, and the command-line demo store."""

import base64
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests
from standardwebhooks import Webhook
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from simulator import generate_store
from simulator.state import StoreState

ANCHOR = datetime(2026, 5, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def generated(seed, **options):
    state = StoreState(store_hash="gen")
    summary = generate_store(state, seed=seed, anchor=ANCHOR, **options)
    return state, summary


def test_same_seed_same_store():
    first, summary = generated(42)
    second, again = generated(42)
    assert summary == again
    assert first.snapshot() == second.snapshot()
    third, _ = generated(43)
    assert third.snapshot() != first.snapshot()


def test_a_longer_history_spreads_the_same_orders():
    plain, summary = generated(42)
    default, again = generated(42, span_days=42)
    assert again == summary
    assert default.snapshot() == plain.snapshot()
    state, long = generated(42, span_days=730)
    assert long["by_status"] == summary["by_status"]
    created = [state.order_record(i).data["date_created"] for i in long["orders"]]
    assert min(created) >= ANCHOR - timedelta(days=730)
    assert max(created) <= ANCHOR - timedelta(days=1)
    assert min(created) < ANCHOR - timedelta(days=365)
    for order_id in summary["orders"]:
        assert [
            (line["sku"], line["quantity"])
            for line in state.order_record(order_id).products
        ] == [
            (line["sku"], line["quantity"])
            for line in plain.order_record(order_id).products
        ]


def test_the_showcase_adds_its_orders_and_changes_no_other():
    plain, summary = generated(42)
    state, shown = generated(42, showcase=True)
    showcase = shown["showcase"]
    added = [showcase["fee"], showcase["store_rate"], *showcase["unknown"].values()]
    assert shown["orders"] == summary["orders"] + added
    for order_id in summary["orders"]:
        assert state.render_order(order_id) == plain.render_order(order_id)
    fees = state.order_fees(showcase["fee"])
    assert [(f["display_name_merchant"], f["cost_ex_tax"]) for f in fees] == [
        ("Package protection", "2.5000")
    ]
    foreign = state.render_order(showcase["store_rate"])
    assert foreign["currency_code"] == "EUR"
    assert Decimal(foreign["store_default_to_transactional_exchange_rate"]) == (
        Decimal("0.9350")
    )
    skus = {
        setting: [p["sku"] for p in state.order_record(order_id).products]
        for setting, order_id in showcase["unknown"].items()
    }
    assert skus == {
        "hold": ["TOTE-CNV", "CANDLE-SOY"],
        "create": ["TOTE-CNV", "APRON-DNM"],
        "fallback": ["TOTE-CNV", "SOCKS-WOOL"],
    }
    assert not {"CANDLE-SOY", "APRON-DNM", "SOCKS-WOOL"} & set(state.products)
    # In the last days before the anchor, each placed and paid.
    for order_id in added:
        order = state.render_order(order_id)
        placed = parsedate_to_datetime(order["date_created"])
        assert ANCHOR - timedelta(days=6) < placed < ANCHOR
        assert order["payment_status"] == "captured"


def test_default_store_covers_what_an_importer_meets():
    state, summary = generated(42)
    assert len(summary["customers"]) == 10 and len(summary["orders"]) == 36
    orders = [state.render_order(i) for i in summary["orders"]]
    lines = [p for i in summary["orders"] for p in state.order_products(i)]
    discounts = [d for line in lines for d in line["applied_discounts"]]
    coupon_types = {c["type"] for r in state.orders.values() for c in r.coupons}

    assert {o["is_tax_inclusive_pricing"] for o in orders} == {True, False}
    assert coupon_types >= {0, 1, 2, 3, 4}
    assert any(d["name"] == "Manual Discount" for d in discounts)
    assert any(o["customer_id"] == 0 for o in orders)
    assert {o["currency_code"] for o in orders} >= {"USD", "EUR", "GBP"}
    assert any(o.get("store_default_currency_code") == "USD" for o in orders)
    assert {p["type"] for p in lines} == {"physical", "digital", "giftcertificate"}
    assert any(Decimal(o["gift_certificate_amount"]) > 0 for o in orders)
    assert any(Decimal(o["store_credit_amount"]) > 0 for o in orders)
    for charge in ("shipping", "handling", "wrapping"):
        assert any(Decimal(o[f"{charge}_cost_inc_tax"]) > 0 for o in orders), charge
    assert len({o["status_id"] for o in orders}) >= 14
    assert len(state.refunds) >= 2
    assert sum(len(r.shipments) for r in state.orders.values()) >= 3
    assert any(p["product_options"] for p in lines)
    for order in orders:
        created = state.order_record(order["id"]).data["date_created"]
        modified = state.order_record(order["id"]).data["date_modified"]
        assert ANCHOR - timedelta(days=43) <= created <= modified <= ANCHOR
    ids = summary["orders"]
    created = [state.order_record(i).data["date_created"] for i in ids]
    assert created == sorted(created)


def test_generated_refunds_and_statuses_agree():
    for seed in (5, 42):
        state, _ = generated(seed)
        refunded = {refund["order_id"] for refund in state.refunds.values()}
        statuses = {state.order_record(o).data["status_id"] for o in refunded}
        # A whole refund (Refunded) and a part one (Partially Refunded)...
        assert statuses == {4, 14}, seed
        # ...and no order says it was refunded without a refund.
        assert refunded == {
            order_id
            for order_id, record in state.orders.items()
            if record.data["status_id"] in (4, 14)
        }, seed
        partly_shipped = [
            record for record in state.orders.values() if record.data["status_id"] == 3
        ]
        assert partly_shipped, seed
        for record in partly_shipped:
            assert record.shipments
            assert 0 < record.data["items_shipped"] < record.data["items_total"]


def test_small_and_customerless_stores():
    state, summary = generated(1, customers=0, orders=3)
    assert summary["customers"] == []
    assert len(summary["orders"]) == 3
    assert all(state.render_order(i)["customer_id"] == 0 for i in summary["orders"])
    state, summary = generated(1, customers=2, orders=50)
    assert len(summary["orders"]) == 50
    assert sum(summary["by_status"].values()) == 50


# -- the command line ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    def __init__(self):
        self.received = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        ).start()

    def app(self, environ, start_response):
        request = Request(environ)
        self.received.append((dict(request.headers), request.get_data()))
        return Response("ok")(environ, start_response)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def read_until(process, marker, deadline) -> list:
    """Output lines up to the one holding ``marker``; never waits past ``deadline``."""
    lines = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    ).start()
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line.rstrip("\n"))
        if marker in line:
            return seen
    raise AssertionError(f"no {marker!r} in output within the time limit: {seen}")


def test_cli_serves_a_seeded_store_and_delivers_signed_webhooks():
    port, receiver = free_port(), Receiver()
    command = [
        sys.executable,
        "-m",
        "simulator",
        "--port",
        str(port),
        "--seed",
        "42",
        "--orders",
        "16",
        "--customers",
        "3",
        "--store-hash",
        "demo123",
        "--token",
        "demo-token",
        "--client-secret",
        "demo-secret",
        "--quota",
        "150",
        "--deliver-webhooks-to",
        receiver.url,
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO / "tests",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        output = read_until(process, "Serving", time.monotonic() + 60)
        assert f"http://127.0.0.1:{port}" in output[0]
        assert any("demo-token" in line for line in output)
        response = requests.get(
            f"http://127.0.0.1:{port}/stores/demo123/v2/orders",
            headers={"X-Auth-Token": "demo-token"},
            params={"limit": 250},
            timeout=10,
        )
        assert response.status_code == 200
        orders = response.json()
        assert len(orders) == 15  # the sixteenth is incomplete: not listed,
        assert all(o["status_id"] != 0 for o in orders)
        assert response.headers["X-Rate-Limit-Requests-Quota"] == "150"
        verifier = Webhook(base64.b64encode(b"demo-secret").decode())
        delivered = [
            verifier.verify(body, headers) for headers, body in receiver.received
        ]
        # but announced, as BigCommerce announces every order it creates.
        incomplete = requests.get(
            f"http://127.0.0.1:{port}/stores/demo123/v2/orders",
            headers={"X-Auth-Token": "demo-token"},
            params={"limit": 250, "status_id": 0},
            timeout=10,
        ).json()
        assert [o["status_id"] for o in incomplete] == [0]
        assert sorted(p["data"]["id"] for p in delivered) == sorted(
            o["id"] for o in orders + incomplete
        )
        assert any("Incomplete: 1/1 accepted" in line for line in output)
        assert {p["scope"] for p in delivered} == {"store/order/created"}
        assert any(
            "Awaiting Fulfillment:" in line and "accepted" in line for line in output
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        receiver.close()
