"""The type-strict JSON comparison the other tests use (tests/_json_strict.py)."""

from __future__ import annotations

import datetime
import enum
import math

import pytest
from _json_strict import assert_json_body, assert_json_equal, json_differences, json_equal


class Color(enum.StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    ("ours", "expected"),
    [
        (True, 1),
        (False, 0),
        (1, True),
        (1, 1.0),
        (1.0, 1),
        (0, None),
        ("1", 1),
        ({"a": True}, {"a": 1}),
        ([1, True], [1, 1]),
        ({"a": {"b": [0.0]}}, {"a": {"b": [0]}}),
        ({"a": 1}, {"a": 1, "b": 2}),
        ({"a": 1, "b": 2}, {"a": 1}),
        ([1], [1, 1]),
        ({"a": 1}, [("a", 1)]),
        (b"x", "x"),
        (datetime.datetime(2020, 1, 1), "2020-01-01T00:00:00"),
    ],
)
def test_values_that_plain_equality_may_confuse_differ(ours: object, expected: object) -> None:
    assert json_differences(ours, expected)
    assert not json_equal(ours, expected)
    with pytest.raises(AssertionError):
        assert_json_equal(ours, expected)


@pytest.mark.parametrize(
    ("ours", "expected"),
    [
        (None, None),
        (True, True),
        (3, 3),
        (2.5, 2.5),
        (math.nan, math.nan),  # both sides wrote NaN
        ("a", "a"),
        (Color.RED, "red"),  # a str enum is the string on the wire
        ({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}),
        ({"b": 1, "a": 2}, {"a": 2, "b": 1}),  # objects are unordered
        ((1, 2), [1, 2]),  # any sequence is an array
        (datetime.datetime(2020, 1, 1), datetime.datetime(2020, 1, 1)),
        (b"x", b"x"),
    ],
)
def test_equal_values_are_equal(ours: object, expected: object) -> None:
    assert json_differences(ours, expected) == []
    assert_json_equal(ours, expected)


def test_differences_name_their_path() -> None:
    problems = json_differences({"a": [1, {"b": True}], "c": 1}, {"a": [1, {"b": 1}], "d": 1})
    assert problems == [
        "$: unexpected key 'c'",
        "$: missing key 'd'",
        "$['a'][1]['b']: expected int 1, got bool True",
    ]


def test_bodies_are_parsed_then_compared_strictly() -> None:
    assert_json_body(b'{"on": true, "n": 2}', {"on": True, "n": 2})
    assert_json_body('{"x": 1.5}', {"x": 1.5})
    with pytest.raises(AssertionError, match="expected bool True, got int 1"):
        assert_json_body(b'{"on": 1}', {"on": True})
    with pytest.raises(AssertionError, match=r"expected int 2, got float 2\.0"):
        assert_json_body(b"[2.0]", [2])
    with pytest.raises(AssertionError, match="not JSON"):
        assert_json_body(b"{", {})
