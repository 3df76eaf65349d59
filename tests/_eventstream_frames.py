"""An encoder of ``application/vnd.amazon.eventstream`` frames, for the decoder's tests.

Written from the format's description (Smithy's "Amazon Event Stream Specification"), not
from any SDK: a frame is ``total length, headers length, prelude CRC`` (u32 big-endian each),
the headers, the payload and the message CRC (CRC32 of everything before it). Every length
and CRC can be overridden to build malformed frames; headers can be given as raw bytes.
"""

from __future__ import annotations

import datetime
import struct
import uuid
import zlib
from collections.abc import Sequence
from typing import NamedTuple

# The wire's header value types.
TRUE, FALSE, BYTE, SHORT, INTEGER, LONG, BYTES, STRING, TIMESTAMP, UUID = range(10)
TYPE_NAMES = (
    "bool-true",
    "bool-false",
    "byte",
    "short",
    "integer",
    "long",
    "byte-array",
    "string",
    "timestamp",
    "uuid",
)
_INTEGER_FORMATS = {BYTE: ">b", SHORT: ">h", INTEGER: ">i", LONG: ">q"}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class Header(NamedTuple):
    """One header to encode: ``kind`` is the wire type (``STRING``...)."""

    name: str
    kind: int
    value: object


def to_millis(value: datetime.datetime) -> int:
    """Milliseconds since the epoch of an aware datetime with whole milliseconds."""
    delta = value - EPOCH
    assert delta.microseconds % 1000 == 0
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def encode_value(kind: int, value: object) -> bytes:
    """The value bytes of a header of type ``kind``."""
    if kind in (TRUE, FALSE):
        return b""
    if kind in _INTEGER_FORMATS:
        assert isinstance(value, int)
        return struct.pack(_INTEGER_FORMATS[kind], value)
    if kind in (BYTES, STRING):
        raw = value.encode() if isinstance(value, str) else value
        assert isinstance(raw, bytes)
        return struct.pack(">H", len(raw)) + raw
    if kind == TIMESTAMP:
        millis = to_millis(value) if isinstance(value, datetime.datetime) else value
        assert isinstance(millis, int)
        return struct.pack(">q", millis)
    if kind == UUID:
        raw = value.bytes if isinstance(value, uuid.UUID) else value
        assert isinstance(raw, bytes)
        return raw
    raise ValueError(f"no encoding for header type {kind}")


def encode_header(header: Header) -> bytes:
    """One header: name length, name, type, value."""
    name = header.name.encode()
    return (
        bytes([len(name)]) + name + bytes([header.kind]) + encode_value(header.kind, header.value)
    )


def encode_headers(headers: Sequence[Header]) -> bytes:
    return b"".join(encode_header(header) for header in headers)


def frame(
    headers: Sequence[Header] | bytes = (),
    payload: bytes = b"",
    *,
    total_length: int | None = None,
    headers_length: int | None = None,
    prelude_crc: int | None = None,
    message_crc: int | None = None,
) -> bytes:
    """An encoded message; an override replaces the computed field (CRCs are computed over
    the fields as written, so overriding a length keeps the prelude CRC valid)."""
    raw_headers = headers if isinstance(headers, bytes) else encode_headers(headers)
    total = 16 + len(raw_headers) + len(payload) if total_length is None else total_length
    prelude = struct.pack(
        ">II", total, len(raw_headers) if headers_length is None else headers_length
    )
    crc = zlib.crc32(prelude) if prelude_crc is None else prelude_crc
    body = prelude + struct.pack(">I", crc) + raw_headers + payload
    end = zlib.crc32(body) if message_crc is None else message_crc
    return body + struct.pack(">I", end)


def prelude(total_length: int, headers_length: int) -> bytes:
    """A valid 12-byte prelude (its CRC right) announcing the given lengths."""
    head = struct.pack(">II", total_length, headers_length)
    return head + struct.pack(">I", zlib.crc32(head))


def event(event_type: str, payload: bytes) -> bytes:
    """A typical service event: the three string headers AWS sends, and a JSON payload."""
    return frame(
        [
            Header(":event-type", STRING, event_type),
            Header(":content-type", STRING, "application/json"),
            Header(":message-type", STRING, "event"),
        ],
        payload,
    )
