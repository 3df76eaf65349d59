"""Endpoint URLs built from a template, for services whose endpoint each user has their own.

A generated package of such a service exposes a thin function (``callback_url(...)``) that
forwards its keyword arguments here. Every label is checked before it is put in the URL: a
label in the host must be one DNS label, a label in the path one plain path segment.
``{dns_suffix}`` is the DNS suffix of the partition of the ``region`` label.
"""

from __future__ import annotations

import re
from typing import Final

from aioapigateway.runtime.errors import ParamValidationError

__all__ = ["endpoint_from_template"]

_LABEL: Final = re.compile(r"\{(\w+)\}")
# RFC 1123: letters, digits and hyphens, 1-63 characters, no hyphen at either end.
_HOST_LABEL: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# RFC 3986 unreserved characters, plus "$" (API Gateway's "$default" stage).
_PATH_SEGMENT: Final = re.compile(r"[A-Za-z0-9._~$-]+")


def endpoint_from_template(template: str, /, **labels: object) -> str:
    """Fill ``template``'s ``{label}`` placeholders with checked values.

    Raises:
        ParamValidationError: a label that is not a string, or cannot appear where the
            template puts it.
    """
    path_start = template.index("/", template.index("://") + 3)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "dns_suffix":
            return _dns_suffix(labels.get("region"))
        value = labels[name]
        if match.start() < path_start:
            return _host_label(name, value)
        return _path_segment(name, value)

    return _LABEL.sub(fill, template)


def _host_label(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ParamValidationError(f"{name} must be a str, not {type(value).__name__}")
    if not _HOST_LABEL.fullmatch(value):
        raise ParamValidationError(
            f"{name} must be one DNS label (letters, digits and inner hyphens, at most "
            f"63 characters), got {value!r}"
        )
    return value


def _path_segment(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ParamValidationError(f"{name} must be a str, not {type(value).__name__}")
    if not _PATH_SEGMENT.fullmatch(value) or value in (".", ".."):
        raise ParamValidationError(
            f"{name} must be one path segment (letters, digits, '-', '_', '.', '~', '$'), "
            f"got {value!r}"
        )
    return value


def _dns_suffix(region: object) -> str:
    # The partition table is imported on first use, never at import.
    from aioapigateway.runtime.endpoints.rules import _fn_partition

    region = _host_label("region", region)
    partition = _fn_partition(region)
    if partition is None:  # pragma: no cover - the table always has the "aws" partition
        raise ParamValidationError(f"no partition for region {region!r}")
    return str(partition["dnsSuffix"])
