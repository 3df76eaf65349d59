"""Descriptors of a service model: what generated code declares and the runtime executes.

A generated package holds a ``_spec`` module that builds one :class:`Service` out of these
descriptors; the serializer, the parser and the validator compile per-shape functions from
them on first use.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

__all__ = [
    "FLOAT_TYPES",
    "INTEGER_TYPES",
    "LazyTable",
    "Member",
    "Operation",
    "Paginator",
    "Service",
    "Shape",
    "blob",
    "boolean",
    "build_member",
    "build_operation",
    "build_paginator",
    "build_shape",
    "document",
    "enum",
    "list_of",
    "map_of",
    "number",
    "string",
    "structure",
    "timestamp",
]

_V = TypeVar("_V")

#: botocore type names of whole and of floating-point numbers.
INTEGER_TYPES = frozenset({"integer", "long", "short", "byte"})
FLOAT_TYPES = frozenset({"float", "double"})


class Member:
    """A structure member: where it goes on the wire and under which names."""

    __slots__ = (
        "host_label",
        "idempotency_token",
        "json_value",
        "location",
        "name",
        "py_name",
        "required",
        "shape",
        "timestamp_format",
        "wire_name",
    )

    def __init__(
        self,
        name: str,
        py_name: str,
        shape: str,
        location: str = "",
        wire_name: str | None = None,
        *,
        required: bool = False,
        timestamp_format: str | None = None,
        idempotency_token: bool = False,
        host_label: bool = False,
        json_value: bool = False,
    ) -> None:
        self.name = name
        self.py_name = py_name
        self.shape = shape
        #: "" (body), "uri", "querystring", "header", "headers" or "statusCode".
        self.location = location
        self.wire_name = wire_name if wire_name is not None else name
        self.required = required
        self.timestamp_format = timestamp_format
        self.idempotency_token = idempotency_token
        self.host_label = host_label
        self.json_value = json_value

    def __repr__(self) -> str:
        return f"Member({self.name!r} -> {self.shape!r}, location={self.location!r})"


class Shape:
    """A model shape. ``type`` is the botocore type name, or ``document``."""

    __slots__ = (
        "cls_name",
        "enum",
        "error_code",
        "error_status",
        "key",
        "max",
        "member",
        "members",
        "min",
        "name",
        "payload",
        "sensitive",
        "sparse",
        "timestamp_format",
        "type",
        "union",
        "value",
    )

    def __init__(
        self,
        name: str,
        type: str,
        *,
        members: tuple[Member, ...] = (),
        member: str | None = None,
        key: str | None = None,
        value: str | None = None,
        enum: tuple[str, ...] | None = None,
        min: float | None = None,
        max: float | None = None,
        timestamp_format: str | None = None,
        payload: str | None = None,
        union: bool = False,
        cls_name: str | None = None,
        error_code: str | None = None,
        error_status: int | None = None,
        sensitive: bool = False,
        sparse: bool = False,
    ) -> None:
        self.name = name
        self.type = type
        self.members = members
        self.member = member
        self.key = key
        self.value = value
        self.enum = enum
        self.min = min
        self.max = max
        self.timestamp_format = timestamp_format
        self.payload = payload
        self.union = union
        self.cls_name = cls_name
        self.error_code = error_code
        self.error_status = error_status
        self.sensitive = sensitive
        self.sparse = sparse

    def __repr__(self) -> str:
        return f"Shape({self.name!r}, {self.type!r})"


class PackedData(Mapping[str, str]):
    """A generated ``_spec`` module's descriptor data, packed: name -> the descriptor's JSON
    text.

    The names are one string (separated by spaces) and the descriptors one ``bytes``, with
    the offset where each starts (and where the last ends): three constants. Loading a
    module's constants costs per object, interned names most (each one hashed into the
    interpreter's table), so a model's few hundred names and descriptors as separate
    strings cost a client's first call about 0.3 ms more to import. The name index is
    built on first use.
    """

    __slots__ = ("_blob", "_index", "_names", "_offsets")

    def __init__(self, names: str, blob: bytes, offsets: tuple[int, ...]) -> None:
        self._names = names
        self._blob = blob
        self._offsets = offsets
        self._index: dict[str, int] | None = None

    def _positions(self) -> dict[str, int]:
        index = self._index
        if index is None:
            names = self._names.split(" ") if self._names else []
            if len(names) != len(self._offsets) - 1:
                raise ValueError(f"{len(names)} names for {len(self._offsets) - 1} descriptors")
            index = self._index = {name: position for position, name in enumerate(names)}
        return index

    def __getitem__(self, name: str) -> str:
        position = self._positions()[name]
        # As str: json.loads would otherwise first detect the bytes' encoding, in Python.
        return self._blob[self._offsets[position] : self._offsets[position + 1]].decode("ascii")

    def __contains__(self, name: object) -> bool:
        return name in self._positions()

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions())

    def __len__(self) -> int:
        return len(self._offsets) - 1


class LazyTable(dict[str, _V]):
    """A table of descriptors by name (shapes, operations, paginators), each built from its
    constant data the first time it is looked up.

    A generated ``_spec`` module declares each descriptor as JSON (``codegen/spec_data.py``;
    packed, :class:`PackedData`), which ``build(name, data)`` turns into the descriptor:
    a large model's descriptors written as calls, or as functions making them, cost a
    client's first call milliseconds to load and run, and the call needs a handful.
    Lookups of a built descriptor are dict lookups (the serializer and the parser do some
    per call). ``in``, ``get``, ``len`` and iteration see the whole table; iterating
    builds every entry, in the table's order.
    """

    __slots__ = ("_build", "_data")

    def __init__(self, data: Mapping[str, Any], build: Callable[[str, Any], _V]) -> None:
        super().__init__()
        # Packed data is the generated module's own, read-only; anything else is copied.
        self._data: Mapping[str, Any] = data if isinstance(data, PackedData) else dict(data)
        self._build = build

    def __missing__(self, name: str) -> _V:
        data = self._data.get(name)
        if data is None:
            raise KeyError(name)
        value = self._build(name, data)
        dict.__setitem__(self, name, value)
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __len__(self) -> int:
        return len(self._data)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self._data else default

    def _complete(self) -> None:
        """Build every entry not yet built, and order them as the table does."""
        if dict.__len__(self) != len(self._data):
            ordered = {name: self[name] for name in self._data}
            dict.clear(self)
            dict.update(self, ordered)

    def __iter__(self) -> Iterator[str]:
        self._complete()
        return dict.__iter__(self)

    def keys(self) -> dict_keys[str, _V]:
        self._complete()
        return dict.keys(self)

    def values(self) -> dict_values[str, _V]:
        self._complete()
        return dict.values(self)

    def items(self) -> dict_items[str, _V]:
        self._complete()
        return dict.items(self)

    def __repr__(self) -> str:
        return f"<LazyTable: {len(self._data)} entries, {dict.__len__(self)} built>"


def structure(
    name: str,
    members: tuple[Member, ...],
    *,
    cls_name: str,
    payload: str | None = None,
    union: bool = False,
    error_code: str | None = None,
    error_status: int | None = None,
    sensitive: bool = False,
) -> Shape:
    """A structure (or a union) whose values are instances of ``models.<cls_name>``."""
    return Shape(
        name,
        "structure",
        members=members,
        payload=payload,
        union=union,
        cls_name=cls_name,
        error_code=error_code,
        error_status=error_status,
        sensitive=sensitive,
    )


def string(
    name: str,
    *,
    min: float | None = None,
    max: float | None = None,
    sensitive: bool = False,
) -> Shape:
    """A string."""
    return Shape(name, "string", min=min, max=max, sensitive=sensitive)


def enum(name: str, values: tuple[str, ...], *, cls_name: str, sensitive: bool = False) -> Shape:
    """A string restricted to ``values``; unknown values from the service stay plain strings."""
    return Shape(name, "string", enum=values, cls_name=cls_name, sensitive=sensitive)


def number(
    name: str,
    type: str,
    *,
    min: float | None = None,
    max: float | None = None,
) -> Shape:
    """An integer, long, short, byte, float or double."""
    return Shape(name, type, min=min, max=max)


def boolean(name: str) -> Shape:
    """A boolean."""
    return Shape(name, "boolean")


def timestamp(name: str, *, timestamp_format: str | None = None) -> Shape:
    """A timestamp; ``timestamp_format`` overrides the location's default format."""
    return Shape(name, "timestamp", timestamp_format=timestamp_format)


