"""``aioapigateway.CredentialChain``: one default chain shared by many clients (issue 11, item 8).

Clients of the three packages (REST APIs, ``v2``, ``management``) and ``SigV4Auth`` share one
chain: it fetches once for all of them, refreshes once for all of them, owns its HTTP session
(so it outlives the clients and their session), and is closed by its owner only. The
credentials come from a loopback EC2 instance metadata service (``tests/_credential_servers``);
the API calls go to a loopback server that records what was signed with which key.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from _credential_servers import SECRET_MARKERS, FakeAws, fake_aws, loopback_only
from _servers import RecordingServer, recording_server

import aioapigateway
from aioapigateway import management, v2
from aioapigateway.runtime.credentials import chain as chain_module
from aioapigateway.runtime.errors import ClientClosedError, ClientLoopError, ConfigError

IMDS_CREDENTIALS = "/latest/meta-data/iam/security-credentials/app-role"
IMDS_TOKEN_PATH = "/latest/api/token"


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with loopback_only() as attempts:
        yield
    assert not attempts, attempts


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No AWS_* or proxy variable, and no config file, of the developer's."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config-absent"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials-absent"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


@pytest.fixture
async def imds(clean_env: pytest.MonkeyPatch) -> AsyncIterator[FakeAws]:
    """The loopback IMDS as the only configured source of the default chain."""
    async with fake_aws() as server:
        clean_env.setenv("AWS_EC2_METADATA_DISABLED", "false")
        clean_env.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url)
        yield server


@pytest.fixture
async def api() -> AsyncIterator[RecordingServer]:
    async with recording_server() as server:
        yield server


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def signing_key(request: Any) -> str:
    match = re.search(r"Credential=([^/]+)/", request.headers["Authorization"])
    assert match, request.headers
    return match.group(1)


def imds_fetches(server: FakeAws) -> int:
    return len(server.of("GET", IMDS_CREDENTIALS))


async def test_three_clients_share_one_fetch_and_one_refresh(
    imds: FakeAws, api: RecordingServer
) -> None:
    chain = aioapigateway.CredentialChain()
    clock = FakeClock(time.time())
    chain._clock = clock  # the refresh below moves time, not the test
    # Every client's first attempt waits in a before_send hook (which runs just before the
    # request is signed) until all three are there: their resolve() calls then run together.
    arrived = asyncio.Barrier(3)

    async def together(ctx: Any) -> None:
        await arrived.wait()

    session = aiohttp.ClientSession()
    common: dict[str, Any] = {"region": "eu-west-1", "credentials": chain, "session": session}
    rest = aioapigateway.ApiGatewayClient(endpoint_url=api.url, **common)
    http_apis = v2.ApiGatewayV2Client(endpoint_url=api.url, **common)
    connections = management.ApiGatewayManagementApiClient(endpoint_url=api.url + "/prod", **common)
    clients: list[Any] = [rest, http_apis, connections]
    for client in clients:
        client.add_hook("before_send", together)

    async def one_round() -> None:
        async with asyncio.timeout(30):  # a safety bound, not a timing assertion
            await asyncio.gather(
                rest.get_rest_apis(),
                http_apis.get_apis(),
                connections.get_connection(connection_id="abc="),
            )

    try:
        await one_round()
        assert imds_fetches(imds) == 1
        assert len(imds.of("PUT", IMDS_TOKEN_PATH)) == 1
        assert sorted(r.path for r in api.requests) == [
            "/prod/@connections/abc%3D",
            "/restapis",
            "/v2/apis",
        ]
        assert [signing_key(r) for r in api.requests] == ["ASIAIMDS1"] * 3
        assert {r.headers["X-Amz-Security-Token"] for r in api.requests} == {
            "imds-session-TOKENVALUE-1"
        }

        # Into the mandatory window (10 minutes before expiry): every caller must wait for
        # fresh credentials, and one fetch serves all three.
        first = await chain.resolve()
        assert first.expiration is not None
        clock.now = first.expiration.timestamp() - 300
        imds.expires_at = clock.now + 3600
        await one_round()
        assert imds_fetches(imds) == 2
        assert [signing_key(r) for r in api.requests[3:]] == ["ASIAIMDS2"] * 3
    finally:
        for client in clients:
            await client.close()
        await session.close()

    # The clients and their session are gone; the chain is not: it still refreshes, through
    # its own session.
    chain.invalidate()
    assert (await chain.resolve()).access_key_id == "ASIAIMDS3"
    await chain.close()


async def test_concurrent_resolves_share_one_fetch(imds: FakeAws) -> None:
    async with aioapigateway.CredentialChain() as chain:
        async with asyncio.timeout(30):
            results = await asyncio.gather(*(chain.resolve() for _ in range(20)))
    assert {c.access_key_id for c in results} == {"ASIAIMDS1"}
    assert imds_fetches(imds) == 1


async def test_sigv4_auth_and_a_client_share_the_chain(imds: FakeAws, api: RecordingServer) -> None:
    async with aioapigateway.CredentialChain() as chain:
        auth = aioapigateway.SigV4Auth(region="eu-west-1", credentials=chain)
        async with aiohttp.ClientSession(middlewares=[auth]) as signed:
            async with signed.get(api.url + "/prod/pets") as response:
                assert response.status == 200
        async with v2.ApiGatewayV2Client(
            region="eu-west-1", endpoint_url=api.url, credentials=chain
        ) as client:
            await client.get_apis()
    assert [signing_key(r) for r in api.requests] == ["ASIAIMDS1", "ASIAIMDS1"]
    assert imds_fetches(imds) == 1


async def test_a_client_does_not_close_the_chain_and_close_ends_it(
    imds: FakeAws, api: RecordingServer
) -> None:
    chain = aioapigateway.CredentialChain()
    async with v2.ApiGatewayV2Client(
        region="eu-west-1", endpoint_url=api.url, credentials=chain
    ) as client:
        await client.get_apis()
    own_session = chain._session
    assert own_session is not None and not own_session.closed
    chain.invalidate()
    assert (await chain.resolve()).access_key_id == "ASIAIMDS2"

    await chain.close()
    await chain.close()  # harmless twice
    assert own_session.closed
    with pytest.raises(ClientClosedError, match="CredentialChain is closed"):
        await chain.resolve()
    async with v2.ApiGatewayV2Client(
        region="eu-west-1", endpoint_url=api.url, credentials=chain
    ) as client:
        with pytest.raises(ClientClosedError, match="CredentialChain is closed"):
            await client.get_apis()
    assert imds_fetches(imds) == 2
    assert len(api.requests) == 1


async def test_environment_credentials_need_no_session(
    clean_env: pytest.MonkeyPatch, api: RecordingServer
) -> None:
    clean_env.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", "env-SECRETVALUE")
    async with aioapigateway.CredentialChain() as chain:
        async with aioapigateway.ApiGatewayClient(
            region="eu-west-1", endpoint_url=api.url, credentials=chain
        ) as client:
            await client.get_rest_apis()
        assert chain._session is None
    assert signing_key(api.requests[0]) == "AKIDENV"
    # Closed, the chain gives nothing more, even from a source that needs no session.
    with pytest.raises(ClientClosedError, match="CredentialChain is closed"):
        await chain.resolve()


def test_construction_needs_no_loop_and_the_repr_no_secret(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", "env-SECRETVALUE")
    chain = aioapigateway.CredentialChain(profile=None)
    assert repr(chain) == "CredentialChain(profile=None)"
    assert repr(aioapigateway.CredentialChain("dev")) == "CredentialChain(profile='dev')"

    async def use() -> tuple[str, str]:
        credentials = await chain.resolve()
        shown = repr(chain) + str(chain)
        await chain.close()
        return credentials.access_key_id, shown

    key, shown = asyncio.run(use())
    assert key == "AKIDENV"
    assert shown == "CredentialChain(profile=None)" * 2
    assert not any(marker in shown for marker in SECRET_MARKERS)


def test_public_names() -> None:
    assert aioapigateway.CredentialChain is chain_module.CredentialChain
    assert "CredentialChain" in aioapigateway.__all__
    for bad in ("", 5):
        with pytest.raises(ConfigError, match="profile must be a non-empty string"):
            aioapigateway.CredentialChain(bad)  # type: ignore[arg-type]


def test_a_fetch_in_another_loop_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", "env-SECRETVALUE")
    chain = aioapigateway.CredentialChain()

    async def resolve() -> str:
        return (await chain.resolve()).access_key_id

    assert asyncio.run(resolve()) == "AKIDENV"
    # Fresh credentials need nothing from the loop...
    assert asyncio.run(resolve()) == "AKIDENV"
    # ...a fetch does.
    chain.invalidate()
    with pytest.raises(ClientLoopError, match="another event loop"):
        asyncio.run(resolve())
