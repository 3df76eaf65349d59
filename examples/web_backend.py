"""An aiohttp web application backed by API Gateway, sharing ONE client across all requests.

The application owns one ``aiohttp.ClientSession`` and one ``ApiGatewayClient`` that uses it
(``session=``); both are created in a cleanup context (``app.cleanup_ctx``) when the server
starts and closed when it stops. Handlers share the client; it is safe for concurrent use.

Endpoints:

    GET  /apis?limit=N&position=TOKEN  one page of REST APIs: {"items": [...], "position": ...}
    GET  /apis?all=true                every REST API, across pages (the paginator)
    POST /apis                         create one from {"name": ..., "description": ...} (201)
    GET  /apis/{api_id}                one REST API (404 when there is no such API)
    GET  /stages                       the stages of every REST API, fetched concurrently with
                                       at most --max-concurrency calls in flight

Service errors become HTTP answers: NotFoundException -> 404, ConflictException -> 409,
BadRequestException and invalid input -> 400, throttling -> 429 (with Retry-After), any other
ServiceError -> 502, a transport failure -> 503 (504 on a timeout), anything else the
client raises (no credentials, no region...) -> 500.

Run it against AWS (credentials and region from the usual AWS settings) or a local
API Gateway such as moto::

    python examples/web_backend.py --endpoint-url http://127.0.0.1:5000 --port 8080
    curl -s localhost:8080/apis -d '{"name": "pets"}'
    curl -s 'localhost:8080/apis?all=true'
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors, models

logger = logging.getLogger("web_backend")

SESSION = web.AppKey("session", aiohttp.ClientSession)
CLIENT = web.AppKey("api_gateway", ApiGatewayClient)
FETCH_LIMIT = web.AppKey("fetch_limit", asyncio.Semaphore)

ENDPOINT_TYPES = frozenset(item.value for item in models.EndpointType)
MAX_PAGE_SIZE = 500


# -- JSON views of the models ---------------------------------------------------------------------


def _time(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def api_view(api: models.RestApi) -> dict[str, Any]:
    endpoint = api.endpoint_configuration
    return {
        "id": api.id,
        "name": api.name,
        "description": api.description,
        "createdDate": _time(api.created_date),
        "endpointTypes": [str(t) for t in (endpoint.types or [])] if endpoint else [],
        "tags": api.tags or {},
    }


def stage_view(stage: models.Stage) -> dict[str, Any]:
    return {
        "stageName": stage.stage_name,
        "deploymentId": stage.deployment_id,
        "description": stage.description,
        "lastUpdatedDate": _time(stage.last_updated_date),
    }


def problem(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response(
        {"error": code, "message": message}, status=status, headers=headers or None
    )


# -- handlers -------------------------------------------------------------------------------------


def _int_param(request: web.Request, name: str, low: int, high: int) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be an integer") from None
    if not low <= value <= high:
        raise web.HTTPBadRequest(text=f"{name} must be between {low} and {high}")
    return value


async def list_apis(request: web.Request) -> web.Response:
    client = request.app[CLIENT]
    limit = _int_param(request, "limit", 1, MAX_PAGE_SIZE)
    if request.query.get("all", "").lower() in ("1", "true", "yes"):
        # The paginator follows the page tokens; `.items()` yields the APIs of every page.
        items = [api_view(api) async for api in client.paginate_get_rest_apis(limit=limit).items()]
        return web.json_response({"items": items, "position": None})
    page = await client.get_rest_apis(limit=limit, position=request.query.get("position"))
    return web.json_response(
        {"items": [api_view(api) for api in page.items or []], "position": page.position}
    )


async def create_api(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        return problem(400, "BadRequest", "the body must be a JSON object")
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        return problem(400, "BadRequest", 'the body needs a non-empty "name"')
    description = body.get("description")
    endpoint_type = body.get("endpointType", "REGIONAL")
    tags = body.get("tags")
    if endpoint_type not in ENDPOINT_TYPES:
        return problem(400, "BadRequest", f"endpointType must be one of {sorted(ENDPOINT_TYPES)}")
    api = await request.app[CLIENT].create_rest_api(
        name=body["name"],
        # Wrong types here (a number as description...) raise ParamValidationError -> 400.
        description=description,
        tags=tags,
        endpoint_configuration=models.EndpointConfiguration(types=[endpoint_type]),
    )
    return web.json_response(api_view(api), status=201, headers={"Location": f"/apis/{api.id}"})


async def get_api(request: web.Request) -> web.Response:
    api = await request.app[CLIENT].get_rest_api(rest_api_id=request.match_info["api_id"])
    return web.json_response(api_view(api))


async def list_stages(request: web.Request) -> web.Response:
    """Stages of every API: one get_stages call per API, at most N of them at a time."""
    client = request.app[CLIENT]
    limit = request.app[FETCH_LIMIT]
    apis = [api async for api in client.paginate_get_rest_apis(limit=MAX_PAGE_SIZE).items()]

    async def stages_of(api: models.RestApi) -> tuple[str, list[dict[str, Any]] | None]:
        assert api.id is not None
        async with limit:
            try:
                stages = await client.get_stages(rest_api_id=api.id)
            except errors.NotFoundException:
                return api.id, None  # deleted since it was listed
        return api.id, [stage_view(stage) for stage in stages.item or []]

    results = await asyncio.gather(*(stages_of(api) for api in apis))
    return web.json_response({api_id: stages for api_id, stages in results if stages is not None})


# -- error mapping --------------------------------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def api_gateway_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn the client's exceptions into HTTP answers."""
    try:
        return await handler(request)
    except errors.NotFoundException as exc:
        return problem(404, exc.code, exc.message)
    except errors.ConflictException as exc:
        return problem(409, exc.code, exc.message)
    except errors.BadRequestException as exc:
        return problem(400, exc.code, exc.message)
    except (errors.TooManyRequestsException, errors.LimitExceededException) as exc:
        return problem(
            429, exc.code, exc.message, **{"Retry-After": exc.retry_after_seconds or "1"}
        )
    except errors.ServiceError as exc:
        logger.warning("API Gateway error: %s", exc)
        return problem(502, exc.code, exc.message)
    except errors.ParamValidationError as exc:
        return problem(400, "BadRequest", str(exc))
    except errors.RequestTimeoutError as exc:
        return problem(504, "Timeout", str(exc))
    except errors.TransportError as exc:
        return problem(503, "Unavailable", str(exc))
    except errors.AioApiGatewayError as exc:  # no region, no credentials, a bad response...
        logger.exception("API Gateway client failure")
        return problem(500, type(exc).__name__, str(exc))


