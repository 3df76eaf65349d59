"""Where a generated package goes: whether it may go there, and the command that repeats it.

A generated package must not take the name of the runtime library it imports
(``aioapigateway``): a package of that name elsewhere on ``sys.path`` shadows the library, or
is shadowed by it. The one exception is the project's own generation (``make generate``),
which writes ``aioapigateway`` and its sub-packages (``aioapigateway.v2``) into the project's
``src/``, beside the hand-written runtime.

Every generated file's header records the command line that produced it. Paths in it are
relative to the directory the generator ran in and use ``/``, so the same invocation gives
byte-identical files on every machine (no absolute path, no time stamp).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from codegen.build import RUNTIME_PACKAGE, GenerationError
from codegen.loader import ModelPaths

__all__ = [
    "check_target",
    "is_project_package",
    "package_dir",
    "project_source_dir",
    "regenerate_command",
]

#: How the header spells the generator (``aioapigateway-codegen`` runs the same program).
PROGRAM = "python -m codegen"

# Names a sub-package of the runtime package cannot take: the hand-written runtime and the
# modules and packages the generator writes into the root package itself.
_RESERVED_SUBPACKAGES = frozenset({"runtime", "testing", "models", "errors", "client"})


def package_dir(package: str, out: Path) -> Path:
    """The directory a (possibly dotted) package is written to: ``out/a/b`` for ``a.b``."""
    return out.joinpath(*package.split("."))


def project_source_dir() -> Path | None:
    """The ``src/`` directory of the project this generator belongs to, if it is a checkout.

    An installed generator (``pip install 'aioapigateway[codegen]'``) sits in site-packages
    with no ``src/`` beside it: it has no project of its own to generate into.
    """
    src = Path(__file__).resolve().parent.parent / "src"
    return src if (src / RUNTIME_PACKAGE / "__init__.py").is_file() else None


def _same_directory(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def is_project_package(package: str, out: Path) -> bool:
    """Whether this is the project's own generation: the runtime's package (or one of its
    sub-packages) into the project's ``src/``."""
    src = project_source_dir()
    top = package.split(".")[0]
    return top == RUNTIME_PACKAGE and src is not None and _same_directory(out, src)


def check_target(package: str, out: Path) -> None:
    """Refuse a package that would shadow the runtime library or overwrite a part of it.

    Raises ``GenerationError`` saying why and what to do instead.
    """
    parts = package.split(".")
    if parts[0] != RUNTIME_PACKAGE:
        return
    if not is_project_package(package, out):
        raise GenerationError(
            f"--package {package}: {RUNTIME_PACKAGE!r} is the name of the runtime library the "
            f"generated code imports; a package of that name in {out.as_posix()} would shadow "
            "it (or be shadowed by it). Choose another name, such as --package my_service."
        )
    if len(parts) == 1:
        return
    sub = parts[1]
    existing = package_dir(".".join(parts[:2]), out)
    if (
        len(parts) > 2
        or sub.startswith("_")
        or sub in _RESERVED_SUBPACKAGES
        or existing.with_suffix(".py").exists()
        or (existing.is_dir() and not (existing / "_spec.py").is_file())
    ):
        raise GenerationError(
            f"--package {package}: {'.'.join(parts[:2])} is part of the {RUNTIME_PACKAGE} "
            "library (its runtime or its generated root package), or not a direct "
            f"sub-package of it; a generated service package goes beside them, as "
            f"{RUNTIME_PACKAGE}.v2 does."
        )


def _shown(path: Path, cwd: Path) -> str:
    """``path`` as the header shows it: relative to ``cwd``, with ``/`` separators."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return Path(os.path.relpath(path, cwd)).as_posix()
    except ValueError:
        # Another drive (Windows): no relative path exists; the name at least says which file.
        return path.name


def regenerate_command(
    paths: ModelPaths | None, package: str, out: Path, cwd: Path | None = None
) -> list[str]:
    """The header lines (without ``# ``) that say how to regenerate the package."""
    here = Path.cwd() if cwd is None else cwd
    if paths is None:
        return [f"Regenerate with {PROGRAM} from the model, with --package {package}."]
    options = [("--model", paths.model)]
    if paths.paginators is not None:
        options.append(("--paginators", paths.paginators))
    if paths.endpoint_rules is not None:
        options.append(("--endpoint-rules", paths.endpoint_rules))
    words = [f"{name} {shlex.quote(_shown(path, here))}" for name, path in options]
    words.append(f"--package {package} --out {shlex.quote(_shown(out, here))}")
    if is_project_package(package, out):
        intro = "Regenerate with `make generate`, which runs:"
    else:
        intro = "Regenerate with (paths are relative to the directory it ran in):"
    lines = [f"  {PROGRAM} {words[0]}"] + [f"      {word}" for word in words[1:]]
    return [intro, *(line + " \\" for line in lines[:-1]), lines[-1]]
