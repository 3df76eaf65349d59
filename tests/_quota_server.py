"""A loopback "API Gateway" that enforces the fixed control-plane quotas, and a bulk-job worker.

The server reads ``codegen/quotas.json`` itself (not the generated ``PACING`` table, so that a
wrong table in the client is caught) and keeps, per account and region, one token bucket per
quota: a bucket of ``burst`` tokens, full at the start, refilled continuously at ``rate`` per
second; a request that finds less than one token in any of its buckets is answered as API
Gateway does, ``429`` with ``x-amzn-ErrorType: TooManyRequestsException`` and a JSON message,
and takes no token. The account is decoded from the access key id in the ``Authorization``
header (the rule the pacer uses, written again here). It answers the few REST API operations a
bulk job uses with small valid bodies, and ``GET /_stats`` with what it accepted and throttled.

``python tests/_quota_server.py '<job JSON>'`` runs one worker process of a bulk job (see
:func:`run_worker`) and prints its outcome as JSON.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

__all__ = [
    "BulkReport",
    "QuotaServer",
    "access_key_for",
    "minimum_seconds",
    "quota_buckets",
    "quota_server",
    "run_bulk_job",
]

QUOTAS = Path(__file__).resolve().parent.parent / "codegen" / "quotas.json"

#: (bucket, tokens per second, burst)
Bucket = tuple[str, float, float]

_CREDENTIAL = re.compile(r"Credential=([A-Z0-9]+)/\d{8}/([a-z0-9-]+)/")

# (method, path pattern) -> operation; the few a bulk job uses.
_ROUTES = (
    ("POST", re.compile(r"/restapis/([^/]+)/resources/([^/]+)"), "CreateResource"),
    ("POST", re.compile(r"/restapis/([^/]+)/deployments"), "CreateDeployment"),
    ("GET", re.compile(r"/restapis/([^/]+)/resources"), "GetResources"),
    ("GET", re.compile(r"/restapis/([^/]+)/stages"), "GetStages"),
    ("GET", re.compile(r"/restapis/([^/]+)"), "GetRestApi"),
)


def quota_buckets(service: str = "API Gateway") -> dict[str, tuple[Bucket, ...]]:
    """``operation -> buckets`` from the quota file; ``"*"`` is every other operation's."""
    data = json.loads(QUOTAS.read_text())["services"][service]
    total = data["total"]
    shared: Bucket = (
        total["bucket"],
        total["requests"] / total["per_seconds"],
        float(total.get("burst", total["requests"])),
    )
    table: dict[str, tuple[Bucket, ...]] = {"*": (shared,)}
    for operation, quota in data["operations"].items():
        own: Bucket = (
            quota.get("bucket", operation),
            quota["requests"] / quota["per_seconds"],
            float(quota.get("burst", quota["requests"])),
        )
        table[operation] = (own, shared)
    return table


def minimum_seconds(job: dict[str, int], table: dict[str, tuple[Bucket, ...]]) -> float:
    """The shortest time in which ``job`` (operation -> calls) fits the quotas, buckets full.

    A bucket of ``burst`` tokens refilled at ``rate`` lets ``n`` calls through in no less
    than ``(n - burst) / rate`` seconds; the job takes as long as its slowest bucket.
    """
    counts: dict[Bucket, int] = {}
    for operation, calls in job.items():
        for bucket in table.get(operation, table["*"]):
            counts[bucket] = counts.get(bucket, 0) + calls
    return max(max(0.0, (n - burst) / rate) for (_, rate, burst), n in counts.items())


def _account(access_key_id: str) -> str:
    """Bits 1..40 of the first 6 bytes of an AKIA/ASIA id's base-32 body; else the id."""
    body = access_key_id[4:]
    if access_key_id[:4] not in ("AKIA", "ASIA") or len(body) != 16:
        return access_key_id
    try:
        raw = base64.b32decode(body)
    except binascii.Error:
        return access_key_id
    return f"{(int.from_bytes(raw[:6], 'big') >> 7) & 0xFFFFFFFFFF:012d}"


