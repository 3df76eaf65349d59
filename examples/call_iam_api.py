"""Call your own IAM-protected API (API Gateway, ``AWS_IAM`` authorization) with aiohttp.

``aioapigateway.SigV4Auth`` is an aiohttp client middleware: it signs every request of the
session with AWS Signature Version 4, with credentials from the usual AWS settings
(environment variables, a profile, SSO, a container or instance role...)::

    python examples/call_iam_api.py https://abc123.execute-api.eu-west-1.amazonaws.com/prod \\
        --region eu-west-1

It lists pets (``GET {url}/pets?limit=10&species=...``), then adds one (``POST {url}/pets``
with a JSON body), and prints what the API answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import aiohttp

from aioapigateway import SigV4Auth


async def show(response: aiohttp.ClientResponse) -> None:
    """Print one answer; an error status (403: the signature or the IAM policy) stops here."""
    print(f"{response.method} {response.url.path} -> {response.status}")
    print(await response.text())
    if response.status >= 400:
        raise SystemExit(1)


async def call_api(base_url: str, region: str) -> None:
    # One middleware instance per application: it caches credentials and signing keys.
    auth = SigV4Auth(region=region, service="execute-api")
    async with aiohttp.ClientSession(middlewares=[auth]) as session:
        params = {"limit": "10", "species": "dog & cat"}
        async with session.get(f"{base_url}/pets", params=params) as response:
            await show(response)
        pet = {"name": "Rex", "species": "dog"}
        async with session.post(f"{base_url}/pets", json=pet) as response:
            await show(response)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "url", help="the stage's invoke URL, e.g. https://ID.execute-api.REGION.amazonaws.com/prod"
    )
    parser.add_argument("--region", default=os.environ.get("AWS_REGION"), help="the API's region")
    args = parser.parse_args()
    if not args.region:
        sys.exit("give --region (or set AWS_REGION)")
    asyncio.run(call_api(args.url.rstrip("/"), args.region))


if __name__ == "__main__":
    main()
