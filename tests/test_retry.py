"""Retry decisions and the retry quota (aioapigateway._retry)."""

from __future__ import annotations

import pytest

from aioapigateway import errors
from aioapigateway._retry import RetryPolicy, RetryQuota


def service_error(code: str, status: int) -> errors.ServiceError:
    return errors.ServiceError("x", code=code, status_code=status)


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (service_error("TooManyRequestsException", 429), True),
        (service_error("LimitExceededException", 429), True),
        (service_error("ThrottlingException", 400), True),
        (service_error("InternalFailure", 500), True),
        (service_error("502", 502), True),
        (service_error("ServiceUnavailableException", 503), True),
        (service_error("BadRequestException", 400), False),
        (service_error("NotFoundException", 404), False),
        (service_error("ConflictException", 409), False),
        (errors.TransportError("reset"), True),
        (errors.RequestTimeoutError("slow"), True),
        (errors.ParamValidationError("bad"), False),
    ],
)
def test_what_is_retryable(error: Exception, retryable: bool) -> None:
    assert RetryPolicy.is_retryable(error) is retryable


def test_backoff_is_full_jitter_exponential_capped_at_20s() -> None:
    policy = RetryPolicy(10, rng=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 20, 20]
    assert RetryPolicy(10, rng=lambda: 0.25).backoff(3) == 1.0


def test_quota_costs_and_refills() -> None:
    quota = RetryQuota()
    assert quota.acquire(timeout=False) == 5 and quota.available == 495
    assert quota.acquire(timeout=True) == 10 and quota.available == 485
    quota.release(15)
    assert quota.available == 500
    quota.release(1)
    assert quota.available == 500


def test_exhausted_quota_refuses_retries() -> None:
    policy = RetryPolicy(3)
    assert policy.quota is not None
    policy.quota.available = 4
    assert policy.acquire(service_error("ThrottlingException", 400)) is None
    policy.on_success(0)
    assert policy.quota.available == 5
    assert policy.acquire(service_error("ThrottlingException", 400)) == 5


def test_legacy_mode_has_no_quota() -> None:
    policy = RetryPolicy(5, mode="legacy")
    assert policy.quota is None and policy.acquire(errors.TransportError("x")) == 0