class QuotaServer:
    """Token buckets per account/region; counts what it accepts and throttles."""

    def __init__(self, table: dict[str, tuple[Bucket, ...]]) -> None:
        self.table = table
        self.url = ""
        # (account/region, bucket) -> [tokens, monotonic time of the last update]
        self._buckets: dict[tuple[str, str], list[float]] = {}
        # account/region -> operation -> [accepted, throttled]
        self.stats: dict[str, dict[str, list[int]]] = {}

    def _admit(self, key: str, operation: str, now: float) -> bool:
        states = []
        for name, rate, burst in self.table.get(operation, self.table["*"]):
            state = self._buckets.setdefault((key, name), [burst, now])
            state[0] = min(burst, state[0] + (now - state[1]) * rate)
            state[1] = now
            states.append(state)
        if any(state[0] < 1.0 for state in states):
            return False
        for state in states:
            state[0] -= 1.0
        return True

    async def handle(self, request: web.Request) -> web.Response:
        now = time.monotonic()  # the arrival, before reading the body
        await request.read()
        path = request.path
        if path == "/_stats":
            return web.json_response(self.stats)
        operation = _route(request.method, path)
        if operation is None:
            return _error(404, "NotFoundException", f"no route for {request.method} {path}")
        found = _CREDENTIAL.search(request.headers.get("Authorization", ""))
        if found is None:
            return _error(403, "MissingAuthenticationTokenException", "Missing Authentication")
        key = f"{_account(found.group(1))}/{found.group(2)}"
        counts = self.stats.setdefault(key, {}).setdefault(operation, [0, 0])
        if not self._admit(key, operation, now):
            counts[1] += 1
            return _error(429, "TooManyRequestsException", "Too Many Requests")
        counts[0] += 1
        return _answer(operation, path)


def _route(method: str, path: str) -> str | None:
    for route_method, pattern, operation in _ROUTES:
        if route_method == method and pattern.fullmatch(path):
            return operation
    return None


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"message": message}, status=status, headers={"x-amzn-ErrorType": f"{code}:"}
    )


def _answer(operation: str, path: str) -> web.Response:
    parts = path.split("/")
    if operation == "CreateResource":
        body: dict[str, Any] = {"id": "r1", "parentId": parts[4], "pathPart": "p", "path": "/p"}
        return web.json_response(body, status=201)
    if operation == "CreateDeployment":
        return web.json_response({"id": "d1", "createdDate": 1700000000}, status=201)
    if operation == "GetResources":
        return web.json_response({"items": [{"id": "root", "path": "/"}]})
    if operation == "GetStages":
        return web.json_response({"item": []})
    return web.json_response({"id": parts[2], "name": "bulk"})


