"""The client's call path as stages (runtime/client.py), against a loopback server.

What the stage split itself could break and the other suites do not reach: a response body
that arrives in several pieces (the send stage keeps a list only from the second piece on).
The retry decision has its own unit tests (tests/test_attempts.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from aioapigateway import ApiGatewayClient, Credentials, models

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


@asynccontextmanager
async def piecewise_server(pieces: list[bytes]) -> AsyncIterator[str]:
    """A loopback server answering every request with ``pieces`` written one at a time,
    yielding to the loop between them so the client reads each as it comes."""

    async def handle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = sum(map(len, pieces))
        await response.prepare(request)
        for piece in pieces:
            await response.write(piece)
            await asyncio.sleep(0.02)  # let the client read this piece on its own
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("count", [1, 2, 3])
async def test_a_body_in_pieces_is_read_whole(count: int) -> None:
    document = json.dumps({"id": "abc", "name": "n", "description": "d" * 3000}).encode()
    size = -(-len(document) // count)
    pieces = [document[i : i + size] for i in range(0, len(document), size)]
    assert len(pieces) == count
    async with (
        piecewise_server(pieces) as url,
        ApiGatewayClient(region="us-east-1", endpoint_url=url, credentials=CREDS) as client,
    ):
        api = await client.get_rest_api(rest_api_id="abc")
    assert isinstance(api, models.RestApi)
    assert (api.id, api.name, api.description) == ("abc", "n", "d" * 3000)
