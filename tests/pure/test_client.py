# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The BigCommerce client against the local simulator, over real HTTP."""

import json
import socket
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bigcommerce import (
    BigCommerceAuthError,
    BigCommerceClient,
    BigCommerceError,
    BigCommerceNotFoundError,
    BigCommerceRetryableError,
    BigCommerceValidationError,
)
from bigcommerce.client import (
    check_api_base_url,
    check_store_hash,
    format_customer_datetime,
    format_iso_datetime,
    parse_datetime,
)
from bigcommerce.exceptions import BigCommerceConfigError
from simulator import BigCommerceSimulator

HASH = "clientstore"
TOKEN = "client-token"


class FakeClock:
    """Shared by the simulator's rate-limit window and the client's waits."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


def store(clock, quota=None):
    """A simulated store sharing the test's clock; 30 s windows of ``quota``."""
    return BigCommerceSimulator(
        store_hash=HASH,
        access_token=TOKEN,
        client_secret="s",
        quota=quota,
        window_ms=30000,
        clock=clock,
        seed=3,
    )


@pytest.fixture
def sim(clock):
    with store(clock) as simulator:
        yield simulator
        simulator.assert_conformant()


def make_client(sim, clock, **options):
    options.setdefault("jitter", False)
    # Long enough for a loaded machine (every exchange is validated against
    # the specs): a timeout here would be retried and change the counts the
    # tests assert; the timeout test sets its own.
    options.setdefault("timeout", 30.0)
    return BigCommerceClient(
        HASH, TOKEN, base_url=sim.base_url, sleep=clock.sleep, clock=clock, **options
    )


def api_requests(sim):
    return [r for r in sim.requests if r["path"].startswith(f"/stores/{HASH}/")]


# -- the one request method ----------------------------------------------------


def test_store_information_and_rate_limit_headers(clock):
    with store(clock, quota=150) as sim:
        client = make_client(sim, clock)
        info = client.get_store_information()
        assert info["name"] == "Demo Store"
        assert info["currency"] == "USD"
        assert client.rate_limit.quota == 150
        assert client.rate_limit.window_ms == 30000
        assert client.rate_limit.left == 149
        request = sim.requests[-1]
        assert request["headers"].get("X-Auth-Token") == TOKEN
        assert "json" in request["headers"].get("Accept", "")
        sim.assert_conformant()


def test_wrong_token_is_fatal_and_not_retried(sim, clock):
    client = BigCommerceClient(
        HASH, "bad", base_url=sim.base_url, sleep=clock.sleep, clock=clock
    )
    with pytest.raises(BigCommerceAuthError, match="401") as info:
        client.get_store_information()
    assert info.value.status == 401
    assert len(api_requests(sim)) == 1
    assert clock.sleeps == []


def test_unknown_store_is_not_found(sim, clock):
    client = BigCommerceClient(
        "nosuch", TOKEN, base_url=sim.base_url, sleep=clock.sleep, clock=clock
    )
    with pytest.raises(BigCommerceNotFoundError, match="404"):
        client.get_store_information()


def test_unknown_order_carries_bigcommerce_message(sim, clock):
    client = make_client(sim, clock)
    with pytest.raises(BigCommerceNotFoundError) as info:
        client.get_order(999999)
    assert info.value.status == 404
    assert "orders/999999" in info.value.message


def test_422_keeps_bigcommerce_words_apart_from_the_message(sim, clock):
    client = make_client(sim, clock)
    client.create_webhook("store/order/created", "https://erp.example.com/hook")
    with pytest.raises(BigCommerceValidationError) as info:
        client.create_webhook("store/order/created", "https://erp.example.com/hook")
    assert info.value.status == 422
    assert info.value.message == "BigCommerce refused POST hooks (422)."
    assert info.value.detail, "BigCommerce's explanation, for the log"


class FakeResponse:
    def __init__(self, status, text, content_type="text/html"):
        self.status_code = status
        self.text = text
        self.content = text.encode()
        self.reason = "Reason"
        self.headers = {"Content-Type": content_type}

    def json(self):
        return json.loads(self.text)


class FakeSession:
    """Whatever host the token was sent to, and what it answered."""

    def __init__(self, response):
        self.headers = {}
        self.response = response

    def request(self, *args, **kwargs):
        return self.response


