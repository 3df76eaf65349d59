"""Timestamps on the wire: the three AWS formats out, and lenient parsing in.

Formats (as botocore writes them): ``iso8601`` (``2026-11-25T20:14:42Z``, with ``.ffffffZ``
when there are microseconds), ``rfc822`` (``Wed, 25 Nov 2026 20:14:42 GMT``) and
``unixTimestamp`` (seconds, an ``int`` unless there are microseconds).
"""

from __future__ import annotations

import calendar
import datetime
import email.utils
import math

__all__ = [
    "format_iso8601",
    "format_rfc822",
    "format_timestamp",
    "format_unix",
    "parse_timestamp",
    "to_utc",
]

UTC = datetime.UTC
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_utc(value: datetime.datetime) -> datetime.datetime:
    """An aware UTC datetime; a naive one is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if value.utcoffset() == datetime.timedelta(0) and value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


def format_iso8601(value: datetime.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``, with microseconds when there are any."""
    value = to_utc(value)
    base = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        return f"{base}.{value.microsecond:06d}Z"
    return base + "Z"


def format_rfc822(value: datetime.datetime) -> str:
    """``Wed, 25 Nov 2026 20:14:42 GMT`` (whole seconds)."""
    value = to_utc(value)
    return (
        f"{_WEEKDAYS[value.weekday()]}, {value.day:02d} {_MONTHS[value.month - 1]} "
        f"{value.year:04d} {value.hour:02d}:{value.minute:02d}:{value.second:02d} GMT"
    )


def format_unix(value: datetime.datetime) -> int | float:
    """Seconds since the epoch: an ``int``, or a ``float`` when there are microseconds."""
    value = to_utc(value)
    seconds = calendar.timegm(value.timetuple())
    if value.microsecond:
        # Adding microseconds as integers before dividing rounds once, not twice.
        return (seconds * 10**6 + value.microsecond) / 10**6
    return seconds


def format_timestamp(value: datetime.datetime, timestamp_format: str) -> str | int | float:
    """Format ``value`` in one of the model's ``timestampFormat`` names."""
    fmt = timestamp_format.lower()
    if fmt == "iso8601":
        return format_iso8601(value)
    if fmt == "rfc822":
        return format_rfc822(value)
    if fmt == "unixtimestamp":
        return format_unix(value)
    raise ValueError(f"unknown timestamp format {timestamp_format!r}")


def _from_epoch(seconds: float) -> datetime.datetime:
    if not math.isfinite(seconds):
        raise ValueError(f"timestamp {seconds!r} is not finite")
    try:
        # As botocore: fromtimestamp rounds to the nearest microsecond.
        return datetime.datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"timestamp {seconds!r} is out of range") from exc


def parse_timestamp(value: object) -> datetime.datetime:
    """A timezone-aware UTC datetime from any format a service may send.

    Accepts epoch seconds (number or numeric string), ISO 8601 (any precision, ``Z`` or an
    offset, date only) and RFC 822 / HTTP dates. Raises ``ValueError`` otherwise.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        raise ValueError(f"cannot parse {type(value).__name__} as a timestamp")
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    if text[0].isdigit():
        iso = text
        if iso.endswith(("z", "Z")):
            iso = iso[:-1] + "+00:00"
        # fromisoformat takes at most 6 fractional digits; services may send more.
        head, dot, rest = iso.partition(".")
        if dot:
            digits = len(rest) - len(rest.lstrip("0123456789"))
            if digits > 6:
                rest = rest[:6] + rest[digits:]
            iso = f"{head}.{rest}"
        try:
            return to_utc(datetime.datetime.fromisoformat(iso))
        except ValueError:
            pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"cannot parse timestamp {value!r}") from exc
    return to_utc(parsed)
