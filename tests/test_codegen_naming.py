"""Tests for ``codegen.naming``: Python names for model names.

botocore (a test-only dependency) is the oracle for ``snake_case``: method and argument names
must be the ones boto3 exposes, so ``snake_case`` must equal ``botocore.xform_name`` for every
operation, shape and member name of every model botocore ships.
"""

from __future__ import annotations

import functools
import gzip
import json
import keyword
import re
import sys
from pathlib import Path

import botocore
import pytest
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Without the codegen extra installed, the generator runs from the repository root.
    sys.path.insert(0, str(ROOT))

from codegen.naming import enum_member_name, module_name, safe_identifier, snake_case  # noqa: E402

BOTO_DATA = Path(botocore.__file__).parent / "data"


@functools.cache
def botocore_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every operation, shape and member name; every enum value) of botocore's models."""
    names: set[str] = set()
    enum_values: set[str] = set()
    for path in sorted(BOTO_DATA.glob("*/*/service-2.json.gz")):
        model = json.loads(gzip.decompress(path.read_bytes()))
        names.update(model["operations"])
        for shape_name, shape in model["shapes"].items():
            names.add(shape_name)
            names.update(shape.get("members", {}))
            enum_values.update(shape.get("enum", ()))
    return tuple(sorted(names)), tuple(sorted(enum_values))


@functools.cache
def snake_names() -> dict[str, str]:
    """``snake_case`` of every botocore name, computed once for the tests below."""
    names, _ = botocore_names()
    return {name: snake_case(name) for name in names}


def test_botocore_models_are_found() -> None:
    names, enum_values = botocore_names()
    # A broken glob would make the oracle tests pass vacuously.
    assert len(list(BOTO_DATA.glob("*/*/service-2.json.gz"))) > 300
    assert len(names) > 100_000
    assert len(enum_values) > 10_000


def test_snake_case_matches_botocore_xform_name_for_every_bundled_model() -> None:
    mismatches = [
        (name, ours, xform_name(name))
        for name, ours in snake_names().items()
        if ours != xform_name(name)
    ]
    assert mismatches == [], f"{len(mismatches)} names differ, first ones: {mismatches[:20]}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GetRestApis", "get_rest_apis"),
        ("CreateRestApi", "create_rest_api"),
        ("restApiId", "rest_api_id"),
        ("ETag", "e_tag"),
        ("HTTPProxy", "http_proxy"),
        ("GatewayARNs", "gateway_arns"),
        ("ListV2Things", "list_v2_things"),
        ("apiKeyRequired", "api_key_required"),
        ("already_snake", "already_snake"),
        ("position", "position"),
        ("from", "from"),
        ("CreateOAuth2Token", "create_oauth2_token"),
        ("DescribeCachediSCSIVolumes", "describe_cached_iscsi_volumes"),
    ],
)
def test_snake_case_examples(name: str, expected: str) -> None:
    assert snake_case(name) == expected
    assert xform_name(name) == expected


# -- safe_identifier ---------------------------------------------------------------------


# Soft keywords of any Python version: valid names everywhere, so they are kept, and the
# result does not depend on the Python running the generator.
SOFT_KEYWORDS = ("_", "case", "match", "type")


@pytest.mark.parametrize("word", [*keyword.kwlist, "self"])
def test_safe_identifier_suffixes_keywords_and_self(word: str) -> None:
    assert safe_identifier(word) == word + "_"


@pytest.mark.parametrize("word", SOFT_KEYWORDS)
def test_safe_identifier_keeps_soft_keywords(word: str) -> None:
    assert safe_identifier(word) == word


def test_safe_identifier_does_not_depend_on_the_running_python() -> None:
    # Python 3.12 added "type" to keyword.softkwlist. codegen.naming builds its reserved set
    # from keyword.softkwlist at import time, so under 3.12+ every "type" argument and
    # attribute (API Gateway has many: create_authorizer(type=...)) would become "type_",
    # and the same model would generate a different API depending on the interpreter.
    assert safe_identifier("type") == "type"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rest_api_id", "rest_api_id"),
        ("from_", "from_"),
        ("self_", "self_"),
        ("Self", "Self"),
        ("FROM", "FROM"),
        ("none", "none"),
        ("a-b", "a_b"),
        ("a.b c", "a_b_c"),
        ("1abc", "_1abc"),
        ("", "_"),
    ],
)
def test_safe_identifier_examples(name: str, expected: str) -> None:
    assert safe_identifier(name) == expected


def test_safe_identifier_of_every_botocore_name_is_a_usable_identifier() -> None:
    for name, snake in snake_names().items():
        py_name = safe_identifier(snake)
        assert py_name.isidentifier(), name
        assert not keyword.iskeyword(py_name), name
        assert py_name != "self", name


# -- enum_member_name ----------------------------------------------------------------------


def contract_enum_member_name(value: str) -> str:
    """The contract restated without regular expressions.

    Upper-case the value; every run of characters other than ASCII letters and digits becomes
    one ``_``; a name starting with a digit gets a leading ``_``.
    """
    parts: list[str] = []
    in_run = False
    for char in value:
        if char.isascii() and char.isalnum():
            parts.append(char.upper())
            in_run = False
        elif not in_run:
            parts.append("_")
            in_run = True
    name = "".join(parts) or "_"
    return "_" + name if name[0].isdigit() else name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", "_0_5"),
        ("a-b", "A_B"),
        ("HTTP_PROXY", "HTTP_PROXY"),
        ("lower", "LOWER"),
        ("application/json", "APPLICATION_JSON"),
        ("REGIONAL", "REGIONAL"),
        ("a--b", "A_B"),
        ("a__b", "A_B"),
        ("a - b", "A_B"),
        ("-a-", "_A_"),
        ("1", "_1"),
        ("2xx", "_2XX"),
        ("*", "_"),
        ("", "_"),
        ("TLS_1_2", "TLS_1_2"),
        ("ml.m5.large", "ML_M5_LARGE"),
        ("caf\u00e9", "CAF_"),
    ],
)
def test_enum_member_name_examples(value: str, expected: str) -> None:
    assert enum_member_name(value) == expected
    assert contract_enum_member_name(value) == expected


def test_enum_member_name_follows_the_contract_for_every_botocore_enum_value() -> None:
    _, enum_values = botocore_names()
    for value in enum_values:
        name = enum_member_name(value)
        assert name == contract_enum_member_name(value), value
        assert name.isidentifier(), value
        assert re.fullmatch(r"[A-Z0-9_]+", name), value


# -- module_name -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("RestApi", "_rest_api"),
        ("GetRestApisRequest", "_get_rest_apis_request"),
        ("HTTPProxy", "_http_proxy"),
        ("Mode", "_mode"),
    ],
)
def test_module_name(shape: str, expected: str) -> None:
    assert module_name(shape) == expected
