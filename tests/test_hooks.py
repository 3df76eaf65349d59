"""Hooks (before_send, after_receive, on_retry) and per-call metadata."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from _faults import FaultServer, Hang, Reply, Reset, error_reply, fault_server, json_reply

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors
from aioapigateway.runtime.errors import CallMetadata
from aioapigateway.runtime.hooks import HOOK_STAGES, HookContext, HookRegistry

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def make_client(server: FaultServer, **config: Any) -> ApiGatewayClient:
    return ApiGatewayClient(
        region="us-east-1",
        endpoint_url=server.url,
        credentials=CREDS,
        config=ClientConfig(**config),
    )


async def no_backoff(client: ApiGatewayClient) -> None:
    runtime = await client._start()
    runtime.retry.random = lambda: 0.0


class Recorder:
    """Records (stage, snapshot of the context) for every hook call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def snapshot(self, stage: str, ctx: HookContext) -> None:
        self.calls.append(
            (stage, {name: getattr(ctx, name) for name in HookContext.__slots__} | {"ctx": ctx})
        )

    def before_send(self, ctx: HookContext) -> None:
        self.snapshot("before_send", ctx)

    async def after_receive(self, ctx: HookContext) -> None:
        await asyncio.sleep(0)
        self.snapshot("after_receive", ctx)

    def on_retry(self, ctx: HookContext) -> None:
        self.snapshot("on_retry", ctx)

    def hooks(self) -> dict[str, Any]:
        return {
            "before_send": self.before_send,
            "after_receive": self.after_receive,
            "on_retry": self.on_retry,
        }


async def test_before_send_headers_are_sent_and_signed() -> None:
    def add_trace(ctx: HookContext) -> None:
        ctx.headers["X-Trace-Id"] = f"trace-{ctx.operation}-{ctx.attempt}"

    async with fault_server() as server:
        async with make_client(server, hooks={"before_send": add_trace}) as client:
            await client.get_rest_api(rest_api_id="abc")
    request = server.requests[0]
    assert request.headers["x-trace-id"] == "trace-GetRestApi-1"
    signed = request.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert "x-trace-id" in signed.split(";")


async def test_every_stage_sees_the_attempt() -> None:
    recorder = Recorder()
    async with fault_server() as server:
        server.script(error_reply(503, "ServiceUnavailableException"), json_reply())
        async with make_client(server, hooks=recorder.hooks()) as client:
            await no_backoff(client)
            await client.get_rest_api(rest_api_id="abc")
    stages = [stage for stage, _ in recorder.calls]
    assert stages == ["before_send", "after_receive", "on_retry", "before_send", "after_receive"]
    first_send, first_receive, retry, second_send, second_receive = (c for _, c in recorder.calls)
    assert first_send["operation"] == "GetRestApi" and first_send["method"] == "GET"
    assert first_send["url"] == f"{server.url}/restapis/abc"
    assert first_send["attempt"] == 1 and first_send["max_attempts"] == 3
    assert first_send["status"] is None and first_send["body"] == b""
    assert first_receive["status"] == 503
    assert isinstance(first_receive["error"], errors.ServiceUnavailableException)
    assert first_receive["request_id"] == "req-ServiceUnavailableException"
    assert retry["delay"] == 0.0 and retry["error"] is first_receive["error"]
    assert second_send["attempt"] == 2 and second_send["ctx"] is not first_send["ctx"]
    assert second_receive["status"] == 200 and second_receive["error"] is None
    assert b'"id": "abc"' in second_receive["response_body"]
    assert second_receive["response_headers"]["Content-Type"] == "application/json"
    assert 30 > second_receive["total_time"] >= second_receive["attempt_time"] > 0


async def test_after_receive_sees_transport_failures() -> None:
    recorder = Recorder()
    async with fault_server() as server:
        server.script(Reset(), json_reply())
        async with make_client(server, hooks=recorder.hooks()) as client:
            await no_backoff(client)
            await client.get_rest_api(rest_api_id="abc")
    receive = [c for stage, c in recorder.calls if stage == "after_receive"]
    assert receive[0]["status"] is None and receive[0]["response_body"] is None
    assert isinstance(receive[0]["error"], errors.TransportError)
    assert receive[1]["status"] == 200


class HookFailure(Exception):
    pass


@pytest.mark.parametrize("stage", HOOK_STAGES)
# Exceptions the client's own network handling knows too: a hook's are still the hook's.
@pytest.mark.parametrize("failure", [HookFailure, RuntimeError, ValueError, ConnectionResetError])
async def test_a_hook_exception_propagates_unchanged_and_is_not_retried(
    stage: str, failure: type[Exception]
) -> None:
    def fail(ctx: HookContext) -> None:
        raise failure(stage)

    async with fault_server() as server:
        server.script(Reply(500, b""))
        async with make_client(server) as client:
            await no_backoff(client)
            client.add_hook(stage, fail)
            with pytest.raises(failure) as caught:
                await client.get_rest_api(rest_api_id="abc")
            assert type(caught.value) is failure and caught.value.args == (stage,)
            sent = server.count
            client.remove_hook(stage, fail)
            # The client is still usable, and its connection was released.
            assert (await client.get_rest_api(rest_api_id="abc")).id == "abc"
            runtime = await client._start()
            assert len(runtime.session.connector._acquired) == 0  # type: ignore[union-attr]
    assert sent == (0 if stage == "before_send" else 1)


