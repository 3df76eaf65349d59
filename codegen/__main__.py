"""``python -m codegen --model service-2.json [...] --package NAME --out DIR``.

Installed with the ``codegen`` extra, the same program is the ``aioapigateway-codegen``
command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.build import GenerationError, build_service
from codegen.invocation import check_target, regenerate_command
from codegen.ir import ServiceIR
from codegen.loader import load_model_files
from codegen.protocols import UnsupportedProtocolError
from codegen.render import diff_package, write_package

__all__ = ["main"]


def _program_name() -> str:
    """How the user ran it: ``python -m codegen`` or the console script's name."""
    called = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m codegen" if called in {"", "__main__.py", "-c"} else called


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description="Generate an async, typed client package from a botocore rest-json model.",
    )
    parser.add_argument("--model", required=True, type=Path, help="service-2.json (or .gz)")
    parser.add_argument("--paginators", type=Path, help="paginators-1.json")
    parser.add_argument("--endpoint-rules", type=Path, help="endpoint-rule-set-1.json")
    parser.add_argument(
        "--package",
        required=True,
        help="name of the package to write (not the runtime's own name, aioapigateway)",
    )
    parser.add_argument("--out", required=True, type=Path, help="directory to write it into")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the package differs from a fresh generation",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the generator; returns the process exit status (2: bad input, nothing written)."""
    args = _parser().parse_args(argv)
    try:
        check_target(args.package, args.out)
        files = load_model_files(args.model, args.paginators, args.endpoint_rules)
        service = build_service(files, args.package)
    except (OSError, ValueError, KeyError, GenerationError, UnsupportedProtocolError) as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    try:
        return _check(service, args) if args.check else _write(service, args)
    except (OSError, GenerationError) as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2


def _check(service: ServiceIR, args: argparse.Namespace) -> int:
    """``--check``: report what differs from a fresh generation; 1 when anything does."""
    differences = diff_package(service, args.out)
    for line in differences:
        print(line, file=sys.stderr)
    if not differences:
        return 0
    command = regenerate_command(service.model_paths, args.package, args.out)
    print(f"codegen: generated code is stale. {command[0]}", file=sys.stderr)
    print("\n".join(command[1:]), file=sys.stderr)
    return 1


def _write(service: ServiceIR, args: argparse.Namespace) -> int:
    changed = write_package(service, args.out)
    where = args.out / service.package_path
    print(f"codegen: {args.package}: {len(changed)} file(s) changed in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
