"""aioresponses works with our client on aiohttp 3.14+, thanks to the shim in conftest.py.

Without the shim every mocked request fails with ``TypeError: ClientResponse.__init__()
missing 1 required keyword-only argument: 'stream_writer'`` (aioresponses issue #289).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator

import aiohttp
import pytest
from _json_strict import assert_json_body, assert_json_equal
from aioresponses import CallbackResult, aioresponses, core
from conftest import AIORESPONSES_SHIM_APPLIED

import aioapigateway
from aioapigateway import errors, models

# The developer's AWS_* variables and ~/.aws files must not change the results.
pytestmark = pytest.mark.usefixtures("isolated_aws_env")

ENDPOINT = "http://127.0.0.1:1"  # nothing listens there: only aioresponses can answer

REST_API = {
    "id": "abc",
    "name": "pets",
    "createdDate": 1700000000,
    "apiKeySource": "HEADER",
    "endpointConfiguration": {"types": ["REGIONAL"]},
    "tags": {"team": "core"},
    "rootResourceId": "root1",
    "policy": None,
    "somethingNew": {"unknown": "fields are ignored"},
}


@pytest.fixture
async def api() -> AsyncIterator[aioapigateway.ApiGatewayClient]:
    async with aioapigateway.ApiGatewayClient(
        region="us-east-1",
        endpoint_url=ENDPOINT,
        credentials=aioapigateway.Credentials("testing", "testing"),
        config=aioapigateway.ClientConfig(max_attempts=1),
    ) as client:
        yield client


def test_the_shim_is_applied_when_aiohttp_needs_it() -> None:
    needs_it = "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters
    assert AIORESPONSES_SHIM_APPLIED is needs_it


@pytest.mark.skipif(not AIORESPONSES_SHIM_APPLIED, reason="this aiohttp needs no shim")
async def test_without_the_shim_aioresponses_fails() -> None:
    """The failure the shim fixes: aiohttp 3.14 requires ``stream_writer``."""
    unpatched = core.RequestMatch._build_response.__wrapped__  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as patch, aioresponses() as mocked:
        patch.setattr(core.RequestMatch, "_build_response", unpatched)
        mocked.get(f"{ENDPOINT}/ping", payload={})
        async with aiohttp.ClientSession() as session:
            with pytest.raises(TypeError, match="stream_writer"):
                await session.get(f"{ENDPOINT}/ping")


async def test_plain_aiohttp_request_is_mocked() -> None:
    with aioresponses() as mocked:
        mocked.get(f"{ENDPOINT}/ping", payload={"pong": True}, headers={"X-Test": "1"})
        async with aiohttp.ClientSession() as session, session.get(f"{ENDPOINT}/ping") as resp:
            assert resp.status == 200
            assert resp.headers["X-Test"] == "1"
            assert_json_equal(await resp.json(), {"pong": True})


async def test_get_rest_api_through_aioresponses(api: aioapigateway.ApiGatewayClient) -> None:
    with aioresponses() as mocked:
        mocked.get(
            f"{ENDPOINT}/restapis/abc",
            payload=REST_API,
            headers={"x-amzn-RequestId": "req-1"},
        )
        rest_api = await api.get_rest_api(rest_api_id="abc")
        assert isinstance(rest_api, models.RestApi)
        assert rest_api.id == "abc" and rest_api.name == "pets"
        assert rest_api.endpoint_configuration == models.EndpointConfiguration(
            types=[models.EndpointType.REGIONAL]
        )
        assert rest_api.api_key_source is models.ApiKeySourceType.HEADER
        assert rest_api.tags == {"team": "core"}
        assert rest_api.policy is None
        assert rest_api.created_date is not None and rest_api.created_date.year == 2023
        # the request was signed and went to the right place
        ((method, url), calls) = next(iter(mocked.requests.items()))
        assert (method, str(url)) == ("GET", f"{ENDPOINT}/restapis/abc")
        headers = calls[0].kwargs["headers"]
        assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")


async def test_post_body_and_error_through_aioresponses(
    api: aioapigateway.ApiGatewayClient,
) -> None:
    seen: list[bytes] = []

    def created(url: object, **kwargs: object) -> CallbackResult:
        seen.append(kwargs["data"])  # type: ignore[arg-type]
        return CallbackResult(status=201, payload={**REST_API, "name": "new"})

    with aioresponses() as mocked:
        mocked.post(f"{ENDPOINT}/restapis", callback=created)
        mocked.get(
            f"{ENDPOINT}/restapis/gone",
            status=404,
            payload={"message": "Invalid API identifier specified"},
            headers={"x-amzn-ErrorType": "NotFoundException", "x-amzn-RequestId": "req-2"},
        )
        rest_api = await api.create_rest_api(name="new")
        assert rest_api.name == "new"
        assert len(seen) == 1
        assert_json_body(seen[0], {"name": "new"})
        with pytest.raises(errors.NotFoundException) as caught:
            await api.get_rest_api(rest_api_id="gone")
        assert caught.value.status_code == 404
        assert caught.value.request_id == "req-2"


async def test_a_custom_response_class_is_supported(api: aioapigateway.ApiGatewayClient) -> None:
    class Response(aiohttp.ClientResponse):
        pass

    with aioresponses() as mocked:
        mocked.get(f"{ENDPOINT}/account", payload={"apiKeyVersion": "4"}, response_class=Response)
        account = await api.get_account()
        assert account == models.Account(api_key_version="4")


async def test_unmatched_request_is_a_transport_error(api: aioapigateway.ApiGatewayClient) -> None:
    with aioresponses(), pytest.raises(errors.TransportError):
        await api.get_account()
