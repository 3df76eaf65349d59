"""Container credentials: ECS task roles and EKS Pod Identity.

Configured by ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (a path on
``http://169.254.170.2``) or else ``AWS_CONTAINER_CREDENTIALS_FULL_URI``. As in
botocore, a full URI must be ``https``, or ``http`` to a loopback address or one of the
container hosts (``169.254.170.2`` for ECS, ``169.254.170.23`` / ``fd00:ec2::23`` for
EKS, ``localhost``). The ``Authorization`` header is the content of
``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`` (read at every fetch: EKS rotates it) or
else ``AWS_CONTAINER_AUTHORIZATION_TOKEN``.

The endpoint answers ``{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}``.
botocore's fetcher settings: 2 s timeout, 3 attempts, 1 s between them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

import aiohttp

from aioapigateway.runtime.config.profiles import check_endpoint_url, shown_url
from aioapigateway.runtime.credentials.base import Credentials, _parse_expiration, _SourceProvider
from aioapigateway.runtime.credentials.http import (
    CredentialHttp,
    RetriesExhausted,
    RetryableFailure,
    RetryPolicy,
    SessionFactory,
    check_header_value,
    display_url,
    fixed_delay,
    json_object,
    with_retries,
)
from aioapigateway.runtime.errors import ConfigError, CredentialsError

__all__ = ["ContainerCredentialsProvider"]

_log = logging.getLogger("aioapigateway.credentials")

RELATIVE_URI_ENV: Final = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
FULL_URI_ENV: Final = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
AUTH_TOKEN_ENV: Final = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
AUTH_TOKEN_FILE_ENV: Final = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
ECS_HOST: Final = "169.254.170.2"
_ALLOWED_HOSTS: Final = frozenset({ECS_HOST, "169.254.170.23", "fd00:ec2::23", "localhost"})
# botocore's ContainerMetadataFetcher.
_TIMEOUT: Final = 2.0
_ATTEMPTS: Final = 3
_RETRY_SLEEP: Final = 1.0


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    host = parts.hostname or ""
    if host in _ALLOWED_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ContainerCredentialsProvider(_SourceProvider):
    """Credentials from the ECS / EKS Pod Identity container endpoint.

    Not configured unless one of the two URI variables is set (non-empty). A failing
    endpoint is tried ``attempts`` times, ``retry_sleep`` seconds apart, each request
    bounded by ``timeout`` seconds, then the error stops the chain (as in botocore).
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        session_factory: SessionFactory | None = None,
        http: CredentialHttp | None = None,
        timeout: float = _TIMEOUT,
        attempts: int = _ATTEMPTS,
        retry_sleep: float = _RETRY_SLEEP,
    ) -> None:
        super().__init__("container")
        if not timeout > 0 or attempts < 1 or retry_sleep < 0:
            raise ConfigError("container credentials: timeout > 0, attempts >= 1, sleep >= 0")
        self._environ = environ
        self._http = http if http is not None else CredentialHttp(session_factory)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._policy = RetryPolicy(attempts, fixed_delay(retry_sleep))
        self._description = "container credentials"

    def _url(self, environ: Mapping[str, str]) -> str | None:
        relative = environ.get(RELATIVE_URI_ENV)
        if relative:
            # botocore pastes it on as is; a missing "/" would change the host.
            return f"http://{ECS_HOST}{'' if relative.startswith('/') else '/'}{relative}"
        full = environ.get(FULL_URI_ENV)
        if not full:
            return None
        if not _allowed(full):
            raise CredentialsError(
                f"{FULL_URI_ENV} must be an https:// URL, or an http:// URL to a loopback "
                f"address or one of {', '.join(sorted(_ALLOWED_HOSTS))}; got "
                f"{shown_url(full)}"
            )
        try:
            # Also what makes display_url safe for it later: no password parsed as a path.
            check_endpoint_url(full, FULL_URI_ENV)
        except ConfigError as exc:
            raise CredentialsError(str(exc)) from exc
        return full

    async def _headers(self, environ: Mapping[str, str]) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        token_file = environ.get(AUTH_TOKEN_FILE_ENV)
        token: str | None = None
        if token_file:
            token = await _read_token(token_file)
            what = f"the token in {AUTH_TOKEN_FILE_ENV} ({token_file})"
        else:
            token = environ.get(AUTH_TOKEN_ENV) or None
            what = f"the {AUTH_TOKEN_ENV} variable"
        if token is not None:
            headers["Authorization"] = check_header_value(token, what)
        return headers

    async def load(self) -> Credentials | None:
        """Fetch from the endpoint; ``None`` when neither URI variable is set."""
        environ = os.environ if self._environ is None else self._environ
        url = self._url(environ)
        if url is None:
            self._description = (
                f"container credentials ({RELATIVE_URI_ENV} and {FULL_URI_ENV} not set)"
            )
            return None
        where = f"container credentials endpoint {display_url(url)}"
        self._description = where
        async with self._http.session() as session:

            async def attempt() -> Credentials:
                # Read for every attempt: EKS rotates the token file.
                headers = await self._headers(environ)
                result = await self._http.request(
                    session, "GET", url, headers=headers, timeout=self._timeout
                )
                if result.status != 200:
                    # The body is not quoted: it could echo what was sent.
                    raise RetryableFailure(f"HTTP {result.status}")
                try:
                    data = json_object(result.body, f"the response of the {where}")
                except CredentialsError as exc:
                    raise RetryableFailure(str(exc)) from None
                return _parse(data, where)

            try:
                return await with_retries(attempt, self._policy, where)
            except RetriesExhausted as exc:
                raise CredentialsError(f"{where} {exc}") from None


def _parse(data: Mapping[str, object], where: str) -> Credentials:
    values: dict[str, str] = {}
    for key in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise CredentialsError(f"The response of the {where} has no valid {key}")
        values[key] = value
    return Credentials(
        values["AccessKeyId"],
        values["SecretAccessKey"],
        values["Token"],
        _parse_expiration(values["Expiration"], f"the Expiration from the {where}"),
    )


async def _read_token(path: str) -> str:
    def read() -> str:
        with open(path, encoding="utf-8") as handle:
            return handle.read()

    try:
        # Surrounding whitespace (a trailing newline) is dropped; one inside the token
        # is still refused, as botocore refuses any.
        return (await asyncio.to_thread(read)).strip()
    except UnicodeDecodeError as exc:
        raise CredentialsError(f"{AUTH_TOKEN_FILE_ENV} ({path}) is not UTF-8") from exc
    except OSError as exc:
        raise CredentialsError(
            f"Cannot read {AUTH_TOKEN_FILE_ENV} ({path}): {exc.strerror or type(exc).__name__}"
        ) from exc
