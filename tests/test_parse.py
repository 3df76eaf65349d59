"""Response and error parsing (aioapigateway.runtime.parse)."""

from __future__ import annotations

import base64
import datetime
import enum
import json
import pickle
import sys
import types
from typing import Any, ClassVar

import attrs
import pytest

from aioapigateway import errors
from aioapigateway.runtime.parse import ResponseParser
from aioapigateway.runtime.shapes import (
    Member,
    Operation,
    Service,
    blob,
    boolean,
    document,
    list_of,
    map_of,
    number,
    string,
    structure,
    timestamp,
)
from aioapigateway.runtime.shapes import enum as enum_shape

UTC = datetime.UTC


class Color(enum.StrEnum):
    RED = "red"


@attrs.define(kw_only=True)
class Node:
    name: str | None = None
    child: Node | None = None


@attrs.define(kw_only=True)
class Output:
    name: str | None = None
    count: int | None = None
    ratio: float | None = None
    ok: bool | None = None
    when: datetime.datetime | None = None
    data: bytes | None = None
    color: Any = None
    tags: list[Any] | None = None
    attrs_: dict[str, Any] | None = None
    node: Node | None = None
    doc: Any = None
    request_id: str | None = None
    retries: int | None = None
    stamp: datetime.datetime | None = None
    names: list[str] | None = None
    meta: dict[str, str] | None = None
    policy: Any = None
    status: int | None = None


@attrs.define(kw_only=True)
class Export:
    body: bytes | None = None
    content_type: str | None = None


@attrs.define(kw_only=True)
class Wrapped:
    node: Node | None = None


class Throttled(errors.ServiceError):
    MEMBERS: ClassVar[tuple[str, ...]] = ("retry_after_seconds", "limit")


_models = types.ModuleType("parse_test_models")
for _cls in (Color, Node, Output, Export, Wrapped, Throttled):
    setattr(_models, _cls.__name__, _cls)
sys.modules["parse_test_models"] = _models

SHAPES = {
    "String": string("String"),
    "Int": number("Int", "integer"),
    "Double": number("Double", "double"),
    "Bool": boolean("Bool"),
    "Time": timestamp("Time"),
    "Blob": blob("Blob"),
    "Doc": document("Doc"),
    "Color": enum_shape("Color", ("red",), cls_name="Color"),
    "Colors": list_of("Colors", "Color"),
    "StringMap": map_of("StringMap", "String", "Int"),
    "Strings": list_of("Strings", "String"),
    "Node": structure(
        "Node",
        (Member("name", "name", "String"), Member("child", "child", "Node")),
        cls_name="Node",
    ),
    "Output": structure(
        "Output",
        (
            Member("Name", "name", "String"),
            Member("Count", "count", "Int"),
            Member("Ratio", "ratio", "Double"),
            Member("Ok", "ok", "Bool"),
            Member("When", "when", "Time"),
            Member("Data", "data", "Blob"),
            Member("Color", "color", "Color"),
            Member("Tags", "tags", "Colors"),
            Member("Attrs", "attrs_", "StringMap"),
            Member("Node", "node", "Node"),
            Member("Doc", "doc", "Doc"),
            Member("RequestId", "request_id", "String", "header", "x-amzn-RequestId"),
            Member("Retries", "retries", "Int", "header", "X-Retries"),
            Member("Stamp", "stamp", "Time", "header", "X-Stamp"),
            Member("Names", "names", "Strings", "header", "X-Names"),
            Member("Meta", "meta", "StringMap", "headers", "X-Meta-"),
            Member("Policy", "policy", "Doc", "header", "X-Policy", json_value=True),
            Member("Status", "status", "Int", "statusCode"),
        ),
        cls_name="Output",
    ),
    "Export": structure(
        "Export",
        (
            Member("body", "body", "Blob"),
            Member("contentType", "content_type", "String", "header", "Content-Type"),
        ),
        cls_name="Export",
        payload="body",
    ),
    "Wrapped": structure(
        "Wrapped", (Member("node", "node", "Node"),), cls_name="Wrapped", payload="node"
    ),
    "Throttled": structure(
        "Throttled",
        (
            Member("retryAfterSeconds", "retry_after_seconds", "String", "header", "Retry-After"),
            Member("limit", "limit", "Int"),
            Member("message", "message", "String"),
        ),
        cls_name="Throttled",
        error_code="Throttled",
        error_status=429,
    ),
}
OPS = {
    "Get": Operation("Get", "GET", "/", output="Output"),
    "Export": Operation("Export", "GET", "/e", output="Export"),
    "Wrapped": Operation("Wrapped", "GET", "/w", output="Wrapped"),
    "Nothing": Operation("Nothing", "DELETE", "/"),
}
SERVICE = Service(
    service_id="Test",
    api_version="2020-01-01",
    endpoint_prefix="test",
    signing_name="test",
    models_module="parse_test_models",
    errors_module="parse_test_models",
    shapes=SHAPES,
    operations=OPS,
    paginators={},
    endpoint_rules=None,
    default_headers={},
)


