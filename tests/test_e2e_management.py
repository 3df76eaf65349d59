"""The WebSocket connections API (``aioapigateway.management``) end to end.

Against the moto server: ``post_to_connection``, ``get_connection`` and
``delete_connection`` at moto's root path.

What moto 5.2.5 does not implement, and where it is tested instead:
- a stage path: moto answers the connections API only at the root path
  (``/@connections/{id}``); ``/prod/@connections/{id}`` gets 404 from it, with boto3 too. The
  stage-path prefix (and that the signature covers it) is tested against a loopback server;
- disconnected clients: moto keeps connections in a ``defaultdict``, so every id is
  connected (a deleted one comes back on the next call) and it never answers 410
  ``GoneException``, 403 ``ForbiddenException``, 413 ``PayloadTooLargeException`` or 429
  ``LimitExceededException``: the loopback server answers those;
- validation of ``Data`` size (128 KiB on AWS) or of connection ids.
"""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import AsyncIterator
from typing import Any
from unittest import mock

import pytest
import pytest_asyncio
from _servers import RecordingServer, recording_server
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

import aioapigateway
import aioapigateway.errors
from aioapigateway import management

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

CREDENTIALS = aioapigateway.Credentials("testing", "testing")


def connections_client(endpoint_url: str | None, **kwargs: Any) -> management.Client:
    return management.Client(
        region="us-east-1",
        endpoint_url=endpoint_url,
        credentials=CREDENTIALS,
        config=aioapigateway.ClientConfig(max_attempts=1),
        **kwargs,
    )


@pytest_asyncio.fixture
async def loopback() -> AsyncIterator[RecordingServer]:
    async with recording_server() as server:
        yield server


# -- moto ----------------------------------------------------------------------------------------


async def test_connections_api_against_moto(moto_url: str) -> None:
    async with connections_client(moto_url) as client:
        message = json.dumps({"text": "hello", "n": 1}).encode()
        assert await client.post_to_connection(connection_id="conn-1", data=message) is None
        assert await client.post_to_connection(connection_id="conn-1", data=b"\x00\xff") is None
        connection = await client.get_connection(connection_id="conn-1")
        assert isinstance(connection, management.models.GetConnectionResponse)
        assert isinstance(connection.identity, management.models.Identity)
        assert connection.identity.source_ip == "192.168.0.1"
        assert connection.identity.user_agent == "Moto Mocks"
        for moment in (connection.connected_at, connection.last_active_at):
            assert isinstance(moment, datetime.datetime)
            assert moment.utcoffset() == datetime.timedelta(0)
        assert connection.last_active_at is not None and connection.connected_at is not None
        assert connection.last_active_at >= connection.connected_at
        assert await client.delete_connection(connection_id="conn-1") is None


async def test_many_concurrent_posts_share_one_client(moto_url: str) -> None:
    async with connections_client(moto_url) as client:
        ids = [f"c{i}" for i in range(40)]
        results = await asyncio.gather(
            *(client.post_to_connection(connection_id=i, data=i.encode()) for i in ids)
        )
        assert results == [None] * len(ids)


# -- the endpoint URL's path ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "prefix"),
    [
        ("/prod", "/prod"),
        ("/prod/", "/prod"),
        ("/ws/v1", "/ws/v1"),
        ("", ""),
    ],
)
async def test_every_request_path_is_under_the_endpoint_path(
    loopback: RecordingServer, base: str, prefix: str
) -> None:
    loopback.default = (200, {"Content-Type": "application/json"}, b'{"connectedAt": 1}')
    async with connections_client(loopback.url + base) as client:
        await client.post_to_connection(connection_id="abc", data=b"{}")
        await client.get_connection(connection_id="abc")
        await client.delete_connection(connection_id="a b/c")
    assert [(r.method, r.raw_path) for r in loopback.requests] == [
        ("POST", f"{prefix}/@connections/abc"),
        ("GET", f"{prefix}/@connections/abc"),
        ("DELETE", f"{prefix}/@connections/a%20b%2Fc"),
    ]


async def test_the_signature_covers_the_stage_path(loopback: RecordingServer) -> None:
    async with connections_client(loopback.url + "/prod") as client:
        await client.post_to_connection(connection_id="abc", data=b'{"m": 1}')
    (request,) = loopback.requests
    assert request.path == "/prod/@connections/abc"
    assert botocore_signature(loopback.url, request.raw_path, request) == ours(request)


def ours(request: Any) -> str:
    return str(request.headers["Authorization"].rsplit("Signature=", 1)[1])


