"""The client's lifecycle, the call path and basic retries (aioapigateway.runtime.client)."""

from __future__ import annotations

import asyncio
import builtins
import json
import socket
from typing import Any

import aiohttp
import pytest
from _servers import RecordingServer, recording_server

import aioapigateway
from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors, models
from aioapigateway.runtime.signing import SigV4Signer

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
REST_API = {"id": "abc", "name": "pets", "createdDate": 1795637682, "apiKeySource": "HEADER"}


def make_client(server: RecordingServer, **kwargs: Any) -> ApiGatewayClient:
    kwargs.setdefault("config", ClientConfig(max_attempts=1))
    return ApiGatewayClient(
        region="us-east-1", endpoint_url=server.url, credentials=CREDS, **kwargs
    )


def test_client_alias_and_public_surface() -> None:
    assert aioapigateway.Client is ApiGatewayClient
    for name in ("ApiGatewayClient", "Client", "ClientConfig", "Credentials", "errors", "models"):
        assert name in aioapigateway.__all__


def test_construction_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("I/O during construction")

    monkeypatch.setattr(builtins, "open", forbidden)
    monkeypatch.setattr(socket, "socket", forbidden)
    monkeypatch.setattr(asyncio, "to_thread", forbidden)
    client = ApiGatewayClient(region="us-east-1", profile="nobody", config=ClientConfig())
    assert repr(client) == "ApiGatewayClient(region='us-east-1')"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"region": 5},
        {"endpoint_url": b"http://x"},
        {"profile": ["p"]},
        {"session": object()},
        {"config": {"max_attempts": 3}},
        {"credentials": ("AKID", "SECRET")},
    ],
)
def test_bad_constructor_arguments_raise_config_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(errors.ConfigError):
        ApiGatewayClient(**kwargs)


async def test_call_sends_signed_request_and_parses_typed_result() -> None:
    async with recording_server() as server:
        server.reply(body=json.dumps(REST_API), **{"Content-Type": "text/html"})
        async with make_client(server) as client:
            api = await client.get_rest_api(rest_api_id="abc")
        request = server.requests[0]
    assert isinstance(api, models.RestApi)
    assert api.api_key_source is models.ApiKeySourceType.HEADER
    assert api.created_date is not None and api.created_date.tzinfo is not None
    assert request.method == "GET" and request.path == "/restapis/abc"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith("aioapigateway/")
    assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/apigateway/aws4_request" in request.headers["Authorization"]
    assert CREDS.secret_access_key not in str(request.headers)


async def test_any_2xx_is_success_and_operations_without_output_return_none() -> None:
    async with recording_server() as server:
        server.reply(status=202, body=b"")
        async with make_client(server) as client:
            assert await client.delete_rest_api(rest_api_id="abc") is None


async def test_modeled_error_is_raised_with_its_class() -> None:
    async with recording_server() as server:
        server.reply(
            status=404,
            body=json.dumps({"message": "Invalid Rest API Id specified"}),
            **{"x-amzn-ErrorType": "NotFoundException", "x-amzn-RequestId": "req-1"},
        )
        async with make_client(server) as client:
            with pytest.raises(errors.NotFoundException) as caught:
                await client.get_rest_api(rest_api_id="missing")
    assert caught.value.code == "NotFoundException"
    assert caught.value.status_code == 404 and caught.value.request_id == "req-1"


async def test_bad_input_sends_nothing() -> None:
    async with recording_server() as server:
        async with make_client(server) as client:
            with pytest.raises(errors.ParamValidationError):
                await client.get_rest_api(rest_api_id=None)  # type: ignore[arg-type]
            with pytest.raises(TypeError):
                await client.get_rest_api()  # type: ignore[call-arg]
        assert server.requests == []


