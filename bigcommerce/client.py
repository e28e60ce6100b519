# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A small BigCommerce REST client on top of ``requests``.

Every call goes through :meth:`BigCommerceClient.request`: base URL, auth
header, timeout, rate-limit pacing, retries and error translation live in
that one place. Listing calls are generators over BigCommerce's two paging
styles (v2 plain arrays, v3 ``meta.pagination`` / cursors).
"""

import logging
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

from . import const
from .exceptions import (
    BigCommerceAuthError,
    BigCommerceConfigError,
    BigCommerceError,
    BigCommerceFatalError,
    BigCommerceNotFoundError,
    BigCommerceRetryableError,
    BigCommerceValidationError,
)

_logger = logging.getLogger(__name__)

# The order with its line items and its fees, in one request.
ORDER_WITH_LINES = {
    "include": "consignments.line_items,fees",
    "consignment_structure": "object",
}


_STORE_HASH_RE = re.compile(const.STORE_HASH_PATTERN)
# Control characters (C0 but tab, newline and return; DEL; C1) never belong
# in text shown to a person or stored in PostgreSQL (which refuses NUL).
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
DETAIL_MAX_CHARS = 200


def check_store_hash(store_hash):
    """The store hash, stripped; :class:`BigCommerceConfigError` unless it
    is the short alphanumeric code BigCommerce gives (it becomes part of
    every request path)."""
    value = (store_hash or "").strip()
    if not _STORE_HASH_RE.fullmatch(value):
        raise BigCommerceConfigError(
            "The store hash must be the letters and digits after /stores/ in "
            "the API path of the store's API account."
        )
    return value


def api_origin(url):
    """``scheme://host[:port]`` of ``url``, lowercased, or ``None`` when
    ``url`` is not a bare http(s) origin (no credentials, path, query or
    fragment)."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}[parts.scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}"


def check_api_base_url(url, allowed_origins=()):
    """The normalized API origin of ``url``; :class:`BigCommerceConfigError`
    unless it is BigCommerce's own API host or one of ``allowed_origins``
    (which the server's configuration names, never a user).

    The access token is sent to this host: a host nobody vetted is how a
    token leaks, or how a request reaches a service it should not.
    """
    origin = api_origin(url)
    allowed = set(const.BIGCOMMERCE_API_ORIGINS)
    allowed.update(filter(None, (api_origin(item) for item in allowed_origins)))
    if origin is None or origin not in allowed:
        raise BigCommerceConfigError(
            "The API host must be BigCommerce's own API host "
            f"({const.DEFAULT_API_BASE_URL}); another host needs to be allowed "
            "in the server's configuration."
        )
    return origin


def clean_text(value):
    """``value`` without control characters (NUL included)."""
    return _CONTROL_CHARS_RE.sub("", value)


def _to_utc(moment):
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_iso_datetime(moment):
    """ISO-8601 with offset, accepted by v2 date filters and v3 RFC 3339."""
    return _to_utc(moment).replace(microsecond=0).isoformat()


def format_customer_datetime(moment):
    """The customers API takes ``2024-05-14T09:34:00`` (UTC, no offset)."""
    return _to_utc(moment).strftime("%Y-%m-%dT%H:%M:%S")


def _int_header(headers, name):
    value = headers.get(name)
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


@dataclass
class RateLimitState:
    """What the last response's ``X-Rate-Limit-*`` headers said.

    ``observed_at`` is the client's monotonic clock when they were read, so
    the time left before the window resets can be computed later.
    """

    window_ms: int = None
    reset_ms: int = None
    quota: int = None
    left: int = None
    observed_at: float = None

    @classmethod
    def from_headers(cls, headers, now):
        state = cls(
            window_ms=_int_header(headers, const.HEADER_WINDOW_MS),
            reset_ms=_int_header(headers, const.HEADER_RESET_MS),
            quota=_int_header(headers, const.HEADER_QUOTA),
            left=_int_header(headers, const.HEADER_LEFT),
            observed_at=now,
        )
        return state if state.left is not None or state.reset_ms else None

    def seconds_until_reset(self, now):
        if self.reset_ms is None or self.observed_at is None:
            return 0.0
        return max(0.0, self.reset_ms / 1000.0 - (now - self.observed_at))