@pytest.mark.parametrize("status", [400, 401, 403, 404, 418, 500, 503])
@pytest.mark.parametrize(
    "text,content_type",
    [
        ("<html>internal admin: SECRET-1234</html>", "text/html"),
        (
            '{"title": "SECRET-1234", "errors": {"x": "SECRET-1234"}}',
            "application/json",
        ),
        ('[{"status": 404, "message": "SECRET-1234\u0000"}]', "application/json"),
    ],
)
def test_error_messages_never_echo_the_remote_body(status, text, content_type):
    client = BigCommerceClient(
        HASH,
        TOKEN,
        max_attempts=1,
        session=FakeSession(FakeResponse(status, text, content_type)),
        sleep=lambda seconds: None,
    )
    with pytest.raises(BigCommerceError) as info:
        client.get_store_information()
    assert "SECRET" not in info.value.message
    assert "SECRET" not in str(info.value)
    assert str(status) in info.value.message
    assert "\x00" not in (info.value.detail or "")


@pytest.mark.parametrize(
    "store_hash",
    ["abc/../../x", "abc?x=1", "abc#x", "a b", "abc%2f", "é", "a" * 65, ""],
)
def test_store_hash_that_changes_the_path_is_refused(store_hash):
    with pytest.raises(BigCommerceConfigError):
        check_store_hash(store_hash)
    with pytest.raises((BigCommerceConfigError, BigCommerceAuthError)):
        BigCommerceClient(store_hash, TOKEN)


def test_store_hash_is_stripped():
    assert check_store_hash(" abc123XYZ ") == "abc123XYZ"


@pytest.mark.parametrize(
    "url",
    [
        "https://api.bigcommerce.com",
        "https://api.bigcommerce.com/",
        "HTTPS://API.BigCommerce.com:443",
    ],
)
def test_bigcommerce_api_host_is_allowed(url):
    assert check_api_base_url(url) == "https://api.bigcommerce.com"


@pytest.mark.parametrize(
    "url",
    [
        "http://api.bigcommerce.com",
        "https://api.bigcommerce.com:8443",
        "https://api.bigcommerce.com.evil.example",
        "https://evil.example/api.bigcommerce.com",
        "https://user@api.bigcommerce.com",
        "https://api.bigcommerce.com/stores",
        "https://api.bigcommerce.com?x=1",
        "http://127.0.0.1:8765",
        "http://169.254.169.254",
        "file:///etc/passwd",
        "https://[::1",
        "",
        None,
    ],
)
def test_other_hosts_are_refused(url):
    with pytest.raises(BigCommerceConfigError):
        check_api_base_url(url)


def test_other_hosts_allowed_by_the_server():
    allowed = ["http://127.0.0.1:8765", "https://proxy.example.com/"]
    assert check_api_base_url("http://127.0.0.1:8765/", allowed) == (
        "http://127.0.0.1:8765"
    )
    assert check_api_base_url("https://proxy.example.com", allowed) == (
        "https://proxy.example.com"
    )
    with pytest.raises(BigCommerceConfigError):
        check_api_base_url("http://127.0.0.1:8766", allowed)
    with pytest.raises(BigCommerceConfigError):
        check_api_base_url("http://proxy.example.com", allowed)


@pytest.mark.parametrize(
    "kind,status", [("500", 500), ("502", 502), ("503", 503), ("504", 504)]
)
def test_server_errors_back_off_exponentially_then_succeed(sim, clock, kind, status):
    client = make_client(sim, clock, backoff_base=1.0)
    sim.faults.inject(kind, count=3)
    assert client.get_store_information()["currency"] == "USD"
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert [r["status"] for r in api_requests(sim)] == [status, status, status, 200]


def test_backoff_is_bounded(sim, clock):
    client = make_client(sim, clock, backoff_base=1.0, backoff_cap=3.0, max_attempts=6)
    sim.faults.inject("500", count=5)
    client.get_store_information()
    assert clock.sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


def test_persistent_server_error_raises_retryable(sim, clock):
    client = make_client(sim, clock, max_attempts=3)
    sim.faults.inject("503", count=10)
    with pytest.raises(BigCommerceRetryableError) as info:
        client.get_store_information()
    assert info.value.status == 503
    assert info.value.retry_after == 4.0
    assert len(api_requests(sim)) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_jitter_stays_within_one_base(sim, clock):
    client = make_client(sim, clock, jitter=True, backoff_base=1.0)
    sim.faults.inject("500", count=2)
    client.get_store_information()
    assert 1.0 <= clock.sleeps[0] <= 2.0
    assert 2.0 <= clock.sleeps[1] <= 3.0


