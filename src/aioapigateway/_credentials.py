"""AWS credentials and the providers that find them."""

from __future__ import annotations

import datetime
from typing import Protocol, runtime_checkable

import attrs

__all__ = ["CredentialProvider", "Credentials"]


@attrs.frozen(repr=False)
class Credentials:
    """An AWS access key pair, with an optional session token and expiry.

    Its ``repr`` shows the access key id only: the secret and the token never appear.
    """

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    expiration: datetime.datetime | None = None

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
