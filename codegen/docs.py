"""The model's HTML documentation turned into readable plain-text docstrings."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_BLOCK_TAGS = frozenset({"p", "div", "ul", "ol", "dl", "note", "important", "br", "h1", "h2", "h3"})


class _TextCollector(HTMLParser):
    """Collects paragraphs; list items become ``- `` lines, ``<code>`` becomes ``x``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._current)).strip()
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            # A paragraph opening a list item continues the item's "- " line.
            if "".join(self._current).strip() != "-":
                self._flush()
        elif tag == "li":
            self._flush()
            self._current.append("- ")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS or tag == "li":
            self._flush()
        elif tag == "a":
            text = "".join(self._link_text).strip()
            if self._href and self._href.startswith("http") and self._href not in text:
                self._current.append(f" ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        self._current.append(data)
        if self._href is not None:
            self._link_text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_text(source: str | None, width: int = 88) -> str:
    """Plain text for a documentation string: paragraphs wrapped at ``width``, no markup.

    The result is safe inside a triple-quoted docstring.
    """
    if not source:
        return ""
    collector = _TextCollector()
    collector.feed(source)
    collector.close()
    paragraphs: list[str] = []
    for block in collector.blocks:
        indent = "  " if block.startswith("- ") else ""
        paragraphs.append(
            textwrap.fill(
                block,
                width=width,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    text = "\n\n".join(paragraphs)
    # Escape backslashes, then every quote followed by a quote or by the end: no run of
    # quotes can then close the docstring early. Escaped quotes read the same at runtime.
    text = text.replace("\\", "\\\\").strip()
    text = re.sub(r'"(?="|$)', r'\\"', text)
    return text
