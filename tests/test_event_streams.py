"""Event-stream outputs of generated clients (issue 14, part 2): bedrock-runtime and lambda.

The packages are generated once per session from the pinned botocore's models, cut down to
the operations tested. A loopback
aiohttp server answers with real ``application/vnd.amazon.eventstream`` bodies (frames built by
``tests/_eventstream_frames.py``); the decoding of those bodies split at every byte boundary
is checked on the stream object itself, fed chunk by chunk.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import botocore
import pytest
from _eventstream_frames import LONG, STRING, TIMESTAMP, TRUE, Header, frame
from aiohttp import web

import aioapigateway
from aioapigateway.runtime.errors import (
    RequestTimeoutError,
    ResponseParseError,
    ServiceError,
    TransportError,
    UnsupportedOperationError,
)
from aioapigateway.runtime.event_stream_output import EventStream, EventStreamBusyError
from codegen.build import build_service
from codegen.loader import ModelFiles, load_json
from codegen.render import build_tree

CREDENTIALS = aioapigateway.Credentials("AKIDEXAMPLE", "SECRET")
EVENTSTREAM = "application/vnd.amazon.eventstream"
#: The longest any test waits for something that should happen at once (a safety net, not
#: a measured time: every wait ends as soon as its condition holds).
BOUND = 10.0


# -- generated packages ------------------------------------------------------------------------


#: The operations each package keeps: generating only them (and the shapes they reach, from
#: the pinned botocore's own model) keeps the session fixture fast.
OPERATIONS = {
    "bedrock-runtime": ("ConverseStream", "InvokeModelWithBidirectionalStream"),
    "lambda": ("InvokeWithResponseStream",),
}


def _reachable(shapes: dict[str, Any], roots: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        shape = seen[name] = shapes[name]
        stack.extend(ref["shape"] for ref in shape.get("members", {}).values())
        stack.extend(shape[key]["shape"] for key in ("member", "key", "value") if key in shape)
    return dict(sorted(seen.items()))


def generate_subset(service: str, package: str, out: Path) -> None:
    """Generate ``service``'s model cut down to ``OPERATIONS[service]`` as ``package``."""
    versions = sorted(p for p in (Path(botocore.__file__).parent / "data" / service).iterdir())
    model = load_json(versions[-1] / "service-2.json.gz")
    operations = {name: model["operations"][name] for name in OPERATIONS[service]}
    roots = [
        ref["shape"]
        for op in operations.values()
        for ref in (op.get("input"), op.get("output"), *op.get("errors", ()))
        if ref is not None
    ]
    model = {**model, "operations": operations, "shapes": _reachable(model["shapes"], roots)}
    build_tree(build_service(ModelFiles(model, {}, None), package), out)


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    out = tmp_path_factory.mktemp("event_stream_packages")
    generate_subset("bedrock-runtime", "es_bedrock_runtime", out)
    generate_subset("lambda", "es_lambda", out)
    sys.path.insert(0, str(out))
    try:
        yield {
            "bedrock": importlib.import_module("es_bedrock_runtime"),
            "lambda": importlib.import_module("es_lambda"),
        }
    finally:
        sys.path.remove(str(out))


@pytest.fixture
def bedrock(packages: dict[str, ModuleType]) -> ModuleType:
    return packages["bedrock"]


@pytest.fixture
def lambda_(packages: dict[str, ModuleType]) -> ModuleType:
    return packages["lambda"]


# -- frames --------------------------------------------------------------------------------------


def event(event_type: str, document: Any, content_type: str = "application/json") -> bytes:
    payload = document if isinstance(document, bytes) else json.dumps(document).encode()
    return frame(
        [
            Header(":event-type", STRING, event_type),
            Header(":content-type", STRING, content_type),
            Header(":message-type", STRING, "event"),
        ],
        payload,
    )


def exception(exception_type: str, document: Any) -> bytes:
    return frame(
        [
            Header(":exception-type", STRING, exception_type),
            Header(":content-type", STRING, "application/json"),
            Header(":message-type", STRING, "exception"),
        ],
        json.dumps(document).encode(),
    )


def error(code: str, message: str) -> bytes:
    return frame(
        [
            Header(":error-code", STRING, code),
            Header(":error-message", STRING, message),
            Header(":message-type", STRING, "error"),
        ]
    )