class BigCommerceClient:
    """Talks to one store. Not thread-safe: use one client per job."""

    def __init__(
        self,
        store_hash,
        access_token,
        base_url=const.DEFAULT_API_BASE_URL,
        timeout=30.0,
        max_attempts=5,
        backoff_base=1.0,
        backoff_cap=60.0,
        max_wait=120.0,
        pacing_reserve=2,
        jitter=True,
        session=None,
        sleep=time.sleep,
        clock=time.monotonic,
        rate_limiter=None,
    ):
        """
        :param timeout: ``requests`` timeout (connect and read), in seconds.
        :param max_attempts: tries per request before giving up.
        :param max_wait: longest single wait the client does itself; a longer
            one (a long rate-limit reset, say) is raised as a retryable error
            with ``retry_after`` so a job queue can reschedule instead of
            holding a worker.
        :param pacing_reserve: requests left in the window below which the
            client waits for the window to reset before sending another one
            (all apps on a store share one quota, so leave them some).
        """
        if not store_hash or not access_token:
            raise BigCommerceAuthError("A store hash and an access token are required.")
        self.store_hash = check_store_hash(store_hash)
        self.base_url = api_origin(base_url or const.DEFAULT_API_BASE_URL)
        if self.base_url is None:
            raise BigCommerceConfigError(
                "The API base URL must be a bare http(s) origin, such as "
                f"{const.DEFAULT_API_BASE_URL}."
            )
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_wait = max_wait
        self.pacing_reserve = pacing_reserve
        self.jitter = jitter
        self.sleep = sleep
        self.clock = clock
        self.rate_limit = None
        self.rate_limiter = rate_limiter
        self._session = session or requests.Session()
        self._session.headers.update(
            {
                "X-Auth-Token": access_token.strip(),
                "Accept": "application/json",
            }
        )

    # ------------------------------------------------------------------
    # The one request method
    # ------------------------------------------------------------------
    def url(self, version, path):
        return f"{self.base_url}/stores/{self.store_hash}/v{version}/{path.lstrip('/')}"

    def request(self, method, version, path, params=None, json=None):
        """Send one API request; return the decoded JSON (``None`` on 204).

        Retries 429, 5xx, timeouts and connection errors (waiting as the
        rate-limit headers say, or with bounded exponential backoff), and
        raises a :class:`BigCommerceRetryableError` when they persist, or a
        :class:`BigCommerceFatalError` subclass for a refusal.
        """
        url = self.url(version, path)
        for attempt in range(1, self.max_attempts + 1):
            self._pace()
            try:
                response = self._session.request(
                    method, url, params=params, json=json, timeout=self.timeout
                )
            except requests.Timeout:
                error = BigCommerceRetryableError(
                    f"BigCommerce did not answer {method} {path} in time."
                )
                delay = self._backoff(attempt)
            except requests.ConnectionError as exc:
                error = BigCommerceRetryableError(
                    f"Could not reach BigCommerce at {self.base_url} for {method} "
                    f"{path}: {type(exc).__name__}."
                )
                delay = self._backoff(attempt)
            else:
                self._record_rate_limit(response)
                _logger.debug("%s %s -> %s", method, url, response.status_code)
                if response.status_code < 400:
                    return self._decode(response, method, path)
                if response.status_code not in const.RETRYABLE_STATUSES:
                    error = self._fatal_error(response, method, path)
                    _logger.info("%s (BigCommerce said: %s)", error, error.detail)
                    raise error
                delay = self._retry_delay(response, attempt)
                error = BigCommerceRetryableError(
                    f"BigCommerce answered {response.status_code} to {method} {path}.",
                    status=response.status_code,
                    detail=self._error_detail(response),
                    rate_limited=response.status_code == 429,
                )
            error.retry_after = delay
            if attempt == self.max_attempts or delay > self.max_wait:
                raise error
            _logger.info(
                "BigCommerce %s %s: %s; retrying in %.1fs (attempt %d/%d)",
                method,
                path,
                error.message,
                delay,
                attempt,
                self.max_attempts,
            )
            self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pace(self):
        """Wait for the window to reset when the quota is nearly spent."""
        if self.rate_limiter is not None:
            self._pace_shared()
            return
        state = self.rate_limit
        if state is None or state.left is None or state.left > self.pacing_reserve:
            return
        wait = state.seconds_until_reset(self.clock())
        if wait <= 0:
            return
        if wait > self.max_wait:
            raise BigCommerceRetryableError(
                f"BigCommerce rate limit nearly reached; window resets in {wait:.0f}s.",
                retry_after=wait,
                rate_limited=True,
            )
        _logger.debug("Pacing: %s requests left, waiting %.2fs", state.left, wait)
        self.sleep(wait)
        self.rate_limit = None

    def _pace_shared(self):
        """Wait until the store's shared quota lets one more request go."""
        while True:
            wait = self.rate_limiter.reserve()
            if not wait or wait <= 0:
                return
            if wait > self.max_wait:
                raise BigCommerceRetryableError(
                    "BigCommerce rate limit reached by this store's workers; "
                    f"window resets in {wait:.0f}s.",
                    retry_after=wait,
                    rate_limited=True,
                )
            _logger.debug("Shared pacing: waiting %.2fs", wait)
            self.sleep(wait)

    def _record_rate_limit(self, response):
        state = RateLimitState.from_headers(response.headers, self.clock())
        if state is not None:
            self.rate_limit = state
            if self.rate_limiter is not None:
                self.rate_limiter.observe(state)

    def _backoff(self, attempt):
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        if self.jitter:
            delay += random.uniform(0, self.backoff_base)
        return delay

    def _retry_delay(self, response, attempt):
        if response.status_code != 429:
            return self._backoff(attempt)
        reset_ms = _int_header(response.headers, const.HEADER_RESET_MS)
        retry_after = _int_header(response.headers, const.HEADER_RETRY_AFTER)
        if reset_ms is None and retry_after is None:
            # A 429 without headers: the platform is under load.
            return self._backoff(attempt)
        delay = max((reset_ms or 0) / 1000.0, float(retry_after or 0))
        # Wait longer on each repeat.
        return delay + (self._backoff(attempt - 1) if attempt > 1 else 0.0)

    @staticmethod
    def _decode(response, method, path):
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise BigCommerceError(
                f"BigCommerce answered {method} {path} with a body that is not JSON.",
                status=response.status_code,
            ) from exc

    @staticmethod
    def _error_detail(response):
        """BigCommerce's own words from its v2 or v3 error shapes, cleaned
        and truncated, for the log only: a remote answer is never part of an
        error message."""
        try:
            body = response.json()
        except ValueError:
            return ""
        parts = []
        items = body if isinstance(body, list) else [body]
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            items = body["data"]
        for item in items:
            if not isinstance(item, dict):
                continue
            text = item.get("message") or item.get("title")
            if text:
                parts.append(str(text))
            errors = item.get("errors")
            if isinstance(errors, dict):
                parts.extend(f"{field}: {msg}" for field, msg in errors.items())
        return clean_text("; ".join(parts))[:DETAIL_MAX_CHARS]

    def _fatal_error(self, response, method, path):
        status = response.status_code
        detail = self._error_detail(response)
        if status == 401:
            return BigCommerceAuthError(
                "BigCommerce rejected the credentials (401): check the store "
                "hash and the access token.",
                status=status,
                detail=detail,
            )
        if status == 403:
            return BigCommerceAuthError(
                "The API account lacks a scope this call needs (403) "
                f"for {method} {path}.",
                status=status,
                detail=detail,
            )
        if status == 404:
            return BigCommerceNotFoundError(
                f"Not found on BigCommerce (404): {method} {path}.",
                status=status,
                detail=detail,
            )
        if status in (400, 409, 413, 422):
            return BigCommerceValidationError(
                f"BigCommerce refused {method} {path} ({status}).",
                status=status,
                detail=detail,
            )
        return BigCommerceFatalError(
            f"BigCommerce answered {status} to {method} {path}.",
            status=status,
            detail=detail,
        )

    # ------------------------------------------------------------------
    # Paging
    # ------------------------------------------------------------------
    def iter_v2(self, path, params=None, limit=const.MAX_PAGE_SIZE):
        """Yield the items of a v2 collection, page after page.

        v2 answers plain arrays and 204 (or an empty array) past the end; a
        short page is the last one.
        """
        page = 1
        while True:
            query = dict(params or {}, page=page, limit=limit)
            items = self.request("GET", 2, path, params=query) or []
            yield from items
            if len(items) < limit:
                return
            page += 1

    def iter_v3(self, path, params=None, limit=const.MAX_PAGE_SIZE):
        """Yield the items of a v3 collection.

        Follows cursors (``meta.cursor_pagination``) where the endpoint has
        them, else page numbers (``meta.pagination``).
        """
        query = dict(params or {}, limit=limit)
        while True:
            body = self.request("GET", 3, path, params=query) or {}
            items = body.get("data") or []
            yield from items
            meta = body.get("meta") or {}
            cursor = meta.get("cursor_pagination") or {}
            pagination = meta.get("pagination") or {}
            if cursor:
                if not cursor.get("links", {}).get("next") or not items:
                    return
                query = dict(params or {}, limit=limit, after=cursor["end_cursor"])
            elif pagination:
                current = pagination.get("current_page") or query.get("page", 1)
                if not items or current >= (pagination.get("total_pages") or 0):
                    return
                query = dict(query, page=current + 1)
            else:
                return

    # ------------------------------------------------------------------
    # The calls the connector needs
    # ------------------------------------------------------------------
    def get_store_information(self):
        return self.request("GET", 2, "store")

    def get_order(self, order_id):
        """One order with its line items (in consignments) and its fees, in
        one request."""
        return self.request(
            "GET", 2, f"orders/{int(order_id)}", params=ORDER_WITH_LINES
        )

    def get_order_taxes(self, order_id):
        """Per-line tax rows (``details=true`` adds product and line type)."""
        return list(self.iter_v2(f"orders/{int(order_id)}/taxes", {"details": "true"}))

    def iter_orders_modified(self, since, until=None, limit=const.MAX_PAGE_SIZE):
        params = {
            "min_date_modified": format_iso_datetime(since),
            "sort": "date_modified:asc",
        }
        if until is not None:
            params["max_date_modified"] = format_iso_datetime(until)
        return self.iter_v2("orders", params, limit=limit)

    def iter_orders_with_lines(
        self, since=None, until=None, field="date_created", limit=const.MAX_PAGE_SIZE
    ):
        """Orders created (or modified, ``field="date_modified"``) between two
        moments, each with its line items and fees, 250 to a page: one request per
        page instead of one per order."""
        return self.iter_v2("orders", self._orders_period(since, until, field), limit)

    def list_orders_with_lines(
        self,
        since=None,
        until=None,
        field="date_created",
        page=1,
        limit=const.MAX_PAGE_SIZE,
    ):
        """One page of :meth:`iter_orders_with_lines`: a page shorter than
        ``limit`` is the last one."""
        query = dict(self._orders_period(since, until, field), page=page, limit=limit)
        return self.request("GET", 2, "orders", params=query) or []

    def count_orders(self, since=None, until=None, field="date_created"):
        """How many orders the listing of a period returns: those created (or
        modified) between two moments, less the incomplete ones (status 0),
        which the count counts and the listing leaves out.
        ``GET /v2/orders/count``, one request."""
        query = {
            key: value
            for key, value in self._orders_period(since, until, field).items()
            if key.startswith(("min_", "max_"))
        }
        answer = self.request("GET", 2, "orders/count", params=query) or {}
        incomplete = sum(
            int(status.get("count") or 0)
            for status in answer.get("statuses") or []
            if int(status.get("id") or 0) == 0
        )
        return max(0, int(answer.get("count") or 0) - incomplete)

    @staticmethod
    def _orders_period(since, until, field):
        if field not in ("date_created", "date_modified"):
            raise ValueError(field)
        params = dict(ORDER_WITH_LINES, sort=f"{field}:asc")
        if since is not None:
            params[f"min_{field}"] = format_iso_datetime(since)
        if until is not None:
            params[f"max_{field}"] = format_iso_datetime(until)
        return params

    def get_order_refunds(self, order_id):
        return list(self.iter_v3(f"orders/{int(order_id)}/payment_actions/refunds"))

    def get_refund(self, refund_id):
        body = self.request(
            "GET", 3, f"orders/payment_actions/refunds/{int(refund_id)}"
        )
        return (body or {}).get("data")

    def iter_refunds_created(self, since, until=None, limit=const.MAX_PAGE_SIZE):
        params = {"created:min": format_iso_datetime(since)}
        if until is not None:
            params["created:max"] = format_iso_datetime(until)
        return self.iter_v3("orders/payment_actions/refunds", params, limit=limit)

    def get_order_transactions(self, order_id):
        """The order's payment transactions, in one request (the endpoint
        has no paging); 204 when there are none."""
        body = self.request("GET", 3, f"orders/{int(order_id)}/transactions")
        return (body or {}).get("data") or []

    def get_customer(self, customer_id):
        """The customer with its addresses, or ``None`` if it is gone."""
        customers = self.get_customers([customer_id])
        return customers[0] if customers else None

    def get_customers(self, customer_ids, include="addresses"):
        """The customers of ``customer_ids`` the store has, with their
        ``include`` (their addresses; nothing for ``None``): one request per
        250 ids (``GET /v3/customers?id:in=...``), none for no id."""
        ids = sorted({int(i) for i in customer_ids})
        customers = []
        for start in range(0, len(ids), const.MAX_PAGE_SIZE):
            chunk = ids[start : start + const.MAX_PAGE_SIZE]
            params = {
                "id:in": ",".join(str(i) for i in chunk),
                "limit": const.MAX_PAGE_SIZE,
            }
            if include:
                params["include"] = include
            body = self.request("GET", 3, "customers", params=params) or {}
            customers.extend(body.get("data") or [])
        return customers

    def existing_customer_ids(self, customer_ids):
        """Those of ``customer_ids`` the store still has (:meth:`get_customers`
        without their addresses), as a set of ints."""
        return {int(c["id"]) for c in self.get_customers(customer_ids, include=None)}

    def iter_customers_modified(self, since, until=None, limit=const.MAX_PAGE_SIZE):
        params = {
            "date_modified:min": format_customer_datetime(since),
            "include": "addresses",
            "sort": "date_modified:asc",
        }
        if until is not None:
            params["date_modified:max"] = format_customer_datetime(until)
        return self.iter_v3("customers", params, limit=limit)

    def get_order_shipments(self, order_id):
        """The order's shipments; BigCommerce answers 204 when there are none."""
        return list(self.iter_v2(f"orders/{int(order_id)}/shipments"))

    def list_webhooks(self):
        return list(self.iter_v3("hooks"))

    def create_webhook(self, scope, destination, is_active=True, headers=None):
        payload = {"scope": scope, "destination": destination, "is_active": is_active}
        if headers:
            payload["headers"] = headers
        return (self.request("POST", 3, "hooks", json=payload) or {}).get("data")

    def update_webhook(self, webhook_id, **values):
        body = self.request("PUT", 3, f"hooks/{int(webhook_id)}", json=values)
        return (body or {}).get("data")


def parse_datetime(value):
    """Parse BigCommerce dates: RFC-2822 (v2), ISO-8601 (v3), Unix seconds.

    Returns a naive UTC datetime, as Odoo stores them.
    """
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=UTC).replace(tzinfo=None)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return _to_utc(moment).replace(tzinfo=None)
