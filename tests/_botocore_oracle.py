"""botocore as a test oracle for the differential tests (botocore is a test-only dependency).

Nothing here is copied from botocore: it loads the project's own model into botocore's
``ServiceModel``, asks botocore's serializer and parser for their answers, and provides a
seeded random generator of valid inputs and outputs, a converter of botocore-style parameter
dicts to our keyword arguments, and a recursive comparison of our models with botocore's
parsed dicts.
"""

from __future__ import annotations

import base64
import datetime
import importlib
import json
import math
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import botocore.model
import botocore.parsers
import botocore.serialize
from botocore.awsrequest import HeadersDict
from botocore.utils import percent_encode_sequence

from aioapigateway._spec import SERVICE

__all__ = [
    "SERVICE_MODEL",
    "AWKWARD_LABEL",
    "Expected",
    "OutputGenerator",
    "InputGenerator",
    "botocore_parse",
    "botocore_request",
    "compare_output",
    "query_pairs",
    "raw_query_pairs",
    "to_kwargs",
]

SPEC_PATH = (
    Path(__file__).resolve().parents[1] / "spec" / "apigateway" / "2015-07-09" / "service-2.json"
)
SERVICE_MODEL = botocore.model.ServiceModel(
    json.loads(SPEC_PATH.read_text(encoding="utf-8")), service_name="apigateway"
)

_SERIALIZER = botocore.serialize.create_serializer("rest-json", include_validation=True)
_PARSER = botocore.parsers.create_parser("rest-json")

#: Every character the brief calls awkward, in one URI label.
AWKWARD_LABEL = "a b/c?d&e=f%g+h..i~j日本"

# Pieces random strings are made of: plain text and everything that trips up encoders.
_PIECES = (
    "a",
    "Z",
    "0",
    "9",
    "-",
    "_",
    ".",
    " ",
    "/",
    "?",
    "&",
    "=",
    "%",
    "+",
    "..",
    "~",
    "é",
    "日本",
    "#",
    ";",
    ":",
    "@",
    ",",
    "'",
    '"',
    "*",
    "!",
    "$",
    "(",
    ")",
    "[",
    "]",
    "\\",
    "|",
    "^",
    "`",
    "{",
    "}",
    "<",
    ">",
    "%2F",
    "%20",
    "😀",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\x7f",
    "\u2028",
    "abc",
    "x y",
)
_LABEL_SPECIALS = ("..", ".", "~", "%", "+", " ", "a/b", "日本", "%2F", "/", "?")
_HEADER_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.;=/+*,:@!'\"()[] "


def _shape_min(shape: botocore.model.Shape) -> int | None:
    value = shape.metadata.get("min")
    return None if value is None else int(value)


def _shape_max(shape: botocore.model.Shape) -> int | None:
    value = shape.metadata.get("max")
    return None if value is None else int(value)


# --------------------------------------------------------------------------------------------
# Random values


