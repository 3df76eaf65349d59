"""Request serialization and parameter validation (aioapigateway.runtime.serialize).

A small hand-built service model exercises each location and type; the API Gateway model
checks the behaviours its operations rely on. The differential test compares every
operation with botocore.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import json
import os
import sys
import time
import types
import uuid
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from aioapigateway import errors
from aioapigateway.runtime.serialize import RequestSerializer, split_uri_labels
from aioapigateway.runtime.shapes import (
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
        ({"created": "yesterday"}, "created: expected a timestamp (datetime.datetime, epoch"),
        ({"created": [WHEN]}, "created: expected a timestamp (datetime.datetime, epoch"),
        ({"created": True}, "created: expected a timestamp (datetime.datetime, epoch"),
        ({"data": 5}, "data: expected bytes, got int"),
        ({"tags": "abc"}, "tags: expected list, got str"),
        ({"tags": ["a", "b", "c", "d"]}, "tags: list length 4 is above the maximum of 3"),
        ({"extra": ["a"]}, "extra: expected dict, got list"),
        ({"inner": {"name": "n"}}, "inner: expected models.Inner, got dict"),
        ({"inner": Choice(left="x")}, "inner: expected models.Inner, got Choice"),
        ({"inner": Inner(name=5)}, "inner.name: expected str, got int"),  # type: ignore[arg-type]
        ({"strict": NeedsName(name=None)}, "strict.name: required member is missing"),  # type: ignore[arg-type]
        ({"times": [WHEN, "x"]}, "times[1]: expected a timestamp (datetime.datetime, epoch"),
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


# -- strings that cannot be encoded, numbers that cannot be written ---------------------------

LONE = "\udc80"


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"id": "a" + LONE}, "id"),
        ({"key": "x/" + LONE}, "key"),
        ({"tags": ["ok", LONE]}, "tags"),
        ({"extra": {LONE: "v"}}, "extra"),
        ({"extra": {"k": LONE}}, "extra"),
        ({"multi": {"m": [LONE]}}, "multi"),
        ({"token": LONE}, "token"),
        ({"names": ["ok", LONE]}, "names"),
        ({"meta": {LONE: "v"}}, "meta"),
        ({"meta": {"k": LONE}}, "meta"),
        ({"policy": {"k": [LONE]}}, "policy"),
        ({"policy": {LONE: 1}}, "policy"),
        ({"name": "ab" + LONE}, "name"),
        ({"color": LONE}, "color"),
        ({"data": LONE}, "data"),
        ({"renamed": "\ud83d\ude00"}, "renamed"),  # a pair written as two lone halves
        ({"inner": Inner(name=LONE)}, "inner.name"),
        ({"doc": {"a": [1, LONE]}}, "doc"),
        ({"doc": {LONE: 1}}, "doc"),
    ],
)
def test_a_lone_surrogate_anywhere_is_a_param_validation_error(
    serializer: RequestSerializer, params: dict[str, Any], path: str
) -> None:
    with pytest.raises(errors.ParamValidationError) as caught:
        full(serializer, **params)
    assert f"invalid parameter {path}: a lone surrogate" in str(caught.value)


def test_a_lone_surrogate_in_a_raw_payload_is_a_param_validation_error(
    serializer: RequestSerializer,
) -> None:
    with pytest.raises(errors.ParamValidationError, match="parameter body: a lone surrogate"):
        serializer.serialize(OPS["Blob"], {"body": "text" + LONE})


def test_valid_non_ascii_text_is_still_sent(serializer: RequestSerializer) -> None:
    text = "日本😀é"
    request = full(serializer, id=text, token=text, name="😀😀", doc={text: text})
    assert request.path.startswith("/items/%E6%97%A5%E6%9C%AC%F0%9F%98%80%C3%A9/")
    assert request.headers["X-Token"] == text
    assert json.loads(request.body)["Doc"] == {text: text}


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.get_rest_api(rest_api_id=LONE),
        lambda client: client.get_rest_apis(position=LONE),
        lambda client: client.create_rest_api(name="pets", tags={"k": LONE}),
        lambda client: client.put_rest_api(rest_api_id="abc", body=LONE),
        lambda client: client.get_export(
            rest_api_id="abc", stage_name="prod", export_type="oas30", accepts=LONE
        ),
    ],
    ids=["uri-label", "query", "body-map", "raw-payload", "header"],
)
async def test_a_client_call_with_a_lone_surrogate_sends_nothing(call: Any) -> None:
    from _servers import recording_server

    from aioapigateway import ApiGatewayClient, ClientConfig, Credentials

    async with recording_server() as server:
        async with ApiGatewayClient(
            region="us-east-1",
            endpoint_url=server.url,
            credentials=Credentials("AKIDEXAMPLE", "secret"),
            config=ClientConfig(max_attempts=1),
        ) as client:
            with pytest.raises(errors.ParamValidationError, match="a lone surrogate"):
                await call(client)
        assert server.requests == []


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


_CYCLE: list[Any] = []
_CYCLE.append(_CYCLE)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"count": 10**5000}, "count: out of range for integer (-2147483648 to 2147483647)"),
        ({"count": 2**31}, "count: out of range for integer"),
        ({"ratio": 10**400}, "ratio: int out of range for a floating-point number"),
        ({"doc": [10**400]}, "doc: a document cannot hold an int out of the range of a double"),
        ({"policy": {"n": 10**5000}}, "policy: a document cannot hold an int out of the range"),
        ({"doc": _nested(5000)}, "invalid input: values nested too deeply"),
        ({"doc": _CYCLE}, "invalid input: values nested too deeply (or a reference cycle)"),
    ],
)
def test_numbers_and_nesting_no_encoder_can_take_are_rejected(
    serializer: RequestSerializer, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(errors.ParamValidationError) as caught:
        full(serializer, **params)
    assert message in str(caught.value)


def test_integer_types_take_their_whole_range() -> None:
    shapes = {
        **{kind: number(kind, kind) for kind in ("byte", "short", "integer", "long")},
        "In": structure(
            "In",
            tuple(Member(kind, kind, kind) for kind in ("byte", "short", "integer", "long")),
            cls_name="In",
        ),
    }
    service = Service(
        service_id="Ints",
        api_version="2020-01-01",
        endpoint_prefix="ints",
        signing_name="ints",
        models_module="serialize_test_models",
        errors_module="serialize_test_models",
        shapes=shapes,
        operations={"Op": Operation("Op", "POST", "/", input="In")},
        paginators={},
        endpoint_rules=None,
        default_headers={},
    )
    op = service.operations["Op"]
    serializer = RequestSerializer(service)
    for kind, bits in (("byte", 8), ("short", 16), ("integer", 32), ("long", 64)):
        for edge in (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1):
            assert json.loads(serializer.serialize(op, {kind: edge}).body) == {kind: edge}
        for beyond in (-(2 ** (bits - 1)) - 1, 2 ** (bits - 1)):
            with pytest.raises(errors.ParamValidationError, match=f"out of range for {kind}"):
                serializer.serialize(op, {kind: beyond})


# -- timestamps: what botocore accepts, written as botocore writes them ----------------------

_TS_MEMBERS = {
    # name: (location, wire name, shape, member timestampFormat)
    "Label": ("uri", "Label", "Time", None),
    "Query": ("querystring", "q", "Time", None),
    "QueryUnix": ("querystring", "qu", "UnixTime", None),
    "QueryHttp": ("querystring", "qh", "Time", "rfc822"),
    "Header": ("header", "X-H", "Time", None),
    "HeaderIso": ("header", "X-I", "Time", "iso8601"),
    "HeaderUnix": ("header", "X-U", "UnixTime", None),
    "HeaderList": ("header", "X-L", "Times", None),
    "Body": ("", "Body", "Time", None),
    "BodyIso": ("", "BodyIso", "Time", "iso8601"),
    "BodyHttp": ("", "BodyHttp", "Time", "rfc822"),
    "BodyList": ("", "BodyList", "Times", None),
}


def _botocore_timestamp_operation() -> Any:
    import botocore.model

    members: dict[str, Any] = {}
    for name, (location, wire, shape, fmt) in _TS_MEMBERS.items():
        ref: dict[str, Any] = {"shape": shape}
        if location:
            ref.update(location=location, locationName=wire)
        if fmt:
            ref["timestampFormat"] = fmt
        members[name] = ref
    model = {
        "metadata": {
            "apiVersion": "2020-01-01",
            "endpointPrefix": "stamp",
            "protocol": "rest-json",
            "serviceId": "Stamp",
            "signatureVersion": "v4",
        },
        "operations": {
            "Stamp": {
                "name": "Stamp",
                "http": {"method": "POST", "requestUri": "/stamp/{Label}"},
                "input": {"shape": "StampInput"},
            }
        },
        "shapes": {
            "Time": {"type": "timestamp"},
            "UnixTime": {"type": "timestamp", "timestampFormat": "unixTimestamp"},
            "Times": {"type": "list", "member": {"shape": "Time"}},
            "StampInput": {"type": "structure", "required": ["Label"], "members": members},
        },
    }
    return botocore.model.ServiceModel(model, "stamp").operation_model("Stamp")


def _our_timestamp_service() -> Service:
    shapes = {
        "Time": timestamp("Time"),
        "UnixTime": timestamp("UnixTime", timestamp_format="unixTimestamp"),
        "Times": list_of("Times", "Time"),
        "StampInput": structure(
            "StampInput",
            tuple(
                Member(
                    name,
                    name,
                    shape,
                    location,
                    wire,
                    required=name == "Label",
                    timestamp_format=fmt,
                )
                for name, (location, wire, shape, fmt) in _TS_MEMBERS.items()
            ),
            cls_name="StampInput",
        ),
    }
    return Service(
        service_id="Stamp",
        api_version="2020-01-01",
        endpoint_prefix="stamp",
        signing_name="stamp",
        models_module="serialize_test_models",
        errors_module="serialize_test_models",
        shapes=shapes,
        operations={"Stamp": Operation("Stamp", "POST", "/stamp/{Label}", input="StampInput")},
        paginators={},
        endpoint_rules=None,
        default_headers={},
    )


_BOTO_STAMP = _botocore_timestamp_operation()
_OUR_STAMP = _our_timestamp_service()
_STAMP_SERIALIZER = RequestSerializer(_OUR_STAMP)


@contextlib.contextmanager
def _local_time_not_utc() -> Iterator[None]:
    """Local time five and a half hours ahead of UTC, so that a naive datetime (or ISO
    string) read as local time instead of UTC would show."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "XST-05:30"  # POSIX: "XST" is UTC+05:30 (no zoneinfo file needed)
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def _assert_timestamps_like_botocore(value: Any) -> None:
    """Every timestamp member set to ``value``: our request equals botocore's."""
    from _json_strict import assert_json_body
    from botocore.serialize import create_serializer

    params = {
        name: [value, value] if shape == "Times" else value
        for name, (_, _, shape, _) in _TS_MEMBERS.items()
    }
    theirs = create_serializer("rest-json", include_validation=True).serialize_to_request(
        params, _BOTO_STAMP
    )
    ours = _STAMP_SERIALIZER.serialize(_OUR_STAMP.operations["Stamp"], params)
    assert ours.path == theirs["url_path"], value
    assert dict(ours.query) == {key: str(v) for key, v in theirs["query_string"].items()}, value
    assert {k: v for k, v in ours.headers.items() if k.startswith("X-")} == {
        k: v for k, v in theirs["headers"].items() if k.startswith("X-")
    }, value
    assert_json_body(ours.body, json.loads(theirs["body"]))


