"""``aioapigateway.SigV4Auth`` against a loopback server that checks every signature itself.

The server (:class:`VerifyingServer`) shares no code with the signer: for each request it
rebuilds a botocore ``AWSRequest`` from what arrived on the socket (method, the raw path and
query as sent, every header as received, the body) and has ``botocore.auth.SigV4Auth``
compute the ``Authorization`` header for the access key the request names, at the time the
request says it was signed. Anything but the same header, byte for byte, is answered 403
with botocore's canonical request. botocore signs every header it receives (except its
short list of hop-by-hop ones) and takes the query as it is on the wire, so a request
passes only if the middleware signed exactly what aiohttp sent.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import io
import json
import os
import re
import subprocess
import sys
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import aiohttp
import pytest
from aiohttp import web
from botocore.auth import SigV4Auth as BotocoreSigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from multidict import CIMultiDict

import aioapigateway
from aioapigateway import Credentials, SigV4Auth, errors
from aioapigateway.runtime.credentials.base import RefreshingCredentialProvider

ROOT = Path(__file__).resolve().parents[1]
REGION = "eu-west-1"
SERVICE = "execute-api"

STATIC = Credentials("AKIDSTATIC", "static/secret+key=")
TOKENED = Credentials("ASIATOKENED", "tokened-secret", "FwoGZXIvYXdzE//session+token/=")

_AUTHORIZATION_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})"
)


class Seen:
    """One request as the server received it, and the verdict on its signature."""

    def __init__(self, request: web.Request, body: bytes, problem: str | None) -> None:
        self.method = request.method
        self.raw_path = request.raw_path
        self.headers = request.headers.copy()
        self.query = list(request.query.items())
        self.body = body
        self.problem = problem


class VerifyingServer:
    """Answers 200 (echoing what it received) to correctly signed requests, else 403."""

    def __init__(self) -> None:
        #: access key id -> (secret, session token); remove a key to revoke it.
        self.keys: dict[str, tuple[str, str | None]] = {}
        self.seen: list[Seen] = []
        self.url = ""
        self.port = 0

    def allow(self, *credentials: Credentials) -> None:
        for creds in credentials:
            self.keys[creds.access_key_id] = (creds.secret_access_key, creds.session_token)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        problem = self.verify(request, body)
        self.seen.append(Seen(request, body, problem))
        if request.path.startswith("/redirect/"):
            raise web.HTTPFound("/" + request.path.removeprefix("/redirect/"))
        if problem is not None:
            return web.json_response({"message": problem}, status=403)
        return web.json_response(
            {
                "method": request.method,
                "path": request.path,
                "query": [[k, v] for k, v in request.query.items()],
                "body": body.decode("utf-8", "replace"),
            }
        )

    def verify(self, request: web.Request, body: bytes) -> str | None:
        """``None`` when botocore computes the same Authorization header, else why not."""
        received = request.headers.getall("Authorization", [])
        if len(received) != 1:
            return f"expected one Authorization header, got {len(received)}"
        match = _AUTHORIZATION_RE.fullmatch(received[0])
        if match is None:
            return "malformed Authorization header"
        if (match["region"], match["service"]) != (REGION, SERVICE):
            return f"signed for {match['region']}/{match['service']}"
        if match["key"] not in self.keys:
            return f"unknown or revoked access key {match['key']}"
        secret, token = self.keys[match["key"]]
        if request.headers.getall("X-Amz-Security-Token", []) != ([token] if token else []):
            return "wrong or missing X-Amz-Security-Token"
        # The signing time: X-Amz-Date, or a Date header (which then replaces it).
        if "Date" in request.headers:
            if "X-Amz-Date" in request.headers:
                return "both Date and X-Amz-Date"
            parsed = email.utils.parsedate_to_datetime(request.headers["Date"])
            signed_at = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
        else:
            signed_at = datetime.datetime.strptime(
                request.headers.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ"
            )
        if signed_at.strftime("%Y%m%d") != match["date"]:
            return "the signing time does not match the credential scope"

        aws = AWSRequest(
            method=request.method,
            url=f"http://{request.headers['Host']}{request.raw_path}",
            data=body,
        )
        for name, value in request.headers.items():
            if name.lower() != "authorization":
                aws.headers[name] = value  # HTTPHeaders appends: repeated names stay
        botocore = BotocoreSigV4Auth(BotoCredentials(match["key"], secret, token), SERVICE, REGION)
        with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
            botocore.add_auth(aws)
        if aws.headers["Authorization"] != received[0]:
            canonical: str = botocore.canonical_request(aws)
            return "signature mismatch; botocore's canonical request:\n" + canonical
        return None


@asynccontextmanager
async def verifying_server() -> AsyncIterator[VerifyingServer]:
    server = VerifyingServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{server.port}"
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture
async def server(isolated_aws_env: None) -> AsyncIterator[VerifyingServer]:
    async with verifying_server() as running:
        running.allow(STATIC, TOKENED)
        yield running


async def call(
    server: VerifyingServer,
    method: str,
    path: str,
    auth: SigV4Auth | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """One request through a session signed by ``auth``; the server's verdict must be OK."""
    auth = auth or SigV4Auth(region=REGION, credentials=STATIC)
    async with (
        aiohttp.ClientSession(middlewares=[auth]) as session,
        session.request(method, server.url + path, **kwargs) as response,
    ):
        answer = await response.json()
    assert server.seen[-1].problem is None, server.seen[-1].problem
    assert response.status == 200, answer
    return answer  # type: ignore[no-any-return]


