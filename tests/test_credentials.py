"""Tests for the credential providers, the default chain and refreshing.

Files live under ``tmp_path`` and every provider gets an explicit ``environ``;
``credential_process`` commands are small Python scripts run with ``sys.executable``.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime
import gc
import io
import json
import logging
import os
import shlex
import subprocess
import sys
import textwrap
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _credential_servers import loopback_only

from aioapigateway.runtime.config.profiles import ProfileLoader
from aioapigateway.runtime.config.settings import ClientConfig
from aioapigateway.runtime.credentials.base import (
    ADVISORY_REFRESH_SECONDS,
    MANDATORY_REFRESH_SECONDS,
    CredentialProvider,
    Credentials,
    RefreshingCredentialProvider,
    StaticProvider,
)
from aioapigateway.runtime.credentials.chain import DefaultCredentialChain, as_provider
from aioapigateway.runtime.credentials.local import (
    ConfigFileCredentialsProvider,
    EnvironmentCredentialsProvider,
    ProcessCredentialsProvider,
    SharedCredentialsFileProvider,
)
from aioapigateway.runtime.errors import ConfigError, CredentialsError

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKENVALUE"
UTC = datetime.UTC
T0 = 1_900_000_000.0  # a fixed "now" for fake clocks


def make_env(
    tmp_path: Path, config: str | None = None, credentials: str | None = None, **extra: str
) -> dict[str, str]:
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
        # The chain ends with EC2 instance metadata: never let a test reach 169.254.x.
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    """Any connection to a non-loopback address fails the test."""
    with loopback_only() as attempts:
        yield
    assert not attempts, attempts


def full_text(exc: BaseException) -> str:
    return str(exc) + "".join(traceback.format_exception(exc))


def iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def creds(key: str = "AKID", expires_at: float | None = None) -> Credentials:
    expiration = None if expires_at is None else datetime.datetime.fromtimestamp(expires_at, UTC)
    return Credentials(key, SECRET, TOKEN, expiration)


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.now


# --- credential_process scripts -----------------------------------------------------------

COUNTING_SCRIPT = """\
import json, pathlib, sys
counter = pathlib.Path(sys.argv[1])
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
out = {{"Version": 1, "AccessKeyId": f"AKIDPROC{{n}}", "SecretAccessKey": {secret!r},
       "SessionToken": {token!r}}}
if len(sys.argv) > 2:
    out["Expiration"] = sys.argv[2]
