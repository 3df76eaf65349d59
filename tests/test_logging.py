"""Logging: one DEBUG line per attempt; bodies only on request; secrets never."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from _faults import FaultServer, Reply, error_reply, fault_server, json_reply

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors
from aioapigateway._wire import redact_body, redact_headers, redact_url

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
