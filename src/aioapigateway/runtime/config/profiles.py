"""Loading the shared AWS config and credentials files.

The two files are read at most once per :class:`ProfileLoader` and merged the way botocore
merges them. They are read on the event loop when both are missing or small local files
(:data:`INLINE_READ_LIMIT` bytes together, the usual case), else in a worker thread: a
``stat`` and a read of a few KiB take tens of microseconds, while the first hand-off to a
thread starts the loop's default executor, which costs milliseconds on a client's first
call (a cold start).

* the config file (``AWS_CONFIG_FILE``, default ``~/.aws/config``) names profiles
  ``[default]`` and ``[profile NAME]``; it also holds ``[sso-session NAME]`` and
  ``[services NAME]`` sections. Any other section is ignored.
* the shared credentials file (``AWS_SHARED_CREDENTIALS_FILE``, default
  ``~/.aws/credentials``) names profiles ``[NAME]``, without a prefix.
* a profile's merged settings are the config file's profile section, updated key by key
  with the credentials file's section of the same name: the credentials file wins.

A value that starts on the line after its ``=`` and is indented is a nested section
(``s3 =\\n  addressing_style = path``) and becomes a mapping. A missing file is the same
as an empty one.

The second half finds settings: :class:`SettingLookup` (an environment variable, else a
profile key, with the name of where it was found), and the lookups the client and the
credential providers share, so that both read a setting the same way: the region
(:func:`find_region`), the configured endpoint URL of a service
(:func:`configured_endpoint_url`), and the checks of what they find.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shlex
import stat
import types
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from aioapigateway.runtime.errors import ConfigError

__all__ = [
    "CONFIG_FILE_ENV",
    "CREDENTIALS_FILE_ENV",
    "DEFAULT_CONFIG_FILE",
    "DEFAULT_CREDENTIALS_FILE",
    "HEADER_UNSAFE_RE",
    "LoadedConfig",
    "ProfileLoader",
    "SettingLookup",
    "check_endpoint_url",
    "check_region",
    "configured_endpoint_url",
    "find_region",
    "is_region_name",
    "parse_bool",
    "resolve_profile_name",
    "shown_url",
]

CONFIG_FILE_ENV = "AWS_CONFIG_FILE"
CREDENTIALS_FILE_ENV = "AWS_SHARED_CREDENTIALS_FILE"
DEFAULT_CONFIG_FILE = "~/.aws/config"
DEFAULT_CREDENTIALS_FILE = "~/.aws/credentials"

#: Files up to this many bytes together are read on the event loop (see the module's
#: docstring); larger ones, or anything ``stat`` does not call a regular file, in a thread.
INLINE_READ_LIMIT = 64 * 1024

#: Environment variables naming the profile, in botocore's order of precedence.
PROFILE_ENV_VARS = ("AWS_DEFAULT_PROFILE", "AWS_PROFILE")

_EMPTY: Mapping[str, Any] = types.MappingProxyType({})

# posixpath.expandvars' pattern, applied to the caller's environ instead of os.environ.
_VAR_RE = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)

_Sections = dict[str, dict[str, Any]]

_log = logging.getLogger("aioapigateway.config")

# botocore's validate_region_name, requiring at least one character: a DNS label, not all
# digits. A region goes into a host name, so anything else (a dot, a slash, an "@") must
# never reach a URL.
_REGION_RE = re.compile(r"^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$")
_UTF8_BOM = b"\xef\xbb\xbf"
#: Anything that could end an HTTP header line early (control characters).
HEADER_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f]")
#: The variables naming the region, in the order they are read (before the profile's
#: ``region``). botocore reads only ``AWS_DEFAULT_REGION``, the other AWS SDKs
#: ``AWS_REGION``; both are read here, ``AWS_REGION`` first.
REGION_ENV_VARS = ("AWS_REGION", "AWS_DEFAULT_REGION")


def resolve_profile_name(explicit: str | None, environ: Mapping[str, str]) -> tuple[str, bool]:
    """Return ``(name, named)``: the profile to use and whether anyone named it.

    The order is botocore's: the explicit argument, ``AWS_DEFAULT_PROFILE``,
    ``AWS_PROFILE``, then ``"default"``. ``named`` is false only for that implicit
    fallback; a named profile must exist, the implicit default need not. An empty
    variable counts as unset.
    """
    if explicit is not None:
        if not isinstance(explicit, str) or not explicit:
            raise ConfigError("profile must be a non-empty string")
        return explicit, True
    for var in PROFILE_ENV_VARS:
        value = environ.get(var)
        if value:
            return value, True
    return "default", False


# eq=False: identity comparison and hashing; the read-only mappings are not hashable.
@attrs.frozen(eq=False)
class LoadedConfig:
    """The parsed config and credentials files.

    Every mapping it hands out is read-only. Its ``repr`` shows the file paths only:
    the files hold secrets.
    """

    #: The config file's path after ``~`` and ``$VAR`` expansion.
    config_file: str
    #: The shared credentials file's path after ``~`` and ``$VAR`` expansion.
    credentials_file: str
    #: Whether the config file existed (a missing file reads as empty).
    config_file_found: bool
    #: Whether the shared credentials file existed.
    credentials_file_found: bool
    _profiles: Mapping[str, Mapping[str, Any]] = attrs.field(repr=False, alias="profiles")
    _config_profiles: Mapping[str, Mapping[str, Any]] = attrs.field(
        repr=False, alias="config_profiles"
    )
    _credentials_profiles: Mapping[str, Mapping[str, Any]] = attrs.field(
        repr=False, alias="credentials_profiles"
    )
    _sso_sessions: Mapping[str, Mapping[str, Any]] = attrs.field(repr=False, alias="sso_sessions")
    _services: Mapping[str, Mapping[str, Any]] = attrs.field(repr=False, alias="services")

    @classmethod
    def empty(cls, config_file: str = "", credentials_file: str = "") -> LoadedConfig:
        """A config in which neither file exists."""
        return cls(
            config_file=config_file,
            credentials_file=credentials_file,
            config_file_found=False,
            credentials_file_found=False,
            profiles=_EMPTY,
            config_profiles=_EMPTY,
            credentials_profiles=_EMPTY,
            sso_sessions=_EMPTY,
            services=_EMPTY,
        )

    @property
    def profile_names(self) -> tuple[str, ...]:
        """Every profile either file defines: config file order, then credentials file."""
        return tuple(self._profiles)

    def has_profile(self, name: str) -> bool:
        """Whether either file defines profile ``name``."""
        return name in self._profiles

    def profile(self, name: str) -> Mapping[str, Any]:
        """Profile ``name``'s merged settings (the credentials file wins); empty if absent."""
        return self._profiles.get(name, _EMPTY)

    def config_file_profile(self, name: str) -> Mapping[str, Any]:
        """Profile ``name`` as the config file alone defines it; empty if absent."""
        return self._config_profiles.get(name, _EMPTY)

    def credentials_file_profile(self, name: str) -> Mapping[str, Any]:
        """Section ``[name]`` of the shared credentials file alone; empty if absent."""
        return self._credentials_profiles.get(name, _EMPTY)

    def sso_session(self, name: str) -> Mapping[str, Any]:
        """The config file's ``[sso-session NAME]`` section; empty if absent."""
        return self._sso_sessions.get(name, _EMPTY)

    def services(self, name: str) -> Mapping[str, Any]:
        """The config file's ``[services NAME]`` section; empty if absent.

        Its values are nested mappings keyed by service (``api_gateway``).
        """
        return self._services.get(name, _EMPTY)

    def source_of(self, profile: str, key: str) -> str:
        """Which file profile ``profile``'s merged ``key`` came from, for messages."""
        if key in self.credentials_file_profile(profile):
            return f"the shared credentials file {self.credentials_file}"
        return f"the config file {self.config_file}"

    def check_profile(self, name: str) -> None:
        """Raise :class:`ConfigError` unless either file defines profile ``name``."""
        if name not in self._profiles:
            raise ConfigError(
                f"The config profile {name!r} could not be found: it is in neither the "
                f"config file {self.config_file}"
                f"{'' if self.config_file_found else ' (not found)'} nor the shared "
                f"credentials file {self.credentials_file}"
                f"{'' if self.credentials_file_found else ' (not found)'}"
            )


