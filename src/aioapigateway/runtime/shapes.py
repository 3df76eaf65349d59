"""Descriptors of a service model: what generated code declares and the runtime executes.

A generated package holds a ``_spec`` module that builds one :class:`Service` out of these
descriptors; the serializer, the parser and the validator compile per-shape functions from
them on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

__all__ = [
    "FLOAT_TYPES",
    "INTEGER_TYPES",
    "LazyShapes",
    "Member",
    "Operation",
    "Paginator",
    "Service",
    "Shape",
    "blob",
    "boolean",
    "document",
    "enum",
    "list_of",
    "map_of",
    "number",
    "string",
    "structure",
    "timestamp",
]

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


class LazyShapes(dict[str, "Shape"]):
    """A service's shapes by name, each built the first time it is looked up.

    A generated ``_spec`` module hands over a function per shape instead of the shape:
    building all of a large model's descriptors costs milliseconds of a client's first
    call, which needs a handful. Lookups of a built shape are plain dict lookups (the
    serializer and the parser do some per call). ``in``, ``get``, ``len`` and iteration
    see every shape of the model; iterating builds them all, in the model's order.
    """

    __slots__ = ("_makers",)

    def __init__(self, makers: Mapping[str, Callable[[], Shape]]) -> None:
        super().__init__()
        self._makers = dict(makers)

    def __missing__(self, name: str) -> Shape:
        maker = self._makers.get(name)
        if maker is None:
            raise KeyError(name)
        shape = maker()
        dict.__setitem__(self, name, shape)
        return shape

    def __contains__(self, name: object) -> bool:
        return name in self._makers

    def __len__(self) -> int:
        return len(self._makers)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self._makers else default

    def _complete(self) -> None:
        """Build every shape not yet built, and order them as the model does."""
        if dict.__len__(self) != len(self._makers):
            ordered = {name: self[name] for name in self._makers}
            dict.clear(self)
            dict.update(self, ordered)

    def __iter__(self) -> Iterator[str]:
        self._complete()
        return dict.__iter__(self)

    def keys(self) -> dict_keys[str, Shape]:
        self._complete()
        return dict.keys(self)

    def values(self) -> dict_values[str, Shape]:
        self._complete()
        return dict.values(self)

    def items(self) -> dict_items[str, Shape]:
        self._complete()
        return dict.items(self)

    def __repr__(self) -> str:
        return f"<LazyShapes: {len(self._makers)} shapes, {dict.__len__(self)} built>"


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
