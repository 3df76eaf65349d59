"""The API reference site generator (``codegen.docs_site``) and its link checker.

The reference pages are generated here from the golden fixture model and its committed
package (``tests/golden/golden_service``): every operation's signature must be the one the
generated client really has, its errors those the model declares, every type link must
reach a generated page and anchor. A small site is built with the real ``mkdocs.yml``
settings in strict mode and its HTML checked. ``make docs`` does the same for the three
real packages (and ``make docs-check`` in a browser).
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html import escape as html_escape
from html import unescape
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from codegen.docs_site import DocsError, PackageSource, build_site, load_package
from codegen.docs_site.guide import (
    Directive,
    GuidePage,
    Registry,
    readme_section,
    reexported,
    register_guide,
)
from codegen.docs_site.links import check_site
from codegen.docs_site.markdown import docstring_to_markdown, html_to_markdown
from codegen.docs_site.reference import Package, reference_pages

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_SPEC = ROOT / "tests" / "fixtures" / "golden"
GOLDEN_PARENT = ROOT / "tests" / "golden"
PACKAGE = "golden_service"
MKDOCS = Path(sys.executable).with_name("mkdocs")


@functools.cache
def _markdown() -> markdown.Markdown:
    """Python-Markdown with the extensions mkdocs.yml configures."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    names: list[str] = []
    options: dict[str, Any] = {}
    for entry in config["markdown_extensions"]:
        if isinstance(entry, str):
            names.append(entry)
        else:
            ((name, value),) = entry.items()
            names.append(name)
            options[name] = value or {}
    return markdown.Markdown(extensions=names, extension_configs=options)


def render(text: str) -> str:
    converter = _markdown()
    converter.reset()
    return converter.convert(text)


def text_of(html: str) -> str:
    """What a browser shows of ``html``: tags dropped, then entities decoded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


# -- escaping and the model's HTML ----------------------------------------------------------


# Markdown's own characters, often, and any other text.
_MARKUP = "ab1 *_`[](){}<>&#!|-+.\\:"
_TEXT = st.text(alphabet=st.sampled_from(_MARKUP), max_size=30) | st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, blacklist_categories=("Cs",)),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT)
@example("- a list?", "*stars* and _under_ `ticks`")
@example("1. ordered?", "[a](b) <i>x</i> &amp; {#id}")
def test_model_text_renders_as_itself(first: str, second: str) -> None:
    # Whatever a model's documentation says, the page shows those characters and no markup:
    # a paragraph starting like a list or a heading, stars, backticks, brackets, braces, <tags>.
    source = f"<p>{html_escape(first)}</p><p>x {html_escape(second)}</p>"
    html = render(html_to_markdown(source))
    paragraphs = [" ".join(first.split()), " ".join(f"x {second}".split())]
    assert [text_of(p) for p in re.findall(r"<p>(.*?)</p>", html, re.S)] == [
        p for p in paragraphs if p
    ]
    assert not re.search(r"<(em|strong|code|a|h\d|ul|ol|li|blockquote)\b", html)


def test_model_html_keeps_code_links_and_lists() -> None:
    html = (
        "<p>Set <code>throttling_rate_limit</code> for <i>every</i> method; see "
        '<a href="https://docs.aws.amazon.com/x (y)">the guide</a>.</p>'
        "<p>- not a list, 1. not ordered, &lt;b&gt; not bold</p>"
        "<ul><li><p>first <code>a|b</code></p></li><li>second</li></ul>"
    )
    out = render(html_to_markdown(html))
    assert "<code>throttling_rate_limit</code>" in out
    assert "<em>every</em>" in out
    assert '<a href="https://docs.aws.amazon.com/x%20%28y%29">the guide</a>' in out
    assert "<p>- not a list, 1. not ordered, &lt;b&gt; not bold</p>" in out
    assert re.findall(r"<li>(.*?)</li>", out.replace("\n", "")) == [
        "<p>first <code>a|b</code></p>",
        "<p>second</p>",
    ]


def test_docstring_markdown_links_roles_and_keeps_code_blocks() -> None:
    doc = (
        "Uses :class:`~pkg.Credentials` and :mod:`pkg._hooks`; ``x < y``, ``async with\n"
        "A() as a:`` over two lines.\n"
        "- an item\n"
        "\n"
        "Example::\n"
        "\n"
        "    import pkg\n"
        "\n"
        "\n"
        "    def f() -> None: ...\n"
        "\n"
        "Args:\n"
        "    name: the name,\n"
        "        on two lines.\n"
    )
    targets = {"Credentials": "creds.md#Credentials", "pkg._hooks": "hooks.md"}

    def resolve(role: str, target: str) -> tuple[str, str | None]:
        if role == "mod":
            return "Hooks", targets.get(target)
        return target.split(".")[-1], targets.get(target.split(".")[-1])

    out = docstring_to_markdown(doc, resolve)
    assert "[`Credentials`](creds.md#Credentials)" in out
    assert "[`Hooks`](hooks.md)" in out
    assert "`x < y`" in out
    assert "`async with A() as a:` over two lines." in out
    # A list right after a paragraph needs a blank line to be a list.
    assert "over two lines.\n\n- an item\n" in out
    # The literal block keeps its two blank lines between the import and the def.
    assert "```python\nimport pkg\n\n\ndef f() -> None: ...\n```" in out
    assert "- `name`: the name, on two lines." in out


# -- README sections -------------------------------------------------------------------------

README = """# project

