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
     +-- ClientClosedError            a call on a closed client (also a RuntimeError)
     +-- ClientLoopError              a client used in another event loop (also a RuntimeError)
     +-- PacingTimeoutError           the pacer's wait would pass the operation_timeout
     +-- UnsupportedOperationError    an operation the library cannot make (also a
                                      NotImplementedError): input event streams

No exception from aiohttp, json, cattrs or the standard library escapes a client call
unwrapped; the original is chained as ``__cause__``. ``asyncio.CancelledError`` always
propagates.

:func:`transport_error_message` is the one way transport failures are described (by the API
client and the credential providers alike): aiohttp's exception reprs carry the request's
headers, signature and session token included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from aioapigateway.runtime.redact import REDACTED

__all__ = [
    "AioApiGatewayError",
    "CallMetadata",
    "ClientClosedError",
    "ClientLoopError",
    "ConfigError",
    "CredentialsError",
    "PacingTimeoutError",
    "ParamValidationError",
    "RequestTimeoutError",
    "ResponseParseError",
    "ServiceError",
    "TransportError",
    "UnsupportedOperationError",
    "display_url",
    "request_id_of",
    "transport_error_message",
]


@attrs.frozen
class CallMetadata:
    """What happened during one client call; attached to its errors as ``error.metadata``.

    ``attempts`` counts the attempts made (1 when the first one failed without retry),
    ``total_time`` is in seconds from the start of the call, ``status_code`` and
    ``request_id`` are those of the last response (``None`` when there was none).
    """

    operation: str
    attempts: int
    total_time: float
    status_code: int | None = None
    request_id: str | None = None
    #: Seconds the call waited for the client-side pacer (``ClientConfig(pacing=...)``)
    #: before its first attempt.
    paced_for: float = 0.0


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


class ClientClosedError(AioApiGatewayError, RuntimeError):
    """A call on a closed client, or on a client whose caller-owned session is closed.

    Misuse, not a network failure: never retried.
    """


class PacingTimeoutError(AioApiGatewayError, TimeoutError):
    """The pacer would make the call wait past its ``operation_timeout``; nothing was sent.

    Raised at once instead of sleeping (see :mod:`aioapigateway.runtime.pacing`). Not a
    ``TransportError``: no connection was tried. ``wait`` is the wait that was needed.
    """

    def __init__(self, message: str, *, wait: float = 0.0) -> None:
        super().__init__(message)
        self.wait = wait


class ClientLoopError(AioApiGatewayError, RuntimeError):
    """A client used in another event loop than the one its first call ran in.

    A client's HTTP session belongs to one event loop: create the client inside the loop
    that uses it (for example inside the coroutine given to ``asyncio.run``). Never retried.
    """


class UnsupportedOperationError(AioApiGatewayError, NotImplementedError):
    """An operation of the model the library cannot make; nothing was sent.

    Operations whose input is an event stream (bidirectional streaming, such as Bedrock's
    ``InvokeModelWithBidirectionalStream``) raise it: the message names the operation.
    """


def request_id_of(headers: Any) -> str | None:
    """The request id AWS puts on a response (``x-amzn-RequestId``, else
    ``x-amz-request-id``), or ``None`` (also for no headers at all)."""
    if headers is None:
        return None
    request_id: str | None = headers.get("x-amzn-RequestId") or headers.get("x-amz-request-id")
    return request_id


def display_url(url: str) -> str:
    """``url`` for a message: without a ``user:password@`` part and without the query."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "<invalid URL>"
    netloc, slash, path = rest.partition("/")
    netloc = netloc.rpartition("@")[2]
    path = path.partition("?")[0].partition("#")[0]
    return f"{scheme}://{netloc}{slash}{path}"


def transport_error_message(method: str, url: str, exc: BaseException) -> str:
    """``"<method> <url>: <reason>"`` for a request that got no usable response.

    Only the method, the URL (see :func:`display_url`) and the failure's type, HTTP status
    or operating-system reason are used, never ``repr(exc)`` nor aiohttp's message texts:
    those may hold the request headers or bytes of the response. The request headers aiohttp
    keeps on ``exc`` (``request_info``) are replaced by redacted ones too, so that the
    chained cause's ``repr`` shows no ``Authorization`` or security token either.
    """
    _redact_request_info(exc)
    return f"{method} {display_url(url)}: {_failure_reason(exc)}"


def _failure_reason(exc: BaseException) -> str:
    name = type(exc).__name__
    # aiohttp's ClientConnectorError (and its DNS, proxy and certificate variants).
    os_error = getattr(exc, "os_error", None)
    if isinstance(os_error, OSError):
        return f"cannot connect ({os_error.strerror or type(os_error).__name__})"
    # aiohttp's ClientResponseError: a response it could not parse, or a refused status.
    status = getattr(exc, "status", None)
    if isinstance(status, int) and not isinstance(status, bool):
        return f"{name} (status {status})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{name} ({exc.strerror})"
    return name


def _redact_request_info(exc: BaseException) -> None:
    """Replace the header values of aiohttp's ``exc.request_info`` (also in ``exc.args``)."""
    info = getattr(exc, "request_info", None)
    headers = getattr(info, "headers", None)
    if info is None or headers is None or not hasattr(info, "_replace"):
        return
    from multidict import CIMultiDict, CIMultiDictProxy

    redacted = info._replace(
        headers=CIMultiDictProxy(CIMultiDict((name, REDACTED) for name in headers))
    )
    try:
        exc.request_info = redacted  # type: ignore[attr-defined]
        exc.args = tuple(redacted if arg is info else arg for arg in exc.args)
    except AttributeError:  # an exception type with read-only attributes: leave it
        pass
