"""The clients the benchmark compares, behind one small interface, and the probes
that bench.py runs in fresh interpreters (import, start-up, memory).

Every adapter has:

- ``load()`` (a classmethod): imports what the client needs. Kept out of module scope so a
  fresh interpreter running one probe imports only that client's dependencies: this module
  itself imports nothing beyond the standard library's ``asyncio``, ``sys`` and ``time``,
  so it cannot pre-import (and hide the cost of) what a client imports lazily.
- ``await start()``: "construction": what a user does before the first call.
- ``await get_rest_api()`` / ``await get_rest_apis()``: one call each, result parsed.
- ``await start_connections()``, then ``await post_to_connection()``: the WebSocket
  connections API (a 1 KiB JSON message to ``/prod/@connections/{id}``), with a client of
  its own, made outside the start-up probes so that they measure the REST client only.
- ``await close()``.

The floor is the least any correct Python client has to do per call: a raw aiohttp GET, a
real SigV4 signature (signing key cached per day) and ``json.loads`` of the body. The
unsigned floor leaves the signature out: the least any client built on aiohttp can do.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any, ClassVar

REGION = "us-east-1"
ACCESS_KEY = "AKID"
SECRET_KEY = "SECRET"
REST_API_ID = "abc"
PAGE_LIMIT = 25
STAGE = "prod"
CONNECTION_ID = "L0SM9cOFvHcCIhw="
#: A 1 KiB JSON message, as a chat backend sends it.
_ENVELOPE = b'{"action":"message","room":"general","from":"alice","text":"%s"}'
MESSAGE = _ENVELOPE % (b"x" * (1024 - len(_ENVELOPE) + 2))

# Filled in by the adapters' load(); module globals keep the floor's hot path lean.
aiohttp: Any = None
_json_loads: Any = None
_hmac_new: Any = None
_sha256: Any = None
_quote: Any = None


class Floor:
    """Raw aiohttp + inline SigV4 + json.loads: the reference every ratio is taken against."""

    name: ClassVar[str] = "floor"
    import_statement: ClassVar[str] = "import aiohttp, json, hmac, hashlib"

    @classmethod
    def load(cls) -> None:
        global aiohttp, _json_loads, _hmac_new, _sha256, _quote
        import hashlib
        import hmac
        import json
        from urllib.parse import quote

        import aiohttp as _aiohttp

        aiohttp = _aiohttp
        _json_loads = json.loads
        _hmac_new = hmac.new
        _sha256 = hashlib.sha256
        _quote = quote

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.host = self.endpoint.split("://", 1)[1]
        self.session: Any = None
        self._day = ""
        self._key = b""
        self._empty_hash = ""
        self._post_day = ""
        self._post_key = b""

    async def start(self) -> None:
        self.session = aiohttp.ClientSession()
        self._empty_hash = _sha256(b"").hexdigest()

    # -- SigV4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)

    def _signing_key(self, day: str) -> bytes:
        if day != self._day:
            key = ("AWS4" + SECRET_KEY).encode()
            for part in (day, REGION, "apigateway", "aws4_request"):
                key = _hmac_new(key, part.encode(), _sha256).digest()
            self._day, self._key = day, key
        return self._key

    def sign(
        self, method: str, path: str, query: str, amz_date: str | None = None
    ) -> dict[str, str]:
        """Headers that sign ``method path?query`` (empty body); ``query`` already canonical."""
        if amz_date is None:
            amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        day = amz_date[:8]
        canonical_request = (
            f"{method}\n{_quote(path, safe='/-_.~')}\n{query}\n"
            f"host:{self.host}\nx-amz-date:{amz_date}\n\nhost;x-amz-date\n{self._empty_hash}"
        )
        scope = f"{day}/{REGION}/apigateway/aws4_request"
        string_to_sign = (
            f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"
            f"{_sha256(canonical_request.encode()).hexdigest()}"
        )
        signature = _hmac_new(self._signing_key(day), string_to_sign.encode(), _sha256).hexdigest()
        return {
            "X-Amz-Date": amz_date,
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, "
                f"SignedHeaders=host;x-amz-date, Signature={signature}"
            ),
        }

    async def _get(self, path: str, query: str) -> Any:
        url = self.endpoint + path + ("?" + query if query else "")
        async with self.session.get(url, headers=self.sign("GET", path, query)) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"floor: HTTP {response.status}: {body[:200]!r}")
            return _json_loads(body)

    async def get_rest_api(self, rest_api_id: str = REST_API_ID) -> Any:
        return await self._get("/restapis/" + _quote(rest_api_id, safe="-_.~"), "")

    async def get_rest_apis(self, limit: int = PAGE_LIMIT) -> Any:
        return await self._get("/restapis", f"limit={limit}")

    # -- the connections API: POST with a body, signed for execute-api

    def sign_post(self, path: str, body: bytes, amz_date: str | None = None) -> dict[str, str]:
        """Headers that sign ``POST path`` with ``body`` for the ``execute-api`` service."""
        if amz_date is None:
            amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        day = amz_date[:8]
        if day != self._post_day:
            key = ("AWS4" + SECRET_KEY).encode()
            for part in (day, REGION, "execute-api", "aws4_request"):
                key = _hmac_new(key, part.encode(), _sha256).digest()
            self._post_day, self._post_key = day, key
        canonical_request = (
            f"POST\n{_quote(path, safe='/-_.~')}\n\n"
            f"host:{self.host}\nx-amz-date:{amz_date}\n\nhost;x-amz-date\n"
            f"{_sha256(body).hexdigest()}"
        )
        scope = f"{day}/{REGION}/execute-api/aws4_request"
        string_to_sign = (
            f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"
            f"{_sha256(canonical_request.encode()).hexdigest()}"
        )
        signature = _hmac_new(self._post_key, string_to_sign.encode(), _sha256).hexdigest()
        return {
            "X-Amz-Date": amz_date,
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, "
                f"SignedHeaders=host;x-amz-date, Signature={signature}"
            ),
        }

    async def start_connections(self) -> None:
        pass

    async def post_to_connection(
        self, connection_id: str = CONNECTION_ID, data: bytes = MESSAGE
    ) -> None:
        path = f"/{STAGE}/@connections/" + _quote(connection_id, safe="-_.~")
        headers = self.sign_post(path, data)
        async with self.session.post(self.endpoint + path, data=data, headers=headers) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"floor: HTTP {response.status}: {body[:200]!r}")

    async def close(self) -> None:
        await self.session.close()


class FloorUnsigned(Floor):
    """Raw aiohttp + json.loads, no signature: the least any client built on aiohttp can do
    per call, whatever it does besides (the limit for CPU per call)."""

    name: ClassVar[str] = "aiohttp-unsigned"

    async def _get(self, path: str, query: str) -> Any:
        url = self.endpoint + path + ("?" + query if query else "")
        async with self.session.get(url) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"floor: HTTP {response.status}: {body[:200]!r}")
            return _json_loads(body)

    async def post_to_connection(
        self, connection_id: str = CONNECTION_ID, data: bytes = MESSAGE
    ) -> None:
        path = f"/{STAGE}/@connections/" + _quote(connection_id, safe="-_.~")
        async with self.session.post(self.endpoint + path, data=data) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"floor: HTTP {response.status}: {body[:200]!r}")


class Aiobotocore:
    """aiobotocore, one shared AioSession (the usual pattern), a client per ``start()``."""

    name: ClassVar[str] = "aiobotocore"
    import_statement: ClassVar[str] = "import aiobotocore.session"
    _session: ClassVar[Any] = None
    _get_session: ClassVar[Any] = None
    _config_cls: ClassVar[Any] = None
    _config: ClassVar[Any] = None

    @classmethod
    def load(cls) -> None:
        import aiobotocore.config
        import aiobotocore.session

        cls._get_session = aiobotocore.session.get_session
        cls._config_cls = aiobotocore.config.AioConfig

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._context: Any = None
        self.client: Any = None
        self._connections_context: Any = None
        self.connections: Any = None

    async def start(self) -> None:
        cls = type(self)
        if cls._session is None:
            cls._session = cls._get_session()
            # aiohttp's and aioapigateway's default pool is 100 connections; aiobotocore's
            # is 10, which would queue the concurrency-32 runs behind the pool.
            cls._config = cls._config_cls(max_pool_connections=100)
        self._context = cls._session.create_client(
            "apigateway",
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=cls._config,
        )
        self.client = await self._context.__aenter__()

    async def get_rest_api(self, rest_api_id: str = REST_API_ID) -> Any:
        return await self.client.get_rest_api(restApiId=rest_api_id)

    async def get_rest_apis(self, limit: int = PAGE_LIMIT) -> Any:
        return await self.client.get_rest_apis(limit=limit)

    async def start_connections(self) -> None:
        cls = type(self)
        self._connections_context = cls._session.create_client(
            "apigatewaymanagementapi",
            region_name=REGION,
            endpoint_url=f"{self.endpoint}/{STAGE}",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=cls._config,
        )
        self.connections = await self._connections_context.__aenter__()

    async def post_to_connection(
        self, connection_id: str = CONNECTION_ID, data: bytes = MESSAGE
    ) -> Any:
        return await self.connections.post_to_connection(ConnectionId=connection_id, Data=data)

    async def close(self) -> None:
        await self._context.__aexit__(None, None, None)
        if self._connections_context is not None:
            await self._connections_context.__aexit__(None, None, None)


class AioApiGateway:
    """This project's client."""

    name: ClassVar[str] = "aioapigateway"
    import_statement: ClassVar[str] = "import aioapigateway"
    _client_cls: ClassVar[Any] = None
    _credentials_cls: ClassVar[Any] = None

    @classmethod
    def load(cls) -> None:
        import aioapigateway

        cls._client_cls = aioapigateway.ApiGatewayClient
        cls._credentials_cls = aioapigateway.Credentials

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.client: Any = None
        self.connections: Any = None

    async def start(self) -> None:
        cls = type(self)
        self.client = cls._client_cls(
            region=REGION,
            endpoint_url=self.endpoint,
            credentials=cls._credentials_cls(ACCESS_KEY, SECRET_KEY),
        )

    async def get_rest_api(self, rest_api_id: str = REST_API_ID) -> Any:
        return await self.client.get_rest_api(rest_api_id=rest_api_id)

    async def get_rest_apis(self, limit: int = PAGE_LIMIT) -> Any:
        return await self.client.get_rest_apis(limit=limit)

    async def start_connections(self) -> None:
        import aioapigateway.management

        self.connections = aioapigateway.management.ApiGatewayManagementApiClient(
            region=REGION,
            endpoint_url=f"{self.endpoint}/{STAGE}",
            credentials=type(self)._credentials_cls(ACCESS_KEY, SECRET_KEY),
        )

    async def post_to_connection(
        self, connection_id: str = CONNECTION_ID, data: bytes = MESSAGE
    ) -> Any:
        return await self.connections.post_to_connection(connection_id=connection_id, data=data)

    async def close(self) -> None:
        await self.client.close()
        if self.connections is not None:
            await self.connections.close()


