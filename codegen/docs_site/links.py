"""Checks a built site: every internal link and anchor resolves, nothing loads from the network.

MkDocs validates the links written in Markdown; this reads the HTML it wrote, so links the
theme adds (navigation, search, assets) and anchors made by ``attr_list`` are checked too.
"""

from __future__ import annotations

import posixpath
import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import attrs

__all__ = ["check_site"]

# Attributes that make the browser load something, as opposed to a link the reader follows.
_LOADING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src")}
_EXTERNAL = ("http:", "https:", "//")
_IGNORED = ("mailto:", "data:", "javascript:", "tel:", "blob:")


_SKIPPED = re.compile(r"<!--.*?-->|<script\b[^>]*>.*?</script>|<style\b[^>]*>.*?</style>", re.S)
_TAG = re.compile(r"<([a-zA-Z][\w-]*)(\s[^>]*)?>")
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


@attrs.define
class _Page:
    """The ids a page defines and the URLs it refers to (tag, kind, url)."""

    ids: set[str] = attrs.field(factory=set)
    urls: list[tuple[str, str, str]] = attrs.field(factory=list)


def _parse(path: Path) -> _Page:
    """Tags and attributes by regular expression: the HTML is MkDocs' own, well formed.

    Text never holds a raw ``<`` (Markdown escapes it), so every match is a tag; script
    and style bodies and comments are skipped, but a script tag's own ``src`` is kept.
    """
    page = _Page()
    html = path.read_text(encoding="utf-8")
    for skipped in _SKIPPED.finditer(html):
        opening = _TAG.match(skipped.group(0))
        if opening and opening.group(1).lower() == "script":
            _collect(page, "script", opening.group(2) or "")
    for match in _TAG.finditer(_SKIPPED.sub(" ", html)):
        _collect(page, match.group(1).lower(), match.group(2) or "")
    return page


def _collect(page: _Page, tag: str, attributes: str) -> None:
    if "id=" not in attributes and "href=" not in attributes and "src=" not in attributes:
        return  # most tags (highlighted code's spans) carry none of them
    values = {
        m.group(1).lower(): unescape(next(v for v in m.groups()[1:] if v is not None))
        for m in _ATTRIBUTE.finditer(attributes)
    }
    for name in ("id", "name") if tag == "a" else ("id",):
        value = values.get(name)
        if value:
            page.ids.add(value)
    for attribute in ("href", "src"):
        value = values.get(attribute)
        if value is not None:
            rel = values.get("rel") or ""
            loads = (tag, attribute) in _LOADING or (tag == "link" and "stylesheet" in rel)
            page.urls.append((tag, "load" if loads else attribute, value))


def check_site(site: Path) -> list[str]:
    """Every problem found in the HTML under ``site``, one line each (empty: all good)."""
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    pages = {name: _parse(site / name) for name in sorted(files) if name.endswith(".html")}
    problems: list[str] = []
    if not pages:
        return [f"{site}: no HTML page"]
    for name, page in pages.items():
        for tag, kind, url in page.urls:
            problem = _check_url(files, pages, name, url, loads=kind == "load")
            if problem:
                problems.append(f"{name}: <{tag}> {url!r}: {problem}")
    return problems


def _check_url(
    files: set[str], pages: dict[str, _Page], name: str, url: str, *, loads: bool
) -> str | None:
    if url.startswith(_EXTERNAL):
        # A link to read elsewhere is fine; a resource the page needs must be local (offline).
        return "loads a resource from the network" if loads else None
    if url.startswith(_IGNORED):
        return None
    parts = urlsplit(url)
    if parts.scheme:
        return None
    if parts.query and not parts.path:
        return None
    target = name
    if parts.path:
        # An absolute path (the 404 page's links) is relative to the site's root.
        base = "" if parts.path.startswith("/") else posixpath.dirname(name)
        target = posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
        if target.startswith("../") or target == "..":
            return "points outside the site"
        if target == ".":
            target = "index.html"
        elif target not in files and f"{target}/index.html" in files:
            target = f"{target}/index.html"
        if target not in files:
            return "no such file"
    if parts.fragment and target.endswith(".html"):
        if unquote(parts.fragment) not in pages[target].ids:
            return f"no element with id {unquote(parts.fragment)!r} in {target}"
    return None
