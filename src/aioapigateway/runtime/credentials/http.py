"""HTTP plumbing shared by the credential providers that call a service.

STS, the SSO portal, SSO-OIDC, the container credentials endpoint and the EC2 instance
metadata service are all reached through :class:`CredentialHttp`. It either borrows a
session from a ``session_factory`` (the caller owns that session: it is never closed
here) or opens a short-lived :class:`aiohttp.ClientSession` for one fetch and closes it.

Responses are untrusted: bodies are read up to a size limit, redirects are not
followed (a redirect would carry a bearer token to another host), and every failure
becomes a :class:`CredentialHttpError` whose message holds no header or body.

Every provider retries with :func:`with_retries`: one loop, and a :class:`RetryPolicy`
per provider for how many attempts and how long to wait between them (STS and SSO:
botocore's standard jittered backoff; the container endpoint: a fixed second; IMDS: no
wait). What is worth another attempt is the provider's to say: its attempt raises
:class:`RetryableFailure` (or lets a :class:`CredentialHttpError` through).

Region names, header values and endpoint URLs are checked with the rules the client
uses (:mod:`aioapigateway.runtime.config.profiles`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Final, NamedTuple, TypeVar

import aiohttp
import attrs

from aioapigateway.runtime.config.profiles import HEADER_UNSAFE_RE, is_region_name
from aioapigateway.runtime.config.proxies import (
    proxy_for as proxy_for,  # the one NO_PROXY reading, shared with the client
)
from aioapigateway.runtime.errors import (
    ConfigError,
    CredentialsError,
    display_url,
    transport_error_message,
)

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_RETRY_BASE",
    "DEFAULT_TIMEOUT",
    "MAX_BODY_BYTES",
    "CredentialHttp",
    "CredentialHttpError",
    "NO_DELAY",
    "HttpResult",
    "RetriesExhausted",
    "RetryPolicy",
    "RetryableFailure",
    "SessionFactory",
    "check_region",
    "check_retry_options",
    "display_url",
    "dns_suffix",
    "fixed_delay",
    "jittered_backoff",
    "json_object",
    "request_timeout",
    "with_retries",
]

_T = TypeVar("_T")

#: Returns a session the credential providers borrow; they never close it.
SessionFactory = Callable[[], aiohttp.ClientSession]

#: The most a credential endpoint may send back; anything longer is an error.
MAX_BODY_BYTES: Final = 1 << 20

# For the AWS APIs called for credentials (STS, SSO): botocore's default client timeouts,
# and its standard retry mode: 3 attempts, backoff rand() * min(base * 2**n, 20 s).
DEFAULT_TIMEOUT: Final = aiohttp.ClientTimeout(sock_connect=60.0, sock_read=60.0)
DEFAULT_MAX_ATTEMPTS: Final = 3
DEFAULT_RETRY_BASE: Final = 1.0
_RETRY_CAP: Final = 20.0

_log = logging.getLogger("aioapigateway.credentials")


class HttpResult(NamedTuple):
    """A response: its status, headers (case-insensitive) and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class CredentialHttpError(Exception):
    """A request that got no (complete) response. The message names no secret.

    ``read_timeout`` tells a server that accepted the connection but did not answer in
    time apart from one that could not be reached at all (the EC2 metadata client
    treats the two differently, as botocore does).
    """

    def __init__(self, message: str, *, read_timeout: bool = False) -> None:
        super().__init__(message)
        self.read_timeout = read_timeout


def check_region(region: str, where: str) -> str:
    """Return ``region`` if it is a valid region name, else raise CredentialsError."""
    if not is_region_name(region):
        shown = repr(region) if isinstance(region, str) else type(region).__name__
        raise CredentialsError(f"{where} is not a valid region name: {shown}")
    return region


def dns_suffix(region: str) -> str:
    """The DNS suffix of ``region``'s partition (``amazonaws.com``, ``amazonaws.com.cn``...).

    A region listed by a partition wins, then the first partition whose pattern
    matches; an unknown region is taken to be a new commercial (``aws``) one.
    """
    from aioapigateway.runtime.endpoints.partitions import PARTITIONS

    partitions: list[dict[str, Any]] = PARTITIONS["partitions"]
    for partition in partitions:
        if region in partition.get("regions", {}):
            return str(partition["outputs"]["dnsSuffix"])
    for partition in partitions:
        if re.match(partition["regionRegex"], region):
            return str(partition["outputs"]["dnsSuffix"])
    return "amazonaws.com"


