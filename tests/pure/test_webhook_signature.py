# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Standard Webhooks signature checks on BigCommerce deliveries."""

import base64
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook

from bigcommerce.webhook import (
    MAX_ID,
    WebhookMalformed,
    WebhookRejected,
    delivery_id,
    positive_int32,
    verify_webhook,
)

SECRET = "bc-client-secret-123"
CALLBACKS = Path(__file__).resolve().parents[3] / "shared/bigcommerce/webhook-callbacks"


def signed_headers(body, secret=SECRET, msg_id="msg_1", timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    # Signed the way BigCommerce documents it: Webhook(base64(client_secret)).
    signer = Webhook(base64.b64encode(secret.encode()).decode())
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    signature = signer.sign(msg_id, moment, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


@pytest.fixture
def body():
    path = CALLBACKS / "store_order_created.json"
    if path.exists():
        return path.read_bytes()
    return json.dumps(
        {"scope": "store/order/created", "data": {"type": "order", "id": 250}}
    ).encode()


def test_valid_delivery_returns_envelope(body):
    envelope = verify_webhook(body, signed_headers(body), SECRET)
    assert envelope["scope"] == "store/order/created"
    assert envelope["data"] == {"type": "order", "id": 250}


def test_header_names_are_case_insensitive(body):
    headers = {k.title(): v for k, v in signed_headers(body).items()}
    assert verify_webhook(body, headers, SECRET)["data"]["id"] == 250


def test_tampered_body_rejected(body):
    headers = signed_headers(body)
    tampered = body.replace(b"250", b"251")
    assert tampered != body
    with pytest.raises(WebhookRejected, match="No matching signature"):
        verify_webhook(tampered, headers, SECRET)


def test_wrong_secret_rejected(body):
    with pytest.raises(WebhookRejected, match="No matching signature"):
        verify_webhook(body, signed_headers(body, secret="other"), SECRET)


def test_no_secret_rejects_never_skips(body):
    for secret in (None, "", False):
        with pytest.raises(WebhookRejected, match="no client secret"):
            verify_webhook(body, signed_headers(body), secret)


@pytest.mark.parametrize("age", [301, 3600])
def test_stale_timestamp_rejected(body, age):
    headers = signed_headers(body, timestamp=int(time.time()) - age)
    with pytest.raises(WebhookRejected, match="too old"):
        verify_webhook(body, headers, SECRET)


def test_future_timestamp_rejected(body):
    headers = signed_headers(body, timestamp=int(time.time()) + 600)
    with pytest.raises(WebhookRejected, match="too new"):
        verify_webhook(body, headers, SECRET)


def test_timestamp_within_tolerance_accepted(body):
    headers = signed_headers(body, timestamp=int(time.time()) - 240)
    assert verify_webhook(body, headers, SECRET)["scope"]


@pytest.mark.parametrize(
    "missing", ["webhook-id", "webhook-timestamp", "webhook-signature"]
)
def test_missing_header_rejected(body, missing):
    headers = signed_headers(body)
    del headers[missing]
    with pytest.raises(WebhookRejected, match="Missing required headers"):
        verify_webhook(body, headers, SECRET)


def test_signature_over_other_message_id_rejected(body):
    headers = signed_headers(body)
    headers["webhook-id"] = "msg_2"
    with pytest.raises(WebhookRejected):
        verify_webhook(body, headers, SECRET)


def test_one_valid_signature_among_several_accepted(body):
    headers = signed_headers(body)
    valid = headers["webhook-signature"]
    wrong = signed_headers(body, secret="rotated-out")["webhook-signature"]
    headers["webhook-signature"] = f"v2,abcd {wrong} {valid}"
    assert verify_webhook(body, headers, SECRET)["data"]["id"] == 250


def test_only_unknown_versions_rejected(body):
    headers = signed_headers(body)
    headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v9,")
    with pytest.raises(WebhookRejected):
        verify_webhook(body, headers, SECRET)


@pytest.mark.parametrize("signature", ["garbage", "v1,not base64!!", "v1,a,b"])
def test_malformed_signature_header_rejected(body, signature):
    headers = signed_headers(body)
    headers["webhook-signature"] = signature
    with pytest.raises(WebhookRejected):
        verify_webhook(body, headers, SECRET)


def test_non_numeric_timestamp_rejected(body):
    headers = signed_headers(body)
    headers["webhook-timestamp"] = "yesterday"
    with pytest.raises(WebhookRejected):
        verify_webhook(body, headers, SECRET)


def test_signed_but_not_json_rejected():
    body = b"scope=store/order/created"
    with pytest.raises(WebhookRejected, match="not JSON"):
        verify_webhook(body, signed_headers(body), SECRET)


def test_signed_json_array_rejected():
    body = b"[1, 2]"
    with pytest.raises(WebhookRejected, match="not a JSON object"):
        verify_webhook(body, signed_headers(body), SECRET)


def test_non_utf8_body_rejected():
    body = b"\xff\xfe{}"
    with pytest.raises(WebhookRejected, match="UTF-8"):
        verify_webhook(
            body,
            {"webhook-id": "a", "webhook-timestamp": "1", "webhook-signature": "v1,x"},
            SECRET,
        )


@given(
    data=st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), max_size=5),
    secret=st.text(min_size=1, max_size=40),
    flip=st.integers(min_value=0),
)
def test_any_signed_body_verifies_and_any_change_fails(data, secret, flip):
    body = json.dumps({"scope": "store/order/updated", "data": data}).encode()
    headers = signed_headers(body, secret=secret)
    assert verify_webhook(body, headers, secret)["data"] == data
    position = flip % len(body)
    changed = body[:position] + bytes([body[position] ^ 0x01]) + body[position + 1 :]
    with pytest.raises(WebhookRejected):
        verify_webhook(changed, headers, secret)


@pytest.mark.parametrize(
    "text",
    [
        '{"data": ' + "[" * 10000 + "]" * 10000 + "}",
        '{"data": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}",
        '{"data": {"id": Infinity}}',
        '{"data": {"id": -Infinity}}',
        '{"data": {"id": NaN}}',
        '{"data": {"id": 1e400}}',
        '{"data": {"id": -1e400}}',
        '{"data": {"id": 1' + "0" * 5000 + "}}",
    ],
)
def test_absurd_signed_json_is_malformed_not_a_crash(text):
    body = text.encode()
    with pytest.raises(WebhookMalformed):
        verify_webhook(body, signed_headers(body), SECRET)


def test_ordinary_numbers_still_decode():
    body = b'{"data": {"id": 250, "rate": 1.5e2}}'
    assert verify_webhook(body, signed_headers(body), SECRET)["data"] == {
        "id": 250,
        "rate": 150.0,
    }


@pytest.mark.parametrize(
    "value",
    [True, False, 1.5, 250.0, " 102 ", "102", None, [], {}, 0, -1, MAX_ID + 1, 10**30],
)
def test_only_json_integers_in_range_are_ids(value):
    assert positive_int32(value) is None


@pytest.mark.parametrize("value", [1, 250, MAX_ID])
def test_ids_in_range(value):
    assert positive_int32(value) == value


def test_delivery_id():
    assert delivery_id({"Webhook-Id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"}) == (
        "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
    )
    for bad in ("", "a b", "x" * 129, "msg\x00", "é"):
        assert delivery_id({"webhook-id": bad}) is None
    assert delivery_id({}) is None
