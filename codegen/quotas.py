"""The fixed control-plane quotas of a service (``codegen/quotas.json``), as pacing data.

The quotas are data, not code: ``quotas.json`` holds them with their source and the date
they were read. This module turns one service's entry into the ``PACING`` table of its
``_spec.py``: operation name -> the token buckets ``(name, rate per second, burst)`` one
call takes a token from, and ``"*"`` for every operation not listed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["QUOTAS_FILE", "Bucket", "pacing_table", "render_pacing"]

QUOTAS_FILE = Path(__file__).with_name("quotas.json")

#: ``(bucket name, tokens per second, burst)``.
Bucket = tuple[str, float, float]


def _bucket(name: str, entry: Mapping[str, Any]) -> Bucket:
    requests, per_seconds = entry["requests"], entry["per_seconds"]
    # A quota of n requests every t seconds lets n go at once (a token bucket of n).
    burst = entry.get("burst", requests)
    for field, value in (("requests", requests), ("per_seconds", per_seconds), ("burst", burst)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"quota {name!r}: {field} must be a positive number, got {value!r}")
    return (str(entry.get("bucket", name)), requests / per_seconds, float(burst))


def pacing_table(
    service_id: str, operations: Mapping[str, Any], path: Path = QUOTAS_FILE
) -> dict[str, tuple[Bucket, ...]] | None:
    """The pacing table of ``service_id``, or ``None`` when the file has no entry for it.

    Raises ``ValueError`` for a quota of an operation the model does not have (a typo would
    otherwise silently pace nothing) or a figure that is not a positive number.
    """
    services = json.loads(path.read_text(encoding="utf-8"))["services"]
    entry = services.get(service_id)
    if entry is None:
        return None
    total = _bucket("total", entry["total"])
    table: dict[str, tuple[Bucket, ...]] = {"*": (total,)}
    for name, quota in sorted(entry["operations"].items()):
        if name not in operations:
            raise ValueError(f"{path.name}: {service_id} has no operation {name!r}")
        table[name] = (_bucket(name, quota), total)
    return table


def render_pacing(table: Mapping[str, tuple[Bucket, ...]] | None) -> str | None:
    """``table`` as the Python literal the spec template writes (``None`` stays ``None``)."""
    if table is None:
        return None
    lines = [f"    {name!r}: {buckets!r}," for name, buckets in table.items()]
    return "{\n" + "\n".join(lines) + "\n}"