def check_retry_options(timeout: float | None, max_attempts: int, retry_base: float) -> None:
    """Raise ConfigError unless the options of an API-calling provider make sense."""
    if timeout is not None and not timeout > 0:
        raise ConfigError("timeout must be a positive number of seconds or None")
    if max_attempts < 1 or not retry_base >= 0:
        raise ConfigError("max_attempts must be >= 1 and retry_base >= 0")


def request_timeout(timeout: float | None) -> aiohttp.ClientTimeout:
    """botocore's connect and read timeouts, or ``timeout`` seconds for the whole request."""
    return DEFAULT_TIMEOUT if timeout is None else aiohttp.ClientTimeout(total=timeout)


# --- retrying ----------------------------------------------------------------------------


def jittered_backoff(retry_base: float) -> Callable[[int], float]:
    """botocore's standard mode: before retry ``n`` (1, 2, ...), a random wait of up to
    ``retry_base * 2**n`` seconds, capped at 20 s (full jitter)."""

    def delay(retry: int) -> float:
        return random.random() * min(retry_base * 2.0**retry, _RETRY_CAP)

    return delay


def fixed_delay(seconds: float) -> Callable[[int], float]:
    """The same wait before every retry."""
    return lambda retry: seconds


#: Retry at once (the EC2 metadata service: botocore does not wait either).
NO_DELAY: Final = fixed_delay(0.0)


@attrs.frozen
class RetryPolicy:
    """How a provider retries: ``max_attempts`` (the first one included) and ``delay``,
    the seconds to wait before retry number ``n`` (1, 2, ...)."""

    max_attempts: int
    delay: Callable[[int], float]


class RetryableFailure(Exception):
    """Raised by an attempt of :func:`with_retries` whose failure is worth another try.

    The message says what went wrong (an HTTP status, an error code); it must hold no
    secret, as it ends up in the final error.
    """


class RetriesExhausted(Exception):
    """Every attempt failed; ``failure`` describes the last failure (no secret)."""

    def __init__(self, attempts: int, failure: str) -> None:
        super().__init__(f"failed after {attempts} attempt(s): {failure}")
        self.attempts = attempts
        self.failure = failure


async def with_retries(attempt: Callable[[], Awaitable[_T]], policy: RetryPolicy, where: str) -> _T:
    """Await ``attempt()`` until it returns, at most ``policy.max_attempts`` times.

    A :class:`CredentialHttpError` (no response) or :class:`RetryableFailure` from the
    attempt means "try again" after ``policy.delay``; anything else it raises ends the
    loop at once. Raises :class:`RetriesExhausted` when no attempt is left. ``where``
    names the call in the DEBUG log line of each retry.
    """
    failure = ""
    for number in range(policy.max_attempts):
        if number:
            delay = policy.delay(number)
            _log.debug("%s: retrying in %.2fs after: %s", where, delay, failure)
            if delay > 0:
                await asyncio.sleep(delay)
        try:
            return await attempt()
        except (CredentialHttpError, RetryableFailure) as exc:
            failure = str(exc)
    raise RetriesExhausted(policy.max_attempts, failure)


def check_header_value(value: str, what: str) -> str:
    """``value`` unchanged, or a CredentialsError if it could break the header block."""
    if HEADER_UNSAFE_RE.search(value):
        raise CredentialsError(f"{what} contains a control character (e.g. a newline)")
    if not value.isascii() and not value.isprintable():
        # A lone surrogate (from a file or a variable decoded with surrogateescape) has no
        # UTF-8 form: sending it would fail inside aiohttp.
        raise CredentialsError(f"{what} contains an unprintable character")
    return value


