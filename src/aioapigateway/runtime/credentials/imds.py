"""EC2 instance metadata (IMDS) credentials, the last link of the default chain.

IMDSv2 as botocore does it: ``PUT /latest/api/token`` (``X-aws-ec2-metadata-token-ttl-
seconds: 21600``), then ``GET /latest/meta-data/iam/security-credentials/`` for the role
name and ``GET .../<role>`` for the credentials, both with ``X-aws-ec2-metadata-token``.

Settings (environment variable, else the profile's key):

* ``AWS_EC2_METADATA_DISABLED=true`` (variable only): skip IMDS;
* ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` / ``ec2_metadata_service_endpoint``: the base
  URL, else ``http://169.254.169.254/``, or ``http://[fd00:ec2::254]/`` when
  ``AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`` / ``ec2_metadata_service_endpoint_mode`` is
  ``ipv6`` (or, without a mode, ``AWS_IMDS_USE_IPV6`` / ``imds_use_ipv6`` is true);
* ``AWS_METADATA_SERVICE_TIMEOUT`` / ``metadata_service_timeout``: seconds per request
  (default 1); ``AWS_METADATA_SERVICE_NUM_ATTEMPTS`` /
  ``metadata_service_num_attempts``: attempts per request (default 1);
* ``AWS_EC2_METADATA_V1_DISABLED`` / ``ec2_metadata_v1_disabled``: never fall back to
  IMDSv1.

Like botocore: a token request answered 403, 404 or 405, or that times out after
connecting, falls back to IMDSv1 (no token); 400 means "no credentials here"; a
service that cannot be reached, or answers with an error or no role, means "no
credentials here" too (the chain ends with "Unable to locate credentials"). Credentials
that expire within 15 minutes plus 2-10 minutes of jitter (or already expired) are
used with their expiry pushed that far into the future ("static stability"), so an
IMDS outage does not stop an instance from signing requests.
"""

from __future__ import annotations

import datetime
import logging
import os
import random
import re
from collections.abc import Mapping
from typing import Any, Final

import aiohttp

from aioapigateway.runtime.config.profiles import (
    LoadedConfig,
    ProfileLoader,
    SettingLookup,
    check_endpoint_url,
)
from aioapigateway.runtime.credentials.base import (
    ADVISORY_REFRESH_SECONDS,
    Credentials,
    _parse_expiration,
    _SourceProvider,
)
from aioapigateway.runtime.credentials.http import (
    NO_DELAY,
    CredentialHttp,
    CredentialHttpError,
    HttpResult,
    RetriesExhausted,
    RetryableFailure,
    RetryPolicy,
    SessionFactory,
    display_url,
    json_object,
    with_retries,
)
from aioapigateway.runtime.errors import ConfigError, CredentialsError
from aioapigateway.runtime.version import __version__

__all__ = ["InstanceMetadataProvider"]

_log = logging.getLogger("aioapigateway.credentials")

IPV4_ENDPOINT: Final = "http://169.254.169.254/"
IPV6_ENDPOINT: Final = "http://[fd00:ec2::254]/"
_TOKEN_PATH: Final = "latest/api/token"
_ROLE_PATH: Final = "latest/meta-data/iam/security-credentials/"
_TOKEN_TTL: Final = "21600"
_USER_AGENT: Final = f"aioapigateway/{__version__}"
# IAM role names: letters, digits and +=,.@_- (up to 64).
_ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
# Static stability: botocore's ec2_credential_refresh_window and its jitter.
_EXTENSION_WINDOW: Final = ADVISORY_REFRESH_SECONDS
_JITTER: Final = (120, 600)


class _NotFound(Exception):
    """No credentials from IMDS; the message says why (for the chain's error)."""


