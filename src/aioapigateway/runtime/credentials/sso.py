"""IAM Identity Center (SSO) credentials.

A profile with ``sso_account_id`` / ``sso_role_name`` and either ``sso_session = NAME``
(a ``[sso-session NAME]`` section with ``sso_start_url`` and ``sso_region``) or the
legacy ``sso_start_url`` + ``sso_region`` keys. The access token is the one ``aws sso
login`` cached in ``~/.aws/sso/cache/<sha1>.json`` (the SHA-1 of the session name, or
of the start URL for a legacy profile); it is exchanged for role credentials with the
SSO portal's ``GetRoleCredentials``.

As in botocore, a token of an ``sso-session`` that expires within 15 minutes is
refreshed with SSO-OIDC ``CreateToken`` (``refresh_token`` grant) when the cache holds
a refresh token and an unexpired client registration, and the new token is written
back to the cache. A legacy token is never refreshed. An expired token that cannot be
refreshed is an error telling the user to run ``aws sso login``.

No access token, refresh token or client secret appears in a message, log or repr.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

from aioapigateway.runtime.config.profiles import (
    LoadedConfig,
    ProfileLoader,
    SettingLookup,
    _expand_path,
    check_endpoint_url,
    configured_endpoint_url,
)
from aioapigateway.runtime.credentials.base import Credentials, _parse_expiration, _SourceProvider
from aioapigateway.runtime.credentials.http import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_BASE,
    CredentialHttp,
    HttpResult,
    RetriesExhausted,
    RetryableFailure,
    RetryPolicy,
    SessionFactory,
    check_region,
    check_retry_options,
    display_url,
    dns_suffix,
    jittered_backoff,
    json_object,
    proxy_for,
    request_timeout,
    with_retries,
)
from aioapigateway.runtime.errors import CredentialsError
from aioapigateway.runtime.redact import redact_secrets

__all__ = ["SSO_CACHE_DIR", "SSOProvider", "sso_cache_key"]

_log = logging.getLogger("aioapigateway.credentials")

#: Where ``aws sso login`` caches tokens (``~`` is ``environ["HOME"]``).
SSO_CACHE_DIR: Final = "~/.aws/sso/cache"
# botocore's SSOTokenProvider._REFRESH_WINDOW.
_TOKEN_REFRESH_WINDOW: Final = 15 * 60
_RETRYABLE_STATUS: Final = frozenset({429, 500, 502, 503, 504})
_MESSAGE_LIMIT: Final = 500
_PROFILE_KEYS: Final = ("sso_role_name", "sso_account_id")
_SSO_KEYS: Final = ("sso_start_url", "sso_region")


def sso_cache_key(start_url: str, session_name: str | None) -> str:
    """The cache file's name without ``.json``: botocore's SSOTokenLoader key."""
    return hashlib.sha1((session_name or start_url).encode("utf-8")).hexdigest()


def _login_hint(session_name: str | None, profile: str) -> str:
    if session_name is not None:
        return f"run `aws sso login --sso-session {session_name}`"
    return f"run `aws sso login --profile {profile}`"


class _SsoConfig:
    def __init__(self, values: Mapping[str, str], session_name: str | None) -> None:
        self.start_url = values["sso_start_url"]
        self.region = values["sso_region"]
        self.role_name = values["sso_role_name"]
        self.account_id = values["sso_account_id"]
        self.session_name = session_name


def _sso_config(loaded: LoadedConfig, profile: str) -> _SsoConfig | None:
    """botocore's SSOProvider._load_sso_config; ``None`` when SSO is not configured."""
    section = loaded.profile(profile)
    if all(key not in section for key in _PROFILE_KEYS):
        return None
    values: dict[str, Any] = dict(section)
    session_name = section.get("sso_session")
    required: tuple[str, ...] = _PROFILE_KEYS + _SSO_KEYS
    if session_name is not None:
        if not isinstance(session_name, str) or not loaded.sso_session(session_name):
            raise CredentialsError(
                f"Profile {profile!r} refers to sso_session {session_name!r}, but the "
                f"config file {loaded.config_file} has no [sso-session {session_name}] section"
            )
        for key, value in loaded.sso_session(session_name).items():
            if values.get(key, value) != value:
                raise CredentialsError(
                    f"{key} differs between profile {profile!r} and [sso-session {session_name}]"
                )
            values[key] = value
        required += ("sso_session",)
    missing = [key for key in required if not isinstance(values.get(key), str) or not values[key]]
    if missing:
        raise CredentialsError(
            f"Profile {profile!r} is configured to use SSO but is missing required "
            f"configuration: {', '.join(missing)}"
        )
    return _SsoConfig(values, session_name)


