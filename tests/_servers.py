"""A scriptable loopback HTTP server for tests: records requests, replays canned responses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

__all__ = ["Recorded", "RecordingServer", "recording_server"]


class Recorded:
    """One request as the server saw it."""

    def __init__(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.raw_path = raw_path
        self.path, _, self.query_string = raw_path.partition("?")
        self.headers = headers
        self.body = body


Reply = tuple[int, dict[str, str], bytes]


class RecordingServer:
    """Answers each request with the next queued reply (or the default one)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: list[Reply | Callable[[Recorded], Reply]] = []
        self.default: Reply = (200, {"Content-Type": "application/json"}, b"{}")
        self.url = ""

    def reply(self, status: int = 200, body: bytes | str = b"{}", **headers: str) -> None:
        """Queue one reply."""
        data = body.encode() if isinstance(body, str) else body
        self.replies.append((status, {"Content-Type": "application/json", **headers}, data))

    async def _handle(self, request: web.Request) -> web.Response:
        recorded = Recorded(
            request.method, request.raw_path, dict(request.headers), await request.read()
        )
        self.requests.append(recorded)
        reply: Any = self.replies.pop(0) if self.replies else self.default
        if callable(reply):
            reply = reply(recorded)
        status, headers, body = reply
        return web.Response(status=status, headers=headers, body=body)


@asynccontextmanager
async def recording_server() -> AsyncIterator[RecordingServer]:
    """Start a RecordingServer on 127.0.0.1 with a free port; stop it on exit."""
    server = RecordingServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server._handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()
