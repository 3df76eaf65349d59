"""The providers that need no network: environment variables, the shared credentials
and config files, and ``credential_process``.

Nothing is read before the first ``load()``. The files come from the shared
:class:`~aioapigateway.runtime.config.profiles.ProfileLoader` (read once, off the event loop);
a ``credential_process`` runs as an asyncio subprocess, its stderr quoted, shortened, in
errors.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
from collections.abc import Mapping
from typing import Any, Final, cast

from aioapigateway.runtime.config.profiles import ProfileLoader
from aioapigateway.runtime.credentials.base import Credentials, _parse_expiration, _SourceProvider
from aioapigateway.runtime.errors import ConfigError, CredentialsError

__all__ = [
    "ConfigFileCredentialsProvider",
    "EnvironmentCredentialsProvider",
    "ProcessCredentialsProvider",
    "SharedCredentialsFileProvider",
]


# How much of a failing credential_process' stderr an error message quotes.
_STDERR_LIMIT: Final = 1000


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
