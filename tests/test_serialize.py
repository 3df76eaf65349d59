"""Request serialization and parameter validation (aioapigateway._serialize).

A small hand-built service model exercises each location and type; the API Gateway model
checks the behaviours its operations rely on. The differential test compares every
operation with botocore.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import sys
import types
import uuid
from typing import Any

import attrs
import pytest

from aioapigateway import errors
from aioapigateway._serialize import RequestSerializer
from aioapigateway._shapes import (
    Member,
    Operation,
    Service,
    blob,
    boolean,
    document,
    enum,
    list_of,
    map_of,
    number,
    string,
    structure,
    timestamp,
)

WHEN = datetime.datetime(2026, 11, 25, 20, 14, 42, 500000, tzinfo=datetime.UTC)


@attrs.define(kw_only=True)
class Inner:
    name: str | None = None
    when: datetime.datetime | None = None


@attrs.define(kw_only=True)
class Choice:
    left: str | None = None
    right: int | None = None


@attrs.define(kw_only=True)
class NeedsName:
    name: str


_models = types.ModuleType("serialize_test_models")
_models.Inner = Inner  # type: ignore[attr-defined]
_models.Choice = Choice  # type: ignore[attr-defined]
_models.NeedsName = NeedsName  # type: ignore[attr-defined]
sys.modules["serialize_test_models"] = _models

SHAPES = {
    "String": string("String"),
    "Short": string("Short", min=2, max=4),
    "Int": number("Int", "integer", min=1, max=10),
    "Double": number("Double", "double"),
    "Bool": boolean("Bool"),
    "Time": timestamp("Time"),
    "HttpTime": timestamp("HttpTime", timestamp_format="rfc822"),
    "Blob": blob("Blob"),
    "Doc": document("Doc"),
    "Color": enum("Color", ("red", "green"), cls_name="Color"),
    "Strings": list_of("Strings", "String", max=3),
    "Times": list_of("Times", "Time"),
    "StringMap": map_of("StringMap", "String", "String"),
    "ListMap": map_of("ListMap", "String", "Strings"),
    "Inner": structure(
        "Inner",
        (Member("name", "name", "String"), Member("when", "when", "Time")),
        cls_name="Inner",
    ),
    "Choice": structure(
        "Choice",
        (Member("left", "left", "String"), Member("right", "right", "Int")),
        cls_name="Choice",
        union=True,
    ),
    "NeedsName": structure(
        "NeedsName", (Member("name", "name", "String", required=True),), cls_name="NeedsName"
    ),
    "Input": structure(
        "Input",
        (
            Member("Id", "id", "String", "uri", "id", required=True),
            Member("Key", "key", "String", "uri", "Key"),
            Member("Flag", "flag", "Bool", "querystring", "flag"),
            Member("Tags", "tags", "Strings", "querystring", "tag"),
            Member("Since", "since", "Time", "querystring", "since"),
            Member("Ratio", "ratio", "Double", "querystring", "ratio"),
            Member("Extra", "extra", "StringMap", "querystring"),
            Member("Multi", "multi", "ListMap", "querystring"),
            Member("Token", "token", "String", "header", "X-Token"),
            Member("Stamp", "stamp", "Time", "header", "X-Stamp"),
            Member("Names", "names", "Strings", "header", "X-Names"),
            Member("Meta", "meta", "StringMap", "headers", "X-Meta-"),
            Member("Policy", "policy", "Doc", "header", "X-Policy", json_value=True),
            Member("Name", "name", "Short"),
            Member("Count", "count", "Int"),
            Member("Color", "color", "Color"),
            Member("Data", "data", "Blob"),
            Member("Created", "created", "Time"),
            Member("CreatedText", "created_text", "Time", timestamp_format="iso8601"),
            Member("Times", "times", "Times"),
            Member("Inner", "inner", "Inner"),
            Member("Choice", "choice", "Choice"),
            Member("Strict", "strict", "NeedsName"),
            Member("Doc", "doc", "Doc"),
            Member("Renamed", "renamed", "String", "", "wireName"),
            Member("ClientToken", "client_token", "String", idempotency_token=True),
        ),
        cls_name="Input",
    ),
    "Located": structure(
        "Located",
        (Member("Id", "id", "String", "uri", "id", required=True),),
        cls_name="Located",
    ),
    "BlobPayload": structure(
        "BlobPayload",
        (
            Member("Body", "body", "Blob"),
            Member("Type", "type", "String", "header", "Content-Type"),
        ),
        cls_name="BlobPayload",
        payload="Body",
    ),
    "StructPayload": structure(
        "StructPayload",
        (Member("Inner", "inner", "Inner"),),
        cls_name="StructPayload",
        payload="Inner",
    ),
    "Hosted": structure(
        "Hosted",
        (Member("Account", "account", "String", host_label=True, required=True),),
        cls_name="Hosted",
    ),
}

OPS = {
    "Full": Operation("Full", "POST", "/items/{id}/{Key+}?mode=import", input="Input"),
    "NoBody": Operation("NoBody", "DELETE", "/items/{id}", input="Located"),
    "NoInput": Operation("NoInput", "GET", "/ping"),
    "Blob": Operation("Blob", "PUT", "/blob", input="BlobPayload"),
    "Struct": Operation("Struct", "PUT", "/struct", input="StructPayload"),
    "Hosted": Operation("Hosted", "POST", "/", input="Hosted", host_prefix="{Account}.data."),
    "Checked": Operation("Checked", "POST", "/c", input="Input", checksum_required=True),
}

SERVICE = Service(
    service_id="Test",
    api_version="2020-01-01",
    endpoint_prefix="test",
    signing_name="test",
    models_module="serialize_test_models",
    errors_module="serialize_test_models",
    shapes=SHAPES,
    operations=OPS,
    paginators={},
    endpoint_rules=None,
    default_headers={},
)


@pytest.fixture
def serializer() -> RequestSerializer:
    return RequestSerializer(SERVICE)


def full(serializer: RequestSerializer, **params: Any) -> Any:
    return serializer.serialize(OPS["Full"], {"id": "abc", "key": "k", **params})


def test_labels_are_percent_encoded_and_greedy_labels_keep_slashes(serializer) -> None:
    request = full(serializer, id="a b/c?d&e=f%g+h..i~j日本", key="x/y z")
    assert request.path == ("/items/a%20b%2Fc%3Fd%26e%3Df%25g%2Bh..i~j%E6%97%A5%E6%9C%AC/x/y%20z")


def test_constant_query_comes_first_then_members(serializer) -> None:
    request = full(serializer, flag=False, tags=["a", "b&c"], ratio=1.5)
    assert request.query == [
        ("mode", "import"),
        ("flag", "false"),
        ("tag", "a"),
        ("tag", "b&c"),
        ("ratio", "1.5"),
    ]


def test_query_timestamps_are_iso8601_and_floats_spell_nan(serializer) -> None:
    request = full(serializer, since=WHEN, ratio=float("nan"))
    assert ("since", "2026-11-25T20:14:42.500000Z") in request.query
    assert ("ratio", "NaN") in request.query


def test_query_maps_and_maps_of_lists_yield_to_modeled_members(serializer) -> None:
    request = full(serializer, flag=True, extra={"flag": "x", "a": "1"}, multi={"m": ["1", "2"]})
    assert request.query == [
        ("mode", "import"),
        ("flag", "true"),
        ("a", "1"),
        ("m", "1"),
        ("m", "2"),
    ]


def test_empty_query_list_sends_nothing(serializer) -> None:
    assert full(serializer, tags=[]).query == [("mode", "import")]


def test_headers_scalar_timestamp_list_prefix_map_and_json_value(serializer) -> None:
    request = full(
        serializer,
        token="t",
        stamp=WHEN,
        names=["plain", "with,comma", 'with"quote'],
        meta={"One": "1"},
        policy={"a": [1, True]},
    )
    headers = request.headers
    assert headers["X-Token"] == "t"
    assert headers["X-Stamp"] == "Wed, 25 Nov 2026 20:14:42 GMT"
    assert headers["X-Names"] == 'plain,"with,comma","with\\"quote"'
    assert headers["X-Meta-One"] == "1"
    assert json.loads(base64.b64decode(headers["X-Policy"])) == {"a": [1, True]}


def test_empty_header_list_is_not_sent(serializer) -> None:
    assert "X-Names" not in full(serializer, names=[]).headers


def test_body_uses_wire_names_unix_timestamps_and_base64_blobs(serializer) -> None:
    request = full(
        serializer,
        name="abc",
        count=3,
        color="red",
        data=b"\x00\xff",
        created=WHEN,
        created_text=WHEN,
        times=[WHEN],
        inner=Inner(name="n", when=WHEN),
        renamed="r",
        doc={"any": ["json", 1, None]},
        client_token="fixed",
    )
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "Name": "abc",
        "Count": 3,
        "Color": "red",
        "Data": "AP8=",
        "Created": 1795637682.5,
        "CreatedText": "2026-11-25T20:14:42.500000Z",
        "Times": [1795637682.5],
        "Inner": {"name": "n", "when": 1795637682.5},
        "wireName": "r",
        "Doc": {"any": ["json", 1, None]},
        "ClientToken": "fixed",
    }


def test_idempotency_token_is_filled_with_a_uuid4(serializer) -> None:
    body = json.loads(full(serializer).body)
    assert uuid.UUID(body["ClientToken"]).version == 4


def test_empty_body_rules(serializer) -> None:
    # Body members exist but none is set (the token always is): JSON; no body members: nothing.
    assert serializer.serialize(OPS["NoBody"], {"id": "x"}).body == b""
    assert "Content-Type" not in serializer.serialize(OPS["NoBody"], {"id": "x"}).headers
    assert serializer.serialize(OPS["NoInput"], {}).body == b""
    assert serializer.serialize(OPS["Struct"], {}).body == b"{}"


def test_blob_payload_is_the_raw_body_without_content_type(serializer) -> None:
    request = serializer.serialize(OPS["Blob"], {"body": b"\x00raw"})
    assert request.body == b"\x00raw"
    assert "Content-Type" not in request.headers
    assert serializer.serialize(OPS["Blob"], {"body": "text"}).body == b"text"
    assert serializer.serialize(OPS["Blob"], {}).body == b""


def test_structure_payload_is_the_structure_alone(serializer) -> None:
    request = serializer.serialize(OPS["Struct"], {"inner": Inner(name="n")})
    assert json.loads(request.body) == {"name": "n"}


def test_host_prefix_is_rendered_from_host_labels(serializer) -> None:
    assert serializer.serialize(OPS["Hosted"], {"account": "123"}).host_prefix == "123.data."
    with pytest.raises(errors.ParamValidationError, match="host label"):
        serializer.serialize(OPS["Hosted"], {"account": "bad.label"})


def test_checksum_required_adds_content_md5(serializer) -> None:
    request = serializer.serialize(OPS["Checked"], {"id": "x", "name": "abc"})
    expected = base64.b64encode(hashlib.md5(request.body).digest()).decode()
    assert request.headers["Content-MD5"] == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"id": None}, "id: required argument is None"),
        ({"id": 5}, "id: expected str, got int"),
        ({"id": ""}, "id: a URI label cannot be empty"),
        ({"name": "a"}, "name: string length 1 is below the minimum of 2"),
        ({"name": "abcde"}, "name: string length 5 is above the maximum of 4"),
        ({"count": 0}, "count: 0 is below the minimum of 1"),
        ({"count": True}, "count: expected int, got bool"),
        ({"count": "3"}, "count: expected int, got str"),
        ({"flag": "yes"}, "flag: expected bool, got str"),
        ({"ratio": True}, "ratio: expected float, got bool"),
        ({"created": "2026-01-01"}, "created: expected datetime.datetime, got str"),
        ({"data": 5}, "data: expected bytes, got int"),
        ({"tags": "abc"}, "tags: expected list, got str"),
        ({"tags": ["a", "b", "c", "d"]}, "tags: list length 4 is above the maximum of 3"),
        ({"extra": ["a"]}, "extra: expected dict, got list"),
        ({"inner": {"name": "n"}}, "inner: expected models.Inner, got dict"),
        ({"inner": Choice(left="x")}, "inner: expected models.Inner, got Choice"),
        ({"inner": Inner(name=5)}, "inner.name: expected str, got int"),  # type: ignore[arg-type]
        ({"strict": NeedsName(name=None)}, "strict.name: required member is missing"),  # type: ignore[arg-type]
        ({"times": [WHEN, "x"]}, "times[1]: expected datetime.datetime, got str"),
        ({"choice": Choice()}, "exactly one member of union models.Choice must be set, got 0"),
        ({"choice": Choice(left="a", right=1)}, "must be set, got 2"),
        ({"token": "a\r\nb"}, "token: header values cannot contain CR or LF"),
        ({"meta": {"k": "v\n"}}, "meta: header values cannot contain CR or LF"),
        ({"doc": {"a": object()}}, "doc: a document holds JSON values, not object"),
        ({"doc": float("inf")}, "doc: a document cannot hold NaN or Infinity"),
        ({"color": 3}, "color: expected str, got int"),
    ],
)
def test_bad_input_raises_param_validation_error_naming_the_path(
    serializer, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(errors.ParamValidationError) as caught:
        full(serializer, **params)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_missing_optional_label_is_reported(serializer) -> None:
    with pytest.raises(errors.ParamValidationError, match=r"Full: invalid input: .*\{Key\}"):
        serializer.serialize(OPS["Full"], {"id": "abc"})


def test_union_with_exactly_one_member_is_accepted(serializer) -> None:
    body = json.loads(full(serializer, choice=Choice(right=2)).body)
    assert body["Choice"] == {"right": 2}


def test_enum_accepts_unknown_strings_for_forward_compatibility(serializer) -> None:
    assert json.loads(full(serializer, color="purple").body)["Color"] == "purple"


def test_apigateway_patch_operations_and_enum_members() -> None:
    from aioapigateway import models
    from aioapigateway._spec import SERVICE as APIGW

    serializer = RequestSerializer(APIGW)
    request = serializer.serialize(
        APIGW.operations["UpdateStage"],
        {
            "rest_api_id": "api",
            "stage_name": "prod",
            "patch_operations": [
                models.PatchOperation(op=models.Op.REPLACE, path="/description", value="x"),
                models.PatchOperation(op="add", path="/variables/a", value="1"),
            ],
        },
    )
    assert request.method == "PATCH"
    assert request.path == "/restapis/api/stages/prod"
    assert json.loads(request.body) == {
        "patchOperations": [
            {"op": "replace", "path": "/description", "value": "x"},
            {"op": "add", "path": "/variables/a", "value": "1"},
        ]
    }
