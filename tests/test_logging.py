"""Logging: one DEBUG line per attempt; bodies only on request; secrets never."""

from __future__ import annotations

import json
import logging
import re
import socket
import traceback
from typing import Any

import aiohttp
import pytest
from _faults import FaultServer, Reply, error_reply, fault_server, json_reply

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors
from aioapigateway.runtime.wire import redact_body, redact_headers, redact_url

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

ACCESS_KEY = "AKIDLOGGINGEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+SECRETbPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzSESSIONTOKENEXAMPLE0123456789"
API_KEY_VALUE = "apikeyvalue0123456789SECRETabcdef"
BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.SECRETJWT"
CSV_SECRET = "csvkeyvalueSECRET9876543210"


def make_client(server: FaultServer, **config: Any) -> ApiGatewayClient:
    return ApiGatewayClient(
        region="us-east-1",
        endpoint_url=server.url,
        credentials=Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN),
        config=ClientConfig(**config),
    )


def all_text(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "\n".join(record.getMessage() for record in caplog.records)


def error_texts(error: BaseException) -> str:
    """Every way an error is commonly shown: str, repr, a traceback of the whole chain, and
    the repr of each chained exception."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    cause: BaseException | None = error
    while cause is not None:
        texts += [str(cause), repr(cause), repr(cause.args)]
        cause = cause.__cause__ or cause.__context__
    return "\n".join(texts)


def assert_no_secret(text: str, *more: str) -> None:
    for secret in (SECRET_KEY, SESSION_TOKEN, *more):
        assert secret not in text


async def test_debug_shows_each_attempt(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aioapigateway")
    async with fault_server() as server:
        server.script(
            error_reply(500, "InternalFailure"),
            json_reply(**{"x-amzn-RequestId": "req-ok"}),
        )
        async with make_client(server) as client:
            (await client._start()).retry.random = lambda: 0.0
            await client.get_rest_api(rest_api_id="abc")
    lines = [r.getMessage() for r in caplog.records if r.name == "aioapigateway"]
    url = re.escape(f"{server.url}/restapis/abc")
    assert re.fullmatch(
        rf"GetRestApi GET {url} -> 500 InternalFailure \(attempt 1/3, [\d.]+ ms, "
        r"request id req-InternalFailure\)",
        lines[0],
    )
    assert re.fullmatch(r"GetRestApi: attempt 1/3 failed; retrying in 0\.000 s", lines[1])
    assert re.fullmatch(
        rf"GetRestApi GET {url} -> 200 \(attempt 2/3, [\d.]+ ms, request id req-ok\)", lines[2]
    )
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
    # No bodies unless asked for.
    assert not [r for r in caplog.records if r.name == "aioapigateway.wire"]


async def test_transport_failures_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aioapigateway")
    async with fault_server() as server:
        url = server.url
    async with ApiGatewayClient(
        region="us-east-1",
        endpoint_url=url,
        credentials=Credentials(ACCESS_KEY, SECRET_KEY),
        config=ClientConfig(max_attempts=1),
    ) as client:
        with pytest.raises(errors.TransportError):
            await client.get_rest_apis()
    assert "GetRestApis GET" in caplog.text and "-> TransportError:" in caplog.text


async def test_nothing_is_logged_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="aioapigateway")
    async with fault_server() as server:
        async with make_client(server, log_bodies=True) as client:
            await client.get_rest_api(rest_api_id="abc")
    assert caplog.records == []


async def test_bodies_on_request_with_secrets_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aioapigateway")
    api_key = {"id": "k1", "name": "mine", "value": API_KEY_VALUE, "enabled": True}
    async with fault_server() as server:
        server.script(
            json_reply(201, api_key),
            json_reply(200, {"items": [api_key]}),
            json_reply(200, {"status": 200, "body": "ok", "headers": {"x-api-key": API_KEY_VALUE}}),
            Reply(201, json.dumps({"ids": ["k2"], "warnings": []})),
        )
        async with make_client(server, log_bodies=True) as client:
            await client.create_api_key(name="mine", value=API_KEY_VALUE, enabled=True)
            await client.get_api_keys(include_values=True)
            await client.test_invoke_method(
                rest_api_id="abc",
                resource_id="r1",
                http_method="GET",
                headers={"Authorization": BEARER, "x-api-key": API_KEY_VALUE, "Accept": "*/*"},
            )
            await client.import_api_keys(
                body=f"key,name\n{CSV_SECRET},imported\n".encode(), format="csv"
            )
    text = all_text(caplog)
    wire = [r.getMessage() for r in caplog.records if r.name == "aioapigateway.wire"]
    assert len(wire) == 8  # a request and a response line per call
    # What is shown...
    assert '"name": "mine"' in text and '"enabled": true' in text
    assert "'X-Amz-Date':" in text and '"Accept": "*/*"' in text
    assert "not JSON: not shown" in text
    # ...and what never is.
    sent_authorization = server.requests[0].headers["authorization"]
    for secret in (
        SECRET_KEY,
        SESSION_TOKEN,
        API_KEY_VALUE,
        BEARER,
        CSV_SECRET,
        sent_authorization,
        sent_authorization.split("Signature=")[1],
    ):
        assert secret not in text
    assert "'Authorization': '<redacted>'" in text
    assert "'X-Amz-Security-Token': '<redacted>'" in text
    assert '"value": "<redacted>"' in text


async def test_error_bodies_are_logged_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aioapigateway.wire")
    body = {"message": "bad", "value": API_KEY_VALUE}
    async with fault_server() as server:
        server.script(Reply(400, json.dumps(body), {"x-amzn-ErrorType": "BadRequestException"}))
        async with make_client(server, log_bodies=True) as client:
            with pytest.raises(Exception, match="BadRequest"):
                await client.get_rest_api(rest_api_id="abc")
    assert '"message": "bad"' in caplog.text and API_KEY_VALUE not in caplog.text


def test_redaction_helpers() -> None:
    headers = redact_headers(
        [("Authorization", "AWS4 x"), ("x-api-key", "k"), ("Accept", "a"), ("Accept", "b")]
    )
    assert headers == {"Authorization": "<redacted>", "x-api-key": "<redacted>", "Accept": "a, b"}
    assert redact_headers({"Set-Cookie": "s=1", "X-Amz-Security-Token": "t"}) == {
        "Set-Cookie": "<redacted>",
        "X-Amz-Security-Token": "<redacted>",
    }
    nested = {"a": [{"Value": "v", "b": {"secret_access_key": "s", "x-api-key": "k"}}], "n": 1}
    assert json.loads(redact_body(json.dumps(nested).encode())) == {
        "a": [
            {
                "Value": "<redacted>",
                "b": {"secret_access_key": "<redacted>", "x-api-key": "<redacted>"},
            }
        ],
        "n": 1,
    }
    assert redact_body(b"") == "<empty>"
    assert redact_body(b"\xff\xfe") == "<2 bytes, not JSON: not shown>"
    assert redact_body(b"[" * 100_000) == "<100000 bytes, not JSON: not shown>"
    assert redact_body(json.dumps({"x": "y" * 10_000}).encode()).endswith("(10009 bytes)")
    assert redact_url("http://h/p?limit=5&X-Amz-Security-Token=t") == (
        "http://h/p?limit=5&X-Amz-Security-Token=<redacted>"
    )
    assert redact_url("http://h/p?limit=5") == "http://h/p?limit=5"
    assert redact_url("http://h/p") == "http://h/p"


# -- secrets in transport errors ---------------------------------------------------------------

#: A response header line longer than aiohttp accepts: it cannot parse the response and raises
#: an error whose repr holds the request's headers (signature and session token included).
OVERLONG_HEADER = Reply(200, b"{}", {"X-Long": "a" * 9000})


async def test_an_unparseable_response_leaks_no_header_into_errors_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="aioapigateway")
    async with fault_server() as server:
        server.default = OVERLONG_HEADER
        async with make_client(server, log_bodies=True, max_attempts=2) as client:
            (await client._start()).retry.random = lambda: 0.0
            with pytest.raises(errors.TransportError) as caught:
                await client.get_rest_api(rest_api_id="abc")
    error = caught.value
    assert server.count == 2
    assert str(error) == f"GET {server.url}/restapis/abc: ClientResponseError (status 400)"
    assert isinstance(error.__cause__, aiohttp.ClientResponseError)
    # The cause keeps the header names, not their values.
    assert error.__cause__.request_info.headers["Authorization"] == "<redacted>"
    signatures = [r.headers["authorization"] for r in server.requests]
    assert signatures[0].startswith("AWS4-HMAC-SHA256 ")
    secrets = [*signatures, *(s.split("Signature=")[1] for s in signatures)]
    assert_no_secret(error_texts(error), *secrets)
    assert_no_secret(all_text(caplog), *secrets)
    assert "-> TransportError: GET" in caplog.text


async def test_a_proxy_password_never_reaches_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aioapigateway")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://proxyuser:PROXYPASS1234@127.0.0.1:{port}")
    async with ApiGatewayClient(
        region="us-east-1",
        endpoint_url="http://apigateway.invalid",
        credentials=Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN),
        config=ClientConfig(max_attempts=1),
    ) as client:
        with pytest.raises(errors.TransportError) as caught:
            await client.get_rest_apis()
    assert str(caught.value).startswith("GET http://apigateway.invalid/restapis: cannot connect (")
    assert_no_secret(error_texts(caught.value), "PROXYPASS1234")
    assert_no_secret(all_text(caplog), "PROXYPASS1234")


async def test_credential_http_errors_leak_no_header() -> None:
    from aioapigateway.runtime.credentials.http import (
        CredentialHttp,
        CredentialHttpError,
        request_timeout,
    )

    token = "ContainerAuthorizationTokenSECRET42"
    async with fault_server() as server, aiohttp.ClientSession() as session:
        server.default = OVERLONG_HEADER
        with pytest.raises(CredentialHttpError) as caught:
            await CredentialHttp().request(
                session,
                "GET",
                f"{server.url}/v2/credentials?x=1",
                timeout=request_timeout(5.0),
                headers={"Authorization": token, "X-Amz-Security-Token": SESSION_TOKEN},
            )
    assert str(caught.value) == (
        f"GET {server.url}/v2/credentials: ClientResponseError (status 400)"
    )
    assert server.requests[0].headers["authorization"] == token
    assert_no_secret(error_texts(caught.value), token)
