"""The default credential chain; a client's ``credentials`` argument as a provider.

A client takes credentials as a :class:`~.base.Credentials`, as any object with
``async def resolve() -> Credentials`` (a :class:`~.base.CredentialProvider`), or as ``None``
for the :class:`DefaultCredentialChain`; :func:`as_provider` turns any of the three into a
provider. :class:`CredentialChain` is the default chain as one public object that many
clients share (``credentials=chain``), resolved and refreshed once for all of them.

The default chain tries, in botocore's order: environment variables, assume role
(``role_arn``), web identity, SSO, the shared credentials file, ``credential_process``, the
config file, container credentials and EC2 instance metadata (see
:class:`DefaultCredentialChain`). The providers live next to this module (``local``, ``sts``,
``sso``, ``container``, ``imds``); this is the one module that imports them all (those that
call a service on first use). Nothing here does I/O before the first ``resolve()``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Self

from aioapigateway.runtime.config.profiles import ProfileLoader, resolve_profile_name
from aioapigateway.runtime.credentials.base import (
    CredentialProvider,
    Credentials,
    CredentialSource,
    RefreshingCredentialProvider,
    StaticProvider,
)
from aioapigateway.runtime.errors import (
    ClientClosedError,
    ClientLoopError,
    ConfigError,
    CredentialsError,
)

if TYPE_CHECKING:
    import aiohttp

    from aioapigateway.runtime.credentials.http import CredentialHttp, SessionFactory

__all__ = ["CredentialChain", "DefaultCredentialChain", "as_provider"]


_log = logging.getLogger("aioapigateway.credentials")


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
    from aioapigateway.runtime.credentials.local import (
        ConfigFileCredentialsProvider,
        ProcessCredentialsProvider,
        SharedCredentialsFileProvider,
    )
    from aioapigateway.runtime.credentials.sso import SSOProvider
    from aioapigateway.runtime.credentials.sts import WebIdentityProvider

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
        from aioapigateway.runtime.credentials.container import ContainerCredentialsProvider
        from aioapigateway.runtime.credentials.http import CredentialHttp
        from aioapigateway.runtime.credentials.imds import InstanceMetadataProvider
        from aioapigateway.runtime.credentials.local import EnvironmentCredentialsProvider
        from aioapigateway.runtime.credentials.sts import AssumeRoleProvider

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


class CredentialChain(DefaultCredentialChain):
    """The default credential chain as one provider, shared by any number of clients.

    Give the same instance as ``credentials=`` to clients of any package (REST APIs,
    ``aioapigateway.v2``, ``aioapigateway.management``, a package you generated) and to
    :class:`~aioapigateway.SigV4Auth`: the chain (environment variables, the shared files,
    assume role, web identity, SSO, ``credential_process``, container credentials, EC2
    instance metadata; see :class:`DefaultCredentialChain`) runs on the first ``resolve()``
    of any of them, and expiring credentials are refreshed ahead of expiry once for all of
    them: concurrent callers share one fetch.

    ``profile`` works as a client's ``profile`` argument: ``None`` follows
    ``AWS_DEFAULT_PROFILE`` / ``AWS_PROFILE`` (else ``"default"``), an explicit profile skips
    the environment's keys. STS is called in the region of ``AWS_REGION``,
    ``AWS_DEFAULT_REGION`` or the profile's ``region``, else at its global endpoint (a
    client's own chain uses the client's region instead).

    Construction does no I/O and needs no event loop. The sources that call a service
    (STS, SSO, container credentials, IMDS) send through an aiohttp session the chain opens
    on the first such call and owns: never the session of one of its clients, which could
    be closed with that client while the others still need the chain. Close it after the
    clients that use it, with ``await chain.close()`` or ``async with CredentialChain() as
    chain:``; a client never closes it. After ``close()``, ``resolve()`` raises
    :class:`~aioapigateway.errors.ClientClosedError`.

    Like a client, the chain belongs to the event loop of its first fetch; a fetch needed
    in another loop raises :class:`~aioapigateway.errors.ClientLoopError`. Its ``repr``
    shows the profile only.
    """

    def __init__(self, profile: str | None = None) -> None:
        super().__init__(profile, ProfileLoader(), session_factory=self._own_session)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"CredentialChain(profile={self._profile!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the chain's HTTP session and drop its credentials (closing twice is
        harmless). Every later ``resolve()`` raises ``ClientClosedError``."""
        self._closed = True
        self._forget_credentials()
        session, self._session = self._session, None
        # A session can only be closed in its own (running) loop; one whose loop has
        # ended has nothing left to close.
        if session is not None and not session.closed and self._loop is _running_loop():
            await session.close()

    def _forget_credentials(self) -> None:
        self._credentials = None
        self.invalidate()

    async def _resolve_slow(self, now: float) -> Credentials:
        # Every fetch starts here (the fast path only returns cached credentials), so the
        # checks cost nothing on a call whose credentials are fresh.
        self._check_usable()
        return await super()._resolve_slow(now)

    def _check_usable(self) -> None:
        if self._closed:
            raise ClientClosedError("the CredentialChain is closed")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise ClientLoopError(
                "this CredentialChain was first used in another event loop; create it, and "
                "the clients sharing it, inside the loop that uses them"
            )

    def _store(self, credentials: Credentials) -> None:
        # A fetch that finishes after close() leaves nothing cached.
        if not self._closed:
            super()._store(credentials)

    def _own_session(self) -> aiohttp.ClientSession:
        """The chain's session, opened on first use inside the running loop."""
        if self._closed:
            raise ClientClosedError("the CredentialChain is closed")
        session = self._session
        if session is None:
            import aiohttp  # the first service-backed fetch only: not at import time

            session = self._session = aiohttp.ClientSession(auto_decompress=True)
        return session


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


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
