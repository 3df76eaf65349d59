"""The generator on a sample of other botocore rest-json models (``make generality`` runs all).

Each model is generated, imported, its client built and one signed call sent to a loopback
server; the generated lambda and polly packages are also checked with ``mypy --strict``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from _generality import rest_json_models, run_models

# Different sizes and features: host prefixes (location, iotsitewise), payloads (glacier,
# iot-data), document types (bedrock-agent-runtime), unions, many shapes (mediaconvert),
# endpoint parameters bound by operations (neptune-graph) and by members (keyvaluestore),
# members named like the builtins their annotations use (polly's ``bytes``, iotsitewise's
# ``list``).
SAMPLE = (
    "apigatewayv2",
    "lambda",
    "iot-data",
    "glacier",
    "location",
    "iotsitewise",
    "mediaconvert",
    "efs",
    "bedrock-agent-runtime",
    "kafka",
    "appsync",
    "neptune-graph",
    "cloudfront-keyvaluestore",
    "polly",
)


MYPY_PACKAGES = ("-p", "gen_lambda", "-p", "gen_polly")


async def test_sample_models_generate_import_and_send_a_signed_call(tmp_path: Path) -> None:
    models = [m for m in rest_json_models() if m.service in SAMPLE]
    assert {m.service for m in models} == set(SAMPLE)
    outcomes = await run_models(models, tmp_path)
    failures = [f"{o.service} [{o.stage}] {o.operation}: {o.detail}" for o in outcomes if not o.ok]
    assert not failures, "\n".join(failures)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *MYPY_PACKAGES],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
