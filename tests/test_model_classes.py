"""The generated model classes behave exactly as the ``attrs.define`` classes they declare.

Every model module holds its class twice: under ``if TYPE_CHECKING:`` the declaration type
checkers see (``@attrs.define(kw_only=True, eq=True)``, or ``class X(enum.StrEnum)``), and the
class used at run time, whose methods are written out (``runtime.model_classes`` says why).
For every model class of every generated package and of the golden package, the declaration
is cut out of the module's source and defined for real with attrs (or enum): the reference.
The run-time class must match it in everything users and libraries see: attrs' metadata,
the class's attributes, ``__init__``'s signature and errors, ``repr`` (secrets redacted),
``==``/``!=``, ``asdict``/``evolve``/pickle/copy, cattrs; enums pass the standard library's
own equivalence check (``enum._test_simple_enum``).
"""

from __future__ import annotations
import __future__

import ast
import concurrent.futures
import contextlib
import copy
import datetime
import enum
import functools
import importlib
import inspect
import os
import pickle
import re
import subprocess
import sys
import textwrap
import threading
import typing
import weakref
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import cattrs
import pytest

import aioapigateway
from aioapigateway.runtime import model_classes
from codegen.spec_data import enum_members_text

ROOT = Path(__file__).resolve().parents[1]


def installed_packages() -> list[str]:
    """``aioapigateway`` and every generated package below it (a directory with ``_spec.py``)."""
    src = Path(aioapigateway.__file__).parent
    found = ["aioapigateway"]
    for child in sorted(src.iterdir()):
        if (child / "_spec.py").is_file() and (child / "models" / "__init__.py").is_file():
            found.append(f"aioapigateway.{child.name}")
    return found


@contextlib.contextmanager
def imported_from(directory: Path, package: str) -> Iterator[ModuleType]:
    """``package`` imported from ``directory``, forgotten again afterwards."""
    sys.path.insert(0, str(directory))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(directory))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module", params=[*installed_packages(), "golden_service"])
