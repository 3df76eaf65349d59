"""The event-stream decoder (``runtime/eventstream.py``) against botocore's parser and the format.

Frames are built by our own encoder (``_eventstream_frames``) and decoded both by
botocore's ``EventStreamBuffer`` (the oracle, pinned with the dev dependencies) and by ours.
botocore returns two header types differently from us: a timestamp as the ``int`` of
milliseconds on the wire (we return an aware UTC ``datetime``) and a UUID as its 16 raw
``bytes`` (we return ``uuid.UUID``); :func:`as_botocore` maps ours to botocore's form before
the type-strict comparison (``True`` is never equal to ``1`` here).
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import pickle
import re
import struct
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import hypothesis
import pytest
from _eventstream_frames import (
    BYTE,
    BYTES,
    EPOCH,
    FALSE,
    INTEGER,
    LONG,
    SHORT,
    STRING,
    TIMESTAMP,
    TRUE,
    UUID,
    Header,
    encode_headers,
    event,
    frame,
    prelude,
    to_millis,
)
from botocore.eventstream import EventStreamBuffer  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioapigateway.runtime.errors import ResponseParseError
from aioapigateway.runtime.eventstream import (
    MAX_HEADERS_LENGTH,
    MAX_MESSAGE_SIZE,
    MAX_PAYLOAD_LENGTH,
    EventStreamDecoder,
    EventStreamMessage,
    HeaderValue,
    read_event_stream,
)

PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- helpers -----------------------------------------------------------------------------------


def typed(headers: Any) -> list[tuple[str, str, object]]:
    """Headers as (name, type name, value) in wire order: a type-strict comparison."""
    return [(name, type(value).__name__, value) for name, value in headers.items()]


def as_botocore(value: HeaderValue) -> object:
    """Our header value in the form botocore's parser returns it."""
    if isinstance(value, datetime.datetime):
        return to_millis(value)
    if isinstance(value, uuid.UUID):
        return value.bytes
    return value


def botocore_messages(stream: bytes) -> list[tuple[list[tuple[str, str, object]], bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(stream)
    return [(typed(message.headers), message.payload) for message in buffer]


def ours_as_botocore(
    messages: Sequence[EventStreamMessage],
) -> list[tuple[list[tuple[str, str, object]], bytes]]:
    return [
        (typed({name: as_botocore(v) for name, v in m.headers.items()}), m.payload)
        for m in messages
    ]


def decode(chunks: Sequence[bytes], **options: Any) -> list[EventStreamMessage]:
    decoder = EventStreamDecoder(**options)
    messages = [message for chunk in chunks for message in decoder.feed(chunk)]
    decoder.finish()
    return messages


def split(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    points = [0, *sorted(cuts), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(points)]


def expected_value(header: Header) -> object:
    """What our decoder must return for an encoded header (exact type)."""
    if header.kind == TRUE:
        return True
    if header.kind == FALSE:
        return False
    return header.value


# -- strategies --------------------------------------------------------------------------------

MIN_MILLIS = to_millis(datetime.datetime(1, 1, 1, tzinfo=datetime.UTC))
MAX_MILLIS = to_millis(datetime.datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=datetime.UTC))


def _int_range(bits: int) -> st.SearchStrategy[int]:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return st.one_of(st.sampled_from([low, -1, 0, 1, high]), st.integers(low, high))


VALUES: dict[int, st.SearchStrategy[Any]] = {
    TRUE: st.just(True),
    FALSE: st.just(False),
    BYTE: _int_range(8),
    SHORT: _int_range(16),
    INTEGER: _int_range(32),
    LONG: _int_range(64),
    BYTES: st.binary(max_size=300),
    STRING: st.one_of(st.just(""), st.text(max_size=60), st.just("é€𝄞" * 20)),
    TIMESTAMP: st.one_of(
        st.sampled_from([MIN_MILLIS, -1, 0, MAX_MILLIS]), st.integers(MIN_MILLIS, MAX_MILLIS)
    ).map(lambda ms: EPOCH + datetime.timedelta(milliseconds=ms)),
    UUID: st.uuids(),
}
NAMES = st.one_of(
    st.text(min_size=1, max_size=30),
    st.sampled_from([":event-type", ":content-type", ":message-type", "ü-名前", "n" * 255]),
)
HEADER = st.tuples(NAMES, st.sampled_from(sorted(VALUES))).flatmap(
    lambda pair: VALUES[pair[1]].map(lambda value: Header(pair[0], pair[1], value))
)
HEADERS = st.lists(HEADER, max_size=10, unique_by=lambda header: header.name)
PAYLOADS = st.one_of(st.just(b""), st.binary(max_size=64), st.binary(min_size=1000, max_size=4096))
MESSAGES = st.lists(st.tuples(HEADERS, PAYLOADS), min_size=1, max_size=4)


# -- agreement with botocore's parser ----------------------------------------------------------


@PROPERTY
@given(messages=MESSAGES, data=st.data())
def test_random_messages_split_anywhere_decode_like_botocore(
    messages: list[tuple[list[Header], bytes]], data: st.DataObject
) -> None:
    stream = b"".join(frame(headers, payload) for headers, payload in messages)
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8), label="cuts")

    ours = decode(split(stream, cuts))

    assert ours_as_botocore(ours) == botocore_messages(stream)
    # And against the source: every header with its exact type (bool stays bool).
    assert [(typed(m.headers), m.payload) for m in ours] == [
        (
            [(h.name, type(expected_value(h)).__name__, expected_value(h)) for h in headers],
            payload,
        )
        for headers, payload in messages
    ]