@contextmanager
def quota_server(table: dict[str, tuple[Bucket, ...]] | None = None) -> Iterator[QuotaServer]:
    """Run a :class:`QuotaServer` on 127.0.0.1 (a free port) in a thread of its own."""
    server = QuotaServer(table or quota_buckets())
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        server.url = f"http://127.0.0.1:{port}"

    loop.run_until_complete(start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


# -- the worker process ---------------------------------------------------------------------


async def _call(client: Any, operation: str, index: int) -> str:
    """One call of the job; its outcome: ``"ok"`` or the error code."""
    return await _outcome(client, operation, index)


async def _outcome(client: Any, operation: str, index: int) -> str:
    from aioapigateway import errors

    try:
        if operation == "CreateResource":
            await client.create_resource(
                rest_api_id="api1", parent_id="root", path_part=f"p{index}"
            )
        elif operation == "CreateDeployment":
            await client.create_deployment(rest_api_id="api1", stage_name="prod")
        elif operation == "GetResources":
            await client.get_resources(rest_api_id="api1")
        else:
            await client.get_rest_api(rest_api_id="api1")
    except errors.ServiceError as exc:
        return exc.code
    return "ok"


async def run_worker(job: dict[str, Any]) -> dict[str, Any]:
    """Warm up, wait for ``job["start_at"]`` (wall clock), then run all ``job["calls"]`` at once.

    The warm-up (one call of each operation under another account) keeps the process's
    first-call costs out of the measured, paced window. ``job["redis"]`` set: a
    ``RedisPacer`` paces; else pacing is off. Retries: standard mode, 3 attempts.
    """
    from aioapigateway import ApiGatewayClient, ClientConfig, Credentials
    from aioapigateway.runtime.pacing_redis import RedisPacer

    pacer = RedisPacer(job["redis"], key_prefix=job["prefix"]) if job.get("redis") else None
    config = ClientConfig(
        pacing=pacer if pacer is not None else "off", retry_mode="standard", max_attempts=3
    )
    common: dict[str, Any] = {"region": job["region"], "endpoint_url": job["url"]}
    warm = Credentials(job["warm_key"], "secret")
    quiet = ClientConfig(pacing="off", max_attempts=1)
    async with ApiGatewayClient(credentials=warm, config=quiet, **common) as c:
        for operation in sorted({operation for operation, _ in job["calls"]}):
            await _call(c, operation, -1)
    if pacer is not None:  # connect (and import the Redis client) before the start too
        await pacer.acquire(f"warm-{job['warm_key']}", "warm", 1000.0, 1000.0, None)
    creds = Credentials(job["access_key"], "secret")
    async with ApiGatewayClient(credentials=creds, config=config, **common) as client:
        print("ready", flush=True)
        start_at = float(await asyncio.to_thread(sys.stdin.readline))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        outcomes = await asyncio.gather(
            *(_call(client, operation, index) for operation, index in job["calls"])
        )
        ended = time.time()
    if pacer is not None:
        await pacer.aclose()
    failed: dict[str, int] = {}
    for outcome in outcomes:
        if outcome != "ok":
            failed[outcome] = failed.get(outcome, 0) + 1
    return {"calls": len(outcomes), "failed": failed, "ended": ended}


def _warm_keys(account: int, workers: int) -> list[str]:
    # One account per worker: the warm-up calls are never throttled (nor retried).
    return [access_key_for(account + 1 + worker) for worker in range(workers)]


def access_key_for(account: int) -> str:
    """An ``AKIA`` access key id that decodes to ``account`` (a 12-digit account number)."""
    raw = (account << 7).to_bytes(6, "big") + b"\x00\x01\x02\x03"
    return "AKIA" + base64.b32encode(raw).decode()


@dataclass
class BulkReport:
    """One run of a bulk job: what the server throttled, what failed, how long it took."""

    mode: str
    calls: int
    throttled: int
    failed: int
    seconds: float
    minimum: float

    @property
    def ratio(self) -> float:
        """Total time over the quota-bound minimum."""
        return self.seconds / self.minimum if self.minimum else float("inf")


def run_bulk_job(
    server: QuotaServer,
    job: dict[str, int],
    *,
    account: int,
    redis_url: str | None = None,
    workers: int = 4,
    region: str = "us-east-1",
) -> BulkReport:
    """Run ``job`` (operation -> calls) split round-robin over ``workers`` processes.

    Each run should use its own ``account``: the server's buckets (and the pacer's) for it
    start full. The time is from the common start to the last call's end.
    """
    calls = [(operation, index) for operation, n in job.items() for index in range(n)]
    shares = [calls[worker::workers] for worker in range(workers)]
    common = {
        "url": server.url,
        "redis": redis_url,
        "prefix": f"bulk{account}",
        "region": region,
        "access_key": access_key_for(account),
    }
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, json.dumps({**common, "calls": share, "warm_key": warm})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for share, warm in zip(shares, _warm_keys(account, workers), strict=True)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError("a bulk-job worker did not start")
        start_at = time.time() + 0.2
        # Every worker gets its start time before any is waited for (communicate(input)
        # would run them one after the other).
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(f"{start_at}\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=120)[0] for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    results = [json.loads(output) for output in outputs]
    stats = server.stats.get(f"{account:012d}/{region}", {}).values()
    return BulkReport(
        mode="redis" if redis_url else "off",
        calls=sum(result["calls"] for result in results),
        throttled=sum(throttled for _, throttled in stats),
        failed=sum(sum(result["failed"].values()) for result in results),
        seconds=max(result["ended"] for result in results) - start_at,
        minimum=minimum_seconds(job, server.table),
    )


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run_worker(json.loads(sys.argv[1])))))
