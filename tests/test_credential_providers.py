"""Tests for the HTTP-based credential providers and their place in the default chain.

Assume role and web identity (STS), SSO (portal + SSO-OIDC), container credentials and
EC2 instance metadata, each against the loopback :class:`FakeAws` server or temp files.
Every test passes an explicit ``environ`` and a ``HOME`` under ``tmp_path``; a guard
fails any connection to a non-loopback address.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import logging
import os
import re
import shlex
import stat
import sys
import textwrap
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import aiohttp
import pytest
from _credential_servers import (
    IMDS_TOKEN,
    SECRET_MARKERS,
    SSO_ACCESS_TOKEN,
    FakeAws,
    Hang,
    fake_aws,
    iso,
    json_reply,
    loopback_only,
    raw_reply,
    sts_error_reply,
    sts_success,
)

from aioapigateway.runtime.config.profiles import ProfileLoader
from aioapigateway.runtime.credentials.base import Credentials
from aioapigateway.runtime.credentials.chain import DefaultCredentialChain, as_provider
from aioapigateway.runtime.credentials.container import ContainerCredentialsProvider
from aioapigateway.runtime.credentials.http import (
    DEFAULT_TIMEOUT,
    check_retry_options,
    display_url,
    dns_suffix,
    jittered_backoff,
    proxy_for,
    request_timeout,
)
from aioapigateway.runtime.credentials.imds import InstanceMetadataProvider
from aioapigateway.runtime.credentials.sso import SSOProvider, sso_cache_key
from aioapigateway.runtime.credentials.sts import (
    AssumeRoleProvider,
    WebIdentityProvider,
    build_sts_request,
    parse_sts_credentials,
    sts_endpoint,
)
from aioapigateway.runtime.errors import ConfigError, CredentialsError

UTC = datetime.UTC
BASE_SECRET = "base-SECRETVALUE-key"
WEB_TOKEN = "eyJhbGciOi.web-identity-TOKENVALUE.sig"
ROLE = "arn:aws:iam::123456789012:role/demo"
NO_RETRY: dict[str, Any] = {"max_attempts": 1}
FAST_RETRY: dict[str, Any] = {"retry_base": 0.0}


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with loopback_only() as attempts:
        yield
    assert not attempts, attempts


@pytest.fixture
async def aws() -> AsyncIterator[FakeAws]:
    async with fake_aws() as server:
        yield server


def make_env(
    tmp_path: Path, config: str | None = None, credentials: str | None = None, **extra: str
) -> dict[str, str]:
    config_path = tmp_path / "config"
    credentials_path = tmp_path / "credentials"
    if config is not None:
        config_path.write_text(textwrap.dedent(config), encoding="utf-8")
    if credentials is not None:
        credentials_path.write_text(textwrap.dedent(credentials), encoding="utf-8")
    env = {
        "HOME": str(tmp_path / "home"),
        "AWS_CONFIG_FILE": str(config_path),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials_path),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.update(extra)
    return env


BASE_CREDENTIALS = f"""\
[base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = {BASE_SECRET}
"""


def full_text(exc: BaseException) -> str:
    return str(exc) + "".join(traceback.format_exception(exc))


def assert_no_secrets(text: str) -> None:
    for marker in (*SECRET_MARKERS, BASE_SECRET):
        assert marker not in text, text


class FakeClock:
    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now


def credential_key(request: Any) -> str:
    """The access key id in a signed request's Authorization header."""
    match = re.search(r"Credential=([^/]+)/", request.headers["Authorization"])
    assert match
    return match.group(1)


# --- STS: endpoints, the request, the response ------------------------------------------


@pytest.mark.parametrize(
    ("region", "url", "signing_region"),
    [
        ("us-east-1", "https://sts.us-east-1.amazonaws.com", "us-east-1"),
        ("eu-west-3", "https://sts.eu-west-3.amazonaws.com", "eu-west-3"),
        ("cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        ("us-iso-east-1", "https://sts.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"),
        ("us-isob-east-1", "https://sts.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"),
        ("eusc-de-east-1", "https://sts.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1"),
        ("xx-future-1", "https://sts.xx-future-1.amazonaws.com", "xx-future-1"),
        (None, "https://sts.amazonaws.com", "us-east-1"),
        ("aws-global", "https://sts.amazonaws.com", "us-east-1"),
    ],
)
def test_sts_endpoint(region: str | None, url: str, signing_region: str) -> None:
    endpoint = sts_endpoint(region)
    assert (endpoint.url, endpoint.signing_region) == (url, signing_region)


def test_sts_endpoint_override_and_bad_regions() -> None:
    endpoint = sts_endpoint("eu-west-1", "http://127.0.0.1:9/")
    assert (endpoint.url, endpoint.signing_region) == ("http://127.0.0.1:9/", "eu-west-1")
    assert sts_endpoint(None, "http://127.0.0.1:9").signing_region == "us-east-1"
    for bad in ("evil.com/x", "us-east-1@x", "", "-a"):
        with pytest.raises(CredentialsError, match="not a valid region"):
            sts_endpoint(bad)
    # A bad endpoint is a bad setting, whoever reads it (the client's rule).
    with pytest.raises(ConfigError, match="the STS endpoint URL must be an http:// or https://"):
        sts_endpoint("us-east-1", "ftp://x")


def test_dns_suffix_matches_botocore_partitions() -> None:
    from botocore.loaders import create_loader

    partitions = create_loader().load_data("partitions")["partitions"]
    checked = 0
    for partition in partitions:
        for region in partition["regions"]:
            if not region.endswith("-global"):
                assert dns_suffix(region) == partition["outputs"]["dnsSuffix"], region
                checked += 1
    assert checked > 30
    assert dns_suffix("eu-isoe-west-9") == "cloud.adc-e.uk"  # by the partition's pattern


@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzE//token+/="], ids=["keys", "token"])
@pytest.mark.parametrize(
    "params",
    [
        [("RoleArn", ROLE), ("RoleSessionName", "aioapigateway-session-1700000000")],
        [
            ("RoleSessionName", "s p@ce/ü+x=y,z.w-v"),
            ("ExternalId", "ext~id&more"),
            ("DurationSeconds", "900"),
            ("RoleArn", ROLE),
        ],
    ],
    ids=["default-name", "all-options"],
)
def test_assume_role_request_matches_botocore(
    params: list[tuple[str, str]], token: str | None
) -> None:
    """The body botocore's query serializer builds and the signature SigV4Auth computes."""
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials
    from botocore.serialize import create_serializer
    from botocore.utils import percent_encode_sequence

    now = datetime.datetime(2024, 2, 29, 23, 59, 58, tzinfo=UTC)
    source = Credentials("AKIDSOURCE", BASE_SECRET, token)
    endpoint = sts_endpoint("eu-west-1")
    url, headers, body = build_sts_request(endpoint, "AssumeRole", params, source, now=now)

    model = botocore.session.get_session().get_service_model("sts")
    kwargs: dict[str, Any] = {k: int(v) if k == "DurationSeconds" else v for k, v in params}
    serialized = create_serializer("query").serialize_to_request(
        kwargs, model.operation_model("AssumeRole")
    )
    assert body == percent_encode_sequence(serialized["body"]).encode()
    assert headers["Content-Type"] == serialized["headers"]["Content-Type"]

    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": headers["Content-Type"]}
    )
    with mock.patch("botocore.auth.get_current_datetime", return_value=now.replace(tzinfo=None)):
        SigV4Auth(BotoCredentials("AKIDSOURCE", BASE_SECRET, token), "sts", "eu-west-1").add_auth(
            request
        )
    for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
        assert headers.get(name) == request.headers.get(name), name
    assert url == "https://sts.eu-west-1.amazonaws.com/"


def test_web_identity_request_is_unsigned() -> None:
    url, headers, body = build_sts_request(
        sts_endpoint(None),
        "AssumeRoleWithWebIdentity",
        [("RoleArn", ROLE), ("RoleSessionName", "s"), ("WebIdentityToken", "a.b.c")],
        None,
    )
    assert url == "https://sts.amazonaws.com/"
    assert set(headers) == {"Content-Type"}
    assert body.startswith(b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=")


def test_parse_sts_credentials_like_botocore() -> None:
    import botocore.session
    from botocore.parsers import create_parser

    xml = sts_success("AssumeRole", "ASIAPARSE", 1_900_000_000).encode()
    ours = parse_sts_credentials(xml, "AssumeRole", "test")
    model = botocore.session.get_session().get_service_model("sts")
    theirs = create_parser("query").parse(
        {"body": xml, "headers": {}, "status_code": 200},
        model.operation_model("AssumeRole").output_shape,
    )["Credentials"]
    assert ours.access_key_id == theirs["AccessKeyId"]
    assert ours.secret_access_key == theirs["SecretAccessKey"]
    assert ours.session_token == theirs["SessionToken"]
    assert ours.expiration == theirs["Expiration"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not a valid AssumeRole XML"),
        (b"not xml at all SECRETVALUE", "not a valid AssumeRole XML"),
        (b"<Other/>", "not a valid AssumeRole XML"),
        (b"<AssumeRoleResponse/>", "no AssumeRoleResult/Credentials"),
        (
            b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
            b"<SecretAccessKey>x-SECRETVALUE</SecretAccessKey></Credentials></AssumeRoleResult>"
            b"</AssumeRoleResponse>",
            "no Credentials/SessionToken",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
            b"<AssumeRoleResponse>&lol;</AssumeRoleResponse>",
            "not a valid AssumeRole XML",
        ),
        (
            sts_success("AssumeRole", "A", 0).replace("1970-01-01T00:00:00Z", "soon").encode(),
            "not an ISO 8601 timestamp",
        ),
    ],
    ids=["empty", "text", "wrong-root", "no-result", "missing-field", "dtd", "bad-expiration"],
)
def test_malformed_sts_responses(body: bytes, message: str) -> None:
    with pytest.raises(CredentialsError, match=message) as info:
        parse_sts_credentials(body, "AssumeRole", "AssumeRole test")
    assert_no_secrets(full_text(info.value))


# --- assume role ----------------------------------------------------------------------------


def role_env(tmp_path: Path, aws: FakeAws, profile_lines: str, **extra: str) -> dict[str, str]:
    config = f"[default]\n{textwrap.dedent(profile_lines)}"
    return make_env(tmp_path, config, BASE_CREDENTIALS, AWS_ENDPOINT_URL_STS=aws.url, **extra)


async def test_assume_role_with_a_static_source_profile(tmp_path: Path, aws: FakeAws) -> None:
    env = role_env(
        tmp_path,
        aws,
        f"""\
        role_arn = {ROLE}
        source_profile = base
        role_session_name = my-session
        external_id = ext-123
        duration_seconds = 900
        region = eu-central-1
        """,
    )
    provider = AssumeRoleProvider("default", ProfileLoader(env), env)
    credentials = await provider.resolve()
    assert credentials.access_key_id == "ASIASTS1"
    assert credentials.session_token == "sts-session-TOKENVALUE-ASIASTS1"
    assert credentials.expiration is not None
    assert credentials.expiration.timestamp() > time.time() + 3000
    (request,) = aws.sts
    assert request.form == {
        "Action": "AssumeRole",
        "Version": "2011-06-15",
        "RoleSessionName": "my-session",
        "ExternalId": "ext-123",
        "DurationSeconds": "900",
        "RoleArn": ROLE,
    }
    assert list(request.form)[2:] == ["RoleSessionName", "ExternalId", "DurationSeconds", "RoleArn"]
    assert credential_key(request) == "AKIDBASE"
    # Signed for the profile's region, against the configured endpoint.
    assert "/eu-central-1/sts/aws4_request" in request.headers["Authorization"]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert await provider.resolve() is credentials  # cached until the refresh window


async def test_assume_role_default_session_name(tmp_path: Path, aws: FakeAws) -> None:
    env = role_env(tmp_path, aws, f"role_arn = {ROLE}\nsource_profile = base\n")
    provider = AssumeRoleProvider("default", ProfileLoader(env), env)
    before = int(time.time())
    await provider.resolve()
    name = aws.sts[0].form["RoleSessionName"]
    assert re.fullmatch(r"aioapigateway-session-\d+", name)
    assert before <= int(name.rpartition("-")[2]) <= time.time()
    # botocore's order: RoleArn, then the generated name.
    assert list(aws.sts[0].form)[2:] == ["RoleArn", "RoleSessionName"]


async def test_assume_role_refreshes_with_the_same_session_name(
    tmp_path: Path, aws: FakeAws
) -> None:
    env = role_env(tmp_path, aws, f"role_arn = {ROLE}\nsource_profile = base\n")
    provider = AssumeRoleProvider("default", ProfileLoader(env), env)
    clock = FakeClock()
    provider._clock = clock
    first = await provider.resolve()
    assert first.expiration is not None
    clock.now = first.expiration.timestamp() - 300  # inside the mandatory window
    second = await provider.resolve()
    assert (first.access_key_id, second.access_key_id) == ("ASIASTS1", "ASIASTS2")
    assert aws.sts[0].form["RoleSessionName"] == aws.sts[1].form["RoleSessionName"]


async def test_chained_roles_sign_with_the_previous_role(tmp_path: Path, aws: FakeAws) -> None:
    env = make_env(
        tmp_path,
        """\
        [default]
        role_arn = arn:aws:iam::123456789012:role/second
        source_profile = first
        [profile first]
        role_arn = arn:aws:iam::123456789012:role/first
        source_profile = base
        """,
        BASE_CREDENTIALS,
        AWS_ENDPOINT_URL_STS=aws.url,
    )
    credentials = await AssumeRoleProvider("default", ProfileLoader(env), env).resolve()
    assert credentials.access_key_id == "ASIASTS2"
    first, second = aws.sts
    assert first.form["RoleArn"].endswith("role/first")
    assert credential_key(first) == "AKIDBASE"
    assert second.form["RoleArn"].endswith("role/second")
    assert credential_key(second) == "ASIASTS1"
    assert second.headers["X-Amz-Security-Token"] == "sts-session-TOKENVALUE-ASIASTS1"


async def test_source_profile_credentials_from_a_process(tmp_path: Path, aws: FakeAws) -> None:
    script = tmp_path / "proc.py"
    script.write_text(
        "import json; print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIDPROC', "
        "'SecretAccessKey': 'proc-SECRETVALUE'}))"
    )
    command = shlex.join([sys.executable, str(script)])
    env = make_env(
        tmp_path,
        f"[default]\nrole_arn = {ROLE}\nsource_profile = tool\n"
        f"[profile tool]\ncredential_process = {command}\n",
        AWS_ENDPOINT_URL_STS=aws.url,
    )
    await AssumeRoleProvider("default", ProfileLoader(env), env).resolve()
    assert credential_key(aws.sts[0]) == "AKIDPROC"


async def test_a_profile_may_source_its_own_static_keys(tmp_path: Path, aws: FakeAws) -> None:
    env = make_env(
        tmp_path,
        f"[profile self]\nrole_arn = {ROLE}\nsource_profile = self\n",
        f"[self]\naws_access_key_id = AKIDSELF\naws_secret_access_key = {BASE_SECRET}\n",
        AWS_ENDPOINT_URL_STS=aws.url,
    )
    await AssumeRoleProvider("self", ProfileLoader(env), env).resolve()
    assert credential_key(aws.sts[0]) == "AKIDSELF"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            f"[default]\nrole_arn = {ROLE}\nsource_profile = a\n"
            f"[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n"
            f"[profile b]\nrole_arn = {ROLE}\nsource_profile = a\n",
            "Infinite loop in source_profile references: default -> a -> b -> a",
        ),
        (
            f"[default]\nrole_arn = {ROLE}\nsource_profile = default\n",
            "Infinite loop in source_profile references: default -> default",
        ),
        (
            f"[default]\nrole_arn = {ROLE}\nsource_profile = ghost\n",
            "The source_profile 'ghost' of profile 'default' does not exist",
        ),
        (
            f"[default]\nrole_arn = {ROLE}\nsource_profile = base\ncredential_source = Environment\n",
            "sets both source_profile and credential_source",
        ),
        (f"[default]\nrole_arn = {ROLE}\n", "neither source_profile nor credential_source"),
        (
            f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n"
            "mfa_serial = arn:aws:iam::123456789012:mfa/me\n",
            "mfa_serial \\(arn:aws:iam::123456789012:mfa/me\\).*does not support",
        ),
        (
            f"[default]\nrole_arn = {ROLE}\nsource_profile = base\nduration_seconds = 1h\n",
            "duration_seconds in profile 'default' must be a whole number",
        ),
        (
            f"[default]\nrole_arn = {ROLE}\ncredential_source = SharedConfig\n",
            "credential_source 'SharedConfig' of profile 'default' is not valid; use one of "
            "Environment, Ec2InstanceMetadata, EcsContainer",
        ),
        (
            f"[default]\nrole_arn = {ROLE}\nsource_profile = empty\n[profile empty]\nregion = x\n",
            "The source profile 'empty' \\(the source_profile of profile 'default'\\) has no "
            "credentials: tried web identity",
        ),
    ],
    ids=[
        "cycle",
        "self-without-keys",
        "missing-source",
        "both",
        "neither",
        "mfa",
        "duration",
        "bad-credential-source",
        "source-without-credentials",
    ],
)
async def test_assume_role_configuration_errors(
    tmp_path: Path, aws: FakeAws, config: str, message: str
) -> None:
    env = make_env(tmp_path, config, BASE_CREDENTIALS, AWS_ENDPOINT_URL_STS=aws.url)
    with pytest.raises(CredentialsError, match=message) as info:
        await AssumeRoleProvider("default", ProfileLoader(env), env).resolve()
    assert not aws.requests
    assert_no_secrets(full_text(info.value))


