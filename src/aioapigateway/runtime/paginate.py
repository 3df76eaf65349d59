"""Async pagination over any operation the model's paginators file lists."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from aioapigateway.runtime.errors import ResponseParseError

if TYPE_CHECKING:
    from aioapigateway.runtime.shapes import Paginator

__all__ = ["PageIterator", "PageSource"]

PageT = TypeVar("PageT")
ItemT = TypeVar("ItemT")


class PageSource(Protocol):
    """What a :class:`PageIterator` needs of a client (``BaseClient`` is one)."""

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any: ...

    async def _paginator(self, operation: str) -> Paginator: ...


def _get_path(obj: Any, path: str) -> Any:
    for attribute in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, attribute, None)
    return obj


class PageIterator(Generic[PageT, ItemT]):
    """``async for page in client.paginate_x(...)``; ``async for item in ....items()``.

    Each page is the operation's output model. Iteration stops when the service returns no
    next token; a service that returns a token it already returned in this iteration (the
    same one twice in a row, or a cycle such as A, B, A) raises ``ResponseParseError``
    rather than looping forever. The iterator can be iterated more than once; each
    iteration starts again from the first page.
    """

    def __init__(self, client: PageSource, operation: str, params: dict[str, Any]) -> None:
        self._client = client
        self._operation = operation
        self._params = params

    def __repr__(self) -> str:
        return f"PageIterator({self._operation})"

    def __aiter__(self) -> AsyncIterator[PageT]:
        return self._pages()

    async def _pages(self) -> AsyncIterator[PageT]:
        config = await self._client._paginator(self._operation)
        params = dict(self._params)
        # Every token of this run, not only the last one: a cycle (A, B, A) repeats too.
        seen: set[tuple[Any, ...]] = set()
        while True:
            page = await self._client._call(self._operation, params)
            yield page
            if config.more_results and not _get_path(page, config.more_results):
                return
            tokens = tuple(_get_path(page, path) for path in config.output_tokens)
            if all(token is None or token == "" for token in tokens):
                return
            if tokens in seen:
                raise ResponseParseError(
                    f"{self._operation}: the service returned a page token it had already "
                    "returned (a pagination cycle)"
                )
            seen.add(tokens)
            for path, token in zip(config.input_tokens, tokens, strict=True):
                params[path] = token

    async def items(self) -> AsyncIterator[ItemT]:
        """Every element of the result key, across all pages."""
        config = await self._client._paginator(self._operation)
        if not config.result_keys:
            raise TypeError(f"{self._operation} has no result key to iterate over")
        key = config.result_keys[0]
        async for page in self:
            for item in _get_path(page, key) or ():
                yield item
