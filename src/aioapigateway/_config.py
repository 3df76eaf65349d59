"""Client configuration and its resolution against the environment and config files.

:class:`ClientConfig` is what a caller passes; :func:`resolve_settings` turns it, the
client's keyword arguments, the environment and the caller's profile into
:class:`Settings`, the fully resolved values a client uses on every request.

Precedence, for each setting that has one (botocore's order):

=========================  ==================================  =============================
setting                    environment variable                config file key (profile)
=========================  ==================================  =============================
region                     ``AWS_REGION``, ``AWS_DEFAULT_REGION``  ``region``
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
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Concatenate, Final, ParamSpec, TypeVar
from urllib.parse import urlsplit

import attrs

from ._compression import DEFAULT_MIN_SIZE, MAX_MIN_SIZE
from ._errors import ConfigError
from ._hooks import Hook, normalize_hooks
from ._profiles import LoadedConfig, ProfileLoader, resolve_profile_name

__all__ = ["RETRY_MODES", "ClientConfig", "Settings", "resolve_settings"]

#: The retry modes botocore knows.
RETRY_MODES: Final = ("legacy", "standard", "adaptive")
#: botocore's legacy handler's attempts when none are configured (its _retry.json).
LEGACY_MAX_ATTEMPTS: Final = 5

_T = TypeVar("_T")
_P = ParamSpec("_P")

# botocore's validate_region_name, requiring at least one character.
_REGION_RE = re.compile(r"^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$")
# Characters urlsplit silently strips (bpo-43882), so they must be rejected up front.
_UNSAFE_URL_CHARS = frozenset("\t\r\n")
# Anything that could end an HTTP header line early.
_HEADER_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f]")


def _records_explicit_arguments(
    init: Callable[Concatenate[_T, _P], None],
) -> Callable[Concatenate[_T, _P], None]:
    """Wrap ``__init__`` to store which parameters the caller actually passed.

    A caller who writes ``ClientConfig(max_attempts=3)`` wants 3 even when
    ``AWS_MAX_ATTEMPTS`` says otherwise, although 3 is also the default; only the
    binding of the call's arguments can tell the two apart.
    """
    signature = inspect.signature(init)

    @functools.wraps(init)
    def wrapper(self: _T, /, *args: _P.args, **kwargs: _P.kwargs) -> None:
        init(self, *args, **kwargs)
        passed = signature.bind(self, *args, **kwargs).arguments
        explicit = frozenset(passed) - {next(iter(signature.parameters))}
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
    of them (see :mod:`aioapigateway._hooks`); ``log_bodies=True`` logs request and response
    headers and bodies, secrets redacted, to the ``aioapigateway.wire`` logger at DEBUG;
    ``disable_request_compression`` and ``request_min_compression_size_bytes`` (default
    10240) govern gzip for operations that allow compressed requests, as in botocore.

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
    lookup = _Lookup(env, loaded, profile_name)

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
        endpoint_url=_resolve_endpoint_url(
            endpoint_url, lookup, service_env_name, service_config_key
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
            "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", _parse_bool
        ),
        use_dualstack_endpoint=setting(
            "use_dualstack_endpoint",
            "AWS_USE_DUALSTACK_ENDPOINT",
            "use_dualstack_endpoint",
            _parse_bool,
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
            _parse_bool,
        ),
        request_min_compression_size_bytes=setting(
            "request_min_compression_size_bytes",
            "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
            "request_min_compression_size_bytes",
            _parse_min_compression,
        ),
    )


class _Lookup:
    """Finds a raw value in the environment, then in the profile, with its source's name."""

    def __init__(self, environ: Mapping[str, str], loaded: LoadedConfig, profile: str) -> None:
        self.environ = environ
        self.loaded = loaded
        self.profile_name = profile
        self.profile = loaded.profile(profile)

    def env(self, var: str) -> tuple[str, str] | None:
        value = self.environ.get(var)
        return (value, var) if value else None

    def key(self, key: str) -> tuple[str, str] | None:
        value = self.profile.get(key)
        if isinstance(value, Mapping):
            raise ConfigError(f"{self.where(key)} must be a single value, not a nested section")
        return (value, self.where(key)) if value else None

    def find(self, env_var: str, key: str) -> tuple[str, str] | None:
        return self.env(env_var) or self.key(key)

    def where(self, key: str) -> str:
        return (
            f"{key!r} in profile {self.profile_name!r} of "
            f"{self.loaded.source_of(self.profile_name, key)}"
        )


