"""Secrets stay out of the ``repr`` of every model instance and error (issue 13, item 2).

The generator redacts a member in its class's ``repr`` when the model marks its shape (or its
structure) ``sensitive``, or when ``codegen/customizations.py`` lists it. The walk below looks
at every model class and every error class of every generated package for members whose
names say key, secret, token, password, credential, private key, certificate body or PEM, and
builds a real instance with a marker in each: the marker must not show in the ``repr``
unless the member is listed as not secret (with a reason) in ``codegen/customizations.py``.
The model settles some members itself: booleans, numbers, timestamps and enum values carry no
secret, nor do pagination and idempotency tokens.

Packages walked: ``aioapigateway`` and every generated package below it (found by their
``_spec`` module, so ``aioapigateway.v2`` and ``aioapigateway.management`` join by
themselves), and the golden test package (``tests/golden``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

import aioapigateway
from aioapigateway import models

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from codegen import customizations  # noqa: E402
from codegen.build import GenerationError, build_service  # noqa: E402
from codegen.loader import ModelFiles, load_model_files  # noqa: E402
from codegen.render import build_tree  # noqa: E402

MARKER = "s3cr3t-MARKER-4711"

# Names (in snake case) that say a member may hold a secret.
SECRET_NAME = re.compile(
    r"(^|_)(keys?|secrets?|tokens?|passwords?|passwd|passphrase|credentials?|private|pem)"
    r"(_|$)|certificate_(body|chain|key)"
)
# Members whose own name says nothing (``UsagePlanKey.value``): their class name decides.
GENERIC_NAMES = frozenset({"value", "values", "body", "data", "content", "text"})
NOT_TEXT = frozenset({"boolean", "integer", "long", "short", "byte", "float", "double"})
NOT_TEXT |= {"timestamp"}

# The golden package is a made-up test service: its allowances live here, not in codegen.
FIXTURE_NOT_SECRET: dict[str, dict[tuple[str, str], str]] = {
    "Golden Service": {("PutThingRequest", "Key"): "an object's name (a URI label)"},
}


def snake(name: str) -> str:
    """``certificateBody``, ``X-Api-Key`` -> ``certificate_body``, ``x_api_key``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+", "_", name).lower().strip("_")


def looks_secret(py_name: str, wire_name: str, class_name: str) -> bool:
    names = [py_name, snake(wire_name)]
    if py_name in GENERIC_NAMES:
        names.append(snake(class_name))
    return any(SECRET_NAME.search(name) for name in names)


# -- packages ----------------------------------------------------------------------------------


def installed_packages() -> list[str]:
    """``aioapigateway`` and every generated package below it (a directory with ``_spec.py``)."""
    src = Path(aioapigateway.__file__).parent
    found = ["aioapigateway"]
    for child in sorted(src.iterdir()):
        if (child / "_spec.py").is_file() and (child / "models" / "__init__.py").is_file():
            found.append(f"aioapigateway.{child.name}")
    return found


@contextlib.contextmanager
def imported_from(directory: Path, package: str) -> Iterator[ModuleType]:
    """``package`` imported from ``directory``, forgotten again afterwards."""
    sys.path.insert(0, str(directory))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(directory))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]