def package(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    if request.param == "golden_service":
        with imported_from(ROOT / "tests" / "golden", "golden_service") as golden:
            yield golden
    else:
        yield importlib.import_module(request.param)


def model_classes_of(package: ModuleType) -> list[type]:
    models = importlib.import_module(package.__name__ + ".models")
    return [getattr(models, name) for name in models.__all__]


@functools.cache
def declared(cls: type) -> type:
    """What type checkers see of ``cls``, defined for real: a structure's ``if TYPE_CHECKING:``
    declaration in its module; an enum's class statement in the enums module's stub."""
    module = sys.modules[cls.__module__]
    source = Path(module.__file__ or "")
    stub = source.with_suffix(".pyi")
    tree = ast.parse((stub if stub.exists() else source).read_text())
    if stub.exists():
        body = tree.body
    else:
        branches = [
            node
            for node in tree.body
            if isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
            and node.orelse
        ]
        assert len(branches) == 1, cls
        body = branches[0].body
    (declaration,) = [n for n in body if isinstance(n, ast.ClassDef) and n.name == cls.__name__]
    code = compile(
        ast.Module(body=[declaration], type_ignores=[]),
        module.__file__ or "",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    namespace = {**vars(module), "attrs": attrs, "enum": enum}
    exec(code, namespace)
    reference: type = namespace[cls.__name__]
    return reference


@functools.cache
def structures(package: ModuleType) -> list[tuple[type, type]]:
    return [
        (cls, declared(cls)) for cls in model_classes_of(package) if not issubclass(cls, enum.Enum)
    ]


def full_kwargs(cls: type) -> dict[str, Any]:
    """A value for every member, each one different."""
    return {field.name: f"<{cls.__name__}.{field.name}>" for field in attrs.fields(cls)}


def required(cls: type) -> list[str]:
    return [f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING]


def field_facts(field: attrs.Attribute[Any]) -> dict[str, Any]:
    return {slot: getattr(field, slot) for slot in field.__slots__}


def type_error(make: Any) -> str:
    with pytest.raises(TypeError) as caught:
        make()
    return str(caught.value)


# -- attrs' metadata and the class's attributes ------------------------------------------------


def test_attrs_metadata_equals_what_attrs_define_makes(package: ModuleType) -> None:
    checked = 0
    for cls, reference in structures(package):
        assert attrs.has(cls)
        ours, theirs = attrs.fields(cls), attrs.fields(reference)
        assert [field_facts(f) for f in ours] == [field_facts(f) for f in theirs], cls
        assert type(ours).__name__ == type(theirs).__name__
        assert attrs.fields_dict(cls).keys() == attrs.fields_dict(reference).keys()
        if hasattr(attrs, "inspect"):
            assert attrs.inspect(cls) == attrs.inspect(reference), cls
        checked += 1
    assert checked > 0


def test_class_attributes_equal_attrs_define(package: ModuleType) -> None:
    for cls, reference in structures(package):
        attrs.fields(cls)  # the metadata is built: compare everything
        assert sorted(cls.__dict__) == sorted(reference.__dict__), cls
        for name in ("__slots__", "__match_args__", "__hash__", "__attrs_own_setattr__"):
            assert cls.__dict__[name] == reference.__dict__[name], (cls, name)
        assert inspect.get_annotations(cls) == inspect.get_annotations(reference)
        assert cls.__doc__ == reference.__doc__
        assert cls.__qualname__ == reference.__qualname__ and cls.__module__ == reference.__module__


def test_init_signature_and_errors_equal_attrs_define(package: ModuleType) -> None:
    for cls, reference in structures(package):
        ours = inspect.signature(cls.__init__).parameters
        theirs = inspect.signature(reference.__init__).parameters
        assert list(ours.values()) == list(theirs.values()), cls
        must = required(reference)
        if must:  # a missing required argument: Python's own TypeError, same message
            partial = {name: 1 for name in must[1:]}
            assert type_error(lambda c=cls, p=partial: c(**p)) == type_error(
                lambda r=reference, p=partial: r(**p)
            )
        kwargs = {name: 1 for name in must}
        for bad in (
            lambda c, k=kwargs: c(**k, no_such_member=1),
            lambda c, k=kwargs: c(1, **k),
        ):
            assert type_error(lambda b=bad, c=cls: b(c)) == type_error(
                lambda b=bad, r=reference: b(r)
            ), cls


def test_init_sets_every_member_and_defaults_the_optional_ones(package: ModuleType) -> None:
    for cls, reference in structures(package):
        values = full_kwargs(reference)
        instance = cls(**values)
        assert {name: getattr(instance, name) for name in values} == values
        minimal = cls(**{name: values[name] for name in required(reference)})
        for field in attrs.fields(reference):
            if field.default is not attrs.NOTHING:
                assert getattr(minimal, field.name) is field.default, (cls, field.name)


# -- repr, equality --------------------------------------------------------------------------


def test_repr_equals_attrs_define_and_redacts_secrets(package: ModuleType) -> None:
    redacted_somewhere = False
    for cls, reference in structures(package):
        values = full_kwargs(reference)
        text = repr(cls(**values))
        assert text == repr(reference(**values)), cls
        for field in attrs.fields(reference):
            if field.repr is not True:
                redacted_somewhere = True
                assert values[field.name] not in text and f"{field.name}=<redacted>" in text
            else:
                assert f"{field.name}={values[field.name]!r}" in text
    if package.__name__ == "aioapigateway":
        assert redacted_somewhere


def test_repr_of_a_cycle_stops_like_attrs() -> None:
    from aioapigateway import models

    outer = models.RestApi(id="a", tags={})
    outer.tags["self"] = outer  # type: ignore[index,assignment]
    expected = repr(models.RestApi(id="a", tags={})).replace("tags={}", "tags={'self': ...}")
    assert repr(outer) == expected
    assert repr(outer) == repr(outer)  # the guard is released after each repr


def test_equality_equals_attrs_define(package: ModuleType) -> None:
    for cls, reference in structures(package):
        values = full_kwargs(reference)
        one, same = cls(**values), cls(**values)
        assert one == same and not (one != same)
        assert type(one).__hash__ is None  # unhashable, like attrs' eq=True
        for name in values:  # every member takes part
            other = cls(**{**values, name: "different"})
            assert one != other and not (one == other), (cls, name)
            assert (reference(**values) == reference(**{**values, name: "different"})) is False
        # Another type: NotImplemented, so Python falls back to identity.
        assert one.__eq__(object()) is NotImplemented
        assert one.__ne__(object()) is NotImplemented
        assert one != reference(**values) and not (one == reference(**values))


# -- what users and libraries do with them -------------------------------------------------------


def test_asdict_astuple_evolve_equal_attrs_define(package: ModuleType) -> None:
    for cls, reference in structures(package):
        values = full_kwargs(reference)
        ours, theirs = cls(**values), reference(**values)
        assert attrs.asdict(ours) == attrs.asdict(theirs) == values
        assert attrs.astuple(ours) == attrs.astuple(theirs)
        for name in values:
            changed = attrs.evolve(ours, **{name: "changed"})
            assert type(changed) is cls and getattr(changed, name) == "changed"
            assert changed == cls(**{**values, name: "changed"})


def test_pickle_copy_and_weakref_round_trip(package: ModuleType) -> None:
    for cls, reference in structures(package):
        values = full_kwargs(reference)
        ours = cls(**values)
        assert ours.__getstate__() == reference(**values).__getstate__()  # type: ignore[attr-defined]
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(ours, protocol))
            assert type(back) is cls and back == ours, (cls, protocol)
        assert copy.copy(ours) == ours and copy.deepcopy(ours) == ours
        assert weakref.ref(ours)() is ours
        # State pickled by an attrs before 22.2 (a tuple) still loads.
        old = cls.__new__(cls)
        old.__setstate__(tuple(values.values()))
        assert old == ours


def test_cattrs_round_trip_equals_attrs_define() -> None:
    from aioapigateway import models

    converter = cattrs.Converter()
    api_key = models.ApiKey(id="k", value="v", enabled=True, stage_keys=["a/b"], tags={"t": "1"})
    reference = declared(models.ApiKey)
    data = converter.unstructure(api_key)
    assert data == converter.unstructure(reference(**attrs.asdict(api_key)))
    assert converter.structure(data, models.ApiKey) == api_key


def test_type_hints_resolve_at_run_time(package: ModuleType) -> None:
    # typing.get_type_hints (which attrs.resolve_types and cattrs call) evaluates every
    # annotation, other model classes and enums included, to the classes themselves.
    models = importlib.import_module(package.__name__ + ".models")
    checked = 0
    for cls, _ in structures(package):
        hints = typing.get_type_hints(cls)
        assert list(hints) == [field.name for field in attrs.fields(cls)], cls
        for name, hint in hints.items():
            for arg in _type_args(hint):
                if isinstance(arg, type) and arg.__module__.startswith(models.__name__):
                    assert getattr(models, arg.__name__) is arg, (cls, name, arg)
                    checked += 1
    assert checked > 0 or package.__name__.endswith("management")


def _type_args(hint: Any) -> Iterator[Any]:
    yield hint
    for arg in typing.get_args(hint):
        yield from _type_args(arg)


def test_cattrs_unstructures_a_nested_model_with_enums() -> None:
    from aioapigateway import models

    api = models.RestApi(
        id="a1",
        api_key_source=models.ApiKeySourceType.HEADER,
        endpoint_configuration=models.EndpointConfiguration(types=[models.EndpointType.EDGE]),
        created_date=datetime.datetime(2024, 11, 25, tzinfo=datetime.UTC),
    )
    data = cattrs.Converter().unstructure(api)
    assert data["endpoint_configuration"] == {
        "types": ["EDGE"],
        "ip_address_type": None,
        "vpc_endpoint_ids": None,
    }
    assert data["api_key_source"] == "HEADER" and data["id"] == "a1"
    hints = typing.get_type_hints(models.EndpointConfiguration)
    assert hints["types"] == list[models.EndpointType | str] | None


def test_annotations_load_no_class_ahead_of_need() -> None:
    # The models a class's annotations name are looked up when the hints are evaluated,
    # not when its module is loaded: a client's first call makes only the enums it reads.
    code = textwrap.dedent(
        """
        import typing
        from aioapigateway import models
        enums = models.RestApi.__module__.rpartition(".")[0] + "._enums"
        import sys
        assert enums not in sys.modules or "SecurityPolicy" not in vars(sys.modules[enums])
        assert "aioapigateway.models._endpoint_configuration" not in sys.modules
        typing.get_type_hints(models.RestApi)
        assert "SecurityPolicy" in vars(sys.modules[enums])
        assert "aioapigateway.models._endpoint_configuration" in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_boto_dict_conversion_round_trip() -> None:
    from aioapigateway import from_boto_dict, models, to_boto_dict

    api = models.RestApi(
        id="a1",
        name="pets",
        tags={"team": "x"},
        endpoint_configuration=models.EndpointConfiguration(types=[models.EndpointType.EDGE]),
    )
    data = to_boto_dict(api)
    assert data == {
        "id": "a1",
        "name": "pets",
        "tags": {"team": "x"},
        "endpointConfiguration": {"types": ["EDGE"]},
    }
    assert from_boto_dict("RestApi", data) == api


def test_attrs_subclass_of_a_model_class() -> None:
    from aioapigateway import models

    @attrs.define(kw_only=True)
    class Mine(models.RestApi):
        note: str = ""

    mine = Mine(id="a", note="n")
    assert [f.name for f in attrs.fields(Mine)][-2:] == ["api_status_message", "note"]
    assert mine.id == "a" and attrs.asdict(mine)["note"] == "n"
    assert repr(mine).startswith("Mine(id='a', ") and repr(mine).endswith(", note='n')")


def test_match_statement_by_keyword() -> None:
    from aioapigateway import models

    match models.RestApi(id="a", name="n"):
        case models.RestApi(id="a", name=name):
            assert name == "n"
        case _:
            pytest.fail("no match")


# -- laziness ------------------------------------------------------------------------------------


def test_the_call_path_never_builds_attrs_metadata() -> None:
    """Parsing a response defines the classes it needs but builds none of attrs' metadata;
    the first reader of it gets what attrs.define makes, and so does every later one."""
    code = textwrap.dedent(
        """
        import json, attrs
        from aioapigateway.runtime.client import _codecs
        from aioapigateway.runtime.model_classes import _LazyMetadata
        from aioapigateway import models
        service, _, parser = _codecs("aioapigateway._spec")
        op = service.operations["GetRestApi"]
        body = {"id": "a", "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"], "ipAddressType": "ipv4"}}
        for _ in range(3):  # the checked parser, then the compiled one
            api = parser.parse(op, 200, {}, json.dumps(body).encode())
        repr(api); api == api
        for cls in (models.RestApi, models.EndpointConfiguration):
            for name in ("__attrs_attrs__", "__attrs_props__"):
                assert type(cls.__dict__[name]) is _LazyMetadata, (cls, name)
        props = attrs.inspect(models.EndpointConfiguration)  # reads __dict__: a stand-in
        assert props.is_slotted is True and props.added_init is True
        assert attrs.has(models.RestApi)
        fields = models.RestApi.__dict__["__attrs_attrs__"]
        assert type(fields) is not _LazyMetadata and fields is attrs.fields(models.RestApi)
        assert attrs.fields(models.RestApi).id.default is None
        assert type(models.RestApi.__dict__["__attrs_props__"]) is not _LazyMetadata
        assert attrs.fields(api) is fields
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_metadata_of_an_attrs_without_class_props(monkeypatch: pytest.MonkeyPatch) -> None:
    """An attrs older than 25.4 sets no ``__attrs_props__``: the stand-in goes away."""

    @model_classes.attrs_class()
    class Probe:
        __slots__ = ("a", "__weakref__")  # noqa: RUF023
        a: int

        def __init__(self, *, a: int) -> None:
            self.a = a

    real_define = attrs.define

    def old_define(**options: Any) -> Any:
        def decorate(cls: type) -> type:
            made = real_define(**options)(cls)
            del made.__attrs_props__  # type: ignore[attr-defined]
            return made

        return decorate

    monkeypatch.setattr(attrs, "define", old_define)
    assert not hasattr(Probe, "__attrs_props__")
    assert "__attrs_props__" not in Probe.__dict__
    assert [f.name for f in attrs.fields(Probe)] == ["a"]
    assert attrs.fields(Probe).a.default is attrs.NOTHING