class AwsSdkApiGateway:
    """AWS's own smithy-python client (``aws-sdk-api-gateway``, Python >= 3.12 only).

    A variant: bench.py adds it when it can be imported (``make bench BENCH_PYTHON=...`` with a
    3.12+ interpreter). There is no smithy-python client of the connections API, so it takes
    part in the REST rows and the fresh-interpreter probes only.
    """

    name: ClassVar[str] = "aws-sdk-api-gateway"
    import_statement: ClassVar[str] = "import aws_sdk_api_gateway.client"
    _client_cls: ClassVar[Any] = None
    _config_cls: ClassVar[Any] = None
    _get_input: ClassVar[Any] = None
    _list_input: ClassVar[Any] = None

    @classmethod
    def available(cls) -> bool:
        import importlib.util

        return importlib.util.find_spec("aws_sdk_api_gateway") is not None

    @classmethod
    def load(cls) -> None:
        from aws_sdk_api_gateway.client import AsyncAPIGatewayClient
        from aws_sdk_api_gateway.config import AsyncAPIGatewayConfig
        from aws_sdk_api_gateway.models import GetRestApiInput, GetRestApisInput

        cls._client_cls = AsyncAPIGatewayClient
        cls._config_cls = AsyncAPIGatewayConfig
        cls._get_input = GetRestApiInput
        cls._list_input = GetRestApisInput

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.config: Any = None
        self.client: Any = None

    async def start(self) -> None:
        cls = type(self)
        # The documented way to configure it: resolve() reads the environment and the config
        # files (as every client does at some point before its first call).
        self.config = await cls._config_cls.resolve(
            endpoint_uri=self.endpoint,
            region=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
        self.client = cls._client_cls(config=self.config)

    async def get_rest_api(self, rest_api_id: str = REST_API_ID) -> Any:
        return await self.client.get_rest_api(type(self)._get_input(rest_api_id=rest_api_id))

    async def get_rest_apis(self, limit: int = PAGE_LIMIT) -> Any:
        return await self.client.get_rest_apis(type(self)._list_input(limit=limit))

    async def start_connections(self) -> None:
        """No connections-API client exists for it: the connection rows leave it out."""

    async def close(self) -> None:
        await self.config.transport.close()


ADAPTERS: dict[str, Any] = {
    a.name: a for a in (Floor, FloorUnsigned, Aiobotocore, AioApiGateway, AwsSdkApiGateway)
}


# -- probes: each runs in a fresh interpreter started by bench.py ---------------------------


async def _startup(adapter: Any, endpoint: str, warm: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    first = adapter(endpoint)
    await first.start()
    t1 = time.perf_counter()
    await first.get_rest_api()
    t2 = time.perf_counter()
    clients = [first]
    warm_construct = []
    for _ in range(warm):
        client = adapter(endpoint)
        s = time.perf_counter()
        await client.start()
        warm_construct.append(time.perf_counter() - s)
        clients.append(client)
    warm_first_call = []
    for _ in range(warm):
        client = adapter(endpoint)
        s = time.perf_counter()
        await client.start()
        await client.get_rest_api()
        warm_first_call.append(time.perf_counter() - s)
        clients.append(client)
    for client in clients:
        await client.close()
    return {
        "cold_construct": t1 - t0,
        "first_call_total": t2 - t0,
        "first_call_only": t2 - t1,
        "warm_construct": sorted(warm_construct)[len(warm_construct) // 2],
        "warm_construct_first_call": sorted(warm_first_call)[len(warm_first_call) // 2],
    }


def _rss() -> int:
    import os

    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _memory(adapter: Any, endpoint: str, count: int, use_tracemalloc: bool) -> dict[str, Any]:
    import gc
    import tracemalloc

    def used() -> int:
        gc.collect()
        return tracemalloc.get_traced_memory()[0] if use_tracemalloc else _rss()

    if use_tracemalloc:
        tracemalloc.start()
    base = used()
    clients = []
    for index in range(count):
        client = adapter(endpoint)
        await client.start()
        await client.get_rest_api()
        clients.append(client)
        if index == 0:
            one = used() - base
    total = used() - base
    if use_tracemalloc:
        tracemalloc.stop()
    for client in clients:
        await client.close()
    return {
        "clients": count,
        "first_client": one,
        "total": total,
        "per_extra_client": (total - one) / (count - 1) if count > 1 else 0.0,
    }


# The phases of aioapigateway's first call, each timed by wrapping the runtime function that
# does it: (phase, module, attribute path). Time is exclusive: a phase nested in another
# (the config files within the settings, model classes within a parser's compilation) is
# subtracted from the outer one. Whatever no wrapper covers is reported as "the rest".
FIRST_CALL_PHASES: tuple[tuple[str, str, str], ...] = (
    ("service descriptors (_spec import)", "aioapigateway.runtime.client", "_codecs"),
    ("settings", "aioapigateway.runtime.client", "resolve_settings"),
    ("  config files", "aioapigateway.runtime.config.profiles", "ProfileLoader.load"),
    ("endpoint", "aioapigateway.runtime.client", "_resolve_endpoint"),
    ("credentials", "aioapigateway.runtime.client", "as_provider"),
    ("other start-up (HTTP session, retry)", "aioapigateway.runtime.client", "BaseClient._start"),
    ("request plan", "aioapigateway.runtime.serialize", "RequestSerializer._compile"),
    ("model classes", "aioapigateway.runtime.shapes", "Service.model_class"),
    ("parser compilation", "aioapigateway.runtime.parse", "ResponseParser._compile"),
    ("connection, request, response", "aioapigateway.runtime.client", "BaseClient._send"),
)


def _wrap_phases(totals: dict[str, float], cpu_totals: dict[str, float]) -> None:
    """Replace each FIRST_CALL_PHASES function with one that adds its exclusive wall time to
    ``totals[phase]`` and its exclusive CPU time (this thread's) to ``cpu_totals[phase]``.
    The first call runs in one task, so a plain stack tracks nesting."""
    import functools
    import importlib
    import inspect

    stack: list[list[float]] = []
    wall, cpu = time.perf_counter, time.thread_time

    def timed(phase: str, func: Any) -> Any:
        def enter() -> tuple[float, float]:
            stack.append([0.0, 0.0])
            return wall(), cpu()

        def leave(started: tuple[float, float]) -> None:
            elapsed, used = wall() - started[0], cpu() - started[1]
            inner = stack.pop()
            totals[phase] = totals.get(phase, 0.0) + elapsed - inner[0]
            cpu_totals[phase] = cpu_totals.get(phase, 0.0) + used - inner[1]
            if stack:
                stack[-1][0] += elapsed
                stack[-1][1] += used

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                started = enter()
                try:
                    return await func(*args, **kwargs)
                finally:
                    leave(started)

            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = enter()
            try:
                return func(*args, **kwargs)
            finally:
                leave(started)

        return wrapper

    for phase, module_name, path in FIRST_CALL_PHASES:
        owner: Any = importlib.import_module(module_name)
        *outer, attribute = path.split(".")
        for part in outer:
            owner = getattr(owner, part)
        func = getattr(owner, attribute, None)
        if func is None:  # renamed in the runtime: report it rather than fail the run
            totals[phase] = float("nan")
            continue
        setattr(owner, attribute, timed(phase, func))


async def _phases(adapter: Any, endpoint: str) -> dict[str, Any]:
    totals: dict[str, float] = {}
    cpu_totals: dict[str, float] = {}
    _wrap_phases(totals, cpu_totals)
    t0, c0 = time.perf_counter(), time.thread_time()
    client = adapter(endpoint)
    await client.start()
    t1, c1 = time.perf_counter(), time.thread_time()
    await client.get_rest_api()
    t2, c2 = time.perf_counter(), time.thread_time()
    await client.close()
    return {
        "construction": t1 - t0,
        "first_call": t2 - t1,
        "phases": totals,
        "rest": (t2 - t1) - sum(v for v in totals.values() if v == v),
        "cpu": {
            "construction": c1 - c0,
            "first_call": c2 - c1,
            "phases": cpu_totals,
            "rest": (c2 - c1) - sum(v for v in cpu_totals.values() if v == v),
        },
    }


def probe(kind: str, name: str, endpoint: str, count: int) -> None:
    """Entry point of a fresh interpreter: print one JSON line with the probe's results."""
    adapter = ADAPTERS[name]
    adapter.load()
    if kind == "startup":
        result = asyncio.run(_startup(adapter, endpoint, count))
    elif kind == "phases":
        result = asyncio.run(_phases(adapter, endpoint))
    elif kind in ("memory", "rss"):
        result = asyncio.run(_memory(adapter, endpoint, count, kind == "memory"))
    else:
        raise SystemExit(f"unknown probe {kind!r}")
    import json

    sys.stdout.write("PROBE " + json.dumps(result) + "\n")
