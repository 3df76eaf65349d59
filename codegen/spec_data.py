"""The descriptors of ``_spec.py`` as constant data instead of calls.

``codegen.build`` and the protocol generator decide each descriptor and render it as a call
of the runtime's descriptor vocabulary (``structure("Account", (M(...), ...),
cls_name="Account")``, ``Operation("GetRestApi", "GET", ...)``). Imported as calls (or as
functions making them), a model's descriptors cost a client's first call milliseconds:
unmarshalling the code objects and the thousands of names in them (each one interned),
then running them. Here each call becomes JSON, which the runtime decodes and turns into the
call the first time it looks the descriptor up (``runtime.shapes.LazyTable``); a table's
JSON is packed into three constants (:func:`packed_data`, ``runtime.shapes.PackedData``),
which load from the bytecode in a few pieces, and JSON is decoded by C code that makes
tuples of nothing but what is looked up.

:func:`call_data` turns one rendered call into its data by parsing it (never by running
it). A shape is ``[constructor, [arguments after the name], {options}]``, an operation
``[[arguments after the name], {options}]``, a paginator ``[[arguments], {options}]``; a
member ``M(...)`` is ``[name, py_name, shape, location?, wire_name?, {options}?]``: its
positional arguments, then its keyword arguments when it has any. Every other argument
must be a literal of strings, numbers, booleans, ``None`` and tuples (JSON arrays; the
runtime makes every array a tuple again).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from typing import Any

from codegen.build import GenerationError

__all__ = [
    "DescriptorDataError",
    "call_data",
    "enum_members_text",
    "named_call_pieces",
    "packed_data",
    "shape_pieces",
]

#: The member descriptor's name in generated code (``Member as M``).
MEMBER = "M"


class DescriptorDataError(GenerationError):
    """A rendered descriptor that is not a call of literals (and members)."""


def _parse_call(text: str) -> ast.Call:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise DescriptorDataError(f"not a descriptor call: {text!r}") from exc
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise DescriptorDataError(f"not a descriptor call: {text!r}")
    return node


def _value(node: ast.expr, text: str) -> Any:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == MEMBER:
        positional, options = _arguments(node, text)
        return (*positional, dict(options)) if options else positional
    if isinstance(node, ast.Tuple):
        return tuple(_value(item, text) for item in node.elts)
    try:
        return ast.literal_eval(node)
    except ValueError as exc:
        raise DescriptorDataError(f"not a literal in {text!r}: {ast.unparse(node)}") from exc


def _arguments(call: ast.Call, text: str) -> tuple[tuple[Any, ...], tuple[tuple[str, Any], ...]]:
    positional = tuple(_value(arg, text) for arg in call.args)
    options = []
    for keyword in call.keywords:
        if keyword.arg is None:
            raise DescriptorDataError(f"** in a descriptor: {text!r}")
        options.append((keyword.arg, _value(keyword.value, text)))
    return positional, tuple(options)


def call_data(text: str) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    """``(function name, positional arguments, keyword arguments)`` of the call ``text``;
    a member argument becomes its data."""
    call = _parse_call(text)
    assert isinstance(call.func, ast.Name)  # checked by _parse_call
    positional, options = _arguments(call, text)
    return call.func.id, positional, dict(options)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def enum_members_text(members: Sequence[tuple[str, str]]) -> str:
    """An enum's ``(name, value)`` members as one string: ``name<US>value`` joined by
    ``<RS>`` (``runtime.model_classes.enum_attribute`` splits it: one string loads from the
    bytecode faster than many small interned ones, and splits faster than JSON decodes)."""
    # The runtime's own separators (imported here: the generator may run while the package
    # it writes is being replaced).
    from aioapigateway.runtime.model_classes import ENUM_MEMBER_SEPARATOR, ENUM_VALUE_SEPARATOR

    for name, value in members:
        for text in (name, value):
            if ENUM_MEMBER_SEPARATOR in text or ENUM_VALUE_SEPARATOR in text:
                raise DescriptorDataError(f"an enum member holds a separator: {text!r}")
    return ENUM_MEMBER_SEPARATOR.join(
        name + ENUM_VALUE_SEPARATOR + value for name, value in members
    )


def _literal(pieces: list[str]) -> str:
    """The Python expression of the string ``"".join(pieces)``: one literal per piece,
    implicitly concatenated (folded into one constant by the compiler)."""
    if len(pieces) == 1:
        return repr(pieces[0])
    return "(" + "\n".join(repr(piece) for piece in pieces) + ")"


def shape_pieces(text: str) -> list[str]:
    """A shape descriptor call as the pieces of its JSON ``[constructor, [arguments after
    the name], {options}]`` (a structure's members one piece each)."""
    constructor, positional, options = call_data(text)
    if not positional or not isinstance(positional[0], str):
        raise DescriptorDataError(f"a shape descriptor names its shape first: {text!r}")
    arguments = positional[1:]
    if constructor == "structure" and arguments and arguments[0]:
        members = [_json(member) for member in arguments[0]]
        rest = "".join(f", {_json(argument)}" for argument in arguments[1:])
        pieces = [f'["structure", [[{members[0]}', *(f", {member}" for member in members[1:])]
        pieces[-1] += f"]{rest}], {_json(options)}]"
        return pieces
    return [_json([constructor, list(arguments), options])]


def named_call_pieces(text: str) -> list[str]:
    """An ``Operation(name, ...)`` or ``Paginator(...)`` call as its JSON
    ``[[arguments], {options}]`` (one piece); an operation's name is left out."""
    constructor, positional, options = call_data(text)
    if constructor == "Operation":
        if not positional or not isinstance(positional[0], str):
            raise DescriptorDataError(f"an operation descriptor names it first: {text!r}")
        positional = positional[1:]
    return [_json([list(positional), options])]


def packed_data(entries: Sequence[tuple[str, Sequence[str]]]) -> str:
    """The Python expression ``PackedData(names, data, offsets)`` (``runtime.shapes``) of a
    table's entries, ``(name, pieces of its JSON)`` in the table's order: the names joined by
    spaces, the descriptors' JSON one after another as one ``bytes`` (one literal per piece,
    implicitly concatenated), and where each descriptor starts, then where the last ends."""
    names: list[str] = []
    pieces: list[str] = []
    offsets = [0]
    for name, entry in entries:
        if not name or not name.isascii() or " " in name or not name.isprintable():
            raise DescriptorDataError(
                f"a descriptor name must be printable ASCII without spaces: {name!r}"
            )
        names.append(name)
        pieces.extend(entry)
        offsets.append(offsets[-1] + sum(len(piece) for piece in entry))
    text = "".join(pieces)
    if not text.isascii():  # _json escapes everything else: lengths are byte counts
        raise DescriptorDataError("descriptor data must be ASCII")
    name_literal = _literal([f"{name} " for name in names[:-1]] + names[-1:]) if names else "''"
    data_literal = (
        "(" + "\n".join(repr(piece.encode("ascii")) for piece in pieces) + ")" if pieces else "b''"
    )
    offsets_literal = "(" + ", ".join(map(str, offsets)) + ",)"
    return f"PackedData(\n{name_literal},\n{data_literal},\n{offsets_literal},\n)"
