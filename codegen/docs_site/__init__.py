"""The API reference site: MkDocs sources built from the model and the hand-written guide.

``build_site`` writes a complete MkDocs ``docs_dir``: the pages of ``docs/site/`` with
their directives expanded (``guide``), and per generated package the reference pages made
from the generator's IR (``reference``). ``make docs`` then runs ``mkdocs build --strict``
and ``links.check_site`` on the result. Nothing here is written by hand per service: the
packages, their models and the README come from the command line.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from codegen.build import build_service
from codegen.docs_site.guide import (
    DocsError,
    Registry,
    load_guide,
    register_guide,
    render_guide_page,
)
from codegen.docs_site.reference import Package, reference_pages
from codegen.loader import load_model_files

__all__ = ["BuildSummary", "DocsError", "PackageSource", "build_site", "load_package"]

#: Written into the output directory; only a directory holding it is ever emptied.
MARKER = ".docs-site"


@attrs.frozen
class PackageSource:
    """A generated package and the model directory it is generated from."""

    spec_dir: Path
    package: str


@attrs.frozen
class BuildSummary:
    """What a build wrote."""

    guide_pages: int
    reference_pages: int
    #: Per package: ``(operations, model classes, enums, errors)``.
    packages: dict[str, tuple[int, int, int, int]]


def load_package(source: PackageSource) -> Package:
    """The IR of ``source`` (as ``make generate`` builds it) and the package it describes."""
    spec = source.spec_dir
    optional = [spec / "paginators-1.json", spec / "endpoint-rule-set-1.json"]
    paginators, rules = (path if path.exists() else None for path in optional)
    files = load_model_files(spec / "service-2.json", paginators, rules)
    ir = build_service(files, source.package)
    module = importlib.import_module(source.package)
    errors = importlib.import_module(f"{source.package}.errors")
    return Package(ir=ir, model=files.service, module=module, errors_module=errors)


def _register_generated(package: Package, registry: Registry) -> None:
    """The generated client and error classes, for docstring roles that name them."""
    root = package.root
    client = getattr(package.module, package.ir.client_class)
    registry.add(
        client, f"{package.ir.package}.{package.ir.client_class}", f"{root}/client.md", "Client"
    )
    modeled = {e.class_name for e in package.ir.errors}
    for name in modeled:
        registry.add(
            getattr(package.errors_module, name),
            f"{package.ir.package}.errors.{name}",
            f"{root}/errors.md#{name}",
            "Errors",
        )


def undocumented(
    packages: Sequence[Package], public_modules: Iterable[str], registry: Registry
) -> list[str]:
    """Public names that no page documents: each package's and its errors' ``__all__``."""
    missing: list[str] = []
    for package in packages:
        generated = {package.ir.client_class, "Client", "errors", "models"}
        if package.ir.endpoint_helper is not None:
            generated.add(package.ir.endpoint_helper.function)
        modeled = {e.class_name for e in package.ir.errors}
        for module, skip in ((package.module, generated), (package.errors_module, modeled)):
            for name in getattr(module, "__all__", ()):
                if name in skip or name.startswith("__"):
                    continue
                if registry.lookup(getattr(module, name)) is None:
                    missing.append(f"{module.__name__}.{name}")
    for module_name in public_modules:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            if registry.lookup(getattr(module, name)) is None:
                missing.append(f"{module_name}.{name}")
    return sorted(set(missing))


def _prepare_output(out: Path) -> None:
    if out.exists():
        if not (out / MARKER).exists():
            raise DocsError(f"{out} exists and was not written by this program: not emptying it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("written by python -m codegen.docs_site; emptied on every build\n")


def build_site(
    sources: Sequence[PackageSource],
    guide_dir: Path,
    readme: Path,
    out: Path,
    public_modules: Iterable[str] = (),
) -> BuildSummary:
    """Write the MkDocs sources into ``out`` (emptied first); raise ``DocsError`` if incomplete."""
    guide = load_guide(guide_dir)
    registry = Registry()
    register_guide(guide, registry)
    packages = [load_package(source) for source in sources]
    for package in packages:
        _register_generated(package, registry)
    missing = undocumented(packages, public_modules, registry)
    if missing:
        raise DocsError(
            "public names no page documents (add a `::: name` line to a page of "
            f"{guide_dir}): {', '.join(missing)}"
        )
    readme_text = readme.read_text(encoding="utf-8")
    pages: dict[str, str] = {
        page.path: render_guide_page(page, registry, readme_text) for page in guide
    }
    reference: dict[str, str] = {}
    for package in packages:
        reference.update(reference_pages(package, registry.lookup))
    clash = sorted(set(pages) & set(reference))
    if clash:
        raise DocsError(f"hand-written pages shadow generated ones: {', '.join(clash)}")
    _prepare_output(out)
    for path, text in {**pages, **reference}.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for asset in sorted(guide_dir.rglob("*")):
        if asset.is_file() and asset.suffix != ".md":
            target = out / asset.relative_to(guide_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset, target)
    return BuildSummary(
        guide_pages=len(pages),
        reference_pages=len(reference),
        packages={
            p.ir.package: (
                len(p.ir.operations),
                len(p.ir.structures),
                len(p.ir.enums),
                len(p.ir.errors),
            )
            for p in packages
        },
    )
