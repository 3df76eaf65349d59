"""Property tests: whatever comes back, the parser raises only the contract's errors.

Every operation's response parser gets random bytes, random JSON (shaped like the output
shape, with random values where the model expects others) and random headers, with success
and error statuses; ``parse`` may return a model or raise an ``aioapigateway.errors`` error,
and ``parse_error`` always returns a ``ServiceError``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _faults import Reply, fault_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors
from aioapigateway._spec import SERVICE
from aioapigateway.runtime.parse import ResponseParser
from aioapigateway.runtime.shapes import Shape

PARSER = ResponseParser(SERVICE)
OPERATIONS = sorted(SERVICE.operations)
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Header names the model reads, plus the ones the error parser looks at.
MODEL_HEADERS = sorted(
    {
        member.wire_name
        for shape in SERVICE.shapes.values()
        for member in shape.members
        if member.location in ("header", "headers")
    }
    | {"x-amzn-ErrorType", "x-amzn-RequestId", "x-amz-request-id", "Content-Type", "Retry-After"}
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "2024-01-01T00:00:00Z", "=="]),
    # An integer no double can hold (float() overflows on it).
    st.sampled_from([10**400, -(10**400)]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)


def shaped(shape_name: str, depth: int = 0) -> st.SearchStrategy[Any]:
    """JSON that follows the shape's structure, with random values mixed in."""
    shape: Shape = SERVICE.shapes[shape_name]
    if depth > 3:
        return json_values
    if shape.type == "structure":
        members = {
            member.wire_name: shaped(member.shape, depth + 1)
            for member in shape.members
            if not member.location
        }
        return (
            st.one_of(st.fixed_dictionaries({}, optional=members), json_values)
            if members
            else json_values
        )
    if shape.type == "list" and shape.member:
        return st.one_of(st.lists(shaped(shape.member, depth + 1), max_size=3), json_values)
    if shape.type == "map" and shape.value:
        return st.one_of(
            st.dictionaries(st.text(max_size=6), shaped(shape.value, depth + 1), max_size=3),
            json_values,
        )
    if shape.enum:
        return st.one_of(st.sampled_from(shape.enum), json_values)
    return json_values


headers_strategy = st.dictionaries(
    st.one_of(st.sampled_from(MODEL_HEADERS), st.text("abcxyz-", min_size=1, max_size=10)),
    st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40),
    max_size=6,
)
success_status = st.sampled_from([200, 201, 202, 204])
any_status = st.integers(min_value=100, max_value=599)


def check(operation: str, status: int, headers: dict[str, str], body: bytes) -> None:
    op = SERVICE.operations[operation]
    multi = CIMultiDict(headers)
    try:
        PARSER.parse(op, status, multi, body)
    except errors.AioApiGatewayError as exc:
        assert isinstance(exc, errors.ResponseParseError)
        assert exc.status_code == status and exc.body == body
    error = PARSER.parse_error(status, multi, body)
    assert isinstance(error, errors.ServiceError)
    assert error.status_code == status and error.body == body and error.code


@FUZZ
@given(
    operation=st.sampled_from(OPERATIONS),
    status=st.one_of(success_status, any_status),
    headers=headers_strategy,
    body=st.binary(max_size=200),
)
def test_random_bytes(operation: str, status: int, headers: dict[str, str], body: bytes) -> None:
    check(operation, status, headers, body)


@FUZZ
@given(data=st.data(), status=success_status, headers=headers_strategy)
def test_random_json_shaped_like_the_output(
    data: st.DataObject, status: int, headers: dict[str, str]
) -> None:
    operation = data.draw(st.sampled_from(OPERATIONS))
    output = SERVICE.operations[operation].output
    document = data.draw(shaped(output) if output else json_values)
    check(operation, status, headers, json.dumps(document).encode())


@FUZZ
@given(
    operation=st.sampled_from(OPERATIONS),
    status=any_status,
    document=json_values,
    headers=headers_strategy,
)
def test_random_json_and_error_shapes(
    operation: str, status: int, document: Any, headers: dict[str, str]
) -> None:
    body = json.dumps(document).encode()
    check(operation, status, headers, body)
    # Error documents with the fields the error parser reads.
    for code in ("NotFoundException", "TooManyRequestsException", "Nope", ""):
        error_doc = {"message": document, "code": code, "__type": document}
        check(operation, status, headers, json.dumps(error_doc).encode())


NESTED = b'{"tags": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def test_deeply_nested_json_in_the_parser() -> None:
    check("GetRestApi", 200, {}, NESTED)


@pytest.mark.usefixtures("isolated_aws_env")
async def test_deeply_nested_json_through_the_client() -> None:
    async with fault_server() as server:
        server.script(Reply(200, NESTED), Reply(500, NESTED))
        client = ApiGatewayClient(
            region="us-east-1",
            endpoint_url=server.url,
            credentials=Credentials("AKIDEXAMPLE", "secret"),
            config=ClientConfig(max_attempts=1),
        )
        async with client:
            with pytest.raises(errors.ResponseParseError) as caught:
                await client.get_rest_api(rest_api_id="abc")
            assert caught.value.status_code == 200 and caught.value.body == NESTED
            assert isinstance(caught.value.__cause__, RecursionError)
            with pytest.raises(errors.ServiceError) as failed:
                await client.get_rest_api(rest_api_id="abc")
            assert failed.value.code == "500" and failed.value.body == NESTED
