"""The reference pages of one generated package, written from the generator's IR.

Names, signatures, types, required flags, enum values, error members and paginators come
from the ``ServiceIR`` that ``codegen.build`` makes for the package (the same object the
code templates render); the prose is the model's own HTML documentation, turned into
Markdown (``markdown.html_to_markdown``) so that its code spans and links survive. Which
errors an operation declares is read from the model, which the IR does not carry.

Pages, below ``reference/<package>/``: ``index.md`` (the package), ``client.md`` (every
operation and paginator), ``errors.md`` (every modeled error), ``models/index.md`` and one
page per model class or enum (``models/<page>.md``: a structure's page is named like its
generated module, an enum's likewise though the enums share one module; names differing only
in case get different files).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from codegen.docs_site.markdown import (
    code,
    docstring_to_markdown,
    escape,
    first_sentence,
    html_to_markdown,
    indent,
)
from codegen.ir import EnumIR, ErrorIR, MemberIR, OperationIR, PaginatorIR, ServiceIR, StructureIR

__all__ = ["Package", "RuntimeLinks", "reference_pages"]

#: Where the site documents a runtime object (a docs-root path with its anchor), or ``None``.
RuntimeLinks = Callable[[object], "str | None"]

_MODELS_REF = re.compile(r"models\.(\w+)")


@attrs.frozen
class Package:
    """One generated package: its IR, the model it came from, its imported module."""

    ir: ServiceIR
    #: The parsed ``service-2.json``.
    model: Mapping[str, Any]
    #: The generated package itself (``import <package>``), for its public names.
    module: Any
    errors_module: Any

    @property
    def root(self) -> str:
        return f"reference/{self.ir.package}"


def relative(page: str, target: str) -> str:
    """``target`` (a docs-root path, maybe with ``#anchor``) as a link from ``page``."""
    path, _, anchor = target.partition("#")
    if path == page:
        return f"#{anchor}" if anchor else posixpath.basename(page)
    link = posixpath.relpath(path, posixpath.dirname(page) or ".")
    return f"{link}#{anchor}" if anchor else link


class _Writer:
    """The pages of one package; every link is computed from the IR's names."""

    def __init__(self, package: Package, runtime: RuntimeLinks) -> None:
        self.package = package
        self.ir = package.ir
        self.runtime = runtime
        self.shapes: Mapping[str, Any] = package.model["shapes"]
        self.structures = {s.name: s for s in self.ir.structures}
        self.enums = {e.name: e for e in self.ir.enums}
        self.errors = {e.name: e for e in self.ir.errors}
        self.class_pages: dict[str, str] = {}
        self.shape_pages: dict[str, str] = {}
        named_classes: list[StructureIR | EnumIR] = [*self.ir.structures, *self.ir.enums]
        for named in named_classes:
            path = f"{package.root}/models/{named.page}.md"
            self.class_pages[named.class_name] = path
            self.shape_pages[named.name] = path
        self.client_page = f"{package.root}/client.md"
        self.errors_page = f"{package.root}/errors.md"
        self.models_index = f"{package.root}/models/index.md"
        self.index_page = f"{package.root}/index.md"
        self.paginators = {p.operation: p for p in self.ir.paginators}
        self.usage = self._usage()

    # -- helpers ----------------------------------------------------------------------

    def op_errors(self, op: OperationIR) -> list[ErrorIR]:
        declared = self.package.model["operations"][op.name].get("errors", [])
        return [self.errors[e["shape"]] for e in declared if e["shape"] in self.errors]

    def link_type(self, page: str, hint: str) -> str:
        """A type annotation as text, each model class in it linked to its page."""
        out: list[str] = []
        position = 0
        for match in _MODELS_REF.finditer(hint):
            out.append(escape(hint[position : match.start()]))
            target = self.class_pages.get(match.group(1))
            name = escape(match.group(1))
            out.append(f"[{name}]({relative(page, target)})" if target else name)
            position = match.end()
        out.append(escape(hint[position:]))
        return "".join(out)

    def op_link(self, page: str, py_name: str) -> str:
        return f"[{code(py_name)}]({relative(page, f'{self.client_page}#{py_name}')})"

    def class_link(self, page: str, class_name: str) -> str:
        target = self.class_pages[class_name]
        return f"[{code(class_name)}]({relative(page, target)})"

    def error_link(self, page: str, error: ErrorIR) -> str:
        target = f"{self.errors_page}#{error.class_name}"
        return f"[{code(error.class_name)}]({relative(page, target)})"

    def runtime_link(self, page: str, obj: object, label: str) -> str:
        target = self.runtime(obj)
        return f"[{code(label)}]({relative(page, target)})" if target else code(label)

    def doc(self, html: str | None) -> str:
        return html_to_markdown(html)

    def member_doc(self, structure: str, member: MemberIR) -> str:
        ref = self.shapes[structure]["members"][member.name]
        return self.doc(ref.get("documentation"))

    def _named_in(self, shape_name: str) -> Iterable[str]:
        """The model classes and enums an annotation of ``shape_name`` mentions."""
        shape = self.shapes[shape_name]
        if shape_name in self.shape_pages:
            yield shape_name
        elif shape["type"] == "list":
            yield from self._named_in(shape["member"]["shape"])
        elif shape["type"] == "map":
            yield from self._named_in(shape["value"]["shape"])

    def _usage(self) -> dict[str, dict[str, list[str]]]:
        """Per shape: the operations and classes that use it, as ``kind -> link keys``."""
        usage: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for op in self.ir.operations:
            spec = self.package.model["operations"][op.name]
            if "input" in spec:
                usage[spec["input"]["shape"]]["Input of"].append(f"op:{op.py_name}")
            if "output" in spec:
                usage[spec["output"]["shape"]]["Returned by"].append(f"op:{op.py_name}")
            for argument in op.arguments:
                for name in dict.fromkeys(self._named_in(argument.shape)):
                    usage[name]["Argument of"].append(f"op:{op.py_name}")
            for error in self.op_errors(op):
                usage[error.name]["Raised by"].append(f"op:{op.py_name}")
        for structure in self.ir.structures:
            for member in structure.members:
                for name in dict.fromkeys(self._named_in(member.shape)):
                    usage[name]["Field of"].append(f"class:{structure.class_name}")
        return usage

    def usage_lines(self, page: str, shape_name: str) -> list[str]:
        lines: list[str] = []
        for kind in ("Input of", "Returned by", "Argument of", "Raised by", "Field of"):
            keys = list(dict.fromkeys(self.usage.get(shape_name, {}).get(kind, [])))
            if not keys:
                continue
            links = []
            for key in keys:
                what, _, name = key.partition(":")
                links.append(
                    self.op_link(page, name) if what == "op" else self.class_link(page, name)
                )
            lines.append(f"- **{kind}**: {', '.join(links)}")
        return lines

    # -- the package ------------------------------------------------------------------

    def index(self) -> str:
        page = self.index_page
        ir = self.ir
        metadata = self.package.model["metadata"]
        full_name = str(metadata.get("serviceFullName") or ir.service_id)
        lines = [
            f"# {code(ir.package)}",
            "",
            f"{escape(full_name)}, model version {code(ir.api_version)}: "
            f"{len(ir.operations)} operations, {len(ir.paginators)} paginators, "
            f"{len(ir.structures)} model classes, {len(ir.enums)} enums, "
            f"{len(ir.errors)} modeled errors.",
            "",
            "```python",
            f"from {ir.package} import {ir.client_class}, errors, models",
            "```",
            "",
            f"- [{code(ir.client_class)}]({relative(page, self.client_page)}): the client, "
            "every operation and paginator",
            f"- [Models]({relative(page, self.models_index)}): every model class and enum",
            f"- [Errors]({relative(page, self.errors_page)}): every modeled error",
            "",
        ]
        documentation = self.doc(self.package.model.get("documentation"))
        if documentation:
            lines += ["## The service { #service }", "", documentation, ""]
        lines += self._public_names(page)
        helper = ir.endpoint_helper
        if helper is not None:
            arguments = ", ".join(f"{a}: str" for a in helper.arguments)
            lines += [
                f"## {helper.function} {{ #{helper.function} }}",
                "",
                "```python",
                f"def {helper.function}(*, {arguments}) -> str",
                "```",
                "",
                f"Fills {code(helper.template)}.",
                "",
                docstring_to_markdown(helper.documentation, lambda _r, t: (t, None)),
                "",
            ]
        return "\n".join(lines)

    def _public_names(self, page: str) -> list[str]:
        module = self.package.module
        generated = {
            self.ir.client_class: self.client_page,
            "Client": self.client_page,
            "errors": self.errors_page,
            "models": self.models_index,
        }
        if self.ir.endpoint_helper is not None:
            generated[self.ir.endpoint_helper.function] = (
                f"{page}#{self.ir.endpoint_helper.function}"
            )
        rows = []
        for name in getattr(module, "__all__", ()):
            if name.startswith("__"):
                continue
            target = generated.get(name) or self.runtime(getattr(module, name))
            rows.append(
                f"| [{code(name)}]({relative(page, target)}) |" if target else f"| {code(name)} |"
            )
        if not rows:
            return []
        return [
            "## Public names { #public-names }",
            "",
            f"What {code(self.ir.package)} exports ({code('__all__')}):",
            "",
            "| name |",
            "| --- |",
            *rows,
            "",
        ]

    # -- the client -------------------------------------------------------------------

    def client(self) -> str:
        page = self.client_page
        ir = self.ir
        lines = [
            f"# {code(ir.client_class)}",
            "",
            f"{code(f'{ir.package}.{ir.client_class}')} (also {code(f'{ir.package}.Client')}): "
            f"one {code('async def')} per operation of the model, keyword-only arguments, "
            "a model class returned.",
            "",
            "```python",
            f"from {ir.package} import {ir.client_class}",
            "",
            f'async with {ir.client_class}(region="us-east-1") as client:',
            "    ...",
            "```",
            "",
        ]
        client_cls = getattr(self.package.module, ir.client_class, None)
        close = getattr(client_cls, "close", None)
        if close is not None and self.runtime(close):
            lines += [
                "The constructor's arguments, "
                + self.runtime_link(page, close, "close()")
                + ", "
                + self.runtime_link(page, getattr(client_cls, "add_hook", None), "add_hook()")
                + " and the client's life cycle are the same for every client: see "
                + f"[the client]({relative(page, self.runtime(close) or '')}).",
                "",
            ]
        service_error = getattr(self.package.errors_module, "ServiceError", None)
        root_error = getattr(self.package.errors_module, "AioApiGatewayError", service_error)
        lines += [
            "Each operation lists the errors the model says it can raise (subclasses of "
            + self.runtime_link(page, service_error, "ServiceError")
            + "); any call can also raise the library's own errors (all derive from "
            + self.runtime_link(page, root_error, getattr(root_error, "__name__", "Error"))
            + ").",
            "",
            "## Operations { #all-operations }",
            "",
            "| method | returns | summary |",
            "| --- | --- | --- |",
        ]
        for op in ir.operations:
            summary = first_sentence(
                self.doc(self.package.model["operations"][op.name].get("documentation"))
            )
            # Plain link text: code spans in a narrow column break inside the name.
            lines.append(
                f"| [{escape(op.py_name)}](#{op.py_name}) | {self.link_type(page, op.return_hint)} "
                f"| {summary} |"
            )
        lines.append("")
        if ir.paginators:
            lines += [
                "## Paginators { #all-paginators }",
                "",
                "| method | pages | items |",
                "| --- | --- | --- |",
            ]
            for pag in ir.paginators:
                lines.append(
                    f"| [{escape(pag.py_name)}](#{pag.py_name}) | {self.link_type(page, pag.page_hint)} "
                    f"| {self.link_type(page, pag.item_hint)} |"
                )
            lines.append("")
        for op in ir.operations:
            lines += self._operation(page, op)
        for pag in ir.paginators:
            lines += self._paginator(page, pag)
        return "\n".join(lines)

    def _arguments(
        self, page: str, input_shape: str | None, arguments: Iterable[MemberIR]
    ) -> list[str]:
        lines = []
        for argument in arguments:
            flag = "required" if argument.required else "optional"
            head = (
                f"- {code(argument.py_name)} ({self.link_type(page, argument.client_hint)}, {flag})"
            )
            documentation = self.member_doc(input_shape, argument) if input_shape else ""
            if documentation:
                first, _, rest = documentation.partition("\n\n")
                head += f": {first}"
                if rest:
                    head += "\n\n" + indent(rest)
            lines.append(head)
        return lines

    def _signature(
        self, prefix: str, name: str, arguments: tuple[MemberIR, ...], result: str
    ) -> list[str]:
        if not arguments:
            return ["```python", f"{prefix}{name}(self) -> {result}", "```"]
        lines = ["```python", f"{prefix}{name}(", "    self,", "    *,"]
        for a in arguments:
            default = "" if a.required else " | None = None"
            lines.append(f"    {a.py_name}: {_argument_hint(a)}{default},")
        lines += [f") -> {result}", "```"]
        return lines

    def _operation(self, page: str, op: OperationIR) -> list[str]:
        spec = self.package.model["operations"][op.name]
        input_shape = spec.get("input", {}).get("shape")
        lines = [f"## {op.py_name} {{ #{op.py_name} }}", ""]
        lines += self._signature("async def ", op.py_name, op.arguments, op.return_hint)
        lines.append("")
        if op.deprecated:
            lines += [
                '!!! warning "Deprecated"',
                "",
                "    The service deprecates this operation.",
                "",
            ]
        documentation = self.doc(spec.get("documentation"))
        lines += [documentation or f"The model's {code(op.name)} operation.", ""]
        http = spec.get("http", {})
        if http:
            lines += [
                f"Sends {code(http.get('method', ''))} {code(http.get('requestUri', ''))} "
                f"({code(op.name)}).",
                "",
            ]
        if op.arguments:
            lines += ["**Arguments**", ""]
            lines += self._arguments(page, input_shape, op.arguments)
            lines.append("")
        lines += [f"**Returns**: {self.link_type(page, op.return_hint)}", ""]
        errors = self.op_errors(op)
        if errors:
            links = ", ".join(self.error_link(page, e) for e in errors)
            lines += [f"**Errors**: {links}", ""]
        paginator = self.paginators.get(op.name)
        if paginator is not None:
            lines += [f"**Paginator**: [{code(paginator.py_name)}](#{paginator.py_name})", ""]
        return lines

    def _paginator(self, page: str, pag: PaginatorIR) -> list[str]:
        result = f"PageIterator[{pag.page_hint}, {pag.item_hint}]"
        iterator = getattr(self.package.module, "PageIterator", None)
        lines = [f"## {pag.py_name} {{ #{pag.py_name} }}", ""]
        lines += self._signature("def ", pag.py_name, pag.arguments, result)
        lines += [
            "",
            f"Iterates over every page of {self.op_link(page, pag.method)}: "
            f"{code(f'async for page in client.{pag.py_name}(...)')} gives "
            f"{self.link_type(page, pag.page_hint)} pages, and "
            f"{code('.items()')} the {self.link_type(page, pag.item_hint)} results of all pages. "
            "The page token is handled for you; the other arguments are the operation's. "
            f"Returns a {self.runtime_link(page, iterator, 'PageIterator')}.",
            "",
        ]
        if pag.arguments:
            spec = self.package.model["operations"][pag.operation]
            lines += ["**Arguments**", ""]
            lines += self._arguments(page, spec["input"]["shape"], pag.arguments)
            lines.append("")
        return lines

    # -- errors -----------------------------------------------------------------------

    def errors_page_text(self) -> str:
        page = self.errors_page
        module = self.package.errors_module
        service_error = getattr(module, "ServiceError", None)
        lines = [
            f"# Errors of {code(self.ir.package)}",
            "",
            f"{code(f'{self.ir.package}.errors')} holds one class per error the model declares, "
            f"each a subclass of {self.runtime_link(page, service_error, 'ServiceError')} "
            f"(with {code('code')}, {code('message')}, {code('status_code')}, "
            f"{code('request_id')}, {code('headers')} and {code('body')}) carrying the error's "
            "modeled members as attributes. An error code the model does not know raises "
            f"{code('ServiceError')} itself.",
            "",
        ]
        runtime_names = [
            name
            for name in getattr(module, "__all__", ())
            if name not in {e.class_name for e in self.ir.errors}
        ]
        if runtime_names:
            links = ", ".join(self.runtime_link(page, getattr(module, n), n) for n in runtime_names)
            lines += [f"The module also re-exports the library's own errors: {links}.", ""]
        lines += ["| error | HTTP status | raised by |", "| --- | --- | --- |"]
        raised = self._raised_by()
        for error in self.ir.errors:
            status = self.shapes[error.name].get("error", {}).get("httpStatusCode", "")
            lines.append(
                f"| [{escape(error.class_name)}](#{error.class_name}) | {status} "
                f"| {len(raised.get(error.name, []))} operations |"
            )
        lines.append("")
        for error in self.ir.errors:
            lines += self._error(page, error, raised.get(error.name, []))
        return "\n".join(lines)

    def _raised_by(self) -> dict[str, list[str]]:
        raised: dict[str, list[str]] = defaultdict(list)
        for op in self.ir.operations:
            for error in self.op_errors(op):
                raised[error.name].append(op.py_name)
        return raised

    def _error(self, page: str, error: ErrorIR, raised_by: list[str]) -> list[str]:
        spec = self.shapes[error.name].get("error", {})
        facts = [f"code {code(error.code)}"]
        if "httpStatusCode" in spec:
            facts.append(f"HTTP {spec['httpStatusCode']}")
        if spec.get("senderFault"):
            facts.append("the caller's fault")
        lines = [
            f"## {error.class_name} {{ #{error.class_name} }}",
            "",
            f"{code(f'class {error.class_name}(ServiceError)')}: {', '.join(facts)}.",
            "",
            self.doc(self.shapes[error.name].get("documentation")) or "",
            "",
        ]
        if error.members:
            lines += ["**Members**", ""]
            for member in error.members:
                documentation = first_sentence(self.member_doc(error.name, member))
                lines.append(
                    f"- {code(member.py_name)} ({self.link_type(page, member.client_hint)} | None)"
                    + (f": {documentation}" if documentation else "")
                )
            lines.append("")
        if raised_by:
            links = ", ".join(self.op_link(page, name) for name in raised_by)
            lines += [f"**Raised by**: {links}", ""]
        return lines

    # -- models -----------------------------------------------------------------------

    def _front_matter(self, class_name: str) -> list[str]:
        """The page title (browser tab, search results) names the package: v1 and v2 both
        have a ``Deployment``."""
        title = json.dumps(f"{class_name} ({self.ir.package}.models)")
        return ["---", f"title: {title}", "---", ""]

    def _model_heading(self, class_name: str) -> str:
        """The class name, and its module in small print: search results show headings, and
        two packages may have a class of the same name."""
        return f"# {code(class_name)} <small>{escape(self.ir.package)}.models</small>"

    def models_index_text(self) -> str:
        page = self.models_index
        lines = [
            f"# Models of {code(self.ir.package)}",
            "",
            f"{code(f'{self.ir.package}.models')}: one attrs class per structure of the model "
            f"(inputs, outputs and nested structures alike) and one {code('str')} enum per enum "
            "shape. Each class is defined on first access.",
            "",
            "## Classes { #model-classes }",
            "",
            "| class | summary |",
            "| --- | --- |",
        ]
        for structure in self.ir.structures:
            summary = first_sentence(self.doc(self.shapes[structure.name].get("documentation")))
            lines.append(f"| {self.class_link(page, structure.class_name)} | {summary} |")
        lines += ["", "## Enums { #model-enums }", ""]
        if self.ir.enums:
            lines += ["| enum | values |", "| --- | --- |"]
            for enum in self.ir.enums:
                values = ", ".join(code(value) for _, value in enum.members)
                lines.append(f"| {self.class_link(page, enum.class_name)} | {values} |")
        else:
            lines.append("The model has no enum.")
        lines.append("")
        return "\n".join(lines)

    def structure_page(self, structure: StructureIR) -> str:
        page = self.shape_pages[structure.name]
        qualified = f"{self.ir.package}.models.{structure.class_name}"
        kind = "a union (exactly one field is set)" if structure.is_union else "an attrs class"
        lines = [
            *self._front_matter(structure.class_name),
            self._model_heading(structure.class_name),
            "",
            f"{code(qualified)}: {kind}, keyword-only, compared by value.",
            "",
            self.doc(self.shapes[structure.name].get("documentation")),
            "",
        ]
        if structure.name in self.errors:
            error = self.errors[structure.name]
            lines += [
                f"The error raised for it is {self.error_link(page, error)}.",
                "",
            ]
        usage = self.usage_lines(page, structure.name)
        if usage:
            lines += ["## Used by { #used-by }", "", *usage, ""]
        lines += ["## Fields { #model-fields }", ""]
        if not structure.members:
            lines += ["No field.", ""]
        for member in structure.members:
            required = member.required and not structure.all_optional
            hint = self.link_type(page, member.client_hint)
            flags = ["required" if required else "optional, default `None`"]
            if member.py_name in structure.sensitive_members:
                flags.append("shown as `<redacted>` in `repr`")
            type_text = hint if required else f"{hint} | None"
            lines += [
                f"### {member.py_name} {{ #{member.py_name} }}",
                "",
                f"{type_text}: {', '.join(flags)}. Model member {code(member.name)}.",
                "",
                self.member_doc(structure.name, member),
                "",
            ]
        return "\n".join(lines)

    def enum_page(self, enum: EnumIR) -> str:
        page = self.shape_pages[enum.name]
        qualified = f"{self.ir.package}.models.{enum.class_name}"
        lines = [
            *self._front_matter(enum.class_name),
            self._model_heading(enum.class_name),
            "",
            f"{code(qualified)}: a {code('str')} enum ({code('enum.StrEnum')}). Arguments "
            "accept a member or the plain string; a value the service sends that is not listed "
            f"here is kept as a plain {code('str')}.",
            "",
            self.doc(self.shapes[enum.name].get("documentation")),
            "",
            "## Values { #enum-values }",
            "",
            "| member | value |",
            "| --- | --- |",
        ]
        for member, value in enum.members:
            lines.append(f"| {code(f'{enum.class_name}.{member}')} | {code(repr(value))} |")
        lines.append("")
        usage = self.usage_lines(page, enum.name)
        if usage:
            lines += ["## Used by { #used-by }", "", *usage, ""]
        return "\n".join(lines)

    def pages(self) -> dict[str, str]:
        pages = {
            self.index_page: self.index(),
            self.client_page: self.client(),
            self.errors_page: self.errors_page_text(),
            self.models_index: self.models_index_text(),
        }
        for structure in self.ir.structures:
            pages[self.shape_pages[structure.name]] = self.structure_page(structure)
        for enum in self.ir.enums:
            pages[self.shape_pages[enum.name]] = self.enum_page(enum)
        return pages


def _argument_hint(member: MemberIR) -> str:
    """The annotation the client method has for an argument: the IR's caller-side hint
    (``models.X | Literal[...]`` for an enum) where it has one, else the member's type."""
    return str(getattr(member, "argument_hint", "") or member.client_hint)


def reference_pages(package: Package, runtime: RuntimeLinks) -> dict[str, str]:
    """Every reference page of ``package``: docs-root path -> Markdown."""
    return _Writer(package, runtime).pages()
