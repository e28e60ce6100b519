# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Verify BigCommerce webhook deliveries (Standard Webhooks signatures).

BigCommerce signs each delivery with the app's client secret, as the
Standard Webhooks spec describes: ``webhook-signature`` holds
``v1,<base64(HMAC-SHA256(secret, "{webhook-id}.{webhook-timestamp}.{body}"))>``
and the timestamp must be within five minutes. The ``standardwebhooks``
library does the checking; this module only feeds it the raw client secret
and turns every way a delivery can be wrong into one exception type.
"""

import binascii
import json
import math
import re
from datetime import timedelta

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from .const import (
    HANDLED_CUSTOMER_ADDRESS_SCOPES,
    HANDLED_CUSTOMER_SCOPES,
    HANDLED_ORDER_SCOPES,
    HANDLED_SHIPMENT_SCOPES,
    REFUND_CREATED_SCOPE,
)

# BigCommerce ids are 32-bit signed integers.
MAX_ID = 2**31 - 1
# The Standard Webhooks libraries accept a timestamp this far from now, in
# the past or the future; a signed delivery can be replayed verbatim for as
# long as its timestamp is within it, twice the tolerance in all.
TIMESTAMP_TOLERANCE = timedelta(minutes=5)
REPLAY_WINDOW = 2 * TIMESTAMP_TOLERANCE
# Standard Webhooks message ids ("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W").
_WEBHOOK_ID_RE = re.compile(r"[\x21-\x7e]{1,128}")


def delivery_id(headers):
    """The ``webhook-id`` of a verified delivery, or ``None`` when it is not
    a short printable token."""
    value = {str(k).lower(): v for k, v in dict(headers).items()}.get("webhook-id")
    if isinstance(value, str) and _WEBHOOK_ID_RE.fullmatch(value):
        return value
    return None


class WebhookRejected(Exception):
    """The delivery is not trustworthy or not usable; ``reason`` says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class WebhookMalformed(WebhookRejected):
    """Correctly signed, but the body is not a JSON object."""


def verify_webhook(raw_body, headers, client_secret):
    """Check the signature of ``raw_body`` and return the decoded envelope.

    :param raw_body: the request body exactly as received (bytes).
    :param headers: the request headers (any mapping; names are matched
        case-insensitively).
    :param client_secret: the store API account's client secret. Without
        one nothing is accepted.
    :raises WebhookRejected: missing secret or headers, stale or future
        timestamp, no matching signature.
    :raises WebhookMalformed: a signed body that is not a JSON object.
    """
    if not client_secret:
        raise WebhookRejected("no client secret configured")
    if isinstance(raw_body, str):
        raw_body = raw_body.encode()
    try:
        body_text = raw_body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookRejected("body is not UTF-8") from exc
    # BigCommerce's docs: Webhook(base64(client_secret)); passing the raw
    # bytes is the same key without the round trip.
    verifier = Webhook(client_secret.encode("utf-8"))
    plain_headers = {str(k): str(v) for k, v in dict(headers).items()}
    try:
        verifier.verify(body_text, plain_headers, json_parse=False)
    except WebhookVerificationError as exc:
        raise WebhookRejected(str(exc)) from exc
    except (ValueError, binascii.Error) as exc:
        # A signature header that is not "version,base64" pairs.
        raise WebhookRejected("malformed signature header") from exc
    envelope = parse_json(body_text)
    if not isinstance(envelope, dict):
        raise WebhookMalformed("body is not a JSON object")
    return envelope


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def parse_json(text):
    """Strict JSON: no ``NaN``/``Infinity``, no number that overflows to
    infinity, no nesting deeper than Python can decode.

    :raises WebhookMalformed: anything else than plain JSON.
    """
    try:
        return json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite_float
        )
    except RecursionError as exc:
        raise WebhookMalformed("body is nested too deeply") from exc
    except ValueError as exc:
        raise WebhookMalformed("body is not JSON") from exc


def positive_int32(value):
    """``value`` if it is a JSON integer in 1..2**31-1 (BigCommerce's ids),
    else ``None``: no booleans, floats, strings or out-of-range numbers."""
    if type(value) is int and 0 < value <= MAX_ID:
        return value
    return None


# BigCommerce's callbacks are a few hundred bytes; anything near this is not
# one of them.
MAX_BODY_BYTES = 64 * 1024
# Where the body read (at most MAX_BODY_BYTES + 1 bytes) is kept: Odoo
# dispatches the request again after a concurrency error, and the stream
# can be read once.
BODY_ENVIRON_KEY = "bigcommerce_connector.body"


def read_body(httprequest, limit=MAX_BODY_BYTES):
    """The request body, or ``None`` when it is larger than ``limit``.

    Reads at most ``limit + 1`` bytes from the stream, whether the body
    declares its length or comes in chunks.
    """
    length = httprequest.content_length
    if length is not None and length > limit:
        return None
    body = httprequest.environ.get(BODY_ENVIRON_KEY)
    if body is None:
        # Odoo's request wrapper offers get_data(), which reads the whole
        # body, but not werkzeug's stream: take it from the wrapped request.
        stream = getattr(httprequest, "_HTTPRequest__wrapped", httprequest).stream
        chunks, size = [], 0
        while size <= limit:
            chunk = stream.read(limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        body = httprequest.environ[BODY_ENVIRON_KEY] = b"".join(chunks)
    return body if len(body) <= limit else None


def webhook_subject(scope, data):
    """What a delivery asks to import, as ``(kind, arguments of its job)``:
    ``("order", (order id,))``, ``("refund", (refund id, order id))``,
    ``("customer", (customer id,))`` or ``("shipments", (order id,))``;
    ``None`` when the connector does not handle the scope.

    Raises :class:`WebhookMalformed` when a handled scope comes without a
    sensible id (API-NOTES §6: a refund names its order ``id`` and itself
    ``refund.refund_id``; an address callback's ``id`` is the address's, its
    customer is ``address.customer_id``; shipments name their order
    ``orderId``).
    """
    if scope == REFUND_CREATED_SCOPE:
        refund = data.get("refund")
        refund_id = positive_int32(
            refund.get("refund_id") if isinstance(refund, dict) else None
        )
        order_id = positive_int32(data.get("id"))
        if refund_id is None or order_id is None:
            raise WebhookMalformed(f"{scope} without a refund or order id")
        return "refund", (refund_id, order_id)
    if scope in HANDLED_ORDER_SCOPES:
        kind, value = "order", data.get("id")
    elif scope in HANDLED_CUSTOMER_SCOPES:
        kind, value = "customer", data.get("id")
    elif scope in HANDLED_CUSTOMER_ADDRESS_SCOPES:
        address = data.get("address")
        kind = "customer"
        value = address.get("customer_id") if isinstance(address, dict) else None
    elif scope in HANDLED_SHIPMENT_SCOPES:
        kind, value = "shipments", data.get("orderId")
    else:
        return None
    object_id = positive_int32(value)
    if object_id is None:
        raise WebhookMalformed(f"{scope} without a {kind} id")
    return kind, (object_id,)
