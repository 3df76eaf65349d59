"""aioapigateway pagination and error handling, step by step.

1. create a few REST APIs concurrently (at most 3 calls in flight),
2. walk them page by page with a paginator, then item by item with ``.items()``,
3. page by hand with the ``position`` token,
4. handle errors: a modeled service error (``NotFoundException``), input rejected before
   anything is sent (``ParamValidationError``), and what every ``ServiceError`` carries,
5. delete what it created, also when a step fails.

Run against AWS (credentials and region from the usual AWS settings), or against a local
API Gateway such as moto:
``python examples/pagination_and_errors.py --endpoint-url http://127.0.0.1:5000``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from aioapigateway import ApiGatewayClient, ClientConfig, errors, models

T = TypeVar("T")
PREFIX = "pagination-demo-"


def step(text: str) -> None:
    print(f"-> {text}")


async def bounded(calls: Iterable[Awaitable[T]], limit: int) -> list[T]:
    """Run the calls concurrently, at most ``limit`` at a time, results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Awaitable[T]) -> T:
        async with semaphore:
            return await call

    return await asyncio.gather(*(one(call) for call in calls))


async def demo(client: ApiGatewayClient, count: int) -> None:
    created = await bounded(
        (
            client.create_rest_api(name=f"{PREFIX}{index}", tags={"demo": "pages"})
            for index in range(count)
        ),
        limit=3,
    )
    ids = {api.id for api in created}
    step(f"created {len(created)} REST APIs: {sorted(api.name or '' for api in created)}")
    try:
        # 2. Pages: each page is a models.RestApis; the paginator sends the position token.
        pages = 0
        async for page in client.paginate_get_rest_apis(limit=2):
            pages += 1
            names = [api.name for api in page.items or [] if api.id in ids]
            step(f"page {pages}: {names} (next position: {page.position!r})")
        # ... or items across all pages.
        mine = [
            api async for api in client.paginate_get_rest_apis(limit=2).items() if api.id in ids
        ]
        step(f".items() yielded {len(mine)} of ours")

        # 3. By hand: pass the previous page's position until there is none.
        position: str | None = None
        seen = 0
        while True:
            page = await client.get_rest_apis(limit=2, position=position)
            seen += sum(1 for api in page.items or [] if api.id in ids)
            position = page.position
            if not position:
                break
        step(f"paged by hand: {seen} of ours")

        # 4. Errors.
        try:
            await client.get_rest_api(rest_api_id="no-such-api")
        except errors.NotFoundException as exc:
            # A modeled error: its own class, with the service's code, message and status.
            step(
                f"NotFoundException: code={exc.code} status={exc.status_code} message={exc.message!r}"
            )
        try:
            await client.get_rest_api(rest_api_id="")
        except errors.ParamValidationError as exc:
            # Raised before any byte is sent; it is also a ValueError.
            step(f"ParamValidationError (nothing sent): {exc}")
        try:
            await client.update_rest_api(
                rest_api_id="no-such-api",
                patch_operations=[
                    models.PatchOperation(op=models.Op.REPLACE, path="/name", value="x")
                ],
            )
        except errors.ServiceError as exc:
            # Any service error: code, message, status_code, request_id, headers, body.
            # Throttling (TooManyRequestsException) also carries retry_after_seconds; the
            # client already retried it (ClientConfig(max_attempts=...)) before raising.
            step(
                f"ServiceError {type(exc).__name__}: code={exc.code} status={exc.status_code} "
                f"request id={exc.request_id}"
            )
    finally:
        # 5. Clean up, concurrently; a failed delete does not stop the others.
        semaphore = asyncio.Semaphore(3)

        async def delete(api_id: str) -> None:
            async with semaphore:
                await client.delete_rest_api(rest_api_id=api_id)

        outcomes = await asyncio.gather(
            *(delete(api.id) for api in created if api.id), return_exceptions=True
        )
        failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
        step(f"deleted {len(outcomes) - len(failures)} REST APIs, {len(failures)} failed")


async def main_async(endpoint_url: str | None, region: str, count: int) -> None:
    config = ClientConfig(max_attempts=5)  # more patience with throttling than the default 3
    async with ApiGatewayClient(region=region, endpoint_url=endpoint_url, config=config) as client:
        await demo(client, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", default=None, help="e.g. a local moto server")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--count", type=int, default=5, help="REST APIs to create")
    args = parser.parse_args()
    asyncio.run(main_async(args.endpoint_url, args.region, args.count))


if __name__ == "__main__":
    main()