_PLUS_2 = datetime.timezone(datetime.timedelta(hours=2))
_MINUS_0930 = datetime.timezone(-datetime.timedelta(hours=9, minutes=30))


@pytest.mark.parametrize(
    "value",
    [
        WHEN,  # aware UTC, with microseconds
        WHEN.replace(microsecond=0),
        WHEN.replace(tzinfo=None),  # naive: UTC
        WHEN.astimezone(_PLUS_2),
        WHEN.astimezone(_MINUS_0930).replace(microsecond=999999),
        datetime.datetime(1969, 7, 20, 20, 17, 40, 123),
        1795637682,
        1795637682.5,
        1795637682.123456,
        0,
        -86400.25,
        "1795637682",
        "1795637682.75",
        "2026-11-25T20:14:42Z",
        "2026-11-25T20:14:42.123456Z",
        "2026-11-25T22:14:42+02:00",
        "2026-11-25T20:14:42",  # naive ISO 8601: UTC
        "2026-11-25",
        "Wed, 25 Nov 2026 20:14:42 GMT",
    ],
    ids=repr,
)
def test_timestamp_inputs_are_serialized_like_botocore(value: Any) -> None:
    with _local_time_not_utc():
        _assert_timestamps_like_botocore(value)


@given(
    moment=st.datetimes(
        min_value=datetime.datetime(1900, 1, 1),
        max_value=datetime.datetime(9998, 12, 31),
        timezones=st.sampled_from([None, datetime.UTC, _PLUS_2, _MINUS_0930]),
    ),
    as_epoch=st.booleans(),
)
@hypothesis_settings(max_examples=150, deadline=None)
def test_any_datetime_or_epoch_is_serialized_like_botocore(
    moment: datetime.datetime, as_epoch: bool
) -> None:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)
    with _local_time_not_utc():
        _assert_timestamps_like_botocore(aware.timestamp() if as_epoch else moment)


def test_timestamp_inputs_botocore_refuses_we_refuse(serializer: RequestSerializer) -> None:
    for value in ("not a time", "", [WHEN], datetime.date(2026, 11, 25), float("nan"), 10**400):
        with pytest.raises(errors.ParamValidationError, match="created: expected a timestamp"):
            full(serializer, created=value)


# -- URI templates split at their labels --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/restapis/{restApiId}", "/{a}{b+}/x", "{}", "/{}{x}", "/{a{b}/c}", "/{x", "}{y}", ""],
)
def test_uri_labels_split_as_the_pattern_does(path: str) -> None:
    import re

    assert split_uri_labels(path) == re.split(r"\{([^}]+)\}", path)


@given(st.text(alphabet="{}/ab+", max_size=24))
@hypothesis_settings(max_examples=400, deadline=None)
def test_uri_labels_split_as_the_pattern_does_for_any_text(path: str) -> None:
    import re

    assert split_uri_labels(path) == re.split(r"\{([^}]+)\}", path)
