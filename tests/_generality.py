"""Run the generator over other botocore rest-json models: generate, import, call.

For each model: generate a package into a temporary directory, import it, build its client
and send one signed call (an operation chosen by ``pick_operation``, with minimal valid
arguments built from the model) to a loopback server, then parse the server's answer.

``python tests/_generality.py`` runs every rest-json model of the installed botocore
(``make generality``); the test suite runs a sample of them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import enum
import gzip
import importlib
import json
import re
import sys
import tempfile
import time
import traceback
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import attrs
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aioapigateway  # noqa: E402
from aioapigateway.runtime.shapes import Service, Shape  # noqa: E402
from codegen.build import build_service  # noqa: E402
from codegen.loader import load_model_files  # noqa: E402
from codegen.naming import safe_identifier, snake_case  # noqa: E402
from codegen.render import build_tree  # noqa: E402

__all__ = ["ModelDir", "Outcome", "rest_json_models", "run_models"]


@attrs.frozen
class ModelDir:
    """One botocore model directory (``data/<service>/<version>``)."""

    service: str
    path: Path

    @property
    def package(self) -> str:
        return "gen_" + re.sub(r"\W", "_", self.service)


@attrs.define
class Outcome:
    """What happened to one model."""

    service: str
    stage: str = "generate"
    ok: bool = False
    operation: str = ""
    detail: str = ""


def _botocore_data() -> Path:
    botocore = importlib.import_module("botocore")
    assert botocore.__file__ is not None
    return Path(botocore.__file__).parent / "data"


def rest_json_models(exclude: frozenset[str] = frozenset({"apigateway"})) -> list[ModelDir]:
    """The newest version of every rest-json model the installed botocore ships."""
    found = []
    for service_dir in sorted(p for p in _botocore_data().iterdir() if p.is_dir()):
        if service_dir.name in exclude:
            continue
        versions = sorted(p for p in service_dir.iterdir() if p.is_dir())
        if not versions:
            continue
        model = versions[-1] / "service-2.json.gz"
        if not model.exists():
            continue
        metadata = json.loads(gzip.decompress(model.read_bytes()))["metadata"]
        protocols = metadata.get("protocols") or [metadata.get("protocol")]
        if protocols[0] == "rest-json":
            found.append(ModelDir(service_dir.name, versions[-1]))
    return found


def generate(model: ModelDir, out: Path) -> None:
    """Generate ``model`` as the package ``model.package`` under ``out``."""
    paginators = model.path / "paginators-1.json"
    rules = model.path / "endpoint-rule-set-1.json.gz"
    files = load_model_files(
        model.path / "service-2.json.gz",
        paginators if paginators.exists() else None,
        rules if rules.exists() else None,
    )
    build_tree(build_service(files, model.package), out)


# -- minimal arguments ----------------------------------------------------------------------


def _value(service: Service, shape: Shape, depth: int = 0) -> Any:
    kind = shape.type
    if depth > 8:
        raise ValueError(f"{shape.name}: required members recurse too deeply")
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        length = max(int(shape.min or 1), 1)
        return "x" * length
    if kind in ("integer", "long", "short", "byte"):
        return int(shape.min) if shape.min is not None else 1
    if kind in ("float", "double"):
        return float(shape.min) if shape.min is not None else 1.0
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    if kind == "blob":
        return b"x" * max(int(shape.min or 1), 1)
    if kind == "document":
        return {}
    if kind == "list":
        assert shape.member is not None
        count = int(shape.min or 0)
        return [_value(service, service.shapes[shape.member], depth + 1) for _ in range(count)]
    if kind == "map":
        assert shape.key is not None and shape.value is not None
        if not shape.min:
            return {}
        key = _value(service, service.shapes[shape.key], depth + 1)
        return {key: _value(service, service.shapes[shape.value], depth + 1)}
    if kind == "structure":
        return service.model_class(shape.cls_name or shape.name)(
            **_arguments(service, shape, depth + 1)
        )
    raise ValueError(f"{shape.name}: no value for type {kind}")


def _arguments(service: Service, shape: Shape, depth: int = 0) -> dict[str, Any]:
    members = shape.members
    if shape.union and members:
        first = members[0]
        return {first.py_name: _value(service, service.shapes[first.shape], depth)}
    return {
        m.py_name: _value(service, service.shapes[m.shape], depth)
        for m in members
        if m.required or m.location == "uri"
    }


# Arguments the model's constraints cannot produce: the endpoint rules parse them.
_ARGUMENT_OVERRIDES: dict[str, dict[str, Any]] = {
    "CloudFront KeyValueStore": {
        "kvs_arn": "arn:aws:cloudfront::123456789012:key-value-store/0123456789abcdef"
    },
}


def pick_operations(service: Service) -> Iterator[tuple[str, dict[str, Any]]]:
    """Operations to call with minimal valid arguments, the fewest required arguments first.

    Operations that bind constant endpoint parameters come last: some rule sets send those
    to a fixed host whatever endpoint the client is given (signin's control plane).
    """
    candidates = []
    for name, op in sorted(service.operations.items()):
        shape = service.shapes[op.input] if op.input else None
        required = sum(1 for m in shape.members if m.required) if shape else 0
        constant = any(source == "value" for _, source, _ in op.endpoint_params)
        candidates.append((constant, required, name))
    for _, _, name in sorted(candidates):
        op = service.operations[name]
        try:
            args = _arguments(service, service.shapes[op.input]) if op.input else {}
        except ValueError:
            continue
        for key, value in _ARGUMENT_OVERRIDES.get(service.service_id, {}).items():
            if key in args:
                args[key] = value
        yield name, args


# -- the loopback server --------------------------------------------------------------------


class _LoopbackResolver(AbstractResolver):
    """Resolves every name to 127.0.0.1, so host-prefixed endpoints stay on this machine."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[ResolveResult]:
        import socket

        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


class _Recorder:
    def __init__(self) -> None:
        self.requests: list[web.Request] = []
        self.authorization: list[str | None] = []
        self.hosts: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.requests.append(request)
        self.authorization.append(request.headers.get("Authorization"))
        self.hosts.append(request.host)
        return web.Response(status=200, body=b"{}", content_type="application/json")


async def _send_one(package: Any, url: str, operation: str, args: dict[str, Any]) -> None:
    # "localhost" rather than 127.0.0.1: a host prefix ("data.") can go in front of a name.
    connector = aiohttp.TCPConnector(resolver=_LoopbackResolver())
    async with aiohttp.ClientSession(connector=connector) as session:
        client = package.Client(
            region="us-east-1",
            endpoint_url=url.replace("127.0.0.1", "localhost"),
            credentials=aioapigateway.Credentials("AKIDEXAMPLE", "SECRET"),
            config=aioapigateway.ClientConfig(max_attempts=1),
            session=session,
        )
        async with client:
            method = getattr(client, safe_identifier(snake_case(operation)))
            await method(**args)


async def _call_one(model: ModelDir, url: str, recorder: _Recorder, outcome: Outcome) -> None:
    outcome.stage = "import"
    package = importlib.import_module(model.package)
    spec = importlib.import_module(model.package + "._spec")
    service: Service = spec.SERVICE
    outcome.stage = "type hints"
    # Every model class's annotations resolve at run time (cattrs and attrs.resolve_types
    # evaluate them): no generated name shadows another.
    models = importlib.import_module(model.package + ".models")
    for name in models.__all__:
        cls = getattr(models, name)
        if not issubclass(cls, enum.Enum):
            typing.get_type_hints(cls)
    outcome.stage = "arguments"
    candidates = list(pick_operations(service))[:20]
    if not candidates:
        raise ValueError("no operation could be given valid arguments")
    outcome.stage = "call"
    for index, (operation, args) in enumerate(candidates):
        outcome.operation = operation
        before = len(recorder.requests)
        try:
            await _send_one(package, url, operation, args)
        except aioapigateway.errors.TransportError:
            # The rules sent it elsewhere than the loopback endpoint: try another operation.
            if index == len(candidates) - 1:
                raise
            continue
        break
    if len(recorder.requests) != before + 1:
        raise AssertionError("the server did not receive exactly one request")
    authorization = recorder.authorization[-1]
    if not service.operations[operation].unsigned and not (
        authorization and authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    ):
        raise AssertionError(f"request not signed: {authorization!r}")
    host_prefix = service.operations[operation].host_prefix
    if host_prefix and not recorder.hosts[-1].startswith(host_prefix.split("{")[0]):
        raise AssertionError(f"host prefix {host_prefix!r} not applied: {recorder.hosts[-1]}")
    outcome.ok = True
    outcome.stage = "done"


async def run_models(models: list[ModelDir], out: Path) -> list[Outcome]:
    """Generate, import and call each model; never raises for one model's failure."""
    recorder = _Recorder()
    app = web.Application(client_max_size=1 << 24)
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    outcomes = []
    try:
        for model in models:
            outcome = Outcome(model.service)
            try:
                generate(model, out)
                await _call_one(model, url, recorder, outcome)
            except Exception as exc:
                outcome.detail = f"{type(exc).__name__}: {exc}"[:500]
                if "--traceback" in sys.argv:
                    traceback.print_exc()
            outcomes.append(outcome)
    finally:
        await runner.cleanup()
    return outcomes


def _chunks(items: list[ModelDir], size: int) -> Iterator[list[ModelDir]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("services", nargs="*", help="only these services")
    parser.add_argument("--traceback", action="store_true")
    args = parser.parse_args()
    models = rest_json_models()
    if args.services:
        models = [m for m in models if m.service in args.services]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = asyncio.run(run_models(models, Path(tmp)))
    failures = [o for o in outcomes if not o.ok]
    for outcome in failures:
        print(f"FAIL {outcome.service} [{outcome.stage}] {outcome.operation}: {outcome.detail}")
    print(
        f"generality: {len(outcomes) - len(failures)} of {len(outcomes)} rest-json models "
        f"generate, import and send a signed call ({time.monotonic() - started:.0f} s)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
