"""The client base class: lifecycle, and the one ``_call`` every generated method uses.

Construction only stores its arguments. The first call resolves settings (region, endpoint,
retries) and credentials, opens the aiohttp session inside the running loop and compiles
what it needs; every later call goes straight to serialize -> sign -> send -> parse.

The fast path (no hooks, DEBUG logging off, no timeouts beyond connect/read, the first
attempt succeeds) does no more per call than that: one context-variable read for
``call_options``, one check that the client's event loop is still open, no closures, no
copies of the configuration. Failures take the slow path: classification, clock-skew
correction, the retry quota, backoff, hooks and logging.

Only network failures become ``TransportError`` (and are retried). Misuse is reported at
once and never retried: a closed client or caller's session (``ClientClosedError``), a
client used from another event loop (``ClientLoopError``), a request aiohttp refuses to
build (``ConfigError``).
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import logging
import platform
import ssl
import time
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import quote, urlsplit

import aiohttp
from yarl import URL

from aioapigateway.runtime.call_options import UNSET, current_call_options
from aioapigateway.runtime.compression import compress_request
from aioapigateway.runtime.config.profiles import ProfileLoader
from aioapigateway.runtime.config.proxies import proxy_for
from aioapigateway.runtime.config.settings import ClientConfig, Settings, resolve_settings
from aioapigateway.runtime.credentials.base import CredentialProvider, Credentials, StaticProvider
from aioapigateway.runtime.credentials.chain import as_provider
from aioapigateway.runtime.errors import (
    AioApiGatewayError,
    CallMetadata,
    ClientClosedError,
    ClientLoopError,
    ConfigError,
    RequestTimeoutError,
    ResponseParseError,
    ServiceError,
    TransportError,
    display_url,
    transport_error_message,
)
from aioapigateway.runtime.hooks import Hook, HookContext, HookRegistry, run_hooks
from aioapigateway.runtime.paginate import PageIterator
from aioapigateway.runtime.parse import ResponseParser
from aioapigateway.runtime.retry import NOT_RETRYABLE, THROTTLING, TRANSIENT, RetryPolicy
from aioapigateway.runtime.retry_codes import (
    CLOCK_SKEW_CODES,
    CLOCK_SKEW_THRESHOLD,
    clock_offset_from,
)
from aioapigateway.runtime.serialize import PreparedRequest, RequestSerializer
from aioapigateway.runtime.signing import SigV4Signer
from aioapigateway.runtime.version import __version__
from aioapigateway.runtime.wire import log_attempt, log_request, log_response, logger, wire_logger

if TYPE_CHECKING:
    from aioapigateway.runtime.endpoints.rules import EndpointResolver
    from aioapigateway.runtime.shapes import Operation, Paginator, Service

__all__ = ["BaseClient"]

# One serializer and parser per service model, shared by every client of that service:
# their compiled plans depend only on the model.
_CODECS: dict[str, tuple[Service, RequestSerializer, ResponseParser]] = {}
# One compiled endpoint rule set per service, shared by its clients (it caches results too).
_RESOLVERS: dict[str, EndpointResolver] = {}


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


class _Endpoint:
    """Where requests go and how they are signed: one per set of endpoint parameters."""

    __slots__ = (
        "base_headers",
        "base_path",
        "headers",
        "host",
        "origin",
        "proxy",
        "scheme",
        "signer",
    )

    def __init__(
        self, url: str, headers: Mapping[str, str], signing_name: str, signing_region: str
    ) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.base_path = parts.path.rstrip("/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.headers = dict(headers)
        #: The client's default headers under this endpoint's: set by ``_Runtime.adopt``.
        self.base_headers = self.headers
        self.signer = SigV4Signer(signing_name, signing_region)
        # Looked up once per endpoint: aiohttp's trust_env would redo it on every request.
        self.proxy = proxy_for(url)


class _Runtime:
    """Everything a started client needs on the hot path, resolved once."""

    __slots__ = (
        "_modeled",
        "attempt_timeout",
        "clock_offset",
        "credentials",
        "default_headers",
        "endpoint",
        "endpoints",
        "log_bodies",
        "loop",
        "operation_timeout",
        "owns_session",
        "parser",
        "retry",
        "serializer",
        "service",
        "session",
        "settings",
        "ssl",
        "static_credentials",
        "timeout",
    )

    def __init__(
        self,
        *,
        service: Service,
        serializer: RequestSerializer,
        parser: ResponseParser,
        settings: Settings,
        endpoint: _Endpoint | None,
        credentials: CredentialProvider,
        session: aiohttp.ClientSession,
        owns_session: bool,
        ssl_context: ssl.SSLContext | bool,
    ) -> None:
        self.service = service
        self.serializer = serializer
        self.parser = parser
        self.settings = settings
        self.endpoint = endpoint
        #: Endpoints of operations that bind endpoint parameters, by parameter values.
        self.endpoints: dict[tuple[Any, ...], _Endpoint] = {}
        self.credentials = credentials
        #: Credentials that never change (given explicitly): no await per request.
        self.static_credentials = (
            credentials.credentials if isinstance(credentials, StaticProvider) else None
        )
        self.session = session
        self.owns_session = owns_session
        #: The loop the session belongs to: the one the client started in.
        self.loop = asyncio.get_running_loop()
        self.ssl = ssl_context
        self.timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=settings.connect_timeout, sock_read=settings.read_timeout
        )
        self.retry = RetryPolicy(settings.max_attempts, settings.retry_mode)
        self.attempt_timeout = settings.attempt_timeout
        self.operation_timeout = settings.operation_timeout
        self.log_bodies = settings.log_bodies
        #: Server clock minus local clock, in seconds, learnt from clock-skew errors.
        self.clock_offset = 0.0
        self._modeled: dict[str, frozenset[str]] = {}
        user_agent = (
            f"aioapigateway/{__version__} Python/{platform.python_version()} "
            f"aiohttp/{aiohttp.__version__}"
        )
        if settings.user_agent_extra:
            user_agent += " " + settings.user_agent_extra
        self.default_headers = {"User-Agent": user_agent, **service.default_headers}
        if endpoint is not None:
            self.adopt(endpoint)

    def adopt(self, endpoint: _Endpoint) -> _Endpoint:
        """Give ``endpoint`` the client's default headers (its own win), once."""
        endpoint.base_headers = {**self.default_headers, **endpoint.headers}
        return endpoint

    def modeled(self, op: Operation) -> frozenset[str]:
        """The error codes ``op`` models (a 429 with one of them is the model's to judge)."""
        codes = self._modeled.get(op.name)
        if codes is None:
            shapes = self.service.shapes
            codes = self._modeled[op.name] = frozenset(
                (shapes[name].error_code or name) if name in shapes else name for name in op.errors
            )
        return codes


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

    Each call makes up to ``max_attempts`` attempts (see :mod:`aioapigateway.runtime.retry`), each
    signed afresh; ``add_hook`` runs your code at fixed points of every attempt (see
    :mod:`aioapigateway.runtime.hooks`); ``call_options`` overrides the timeouts and attempts for
    the calls in a block (see :mod:`aioapigateway.runtime.call_options`). Errors raised after a call
    started sending carry a ``metadata`` attribute (a ``CallMetadata``).
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
        if session is not None and config is not None and config._is_explicit("max_connections"):
            warnings.warn(
                "ClientConfig(max_connections=...) is ignored when session= is given: the "
                "session's own connector limits its connections",
                UserWarning,
                stacklevel=2,
            )
        if credentials is not None and (
            isinstance(credentials, type)  # a provider class, not an instance of one
            or not (
                isinstance(credentials, Credentials)
                or callable(getattr(credentials, "resolve", None))
            )
        ):
            raise ConfigError(
                "credentials must be a Credentials or an object with an async resolve() "
                f"method, not {'the class ' if isinstance(credentials, type) else ''}"
                f"{getattr(credentials, '__name__', type(credentials).__name__)}"
            )
        self._region = region
        self._endpoint_url = endpoint_url
        self._credentials = credentials
        self._profile = profile
        self._session = session
        self._config = config
        self._hooks = HookRegistry(config.hooks if config is not None else ())
        self._runtime: _Runtime | None = None
        self._start_lock: asyncio.Lock | None = None
        self._start_loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def __repr__(self) -> str:
        region = self._runtime.settings.region if self._runtime else self._region
        return f"{type(self).__name__}(region={region!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the client's own HTTP session (never a session the caller passed in).

        Later calls raise ``ClientClosedError``.
        """
        self._closed = True
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            await _close_session(runtime)

    # -- start-up --------------------------------------------------------------------------

    async def _start(self) -> _Runtime:
        if self._closed:
            raise ClientClosedError("the client is closed")
        loop = asyncio.get_running_loop()
        if self._start_lock is None or self._start_loop is not loop:
            # A lock serves one loop; a client whose start-up failed may be tried in another.
            self._start_lock, self._start_loop = asyncio.Lock(), loop
        async with self._start_lock:
            if self._runtime is not None:
                return self._runtime
            if self._closed:
                raise ClientClosedError("the client is closed")
            runtime = await self._build_runtime()
            if self._closed:
                # close() ran while this was being built: nothing may outlive it.
                await _close_session(runtime)
                raise ClientClosedError("the client was closed while starting")
            self._runtime = runtime
            return runtime

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
        endpoint: _Endpoint | None
        try:
            endpoint = _resolve_endpoint(service, settings, {})
        except ConfigError:
            # Some rule sets need a parameter every operation binds (an ARN, an API type):
            # then each call resolves its own endpoint.
            if not any(op.endpoint_params for op in service.operations.values()):
                raise
            endpoint = None
        ssl_context: ssl.SSLContext | bool = True
        if settings.ca_bundle and (endpoint is None or endpoint.scheme == "https"):
            # One context per client, built once, off the loop; none for http endpoints.
            ssl_context = await asyncio.to_thread(_load_ca_bundle, settings.ca_bundle)
        owns_session = self._session is None
        if self._session is not None:
            session = self._session
        else:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=settings.max_connections),
                auto_decompress=True,
            )
            # aiohttp (3.10+) silently re-sends an idempotent request once when a connection
            # fails; the retry loop here does that itself, counted, re-signed and within the
            # retry quota, as botocore does with urllib3's retries off. No public switch.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
        try:
            # The explicit profile only: the chain reads AWS_PROFILE itself, and an explicit
            # profile (unlike one from the environment) skips environment credentials. The
            # providers that call AWS (STS, SSO, containers, IMDS) borrow the client's session.
            provider = as_provider(
                self._credentials,
                profile=self._profile,
                loader=loader,
                session_factory=lambda: session,
                region=settings.region,
            )
            return _Runtime(
                service=service,
                serializer=serializer,
                parser=parser,
                settings=settings,
                endpoint=endpoint,
                credentials=provider,
                session=session,
                owns_session=owns_session,
                ssl_context=ssl_context,
            )
        except BaseException:
            if owns_session:
                await session.close()
            raise

    def _endpoint_for(
        self, runtime: _Runtime, op: Operation, params: Mapping[str, Any]
    ) -> _Endpoint:
        """The endpoint of an operation that binds endpoint rule parameters."""
        bound = {
            name: value if source == "value" else params.get(value)
            for name, source, value in op.endpoint_params
        }
        key = tuple(sorted(bound.items(), key=lambda item: item[0]))
        endpoint = runtime.endpoints.get(key)
        if endpoint is None:
            endpoint = runtime.adopt(_resolve_endpoint(runtime.service, runtime.settings, bound))
            if len(runtime.endpoints) >= 256:
                runtime.endpoints.pop(next(iter(runtime.endpoints)))
            runtime.endpoints[key] = endpoint
        return endpoint

    # -- hooks ---------------------------------------------------------------------------------

    def add_hook(self, stage: str, hook: Hook) -> None:
        """Run ``hook`` at ``stage`` (``"before_send"``, ``"after_receive"``, ``"on_retry"``).

        ``hook`` gets a :class:`~aioapigateway.runtime.hooks.HookContext`; it may be a plain
        function or an ``async def``. See :mod:`aioapigateway.runtime.hooks` for what each stage
        sees. Raises ``ValueError`` for an unknown stage, ``TypeError`` if not callable.
        """
        self._hooks.add(stage, hook)

    def remove_hook(self, stage: str, hook: Hook) -> None:
        """Stop running ``hook`` at ``stage``; ``ValueError`` if it is not registered."""
        self._hooks.remove(stage, hook)

    # -- the call ------------------------------------------------------------------------------

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Run one operation: validate and serialize, then sign, send and parse, with retries."""
        runtime = self._runtime or await self._start()
        if runtime.loop.is_closed():
            # Used again after the asyncio.run() it started in. (A closed client has no
            # runtime. Another live loop, or a closed caller's session, makes aiohttp raise
            # a RuntimeError that _send tells apart: comparing with get_running_loop() here
            # would cost a system call per call, is_closed() an attribute read.)
            raise _misuse_error(runtime)
        op = runtime.service.operations[operation]
        request = runtime.serializer.serialize(op, params)
        endpoint = runtime.endpoint
        if op.endpoint_params or endpoint is None:
            endpoint = self._endpoint_for(runtime, op, params)
        if op.request_compression and not runtime.settings.disable_request_compression:
            compress_request(
                request,
                op.request_compression,
                runtime.settings.request_min_compression_size_bytes,
            )
        path = endpoint.base_path + request.path
        url = endpoint.origin + path
        host = endpoint.host
        if request.host_prefix:
            host = request.host_prefix + host
            url = f"{endpoint.scheme}://{host}{path}"
        if request.query:
            url += "?" + "&".join(
                f"{_safe_quote(key)}={_safe_quote(value)}" for key, value in request.query
            )
        target = URL(url, encoded=True)

        retry = runtime.retry
        max_attempts = retry.max_attempts
        attempt_timeout = runtime.attempt_timeout
        operation_timeout = runtime.operation_timeout
        options = current_call_options()
        if options is not None:
            if options.max_attempts is not UNSET:
                max_attempts = options.max_attempts
            if options.attempt_timeout is not UNSET:
                attempt_timeout = options.attempt_timeout
            if options.operation_timeout is not UNSET:
                operation_timeout = options.operation_timeout
        hooks = self._hooks if self._hooks.active else None
        debug = logger.isEnabledFor(logging.DEBUG)
        started = attempt_started = time.monotonic()
        deadline = None if operation_timeout is None else started + operation_timeout
        attempt = status = last_cost = 0
        headers: Any = None
        context: HookContext | None = None
        try:
            while True:
                attempt += 1
                if hooks is not None:
                    context = HookContext(
                        operation=operation,
                        attempt=attempt,
                        max_attempts=max_attempts,
                        method=request.method,
                        url=url,
                        headers={},
                        body=request.body,
                        total_time=attempt_started - started,
                    )
                timeout = attempt_timeout
                by_deadline = False
                if deadline is not None:
                    remaining = max(deadline - attempt_started, 0.001)
                    if timeout is None or remaining < timeout:
                        timeout, by_deadline = remaining, True
                truncated = False
                try:
                    if timeout is None:
                        status, headers, body = await self._send(
                            runtime, endpoint, op.unsigned, request, target, host, path, context
                        )
                    else:
                        status, headers, body = await self._attempt_within(
                            timeout,
                            by_deadline,
                            runtime,
                            endpoint,
                            op.unsigned,
                            request,
                            target,
                            host,
                            path,
                            context,
                        )
                except _Truncated as cut:
                    status, headers, body, truncated = cut.status, cut.headers, cut.body, True
                    error: AioApiGatewayError = _truncated_error(runtime, op.name, cut)
                except TransportError as exc:
                    status, headers, body, error = 0, None, b"", exc
                else:
                    if 200 <= status < 300:
                        if context is not None:
                            await self._after_receive(
                                context, started, attempt_started, status, headers, body, None
                            )
                        if retry.limiter is not None:
                            retry.limiter.update(False)
                        retry.on_success(last_cost)
                        if debug:
                            log_attempt(
                                operation,
                                request.method,
                                url,
                                str(status),
                                attempt,
                                max_attempts,
                                attempt_started,
                                _request_id(headers),
                            )
                        return _parse(runtime, op, status, headers, body)
                    error = _parse_error(runtime, status, headers, body)

                # The attempt failed: retry it, or raise.
                kind = TRANSIENT if truncated else retry.classify(error, runtime.modeled(op))
                if context is not None:
                    await self._after_receive(
                        context, started, attempt_started, status, headers, body, error
                    )
                if retry.limiter is not None:
                    retry.limiter.update(kind == THROTTLING)
                if debug:
                    log_attempt(
                        operation,
                        request.method,
                        url,
                        _outcome(status, error),
                        attempt,
                        max_attempts,
                        attempt_started,
                        _request_id(headers),
                    )
                skewed = (
                    isinstance(error, ServiceError)
                    and error.code in CLOCK_SKEW_CODES
                    and _correct_clock(runtime, operation, error.headers)
                )
                if attempt >= max_attempts:
                    raise error
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    raise error
                if skewed:
                    # Re-sign with the corrected clock right away; no backoff, no quota.
                    attempt_started = now
                    continue
                if kind == NOT_RETRYABLE:
                    raise error
                cost = retry.acquire(kind)
                if cost is None:
                    if debug:
                        logger.debug("%s: retry quota exhausted; not retrying", operation)
                    raise error
                last_cost = cost
                delay = retry.delay(attempt, kind, status, headers)
                if deadline is not None and now + delay >= deadline:
                    if debug:
                        logger.debug(
                            "%s: a retry in %.3f s would pass the operation deadline",
                            operation,
                            delay,
                        )
                    raise error
                if context is not None and self._hooks.on_retry:
                    context.delay = delay
                    context.total_time = time.monotonic() - started
                    await run_hooks(self._hooks.on_retry, context)
                if debug:
                    logger.debug(
                        "%s: attempt %d/%d failed; retrying in %.3f s",
                        operation,
                        attempt,
                        max_attempts,
                        delay,
                    )
                await asyncio.sleep(delay)
                attempt_started = time.monotonic()
        except AioApiGatewayError as exc:
            if getattr(exc, "metadata", None) is None:
                object.__setattr__(
                    exc,
                    "metadata",
                    CallMetadata(
                        operation=operation,
                        attempts=attempt,
                        total_time=time.monotonic() - started,
                        status_code=status or None,
                        request_id=_request_id(headers),
                    ),
                )
            raise

    async def _after_receive(
        self,
        context: HookContext,
        started: float,
        attempt_started: float,
        status: int,
        headers: Any,
        body: bytes,
        error: AioApiGatewayError | None,
    ) -> None:
        if status:
            context.status = status
            context.response_headers = headers
            context.response_body = body
            context.request_id = _request_id(headers)
        context.error = error
        now = time.monotonic()
        context.total_time = now - started
        context.attempt_time = now - attempt_started
        if self._hooks.after_receive:
            await run_hooks(self._hooks.after_receive, context)

    async def _attempt_within(
        self,
        timeout: float,
        by_deadline: bool,
        runtime: _Runtime,
        endpoint: _Endpoint,
        unsigned: bool,
        request: PreparedRequest,
        target: URL,
        host: str,
        path: str,
        context: HookContext | None,
    ) -> tuple[int, Any, bytes]:
        """:meth:`_send`, cut off after ``timeout`` seconds (``RequestTimeoutError``);
        ``by_deadline``: the limit is what is left of the operation deadline."""
        scope = asyncio.timeout(timeout)
        try:
            async with scope:
                return await self._send(
                    runtime, endpoint, unsigned, request, target, host, path, context
                )
        except TimeoutError as exc:
            if not scope.expired():
                raise  # a hook's own TimeoutError
            if by_deadline:
                reason = "the operation_timeout expired"
            else:
                reason = f"no complete response within {timeout:.3g} s (attempt_timeout)"
            raise RequestTimeoutError(
                f"{request.method} {display_url(str(target))}: {reason}"
            ) from exc

    async def _send(
        self,
        runtime: _Runtime,
        endpoint: _Endpoint,
        unsigned: bool,
        request: PreparedRequest,
        target: URL,
        host: str,
        path: str,
        context: HookContext | None,
    ) -> tuple[int, Any, bytes]:
        """One signed attempt; transport failures come back as our own exceptions."""
        limiter = runtime.retry.limiter
        if limiter is not None:
            await limiter.acquire()
        headers = {**endpoint.base_headers, **request.headers}
        if context is not None:
            context.headers = headers
            if self._hooks.before_send:
                await run_hooks(self._hooks.before_send, context)
        if not unsigned:
            credentials = runtime.static_credentials or await runtime.credentials.resolve()
            offset = runtime.clock_offset
            endpoint.signer.sign(
                method=request.method,
                url_host=host,
                scheme=endpoint.scheme,
                path=path,
                query=request.query,
                headers=headers,
                body=request.body,
                credentials=credentials,
                now=_skewed_now(offset) if offset else None,
            )
        log_bodies = runtime.log_bodies and wire_logger.isEnabledFor(logging.DEBUG)
        if log_bodies:
            log_request(request.method, str(target), headers, request.body)
        try:
            async with runtime.session.request(
                request.method,
                target,
                headers=headers,
                data=request.body or None,
                # aiohttp would label a raw body application/octet-stream; send what the
                # model says (botocore sends no Content-Type for blob payloads either).
                # (aiohttp labels an empty POST/PUT/PATCH too; a GET is never labelled.)
                skip_auto_headers=None if request.method == "GET" else _NO_AUTO_CONTENT_TYPE,
                timeout=runtime.timeout,
                ssl=runtime.ssl,
                proxy=endpoint.proxy,
                allow_redirects=False,
                # A caller's session may raise on 4xx/5xx; statuses are the parser's to judge.
                raise_for_status=False,
            ) as response:
                status = response.status
                response_headers = response.headers
                content = response.content
                chunks: list[bytes] = []
                try:
                    while chunk := await content.readany():
                        chunks.append(chunk)
                except aiohttp.ClientPayloadError as exc:
                    raise _Truncated(status, response_headers, b"".join(chunks)) from exc
                body = b"".join(chunks)
        except TimeoutError as exc:
            raise RequestTimeoutError(
                f"{request.method} {display_url(str(target))}: {_timeout_reason(exc, runtime)}"
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            # Network failures (aiohttp wraps most OSErrors; a few arrive bare).
            raise TransportError(transport_error_message(request.method, str(target), exc)) from exc
        except (RuntimeError, ValueError) as exc:
            # Not the network: a closed session, another loop, a request aiohttp refuses.
            raise _misuse_error(runtime, request.method, str(target), exc) from exc
        if log_bodies:
            log_response(status, response_headers, body)
        return status, response_headers, body

    # -- pagination ------------------------------------------------------------------------------

    def _paginate(self, operation: str, params: dict[str, Any]) -> PageIterator[Any, Any]:
        return PageIterator(self, operation, params)

    async def _paginator(self, operation: str) -> Paginator:
        service = _codecs(self._SPEC_MODULE)[0]
        return service.paginators[operation]


def _resolve_endpoint(service: Service, settings: Settings, bound: Mapping[str, Any]) -> _Endpoint:
    """The endpoint from the service's rules for the client's settings and ``bound`` params."""
    signing_name, signing_region = service.signing_name, settings.region
    if settings.endpoint_url is None and service.endpoint_url_required is not None:
        raise ConfigError(service.endpoint_url_required)
    if service.endpoint_rules is None:
        url = settings.endpoint_url or (
            f"https://{service.endpoint_prefix}.{settings.region}.amazonaws.com"
        )
        return _Endpoint(url, {}, signing_name, signing_region)
    from aioapigateway.runtime.endpoints.rules import EndpointResolver

    rules = importlib.import_module(service.endpoint_rules).RULES
    resolver = _RESOLVERS.get(service.endpoint_rules)
    if resolver is None:
        resolver = _RESOLVERS[service.endpoint_rules] = EndpointResolver(rules)
    endpoint = resolver.resolve(
        {
            "Region": settings.region,
            "UseFIPS": settings.use_fips_endpoint,
            "UseDualStack": settings.use_dualstack_endpoint,
            "Endpoint": settings.endpoint_url,
            **bound,
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
    return _Endpoint(endpoint.url, headers, signing_name, signing_region)


_running_loop = asyncio.get_running_loop


def _misuse_error(
    runtime: _Runtime,
    method: str = "",
    url: str = "",
    exc: BaseException | None = None,
) -> AioApiGatewayError:
    """The error for a call the client cannot make (never retried): another loop, a closed
    session, or (``exc``) a request aiohttp refused before sending it."""
    if runtime.loop is not _running_loop() or runtime.loop.is_closed():
        return ClientLoopError(
            "this client was started in another event loop; create the client inside the "
            "loop that uses it (e.g. inside the coroutine given to asyncio.run)"
        )
    if runtime.session.closed:
        if runtime.owns_session:
            return ClientClosedError("the client is closed")
        return ClientClosedError("the aiohttp session given as session= is closed")
    return ConfigError(
        f"{method} {display_url(url)}: cannot make the request ({type(exc).__name__}: {exc})"
    )


async def _close_session(runtime: _Runtime) -> None:
    """Close the client's own session (never the caller's)."""
    if runtime.owns_session:
        await runtime.session.close()


def _load_ca_bundle(path: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the CA bundle {path!r}: {exc}") from exc


class _Truncated(Exception):
    """A response whose body ended early (connection lost, length mismatch)."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.headers = headers
        self.body = body


def _truncated_error(runtime: _Runtime, operation: str, cut: _Truncated) -> AioApiGatewayError:
    """The error for a truncated response: the service's error, or a ResponseParseError."""
    if cut.status >= 300:
        error: AioApiGatewayError = _parse_error(runtime, cut.status, cut.headers, cut.body)
    else:
        error = ResponseParseError(
            f"{operation}: the response body was cut off after {len(cut.body)} bytes "
            f"(HTTP {cut.status})",
            status_code=cut.status,
            body=cut.body,
        )
    error.__cause__ = cut.__cause__
    return error


def _parse(runtime: _Runtime, op: Operation, status: int, headers: Any, body: bytes) -> Any:
    try:
        return runtime.parser.parse(op, status, headers, body)
    except AioApiGatewayError:
        raise
    except Exception as exc:  # the parser's own errors are ResponseParseError already
        raise ResponseParseError(
            f"{op.name}: cannot parse the response ({type(exc).__name__})",
            status_code=status,
            body=body,
        ) from exc


def _parse_error(runtime: _Runtime, status: int, headers: Any, body: bytes) -> ServiceError:
    try:
        return runtime.parser.parse_error(status, headers, body)
    except Exception:  # e.g. RecursionError from json on absurdly nested bodies
        return ServiceError(
            "",
            code=str(status),
            status_code=status,
            request_id=_request_id(headers),
            headers=headers,
            body=body,
        )


def _request_id(headers: Any) -> str | None:
    if headers is None:
        return None
    request_id: str | None = headers.get("x-amzn-RequestId") or headers.get("x-amz-request-id")
    return request_id


def _outcome(status: int, error: AioApiGatewayError) -> str:
    if isinstance(error, ServiceError):
        return f"{status} {error.code}"
    if status:
        return f"{status} ({type(error).__name__})"
    return f"{type(error).__name__}: {error}"


def _timeout_reason(exc: BaseException, runtime: _Runtime) -> str:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return f"could not connect within {runtime.settings.connect_timeout:g} s"
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return f"no data received for {runtime.settings.read_timeout:g} s (read_timeout)"
    return "timed out"


def _skewed_now(offset: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(time.time() + offset, datetime.UTC)


def _correct_clock(runtime: _Runtime, operation: str, headers: Mapping[str, str]) -> bool:
    """Learn the server's clock from a clock-skew error's ``Date``; ``True`` if it moved."""
    offset = clock_offset_from(headers.get("Date"))
    if offset is None or abs(offset - runtime.clock_offset) < CLOCK_SKEW_THRESHOLD:
        return False
    logger.debug(
        "%s: the local clock is %.0f s off the service's; signing with the corrected time",
        operation,
        -offset,
    )
    runtime.clock_offset = offset
    return True
