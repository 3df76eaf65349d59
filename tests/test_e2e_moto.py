"""End-to-end tests against a real ``moto_server`` process (see ``conftest.py``).

moto answers like API Gateway but with quirks the client must tolerate: JSON bodies sent
as ``text/html``, 200 where AWS sends 201/202, ``null`` fields, and no pagination (every
list call returns everything, with no ``position``).

``MOTO_IMPLEMENTED`` lists the operations moto 5.2.5 serves (a handler in
``moto/apigateway/responses.py`` *and* a route in ``moto/apigateway/urls.py``);
``MOTO_NOT_IMPLEMENTED`` the ones it does not, which are skipped on purpose.
``test_operation_lists_match_moto`` recomputes both from moto and the client so they cannot
go stale, and the two big tests check that between them they call every implemented
operation.
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import json
import os
import re
import socket
import sys
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import pytest
from _json_strict import assert_json_body, assert_json_equal

import aioapigateway
from aioapigateway import errors, models

pytestmark = pytest.mark.usefixtures("isolated_aws_env")

# The 83 operations moto 5.2.5 implements (routed in urls.py and handled in responses.py).
MOTO_IMPLEMENTED = frozenset(
    {
        "create_api_key",
        "create_authorizer",
        "create_base_path_mapping",
        "create_deployment",
        "create_domain_name",
        "create_model",
        "create_request_validator",
        "create_resource",
        "create_rest_api",
        "create_stage",
        "create_usage_plan",
        "create_usage_plan_key",
        "create_vpc_link",
        "delete_api_key",
        "delete_authorizer",
        "delete_base_path_mapping",
        "delete_deployment",
        "delete_domain_name",
        "delete_gateway_response",
        "delete_integration",
        "delete_integration_response",
        "delete_method",
        "delete_method_response",
        "delete_model",
        "delete_request_validator",
        "delete_resource",
        "delete_rest_api",
        "delete_stage",
        "delete_usage_plan",
        "delete_usage_plan_key",
        "delete_vpc_link",
        "get_account",
        "get_api_key",
        "get_api_keys",
        "get_authorizer",
        "get_authorizers",
        "get_base_path_mapping",
        "get_base_path_mappings",
        "get_deployment",
        "get_deployments",
        "get_domain_name",
        "get_domain_names",
        "get_export",
        "get_gateway_response",
        "get_gateway_responses",
        "get_integration",
        "get_integration_response",
        "get_method",
        "get_method_response",
        "get_model",
        "get_models",
        "get_request_validator",
        "get_request_validators",
        "get_resource",
        "get_resources",
        "get_rest_api",
        "get_rest_apis",
        "get_stage",
        "get_stages",
        "get_tags",
        "get_usage_plan",
        "get_usage_plan_key",
        "get_usage_plan_keys",
        "get_usage_plans",
        "get_vpc_link",
        "get_vpc_links",
        "import_rest_api",
        "put_gateway_response",
        "put_integration",
        "put_integration_response",
        "put_method",
        "put_method_response",
        "put_rest_api",
        "tag_resource",
        "untag_resource",
        "update_account",
        "update_api_key",
        "update_authorizer",
        "update_base_path_mapping",
        "update_request_validator",
        "update_rest_api",
        "update_stage",
        "update_usage_plan",
    }
)

# Skipped on purpose: moto 5.2.5 has no route (urls.py) and/or no handler (responses.py) for
# these, so calling them would only test moto's 404/500, not the client.
MOTO_NOT_IMPLEMENTED = frozenset(
    {
        # client certificates: no /clientcertificates route
        "delete_client_certificate",
        "generate_client_certificate",
        "get_client_certificate",
        "get_client_certificates",
        "update_client_certificate",
        # documentation parts and versions: no /documentation routes
        "create_documentation_part",
        "create_documentation_version",
        "delete_documentation_part",
        "delete_documentation_version",
        "get_documentation_part",
        "get_documentation_parts",
        "get_documentation_version",
        "get_documentation_versions",
        "import_documentation_parts",
        "update_documentation_part",
        "update_documentation_version",
        # domain name access associations: no routes
        "create_domain_name_access_association",
        "delete_domain_name_access_association",
        "get_domain_name_access_associations",
        "reject_domain_name_access_association",
        # stage caches: no /cache routes
        "flush_stage_authorizers_cache",
        "flush_stage_cache",
        # SDK generation and types: no /sdks or /sdktypes routes
        "get_sdk",
        "get_sdk_type",
        "get_sdk_types",
        # usage data: no /usage routes
        "get_usage",
        "update_usage",
        # routed, but no handler method in responses.py
        "get_model_template",
        "import_api_keys",
        "test_invoke_authorizer",
        "test_invoke_method",
        "update_deployment",
        "update_domain_name",
        "update_gateway_response",
        "update_integration",
        "update_integration_response",
        "update_method",
        "update_method_response",
        "update_model",
        "update_resource",
        "update_vpc_link",
    }
)

# Operations the lifecycle test calls (it checks that it really called each of them).
LIFECYCLE_OPERATIONS = frozenset(
    {
        "create_rest_api",
        "get_resources",
        "create_resource",
        "put_method",
        "put_method_response",
        "put_integration",
        "put_integration_response",
        "create_model",
        "create_request_validator",
        "create_deployment",
        "get_stage",
        "update_stage",
        "create_api_key",
        "create_usage_plan",
        "create_usage_plan_key",
        "get_rest_apis",
        "get_export",
        "delete_usage_plan_key",
        "delete_usage_plan",
        "delete_api_key",
        "delete_rest_api",
        "get_rest_api",
    }
)

Call = Callable[[str, Mapping[str, Any]], Awaitable[Any]]


def _xform(name: str) -> str:
    """botocore's xform_name for the operation names of this model."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _client_operations() -> set[str]:
    return {
        name
        for name, member in vars(aioapigateway.ApiGatewayClient).items()
        if inspect.iscoroutinefunction(member)
        and not name.startswith(("_", "paginate_"))
        and name != "close"
    }


