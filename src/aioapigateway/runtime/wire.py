"""Logging of calls: one DEBUG line per attempt, and (on request) redacted wire dumps.

Loggers:

``aioapigateway``
    DEBUG: one line per attempt (operation, method, URL, status or failure, attempt
    number, duration, request id) and one per retry decision (the wait).
``aioapigateway.wire``
    DEBUG, only for clients made with ``ClientConfig(log_bodies=True)``: request and
    response headers and bodies.

Secrets never reach a log record: the values of the ``Authorization``,
``X-Amz-Security-Token``, ``x-api-key`` and cookie headers are replaced by
``<redacted>``; in JSON bodies, so are the values of every field named like a secret
(``value``, which holds API key values, private keys, passwords, tokens, secret keys, and
those header names, at any depth); bodies that are not JSON are shown only by their size.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, quote, urlsplit

from aioapigateway.runtime.redact import REDACTED

__all__ = ["logger", "redact_body", "redact_headers", "redact_url", "wire_logger"]

logger: Final = logging.getLogger("aioapigateway")
wire_logger: Final = logging.getLogger("aioapigateway.wire")

#: Header names (lower case) whose values are never logged.
SECRET_HEADERS: Final = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-amz-security-token",
        "x-api-key",
        "cookie",
        "set-cookie",
    }
)
#: JSON field and query names (lower case, without ``_``/``-``) whose values are never logged.
#: ``value`` is where API Gateway puts an API key's value (and patch operations' values,
#: redacted too: conservative by design).
SECRET_FIELDS: Final = frozenset(
    {
        "value",
        "values",
        "apikey",
        "xapikey",
        "authorization",
        "proxyauthorization",
        "certificateprivatekey",
        "privatekey",
        "password",
        "secret",
        "secretkey",
        "secretaccesskey",
        "clientsecret",
        "sessiontoken",
        "securitytoken",
        "xamzsecuritytoken",
        "token",
        "accesstoken",
        "idtoken",
        "refreshtoken",
        "cookie",
        "setcookie",
        "xamzsignature",
        "xamzcredential",
    }
)
_BODY_LIMIT = 4096


def _is_secret_name(name: str) -> bool:
    return name.lower().replace("_", "").replace("-", "") in SECRET_FIELDS


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """A copy of ``headers`` with secret values replaced (repeated names joined by ``, ``)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    shown: dict[str, str] = {}
    for name, value in items:
        text = REDACTED if name.lower() in SECRET_HEADERS else value
        shown[name] = f"{shown[name]}, {text}" if name in shown else text
    return shown


def redact_url(url: str) -> str:
    """``url`` with the values of secret-looking query parameters replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(_is_secret_name(key) for key, _ in pairs):
        return url
    query = "&".join(
        f"{quote(key, safe='')}={REDACTED if _is_secret_name(key) else quote(value, safe='')}"
        for key, value in pairs
    )
    return parts._replace(query=query).geturl()


def _redact_document(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if _is_secret_name(str(key)) else _redact_document(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_document(item) for item in value]
    return value


def redact_body(body: bytes) -> str:
    """A loggable rendering of a body: redacted JSON, else only its size."""
    if not body:
        return "<empty>"
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return f"<{len(body)} bytes, not JSON: not shown>"
    try:
        text = json.dumps(_redact_document(document), ensure_ascii=False)
    except (ValueError, RecursionError):
        return f"<{len(body)} bytes: not shown>"
    if len(text) > _BODY_LIMIT:
        text = text[:_BODY_LIMIT] + f"... ({len(body)} bytes)"
    return text


def log_attempt(
    operation: str,
    method: str,
    url: str,
    outcome: str,
    attempt: int,
    max_attempts: int,
    started: float,
    request_id: str | None,
) -> None:
    logger.debug(
        "%s %s %s -> %s (attempt %d/%d, %.1f ms, request id %s)",
        operation,
        method,
        redact_url(url),
        outcome,
        attempt,
        max_attempts,
        (time.monotonic() - started) * 1000,
        request_id,
    )


def log_request(method: str, url: str, headers: Mapping[str, str], body: bytes) -> None:
    wire_logger.debug(
        "request: %s %s headers=%s body=%s",
        method,
        redact_url(url),
        redact_headers(headers),
        redact_body(body),
    )


def log_response(
    status: int, headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes
) -> None:
    wire_logger.debug(
        "response: %d headers=%s body=%s",
        status,
        redact_headers(headers),
        redact_body(body),
    )
