"""Markdown for the reference site: escaping text, the model's HTML, Python docstrings.

Everything here returns Markdown that Python-Markdown (with ``attr_list``, ``tables`` and
``pymdownx.superfences``, as ``mkdocs.yml`` configures it) renders as the text it was given:
characters Markdown would read as markup are escaped, so no model documentation can turn
into a stray heading, list, attribute block or raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

__all__ = [
    "RoleResolver",
    "code",
    "docstring_to_markdown",
    "escape",
    "first_sentence",
    "html_to_markdown",
    "indent",
    "inline_rst",
]

#: ``(role, target) -> (text, url or None)`` for a Sphinx-style cross reference
#: (``:class:`~pkg.Credentials```); the url is relative to the page being written.
RoleResolver = Callable[[str, str], tuple[str, str | None]]

_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!])")
# A list marker, or a run of dashes (a rule, or a heading's underline).
_BLOCK_START = re.compile(r"^(\s*)([-+]|\d+\.)")


def escape(text: str) -> str:
    """Text Markdown shows as is: entities for ``& < >``, backslashes before markup."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def _escape_block_start(text: str) -> str:
    """A paragraph starting like a list item (``- x``, ``1. x``) or a rule stays a paragraph."""
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    lead, marker = match.group(1), match.group(2)
    escaped = marker[:-1] + "\\." if marker.endswith(".") else "\\" + marker
    return lead + escaped + text[match.end(2) :]