print(json.dumps(out))
"""


def counting_process(tmp_path: Path, *args: str) -> tuple[str, Path]:
    """A credential_process command that counts its runs; returns (command, counter)."""
    script = tmp_path / "creds_process.py"
    script.write_text(COUNTING_SCRIPT.format(secret=SECRET, token=TOKEN))
    counter = tmp_path / "runs"
    return shlex.join([sys.executable, str(script), str(counter), *args]), counter


def printing_process(
    tmp_path: Path, stdout: str | bytes = "", stderr: str = "", code: int = 0, sleep: float = 0
) -> str:
    """A credential_process command printing fixed output."""
    script = tmp_path / "print_process.py"
    data = stdout.encode() if isinstance(stdout, str) else stdout
    script.write_text(
        textwrap.dedent(
            f"""\
            import os, sys, time
            open({str(tmp_path / "pid")!r}, "w").write(str(os.getpid()))
            time.sleep({sleep!r})
            sys.stdout.buffer.write({data!r})
            sys.stderr.write({stderr!r})
            sys.exit({code!r})
            """
        )
    )
    # The secret is passed as an argument: error messages must not echo arguments.
    return shlex.join([sys.executable, str(script), f"--secret={SECRET}"])


def process_env(tmp_path: Path, command: str, profile: str = "default") -> dict[str, str]:
    section = "[default]" if profile == "default" else f"[profile {profile}]"
    return make_env(tmp_path, f"{section}\ncredential_process = {command}\n")


def process_json(**fields: Any) -> str:
    return json.dumps({"Version": 1, **fields})


# --- environment variables ----------------------------------------------------------------


async def test_env_credentials() -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "AKIDENV",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": TOKEN,
        "AWS_CREDENTIAL_EXPIRATION": "2030-01-02T03:04:05Z",
    }
    found = await EnvironmentCredentialsProvider(env).load()
    assert found == Credentials(
        "AKIDENV", SECRET, TOKEN, datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"AWS_SESSION_TOKEN": "session"}, "session"),
        ({"AWS_SECURITY_TOKEN": "security", "AWS_SESSION_TOKEN": "session"}, "security"),
        ({"AWS_SECURITY_TOKEN": "", "AWS_SESSION_TOKEN": "session"}, "session"),
        ({}, None),
    ],
)
async def test_env_token_follows_botocore_order(
    extra: dict[str, str], expected: str | None
) -> None:
    env = {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": SECRET, **extra}
    found = await EnvironmentCredentialsProvider(env).load()
    assert found is not None and found.session_token == expected


async def test_env_not_configured_without_access_key() -> None:
    provider = EnvironmentCredentialsProvider({"AWS_SECRET_ACCESS_KEY": SECRET})
    assert await provider.load() is None
    assert "AWS_ACCESS_KEY_ID not set" in provider.describe()
    with pytest.raises(CredentialsError, match="No credentials in environment variables"):
        await provider.resolve()


async def test_env_partial_credentials() -> None:
    env = {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": TOKEN}
    with pytest.raises(CredentialsError, match="AWS_SECRET_ACCESS_KEY is missing") as info:
        await EnvironmentCredentialsProvider(env).load()
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2030-01-01T00:00:00Z", datetime.datetime(2030, 1, 1, tzinfo=UTC)),
        ("2030-01-01T02:00:00+02:00", datetime.datetime(2030, 1, 1, tzinfo=UTC)),
        ("2030-01-01T00:00:00", datetime.datetime(2030, 1, 1, tzinfo=UTC)),  # naive is UTC
    ],
)
async def test_env_expiration_formats(raw: str, expected: datetime.datetime) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "A",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_CREDENTIAL_EXPIRATION": raw,
    }
    found = await EnvironmentCredentialsProvider(env).load()
    assert found is not None and found.expiration == expected
    assert found.expiration.tzinfo is UTC


async def test_env_bad_expiration() -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "A",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_CREDENTIAL_EXPIRATION": "soon",
    }
    with pytest.raises(CredentialsError, match="AWS_CREDENTIAL_EXPIRATION is not an ISO 8601"):
        await EnvironmentCredentialsProvider(env).load()


# --- shared credentials file and config file ---------------------------------------------


async def test_shared_credentials_file(tmp_path: Path) -> None:
    env = make_env(
        tmp_path,
        credentials=f"""\
        [dev]
        aws_access_key_id = AKIDDEV
        aws_secret_access_key = {SECRET}
        aws_session_token = session
        aws_security_token = security
        """,
    )
    provider = SharedCredentialsFileProvider("dev", ProfileLoader(env))
    assert await provider.resolve() == Credentials("AKIDDEV", SECRET, "security")
    other = SharedCredentialsFileProvider("prod", ProfileLoader(env))
    assert await other.load() is None
    assert "no [prod] section" in other.describe()


@pytest.mark.parametrize(
    "section",
    [
        "aws_access_key_id = AKID\n",
        "aws_access_key_id = AKID\naws_secret_access_key =\n",
        f"aws_access_key_id =\naws_secret_access_key = {SECRET}\n",
    ],
)
async def test_shared_credentials_file_partial(tmp_path: Path, section: str) -> None:
    env = make_env(tmp_path, credentials="[default]\n" + section)
    with pytest.raises(CredentialsError) as info:
        await SharedCredentialsFileProvider("default", ProfileLoader(env)).load()
    assert str(tmp_path / "credentials") in str(info.value)
    assert "[default]" in str(info.value)
    assert SECRET not in str(info.value)


async def test_config_file_provider_reads_the_config_file_only(tmp_path: Path) -> None:
    env = make_env(
        tmp_path,
        f"[profile dev]\naws_access_key_id = AKIDCFG\naws_secret_access_key = {SECRET}\n",
        f"[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = {SECRET}\n",
    )
    loader = ProfileLoader(env)
    assert await ConfigFileCredentialsProvider("dev", loader).resolve() == Credentials(
        "AKIDCFG", SECRET
    )
    prod = ConfigFileCredentialsProvider("prod", loader)
    assert await prod.load() is None
    assert "no profile 'prod'" in prod.describe()


# --- credential_process ----------------------------------------------------------------------


async def test_process_credentials(tmp_path: Path) -> None:
    command, counter = counting_process(tmp_path)
    provider = ProcessCredentialsProvider(
        "dev", ProfileLoader(process_env(tmp_path, command, "dev"))
    )
    found = await provider.resolve()
    assert found == Credentials("AKIDPROC1", SECRET, TOKEN)
    assert await provider.resolve() is found  # no Expiration: never run again
    assert counter.read_text() == "1"


async def test_process_credentials_with_expiration_are_refreshed(tmp_path: Path) -> None:
    expires = T0 + 3600
    command, counter = counting_process(tmp_path, iso(expires))
    provider = ProcessCredentialsProvider("default", ProfileLoader(process_env(tmp_path, command)))
    clock = FakeClock()
    provider._clock = clock
    first = await provider.resolve()
    assert first.access_key_id == "AKIDPROC1"
    assert first.expiration == datetime.datetime.fromtimestamp(expires, UTC)
    clock.now = expires - ADVISORY_REFRESH_SECONDS - 1
    assert await provider.resolve() is first
    clock.now = expires - MANDATORY_REFRESH_SECONDS + 1
    assert (await provider.resolve()).access_key_id == "AKIDPROC2"
    assert counter.read_text() == "2"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stderr": "token expired, run login", "code": 3}, "exited with status 3: token expired"),
        ({"code": 1}, "exited with status 1"),
        ({"stdout": '{"Version": 1, "SecretAccessKey": "' + SECRET}, "not JSON"),
        ({"stdout": b"\xff\xfe"}, "not UTF-8"),
        ({"stdout": "[]"}, "must print a JSON object, not list"),
        ({"stdout": json.dumps({"AccessKeyId": "A", "SecretAccessKey": SECRET})}, "no Version"),
        ({"stdout": process_json(Version=2, AccessKeyId="A", SecretAccessKey=SECRET)}, "Version 2"),
        ({"stdout": process_json(AccessKeyId="A")}, "printed no SecretAccessKey"),
        (
            {"stdout": process_json(AccessKeyId=5, SecretAccessKey=SECRET)},
            "AccessKeyId that is not",
        ),
        (
            {"stdout": process_json(AccessKeyId="A", SecretAccessKey=SECRET, Expiration="later")},
            "Expiration",
        ),
        (
            {
                "stdout": process_json(
                    AccessKeyId="A", SecretAccessKey=SECRET, Expiration="2001-01-01T00:00:00Z"
                )
            },
            "already expired",
        ),
    ],
)
async def test_process_failures(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    command = printing_process(tmp_path, **kwargs)
    provider = ProcessCredentialsProvider("default", ProfileLoader(process_env(tmp_path, command)))
    with pytest.raises(CredentialsError, match=message) as info:
        await provider.resolve()
    text = full_text(info.value)
    assert SECRET not in text
    assert "--secret" not in str(info.value)  # arguments are never echoed
    assert "of profile 'default'" in str(info.value) or "already expired" in str(info.value)


async def test_process_stderr_is_truncated(tmp_path: Path) -> None:
    command = printing_process(tmp_path, stderr="x" * 5000, code=2)
    provider = ProcessCredentialsProvider("default", ProfileLoader(process_env(tmp_path, command)))
    with pytest.raises(CredentialsError) as info:
        await provider.load()
    assert len(str(info.value)) < 1200


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (f"/nonexistent/credential-helper --secret {SECRET}", "could not be started"),
        (f"helper 'unbalanced --secret {SECRET}", "not a valid command line"),
    ],
)
async def test_process_bad_commands(tmp_path: Path, command: str, message: str) -> None:
    provider = ProcessCredentialsProvider("default", ProfileLoader(process_env(tmp_path, command)))
    with pytest.raises(CredentialsError, match=message) as info:
        await provider.load()
    assert SECRET not in str(info.value)


async def test_process_nested_value_is_an_error(tmp_path: Path) -> None:
    env = make_env(tmp_path, "[default]\ncredential_process =\n  a = b\n")
    with pytest.raises(CredentialsError, match="not a nested section"):
        await ProcessCredentialsProvider("default", ProfileLoader(env)).load()


async def test_process_timeout_kills_the_child(tmp_path: Path) -> None:
    command = printing_process(tmp_path, stdout=process_json(), sleep=30)
    provider = ProcessCredentialsProvider(
        "default", ProfileLoader(process_env(tmp_path, command)), timeout=0.5
    )
    started = time.monotonic()
    with pytest.raises(CredentialsError, match=r"did not finish within 0.5s"):
        await provider.load()
    assert time.monotonic() - started < 10
    assert_process_gone(int((tmp_path / "pid").read_text()))


async def test_cancelling_a_load_kills_the_child(tmp_path: Path) -> None:
    command = printing_process(tmp_path, stdout=process_json(), sleep=30)
    provider = ProcessCredentialsProvider("default", ProfileLoader(process_env(tmp_path, command)))
    task = asyncio.create_task(provider.load())
    pid_file = tmp_path / "pid"
    for _ in range(500):
        if pid_file.exists() and pid_file.read_text():
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert_process_gone(int(pid_file.read_text()))


def assert_process_gone(pid: int) -> None:
    # The child was killed and reaped: the pid no longer exists.
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_process_timeout_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ProcessCredentialsProvider("default", ProfileLoader({}), timeout=0)


# --- the default chain ------------------------------------------------------------------

ENV_CREDS = {"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": SECRET}


def chain_files(tmp_path: Path, *, shared: bool, process: bool, config: bool) -> dict[str, str]:
    command, _ = counting_process(tmp_path)
    config_text = "[default]\nregion = us-east-1\n"
    if process:
        config_text += f"credential_process = {command}\n"
    if config:
        config_text += f"aws_access_key_id = AKIDCONFIG\naws_secret_access_key = {SECRET}\n"
    credentials_text = (
        f"[default]\naws_access_key_id = AKIDSHARED\naws_secret_access_key = {SECRET}\n"
        if shared
        else None
    )
    return make_env(tmp_path, config_text, credentials_text)


@pytest.mark.parametrize(
    ("env_vars", "shared", "process", "config", "expected"),
    [
        (True, True, True, True, "AKIDENV"),
        (False, True, True, True, "AKIDSHARED"),
        (False, False, True, True, "AKIDPROC1"),  # botocore: process before config file
        (False, False, False, True, "AKIDCONFIG"),
    ],
)
async def test_chain_order(
    tmp_path: Path, env_vars: bool, shared: bool, process: bool, config: bool, expected: str
) -> None:
    env = chain_files(tmp_path, shared=shared, process=process, config=config)
    if env_vars:
        env.update(ENV_CREDS)
    chain = DefaultCredentialChain(None, ProfileLoader(env), env)
    assert (await chain.resolve()).access_key_id == expected


async def test_explicit_profile_skips_environment_credentials(tmp_path: Path) -> None:
    env = make_env(
        tmp_path,
        credentials=f"[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = {SECRET}\n",
        **ENV_CREDS,
    )
    explicit = DefaultCredentialChain("dev", ProfileLoader(env), env)
    assert (await explicit.resolve()).access_key_id == "AKIDDEV"
    # A profile named by AWS_PROFILE does not: environment credentials still win.
    env_named = {**env, "AWS_PROFILE": "dev"}
    assert (
        await DefaultCredentialChain(None, ProfileLoader(env_named), env_named).resolve()
    ).access_key_id == "AKIDENV"
    del env_named["AWS_ACCESS_KEY_ID"]
    assert (
        await DefaultCredentialChain(None, ProfileLoader(env_named), env_named).resolve()
    ).access_key_id == "AKIDDEV"


async def test_chain_finds_nothing(tmp_path: Path) -> None:
    env = make_env(tmp_path, "[default]\nregion = us-east-1\n")
    chain = DefaultCredentialChain(None, ProfileLoader(env), env)
    with pytest.raises(CredentialsError) as info:
        await chain.resolve()
    message = str(info.value)
    assert message.startswith("Unable to locate credentials for profile 'default': tried ")
    assert "environment variables (AWS_ACCESS_KEY_ID not set)" in message
    assert f"shared credentials file ({tmp_path / 'credentials'}: not found)" in message
    assert "credential_process (not set in profile 'default')" in message
    assert f"config file ({tmp_path / 'config'}: no aws_access_key_id in profile 'default')" in (
        message
    )
    # The sources botocore adds around those, in its order.
    for described in (
        "assume role (no role_arn in profile 'default')",
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set, no web_identity_token_file in "
        "profile 'default')",
        "SSO (no sso_account_id or sso_role_name in profile 'default')",
        "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
        "AWS_CONTAINER_CREDENTIALS_FULL_URI not set)",
        "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)",
    ):
        assert described in message
    order = [
        "environment variables",
        "assume role",
        "web identity",
        "SSO",
        "shared credentials file",
        "credential_process",
        "config file (",
        "container credentials",
        "EC2 instance metadata",
    ]
    positions = [message.index(name) for name in order]
    assert positions == sorted(positions)


async def test_chain_names_a_missing_profile(tmp_path: Path) -> None:
    env = make_env(tmp_path, "[default]\nregion = us-east-1\n", AWS_PROFILE="ghost")
    with pytest.raises(CredentialsError, match="profile 'ghost' is in neither file"):
        await DefaultCredentialChain(None, ProfileLoader(env), env).resolve()


async def test_broken_source_stops_the_chain(tmp_path: Path) -> None:
    env = chain_files(tmp_path, shared=False, process=False, config=True)
    (tmp_path / "credentials").write_text("[default]\naws_access_key_id = AKIDPARTIAL\n")
    with pytest.raises(CredentialsError, match="Partial credentials") as info:
        await DefaultCredentialChain(None, ProfileLoader(env), env).resolve()
    assert SECRET not in full_text(info.value)


async def test_chain_reads_files_once_and_caches(tmp_path: Path) -> None:
    command, counter = counting_process(tmp_path)
    env = make_env(tmp_path, f"[default]\ncredential_process = {command}\n")
    loader = ProfileLoader(env)
    chain = DefaultCredentialChain(None, loader, env)
    results = await asyncio.gather(*(chain.resolve() for _ in range(20)))
    assert {r.access_key_id for r in results} == {"AKIDPROC1"}
    assert await chain.resolve() is results[0]
    assert counter.read_text() == "1"


async def test_chain_refreshes_from_the_source_it_found(tmp_path: Path) -> None:
    env = make_env(tmp_path, **ENV_CREDS, AWS_CREDENTIAL_EXPIRATION=iso(T0 + 3600))
    chain = DefaultCredentialChain(None, ProfileLoader(env), env)
    clock = FakeClock()
    chain._clock = clock
    assert (await chain.resolve()).access_key_id == "AKIDENV"
    # The environment changes (e.g. a wrapper rotated the keys); at refresh time the
    # chain asks the environment again.
    env.update(AWS_ACCESS_KEY_ID="AKIDROTATED", AWS_CREDENTIAL_EXPIRATION=iso(T0 + 7200))
    assert (await chain.resolve()).access_key_id == "AKIDENV"
    clock.now = T0 + 3600 - MANDATORY_REFRESH_SECONDS
    assert (await chain.resolve()).access_key_id == "AKIDROTATED"


async def test_chain_logs_no_secrets(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    env = chain_files(tmp_path, shared=True, process=False, config=False)
    caplog.set_level(logging.DEBUG, logger="aioapigateway")
    found = await DefaultCredentialChain(None, ProfileLoader(env), env).resolve()
    assert found.secret_access_key == SECRET
    assert "shared-credentials-file" in caplog.text
    assert SECRET not in caplog.text


def test_chain_rejects_a_bad_profile() -> None:
    with pytest.raises(ConfigError):
        DefaultCredentialChain("", ProfileLoader({}))


# --- refreshing -------------------------------------------------------------------------


class Fetcher:
    """A fetch function that counts calls and returns what it is told to."""

    def __init__(self, *results: Credentials | BaseException, delay: float = 0.0) -> None:
        self.results = list(results)
        self.calls = 0
        self.delay = delay

    async def __call__(self) -> Credentials:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        result = self.results[min(self.calls, len(self.results)) - 1]
        if isinstance(result, BaseException):
            raise result
        return result


def refreshing(fetcher: Fetcher, clock: FakeClock) -> RefreshingCredentialProvider:
    return RefreshingCredentialProvider(fetcher, name="test source", clock=clock)


async def test_credentials_without_expiration_are_fetched_once() -> None:
    fetcher = Fetcher(creds())
    provider = refreshing(fetcher, FakeClock())
    for _ in range(5):
        assert await provider.resolve() == creds()
    assert fetcher.calls == 1


async def test_fast_path_reads_the_clock_once_and_never_suspends() -> None:
    clock = FakeClock()
    provider = refreshing(Fetcher(creds(expires_at=T0 + 3600)), clock)
    first = await provider.resolve()
    clock.calls = 0
    coroutine = provider.resolve()
    # Completing on the first send() proves the coroutine awaited nothing.
    with pytest.raises(StopIteration) as done:
        coroutine.send(None)
    assert done.value.value is first
    assert clock.calls == 1


async def test_1000_concurrent_resolves_at_expiry_refresh_once() -> None:
    clock = FakeClock()
    fetcher = Fetcher(creds("OLD", T0 + 3600), creds("NEW", T0 + 7200), delay=0.01)
    provider = refreshing(fetcher, clock)
    assert (await provider.resolve()).access_key_id == "OLD"
    clock.now = T0 + 3600 - 60  # inside the mandatory window
    results = await asyncio.gather(*(provider.resolve() for _ in range(1000)))
    assert fetcher.calls == 2
    assert {r.access_key_id for r in results} == {"NEW"}


async def test_1000_concurrent_first_resolves_fetch_once() -> None:
    fetcher = Fetcher(creds(), delay=0.01)
    provider = refreshing(fetcher, FakeClock())
    results = await asyncio.gather(*(provider.resolve() for _ in range(1000)))
    assert fetcher.calls == 1 and all(r is results[0] for r in results)


async def test_1000_concurrent_failures_fetch_once() -> None:
    fetcher = Fetcher(CredentialsError("nope"), delay=0.01)
    provider = refreshing(fetcher, FakeClock())
    results = await asyncio.gather(
        *(provider.resolve() for _ in range(1000)), return_exceptions=True
    )
    assert fetcher.calls == 1
    assert all(isinstance(r, CredentialsError) for r in results)


async def test_advisory_refresh_does_not_block_other_callers() -> None:
    clock = FakeClock()
    gate = asyncio.Event()
    old, new = creds("OLD", T0 + 3600), creds("NEW", T0 + 7200)
    calls = 0

    async def fetch() -> Credentials:
        nonlocal calls
        calls += 1
        if calls == 1:
            return old
        await gate.wait()
        return new

    provider = RefreshingCredentialProvider(fetch, name="gated", clock=clock)
    await provider.resolve()
    clock.now = T0 + 3600 - ADVISORY_REFRESH_SECONDS + 1  # advisory, not mandatory
    refresher = asyncio.create_task(provider.resolve())
    await asyncio.sleep(0)  # the refresher starts the fetch and waits on the gate
    others = await asyncio.gather(*(provider.resolve() for _ in range(10)))
    assert all(o is old for o in others) and not refresher.done()
    gate.set()
    assert await refresher is new
    assert calls == 2


async def test_advisory_failure_keeps_serving_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    old = creds("OLD", T0 + 3600)
    fetcher = Fetcher(old, CredentialsError("refresh broke"), creds("NEW", T0 + 7200))
    provider = refreshing(fetcher, clock)
    await provider.resolve()
    clock.now = T0 + 3600 - ADVISORY_REFRESH_SECONDS + 1
    with caplog.at_level(logging.WARNING, logger="aioapigateway.credentials"):
        assert await provider.resolve() is old
    assert "refresh broke" in caplog.text and "advisory" in caplog.text
    assert SECRET not in caplog.text
    # Within the backoff nobody retries; the current credentials keep being served.
    assert await provider.resolve() is old
    assert fetcher.calls == 2
    clock.now += 2  # past the first backoff (1 s)
    assert (await provider.resolve()).access_key_id == "NEW"
    assert fetcher.calls == 3


async def test_mandatory_failure_raises() -> None:
    clock = FakeClock()
    fetcher = Fetcher(creds("OLD", T0 + 3600), CredentialsError("refresh broke"))
    provider = refreshing(fetcher, clock)
    await provider.resolve()
    clock.now = T0 + 3600 - MANDATORY_REFRESH_SECONDS + 1
    with pytest.raises(CredentialsError, match="refresh broke"):
        await provider.resolve()


async def test_errors_are_retried_after_a_growing_backoff() -> None:
    clock = FakeClock()
    fetcher = Fetcher(
        CredentialsError("first"), CredentialsError("second"), CredentialsError("third"), creds()
    )
    provider = refreshing(fetcher, clock)
    with pytest.raises(CredentialsError, match="first"):
        await provider.resolve()
    # Inside the 1 s backoff: the remembered error, without calling fetch.
    with pytest.raises(
        CredentialsError, match=r"first \[failed 1 time\(s\) in a row; next attempt in 1.0s\]"
    ) as info:
        await provider.resolve()
    assert isinstance(info.value.__cause__, CredentialsError)
    assert fetcher.calls == 1
    clock.now += 1
    with pytest.raises(CredentialsError, match="second"):
        await provider.resolve()
    clock.now += 1.5  # the backoff doubled to 2 s
    with pytest.raises(CredentialsError, match=r"next attempt in 0\.5s"):
        await provider.resolve()
    clock.now += 0.5
    with pytest.raises(CredentialsError, match="third"):
        await provider.resolve()
    clock.now += 4
    assert await provider.resolve() == creds()
    assert fetcher.calls == 4


async def test_backoff_is_capped() -> None:
    clock = FakeClock()
    provider = refreshing(Fetcher(CredentialsError("down")), clock)
    for _ in range(10):
        with pytest.raises(CredentialsError):
            await provider.resolve()
        clock.now += 10
    assert provider._failures == 10  # every attempt past the capped 10 s backoff ran


async def test_unexpected_fetch_errors_are_wrapped() -> None:
    provider = refreshing(Fetcher(KeyError(SECRET)), FakeClock())
    with pytest.raises(
        CredentialsError, match="Fetching credentials from test source failed: KeyError"
    ) as info:
        await provider.resolve()
    assert isinstance(info.value.__cause__, KeyError)
    assert SECRET not in str(info.value)


async def test_config_errors_pass_through() -> None:
    provider = refreshing(Fetcher(ConfigError("bad file")), FakeClock())
    with pytest.raises(ConfigError, match="bad file"):
        await provider.resolve()
    with pytest.raises(ConfigError, match="next attempt"):
        await provider.resolve()


async def test_fetch_must_return_credentials() -> None:
    async def fetch() -> Credentials:
        return ("AKID", SECRET)  # type: ignore[return-value]

    provider = RefreshingCredentialProvider(fetch, name="tuple source", clock=FakeClock())
    with pytest.raises(CredentialsError, match="returned tuple, not Credentials") as info:
        await provider.resolve()
    assert SECRET not in str(info.value)


async def test_already_expired_credentials_are_an_error() -> None:
    provider = refreshing(Fetcher(creds(expires_at=T0 - 1)), FakeClock())
    with pytest.raises(CredentialsError, match="already expired"):
        await provider.resolve()


async def test_short_lived_credentials_are_not_refetched_on_every_call() -> None:
    clock = FakeClock()
    fetcher = Fetcher(creds("A", T0 + 300), creds("B", T0 + 360))
    provider = refreshing(fetcher, clock)
    assert (await provider.resolve()).access_key_id == "A"
    clock.now += 30
    assert (await provider.resolve()).access_key_id == "A"  # no refetch within 60 s
    clock.now += 31
    assert (await provider.resolve()).access_key_id == "B"
    assert fetcher.calls == 2


async def test_cancelled_waiter_does_not_cancel_the_refresh() -> None:
    fetcher = Fetcher(creds(), delay=0.05)
    provider = refreshing(fetcher, FakeClock())
    first = asyncio.create_task(provider.resolve())
    second = asyncio.create_task(provider.resolve())
    await asyncio.sleep(0.01)
    first.cancel()
    assert await second == creds()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert fetcher.calls == 1


async def test_failure_with_every_waiter_cancelled_is_not_logged_as_unretrieved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = refreshing(Fetcher(CredentialsError("x"), delay=0.02), FakeClock())
    waiter = asyncio.create_task(provider.resolve())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0.05)
    gc.collect()  # an unretrieved task exception is reported when the task is collected
    assert "never retrieved" not in caplog.text


async def test_invalidate_forces_a_refetch() -> None:
    fetcher = Fetcher(creds("A"), creds("B"))
    provider = refreshing(fetcher, FakeClock())
    assert (await provider.resolve()).access_key_id == "A"
    provider.invalidate()
    assert (await provider.resolve()).access_key_id == "B"


def test_refresh_windows_are_validated() -> None:
    with pytest.raises(ConfigError):
        RefreshingCredentialProvider(
            Fetcher(creds()), name="x", advisory_timeout=1, mandatory_timeout=2
        )


# --- StaticProvider, as_provider, reprs ---------------------------------------------------------


async def test_as_provider() -> None:
    loader = ProfileLoader({})
    chain = as_provider(None, profile="dev", loader=loader, environ={})
    assert isinstance(chain, DefaultCredentialChain)
    static = as_provider(creds(), profile=None, loader=loader)
    assert isinstance(static, StaticProvider) and await static.resolve() == creds()

    class Custom:
        async def resolve(self) -> Credentials:
            return creds("CUSTOM")

    custom = Custom()
    assert as_provider(custom, profile=None, loader=loader) is custom
    assert isinstance(custom, CredentialProvider)


@pytest.mark.parametrize(
    "bad",
    [("AKID", SECRET), SECRET, {"aws_secret_access_key": SECRET}, StaticProvider, object()],
    ids=["tuple", "str", "dict", "class", "object"],
)
def test_as_provider_rejects_other_types(bad: Any) -> None:
    with pytest.raises(ConfigError, match="credentials must be a Credentials") as info:
        as_provider(bad, profile=None, loader=ProfileLoader({}))
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    "bad",
    [Credentials("", SECRET), Credentials("AKID", ""), ("AKID", SECRET)],
    ids=["no key", "no secret", "tuple"],
)
def test_static_provider_validates(bad: Any) -> None:
    with pytest.raises(ConfigError) as info:
        StaticProvider(bad)
    assert SECRET not in str(info.value)


async def test_reprs_hold_no_secrets(tmp_path: Path) -> None:
    env = chain_files(tmp_path, shared=True, process=False, config=False)
    env.update(ENV_CREDS, AWS_SESSION_TOKEN=TOKEN)
    loader = ProfileLoader(env)
    chain = DefaultCredentialChain(None, loader, env)
    found = await chain.resolve()
    objects = [
        found,
        chain,
        loader,
        await loader.load(),
        StaticProvider(creds()),
        EnvironmentCredentialsProvider(env),
        SharedCredentialsFileProvider("default", loader),
        ProcessCredentialsProvider("default", loader),
        refreshing(Fetcher(creds()), FakeClock()),
        ClientConfig(),
    ]
    for obj in objects:
        assert SECRET not in repr(obj) and TOKEN not in repr(obj), type(obj)


# --- construction does no I/O ----------------------------------------------------------------


@pytest.fixture
def no_io(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("I/O during construction")

    with monkeypatch.context() as patch:
        for target, name in [
            (builtins, "open"),
            (io, "open"),
            (os, "stat"),
            (os, "open"),
            (os, "listdir"),
            (os.path, "isfile"),
            (os.path, "exists"),
            (os.path, "expanduser"),
            (subprocess, "Popen"),
            (asyncio, "create_subprocess_exec"),
            (asyncio, "to_thread"),
        ]:
            patch.setattr(target, name, forbidden)
        yield


def test_construction_does_no_io(no_io: None) -> None:
    env = {"AWS_CONFIG_FILE": "/nonexistent/config", "AWS_PROFILE": "dev"}
    loader = ProfileLoader(env)
    ProfileLoader()
    ClientConfig(max_attempts=5, ca_bundle="/some/bundle.pem")
    DefaultCredentialChain(None, loader, env)
    DefaultCredentialChain("dev", ProfileLoader())
    as_provider(None, profile=None, loader=loader)
    as_provider(creds(), profile=None, loader=loader)
    EnvironmentCredentialsProvider()
    SharedCredentialsFileProvider("dev", loader)
    ConfigFileCredentialsProvider("dev", loader)
    ProcessCredentialsProvider("dev", loader, timeout=5)
    RefreshingCredentialProvider(Fetcher(creds()), name="x")


# --- credentials that cannot be sent --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"access_key_id": "AKID\udc80"}, "access_key_id contains a lone surrogate"),
        ({"secret_access_key": SECRET + "\udc80"}, "secret_access_key contains a lone surrogate"),
        ({"session_token": TOKEN + "\ud800"}, "session_token contains a lone surrogate"),
        ({"access_key_id": "AKID\r\nX-Evil: 1"}, "access_key_id contains a control character"),
        ({"session_token": TOKEN + "\n"}, "session_token contains a control character"),
    ],
)
def test_credentials_that_cannot_be_sent_are_refused_without_showing_them(
    kwargs: dict[str, str], message: str
) -> None:
    values = {"access_key_id": "AKID", "secret_access_key": SECRET, "session_token": TOKEN}
    values.update(kwargs)
    with pytest.raises(CredentialsError, match=message) as info:
        Credentials(**values)
    text = str(info.value) + "".join(traceback.format_exception(info.value))
    assert SECRET not in text and TOKEN not in text


def test_valid_credentials_are_accepted_as_given() -> None:
    # A tab or any other character is fine in the secret: it is hashed, never sent.
    credentials = Credentials("AKID", SECRET + "\té", TOKEN)
    assert credentials.secret_access_key == SECRET + "\té"


async def test_the_environment_provider_refuses_keys_with_invalid_utf8() -> None:
    environ = {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": SECRET + "\udcff"}
    with pytest.raises(CredentialsError, match="secret_access_key contains a lone surrogate"):
        await EnvironmentCredentialsProvider(environ).resolve()


def test_redact_secrets_replaces_before_it_cuts() -> None:
    from aioapigateway.runtime.redact import redact_secrets

    text = "x" * 495 + TOKEN
    assert redact_secrets(text, [TOKEN], limit=500) == "x" * 495 + "<reda..."
    assert redact_secrets("token " + TOKEN, ["", TOKEN]) == "token <redacted>"
    assert TOKEN[:5] not in redact_secrets(text, [TOKEN], limit=500)
