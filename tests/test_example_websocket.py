"""``examples/websocket_broadcast.py``: served on loopback, posting to moto's connections API.

moto never answers ``GoneException`` (every connection id exists for it), so the dropping
of gone connections, the failure count and the fan-out bound are driven by a loopback
server that answers per connection id.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import pytest_asyncio
from _servers import Recorded, recording_server
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import aioapigateway
from aioapigateway.management import ApiGatewayManagementApiClient

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "websocket_broadcast.py"
CREDENTIALS = aioapigateway.Credentials("testing", "testing")


@pytest.fixture(scope="module")
def example() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("websocket_broadcast", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["websocket_broadcast"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["websocket_broadcast"]


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Any]:
    clients: list[TestClient[web.Request, web.Application]] = []

    async def start(app: web.Application) -> TestClient[web.Request, web.Application]:
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


async def connect(http: TestClient[web.Request, web.Application], *ids: str) -> None:
    for connection_id in ids:
        response = await http.put(f"/connections/{connection_id}")
        assert response.status == 204


async def test_broadcast_through_moto(example: ModuleType, serve: Any, moto_url: str) -> None:
    app = example.make_app(endpoint_url=moto_url, region="us-east-1", credentials=CREDENTIALS)
    http = await serve(app)
    ids = [f"conn-{i}" for i in range(25)]
    await connect(http, *ids)
    response = await http.post("/broadcast", data=b'{"text": "hello"}')
    assert response.status == 200
    assert await response.json() == {"delivered": 25, "gone": 0, "failed": 0}
    assert (await http.delete("/connections/conn-0")).status == 204
    response = await http.post("/broadcast", data=b"[1, 2]")
    assert await response.json() == {"delivered": 24, "gone": 0, "failed": 0}
    assert (await (await http.get("/connections")).json())["connections"] == sorted(ids[1:])


async def test_gone_connections_are_dropped_and_failures_counted(
    example: ModuleType, serve: Any
) -> None:
    limit = 4
    state = {"in_flight": 0, "peak": 0}
    full = asyncio.Event()

    async def answer(request: web.Request) -> web.Response:
        state["in_flight"] += 1
        state["peak"] = max(state["peak"], state["in_flight"])
        if state["in_flight"] >= limit:
            full.set()
        try:
            # Hold the first calls until the fan-out bound is reached, so the peak is exact.
            await asyncio.wait_for(full.wait(), 10)
        finally:
            state["in_flight"] -= 1
        connection_id = request.match_info["connection_id"]
        if connection_id.startswith("gone-"):
            return web.json_response({}, status=410, headers={"x-amzn-ErrorType": "GoneException"})
        if connection_id.startswith("bad-"):
            return web.json_response({"message": "boom"}, status=500)
        return web.json_response({})

    backend = web.Application()
    backend.router.add_post("/prod/@connections/{connection_id}", answer)
    api = await serve(backend)
    app = example.make_app(
        endpoint_url=str(api.make_url("/prod")),
        region="us-east-1",
        credentials=CREDENTIALS,
        max_in_flight=limit,
        config=aioapigateway.ClientConfig(max_attempts=1),
    )
    http = await serve(app)
    ids = [f"ok-{i}" for i in range(12)] + ["gone-1", "gone-2", "gone-3", "bad-1", "bad-2"]
    await connect(http, *ids)
    response = await http.post("/broadcast", data=b'{"text": "hi"}')
    assert await response.json() == {"delivered": 12, "gone": 3, "failed": 2}
    assert state["peak"] == limit
    known = (await (await http.get("/connections")).json())["connections"]
    assert known == sorted(i for i in ids if not i.startswith("gone-"))
    response = await http.post("/broadcast", data=b"{}")
    assert await response.json() == {"delivered": 12, "gone": 0, "failed": 2}


async def test_bad_messages_are_refused_and_nothing_is_sent(
    example: ModuleType, serve: Any
) -> None:
    async with recording_server() as api:
        app = example.make_app(
            endpoint_url=api.url + "/prod", region="us-east-1", credentials=CREDENTIALS
        )
        http = await serve(app)
        await connect(http, "a")
        assert (await http.post("/broadcast", data=b"not json")).status == 400
        assert (await http.post("/broadcast", data=b"1" * (128 * 1024 + 1))).status == 413
        requests: list[Recorded] = api.requests
        assert requests == []


async def test_the_broadcaster_bounds_the_calls_in_flight(example: ModuleType, serve: Any) -> None:
    # The client's own pool (100 connections) is larger than the bound: the semaphore holds it.
    limit = 3
    state = {"in_flight": 0, "peak": 0}
    full = asyncio.Event()

    async def answer(request: web.Request) -> web.Response:
        state["in_flight"] += 1
        state["peak"] = max(state["peak"], state["in_flight"])
        if state["in_flight"] >= limit:
            full.set()
        try:
            await asyncio.wait_for(full.wait(), 10)
            # One more turn of the loop: an unbounded fan-out would pile up meanwhile.
            await asyncio.sleep(0)
        finally:
            state["in_flight"] -= 1
        return web.json_response({})

    backend = web.Application()
    backend.router.add_post("/prod/@connections/{connection_id}", answer)
    api = await serve(backend)
    async with ApiGatewayManagementApiClient(
        region="us-east-1", endpoint_url=str(api.make_url("/prod")), credentials=CREDENTIALS
    ) as client:
        broadcaster = example.Broadcaster(client, max_in_flight=limit)
        for index in range(30):
            broadcaster.add(f"c{index}")
        report = await broadcaster.broadcast(b"{}")
    assert (report.delivered, report.gone, report.failed) == (30, 0, 0)
    assert state["peak"] == limit


def test_command_line_builds_the_callback_url(example: ModuleType) -> None:
    seen: dict[str, Any] = {}

    def run(app: web.Application, *, host: str, port: int) -> None:
        seen.update(app=app, host=host, port=port)

    example.main(["--api-id", "abc123", "--stage", "prod", "--region", "eu-west-1"], run=run)
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8080)
    args = example._parse_args(["--api-id", "abc123", "--stage", "prod", "--region", "eu-west-1"])
    assert args.endpoint_url == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    with pytest.raises(SystemExit):
        example._parse_args(["--api-id", "abc123"])
