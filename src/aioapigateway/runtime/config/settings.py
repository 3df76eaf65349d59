"""Client configuration and its resolution against the environment and config files.

:class:`ClientConfig` is what a caller passes; :func:`resolve_settings` turns it, the
client's keyword arguments, the environment and the caller's profile into
:class:`Settings`, the fully resolved values a client uses on every request.

Precedence, for each setting that has one (botocore's order):

=========================  ==================================  =============================
setting                    environment variable                config file key (profile)
=========================  ==================================  =============================
region                     ``AWS_REGION``, then               ``region``
                           ``AWS_DEFAULT_REGION``
max_attempts               ``AWS_MAX_ATTEMPTS``                ``max_attempts``
retry_mode                 ``AWS_RETRY_MODE``                  ``retry_mode``
use_fips_endpoint          ``AWS_USE_FIPS_ENDPOINT``           ``use_fips_endpoint``
use_dualstack_endpoint     ``AWS_USE_DUALSTACK_ENDPOINT``      ``use_dualstack_endpoint``
ca_bundle                  ``AWS_CA_BUNDLE``                   ``ca_bundle``
=========================  ==================================  =============================

An explicit argument (a keyword of the client, or a :class:`ClientConfig` field the
caller passed) beats the environment, which beats the config file, which beats the
default. The default ``max_attempts`` is 3, or 5 in the ``legacy`` retry mode (botocore's
defaults). ``connect_timeout``, ``read_timeout``, ``max_connections``,
``user_agent_extra``, ``attempt_timeout``, ``operation_timeout``, ``hooks`` and
``log_bodies`` come from :class:`ClientConfig` only: botocore reads no variable or
config key for them (its ``connect_timeout`` only moves with ``defaults_mode``, which is
not supported). An empty environment variable or config value counts as unset.

The region is read from ``AWS_REGION`` before ``AWS_DEFAULT_REGION`` (botocore reads only
the latter, the other AWS SDKs the former); which source gave it is logged at DEBUG on
the ``aioapigateway.config`` logger. The shared lookups (region, configured endpoint
URL) live in :mod:`aioapigateway.runtime.config.profiles`, which the credential providers use too.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Concatenate, Final, ParamSpec, TypeVar

import attrs

from aioapigateway.runtime.config.profiles import (
    HEADER_UNSAFE_RE,
    ProfileLoader,
    SettingLookup,
    check_endpoint_url,
    configured_endpoint_url,
    find_region,
    parse_bool,
    resolve_profile_name,
)
from aioapigateway.runtime.errors import ConfigError
from aioapigateway.runtime.hooks import Hook, normalize_hooks

if TYPE_CHECKING:
    from aioapigateway.runtime.pacing import Pacer

__all__ = [
    "DEFAULT_MIN_SIZE",
    "MAX_MIN_SIZE",
    "RETRY_MODES",
    "ClientConfig",
    "Settings",
    "resolve_settings",
]


DEFAULT_MIN_SIZE = 10240
MAX_MIN_SIZE = 10 * 1024 * 1024

#: The retry modes botocore knows.
RETRY_MODES: Final = ("legacy", "standard", "adaptive")
#: botocore's legacy handler's attempts when none are configured (its _retry.json).
LEGACY_MAX_ATTEMPTS: Final = 5

_T = TypeVar("_T")
_P = ParamSpec("_P")


def _records_explicit_arguments(
    init: Callable[Concatenate[_T, _P], None],
) -> Callable[Concatenate[_T, _P], None]:
    """Wrap ``__init__`` to store which parameters the caller actually passed.

    A caller who writes ``ClientConfig(max_attempts=3)`` wants 3 even when
    ``AWS_MAX_ATTEMPTS`` says otherwise, although 3 is also the default; only the
    binding of the call's arguments can tell the two apart.
    """
    # The names positional arguments bind to, in order (self left out). ``init`` has no
    # *args or **kwargs, so a call it accepts passes exactly these and its keywords.
    positional = tuple(
        name
        for name, parameter in inspect.signature(init).parameters.items()
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    )[1:]

    @functools.wraps(init)
    def wrapper(self: _T, /, *args: _P.args, **kwargs: _P.kwargs) -> None:
        init(self, *args, **kwargs)
        explicit = frozenset(positional[: len(args)]).union(kwargs)
        # The instance is frozen; this is the one write after __attrs_init__.
        object.__setattr__(self, "_explicit", explicit)

    return wrapper


@attrs.frozen(init=False)
class ClientConfig:
    """Client options. Every argument is optional.

    ``max_attempts`` counts the first attempt too (botocore's ``total_max_attempts``);
    ``retry_mode`` is ``"legacy"``, ``"standard"`` or ``"adaptive"``; the timeouts are in
    seconds; ``max_connections`` caps the connection pool; ``user_agent_extra`` is
    appended to the ``User-Agent`` header; ``ca_bundle`` is the path of a PEM bundle to
    verify TLS with instead of the default trust store.

    Keyword-only: ``attempt_timeout`` bounds each attempt (connecting, sending and reading
    the whole response) and ``operation_timeout`` a whole call, retries and waits
    included (``None``, the default: no bound beyond ``connect_timeout`` and
    ``read_timeout``, which bound connecting and each wait for data); ``hooks`` maps a
    stage (``"before_send"``, ``"after_receive"``, ``"on_retry"``) to a callable or a list
    of them (see :mod:`aioapigateway.runtime.hooks`); ``log_bodies=True`` logs request and response
    headers and bodies, secrets redacted, to the ``aioapigateway.wire`` logger at DEBUG;
    ``disable_request_compression`` and ``request_min_compression_size_bytes`` (default
    10240) govern gzip for operations that allow compressed requests, as in botocore.
    ``disable_host_prefix_injection=True`` keeps an operation's host prefix (``data.``) off
    the endpoint's host, so a client of such a service can target a local emulator.
    ``pacing`` waits before sending so that a service's fixed quotas are never exceeded:
    ``"auto"`` (the default: in-process for AWS's own endpoint, off for an ``endpoint_url``),
    ``"local"``, ``"off"``, or a :class:`~aioapigateway.runtime.pacing.Pacer` such as
    ``RedisPacer`` (see :mod:`aioapigateway.runtime.pacing`).

    Fields the caller passes explicitly win over environment variables and the config
    file; the others are only defaults (see :func:`resolve_settings`). Bad values raise
    :class:`~aioapigateway.ConfigError`. Construction does no I/O.
    """

    max_attempts: int
    retry_mode: str
    connect_timeout: float
    read_timeout: float
    max_connections: int
    use_fips_endpoint: bool
    use_dualstack_endpoint: bool
    user_agent_extra: str | None
    ca_bundle: str | None
    attempt_timeout: float | None
    operation_timeout: float | None
    hooks: tuple[tuple[str, Hook], ...]
    log_bodies: bool
    disable_request_compression: bool
    request_min_compression_size_bytes: int
    pacing: str | Pacer
    disable_host_prefix_injection: bool
    # Names of the parameters the caller passed; set by _records_explicit_arguments.
    _explicit: frozenset[str] = attrs.field(repr=False, alias="explicit")

    @_records_explicit_arguments
    def __init__(
        self,
        max_attempts: int = 3,
        retry_mode: str = "standard",
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_connections: int = 100,
        use_fips_endpoint: bool = False,
        use_dualstack_endpoint: bool = False,
        user_agent_extra: str | None = None,
        *,
        ca_bundle: str | None = None,
        attempt_timeout: float | None = None,
        operation_timeout: float | None = None,
        hooks: Mapping[str, Hook | Sequence[Hook]] | Sequence[tuple[str, Hook]] | None = None,
        log_bodies: bool = False,
        disable_request_compression: bool = False,
        request_min_compression_size_bytes: int = DEFAULT_MIN_SIZE,
        pacing: str | Pacer = "auto",
        disable_host_prefix_injection: bool = False,
    ) -> None:
        try:
            normalized_hooks = normalize_hooks(hooks)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"hooks: {exc}") from None
        self.__attrs_init__(
            max_attempts=_check_int(max_attempts, "max_attempts"),
            retry_mode=_check_retry_mode(retry_mode, "retry_mode"),
            connect_timeout=_check_timeout(connect_timeout, "connect_timeout"),
            read_timeout=_check_timeout(read_timeout, "read_timeout"),
            max_connections=_check_int(max_connections, "max_connections"),
            use_fips_endpoint=_check_bool(use_fips_endpoint, "use_fips_endpoint"),
            use_dualstack_endpoint=_check_bool(use_dualstack_endpoint, "use_dualstack_endpoint"),
            user_agent_extra=_check_user_agent_extra(user_agent_extra),
            ca_bundle=_check_ca_bundle(ca_bundle, "ca_bundle"),
            attempt_timeout=_check_optional_timeout(attempt_timeout, "attempt_timeout"),
            operation_timeout=_check_optional_timeout(operation_timeout, "operation_timeout"),
            hooks=normalized_hooks,
            log_bodies=_check_bool(log_bodies, "log_bodies"),
            disable_request_compression=_check_bool(
                disable_request_compression, "disable_request_compression"
            ),
            request_min_compression_size_bytes=_check_min_compression(
                request_min_compression_size_bytes, "request_min_compression_size_bytes"
            ),
            pacing=_check_pacing(pacing),
            disable_host_prefix_injection=_check_bool(
                disable_host_prefix_injection, "disable_host_prefix_injection"
            ),
            explicit=frozenset(),
        )

    def _is_explicit(self, name: str) -> bool:
        return name in self._explicit


@attrs.frozen
class Settings:
    """Fully resolved client settings: what a client reads on every request."""

    region: str
    endpoint_url: str | None
    max_attempts: int
    retry_mode: str
    connect_timeout: float
    read_timeout: float
    max_connections: int
    use_fips_endpoint: bool
    use_dualstack_endpoint: bool
    ca_bundle: str | None
    user_agent_extra: str | None
    #: The profile the settings (and the default credential chain) were read from.
    profile: str
    attempt_timeout: float | None = None
    operation_timeout: float | None = None
    log_bodies: bool = False
    disable_request_compression: bool = False
    request_min_compression_size_bytes: int = DEFAULT_MIN_SIZE
    disable_host_prefix_injection: bool = False


async def resolve_settings(
    *,
    service_env_name: str,
    service_config_key: str,
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    config: ClientConfig | None,
    loader: ProfileLoader,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve a client's settings: explicit argument > environment > config file > default.

    ``service_env_name`` (``"API_GATEWAY"``) forms ``AWS_ENDPOINT_URL_<NAME>``;
    ``service_config_key`` (``"api_gateway"``) is the key in a ``[services]`` section.
    ``environ`` defaults to :data:`os.environ`, read now.

    The profile is ``profile``, else ``AWS_DEFAULT_PROFILE``, else ``AWS_PROFILE``,
    else ``"default"``; a profile named by the argument or a variable must exist in the
    config or credentials file. The endpoint URL is ``endpoint_url``, else
    ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, the profile's services section
    ``<service>.endpoint_url``, the profile's ``endpoint_url``; all but the argument are
    skipped when ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` (or else the profile's
    ``ignore_configured_endpoint_urls``) is true.

    Raises :class:`~aioapigateway.ConfigError` for no region, a missing named profile, an
    invalid value (naming the variable or key), or a config file that cannot be parsed.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    if config is None:
        config = ClientConfig()
    elif not isinstance(config, ClientConfig):
        raise ConfigError(f"config must be a ClientConfig, not {type(config).__name__}")

    profile_name, named = resolve_profile_name(profile, env)
    loaded = await loader.load()
    if named:
        loaded.check_profile(profile_name)
    lookup = SettingLookup(env, loaded, profile_name)

    def setting(
        name: str,
        env_var: str,
        key: str,
        parse: Callable[[str, str], _T],
        default: _T | None = None,
    ) -> _T:
        # Explicit ClientConfig field > environment > config file > default (the
        # ClientConfig's, unless the caller gives one).
        if not config._is_explicit(name):
            found = lookup.find(env_var, key)
            if found is not None:
                return parse(*found)
            if default is not None:
                return default
        value: _T = getattr(config, name)
        return value

    retry_mode = setting("retry_mode", "AWS_RETRY_MODE", "retry_mode", _check_retry_mode)

    return Settings(
        region=_resolve_region(region, lookup),
        endpoint_url=(
            configured_endpoint_url(lookup, service_env_name, service_config_key)
            if endpoint_url is None
            else check_endpoint_url(endpoint_url, "the endpoint_url argument")
        ),
        # botocore's legacy handler makes 5 attempts unless told otherwise (_retry.json).
        max_attempts=setting(
            "max_attempts",
            "AWS_MAX_ATTEMPTS",
            "max_attempts",
            _parse_int,
            LEGACY_MAX_ATTEMPTS if retry_mode == "legacy" else None,
        ),
        retry_mode=retry_mode,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        max_connections=config.max_connections,
        use_fips_endpoint=setting(
            "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", parse_bool
        ),
        use_dualstack_endpoint=setting(
            "use_dualstack_endpoint",
            "AWS_USE_DUALSTACK_ENDPOINT",
            "use_dualstack_endpoint",
            parse_bool,
        ),
        ca_bundle=setting("ca_bundle", "AWS_CA_BUNDLE", "ca_bundle", _check_ca_bundle),
        user_agent_extra=config.user_agent_extra,
        profile=profile_name,
        attempt_timeout=config.attempt_timeout,
        operation_timeout=config.operation_timeout,
        log_bodies=config.log_bodies,
        disable_request_compression=setting(
            "disable_request_compression",
            "AWS_DISABLE_REQUEST_COMPRESSION",
            "disable_request_compression",
            parse_bool,
        ),
        request_min_compression_size_bytes=setting(
            "request_min_compression_size_bytes",
            "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
            "request_min_compression_size_bytes",
            _parse_min_compression,
        ),
        disable_host_prefix_injection=setting(
            "disable_host_prefix_injection",
            "AWS_DISABLE_HOST_PREFIX_INJECTION",
            "disable_host_prefix_injection",
            parse_bool,
        ),
    )


def _resolve_region(explicit: str | None, lookup: SettingLookup) -> str:
    region = find_region(explicit, lookup, "client")
    if region is None:
        raise ConfigError(
            "No region: pass region=..., set AWS_REGION or AWS_DEFAULT_REGION, or set "
            f"'region' in profile {lookup.profile_name!r} of the config file "
            f"{lookup.loaded.config_file}"
        )
    return region


# Validation of constructor arguments (Python values) ------------------------------------


def _check_pacing(value: object) -> str | Pacer:
    # The modes are spelled out here: importing the pacing module would cost every start-up.
    if isinstance(value, str) and value in ("auto", "local", "off"):
        return value
    if not isinstance(value, str | type) and callable(getattr(value, "acquire", None)):
        return value  # type: ignore[return-value]  # a Pacer, checked by duck typing
    raise ConfigError(
        'pacing must be "auto", "local", "off" or a Pacer (an object with an async '
        f"acquire() method), got {_shown(value)}"
    )


def _check_min_compression(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MIN_SIZE:
        raise ConfigError(f"{name} must be an int from 0 to {MAX_MIN_SIZE}, got {_shown(value)}")
    return value


def _parse_min_compression(value: str, source: str) -> int:
    return _check_min_compression(_parse_int_any(value, source), source)


def _parse_int_any(value: str, source: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ConfigError(f"{source} must be an integer, got {value!r}") from None


def _check_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an integer, not {type(value).__name__}")
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {_shown(value)}")
    return value


def _shown(value: object) -> str:
    """``repr(value)`` for a message, short; an int too long for ``repr`` is not shown."""
    if isinstance(value, int) and not -(10**40) < value < 10**40:
        return "an int of more than 40 digits"
    return f"{value!r:.60}"


def _check_timeout(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number of seconds, not {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:
        # Not shown: an int of more than 4300 digits cannot even be turned into text.
        raise ConfigError(f"{name} must be a finite number of seconds, not a huge int") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"{name} must be a positive, finite number of seconds, got {value}")
    return seconds


def _check_optional_timeout(value: object, name: str) -> float | None:
    return None if value is None else _check_timeout(value, name)


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be True or False, not {type(value).__name__}")
    return value


def _check_retry_mode(value: object, name: str) -> str:
    if value not in RETRY_MODES:
        shown = repr(value) if isinstance(value, str) else type(value).__name__
        raise ConfigError(f"{name} must be one of {', '.join(RETRY_MODES)}; got {shown}")
    assert isinstance(value, str)
    return value


def _check_ca_bundle(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name} must be a non-empty path string or None")
    return value


def _check_user_agent_extra(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"user_agent_extra must be a string, not {type(value).__name__}")
    if HEADER_UNSAFE_RE.search(value):
        # It goes into a header; a newline would let it add headers of its own.
        raise ConfigError("user_agent_extra must not contain control characters")
    if not value.isascii() and not value.isprintable():
        # A lone surrogate has no UTF-8 form: sending the header would fail.
        raise ConfigError("user_agent_extra must not contain unprintable characters")
    return value


# Parsing of environment and config-file values (strings) --------------------------------


def _parse_int(value: str, source: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ConfigError(f"{source} must be an integer, got {value!r}") from exc
    if number < 1:
        raise ConfigError(f"{source} must be at least 1, got {number}")
    return number
