"""Model instances to and from plain dicts shaped like botocore's (boto3's) parsed data.

``to_boto_dict(models.RestApi(id="a1", created_date=dt))`` gives
``{"id": "a1", "createdDate": dt}``: keys are the model's member names (as boto3 returns
them), ``None`` attributes are left out, enums become their ``str`` values, timestamps stay
``datetime`` objects and blobs ``bytes``. ``from_boto_dict(models.RestApi, data)`` (or the
shape name, ``"RestApi"``) goes the other way: enum values the model knows become enum
members, timestamps may also be ISO 8601 strings or epoch seconds, and an unknown key (other
than boto3's ``ResponseMetadata``) is an error, which catches misspelt names. Both directions
check every value against its shape; any problem raises ``errors.ParamValidationError`` with
the path of the offending value.

Useful when migrating from boto3 (fixtures, cached responses) and for the ``Stubber`` of
``aioapigateway.testing``, which accepts a boto3-style dict as a response.

Timestamps come out of :func:`from_boto_dict` (and :func:`with_utc_datetimes`) as aware
UTC datetimes, as the parser returns them: a naive one is taken as UTC, an aware one is
converted.

The work is done by one ``cattrs.Converter`` per service model, built on first use; the hooks
for each model class are compiled from the model descriptors the first time the class is
converted, then cached by cattrs.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

import attrs

from aioapigateway.runtime.errors import ParamValidationError
from aioapigateway.runtime.shapes import FLOAT_TYPES, INTEGER_TYPES, Service, Shape
from aioapigateway.runtime.timestamps import parse_timestamp, to_utc

__all__ = ["from_boto_dict", "service_of", "to_boto_dict", "with_utc_datetimes"]

T = TypeVar("T")
Convert = Callable[[Any], Any]

#: Keys boto3 adds to every parsed response; not model members.
_IGNORED_KEYS = frozenset({"ResponseMetadata"})
_DEFAULT_SPEC = "aioapigateway._spec"


class _Invalid(Exception):
    """A value that does not fit its shape; ``path`` is filled in on the way up."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


def _type_name(value: Any) -> str:
    return type(value).__name__


def _nested(path: str, convert: Convert, value: Any) -> Any:
    try:
        return convert(value)
    except _Invalid as exc:
        exc.path.insert(0, path)
        raise