async def test_assume_role_is_not_configured_without_role_arn(tmp_path: Path) -> None:
    env = make_env(tmp_path, "[default]\nregion = us-east-1\n")
    provider = AssumeRoleProvider("default", ProfileLoader(env), env)
    assert await provider.load() is None
    assert provider.describe() == "assume role (no role_arn in profile 'default')"
    # A role profile with a web identity token file belongs to web identity.
    env = make_env(tmp_path, f"[default]\nrole_arn = {ROLE}\nweb_identity_token_file = /t\n")
    assert await AssumeRoleProvider("default", ProfileLoader(env), env).load() is None


@pytest.mark.parametrize(
    "source", ["Environment", "environment", "EcsContainer", "Ec2InstanceMetadata"]
)
async def test_credential_source(tmp_path: Path, aws: FakeAws, source: str) -> None:
    env = role_env(
        tmp_path,
        aws,
        f"role_arn = {ROLE}\ncredential_source = {source}\n",
        AWS_ACCESS_KEY_ID="AKIDENV",
        AWS_SECRET_ACCESS_KEY=BASE_SECRET,
        AWS_CONTAINER_CREDENTIALS_FULL_URI=f"{aws.url}/container/creds",
        AWS_EC2_METADATA_DISABLED="false",
        AWS_EC2_METADATA_SERVICE_ENDPOINT=aws.url,
    )
    await AssumeRoleProvider("default", ProfileLoader(env), env).resolve()
    expected = {
        "environment": "AKIDENV",
        "ecscontainer": "ASIACONT1",
        "ec2instancemetadata": "ASIAIMDS1",
    }[source.lower()]
    assert credential_key(aws.sts[0]) == expected


