"""The ``application/vnd.amazon.eventstream`` framing: a decoder of binary event-stream messages.

Streaming operations (Bedrock's ``ConverseStream``, Lambda's ``InvokeWithResponseStream``...)
answer with a sequence of messages rather than one JSON body. Each message is::

    total length    u32   the whole message, these 4 bytes and the final CRC included
    headers length  u32
    prelude CRC     u32   CRC32 of the 8 bytes above
    headers         headers-length bytes
    payload         total - headers - 16 bytes
    message CRC     u32   CRC32 of every byte of the message before it

and each header is a name (u8 length, UTF-8) followed by a type (u8) and its value: 0 true,
1 false (no value bytes), 2 byte (i8), 3 short (i16), 4 integer (i32), 5 long (i64),
6 byte array and 7 string (u16 length, then the bytes; strings UTF-8), 8 timestamp (i64
milliseconds since the epoch), 9 UUID (16 bytes). Integers are big-endian. (Smithy's "Amazon
Event Stream Specification"; botocore's parser reads the same.)

:class:`EventStreamDecoder` is fed the response body as it arrives and returns the messages
completed so far; :func:`read_event_stream` does that over an async iterable of chunks. Both
check the two CRCs and every length against its frame, and turn every malformed input into
:class:`~aioapigateway.runtime.errors.ResponseParseError`.

Memory stays bounded per frame: a frame's size is known from its 12-byte prelude, which is
checked (CRC, then the limits below) as soon as it has arrived, so a prelude announcing an
oversized message fails before its body is read. The limits are botocore's: headers up to
128 KiB, payload up to 24 MiB (Smithy's limits for services).

Compared with botocore's parser: the same messages for well-formed input (it returns a
timestamp as the ``int`` of milliseconds and a UUID as 16 ``bytes``), and stricter on three
points where it may return something: a header value running past the end of the headers (it
cuts the value short), a timestamp outside the years 1-9999 (no ``datetime`` holds it), and
a headers length beyond the frame (it reads the next frame's bytes). Like botocore, an empty
header name or value is accepted.
"""

from __future__ import annotations

import datetime
import struct
import uuid
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from types import MappingProxyType
from typing import Any, Final, NoReturn

from aioapigateway.runtime.errors import ResponseParseError

__all__ = [
    "MAX_HEADERS_LENGTH",
    "MAX_MESSAGE_SIZE",
    "MAX_PAYLOAD_LENGTH",
    "EventStreamDecoder",
    "EventStreamMessage",
    "HeaderValue",
    "read_event_stream",
]

HeaderValue = bool | int | bytes | str | datetime.datetime | uuid.UUID

#: The prelude: total length, headers length, prelude CRC.
PRELUDE_LENGTH: Final = 12
#: Prelude and message CRC: the size of a message without headers and payload.
FRAME_OVERHEAD: Final = 16
#: The largest encoded headers botocore accepts (128 KiB).
MAX_HEADERS_LENGTH: Final = 128 * 1024
#: The largest payload botocore accepts (24 MiB).
MAX_PAYLOAD_LENGTH: Final = 24 * 1024 * 1024
#: The largest message: both limits reached.
MAX_MESSAGE_SIZE: Final = FRAME_OVERHEAD + MAX_HEADERS_LENGTH + MAX_PAYLOAD_LENGTH
#: How many bytes of a malformed frame a ResponseParseError carries as ``body``.
ERROR_BODY_LIMIT: Final = 1024

_PRELUDE = struct.Struct(">III")
_U32 = struct.Struct(">I")
_I8 = struct.Struct(">b")
_I16 = struct.Struct(">h")
_I32 = struct.Struct(">i")
_I64 = struct.Struct(">q")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_UUID_LENGTH = 16

# Header value types (the wire's indicator byte).
_TRUE, _FALSE, _BYTE, _SHORT, _INTEGER, _LONG, _BYTES, _STRING, _TIMESTAMP, _UUID = range(10)
#: The fixed-size integer types: their struct.
_INTEGER_TYPES: Final = {_BYTE: _I8, _SHORT: _I16, _INTEGER: _I32, _LONG: _I64}


