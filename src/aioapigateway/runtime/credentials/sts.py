"""AWS STS for credentials: ``AssumeRole`` and ``AssumeRoleWithWebIdentity``.

A minimal query-protocol client (form-encoded POST, XML response) and the two providers
built on it:

* :class:`AssumeRoleProvider`: a profile with ``role_arn`` and either
  ``source_profile`` (static keys, another role, SSO, ``credential_process``...; chains
  are followed and cycles reported) or ``credential_source`` (``Environment``,
  ``Ec2InstanceMetadata``, ``EcsContainer``);
* :class:`WebIdentityProvider`: ``AWS_WEB_IDENTITY_TOKEN_FILE`` + ``AWS_ROLE_ARN`` or the
  profile's ``web_identity_token_file`` + ``role_arn``; the token file is read again
  for every call.

The STS endpoint is the regional one, ``https://sts.{region}.{dnsSuffix}``, or the
global ``https://sts.amazonaws.com`` when no region is known; ``sts_endpoint_url``,
``AWS_ENDPOINT_URL_STS``, ``AWS_ENDPOINT_URL`` or the config file's ``sts`` service
section override it. Requests are retried like botocore's standard mode (3 attempts,
throttling, 5xx, connection errors, ``IDPCommunicationError``).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote, urlsplit

import aiohttp
import attrs

from aioapigateway.runtime.config.profiles import (
    LoadedConfig,
    ProfileLoader,
    SettingLookup,
    check_endpoint_url,
    configured_endpoint_url,
    find_region,
)
from aioapigateway.runtime.credentials.base import (
    CredentialProvider,
    Credentials,
    RefreshingCredentialProvider,
    _parse_expiration,
    _SourceProvider,
)
from aioapigateway.runtime.credentials.http import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_BASE,
    DEFAULT_TIMEOUT,
    CredentialHttp,
    RetriesExhausted,
    RetryableFailure,
    RetryPolicy,
    SessionFactory,
    check_region,
    check_retry_options,
    display_url,
    dns_suffix,
    jittered_backoff,
    proxy_for,
    request_timeout,
    with_retries,
)
from aioapigateway.runtime.errors import AioApiGatewayError, CredentialsError
from aioapigateway.runtime.redact import redact_secrets
from aioapigateway.runtime.retry_codes import THROTTLING_CODES, TRANSIENT_CODES, TRANSIENT_STATUS
from aioapigateway.runtime.signing import SigV4Signer

__all__ = [
    "STS_API_VERSION",
    "AssumeRoleProvider",
    "StsEndpoint",
    "StsSettings",
    "WebIdentityProvider",
    "build_sts_request",
    "parse_sts_credentials",
    "sts_endpoint",
]

STS_API_VERSION: Final = "2011-06-15"
_FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded; charset=utf-8"
_GLOBAL_ENDPOINT: Final = "https://sts.amazonaws.com"
_GLOBAL_SIGNING_REGION: Final = "us-east-1"
_RETRYABLE_STATUS: Final = TRANSIENT_STATUS
# botocore's throttling and transient codes, and one of STS's own (botocore's _retry.json).
_RETRYABLE_CODES: Final = THROTTLING_CODES | TRANSIENT_CODES | {"IDPCommunicationError"}
# How much of an STS error message is quoted.
_MESSAGE_LIMIT: Final = 500
# botocore's canonical names for credential_source (compared case-insensitively).
CREDENTIAL_SOURCES: Final = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


# --- the protocol ------------------------------------------------------------------------


@attrs.frozen
class StsEndpoint:
    """Where STS requests go, and the region they are signed for."""

    url: str
    signing_region: str


def sts_endpoint(region: str | None, endpoint_url: str | None = None) -> StsEndpoint:
    """The STS endpoint for ``region``: regional, or global when the region is unknown.

    ``endpoint_url`` (a configured override) wins; it is signed for ``region``, else
    ``us-east-1``.
    """
    if region is not None:
        check_region(region, "the region for STS")
    if endpoint_url:
        check_endpoint_url(endpoint_url, "the STS endpoint URL")
        return StsEndpoint(endpoint_url, region or _GLOBAL_SIGNING_REGION)
    if region is None or region == "aws-global":
        return StsEndpoint(_GLOBAL_ENDPOINT, _GLOBAL_SIGNING_REGION)
    return StsEndpoint(f"https://sts.{region}.{dns_suffix(region)}", region)


def _form_encode(pairs: Sequence[tuple[str, str]]) -> bytes:
    # botocore's percent_encode_sequence: only RFC 3986 unreserved characters stay.
    encoded = []
    for key, value in pairs:
        try:
            encoded.append(f"{quote(key, safe='-_.~')}={quote(value, safe='-_.~')}")
        except UnicodeEncodeError:
            # A lone surrogate: what a variable holding invalid UTF-8 decodes to. The
            # value is not shown (it may be a token).
            raise CredentialsError(f"The STS parameter {key} is not valid Unicode") from None
    return "&".join(encoded).encode()


def build_sts_request(
    endpoint: StsEndpoint,
    action: str,
    params: Sequence[tuple[str, str]],
    credentials: Credentials | None,
    *,
    now: datetime.datetime | None = None,
) -> tuple[str, dict[str, str], bytes]:
    """``(url, headers, body)`` of a query-protocol STS call, SigV4-signed when
    ``credentials`` are given (``AssumeRoleWithWebIdentity`` is sent unsigned)."""
    body = _form_encode([("Action", action), ("Version", STS_API_VERSION), *params])
    parts = urlsplit(endpoint.url)
    path = parts.path or "/"
    url = f"{parts.scheme}://{parts.netloc}{path}"
    headers = {"Content-Type": _FORM_CONTENT_TYPE}
    if credentials is not None:
        host = parts.netloc.rpartition("@")[2]
        SigV4Signer("sts", endpoint.signing_region).sign(
            method="POST",
            url_host=host,
            scheme=parts.scheme,
            path=path,
            query=[],
            headers=headers,
            body=body,
            credentials=credentials,
            now=now,
        )
    return url, headers, body


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _parse_xml(body: bytes) -> ET.Element | None:
    # ElementTree resolves no external entities; refusing any DTD also rules out
    # entity expansion bombs in a hostile response.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        return None
    try:
        return ET.fromstring(body)
    except (ET.ParseError, ValueError):
        return None


def parse_sts_credentials(body: bytes, action: str, where: str) -> Credentials:
    """``<{action}Response><{action}Result><Credentials>...`` -> :class:`Credentials`.

    Error messages name the missing element, never a value.
    """
    root = _parse_xml(body)
    if root is None or _local(root.tag) != f"{action}Response":
        raise CredentialsError(f"{where}: the response is not a valid {action} XML document")
    result = _child(root, f"{action}Result")
    credentials = _child(result, "Credentials") if result is not None else None
    if credentials is None:
        raise CredentialsError(f"{where}: the response has no {action}Result/Credentials")
    values: dict[str, str] = {}
    for name in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
        element = _child(credentials, name)
        text = (element.text or "").strip() if element is not None else ""
        if not text:
            raise CredentialsError(f"{where}: the response has no Credentials/{name}")
        values[name] = text
    return Credentials(
        values["AccessKeyId"],
        values["SecretAccessKey"],
        values["SessionToken"],
        _parse_expiration(values["Expiration"], f"{where}: Credentials/Expiration"),
    )


def _sts_error(body: bytes) -> tuple[str, str]:
    """``(code, message)`` of an ``<ErrorResponse>``, or empty strings."""
    root = _parse_xml(body)
    if root is None:
        return "", ""
    error = root if _local(root.tag) == "Error" else _child(root, "Error")
    if error is None:
        return "", ""
    code_element = _child(error, "Code")
    message_element = _child(error, "Message")
    code = (code_element.text or "").strip() if code_element is not None else ""
    message = (message_element.text or "").strip() if message_element is not None else ""
    if not code.isprintable():
        code = "<unprintable code>"
    return code[:100], message


@attrs.frozen
class StsSettings:
    """Everything an STS call needs besides its parameters."""

    endpoint: StsEndpoint
    proxy: str | None = None
    ca_bundle: str | None = None
    timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_base: float = DEFAULT_RETRY_BASE


async def call_sts(
    http: CredentialHttp,
    settings: StsSettings,
    action: str,
    params: Sequence[tuple[str, str]],
    *,
    credentials: Credentials | None,
    where: str,
    secrets: Sequence[str] = (),
) -> Credentials:
    """Call ``action`` and return the credentials it grants.

    ``secrets`` (a web identity token, the source session token) are scrubbed from any
    message STS sends back. Raises :class:`CredentialsError` with STS's error code and
    message.
    """
    ssl_context = await http.ssl_context(settings.ca_bundle)
    policy = RetryPolicy(settings.max_attempts, jittered_backoff(settings.retry_base))
    async with http.session() as session:

        async def attempt() -> Credentials:
            # Signed afresh on each attempt: the signature covers the time.
            url, headers, body = build_sts_request(settings.endpoint, action, params, credentials)
            result = await http.request(
                session,
                "POST",
                url,
                headers=headers,
                data=body,
                timeout=settings.timeout,
                proxy=settings.proxy,
                ssl_context=ssl_context,
            )
            if result.status == 200:
                return parse_sts_credentials(result.body, action, where)
            code, message = _sts_error(result.body)
            failure = f"HTTP {result.status}" + (
                f" {code}: {redact_secrets(message, secrets, _MESSAGE_LIMIT)}" if code else ""
            )
            if result.status in _RETRYABLE_STATUS or code in _RETRYABLE_CODES:
                raise RetryableFailure(failure)
            raise CredentialsError(f"{where} failed: {failure}")

        try:
            return await with_retries(attempt, policy, where)
        except RetriesExhausted as exc:
            raise CredentialsError(
                f"{where} failed after {exc.attempts} attempt(s) "
                f"({display_url(settings.endpoint.url)}): {exc.failure}"
            ) from None


# --- shared settings ---------------------------------------------------------------------


def _text(section: Mapping[str, Any], key: str) -> str | None:
    value = section.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise CredentialsError(f"{key} must be a single value, not a nested section")
    return value


def resolve_sts_settings(
    *,
    environ: Mapping[str, str],
    loaded: LoadedConfig,
    config_profile: str,
    region: str | None,
    endpoint_url: str | None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_base: float = DEFAULT_RETRY_BASE,
    timeout: float | None = None,
) -> StsSettings:
    """STS settings for a call made on behalf of ``config_profile``.

    Region: ``region``, else ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's
    ``region`` (as for the client: :func:`aioapigateway.runtime.config.profiles.find_region`).
    Endpoint: ``endpoint_url``, else the configured endpoint URLs
    (:func:`aioapigateway.runtime.config.profiles.configured_endpoint_url`).
    """
    lookup = SettingLookup(environ, loaded, config_profile)
    if region is None:
        region = find_region(None, lookup, "STS")
    if endpoint_url is None:
        endpoint_url = configured_endpoint_url(lookup, "STS", "sts")
    endpoint = sts_endpoint(region, endpoint_url)
    return StsSettings(
        endpoint=endpoint,
        proxy=proxy_for(endpoint.url, environ),
        ca_bundle=_found(lookup.find("AWS_CA_BUNDLE", "ca_bundle")),
        timeout=request_timeout(timeout),
        max_attempts=max_attempts,
        retry_base=retry_base,
    )


def _found(found: tuple[str, str] | None) -> str | None:
    """The value of a :meth:`SettingLookup.find` result."""
    return None if found is None else found[0]


def _default_session_name() -> str:
    # botocore: f"botocore-session-{int(time.time())}".
    return f"aioapigateway-session-{int(time.time())}"


# --- web identity ------------------------------------------------------------------------


class WebIdentityProvider(_SourceProvider):
    """``AssumeRoleWithWebIdentity`` with a token read from a file at every call.

    Each setting comes from its environment variable, else the profile key, as in
    botocore: ``AWS_WEB_IDENTITY_TOKEN_FILE`` / ``web_identity_token_file``,
    ``AWS_ROLE_ARN`` / ``role_arn``, ``AWS_ROLE_SESSION_NAME`` / ``role_session_name``.
    ``use_environment=False`` (an explicitly chosen profile, or a source profile)
    ignores the variables. Not configured without a token file; then a missing role ARN
    is an error. The request is not signed.
    """

    _ENV_VARS: Final = {
        "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
        "role_arn": "AWS_ROLE_ARN",
        "role_session_name": "AWS_ROLE_SESSION_NAME",
    }

    def __init__(
        self,
        profile: str,
        loader: ProfileLoader,
        environ: Mapping[str, str] | None = None,
        *,
        use_environment: bool = True,
        session_factory: SessionFactory | None = None,
        region: str | None = None,
        sts_endpoint_url: str | None = None,
        config_profile: str | None = None,
        http: CredentialHttp | None = None,
        timeout: float | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_base: float = DEFAULT_RETRY_BASE,
    ) -> None:
        super().__init__("web-identity")
        check_retry_options(timeout, max_attempts, retry_base)
        self._profile = profile
        self._loader = loader
        self._environ = environ
        self._use_environment = use_environment
        self._http = http if http is not None else CredentialHttp(session_factory)
        self._region = region
        self._sts_endpoint_url = sts_endpoint_url
        self._config_profile = config_profile or profile
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._retry_base = retry_base
        self._session_name: str | None = None
        self._description = "web identity"

    def _setting(
        self, environ: Mapping[str, str], section: Mapping[str, Any], key: str
    ) -> str | None:
        if self._use_environment:
            value = environ.get(self._ENV_VARS[key])
            if value:
                return value
        return _text(section, key)

    async def load(self) -> Credentials | None:
        """Read the token and call STS; ``None`` when no token file is configured."""
        environ = os.environ if self._environ is None else self._environ
        loaded = await self._loader.load()
        section = loaded.profile(self._profile)
        token_file = self._setting(environ, section, "web_identity_token_file")
        if token_file is None:
            self._description = (
                "web identity ("
                + ("AWS_WEB_IDENTITY_TOKEN_FILE not set, " if self._use_environment else "")
                + f"no web_identity_token_file in profile {self._profile!r})"
            )
            return None
        role_arn = self._setting(environ, section, "role_arn")
        where = f"web identity token file {token_file}"
        self._description = f"web identity ({where})"
        if role_arn is None:
            raise CredentialsError(
                f"Web identity is configured ({where}) but no role ARN is: set "
                f"role_arn in profile {self._profile!r}"
                + (" or the AWS_ROLE_ARN environment variable" if self._use_environment else "")
            )
        params: list[tuple[str, str]] = []
        session_name = self._setting(environ, section, "role_session_name")
        if session_name is not None:
            params.append(("RoleSessionName", session_name))
        params.append(("RoleArn", role_arn))
        if session_name is None:
            # Generated once and kept across refreshes, as botocore's fetcher does.
            if self._session_name is None:
                self._session_name = _default_session_name()
            params.append(("RoleSessionName", self._session_name))
        token = await _read_token_file(token_file, where)
        params.append(("WebIdentityToken", token))
        settings = resolve_sts_settings(
            environ=environ,
            loaded=loaded,
            config_profile=self._config_profile,
            region=self._region,
            endpoint_url=self._sts_endpoint_url,
            timeout=self._timeout,
            max_attempts=self._max_attempts,
            retry_base=self._retry_base,
        )
        return await call_sts(
            self._http,
            settings,
            "AssumeRoleWithWebIdentity",
            params,
            credentials=None,
            where=f"AssumeRoleWithWebIdentity for {role_arn}",
            secrets=(token,),
        )


async def _read_token_file(path: str, where: str) -> str:
    def read() -> str:
        with open(path, encoding="utf-8") as handle:
            return handle.read()

    try:
        token = await asyncio.to_thread(read)
    except UnicodeDecodeError as exc:
        raise CredentialsError(f"Cannot read the {where}: it is not UTF-8") from exc
    except OSError as exc:
        raise CredentialsError(
            f"Cannot read the {where}: {exc.strerror or type(exc).__name__}"
        ) from exc
    # A JWT holds no whitespace; a trailing newline from `echo` would break it.
    token = token.strip()
    if not token:
        raise CredentialsError(f"The {where} is empty")
    return token


# --- assume role -------------------------------------------------------------------------


def _has_static_keys(section: Mapping[str, Any]) -> bool:
    return "aws_access_key_id" in section or "aws_secret_access_key" in section


def _is_role_profile(section: Mapping[str, Any]) -> bool:
    # botocore: role_arn without web_identity_token_file (which web identity handles).
    return "role_arn" in section and "web_identity_token_file" not in section


@attrs.frozen
class _RoleConfig:
    profile: str
    role_arn: str
    params: tuple[tuple[str, str], ...]
    generate_session_name: bool


class _NamedSource:
    """A credential_source: a provider that must produce credentials."""

    def __init__(self, provider: Any, name: str, profile: str) -> None:
        self._provider = provider
        self._name = name
        self._profile = profile

    def __repr__(self) -> str:
        return f"<credential_source {self._name}>"

    async def resolve(self) -> Credentials:
        try:
            credentials: Credentials = await self._provider.resolve()
        except CredentialsError as exc:
            raise CredentialsError(
                f"credential_source {self._name} of profile {self._profile!r}: {exc}"
            ) from exc
        return credentials


class _AssumedRole(RefreshingCredentialProvider):
    """Credentials of one role in a chain, refreshed by calling AssumeRole again."""

    def __init__(
        self, owner: AssumeRoleProvider, config: _RoleConfig, source: CredentialProvider
    ) -> None:
        super().__init__(self._assume, name=f"assume role {config.role_arn}")
        self._owner = owner
        self.config = config
        self.source = source
        self._session_name: str | None = None

    async def _assume(self) -> Credentials:
        return await self._owner._assume(self)

    def session_name(self) -> str:
        if self._session_name is None:
            self._session_name = _default_session_name()
        return self._session_name


class AssumeRoleProvider(_SourceProvider):
    """``AssumeRole`` for a profile with ``role_arn``.

    The source credentials come from ``source_profile`` (whose own credentials are
    found by the profile-based providers: web identity, SSO, the shared credentials
    file, ``credential_process``, the config file; or by assuming its role in turn) or
    from ``credential_source``. ``role_session_name``, ``external_id`` and
    ``duration_seconds`` are passed on; ``mfa_serial`` is refused (no interactive
    prompt). A ``source_profile`` cycle is an error naming the cycle, except a profile
    naming itself while holding static keys (botocore allows that).

    Not configured unless the profile has ``role_arn`` and no
    ``web_identity_token_file``.
    """

    def __init__(
        self,
        profile: str,
        loader: ProfileLoader,
        environ: Mapping[str, str] | None = None,
        *,
        session_factory: SessionFactory | None = None,
        region: str | None = None,
        sts_endpoint_url: str | None = None,
        http: CredentialHttp | None = None,
        timeout: float | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_base: float = DEFAULT_RETRY_BASE,
    ) -> None:
        super().__init__("assume-role")
        check_retry_options(timeout, max_attempts, retry_base)
        self._profile = profile
        self._loader = loader
        self._environ = environ
        self._http = http if http is not None else CredentialHttp(session_factory)
        self._region = region
        self._sts_endpoint_url = sts_endpoint_url
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._retry_base = retry_base
        self._role: _AssumedRole | None = None
        self._description = "assume role"

    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    async def load(self) -> Credentials | None:
        """Assume the role afresh; ``None`` when the profile has no ``role_arn``."""
        loaded = await self._loader.load()
        if not _is_role_profile(loaded.profile(self._profile)):
            self._description = f"assume role (no role_arn in profile {self._profile!r})"
            return None
        if self._role is None:
            self._role = self._build(loaded, self._profile, [self._profile])
        role = self._role
        self._description = f"assume role ({role.config.role_arn} from profile {self._profile!r})"
        return await self._assume(role)

    def _build(self, loaded: LoadedConfig, name: str, visited: list[str]) -> _AssumedRole:
        """The chain of roles behind profile ``name``; ``visited`` detects cycles."""
        section = loaded.profile(name)
        where = f"profile {name!r}"
        role_arn = _text(section, "role_arn")
        if role_arn is None:
            raise CredentialsError(f"role_arn in {where} is empty")
        source_profile = _text(section, "source_profile")
        credential_source = _text(section, "credential_source")
        mfa_serial = _text(section, "mfa_serial")
        if source_profile is not None and credential_source is not None:
            raise CredentialsError(
                f"{where} sets both source_profile and credential_source; use one"
            )
        if source_profile is None and credential_source is None:
            raise CredentialsError(
                f"{where} sets role_arn but neither source_profile nor credential_source: "
                "there are no credentials to assume the role with"
            )
        if mfa_serial is not None:
            raise CredentialsError(
                f"{where} sets mfa_serial ({mfa_serial}): assuming a role with MFA needs "
                "an interactive code, which aioapigateway does not support; use a "
                "credential_process or an SSO profile instead"
            )
        params: list[tuple[str, str]] = []
        # The order botocore sends them in (its extra_args, then RoleArn).
        session_name = _text(section, "role_session_name")
        if session_name is not None:
            params.append(("RoleSessionName", session_name))
        external_id = _text(section, "external_id")
        if external_id is not None:
            params.append(("ExternalId", external_id))
        duration = _text(section, "duration_seconds")
        if duration is not None:
            try:
                seconds = int(duration)
            except ValueError:
                raise CredentialsError(
                    f"duration_seconds in {where} must be a whole number of seconds, "
                    f"got {duration!r}"
                ) from None
            params.append(("DurationSeconds", str(seconds)))
        params.append(("RoleArn", role_arn))
        config = _RoleConfig(name, role_arn, tuple(params), session_name is None)

        source: CredentialProvider
        if credential_source is not None:
            source = self._named_source(credential_source, name)
        else:
            assert source_profile is not None
            source = self._source_profile(loaded, name, source_profile, visited)
        return _AssumedRole(self, config, source)

    def _source_profile(
        self, loaded: LoadedConfig, parent: str, name: str, visited: list[str]
    ) -> CredentialProvider:
        if not loaded.has_profile(name):
            raise CredentialsError(
                f"The source_profile {name!r} of profile {parent!r} does not exist"
            )
        section = loaded.profile(name)
        if name in visited and not (name == parent and _has_static_keys(section)):
            cycle = " -> ".join([*visited, name])
            raise CredentialsError(f"Infinite loop in source_profile references: {cycle}")
        visited.append(name)
        if _has_static_keys(section) or not _is_role_profile(section):
            from aioapigateway.runtime.credentials.chain import _ProfileChain

            return _ProfileChain(
                name,
                self._loader,
                self._environ,
                http=self._http,
                region=self._region,
                sts_endpoint_url=self._sts_endpoint_url,
                config_profile=self._profile,
                referenced_by=parent,
            )
        return self._build(loaded, name, visited)

    def _named_source(self, source_name: str, profile: str) -> CredentialProvider:
        lowered = source_name.lower()
        provider: Any
        if lowered == "environment":
            from aioapigateway.runtime.credentials.local import EnvironmentCredentialsProvider

            provider = EnvironmentCredentialsProvider(self._environ)
        elif lowered == "ec2instancemetadata":
            from aioapigateway.runtime.credentials.imds import InstanceMetadataProvider

            provider = InstanceMetadataProvider(
                self._profile, self._loader, self._environ, http=self._http
            )
        elif lowered == "ecscontainer":
            from aioapigateway.runtime.credentials.container import ContainerCredentialsProvider

            provider = ContainerCredentialsProvider(self._environ, http=self._http)
        else:
            raise CredentialsError(
                f"The credential_source {source_name!r} of profile {profile!r} is not "
                f"valid; use one of {', '.join(CREDENTIAL_SOURCES)}"
            )
        return _NamedSource(provider, source_name, profile)

    async def _assume(self, role: _AssumedRole) -> Credentials:
        config = role.config
        where = f"AssumeRole {config.role_arn} (profile {config.profile!r})"
        try:
            source = await role.source.resolve()
        except AioApiGatewayError as exc:
            raise CredentialsError(f"{where}: cannot get the source credentials: {exc}") from exc
        params = list(config.params)
        if config.generate_session_name:
            params.append(("RoleSessionName", role.session_name()))
        settings = resolve_sts_settings(
            environ=self._env(),
            loaded=await self._loader.load(),
            config_profile=self._profile,
            region=self._region,
            endpoint_url=self._sts_endpoint_url,
            timeout=self._timeout,
            max_attempts=self._max_attempts,
            retry_base=self._retry_base,
        )
        return await call_sts(
            self._http,
            settings,
            "AssumeRole",
            params,
            credentials=source,
            where=where,
            secrets=tuple(s for s in (source.session_token, source.secret_access_key) if s),
        )
