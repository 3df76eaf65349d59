"""Refresh a vendored model under ``spec/`` from the installed botocore.

``python -m codegen.update_spec --service apigateway --dest spec`` copies the newest
``service-2.json``, ``paginators-1.json`` and ``endpoint-rule-set-1.json`` of the service
(un-gzipped, byte for byte otherwise) and rewrites ``SOURCE`` with the botocore version,
each file's sha256 and the licence.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import sys
from pathlib import Path

__all__ = ["main", "update_spec"]

FILES = ("service-2.json", "paginators-1.json", "endpoint-rule-set-1.json")

_LICENCE = """\
Licence: Apache License 2.0. These files are data from botocore
(https://github.com/boto/botocore), Copyright Amazon.com, Inc. or its affiliates,
vendored unmodified except for un-gzipping.
"""


def _read(directory: Path, name: str) -> bytes | None:
    plain, packed = directory / name, directory / (name + ".gz")
    if plain.exists():
        return plain.read_bytes()
    if packed.exists():
        return gzip.decompress(packed.read_bytes())
    return None


def write_source(target: Path, version: str) -> None:
    """Write ``SOURCE`` for the files in ``target``."""
    lines = [f"Source: botocore {version}, botocore/data/{target.parent.name}/{target.name}/"]
    for name in FILES:
        path = target / name
        if path.exists():
            lines.append(f"sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}  {name}")
    (target / "SOURCE").write_text("\n".join(lines) + "\n" + _LICENCE, encoding="utf-8")


def update_spec(service: str, dest: Path) -> Path:
    """Copy the newest model version of ``service`` from botocore into ``dest``."""
    botocore = importlib.import_module("botocore")
    if botocore.__file__ is None:
        raise ImportError("botocore is not installed as a regular package")
    data = Path(botocore.__file__).parent / "data" / service
    versions = sorted(p.name for p in data.iterdir() if p.is_dir())
    if not versions:
        raise FileNotFoundError(f"botocore has no model for {service!r}")
    source = data / versions[-1]
    target = dest / service / versions[-1]
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        content = _read(source, name)
        if content is not None:
            (target / name).write_bytes(content)
    write_source(target, botocore.__version__)
    return target


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m codegen.update_spec")
    parser.add_argument("--service", required=True, help="botocore service name")
    parser.add_argument("--dest", required=True, type=Path, help="the spec/ directory")
    args = parser.parse_args(argv)
    try:
        target = update_spec(args.service, args.dest)
    except (OSError, ImportError) as exc:
        print(f"update-spec: {exc}", file=sys.stderr)
        return 2
    print(f"update-spec: {target} refreshed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