# --- requests that must verify -------------------------------------------------------------


async def test_get_with_query_repeated_keys_unicode_and_reserved_characters(
    server: VerifyingServer,
) -> None:
    params = [
        ("limit", "10"),
        ("tag", "b"),
        ("tag", "a"),  # repeated keys sign sorted by value, sent in the caller's order
        ("a-b", "x"),
        ("a", "prefix of a-b"),
        ("名前", "значение 🦆"),
        ("reserved", "/?&=+#%:@!$'()*,;"),
        ("space", "a b"),
        ("tilde", "~_.-"),
        ("empty", ""),
    ]
    answer = await call(server, "GET", "/prod/pets", params=params)
    assert answer["query"] == [list(pair) for pair in params]
    # The values went out in SigV4's own encoding, so any server canonicalises them alike.
    seen = server.seen[-1]
    assert "reserved=%2F%3F%26%3D%2B%23%25%3A%40%21%24%27%28%29%2A%2C%3B" in seen.raw_path
    assert "space=a%20b" in seen.raw_path
    assert "tilde=~_.-" in seen.raw_path


async def test_query_written_into_the_url(server: VerifyingServer) -> None:
    # A literal "+" in a URL means a space to aiohttp (yarl), and goes out as %20.
    answer = await call(server, "GET", "/prod/search?q=dogs+cats&q=a/b&flag&x=%7E")
    assert answer["query"] == [["q", "dogs cats"], ["q", "a/b"], ["flag", ""], ["x", "~"]]
    assert server.seen[-1].raw_path == "/prod/search?q=dogs%20cats&q=a%2Fb&flag=&x=~"


async def test_plain_query_is_sent_untouched(server: VerifyingServer) -> None:
    await call(server, "GET", "/prod/pets?b=2&a=1&A=0")
    assert server.seen[-1].raw_path == "/prod/pets?b=2&a=1&A=0"


async def test_post_json(server: VerifyingServer) -> None:
    payload = {"name": "Rex", "tags": ["good", "dög"], "age": 3, "vaccinated": True}
    answer = await call(server, "POST", "/prod/pets", json=payload)
    seen = server.seen[-1]
    assert json.loads(answer["body"]) == payload
    assert seen.headers["Content-Type"] == "application/json"
    assert "content-type" in seen.headers["Authorization"]


async def test_put_bytes(server: VerifyingServer) -> None:
    data = bytes(range(256)) * 4
    await call(server, "PUT", "/prod/blob", data=data, headers={"Content-Type": "image/png"})
    seen = server.seen[-1]
    assert seen.body == data
    assert seen.headers["Content-Length"] == str(len(data))


async def test_post_str_body(server: VerifyingServer) -> None:
    text = "grüße, 世界"
    answer = await call(server, "POST", "/prod/text", data=text)
    assert answer["body"] == text
    assert server.seen[-1].headers["Content-Type"] == "text/plain; charset=utf-8"


async def test_caller_content_length_caps_the_signed_body(server: VerifyingServer) -> None:
    # aiohttp sends no more than a Content-Length the caller set; the hash covers just that.
    await call(server, "PUT", "/prod/blob", data=b"0123456789", headers={"Content-Length": "4"})
    assert server.seen[-1].body == b"0123"


async def test_post_form_dict(server: VerifyingServer) -> None:
    await call(server, "POST", "/prod/form", data={"a": "1 2", "b": "ü"})
    assert server.seen[-1].body == b"a=1+2&b=%C3%BC"


