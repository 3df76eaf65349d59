"""The generated models package: lazy classes, enums, secrets kept out of reprs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aioapigateway import models


def test_classes_are_defined_on_first_access() -> None:
    probe = (
        "import sys, aioapigateway\n"
        "assert 'aioapigateway.models._rest_api' not in sys.modules\n"
        "aioapigateway.models.RestApi\n"
        "assert 'aioapigateway.models._rest_api' in sys.modules\n"
        "assert 'aioapigateway.models._stage' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)


def test_every_listed_name_resolves_and_unknown_names_raise() -> None:
    assert len(models.__all__) == 204 + 28
    for name in models.__all__:
        assert getattr(models, name).__name__ == name
    assert "RestApi" in dir(models)
    with pytest.raises(AttributeError):
        models.NoSuchShape  # noqa: B018


def test_enum_members_follow_the_contract() -> None:
    assert models.Op.REMOVE == "remove"
    assert models.IntegrationType.HTTP_PROXY.value == "HTTP_PROXY"
    assert models.CacheClusterSize._0_5 == "0.5"
    assert isinstance(models.CacheClusterSize._0_5, str)


def test_api_key_values_and_private_keys_are_redacted_in_reprs() -> None:
    key = models.ApiKey(id="k1", value="s3cr3t-api-key-value")
    assert "s3cr3t" not in repr(key) and "value=<redacted>" in repr(key)
    assert key.value == "s3cr3t-api-key-value"
    request = models.CreateDomainNameRequest(
        domain_name="api.example.com", certificate_private_key="-----BEGIN PRIVATE KEY-----"
    )
    assert "PRIVATE KEY" not in repr(request)
    assert "value=None" in repr(models.ApiKey(id="k2"))


def test_models_compare_by_value() -> None:
    assert models.RestApi(id="a", name="n") == models.RestApi(id="a", name="n")
    assert models.RestApi(id="a") != models.RestApi(id="b")
