"""Tests for ``codegen.spec_diff``: what changed between two botocore model versions.

Two real model versions: the apigateway model of botocore 1.43.11 (committed under
``tests/fixtures/spec_diff/apigateway-1.43.11/``) and the project's vendored model
(``spec/apigateway/2015-07-09``, botocore 1.44.8); plus small synthetic models that exercise
every kind of change.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

import botocore
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # The generator is not an installed package; it runs from the repository root.
    sys.path.insert(0, str(ROOT))

from codegen.spec_diff import (  # noqa: E402
    MemberChange,
    ModelVersion,
    diff_models,
    load_model,
    main,
    render_changelog,
    render_report,
)

OLD_DIR = ROOT / "tests" / "fixtures" / "spec_diff" / "apigateway-1.43.11"
NEW_DIR = ROOT / "spec" / "apigateway" / "2015-07-09"
CHANGELOG = ROOT / "CHANGELOG.md"

JWT_SHAPES = [
    ("JwtAdditionalClaim", "structure"),
    ("JwtClaimFormat", "enum"),
    ("JwtConfiguration", "structure"),
    ("JwtConfigurationInput", "structure"),
    ("JwtIssuer", "structure"),
    ("JwtIssuerInput", "structure"),
    ("JwtSigningAlgorithm", "enum"),
    ("ListOfJwtAdditionalClaim", "list"),
    ("ListOfJwtIssuer", "list"),
    ("ListOfJwtIssuerInput", "list"),
    ("ListOfJwtSigningAlgorithm", "list"),
]


# -- the two real versions ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_diff() -> Any:
    return diff_models(load_model(OLD_DIR), load_model(NEW_DIR))


def test_fixture_is_the_botocore_1_43_11_model() -> None:
    source = (OLD_DIR / "SOURCE").read_text(encoding="utf-8")
    assert source.startswith("Source: botocore 1.43.11, botocore/data/apigateway/2015-07-09/")
    assert "Apache License 2.0" in source
    model = json.loads((OLD_DIR / "service-2.json").read_text(encoding="utf-8"))
    assert model["metadata"]["apiVersion"] == "2015-07-09"
    assert load_model(OLD_DIR).label == "botocore 1.43.11"
    assert load_model(NEW_DIR).label == "botocore 1.44.8"


def test_real_counts(real_diff: Any) -> None:
    assert real_diff.service_id == "API Gateway"
    assert real_diff.api_version == "2015-07-09"
    assert real_diff.counts["structures"] == (199, 204)
    assert real_diff.counts["enums"] == (26, 28)
    assert real_diff.counts["shapes"] == (276, 287)
    assert real_diff.counts["operations"] == (124, 124)
    assert real_diff.counts["paginators"] == (18, 18)
    assert real_diff.counts["errors"] == (7, 7)


def test_real_shapes_and_members(real_diff: Any) -> None:
    assert list(real_diff.shapes_added) == JWT_SHAPES
    assert real_diff.shapes_removed == ()
    assert real_diff.operations_added == real_diff.operations_removed == ()
    assert real_diff.operations_changed == ()
    assert real_diff.paginators == ()
    assert real_diff.metadata == ()
    changed = {change.name: change for change in real_diff.shapes_changed}
    assert sorted(changed) == ["Authorizer", "CreateAuthorizerRequest"]
    assert changed["Authorizer"].members == (
        MemberChange("jwtConfiguration", "added", new="JwtConfiguration"),
    )
    assert changed["CreateAuthorizerRequest"].members == (
        MemberChange("jwtConfiguration", "added", new="JwtConfigurationInput"),
    )
    assert all(change.attributes == () for change in changed.values())


def test_real_enum_values(real_diff: Any) -> None:
    enums = {change.name: change for change in real_diff.enums_changed}
    assert sorted(enums) == ["AuthorizerType", "SecurityPolicy"]
    assert enums["AuthorizerType"].added == ("JWT",)
    assert enums["SecurityPolicy"].added == (
        "SecurityPolicy_TLS13_1_2_Ext2_PQ_2025_09",
        "SecurityPolicy_TLS13_1_2_Ext2_FIPS_PQ_2025_09",
    )
    assert all(change.removed == () for change in enums.values())


def test_real_documentation_changes(real_diff: Any) -> None:
    assert dict(real_diff.documentation) == {
        "service": 1,
        "operations": 3,
        "shapes": 4,
        "members": 27,
    }
    assert real_diff.documentation_total == 35


def test_real_report(real_diff: Any) -> None:
    report = render_report(real_diff)
    assert report.startswith("API Gateway model 2015-07-09: botocore 1.43.11 -> botocore 1.44.8\n")
    assert "structures 199 -> 204, enums 26 -> 28" in report
    assert "Operations added (0): none" in report
    assert "Shapes added (11)" in report
    assert "  + JwtSigningAlgorithm (enum: RS256, RS384, RS512, ES256, ES384, ES512)" in report
    assert "  + ListOfJwtIssuer (list[models.JwtIssuer])" in report
    assert (
        "    + jwtConfiguration: JwtConfiguration  (models.Authorizer.jwt_configuration)" in report
    )
    assert "    + JWT" in report
    assert "Paginators changed (0): none" in report
    assert "35 documentation strings changed" in report
    assert "[breaking]" not in report


def test_real_changelog_names_exist_in_the_generated_package(real_diff: Any) -> None:
    """Every ``models.X[.y]`` and ``client.m()`` the entry names exists in aioapigateway."""
    import aioapigateway
    from aioapigateway import models

    entry = render_changelog(real_diff, "0.1.0")
    assert entry.startswith("## [0.1.0] - Unreleased\n")
    assert "**Breaking:**" not in entry
    names = re.findall(r"`models\.([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?`", entry)
    assert len(names) >= 12
    for class_name, attribute in names:
        cls = getattr(models, class_name)
        if attribute:
            if isinstance(cls, type) and issubclass(cls, str):  # an enum member
                assert attribute in cls.__members__, (class_name, attribute)
            else:
                assert attribute in {field.name for field in cls.__attrs_attrs__}
    for method in re.findall(r"`client\.([a-z0-9_]+)\(\)`", entry):
        assert callable(getattr(aioapigateway.ApiGatewayClient, method))
    assert "- `models.AuthorizerType.JWT`" not in entry  # bullets are sentences
    assert "- Enum value `models.AuthorizerType.JWT` ('JWT')" in entry
    assert (
        "- Argument `jwt_configuration` of `client.create_authorizer()`: "
        "`models.JwtConfigurationInput`" in entry
    )


def test_changelog_md_holds_the_generated_entry(real_diff: Any) -> None:
    """CHANGELOG.md's first entry carries the spec-diff section, line for line."""
    text = CHANGELOG.read_text(encoding="utf-8")
    entry = render_changelog(real_diff, "0.1.0")
    body = entry.split("\n", 2)[2]  # without the version heading
    assert body.strip() in text
    assert text.index("## [0.1.0]") < text.index(body.strip())


