"""After each attempt of a call: retry it or raise, and after what delay, as one answer.

The client's attempt loop asks :func:`decide` once per failed attempt and does what the
returned :class:`RetryDecision` says; :func:`succeeded` settles a successful attempt. The
rules, in the order they apply:

1. The error is classified (:meth:`RetryPolicy.classify`; a truncated response is always
   transient) and the adaptive rate limiter, if any, learns whether it was throttled.
2. A clock-skew error whose ``Date`` moves the known clock offset by more than
   :data:`CLOCK_SKEW_THRESHOLD` yields the new offset (``clock_offset``), whatever the verdict.
3. No attempt left, or the operation deadline passed: raise.
4. The clock offset just moved: re-sign and send again at once (no backoff, no quota).
5. An error that is not retryable: raise.
6. The retry quota cannot pay for the retry: raise.
7. A backoff (raised by ``Retry-After`` / ``x-amz-retry-after``) that would end past the
   deadline: raise. Otherwise: retry after that delay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from aioapigateway.runtime.errors import AioApiGatewayError, ServiceError
from aioapigateway.runtime.retry import THROTTLING, TRANSIENT, RetryPolicy, RetryQuota
from aioapigateway.runtime.retry_codes import (
    CLOCK_SKEW_CODES,
    CLOCK_SKEW_THRESHOLD,
    clock_offset_from,
)

__all__ = [
    "ATTEMPTS_EXHAUSTED",
    "BACKOFF",
    "CLOCK_SKEW",
    "DEADLINE_PASSED",
    "NOT_RETRYABLE_ERROR",
    "QUOTA_EXHAUSTED",
    "RETRY_PASSES_DEADLINE",
    "RetryDecision",
    "decide",
    "succeeded",
]

#: Why a decision was made (``RetryDecision.reason``).
NOT_RETRYABLE_ERROR: Final = "not retryable"
ATTEMPTS_EXHAUSTED: Final = "attempts exhausted"
DEADLINE_PASSED: Final = "deadline passed"
QUOTA_EXHAUSTED: Final = "retry quota exhausted"
RETRY_PASSES_DEADLINE: Final = "retry would pass the deadline"
CLOCK_SKEW: Final = "clock skew corrected"
BACKOFF: Final = "backoff"


class RetryDecision:
    """What to do after a failed attempt: ``retry`` (after ``delay`` seconds) or raise.

    ``reason`` is one of this module's reason constants; ``kind`` the error's class
    (``THROTTLING``, ``TRANSIENT`` or ``NOT_RETRYABLE`` from :mod:`.retry`); ``cost`` the
    tokens a retry took from the quota (0 otherwise); ``clock_offset`` the corrected
    server-minus-local clock offset in seconds when the error moved it, else ``None``.
    """

    __slots__ = ("clock_offset", "cost", "delay", "kind", "reason", "retry")

    def __init__(
        self,
        retry: bool,
        reason: str,
        kind: int,
        *,
        delay: float = 0.0,
        cost: int = 0,
        clock_offset: float | None = None,
    ) -> None:
        self.retry = retry
        self.reason = reason
        self.kind = kind
        self.delay = delay
        self.cost = cost
        self.clock_offset = clock_offset

    def __repr__(self) -> str:
        verdict = f"retry in {self.delay:.3f} s" if self.retry else "raise"
        return f"RetryDecision({verdict}, {self.reason}, cost={self.cost})"


def succeeded(policy: RetryPolicy, last_cost: int) -> None:
    """Settle a successful attempt: the rate limiter speeds up, the quota is paid back
    ``last_cost`` (what the call's last retry cost) or 1 token when it needed no retry."""
    if policy.limiter is not None:
        policy.limiter.update(False)
    # RetryPolicy.on_success, inline: this runs on every successful call.
    quota = policy.quota
    if quota is not None and quota.available < quota.capacity:
        quota.release(last_cost or RetryQuota.NO_RETRY_INCREMENT)


def decide(
    policy: RetryPolicy,
    error: AioApiGatewayError,
    *,
    attempt: int,
    max_attempts: int,
    now: float,
    deadline: float | None,
    clock_offset: float,
    status: int = 0,
    headers: Mapping[str, str] | None = None,
    modeled: frozenset[str] = frozenset(),
    truncated: bool = False,
) -> RetryDecision:
    """The answer for attempt ``attempt`` (from 1) that failed with ``error`` at ``now``.

    ``status`` and ``headers`` are the response's (0 and ``None`` when there was none),
    ``modeled`` the error codes the operation models, ``deadline`` the ``time.monotonic()``
    by which the call must end (``None``: no limit), ``clock_offset`` the offset signing
    uses now. Takes the retry's tokens from ``policy``'s quota when it answers "retry".
    """
    kind = TRANSIENT if truncated else policy.classify(error, modeled)
    if policy.limiter is not None:
        policy.limiter.update(kind == THROTTLING)
    offset = _corrected_clock(error, clock_offset)
    if attempt >= max_attempts:
        return RetryDecision(False, ATTEMPTS_EXHAUSTED, kind, clock_offset=offset)
    if deadline is not None and now >= deadline:
        return RetryDecision(False, DEADLINE_PASSED, kind, clock_offset=offset)
    if offset is not None:
        return RetryDecision(True, CLOCK_SKEW, kind, clock_offset=offset)
    if not kind:  # NOT_RETRYABLE
        return RetryDecision(False, NOT_RETRYABLE_ERROR, kind)
    cost = policy.acquire(kind)
    if cost is None:
        return RetryDecision(False, QUOTA_EXHAUSTED, kind)
    delay = policy.delay(attempt, kind, status, headers)
    if deadline is not None and now + delay >= deadline:
        # The tokens stay spent: the quota counts the retries the service made
        # necessary, whether or not the deadline leaves room to make them.
        return RetryDecision(False, RETRY_PASSES_DEADLINE, kind, delay=delay, cost=cost)
    return RetryDecision(True, BACKOFF, kind, delay=delay, cost=cost)


def _corrected_clock(error: AioApiGatewayError, clock_offset: float) -> float | None:
    """The server's clock offset from a clock-skew error's ``Date``, if it moved enough."""
    if not isinstance(error, ServiceError) or error.code not in CLOCK_SKEW_CODES:
        return None
    offset = clock_offset_from(error.headers.get("Date"))
    if offset is None or abs(offset - clock_offset) < CLOCK_SKEW_THRESHOLD:
        return None
    return offset
