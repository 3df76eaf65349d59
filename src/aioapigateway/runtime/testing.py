"""The :class:`Stubber` behind :mod:`aioapigateway.testing`, whose docstring shows
how to use it: queued responses and errors for users' tests, no network.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
import weakref
from collections import deque
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from aioapigateway.runtime.client import BaseClient, _codecs
from aioapigateway.runtime.convert import from_boto_dict, with_utc_datetimes
from aioapigateway.runtime.errors import ParamValidationError, ServiceError
from aioapigateway.runtime.shapes import Operation, Service

__all__ = ["StubAssertionError", "Stubber"]

ClientT = TypeVar("ClientT", bound=BaseClient)

_NOT_GIVEN = "(not given)"


class StubAssertionError(AssertionError):
    """A call the stubber did not expect: wrong operation, wrong parameters, or none queued;
    or queued responses left unused."""


_METHOD_NAMES: weakref.WeakKeyDictionary[type[BaseClient], dict[str, str]] = (
    weakref.WeakKeyDictionary()
)


def _method_names(client_class: type[BaseClient], service: Service) -> dict[str, str]:
    """Method name -> operation name, read from the generated methods themselves.

    Each generated method is ``return await self._call("OperationName", {...})``: the
    operation name is a constant of its code object, so the mapping needs no naming rule.
    A subclass overriding a method keeps the mapping of the generated one.
    """
    cached = _METHOD_NAMES.get(client_class)
    if cached is not None:
        return cached
    names: dict[str, str] = {}
    for klass in reversed(client_class.__mro__):
        for name, value in vars(klass).items():
            if name.startswith("_") or not inspect.iscoroutinefunction(value):
                continue
            code = getattr(inspect.unwrap(value), "__code__", None)
            if code is None:
                continue
            found = {c for c in code.co_consts if isinstance(c, str) and c in service.operations}
            if len(found) == 1:
                names[name] = found.pop()
    _METHOD_NAMES[client_class] = names
    return names


def _call_text(method: str, params: Mapping[str, Any]) -> str:
    arguments = ", ".join(f"{key}={value!r}" for key, value in params.items())
    return f"{method}({arguments})"


def _given(params: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}


class _Stub:
    __slots__ = ("error", "expected", "method", "operation", "response")

    def __init__(
        self,
        method: str,
        operation: Operation,
        expected: dict[str, Any] | None,
        response: Any = None,
        error: functools.partial[ServiceError] | None = None,
    ) -> None:
        self.method = method
        self.operation = operation
        self.expected = expected
        self.response = response
        self.error = error

    def __repr__(self) -> str:
        what = "error" if self.error is not None else "response"
        if self.expected is None:
            return f"{self.method}(...) -> {what}"
        return f"{_call_text(self.method, self.expected)} -> {what}"


class Stubber(Generic[ClientT]):
    """Queue responses and errors for ``client``'s calls; see the module documentation.

    Works with the client of any package the generator wrote (the model comes from the
    client class).
    """

    def __init__(self, client: ClientT) -> None:
        if not isinstance(client, BaseClient):
            raise TypeError(f"Stubber needs a generated client, not {type(client).__name__}")
        self.client: ClientT = client
        service, serializer, _ = _codecs(type(client)._SPEC_MODULE)
        self._service = service
        self._serializer = serializer
        self._methods = _method_names(type(client), service)
        self._operation_methods = {op: method for method, op in self._methods.items()}
        self._queue: deque[_Stub] = deque()
        # One bound method, so that deactivate() can tell it is still ours.
        self._stub_call = self._call

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<Stubber of {self.client!r}, {state}, {len(self._queue)} pending>"

    # -- queueing ------------------------------------------------------------------------------

    def add_response(
        self,
        method: str,
        response: Any = None,
        expected_params: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue ``response`` as the result of the next call, which must be to ``method``.

        ``response`` is an instance of the operation's output model class (``None`` for an
        operation without output), or a dict with the model's member names as boto3 returns
        it (``{"id": "abc", "createdDate": datetime(...)}``). A response of another class
        raises ``TypeError``; one whose values do not fit the model raises
        ``ParamValidationError``. ``expected_params``: see the module documentation.

        The call returns ``response`` itself, unless it holds a naive (or non-UTC)
        datetime: then a copy with aware UTC datetimes (a naive one is taken as UTC), as a
        real call returns them.
        """
        operation, name = self._operation(method)
        expected = self._expected(operation, name, expected_params)
        if operation.output is None:
            if response is not None:
                raise TypeError(f"{name} has no output: its response must be None")
        else:
            shape = self._service.shapes[operation.output]
            cls = self._service.model_class(shape.cls_name or shape.name)
            if isinstance(response, Mapping):
                response = from_boto_dict(cls, response, service=self._service)
            elif not isinstance(response, cls):
                raise TypeError(
                    f"{name} returns models.{cls.__name__}; the response must be an instance "
                    f"of it (or a dict of its members), not {type(response).__name__}"
                )
            # Every nested value is checked against the model, and timestamps made UTC.
            response = with_utc_datetimes(response, service=self._service)
        self._queue.append(_Stub(name, operation, expected, response=response))

    def add_client_error(
        self,
        method: str,
        code: str,
        message: str = "",
        status_code: int | None = None,
        *,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        members: Mapping[str, Any] | None = None,
        expected_params: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue a service error as the outcome of the next call, which must be to ``method``.

        The exception raised is the modeled class for ``code`` (``"NotFoundException"`` ->
        ``errors.NotFoundException``), else ``errors.ServiceError``, with ``code``,
        ``message``, ``status_code`` (default: the model's status for the error, else 400),
        ``request_id``, ``headers`` and ``body`` (default: the JSON the service would send).
        ``members`` sets the error's modeled attributes by their Python names
        (``{"retry_after_seconds": "5"}``).
        """
        operation, name = self._operation(method)
        expected = self._expected(operation, name, expected_params)
        shape = self._service.error_shape(code)
        cls: type[ServiceError] = ServiceError
        if shape is not None:
            cls = self._service.error_class(shape.cls_name or shape.name)
        status = status_code
        if status is None:
            status = shape.error_status if shape is not None and shape.error_status else 400
        elif not isinstance(status, int) or isinstance(status, bool):
            raise TypeError(f"status_code must be an int, not {type(status).__name__}")
        extra = dict(members or {})
        unknown = sorted(set(extra) - set(cls.MEMBERS))
        if unknown:
            raise TypeError(
                f"{cls.__name__} has no member(s) {', '.join(unknown)}; "
                f"its members: {', '.join(cls.MEMBERS) or 'none'}"
            )
        all_headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
        if request_id is not None:
            all_headers["x-amzn-RequestId"] = request_id
        all_headers.update(headers or {})
        error = functools.partial(
            cls,
            message,
            code=code,
            status_code=status,
            request_id=request_id,
            headers=all_headers,
            body=json.dumps({"message": message}).encode() if body is None else body,
            members=extra,
        )
        self._queue.append(_Stub(name, operation, expected, error=error))

    def assert_no_pending_responses(self) -> None:
        """Raise :class:`StubAssertionError` if queued responses were not used."""
        if self._queue:
            pending = "\n  ".join(repr(stub) for stub in self._queue)
            raise StubAssertionError(
                f"{len(self._queue)} stubbed response(s) not used:\n  {pending}"
            )

    # -- activation ------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether the client's calls currently go to this stubber."""
        return vars(self.client).get("_call") is self._stub_call

    def activate(self) -> None:
        """Route the client's calls to this stubber (until :meth:`deactivate`)."""
        current = vars(self.client).get("_call")
        if current is self._stub_call:
            return
        if current is not None:
            raise RuntimeError("the client is already stubbed by another Stubber")
        # An instance attribute shadows BaseClient._call; removing it restores the real calls.
        vars(self.client)["_call"] = self._stub_call

    def deactivate(self) -> None:
        """Restore the client's real calls. Queued responses stay queued."""
        if self.active:
            del vars(self.client)["_call"]

    async def __aenter__(self) -> Self:
        self.activate()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._exit(exc_type)

    def __enter__(self) -> Self:
        self.activate()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._exit(exc_type)

    def _exit(self, exc_type: type[BaseException] | None) -> None:
        self.deactivate()
        if exc_type is None:
            self.assert_no_pending_responses()

    # -- internals -------------------------------------------------------------------------------

    def _operation(self, method: str) -> tuple[Operation, str]:
        """The operation for a method or operation name, and the method name to show."""
        op_name = self._methods.get(method)
        if op_name is None and method in self._service.operations:
            op_name = method
        if op_name is None:
            close = difflib.get_close_matches(method, list(self._methods), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"{type(self.client).__name__} has no operation {method!r}{hint}")
        return (
            self._service.operations[op_name],
            self._operation_methods.get(op_name, op_name),
        )

    def _expected(
        self, operation: Operation, name: str, params: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        """Validated expected parameters (``None`` values dropped), or ``None``: anything."""
        if params is None:
            return None
        if not isinstance(params, Mapping):
            raise TypeError(f"expected_params must be a dict, not {type(params).__name__}")
        valid = set()
        if operation.input is not None:
            valid = {member.py_name for member in self._service.shapes[operation.input].members}
        unknown = sorted(key for key in params if key not in valid)
        if unknown:
            raise ParamValidationError(
                f"{name}: unknown parameter(s) in expected_params: {', '.join(unknown)}; "
                f"valid: {', '.join(sorted(valid)) or 'none'}"
            )
        # The real serializer: whatever it rejects, a real call would reject.
        self._serializer.serialize(operation, params)
        return _given(params)

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Stands in for ``BaseClient._call`` while active."""
        op = self._service.operations[operation]
        name = self._operation_methods.get(operation, operation)
        # Validate as the real call would, before anything else.
        self._serializer.serialize(op, params)
        given = _given(params)
        if not self._queue:
            raise StubAssertionError(
                f"unexpected call {_call_text(name, given)}: no stubbed response is queued"
            )
        stub = self._queue[0]
        if stub.operation.name != operation:
            raise StubAssertionError(
                f"unexpected call {_call_text(name, given)}: the next stubbed response is "
                f"for {stub!r}"
            )
        if stub.expected is not None and stub.expected != given:
            raise StubAssertionError(_mismatch(name, stub.expected, given))
        self._queue.popleft()
        if stub.error is not None:
            raise stub.error()
        return stub.response


def _mismatch(name: str, expected: Mapping[str, Any], given: Mapping[str, Any]) -> str:
    lines = [f"{name}: the call's parameters differ from expected_params:"]
    for key in sorted(set(expected) | set(given)):
        want = expected.get(key, _NOT_GIVEN)
        got = given.get(key, _NOT_GIVEN)
        if want is _NOT_GIVEN or got is _NOT_GIVEN or want != got:
            want_text = want if want is _NOT_GIVEN else repr(want)
            got_text = got if got is _NOT_GIVEN else repr(got)
            lines.append(f"  {key}: expected {want_text}, got {got_text}")
    lines.append(f"  expected {_call_text(name, expected)}")
    lines.append(f"  got      {_call_text(name, given)}")
    return "\n".join(lines)
