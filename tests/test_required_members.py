"""Every required member of every operation, given as ``None``, is rejected before sending.

For each operation of the package and each member the model (botocore's reading of the
project's spec) marks required, at any depth of the input (URI labels, query strings,
headers, body members, and required members of nested structures), the test builds a valid
input with the differential tests' random generator, checks that this input is accepted
and sends exactly one request to a loopback server, then sets that one member to ``None``
and checks that the call raises ``errors.ParamValidationError`` naming the member and that
the server saw nothing.

Idempotency tokens are the one exception: the client fills them in (none in API Gateway).
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator
from typing import Any

import botocore.model
import pytest
import pytest_asyncio
from _botocore_oracle import SERVICE_MODEL, InputGenerator, to_kwargs
from aiohttp import web
from botocore import xform_name

import aioapigateway
from aioapigateway import errors

# One step into an input value: a structure member (by model name), a list's first item or
# a map's first value.
Step = tuple[str, str]
Path = tuple[Step, ...]


def _is_idempotency_token(shape: botocore.model.Shape) -> bool:
    return bool(shape.metadata.get("idempotencyToken"))


def required_paths(
    shape: botocore.model.Shape, prefix: Path = (), stack: tuple[str, ...] = ()
) -> Iterator[Path]:
    """The path of every required member reachable from ``shape`` (recursion cut once)."""
    if shape.name in stack:
        return
    stack = (*stack, shape.name)
    if isinstance(shape, botocore.model.StructureShape):
        required = set(shape.required_members)
        for name, member in shape.members.items():
            here = (*prefix, ("member", name))
            if name in required and not _is_idempotency_token(member):
                yield here
            yield from required_paths(member, here, stack)
    elif isinstance(shape, botocore.model.ListShape):
        yield from required_paths(shape.member, (*prefix, ("item", "")), stack)
    elif isinstance(shape, botocore.model.MapShape):
        yield from required_paths(shape.value, (*prefix, ("value", "")), stack)


def _cases() -> list[tuple[str, Path]]:
    cases = []
    for op_name in sorted(SERVICE_MODEL.operation_names):
        shape = SERVICE_MODEL.operation_model(op_name).input_shape
        if shape is not None:
            cases.extend((op_name, path) for path in required_paths(shape))
    return cases


def _py_names(shape: botocore.model.Shape, path: Path) -> list[str]:
    """Our Python names of the structure members along ``path``."""
    names = []
    for kind, name in path:
        if kind == "member":
            assert isinstance(shape, botocore.model.StructureShape)
            names.append(xform_name(name))
            shape = shape.members[name]
        elif kind == "item":
            assert isinstance(shape, botocore.model.ListShape)
            shape = shape.member
        else:
            assert isinstance(shape, botocore.model.MapShape)
            shape = shape.value
    return names


def _case_id(case: tuple[str, Path]) -> str:
    op_name, path = case
    spelled = "".join(f".{name}" if kind == "member" else f"[{kind}]" for kind, name in path)
    return op_name + spelled


CASES = _cases()


def _present(
    generator: InputGenerator, shape: botocore.model.Shape, container: Any, path: Path
) -> Any:
    """``container`` (a value of ``shape``) with every step of ``path`` present."""
    if not path:
        return container
    (kind, name), rest = path[0], path[1:]
    if kind == "member":
        assert isinstance(shape, botocore.model.StructureShape)
        target = shape.members[name]
        if container.get(name) is None:
            container[name] = generator.value(target, required=True)
        container[name] = _present(generator, target, container[name], rest)
    elif kind == "item":
        assert isinstance(shape, botocore.model.ListShape)
        if not container:
            container.append(generator.value(shape.member, required=True))
        container[0] = _present(generator, shape.member, container[0], rest)
    else:
        assert isinstance(shape, botocore.model.MapShape)
        if not container:
            key = generator.text(shape.key, non_empty=True)
            container[key] = generator.value(shape.value, required=True)
        key = next(iter(container))
        container[key] = _present(generator, shape.value, container[key], rest)
    return container


def _set_none(container: Any, path: Path) -> None:
    """Set the member at the end of ``path`` (present, see ``_present``) to ``None``."""
    for kind, name in path[:-1]:
        if kind == "member":
            container = container[name]
        elif kind == "item":
            container = container[0]
        else:
            container = next(iter(container.values()))
    container[path[-1][1]] = None


class Harness:
    """A loopback server that counts requests (any path, as sent) and answers ``{}``."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.client: aioapigateway.ApiGatewayClient | None = None

    async def handle(self, request: web.BaseRequest) -> web.Response:
        await request.read()
        self.requests.append(f"{request.method} {request.raw_path}")
        return web.Response(status=200, content_type="application/json", body=b"{}")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def harness() -> AsyncIterator[Harness]:
    state = Harness()
    # The low-level server: no router, so no path (dot segments, %2F...) is turned away.
    runner = web.ServerRunner(web.Server(state.handle), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aioapigateway.ApiGatewayClient(
            region="us-east-1",
            endpoint_url=f"http://127.0.0.1:{port}",
            credentials=aioapigateway.Credentials("AKID", "SECRET"),
            config=aioapigateway.ClientConfig(max_attempts=1),
        ) as client:
            state.client = client
            yield state
    finally:
        await runner.cleanup()


def test_every_location_is_covered() -> None:
    """The cases reach each place a required member can live, and nested structures."""
    locations = set()
    for op_name, path in CASES:
        shape = SERVICE_MODEL.operation_model(op_name).input_shape
        assert shape is not None
        member = shape.members[path[0][1]]
        locations.add(member.serialization.get("location", "body") if len(path) == 1 else "nested")
    assert locations == {"uri", "querystring", "body", "nested"}
    assert len(CASES) > 200


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
async def test_required_member_none_is_rejected_before_sending(
    harness: Harness, case: tuple[str, Path]
) -> None:
    server, client = harness, harness.client
    assert client is not None
    op_name, path = case
    operation = SERVICE_MODEL.operation_model(op_name)
    shape = operation.input_shape
    assert shape is not None
    generator = InputGenerator(f"required/{_case_id(case)}")
    params = _present(generator, shape, generator.operation_input(operation), path)
    method = getattr(client, xform_name(op_name))

    # The input is valid as generated: one request goes out.
    server.requests.clear()
    await method(**to_kwargs(shape, copy.deepcopy(params)))
    assert len(server.requests) == 1

    # The same input with the one member None: rejected, nothing sent.
    _set_none(params, path)
    server.requests.clear()
    with pytest.raises(errors.ParamValidationError) as info:
        await method(**to_kwargs(shape, params))
    assert server.requests == []
    message = str(info.value)
    assert message.startswith(f"{op_name}: invalid parameter ")
    names = _py_names(shape, path)
    assert names[0] in message and names[-1] in message
