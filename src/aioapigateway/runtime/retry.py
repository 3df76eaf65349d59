"""Retry decisions, backoff, the retry quota and adaptive client-side rate limiting.

The three modes are botocore's (1.44), re-implemented for asyncio:

``standard``
    At most ``max_attempts`` attempts (default 3). Retried: throttling errors (the error
    codes in :data:`THROTTLING_CODES`, or HTTP 429 with a code the operation does not
    model), transient errors (:data:`TRANSIENT_CODES`, HTTP 500/502/503/504), connection
    errors, timeouts and truncated responses; never another 4xx. The wait before attempt
    ``i + 1`` is ``random() * min(base * 2 ** (i - 1), 20)`` seconds (full jitter), with
    ``base`` 1 s after a throttling error and 50 ms otherwise; an ``x-amz-retry-after``
    header (milliseconds) raises it to at most 5 s above that. A token bucket of 500 shared
    by the client's calls limits retries when the service keeps failing: a retry costs 5
    tokens after a throttling error and 14 otherwise, and is not made when the bucket cannot
    pay; a successful call pays back what its last retry cost, or 1 token when it needed
    none.
``adaptive``
    ``standard`` plus a client-side rate limiter: after the first throttling error, every
    attempt first takes a token from a bucket whose fill rate follows botocore's CUBIC
    adjustment (cut to 70 % of the measured send rate on throttling, grown back along a
    cubic curve on success). Waiting for a token is an ``asyncio.sleep``.
``legacy``
    botocore's original handler: ``max_attempts`` attempts (default 5), retrying HTTP 429,
    500, 502, 503, 504 and 509, the codes in :data:`LEGACY_THROTTLING_CODES` with HTTP 400,
    connection errors and timeouts; the wait is ``random() * 2 ** (i - 1)`` seconds,
    uncapped; no quota.

In every mode a ``Retry-After`` header (delta seconds or an HTTP date) on a 429 or 503
response sets a floor on the wait, capped at :data:`MAX_RETRY_AFTER` seconds.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Final

from aioapigateway.runtime.errors import AioApiGatewayError, ServiceError, TransportError
from aioapigateway.runtime.retry_codes import (
    LEGACY_STATUS,
    LEGACY_THROTTLING_CODES,
    THROTTLING_CODES,
    THROTTLING_STATUS,
    TRANSIENT_CODES,
    TRANSIENT_STATUS,
    _http_date,
)

__all__ = [
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "NOT_RETRYABLE",
    "THROTTLING",
    "TRANSIENT",
    "AdaptiveRateLimiter",
    "CubicCalculator",
    "RetryPolicy",
    "RetryQuota",
    "TokenBucket",
    "retry_after_seconds",
]


MAX_BACKOFF: Final = 20.0
MAX_RETRY_AFTER: Final = 20.0
THROTTLING_BASE: Final = 1.0
TRANSIENT_BASE: Final = 0.05
AMZ_RETRY_AFTER_MAX_ADDITIONAL: Final = 5.0

#: Error kinds, as :meth:`RetryPolicy.classify` returns them.
NOT_RETRYABLE: Final = 0
TRANSIENT: Final = 1
THROTTLING: Final = 2


class RetryQuota:
    """A token bucket shared by all calls of one client (botocore's RetryQuota)."""

    __slots__ = ("available", "capacity")

    INITIAL_CAPACITY = 500
    RETRY_COST = 14
    THROTTLING_RETRY_COST = 5
    NO_RETRY_INCREMENT = 1

    def __init__(self, capacity: int = INITIAL_CAPACITY) -> None:
        self.capacity = capacity
        self.available = capacity

    def acquire(self, amount: int) -> bool:
        """Take ``amount`` tokens; ``False`` (and nothing taken) when there are not enough."""
        if amount > self.available:
            return False
        self.available -= amount
        return True

    def release(self, amount: int) -> None:
        """Pay back ``amount`` tokens, never above the capacity."""
        if self.available < self.capacity:
            self.available = min(self.capacity, self.available + amount)


class RetryPolicy:
    """Whether and when to retry a failed attempt, for one client."""

    __slots__ = ("limiter", "max_attempts", "mode", "quota", "random")

    def __init__(
        self,
        max_attempts: int,
        mode: str = "standard",
        rng: Callable[[], float] = random.random,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.max_attempts = max_attempts
        self.mode = mode
        #: Returns a float in [0, 1): the jitter. Replace it to make backoff deterministic.
        self.random = rng
        self.quota = RetryQuota() if mode != "legacy" else None
        self.limiter = AdaptiveRateLimiter(clock=clock, sleep=sleep) if mode == "adaptive" else None

    def classify(self, error: AioApiGatewayError, modeled: frozenset[str] = frozenset()) -> int:
        """``THROTTLING``, ``TRANSIENT`` or ``NOT_RETRYABLE`` for a failed attempt.

        ``modeled`` holds the error codes the operation models: a 429 with one of those
        codes is the model's to classify (botocore's ThrottlingStatusCodeChecker).
        """
        if isinstance(error, ServiceError):
            code = error.code
            status = error.status_code
            if self.mode == "legacy":
                if status in LEGACY_STATUS:
                    return THROTTLING if status == THROTTLING_STATUS else TRANSIENT
                if status == 400 and code in LEGACY_THROTTLING_CODES:
                    return THROTTLING
                return NOT_RETRYABLE
            if code in THROTTLING_CODES or (status == THROTTLING_STATUS and code not in modeled):
                return THROTTLING
            if code in TRANSIENT_CODES or status in TRANSIENT_STATUS:
                return TRANSIENT
            return NOT_RETRYABLE
        if isinstance(error, TransportError):
            return TRANSIENT
        return NOT_RETRYABLE

    def acquire(self, kind: int) -> int | None:
        """Tokens taken from the quota for a retry, or ``None`` when the quota forbids it."""
        quota = self.quota
        if quota is None:
            return 0
        cost = RetryQuota.THROTTLING_RETRY_COST if kind == THROTTLING else RetryQuota.RETRY_COST
        return cost if quota.acquire(cost) else None

    def on_success(self, last_cost: int) -> None:
        """A call succeeded: pay back its last retry's cost, or 1 token if it had none."""
        quota = self.quota
        if quota is not None and quota.available < quota.capacity:
            quota.release(last_cost or RetryQuota.NO_RETRY_INCREMENT)

    def backoff(self, attempt: int, kind: int = TRANSIENT) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        if self.mode == "legacy":
            return self.random() * 2.0 ** (attempt - 1)
        base = THROTTLING_BASE if kind == THROTTLING else TRANSIENT_BASE
        return self.random() * min(base * 2.0 ** (attempt - 1), MAX_BACKOFF)

    def delay(
        self,
        attempt: int,
        kind: int,
        status: int = 0,
        headers: Mapping[str, str] | None = None,
        *,
        now: float | None = None,
    ) -> float:
        """The wait before the next attempt: backoff, raised by the retry-after headers."""
        delay = self.backoff(attempt, kind)
        if not headers:
            return delay
        if self.mode != "legacy":
            raw = headers.get("x-amz-retry-after")
            if raw is not None:
                try:
                    millis = int(raw)
                except ValueError:
                    millis = -1
                if millis >= 0:
                    delay = max(delay, min(millis / 1000.0, delay + AMZ_RETRY_AFTER_MAX_ADDITIONAL))
        if status in (429, 503):
            raw = headers.get("Retry-After")
            if raw is not None:
                wait = retry_after_seconds(raw, headers.get("Date"), now=now)
                if wait is not None:
                    delay = max(delay, min(wait, MAX_RETRY_AFTER))
        return delay


def retry_after_seconds(
    value: str, date: str | None = None, *, now: float | None = None
) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta seconds or an HTTP date.

    An HTTP date is measured against the response's ``Date`` header when there is one (so a
    skewed local clock does not matter), else against ``now`` (default: the local clock).
    ``None`` for a value that is neither.
    """
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    target = _http_date(text)
    if target is None:
        return None
    reference = _http_date(date) if date else None
    if reference is None:
        reference = time.time() if now is None else now
    return max(0.0, target - reference)


# -- adaptive mode ------------------------------------------------------------------------------


class CubicCalculator:
    """The send rate's CUBIC curve (botocore's throttling.CubicCalculator)."""

    __slots__ = ("_k", "beta", "last_fail", "scale_constant", "w_max")

    def __init__(
        self,
        starting_max_rate: float,
        start_time: float,
        scale_constant: float = 0.4,
        beta: float = 0.7,
    ) -> None:
        self.w_max = starting_max_rate
        self.scale_constant = scale_constant
        self.beta = beta
        self._k = self._zero_point()
        self.last_fail = start_time

    def _zero_point(self) -> float:
        return float((self.w_max * (1 - self.beta) / self.scale_constant) ** (1 / 3.0))

    def success_received(self, timestamp: float) -> float:
        dt = timestamp - self.last_fail
        return self.scale_constant * (dt - self._k) ** 3 + self.w_max

    def error_received(self, current_rate: float, timestamp: float) -> float:
        self.w_max = current_rate
        self._k = self._zero_point()
        self.last_fail = timestamp
        return current_rate * self.beta


class TokenBucket:
    """Send tokens refilled at ``max_rate`` per second (botocore's bucket.TokenBucket).

    ``acquire`` waits with ``asyncio.sleep`` (never blocking the loop) until a token is
    there; the wait is re-checked when it ends, since the rate may have changed meanwhile.
    """

    __slots__ = ("_clock", "_last", "_sleep", "capacity", "fill_rate", "max_capacity", "min_rate")

    def __init__(
        self,
        max_rate: float,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[object]],
        min_rate: float = 0.5,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None
        self.min_rate = min_rate
        self.capacity = 0.0
        self.fill_rate = min_rate
        self.max_capacity = 1.0
        self.set_rate(max_rate)

    def _refill(self) -> None:
        now = self._clock()
        if self._last is None:
            self._last = now
            return
        self.capacity = min(self.max_capacity, self.capacity + (now - self._last) * self.fill_rate)
        self._last = now

    def set_rate(self, value: float) -> None:
        self._refill()
        self.fill_rate = max(value, self.min_rate)
        self.max_capacity = value if value >= 1 else 1.0
        self.capacity = min(self.capacity, self.max_capacity)

    async def acquire(self, amount: float = 1.0) -> None:
        self._refill()
        # The epsilon: float rounding must not leave a waiter short of its token forever.
        while self.capacity < amount - 1e-9:
            await self._sleep((amount - self.capacity) / self.fill_rate)
            self._refill()
        self.capacity -= amount


class RateClocker:
    """The smoothed rate at which the client sends (botocore's adaptive.RateClocker)."""

    __slots__ = ("_clock", "_count", "_last_bucket", "_scale", "measured_rate", "smoothing")

    def __init__(
        self, clock: Callable[[], float], smoothing: float = 0.8, bucket_range: float = 0.5
    ) -> None:
        self._clock = clock
        self.smoothing = smoothing
        self.measured_rate = 0.0
        self._scale = 1 / bucket_range
        self._last_bucket = float(math.floor(clock()))
        self._count = 0

    def record(self, amount: int = 1) -> float:
        now = self._clock()
        bucket = math.floor(now * self._scale) / self._scale
        self._count += amount
        if bucket > self._last_bucket:
            current = self._count / (bucket - self._last_bucket)
            self.measured_rate = current * self.smoothing + self.measured_rate * (
                1 - self.smoothing
            )
            self._count = 0
            self._last_bucket = bucket
        return self.measured_rate


class AdaptiveRateLimiter:
    """botocore's ClientRateLimiter: rate limiting switched on by the first throttle."""

    MAX_RATE_ADJUST_SCALE = 2.0

    __slots__ = ("_clock", "bucket", "clocker", "cubic", "enabled")

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self.cubic = CubicCalculator(starting_max_rate=0, start_time=clock())
        self.bucket = TokenBucket(max_rate=1, clock=clock, sleep=sleep)
        self.clocker = RateClocker(clock)
        self.enabled = False

    async def acquire(self) -> None:
        """Before an attempt: wait for a send token (only once throttling was seen)."""
        if self.enabled:
            await self.bucket.acquire()

    def update(self, throttled: bool) -> None:
        """After an attempt (any outcome): adjust the send rate."""
        measured = self.clocker.record()
        now = self._clock()
        if not throttled:
            new_rate = self.cubic.success_received(now)
        else:
            rate = measured if not self.enabled else min(measured, self.bucket.fill_rate)
            new_rate = self.cubic.error_received(rate, now)
            self.enabled = True
        self.bucket.set_rate(min(new_rate, self.MAX_RATE_ADJUST_SCALE * measured))
