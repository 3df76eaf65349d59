"""Event-stream outputs: the async iterator of typed events a streaming operation returns.

An operation whose output's payload is an event stream (Bedrock's ``ConverseStream``,
Lambda's ``InvokeWithResponseStream``...) returns its output object as soon as the response
headers arrive; the stream member is an :class:`EventStream` reading the rest of the response
as it comes, decoding its frames (:mod:`aioapigateway.runtime.eventstream`) and turning each
message into the event's model instance (:meth:`ResponseParser.stream_event
<aioapigateway.runtime.parse.ResponseParser.stream_event>`)::

    out = await client.converse_stream(model_id=..., messages=[...])
    async with out.stream as events:
        async for event in events:
            if isinstance(event, models.ContentBlockDeltaEvent):
                ...

The connection is held until the stream ends; it is released when the iteration ends,
raises (a modeled exception event, a malformed frame, a network failure) or is cancelled,
on leaving ``async with``, and on :meth:`EventStream.close`. Only ``read_timeout`` bounds a
stream (each wait for data); ``attempt_timeout`` and ``operation_timeout`` end with the
response headers, so a long stream is not cut off.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from aioapigateway.runtime.errors import (
    AioApiGatewayError,
    RequestTimeoutError,
    TransportError,
    display_url,
    transport_error_message,
)
from aioapigateway.runtime.eventstream import EventStreamDecoder, EventStreamMessage

if TYPE_CHECKING:
    import aiohttp

__all__ = ["EventStream", "EventStreamBusyError"]

EventT_co = TypeVar("EventT_co", covariant=True)

#: The message -> event function: the event's model instance, ``None`` to skip the
#: message; raises the error an exception message carries.
EventReader = Callable[[EventStreamMessage], Any]


class EventStreamBusyError(AioApiGatewayError, RuntimeError):
    """An event stream iterated by two tasks at once (each event can be read only once)."""


class EventStream(Generic[EventT_co]):
    """The events of a streaming response, as they arrive: an async iterator and an async
    context manager.

    ``async with stream as events: async for event in events:`` yields each event as an
    instance of its model class (an event type newer than the model is skipped); a modeled
    exception event raises its ``errors`` class (``code``, ``message``, the error's members,
    the response's ``status_code``, ``request_id`` and ``headers``, the event's payload as
    ``body``), an error message a ``ServiceError``; a malformed frame raises
    ``ResponseParseError``, a network failure ``TransportError`` (``RequestTimeoutError``
    when no data arrives within ``read_timeout``). The connection is released when the
    stream ends, raises, is cancelled or closed; iterating after that ends at once.
    """

    __slots__ = (
        "_busy",
        "_closed",
        "_decoder",
        "_description",
        "_pending",
        "_read_timeout",
        "_reader",
        "_response",
    )

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        reader: EventReader,
        *,
        description: str,
        read_timeout: float | None = None,
    ) -> None:
        self._response = response
        self._reader = reader
        #: ``METHOD url`` (without the query) for error messages.
        self._description = description
        self._read_timeout = read_timeout
        self._decoder = EventStreamDecoder(status_code=response.status)
        self._pending: collections.deque[EventStreamMessage] = collections.deque()
        self._busy = False
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<EventStream {self._description} ({state})>"

    @property
    def closed(self) -> bool:
        """Whether the stream has ended or was closed (its connection released)."""
        return self._closed

    # -- iteration ---------------------------------------------------------------------------

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> EventT_co:
        if self._busy:
            raise EventStreamBusyError(
                "this event stream is already being iterated by another task; an event "
                "stream can be read by one consumer at a time"
            )
        self._busy = True
        try:
            event: EventT_co = await self._next_event()
            return event
        except BaseException:
            # The end, an error event, a bad frame, a network failure or a cancellation:
            # nothing more can be read, so the connection goes now.
            self._close_now()
            raise
        finally:
            self._busy = False

    async def _next_event(self) -> Any:
        pending = self._pending
        while True:
            while pending:
                event = self._reader(pending.popleft())
                if event is not None:
                    return event
            if self._closed:
                raise StopAsyncIteration
            chunk = await self._read()
            if not chunk:
                self._decoder.finish()  # ResponseParseError if the stream ends in a frame
                self._release()
                raise StopAsyncIteration
            pending.extend(self._decoder.feed(chunk))

    async def _read(self) -> bytes:
        """The next bytes of the body (``b""`` at its end); network failures as ours."""
        try:
            return await self._response.content.readany()
        except TimeoutError as exc:
            timeout = f"{self._read_timeout:g} s " if self._read_timeout is not None else ""
            raise RequestTimeoutError(
                f"{self._description}: no event stream data received for {timeout}(read_timeout)"
            ) from exc
        except Exception as exc:
            # aiohttp's ClientPayloadError (the body cut off), a reset connection, a
            # connection closed under the reader (the client or its session closed): the
            # stream cannot go on.
            method, _, url = self._description.partition(" ")
            raise TransportError(
                transport_error_message(method, url, exc) + " (while reading the event stream)"
            ) from exc

    # -- closing -----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop reading and release the connection (closing it if the stream had not
        ended). Closing twice is harmless; iterating afterwards ends at once."""
        self._close_now()

    def _close_now(self) -> None:
        if not self._closed:
            self._closed = True
            self._pending.clear()
            # Mid-stream the connection cannot be reused: close it (synchronous, so it also
            # happens in a cancelled task).
            self._response.close()

    def _release(self) -> None:
        """The stream ended cleanly: the connection goes back to the pool."""
        self._closed = True
        self._response.release()

    def __del__(self) -> None:
        # A stream dropped unread (no async with, no close): do not hold its connection.
        if not getattr(self, "_closed", True):
            self._closed = True
            response = self._response
            if not response.closed:
                response.close()


def describe(method: str, url: str) -> str:
    """``METHOD url`` as :class:`EventStream` names its request (no credentials, no query)."""
    return f"{method} {display_url(url)}"