async def test_a_hooks_own_timeout_error_is_not_taken_for_an_attempt_timeout() -> None:
    def fail(ctx: HookContext) -> None:
        raise TimeoutError("mine")

    async with fault_server() as server:
        async with make_client(
            server, attempt_timeout=5.0, hooks={"after_receive": fail}
        ) as client:
            with pytest.raises(TimeoutError, match="mine"):
                await client.get_rest_api(rest_api_id="abc")


async def test_an_async_before_send_runs_within_the_attempt_timeout() -> None:
    async def slow(ctx: HookContext) -> None:
        await asyncio.sleep(1)

    async with fault_server() as server:
        server.default = Hang()
        config = {"attempt_timeout": 0.1, "max_attempts": 1, "hooks": [("before_send", slow)]}
        async with make_client(server, **config) as client:
            with pytest.raises(errors.RequestTimeoutError):
                await client.get_rest_api(rest_api_id="abc")
    assert server.count == 0


async def test_errors_carry_call_metadata() -> None:
    async with fault_server() as server:
        server.default = error_reply(404, "NotFoundException")
        async with make_client(server) as client:
            with pytest.raises(errors.NotFoundException) as caught:
                await client.get_rest_api(rest_api_id="abc")
    metadata = caught.value.metadata  # type: ignore[attr-defined]
    assert isinstance(metadata, CallMetadata)
    assert metadata == CallMetadata(
        operation="GetRestApi",
        attempts=1,
        total_time=metadata.total_time,
        status_code=404,
        request_id="req-NotFoundException",
    )


async def test_validation_errors_carry_no_metadata() -> None:
    async with fault_server() as server:
        async with make_client(server) as client:
            with pytest.raises(errors.ParamValidationError) as caught:
                await client.get_rest_api(rest_api_id=None)  # type: ignore[arg-type]
    assert getattr(caught.value, "metadata", None) is None


def test_hooks_in_client_config() -> None:
    def a(ctx: HookContext) -> None: ...
    def b(ctx: HookContext) -> None: ...

    assert ClientConfig(hooks={"before_send": a}).hooks == (("before_send", a),)
    assert ClientConfig(hooks={"on_retry": [a, b]}).hooks == (("on_retry", a), ("on_retry", b))
    assert ClientConfig(hooks=[("after_receive", b)]).hooks == (("after_receive", b),)
    assert ClientConfig().hooks == ()
    assert ClientConfig(hooks={"before_send": a}) == ClientConfig(hooks={"before_send": a})
    hash(ClientConfig(hooks={"before_send": a}))
    for bad in (
        {"before": a},
        {"before_send": "a"},
        {"before_send": [a, 1]},
        [("before_send",)],
        [a],
        "before_send",
    ):
        with pytest.raises(errors.ConfigError, match="hooks"):
            ClientConfig(hooks=bad)  # type: ignore[arg-type]


def test_hook_registry() -> None:
    def a(ctx: HookContext) -> None: ...
    def b(ctx: HookContext) -> None: ...

    registry = HookRegistry([("before_send", a)])
    assert registry.active and registry.before_send == (a,)
    registry.add("before_send", b)
    registry.add("before_send", a)
    registry.remove("before_send", a)
    assert registry.before_send == (a, b)
    registry.remove("before_send", a)
    registry.remove("before_send", b)
    assert not registry.active
    with pytest.raises(ValueError, match="not registered"):
        registry.remove("on_retry", a)
    with pytest.raises(ValueError, match="unknown hook stage"):
        registry.add("after_send", a)
    with pytest.raises(TypeError):
        registry.add("on_retry", None)  # type: ignore[arg-type]


async def test_add_hook_on_a_client_and_its_fast_path() -> None:
    seen: list[int] = []
    async with fault_server() as server:
        async with make_client(server) as client:
            assert not client._hooks.active

            def hook(ctx: HookContext) -> None:
                seen.append(ctx.status or 0)

            client.add_hook("after_receive", hook)
            await client.get_rest_api(rest_api_id="abc")
            client.remove_hook("after_receive", hook)
            assert not client._hooks.active
            await client.get_rest_api(rest_api_id="abc")
    assert seen == [200]
    assert "attempt=1" in repr(
        HookContext(
            operation="X", attempt=1, max_attempts=1, method="GET", url="u", headers={}, body=b""
        )
    )
