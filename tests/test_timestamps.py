"""Timestamp formatting and lenient parsing (aioapigateway.runtime.timestamps)."""

from __future__ import annotations

import datetime

import pytest

from aioapigateway.runtime.timestamps import (
    format_iso8601,
    format_rfc822,
    format_timestamp,
    format_unix,
    parse_timestamp,
)

UTC = datetime.UTC
WHOLE = datetime.datetime(2026, 11, 25, 20, 14, 42, tzinfo=UTC)
MICRO = WHOLE.replace(microsecond=3691)


def test_iso8601_whole_and_fractional_seconds() -> None:
    assert format_iso8601(WHOLE) == "2026-11-25T20:14:42Z"
    assert format_iso8601(MICRO) == "2026-11-25T20:14:42.003691Z"


def test_naive_is_utc_and_offsets_are_converted() -> None:
    naive = WHOLE.replace(tzinfo=None)
    plus_two = WHOLE.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert format_iso8601(naive) == format_iso8601(plus_two) == "2026-11-25T20:14:42Z"


def test_rfc822() -> None:
    assert format_rfc822(MICRO) == "Wed, 25 Nov 2026 20:14:42 GMT"


def test_unix_is_int_without_microseconds_and_exact_with() -> None:
    assert format_unix(WHOLE) == 1795637682
    assert isinstance(format_unix(WHOLE), int)
    assert format_unix(MICRO) == 1795637682.003691


def test_format_by_name_is_case_insensitive() -> None:
    assert format_timestamp(WHOLE, "unixTimestamp") == 1795637682
    assert format_timestamp(WHOLE, "ISO8601") == "2026-11-25T20:14:42Z"
    with pytest.raises(ValueError):
        format_timestamp(WHOLE, "julian")


@pytest.mark.parametrize(
    "text",
    [
        1795637682,
        1795637682.0,
        "1795637682",
        "2026-11-25T20:14:42Z",
        "2026-11-25T20:14:42.000Z",
        "2026-11-25T22:14:42+02:00",
        "2026-11-25T20:14:42",
        "Wed, 25 Nov 2026 20:14:42 GMT",
    ],
)
def test_parse_accepts_every_format(text: object) -> None:
    parsed = parse_timestamp(text)
    assert parsed == WHOLE
    assert parsed.tzinfo is not None and parsed.utcoffset() == datetime.timedelta(0)


def test_parse_keeps_fractions_and_trims_nanoseconds() -> None:
    assert parse_timestamp(1795637682.5).microsecond == 500000
    assert parse_timestamp("2026-11-25T20:14:42.123456789Z").microsecond == 123456


@pytest.mark.parametrize("bad", ["", "yesterday", True, None, [], float("nan"), "2026-13-45"])
def test_parse_rejects_garbage_with_value_error(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(bad)


def test_http_date_names_are_public_and_english() -> None:
    from aioapigateway.runtime import timestamps as _timestamps

    assert _timestamps.WEEKDAYS[WHOLE.weekday()] == "Wed"
    assert _timestamps.MONTHS[WHOLE.month - 1] == "Nov"
    assert len(_timestamps.WEEKDAYS) == 7 and len(_timestamps.MONTHS) == 12
    # The old private names keep working until every importer switches.
    assert _timestamps._WEEKDAYS is _timestamps.WEEKDAYS
    assert _timestamps._MONTHS is _timestamps.MONTHS


@pytest.mark.parametrize(
    "value",
    [
        WHOLE,
        WHOLE.replace(tzinfo=None),
        WHOLE.astimezone(datetime.timezone(datetime.timedelta(hours=-7))),
        1795637682,
        1795637682.0,
        "1795637682",
        "2026-11-25T20:14:42Z",
        "2026-11-25T20:14:42",
        "Wed, 25 Nov 2026 20:14:42 GMT",
    ],
)
def test_timestamp_input_accepts_what_botocore_accepts(value: object) -> None:
    from aioapigateway.runtime.timestamps import timestamp_input

    result = timestamp_input(value)
    assert result == WHOLE
    assert result.tzinfo is UTC


@pytest.mark.parametrize("bad", [True, None, datetime.date(2026, 11, 25), 10**400, "soon"])
def test_timestamp_input_refuses_anything_else_with_value_error(bad: object) -> None:
    from aioapigateway.runtime.timestamps import timestamp_input

    with pytest.raises(ValueError):
        timestamp_input(bad)


def test_an_int_too_large_for_a_float_is_a_value_error_not_an_overflow() -> None:
    with pytest.raises(ValueError, match="out of range") as caught:
        parse_timestamp(10**400)
    assert not isinstance(caught.value, OverflowError)