CONVERSATION = [
    event("messageStart", {"role": "assistant"}),
    event("contentBlockDelta", {"delta": {"text": "Hel"}, "contentBlockIndex": 0}),
    event("contentBlockDelta", {"delta": {"text": "lo, "}, "contentBlockIndex": 0}),
    event("contentBlockDelta", {"delta": {"text": "world"}, "contentBlockIndex": 0}),
    event("contentBlockStop", {"contentBlockIndex": 0}),
    event("messageStop", {"stopReason": "end_turn"}),
    event(
        "metadata",
        {
            "usage": {"inputTokens": 5, "outputTokens": 3, "totalTokens": 8},
            "metrics": {"latencyMs": 120},
        },
    ),
]


def expected_conversation(models: Any) -> list[Any]:
    delta = [
        models.ContentBlockDeltaEvent(
            delta=models.ContentBlockDelta(text=text), content_block_index=0
        )
        for text in ("Hel", "lo, ", "world")
    ]
    return [
        models.MessageStartEvent(role=models.ConversationRole.ASSISTANT),
        *delta,
        models.ContentBlockStopEvent(content_block_index=0),
        models.MessageStopEvent(stop_reason=models.StopReason.END_TURN),
        models.ConverseStreamMetadataEvent(
            usage=models.TokenUsage(input_tokens=5, output_tokens=3, total_tokens=8),
            metrics=models.ConverseStreamMetrics(latency_ms=120),
        ),
    ]


# -- the loopback server --------------------------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class StreamServer:
    """Answers every request with ``handler``; records the requests it saw."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        self.handler: Handler | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.method, request.path, await request.read()))
        assert self.handler is not None
        return await self.handler(request)


@asynccontextmanager
async def stream_server() -> AsyncIterator[StreamServer]:
    server = StreamServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server._handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()


def streaming(
    frames: list[bytes],
    *,
    byte_by_byte: bool = False,
    headers: dict[str, str] | None = None,
    then: Callable[[web.Request, web.StreamResponse], Awaitable[None]] | None = None,
) -> Handler:
    """A handler sending ``frames`` as a chunked event stream (one byte per write when
    ``byte_by_byte``), then running ``then`` before ending the response."""

    async def handle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200,
            headers={"Content-Type": EVENTSTREAM, "x-amzn-RequestId": "req-1", **(headers or {})},
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        body = b"".join(frames)
        pieces = [body[i : i + 1] for i in range(len(body))] if byte_by_byte else [body]
        for piece in pieces:
            await response.write(piece)  # waits until the transport takes it
            if byte_by_byte:
                await asyncio.sleep(0)
        if then is not None:
            await then(request, response)
        await response.write_eof()
        return response

    return handle


def client_of(package: ModuleType, server: StreamServer, **config: Any) -> Any:
    return package.Client(
        region="us-east-1",
        endpoint_url=server.url,
        credentials=CREDENTIALS,
        config=aioapigateway.ClientConfig(max_attempts=1, **config),
    )


async def converse(client: Any) -> Any:
    models = sys.modules[type(client).__module__.rsplit(".", 1)[0] + ".models"]
    return await client.converse_stream(
        model_id="anthropic.claude-v2",
        messages=[models.Message(role="user", content=[models.ContentBlock(text="hi")])],
    )


async def collect(stream: Any) -> list[Any]:
    events = []
    async with stream as reader:
        async for item in reader:
            events.append(item)
    return events


# -- typed events, in order ------------------------------------------------------------------------


async def test_converse_stream_yields_typed_events_in_order(bedrock: ModuleType) -> None:
    async with stream_server() as server:
        server.handler = streaming(CONVERSATION, byte_by_byte=True)
        async with client_of(bedrock, server) as client:
            out = await converse(client)
            assert isinstance(out, bedrock.models.ConverseStreamResponse)
            assert isinstance(out.stream, EventStream)
            events = await collect(out.stream)
            assert events == expected_conversation(bedrock.models)
            assert [type(e) for e in events] == [
                type(e) for e in expected_conversation(bedrock.models)
            ]
            assert out.stream.closed
            # The connection went back to the pool: the next call reuses it.
            again = await converse(client)
            assert await collect(again.stream) == expected_conversation(bedrock.models)
    method, path, body = server.requests[0]
    assert (method, path) == ("POST", "/model/anthropic.claude-v2/converse-stream")
    assert json.loads(body) == {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}


class _Content:
    """Stands in for ``aiohttp.ClientResponse.content``: ``readany`` returns the chunks."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)

    async def readany(self) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""


