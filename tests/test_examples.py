"""Every example in ``examples/`` runs against a local API Gateway (moto).

The command-line examples run as subprocesses, as a user would run them, with credentials
from the environment and no AWS config file. ``web_backend.py`` is imported and its
``make_app(...)`` served on loopback with aiohttp's test utilities (plus one run of its command
line); the error mapping of its middleware is driven by ``aioapigateway.testing.Stubber``.
``call_iam_api.py`` runs in ``test_sigv4_auth.py``, against its signature-checking server.

The README's code blocks marked ``<!-- complete example: NAME ... -->`` are complete programs:
with the examples they must pass ``mypy --strict``, and they run here too (the quickstart
against moto, the Stubber test module under pytest without this project's configuration).
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import importlib.util
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _json_strict import assert_json_equal
from _moto import free_port
from aiohttp.test_utils import TestClient, TestServer

from aioapigateway import ApiGatewayClient, ClientConfig, Credentials, errors, models
from aioapigateway.testing import Stubber

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
README = ROOT / "README.md"
TIMEOUT = 60

#: Every example and the test that runs it (``file::function`` in tests/); a new example
#: needs a test.
COVERED = {
    "quickstart.py": "test_examples.py::test_quickstart",
    "pagination_and_errors.py": "test_examples.py::test_pagination_and_errors",
    "web_backend.py": "test_examples.py::test_web_backend_endpoints",
    "run_demo.py": "test_examples.py::test_run_demo",
    "call_iam_api.py": "test_sigv4_auth.py::test_call_iam_api_example",
    "websocket_broadcast.py": "test_example_websocket.py::test_broadcast_through_moto",
}

#: A README code block that is a complete program: the marker line, then the fenced block.
_COMPLETE_BLOCK = re.compile(
    r"^<!-- complete example: (?P<name>[\w-]+)[^\n]*-->\n```python\n(?P<code>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)


def readme_examples() -> dict[str, str]:
    """The README's complete code blocks by name."""
    blocks: dict[str, str] = {}
    for match in _COMPLETE_BLOCK.finditer(README.read_text(encoding="utf-8")):
        assert match["name"] not in blocks, f"two README examples named {match['name']}"
        blocks[match["name"]] = match["code"]
    return blocks


