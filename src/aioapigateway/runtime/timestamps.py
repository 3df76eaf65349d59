"""Timestamps on the wire: the three AWS formats out, and lenient parsing in.

Formats (as botocore writes them): ``iso8601`` (``2026-11-25T20:14:42Z``, with ``.ffffffZ``
when there are microseconds), ``rfc822`` (``Wed, 25 Nov 2026 20:14:42 GMT``) and
``unixTimestamp`` (seconds, an ``int`` unless there are microseconds).

Input timestamps (:func:`timestamp_input`) are what botocore accepts: a ``datetime``
(naive taken as UTC), epoch seconds (``int`` or ``float``) or a string (ISO 8601, an
HTTP date, or epoch seconds).
"""

from __future__ import annotations

import calendar
import datetime
import email.utils
import math
from collections.abc import Callable

__all__ = [
    "MONTHS",
    "WEEKDAYS",
    "format_iso8601",
    "format_rfc822",
    "format_timestamp",
    "format_unix",
    "parse_timestamp",
    "timestamp_formatter",
    "timestamp_input",
    "to_utc",
]

UTC = datetime.UTC
#: English day and month abbreviations of HTTP dates (never the locale's).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The old private names, until every importer uses the public ones.
_WEEKDAYS = WEEKDAYS
_MONTHS = MONTHS


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
        f"{WEEKDAYS[value.weekday()]}, {value.day:02d} {MONTHS[value.month - 1]} "
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


_FORMATTERS: dict[str, Callable[[datetime.datetime], str | int | float]] = {
    "iso8601": format_iso8601,
    "rfc822": format_rfc822,
    "unixtimestamp": format_unix,
}


def timestamp_formatter(timestamp_format: str) -> Callable[[datetime.datetime], str | int | float]:
    """The function formatting a datetime in one of the model's ``timestampFormat`` names
    (case-insensitive); ``ValueError`` for an unknown name."""
    formatter = _FORMATTERS.get(timestamp_format.lower())
    if formatter is None:
        raise ValueError(f"unknown timestamp format {timestamp_format!r}")
    return formatter


def format_timestamp(value: datetime.datetime, timestamp_format: str) -> str | int | float:
    """Format ``value`` in one of the model's ``timestampFormat`` names."""
    return timestamp_formatter(timestamp_format)(value)


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
        try:
            seconds = float(value)
        except OverflowError:
            raise ValueError(f"timestamp {value!r:.40} is out of range") from None
        return _from_epoch(seconds)
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


def timestamp_input(value: object) -> datetime.datetime:
    """An input timestamp as an aware UTC datetime, accepting what botocore accepts.

    A ``datetime`` (a naive one is taken as UTC; an aware one is converted), epoch
    seconds as an ``int`` or ``float``, or a string: ISO 8601 (a naive one is UTC), an
    HTTP date, or epoch seconds. A ``bool`` is not a number here (botocore would read
    ``True`` as one second past the epoch). Raises ``ValueError`` otherwise.
    """
    if isinstance(value, datetime.datetime):
        return to_utc(value)
    return parse_timestamp(value)
