"""Pagination (aioapigateway.runtime.paginate)."""

from __future__ import annotations

import inspect
import json
from urllib.parse import parse_qsl

import pytest
from _servers import Recorded, recording_server

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors, models


def pages(*chunks: tuple[list[str], str | None]):
    """A reply function serving one page per position token."""
    by_position = {}
    previous = None
    for names, position in chunks:
        by_position[previous] = (names, position)
        previous = position

    def reply(request: Recorded) -> tuple[int, dict[str, str], bytes]:
        query = dict(parse_qsl(request.query_string))
        names, position = by_position[query.get("position")]
        # The model names the list "items" but its wire name is "item".
        body = {"item": [{"id": n, "name": n} for n in names]}
        if position is not None:
            body["position"] = position
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    return reply


def client_for(url: str) -> ApiGatewayClient:
    return ApiGatewayClient(
        region="us-east-1",
        endpoint_url=url,
        credentials=Credentials("a", "b"),
        config=ClientConfig(max_attempts=1),
    )


def test_the_input_token_is_not_an_argument() -> None:
    parameters = inspect.signature(ApiGatewayClient.paginate_get_rest_apis).parameters
    assert "position" not in parameters and "limit" in parameters


async def test_pages_follow_the_token_and_items_flatten_them() -> None:
    async with recording_server() as server:
        reply = pages((["a", "b"], "p1"), (["c"], "p2"), ([], None))
        server.replies = [reply] * 6
        async with client_for(server.url) as client:
            seen_pages = [page async for page in client.paginate_get_rest_apis(limit=2)]
            items = [api async for api in client.paginate_get_rest_apis(limit=2).items()]
        queries = [dict(parse_qsl(r.query_string)) for r in server.requests]
    assert all(isinstance(p, models.RestApis) for p in seen_pages)
    assert [len(p.items or []) for p in seen_pages] == [2, 1, 0]
    assert [api.id for api in items] == ["a", "b", "c"]
    assert queries[0] == {"limit": "2"}
    assert queries[1] == {"limit": "2", "position": "p1"}


async def test_a_repeated_token_stops_with_an_error_instead_of_looping() -> None:
    async with recording_server() as server:
        body = json.dumps({"item": [], "position": "same"})
        for _ in range(3):
            server.reply(body=body)
        async with client_for(server.url) as client:
            with pytest.raises(errors.ResponseParseError, match="already returned"):
                async for _ in client.paginate_get_rest_apis():
                    pass
        assert len(server.requests) == 2


async def test_a_token_cycle_stops_with_an_error_instead_of_looping() -> None:
    """Tokens A, B, A: not a repeat of the last token, but a loop all the same."""
    async with recording_server() as server:
        # None -> A -> B -> A -> ...; bounded: once the queue is empty the server's default
        # reply (no token) ends the pagination, so a paginator that loops fails, not hangs.
        next_token = {None: "A", "A": "B", "B": "A"}

        def reply(request: Recorded) -> tuple[int, dict[str, str], bytes]:
            position = dict(parse_qsl(request.query_string)).get("position")
            body = {"item": [{"id": f"after-{position}"}], "position": next_token[position]}
            return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

        server.replies = [reply] * 8
        ids: list[str | None] = []
        async with client_for(server.url) as client:
            with pytest.raises(errors.ResponseParseError, match="already returned"):
                async for api in client.paginate_get_rest_apis().items():
                    ids.append(api.id)
        positions = [dict(parse_qsl(r.query_string)).get("position") for r in server.requests]
    assert positions == [None, "A", "B"]
    assert ids == ["after-None", "after-A", "after-B"]


async def test_a_server_that_ignores_pagination_ends_after_one_page() -> None:
    async with recording_server() as server:
        server.reply(body=json.dumps({"item": [{"id": "x"}]}))
        async with client_for(server.url) as client:
            ids = [api.id async for api in client.paginate_get_rest_apis(limit=1).items()]
    assert ids == ["x"]
