"""Differential tests: our client against botocore (a test-only oracle), for every operation.

Request side: random valid inputs go through botocore's rest-json serializer and through our
client to a loopback aiohttp server that records the raw request; method, raw path, query,
modeled headers and body must agree. Response side: random valid responses, served by the same
server, go through botocore's rest-json parser and through our client; the parsed values must
agree. The model is the project's spec file, loaded into botocore's ``ServiceModel``.
"""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import botocore.model
import pytest
import pytest_asyncio
from _botocore_oracle import (
    AWKWARD_LABEL,
    SERVICE_MODEL,
    Expected,
    InputGenerator,
    OutputGenerator,
    botocore_parse,
    botocore_request,
    compare_output,
    query_pairs,
    raw_query_pairs,
    to_kwargs,
)
from _json_strict import json_differences
from aiohttp import web
from botocore import xform_name
from multidict import CIMultiDictProxy

import aioapigateway

pytestmark = pytest.mark.asyncio(loop_scope="module")

TRIALS = 5
OPERATIONS = sorted(SERVICE_MODEL.operation_names)
OUTPUT_OPERATIONS = [
    name for name in OPERATIONS if SERVICE_MODEL.operation_model(name).output_shape is not None
]
DEFAULT_RESPONSE = (200, {"Content-Type": "application/json"}, b"{}")


class Recorded:
    """One request as the server saw it."""

    def __init__(
        self, method: str, raw_path: str, headers: CIMultiDictProxy[str], body: bytes
    ) -> None:
        self.method = method
        self.path, _, self.raw_query = raw_path.partition("?")
        self.headers = headers
        self.body = body


class Harness:
    """A loopback server that records requests and serves canned responses, and our client."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.response: tuple[int, dict[str, str], bytes] = DEFAULT_RESPONSE
        self.sent_headers: dict[str, str] = {}
        self.client: aioapigateway.ApiGatewayClient | None = None

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(Recorded(request.method, request.raw_path, request.headers, body))
        status, headers, payload = self.response
        response = web.Response(status=status, headers=headers, body=payload)
        await response.prepare(request)
        # What the client sees, with what aiohttp filled in (a default Content-Type).
        self.sent_headers = dict(response.headers)
        await response.write_eof()
        return response

    async def call(
        self,
        operation: botocore.model.OperationModel,
        params: dict[str, Any],
        response: tuple[int, dict[str, str], bytes] = DEFAULT_RESPONSE,
    ) -> tuple[Any, Recorded]:
        assert self.client is not None
        self.requests.clear()
        self.response = response
        kwargs = {}
        if operation.input_shape is not None:
            kwargs = to_kwargs(operation.input_shape, copy.deepcopy(params))
        method = getattr(self.client, xform_name(operation.name))
        result = await method(**kwargs)
        assert len(self.requests) == 1, f"expected one request, the server saw {self.requests}"
        return result, self.requests[0]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def harness() -> AsyncIterator[Harness]:
    state = Harness()
    server = web.Server(state.handle)
    runner = web.ServerRunner(server)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        async with aioapigateway.ApiGatewayClient(
            region="us-east-1",
            endpoint_url=f"http://127.0.0.1:{port}",
            credentials=aioapigateway.Credentials("AKID", "SECRET"),
            config=aioapigateway.ClientConfig(max_attempts=1),
        ) as client:
            state.client = client
            yield state
    finally:
        await runner.cleanup()
        sock.close()


def request_problems(expected: Expected, got: Recorded) -> list[str]:
    """Every way the recorded request differs from botocore's."""
    problems = []
    if got.method != expected.method:
        problems.append(f"method: botocore {expected.method}, ours {got.method}")
    if got.path != expected.path:
        problems.append(f"path: botocore {expected.path!r}, ours {got.path!r}")
    query = query_pairs(got.raw_query)
    if query != expected.query:
        problems.append(
            f"query: botocore {sorted(expected.query.elements())}, ours {sorted(query.elements())}"
        )
    elif raw_query_pairs(got.raw_query) != expected.raw_query:
        problems.append(
            f"query encoding: botocore {sorted(expected.raw_query.elements())}, "
            f"ours {sorted(raw_query_pairs(got.raw_query).elements())}"
        )
    for name, value in expected.headers.items():
        ours = got.headers.getall(name, [])
        if ours != [value]:
            problems.append(f"header {name}: botocore {value!r}, ours {ours!r}")
    if not any(name.lower() == "content-type" for name in expected.headers):
        ours = got.headers.getall("Content-Type", [])
        if ours:
            problems.append(f"header Content-Type: botocore sends none, ours {ours!r}")
    if expected.json_body:
        try:
            ours_body = json.loads(got.body)
        except ValueError:
            problems.append(f"body: botocore sends JSON {expected.body!r}, ours {got.body!r}")
        else:
            differences = json_differences(ours_body, json.loads(expected.body))
            if differences:
                problems.append(
                    f"body: botocore {expected.body!r}, ours {got.body!r}: "
                    + "; ".join(differences)
                )
    elif got.body != expected.body:
        problems.append(f"body: botocore {expected.body!r}, ours {got.body!r}")
    return problems


async def check_request(harness: Harness, op_name: str, params: dict[str, Any]) -> Any:
    operation = SERVICE_MODEL.operation_model(op_name)
    expected = botocore_request(operation, copy.deepcopy(params))
    result, got = await harness.call(operation, params)
    problems = request_problems(expected, got)
    assert not problems, f"{op_name}({params!r}):\n  " + "\n  ".join(problems)
    return result


