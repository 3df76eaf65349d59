"""HTTP plumbing shared by the credential providers that call a service.

STS, the SSO portal, SSO-OIDC, the container credentials endpoint and the EC2 instance
metadata service are all reached through :class:`CredentialHttp`. It either borrows a
session from a ``session_factory`` (the caller owns that session: it is never closed
here) or opens a short-lived :class:`aiohttp.ClientSession` for one fetch and closes it.

Responses are untrusted: bodies are read up to a size limit, redirects are not
followed (a redirect would carry a bearer token to another host), and every failure
becomes a :class:`CredentialHttpError` whose message holds no header or body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Final, NamedTuple
from urllib.parse import urlsplit

import aiohttp

from ._errors import ConfigError, CredentialsError
from ._profiles import LoadedConfig

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_RETRY_BASE",
    "DEFAULT_TIMEOUT",
    "MAX_BODY_BYTES",
    "CredentialHttp",
    "CredentialHttpError",
    "HttpResult",
    "SessionFactory",
    "backoff",
    "check_region",
    "check_retry_options",
    "configured_endpoint_url",
    "display_url",
    "dns_suffix",
    "json_object",
    "request_timeout",
]

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

# botocore's validate_region_name: a DNS label, not all digits. A region goes into a
# host name, so anything else (a dot, a slash, an "@") must never reach a URL.
_REGION_RE = re.compile(r"^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$")
_HEADER_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f]")


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


def display_url(url: str) -> str:
    """``url`` for a message: without a ``user:password@`` part and without the query."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "<invalid URL>"
    netloc, slash, path = rest.partition("/")
    netloc = netloc.rpartition("@")[2]
    path = path.partition("?")[0].partition("#")[0]
    return f"{scheme}://{netloc}{slash}{path}"


def check_region(region: str, where: str) -> str:
    """Return ``region`` if it is a valid region name, else raise CredentialsError."""
    if not isinstance(region, str) or not _REGION_RE.match(region):
        shown = repr(region) if isinstance(region, str) else type(region).__name__
        raise CredentialsError(f"{where} is not a valid region name: {shown}")
    return region


def dns_suffix(region: str) -> str:
    """The DNS suffix of ``region``'s partition (``amazonaws.com``, ``amazonaws.com.cn``...).

    A region listed by a partition wins, then the first partition whose pattern
    matches; an unknown region is taken to be a new commercial (``aws``) one.
    """
    from ._partitions import PARTITIONS

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


async def backoff(attempt: int, retry_base: float, where: str, failure: str) -> None:
    """Sleep before retry number ``attempt`` (1, 2, ...): full jitter, capped at 20 s."""
    delay = random.random() * min(retry_base * 2**attempt, _RETRY_CAP)
    _log.debug("%s: retrying in %.2fs after: %s", where, delay, failure)
    await asyncio.sleep(delay)


def check_header_value(value: str, what: str) -> str:
    """``value`` unchanged, or a CredentialsError if it could break the header block."""
    if _HEADER_UNSAFE_RE.search(value):
        raise CredentialsError(f"{what} contains a control character (e.g. a newline)")
    return value


def configured_endpoint_url(
    environ: Mapping[str, str],
    loaded: LoadedConfig,
    profile: str,
    service_env_name: str,
    service_config_key: str,
) -> str | None:
    """The endpoint URL configured for a service, in botocore's order, or ``None``.

    ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, the profile's ``services``
    section (``<service> =\\n  endpoint_url = ...``), then the profile's
    ``endpoint_url``; nothing when ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` (else the
    profile's ``ignore_configured_endpoint_urls``) is ``true``.
    """
    section = loaded.profile(profile)

    def key(name: str) -> str | None:
        value = section.get(name)
        return value if isinstance(value, str) and value else None

    ignore = environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") or key(
        "ignore_configured_endpoint_urls"
    )
    if ignore is not None and ignore.strip().lower() == "true":
        return None
    url = environ.get(f"AWS_ENDPOINT_URL_{service_env_name}") or environ.get("AWS_ENDPOINT_URL")
    if url:
        return url
    services_name = key("services")
    if services_name is not None:
        service = loaded.services(services_name).get(service_config_key)
        if isinstance(service, Mapping):
            nested = service.get("endpoint_url")
            if isinstance(nested, str) and nested:
                return nested
    return key("endpoint_url")


def check_endpoint_url(url: str, where: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host, else a CredentialsError."""
    if not isinstance(url, str) or any(c.isspace() for c in url):
        raise CredentialsError(f"{where} is not a valid URL")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - evaluated for the ValueError a bad port raises
    except ValueError as exc:
        raise CredentialsError(f"{where} is not a valid URL: {display_url(url)}") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise CredentialsError(
            f"{where} must be an http:// or https:// URL with a host, got {display_url(url)}"
        )
    return url


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


def proxy_for(url: str, environ: Mapping[str, str]) -> str | None:
    """The proxy ``environ`` sets for ``url``: ``HTTPS_PROXY`` / ``HTTP_PROXY`` (lower
    case wins), unless ``NO_PROXY`` matches the host. The rules of
    :func:`urllib.request.getproxies_environment`, applied to ``environ`` rather than
    :data:`os.environ`."""
    proxies: dict[str, str] = {}
    # Upper case first so that lower case wins, as in urllib.
    for name in sorted(environ, key=str.islower):
        value = environ[name]
        if value and name.lower().endswith("_proxy"):
            proxies[name[:-6].lower()] = value
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme)
    if not proxy or _no_proxy(parts.hostname or "", parts.port, proxies.get("no", "")):
        return None
    return proxy


def _no_proxy(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` covers ``host``: ``*``, the host itself, or a parent domain
    (with or without a leading dot), optionally with a port."""
    host = host.lower()
    for entry in no_proxy.replace(" ", "").lower().split(","):
        if entry == "*":
            return True
        if entry.startswith("["):
            name, _, rest = entry[1:].partition("]")
            entry_port = rest.lstrip(":")
        elif entry.count(":") == 1:
            name, _, entry_port = entry.partition(":")
        else:
            name, entry_port = entry, ""
        name = name.lstrip(".")
        if not name or (entry_port and entry_port != str(port)):
            continue
        if host == name or host.endswith("." + name):
            return True
    return False


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
        except aiohttp.ClientConnectorError as exc:
            reason = exc.os_error.strerror or type(exc.os_error).__name__
            raise CredentialHttpError(f"{where}: cannot connect ({reason})") from exc
        except aiohttp.ClientError as exc:
            raise CredentialHttpError(f"{where}: {type(exc).__name__}") from exc
        except (RuntimeError, ValueError) as exc:
            # A closed borrowed session, or a URL aiohttp refuses.
            raise CredentialHttpError(f"{where}: {type(exc).__name__}") from exc


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
