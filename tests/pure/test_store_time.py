# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's time zone: the day of a moment, a period's bounds, the store's
clock; at a month's edge and across daylight saving changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bigcommerce import BigCommerceClient
from bigcommerce.client import parse_datetime
from bigcommerce.store_time import (
    UnknownTimeZone,
    day_start,
    format_local,
    is_known_time_zone,
    local_date,
    time_zone_name,
    utc_bounds,
)
from simulator import BigCommerceSimulator
from simulator.dates import rfc2822

CHICAGO = "America/Chicago"


def in_period(moment, bounds):
    start, end = bounds
    return start <= moment < end


# -- the month's edge ----------------------------------------------------------


def test_an_order_at_23_30_on_31_march_in_chicago_is_march_s():
    # BigCommerce's v2 dates are UTC: 23:30 CDT is 04:30 UTC on 1 April.
    moment = parse_datetime("Wed, 01 Apr 2026 04:30:00 +0000")
    assert local_date(moment, CHICAGO) == date(2026, 3, 31)
    assert local_date(moment) == date(2026, 4, 1)  # a store in UTC
    assert format_local(moment, CHICAGO) == "2026-03-31 23:30:00 CDT"
    march = utc_bounds(date(2026, 3, 1), date(2026, 3, 31), CHICAGO)
    april = utc_bounds(date(2026, 4, 1), date(2026, 4, 30), CHICAGO)
    assert march == (datetime(2026, 3, 1, 6), datetime(2026, 4, 1, 5))
    assert in_period(moment, march) and not in_period(moment, april)


def test_half_past_midnight_store_time_on_the_first_is_the_new_month_s():
    moment = datetime(2026, 4, 1, 5, 30)  # 00:30 CDT
    assert local_date(moment, CHICAGO) == date(2026, 4, 1)


# -- daylight saving -----------------------------------------------------------


def test_the_hour_chicago_repeats_is_one_day_told_apart_by_its_zone():
    # 1 November 2026: at 02:00 CDT the clocks go back to 01:00 CST.
    first, second = datetime(2026, 11, 1, 6, 30), datetime(2026, 11, 1, 7, 30)
    assert format_local(first, CHICAGO) == "2026-11-01 01:30:00 CDT"
    assert format_local(second, CHICAGO) == "2026-11-01 01:30:00 CST"
    assert local_date(first, CHICAGO) == local_date(second, CHICAGO)
    # The day has 25 hours.
    start, end = utc_bounds(date(2026, 11, 1), date(2026, 11, 1), CHICAGO)
    assert (start, end) == (datetime(2026, 11, 1, 5), datetime(2026, 11, 2, 6))
    assert end - start == timedelta(hours=25)


def test_the_hour_chicago_skips_leaves_a_day_of_23_hours():
    # 8 March 2026: at 02:00 CST the clocks jump to 03:00 CDT.
    before, after = datetime(2026, 3, 8, 7, 59, 59), datetime(2026, 3, 8, 8)
    assert format_local(before, CHICAGO) == "2026-03-08 01:59:59 CST"
    assert format_local(after, CHICAGO) == "2026-03-08 03:00:00 CDT"
    start, end = utc_bounds(date(2026, 3, 8), date(2026, 3, 8), CHICAGO)
    assert (start, end) == (datetime(2026, 3, 8, 6), datetime(2026, 3, 9, 5))
    assert end - start == timedelta(hours=23)


def test_a_day_whose_midnight_is_skipped_starts_when_the_clocks_jump():
    # Havana: on 8 March 2026 the clocks jump from 00:00 CST to 01:00 CDT;
    # the day starts at that instant, 05:00 UTC.
    start = day_start(date(2026, 3, 8), "America/Havana")
    assert start == datetime(2026, 3, 8, 5)
    assert local_date(start - timedelta(seconds=1), "America/Havana") == date(
        2026, 3, 7
    )
    assert format_local(start, "America/Havana") == "2026-03-08 01:00:00 CDT"


def test_a_day_a_zone_skipped_entirely_is_an_empty_period():
    # Samoa went from 29 December 2011 straight to 31 December.
    start, end = utc_bounds(date(2011, 12, 30), date(2011, 12, 30), "Pacific/Apia")
    assert start == end
    assert local_date(start, "Pacific/Apia") == date(2011, 12, 31)