@PROPERTY
@given(
    raw=st.one_of(
        st.binary(max_size=80),
        st.tuples(HEADERS, st.data()).map(lambda pair: _mutated(*pair)),
    ),
    payload=st.binary(max_size=16),
)
def test_garbage_headers_fail_cleanly_and_only_where_botocore_fails_or_is_lenient(
    raw: bytes, payload: bytes
) -> None:
    """Headers of random bytes (CRCs valid): ours raises only ResponseParseError, and when
    botocore accepts what we reject, the reason is one of our documented strict checks."""
    stream = frame(raw, payload)
    try:
        ours = decode([stream])
    except ResponseParseError as exc:
        try:
            botocore_messages(stream)
        except Exception:  # botocore rejects it too (struct.error, KeyError, ...)
            hypothesis.event("both reject")
            return
        hypothesis.event("only ours rejects")
        assert re.search(r"runs past the (end of the )?headers|outside the years 1-9999", str(exc))
        return
    hypothesis.event("both accept")
    assert ours_as_botocore(ours) == botocore_messages(stream)


def _mutated(headers: list[Header], data: st.DataObject) -> bytes:
    """Valid encoded headers with one byte changed or the end cut off."""
    raw = bytearray(encode_headers(headers))
    if not raw:
        return bytes(raw)
    if data.draw(st.booleans(), label="cut"):
        return bytes(raw[: data.draw(st.integers(0, len(raw) - 1), label="length")])
    raw[data.draw(st.integers(0, len(raw) - 1), label="at")] = data.draw(st.integers(0, 255))
    return bytes(raw)


THREE = [
    frame(
        [
            Header(":event-type", STRING, "contentBlockDelta"),
            Header("flag", TRUE, True),
            Header("off", FALSE, False),
            Header("b", BYTE, -128),
            Header("s", SHORT, 32767),
        ],
        b'{"delta":{"text":"Hel"}}',
    ),
    frame(
        [
            Header("i", INTEGER, -(2**31)),
            Header("l", LONG, 2**63 - 1),
            Header("blob", BYTES, b"\x00\xff"),
            Header(
                "when", TIMESTAMP, datetime.datetime(2024, 2, 29, 12, 0, 0, 123000, datetime.UTC)
            ),
            Header("id", UUID, uuid.UUID("0123456789abcdef0123456789abcdef")),
        ],
        b"",
    ),
    event("messageStop", b'{"stopReason":"end_turn"}'),
]
STREAM = b"".join(THREE)
EXPECTED = botocore_messages(STREAM)


def test_the_three_message_stream_decodes_like_botocore() -> None:
    ours = decode([STREAM])
    assert ours_as_botocore(ours) == EXPECTED
    assert ours[1].headers["when"] == datetime.datetime(2024, 2, 29, 12, 0, 0, 123000, datetime.UTC)
    assert ours[1].headers["when"].tzinfo is datetime.UTC  # type: ignore[union-attr]
    assert ours[1].headers["id"] == uuid.UUID("0123456789abcdef0123456789abcdef")
    assert ours[0].headers["flag"] is True and ours[0].headers["off"] is False


def test_split_at_every_byte_boundary() -> None:
    for cut in range(len(STREAM) + 1):
        assert ours_as_botocore(decode([STREAM[:cut], STREAM[cut:]])) == EXPECTED, cut


