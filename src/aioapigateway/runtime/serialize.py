"""rest-json request serialization, with the parameter validation done in the same pass.

For each operation a plan is compiled on first use from the model descriptors: where each
argument goes (URI label, query, header, header map, JSON body or payload) and a converter
that checks the value against its shape and turns it into its wire form. Nothing is sent
until the whole request is built, so every ``ParamValidationError`` comes before any byte.

Every value that reaches the wire is checked here, so that nothing the standard library
does later (percent-encoding, UTF-8 encoding of headers and bodies, ``str`` of an
integer) can fail on it: strings must be valid Unicode (no lone surrogate), integers must
fit their type, timestamps may be anything botocore accepts (see
:func:`aioapigateway.runtime.timestamps.timestamp_input`).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import math
import re
import sys
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from aioapigateway.runtime.errors import ParamValidationError
from aioapigateway.runtime.shapes import (
    FLOAT_TYPES,
    INTEGER_TYPES,
    Member,
    Operation,
    Service,
    Shape,
)
from aioapigateway.runtime.timestamps import timestamp_formatter, timestamp_input

__all__ = ["PreparedRequest", "RequestSerializer", "query_string"]

Converter = Callable[[Any], Any]

_FLOAT_MAX = sys.float_info.max

_HOST_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
# A lone surrogate has no UTF-8 form: str.encode, quote and aiohttp all fail on one.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Smithy's ranges of the integer types; beyond them a value is not that type (and a huge
# int cannot even be turned into text: str() refuses more than 4300 digits).
_INTEGER_RANGES = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}


class _NoValue(str):
    """The empty value of a query key written without ``=`` in the model's request URI
    (``/x?hello``): it goes on the wire as a bare key, and is signed as ``hello=``."""

    __slots__ = ()


_NO_VALUE = _NoValue()


def query_string(query: list[tuple[str, str]]) -> str:
    """The percent-encoded query string of decoded ``(key, value)`` pairs (no ``?``)."""
    return "&".join(
        [
            _query_quote(key)
            if value.__class__ is _NoValue
            else f"{_query_quote(key)}={_query_quote(value)}"
            for key, value in query
        ]
    )


def _query_quote(text: str) -> str:
    # Only RFC 3986's unreserved characters stay literal. Most keys and values ("limit",
    # "25", ids) are ASCII letters and digits, which quote() returns unchanged, slowly.
    if text.isascii() and text.isalnum():
        return text
    return quote(text, safe="-_.~")


class _Invalid(Exception):
    """A value failed its shape; ``path`` is filled in on the way up."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


class PreparedRequest:
    """A serialized request, before endpoint, defaults and signing are applied."""

    __slots__ = ("body", "headers", "host_prefix", "method", "path", "query")

    def __init__(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
        host_prefix: str | None,
    ) -> None:
        self.method = method
        #: Percent-encoded, as it goes on the wire.
        self.path = path
        #: Decoded pairs, in order.
        self.query = query
        self.headers = headers
        self.body = body
        self.host_prefix = host_prefix


