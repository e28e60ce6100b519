# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook callbacks: BigCommerce's envelope, Standard Webhooks signatures."""

import base64
import hashlib
import json
import threading
import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from simulator import BigCommerceSimulator, webhooks
from simulator.spec import resolve_spec_dir

SECRET = "hook-secret-1"


class Receiver:
    """A local HTTP endpoint that keeps what it is sent."""

    def __init__(self, status=200):
        self.status = status
        self.received = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/bigcommerce/webhook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        )

    def app(self, environ, start_response):
        request = Request(environ)
        self.received.append((dict(request.headers), request.get_data()))
        return Response("ok", status=self.status)(environ, start_response)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sim():
    with BigCommerceSimulator(store_hash="hookstore", client_secret=SECRET) as s:
        yield s


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def verifier(secret=SECRET):
    """How a receiver verifies: the library keyed with base64(client_secret)."""
    return Webhook(base64.b64encode(secret.encode()).decode())


def test_delivered_callback_verifies_with_the_client_secret(sim, receiver):
    status, body = sim.deliver_webhook(
        receiver.url, scope="store/order/created", data={"type": "order", "id": 250}
    )
    assert (status, body) == (200, "ok")
    ((headers, raw),) = receiver.received
    payload = verifier().verify(raw, headers)
    assert payload["scope"] == "store/order/created"
    assert payload["data"] == {"type": "order", "id": 250}
    assert payload["producer"] == "stores/hookstore"
    assert isinstance(payload["store_id"], str) and payload["store_id"].isdigit()
    assert abs(payload["created_at"] - time.time()) < 60
    expected_hash = hashlib.sha1(b'{"id":250,"type":"order"}').hexdigest()
    assert payload["hash"] == expected_hash
    assert headers["Content-Type"] == "application/json"
    assert headers["Webhook-Signature"].startswith("v1,")
    sim.assert_conformant()


def test_envelope_has_the_keys_of_bigcommerces_own_callbacks(sim, receiver):
    fixtures = resolve_spec_dir().parent / "webhook-callbacks"
    if not fixtures.is_dir():
        pytest.skip(f"no webhook fixtures beside the specs ({fixtures})")
    sample = json.loads((fixtures / "store_order_refund_created.json").read_text())
    sim.deliver_webhook(
        receiver.url,
        scope=sample["scope"],
        data={"type": "order", "id": 250, "refund": {"refund_id": 3}},
    )
    payload = json.loads(receiver.received[0][1])
    assert set(payload) == set(sample)
    assert payload["data"] == sample["data"]
    sim.assert_conformant()


def test_redeliveries_keep_the_hash_but_not_the_id(sim, receiver):
    data = {"type": "order", "id": 7}
    for _ in range(2):
        sim.deliver_webhook(receiver.url, data=data)
    (h1, b1), (h2, b2) = receiver.received
    assert json.loads(b1)["hash"] == json.loads(b2)["hash"]
    assert h1["Webhook-Id"] != h2["Webhook-Id"]


def test_wrong_secret_and_tampering_are_detected(sim, receiver):
    sim.deliver_webhook(receiver.url, data={"type": "order", "id": 1}, secret="other")
    headers, raw = receiver.received[0]
    with pytest.raises(WebhookVerificationError):
        verifier().verify(raw, headers)
    assert verifier("other").verify(raw, headers)["data"]["id"] == 1
    body = b'{"scope":"store/order/created","data":{"type":"order","id":2}}'
    signed = sim.sign_webhook(body, "msg_1", int(time.time()))
    assert verifier().verify(body, signed)["data"]["id"] == 2
    with pytest.raises(WebhookVerificationError):
        verifier().verify(body.replace(b"2", b"3"), signed)


def test_sign_webhook_headers_and_stale_timestamps(sim):
    body = b'{"a":1}'
    stamp = int(time.time()) - 3600
    headers = sim.sign_webhook(body, "msg_fixed", stamp)
    assert headers["webhook-id"] == "msg_fixed"
    assert headers["webhook-timestamp"] == str(stamp)
    assert headers == sim.sign_webhook(body, "msg_fixed", stamp)
    with pytest.raises(WebhookVerificationError, match="too old"):
        verifier().verify(body, headers)


def test_receiver_status_is_reported(sim):
    with Receiver(status=503) as failing:
        status, _body = sim.deliver_webhook(
            failing.url, data={"type": "order", "id": 3}
        )
    assert status == 503


def test_callback_bodies_are_checked_against_the_webhooks_spec(sim, receiver):
    sim.deliver_webhook(
        receiver.url,
        scope="store/shipment/created",
        data={"type": "shipment", "id": "twelve", "orderId": 251},
    )
    assert any(
        "store/shipment/created" in e and "/data/id" in e for e in sim.spec_errors
    )
    with pytest.raises(AssertionError):
        sim.assert_conformant()


@pytest.mark.parametrize(
    ("fixture", "scope", "data"),
    [
        ("store_customer_created.json", "store/customer/created", "customer"),
        (
            "store_customer_address_created.json",
            "store/customer/address/created",
            "address",
        ),
        ("store_shipment_updated.json", "store/shipment/updated", "shipment"),
    ],
)
def test_customer_and_shipment_callbacks_are_bigcommerces(
    sim, receiver, fixture, scope, data
):
    """The simulator sends customer, address and shipment callbacks with the
    ``data`` of BigCommerce's own samples, signed."""
    fixtures = resolve_spec_dir().parent / "webhook-callbacks"
    if not fixtures.is_dir():
        pytest.skip(f"no webhook fixtures beside the specs ({fixtures})")
    sample = json.loads((fixtures / fixture).read_text())
    data = {
        "customer": lambda: webhooks.customer_data(32),
        "address": lambda: webhooks.customer_address_data(60, 32),
        "shipment": lambda: webhooks.shipment_data(12, 251),
    }[data]()
    status, _body = sim.deliver_webhook(receiver.url, scope=scope, data=data)
    assert status == 200
    ((headers, raw),) = receiver.received
    payload = verifier().verify(raw, headers)
    assert payload["scope"] == scope
    assert payload["data"] == sample["data"]
    sim.assert_conformant()
