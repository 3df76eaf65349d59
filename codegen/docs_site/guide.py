"""The hand-written pages (``docs/site/``), completed at build time.

Two directives, each alone on a line, are replaced when a page is copied into the build:

- ``::: <public.dotted.name> [members=a,b] [signature=no] [optional=yes]`` documents a
  runtime object from what Python says about it: its signature, its docstring, its attrs
  fields, its bases and the public methods defined by the project (or ``members``). Objects
  are named by their public names (``aioapigateway.ClientConfig``), never by the private
  module that defines them, so moving the runtime moves nothing here. ``optional=yes``
  skips a name that does not exist (yet). On a module, the directive shows its docstring;
  ``names=reexported`` documents instead every name of its ``__all__`` that it imports from
  elsewhere (the library's own errors in a generated ``errors`` module).
- ``{% readme "Heading" [shallow] %}`` inserts that section of README.md (its subsections
  too, unless ``shallow``), headings shifted to fit the page: the guide and the README
  cannot drift apart.

``Registry`` remembers where each documented object landed (page and anchor), for the
links of docstrings' ``:class:`...``` roles and of the reference pages.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from codegen.docs_site.markdown import code, docstring_to_markdown, escape
from codegen.docs_site.reference import relative

__all__ = ["DocsError", "GuidePage", "Registry", "load_guide", "render_guide_page"]

_DIRECTIVE = re.compile(r"^:::\s+([\w.]+)((?:\s+\w+=\S+)*)\s*$")
_README = re.compile(r'^\{%\s*readme\s+"([^"]+)"(\s+shallow)?\s*%\}\s*$')
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class DocsError(Exception):
    """The site cannot be built as written: a directive, a section or a link is wrong."""


@attrs.frozen
class Directive:
    """One ``:::`` line: the public name and its options."""

    name: str
    options: Mapping[str, str]

    @property
    def members(self) -> tuple[str, ...] | None:
        value = self.options.get("members")
        if value is None:
            return None
        return () if value == "none" else tuple(v for v in value.split(",") if v)


@attrs.frozen
class GuidePage:
    """A hand-written page: its path below the docs root and its text."""

    path: str
    text: str

    @property
    def title(self) -> str:
        for line in self.text.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
        return self.path

    def directives(self) -> list[Directive]:
        return [
            _parse_directive(line, self.path)
            for line in _outside_fences(self.text)
            if line.startswith(":::")
        ]


def _parse_directive(line: str, page: str) -> Directive:
    match = _DIRECTIVE.match(line)
    if match is None:
        raise DocsError(f"{page}: malformed directive {line!r}")
    options = dict(option.split("=", 1) for option in match.group(2).split())
    unknown = set(options) - {"members", "signature", "optional", "names"}
    if unknown:
        raise DocsError(f"{page}: unknown option(s) {sorted(unknown)} in {line!r}")
    return Directive(match.group(1), options)


def _outside_fences(text: str) -> Iterable[str]:
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield line


def load_guide(guide_dir: Path) -> list[GuidePage]:
    """Every Markdown page below ``guide_dir``, in path order."""
    return [
        GuidePage(path.relative_to(guide_dir).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(guide_dir.rglob("*.md"))
    ]


def resolve(name: str) -> Any:
    """The object a public dotted name refers to: the longest importable module, then attributes."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(name)


def anchor_for(name: str) -> str:
    """The HTML id of a documented name: its last two parts (``Stubber-add_response``)."""
    return "-".join(name.split(".")[-2:]) if _is_member_name(name) else name.split(".")[-1]


def _is_member_name(name: str) -> bool:
    parts = name.split(".")
    return len(parts) >= 2 and parts[-2][:1].isupper()


# -- where things are documented --------------------------------------------------------


