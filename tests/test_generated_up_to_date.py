"""The committed generated package equals a fresh generation from spec/ (nothing hand-edited)."""

from __future__ import annotations

from pathlib import Path

from codegen.build import build_service
from codegen.loader import load_model_files
from codegen.render import diff_package

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "apigateway" / "2015-07-09"


def test_committed_code_matches_a_fresh_generation() -> None:
    files = load_model_files(
        SPEC / "service-2.json",
        SPEC / "paginators-1.json",
        SPEC / "endpoint-rule-set-1.json",
    )
    service = build_service(files, "aioapigateway")
    assert diff_package(service, ROOT / "src") == []


def test_counts_match_the_model() -> None:
    files = load_model_files(SPEC / "service-2.json", SPEC / "paginators-1.json", None)
    service = build_service(files, "aioapigateway")
    assert len(service.operations) == 124
    assert len(service.structures) == 204
    assert len(service.enums) == 28
    assert len(service.errors) == 7
    assert len(service.paginators) == 18
