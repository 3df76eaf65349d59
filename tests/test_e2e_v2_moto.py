"""HTTP APIs (``aioapigateway.v2``) end to end against a real ``moto_server``.

An HTTP API with an integration, routes, a JWT authorizer and a stage, listed through the
paginators, then deleted; NotFound for what does not exist.

What moto 5.2.5 does not implement (``MOTO_NOT_IMPLEMENTED``, recomputed from moto by
``test_moto_gaps_are_what_this_module_says``): deployments, ``get_authorizers``,
``get_models``, ``get_route_responses``, ``update_stage``, ``update_route_response``,
``update_api_mapping``, ``update_domain_name``, import/export, routing rules, developer
portals and products, ``reset_authorizers_cache``, ``delete_route_settings``,
``delete_access_log_settings``. Its list operations return everything in one page with no
``nextToken``, so paging across several pages is tested against a loopback server here.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator

import pytest
from _servers import Recorded, recording_server

import aioapigateway
import aioapigateway.errors
from aioapigateway import v2
from aioapigateway.v2 import models

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

CREDENTIALS = aioapigateway.Credentials("testing", "testing")

MOTO_NOT_IMPLEMENTED = frozenset(
    {
        "create_deployment",
        "create_portal",
        "create_portal_product",
        "create_product_page",
        "create_product_rest_endpoint_page",
        "create_routing_rule",
        "delete_access_log_settings",
        "delete_deployment",
        "delete_portal",
        "delete_portal_product",
        "delete_portal_product_sharing_policy",
        "delete_product_page",
        "delete_product_rest_endpoint_page",
        "delete_route_settings",
        "delete_routing_rule",
        "disable_portal",
        "export_api",
        "get_authorizers",
        "get_deployment",
        "get_deployments",
        "get_model_template",
        "get_models",
        "get_portal",
        "get_portal_product",
        "get_portal_product_sharing_policy",
        "get_product_page",
        "get_product_rest_endpoint_page",
        "get_route_responses",
        "get_routing_rule",
        "import_api",
        "list_portal_products",
        "list_portals",
        "list_product_pages",
        "list_product_rest_endpoint_pages",
        "list_routing_rules",
        "preview_portal",
        "publish_portal",
        "put_portal_product_sharing_policy",
        "put_routing_rule",
        "reset_authorizers_cache",
        "update_api_mapping",
        "update_deployment",
        "update_domain_name",
        "update_portal",
        "update_portal_product",
        "update_product_page",
        "update_product_rest_endpoint_page",
        "update_route_response",
        "update_stage",
    }
)


def client_operations() -> set[str]:
    return {
        name
        for name, member in vars(v2.Client).items()
        if inspect.iscoroutinefunction(member) and not name.startswith("_")
    }


def test_moto_gaps_are_what_this_module_says() -> None:
    from moto.apigatewayv2.responses import ApiGatewayV2Response

    served = {name for name in client_operations() if hasattr(ApiGatewayV2Response, name)}
    assert client_operations() - served == MOTO_NOT_IMPLEMENTED
    assert len(client_operations()) == 103


@pytest.fixture
async def client(moto_url: str) -> AsyncIterator[v2.Client]:
    async with v2.Client(
        region="us-east-1", endpoint_url=moto_url, credentials=CREDENTIALS
    ) as api_client:
        yield api_client


async def test_http_api_with_routes_integration_authorizer_and_stage(client: v2.Client) -> None:
    api = await client.create_api(
        name="pets",
        protocol_type=models.ProtocolType.HTTP,
        description="the pets API",
        tags={"team": "pets"},
    )
    assert isinstance(api, models.CreateApiResponse)
    assert api.api_id and api.name == "pets"
    assert api.protocol_type is models.ProtocolType.HTTP
    assert api.api_endpoint == f"https://{api.api_id}.execute-api.us-east-1.amazonaws.com"
    assert api.disable_execute_api_endpoint is False
    assert api.tags == {"team": "pets"}

    integration = await client.create_integration(
        api_id=api.api_id,
        integration_type="HTTP_PROXY",
        integration_method="GET",
        integration_uri="https://backend.example.com/{proxy}",
        payload_format_version="1.0",
    )
    assert integration.integration_type is models.IntegrationType.HTTP_PROXY
    assert integration.timeout_in_millis == 30000
    authorizer = await client.create_authorizer(
        api_id=api.api_id,
        authorizer_type=models.AuthorizerType.JWT,
        identity_source=["$request.header.Authorization"],
        name="jwt",
        jwt_configuration=models.JWTConfiguration(
            audience=["pets-app"], issuer="https://issuer.example.com"
        ),
    )
    assert authorizer.jwt_configuration == models.JWTConfiguration(
        audience=["pets-app"], issuer="https://issuer.example.com"
    )
    target = f"integrations/{integration.integration_id}"
    route_keys = ["GET /pets", "POST /pets", "GET /pets/{id}"]
    for key in route_keys:
        route = await client.create_route(api_id=api.api_id, route_key=key, target=target)
        assert (route.route_key, route.target, route.api_key_required) == (key, target, False)
    routes = [r async for r in client.paginate_get_routes(api_id=api.api_id).items()]
    assert sorted(r.route_key for r in routes) == sorted(route_keys)
    assert all(isinstance(r, models.Route) for r in routes)

    protected = await client.update_route(
        api_id=api.api_id,
        route_id=routes[0].route_id,
        authorization_type=models.AuthorizationType.JWT,
        authorizer_id=authorizer.authorizer_id,
    )
    assert protected.authorization_type is models.AuthorizationType.JWT
    fetched = await client.get_route(api_id=api.api_id, route_id=routes[0].route_id)
    assert fetched.authorizer_id == authorizer.authorizer_id

    stage = await client.create_stage(
        api_id=api.api_id,
        stage_name="prod",
        auto_deploy=True,
        stage_variables={"backend": "blue"},
    )
    assert (stage.stage_name, stage.auto_deploy) == ("prod", True)
    assert stage.created_date is not None and stage.created_date.tzinfo is not None
    stages = [s async for s in client.paginate_get_stages(api_id=api.api_id).items()]
    assert [(s.stage_name, s.stage_variables) for s in stages] == [("prod", {"backend": "blue"})]

    integrations = await client.get_integrations(api_id=api.api_id)
    assert [i.integration_id for i in integrations.items or []] == [integration.integration_id]
    assert integrations.next_token is None

    await client.delete_route(api_id=api.api_id, route_id=routes[0].route_id)
    left = [r async for r in client.paginate_get_routes(api_id=api.api_id).items()]
    assert len(left) == 2
    await client.delete_api(api_id=api.api_id)
    with pytest.raises(v2.errors.NotFoundException):
        await client.get_api(api_id=api.api_id)


async def test_apis_are_listed_through_the_paginator(client: v2.Client) -> None:
    created = {
        (await client.create_api(name=f"api-{i}", protocol_type="HTTP")).api_id for i in range(5)
    }
    pages = [page async for page in client.paginate_get_apis()]
    assert all(isinstance(p, models.GetApisResponse) for p in pages)
    listed = {api.api_id async for api in client.paginate_get_apis().items()}
    assert listed == created


async def test_a_websocket_api(client: v2.Client) -> None:
    api = await client.create_api(
        name="chat",
        protocol_type="WEBSOCKET",
        route_selection_expression="$request.body.action",
    )
    assert api.protocol_type is models.ProtocolType.WEBSOCKET
    assert api.route_selection_expression == "$request.body.action"
    for key in ("$connect", "$disconnect", "sendmessage"):
        await client.create_route(api_id=api.api_id, route_key=key)
    keys = sorted(
        [r.route_key async for r in client.paginate_get_routes(api_id=api.api_id).items()]
    )
    assert keys == ["$connect", "$disconnect", "sendmessage"]


async def test_not_found(client: v2.Client) -> None:
    with pytest.raises(v2.errors.NotFoundException) as caught:
        await client.get_api(api_id="nope")
    error = caught.value
    assert isinstance(error, aioapigateway.errors.ServiceError)
    assert (error.code, error.status_code) == ("NotFoundException", 404)
    assert "nope" in error.message
    api = await client.create_api(name="x", protocol_type="HTTP")
    with pytest.raises(v2.errors.NotFoundException):
        await client.get_route(api_id=api.api_id, route_id="missing")
    with pytest.raises(aioapigateway.errors.ServiceError):
        await client.get_stage(api_id=api.api_id, stage_name="missing")


async def test_bad_input_raises_before_sending(client: v2.Client) -> None:
    with pytest.raises(aioapigateway.errors.ParamValidationError):
        await client.create_api(name=None, protocol_type="HTTP")  # type: ignore[arg-type]
    with pytest.raises(aioapigateway.errors.ParamValidationError):
        await client.create_route(api_id="a", route_key="k", api_key_required="yes")  # type: ignore[arg-type]
    assert (await client.get_apis()).items == []


# -- paging across pages (loopback: moto never sends a nextToken) --------------------------------


async def test_paging_follows_next_token_across_pages() -> None:
    pages = {
        None: {"items": [{"apiId": "a1", "name": "one"}], "nextToken": "t1"},
        "t1": {"items": [{"apiId": "a2", "name": "two"}], "nextToken": "t/2="},
        "t/2=": {"items": [{"apiId": "a3", "name": "three"}]},
    }

    def serve(request: Recorded) -> tuple[int, dict[str, str], bytes]:
        from urllib.parse import parse_qs

        token = parse_qs(request.query_string).get("nextToken", [None])[0]
        return 200, {"Content-Type": "application/json"}, json.dumps(pages[token]).encode()

    async with recording_server() as server:
        server.default = (500, {}, b"")
        server.replies.extend([serve, serve, serve])
        async with v2.Client(
            region="us-east-1", endpoint_url=server.url, credentials=CREDENTIALS
        ) as client:
            names = [api.name async for api in client.paginate_get_apis(max_results="1").items()]
    assert names == ["one", "two", "three"]
    assert [r.raw_path for r in server.requests] == [
        "/v2/apis?maxResults=1",
        "/v2/apis?maxResults=1&nextToken=t1",
        "/v2/apis?maxResults=1&nextToken=t%2F2%3D",
    ]