@pytest.fixture(params=[*installed_packages(), "golden_service"])
def package(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    if request.param == "golden_service":
        with imported_from(ROOT / "tests" / "golden", "golden_service") as golden:
            yield golden
    else:
        yield importlib.import_module(request.param)


# -- the walk ----------------------------------------------------------------------------------


def sample(shapes: dict[str, Any], shape_name: str) -> Any:
    """A value of the member's Python type that carries the marker in its ``repr``."""
    shape = shapes[shape_name]
    if shape.type == "blob":
        return MARKER.encode()
    if shape.type == "list":
        return [sample(shapes, shape.member)]
    if shape.type == "map":
        return {"name": sample(shapes, shape.value)}
    # Strings; a nested structure stands in as a string (only its repr matters here).
    return MARKER


def settled_by_the_model(spec: ModuleType, structure: str, member: Any) -> bool:
    """Booleans, numbers, timestamps, enums, pagination and idempotency tokens."""
    shape = spec.SHAPES[member.shape]
    while shape.type == "list":
        shape = spec.SHAPES[shape.member]
    if shape.type in NOT_TEXT or (shape.type == "string" and shape.enum):
        return True
    if member.idempotency_token:
        return True
    for operation_name, paginator in spec.PAGINATORS.items():
        operation = spec.OPERATIONS[operation_name]
        if structure == operation.input and member.py_name in paginator.input_tokens:
            return True
        if structure == operation.output and member.py_name in paginator.output_tokens:
            return True
    return False


def not_secret(spec: ModuleType) -> dict[tuple[str, str], str]:
    service_id = spec.SERVICE.service_id
    return {
        **customizations.not_secret_members(service_id),
        **FIXTURE_NOT_SECRET.get(service_id, {}),
    }


def listed(allowed: dict[tuple[str, str], str], structure: str, member: str) -> bool:
    return (structure, member) in allowed or ("*", member) in allowed


def model_leaks(package: ModuleType) -> tuple[list[str], int]:
    """(members that show a secret-looking value in a repr unlisted, members examined)."""
    spec = importlib.import_module(f"{package.__name__}._spec")
    allowed = not_secret(spec)
    leaks: list[str] = []
    examined = 0
    for name, shape in spec.SHAPES.items():
        if shape.type != "structure":
            continue
        cls = getattr(package.models, shape.cls_name)
        for member in shape.members:
            if not looks_secret(member.py_name, member.wire_name, shape.cls_name):
                continue
            if settled_by_the_model(spec, name, member):
                continue
            examined += 1
            values: dict[str, Any] = {field.name: None for field in attrs.fields(cls)}
            values[member.py_name] = sample(spec.SHAPES, member.shape)
            shown = MARKER in repr(cls(**values))
            is_listed = listed(allowed, name, member.name)
            if shown and not is_listed:
                leaks.append(f"{package.__name__}.models.{shape.cls_name}.{member.py_name}")
            elif is_listed and not shown:
                leaks.append(f"{name}.{member.name}: listed as not secret, yet redacted")
    return leaks, examined


def error_leaks(spec: ModuleType, errors_module: Any, label: str) -> tuple[list[str], int]:
    """The same for the error classes: a member's value in ``repr`` or ``str`` of the error."""
    allowed = not_secret(spec)
    leaks: list[str] = []
    examined = 0
    for name, shape in spec.SHAPES.items():
        if shape.type != "structure" or shape.error_code is None:
            continue
        cls = getattr(errors_module, shape.cls_name)
        for member in shape.members:
            if member.py_name not in cls.MEMBERS:
                continue  # the message: ServiceError.message, shown on purpose
            if not looks_secret(member.py_name, member.wire_name, shape.cls_name):
                continue
            if settled_by_the_model(spec, name, member):
                continue
            examined += 1
            value = sample(spec.SHAPES, member.shape)
            error = cls("it failed", members={member.py_name: value})
            assert getattr(error, member.py_name) == value
            shown = MARKER in repr(error) or MARKER in str(error)
            if shown and not listed(allowed, name, member.name):
                leaks.append(f"{label}.{shape.cls_name}.{member.py_name}")
    return leaks, examined


def test_no_model_member_that_looks_secret_shows_its_value(package: ModuleType) -> None:
    leaks, _ = model_leaks(package)
    assert not leaks, "redact these (codegen/customizations.py) or list them as not secret"


def test_the_walk_examines_the_members_that_matter() -> None:
    # A walk that examines nothing passes vacuously (some packages, such as a management API,
    # have no member that looks secret; API Gateway has dozens).
    _, examined = model_leaks(aioapigateway)
    assert examined > 20


def test_no_error_member_that_looks_secret_shows_its_value(package: ModuleType) -> None:
    spec = importlib.import_module(f"{package.__name__}._spec")
    leaks, _ = error_leaks(spec, package.errors, f"{package.__name__}.errors")
    assert not leaks


def test_every_not_secret_entry_names_a_member_that_looks_secret() -> None:
    """An entry the walk never needs is noise (or a typo hiding a real member)."""
    unused: list[tuple[str, str, str]] = []
    count = 0
    for package in installed_packages():
        spec = importlib.import_module(f"{package}._spec")
        entries = customizations.not_secret_members(spec.SERVICE.service_id)
        count += len(entries)
        flagged = {
            (name, member.name)
            for name, shape in spec.SHAPES.items()
            if shape.type == "structure"
            for member in shape.members
            if looks_secret(member.py_name, member.wire_name, shape.cls_name)
            and not settled_by_the_model(spec, name, member)
        }
        flagged_names = {member for _, member in flagged}
        for shape, member in entries:
            if (shape, member) not in flagged and not (shape == "*" and member in flagged_names):
                unused.append((package, shape, member))
        assert all(reason.strip() for reason in entries.values())
    assert unused == []
    assert count > 0


# -- API Gateway's secrets, one by one ---------------------------------------------------------


def test_usage_plan_key_values_are_redacted() -> None:
    key = models.UsagePlanKey(id="k", type="API_KEY", value=MARKER, name="n")
    assert MARKER not in repr(key)
    assert "value=<redacted>" in repr(key)
    assert "id='k'" in repr(key)
    assert key.value == MARKER


@pytest.mark.parametrize(
    ("cls", "member"),
    [
        ("ApiKey", "value"),
        ("CreateApiKeyRequest", "value"),
        ("UsagePlanKey", "value"),
        ("CreateDomainNameRequest", "certificate_private_key"),
        ("ImportApiKeysRequest", "body"),
        ("TestInvokeAuthorizerRequest", "headers"),
        ("TestInvokeAuthorizerRequest", "multi_value_headers"),
    ],
)
def test_api_gateway_secrets_are_redacted(cls: str, member: str) -> None:
    model = getattr(models, cls)
    values: dict[str, Any] = {field.name: None for field in attrs.fields(model)}
    values[member] = {"Authorization": [MARKER]} if "headers" in member else MARKER
    text = repr(model(**values))
    assert MARKER not in text
    assert f"{member}=<redacted>" in text


async def test_usage_plan_key_results_do_not_show_the_key(
    client: aioapigateway.ApiGatewayClient,
) -> None:
    """``create_usage_plan_key`` and ``get_usage_plan_keys`` results, from a real server."""
    api_key = await client.create_api_key(name="customer", value=MARKER + "-value", enabled=True)
    plan = await client.create_usage_plan(name="plan")
    assert api_key.id is not None and plan.id is not None
    created = await client.create_usage_plan_key(
        usage_plan_id=plan.id, key_id=api_key.id, key_type="API_KEY"
    )
    listed_keys = await client.get_usage_plan_keys(usage_plan_id=plan.id)
    assert created.value == MARKER + "-value"
    assert [item.value for item in listed_keys.items or []] == [MARKER + "-value"]
    for result in (api_key, created, listed_keys):
        assert MARKER not in repr(result)


# -- the walk itself ---------------------------------------------------------------------------

# A small service whose members the walk must judge: an unredacted password and session key
# (leaks), a sensitive token, a sensitive structure, pagination and idempotency tokens, a
# boolean (settled by the model), and an error member.
PROBE_MODEL: dict[str, Any] = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2024-01-01",
        "endpointPrefix": "probe",
        "protocol": "rest-json",
        "protocols": ["rest-json"],
        "serviceId": "Secret Probe",
        "signatureVersion": "v4",
        "uid": "probe-2024-01-01",
    },
    "operations": {
        "Login": {
            "name": "Login",
            "http": {"method": "POST", "requestUri": "/login"},
            "input": {"shape": "LoginRequest"},
            "output": {"shape": "LoginResponse"},
            "errors": [{"shape": "BadTokenException"}],
        }
    },
    "shapes": {
        "LoginRequest": {
            "type": "structure",
            "required": ["userName"],
            "members": {
                "userName": {"shape": "String"},
                "password": {"shape": "String"},
                "apiToken": {"shape": "SensitiveString"},
                "nextToken": {"shape": "String", "location": "querystring"},
                "clientToken": {"shape": "String", "idempotencyToken": True},
                "keyRequired": {"shape": "Boolean"},
                "vault": {"shape": "Vault"},
            },
        },
        "LoginResponse": {
            "type": "structure",
            "members": {
                "sessionKey": {"shape": "String"},
                "nextToken": {"shape": "String"},
            },
        },
        "Vault": {
            "type": "structure",
            "sensitive": True,
            "members": {"label": {"shape": "String"}},
        },
        "BadTokenException": {
            "type": "structure",
            "members": {"message": {"shape": "String"}, "token": {"shape": "String"}},
            "error": {"httpStatusCode": 400},
            "exception": True,
        },
        "String": {"type": "string"},
        "SensitiveString": {"type": "string", "sensitive": True},
        "Boolean": {"type": "boolean"},
    },
}
PROBE_PAGINATORS = {
    "pagination": {"Login": {"input_token": "nextToken", "output_token": "nextToken"}}
}


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    directory = tmp_path_factory.mktemp("probe")
    (directory / "service-2.json").write_text(json.dumps(PROBE_MODEL))
    (directory / "paginators-1.json").write_text(json.dumps(PROBE_PAGINATORS))
    files = load_model_files(
        directory / "service-2.json", directory / "paginators-1.json", endpoint_rules=None
    )
    build_tree(build_service(files, "secret_probe"), directory)
    with imported_from(directory, "secret_probe") as module:
        yield module