# -- enums ---------------------------------------------------------------------------------------


def test_enums_equal_their_class_statement(package: ModuleType) -> None:
    checked = 0
    for cls in model_classes_of(package):
        if not issubclass(cls, enum.Enum):
            continue
        reference = declared(cls)
        enum._test_simple_enum(reference, cls)  # type: ignore[attr-defined]
        # The compiler cleans a class statement's docstring from Python 3.13 on, not before.
        assert cls.__doc__ == inspect.cleandoc(reference.__doc__ or "")
        assert cls.__module__ == reference.__module__
        assert issubclass(cls, enum.StrEnum)
        assert list(cls) == [cls(member.value) for member in reference]
        for member in cls:
            assert isinstance(member, str) and isinstance(member, enum.Enum)
            assert cls[member.name] is member and cls(member.value) is member
            assert pickle.loads(pickle.dumps(member)) is member
            assert str(member) == member.value == f"{member}"
        checked += 1
    if package.__name__ == "aioapigateway":
        assert checked == 28


def test_enum_without_the_fast_path_is_the_same_enum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(enum, "_simple_enum")
    members = (("_0_5", "0.5"), ("HTTP_PROXY", "HTTP_PROXY"))
    size: Any = model_classes.make_str_enum("Size", __name__, "Doc.", members)

    class Reference(enum.StrEnum):
        """Doc."""

        _0_5 = "0.5"
        HTTP_PROXY = "HTTP_PROXY"

    assert [(m.name, m.value) for m in size] == [(m.name, m.value) for m in Reference]
    assert size.__doc__ == "Doc." and size.__qualname__ == "Size"
    assert size("0.5") is size._0_5 and isinstance(size._0_5, str)
    assert size.__module__ == __name__


