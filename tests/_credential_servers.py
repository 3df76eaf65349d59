"""A loopback fake of the services credential providers call, for tests.

:class:`FakeAws` answers, on one ``127.0.0.1:0`` server:

* STS (``POST /``): ``AssumeRole`` (must be signed) and ``AssumeRoleWithWebIdentity``
  (must carry a token), with keys ``ASIASTS<n>`` / ``ASIAWEB<n>``;
* the SSO portal (``GET /federation/credentials``), keys ``ASIASSO<n>``, and SSO-OIDC
  (``POST /token``);
* EC2 instance metadata (``PUT /latest/api/token``, ``GET /latest/meta-data/...``),
  keys ``ASIAIMDS<n>``;
* container credentials (``GET /container/creds``), keys ``ASIACONT<n>``.

Tests queue replies per route (:meth:`FakeAws.queue`) to inject errors, malformed bodies
or hangs; every request is recorded. Nothing here talks to anything but loopback, and
:func:`loopback_only` makes any other connection attempt fail the test.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl

from aiohttp import web

__all__ = [
    "IMDS_TOKEN",
    "SECRET_MARKERS",
    "SSO_ACCESS_TOKEN",
    "FakeAws",
    "Hang",
    "Recorded",
    "fake_aws",
    "iso",
    "loopback_only",
]

UTC = datetime.UTC
#: Every secret the fake hands out or expects contains this marker.
SECRET_MARKERS = ("SECRETVALUE", "TOKENVALUE")
SSO_ACCESS_TOKEN = "sso-access-TOKENVALUE-1"
IMDS_TOKEN = "imds-session-TOKENVALUE"


def iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Recorded:
    """One request as the server saw it."""

    def __init__(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.raw_path = raw_path
        self.path, _, self.query_string = raw_path.partition("?")
        self.query = dict(parse_qsl(self.query_string, keep_blank_values=True))
        self.headers = headers
        self.body = body

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def __repr__(self) -> str:
        return f"<{self.method} {self.raw_path}>"


class Hang:
    """A reply that never comes (until the server shuts down)."""


Reply = tuple[int, dict[str, str], bytes] | Hang | Callable[[Recorded], Any]


class FakeAws:
    """The fake services; see the module docstring."""

    def __init__(self) -> None:
        self.url = ""
        self.requests: list[Recorded] = []
        self._queues: dict[tuple[str, str], list[Reply]] = {}
        self._release = asyncio.Event()
        self.counters: dict[str, int] = {}
        #: Lifetime of the credentials handed out, in seconds from now.
        self.expires_in = 3600.0
        #: Absolute expiry (epoch seconds) overriding ``expires_in`` when set.
        self.expires_at: float | None = None
        self.imds_role = "app-role"
        self.imds_allows_v1 = False
        #: The Authorization value the container endpoint requires (None: any).
        self.container_token: str | None = None
        #: The bearer token the SSO portal accepts.
        self.sso_token = SSO_ACCESS_TOKEN

    # -- helpers for tests -------------------------------------------------------------

    def queue(self, method: str, path: str, *replies: Reply) -> None:
        """Answer the next requests to ``method path`` with ``replies``, in order."""
        self._queues.setdefault((method, path), []).extend(replies)

    def of(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    @property
    def sts(self) -> list[Recorded]:
        return self.of("POST", "/")

    def _next(self, prefix: str) -> int:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return self.counters[prefix]

    def _expiry(self) -> float:
        now = datetime.datetime.now(UTC).timestamp()
        return self.expires_at if self.expires_at is not None else now + self.expires_in

    # -- handlers ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        recorded = Recorded(
            request.method, request.raw_path, dict(request.headers), await request.read()
        )
        self.requests.append(recorded)
        queue = self._queues.get((recorded.method, recorded.path))
        if queue:
            reply = queue.pop(0)
            if isinstance(reply, Hang):
                await self._release.wait()
                return web.Response(status=503)
            if callable(reply):
                reply = reply(recorded)
            if reply is not None:
                status, headers, body = reply
                return web.Response(status=status, headers=headers, body=body)
        return self._default(recorded)

    def _default(self, r: Recorded) -> web.Response:
        route = (r.method, r.path)
        if route == ("POST", "/"):
            return self._sts(r)
        if route == ("GET", "/federation/credentials"):
            return self._sso(r)
        if route == ("POST", "/token"):
            return self._oidc(r)
        if route == ("PUT", "/latest/api/token"):
            return web.Response(text=IMDS_TOKEN)
        if r.path.startswith("/latest/meta-data/iam/security-credentials/"):
            return self._imds(r)
        if route == ("GET", "/container/creds"):
            return self._container(r)
        return web.Response(status=404, text="no such route")

    def _sts(self, r: Recorded) -> web.Response:
        form = r.form
        action = form.get("Action", "")
        if action == "AssumeRole":
            if not r.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                return sts_error(403, "MissingAuthenticationToken", "Request is missing auth")
            key = f"ASIASTS{self._next('sts')}"
        elif action == "AssumeRoleWithWebIdentity":
            if "Authorization" in r.headers:
                return sts_error(400, "InvalidAction", "must not be signed")
            if not form.get("WebIdentityToken"):
                return sts_error(400, "ValidationError", "WebIdentityToken missing")
            key = f"ASIAWEB{self._next('web')}"
        else:
            return sts_error(400, "InvalidAction", f"unknown action {action}")
        return web.Response(text=sts_success(action, key, self._expiry()), content_type="text/xml")

    def _sso(self, r: Recorded) -> web.Response:
        if r.headers.get("x-amz-sso_bearer_token") != self.sso_token:
            return web.json_response(
                {"message": "Session token not found or invalid"},
                status=401,
                headers={"x-amzn-ErrorType": "UnauthorizedException:http://internal"},
            )
        n = self._next("sso")
        return web.json_response(
            {
                "roleCredentials": {
                    "accessKeyId": f"ASIASSO{n}",
                    "secretAccessKey": f"sso-SECRETVALUE-{n}",
                    "sessionToken": f"sso-session-TOKENVALUE-{n}",
                    "expiration": int(self._expiry() * 1000),
                }
            }
        )

    def _oidc(self, r: Recorded) -> web.Response:
        n = self._next("oidc")
        return web.json_response(
            {
                "accessToken": f"refreshed-access-TOKENVALUE-{n}",
                "expiresIn": 28800,
                "refreshToken": f"refreshed-refresh-TOKENVALUE-{n}",
                "tokenType": "Bearer",
            }
        )

    def _imds(self, r: Recorded) -> web.Response:
        if r.method != "GET":
            return web.Response(status=405)
        token = r.headers.get("x-aws-ec2-metadata-token")
        if token != IMDS_TOKEN and not (token is None and self.imds_allows_v1):
            return web.Response(status=401)
        role = r.path.rpartition("/")[2]
        if not role:
            return web.Response(text=self.imds_role)
        if role != self.imds_role:
            return web.Response(status=404)
        n = self._next("imds")
        return web.json_response(
            {
                "Code": "Success",
                "LastUpdated": iso(self._expiry() - 3600),
                "Type": "AWS-HMAC",
                "AccessKeyId": f"ASIAIMDS{n}",
                "SecretAccessKey": f"imds-SECRETVALUE-{n}",
                "Token": f"imds-session-TOKENVALUE-{n}",
                "Expiration": iso(self._expiry()),
            }
        )

    def _container(self, r: Recorded) -> web.Response:
        if self.container_token is not None and (
            r.headers.get("Authorization") != self.container_token
        ):
            return web.json_response({"message": "bad token"}, status=403)
        n = self._next("container")
        return web.json_response(
            {
                "AccessKeyId": f"ASIACONT{n}",
                "SecretAccessKey": f"container-SECRETVALUE-{n}",
                "Token": f"container-session-TOKENVALUE-{n}",
                "Expiration": iso(self._expiry()),
                "RoleArn": "arn:aws:iam::123456789012:role/task",
            }
        )


def sts_success(action: str, key: str, expires_at: float) -> str:
    return f"""<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <{action}Result>
    <AssumedRoleUser>
      <AssumedRoleId>AROA123EXAMPLE:session</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/session</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{key}</AccessKeyId>
      <SecretAccessKey>sts-SECRETVALUE-{key}</SecretAccessKey>
      <SessionToken>sts-session-TOKENVALUE-{key}</SessionToken>
      <Expiration>{iso(expires_at)}</Expiration>
    </Credentials>
  </{action}Result>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</{action}Response>"""


def sts_error(status: int, code: str, message: str) -> web.Response:
    status, headers, body = sts_error_reply(status, code, message)
    return web.Response(status=status, headers=headers, body=body)


def sts_error_reply(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>0bd2d9c8</RequestId></ErrorResponse>"
    ).encode()
    return status, {"Content-Type": "text/xml"}, body


def json_reply(status: int, data: Any, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(data).encode()


def raw_reply(status: int, body: bytes | str) -> tuple[int, dict[str, str], bytes]:
    return status, {}, body.encode() if isinstance(body, str) else body


@asynccontextmanager
async def fake_aws() -> AsyncIterator[FakeAws]:
    """Start a :class:`FakeAws` on 127.0.0.1 with a free port; stop it on exit."""
    server = FakeAws()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server._handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        server._release.set()
        await runner.cleanup()


_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@contextmanager
def loopback_only() -> Iterator[list[Any]]:
    """Fail any connection to, or name lookup of, a non-loopback address (169.254.x, the
    internet); the attempts are also collected so that a test can assert there were none
    even when the failure was swallowed along the way."""
    attempts: list[Any] = []
    loop_class = asyncio.selector_events.BaseSelectorEventLoop
    original_connect = loop_class.sock_connect
    original_getaddrinfo = asyncio.base_events.BaseEventLoop.getaddrinfo

    async def guarded_connect(self: Any, sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if host not in _LOOPBACK:
            attempts.append(address)
            raise AssertionError(f"test tried to connect to {address!r}")
        await original_connect(self, sock, address)

    async def guarded_getaddrinfo(self: Any, host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in _LOOPBACK:
            attempts.append(host)
            raise AssertionError(f"test tried to look up {host!r}")
        return await original_getaddrinfo(self, host, *args, **kwargs)

    with (
        mock.patch.object(loop_class, "sock_connect", guarded_connect),
        mock.patch.object(asyncio.base_events.BaseEventLoop, "getaddrinfo", guarded_getaddrinfo),
    ):
        yield attempts