def blob(
    name: str,
    *,
    min: float | None = None,
    max: float | None = None,
    sensitive: bool = False,
) -> Shape:
    """Bytes (base64 in a JSON body, raw as a payload)."""
    return Shape(name, "blob", min=min, max=max, sensitive=sensitive)


def document(name: str) -> Shape:
    """Any JSON value."""
    return Shape(name, "document")


def list_of(
    name: str,
    member: str,
    *,
    min: float | None = None,
    max: float | None = None,
    sparse: bool = False,
) -> Shape:
    """A list of ``member`` shapes."""
    return Shape(name, "list", member=member, min=min, max=max, sparse=sparse)


def map_of(
    name: str,
    key: str,
    value: str,
    *,
    min: float | None = None,
    max: float | None = None,
    sparse: bool = False,
) -> Shape:
    """A map from ``key`` (a string shape) to ``value`` shapes."""
    return Shape(name, "map", key=key, value=value, min=min, max=max, sparse=sparse)


class Operation:
    """An operation: its HTTP binding and its input, output and error shapes."""

    __slots__ = (
        "checksum_required",
        "endpoint_params",
        "errors",
        "event_stream",
        "host_prefix",
        "http_method",
        "input",
        "name",
        "output",
        "request_compression",
        "request_uri",
        "unsigned",
    )

    def __init__(
        self,
        name: str,
        http_method: str,
        request_uri: str,
        *,
        input: str | None = None,
        output: str | None = None,
        errors: tuple[str, ...] = (),
        host_prefix: str | None = None,
        checksum_required: bool = False,
        request_compression: tuple[str, ...] = (),
        unsigned: bool = False,
        endpoint_params: tuple[tuple[str, str, Any], ...] = (),
        event_stream: str | None = None,
    ) -> None:
        self.name = name
        self.http_method = http_method
        self.request_uri = request_uri
        self.input = input
        self.output = output
        self.errors = errors
        self.host_prefix = host_prefix
        self.checksum_required = checksum_required
        self.request_compression = request_compression
        self.unsigned = unsigned
        #: Endpoint rule parameters this operation sets: ``(name, "value", constant)`` from
        #: staticContextParams, ``(name, "member", py_name)`` from a member's contextParam.
        self.endpoint_params = endpoint_params
        #: "output": the output's payload member is an event stream (the union of its events,
        #: members located "eventheader"/"eventpayload"); "input": the input's is (not
        #: supported: the call raises UnsupportedOperationError); None: neither.
        self.event_stream = event_stream

    def __repr__(self) -> str:
        return f"Operation({self.name!r}, {self.http_method} {self.request_uri})"


