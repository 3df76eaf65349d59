"""Per-service customizations: the one place where the generator knows a service by name.

A service here needs something its model does not say. Each entry is keyed by the model's
``metadata.serviceId``.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["EndpointTemplate", "default_headers", "endpoint_template", "sensitive_members"]

_DEFAULT_HEADERS: Mapping[str, Mapping[str, str]] = {
    # API Gateway answers some operations (GetExport, GetSdk and errors) with other media
    # types unless the client asks for JSON; botocore adds this header by a handler too.
    "API Gateway": {"Accept": "application/json"},
}


def default_headers(service_id: str) -> Mapping[str, str]:
    """Headers sent on every request to the service, unless the call sets them itself."""
    return _DEFAULT_HEADERS.get(service_id, {})


_SENSITIVE_MEMBERS: Mapping[str, frozenset[tuple[str, str]]] = {
    # Secrets the API Gateway model does not mark sensitive: API key values, a domain
    # name's private key, and the CSV of keys that ImportApiKeys uploads.
    "API Gateway": frozenset(
        {
            ("ApiKey", "value"),
            ("CreateApiKeyRequest", "value"),
            ("CreateDomainNameRequest", "certificatePrivateKey"),
            ("ImportApiKeysRequest", "body"),
        }
    ),
}


def sensitive_members(service_id: str) -> frozenset[tuple[str, str]]:
    """``(shape, member)`` pairs whose values never appear in a ``repr``."""
    return _SENSITIVE_MEMBERS.get(service_id, frozenset())


@attrs.frozen
class EndpointTemplate:
    """A service without a fixed endpoint: every client must be given ``endpoint_url``.

    The generated package gets a function ``function(**labels) -> str`` that fills
    ``template`` (the runtime's ``endpoint_from_template``: ``{dns_suffix}`` comes from the
    region's partition, the other ``{label}`` are the function's keyword arguments), and a
    client started without an endpoint URL raises ``ConfigError`` with ``missing_hint``.
    """

    function: str
    template: str
    documentation: str
    missing_hint: str


_ENDPOINT_TEMPLATES: Mapping[str, EndpointTemplate] = {
    # The connections API lives on each WebSocket API's own host and stage; the endpoint
    # rule set, given no endpoint, names a host that answers for no API.
    "ApiGatewayManagementApi": EndpointTemplate(
        function="callback_url",
        template="https://{api_id}.execute-api.{region}.{dns_suffix}/{stage}",
        documentation=(
            "The default callback URL of a deployed WebSocket API stage, to pass as\n"
            "``endpoint_url``: ``https://{api_id}.execute-api.{region}.amazonaws.com/{stage}``\n"
            "(the partition's DNS suffix for other partitions).\n\n"
            "A custom domain is passed directly instead: ``https://ws.example.com/base-path``.\n\n"
            "Raises:\n"
            "    ParamValidationError: an argument that cannot appear in the URL."
        ),
        missing_hint=(
            "the connections API needs endpoint_url: the WebSocket API's callback URL, "
            "endpoint_url=aioapigateway.management.callback_url(api_id=..., stage=..., region=...) "
            "for "
            "https://{api-id}.execute-api.{region}.amazonaws.com/{stage}, or a custom domain "
            "with its base path (https://ws.example.com/base-path); "
            "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI or the config file's endpoint_url work too"
        ),
    ),
}


def endpoint_template(service_id: str) -> EndpointTemplate | None:
    """The endpoint template of a service whose endpoint each user must give, if it is one."""
    return _ENDPOINT_TEMPLATES.get(service_id)