def test_one_byte_chunks_give_each_message_as_its_last_byte_arrives() -> None:
    decoder = EventStreamDecoder()
    ends = {sum(map(len, THREE[: i + 1])) - 1: i for i in range(len(THREE))}
    got: list[EventStreamMessage] = []
    frame_start = 0
    for index in range(len(STREAM)):
        messages = decoder.feed(STREAM[index : index + 1])
        if index in ends:
            assert len(messages) == 1, index
            frame_start = index + 1
        else:
            assert messages == [], index
        # Only the current frame is held: never more than its bytes received so far.
        assert decoder.buffered == index + 1 - frame_start
        got += messages
    decoder.finish()
    assert ours_as_botocore(got) == EXPECTED


def test_a_memoryview_and_a_bytearray_are_accepted() -> None:
    decoder = EventStreamDecoder()
    messages = decoder.feed(memoryview(STREAM)[:100]) + decoder.feed(bytearray(STREAM[100:]))
    decoder.finish()
    assert ours_as_botocore(messages) == EXPECTED


# -- malformed input ---------------------------------------------------------------------------

GOOD = event("chunk", b'{"bytes":"aGk="}')


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def _header(name: bytes, kind: int, value: bytes) -> bytes:
    return bytes([len(name)]) + name + bytes([kind]) + value