def test_cli_report_and_changelog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(OLD_DIR), str(NEW_DIR)]) == 0
    out = capsys.readouterr().out
    assert out == render_report(diff_models(load_model(OLD_DIR), load_model(NEW_DIR)))
    assert main([str(OLD_DIR), str(NEW_DIR), "--changelog", "0.2.0", "--date", "2026-01-02"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## [0.2.0] - 2026-01-02\n\n### API Gateway model 2015-07-09: ")


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing"), str(NEW_DIR)]) == 2
    assert "no service-2.json" in capsys.readouterr().err
    (tmp_path / "service-2.json").write_text("[1, 2]", encoding="utf-8")
    assert main([str(tmp_path), str(NEW_DIR)]) == 2
    assert "spec-diff:" in capsys.readouterr().err
    assert main(["botocore:no-such-service", str(NEW_DIR)]) == 2
    assert "no model for 'no-such-service'" in capsys.readouterr().err


def test_same_model_has_no_differences(capsys: pytest.CaptureFixture[str]) -> None:
    diff = diff_models(load_model(NEW_DIR), load_model(NEW_DIR))
    assert diff.is_empty
    assert render_report(diff).endswith("\nNo differences.\n")
    assert render_changelog(diff, "9.9.9").endswith("No differences.\n")


def test_botocore_source_reads_the_installed_gzipped_model() -> None:
    model = load_model("botocore:apigateway")
    assert model.label == f"botocore {botocore.__version__}"
    assert model.service["metadata"]["serviceId"] == "API Gateway"
    assert "GetRestApis" in model.paginators
    if botocore.__version__ == "1.44.8":  # the version vendored in spec/
        assert diff_models(load_model(NEW_DIR), model).is_empty


# -- synthetic models -----------------------------------------------------------------------------


def _model(**overrides: Any) -> dict[str, Any]:
    model: dict[str, Any] = {
        "version": "2.0",
        "metadata": {
            "apiVersion": "2020-01-01",
            "endpointPrefix": "widgets",
            "protocol": "rest-json",
            "serviceId": "Widgets",
        },
        "documentation": "<p>Widgets.</p>",
        "operations": {
            "GetWidget": {
                "name": "GetWidget",
                "http": {"method": "GET", "requestUri": "/widgets/{id}"},
                "input": {"shape": "GetWidgetRequest"},
                "output": {"shape": "Widget"},
                "errors": [{"shape": "NotFound"}],
                "documentation": "<p>Get one.</p>",
            },
            "DeleteWidget": {
                "name": "DeleteWidget",
                "http": {"method": "DELETE", "requestUri": "/widgets/{id}"},
                "input": {"shape": "GetWidgetRequest"},
            },
        },
        "shapes": {
            "GetWidgetRequest": {
                "type": "structure",
                "required": ["id"],
                "members": {
                    "id": {"shape": "String", "location": "uri", "locationName": "id"},
                    "verbose": {"shape": "Boolean", "documentation": "<p>More.</p>"},
                    "legacy": {"shape": "String"},
                },
            },
            "Widget": {
                "type": "structure",
                "members": {
                    "id": {"shape": "String"},
                    "size": {"shape": "Integer"},
                    "color": {"shape": "Color"},
                    "tags": {"shape": "Tags"},
                },
                "documentation": "<p>A widget.</p>",
            },
            "Color": {"type": "string", "enum": ["RED", "GREEN", "BLUE"]},
            "Tags": {"type": "list", "member": {"shape": "String"}, "max": 10},
            "NotFound": {
                "type": "structure",
                "members": {"message": {"shape": "String"}},
                "exception": True,
                "error": {"httpStatusCode": 404},
            },
            "Old": {"type": "structure", "members": {}},
            "String": {"type": "string"},
            "Integer": {"type": "integer"},
            "Boolean": {"type": "boolean"},
        },
    }
    model.update(overrides)
    return model


def _synthetic() -> tuple[ModelVersion, ModelVersion]:
    old = _model()
    new = copy.deepcopy(old)
    new["documentation"] = "<p>Widgets, better.</p>"
    new["metadata"]["protocols"] = ["rest-json"]
    ops = new["operations"]
    del ops["DeleteWidget"]
    ops["ListWidgets"] = {
        "name": "ListWidgets",
        "http": {"method": "GET", "requestUri": "/widgets"},
        "input": {"shape": "ListWidgetsRequest"},
        "output": {"shape": "WidgetList"},
    }
    ops["GetWidget"]["errors"] = [{"shape": "Throttled"}]
    ops["GetWidget"]["http"]["requestUri"] = "/v2/widgets/{id}"
    ops["GetWidget"]["documentation"] = "<p>Get exactly one.</p>"
    shapes = new["shapes"]
    request = shapes["GetWidgetRequest"]
    request["required"] = ["id", "mode"]
    request["members"]["mode"] = {"shape": "String"}
    request["members"]["verbose"] = {
        "shape": "Boolean",
        "location": "querystring",
        "locationName": "verbose",
        "documentation": "<p>More output.</p>",
    }
    del request["members"]["legacy"]
    widget = shapes["Widget"]
    widget["members"]["size"] = {"shape": "Long"}
    widget["members"]["color"] = {"shape": "String"}
    widget["members"]["weight"] = {"shape": "Integer"}
    widget["required"] = ["id"]
    widget["documentation"] = "<p>A widget!</p>"
    shapes["Color"]["enum"] = ["RED", "BLUE", "0.5", "ULTRA-VIOLET"]
    shapes["Tags"]["max"] = 50
    shapes["Integer"] = {"type": "long"}
    shapes["Boolean"] = {"type": "string"}
    shapes["Long"] = {"type": "long"}
    del shapes["Old"]
    shapes["Throttled"] = {
        "type": "structure",
        "members": {"retryAfter": {"shape": "String"}},
        "exception": True,
    }
    shapes["ListWidgetsRequest"] = {
        "type": "structure",
        "members": {"nextToken": {"shape": "String", "location": "querystring"}},
    }
    shapes["WidgetList"] = {
        "type": "structure",
        "members": {"items": {"shape": "Widgets"}, "nextToken": {"shape": "String"}},
    }
    shapes["Widgets"] = {"type": "list", "member": {"shape": "Widget"}}
    old_pag = {"GetWidget": {"input_token": "a", "output_token": "b"}}
    new_pag = {
        "GetWidget": {"input_token": "a", "output_token": "c"},
        "ListWidgets": {"input_token": "nextToken", "output_token": "nextToken"},
    }
    return (
        ModelVersion(label="v1", service=old, paginators=old_pag),
        ModelVersion(label="v2", service=new, paginators=new_pag),
    )


def test_synthetic_operations() -> None:
    diff = diff_models(*_synthetic())
    assert diff.operations_added == ("ListWidgets",)
    assert diff.operations_removed == ("DeleteWidget",)
    (change,) = diff.operations_changed
    assert change.name == "GetWidget"
    assert change.errors_added == ("Throttled",)
    assert change.errors_removed == ("NotFound",)
    assert change.attributes == (
        (
            "http",
            '{"method":"GET","requestUri":"/widgets/{id}"}',
            '{"method":"GET","requestUri":"/v2/widgets/{id}"}',
        ),
    )


def test_synthetic_shapes_members_and_required() -> None:
    diff = diff_models(*_synthetic())
    assert diff.shapes_added == (
        ("ListWidgetsRequest", "structure"),
        ("Long", "long"),
        ("Throttled", "error"),
        ("WidgetList", "structure"),
        ("Widgets", "list"),
    )
    assert diff.shapes_removed == (("Old", "structure"),)
    changed = {change.name: change for change in diff.shapes_changed}
    assert sorted(changed) == ["Boolean", "GetWidgetRequest", "Integer", "Tags", "Widget"]
    assert changed["GetWidgetRequest"].members == (
        MemberChange("mode", "added", new="String", key="required"),
        MemberChange("legacy", "removed", old="String"),
        MemberChange("verbose", "changed", old="(none)", new='"querystring"', key="location"),
        MemberChange("verbose", "changed", old="(none)", new='"verbose"', key="locationName"),
    )
    assert changed["Widget"].members == (
        MemberChange("weight", "added", new="Integer"),
        MemberChange("id", "required"),
        MemberChange("size", "retyped", old="Integer", new="Long"),
        MemberChange("color", "retyped", old="Color", new="String"),
    )
    assert changed["Tags"].attributes == (("max", "10", "50"),)
    assert (changed["Integer"].old_type, changed["Integer"].new_type) == ("integer", "long")
    (enum,) = diff.enums_changed
    assert (enum.name, enum.added, enum.removed) == ("Color", ("0.5", "ULTRA-VIOLET"), ("GREEN",))
    assert [(p.operation, p.kind) for p in diff.paginators] == [
        ("GetWidget", "changed"),
        ("ListWidgets", "added"),
    ]
    assert diff.metadata == (("protocols", "(none)", '["rest-json"]'),)
    assert dict(diff.documentation) == {"service": 1, "operations": 1, "shapes": 1, "members": 1}
    assert diff.counts["operations"] == (2, 2)
    assert diff.counts["errors"] == (1, 2)


def test_synthetic_report_marks_breaking_changes() -> None:
    report = render_report(diff_models(*_synthetic()))
    for line in [
        "Widgets model 2020-01-01: v1 -> v2",
        "  + ListWidgets  (client.list_widgets)",
        "  - DeleteWidget  (client.delete_widget) [breaking]",
        "  GetWidget:",
        "    + error Throttled",
        "    - error NotFound",
        '    ~ http: {"method":"GET","requestUri":"/widgets/{id}"} -> '
        '{"method":"GET","requestUri":"/v2/widgets/{id}"}',
        "  + Widgets (list[models.Widget])",
        "  + Throttled (error, 1 member)",
        "  - Old (structure) [breaking]",
        "    + mode: String (required)  (models.GetWidgetRequest.mode) [breaking]",
        "    - legacy: String [breaking]",
        '    ~ verbose: location (none) -> "querystring"',
        "    + weight: Integer  (models.Widget.weight)",
        "    ~ size: type Integer -> Long",
        "    ~ color: type Color -> String [breaking]",
        "    ~ id: now required",
        "    ~ max: 10 -> 50",
        "  Integer: type integer -> long",
        "  Boolean: type boolean -> string [breaking]",
        "    + 0.5",
        "    - GREEN [breaking]",
        '  ~ GetWidget: {"input_token":"a","output_token":"b"} -> '
        '{"input_token":"a","output_token":"c"}',
        "  + ListWidgets  (client.paginate_list_widgets)",
        "Documentation: 4 documentation strings changed "
        "(service 1, operations 1, shapes 1, members 1)",
    ]:
        assert line in report.splitlines(), line


def test_synthetic_changelog() -> None:
    entry = render_changelog(diff_models(*_synthetic()), "1.2.0", "2026-03-04")
    lines = entry.splitlines()
    assert lines[0] == "## [1.2.0] - 2026-03-04"
    assert lines[2] == "### Widgets model 2020-01-01: v1 -> v2"
    sections = [line for line in lines if line.startswith("#### ")]
    assert sections == ["#### Added", "#### Changed", "#### Removed", "#### Documentation"]
    for line in [
        "- Operation `ListWidgets`: `client.list_widgets()`",
        "- Paginator for `ListWidgets`: `client.paginate_list_widgets()`",
        "- Model class `models.Throttled` (error)",
        "- Shape `Widgets`: `list[models.Widget]`",
        "- `models.Widget.weight`: `int`",
        "- **Breaking:** new required argument `mode` of `client.get_widget()`: `str`",
        "- `models.Widget.size`: shape `Integer` -> `Long` (`int`)",
        "- **Breaking:** `models.Widget.color`: shape `Color` -> `String` (`str`)",
        "- `Integer`: type integer -> long (`int`)",
        "- **Breaking:** `Boolean`: type boolean -> string (`str`)",
        '- Argument `verbose` of `client.get_widget()`: location (none) -> "querystring"',
        "- `models.Widget.id` is now required",
        "- `Tags`: max 10 -> 50",
        "- Enum value `models.Color._0_5` ('0.5')",
        "- Enum value `models.Color.ULTRA_VIOLET` ('ULTRA-VIOLET')",
        "- **Breaking:** enum value `models.Color.GREEN` ('GREEN')",
        "- `client.get_widget()` may raise `errors.Throttled`",
        "- `client.get_widget()` no longer raises `errors.NotFound`",
        "- **Breaking:** operation `DeleteWidget` (`client.delete_widget()`)",
        "- **Breaking:** shape `Old` (structure)",
        "- **Breaking:** argument `legacy` of `client.get_widget()` (`legacy`: String)",
        '- Model metadata `protocols`: (none) -> ["rest-json"]',
        "- 4 documentation strings changed (service 1, operations 1, shapes 1, members 1).",
    ]:
        assert line in lines, line


def test_gzipped_model_directories(tmp_path: Path) -> None:
    """A directory laid out as botocore ships it (service-2.json.gz) loads the same."""
    old, new = _synthetic()
    for name, version in (("old", old), ("new", new)):
        directory = tmp_path / name
        directory.mkdir()
        data = json.dumps(version.service).encode()
        (directory / "service-2.json.gz").write_bytes(gzip.compress(data))
        (directory / "paginators-1.json").write_text(
            json.dumps({"pagination": dict(version.paginators)}), encoding="utf-8"
        )
    loaded_old, loaded_new = load_model(tmp_path / "old"), load_model(tmp_path / "new")
    assert loaded_old.label == str(tmp_path / "old")
    assert loaded_old.service == old.service
    on_disk = diff_models(loaded_old, loaded_new)
    in_memory = diff_models(old, new)
    assert render_report(on_disk).splitlines()[1:] == render_report(in_memory).splitlines()[1:]


def test_no_paginators_file(tmp_path: Path) -> None:
    (tmp_path / "service-2.json").write_text(json.dumps(_model()), encoding="utf-8")
    model = load_model(tmp_path)
    assert model.paginators == {}
    assert diff_models(model, model).is_empty
