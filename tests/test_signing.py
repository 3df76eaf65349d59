"""SigV4 signing, checked byte for byte against botocore's ``SigV4Auth`` as the oracle."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import traceback
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any
from unittest import mock
from urllib.parse import quote

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, create_request_object, prepare_request_dict
from botocore.credentials import Credentials as BotoCredentials
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from aioapigateway.runtime.credentials.base import Credentials
from aioapigateway.runtime.errors import CredentialsError
from aioapigateway.runtime.signing import (
    EMPTY_PAYLOAD_SHA256,
    SigV4Signer,
    _canonical_uri,
    _KeyedSha256,
    derive_signing_key,
    payload_sha256,
)

SERVICE = "apigateway"
REGION = "us-east-1"
HOST = "apigateway.us-east-1.amazonaws.com"
NOW = datetime.datetime(2024, 2, 29, 23, 59, 58, tzinfo=datetime.UTC)
CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
TOKEN_CREDS = Credentials("ASIAEXAMPLE", "c2VjcmV0/with+slash=", "FwoGZXIvYXdzE//token+/=")
COMPARED = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "Date")


def sign_ours(
    *,
    method: str = "GET",
    scheme: str = "https",
    url_host: str = HOST,
    path: str = "/restapis",
    query: Sequence[tuple[str, str]] = (),
    headers: MutableMapping[str, str] | None = None,
    body: bytes = b"",
    credentials: Credentials = CREDS,
    now: datetime.datetime = NOW,
    signer: SigV4Signer | None = None,
) -> MutableMapping[str, str]:
    headers = {} if headers is None else headers
    (signer or SigV4Signer(SERVICE, REGION)).sign(
        method=method,
        url_host=url_host,
        scheme=scheme,
        path=path,
        query=query,
        headers=headers,
        body=body,
        credentials=credentials,
        now=now,
    )
    return headers


def sign_botocore(
    *,
    method: str = "GET",
    scheme: str = "https",
    url_host: str = HOST,
    path: str = "/restapis",
    query: Sequence[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    credentials: Credentials = CREDS,
    now: datetime.datetime = NOW,
) -> AWSRequest:
    """Sign the same request the way botocore's endpoint builds and signs it."""
    request_dict: dict[str, Any] = {
        "url_path": path,
        "query_string": list(query),
        "method": method,
        "headers": {} if headers is None else headers,
        "body": body,
    }
    prepare_request_dict(request_dict, endpoint_url=f"{scheme}://{url_host}")
    request = create_request_object(request_dict)
    boto_creds = BotoCredentials(
        credentials.access_key_id, credentials.secret_access_key, credentials.session_token
    )
    # botocore reads the clock through a naive-UTC helper imported into botocore.auth.
    frozen = now.astimezone(datetime.UTC).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=frozen):
        SigV4Auth(boto_creds, SERVICE, REGION).add_auth(request)
    return request


def assert_same_as_botocore(**request: Any) -> MutableMapping[str, str]:
    boto_headers = request.pop("boto_headers", None)
    ours = sign_ours(**request)
    if boto_headers is not None:
        request["headers"] = boto_headers
    else:
        request.pop("headers", None)
    theirs = sign_botocore(**request).headers
    for name in COMPARED:
        assert ours.get(name) == theirs.get(name), name
    return ours


# --- the differential table ----------------------------------------------------------------