async def test_credential_source_without_credentials(tmp_path: Path, aws: FakeAws) -> None:
    env = role_env(tmp_path, aws, f"role_arn = {ROLE}\ncredential_source = Environment\n")
    with pytest.raises(CredentialsError, match="credential_source Environment of profile"):
        await AssumeRoleProvider("default", ProfileLoader(env), env).resolve()


async def test_sts_error_response(tmp_path: Path, aws: FakeAws) -> None:
    env = role_env(tmp_path, aws, f"role_arn = {ROLE}\nsource_profile = base\n")
    aws.queue(
        "POST",
        "/",
        sts_error_reply(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/base is not authorized to perform: "
            f"sts:AssumeRole on resource: {ROLE}",
        ),
    )
    with pytest.raises(CredentialsError) as info:
        await AssumeRoleProvider("default", ProfileLoader(env), env, **NO_RETRY).resolve()
    message = str(info.value)
    assert message.startswith(
        f"AssumeRole {ROLE} (profile 'default') failed: HTTP 403 AccessDenied:"
    )
    assert "is not authorized to perform: sts:AssumeRole" in message
    assert len(aws.sts) == 1  # client errors are not retried


async def test_sts_error_messages_never_echo_the_token(tmp_path: Path, aws: FakeAws) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(WEB_TOKEN)
    env = make_env(
        tmp_path,
        AWS_ENDPOINT_URL_STS=aws.url,
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file),
        AWS_ROLE_ARN=ROLE,
    )
    aws.queue("POST", "/", sts_error_reply(400, "InvalidIdentityToken", f"Bad token {WEB_TOKEN}!"))
    with pytest.raises(
        CredentialsError, match="InvalidIdentityToken: Bad token <redacted>!"
    ) as info:
        await WebIdentityProvider("default", ProfileLoader(env), env).resolve()
    assert_no_secrets(full_text(info.value))


async def test_sts_throttling_and_5xx_are_retried(tmp_path: Path, aws: FakeAws) -> None:
    env = role_env(tmp_path, aws, f"role_arn = {ROLE}\nsource_profile = base\n")
    aws.queue(
        "POST",
        "/",
        sts_error_reply(400, "Throttling", "Rate exceeded"),
        raw_reply(503, "unavailable"),
    )
    provider = AssumeRoleProvider("default", ProfileLoader(env), env, **FAST_RETRY)
    assert (await provider.resolve()).access_key_id == "ASIASTS1"
    assert len(aws.sts) == 3
    # Each attempt is signed afresh.
    assert all("Authorization" in r.headers for r in aws.sts)


async def test_sts_gives_up_after_three_attempts(tmp_path: Path, aws: FakeAws) -> None:
    env = role_env(tmp_path, aws, f"role_arn = {ROLE}\nsource_profile = base\n")
    aws.queue("POST", "/", *[sts_error_reply(500, "InternalFailure", "oops")] * 3)
    with pytest.raises(CredentialsError, match=r"failed after 3 attempt\(s\).*InternalFailure"):
        await AssumeRoleProvider("default", ProfileLoader(env), env, **FAST_RETRY).resolve()
    assert len(aws.sts) == 3


@pytest.mark.parametrize(
    "reply",
    [raw_reply(200, "{}"), raw_reply(200, "<AssumeRoleResponse/>"), raw_reply(404, "<html>")],
    ids=["json", "empty-xml", "html-404"],
)
async def test_malformed_sts_reply(tmp_path: Path, aws: FakeAws, reply: Any) -> None:
    env = role_env(tmp_path, aws, f"role_arn = {ROLE}\nsource_profile = base\n")
    aws.queue("POST", "/", reply)
    with pytest.raises(CredentialsError, match="AssumeRole"):
        await AssumeRoleProvider("default", ProfileLoader(env), env, **NO_RETRY).resolve()


async def test_sts_timeout_is_bounded(tmp_path: Path, aws: FakeAws) -> None:
    env = role_env(tmp_path, aws, f"role_arn = {ROLE}\nsource_profile = base\n")
    aws.queue("POST", "/", Hang(), Hang())
    provider = AssumeRoleProvider(
        "default", ProfileLoader(env), env, timeout=0.2, max_attempts=2, retry_base=0.0
    )
    started = time.monotonic()
    with pytest.raises(CredentialsError, match=r"after 2 attempt\(s\).*timed out"):
        await provider.resolve()
    assert time.monotonic() - started < 2


async def test_sts_connection_refused(tmp_path: Path) -> None:
    async with fake_aws() as dead:
        url = dead.url
    env = make_env(
        tmp_path,
        f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n",
        BASE_CREDENTIALS,
        AWS_ENDPOINT_URL_STS=url,
    )
    with pytest.raises(CredentialsError, match="cannot connect"):
        await AssumeRoleProvider("default", ProfileLoader(env), env, **FAST_RETRY).resolve()


@pytest.mark.parametrize(
    ("variables", "config_lines"),
    [
        ({"AWS_ENDPOINT_URL": "{url}"}, ""),
        ({}, "services = local\n[services local]\nsts =\n  endpoint_url = {url}\n"),
        ({}, "endpoint_url = {url}\n"),
        ({"AWS_ENDPOINT_URL_STS": "{url}", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, ""),
    ],
    ids=["generic-variable", "services-section", "profile-key", "service-variable-wins"],
)
async def test_configured_sts_endpoint(
    tmp_path: Path, aws: FakeAws, variables: dict[str, str], config_lines: str
) -> None:
    config = f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n" + config_lines.format(
        url=aws.url
    )
    env = make_env(
        tmp_path,
        config,
        BASE_CREDENTIALS,
        **{k: v.format(url=aws.url) for k, v in variables.items()},
    )
    await AssumeRoleProvider("default", ProfileLoader(env), env, **NO_RETRY).resolve()
    assert len(aws.sts) == 1


async def test_sts_endpoint_argument_and_region_argument(tmp_path: Path, aws: FakeAws) -> None:
    env = make_env(
        tmp_path, f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n", BASE_CREDENTIALS
    )
    provider = AssumeRoleProvider(
        "default", ProfileLoader(env), env, sts_endpoint_url=aws.url, region="ap-south-1"
    )
    await provider.resolve()
    assert "/ap-south-1/sts/aws4_request" in aws.sts[0].headers["Authorization"]


async def test_sts_goes_through_the_configured_proxy(tmp_path: Path, aws: FakeAws) -> None:
    # The fake answers the proxied request itself: it sees the absolute target URL.
    env = role_env(
        tmp_path,
        aws,
        f"role_arn = {ROLE}\nsource_profile = base\n",
        HTTP_PROXY=aws.url,
    )
    env["AWS_ENDPOINT_URL_STS"] = "http://sts.example.invalid"
    aws.queue(
        "POST",
        "http://sts.example.invalid/",
        lambda r: (200, {}, sts_success("AssumeRole", "ASIAPROXY", time.time() + 3600).encode()),
    )
    credentials = await AssumeRoleProvider("default", ProfileLoader(env), env, **NO_RETRY).resolve()
    assert credentials.access_key_id == "ASIAPROXY"
    assert aws.requests[0].raw_path == "http://sts.example.invalid/"


def test_proxy_for_honours_no_proxy() -> None:
    env = {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "localhost,.internal,10.0.0.1:8443"}
    assert proxy_for("https://sts.us-east-1.amazonaws.com", env) == "http://proxy:3128"
    assert proxy_for("https://a.internal/x", env) is None
    assert proxy_for("https://internal", env) is None
    assert proxy_for("https://10.0.0.1:8443", env) is None
    assert proxy_for("https://10.0.0.1", env) == "http://proxy:3128"
    assert proxy_for("http://sts.amazonaws.com", env) is None
    assert proxy_for("https://x", {**env, "https_proxy": "http://lower:1"}) == "http://lower:1"
    assert proxy_for("https://x", {**env, "no_proxy": "*"}) is None


# --- web identity ---------------------------------------------------------------------------


async def test_web_identity_from_the_environment(tmp_path: Path, aws: FakeAws) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(WEB_TOKEN + "\n")
    env = make_env(
        tmp_path,
        AWS_ENDPOINT_URL_STS=aws.url,
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file),
        AWS_ROLE_ARN=ROLE,
        AWS_ROLE_SESSION_NAME="pod-session",
    )
    provider = WebIdentityProvider("default", ProfileLoader(env), env)
    clock = FakeClock()
    provider._clock = clock
    first = await provider.resolve()
    assert first.access_key_id == "ASIAWEB1"
    request = aws.sts[0]
    assert "Authorization" not in request.headers and "X-Amz-Security-Token" not in request.headers
    assert request.form == {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleSessionName": "pod-session",
        "RoleArn": ROLE,
        "WebIdentityToken": WEB_TOKEN,
    }
    # The token file is read again at refresh time (Kubernetes rotates it).
    token_file.write_text("rotated.TOKENVALUE.jwt")
    assert first.expiration is not None
    clock.now = first.expiration.timestamp() - 60
    assert (await provider.resolve()).access_key_id == "ASIAWEB2"
    assert aws.sts[1].form["WebIdentityToken"] == "rotated.TOKENVALUE.jwt"


