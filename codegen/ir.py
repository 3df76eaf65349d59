"""The immutable intermediate representation the templates render.

Templates see only these classes: every name, annotation and descriptor argument is decided
here (by ``codegen.build`` and the protocol generator), never in a template.
"""

from __future__ import annotations

import attrs

from codegen.loader import ModelPaths

__all__ = [
    "EndpointHelperIR",
    "EnumIR",
    "ErrorIR",
    "MemberIR",
    "OperationIR",
    "PaginatorIR",
    "ServiceIR",
    "ShapeIR",
    "StructureIR",
]


@attrs.frozen
class MemberIR:
    """A structure member as the runtime and the models see it."""

    name: str
    py_name: str
    shape: str
    #: Annotation inside the models package (``EndpointConfiguration``, ``list[str]``).
    model_hint: str
    #: Annotation in the client module (``models.EndpointConfiguration``), as the service
    #: sends it (an enum may be any ``str``).
    client_hint: str
    location: str
    wire_name: str
    required: bool
    documentation: str
    timestamp_format: str | None = None
    idempotency_token: bool = False
    host_label: bool = False
    json_value: bool = False
    #: Annotation of a client method's argument: as the caller gives it (an enum is the
    #: enum or a ``Literal`` of its values; a timestamp also a string or epoch seconds).
    argument_hint: str = ""
    #: Arguments of the runtime member descriptor, rendered verbatim.
    descriptor_args: str = ""
    #: What the annotations need imported: ``datetime``, ``typing.Any``, the models package.
    uses_datetime: bool = False
    uses_any: bool = False
    uses_models: bool = False
    #: An event-stream output member: typed ``EventStream[<event classes>]``.
    event_stream: bool = False


@attrs.frozen
class StructureIR:
    """A model class."""

    name: str
    class_name: str
    #: The module under ``models`` that defines the class (``_rest_api``), and its page in
    #: the API reference (``rest_api``).
    module: str
    page: str
    documentation: str
    members: tuple[MemberIR, ...]
    is_union: bool
    #: Reached from an operation's output or an error: every member may be absent.
    all_optional: bool
    #: The annotations name other model classes or enums (as ``_models.X``).
    uses_models: bool
    #: A member hides a builtin the annotations use: they name it ``_builtins.<name>``.
    aliases_builtins: bool
    uses_datetime: bool
    uses_any: bool
    sensitive_members: tuple[str, ...]
    #: An input-only structure with an enum member: its annotation is a ``Literal``.
    uses_literal: bool = False
    #: An output with an event-stream member: the module imports the runtime's ``EventStream``.
    uses_event_stream: bool = False


@attrs.frozen
class EnumIR:
    """A ``str`` enum."""

    name: str
    class_name: str
    #: The module under ``models`` that defines it (every enum of a package shares one:
    #: a first call then imports one module for all the enums its response holds), and its
    #: own page in the API reference.
    module: str
    page: str
    documentation: str
    #: The class's docstring: the documentation and what happens to values it does not list.
    docstring: str
    members: tuple[tuple[str, str], ...]


@attrs.frozen
class ErrorIR:
    """An error class: a ``ServiceError`` subclass carrying the shape's members."""

    name: str
    class_name: str
    code: str
    documentation: str
    members: tuple[MemberIR, ...]


@attrs.frozen
class ShapeIR:
    """One entry of the runtime shape table: ``name`` and the descriptor call rendered."""

    name: str
    descriptor: str
    #: The ``aioapigateway.runtime.shapes`` function the descriptor calls.
    constructor: str


@attrs.frozen
class OperationIR:
    """A client method and its runtime descriptor."""

    name: str
    py_name: str
    documentation: str
    arguments: tuple[MemberIR, ...]
    return_hint: str
    descriptor: str
    deprecated: bool


@attrs.frozen
class PaginatorIR:
    """A ``paginate_<method>`` helper."""

    operation: str
    method: str
    py_name: str
    documentation: str
    arguments: tuple[MemberIR, ...]
    page_hint: str
    item_hint: str
    descriptor: str


@attrs.frozen
class EndpointHelperIR:
    """A public function of the package that builds an endpoint URL from a template."""

    function: str
    template: str
    documentation: str
    #: Keyword arguments, in the order they appear in the template.
    arguments: tuple[str, ...]


@attrs.frozen
class ServiceIR:
    """Everything one generated package contains."""

    package: str
    service_id: str
    client_class: str
    api_version: str
    documentation: str
    service_descriptor: str
    structures: tuple[StructureIR, ...]
    enums: tuple[EnumIR, ...]
    errors: tuple[ErrorIR, ...]
    shapes: tuple[ShapeIR, ...]
    operations: tuple[OperationIR, ...]
    paginators: tuple[PaginatorIR, ...]
    #: The endpoint rule set as a Python literal, or ``None`` when none was given.
    endpoint_rules: str | None
    #: Whether this package is the runtime's own package (it then re-exports the runtime).
    is_runtime_package: bool
    runtime_package: str
    #: Directory of the package below the output directory (``aioapigateway/v2``).
    package_path: str
    #: The endpoint URL builder of a service without a fixed endpoint, if it is one.
    endpoint_helper: EndpointHelperIR | None = None
    #: The model files it was generated from (the header's regenerate command names them).
    model_paths: ModelPaths | None = None
    #: The ``PACING`` table of ``_spec.py`` as a Python literal (``codegen.quotas``), or
    #: ``None`` for a service without fixed control-plane quotas.
    pacing: str | None = None