# Zones with daylight saving at 02:00, at midnight (Havana, Santiago,
# Beirut), of half an hour (Lord Howe), in the southern hemisphere, and none.
ZONES = [
    CHICAGO,
    "America/New_York",
    "Europe/Paris",
    "America/Havana",
    "America/Santiago",
    "Asia/Beirut",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Etc/UTC",
]

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)
).map(lambda moment: moment.replace(microsecond=0))


@settings(max_examples=400, deadline=None)
@given(moment=moments, tz_name=st.sampled_from(ZONES))
def test_a_moment_is_in_a_period_exactly_when_its_store_day_is(moment, tz_name):
    day = local_date(moment, tz_name)
    assert in_period(moment, utc_bounds(day, day, tz_name))
    assert in_period(moment, utc_bounds(day - timedelta(days=3), day, tz_name))
    assert not in_period(
        moment, utc_bounds(day + timedelta(days=1), day + timedelta(days=9), tz_name)
    )
    assert not in_period(
        moment, utc_bounds(day - timedelta(days=9), day - timedelta(days=1), tz_name)
    )


@settings(max_examples=200, deadline=None)
@given(moment=moments, tz_name=st.sampled_from(ZONES))
def test_a_day_starts_at_its_first_second(moment, tz_name):
    day = local_date(moment, tz_name)
    start = day_start(day, tz_name)
    assert local_date(start, tz_name) == day
    assert local_date(start - timedelta(seconds=1), tz_name) < day
    assert start <= moment


@settings(max_examples=200, deadline=None)
@given(
    moment=moments, tz_name=st.sampled_from(sorted(available_timezones() - {"Factory"}))
)
def test_the_store_day_of_any_zone_is_its_clock_s_day(moment, tz_name):
    """Whatever the zone, the day is the one the store's clock shows."""
    assert local_date(moment, tz_name).isoformat() == format_local(moment, tz_name)[:10]


# -- the store's time zone, as BigCommerce gives it --------------------------------


def test_the_time_zone_is_read_from_the_store_information():
    assert time_zone_name({"timezone": {"name": CHICAGO, "raw_offset": -21600}}) == (
        CHICAGO
    )
    assert time_zone_name({"timezone": {"name": " "}}) is None
    assert time_zone_name({"name": "No zone"}) is None
    assert time_zone_name(None) is None


def test_an_unknown_time_zone_is_said_so_and_never_guessed():
    assert is_known_time_zone(CHICAGO)
    assert not is_known_time_zone("Mars/Olympus_Mons")
    assert not is_known_time_zone(None)
    with pytest.raises(UnknownTimeZone, match="Mars/Olympus_Mons"):
        local_date(datetime(2026, 1, 1), "Mars/Olympus_Mons")


def test_without_a_time_zone_the_store_day_is_the_utc_day():
    moment = datetime(2026, 4, 1, 4, 30)
    assert local_date(moment, None) == date(2026, 4, 1)
    assert format_local(moment) == "2026-04-01 04:30:00 UTC"
    assert utc_bounds(date(2026, 4, 1), date(2026, 4, 1)) == (
        datetime(2026, 4, 1),
        datetime(2026, 4, 2),
    )
    assert local_date(None, CHICAGO) is None
    assert format_local(None, CHICAGO) == ""


# -- the simulator serves it ---------------------------------------------------------


def store_information(**options):
    """``GET /v2/store`` of a simulated store, through the client."""
    with BigCommerceSimulator(
        store_hash="zonestore", access_token="zone-token", **options
    ) as sim:
        sim.state.now = lambda: datetime(2026, 4, 1, tzinfo=UTC)
        client = BigCommerceClient(
            "zonestore", "zone-token", base_url=sim.base_url, timeout=30.0
        )
        info = client.get_store_information()
        sim.assert_conformant()
        return info


def test_the_simulator_serves_the_store_s_time_zone_per_the_spec():
    info = store_information(timezone=CHICAGO)
    zone = info["timezone"]
    assert time_zone_name(info) == CHICAGO
    assert (zone["raw_offset"], zone["dst_offset"], zone["dst_correction"]) == (
        -21600,
        -18000,
        True,
    )
    # Its dates are UTC whatever the zone.
    assert rfc2822(datetime(2026, 4, 1, 4, 30)).endswith("+0000")


def test_the_simulator_s_store_may_give_no_time_zone():
    assert "timezone" not in store_information(timezone=None)
    assert store_information()["timezone"]["name"] == "Etc/UTC"
