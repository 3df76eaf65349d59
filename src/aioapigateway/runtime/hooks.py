"""Hooks: your callables, run at three points of every call, and per-call metadata.

Stages (each hook receives one :class:`HookContext`; a hook may be a plain function or an
``async def``, whose result is awaited):

``before_send``
    Before each attempt is signed and sent. ``ctx.headers`` is the request's header
    dictionary: headers a hook adds or changes here are signed with the rest (the
    ``Authorization``, ``X-Amz-Date`` and ``X-Amz-Security-Token`` headers are always
    (re)written by the signer afterwards, so from ``after_receive`` on ``ctx.headers``
    holds them too: do not log them).
``after_receive``
    After each attempt. When a response arrived, ``ctx.status``, ``ctx.response_headers``,
    ``ctx.response_body`` and ``ctx.request_id`` are set, and ``ctx.error`` is the
    ``ServiceError`` for a non-2xx status; when the attempt failed without a usable
    response (connection error, timeout, truncated body), ``ctx.error`` says why.
``on_retry``
    When a failed attempt is about to be retried, before the wait: ``ctx.error`` is the
    failure and ``ctx.delay`` the seconds until the next attempt.

Register hooks with ``ClientConfig(hooks={"before_send": fn, "on_retry": [f, g]})`` or
``client.add_hook("after_receive", fn)`` (and ``client.remove_hook(...)``). Hooks of one
stage run in registration order, config hooks first.

An exception raised by a hook propagates unchanged out of the client call (it is your
exception, not the library's, so it is neither wrapped nor retried); the attempt in
progress is abandoned and its connection released.

Every exception a call raises after it started sending (``ServiceError``,
``TransportError``, ``ResponseParseError``, ...) carries a :class:`CallMetadata` as its
``metadata`` attribute: the operation, the number of attempts, the total time, the last
HTTP status and request id.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Final, TypeAlias

__all__ = ["HOOK_STAGES", "Hook", "HookContext", "HookRegistry", "run_hooks"]

#: The stages a hook can be registered for, in the order they run within an attempt.
HOOK_STAGES: Final = ("before_send", "after_receive", "on_retry")

#: A hook: called with the :class:`HookContext`; may return an awaitable, which is awaited.
Hook: TypeAlias = Callable[["HookContext"], Awaitable[None] | None]


class HookContext:
    """The state of one attempt of one call, as hooks see it.

    A new context is made for every attempt. Request fields: ``operation`` (the model's
    name, ``"GetRestApi"``), ``attempt`` (from 1), ``max_attempts``, ``method``, ``url``,
    ``headers`` (mutable in ``before_send``), ``body`` (bytes). Response fields (set from
    ``after_receive`` on): ``status``, ``response_headers``, ``response_body``,
    ``request_id``, ``error``. ``delay`` is set for ``on_retry``. ``total_time`` is the
    time since the call started and ``attempt_time`` the duration of this attempt, in
    seconds, as of the stage being run.
    """

    __slots__ = (
        "attempt",
        "attempt_time",
        "body",
        "delay",
        "error",
        "headers",
        "max_attempts",
        "method",
        "operation",
        "request_id",
        "response_body",
        "response_headers",
        "status",
        "total_time",
        "url",
    )

    def __init__(
        self,
        *,
        operation: str,
        attempt: int,
        max_attempts: int,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes,
        total_time: float = 0.0,
    ) -> None:
        self.operation = operation
        self.attempt = attempt
        self.max_attempts = max_attempts
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.status: int | None = None
        self.response_headers: Mapping[str, str] | None = None
        self.response_body: bytes | None = None
        self.request_id: str | None = None
        self.error: BaseException | None = None
        self.delay: float | None = None
        self.total_time = total_time
        self.attempt_time = 0.0

    def __repr__(self) -> str:
        return (
            f"HookContext(operation={self.operation!r}, attempt={self.attempt}, "
            f"method={self.method!r}, url={self.url!r}, status={self.status!r})"
        )


class HookRegistry:
    """The hooks of one client, per stage, as tuples (replaced, never mutated, on change)."""

    __slots__ = ("active", "after_receive", "before_send", "on_retry")

    def __init__(self, hooks: Iterable[tuple[str, Hook]] = ()) -> None:
        self.before_send: tuple[Hook, ...] = ()
        self.after_receive: tuple[Hook, ...] = ()
        self.on_retry: tuple[Hook, ...] = ()
        self.active = False
        for stage, hook in hooks:
            self.add(stage, hook)

    def add(self, stage: str, hook: Hook) -> None:
        check_hook(stage, hook)
        setattr(self, stage, (*getattr(self, stage), hook))
        self.active = True

    def remove(self, stage: str, hook: Hook) -> None:
        """Remove the last registration of ``hook`` for ``stage``; ``ValueError`` if absent."""
        check_hook(stage, hook)
        current: tuple[Hook, ...] = getattr(self, stage)
        for index in range(len(current) - 1, -1, -1):
            if current[index] == hook:
                setattr(self, stage, current[:index] + current[index + 1 :])
                break
        else:
            raise ValueError(f"{hook!r} is not registered for {stage!r}")
        self.active = bool(self.before_send or self.after_receive or self.on_retry)


def check_hook(stage: object, hook: object) -> None:
    """``ValueError``/``TypeError`` for an unknown stage or a hook that is not callable."""
    if stage not in HOOK_STAGES:
        raise ValueError(f"unknown hook stage {stage!r}; expected one of {', '.join(HOOK_STAGES)}")
    if not callable(hook):
        raise TypeError(f"a hook must be callable, not {type(hook).__name__}")


def normalize_hooks(value: object) -> tuple[tuple[str, Hook], ...]:
    """``ClientConfig(hooks=...)``: a mapping of stage to hook(s), or (stage, hook) pairs."""
    if value is None:
        return ()
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, Mapping):
        for stage, hooks in value.items():
            if callable(hooks):
                pairs.append((stage, hooks))
            elif isinstance(hooks, list | tuple):
                pairs.extend((stage, hook) for hook in hooks)
            else:
                raise TypeError(
                    f"hooks[{stage!r}] must be a callable or a list of callables, "
                    f"not {type(hooks).__name__}"
                )
    elif isinstance(value, list | tuple):
        for item in value:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise TypeError("hooks must be a mapping or a sequence of (stage, hook) pairs")
            pairs.append(item)
    else:
        raise TypeError(
            f"hooks must be a mapping or a sequence of (stage, hook) pairs, "
            f"not {type(value).__name__}"
        )
    for stage, hook in pairs:
        check_hook(stage, hook)
    return tuple(pairs)


async def run_hooks(hooks: tuple[Hook, ...], context: HookContext) -> None:
    """Run ``hooks`` in order, awaiting those that return an awaitable."""
    for hook in hooks:
        result = hook(context)
        if inspect.isawaitable(result):
            await result
