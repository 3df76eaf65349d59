"""Keeping secrets out of reprs and logs."""

from __future__ import annotations

__all__ = ["REDACTED", "redacted_repr"]

REDACTED = "<redacted>"


def redacted_repr(value: object) -> str:
    """The ``repr`` of a sensitive attribute: whether it is set, never its value."""
    return "None" if value is None else REDACTED
