"""Pacing: waiting before sending, so that a service's fixed quotas are never exceeded.

API Gateway's control plane has fixed per-account, per-region quotas (CreateDeployment one
request every 5 s, every other operation 10 per second with a burst of 40, ...); a generated
package that has them carries its table as ``PACING`` in ``_spec.py`` (from the generator's
``codegen/quotas.json``): operation -> the token buckets one call takes a token from.

A :class:`Pacer` keeps the buckets. :class:`LocalPacer` keeps them in this process, shared by
every client (:func:`local_pacer`); ``aioapigateway.runtime.pacing_redis.RedisPacer`` keeps them
in Redis, shared by every process of every machine using it. Choose with
``ClientConfig(pacing="auto" | "local" | "off" | <a Pacer>)``.

Buckets are per *account*: the key is ``"<account>/<region>"``. The account is decoded from
the access key id (``AKIA...``/``ASIA...`` ids carry their account number; see
:func:`account_of`) so that every key and every temporary session of one account share the
buckets, as the quota does; an id that does not decode is used as it is.

A wait that would end after the call's deadline (``operation_timeout``) raises
:class:`~aioapigateway.runtime.errors.PacingTimeoutError` at once instead of sleeping. The
time waited is logged at DEBUG and recorded as ``CallMetadata.paced_for``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from collections.abc import Mapping
from typing import Final, Protocol, runtime_checkable

from aioapigateway.runtime.errors import PacingTimeoutError

__all__ = [
    "PACING_MODES",
    "LocalPacer",
    "Pacer",
    "PacingPlan",
    "account_of",
    "local_pacer",
    "pacing_plan",
]

logger = logging.getLogger("aioapigateway.pacing")

# Read through module globals: tests move the clock (and sleep on it) without touching the
# event loop's.
_monotonic = time.monotonic
_sleep = asyncio.sleep

#: The string values of ``ClientConfig(pacing=...)``.
PACING_MODES: Final = ("auto", "local", "off")

#: ``(bucket name, tokens per second, burst)``, as in a package's ``PACING`` table.
Bucket = tuple[str, float, float]


@runtime_checkable
class Pacer(Protocol):
    """Keeps token buckets; ``acquire`` takes one token, waiting for it if need be."""

    async def acquire(
        self, key: str, bucket: str, rate: float, burst: float, deadline: float | None
    ) -> float:
        """Take one token of bucket ``bucket`` of ``key`` (``"<account>/<region>"``).

        The bucket refills at ``rate`` tokens per second up to ``burst``. Returns the
        seconds waited. ``deadline`` is a :func:`time.monotonic` time: if the token would
        come later, raise :class:`~aioapigateway.runtime.errors.PacingTimeoutError` without
        waiting (and without taking it).
        """
        ...


class LocalPacer:
    """Token buckets in this process, shared by all its clients and event loops.

    A token is *reserved* at once (a bucket may go below zero), then the caller sleeps until
    its turn: concurrent callers are served in order, each spaced by ``1 / rate``, and no
    lock is held while sleeping.

    A reservation reads and writes its bucket without awaiting in between, so the tasks of
    one event loop never interleave there. No thread lock is taken (it would cost more than
    the rest of the call): clients running in several threads at once may, rarely, let one
    request too many through, which the service answers with a 429 that is retried.
    """

    __slots__ = ("_buckets",)

    def __init__(self) -> None:
        # (key, bucket) -> [tokens, monotonic time of the last update]
        self._buckets: dict[tuple[str, str], list[float]] = {}

    def __repr__(self) -> str:
        return f"LocalPacer({len(self._buckets)} buckets)"

    def reserve(
        self, key: str, bucket: str, rate: float, burst: float, deadline: float | None
    ) -> float:
        """Reserve a token now; return how long to wait for it (no sleeping here)."""
        now = _monotonic()
        tokens = self._level(key, bucket, rate, burst, now)
        wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate
        if deadline is not None and now + wait > deadline:
            self._buckets[(key, bucket)] = [tokens, now]
            raise past_deadline(wait, f"the {bucket} quota")
        self._buckets[(key, bucket)] = [tokens - 1.0, now]
        return wait

    async def acquire(
        self, key: str, bucket: str, rate: float, burst: float, deadline: float | None
    ) -> float:
        """See :meth:`Pacer.acquire`."""
        wait = self.reserve(key, bucket, rate, burst, deadline)
        if wait > 0.0:
            await _sleep(wait)
        return wait

    async def acquire_many(
        self, key: str, buckets: tuple[Bucket, ...], deadline: float | None
    ) -> float:
        """Take one token of each of ``buckets`` for one instant; return the seconds waited.

        The instant is when the last of them has a token. Each token is charged for that
        instant, never earlier: a token taken at once and then held while waiting for another
        bucket would reach the service late, after the refill its bucket was charged for.
        """
        waited = 0.0
        while True:
            wait, pending = self._reserve_many(key, buckets, deadline)
            if wait > 0.0:
                await _sleep(wait)
                waited += wait
            if not pending or self._take_all(key, pending, buckets):
                return waited

    def _reserve_many(
        self, key: str, buckets: tuple[Bucket, ...], deadline: float | None
    ) -> tuple[float, tuple[Bucket, ...]]:
        """Reserve what can be reserved for the common instant; ``(wait, buckets left)``.

        A bucket's token is reserved now (as :meth:`reserve` does) when the bucket does not
        fill up before the instant: then nothing of its refill is lost and the reservation is
        exactly "one token at that instant". A bucket that would be full by then (it has
        plenty) is left for :meth:`_take_all` at the instant itself.
        """
        now = _monotonic()
        levels: list[float] = []
        wait = 0.0
        for bucket, rate, burst in buckets:
            tokens = self._level(key, bucket, rate, burst, now)
            levels.append(tokens)
            if tokens < 1.0 and (1.0 - tokens) / rate > wait:
                wait = (1.0 - tokens) / rate
        if deadline is not None and now + wait > deadline:
            raise past_deadline(wait, "the quota")
        pending: list[Bucket] = []
        for entry, tokens in zip(buckets, levels, strict=True):
            bucket, rate, burst = entry
            if tokens + wait * rate <= burst:
                self._buckets[(key, bucket)] = [tokens - 1.0, now]
            else:
                pending.append(entry)
        return wait, tuple(pending)

    def _take_all(self, key: str, pending: tuple[Bucket, ...], buckets: tuple[Bucket, ...]) -> bool:
        """At the instant: take ``pending``'s tokens if all are there, else give back the rest.

        ``pending`` were plentiful when the wait began; if another caller emptied one since,
        the tokens reserved for this instant are returned (as if never taken) and the caller
        starts over, rather than holding them.
        """
        now = _monotonic()
        levels = [self._level(key, bucket, rate, burst, now) for bucket, rate, burst in pending]
        if all(tokens >= 1.0 for tokens in levels):
            for (bucket, _, _), tokens in zip(pending, levels, strict=True):
                self._buckets[(key, bucket)] = [tokens - 1.0, now]
            return True
        for entry in buckets:
            if entry not in pending:
                bucket, rate, burst = entry
                tokens = self._level(key, bucket, rate, burst, now)
                self._buckets[(key, bucket)] = [min(burst, tokens + 1.0), now]
        return False

    def _level(self, key: str, bucket: str, rate: float, burst: float, now: float) -> float:
        """The tokens of a bucket at ``now`` (below zero: owed to reservations)."""
        state = self._buckets.get((key, bucket))
        if state is None:
            return burst
        tokens = state[0] + (now - state[1]) * rate
        return burst if tokens > burst else tokens


def past_deadline(wait: float, quota: str) -> PacingTimeoutError:
    """The error of a call that would wait ``wait`` seconds for ``quota``, past its
    ``operation_timeout``: it fails at once, before anything is sent."""
    return PacingTimeoutError(
        f"{quota} would delay the call {wait:.3f} s, past its operation_timeout; nothing was sent",
        wait=wait,
    )


_LOCAL = LocalPacer()


def local_pacer() -> LocalPacer:
    """The process's one :class:`LocalPacer` (what ``pacing="local"`` and ``"auto"`` use)."""
    return _LOCAL


