"""Retry decisions: which failures are retried, how long to wait, and the retry quota.

The ``standard`` mode follows botocore's documented semantics: at most ``max_attempts``
attempts, exponential backoff with full jitter capped at 20 s, and a token-bucket quota
(500 tokens; a retry costs 5, a retry after a timeout 10; a success pays back what its
retries took, or 1 token when it needed none).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from aioapigateway._errors import RequestTimeoutError, ServiceError, TransportError

__all__ = ["RetryPolicy", "RetryQuota"]

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT_CODES = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError"}
)
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
MAX_BACKOFF = 20.0


class RetryQuota:
    """A token bucket shared by all calls of one client."""

    __slots__ = ("available", "capacity")

    RETRY_COST = 5
    TIMEOUT_RETRY_COST = 10
    NO_RETRY_INCREMENT = 1

    def __init__(self, capacity: int = 500) -> None:
        self.capacity = capacity
        self.available = capacity

    def acquire(self, timeout: bool) -> int:
        """Take the cost of one retry; 0 when the quota is exhausted (do not retry)."""
        cost = self.TIMEOUT_RETRY_COST if timeout else self.RETRY_COST
        if cost > self.available:
            return 0
        self.available -= cost
        return cost

    def release(self, amount: int) -> None:
        """Pay back ``amount`` tokens after a success."""
        self.available = min(self.capacity, self.available + amount)


class RetryPolicy:
    """Whether and when to retry a failed attempt."""

    __slots__ = ("max_attempts", "mode", "quota", "random")

    def __init__(
        self,
        max_attempts: int,
        mode: str = "standard",
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.max_attempts = max_attempts
        self.mode = mode
        self.quota = RetryQuota() if mode != "legacy" else None
        self.random = rng

    @staticmethod
    def is_retryable(error: Exception) -> bool:
        """Throttling, transient and 5xx errors, timeouts and connection errors."""
        if isinstance(error, ServiceError):
            return (
                error.code in THROTTLING_CODES
                or error.code in TRANSIENT_CODES
                or error.status_code in TRANSIENT_STATUS
                or error.status_code == 429
            )
        return isinstance(error, TransportError)

    def acquire(self, error: Exception) -> int | None:
        """Tokens taken for a retry of ``error``, or ``None`` when the quota forbids it."""
        if self.quota is None:
            return 0
        cost = self.quota.acquire(isinstance(error, RequestTimeoutError))
        return cost if cost else None

    def on_success(self, retry_tokens: int) -> None:
        """Refill the quota after a successful attempt."""
        if self.quota is not None:
            self.quota.release(retry_tokens or RetryQuota.NO_RETRY_INCREMENT)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        return self.random() * min(MAX_BACKOFF, 2.0 ** (attempt - 1))