class ProfileLoader:
    """Reads the shared config and credentials files once, on first :meth:`load`.

    The constructor only stores ``environ`` (``None`` means :data:`os.environ`, read when
    :meth:`load` first runs): nothing touches the file system until :meth:`load`.
    Concurrent first callers share a single read; a failed read is not cached.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ
        self._loaded: LoadedConfig | None = None
        # Creating an asyncio.Lock binds no event loop (3.10+), so this is safe outside one.
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        state = "loaded" if self._loaded is not None else "not loaded"
        return f"<ProfileLoader {state}>"

    async def load(self) -> LoadedConfig:
        """Return the parsed files, reading them the first time: on the event loop when
        they are missing or small (see the module's docstring), else in a worker thread.

        Raises :class:`ConfigError` when a file exists but cannot be read or parsed.
        """
        loaded = self._loaded
        if loaded is not None:
            return loaded
        async with self._lock:
            if self._loaded is None:
                environ = os.environ if self._environ is None else self._environ
                # The worker thread gets a snapshot: it must not iterate a mapping that
                # code on the event loop may change meanwhile.
                snapshot = dict(environ)
                if _small_enough_to_read_inline(snapshot):
                    self._loaded = _load_files(snapshot)
                else:
                    self._loaded = await asyncio.to_thread(_load_files, snapshot)
            return self._loaded


# --- finding settings ----------------------------------------------------------------------


class SettingLookup:
    """Finds a raw value in the environment, then in a profile, with its source's name.

    Empty values count as unset. Sources are named for messages: the variable, or
    ``'key' in profile 'name' of the config file PATH``.
    """

    def __init__(self, environ: Mapping[str, str], loaded: LoadedConfig, profile: str) -> None:
        self.environ = environ
        self.loaded = loaded
        self.profile_name = profile
        self.profile = loaded.profile(profile)

    def env(self, var: str) -> tuple[str, str] | None:
        """``(value, var)`` if the variable is set and not empty."""
        value = self.environ.get(var)
        return (value, var) if value else None

    def key(self, key: str) -> tuple[str, str] | None:
        """``(value, where)`` if the profile sets ``key``; a nested section is an error."""
        value = self.profile.get(key)
        if isinstance(value, Mapping):
            raise ConfigError(f"{self.where(key)} must be a single value, not a nested section")
        return (value, self.where(key)) if value else None

    def find(self, env_var: str, key: str) -> tuple[str, str] | None:
        """The variable, else the profile's key."""
        return self.env(env_var) or self.key(key)

    def where(self, key: str) -> str:
        """Where the profile's ``key`` comes from, for messages."""
        return (
            f"{key!r} in profile {self.profile_name!r} of "
            f"{self.loaded.source_of(self.profile_name, key)}"
        )


def is_region_name(value: object) -> bool:
    """Whether ``value`` is a valid region name (botocore's rule: a DNS label, not all
    digits); anything else must never be put into a host name."""
    return isinstance(value, str) and _REGION_RE.match(value) is not None


def find_region(explicit: str | None, lookup: SettingLookup, what: str) -> str | None:
    """The region: ``explicit``, else ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the
    profile's ``region``; ``None`` if none is set.

    The source that gave it is logged at DEBUG (``what`` says for whom: "client",
    "STS"...). Raises :class:`ConfigError`, naming the source, for an invalid name.
    """
    if explicit is not None:
        found: tuple[str, str] | None = (explicit, "the region argument")
    else:
        found = lookup.env(REGION_ENV_VARS[0]) or lookup.env(REGION_ENV_VARS[1])
        found = found or lookup.key("region")
    if found is None:
        _log.debug(
            "%s: no region in the arguments, %s or profile %r",
            what,
            " or ".join(REGION_ENV_VARS),
            lookup.profile_name,
        )
        return None
    value, source = found
    check_region(value, source)
    _log.debug("%s: region %s from %s", what, value, source)
    return value


def check_region(value: object, source: str) -> str:
    """``value`` if it is a valid region name, else :class:`ConfigError` naming ``source``."""
    if not isinstance(value, str):
        raise ConfigError(f"{source} must be a string, not {type(value).__name__}")
    if not is_region_name(value):
        raise ConfigError(f"{source} is not a valid region name: {value!r}")
    return value


def parse_bool(value: str, source: str) -> bool:
    """``true`` or ``false`` (any case, surrounding blanks ignored); else ConfigError.

    botocore reads anything but "true" as false; a typo such as "yes" or "1" silently
    disabling FIPS (or an endpoint override) is worse than an error.
    """
    lowered = value.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ConfigError(f"{source} must be true or false, got {value!r}")


def shown_url(value: str) -> str:
    """An endpoint URL for a message, quoted: everything up to the last ``@`` replaced (a
    password may itself hold ``/``, ``?``, ``#`` or ``@``; over-redacting a path in a
    message costs nothing), then without query or fragment (a signature or token may be
    there). A value without a scheme (the usual mistake: ``localhost:4566``) is shown the
    same way."""
    scheme, sep, rest = value.partition("://") if "://" in value else ("", "", value)
    if "@" in rest:
        rest = "<redacted>@" + rest.rpartition("@")[2]
    rest = rest.partition("?")[0].partition("#")[0]
    return repr(f"{scheme}{sep}{rest}")


def check_endpoint_url(value: object, source: str) -> str:
    """``value`` if it is an absolute ``http``/``https`` URL with a host (and a valid
    port) and no ``@`` after the host, else :class:`ConfigError` naming ``source``; the
    message never shows a password or query."""
    if not isinstance(value, str):
        raise ConfigError(f"{source} must be a string, not {type(value).__name__}")
    # Whitespace includes what urlsplit silently strips (bpo-43882).
    if any(c.isspace() for c in value):
        raise ConfigError(f"{source} must not contain whitespace")
    if not value.isprintable():
        # Control characters, and lone surrogates, which have no UTF-8 form.
        raise ConfigError(f"{source} must not contain control or unprintable characters")
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - evaluated for the ValueError a bad port raises
    except ValueError as exc:
        raise ConfigError(f"{source} is not a valid URL: {shown_url(value)}") from exc
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"{source} must be an http:// or https:// URL, got {shown_url(value)}")
    if not host:
        raise ConfigError(f"{source} has no host: {shown_url(value)}")
    if "@" in parts.path or "@" in parts.query or "@" in parts.fragment:
        # A user name or password with an unencoded "/", "?" or "#": the host parsed is
        # part of it, and a message showing the URL would show the rest.
        raise ConfigError(
            f"{source} has an '@' after its host: {shown_url(value)}; percent-encode a user "
            "name and password in it ('/' as %2F, '?' as %3F, '#' as %23, '@' as %40)"
        )
    return value