class _ModelConverter:
    """Both directions for the model classes of one service, on one ``cattrs.Converter``."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._structures: dict[str, Shape] = {
            shape.cls_name: shape
            for shape in service.shapes.values()
            if shape.type == "structure" and shape.cls_name is not None
        }
        self._to_plain: dict[str, Convert] = {}
        self._from_plain: dict[str, Convert] = {}
        # Imported here: cattrs is only needed once someone converts, not at import time.
        import cattrs

        self.cattrs = cattrs.Converter()
        self.cattrs.register_unstructure_hook_factory(self._is_model, self._unstructure_hook)
        self.cattrs.register_structure_hook_factory(self._is_model, self._structure_hook)

    # -- classes and shapes ----------------------------------------------------------------

    def shape_of(self, cls: type[Any]) -> Shape | None:
        shape = self._structures.get(getattr(cls, "__name__", ""))
        if shape is None or shape.cls_name is None:
            return None
        try:
            known = self.service.model_class(shape.cls_name)
        except (ImportError, AttributeError):
            return None
        return shape if known is cls else None

    def _is_model(self, cls: Any) -> bool:
        return isinstance(cls, type) and self.shape_of(cls) is not None

    def _shape_class(self, shape: Shape) -> type[Any]:
        cls: type[Any] = self.service.model_class(shape.cls_name or shape.name)
        return cls

    # -- to plain ----------------------------------------------------------------------------

    def _unstructure_hook(self, cls: type[Any]) -> Convert:
        shape = self.shape_of(cls)
        assert shape is not None
        members = [(m.py_name, m.name, self._plain(m.shape)) for m in shape.members]

        def unstructure(obj: Any) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for py_name, name, convert in members:
                value = getattr(obj, py_name, None)
                if value is not None:
                    result[name] = _nested(f".{py_name}", convert, value)
            return result

        return unstructure

    def _plain(self, shape_name: str) -> Convert:
        convert = self._to_plain.get(shape_name)
        if convert is None:
            # Recursive shapes: a forwarder stands in while the real function is compiled.
            def forward(value: Any) -> Any:
                return self._to_plain[shape_name](value)

            self._to_plain[shape_name] = forward
            convert = self._to_plain[shape_name] = self._compile_plain(
                self.service.shapes[shape_name]
            )
        return convert

    def _compile_plain(self, shape: Shape) -> Convert:
        kind = shape.type
        if kind == "structure":
            cls_name = shape.cls_name or shape.name
            service, converter = self.service, self.cattrs

            def structure(value: Any) -> Any:
                cls = service.model_class(cls_name)
                if not isinstance(value, cls):
                    raise _Invalid(f"expected models.{cls_name}, got {_type_name(value)}")
                return converter.unstructure(value, unstructure_as=cls)

            return structure
        if kind == "list":
            assert shape.member is not None
            element = self._plain(shape.member)
            return lambda value: _list(value, element)
        if kind == "map":
            assert shape.value is not None
            item = self._plain(shape.value)
            return lambda value: _map(value, item)
        if kind == "string" and shape.enum is not None:
            return _enum_value
        return _scalar_check(kind)

    # -- from plain --------------------------------------------------------------------------

    def _structure_hook(self, cls: type[Any]) -> Callable[[Any, Any], Any]:
        shape = self.shape_of(cls)
        assert shape is not None
        members = {m.name: (m.py_name, self._model_value(m.shape)) for m in shape.members}
        mandatory = [
            (field.name, next(m.name for m in shape.members if m.py_name == field.name))
            for field in attrs.fields(cls)
            if field.default is attrs.NOTHING
        ]
        cls_name = shape.cls_name

        def structure(data: Any, _: Any) -> Any:
            if not isinstance(data, Mapping):
                raise _Invalid(f"expected a dict for models.{cls_name}, got {_type_name(data)}")
            kwargs: dict[str, Any] = {}
            for key, value in data.items():
                member = members.get(key)
                if member is None:
                    if key in _IGNORED_KEYS:
                        continue
                    known = ", ".join(sorted(members)) or "none"
                    raise _Invalid(
                        f"unknown key {key!r} for models.{cls_name} (its members: {known})"
                    )
                if value is not None:
                    kwargs[member[0]] = _nested(f".{key}", member[1], value)
            for py_name, name in mandatory:
                if py_name not in kwargs:
                    raise _Invalid(f"required member {name!r} is missing")
            return cls(**kwargs)

        return structure

    def _model_value(self, shape_name: str) -> Convert:
        convert = self._from_plain.get(shape_name)
        if convert is None:

            def forward(value: Any) -> Any:
                return self._from_plain[shape_name](value)

            self._from_plain[shape_name] = forward
            convert = self._from_plain[shape_name] = self._compile_model_value(
                self.service.shapes[shape_name]
            )
        return convert

    def _compile_model_value(self, shape: Shape) -> Convert:
        kind = shape.type
        if kind == "structure":
            converter = self.cattrs
            cls_name = shape.cls_name or shape.name
            service = self.service

            def structure(value: Any) -> Any:
                cls = service.model_class(cls_name)
                if isinstance(value, cls):
                    # Rebuilt, not taken as is: its values are checked and its datetimes
                    # made UTC like those of a dict.
                    value = converter.unstructure(value, unstructure_as=cls)
                return converter.structure(value, cls)

            return structure
        if kind == "list":
            assert shape.member is not None
            element = self._model_value(shape.member)
            return lambda value: _list(value, element)
        if kind == "map":
            assert shape.value is not None
            item = self._model_value(shape.value)
            return lambda value: _map(value, item)
        if kind == "string" and shape.enum is not None and shape.cls_name is not None:
            enum_cls = self.service.model_class(shape.cls_name)
            known = {member.value: member for member in enum_cls}

            def enum_member(value: Any) -> Any:
                if not isinstance(value, str):
                    raise _Invalid(f"expected str, got {_type_name(value)}")
                return known.get(value, value)

            return enum_member
        if kind == "timestamp":
            return _to_datetime
        if kind == "blob":
            return _to_bytes
        if kind in FLOAT_TYPES:
            check = _scalar_check(kind)
            return lambda value: float(check(value))
        return _scalar_check(kind)


# -- scalar checks -----------------------------------------------------------------------------


def _list(value: Any, element: Convert) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise _Invalid(f"expected list, got {_type_name(value)}")
    return [
        None if item is None else _nested(f"[{index}]", element, item)
        for index, item in enumerate(value)
    ]


def _map(value: Any, item: Convert) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _Invalid(f"expected dict, got {_type_name(value)}")
    result: dict[str, Any] = {}
    for key, element in value.items():
        if not isinstance(key, str):
            raise _Invalid(f"map keys must be str, got {_type_name(key)}")
        result[key] = None if element is None else _nested(f"[{key!r}]", item, element)
    return result


def _enum_value(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected str, got {_type_name(value)}")
    return str(value.value) if hasattr(value, "value") else value


def _check_str(value: Any) -> Any:
    if not isinstance(value, str):
        raise _Invalid(f"expected str, got {_type_name(value)}")
    return value


def _check_int(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid(f"expected int, got {_type_name(value)}")
    return value


def _check_float(value: Any) -> Any:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _Invalid(f"expected float, got {_type_name(value)}")
    return value


def _check_bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise _Invalid(f"expected bool, got {_type_name(value)}")
    return value


def _check_datetime(value: Any) -> Any:
    if not isinstance(value, datetime.datetime):
        raise _Invalid(f"expected datetime.datetime, got {_type_name(value)}")
    return value


def _check_bytes(value: Any) -> Any:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _Invalid(f"expected bytes, got {_type_name(value)}")
    return bytes(value)


def _any(value: Any) -> Any:
    return value


_SCALAR_CHECKS: dict[str, Convert] = {
    "string": _check_str,
    "boolean": _check_bool,
    "timestamp": _check_datetime,
    "blob": _check_bytes,
    "document": _any,
    **dict.fromkeys(INTEGER_TYPES, _check_int),
    **dict.fromkeys(FLOAT_TYPES, _check_float),
}


def _scalar_check(kind: str) -> Convert:
    check = _SCALAR_CHECKS.get(kind)
    if check is None:
        raise TypeError(f"unsupported shape type {kind!r}")
    return check


def _to_datetime(value: Any) -> datetime.datetime:
    """A datetime (naive taken as UTC), an ISO 8601 / HTTP date string or epoch seconds."""
    if isinstance(value, datetime.datetime):
        return to_utc(value)
    try:
        return parse_timestamp(value)
    except (ValueError, OverflowError) as exc:
        raise _Invalid(f"expected a timestamp, got {_type_name(value)} {value!r:.40}") from exc


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _Invalid(
                f"a lone surrogate at index {exc.start} cannot be encoded as UTF-8"
            ) from None
    result: bytes = _check_bytes(value)
    return result


# -- the public functions ----------------------------------------------------------------------

_CONVERTERS: dict[int, tuple[Service, _ModelConverter]] = {}


def _converter(service: Service) -> _ModelConverter:
    entry = _CONVERTERS.get(id(service))
    if entry is None or entry[0] is not service:
        entry = _CONVERTERS[id(service)] = (service, _ModelConverter(service))
    return entry[1]


def _default_service() -> Service:
    service: Service = importlib.import_module(_DEFAULT_SPEC).SERVICE
    return service


def service_of(cls: type[Any]) -> Service | None:
    """The service model a generated model class belongs to (``pkg.models.X`` -> ``pkg``)."""
    module = getattr(cls, "__module__", "") or ""
    head, sep, _ = module.partition(".models")
    if not sep:
        return None
    try:
        spec = importlib.import_module(f"{head}._spec")
    except ImportError:
        return None
    service = getattr(spec, "SERVICE", None)
    return service if isinstance(service, Service) else None


def _fail(subject: str, exc: _Invalid) -> ParamValidationError:
    where = "".join(exc.path).lstrip(".")
    at = f" at {where}" if where else ""
    return ParamValidationError(f"{subject}: invalid value{at}: {exc.message}")


def to_boto_dict(obj: Any, *, service: Service | None = None) -> dict[str, Any]:
    """A model instance as a dict keyed by model member names, like boto3's parsed data.

    Every value is checked against its shape; a wrong type raises ``ParamValidationError``.
    """
    cls = type(obj)
    service = service or service_of(cls) or _default_service()
    converter = _converter(service)
    if converter.shape_of(cls) is None:
        raise ParamValidationError(
            f"expected an instance of a model class of {service.service_id}, got {cls.__name__}"
        )
    try:
        result: dict[str, Any] = converter.cattrs.unstructure(obj, unstructure_as=cls)
    except _Invalid as exc:
        raise _fail(f"models.{cls.__name__}", exc) from None
    except _cattrs_errors() as exc:
        raise ParamValidationError(f"models.{cls.__name__}: {exc}") from exc
    return result


def _cattrs_errors() -> tuple[type[Exception], ...]:
    """cattrs' exception classes (cattrs is loaded by then: a converter exists)."""
    import cattrs.errors

    return (cattrs.errors.CattrsError, cattrs.errors.BaseValidationError)


