# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Date formats: RFC-2822 for v2, RFC-3339 for v3, and lenient filter parsing."""

from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime truncated to whole seconds."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


def utcnow() -> datetime:
    return utc(datetime.now(UTC))


def rfc2822(dt: datetime) -> str:
    """``Tue, 20 Nov 2012 00:00:00 +0000`` (v2 responses are always UTC)."""
    return format_datetime(utc(dt))


def rfc3339(dt: datetime) -> str:
    """``2022-06-16T16:44:15+00:00``."""
    return utc(dt).isoformat()


def rfc3339_z(dt: datetime) -> str:
    """``2024-05-14T09:34:00Z`` (the customers API's style)."""
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(value: str) -> datetime:
    """Parse a filter value given as RFC-2822, ISO-8601 / RFC-3339 or a bare date.

    Naive values are taken as UTC. Raises ValueError when nothing fits.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    parsers = (
        datetime.fromisoformat,
        lambda t: datetime.combine(date.fromisoformat(t), datetime.min.time()),
        parsedate_to_datetime,
    )
    for parse in parsers:
        try:
            return utc(parse(text))
        except (TypeError, ValueError, IndexError):
            continue
    raise ValueError(f"unrecognised date: {value!r}")