def test_an_enums_module_makes_each_enum_once_on_first_read() -> None:
    namespace: dict[str, Any] = {"__name__": "pkg.models._enums"}
    definitions = {"Mode": ("Doc.", enum_members_text([("FAST", "fast"), ("_0_5", "0.5")]))}
    mode = model_classes.enum_attribute(namespace, definitions, "Mode")
    assert namespace["Mode"] is mode  # stored: later reads are plain attribute reads
    assert model_classes.enum_attribute(namespace, definitions, "Mode") is mode
    assert [(m.name, m.value) for m in mode] == [("FAST", "fast"), ("_0_5", "0.5")]
    assert issubclass(mode, enum.StrEnum) and mode.__module__ == "pkg.models._enums"
    assert mode.__qualname__ == "Mode" and mode.__doc__ == "Doc."
    with pytest.raises(
        AttributeError, match=re.escape("'pkg.models._enums' has no attribute 'Other'")
    ):
        model_classes.enum_attribute(namespace, definitions, "Other")


@pytest.mark.parametrize(
    "members",
    [
        [("A", "a")],
        [("HTTP_PROXY", "HTTP_PROXY"), ("_0_5", "0.5"), ("X", "a b,c=d;[e]")],
        [("EMPTY", "")],
    ],
)
def test_enum_members_text_round_trips(members: list[tuple[str, str]]) -> None:
    namespace: dict[str, Any] = {"__name__": "pkg.models._enums"}
    made = model_classes.enum_attribute(namespace, {"E": ("Doc.", enum_members_text(members))}, "E")
    assert [(m.name, m.value) for m in made] == members