async def test_owned_session_is_closed_and_close_is_idempotent() -> None:
    async with recording_server() as server:
        client = make_client(server)
        await client.get_rest_apis()
        runtime = client._runtime
        assert runtime is not None and runtime.owns_session
        await client.close()
        await client.close()
        assert runtime.session.closed
        # Misuse, not a network failure: raised at once, nothing sent, never retried.
        with pytest.raises(errors.ClientClosedError, match="closed") as caught:
            await client.get_rest_apis()
        assert isinstance(caught.value, RuntimeError)
        assert not isinstance(caught.value, errors.TransportError)
        assert len(server.requests) == 1


async def test_callers_session_is_used_and_never_closed() -> None:
    async with recording_server() as server, aiohttp.ClientSession() as session:
        async with make_client(server, session=session) as client:
            await client.get_rest_apis()
            assert client._runtime is not None and client._runtime.session is session
        assert not session.closed
        assert len(server.requests) == 1


async def test_concurrent_first_calls_start_the_client_once() -> None:
    async with recording_server() as server:
        async with make_client(server) as client:
            results = await asyncio.gather(*(client.get_rest_apis() for _ in range(20)))
            assert all(isinstance(r, models.RestApis) for r in results)
        assert len(server.requests) == 20


async def test_server_errors_are_retried_and_client_errors_are_not() -> None:
    async with recording_server() as server:
        server.reply(status=500, body=b'{"message": "boom"}')
        server.reply(status=503, body=b"")
        server.reply(body=json.dumps(REST_API))
        config = ClientConfig(max_attempts=3)
        async with make_client(server, config=config) as client:
            client_runtime = await client._start()
            client_runtime.retry.random = lambda: 0.0
            assert client_runtime.endpoint is not None
            signed: list[str] = []

            class CountingSigner(SigV4Signer):
                __slots__ = ()

                def sign(self, **kwargs: Any) -> None:  # type: ignore[override]
                    signed.append(kwargs["method"])
                    super().sign(**kwargs)

            client_runtime.endpoint.signer = CountingSigner("apigateway", "us-east-1")
            api = await client.get_rest_api(rest_api_id="abc")
            assert api.id == "abc"
            assert len(server.requests) == 3
            # Each attempt is signed afresh, and each carries its own signature.
            assert signed == ["GET", "GET", "GET"]
            assert all(r.headers["Authorization"].startswith("AWS4") for r in server.requests)
            server.reply(status=400, body=b'{"message": "bad"}')
            with pytest.raises(errors.ServiceError):
                await client.get_rest_api(rest_api_id="abc")
            assert len(server.requests) == 4


async def test_connection_refused_is_a_transport_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ApiGatewayClient(
        region="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        credentials=CREDS,
        config=ClientConfig(max_attempts=1),
    )
    async with client:
        with pytest.raises(errors.TransportError) as caught:
            await client.get_rest_apis()
    assert isinstance(caught.value.__cause__, aiohttp.ClientError | OSError)


async def test_endpoint_is_resolved_from_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_API_GATEWAY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    async with ApiGatewayClient(region="cn-north-1", credentials=CREDS) as client:
        runtime = await client._start()
        assert runtime.endpoint.origin == "https://apigateway.cn-north-1.amazonaws.com.cn"
    config = ClientConfig(use_fips_endpoint=True)
    async with ApiGatewayClient(region="us-west-2", credentials=CREDS, config=config) as client:
        runtime = await client._start()
        assert runtime.endpoint.origin == "https://apigateway-fips.us-west-2.amazonaws.com"


async def test_missing_region_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    async with ApiGatewayClient(credentials=CREDS) as client:
        with pytest.raises(errors.ConfigError, match="region"):
            await client.get_rest_apis()


async def test_custom_credential_provider_is_awaited_per_attempt() -> None:
    class Provider:
        calls = 0

        async def resolve(self) -> Credentials:
            Provider.calls += 1
            return CREDS

    async with recording_server() as server:
        client = ApiGatewayClient(
            region="us-east-1",
            endpoint_url=server.url,
            credentials=Provider(),
            config=ClientConfig(max_attempts=1),
        )
        async with client:
            await client.get_rest_apis()
            await client.get_rest_apis()
    assert Provider.calls == 2


