"""Reading a botocore model, its paginators and its endpoint rules from disk."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import attrs

__all__ = ["ModelFiles", "ModelPaths", "load_json", "load_model_files"]


@attrs.frozen
class ModelPaths:
    """The files one generation reads, as given (generated headers name them)."""

    model: Path
    paginators: Path | None = None
    endpoint_rules: Path | None = None


@attrs.frozen
class ModelFiles:
    """The parsed JSON documents one generation reads."""

    service: dict[str, Any]
    paginators: dict[str, Any]
    endpoint_rules: dict[str, Any] | None
    #: Where they were read from; ``None`` for documents built in memory.
    paths: ModelPaths | None = None


def load_json(path: Path) -> dict[str, Any]:
    """Parse a JSON file, transparently un-gzipping ``*.gz`` (botocore ships its data gzipped)."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object at the top level")
    return data


def load_model_files(
    model: Path, paginators: Path | None, endpoint_rules: Path | None
) -> ModelFiles:
    """Load the service model and the optional paginator and endpoint-rule files."""
    return ModelFiles(
        service=load_json(model),
        paginators=load_json(paginators).get("pagination", {}) if paginators else {},
        endpoint_rules=load_json(endpoint_rules) if endpoint_rules else None,
        paths=ModelPaths(model, paginators, endpoint_rules),
    )
