"""A fault-injection HTTP/1.1 server on 127.0.0.1:0, scripted request by request.

It is a raw asyncio protocol (not aiohttp.web) so that it can misbehave on purpose: reset a
connection before or after the headers, stall before the headers or in the middle of the
body, promise more bytes than it sends, or answer with anything at all.

::

    async with fault_server() as server:
        server.script(Reply(429, ...), Reply(200, body=...))
        ...
        assert server.count == 2

Each request takes the next scripted action (an :class:`Action`, or a callable that gets the
:class:`Request` and returns one); when the script is empty, :attr:`FaultServer.default`
answers. The server counts requests and open connections (now and at most).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import socket
import struct
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

__all__ = [
    "Action",
    "FaultServer",
    "Hang",
    "Reply",
    "Request",
    "Reset",
    "error_reply",
    "fault_server",
    "json_reply",
]

REST_API = {"id": "abc", "name": "pets", "createdDate": 1795637682, "apiKeySource": "HEADER"}


class Request:
    """One request as the server read it; header names are lower case."""

    def __init__(self, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.target = target
        self.path = target.partition("?")[0]
        self.headers = headers
        self.body = body
        self.received = time.monotonic()

    def __repr__(self) -> str:
        return f"Request({self.method} {self.target})"


class Action:
    """What the server does with one request."""

    async def run(self, server: FaultServer, writer: asyncio.StreamWriter) -> bool:
        """Act; return ``False`` when the connection must not be reused."""
        raise NotImplementedError


class Reply(Action):
    """An HTTP response, optionally late, slow or short.

    ``delay``: seconds before anything is sent (slow headers). ``body_delay``: seconds
    between the first half of the body and the rest (slow body). ``declared_length``: the
    Content-Length to announce instead of the real one; with ``close=True`` the connection
    is closed after the (short) body, which truncates it.
    """

    def __init__(
        self,
        status: int = 200,
        body: bytes | str | dict[str, Any] = b"{}",
        headers: dict[str, str] | None = None,
        *,
        delay: float = 0.0,
        body_delay: float = 0.0,
        declared_length: int | None = None,
        close: bool = False,
    ) -> None:
        if isinstance(body, dict):
            body = json.dumps(body)
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.delay = delay
        self.body_delay = body_delay
        self.declared_length = declared_length
        self.close = close

    def head(self) -> bytes:
        try:
            reason = HTTPStatus(self.status).phrase
        except ValueError:
            reason = "Unknown"
        length = len(self.body) if self.declared_length is None else self.declared_length
        lines = [f"HTTP/1.1 {self.status} {reason}", f"Content-Length: {length}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def run(self, server: FaultServer, writer: asyncio.StreamWriter) -> bool:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.body_delay:
            half = len(self.body) // 2
            writer.write(self.head() + self.body[:half])
            await writer.drain()
            await asyncio.sleep(self.body_delay)
            writer.write(self.body[half:])
        else:
            writer.write(self.head() + self.body)
        await writer.drain()
        return not self.close


class Reset(Action):
    """Reset the connection (RST): before anything is sent, or after the headers and
    part of the body."""

    def __init__(self, *, after_headers: bool = False) -> None:
        self.after_headers = after_headers

    async def run(self, server: FaultServer, writer: asyncio.StreamWriter) -> bool:
        if self.after_headers:
            reply = Reply(200, json.dumps(REST_API))
            writer.write(reply.head() + reply.body[:10])
            await writer.drain()
            await asyncio.sleep(0.01)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return False


class Hang(Action):
    """Never answer (until the server stops)."""

    async def run(self, server: FaultServer, writer: asyncio.StreamWriter) -> bool:
        await asyncio.Event().wait()
        return False


def json_reply(status: int = 200, document: Any = None, **headers: str) -> Reply:
    return Reply(status, json.dumps(REST_API if document is None else document), headers)


def error_reply(status: int, code: str, message: str = "", **headers: str) -> Reply:
    headers = {"x-amzn-ErrorType": code, "x-amzn-RequestId": f"req-{code}", **headers}
    return Reply(status, json.dumps({"message": message or code}), headers)


ScriptItem = Action | Callable[[Request], Action]


class FaultServer:
    """The server's state: its script, what it received, its connections."""

    def __init__(self, *, record: bool = True) -> None:
        self.record = record
        self.requests: list[Request] = []
        self.count = 0
        self.active_connections = 0
        self.max_connections = 0
        self.total_connections = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.default: ScriptItem = json_reply()
        self.url = ""
        self._script: list[ScriptItem] = []
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.received = asyncio.Event()

    def script(self, *actions: ScriptItem) -> None:
        """Queue actions for the next requests, in order."""
        self._script.extend(actions)

    @property
    def pending(self) -> int:
        return len(self._script)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        for task in list(self._handlers):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.active_connections += 1
        self.total_connections += 1
        self.max_connections = max(self.max_connections, self.active_connections)
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    break
                self.count += 1
                if self.record:
                    self.requests.append(request)
                self.received.set()
                item = self._script.pop(0) if self._script else self.default
                action = item if isinstance(item, Action) else item(request)
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
                try:
                    keep = await action.run(self, writer)
                finally:
                    self.in_flight -= 1
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # stop() cancels the connections still open; end quietly (a cancelled handler
            # task makes Python 3.11's StreamReaderProtocol log an error).
            if not self._stopping:
                raise
        finally:
            self.active_connections -= 1
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        body = await reader.readexactly(length) if length else b""
        return Request(method, target, headers, body)


@asynccontextmanager
async def fault_server(*, record: bool = True) -> AsyncIterator[FaultServer]:
    server = FaultServer(record=record)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)
