"""The retry decision after each attempt (aioapigateway.runtime.attempts).

One test per branch of :func:`decide` (and :func:`succeeded`), each with the boundary that
tells the rule from its off-by-one neighbour. The jitter is fixed (``rng=lambda: 0.0`` or
``1.0``-ish) so delays are exact; no test sleeps or measures time.
"""

from __future__ import annotations

import email.utils
import time

import pytest

from aioapigateway import errors
from aioapigateway.runtime.attempts import (
    ATTEMPTS_EXHAUSTED,
    BACKOFF,
    CLOCK_SKEW,
    DEADLINE_PASSED,
    NOT_RETRYABLE_ERROR,
    QUOTA_EXHAUSTED,
    RETRY_PASSES_DEADLINE,
    RetryDecision,
    decide,
    succeeded,
)
from aioapigateway.runtime.retry import (
    NOT_RETRYABLE,
    THROTTLING,
    TRANSIENT,
    RetryPolicy,
    RetryQuota,
)

NOW = 1000.0


def service_error(code: str, status: int, **headers: str) -> errors.ServiceError:
    return errors.ServiceError("x", code=code, status_code=status, headers=headers)


def policy(mode: str = "standard", jitter: float = 0.0) -> RetryPolicy:
    return RetryPolicy(3, mode, rng=lambda: jitter)


def first_failure(
    retry: RetryPolicy, error: errors.AioApiGatewayError, **overrides: object
) -> RetryDecision:
    """The decision for attempt 1 of 3, no deadline, no known clock offset."""
    arguments: dict[str, object] = {
        "attempt": 1,
        "max_attempts": 3,
        "now": NOW,
        "deadline": None,
        "clock_offset": 0.0,
    }
    if isinstance(error, errors.ServiceError):
        arguments |= {"status": error.status_code, "headers": error.headers}
    arguments |= overrides
    return decide(retry, error, **arguments)  # type: ignore[arg-type]


def http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


# -- success --------------------------------------------------------------------------------------


def test_success_pays_back_the_last_retry_cost_or_one_token() -> None:
    retry = policy()
    assert retry.quota is not None
    retry.quota.available = 400
    succeeded(retry, 5)
    assert retry.quota.available == 405
    succeeded(retry, 0)  # a call that needed no retry
    assert retry.quota.available == 406


def test_success_never_fills_the_quota_above_its_capacity() -> None:
    retry = policy()
    assert retry.quota is not None
    retry.quota.available = RetryQuota.INITIAL_CAPACITY - 2
    succeeded(retry, RetryQuota.RETRY_COST)
    assert retry.quota.available == RetryQuota.INITIAL_CAPACITY


class LimiterRecorder:
    """Stands in for the adaptive rate limiter: records what each attempt told it."""

    def __init__(self) -> None:
        self.throttled: list[bool] = []

    def update(self, throttled: bool) -> None:
        self.throttled.append(throttled)


def adaptive_policy() -> tuple[RetryPolicy, LimiterRecorder]:
    retry = policy("adaptive")
    recorder = LimiterRecorder()
    retry.limiter = recorder  # type: ignore[assignment]
    return retry, recorder


def test_success_tells_the_adaptive_limiter_it_was_not_throttled() -> None:
    retry, recorder = adaptive_policy()
    succeeded(retry, 0)
    assert recorder.throttled == [False]


# -- raise -------------------------------------------------------------------------------------------


def test_an_error_that_is_not_retryable_is_raised_and_costs_nothing() -> None:
    retry = policy()
    decision = first_failure(retry, service_error("NotFoundException", 404))
    assert (decision.retry, decision.reason, decision.kind) == (
        False,
        NOT_RETRYABLE_ERROR,
        NOT_RETRYABLE,
    )
    assert decision.cost == 0 and decision.clock_offset is None
    assert retry.quota is not None and retry.quota.available == RetryQuota.INITIAL_CAPACITY


def test_a_429_with_a_code_the_operation_models_is_the_models_to_judge() -> None:
    error = service_error("ConflictException", 429)
    assert first_failure(policy(), error).retry is True
    judged = first_failure(policy(), error, modeled=frozenset({"ConflictException"}))
    assert (judged.retry, judged.reason) == (False, NOT_RETRYABLE_ERROR)


def test_a_truncated_response_is_transient_whatever_its_error() -> None:
    error = errors.ResponseParseError("cut off", status_code=200, body=b"{")
    assert first_failure(policy(), error).reason == NOT_RETRYABLE_ERROR
    decision = first_failure(policy(), error, truncated=True)
    assert (decision.retry, decision.kind, decision.cost) == (
        True,
        TRANSIENT,
        RetryQuota.RETRY_COST,
    )


def test_the_last_attempt_is_raised_even_when_retryable() -> None:
    retry = policy()
    error = service_error("ServiceUnavailable", 503)
    second = first_failure(retry, error, attempt=2)
    assert second.retry is True
    last = first_failure(retry, error, attempt=3)
    assert (last.retry, last.reason, last.kind) == (False, ATTEMPTS_EXHAUSTED, TRANSIENT)
    assert retry.quota is not None
    assert retry.quota.available == RetryQuota.INITIAL_CAPACITY - RetryQuota.RETRY_COST


