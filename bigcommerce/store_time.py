# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's time zone: which day a BigCommerce moment belongs to.

BigCommerce dates are instants (RFC-2822 with an offset, read as naive UTC
datetimes by :func:`~.client.parse_datetime`); a store's accounting day is
the day in its time zone, ``timezone.name`` of ``GET /v2/store`` (an IANA
name). An order placed at 23:30 on 31 March in Chicago (04:30 on 1 April in
UTC) is March's. Without a time zone, the store's day is the UTC day.

Pure: every date the connector books, every period it lists, and every
store time it shows are computed here.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class UnknownTimeZone(ValueError):
    """A time zone name the time zone database does not know."""


def store_zone(tz_name=None):
    """The time zone ``tz_name`` (an IANA name), UTC when not given.

    :raises UnknownTimeZone: a name the time zone database does not know.
    """
    if not tz_name:
        return UTC
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone(
            f"The time zone {tz_name!r} is not in this server's time zone database."
        ) from exc


def is_known_time_zone(tz_name):
    """Whether ``tz_name`` is a time zone the database knows."""
    try:
        store_zone(tz_name)
    except UnknownTimeZone:
        return False
    return bool(tz_name)


def time_zone_name(store_information):
    """The store's time zone name in ``GET /v2/store``'s answer
    (``timezone.name``), or ``None`` when it gives none."""
    zone = (store_information or {}).get("timezone")
    name = zone.get("name") if isinstance(zone, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


def local_datetime(moment, tz_name=None):
    """A naive UTC ``moment`` as an aware datetime of the time zone
    ``tz_name`` (UTC when not given); ``None`` for no moment."""
    if not moment:
        return None
    return moment.replace(tzinfo=UTC).astimezone(store_zone(tz_name))


def local_date(moment, tz_name=None):
    """The day a naive UTC ``moment`` falls on in the time zone ``tz_name``
    (UTC when not given): the store's accounting day of the moment."""
    local = local_datetime(moment, tz_name)
    return local.date() if local else None


def format_local(moment, tz_name=None):
    """A naive UTC ``moment`` as the store's clock shows it, with the zone's
    abbreviation: ``2026-03-31 23:30:00 CDT``; ``""`` for no moment."""
    local = local_datetime(moment, tz_name)
    if not local:
        return ""
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or tz_name or 'UTC'}"


def day_start(day, tz_name=None):
    """The first instant (naive UTC) of ``day`` in the time zone ``tz_name``.

    Usually the day's midnight. Where the clocks skip midnight (Havana,
    Santiago, Beirut jump from 00:00 to 01:00), midnight read with the
    offset before the jump is the jump's instant, the first of the day; a
    day a zone skipped entirely (Samoa's 30 December 2011) starts, and
    ends, where the next one starts.
    """
    midnight = datetime.combine(day, time.min, tzinfo=store_zone(tz_name))
    return midnight.astimezone(UTC).replace(tzinfo=None)


def utc_bounds(date_from, date_to, tz_name=None):
    """The period ``date_from`` to ``date_to`` (both days included) in the
    time zone ``tz_name`` (UTC when not given), as ``[start, end)`` naive
    UTC datetimes: a moment is in the period exactly when its
    :func:`local_date` is one of its days."""
    return day_start(date_from, tz_name), day_start(
        date_to + timedelta(days=1), tz_name
    )