def configured_endpoint_url(
    lookup: SettingLookup, service_env_name: str, service_config_key: str
) -> str | None:
    """The endpoint URL configured for a service, checked, or ``None``.

    botocore's order: ``AWS_ENDPOINT_URL_<SERVICE_ENV_NAME>``, ``AWS_ENDPOINT_URL``, the
    profile's ``services`` section (``<service_config_key> =\\n  endpoint_url = ...``),
    then the profile's ``endpoint_url``; nothing when ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``
    (else the profile's ``ignore_configured_endpoint_urls``) is true. The services section
    is only looked at (and only required to exist) when neither variable is set.

    Raises :class:`ConfigError` naming the variable or key for an invalid URL or flag, a
    ``services`` reference to a missing section, or a service entry that is not nested.
    """
    ignore = lookup.find("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")
    if ignore is not None and parse_bool(*ignore):
        return None
    found = lookup.env(f"AWS_ENDPOINT_URL_{service_env_name}") or lookup.env("AWS_ENDPOINT_URL")
    if found is None:
        found = _services_endpoint_url(lookup, service_config_key)
    if found is None:
        found = lookup.key("endpoint_url")
    if found is None:
        return None
    url = check_endpoint_url(*found)
    _log.debug("Endpoint URL for %s from %s", service_config_key, found[1])
    return url


