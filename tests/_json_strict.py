"""Type-strict comparison of JSON values (and of parsed data that holds them).

``json.loads(a) == json.loads(b)`` lets ``True == 1`` and ``1 == 1.0`` pass, so a serializer
that sends booleans as ``1``/``0`` (or an integer as ``1.0``) would pass every test that
compares bodies that way. Here a bool equals only a bool, an int only an int (never a bool),
a float only a float (NaN equals NaN: both sides wrote the same ``NaN``), and dicts and
lists are compared member by member. Values that are not JSON (datetimes, bytes, in parsed
outputs) must have the same type family and compare equal.

``json_differences(ours, expected)`` lists every difference with its path (empty when
equal); ``assert_json_equal`` and ``assert_json_body`` raise ``AssertionError`` with them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["assert_json_body", "assert_json_equal", "json_differences", "json_equal"]


def _kind(value: Any) -> str:
    """The JSON type of ``value`` (bool before int: ``bool`` is a subclass of ``int``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, bytes | bytearray):
        return "bytes"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, Sequence):
        return "array"
    return type(value).__qualname__


def json_differences(ours: Any, expected: Any, path: str = "$") -> list[str]:
    """Every way ``ours`` differs from ``expected``, type-strictly; empty when equal."""
    kind, expected_kind = _kind(ours), _kind(expected)
    if kind != expected_kind:
        return [f"{path}: expected {expected_kind} {expected!r}, got {kind} {ours!r}"]
    if kind == "object":
        return _object_differences(ours, expected, path)
    if kind == "array":
        return _array_differences(ours, expected, path)
    if kind == "float" and math.isnan(ours) and math.isnan(expected):
        return []
    if ours != expected:
        return [f"{path}: expected {expected!r}, got {ours!r}"]
    return []


def _object_differences(
    ours: Mapping[Any, Any], expected: Mapping[Any, Any], path: str
) -> list[str]:
    problems = [f"{path}: unexpected key {key!r}" for key in ours if key not in expected]
    problems += [f"{path}: missing key {key!r}" for key in expected if key not in ours]
    for key, value in expected.items():
        if key in ours:
            problems += json_differences(ours[key], value, f"{path}[{key!r}]")
    return problems


def _array_differences(ours: Sequence[Any], expected: Sequence[Any], path: str) -> list[str]:
    if len(ours) != len(expected):
        return [f"{path}: expected {len(expected)} items {expected!r}, got {len(ours)} {ours!r}"]
    problems: list[str] = []
    for index, (mine, other) in enumerate(zip(ours, expected, strict=True)):
        problems += json_differences(mine, other, f"{path}[{index}]")
    return problems


def json_equal(ours: Any, expected: Any) -> bool:
    """``True`` when the two values are equal type-strictly."""
    return not json_differences(ours, expected)


def assert_json_equal(ours: Any, expected: Any) -> None:
    """Fail with every difference when the values are not equal type-strictly."""
    problems = json_differences(ours, expected)
    assert not problems, "JSON values differ:\n  " + "\n  ".join(problems)


def assert_json_body(body: bytes | str, expected: Any) -> None:
    """Fail unless ``body`` is JSON text whose value equals ``expected`` type-strictly."""
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise AssertionError(f"not JSON ({exc}): {body!r}") from None
    assert_json_equal(value, expected)