def record_calls(client: aioapigateway.ApiGatewayClient) -> set[str]:
    """Record the python name of every operation ``client`` runs from now on."""
    called: set[str] = set()
    original: Call = client._call

    async def _call(operation: str, params: Mapping[str, Any]) -> Any:
        called.add(_xform(operation))
        return await original(operation, params)

    client._call = _call  # type: ignore[method-assign]
    return called


class Exchange:
    """One HTTP exchange as the client saw it."""

    def __init__(self, operation: str, status: int, headers: Mapping[str, str], body: bytes):
        self.operation = operation
        self.status = status
        self.content_type = headers.get("Content-Type", "")
        self.body = body


def record_exchanges(client: aioapigateway.ApiGatewayClient) -> list[Exchange]:
    """Record the status, content type and body of every response ``client`` receives."""
    exchanges: list[Exchange] = []
    current = [""]
    call: Call = client._call
    send: Callable[..., Awaitable[tuple[int, Mapping[str, str], bytes]]] = client._send

    async def _call(operation: str, params: Mapping[str, Any]) -> Any:
        current[0] = _xform(operation)
        return await call(operation, params)

    async def _send(*args: Any) -> tuple[int, Mapping[str, str], bytes]:
        status, headers, body = await send(*args)
        exchanges.append(Exchange(current[0], status, headers, body))
        return status, headers, body

    client._call = _call  # type: ignore[method-assign]
    client._send = _send  # type: ignore[method-assign]
    return exchanges


def assert_utc(value: datetime.datetime | None) -> None:
    assert isinstance(value, datetime.datetime)
    assert value.tzinfo is not None
    assert value.utcoffset() == datetime.timedelta(0)


def test_operation_lists_match_moto() -> None:
    """The two lists partition the client's operations and agree with moto's routes."""
    from moto.apigateway.responses import APIGatewayResponse
    from moto.apigateway.urls import url_paths

    from aioapigateway._spec import SERVICE

    operations = _client_operations()
    assert MOTO_IMPLEMENTED | MOTO_NOT_IMPLEMENTED == operations
    assert not MOTO_IMPLEMENTED & MOTO_NOT_IMPLEMENTED
    routes = [re.compile(pattern.format("")) for pattern in url_paths]
    served = set()
    for op in SERVICE.operations.values():
        name = _xform(op.name)
        path = re.sub(r"\{[^}]+\}", "200", op.request_uri.split("?")[0])
        if hasattr(APIGatewayResponse, name) and any(route.match(path) for route in routes):
            served.add(name)
    assert served == MOTO_IMPLEMENTED


