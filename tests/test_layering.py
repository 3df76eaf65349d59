"""The runtime's layering: imports go down the layers, and no import closes a circle.

Every module of ``src/aioapigateway/runtime/`` belongs to one layer of ``LAYERS`` (lowest
first). Read from the source (``ast``), not by importing, so a failure names the line:

- a module imports runtime modules of its own layer or lower ones only: at module level,
  under ``if TYPE_CHECKING:`` and inside functions alike (a function-level import is lazy,
  not exempt);
- module-level imports (``TYPE_CHECKING`` ones aside) form no cycle; with the type-checking
  and function-level imports added, only the edges in ``JUSTIFIED`` may close one;
- the runtime imports nothing of the generated package, and the generated package imports
  the runtime only through ``aioapigateway.runtime``;
- the runtime's ``__init__.py`` files are a docstring and nothing else (importing a package
  must stay free: cold start).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "src" / "aioapigateway"
RUNTIME_DIR = PACKAGE_DIR / "runtime"
RUNTIME = "aioapigateway.runtime"

#: (layer, modules relative to aioapigateway.runtime), lowest layer first.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "base",
        frozenset(
            [
                "errors",
                "eventstream",
                "hooks",
                "model_classes",
                "pacing",
                "redact",
                "retry_codes",
                "shapes",
                "timestamps",
                "version",
            ]
        ),
    ),
    ("config", frozenset(["config.profiles", "config.proxies", "config.settings"])),
    ("credential types", frozenset(["credentials.base"])),
    (
        "signing and endpoints",
        frozenset(
            [
                "endpoints.partitions",
                "endpoints.rules",
                "endpoints.table",
                "endpoints.template",
                "signing",
            ]
        ),
    ),
    (
        "credential providers",
        frozenset(
            [
                "credentials.chain",
                "credentials.container",
                "credentials.http",
                "credentials.imds",
                "credentials.local",
                "credentials.sso",
                "credentials.sts",
            ]
        ),
    ),
    (
        "pipeline",
        frozenset(
            [
                "attempts",
                "call_options",
                "client",
                "compression",
                "convert",
                "event_stream_output",
                "paginate",
                "parse",
                "retry",
                "serialize",
                "wire",
            ]
        ),
    ),
    ("tools", frozenset(["pacing_redis", "sigv4_auth", "testing"])),
)

#: Imports (importer, imported) allowed to close a circle: each is inside a function.
JUSTIFIED: dict[tuple[str, str], str] = {
    (("credentials.sts", "credentials.chain")): (
        "assume role's source_profile is resolved by the profile chain, whose web identity provider is in sts: a recursive definition, imported on first use"
    ),
}

LAYER_OF = {module: index for index, (_, modules) in enumerate(LAYERS) for module in modules}


class Import:
    """One import of a runtime module by another."""

    def __init__(self, importer: str, imported: str, line: int, kind: str) -> None:
        self.importer = importer
        self.imported = imported
        self.line = line
        #: "module", "type-checking" or "function"
        self.kind = kind

    def __repr__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported} ({self.kind})"


@functools.cache
def runtime_modules() -> dict[str, Path]:
    """Module name relative to the runtime (packages by their own name) -> path."""
    modules: dict[str, Path] = {}
    for path in sorted(RUNTIME_DIR.rglob("*.py")):
        parts = list(path.relative_to(RUNTIME_DIR).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts) or "__init__"] = path
    return modules


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = f"{RUNTIME}.{importer}" if importer != "__init__" else RUNTIME
    parts = base.split(".")
    drop = node.level - 1 if is_package else node.level
    parts = parts[: len(parts) - drop] if drop else parts
    return ".".join([*parts, node.module] if node.module else parts)


def _targets(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> Iterator[str]:
    """The absolute modules an import statement loads (``from m import x``: ``m.x`` when
    that is a module, else ``m``)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    module = _absolute(node, importer, is_package)
    known = runtime_modules()
    for alias in node.names:
        candidate = f"{module}.{alias.name}"
        if candidate.startswith(f"{RUNTIME}.") and candidate[len(RUNTIME) + 1 :] in known:
            yield candidate
        else:
            yield module