# -- the application ------------------------------------------------------------------------------


def make_app(
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    credentials: Credentials | None = None,
    max_concurrency: int = 8,
    config: ClientConfig | None = None,
) -> web.Application:
    """The application; its client is created when it starts and closed when it stops."""

    async def api_gateway(app: web.Application) -> AsyncIterator[None]:
        # The application's own session, for every outgoing HTTP call it makes; the client
        # uses it too and never closes it (it was given, not created, by the client).
        async with aiohttp.ClientSession() as session:
            app[SESSION] = session
            app[CLIENT] = ApiGatewayClient(
                region=region,
                endpoint_url=endpoint_url,
                credentials=credentials,
                session=session,
                config=config,
            )
            app[FETCH_LIMIT] = asyncio.Semaphore(max_concurrency)
            try:
                yield
            finally:
                await app[CLIENT].close()

    app = web.Application(middlewares=[api_gateway_errors])
    app.cleanup_ctx.append(api_gateway)
    app.router.add_get("/apis", list_apis)
    app.router.add_post("/apis", create_api)
    app.router.add_get("/apis/{api_id}", get_api)
    app.router.add_get("/stages", list_stages)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", default=None, help="e.g. a local moto server")
    parser.add_argument("--region", default=None, help="else the usual AWS settings")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--max-concurrency", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = make_app(
        endpoint_url=args.endpoint_url,
        region=args.region,
        max_concurrency=args.max_concurrency,
    )
    web.run_app(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
