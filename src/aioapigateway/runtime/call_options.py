"""Per-call options, without touching the generated method signatures.

::

    from aioapigateway import call_options

    with call_options(operation_timeout=5.0, attempt_timeout=1.0, max_attempts=5):
        api = await client.get_rest_api(rest_api_id="abc")

Inside the block (and in tasks created inside it, which copy the context), every call of
every client uses these values instead of its ``ClientConfig``'s. Options not given keep
the value of an enclosing ``call_options`` block, else the client's; ``None`` switches a
timeout off. ``async with`` works too. Bad values raise ``ConfigError``.

One ``call_options`` object may be entered any number of times, nested or by concurrent
tasks: what each ``with`` must undo is kept in the context that entered it, not on the
object.
"""

from __future__ import annotations

import enum
import math
from contextvars import ContextVar, Token
from typing import Final, Literal

import attrs

from aioapigateway.runtime.errors import ConfigError

__all__ = ["UNSET", "CallOptions", "call_options", "current_call_options"]


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


#: "Not given here": use the enclosing block's value, else the client's.
UNSET: Final = _Unset.UNSET
UnsetType = Literal[_Unset.UNSET]


@attrs.frozen
class CallOptions:
    """The options in effect; a field that is ``UNSET`` defers to the client's config."""

    attempt_timeout: float | UnsetType | None = UNSET
    operation_timeout: float | UnsetType | None = UNSET
    max_attempts: int | UnsetType = UNSET


_CURRENT: ContextVar[CallOptions | None] = ContextVar("aioapigateway_call_options", default=None)
# The blocks entered in this context, innermost last: (the call_options object, the token
# that undoes its _CURRENT.set). Tokens belong to the context that made them, so they live
# in a context variable, never on a call_options object shared between tasks.
_ENTERED: ContextVar[tuple[tuple[object, Token[CallOptions | None]], ...]] = ContextVar(
    "aioapigateway_call_options_entered", default=()
)

#: The options in effect in the current context, or ``None`` (the common case).
current_call_options = _CURRENT.get


def _check_timeout(value: object, name: str) -> float | UnsetType | None:
    if value is UNSET or value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number of seconds or None, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive, finite number of seconds, got {value}")
    return float(value)


class call_options:
    """Override timeouts and attempts for the calls made inside a ``with`` block."""

    __slots__ = ("_options",)

    def __init__(
        self,
        *,
        attempt_timeout: float | UnsetType | None = UNSET,
        operation_timeout: float | UnsetType | None = UNSET,
        max_attempts: int | UnsetType = UNSET,
    ) -> None:
        if max_attempts is not UNSET and (
            isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1
        ):
            raise ConfigError(f"max_attempts must be an integer >= 1, got {max_attempts!r}")
        self._options = CallOptions(
            attempt_timeout=_check_timeout(attempt_timeout, "attempt_timeout"),
            operation_timeout=_check_timeout(operation_timeout, "operation_timeout"),
            max_attempts=max_attempts,
        )

    def __repr__(self) -> str:
        options = self._options
        return (
            f"call_options(attempt_timeout={options.attempt_timeout!r}, "
            f"operation_timeout={options.operation_timeout!r}, "
            f"max_attempts={options.max_attempts!r})"
        )

    def __enter__(self) -> CallOptions:
        outer = _CURRENT.get()
        mine = self._options
        if outer is not None:
            mine = CallOptions(
                attempt_timeout=outer.attempt_timeout
                if mine.attempt_timeout is UNSET
                else mine.attempt_timeout,
                operation_timeout=outer.operation_timeout
                if mine.operation_timeout is UNSET
                else mine.operation_timeout,
                max_attempts=outer.max_attempts
                if mine.max_attempts is UNSET
                else mine.max_attempts,
            )
        _ENTERED.set((*_ENTERED.get(), (self, _CURRENT.set(mine))))
        return mine

    def __exit__(self, *exc_info: object) -> None:
        entered = _ENTERED.get()
        for index in range(len(entered) - 1, -1, -1):
            owner, token = entered[index]
            if owner is self:
                _ENTERED.set(entered[:index] + entered[index + 1 :])
                _CURRENT.reset(token)
                return
        raise RuntimeError(f"{self!r} was not entered in this context")

    async def __aenter__(self) -> CallOptions:
        return self.__enter__()

    async def __aexit__(self, *exc_info: object) -> None:
        self.__exit__()
