"""Tests for the endpoint rule-set engine (``aioapigateway.runtime.endpoints.rules``).

botocore (a test-only dependency) is the oracle: its ``EndpointProvider`` evaluates the
same rule sets, and its ``RuleSetStandardLibrary`` the same functions.
"""

from __future__ import annotations

import functools
import gzip
import importlib
import itertools
import json
import subprocess
import sys
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.endpoint_provider import EndpointProvider, RuleSetStandardLibrary
from botocore.exceptions import EndpointResolutionError
from hypothesis import given, settings
from hypothesis import strategies as st

from aioapigateway.runtime.endpoints import rules as _endpoints
from aioapigateway.runtime.endpoints.partitions import PARTITIONS
from aioapigateway.runtime.endpoints.rules import Endpoint, EndpointResolver
from aioapigateway.runtime.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
APIGATEWAY_RULESET = ROOT / "spec" / "apigateway" / "2015-07-09" / "endpoint-rule-set-1.json"
BOTO_DATA = Path(botocore.__file__).parent / "data"


@functools.cache
def botocore_partitions() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BOTO_DATA / "partitions.json").read_text())
    return data


@functools.cache
def apigateway_ruleset() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(APIGATEWAY_RULESET.read_text())
    return data


@functools.cache
def service_ruleset(service: str, version: str | None = None) -> dict[str, Any]:
    """A rule set shipped with botocore: the newest API version unless one is named."""
    versions = sorted(p.parent.name for p in BOTO_DATA.glob(f"{service}/*/endpoint-rule-set-1.*"))
    chosen = version or versions[-1]
    with gzip.open(BOTO_DATA / service / chosen / "endpoint-rule-set-1.json.gz") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def thaw(value: Any) -> Any:
    """Read-only mappings/tuples -> dicts/lists, for comparing with botocore's output."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(item) for item in value]
    return value


def resolve(ruleset: Mapping[str, Any], **params: Any) -> Endpoint:
    return EndpointResolver(ruleset).resolve(params)


# --------------------------------------------------------------------------------------
# The vendored partition data
# --------------------------------------------------------------------------------------


def test_vendored_partitions_match_botocore() -> None:
    assert PARTITIONS == botocore_partitions()
    ids = {p["id"] for p in PARTITIONS["partitions"]}
    assert {
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-iso",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
        "aws-eusc",
    } <= ids


def test_importing_endpoints_is_cheap() -> None:
    # The partition table is only loaded by the first aws.partition call. The package
    # is stubbed so that only this module's own imports are observed, whatever the
    # package __init__ pulls in.
    code = (
        "import sys, types\n"
        "pkg = types.ModuleType('aioapigateway')\n"
        f"pkg.__path__ = [{str(Path(_endpoints.__file__).parents[2])!r}]\n"
        "sys.modules['aioapigateway'] = pkg\n"
        "import aioapigateway.runtime.endpoints.rules as e\n"
        "assert 'aioapigateway.runtime.endpoints.partitions' not in sys.modules, 'eager _partitions'\n"
        "for heavy in ('ipaddress', 'json', 'botocore'):\n"
        "    assert heavy not in sys.modules, heavy\n"
        "assert e._fn_partition('us-east-1')['name'] == 'aws'\n"
        "assert 'aioapigateway.runtime.endpoints.partitions' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------------
# API Gateway: a table per partition, checked against literals and against botocore
# --------------------------------------------------------------------------------------

# region -> (dnsSuffix, dualStackDnsSuffix), one real region from every partition.
APIGW_REGIONS = {
    "us-east-1": ("amazonaws.com", "api.aws"),
    "eu-west-1": ("amazonaws.com", "api.aws"),
    "cn-north-1": ("amazonaws.com.cn", "api.amazonwebservices.com.cn"),
    "cn-northwest-1": ("amazonaws.com.cn", "api.amazonwebservices.com.cn"),
    "us-gov-west-1": ("amazonaws.com", "api.aws"),
    "us-gov-east-1": ("amazonaws.com", "api.aws"),
    "us-iso-east-1": ("c2s.ic.gov", "api.aws.ic.gov"),
    "us-isob-east-1": ("sc2s.sgov.gov", "api.aws.scloud"),
    "eu-isoe-west-1": ("cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
    "us-isof-south-1": ("csp.hci.ic.gov", "api.aws.hci.ic.gov"),
    "eusc-de-east-1": ("amazonaws.eu", "api.amazonwebservices.eu"),
    # Not listed anywhere: matched by the aws partition's regex ...
    "ap-southeast-99": ("amazonaws.com", "api.aws"),
    # ... or by no regex at all, which falls back to the aws partition.
    "moon-base-1": ("amazonaws.com", "api.aws"),
}


@pytest.mark.parametrize(
    ("fips", "dualstack"), [(False, False), (True, False), (False, True), (True, True)]
)
@pytest.mark.parametrize("region", sorted(APIGW_REGIONS))
def test_apigateway_regions(region: str, fips: bool, dualstack: bool) -> None:
    suffix, dualstack_suffix = APIGW_REGIONS[region]
    host = "apigateway-fips" if fips else "apigateway"
    expected = f"https://{host}.{region}.{dualstack_suffix if dualstack else suffix}"

    params = {"Region": region, "UseFIPS": fips, "UseDualStack": dualstack, "Endpoint": None}
    endpoint = EndpointResolver(apigateway_ruleset()).resolve(params)
    assert endpoint.url == expected
    assert dict(endpoint.headers) == {}
    assert dict(endpoint.properties) == {}

    oracle = EndpointProvider(apigateway_ruleset(), botocore_partitions()).resolve_endpoint(
        Region=region, UseFIPS=fips, UseDualStack=dualstack
    )
    assert (oracle.url, oracle.headers, oracle.properties) == (
        endpoint.url,
        thaw(endpoint.headers),
        thaw(endpoint.properties),
    )


def test_apigateway_defaults_apply_when_params_missing_or_none() -> None:
    resolver = EndpointResolver(apigateway_ruleset())
    expected = "https://apigateway.us-west-2.amazonaws.com"
    assert resolver.resolve({"Region": "us-west-2"}).url == expected
    assert resolver.resolve({"Region": "us-west-2", "UseFIPS": None}).url == expected


@pytest.mark.parametrize("url", ["https://abc.execute-api.example.com", "http://localhost:4566/x"])
def test_apigateway_custom_endpoint(url: str) -> None:
    for region in ("us-east-1", "cn-north-1", None):
        endpoint = resolve(apigateway_ruleset(), Region=region, Endpoint=url)
        assert endpoint == Endpoint(url=url, headers={}, properties={})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Region": "us-east-1", "UseFIPS": True, "Endpoint": "https://x.example.com"},
            "Invalid Configuration: FIPS and custom endpoint are not supported",
        ),
        (
            {"Region": "us-east-1", "UseDualStack": True, "Endpoint": "https://x.example.com"},
            "Invalid Configuration: Dualstack and custom endpoint are not supported",
        ),
        (
            {"UseFIPS": True, "UseDualStack": True, "Endpoint": "https://x.example.com"},
            "Invalid Configuration: FIPS and custom endpoint are not supported",
        ),
        ({"UseFIPS": False, "UseDualStack": False}, "Invalid Configuration: Missing Region"),
        ({"Region": None}, "Invalid Configuration: Missing Region"),
    ],
)
def test_apigateway_errors(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        EndpointResolver(apigateway_ruleset()).resolve(params)
    assert str(info.value) == message

    provider = EndpointProvider(apigateway_ruleset(), botocore_partitions())
    with pytest.raises(EndpointResolutionError) as oracle:
        provider.resolve_endpoint(**{k: v for k, v in params.items() if v is not None})
    assert str(oracle.value) == message


# --------------------------------------------------------------------------------------
# Parameters, caching, results
# --------------------------------------------------------------------------------------


def _ruleset(rules: list[dict[str, Any]], **parameters: dict[str, Any]) -> dict[str, Any]:
    return {"version": "1.0", "parameters": parameters, "rules": rules}


STR = {"type": "string", "documentation": "x"}
BOOL = {"type": "boolean", "documentation": "x"}


def _endpoint_rule(url: Any, conditions: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "endpoint", "conditions": conditions or [], "endpoint": {"url": url, **extra}}


def test_missing_required_parameter() -> None:
    ruleset = _ruleset(
        [_endpoint_rule("https://{Name}.example.com")],
        Name={**STR, "required": True},
    )
    with pytest.raises(ConfigError, match="missing required endpoint parameter 'Name'"):
        resolve(ruleset)
    with pytest.raises(ConfigError, match="'Name'"):
        resolve(ruleset, Name=None)


@pytest.mark.parametrize(
    ("name", "value"),
    [("Region", 1), ("Region", True), ("UseFIPS", "true"), ("UseFIPS", 0), ("Endpoint", b"x")],
)
def test_parameter_of_wrong_type(name: str, value: Any) -> None:
    with pytest.raises(ConfigError, match=f"endpoint parameter '{name}' must be of type"):
        resolve(apigateway_ruleset(), **{"Region": "us-east-1", name: value})


def test_capitalised_parameter_types_and_string_arrays() -> None:
    # Some published rule sets spell types "String"/"Boolean"; stringArray takes lists.
    ruleset = _ruleset(
        [
            _endpoint_rule(
                "https://{first}.example.com",
                [
                    {"fn": "getAttr", "argv": [{"ref": "Names"}, "[0]"], "assign": "first"},
                    {"fn": "booleanEquals", "argv": [{"ref": "Flag"}, True]},
                ],
            ),
            {"type": "error", "conditions": [], "error": "no names"},
        ],
        Names={"type": "stringArray", "documentation": "x", "required": True, "default": ["d"]},
        Flag={"type": "Boolean", "documentation": "x", "required": True, "default": True},
    )
    assert resolve(ruleset).url == "https://d.example.com"
    assert resolve(ruleset, Names=["a", "b"]).url == "https://a.example.com"
    assert resolve(ruleset, Names=("z",)).url == "https://z.example.com"
    with pytest.raises(ConfigError, match="no names"):
        resolve(ruleset, Names=[])
    with pytest.raises(ConfigError, match="must be of type stringarray"):
        resolve(ruleset, Names=["a", 1])


def test_unknown_params_are_ignored() -> None:
    endpoint = resolve(apigateway_ruleset(), Region="us-east-1", UseGlobalEndpoint=True)
    assert endpoint.url == "https://apigateway.us-east-1.amazonaws.com"


def test_results_are_cached_and_read_only() -> None:
    resolver = EndpointResolver(apigateway_ruleset())
    first = resolver.resolve({"Region": "us-east-1"})
    assert resolver.resolve({"Region": "us-east-1", "UseFIPS": False}) is first
    with pytest.raises(TypeError):
        first.headers["x"] = ["y"]  # type: ignore[index]
    for i in range(200):
        resolver.resolve({"Region": f"us-east-{i}"})
    assert len(resolver._cache) <= _endpoints._CACHE_SIZE


def test_construction_is_lazy() -> None:
    # A malformed rule set only fails when first used, and then as ConfigError.
    resolver = EndpointResolver({"parameters": {}, "rules": "not a list"})
    with pytest.raises(ConfigError):
        resolver.resolve({})
    with pytest.raises(ConfigError, match="invalid endpoint rule set"):
        EndpointResolver({"parameters": {}}).resolve({})
    with pytest.raises(ConfigError, match="unknown endpoint rule type"):
        EndpointResolver(_ruleset([{"type": "bogus", "conditions": []}])).resolve({})


def test_params_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError, match="invalid endpoint parameters"):
        EndpointResolver(apigateway_ruleset()).resolve(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# Rules: templates, headers, properties, errors, trees, assignment
# --------------------------------------------------------------------------------------


def test_templates_in_url_headers_and_properties() -> None:
    ruleset = _ruleset(
        [
            _endpoint_rule(
                "https://{Name}.{p#dnsSuffix}/{{literal}}/{url#path}",
                [
                    {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"},
                    {"fn": "parseURL", "argv": ["https://h.example.com/a/b"], "assign": "url"},
                ],
                headers={"x-name": ["{Name}", "fixed", {"ref": "Name"}]},
                properties={
                    "authSchemes": [{"name": "sigv4", "signingRegion": "{Region}"}],
                    "nested": {"deep": ["{p#name}", True, 3]},
                    "escaped": "{{not-a-template}}",
                    "brace": "a{b",
                },
            )
        ],
        Name={**STR, "required": True},
        Region={**STR, "required": True},
    )
    endpoint = resolve(ruleset, Name="svc", Region="cn-north-1")
    assert endpoint.url == "https://svc.amazonaws.com.cn/{literal}//a/b"
    assert thaw(endpoint.headers) == {"x-name": ["svc", "fixed", "svc"]}
    assert thaw(endpoint.properties) == {
        "authSchemes": [{"name": "sigv4", "signingRegion": "cn-north-1"}],
        "nested": {"deep": ["aws-cn", True, 3]},
        "escaped": "{not-a-template}",
        "brace": "a{b",
    }


def test_template_getattr_paths() -> None:
    ruleset = _ruleset(
        [
            _endpoint_rule(
                "https://{arn#resourceId[1]}.{arn#accountId}.example.com",
                [{"fn": "aws.parseArn", "argv": [{"ref": "Arn"}], "assign": "arn"}],
            )
        ],
        Arn={**STR, "required": True},
    )
    endpoint = resolve(ruleset, Arn="arn:aws:s3:us-west-2:123456789012:accesspoint/ap1")
    assert endpoint.url == "https://ap1.123456789012.example.com"
    with pytest.raises(ConfigError, match="not a string"):
        resolve(ruleset, Arn="arn:aws:s3:us-west-2:123456789012:accesspoint")


def test_error_rule_message_is_templated() -> None:
    ruleset = _ruleset(
        [{"type": "error", "conditions": [], "error": "bad region {Region}"}],
        Region={**STR, "required": True},
    )
    with pytest.raises(ConfigError, match=r"^bad region us-east-1$"):
        resolve(ruleset, Region="us-east-1")


def test_no_matching_rule() -> None:
    ruleset = _ruleset(
        [_endpoint_rule("https://x", [{"fn": "isSet", "argv": [{"ref": "Region"}]}])],
        Region=STR,
    )
    with pytest.raises(ConfigError, match="no endpoint rule matched"):
        resolve(ruleset)


def test_tree_rule_is_terminal() -> None:
    # Once a tree's conditions hold, exhausting its rules is an error: evaluation does
    # not fall through to the tree's siblings (Smithy rules spec).
    ruleset = _ruleset(
        [
            {
                "type": "tree",
                "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}],
                "rules": [
                    _endpoint_rule(
                        "https://a", [{"fn": "stringEquals", "argv": [{"ref": "Region"}, "a"]}]
                    )
                ],
            },
            _endpoint_rule("https://fallback"),
        ],
        Region=STR,
    )
    assert resolve(ruleset, Region="a").url == "https://a"
    assert resolve(ruleset).url == "https://fallback"
    with pytest.raises(ConfigError, match="has no rule for them"):
        resolve(ruleset, Region="b")


def test_assignments_are_scoped_to_their_rule() -> None:
    assign_x = {"fn": "substring", "argv": [{"ref": "S"}, 0, 1, False], "assign": "x"}
    ruleset = _ruleset(
        [
            # Assigns x, then fails: x must not leak into the next rule.
            _endpoint_rule("https://never", [assign_x, {"fn": "not", "argv": [True]}]),
            _endpoint_rule("https://{x}.example.com", [assign_x]),
        ],
        S={**STR, "required": True},
    )
    assert resolve(ruleset, S="abc").url == "https://a.example.com"

    reassigning = _ruleset(
        [_endpoint_rule("https://x", [{**assign_x, "assign": "S"}])],
        S={**STR, "required": True},
    )
    with pytest.raises(ConfigError, match="reassigns 'S'"):
        resolve(reassigning, S="abc")


def test_unknown_function_fails_only_when_reached() -> None:
    ruleset = _ruleset(
        [
            _endpoint_rule("https://a", [{"fn": "isSet", "argv": [{"ref": "Region"}]}]),
            _endpoint_rule("https://b", [{"fn": "aws.frobnicate", "argv": ["x"]}]),
        ],
        Region=STR,
    )
    assert resolve(ruleset, Region="r").url == "https://a"
    with pytest.raises(ConfigError, match=r"unknown endpoint rules function 'aws\.frobnicate'"):
        resolve(ruleset)


def test_wrong_arity_and_bad_argument_types_are_config_errors() -> None:
    arity = _ruleset([_endpoint_rule("https://a", [{"fn": "isSet", "argv": [1, 2]}])])
    with pytest.raises(ConfigError, match="takes 1 argument"):
        resolve(arity)
    types_ = _ruleset([_endpoint_rule("https://a", [{"fn": "booleanEquals", "argv": ["x", True]}])])
    with pytest.raises(ConfigError, match="booleanEquals"):
        resolve(types_)
    undefined = _ruleset(
        [_endpoint_rule("https://a", [{"fn": "isSet", "argv": [{"ref": "Nope"}]}])]
    )
    with pytest.raises(ConfigError, match="undefined name 'Nope'"):
        resolve(undefined)


def test_internal_failures_are_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(value: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setitem(_endpoints._FUNCTIONS, "isSet", (boom, 1))
    with pytest.raises(ConfigError) as info:
        resolve(apigateway_ruleset(), Region="us-east-1")
    assert isinstance(info.value.__cause__, KeyError)


# --------------------------------------------------------------------------------------
# Standard library functions
# --------------------------------------------------------------------------------------


def call(name: str, *args: Any) -> Any:
    return _endpoints._FUNCTIONS[name][0](*args)


def test_partition_matching() -> None:
    assert call("aws.partition", "us-east-1")["name"] == "aws"
    assert call("aws.partition", "aws-global")["name"] == "aws"
    assert call("aws.partition", "aws-cn-global")["name"] == "aws-cn"
    assert call("aws.partition", "us-gov-east-1")["name"] == "aws-us-gov"
    assert call("aws.partition", "us-gov-fake-9")["name"] == "aws-us-gov"  # by regex
    assert call("aws.partition", "eusc-de-west-7")["name"] == "aws-eusc"
    fallback = call("aws.partition", "mars-east-1")
    assert fallback["name"] == "aws"
    assert fallback["dnsSuffix"] == "amazonaws.com"
    assert call("aws.partition", "us-isof-east-1") == {
        "name": "aws-iso-f",
        "dnsSuffix": "csp.hci.ic.gov",
        "dualStackDnsSuffix": "api.aws.hci.ic.gov",
        "implicitGlobalRegion": "us-isof-south-1",
        "supportsDualStack": True,
        "supportsFIPS": True,
    }
    lib = RuleSetStandardLibrary(botocore_partitions())
    for partition in PARTITIONS["partitions"]:
        for region in partition["regions"]:
            assert call("aws.partition", region) == lib.aws_partition(region)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com", ("https", "example.com", "", "/", False)),
        ("https://example.com:8443?foo=bar&faz=baz", None),
        (
            "http://example.com:80/foo/bar",
            ("http", "example.com:80", "/foo/bar", "/foo/bar/", False),
        ),
        ("https://127.0.0.1", ("https", "127.0.0.1", "", "/", True)),
        ("https://[fe80::1]", ("https", "[fe80::1]", "", "/", True)),
        ("https://[fe80::1%25en0]:443/", ("https", "[fe80::1%25en0]:443", "/", "/", True)),
        ("https://user:pw@example.com/", ("https", "example.com", "/", "/", False)),
        ("https://example.com:notaport", None),
        ("ftp://example.com", None),
        ("example.com", None),
        ("https://", None),
    ],
)
def test_parse_url(url: str, expected: tuple[Any, ...] | None) -> None:
    result = call("parseURL", url)
    if expected is None:
        assert result is None
    else:
        keys = ("scheme", "authority", "path", "normalizedPath", "isIp")
        assert dict(result) == dict(zip(keys, expected, strict=True))


def test_parse_arn_examples() -> None:
    def parse(arn: str) -> Any:
        result = call("aws.parseArn", arn)
        return None if result is None else thaw(result)

    assert parse("arn:aws:sns:us-west-2:012345678910:example-sns-topic-name") == {
        "partition": "aws",
        "service": "sns",
        "region": "us-west-2",
        "accountId": "012345678910",
        "resourceId": ["example-sns-topic-name"],
    }
    assert parse("11111111-2222-3333-4444-555555555555") is None
    assert parse("arn:aws:ec2:us-east-1:012345678910:vpc/vpc-0e9801d129EXAMPLE")["resourceId"] == [
        "vpc",
        "vpc-0e9801d129EXAMPLE",
    ]
    assert parse("arn:aws:iam::012345678910:user/johndoe")["region"] == ""
    assert parse("arn:aws:s3:::bucket_name")["accountId"] == ""
    assert parse("arn:aws:s3:us-west-2:123:accesspoint:a:b")["resourceId"] == [
        "accesspoint",
        "a",
        "b",
    ]
    assert parse("arn::s3:::x") is None
    assert parse("arn:aws:s3:::") is None
    assert call("aws.parseArn", None) is None


def test_get_attr() -> None:
    doc = {"a": {"b": ["x", "y"]}, "list": ["p", "q"]}
    assert call("getAttr", doc, "a.b[1]") == "y"
    assert call("getAttr", doc, "a.b[2]") is None
    assert call("getAttr", doc, "list[0]") == "p"
    assert call("getAttr", ["p"], "[0]") == "p"
    assert call("getAttr", doc, "missing") is None
    for bad in ("a..b", "a[x]", "a[1"):
        with pytest.raises(ConfigError):
            call("getAttr", doc, bad)


def test_substring_and_uri_encode() -> None:
    assert call("substring", "abcdef", 0, 4, False) == "abcd"
    assert call("substring", "abcdef", 0, 4, True) == "cdef"
    assert call("substring", "abcdef", 1, 1, False) is None
    assert call("substring", "abc", 0, 4, False) is None
    assert call("substring", "abcdé", 0, 2, False) is None
    assert call("uriEncode", "a b/c?d~_.-é") == "a%20b%2Fc%3Fd~_.-%C3%A9"
    assert call("uriEncode", "!$&'()*+,;=:@[]{}|%<>\"^`\\#") == (
        "%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40%5B%5D%7B%7D%7C%25%3C%3E%22%5E%60%5C%23"
    )


def test_host_label_and_bucket_checks() -> None:
    assert call("isValidHostLabel", "abc-123", False)
    assert not call("isValidHostLabel", "-abc", False)
    assert not call("isValidHostLabel", "abc-", False)
    assert not call("isValidHostLabel", "a.b", False)
    assert call("isValidHostLabel", "a.b", True)
    assert not call("isValidHostLabel", "a..b", True)
    assert not call("isValidHostLabel", "x" * 64, False)
    assert not call("isValidHostLabel", "abc\n", False)
    assert not call("isValidHostLabel", None, False)
    assert call("aws.isVirtualHostableS3Bucket", "my-bucket", False)
    assert call("aws.isVirtualHostableS3Bucket", "my.bucket", True)
    assert not call("aws.isVirtualHostableS3Bucket", "my.bucket", False)
    assert not call("aws.isVirtualHostableS3Bucket", "MyBucket", False)
    assert not call("aws.isVirtualHostableS3Bucket", "ab", False)
    assert not call("aws.isVirtualHostableS3Bucket", "192.168.1.1", True)


# Differential checks of single functions against botocore's implementation, on an
# alphabet that avoids inputs where botocore is laxer than the spec (trailing newlines,
# non-ASCII digits, dotted bucket names over 63 characters).
_TEXT = st.text(alphabet="abcXYZ019-._:/ @é", max_size=40)


@settings(max_examples=300, deadline=None)
@given(value=_TEXT, subdomains=st.booleans())
def test_host_checks_match_botocore(value: str, subdomains: bool) -> None:
    lib = RuleSetStandardLibrary(botocore_partitions())
    assert call("isValidHostLabel", value, subdomains) == lib.is_valid_host_label(value, subdomains)
    assert call(
        "aws.isVirtualHostableS3Bucket", value, subdomains
    ) == lib.aws_is_virtual_hostable_s3_bucket(value, subdomains)


@settings(max_examples=300, deadline=None)
@given(
    value=_TEXT,
    start=st.integers(0, 45),
    stop=st.integers(0, 45),
    reverse=st.booleans(),
    prefix=st.sampled_from(["", "arn:", "arn:aws:", "arn:aws:s3:"]),
)
def test_string_functions_match_botocore(
    value: str, start: int, stop: int, reverse: bool, prefix: str
) -> None:
    lib = RuleSetStandardLibrary(botocore_partitions())
    assert call("substring", value, start, stop, reverse) == lib.substring(
        value, start, stop, reverse
    )
    assert call("uriEncode", value) == lib.uri_encode(value)
    arn = call("aws.parseArn", prefix + value)
    assert (None if arn is None else thaw(arn)) == lib.aws_parse_arn(prefix + value)


# --------------------------------------------------------------------------------------
# Differential test: many services' rule sets against botocore's EndpointProvider
# --------------------------------------------------------------------------------------

SERVICES = [
    "apigateway",
    "apigatewayv2",
    "s3",
    "s3control",
    "s3outposts",
    "s3tables",
    "lambda",
    "dynamodb",
    "sts",
    "ec2",
    "iot-data",
    "iam",
    "route53",
    "cloudfront",
    "organizations",
    "events",
    "sqs",
    "sns",
    "kms",
    "kinesis",
    "logs",
    "cloudwatch",
    "sesv2",
    "acm",
    "bedrock-runtime",
    "networkmanager",
    "globalaccelerator",
    "cognito-idp",
    "secretsmanager",
    "ssm",
    "ecr",
    "eks",
    "ecs",
    "rds",
    "glue",
    "athena",
    "sagemaker",
    "stepfunctions",
    "cloudformation",
    "elbv2",
    "budgets",
    "ce",
    "health",
    "pricing",
    "shield",
    "opensearchserverless",
]
# An old API version whose rule set calls aws.partition before checking isSet(Region).
OLD_RULESETS: list[tuple[str, str | None]] = [("cloudfront", "2014-05-31")]

REGIONS = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-2",
    "aws-global",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-west-1",
    "us-gov-east-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "us-isof-south-1",
    "eusc-de-east-1",
    "ap-southeast-99",  # unknown, matched by regex
    "mars-east-1",  # unknown, no regex: aws fallback
    "local",  # DynamoDB Local
    "snow",  # S3 on Snow
    "not a region!",
    None,
]
FEW_REGIONS = ["us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", None]
ENDPOINTS = [None, "https://example.com", "http://10.0.0.1:8080/base", "not a url"]

S3_BUCKETS = [
    "mybucket",
    "my.dotted.bucket",
    "MyUpperBucket",
    "ab",
    "192.168.1.1",
    "bucket_underscore",
    "mybucket--use1-az1--x-s3",
    "mybucket--usw2-az1--x-s3",
    "arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint",
    "arn:aws:s3:us-east-1:123456789012:accesspoint/myendpoint",
    "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint:myendpoint",
    "arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports",
    "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/myolap",
    "arn:aws:s3:::mybucket",
    "arn:aws:sqs:us-west-2:123456789012:someresource",
]
ARNS = [
    "arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:bucket:mybucket",
    "arn:aws:s3-outposts:us-east-1:123456789012:outpost/op-01234567890123456/accesspoint/ap",
    "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/t",
    "arn:aws:dynamodb:us-east-1:222222222222:table/table_name",
    "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
    "arn:aws:sqs:us-east-1:123456789012:queue",
    "not-an-arn",
]
STRING_SAMPLES: dict[str, list[Any]] = {
    "AccountId": ["123456789012", "abc", ""],
    "AccountIdEndpointMode": ["preferred", "disabled", "required"],
    "OutpostId": ["op-01234567890123456", "bad id"],
    "AccessPointName": ["myaccesspoint", "myaccesspoint--usw2-az1--xa-s3"],
    "EndpointId": ["abcde.veo", "bad!id"],
    "ServiceType": ["ACM-ACME", "other"],
    "OperationType": ["data", "control"],
    "ResourceType": ["queue", "stream"],
    "StreamId": ["stream-1", "a-b"],
}


def _samples(name: str, spec: Mapping[str, Any]) -> list[Any]:
    kind = spec["type"].lower()
    if kind == "boolean":
        return [True, False]
    if kind == "stringarray":
        return [("arn:aws:dynamodb:us-east-1:222222222222:table/t",), ("not-an-arn",), ()]
    if name in STRING_SAMPLES:
        return STRING_SAMPLES[name]
    if name == "Bucket":
        return S3_BUCKETS
    if "arn" in name.lower():
        return ARNS
    return ["value", "my.value"]


BASE = {"Region", "UseFIPS", "UseDualStack", "Endpoint"}


def differential_cases(ruleset: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Parameter combinations: regions x FIPS x dual-stack x custom endpoint, then each
    extra parameter's sample values over a smaller grid."""
    declared = ruleset["parameters"]
    fips = [False, True] if "UseFIPS" in declared else [None]
    dualstack = [False, True] if "UseDualStack" in declared else [None]
    endpoints = ENDPOINTS if "Endpoint" in declared else [None]
    regions = REGIONS if "Region" in declared else [None]

    def make(**params: Any) -> dict[str, Any]:
        return {k: v for k, v in params.items() if v is not None}

    for region, f, d, e in itertools.product(regions, fips, dualstack, endpoints):
        yield make(Region=region, UseFIPS=f, UseDualStack=d, Endpoint=e)

    few_regions = FEW_REGIONS if "Region" in declared else [None]
    extras = sorted(set(declared) - BASE)
    for name in extras:
        for value, region, f, d, e in itertools.product(
            _samples(name, declared[name]), few_regions, fips, dualstack, endpoints[:2]
        ):
            yield make(**{name: value}, Region=region, UseFIPS=f, UseDualStack=d, Endpoint=e)


