"""``disable_host_prefix_injection``: an operation's hostPrefix kept off the endpoint host.

The golden fixture model's ``PingHost`` has ``hostPrefix: {AccountId}.ping.``. Its package is
generated into a temporary directory; calls go to a loopback server, through a resolver that
answers 127.0.0.1 for every name (so ``123456789012.ping.localhost`` reaches it too).
"""

from __future__ import annotations

import importlib
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

import aioapigateway
from aioapigateway.runtime import client as runtime_client
from codegen.build import build_service
from codegen.loader import load_model_files
from codegen.render import render_package

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "golden"
PACKAGE = "host_prefix_golden"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("host_prefix")
    files = load_model_files(FIXTURES / "service-2.json", None, None)
    for relative, text in render_package(build_service(files, PACKAGE), root).items():
        path = root / PACKAGE / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        runtime_client._CODECS.pop(f"{PACKAGE}._spec", None)


class _AnyNameIsLoopback(AbstractResolver):
    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[ResolveResult]:
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


class HostRecorder:
    def __init__(self) -> None:
        self.hosts: list[str] = []
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.hosts.append(request.host)
        return web.Response(status=200, body=b"{}", content_type="application/json")


@pytest.fixture
async def recorder() -> AsyncIterator[HostRecorder]:
    recorder = HostRecorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.port = runner.addresses[0][1]
    try:
        yield recorder
    finally:
        await runner.cleanup()


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS setting of the machine; returns the (not yet written) config file's path."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    config = tmp_path / "config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    return config


async def ping(package: ModuleType, recorder: HostRecorder, **config: Any) -> str:
    """Call PingHost against ``localhost:<port>``; the Host header the server saw."""
    connector = aiohttp.TCPConnector(resolver=_AnyNameIsLoopback())
    async with aiohttp.ClientSession(connector=connector) as session:
        client = package.Client(
            region="us-east-1",
            endpoint_url=f"http://localhost:{recorder.port}",
            credentials=aioapigateway.Credentials("AKID", "SECRET"),
            config=aioapigateway.ClientConfig(max_attempts=1, **config),
            session=session,
        )
        async with client:
            await client.ping_host(account_id=ACCOUNT)
    return recorder.hosts[-1]


async def test_the_host_prefix_is_prepended_by_default(
    package: ModuleType, recorder: HostRecorder, isolated_env: Path
) -> None:
    assert await ping(package, recorder) == f"{ACCOUNT}.ping.localhost:{recorder.port}"


async def test_config_field_disables_it(
    package: ModuleType, recorder: HostRecorder, isolated_env: Path
) -> None:
    host = await ping(package, recorder, disable_host_prefix_injection=True)
    assert host == f"localhost:{recorder.port}"


async def test_environment_variable_disables_it(
    package: ModuleType,
    recorder: HostRecorder,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    assert await ping(package, recorder) == f"localhost:{recorder.port}"
    # An explicit ClientConfig field wins over the environment.
    host = await ping(package, recorder, disable_host_prefix_injection=False)
    assert host == f"{ACCOUNT}.ping.localhost:{recorder.port}"


async def test_config_file_key_disables_it(
    package: ModuleType, recorder: HostRecorder, isolated_env: Path
) -> None:
    isolated_env.write_text("[default]\ndisable_host_prefix_injection = true\n")
    assert await ping(package, recorder) == f"localhost:{recorder.port}"


async def test_a_numeric_loopback_endpoint_is_reachable_only_with_it(
    package: ModuleType, recorder: HostRecorder, isolated_env: Path
) -> None:
    # The case: http://127.0.0.1:<port> plus a prefix is no host at all.
    async def call(**config: Any) -> None:
        client = package.Client(
            region="us-east-1",
            endpoint_url=f"http://127.0.0.1:{recorder.port}",
            credentials=aioapigateway.Credentials("AKID", "SECRET"),
            config=aioapigateway.ClientConfig(max_attempts=1, connect_timeout=5, **config),
        )
        async with client:
            await client.ping_host(account_id=ACCOUNT)

    await call(disable_host_prefix_injection=True)
    assert recorder.hosts == [f"127.0.0.1:{recorder.port}"]


def test_the_field_is_checked() -> None:
    with pytest.raises(aioapigateway.errors.ConfigError):
        aioapigateway.ClientConfig(disable_host_prefix_injection="yes")  # type: ignore[arg-type]