def _services_endpoint_url(
    lookup: SettingLookup, service_config_key: str
) -> tuple[str, str] | None:
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


# --- reading the files ---------------------------------------------------------------------


def _file_paths(environ: Mapping[str, str]) -> tuple[str, str]:
    """The config and shared credentials files' paths, ``~`` and ``$VAR`` expanded."""
    return (
        _expand_path(environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE), environ),
        _expand_path(environ.get(CREDENTIALS_FILE_ENV, DEFAULT_CREDENTIALS_FILE), environ),
    )


def _small_enough_to_read_inline(environ: Mapping[str, str]) -> bool:
    """Whether both files are missing or regular files of :data:`INLINE_READ_LIMIT` bytes
    together. Anything unusual (a directory, a FIFO, a stat error other than "missing")
    goes to the worker thread, where :func:`_load_files` reports it."""
    total = 0
    for path in _file_paths(environ):
        try:
            info = os.stat(path)
        except FileNotFoundError:
            continue
        except (OSError, ValueError):
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        total += info.st_size
    return total <= INLINE_READ_LIMIT


def _load_files(environ: Mapping[str, str]) -> LoadedConfig:
    """Blocking: expand both paths, read and merge both files (on the loop for small
    files, else in a worker thread: see :meth:`ProfileLoader.load`)."""
    config_path, credentials_path = _file_paths(environ)
    config_raw = _read_ini(config_path, "config")
    credentials_raw = _read_ini(credentials_path, "shared credentials")

    config_profiles: _Sections = {}
    sso_sessions: _Sections = {}
    services: _Sections = {}
    for section, values in (config_raw or {}).items():
        # The same prefix tests, in the same order, as botocore's build_profile_map: a
        # section such as "[profiles x]" is a profile named "x" there too.
        if section.startswith("profile"):
            target: _Sections | None = config_profiles
        elif section.startswith("sso-session"):
            target = sso_sessions
        elif section.startswith("services"):
            target = services
        else:
            target = None
        if target is not None:
            name = _section_name(section)
            if name is not None:
                target[name] = values
        elif section == "default":
            # [default] needs no "profile " prefix; whichever of [default] and
            # [profile default] comes later in the file wins, as in botocore.
            config_profiles["default"] = values

    credentials_profiles: _Sections = dict(credentials_raw or {})
    merged: _Sections = {name: dict(values) for name, values in config_profiles.items()}
    for name, values in credentials_profiles.items():
        merged.setdefault(name, {}).update(values)

    return LoadedConfig(
        config_file=config_path,
        credentials_file=credentials_path,
        config_file_found=config_raw is not None,
        credentials_file_found=credentials_raw is not None,
        profiles=_freeze(merged),
        config_profiles=_freeze(config_profiles),
        credentials_profiles=_freeze(credentials_profiles),
        sso_sessions=_freeze(sso_sessions),
        services=_freeze(services),
    )