class _Generator:
    """Shared machinery of the input and output generators (a seeded ``random.Random``)."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def count(self, shape: botocore.model.Shape) -> int:
        low = _shape_min(shape) or 0
        high = _shape_max(shape)
        top = max(low, 3) if high is None else min(max(low, 3), high)
        return self.rng.randint(low, top)

    def text(self, shape: botocore.model.Shape | None, *, non_empty: bool = False) -> str:
        """A random string, honouring enums, patterns and length limits."""
        rng = self.rng
        if shape is not None and shape.enum:
            return rng.choice(shape.enum)
        if shape is not None and "pattern" in shape.metadata:
            return self._pattern_text(shape.metadata["pattern"], non_empty)
        low = _shape_min(shape) if shape is not None else None
        high = _shape_max(shape) if shape is not None else None
        low = max(low or 0, 1 if non_empty else 0)
        while True:
            pieces = rng.randint(0 if low == 0 else 1, 6)
            if rng.random() < 0.15 and low == 0:
                pieces = 0
            value = "".join(rng.choice(_PIECES) for _ in range(pieces))
            while len(value) < low:
                value += rng.choice(_PIECES)
            if high is not None:
                value = value[:high]
            if len(value) >= low:
                return value

    def _pattern_text(self, pattern: str, non_empty: bool) -> str:
        candidates = ["200", "404", "599", "100", "*", "", "  "]
        good = [c for c in candidates if re.fullmatch(pattern, c) and (c or not non_empty)]
        assert good, f"no sample fits the pattern {pattern!r}"
        return self.rng.choice(good)

    def header_text(self, shape: botocore.model.Shape | None) -> str:
        """Printable ASCII without CR/LF or surrounding whitespace (HTTP strips it)."""
        if shape is not None and shape.enum:
            return self.rng.choice(shape.enum)
        length = self.rng.randint(1, 24)
        value = "".join(self.rng.choice(_HEADER_CHARS) for _ in range(length)).strip()
        return value or "v"

    def blob(self) -> bytes:
        return self.rng.randbytes(self.rng.randint(0, 24))

    def integer(self, shape: botocore.model.Shape) -> int:
        low = _shape_min(shape)
        high = _shape_max(shape)
        if shape.type_name == "long":
            bounds = (-(2**53), 2**53)
        else:
            bounds = (-(2**31), 2**31 - 1)
        low = bounds[0] if low is None else low
        high = bounds[1] if high is None else high
        if self.rng.random() < 0.5:
            return self.rng.randint(max(low, -5), min(high, 500))
        return self.rng.randint(low, high)

    def double(self) -> float:
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            return float(rng.randint(-100, 100))
        if roll < 0.4:
            return rng.choice([0.1, 0.5, 1e-7, 1.5e300, -2.25, 123456.789])
        return rng.uniform(-1e6, 1e6)


class InputGenerator(_Generator):
    """Random, valid botocore-style input dicts for an operation's input shape."""

    def operation_input(self, operation: botocore.model.OperationModel) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        # Query-string map keys must not collide with a modeled query parameter (or a
        # constant one of the request URI): botocore lets the last writer win there.
        reserved = {
            member.serialization.get("name", name)
            for name, member in shape.members.items()
            if member.serialization.get("location") == "querystring"
        }
        uri_query = urlsplit(operation.http["requestUri"]).query
        reserved.update(key for key, _ in parse_qsl(uri_query, keep_blank_values=True))
        return self.structure(shape, top_level=True, reserved=reserved)

    def structure(
        self,
        shape: botocore.model.StructureShape,
        *,
        top_level: bool = False,
        reserved: set[str] | None = None,
        depth: int = 0,
    ) -> dict[str, Any]:
        required = set(shape.required_members)
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            if name not in required and self.rng.random() < 0.35:
                continue
            location = member.serialization.get("location") if top_level else None
            result[name] = self.value(
                member,
                location=location,
                required=name in required,
                reserved=reserved or set(),
                depth=depth + 1,
            )
        return result

    def value(
        self,
        shape: botocore.model.Shape,
        *,
        location: str | None = None,
        required: bool = False,
        reserved: set[str] | frozenset[str] = frozenset(),
        depth: int = 0,
    ) -> Any:
        rng = self.rng
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, botocore.model.StructureShape)
            return self.structure(shape, depth=depth)
        if kind == "list":
            assert isinstance(shape, botocore.model.ListShape)
            item_location = "header" if location == "header" else None
            return [
                self.value(shape.member, location=item_location, required=True, depth=depth + 1)
                for _ in range(self.count(shape) if depth < 6 else 0)
            ]
        if kind == "map":
            assert isinstance(shape, botocore.model.MapShape)
            result = {}
            for _ in range(self.count(shape) if depth < 6 else 0):
                key = self.text(shape.key, non_empty=location == "querystring")
                if key in reserved:
                    continue
                result[key] = self.value(shape.value, required=True, depth=depth + 1)
            return result
        if kind == "string":
            if location == "header":
                return self.header_text(shape)
            plain = not shape.enum and "pattern" not in shape.metadata
            if location == "uri" and plain and rng.random() < 0.15:
                # Whole labels that are dot segments or made of one awkward character.
                return rng.choice(_LABEL_SPECIALS)
            return self.text(shape, non_empty=location == "uri" or required)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in ("integer", "long", "short", "byte"):
            return self.integer(shape)
        if kind in ("float", "double"):
            return self.double()
        if kind == "timestamp":
            return self.timestamp()
        if kind == "blob":
            return self.blob()
        raise AssertionError(f"no generator for {kind} ({shape.name})")

    def timestamp(self) -> datetime.datetime:
        seconds = self.rng.randint(0, 4_102_444_800)  # 1970 .. 2100
        micros = self.rng.choice([0, 0, self.rng.randint(1, 999_999), 123_000, 1])
        return datetime.datetime.fromtimestamp(seconds, datetime.UTC).replace(microsecond=micros)


