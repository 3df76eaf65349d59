"""``RedisPacer``: the pacing buckets in Redis, shared by every process and machine using it.

Needs the ``redis`` extra (``pip install 'aioapigateway[redis]'``: the ``limits`` rate-limiting
library and the ``redis`` client). The bucket arithmetic is ``limits``' moving window, kept in
Redis by its scripts: a bucket of ``burst`` tokens refilled at ``rate`` per second is paced as
"``burst`` requests in any ``burst / rate`` seconds", which never lets more through than the
token bucket would (and as many in the long run).

If Redis cannot be reached (or answers with an error), the pacer logs one warning and paces
with the process's :class:`~aioapigateway.runtime.pacing.LocalPacer` instead: a call never
fails because of Redis. It tries Redis again after ``retry_after`` seconds.

::

    from aioapigateway import ApiGatewayClient, ClientConfig
    from aioapigateway.runtime.pacing_redis import RedisPacer

    pacer = RedisPacer("redis://redis.internal:6379/0")
    async with ApiGatewayClient(config=ClientConfig(pacing=pacer)) as client:
        ...
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

from aioapigateway.runtime.errors import ConfigError, PacingTimeoutError
from aioapigateway.runtime.pacing import LocalPacer, local_pacer

__all__ = ["RedisPacer"]

logger = logging.getLogger("aioapigateway.pacing")

# Waits are re-checked at least this often: another process may take the token first.
_MAX_POLL = 1.0
# A call that had to wait for a window to end goes this much later than the end: requests
# released back to back at a window's edge reach AWS with a few milliseconds of jitter between
# them (other processes, the network), and the service's bucket counts arrivals, not releases.
_EDGE_MARGIN = 0.1


class RedisPacer:
    """A :class:`~aioapigateway.runtime.pacing.Pacer` keeping its buckets in Redis at ``url``.

    ``url`` is a ``redis://`` (or ``rediss://``) URL. Construction does no I/O: the connection
    is made by the first ``acquire``, and belongs to that call's event loop: use one pacer
    per loop, and ``await pacer.aclose()`` (or ``async with pacer:``) when done.
    ``key_prefix`` namespaces the keys in Redis.
    """

    def __init__(
        self,
        url: str,
        *,
        key_prefix: str = "aioapigateway",
        retry_after: float = 30.0,
        fallback: LocalPacer | None = None,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("redis://", "rediss://")):
            raise ConfigError("RedisPacer needs a redis:// or rediss:// URL")
        self._url = url
        self._key_prefix = key_prefix
        self._retry_after = retry_after
        self._fallback = fallback or local_pacer()
        self._limiter: Any = None
        self._storage: Any = None
        self._items: dict[tuple[float, float], Any] = {}
        #: monotonic time until which Redis is not tried again (after a failure).
        self._down_until = 0.0
        self._warned = False

    def __repr__(self) -> str:
        # The URL may hold a password: show the host part only.
        host = self._url.rpartition("@")[2]
        return f"RedisPacer({host.split('/', 1)[0]!r})"

    def _get_limiter(self) -> Any:
        if self._limiter is None:
            try:
                from limits.aio.storage import RedisStorage
                from limits.aio.strategies import MovingWindowRateLimiter
            except ImportError as exc:
                raise ConfigError(
                    "RedisPacer needs the redis extra: pip install 'aioapigateway[redis]'"
                ) from exc
            storage = RedisStorage(
                "async+" + self._url,
                implementation="redispy",
                key_prefix=self._key_prefix,
                wrap_exceptions=True,
                socket_connect_timeout=2.0,
                socket_timeout=2.0,
            )
            self._storage = storage
            self._limiter = MovingWindowRateLimiter(storage)
        return self._limiter

    async def aclose(self) -> None:
        """Close the connections to Redis (the pacer connects again if used later)."""
        storage, self._storage, self._limiter = self._storage, None, None
        if storage is not None:
            try:
                await storage.bridge.storage.aclose()
            except Exception:  # closing a broken connection: nothing left to do
                logger.debug("%r: closing the Redis connection failed", self)

    async def __aenter__(self) -> RedisPacer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _item(self, rate: float, burst: float) -> Any:
        item = self._items.get((rate, burst))
        if item is None:
            from limits import RateLimitItemPerSecond

            # Whole requests in whole seconds: round towards the stricter side.
            amount = max(1, math.floor(burst))
            self._items[(rate, burst)] = item = RateLimitItemPerSecond(
                amount, max(1, math.ceil(amount / rate - 1e-9))
            )
        return item

    async def acquire(
        self, key: str, bucket: str, rate: float, burst: float, deadline: float | None
    ) -> float:
        """See :meth:`aioapigateway.runtime.pacing.Pacer.acquire`."""
        if time.monotonic() < self._down_until:
            return await self._fallback.acquire(key, bucket, rate, burst, deadline)
        limiter = self._get_limiter()
        item = self._item(rate, burst)
        started = time.monotonic()
        try:
            while not await limiter.hit(item, key, bucket):
                stats = await limiter.get_window_stats(item, key, bucket)
                wait = max(stats.reset_time - time.time(), 0.0) + _EDGE_MARGIN
                now = time.monotonic()
                if deadline is not None and now + wait > deadline:
                    raise PacingTimeoutError(
                        f"the {bucket} quota would delay the call {wait:.3f} s, past its "
                        "operation_timeout; nothing was sent",
                        wait=wait,
                    )
                await asyncio.sleep(min(wait, _MAX_POLL))
        except PacingTimeoutError:
            raise
        except Exception as exc:  # Redis down or failing: never the call's problem
            self._redis_failed(exc)
            return (time.monotonic() - started) + await self._fallback.acquire(
                key, bucket, rate, burst, deadline
            )
        return time.monotonic() - started

    async def acquire_many(
        self, key: str, buckets: tuple[tuple[str, float, float], ...], deadline: float | None
    ) -> float:
        """Take one token of each of ``buckets`` at one instant; the seconds waited.

        Waits until every bucket has room, then takes them one after the other (a few
        Redis round trips apart). If another process took one in between, the tokens
        already taken stay taken (stricter, never looser) and the wait starts again.
        """
        if time.monotonic() < self._down_until:
            return await self._fallback_many(key, buckets, deadline, 0.0)
        limiter = self._get_limiter()
        # The most plentiful bucket is taken first: when a later hit loses a race to another
        # process, the token already taken stays spent, and a spent "total" token costs a tenth
        # of a second where a spent CreateDeployment token would cost five.
        ordered = sorted(buckets, key=lambda entry: -entry[1])
        items = [(self._item(rate, burst), bucket) for bucket, rate, burst in ordered]
        started = time.monotonic()
        try:
            while True:
                wait = 0.0
                for item, bucket in items:
                    if not await limiter.test(item, key, bucket):
                        stats = await limiter.get_window_stats(item, key, bucket)
                        wait = max(wait, stats.reset_time - time.time() + _EDGE_MARGIN)
                if wait == 0.0:
                    for item, bucket in items:
                        if not await limiter.hit(item, key, bucket):
                            break
                    else:
                        return time.monotonic() - started
                    continue
                if deadline is not None and time.monotonic() + wait > deadline:
                    raise PacingTimeoutError(
                        f"the quota would delay the call {wait:.3f} s, past its "
                        "operation_timeout; nothing was sent",
                        wait=wait,
                    )
                await asyncio.sleep(min(wait, _MAX_POLL))
        except PacingTimeoutError:
            raise
        except Exception as exc:  # Redis down or failing: never the call's problem
            self._redis_failed(exc)
            return await self._fallback_many(key, buckets, deadline, time.monotonic() - started)

    async def _fallback_many(
        self,
        key: str,
        buckets: tuple[tuple[str, float, float], ...],
        deadline: float | None,
        waited: float,
    ) -> float:
        for bucket, rate, burst in buckets:
            waited += await self._fallback.acquire(key, bucket, rate, burst, deadline)
        return waited

    def _redis_failed(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + self._retry_after
        if not self._warned:
            self._warned = True
            logger.warning(
                "%r: Redis is unreachable (%s); pacing in this process only until it is back",
                self,
                type(exc).__name__,
            )
