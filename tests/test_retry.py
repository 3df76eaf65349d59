"""Retry decisions, backoff, the retry quota and the adaptive limiter (aioapigateway.runtime.retry).

The constants and rules are checked against the installed botocore (the test-only oracle),
so a botocore upgrade that changes them shows up here. botocore is pinned: its modules are
imported, never skipped, so one that moves fails the suite.
"""

from __future__ import annotations

import email.utils
import json
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.retries import adaptive, quota, standard, throttling
from botocore.retries import bucket as bucket_module

from aioapigateway import errors
from aioapigateway.runtime.retry import (
    NOT_RETRYABLE,
    THROTTLING,
    TRANSIENT,
    AdaptiveRateLimiter,
    CubicCalculator,
    RetryPolicy,
    RetryQuota,
    TokenBucket,
    retry_after_seconds,
)
from aioapigateway.runtime.retry_codes import (
    CLOCK_SKEW_CODES,
    LEGACY_STATUS,
    LEGACY_THROTTLING_CODES,
    THROTTLING_CODES,
    TRANSIENT_CODES,
    clock_offset_from,
)

APIGATEWAY_MODELED = frozenset(
    {
        "BadRequestException",
        "ConflictException",
        "LimitExceededException",
        "NotFoundException",
        "UnauthorizedException",
        "TooManyRequestsException",
    }
)


def service_error(code: str, status: int, **headers: str) -> errors.ServiceError:
    return errors.ServiceError("x", code=code, status_code=status, headers=headers)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (service_error("TooManyRequestsException", 429), THROTTLING),
        (service_error("LimitExceededException", 429), THROTTLING),
        (service_error("ThrottlingException", 400), THROTTLING),
        (service_error("SlowDown", 503), THROTTLING),
        (service_error("429", 429), THROTTLING),  # an unmodeled code: the status decides
        (service_error("ConflictException", 429), NOT_RETRYABLE),  # modeled: the model decides
        (service_error("InternalFailure", 500), TRANSIENT),
        (service_error("502", 502), TRANSIENT),
        (service_error("ServiceUnavailableException", 503), TRANSIENT),
        (service_error("504", 504), TRANSIENT),
        (service_error("RequestTimeoutException", 408), TRANSIENT),
        (service_error("PriorRequestNotComplete", 400), THROTTLING),
        (service_error("BadRequestException", 400), NOT_RETRYABLE),
        (service_error("NotFoundException", 404), NOT_RETRYABLE),
        (service_error("ConflictException", 409), NOT_RETRYABLE),
        (service_error("509", 509), NOT_RETRYABLE),
        (errors.TransportError("reset"), TRANSIENT),
        (errors.RequestTimeoutError("slow"), TRANSIENT),
        (errors.ParamValidationError("bad"), NOT_RETRYABLE),
        (errors.CredentialsError("none"), NOT_RETRYABLE),
        (errors.ResponseParseError("bad json"), NOT_RETRYABLE),
    ],
)
def test_standard_classification(error: errors.AioApiGatewayError, kind: int) -> None:
    assert RetryPolicy(3).classify(error, APIGATEWAY_MODELED) == kind
    assert RetryPolicy(3, "adaptive").classify(error, APIGATEWAY_MODELED) == kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (service_error("ConflictException", 429), THROTTLING),  # any 429
        (service_error("509", 509), TRANSIENT),
        (service_error("ThrottlingException", 400), THROTTLING),
        (service_error("ThrottlingException", 403), NOT_RETRYABLE),  # only with HTTP 400
        (service_error("SlowDown", 400), NOT_RETRYABLE),  # not in the legacy list
        (service_error("InternalFailure", 500), TRANSIENT),
        (service_error("RequestTimeoutException", 408), NOT_RETRYABLE),
        (errors.RequestTimeoutError("slow"), TRANSIENT),
        (errors.TransportError("reset"), TRANSIENT),
    ],
)
def test_legacy_classification(error: errors.AioApiGatewayError, kind: int) -> None:
    assert RetryPolicy(5, "legacy").classify(error, APIGATEWAY_MODELED) == kind


