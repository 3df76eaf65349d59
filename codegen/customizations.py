"""Per-service customizations: the one place where the generator knows a service by name.

A service here needs something its model does not say. Each entry is keyed by the model's
``metadata.serviceId``.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = [
    "EndpointTemplate",
    "default_headers",
    "endpoint_template",
    "not_secret_members",
    "sensitive_members",
]

_DEFAULT_HEADERS: Mapping[str, Mapping[str, str]] = {
    # API Gateway answers some operations (GetExport, GetSdk and errors) with other media
    # types unless the client asks for JSON; botocore adds this header by a handler too.
    "API Gateway": {"Accept": "application/json"},
}


def default_headers(service_id: str) -> Mapping[str, str]:
    """Headers sent on every request to the service, unless the call sets them itself."""
    return _DEFAULT_HEADERS.get(service_id, {})


_SENSITIVE_MEMBERS: Mapping[str, frozenset[tuple[str, str]]] = {
    # Secrets the API Gateway model does not mark sensitive. Every member of the model whose
    # name or documentation speaks of keys, secrets, tokens, credentials or certificates was
    # reviewed; what is not here is in _NOT_SECRET_MEMBERS below, with the reason.
    "API Gateway": frozenset(
        {
            # API key values: returned by GetApiKey(s) with includeValue(s), CreateApiKey,
            # CreateUsagePlanKey and GetUsagePlanKey(s); sent by CreateApiKey.
            ("ApiKey", "value"),
            ("CreateApiKeyRequest", "value"),
            ("UsagePlanKey", "value"),
            # The private key of an uploaded (deprecated, edge-optimized) domain certificate.
            ("CreateDomainNameRequest", "certificatePrivateKey"),
            # The CSV file of API keys (names and values) that ImportApiKeys uploads.
            ("ImportApiKeysRequest", "body"),
            # "This is where the incoming authorization token, or identity source, should be
            # specified" (the model's words): the bearer token the authorizer is tested with.
            ("TestInvokeAuthorizerRequest", "headers"),
            ("TestInvokeAuthorizerRequest", "multiValueHeaders"),
            # Reviewed and left visible, as their names do not look secret either:
            # TestInvokeMethodRequest.headers (a test invocation skips authorizers and API
            # keys, so it needs no token), TestInvokeAuthorizerRequest.pathWithQueryString
            # (the model puts the identity source in the headers), PatchOperation.value (no
            # patch path changes an API key value or a private key) and mapping expressions
            # such as Integration.requestParameters (readable by anyone who can read the API).
        }
    ),
}


def sensitive_members(service_id: str) -> frozenset[tuple[str, str]]:
    """``(shape, member)`` pairs whose values never appear in a ``repr``.

    They add to what the model marks ``sensitive`` itself (a sensitive shape, or a list or map
    of them, is redacted wherever a member refers to it; so is every member of a sensitive
    structure).
    """
    return _SENSITIVE_MEMBERS.get(service_id, frozenset())


# Members whose names look secret (tests/test_secret_members.py lists what it looks for: key,
# secret, token, password, credential, private, certificate body, PEM) but that carry none.
# The model itself settles the rest: members typed boolean, number, timestamp or enum, and
# pagination and idempotency tokens, need no entry. ``"*"`` as the shape matches the member
# in every shape of the service. Reviewed, with the reason, so that a new member that looks
# secret is a decision, not an accident.
_NOT_SECRET_MEMBERS: Mapping[str, Mapping[tuple[str, str], str]] = {
    "API Gateway": {
        ("*", "apiKey"): "the identifier of an API key (a URI label), not its value",
        ("*", "keyId"): "the identifier of an API key in a usage plan, not its value",
        ("*", "keyType"): "the kind of a usage plan key (API_KEY)",
        ("*", "stageKeys"): "`{restApiId}/{stageName}` names of the stages a key is for",
        ("*", "authorizerCredentials"): "the ARN of the IAM role the authorizer assumes",
        ("*", "credentials"): "the ARN of the IAM role (or caller identity) an integration uses",
        ("*", "cacheKeyParameters"): "names of the request parameters that form the cache key",
        ("*", "tagKeys"): "names of the tags to remove",
        ("Account", "apiKeyVersion"): "the version of the account's API key feature",
        ("ClientCertificate", "pemEncodedCertificate"): (
            "the public certificate a backend verifies API Gateway with; no private key"
        ),
        ("CreateDomainNameRequest", "certificateBody"): (
            "the public server certificate (its private key is certificatePrivateKey)"
        ),
        ("CreateDomainNameRequest", "certificateChain"): (
            "the public intermediate and root certificates"
        ),
    },
    # HTTP and WebSocket APIs (aioapigateway.v2): the model holds no secret at all (no API key
    # values, no private keys: certificates are ACM ARNs).
    "ApiGatewayV2": {
        ("*", "ApiKeySelectionExpression"): "where a WebSocket API reads the key, not the key",
        ("*", "ApiMappingKey"): "the base path of an API mapping",
        ("*", "AuthorizerCredentialsArn"): "the ARN of the IAM role the authorizer assumes",
        ("*", "CredentialsArn"): "the ARN of the IAM role an integration or import uses",
        ("*", "IntegrationResponseKey"): "the selection key of an integration response",
        ("*", "NextToken"): "a pagination token (also in shapes no paginator names)",
        ("*", "RequestParameterKey"): "the name of a route's request parameter",
        ("*", "RouteKey"): "a route's method and path, such as `GET /pets`",
        ("*", "RouteResponseKey"): "the selection key of a route response",
        ("*", "TagKeys"): "names of the tags to remove",
    },
}


def not_secret_members(service_id: str) -> Mapping[tuple[str, str], str]:
    """``(shape or "*", member)`` -> why a member whose name looks secret carries no secret."""
    return _NOT_SECRET_MEMBERS.get(service_id, {})


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