@pytest.mark.parametrize("value", ["a\x1eb", "a\x1fb"])
def test_enum_members_text_refuses_its_separators(value: str) -> None:
    from codegen.spec_data import DescriptorDataError

    with pytest.raises(DescriptorDataError):
        enum_members_text([("A", value)])


def test_threads_reading_a_new_enum_at_once_get_one_class() -> None:
    namespace: dict[str, Any] = {"__name__": "pkg.models._enums"}
    definitions = {"Mode": ("Doc.", enum_members_text([("FAST", "fast")]))}
    barrier = threading.Barrier(8)

    def read() -> Any:
        barrier.wait()
        return model_classes.enum_attribute(namespace, definitions, "Mode")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        made = list(pool.map(lambda _: read(), range(8)))
    assert all(cls is made[0] for cls in made)


# -- loading model modules -------------------------------------------------------------------


def _write_package(root: Path, name: str, body: str) -> ModuleType:
    package = root / name
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "models" / "__init__.py").write_text("")
    (package / "models" / "_thing.py").write_text(body)
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(f"{name}.models")
    finally:
        sys.path.remove(str(root))


def test_model_modules_load_from_their_source_file(tmp_path: Path) -> None:
    models = _write_package(tmp_path, "loadpkg_a", "class Thing:\n    pass\n")
    try:
        module = model_classes.import_model_module(models.__name__, models.__path__, "_thing")
        assert module.__name__ == "loadpkg_a.models._thing"
        assert sys.modules["loadpkg_a.models._thing"] is module
        assert models._thing is module  # as the import system sets it on the parent
        assert module.__file__ == str(tmp_path / "loadpkg_a" / "models" / "_thing.py")
        assert module.__spec__ is not None and module.__spec__.name == module.__name__
        # Loaded once: the import statement and later loads see the same module.
        assert importlib.import_module("loadpkg_a.models._thing") is module
        again = model_classes.import_model_module(models.__name__, models.__path__, "_thing")
        assert again is module
    finally:
        for name in [n for n in sys.modules if n.startswith("loadpkg_a")]:
            del sys.modules[name]