@overload
def from_boto_dict(
    cls_or_shape: type[T], data: Mapping[str, Any], *, service: Service | None = None
) -> T: ...


@overload
def from_boto_dict(
    cls_or_shape: str, data: Mapping[str, Any], *, service: Service | None = None
) -> Any: ...


def from_boto_dict(
    cls_or_shape: type[Any] | str, data: Mapping[str, Any], *, service: Service | None = None
) -> Any:
    """A model instance from a dict keyed by model member names (boto3's parsed data).

    ``cls_or_shape`` is a model class or a structure shape name of ``service`` (default:
    API Gateway). Raises ``ParamValidationError`` for an unknown key, a missing required
    member or a value of the wrong type.
    """
    if isinstance(cls_or_shape, str):
        service = service or _default_service()
        shape = service.shapes.get(cls_or_shape)
        if shape is None or shape.type != "structure":
            raise ParamValidationError(
                f"{cls_or_shape!r} is not a structure shape of the {service.service_id} model"
            )
        cls: type[Any] = service.model_class(shape.cls_name or shape.name)
    else:
        cls = cls_or_shape
        service = service or service_of(cls) or _default_service()
    converter = _converter(service)
    if converter.shape_of(cls) is None:
        raise ParamValidationError(
            f"expected a model class of {service.service_id}, got {getattr(cls, '__name__', cls)!r}"
        )
    try:
        return converter.cattrs.structure(data, cls)
    except _Invalid as exc:
        raise _fail(f"models.{cls.__name__}", exc) from None
    except _cattrs_errors() as exc:
        raise ParamValidationError(f"models.{cls.__name__}: {exc}") from exc


def with_utc_datetimes(obj: T, *, service: Service | None = None) -> T:
    """``obj`` itself when every timestamp in it is an aware UTC datetime, else a copy
    whose naive datetimes are taken as UTC and aware ones converted to UTC.

    ``obj`` is a model instance; its values are checked against the model either way
    (``ParamValidationError``, as :func:`to_boto_dict`).
    """
    plain = to_boto_dict(obj, service=service)
    if not _has_non_utc_datetime(plain):
        return obj
    rebuilt: T = from_boto_dict(type(obj), plain, service=service)
    return rebuilt


def _has_non_utc_datetime(value: Any) -> bool:
    if isinstance(value, datetime.datetime):
        return value.tzinfo is not datetime.UTC
    if isinstance(value, dict):
        return any(_has_non_utc_datetime(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_non_utc_datetime(item) for item in value)
    return False