def json_object(body: bytes, where: str) -> dict[str, Any]:
    """Parse an untrusted JSON object; the error message never quotes the body."""
    # The decode error is not chained, not even as __context__ (the raise is outside
    # the except block): json's error keeps the whole document, which may hold a secret.
    try:
        parsed = json.loads(body.decode("utf-8"))
        valid = True
    except (UnicodeDecodeError, ValueError, RecursionError):
        valid = False
    if not valid:
        raise CredentialsError(f"{where} is not valid JSON")
    if not isinstance(parsed, dict):
        raise CredentialsError(f"{where} is a JSON {type(parsed).__name__}, not an object")
    return parsed


class CredentialHttp:
    """Sends the requests of one credential provider.

    ``session_factory`` (optional) returns a session to borrow; without it each
    :meth:`session` block opens and closes its own. A borrowed session is used with
    absolute URLs, so it must not have a ``base_url``. CA bundles (for ``https`` URLs)
    are loaded once per path, in a worker thread.
    """

    def __init__(self, session_factory: SessionFactory | None = None) -> None:
        self._session_factory = session_factory
        self._ssl_contexts: dict[str, ssl.SSLContext] = {}

    def __repr__(self) -> str:
        kind = "borrowed" if self._session_factory is not None else "own"
        return f"<CredentialHttp {kind} sessions>"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[aiohttp.ClientSession]:
        """A session for one fetch: borrowed from the factory, or opened and closed here."""
        if self._session_factory is not None:
            session = self._session_factory()
            if not isinstance(session, aiohttp.ClientSession):
                raise CredentialsError(
                    f"session_factory returned {type(session).__name__}, not an "
                    "aiohttp.ClientSession"
                )
            yield session
            return
        async with aiohttp.ClientSession(auto_decompress=True) as session:
            yield session

    async def ssl_context(self, ca_bundle: str | None) -> ssl.SSLContext | bool:
        """``True`` (default verification) or a context trusting ``ca_bundle``."""
        if not ca_bundle:
            return True
        context = self._ssl_contexts.get(ca_bundle)
        if context is None:
            try:
                context = await asyncio.to_thread(ssl.create_default_context, cafile=ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise CredentialsError(
                    f"Cannot load the CA bundle {ca_bundle}: "
                    f"{getattr(exc, 'strerror', None) or type(exc).__name__}"
                ) from exc
            self._ssl_contexts[ca_bundle] = context
        return context

    async def request(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        *,
        timeout: aiohttp.ClientTimeout,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | bool = True,
    ) -> HttpResult:
        """Send one request and read the whole (bounded) response.

        Raises :class:`CredentialHttpError` when no complete response arrives; the
        message names the URL without credentials or query, never a header or body.
        """
        where = f"{method} {display_url(url)}"
        try:
            async with session.request(
                method,
                url,
                headers=dict(headers or {}),
                data=data,
                timeout=timeout,
                proxy=proxy,
                ssl=ssl_context if url.startswith("https:") else True,
                allow_redirects=False,
                # A borrowed session may default to raising on errors; statuses are
                # interpreted here.
                raise_for_status=False,
            ) as response:
                body = await _read_bounded(response)
                return HttpResult(response.status, response.headers, body)
        except aiohttp.ConnectionTimeoutError as exc:
            raise CredentialHttpError(f"{where}: timed out connecting") from exc
        except TimeoutError as exc:
            # aiohttp's SocketTimeoutError (sock_read) and the total timeout both land
            # here: the server was reached but did not answer in time.
            raise CredentialHttpError(f"{where}: timed out", read_timeout=True) from exc
        except (aiohttp.ClientError, RuntimeError, ValueError) as exc:
            # RuntimeError, ValueError: a closed borrowed session, or a URL aiohttp refuses.
            raise CredentialHttpError(transport_error_message(method, url, exc)) from exc


async def _read_bounded(response: aiohttp.ClientResponse) -> bytes:
    if response.content_length is not None and response.content_length > MAX_BODY_BYTES:
        raise CredentialHttpError(
            f"{response.method} {display_url(str(response.url))}: response body too large"
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await response.content.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise CredentialHttpError(
                f"{response.method} {display_url(str(response.url))}: response body too large"
            )
        chunks.append(chunk)
