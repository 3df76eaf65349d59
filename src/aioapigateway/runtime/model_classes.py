"""What the generated model classes share: attrs' metadata built on first use, the repr guard.

A generated model class is an attrs class: ``attrs.has``, ``attrs.fields``, ``asdict``,
``evolve``, cattrs, pickling and copying all work on it. Its methods (``__init__``,
``__repr__``, ``__eq__``, ``__getstate__``, ...) are ordinary code that the generator writes,
the code ``attrs.define(kw_only=True, eq=True)`` would build. ``attrs.define`` builds it with
``compile()`` in every process that defines the class (about 2 ms for an 18-member class, and
a first call defines several); written out, it is compiled once, into the module's ``.pyc``.

Enum shapes are ``enum.StrEnum`` classes made by :func:`make_str_enum`, which takes about
half the time of a ``class X(enum.StrEnum)`` statement. A package's enums share one generated
module whose ``__getattr__`` (:func:`enum_attribute`) makes each from its definition the first
time it is read.

What attrs' API reads from a class (``__attrs_attrs__``, ``__attrs_props__``) is built the
first time something reads it, by ``attrs.define`` itself on a twin class declared with the
same members (:func:`attrs_class`), and then stored on the model class. So it is what
``attrs.define`` makes, with any attrs version, and nothing on a client's call path pays for
it: the parser calls the class, the serializer reads attributes.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

__all__ = [
    "ENUM_MEMBER_SEPARATOR",
    "ENUM_VALUE_SEPARATOR",
    "EnumDefinition",
    "attrs_class",
    "enter_repr",
    "enum_attribute",
    "import_model_module",
    "leave_repr",
    "make_str_enum",
    "ne",
    "setstate",
]

if TYPE_CHECKING:
    # Only in annotations (strings here): a TypeVar costs a first call 20 us to make.
    _T = TypeVar("_T", bound=type)

#: The attributes attrs' API reads from a class that are built on first use. A name the
#: installed attrs does not set (``__attrs_props__`` before attrs 25.4) is removed then.
_LAZY_NAMES = ("__attrs_attrs__", "__attrs_props__")

_lock = threading.RLock()
_repr_state = threading.local()


def import_model_module(package: str, directories: Sequence[str], module: str) -> ModuleType:
    """Generated module ``package.module`` (``aioapigateway.models._rest_api``), imported.

    ``directories`` is the package's ``__path__``. The module is loaded from its source
    file's location, as importlib's "importing a source file directly" recipe does, not
    found by the import system: finding the first module of a models package means listing
    a directory of hundreds of files (a quarter of a millisecond, on a client's first call).
    The bytecode cache is used and written as by ``import``. A package whose modules are not
    plain source files (a zip, only ``.pyc`` files, a frozen application) is imported the
    usual way.
    """
    name = f"{package}.{module}"
    loaded = sys.modules.get(name)
    if loaded is not None and not _initializing(loaded):
        return loaded
    with _lock:  # two threads loading one module at once must get the same classes
        loaded = sys.modules.get(name)
        if loaded is not None:
            # Set, and loaded by this function (which holds the lock while it runs one), or by
            # an import statement, which waits for another thread's import to finish.
            return importlib.import_module(name) if _initializing(loaded) else loaded
        location = os.path.join(directories[0], module + ".py") if directories else ""
        spec = importlib.util.spec_from_file_location(name, location) if location else None
        if spec is None or spec.loader is None or not os.path.isfile(location):
            return importlib.import_module(name)
        loaded = importlib.util.module_from_spec(spec)
        # What the import system marks a module with while it runs (read above).
        spec._initializing = True  # type: ignore[attr-defined]
        sys.modules[name] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[name]
            raise
        finally:
            spec._initializing = False  # type: ignore[attr-defined]
        # As the import system does: the parent package gets the module as an attribute.
        setattr(sys.modules[package], module, loaded)
        return loaded


def _initializing(module: ModuleType) -> bool:
    """Whether ``module`` is still running (set in ``sys.modules`` before it ran)."""
    return bool(getattr(module.__spec__, "_initializing", False))


def attrs_class(*, redacted: tuple[str, ...] = ()) -> Callable[[_T], _T]:
    """Class decorator for a generated model class: makes it an attrs class, lazily.

    The class itself is kept (not re-created). ``redacted`` names the members whose
    ``repr`` is :func:`~aioapigateway.runtime.redact.redacted_repr` (attrs' ``repr=``).
    Which members are required and their defaults are read from the class's ``__init__``,
    their annotations from its ``__annotations__``, so the metadata describes the class as
    it behaves.
    """

    def decorate(cls: _T) -> _T:
        for name in _LAZY_NAMES:
            type.__setattr__(cls, name, _LazyMetadata(cls, name, redacted))
        if sys.version_info >= (3, 13) and "__replace__" not in cls.__dict__:
            # attrs.define adds copy.replace() support from Python 3.13 on.
            type.__setattr__(cls, "__replace__", _replace)
        return cls

    return decorate


class _LazyMetadata:
    """Stands in a model class for one of attrs' metadata attributes until it is first read;
    then the real values, all at once, take the place of every stand-in."""

    __slots__ = ("_name", "_owner", "_redacted")

    def __init__(self, owner: type, name: str, redacted: tuple[str, ...]) -> None:
        self._owner = owner
        self._name = name
        self._redacted = redacted

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        # ``owner`` may be a subclass that inherits the stand-in: the metadata is the
        # defining class's.
        _materialize(self._owner, self._redacted)
        return getattr(self._owner, self._name)

    def __getattr__(self, attribute: str) -> Any:
        # attrs.inspect() reads ``cls.__dict__["__attrs_props__"]``, past the descriptor
        # protocol: forward to the real object.
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(self.__get__(None), attribute)

    def __repr__(self) -> str:
        return repr(self.__get__(None))


def _materialize(cls: type, redacted: tuple[str, ...]) -> None:
    """Replace ``cls``'s stand-ins by what ``attrs.define`` makes for its twin."""
    with _lock:
        if not isinstance(cls.__dict__.get("__attrs_attrs__"), _LazyMetadata):
            return  # another thread did it
        import attrs

        twin = attrs.define(kw_only=True, eq=True)(_twin(cls, redacted))
        for name in _LAZY_NAMES:
            if name not in twin.__dict__:
                type.__delattr__(cls, name)
        for name, value in twin.__dict__.items():
            if name.startswith("__attrs_"):
                type.__setattr__(cls, name, value)


def _twin(cls: type, redacted: tuple[str, ...]) -> type:
    """A plain class declaring ``cls``'s members as its attrs.define declaration would."""
    import inspect

    import attrs

    from .redact import redacted_repr

    annotations: dict[str, Any] = dict(inspect.get_annotations(cls))
    defaults: dict[str, Any] = cls.__init__.__kwdefaults__ or {}  # type: ignore[misc]
    namespace: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "__annotations__": annotations,
    }
    for name in annotations:
        if name in redacted:
            if name in defaults:
                namespace[name] = attrs.field(default=defaults[name], repr=redacted_repr)
            else:
                namespace[name] = attrs.field(repr=redacted_repr)
        elif name in defaults:
            namespace[name] = defaults[name]
    return type(cls.__name__, (), namespace)


def enter_repr(obj: object) -> bool:
    """Whether ``obj``'s ``__repr__`` may go on: False when it is already being written in
    this thread (a cycle), where it writes ``...`` as attrs' does."""
    try:
        active: set[int] = _repr_state.active
    except AttributeError:
        active = _repr_state.active = set()
    key = id(obj)
    if key in active:
        return False
    active.add(key)
    return True


def leave_repr(obj: object) -> None:
    """``obj``'s ``__repr__`` is done (after :func:`enter_repr` returned True)."""
    _repr_state.active.discard(id(obj))


def ne(self: object, other: object) -> Any:
    """``__ne__`` of every model class: the negation of ``__eq__``, ``NotImplemented`` kept."""
    result = self.__eq__(other)
    if result is NotImplemented:
        return NotImplemented
    return not result


def setstate(obj: object, state: Any, names: tuple[str, ...]) -> None:
    """``__setstate__`` of a model class with members ``names``: ``state`` is the dict its
    ``__getstate__`` made (or a tuple, as attrs before 22.2 pickled), members it lacks are
    left unset, as attrs does."""
    if isinstance(state, tuple):
        for name, value in zip(names, state, strict=False):
            object.__setattr__(obj, name, value)
        return
    for name in names:
        if name in state:
            object.__setattr__(obj, name, state[name])


def _replace(self: Any, /, **changes: Any) -> Any:
    """``copy.replace(model, ...)``: ``attrs.evolve``."""
    import attrs

    return attrs.evolve(self, **changes)


#: An enum's definition in a generated enums module: its docstring, and its members in order,
#: each ``name`` + ``ENUM_VALUE_SEPARATOR`` + ``value``, joined by ``ENUM_MEMBER_SEPARATOR``
#: (written by ``codegen.spec_data.enum_members_text``).
EnumDefinition = tuple[str, str]
#: The ASCII record and unit separators, which no model's enum name or value holds.
ENUM_MEMBER_SEPARATOR = "\x1e"
ENUM_VALUE_SEPARATOR = "\x1f"


def enum_attribute(
    namespace: dict[str, Any], definitions: Mapping[str, EnumDefinition], name: str
) -> Any:
    """The ``__getattr__`` of a generated enums module (``namespace`` its globals): enum
    ``name`` made from its definition and stored in the module, so it is made once and
    later reads are plain attribute reads."""
    definition = definitions.get(name)
    if definition is None:
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
    with _lock:  # two threads reading a new enum at once must get the same class
        made = namespace.get(name)
        if made is None:
            doc, members = definition
            pairs = tuple(_member(member) for member in members.split(ENUM_MEMBER_SEPARATOR))
            made = namespace[name] = make_str_enum(name, namespace["__name__"], doc, pairs)
    return made


def _member(text: str) -> tuple[str, str]:
    name, _, value = text.partition(ENUM_VALUE_SEPARATOR)
    return name, value


def make_str_enum(
    name: str, module: str, doc: str, members: tuple[tuple[str, str], ...]
) -> type[enum.StrEnum]:
    """The ``enum.StrEnum`` ``name`` of module ``module`` with these ``(name, value)``
    members and docstring: what the class statement would make.

    ``enum._simple_enum`` is the standard library's own faster way to define an enum (its
    start-up critical enums use it): no per-member ``__set_name__`` and checks, about half
    the cost of the class statement. The generator has already checked what those checks
    would (member names unique and valid, values unique ``str``). An interpreter without it
    gets the functional API, the same enum the slow way.
    """
    simple = getattr(enum, "_simple_enum", None)
    if simple is not None:
        body: dict[str, Any] = {"__module__": module, "__qualname__": name, "__doc__": doc}
        body.update(members)
        made: type[enum.StrEnum] = simple(enum.StrEnum)(type(name, (), body))
        return made
    functional: Any = enum.StrEnum
    made = functional(name, members, module=module, qualname=name)
    made.__doc__ = doc
    return made