def _expand_path(path: str, environ: Mapping[str, str]) -> str:
    """``os.path.expandvars`` then ``expanduser`` (as botocore does), using ``environ``."""
    if "$" in path:

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("{"):
                name = name[1:-1]
            return environ.get(name, match.group(0))

        path = _VAR_RE.sub(substitute, path)
    if path == "~" or path.startswith(("~/", "~" + os.sep)):
        home = environ.get("HOME") or (environ.get("USERPROFILE") if os.name == "nt" else None)
        if home:
            if path == "~":
                return home
            return home.rstrip("/" + os.sep) + path[1:]
    # "~user" forms, or no HOME in environ: fall back to the standard library.
    return os.path.expanduser(path)


def _read_ini(path: str, kind: str) -> _Sections | None:
    """Parse one INI file as botocore's raw_config_parse does; ``None`` if it is missing."""
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        # Deleted between the isfile() check and open(): still just a missing file.
        return None
    except OSError as exc:
        raise ConfigError(
            f"Cannot read the {kind} file {path}: {exc.strerror or type(exc).__name__}"
        ) from exc
    # A file saved with a BOM by a Windows editor still parses. (Stripped by hand: the
    # utf-8-sig codec is a module of its own to import on a client's first call.)
    skipped = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        text = data[skipped:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Cannot read the {kind} file {path}: it is not valid UTF-8 "
            f"(bad byte at offset {exc.start + skipped})"
        ) from exc
    return _ini_sections(text, kind, path)


def _ini_sections(text: str, kind: str, path: str) -> _Sections:
    """The sections of a file's ``text``, as ``RawConfigParser`` gives them (a
    ``[DEFAULT]`` key in every section that does not set it), nested values parsed."""
    try:
        sections, defaults = _parse_ini(text)
    except _IniSyntaxError as exc:
        raise ConfigError(f"Cannot parse the {kind} file {path}: {exc}") from exc
    result: _Sections = {}
    for section, own in sections.items():
        # A [DEFAULT] key shows in every section that does not set it, after its own keys.
        options = dict(own)
        for option, value in defaults.items():
            options.setdefault(option, value)
        values: dict[str, Any] = {}
        for option, value in options.items():
            if value.startswith("\n"):
                try:
                    values[option] = _parse_nested(value)
                except ValueError as exc:
                    raise ConfigError(
                        f"Cannot parse the {kind} file {path}: the nested section "
                        f"{option!r} in [{section}] has a line without '='"
                    ) from exc
            else:
                values[option] = value
        result[section] = values
    return result


