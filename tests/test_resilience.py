"""Retries, timeouts, clock skew and error mapping against a fault-injection server.

Each test scripts the loopback server (tests/_faults.py) request by request and checks what
the server counted, how long the call took (the backoff's random numbers are injected), and
the error that came out with its attributes and ``metadata``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from _faults import (
    REST_API,
    FaultServer,
    Hang,
    Reply,
    Request,
    Reset,
    error_reply,
    fault_server,
    http_date,
    json_reply,
)

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors, models
from aioapigateway.runtime import retry as retry_module
from aioapigateway.runtime.call_options import CallOptions, call_options, current_call_options
from aioapigateway.runtime.client import _Runtime

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def make_client(server: FaultServer, **config: Any) -> ApiGatewayClient:
    return ApiGatewayClient(
        region="us-east-1",
        endpoint_url=server.url,
        credentials=CREDS,
        config=ClientConfig(**config),
    )


async def started(client: ApiGatewayClient, rng: Callable[[], float] = lambda: 0.0) -> _Runtime:
    """Start ``client`` and make its backoff deterministic."""
    runtime = await client._start()
    runtime.retry.random = rng
    return runtime


async def timed(client: ApiGatewayClient) -> tuple[float, Any]:
    began = time.monotonic()
    result = await client.get_rest_api(rest_api_id="abc")
    return time.monotonic() - began, result


async def timed_error(client: ApiGatewayClient, cls: type[BaseException]) -> tuple[float, Any]:
    began = time.monotonic()
    with pytest.raises(cls) as caught:
        await client.get_rest_api(rest_api_id="abc")
    return time.monotonic() - began, caught.value


# -- retries --------------------------------------------------------------------------------------


async def test_429_then_200_is_retried_after_a_throttling_backoff() -> None:
    async with fault_server() as server:
        server.script(error_reply(429, "TooManyRequestsException"), json_reply())
        async with make_client(server) as client:
            runtime = await started(client, rng=lambda: 0.2)
            elapsed, api = await timed(client)
            assert isinstance(api, models.RestApi) and api.id == "abc"
            assert server.count == 2
            # Throttling backoff: 0.2 * 1 s; the retry's 5 tokens came back on success.
            assert 0.2 <= elapsed < 2.0
            assert runtime.retry.quota is not None and runtime.retry.quota.available == 500


async def test_seeded_jitter_gives_the_expected_waits() -> None:
    seed = 20240611
    replay = random.Random(seed)
    waits = [replay.random() * 0.05, replay.random() * 0.1]  # 50 ms base, doubling
    expected = sum(waits)
    async with fault_server() as server:
        server.script(error_reply(500, "InternalFailure"), Reply(502, b""), json_reply())
        async with make_client(server) as client:
            await started(client, rng=random.Random(seed).random)
            elapsed, _ = await timed(client)
    assert server.count == 3
    assert expected <= elapsed < expected + 1.5
    gaps = [b.received - a.received for a, b in itertools.pairwise(server.requests)]
    assert all(gap >= wait for gap, wait in zip(gaps, waits, strict=True))


async def test_500_forever_gives_up_after_max_attempts_with_metadata() -> None:
    async with fault_server() as server:
        server.default = error_reply(500, "InternalFailure", "boom")
        async with make_client(server, max_attempts=4) as client:
            runtime = await started(client)
            _, error = await timed_error(client, errors.ServiceError)
            assert server.count == 4
            assert error.code == "InternalFailure" and error.status_code == 500
            assert error.request_id == "req-InternalFailure"
            assert error.metadata.operation == "GetRestApi"
            assert error.metadata.attempts == 4
            assert error.metadata.status_code == 500
            assert error.metadata.request_id == "req-InternalFailure"
            # Four real round trips (backoff drawn as 0): more than nothing, and bounded.
            assert 0 < error.metadata.total_time < 30
            # Three retries at 14 tokens each, none paid back.
            assert runtime.retry.quota is not None and runtime.retry.quota.available == 500 - 42


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "BadRequestException", errors.BadRequestException),
        (404, "NotFoundException", errors.NotFoundException),
        (409, "ConflictException", errors.ConflictException),
        (401, "UnauthorizedException", errors.UnauthorizedException),
    ],
)
async def test_other_4xx_are_never_retried(
    status: int, code: str, cls: type[errors.ServiceError]
) -> None:
    async with fault_server() as server:
        server.default = error_reply(status, code)
        async with make_client(server, max_attempts=5) as client:
            await started(client)
            _, error = await timed_error(client, cls)
    assert server.count == 1
    assert error.metadata.attempts == 1 and error.status_code == status


async def test_unknown_error_code_is_a_plain_service_error() -> None:
    async with fault_server() as server:
        server.script(error_reply(418, "TeapotException", "short and stout"))
        server.script(error_reply(500, "BrandNewFailure"), json_reply())
        async with make_client(server) as client:
            await started(client)
            _, error = await timed_error(client, errors.ServiceError)
            assert type(error) is errors.ServiceError
            assert (error.code, error.status_code, error.message) == (
                "TeapotException",
                418,
                "short and stout",
            )
            assert server.count == 1
            # An unknown code with a 5xx status is retried on the status.
            await client.get_rest_api(rest_api_id="abc")
            assert server.count == 3


async def test_retry_quota_exhaustion_stops_retries() -> None:
    async with fault_server() as server:
        server.default = error_reply(503, "ServiceUnavailableException")
        async with make_client(server, max_attempts=3) as client:
            runtime = await started(client)
            assert runtime.retry.quota is not None
            runtime.retry.quota.available = 20  # one transient retry (14), not two
            await timed_error(client, errors.ServiceUnavailableException)
            assert server.count == 2
            assert runtime.retry.quota.available == 6


async def test_legacy_mode_makes_five_attempts_by_default() -> None:
    async with fault_server() as server:
        server.default = Reply(509, b"")
        async with make_client(server, retry_mode="legacy") as client:
            runtime = await started(client)
            assert runtime.retry.max_attempts == 5 and runtime.retry.quota is None
            _, error = await timed_error(client, errors.ServiceError)
    assert server.count == 5 and error.code == "509"


async def test_adaptive_mode_rate_limits_after_throttling_without_blocking_the_loop() -> None:
    async with fault_server() as server:
        server.script(error_reply(429, "TooManyRequestsException"), json_reply())
        async with make_client(server, retry_mode="adaptive") as client:
            runtime = await started(client)
            limiter = runtime.retry.limiter
            assert limiter is not None and not limiter.enabled
            # With no send history, botocore's limiter drops to its floor of 0.5 sends/s
            # on the first throttle; a floor of 5/s keeps this test short.
            limiter.bucket.min_rate = 5.0
            await client.get_rest_api(rest_api_id="abc")
            assert limiter.enabled
            limiter.bucket.set_rate(5.0)
            limiter.bucket.capacity = 0.0
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            ticking = asyncio.create_task(ticker())
            began = time.monotonic()
            results = await asyncio.gather(
                *(client.get_rest_api(rest_api_id="abc") for _ in range(3))
            )
            elapsed = time.monotonic() - began
            ticking.cancel()
            assert [r.id for r in results] == ["abc"] * 3
            # Sends waited for tokens (about 0.2 s each) while the loop kept running.
            assert elapsed >= 0.3 and ticks >= 10
    assert server.count == 5


async def test_each_attempt_is_signed_afresh() -> None:
    class Rotating:
        def __init__(self) -> None:
            self.calls = 0

        async def resolve(self) -> Credentials:
            self.calls += 1
            return Credentials(f"AKID{self.calls}", "secret")

    provider = Rotating()
    async with fault_server() as server:
        server.script(Reply(500, b""), Reply(503, b""), json_reply())
        client = ApiGatewayClient(region="us-east-1", endpoint_url=server.url, credentials=provider)
        async with client:
            await started(client)
            await client.get_rest_api(rest_api_id="abc")
    keys = [
        r.headers["authorization"].split("Credential=")[1].split("/")[0] for r in server.requests
    ]
    assert keys == ["AKID1", "AKID2", "AKID3"]


# -- Retry-After -----------------------------------------------------------------------------------


async def test_503_retry_after_seconds_is_honoured() -> None:
    async with fault_server() as server:
        server.script(error_reply(503, "ServiceUnavailableException", **{"Retry-After": "1"}))
        async with make_client(server) as client:
            await started(client)
            elapsed, _ = await timed(client)
    assert server.count == 2 and 1.0 <= elapsed < 3.0


async def test_429_retry_after_http_date_is_measured_against_the_date_header() -> None:
    # The server's clock is an hour ahead: only the Date header makes the delay right.
    server_now = time.time() + 3600
    headers = {"Date": http_date(server_now), "Retry-After": http_date(server_now + 1)}
    async with fault_server() as server:
        server.script(error_reply(429, "TooManyRequestsException", **headers))
        async with make_client(server) as client:
            await started(client)
            elapsed, _ = await timed(client)
    assert server.count == 2 and 0.9 <= elapsed < 3.0


async def test_retry_after_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry_module, "MAX_RETRY_AFTER", 0.3)
    async with fault_server() as server:
        server.script(error_reply(429, "TooManyRequestsException", **{"Retry-After": "3600"}))
        async with make_client(server) as client:
            await started(client)
            elapsed, _ = await timed(client)
    assert server.count == 2 and 0.3 <= elapsed < 2.5


async def test_retry_after_beyond_the_deadline_gives_up_at_once() -> None:
    async with fault_server() as server:
        server.default = error_reply(503, "ServiceUnavailableException", **{"Retry-After": "3600"})
        async with make_client(server, operation_timeout=2.0) as client:
            await started(client)
            elapsed, error = await timed_error(client, errors.ServiceUnavailableException)
    assert server.count == 1 and elapsed < 1.5
    assert error.metadata.attempts == 1


# -- connection failures -----------------------------------------------------------------------


async def test_reset_before_headers_is_retried() -> None:
    async with fault_server() as server:
        server.script(Reset(), json_reply())
        async with make_client(server) as client:
            await started(client)
            _, api = await timed(client)
    assert api.id == "abc" and server.count == 2


async def test_reset_forever_is_a_transport_error_from_aiohttp() -> None:
    async with fault_server() as server:
        server.default = Reset()
        async with make_client(server) as client:
            await started(client)
            _, error = await timed_error(client, errors.TransportError)
    assert server.count == 3 and not isinstance(error, errors.RequestTimeoutError)
    assert isinstance(error.__cause__, aiohttp.ClientError | OSError)
    assert error.metadata.attempts == 3 and error.metadata.status_code is None


async def test_reset_after_headers_is_retried() -> None:
    async with fault_server() as server:
        server.script(Reset(after_headers=True), json_reply())
        async with make_client(server) as client:
            await started(client)
            _, api = await timed(client)
    assert api.id == "abc" and server.count == 2


async def test_reset_after_headers_forever_is_a_parse_error_with_the_partial_body() -> None:
    async with fault_server() as server:
        server.default = Reset(after_headers=True)
        async with make_client(server, max_attempts=2) as client:
            await started(client)
            _, error = await timed_error(client, errors.ResponseParseError)
    assert server.count == 2
    assert error.status_code == 200 and error.body == json.dumps(REST_API).encode()[:10]
    assert isinstance(error.__cause__, aiohttp.ClientPayloadError)


async def test_truncated_body_is_retried_then_reported() -> None:
    body = json.dumps(REST_API).encode()
    short = Reply(200, body, declared_length=len(body) + 50, close=True)
    async with fault_server() as server:
        server.script(short, json_reply())
        async with make_client(server) as client:
            await started(client)
            _, api = await timed(client)
            assert api.id == "abc" and server.count == 2
            server.default = short
            _, error = await timed_error(client, errors.ResponseParseError)
    assert server.count == 5
    assert error.status_code == 200 and error.body == body
    assert "cut off" in str(error)


async def test_truncated_error_body_is_a_service_error_with_its_status() -> None:
    body = json.dumps({"message": "internal"}).encode()
    async with fault_server() as server:
        server.default = Reply(
            500, body, {"x-amzn-ErrorType": "InternalFailure"}, declared_length=999, close=True
        )
        async with make_client(server, max_attempts=2) as client:
            await started(client)
            _, error = await timed_error(client, errors.ServiceError)
    assert server.count == 2
    assert (error.code, error.status_code, error.body) == ("InternalFailure", 500, body)


async def test_connection_refused_is_retried_then_a_transport_error() -> None:
    async with fault_server() as server:
        url = server.url
    client = ApiGatewayClient(region="us-east-1", endpoint_url=url, credentials=CREDS)
    async with client:
        await started(client)
        with pytest.raises(errors.TransportError) as caught:
            await client.get_rest_apis()
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert caught.value.metadata.attempts == 3


async def test_a_closed_caller_session_is_misuse_and_never_retried() -> None:
    async with fault_server() as server:
        session = aiohttp.ClientSession()
        await session.close()
        client = ApiGatewayClient(
            region="us-east-1", endpoint_url=server.url, credentials=CREDS, session=session
        )
        async with client:
            with pytest.raises(errors.ClientClosedError, match="session= is closed") as caught:
                await client.get_rest_apis()
    assert server.count == 0
    assert caught.value.metadata is not None and caught.value.metadata.attempts == 1


async def test_a_session_closed_during_a_call_is_misuse_and_never_retried() -> None:
    async with fault_server() as server, aiohttp.ClientSession() as session:
        client = ApiGatewayClient(
            region="us-east-1", endpoint_url=server.url, credentials=CREDS, session=session
        )

        async def close_the_session(ctx: Any) -> None:
            await session.close()

        client.add_hook("before_send", close_the_session)
        async with client:
            with pytest.raises(errors.ClientClosedError, match="session= is closed") as caught:
                await client.get_rest_apis()
    assert server.count == 0
    assert caught.value.metadata is not None and caught.value.metadata.attempts == 1
    assert isinstance(caught.value.__cause__, RuntimeError)


async def test_a_request_aiohttp_refuses_is_not_a_transport_error_nor_retried() -> None:
    def inject(ctx: Any) -> None:
        ctx.headers["X-Note"] = "a\r\nX-Injected: 1"

    async with fault_server() as server:
        async with make_client(server) as client:
            client.add_hook("before_send", inject)
            with pytest.raises(errors.ConfigError, match="control character") as caught:
                await client.get_rest_apis()
    assert server.count == 0
    assert caught.value.metadata is not None and caught.value.metadata.attempts == 1
    assert isinstance(caught.value.__cause__, ValueError)


async def test_a_raise_for_status_session_still_gives_the_modeled_error_at_once() -> None:
    async with fault_server() as server, aiohttp.ClientSession(raise_for_status=True) as session:
        server.default = error_reply(404, "NotFoundException", "Invalid REST API identifier")
        client = ApiGatewayClient(
            region="us-east-1", endpoint_url=server.url, credentials=CREDS, session=session
        )
        async with client:
            with pytest.raises(errors.NotFoundException) as caught:
                await client.get_rest_api(rest_api_id="missing")
            server.default = error_reply(503, "ServiceUnavailableException")
            await started(client)
            with pytest.raises(errors.ServiceUnavailableException):
                await client.get_rest_api(rest_api_id="abc")
    assert caught.value.status_code == 404
    assert caught.value.message == "Invalid REST API identifier"
    # One request for the 404; the 503 is the service's own retryable error, retried.
    assert server.count == 4


# -- bad responses ---------------------------------------------------------------------------------


async def test_invalid_json_is_a_parse_error_and_not_retried() -> None:
    async with fault_server() as server:
        server.default = Reply(200, b'{"id": "abc", ')
        async with make_client(server) as client:
            await started(client)
            _, error = await timed_error(client, errors.ResponseParseError)
    assert server.count == 1
    assert error.status_code == 200 and error.body == b'{"id": "abc", '
    assert error.metadata.attempts == 1 and error.metadata.status_code == 200


async def test_html_502_from_a_proxy_is_retried_then_a_service_error() -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    async with fault_server() as server:
        server.default = Reply(502, html, {"Content-Type": "text/html"})
        async with make_client(server) as client:
            await started(client)
            _, error = await timed_error(client, errors.ServiceError)
    assert server.count == 3
    assert (error.code, error.status_code, error.body) == ("502", 502, html)
    assert error.headers["Content-Type"] == "text/html"


async def test_empty_error_bodies() -> None:
    async with fault_server() as server:
        server.script(Reply(503, b""), Reply(403, b""))
        async with make_client(server) as client:
            await started(client)
            _, error = await timed_error(client, errors.ServiceError)
    assert server.count == 2
    assert (error.code, error.status_code, error.body) == ("403", 403, b"")


# -- timeouts --------------------------------------------------------------------------------------


async def test_slow_headers_hit_the_read_timeout_and_are_retried() -> None:
    async with fault_server() as server:
        server.script(Reply(200, json.dumps(REST_API), delay=2.0), json_reply())
        async with make_client(server, read_timeout=0.2) as client:
            await started(client)
            elapsed, api = await timed(client)
    assert api.id == "abc" and server.count == 2
    assert 0.2 <= elapsed < 1.8


async def test_slow_headers_forever_is_a_request_timeout_error() -> None:
    async with fault_server() as server:
        server.default = Reply(200, json.dumps(REST_API), delay=2.0)
        async with make_client(server, read_timeout=0.15, max_attempts=2) as client:
            runtime = await started(client)
            elapsed, error = await timed_error(client, errors.RequestTimeoutError)
    assert server.count == 2 and 0.3 <= elapsed < 1.9
    assert isinstance(error.__cause__, TimeoutError)
    assert "read_timeout" in str(error)
    assert error.metadata.attempts == 2
    # A timeout retry costs the same 14 tokens as any non-throttling retry.
    assert runtime.retry.quota is not None and runtime.retry.quota.available == 486


async def test_a_stalled_body_is_detected() -> None:
    async with fault_server() as server:
        server.default = Reply(200, json.dumps(REST_API), body_delay=2.0)
        async with make_client(server, read_timeout=0.15, max_attempts=2) as client:
            await started(client)
            elapsed, error = await timed_error(client, errors.RequestTimeoutError)
    assert server.count == 2 and elapsed < 1.9
    assert isinstance(error.__cause__, TimeoutError)


async def test_attempt_timeout_bounds_each_attempt() -> None:
    # Each reply trickles in (no single read waits long), so only attempt_timeout catches it.
    slow = Reply(200, json.dumps(REST_API), delay=0.1, body_delay=0.5)
    async with fault_server() as server:
        server.default = slow
        async with make_client(server, attempt_timeout=0.3, read_timeout=5.0) as client:
            await started(client)
            elapsed, error = await timed_error(client, errors.RequestTimeoutError)
    assert server.count == 3
    assert 0.9 <= elapsed < 2.5
    assert "within 0.3 s" in str(error)


async def test_operation_timeout_bounds_the_whole_call() -> None:
    async with fault_server() as server:
        server.default = Hang()
        async with make_client(server, operation_timeout=0.4, read_timeout=30.0) as client:
            await started(client)
            elapsed, error = await timed_error(client, errors.RequestTimeoutError)
    assert server.count == 1 and 0.4 <= elapsed < 2.0
    assert error.metadata.attempts == 1 and "operation_timeout" in str(error)


async def test_operation_timeout_spans_retries() -> None:
    async with fault_server() as server:
        server.default = Reply(200, json.dumps(REST_API), delay=0.3)
        config = {"operation_timeout": 0.5, "attempt_timeout": 0.2, "max_attempts": 10}
        async with make_client(server, **config) as client:
            await started(client)
            elapsed, error = await timed_error(client, errors.RequestTimeoutError)
    assert 0.45 <= elapsed < 2.0
    assert 2 <= server.count <= 3 and error.metadata.attempts == server.count


async def test_call_options_override_the_config_per_call() -> None:
    async with fault_server() as server:
        server.default = error_reply(500, "InternalFailure")
        async with make_client(server, max_attempts=5) as client:
            await started(client)
            with call_options(max_attempts=2):
                await timed_error(client, errors.ServiceError)
            assert server.count == 2
            server.default = Hang()
            began = time.monotonic()
            async with call_options(operation_timeout=0.3):
                with pytest.raises(errors.RequestTimeoutError):
                    await client.get_rest_api(rest_api_id="abc")
            assert time.monotonic() - began < 2.0
            assert current_call_options() is None


async def test_call_options_nest_and_validate() -> None:
    assert current_call_options() is None
    with call_options(attempt_timeout=1.0, max_attempts=4) as outer:
        assert outer == CallOptions(attempt_timeout=1.0, max_attempts=4)
        with call_options(attempt_timeout=None, operation_timeout=9) as inner:
            assert inner.attempt_timeout is None and inner.operation_timeout == 9.0
            assert inner.max_attempts == 4
        assert current_call_options() == outer

        async def in_a_task() -> CallOptions | None:
            return current_call_options()

        assert await asyncio.create_task(in_a_task()) == outer
    assert current_call_options() is None
    for bad in ({"attempt_timeout": 0}, {"operation_timeout": "5"}, {"max_attempts": 0}):
        with pytest.raises(errors.ConfigError):
            call_options(**bad)
    assert "max_attempts=2" in repr(call_options(max_attempts=2))


async def test_one_call_options_object_shared_by_concurrent_tasks() -> None:
    shared = call_options(max_attempts=2)
    both_inside = asyncio.Barrier(2)

    async def use() -> CallOptions | None:
        with shared:
            await both_inside.wait()  # both tasks are inside the block before either leaves
            inside = current_call_options()
        assert current_call_options() is None
        return inside

    first, second = await asyncio.gather(use(), use())
    assert first == second == CallOptions(max_attempts=2)

    async def use_async() -> CallOptions | None:
        async with shared:
            await asyncio.sleep(0)
            return current_call_options()

    assert await asyncio.gather(use_async(), use_async()) == [CallOptions(max_attempts=2)] * 2
    # Re-entered while already inside: each exit undoes its own entry.
    with shared, call_options(max_attempts=3), shared:
        assert current_call_options() == CallOptions(max_attempts=2)
    assert current_call_options() is None
    with shared:
        with call_options(max_attempts=3):
            with shared:
                assert current_call_options() == CallOptions(max_attempts=2)
            assert current_call_options() == CallOptions(max_attempts=3)
        assert current_call_options() == CallOptions(max_attempts=2)
    assert current_call_options() is None


# -- clock skew ------------------------------------------------------------------------------------


def skewed_service(
    skew: float, code: str = "InvalidSignatureException"
) -> Callable[[Request], Reply]:
    """A server whose clock is ``skew`` seconds ahead, refusing requests signed > 5 min off."""

    def answer(request: Request) -> Reply:
        server_now = time.time() + skew
        signed = time.mktime(time.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ"))
        signed -= time.timezone  # strptime/mktime work in local time; the header is UTC
        headers = {"Date": http_date(server_now), "x-amzn-RequestId": "req-skew"}
        if abs(server_now - signed) > 300:
            message = (
                f"Signature expired: {request.headers['x-amz-date']} is now earlier than "
                f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(server_now - 300))}"
            )
            return Reply(
                403, json.dumps({"message": message}), {**headers, "x-amzn-ErrorType": code}
            )
        return Reply(200, json.dumps(REST_API), headers)

    return answer


@pytest.mark.parametrize(
    "code", ["InvalidSignatureException", "RequestTimeTooSkewed", "SignatureDoesNotMatch"]
)
async def test_clock_skew_is_corrected_and_remembered(code: str) -> None:
    async with fault_server() as server:
        server.default = skewed_service(3600, code)
        async with make_client(server, max_attempts=2) as client:
            runtime = await started(client)
            elapsed, api = await timed(client)
            assert api.id == "abc" and server.count == 2 and elapsed < 2.0
            assert abs(runtime.clock_offset - 3600) < 5
            # Re-signed with the corrected time.
            first, second = server.requests
            assert first.headers["x-amz-date"] != second.headers["x-amz-date"]
            assert first.headers["authorization"] != second.headers["authorization"]
            # Remembered: the next call is signed right the first time.
            await client.get_rest_api(rest_api_id="abc")
            assert server.count == 3


async def test_clock_skew_is_remembered_even_without_retries() -> None:
    async with fault_server() as server:
        server.default = skewed_service(-1800)
        async with make_client(server, max_attempts=1) as client:
            runtime = await started(client)
            await timed_error(client, errors.ServiceError)
            assert abs(runtime.clock_offset + 1800) < 5
            await client.get_rest_api(rest_api_id="abc")
    assert server.count == 2


async def test_a_signature_error_without_skew_is_not_retried() -> None:
    headers = {"Date": http_date(time.time())}
    async with fault_server() as server:
        server.default = error_reply(403, "SignatureDoesNotMatch", "bad secret", **headers)
        async with make_client(server) as client:
            runtime = await started(client)
            _, error = await timed_error(client, errors.ServiceError)
    assert server.count == 1 and error.code == "SignatureDoesNotMatch"
    assert runtime.clock_offset == 0.0


# -- cancellation ----------------------------------------------------------------------------------


async def test_cancelling_a_call_mid_flight_leaves_the_client_usable() -> None:
    async with fault_server() as server:
        server.script(Hang())
        async with make_client(server) as client:
            runtime = await started(client)
            task = asyncio.create_task(client.get_rest_api(rest_api_id="abc"))
            await asyncio.wait_for(server.received.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            connector = runtime.session.connector
            assert connector is not None
            assert len(connector._acquired) == 0  # type: ignore[attr-defined]
            api = await client.get_rest_api(rest_api_id="abc")
            assert api.id == "abc" and server.count == 2
            assert len(connector._acquired) == 0  # type: ignore[attr-defined]


async def test_cancelling_during_the_backoff_wait() -> None:
    async with fault_server() as server:
        server.script(error_reply(429, "TooManyRequestsException"))
        async with make_client(server) as client:
            await started(client, rng=lambda: 0.9)  # a 0.9 s wait
            task = asyncio.create_task(client.get_rest_api(rest_api_id="abc"))
            await asyncio.wait_for(server.received.wait(), 5)
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert server.count == 1
            assert (await client.get_rest_api(rest_api_id="abc")).id == "abc"


async def test_cancelling_within_an_attempt_timeout_is_not_a_timeout() -> None:
    async with fault_server() as server:
        server.script(Hang())
        async with make_client(server, attempt_timeout=5.0, operation_timeout=10.0) as client:
            await started(client)
            task = asyncio.create_task(client.get_rest_api(rest_api_id="abc"))
            await asyncio.wait_for(server.received.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert (await client.get_rest_api(rest_api_id="abc")).id == "abc"
