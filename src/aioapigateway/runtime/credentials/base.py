"""Credentials and what every provider is built on; imports no provider.

:class:`Credentials`, the :class:`CredentialProvider` protocol, :class:`StaticProvider`, the
:class:`CredentialSource` protocol of a chain's links, and
:class:`RefreshingCredentialProvider`, which caches credentials and refreshes them ahead of
expiry (botocore's advisory and mandatory windows). The providers live next to this module;
the default chain, which imports them all, in :mod:`.chain`. No secret appears in a ``repr``,
a log record or an exception message.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import Final, Protocol, runtime_checkable

import attrs

from aioapigateway.runtime.config.profiles import HEADER_UNSAFE_RE
from aioapigateway.runtime.errors import AioApiGatewayError, ConfigError, CredentialsError

__all__ = [
    "ADVISORY_REFRESH_SECONDS",
    "MANDATORY_REFRESH_SECONDS",
    "CredentialProvider",
    "CredentialSource",
    "Credentials",
    "RefreshingCredentialProvider",
    "StaticProvider",
]


@attrs.frozen(repr=False)
class Credentials:
    """An AWS access key pair, with an optional session token and expiry.

    Its ``repr`` shows the access key id only: the secret and the token never appear.
    The strings must be text that can be sent: the key id and the token go into headers
    (no control character), and none may hold a lone surrogate (what a variable or a
    file with invalid UTF-8 decodes to); else :class:`CredentialsError`, naming the
    field, never its value.
    """

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    expiration: datetime.datetime | None = None

    def __attrs_post_init__(self) -> None:
        for field, value, in_header in (
            ("access_key_id", self.access_key_id, True),
            ("secret_access_key", self.secret_access_key, False),
            ("session_token", self.session_token, True),
        ):
            if isinstance(value, str):
                _check_sendable(field, value, in_header=in_header)

    def __repr__(self) -> str:
        token = ", session_token=<redacted>" if self.session_token else ""
        expiry = f", expiration={self.expiration.isoformat()}" if self.expiration else ""
        return (
            f"Credentials(access_key_id={self.access_key_id!r}, "
            f"secret_access_key=<redacted>{token}{expiry})"
        )


@runtime_checkable
class CredentialProvider(Protocol):
    """Anything with ``async def resolve() -> Credentials``."""

    async def resolve(self) -> Credentials: ...


_log = logging.getLogger("aioapigateway.credentials")

#: Refresh expiring credentials this many seconds before they expire, while other
#: callers keep using the current ones (botocore's advisory window).
ADVISORY_REFRESH_SECONDS: Final = 15 * 60
#: From this many seconds before expiry, every caller waits for fresh credentials and a
#: failed refresh is an error (botocore's mandatory window).
MANDATORY_REFRESH_SECONDS: Final = 10 * 60

# Short-lived credentials (lifetime under the windows above) would otherwise be fetched
# again on every call; wait at least this long, or half their remaining lifetime.
_MIN_REFRESH_INTERVAL: Final = 60.0
# After a failed fetch, wait before trying again: 1 s, doubling up to 10 s.
_BACKOFF_BASE: Final = 1.0
_BACKOFF_MAX: Final = 10.0


_UTC = datetime.UTC
# A lone surrogate has no UTF-8 form: neither a header nor an HMAC key can hold one.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _check_sendable(field: str, value: str, *, in_header: bool) -> None:
    """Raise CredentialsError if ``value`` cannot be sent (the message hides the value)."""
    if in_header and HEADER_UNSAFE_RE.search(value):
        raise CredentialsError(f"Credentials.{field} contains a control character")
    if not value.isascii() and _SURROGATE_RE.search(value):
        raise CredentialsError(
            f"Credentials.{field} contains a lone surrogate (invalid UTF-8 in its source?)"
        )


class CredentialSource(Protocol):
    """One link of a credential chain.

    ``load()`` returns ``None`` when the source is not configured (the chain moves on),
    credentials when it is, and raises :class:`CredentialsError` when it is configured
    but broken (the chain stops). ``describe()`` says what was looked at, for the
    "Unable to locate credentials" message; it must not contain secrets.
    """

    @property
    def name(self) -> str:
        """A short name for logs: ``"env"``, ``"shared-credentials-file"``, ..."""
        ...

    async def load(self) -> Credentials | None:
        """Fetch credentials afresh, or ``None`` when this source is not configured."""
        ...

    def describe(self) -> str:
        """What the last :meth:`load` looked at, for error messages."""
        ...


class RefreshingCredentialProvider:
    """Caches the credentials ``fetch`` returns and refreshes them before they expire.

    Credentials without an ``expiration`` are fetched once and kept. For expiring ones,
    the windows are botocore's: from ``advisory_timeout`` seconds before expiry one
    caller refreshes while the others keep getting the current credentials, and a
    failure is only logged; from ``mandatory_timeout`` seconds before expiry every
    caller waits for the refresh and a failure raises :class:`CredentialsError`.

    Concurrent callers share one in-flight ``fetch`` (a caller cancelled while waiting
    does not cancel it). A failure is remembered for a short, growing backoff (1 s
    doubling to 10 s) so a broken source is not hammered, then tried again.

    The fast path, when the cached credentials are fresh, reads the clock once and
    awaits nothing.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Credentials]],
        *,
        name: str,
        advisory_timeout: float = ADVISORY_REFRESH_SECONDS,
        mandatory_timeout: float = MANDATORY_REFRESH_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 <= mandatory_timeout <= advisory_timeout:
            raise ConfigError(
                "refresh windows must satisfy 0 <= mandatory_timeout <= advisory_timeout"
            )
        self._fetch = fetch
        self._name = name
        self._advisory_timeout = float(advisory_timeout)
        self._mandatory_timeout = float(mandatory_timeout)
        self._clock = clock
        self._credentials: Credentials | None = None
        # Wall-clock times (clock() seconds) at which the windows open for the cached
        # credentials; -inf until something is cached, +inf for credentials that never
        # expire. Precomputed so the fast path is a single comparison.
        self._advisory_at = -math.inf
        self._mandatory_at = -math.inf
        self._task: asyncio.Task[Credentials] | None = None
        self._failures = 0
        self._retry_at = -math.inf
        self._last_error: AioApiGatewayError | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._name}>"

    @property
    def name(self) -> str:
        """The name used in logs and error messages."""
        return self._name

    async def resolve(self) -> Credentials:
        """Return valid credentials, fetching or refreshing them when needed."""
        now = self._clock()
        credentials = self._credentials
        if credentials is not None and now < self._advisory_at:
            return credentials
        return await self._resolve_slow(now)

    def invalidate(self) -> None:
        """Make the next :meth:`resolve` fetch afresh (e.g. after the service said the
        token expired); until then the cached credentials stay in use."""
        self._advisory_at = self._mandatory_at = -math.inf

    async def _resolve_slow(self, now: float) -> Credentials:
        credentials = self._credentials
        if credentials is not None and now < self._mandatory_at:
            # Advisory window: one caller refreshes, everyone else carries on.
            if self._task is not None or now < self._retry_at:
                return credentials
            try:
                return await self._refresh()
            except AioApiGatewayError as exc:
                _log.warning(
                    "Refreshing credentials from %s failed in the advisory window; "
                    "using the current ones until the mandatory window: %s",
                    self._name,
                    exc,
                )
                return credentials
        last_error = self._last_error
        if self._task is None and last_error is not None and now < self._retry_at:
            error_type = ConfigError if isinstance(last_error, ConfigError) else CredentialsError
            raise error_type(
                f"{last_error} [failed {self._failures} time(s) in a row; next attempt "
                f"in {self._retry_at - now:.1f}s]"
            ) from last_error
        return await self._refresh()

    async def _refresh(self) -> Credentials:
        task = self._task
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(
                self._run_fetch(), name=f"aioapigateway: refresh credentials ({self._name})"
            )
            task.add_done_callback(self._task_done)
            self._task = task
        # shield: a waiter being cancelled must not cancel the fetch the others await.
        return await asyncio.shield(task)

    def _task_done(self, task: asyncio.Task[Credentials]) -> None:
        if self._task is task:
            self._task = None
        if not task.cancelled():
            # Mark the exception retrieved: when every waiter was cancelled, nobody
            # else will, and asyncio would log "exception was never retrieved".
            task.exception()

    async def _run_fetch(self) -> Credentials:
        try:
            try:
                credentials = await self._fetch()
            except AioApiGatewayError:
                raise
            except Exception as exc:
                raise CredentialsError(
                    f"Fetching credentials from {self._name} failed: {type(exc).__name__}"
                ) from exc
            if not isinstance(credentials, Credentials):
                raise CredentialsError(
                    f"{self._name} returned {type(credentials).__name__}, not Credentials"
                )
            self._store(credentials)
        except AioApiGatewayError as exc:
            self._failures += 1
            self._last_error = exc
            backoff = min(_BACKOFF_MAX, _BACKOFF_BASE * 2 ** (self._failures - 1))
            self._retry_at = self._clock() + backoff
            raise
        finally:
            # Cleared here as well as in _task_done so that, the moment the fetch
            # finishes, callers see the new state rather than a finished task.
            if self._task is asyncio.current_task():
                self._task = None
        return credentials

    def _store(self, credentials: Credentials) -> None:
        now = self._clock()
        expiration = credentials.expiration
        if expiration is None:
            advisory_at = mandatory_at = math.inf
        else:
            if expiration.tzinfo is None:
                # AWS timestamps are UTC; a naive one would otherwise be read as local.
                expiration = expiration.replace(tzinfo=_UTC)
            expiry = expiration.timestamp()
            remaining = expiry - now
            if remaining <= 0:
                raise CredentialsError(
                    f"{self._name} returned credentials that already expired at "
                    f"{expiration.isoformat()}"
                )
            earliest = now + min(_MIN_REFRESH_INTERVAL, remaining / 2)
            advisory_at = max(expiry - self._advisory_timeout, earliest)
            mandatory_at = max(expiry - self._mandatory_timeout, earliest)
            _log.debug("Credentials from %s expire at %s", self._name, expiration.isoformat())
        # No await between these writes: resolve() never sees a half-updated state.
        self._credentials = credentials
        self._advisory_at = advisory_at
        self._mandatory_at = mandatory_at
        self._failures = 0
        self._retry_at = -math.inf
        self._last_error = None