class EventStreamMessage:
    """One decoded message: its ``headers`` (name -> value, read-only) and ``payload``.

    Header values are typed by their wire type: ``bool`` (types 0 and 1), ``int`` (byte,
    short, integer, long), ``bytes`` (byte array), ``str``, an aware UTC
    ``datetime.datetime`` (timestamp) or ``uuid.UUID``. Immutable.
    """

    __slots__ = ("headers", "payload")

    headers: Mapping[str, HeaderValue]
    payload: bytes

    def __init__(self, headers: Mapping[str, HeaderValue], payload: bytes) -> None:
        # A private read-only view of a copy: neither the caller nor the reader can change it.
        object.__setattr__(self, "headers", MappingProxyType(dict(headers)))
        object.__setattr__(self, "payload", bytes(payload))

    @classmethod
    def _of(cls, headers: dict[str, HeaderValue], payload: bytes) -> EventStreamMessage:
        """The decoder's constructor: ``headers`` is its own fresh dict (no copy needed)."""
        message = object.__new__(cls)
        # The slots' own setters: the cheapest way past __setattr__ (once per message).
        _set_headers(message, MappingProxyType(headers))
        _set_payload(message, payload)
        return message

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"EventStreamMessage is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"EventStreamMessage is immutable (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventStreamMessage):
            return NotImplemented
        # Type-strict: a boolean header is not an integer header of the same value.
        return self.payload == other.payload and _typed(self.headers) == _typed(other.headers)

    __hash__ = None  # type: ignore[assignment]  # headers are a mapping: not hashable

    def __repr__(self) -> str:
        # A payload can be megabytes: show its start only.
        payload = repr(self.payload[:64])
        if len(self.payload) > 64:
            payload += f"... ({len(self.payload)} bytes)"
        return f"EventStreamMessage(headers={dict(self.headers)!r}, payload={payload})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (EventStreamMessage, (dict(self.headers), self.payload))


_set_headers = vars(EventStreamMessage)["headers"].__set__
_set_payload = vars(EventStreamMessage)["payload"].__set__


def _typed(headers: Mapping[str, HeaderValue]) -> dict[str, tuple[type, HeaderValue]]:
    return {name: (type(value), value) for name, value in headers.items()}


class _Malformed(Exception):
    """A malformed frame, found by the header decoder; the decoder adds the frame's bytes."""


