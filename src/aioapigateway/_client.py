"""The client base class: lifecycle, and the one ``_call`` every generated method uses.

Construction only stores its arguments. The first call resolves settings (region, endpoint,
retries) and credentials, opens the aiohttp session inside the running loop and compiles
what it needs; every later call goes straight to serialize -> sign -> send -> parse.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import platform
import ssl
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import quote, urlsplit

import aiohttp
from yarl import URL

from aioapigateway._config import ClientConfig, Settings, resolve_settings
from aioapigateway._credentials import CredentialProvider, Credentials, as_provider
from aioapigateway._errors import (
    AioApiGatewayError,
    ConfigError,
    RequestTimeoutError,
    ServiceError,
    TransportError,
)
from aioapigateway._parse import ResponseParser
from aioapigateway._profiles import ProfileLoader
from aioapigateway._retry import RetryPolicy
from aioapigateway._serialize import PreparedRequest, RequestSerializer
from aioapigateway._signing import SigV4Signer
from aioapigateway._version import __version__

if TYPE_CHECKING:
    from aioapigateway._paginate import PageIterator
    from aioapigateway._shapes import Paginator, Service

__all__ = ["BaseClient"]

logger = logging.getLogger("aioapigateway")

# One serializer and parser per service model, shared by every client of that service:
# their compiled plans depend only on the model.
_CODECS: dict[str, tuple[Service, RequestSerializer, ResponseParser]] = {}


def _codecs(spec_module: str) -> tuple[Service, RequestSerializer, ResponseParser]:
    codecs = _CODECS.get(spec_module)
    if codecs is None:
        service: Service = importlib.import_module(spec_module).SERVICE
        codecs = _CODECS[spec_module] = (
            service,
            RequestSerializer(service),
            ResponseParser(service),
        )
    return codecs


_NO_AUTO_CONTENT_TYPE = frozenset({"Content-Type"})


def _safe_quote(text: str) -> str:
    return quote(text, safe="-_.~")


class _Runtime:
    """Everything a started client needs on the hot path, resolved once."""

    __slots__ = (
        "base_path",
        "credentials",
        "default_headers",
        "host",
        "origin",
        "owns_session",
        "parser",
        "retry",
        "scheme",
        "serializer",
        "service",
        "session",
        "settings",
        "signer",
        "ssl",
        "timeout",
    )

    def __init__(
        self,
        *,
        service: Service,
        serializer: RequestSerializer,
        parser: ResponseParser,
        settings: Settings,
        endpoint_url: str,
        signing_name: str,
        signing_region: str,
        credentials: CredentialProvider,
        session: aiohttp.ClientSession,
        owns_session: bool,
        ssl_context: ssl.SSLContext | bool,
        endpoint_headers: Mapping[str, str],
    ) -> None:
        self.service = service
        self.serializer = serializer
        self.parser = parser
        self.settings = settings
        parts = urlsplit(endpoint_url)
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.base_path = parts.path.rstrip("/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.signer = SigV4Signer(signing_name, signing_region)
        self.credentials = credentials
        self.session = session
        self.owns_session = owns_session
        self.ssl = ssl_context
        self.timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=settings.connect_timeout, sock_read=settings.read_timeout
        )
        self.retry = RetryPolicy(settings.max_attempts, settings.retry_mode)
        user_agent = (
            f"aioapigateway/{__version__} Python/{platform.python_version()} "
            f"aiohttp/{aiohttp.__version__}"
        )
        if settings.user_agent_extra:
            user_agent += " " + settings.user_agent_extra
        self.default_headers = {
            "User-Agent": user_agent,
            **service.default_headers,
            **endpoint_headers,
        }


class BaseClient:
    """An async client of one AWS service. Generated subclasses add one method per operation.

    Arguments (all optional, keyword-only):

    - ``region``: else ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's ``region``.
    - ``endpoint_url``: else ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, the
      config file; else resolved from the service's endpoint rules.
    - ``credentials``: a ``Credentials``, or any object with ``async def resolve()``
      returning one; else the default AWS credential chain.
    - ``profile``: else ``AWS_PROFILE``, else ``"default"``.
    - ``session``: an ``aiohttp.ClientSession`` owned by the caller: used, never closed.
    - ``config``: a ``ClientConfig``.

    Construction does no I/O. Use ``async with Client(...) as client:`` or call
    ``await client.close()`` (closing twice is harmless). One client is safe to share between
    any number of concurrent tasks.
    """

    _SPEC_MODULE: ClassVar[str]

    def __init__(
        self,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        credentials: Credentials | CredentialProvider | None = None,
        profile: str | None = None,
        session: aiohttp.ClientSession | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        for name, value in (
            ("region", region),
            ("endpoint_url", endpoint_url),
            ("profile", profile),
        ):
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"{name} must be a str, not {type(value).__name__}")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigError(
                f"session must be an aiohttp.ClientSession, not {type(session).__name__}"
            )
        if config is not None and not isinstance(config, ClientConfig):
            raise ConfigError(f"config must be a ClientConfig, not {type(config).__name__}")
        if credentials is not None and not (
            isinstance(credentials, Credentials) or callable(getattr(credentials, "resolve", None))
        ):
            raise ConfigError(
                "credentials must be a Credentials or have an async resolve() method, "
                f"not {type(credentials).__name__}"
            )
        self._region = region
        self._endpoint_url = endpoint_url
        self._credentials = credentials
        self._profile = profile
        self._session = session
        self._config = config
        self._runtime: _Runtime | None = None
        self._start_lock: asyncio.Lock | None = None
        self._closed = False

    def __repr__(self) -> str:
        region = self._runtime.settings.region if self._runtime else self._region
        return f"{type(self).__name__}(region={region!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the client's own HTTP session (never a session the caller passed in)."""
        self._closed = True
        runtime, self._runtime = self._runtime, None
        if runtime is not None and runtime.owns_session:
            await runtime.session.close()

    # -- start-up --------------------------------------------------------------------------

    async def _start(self) -> _Runtime:
        if self._closed:
            raise TransportError("the client is closed")
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self._runtime is not None:
                return self._runtime
            if self._closed:
                raise TransportError("the client is closed")
            self._runtime = await self._build_runtime()
            return self._runtime

    async def _build_runtime(self) -> _Runtime:
        service, serializer, parser = _codecs(self._SPEC_MODULE)
        loader = ProfileLoader()
        settings = await resolve_settings(
            service_env_name=service.env_name,
            service_config_key=service.config_key,
            region=self._region,
            endpoint_url=self._endpoint_url,
            profile=self._profile,
            config=self._config,
            loader=loader,
        )
        endpoint_url, endpoint_headers, signing_name, signing_region = self._resolve_endpoint(
            service, settings
        )
        # The explicit profile only: the chain reads AWS_PROFILE itself, and an explicit
        # profile (unlike one from the environment) skips environment credentials.
        provider = as_provider(self._credentials, profile=self._profile, loader=loader)
        ssl_context: ssl.SSLContext | bool = True
        if endpoint_url.startswith("https:") and settings.ca_bundle:
            ssl_context = await asyncio.to_thread(_load_ca_bundle, settings.ca_bundle)
        owns_session = self._session is None
        if self._session is not None:
            session = self._session
        else:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=settings.max_connections),
                auto_decompress=True,
            )
        return _Runtime(
            service=service,
            serializer=serializer,
            parser=parser,
            settings=settings,
            endpoint_url=endpoint_url,
            signing_name=signing_name,
            signing_region=signing_region,
            credentials=provider,
            session=session,
            owns_session=owns_session,
            ssl_context=ssl_context,
            endpoint_headers=endpoint_headers,
        )

    @staticmethod
    def _resolve_endpoint(
        service: Service, settings: Settings
    ) -> tuple[str, dict[str, str], str, str]:
        """URL, extra headers, signing name and signing region for the client."""
        signing_name, signing_region = service.signing_name, settings.region
        if service.endpoint_rules is None:
            url = settings.endpoint_url or (
                f"https://{service.endpoint_prefix}.{settings.region}.amazonaws.com"
            )
            return url, {}, signing_name, signing_region
        from aioapigateway._endpoints import EndpointResolver

        rules = importlib.import_module(service.endpoint_rules).RULES
        endpoint = EndpointResolver(rules).resolve(
            {
                "Region": settings.region,
                "UseFIPS": settings.use_fips_endpoint,
                "UseDualStack": settings.use_dualstack_endpoint,
                "Endpoint": settings.endpoint_url,
            }
        )
        headers = {name: ",".join(values) for name, values in endpoint.headers.items()}
        for scheme in endpoint.properties.get("authSchemes", ()):
            if str(scheme.get("name", "")).startswith("sigv4"):
                signing_name = scheme.get("signingName", signing_name)
                region_set = scheme.get("signingRegionSet")
                signing_region = scheme.get("signingRegion") or (
                    region_set[0] if region_set else signing_region
                )
                break
        return endpoint.url, headers, signing_name, signing_region

    # -- the call ------------------------------------------------------------------------------

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Run one operation: validate and serialize, then sign, send and parse, with retries."""
        runtime = self._runtime or await self._start()
        op = runtime.service.operations[operation]
        request = runtime.serializer.serialize(op, params)
        path = runtime.base_path + request.path
        url = runtime.origin + path
        host = runtime.host
        if request.host_prefix:
            host = request.host_prefix + host
            url = f"{runtime.scheme}://{host}{path}"
        if request.query:
            url += "?" + "&".join(
                f"{_safe_quote(key)}={_safe_quote(value)}" for key, value in request.query
            )
        target = URL(url, encoded=True)
        retry = runtime.retry
        retry_tokens = 0
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                status, headers, body = await self._send(
                    runtime, op.unsigned, request, target, host, path
                )
            except AioApiGatewayError as exc:
                error: AioApiGatewayError = exc
                status = 0
            else:
                if 200 <= status < 300:
                    retry.on_success(retry_tokens)
                    if logger.isEnabledFor(logging.DEBUG):
                        _log_call(operation, request.method, url, status, attempt, started, headers)
                    return runtime.parser.parse(op, status, headers, body)
                error = runtime.parser.parse_error(status, headers, body)
                if logger.isEnabledFor(logging.DEBUG):
                    _log_call(operation, request.method, url, status, attempt, started, headers)
            if not isinstance(error, ServiceError | TransportError):
                raise error
            if attempt >= retry.max_attempts or not retry.is_retryable(error):
                raise error
            cost = retry.acquire(error)
            if cost is None:
                raise error
            retry_tokens += cost
            delay = retry.backoff(attempt)
            logger.debug(
                "%s: attempt %d failed (%s); retrying in %.3fs", operation, attempt, error, delay
            )
            await asyncio.sleep(delay)

    async def _send(
        self,
        runtime: _Runtime,
        unsigned: bool,
        request: PreparedRequest,
        target: URL,
        host: str,
        path: str,
    ) -> tuple[int, Any, bytes]:
        """One signed attempt; transport failures come back as our own exceptions."""
        headers = {**runtime.default_headers, **request.headers}
        if not unsigned:
            credentials = await runtime.credentials.resolve()
            runtime.signer.sign(
                method=request.method,
                url_host=host,
                scheme=runtime.scheme,
                path=path,
                query=request.query,
                headers=headers,
                body=request.body,
                credentials=credentials,
            )
        try:
            async with runtime.session.request(
                request.method,
                target,
                headers=headers,
                data=request.body or None,
                # aiohttp would label a raw body application/octet-stream; send what the
                # model says (botocore sends no Content-Type for blob payloads either).
                skip_auto_headers=_NO_AUTO_CONTENT_TYPE,
                timeout=runtime.timeout,
                ssl=runtime.ssl,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                return response.status, response.headers, body
        except TimeoutError as exc:
            raise RequestTimeoutError(f"{request.method} {target}: timed out") from exc
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise TransportError(f"{request.method} {target}: {exc!r}") from exc

    # -- pagination ------------------------------------------------------------------------------

    def _paginate(self, operation: str, params: dict[str, Any]) -> PageIterator[Any, Any]:
        from aioapigateway._paginate import PageIterator

        return PageIterator(self, operation, params)

    async def _paginator(self, operation: str) -> Paginator:
        service = _codecs(self._SPEC_MODULE)[0]
        return service.paginators[operation]


def _load_ca_bundle(path: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the CA bundle {path!r}: {exc}") from exc


def _log_call(
    operation: str,
    method: str,
    url: str,
    status: int,
    attempt: int,
    started: float,
    headers: Mapping[str, str],
) -> None:
    logger.debug(
        "%s %s %s -> %d (attempt %d, %.1f ms, request id %s)",
        operation,
        method,
        url,
        status,
        attempt,
        (time.monotonic() - started) * 1000,
        headers.get("x-amzn-RequestId"),
    )