def code(text: str) -> str:
    """An inline code span holding ``text`` verbatim, whatever backticks it contains."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return ""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if fence != "`" or text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def indent(text: str, spaces: int = 4) -> str:
    """Indent every non-empty line (the continuation of a list item)."""
    prefix = " " * spaces
    return "\n".join(prefix + line if line.strip() else "" for line in text.split("\n"))


def first_sentence(markdown: str) -> str:
    """The first sentence of the first paragraph, for summary tables (one line)."""
    paragraph = markdown.strip().split("\n\n", 1)[0].replace("\n", " ")
    match = re.search(r"(?<!\b[eE]\.g)(?<!\bi\.e)\.(\s|$)", paragraph)
    sentence = paragraph[: match.start() + 1] if match else paragraph
    return sentence.strip()


# -- the model's HTML documentation -------------------------------------------------------

_PARAGRAPH_TAGS = frozenset(
    {"p", "div", "br", "note", "important", "h1", "h2", "h3", "h4", "dl", "dt", "dd"}
)
_EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*", "replaceable": "*"}


class _ModelHtml(HTMLParser):
    """Collects Markdown blocks from the small HTML subset botocore models use."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._parts: list[str] = []
        self._code: list[str] | None = None
        self._href: str | None = None
        self._link_start = 0
        self._emphasis: list[tuple[str, int]] = []
        self._lists: list[str] = []
        #: The indentation of the list item a paragraph continues, if any.
        self._item_indent = ""
        self._item_fresh = False

    # Paragraphs ---------------------------------------------------------------------

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._parts)).strip()
        self._parts = []
        self._emphasis = []
        if not text or (self._item_fresh and text in {"-", "1."}):
            return  # an empty list item
        if self._item_fresh:
            # The list marker was written by <li>; the text after it is plain.
            marker, _, rest = text.partition(" ")
            self.blocks.append(f"{self._item_indent}{marker} {_escape_block_start(rest)}")
            self._item_fresh = False
            self._item_indent += "    "
        else:
            self.blocks.append(self._item_indent + _escape_block_start(text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _PARAGRAPH_TAGS:
            # A paragraph opening a list item continues the item's marker line.
            if not (self._item_fresh and re.sub(r"\s+", "", "".join(self._parts)) in {"-", "1."}):
                self._flush()
        elif tag in {"ul", "ol"}:
            self._flush()
            self._lists.append(tag)
        elif tag == "li":
            self._flush()
            depth = max(len(self._lists), 1)
            self._item_indent = "    " * (depth - 1)
            self._item_fresh = True
            self._parts.append("1. " if self._lists and self._lists[-1] == "ol" else "- ")
        elif tag == "code":
            self._code = []
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_start = len(self._parts)
        elif tag in _EMPHASIS:
            self._emphasis.append((_EMPHASIS[tag], len(self._parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self._flush()
        elif tag in {"ul", "ol"}:
            self._flush()
            if self._lists:
                self._lists.pop()
            self._item_indent = "    " * max(len(self._lists) - 1, 0) if self._lists else ""
            self._item_fresh = False
        elif tag == "li":
            self._flush()
            self._item_fresh = False
            self._item_indent = "    " * max(len(self._lists) - 1, 0)
        elif tag == "code" and self._code is not None:
            self._parts.append(code("".join(self._code)))
            self._code = None
        elif tag == "a":
            self._close_link()
        elif tag in _EMPHASIS and self._emphasis:
            self._close_emphasis()

    def handle_data(self, data: str) -> None:
        if self._code is not None:
            self._code.append(data)
        else:
            self._parts.append(escape(data))

    def _close_link(self) -> None:
        href, self._href = self._href, None
        text = re.sub(r"\s+", " ", "".join(self._parts[self._link_start :])).strip()
        if not href or not re.match(r"https?://", href):
            return
        del self._parts[self._link_start :]
        url = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        self._parts.append(f"[{text or escape(href)}]({url})")

    def _close_emphasis(self) -> None:
        marker, start = self._emphasis.pop()
        inner = "".join(self._parts[start:])
        del self._parts[start:]
        stripped = inner.strip()
        if not stripped:
            self._parts.append(inner)
            return
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        self._parts.append(f"{lead}{marker}{stripped}{marker}{trail}")

    def close(self) -> None:
        super().close()
        if self._code is not None:
            self._parts.append(code("".join(self._code)))
            self._code = None
        self._flush()


def html_to_markdown(source: str | None) -> str:
    """The model's HTML documentation as Markdown: paragraphs, lists, code, links."""
    if not source:
        return ""
    parser = _ModelHtml()
    parser.feed(source)
    parser.close()
    return "\n\n".join(parser.blocks)


# -- Python docstrings -------------------------------------------------------------------

_ROLE = re.compile(r":(?:py:)?(\w+):`([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``")
_INTERPRETED = re.compile(r"(?<![`\w])`([^`\n]+)`(?![`\w])")
_SECTION = re.compile(r"^(Args|Arguments|Attributes|Returns|Raises|Yields|Note|Notes):\s*$")
_ENTRY = re.compile(r"^([\w*.]+(?: \([^)]*\))?):\s*(.*)$")


def inline_rst(text: str, resolve: RoleResolver) -> str:
    """One paragraph of docstring text: ``literals``, `code` and :role:`refs`, escaped."""
    out: list[str] = []
    position = 0
    tokens = re.compile(f"{_ROLE.pattern}|{_LITERAL.pattern}|{_INTERPRETED.pattern}")
    for match in tokens.finditer(text):
        out.append(escape(text[position : match.start()]))
        position = match.end()
        role, target, literal, interpreted = match.groups()
        if role is not None:
            label, url = resolve(role, target)
            out.append(f"[{code(label)}]({url})" if url else code(label))
        else:
            out.append(code(literal if literal is not None else interpreted))
    out.append(escape(text[position:]))
    return "".join(out)


def _dedent_block(lines: list[str]) -> list[str]:
    width = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return [line[width:] for line in lines]


def _literal_language(lines: list[str]) -> str:
    body = "\n".join(lines)
    return "python" if re.search(r"\b(import|def|await|async|return)\b|\w\(", body) else "text"


def _take_indented(lines: list[str], start: int) -> tuple[list[str], int]:
    """The indented block starting at ``start`` (blank lines inside it included)."""
    end = start
    block: list[str] = []
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith((" ", "\t"))):
        block.append(lines[end])
        end += 1
    while block and not block[-1].strip():
        block.pop()
        end -= 1
    return block, end


def _section(title: str, block: list[str], resolve: RoleResolver) -> list[str]:
    """A Google-style section (``Args:``...) as a bold title and a list of entries."""
    entries: list[list[str]] = []
    for line in _dedent_block(block):
        if not line.strip():
            continue
        if line.startswith((" ", "\t")) and entries:
            entries[-1].append(line.strip())
        else:
            entries.append([line.strip()])
    items = []
    for entry in entries:
        text = " ".join(entry)
        match = _ENTRY.match(text)
        if match and title not in {"Returns", "Yields", "Note", "Notes"}:
            items.append(f"- {code(match.group(1))}: {inline_rst(match.group(2), resolve)}")
        else:
            items.append(f"- {inline_rst(text, resolve)}")
    return [f"**{title}**", "", *items, ""]


class _Paragraphs:
    """Lines of running text, joined before inline markup is read: a ``literal`` or a
    role may be split over two lines."""

    def __init__(self, resolve: RoleResolver, out: list[str]) -> None:
        self.resolve = resolve
        self.out = out
        self.lead = ""
        self.marker = ""
        self.lines: list[str] = []

    def start(self, lead: str, marker: str, text: str) -> None:
        previous_marker = self.marker if self.lines else ""
        self.flush()
        if marker and not previous_marker and self.out and self.out[-1].strip():
            self.out.append("")  # Markdown starts a list only after a blank line
        self.lead, self.marker, self.lines = lead, marker, [text]

    def add(self, text: str) -> None:
        if not self.lines:
            self.start("", "", text)
        else:
            self.lines.append(text)

    def flush(self) -> None:
        if not self.lines:
            return
        text = inline_rst(" ".join(line.strip() for line in self.lines), self.resolve)
        if not self.marker:
            text = _escape_block_start(text)
        self.out.append(f"{self.lead}{self.marker}{text}")
        self.lines = []


def docstring_to_markdown(doc: str | None, resolve: RoleResolver) -> str:
    """A cleaned docstring (``inspect.getdoc``) as Markdown.

    Handles what this project's docstrings use: paragraphs, ``-`` lists with indented
    continuation lines, ``::`` literal blocks, Google-style sections, double-backtick
    literals and Sphinx roles (resolved to links by ``resolve``).
    """
    if not doc:
        return ""
    lines = doc.expandtabs().split("\n")
    out: list[str] = []
    paragraph = _Paragraphs(resolve, out)
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        section = _SECTION.match(line)
        if section:
            paragraph.flush()
            block, i = _take_indented(lines, i + 1)
            out.extend(["", *_section(section.group(1), block, resolve)])
            continue
        if line.rstrip().endswith("::"):
            head = line.rstrip()[:-2].rstrip()
            if head:
                paragraph.add(head + ":")
            paragraph.flush()
            block, i = _take_indented(lines, i + 1)
            body = _dedent_block(block)
            while body and not body[0].strip():
                body.pop(0)
            out.extend(["", f"```{_literal_language(body)}", *body, "```", ""])
            continue
        if line.startswith("    ") and not paragraph.lines and (not out or not out[-1].strip()):
            # An indented block that no ``::`` introduced: keep it as preformatted text.
            block, i = _take_indented(lines, i)
            out.extend(["```text", *_dedent_block(block), "```", ""])
            continue
        bullet = re.match(r"([-*]|\d+\.)\s+", stripped)
        if bullet:
            paragraph.start(
                line[: len(line) - len(stripped)], bullet.group(0), stripped[bullet.end() :]
            )
        elif stripped:
            paragraph.add(stripped)
        else:
            paragraph.flush()
            out.append("")
        i += 1
    paragraph.flush()
    return "\n".join(out).strip()