async def test_web_identity_from_the_profile(tmp_path: Path, aws: FakeAws) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(WEB_TOKEN)
    env = make_env(
        tmp_path,
        f"[profile ci]\nweb_identity_token_file = {token_file}\nrole_arn = {ROLE}\n",
        AWS_ENDPOINT_URL_STS=aws.url,
        AWS_ROLE_ARN="arn:aws:iam::123456789012:role/from-env",
    )
    provider = WebIdentityProvider("ci", ProfileLoader(env), env)
    await provider.resolve()
    # Settings mix per key: the environment wins for role_arn.
    assert aws.sts[0].form["RoleArn"].endswith("role/from-env")
    assert re.fullmatch(r"aioapigateway-session-\d+", aws.sts[0].form["RoleSessionName"])
    # Without the environment (an explicit profile), the profile's role_arn is used.
    ignoring = WebIdentityProvider("ci", ProfileLoader(env), env, use_environment=False)
    await ignoring.resolve()
    assert aws.sts[1].form["RoleArn"] == ROLE


async def test_web_identity_errors(tmp_path: Path, aws: FakeAws) -> None:
    env = make_env(tmp_path, AWS_ENDPOINT_URL_STS=aws.url)
    provider = WebIdentityProvider("default", ProfileLoader(env), env)
    assert await provider.load() is None
    assert "AWS_WEB_IDENTITY_TOKEN_FILE not set" in provider.describe()

    missing = {**env, "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "nope"), "AWS_ROLE_ARN": ROLE}
    with pytest.raises(CredentialsError, match=r"Cannot read the web identity token file .*nope"):
        await WebIdentityProvider("default", ProfileLoader(missing), missing).load()

    (tmp_path / "empty").write_text("\n")
    empty = {**missing, "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "empty")}
    with pytest.raises(CredentialsError, match="is empty"):
        await WebIdentityProvider("default", ProfileLoader(empty), empty).load()

    no_role = {**env, "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "empty")}
    with pytest.raises(CredentialsError, match="no role ARN is: set role_arn"):
        await WebIdentityProvider("default", ProfileLoader(no_role), no_role).load()
    assert not aws.requests


# --- SSO ----------------------------------------------------------------------------------------

SSO_CONFIG = """\
[default]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Developer
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
"""

LEGACY_SSO_CONFIG = """\
[default]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-2
sso_account_id = 123456789012
sso_role_name = ReadOnly
"""


def write_sso_token(env: dict[str, str], key_source: str, **fields: Any) -> Path:
    cache = Path(env["HOME"]) / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / (hashlib.sha1(key_source.encode()).hexdigest() + ".json")
    token = {"accessToken": SSO_ACCESS_TOKEN, "expiresAt": iso(time.time() + 3600), **fields}
    path.write_text(json.dumps({k: v for k, v in token.items() if v is not None}))
    return path


def sso_env(tmp_path: Path, aws: FakeAws, config: str = SSO_CONFIG) -> dict[str, str]:
    return make_env(
        tmp_path, config, AWS_ENDPOINT_URL_SSO=aws.url, AWS_ENDPOINT_URL_SSO_OIDC=aws.url
    )


def test_sso_cache_key_matches_botocore() -> None:
    from botocore.utils import SSOTokenLoader

    loader = SSOTokenLoader()
    assert sso_cache_key("https://x/start", None) == loader._generate_cache_key(
        "https://x/start", None
    )
    assert sso_cache_key("https://x/start", "corp") == loader._generate_cache_key(
        "https://x/start", "corp"
    )


async def test_sso_session(tmp_path: Path, aws: FakeAws) -> None:
    env = sso_env(tmp_path, aws)
    write_sso_token(env, "corp")
    provider = SSOProvider("default", ProfileLoader(env), env)
    credentials = await provider.resolve()
    assert credentials.access_key_id == "ASIASSO1"
    assert credentials.session_token == "sso-session-TOKENVALUE-1"
    assert credentials.expiration is not None
    assert abs(credentials.expiration.timestamp() - (time.time() + 3600)) < 60
    (request,) = aws.requests
    assert request.path == "/federation/credentials"
    assert request.query == {"role_name": "Developer", "account_id": "123456789012"}
    assert request.headers["x-amz-sso_bearer_token"] == SSO_ACCESS_TOKEN
    assert "Authorization" not in request.headers
    assert provider.describe() == "SSO (role Developer in account 123456789012)"


async def test_legacy_sso_profile(tmp_path: Path, aws: FakeAws) -> None:
    env = sso_env(tmp_path, aws, LEGACY_SSO_CONFIG)
    write_sso_token(env, "https://legacy.awsapps.com/start", expiresAt="2999-01-01T00:00:00UTC")
    credentials = await SSOProvider("default", ProfileLoader(env), env).resolve()
    assert credentials.access_key_id == "ASIASSO1"
    assert aws.requests[0].query["role_name"] == "ReadOnly"


async def test_sso_default_portal_endpoint(tmp_path: Path) -> None:
    env = make_env(tmp_path, SSO_CONFIG)
    write_sso_token(env, "corp")
    seen: list[str] = []

    async def fake_request(self: Any, session: Any, method: str, url: str, **kwargs: Any) -> Any:
        seen.append(url)
        raise CredentialsError("stop here")

    with mock.patch("aioapigateway.runtime.credentials.http.CredentialHttp.request", fake_request):
        with pytest.raises(CredentialsError, match="stop here"):
            await SSOProvider("default", ProfileLoader(env), env).load()
    assert seen == [
        "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials"
        "?role_name=Developer&account_id=123456789012"
    ]


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "No cached SSO token for corp .*run `aws sso login --sso-session corp`"),
        ({"expiresAt": "2000-01-01T00:00:00Z"}, "expired at 2000-01-01.*could not be refreshed"),
        ({"accessToken": None}, "has no accessToken"),
        ({"expiresAt": "tomorrow"}, "expiresAt in the SSO token cache"),
        ("not json", "is not valid JSON"),
    ],
    ids=["missing", "expired", "no-access-token", "bad-expiry", "not-json"],
)
async def test_sso_token_problems(tmp_path: Path, aws: FakeAws, token: Any, message: str) -> None:
    env = sso_env(tmp_path, aws)
    if isinstance(token, dict):
        write_sso_token(env, "corp", **token)
    elif isinstance(token, str):
        write_sso_token(env, "corp").write_text(token)
    with pytest.raises(CredentialsError, match=message) as info:
        await SSOProvider("default", ProfileLoader(env), env).resolve()
    assert_no_secrets(full_text(info.value))
    assert not aws.requests


async def test_expired_legacy_token_is_not_refreshed(tmp_path: Path, aws: FakeAws) -> None:
    env = sso_env(tmp_path, aws, LEGACY_SSO_CONFIG)
    write_sso_token(
        env,
        "https://legacy.awsapps.com/start",
        expiresAt=iso(time.time() - 10),
        refreshToken="r-TOKENVALUE",
        clientId="c",
        clientSecret="cs-SECRETVALUE",
        registrationExpiresAt=iso(time.time() + 86400),
    )
    with pytest.raises(CredentialsError, match="run `aws sso login --profile default`"):
        await SSOProvider("default", ProfileLoader(env), env).resolve()
    assert not aws.requests


REFRESHABLE = {
    "refreshToken": "old-refresh-TOKENVALUE",
    "clientId": "client-id",
    "clientSecret": "client-SECRETVALUE",
}


@pytest.mark.parametrize("expired", [True, False], ids=["expired", "expiring"])
async def test_sso_token_is_refreshed_and_saved(
    tmp_path: Path, aws: FakeAws, expired: bool
) -> None:
    env = sso_env(tmp_path, aws)
    path = write_sso_token(
        env,
        "corp",
        expiresAt=iso(time.time() + (-60 if expired else 300)),
        registrationExpiresAt=iso(time.time() + 86400),
        **REFRESHABLE,
    )
    aws.sso_token = "refreshed-access-TOKENVALUE-1"
    credentials = await SSOProvider("default", ProfileLoader(env), env).resolve()
    assert credentials.access_key_id == "ASIASSO1"
    oidc = aws.of("POST", "/token")[0]
    assert json.loads(oidc.body) == {
        "grantType": "refresh_token",
        "clientId": "client-id",
        "clientSecret": "client-SECRETVALUE",
        "refreshToken": "old-refresh-TOKENVALUE",
    }
    saved = json.loads(path.read_text())
    assert saved["accessToken"] == "refreshed-access-TOKENVALUE-1"
    assert saved["refreshToken"] == "refreshed-refresh-TOKENVALUE-1"
    assert saved["startUrl"] == "https://corp.awsapps.com/start"
    assert saved["region"] == "eu-west-1"
    assert datetime.datetime.fromisoformat(saved["expiresAt"]).timestamp() > time.time() + 28000
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