class _Response:
    """The parts of ``aiohttp.ClientResponse`` an ``EventStream`` uses."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.status = 200
        self.content = _Content(chunks)
        self.closed = False
        self.released = False

    def close(self) -> None:
        self.closed = True

    def release(self) -> None:
        self.released = self.closed = True


def _stream_over(bedrock: ModuleType, chunks: list[bytes]) -> tuple[EventStream[Any], _Response]:
    """An EventStream of ConverseStream reading ``chunks``, with the package's own parser."""
    from functools import partial

    from aioapigateway.runtime.client import _codecs

    service, _, parser = _codecs("es_bedrock_runtime._spec")
    shape = parser.stream_shape(service.operations["ConverseStream"])
    response = _Response(chunks)
    stream: EventStream[Any] = EventStream(
        response,  # type: ignore[arg-type]
        partial(parser.stream_event, shape, 200, {}),
        description="POST http://127.0.0.1/converse-stream",
    )
    return stream, response


BODY = b"".join(CONVERSATION)


async def test_a_body_split_at_any_byte_gives_the_same_events(bedrock: ModuleType) -> None:
    expected = expected_conversation(bedrock.models)
    for split in range(1, len(BODY)):
        stream, response = _stream_over(bedrock, [BODY[:split], BODY[split:]])
        assert await collect(stream) == expected, f"split at byte {split}"
        assert response.released


async def test_one_byte_chunks_give_the_same_events(bedrock: ModuleType) -> None:
    stream, response = _stream_over(bedrock, [BODY[i : i + 1] for i in range(len(BODY))])
    assert await collect(stream) == expected_conversation(bedrock.models)
    assert response.released


async def test_an_unknown_event_type_is_skipped(bedrock: ModuleType) -> None:
    frames = [CONVERSATION[0], event("somethingNew", {"x": 1}), *CONVERSATION[1:]]
    stream, _ = _stream_over(bedrock, [b"".join(frames)])
    assert await collect(stream) == expected_conversation(bedrock.models)


# -- errors in the stream -----------------------------------------------------------------------------


async def test_an_exception_event_raises_the_modeled_error_after_the_earlier_events(
    bedrock: ModuleType,
) -> None:
    frames = [*CONVERSATION[:3], exception("throttlingException", {"message": "slow down"})]
    async with stream_server() as server:
        server.handler = streaming([*frames, *CONVERSATION[3:]])
        async with client_of(bedrock, server) as client:
            out = await converse(client)
            seen = []
            with pytest.raises(bedrock.errors.ThrottlingException) as caught:
                async with out.stream as events:
                    async for item in events:
                        seen.append(item)
            assert seen == expected_conversation(bedrock.models)[:3]
            assert out.stream.closed
            # Iterating after the error ends at once.
            assert [item async for item in out.stream] == []
    err = caught.value
    assert err.message == "slow down"
    assert err.code == "throttlingException"  # the :exception-type, as botocore reports it
    assert err.status_code == 200
    assert err.request_id == "req-1"
    assert err.body == b'{"message": "slow down"}'


async def test_an_exception_event_carries_the_error_members(bedrock: ModuleType) -> None:
    document = {
        "message": "the model failed",
        "originalStatusCode": 424,
        "originalMessage": "boom",
    }
    stream, _ = _stream_over(bedrock, [exception("modelStreamErrorException", document)])
    with pytest.raises(bedrock.errors.ModelStreamErrorException) as caught:
        await collect(stream)
    assert caught.value.original_status_code == 424
    assert caught.value.original_message == "boom"
    assert caught.value.message == "the model failed"


async def test_an_unknown_exception_type_raises_service_error_with_its_code(
    bedrock: ModuleType,
) -> None:
    stream, _ = _stream_over(bedrock, [exception("brandNewException", {"Message": "new"})])
    with pytest.raises(ServiceError) as caught:
        await collect(stream)
    assert type(caught.value) is ServiceError
    assert (caught.value.code, caught.value.message) == ("brandNewException", "new")


async def test_an_error_message_raises_service_error(bedrock: ModuleType) -> None:
    stream, response = _stream_over(
        bedrock, [CONVERSATION[0] + error("InternalFailure", "try later") + CONVERSATION[1]]
    )
    seen = []
    with pytest.raises(ServiceError) as caught:
        async for item in stream:
            seen.append(item)
    assert type(caught.value) is ServiceError
    assert (caught.value.code, caught.value.message) == ("InternalFailure", "try later")
    assert seen == expected_conversation(bedrock.models)[:1]
    assert response.closed and not response.released