class Paginator:
    """How an operation pages: tokens, the result key and the page-size argument."""

    __slots__ = ("input_tokens", "limit_key", "more_results", "output_tokens", "result_keys")

    def __init__(
        self,
        *,
        input_tokens: tuple[str, ...],
        output_tokens: tuple[str, ...],
        result_keys: tuple[str, ...],
        limit_key: str | None = None,
        more_results: str | None = None,
    ) -> None:
        # Python attribute paths (``position``, ``a.b``) on the input and output models.
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.result_keys = result_keys
        self.limit_key = limit_key
        self.more_results = more_results


# -- descriptors from their data (what a generated ``_spec`` module declares) ------------------
#
# Each descriptor is a string of JSON (codegen/spec_data.py): a shape
# ``[constructor, [arguments after the name], {options}]``, an operation
# ``[[arguments after the name], {options}]``, a paginator ``[[arguments], {options}]``, a
# structure's member ``[name, py_name, shape, location?, wire_name?, {options}?]``. JSON has
# no tuples: every array becomes one.

_SHAPE_CONSTRUCTORS: dict[str, Callable[..., Shape]] = {
    "blob": blob,
    "boolean": boolean,
    "document": document,
    "enum": enum,
    "list_of": list_of,
    "map_of": map_of,
    "number": number,
    "string": string,
    "structure": structure,
    "timestamp": timestamp,
}


def _tuples(value: Any) -> Any:
    """``value`` with every list, all the way down, a tuple."""
    return tuple(map(_tuples, value)) if value.__class__ is list else value