class EventStreamDecoder:
    """Incremental decoder of an event stream: :meth:`feed` it bytes, get whole messages.

    Only the current incomplete frame is kept between calls (plus, within one call, the
    chunk being fed): messages are decoded as soon as their last byte arrives. Every
    malformed input raises :class:`ResponseParseError` carrying ``status_code`` and up to
    the first 1 KiB of the offending frame as ``body``; the decoder is then unusable (the
    stream cannot be resynchronised) and every later call raises again.

    ``max_message_size`` caps a message's total length (at most the format's own limit,
    :data:`MAX_MESSAGE_SIZE`); headers are capped at 128 KiB and payloads at 24 MiB in any
    case. ``status_code`` is the HTTP status of the response, for the errors.
    """

    __slots__ = ("_buffer", "_error", "_expected", "_max_size", "_offset", "_status_code")

    def __init__(self, *, max_message_size: int = MAX_MESSAGE_SIZE, status_code: int = 200) -> None:
        if not FRAME_OVERHEAD <= max_message_size <= MAX_MESSAGE_SIZE:
            raise ValueError(
                f"max_message_size must be between {FRAME_OVERHEAD} and {MAX_MESSAGE_SIZE}"
            )
        self._max_size = max_message_size
        self._status_code = status_code
        #: The bytes of the incomplete frame at the front of the stream.
        self._buffer = bytearray()
        #: The total length of that frame once its prelude has been checked, else 0.
        self._expected = 0
        #: Stream offset of the buffer's first byte (for messages).
        self._offset = 0
        #: The error to raise at the next call (after returning the messages before it).
        self._error: ResponseParseError | None = None

    @property
    def buffered(self) -> int:
        """How many bytes of an incomplete frame are held."""
        return len(self._buffer)

    def feed(self, data: bytes | bytearray | memoryview) -> list[EventStreamMessage]:
        """The messages completed by ``data`` (the next bytes of the stream), in order.

        When a malformed frame follows complete messages in the same ``data``, those
        messages are returned first and the error is raised by the next call (``feed`` or
        :meth:`finish`).
        """
        if self._error is not None:
            raise self._error
        if not data:
            return []
        buffer = self._buffer
        messages: list[EventStreamMessage] = []
        if buffer:
            buffer += data
            if len(buffer) < self._expected:  # the pending frame is still incomplete
                return []
            consumed = self._decode_frames(buffer, messages)
            if consumed:
                # CPython's bytearray drops a prefix by moving its start, not the bytes: a
                # frame arriving in small chunks costs linear time, not quadratic.
                del buffer[:consumed]
        else:
            # The common case (whole frames in one chunk): decode from the chunk itself and
            # keep only the incomplete tail.
            consumed = self._decode_frames(data, messages)
            if consumed < len(data) and self._error is None:
                buffer += memoryview(data)[consumed:]
        self._offset += consumed
        if self._error is not None and not messages:
            raise self._error
        return messages

    def finish(self) -> None:
        """Mark the end of the stream: :class:`ResponseParseError` if it ends inside a frame."""
        if self._error is not None:
            raise self._error
        if self._buffer:
            self._error = self._failure(
                f"the stream ends inside a frame ({len(self._buffer)} bytes of "
                + (f"a {self._expected}-byte message" if self._expected else "a prelude")
                + " received)",
                self._buffer,
                0,
            )
            raise self._error

    def _decode_frames(
        self, data: bytes | bytearray | memoryview, messages: list[EventStreamMessage]
    ) -> int:
        """Append the complete frames at the start of ``data`` to ``messages``; bytes used.

        Stops at the first incomplete frame, or at a malformed one (stored in ``_error``).
        """
        with memoryview(data) as view:
            end = len(view)
            position = 0
            try:
                while end - position >= PRELUDE_LENGTH:
                    total = self._expected or self._check_prelude(view, position)
                    if end - position < total:
                        self._expected = total
                        break
                    messages.append(self._decode_frame(view, position, total))
                    self._expected = 0
                    position += total
            except ResponseParseError as exc:
                self._error = exc
            return position

    def _check_prelude(self, view: memoryview, start: int) -> int:
        """The frame's total length, once its prelude's CRC and lengths are checked."""
        total, headers_length, crc = _PRELUDE.unpack_from(view, start)
        actual = zlib.crc32(view[start : start + 8])
        if actual != crc:
            self._fail(
                f"prelude CRC mismatch (frame says 0x{crc:08x}, computed 0x{actual:08x})",
                view,
                start,
            )
        if total < FRAME_OVERHEAD:
            self._fail(
                f"total length {total} is below the {FRAME_OVERHEAD}-byte minimum", view, start
            )
        if total > self._max_size:
            self._fail(
                f"total length {total} exceeds the maximum message size of {self._max_size}",
                view,
                start,
            )
        if headers_length > MAX_HEADERS_LENGTH:
            self._fail(
                f"headers length {headers_length} exceeds the maximum of {MAX_HEADERS_LENGTH}",
                view,
                start,
            )
        payload_length = total - FRAME_OVERHEAD - headers_length
        if payload_length < 0:
            self._fail(
                f"headers length {headers_length} runs past the frame (total length {total})",
                view,
                start,
            )
        if payload_length > MAX_PAYLOAD_LENGTH:
            self._fail(
                f"payload length {payload_length} exceeds the maximum of {MAX_PAYLOAD_LENGTH}",
                view,
                start,
            )
        return int(total)

    def _decode_frame(self, view: memoryview, start: int, total: int) -> EventStreamMessage:
        """The message of the complete frame at ``start`` (its prelude already checked)."""
        crc_at = start + total - 4
        (expected,) = _U32.unpack_from(view, crc_at)
        actual = zlib.crc32(view[start:crc_at])
        if actual != expected:
            self._fail(
                f"message CRC mismatch (frame says 0x{expected:08x}, computed 0x{actual:08x})",
                view,
                start,
            )
        (headers_length,) = _U32.unpack_from(view, start + 4)
        headers_start = start + PRELUDE_LENGTH
        headers_end = headers_start + headers_length
        try:
            headers = _decode_headers(view[headers_start:headers_end].tobytes())
        except _Malformed as exc:
            self._fail(str(exc), view, start)
        return EventStreamMessage._of(headers, view[headers_end:crc_at].tobytes())

    def _fail(self, reason: str, view: memoryview | bytearray, start: int) -> NoReturn:
        raise self._failure(reason, view, start)

    def _failure(self, reason: str, data: memoryview | bytearray, start: int) -> ResponseParseError:
        offset = self._offset + start
        return ResponseParseError(
            f"Malformed event stream: frame at byte {offset}: {reason}",
            status_code=self._status_code,
            body=bytes(data[start : start + ERROR_BODY_LIMIT]),
        )


