# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The simulator's rate limit and injected faults, over real HTTP."""

import time

import pytest
import requests

from simulator import BigCommerceSimulator

HASH, TOKEN = "faultstore", "fault-token"
QUOTA_HEADERS = (
    "X-Rate-Limit-Time-Window-Ms",
    "X-Rate-Limit-Time-Reset-Ms",
    "X-Rate-Limit-Requests-Quota",
    "X-Rate-Limit-Requests-Left",
)


class FakeClock:
    """Monotonic seconds that only move when the test says so."""

    def __init__(self):
        self.now = 500.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


def make_sim(clock, **options):
    options.setdefault("quota", 150)
    return BigCommerceSimulator(
        store_hash=HASH, access_token=TOKEN, clock=clock, seed=11, **options
    )


@pytest.fixture
def sim(clock):
    with make_sim(clock) as simulator:
        yield simulator


def get(sim, path="/v2/time", token=TOKEN, timeout=10):
    return requests.get(
        f"{sim.api_url}{path}", headers={"X-Auth-Token": token}, timeout=timeout
    )


def quota(response) -> tuple:
    return tuple(int(response.headers[name]) for name in QUOTA_HEADERS)


# -- rate limit ------------------------------------------------------------------


def test_quota_spent_gives_429_with_headers_until_the_window_resets(clock):
    with make_sim(clock, quota=3, window_ms=30000) as sim:
        assert [quota(get(sim)) for _ in range(3)] == [
            (30000, 30000, 3, 2),
            (30000, 30000, 3, 1),
            (30000, 30000, 3, 0),
        ]
        clock.now += 10.5
        limited = get(sim)
        assert limited.status_code == 429
        assert quota(limited) == (30000, 19500, 3, 0)
        assert limited.headers["X-Retry-After"] == "20"
        clock.now += 19.5  # the window started 30 s ago: a new one opens now
        fresh = get(sim)
        assert fresh.status_code == 200
        assert quota(fresh) == (30000, 30000, 3, 2)
        assert "X-Retry-After" not in fresh.headers
        clock.now += 1
        assert quota(get(sim)) == (30000, 29000, 3, 1)
        assert [r["status"] for r in sim.requests] == [200, 200, 200, 429, 200, 200]
        sim.assert_conformant()


def test_every_api_response_carries_the_quota_headers(sim):
    for response in (
        get(sim),
        get(sim, token="wrong"),
        get(sim, "/v2/orders/12345"),
        requests.get(f"{sim.base_url}/stores/nope/v2/time", timeout=10),
    ):
        assert all(name in response.headers for name in QUOTA_HEADERS), response
    assert int(get(sim).headers["X-Rate-Limit-Requests-Left"]) == 147


def test_rate_limiting_can_be_turned_off(clock):
    with make_sim(clock, quota=None) as sim:
        responses = [get(sim) for _ in range(5)]
        assert all(r.status_code == 200 for r in responses)
        assert not any(name in responses[0].headers for name in QUOTA_HEADERS)


# -- faults -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "502", "503", "504"])
def test_server_error_faults_hit_the_next_requests_only(sim, kind):
    sim.faults.inject(kind, count=2)
    v2 = get(sim, "/v2/orders")
    v3 = get(sim, "/v3/customers")
    assert (v2.status_code, v3.status_code) == (int(kind), int(kind))
    assert v2.json()[0]["status"] == int(kind)
    assert v3.json()["status"] == int(kind) and v3.json()["title"]
    after = get(sim)
    assert after.status_code == 200
    assert [r["fault"] for r in sim.requests] == [kind, kind, None]
    # The faulted requests spent none of the quota.
    assert after.headers["X-Rate-Limit-Requests-Left"] == "149"
    sim.assert_conformant()


def test_429_fault_carries_retry_headers(sim):
    sim.faults.inject("429")
    response = get(sim)
    assert response.status_code == 429
    assert response.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert int(response.headers["X-Retry-After"]) >= 1
    assert int(response.headers["X-Rate-Limit-Time-Reset-Ms"]) > 0


def test_429_without_headers_fault(sim):
    sim.faults.inject("429_no_headers")
    response = get(sim)
    assert response.status_code == 429
    assert not any(name.lower().startswith("x-rate-limit") for name in response.headers)
    assert "X-Retry-After" not in response.headers
    assert get(sim).status_code == 200


def test_timeout_fault_holds_the_answer_past_the_client_timeout(sim):
    sim.faults.timeout_delay = 0.3
    sim.faults.inject("timeout")
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        get(sim, timeout=0.3)
    assert time.monotonic() - started < 2
    assert get(sim, timeout=5).status_code == 200  # served while the other waits
    assert sim.faults.timeout_hold > sim.faults.timeout_delay


def test_timeout_fault_answers_504_to_a_patient_client(sim):
    sim.faults.timeout_delay = 0.1
    sim.faults.inject("timeout")
    started = time.monotonic()
    response = get(sim, timeout=5)
    assert response.status_code == 504
    assert time.monotonic() - started >= sim.faults.timeout_delay


def test_slow_fault_answers_normally_after_a_delay(sim):
    sim.faults.slow_delay = 0.25
    sim.faults.inject("slow")
    started = time.monotonic()
    response = get(sim, "/v2/store")
    assert time.monotonic() - started >= 0.25
    assert response.status_code == 200 and response.json()["id"] == HASH
    assert sim.requests[-1]["fault"] == "slow"
    sim.assert_conformant()


def test_faults_change_no_state(sim):
    sim.faults.inject("500")
    hook = {"scope": "store/order/created", "destination": "https://erp.example.com/h"}
    url = f"{sim.api_url}/v3/hooks"
    headers = {"X-Auth-Token": TOKEN}
    assert requests.post(url, json=hook, headers=headers, timeout=10).status_code == 500
    assert sim.state.hooks == {}
    assert requests.post(url, json=hook, headers=headers, timeout=10).status_code == 200
    assert len(sim.state.hooks) == 1


def fault_pattern(clock, rate, count=40) -> list:
    with make_sim(clock, quota=None) as sim:
        sim.faults.set_rate("503", rate)
        return [get(sim).status_code for _ in range(count)]


def test_fault_rate_is_seeded_and_repeatable(clock):
    first = fault_pattern(clock, 0.3)
    assert first == fault_pattern(clock, 0.3)
    assert set(first) == {200, 503}
    assert 4 <= first.count(503) <= 24
    assert set(fault_pattern(clock, 0)) == {200}


def test_clear_and_unknown_kinds(sim):
    sim.faults.inject("500", count=3)
    sim.faults.set_rate("502", 1.0)
    assert sim.faults.pending == 3
    sim.faults.clear()
    assert sim.faults.pending == 0
    assert get(sim).status_code == 200
    with pytest.raises(ValueError):
        sim.faults.inject("418")
    with pytest.raises(ValueError):
        sim.faults.set_rate("500", 1.5)
