"""Tests for ``aioapigateway.testing.Stubber`` and the model <-> dict converter (``convert``).

Every client here points at a closed loopback port with one attempt, so a call that is not
stubbed fails at once with ``TransportError``; stubbed calls must never get that far.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import re
import socket
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import aioapigateway
from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors, models, testing
from aioapigateway.runtime.convert import from_boto_dict, service_of, to_boto_dict
from aioapigateway.testing import StubAssertionError, Stubber

ROOT = Path(__file__).resolve().parents[1]
UTC = datetime.UTC
CREATED = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def offline_client() -> ApiGatewayClient:
    return ApiGatewayClient(
        region="us-east-1",
        endpoint_url=f"http://127.0.0.1:{closed_port()}",
        credentials=Credentials("testing", "testing"),
        config=ClientConfig(max_attempts=1, connect_timeout=2.0),
    )


@pytest.fixture
async def client() -> AsyncIterator[ApiGatewayClient]:
    async with offline_client() as api:
        yield api


# -- the documented example -----------------------------------------------------------------------


async def test_module_docstring_example_runs() -> None:
    """The example in ``aioapigateway.testing``'s docstring is real, working code."""
    doc = testing.__doc__ or ""
    block = doc.split("Example (pytest with pytest-asyncio)::", 1)[1].split("\nBehaviour:", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(textwrap.dedent(block), "testing-docstring-example", "exec"), namespace)
    await namespace["test_api_name"]()


# -- responses, order and parameters --------------------------------------------------------------


async def test_response_returned_and_no_network(client: ApiGatewayClient) -> None:
    api = models.RestApi(id="abc", name="pets", created_date=CREATED)
    async with Stubber(client) as stubber:
        stubber.add_response("get_rest_api", api, expected_params={"rest_api_id": "abc"})
        result = await client.get_rest_api(rest_api_id="abc")
    assert result is api
    # Nothing was started: no settings, credentials or HTTP session were needed.
    assert client._runtime is None


async def test_responses_are_used_in_order(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        stubber.add_response("get_rest_api", models.RestApi(id="one"))
        stubber.add_response("get_account", models.Account(api_key_version="4"))
        stubber.add_response("get_rest_api", models.RestApi(id="two"))
        assert (await client.get_rest_api(rest_api_id="x")).id == "one"
        assert (await client.get_account()).api_key_version == "4"
        assert (await client.get_rest_api(rest_api_id="y")).id == "two"


async def test_call_to_another_operation_than_queued(client: ApiGatewayClient) -> None:
    stubber = Stubber(client)
    stubber.add_response("get_account", models.Account())
    stubber.activate()
    try:
        with pytest.raises(StubAssertionError) as info:
            await client.get_rest_api(rest_api_id="abc")
        message = str(info.value)
        assert "unexpected call get_rest_api(rest_api_id='abc')" in message
        assert "get_account" in message
        assert isinstance(info.value, AssertionError)
        # The queued response is still there for the right call.
        assert isinstance(await client.get_account(), models.Account)
    finally:
        stubber.deactivate()
    stubber.assert_no_pending_responses()


async def test_unexpected_call_with_nothing_queued(client: ApiGatewayClient) -> None:
    async with Stubber(client):
        with pytest.raises(StubAssertionError, match=r"no stubbed response is queued"):
            await client.get_rest_apis(limit=5)


async def test_expected_params_mismatch(client: ApiGatewayClient) -> None:
    stubber = Stubber(client)
    stubber.add_response(
        "get_rest_apis", models.RestApis(items=[]), expected_params={"limit": 10, "position": "p"}
    )
    with stubber:
        with pytest.raises(StubAssertionError) as info:
            await client.get_rest_apis(limit=5)
        message = str(info.value)
        assert message.splitlines() == [
            "get_rest_apis: the call's parameters differ from expected_params:",
            "  limit: expected 10, got 5",
            "  position: expected 'p', got (not given)",
            "  expected get_rest_apis(limit=10, position='p')",
            "  got      get_rest_apis(limit=5)",
        ]
        # A matching call still gets the response.
        await client.get_rest_apis(limit=10, position="p")


async def test_expected_params_compare_models_and_enums(client: ApiGatewayClient) -> None:
    patch = [models.PatchOperation(op=models.Op.REPLACE, path="/name", value="new")]
    async with Stubber(client) as stubber:
        stubber.add_response(
            "update_rest_api",
            models.RestApi(id="abc", name="new"),
            expected_params={"rest_api_id": "abc", "patch_operations": patch},
        )
        # A plain str for an enum member is the same argument.
        await client.update_rest_api(
            rest_api_id="abc",
            patch_operations=[models.PatchOperation(op="replace", path="/name", value="new")],
        )
        stubber.add_response(
            "update_rest_api",
            models.RestApi(id="abc"),
            expected_params={"rest_api_id": "abc", "patch_operations": patch},
        )
        with pytest.raises(StubAssertionError, match=r"patch_operations: expected \["):
            await client.update_rest_api(
                rest_api_id="abc",
                patch_operations=[models.PatchOperation(op="replace", path="/name", value="x")],
            )
        await client.update_rest_api(rest_api_id="abc", patch_operations=patch)


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"rest_api_id": "abc", "restApiId": "abc"}, r"unknown parameter\(s\).*restApiId"),
        ({"rest_api_id": 5}, r"GetRestApi: invalid parameter rest_api_id: expected str, got int"),
        ({}, r"invalid parameter rest_api_id: required argument is None"),
        ({"rest_api_id": ""}, r"URI label cannot be empty"),
    ],
)
def test_invalid_expected_params_are_rejected(
    client: ApiGatewayClient, params: dict[str, Any], pattern: str
) -> None:
    stubber = Stubber(client)
    with pytest.raises(errors.ParamValidationError, match=pattern):
        stubber.add_response("get_rest_api", models.RestApi(), expected_params=params)
    stubber.assert_no_pending_responses()