def test_the_walk_finds_unredacted_secrets(probe: ModuleType) -> None:
    leaks, examined = model_leaks(probe)
    assert sorted(leaks) == [
        "secret_probe.models.BadTokenException.token",
        "secret_probe.models.LoginRequest.password",
        "secret_probe.models.LoginResponse.session_key",
    ]
    # Those and api_token; the other tokens and the boolean are settled by the model.
    assert examined == 4


def test_the_walk_checks_error_members(probe: ModuleType) -> None:
    spec = importlib.import_module("secret_probe._spec")
    assert error_leaks(spec, probe.errors, "errors") == ([], 1)

    class BadTokenException(probe.errors.BadTokenException):  # type: ignore[misc, name-defined]
        """An error class that shows its members, as none of ours may."""

        def __repr__(self) -> str:
            return f"BadTokenException(token={self.token!r})"

    leaky = {"BadTokenException": BadTokenException}
    leaks = error_leaks(spec, type("LeakyErrors", (), leaky), "errors")
    assert leaks == (["errors.BadTokenException.token"], 1)


def test_sensitive_shapes_and_structures_are_redacted_from_the_model(probe: ModuleType) -> None:
    request = probe.models.LoginRequest(user_name="u", api_token=MARKER, vault=MARKER)
    assert MARKER not in repr(request)
    assert "api_token=<redacted>" in repr(request) and "vault=<redacted>" in repr(request)
    # Every member of a sensitive structure is redacted in its own repr too.
    vault = probe.models.Vault(label=MARKER)
    assert repr(vault) == "Vault(label=<redacted>)"


def test_a_listed_member_the_model_lacks_stops_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = ModelFiles(service=PROBE_MODEL, paginators={}, endpoint_rules=None)
    build_service(files, "secret_probe")
    for name, table in (("_SENSITIVE_MEMBERS", "set"), ("_NOT_SECRET_MEMBERS", "map")):
        entry = ("LoginRequest", "pasword")
        value: Any = frozenset({entry}) if table == "set" else {entry: "a typo"}
        with monkeypatch.context() as patch:
            patch.setitem(getattr(customizations, name), "Secret Probe", value)
            with pytest.raises(GenerationError, match=r"LoginRequest\.pasword"):
                build_service(files, "secret_probe")
