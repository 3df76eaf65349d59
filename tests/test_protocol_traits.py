"""rest-json protocol traits, one named test each (the rest are in test_serialize/test_parse).

A small service model is built from runtime descriptors; a generated package checks the
generator's handling of awkward names.
"""

from __future__ import annotations

import datetime
import enum
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import attrs
import pytest
from _json_strict import assert_json_body

from aioapigateway.runtime.parse import ResponseParser
from aioapigateway.runtime.serialize import RequestSerializer
from aioapigateway.runtime.shapes import (
    Member,
    Operation,
    Service,
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
WHEN = datetime.datetime(2026, 11, 25, 20, 14, 42, tzinfo=UTC)


class Mode(enum.StrEnum):
    FAST = "fast"


@attrs.define(kw_only=True)
class Pick:
    text: str | None = None
    number: int | None = None


@attrs.define(kw_only=True)
class Bag:
    sparse: dict[str, Any] | None = None
    lists: dict[str, Any] | None = None
    pick: Pick | None = None
    stamp: datetime.datetime | None = None


@attrs.define(kw_only=True)
class LabelInput:
    ratio: float | None = None
    when: datetime.datetime | None = None
    when_unix: datetime.datetime | None = None
    header_ratio: float | None = None
    header_when: datetime.datetime | None = None


@attrs.define(kw_only=True)
class Payloads:
    doc: Any = None
    text: str | None = None
    mode: Any = None
    pick: Pick | None = None


_models = types.ModuleType("traits_models")
for _cls in (Mode, Pick, Bag, LabelInput, Payloads):
    setattr(_models, _cls.__name__, _cls)
sys.modules["traits_models"] = _models

SHAPES = {
    "String": string("String"),
    "Int": number("Int", "integer"),
    "Double": number("Double", "double"),
    "Time": timestamp("Time"),
    "Doc": document("Doc"),
    "Mode": enum_shape("Mode", ("fast",), cls_name="Mode"),
    "Strings": list_of("Strings", "String"),
    "SparseMap": map_of("SparseMap", "String", "String", sparse=True),
    "ListMap": map_of("ListMap", "String", "Strings"),
    "Pick": structure(
        "Pick",
        (Member("text", "text", "String"), Member("number", "number", "Int")),
        cls_name="Pick",
        union=True,
    ),
    "Bag": structure(
        "Bag",
        (
            Member("sparse", "sparse", "SparseMap"),
            Member("lists", "lists", "ListMap"),
            Member("pick", "pick", "Pick"),
            Member("stamp", "stamp", "Time", timestamp_format="iso8601"),
        ),
        cls_name="Bag",
    ),
    "LabelInput": structure(
        "LabelInput",
        (
            Member("ratio", "ratio", "Double", "uri", "ratio"),
            Member("when", "when", "Time", "uri", "when"),
            Member(
                "whenUnix",
                "when_unix",
                "Time",
                "querystring",
                "u",
                timestamp_format="unixTimestamp",
            ),
            Member("headerRatio", "header_ratio", "Double", "header", "X-Ratio"),
            Member(
                "headerWhen", "header_when", "Time", "header", "X-When", timestamp_format="iso8601"
            ),
        ),
        cls_name="LabelInput",
    ),
    "DocPayload": structure(
        "DocPayload", (Member("doc", "doc", "Doc"),), cls_name="Payloads", payload="doc"
    ),
    "TextPayload": structure(
        "TextPayload", (Member("text", "text", "String"),), cls_name="Payloads", payload="text"
    ),
    "EnumPayload": structure(
        "EnumPayload", (Member("mode", "mode", "Mode"),), cls_name="Payloads", payload="mode"
    ),
    "UnionPayload": structure(
        "UnionPayload", (Member("pick", "pick", "Pick"),), cls_name="Payloads", payload="pick"
    ),
}
OPS = {
    "Labels": Operation(
        "Labels", "GET", "/r/{ratio}/w/{when}", input="LabelInput", output="LabelInput"
    ),
    "Bag": Operation("Bag", "POST", "/bag", input="Bag", output="Bag"),
    "Doc": Operation("Doc", "PUT", "/doc", input="DocPayload", output="DocPayload"),
    "Text": Operation("Text", "PUT", "/text", input="TextPayload", output="TextPayload"),
    "Enum": Operation("Enum", "PUT", "/enum", input="EnumPayload", output="EnumPayload"),
    "Union": Operation("Union", "PUT", "/union", input="UnionPayload", output="UnionPayload"),
}
SERVICE = Service(
    service_id="Traits",
    api_version="2020-01-01",
    endpoint_prefix="traits",
    signing_name="traits",
    models_module="traits_models",
    errors_module="traits_models",
    shapes=SHAPES,
    operations=OPS,
    paginators={},
    endpoint_rules=None,
    default_headers={},
)
serializer = RequestSerializer(SERVICE)
parser = ResponseParser(SERVICE)


def test_nan_and_infinity_in_labels_and_headers() -> None:
    request = serializer.serialize(
        OPS["Labels"], {"ratio": float("-inf"), "when": WHEN, "header_ratio": float("nan")}
    )
    assert request.path == "/r/-Infinity/w/2026-11-25T20%3A14%3A42Z"
    assert request.headers["X-Ratio"] == "NaN"


def test_nan_and_infinity_parsed_from_headers() -> None:
    out = parser.parse(OPS["Labels"], 200, {"X-Ratio": "-Infinity"}, b"")
    assert out.header_ratio == float("-inf")


def test_timestamp_formats_on_members_in_query_and_header() -> None:
    request = serializer.serialize(
        OPS["Labels"], {"ratio": 1.0, "when": WHEN, "when_unix": WHEN, "header_when": WHEN}
    )
    assert ("u", "1795637682") in request.query
    assert request.headers["X-When"] == "2026-11-25T20:14:42Z"


def test_timestamp_header_parsed_whatever_its_format() -> None:
    for raw in ("2026-11-25T20:14:42Z", "Wed, 25 Nov 2026 20:14:42 GMT", "1795637682"):
        assert parser.parse(OPS["Labels"], 200, {"X-When": raw}, b"").header_when == WHEN


def test_body_timestamp_with_member_format_round_trips() -> None:
    request = serializer.serialize(OPS["Bag"], {"stamp": WHEN})
    assert_json_body(request.body, {"stamp": "2026-11-25T20:14:42Z"})
    assert parser.parse(OPS["Bag"], 200, {}, request.body).stamp == WHEN


def test_sparse_map_keeps_null_values() -> None:
    request = serializer.serialize(OPS["Bag"], {"sparse": {"a": None, "b": "x"}})
    assert_json_body(request.body, {"sparse": {"a": None, "b": "x"}})
    out = parser.parse(OPS["Bag"], 200, {}, b'{"sparse": {"a": null, "b": "x"}}')
    assert out.sparse == {"a": None, "b": "x"}


def test_maps_of_lists_in_the_body() -> None:
    request = serializer.serialize(OPS["Bag"], {"lists": {"k": ["1", "2"], "e": []}})
    assert_json_body(request.body, {"lists": {"k": ["1", "2"], "e": []}})
    assert parser.parse(OPS["Bag"], 200, {}, request.body).lists == {"k": ["1", "2"], "e": []}


def test_union_unknown_member_from_the_server_is_tolerated() -> None:
    out = parser.parse(OPS["Bag"], 200, {}, b'{"pick": {"newMember": {"x": 1}}}')
    assert out.pick == Pick()


def test_union_round_trip() -> None:
    request = serializer.serialize(OPS["Bag"], {"pick": Pick(number=3)})
    assert_json_body(request.body, {"pick": {"number": 3}})
    assert parser.parse(OPS["Bag"], 200, {}, request.body).pick == Pick(number=3)


def test_document_payload() -> None:
    request = serializer.serialize(OPS["Doc"], {"doc": [1, {"a": None}]})
    assert_json_body(request.body, [1, {"a": None}])
    assert request.headers["Content-Type"] == "application/json"
    assert parser.parse(OPS["Doc"], 200, {}, b'{"free": "form"}').doc == {"free": "form"}


def test_string_payload_is_raw_text() -> None:
    request = serializer.serialize(OPS["Text"], {"text": "héllo"})
    assert request.body == "héllo".encode() and "Content-Type" not in request.headers
    assert parser.parse(OPS["Text"], 200, {}, "héllo".encode()).text == "héllo"


def test_enum_payload_is_raw_text() -> None:
    assert serializer.serialize(OPS["Enum"], {"mode": Mode.FAST}).body == b"fast"
    assert parser.parse(OPS["Enum"], 200, {}, b"fast").mode == "fast"


def test_union_payload() -> None:
    request = serializer.serialize(OPS["Union"], {"pick": Pick(text="t")})
    assert_json_body(request.body, {"text": "t"})
    assert parser.parse(OPS["Union"], 200, {}, b'{"text": "t"}').pick == Pick(text="t")


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_response_code_parses(status: int) -> None:
    body = b"" if status == 204 else b'{"stamp": "2026-11-25T20:14:42Z"}'
    out = parser.parse(OPS["Bag"], status, {}, body)
    assert out.stamp == (None if status == 204 else WHEN)


# -- names ---------------------------------------------------------------------------------------

AWKWARD_MODEL = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "awkward",
        "protocol": "rest-json",
        "serviceId": "Awkward",
        "signatureVersion": "v4",
        "uid": "awkward-2020-01-01",
    },
    "operations": {
        "Do": {
            "name": "Do",
            "http": {"method": "POST", "requestUri": "/do"},
            "input": {"shape": "Thing"},
            "output": {"shape": "THING"},
        }
    },
    "shapes": {
        "Thing": {
            "type": "structure",
            "members": {
                "from": {"shape": "String"},
                "self": {"shape": "String"},
                "type": {"shape": "String"},
                "Type": {"shape": "String"},
                "any": {"shape": "Any"},
                "error": {"shape": "AttributeError"},
                "when": {"shape": "datetime"},
            },
        },
        "THING": {"type": "structure", "members": {"thing": {"shape": "Thing"}}},
        "Any": {"type": "structure", "members": {}},
        "AttributeError": {"type": "structure", "members": {"message": {"shape": "String"}}},
        "datetime": {"type": "timestamp"},
        "String": {"type": "string"},
    },
}