class StaticProvider:
    """Always resolves to the same :class:`Credentials`."""

    def __init__(self, credentials: Credentials) -> None:
        if not isinstance(credentials, Credentials):
            raise ConfigError(f"StaticProvider needs Credentials, not {type(credentials).__name__}")
        for field in ("access_key_id", "secret_access_key"):
            if not isinstance(getattr(credentials, field), str) or not getattr(credentials, field):
                raise ConfigError(f"Credentials.{field} must be a non-empty string")
        self._credentials = credentials

    def __repr__(self) -> str:
        return f"StaticProvider({self._credentials!r})"

    @property
    def credentials(self) -> Credentials:
        """The credentials this provider always returns."""
        return self._credentials

    async def resolve(self) -> Credentials:
        """Return the credentials given to the constructor."""
        return self._credentials


class _SourceProvider(RefreshingCredentialProvider):
    """Base of the built-in sources: ``load()`` for a chain, cached ``resolve()`` alone."""

    def __init__(self, name: str) -> None:
        super().__init__(self._load_required, name=name)
        self._description = name

    async def load(self) -> Credentials | None:
        """Fetch credentials afresh, or ``None`` when this source is not configured."""
        raise NotImplementedError

    def describe(self) -> str:
        """What the last :meth:`load` looked at, for error messages."""
        return self._description

    async def _load_required(self) -> Credentials:
        credentials = await self.load()
        if credentials is None:
            raise CredentialsError(f"No credentials in {self.describe()}")
        return credentials


def _parse_expiration(value: str, where: str) -> datetime.datetime:
    """ISO 8601 (``Z`` or an offset; no offset means UTC) -> an aware UTC datetime."""
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise CredentialsError(f"{where} is not an ISO 8601 timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC)
