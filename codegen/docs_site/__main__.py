"""``python -m codegen.docs_site build|check-links|browser-check``: see ``make docs``.

``build --package SPEC_DIR=PACKAGE ... --guide DIR --readme README.md --out DIR`` writes the
MkDocs sources; ``check-links SITE`` checks the built HTML; ``browser-check SITE`` opens the
built site in headless Chromium (``make docs-check``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.docs_site import DocsError, PackageSource, build_site
from codegen.docs_site.links import check_site

__all__ = ["main"]


def _package(value: str) -> PackageSource:
    spec_dir, separator, package = value.rpartition("=")
    if not separator or not spec_dir or not package:
        raise argparse.ArgumentTypeError(f"expected SPEC_DIR=PACKAGE, got {value!r}")
    return PackageSource(Path(spec_dir), package)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m codegen.docs_site", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write the MkDocs sources (guide and reference)")
    build.add_argument(
        "--package",
        action="append",
        type=_package,
        required=True,
        metavar="SPEC_DIR=PACKAGE",
        help="a generated package and its model directory",
    )
    build.add_argument(
        "--guide", type=Path, required=True, help="the hand-written pages (docs/site)"
    )
    build.add_argument("--readme", type=Path, required=True, help="README.md, for its sections")
    build.add_argument("--out", type=Path, required=True, help="the MkDocs docs_dir to write")
    build.add_argument(
        "--public-module",
        action="append",
        default=[],
        help="another public module whose __all__ must be documented",
    )
    links = commands.add_parser("check-links", help="check every internal link of a built site")
    links.add_argument("site", type=Path)
    browser = commands.add_parser("browser-check", help="open the built site in headless Chromium")
    browser.add_argument("site", type=Path)
    browser.add_argument("--chromium", default="/usr/bin/chromium")
    browser.add_argument("--client-page", required=True, help="a client page, relative to SITE")
    browser.add_argument("--model-page", required=True, help="a model page, relative to SITE")
    browser.add_argument("--search", default="deployment")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; 1 when the site is incomplete or broken."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            summary = build_site(
                args.package, args.guide, args.readme, args.out, args.public_module
            )
            counts = ", ".join(
                f"{name}: {ops} operations, {classes} classes, {enums} enums, {errors} errors"
                for name, (ops, classes, enums, errors) in summary.packages.items()
            )
            print(
                f"docs_site: {summary.guide_pages} guide pages, {summary.reference_pages} "
                f"reference pages in {args.out} ({counts})"
            )
            return 0
        if args.command == "check-links":
            problems = check_site(args.site)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print(f"docs_site: {len(problems)} broken link(s) in {args.site}", file=sys.stderr)
                return 1
            pages = sum(1 for _ in args.site.rglob("*.html"))
            print(f"docs_site: every internal link of {pages} pages in {args.site} resolves")
            return 0
        from codegen.docs_site.browser import browser_check  # playwright only when asked

        return browser_check(
            args.site, args.chromium, args.client_page, args.model_page, args.search
        )
    except DocsError as exc:
        print(f"docs_site: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