def s3_cases() -> Iterator[dict[str, Any]]:
    """Buckets and ARNs against the flags that change S3's addressing style."""
    for bucket, region, fips, dualstack, accelerate, path_style, endpoint in itertools.product(
        S3_BUCKETS,
        ["us-east-1", "us-west-2", "cn-north-1", "aws-global"],
        [False, True],
        [False, True],
        [False, True],
        [False, True],
        [None, "https://example.com:8443/base"],
    ):
        yield {
            "Bucket": bucket,
            "Region": region,
            "UseFIPS": fips,
            "UseDualStack": dualstack,
            "Accelerate": accelerate,
            "ForcePathStyle": path_style,
            **({"Endpoint": endpoint} if endpoint else {}),
        }
    for bucket, arn_region, mrap in itertools.product(S3_BUCKETS[8:], [False, True], [False, True]):
        yield {
            "Bucket": bucket,
            "Region": "us-east-1",
            "UseArnRegion": arn_region,
            "DisableMultiRegionAccessPoints": mrap,
        }


# botocore's messages for its own internal failures (as opposed to error rules): both
# sides must fail, but their wording is free to differ.
BOTOCORE_INTERNAL = (
    "No endpoint found for parameters",
    "Cannot find value for required parameter",
    "Both values must be strings",
    "Both arguments must be bools",
    "Input must be a string",
    "Value (",
)