async def test_lifecycle(client: aioapigateway.ApiGatewayClient) -> None:
    exchanges = record_exchanges(client)
    called = record_calls(client)

    # -- a REST API with an endpoint configuration and tags ------------------------------------
    api = await client.create_rest_api(
        name="pets",
        description="the pets API",
        endpoint_configuration=models.EndpointConfiguration(types=[models.EndpointType.REGIONAL]),
        tags={"team": "core"},
    )
    assert isinstance(api, models.RestApi)
    assert api.id and api.name == "pets" and api.description == "the pets API"
    assert isinstance(api.endpoint_configuration, models.EndpointConfiguration)
    assert api.endpoint_configuration.types == [models.EndpointType.REGIONAL]
    assert api.tags == {"team": "core"}
    assert_utc(api.created_date)
    assert api.root_resource_id

    resources = await client.get_resources(rest_api_id=api.id)
    assert isinstance(resources, models.Resources)
    assert [(r.id, r.path) for r in resources.items or []] == [(api.root_resource_id, "/")]
    root = resources.items[0]  # type: ignore[index]

    resource = await client.create_resource(rest_api_id=api.id, parent_id=root.id, path_part="pets")
    assert isinstance(resource, models.Resource)
    assert resource.path == "/pets" and resource.parent_id == root.id and resource.id

    # -- a MOCK method: method, method response, integration, integration response -------------
    method = await client.put_method(
        rest_api_id=api.id,
        resource_id=resource.id,
        http_method="GET",
        authorization_type="NONE",
        request_parameters={"method.request.querystring.kind": False},
    )
    assert isinstance(method, models.Method)
    assert method.http_method == "GET" and method.authorization_type == "NONE"
    assert_json_equal(method.request_parameters, {"method.request.querystring.kind": False})

    method_response = await client.put_method_response(
        rest_api_id=api.id,
        resource_id=resource.id,
        http_method="GET",
        status_code="200",
        response_models={"application/json": "Empty"},
    )
    assert isinstance(method_response, models.MethodResponse)
    assert method_response.status_code == "200"
    assert method_response.response_models == {"application/json": "Empty"}

    integration = await client.put_integration(
        rest_api_id=api.id,
        resource_id=resource.id,
        http_method="GET",
        type=models.IntegrationType.MOCK,
        request_templates={"application/json": '{"statusCode": 200}'},
    )
    assert isinstance(integration, models.Integration)
    assert integration.type is models.IntegrationType.MOCK
    assert integration.request_templates == {"application/json": '{"statusCode": 200}'}

    integration_response = await client.put_integration_response(
        rest_api_id=api.id,
        resource_id=resource.id,
        http_method="GET",
        status_code="200",
        response_templates={"application/json": '{"pets": []}'},
    )
    assert isinstance(integration_response, models.IntegrationResponse)
    assert integration_response.status_code == "200"
    assert integration_response.response_templates == {"application/json": '{"pets": []}'}

    # -- a model and a request validator -------------------------------------------------------
    schema = json.dumps({"type": "object", "properties": {"name": {"type": "string"}}})
    model = await client.create_model(
        rest_api_id=api.id, name="Pet", content_type="application/json", schema=schema
    )
    assert isinstance(model, models.Model)
    assert model.id and model.name == "Pet" and model.content_type == "application/json"
    assert_json_body(model.schema or "", json.loads(schema))

    validator = await client.create_request_validator(
        rest_api_id=api.id,
        name="body-only",
        validate_request_body=True,
        validate_request_parameters=False,
    )
    assert isinstance(validator, models.RequestValidator)
    assert validator.id and validator.name == "body-only"
    assert validator.validate_request_body is True
    assert validator.validate_request_parameters is False

    # -- deploy, then read and patch the stage -------------------------------------------------
    deployment = await client.create_deployment(
        rest_api_id=api.id, stage_name="prod", description="first", variables={"color": "blue"}
    )
    assert isinstance(deployment, models.Deployment)
    assert deployment.id and deployment.description == "first"
    assert_utc(deployment.created_date)

    stage = await client.get_stage(rest_api_id=api.id, stage_name="prod")
    assert isinstance(stage, models.Stage)
    assert stage.stage_name == "prod" and stage.deployment_id == deployment.id
    assert stage.variables == {"color": "blue"}

    stage = await client.update_stage(
        rest_api_id=api.id,
        stage_name="prod",
        patch_operations=[models.PatchOperation(op="replace", path="/description", value="x")],
    )
    assert isinstance(stage, models.Stage)
    assert stage.description == "x" and stage.stage_name == "prod"

    # -- an API key on a usage plan ------------------------------------------------------------
    api_key = await client.create_api_key(
        name="partner", description="for the partner", enabled=True, value="k" * 30
    )
    assert isinstance(api_key, models.ApiKey)
    assert api_key.id and api_key.name == "partner" and api_key.enabled is True
    assert api_key.value == "k" * 30
    assert_utc(api_key.created_date)

    plan = await client.create_usage_plan(
        name="gold",
        description="gold plan",
        api_stages=[models.ApiStage(api_id=api.id, stage="prod")],
        throttle=models.ThrottleSettings(burst_limit=10, rate_limit=5.5),
        quota=models.QuotaSettings(limit=1000, period=models.QuotaPeriodType.DAY),
    )
    assert isinstance(plan, models.UsagePlan)
    assert plan.id and plan.name == "gold"
    assert plan.api_stages == [models.ApiStage(api_id=api.id, stage="prod")]
    assert plan.throttle == models.ThrottleSettings(burst_limit=10, rate_limit=5.5)
    assert plan.quota is not None
    assert plan.quota.limit == 1000 and plan.quota.period is models.QuotaPeriodType.DAY

    plan_key = await client.create_usage_plan_key(
        usage_plan_id=plan.id, key_id=api_key.id, key_type="API_KEY"
    )
    assert isinstance(plan_key, models.UsagePlanKey)
    assert plan_key.id == api_key.id and plan_key.type == "API_KEY"
    assert plan_key.name == "partner"

    # -- pagination: moto ignores `limit` and `position`; iteration must still end -------------
    for index in range(4):
        await client.create_rest_api(name=f"extra-{index}")
    pages = [page async for page in client.paginate_get_rest_apis(limit=2)]
    assert pages and all(isinstance(page, models.RestApis) for page in pages)
    assert len(pages) == 1 and pages[0].position is None  # moto returns everything at once
    items = [item async for item in client.paginate_get_rest_apis(limit=2).items()]
    assert all(isinstance(item, models.RestApi) for item in items)
    assert sorted(item.name for item in items) == [
        "extra-0",
        "extra-1",
        "extra-2",
        "extra-3",
        "pets",
    ]

    # -- export: moto implements it (swagger/oas30), the body is the raw payload ---------------
    export = await client.get_export(
        rest_api_id=api.id, stage_name="prod", export_type="swagger", accepts="application/json"
    )
    assert isinstance(export, models.ExportResponse)
    assert isinstance(export.body, bytes)
    document = json.loads(export.body)
    assert document["info"]["title"] == "pets"
    assert "/pets" in document["paths"]
    assert export.content_type == "application/octet-stream"
    assert export.content_disposition and "attachment" in export.content_disposition

    # -- deletes (no output) -------------------------------------------------------------------
    assert await client.delete_usage_plan_key(usage_plan_id=plan.id, key_id=api_key.id) is None
    assert await client.delete_usage_plan(usage_plan_id=plan.id) is None
    assert await client.delete_api_key(api_key=api_key.id) is None
    assert await client.delete_rest_api(rest_api_id=api.id) is None

    with pytest.raises(errors.NotFoundException) as caught:
        await client.get_rest_api(rest_api_id=api.id)
    error = caught.value
    assert isinstance(error, errors.ServiceError)
    assert error.code == "NotFoundException"
    assert error.status_code == 404
    assert error.message == "Invalid Rest API Id specified"
    assert error.request_id
    assert "NotFoundException" in str(error) and "404" in str(error)

    assert called == LIFECYCLE_OPERATIONS

    # The moto quirks really happened, and the client took them in its stride.
    by_operation = {exchange.operation: exchange for exchange in exchanges}
    # JSON sent as text/html
    assert by_operation["get_stage"].content_type.startswith("text/html")
    # 200 where API Gateway answers 201 (CreateRestApi) or 202 (DeleteRestApi)
    assert by_operation["create_rest_api"].status == 200
    assert by_operation["delete_rest_api"].status == 200
    # null fields
    assert b'"policy": null' in by_operation["create_rest_api"].body


