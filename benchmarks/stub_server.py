"""A stub API Gateway control-plane server for the benchmarks.

Runs in its own process so that its CPU time never counts as the client's:

    python benchmarks/stub_server.py [--port 0]

binds 127.0.0.1 (port 0 = a free port), prints ``READY <port>`` on stdout once it accepts
connections, and serves until SIGTERM/SIGINT (or until its parent process is gone). HTTP/1.1 keep-alive, no access log, every
response body precomputed, so it does as little per request as aiohttp.web allows.

Routes (what the benchmarks call):

- ``GET /restapis/{id}``: a canned RestApi; ``id`` "missing" gives the service's 404
  (``x-amzn-ErrorType: NotFoundException``, ``{"message": "Invalid API identifier specified"}``).
- ``GET /restapis``: one 25-item page ``{"item": [...], "position": "..."}`` whatever the query.
- ``POST /prod/@connections/{id}``: the connections API's ``PostToConnection`` under a stage
  path (a callback URL's): the body is read and dropped; 200 with an empty body, as AWS.

Every response carries an ``x-amzn-RequestId``. Signatures are not checked.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys
from typing import Any

from aiohttp import web

CREATED = 1732560000  # API Gateway sends epoch seconds as a JSON number.
NOT_FOUND_ID = "missing"


def rest_api(index: int, api_id: str) -> dict[str, Any]:
    """One RestApi as API Gateway returns it (wire names)."""
    return {
        "id": api_id,
        "name": f"pets-api-{index}",
        "description": f"Pet store API number {index}, managed by the platform team",
        "createdDate": CREATED + index * 3600,
        "version": "2024-11-25",
        "apiKeySource": "HEADER",
        "endpointConfiguration": {"types": ["REGIONAL"], "ipAddressType": "ipv4"},
        "tags": {
            "team": "platform",
            "env": "prod",
            "cost-center": "cc-1234",
            "owner": f"owner{index}@example.com",
        },
        "disableExecuteApiEndpoint": False,
        "rootResourceId": f"r{index:04d}root",
    }


def _dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


GET_REST_API_BODY = _dump(rest_api(0, "abc"))
GET_REST_APIS_BODY = _dump(
    {
        "item": [rest_api(i, f"a{i:09d}") for i in range(25)],
        "position": "eyJpZCI6ImEwMDAwMDAwMjQiLCJsYXN0IjoxNzMyNjQ2NDAwfQ==",
    }
)
NOT_FOUND_BODY = _dump({"message": "Invalid API identifier specified"})
CONTENT_TYPE = "application/json"

_request_ids = itertools.count(1)


def _headers(error_type: str | None = None) -> dict[str, str]:
    # A cheap, unique, uuid-shaped request id.
    headers = {"x-amzn-RequestId": f"b3f1c2d4-0000-4000-8000-{next(_request_ids):012d}"}
    if error_type is not None:
        headers["x-amzn-ErrorType"] = error_type
    return headers


async def get_rest_api(request: web.Request) -> web.Response:
    if request.match_info["id"] == NOT_FOUND_ID:
        return web.Response(
            status=404,
            body=NOT_FOUND_BODY,
            content_type=CONTENT_TYPE,
            headers=_headers("NotFoundException"),
        )
    return web.Response(body=GET_REST_API_BODY, content_type=CONTENT_TYPE, headers=_headers())


async def get_rest_apis(request: web.Request) -> web.Response:
    return web.Response(body=GET_REST_APIS_BODY, content_type=CONTENT_TYPE, headers=_headers())


async def post_to_connection(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(headers=_headers())


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/restapis", get_rest_apis)
    app.router.add_get("/restapis/{id}", get_rest_api)
    app.router.add_post("/prod/@connections/{id}", post_to_connection)
    return app


async def _orphan_watch(parent: int, stop: asyncio.Event) -> None:
    """Stop when the process that started the server is gone (it was killed, say)."""
    while not stop.is_set() and os.getppid() == parent:
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            pass
    stop.set()


async def serve(port: int) -> None:
    runner = web.AppRunner(make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    bound = runner.addresses[0][1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watch = asyncio.create_task(_orphan_watch(os.getppid(), stop))
    print(f"READY {bound}", flush=True)
    try:
        await stop.wait()
    finally:
        await watch
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 (default) = a free port")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