@pytest.fixture
def parser() -> ResponseParser:
    return ResponseParser(SERVICE)


def parse(parser: ResponseParser, body: Any, status: int = 200, **headers: str) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parser.parse(OPS["Get"], status, headers, raw)


def test_body_members_are_typed(parser) -> None:
    out = parse(
        parser,
        {
            "Name": "n",
            "Count": 3,
            "Ratio": "Infinity",
            "Ok": False,
            "When": 1795637682.5,
            "Data": base64.b64encode(b"\x00\x01").decode(),
            "Color": "red",
            "Tags": ["red", "blue"],
            "Attrs": {"a": 1},
            "Node": {"name": "top", "child": {"name": "leaf"}},
            "Doc": {"free": ["form", 1]},
        },
    )
    assert out.name == "n" and out.count == 3 and out.ratio == float("inf") and out.ok is False
    assert out.when == datetime.datetime(2026, 11, 25, 20, 14, 42, 500000, tzinfo=UTC)
    assert out.data == b"\x00\x01"
    assert out.color is Color.RED
    assert out.tags == [Color.RED, "blue"] and type(out.tags[1]) is str
    assert out.attrs_ == {"a": 1}
    assert out.node == Node(name="top", child=Node(name="leaf"))
    assert out.doc == {"free": ["form", 1]}
    assert out.status == 200


def test_numbers_and_booleans_sent_as_strings_are_coerced_like_botocore(parser) -> None:
    out = parse(parser, {"Count": "50", "Ratio": "2.5", "Ok": "TRUE"})
    assert (out.count, out.ratio, out.ok) == (50, 2.5, True)


def test_null_is_absent_and_unknown_fields_are_ignored(parser) -> None:
    out = parse(parser, {"Name": None, "Unknown": {"deep": 1}, "Count": 1})
    assert out.name is None and out.count == 1


def test_header_members_and_prefix_maps(parser) -> None:
    policy = base64.b64encode(json.dumps({"a": 1}).encode()).decode()
    out = parse(
        parser,
        b"",
        status=201,
        **{
            "x-amzn-RequestId": "rid",
            "X-Retries": "4",
            "X-Stamp": "Wed, 25 Nov 2026 20:14:42 GMT",
            "X-Names": 'a, "b,c" ,d',
            "X-Meta-One": "1",
            "x-meta-two": "2",
            "X-Policy": policy,
        },
    )
    assert out.request_id == "rid" and out.retries == 4
    assert out.stamp == datetime.datetime(2026, 11, 25, 20, 14, 42, tzinfo=UTC)
    assert out.names == ["a", "b,c", "d"]
    assert out.meta == {"One": "1", "two": "2"}
    assert out.policy == {"a": 1}
    assert out.status == 201