def _parse_time(value: object, where: str) -> datetime.datetime:
    if not isinstance(value, str) or not value:
        raise CredentialsError(f"{where} is missing or not a string")
    text = value.strip()
    # Older AWS CLI versions wrote "2024-01-01T00:00:00UTC".
    if text.endswith("UTC"):
        text = text[:-3] + "+00:00"
    return _parse_expiration(text, where)


def _format_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error_of(result: HttpResult, secrets: Sequence[str]) -> tuple[str, str]:
    """``(code, message)`` of a rest-json error response (both may be empty)."""
    code = result.headers.get("x-amzn-ErrorType", "").partition(":")[0]
    message = ""
    try:
        data = json_object(result.body, "")
    except CredentialsError:
        data = {}
    if not code:
        raw = data.get("__type") or data.get("code") or data.get("error")
        code = raw.rpartition("#")[2] if isinstance(raw, str) else ""
    raw_message = data.get("message") or data.get("Message") or data.get("error_description")
    if isinstance(raw_message, str):
        message = redact_secrets(raw_message, secrets, _MESSAGE_LIMIT)
    if not code.isprintable():
        code = ""
    return code[:100], message


class SSOProvider(_SourceProvider):
    """Credentials of an IAM Identity Center role, with the token ``aws sso login`` cached.

    ``sso_endpoint_url`` / ``oidc_endpoint_url`` override the SSO portal and SSO-OIDC
    endpoints (else ``AWS_ENDPOINT_URL_SSO`` / ``AWS_ENDPOINT_URL_SSO_OIDC``,
    ``AWS_ENDPOINT_URL``, the config file's services section, then
    ``https://portal.sso.{sso_region}.amazonaws.com`` / ``https://oidc.{sso_region}...``).
    ``cache_dir`` overrides ``~/.aws/sso/cache``. Not configured unless the profile has
    ``sso_account_id`` or ``sso_role_name``.
    """

    def __init__(
        self,
        profile: str,
        loader: ProfileLoader,
        environ: Mapping[str, str] | None = None,
        *,
        session_factory: SessionFactory | None = None,
        http: CredentialHttp | None = None,
        sso_endpoint_url: str | None = None,
        oidc_endpoint_url: str | None = None,
        cache_dir: str | None = None,
        timeout: float | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_base: float = DEFAULT_RETRY_BASE,
    ) -> None:
        super().__init__("sso")
        check_retry_options(timeout, max_attempts, retry_base)
        self._timeout = request_timeout(timeout)
        self._profile = profile
        self._loader = loader
        self._environ = environ
        self._http = http if http is not None else CredentialHttp(session_factory)
        self._sso_endpoint_url = sso_endpoint_url
        self._oidc_endpoint_url = oidc_endpoint_url
        self._cache_dir = cache_dir
        self._max_attempts = max_attempts
        self._retry_base = retry_base
        self._description = "SSO"

    async def load(self) -> Credentials | None:
        """Exchange the cached token for role credentials; ``None`` without SSO settings."""
        environ = os.environ if self._environ is None else self._environ
        loaded = await self._loader.load()
        config = _sso_config(loaded, self._profile)
        if config is None:
            self._description = (
                f"SSO (no sso_account_id or sso_role_name in profile {self._profile!r})"
            )
            return None
        check_region(config.region, f"sso_region of profile {self._profile!r}")
        self._description = f"SSO (role {config.role_name} in account {config.account_id})"
        cache_dir = self._cache_dir or _expand_path(SSO_CACHE_DIR, environ)
        path = os.path.join(
            cache_dir, sso_cache_key(config.start_url, config.session_name) + ".json"
        )
        token = await self._access_token(config, path, environ, loaded)
        return await self._role_credentials(config, token, environ, loaded)

    # --- the token ------------------------------------------------------------------------

    async def _access_token(
        self, config: _SsoConfig, path: str, environ: Mapping[str, str], loaded: LoadedConfig
    ) -> str:
        name = config.session_name or config.start_url
        hint = _login_hint(config.session_name, self._profile)
        cached = await asyncio.to_thread(_read_cache, path)
        if cached is None:
            raise CredentialsError(f"No cached SSO token for {name} ({path}): {hint}")
        if isinstance(cached, str):
            raise CredentialsError(f"The cached SSO token for {name} ({path}) {cached}: {hint}")
        access_token = cached.get("accessToken")
        if not isinstance(access_token, str) or not access_token:
            raise CredentialsError(
                f"The cached SSO token for {name} ({path}) has no accessToken: {hint}"
            )
        expires_at = _parse_time(
            cached.get("expiresAt"), f"expiresAt in the SSO token cache {path}"
        )
        remaining = expires_at.timestamp() - self._clock()
        if config.session_name is not None and remaining < _TOKEN_REFRESH_WINDOW:
            refreshed = await self._refresh_token(config, cached, path, environ, loaded)
            if refreshed is not None:
                return refreshed
        if remaining <= 0:
            raise CredentialsError(
                f"The SSO token for {name} expired at {expires_at.isoformat()}"
                + (" and could not be refreshed" if config.session_name is not None else "")
                + f": {hint}"
            )
        return access_token

    async def _refresh_token(
        self,
        config: _SsoConfig,
        cached: Mapping[str, Any],
        path: str,
        environ: Mapping[str, str],
        loaded: LoadedConfig,
    ) -> str | None:
        """botocore's SSOTokenProvider._refresh_access_token; ``None`` when it cannot."""
        keys = ("refreshToken", "clientId", "clientSecret", "registrationExpiresAt")
        missing = [key for key in keys if not isinstance(cached.get(key), str) or not cached[key]]
        if missing:
            _log.info("Cannot refresh the SSO token: the cache lacks %s", ", ".join(missing))
            return None
        try:
            registration = _parse_time(cached["registrationExpiresAt"], "registrationExpiresAt")
        except CredentialsError:
            return None
        if registration.timestamp() <= self._clock():
            _log.info("SSO client registration expired at %s", registration.isoformat())
            return None
        secrets = (cached["refreshToken"], cached["clientSecret"], cached.get("accessToken", ""))
        url = self._oidc_endpoint_url or configured_endpoint_url(
            SettingLookup(environ, loaded, self._profile), "SSO_OIDC", "sso_oidc"
        )
        base = url or f"https://oidc.{config.region}.{dns_suffix(config.region)}"
        check_endpoint_url(base, "the SSO-OIDC endpoint URL")
        body = json.dumps(
            {
                "grantType": "refresh_token",
                "clientId": cached["clientId"],
                "clientSecret": cached["clientSecret"],
                "refreshToken": cached["refreshToken"],
            }
        ).encode()
        try:
            result = await self._send(
                "POST",
                base.rstrip("/") + "/token",
                {"Content-Type": "application/json"},
                body,
                environ,
                loaded,
                "SSO-OIDC CreateToken",
            )
            if result.status != 200:
                code, message = _error_of(result, secrets)
                raise CredentialsError(
                    f"SSO-OIDC CreateToken failed: HTTP {result.status} {code}: {message}"
                )
            data = json_object(result.body, "the SSO-OIDC CreateToken response")
            access_token = data.get("accessToken")
            expires_in = data.get("expiresIn")
            if not isinstance(access_token, str) or not access_token:
                raise CredentialsError("the SSO-OIDC CreateToken response has no accessToken")
            if type(expires_in) is not int or expires_in <= 0:
                raise CredentialsError("the SSO-OIDC CreateToken response has no valid expiresIn")
        except CredentialsError as exc:
            _log.warning("Refreshing the SSO token failed: %s", exc)
            return None
        now = datetime.datetime.fromtimestamp(self._clock(), datetime.UTC)
        token = {
            "startUrl": config.start_url,
            "region": config.region,
            "accessToken": access_token,
            "expiresAt": _format_time(now + datetime.timedelta(seconds=expires_in)),
            "clientId": cached["clientId"],
            "clientSecret": cached["clientSecret"],
            "registrationExpiresAt": cached["registrationExpiresAt"],
        }
        new_refresh = data.get("refreshToken")
        token["refreshToken"] = (
            new_refresh if isinstance(new_refresh, str) and new_refresh else cached["refreshToken"]
        )
        try:
            await asyncio.to_thread(_write_cache, path, token)
        except OSError as exc:
            _log.warning(
                "Could not save the refreshed SSO token to %s: %s",
                path,
                exc.strerror or type(exc).__name__,
            )
        _log.info("SSO token refresh succeeded")
        return access_token

    # --- the role credentials ---------------------------------------------------------

    async def _role_credentials(
        self, config: _SsoConfig, token: str, environ: Mapping[str, str], loaded: LoadedConfig
    ) -> Credentials:
        url = self._sso_endpoint_url or configured_endpoint_url(
            SettingLookup(environ, loaded, self._profile), "SSO", "sso"
        )
        base = url or f"https://portal.sso.{config.region}.{dns_suffix(config.region)}"
        check_endpoint_url(base, "the SSO portal endpoint URL")
        query = (
            f"role_name={quote(config.role_name, safe='-_.~')}"
            f"&account_id={quote(config.account_id, safe='-_.~')}"
        )
        where = f"SSO GetRoleCredentials for role {config.role_name} in account {config.account_id}"
        if any(ord(c) < 0x21 or ord(c) == 0x7F for c in token) or not token.isascii():
            # A header value; JSON can also smuggle in a lone surrogate ("\udc80").
            raise CredentialsError(
                f"{where}: the cached access token holds control or non-ASCII characters"
            )
        result = await self._send(
            "GET",
            f"{base.rstrip('/')}/federation/credentials?{query}",
            {"x-amz-sso_bearer_token": token},
            None,
            environ,
            loaded,
            where,
        )
        if result.status != 200:
            code, message = _error_of(result, (token,))
            if result.status == 401 or code == "UnauthorizedException":
                raise CredentialsError(
                    f"{where}: the SSO session has expired or is invalid: "
                    + _login_hint(config.session_name, self._profile)
                )
            raise CredentialsError(
                f"{where} failed: HTTP {result.status}"
                + (f" {code}" if code else "")
                + (f": {message}" if message else "")
            )
        data = json_object(result.body, f"the {where} response")
        role = data.get("roleCredentials")
        if not isinstance(role, dict):
            raise CredentialsError(f"The {where} response has no roleCredentials object")
        values: dict[str, str] = {}
        for key in ("accessKeyId", "secretAccessKey", "sessionToken"):
            value = role.get(key)
            if not isinstance(value, str) or not value:
                raise CredentialsError(f"The {where} response has no valid {key}")
            values[key] = value
        expiration = role.get("expiration")
        if isinstance(expiration, bool) or not isinstance(expiration, int | float):
            raise CredentialsError(f"The {where} response has no valid expiration")
        try:
            expiry = datetime.datetime.fromtimestamp(expiration / 1000, datetime.UTC)
        except (OverflowError, OSError, ValueError):
            raise CredentialsError(f"The {where} response has an out-of-range expiration") from None
        return Credentials(
            values["accessKeyId"], values["secretAccessKey"], values["sessionToken"], expiry
        )

    async def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        environ: Mapping[str, str],
        loaded: LoadedConfig,
        where: str,
    ) -> HttpResult:
        """One call with botocore's standard retries (throttling, 5xx, connection errors)."""
        # As the client reads it; a nested ca_bundle section is a ConfigError there too.
        ca_bundle = SettingLookup(environ, loaded, self._profile).find("AWS_CA_BUNDLE", "ca_bundle")
        ssl_context = await self._http.ssl_context(None if ca_bundle is None else ca_bundle[0])
        proxy = proxy_for(url, environ)
        policy = RetryPolicy(self._max_attempts, jittered_backoff(self._retry_base))
        async with self._http.session() as session:

            async def attempt() -> HttpResult:
                result = await self._http.request(
                    session,
                    method,
                    url,
                    headers=headers,
                    data=body,
                    timeout=self._timeout,
                    proxy=proxy,
                    ssl_context=ssl_context,
                )
                if result.status in _RETRYABLE_STATUS:
                    raise RetryableFailure(f"HTTP {result.status}")
                return result

            try:
                return await with_retries(attempt, policy, where)
            except RetriesExhausted as exc:
                raise CredentialsError(
                    f"{where} failed after {exc.attempts} attempt(s) ({display_url(url)}): "
                    f"{exc.failure}"
                ) from None


def _read_cache(path: str) -> dict[str, Any] | str | None:
    """The cached token; ``None`` if the file is missing; a reason string if unusable."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(1 << 20)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or type(exc).__name__})"
    try:
        data = json_object(raw, "")
    except CredentialsError:
        return "is not valid JSON"
    return data


def _write_cache(path: str, token: Mapping[str, Any]) -> None:
    """Replace the cache file atomically, readable by its owner only (as botocore's
    JSONFileCache creates it)."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(token, handle)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
