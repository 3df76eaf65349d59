"""The rest-json protocol: HTTP bindings from the model, JSON bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from codegen.naming import safe_identifier, snake_case
from codegen.protocols import event_stream_member

__all__ = ["RestJsonGenerator"]


class RestJsonGenerator:
    """Generation rules of botocore's ``rest-json`` protocol."""

    name = "rest-json"

    def wire_name(self, member: str, ref: Mapping[str, Any], location: str) -> str:
        if location:
            return str(ref.get("locationName", member))
        # In a JSON body, jsonName wins over locationName.
        return str(ref.get("jsonName", ref.get("locationName", member)))

    def operation_descriptor(
        self, name: str, operation: Mapping[str, Any], shapes: Mapping[str, Any]
    ) -> str:
        http = operation["http"]
        args = [repr(name), repr(http.get("method", "POST")), repr(http["requestUri"])]
        if "input" in operation:
            args.append(f"input={operation['input']['shape']!r}")
        if "output" in operation:
            args.append(f"output={operation['output']['shape']!r}")
        errors = tuple(error["shape"] for error in operation.get("errors", ()))
        if errors:
            args.append(f"errors={errors!r}")
        host_prefix = operation.get("endpoint", {}).get("hostPrefix")
        if host_prefix:
            args.append(f"host_prefix={host_prefix!r}")
        if operation.get("httpChecksumRequired") or operation.get("httpChecksum", {}).get(
            "requestChecksumRequired"
        ):
            args.append("checksum_required=True")
        encodings = tuple(operation.get("requestcompression", {}).get("encodings", ()))
        if encodings:
            args.append(f"request_compression={encodings!r}")
        if operation.get("authtype") == "none" or operation.get("auth") == ["smithy.api#noAuth"]:
            args.append("unsigned=True")
        endpoint_params = _endpoint_params(operation, shapes)
        if endpoint_params:
            args.append(f"endpoint_params={endpoint_params!r}")
        # An input stream wins: such an operation cannot be made, whatever its output.
        for direction in ("input", "output"):
            if event_stream_member(operation, direction, shapes) is not None:
                args.append(f"event_stream={direction!r}")
                break
        return f"Operation({', '.join(args)})"


def _endpoint_params(
    operation: Mapping[str, Any], shapes: Mapping[str, Any]
) -> tuple[tuple[str, str, Any], ...]:
    """Endpoint rule parameters bound by the operation: constants, then input members."""

    params: list[tuple[str, str, Any]] = [
        (param, "value", spec["value"])
        for param, spec in sorted(operation.get("staticContextParams", {}).items())
    ]
    if "input" in operation:
        members = shapes[operation["input"]["shape"]].get("members", {})
        for member, ref in members.items():
            context = ref.get("contextParam")
            if context:
                params.append((context["name"], "member", safe_identifier(snake_case(member))))
    return tuple(params)