async def test_an_initial_error_response_raises_as_any_call(bedrock: ModuleType) -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response(
            {"message": "no such model"},
            status=404,
            headers={"x-amzn-ErrorType": "ResourceNotFoundException"},
        )

    async with stream_server() as server:
        server.handler = refuse
        async with client_of(bedrock, server) as client:
            with pytest.raises(bedrock.errors.ResourceNotFoundException) as caught:
                await converse(client)
    assert (caught.value.status_code, caught.value.message) == (404, "no such model")


# -- releasing the connection -------------------------------------------------------------------------


async def _hold(request: web.Request, response: web.StreamResponse) -> None:
    """Keep the response open (until the client goes away or the server stops)."""
    await asyncio.Event().wait()


async def _second_call_completes(client: Any, bedrock: ModuleType) -> None:
    """With max_connections=1, a second call can only get through if the first stream's
    connection was released."""

    async def second() -> list[Any]:
        out = await converse(client)
        return await collect(out.stream)

    assert await asyncio.wait_for(second(), BOUND) == expected_conversation(bedrock.models)


async def test_breaking_out_of_async_with_releases_the_connection(bedrock: ModuleType) -> None:
    async with stream_server() as server:
        handlers = [streaming(CONVERSATION[:2], then=_hold), streaming(CONVERSATION)]
        server.handler = lambda request: handlers.pop(0)(request)
        async with client_of(bedrock, server, max_connections=1) as client:
            out = await converse(client)
            async with out.stream as events:
                async for item in events:
                    assert item == expected_conversation(bedrock.models)[0]
                    break
            assert out.stream.closed
            await _second_call_completes(client, bedrock)


async def test_the_output_as_async_with_releases_the_connection(bedrock: ModuleType) -> None:
    async with stream_server() as server:
        handlers = [streaming(CONVERSATION[:2], then=_hold), streaming(CONVERSATION)]
        server.handler = lambda request: handlers.pop(0)(request)
        async with client_of(bedrock, server, max_connections=1) as client:
            async with await converse(client) as out:
                async for item in out.stream:
                    assert item == expected_conversation(bedrock.models)[0]
                    break
            assert out.stream.closed
            await _second_call_completes(client, bedrock)


async def test_close_releases_the_connection_and_ends_the_iteration(bedrock: ModuleType) -> None:
    async with stream_server() as server:
        handlers = [streaming(CONVERSATION[:2], then=_hold), streaming(CONVERSATION)]
        server.handler = lambda request: handlers.pop(0)(request)
        async with client_of(bedrock, server, max_connections=1) as client:
            out = await converse(client)
            assert await out.stream.__anext__() == expected_conversation(bedrock.models)[0]
            await out.stream.close()
            await out.stream.close()  # harmless
            assert [item async for item in out.stream] == []
            await _second_call_completes(client, bedrock)


async def test_cancelling_the_iteration_releases_the_connection(bedrock: ModuleType) -> None:
    async with stream_server() as server:
        handlers = [streaming(CONVERSATION[:1], then=_hold), streaming(CONVERSATION)]
        server.handler = lambda request: handlers.pop(0)(request)
        async with client_of(bedrock, server, max_connections=1) as client:
            out = await converse(client)
            first = asyncio.Event()

            async def consume() -> None:
                async for _ in out.stream:
                    first.set()

            task = asyncio.create_task(consume())
            await asyncio.wait_for(first.wait(), BOUND)
            # The consumer now waits for data that never comes: cancel it there.
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert out.stream.closed
            await _second_call_completes(client, bedrock)


async def test_two_tasks_iterating_one_stream_get_a_clear_error(bedrock: ModuleType) -> None:
    async with stream_server() as server:
        server.handler = streaming(CONVERSATION[:1], then=_hold)
        async with client_of(bedrock, server) as client:
            out = await converse(client)
            first = asyncio.create_task(out.stream.__anext__())
            await asyncio.wait_for(first, BOUND)
            waiting = asyncio.create_task(out.stream.__anext__())
            await asyncio.sleep(0)  # let it start waiting for data
            with pytest.raises(EventStreamBusyError) as caught:
                await out.stream.__anext__()
            assert isinstance(caught.value, RuntimeError)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting


# -- broken streams ------------------------------------------------------------------------------------