def _outcome_botocore(provider: EndpointProvider, params: Mapping[str, Any]) -> tuple[Any, ...]:
    try:
        endpoint = provider.resolve_endpoint(**params)
    except EndpointResolutionError as exc:
        message = str(exc)
        return ("internal error",) if message.startswith(BOTOCORE_INTERNAL) else ("error", message)
    except (KeyError, TypeError, AttributeError):
        # botocore crashes e.g. on a template naming an unset parameter.
        return ("internal error",)
    return ("endpoint", endpoint.url, endpoint.headers, endpoint.properties)


def _outcome_ours(resolver: EndpointResolver, params: Mapping[str, Any]) -> tuple[Any, ...]:
    try:
        endpoint = resolver.resolve(params)
    except ConfigError as exc:
        return ("error", str(exc))
    return ("endpoint", endpoint.url, thaw(endpoint.headers), thaw(endpoint.properties))


# Our message when a tree rule's sub-rules are exhausted. botocore falls through to the
# tree's siblings instead, which the Smithy spec forbids ("MUST stop and return an
# error"); the siblings then usually raise some unrelated error rule's message.
EXHAUSTED = "the rule set's matching branch has no rule for them"


def _differential(ruleset: Mapping[str, Any], cases: Iterator[dict[str, Any]]) -> int:
    provider = EndpointProvider(ruleset, botocore_partitions())
    resolver = EndpointResolver(ruleset)
    count = 0
    for params in cases:
        expected = _outcome_botocore(provider, params)
        actual = _outcome_ours(resolver, params)
        if expected == ("internal error",) or (
            expected[0] == "error" and actual[0] == "error" and actual[1].endswith(EXHAUSTED)
        ):
            assert actual[0] == "error", params
        else:
            assert actual == expected, params
        count += 1
    return count


