"""Python names for model names.

Operation and member names follow botocore's ``xform_name`` rule so that method and argument
names match boto3's; the rule is restated here from its documented behaviour.
"""

from __future__ import annotations

import builtins
import keyword
import re

__all__ = [
    "client_class_name",
    "enum_member_name",
    "module_name",
    "safe_identifier",
    "snake_case",
]

# Irregular names the rule would split wrongly (lower-case letters inside an acronym);
# these are the names boto3 exposes for them.
_IRREGULAR = {
    "AssociateWhatsAppBusinessAccount": "associate_whatsapp_business_account",
    "CreateCachediSCSIVolume": "create_cached_iscsi_volume",
    "CreateOAuth2Token": "create_oauth2_token",
    "CreateOAuth2TokenWithIAM": "create_oauth2_token_with_iam",
    "CreateStorediSCSIVolume": "create_stored_iscsi_volume",
    "CreateWhatsAppDataset": "create_whatsapp_dataset",
    "CreateWhatsAppFlow": "create_whatsapp_flow",
    "CreateWhatsAppMessageTemplate": "create_whatsapp_message_template",
    "CreateWhatsAppMessageTemplateFromLibrary": "create_whatsapp_message_template_from_library",
    "CreateWhatsAppMessageTemplateMedia": "create_whatsapp_message_template_media",
    "DeleteWhatsAppFlow": "delete_whatsapp_flow",
    "DeleteWhatsAppMessageMedia": "delete_whatsapp_message_media",
    "DeleteWhatsAppMessageTemplate": "delete_whatsapp_message_template",
    "DeprecateWhatsAppFlow": "deprecate_whatsapp_flow",
    "DescribeCachediSCSIVolumes": "describe_cached_iscsi_volumes",
    "DescribeStorediSCSIVolumes": "describe_stored_iscsi_volumes",
    "DisassociateWhatsAppBusinessAccount": "disassociate_whatsapp_business_account",
    "ExecutePartiQLBatch": "execute_partiql_batch",
    "ExecutePartiQLStatement": "execute_partiql_statement",
    "ExecutePartiQLTransaction": "execute_partiql_transaction",
    "GetLinkedWhatsAppBusinessAccount": "get_linked_whatsapp_business_account",
    "GetLinkedWhatsAppBusinessAccountPhoneNumber": "get_linked_whatsapp_business_account_phone_number",
    "GetOTelEnrichment": "get_otel_enrichment",
    "GetWhatsAppBusinessPublicKey": "get_whatsapp_business_public_key",
    "GetWhatsAppCallPermission": "get_whatsapp_call_permission",
    "GetWhatsAppFlow": "get_whatsapp_flow",
    "GetWhatsAppFlowPreview": "get_whatsapp_flow_preview",
    "GetWhatsAppMessageMedia": "get_whatsapp_message_media",
    "GetWhatsAppMessageTemplate": "get_whatsapp_message_template",
    "IntrospectOAuth2TokenWithIAM": "introspect_oauth2_token_with_iam",
    "ListHITsForQualificationType": "list_hits_for_qualification_type",
    "ListLinkedWhatsAppBusinessAccounts": "list_linked_whatsapp_business_accounts",
    "ListWhatsAppFlowAssets": "list_whatsapp_flow_assets",
    "ListWhatsAppFlows": "list_whatsapp_flows",
    "ListWhatsAppMessageTemplates": "list_whatsapp_message_templates",
    "ListWhatsAppTemplateLibrary": "list_whatsapp_template_library",
    "PostWhatsAppMessageMedia": "post_whatsapp_message_media",
    "PublishWhatsAppFlow": "publish_whatsapp_flow",
    "PutWhatsAppBusinessAccountEventDestinations": "put_whatsapp_business_account_event_destinations",
    "PutWhatsAppBusinessPublicKey": "put_whatsapp_business_public_key",
    "RevokeOAuth2TokenWithIAM": "revoke_oauth2_token_with_iam",
    "SendWhatsAppCallEvent": "send_whatsapp_call_event",
    "SendWhatsAppConversionEvent": "send_whatsapp_conversion_event",
    "SendWhatsAppMessage": "send_whatsapp_message",
    "StartOTelEnrichment": "start_otel_enrichment",
    "StopOTelEnrichment": "stop_otel_enrichment",
    "UpdateLinkedWhatsAppBusinessAccountPhoneNumber": "update_linked_whatsapp_business_account_phone_number",
    "UpdateOTelEnrichment": "update_otel_enrichment",
    "UpdateWhatsAppFlow": "update_whatsapp_flow",
    "UpdateWhatsAppFlowAssets": "update_whatsapp_flow_assets",
    "UpdateWhatsAppMessageTemplate": "update_whatsapp_message_template",
}

