# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``BigCommerceSimulator``: the store, served over HTTP on 127.0.0.1.

Every request passes a gate before reaching the endpoints: unknown store hash
(404), bad ``X-Auth-Token`` (401), an injected fault, then the rate limit
(429). Every request/response pair is recorded in ``requests`` and validated
against the official specs; violations land in ``spec_errors``.
"""

import json
import logging
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request

from . import webhooks
from .api import Api, error_response, json_response
from .faults import Faults
from .ratelimit import RateLimiter
from .spec import SpecRequest, SpecResponse, SpecValidator
from .state import StoreState

_logger = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost")
FAULT_MESSAGES = {
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
    "504": "Gateway Timeout",
}


class _QuietHandler(WSGIRequestHandler):
    """Keep werkzeug's per-request access log out of test output."""

    def log_request(self, code="-", size="-"):
        pass


class BigCommerceSimulator:
    """A local BigCommerce store API for tests and demos.

    Usable as a context manager. ``clock`` (seconds, monotonic) drives the
    rate-limit window; ``now`` (aware datetime) stamps created/modified dates.
    ``spec_dir`` overrides the reference-spec directory (else the
    ``BIGCOMMERCE_SPEC_DIR`` environment variable, else
    ``../shared/bigcommerce/reference`` beside the repository).
    """

    def __init__(
        self,
        store_hash="abc123",
        access_token="tok",
        client_id="cid",
        client_secret="s3cret",
        currency="USD",
        tax_inclusive=False,
        name="Demo Store",
        plan_name="Standard",
        timezone="Etc/UTC",
        quota=150,
        window_ms=30000,
        seed=0,
        host="127.0.0.1",
        port=0,
        clock=None,
        now=None,
        spec_dir=None,
    ):
        if host not in LOOPBACK:
            raise ValueError("the simulator only listens on 127.0.0.1")
        self.validator = SpecValidator(spec_dir)
        self.store_hash = store_hash
        self.access_token = access_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.host = "127.0.0.1"
        self.port = port
        self.state = StoreState(
            store_hash=store_hash,
            currency=currency,
            tax_inclusive=tax_inclusive,
            name=name,
            plan_name=plan_name,
            client_id=client_id,
            now=now,
            timezone=timezone,
        )
        self.faults = Faults(seed=seed)
        self.rate_limiter = RateLimiter(quota, window_ms, clock)
        self.requests = []
        self.spec_errors = []
        self._api = Api(self.state)
        self._server = None
        self._thread = None
        self._stopping = threading.Event()
        self._record_lock = threading.Lock()

    # ------------------------------------------------------------------
    # lifecycle

    def start(self) -> "BigCommerceSimulator":
        """Serve in a background thread; returns self."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = make_server(
            self.host,
            self.port,
            self.wsgi_app,
            threaded=True,
            request_handler=_QuietHandler,
        )
        self.port = self._server.server_port
        self.state.base_url = self.base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"bigcommerce-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        _logger.info("BigCommerce simulator serving %s", self.base_url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``{base_url}/stores/{store_hash}`` -- append ``/v2/...`` or ``/v3/...``."""
        return f"{self.base_url}/stores/{self.store_hash}"

    # ------------------------------------------------------------------
    # conformance

    def assert_conformant(self) -> None:
        """Raise AssertionError listing every spec violation seen so far."""
        if self.spec_errors:
            listing = "\n".join(f"- {e}" for e in self.spec_errors)
            raise AssertionError(
                f"{len(self.spec_errors)} BigCommerce spec violation(s):\n{listing}"
            )

    def reset_log(self) -> None:
        """Forget recorded requests and spec errors."""
        with self._record_lock:
            self.requests.clear()
            self.spec_errors.clear()

    # ------------------------------------------------------------------
    # WSGI

    def wsgi_app(self, environ, start_response):
        request = Request(environ)
        response, fault = self._serve(request)
        self._record(request, response, fault)
        return response(environ, start_response)

    def _serve(self, request) -> tuple:
        """``(response, injected fault or None)`` for one request."""
        parts = request.path.strip("/").split("/", 3)
        if len(parts) < 3 or parts[0] != "stores" or parts[2] not in ("v2", "v3"):
            return json_response({"status": 404, "title": "Not Found"}, 404), None
        version = parts[2]
        refusal = self._refusal(request, version, parts[1])
        if refusal is not None:
            return self._with_quota(refusal, None), None
        fault = self.faults.next_fault()
        if fault not in (None, "slow"):
            return self._fault_response(version, fault), fault
        allowed, quota = (
            self.rate_limiter.acquire() if self.rate_limiter.enabled else (True, None)
        )
        if not allowed:
            throttled = error_response(
                version, 429, "Too many requests: the request quota is spent."
            )
            return self._with_quota(throttled, quota, limited=True), None
        if fault == "slow":
            self._stopping.wait(self.faults.slow_delay)
        response = self._api.handle(request, version, "/" + "/".join(parts[2:]))
        return self._with_quota(response, quota), fault

    def _refusal(self, request, version: str, store_hash: str):
        """404 for another store, 401 for a wrong token, else None."""
        if store_hash != self.store_hash:
            return error_response(version, 404, "Store not found.")
        if request.headers.get("X-Auth-Token") != self.access_token:
            return error_response(
                version,
                401,
                "You are not authorized to access this resource. "
                "Check your X-Auth-Token.",
            )
        return None

    def _with_quota(self, response, quota, limited=False):
        """Add the X-Rate-Limit-* headers (none when limiting is off)."""
        if not self.rate_limiter.enabled:
            return response
        quota = quota or self.rate_limiter.peek()
        for name, value in quota.headers(limited).items():
            response.headers[name] = value
        return response

    def _fault_response(self, version: str, fault: str):
        if fault == "429_no_headers":
            return error_response(version, 429, "Too many requests.")
        if fault == "429":
            quota = self.rate_limiter.peek() if self.rate_limiter.enabled else None
            response = error_response(version, 429, "Too many requests.")
            if quota is not None:
                quota.left = 0
                response = self._with_quota(response, quota, limited=True)
            return response
        if fault == "timeout":
            self._stopping.wait(self.faults.timeout_hold)
            fault = "504"
        return self._with_quota(
            error_response(version, int(fault), FAULT_MESSAGES[fault]), None
        )

    def _record(self, request, response, fault) -> None:
        query = {
            key: values[0] if len(values) == 1 else values
            for key, values in request.args.lists()
        }
        body = response.get_data()
        errors = []
        if request.path.startswith("/stores/"):
            errors = self.validator.validate(
                SpecRequest(
                    request.method,
                    request.path,
                    list(request.args.items(multi=True)),
                    dict(request.headers),
                    request.get_data(),
                    request.content_type,
                ),
                SpecResponse(
                    response.status_code,
                    body,
                    response.mimetype or "",
                    response.headers.items(),
                ),
            )
        with self._record_lock:
            self.requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": query,
                    "status": response.status_code,
                    "headers": dict(request.headers),
                    "fault": fault,
                    "time": time.time(),
                }
            )
            self.spec_errors.extend(errors)

    # ------------------------------------------------------------------
    # webhooks

    def sign_webhook(self, body: bytes, webhook_id: str, timestamp: int) -> dict:
        """Standard Webhooks headers for ``body``, keyed with the client secret."""
        return webhooks.sign(self.client_secret, body, webhook_id, timestamp)

    def webhook_payload(self, scope: str, data: dict, created_at=None) -> dict:
        """The callback envelope BigCommerce would send for ``scope``."""
        created = created_at if created_at is not None else time.time()
        store_id = str(1000000 + sum(map(ord, self.store_hash)))
        return webhooks.envelope(self.store_hash, store_id, scope, data, created)

    def deliver_webhook(
        self,
        url: str,
        scope: str = "store/order/created",
        data=None,
        webhook_id=None,
        timestamp=None,
        secret=None,
        timeout: float = 10.0,
    ) -> tuple:
        """Sign and POST one callback to ``url``; returns ``(status, body)``.

        The body is validated against the webhooks spec's callback schema for
        ``scope`` (violations go to ``spec_errors``). ``secret`` overrides the
        client secret, e.g. to send a badly signed callback.
        """
        timestamp = int(timestamp if timestamp is not None else time.time())
        payload = self.webhook_payload(scope, data or {}, created_at=timestamp)
        errors = self.validator.validate_callback(scope, payload)
        with self._record_lock:
            self.spec_errors.extend(errors)
        body = json.dumps(payload).encode()
        headers = webhooks.sign(
            secret if secret is not None else self.client_secret,
            body,
            webhook_id or webhooks.new_webhook_id(),
            timestamp,
        )
        return webhooks.post(url, body, headers, timeout=timeout)