def test_a_passed_deadline_is_raised_without_taking_tokens() -> None:
    retry = policy()
    error = service_error("ServiceUnavailable", 503)
    decision = first_failure(retry, error, deadline=NOW)  # reached exactly
    assert (decision.retry, decision.reason) == (False, DEADLINE_PASSED)
    assert retry.quota is not None and retry.quota.available == RetryQuota.INITIAL_CAPACITY
    assert first_failure(retry, error, deadline=NOW + 1.0).retry is True


def test_an_empty_quota_stops_retries_and_keeps_its_tokens() -> None:
    retry = policy()
    assert retry.quota is not None
    retry.quota.available = RetryQuota.RETRY_COST - 1
    decision = first_failure(retry, service_error("ServiceUnavailable", 503))
    assert (decision.retry, decision.reason, decision.cost) == (False, QUOTA_EXHAUSTED, 0)
    assert retry.quota.available == RetryQuota.RETRY_COST - 1
    # A throttling retry costs less: exactly what is left pays for it.
    retry.quota.available = RetryQuota.THROTTLING_RETRY_COST
    throttled = first_failure(retry, service_error("ThrottlingException", 400))
    assert (throttled.retry, throttled.cost) == (True, RetryQuota.THROTTLING_RETRY_COST)
    assert retry.quota.available == 0


# -- clock skew ----------------------------------------------------------------------------------


def test_clock_skew_re_signs_at_once_without_backoff_or_tokens() -> None:
    retry = policy(jitter=0.99)
    error = service_error("RequestTimeTooSkewed", 403, Date=http_date(3600))
    decision = first_failure(retry, error)
    assert (decision.retry, decision.reason, decision.delay, decision.cost) == (
        True,
        CLOCK_SKEW,
        0.0,
        0,
    )
    assert decision.clock_offset is not None and abs(decision.clock_offset - 3600) < 60
    assert retry.quota is not None and retry.quota.available == RetryQuota.INITIAL_CAPACITY


def test_clock_skew_on_the_last_attempt_corrects_the_clock_and_raises() -> None:
    error = service_error("RequestTimeTooSkewed", 403, Date=http_date(-3600))
    decision = first_failure(policy(), error, attempt=3)
    assert (decision.retry, decision.reason) == (False, ATTEMPTS_EXHAUSTED)
    assert decision.clock_offset is not None and abs(decision.clock_offset + 3600) < 60


def test_clock_skew_already_corrected_is_not_re_signed_again() -> None:
    error = service_error("RequestTimeTooSkewed", 403, Date=http_date(3600))
    decision = first_failure(policy(), error, clock_offset=3600.0)
    assert (decision.retry, decision.reason, decision.clock_offset) == (
        False,
        NOT_RETRYABLE_ERROR,
        None,
    )


def test_a_clock_skew_error_without_a_date_is_an_ordinary_error() -> None:
    decision = first_failure(policy(), service_error("RequestTimeTooSkewed", 403))
    assert (decision.reason, decision.clock_offset) == (NOT_RETRYABLE_ERROR, None)


# -- backoff ---------------------------------------------------------------------------------------


def test_throttling_waits_at_least_what_retry_after_says() -> None:
    retry = policy()
    error = service_error("TooManyRequestsException", 429, **{"Retry-After": "7"})
    decision = first_failure(retry, error)
    assert (decision.retry, decision.reason, decision.kind) == (True, BACKOFF, THROTTLING)
    assert decision.delay == 7.0
    assert decision.cost == RetryQuota.THROTTLING_RETRY_COST
    without = first_failure(policy(), service_error("TooManyRequestsException", 429))
    assert without.delay == 0.0


def test_throttling_backoff_uses_the_throttling_base() -> None:
    decision = first_failure(policy(jitter=0.5), service_error("ThrottlingException", 400))
    assert decision.delay == 0.5  # random() * 1 s * 2 ** 0
    transient = first_failure(policy(jitter=0.5), service_error("InternalError", 500))
    assert transient.delay == 0.025  # random() * 50 ms * 2 ** 0


def test_a_retry_that_would_end_past_the_deadline_is_raised() -> None:
    error = service_error("TooManyRequestsException", 429, **{"Retry-After": "5"})
    decision = first_failure(policy(), error, deadline=NOW + 5.0)  # would end exactly then
    assert (decision.retry, decision.reason, decision.delay) == (
        False,
        RETRY_PASSES_DEADLINE,
        5.0,
    )
    assert first_failure(policy(), error, deadline=NOW + 5.5).retry is True


def test_each_failure_tells_the_adaptive_limiter_whether_it_was_throttled() -> None:
    retry, recorder = adaptive_policy()
    first_failure(retry, service_error("InternalError", 500))
    first_failure(retry, service_error("ThrottlingException", 400))
    first_failure(retry, service_error("NotFoundException", 404), attempt=3)
    assert recorder.throttled == [False, True, False]


def test_legacy_mode_retries_without_a_quota() -> None:
    retry = policy("legacy")
    decision = first_failure(retry, service_error("ServiceUnavailable", 503))
    assert (decision.retry, decision.reason, decision.cost) == (True, BACKOFF, 0)
    assert retry.quota is None


@pytest.mark.parametrize("retry", [True, False])
def test_the_decision_says_what_it_is(retry: bool) -> None:
    decision = RetryDecision(retry, BACKOFF, TRANSIENT, delay=0.25, cost=14)
    expected = "retry in 0.250 s" if retry else "raise"
    assert repr(decision) == f"RetryDecision({expected}, backoff, cost=14)"