def _float_wire(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _float_text(value: float) -> str:
    wire = _float_wire(float(value))
    return wire if isinstance(wire, str) else repr(wire)


def _type_name(value: Any) -> str:
    return type(value).__name__


class _OperationPlan:
    """How one operation's arguments become a request."""

    __slots__ = (
        "const_query",
        "fields",
        "has_body_members",
        "host_labels",
        "host_prefix",
        "op",
        "payload",
        "payload_kind",
        "uri_segments",
    )

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.fields: list[tuple[Member, str, Any]] = []
        self.payload: Member | None = None
        self.payload_kind = ""
        self.has_body_members = False
        self.host_prefix = op.host_prefix
        #: Model member name -> argument name, for the host prefix's labels.
        self.host_labels: dict[str, str] = {}
        path, _, query = op.request_uri.partition("?")
        self.const_query: list[tuple[str, str]] = []
        for pair in query.split("&") if query else ():
            key, equals, value = pair.partition("=")
            self.const_query.append((key, value if equals else _NO_VALUE))
        # Literal text alternating with (label, greedy) slots.
        self.uri_segments: list[str | tuple[str, bool]] = []
        for index, part in enumerate(split_uri_labels(path)):
            if index % 2:
                greedy = part.endswith("+")
                self.uri_segments.append((part.rstrip("+"), greedy))
            elif part:
                self.uri_segments.append(part)


def split_uri_labels(path: str) -> list[str]:
    """``path`` split at its ``{label}`` slots: literal text at even indexes, the labels
    (without braces) at odd ones, as ``re.split`` with the pattern ``\\{([^}]+)\\}`` gives.

    Written out because compiling that pattern is a sizeable part of a client's first call.
    """
    parts: list[str] = []
    start = 0
    opening = path.find("{")
    while opening != -1:
        closing = path.find("}", opening + 1)
        if closing == -1:
            break
        if closing == opening + 1:  # "{}" is no slot: the search goes on after its "{"
            opening = path.find("{", opening + 1)
            continue
        parts.append(path[start:opening])
        parts.append(path[opening + 1 : closing])
        start = closing + 1
        opening = path.find("{", start)
    parts.append(path[start:])
    return parts


class RequestSerializer:
    """Builds :class:`PreparedRequest` objects for one service."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._shapes = service.shapes
        self._converters: dict[str, Converter] = {}
        self._plans: dict[str, _OperationPlan] = {}

    # -- public ------------------------------------------------------------------------

    def serialize(self, op: Operation, params: Mapping[str, Any]) -> PreparedRequest:
        """The request for ``op`` with ``params`` (keyed by Python argument names).

        Raises ``ParamValidationError`` for any invalid value.
        """
        plan = self._plans.get(op.name)
        if plan is None:
            plan = self._plans[op.name] = self._compile(op)
        try:
            return self._build(plan, params)
        except _Invalid as exc:
            where = "".join(exc.path).lstrip(".")
            subject = f"parameter {where}" if where else "input"
            raise ParamValidationError(f"{op.name}: invalid {subject}: {exc.message}") from None
        except RecursionError:
            # A document nested thousands deep, or a model instance that contains itself.
            raise ParamValidationError(
                f"{op.name}: invalid input: values nested too deeply (or a reference cycle)"
            ) from None

    # -- compilation ---------------------------------------------------------------------

    def _compile(self, op: Operation) -> _OperationPlan:
        plan = _OperationPlan(op)
        if op.input is None:
            return plan
        shape = self._shapes[op.input]
        plan.host_labels = {m.name: m.py_name for m in shape.members if m.host_label}
        for member in shape.members:
            target = self._shapes[member.shape]
            location = member.location
            if member.name == shape.payload:
                plan.payload = member
                if target.type in ("blob", "string"):
                    plan.payload_kind = "raw"
                    convert = self._raw_payload_converter(target)
                else:
                    plan.payload_kind = "json"
                    convert = self._converter(member)
                plan.fields.append((member, "payload", convert))
            elif location == "uri":
                plan.fields.append((member, "uri", self._scalar_text(member, "iso8601")))
            elif location == "querystring":
                # A query-string map's entries yield to modeled query members.
                where = "query_map" if target.type == "map" else "query"
                plan.fields.append((member, where, self._query_converter(member)))
            elif location == "header":
                plan.fields.append((member, "header", self._header_converter(member)))
            elif location == "headers":
                plan.fields.append((member, "headers", self._header_map_converter(member)))
            elif location == "":
                plan.has_body_members = True
                plan.fields.append((member, "body", self._converter(member)))
            else:
                # statusCode and other response-only locations never go in a request.
                continue
        return plan

    def _converter(self, member: Member) -> Converter:
        """Body (JSON) converter for a member, honouring its timestamp format."""
        target = self._shapes[member.shape]
        if target.type == "timestamp":
            fmt = member.timestamp_format or target.timestamp_format or "unixTimestamp"
            return self._timestamp_converter(fmt)
        return self._shape_converter(member.shape)

    def _shape_converter(self, name: str) -> Converter:
        converter = self._converters.get(name)
        if converter is None:
            # Recursive shapes: install a forwarder before compiling the real converter.
            def forward(value: Any) -> Any:
                return self._converters[name](value)

            self._converters[name] = forward
            converter = self._converters[name] = self._build_converter(self._shapes[name])
        return converter

    def _build_converter(self, shape: Shape) -> Converter:
        kind = shape.type
        if kind == "string":
            return self._string_converter(shape)
        if kind in INTEGER_TYPES:
            return self._integer_converter(shape)
        if kind in FLOAT_TYPES:
            return self._float_converter(shape)
        if kind == "boolean":
            return _check_bool
        if kind == "timestamp":
            return self._timestamp_converter(shape.timestamp_format or "unixTimestamp")
        if kind == "blob":
            return self._blob_converter(shape)
        if kind == "document":
            return _check_document
        if kind == "list":
            return self._list_converter(shape)
        if kind == "map":
            return self._map_converter(shape)
        if kind == "structure":
            return self._structure_converter(shape)
        raise TypeError(f"shape {shape.name}: unsupported type {kind}")

    @staticmethod
    def _length_check(shape: Shape, what: str) -> Callable[[int], None] | None:
        low, high = shape.min, shape.max
        if low is None and high is None:
            return None

        def check(length: int) -> None:
            if low is not None and length < low:
                raise _Invalid(f"{what} length {length} is below the minimum of {low:g}")
            if high is not None and length > high:
                raise _Invalid(f"{what} length {length} is above the maximum of {high:g}")

        return check

    def _string_converter(self, shape: Shape) -> Converter:
        length_check = self._length_check(shape, "string")

        def convert(value: Any) -> Any:
            if not isinstance(value, str):
                raise _Invalid(f"expected str, got {_type_name(value)}")
            if not value.isascii():
                _check_unicode(value)
            if length_check is not None:
                length_check(len(value))
            return value

        return convert

    def _integer_converter(self, shape: Shape) -> Converter:
        low, high = shape.min, shape.max
        kind = shape.type
        type_low, type_high = _INTEGER_RANGES.get(kind, _INTEGER_RANGES["long"])

        def convert(value: Any) -> Any:
            if not isinstance(value, int) or isinstance(value, bool):
                raise _Invalid(f"expected int, got {_type_name(value)}")
            if not type_low <= value <= type_high:
                # The value itself is not shown: it may be too long to print.
                raise _Invalid(f"out of range for {kind} ({type_low} to {type_high})")
            if low is not None and value < low:
                raise _Invalid(f"{value} is below the minimum of {low:g}")
            if high is not None and value > high:
                raise _Invalid(f"{value} is above the maximum of {high:g}")
            return value

        return convert

    def _float_converter(self, shape: Shape) -> Converter:
        low, high = shape.min, shape.max

        def convert(value: Any) -> Any:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise _Invalid(f"expected float, got {_type_name(value)}")
            if not isinstance(value, float) and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
                raise _Invalid("int out of range for a floating-point number")
            if low is not None and value < low:
                raise _Invalid(f"{value} is below the minimum of {low:g}")
            if high is not None and value > high:
                raise _Invalid(f"{value} is above the maximum of {high:g}")
            return _float_wire(float(value)) if isinstance(value, float) else value

        return convert

    @staticmethod
    def _timestamp_converter(fmt: str, *, whole_seconds: bool = False) -> Converter:
        """``whole_seconds``: drop microseconds first, as botocore does for headers."""
        formatter = timestamp_formatter(fmt)

        def convert(value: Any) -> Any:
            moment = value if isinstance(value, datetime.datetime) else _timestamp(value)
            if whole_seconds and moment.microsecond:
                moment = moment.replace(microsecond=0)
            return formatter(moment)

        return convert

    def _blob_converter(self, shape: Shape) -> Converter:
        length_check = self._length_check(shape, "blob")

        def convert(value: Any) -> Any:
            raw = _blob_bytes(value)
            if length_check is not None:
                length_check(len(raw))
            return base64.b64encode(raw).decode("ascii")

        return convert

    def _list_converter(self, shape: Shape) -> Converter:
        assert shape.member is not None
        item = self._shape_converter(shape.member)
        length_check = self._length_check(shape, "list")
        sparse = shape.sparse

        def convert(value: Any) -> Any:
            if not isinstance(value, list | tuple):
                raise _Invalid(f"expected list, got {_type_name(value)}")
            if length_check is not None:
                length_check(len(value))
            result: list[Any] = []
            for index, element in enumerate(value):
                if element is None:
                    if sparse:
                        result.append(None)
                        continue
                    exc = _Invalid("None is not allowed in this list")
                    exc.path.append(f"[{index}]")
                    raise exc
                try:
                    result.append(item(element))
                except _Invalid as exc:
                    exc.path.insert(0, f"[{index}]")
                    raise
            return result

        return convert

    def _map_converter(self, shape: Shape) -> Converter:
        assert shape.key is not None and shape.value is not None
        key_check = self._shape_converter(shape.key)
        item = self._shape_converter(shape.value)
        length_check = self._length_check(shape, "map")
        sparse = shape.sparse

        def convert(value: Any) -> Any:
            if not isinstance(value, Mapping):
                raise _Invalid(f"expected dict, got {_type_name(value)}")
            if length_check is not None:
                length_check(len(value))
            result: dict[str, Any] = {}
            for key, element in value.items():
                try:
                    key_check(key)
                    if element is None:
                        if not sparse:
                            raise _Invalid("None is not allowed as a map value")
                        result[key] = None
                    else:
                        result[key] = item(element)
                except _Invalid as exc:
                    exc.path.insert(0, f"[{key!r}]")
                    raise
            return result

        return convert

    def _structure_converter(self, shape: Shape) -> Converter:
        service = self._service
        cls_name = shape.cls_name or shape.name
        members = [(m.py_name, m.wire_name, m.required, self._converter(m)) for m in shape.members]
        union = shape.union

        def convert(value: Any) -> Any:
            cls = service.model_class(cls_name)
            if not isinstance(value, cls):
                raise _Invalid(f"expected models.{cls_name}, got {_type_name(value)}")
            result: dict[str, Any] = {}
            for py_name, wire_name, required, member_converter in members:
                member_value = getattr(value, py_name)
                if member_value is None:
                    if required:
                        exc = _Invalid("required member is missing")
                        exc.path.append(f".{py_name}")
                        raise exc
                    continue
                try:
                    result[wire_name] = member_converter(member_value)
                except _Invalid as exc:
                    exc.path.insert(0, f".{py_name}")
                    raise
            if union and len(result) != 1:
                raise _Invalid(
                    f"exactly one member of union models.{cls_name} must be set, got {len(result)}"
                )
            return result

        return convert

    def _raw_payload_converter(self, shape: Shape) -> Converter:
        """A blob or string payload is the body itself: bytes, never base64."""
        length_check = self._length_check(shape, shape.type)
        is_string = shape.type == "string"

        def convert(value: Any) -> bytes:
            if is_string and not isinstance(value, str):
                raise _Invalid(f"expected str, got {_type_name(value)}")
            raw = _blob_bytes(value)
            if length_check is not None:
                length_check(len(value) if is_string else len(raw))
            return raw

        return convert

    # -- non-body locations --------------------------------------------------------------------

    def _scalar_text(self, member: Member, default_ts: str, *, header: bool = False) -> Converter:
        """Text of a scalar for a URI label, a query value or (``header``) a header."""
        target = self._shapes[member.shape]
        kind = target.type
        if kind == "boolean":
            return lambda value: "true" if _check_bool(value) else "false"
        if kind == "timestamp":
            fmt = member.timestamp_format or target.timestamp_format or default_ts
            check = self._timestamp_converter(fmt, whole_seconds=header)
            return lambda value: str(check(value))
        if kind in FLOAT_TYPES:
            check = self._float_converter(target)
            return lambda value: _float_text(check(value))
        if kind in INTEGER_TYPES:
            check = self._integer_converter(target)
            return lambda value: str(check(value))
        if kind == "string":
            return self._string_converter(target)
        if kind == "blob":
            check = self._blob_converter(target)
            return check
        raise TypeError(f"member {member.name}: a {kind} cannot be a URI label or query value")

    def _query_converter(self, member: Member) -> Converter:
        target = self._shapes[member.shape]
        if target.type == "list":
            assert target.member is not None
            element = Member(member.name, member.py_name, target.member)
            element.timestamp_format = member.timestamp_format
            text = self._scalar_text(element, "iso8601")
            length_check = self._length_check(target, "list")

            def convert_list(value: Any) -> list[tuple[str, str]]:
                if not isinstance(value, list | tuple):
                    raise _Invalid(f"expected list, got {_type_name(value)}")
                if length_check is not None:
                    length_check(len(value))
                return [(member.wire_name, text(item)) for item in value]

            return convert_list
        if target.type == "map":
            assert target.value is not None
            value_shape = self._shapes[target.value]
            value_text: Converter
            if value_shape.type == "list":
                assert value_shape.member is not None
                value_text = self._scalar_text(
                    Member(member.name, member.py_name, value_shape.member), "iso8601"
                )
                multi = True
            else:
                value_text = self._scalar_text(
                    Member(member.name, member.py_name, target.value), "iso8601"
                )
                multi = False

            def convert_map(value: Any) -> list[tuple[str, str]]:
                if not isinstance(value, Mapping):
                    raise _Invalid(f"expected dict, got {_type_name(value)}")
                pairs: list[tuple[str, str]] = []
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise _Invalid(f"map keys must be str, got {_type_name(key)}")
                    if not key.isascii():
                        _check_unicode(key)
                    if multi:
                        if not isinstance(item, list | tuple):
                            raise _Invalid(f"expected a list for {key!r}")
                        pairs.extend((key, value_text(v)) for v in item)
                    else:
                        pairs.append((key, value_text(item)))
                return pairs

            return convert_map
        text = self._scalar_text(member, "iso8601")
        return lambda value: [(member.wire_name, text(value))]

    def _header_converter(self, member: Member) -> Converter:
        target = self._shapes[member.shape]
        if member.json_value:
            document = _check_document

            def convert_json(value: Any) -> str:
                encoded = json.dumps(document(value), separators=(",", ":"))
                return base64.b64encode(encoded.encode()).decode("ascii")

            return convert_json
        if target.type == "list":
            assert target.member is not None
            element_shape = self._shapes[target.member]
            element = Member(member.name, member.py_name, target.member)
            element.timestamp_format = member.timestamp_format
            text = self._scalar_text(element, "rfc822", header=True)
            quote_strings = element_shape.type == "string"

            def convert_list(value: Any) -> str:
                if not isinstance(value, list | tuple):
                    raise _Invalid(f"expected list, got {_type_name(value)}")
                parts = []
                for item in value:
                    if item is None:
                        continue
                    part = _header_safe(text(item))
                    if quote_strings and ('"' in part or "," in part):
                        part = '"' + part.replace('"', '\\"') + '"'
                    parts.append(part)
                return ",".join(parts)

            return convert_list
        text = self._scalar_text(member, "rfc822", header=True)
        return lambda value: _header_safe(str(text(value)))

    def _header_map_converter(self, member: Member) -> Converter:
        prefix = member.wire_name

        def convert(value: Any) -> list[tuple[str, str]]:
            if not isinstance(value, Mapping):
                raise _Invalid(f"expected dict, got {_type_name(value)}")
            pairs: list[tuple[str, str]] = []
            for key, item in value.items():
                if not isinstance(key, str) or not isinstance(item, str):
                    raise _Invalid("header map keys and values must be str")
                for text in (key, item):
                    if not text.isascii():
                        _check_unicode(text)
                pairs.append((_header_safe(prefix + key), _header_safe(item)))
            return pairs

        return convert

    # -- building ------------------------------------------------------------------------------

    def _build(self, plan: _OperationPlan, params: Mapping[str, Any]) -> PreparedRequest:
        labels: dict[str, str] = {}
        query: list[tuple[str, str]] = list(plan.const_query)
        map_query: list[tuple[str, str]] = []
        headers: dict[str, str] = {}
        body_fields: dict[str, Any] = {}
        payload_value: Any = None
        for member, where, convert in plan.fields:
            value = params.get(member.py_name)
            if value is None:
                if member.idempotency_token:
                    value = str(uuid.uuid4())
                elif member.required:
                    exc = _Invalid("required argument is None")
                    exc.path.append(member.py_name)
                    raise exc
                else:
                    continue
            try:
                if where == "body":
                    body_fields[member.wire_name] = convert(value)
                elif where == "uri":
                    text = convert(value)
                    if text == "":
                        raise _Invalid("a URI label cannot be empty")
                    labels[member.wire_name] = text
                elif where == "query":
                    query.extend(convert(value))
                elif where == "query_map":
                    map_query.extend(convert(value))
                elif where == "header":
                    if isinstance(value, list | tuple) and not value:
                        continue
                    headers[member.wire_name] = convert(value)
                elif where == "headers":
                    headers.update(convert(value))
                else:
                    payload_value = convert(value)
            except _Invalid as exc:
                exc.path.insert(0, member.py_name)
                raise
        if map_query:
            # Modeled query members win over entries of a query-string map.
            modeled = {key for key, _ in query}
            query.extend(pair for pair in map_query if pair[0] not in modeled)
        path = self._render_path(plan, labels)
        body = self._body(plan, body_fields, payload_value, headers)
        host_prefix = None
        if plan.host_prefix is not None:
            host_prefix = self._render_host_prefix(plan, params)
        if plan.op.checksum_required and "Content-MD5" not in headers:
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        return PreparedRequest(plan.op.http_method, path, query, headers, body, host_prefix)

    @staticmethod
    def _render_path(plan: _OperationPlan, labels: Mapping[str, str]) -> str:
        parts = []
        for segment in plan.uri_segments:
            if isinstance(segment, str):
                parts.append(segment)
                continue
            name, greedy = segment
            value = labels.get(name)
            if value is None:
                raise _Invalid(f"the URI label {{{name}}} needs a value")
            # Letters and digits alone (most ids) need no quoting.
            if value.isascii() and value.isalnum():
                parts.append(value)
            else:
                parts.append(quote(value, safe="/~" if greedy else "~"))
        return "".join(parts)

    @staticmethod
    def _body(
        plan: _OperationPlan,
        fields: dict[str, Any],
        payload_value: Any,
        headers: dict[str, str],
    ) -> bytes:
        if plan.payload is not None:
            if plan.payload_kind == "raw":
                return b"" if payload_value is None else bytes(payload_value)
            body = b"{}" if payload_value is None else _dump(payload_value)
        elif fields:
            body = _dump(fields)
        elif plan.has_body_members:
            body = b"{}"
        else:
            return b""
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
        return body

    @staticmethod
    def _render_host_prefix(plan: _OperationPlan, params: Mapping[str, Any]) -> str:
        assert plan.host_prefix is not None
        names = plan.host_labels

        def label(match: re.Match[str]) -> str:
            name = match.group(1)
            value = params.get(names.get(name, name))
            if not isinstance(value, str) or not _HOST_LABEL.match(value):
                raise _Invalid(f"{value!r} is not a valid host label for {{{name}}}")
            return value

        return re.sub(r"\{([^}]+)\}", label, plan.host_prefix)


def _dump(value: Any) -> bytes:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise _Invalid(f"value cannot be written as JSON: {exc}") from None


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected bool, got {_type_name(value)}")
    return value


def _blob_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        if not value.isascii():
            _check_unicode(value)
        return value.encode()
    raise _Invalid(f"expected bytes, got {_type_name(value)}")


def _check_unicode(text: str) -> None:
    """Raise ``_Invalid`` if ``text`` holds a lone surrogate (it has no UTF-8 form).

    Called for non-ASCII strings only: ``str.isascii`` is constant-time, this is not.
    """
    found = _SURROGATE.search(text)
    if found is not None:
        raise _Invalid(
            f"a lone surrogate {found.group()!r} at index {found.start()} cannot be "
            "encoded as UTF-8 (strings must be valid Unicode)"
        )


def _timestamp(value: Any) -> datetime.datetime:
    try:
        return timestamp_input(value)
    except ValueError:
        shown = f" {value!r:.40}" if isinstance(value, str) else ""
        raise _Invalid(
            "expected a timestamp (datetime.datetime, epoch seconds, or an ISO 8601 or "
            f"HTTP date string), got {_type_name(value)}{shown}"
        ) from None


def _check_document(value: Any) -> Any:
    """Any JSON value: None, bool, int, float (finite), str, list and str-keyed dict."""
    if isinstance(value, str):
        if not value.isascii():
            _check_unicode(value)
        return value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -_FLOAT_MAX <= value <= _FLOAT_MAX:
            # No JSON reader takes such a number (and str() refuses over 4300 digits).
            raise _Invalid("a document cannot hold an int out of the range of a double")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid("a document cannot hold NaN or Infinity")
        return value
    if isinstance(value, list | tuple):
        return [_check_document(item) for item in value]
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Invalid(f"document keys must be str, got {_type_name(key)}")
            if not key.isascii():
                _check_unicode(key)
            result[key] = _check_document(item)
        return result
    raise _Invalid(f"a document holds JSON values, not {_type_name(value)}")


def _header_safe(text: str) -> str:
    if "\r" in text or "\n" in text:
        raise _Invalid("header values cannot contain CR or LF")
    return text