def _resolve_region(explicit: str | None, lookup: _Lookup) -> str:
    if explicit is not None:
        return _check_region(explicit, "the region argument")
    found = lookup.env("AWS_REGION") or lookup.env("AWS_DEFAULT_REGION") or lookup.key("region")
    if found is None:
        raise ConfigError(
            "No region: pass region=..., set AWS_REGION or AWS_DEFAULT_REGION, or set "
            f"'region' in profile {lookup.profile_name!r} of the config file "
            f"{lookup.loaded.config_file}"
        )
    return _check_region(*found)


def _resolve_endpoint_url(
    explicit: str | None, lookup: _Lookup, service_env_name: str, service_config_key: str
) -> str | None:
    if explicit is not None:
        return _check_endpoint_url(explicit, "the endpoint_url argument")
    ignore = lookup.find("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")
    if ignore is not None and _parse_bool(*ignore):
        return None
    # botocore's ConfiguredEndpointProvider order; the services section is only looked
    # at (and only required to exist) when neither variable is set.
    found = lookup.env(f"AWS_ENDPOINT_URL_{service_env_name}") or lookup.env("AWS_ENDPOINT_URL")
    if found is None:
        found = _services_endpoint_url(lookup, service_config_key)
    if found is None:
        found = lookup.key("endpoint_url")
    return None if found is None else _check_endpoint_url(*found)


def _services_endpoint_url(lookup: _Lookup, service_config_key: str) -> tuple[str, str] | None:
    reference = lookup.key("services")
    if reference is None:
        return None
    section_name, where = reference
    section = lookup.loaded.services(section_name)
    if not section:
        raise ConfigError(
            f"{where} refers to the section [services {section_name}], which is not in "
            f"the config file {lookup.loaded.config_file}"
        )
    service = section.get(service_config_key)
    if service is None:
        return None
    place = f"[services {section_name}] of the config file {lookup.loaded.config_file}"
    if not isinstance(service, Mapping):
        raise ConfigError(
            f"{service_config_key!r} in {place} must be a nested section "
            f"({service_config_key} =\\n  endpoint_url = ...)"
        )
    url = service.get("endpoint_url")
    return (url, f"'{service_config_key}.endpoint_url' in {place}") if url else None


# Validation of constructor arguments (Python values) ------------------------------------


def _check_min_compression(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MIN_SIZE:
        raise ConfigError(f"{name} must be an int from 0 to {MAX_MIN_SIZE}, got {value!r}")
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
        raise ConfigError(f"{name} must be at least 1, got {value}")
    return value


def _check_timeout(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive, finite number of seconds, got {value}")
    return float(value)


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
    if _HEADER_UNSAFE_RE.search(value):
        # It goes into a header; a newline would let it add headers of its own.
        raise ConfigError("user_agent_extra must not contain control characters")
    return value


def _check_region(value: object, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source} must be a string, not {type(value).__name__}")
    if not _REGION_RE.match(value):
        raise ConfigError(f"{source} is not a valid region name: {value!r}")
    return value


def _check_endpoint_url(value: object, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source} must be a string, not {type(value).__name__}")
    if _UNSAFE_URL_CHARS.intersection(value) or any(c.isspace() for c in value):
        raise ConfigError(f"{source} must not contain whitespace")
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - evaluated for the ValueError a bad port raises
    except ValueError as exc:
        raise ConfigError(f"{source} is not a valid URL: {_display_url(value)}") from exc
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"{source} must be an http:// or https:// URL, got {_display_url(value)}")
    if not host:
        raise ConfigError(f"{source} has no host: {_display_url(value)}")
    return value


def _display_url(value: str) -> str:
    """The URL for an error message, without any ``user:password@`` part.

    Everything up to the last ``@`` goes: a password may itself contain ``/`` or ``@``,
    and over-redacting a path in an error message costs nothing.
    """
    scheme, sep, rest = value.partition("://")
    if sep and "@" in rest:
        return repr(f"{scheme}://<redacted>@{rest.rpartition('@')[2]}")
    if not sep and "@" in value:
        return repr(f"<redacted>@{value.rpartition('@')[2]}")
    return repr(value)


# Parsing of environment and config-file values (strings) --------------------------------


def _parse_int(value: str, source: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ConfigError(f"{source} must be an integer, got {value!r}") from exc
    if number < 1:
        raise ConfigError(f"{source} must be at least 1, got {number}")
    return number


def _parse_bool(value: str, source: str) -> bool:
    # botocore reads anything but "true" as false; a typo such as "yes" or "1" silently
    # disabling FIPS is worse than an error, so anything but true/false is rejected.
    lowered = value.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ConfigError(f"{source} must be true or false, got {value!r}")