def test_invalid_expected_params_of_nested_models(client: ApiGatewayClient) -> None:
    stubber = Stubber(client)
    with pytest.raises(errors.ParamValidationError, match=r"patch_operations\[0\]\.path"):
        stubber.add_response(
            "update_rest_api",
            models.RestApi(),
            expected_params={
                "rest_api_id": "abc",
                "patch_operations": [models.PatchOperation(op="replace", path=7)],  # type: ignore[arg-type]
            },
        )


async def test_actual_call_is_validated_like_a_real_call(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        stubber.add_response("get_rest_apis", models.RestApis())
        with pytest.raises(errors.ParamValidationError, match=r"limit: expected int"):
            await client.get_rest_apis(limit="ten")  # type: ignore[arg-type]
        await client.get_rest_apis()


def test_method_or_operation_names(client: ApiGatewayClient) -> None:
    stubber = Stubber(client)
    stubber.add_response("GetRestApi", models.RestApi())
    stubber.add_response("get_rest_api", models.RestApi())
    with pytest.raises(
        ValueError, match=r"no operation 'get_rest_apiz'; did you mean get_rest_api"
    ):
        stubber.add_response("get_rest_apiz", models.RestApi())
    with pytest.raises(StubAssertionError, match=r"2 stubbed response\(s\) not used"):
        stubber.assert_no_pending_responses()


# -- response types -------------------------------------------------------------------------------


def test_wrong_response_types_are_rejected(client: ApiGatewayClient) -> None:
    stubber = Stubber(client)
    with pytest.raises(TypeError, match=r"get_rest_api returns models.RestApi.*not Stage"):
        stubber.add_response("get_rest_api", models.Stage())
    with pytest.raises(TypeError, match=r"not NoneType"):
        stubber.add_response("get_rest_api")
    with pytest.raises(TypeError, match=r"delete_rest_api has no output"):
        stubber.add_response("delete_rest_api", models.RestApi())
    with pytest.raises(errors.ParamValidationError, match=r"at created_date: expected datetime"):
        stubber.add_response("get_rest_api", models.RestApi(created_date="yesterday"))  # type: ignore[arg-type]
    with pytest.raises(errors.ParamValidationError, match=r"at items\[0\]\.tags\['k'\]"):
        stubber.add_response(
            "get_rest_apis", models.RestApis(items=[models.RestApi(tags={"k": 1})])
        )  # type: ignore[dict-item]
    stubber.assert_no_pending_responses()


async def test_no_output_operation(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        stubber.add_response("delete_rest_api", expected_params={"rest_api_id": "abc"})
        assert await client.delete_rest_api(rest_api_id="abc") is None


async def test_boto3_style_dict_response(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        stubber.add_response(
            "get_rest_api",
            {
                "id": "abc",
                "name": "pets",
                "createdDate": datetime.datetime(2024, 5, 6, 7, 8, 9),  # naive: taken as UTC
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "ResponseMetadata": {"HTTPStatusCode": 200},
            },
        )
        api = await client.get_rest_api(rest_api_id="abc")
    assert api == models.RestApi(
        id="abc",
        name="pets",
        created_date=CREATED,
        api_key_source=models.ApiKeySourceType.HEADER,
        endpoint_configuration=models.EndpointConfiguration(types=[models.EndpointType.REGIONAL]),
    )
    assert api.api_key_source is models.ApiKeySourceType.HEADER
    with pytest.raises(errors.ParamValidationError, match=r"unknown key 'restApiId'"):
        Stubber(client).add_response("get_rest_api", {"restApiId": "abc"})


# -- errors ---------------------------------------------------------------------------------------


async def test_client_errors_are_the_modeled_classes(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        stubber.add_client_error(
            "get_rest_api",
            "NotFoundException",
            "Invalid API identifier specified",
            request_id="req-1",
            expected_params={"rest_api_id": "nope"},
        )
        with pytest.raises(errors.NotFoundException) as info:
            await client.get_rest_api(rest_api_id="nope")
    error = info.value
    assert type(error) is errors.NotFoundException
    assert error.code == "NotFoundException"
    assert error.message == "Invalid API identifier specified"
    assert error.status_code == 404  # the model's status for the error
    assert error.request_id == "req-1"
    assert error.headers["x-amzn-errortype"] == "NotFoundException"
    assert error.headers["X-Amzn-RequestId"] == "req-1"
    assert error.body == b'{"message": "Invalid API identifier specified"}'
    assert str(error) == (
        "NotFoundException (HTTP 404): Invalid API identifier specified [request id req-1]"
    )


async def test_client_error_members_status_and_unknown_codes(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        stubber.add_client_error(
            "get_rest_apis",
            "TooManyRequestsException",
            "slow down",
            members={"retry_after_seconds": "3"},
        )
        stubber.add_client_error("get_rest_apis", "SomethingNew", status_code=503, body=b"oops")
        with pytest.raises(errors.TooManyRequestsException) as throttled:
            await client.get_rest_apis()
        with pytest.raises(errors.ServiceError) as unknown:
            await client.get_rest_apis()
    assert throttled.value.retry_after_seconds == "3"
    assert throttled.value.status_code == 429
    assert type(unknown.value) is errors.ServiceError
    assert (unknown.value.code, unknown.value.status_code) == ("SomethingNew", 503)
    assert unknown.value.body == b"oops"
    with pytest.raises(TypeError, match=r"status_code must be an int, not dict"):
        Stubber(client).add_client_error("get_rest_api", "NotFoundException", "", {"a": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"NotFoundException has no member\(s\) retry_after"):
        Stubber(client).add_client_error(
            "get_rest_api", "NotFoundException", members={"retry_after_seconds": "1"}
        )


async def test_each_call_raises_a_fresh_exception(client: ApiGatewayClient) -> None:
    raised = []
    async with Stubber(client) as stubber:
        for _ in range(2):
            stubber.add_client_error("get_account", "UnauthorizedException")
        for _ in range(2):
            with pytest.raises(errors.UnauthorizedException) as info:
                await client.get_account()
            raised.append(info.value)
    assert raised[0] is not raised[1]
    assert raised[0].status_code == 401


# -- activation and pending responses -------------------------------------------------------------


async def test_pending_responses_fail_the_block(client: ApiGatewayClient) -> None:
    with pytest.raises(StubAssertionError) as info:
        async with Stubber(client) as stubber:
            stubber.add_response("get_rest_api", models.RestApi(), {"rest_api_id": "abc"})
            stubber.add_client_error("get_account", "UnauthorizedException")
    assert str(info.value).splitlines() == [
        "2 stubbed response(s) not used:",
        "  get_rest_api(rest_api_id='abc') -> response",
        "  get_account(...) -> error",
    ]
    assert not stubber.active


async def test_an_exception_in_the_block_is_not_masked(client: ApiGatewayClient) -> None:
    with pytest.raises(KeyError):
        async with Stubber(client) as stubber:
            stubber.add_response("get_account", models.Account())
            raise KeyError("the test's own failure")
    assert "_call" not in vars(client)


async def test_deactivate_restores_real_calls(client: ApiGatewayClient) -> None:
    stubber = Stubber(client)
    assert repr(stubber).endswith("inactive, 0 pending>")
    stubber.activate()
    stubber.activate()  # idempotent
    assert stubber.active
    assert "_call" in vars(client)
    with pytest.raises(RuntimeError, match="already stubbed"):
        Stubber(client).activate()
    stubber.add_response("get_account", models.Account())
    stubber.deactivate()
    stubber.deactivate()  # idempotent
    assert "_call" not in vars(client)
    assert client._call.__func__ is aioapigateway.runtime.client.BaseClient._call  # type: ignore[attr-defined]
    # The real call goes to the (closed) endpoint.
    with pytest.raises(errors.TransportError):
        await client.get_account()
    # Reactivated, the queued response is still there.
    async with stubber:
        await client.get_account()


async def test_concurrent_stubbed_calls(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        for index in range(20):
            stubber.add_response("get_rest_api", models.RestApi(id=str(index)))
        results = await asyncio.gather(
            *(client.get_rest_api(rest_api_id=str(i)) for i in range(20))
        )
    assert sorted(int(api.id or "") for api in results) == list(range(20))


# -- paginators -----------------------------------------------------------------------------------


async def test_paginator_through_stubs(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        stubber.add_response(
            "get_rest_apis",
            models.RestApis(items=[models.RestApi(id="a"), models.RestApi(id="b")], position="p2"),
            expected_params={"limit": 2},
        )
        stubber.add_response(
            "get_rest_apis",
            models.RestApis(items=[models.RestApi(id="c")]),
            expected_params={"limit": 2, "position": "p2"},
        )
        ids = [api.id async for api in client.paginate_get_rest_apis(limit=2).items()]
    assert ids == ["a", "b", "c"]


async def test_paginator_pages_and_errors(client: ApiGatewayClient) -> None:
    async with Stubber(client) as stubber:
        stubber.add_response("GetRestApis", models.RestApis(items=[], position="next"))
        stubber.add_client_error("GetRestApis", "TooManyRequestsException")
        pages = []
        with pytest.raises(errors.TooManyRequestsException):
            async for page in client.paginate_get_rest_apis():
                pages.append(page)
    assert pages == [models.RestApis(items=[], position="next")]


# -- another generated package --------------------------------------------------------------------


@pytest.fixture
def golden() -> Iterator[ModuleType]:
    """The committed generated package of the golden tests, ``golden_service``."""
    from aioapigateway.runtime import client as _client

    root = str(ROOT / "tests" / "golden")
    sys.path.insert(0, root)
    try:
        yield importlib.import_module("golden_service")
    finally:
        sys.path.remove(root)
        for name in [m for m in sys.modules if m.split(".")[0] == "golden_service"]:
            del sys.modules[name]
        _client._CODECS.pop("golden_service._spec", None)


async def test_stubber_is_generic_over_generated_clients(golden: ModuleType) -> None:
    client = golden.Client(
        region="us-east-1",
        endpoint_url=f"http://127.0.0.1:{closed_port()}",
        credentials=Credentials("testing", "testing"),
    )
    async with Stubber(client) as stubber:
        stubber.add_response("get_status", {"Healthy": True, "Version": "1.0"})
        stubber.add_response(
            "list_things",
            golden.models.ListThingsResponse(items=[], next_token="t"),
            expected_params={"mode": "0.5"},
        )
        stubber.add_response("list_things", {"Items": []}, {"mode": "0.5", "next_token": "t"})
        stubber.add_client_error(
            "delete_thing", "NotFound", "gone", expected_params={"thing_id": "t1"}
        )
        status = await client.get_status()
        assert status == golden.models.GetStatusResponse(healthy=True, version="1.0")
        pages = [page async for page in client.paginate_list_things(mode=golden.models.Mode._0_5)]
        assert len(pages) == 2
        with pytest.raises(golden.errors.NotFoundException) as info:
            await client.delete_thing(thing_id="t1")
    assert info.value.status_code == 404
    assert info.value.code == "NotFound"
    await client.close()


# -- the converter --------------------------------------------------------------------------------


def test_to_and_from_boto_dict_round_trip() -> None:
    api = models.RestApi(
        id="a1",
        name="pets",
        created_date=CREATED,
        api_key_source=models.ApiKeySourceType.AUTHORIZER,
        endpoint_configuration=models.EndpointConfiguration(
            types=[models.EndpointType.EDGE], vpc_endpoint_ids=["v1"]
        ),
        binary_media_types=["image/png"],
        minimum_compression_size=0,
        disable_execute_api_endpoint=False,
        tags={"team": "x"},
    )
    data = to_boto_dict(api)
    assert data == {
        "id": "a1",
        "name": "pets",
        "createdDate": CREATED,
        "apiKeySource": "AUTHORIZER",
        "endpointConfiguration": {"types": ["EDGE"], "vpcEndpointIds": ["v1"]},
        "binaryMediaTypes": ["image/png"],
        "minimumCompressionSize": 0,
        "disableExecuteApiEndpoint": False,
        "tags": {"team": "x"},
    }
    assert type(data["apiKeySource"]) is str
    assert from_boto_dict(models.RestApi, data) == api
    assert from_boto_dict("RestApi", data) == api


def test_from_boto_dict_values() -> None:
    export = from_boto_dict(
        models.ExportResponse,
        {"contentType": "application/json", "body": "{}", "contentDisposition": "x"},
    )
    assert export.body == b"{}"
    stage = from_boto_dict(
        "Stage",
        {
            "createdDate": "2024-05-06T07:08:09Z",
            "lastUpdatedDate": 1714979289,
            "cacheClusterSize": "0.5",
            "methodSettings": {"*/*": {"throttlingRateLimit": 10, "loggingLevel": "INFO"}},
        },
    )
    assert stage.created_date == CREATED
    assert stage.last_updated_date == CREATED
    assert stage.cache_cluster_size is models.CacheClusterSize._0_5
    settings = (stage.method_settings or {})["*/*"]
    assert settings.throttling_rate_limit == 10.0
    assert isinstance(settings.throttling_rate_limit, float)
    # A value the model does not know stays a plain str, as in parsed responses.
    assert from_boto_dict("Stage", {"cacheClusterSize": "999"}).cache_cluster_size == "999"


@pytest.mark.parametrize(
    ("target", "data", "pattern"),
    [
        ("RestApi", {"id": 3}, r"models.RestApi: invalid value at id: expected str, got int"),
        ("RestApi", {"createdDate": "soon"}, r"at createdDate: expected a timestamp"),
        ("RestApi", {"tags": ["a"]}, r"at tags: expected dict, got list"),
        (
            "RestApi",
            {"endpointConfiguration": {"types": [1]}},
            r"at endpointConfiguration\.types\[0\]: expected str",
        ),
        ("RestApis", {"items": [{"nope": 1}]}, r"at items\[0\]: unknown key 'nope'"),
        ("RestApi", ["id"], r"expected a dict for models.RestApi, got list"),
        ("CreateRestApiRequest", {}, r"required member 'name' is missing"),
        ("String", {}, r"'String' is not a structure shape"),
        ("NoSuchShape", {}, r"'NoSuchShape' is not a structure shape"),
    ],
)
def test_from_boto_dict_errors(target: str, data: Any, pattern: str) -> None:
    with pytest.raises(errors.ParamValidationError, match=pattern):
        from_boto_dict(target, data)


def test_to_boto_dict_errors() -> None:
    with pytest.raises(
        errors.ParamValidationError, match=r"models.RestApi: .* at id: expected str"
    ):
        to_boto_dict(models.RestApi(id=3))  # type: ignore[arg-type]
    with pytest.raises(errors.ParamValidationError, match=r"model class of API Gateway, got dict"):
        to_boto_dict({"id": "x"})
    with pytest.raises(errors.ParamValidationError, match=r"model class of API Gateway, got 'int'"):
        from_boto_dict(int, {})
    bad = models.RestApis(items=[models.Stage()])  # type: ignore[list-item]
    with pytest.raises(
        errors.ParamValidationError, match=r"at items\[0\]: expected models.RestApi"
    ):
        to_boto_dict(bad)


def test_converter_finds_the_service_of_a_class(golden: ModuleType) -> None:
    from aioapigateway._spec import SERVICE

    assert service_of(models.RestApi) is SERVICE
    assert service_of(int) is None
    assert service_of(golden.models.ListThingsResponse) is golden._spec.SERVICE
    response = from_boto_dict(golden.models.ListThingsResponse, {"Items": [], "NextToken": "n"})
    assert response == golden.models.ListThingsResponse(items=[], next_token="n")
    assert to_boto_dict(response) == {"Items": [], "NextToken": "n"}
    with pytest.raises(errors.ParamValidationError, match=r"unknown key 'nextToken'"):
        from_boto_dict(golden.models.ListThingsResponse, {"nextToken": "wire name, not model"})


def test_public_names() -> None:
    assert testing.__all__ == ["StubAssertionError", "Stubber"]
    assert issubclass(StubAssertionError, AssertionError)
    assert re.search(r"async with Stubber\(client\) as stubber:", testing.__doc__ or "")


# -- outputs are timezone-aware UTC, stubbed or converted -------------------------------------------

NAIVE = CREATED.replace(tzinfo=None)
PLUS_2 = CREATED.astimezone(datetime.timezone(datetime.timedelta(hours=2)))


@pytest.mark.parametrize("created", [NAIVE, PLUS_2], ids=["naive", "plus-two"])
async def test_stubbed_model_responses_come_back_with_utc_datetimes(
    client: ApiGatewayClient, created: datetime.datetime
) -> None:
    stage = models.Stage(
        stage_name="prod",
        created_date=created,
        canary_settings=models.CanarySettings(deployment_id="d"),
    )
    apis = models.RestApis(items=[models.RestApi(id="a", created_date=created)])
    async with Stubber(client) as stubber:
        stubber.add_response("get_stage", stage)
        stubber.add_response("get_rest_apis", apis)
        got_stage = await client.get_stage(rest_api_id="a", stage_name="prod")
        got_apis = await client.get_rest_apis()
    for value in (got_stage.created_date, (got_apis.items or [])[0].created_date):
        assert value == CREATED
        assert value is not None and value.tzinfo is UTC
    assert got_stage.stage_name == "prod"
    assert got_stage.canary_settings == models.CanarySettings(deployment_id="d")
    # What the test holds is left as it was.
    assert stage.created_date is created


async def test_stubbed_utc_responses_are_returned_as_given(client: ApiGatewayClient) -> None:
    apis = models.RestApis(items=[models.RestApi(id="a", created_date=CREATED)])
    async with Stubber(client) as stubber:
        stubber.add_response("get_rest_apis", apis)
        assert await client.get_rest_apis() is apis


def test_from_boto_dict_makes_nested_model_instances_utc_too() -> None:
    apis = from_boto_dict(
        models.RestApis,
        {"items": [models.RestApi(id="a", created_date=NAIVE), {"createdDate": PLUS_2}]},
    )
    dates = [api.created_date for api in apis.items or []]
    assert dates == [CREATED, CREATED]
    assert all(date is not None and date.tzinfo is UTC for date in dates)
    # A nested instance is checked like a dict is.
    with pytest.raises(errors.ParamValidationError, match=r"at items\[0\]\.id: expected str"):
        from_boto_dict(models.RestApis, {"items": [models.RestApi(id=3)]})  # type: ignore[arg-type]


def test_from_boto_dict_refuses_a_lone_surrogate_in_a_blob() -> None:
    with pytest.raises(errors.ParamValidationError, match=r"at body: a lone surrogate at index 1"):
        from_boto_dict(models.ExportResponse, {"body": "{\udc80}"})