def test_code_lists_match_botocore() -> None:
    assert frozenset(standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES) == THROTTLING_CODES
    transient = standard.TransientRetryableChecker
    assert frozenset(transient._TRANSIENT_ERROR_CODES) == TRANSIENT_CODES
    assert transient._TRANSIENT_STATUS_CODES == [500, 502, 503, 504]
    assert standard.ExponentialBackoff._MAX_BACKOFF == 20
    assert standard.ExponentialBackoff._DEFAULT_BACKOFF_CONFIG == {
        "throttling_base_scale": 1,
        "non_throttling_base_scale": 0.05,
    }
    checker = standard.RetryQuotaChecker
    assert (checker._RETRY_COST, checker._THROTTLING_RETRY_COST) == (
        RetryQuota.RETRY_COST,
        RetryQuota.THROTTLING_RETRY_COST,
    )
    assert checker._NO_RETRY_INCREMENT == RetryQuota.NO_RETRY_INCREMENT
    assert quota.RetryQuota.INITIAL_CAPACITY == RetryQuota.INITIAL_CAPACITY


def test_legacy_rules_match_botocores_retry_json() -> None:
    data = json.loads((Path(botocore.__file__).parent / "data" / "_retry.json").read_text())
    default = data["retry"]["__default__"]
    assert default["max_attempts"] == 5
    assert default["delay"] == {"type": "exponential", "base": "rand", "growth_factor": 2}
    statuses, codes = set(), set()
    for policy in data["definitions"].values():
        response = policy["applies_when"].get("response")
        if response is None:
            continue
        if "service_error_code" in response:
            assert response["http_status_code"] == 400
            codes.add(response["service_error_code"])
        else:
            statuses.add(response["http_status_code"])
    assert "apigateway" not in data["retry"]
    assert statuses == set(LEGACY_STATUS)
    assert codes == set(LEGACY_THROTTLING_CODES)


def test_standard_backoff_is_full_jitter_exponential_capped_at_20s() -> None:
    policy = RetryPolicy(10, rng=lambda: 1.0)
    assert [policy.backoff(n, THROTTLING) for n in range(1, 8)] == [1, 2, 4, 8, 16, 20, 20]
    assert [policy.backoff(n, TRANSIENT) for n in range(1, 4)] == [0.05, 0.1, 0.2]
    assert policy.backoff(12, TRANSIENT) == 20
    assert RetryPolicy(10, rng=lambda: 0.25).backoff(3, THROTTLING) == 1.0
    assert RetryPolicy(10, rng=lambda: 0.0).backoff(3, THROTTLING) == 0.0


def test_legacy_backoff_is_uncapped() -> None:
    policy = RetryPolicy(10, "legacy", rng=lambda: 0.5)
    assert [policy.backoff(n) for n in range(1, 5)] == [0.5, 1, 2, 4]
    assert policy.backoff(8) == 64


def test_backoff_matches_botocore_with_the_same_random_numbers() -> None:
    class Context:
        http_response = None

        def __init__(self, attempt: int) -> None:
            self.attempt_number = attempt

    for throttled in (True, False):

        class Detector:
            def is_throttling_error_from_context(self, context: Any) -> bool:
                return throttled  # noqa: B023 - used within the iteration

        theirs = standard.ExponentialBackoff(random=lambda: 0.37, throttling_detector=Detector())
        ours = RetryPolicy(10, rng=lambda: 0.37)
        kind = THROTTLING if throttled else TRANSIENT
        for attempt in range(1, 10):
            assert ours.backoff(attempt, kind) == pytest.approx(
                theirs.delay_amount(Context(attempt))
            )


def test_quota_costs_and_refills_like_botocore() -> None:
    policy = RetryPolicy(3)
    assert policy.quota is not None
    assert policy.acquire(TRANSIENT) == 14 and policy.quota.available == 486
    assert policy.acquire(THROTTLING) == 5 and policy.quota.available == 481
    policy.on_success(5)  # the last retry's cost comes back
    assert policy.quota.available == 486
    policy.on_success(0)  # a call without retries gives 1
    assert policy.quota.available == 487
    policy.on_success(14)
    assert policy.quota.available == 500  # never above the capacity
    policy.on_success(0)
    assert policy.quota.available == 500