async def test_empty_post_gets_its_content_type_signed(server: VerifyingServer) -> None:
    # aiohttp labels a body-less POST application/octet-stream only while sending.
    await call(server, "POST", "/prod/ping")
    seen = server.seen[-1]
    assert seen.headers["Content-Type"] == "application/octet-stream"
    assert seen.body == b""


async def test_skipped_content_type_stays_absent(server: VerifyingServer) -> None:
    await call(server, "POST", "/prod/ping", skip_auto_headers=["Content-Type"])
    assert "Content-Type" not in server.seen[-1].headers


async def test_path_with_spaces_unicode_and_reserved_characters(server: VerifyingServer) -> None:
    answer = await call(server, "GET", "/prod/my pets/café/🦆/a%2Fb/(1)")
    assert answer["path"] == "/prod/my pets/café/🦆/a/b/(1)"
    assert server.seen[-1].raw_path == "/prod/my%20pets/caf%C3%A9/%F0%9F%A6%86/a%2Fb/(1)"


async def test_session_token(server: VerifyingServer) -> None:
    await call(server, "GET", "/prod/pets", SigV4Auth(region=REGION, credentials=TOKENED))
    seen = server.seen[-1]
    assert seen.headers["X-Amz-Security-Token"] == TOKENED.session_token
    assert "x-amz-security-token" in seen.headers["Authorization"]


async def test_non_default_port_is_in_the_signed_host(server: VerifyingServer) -> None:
    await call(server, "GET", "/prod/pets")
    seen = server.seen[-1]
    assert seen.headers["Host"] == f"127.0.0.1:{server.port}"
    assert "SignedHeaders=accept;accept-encoding;host;x-amz-date," in seen.headers["Authorization"]


async def test_every_header_is_signed_repeated_ones_too(server: VerifyingServer) -> None:
    headers = CIMultiDict(
        [("X-Api-Version", " 2  "), ("X-Multi", "one"), ("X-Multi", "two"), ("Date", "stale")]
    )
    await call(server, "DELETE", "/prod/pets/1", headers=headers, cookies={"session": "abc"})
    seen = server.seen[-1]
    signed = seen.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"cookie", "x-api-version", "x-multi", "date"} <= set(signed)
    assert seen.headers.getall("X-Multi") == ["one", "two"]
    assert "X-Amz-Date" not in seen.headers  # a Date header carries the signing time


async def test_redirect_is_signed_again(server: VerifyingServer) -> None:
    await call(server, "GET", "/redirect/prod/pets")
    first, second = server.seen[-2:]
    assert (first.raw_path, second.raw_path) == ("/redirect/prod/pets", "/prod/pets")
    assert first.problem is None


async def test_per_request_middleware(server: VerifyingServer) -> None:
    auth = SigV4Auth(region=REGION, credentials=STATIC)
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url + "/prod/a", middlewares=[auth]) as response:
            assert response.status == 200
        async with session.get(server.url + "/prod/b") as response:
            assert response.status == 403
    assert [seen.problem for seen in server.seen] == [
        None,
        "expected one Authorization header, got 0",
    ]


