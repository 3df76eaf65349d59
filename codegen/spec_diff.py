"""What changed between two versions of a botocore service model.

``python -m codegen.spec_diff OLD NEW [--changelog VERSION] [--date DATE]``

``OLD`` and ``NEW`` are each a directory holding ``service-2.json`` (or ``service-2.json.gz``,
as botocore ships it) and optionally ``paginators-1.json``, or ``botocore:SERVICE`` for the
newest model of ``SERVICE`` in the installed botocore (read un-gzipped in memory). A directory
with a ``SOURCE`` file written by ``codegen.update_spec`` is labelled with its botocore version.

The report lists operations added, removed and changed; shapes added and removed; per shape
the members added, removed and retyped, required-ness and other changes; enum values added and
removed; paginators changed; and how many documentation strings changed. Changes that can break
code written against the old model are marked. ``--changelog VERSION`` prints the same as a
Markdown ``CHANGELOG.md`` entry. Python names (``models.X.y``, ``client.z()``) are derived
with the generator's naming rules.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from codegen.build import SCALAR_HINTS
from codegen.loader import load_json
from codegen.naming import enum_member_name, safe_identifier, snake_case

__all__ = [
    "EnumChange",
    "MemberChange",
    "ModelVersion",
    "OperationChange",
    "PaginatorChange",
    "ShapeChange",
    "SpecDiff",
    "diff_models",
    "load_model",
    "main",
    "render_changelog",
    "render_report",
]

_BOTOCORE_PREFIX = "botocore:"
_DOC_KEYS = frozenset({"documentation", "documentationUrl"})
# Shape keys reported by their own section (members, required, enum) or not at all.
_SHAPE_KEYS_HANDLED = frozenset({"members", "required", "enum", "type", *_DOC_KEYS})


# -- loading -----------------------------------------------------------------------------------


@attrs.frozen
class ModelVersion:
    """One version of a model: its label, the service model and its paginators."""

    label: str
    service: Mapping[str, Any]
    paginators: Mapping[str, Any]


def _find(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / (name + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def _label(directory: Path) -> str:
    source = directory / "SOURCE"
    if source.is_file():
        match = re.search(r"botocore (\S+?),", source.read_text(encoding="utf-8"))
        if match:
            return f"botocore {match.group(1)}"
    return str(directory)


def _botocore_dir(service: str) -> tuple[Path, str]:
    botocore = importlib.import_module("botocore")
    if botocore.__file__ is None:
        raise FileNotFoundError("botocore is not installed as a regular package")
    data = Path(botocore.__file__).parent / "data" / service
    versions = sorted(p.name for p in data.iterdir() if p.is_dir()) if data.is_dir() else []
    if not versions:
        raise FileNotFoundError(f"botocore {botocore.__version__} has no model for {service!r}")
    return data / versions[-1], f"botocore {botocore.__version__}"


def load_model(where: str | Path) -> ModelVersion:
    """Load a model directory, or ``botocore:SERVICE`` from the installed botocore."""
    text = str(where)
    if text.startswith(_BOTOCORE_PREFIX):
        directory, label = _botocore_dir(text[len(_BOTOCORE_PREFIX) :])
    else:
        directory = Path(where)
        label = _label(directory)
    model_path = _find(directory, "service-2.json")
    if model_path is None:
        raise FileNotFoundError(f"{directory}: no service-2.json or service-2.json.gz")
    service = load_json(model_path)
    if not isinstance(service.get("shapes"), dict) or not isinstance(
        service.get("operations"), dict
    ):
        raise ValueError(f"{model_path}: not a botocore service model (no shapes or operations)")
    paginators_path = _find(directory, "paginators-1.json")
    paginators = load_json(paginators_path).get("pagination", {}) if paginators_path else {}
    return ModelVersion(label=label, service=service, paginators=paginators)


# -- the diff ----------------------------------------------------------------------------------


@attrs.frozen
class MemberChange:
    """A member added, removed, retyped or otherwise changed in a structure."""

    member: str
    #: ``added``, ``removed``, ``retyped``, ``required`` (now required), ``optional`` (no
    #: longer required) or ``changed`` (another key of the member reference).
    kind: str
    old: str | None = None
    new: str | None = None
    #: For ``changed``: the member reference key (``location``, ``locationName``...).
    key: str | None = None


@attrs.frozen
class ShapeChange:
    """Everything but documentation that changed in one shape present in both versions."""

    name: str
    old_type: str
    new_type: str
    members: tuple[MemberChange, ...] = ()
    #: Other shape keys: ``(key, old, new)`` as compact JSON (``max``, ``pattern``...).
    attributes: tuple[tuple[str, str, str], ...] = ()


@attrs.frozen
class EnumChange:
    """Values added to and removed from an enum present in both versions."""

    name: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@attrs.frozen
class OperationChange:
    """An operation present in both versions whose definition changed."""

    name: str
    errors_added: tuple[str, ...] = ()
    errors_removed: tuple[str, ...] = ()
    #: Other keys: ``(key, old, new)`` as compact JSON (``http``, ``input``, ``deprecated``...).
    attributes: tuple[tuple[str, str, str], ...] = ()


@attrs.frozen
class PaginatorChange:
    """A paginator added, removed or changed."""

    operation: str
    kind: str  # added, removed or changed
    old: str | None = None
    new: str | None = None


@attrs.frozen
class SpecDiff:
    """The differences between two model versions."""

    old_label: str
    new_label: str
    service_id: str
    api_version: str
    counts: Mapping[str, tuple[int, int]]
    operations_added: tuple[str, ...]
    operations_removed: tuple[str, ...]
    operations_changed: tuple[OperationChange, ...]
    shapes_added: tuple[tuple[str, str], ...]  # (name, kind)
    shapes_removed: tuple[tuple[str, str], ...]
    shapes_changed: tuple[ShapeChange, ...]
    enums_changed: tuple[EnumChange, ...]
    paginators: tuple[PaginatorChange, ...]
    metadata: tuple[tuple[str, str, str], ...]
    #: Changed documentation strings of items present in both versions, by where they are.
    documentation: Mapping[str, int]
    #: Shape name -> operations taking it as their input (new model).
    input_of: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    #: Shapes reachable from an operation's input (new model): where new required members
    #: and removed members break callers.
    input_shapes: frozenset[str] = frozenset()
    #: The shape tables of both versions, for Python type names.
    old_shapes: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    new_shapes: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def documentation_total(self) -> int:
        return sum(self.documentation.values())

    @property
    def is_empty(self) -> bool:
        return not (
            self.operations_added
            or self.operations_removed
            or self.operations_changed
            or self.shapes_added
            or self.shapes_removed
            or self.shapes_changed
            or self.enums_changed
            or self.paginators
            or self.metadata
            or self.documentation_total
        )


def _compact(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _kind(shape: Mapping[str, Any]) -> str:
    kind = str(shape.get("type", "?"))
    if kind == "structure":
        if shape.get("exception"):
            return "error"
        if shape.get("union"):
            return "union"
        if shape.get("document"):
            return "document"
    if kind == "string" and "enum" in shape:
        return "enum"
    return kind


def _docs_differ(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return any(old.get(key) != new.get(key) for key in _DOC_KEYS)


def _without_docs(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if key not in _DOC_KEYS}


def _key_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], skip: Iterable[str]
) -> tuple[tuple[str, str, str], ...]:
    skipped = frozenset(skip)
    keys = sorted((set(old) | set(new)) - skipped)
    return tuple(
        (key, _compact(old.get(key)), _compact(new.get(key)))
        for key in keys
        if old.get(key) != new.get(key)
    )


def _member_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], docs: dict[str, int]
) -> tuple[MemberChange, ...]:
    old_members: Mapping[str, Any] = old.get("members", {})
    new_members: Mapping[str, Any] = new.get("members", {})
    old_required = set(old.get("required", ()))
    new_required = set(new.get("required", ()))
    changes: list[MemberChange] = []
    for name in new_members:
        if name not in old_members:
            changes.append(
                MemberChange(
                    name,
                    "added",
                    new=str(new_members[name]["shape"]),
                    key="required" if name in new_required else None,
                )
            )
    for name in old_members:
        if name not in new_members:
            changes.append(MemberChange(name, "removed", old=str(old_members[name]["shape"])))
    for name, new_ref in new_members.items():
        old_ref = old_members.get(name)
        if old_ref is None:
            continue
        if _docs_differ(old_ref, new_ref):
            docs["members"] += 1
        if old_ref["shape"] != new_ref["shape"]:
            changes.append(
                MemberChange(name, "retyped", old=str(old_ref["shape"]), new=str(new_ref["shape"]))
            )
        for key, before, after in _key_changes(old_ref, new_ref, {"shape", *_DOC_KEYS}):
            changes.append(MemberChange(name, "changed", old=before, new=after, key=key))
        if name in new_required and name not in old_required:
            changes.append(MemberChange(name, "required"))
        elif name in old_required and name not in new_required:
            changes.append(MemberChange(name, "optional"))
    return tuple(changes)


def _operation_inputs(service: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    inputs: dict[str, list[str]] = {}
    for name, op in sorted(service["operations"].items()):
        shape = op.get("input", {}).get("shape")
        if shape:
            inputs.setdefault(shape, []).append(name)
    return {shape: tuple(ops) for shape, ops in inputs.items()}


def _reachable(shapes: Mapping[str, Any], roots: Iterable[str]) -> frozenset[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen or name not in shapes:
            continue
        seen.add(name)
        shape = shapes[name]
        stack.extend(ref["shape"] for ref in shape.get("members", {}).values())
        stack.extend(shape[key]["shape"] for key in ("member", "key", "value") if key in shape)
    return frozenset(seen)


def _counts(service: Mapping[str, Any], paginators: Mapping[str, Any]) -> dict[str, int]:
    shapes: Mapping[str, Any] = service["shapes"]
    kinds = [_kind(shape) for shape in shapes.values()]
    return {
        "operations": len(service["operations"]),
        "shapes": len(shapes),
        "structures": sum(1 for shape in shapes.values() if shape.get("type") == "structure"),
        "enums": kinds.count("enum"),
        "errors": kinds.count("error"),
        "paginators": len(paginators),
    }


def diff_models(old: ModelVersion, new: ModelVersion) -> SpecDiff:
    """Compare two model versions."""
    old_service, new_service = old.service, new.service
    docs = {"service": 0, "operations": 0, "shapes": 0, "members": 0}
    if _docs_differ(old_service, new_service):
        docs["service"] += 1

    old_ops: Mapping[str, Any] = old_service["operations"]
    new_ops: Mapping[str, Any] = new_service["operations"]
    operations_changed = []
    for name in sorted(set(old_ops) & set(new_ops)):
        before, after = old_ops[name], new_ops[name]
        if _docs_differ(before, after):
            docs["operations"] += 1
        old_errors = {error["shape"] for error in before.get("errors", ())}
        new_errors = {error["shape"] for error in after.get("errors", ())}
        attributes = _key_changes(before, after, {"errors", "name", *_DOC_KEYS})
        if old_errors != new_errors or attributes:
            operations_changed.append(
                OperationChange(
                    name,
                    errors_added=tuple(sorted(new_errors - old_errors)),
                    errors_removed=tuple(sorted(old_errors - new_errors)),
                    attributes=attributes,
                )
            )

    old_shapes: Mapping[str, Any] = old_service["shapes"]
    new_shapes: Mapping[str, Any] = new_service["shapes"]
    shapes_changed = []
    enums_changed = []
    for name in sorted(set(old_shapes) & set(new_shapes)):
        before, after = old_shapes[name], new_shapes[name]
        if _docs_differ(before, after):
            docs["shapes"] += 1
        old_enum, new_enum = before.get("enum"), after.get("enum")
        if old_enum is not None and new_enum is not None and old_enum != new_enum:
            enums_changed.append(
                EnumChange(
                    name,
                    added=tuple(value for value in new_enum if value not in old_enum),
                    removed=tuple(value for value in old_enum if value not in new_enum),
                )
            )
        members = _member_changes(before, after, docs)
        skip = set(_SHAPE_KEYS_HANDLED)
        if old_enum is None or new_enum is None:
            skip.discard("enum")  # an enum appearing or disappearing is an attribute change
        attributes = _key_changes(before, after, skip)
        if before.get("type") != after.get("type") or members or attributes:
            shapes_changed.append(
                ShapeChange(
                    name,
                    old_type=_kind(before),
                    new_type=_kind(after),
                    members=members,
                    attributes=attributes,
                )
            )

    paginator_changes = []
    for name in sorted(set(old.paginators) | set(new.paginators)):
        before_pag, after_pag = old.paginators.get(name), new.paginators.get(name)
        if before_pag == after_pag:
            continue
        if before_pag is None:
            paginator_changes.append(PaginatorChange(name, "added", new=_compact(after_pag)))
        elif after_pag is None:
            paginator_changes.append(PaginatorChange(name, "removed", old=_compact(before_pag)))
        else:
            paginator_changes.append(
                PaginatorChange(name, "changed", old=_compact(before_pag), new=_compact(after_pag))
            )

    old_counts = _counts(old_service, old.paginators)
    new_counts = _counts(new_service, new.paginators)
    metadata = new_service.get("metadata", {})
    return SpecDiff(
        old_label=old.label,
        new_label=new.label,
        service_id=str(metadata.get("serviceId") or metadata.get("endpointPrefix", "?")),
        api_version=str(metadata.get("apiVersion", "?")),
        counts={key: (old_counts[key], new_counts[key]) for key in new_counts},
        operations_added=tuple(sorted(set(new_ops) - set(old_ops))),
        operations_removed=tuple(sorted(set(old_ops) - set(new_ops))),
        operations_changed=tuple(operations_changed),
        shapes_added=tuple(
            (name, _kind(new_shapes[name])) for name in sorted(set(new_shapes) - set(old_shapes))
        ),
        shapes_removed=tuple(
            (name, _kind(old_shapes[name])) for name in sorted(set(old_shapes) - set(new_shapes))
        ),
        shapes_changed=tuple(shapes_changed),
        enums_changed=tuple(enums_changed),
        paginators=tuple(paginator_changes),
        metadata=_key_changes(old_service.get("metadata", {}), metadata, ()),
        documentation=docs,
        input_of=_operation_inputs(new_service),
        input_shapes=_reachable(new_shapes, _operation_inputs(new_service)),
        old_shapes=old_shapes,
        new_shapes=new_shapes,
    )


# -- Python names ------------------------------------------------------------------------------


def _method(operation: str) -> str:
    return safe_identifier(snake_case(operation))


def _attribute(member: str) -> str:
    return safe_identifier(snake_case(member))


def _enum_member(value: str) -> str:
    name = enum_member_name(value)
    if name.startswith("_") and name.endswith("_") and len(name) > 1:
        name += "X"
    return name


def _python_attribute(shape: str, member: str) -> str:
    return f"models.{safe_identifier(shape)}.{_attribute(member)}"


def _hint(shapes: Mapping[str, Any], name: str, depth: int = 0) -> str:
    """The Python annotation of a shape, as the generated code writes it."""
    shape = shapes.get(name)
    if shape is None or depth > 8:
        return name
    kind = _kind(shape)
    if kind in ("structure", "error", "union"):
        return f"models.{safe_identifier(name)}"
    if kind == "enum":
        return f"models.{safe_identifier(name)} | str"
    if kind == "list":
        return f"list[{_hint(shapes, shape['member']['shape'], depth + 1)}]"
    if kind == "map":
        return f"dict[str, {_hint(shapes, shape['value']['shape'], depth + 1)}]"
    return SCALAR_HINTS.get(kind, kind)


def _shape_detail(shapes: Mapping[str, Any], name: str) -> str:
    """``structure, 3 members``, ``enum: A, B``, ``list[models.X]``..."""
    shape = shapes[name]
    kind = _kind(shape)
    if kind in ("structure", "error", "union"):
        count = len(shape.get("members", {}))
        return f"{kind}, {count} member{'' if count == 1 else 's'}"
    if kind == "enum":
        return "enum: " + ", ".join(shape["enum"])
    if kind in ("list", "map"):
        return _hint(shapes, name)
    return kind


# -- plain-text report -------------------------------------------------------------------------


def _count_line(diff: SpecDiff) -> str:
    parts = []
    for key, (before, after) in diff.counts.items():
        parts.append(f"{key} {before} -> {after}" if before != after else f"{key} {after}")
    return ", ".join(parts)


def _docs_line(diff: SpecDiff) -> str:
    detail = ", ".join(f"{where} {count}" for where, count in diff.documentation.items() if count)
    total = diff.documentation_total
    noun = "string" if total == 1 else "strings"
    return f"{total} documentation {noun} changed" + (f" ({detail})" if detail else "")


def _member_text(diff: SpecDiff, shape: str, change: MemberChange) -> tuple[str, bool]:
    """A line describing a member change, and whether it can break existing code."""
    name = change.member
    if change.kind == "added":
        required = change.key == "required"
        text = f"+ {name}: {change.new}" + (" (required)" if required else "")
        return text, required and shape in diff.input_shapes
    if change.kind == "removed":
        return f"- {name}: {change.old}", True
    if change.kind == "retyped":
        return f"~ {name}: type {change.old} -> {change.new}", _retype_breaks(diff, change)
    if change.kind == "required":
        return f"~ {name}: now required", shape in diff.input_shapes
    if change.kind == "optional":
        return f"~ {name}: no longer required", False
    # Wire-level changes (location, locationName...) are the client's business, not the caller's.
    return f"~ {name}: {change.key} {change.old} -> {change.new}", False


def _retype_breaks(diff: SpecDiff, change: MemberChange) -> bool:
    """A new shape breaks callers when its Python type differs (``Integer`` -> ``Long`` does not)."""
    before = _hint(diff.old_shapes, change.old or "")
    return before != _hint(diff.new_shapes, change.new or "")


def _type_breaks(diff: SpecDiff, shape: str) -> bool:
    return _hint(diff.old_shapes, shape) != _hint(diff.new_shapes, shape)


def render_report(diff: SpecDiff) -> str:
    """A readable plain-text report."""
    lines = [
        f"{diff.service_id} model {diff.api_version}: {diff.old_label} -> {diff.new_label}",
        "",
        f"Counts: {_count_line(diff)}",
    ]
    if diff.is_empty:
        lines += ["", "No differences."]
        return "\n".join(lines) + "\n"
    breaking = " [breaking]"

    def section(title: str, body: list[str]) -> None:
        lines.append("")
        lines.append(title if body else f"{title}: none")
        lines.extend(f"  {line}" for line in body)

    section(
        f"Operations added ({len(diff.operations_added)})",
        [f"+ {op}  (client.{_method(op)})" for op in diff.operations_added],
    )
    section(
        f"Operations removed ({len(diff.operations_removed)})",
        [f"- {op}  (client.{_method(op)}){breaking}" for op in diff.operations_removed],
    )
    changed_ops: list[str] = []
    for op_change in diff.operations_changed:
        changed_ops.append(f"{op_change.name}:")
        changed_ops.extend(f"  + error {error}" for error in op_change.errors_added)
        changed_ops.extend(f"  - error {error}" for error in op_change.errors_removed)
        changed_ops.extend(
            f"  ~ {key}: {before} -> {after}" for key, before, after in op_change.attributes
        )
    section(f"Operations changed ({len(diff.operations_changed)})", changed_ops)
    section(
        f"Shapes added ({len(diff.shapes_added)})",
        [f"+ {name} ({_shape_detail(diff.new_shapes, name)})" for name, _ in diff.shapes_added],
    )
    section(
        f"Shapes removed ({len(diff.shapes_removed)})",
        [f"- {name} ({kind}){breaking}" for name, kind in diff.shapes_removed],
    )
    changed_shapes: list[str] = []
    for shape_change in diff.shapes_changed:
        header = f"{shape_change.name} ({shape_change.new_type}):"
        if shape_change.old_type != shape_change.new_type:
            flag = breaking if _type_breaks(diff, shape_change.name) else ""
            header = (
                f"{shape_change.name}: type {shape_change.old_type} -> "
                f"{shape_change.new_type}{flag}"
            )
        changed_shapes.append(header)
        for member in shape_change.members:
            text, breaks = _member_text(diff, shape_change.name, member)
            if member.kind == "added":
                text += f"  ({_python_attribute(shape_change.name, member.member)})"
            changed_shapes.append(f"  {text}{breaking if breaks else ''}")
        changed_shapes.extend(
            f"  ~ {key}: {before} -> {after}" for key, before, after in shape_change.attributes
        )
    section(f"Shapes changed ({len(diff.shapes_changed)})", changed_shapes)
    enum_lines: list[str] = []
    for enum_change in diff.enums_changed:
        enum_lines.append(f"{enum_change.name}:")
        enum_lines.extend(f"  + {value}" for value in enum_change.added)
        enum_lines.extend(f"  - {value}{breaking}" for value in enum_change.removed)
    section(f"Enum values changed ({len(diff.enums_changed)})", enum_lines)
    pag_lines: list[str] = []
    for pag in diff.paginators:
        if pag.kind == "added":
            pag_lines.append(f"+ {pag.operation}  (client.paginate_{_method(pag.operation)})")
        elif pag.kind == "removed":
            pag_lines.append(f"- {pag.operation}{breaking}")
        else:
            pag_lines.append(f"~ {pag.operation}: {pag.old} -> {pag.new}")
    section(f"Paginators changed ({len(diff.paginators)})", pag_lines)
    section(
        f"Metadata changed ({len(diff.metadata)})",
        [f"~ {key}: {before} -> {after}" for key, before, after in diff.metadata],
    )
    lines += ["", f"Documentation: {_docs_line(diff)}"]
    return "\n".join(lines) + "\n"


# -- Markdown changelog entry ------------------------------------------------------------------


def _code(text: str) -> str:
    return f"`{text}`"


def render_changelog(diff: SpecDiff, version: str, date: str | None = None) -> str:
    """The diff as a ``CHANGELOG.md`` entry (Keep a Changelog headings)."""
    heading = f"## [{version}] - {date or 'Unreleased'}"
    title = f"### {diff.service_id} model {diff.api_version}: {diff.old_label} -> {diff.new_label}"
    added: list[str] = []
    changed: list[str] = []
    removed: list[str] = []

    for op in diff.operations_added:
        added.append(f"Operation {_code(op)}: {_code(f'client.{_method(op)}()')}")
    for pag in diff.paginators:
        method = _code(f"client.paginate_{_method(pag.operation)}()")
        if pag.kind == "added":
            added.append(f"Paginator for {_code(pag.operation)}: {method}")
        elif pag.kind == "removed":
            removed.append(f"**Breaking:** paginator for {_code(pag.operation)} ({method})")
        else:
            changed.append(f"Paginator for {_code(pag.operation)}: {pag.old} -> {pag.new}")
    for name, kind in diff.shapes_added:
        if kind in ("structure", "error", "union"):
            added.append(f"Model class {_code(f'models.{safe_identifier(name)}')} ({kind})")
        elif kind == "enum":
            values = ", ".join(_code(value) for value in diff.new_shapes[name]["enum"])
            added.append(f"Enum {_code(f'models.{safe_identifier(name)}')}: {values}")
        else:
            added.append(f"Shape {_code(name)}: {_code(_hint(diff.new_shapes, name))}")
    for shape_change in diff.shapes_changed:
        shape = shape_change.name
        cls = f"models.{safe_identifier(shape)}"
        callers = ", ".join(_code(f"client.{_method(op)}()") for op in diff.input_of.get(shape, ()))
        is_input = shape in diff.input_shapes
        if shape_change.old_type != shape_change.new_type:
            prefix = "**Breaking:** " if _type_breaks(diff, shape) else ""
            changed.append(
                f"{prefix}{_code(shape)}: type {shape_change.old_type} -> "
                f"{shape_change.new_type} ({_code(_hint(diff.new_shapes, shape))})"
            )
        for member in shape_change.members:
            py_name = _attribute(member.member)
            subject = (
                f"argument {_code(py_name)} of {callers}" if callers else _code(f"{cls}.{py_name}")
            )
            if member.kind == "added":
                required = member.key == "required"
                text = f"{subject}: {_code(_hint(diff.new_shapes, member.new or ''))}"
                if required and is_input:
                    changed.append(f"**Breaking:** new required {text}")
                else:
                    added.append(text + (" (required)" if required else ""))
            elif member.kind == "removed":
                removed.append(f"**Breaking:** {subject} (`{member.member}`: {member.old})")
            elif member.kind == "retyped":
                prefix = "**Breaking:** " if _retype_breaks(diff, member) else ""
                changed.append(
                    f"{prefix}{subject}: shape {_code(member.old or '')} -> "
                    f"{_code(member.new or '')} "
                    f"({_code(_hint(diff.new_shapes, member.new or ''))})"
                )
            elif member.kind == "required":
                prefix = "**Breaking:** " if is_input else ""
                changed.append(f"{prefix}{subject} is now required")
            elif member.kind == "optional":
                changed.append(f"{subject} is no longer required")
            else:
                changed.append(f"{subject}: {member.key} {member.old} -> {member.new}")
        for key, before, after in shape_change.attributes:
            changed.append(f"{_code(shape)}: {key} {before} -> {after}")
    for enum_change in diff.enums_changed:
        cls = f"models.{safe_identifier(enum_change.name)}"
        for value in enum_change.added:
            added.append(f"Enum value {_code(f'{cls}.{_enum_member(value)}')} ({value!r})")
        for value in enum_change.removed:
            removed.append(
                f"**Breaking:** enum value {_code(f'{cls}.{_enum_member(value)}')} ({value!r})"
            )
    for op_change in diff.operations_changed:
        method = _code(f"client.{_method(op_change.name)}()")
        for error in op_change.errors_added:
            changed.append(f"{method} may raise {_code(f'errors.{safe_identifier(error)}')}")
        for error in op_change.errors_removed:
            changed.append(f"{method} no longer raises {_code(f'errors.{safe_identifier(error)}')}")
        for key, before, after in op_change.attributes:
            changed.append(f"{method}: {key} {before} -> {after}")
    for op in diff.operations_removed:
        removed.append(f"**Breaking:** operation {_code(op)} ({_code(f'client.{_method(op)}()')})")
    for name, kind in diff.shapes_removed:
        removed.append(f"**Breaking:** shape {_code(name)} ({kind})")
    for key, before, after in diff.metadata:
        changed.append(f"Model metadata {_code(key)}: {before} -> {after}")

    lines = [heading, "", title, ""]
    counts = _count_line(diff)
    lines += [f"Model counts: {counts}.", ""]
    for name, items in (("Added", added), ("Changed", changed), ("Removed", removed)):
        if items:
            lines += [f"#### {name}", ""]
            lines += [f"- {item[:1].upper()}{item[1:]}" for item in items]
            lines.append("")
    if diff.documentation_total:
        lines += ["#### Documentation", "", f"- {_docs_line(diff)}.", ""]
    if diff.is_empty:
        lines += ["No differences.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m codegen.spec_diff",
        description="Report what changed between two versions of a botocore service model.",
    )
    parser.add_argument("old", help="directory with service-2.json[.gz], or botocore:SERVICE")
    parser.add_argument("new", help="directory with service-2.json[.gz], or botocore:SERVICE")
    parser.add_argument(
        "--changelog", metavar="VERSION", help="print a Markdown CHANGELOG.md entry for VERSION"
    )
    parser.add_argument("--date", help="release date for the changelog entry (default: Unreleased)")
    args = parser.parse_args(argv)
    try:
        old = load_model(args.old)
        new = load_model(args.new)
        diff = diff_models(old, new)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"spec-diff: {exc}", file=sys.stderr)
        return 2
    if args.changelog:
        sys.stdout.write(render_changelog(diff, args.changelog, args.date))
    else:
        sys.stdout.write(render_report(diff))
    return 0


if __name__ == "__main__":
    sys.exit(main())