def example_env() -> dict[str, str]:
    """The environment of a user with credentials in variables and no AWS config files."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def run_example(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        env=example_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _test_functions(test_file: str) -> set[str]:
    tree = ast.parse((ROOT / "tests" / test_file).read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_every_example_is_run() -> None:
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(COVERED)
    for example, test in COVERED.items():
        test_file, _, function = test.partition("::")
        assert function in _test_functions(test_file), f"{example}: no test {test}"


# -- the README's complete examples -------------------------------------------------------------


def test_examples_and_complete_readme_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    blocks = readme_examples()
    assert {"quickstart", "stubber"} <= set(blocks)
    files = [str(path) for path in sorted(EXAMPLES.glob("*.py"))]
    for name, code in blocks.items():
        path = tmp_path / f"readme_{name.replace('-', '_')}.py"
        path.write_text(code, encoding="utf-8")
        files.append(str(path))
    # src for the package's types, tests for run_demo.py's import of _moto.
    env = {**os.environ, "MYPYPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")])}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 3,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def test_readme_quickstart_runs(moto_url: str, tmp_path: Path) -> None:
    script = tmp_path / "readme_quickstart.py"
    script.write_text(readme_examples()["quickstart"], encoding="utf-8")
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(script)],
        env={**example_env(), "AWS_ENDPOINT_URL": moto_url},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    api_id = lines[0].split()[0]
    assert lines[0] == f"{api_id} ['/']"
    assert lines[1].startswith("pets ")
    assert lines[-1].startswith("NotFoundException 404 ")
    assert lines[-1].endswith(" Invalid Rest API Id specified")
    # The snippet cleans up after itself.
    async with ApiGatewayClient(
        region="us-east-1", endpoint_url=moto_url, credentials=Credentials("testing", "testing")
    ) as client:
        assert (await client.get_rest_apis()).items == []


def test_readme_stubber_test_runs_under_plain_pytest(tmp_path: Path) -> None:
    """The README's Stubber test, in a project with no pytest settings (asyncio strict mode)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_readme_stubber.py").write_text(readme_examples()["stubber"], encoding="utf-8")
    # Only pytest-asyncio among the installed plugins, as in a user's project with it.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "asyncio", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, "-W", "error"],
        env={**example_env(), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


# -- command-line examples ------------------------------------------------------------------------


def test_quickstart(moto_url: str) -> None:
    lines = run_example("quickstart.py", "--endpoint-url", moto_url).stdout.splitlines()
    assert lines[0].startswith("-> created REST API 'pets-demo' (id ")
    assert "-> listed 1 REST API(s) page by page: ['pets-demo']" in lines
    assert lines[-1] == "-> it is gone: NotFoundException (404): Invalid Rest API Id specified"


def test_pagination_and_errors(moto_url: str) -> None:
    out = run_example("pagination_and_errors.py", "--endpoint-url", moto_url, "--count", "4")
    lines = out.stdout.splitlines()
    assert lines[0] == (
        "-> created 4 REST APIs: ['pagination-demo-0', 'pagination-demo-1', "
        "'pagination-demo-2', 'pagination-demo-3']"
    )
    assert "-> .items() yielded 4 of ours" in lines
    assert "-> paged by hand: 4 of ours" in lines
    assert any(
        line.startswith("-> NotFoundException: code=NotFoundException status=404") for line in lines
    )
    assert (
        "-> ParamValidationError (nothing sent): GetRestApi: invalid parameter rest_api_id: "
        "a URI label cannot be empty" in lines
    )
    assert lines[-1] == "-> deleted 4 REST APIs, 0 failed"


def test_run_demo() -> None:
    """``make demo``'s script: starts its own moto, runs the quickstart, stops moto."""
    out = run_example("run_demo.py").stdout
    assert "local API Gateway (moto) listening on http://127.0.0.1:" in out
    assert "-> it is gone: NotFoundException (404)" in out
    assert out.rstrip().endswith("local API Gateway stopped")


# -- the web backend ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web_backend() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("web_backend", EXAMPLES / "web_backend.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["web_backend"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["web_backend"]


@pytest.fixture
async def backend(
    web_backend: ModuleType, moto_url: str
) -> AsyncIterator[tuple[TestClient[Any, Any], Any]]:
    app = web_backend.make_app(
        endpoint_url=moto_url,
        region="us-east-1",
        credentials=Credentials("testing", "testing"),
        max_concurrency=2,
    )
    async with TestClient(TestServer(app, host="127.0.0.1")) as http:
        yield http, app


async def test_web_backend_endpoints(
    backend: tuple[TestClient[Any, Any], Any], web_backend: ModuleType
) -> None:
    http, app = backend
    client = app[web_backend.CLIENT]
    # One client, using the application's session.
    assert client._session is app[web_backend.SESSION]

    response = await http.get("/apis")
    assert response.status == 200
    assert_json_equal(await response.json(), {"items": [], "position": None})

    response = await http.post(
        "/apis", json={"name": "pets", "description": "Pets API", "tags": {"team": "a"}}
    )
    assert response.status == 201
    created = await response.json()
    assert created["name"] == "pets"
    assert created["description"] == "Pets API"
    assert_json_equal(created["endpointTypes"], ["REGIONAL"])
    assert_json_equal(created["tags"], {"team": "a"})
    assert response.headers["Location"] == f"/apis/{created['id']}"

    response = await http.get(f"/apis/{created['id']}")
    assert response.status == 200
    assert (await response.json())["id"] == created["id"]

    response = await http.get("/apis/no-such-api")
    assert response.status == 404
    assert_json_equal(
        await response.json(),
        {"error": "NotFoundException", "message": "Invalid Rest API Id specified"},
    )

    for index in range(4):
        response = await http.post("/apis", json={"name": f"api-{index}", "endpointType": "EDGE"})
        assert response.status == 201
    response = await http.get("/apis", params={"all": "true", "limit": "2"})
    assert sorted(item["name"] for item in (await response.json())["items"]) == [
        "api-0",
        "api-1",
        "api-2",
        "api-3",
        "pets",
    ]
    response = await http.get("/apis", params={"limit": "5"})
    assert len((await response.json())["items"]) == 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the body must be a JSON object"),
        (b"[]", 'the body needs a non-empty "name"'),
        (b'{"name": ""}', 'the body needs a non-empty "name"'),
        (b'{"name": "x", "endpointType": "MOON"}', "endpointType must be one of"),
        (b'{"name": "x", "description": 5}', "invalid parameter description: expected str"),
        (b'{"name": "x", "tags": ["a"]}', "invalid parameter tags: expected dict"),
    ],
)
async def test_web_backend_rejects_bad_input(
    backend: tuple[TestClient[Any, Any], Any], body: bytes, message: str
) -> None:
    http, _ = backend
    response = await http.post("/apis", data=body)
    assert response.status == 400
    assert message in (await response.json())["message"]
    response = await http.get("/apis", params={"limit": "many"})
    assert response.status == 400


