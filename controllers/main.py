# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook endpoint: verify, enqueue, answer. Nothing else.

No BigCommerce call and no accounting happens here; BigCommerce measures
webhook success over a sliding window and blocklists slow or failing
destinations, so the answer must be fast. A valid delivery is one short
transaction of one statement: the store and its secret come from a cache
of the worker (``bigcommerce.backend._webhook_stores()``), the signature is
checked, and one statement, an ``INSERT ... ON CONFLICT DO NOTHING``, claims
the delivery's id, logs it and stores its job
(``bigcommerce.webhook.log._claim()``).

Anyone can call this route: whatever arrives gets a 4xx unless it is a
signed, sensible delivery, and nothing an unauthenticated caller sends is
read beyond the size limit.
"""

import logging
import re

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..bigcommerce.const import is_known_scope
from ..bigcommerce.webhook import (
    MAX_BODY_BYTES,
    WebhookMalformed,
    WebhookRejected,
    delivery_id,
    read_body,
    verify_webhook,
    webhook_subject,
)
from ..components.kinds import kind_of_subject
from ..models.bigcommerce_backend import WEBHOOK_ROUTE

_logger = logging.getLogger(__name__)

# Webhook keys are secrets.token_urlsafe() values.
WEBHOOK_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")


def _answer(status, message):
    return request.make_json_response({"status": message}, status=status)


def _logged(store, status, message, reason=None, envelope=None, webhook_id=None):
    """Answer, and keep the delivery in the store's log (a delivery to an
    address no store has is only in the server's log).

    A delivery refused before a signed envelope was read (too large,
    unsigned, not JSON) may be one of a flood anyone can send: beyond the
    first few of a minute, it is only counted.

    :param store: the store the address is of (the cache's
        ``WebhookStore``), or ``None``.
    """
    if store:
        log = request.env["bigcommerce.webhook.log"].sudo()
        outcome = message if message == "ignored" else "refused"
        reason = reason or (message if outcome == "refused" else None)
        if outcome == "refused" and envelope is None:
            log._record_refused(store, status, reason, webhook_id=webhook_id)
        else:
            log._record(
                store,
                outcome,
                status,
                reason=reason,
                envelope=envelope,
                webhook_id=webhook_id,
            )
    return _answer(status, message)


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
        # Odoo's router lets OPTIONS through to every route.
        if httprequest.method != "POST":
            response = _answer(405, "method not allowed")
            response.headers["Allow"] = "POST"
            return response
        store = None
        if WEBHOOK_KEY_RE.fullmatch(webhook_key):
            store = (
                request.env["bigcommerce.backend"]
                .sudo()
                ._webhook_stores()
                .get(webhook_key)
            )
        raw_body = read_body(httprequest)
        if raw_body is None:
            _logger.warning(
                "BigCommerce webhook refused: body over %s bytes", MAX_BODY_BYTES
            )
            return _logged(
                store,
                413,
                "payload too large",
                f"body over {MAX_BODY_BYTES} bytes",
                webhook_id=delivery_id(httprequest.headers),
            )
        try:
            # An unknown or archived store is refused exactly like a bad
            # signature: the answer says nothing about which stores exist.
            envelope = verify_webhook(
                raw_body,
                httprequest.headers,
                store.client_secret if store else None,
            )
        except WebhookMalformed as exc:
            _logger.warning("BigCommerce webhook refused: %s", exc.reason)
            return _logged(
                store,
                400,
                "malformed payload",
                exc.reason,
                webhook_id=delivery_id(httprequest.headers),
            )
        except WebhookRejected as exc:
            _logger.warning(
                "BigCommerce webhook refused%s: %s",
                f" for store {store.id}" if store else "",
                exc.reason,
            )
            return _logged(
                store,
                401,
                "invalid signature",
                f"invalid signature: {exc.reason}",
                webhook_id=delivery_id(httprequest.headers),
            )

        scope = envelope.get("scope")
        data = envelope.get("data")
        producer = envelope.get("producer")
        webhook_id = delivery_id(httprequest.headers)
        if not isinstance(scope, str) or not isinstance(data, dict) or not webhook_id:
            _logger.warning("BigCommerce webhook refused: no scope, data or id")
            return _logged(
                store,
                400,
                "malformed payload",
                "no scope, data or webhook id",
                envelope=envelope,
                webhook_id=webhook_id,
            )
        if producer and producer != f"stores/{store.store_hash}":
            _logger.warning("BigCommerce webhook refused: wrong producer")
            return _logged(
                store,
                400,
                "wrong store",
                "sent by another store",
                envelope=envelope,
                webhook_id=webhook_id,
            )
        if not is_known_scope(scope):
            _logger.warning("BigCommerce webhook refused: unknown scope")
            return _logged(
                store,
                400,
                "unknown scope",
                envelope=envelope,
                webhook_id=webhook_id,
            )
        try:
            subject = webhook_subject(scope, data)
        except WebhookMalformed as exc:
            _logger.warning("BigCommerce webhook refused: %s", exc.reason)
            return _logged(
                store,
                400,
                "malformed payload",
                exc.reason,
                envelope=envelope,
                webhook_id=webhook_id,
            )
        if subject is None:
            _logger.debug("BigCommerce webhook %s acknowledged, not handled", scope)
            return _logged(
                store,
                200,
                "ignored",
                "the connector does not handle this scope",
                envelope=envelope,
                webhook_id=webhook_id,
            )
        subject_kind, args = subject
        # The kind of record the delivery feeds, from the registry.
        kind = kind_of_subject(subject_kind)
        # Jobs from webhooks run as the system user (OdooBot), in the
        # store's company.
        backend = (
            request.env["bigcommerce.backend"]
            .with_user(SUPERUSER_ID)
            .with_context(company_id=store.company_id)
            .browse(store.id)
        )
        job = kind.webhook_job(backend, *args, store_name=store.name)
        # One statement claims the delivery's id, logs it and stores its job.
        log = request.env["bigcommerce.webhook.log"].sudo()
        if not log._claim(store, envelope, webhook_id, job=job):
            _logger.info(
                "BigCommerce webhook %s already received (store %s)",
                webhook_id,
                store.id,
            )
            return _answer(200, "duplicate")
        if job is None:
            # queue_job's tools are at work (a test's trap_jobs()).
            job = kind.delay_import(backend, *args, **kind.webhook_options)
            log._link_job(store, webhook_id, job)
        _logger.info(
            "BigCommerce webhook %s for %s %s queued (store %s)",
            scope,
            subject_kind,
            args[0],
            store.id,
        )
        return _answer(200, "queued")