async def test_default_chain_from_the_environment(
    server: VerifyingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = Credentials("ASIAFROMENV", "env-secret", "env-token")
    server.allow(creds)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")
    await call(server, "GET", "/prod/pets", SigV4Auth(region=REGION))
    assert server.seen[-1].headers["X-Amz-Security-Token"] == "env-token"


async def test_default_chain_with_a_profile(server: VerifyingServer, tmp_path: Path) -> None:
    creds = Credentials("AKIDPROFILE", "profile-secret")
    server.allow(creds)
    credentials_file = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    credentials_file.write_text(
        f"[team]\naws_access_key_id = {creds.access_key_id}\n"
        f"aws_secret_access_key = {creds.secret_access_key}\n"
    )
    await call(server, "GET", "/prod/pets", SigV4Auth(region=REGION, profile="team"))
    assert "Credential=AKIDPROFILE/" in server.seen[-1].headers["Authorization"]


class RotatingKeys:
    """Hands out a new key pair (expiring ``lifetime`` seconds after a fake clock) per fetch."""

    def __init__(self, server: VerifyingServer, lifetime: float) -> None:
        self.server = server
        self.lifetime = lifetime
        self.now = 1_900_000_000.0
        self.issued: list[Credentials] = []

    def clock(self) -> float:
        return self.now

    async def fetch(self) -> Credentials:
        n = len(self.issued) + 1
        expiration = datetime.datetime.fromtimestamp(self.now + self.lifetime, datetime.UTC)
        creds = Credentials(f"ASIAROTATED{n}", f"secret-{n}", f"token-{n}", expiration)
        # The server trusts only the newest pair: requests signed with an old one fail.
        self.server.keys = {creds.access_key_id: (creds.secret_access_key, creds.session_token)}
        self.issued.append(creds)
        return creds


async def test_expiring_credentials_are_refreshed_ahead_of_expiry(
    server: VerifyingServer,
) -> None:
    keys = RotatingKeys(server, lifetime=3600)
    provider = RefreshingCredentialProvider(keys.fetch, name="rotating", clock=keys.clock)
    auth = SigV4Auth(region=REGION, credentials=provider)
    async with aiohttp.ClientSession(middlewares=[auth]) as session:

        async def get() -> str:
            async with session.get(server.url + "/prod/pets") as response:
                assert response.status == 200, await response.text()
            return server.seen[-1].headers["Authorization"].split("/")[0]

        assert await get() == "AWS4-HMAC-SHA256 Credential=ASIAROTATED1"
        keys.now += 30 * 60  # still 30 minutes left: the same credentials
        assert await get() == "AWS4-HMAC-SHA256 Credential=ASIAROTATED1"
        keys.now += 20 * 60  # 10 minutes left, inside the advisory window: refreshed
        assert await get() == "AWS4-HMAC-SHA256 Credential=ASIAROTATED2"
        assert server.seen[-1].headers["X-Amz-Security-Token"] == "token-2"
        keys.now += 3600 - 60  # one minute before expiry: every caller waits for new ones
        assert await get() == "AWS4-HMAC-SHA256 Credential=ASIAROTATED3"
    assert len(keys.issued) == 3


async def test_resolve_is_called_per_request_for_a_custom_provider(
    server: VerifyingServer,
) -> None:
    class Counting:
        calls = 0

        async def resolve(self) -> Credentials:
            self.calls += 1
            return STATIC

    provider = Counting()
    auth = SigV4Auth(region=REGION, credentials=provider)
    for _ in range(3):
        await call(server, "GET", "/prod/pets", auth)
    assert provider.calls == 3


# --- requests that must not be sent --------------------------------------------------------


async def _chunks() -> AsyncIterator[bytes]:
    yield b"part one, "
    yield b"part two"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda: _chunks(), id="async-iterator"),
        pytest.param(lambda: io.BytesIO(b"file-like"), id="bytes-io"),
        pytest.param(
            lambda: aiohttp.MultipartWriter("form-data"),
            id="multipart",
        ),
    ],
)
async def test_streaming_body_is_rejected_before_sending(
    server: VerifyingServer, body: Any
) -> None:
    auth = SigV4Auth(region=REGION, credentials=STATIC)
    async with aiohttp.ClientSession(middlewares=[auth]) as session:
        with pytest.raises(errors.ParamValidationError, match="read it into bytes first"):
            async with session.post(server.url + "/prod/upload", data=body()):
                pass
    assert server.seen == []


async def test_compressed_body_is_rejected_before_sending(server: VerifyingServer) -> None:
    auth = SigV4Auth(region=REGION, credentials=STATIC)
    async with aiohttp.ClientSession(middlewares=[auth]) as session:
        with pytest.raises(errors.ParamValidationError, match="compress"):
            async with session.post(server.url + "/prod/upload", data=b"x" * 100, compress=True):
                pass
    assert server.seen == []


async def test_unencodable_header_is_a_param_validation_error(server: VerifyingServer) -> None:
    auth = SigV4Auth(region=REGION, credentials=TOKENED)
    async with aiohttp.ClientSession(middlewares=[auth]) as session:
        with pytest.raises(errors.ParamValidationError) as info:
            async with session.get(server.url + "/prod", headers={"X-Bad": "a\udc80b"}):
                pass
    assert server.seen == []
    rendered = "".join(traceback.format_exception(info.value))
    assert info.value.__context__ is None
    assert TOKENED.session_token is not None and TOKENED.session_token not in rendered


async def test_missing_credentials_raise_credentials_error(server: VerifyingServer) -> None:
    auth = SigV4Auth(region=REGION)  # isolated environment: no credentials anywhere
    async with aiohttp.ClientSession(middlewares=[auth]) as session:
        with pytest.raises(errors.CredentialsError, match="Unable to locate credentials"):
            async with session.get(server.url + "/prod"):
                pass
    assert server.seen == []


# --- construction, repr, secrets -----------------------------------------------------------


