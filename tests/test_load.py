"""Load: many concurrent calls on one client stay within its connection cap and leak nothing."""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc

import pytest
from _faults import fault_server

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

CALLS = 2000
MAX_CONNECTIONS = 10
# What may stay allocated after the measured burst. A warm-up burst of the same size first
# grows what keeps its high-water mark (the session and pool, compiled plans, caches, the
# loop's task set); a leak of even 128 bytes per call would exceed this.
MEMORY_SLACK = 256 * 1024


async def burst(client: ApiGatewayClient, calls: int) -> int:
    """``calls`` concurrent calls; how many succeeded. Its own frame, so that nothing it
    made outlives it."""
    results = await asyncio.gather(*(client.get_rest_api(rest_api_id="abc") for _ in range(calls)))
    assert all(result.id == "abc" for result in results)
    return len(results)


async def test_2000_concurrent_calls_on_10_connections() -> None:
    began = time.monotonic()
    async with fault_server(record=False) as server:
        client = ApiGatewayClient(
            region="us-east-1",
            endpoint_url=server.url,
            credentials=Credentials("AKIDEXAMPLE", "secret"),
            config=ClientConfig(max_connections=MAX_CONNECTIONS),
        )
        async with client:
            assert await burst(client, CALLS) == CALLS  # the warm-up
            await asyncio.sleep(0)
            gc.collect()
            tracemalloc.start()
            try:
                assert await burst(client, CALLS) == CALLS
                # CPython 3.11 keeps the last awaited object in the awaiting frame until the
                # next await: make it let go of the burst's gathering future.
                await asyncio.sleep(0)
                peak = tracemalloc.get_traced_memory()[1]
                gc.collect()
                after = tracemalloc.get_traced_memory()[0]
            finally:
                tracemalloc.stop()
            runtime = await client._start()
            connector = runtime.session.connector
            assert connector is not None
            assert len(connector._acquired) == 0  # type: ignore[attr-defined]
    elapsed = time.monotonic() - began
    assert server.count == 2 * CALLS
    assert server.max_connections <= MAX_CONNECTIONS
    assert server.max_in_flight <= MAX_CONNECTIONS
    assert server.total_connections <= MAX_CONNECTIONS  # kept alive and reused
    # Traced from zero at the start of the burst: ``after`` is what the burst left behind.
    assert after < MEMORY_SLACK, (peak, after)
    assert peak > 10 * MEMORY_SLACK  # the burst itself did allocate
    assert elapsed < 20
    print(
        f"\n2 x {CALLS} calls: {elapsed:.2f} s; connections {server.max_connections} max, "
        f"{server.total_connections} total; memory: peak {peak / 1024:.0f} KiB during the "
        f"burst, {after / 1024:.0f} KiB left after it"
    )