# --------------------------------------------------------------------------------------------
# Every operation, random inputs and outputs


@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize("op_name", OPERATIONS)
async def test_request_matches_botocore(harness: Harness, op_name: str, trial: int) -> None:
    operation = SERVICE_MODEL.operation_model(op_name)
    params = InputGenerator(f"request/{op_name}/{trial}").operation_input(operation)
    result = await check_request(harness, op_name, params)
    if operation.output_shape is None:
        assert result is None


@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize("op_name", OUTPUT_OPERATIONS)
async def test_response_matches_botocore(harness: Harness, op_name: str, trial: int) -> None:
    operation = SERVICE_MODEL.operation_model(op_name)
    assert isinstance(operation.output_shape, botocore.model.StructureShape)
    params = InputGenerator(f"response-input/{op_name}/{trial}").operation_input(operation)
    headers, body = OutputGenerator(f"response/{op_name}/{trial}").response(operation)
    status = operation.http.get("responseCode", 200)
    result, _ = await harness.call(operation, params, response=(status, headers, body))
    theirs = botocore_parse(operation, status, harness.sent_headers, body)
    problems = compare_output(result, theirs, operation.output_shape)
    assert not problems, f"{op_name} with headers {headers!r} and body {body!r}:\n  " + "\n  ".join(
        problems
    )


# --------------------------------------------------------------------------------------------
# Targeted cases


@pytest.mark.parametrize(
    "label",
    [AWKWARD_LABEL, "..", ".", "%2F", "a/../b", "~user", "+ +", "日本", "?", "#frag", "%"],
)
async def test_awkward_uri_label(harness: Harness, label: str) -> None:
    await check_request(harness, "GetRestApi", {"restApiId": label})
    await check_request(
        harness, "GetResource", {"restApiId": label, "resourceId": label, "embed": [label]}
    )


@pytest.mark.parametrize(
    ("op_name", "params"),
    [
        ("ImportRestApi", {"body": b'{"openapi": "3.0.1"}'}),
        (
            "ImportRestApi",
            {
                "body": b"swagger: '2.0'\n",
                "failOnWarnings": True,
                "parameters": {"endpointConfigurationTypes": "REGIONAL", "basepath": "split"},
            },
        ),
        ("ImportApiKeys", {"body": b"name,key\nk1,v1\n", "format": "csv"}),
        ("ImportApiKeys", {"body": b"", "format": "csv", "failOnWarnings": False}),
    ],
)
async def test_constant_query_in_request_uri(
    harness: Harness, op_name: str, params: dict[str, Any]
) -> None:
    await check_request(harness, op_name, params)
    got = harness.requests[0]
    assert ("mode", "import") in query_pairs(got.raw_query)
    assert got.path in ("/restapis", "/apikeys")


@pytest.mark.parametrize("accepts", [None, "application/yaml", "application/json", "*/*", ""])
async def test_get_export_accepts_overrides_accept(harness: Harness, accepts: str | None) -> None:
    params: dict[str, Any] = {"restApiId": "abc123", "stageName": "prod", "exportType": "oas30"}
    if accepts is not None:
        params["accepts"] = accepts
    await check_request(harness, "GetExport", params)
    expected = "application/json" if accepts is None else accepts
    assert harness.requests[0].headers.getall("Accept") == [expected]


@pytest.mark.parametrize(
    "body",
    [bytes(range(256)), b"", b'{"openapi": "3.0.1", "info": {"title": "\xc3\xa9"}}', b"\x00\xff"],
)
@pytest.mark.parametrize("op_name", ["PutRestApi", "ImportRestApi"])
async def test_blob_payload_bodies(harness: Harness, op_name: str, body: bytes) -> None:
    params: dict[str, Any] = {"body": body}
    if op_name == "PutRestApi":
        params.update(restApiId="r1", mode="overwrite")
    await check_request(harness, op_name, params)
    assert harness.requests[0].body == body


AWKWARD_MAP = {
    "ignore": "documentation",
    "a b": "c d",
    "k&=?": "v&=?#",
    "plus+": "1+1=2",
    "pct%": "100%",
    "uni日本": "é~",
    "empty": "",
    "slash/": "/x/y",
    "": "empty key",
    "tilde~": "a~b",
}


@pytest.mark.parametrize(
    ("op_name", "params"),
    [
        ("ImportRestApi", {"body": b"{}", "parameters": AWKWARD_MAP}),
        (
            "PutRestApi",
            {"restApiId": "r1", "body": b"{}", "failOnWarnings": True, "parameters": AWKWARD_MAP},
        ),
        (
            "GetExport",
            {
                "restApiId": "r1",
                "stageName": "dev",
                "exportType": "swagger",
                "parameters": AWKWARD_MAP,
            },
        ),
        (
            "GetSdk",
            {"restApiId": "r1", "stageName": "dev", "sdkType": "java", "parameters": AWKWARD_MAP},
        ),
        ("GetSdk", {"restApiId": "r1", "stageName": "dev", "sdkType": "java", "parameters": {}}),
    ],
)
async def test_map_in_query_string(harness: Harness, op_name: str, params: dict[str, Any]) -> None:
    await check_request(harness, op_name, params)
    query = query_pairs(harness.requests[0].raw_query)
    for key, value in params["parameters"].items():
        assert query[(key, value)] == 1