@pytest.mark.parametrize(
    ("service", "version"), [*((s, None) for s in SERVICES), *OLD_RULESETS], ids=str
)
def test_differential_against_botocore(service: str, version: str | None) -> None:
    ruleset = service_ruleset(service, version)
    count = _differential(ruleset, differential_cases(ruleset))
    assert count >= 20


def test_differential_s3_buckets_and_arns() -> None:
    assert _differential(service_ruleset("s3"), s3_cases()) > 1000


def test_differential_every_shipped_ruleset() -> None:
    """Every rule set botocore ships (all services, all API versions), on a small grid."""
    grid = list(
        itertools.product(
            ["us-east-1", "cn-northwest-1", "us-gov-east-1", "eusc-de-east-1", None],
            [False, True],
            [False, True],
            [None, "https://example.com"],
        )
    )
    rulesets = sorted(BOTO_DATA.glob("*/*/endpoint-rule-set-1.json.gz"))
    assert len(rulesets) > 400
    total = 0
    for path in rulesets:
        with gzip.open(path) as fh:
            ruleset = json.load(fh)
        declared = ruleset["parameters"]

        def cases(declared: Mapping[str, Any] = declared) -> Iterator[dict[str, Any]]:
            for region, fips, dualstack, endpoint in grid:
                params = {
                    "Region": region,
                    "UseFIPS": fips,
                    "UseDualStack": dualstack,
                    "Endpoint": endpoint,
                }
                yield {k: v for k, v in params.items() if k in declared and v is not None}

        total += _differential(ruleset, cases())
    assert total == len(rulesets) * len(grid)