async def test_failed_sso_refresh_keeps_a_still_valid_token(
    tmp_path: Path, aws: FakeAws, caplog: pytest.LogCaptureFixture
) -> None:
    env = sso_env(tmp_path, aws)
    write_sso_token(
        env,
        "corp",
        expiresAt=iso(time.time() + 300),
        registrationExpiresAt=iso(time.time() + 86400),
        **REFRESHABLE,
    )
    aws.queue(
        "POST",
        "/token",
        json_reply(400, {"error": "invalid_grant", "error_description": "old-refresh-TOKENVALUE"}),
    )
    caplog.set_level(logging.DEBUG, logger="aioapigateway")
    provider = SSOProvider("default", ProfileLoader(env), env, **NO_RETRY)
    assert (await provider.resolve()).access_key_id == "ASIASSO1"
    assert "Refreshing the SSO token failed" in caplog.text
    assert_no_secrets(caplog.text)


async def test_sso_refresh_skipped_when_the_registration_expired(
    tmp_path: Path, aws: FakeAws
) -> None:
    env = sso_env(tmp_path, aws)
    write_sso_token(
        env,
        "corp",
        expiresAt=iso(time.time() - 1),
        registrationExpiresAt=iso(time.time() - 1),
        **REFRESHABLE,
    )
    with pytest.raises(CredentialsError, match="could not be refreshed"):
        await SSOProvider("default", ProfileLoader(env), env).resolve()
    assert not aws.requests


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "[default]\nsso_account_id = 1\n",
            "missing required configuration: sso_role_name, sso_start_url, sso_region",
        ),
        (
            "[default]\nsso_session = ghost\nsso_role_name = R\nsso_account_id = 1\n",
            "no \\[sso-session ghost\\] section",
        ),
        (
            SSO_CONFIG.replace("[sso-session corp]", "sso_region = us-west-2\n[sso-session corp]"),
            "sso_region differs between profile 'default' and \\[sso-session corp\\]",
        ),
        (
            SSO_CONFIG.replace("sso_region = eu-west-1", "sso_region = evil.com/"),
            "sso_region of profile 'default' is not a valid region name",
        ),
    ],
    ids=["missing-keys", "missing-session", "inconsistent", "bad-region"],
)
async def test_sso_configuration_errors(tmp_path: Path, config: str, message: str) -> None:
    env = make_env(tmp_path, config)
    with pytest.raises(CredentialsError, match=message):
        await SSOProvider("default", ProfileLoader(env), env).resolve()


async def test_sso_portal_errors(tmp_path: Path, aws: FakeAws) -> None:
    env = sso_env(tmp_path, aws)
    write_sso_token(env, "corp")
    aws.sso_token = "something else"
    with pytest.raises(CredentialsError, match="expired or is invalid: run `aws sso login") as info:
        await SSOProvider("default", ProfileLoader(env), env, **NO_RETRY).resolve()
    assert_no_secrets(full_text(info.value))

    aws.queue(
        "GET",
        "/federation/credentials",
        json_reply(
            403,
            {"message": f"No access for {SSO_ACCESS_TOKEN}"},
            **{"x-amzn-ErrorType": "ForbiddenException"},
        ),
    )
    with pytest.raises(CredentialsError, match="HTTP 403 ForbiddenException: No access") as info:
        await SSOProvider("default", ProfileLoader(env), env, **NO_RETRY).resolve()
    assert_no_secrets(full_text(info.value))


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (raw_reply(200, "{not json SECRETVALUE"), "is not valid JSON"),
        (json_reply(200, []), "is a JSON list"),
        (json_reply(200, {"roleCredentials": "x"}), "no roleCredentials object"),
        (
            json_reply(200, {"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S"}}),
            "no valid sessionToken",
        ),
        (
            json_reply(
                200,
                {
                    "roleCredentials": {
                        "accessKeyId": "A",
                        "secretAccessKey": "x-SECRETVALUE",
                        "sessionToken": "T",
                        "expiration": "soon",
                    }
                },
            ),
            "no valid expiration",
        ),
    ],
    ids=["not-json", "list", "not-object", "missing-token", "bad-expiration"],
)
async def test_malformed_sso_responses(
    tmp_path: Path, aws: FakeAws, reply: Any, message: str
) -> None:
    env = sso_env(tmp_path, aws)
    write_sso_token(env, "corp")
    aws.queue("GET", "/federation/credentials", reply)
    with pytest.raises(CredentialsError, match=message) as info:
        await SSOProvider("default", ProfileLoader(env), env).resolve()
    assert_no_secrets(full_text(info.value))


async def test_sso_retries_throttling(tmp_path: Path, aws: FakeAws) -> None:
    env = sso_env(tmp_path, aws)
    write_sso_token(env, "corp")
    aws.queue(
        "GET",
        "/federation/credentials",
        json_reply(429, {"message": "slow down"}),
        raw_reply(502, "bad gateway"),
    )
    credentials = await SSOProvider("default", ProfileLoader(env), env, **FAST_RETRY).resolve()
    assert credentials.access_key_id == "ASIASSO1"
    assert len(aws.requests) == 3


async def test_sso_timeout_is_bounded(tmp_path: Path, aws: FakeAws) -> None:
    env = sso_env(tmp_path, aws)
    write_sso_token(env, "corp")
    aws.queue("GET", "/federation/credentials", Hang())
    started = time.monotonic()
    with pytest.raises(CredentialsError, match="timed out"):
        await SSOProvider("default", ProfileLoader(env), env, timeout=0.2, **NO_RETRY).resolve()
    assert time.monotonic() - started < 2


# --- container credentials -------------------------------------------------------------------


def container_env(tmp_path: Path, aws: FakeAws, **extra: str) -> dict[str, str]:
    return make_env(
        tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=f"{aws.url}/container/creds", **extra
    )


async def test_container_credentials(tmp_path: Path, aws: FakeAws) -> None:
    aws.container_token = "Basic container-auth-TOKENVALUE"
    env = container_env(tmp_path, aws, AWS_CONTAINER_AUTHORIZATION_TOKEN=aws.container_token)
    provider = ContainerCredentialsProvider(env)
    clock = FakeClock()
    provider._clock = clock
    credentials = await provider.resolve()
    assert credentials.access_key_id == "ASIACONT1"
    assert credentials.session_token == "container-session-TOKENVALUE-1"
    request = aws.requests[0]
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Authorization"] == aws.container_token
    assert credentials.expiration is not None
    clock.now = credentials.expiration.timestamp() - 60
    assert (await provider.resolve()).access_key_id == "ASIACONT2"


async def test_container_token_file_is_read_at_every_fetch(tmp_path: Path, aws: FakeAws) -> None:
    token_file = tmp_path / "eks-token"
    token_file.write_text("eks-TOKENVALUE-1\n")
    env = container_env(
        tmp_path,
        aws,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file),
        AWS_CONTAINER_AUTHORIZATION_TOKEN="ignored-when-a-file-is-set",
    )
    provider = ContainerCredentialsProvider(env)
    await provider.load()
    token_file.write_text("eks-TOKENVALUE-2")
    await provider.load()
    assert [r.headers["Authorization"] for r in aws.requests] == [
        "eks-TOKENVALUE-1",
        "eks-TOKENVALUE-2",
    ]


