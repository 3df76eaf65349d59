"""``python -m codegen --model service-2.json [...] --package NAME --out DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.build import GenerationError, build_service
from codegen.loader import load_model_files
from codegen.protocols import UnsupportedProtocolError
from codegen.render import diff_package, write_package


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m codegen",
        description="Generate an async, typed client package from a botocore rest-json model.",
    )
    parser.add_argument("--model", required=True, type=Path, help="service-2.json (or .gz)")
    parser.add_argument("--paginators", type=Path, help="paginators-1.json")
    parser.add_argument("--endpoint-rules", type=Path, help="endpoint-rule-set-1.json")
    parser.add_argument("--package", required=True, help="name of the package to write")
    parser.add_argument("--out", required=True, type=Path, help="directory to write it into")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the package differs from a fresh generation",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the generator; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        files = load_model_files(args.model, args.paginators, args.endpoint_rules)
        service = build_service(files, args.package)
    except (OSError, ValueError, KeyError, GenerationError, UnsupportedProtocolError) as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    if args.check:
        differences = diff_package(service, args.out)
        for line in differences:
            print(line, file=sys.stderr)
        if differences:
            print("codegen: generated code is stale; run `make generate`", file=sys.stderr)
            return 1
        return 0
    changed = write_package(service, args.out)
    where = args.out / service.package_path
    print(f"codegen: {args.package}: {len(changed)} file(s) changed in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