_ACCOUNTS: dict[str, str] = {}
_B32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def account_of(access_key_id: str) -> str:
    """The account an access key belongs to, as the pacer's key; else the key id itself.

    ``AKIA``/``ASIA`` key ids are 4 characters of prefix and 16 of base-32; the account
    number is bits 1..40 of the first 6 decoded bytes (a layout AWS does not document but
    that is widely used, e.g. by key-scanning tools). The key id is not secret (it is in
    every ``Authorization`` header and in ``Credentials.__repr__``).
    """
    account = _ACCOUNTS.get(access_key_id)
    if account is None:
        account = access_key_id
        body = access_key_id[4:]
        if (
            access_key_id[:4] in ("AKIA", "ASIA")
            and len(body) == 16
            and _B32_ALPHABET.issuperset(body)
        ):
            try:
                raw = base64.b32decode(body)
            except binascii.Error:  # pragma: no cover - the alphabet check rules it out
                raw = b""
            if raw:
                account = f"{(int.from_bytes(raw[:6], 'big') & 0x7FFFFFFFFF80) >> 7:012d}"
        if len(_ACCOUNTS) >= 1024:  # a bound for processes that see many temporary keys
            _ACCOUNTS.clear()
        _ACCOUNTS[access_key_id] = account
    return account