# --------------------------------------------------------------------------------------
# The generated endpoint table (codegen/endpoint_table.py -> runtime/endpoints/table.py)
# --------------------------------------------------------------------------------------

# Region names no partition lists; the table takes a custom endpoint as it is for them too.
ODD_REGIONS = (
    "mars-north-1",
    "local",
    "",
    "a.b",
    "with space",
    "UPPER-1",
    "r\u00e9gion",
    "{region}",
)
TABLE_URLS = ("https://example.com", "http://localhost:4566", "http://127.0.0.1:1/base")
GENERATED_RULES = (
    "aioapigateway._endpoint_rules",
    "aioapigateway.v2._endpoint_rules",
    "aioapigateway.management._endpoint_rules",
)


def _answer(resolve: Any, params: Mapping[str, Any]) -> tuple[Any, ...]:
    """``(url, headers, properties)`` with plain containers, or ``("error", message)``."""
    try:
        found = resolve(params)
    except ConfigError as exc:
        return ("error", str(exc))
    url, headers, properties = found
    return (url, thaw(headers), thaw(properties))


@pytest.mark.parametrize("rules_module", GENERATED_RULES)
def test_the_table_takes_a_custom_endpoint_as_it_is_for_any_region(rules_module: str) -> None:
    """The generated packages' rule sets pass a custom endpoint through whatever the region:
    the table answers for unknown and odd region names too, exactly as the evaluator."""
    import importlib

    from aioapigateway.runtime.endpoints import table

    resolver = EndpointResolver(importlib.import_module(rules_module).RULES)
    for region, url in itertools.product(ODD_REGIONS, TABLE_URLS):
        params = {"Region": region, "UseFIPS": False, "UseDualStack": False, "Endpoint": url}
        assert table._from_table(rules_module, params) == (url, {}, {}), params
        assert _answer(resolver.resolve, params) == (url, {}, {})
        for fips, dualstack in ((True, False), (False, True)):
            flagged = {**params, "UseFIPS": fips, "UseDualStack": dualstack}
            assert table._from_table(rules_module, flagged) is None  # the evaluator's error
            expected = _answer(resolver.resolve, flagged)
            assert expected[0] == "error"
            assert _answer(functools.partial(table.resolve_endpoint, rules_module), flagged) == (
                expected
            )


