"""From a loaded botocore model to the IR: names, annotations, descriptors, docs.

Everything protocol-specific is asked of the protocol generator (``codegen.protocols``).
"""

from __future__ import annotations

import pprint
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from codegen import customizations
from codegen.docs import html_to_text
from codegen.ir import (
    EndpointHelperIR,
    EnumIR,
    ErrorIR,
    MemberIR,
    OperationIR,
    PaginatorIR,
    ServiceIR,
    ShapeIR,
    StructureIR,
)
from codegen.loader import ModelFiles
from codegen.naming import (
    client_class_name,
    enum_member_name,
    module_name,
    safe_identifier,
    snake_case,
)
from codegen.protocols import event_stream_member, protocol_for
from codegen.quotas import pacing_table, render_pacing

__all__ = [
    "RUNTIME_PACKAGE",
    "SCALAR_HINTS",
    "TIMESTAMP_INPUT_HINT",
    "GenerationError",
    "build_service",
]

RUNTIME_PACKAGE = "aioapigateway"

SCALAR_HINTS = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "short": "int",
    "byte": "int",
    "float": "float",
    "double": "float",
    "boolean": "bool",
    "timestamp": "datetime.datetime",
    "blob": "bytes",
    "document": "Any",
}
#: The module under ``models`` defining every enum of a package. No shape's own module is
#: given this name (``_assign_modules``).
ENUMS_MODULE = "_enums"
#: What the runtime accepts as a timestamp (``runtime.timestamps.timestamp_input``).
TIMESTAMP_INPUT_HINT = "datetime.datetime | str | int | float"
#: Ends every enum's docstring.
_ENUM_DOC_TAIL = "\n\nA value the service sends that is not listed here is kept as a plain ``str``."
#: The runtime class of an event-stream output member (``EventStream[<events>]``).
EVENT_STREAM_HINT = "EventStream"
#: How a model module's annotations name the package's other model classes and enums: through
#: the models package (``from .. import models as _models``), whose ``__getattr__`` loads a
#: class on first access. So ``typing.get_type_hints`` (and cattrs, which calls it) resolves
#: them at run time without a model module importing, and an enum being made, ahead of need.
MODELS_QUALIFIER = "_models."
#: The builtins that annotations use. ``typing.get_type_hints`` looks a class's annotation
#: names up in its module, then in the class namespace, then in builtins: a member named
#: ``bytes`` (a slot in the class namespace) hides the builtin, so such a class writes the
#: builtins its members hide as ``_builtins.bytes``.
_BUILTIN_HINT_NAMES = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict"})
# A hint's tokens: string literals (inside Literal[...]) are kept whole.
_HINT_TOKEN = re.compile(r"""'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_.]*|[^'"A-Za-z_]+""")
#: How to use an event-stream output member: added to its documentation.
_STREAM_MEMBER_DOC = (
    "An async iterator of the events, each an instance of the event's model class, as they "
    "arrive: ``async with out.{name} as events: async for event in events: ...`` (the "
    "connection is released when the loop ends, breaks or raises; ``await out.{name}.close()`` "
    "releases it early). A modeled exception event raises its ``errors`` class."
)
_STREAM_OPERATION_DOC = (
    "Returns at once with the response headers; ``{name}`` of the result is an async "
    "iterator of the events as they arrive (use ``async with result.{name} as events:`` and "
    "``async for event in events:``). A modeled exception event raises its ``errors`` class "
    "where it arrives in the stream."
)
_INPUT_STREAM_OPERATION_DOC = (
    "Not supported: its input is an event stream (bidirectional streaming), which this "
    "library does not send; calling it raises ``errors.UnsupportedOperationError``."
)
_NUMBER_TYPES = frozenset({"integer", "long", "short", "byte", "float", "double"})

# Attribute names of ServiceError that an error shape's member must not shadow.
_ERROR_RESERVED = frozenset(
    {"code", "message", "status_code", "request_id", "headers", "body", "args", "MEMBERS"}
)


class GenerationError(Exception):
    """The model cannot be generated (unsupported protocol, inconsistent shapes)."""


def _py(value: Any) -> str:
    """A deterministic Python literal."""
    return repr(value)