def test_keywords_builtins_and_case_only_differences_generate_valid_code(tmp_path: Path) -> None:
    model = tmp_path / "service-2.json"
    model.write_text(json.dumps(AWKWARD_MODEL))
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "codegen",
            "--model",
            str(model),
            "--package",
            "awkward",
            "--out",
            str(tmp_path),
        ],
        check=True,
        cwd=root,
    )
    modules = sorted(p.name for p in (tmp_path / "awkward" / "models").iterdir())
    assert "_thing.py" in modules and "_thing_2.py" in modules
    probe = (
        "import awkward\n"
        "m = awkward.models\n"
        "t = m.Thing(from_='a', self_='b', type='c', type_='d', any=m.Any_(), error=m.AttributeError(message='x'))\n"
        "assert m.THING(thing=t).thing.from_ == 'a'\n"
        "try:\n    m.Nope\nexcept AttributeError:\n    pass\n"
        "else:\n    raise SystemExit('lazy lookup of an unknown name must fail')\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "awkward"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- request compression ---------------------------------------------------------------------


def _prepared(body: bytes, **headers: str) -> Any:
    from aioapigateway.runtime.serialize import PreparedRequest

    return PreparedRequest("POST", "/", [], dict(headers), body, None)


def test_request_compression_gzips_bodies_above_the_threshold() -> None:
    import gzip

    from aioapigateway.runtime.compression import compress_request

    big = _prepared(b"x" * 20000, **{"Content-Type": "application/json"})
    assert compress_request(big, ("gzip",), 10240)
    assert gzip.decompress(big.body) == b"x" * 20000
    assert big.headers["Content-Encoding"] == "gzip"
    again = _prepared(b"x" * 20000)
    compress_request(again, ("gzip",), 10240)
    assert again.body == big.body  # deterministic: no timestamp in the gzip header


def test_request_compression_skips_small_bodies_and_other_encodings() -> None:
    from aioapigateway.runtime.compression import compress_request

    small = _prepared(b"x" * 100)
    assert not compress_request(small, ("gzip",), 10240) and small.body == b"x" * 100
    assert not compress_request(_prepared(b"x" * 20000), ("br",), 10240)
    assert not compress_request(_prepared(b""), ("gzip",), 0)


def test_request_compression_appends_to_an_existing_content_encoding() -> None:
    from aioapigateway.runtime.compression import compress_request

    request = _prepared(b"x" * 20, **{"content-encoding": "custom"})
    compress_request(request, ("gzip",), 0)
    assert request.headers["content-encoding"] == "custom,gzip"
