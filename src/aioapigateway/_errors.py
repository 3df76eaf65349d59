"""The exceptions the library raises.

Everything derives from :class:`AioApiGatewayError`::

    AioApiGatewayError
     +-- ServiceError                 the service answered with an error
     |    +-- <one class per modeled error shape, generated in ``errors``>
     +-- ParamValidationError         bad input; nothing was sent (also a ValueError)
     +-- CredentialsError             no credentials, or a credential provider failed
     +-- ConfigError                  no region, a bad endpoint, profile or setting
     +-- TransportError               the connection failed after all retries
     |    +-- RequestTimeoutError     ... by timing out
     +-- ResponseParseError           a response that cannot be parsed

No exception from aiohttp, json, cattrs or the standard library escapes a client call
unwrapped; the original is chained as ``__cause__``. ``asyncio.CancelledError`` always
propagates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from aioapigateway._hooks import CallMetadata

__all__ = [
    "AioApiGatewayError",
    "ConfigError",
    "CredentialsError",
    "ParamValidationError",
    "RequestTimeoutError",
    "ResponseParseError",
    "ServiceError",
    "TransportError",
]


class AioApiGatewayError(Exception):
    """The root of every exception the library raises.

    ``metadata`` describes the call (operation, attempts, total time, last status, request
    id) for errors raised after sending started; ``None`` otherwise.
    """

    metadata: CallMetadata | None = None


class ServiceError(AioApiGatewayError):
    """The service answered with an error.

    ``code`` is the service's error code (``"NotFoundException"``), ``message`` its message,
    ``status_code`` the HTTP status, ``request_id`` the ``x-amzn-RequestId`` header when
    present; ``headers`` and ``body`` are the raw response.
    """

    #: Python attribute names of the members a generated subclass carries.
    MEMBERS: ClassVar[tuple[str, ...]] = ()

    code: str
    message: str
    status_code: int
    request_id: str | None
    headers: Mapping[str, str]
    body: bytes

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "",
        status_code: int = 0,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        members: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code or type(self).__name__
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        # Case-insensitive, as HTTP header names are (multidict comes with aiohttp; imported
        # here so that importing the error classes alone stays light).
        from multidict import CIMultiDict

        self.headers = CIMultiDict(headers or {})
        self.body = body
        for name in self.MEMBERS:
            setattr(self, name, None)
        if members:
            for name, value in members.items():
                if name in self.MEMBERS:
                    setattr(self, name, value)

    def __str__(self) -> str:
        text = f"{self.code} (HTTP {self.status_code})"
        if self.message:
            text += f": {self.message}"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        members = {name: getattr(self, name, None) for name in self.MEMBERS}
        return (
            _rebuild_service_error,
            (
                type(self),
                self.message,
                self.code,
                self.status_code,
                self.request_id,
                self.headers,
                self.body,
                members,
            ),
        )


def _rebuild_service_error(
    cls: type[ServiceError],
    message: str,
    code: str,
    status_code: int,
    request_id: str | None,
    headers: Mapping[str, str],
    body: bytes,
    members: Mapping[str, Any],
) -> ServiceError:
    return cls(
        message,
        code=code,
        status_code=status_code,
        request_id=request_id,
        headers=headers,
        body=body,
        members=members,
    )


class ParamValidationError(AioApiGatewayError, ValueError):
    """The input is invalid; nothing was sent."""


class CredentialsError(AioApiGatewayError):
    """No credentials could be found, or a credential provider failed."""


class ConfigError(AioApiGatewayError):
    """No region, a bad endpoint, a bad profile or setting."""


class TransportError(AioApiGatewayError):
    """The connection failed after all retries."""


class RequestTimeoutError(TransportError):
    """A request timed out after all retries."""


class ResponseParseError(AioApiGatewayError):
    """A response body that cannot be parsed."""

    def __init__(self, message: str, *, status_code: int = 0, body: bytes = b"") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
