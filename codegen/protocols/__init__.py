"""Protocol generators: what differs between botocore protocols lives behind this interface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = [
    "ProtocolGenerator",
    "UnsupportedProtocolError",
    "event_stream_member",
    "protocol_for",
]


class UnsupportedProtocolError(Exception):
    """The model's protocol has no generator."""


class ProtocolGenerator(Protocol):
    """The protocol-specific part of generation."""

    name: str

    def wire_name(self, member: str, ref: Mapping[str, Any], location: str) -> str:
        """The name a member has on the wire at its location."""
        ...

    def operation_descriptor(
        self, name: str, operation: Mapping[str, Any], shapes: Mapping[str, Any]
    ) -> str:
        """The runtime ``Operation(...)`` call for an operation, as Python source."""
        ...


def protocol_for(metadata: Mapping[str, Any]) -> ProtocolGenerator:
    """The generator for a model's protocol (``metadata.protocols`` first, as botocore)."""
    from codegen.protocols.rest_json import RestJsonGenerator

    generators: dict[str, ProtocolGenerator] = {"rest-json": RestJsonGenerator()}
    candidates = [*(metadata.get("protocols") or []), metadata.get("protocol")]
    for candidate in candidates:
        if candidate in generators:
            return generators[candidate]
    raise UnsupportedProtocolError(
        f"protocol {metadata.get('protocol')!r} is not supported; supported: {sorted(generators)}"
    )


def event_stream_member(
    operation: Mapping[str, Any], direction: str, shapes: Mapping[str, Any]
) -> str | None:
    """The member of the operation's ``direction`` ("input"/"output") shape that is an event
    stream (a payload member targeting a shape marked ``eventstream``), or ``None``."""
    if direction not in operation:
        return None
    shape = shapes[operation[direction]["shape"]]
    payload = shape.get("payload")
    if payload is None:
        return None
    target = shapes[shape["members"][payload]["shape"]]
    return str(payload) if target.get("eventstream") else None