async def test_a_connection_cut_mid_frame_raises_transport_error(bedrock: ModuleType) -> None:
    """Chunked transfer encoding: aiohttp sees the body end before its last chunk
    (ClientPayloadError), a network failure: TransportError."""

    async def cut(request: web.Request, response: web.StreamResponse) -> None:
        await response.write(CONVERSATION[1][:10])
        assert request.transport is not None
        request.transport.close()
        await asyncio.Event().wait()

    async with stream_server() as server:
        server.handler = streaming(CONVERSATION[:1], then=cut)
        async with client_of(bedrock, server) as client:
            out = await converse(client)
            seen = []
            with pytest.raises(TransportError) as caught:
                async for item in out.stream:
                    seen.append(item)
    assert type(caught.value) is TransportError
    assert isinstance(caught.value.__cause__, aiohttp.ClientPayloadError)
    assert seen == expected_conversation(bedrock.models)[:1]


async def test_a_stream_ending_mid_frame_raises_response_parse_error(bedrock: ModuleType) -> None:
    """A body delimited by the connection's end (no length, no chunks) ends cleanly at the
    HTTP level; the decoder finds the frame incomplete: ResponseParseError."""
    body = CONVERSATION[0] + CONVERSATION[1][:-5]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # the request headers; the body follows (read below, then ignored)
        await reader.read(1)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: " + EVENTSTREAM.encode() + b"\r\n"
            b"Connection: close\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = bedrock.Client(
            region="us-east-1",
            endpoint_url=f"http://127.0.0.1:{port}",
            credentials=CREDENTIALS,
            config=aioapigateway.ClientConfig(max_attempts=1),
        )
        async with client:
            out = await converse(client)
            seen = []
            with pytest.raises(ResponseParseError) as caught:
                async for item in out.stream:
                    seen.append(item)
    finally:
        server.close()
        await server.wait_closed()
    assert "ends inside a frame" in str(caught.value)
    assert seen == expected_conversation(bedrock.models)[:1]


async def test_a_bad_frame_raises_response_parse_error(bedrock: ModuleType) -> None:
    corrupt = bytearray(CONVERSATION[1])
    corrupt[-1] ^= 0xFF  # the message CRC
    stream, response = _stream_over(bedrock, [CONVERSATION[0] + bytes(corrupt)])
    seen = []
    with pytest.raises(ResponseParseError):
        async for item in stream:
            seen.append(item)
    assert seen == expected_conversation(bedrock.models)[:1]
    assert response.closed


async def test_read_timeout_applies_to_each_wait_for_data(bedrock: ModuleType) -> None:
    async with stream_server() as server:
        server.handler = streaming(CONVERSATION[:1], then=_hold)
        async with client_of(bedrock, server, read_timeout=0.2) as client:
            out = await converse(client)
            seen = []
            with pytest.raises(RequestTimeoutError) as caught:
                async for item in out.stream:
                    seen.append(item)
    assert "read_timeout" in str(caught.value)
    assert seen == expected_conversation(bedrock.models)[:1]


async def test_operation_timeout_does_not_cut_a_long_stream(bedrock: ModuleType) -> None:
    """operation_timeout bounds the call up to the response headers; the stream goes on."""
    passed = asyncio.Event()

    async def after_the_deadline(request: web.Request, response: web.StreamResponse) -> None:
        await passed.wait()
        for item in CONVERSATION[1:]:
            await response.write(item)

    async with stream_server() as server:
        server.handler = streaming(CONVERSATION[:1], then=after_the_deadline)
        async with client_of(bedrock, server, operation_timeout=0.2) as client:
            out = await converse(client)
            events = [await out.stream.__anext__()]
            await asyncio.sleep(0.3)  # past the operation deadline
            passed.set()
            events += [item async for item in out.stream]
    assert events == expected_conversation(bedrock.models)


# -- lambda ---------------------------------------------------------------------------------------------


async def test_lambda_invoke_with_response_stream(lambda_: ModuleType) -> None:
    frames = [
        event("PayloadChunk", b"\x00binary\xff", "application/octet-stream"),
        event("PayloadChunk", b'{"ok": true}', "application/octet-stream"),
        event("InvokeComplete", {"LogResult": "bG9n"}),
    ]
    async with stream_server() as server:
        server.handler = streaming(
            frames, byte_by_byte=True, headers={"X-Amz-Executed-Version": "$LATEST"}
        )
        async with client_of(lambda_, server) as client:
            out = await client.invoke_with_response_stream(function_name="f", payload=b"{}")
            assert out.status_code == 200
            assert out.executed_version == "$LATEST"
            assert out.response_stream_content_type == EVENTSTREAM  # the Content-Type header
            events = await collect(out.event_stream)
    models = lambda_.models
    assert events == [
        models.InvokeResponseStreamUpdate(payload=b"\x00binary\xff"),
        models.InvokeResponseStreamUpdate(payload=b'{"ok": true}'),
        models.InvokeWithResponseStreamCompleteEvent(log_result="bG9n"),
    ]
    assert type(events[0].payload) is bytes