CASES: dict[str, dict[str, Any]] = {
    "plain-get": {},
    "empty-path": {"path": ""},
    "root-path": {"path": "/"},
    "trailing-slash": {"path": "/restapis/"},
    "keys-sharing-a-prefix": {"query": [("a.b", "2"), ("a-c", "3"), ("a", "1"), ("ab", "4")]},
    "repeated-keys": {"query": [("k", "b"), ("k", "a"), ("k", ""), ("j", "z")]},
    "empty-values-and-key": {"query": [("flag", ""), ("", "v"), ("", "")]},
    "unicode-query": {"query": [("ключ", "значение"), ("名前", "値"), ("emoji", "🦆")]},
    "reserved-query": {
        "query": [("a/b?c", "x&y=z"), ("p%q", "100% + 1"), ("sp ace", "t~i_l-d.e"), ("..", "..")]
    },
    "reserved-query-values-only": {"query": [("v", "/?&=%+ "), ("w", "+"), ("x", "%2F")]},
    "encoded-slash-path": {"path": "/restapis/a%2Fb/resources"},
    "encoded-space-and-unicode-path": {"path": "/restapis/my%20api/caf%C3%A9/%F0%9F%A6%86"},
    "raw-space-and-unicode-path": {"path": "/restapis/my api/café"},
    "encoded-reserved-path": {"path": "/restapis/%3F%26%3D%25%2B%20%23"},
    "dot-segments-path": {"path": "/restapis/./x/../y/.."},
    "dotdot-past-root": {"path": "/../../restapis"},
    "double-slashes-path": {"path": "//restapis//a///b"},
    "encoded-dots-path": {"path": "/restapis/%2E%2E/x"},
    "tilde-and-unreserved-path": {"path": "/restapis/~user/a-b_c.d"},
    "session-token": {"credentials": TOKEN_CREDS},
    "non-default-port": {"url_host": "localhost:8443"},
    "explicit-default-https-port": {"url_host": f"{HOST}:443"},
    "http-scheme": {"scheme": "http", "url_host": "127.0.0.1:8080"},
    "http-default-port": {"scheme": "http", "url_host": "127.0.0.1:80"},
    "http-with-443": {"scheme": "http", "url_host": "example.com:443"},
    "upper-case-host": {"url_host": "ApiGateway.US-EAST-1.amazonaws.com"},
    "ipv6-host": {"scheme": "http", "url_host": "[::1]:5000"},
    "binary-body": {
        "method": "PUT",
        "body": bytes(range(256)) * 3,
        "headers": {"Content-Type": "application/octet-stream"},
    },
    "json-body": {
        "method": "POST",
        "body": '{"name": "café"}'.encode(),
        "headers": {"Content-Type": "application/json"},
    },
    "empty-body-post": {"method": "POST", "body": b""},
    "patch": {"method": "PATCH", "body": b'{"patchOperations": []}'},
    "delete": {"method": "DELETE", "path": "/restapis/abc123"},
    "lower-case-method": {"method": "get"},
    "headers-with-whitespace": {
        "headers": {
            "X-Spaced": "  a   b \t c  ",
            "X-Tabs": "\tx\t\ty\t",
            "X-Empty": "",
            "X-Unicode-Space": "a\u00a0\u2003b",
            "Accept": "application/json",
        }
    },
    "unsigned-headers": {
        "headers": {
            "User-Agent": "aioapigateway/0.1",
            "Expect": "100-continue",
            "X-Amzn-Trace-Id": "Root=1-abc",
            "Connection": "keep-alive",
            "Transfer-Encoding": "chunked",
            "X-Signed": "yes",
        }
    },
    "unicode-header-value": {"headers": {"X-Name": "café 🦆"}},
    "duplicate-names-differing-in-case": {"headers": {"X-Custom": "a", "x-custom": "b"}},
    "explicit-host-header": {"headers": {"Host": "  Custom.Example:9000 "}},
    "existing-auth-headers-replaced": {
        "credentials": TOKEN_CREDS,
        "headers": {
            "authorization": "stale",
            "X-AMZ-DATE": "19700101T000000Z",
            "x-amz-security-token": "old-token",
        },
    },
    "security-token-header-without-credential-token": {
        "headers": {"X-Amz-Security-Token": "caller-supplied"}
    },
    "date-header": {"headers": {"Date": "Thu, 01 Jan 1970 00:00:00 GMT"}},
    "content-sha256-header": {
        "method": "PUT",
        "body": b"ignored for the hash",
        "headers": {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
    },
    "everything-at-once": {
        "method": "POST",
        "scheme": "http",
        "url_host": "127.0.0.1:8080",
        "path": "/restapis/a%2Fb/stages/%F0%9F%A6%86",
        "query": [("a", "1"), ("a.b", ""), ("a-c", "é"), ("a", "0")],
        "headers": {"Content-Type": " application/json ", "User-Agent": "x"},
        "body": b'{"x": 1}',
        "credentials": TOKEN_CREDS,
    },
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_matches_botocore(case: dict[str, Any]) -> None:
    request = {k: (dict(v) if isinstance(v, dict) else v) for k, v in case.items()}
    # Each side gets its own copy: the signer mutates the mapping it is given.
    request["boto_headers"] = dict(case.get("headers", {}))
    assert_same_as_botocore(**request)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_methods_match_botocore(method: str) -> None:
    assert_same_as_botocore(method=method, body=b"{}" if method in {"POST", "PUT"} else b"")


@pytest.mark.parametrize(
    "now",
    [
        datetime.datetime(2024, 1, 1, 0, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
        # An aware non-UTC time signs as its UTC instant (here the previous UTC day).
        datetime.datetime(2024, 3, 1, 1, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=5))),
    ],
)
def test_times_match_botocore(now: datetime.datetime) -> None:
    headers = assert_same_as_botocore(now=now)
    assert headers["X-Amz-Date"] == now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_naive_now_is_utc() -> None:
    naive = sign_ours(now=NOW.replace(tzinfo=None))
    assert naive == sign_ours(now=NOW)


def test_default_now_is_current_utc_time() -> None:
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    headers: dict[str, str] = {}
    SigV4Signer(SERVICE, REGION).sign(
        method="GET",
        url_host=HOST,
        scheme="https",
        path="/",
        query=(),
        headers=headers,
        body=b"",
        credentials=CREDS,
    )
    after = datetime.datetime.now(datetime.UTC)
    stamped = datetime.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    assert before <= stamped.replace(tzinfo=datetime.UTC) <= after


# --- specific facts ------------------------------------------------------------------------


def test_canonical_uri_is_normalized_then_encoded_again() -> None:
    # botocore (non-S3) percent-encodes the already-encoded wire path a second time.
    request = sign_botocore(path="/restapis/a%2Fb/my%20api")
    canonical = SigV4Auth(BotoCredentials("a", "b"), SERVICE, REGION).canonical_request(request)
    assert canonical.split("\n")[1] == "/restapis/a%252Fb/my%2520api"
    assert _canonical_uri("/restapis/a%2Fb/my%20api") == "/restapis/a%252Fb/my%2520api"
    assert _canonical_uri("/a/./b/../c//d/") == "/a/c/d/"
    assert _canonical_uri("/..") == "/"
    assert _canonical_uri("") == "/"
    assert _canonical_uri("/é ~x") == "/%C3%A9%20~x"


@pytest.mark.parametrize(
    ("scheme", "url_host", "expected"),
    [
        ("https", HOST, HOST),
        ("https", f"{HOST}:443", HOST),
        ("https", "localhost:8443", "localhost:8443"),
        ("https", "localhost:80", "localhost:80"),
        ("http", "127.0.0.1:80", "127.0.0.1"),
        ("http", "127.0.0.1:8080", "127.0.0.1:8080"),
        ("http", "127.0.0.1:443", "127.0.0.1:443"),
        ("https", "Example.COM", "example.com"),
        ("http", "[::1]:5000", "[::1]:5000"),
        ("http", "[::1]:80", "[::1]"),
    ],
)
def test_host_header(scheme: str, url_host: str, expected: str) -> None:
    headers = assert_same_as_botocore(scheme=scheme, url_host=url_host)
    assert headers["Host"] == expected
    assert "SignedHeaders=host;x-amz-date," in headers["Authorization"]


def test_existing_host_header_is_kept_and_signed_as_given() -> None:
    headers = sign_ours(headers={"host": "other.example:1234"})
    assert headers["host"] == "other.example:1234"
    assert "Host" not in headers


def test_signed_headers_skip_the_blacklist() -> None:
    headers = sign_ours(
        headers={"User-Agent": "ua", "Expect": "100-continue", "X-Amzn-Trace-Id": "t", "X-A": "1"}
    )
    assert "SignedHeaders=host;x-a;x-amz-date," in headers["Authorization"]
    assert headers["User-Agent"] == "ua"


def test_session_token_is_added_and_signed() -> None:
    headers = assert_same_as_botocore(credentials=TOKEN_CREDS)
    assert headers["X-Amz-Security-Token"] == TOKEN_CREDS.session_token
    assert "SignedHeaders=host;x-amz-date;x-amz-security-token," in headers["Authorization"]


def test_no_token_header_without_a_token() -> None:
    assert "X-Amz-Security-Token" not in sign_ours()


def test_date_header_is_rewritten_like_botocore() -> None:
    headers = assert_same_as_botocore(
        headers={"Date": "x"}, boto_headers={"Date": "x"}, now=NOW, credentials=TOKEN_CREDS
    )
    assert headers["Date"] == "Thu, 29 Feb 2024 23:59:58 -0000"
    assert "X-Amz-Date" not in headers


def test_resigning_replaces_previous_signature() -> None:
    signer = SigV4Signer(SERVICE, REGION)
    headers = sign_ours(credentials=TOKEN_CREDS, signer=signer)
    later = NOW + datetime.timedelta(seconds=5)
    resigned = sign_ours(headers=headers, credentials=TOKEN_CREDS, signer=signer, now=later)
    fresh = sign_ours(credentials=TOKEN_CREDS, now=later)
    assert dict(resigned) == dict(fresh)


def test_one_signer_reuses_its_header_templates_correctly() -> None:
    # A signer builds the canonical form of a header set once and fills in the date (and
    # token) on later requests with the same set: every such request, whatever its time,
    # host and credentials, must still sign as botocore does; so must a re-signed one.
    signer = SigV4Signer(SERVICE, REGION)
    header_sets = [
        {},
        {"Accept": "application/json", "User-Agent": "ua/1"},
        # x-amz-meta sorts between x-amz-date and x-amz-security-token.
        {"X-Amz-Meta": " a  b ", "Content-Type": "application/json", "Host": "h.example"},
    ]
    for day in range(2):
        for index, header_set in enumerate(header_sets):
            for credentials in (CREDS, TOKEN_CREDS):
                for url_host in (HOST, "localhost:8080"):
                    now = NOW + datetime.timedelta(days=day, seconds=index)
                    request: dict[str, Any] = {
                        "credentials": credentials,
                        "url_host": url_host,
                        "now": now,
                    }
                    ours = sign_ours(headers=dict(header_set), signer=signer, **request)
                    theirs = sign_botocore(headers=dict(header_set), **request).headers
                    for name in COMPARED:
                        assert ours.get(name) == theirs.get(name), (name, request)
                    assert ours["Host"] == header_set.get("Host", url_host)
                    later = now + datetime.timedelta(seconds=7)
                    request["now"] = later
                    resigned = sign_ours(headers=ours, signer=signer, **request)
                    theirs = sign_botocore(headers=dict(header_set), **request).headers
                    for name in COMPARED:
                        assert resigned.get(name) == theirs.get(name), (name, request)
    # Leftovers of another signature, spelt in lower case, are dropped every time.
    for _ in range(2):
        stale = {"authorization": "old", "x-amz-date": "20000101T000000Z", "Accept": "a"}
        ours = sign_ours(headers=stale, signer=signer)
        assert sorted(ours) == ["Accept", "Authorization", "Host", "X-Amz-Date"]
        assert (
            ours["Authorization"] == sign_botocore(headers={"Accept": "a"}).headers["Authorization"]
        )


def test_multidict_headers() -> None:
    headers: CIMultiDict[str] = CIMultiDict(
        [("X-Multi", "one"), ("x-multi", " two "), ("Authorization", "old"), ("AUTHORIZATION", "x")]
    )
    boto = CIMultiDict([("X-Multi", "one"), ("x-multi", " two ")])
    ours = sign_ours(headers=headers)
    theirs = sign_botocore(headers=boto).headers
    assert ours.getall("Authorization") == [theirs["Authorization"]]  # type: ignore[attr-defined]
    assert "x-multi" in ours["Authorization"]


def test_payload_sha256() -> None:
    assert payload_sha256(b"") == EMPTY_PAYLOAD_SHA256
    assert EMPTY_PAYLOAD_SHA256 == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert payload_sha256(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_aws_documentation_example() -> None:
    # The GET example from the AWS SigV4 documentation ("iam" ListUsers), signature known.
    signer = SigV4Signer("iam", "us-east-1")
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    signer.sign(
        method="GET",
        url_host="iam.amazonaws.com",
        scheme="https",
        path="/",
        query=[("Action", "ListUsers"), ("Version", "2010-05-08")],
        headers=headers,
        body=b"",
        credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        now=datetime.datetime(2015, 8, 30, 12, 36, tzinfo=datetime.UTC),
    )
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    )


# --- key cache -----------------------------------------------------------------------------


def test_signing_key_is_cached_per_day() -> None:
    from aioapigateway.runtime import signing as _signing

    signer = SigV4Signer(SERVICE, REGION)
    with mock.patch.object(
        _signing, "derive_signing_key", wraps=_signing.derive_signing_key
    ) as derive:
        first = sign_ours(signer=signer)
        second = sign_ours(signer=signer, now=NOW - datetime.timedelta(hours=1))
        assert derive.call_count == 1
        derive.assert_called_once_with(CREDS.secret_access_key, "20240229", REGION, SERVICE)
        assert first["Authorization"] != second["Authorization"]

        sign_ours(signer=signer, now=NOW + datetime.timedelta(seconds=2))  # 2024-03-01
        assert derive.call_count == 2
        assert derive.call_args.args == (CREDS.secret_access_key, "20240301", REGION, SERVICE)

        sign_ours(signer=signer, credentials=TOKEN_CREDS)
        assert derive.call_count == 3
        sign_ours(signer=signer, credentials=TOKEN_CREDS)
        assert derive.call_count == 3


def test_key_cache_is_bounded_and_still_correct() -> None:
    signer = SigV4Signer(SERVICE, REGION)
    for day in range(40):
        when = NOW + datetime.timedelta(days=day)
        headers = sign_ours(signer=signer, now=when)
        assert headers["Authorization"] == sign_botocore(now=when).headers["Authorization"]
    assert len(signer._keys) <= 8


def test_signers_for_other_regions_do_not_share_keys() -> None:
    west = SigV4Signer(SERVICE, "eu-west-1")
    east = SigV4Signer(SERVICE, REGION)
    a = sign_ours(signer=west)["Authorization"]
    b = sign_ours(signer=east)["Authorization"]
    assert "/eu-west-1/apigateway/aws4_request" in a
    assert a.rsplit("=", 1)[1] != b.rsplit("=", 1)[1]


@given(key=st.binary(max_size=150), message=st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_keyed_sha256_is_hmac_sha256(key: bytes, message: bytes) -> None:
    keyed = _KeyedSha256(key)
    expected = hmac.new(key, message, hashlib.sha256).hexdigest()
    assert keyed.hexdigest(message) == expected
    assert keyed.hexdigest(message) == expected  # the precomputed states are not consumed
    assert repr(keyed) == "_KeyedSha256(<key hidden>)"


def test_clock_path_matches_botocore_and_reuses_the_second() -> None:
    """Without ``now`` the signer reads time.time() and formats each second once."""
    signer = SigV4Signer(SERVICE, REGION)
    epoch = NOW.timestamp()
    with mock.patch("aioapigateway.runtime.signing.time.time", return_value=epoch + 0.25):
        first: MutableMapping[str, str] = {}
        signer.sign(
            method="GET",
            url_host=HOST,
            scheme="https",
            path="/restapis",
            query=(),
            headers=first,
            body=b"",
            credentials=CREDS,
        )
    assert first["Authorization"] == sign_botocore(now=NOW).headers["Authorization"]
    assert first["X-Amz-Date"] == "20240229T235958Z"
    with (
        mock.patch("aioapigateway.runtime.signing.time.time", return_value=epoch + 0.75),
        mock.patch(
            "aioapigateway.runtime.signing._amz_date", side_effect=AssertionError("formatted twice")
        ),
    ):
        again: MutableMapping[str, str] = {}
        signer.sign(
            method="GET",
            url_host=HOST,
            scheme="https",
            path="/restapis",
            query=(),
            headers=again,
            body=b"",
            credentials=CREDS,
        )
    assert again == first
    later = NOW + datetime.timedelta(seconds=3)  # the next day: a new date and key
    with mock.patch("aioapigateway.runtime.signing.time.time", return_value=later.timestamp()):
        dated: MutableMapping[str, str] = {"Date": "stale"}
        signer.sign(
            method="GET",
            url_host=HOST,
            scheme="https",
            path="/restapis",
            query=(),
            headers=dated,
            body=b"",
            credentials=CREDS,
        )
    expected = sign_botocore(now=later, headers={"Date": "stale"}).headers
    assert dated["Date"] == expected["Date"] == "Fri, 01 Mar 2024 00:00:01 -0000"
    assert dated["Authorization"] == expected["Authorization"]


# That signing never imports `requests` or aws_requests_auth (their import was most of a
# cold start) is checked, for `import aioapigateway` and first signed calls of the client
# and of SigV4Auth, in test_sigv4_auth.py::test_import_and_first_signed_calls_never_import_requests.


# --- aws-requests-auth as an oracle ----------------------------------------------------------
# aws-requests-auth is a test dependency only. Its key derivation follows the AWS
# documentation exactly; its signer is right only where its canonical request is, which
# these inputs keep to:
# - it sorts the query as "key=value" strings, where AWS sorts by key, then value: the two
#   orders differ when a key is a proper prefix of another and the next character sorts
#   before "=" ("a" and "a-b": AWS puts "a=" first, it puts "a-b=" first), so no key is a
#   prefix of another;
# - it signs the query as encoded on the wire (by `requests`, which writes a space as "+"
#   and leaves some reserved characters alone), so keys and values are unreserved
#   characters only, which every encoding leaves as they are; it drops empty keys;
# - it quotes the wire path without normalising it as AWS does ("a//b" signs as "a/b"), so
#   no empty segment (and no "." or "..", which `requests` resolves before it sees them);
# - it signs only host, x-amz-date and x-amz-security-token, so the request has no other
#   header.

_secret = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60)
_date_stamp = st.dates(
    min_value=datetime.date(1970, 1, 1), max_value=datetime.date(2199, 12, 31)
).map(lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}")
_region = st.one_of(
    st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"]),
    st.from_regex(r"[a-z]{2}(-[a-z]{2,9}){1,2}-[0-9]{1,2}", fullmatch=True),
)
_service = st.one_of(
    st.sampled_from(["execute-api", "apigateway", "lambda", "es", "s3", "sts", "iam"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True),
)


@settings(max_examples=200, deadline=None, database=None)
@given(secret=_secret, date_stamp=_date_stamp, region=_region, service=_service)
def test_key_derivation_matches_aws_requests_auth(
    secret: str, date_stamp: str, region: str, service: str
) -> None:
    from aws_requests_auth.aws_auth import getSignatureKey

    expected = getSignatureKey(secret, date_stamp, region, service)
    assert derive_signing_key(secret, date_stamp, region, service) == expected


def test_key_derivation_documentation_example() -> None:
    # The derived-key example of the AWS SigV4 documentation (IAM, 2012-02-15).
    key = derive_signing_key(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"
    )
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


def test_long_secret_is_hashed_first() -> None:
    # Longer than an HMAC block: RFC 2104 hashes the key before padding it.
    from aws_requests_auth.aws_auth import getSignatureKey

    secret = "k" * 200
    expected = getSignatureKey(secret, "20240229", REGION, SERVICE)
    assert derive_signing_key(secret, "20240229", REGION, SERVICE) == expected


_unreserved = st.text(
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"),
    max_size=8,
)
_plain_segment = st.one_of(
    _unreserved,
    # What a caller's client puts on the wire for any text: percent-encoded UTF-8.
    st.text(st.characters(exclude_categories=["Cs"]), max_size=8).map(
        lambda s: quote(s, safe="-_.~")
    ),
).filter(lambda s: s not in ("", ".", ".."))


def _no_key_prefixes(query: list[tuple[str, str]]) -> bool:
    keys = {key for key, _ in query}
    return all(not b.startswith(a) for a in keys for b in keys if a != b)


@settings(max_examples=200, deadline=None, database=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    segments=st.lists(_plain_segment, max_size=5),
    trailing_slash=st.booleans(),
    query=st.lists(st.tuples(_unreserved.filter(bool), _unreserved), max_size=5).filter(
        _no_key_prefixes
    ),
    body=st.binary(max_size=64),
    token=st.booleans(),
    host=st.sampled_from([HOST, "abc123.execute-api.eu-west-1.amazonaws.com", "localhost:8443"]),
    now=st.datetimes(
        min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1)
    ),
)
def test_signer_matches_aws_requests_auth(
    method: str,
    segments: list[str],
    trailing_slash: bool,
    query: list[tuple[str, str]],
    body: bytes,
    token: bool,
    host: str,
    now: datetime.datetime,
) -> None:
    import requests
    from aws_requests_auth import aws_auth

    credentials = TOKEN_CREDS if token else CREDS
    path = "/" + "/".join(segments) + ("/" if trailing_slash and segments else "")
    prepared = requests.Request(
        method, f"https://{host}{path}", params=query, data=body or None
    ).prepare()
    auth = aws_auth.AWSRequestsAuth(
        aws_access_key=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_host=host,
        aws_region=REGION,
        aws_service=SERVICE,
        aws_token=credentials.session_token,
    )
    now = now.replace(microsecond=0)
    frozen = mock.Mock(wraps=datetime)
    frozen.datetime.utcnow.return_value = now  # aws-requests-auth reads the clock this way
    with mock.patch.object(aws_auth, "datetime", frozen):
        theirs = auth.get_aws_request_headers_handler(prepared)
    ours = sign_ours(
        method=method,
        url_host=host,
        path=path,
        query=query,
        body=body,
        credentials=credentials,
        now=now,
    )
    assert ours["Authorization"] == theirs["Authorization"]
    assert ours["X-Amz-Date"] == theirs["x-amz-date"]
    assert ours.get("X-Amz-Security-Token") == theirs.get("X-Amz-Security-Token")


# --- secrets -------------------------------------------------------------------------------


def test_secret_not_in_repr_or_headers() -> None:
    signer = SigV4Signer(SERVICE, REGION)
    headers = sign_ours(signer=signer, credentials=TOKEN_CREDS)
    assert repr(signer) == "SigV4Signer(service='apigateway', region='us-east-1')"
    for text in (repr(signer), str(signer), repr(TOKEN_CREDS), *headers.values()):
        assert TOKEN_CREDS.secret_access_key not in text
    assert not hasattr(signer, "__dict__")


def test_secret_not_in_derivation_error() -> None:
    secret = "s3cr3t-\ud800-value"  # a lone surrogate cannot be UTF-8 encoded
    with pytest.raises(CredentialsError) as info:
        sign_ours(credentials=Credentials("AKID", secret))
    err = info.value
    assert err.__cause__ is None
    assert err.__context__ is None
    rendered = "".join(traceback.format_exception(err))
    for text in (str(err), repr(err), rendered):
        assert "s3cr3t" not in text


def test_secret_not_in_error_for_non_string_secret() -> None:
    secret: Any = b"s3cr3t-bytes"
    with pytest.raises(CredentialsError) as info:
        sign_ours(credentials=Credentials("AKID", secret))
    assert info.value.__context__ is None
    assert "s3cr3t" not in "".join(traceback.format_exception(info.value))


# --- property-based ------------------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_raw_path_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="?#\t\r\n"), max_size=8
)
_segment = st.one_of(
    _text.map(lambda s: quote(s, safe="-_.~")),  # what the serializer sends
    st.sampled_from(["", ".", "..", "%2F", "%2E", "a%20b"]),
    _raw_path_text,
)
_header_value = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), include_characters=" \t"), max_size=16
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    segments=st.lists(_segment, max_size=6),
    trailing_slash=st.booleans(),
    query=st.lists(st.tuples(_text, _text), max_size=6),
    header_values=st.lists(_header_value, max_size=3),
    body=st.binary(max_size=64),
    token=st.booleans(),
    port=st.sampled_from(["", ":443", ":80", ":8080"]),
    scheme=st.sampled_from(["https", "http"]),
)
def test_property_matches_botocore(
    method: str,
    segments: list[str],
    trailing_slash: bool,
    query: list[tuple[str, str]],
    header_values: list[str],
    body: bytes,
    token: bool,
    port: str,
    scheme: str,
) -> None:
    path = "/" + "/".join(segments) + ("/" if trailing_slash and segments else "")
    headers = {f"X-Test-{i}": v for i, v in enumerate(header_values)}
    assert_same_as_botocore(
        method=method,
        scheme=scheme,
        url_host=f"{HOST}{port}",
        path=path,
        query=query,
        headers=dict(headers),
        boto_headers=headers,
        body=body,
        credentials=TOKEN_CREDS if token else CREDS,
    )