#: Malformed headers: raw header bytes (in a frame whose lengths and CRCs are right).
MALFORMED_HEADERS = {
    "name past the headers": (bytes([9]) + b"abc", "name runs past the end"),
    "name without a type byte": (bytes([3]) + b"abc", "name runs past the end"),
    "string length past the headers": (
        _header(b"s", STRING, struct.pack(">H", 10) + b"abc"),
        "'s': its value runs past the end",
    ),
    "string length cut": (_header(b"s", STRING, b"\x00"), "'s': its value length runs past"),
    "byte array past the headers": (
        _header(b"b", BYTES, struct.pack(">H", 4) + b"ab"),
        "'b': its value runs past the end",
    ),
    "long cut short": (_header(b"l", LONG, b"\x00" * 7), "'l': its value runs past the end"),
    "byte cut short": (_header(b"y", BYTE, b""), "'y': its value runs past the end"),
    "timestamp cut short": (_header(b"t", TIMESTAMP, b"\x00" * 3), "'t': its value runs past"),
    "uuid cut short": (_header(b"u", UUID, b"\x00" * 15), "'u': its value runs past the end"),
    "unknown header type 10": (_header(b"x", 10, b""), "'x' has an unknown value type 10"),
    "unknown header type 255": (_header(b"x", 255, b""), "unknown value type 255"),
    "name not utf-8": (_header(b"\xff\xfe", STRING, b"\x00\x00"), "name is not valid UTF-8"),
    "string not utf-8": (
        _header(b"s", STRING, b"\x00\x02\xc3\x28"),
        "'s': its value is not valid UTF-8",
    ),
    "duplicate header": (
        _header(b"d", TRUE, b"") + _header(b"d", FALSE, b""),
        "header 'd' appears twice",
    ),
    "timestamp after year 9999": (
        _header(b"t", TIMESTAMP, struct.pack(">q", MAX_MILLIS + 1)),
        "'t': timestamp 253402300800000 ms is outside the years 1-9999",
    ),
    "timestamp at the largest long": (
        _header(b"t", TIMESTAMP, struct.pack(">q", 2**63 - 1)),
        "outside the years 1-9999",
    ),
    "timestamp before year 1": (
        _header(b"t", TIMESTAMP, struct.pack(">q", MIN_MILLIS - 1)),
        "outside the years 1-9999",
    ),
}
#: Malformed frames: the whole frame's bytes.
MALFORMED = {
    "bad prelude crc": (frame([], b"x", prelude_crc=0x12345678), "prelude CRC mismatch"),
    "bad message crc": (_flip(GOOD, len(GOOD) - 6), "message CRC mismatch"),
    "message crc itself wrong": (frame([], b"x", message_crc=0), "message CRC mismatch"),
    "total below minimum": (frame(b"", b"", total_length=15), "below the 16-byte minimum"),
    "headers past the frame": (
        frame(b"", b"abcd", headers_length=5),
        "headers length 5 runs past the frame (total length 20)",
    ),
    **{case: (frame(raw, b"payload"), reason) for case, (raw, reason) in MALFORMED_HEADERS.items()},
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_frames_raise_response_parse_error(case: str) -> None:
    stream, reason = MALFORMED[case]
    decoder = EventStreamDecoder(status_code=200)
    with pytest.raises(ResponseParseError) as info:
        decoder.feed(GOOD)
        decoder.feed(stream)
    assert reason in str(info.value)
    assert str(info.value).startswith(f"Malformed event stream: frame at byte {len(GOOD)}: ")
    assert info.value.status_code == 200
    assert info.value.body == stream[:1024]
    # The stream cannot be resynchronised: every later call fails the same way.
    with pytest.raises(ResponseParseError) as again:
        decoder.feed(GOOD)
    assert again.value is info.value
    with pytest.raises(ResponseParseError):
        decoder.finish()


def test_any_flipped_bit_is_detected_by_the_crc_that_covers_it() -> None:
    """CRC32 catches every single-bit error: in a prelude (its lengths included) the prelude
    CRC, elsewhere the message CRC, before any length or header is trusted."""
    starts = list(itertools.accumulate([0, *map(len, THREE)]))
    for index in range(len(STREAM)):
        start = max(s for s in starts if s <= index)
        which = "prelude" if index - start < 12 else "message"
        expected = f"frame at byte {start}: {which} CRC mismatch"
        with pytest.raises(ResponseParseError, match=expected):
            decode([_flip(STREAM, index)])


def test_a_truncated_final_frame_fails_at_finish() -> None:
    for cut in range(1, len(GOOD)):
        decoder = EventStreamDecoder(status_code=200)
        assert decoder.feed(GOOD + GOOD[:cut]) != []
        with pytest.raises(ResponseParseError) as info:
            decoder.finish()
        of = f"a {len(GOOD)}-byte message" if cut >= 12 else "a prelude"
        assert str(info.value) == (
            f"Malformed event stream: frame at byte {len(GOOD)}: the stream ends inside a "
            f"frame ({cut} bytes of {of} received)"
        )
        assert info.value.body == GOOD[:cut]


def test_finish_after_whole_frames_is_quiet() -> None:
    decoder = EventStreamDecoder()
    decoder.feed(GOOD)
    decoder.finish()
    EventStreamDecoder().finish()


@pytest.mark.parametrize(
    ("head", "options", "reason"),
    [
        (
            prelude(2**32 - 1, 0),
            {},
            f"total length 4294967295 exceeds the maximum message size of {MAX_MESSAGE_SIZE}",
        ),
        (prelude(MAX_MESSAGE_SIZE + 1, 0), {}, "exceeds the maximum message size"),
        (
            prelude(5000, 0),
            {"max_message_size": 4096},
            "total length 5000 exceeds the maximum message size of 4096",
        ),
        (
            prelude(16 + MAX_PAYLOAD_LENGTH + 1, 0),
            {},
            f"payload length {MAX_PAYLOAD_LENGTH + 1} exceeds the maximum of {MAX_PAYLOAD_LENGTH}",
        ),
        (
            prelude(16 + MAX_HEADERS_LENGTH + 1, MAX_HEADERS_LENGTH + 1),
            {},
            f"headers length {MAX_HEADERS_LENGTH + 1} exceeds the maximum of {MAX_HEADERS_LENGTH}",
        ),
    ],
)
def test_an_oversized_prelude_fails_before_its_frame_arrives(
    head: bytes, options: dict[str, int], reason: str
) -> None:
    decoder = EventStreamDecoder(**options)
    assert decoder.feed(head[:11]) == []
    with pytest.raises(ResponseParseError, match=re.escape(reason)):
        decoder.feed(head[11:])


def test_the_largest_allowed_prelude_is_waited_for() -> None:
    """At the limits exactly, the prelude is accepted and the decoder waits for the frame."""
    decoder = EventStreamDecoder()
    assert decoder.feed(prelude(MAX_MESSAGE_SIZE, MAX_HEADERS_LENGTH)) == []
    assert decoder.buffered == 12
    small = EventStreamDecoder(max_message_size=len(GOOD))
    assert len(small.feed(GOOD)) == 1


def test_max_message_size_must_be_within_the_format() -> None:
    with pytest.raises(ValueError, match="max_message_size"):
        EventStreamDecoder(max_message_size=15)
    with pytest.raises(ValueError, match="max_message_size"):
        EventStreamDecoder(max_message_size=MAX_MESSAGE_SIZE + 1)


def test_the_error_body_is_bounded_to_the_first_kib_of_the_frame() -> None:
    big = frame([Header("a", STRING, "x")], b"p" * 5000, message_crc=1)
    with pytest.raises(ResponseParseError) as info:
        decode([big])
    assert info.value.body == big[:1024]


def test_messages_before_a_bad_frame_in_the_same_chunk_come_first() -> None:
    decoder = EventStreamDecoder()
    messages = decoder.feed(GOOD + GOOD + frame([], b"x", message_crc=0))
    assert [m.payload for m in messages] == [b'{"bytes":"aGk="}'] * 2
    with pytest.raises(ResponseParseError, match=f"frame at byte {2 * len(GOOD)}: message CRC"):
        decoder.finish()


def test_messages_before_a_bad_frame_in_the_buffered_path_come_first() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed(GOOD[:20]) == []
    assert len(decoder.feed(GOOD[20:] + frame([], b"x", prelude_crc=1))) == 1
    with pytest.raises(ResponseParseError, match="prelude CRC mismatch"):
        decoder.feed(GOOD)


# -- read_event_stream -------------------------------------------------------------------------


class Chunks:
    """An async generator of chunks that counts how many it has handed out."""

    def __init__(self, chunks: Sequence[bytes]) -> None:
        self.chunks = chunks
        self.sent = 0

    async def __call__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            await asyncio.sleep(0)
            self.sent += 1
            yield chunk


async def test_read_event_stream_yields_each_message_as_its_chunk_arrives() -> None:
    # The first frame in three pieces, the second and third in one chunk, then a tail.
    cut = len(THREE[0])
    chunks = Chunks([STREAM[:5], STREAM[5:40], STREAM[40:cut], STREAM[cut:]])
    seen: list[tuple[int, EventStreamMessage]] = []
    async for message in read_event_stream(chunks()):
        seen.append((chunks.sent, message))
    assert [sent for sent, _ in seen] == [3, 4, 4]
    assert ours_as_botocore([m for _, m in seen]) == EXPECTED


async def test_read_event_stream_one_byte_chunks() -> None:
    chunks = Chunks([STREAM[i : i + 1] for i in range(len(STREAM))])
    messages = [message async for message in read_event_stream(chunks())]
    assert ours_as_botocore(messages) == EXPECTED


async def test_read_event_stream_truncated_final_frame() -> None:
    chunks = Chunks([GOOD, GOOD[:-1]])
    got: list[EventStreamMessage] = []
    with pytest.raises(ResponseParseError, match="ends inside a frame") as info:
        async for message in read_event_stream(chunks(), status_code=206):
            got.append(message)
    assert len(got) == 1
    assert info.value.status_code == 206
    assert info.value.body == GOOD[:-1]


async def test_read_event_stream_bad_crc_after_good_messages_in_one_chunk() -> None:
    chunks = Chunks([GOOD + _flip(GOOD, 30) + GOOD])
    got: list[EventStreamMessage] = []
    with pytest.raises(ResponseParseError, match="message CRC mismatch"):
        async for message in read_event_stream(chunks()):
            got.append(message)
    assert len(got) == 1


async def test_read_event_stream_honours_max_message_size() -> None:
    chunks = Chunks([GOOD])
    with pytest.raises(ResponseParseError, match="exceeds the maximum message size of 20"):
        async for _ in read_event_stream(chunks(), max_message_size=20):
            pass


async def test_read_event_stream_of_an_empty_body_yields_nothing() -> None:
    assert [m async for m in read_event_stream(Chunks([b"", b""])())] == []


# -- the message class -------------------------------------------------------------------------


def test_messages_are_immutable() -> None:
    (message,) = decode([GOOD])
    with pytest.raises(AttributeError, match="immutable"):
        message.payload = b""
    with pytest.raises(AttributeError, match="immutable"):
        del message.headers
    with pytest.raises(TypeError):
        message.headers[":event-type"] = "other"  # type: ignore[index]
    with pytest.raises(TypeError, match="unhashable"):
        hash(message)


def test_message_equality_is_type_strict() -> None:
    assert EventStreamMessage({"a": True}, b"") == EventStreamMessage({"a": True}, b"")
    assert EventStreamMessage({"a": True}, b"") != EventStreamMessage({"a": 1}, b"")
    assert EventStreamMessage({"a": 1}, b"") != EventStreamMessage({"a": 1}, b"x")
    assert EventStreamMessage({"a": 1}, b"") != ({"a": 1}, b"")


def test_a_message_built_by_hand_owns_its_headers() -> None:
    headers: dict[str, HeaderValue] = {"a": "b"}
    message = EventStreamMessage(headers, b"p")
    headers["a"] = "changed"
    assert message.headers == {"a": "b"}


def test_message_repr_shows_the_payload_start_only() -> None:
    small = EventStreamMessage({":event-type": "x"}, b"abc")
    assert repr(small) == "EventStreamMessage(headers={':event-type': 'x'}, payload=b'abc')"
    big = EventStreamMessage({}, b"z" * 10_000)
    assert repr(big) == f"EventStreamMessage(headers={{}}, payload={b'z' * 64!r}... (10000 bytes))"


def test_messages_pickle() -> None:
    (_, message, _) = decode([STREAM])
    assert pickle.loads(pickle.dumps(message)) == message