def test_a_model_module_without_its_source_file_is_imported_as_usual(tmp_path: Path) -> None:
    models = _write_package(tmp_path, "loadpkg_b", "class Thing:\n    pass\n")
    try:
        # A directory that does not hold the source (a zip, .pyc only, frozen): the import
        # system finds the module where it is.
        module = model_classes.import_model_module(
            models.__name__, [str(tmp_path / "elsewhere")], "_thing"
        )
        assert module.Thing.__module__ == "loadpkg_b.models._thing"
        assert sys.modules["loadpkg_b.models._thing"] is module
    finally:
        for name in [n for n in sys.modules if n.startswith("loadpkg_b")]:
            del sys.modules[name]


def test_a_model_module_that_fails_to_run_is_not_left_half_imported(tmp_path: Path) -> None:
    models = _write_package(tmp_path, "loadpkg_c", "raise ValueError('broken')\n")
    try:
        with pytest.raises(ValueError, match="broken"):
            model_classes.import_model_module(models.__name__, models.__path__, "_thing")
        assert "loadpkg_c.models._thing" not in sys.modules
        assert not hasattr(models, "_thing")
    finally:
        for name in [n for n in sys.modules if n.startswith("loadpkg_c")]:
            del sys.modules[name]


def test_a_model_module_being_loaded_is_waited_for(tmp_path: Path) -> None:
    body = (
        "import time\n"
        "from loadpkg_d import signal\n"
        "signal.started.set()\n"
        "time.sleep(0.05)\n"
        "class Thing:\n"
        "    pass\n"
    )
    models = _write_package(tmp_path, "loadpkg_d", body)
    (tmp_path / "loadpkg_d" / "signal.py").write_text(
        "import threading\nstarted = threading.Event()\n"
    )
    signal = importlib.import_module("loadpkg_d.signal")

    def load() -> Any:
        return model_classes.import_model_module(models.__name__, models.__path__, "_thing").Thing

    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            first = pool.submit(load)
            assert signal.started.wait(5)
            # The module is in sys.modules, still running: a second load waits for it.
            second = pool.submit(load)
            assert first.result(5) is second.result(5)
    finally:
        for name in [n for n in sys.modules if n.startswith("loadpkg_d")]:
            del sys.modules[name]


def test_generated_models_are_the_classes_of_their_modules(package: ModuleType) -> None:
    models = importlib.import_module(package.__name__ + ".models")
    for name in models.__all__[:5]:
        cls = getattr(models, name)
        module = sys.modules[cls.__module__]
        assert getattr(module, name) is cls
        assert module.__spec__ is not None and module.__spec__.origin == module.__file__


# -- typing --------------------------------------------------------------------------------------

TYPED = """\
from __future__ import annotations

import attrs

from aioapigateway import models

api = models.RestApi(id="a", name="n")
name: str | None = api.name
fields = attrs.fields(models.RestApi)
default = fields.id.default
data: dict[str, object] = attrs.asdict(api)
renamed: models.RestApi = attrs.evolve(api, name="m")
source: models.ApiKeySourceType | str | None = api.api_key_source
member: models.ApiKeySourceType = models.ApiKeySourceType.HEADER
request = models.CreateRestApiRequest(name="pets")
models.RestApi(id=1)  # error
models.RestApi("a")  # error
models.RestApi(no_such_member="a")  # error
models.CreateRestApiRequest()  # error
count: int = api.name  # error
models.ApiKeySourceType.NO_SUCH_MEMBER  # error
"""


def test_mypy_sees_attrs_classes_and_str_enums(tmp_path: Path) -> None:
    """Users type-check against the ``TYPE_CHECKING`` declarations: arguments and attribute
    types are checked, ``attrs.fields`` and friends accept the classes."""
    path = tmp_path / "typed_models.py"
    path.write_text(TYPED, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(path)],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    errors = {
        int(match.group(1))
        for match in re.finditer(r"typed_models\.py:(\d+): error", result.stdout)
    }
    expected = {n for n, line in enumerate(TYPED.splitlines(), 1) if line.endswith("# error")}
    assert errors == expected, result.stdout + result.stderr
