"""Keeping secrets out of reprs, logs and error messages."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["REDACTED", "redact_secrets", "redacted_repr"]

REDACTED = "<redacted>"


def redacted_repr(value: object) -> str:
    """The ``repr`` of a sensitive attribute: whether it is set, never its value."""
    return "None" if value is None else REDACTED


def redact_secrets(text: str, secrets: Iterable[str], limit: int = 500) -> str:
    """``text`` (a message a service sent back) with every one of ``secrets`` replaced
    by ``<redacted>``, cut to ``limit`` characters.

    A service may echo what it was sent (a token it refuses, a key); replacing comes
    before cutting, so a secret cannot survive in part at the cut.
    """
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    if len(text) > limit:
        text = text[:limit] + "..."
    return text