def test_blob_payload_is_the_raw_body(parser) -> None:
    out = parser.parse(OPS["Export"], 200, {"Content-Type": "application/yaml"}, b"a: 1\n")
    assert out == Export(body=b"a: 1\n", content_type="application/yaml")


def test_structure_payload_and_empty_body(parser) -> None:
    assert parser.parse(OPS["Wrapped"], 200, {}, b'{"name": "x"}') == Wrapped(node=Node(name="x"))
    assert parser.parse(OPS["Wrapped"], 200, {}, b"") == Wrapped(node=Node())


def test_operation_without_output_returns_none(parser) -> None:
    assert parser.parse(OPS["Nothing"], 202, {}, b"whatever") is None


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "body: expected an object, got list"),
        (json.dumps({"Name": 5}).encode(), "name: expected a string, got int"),
        (json.dumps({"Count": "five"}).encode(), "count: expected an integer"),
        (json.dumps({"Ok": "yes"}).encode(), "ok: expected a boolean"),
        (json.dumps({"When": "tomorrow"}).encode(), "when: cannot parse"),
        (json.dumps({"Data": 5}).encode(), "data: expected base64 text"),
        (json.dumps({"Tags": "red"}).encode(), "tags: expected a list"),
        (json.dumps({"Node": {"child": {"name": 1}}}).encode(), "node.child.name"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_malformed_bodies_raise_response_parse_error(parser, body: bytes, where: str) -> None:
    with pytest.raises(errors.ResponseParseError) as caught:
        parse(parser, body)
    assert where in str(caught.value)
    assert caught.value.status_code == 200 and caught.value.body == body


def test_malformed_header_raises_response_parse_error(parser) -> None:
    with pytest.raises(errors.ResponseParseError, match="X-Retries"):
        parse(parser, b"{}", **{"X-Retries": "many"})


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        ({"x-amzn-ErrorType": "Throttled:http://internal.amazon.com/"}, {}, "Throttled"),
        ({"x-amzn-ErrorType": "aws.protocoltests#Throttled"}, {}, "Throttled"),
        ({}, {"code": "Throttled"}, "Throttled"),
        ({}, {"Code": "Throttled"}, "Throttled"),
        ({}, {"__type": "ns#Throttled:uri"}, "Throttled"),
        ({"x-amzn-ErrorType": "Other"}, {"code": "Throttled"}, "Other"),
        ({}, {}, "429"),
    ],
)
def test_error_code_sources(parser, headers: dict[str, str], body: Any, code: str) -> None:
    error = parser.parse_error(429, headers, json.dumps(body).encode())
    assert error.code == code
    assert isinstance(error, Throttled) == (code == "Throttled")


def test_modeled_error_carries_members_message_and_request_id(parser) -> None:
    error = parser.parse_error(
        429,
        {"x-amzn-ErrorType": "Throttled", "Retry-After": "7", "x-amzn-RequestId": "rid"},
        json.dumps({"Message": "slow down", "limit": 10}).encode(),
    )
    assert isinstance(error, Throttled)
    assert error.message == "slow down" and error.status_code == 429 and error.request_id == "rid"
    assert error.retry_after_seconds == "7" and error.limit == 10  # type: ignore[attr-defined]
    assert str(error) == "Throttled (HTTP 429): slow down [request id rid]"
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is Throttled and clone.limit == 10 and clone.code == "Throttled"


def test_unknown_code_gives_plain_service_error(parser) -> None:
    error = parser.parse_error(400, {}, b'{"__type": "Mystery", "message": "?"}')
    assert type(error) is errors.ServiceError and error.code == "Mystery"


@pytest.mark.parametrize("body", [b"<html><body>Bad Gateway</body></html>", b"", b"{trunc"])
def test_unparsable_error_bodies_still_give_service_error(parser, body: bytes) -> None:
    error = parser.parse_error(502, {}, body)
    assert type(error) is errors.ServiceError
    assert error.code == "502" and error.status_code == 502 and error.body == body
    if body.startswith(b"<html>"):
        assert "Bad Gateway" in error.message


