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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aioapigateway.runtime.errors import ConfigError, PacingTimeoutError
from aioapigateway.runtime.pacing import LocalPacer, local_pacer, past_deadline

__all__ = ["RedisPacer"]

logger = logging.getLogger("aioapigateway.pacing")

# Waits are re-checked at least this often: another process may take the token first.
_MAX_POLL = 1.0
# A call that had to wait for a window to end goes this much later than the end: requests
# released back to back at a window's edge reach AWS with a few milliseconds of jitter between
# them (other processes, the network), and the service's bucket counts arrivals, not releases.
_EDGE_MARGIN = 0.1
# The key's lock is held for a few Redis round trips; it expires by itself if its holder dies.
_LOCK_EXPIRY = 2.0
_LOCK_POLL = 0.002


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
        self._redis: Any = None
        self._queues: dict[tuple[str, tuple[tuple[str, float, float], ...]], _Queue] = {}
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
                from redis.asyncio import Redis
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
            # The lock's own connection pool (the storage's client is not limits' public API).
            self._redis = Redis.from_url(self._url, socket_connect_timeout=2.0, socket_timeout=2.0)
        return self._limiter

    async def aclose(self) -> None:
        """Close the connections to Redis (the pacer connects again if used later)."""
        storage, self._storage, self._limiter = self._storage, None, None
        client, self._redis = self._redis, None
        if storage is not None:
            try:
                await storage.bridge.storage.aclose()
                await client.aclose()
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
        return await self.acquire_many(key, ((bucket, rate, burst),), deadline)

    async def acquire_many(
        self, key: str, buckets: tuple[tuple[str, float, float], ...], deadline: float | None
    ) -> float:
        """Take one token of each of ``buckets`` at one instant; the seconds waited.

        In this process, the callers wanting the same buckets of one key queue up and only
        the first of them asks Redis (see :class:`_Queue`). Across processes, a call needing
        several buckets tests and takes them under a short Redis lock of the key, so that
        no other process takes one of them in between (see :meth:`_try_many`).
        """
        started = time.monotonic()
        limiter = self._get_limiter()
        queue = self._queue(key, buckets)
        await _enter(queue, deadline)
        try:
            # Checked after the queue: Redis may have failed the callers ahead meanwhile.
            if time.monotonic() >= self._down_until:
                await self._take(limiter, key, buckets, deadline, queue)
                return time.monotonic() - started
        except PacingTimeoutError:
            raise
        except Exception as exc:  # Redis down or failing: never the call's problem
            self._redis_failed(exc)
        finally:
            queue.lock.release()
        waited = time.monotonic() - started
        return waited + await self._fallback.acquire_many(key, buckets, deadline)

    def _queue(self, key: str, buckets: tuple[tuple[str, float, float], ...]) -> _Queue:
        queue = self._queues.get((key, buckets))
        if queue is None:
            if len(self._queues) >= 1024:  # keys of temporary credentials come and go
                self._queues = {k: q for k, q in self._queues.items() if q.lock.locked()}
            queue = self._queues[(key, buckets)] = _Queue()
        return queue

    async def _take(
        self,
        limiter: Any,
        key: str,
        buckets: tuple[tuple[str, float, float], ...],
        deadline: float | None,
        queue: _Queue,
    ) -> None:
        """Wait until Redis gives a token of every bucket (this task heads ``queue``)."""
        # The most plentiful bucket first: it is the one shared with operations that take
        # it alone (without the lock), so it is the one a hit can lose to another process.
        ordered = sorted(buckets, key=lambda entry: -entry[1])
        items = [(self._item(rate, burst), bucket) for bucket, rate, burst in ordered]
        while True:
            # Every call takes the key's lock, those of one bucket too: the lock is granted to
            # its contenders alike, so a call that also needs a scarcer bucket gets its turn
            # at the shared one instead of losing every race to the one-round-trip calls.
            async with self._mutex(key):
                wait = await _try_many(limiter, key, items)
            if wait == 0.0:
                return
            now = time.monotonic()
            if deadline is not None and now + wait > deadline:
                raise past_deadline(wait, "the quota")
            queue.ready_at = now + wait
            await asyncio.sleep(min(wait, _MAX_POLL))

    @asynccontextmanager
    async def _mutex(self, key: str) -> AsyncIterator[None]:
        """Hold the key's Redis lock (a few milliseconds); without it if it cannot be had.

        Going without the lock (another holder is stuck, or died within its expiry) is never
        looser: a token may be spent for nothing, no call goes early.
        """
        from redis.asyncio.lock import Lock

        lock = Lock(
            self._redis,
            f"{self._key_prefix}:pacing-lock:{key}",
            timeout=_LOCK_EXPIRY,
            sleep=_LOCK_POLL,
            blocking_timeout=_LOCK_EXPIRY,
            thread_local=False,
            raise_on_release_error=False,
        )
        held = await lock.acquire()
        try:
            yield
        finally:
            if held:
                await lock.release()

    def _redis_failed(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + self._retry_after
        if not self._warned:
            self._warned = True
            logger.warning(
                "%r: Redis is unreachable (%s); pacing in this process only until it is back",
                self,
                type(exc).__name__,
            )


class _Queue:
    """The callers of one process waiting for the same buckets of one key, first come first.

    Only the head asks Redis; the others wait on ``lock`` (fair: in arrival order). Without
    it every waiting task would wake at each window's end and race for its few tokens.
    ``ready_at`` is when the head expects its tokens: a caller whose deadline is earlier
    fails at once.
    """

    __slots__ = ("lock", "ready_at")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.ready_at = 0.0


async def _enter(queue: _Queue, deadline: float | None) -> None:
    """Take ``queue``'s place at the head, within ``deadline``."""
    if deadline is None:
        await queue.lock.acquire()
        return
    now = time.monotonic()
    if queue.lock.locked() and queue.ready_at > deadline:
        wait = queue.ready_at - now
        raise PacingTimeoutError(
            f"the quota would delay the call at least {wait:.3f} s, past its "
            "operation_timeout; nothing was sent",
            wait=wait,
        )
    try:
        async with asyncio.timeout(max(0.0, deadline - now)):
            await queue.lock.acquire()
    except TimeoutError:
        raise PacingTimeoutError(
            "the quota delayed the call past its operation_timeout; nothing was sent",
            wait=time.monotonic() - now,
        ) from None


async def _window_wait(limiter: Any, key: str, item: Any, bucket: str) -> float:
    """Seconds until the bucket's moving window has room, plus the edge margin."""
    stats = await limiter.get_window_stats(item, key, bucket)
    return max(float(stats.reset_time) - time.time(), 0.0) + _EDGE_MARGIN


async def _try_many(limiter: Any, key: str, items: list[tuple[Any, str]]) -> float:
    """Take a token of each bucket (under the key's lock): ``0.0``, or the seconds to wait.

    The others are tested before the first is hit, so a token is taken only when all are
    there. The first (the shared bucket) can still be lost to a caller taking it alone:
    then nothing was taken. Only a caller bypassing the lock can make a later hit fail
    after the first succeeded; that token stays spent (stricter, never looser).
    """
    wait = 0.0
    for item, bucket in items[1:]:
        if not await limiter.test(item, key, bucket):
            wait = max(wait, await _window_wait(limiter, key, item, bucket))
    if wait:
        return wait
    for item, bucket in items:
        if not await limiter.hit(item, key, bucket):
            return await _window_wait(limiter, key, item, bucket)
    return 0.0