# A capital followed by lower-case letters starts a word ("RestApi" -> "Rest_Api").
_WORD_START = re.compile(r"(.)([A-Z][a-z]+)")
# A capital after a lower-case letter or digit starts a word ("apiV2" -> "api_V2").
_CAMEL_HUMP = re.compile(r"([a-z0-9])([A-Z])")
# A pluralised acronym at the end stays one word ("GatewayARNs" -> "gateway_arns").
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s$")


def snake_case(name: str) -> str:
    """``GetRestApis`` -> ``get_rest_apis``; names already holding ``_`` are kept as they are."""
    if "_" in name:
        return name
    irregular = _IRREGULAR.get(name)
    if irregular is not None:
        return irregular
    plural = _PLURAL_ACRONYM.search(name)
    if plural is not None:
        name = name[: plural.start()] + "_" + plural.group().lower()
    return _CAMEL_HUMP.sub(r"\1_\2", _WORD_START.sub(r"\1_\2", name)).lower()


# Hard keywords only: soft keywords (match, case, type, _) are valid names in every Python,
# and the result must not depend on the interpreter that runs the generator. "self" would
# collide with the method receiver when a member becomes an argument.
_RESERVED = frozenset(keyword.kwlist) | {"self"}


def safe_identifier(name: str) -> str:
    """A Python identifier for ``name``: keywords get a trailing ``_`` (``from`` -> ``from_``)."""
    cleaned = re.sub(r"\W", "_", name)
    if not cleaned or cleaned[0].isdigit():
        cleaned = "_" + cleaned
    if cleaned in _RESERVED:
        cleaned += "_"
    return cleaned


def is_builtin(name: str) -> bool:
    """Whether ``name`` shadows a builtin (a problem for module-level names only)."""
    return hasattr(builtins, name)


def enum_member_name(value: str) -> str:
    """The enum member name for a value: upper-cased, other runs become ``_``, digits prefixed.

    ``HTTP_PROXY`` -> ``HTTP_PROXY``, ``0.5`` -> ``_0_5``, ``application/json`` -> ``APPLICATION_JSON``.
    """
    name = re.sub(r"[^A-Za-z0-9]+", "_", value).upper()
    if not name:
        name = "_"
    if name[0].isdigit():
        name = "_" + name
    return name


def module_name(shape_name: str) -> str:
    """A private module name for a shape: ``RestApi`` -> ``_rest_api``."""
    return "_" + re.sub(r"\W", "_", snake_case(shape_name)).lower()


def client_class_name(service_id: str) -> str:
    """The client class for a ``serviceId``: its words joined, then ``Client``.

    A word in one case is capitalized (``API Gateway`` -> ``ApiGatewayClient``); a word in
    mixed case keeps its inner capitals, which already mark its parts
    (``ApiGatewayV2`` -> ``ApiGatewayV2Client``, not ``Apigatewayv2Client``).
    """
    words = re.split(r"[^A-Za-z0-9]+", service_id)
    stems = [
        w.capitalize() if w.isupper() or w.islower() else w[0].upper() + w[1:] for w in words if w
    ]
    return safe_identifier("".join(stems) + "Client")