# -- input event streams ---------------------------------------------------------------------------------


async def test_an_input_event_stream_operation_raises_and_sends_nothing(
    bedrock: ModuleType,
) -> None:
    async with stream_server() as server:
        server.handler = streaming(CONVERSATION)
        async with client_of(bedrock, server) as client:
            with pytest.raises(UnsupportedOperationError) as caught:
                models = bedrock.models
                await client.invoke_model_with_bidirectional_stream(
                    model_id="m",
                    body=models.InvokeModelWithBidirectionalStreamInput(
                        chunk=models.BidirectionalInputPayloadPart(bytes=b"x")
                    ),
                )
    assert isinstance(caught.value, NotImplementedError)
    assert isinstance(caught.value, bedrock.errors.AioApiGatewayError)
    assert bedrock.errors.UnsupportedOperationError is UnsupportedOperationError
    assert "InvokeModelWithBidirectionalStream" in str(caught.value)
    assert "input is an event stream" in str(caught.value)
    assert server.requests == []


# -- event headers and payload members (no botocore model uses eventheader today) -------------------

#: A small model whose events take members from message headers and the payload.
HEADER_MODEL: dict[str, Any] = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2024-01-01",
        "endpointPrefix": "streamy",
        "protocol": "rest-json",
        "serviceId": "Streamy",
        "signatureVersion": "v4",
        "signingName": "streamy",
    },
    "operations": {
        "Watch": {
            "name": "Watch",
            "http": {"method": "GET", "requestUri": "/watch"},
            "output": {"shape": "WatchOutput"},
        }
    },
    "shapes": {
        "WatchOutput": {
            "type": "structure",
            "members": {"events": {"shape": "Events"}},
            "payload": "events",
        },
        "Events": {
            "type": "structure",
            "eventstream": True,
            "members": {
                "tick": {"shape": "Tick"},
                "note": {"shape": "Note"},
                "detail": {"shape": "Detail"},
            },
        },
        "Tick": {
            "type": "structure",
            "event": True,
            "members": {
                "seq": {"shape": "Long", "eventheader": True},
                "at": {"shape": "Time", "eventheader": True},
                "source": {"shape": "String", "eventheader": True},
                "urgent": {"shape": "Boolean", "eventheader": True},
            },
        },
        "Note": {
            "type": "structure",
            "event": True,
            "members": {
                "author": {"shape": "String", "eventheader": True},
                "text": {"shape": "String", "eventpayload": True},
            },
        },
        "Detail": {
            "type": "structure",
            "event": True,
            "members": {"body": {"shape": "Inner", "eventpayload": True}},
        },
        "Inner": {"type": "structure", "members": {"count": {"shape": "Long"}}},
        "Long": {"type": "long"},
        "Boolean": {"type": "boolean"},
        "String": {"type": "string"},
        "Time": {"type": "timestamp"},
    },
}


@pytest.fixture(scope="session")
def streamy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("streamy")
    build_tree(build_service(ModelFiles(HEADER_MODEL, {}, None), "es_streamy"), out)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("es_streamy")
    finally:
        sys.path.remove(str(out))


async def test_event_members_from_headers_and_payload(streamy: ModuleType) -> None:
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.UTC)
    tick = frame(
        [
            Header(":event-type", STRING, "tick"),
            Header(":message-type", STRING, "event"),
            Header("seq", LONG, 2**40),
            Header("at", TIMESTAMP, at),
            Header("source", STRING, "clock"),
            Header("urgent", TRUE, True),
        ]
    )
    note = frame(
        [
            Header(":event-type", STRING, "note"),
            Header(":message-type", STRING, "event"),
            Header("author", STRING, "ann"),
        ],
        "h\u00e9llo".encode(),
    )
    detail = event("detail", {"count": 3})
    async with stream_server() as server:
        server.handler = streaming([tick, note, detail])
        async with client_of(streamy, server) as client:
            out = await client.watch()
            events = await collect(out.events)
    models = streamy.models
    assert events == [
        models.Tick(seq=2**40, at=at, source="clock", urgent=True),
        models.Note(author="ann", text="h\u00e9llo"),
        models.Detail(body=models.Inner(count=3)),
    ]
    assert type(events[0].urgent) is bool and type(events[0].seq) is int