def _options(options: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments from their JSON object: arrays as tuples."""
    for key, value in options.items():
        if value.__class__ is list:
            options[key] = _tuples(value)
    return options


def build_member(data: list[Any]) -> Member:
    """A member from its decoded data."""
    if data[-1].__class__ is dict:
        return Member(*data[:-1], **_options(data[-1]))
    return Member(*data)


def build_shape(name: str, data: str) -> Shape:
    """Shape ``name`` from its JSON: the call of a constructor (``structure``, ``string``,
    ...) with the arguments that follow the name; a structure's members as member data."""
    constructor, arguments, options = json.loads(data)
    make = _SHAPE_CONSTRUCTORS.get(constructor)
    if make is None:
        raise TypeError(f"shape {name!r}: unknown descriptor constructor {constructor!r}")
    if constructor == "structure":
        members = tuple(map(build_member, arguments[0]))
        return make(name, members, *map(_tuples, arguments[1:]), **_options(options))
    return make(name, *map(_tuples, arguments), **_options(options))


def build_operation(name: str, data: str) -> Operation:
    """Operation ``name`` from its JSON: ``Operation(name, *arguments, **options)``."""
    arguments, options = json.loads(data)
    return Operation(name, *map(_tuples, arguments), **_options(options))


def build_paginator(name: str, data: str) -> Paginator:
    """The paginator of operation ``name`` from its JSON: ``Paginator(*arguments,
    **options)``."""
    arguments, options = json.loads(data)
    return Paginator(*map(_tuples, arguments), **_options(options))


class Service:
    """A whole service: the shape table, the operations and how to reach and sign it."""

    __slots__ = (
        "_classes",
        "_error_shapes",
        "api_version",
        "config_key",
        "default_headers",
        "endpoint_prefix",
        "endpoint_rules",
        "endpoint_url_required",
        "env_name",
        "errors_module",
        "models_module",
        "operations",
        "paginators",
        "service_id",
        "shapes",
        "signing_name",
    )

    def __init__(
        self,
        *,
        service_id: str,
        api_version: str,
        endpoint_prefix: str,
        signing_name: str,
        models_module: str,
        errors_module: str,
        shapes: Mapping[str, Shape],
        operations: Mapping[str, Operation],
        paginators: Mapping[str, Paginator],
        endpoint_rules: str | None,
        default_headers: Mapping[str, str],
        endpoint_url_required: str | None = None,
    ) -> None:
        self.service_id = service_id
        self.api_version = api_version
        self.endpoint_prefix = endpoint_prefix
        self.signing_name = signing_name
        self.models_module = models_module
        self.errors_module = errors_module
        self.shapes = shapes
        self.operations = operations
        self.paginators = paginators
        #: Module holding ``RULES`` (the endpoint rule set), imported on first use.
        self.endpoint_rules = endpoint_rules
        self.default_headers = default_headers
        #: Set for a service without a fixed endpoint (each user has their own): the
        #: ConfigError message of a client started without an endpoint URL.
        self.endpoint_url_required = endpoint_url_required
        # AWS_ENDPOINT_URL_<ENV_NAME> and the config file's services key, as botocore derives them.
        self.env_name = service_id.upper().replace(" ", "_")
        self.config_key = service_id.lower().replace(" ", "_")
        self._classes: dict[str, Any] = {}
        self._error_shapes: dict[str, Shape] | None = None

    def __repr__(self) -> str:
        return f"Service({self.service_id!r}, {self.api_version})"

    def model_class(self, cls_name: str) -> Any:
        """The generated model class (or enum) ``cls_name``, imported on first use."""
        cls = self._classes.get(cls_name)
        if cls is None:
            cls = getattr(importlib.import_module(self.models_module), cls_name)
            self._classes[cls_name] = cls
        return cls

    def error_class(self, cls_name: str) -> Any:
        """The generated ``ServiceError`` subclass ``cls_name``."""
        key = "errors." + cls_name
        cls = self._classes.get(key)
        if cls is None:
            cls = getattr(importlib.import_module(self.errors_module), cls_name)
            self._classes[key] = cls
        return cls

    def error_shape(self, code: str) -> Shape | None:
        """The modeled error shape for an error code, if the model knows the code."""
        if self._error_shapes is None:
            self._error_shapes = {
                shape.error_code: shape
                for shape in self.shapes.values()
                if shape.error_code is not None
            }
        return self._error_shapes.get(code)