def _walk(body: list[ast.stmt], kind: str) -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, kind
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _walk(node.body, "type-checking")
            yield from _walk(node.orelse, kind)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _walk(node.body, "function")
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _walk([child], kind)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def all_imports(path: Path, importer: str) -> Iterator[tuple[str, int, str]]:
    """``(absolute module, line, kind)`` for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node, kind in _walk(tree.body, "module"):
        for target in _targets(node, importer, is_package):
            yield target, node.lineno, kind


@functools.cache
def runtime_imports() -> tuple[Import, ...]:
    found = []
    for module, path in runtime_modules().items():
        for target, line, kind in all_imports(path, module):
            if target.startswith(f"{RUNTIME}."):
                found.append(Import(module, target[len(RUNTIME) + 1 :], line, kind))
    return tuple(found)


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (or a self-loop)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan; the graph is small, recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or (node, node) in edges:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# -- the tests ---------------------------------------------------------------------------------


def test_every_runtime_module_has_exactly_one_layer() -> None:
    modules = set(runtime_modules()) - {"__init__", "config", "credentials", "endpoints"}
    modules = {m for m in modules if not (RUNTIME_DIR / m.replace(".", "/")).is_dir()}
    listed = [m for _, layer in LAYERS for m in layer]
    assert len(listed) == len(set(listed)), "a module is in two layers"
    assert sorted(modules - set(listed)) == [], "put each new runtime module in a layer"
    assert sorted(set(listed) - modules) == [], "LAYERS names modules that do not exist"


@pytest.mark.parametrize("kind", ["module", "type-checking", "function"])
def test_imports_go_down_the_layers(kind: str) -> None:
    upward = [
        f"{imp!r}: layer {LAYERS[LAYER_OF[imp.importer]][0]!r} below "
        f"{LAYERS[LAYER_OF[imp.imported]][0]!r}"
        for imp in runtime_imports()
        if imp.kind == kind
        and imp.importer in LAYER_OF
        and imp.imported in LAYER_OF
        and LAYER_OF[imp.imported] > LAYER_OF[imp.importer]
    ]
    assert upward == []


def test_no_module_level_import_cycle() -> None:
    edges = {(i.importer, i.imported) for i in runtime_imports() if i.kind == "module"}
    assert cycles(edges) == []


def test_lazy_and_type_checking_imports_close_no_unjustified_cycle() -> None:
    edges = {(i.importer, i.imported) for i in runtime_imports()}
    assert cycles(edges - set(JUSTIFIED)) == []


def test_every_justified_edge_is_a_function_level_import_that_closes_a_cycle() -> None:
    imports = runtime_imports()
    edges = {(i.importer, i.imported) for i in imports}
    for (importer, imported), reason in JUSTIFIED.items():
        assert reason
        kinds = {i.kind for i in imports if (i.importer, i.imported) == (importer, imported)}
        assert kinds == {"function"}, f"{importer} -> {imported}: {kinds or 'gone'}"
        assert any({importer, imported} <= set(component) for component in cycles(edges)), (
            f"{importer} -> {imported} no longer closes a cycle: remove it from JUSTIFIED"
        )


def test_the_runtime_imports_nothing_generated() -> None:
    generated = [
        f"{module}:{line} imports {target}"
        for module, path in runtime_modules().items()
        for target, line, _ in all_imports(path, module)
        if target.split(".")[0] == "aioapigateway"
        and not target.startswith(f"{RUNTIME}.")
        and target != RUNTIME
    ]
    assert generated == []


def test_the_generated_package_imports_the_runtime_through_its_package_only() -> None:
    bad = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if RUNTIME_DIR in path.parents:
            continue
        relative = path.relative_to(PACKAGE_DIR)
        module = "aioapigateway." + ".".join(relative.with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            bad += [
                f"{module}:{node.lineno} imports {target}"
                for target in targets
                if target.split(".")[0] == "aioapigateway" and not target.startswith(f"{RUNTIME}.")
            ]
    assert bad == []


def test_runtime_package_inits_hold_only_a_docstring() -> None:
    for path in sorted(RUNTIME_DIR.rglob("__init__.py")):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        assert len(body) == 1, path
        assert isinstance(body[0], ast.Expr), path
        assert isinstance(body[0].value, ast.Constant), path
        assert isinstance(body[0].value.value, str), path


def test_no_hand_written_module_is_left_beside_the_generated_ones() -> None:
    marker = "DO NOT EDIT"
    hand_written = sorted(
        path.name
        for path in PACKAGE_DIR.glob("*.py")
        if marker not in path.read_text(encoding="utf-8").split("\n", 1)[0]
    )
    # testing.py is the public re-export of the runtime's Stubber.
    assert hand_written == ["testing.py"]
