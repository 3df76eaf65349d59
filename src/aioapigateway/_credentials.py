"""AWS credentials and the providers that find them.

A client takes credentials as a :class:`Credentials`, as any object with
``async def resolve() -> Credentials`` (a :class:`CredentialProvider`), or as ``None``
for the :class:`DefaultCredentialChain`; :func:`as_provider` turns any of the three into
a provider.

The default chain tries, in botocore's order: environment variables, assume role
(``role_arn``), web identity, SSO, the shared credentials file, ``credential_process``,
the config file, container credentials and EC2 instance metadata (see
:class:`DefaultCredentialChain`; the providers that call a service live in ``_sts``,
``_sso``, ``_container_creds`` and ``_imds``). Credentials that expire are refreshed ahead
of time by :class:`RefreshingCredentialProvider`. Nothing here does I/O before the first
``resolve()``, and no secret appears in a ``repr``, a log record or an exception message.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import math
import os
import re
import shlex
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, cast, runtime_checkable

import attrs

from ._errors import AioApiGatewayError, ConfigError, CredentialsError
from ._profiles import HEADER_UNSAFE_RE, ProfileLoader, resolve_profile_name

if TYPE_CHECKING:
    from ._credential_http import CredentialHttp, SessionFactory

__all__ = [
    "ADVISORY_REFRESH_SECONDS",
    "MANDATORY_REFRESH_SECONDS",
    "ConfigFileCredentialsProvider",
    "CredentialProvider",
    "CredentialSource",
    "Credentials",
    "DefaultCredentialChain",
    "EnvironmentCredentialsProvider",
    "ProcessCredentialsProvider",
    "RefreshingCredentialProvider",
    "SharedCredentialsFileProvider",
    "StaticProvider",
    "as_provider",
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
# How much of a failing credential_process' stderr an error message quotes.
_STDERR_LIMIT: Final = 1000

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


class EnvironmentCredentialsProvider(_SourceProvider):
    """Credentials from ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and friends.

    The token is ``AWS_SECURITY_TOKEN`` or else ``AWS_SESSION_TOKEN`` (botocore checks
    them in that order); ``AWS_CREDENTIAL_EXPIRATION`` (ISO 8601) makes the credentials
    expiring, and a refresh reads the variables again. Not configured unless
    ``AWS_ACCESS_KEY_ID`` is non-empty; then an empty secret is an error.
    ``environ`` defaults to :data:`os.environ`, read at each load.
    """

    ACCESS_KEY: Final = "AWS_ACCESS_KEY_ID"
    SECRET_KEY: Final = "AWS_SECRET_ACCESS_KEY"
    TOKENS: Final = ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN")
    EXPIRATION: Final = "AWS_CREDENTIAL_EXPIRATION"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__("env")
        self._environ = environ
        self._description = "environment variables"

    async def load(self) -> Credentials | None:
        """Read the variables; ``None`` when ``AWS_ACCESS_KEY_ID`` is unset or empty."""
        environ = os.environ if self._environ is None else self._environ
        access_key = environ.get(self.ACCESS_KEY, "")
        if not access_key:
            self._description = f"environment variables ({self.ACCESS_KEY} not set)"
            return None
        self._description = "environment variables"
        secret_key = environ.get(self.SECRET_KEY, "")
        if not secret_key:
            raise CredentialsError(
                f"Partial credentials in environment variables: {self.ACCESS_KEY} is set "
                f"but {self.SECRET_KEY} is missing or empty"
            )
        token = next((environ[var] for var in self.TOKENS if environ.get(var)), None)
        raw_expiration = environ.get(self.EXPIRATION, "")
        expiration = (
            _parse_expiration(raw_expiration, f"environment variable {self.EXPIRATION}")
            if raw_expiration
            else None
        )
        return Credentials(access_key, secret_key, token, expiration)


class SharedCredentialsFileProvider(_SourceProvider):
    """Credentials from the ``[PROFILE]`` section of the shared credentials file.

    Keys: ``aws_access_key_id``, ``aws_secret_access_key``, and ``aws_security_token``
    or else ``aws_session_token``. Not configured unless the section has
    ``aws_access_key_id``; then a missing secret is an error.
    """

    def __init__(self, profile: str, loader: ProfileLoader) -> None:
        super().__init__("shared-credentials-file")
        self._profile = profile
        self._loader = loader
        self._description = "shared credentials file"

    async def load(self) -> Credentials | None:
        """Read profile ``profile``'s keys from the (cached) shared credentials file."""
        loaded = await self._loader.load()
        path = loaded.credentials_file
        section = loaded.credentials_file_profile(self._profile)
        self._description = f"shared credentials file ({path}: " + (
            "not found)"
            if not loaded.credentials_file_found
            else f"no [{self._profile}] section)"
            if not section
            else f"no aws_access_key_id in [{self._profile}])"
        )
        return _keys_from_section(
            section, f"section [{self._profile}] of the shared credentials file {path}"
        )


