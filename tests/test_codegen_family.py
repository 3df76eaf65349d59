"""The generator's side of the API Gateway family: dotted packages, nested packages, names,
the committed ``aioapigateway.v2`` and ``aioapigateway.management``, and what they export.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import aioapigateway
import aioapigateway.errors
import aioapigateway.management
import aioapigateway.management.errors
import aioapigateway.v2
import aioapigateway.v2.errors

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from codegen.__main__ import main as codegen_main  # noqa: E402
from codegen.build import build_service  # noqa: E402
from codegen.loader import load_model_files  # noqa: E402
from codegen.naming import client_class_name  # noqa: E402
from codegen.render import diff_package  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "golden"
SPEC = ROOT / "spec"
FAMILY = {
    "aioapigateway.v2": SPEC / "apigatewayv2" / "2018-11-29",
    "aioapigateway.management": SPEC / "apigatewaymanagementapi" / "2018-11-29",
}


def generate_fixture(out: Path, package: str) -> int:
    """The golden fixture model as ``package`` under ``out`` (from the repository root)."""
    with contextlib.chdir(ROOT):
        return codegen_main(
            [
                "--model",
                str(FIXTURES / "service-2.json"),
                "--paginators",
                str(FIXTURES / "paginators-1.json"),
                "--endpoint-rules",
                str(FIXTURES / "endpoint-rule-set-1.json"),
                "--package",
                package,
                "--out",
                str(out),
            ]
        )


def run_python(code: str, *paths: Path) -> str:
    """Run ``code`` in a fresh interpreter (clean ``sys.modules``); its stdout."""
    prelude = f"import sys; sys.path[:0] = {[str(p) for p in paths]!r}\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- dotted package names ----------------------------------------------------------------------


def test_a_dotted_package_is_written_below_its_parent_and_imports(tmp_path: Path) -> None:
    assert generate_fixture(tmp_path, "outer.inner") == 0
    package = tmp_path / "outer" / "inner"
    assert (package / "__init__.py").is_file()
    assert (package / "models" / "__init__.py").is_file()
    # Itself by relative imports only, so the package can live under any parent.
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import outer" not in text and "from outer" not in text, path
    out = run_python(
        """
        import json, outer.inner as pkg
        from outer.inner._spec import SERVICE
        import aioapigateway.errors
        error = pkg.errors.__all__[-1]
        print(json.dumps([
            pkg.Client.__name__,
            pkg.Client._SPEC_MODULE,
            SERVICE.models_module,
            SERVICE.errors_module,
            SERVICE.endpoint_rules,
            pkg.models.Choice.__module__,
            issubclass(getattr(pkg.errors, error), aioapigateway.errors.ServiceError),
        ]))
        """,
        tmp_path,
    )
    assert json.loads(out) == [
        "GoldenServiceClient",
        "outer.inner._spec",
        "outer.inner.models",
        "outer.inner.errors",
        "outer.inner._endpoint_rules",
        "outer.inner.models._choice",
        True,
    ]


@pytest.mark.parametrize("bad", ["a..b", "a.", ".a", "a.1b", "a-b.c", "a.b c"])
def test_a_package_name_that_is_not_dotted_identifiers_is_refused(
    tmp_path: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate_fixture(tmp_path, bad) == 2
    assert "not a dotted Python identifier" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_regenerating_a_package_keeps_the_packages_generated_inside_it(tmp_path: Path) -> None:
    assert generate_fixture(tmp_path, "outer") == 0
    assert generate_fixture(tmp_path, "outer.inner") == 0
    inner = sorted(p.relative_to(tmp_path) for p in (tmp_path / "outer" / "inner").rglob("*.py"))
    # A file of the outer package that a fresh generation no longer makes is still removed.
    stale = tmp_path / "outer" / "models" / "_gone.py"
    stale.write_text((tmp_path / "outer" / "models" / "_choice.py").read_text("utf-8"), "utf-8")
    assert generate_fixture(tmp_path, "outer") == 0
    assert not stale.exists()
    after = sorted(p.relative_to(tmp_path) for p in (tmp_path / "outer" / "inner").rglob("*.py"))
    assert after == inner and len(inner) > 10
    files = load_model_files(
        FIXTURES / "service-2.json",
        FIXTURES / "paginators-1.json",
        FIXTURES / "endpoint-rule-set-1.json",
    )
    with contextlib.chdir(ROOT):
        assert diff_package(build_service(files, "outer"), tmp_path) == []
        assert diff_package(build_service(files, "outer.inner"), tmp_path) == []


# -- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service_id", "expected"),
    [
        ("API Gateway", "ApiGatewayClient"),
        ("ApiGatewayV2", "ApiGatewayV2Client"),
        ("ApiGatewayManagementApi", "ApiGatewayManagementApiClient"),
        ("Golden Service", "GoldenServiceClient"),
        ("lambda", "LambdaClient"),
        ("S3", "S3Client"),
    ],
)
def test_client_class_name(service_id: str, expected: str) -> None:
    assert client_class_name(service_id) == expected


def test_family_public_names() -> None:
    assert aioapigateway.v2.Client is aioapigateway.v2.ApiGatewayV2Client
    assert aioapigateway.management.Client is aioapigateway.management.ApiGatewayManagementApiClient
    assert aioapigateway.v2.Client._SPEC_MODULE == "aioapigateway.v2._spec"
    assert aioapigateway.management.Client._SPEC_MODULE == "aioapigateway.management._spec"
    assert callable(aioapigateway.management.callback_url)
    assert "callback_url" in aioapigateway.management.__all__
    assert not hasattr(aioapigateway.v2, "callback_url")
    assert hasattr(aioapigateway.v2.Client, "paginate_get_apis")
    assert not [n for n in dir(aioapigateway.management.Client) if n.startswith("paginate_")]


# -- the committed packages ----------------------------------------------------------------------


@pytest.mark.parametrize("package", sorted(FAMILY))
def test_committed_family_package_matches_a_fresh_generation(package: str) -> None:
    spec = FAMILY[package]
    files = load_model_files(
        spec / "service-2.json", spec / "paginators-1.json", spec / "endpoint-rule-set-1.json"
    )
    assert diff_package(build_service(files, package), ROOT / "src") == []


@pytest.mark.parametrize(
    ("package", "counts"),
    [("aioapigateway.v2", (103, 15, 5)), ("aioapigateway.management", (3, 0, 4))],
)
def test_family_counts_match_the_model(package: str, counts: tuple[int, int, int]) -> None:
    spec = FAMILY[package]
    model = json.loads((spec / "service-2.json").read_text("utf-8"))
    paginators = json.loads((spec / "paginators-1.json").read_text("utf-8"))["pagination"]
    service = build_service(load_model_files(spec / "service-2.json", None, None), package)
    errors = [n for n, s in model["shapes"].items() if s.get("exception")]
    assert (len(service.operations), len(paginators), len(service.errors)) == counts
    assert len(service.operations) == len(model["operations"])
    assert len(service.errors) == len(errors)


def test_importing_the_root_package_imports_no_family_package() -> None:
    out = run_python(
        """
        import sys, aioapigateway
        print(sorted(m for m in sys.modules if m.startswith(("aioapigateway.v2", "aioapigateway.management"))))
        import aioapigateway.management
        print("aioapigateway.v2" in sys.modules)
        """
    )
    assert out.splitlines() == ["[]", "False"]


# -- errors --------------------------------------------------------------------------------------


def test_every_package_raises_the_same_error_roots() -> None:
    for errors in (aioapigateway.v2.errors, aioapigateway.management.errors):
        assert errors.ServiceError is aioapigateway.errors.ServiceError
        assert errors.AioApiGatewayError is aioapigateway.errors.AioApiGatewayError
        assert errors.ParamValidationError is aioapigateway.errors.ParamValidationError
        assert errors.ConfigError is aioapigateway.errors.ConfigError
    gone = aioapigateway.management.errors.GoneException
    assert gone is not aioapigateway.errors.ServiceError
    assert issubclass(gone, aioapigateway.errors.ServiceError)
    assert issubclass(aioapigateway.v2.errors.NotFoundException, aioapigateway.errors.ServiceError)
    # Same names, distinct classes: each package's own shapes.
    assert aioapigateway.v2.errors.NotFoundException is not aioapigateway.errors.NotFoundException


# -- callback_url --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        (
            {"api_id": "abc123", "stage": "prod", "region": "us-east-1"},
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod",
        ),
        (
            {"api_id": "Z9", "stage": "dev_2-b", "region": "eu-west-3"},
            "https://Z9.execute-api.eu-west-3.amazonaws.com/dev_2-b",
        ),
        (
            {"api_id": "abc123", "stage": "prod", "region": "cn-north-1"},
            "https://abc123.execute-api.cn-north-1.amazonaws.com.cn/prod",
        ),
        (
            {"api_id": "abc123", "stage": "$default", "region": "us-gov-west-1"},
            "https://abc123.execute-api.us-gov-west-1.amazonaws.com/$default",
        ),
    ],
)
def test_callback_url(kwargs: dict[str, str], url: str) -> None:
    assert aioapigateway.management.callback_url(**kwargs) == url


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("api_id", ""),
        ("api_id", "a.b"),
        ("api_id", "evil.com/x?"),
        ("api_id", "-abc"),
        ("api_id", "a" * 64),
        ("api_id", "abc\n"),
        ("api_id", None),
        ("stage", ""),
        ("stage", "a/b"),
        ("stage", ".."),
        ("stage", "a b"),
        ("stage", "a?b"),
        ("stage", 1),
        ("region", "us east 1"),
        ("region", "us-east-1.evil.com"),
        ("region", ""),
        ("region", b"us-east-1"),
    ],
)
def test_callback_url_refuses_what_cannot_go_in_the_url(name: str, value: object) -> None:
    kwargs: dict[str, object] = {"api_id": "abc123", "stage": "prod", "region": "us-east-1"}
    kwargs[name] = value
    with pytest.raises(aioapigateway.errors.ParamValidationError, match=name):
        aioapigateway.management.callback_url(**kwargs)  # type: ignore[arg-type]