def test_429_waits_for_the_longer_of_reset_and_retry_after(clock):
    with store(clock, quota=2) as sim:
        # Pacing off: prove the 429 path itself.
        client = make_client(sim, clock, pacing_reserve=-1)
        client.get_store_information()
        client.get_store_information()
        clock.now += 10  # 20 s left in the window
        info = client.get_store_information()
        assert info["currency"] == "USD"
        statuses = [r["status"] for r in api_requests(sim)]
        assert statuses == [200, 200, 429, 200]
        assert len(clock.sleeps) == 1
        assert clock.sleeps[0] >= 20.0
        sim.assert_conformant()


def test_429_without_headers_backs_off(sim, clock):
    client = make_client(sim, clock, backoff_base=2.0)
    sim.faults.inject("429_no_headers", count=2)
    client.get_store_information()
    assert clock.sleeps == [2.0, 4.0]
    assert [r["status"] for r in api_requests(sim)] == [429, 429, 200]


def test_429_repeats_wait_longer(sim, clock):
    client = make_client(sim, clock, backoff_base=1.0)
    sim.faults.inject("429", count=2)
    client.get_store_information()
    assert len(clock.sleeps) == 2
    assert clock.sleeps[1] > clock.sleeps[0]


def test_long_reset_is_left_to_the_job_queue(clock):
    with store(clock, quota=1) as sim:
        client = make_client(sim, clock, pacing_reserve=-1, max_wait=5)
        client.get_store_information()
        with pytest.raises(BigCommerceRetryableError) as info:
            client.get_store_information()
        assert info.value.status == 429
        assert info.value.retry_after >= 29
        assert clock.sleeps == []


def test_pacing_keeps_a_busy_client_under_the_quota(clock):
    with store(clock, quota=5) as sim:
        client = make_client(sim, clock, pacing_reserve=1)
        for _ in range(12):
            client.get_store_information()
        statuses = [r["status"] for r in api_requests(sim)]
        assert statuses == [200] * 12, "paced client never hits 429"
        assert clock.sleeps, "it waited for the window to reset"
        assert all(s <= 30.0 for s in clock.sleeps)


def test_timeout_is_retried(sim, clock):
    sim.faults.timeout_delay = 1.5
    client = make_client(sim, clock, timeout=0.5)
    sim.faults.inject("timeout", count=1)
    assert client.get_store_information()["currency"] == "USD"
    assert clock.sleeps == [1.0]


