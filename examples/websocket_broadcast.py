"""A WebSocket API backend that fans each message out to every connected client.

API Gateway holds the WebSocket connections; the backend only knows their ids (its
``$connect`` and ``$disconnect`` routes call it) and pushes messages with the connections
API's ``post_to_connection``, one call per message per client. This backend sends them
concurrently with a bounded fan-out (at most ``--max-in-flight`` calls at once, through one
shared client and its connection pool), forgets the ids that answer ``GoneException`` (the
client went away) and reports what happened.

Endpoints:

    PUT    /connections/{connection_id}   remember a connection (the $connect integration)
    DELETE /connections/{connection_id}   forget it (the $disconnect integration)
    GET    /connections                   the connection ids known: {"connections": [...]}
    POST   /broadcast                     send the request body (a JSON value) to every
                                          connection: {"delivered": n, "gone": n, "failed": n}

Run it with the API's callback URL, or the parts of the default one::

    python examples/websocket_broadcast.py --api-id abc123 --stage prod --region eu-west-1
    python examples/websocket_broadcast.py --endpoint-url https://ws.example.com/chat
    curl -X PUT localhost:8080/connections/L0SM9cOFvHcCIhw=
    curl localhost:8080/broadcast -d '{"text": "hello"}'
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass

import aiohttp
from aiohttp import web

from aioapigateway import ClientConfig, Credentials
from aioapigateway.management import ApiGatewayManagementApiClient, callback_url, errors

logger = logging.getLogger("websocket_broadcast")

#: What API Gateway accepts in one message (128 KiB).
MAX_MESSAGE_BYTES = 128 * 1024


@dataclass
class BroadcastReport:
    """What one broadcast did, per connection."""

    delivered: int = 0
    gone: int = 0
    failed: int = 0


class Broadcaster:
    """The connection ids a backend knows, and the fan-out of one message to all of them."""

    def __init__(self, client: ApiGatewayManagementApiClient, max_in_flight: int = 64) -> None:
        self._client = client
        self._connections: set[str] = set()
        # One semaphore for the whole backend: concurrent broadcasts share the bound.
        self._in_flight = asyncio.Semaphore(max_in_flight)

    @property
    def connections(self) -> frozenset[str]:
        return frozenset(self._connections)

    def add(self, connection_id: str) -> None:
        self._connections.add(connection_id)

    def discard(self, connection_id: str) -> None:
        self._connections.discard(connection_id)

    async def broadcast(self, message: bytes) -> BroadcastReport:
        """Send ``message`` to every known connection; drop the ones that are gone."""
        outcomes = await asyncio.gather(
            *(self._send(connection_id, message) for connection_id in sorted(self._connections))
        )
        report = BroadcastReport()
        for outcome in outcomes:
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    async def _send(self, connection_id: str, message: bytes) -> str:
        async with self._in_flight:
            try:
                await self._client.post_to_connection(connection_id=connection_id, data=message)
            except errors.GoneException:
                # The client disconnected without $disconnect reaching us: forget it.
                self.discard(connection_id)
                return "gone"
            except errors.AioApiGatewayError as exc:
                # Throttled after retries, a network failure, a forbidden id...: counted,
                # and the connection is kept for the next message.
                logger.warning("post_to_connection(%s) failed: %r", connection_id, exc)
                return "failed"
        return "delivered"


# -- the web application ------------------------------------------------------------------------

BROADCASTER = web.AppKey("broadcaster", Broadcaster)


async def put_connection(request: web.Request) -> web.Response:
    request.app[BROADCASTER].add(request.match_info["connection_id"])
    return web.Response(status=204)


async def delete_connection(request: web.Request) -> web.Response:
    request.app[BROADCASTER].discard(request.match_info["connection_id"])
    return web.Response(status=204)


async def list_connections(request: web.Request) -> web.Response:
    return web.json_response({"connections": sorted(request.app[BROADCASTER].connections)})


async def broadcast(request: web.Request) -> web.Response:
    body = await request.read()
    if len(body) > MAX_MESSAGE_BYTES:
        return web.json_response({"error": "the message is larger than 128 KiB"}, status=413)
    try:
        json.loads(body)
    except ValueError:
        return web.json_response({"error": "the body must be JSON"}, status=400)
    report = await request.app[BROADCASTER].broadcast(body)
    return web.json_response(asdict(report))


def make_app(
    *,
    endpoint_url: str,
    region: str | None = None,
    credentials: Credentials | None = None,
    max_in_flight: int = 64,
    config: ClientConfig | None = None,
) -> web.Application:
    """The application: one aiohttp session and one connections client, opened on start-up."""
    app = web.Application(client_max_size=MAX_MESSAGE_BYTES + 1)

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        # A pool as large as the fan-out, so every call in flight has a connection.
        connector = aiohttp.TCPConnector(limit=max_in_flight)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            ApiGatewayManagementApiClient(
                region=region,
                endpoint_url=endpoint_url,
                credentials=credentials,
                session=session,
                config=config,
            ) as client,
        ):
            app[BROADCASTER] = Broadcaster(client, max_in_flight)
            yield

    app.cleanup_ctx.append(lifespan)
    app.router.add_put("/connections/{connection_id}", put_connection)
    app.router.add_delete("/connections/{connection_id}", delete_connection)
    app.router.add_get("/connections", list_connections)
    app.router.add_post("/broadcast", broadcast)
    return app


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--endpoint-url", help="the WebSocket API's callback URL")
    parser.add_argument("--api-id", help="with --stage and --region: the default callback URL")
    parser.add_argument("--stage")
    parser.add_argument("--region")
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    if args.endpoint_url is None:
        if not (args.api_id and args.stage and args.region):
            parser.error("give --endpoint-url, or --api-id, --stage and --region")
        args.endpoint_url = callback_url(api_id=args.api_id, stage=args.stage, region=args.region)
    if args.max_in_flight < 1:
        parser.error("--max-in-flight must be at least 1")
    return args


def main(argv: list[str] | None = None, run: Callable[..., None] = web.run_app) -> None:
    """Parse the command line and serve until interrupted."""
    logging.basicConfig(level=logging.INFO)
    args = _parse_args(argv)
    app = make_app(
        endpoint_url=args.endpoint_url, region=args.region, max_in_flight=args.max_in_flight
    )
    run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