@attrs.define
class Registry:
    """Documented objects: by identity, by public name, by defining module."""

    _by_id: dict[int, str] = attrs.field(factory=dict)
    _keep: list[object] = attrs.field(factory=list)
    _by_name: dict[str, str] = attrs.field(factory=dict)
    _modules: dict[str, tuple[str, str]] = attrs.field(factory=dict)

    def add(self, obj: object, name: str, target: str, title: str) -> None:
        """Record that ``obj`` (public ``name``) is documented at ``target`` (path#anchor)."""
        if id(obj) not in self._by_id:
            self._by_id[id(obj)] = target
            self._keep.append(obj)  # ids stay unique while the object is referenced
        self._by_name.setdefault(name, target)
        short = ".".join(name.split(".")[-2:]) if _is_member_name(name) else name.split(".")[-1]
        self._by_name.setdefault(short, target)
        module = getattr(obj, "__module__", None)
        if inspect.ismodule(obj):
            self._modules.setdefault(obj.__name__, (target.partition("#")[0], title))
        elif isinstance(module, str) and not _is_member_name(name):
            self._modules.setdefault(module, (target.partition("#")[0], title))

    def lookup(self, obj: object) -> str | None:
        """Where ``obj`` is documented (``path#anchor``), or ``None``."""
        return self._by_id.get(id(obj))

    def role_target(self, role: str, target: str) -> tuple[str, str | None]:
        """``(label, docs-root target)`` for a docstring role such as ``:class:`~x.Y```."""
        shown = target.lstrip("~")
        label = shown.split(".")[-1] if target.startswith("~") else shown
        if role == "mod":
            page = self._modules.get(shown)
            return (page[1], page[0]) if page else (label, None)
        for candidate in (shown, ".".join(shown.split(".")[-2:]), shown.split(".")[-1]):
            if candidate in self._by_name:
                return label, self._by_name[candidate]
        try:
            found = self.lookup(resolve(shown))
        except (ImportError, AttributeError, ValueError):
            found = None
        return label, found


# -- rendering one object ---------------------------------------------------------------