def _shape_kind(shape: Mapping[str, Any]) -> str:
    if shape["type"] == "structure" and shape.get("document"):
        return "document"
    return str(shape["type"])


class _Builder:
    def __init__(self, files: ModelFiles, package: str) -> None:
        self.model = files.service
        self.paginators = files.paginators
        self.rules = files.endpoint_rules
        self.model_paths = files.paths
        self.package = package
        self.shapes: dict[str, dict[str, Any]] = self.model["shapes"]
        self.metadata: dict[str, Any] = self.model["metadata"]
        self.protocol = protocol_for(self.metadata)
        self.class_names = self._assign_class_names()
        self.modules = self._assign_modules()
        self.output_reachable = self._reachable(self._output_roots())
        service_id = str(self.metadata.get("serviceId") or self.metadata["endpointPrefix"])
        self.extra_sensitive = customizations.sensitive_members(service_id)
        self._check_member_lists(service_id)

    # -- names -------------------------------------------------------------------------

    def _named_shapes(self) -> list[str]:
        """Shapes that become classes: structures (errors and unions included) and enums."""
        names = []
        for name, shape in sorted(self.shapes.items()):
            kind = _shape_kind(shape)
            if kind == "structure" or (kind == "string" and "enum" in shape):
                names.append(name)
        return names

    def _assign_class_names(self) -> dict[str, str]:
        taken: set[str] = set()
        result: dict[str, str] = {}
        for name in self._named_shapes():
            candidate = safe_identifier(name)
            if candidate in {"Any", "TYPE_CHECKING", "datetime", "attrs", "enum"}:
                candidate += "_"
            # Shape names differing only in case stay distinct classes (their modules differ).
            while candidate in taken:
                candidate += "_"
            taken.add(candidate)
            result[name] = candidate
        return result

    def _assign_modules(self) -> dict[str, str]:
        """Shape -> its module name (a structure's module; an enum's reference page)."""
        taken: set[str] = {ENUMS_MODULE}
        result: dict[str, str] = {}
        for name in self._named_shapes():
            candidate = module_name(name)
            base, counter = candidate, 1
            # Case-insensitive file systems: module names must differ beyond case.
            while candidate.lower() in taken:
                counter += 1
                candidate = f"{base}_{counter}"
            taken.add(candidate.lower())
            result[name] = candidate
        return result

    def _output_roots(self) -> list[str]:
        roots = []
        for op in self.model["operations"].values():
            if "output" in op:
                roots.append(op["output"]["shape"])
            roots.extend(err["shape"] for err in op.get("errors", []))
        roots.extend(name for name, s in self.shapes.items() if s.get("exception"))
        return roots

    def _reachable(self, roots: Iterable[str]) -> frozenset[str]:
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            shape = self.shapes[name]
            for member in shape.get("members", {}).values():
                stack.append(member["shape"])
            for key in ("member", "key", "value"):
                if key in shape:
                    stack.append(shape[key]["shape"])
        return frozenset(seen)

    # -- annotations ---------------------------------------------------------------------

    def _hint(self, shape_name: str, qualifier: str, *, as_input: bool = False) -> str:
        """The annotation of a value of ``shape_name``; ``as_input``: as the caller gives it.

        An enum the caller gives is the enum or one of its values as a literal (so a type
        checker rejects a misspelt value or another enum's member); one the service sends
        may be any ``str`` (a value newer than the model). A timestamp the caller gives may
        be anything the runtime accepts: a datetime, an ISO 8601 or HTTP date string, or
        epoch seconds.
        """
        shape = self.shapes[shape_name]
        kind = _shape_kind(shape)
        if kind == "structure":
            return qualifier + self.class_names[shape_name]
        if kind == "string" and "enum" in shape:
            if as_input:
                values = ", ".join(_py(str(value)) for value in shape["enum"])
                return f"{qualifier}{self.class_names[shape_name]} | Literal[{values}]"
            return f"{qualifier}{self.class_names[shape_name]} | str"
        if kind == "list":
            item = self._hint(shape["member"]["shape"], qualifier, as_input=as_input)
            return f"list[{item}]"
        if kind == "map":
            value = self._hint(shape["value"]["shape"], qualifier, as_input=as_input)
            return f"dict[str, {value}]"
        if kind == "timestamp" and as_input:
            return TIMESTAMP_INPUT_HINT
        try:
            return SCALAR_HINTS[kind]
        except KeyError:
            raise GenerationError(f"shape {shape_name}: unsupported type {kind!r}") from None

    def _referenced(self, shape_name: str, into: set[str]) -> None:
        """Named shapes an annotation of ``shape_name`` mentions."""
        shape = self.shapes[shape_name]
        kind = _shape_kind(shape)
        if kind == "structure" or (kind == "string" and "enum" in shape):
            into.add(shape_name)
        elif kind == "list":
            self._referenced(shape["member"]["shape"], into)
        elif kind == "map":
            self._referenced(shape["value"]["shape"], into)

    def _is_sensitive(self, shape_name: str) -> bool:
        """A sensitive shape, or a list or map holding sensitive values."""
        shape = self.shapes[shape_name]
        if shape.get("sensitive"):
            return True
        if shape["type"] == "list":
            return self._is_sensitive(shape["member"]["shape"])
        if shape["type"] == "map":
            return self._is_sensitive(shape["value"]["shape"])
        return False

    def _is_sensitive_member(self, structure: str, member: str) -> bool:
        """A member whose value never appears in a ``repr``.

        From the model (a sensitive structure, or a member whose shape is sensitive) and from
        the service's customization list.
        """
        shape = self.shapes[structure]
        if shape.get("sensitive") or (structure, member) in self.extra_sensitive:
            return True
        return self._is_sensitive(shape["members"][member]["shape"])

    def _check_member_lists(self, service_id: str) -> None:
        """Every member the customizations name exists: a model update must not go unnoticed."""
        listed = set(self.extra_sensitive) | set(customizations.not_secret_members(service_id))
        members = {(n, m) for n, s in self.shapes.items() for m in s.get("members", {})}
        names = {m for _, m in members}
        stale = sorted(
            f"{shape}.{member}"
            for shape, member in listed
            if (shape, member) not in members and not (shape == "*" and member in names)
        )
        if stale:
            raise GenerationError(
                f"codegen/customizations.py names members the model does not have: "
                f"{', '.join(stale)}"
            )

    def _mentions_named(self, shape_name: str) -> bool:
        """Whether an annotation of ``shape_name`` names a model class or enum."""
        named: set[str] = set()
        self._referenced(shape_name, named)
        return bool(named)

    def _mentions(self, shape_name: str, kind: str) -> bool:
        shape = self.shapes[shape_name]
        own = _shape_kind(shape)
        if own == kind:
            return True
        if own == "list":
            return self._mentions(shape["member"]["shape"], kind)
        if own == "map":
            return self._mentions(shape["value"]["shape"], kind)
        return False

    # -- members ---------------------------------------------------------------------------

    def _members(self, shape_name: str) -> tuple[MemberIR, ...]:
        shape = self.shapes[shape_name]
        required = set(shape.get("required", ()))
        # Only a structure the service never sends types its members as inputs.
        input_only = shape_name not in self.output_reachable
        used: set[str] = set()
        members = []
        for name, ref in shape.get("members", {}).items():
            py_name = safe_identifier(snake_case(name))
            if shape.get("exception") and py_name in _ERROR_RESERVED and py_name != "message":
                # ServiceError's own attributes (code, message, headers...) keep their meaning.
                py_name += "_"
            while py_name in used:
                py_name += "_"
            used.add(py_name)
            target = self.shapes[ref["shape"]]
            location = str(ref.get("location", "")) or _event_location(ref)
            wire_name = self.protocol.wire_name(name, ref, location)
            timestamp_format = ref.get("timestampFormat", target.get("timestampFormat"))
            flags = {
                "required": name in required,
                "timestamp_format": timestamp_format,
                "idempotency_token": bool(ref.get("idempotencyToken")),
                "host_label": bool(ref.get("hostLabel")),
                "json_value": bool(ref.get("jsonvalue")),
            }
            args = [_py(name), _py(py_name), _py(ref["shape"])]
            if location or wire_name != name:
                args.append(_py(location))
            if wire_name != name:
                args.append(_py(wire_name))
            args.extend(f"{key}={_py(value)}" for key, value in flags.items() if value)
            stream = target.get("eventstream") and not input_only
            members.append(
                MemberIR(
                    name=name,
                    py_name=py_name,
                    shape=ref["shape"],
                    # A jsonvalue member carries any JSON value, whatever its shape says.
                    model_hint="Any"
                    if ref.get("jsonvalue")
                    else self._stream_hint(ref["shape"], MODELS_QUALIFIER)
                    if stream
                    else self._hint(ref["shape"], MODELS_QUALIFIER, as_input=input_only),
                    client_hint="Any"
                    if ref.get("jsonvalue")
                    else self._stream_hint(ref["shape"], "models.")
                    if stream
                    else self._hint(ref["shape"], "models."),
                    argument_hint="Any"
                    if ref.get("jsonvalue")
                    else self._hint(ref["shape"], "models.", as_input=True),
                    location=location,
                    wire_name=wire_name,
                    required=name in required,
                    documentation=_join_docs(
                        html_to_text(ref.get("documentation")),
                        _STREAM_MEMBER_DOC.format(name=py_name) if stream else "",
                    ),
                    timestamp_format=timestamp_format,
                    idempotency_token=bool(ref.get("idempotencyToken")),
                    host_label=bool(ref.get("hostLabel")),
                    json_value=bool(ref.get("jsonvalue")),
                    descriptor_args=", ".join(args),
                    uses_datetime=not ref.get("jsonvalue")
                    and self._mentions(ref["shape"], "timestamp"),
                    uses_any=bool(ref.get("jsonvalue")) or self._mentions(ref["shape"], "document"),
                    uses_models=not ref.get("jsonvalue") and self._mentions_named(ref["shape"]),
                    event_stream=bool(stream),
                )
            )
        return tuple(members)

    # -- event streams -----------------------------------------------------------------------

    def _stream_events(self, shape_name: str) -> list[str]:
        """The event shapes of an event-stream union (its members that are not errors)."""
        members = self.shapes[shape_name]["members"].values()
        events = [ref["shape"] for ref in members if not self.shapes[ref["shape"]].get("exception")]
        return list(dict.fromkeys(events))

    def _stream_hint(self, shape_name: str, qualifier: str) -> str:
        """``EventStream[A | B]``: the runtime's async iterator of the union's event classes."""
        events = " | ".join(
            qualifier + self.class_names[e] for e in self._stream_events(shape_name)
        )
        return f"{EVENT_STREAM_HINT}[{events or 'None'}]"

    # -- shapes ----------------------------------------------------------------------------

    def _shape_descriptor(self, name: str, shape: Mapping[str, Any]) -> ShapeIR:
        """The runtime descriptor of a shape: the ``shapes`` function and its arguments."""
        kind = _shape_kind(shape)
        bounds = "".join(f", {key}={_py(shape[key])}" for key in ("min", "max") if key in shape)
        sensitive = ", sensitive=True" if shape.get("sensitive") else ""
        if kind == "structure":
            members = self._members(name)
            member_list = "".join(f"M({m.descriptor_args}), " for m in members)
            extra = f", cls_name={_py(self.class_names[name])}"
            payload = shape.get("payload")
            if payload:
                extra += f", payload={_py(payload)}"
            if shape.get("union"):
                extra += ", union=True"
            if shape.get("exception"):
                error = shape.get("error", {})
                extra += f", error_code={_py(error.get('code', name))}"
                if "httpStatusCode" in error:
                    extra += f", error_status={_py(error['httpStatusCode'])}"
            return _descriptor(name, "structure", f"{_py(name)}, ({member_list}){extra}{sensitive}")
        if kind == "string" and "enum" in shape:
            values = tuple(shape["enum"])
            cls_name = _py(self.class_names[name])
            return _descriptor(
                name, "enum", f"{_py(name)}, {_py(values)}, cls_name={cls_name}{sensitive}"
            )
        if kind == "string":
            return _descriptor(name, "string", f"{_py(name)}{bounds}{sensitive}")
        if kind in _NUMBER_TYPES:
            return _descriptor(name, "number", f"{_py(name)}, {_py(kind)}{bounds}")
        if kind == "boolean":
            return _descriptor(name, "boolean", f"{_py(name)}")
        if kind == "timestamp":
            fmt = shape.get("timestampFormat")
            args = _py(name) + (f", timestamp_format={_py(fmt)}" if fmt else "")
            return _descriptor(name, "timestamp", f"{args}")
        if kind == "blob":
            return _descriptor(name, "blob", f"{_py(name)}{bounds}{sensitive}")
        if kind == "document":
            return _descriptor(name, "document", f"{_py(name)}")
        sparse = ", sparse=True" if shape.get("sparse") else ""
        if kind == "list":
            return _descriptor(
                name, "list_of", f"{_py(name)}, {_py(shape['member']['shape'])}{bounds}{sparse}"
            )
        if kind == "map":
            key, value = shape["key"]["shape"], shape["value"]["shape"]
            return _descriptor(
                name, "map_of", f"{_py(name)}, {_py(key)}, {_py(value)}{bounds}{sparse}"
            )
        raise GenerationError(f"shape {name}: unsupported type {kind!r}")

    def _structure(self, name: str) -> StructureIR:
        shape = self.shapes[name]
        members = self._members(name)
        referenced: set[str] = set()
        for member in members:
            if member.event_stream:
                referenced.update(self._stream_events(member.shape))
            elif not member.json_value:
                self._referenced(member.shape, referenced)
        streams = any(m.event_stream for m in members)
        if streams:
            # The stream member is always set on a response (typed without ``| None``), the
            # others stay optional.
            members = tuple(attrs.evolve(m, required=m.event_stream) for m in members)
        shadowed = {m.py_name for m in members} & _BUILTIN_HINT_NAMES
        if shadowed:
            members = tuple(
                attrs.evolve(m, model_hint=_qualify_builtins(m.model_hint, shadowed))
                for m in members
            )
        return StructureIR(
            name=name,
            class_name=self.class_names[name],
            module=self.modules[name],
            page=self.modules[name].lstrip("_"),
            documentation=html_to_text(shape.get("documentation")),
            members=members,
            is_union=bool(shape.get("union")),
            all_optional=(name in self.output_reachable or bool(shape.get("union")))
            and not streams,
            uses_models=bool(referenced),
            aliases_builtins=any("_builtins." in m.model_hint for m in members),
            uses_datetime=any(m.uses_datetime for m in members),
            uses_any=any(m.uses_any for m in members),
            uses_literal=any("Literal[" in m.model_hint for m in members),
            uses_event_stream=streams,
            sensitive_members=tuple(
                m.py_name for m in members if self._is_sensitive_member(name, m.name)
            ),
        )

    def _enum(self, name: str) -> EnumIR:
        shape = self.shapes[name]
        used: set[str] = set()
        members = []
        for value in shape["enum"]:
            member = enum_member_name(value)
            if member.startswith("_") and member.endswith("_") and len(member) > 1:
                # Enum reserves _sunder_ names.
                member += "X"
            while member in used or member in {"MRO", "NAME", "VALUE"}:
                member += "_"
            used.add(member)
            members.append((member, value))
        documentation = html_to_text(shape.get("documentation"))
        return EnumIR(
            name=name,
            class_name=self.class_names[name],
            module=ENUMS_MODULE,
            page=self.modules[name].lstrip("_"),
            documentation=documentation,
            docstring=(documentation or self.class_names[name]) + _ENUM_DOC_TAIL,
            members=tuple(members),
        )

    def _error(self, name: str) -> ErrorIR:
        shape = self.shapes[name]
        # The message is ServiceError.message; reserved names were renamed by _members.
        carried = [m for m in self._members(name) if m.name.lower() != "message"]
        return ErrorIR(
            name=name,
            class_name=self.class_names[name],
            code=str(shape.get("error", {}).get("code", name)),
            documentation=html_to_text(shape.get("documentation")),
            members=tuple(carried),
        )

    # -- operations ------------------------------------------------------------------------

    def _operation(self, name: str, op: Mapping[str, Any]) -> OperationIR:
        input_name = op.get("input", {}).get("shape")
        output_name = op.get("output", {}).get("shape")
        arguments = self._members(input_name) if input_name else ()
        return_hint = f"models.{self.class_names[output_name]}" if output_name else "None"
        stream_note = ""
        if event_stream_member(op, "input", self.shapes) is not None:
            stream_note = _INPUT_STREAM_OPERATION_DOC
        else:
            output_stream = event_stream_member(op, "output", self.shapes)
            if output_stream is not None:
                stream_note = _STREAM_OPERATION_DOC.format(
                    name=safe_identifier(snake_case(output_stream))
                )
        return OperationIR(
            name=name,
            py_name=safe_identifier(snake_case(name)),
            documentation=_join_docs(html_to_text(op.get("documentation")), stream_note),
            arguments=_required_first(arguments),
            return_hint=return_hint,
            descriptor=self.protocol.operation_descriptor(name, op, self.shapes),
            deprecated=bool(op.get("deprecated")),
        )

    def _paginator(self, op_name: str, config: Mapping[str, Any]) -> PaginatorIR:
        op = self.model["operations"].get(op_name)
        if op is None:
            raise GenerationError(f"paginator for unknown operation {op_name}")
        input_tokens = _as_tuple(config["input_token"])
        output_tokens = _as_tuple(config["output_token"])
        result_keys = _as_tuple(config.get("result_key", ()))
        input_name = op["input"]["shape"]
        output_name = op["output"]["shape"]
        token_members = {snake_case(t) for t in input_tokens}
        arguments = tuple(
            m
            for m in self._members(input_name)
            if m.name not in input_tokens and m.py_name not in token_members
        )
        item_hint = "Any"
        if result_keys:
            item_hint = self._path_item_hint(output_name, result_keys[0])
        limit_key = config.get("limit_key")
        descriptor = (
            "Paginator("
            f"input_tokens={_py(tuple(self._py_path(input_name, t) for t in input_tokens))}, "
            f"output_tokens={_py(tuple(self._py_path(output_name, t) for t in output_tokens))}, "
            f"result_keys={_py(tuple(self._py_path(output_name, k) for k in result_keys))}, "
            f"limit_key={_py(self._py_path(input_name, limit_key) if limit_key else None)}, "
            f"more_results={_py(self._py_path(output_name, config['more_results']) if config.get('more_results') else None)})"
        )
        method = safe_identifier(snake_case(op_name))
        return PaginatorIR(
            operation=op_name,
            method=method,
            py_name=f"paginate_{method}",
            documentation=html_to_text(op.get("documentation")),
            arguments=_required_first(arguments),
            page_hint=f"models.{self.class_names[output_name]}",
            item_hint=item_hint,
            descriptor=descriptor,
        )

    def _walk_path(self, shape_name: str, path: str) -> list[tuple[str, str]]:
        """``(py_name, shape)`` for each segment of a dotted member path."""
        steps = []
        current = shape_name
        for segment in path.split("."):
            segment = re.sub(r"\[.*\]$", "", segment)
            ref = self.shapes[current].get("members", {}).get(segment)
            if ref is None:
                raise GenerationError(f"paginator path {path!r} not found on {shape_name}")
            steps.append((safe_identifier(snake_case(segment)), ref["shape"]))
            current = ref["shape"]
        return steps

    def _py_path(self, shape_name: str, path: str) -> str:
        return ".".join(py for py, _ in self._walk_path(shape_name, path))

    def _path_item_hint(self, shape_name: str, path: str) -> str:
        final = self._walk_path(shape_name, path)[-1][1]
        shape = self.shapes[final]
        if shape["type"] == "list":
            return self._hint(shape["member"]["shape"], "models.")
        if shape["type"] == "map":
            return "str"
        return self._hint(final, "models.")

    # -- service ---------------------------------------------------------------------------

    def build(self) -> ServiceIR:
        named = self._named_shapes()
        structures = tuple(
            self._structure(n) for n in named if _shape_kind(self.shapes[n]) == "structure"
        )
        enums = tuple(self._enum(n) for n in named if _shape_kind(self.shapes[n]) == "string")
        errors = tuple(
            self._error(n) for n in sorted(self.shapes) if self.shapes[n].get("exception")
        )
        shapes = tuple(self._shape_descriptor(n, self.shapes[n]) for n in sorted(self.shapes))
        operations = tuple(
            self._operation(n, op) for n, op in sorted(self.model["operations"].items())
        )
        paginators = tuple(self._paginator(n, cfg) for n, cfg in sorted(self.paginators.items()))
        service_id = str(self.metadata.get("serviceId") or self.metadata["endpointPrefix"])
        default_headers = dict(customizations.default_headers(service_id))
        template = customizations.endpoint_template(service_id)
        # Rendered only when set, so the descriptors of other services stay as they were.
        required = (
            f", endpoint_url_required={_py(template.missing_hint)}" if template is not None else ""
        )
        descriptor = (
            "Service("
            f"service_id={_py(service_id)}, "
            f"api_version={_py(self.metadata['apiVersion'])}, "
            f"endpoint_prefix={_py(self.metadata['endpointPrefix'])}, "
            f"signing_name={_py(self.metadata.get('signingName', self.metadata['endpointPrefix']))}, "
            f"models_module={_py(self.package + '.models')}, "
            f"errors_module={_py(self.package + '.errors')}, "
            "shapes=SHAPES, operations=OPERATIONS, paginators=PAGINATORS, "
            f"endpoint_rules={_py(self.package + '._endpoint_rules' if self.rules else None)}, "
            f"default_headers={_py(default_headers)}{required})"
        )
        return ServiceIR(
            package=self.package,
            service_id=service_id,
            client_class=client_class_name(service_id),
            api_version=str(self.metadata["apiVersion"]),
            documentation=html_to_text(self.model.get("documentation")),
            service_descriptor=descriptor,
            structures=structures,
            enums=enums,
            errors=errors,
            shapes=shapes,
            operations=operations,
            paginators=paginators,
            endpoint_rules=pprint.pformat(self.rules, width=100, sort_dicts=True)
            if self.rules
            else None,
            is_runtime_package=self.package == RUNTIME_PACKAGE,
            # Generated code imports the hand-written runtime from its sub-package.
            runtime_package=f"{RUNTIME_PACKAGE}.runtime",
            model_paths=self.model_paths,
            package_path=self.package.replace(".", "/"),
            endpoint_helper=_endpoint_helper(template),
            pacing=render_pacing(pacing_table(service_id, self.model["operations"])),
        )