def test_connection_error_is_retryable(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = BigCommerceClient(
        HASH,
        TOKEN,
        base_url=f"http://127.0.0.1:{port}",
        sleep=clock.sleep,
        clock=clock,
        jitter=False,
        max_attempts=2,
    )
    with pytest.raises(BigCommerceRetryableError, match="Could not reach"):
        client.get_store_information()
    assert clock.sleeps == [1.0]


def test_credentials_required():
    with pytest.raises(BigCommerceAuthError):
        BigCommerceClient("", "token")
    with pytest.raises(BigCommerceAuthError):
        BigCommerceClient("hash", None)


# -- paging --------------------------------------------------------------------


def _add_orders(sim, count, start=None):
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    product = sim.state.add_product(sku="PAGE-1", name="Paging product", price="10.00")
    return [
        sim.state.add_order(
            lines=[{"sku": product["sku"], "quantity": 1}],
            date_created=start + timedelta(hours=i),
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count,expected_requests", [(7, 3), (6, 3), (0, 1)])
def test_v2_paging(sim, clock, count, expected_requests):
    orders = _add_orders(sim, count)
    client = make_client(sim, clock)
    seen = list(client.iter_orders_modified(datetime(2026, 1, 1), limit=3))
    assert [o["id"] for o in seen] == [o["id"] for o in orders]
    order_requests = [r for r in api_requests(sim) if r["path"].endswith("/v2/orders")]
    assert len(order_requests) == expected_requests
    assert order_requests[0]["query"]["sort"] == "date_modified:asc"


def test_v2_date_window(sim, clock):
    orders = _add_orders(sim, 5)
    client = make_client(sim, clock)
    since = parse_datetime(orders[1]["date_modified"])
    until = parse_datetime(orders[3]["date_modified"])
    seen = [o["id"] for o in client.iter_orders_modified(since, until)]
    assert seen == [orders[1]["id"], orders[2]["id"], orders[3]["id"]]


def test_order_with_lines_in_one_request(sim, clock):
    order = _add_orders(sim, 1)[0]
    client = make_client(sim, clock)
    before = len(api_requests(sim))
    fetched = client.get_order(order["id"])
    assert len(api_requests(sim)) == before + 1
    lines = [
        line
        for consignment in fetched["consignments"]["shipping"]
        for line in consignment["line_items"]
    ]
    assert lines and lines[0]["sku"] == "PAGE-1"
    query = api_requests(sim)[-1]["query"]
    assert query["include"] == "consignments.line_items,fees"
    assert query["consignment_structure"] == "object"


def test_order_taxes_and_empty_shipments(sim, clock):
    order = _add_orders(sim, 1)[0]
    client = make_client(sim, clock)
    assert client.get_order_shipments(order["id"]) == []
    assert api_requests(sim)[-1]["status"] == 204
    taxes = client.get_order_taxes(order["id"])
    assert isinstance(taxes, list)


def test_v3_paging_refunds(sim, clock):
    orders = _add_orders(sim, 3)
    for order in orders:
        line = sim.state.order_products(order["id"])[0]
        sim.state.add_refund(
            order["id"],
            items=[{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
        )
    client = make_client(sim, clock)
    refunds = list(client.iter_refunds_created(datetime(2000, 1, 1), limit=2))
    assert sorted(r["order_id"] for r in refunds) == sorted(o["id"] for o in orders)
    refund_requests = [
        r for r in api_requests(sim) if r["path"].endswith("/payment_actions/refunds")
    ]
    assert len(refund_requests) == 2
    assert client.get_order_refunds(orders[0]["id"])[0]["order_id"] == orders[0]["id"]


def test_v3_cursor_paging_customers(sim, clock):
    created = [
        sim.state.add_customer(
            first_name=f"C{i}", last_name="Test", email=f"c{i}@example.com"
        )
        for i in range(5)
    ]
    client = make_client(sim, clock)
    seen = list(client.iter_customers_modified(datetime(2000, 1, 1), limit=2))
    assert sorted(c["id"] for c in seen) == sorted(c["id"] for c in created)
    customer_requests = [
        r for r in api_requests(sim) if r["path"].endswith("/v3/customers")
    ]
    assert len(customer_requests) == 3
    assert "after" in customer_requests[1]["query"]
    one = client.get_customer(created[2]["id"])
    assert one["email"] == "c2@example.com"
    assert "addresses" in one
    assert client.get_customer(987654) is None


def test_webhooks_list_create_update(sim, clock):
    client = make_client(sim, clock)
    assert client.list_webhooks() == []
    hook = client.create_webhook(
        "store/order/*", "https://erp.example.com/bigcommerce/webhook/k"
    )
    assert hook["id"] and hook["is_active"] is True
    updated = client.update_webhook(hook["id"], is_active=False)
    assert updated["is_active"] is False
    assert [h["id"] for h in client.list_webhooks()] == [hook["id"]]


# -- dates -----------------------------------------------------------------------


def test_date_formats():
    moment = datetime(2026, 4, 20, 11, 32, 5, 123, tzinfo=timezone(timedelta(hours=-4)))
    assert format_iso_datetime(moment) == "2026-04-20T15:32:05+00:00"
    assert format_customer_datetime(moment) == "2026-04-20T15:32:05"
    assert (
        format_iso_datetime(datetime(2026, 1, 2, 3, 4, 5))
        == "2026-01-02T03:04:05+00:00"
    )


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Thu, 20 Apr 2017 11:32:00 -0400", datetime(2017, 4, 20, 15, 32)),
        ("Tue, 20 Nov 2012 00:00:00 +0000", datetime(2012, 11, 20)),
        ("2024-05-14T09:34:00Z", datetime(2024, 5, 14, 9, 34)),
        ("2020-01-15T01:02:34-01:00", datetime(2020, 1, 15, 2, 2, 34)),
        (1561479335, datetime(2019, 6, 25, 16, 15, 35)),
        (None, None),
    ],
)
def test_parse_datetime(value, expected):
    assert parse_datetime(value) == expected


def test_refunds_of_an_order_one_refund_and_a_created_window(sim, clock):
    order = _add_orders(sim, 1)[0]
    line = sim.state.order_products(order["id"])[0]
    early = sim.state.add_refund(
        order["id"],
        items=[{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
        created=datetime(2024, 3, 1, 12, 0, tzinfo=UTC),
        update_status=False,
    )
    late = sim.state.add_refund(
        order["id"],
        items=[{"item_type": "ORDER", "item_id": order["id"], "amount": "1.00"}],
        created=datetime(2024, 3, 5, 12, 0, tzinfo=UTC),
        update_status=False,
    )
    client = make_client(sim, clock)
    assert [r["id"] for r in client.get_order_refunds(order["id"])] == [
        early["id"],
        late["id"],
    ]
    assert client.get_refund(late["id"])["items"][0]["requested_amount"] == "1.00"
    window = list(
        client.iter_refunds_created(
            datetime(2024, 3, 2, tzinfo=UTC), until=datetime(2024, 3, 6, tzinfo=UTC)
        )
    )
    assert [r["id"] for r in window] == [late["id"]]
    listed = api_requests(sim)[-1]
    assert listed["path"].endswith("/v3/orders/payment_actions/refunds")
    assert listed["query"]["created:min"] == "2024-03-02T00:00:00+00:00"
    assert listed["query"]["created:max"] == "2024-03-06T00:00:00+00:00"


def test_orders_with_lines_come_a_page_at_a_time(sim, clock):
    orders = _add_orders(sim, 7)
    client = make_client(sim, clock)
    before = len(api_requests(sim))
    listed = list(
        client.iter_orders_with_lines(
            datetime(2026, 1, 1), limit=3, field="date_created"
        )
    )
    assert [o["id"] for o in listed] == [o["id"] for o in orders]
    calls = api_requests(sim)[before:]
    # 3 + 3 + 1: the short page is the last one.
    assert len(calls) == 3
    assert calls[0]["query"]["include"] == "consignments.line_items,fees"
    assert calls[0]["query"]["sort"] == "date_created:asc"
    assert "min_date_created" in calls[0]["query"]
    one = client.get_order(orders[0]["id"])
    assert listed[0]["consignments"] == one["consignments"]


def test_orders_with_lines_one_page_at_a_time(sim, clock):
    orders = _add_orders(sim, 7)
    client = make_client(sim, clock)
    pages = [
        client.list_orders_with_lines(datetime(2026, 1, 1), page=page, limit=3)
        for page in (1, 2, 3, 4)
    ]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    assert [o["id"] for p in pages for o in p] == [o["id"] for o in orders]
    assert all("consignments" in o for p in pages for o in p)
    pages_asked = [r["query"]["page"] for r in api_requests(sim)[-4:]]
    assert pages_asked == ["1", "2", "3", "4"]


def test_count_orders_counts_what_the_listing_of_a_period_returns(sim, clock):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    orders = _add_orders(sim, 5, start=start)
    # Outside the period, and incomplete: neither is listed, so neither counts.
    _add_orders(sim, 1, start=start + timedelta(days=3))
    sim.state.add_order(
        lines=[{"sku": "PAGE-1", "quantity": 1}],
        status_id=0,
        date_created=start + timedelta(hours=1),
    )
    client = make_client(sim, clock)
    until = start + timedelta(days=1)
    before = len(api_requests(sim))
    assert client.count_orders(start, until) == len(orders) == 5
    (call,) = api_requests(sim)[before:]
    assert call["path"].endswith("/v2/orders/count")
    assert set(call["query"]) == {"min_date_created", "max_date_created"}
    listed = client.list_orders_with_lines(start, until)
    assert len(listed) == client.count_orders(start, until)


def test_orders_with_lines_refuse_another_date_field(sim, clock):
    client = make_client(sim, clock)
    with pytest.raises(ValueError):
        list(client.iter_orders_with_lines(field="status_id"))
    with pytest.raises(ValueError):
        client.list_orders_with_lines(field="status_id")


class ScriptedLimiter:
    """A shared rate limiter that answers the waits it is given."""

    def __init__(self, waits):
        self.waits = list(waits)
        self.observed = []

    def reserve(self):
        return self.waits.pop(0) if self.waits else 0

    def observe(self, state):
        self.observed.append(state)


def test_shared_limiter_decides_the_waits(clock):
    with store(clock, quota=100) as sim:
        limiter = ScriptedLimiter([2.5, 1.0, 0])
        client = make_client(sim, clock, rate_limiter=limiter)
        client.get_store_information()
        assert clock.sleeps == [2.5, 1.0]
        assert limiter.observed[-1].quota == 100
        assert limiter.observed[-1].left == 99


def test_shared_limiter_long_wait_is_left_to_the_job_queue(clock):
    with store(clock, quota=100) as sim:
        client = make_client(
            sim, clock, rate_limiter=ScriptedLimiter([45.0]), max_wait=10
        )
        with pytest.raises(BigCommerceRetryableError) as info:
            client.get_store_information()
        assert info.value.rate_limited
        assert info.value.retry_after == 45.0
        assert api_requests(sim) == []
