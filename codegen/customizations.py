"""Per-service customizations: the one place where the generator knows a service by name.

A service here needs something its model does not say. Each entry is keyed by the model's
``metadata.serviceId``.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["default_headers", "sensitive_members"]

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