def botocore_signature(origin: str, raw_path: str, request: Any) -> str:
    """botocore's SigV4 signature of the recorded request, for the headers we signed."""
    signed = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    names = [n for n in signed.split(";") if n != "x-amz-date"]
    lower = {k.lower(): v for k, v in request.headers.items()}
    aws = AWSRequest(
        method=request.method,
        url=origin + raw_path,
        headers={name: lower[name] for name in names},
        data=request.body,
    )
    stamp = datetime.datetime.strptime(lower["x-amz-date"], "%Y%m%dT%H%M%SZ")
    auth = SigV4Auth(BotoCredentials("testing", "testing"), "execute-api", "us-east-1")
    with mock.patch("botocore.auth.get_current_datetime", return_value=stamp):
        auth.add_auth(aws)
    return str(aws.headers["Authorization"].rsplit("Signature=", 1)[1])


async def test_callback_url_is_a_working_endpoint_url(loopback: RecordingServer) -> None:
    url = management.callback_url(api_id="abc123", stage="prod", region="eu-west-1")
    assert url == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    # Same path, loopback origin: the client keeps the stage as the prefix.
    origin = "https://abc123.execute-api.eu-west-1.amazonaws.com"
    async with connections_client(url.replace(origin, loopback.url)) as client:
        await client.post_to_connection(connection_id="x", data=b"1")
    assert loopback.requests[0].path == "/prod/@connections/x"


# -- a missing endpoint URL ----------------------------------------------------------------------


async def test_without_endpoint_url_a_config_error_says_what_to_pass() -> None:
    async with connections_client(None) as client:
        with pytest.raises(aioapigateway.errors.ConfigError) as caught:
            await client.post_to_connection(connection_id="abc", data=b"{}")
    message = str(caught.value)
    assert "endpoint_url" in message
    assert "callback_url(api_id=..., stage=..., region=...)" in message
    assert "https://{api-id}.execute-api.{region}.amazonaws.com/{stage}" in message
    assert "custom domain" in message


async def test_the_endpoint_url_may_come_from_the_environment(
    loopback: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", loopback.url + "/dev")
    async with connections_client(None) as client:
        await client.post_to_connection(connection_id="abc", data=b"{}")
    assert loopback.requests[0].path == "/dev/@connections/abc"


async def test_bad_input_is_refused_before_sending(loopback: RecordingServer) -> None:
    async with connections_client(loopback.url + "/prod") as client:
        with pytest.raises(aioapigateway.errors.ParamValidationError):
            await client.post_to_connection(connection_id="abc", data=123)  # type: ignore[arg-type]
        with pytest.raises(aioapigateway.errors.ParamValidationError):
            await client.get_connection(connection_id=None)  # type: ignore[arg-type]
    assert loopback.requests == []


# -- modeled errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (410, "GoneException", management.errors.GoneException),
        (403, "ForbiddenException", management.errors.ForbiddenException),
        (413, "PayloadTooLargeException", management.errors.PayloadTooLargeException),
    ],
)
async def test_modeled_errors(
    loopback: RecordingServer, status: int, code: str, cls: type[Exception]
) -> None:
    loopback.reply(status, b"{}", **{"x-amzn-ErrorType": code, "x-amzn-RequestId": "rid-1"})
    async with connections_client(loopback.url + "/prod") as client:
        with pytest.raises(cls) as caught:
            await client.post_to_connection(connection_id="gone", data=b"{}")
    error = caught.value
    assert isinstance(error, aioapigateway.errors.ServiceError)
    assert type(error) is cls
    assert (error.code, error.status_code, error.request_id) == (code, status, "rid-1")


async def test_one_except_clause_catches_the_errors_of_all_three_packages(
    loopback: RecordingServer,
) -> None:
    from aioapigateway import v2

    loopback.reply(410, b"{}", **{"x-amzn-ErrorType": "GoneException"})
    loopback.reply(404, b'{"message": "no api"}', **{"x-amzn-ErrorType": "NotFoundException"})
    loopback.reply(404, b'{"message": "no api"}', **{"x-amzn-ErrorType": "NotFoundException"})
    caught: list[aioapigateway.errors.ServiceError] = []
    options = {
        "region": "us-east-1",
        "credentials": CREDENTIALS,
        "config": aioapigateway.ClientConfig(max_attempts=1),
    }
    async with (
        management.Client(endpoint_url=loopback.url + "/prod", **options) as connections,
        v2.Client(endpoint_url=loopback.url, **options) as http_apis,
        aioapigateway.Client(endpoint_url=loopback.url, **options) as rest_apis,
    ):
        calls = [
            connections.post_to_connection(connection_id="x", data=b"{}"),
            http_apis.get_api(api_id="nope"),
            rest_apis.get_rest_api(rest_api_id="nope"),
        ]
        for call in calls:
            try:
                await call
            except aioapigateway.errors.ServiceError as exc:
                caught.append(exc)
    assert [type(e) for e in caught] == [
        management.errors.GoneException,
        v2.errors.NotFoundException,
        aioapigateway.errors.NotFoundException,
    ]
