"""Generated input annotations: enums as ``models.X | Literal[...]``, timestamps as anything
the runtime accepts; outputs keep ``models.X | str``. Checked by running mypy --strict on a
small file: each line marked ``# error`` must be rejected, every other line accepted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from aioapigateway.runtime.serialize import RequestSerializer

ROOT = Path(__file__).resolve().parent.parent

TYPED = """\
from __future__ import annotations

import datetime

from aioapigateway import ApiGatewayClient, models
from golden_service import GoldenServiceClient
from golden_service import models as golden_models


async def calls(client: ApiGatewayClient, golden: GoldenServiceClient) -> None:
    await client.create_rest_api(name="n", api_key_source="HEADER")
    await client.create_rest_api(name="n", api_key_source=models.ApiKeySourceType.AUTHORIZER)
    await client.create_rest_api(name="n", api_key_source="HEADERS")  # error
    await client.create_rest_api(name="n", api_key_source=models.ConnectionType.INTERNET)  # error
    await client.create_rest_api(name="n", api_key_source="header")  # error
    await golden.put_thing(thing_id="t", key="k", name="n", mode="a-b")
    await golden.put_thing(thing_id="t", key="k", name="n", mode="A_B")  # error
    await golden.put_thing(thing_id="t", key="k", name="n", since="2020-01-02T03:04:05Z")
    await golden.put_thing(thing_id="t", key="k", name="n", since=1577934245)
    await golden.put_thing(thing_id="t", key="k", name="n", since=1577934245.5)
    await golden.put_thing(
        thing_id="t", key="k", name="n", since=datetime.datetime.now(datetime.UTC)
    )
    await golden.put_thing(thing_id="t", key="k", name="n", since=b"2020")  # error
    await golden.put_thing(thing_id="t", key="k", name="n", mode=golden_models.Mode.LOWER)


def outputs() -> None:
    # What the service sends may be newer than the model: any str.
    models.RestApi(api_key_source="A_FUTURE_SOURCE")
    models.Authorizer(type="A_FUTURE_TYPE")
    # An input-only model class takes the literals too.
    models.CreateAuthorizerRequest(rest_api_id="a", name="n", type="TOKEN")
    models.CreateAuthorizerRequest(rest_api_id="a", name="n", type="TOKENS")  # error
"""


def _expected_error_lines(source: str) -> set[int]:
    return {n for n, line in enumerate(source.splitlines(), 1) if line.endswith("# error")}


def test_mypy_rejects_wrong_enum_values_and_accepts_right_ones(tmp_path: Path) -> None:
    path = tmp_path / "typed_calls.py"
    path.write_text(TYPED, encoding="utf-8")
    env = {
        **os.environ,
        "MYPYPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests" / "golden")]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    errors = {
        int(match.group(1)) for match in re.finditer(r"typed_calls\.py:(\d+): error", result.stdout)
    }
    assert errors == _expected_error_lines(TYPED), result.stdout + result.stderr


def test_runtime_still_accepts_any_string_for_an_enum() -> None:
    # The annotation narrows what a type checker accepts, not what the runtime sends:
    # botocore sends an enum value it does not know (a value newer than the model).
    from aioapigateway import _spec

    serializer = RequestSerializer(_spec.SERVICE)
    op = _spec.SERVICE.operations["CreateRestApi"]
    request = serializer.serialize(op, {"name": "n", "api_key_source": "A_FUTURE_SOURCE"})
    assert b'"apiKeySource":"A_FUTURE_SOURCE"' in request.body