def _endpoint_helper(template: customizations.EndpointTemplate | None) -> EndpointHelperIR | None:
    if template is None:
        return None
    labels = re.findall(r"\{(\w+)\}", template.template)
    return EndpointHelperIR(
        function=template.function,
        template=template.template,
        documentation=template.documentation,
        # dns_suffix comes from the region's partition, not from the caller.
        arguments=tuple(dict.fromkeys(x for x in labels if x != "dns_suffix")),
    )


def _event_location(ref: Mapping[str, Any]) -> str:
    """Where an event's member is in its message: a header, the payload, or "" (the
    payload's JSON)."""
    if ref.get("eventheader"):
        return "eventheader"
    if ref.get("eventpayload"):
        return "eventpayload"
    return ""


def _join_docs(text: str, note: str) -> str:
    """``text`` and a generated ``note``, as paragraphs."""
    if not note:
        return text
    note = textwrap.fill(note, width=88, break_long_words=False, break_on_hyphens=False)
    return f"{text}\n\n{note}" if text else note


def _descriptor(name: str, constructor: str, arguments: str) -> ShapeIR:
    return ShapeIR(name=name, constructor=constructor, descriptor=f"{constructor}({arguments})")


def _required_first(members: tuple[MemberIR, ...]) -> tuple[MemberIR, ...]:
    """Required arguments first (they have no default), each group in model order."""
    return tuple(m for m in members if m.required) + tuple(m for m in members if not m.required)


def _as_tuple(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def build_service(files: ModelFiles, package: str) -> ServiceIR:
    """Build the IR of one generated package."""
    # A dotted name (``aioapigateway.v2``) is a package inside another one.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", package):
        raise GenerationError(f"package name {package!r} is not a dotted Python identifier")
    return _Builder(files, package).build()


def _qualify_builtins(hint: str, shadowed: set[str]) -> str:
    """``hint`` with the builtins in ``shadowed`` written ``_builtins.<name>``."""
    return "".join(
        "_builtins." + token if token in shadowed else token for token in _HINT_TOKEN.findall(hint)
    )