def test_exhausted_quota_refuses_retries() -> None:
    policy = RetryPolicy(3)
    assert policy.quota is not None
    policy.quota.available = 13
    assert policy.acquire(TRANSIENT) is None
    assert policy.quota.available == 13  # nothing taken
    assert policy.acquire(THROTTLING) == 5
    policy.quota.available = 4
    assert policy.acquire(THROTTLING) is None
    policy.on_success(0)
    assert policy.acquire(THROTTLING) == 5


def test_quota_drains_at_botocores_pace() -> None:
    theirs = quota.RetryQuota()
    ours = RetryQuota()
    for amount in [14, 5, 14, 14, 5] * 30:
        assert ours.acquire(amount) == theirs.acquire(amount)
        assert ours.available == theirs.available_capacity


def test_legacy_mode_has_no_quota() -> None:
    policy = RetryPolicy(5, mode="legacy")
    assert policy.quota is None and policy.acquire(TRANSIENT) == 0
    policy.on_success(0)


def test_retry_after_headers() -> None:
    policy = RetryPolicy(3, rng=lambda: 0.5)
    # Retry-After (seconds) on 429 and 503 only, capped at 20 s.
    assert policy.delay(1, THROTTLING, 429, {"Retry-After": "3"}) == 3
    assert policy.delay(1, TRANSIENT, 503, {"Retry-After": "2"}) == 2
    assert policy.delay(1, TRANSIENT, 500, {"Retry-After": "2"}) == 0.025
    assert policy.delay(1, THROTTLING, 429, {"Retry-After": "3600"}) == 20
    assert policy.delay(1, THROTTLING, 429, {"Retry-After": "0"}) == 0.5  # a floor only
    assert policy.delay(1, THROTTLING, 429, {"Retry-After": "soon"}) == 0.5
    # x-amz-retry-after (milliseconds), as botocore: at most 5 s above the backoff.
    assert policy.delay(1, TRANSIENT, 500, {"x-amz-retry-after": "1500"}) == 1.5
    assert policy.delay(1, TRANSIENT, 500, {"x-amz-retry-after": "60000"}) == 5.025
    assert policy.delay(1, TRANSIENT, 500, {"x-amz-retry-after": "-5"}) == 0.025
    # Legacy mode honours Retry-After too, but not x-amz-retry-after.
    legacy = RetryPolicy(5, "legacy", rng=lambda: 0.5)
    assert legacy.delay(1, THROTTLING, 429, {"Retry-After": "4"}) == 4
    assert legacy.delay(1, TRANSIENT, 500, {"x-amz-retry-after": "1500"}) == 0.5


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    later = email.utils.formatdate(now + 7, usegmt=True)
    assert retry_after_seconds(later, now=now) == 7
    # Measured against the response's Date header when there is one (clock skew).
    server_now = email.utils.formatdate(now + 3600, usegmt=True)
    server_later = email.utils.formatdate(now + 3605, usegmt=True)
    assert retry_after_seconds(server_later, server_now, now=now) == 5
    assert retry_after_seconds(email.utils.formatdate(now - 60, usegmt=True), now=now) == 0
    assert retry_after_seconds("1.5") == 1.5
    for bad in ("", "  ", "-3", "nan", "inf", "Thursday", "Mon, 99 Foo 2020 00:00:00 GMT"):
        assert retry_after_seconds(bad) is None


def test_clock_offset_from_date_header() -> None:
    now = 1_700_000_000.0
    assert clock_offset_from(email.utils.formatdate(now + 900, usegmt=True), now=now) == 900
    assert clock_offset_from(email.utils.formatdate(now - 30), now=now) == -30
    assert clock_offset_from("Tue, 14 Nov 2023 22:13:20 -0000", now=now) == 0
    for bad in (None, "", "yesterday", "Mon, 32 Nov 2023 22:13:20 GMT"):
        assert clock_offset_from(bad, now=now) is None


def test_clock_skew_codes() -> None:
    assert {"RequestTimeTooSkewed", "SignatureDoesNotMatch", "InvalidSignatureException"} <= (
        CLOCK_SKEW_CODES
    )
    assert {"RequestExpired", "AuthFailure", "RequestInTheFuture"} <= CLOCK_SKEW_CODES


