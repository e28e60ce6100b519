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

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


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
    try:
        envelope = json.loads(body_text)
    except ValueError as exc:
        raise WebhookMalformed("body is not JSON") from exc
    if not isinstance(envelope, dict):
        raise WebhookMalformed("body is not a JSON object")
    return envelope