def _decode_headers(data: bytes) -> dict[str, HeaderValue]:
    """The headers encoded in ``data``; :class:`_Malformed` if they are not.

    ``data`` is a ``bytes`` copy of the headers: slicing and decoding ``bytes`` costs about
    half what the same on a ``memoryview`` does, and header sections are small.
    """
    headers: dict[str, HeaderValue] = {}
    end = len(data)
    position = 0
    while position < end:
        name_end = position + 1 + data[position]
        if name_end >= end:  # the type byte must follow the name
            raise _Malformed("a header name runs past the end of the headers")
        try:
            name = data[position + 1 : name_end].decode()
        except UnicodeDecodeError:
            raise _Malformed("a header name is not valid UTF-8") from None
        if name in headers:
            raise _Malformed(f"header {name!r} appears twice")
        kind = data[name_end]
        position = name_end + 1
        value: HeaderValue
        if kind == _STRING or kind == _BYTES:
            value_start = position + 2
            if value_start > end:
                raise _Malformed(f"header {name!r}: its value length runs past the headers")
            value_end = value_start + (data[position] << 8 | data[position + 1])
            if value_end > end:
                raise _Malformed(f"header {name!r}: its value runs past the end of the headers")
            if kind == _STRING:
                try:
                    value = data[value_start:value_end].decode()
                except UnicodeDecodeError:
                    raise _Malformed(f"header {name!r}: its value is not valid UTF-8") from None
            else:
                value = data[value_start:value_end]
            position = value_end
        elif kind == _TRUE:
            value = True
        elif kind == _FALSE:
            value = False
        elif kind in _INTEGER_TYPES:
            fmt = _INTEGER_TYPES[kind]
            if position + fmt.size > end:
                raise _Malformed(f"header {name!r}: its value runs past the end of the headers")
            value = fmt.unpack_from(data, position)[0]
            position += fmt.size
        elif kind == _TIMESTAMP:
            if position + 8 > end:
                raise _Malformed(f"header {name!r}: its value runs past the end of the headers")
            value = _timestamp(name, _I64.unpack_from(data, position)[0])
            position += 8
        elif kind == _UUID:
            if position + _UUID_LENGTH > end:
                raise _Malformed(f"header {name!r}: its value runs past the end of the headers")
            value = uuid.UUID(bytes=data[position : position + _UUID_LENGTH])
            position += _UUID_LENGTH
        else:
            raise _Malformed(f"header {name!r} has an unknown value type {kind}")
        headers[name] = value
    return headers


def _timestamp(name: str, milliseconds: int) -> datetime.datetime:
    """The aware UTC datetime ``milliseconds`` after the epoch (exact: integer arithmetic)."""
    seconds, millis = divmod(milliseconds, 1000)
    try:
        return _EPOCH + datetime.timedelta(seconds=seconds, microseconds=millis * 1000)
    except OverflowError:
        raise _Malformed(
            f"header {name!r}: timestamp {milliseconds} ms is outside the years 1-9999"
        ) from None


async def read_event_stream(
    chunks: AsyncIterable[bytes],
    *,
    status_code: int = 200,
    max_message_size: int = MAX_MESSAGE_SIZE,
) -> AsyncIterator[EventStreamMessage]:
    """The messages of the event stream read from ``chunks``, each as soon as it is complete.

    Never holds more than one incomplete frame and the chunk being decoded. A malformed
    frame, or a stream that ends inside a frame, raises :class:`ResponseParseError` (with
    ``status_code``) after the messages before it have been yielded.
    """
    decoder = EventStreamDecoder(max_message_size=max_message_size, status_code=status_code)
    async for chunk in chunks:
        for message in decoder.feed(chunk):
            yield message
    decoder.finish()
