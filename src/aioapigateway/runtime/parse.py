"""rest-json response and error parsing into model instances and error classes.

Per-shape parsing functions are built on first use. A structure is parsed by the checked
parser (a loop over the members, nothing to compile) until its :data:`COMPILE_AFTER`-th
use, and from then on by a function generated as Python source and compiled: compiling
costs about a millisecond per structure, which a client's first call (a cold start) would
otherwise pay for every structure its response holds. JSON ``null`` means absent, unknown
fields are ignored, an enum value the model does not know stays a plain ``str``, and a value
of the wrong JSON type raises ``ResponseParseError`` (never a raw ``json``/``TypeError``).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from aioapigateway.runtime.errors import ResponseParseError, ServiceError, request_id_of
from aioapigateway.runtime.shapes import (
    FLOAT_TYPES,
    INTEGER_TYPES,
    Member,
    Operation,
    Service,
    Shape,
)
from aioapigateway.runtime.timestamps import parse_timestamp

__all__ = ["ResponseParser"]

Parser = Callable[[Any], Any]

#: The use of a structure's parser at which its fast parser is compiled (the uses before go
#: through the checked parser, which gives the same results).
COMPILE_AFTER = 2

logger = logging.getLogger("aioapigateway")

_FLOAT_WORDS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
_MESSAGE_LIMIT = 2048


class _Bad(Exception):
    """A value of the wrong type; ``path`` is filled in on the way up."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


def _type_name(value: Any) -> str:
    return type(value).__name__


def _parse_str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected a string, got {_type_name(value)}")
    return value


def _parse_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        # Lenient like botocore: some servers (moto among them) send numbers as strings.
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _Bad(f"expected an integer, got {_type_name(value)} {value!r:.40}")


def _parse_float(value: Any) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            # JSON has no limit on integers; a double does.
            raise _Bad("expected a number, got an int out of the range of a double") from None
    if isinstance(value, str):
        if value in _FLOAT_WORDS:
            return _FLOAT_WORDS[value]
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise _Bad(f"expected a number, got {_type_name(value)} {value!r:.40}")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _Bad(f"expected a boolean, got {_type_name(value)} {value!r:.40}")


def _parse_timestamp(value: Any) -> Any:
    try:
        return parse_timestamp(value)
    except (ValueError, OverflowError, OSError) as exc:
        raise _Bad(str(exc)) from None


def _parse_str_list(value: Any) -> Any:
    """A list of strings: the decoded JSON list itself, once its elements are checked."""
    if value.__class__ is not list:
        raise _Bad(f"expected a list, got {_type_name(value)}")
    for item in value:
        if item is not None and item.__class__ is not str:
            raise _Bad(f"expected a string, got {_type_name(item)}")
    return value


def _parse_str_map(value: Any) -> Any:
    """A map of strings: the decoded JSON object itself, once its values are checked."""
    if value.__class__ is not dict:
        raise _Bad(f"expected an object, got {_type_name(value)}")
    for item in value.values():
        if item is not None and item.__class__ is not str:
            raise _Bad(f"expected a string, got {_type_name(item)}")
    return value


def _parse_blob(value: Any) -> bytes:
    if not isinstance(value, str):
        raise _Bad(f"expected base64 text, got {_type_name(value)}")
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise _Bad(f"invalid base64: {exc}") from None


def _parse_document(value: Any) -> Any:
    return value


_decode_json = json.JSONDecoder().decode


def _load_json(body: bytes) -> Any:
    # UTF-8, as the services send and botocore reads; skips json.loads's encoding sniffing.
    return _decode_json(body.decode())


