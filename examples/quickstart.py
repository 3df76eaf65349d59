"""aioapigateway quickstart: build, deploy, list, export and delete a REST API.

Run against AWS (credentials and region from the usual AWS settings), or against a local
API Gateway such as moto: ``python examples/quickstart.py --endpoint-url http://127.0.0.1:5000``.
``make demo`` does the latter for you.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from aioapigateway import ApiGatewayClient, errors, models


def step(text: str) -> None:
    print(f"-> {text}")


async def quickstart(endpoint_url: str | None, region: str) -> None:
    async with ApiGatewayClient(region=region, endpoint_url=endpoint_url) as client:
        api = await client.create_rest_api(
            name="pets-demo",
            description="Created by the aioapigateway quickstart",
            endpoint_configuration=models.EndpointConfiguration(
                types=[models.EndpointType.REGIONAL]
            ),
            tags={"owner": "quickstart"},
        )
        assert api.id is not None
        step(f"created REST API {api.name!r} (id {api.id})")
        try:
            resources = await client.get_resources(rest_api_id=api.id)
            root = next(r for r in resources.items or [] if r.path == "/")
            assert root.id is not None
            pets = await client.create_resource(
                rest_api_id=api.id, parent_id=root.id, path_part="pets"
            )
            assert pets.id is not None
            step(f"created resource {pets.path} (id {pets.id})")

            await client.put_method(
                rest_api_id=api.id,
                resource_id=pets.id,
                http_method="GET",
                authorization_type="NONE",
            )
            await client.put_method_response(
                rest_api_id=api.id, resource_id=pets.id, http_method="GET", status_code="200"
            )
            await client.put_integration(
                rest_api_id=api.id,
                resource_id=pets.id,
                http_method="GET",
                type=models.IntegrationType.MOCK,
                request_templates={"application/json": '{"statusCode": 200}'},
            )
            await client.put_integration_response(
                rest_api_id=api.id,
                resource_id=pets.id,
                http_method="GET",
                status_code="200",
                response_templates={"application/json": '[{"name": "Rex"}]'},
            )
            step("added GET /pets with a mock integration returning [{'name': 'Rex'}]")

            deployment = await client.create_deployment(
                rest_api_id=api.id, stage_name="demo", description="first deployment"
            )
            stage = await client.update_stage(
                rest_api_id=api.id,
                stage_name="demo",
                patch_operations=[
                    models.PatchOperation(
                        op=models.Op.REPLACE, path="/description", value="demo stage"
                    )
                ],
            )
            step(f"deployed {deployment.id} to stage {stage.stage_name!r} ({stage.description})")

            names = [
                rest_api.name async for rest_api in client.paginate_get_rest_apis(limit=2).items()
            ]
            step(f"listed {len(names)} REST API(s) page by page: {names}")

            try:
                export = await client.get_export(
                    rest_api_id=api.id,
                    stage_name="demo",
                    export_type="oas30",
                    accepts="application/json",
                )
                document = json.loads(export.body or b"{}")
                step(
                    f"exported the OpenAPI document: {len(document.get('paths', {}))} path(s), "
                    f"content type {export.content_type}"
                )
            except errors.ServiceError as exc:
                step(f"export not available here: {exc}")
        finally:
            await client.delete_rest_api(rest_api_id=api.id)
            step(f"deleted REST API {api.id}")

        try:
            await client.get_rest_api(rest_api_id=api.id)
        except errors.NotFoundException as exc:
            step(f"it is gone: {exc.code} ({exc.status_code}): {exc.message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", default=None, help="e.g. a local moto server")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    asyncio.run(quickstart(args.endpoint_url, args.region))


if __name__ == "__main__":
    main()
