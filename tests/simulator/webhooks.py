# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook callbacks: BigCommerce's envelope, signed the Standard Webhooks way.

The signature is ``v1,`` + base64(HMAC-SHA256(key = the raw client_secret
bytes, msg = ``{webhook-id}.{webhook-timestamp}.{raw body}``)); receivers
verify with ``standardwebhooks.Webhook(base64(client_secret))``. Signing uses
the same library, keyed with the raw secret bytes.
"""

import hashlib
import json
import uuid
from datetime import UTC, datetime

import requests
from standardwebhooks import Webhook


def envelope(
    store_hash: str, store_id: str, scope: str, data: dict, created_at
) -> dict:
    """The callback body; ``hash`` is the SHA-1 of the JSON ``data`` (stable
    across re-deliveries, which is what receivers de-duplicate on)."""
    digest = hashlib.sha1(
        json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    ).hexdigest()
    return {
        "scope": scope,
        "store_id": str(store_id),
        "data": data,
        "hash": digest,
        "created_at": int(created_at),
        "producer": f"stores/{store_hash}",
    }


def sign(client_secret: str, body: bytes, webhook_id: str, timestamp: int) -> dict:
    """The three Standard Webhooks headers for ``body``."""
    when = datetime.fromtimestamp(int(timestamp), UTC)
    signature = Webhook(client_secret.encode()).sign(
        msg_id=webhook_id, timestamp=when, data=body.decode()
    )
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": signature,
    }


def new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def post(url: str, body: bytes, headers: dict, timeout: float = 10.0) -> tuple:
    """POST a signed callback; ``(status, response text)``."""
    response = requests.post(
        url,
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=timeout,
    )
    return response.status_code, response.text


# The ``data`` of each callback family, as BigCommerce sends it (API-NOTES
# §6): note the camelCase ``orderId`` of shipments, and that an address
# callback's ``id`` is the address's.
def order_data(order_id: int) -> dict:
    return {"type": "order", "id": int(order_id)}


def customer_data(customer_id: int) -> dict:
    return {"type": "customer", "id": int(customer_id)}


def customer_address_data(address_id: int, customer_id: int) -> dict:
    return {
        "type": "customer",
        "id": int(address_id),
        "address": {"customer_id": int(customer_id)},
    }


def shipment_data(shipment_id: int, order_id: int) -> dict:
    return {"type": "shipment", "id": int(shipment_id), "orderId": int(order_id)}
