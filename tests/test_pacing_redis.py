"""RedisPacer against a real redis-server: shared buckets, deadlines, falling back to local."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from _redis import _free_port, redis_server

from aioapigateway.runtime.errors import ConfigError, PacingTimeoutError
from aioapigateway.runtime.pacing import LocalPacer, Pacer
from aioapigateway.runtime.pacing_redis import RedisPacer


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


async def test_two_pacers_share_a_bucket_through_redis(redis_url: str) -> None:
    # Two RedisPacers stand for two processes: what one takes, the other cannot.
    async with RedisPacer(redis_url) as first, RedisPacer(redis_url) as second:
        await _share(first, second)


async def _share(first: RedisPacer, second: RedisPacer) -> None:
    assert isinstance(first, Pacer)
    key = f"test-share-{time.time_ns()}/us-east-1"
    assert await first.acquire(key, "CreateDomainName", 1 / 30, 1.0, None) < 1.0
    with pytest.raises(PacingTimeoutError):
        await second.acquire(key, "CreateDomainName", 1 / 30, 1.0, time.monotonic() + 2.0)
    # Another bucket, another account: untouched.
    assert await second.acquire(key, "DeleteDomainName", 1 / 30, 1.0, None) < 1.0
    other = f"other-{time.time_ns()}/us-east-1"
    assert await second.acquire(other, "CreateDomainName", 1 / 30, 1.0, None) < 1.0


async def test_a_burst_goes_at_once_then_the_window_holds(redis_url: str) -> None:
    key = f"test-burst-{time.time_ns()}/eu-west-1"
    async with RedisPacer(redis_url) as pacer:
        for _ in range(5):
            await pacer.acquire(key, "CreateResource", 5.0, 5.0, time.monotonic() + 0.5)
        with pytest.raises(PacingTimeoutError):
            await pacer.acquire(key, "CreateResource", 5.0, 5.0, time.monotonic() + 0.05)


async def test_unreachable_redis_falls_back_to_local_pacing_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    local = LocalPacer()
    # retry_after=0: every call tries Redis again, and still only one warning is logged.
    url = f"redis://:hunter2@127.0.0.1:{_free_port()}/0"
    pacer = RedisPacer(url, fallback=local, retry_after=0.0)
    with caplog.at_level(logging.WARNING, logger="aioapigateway.pacing"):
        # A full bucket: the token is taken without waiting for a refill (which is 30 s); what
        # is spent is the failed connection attempt.
        waited = await pacer.acquire("k/r", "b", 1 / 30, 1.0, None)
        assert 0.0 <= waited < 5.0
        # The local fallback paces: its one token is gone.
        with pytest.raises(PacingTimeoutError):
            await pacer.acquire("k/r", "b", 1 / 30, 1.0, time.monotonic() + 1.0)
    await pacer.aclose()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
    assert "hunter2" not in caplog.text and "hunter2" not in repr(pacer)


def test_redis_pacer_needs_a_redis_url() -> None:
    with pytest.raises(ConfigError):
        RedisPacer("http://127.0.0.1:6379")