LAMBDA_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"
)
NLB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/0123456789"
CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0123-4567"


async def test_every_other_moto_operation(client: aioapigateway.ApiGatewayClient) -> None:
    """Call each operation moto implements that ``test_lifecycle`` does not."""
    called = record_calls(client)
    replace = models.Op.REPLACE

    # -- REST APIs -----------------------------------------------------------------------------
    api = await client.create_rest_api(name="ops", description="before")
    assert api.root_resource_id
    apis = await client.get_rest_apis()
    assert isinstance(apis, models.RestApis)
    assert [item.id for item in apis.items or []] == [api.id]
    got_api = await client.get_rest_api(rest_api_id=api.id)
    assert isinstance(got_api, models.RestApi)
    assert got_api.id == api.id and got_api.name == "ops"
    # moto's default endpoint type, as on AWS
    assert got_api.endpoint_configuration == models.EndpointConfiguration(
        types=[models.EndpointType.EDGE]
    )
    updated_api = await client.update_rest_api(
        rest_api_id=api.id,
        patch_operations=[models.PatchOperation(op=replace, path="/description", value="after")],
    )
    assert isinstance(updated_api, models.RestApi) and updated_api.description == "after"

    document = {
        "openapi": "3.0.1",
        # moto insists on info.description
        "info": {"title": "imported", "description": "from OpenAPI", "version": "1"},
        "paths": {"/hello": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    imported = await client.import_rest_api(body=json.dumps(document).encode())
    assert isinstance(imported, models.RestApi)
    assert imported.id and imported.name == "imported"
    document["info"]["title"] = "replaced"  # type: ignore[index]
    document["paths"] = {"/bye": {"get": {"responses": {"200": {"description": "ok"}}}}}
    replaced = await client.put_rest_api(
        rest_api_id=imported.id,
        body=json.dumps(document).encode(),
        mode=models.PutMode.OVERWRITE,
    )
    assert isinstance(replaced, models.RestApi) and replaced.id == imported.id
    paths = {r.path for r in (await client.get_resources(rest_api_id=imported.id)).items or []}
    assert "/bye" in paths and "/hello" not in paths

    # -- resources, methods, integrations ------------------------------------------------------
    resource = await client.create_resource(
        rest_api_id=api.id, parent_id=api.root_resource_id, path_part="items"
    )
    got_resource = await client.get_resource(rest_api_id=api.id, resource_id=resource.id)
    assert isinstance(got_resource, models.Resource)
    assert got_resource.path == "/items" and got_resource.parent_id == api.root_resource_id

    where = {"rest_api_id": api.id, "resource_id": resource.id, "http_method": "POST"}
    await client.put_method(**where, authorization_type="NONE", api_key_required=True)
    method = await client.get_method(**where)
    assert isinstance(method, models.Method)
    assert method.http_method == "POST" and method.api_key_required is True

    await client.put_method_response(**where, status_code="201")
    method_response = await client.get_method_response(**where, status_code="201")
    assert isinstance(method_response, models.MethodResponse)
    assert method_response.status_code == "201"

    # an enum argument given as a plain str
    await client.put_integration(**where, type="MOCK", passthrough_behavior="WHEN_NO_MATCH")
    integration = await client.get_integration(**where)
    assert isinstance(integration, models.Integration)
    assert integration.type is models.IntegrationType.MOCK
    assert integration.passthrough_behavior == "WHEN_NO_MATCH"

    await client.put_integration_response(
        **where, status_code="201", selection_pattern="", response_templates={"a/b": "{}"}
    )
    integration_response = await client.get_integration_response(**where, status_code="201")
    assert isinstance(integration_response, models.IntegrationResponse)
    assert integration_response.status_code == "201"
    assert integration_response.response_templates == {"a/b": "{}"}

    method = await client.get_method(**where)
    assert method.method_integration is not None
    assert method.method_integration.type is models.IntegrationType.MOCK
    assert method.method_responses is not None and set(method.method_responses) == {"201"}

    assert await client.delete_integration_response(**where, status_code="201") is None
    assert await client.delete_integration(**where) is None
    assert await client.delete_method_response(**where, status_code="201") is None
    assert await client.delete_method(**where) is None
    with pytest.raises(errors.NotFoundException):
        await client.get_method(**where)
    assert await client.delete_resource(rest_api_id=api.id, resource_id=resource.id) is None
    with pytest.raises(errors.NotFoundException):
        await client.get_resource(rest_api_id=api.id, resource_id=resource.id)

    # -- models --------------------------------------------------------------------------------
    await client.create_model(
        rest_api_id=api.id, name="Thing", content_type="application/json", schema="{}"
    )
    model = await client.get_model(rest_api_id=api.id, model_name="Thing")
    assert isinstance(model, models.Model) and model.name == "Thing"
    all_models = await client.get_models(rest_api_id=api.id)
    assert isinstance(all_models, models.Models)
    assert [m.name for m in all_models.items or []] == ["Thing"]
    assert await client.delete_model(rest_api_id=api.id, model_name="Thing") is None
    assert (await client.get_models(rest_api_id=api.id)).items == []

    # -- request validators --------------------------------------------------------------------
    validator = await client.create_request_validator(
        rest_api_id=api.id, name="v1", validate_request_parameters=True
    )
    got_validator = await client.get_request_validator(
        rest_api_id=api.id, request_validator_id=validator.id
    )
    assert isinstance(got_validator, models.RequestValidator)
    assert got_validator.name == "v1" and got_validator.validate_request_parameters is True
    validators = await client.get_request_validators(rest_api_id=api.id)
    assert isinstance(validators, models.RequestValidators)
    assert [v.id for v in validators.items or []] == [validator.id]
    renamed = await client.update_request_validator(
        rest_api_id=api.id,
        request_validator_id=validator.id,
        patch_operations=[models.PatchOperation(op=replace, path="/name", value="v2")],
    )
    assert isinstance(renamed, models.RequestValidator) and renamed.name == "v2"
    assert (
        await client.delete_request_validator(rest_api_id=api.id, request_validator_id=validator.id)
        is None
    )

    # -- authorizers ---------------------------------------------------------------------------
    authorizer = await client.create_authorizer(
        rest_api_id=api.id,
        name="auth",
        type=models.AuthorizerType.TOKEN,
        authorizer_uri=LAMBDA_URI,
        identity_source="method.request.header.Authorization",
        authorizer_result_ttl_in_seconds=60,
    )
    assert isinstance(authorizer, models.Authorizer)
    assert authorizer.type is models.AuthorizerType.TOKEN
    assert authorizer.authorizer_result_ttl_in_seconds == 60
    got_authorizer = await client.get_authorizer(rest_api_id=api.id, authorizer_id=authorizer.id)
    assert isinstance(got_authorizer, models.Authorizer)
    assert got_authorizer.authorizer_uri == LAMBDA_URI
    authorizers = await client.get_authorizers(rest_api_id=api.id)
    assert isinstance(authorizers, models.Authorizers)
    assert [a.id for a in authorizers.items or []] == [authorizer.id]
    renamed_authorizer = await client.update_authorizer(
        rest_api_id=api.id,
        authorizer_id=authorizer.id,
        patch_operations=[models.PatchOperation(op=replace, path="/name", value="auth2")],
    )
    assert isinstance(renamed_authorizer, models.Authorizer)
    assert renamed_authorizer.name == "auth2"
    assert await client.delete_authorizer(rest_api_id=api.id, authorizer_id=authorizer.id) is None

    # -- deployments, stages and (stage) tags --------------------------------------------------
    # moto deploys only an API with at least one integrated method
    on_root = {"rest_api_id": api.id, "resource_id": api.root_resource_id, "http_method": "GET"}
    await client.put_method(**on_root, authorization_type="NONE")
    await client.put_integration(**on_root, type=models.IntegrationType.MOCK)
    deployment = await client.create_deployment(rest_api_id=api.id, description="d1")
    got_deployment = await client.get_deployment(rest_api_id=api.id, deployment_id=deployment.id)
    assert isinstance(got_deployment, models.Deployment)
    assert got_deployment.id == deployment.id and got_deployment.description == "d1"
    deployments = await client.get_deployments(rest_api_id=api.id)
    assert isinstance(deployments, models.Deployments)
    assert [d.id for d in deployments.items or []] == [deployment.id]

    stage = await client.create_stage(
        rest_api_id=api.id,
        stage_name="dev",
        deployment_id=deployment.id,
        description="development",
        variables={"a": "1"},
        tags={"owner": "me"},
        tracing_enabled=True,
    )
    assert isinstance(stage, models.Stage)
    assert stage.stage_name == "dev" and stage.deployment_id == deployment.id
    assert stage.variables == {"a": "1"} and stage.tracing_enabled is True
    stages = await client.get_stages(rest_api_id=api.id)
    assert isinstance(stages, models.Stages)
    assert [s.stage_name for s in stages.item or []] == ["dev"]

    # moto keeps tags for stages only; the ARN goes into the path percent-encoded
    stage_arn = f"arn:aws:apigateway:us-east-1::/restapis/{api.id}/stages/dev"
    assert await client.tag_resource(resource_arn=stage_arn, tags={"env": "test"}) is None
    tags = await client.get_tags(resource_arn=stage_arn)
    assert isinstance(tags, models.Tags)
    assert tags.tags == {"owner": "me", "env": "test"}
    assert await client.untag_resource(resource_arn=stage_arn, tag_keys=["env"]) is None
    assert (await client.get_tags(resource_arn=stage_arn)).tags == {"owner": "me"}

    # -- gateway responses ---------------------------------------------------------------------
    gateway_response = await client.put_gateway_response(
        rest_api_id=api.id,
        response_type=models.GatewayResponseType.DEFAULT_4XX,
        status_code="400",
        response_templates={"application/json": '{"message": $context.error.messageString}'},
    )
    assert isinstance(gateway_response, models.GatewayResponse)
    assert gateway_response.response_type is models.GatewayResponseType.DEFAULT_4XX
    got_gateway_response = await client.get_gateway_response(
        rest_api_id=api.id, response_type="DEFAULT_4XX"
    )
    assert isinstance(got_gateway_response, models.GatewayResponse)
    assert got_gateway_response.status_code == "400"
    gateway_responses = await client.get_gateway_responses(rest_api_id=api.id)
    assert isinstance(gateway_responses, models.GatewayResponses)
    assert [g.response_type for g in gateway_responses.items or []] == [
        models.GatewayResponseType.DEFAULT_4XX
    ]
    assert (
        await client.delete_gateway_response(
            rest_api_id=api.id, response_type=models.GatewayResponseType.DEFAULT_4XX
        )
        is None
    )

    # -- domain names and base path mappings ---------------------------------------------------
    domain = await client.create_domain_name(
        domain_name="api.example.com",
        certificate_name="cert",
        certificate_arn=CERT_ARN,
        security_policy=models.SecurityPolicy.TLS_1_2,
    )
    assert isinstance(domain, models.DomainName)
    assert domain.domain_name == "api.example.com"
    got_domain = await client.get_domain_name(domain_name="api.example.com")
    assert isinstance(got_domain, models.DomainName)
    assert got_domain.certificate_arn == CERT_ARN
    domains = await client.get_domain_names()
    assert isinstance(domains, models.DomainNames)
    assert [d.domain_name for d in domains.items or []] == ["api.example.com"]

    mapping = await client.create_base_path_mapping(
        domain_name="api.example.com", rest_api_id=api.id, base_path="v1", stage="dev"
    )
    assert isinstance(mapping, models.BasePathMapping)
    assert (mapping.base_path, mapping.rest_api_id, mapping.stage) == ("v1", api.id, "dev")
    got_mapping = await client.get_base_path_mapping(domain_name="api.example.com", base_path="v1")
    assert isinstance(got_mapping, models.BasePathMapping) and got_mapping.rest_api_id == api.id
    mappings = await client.get_base_path_mappings(domain_name="api.example.com")
    assert isinstance(mappings, models.BasePathMappings)
    assert [m.base_path for m in mappings.items or []] == ["v1"]
    moved = await client.update_base_path_mapping(
        domain_name="api.example.com",
        base_path="v1",
        patch_operations=[models.PatchOperation(op=replace, path="/basePath", value="v2")],
    )
    assert isinstance(moved, models.BasePathMapping) and moved.base_path == "v2"
    assert (
        await client.delete_base_path_mapping(domain_name="api.example.com", base_path="v2") is None
    )
    assert await client.delete_domain_name(domain_name="api.example.com") is None
    with pytest.raises(errors.NotFoundException):
        await client.get_domain_name(domain_name="api.example.com")

    # -- stage and deployment deletion ---------------------------------------------------------
    assert await client.delete_stage(rest_api_id=api.id, stage_name="dev") is None
    assert await client.delete_deployment(rest_api_id=api.id, deployment_id=deployment.id) is None

    # -- VPC links -----------------------------------------------------------------------------
    link = await client.create_vpc_link(
        name="link", target_arns=[NLB_ARN], description="to the NLB", tags={"k": "v"}
    )
    assert isinstance(link, models.VpcLink)
    assert link.id and link.target_arns == [NLB_ARN]
    got_link = await client.get_vpc_link(vpc_link_id=link.id)
    assert isinstance(got_link, models.VpcLink)
    assert got_link.name == "link" and got_link.tags == {"k": "v"}
    assert got_link.status in set(models.VpcLinkStatus)
    links = await client.get_vpc_links()
    assert isinstance(links, models.VpcLinks)
    assert [item.id for item in links.items or []] == [link.id]
    assert await client.delete_vpc_link(vpc_link_id=link.id) is None

    # -- API keys and usage plans --------------------------------------------------------------
    key = await client.create_api_key(name="k2", enabled=False, tags={"tier": "free"})
    with_value = await client.get_api_key(api_key=key.id, include_value=True)
    assert isinstance(with_value, models.ApiKey)
    assert with_value.value == key.value and with_value.enabled is False
    without_value = await client.get_api_key(api_key=key.id)
    assert without_value.value is None
    keys = await client.get_api_keys(include_values=False)
    assert isinstance(keys, models.ApiKeys)
    assert [(k.id, k.value) for k in keys.items or []] == [(key.id, None)]
    described = await client.update_api_key(
        api_key=key.id,
        patch_operations=[models.PatchOperation(op=replace, path="/description", value="new")],
    )
    assert isinstance(described, models.ApiKey) and described.description == "new"

    plan = await client.create_usage_plan(name="silver")
    got_plan = await client.get_usage_plan(usage_plan_id=plan.id)
    assert isinstance(got_plan, models.UsagePlan) and got_plan.name == "silver"
    plans = await client.get_usage_plans()
    assert isinstance(plans, models.UsagePlans)
    assert [p.id for p in plans.items or []] == [plan.id]
    updated_plan = await client.update_usage_plan(
        usage_plan_id=plan.id,
        patch_operations=[
            models.PatchOperation(op=replace, path="/description", value="cheaper"),
            models.PatchOperation(op=replace, path="/quota/period", value="WEEK"),
        ],
    )
    assert isinstance(updated_plan, models.UsagePlan)
    assert updated_plan.description == "cheaper"
    assert updated_plan.quota is not None
    assert updated_plan.quota.period is models.QuotaPeriodType.WEEK

    await client.create_usage_plan_key(usage_plan_id=plan.id, key_id=key.id, key_type="API_KEY")
    plan_key = await client.get_usage_plan_key(usage_plan_id=plan.id, key_id=key.id)
    assert isinstance(plan_key, models.UsagePlanKey)
    assert plan_key.id == key.id and plan_key.name == "k2"
    plan_keys = await client.get_usage_plan_keys(usage_plan_id=plan.id)
    assert isinstance(plan_keys, models.UsagePlanKeys)
    assert [k.id for k in plan_keys.items or []] == [key.id]

    # -- the account ---------------------------------------------------------------------------
    account = await client.get_account()
    assert isinstance(account, models.Account)
    assert account.throttle_settings == models.ThrottleSettings(
        burst_limit=5000, rate_limit=10000.0
    )
    assert account.cloudwatch_role_arn is None  # a JSON null
    role = "arn:aws:iam::123456789012:role/apigw-logs"
    account = await client.update_account(
        patch_operations=[models.PatchOperation(op=replace, path="/cloudwatchRoleArn", value=role)]
    )
    assert isinstance(account, models.Account) and account.cloudwatch_role_arn == role

    assert called | LIFECYCLE_OPERATIONS == MOTO_IMPLEMENTED
    assert not called & MOTO_NOT_IMPLEMENTED


async def test_moto_number_as_string_is_coerced(
    client: aioapigateway.ApiGatewayClient,
) -> None:
    """moto stores patched quota values verbatim and sends ``"limit": "50"`` back.

    API Gateway sends an integer; like botocore, the client coerces a numeric string.
    """
    plan = await client.create_usage_plan(
        name="p", quota=models.QuotaSettings(limit=10, period=models.QuotaPeriodType.DAY)
    )
    updated = await client.update_usage_plan(
        usage_plan_id=plan.id,
        patch_operations=[models.PatchOperation(op="replace", path="/quota/limit", value="50")],
    )
    assert updated.quota is not None and updated.quota.limit == 50


async def test_concurrent_calls_share_one_client(client: aioapigateway.ApiGatewayClient) -> None:
    """One client, many tasks: the first calls race to start the client, then all proceed."""
    created = await asyncio.gather(*(client.create_api_key(name=f"key-{i}") for i in range(20)))
    assert len({key.id for key in created}) == 20
    keys = [key async for key in client.paginate_get_api_keys().items()]
    assert sorted(key.name or "" for key in keys) == sorted(f"key-{i}" for i in range(20))


async def test_caller_session_is_used_and_left_open(moto_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with aioapigateway.Client(
            region="us-east-1",
            endpoint_url=moto_url,
            credentials=aioapigateway.Credentials("testing", "testing"),
            session=session,
        ) as api:
            account = await api.get_account()
            assert isinstance(account, models.Account)
        await api.close()  # closing twice is harmless
        assert not session.closed
        with pytest.raises(errors.ClientClosedError):
            await api.get_account()  # a closed client refuses to run: misuse, not the network


def test_moto_start_failure_shows_the_server_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that dies at start-up: MotoStartError with its output; nothing left running."""
    import _moto

    script = "import sys; print('moto says no'); sys.exit(3)"
    monkeypatch.setattr(_moto, "_command", lambda port: [sys.executable, "-c", script])
    server = _moto.MotoServer()
    with pytest.raises(_moto.MotoStartError, match="moto says no") as caught:
        server.start()
    assert "exited with code 3" in str(caught.value)
    # Each attempt on a new port, then it gives up.
    assert server.attempts == _moto.START_ATTEMPTS
    assert str(caught.value).count("--- server output ---") == _moto.START_ATTEMPTS
    assert server.process is None
    with pytest.raises(ProcessLookupError):
        os.kill(server.pid, 0)


def test_moto_start_timeout_kills_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that never answers is stopped by its pid once the deadline passes."""
    import _moto

    script = "import time; print('listening soon', flush=True); time.sleep(60)"
    monkeypatch.setattr(_moto, "_command", lambda port: [sys.executable, "-c", script])
    monkeypatch.setattr(_moto, "START_DEADLINE", 0.5)
    server = _moto.MotoServer()
    with pytest.raises(_moto.MotoStartError, match="listening soon"):
        server.start()
    assert server.attempts == 1  # alive but silent: not a port problem, no new attempt
    assert server.process is None
    with pytest.raises(ProcessLookupError):
        os.kill(server.pid, 0)  # terminated and reaped


# A stand-in for moto_server with its behaviour on a taken port: binding fails, it exits.
FAKE_MOTO = """
import http.server, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def test_moto_starts_again_on_a_new_port_when_its_port_was_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The port picked first is held by another socket: the server exits, the next one works.

    (moto_server 5.2.5 itself exits with "Address already in use" there, like the stand-in.)
    """
    import _moto

    monkeypatch.setattr(
        _moto, "_command", lambda port: [sys.executable, "-c", FAKE_MOTO, str(port)]
    )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        # Bound, not listening: the server's bind fails, and a poll of the port is refused at
        # once (a listener would take the poll's connection and let it wait for a timeout).
        taken.bind(("127.0.0.1", 0))
        busy = taken.getsockname()[1]
        real_free_port = _moto.free_port
        picked: list[int] = []

        def pick() -> int:
            picked.append(busy if not picked else real_free_port())
            return picked[-1]

        monkeypatch.setattr(_moto, "free_port", pick)
        server = _moto.MotoServer()
        try:
            url = server.start()
            assert server.attempts == 2
            assert picked[0] == busy and server.port == picked[1] != busy
            assert url == f"http://127.0.0.1:{picked[1]}"
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=10) as response:
                assert response.status == 200
        finally:
            server.stop()