class ConfigFileCredentialsProvider(_SourceProvider):
    """Credentials written into profile ``PROFILE`` of the config file itself.

    The same keys as :class:`SharedCredentialsFileProvider`, read from the config file
    only (as botocore's ``ConfigProvider`` does).
    """

    def __init__(self, profile: str, loader: ProfileLoader) -> None:
        super().__init__("config-file")
        self._profile = profile
        self._loader = loader
        self._description = "config file"

    async def load(self) -> Credentials | None:
        """Read profile ``profile``'s keys from the (cached) config file."""
        loaded = await self._loader.load()
        path = loaded.config_file
        section = loaded.config_file_profile(self._profile)
        self._description = f"config file ({path}: " + (
            "not found)"
            if not loaded.config_file_found
            else f"no profile {self._profile!r})"
            if not section
            else f"no aws_access_key_id in profile {self._profile!r})"
        )
        return _keys_from_section(section, f"profile {self._profile!r} of the config file {path}")


class ProcessCredentialsProvider(_SourceProvider):
    """Credentials printed by the profile's ``credential_process`` command.

    The command line is split like a shell would (no shell runs it) and executed with
    :func:`asyncio.create_subprocess_exec`. It must exit 0 and print JSON:
    ``{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ...,
    "Expiration": "2030-01-01T00:00:00Z"}``; with ``Expiration`` the credentials are
    refreshed by running the command again. ``timeout`` (seconds, default none, like
    botocore) kills a command that takes longer.

    Error messages name only the program, not its arguments, and never quote its
    output; they do quote the start of its stderr when it fails.
    """

    def __init__(
        self, profile: str, loader: ProfileLoader, *, timeout: float | None = None
    ) -> None:
        super().__init__("credential-process")
        if timeout is not None and not timeout > 0:
            raise ConfigError("credential_process timeout must be positive or None")
        self._profile = profile
        self._loader = loader
        self._timeout = timeout
        self._description = "credential_process"

    async def load(self) -> Credentials | None:
        """Run the command; ``None`` when the profile has no ``credential_process``."""
        loaded = await self._loader.load()
        command = loaded.profile(self._profile).get("credential_process")
        if not command:
            self._description = f"credential_process (not set in profile {self._profile!r})"
            return None
        where = f"credential_process of profile {self._profile!r}"
        if not isinstance(command, str):
            raise CredentialsError(f"{where} must be a command line, not a nested section")
        try:
            argv = shlex.split(command, posix=os.name != "nt")
        except ValueError as exc:
            raise CredentialsError(f"{where} is not a valid command line: {exc}") from exc
        if not argv:
            raise CredentialsError(f"{where} is empty")
        where = f"credential_process {argv[0]!r} of profile {self._profile!r}"
        self._description = where
        stdout = await self._run(argv, where)
        return _parse_process_output(stdout, where)

    async def _run(self, argv: list[str], where: str) -> bytes:
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
        except OSError as exc:
            raise CredentialsError(
                f"{where} could not be started: {exc.strerror or type(exc).__name__}"
            ) from exc
        try:
            async with asyncio.timeout(self._timeout):
                stdout, stderr = await process.communicate()
        except TimeoutError as exc:
            await _kill(process)
            raise CredentialsError(f"{where} did not finish within {self._timeout}s") from exc
        except BaseException:
            # Cancelled: do not leave the child running (or a zombie) behind.
            await _kill(process)
            raise
        if process.returncode != 0:
            message = stderr.decode("utf-8", "replace").strip()
            if len(message) > _STDERR_LIMIT:
                message = message[:_STDERR_LIMIT] + "..."
            raise CredentialsError(
                f"{where} exited with status {process.returncode}"
                + (f": {message}" if message else "")
            )
        return stdout


