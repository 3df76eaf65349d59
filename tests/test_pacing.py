"""Pacing to fixed quotas: the quota table, the local token buckets, the plan, the config."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from _servers import recording_server

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, call_options, errors
from aioapigateway.management import ApiGatewayManagementApiClient
from aioapigateway.runtime import pacing
from aioapigateway.runtime.errors import AioApiGatewayError, ConfigError, PacingTimeoutError
from aioapigateway.runtime.pacing import LocalPacer, Pacer, PacingPlan, account_of, pacing_plan
from aioapigateway.v2 import ApiGatewayV2Client
from codegen.quotas import QUOTAS_FILE, pacing_table, render_pacing

ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    """``pacing._monotonic`` under the test's control (the event loop keeps its own)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(pacing, "_monotonic", fake)
    return fake


# -- the quota table -----------------------------------------------------------------------


def _model(spec: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((ROOT / "spec" / spec / "service-2.json").read_text())
    return data


def test_quota_file_names_its_source_and_date() -> None:
    data = json.loads(QUOTAS_FILE.read_text())
    assert "docs.aws.amazon.com/apigateway" in data["source"]
    assert len(data["read_on"]) == 10 and data["read_on"][4] == "-"


def test_table_for_rest_apis_has_the_fixed_quotas() -> None:
    model = _model("apigateway/2015-07-09")
    table = pacing_table("API Gateway", model["operations"])  # type: ignore[arg-type]
    assert table is not None
    total = ("total", 10.0, 40.0)
    assert table["*"] == (total,)
    assert table["CreateDeployment"] == (("CreateDeployment", 0.2, 1.0), total)
    # n requests every t seconds: a bucket of n, refilled at n/t per second.
    assert table["CreateResource"] == (("CreateResource", 5.0, 5.0), total)
    assert table["GetResources"] == (("GetResources", 2.5, 5.0), total)
    # Edge-optimized (the default endpoint type): the stricter of the page's two figures.
    assert table["CreateRestApi"][0] == ("CreateRestApi", 1 / 30, 1.0)
    assert "GetRestApis" not in table


def test_table_for_v2_and_none_for_the_connections_api() -> None:
    v2 = pacing_table("ApiGatewayV2", _model("apigatewayv2/2018-11-29")["operations"])  # type: ignore[arg-type]
    assert v2 is not None
    assert v2["CreateVpcLink"][0] == ("CreateVpcLink (V2)", 1 / 15, 1.0)
    # Domain names are one resource for both APIs: one bucket, by name.
    rest = pacing_table("API Gateway", _model("apigateway/2015-07-09")["operations"])  # type: ignore[arg-type]
    assert rest is not None
    assert v2["CreateDomainName"] == rest["CreateDomainName"]
    management = _model("apigatewaymanagementapi/2018-11-29")["operations"]
    assert pacing_table("ApiGatewayManagementApi", management) is None  # type: ignore[arg-type]


def test_table_rejects_an_unknown_operation_and_a_bad_figure(tmp_path: Path) -> None:
    path = tmp_path / "quotas.json"
    entry = {"total": {"requests": 10, "per_seconds": 1, "burst": 40}, "operations": {}}
    entry["operations"] = {"CreateDeplyment": {"requests": 1, "per_seconds": 5}}
    path.write_text(json.dumps({"services": {"S": entry}}))
    with pytest.raises(ValueError, match="CreateDeplyment"):
        pacing_table("S", {"CreateDeployment": {}}, path)
    entry["operations"] = {"CreateDeployment": {"requests": 1, "per_seconds": 0}}
    path.write_text(json.dumps({"services": {"S": entry}}))
    with pytest.raises(ValueError, match="per_seconds"):
        pacing_table("S", {"CreateDeployment": {}}, path)


def test_generated_packages_carry_the_table() -> None:
    import aioapigateway._spec as rest
    import aioapigateway.management._spec as management
    import aioapigateway.v2._spec as v2

    model = _model("apigateway/2015-07-09")
    assert rest.PACING == pacing_table("API Gateway", model["operations"])  # type: ignore[arg-type]
    assert v2.PACING["CreateVpcLink"][0][0] == "CreateVpcLink (V2)"
    assert not hasattr(management, "PACING")
    assert render_pacing(None) is None


# -- LocalPacer --------------------------------------------------------------------------


def test_local_pacer_spaces_tokens_after_the_burst(clock: FakeClock) -> None:
    pacer = LocalPacer()
    waits = [pacer.reserve("a/r", "b", 2.0, 3.0, None) for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 0.5, 1.0]
    clock.now += 1.0  # two tokens of refill, both owed to the two reservations
    assert pacer.reserve("a/r", "b", 2.0, 3.0, None) == 0.5


def test_local_pacer_refills_up_to_the_burst_only(clock: FakeClock) -> None:
    pacer = LocalPacer()
    assert pacer.reserve("a/r", "b", 1.0, 2.0, None) == 0.0
    clock.now += 100.0
    waits = [pacer.reserve("a/r", "b", 1.0, 2.0, None) for _ in range(3)]
    assert waits == [0.0, 0.0, 1.0]


def test_local_pacer_buckets_are_per_key_and_name(clock: FakeClock) -> None:
    pacer = LocalPacer()
    assert pacer.reserve("a/r", "b", 1.0, 1.0, None) == 0.0
    assert pacer.reserve("other/r", "b", 1.0, 1.0, None) == 0.0
    assert pacer.reserve("a/r", "c", 1.0, 1.0, None) == 0.0
    assert pacer.reserve("a/r", "b", 1.0, 1.0, None) == 1.0


def test_a_wait_past_the_deadline_fails_at_once_and_takes_no_token(clock: FakeClock) -> None:
    pacer = LocalPacer()
    assert pacer.reserve("a/r", "b", 0.2, 1.0, None) == 0.0
    with pytest.raises(PacingTimeoutError) as info:
        pacer.reserve("a/r", "b", 0.2, 1.0, clock.now + 4.9)
    assert info.value.wait == pytest.approx(5.0)
    assert "operation_timeout" in str(info.value)
    assert isinstance(info.value, AioApiGatewayError) and isinstance(info.value, TimeoutError)
    # Nothing was reserved: the next caller waits 5 s, not 10.
    assert pacer.reserve("a/r", "b", 0.2, 1.0, clock.now + 5.0) == pytest.approx(5.0)


async def test_acquire_sleeps_for_the_wait(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    monkeypatch.setattr(pacing, "_sleep", fake_sleep)
    pacer = LocalPacer()
    assert await pacer.acquire("a/r", "b", 4.0, 1.0, None) == 0.0
    assert await pacer.acquire("a/r", "b", 4.0, 1.0, None) == 0.25
    assert slept == [0.25]
    assert isinstance(pacer, Pacer)


class FakeTime:
    """A clock and a ``pacing._sleep`` on it: sleepers wake in time order, one instant at a time.

    ``run`` starts the coroutines in order (each runs until it sleeps), then moves the clock
    to the next wake-up time and wakes who sleeps until then, until all are done. The tasks
    record the instant their call would be sent.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.timers: list[tuple[float, int, asyncio.Future[None]]] = []

    async def sleep(self, delay: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.timers.append((self.clock.now + delay, len(self.timers), future))
        await future

    async def _settle(self) -> None:
        for _ in range(20):  # bounded: lets the woken tasks run to their next sleep
            await asyncio.sleep(0)

    async def run(self, calls: list[Any]) -> list[float]:
        sent: list[float] = [0.0] * len(calls)

        async def one(index: int, call: Any) -> None:
            await call
            sent[index] = self.clock.now

        tasks = []
        for index, call in enumerate(calls):
            tasks.append(asyncio.ensure_future(one(index, call)))
            await self._settle()
        for _ in range(100):  # bounded
            if all(task.done() for task in tasks):
                break
            self.timers.sort(key=lambda timer: timer[:2])
            when, _, future = self.timers.pop(0)
            self.clock.now = max(self.clock.now, when)
            future.set_result(None)
            await self._settle()
        await asyncio.gather(*tasks)
        return sent


def _conforms(sent: list[tuple[float, tuple[pacing.Bucket, ...]]]) -> bool:
    """Whether the calls, sent at these instants, fit every bucket (the service's view)."""
    levels: dict[str, list[float]] = {}
    for when, buckets in sorted(sent, key=lambda entry: entry[0]):
        for name, rate, burst in buckets:
            level = levels.setdefault(name, [burst, when])
            level[0] = min(burst, level[0] + (when - level[1]) * rate)
            level[1] = when
            if level[0] < 1.0 - 1e-9:
                return False
            level[0] -= 1.0
    return True


OWN = ("Own", 0.5, 1.0)  # one token every 2 s
SHARED = ("Shared", 1.0, 1.0)  # one every second


@pytest.fixture
def fake_time(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime(clock)
    monkeypatch.setattr(pacing, "_sleep", fake.sleep)
    return fake


async def test_a_call_of_two_buckets_holds_no_token_while_it_waits(fake_time: FakeTime) -> None:
    # Two calls fill Shared for 2 s. Then a call of Own + Shared must wait 2 s for Shared: its
    # Own token is charged at t=2, when it is sent, not at t=0. So a call of Own alone may take
    # Own's token at t=0, and Own is refilled by t=2. (Taking Own at t=0 and holding it, both
    # would be sent at t=2, two calls at once in a bucket of one.)
    pacer = LocalPacer()
    key, start = "a/r", fake_time.clock.now
    calls = [
        pacer.acquire_many(key, (SHARED,), None),
        pacer.acquire_many(key, (SHARED,), None),
        pacer.acquire_many(key, (OWN, SHARED), None),
        pacer.acquire_many(key, (OWN,), None),
    ]
    sent = [when - start for when in await fake_time.run(calls)]
    assert sent == [0.0, 1.0, 2.0, 0.0]
    shapes = [(SHARED,), (SHARED,), (OWN, SHARED), (OWN,)]
    assert _conforms(list(zip(sent, shapes, strict=True)))


async def test_tokens_kept_for_the_instant_go_back_if_another_bucket_runs_dry(
    fake_time: FakeTime,
) -> None:
    # The Own + Shared call waits 2 s for Shared; Own is plentiful at first, but two calls of
    # Own alone take its token and the next one. At t=2 the call finds Own empty: it gives
    # Shared's token back and waits for Own (t=4), and Shared's token is there again for a
    # call of Shared alone at t=2.
    pacer = LocalPacer()
    key, start = "a/r", fake_time.clock.now
    calls = [
        pacer.acquire_many(key, (SHARED,), None),
        pacer.acquire_many(key, (SHARED,), None),
        pacer.acquire_many(key, (OWN, SHARED), None),
        pacer.acquire_many(key, (OWN,), None),
        pacer.acquire_many(key, (OWN,), None),
    ]
    sent = [when - start for when in await fake_time.run(calls)]
    assert sent == [0.0, 1.0, 4.0, 0.0, 2.0]
    shapes = [(SHARED,), (SHARED,), (OWN, SHARED), (OWN,), (OWN,)]
    assert _conforms(list(zip(sent, shapes, strict=True)))
    # Now (t=4) Shared holds exactly the call's token: the next one is a second away.
    assert fake_time.clock.now - start == 4.0
    assert pacer.reserve(key, "Shared", 1.0, 1.0, None) == 1.0


async def test_a_call_of_two_buckets_past_its_deadline_takes_nothing(clock: FakeClock) -> None:
    pacer = LocalPacer()
    assert await pacer.acquire_many("a/r", (OWN, SHARED), None) == 0.0
    with pytest.raises(PacingTimeoutError) as info:
        await pacer.acquire_many("a/r", (OWN, SHARED), clock.now + 1.9)
    assert info.value.wait == pytest.approx(2.0)
    clock.now += 2.0
    assert pacer.reserve("a/r", "Own", 0.5, 1.0, None) == 0.0
    assert pacer.reserve("a/r", "Shared", 1.0, 1.0, None) == 0.0


# -- accounts and the plan ---------------------------------------------------------------------


def test_account_of_decodes_key_ids_and_keeps_other_ids() -> None:
    assert account_of("ASIAY34FZKBOKMUTVV7A") == "609629065308"
    assert account_of("AKIAIOSFODNN7EXAMPLE") == "581039954779"
    assert account_of("testing") == "testing"
    assert account_of("AKIA0000000000000000") == "AKIA0000000000000000"  # not base32


class RecordingPacer:
    def __init__(self, wait: float = 0.0) -> None:
        self.calls: list[tuple[str, str, float, float, float | None]] = []
        self.wait = wait

    async def acquire(
        self, key: str, bucket: str, rate: float, burst: float, deadline: float | None
    ) -> float:
        self.calls.append((key, bucket, rate, burst, deadline))
        return self.wait


TABLE = {"*": (("total", 10.0, 40.0),), "Slow": (("Slow", 0.2, 1.0), ("total", 10.0, 40.0))}


async def test_plan_takes_each_bucket_of_the_operation_for_the_account(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = RecordingPacer(wait=0.5)
    plan = PacingPlan(recorder, "eu-west-1", TABLE)
    with caplog.at_level(logging.DEBUG, logger="aioapigateway.pacing"):
        waited = await plan.wait("Slow", "ASIAY34FZKBOKMUTVV7A", 7.0)
    assert waited == 1.0
    key = "609629065308/eu-west-1"
    assert recorder.calls == [(key, "Slow", 0.2, 1.0, 7.0), (key, "total", 10.0, 40.0, 7.0)]
    assert "Slow: paced for 1.000 s" in caplog.text
    recorder.calls.clear()
    await plan.wait("GetThing", None, None)
    assert recorder.calls == [("anonymous/eu-west-1", "total", 10.0, 40.0, None)]


def test_which_clients_pace() -> None:
    custom = RecordingPacer()
    local = pacing_plan("auto", region="r", custom_endpoint=False, table=TABLE)
    assert local is not None and local.pacer is pacing.local_pacer()
    assert pacing_plan("auto", region="r", custom_endpoint=True, table=TABLE) is None
    assert pacing_plan("off", region="r", custom_endpoint=False, table=TABLE) is None
    forced = pacing_plan("local", region="r", custom_endpoint=True, table=TABLE)
    assert forced is not None and forced.pacer is pacing.local_pacer()
    given = pacing_plan(custom, region="r", custom_endpoint=True, table=TABLE)
    assert given is not None and given.pacer is custom
    # The connections API has no table: never paced, whatever the mode.
    assert pacing_plan(custom, region="r", custom_endpoint=False, table=None) is None


def test_client_config_pacing_values() -> None:
    assert ClientConfig().pacing == "auto"
    assert ClientConfig(pacing="off").pacing == "off"
    custom = RecordingPacer()
    assert ClientConfig(pacing=custom).pacing is custom
    for bad in ("Local", 1, None, RecordingPacer):
        with pytest.raises(ConfigError, match="pacing must be"):
            ClientConfig(pacing=bad)  # type: ignore[arg-type]


def test_pacer_protocol_is_async() -> None:
    assert asyncio.iscoroutinefunction(LocalPacer.acquire)


# -- the client ------------------------------------------------------------------------------

CREDS = Credentials("ASIAY34FZKBOKMUTVV7A", "secret")


async def test_client_paces_each_call_before_sending() -> None:
    recorder = RecordingPacer(wait=0.25)
    async with recording_server() as server:
        server.reply(404, '{"message": "no such api"}', **{"x-amzn-ErrorType": "NotFoundException"})
        server.reply(200, '{"id": "abc", "name": "pets"}')
        config = ClientConfig(pacing=recorder, max_attempts=1)
        async with ApiGatewayClient(
            region="eu-west-1", endpoint_url=server.url, credentials=CREDS, config=config
        ) as client:
            with pytest.raises(errors.NotFoundException) as info:
                await client.get_rest_api(rest_api_id="nope")
            assert info.value.metadata is not None
            assert info.value.metadata.paced_for == 0.25
            await client.create_deployment(rest_api_id="abc", stage_name="s")
    key = "609629065308/eu-west-1"
    assert recorder.calls == [
        (key, "total", 10.0, 40.0, None),
        (key, "CreateDeployment", 0.2, 1.0, None),
        (key, "total", 10.0, 40.0, None),
    ]


async def test_client_fails_at_once_when_the_wait_passes_the_deadline() -> None:
    # The process's own LocalPacer on the real clock: CreateDeployment has one token every
    # 5 s, so the second call would wait about 5 s, past its 4 s operation_timeout.
    async with recording_server() as server:
        config = ClientConfig(pacing="local", max_attempts=1)
        async with ApiGatewayClient(
            region="eu-north-9", endpoint_url=server.url, credentials=CREDS, config=config
        ) as client:
            await client.create_deployment(rest_api_id="abc", stage_name="s")
            with call_options(operation_timeout=4.0), pytest.raises(PacingTimeoutError) as info:
                await client.create_deployment(rest_api_id="abc", stage_name="s")
    assert len(server.requests) == 1  # the second call sent nothing
    assert info.value.metadata is not None and info.value.metadata.attempts == 0


async def test_which_clients_get_a_pacer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_API_GATEWAY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))

    async def plan(client: Any) -> Any:
        async with client:
            return (await client._start()).pacer

    aws = await plan(ApiGatewayClient(region="us-east-1", credentials=CREDS))
    assert isinstance(aws, PacingPlan) and aws.pacer is pacing.local_pacer()
    custom = ApiGatewayClient(region="us-east-1", endpoint_url="http://127.0.0.1:1")
    assert await plan(custom) is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    assert await plan(ApiGatewayClient(region="us-east-1")) is None
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    off = ApiGatewayClient(region="us-east-1", config=ClientConfig(pacing="off"))
    assert await plan(off) is None
    v2 = await plan(ApiGatewayV2Client(region="us-east-1"))
    assert isinstance(v2, PacingPlan)
    connections = ApiGatewayManagementApiClient(
        region="us-east-1",
        endpoint_url="https://abc.execute-api.us-east-1.amazonaws.com/prod",
        config=ClientConfig(pacing="local"),
    )
    assert await plan(connections) is None