def test_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from aioapigateway.runtime.client import _Endpoint

    def proxy(url: str) -> str | None:
        return _Endpoint(url, {}, "apigateway", "us-east-1").proxy

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert proxy("https://apigateway.us-east-1.amazonaws.com") is None
    monkeypatch.setenv("HTTPS_PROXY", "proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,.corp.example")
    assert proxy("https://apigateway.us-east-1.amazonaws.com") == "http://proxy.internal:3128"
    assert proxy("https://api.corp.example") is None
    assert proxy("http://apigateway.us-east-1.amazonaws.com") is None


async def test_requests_go_through_the_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    async with recording_server() as proxy:
        for name in ("NO_PROXY", "no_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        client = ApiGatewayClient(
            region="us-east-1",
            endpoint_url="http://apigateway.invalid",
            credentials=CREDS,
            config=ClientConfig(max_attempts=1),
        )
        async with client:
            await client.get_rest_apis()
        request = proxy.requests[0]
    # The proxy sees the absolute URL and the original Host, which is what was signed.
    assert request.headers["Host"] == "apigateway.invalid"
    assert request.raw_path.endswith("/restapis")


async def test_tls_context_is_built_once_per_client_and_never_for_http(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import ssl

    import certifi

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent"))
    monkeypatch.setenv("AWS_CA_BUNDLE", certifi.where())
    https = ApiGatewayClient(
        region="us-east-1", endpoint_url="https://apigateway.invalid", credentials=CREDS
    )
    async with https:
        runtime = await https._start()
        assert isinstance(runtime.ssl, ssl.SSLContext)
        assert runtime.ssl.verify_mode is ssl.CERT_REQUIRED and runtime.ssl.check_hostname
        assert (await https._start()).ssl is runtime.ssl
    plain = ApiGatewayClient(
        region="us-east-1", endpoint_url="http://127.0.0.1:9", credentials=CREDS
    )
    async with plain:
        # True: aiohttp's shared, verifying default context; no bundle is loaded for http.
        assert (await plain._start()).ssl is True


async def test_a_bad_ca_bundle_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("not a certificate")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent"))
    config = ClientConfig(ca_bundle=str(bundle))
    client = ApiGatewayClient(
        region="us-east-1",
        endpoint_url="https://apigateway.invalid",
        credentials=CREDS,
        config=config,
    )
    async with client:
        with pytest.raises(errors.ConfigError, match="CA bundle"):
            await client.get_rest_apis()


# -- lifecycle misuse --------------------------------------------------------------------------


class GatedClient(ApiGatewayClient):
    """A client whose start-up waits for ``release`` once its settings are resolved."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.building = asyncio.Event()
        self.release = asyncio.Event()
        self.built: list[Any] = []

    async def _build_runtime(self) -> Any:
        runtime = await super()._build_runtime()
        self.built.append(runtime)
        self.building.set()
        await self.release.wait()
        return runtime


async def test_close_during_the_first_calls_start_up_closes_the_session() -> None:
    async with recording_server() as server:
        client = GatedClient(region="us-east-1", endpoint_url=server.url, credentials=CREDS)
        call = asyncio.create_task(client.get_rest_apis())
        await asyncio.wait_for(client.building.wait(), 10)
        await client.close()
        client.release.set()
        with pytest.raises(errors.ClientClosedError):
            await call
        assert len(client.built) == 1 and client.built[0].session.closed
        assert client._runtime is None
        with pytest.raises(errors.ClientClosedError):
            await client.get_rest_apis()
        assert server.requests == []


async def test_a_failed_start_up_closes_the_session_it_opened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aioapigateway.runtime import client as _client

    opened: list[aiohttp.ClientSession] = []
    real_session = aiohttp.ClientSession

    def recording_session(*args: Any, **kwargs: Any) -> aiohttp.ClientSession:
        opened.append(real_session(*args, **kwargs))
        return opened[-1]

    def failing_provider(*args: Any, **kwargs: Any) -> Any:
        raise errors.ConfigError("no provider")

    monkeypatch.setattr(_client.aiohttp, "ClientSession", recording_session)
    monkeypatch.setattr(_client, "as_provider", failing_provider)
    async with ApiGatewayClient(
        region="us-east-1", endpoint_url="http://127.0.0.1:9", credentials=CREDS
    ) as client:
        with pytest.raises(errors.ConfigError, match="no provider"):
            await client.get_rest_apis()
    assert len(opened) == 1 and opened[0].closed


def test_a_provider_class_instead_of_an_instance_is_refused_at_construction() -> None:
    class Provider:
        async def resolve(self) -> Credentials:
            return CREDS

    with pytest.raises(errors.ConfigError, match="the class Provider"):
        ApiGatewayClient(credentials=Provider)  # type: ignore[arg-type]


def test_a_client_used_in_another_event_loop_says_so_and_sends_nothing() -> None:
    from _faults import REST_API as FAULT_REST_API
    from _faults import Reply, fault_server

    sent: list[int] = []
    clients: list[ApiGatewayClient] = []

    async def first_loop() -> None:
        async with fault_server() as server:
            # Connection: close, so that no pooled socket outlives this loop.
            server.default = Reply(200, json.dumps(FAULT_REST_API), close=True)
            client = ApiGatewayClient(
                region="us-east-1", endpoint_url=server.url, credentials=CREDS
            )
            client.add_hook("before_send", lambda ctx: sent.append(ctx.attempt))
            clients.append(client)
            await client.get_rest_api(rest_api_id="abc")

    async def second_loop() -> None:
        client = clients[0]
        with pytest.raises(errors.ClientLoopError, match="create the client inside") as caught:
            await client.get_rest_api(rest_api_id="abc")
        assert isinstance(caught.value, RuntimeError)
        assert not isinstance(caught.value, errors.TransportError)
        assert caught.value.metadata is None  # raised before any attempt
        await client.close()
        with pytest.raises(errors.ClientClosedError):
            await client.get_rest_api(rest_api_id="abc")

    asyncio.run(first_loop())
    assert sent == [1]
    asyncio.run(second_loop())
    assert sent == [1]


async def test_max_connections_with_a_callers_session_warns() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.warns(UserWarning, match="max_connections.*ignored when session= is given"):
            ApiGatewayClient(session=session, config=ClientConfig(max_connections=5))
        # Not given explicitly, or no session: nothing to say (warnings are errors here).
        ApiGatewayClient(session=session, config=ClientConfig(max_attempts=2))
        ApiGatewayClient(config=ClientConfig(max_connections=5))


async def test_a_client_used_from_a_loop_in_another_thread_says_so() -> None:
    import threading

    from _faults import REST_API as FAULT_REST_API
    from _faults import Reply, fault_server

    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()

    async def in_other_loop(coro: Any) -> Any:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, other))

    try:
        async with fault_server() as server:
            server.default = Reply(200, json.dumps(FAULT_REST_API), close=True)
            client = ApiGatewayClient(
                region="us-east-1",
                endpoint_url=server.url,
                credentials=CREDS,
                config=ClientConfig(max_attempts=3),
            )
            assert (await in_other_loop(client.get_rest_api(rest_api_id="abc"))).id == "abc"
            with pytest.raises(errors.ClientLoopError, match="another event loop") as caught:
                await client.get_rest_api(rest_api_id="abc")
            assert caught.value.metadata is not None and caught.value.metadata.attempts == 1
            assert server.count == 1
            await in_other_loop(client.close())
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(10)
        other.close()
