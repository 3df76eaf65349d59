"""Tests for the config/credentials file loader, ClientConfig and settings resolution.

Every test passes an explicit ``environ`` pointing at files under ``tmp_path``: nothing
reads the real ``~/.aws`` or depends on the process environment.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import tempfile
import textwrap
import traceback
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from aioapigateway.runtime.config import profiles as _profiles
from aioapigateway.runtime.config.profiles import (
    LoadedConfig,
    ProfileLoader,
    check_endpoint_url,
    resolve_profile_name,
)
from aioapigateway.runtime.config.settings import (
    RETRY_MODES,
    ClientConfig,
    Settings,
    resolve_settings,
)
from aioapigateway.runtime.errors import ConfigError

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"


def make_env(
    tmp_path: Path,
    config: str | None = None,
    credentials: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """An environ whose config/credentials files live in tmp_path (written if given)."""
    config_path = tmp_path / "config"
    credentials_path = tmp_path / "credentials"
    if config is not None:
        config_path.write_text(textwrap.dedent(config), encoding="utf-8")
    if credentials is not None:
        credentials_path.write_text(textwrap.dedent(credentials), encoding="utf-8")
    env = {
        "HOME": str(tmp_path / "home"),
        "AWS_CONFIG_FILE": str(config_path),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials_path),
    }
    env.update(extra)
    return env


async def load(env: dict[str, str]) -> LoadedConfig:
    return await ProfileLoader(env).load()


async def resolve(env: dict[str, str], **kwargs: Any) -> Settings:
    arguments: dict[str, Any] = {
        "service_env_name": "API_GATEWAY",
        "service_config_key": "api_gateway",
        "region": None,
        "endpoint_url": None,
        "profile": None,
        "config": None,
    }
    arguments.update(kwargs)
    return await resolve_settings(**arguments, loader=ProfileLoader(env), environ=env)


def full_text(exc: BaseException) -> str:
    """Message plus the whole printed traceback, causes included."""
    return str(exc) + "".join(traceback.format_exception(exc))


# --- ProfileLoader -----------------------------------------------------------------------

CONFIG = """\
    [default]
    region = us-west-2
    output = json

    [profile dev]
    region = eu-west-1
    S3 =
      addressing_style = path
      signature_version = s3v4
    services = local

    [profile "with space"]
    region = ap-south-1

    [sso-session corp]
    sso_region = us-east-1
    sso_start_url = https://example.awsapps.com/start

    [services local]
    api_gateway =
      endpoint_url = http://localhost:4566

    [preview]
    cloudfront = true
    """

CREDENTIALS = f"""\
    [default]
    aws_access_key_id = AKIDDEFAULT
    aws_secret_access_key = {SECRET}

    [dev]
    region = eu-central-1
    aws_access_key_id = AKIDDEV
    aws_secret_access_key = {SECRET}

    [creds-only]
    aws_access_key_id = AKIDONLY
    aws_secret_access_key = {SECRET}

    [profile weird]
    aws_access_key_id = AKIDWEIRD
    aws_secret_access_key = {SECRET}
    """


async def test_missing_files_are_empty(tmp_path: Path) -> None:
    loaded = await load(make_env(tmp_path))
    assert loaded.profile_names == ()
    assert loaded.profile("default") == {}
    assert not loaded.config_file_found and not loaded.credentials_file_found
    assert loaded.config_file == str(tmp_path / "config")


async def test_a_directory_is_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    loaded = await load(make_env(tmp_path))
    assert not loaded.config_file_found


async def test_sections_are_parsed(tmp_path: Path) -> None:
    loaded = await load(make_env(tmp_path, CONFIG))
    assert loaded.profile_names == ("default", "dev", "with space")
    assert loaded.profile("default") == {"region": "us-west-2", "output": "json"}
    dev = loaded.profile("dev")
    # Option names are lower-cased (RawConfigParser), nested blocks become mappings.
    assert dev["s3"] == {"addressing_style": "path", "signature_version": "s3v4"}
    assert loaded.profile("with space") == {"region": "ap-south-1"}
    assert loaded.sso_session("corp")["sso_region"] == "us-east-1"
    assert loaded.services("local") == {"api_gateway": {"endpoint_url": "http://localhost:4566"}}
    assert loaded.profile("preview") == {}
    assert loaded.profile("nope") == {} and loaded.sso_session("nope") == {}


async def test_credentials_file_merges_and_wins(tmp_path: Path) -> None:
    loaded = await load(make_env(tmp_path, CONFIG, CREDENTIALS))
    assert loaded.profile_names == (
        "default",
        "dev",
        "with space",
        "creds-only",
        "profile weird",
    )
    dev = loaded.profile("dev")
    assert dev["region"] == "eu-central-1"  # the credentials file wins per key
    assert dev["services"] == "local"  # keys only in the config file survive
    assert loaded.config_file_profile("dev")["region"] == "eu-west-1"
    assert loaded.credentials_file_profile("dev")["region"] == "eu-central-1"
    # The credentials file takes section names verbatim: no "profile " prefix handling.
    assert loaded.has_profile("profile weird") and not loaded.has_profile("weird")
    assert loaded.source_of("dev", "region").startswith("the shared credentials file")
    assert loaded.source_of("dev", "services").startswith("the config file")


async def test_matches_botocore(tmp_path: Path) -> None:
    """botocore (a test-only oracle) reads the same files into the same profiles."""
    import botocore.session as botocore_session  # pinned oracle: imported, never skipped

    config = CONFIG + textwrap.dedent(
        """\
        [profile default]
        region = overridden-by-later-section
        [profilex odd]
        region = odd
        [profile a b c]
        region = ignored
        """
    )
    env = make_env(tmp_path, config, CREDENTIALS)
    loaded = await load(env)
    session = botocore_session.Session()
    session.set_config_variable("config_file", env["AWS_CONFIG_FILE"])
    session.set_config_variable("credentials_file", env["AWS_SHARED_CREDENTIALS_FILE"])
    full = session.full_config
    assert set(loaded.profile_names) == set(full["profiles"])
    for name, values in full["profiles"].items():
        assert loaded.profile(name) == values, name
    for name, values in full["sso_sessions"].items():
        assert loaded.sso_session(name) == values
    for name, values in full["services"].items():
        assert loaded.services(name) == values


async def test_later_default_section_wins(tmp_path: Path) -> None:
    env = make_env(tmp_path, "[profile default]\nregion = a\n[default]\nregion = b\n")
    assert (await load(env)).profile("default")["region"] == "b"


async def test_load_is_cached_and_single_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    real = _profiles._load_files

    def counting(environ: Any) -> LoadedConfig:
        nonlocal calls
        calls += 1
        return real(environ)

    monkeypatch.setattr(_profiles, "_load_files", counting)
    loader = ProfileLoader(make_env(tmp_path, CONFIG, CREDENTIALS))
    results = await asyncio.gather(*(loader.load() for _ in range(50)))
    assert calls == 1
    assert all(result is results[0] for result in results)
    assert await loader.load() is results[0]
    assert calls == 1


async def test_failed_load_is_not_cached(tmp_path: Path) -> None:
    env = make_env(tmp_path, "region = no-section\n")
    loader = ProfileLoader(env)
    with pytest.raises(ConfigError):
        await loader.load()
    (tmp_path / "config").write_text("[default]\nregion = us-east-1\n")
    assert (await loader.load()).profile("default")["region"] == "us-east-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"[default]\naws_secret_access_key {SECRET}\n", "cannot parse line(s) 2"),
        (f"aws_secret_access_key = {SECRET}\n[default]\n", "line 1 comes before"),
        ("[default]\n[default]\n", "appears twice"),
        (f"[default]\nx = 1\nx = {SECRET}\n", "'x' appears twice"),
        (f"[default]\ns3 =\n  {SECRET}\n", "has a line without '='"),
    ],
)
async def test_parse_errors_name_lines_but_never_quote_them(
    tmp_path: Path, text: str, expected: str
) -> None:
    env = make_env(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        await load(env)
    assert expected in str(info.value)
    assert str(tmp_path / "config") in str(info.value)
    assert info.value.__cause__ is not None
    assert SECRET not in full_text(info.value)


async def test_undecodable_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "credentials").write_bytes(b"[default]\naws_access_key_id = \xff\xfe\n")
    with pytest.raises(ConfigError, match="not valid UTF-8") as info:
        await load(make_env(tmp_path))
    assert isinstance(info.value.__cause__, UnicodeDecodeError)


async def test_a_bom_is_tolerated(tmp_path: Path) -> None:
    (tmp_path / "config").write_bytes(b"\xef\xbb\xbf[default]\nregion = us-east-1\n")
    assert (await load(make_env(tmp_path))).profile("default")["region"] == "us-east-1"


async def test_paths_expand_with_the_given_environ(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cfg").write_text("[default]\nregion = from-var\n")
    (tmp_path / "home" / ".aws").mkdir(parents=True)
    (tmp_path / "home" / ".aws" / "credentials").write_text("[default]\nregion = home\n")
    env = {
        "HOME": str(tmp_path / "home"),
        "MYDIR": str(tmp_path / "sub"),
        "AWS_CONFIG_FILE": "${MYDIR}/cfg",
    }
    loaded = await load(env)
    assert loaded.config_file == str(tmp_path / "sub" / "cfg")
    assert loaded.config_file_profile("default")["region"] == "from-var"
    # The credentials file defaults to ~/.aws/credentials, ~ being environ's HOME.
    assert loaded.credentials_file == str(tmp_path / "home" / ".aws" / "credentials")
    assert loaded.credentials_file_profile("default")["region"] == "home"


async def test_loaded_config_is_read_only_and_its_repr_is_safe(tmp_path: Path) -> None:
    loaded = await load(make_env(tmp_path, CONFIG, CREDENTIALS))
    with pytest.raises(TypeError):
        loaded.profile("dev")["region"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        loaded.profile("dev")["s3"]["addressing_style"] = "x"
    assert SECRET not in repr(loaded)
    assert "AKID" not in repr(loaded)


def test_resolve_profile_name_order() -> None:
    assert resolve_profile_name("x", {"AWS_PROFILE": "y"}) == ("x", True)
    both = {"AWS_DEFAULT_PROFILE": "d", "AWS_PROFILE": "p"}
    assert resolve_profile_name(None, both) == ("d", True)  # botocore checks it first
    assert resolve_profile_name(None, {"AWS_PROFILE": "p"}) == ("p", True)
    assert resolve_profile_name(None, {"AWS_PROFILE": ""}) == ("default", False)
    assert resolve_profile_name(None, {}) == ("default", False)
    with pytest.raises(ConfigError):
        resolve_profile_name("", {})


# --- ClientConfig -----------------------------------------------------------------------


def test_client_config_defaults() -> None:
    config = ClientConfig()
    assert (config.max_attempts, config.retry_mode) == (3, "standard")
    assert (config.connect_timeout, config.read_timeout) == (10.0, 60.0)
    assert config.max_connections == 100
    assert not config.use_fips_endpoint and not config.use_dualstack_endpoint
    assert config.user_agent_extra is None and config.ca_bundle is None
    assert config._explicit == frozenset()


def test_client_config_records_explicit_arguments() -> None:
    # Passing the default value still counts as explicit.
    assert ClientConfig(max_attempts=3)._explicit == {"max_attempts"}
    assert ClientConfig(5, "legacy", ca_bundle="/x.pem")._explicit == {
        "max_attempts",
        "retry_mode",
        "ca_bundle",
    }
    assert ClientConfig(use_fips_endpoint=False)._explicit == {"use_fips_endpoint"}


def test_client_config_signature_and_value_semantics() -> None:
    parameters = inspect.signature(ClientConfig).parameters
    assert list(parameters) == [
        "max_attempts",
        "retry_mode",
        "connect_timeout",
        "read_timeout",
        "max_connections",
        "use_fips_endpoint",
        "use_dualstack_endpoint",
        "user_agent_extra",
        "ca_bundle",
        "attempt_timeout",
        "operation_timeout",
        "hooks",
        "log_bodies",
        "disable_request_compression",
        "request_min_compression_size_bytes",
        "pacing",
        "disable_host_prefix_injection",
    ]
    for name in (
        "ca_bundle",
        "attempt_timeout",
        "operation_timeout",
        "hooks",
        "log_bodies",
        "disable_request_compression",
        "request_min_compression_size_bytes",
        "pacing",
        "disable_host_prefix_injection",
    ):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["max_attempts"].default == 3
    config = ClientConfig(connect_timeout=1)
    assert config.connect_timeout == 1.0 and isinstance(config.connect_timeout, float)
    assert ClientConfig(read_timeout=5) == ClientConfig(read_timeout=5)
    assert hash(ClientConfig()) == hash(ClientConfig())
    assert "max_attempts=3" in repr(ClientConfig())
    with pytest.raises(AttributeError):
        config.max_attempts = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": 2.5},
        {"max_attempts": True},
        {"max_attempts": "3"},
        {"retry_mode": "Standard"},
        {"retry_mode": None},
        {"connect_timeout": 0},
        {"read_timeout": -1.0},
        {"read_timeout": float("inf")},
        {"read_timeout": float("nan")},
        {"connect_timeout": "10"},
        {"max_connections": 0},
        {"use_fips_endpoint": "true"},
        {"use_dualstack_endpoint": 1},
        {"user_agent_extra": "app/1.0\r\nX-Injected: 1"},
        {"user_agent_extra": 5},
        {"ca_bundle": ""},
        {"ca_bundle": 5},
        # Values no stdlib function may be left to fail on: a float() overflow, a repr()
        # refused (over 4300 digits), a header no codec can encode.
        {"connect_timeout": 10**400},
        {"operation_timeout": 10**5000},
        {"max_attempts": -(10**5000)},
        {"request_min_compression_size_bytes": 10**5000},
        {"user_agent_extra": "app/\udc80"},
    ],
)
def test_client_config_rejects_bad_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=next(iter(kwargs))):
        ClientConfig(**kwargs)


def test_client_config_accepts_unicode_user_agent_extra() -> None:
    assert ClientConfig(user_agent_extra="app/1.0 (café)").user_agent_extra == "app/1.0 (café)"


# --- resolve_settings -------------------------------------------------------------------


async def test_defaults(tmp_path: Path) -> None:
    settings = await resolve(make_env(tmp_path), region="us-east-1")
    assert settings == Settings(
        region="us-east-1",
        endpoint_url=None,
        max_attempts=3,
        retry_mode="standard",
        connect_timeout=10.0,
        read_timeout=60.0,
        max_connections=100,
        use_fips_endpoint=False,
        use_dualstack_endpoint=False,
        ca_bundle=None,
        user_agent_extra=None,
        profile="default",
    )


REGION_CASES = [
    # explicit, AWS_REGION, AWS_DEFAULT_REGION, profile region -> expected
    ("eu-west-1", "us-east-2", "us-west-1", "ap-south-1", "eu-west-1"),
    (None, "us-east-2", "us-west-1", "ap-south-1", "us-east-2"),
    (None, None, "us-west-1", "ap-south-1", "us-west-1"),
    (None, None, None, "ap-south-1", "ap-south-1"),
    (None, "", "", "ap-south-1", "ap-south-1"),  # empty variables count as unset
]


@pytest.mark.parametrize(
    ("explicit", "aws_region", "default_region", "file", "expected"), REGION_CASES
)
async def test_region_precedence(
    tmp_path: Path,
    explicit: str | None,
    aws_region: str | None,
    default_region: str | None,
    file: str,
    expected: str,
) -> None:
    env = make_env(tmp_path, f"[default]\nregion = {file}\n")
    if aws_region is not None:
        env["AWS_REGION"] = aws_region
    if default_region is not None:
        env["AWS_DEFAULT_REGION"] = default_region
    assert (await resolve(env, region=explicit)).region == expected


async def test_region_from_the_credentials_file(tmp_path: Path) -> None:
    env = make_env(tmp_path, credentials="[default]\nregion = sa-east-1\n")
    assert (await resolve(env)).region == "sa-east-1"


async def test_no_region(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No region") as info:
        await resolve(make_env(tmp_path, "[default]\noutput = json\n"))
    assert "AWS_REGION" in str(info.value) and str(tmp_path / "config") in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "env_extra", "config", "source"),
    [
        ({"region": "us east 1"}, {}, None, "the region argument"),
        ({}, {"AWS_REGION": "-bad-"}, None, "AWS_REGION"),
        ({}, {"AWS_DEFAULT_REGION": "us/east"}, None, "AWS_DEFAULT_REGION"),
        ({}, {}, "[default]\nregion = 123\n", "'region' in profile 'default'"),
    ],
)
async def test_invalid_region(
    tmp_path: Path,
    kwargs: dict[str, Any],
    env_extra: dict[str, str],
    config: str | None,
    source: str,
) -> None:
    env = make_env(tmp_path, config, **env_extra)
    with pytest.raises(ConfigError, match="not a valid region") as info:
        await resolve(env, **kwargs)
    assert source in str(info.value)


REGION_SOURCE_CASES = [
    # explicit, AWS_REGION, AWS_DEFAULT_REGION, in the config file -> the source logged
    ("eu-west-1", "us-east-2", "us-west-1", True, "the region argument"),
    (None, "us-east-2", "us-west-1", True, "AWS_REGION"),
    (None, None, "us-west-1", True, "AWS_DEFAULT_REGION"),
    (None, None, None, True, "'region' in profile 'dev' of the config file {config}"),
    (None, None, None, False, "'region' in profile 'dev' of the shared credentials file {creds}"),
]


@pytest.mark.parametrize(
    ("explicit", "aws_region", "default_region", "in_config", "source"), REGION_SOURCE_CASES
)
async def test_the_source_of_the_region_is_logged_at_debug(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    explicit: str | None,
    aws_region: str | None,
    default_region: str | None,
    in_config: bool,
    source: str,
) -> None:
    section = "[profile dev]\nregion = ap-south-1\n"
    env = make_env(
        tmp_path,
        config=section if in_config else "",
        credentials="" if in_config else "[dev]\nregion = ap-south-1\n",
    )
    for name, value in (("AWS_REGION", aws_region), ("AWS_DEFAULT_REGION", default_region)):
        if value is not None:
            env[name] = value
    with caplog.at_level(logging.DEBUG, logger="aioapigateway.config"):
        settings = await resolve(env, region=explicit, profile="dev")
    shown = source.format(config=env["AWS_CONFIG_FILE"], creds=env["AWS_SHARED_CREDENTIALS_FILE"])
    records = [r for r in caplog.records if r.name == "aioapigateway.config"]
    assert [(r.levelno, r.getMessage()) for r in records if "region" in r.getMessage()] == [
        (logging.DEBUG, f"client: region {settings.region} from {shown}")
    ]


async def test_the_sts_region_is_read_and_logged_as_the_client_reads_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from aioapigateway.runtime.credentials.sts import resolve_sts_settings

    env = make_env(tmp_path, "[default]\nregion = ap-south-1\n", AWS_DEFAULT_REGION="us-west-1")
    loaded = await load(env)
    with caplog.at_level(logging.DEBUG, logger="aioapigateway.config"):
        sts = resolve_sts_settings(
            environ=env, loaded=loaded, config_profile="default", region=None, endpoint_url=None
        )
    assert sts.endpoint.signing_region == "us-west-1"
    assert "STS: region us-west-1 from AWS_DEFAULT_REGION" in caplog.messages
    # A bad value is the same ConfigError, naming the variable, for both.
    env["AWS_REGION"] = "evil.example/x"
    with pytest.raises(ConfigError, match="AWS_REGION is not a valid region name") as client_error:
        await resolve(env)
    with pytest.raises(ConfigError, match="AWS_REGION is not a valid region name") as sts_error:
        resolve_sts_settings(
            environ=env, loaded=loaded, config_profile="default", region=None, endpoint_url=None
        )
    assert str(client_error.value) == str(sts_error.value)


# setting, env var, config key, explicit value, env raw, file raw,
# then the expected value for: all three, env + file, file only, none.
SETTING_CASES = [
    ("max_attempts", "AWS_MAX_ATTEMPTS", "max_attempts", 7, "5", "4", (7, 5, 4, 3)),
    (
        "retry_mode",
        "AWS_RETRY_MODE",
        "retry_mode",
        "legacy",
        "adaptive",
        "legacy",
        ("legacy", "adaptive", "legacy", "standard"),
    ),
    (
        "use_fips_endpoint",
        "AWS_USE_FIPS_ENDPOINT",
        "use_fips_endpoint",
        True,
        "false",
        "TRUE",
        (True, False, True, False),
    ),
    (
        "use_dualstack_endpoint",
        "AWS_USE_DUALSTACK_ENDPOINT",
        "use_dualstack_endpoint",
        True,
        "False",
        "true",
        (True, False, True, False),
    ),
    (
        "ca_bundle",
        "AWS_CA_BUNDLE",
        "ca_bundle",
        "/explicit.pem",
        "/env.pem",
        "/file.pem",
        ("/explicit.pem", "/env.pem", "/file.pem", None),
    ),
]


@pytest.mark.parametrize(
    ("name", "env_var", "key", "explicit", "env_raw", "file_raw", "expected"),
    SETTING_CASES,
    ids=[case[0] for case in SETTING_CASES],
)
@pytest.mark.parametrize("layers", [3, 2, 1, 0], ids=["explicit", "env", "file", "default"])
async def test_setting_precedence(
    tmp_path: Path,
    name: str,
    env_var: str,
    key: str,
    explicit: Any,
    env_raw: str,
    file_raw: str,
    expected: tuple[Any, ...],
    layers: int,
) -> None:
    env = make_env(tmp_path, f"[default]\n{key} = {file_raw}\n" if layers >= 1 else None)
    if layers >= 2:
        env[env_var] = env_raw
    config = ClientConfig(**{name: explicit}) if layers >= 3 else None
    settings = await resolve(env, region="us-east-1", config=config)
    assert getattr(settings, name) == expected[3 - layers]


@pytest.mark.parametrize(
    ("config", "env_extra", "file", "expected"),
    [
        ({"retry_mode": "legacy"}, {}, None, 5),  # botocore's legacy default
        ({}, {"AWS_RETRY_MODE": "legacy"}, None, 5),
        ({}, {}, "[default]\nretry_mode = legacy\n", 5),
        ({"retry_mode": "legacy", "max_attempts": 3}, {}, None, 3),
        ({"retry_mode": "legacy"}, {"AWS_MAX_ATTEMPTS": "2"}, None, 2),
        ({"retry_mode": "legacy"}, {}, "[default]\nmax_attempts = 7\n", 7),
        ({"retry_mode": "adaptive"}, {}, None, 3),
        ({}, {}, None, 3),
    ],
)
async def test_max_attempts_default_depends_on_the_retry_mode(
    tmp_path: Path,
    config: dict[str, Any],
    env_extra: dict[str, str],
    file: str | None,
    expected: int,
) -> None:
    env = make_env(tmp_path, file, **env_extra)
    settings = await resolve(env, region="us-east-1", config=ClientConfig(**config))
    assert settings.max_attempts == expected


async def test_resilience_fields_reach_the_settings(tmp_path: Path) -> None:
    config = ClientConfig(attempt_timeout=2, operation_timeout=30.5, log_bodies=True)
    settings = await resolve(make_env(tmp_path), region="us-east-1", config=config)
    assert (settings.attempt_timeout, settings.operation_timeout) == (2.0, 30.5)
    assert settings.log_bodies is True
    defaults = await resolve(make_env(tmp_path), region="us-east-1")
    assert (defaults.attempt_timeout, defaults.operation_timeout) == (None, None)
    assert defaults.log_bodies is False


def test_resilience_fields_defaults_and_validation() -> None:
    config = ClientConfig()
    assert (config.attempt_timeout, config.operation_timeout) == (None, None)
    assert (config.hooks, config.log_bodies) == ((), False)
    assert isinstance(ClientConfig(attempt_timeout=1).attempt_timeout, float)
    for kwargs in (
        {"attempt_timeout": 0},
        {"attempt_timeout": "5"},
        {"operation_timeout": -1.0},
        {"operation_timeout": float("inf")},
        {"log_bodies": "yes"},
        {"hooks": {"before_send": 5}},
    ):
        with pytest.raises(ConfigError, match=next(iter(kwargs))):
            ClientConfig(**kwargs)


async def test_explicit_default_value_beats_environment(tmp_path: Path) -> None:
    env = make_env(
        tmp_path,
        "[default]\nmax_attempts = 9\n",
        AWS_USE_FIPS_ENDPOINT="true",
        AWS_MAX_ATTEMPTS="8",
    )
    config = ClientConfig(use_fips_endpoint=False, max_attempts=3)
    settings = await resolve(env, region="us-east-1", config=config)
    assert settings.use_fips_endpoint is False
    assert settings.max_attempts == 3
    # Fields not passed explicitly still come from the environment.
    assert (
        await resolve(env, region="us-east-1", config=ClientConfig(read_timeout=5))
    ).max_attempts == 8


async def test_client_config_only_fields_ignore_env_and_files(tmp_path: Path) -> None:
    """botocore reads no variable or config key for these (checked in configprovider)."""
    env = make_env(
        tmp_path,
        "[default]\nconnect_timeout = 1\nread_timeout = 1\nmax_pool_connections = 1\n",
        AWS_CONNECT_TIMEOUT="1",
        AWS_READ_TIMEOUT="1",
        AWS_MAX_CONNECTIONS="1",
        AWS_SDK_UA_APP_ID="x",
    )
    config = ClientConfig(user_agent_extra="extra/1")
    settings = await resolve(env, region="us-east-1", config=config)
    assert (settings.connect_timeout, settings.read_timeout) == (10.0, 60.0)
    assert settings.max_connections == 100
    assert settings.user_agent_extra == "extra/1"


@pytest.mark.parametrize(
    ("env_extra", "config", "source"),
    [
        ({"AWS_MAX_ATTEMPTS": "three"}, None, "AWS_MAX_ATTEMPTS must be an integer"),
        ({"AWS_MAX_ATTEMPTS": "0"}, None, "AWS_MAX_ATTEMPTS must be at least 1"),
        ({"AWS_RETRY_MODE": "fast"}, None, "AWS_RETRY_MODE must be one of"),
        ({"AWS_USE_FIPS_ENDPOINT": "yes"}, None, "AWS_USE_FIPS_ENDPOINT must be true or false"),
        ({"AWS_USE_DUALSTACK_ENDPOINT": "1"}, None, "AWS_USE_DUALSTACK_ENDPOINT"),
        ({"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "on"}, None, "AWS_IGNORE_CONFIGURED"),
        ({}, "[default]\nmax_attempts = -2\n", "'max_attempts' in profile 'default'"),
        ({}, "[default]\nretry_mode = quick\n", "'retry_mode' in profile 'default'"),
        ({}, "[default]\nuse_fips_endpoint = maybe\n", "'use_fips_endpoint' in profile"),
        ({}, "[default]\nmax_attempts =\n  a = b\n", "not a nested section"),
    ],
)
async def test_bad_values_name_their_source(
    tmp_path: Path, env_extra: dict[str, str], config: str | None, source: str
) -> None:
    env = make_env(tmp_path, config, **env_extra)
    with pytest.raises(ConfigError) as info:
        await resolve(env, region="us-east-1")
    assert source in str(info.value)
    if config is not None:
        assert str(tmp_path / "config") in str(info.value)


async def test_bad_config_type(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ClientConfig"):
        await resolve(make_env(tmp_path), region="us-east-1", config={"max_attempts": 3})


# --- profile selection ------------------------------------------------------------------


async def test_profile_selection(tmp_path: Path) -> None:
    config = "[default]\nregion = r-default\n[profile a]\nregion = r-a\n[profile b]\nregion = r-b\n"
    env = make_env(tmp_path, config)
    assert (await resolve(env)).region == "r-default"
    assert (await resolve(env, profile="a")).profile == "a"
    assert (await resolve({**env, "AWS_PROFILE": "b"})).region == "r-b"
    both = {**env, "AWS_PROFILE": "b", "AWS_DEFAULT_PROFILE": "a"}
    assert (await resolve(both)).region == "r-a"
    assert (await resolve(both, profile="default")).region == "r-default"


@pytest.mark.parametrize("how", ["argument", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
async def test_named_profile_must_exist(tmp_path: Path, how: str) -> None:
    env = make_env(tmp_path, "[default]\nregion = us-east-1\n")
    kwargs: dict[str, Any] = {}
    if how == "argument":
        kwargs["profile"] = "missing"
    else:
        env[how] = "missing"
    with pytest.raises(ConfigError, match="'missing' could not be found") as info:
        await resolve(env, **kwargs)
    assert str(tmp_path / "config") in str(info.value)
    assert "(not found)" in str(info.value)  # the credentials file does not exist


async def test_implicit_default_profile_need_not_exist(tmp_path: Path) -> None:
    settings = await resolve(make_env(tmp_path), region="us-east-1")
    assert settings.profile == "default"


async def test_profile_only_in_credentials_file_exists(tmp_path: Path) -> None:
    env = make_env(tmp_path, credentials="[ci]\naws_access_key_id = A\n")
    assert (await resolve(env, region="us-east-1", profile="ci")).profile == "ci"


# --- endpoint_url -----------------------------------------------------------------------

ENDPOINT_CONFIG = """\
    [default]
    region = us-east-1
    endpoint_url = https://profile.example
    services = svc

    [profile no-services]
    region = us-east-1
    endpoint_url = https://profile.example

    [services svc]
    api_gateway =
      endpoint_url = https://services.example
    s3 =
      endpoint_url = https://s3.example
    """

ENDPOINT_CASES = [
    # explicit, AWS_ENDPOINT_URL_API_GATEWAY, AWS_ENDPOINT_URL, profile, expected
    (
        "https://explicit.example",
        "https://svc-env.example",
        "https://env.example",
        "default",
        "https://explicit.example",
    ),
    (None, "https://svc-env.example", "https://env.example", "default", "https://svc-env.example"),
    (None, None, "https://env.example", "default", "https://env.example"),
    (None, "", "", "default", "https://services.example"),
    (None, None, None, "default", "https://services.example"),
    (None, None, None, "no-services", "https://profile.example"),
]


@pytest.mark.parametrize(
    ("explicit", "service_env", "global_env", "profile", "expected"), ENDPOINT_CASES
)
async def test_endpoint_url_precedence(
    tmp_path: Path,
    explicit: str | None,
    service_env: str | None,
    global_env: str | None,
    profile: str,
    expected: str,
) -> None:
    env = make_env(tmp_path, ENDPOINT_CONFIG)
    if service_env is not None:
        env["AWS_ENDPOINT_URL_API_GATEWAY"] = service_env
    if global_env is not None:
        env["AWS_ENDPOINT_URL"] = global_env
    settings = await resolve(env, endpoint_url=explicit, profile=profile)
    assert settings.endpoint_url == expected


async def test_no_endpoint_url_configured(tmp_path: Path) -> None:
    env = make_env(tmp_path, "[default]\nregion = us-east-1\n")
    assert (await resolve(env)).endpoint_url is None


IGNORE_CASES = [
    # AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, profile's ignore_configured_endpoint_urls, explicit -> expected
    ("true", None, None, None),
    (None, "true", None, None),
    ("TRUE", "false", None, None),
    ("false", "true", None, "https://env.example"),  # the variable beats the file
    ("true", None, "https://explicit.example", "https://explicit.example"),
    (None, "true", "https://explicit.example", "https://explicit.example"),
]


@pytest.mark.parametrize(("ignore_env", "ignore_file", "explicit", "expected"), IGNORE_CASES)
async def test_ignore_configured_endpoint_urls(
    tmp_path: Path,
    ignore_env: str | None,
    ignore_file: str | None,
    explicit: str | None,
    expected: str | None,
) -> None:
    config = ENDPOINT_CONFIG
    if ignore_file is not None:
        config = config.replace(
            "services = svc\n",
            f"services = svc\n    ignore_configured_endpoint_urls = {ignore_file}\n",
        )
    env = make_env(tmp_path, config, AWS_ENDPOINT_URL="https://env.example")
    if ignore_env is not None:
        env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = ignore_env
    assert (await resolve(env, endpoint_url=explicit)).endpoint_url == expected


async def test_ignored_endpoints_skip_a_broken_services_reference(tmp_path: Path) -> None:
    config = "[default]\nregion = us-east-1\nservices = nowhere\n"
    env = make_env(tmp_path, config, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="true")
    assert (await resolve(env)).endpoint_url is None
    with pytest.raises(ConfigError, match=r"\[services nowhere\], which is not in"):
        await resolve({**env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"})
    # An environment variable answers before the services section is looked at.
    env2 = {**env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "", "AWS_ENDPOINT_URL": "http://h"}
    assert (await resolve(env2)).endpoint_url == "http://h"


# --- one configured-endpoint lookup for the client and the credential providers ------------

# Each service's own variable, AWS_ENDPOINT_URL, a services section, the profile's
# endpoint_url: every combination, for the client (API Gateway) and STS.
LOOKUP_COMBINATIONS = [
    (service_env, global_env, services, profile_url)
    for service_env in (False, True)
    for global_env in (False, True)
    for services in (False, True)
    for profile_url in (False, True)
]


def _lookup_case(
    tmp_path: Path, service_env: bool, global_env: bool, services: bool, profile_url: bool
) -> dict[str, str]:
    config = "[default]\nregion = us-east-1\n"
    config += "endpoint_url = https://profile.example\n" if profile_url else ""
    config += "services = svc\n" if services else ""
    config += (
        "[services svc]\napi_gateway =\n  endpoint_url = https://apigw-section.example\n"
        "sts =\n  endpoint_url = https://sts-section.example\n"
    )
    extra = {}
    if service_env:
        extra["AWS_ENDPOINT_URL_API_GATEWAY"] = "https://apigw-env.example"
        extra["AWS_ENDPOINT_URL_STS"] = "https://sts-env.example"
    if global_env:
        extra["AWS_ENDPOINT_URL"] = "https://global-env.example"
    return make_env(tmp_path, config, **extra)


def _botocore_configured_endpoint(env: dict[str, str], client_name: str) -> str | None:
    import botocore.session as botocore_session
    from botocore.configprovider import ConfiguredEndpointProvider

    session = botocore_session.Session()
    session.set_config_variable("config_file", env["AWS_CONFIG_FILE"])
    session.set_config_variable("credentials_file", env["AWS_SHARED_CREDENTIALS_FILE"])
    full = session.full_config
    provider = ConfiguredEndpointProvider(
        full_config=full,
        scoped_config=full["profiles"].get("default", {}),
        client_name=client_name,
        environ=env,
    )
    found: str | None = provider.provide()
    return found


@pytest.mark.parametrize(
    ("service_env", "global_env", "services", "profile_url"), LOOKUP_COMBINATIONS
)
async def test_client_and_sts_find_the_configured_endpoint_as_botocore_does(
    tmp_path: Path, service_env: bool, global_env: bool, services: bool, profile_url: bool
) -> None:
    from aioapigateway.runtime.credentials.sts import resolve_sts_settings

    env = _lookup_case(tmp_path, service_env, global_env, services, profile_url)
    expected_client = _botocore_configured_endpoint(env, "apigateway")
    expected_sts = _botocore_configured_endpoint(env, "sts")
    assert (await resolve(env)).endpoint_url == expected_client
    sts = resolve_sts_settings(
        environ=env,
        loaded=await load(env),
        config_profile="default",
        region=None,
        endpoint_url=None,
    )
    assert sts.endpoint.url == (expected_sts or "https://sts.us-east-1.amazonaws.com")


@pytest.mark.parametrize(
    ("env_extra", "config_extra", "message"),
    [
        ({"AWS_ENDPOINT_URL": "ftp://h"}, "", "AWS_ENDPOINT_URL must be an http:// or https://"),
        ({"AWS_ENDPOINT_URL": "http://h:99999"}, "", "AWS_ENDPOINT_URL is not a valid URL"),
        ({}, "endpoint_url = localhost:4566\n", "'endpoint_url' in profile 'default'"),
        ({}, "services = nowhere\n", "[services nowhere], which is not in"),
        (
            {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "yes", "AWS_ENDPOINT_URL": "http://h"},
            "",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS must be true or false, got 'yes'",
        ),
        (
            {"AWS_ENDPOINT_URL": "http://user:pw@h/\udc80"},
            "",
            "AWS_ENDPOINT_URL must not contain control or unprintable characters",
        ),
    ],
)
async def test_client_and_sts_refuse_a_bad_configured_endpoint_alike(
    tmp_path: Path, env_extra: dict[str, str], config_extra: str, message: str
) -> None:
    from aioapigateway.runtime.credentials.sts import resolve_sts_settings

    env = make_env(tmp_path, "[default]\nregion = us-east-1\n" + config_extra, **env_extra)
    with pytest.raises(ConfigError) as client_error:
        await resolve(env)
    with pytest.raises(ConfigError) as sts_error:
        resolve_sts_settings(
            environ=env,
            loaded=await load(env),
            config_profile="default",
            region=None,
            endpoint_url=None,
        )
    assert message in str(client_error.value)
    assert str(sts_error.value) == str(client_error.value)
    assert "pw" not in str(client_error.value)


@pytest.mark.parametrize("flag", ["true", "TRUE", " True "])
async def test_ignoring_configured_endpoints_applies_to_sts_too(tmp_path: Path, flag: str) -> None:
    from aioapigateway.runtime.credentials.sts import resolve_sts_settings

    config = "[default]\nregion = us-east-1\nendpoint_url = https://profile.example\n"
    for env in (
        make_env(tmp_path, config, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=flag),
        make_env(tmp_path, config + f"ignore_configured_endpoint_urls = {flag}\n"),
    ):
        assert (await resolve(env)).endpoint_url is None
        sts = resolve_sts_settings(
            environ=env,
            loaded=await load(env),
            config_profile="default",
            region=None,
            endpoint_url=None,
        )
        assert sts.endpoint.url == "https://sts.us-east-1.amazonaws.com"


async def test_services_entry_must_be_nested(tmp_path: Path) -> None:
    config = "[default]\nregion = us-east-1\nservices = s\n[services s]\napi_gateway = http://x\n"
    with pytest.raises(ConfigError, match="must be a nested section"):
        await resolve(make_env(tmp_path, config))


@pytest.mark.parametrize(
    ("kwargs", "env_extra", "source", "reason"),
    [
        ({"endpoint_url": "ftp://h"}, {}, "the endpoint_url argument", "http:// or https://"),
        (
            {"endpoint_url": "localhost:4566"},
            {},
            "the endpoint_url argument",
            "http:// or https://",
        ),
        ({"endpoint_url": "http://"}, {}, "the endpoint_url argument", "has no host"),
        ({"endpoint_url": "http://h:99999"}, {}, "the endpoint_url argument", "not a valid URL"),
        ({"endpoint_url": "http://h\n.example"}, {}, "the endpoint_url argument", "whitespace"),
        ({"endpoint_url": 5}, {}, "the endpoint_url argument", "must be a string"),
        ({}, {"AWS_ENDPOINT_URL": "nope"}, "AWS_ENDPOINT_URL", "http:// or https://"),
        (
            {},
            {"AWS_ENDPOINT_URL_API_GATEWAY": "https://"},
            "AWS_ENDPOINT_URL_API_GATEWAY",
            "no host",
        ),
    ],
)
async def test_invalid_endpoint_url(
    tmp_path: Path, kwargs: dict[str, Any], env_extra: dict[str, str], source: str, reason: str
) -> None:
    env = make_env(tmp_path, **env_extra)
    with pytest.raises(ConfigError) as info:
        await resolve(env, region="us-east-1", **kwargs)
    assert source in str(info.value) and reason in str(info.value)


async def test_invalid_endpoint_in_services_section_names_it(tmp_path: Path) -> None:
    config = "[default]\nregion = us-east-1\nservices = s\n[services s]\napi_gateway =\n  endpoint_url = tcp://x\n"
    with pytest.raises(ConfigError, match=r"'api_gateway.endpoint_url' in \[services s\]"):
        await resolve(make_env(tmp_path, config))


async def test_endpoint_url_password_is_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        await resolve(
            make_env(tmp_path), region="us-east-1", endpoint_url=f"ftp://user:{SECRET}@h/x"
        )
    assert SECRET not in str(info.value)
    assert "<redacted>@h/x" in str(info.value)


@pytest.mark.parametrize("separator", ["/", "?", "#", "@"])
async def test_endpoint_url_password_with_a_url_delimiter_is_not_echoed(
    tmp_path: Path, separator: str
) -> None:
    # Unencoded, the delimiter ends the authority early; the message still hides all of it.
    url = f"http://user:Qz{separator}ss-{SECRET}@h:bad/x?token=t0k#frag"
    with pytest.raises(ConfigError) as info:
        await resolve(make_env(tmp_path), region="us-east-1", endpoint_url=url)
    message = str(info.value)
    assert "'http://<redacted>@h:bad/x'" in message, message
    for part in ("Qz", "ss-", *SECRET.split("/"), "t0k", "frag"):
        assert part not in message, (part, message)


async def test_valid_endpoint_urls_are_kept_verbatim(tmp_path: Path) -> None:
    for url in ("http://localhost:4566", "https://[::1]:8443/base/", "http://10.0.0.1"):
        assert (
            await resolve(make_env(tmp_path), region="us-east-1", endpoint_url=url)
        ).endpoint_url == url


async def test_environ_defaults_to_os_environ_at_resolve_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(tmp_path)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    loader = ProfileLoader()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ca-central-1")  # set after construction
    settings = await resolve_settings(
        service_env_name="API_GATEWAY",
        service_config_key="api_gateway",
        region=None,
        endpoint_url=None,
        profile=None,
        config=None,
        loader=loader,
    )
    assert settings.region == "ca-central-1"


def test_retry_modes() -> None:
    assert RETRY_MODES == ("legacy", "standard", "adaptive")


# --- property tests against botocore ------------------------------------------------------

_names = st.text(alphabet="abcdefghij-_0123", min_size=1, max_size=6)
_keys = st.text(alphabet="abcdefgh_", min_size=1, max_size=5)
_plain_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12
)
_nested_values = st.dictionaries(
    _keys, _plain_values.map(str.strip).filter(bool), min_size=1, max_size=3
)
_headers = st.one_of(
    st.just("default"),
    _names.map(lambda n: f"profile {n}"),
    _names.map(lambda n: f"profile '{n} x'"),
    _names.map(lambda n: f"sso-session {n}"),
    _names.map(lambda n: f"services {n}"),
    _names,
)
_sections = st.dictionaries(
    _headers,
    st.dictionaries(_keys, st.one_of(_plain_values, _nested_values), max_size=4),
    max_size=5,
)


def _render(sections: dict[str, dict[str, Any]]) -> str:
    lines = []
    for header, values in sections.items():
        lines.append(f"[{header}]")
        for key, value in values.items():
            if isinstance(value, dict):
                lines.append(f"{key} =")
                lines.extend(f"  {k} = {v}" for k, v in value.items())
            else:
                lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


@hypothesis_settings(max_examples=75, deadline=None)
@given(config=_sections, credentials=_sections)
def test_random_files_load_as_botocore_loads_them(
    config: dict[str, dict[str, Any]], credentials: dict[str, dict[str, Any]]
) -> None:
    import botocore.session as botocore_session  # pinned oracle: imported, never skipped

    with tempfile.TemporaryDirectory() as directory:
        env = make_env(Path(directory), _render(config), _render(credentials))
        loaded = asyncio.run(ProfileLoader(env).load())
        session = botocore_session.Session()
        session.set_config_variable("config_file", env["AWS_CONFIG_FILE"])
        session.set_config_variable("credentials_file", env["AWS_SHARED_CREDENTIALS_FILE"])
        full = session.full_config
    assert set(loaded.profile_names) == set(full["profiles"])
    for name, values in full["profiles"].items():
        assert loaded.profile(name) == values
    for name, values in full["sso_sessions"].items():
        assert loaded.sso_session(name) == values
    for name, values in full["services"].items():
        assert loaded.services(name) == values


@given(password=st.text(alphabet=st.characters(whitelist_categories=("L", "N", "P")), min_size=12))
def test_endpoint_url_errors_never_echo_a_password(password: str) -> None:
    url = f"ftp://user:{password}@host.example/path"
    with pytest.raises(ConfigError) as info:
        check_endpoint_url(url, "the endpoint_url argument")
    assert password not in str(info.value)


async def test_request_compression_settings(tmp_path: Path) -> None:
    loader_env = {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_REGION": "us-east-1"}
    settings = await resolve_settings(
        service_env_name="API_GATEWAY",
        service_config_key="api_gateway",
        region=None,
        endpoint_url=None,
        profile=None,
        config=None,
        loader=ProfileLoader(loader_env),
        environ={
            **loader_env,
            "AWS_DISABLE_REQUEST_COMPRESSION": "true",
            "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES": "100",
        },
    )
    assert settings.disable_request_compression is True
    assert settings.request_min_compression_size_bytes == 100
    with pytest.raises(ConfigError, match="request_min_compression_size_bytes"):
        ClientConfig(request_min_compression_size_bytes=-1)
