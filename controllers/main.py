# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook endpoint: verify, enqueue, answer. Nothing else.

No BigCommerce call and no accounting happens here; BigCommerce measures
webhook success over a sliding window and blocklists slow or failing
destinations, so the answer must be fast.
"""

import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..bigcommerce.const import HANDLED_ORDER_SCOPES, is_known_scope
from ..bigcommerce.webhook import WebhookMalformed, WebhookRejected, verify_webhook
from ..models.bigcommerce_backend import WEBHOOK_ROUTE

_logger = logging.getLogger(__name__)

# BigCommerce's callbacks are a few hundred bytes; anything near this is not
# one of them.
MAX_BODY_BYTES = 64 * 1024


def _answer(status, message):
    return request.make_json_response({"status": message}, status=status)


class BigCommerceWebhookController(http.Controller):
    @http.route(
        f"{WEBHOOK_ROUTE}/<string:webhook_key>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def bigcommerce_webhook(self, webhook_key, **_kwargs):
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is not None and length > MAX_BODY_BYTES:
            _logger.warning("BigCommerce webhook refused: body of %s bytes", length)
            return _answer(413, "payload too large")
        # Cached: Odoo may dispatch the request again after a concurrency
        # error, and the signature is checked on these exact bytes.
        raw_body = httprequest.get_data(cache=True)
        if len(raw_body) > MAX_BODY_BYTES:
            _logger.warning(
                "BigCommerce webhook refused: body of %s bytes", len(raw_body)
            )
            return _answer(413, "payload too large")

        backend = (
            request.env["bigcommerce.backend"]
            .sudo()
            .search([("webhook_key", "=", webhook_key), ("active", "=", True)], limit=1)
        )
        try:
            # An unknown or archived store is refused exactly like a bad
            # signature: the answer says nothing about which stores exist.
            envelope = verify_webhook(
                raw_body,
                httprequest.headers,
                backend.client_secret if backend else None,
            )
        except WebhookMalformed as exc:
            _logger.warning("BigCommerce webhook refused: %s", exc.reason)
            return _answer(400, "malformed payload")
        except WebhookRejected as exc:
            _logger.warning(
                "BigCommerce webhook refused%s: %s",
                f" for store {backend.id}" if backend else "",
                exc.reason,
            )
            return _answer(401, "invalid signature")

        scope = envelope.get("scope")
        data = envelope.get("data")
        producer = envelope.get("producer")
        if not isinstance(scope, str) or not isinstance(data, dict):
            _logger.warning("BigCommerce webhook refused: no scope or data")
            return _answer(400, "malformed payload")
        if producer and producer != f"stores/{backend.store_hash}":
            _logger.warning("BigCommerce webhook refused: producer %s", producer)
            return _answer(400, "wrong store")
        if not is_known_scope(scope):
            _logger.warning("BigCommerce webhook refused: unknown scope %s", scope)
            return _answer(400, "unknown scope")
        if scope in HANDLED_ORDER_SCOPES:
            try:
                order_id = int(data["id"])
            except (KeyError, TypeError, ValueError):
                _logger.warning(
                    "BigCommerce webhook refused: %s without order id", scope
                )
                return _answer(400, "malformed payload")
            # Jobs from webhooks run as the system user (OdooBot).
            backend.with_user(SUPERUSER_ID)._delay_import_order(order_id)
            _logger.info(
                "BigCommerce webhook %s for order %s queued (store %s)",
                scope,
                order_id,
                backend.id,
            )
            return _answer(200, "queued")
        _logger.debug("BigCommerce webhook %s acknowledged, not handled", scope)
        return _answer(200, "ignored")