def _client_ruleset(*rules: dict[str, Any], **parameters: dict[str, Any]) -> dict[str, Any]:
    declared = {
        "Region": {"type": "String", "required": False},
        "UseFIPS": {"type": "Boolean", "required": True, "default": False},
        "UseDualStack": {"type": "Boolean", "required": True, "default": False},
        "Endpoint": {"type": "String", "required": False},
        **parameters,
    }
    return {"version": "1.0", "parameters": declared, "rules": list(rules)}


def _is_set(name: str) -> dict[str, Any]:
    return {"fn": "isSet", "argv": [{"ref": name}]}


def _flag(name: str, value: bool) -> dict[str, Any]:
    return {"fn": "booleanEquals", "argv": [{"ref": name}, value]}


def _endpoint(url: Any, conditions: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "endpoint", "conditions": conditions or [], "endpoint": {"url": url, **extra}}


def _error(conditions: list[Any], message: str = "no") -> dict[str, Any]:
    return {"type": "error", "conditions": conditions, "error": message}


def _tree(conditions: list[Any], *rules: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tree", "conditions": conditions, "rules": list(rules)}


_AS_IS = _endpoint({"ref": "Endpoint"})
_REGIONAL = _endpoint("https://svc.{Region}.example", [_is_set("Region")])
_HOST_LABEL = {"fn": "isValidHostLabel", "argv": [{"ref": "Region"}, False]}

# (rule set, proved): each unproved one differs from a proved one in one respect.
PASS_THROUGH_CASES = [
    pytest.param(
        _client_ruleset(_tree([_is_set("Endpoint")], _AS_IS), _REGIONAL), True, id="plain"
    ),
    pytest.param(
        _client_ruleset(
            _tree(
                [_is_set("Endpoint")],
                _error([_flag("UseFIPS", True)]),
                _error([_flag("UseDualStack", True)]),
                _AS_IS,
            ),
            _REGIONAL,
        ),
        True,
        id="flag-errors-first",
    ),
    pytest.param(
        _client_ruleset(
            _endpoint("https://unset.example", [{"fn": "not", "argv": [_is_set("Endpoint")]}]),
            _tree([_is_set("Endpoint"), _flag("UseFIPS", False)], _AS_IS),
        ),
        True,
        id="not-and-flag-false",
    ),
    pytest.param(
        _client_ruleset(_tree([_is_set("Endpoint")], _error([_flag("UseFIPS", False)]), _AS_IS)),
        False,
        id="error-when-fips-false",
    ),
    pytest.param(
        _client_ruleset(_tree([_is_set("Endpoint"), _HOST_LABEL], _AS_IS), _REGIONAL),
        False,
        id="region-checked-first",
    ),
    pytest.param(
        _client_ruleset(_endpoint("https://r.example", [_is_set("Region")]), _tree([], _AS_IS)),
        False,
        id="region-rule-before",
    ),
    pytest.param(
        _client_ruleset(_tree([_is_set("Endpoint")], _endpoint("{Endpoint}/v1"))),
        False,
        id="rewritten",
    ),
    pytest.param(
        _client_ruleset(
            _tree([_is_set("Endpoint")], _endpoint({"ref": "Endpoint"}, headers={"a": ["b"]}))
        ),
        False,
        id="headers",
    ),
    pytest.param(
        _client_ruleset(
            _tree([_is_set("Endpoint")], _endpoint({"ref": "Endpoint"}, properties={"p": 1}))
        ),
        False,
        id="properties",
    ),
    pytest.param(
        _client_ruleset(_tree([_is_set("Endpoint")], _error([_flag("UseFIPS", True)])), _AS_IS),
        False,
        id="tree-exhausted",
    ),
    pytest.param(
        _client_ruleset(_tree([_is_set("Endpoint")], _AS_IS), Region={"type": "Boolean"}),
        False,
        id="region-not-a-string",
    ),
    pytest.param(
        _client_ruleset(
            _tree([_is_set("Endpoint")], _AS_IS), Bucket={"type": "String", "required": True}
        ),
        False,
        id="another-required-parameter",
    ),
    pytest.param(
        _client_ruleset(
            _tree(
                [{"fn": "isSet", "argv": [{"ref": "Endpoint"}], "assign": "e"}],
                _endpoint({"ref": "Endpoint"}),
            )
        ),
        False,
        id="assign",
    ),
]


@pytest.mark.parametrize(("ruleset", "proved"), PASS_THROUGH_CASES)
def test_the_custom_endpoint_proof(ruleset: dict[str, Any], proved: bool) -> None:
    """Proved only where the rules pass the URL through for any region; where proved, the
    evaluator agrees on every odd region and URL."""
    from codegen.endpoint_table import custom_endpoint_passes_through

    assert custom_endpoint_passes_through(ruleset) is proved
    if proved:
        resolver = EndpointResolver(ruleset)
        for region, url in itertools.product((*ODD_REGIONS, "us-east-1"), TABLE_URLS):
            params = {"Region": region, "UseFIPS": False, "UseDualStack": False, "Endpoint": url}
            assert _answer(resolver.resolve, params) == (url, {}, {})


def test_the_custom_endpoint_proof_is_sound_for_every_shipped_client_ruleset() -> None:
    """Wherever the proof holds for a rule set botocore ships, botocore's own evaluator
    returns the URL as it is for odd regions."""
    from codegen.endpoint_table import custom_endpoint_passes_through

    proved = 0
    for path in sorted(BOTO_DATA.glob("*/*/endpoint-rule-set-1.json.gz")):
        with gzip.open(path) as fh:
            ruleset = json.load(fh)
        if not custom_endpoint_passes_through(ruleset):
            continue
        proved += 1
        provider = EndpointProvider(ruleset, botocore_partitions())
        for region in ("mars-north-1", "a.b", ""):
            found = provider.resolve_endpoint(
                Region=region, UseFIPS=False, UseDualStack=False, Endpoint="http://h:1/p"
            )
            assert (found.url, found.headers, found.properties) == ("http://h:1/p", {}, {}), path
    assert proved > 400  # most services (444 of 479 in botocore 1.44.8): not vacuous


def _write_table_package(root: Path, name: str, ruleset: dict[str, Any]) -> str:
    """A package with the rule set and the table the generator makes of it; its rules module."""
    from codegen.endpoint_table import render_table

    regions, templates, extras, as_is = render_table(repr(ruleset))
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_endpoint_rules.py").write_text(f"RULES = {ruleset!r}\n")
    (package / "_spec.py").write_text(
        f"ENDPOINT_REGIONS = {regions}\nENDPOINT_TEMPLATES = {templates}\n"
        f"ENDPOINT_EXTRAS = {extras}\nCUSTOM_ENDPOINT_AS_IS = {as_is}\n"
    )
    return f"{name}._endpoint_rules"


def test_the_compact_table_equals_the_evaluator_on_irregular_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """URLs without the region, with it twice, a rejected combination, headers and
    properties, a custom endpoint that is rewritten: every answer as the evaluator's."""
    from aioapigateway.runtime.endpoints import table

    partition = {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"}
    suffix = {"fn": "getAttr", "argv": [{"ref": "p"}, "dnsSuffix"]}
    ruleset = _client_ruleset(
        _tree([_is_set("Endpoint")], _endpoint("{Endpoint}/base")),
        _endpoint(
            "https://global.example",
            [{"fn": "stringEquals", "argv": [{"ref": "Region"}, "us-east-1"]}],
        ),
        _error([_flag("UseFIPS", True), _flag("UseDualStack", True)], "not both"),
        _tree(
            [partition],
            _endpoint(
                "https://{Region}.svc-fips.{Region}.{p#dnsSuffix}",
                [_flag("UseFIPS", True)],
                headers={"x-region": ["{Region}"]},
            ),
            _endpoint(
                "https://svc.{Region}.{p#dualStackDnsSuffix}",
                [_flag("UseDualStack", True), {"fn": "isSet", "argv": [suffix]}],
                properties={"authSchemes": [{"name": "sigv4", "signingRegion": "{Region}"}]},
            ),
            _endpoint("https://svc.{Region}.{p#dnsSuffix}"),
        ),
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    rules_module = _write_table_package(tmp_path, "irregular_pkg", ruleset)
    generated = importlib.import_module("irregular_pkg._spec")
    assert generated.CUSTOM_ENDPOINT_AS_IS is False
    assert len(set(generated.ENDPOINT_TEMPLATES)) == len(generated.ENDPOINT_TEMPLATES) >= 3
    assert generated.ENDPOINT_EXTRAS  # the FIPS endpoints' headers, the dual-stack ones' properties
    resolver = EndpointResolver(ruleset)
    lookup = functools.partial(table.resolve_endpoint, rules_module)
    listed = 0
    regions = sorted({r for p in PARTITIONS["partitions"] for r in p["regions"]})
    for region in [*regions, *ODD_REGIONS]:
        for fips, dualstack, url in itertools.product(
            (False, True), (False, True), (None, *TABLE_URLS)
        ):
            params = {"Region": region, "UseFIPS": fips, "UseDualStack": dualstack, "Endpoint": url}
            expected = _answer(resolver.resolve, params)
            assert _answer(lookup, params) == expected, params
            from_table = table._from_table(rules_module, params)
            if from_table is not None:
                listed += 1
                assert (from_table[0], thaw(from_table[1]), thaw(from_table[2])) == expected
                # Read-only, as the evaluator's.
                assert from_table[1].__class__ is types.MappingProxyType or not from_table[1]
    # Every known region but FIPS with dual-stack; us-east-1's global endpoint for all four.
    assert listed == len(regions) * 3 + 1


def test_a_custom_endpoint_with_an_odd_region_needs_no_evaluator() -> None:
    code = (
        "import sys\n"
        "from aioapigateway.runtime.endpoints.table import resolve_endpoint\n"
        "params = {'Region': 'local', 'UseFIPS': False, 'UseDualStack': False,"
        " 'Endpoint': 'http://h:1'}\n"
        "print(resolve_endpoint('aioapigateway._endpoint_rules', params)[0])\n"
        "assert 'aioapigateway.runtime.endpoints.rules' not in sys.modules\n"
        "assert 'aioapigateway._endpoint_rules' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "http://h:1\n"