class ResponseParser:
    """Turns HTTP responses into model instances and errors for one service."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._shapes = service.shapes
        self._parsers: dict[str, Parser] = {}
        self._plans: dict[str, tuple[Member | None, tuple[Member, ...]]] = {}
        # Output shapes read from the JSON body alone -> their parser.
        self._body_only: dict[str, Parser] = {}
        # Enum class name -> {wire value: member}, built on first use, shared by all parsers.
        self._enum_tables: dict[str, dict[str, Any]] = {}
        # Event-stream union -> {member name (:event-type / :exception-type): member}.
        self._stream_members: dict[str, dict[str, Member]] = {}

    # -- success ---------------------------------------------------------------------------

    def parse(self, op: Operation, status: int, headers: Mapping[str, str], body: bytes) -> Any:
        """The output model for a 2xx response (``None`` for an operation without output)."""
        if op.output is None:
            return None
        try:
            body_only = self._body_only.get(op.output)
            if body_only is not None:
                return body_only(_load_json(body) if body.strip() else {})
            return self._parse_structure_response(self._shapes[op.output], status, headers, body)
        except _Bad as exc:
            where = "".join(exc.path).lstrip(".") or "body"
            raise ResponseParseError(
                f"{op.name}: unexpected value at {where}: {exc.message}",
                status_code=status,
                body=body,
            ) from None
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ResponseParseError(
                f"{op.name}: the response body is not valid JSON ({exc})",
                status_code=status,
                body=body,
            ) from exc

    def _response_plan(self, shape: Shape) -> tuple[Member | None, tuple[Member, ...]]:
        """The payload member and the header/status members of an output shape (cached)."""
        plan = self._plans.get(shape.name)
        if plan is None:
            payload = next((m for m in shape.members if m.name == shape.payload), None)
            located = tuple(m for m in shape.members if m.location and m is not payload)
            plan = self._plans[shape.name] = (payload, located)
        return plan

    def _parse_structure_response(
        self, shape: Shape, status: int, headers: Mapping[str, str], body: bytes
    ) -> Any:
        payload_member, located = self._response_plan(shape)
        if payload_member is None and not located:
            # The common case: everything is in the JSON body; later calls go straight to
            # the structure's parser.
            parser = self._body_only[shape.name] = self._parser_for(shape.name)
            return parser(_load_json(body) if body.strip() else {})
        values = self._located_values(located, status, headers)
        if payload_member is not None:
            target = self._shapes[payload_member.shape]
            if target.type == "blob":
                # An empty body stays b"" (as botocore; the protocol suite wants it unset).
                values[payload_member.py_name] = body
            elif target.type == "string":
                values[payload_member.py_name] = body.decode("utf-8", "replace")
            elif target.union and not body.strip():
                # No union member can be set from nothing: the payload is absent.
                pass
            else:
                document = _load_json(body) if body.strip() else {}
                if target.type == "structure" or document is not None:
                    values[payload_member.py_name] = self._parser(payload_member)(document)
            return self._instantiate(shape, values)
        document = _load_json(body) if body.strip() else {}
        parsed = self._parser_for(shape.name)(document)
        for name, value in values.items():
            setattr(parsed, name, value)
        return parsed

    def _located_values(
        self, located: tuple[Member, ...], status: int, headers: Mapping[str, str]
    ) -> dict[str, Any]:
        """The header, prefixed-headers and status members of an output, by Python name."""
        values: dict[str, Any] = {}
        for member in located:
            location = member.location
            if location == "header":
                raw = headers.get(member.wire_name)
                if raw is not None:
                    try:
                        values[member.py_name] = self._header_value(member, raw)
                    except _Bad as exc:
                        exc.path.insert(0, f"header {member.wire_name}")
                        raise
            elif location == "headers":
                prefix = member.wire_name.lower()
                values[member.py_name] = {
                    name[len(prefix) :]: value
                    for name, value in headers.items()
                    if name.lower().startswith(prefix)
                }
            elif location == "statusCode":
                values[member.py_name] = status
        return values

    # -- event streams ---------------------------------------------------------------------------

    def parse_streaming(
        self, op: Operation, status: int, headers: Mapping[str, str], stream: Any
    ) -> Any:
        """The output model of an operation whose payload is an event stream: its header and
        status members from the response, its payload member set to ``stream``."""
        assert op.output is not None
        shape = self._shapes[op.output]
        payload_member, located = self._response_plan(shape)
        assert payload_member is not None
        try:
            values = self._located_values(located, status, headers)
        except _Bad as exc:
            where = "".join(exc.path).lstrip(".") or "headers"
            raise ResponseParseError(
                f"{op.name}: unexpected value at {where}: {exc.message}", status_code=status
            ) from None
        values[payload_member.py_name] = stream
        return self._instantiate(shape, values)

    def stream_shape(self, op: Operation) -> Shape:
        """The event-stream union of an operation's output (its payload member's shape)."""
        assert op.output is not None
        payload_member = self._response_plan(self._shapes[op.output])[0]
        assert payload_member is not None
        return self._shapes[payload_member.shape]

    def stream_event(
        self,
        stream: Shape,
        status: int,
        response_headers: Mapping[str, str],
        message: Any,
    ) -> Any:
        """One message of an event stream of ``stream`` (the union shape): the event's model
        instance, or ``None`` for a message to skip (an event type or message type the model
        does not know). An exception or error message raises its ``ServiceError``; a payload
        that does not parse raises ``ResponseParseError``.
        """
        headers = message.headers
        message_type = headers.get(":message-type")
        if message_type == "event":
            event_type = headers.get(":event-type")
            member = self._stream_member(stream, event_type)
            if member is None or self._shapes[member.shape].error_code is not None:
                logger.debug(
                    "%s: skipping an event of a type the model does not know: %.100r",
                    stream.name,
                    event_type,
                )
                return None
            try:
                return self._event(self._shapes[member.shape], headers, message.payload)
            except _Bad as exc:
                where = "".join(exc.path).lstrip(".") or "payload"
                raise ResponseParseError(
                    f"{stream.name}: event {event_type}: unexpected value at {where}: "
                    f"{exc.message}",
                    status_code=status,
                    body=message.payload,
                ) from None
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                raise ResponseParseError(
                    f"{stream.name}: event {event_type}: the payload cannot be read ({exc})",
                    status_code=status,
                    body=message.payload,
                ) from exc
        if message_type == "exception":
            raise self._stream_exception(stream, status, response_headers, message)
        if message_type == "error":
            raise ServiceError(
                _header_text(headers.get(":error-message")),
                code=_header_text(headers.get(":error-code")),
                status_code=status,
                request_id=request_id_of(response_headers),
                headers=response_headers,
                body=message.payload,
            )
        logger.debug("%s: skipping a message of unknown type %.100r", stream.name, message_type)
        return None

    def _stream_member(self, stream: Shape, name: Any) -> Member | None:
        members = self._stream_members.get(stream.name)
        if members is None:
            members = self._stream_members[stream.name] = {m.name: m for m in stream.members}
        return members.get(name) if isinstance(name, str) else None

    def _event(self, shape: Shape, headers: Mapping[str, Any], payload: bytes) -> Any:
        """An event's model instance: members from the message headers ("eventheader"), the
        payload member ("eventpayload") or, without one, the payload's JSON."""
        values: dict[str, Any] = {}
        payload_member: Member | None = None
        for member in shape.members:
            if member.location == "eventheader":
                raw = headers.get(member.wire_name)
                if raw is not None:
                    try:
                        values[member.py_name] = self._event_header_value(member, raw)
                    except _Bad as exc:
                        exc.path.insert(0, f"header {member.wire_name}")
                        raise
            elif member.location == "eventpayload":
                payload_member = member
        if payload_member is not None:
            target = self._shapes[payload_member.shape]
            if target.type == "blob":
                values[payload_member.py_name] = payload
            elif target.type == "string":
                values[payload_member.py_name] = payload.decode()
            else:
                document = _load_json(payload) if payload.strip() else {}
                if document is not None:
                    values[payload_member.py_name] = self._parser(payload_member)(document)
            return self._instantiate(shape, values)
        parsed = self._parser_for(shape.name)(_load_json(payload) if payload.strip() else {})
        for name, value in values.items():
            setattr(parsed, name, value)
        return parsed

    def _event_header_value(self, member: Member, raw: Any) -> Any:
        """A member from an event header: the decoder's typed value as the member's type (a
        timestamp header is a datetime already; epoch milliseconds are accepted too)."""
        kind = self._shapes[member.shape].type
        if kind == "timestamp":
            if isinstance(raw, datetime.datetime):
                return raw
            if isinstance(raw, int) and not isinstance(raw, bool):
                return _parse_timestamp(raw / 1000)
            return _parse_timestamp(raw)
        if kind == "blob":
            if isinstance(raw, bytes):
                return raw
            if isinstance(raw, str):
                return raw.encode()
            raise _Bad(f"expected bytes, got {_type_name(raw)}")
        if kind == "string" and isinstance(raw, uuid.UUID):
            return str(raw)
        return self._parser(member)(raw)

    def _stream_exception(
        self, stream: Shape, status: int, response_headers: Mapping[str, str], message: Any
    ) -> ServiceError:
        """The error of an ``exception`` message: the modeled class of the union member named
        by ``:exception-type`` (its code, as botocore's), else ``ServiceError``."""
        code = _header_text(message.headers.get(":exception-type"))
        payload: bytes = message.payload
        fields: Any = None
        if payload.strip():
            try:
                fields = json.loads(payload)
            except (ValueError, UnicodeDecodeError, RecursionError):
                fields = None
        if not isinstance(fields, dict):
            fields = {}
        raw_message = fields.get("message")
        if raw_message is None:
            raw_message = fields.get("Message")
        text = "" if raw_message is None else str(raw_message)
        cls: type[ServiceError] = ServiceError
        members: dict[str, Any] = {}
        member = self._stream_member(stream, code)
        error_shape = self._shapes[member.shape] if member is not None else None
        if error_shape is not None and error_shape.error_code is not None:
            cls = self._service.error_class(error_shape.cls_name or error_shape.name)
            members = self._error_members(error_shape, {}, fields)
        return cls(
            text,
            code=code,
            status_code=status,
            request_id=request_id_of(response_headers),
            headers=response_headers,
            body=payload,
            members=members,
        )

    def _instantiate(self, shape: Shape, values: dict[str, Any]) -> Any:
        cls = self._service.model_class(shape.cls_name or shape.name)
        return cls(**values)

    def _header_value(self, member: Member, raw: str) -> Any:
        target = self._shapes[member.shape]
        if member.json_value:
            try:
                return json.loads(base64.b64decode(raw))
            except (ValueError, binascii.Error) as exc:
                raise _Bad(f"invalid JSON value header: {exc}") from None
        if target.type == "list":
            assert target.member is not None
            element = Member(member.name, member.py_name, target.member)
            element.timestamp_format = member.timestamp_format
            parts = _split_header_list(raw)
            if self._is_http_date(element):
                parts = _pair_http_dates(parts)
            return [self._header_value(element, part) for part in parts]
        kind = target.type
        text = raw.strip()
        try:
            if kind in INTEGER_TYPES:
                return int(text)
            if kind in FLOAT_TYPES:
                return _FLOAT_WORDS.get(text) or float(text)
            if kind == "boolean":
                lowered = text.lower()
                if lowered not in ("true", "false"):
                    raise _Bad(f"expected true or false, got {text!r}")
                return lowered == "true"
        except ValueError:
            raise _Bad(f"expected a {kind}, got {text!r}") from None
        if kind == "timestamp":
            return _parse_timestamp(text)
        if kind == "blob":
            return _parse_blob(text)
        if target.enum is not None:
            return self._parser_for(target.name)(raw)
        return raw

    def _is_http_date(self, member: Member) -> bool:
        """A timestamp written as an HTTP date (``Mon, 16 Dec 2019 23:48:18 GMT``): the
        default for headers, so anything but the other two formats."""
        target = self._shapes[member.shape]
        if target.type != "timestamp":
            return False
        fmt = member.timestamp_format or target.timestamp_format
        return fmt not in ("iso8601", "unixTimestamp")

    # -- compiled body parsers -----------------------------------------------------------------

    def _parser(self, member: Member) -> Parser:
        return self._parser_for(member.shape)

    def _parser_for(self, name: str) -> Parser:
        parser = self._parsers.get(name)
        if parser is None:
            # Recursive shapes: a forwarder stands in while the real parser is compiled.
            def forward(value: Any) -> Any:
                return self._parsers[name](value)

            self._parsers[name] = forward
            parser = self._parsers[name] = self._compile(self._shapes[name])
        return parser

    def _compile(self, shape: Shape) -> Parser:
        kind = shape.type
        if kind == "string":
            if shape.enum is not None and shape.cls_name is not None:
                return self._enum_parser(shape)
            return _parse_str
        if kind in INTEGER_TYPES:
            return _parse_int
        if kind in FLOAT_TYPES:
            return _parse_float
        if kind == "boolean":
            return _parse_bool
        if kind == "timestamp":
            return _parse_timestamp
        if kind == "blob":
            return _parse_blob
        if kind == "document":
            return _parse_document
        if kind == "list":
            assert shape.member is not None
            if self._is_plain_string(shape.member):
                return _parse_str_list
            return self._list_parser(self._parser_for(shape.member))
        if kind == "map":
            assert shape.value is not None
            if self._is_plain_string(shape.value):
                return _parse_str_map
            return self._map_parser(self._parser_for(shape.value))
        if kind == "structure":
            return self._structure_parser(shape)
        raise TypeError(f"shape {shape.name}: unsupported type {kind}")

    def _enum_parser(self, shape: Shape) -> Parser:
        cls_name = shape.cls_name
        assert cls_name is not None
        known: dict[str, Any] | None = None  # looked up on first use: importing takes time

        def parse(value: Any) -> Any:
            nonlocal known
            if not isinstance(value, str):
                raise _Bad(f"expected a string, got {_type_name(value)}")
            if known is None:
                known = self._enum_table(cls_name)
            return known.get(value, value)

        return parse

    @staticmethod
    def _list_parser(element: Parser) -> Parser:
        def parse(value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise _Bad(f"expected a list, got {_type_name(value)}")
            result: list[Any] = []
            for index, item in enumerate(value):
                if item is None:
                    result.append(None)
                    continue
                try:
                    result.append(element(item))
                except _Bad as exc:
                    exc.path.insert(0, f"[{index}]")
                    raise
            return result

        return parse

    @staticmethod
    def _map_parser(element: Parser) -> Parser:
        def parse(value: Any) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _Bad(f"expected an object, got {_type_name(value)}")
            result: dict[str, Any] = {}
            for key, item in value.items():
                if item is None:
                    result[key] = None
                    continue
                try:
                    result[key] = element(item)
                except _Bad as exc:
                    exc.path.insert(0, f"[{key!r}]")
                    raise
            return result

        return parse

    def _is_plain_string(self, name: str) -> bool:
        shape = self._shapes[name]
        return shape.type == "string" and shape.enum is None

    def _structure_parser(self, shape: Shape) -> Parser:
        cls = self._service.model_class(shape.cls_name or shape.name)
        checked = self._checked_structure_parser(shape, cls)
        tiered = _Tiered(checked)

        def compile_fast() -> Parser:
            fast = _compile_structure(shape, cls, checked, self._field_kind)
            # Where this structure's parser is looked up from now on gets the fast one.
            if self._parsers.get(shape.name) is tiered:
                self._parsers[shape.name] = fast
            if self._body_only.get(shape.name) is tiered:
                self._body_only[shape.name] = fast
            return fast

        tiered.compile = compile_fast
        return tiered

    def _field_kind(self, member: Member) -> tuple[str, Any]:
        """How the fast parser handles a member: an inline check, or a parser to call.

        Enum tables and the parsers of nested shapes come as zero-argument factories: the
        compiled parser builds them when a response first carries the member, so a first
        call imports and compiles only what its response holds.
        """
        target = self._shapes[member.shape]
        kind = target.type
        if kind == "string":
            if target.enum is not None and target.cls_name is not None:
                return "enum", partial(self._enum_table, target.cls_name)
            return "str", None
        if kind in INTEGER_TYPES:
            return "exact", (int, _parse_int)
        if kind in FLOAT_TYPES:
            return "exact", (float, _parse_float)
        if kind == "boolean":
            return "exact", (bool, _parse_bool)
        if kind == "timestamp":
            return "timestamp", _parse_timestamp
        if kind == "list" and target.member is not None:
            element = self._shapes[target.member]
            if element.type == "string" and element.enum is not None and element.cls_name:
                return "enum_list", partial(self._enum_table, element.cls_name)
            if self._is_plain_string(target.member):
                return "str_list", None
            if element.type == "structure":
                return "list", partial(self._parser_for, target.member)
        if kind == "map" and target.value is not None and self._is_plain_string(target.value):
            return "str_map", None
        return "call", partial(self._parser_for, member.shape)

    def _enum_table(self, cls_name: str) -> dict[str, Any]:
        """Wire value -> member of the generated enum ``cls_name`` (one table per enum)."""
        table = self._enum_tables.get(cls_name)
        if table is None:
            enum_cls = self._service.model_class(cls_name)
            table = self._enum_tables[cls_name] = {m.value: m for m in enum_cls}
        return table

    def _checked_structure_parser(self, shape: Shape, cls: Any) -> Parser:
        """The reference parser: slower, and it names the path of a bad value."""
        # Only body members; header and status members are filled in by the caller.
        # Built on first use; a member's parser is looked up when a value first needs it,
        # so a first response builds (and imports) only what it holds.
        fields: dict[str, tuple[str, str]] = {}
        parsers = self._parsers

        def parse(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _Bad(f"expected an object, got {_type_name(value)}")
            if not fields:
                fields.update(
                    (m.wire_name, (m.py_name, m.shape)) for m in shape.members if not m.location
                )
            kwargs = {}
            for key, item in value.items():
                field = fields.get(key)
                if field is None or item is None:
                    continue
                member_parser = parsers.get(field[1]) or self._parser_for(field[1])
                try:
                    kwargs[field[0]] = member_parser(item)
                except _Bad as exc:
                    exc.path.insert(0, f".{field[0]}")
                    raise
            return cls(**kwargs)

        return parse

    # -- errors ------------------------------------------------------------------------------------

    def parse_error(self, status: int, headers: Mapping[str, str], body: bytes) -> ServiceError:
        """The ``ServiceError`` (or modeled subclass) for an error response.

        The code comes from ``x-amzn-ErrorType``, else the body's ``code``/``Code``, else its
        ``__type``, else the status; namespaces (``ns#Code``) and URIs (``Code:http...``) are
        stripped. An unparsable body still gives a ``ServiceError`` with the raw body.
        """
        document: Any = None
        if body.strip():
            try:
                document = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                document = None
        if not isinstance(document, dict):
            fields: dict[str, Any] = {}
            message = body[:_MESSAGE_LIMIT].decode("utf-8", "replace").strip()
        else:
            fields = document
            raw_message = fields.get("message")
            if raw_message is None:
                raw_message = fields.get("Message")
            if raw_message is None:
                message = ""
            else:
                message = raw_message if isinstance(raw_message, str) else str(raw_message)
        raw_code = headers.get("x-amzn-ErrorType")
        if not raw_code:
            candidate = fields.get("code", fields.get("Code"))
            if candidate is None:
                candidate = fields.get("__type")
            raw_code = candidate if isinstance(candidate, str) and candidate else None
        code = _normalize_code(raw_code) if raw_code else str(status)
        request_id = request_id_of(headers)
        error_shape = self._service.error_shape(code)
        cls: type[ServiceError] = ServiceError
        members: dict[str, Any] = {}
        if error_shape is not None:
            cls = self._service.error_class(error_shape.cls_name or error_shape.name)
            members = self._error_members(error_shape, headers, fields)
        return cls(
            message,
            code=code,
            status_code=status,
            request_id=request_id,
            headers=headers,
            body=body,
            members=members,
        )

    def _error_members(
        self, shape: Shape, headers: Mapping[str, str], fields: Mapping[str, Any]
    ) -> dict[str, Any]:
        members: dict[str, Any] = {}
        for member in shape.members:
            try:
                if member.location == "header":
                    raw = headers.get(member.wire_name)
                    if raw is not None:
                        members[member.py_name] = self._header_value(member, raw)
                elif not member.location:
                    value = fields.get(member.wire_name)
                    if value is not None:
                        members[member.py_name] = self._parser(member)(value)
            except _Bad:
                # A malformed extra member must not hide the error itself.
                continue
        return members


def _header_text(value: Any) -> str:
    """An event-stream header as text (``""`` when absent)."""
    return "" if value is None else str(value)


def _normalize_code(raw: str) -> str:
    """``aws.protocoltests#FooError:http://...`` -> ``FooError``."""
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()


def _split_header_list(raw: str) -> list[str]:
    """Split a comma-separated header, honouring double-quoted elements."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for char in raw:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part] if raw.strip() else []


def _pair_http_dates(parts: list[str]) -> list[str]:
    """Rejoin HTTP dates split at every comma of a header list: each date holds one comma,
    after the weekday, so a bare weekday (``Mon``) joins the element after it. (A date sent
    quoted was not split and stays whole.)"""
    joined: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if part.isalpha() and len(part) == 3 and index + 1 < len(parts):
            joined.append(f"{part}, {parts[index + 1]}")
            index += 2
        else:
            joined.append(part)
            index += 1
    return joined


class _Tiered:
    """A structure's parser: the checked parser for the first uses, then the compiled one.

    ``compile`` (set by the owner) builds the fast parser and updates the owner's tables;
    ``sites`` are the compiled parsers' globals that hold this object (filled in by
    :class:`_Deferred`), rewritten to the fast parser so that they skip this hop.
    """

    __slots__ = ("_checked", "_fast", "_uses", "compile", "sites")

    def __init__(self, checked: Parser) -> None:
        self._checked = checked
        self._fast: Parser | None = None
        self._uses = 0
        self.compile: Callable[[], Parser] | None = None
        self.sites: list[tuple[dict[str, Any], str]] = []

    def __call__(self, value: Any) -> Any:
        fast = self._fast
        if fast is not None:
            return fast(value)
        self._uses += 1
        if self._uses < COMPILE_AFTER or self.compile is None:
            return self._checked(value)
        fast = self._fast = self.compile()
        for namespace, key in self.sites:
            namespace[key] = fast
        self.sites.clear()
        return fast(value)


class _Deferred:
    """Stands in for an enum table or a nested parser in a compiled parser's globals until
    a response first needs it; then builds it, puts it in its place and answers."""

    __slots__ = ("_key", "_make", "_namespace")

    def __init__(self, namespace: dict[str, Any], key: str, make: Callable[[], Any]) -> None:
        self._namespace = namespace
        self._key = key
        self._make = make

    def _install(self) -> Any:
        value = self._namespace[self._key] = self._make()
        if isinstance(value, _Tiered):
            if value._fast is not None:
                value = self._namespace[self._key] = value._fast
            else:
                value.sites.append((self._namespace, self._key))
        return value

    def __call__(self, value: Any) -> Any:  # a nested parser
        return self._install()(value)

    def get(self, key: Any, default: Any = None) -> Any:  # an enum table
        return self._install().get(key, default)


def _compile_structure(
    shape: Shape,
    cls: Any,
    checked: Parser,
    field_kind: Callable[[Member], tuple[str, Any]],
) -> Parser:
    """A parser for one structure, generated as Python source and compiled once.

    Strings, numbers, booleans and enums are checked inline and epoch timestamps converted
    in C; anything unusual (a wrong type, a number sent as a string) falls back to the
    checked parser, which coerces like botocore or raises with the path of the bad value.
    """
    namespace: dict[str, Any] = {
        "_cls": cls,
        "_new": object.__new__,
        "_checked": checked,
        "_Bad": _Bad,
        "_dict": dict,
        "_str": str,
        "_fromts": datetime.datetime.fromtimestamp,
        "_UTC": datetime.UTC,
        "_int": int,
        "_float": float,
        "_list": list,
    }
    lines = [
        "def parse(d):",
        "    if d.__class__ is not _dict:",
        "        return _checked(d)",
        "    try:",
        "        get = d.get",
        "        o = _new(_cls)",
    ]
    for index, member in enumerate(shape.members):
        name = member.py_name
        if member.location:
            # Header, status and payload members: set by the caller, absent from the body.
            lines.append(f"        o.{name} = None")
            continue
        kind, extra = field_kind(member)
        lines.append(f"        v = get({member.wire_name!r})")
        if kind == "str":
            # Present values first: most string members of a response are there.
            lines.append("        if v.__class__ is not _str and v is not None:")
            lines.append("            raise _Bad('')")
        elif kind == "enum":
            namespace[f"_k{index}"] = _Deferred(namespace, f"_k{index}", extra)
            lines.append("        if v is not None:")
            lines.append("            if v.__class__ is not _str:")
            lines.append("                raise _Bad('')")
            lines.append(f"            v = _k{index}.get(v, v)")
        elif kind == "exact":
            exact, coerce = extra
            namespace[f"_t{index}"] = exact
            namespace[f"_p{index}"] = coerce
            lines.append(f"        if v is not None and v.__class__ is not _t{index}:")
            lines.append(f"            v = _p{index}(v)")
        elif kind == "enum_list":
            # Lists are checked inline; a bad element falls back to the checked parser.
            # Known values become members, others stay as they are and must be str (an
            # unhashable one makes .get raise TypeError: the fallback too).
            namespace[f"_k{index}"] = _Deferred(namespace, f"_k{index}", extra)
            lines.append("        if v is not None:")
            lines.append("            if v.__class__ is not _list:")
            lines.append("                raise _Bad('')")
            lines.append("            r = []")
            lines.append("            for x in v:")
            lines.append(f"                y = _k{index}.get(x)")
            lines.append("                if y is None:")
            lines.append("                    if x is not None and x.__class__ is not _str:")
            lines.append("                        raise _Bad('')")
            lines.append("                    y = x")
            lines.append("                r.append(y)")
            lines.append("            v = r")
        elif kind in ("str_list", "str_map"):
            # The decoded JSON list or object itself, once its elements are checked.
            container, items = ("_list", "v") if kind == "str_list" else ("_dict", "v.values()")
            lines.append("        if v is not None:")
            lines.append(f"            if v.__class__ is not {container}:")
            lines.append("                raise _Bad('')")
            lines.append(f"            for x in {items}:")
            lines.append("                if x is not None and x.__class__ is not _str:")
            lines.append("                    raise _Bad('')")
        elif kind == "list":
            namespace[f"_p{index}"] = _Deferred(namespace, f"_p{index}", extra)
            lines.append("        if v is not None:")
            lines.append("            if v.__class__ is not _list:")
            lines.append("                raise _Bad('')")
            lines.append(f"            v = [x if x is None else _p{index}(x) for x in v]")
        elif kind == "timestamp":
            namespace[f"_p{index}"] = extra
            lines.append("        if v is not None:")
            lines.append("            c = v.__class__")
            lines.append(
                f"            v = _fromts(v, _UTC) if c is _int or c is _float else _p{index}(v)"
            )
        else:
            namespace[f"_p{index}"] = _Deferred(namespace, f"_p{index}", extra)
            lines.append("        if v is not None:")
            lines.append(f"            v = _p{index}(v)")
        lines.append(f"        o.{name} = v")
    lines += [
        "    except Exception:",
        "        return _checked(d)",
        "    return o",
    ]
    exec(compile("\n".join(lines), f"<parser {shape.name}>", "exec"), namespace)
    parser: Parser = namespace["parse"]
    return parser