class InstanceMetadataProvider(_SourceProvider):
    """Credentials of the EC2 instance's IAM role, from IMDSv2 (IMDSv1 as a fallback).

    ``endpoint``, ``timeout`` and ``attempts`` override the settings read from the
    environment and profile ``profile``. Not configured (``None``) when disabled or
    when the service does not provide credentials.
    """

    def __init__(
        self,
        profile: str,
        loader: ProfileLoader,
        environ: Mapping[str, str] | None = None,
        *,
        session_factory: SessionFactory | None = None,
        http: CredentialHttp | None = None,
        endpoint: str | None = None,
        timeout: float | None = None,
        attempts: int | None = None,
    ) -> None:
        super().__init__("ec2-instance-metadata")
        self._profile = profile
        self._loader = loader
        self._environ = environ
        self._http = http if http is not None else CredentialHttp(session_factory)
        self._endpoint = endpoint
        self._timeout = timeout
        self._attempts = attempts
        self._description = "EC2 instance metadata"

    async def load(self) -> Credentials | None:
        """Ask IMDS; ``None`` when it is disabled, unreachable or has no role."""
        environ = os.environ if self._environ is None else self._environ
        if environ.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() == "true":
            self._description = "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)"
            return None
        settings = _Settings(environ, await self._loader.load(), self._profile)
        base = self._endpoint or settings.base_url()
        timeout = self._timeout if self._timeout is not None else settings.timeout()
        attempts = self._attempts if self._attempts is not None else settings.attempts()
        client = _ImdsClient(self._http, base, timeout, attempts)
        self._description = f"EC2 instance metadata ({display_url(base)})"
        try:
            data, role = await client.credentials(v1_disabled=settings.v1_disabled())
        except _NotFound as exc:
            self._description = f"EC2 instance metadata ({display_url(base)}: {exc})"
            _log.debug("No credentials from %s", self._description)
            return None
        self._description = f"EC2 instance metadata ({display_url(base)}, role {role})"
        _log.info("Found credentials from IAM role %s", role)
        return self._make_credentials(data, role)

    def _make_credentials(self, data: Mapping[str, Any], role: str) -> Credentials:
        where = f"EC2 instance metadata credentials of role {role}"
        expiration = _parse_expiration(data["Expiration"], f"the Expiration in the {where}")
        now = self._clock()
        offset = _EXTENSION_WINDOW + random.randint(*_JITTER)
        if now >= expiration.timestamp() - offset:
            expiration = datetime.datetime.fromtimestamp(now + offset, datetime.UTC)
            _log.info(
                "Extending the expiry of the %s to %s: IMDS served credentials that expire "
                "too soon (a credential service availability issue?); they will be "
                "refreshed again within %.0f minutes",
                where,
                expiration.isoformat(),
                offset / 60,
            )
        return Credentials(data["AccessKeyId"], data["SecretAccessKey"], data["Token"], expiration)