def _annotation(value: Any) -> str:
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _default(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return value.name
    return repr(value)


def format_signature(obj: Any, *, drop_first: bool) -> tuple[list[str], str]:
    """The parameters of ``obj`` as source text, and its return annotation ('' if none)."""
    signature = inspect.signature(obj)
    parameters = list(signature.parameters.values())
    if drop_first and parameters and parameters[0].name in {"self", "cls"}:
        parameters = parameters[1:]
    parts: list[str] = []
    star = False
    for index, p in enumerate(parameters):
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        text = p.name
        if p.kind is p.VAR_POSITIONAL:
            text, star = f"*{p.name}", True
        elif p.kind is p.VAR_KEYWORD:
            text = f"**{p.name}"
        if p.annotation is not p.empty:
            text += f": {_annotation(p.annotation)}"
        if p.default is not p.empty:
            text += (
                f" = {_default(p.default)}"
                if p.annotation is not p.empty
                else f"={_default(p.default)}"
            )
        parts.append(text)
        following = parameters[index + 1] if index + 1 < len(parameters) else None
        if p.kind is p.POSITIONAL_ONLY and (
            following is None or following.kind is not p.POSITIONAL_ONLY
        ):
            parts.append("/")
    returns = ""
    if signature.return_annotation is not signature.empty:
        returns = _annotation(signature.return_annotation)
    return parts, returns


def _signature_block(keyword: str, name: str, parts: list[str], returns: str) -> list[str]:
    arrow = f" -> {returns}" if returns else ""
    one_line = f"{keyword}{name}({', '.join(parts)}){arrow}"
    if len(one_line) <= 88:
        return ["```python", one_line, "```"]
    return ["```python", f"{keyword}{name}(", *(f"    {p}," for p in parts), f"){arrow}", "```"]


class _ObjectRenderer:
    """Markdown for one ``:::`` directive on one page."""

    def __init__(self, registry: Registry, page: str) -> None:
        self.registry = registry
        self.page = page

    def resolver(self, role: str, target: str) -> tuple[str, str | None]:
        label, found = self.registry.role_target(role, target)
        return label, relative(self.page, found) if found else None

    def docstring(self, obj: Any) -> str:
        return docstring_to_markdown(inspect.getdoc(obj), self.resolver)

    def link(self, obj: Any, label: str) -> str:
        found = self.registry.lookup(obj)
        return f"[{code(label)}]({relative(self.page, found)})" if found else code(label)

    def render(self, directive: Directive, obj: Any) -> list[str]:
        name = directive.name
        short = name.split(".")[-1]
        anchor = anchor_for(name)
        if inspect.ismodule(obj):
            # With ``names=``, the page's own text introduces them, not the module's.
            lines = [] if "names" in directive.options else [self.docstring(obj), ""]
            for inner, value in reexported(directive, obj):
                lines += self.render(inner, value)
            return lines
        if inspect.isclass(obj):
            return self._class(directive, obj, short, anchor)
        if callable(obj) and _has_signature(obj):
            return self._function(obj, short, anchor, level=2, drop_first=_is_member_name(name))
        return [
            f"## {short} {{ #{anchor} }}",
            "",
            "```python",
            f"{short} = {obj!r}",
            "```",
            "",
        ]

    def _class(self, directive: Directive, cls: type, short: str, anchor: str) -> list[str]:
        lines = [f"## {short} {{ #{anchor} }}", ""]
        if directive.options.get("signature") != "no" and _has_signature(cls):
            parts, _ = format_signature(cls, drop_first=False)
            lines += _signature_block("class ", short, parts, "")
            lines.append("")
        # Bases a reader can use: typing's Generic and Protocol say nothing here.
        bases = [
            b
            for b in cls.__bases__
            if b.__module__ not in {"builtins", "typing"} or issubclass(b, BaseException)
        ]
        if bases:
            lines += ["Bases: " + ", ".join(self.link(b, b.__name__) for b in bases), ""]
        lines += [self.docstring(cls), ""]
        if attrs.has(cls):
            lines += self._fields(cls)
        for member in self.members(directive, cls):
            lines += self._member(cls, member, anchor)
        return lines

    def _fields(self, cls: type) -> list[str]:
        """An attrs class's public fields, with the defaults its constructor applies."""
        fields = [f for f in attrs.fields(cls) if not f.name.startswith("_")]
        if not fields:
            return []
        parameters = inspect.signature(cls).parameters if _has_signature(cls) else {}
        lines = ["**Fields**", ""]
        for field in fields:
            hint = _annotation(field.type) if field.type is not None else ""
            text = f"- {code(field.name)}" + (f" ({escape(hint)})" if hint else "")
            parameter = parameters.get(field.alias or field.name)
            if parameter is not None and parameter.default is not parameter.empty:
                text += f", default {code(_default(parameter.default))}"
            elif parameter is not None:
                text += ", required"
            lines.append(text)
        return [*lines, ""]

    def members(self, directive: Directive, cls: type) -> list[str]:
        explicit = directive.members
        if explicit is not None:
            return list(explicit)
        root = directive.name.split(".")[0]
        names: list[str] = []
        for klass in cls.__mro__:
            if not getattr(klass, "__module__", "").startswith(root):
                continue
            for member, value in vars(klass).items():
                if member.startswith("_") or member in names:
                    continue
                if inspect.isfunction(value) or isinstance(
                    value, property | classmethod | staticmethod
                ):
                    names.append(member)
        return names

    def _member(self, cls: type, member: str, owner_anchor: str) -> list[str]:
        static = inspect.getattr_static(cls, member)
        anchor = f"{owner_anchor}-{member}"
        if isinstance(static, property):
            return [
                f"### {member} {{ #{anchor} }}",
                "",
                "Property." + (f" {self.docstring(static)}" if static.__doc__ else ""),
                "",
            ]
        return self._function(getattr(cls, member), member, anchor, level=3, drop_first=True)

    def _function(
        self, fn: Any, short: str, anchor: str, *, level: int, drop_first: bool
    ) -> list[str]:
        keyword = "async def " if inspect.iscoroutinefunction(fn) else "def "
        parts, returns = format_signature(fn, drop_first=drop_first)
        return [
            f"{'#' * level} {short}() {{ #{anchor} }}",
            "",
            *_signature_block(keyword, short, parts, returns),
            "",
            self.docstring(fn),
            "",
        ]


def _has_signature(obj: Any) -> bool:
    try:
        inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    return True


def reexported(directive: Directive, module: Any) -> list[tuple[Directive, Any]]:
    """``names=reexported`` on a module: the names of its ``__all__`` defined elsewhere
    (the runtime's errors in a generated ``errors`` module), base classes first."""
    if directive.options.get("names") != "reexported":
        return []
    found = [
        (Directive(f"{directive.name}.{name}", {}), getattr(module, name))
        for name in getattr(module, "__all__", ())
        if getattr(getattr(module, name), "__module__", module.__name__) != module.__name__
    ]
    return sorted(found, key=lambda item: len(getattr(item[1], "__mro__", ())))


def register_guide(pages: Iterable[GuidePage], registry: Registry) -> None:
    """Record where every ``:::`` directive documents its object (and its members)."""
    for page in pages:
        for directive in page.directives():
            obj = _resolve_directive(directive, page.path)
            if obj is None:
                continue
            if inspect.ismodule(obj):
                registry.add(obj, directive.name, page.path, page.title)
                for inner, value in reexported(directive, obj):
                    _register_object(registry, page, inner, value)
            else:
                _register_object(registry, page, directive, obj)


def _register_object(registry: Registry, page: GuidePage, directive: Directive, obj: Any) -> None:
    target = f"{page.path}#{anchor_for(directive.name)}"
    registry.add(obj, directive.name, target, page.title)
    if inspect.isclass(obj):
        renderer = _ObjectRenderer(registry, page.path)
        for member in renderer.members(directive, obj):
            registry.add(
                getattr(obj, member), f"{directive.name}.{member}", f"{target}-{member}", page.title
            )


def _resolve_directive(directive: Directive, page: str) -> Any:
    try:
        return resolve(directive.name)
    except (ImportError, AttributeError) as exc:
        if directive.options.get("optional") == "yes":
            return None
        raise DocsError(f"{page}: ::: {directive.name}: no such public name") from exc


# -- README sections ----------------------------------------------------------------------


def readme_section(readme: str, title: str, *, shallow: bool) -> str:
    """The body of README's section ``title``, its subheadings shifted to start at ``##``."""
    lines = readme.splitlines()
    fenced = False
    start: int | None = None
    level = 0
    body: list[str] = []
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if start is None:
            if heading and heading.group(2) == title:
                start, level = 1, len(heading.group(1))
            continue
        if heading:
            depth = len(heading.group(1))
            if depth <= level or shallow:
                break
            line = "#" * (depth - level + 1) + " " + heading.group(2)
        body.append(line)
    if start is None:
        raise DocsError(f'README.md has no section "{title}" (a guide page includes it)')
    text = "\n".join(body).strip()
    # The README's relative links point into the repository, not into the site.
    return re.sub(r"\[([^\]]+)\]\((?!https?://|#)([^)]+)\)", r"\1 (\2)", text)


def render_guide_page(page: GuidePage, registry: Registry, readme: str) -> str:
    """The page with its directives replaced by what they stand for."""
    renderer = _ObjectRenderer(registry, page.path)
    out: list[str] = []
    fenced = False
    for line in page.text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith(":::"):
            directive = _parse_directive(line, page.path)
            obj = _resolve_directive(directive, page.path)
            if obj is not None:
                out.extend(renderer.render(directive, obj))
            continue
        include = None if fenced else _README.match(line)
        if include:
            out.append(readme_section(readme, include.group(1), shallow=bool(include.group(2))))
            continue
        out.append(line)
    return "\n".join(out) + "\n"