def test_container_relative_uri_and_allowed_hosts() -> None:
    provider = ContainerCredentialsProvider({})
    relative = {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"}
    assert provider._url(relative) == "http://169.254.170.2/v2/credentials/abc"
    # The relative URI wins over a full one, as in botocore.
    both = {**relative, "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1/x"}
    assert provider._url(both) == "http://169.254.170.2/v2/credentials/abc"
    for allowed in (
        "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials",
        "http://169.254.170.2/x",
        "http://localhost:8080/x",
        "http://127.0.0.2:99/x",
        "http://[::1]/x",
        "https://creds.example.com/x",
    ):
        assert provider._url({"AWS_CONTAINER_CREDENTIALS_FULL_URI": allowed}) == allowed
    for refused in ("http://example.com/x", "http://169.254.169.254/x", "ftp://127.0.0.1/x"):
        with pytest.raises(CredentialsError, match="must be an https:// URL"):
            provider._url({"AWS_CONTAINER_CREDENTIALS_FULL_URI": refused})
    # A password with an unencoded "/" would be parsed as a host and a path: refused, and
    # the message shows nothing of it.
    for refused, reason in (
        ("http://user:Qz/pw-S3CR3T@169.254.170.2/creds", "must be an https:// URL"),
        ("https://user:12/pw-S3CR3T@creds.example.com/x", "an '@' after its host"),
        ("https://user:12?pw-S3CR3T@creds.example.com/x", "an '@' after its host"),
    ):
        with pytest.raises(CredentialsError, match=reason) as info:
            provider._url({"AWS_CONTAINER_CREDENTIALS_FULL_URI": refused})
        assert "Qz" not in str(info.value) and "S3CR3T" not in str(info.value), info.value
        assert "12/" not in str(info.value) and "12?" not in str(info.value), info.value


async def test_container_not_configured(tmp_path: Path) -> None:
    provider = ContainerCredentialsProvider(make_env(tmp_path))
    assert await provider.load() is None
    assert "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI" in (
        provider.describe()
    )


async def test_container_token_with_a_newline_is_refused(tmp_path: Path, aws: FakeAws) -> None:
    env = container_env(tmp_path, aws, AWS_CONTAINER_AUTHORIZATION_TOKEN="a\r\nX-Evil: 1")
    with pytest.raises(CredentialsError, match="control character"):
        await ContainerCredentialsProvider(env).load()
    assert not aws.requests


async def test_container_retries_then_succeeds(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("GET", "/container/creds", raw_reply(500, "oops"), raw_reply(200, "not json"))
    provider = ContainerCredentialsProvider(container_env(tmp_path, aws), retry_sleep=0)
    assert (await provider.resolve()).access_key_id == "ASIACONT1"
    assert len(aws.requests) == 3


async def test_container_gives_up(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("GET", "/container/creds", *[json_reply(403, {"m": "x-SECRETVALUE"})] * 3)
    provider = ContainerCredentialsProvider(container_env(tmp_path, aws), retry_sleep=0)
    with pytest.raises(CredentialsError, match="failed after 3 attempt\\(s\\): HTTP 403") as info:
        await provider.resolve()
    assert_no_secrets(full_text(info.value))


@pytest.mark.parametrize(
    "data",
    [
        {"AccessKeyId": "A", "SecretAccessKey": "x-SECRETVALUE", "Token": "T"},
        {"AccessKeyId": 5, "SecretAccessKey": "S", "Token": "T", "Expiration": iso(2e9)},
    ],
    ids=["no-expiration", "not-a-string"],
)
async def test_container_incomplete_response(
    tmp_path: Path, aws: FakeAws, data: dict[str, Any]
) -> None:
    aws.queue("GET", "/container/creds", json_reply(200, data))
    with pytest.raises(CredentialsError, match="has no valid") as info:
        await ContainerCredentialsProvider(container_env(tmp_path, aws)).resolve()
    assert_no_secrets(full_text(info.value))


async def test_container_timeout_is_bounded(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("GET", "/container/creds", Hang(), Hang())
    provider = ContainerCredentialsProvider(
        container_env(tmp_path, aws), timeout=0.2, attempts=2, retry_sleep=0
    )
    started = time.monotonic()
    with pytest.raises(CredentialsError, match=r"after 2 attempt\(s\).*timed out"):
        await provider.resolve()
    assert time.monotonic() - started < 2


def test_container_options_are_validated() -> None:
    with pytest.raises(ConfigError):
        ContainerCredentialsProvider({}, timeout=0)
    with pytest.raises(ConfigError):
        ContainerCredentialsProvider({}, attempts=0)


# --- EC2 instance metadata ------------------------------------------------------------------------

CREDS_PATH = "/latest/meta-data/iam/security-credentials/"


def imds_env(
    tmp_path: Path, aws: FakeAws, config: str | None = None, **extra: str
) -> dict[str, str]:
    settings = {
        "AWS_EC2_METADATA_DISABLED": "false",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": aws.url,
        **extra,
    }
    return make_env(tmp_path, config, **settings)


def imds(env: dict[str, str], **kwargs: Any) -> InstanceMetadataProvider:
    return InstanceMetadataProvider("default", ProfileLoader(env), env, **kwargs)


async def test_imds_v2(tmp_path: Path, aws: FakeAws) -> None:
    provider = imds(imds_env(tmp_path, aws))
    credentials = await provider.resolve()
    assert credentials.access_key_id == "ASIAIMDS1"
    assert credentials.session_token == "imds-session-TOKENVALUE-1"
    put, role, creds = aws.requests
    assert (put.method, put.path) == ("PUT", "/latest/api/token")
    assert put.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600"
    assert (role.path, creds.path) == (CREDS_PATH, CREDS_PATH + "app-role")
    assert role.headers["x-aws-ec2-metadata-token"] == IMDS_TOKEN
    assert creds.headers["x-aws-ec2-metadata-token"] == IMDS_TOKEN
    assert role.headers["User-Agent"].startswith("aioapigateway/")
    assert provider.describe().endswith("role app-role)")


@pytest.mark.parametrize("status", [403, 404, 405])
async def test_imds_falls_back_to_v1(tmp_path: Path, aws: FakeAws, status: int) -> None:
    aws.imds_allows_v1 = True
    aws.queue("PUT", "/latest/api/token", raw_reply(status, ""))
    assert (await imds(imds_env(tmp_path, aws)).resolve()).access_key_id == "ASIAIMDS1"
    assert all("x-aws-ec2-metadata-token" not in r.headers for r in aws.requests[1:])


async def test_imds_token_read_timeout_falls_back_to_v1(tmp_path: Path, aws: FakeAws) -> None:
    aws.imds_allows_v1 = True
    aws.queue("PUT", "/latest/api/token", Hang())
    provider = imds(imds_env(tmp_path, aws, AWS_METADATA_SERVICE_TIMEOUT="0.2"))
    assert (await provider.resolve()).access_key_id == "ASIAIMDS1"


async def test_imds_v1_disabled(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("PUT", "/latest/api/token", raw_reply(403, ""))
    env = imds_env(tmp_path, aws, "[default]\nec2_metadata_v1_disabled = true\n")
    with pytest.raises(CredentialsError, match="IMDSv1 is disabled"):
        await imds(env).resolve()
    assert len(aws.requests) == 1


async def test_imds_token_bad_request_means_no_credentials(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("PUT", "/latest/api/token", raw_reply(400, ""))
    provider = imds(imds_env(tmp_path, aws))
    assert await provider.load() is None
    assert "token request was refused (HTTP 400)" in provider.describe()


async def test_imds_without_a_role(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("GET", CREDS_PATH, raw_reply(404, "Not Found"), raw_reply(404, "Not Found"))
    provider = imds(imds_env(tmp_path, aws))
    assert await provider.load() is None
    assert "no role name after 1 attempt(s): HTTP 404" in provider.describe()
    with pytest.raises(CredentialsError, match="No credentials in EC2 instance metadata"):
        await provider.resolve()


async def test_imds_disabled_sends_nothing(tmp_path: Path, aws: FakeAws) -> None:
    env = imds_env(tmp_path, aws, AWS_EC2_METADATA_DISABLED="TRUE")
    provider = imds(env)
    assert await provider.load() is None
    assert provider.describe() == "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)"
    assert not aws.requests


async def test_imds_attempts(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("GET", CREDS_PATH, raw_reply(500, ""), raw_reply(200, ""))
    aws.queue("GET", CREDS_PATH + "app-role", raw_reply(200, "{not json"))
    env = imds_env(tmp_path, aws, "[default]\nmetadata_service_num_attempts = 3\n")
    assert (await imds(env).resolve()).access_key_id == "ASIAIMDS1"
    assert len(aws.of("GET", CREDS_PATH)) == 3
    assert len(aws.of("GET", CREDS_PATH + "app-role")) == 2


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (raw_reply(200, "{not json SECRETVALUE"), "not valid JSON"),
        (
            json_reply(200, {"Code": "AssumeRoleUnauthorizedAccess", "Message": "denied"}),
            "lack AccessKeyId, SecretAccessKey, Token, Expiration "
            "(error code AssumeRoleUnauthorizedAccess)",
        ),
    ],
    ids=["not-json", "error-document"],
)
async def test_imds_bad_credentials_documents(
    tmp_path: Path, aws: FakeAws, reply: Any, reason: str
) -> None:
    aws.queue("GET", CREDS_PATH + "app-role", reply)
    provider = imds(imds_env(tmp_path, aws))
    assert await provider.load() is None
    assert reason in provider.describe()
    assert_no_secrets(provider.describe())


async def test_imds_bad_role_name(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("GET", CREDS_PATH, raw_reply(200, "../../etc/passwd"))
    provider = imds(imds_env(tmp_path, aws))
    assert await provider.load() is None
    assert "not a valid IAM role name" in provider.describe()
    assert len(aws.requests) == 2


async def test_imds_timeout_is_bounded(tmp_path: Path, aws: FakeAws) -> None:
    aws.queue("GET", CREDS_PATH, Hang(), Hang())
    env = imds_env(
        tmp_path, aws, AWS_METADATA_SERVICE_TIMEOUT="0.2", AWS_METADATA_SERVICE_NUM_ATTEMPTS="2"
    )
    provider = imds(env)
    started = time.monotonic()
    assert await provider.load() is None
    assert time.monotonic() - started < 2
    assert "no role name after 2 attempt(s)" in provider.describe()
    assert "timed out" in provider.describe()


@pytest.mark.parametrize("expires_in", [-3600, 60, 16 * 60])
async def test_imds_static_stability_extends_expiring_credentials(
    tmp_path: Path, aws: FakeAws, expires_in: float, caplog: pytest.LogCaptureFixture
) -> None:
    aws.expires_at = time.time() + expires_in
    caplog.set_level(logging.INFO, logger="aioapigateway")
    credentials = await imds(imds_env(tmp_path, aws)).resolve()
    assert credentials.expiration is not None
    remaining = credentials.expiration.timestamp() - time.time()
    assert 15 * 60 + 115 <= remaining <= 15 * 60 + 600
    assert "Extending the expiry" in caplog.text


async def test_imds_fresh_credentials_keep_their_expiry(tmp_path: Path, aws: FakeAws) -> None:
    aws.expires_at = time.time() + 6 * 3600
    credentials = await imds(imds_env(tmp_path, aws)).resolve()
    assert credentials.expiration is not None
    assert credentials.expiration.timestamp() == pytest.approx(aws.expires_at, abs=1)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "http://169.254.169.254/"),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"}, "http://[fd00:ec2::254]/"),
        (
            {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv4", "AWS_IMDS_USE_IPV6": "true"},
            "http://169.254.169.254/",
        ),
        ({"AWS_IMDS_USE_IPV6": "true"}, "http://[fd00:ec2::254]/"),
        ({"config": "ec2_metadata_service_endpoint_mode = ipv6"}, "http://[fd00:ec2::254]/"),
        (
            {"config": "ec2_metadata_service_endpoint = http://127.0.0.1:1338"},
            "http://127.0.0.1:1338",
        ),
        (
            {
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[::1]:1338/",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv6",
            },
            "http://[::1]:1338/",
        ),
    ],
)
async def test_imds_endpoint_selection(
    tmp_path: Path, settings: dict[str, str], expected: str
) -> None:
    from aioapigateway.runtime.credentials.imds import _Settings

    settings = dict(settings)
    config = settings.pop("config", None)
    env = make_env(tmp_path, f"[default]\n{config}\n" if config else None, **settings)
    loaded = await ProfileLoader(env).load()
    assert _Settings(env, loaded, "default").base_url() == expected


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv5", "must be ipv4 or ipv6"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254", "must be an http:// or https://"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://u:1/S3CR3T@h/", "an '@' after its host"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://u:x/S3CR3T@h/", "not a valid URL"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "soon", "positive number of seconds"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0", "whole number >= 1"),
    ],
)
async def test_imds_bad_settings(tmp_path: Path, variable: str, value: str, message: str) -> None:
    env = make_env(tmp_path, AWS_EC2_METADATA_DISABLED="false", **{variable: value})
    with pytest.raises(CredentialsError, match=message) as info:
        await imds(env).load()
    assert "S3CR3T" not in str(info.value)


# --- the default chain ------------------------------------------------------------------------

SOURCES = (
    "env",
    "assume_role",
    "web_identity",
    "sso",
    "shared",
    "process",
    "config",
    "container",
    "imds",
)
SOURCE_NAMES = {
    "env": "env",
    "assume_role": "assume-role",
    "web_identity": "web-identity",
    "sso": "sso",
    "shared": "shared-credentials-file",
    "process": "credential-process",
    "config": "config-file",
    "container": "container",
    "imds": "ec2-instance-metadata",
}
WINNER_KEY = {
    "env": "AKIDENV",
    "assume_role": "ASIASTS1",
    "web_identity": "ASIAWEB1",
    "sso": "ASIASSO1",
    "shared": "AKIDSHARED",
    "process": "AKIDPROC",
    "config": "AKIDCONFIG",
    "container": "ASIACONT1",
    "imds": "ASIAIMDS1",
}


def chain_env(tmp_path: Path, aws: FakeAws, enabled: set[str]) -> dict[str, str]:
    default: list[str] = ["region = us-east-1"]
    extra: dict[str, str] = {"AWS_ENDPOINT_URL_STS": aws.url, "AWS_ENDPOINT_URL_SSO": aws.url}
    credentials = BASE_CREDENTIALS
    config_tail = ""
    if "env" in enabled:
        extra.update(AWS_ACCESS_KEY_ID="AKIDENV", AWS_SECRET_ACCESS_KEY=BASE_SECRET)
    if "assume_role" in enabled:
        default += [f"role_arn = {ROLE}", "source_profile = base"]
    if "web_identity" in enabled:
        (tmp_path / "web-token").write_text(WEB_TOKEN)
        extra.update(AWS_WEB_IDENTITY_TOKEN_FILE=str(tmp_path / "web-token"), AWS_ROLE_ARN=ROLE)
    if "sso" in enabled:
        default += ["sso_session = corp", "sso_account_id = 1", "sso_role_name = Dev"]
        config_tail = (
            "[sso-session corp]\nsso_start_url = https://c/start\nsso_region = eu-west-1\n"
        )
    if "shared" in enabled:
        credentials += (
            f"[default]\naws_access_key_id = AKIDSHARED\naws_secret_access_key = {BASE_SECRET}\n"
        )
    if "process" in enabled:
        script = tmp_path / "proc.py"
        script.write_text(
            "import json; print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIDPROC', "
            f"'SecretAccessKey': {BASE_SECRET!r}}}))"
        )
        default.append(f"credential_process = {shlex.join([sys.executable, str(script)])}")
    if "config" in enabled:
        default += ["aws_access_key_id = AKIDCONFIG", f"aws_secret_access_key = {BASE_SECRET}"]
    if "container" in enabled:
        extra["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"{aws.url}/container/creds"
    if "imds" in enabled:
        extra.update(AWS_EC2_METADATA_DISABLED="false", AWS_EC2_METADATA_SERVICE_ENDPOINT=aws.url)
    env = make_env(
        tmp_path, "[default]\n" + "\n".join(default) + "\n" + config_tail, credentials, **extra
    )
    if "sso" in enabled:
        write_sso_token(env, "corp")
    return env


@pytest.mark.parametrize("first", range(len(SOURCES)), ids=SOURCES)
async def test_chain_order(tmp_path: Path, aws: FakeAws, first: int) -> None:
    """With every source from ``first`` on configured, ``SOURCES[first]`` wins."""
    env = chain_env(tmp_path, aws, set(SOURCES[first:]))
    chain = DefaultCredentialChain(None, ProfileLoader(env), env)
    credentials = await chain.resolve()
    assert credentials.access_key_id == WINNER_KEY[SOURCES[first]]
    assert chain._source is not None
    assert chain._source.name == SOURCE_NAMES[SOURCES[first]]


@pytest.mark.parametrize("only", SOURCES[1:], ids=SOURCES[1:])
async def test_chain_finds_each_source_alone(tmp_path: Path, aws: FakeAws, only: str) -> None:
    env = chain_env(tmp_path, aws, {only})
    credentials = await DefaultCredentialChain(None, ProfileLoader(env), env).resolve()
    assert credentials.access_key_id == WINNER_KEY[only]


async def test_explicit_profile_ignores_web_identity_variables(
    tmp_path: Path, aws: FakeAws
) -> None:
    env = chain_env(tmp_path, aws, {"web_identity", "shared"})
    explicit = DefaultCredentialChain("default", ProfileLoader(env), env)
    assert (await explicit.resolve()).access_key_id == "AKIDSHARED"
    implicit = DefaultCredentialChain(None, ProfileLoader(env), env)
    assert (await implicit.resolve()).access_key_id == "ASIAWEB1"


async def test_chain_refreshes_from_the_provider_it_found(tmp_path: Path, aws: FakeAws) -> None:
    env = chain_env(tmp_path, aws, {"container", "imds"})
    chain = DefaultCredentialChain(None, ProfileLoader(env), env)
    clock = FakeClock()
    chain._clock = clock
    first = await chain.resolve()
    assert first.expiration is not None
    clock.now = first.expiration.timestamp() - 60
    assert (await chain.resolve()).access_key_id == "ASIACONT2"
    assert not aws.of("PUT", "/latest/api/token")


async def test_chain_borrows_sessions_from_the_factory(tmp_path: Path, aws: FakeAws) -> None:
    env = chain_env(tmp_path, aws, {"assume_role"})
    async with aiohttp.ClientSession() as session:
        handed_out: list[aiohttp.ClientSession] = []

        def factory() -> aiohttp.ClientSession:
            handed_out.append(session)
            return session

        provider = as_provider(
            None,
            profile=None,
            loader=ProfileLoader(env),
            environ=env,
            session_factory=factory,
            region="eu-north-1",
        )
        assert isinstance(provider, DefaultCredentialChain)
        assert (await provider.resolve()).access_key_id == "ASIASTS1"
        assert handed_out and not session.closed
    assert "/eu-north-1/sts/aws4_request" in aws.sts[0].headers["Authorization"]


async def test_a_factory_returning_something_else(tmp_path: Path, aws: FakeAws) -> None:
    env = chain_env(tmp_path, aws, {"container"})
    chain = DefaultCredentialChain(None, ProfileLoader(env), env, session_factory=lambda: "x")  # type: ignore[arg-type, return-value]
    with pytest.raises(CredentialsError, match="session_factory returned str"):
        await chain.resolve()


def test_chain_arguments_are_validated() -> None:
    with pytest.raises(ConfigError):
        DefaultCredentialChain(None, ProfileLoader({}), {}, session_factory=5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        DefaultCredentialChain(None, ProfileLoader({}), {}, region="")


async def test_no_secrets_in_logs_reprs_or_errors(
    tmp_path: Path, aws: FakeAws, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    found: list[Any] = []
    for source in SOURCES[1:]:
        env = chain_env(tmp_path, aws, {source})
        chain = DefaultCredentialChain(None, ProfileLoader(env), env)
        found += [chain, await chain.resolve(), chain._source]
    env = chain_env(tmp_path, aws, {"sso"})
    found += [
        SSOProvider("default", ProfileLoader(env), env),
        WebIdentityProvider("default", ProfileLoader(env), env),
        AssumeRoleProvider("default", ProfileLoader(env), env),
        ContainerCredentialsProvider(env),
        InstanceMetadataProvider("default", ProfileLoader(env), env),
    ]
    for obj in found:
        assert_no_secrets(repr(obj))
    assert_no_secrets(caplog.text)
    assert "sso-access" not in caplog.text and IMDS_TOKEN not in caplog.text


def test_display_url_drops_credentials_and_query() -> None:
    assert display_url("http://user:pw@host:1/p?token=x") == "http://host:1/p"
    assert display_url("nonsense") == "<invalid URL>"


def test_backoff_is_full_jitter_capped_at_twenty_seconds() -> None:
    """botocore's standard mode: rand() * min(base * 2**attempt, 20)."""
    with mock.patch("aioapigateway.runtime.credentials.http.random.random", return_value=0.5):
        delays = [jittered_backoff(1.0)(retry) for retry in (1, 2, 5)]
        delays.append(jittered_backoff(0.0)(1))
    assert delays == [1.0, 2.0, 10.0, 0.0]


def test_retry_options_and_timeouts_of_api_calling_providers() -> None:
    check_retry_options(None, 1, 0.0)
    check_retry_options(0.5, 3, 1.0)
    for timeout, attempts, base in ((0, 3, 1.0), (-1, 3, 1.0), (None, 0, 1.0), (None, 3, -1)):
        with pytest.raises(ConfigError):
            check_retry_options(timeout, attempts, base)
    assert request_timeout(None) is DEFAULT_TIMEOUT
    assert (DEFAULT_TIMEOUT.sock_connect, DEFAULT_TIMEOUT.sock_read) == (60.0, 60.0)
    assert request_timeout(2.5).total == 2.5


def test_new_providers_construct_without_io() -> None:
    with (
        mock.patch("builtins.open", side_effect=AssertionError("I/O")),
        mock.patch("asyncio.to_thread", side_effect=AssertionError("I/O")),
    ):
        loader = ProfileLoader({})
        AssumeRoleProvider("p", loader, {})
        WebIdentityProvider("p", loader, {})
        SSOProvider("p", loader, {})
        ContainerCredentialsProvider({})
        InstanceMetadataProvider("p", loader, {})
        as_provider(None, profile=None, loader=loader, session_factory=None, region="us-east-1")


async def test_own_sessions_are_closed(tmp_path: Path, aws: FakeAws) -> None:
    created: list[aiohttp.ClientSession] = []
    original = aiohttp.ClientSession.__init__

    def tracking(self: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
        created.append(self)
        original(self, *args, **kwargs)

    env = chain_env(tmp_path, aws, {"assume_role"})
    with mock.patch.object(aiohttp.ClientSession, "__init__", tracking):
        await DefaultCredentialChain(None, ProfileLoader(env), env).resolve()
    assert created and all(session.closed for session in created)


async def test_concurrent_first_resolves_call_sts_once(tmp_path: Path, aws: FakeAws) -> None:
    env = chain_env(tmp_path, aws, {"assume_role"})
    chain = DefaultCredentialChain(None, ProfileLoader(env), env)
    results = await asyncio.gather(*(chain.resolve() for _ in range(50)))
    assert {r.access_key_id for r in results} == {"ASIASTS1"}
    assert len(aws.sts) == 1


async def test_a_borrowed_session_that_raises_for_status(tmp_path: Path, aws: FakeAws) -> None:
    env = chain_env(tmp_path, aws, {"assume_role"})
    aws.queue("POST", "/", sts_error_reply(403, "AccessDenied", "no"))
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        provider = AssumeRoleProvider(
            "default", ProfileLoader(env), env, session_factory=lambda: session, **NO_RETRY
        )
        with pytest.raises(CredentialsError, match="HTTP 403 AccessDenied: no"):
            await provider.resolve()


async def test_an_unreadable_ca_bundle(tmp_path: Path) -> None:
    env = make_env(
        tmp_path,
        f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n",
        BASE_CREDENTIALS,
        AWS_CA_BUNDLE=str(tmp_path / "missing.pem"),
        AWS_ENDPOINT_URL_STS="https://127.0.0.1:1",
    )
    with pytest.raises(CredentialsError, match=r"Cannot load the CA bundle .*missing\.pem"):
        await AssumeRoleProvider("default", ProfileLoader(env), env).resolve()


# --- one retry loop, a policy per provider ------------------------------------------------------


async def test_with_retries_retries_what_the_attempt_calls_retryable() -> None:
    from aioapigateway.runtime.credentials.http import (
        CredentialHttpError,
        RetriesExhausted,
        RetryableFailure,
        RetryPolicy,
        with_retries,
    )

    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    outcomes: list[Any] = [CredentialHttpError("GET x: timed out"), RetryableFailure("HTTP 503")]

    async def flaky() -> str:
        if outcomes:
            raise outcomes.pop(0)
        return "done"

    policy = RetryPolicy(3, lambda retry: retry / 10)
    with mock.patch("asyncio.sleep", sleep):
        assert await with_retries(flaky, policy, "flaky") == "done"
        assert slept == [0.1, 0.2]

        # Anything else ends the loop at once.
        calls: list[int] = []

        async def broken() -> str:
            calls.append(1)
            raise CredentialsError("AccessDenied")

        with pytest.raises(CredentialsError, match="AccessDenied"):
            await with_retries(broken, policy, "broken")
        assert calls == [1]

        # Out of attempts: the last failure is reported; a zero delay sleeps not at all.
        slept.clear()

        async def failing() -> str:
            raise RetryableFailure(f"HTTP 50{len(calls)}")

        with pytest.raises(RetriesExhausted) as info:
            calls.clear()
            await with_retries(failing, RetryPolicy(2, lambda retry: 0.0), "failing")
        assert (info.value.attempts, info.value.failure) == (2, "HTTP 500")
        assert slept == []


async def _sleeps_of(call: Any) -> list[float]:
    """The waits a failing provider call makes before giving up (none really slept)."""
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float, *args: Any) -> Any:
        if delay > 0:
            slept.append(delay)
        return await real_sleep(0, *args)

    with (
        mock.patch("asyncio.sleep", sleep),
        mock.patch("aioapigateway.runtime.credentials.http.random.random", return_value=0.5),
        pytest.raises(CredentialsError, match=r"after 3 attempt\(s\)"),
    ):
        await call()
    return slept


async def test_each_provider_waits_by_its_own_policy(tmp_path: Path, aws: FakeAws) -> None:
    fail = raw_reply(503, "busy")
    # STS and SSO: botocore's standard backoff, rand() * min(base * 2**n, 20).
    env = make_env(
        tmp_path,
        f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n",
        BASE_CREDENTIALS,
        AWS_ENDPOINT_URL_STS=aws.url,
    )
    aws.queue("POST", "/", fail, fail, fail)
    provider = AssumeRoleProvider("default", ProfileLoader(env), env, retry_base=2.0)
    assert await _sleeps_of(provider.resolve) == [2.0, 4.0]

    sso = sso_env(tmp_path, aws)
    write_sso_token(sso, "corp")
    aws.queue("GET", "/federation/credentials", fail, fail, fail)
    assert await _sleeps_of(SSOProvider("default", ProfileLoader(sso), sso).resolve) == [1.0, 2.0]

    # The container endpoint: the same wait each time.
    aws.queue("GET", "/container/creds", fail, fail, fail)
    container = ContainerCredentialsProvider(container_env(tmp_path, aws), retry_sleep=0.25)
    assert await _sleeps_of(container.resolve) == [0.25, 0.25]


async def test_imds_retries_without_waiting(tmp_path: Path, aws: FakeAws) -> None:
    fail = raw_reply(500, "oops")
    aws.queue("PUT", "/latest/api/token", fail, fail, fail)
    aws.queue("GET", CREDS_PATH, fail, fail, fail)
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float, *args: Any) -> Any:
        if delay > 0:
            slept.append(delay)
        return await real_sleep(0, *args)

    provider = imds(imds_env(tmp_path, aws), attempts=3)
    with mock.patch("asyncio.sleep", sleep):
        assert await provider.load() is None
    assert slept == []
    assert [r.method for r in aws.requests] == ["PUT"] * 3 + ["GET"] * 3
    assert "no role name after 3 attempt(s): HTTP 500" in provider.describe()


# --- text that cannot be sent -----------------------------------------------------------------


async def test_a_lone_surrogate_in_an_sts_parameter_is_a_credentials_error(
    tmp_path: Path, aws: FakeAws
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(WEB_TOKEN)
    env = make_env(
        tmp_path,
        AWS_ENDPOINT_URL_STS=aws.url,
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file),
        AWS_ROLE_ARN=ROLE,
        # What os.environ holds for a variable with invalid UTF-8 bytes.
        AWS_ROLE_SESSION_NAME="pod-\udc80",
    )
    provider = WebIdentityProvider("default", ProfileLoader(env), env)
    with pytest.raises(CredentialsError, match="The STS parameter RoleSessionName is not valid"):
        await provider.load()
    assert not aws.requests


@pytest.mark.parametrize("token", ["sso-\udc80-token", "sso-tökén"], ids=["surrogate", "non-ascii"])
async def test_an_sso_token_that_cannot_be_a_header_is_refused_unsent(
    tmp_path: Path, aws: FakeAws, token: str
) -> None:
    env = sso_env(tmp_path, aws)
    write_sso_token(env, "corp", accessToken=token)
    with pytest.raises(CredentialsError, match="holds control or non-ASCII characters"):
        await SSOProvider("default", ProfileLoader(env), env).resolve()
    assert not aws.requests


async def test_a_container_token_with_a_lone_surrogate_is_refused_unsent(
    tmp_path: Path, aws: FakeAws
) -> None:
    env = container_env(tmp_path, aws, AWS_CONTAINER_AUTHORIZATION_TOKEN="tok\udc80")
    with pytest.raises(CredentialsError, match="unprintable character"):
        await ContainerCredentialsProvider(env).load()
    assert not aws.requests