class _Settings:
    """IMDS settings: the environment variable, else the profile's key (as the client
    reads its settings: :class:`~aioapigateway.runtime.config.profiles.SettingLookup`)."""

    def __init__(self, environ: Mapping[str, str], loaded: LoadedConfig, profile: str) -> None:
        self._lookup = SettingLookup(environ, loaded, profile)

    def _find(self, env_var: str, key: str) -> tuple[str, str] | None:
        return self._lookup.find(env_var, key)

    def _flag(self, env_var: str, key: str) -> bool:
        found = self._find(env_var, key)
        return found is not None and found[0].strip().lower() == "true"

    def base_url(self) -> str:
        found = self._find("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
        if found is not None:
            url, where = found
            try:
                return check_endpoint_url(url, where)
            except ConfigError as exc:
                raise CredentialsError(str(exc)) from exc
        mode = self._find(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode"
        )
        if mode is not None:
            value, where = mode
            lowered = value.strip().lower()
            if lowered not in ("ipv4", "ipv6"):
                raise CredentialsError(f"{where} must be ipv4 or ipv6, got {value!r}")
            return IPV6_ENDPOINT if lowered == "ipv6" else IPV4_ENDPOINT
        if self._flag("AWS_IMDS_USE_IPV6", "imds_use_ipv6"):
            return IPV6_ENDPOINT
        return IPV4_ENDPOINT

    def timeout(self) -> float:
        found = self._find("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")
        if found is None:
            return 1.0
        value, where = found
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 0 < seconds < float("inf"):
            raise CredentialsError(f"{where} must be a positive number of seconds, got {value!r}")
        return seconds

    def attempts(self) -> int:
        found = self._find("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts")
        if found is None:
            return 1
        value, where = found
        try:
            attempts = int(value)
        except ValueError:
            attempts = 0
        if attempts < 1:
            raise CredentialsError(f"{where} must be a whole number >= 1, got {value!r}")
        return attempts

    def v1_disabled(self) -> bool:
        return self._flag("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")


class _ImdsClient:
    """botocore's IMDSFetcher / InstanceMetadataFetcher request logic."""

    def __init__(self, http: CredentialHttp, base: str, timeout: float, attempts: int) -> None:
        self._http = http
        self._base = base if base.endswith("/") else base + "/"
        self._timeout = aiohttp.ClientTimeout(connect=timeout, sock_read=timeout)
        # botocore's IMDS fetcher retries at once, without waiting.
        self._policy = RetryPolicy(attempts, NO_DELAY)

    async def credentials(self, *, v1_disabled: bool) -> tuple[dict[str, Any], str]:
        """``(response, role)``; raises _NotFound, or CredentialsError when IMDSv1 is
        needed but disabled."""
        async with self._http.session() as session:
            token = await self._token(session)
            if token is None and v1_disabled:
                raise CredentialsError(
                    f"EC2 instance metadata ({display_url(self._base)}): no IMDSv2 token "
                    "could be fetched and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)"
                )
            role_response = await self._get(session, _ROLE_PATH, token, "role name")
            role = role_response.body.decode("utf-8", "replace").strip().split("\n")[0].strip()
            if not _ROLE_NAME_RE.match(role):
                raise _NotFound("the role name it returned is not a valid IAM role name")
            response = await self._get(session, _ROLE_PATH + role, token, "credentials")
        data = json_object(response.body, "IMDS credentials")  # checked valid by _get
        missing = [
            key
            for key in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")
            if not isinstance(data.get(key), str) or not data[key]
        ]
        if missing:
            code = data.get("Code")
            detail = f" (error code {code})" if isinstance(code, str) and code.isprintable() else ""
            raise _NotFound(f"the credentials of role {role} lack {', '.join(missing)}{detail}")
        return data, role

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {"User-Agent": _USER_AGENT}
        if token is not None:
            headers["x-aws-ec2-metadata-token"] = token
        return headers

    async def _token(self, session: aiohttp.ClientSession) -> str | None:
        """An IMDSv2 token, or ``None`` to fall back to IMDSv1 (botocore's rules)."""
        headers = {"User-Agent": _USER_AGENT, "x-aws-ec2-metadata-token-ttl-seconds": _TOKEN_TTL}

        async def attempt() -> str | None:
            try:
                result = await self._http.request(
                    session, "PUT", self._base + _TOKEN_PATH, headers=headers, timeout=self._timeout
                )
            except CredentialHttpError as exc:
                if not exc.read_timeout:
                    raise
                # Reached but silent: an instance that only speaks IMDSv1.
                _log.debug("IMDS token request timed out; trying IMDSv1")
                return None
            if result.status == 200:
                token = result.body.decode("utf-8", "replace").strip()
                if token and token.isprintable() and token.isascii():
                    return token
                return None
            if result.status in (403, 404, 405):
                return None
            if result.status == 400:
                raise _NotFound("the token request was refused (HTTP 400)")
            raise RetryableFailure(f"HTTP {result.status}")

        try:
            return await with_retries(attempt, self._policy, "IMDS token request")
        except RetriesExhausted as exc:
            _log.debug("IMDS token request %s; trying IMDSv1", exc)
            return None

    async def _get(
        self, session: aiohttp.ClientSession, path: str, token: str | None, what: str
    ) -> HttpResult:
        async def attempt() -> HttpResult:
            result = await self._http.request(
                session,
                "GET",
                self._base + path,
                headers=self._headers(token),
                timeout=self._timeout,
            )
            if result.status != 200:
                raise RetryableFailure(f"HTTP {result.status}")
            if not result.body.strip():
                raise RetryableFailure("an empty response")
            if path != _ROLE_PATH and not _is_json(result.body):
                raise RetryableFailure("a response that is not valid JSON")
            return result

        try:
            return await with_retries(attempt, self._policy, f"IMDS request for {what}")
        except RetriesExhausted as exc:
            raise _NotFound(f"no {what} after {exc.attempts} attempt(s): {exc.failure}") from None


def _is_json(body: bytes) -> bool:
    try:
        json_object(body, "")
    except CredentialsError:
        return False
    return True
