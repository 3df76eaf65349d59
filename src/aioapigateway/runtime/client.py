"""The client base class: lifecycle, and the one ``_call`` every generated method uses.

Construction only stores its arguments. The first call resolves settings (region, endpoint,
retries) and credentials, opens the aiohttp session inside the running loop and compiles
what it needs; every later call goes straight to serialize -> sign -> send -> parse.

The fast path (no hooks, DEBUG logging off, no timeouts beyond connect/read, the first
attempt succeeds) does no more per call than that: one context-variable read for
``call_options``, one check that the client's event loop is still open, one that no pacer
is set, no closures, no copies of the configuration. Failures take the slow path: the retry
decision (:mod:`aioapigateway.runtime.attempts`: classification, clock-skew correction, the
retry quota, backoff), hooks and logging.

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
import os
import platform
import ssl
import time
import warnings
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from aioapigateway.runtime.attempts import (
    CLOCK_SKEW,
    QUOTA_EXHAUSTED,
    RETRY_PASSES_DEADLINE,
    RetryDecision,
    decide,
    succeeded,
)
from aioapigateway.runtime.call_options import UNSET, CallOptions, current_call_options
from aioapigateway.runtime.compression import compress_request
from aioapigateway.runtime.config.profiles import ProfileLoader
from aioapigateway.runtime.config.proxies import proxy_for
from aioapigateway.runtime.config.settings import ClientConfig, Settings, resolve_settings
from aioapigateway.runtime.credentials.base import CredentialProvider, Credentials, StaticProvider
from aioapigateway.runtime.credentials.chain import as_provider
from aioapigateway.runtime.endpoints.table import resolve_endpoint
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
    UnsupportedOperationError,
    display_url,
    request_id_of,
    transport_error_message,
)
from aioapigateway.runtime.hooks import Hook, HookContext, HookRegistry, run_hooks
from aioapigateway.runtime.paginate import PageIterator
from aioapigateway.runtime.parse import ResponseParser
from aioapigateway.runtime.retry import RetryPolicy
from aioapigateway.runtime.serialize import PreparedRequest, RequestSerializer, query_string
from aioapigateway.runtime.signing import SigV4Signer
from aioapigateway.runtime.version import __version__
from aioapigateway.runtime.wire import log_attempt, log_request, log_response, logger, wire_logger

if TYPE_CHECKING:
    from aioapigateway.runtime.shapes import Operation, Paginator, Service

__all__ = ["BaseClient"]

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
        self,
        url: str,
        headers: Mapping[str, str],
        signing_name: str,
        signing_region: str,
        environ: Mapping[str, str] | None = None,
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
        self.proxy = proxy_for(url, environ)


class _Limits:
    """How many attempts a call makes and how long they may take."""

    __slots__ = ("attempt_timeout", "max_attempts", "operation_timeout")

    def __init__(
        self, max_attempts: int, attempt_timeout: float | None, operation_timeout: float | None
    ) -> None:
        self.max_attempts = max_attempts
        self.attempt_timeout = attempt_timeout
        self.operation_timeout = operation_timeout


class _Runtime:
    """Everything a started client needs on the hot path, resolved once."""

    __slots__ = (
        "_modeled",
        "clock_offset",
        "credentials",
        "default_headers",
        "endpoint",
        "endpoints",
        "limits",
        "log_bodies",
        "loop",
        "owns_session",
        "pacer",
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
        #: The client's attempts and time limits (a call_options block overrides them).
        self.limits = _Limits(
            settings.max_attempts, settings.attempt_timeout, settings.operation_timeout
        )
        #: What paces calls before they are sent (see _pace); None: no pacing.
        self.pacer: Any = None
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
        # One read of the environment for the settings, the config files' paths and the
        # proxies: each read of os.environ decodes, and start-up makes dozens.
        environ = dict(os.environ)
        loader = ProfileLoader(environ)
        settings = await resolve_settings(
            service_env_name=service.env_name,
            service_config_key=service.config_key,
            region=self._region,
            endpoint_url=self._endpoint_url,
            profile=self._profile,
            config=self._config,
            loader=loader,
            environ=environ,
        )
        endpoint: _Endpoint | None
        try:
            endpoint = _resolve_endpoint(service, settings, {}, environ)
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
            runtime = _Runtime(
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
            runtime.pacer = self._pacing_plan(settings)
            return runtime
        except BaseException:
            if owns_session:
                await session.close()
            raise

    def _pacing_plan(self, settings: Settings) -> Any:
        """The client's ``PacingPlan`` (``ClientConfig(pacing=...)``), or ``None``."""
        mode = self._config.pacing if self._config is not None else "auto"
        # Any endpoint_url (argument, environment, config file) is not AWS's own.
        custom_endpoint = settings.endpoint_url is not None
        if mode == "off" or (mode == "auto" and custom_endpoint):
            # pacing_plan's answer too (None); a client that never paces spares its first
            # call importing the pacing module.
            return None
        from aioapigateway.runtime.pacing import pacing_plan

        return pacing_plan(
            mode,
            region=settings.region,
            custom_endpoint=custom_endpoint,
            table=getattr(importlib.import_module(self._SPEC_MODULE), "PACING", None),
        )

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
    #
    # Stages, each one concern (httpx's send -> _send_handling_auth -> ... layering):
    #   _call            limits (call_options), the pacing seam, the attempt loop, metadata
    #   _prepare         serialize + validate, endpoint, compression, URL: once per call
    #   _attempt_within  an attempt under the attempt/operation time limit
    #   _send            one attempt: headers, before_send hooks, sign, transport
    #   _parse           2xx -> model instance; else _parse_error -> ServiceError
    #   attempts.decide  after a failed attempt: retry (after what delay) or raise
    # Hooks (_hook_context, _after_receive, _on_retry, _before_send), DEBUG logging
    # (_log_attempt, _log_decision) and metadata (_attach_metadata) are helpers of their own.
    # The fast path (no hooks, DEBUG off, no call_options, no pacer, first attempt succeeds)
    # awaits _send only and allocates one _Prepared (and no list for a body that arrives in
    # one piece, which pays for it).

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Run one operation: prepare the request once, then attempts (send, then parse, or
        retry as :func:`~aioapigateway.runtime.attempts.decide` answers) until one succeeds."""
        runtime = self._runtime or await self._start()
        if runtime.loop.is_closed():
            # Used again after the asyncio.run() it started in. (A closed client has no
            # runtime. Another live loop, or a closed caller's session, makes aiohttp raise
            # a RuntimeError that _send tells apart: comparing with get_running_loop() here
            # would cost a system call per call, is_closed() an attribute read.)
            raise _misuse_error(runtime)
        prepared = _prepare(runtime, operation, params)
        options = current_call_options()
        limits = runtime.limits if options is None else _limits(runtime.limits, options)
        max_attempts = limits.max_attempts
        hooks = self._hooks if self._hooks.active else None
        debug = logger.isEnabledFor(logging.DEBUG)
        started = attempt_started = time.monotonic()
        deadline = None if limits.operation_timeout is None else started + limits.operation_timeout
        untimed = deadline is None and limits.attempt_timeout is None
        retry = runtime.retry
        attempt = status = last_cost = 0
        paced_for = 0.0
        headers: Any = None
        context: HookContext | None = None
        try:
            # ---- PACING SEAM -------------------------------------------------------------
            # The one place a pre-send wait plugs in: once per call, before the first attempt,
            # inside the metadata scope. runtime.pacer is None unless pacing is configured,
            # so the fast path pays one attribute check. See _pace.
            if runtime.pacer is not None:
                paced_for = await _pace(runtime, prepared, deadline)
            while True:
                attempt += 1
                if hooks is not None:
                    context = _hook_context(
                        prepared, attempt, max_attempts, started, attempt_started
                    )
                truncated = False
                try:
                    if untimed:
                        status, headers, body = await self._send(runtime, prepared, context)
                    else:
                        status, headers, body = await self._attempt_within(
                            limits.attempt_timeout,
                            deadline,
                            attempt_started,
                            runtime,
                            prepared,
                            context,
                        )
                except _Truncated as cut:
                    status, headers, body, truncated = cut.status, cut.headers, cut.body, True
                    error: AioApiGatewayError = _truncated_error(runtime, prepared.op.name, cut)
                except TransportError as exc:
                    status, headers, body, error = 0, None, b"", exc
                else:
                    if 200 <= status < 300:
                        if context is not None:
                            try:
                                await self._after_receive(
                                    context, started, attempt_started, status, headers, body, None
                                )
                            except BaseException:
                                _discard_stream(body)
                                raise
                        succeeded(retry, last_cost)
                        if debug:
                            _log_attempt(
                                prepared,
                                str(status),
                                attempt,
                                max_attempts,
                                attempt_started,
                                headers,
                            )
                        return _parse(runtime, prepared.op, status, headers, body)
                    error = _parse_error(runtime, status, headers, body)

                # The attempt failed: the decision says whether, and when, to try again.
                if context is not None:
                    await self._after_receive(
                        context, started, attempt_started, status, headers, body, error
                    )
                if debug:
                    _log_attempt(
                        prepared,
                        _outcome(status, error),
                        attempt,
                        max_attempts,
                        attempt_started,
                        headers,
                    )
                now = time.monotonic()
                decision = decide(
                    retry,
                    error,
                    attempt=attempt,
                    max_attempts=max_attempts,
                    now=now,
                    deadline=deadline,
                    clock_offset=runtime.clock_offset,
                    status=status,
                    headers=headers,
                    modeled=runtime.modeled(prepared.op),
                    truncated=truncated,
                )
                if decision.clock_offset is not None:
                    runtime.clock_offset = decision.clock_offset
                if debug:
                    _log_decision(operation, decision, attempt, max_attempts)
                if not decision.retry:
                    raise error
                if decision.reason == CLOCK_SKEW:
                    attempt_started = now  # re-signed with the corrected clock, at once
                    continue
                last_cost = decision.cost
                if context is not None and self._hooks.on_retry:
                    await self._on_retry(context, decision.delay, started)
                await asyncio.sleep(decision.delay)
                attempt_started = time.monotonic()
        except AioApiGatewayError as exc:
            _attach_metadata(exc, operation, attempt, started, status, headers, paced_for)
            raise

    # -- hooks of an attempt -------------------------------------------------------------------

    async def _before_send(self, context: HookContext, headers: dict[str, str]) -> None:
        context.headers = headers
        if self._hooks.before_send:
            await run_hooks(self._hooks.before_send, context)

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
            # An event stream's body is read by its iterator, after the call: none here.
            context.response_body = body if body.__class__ is bytes else b""
            context.request_id = request_id_of(headers)
        context.error = error
        now = time.monotonic()
        context.total_time = now - started
        context.attempt_time = now - attempt_started
        if self._hooks.after_receive:
            await run_hooks(self._hooks.after_receive, context)

    async def _on_retry(self, context: HookContext, delay: float, started: float) -> None:
        context.delay = delay
        context.total_time = time.monotonic() - started
        await run_hooks(self._hooks.on_retry, context)

    # -- one attempt ---------------------------------------------------------------------------

    async def _attempt_within(
        self,
        attempt_timeout: float | None,
        deadline: float | None,
        attempt_started: float,
        runtime: _Runtime,
        prepared: _Prepared,
        context: HookContext | None,
    ) -> tuple[int, Any, bytes]:
        """:meth:`_send`, cut off (``RequestTimeoutError``) after ``attempt_timeout`` seconds
        or at the operation ``deadline``, whichever comes first."""
        timeout = attempt_timeout
        by_deadline = False
        if deadline is not None:
            remaining = max(deadline - attempt_started, 0.001)
            if timeout is None or remaining < timeout:
                timeout, by_deadline = remaining, True
        scope = asyncio.timeout(timeout)
        try:
            async with scope:
                return await self._send(runtime, prepared, context)
        except TimeoutError as exc:
            if not scope.expired():
                raise  # a hook's own TimeoutError
            if by_deadline:
                reason = "the operation_timeout expired"
            else:
                reason = f"no complete response within {timeout:.3g} s (attempt_timeout)"
            raise RequestTimeoutError(
                f"{prepared.request.method} {display_url(str(prepared.target))}: {reason}"
            ) from exc

    async def _send(
        self, runtime: _Runtime, prepared: _Prepared, context: HookContext | None
    ) -> tuple[int, Any, bytes]:
        """One attempt: sign (after the before_send hooks) and send; read the whole body.
        Transport failures come back as our own exceptions."""
        limiter = runtime.retry.limiter
        if limiter is not None:
            await limiter.acquire()
        request = prepared.request
        endpoint = prepared.endpoint
        headers = {**endpoint.base_headers, **request.headers}
        if context is not None:
            await self._before_send(context, headers)
        if not prepared.op.unsigned:
            # Sign (SigV4 headers into ``headers``), on the service's clock once it is known
            # to differ. Inline: the fast path pays no extra frame for it.
            credentials = runtime.static_credentials or await runtime.credentials.resolve()
            offset = runtime.clock_offset
            endpoint.signer.sign(
                method=request.method,
                url_host=prepared.host,
                scheme=endpoint.scheme,
                path=prepared.path,
                query=request.query,
                headers=headers,
                body=request.body,
                credentials=credentials,
                now=_skewed_now(offset) if offset else None,
            )
        log_bodies = runtime.log_bodies and wire_logger.isEnabledFor(logging.DEBUG)
        if log_bodies:
            log_request(request.method, str(prepared.target), headers, request.body)
        try:
            response = await runtime.session.request(
                request.method,
                prepared.target,
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
            )
            if prepared.op.event_stream is not None and 200 <= response.status < 300:
                # An event stream: the body is read by the output's EventStream, which
                # owns the response (and its connection) from here on.
                return response.status, response.headers, response  # type: ignore[return-value]
            async with response:
                status = response.status
                response_headers = response.headers
                content = response.content
                # Most bodies arrive in one chunk: a list only from the second one on.
                body = b""
                chunks: list[bytes] | None = None
                try:
                    while chunk := await content.readany():
                        if not body:
                            body = chunk
                        elif chunks is None:
                            chunks = [body, chunk]
                        else:
                            chunks.append(chunk)
                except aiohttp.ClientPayloadError as exc:
                    read = b"".join(chunks) if chunks else body
                    raise _Truncated(status, response_headers, read) from exc
                if chunks is not None:
                    body = b"".join(chunks)
        except TimeoutError as exc:
            raise RequestTimeoutError(
                f"{request.method} {display_url(str(prepared.target))}: {_timeout_reason(exc, runtime)}"
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            # Network failures (aiohttp wraps most OSErrors; a few arrive bare).
            raise TransportError(
                transport_error_message(request.method, str(prepared.target), exc)
            ) from exc
        except (RuntimeError, ValueError) as exc:
            # Not the network: a closed session, another loop, a request aiohttp refuses.
            raise _misuse_error(runtime, request.method, str(prepared.target), exc) from exc
        if log_bodies:
            log_response(status, response_headers, body)
        return status, response_headers, body

    # -- pagination ------------------------------------------------------------------------------

    def _paginate(self, operation: str, params: dict[str, Any]) -> PageIterator[Any, Any]:
        return PageIterator(self, operation, params)

    async def _paginator(self, operation: str) -> Paginator:
        service = _codecs(self._SPEC_MODULE)[0]
        return service.paginators[operation]


def _resolve_endpoint(
    service: Service,
    settings: Settings,
    bound: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
) -> _Endpoint:
    """The endpoint from the service's rules for the client's settings and ``bound`` params;
    its proxy from ``environ`` (default: :data:`os.environ`)."""
    signing_name, signing_region = service.signing_name, settings.region
    if settings.endpoint_url is None and service.endpoint_url_required is not None:
        raise ConfigError(service.endpoint_url_required)
    if service.endpoint_rules is None:
        url = settings.endpoint_url or (
            f"https://{service.endpoint_prefix}.{settings.region}.amazonaws.com"
        )
        return _Endpoint(url, {}, signing_name, signing_region, environ)
    # The generated table when it has the answer (no evaluator on a first call), else the
    # rule set's evaluator (runtime.endpoints.table).
    url, endpoint_headers, properties = resolve_endpoint(
        service.endpoint_rules,
        {
            "Region": settings.region,
            "UseFIPS": settings.use_fips_endpoint,
            "UseDualStack": settings.use_dualstack_endpoint,
            "Endpoint": settings.endpoint_url,
            **bound,
        },
    )
    headers = {name: ",".join(values) for name, values in endpoint_headers.items()}
    for scheme in properties.get("authSchemes", ()):
        if str(scheme.get("name", "")).startswith("sigv4"):
            signing_name = scheme.get("signingName", signing_name)
            region_set = scheme.get("signingRegionSet")
            signing_region = scheme.get("signingRegion") or (
                region_set[0] if region_set else signing_region
            )
            break
    return _Endpoint(url, headers, signing_name, signing_region, environ)


# -- stage: prepare (once per call) -------------------------------------------------------------


class _Prepared:
    """One call's request, ready to sign and send: built once by :func:`_prepare`, the same
    for every attempt."""

    __slots__ = ("endpoint", "host", "op", "path", "request", "target", "url")

    op: Operation
    request: PreparedRequest
    endpoint: _Endpoint
    #: The host and path as signed; ``url`` with the query, as hooks and logs show it.
    host: str
    path: str
    url: str
    target: URL


def _prepare(runtime: _Runtime, operation: str, params: Mapping[str, Any]) -> _Prepared:
    """The prepare stage: validate and serialize ``params`` (``ParamValidationError`` before
    anything is sent), choose the endpoint, compress the body if the operation asks for it,
    build the URL."""
    # object.__new__ and plain stores: a class call with an __init__ costs more per call.
    prepared = _new_prepared(_Prepared)
    prepared.op = op = runtime.service.operations[operation]
    if op.event_stream is not None and op.event_stream == "input":
        raise UnsupportedOperationError(
            f"{operation}: operations whose input is an event stream (bidirectional "
            "streaming) are not supported by this library; nothing was sent"
        )
    prepared.request = request = runtime.serializer.serialize(op, params)
    endpoint = runtime.endpoint
    if op.endpoint_params or endpoint is None:
        endpoint = _endpoint_for(runtime, op, params)
    prepared.endpoint = endpoint
    if op.request_compression and not runtime.settings.disable_request_compression:
        compress_request(
            request,
            op.request_compression,
            runtime.settings.request_min_compression_size_bytes,
        )
    prepared.path = path = endpoint.base_path + request.path
    host = endpoint.host
    if request.host_prefix and not runtime.settings.disable_host_prefix_injection:
        host = request.host_prefix + host
        url = f"{endpoint.scheme}://{host}{path}"
    else:
        url = endpoint.origin + path
    if request.query:
        url += "?" + query_string(request.query)
    prepared.host = host
    prepared.url = url
    prepared.target = URL(url, encoded=True)
    return prepared


_new_prepared = object.__new__


def _endpoint_for(runtime: _Runtime, op: Operation, params: Mapping[str, Any]) -> _Endpoint:
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


def _limits(limits: _Limits, options: CallOptions) -> _Limits:
    """The limits of a call in a ``call_options`` block: ``limits`` (the client's) where
    ``options`` leaves a field unset."""
    return _Limits(
        limits.max_attempts if options.max_attempts is UNSET else options.max_attempts,
        limits.attempt_timeout if options.attempt_timeout is UNSET else options.attempt_timeout,
        (
            limits.operation_timeout
            if options.operation_timeout is UNSET
            else options.operation_timeout
        ),
    )


# -- stage: pacing (the seam) -------------------------------------------------------------------


async def _pace(runtime: _Runtime, prepared: _Prepared, deadline: float | None) -> float:
    """PACING SEAM: wait until ``runtime.pacer`` lets ``prepared`` be sent.

    ``_call`` awaits this once per call, before the first attempt, and only when
    ``runtime.pacer`` is not ``None`` (the default), inside the scope that attaches
    ``CallMetadata`` to errors. ``deadline`` is the call's ``time.monotonic()`` deadline
    (``None``: no operation timeout): a wait that cannot end before it should raise at once.
    Returns the seconds waited (``CallMetadata.paced_for``); the key of the buckets is the
    account of the access key the request will be signed with (see
    :mod:`aioapigateway.runtime.pacing`).
    """
    if prepared.op.unsigned:
        access_key_id = None
    else:
        credentials = runtime.static_credentials or await runtime.credentials.resolve()
        access_key_id = credentials.access_key_id
    waited: float = await runtime.pacer.wait(prepared.op.name, access_key_id, deadline)
    return waited


# -- hooks, logging and metadata ------------------------------------------------------------------


def _hook_context(
    prepared: _Prepared, attempt: int, max_attempts: int, started: float, attempt_started: float
) -> HookContext:
    """A fresh context for the hooks of one attempt (made only when hooks are registered)."""
    request = prepared.request
    return HookContext(
        operation=prepared.op.name,
        attempt=attempt,
        max_attempts=max_attempts,
        method=request.method,
        url=prepared.url,
        headers={},
        body=request.body,
        total_time=attempt_started - started,
    )


def _log_attempt(
    prepared: _Prepared,
    outcome: str,
    attempt: int,
    max_attempts: int,
    attempt_started: float,
    headers: Any,
) -> None:
    """The DEBUG line of one attempt (the caller checks the level first)."""
    log_attempt(
        prepared.op.name,
        prepared.request.method,
        prepared.url,
        outcome,
        attempt,
        max_attempts,
        attempt_started,
        request_id_of(headers),
    )


def _log_decision(operation: str, decision: RetryDecision, attempt: int, max_attempts: int) -> None:
    """The DEBUG lines of a retry decision (the caller checks the level first)."""
    if decision.clock_offset is not None:
        logger.debug(
            "%s: the local clock is %.0f s off the service's; signing with the corrected time",
            operation,
            -decision.clock_offset,
        )
    reason = decision.reason
    if reason == QUOTA_EXHAUSTED:
        logger.debug("%s: retry quota exhausted; not retrying", operation)
    elif reason == RETRY_PASSES_DEADLINE:
        logger.debug(
            "%s: a retry in %.3f s would pass the operation deadline", operation, decision.delay
        )
    elif decision.retry and reason != CLOCK_SKEW:
        logger.debug(
            "%s: attempt %d/%d failed; retrying in %.3f s",
            operation,
            attempt,
            max_attempts,
            decision.delay,
        )


def _attach_metadata(
    exc: AioApiGatewayError,
    operation: str,
    attempts: int,
    started: float,
    status: int,
    headers: Any,
    paced_for: float = 0.0,
) -> None:
    """Attach what the call did to the error it raises (unless an inner call did already)."""
    if getattr(exc, "metadata", None) is None:
        object.__setattr__(
            exc,
            "metadata",
            CallMetadata(
                operation=operation,
                attempts=attempts,
                total_time=time.monotonic() - started,
                status_code=status or None,
                request_id=request_id_of(headers),
                paced_for=paced_for,
            ),
        )


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
    if op.event_stream is not None:
        return _stream_output(runtime, op, status, headers, body)
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


def _stream_output(
    runtime: _Runtime, op: Operation, status: int, headers: Any, response: Any
) -> Any:
    """The output of an event-stream operation: its headers parsed now, its stream member an
    ``EventStream`` that owns ``response`` (the open aiohttp response) and reads it later."""
    try:
        # Imported here: only clients of event-stream operations pay for the decoder.
        from aioapigateway.runtime.event_stream_output import EventStream
        from aioapigateway.runtime.event_stream_output import describe as describe_request

        parser = runtime.parser
        shape = parser.stream_shape(op)
        stream: EventStream[Any] = EventStream(
            response,
            partial(parser.stream_event, shape, status, headers),
            description=describe_request(response.method, str(response.url)),
            read_timeout=runtime.settings.read_timeout,
        )
        return parser.parse_streaming(op, status, headers, stream)
    except BaseException as exc:
        response.close()
        if isinstance(exc, Exception) and not isinstance(exc, AioApiGatewayError):
            raise ResponseParseError(
                f"{op.name}: cannot parse the response ({type(exc).__name__})",
                status_code=status,
            ) from exc
        raise


def _discard_stream(body: Any) -> None:
    """Close an event stream's response that will not be handed to the caller."""
    if body.__class__ is not bytes:
        body.close()


def _parse_error(runtime: _Runtime, status: int, headers: Any, body: bytes) -> ServiceError:
    try:
        return runtime.parser.parse_error(status, headers, body)
    except Exception:  # e.g. RecursionError from json on absurdly nested bodies
        return ServiceError(
            "",
            code=str(status),
            status_code=status,
            request_id=request_id_of(headers),
            headers=headers,
            body=body,
        )


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