class PacingPlan:
    """One client's pacing: its pacer, its region and its package's ``PACING`` table."""

    __slots__ = ("_default", "_keys", "_region", "_table", "pacer")

    def __init__(self, pacer: Pacer, region: str, table: Mapping[str, tuple[Bucket, ...]]) -> None:
        self.pacer = pacer
        self._region = region
        self._table = table
        self._default = table.get("*", ())
        #: access key id -> ``"<account>/<region>"``, built once per key.
        self._keys: dict[str | None, str] = {}

    def __repr__(self) -> str:
        return f"PacingPlan({self.pacer!r}, region={self._region!r})"

    async def wait(
        self, operation: str, access_key_id: str | None, deadline: float | None
    ) -> float:
        """Take a token of each of ``operation``'s buckets; the seconds waited in all."""
        key = self._keys.get(access_key_id)
        if key is None:
            account = account_of(access_key_id) if access_key_id else "anonymous"
            key = f"{account}/{self._region}"
            if len(self._keys) >= 64:  # temporary keys come and go
                self._keys.clear()
            self._keys[access_key_id] = key
        buckets = self._table.get(operation, self._default)
        many = getattr(self.pacer, "acquire_many", None)
        if many is not None and len(buckets) > 1:
            # All tokens at one instant: a token taken early, then held while waiting for
            # another bucket, would reach the service late and could exceed its quota.
            waited: float = await many(key, buckets, deadline)
        else:
            waited = 0.0
            for bucket, rate, burst in buckets:
                waited += await self.pacer.acquire(key, bucket, rate, burst, deadline)
        if waited and logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s: paced for %.3f s (%s)", operation, waited, key)
        return waited


def pacing_plan(
    mode: str | Pacer,
    *,
    region: str,
    custom_endpoint: bool,
    table: Mapping[str, tuple[Bucket, ...]] | None,
) -> PacingPlan | None:
    """The plan for a client, or ``None`` when it does not pace.

    Never for a package without a table (the connections API); ``"off"`` never;
    ``"auto"`` only for AWS's own endpoint (no ``endpoint_url`` from the argument, the
    environment or the config file); ``"local"`` and a :class:`Pacer` always.
    """
    if table is None or mode == "off" or (mode == "auto" and custom_endpoint):
        return None
    pacer: Pacer = local_pacer() if isinstance(mode, str) else mode
    return PacingPlan(pacer, region, table)