# -- adaptive mode --------------------------------------------------------------------------------


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_cubic_matches_botocore() -> None:
    theirs = throttling.CubicCalculator(starting_max_rate=10, start_time=0)
    ours = CubicCalculator(starting_max_rate=10, start_time=0)
    events = [(0.5, None), (1.0, 8.0), (1.5, None), (3.0, None), (3.5, 12.0), (9.0, None)]
    for timestamp, error_rate in events:
        if error_rate is None:
            assert ours.success_received(timestamp) == pytest.approx(
                theirs.success_received(timestamp)
            )
        else:
            assert ours.error_received(error_rate, timestamp) == pytest.approx(
                theirs.error_received(error_rate, timestamp)
            )


async def test_token_bucket_waits_without_blocking() -> None:
    clock = FakeClock()
    bucket = TokenBucket(max_rate=2, clock=clock, sleep=clock.sleep)
    await bucket.acquire()  # waits for the first token: 1 / 2 s
    assert clock.slept == [0.5]
    clock.slept.clear()
    clock.now += 10  # refills to the capacity (2), no more
    for _ in range(3):
        await bucket.acquire()
    assert clock.slept == [0.5]


async def test_token_bucket_matches_botocore_rates() -> None:
    clock = FakeClock()

    class TheirClock:
        def current_time(self) -> float:
            return clock.now

    theirs = bucket_module.TokenBucket(max_rate=1, clock=TheirClock())
    ours = TokenBucket(max_rate=1, clock=clock, sleep=clock.sleep)
    for rate, elapsed in [(0.2, 3.0), (5.0, 0.4), (3.0, 1.0), (0.8, 2.0)]:
        theirs.max_rate = rate
        ours.set_rate(rate)
        clock.now += elapsed
        theirs._refill()
        ours._refill()
        assert ours.fill_rate == theirs.max_rate
        assert ours.max_capacity == theirs.max_capacity
        assert ours.capacity == pytest.approx(theirs.available_capacity)


async def test_adaptive_limiter_engages_on_throttling_and_recovers() -> None:
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(clock=clock, sleep=clock.sleep)
    # Before any throttling: no waiting at all.
    for _ in range(50):
        await limiter.acquire()
        limiter.update(False)
        clock.now += 0.01
    assert clock.slept == [] and not limiter.enabled
    # A throttle: the send rate drops to 70 % of the measured one and sends wait for tokens.
    measured = limiter.clocker.measured_rate
    limiter.update(True)
    assert limiter.enabled
    assert limiter.bucket.fill_rate <= max(0.5, 0.7 * measured + 1e-9) + 1e-6
    started = clock.now
    for _ in range(10):
        await limiter.acquire()
        limiter.update(False)
    assert clock.slept and clock.now > started
    # Successes grow the rate back (CUBIC).
    low = limiter.bucket.fill_rate
    for _ in range(200):
        clock.now += 0.05
        limiter.update(False)
    assert limiter.bucket.fill_rate > low


def test_adaptive_limiter_matches_botocore() -> None:
    clock = FakeClock()

    class TheirClock:
        def current_time(self) -> float:
            return clock.now

    class Detector:
        throttled = False

        def is_throttling_error(self, **kwargs: Any) -> bool:
            return Detector.throttled

    their_clock = TheirClock()
    theirs = adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(0, their_clock.current_time()),
        rate_clocker=adaptive.RateClocker(their_clock),
        token_bucket=bucket_module.TokenBucket(max_rate=1, clock=their_clock),
        throttling_detector=Detector(),
        clock=their_clock,
    )
    ours = AdaptiveRateLimiter(clock=clock, sleep=clock.sleep)
    pattern = [False] * 30 + [True] + [False] * 40 + [True, True] + [False] * 60
    for throttled in pattern:
        clock.now += 0.07
        Detector.throttled = throttled
        theirs.on_receiving_response()
        ours.update(throttled)
        assert ours.enabled == theirs._enabled
        assert ours.bucket.fill_rate == pytest.approx(theirs._token_bucket.max_rate)