class OutputGenerator(_Generator):
    """Random HTTP responses (headers and body) for an operation's output shape."""

    def response(self, operation: botocore.model.OperationModel) -> tuple[dict[str, str], bytes]:
        shape = operation.output_shape
        assert shape is not None
        headers: dict[str, str] = {}
        payload = shape.serialization.get("payload")
        body_members: dict[str, Any] = {}
        for name, member in shape.members.items():
            if self.rng.random() < 0.3:
                continue
            location = member.serialization.get("location")
            if location == "header":
                headers[member.serialization.get("name", name)] = self.header_text(member)
            elif location is None and name != payload:
                body_members[member.serialization.get("name", name)] = self.wire(member)
        if payload is not None:
            target = shape.members[payload]
            if target.type_name in ("blob", "string"):
                # botocore hands a blob payload back as text, so keep it valid UTF-8.
                text = self.text(None)
                return headers, text.encode("utf-8")
            body = self.wire(target) if self.rng.random() < 0.8 else {}
            headers.setdefault("Content-Type", "application/json")
            return headers, json.dumps(body).encode()
        if self.rng.random() < 0.3:
            body_members["someUnmodeledField"] = {"nested": [1, "two"]}
        headers.setdefault("Content-Type", "application/json")
        if not body_members and self.rng.random() < 0.5:
            return headers, b""
        body = json.dumps(
            body_members,
            ensure_ascii=self.rng.random() < 0.5,
            indent=self.rng.choice([None, None, 2]),
        )
        return headers, body.encode("utf-8")

    def wire(self, shape: botocore.model.Shape, depth: int = 0) -> Any:
        """A JSON-ready value as a rest-json body holds it."""
        rng = self.rng
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, botocore.model.StructureShape)
            result = {}
            for name, member in shape.members.items():
                if depth > 5 or rng.random() < 0.3:
                    continue
                wire_name = member.serialization.get("name", name)
                # JSON null means absent.
                null = rng.random() < 0.05
                result[wire_name] = None if null else self.wire(member, depth + 1)
            return result
        if kind == "list":
            assert isinstance(shape, botocore.model.ListShape)
            count = self.count(shape) if depth < 6 else 0
            return [self.wire(shape.member, depth + 1) for _ in range(count)]
        if kind == "map":
            assert isinstance(shape, botocore.model.MapShape)
            count = self.count(shape) if depth < 6 else 0
            return {self.text(shape.key): self.wire(shape.value, depth + 1) for _ in range(count)}
        if kind == "string":
            if shape.enum and rng.random() < 0.1:
                return "SOME_FUTURE_VALUE"
            return self.text(shape)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in ("integer", "long", "short", "byte"):
            return self.integer(shape)
        if kind in ("float", "double"):
            if rng.random() < 0.1:
                # rest-json writes the non-finite doubles as strings.
                return rng.choice(["NaN", "Infinity", "-Infinity"])
            return self.double()
        if kind == "timestamp":
            return self.epoch()
        if kind == "blob":
            return base64.b64encode(self.blob()).decode("ascii")
        raise AssertionError(f"no generator for {kind} ({shape.name})")

    def epoch(self) -> int | float:
        rng = self.rng
        seconds = (
            rng.randint(-86_400 * 365, 4_102_444_800)
            if rng.random() < 0.1
            else rng.randint(0, 4_102_444_800)
        )
        roll = rng.random()
        if roll < 0.35:
            return seconds
        if roll < 0.45:
            return float(seconds)
        if roll < 0.7:
            return seconds + rng.randint(0, 999) / 1000
        return (seconds * 10**6 + rng.randint(0, 999_999)) / 10**6