class _IniSyntaxError(ValueError):
    """What :func:`_parse_ini` rejects. The message names lines and keys but never quotes
    a line: it may hold a secret."""


def _parse_ini(text: str) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """``(sections, defaults)``: the file as ``configparser.RawConfigParser`` reads it
    (botocore's reader), without its cost on a client's first call (a parser instance
    scans its own attributes; each line goes through several regular expressions).

    Its rules: lines end at ``\\n`` only; a line whose first non-blank character is ``#``
    or ``;`` is a comment (there are no inline comments); ``[name]`` starts a section
    (the name is everything up to the line's last ``]``); ``[DEFAULT]`` holds the
    ``defaults``; ``key = value`` or ``key: value`` splits at the first delimiter, the key
    lower-cased; a line indented deeper than its option's first line continues the value
    (joined with ``\\n``, blank lines kept, comment lines skipped, trailing blanks
    dropped). :class:`_IniSyntaxError` for content before the first section, a section or
    (within a section) a key given twice, and lines with neither ``=`` nor ``:`` or an
    empty key (these all reported together, at the end unless another error comes first).
    """
    sections: dict[str, dict[str, list[str]]] = {}
    defaults: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    current: dict[str, list[str]] | None = None
    section = ""
    # The option continuation lines extend; "" (a line starting with a delimiter, an
    # error) takes none, as in configparser.
    option: str | None = None
    indent_level = 0
    bad_lines: list[int] = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        value = line.strip()
        if not value or value[0] in "#;":
            if not value and option and current is not None:
                current[option].append("")
            continue
        indent = len(line) - len(line.lstrip())
        if option and current is not None and indent > indent_level:
            current[option].append(value)
            continue
        indent_level = indent
        end = value.rfind("]") if value[0] == "[" else -1
        if end > 1:
            section = value[1:end]
            if section in sections:
                raise _IniSyntaxError(f"section [{section}] appears twice (line {lineno})")
            current = defaults if section == "DEFAULT" else sections.setdefault(section, {})
            option = None
            continue
        if current is None:
            raise _IniSyntaxError(f"line {lineno} comes before any [section] header")
        delimiter = _first_delimiter(value)
        if delimiter < 0:
            bad_lines.append(lineno)
            continue
        if delimiter == 0:
            # An empty key: an error, yet the line still counts below, as in configparser.
            bad_lines.append(lineno)
        option = value[:delimiter].rstrip().lower()
        if (section, option) in seen:
            raise _IniSyntaxError(f"{option!r} appears twice in [{section}] (line {lineno})")
        seen.add((section, option))
        current[option] = [value[delimiter + 1 :].lstrip()]
    if bad_lines:
        lines = ", ".join(map(str, bad_lines))
        raise _IniSyntaxError(f"cannot parse line(s) {lines}")
    return (
        {name: _joined(options) for name, options in sections.items()},
        _joined(defaults),
    )


def _first_delimiter(line: str) -> int:
    """The index of the first ``=`` or ``:`` in ``line``; -1 if it has neither."""
    equals = line.find("=")
    colon = line.find(":")
    if equals < 0 or 0 <= colon < equals:
        return colon
    return equals


def _joined(options: dict[str, list[str]]) -> dict[str, str]:
    """Each option's lines joined into its value, trailing blank lines dropped."""
    return {name: "\n".join(lines).rstrip() for name, lines in options.items()}


def _parse_nested(value: str) -> dict[str, str]:
    """``"\\n a = 1\\n b = 2"`` -> ``{"a": "1", "b": "2"}``; one level, as in botocore."""
    parsed: dict[str, str] = {}
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        key, item = line.split("=", 1)
        parsed[key.strip()] = item.strip()
    return parsed


def _section_name(section: str) -> str | None:
    """``'profile "my dev"'`` -> ``'my dev'``; ``None`` unless it splits into two words."""
    try:
        parts = shlex.split(section)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


def _freeze(sections: _Sections) -> Mapping[str, Mapping[str, Any]]:
    """Read-only views all the way down, so a cached load cannot be altered by callers."""
    return types.MappingProxyType(
        {
            name: types.MappingProxyType(
                {
                    key: types.MappingProxyType(value) if isinstance(value, dict) else value
                    for key, value in values.items()
                }
            )
            for name, values in sections.items()
        }
    )
