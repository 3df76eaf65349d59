"""Shared fixtures: a real moto server, a client pointed at it, and an aioresponses shim.

The aioresponses shim
---------------------
aioresponses 0.7.9 builds every mocked response in ``RequestMatch._build_response`` with
``ClientResponse(method, url, writer=None, continue100=None, timer=..., request_info=...,
traces=[], loop=..., session=None)``. aiohttp 3.14 added a required keyword-only argument,
``stream_writer: AbstractStreamWriter``, to ``ClientResponse.__init__`` (when ``writer`` is
``None``, i.e. the request is already sent, it reads ``stream_writer.output_size``), so every
mocked request fails with ``TypeError: ClientResponse.__init__() missing 1 required
keyword-only argument: 'stream_writer'`` (aioresponses issue #289).

The shim wraps ``RequestMatch._build_response`` so that the response class it instantiates
(``ClientResponse`` or a caller's ``response_class``) is a subclass whose ``__init__``
supplies a finished stand-in writer (``output_size == 0``) when none is given. It is applied
only when the installed aiohttp requires ``stream_writer``, and keeps working once
aioresponses passes the argument itself.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from _moto import MotoServer, moto_server

import aioapigateway

# No test may reach the EC2 metadata service (169.254.169.254): the default credential
# chain ends there when nothing else is configured. Provider tests pass their own environ.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

# -- aioresponses on aiohttp >= 3.14 ----------------------------------------------------------


class _SentStreamWriter:
    """Stands in for the ``AbstractStreamWriter`` of a request that was already sent."""

    output_size = 0


_SENT_STREAM_WRITER = _SentStreamWriter()


@functools.cache
def _with_stream_writer(response_class: type[Any]) -> type[Any]:
    class _Response(response_class):  # type: ignore[misc, valid-type]
        def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
            kwargs.setdefault("stream_writer", _SENT_STREAM_WRITER)
            super().__init__(method, url, **kwargs)

    _Response.__name__ = response_class.__name__
    _Response.__qualname__ = response_class.__qualname__
    return _Response


def _install_aioresponses_shim() -> bool:
    """Patch aioresponses for aiohttp 3.14+; ``True`` when the patch was applied."""
    try:
        from aiohttp import ClientResponse
        from aioresponses import core
    except ImportError:  # aioresponses is a test-only dependency
        return False
    if "stream_writer" not in inspect.signature(ClientResponse.__init__).parameters:
        return False
    build = core.RequestMatch._build_response
    if getattr(build, "_stream_writer_shim", False):
        return True

    @functools.wraps(build)
    def _build_response(
        self: Any, *args: Any, response_class: type[Any] | None = None, **kwargs: Any
    ) -> Any:
        response_class = _with_stream_writer(response_class or ClientResponse)
        return build(self, *args, response_class=response_class, **kwargs)

    _build_response._stream_writer_shim = True  # type: ignore[attr-defined]
    core.RequestMatch._build_response = _build_response  # type: ignore[method-assign]
    return True


AIORESPONSES_SHIM_APPLIED = _install_aioresponses_shim()


# -- moto ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_session_server() -> Iterator[MotoServer]:
    """One moto_server for the whole session, stopped by its pid at the end."""
    with moto_server() as server:
        yield server


@pytest.fixture
def moto_url(moto_session_server: MotoServer) -> str:
    """The moto server's URL, with its state reset so each test starts from nothing."""
    moto_session_server.reset()
    return moto_session_server.url


@pytest.fixture
def isolated_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS_* variable, config or credentials file of the developer's reaches the client."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config-absent"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials-absent"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
async def client(
    moto_url: str, isolated_aws_env: None
) -> AsyncIterator[aioapigateway.ApiGatewayClient]:
    """An ``ApiGatewayClient`` talking to the (freshly reset) moto server."""
    async with aioapigateway.ApiGatewayClient(
        region="us-east-1",
        endpoint_url=moto_url,
        credentials=aioapigateway.Credentials("testing", "testing"),
    ) as api:
        yield api