def test_malformed_modeled_member_does_not_hide_the_error(parser) -> None:
    error = parser.parse_error(429, {"x-amzn-ErrorType": "Throttled"}, b'{"limit": "ten"}')
    assert isinstance(error, Throttled) and error.limit is None  # type: ignore[attr-defined]


def test_enums_and_nested_parsers_are_built_when_a_response_first_needs_them() -> None:
    """A first call pays only for what its response holds: an enum the response lacks is
    not imported, and is parsed to its member once a response carries it."""
    code = """
import asyncio, json, sys
from aioapigateway.runtime.client import _codecs
service, _, parser = _codecs("aioapigateway._spec")
op = service.operations["GetRestApi"]
first = parser.parse(op, 200, {}, json.dumps({"id": "a", "apiKeySource": "HEADER"}).encode())
assert first.api_key_source.__class__.__name__ == "ApiKeySourceType", first
for module in ("_security_policy", "_endpoint_configuration", "_endpoint_type"):
    assert "aioapigateway.models." + module not in sys.modules, module
later = parser.parse(op, 200, {}, json.dumps({
    "securityPolicy": "TLS_1_0", "endpointConfiguration": {"types": ["EDGE", "NEW"]},
}).encode())
assert later.security_policy.__class__.__name__ == "SecurityPolicy", later
assert [t.__class__.__name__ for t in later.endpoint_configuration.types] == [
    "EndpointType", "str"]
"""
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


def test_each_enum_table_is_built_once_and_shared() -> None:
    from aioapigateway.runtime.client import _codecs

    service, _, parser = _codecs("aioapigateway._spec")
    body = json.dumps({"endpointConfiguration": {"types": ["EDGE"], "ipAddressType": "ipv4"}})
    for op in ("GetRestApi", "GetDomainName"):  # two structures refer to EndpointConfiguration
        parser.parse(service.operations[op], 200, {}, body.encode())
    table = parser._enum_table("EndpointType")
    assert parser._enum_table("EndpointType") is table
    # The checked parser (used for enum values in headers, maps and fallbacks) shares it.
    assert parser._parser_for("EndpointType")("EDGE") is table["EDGE"]
    assert parser._enum_tables["EndpointType"] is table


def test_an_integer_no_double_can_hold_is_a_parse_error_not_an_overflow() -> None:
    from aioapigateway._spec import SERVICE as APIGW

    parser = ResponseParser(APIGW)
    huge = "1" + "0" * 400
    body = f'{{"throttle": {{"rateLimit": {huge}}}, "id": "u"}}'.encode()
    with pytest.raises(
        errors.ResponseParseError, match=r"throttle\.rate_limit: .*range of a double"
    ):
        parser.parse(APIGW.operations["GetUsagePlan"], 200, {}, body)
    # The same number written as a float is infinity, which a double holds.
    body = f'{{"throttle": {{"rateLimit": {huge}.0}}}}'.encode()
    usage_plan = parser.parse(APIGW.operations["GetUsagePlan"], 200, {}, body)
    assert usage_plan.throttle.rate_limit == float("inf")


def test_epoch_timestamps_convert_value_by_value(parser) -> None:
    # The checked and (from a structure's second use on) the compiled parser: every epoch
    # value, int or float, gets its own UTC datetime, and a boolean is never taken for 0 or 1.
    values = [0, 1, 1.0, 1.5, 1.25, -86400, 1795637682, 1795637682.5, 1795637683]
    for _ in range(3):
        for value in values:
            out = parse(parser, {"When": value})
            assert out.when == datetime.datetime.fromtimestamp(value, UTC)
            assert out.when.tzinfo is UTC
        for value in (True, False):
            with pytest.raises(errors.ResponseParseError, match="when: a boolean"):
                parse(parser, {"When": value})