async def test_web_backend_stages_with_bounded_concurrency(
    backend: tuple[TestClient[Any, Any], Any], web_backend: ModuleType, moto_url: str
) -> None:
    http, app = backend
    async with ApiGatewayClient(
        region="us-east-1", endpoint_url=moto_url, credentials=Credentials("testing", "testing")
    ) as setup:
        expected: dict[str, list[str]] = {}
        for index in range(5):
            api = await setup.create_rest_api(name=f"staged-{index}")
            assert api.id is not None
            expected[api.id] = []
            if index % 2 == 0:
                # A deployment needs at least one method.
                resources = await setup.get_resources(rest_api_id=api.id)
                root = (resources.items or [])[0]
                assert root.id is not None
                await setup.put_method(
                    rest_api_id=api.id,
                    resource_id=root.id,
                    http_method="GET",
                    authorization_type="NONE",
                )
                await setup.put_integration(
                    rest_api_id=api.id,
                    resource_id=root.id,
                    http_method="GET",
                    type=models.IntegrationType.MOCK,
                )
                await setup.create_deployment(rest_api_id=api.id, stage_name=f"s{index}")
                expected[api.id] = [f"s{index}"]

    # Watch how many get_stages calls the handler has in flight at once.
    client = app[web_backend.CLIENT]
    real_get_stages = client.get_stages
    in_flight = peak = calls = 0

    async def get_stages(**kwargs: Any) -> models.Stages:
        nonlocal in_flight, peak, calls
        in_flight += 1
        calls += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.02)
            return await real_get_stages(**kwargs)
        finally:
            in_flight -= 1

    client.get_stages = get_stages
    try:
        response = await http.get("/stages")
    finally:
        del client.get_stages
    assert response.status == 200
    stages = await response.json()
    assert {api_id: [s["stageName"] for s in items] for api_id, items in stages.items()} == expected
    assert calls == 5
    assert peak == 2  # max_concurrency


async def test_web_backend_error_mapping(
    backend: tuple[TestClient[Any, Any], Any], web_backend: ModuleType
) -> None:
    """Errors moto does not produce, queued with the Stubber on the application's client."""
    http, app = backend
    async with Stubber(app[web_backend.CLIENT]) as stubber:
        stubber.add_client_error(
            "get_rest_api", "TooManyRequestsException", "slow", members={"retry_after_seconds": "7"}
        )
        stubber.add_client_error("get_rest_api", "ConflictException", "busy")
        stubber.add_client_error("get_rest_api", "BadRequestException", "no")
        stubber.add_client_error("get_rest_api", "InternalFailure", "oops", status_code=500)
        stubber.add_client_error("get_rest_api", "UnauthorizedException", "who?")
        stubber.add_response("get_rest_apis", models.RestApis(items=[], position="next-page"))
        expected = [
            (429, "TooManyRequestsException"),
            (409, "ConflictException"),
            (400, "BadRequestException"),
            (502, "InternalFailure"),
            (502, "UnauthorizedException"),
        ]
        for status, code in expected:
            response = await http.get("/apis/abc")
            assert (response.status, (await response.json())["error"]) == (status, code)
            if status == 429:
                assert response.headers["Retry-After"] == "7"
        response = await http.get("/apis", params={"position": "p1"})
        assert_json_equal(await response.json(), {"items": [], "position": "next-page"})


async def test_web_backend_unreachable_service(web_backend: ModuleType) -> None:
    app = web_backend.make_app(
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region="us-east-1",
        credentials=Credentials("testing", "testing"),
        config=ClientConfig(max_attempts=1, connect_timeout=2.0),
    )
    async with TestClient(TestServer(app, host="127.0.0.1")) as http:
        response = await http.get("/apis")
        assert response.status == 503
        assert (await response.json())["error"] == "Unavailable"
        client = app[web_backend.CLIENT]
        session = app[web_backend.SESSION]
    # On shutdown the client is closed, then the application's session.
    assert client._closed
    assert session.closed


def test_web_backend_command_line(moto_url: str) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(EXAMPLES / "web_backend.py"),
            "--endpoint-url",
            moto_url,
            "--region",
            "us-east-1",
            "--port",
            str(port),
        ],
        env=example_env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/apis", timeout=2) as reply:
                    body = reply.read()
                    break
            except (urllib.error.URLError, OSError):
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.1)
        assert body == b'{"items": [], "position": null}'
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def _public_names_used(source: str) -> list[tuple[object, str]]:
    """(namespace, name) for every ``from aioapigateway... import name``, ``errors.name`` and
    ``models.name`` in ``source`` (``errors`` and ``models`` as the source imports them, else
    the root package's)."""
    tree = ast.parse(source)
    used: list[tuple[object, str]] = []
    namespaces: dict[str, object] = {"errors": errors, "models": models}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aioapigateway"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                used.append((module, alias.name))
                if alias.name in ("errors", "models") and hasattr(module, alias.name):
                    namespaces[alias.asname or alias.name] = getattr(module, alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            namespace = namespaces.get(node.value.id)
            if namespace is not None:
                used.append((namespace, node.attr))
    return used


def test_examples_use_only_the_public_api() -> None:
    sources = {path.name: path.read_text(encoding="utf-8") for path in EXAMPLES.glob("*.py")}
    sources.update({f"README {name}": code for name, code in readme_examples().items()})
    for name, source in sources.items():
        assert "aioapigateway._" not in source, name
        used = _public_names_used(source)
        missing = [
            f"{getattr(ns, '__name__', ns)}.{attr}" for ns, attr in used if not hasattr(ns, attr)
        ]
        assert not missing, f"{name} uses names that do not exist: {missing}"