# --------------------------------------------------------------------------------------------
# botocore's answers


class Expected:
    """What botocore would put on the wire for one call."""

    def __init__(
        self,
        method: str,
        path: str,
        query: Counter[tuple[str, str]],
        raw_query: Counter[str],
        headers: dict[str, str],
        body: bytes,
        json_body: bool,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.raw_query = raw_query
        self.headers = headers
        self.body = body
        self.json_body = json_body


def query_pairs(raw_query: str) -> Counter[tuple[str, str]]:
    """The decoded (key, value) multiset of a raw query string."""
    return Counter(parse_qsl(raw_query, keep_blank_values=True))


def raw_query_pairs(raw_query: str) -> Counter[str]:
    """The multiset of still-encoded ``key=value`` items of a raw query string."""
    return Counter(item for item in raw_query.split("&") if item)


def botocore_request(
    operation: botocore.model.OperationModel, params: dict[str, Any], *, accept_json: bool = True
) -> Expected:
    """botocore's serialization of ``params``, with API Gateway's Accept-header handler.

    ``accept_json=False`` for the services botocore registers no such handler for.
    """
    request = _SERIALIZER.serialize_to_request(params, operation)
    path, _, uri_query = request["url_path"].partition("?")
    encoded = percent_encode_sequence(request["query_string"]) if request["query_string"] else ""
    raw_query = "&".join(part for part in (uri_query, encoded) if part)
    headers = dict(request["headers"])
    # botocore's apigateway "before-call" handler: Accept defaults to application/json.
    if accept_json and headers.get("Accept") is None:
        headers["Accept"] = "application/json"
    body = request["body"]
    if isinstance(body, str):
        body = body.encode("utf-8")
    json_body = any(
        name.lower() == "content-type" and value == "application/json"
        for name, value in headers.items()
    )
    return Expected(
        method=request["method"],
        path=path,
        query=query_pairs(raw_query),
        raw_query=raw_query_pairs(raw_query),
        headers=headers,
        body=body,
        json_body=json_body,
    )


def botocore_parse(
    operation: botocore.model.OperationModel,
    status: int,
    headers: dict[str, str],
    body: bytes,
) -> dict[str, Any]:
    """botocore's parsed output (without ``ResponseMetadata``)."""
    parsed = _PARSER.parse(
        {"status_code": status, "headers": HeadersDict(headers), "body": body},
        operation.output_shape,
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


# --------------------------------------------------------------------------------------------
# Our side: names, kwargs, comparison


# The generated package's descriptors (``service=``): the root package's unless given.


def _our_members(shape_name: str, service: Any = SERVICE) -> dict[str, Any]:
    return {member.name: member for member in service.shapes[shape_name].members}


def _model_class(shape_name: str, service: Any = SERVICE) -> Any:
    shape = service.shapes[shape_name]
    models = importlib.import_module(service.models_module)
    return getattr(models, shape.cls_name or shape_name)


def to_kwargs(
    shape: botocore.model.StructureShape, params: dict[str, Any], service: Any = SERVICE
) -> dict[str, Any]:
    """Our keyword arguments for a botocore-style parameter dict of ``shape``."""
    ours = _our_members(shape.name, service)
    return {
        ours[name].py_name: _to_ours(shape.members[name], value, service)
        for name, value in params.items()
    }


def _to_ours(shape: botocore.model.Shape, value: Any, service: Any) -> Any:
    if value is None:
        # A member given as None (as the tests of required members do) stays None.
        return None
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, botocore.model.StructureShape)
        return _model_class(shape.name, service)(**to_kwargs(shape, value, service))
    if kind == "list":
        assert isinstance(shape, botocore.model.ListShape)
        return [_to_ours(shape.member, item, service) for item in value]
    if kind == "map":
        assert isinstance(shape, botocore.model.MapShape)
        return {key: _to_ours(shape.value, item, service) for key, item in value.items()}
    return value


def compare_output(
    ours: Any,
    theirs: dict[str, Any],
    shape: botocore.model.StructureShape,
    service: Any = SERVICE,
) -> list[str]:
    """Differences between our output model and botocore's parsed dict (empty when equal)."""
    problems: list[str] = []
    _compare_structure(ours, theirs, shape, "", problems, service)
    return problems


def _compare_structure(
    ours: Any,
    theirs: dict[str, Any],
    shape: botocore.model.StructureShape,
    path: str,
    problems: list[str],
    service: Any,
) -> None:
    cls = _model_class(shape.name, service)
    if not isinstance(ours, cls):
        problems.append(f"{path or '<root>'}: expected a models.{cls.__name__}, got {ours!r}")
        return
    members = _our_members(shape.name, service)
    for name, member_shape in shape.members.items():
        py_name = members[name].py_name
        our_value = getattr(ours, py_name)
        here = f"{path}.{py_name}"
        if theirs.get(name) is None:
            if our_value is not None:
                problems.append(f"{here}: botocore has nothing, we have {our_value!r}")
            continue
        _compare(our_value, theirs[name], member_shape, here, problems, service)


def _compare(
    ours: Any,
    theirs: Any,
    shape: botocore.model.Shape,
    path: str,
    problems: list[str],
    service: Any,
) -> None:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, botocore.model.StructureShape)
        _compare_structure(ours, theirs, shape, path, problems, service)
    elif kind == "list":
        assert isinstance(shape, botocore.model.ListShape)
        if not isinstance(ours, list) or len(ours) != len(theirs):
            problems.append(f"{path}: expected a list like {theirs!r}, got {ours!r}")
            return
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            _compare(mine, other, shape.member, f"{path}[{index}]", problems, service)
    elif kind == "map":
        assert isinstance(shape, botocore.model.MapShape)
        if not isinstance(ours, dict) or set(ours) != set(theirs):
            problems.append(f"{path}: expected a dict like {theirs!r}, got {ours!r}")
            return
        for key, other in theirs.items():
            _compare(ours[key], other, shape.value, f"{path}[{key!r}]", problems, service)
    elif kind == "timestamp":
        if not isinstance(ours, datetime.datetime) or ours.tzinfo is None:
            problems.append(f"{path}: expected an aware datetime, got {ours!r}")
        elif ours != theirs:
            problems.append(f"{path}: expected {theirs.isoformat()}, got {ours.isoformat()}")
        elif ours.utcoffset() != datetime.timedelta(0):
            problems.append(f"{path}: expected a UTC datetime, got {ours!r}")
    elif kind == "blob":
        expected = theirs.encode("utf-8") if isinstance(theirs, str) else theirs
        if hasattr(expected, "read"):
            expected = expected.read()
        if not isinstance(ours, bytes) or ours != expected:
            problems.append(f"{path}: expected bytes {expected!r}, got {ours!r}")
    elif kind in ("float", "double"):
        both_nan = isinstance(ours, float) and math.isnan(ours) and math.isnan(theirs)
        if not isinstance(ours, float) or not (both_nan or ours == theirs):
            problems.append(f"{path}: expected {theirs!r}, got {ours!r}")
    elif kind == "boolean":
        if ours is not theirs:
            problems.append(f"{path}: expected {theirs!r}, got {ours!r}")
    elif kind in ("integer", "long", "short", "byte"):
        if type(ours) is not int or ours != theirs:
            problems.append(f"{path}: expected {theirs!r}, got {ours!r}")
    elif kind == "string":
        if not isinstance(ours, str) or ours != theirs:
            problems.append(f"{path}: expected {theirs!r}, got {ours!r}")
    else:
        problems.append(f"{path}: no comparison for {kind}")
