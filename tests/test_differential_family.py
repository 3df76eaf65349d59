"""Differential tests of the family packages against botocore, for every operation.

``aioapigateway.v2`` (103 operations) and ``aioapigateway.management`` (3), as
``test_differential.py`` does for the root package: random valid inputs through botocore's
rest-json serializer and through our client to a loopback server that records the raw
request; random valid responses through botocore's parser and through our client. Values
are compared type-strictly (``True`` is not ``1``).

The management client is given an endpoint URL with a base path (``/prod``, as a callback
URL has), so every request path must be botocore's path under that prefix.
"""

from __future__ import annotations

import copy
import importlib
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import botocore.model
import pytest
import pytest_asyncio
from _botocore_oracle import (
    InputGenerator,
    OutputGenerator,
    botocore_parse,
    botocore_request,
    compare_output,
    to_kwargs,
)
from aiohttp import web
from botocore import xform_name
from test_differential import Recorded, request_problems

import aioapigateway
import aioapigateway.management
import aioapigateway.v2

pytestmark = pytest.mark.asyncio(loop_scope="module")

TRIALS = 5
SPEC = Path(__file__).resolve().parents[1] / "spec"
DEFAULT_RESPONSE = (200, {"Content-Type": "application/json"}, b"{}")


class Package:
    """One generated package and the botocore model of the same spec file."""

    def __init__(self, package: str, service: str, version: str, base_path: str) -> None:
        self.package = package
        spec = json.loads((SPEC / service / version / "service-2.json").read_text("utf-8"))
        self.model = botocore.model.ServiceModel(spec, service_name=service)
        self.service = importlib.import_module(f"{package}._spec").SERVICE
        self.client_class: type[Any] = importlib.import_module(package).Client
        #: The endpoint URL's path, which must prefix every request path.
        self.base_path = base_path


PACKAGES = {
    "v2": Package("aioapigateway.v2", "apigatewayv2", "2018-11-29", ""),
    "management": Package(
        "aioapigateway.management", "apigatewaymanagementapi", "2018-11-29", "/prod"
    ),
}
CASES = [(key, op) for key, pkg in PACKAGES.items() for op in sorted(pkg.model.operation_names)]
OUTPUT_CASES = [
    (key, op) for key, op in CASES if PACKAGES[key].model.operation_model(op).output_shape
]


async def test_every_operation_is_covered() -> None:
    counts = {key: sum(1 for k, _ in CASES if k == key) for key in PACKAGES}
    assert counts == {"v2": 103, "management": 3}


class Harness:
    """A loopback server recording requests and serving canned responses; a client per package."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.response: tuple[int, dict[str, str], bytes] = DEFAULT_RESPONSE
        self.sent_headers: dict[str, str] = {}
        self.clients: dict[str, Any] = {}

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(Recorded(request.method, request.raw_path, request.headers, body))
        status, headers, payload = self.response
        response = web.Response(status=status, headers=headers, body=payload)
        await response.prepare(request)
        self.sent_headers = dict(response.headers)
        await response.write_eof()
        return response

    async def call(
        self,
        key: str,
        operation: botocore.model.OperationModel,
        params: dict[str, Any],
        response: tuple[int, dict[str, str], bytes] = DEFAULT_RESPONSE,
    ) -> tuple[Any, Recorded]:
        self.requests.clear()
        self.response = response
        kwargs = {}
        if operation.input_shape is not None:
            kwargs = to_kwargs(operation.input_shape, copy.deepcopy(params), PACKAGES[key].service)
        result = await getattr(self.clients[key], xform_name(operation.name))(**kwargs)
        assert len(self.requests) == 1, f"expected one request, the server saw {self.requests}"
        return result, self.requests[0]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def harness() -> AsyncIterator[Harness]:
    state = Harness()
    runner = web.ServerRunner(web.Server(state.handle))
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    await web.SockSite(runner, sock).start()
    try:
        for key, pkg in PACKAGES.items():
            state.clients[key] = pkg.client_class(
                region="us-east-1",
                endpoint_url=f"http://127.0.0.1:{port}{pkg.base_path}",
                credentials=aioapigateway.Credentials("AKID", "SECRET"),
                config=aioapigateway.ClientConfig(max_attempts=1),
            )
        yield state
    finally:
        for client in state.clients.values():
            await client.close()
        await runner.cleanup()
        sock.close()


@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize(("key", "op_name"), CASES)
async def test_request_matches_botocore(
    harness: Harness, key: str, op_name: str, trial: int
) -> None:
    pkg = PACKAGES[key]
    operation = pkg.model.operation_model(op_name)
    params = InputGenerator(f"{key}/request/{op_name}/{trial}").operation_input(operation)
    expected = botocore_request(operation, copy.deepcopy(params), accept_json=False)
    expected.path = pkg.base_path + expected.path
    result, got = await harness.call(key, operation, params)
    problems = request_problems(expected, got)
    assert not problems, f"{op_name}({params!r}):\n  " + "\n  ".join(problems)
    if operation.output_shape is None:
        assert result is None


@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize(("key", "op_name"), OUTPUT_CASES)
async def test_response_matches_botocore(
    harness: Harness, key: str, op_name: str, trial: int
) -> None:
    pkg = PACKAGES[key]
    operation = pkg.model.operation_model(op_name)
    assert isinstance(operation.output_shape, botocore.model.StructureShape)
    params = InputGenerator(f"{key}/response-input/{op_name}/{trial}").operation_input(operation)
    headers, body = OutputGenerator(f"{key}/response/{op_name}/{trial}").response(operation)
    status = operation.http.get("responseCode", 200)
    result, _ = await harness.call(key, operation, params, response=(status, headers, body))
    theirs = botocore_parse(operation, status, harness.sent_headers, body)
    problems = compare_output(result, theirs, operation.output_shape, pkg.service)
    assert not problems, f"{op_name} with headers {headers!r} and body {body!r}:\n  " + "\n  ".join(
        problems
    )


async def test_post_to_connection_sends_the_bytes_under_the_stage_path(harness: Harness) -> None:
    data = bytes(range(256))
    operation = PACKAGES["management"].model.operation_model("PostToConnection")
    _, got = await harness.call("management", operation, {"ConnectionId": "abc=", "Data": data})
    assert (got.method, got.path, got.body) == ("POST", "/prod/@connections/abc%3D", data)