## Install

```sh
# not a heading: a shell comment
pip install project
```

### Extras

With [a link](docs/x.md) and [another](https://example.com).

## Usage

Call it.
"""


def test_readme_section_shifts_headings_and_stops_at_the_next_one() -> None:
    section = readme_section(README, "Install", shallow=False)
    assert section.startswith("```sh\n# not a heading: a shell comment\npip install project\n```")
    assert "\n## Extras\n" in section
    assert "Call it" not in section
    # A repository link cannot resolve inside the site: it becomes text.
    assert "With a link (docs/x.md) and [another](https://example.com)." in section


def test_readme_section_shallow_and_missing() -> None:
    assert "Extras" not in readme_section(README, "Install", shallow=True)
    with pytest.raises(DocsError, match='no section "Nope"'):
        readme_section(README, "Nope", shallow=False)


# -- the reference pages of the golden package -----------------------------------------------


@pytest.fixture(scope="module")
def golden() -> Iterator[Package]:
    """The golden fixture's IR and its committed package (tests/golden), imported.

    Other test modules may hold the same package imported: only what this fixture imported
    is forgotten afterwards.
    """
    before = set(sys.modules)
    added = str(GOLDEN_PARENT) not in sys.path
    if added:
        sys.path.insert(0, str(GOLDEN_PARENT))
    try:
        yield load_package(PackageSource(GOLDEN_SPEC, PACKAGE))
    finally:
        if added:
            sys.path.remove(str(GOLDEN_PARENT))
        for name in set(sys.modules) - before:
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                del sys.modules[name]


@pytest.fixture(scope="module")
def pages(golden: Package) -> dict[str, str]:
    return reference_pages(golden, lambda _obj: None)


def _section(page: str, anchor: str) -> str:
    match = re.search(rf"^## .*\{{ #{re.escape(anchor)} \}}\n(.*?)(?=^## |\Z)", page, re.S | re.M)
    assert match, f"no section #{anchor}"
    return match.group(1)


def test_every_operation_has_the_signature_the_client_has(
    golden: Package, pages: dict[str, str]
) -> None:
    client_page = pages[f"reference/{PACKAGE}/client.md"]
    client = getattr(golden.module, golden.ir.client_class)
    assert golden.ir.operations
    for op in golden.ir.operations:
        section = _section(client_page, op.py_name)
        block = re.search(r"```python\n(.*?)\n```", section, re.S)
        assert block, op.py_name
        signature = inspect.signature(getattr(client, op.py_name))
        expected = [
            f"{p.name}: {p.annotation}" + ("" if p.default is p.empty else f" = {p.default!r}")
            for p in signature.parameters.values()
            if p.name != "self"
        ]
        shown = re.findall(r"^    (\w+: .*),$", block.group(1), re.M)
        assert shown == expected, op.py_name
        assert block.group(1).endswith(f") -> {signature.return_annotation}") or not expected


def test_each_operation_lists_exactly_the_errors_the_model_declares(
    golden: Package, pages: dict[str, str]
) -> None:
    model = json.loads((GOLDEN_SPEC / "service-2.json").read_text())
    client_page = pages[f"reference/{PACKAGE}/client.md"]
    errors_page = pages[f"reference/{PACKAGE}/errors.md"]
    checked = 0
    for op in golden.ir.operations:
        declared = {e["shape"] for e in model["operations"][op.name].get("errors", [])}
        section = _section(client_page, op.py_name)
        listed = set(re.findall(r"\]\(errors\.md#(\w+)\)", section))
        assert listed == declared, op.py_name
        for error in declared:
            assert f"{{ #{error} }}" in errors_page
            checked += 1
    assert checked > 0


def test_every_reference_link_reaches_a_generated_page_and_anchor(pages: dict[str, str]) -> None:
    anchors = {path: set(re.findall(r"\{ #([\w.-]+) \}", text)) for path, text in pages.items()}
    links = 0
    for path, text in pages.items():
        for target in re.findall(r"\]\(([^)]+)\)", text):
            if target.startswith("https://"):
                continue
            file, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            assert resolved in pages, f"{path}: {target}"
            if anchor:
                assert anchor in anchors[resolved], f"{path}: {target}"
            links += 1
    assert links > 50


def test_argument_types_link_to_their_model_pages(golden: Package, pages: dict[str, str]) -> None:
    client_page = pages[f"reference/{PACKAGE}/client.md"]
    structures = {s.name: s for s in golden.ir.structures}
    linked = 0
    for op in golden.ir.operations:
        section = _section(client_page, op.py_name)
        for argument in op.arguments:
            if argument.shape in structures:
                page = f"models/{structures[argument.shape].page}.md"
                name = structures[argument.shape].class_name
                assert f"`{argument.py_name}` ([{name}]({page})" in section, op.py_name
                assert f"reference/{PACKAGE}/{page}" in pages
                linked += 1
    assert linked > 0


def test_model_pages_list_every_field_with_its_required_flag(
    golden: Package, pages: dict[str, str]
) -> None:
    for structure in golden.ir.structures:
        page = pages[f"reference/{PACKAGE}/models/{structure.page}.md"]
        fields = re.findall(r"^### (\w+) \{ #\w+ \}\n\n(.*?): (required|optional)", page, re.M)
        assert [name for name, _, _ in fields] == [m.py_name for m in structure.members]
        for member, (_, _, flag) in zip(structure.members, fields, strict=True):
            required = member.required and not structure.all_optional
            assert flag == ("required" if required else "optional"), (structure.name, member.name)


def test_enum_pages_list_every_value(golden: Package, pages: dict[str, str]) -> None:
    assert golden.ir.enums
    for enum in golden.ir.enums:
        page = pages[f"reference/{PACKAGE}/models/{enum.page}.md"]
        rows = re.findall(r"^\| `(\w+)\.(\w+)` \| `'(.*)'` \|$", page, re.M)
        assert [(m, v) for _, m, v in rows] == list(enum.members)


def test_paginated_operations_link_their_paginator(golden: Package, pages: dict[str, str]) -> None:
    client_page = pages[f"reference/{PACKAGE}/client.md"]
    assert golden.ir.paginators
    for paginator in golden.ir.paginators:
        assert f"**Paginator**: [`{paginator.py_name}`](#{paginator.py_name})" in _section(
            client_page, paginator.method
        )
        assert f"async for page in client.{paginator.py_name}(...)" in _section(
            client_page, paginator.py_name
        )


# -- the whole pipeline: guide, gate, strict MkDocs build, HTML links ---------------------------


def _guide(golden: Package, tmp_path: Path, *, leave_out: str | None = None) -> Path:
    """A one-page guide documenting every runtime name the golden package exports."""
    generated = {golden.ir.client_class, "Client", "errors", "models"}
    names = [f"aioapigateway.{n}" for n in golden.module.__all__ if n not in generated]
    # The library's own errors, as docs/site/runtime/errors.md documents them.
    names.append("aioapigateway.errors names=reexported")
    guide = tmp_path / "guide"
    guide.mkdir()
    directives = "\n\n".join(f"::: {name}" for name in names if name != leave_out)
    (guide / "index.md").write_text(
        f'# Home\n\n{{% readme "Install" %}}\n\n[Client](reference/{PACKAGE}/client.md)\n\n'
        f"::: aioapigateway.ApiGatewayClient.close\n\n{directives}\n"
    )
    (tmp_path / "README.md").write_text(README)
    return guide


def test_reexported_names_are_the_runtime_errors_base_first(golden: Package) -> None:
    directive = Directive(f"{PACKAGE}.errors", {"names": "reexported"})
    found = [value for _, value in reexported(directive, golden.errors_module)]
    modeled = {e.class_name for e in golden.ir.errors}
    assert modeled and not modeled & {cls.__name__ for cls in found}
    assert {cls.__name__ for cls in found} == set(golden.errors_module.__all__) - modeled
    assert found[0] is golden.errors_module.AioApiGatewayError
    for index, cls in enumerate(found):
        assert all(base not in found[index:] for base in cls.__mro__[1:]), cls


def test_an_undocumented_public_name_fails_the_build(golden: Package, tmp_path: Path) -> None:
    guide = _guide(golden, tmp_path, leave_out="aioapigateway.ClientConfig")
    with pytest.raises(DocsError, match=rf"{PACKAGE}\.ClientConfig"):
        build_site(
            [PackageSource(GOLDEN_SPEC, PACKAGE)], guide, tmp_path / "README.md", tmp_path / "out"
        )
    assert not (tmp_path / "out").exists()


def test_a_directive_naming_nothing_fails_unless_optional(tmp_path: Path) -> None:
    registry = Registry()
    register_guide(
        [GuidePage("a.md", "# A\n\n::: aioapigateway.NoSuchThing optional=yes\n")], registry
    )
    with pytest.raises(DocsError, match=r"aioapigateway\.NoSuchThing: no such public name"):
        register_guide([GuidePage("a.md", "# A\n\n::: aioapigateway.NoSuchThing\n")], registry)


def test_small_site_builds_strictly_with_every_link_resolving(
    golden: Package, tmp_path: Path
) -> None:
    guide = _guide(golden, tmp_path)
    # The package is imported already (the ``golden`` fixture): the build finds it there.
    summary = build_site(
        [PackageSource(GOLDEN_SPEC, PACKAGE)], guide, tmp_path / "README.md", tmp_path / "docs"
    )
    assert summary.reference_pages == 4 + len(golden.ir.structures) + len(golden.ir.enums)
    # The project's mkdocs.yml (theme, extensions, strict link validation), on these pages.
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    config.update(docs_dir=str(tmp_path / "docs"), site_dir=str(tmp_path / "site"))
    config.pop("nav")
    config.pop("not_in_nav")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [str(MKDOCS), "build", "--strict", "-f", str(tmp_path / "mkdocs.yml")],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    site = tmp_path / "site"
    assert check_site(site) == []
    client = (site / "reference" / PACKAGE / "client.html").read_text()
    for op in golden.ir.operations:
        assert f'id="{op.py_name}"' in client
    home = (site / "index.html").read_text()
    # The README section came in, its subsection shifted to a second-level heading.
    assert 'id="ClientConfig"' in home and '<h2 id="extras">' in home


# -- the link checker ------------------------------------------------------------------------


def test_link_checker_reports_missing_files_anchors_and_remote_resources(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/b.html#here">ok</a> <a href="/sub/b.html">root-relative</a>'
        '<a href="sub/b.html#gone">anchor</a> <a href="c.html">file</a>'
        '<a href="https://example.com/page">read elsewhere</a>'
        '<script src="https://cdn.example.com/x.js"></script>'
        '<link rel="stylesheet" href="sub/">'
        '<a href="../outside.html">out</a> <a href="#top">self</a><h1 id="top">t</h1>'
    )
    (tmp_path / "sub" / "b.html").write_text(
        '<h2 id="here">x</h2><script>var s = "<a href=\'nope.html\'>";</script>'
    )
    (tmp_path / "sub" / "index.html").write_text("<p>dir</p>")
    problems = check_site(tmp_path)
    assert sorted(problems) == sorted(
        [
            "index.html: <a> 'sub/b.html#gone': no element with id 'gone' in sub/b.html",
            "index.html: <a> 'c.html': no such file",
            "index.html: <script> 'https://cdn.example.com/x.js': loads a resource from the network",
            "index.html: <a> '../outside.html': points outside the site",
        ]
    )