def test_construction_does_no_io(isolated_aws_env: None) -> None:
    with (
        mock.patch("builtins.open", side_effect=AssertionError("file I/O")),
        mock.patch("os.stat", side_effect=AssertionError("file I/O")),
        mock.patch("socket.socket", side_effect=AssertionError("network I/O")),
    ):
        SigV4Auth(region=REGION)
        SigV4Auth(region=REGION, profile="other", service="lambda")
        SigV4Auth(region=REGION, credentials=TOKENED)


def test_repr_and_errors_hold_no_secret() -> None:
    auth = SigV4Auth(region=REGION, credentials=TOKENED)
    assert repr(auth) == "SigV4Auth(region='eu-west-1', service='execute-api')"
    assert not hasattr(auth, "__dict__")
    with pytest.raises(errors.ConfigError) as info:
        SigV4Auth(region=REGION, credentials=("AKID", "tuple-secret"))  # type: ignore[arg-type]
    assert "tuple-secret" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"region": ""}, "not a valid region name"),
        ({"region": "us east 1"}, "not a valid region name"),
        ({"region": None}, "must be a string"),
        ({"region": REGION, "service": ""}, "signing name"),
        ({"region": REGION, "service": "execute api"}, "signing name"),
        ({"region": REGION, "service": "a/b"}, "signing name"),
        ({"region": REGION, "service": 3}, "signing name .*: int$"),
        ({"region": REGION, "profile": ""}, "profile"),
    ],
)
def test_bad_settings_raise_config_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(errors.ConfigError, match=message):
        SigV4Auth(**kwargs)


def test_region_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        SigV4Auth(REGION)  # type: ignore[call-arg]


def test_exported_from_the_package() -> None:
    assert aioapigateway.SigV4Auth is SigV4Auth
    assert "SigV4Auth" in aioapigateway.__all__
    assert SigV4Auth.__module__ == "aioapigateway.runtime.sigv4_auth"


# --- the runtime never imports requests ----------------------------------------------------

_NO_REQUESTS = """
import asyncio, sys
from aiohttp import web
import aioapigateway

async def main():
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", lambda request: web.json_response({"id": "a1"}))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = "http://127.0.0.1:%d" % site._server.sockets[0].getsockname()[1]
    creds = aioapigateway.Credentials("AKID", "secret", "token")
    try:
        async with aioapigateway.ApiGatewayClient(
            region="us-east-1", endpoint_url=url, credentials=creds
        ) as client:
            api = await client.get_rest_api(rest_api_id="a1")
            assert api.id == "a1", api
        auth = aioapigateway.SigV4Auth(region="us-east-1", credentials=creds)
        async with aiohttp.ClientSession(middlewares=[auth]) as session:
            async with session.post(url + "/prod", json={"a": 1}) as response:
                assert response.status == 200
                assert "Signature=" in response.request_info.headers["Authorization"]
    finally:
        await runner.cleanup()

import aiohttp
asyncio.run(main())
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"requests", "aws_requests_auth"})
assert not loaded, loaded
print("ok")
"""


def test_import_and_first_signed_calls_never_import_requests() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _NO_REQUESTS],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# --- the example ---------------------------------------------------------------------------


async def test_call_iam_api_example(server: VerifyingServer) -> None:
    """examples/call_iam_api.py, run as a user runs it, against the verifying server."""
    creds = Credentials("ASIAEXAMPLE", "example-secret", "example-token")
    server.allow(creds)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=creds.access_key_id,
        AWS_SECRET_ACCESS_KEY=creds.secret_access_key,
        AWS_SESSION_TOKEN="example-token",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "examples" / "call_iam_api.py"),
        f"{server.url}/prod",
        "--region",
        REGION,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(60):
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert [seen.problem for seen in server.seen] == [None] * len(server.seen)
    assert [(seen.method, seen.raw_path.partition("?")[0]) for seen in server.seen] == [
        ("GET", "/prod/pets"),
        ("POST", "/prod/pets"),
    ]
    assert server.seen[1].body == b'{"name": "Rex", "species": "dog"}'
    output = stdout.decode()
    assert "GET /prod/pets -> 200" in output
    assert "POST /prod/pets -> 200" in output
    assert "example-secret" not in output + stderr.decode()


async def test_the_verifier_rejects_a_wrong_secret(server: VerifyingServer) -> None:
    # Guards the guard: a request signed with another secret must fail verification.
    server.keys[STATIC.access_key_id] = ("not-the-secret", None)
    auth = SigV4Auth(region=REGION, credentials=STATIC)
    async with (
        aiohttp.ClientSession(middlewares=[auth]) as session,
        session.get(server.url + "/prod/pets") as response,
    ):
        assert response.status == 403
    assert (server.seen[-1].problem or "").startswith("signature mismatch")