async def _kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        try:
            process.kill()
        except ProcessLookupError:
            pass
    await process.wait()


def _parse_process_output(stdout: bytes, where: str) -> Credentials:
    """Version 1 credential_process JSON -> Credentials; messages never quote values."""
    try:
        parsed = json.loads(stdout.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CredentialsError(f"{where} printed output that is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise CredentialsError(
            f"{where} printed output that is not JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})"
        ) from exc
    if not isinstance(parsed, dict):
        raise CredentialsError(f"{where} must print a JSON object, not {type(parsed).__name__}")
    version = parsed.get("Version")
    if type(version) is not int or version != 1:
        shown = "no Version" if version is None else f"Version {version!r}"
        raise CredentialsError(f"{where} printed {shown}; only Version 1 is supported")
    values: dict[str, str | None] = {}
    for key, required in (
        ("AccessKeyId", True),
        ("SecretAccessKey", True),
        ("SessionToken", False),
        ("Expiration", False),
    ):
        value = parsed.get(key)
        if value is None or value == "":
            if required:
                raise CredentialsError(f"{where} printed no {key}")
            values[key] = None
        elif not isinstance(value, str):
            raise CredentialsError(f"{where} printed a {key} that is not a string")
        else:
            values[key] = value
    expiration = values["Expiration"]
    return Credentials(
        cast(str, values["AccessKeyId"]),
        cast(str, values["SecretAccessKey"]),
        values["SessionToken"],
        _parse_expiration(expiration, f"the Expiration {where} printed") if expiration else None,
    )


def _keys_from_section(section: Mapping[str, Any], where: str) -> Credentials | None:
    """botocore's rule: configured iff ``aws_access_key_id`` is present."""
    if "aws_access_key_id" not in section:
        return None
    access_key = section.get("aws_access_key_id")
    secret_key = section.get("aws_secret_access_key")
    if not isinstance(access_key, str) or not access_key:
        raise CredentialsError(f"aws_access_key_id in {where} is empty or not a single value")
    if not isinstance(secret_key, str) or not secret_key:
        raise CredentialsError(
            f"Partial credentials in {where}: aws_access_key_id is set but "
            "aws_secret_access_key is missing or empty"
        )
    token = next(
        (
            section[key]
            for key in ("aws_security_token", "aws_session_token")
            if isinstance(section.get(key), str) and section[key]
        ),
        None,
    )
    return Credentials(access_key, secret_key, token)


def _parse_expiration(value: str, where: str) -> datetime.datetime:
    """ISO 8601 (``Z`` or an offset; no offset means UTC) -> an aware UTC datetime."""
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise CredentialsError(f"{where} is not an ISO 8601 timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC)


class _SourceChain(RefreshingCredentialProvider):
    """Tries sources in order; sticks to the first one that produces credentials.

    Refreshes of expiring credentials ask that source again.
    """

    def __init__(self, name: str, loader: ProfileLoader) -> None:
        super().__init__(self._fetch, name=name)
        self._loader = loader
        self._source: CredentialSource | None = None

    async def _sources(self) -> tuple[str, bool, list[CredentialSource]]:
        """``(profile, named, sources)`` for the first fetch."""
        raise NotImplementedError

    def _not_found(self, profile: str, sources: list[CredentialSource]) -> str:
        return f"Unable to locate credentials for profile {profile!r}: tried " + ", ".join(
            source.describe() for source in sources
        )

    async def _fetch(self) -> Credentials:
        source = self._source
        if source is not None:
            credentials = await source.load()
            if credentials is None:
                raise CredentialsError(
                    f"{source.describe()} no longer provides credentials to refresh with"
                )
            return credentials
        profile, named, sources = await self._sources()
        for source in sources:
            credentials = await source.load()
            if credentials is not None:
                _log.debug("Found credentials in %s", source.name)
                self._source = source
                return credentials
        message = self._not_found(profile, sources)
        loaded = await self._loader.load()
        if named and not loaded.has_profile(profile):
            message += f"; profile {profile!r} is in neither file"
        raise CredentialsError(message)


def _profile_sources(
    profile: str,
    loader: ProfileLoader,
    environ: Mapping[str, str] | None,
    *,
    http: CredentialHttp,
    region: str | None,
    sts_endpoint_url: str | None = None,
    config_profile: str | None = None,
    use_environment: bool,
) -> list[CredentialSource]:
    """botocore's profile-based providers, in its order: web identity, SSO, the shared
    credentials file, (``login_session``, not supported), ``credential_process``, the
    config file. ``use_environment`` lets web identity read its variables."""
    from ._sso import SSOProvider
    from ._sts import WebIdentityProvider

    return [
        WebIdentityProvider(
            profile,
            loader,
            environ,
            use_environment=use_environment,
            http=http,
            region=region,
            sts_endpoint_url=sts_endpoint_url,
            config_profile=config_profile,
        ),
        SSOProvider(profile, loader, environ, http=http),
        SharedCredentialsFileProvider(profile, loader),
        # `aws login` (login_session) would go here.
        ProcessCredentialsProvider(profile, loader),
        ConfigFileCredentialsProvider(profile, loader),
    ]


class _ProfileChain(_SourceChain):
    """The credentials of a ``source_profile``: its profile-based providers only."""

    def __init__(
        self,
        profile: str,
        loader: ProfileLoader,
        environ: Mapping[str, str] | None,
        *,
        http: CredentialHttp,
        region: str | None,
        sts_endpoint_url: str | None,
        config_profile: str,
        referenced_by: str,
    ) -> None:
        super().__init__(f"source profile {profile!r}", loader)
        self._profile = profile
        self._environ = environ
        self._http = http
        self._region = region
        self._sts_endpoint_url = sts_endpoint_url
        self._config_profile = config_profile
        self._referenced_by = referenced_by

    def __repr__(self) -> str:
        return f"<source profile {self._profile!r}>"

    async def _sources(self) -> tuple[str, bool, list[CredentialSource]]:
        return (
            self._profile,
            True,
            _profile_sources(
                self._profile,
                self._loader,
                self._environ,
                http=self._http,
                region=self._region,
                sts_endpoint_url=self._sts_endpoint_url,
                config_profile=self._config_profile,
                use_environment=False,
            ),
        )

    def _not_found(self, profile: str, sources: list[CredentialSource]) -> str:
        return (
            f"The source profile {profile!r} (the source_profile of profile "
            f"{self._referenced_by!r}) has no credentials: tried "
            + ", ".join(source.describe() for source in sources)
        )


class DefaultCredentialChain(_SourceChain):
    """botocore's default credential chain, for one profile.

    The profile is ``profile``, else ``AWS_DEFAULT_PROFILE``, else ``AWS_PROFILE``, else
    ``"default"``. Sources, first match wins, in the order of botocore's
    ``create_credential_resolver`` (see :meth:`build_sources`):

    1. environment variables, skipped when ``profile`` is given explicitly (as botocore
       does: an explicit profile means "use that profile");
    2. assume role: ``role_arn`` with ``source_profile`` or ``credential_source``;
    3. web identity: ``AWS_WEB_IDENTITY_TOKEN_FILE`` or ``web_identity_token_file``
       (the variables are ignored for an explicit profile, as in botocore);
    4. SSO: ``sso_session`` or ``sso_start_url``, with ``sso_account_id`` and
       ``sso_role_name``;
    5. the shared credentials file;
    6. ``credential_process``;
    7. the config file;
    8. container credentials: ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` or
       ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (ECS, EKS Pod Identity);
    9. EC2 instance metadata (IMDSv2), unless ``AWS_EC2_METADATA_DISABLED=true``.

    A source that is configured but broken (partial keys, a failing process, an STS
    error) stops the chain with its error. Once a source has produced credentials the
    chain sticks to it: refreshes of expiring credentials ask that source again. Nothing
    is read until the first :meth:`resolve`.

    The sources that call a service (STS, SSO, container, IMDS) borrow their session
    from ``session_factory`` when given (it is never closed here), else open a
    short-lived one per fetch. ``region`` is the region for STS (else ``AWS_REGION``,
    ``AWS_DEFAULT_REGION``, the profile's ``region``; with none, the global endpoint).
    """

    def __init__(
        self,
        profile: str | None,
        loader: ProfileLoader,
        environ: Mapping[str, str] | None = None,
        session_factory: SessionFactory | None = None,
        *,
        region: str | None = None,
    ) -> None:
        super().__init__("the default credential chain", loader)
        if profile is not None and (not isinstance(profile, str) or not profile):
            raise ConfigError("profile must be a non-empty string or None")
        if region is not None and (not isinstance(region, str) or not region):
            raise ConfigError("region must be a non-empty string or None")
        if session_factory is not None and not callable(session_factory):
            raise ConfigError("session_factory must be callable or None")
        self._profile = profile
        self._environ = environ
        self._session_factory = session_factory
        self._region = region

    def __repr__(self) -> str:
        return f"DefaultCredentialChain(profile={self._profile!r})"

    def build_sources(self, profile: str) -> list[CredentialSource]:
        """The sources to try for ``profile``, in botocore's order."""
        from ._container_creds import ContainerCredentialsProvider
        from ._credential_http import CredentialHttp
        from ._imds import InstanceMetadataProvider
        from ._sts import AssumeRoleProvider

        http = CredentialHttp(self._session_factory)
        sources: list[CredentialSource] = []
        if self._profile is None:
            sources.append(EnvironmentCredentialsProvider(self._environ))
        sources.append(
            AssumeRoleProvider(profile, self._loader, self._environ, http=http, region=self._region)
        )
        sources.extend(
            _profile_sources(
                profile,
                self._loader,
                self._environ,
                http=http,
                region=self._region,
                use_environment=self._profile is None,
            )
        )
        # botocore's boto2 leftovers (AWS_CREDENTIAL_FILE, ~/.boto) are not supported.
        sources.append(ContainerCredentialsProvider(self._environ, http=http))
        sources.append(InstanceMetadataProvider(profile, self._loader, self._environ, http=http))
        return sources

    async def _sources(self) -> tuple[str, bool, list[CredentialSource]]:
        environ = os.environ if self._environ is None else self._environ
        profile, named = resolve_profile_name(self._profile, environ)
        return profile, named, self.build_sources(profile)


def as_provider(
    obj: Credentials | CredentialProvider | None,
    *,
    profile: str | None,
    loader: ProfileLoader,
    environ: Mapping[str, str] | None = None,
    session_factory: SessionFactory | None = None,
    region: str | None = None,
) -> CredentialProvider:
    """Turn what a client was given as ``credentials`` into a provider.

    ``None`` gives a :class:`DefaultCredentialChain` for ``profile`` (an explicit
    profile, or ``None`` to follow ``AWS_PROFILE``...), whose HTTP-based sources borrow
    sessions from ``session_factory`` and call STS in ``region``; a
    :class:`Credentials` gives a :class:`StaticProvider`; an object with a ``resolve``
    method (an ``async def resolve() -> Credentials``) is returned as is. Anything else
    raises :class:`~aioapigateway.ConfigError`.
    """
    if obj is None:
        return DefaultCredentialChain(
            profile, loader, environ, session_factory=session_factory, region=region
        )
    if isinstance(obj, Credentials):
        return StaticProvider(obj)
    if not isinstance(obj, type) and callable(getattr(obj, "resolve", None)):
        return obj
    # Only the type is named: the object could be, say, a tuple holding a secret key.
    raise ConfigError(
        "credentials must be a Credentials, an object with an async resolve() method, "
        f"or None; got {'the class ' + obj.__name__ if isinstance(obj, type) else type(obj).__name__}"
    )
