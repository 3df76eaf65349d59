"""botocore's rest-json protocol compliance cases, run against packages our generator makes.

The cases (``tests/fixtures/protocols/{input,output}/rest-json.json``, vendored from the
botocore sdist, see ``SOURCE`` there) each carry a small model: its shapes and one operation.
For every distinct model a package is generated (rendered by ``codegen.render``, without the
ruff formatting pass, which changes layout only) into one directory, imported, and its
``_spec.SERVICE`` handed to the runtime's serializer and parser:

- an input case's parameters (botocore member names) become a model instance via
  ``from_boto_dict`` and then the call's keyword arguments; the request is compared with the
  expected method, URI (with the query string as the client writes it), headers, forbidden and
  required headers, host (the host prefix in front of the case's endpoint) and body (JSON
  compared type-strictly, anything else byte for byte);
- an output case's response is parsed (or parsed as an error) and compared, as botocore-style
  data (``to_boto_dict``; timestamps as epoch seconds, blobs as text), with the expected
  result or error code, message and members.

``python tests/_protocol_suite.py`` prints every outcome; ``tests/test_protocol_suite.py``
runs the same cases under pytest.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import hashlib
import importlib
import json
import math
import socket
import sys
import tempfile
import typing
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import aiohttp
import attrs
from _json_strict import json_differences
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aioapigateway.runtime import serialize as serialize_module  # noqa: E402
from aioapigateway.runtime.config.settings import ClientConfig  # noqa: E402
from aioapigateway.runtime.convert import from_boto_dict, to_boto_dict  # noqa: E402
from aioapigateway.runtime.credentials.base import Credentials  # noqa: E402
from aioapigateway.runtime.parse import ResponseParser  # noqa: E402
from aioapigateway.runtime.shapes import Service  # noqa: E402
from codegen.build import build_service  # noqa: E402
from codegen.loader import ModelFiles  # noqa: E402
from codegen.naming import safe_identifier, snake_case  # noqa: E402
from codegen.render import render_package  # noqa: E402

__all__ = [
    "EXPECTED_DIFFERENCES",
    "Case",
    "Outcome",
    "PackageCache",
    "load_cases",
    "run_case",
    "run_cases",
    "summary",
]

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "protocols"
#: The idempotency token the cases expect (they assume a generator that returns it).
FIXED_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")

#: Cases where we do as botocore does, on purpose, and botocore departs from the case:
#: ``(direction, case id)`` -> why (the ids repeat between input and output cases).
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
    ("input", "MediaTypeHeaderInputBase64"): (
        "a string header with a mediaType trait: the case expects the text base64-encoded; "
        "botocore (and we) base64-encode only jsonvalue headers and send this one as is"
    ),
    ("output", "RestJsonHttpPayloadTraitsWithNoBlobBody"): (
        "an empty body for a blob payload: the case expects the member unset; botocore (and "
        "we) return b'' (the differential tests hold every API Gateway operation to botocore)"
    ),
    ("output", "MediaTypeHeaderOutputBase64"): (
        "a string header with a mediaType trait: the case expects it base64-decoded; "
        "botocore (and we) decode only jsonvalue headers and return this one as sent"
    ),
    ("input", "RestJsonEnumPayloadRequest"): (
        "an enum (string) payload: the case expects Content-Type text/plain; botocore (and "
        "we) send a raw payload without a Content-Type"
    ),
    ("input", "RestJsonStringPayloadRequest"): (
        "a string payload: the case expects Content-Type text/plain; botocore (and we) send "
        "a raw payload without a Content-Type"
    ),
    ("input", "RestJsonHttpPayloadTraitsWithBlob"): (
        "a blob payload: the case expects Content-Type application/octet-stream; botocore "
        "(and we) send a raw payload without a Content-Type"
    ),
    ("input", "RestJsonHttpPayloadWithUnsetUnion"): (
        "an unset union payload: the case expects an empty body; botocore (and we) send {} "
        "as for any unset structure payload"
    ),
    ("input", "RestJsonNullAndEmptyHeaders"): (
        "an empty list header: the case expects the header sent empty; botocore (and we) "
        "leave an empty list out"
    ),
    ("input", "SDKAppendedGzipAfterProvidedEncoding_restJson1"): (
        "gzip after a caller's Content-Encoding: the case expects 'custom, gzip'; botocore "
        "(and we) append ',gzip' (the same list in HTTP)"
    ),
    ("output", "RestJsonDeserializesDenseSetMapAndSkipsNull"): (
        "a null value in a dense map of lists: the case expects the key dropped; botocore "
        "(and we) keep it, with None"
    ),
}


@attrs.frozen
class Case:
    """One compliance case: ``direction`` is ``input`` or ``output``."""

    direction: str
    suite: str
    id: str
    metadata: Mapping[str, Any]
    shapes: Mapping[str, Any]
    data: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.direction, self.id)

    @property
    def operation(self) -> str:
        return str(self.data["given"]["name"])

    def model(self) -> dict[str, Any]:
        """The service model of this case: the suite's shapes and the case's operation."""
        metadata = {
            "endpointPrefix": "protocoltest",
            "serviceId": "ProtocolTest",
            "signatureVersion": "v4",
            **self.metadata,
        }
        return {
            "metadata": metadata,
            "shapes": self.shapes,
            "operations": {self.operation: self.data["given"]},
        }


@attrs.frozen
class Outcome:
    """``status``: ``pass``, ``expected`` (a listed difference, still present) or ``fail``."""

    case: Case
    status: str
    problems: tuple[str, ...] = ()


def load_cases(direction: str) -> list[Case]:
    """Every case of ``input`` or ``output``, in file order."""
    suites = json.loads((FIXTURES / direction / "rest-json.json").read_text(encoding="utf-8"))
    cases = []
    for suite in suites:
        for data in suite["cases"]:
            # clientEndpoint is the suite's; the host check needs it per case.
            merged = {**data, "clientEndpoint": suite.get("clientEndpoint")}
            cases.append(
                Case(
                    direction=direction,
                    suite=str(suite["description"]),
                    id=str(data["id"]),
                    metadata=suite["metadata"],
                    shapes=suite["shapes"],
                    data=merged,
                )
            )
    return cases


class PackageCache:
    """Generates each distinct case model once into ``root`` (which goes on ``sys.path``)."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._services: dict[str, Service] = {}
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))

    def service(self, case: Case) -> Service:
        model = case.model()
        key = hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:16]
        service = self._services.get(key)
        if service is None:
            service = self._services[key] = self._generate(f"protocol_case_{key}", model)
        return service

    def _generate(self, package: str, model: dict[str, Any]) -> Service:
        ir = build_service(ModelFiles(service=model, paginators={}, endpoint_rules=None), package)
        for relative, text in render_package(ir, self._root).items():
            path = self._root / package / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        importlib.invalidate_caches()
        service: Service = importlib.import_module(f"{package}._spec").SERVICE
        # Every model class's annotations resolve at run time, members named like the names
        # they use (``datetime``, ``bytes``...) included.
        models = importlib.import_module(f"{package}.models")
        for name in models.__all__:
            cls = getattr(models, name)
            if not issubclass(cls, enum.Enum):
                typing.get_type_hints(cls)
        return service


# -- input cases ---------------------------------------------------------------------------------


def _special_floats_in(service: Service, shape_name: str, value: Any) -> Any:
    """The cases write NaN and the infinities as strings; a caller passes floats there."""
    shape = service.shapes[shape_name]
    if shape.type in ("float", "double") and value in ("NaN", "Infinity", "-Infinity"):
        return float(value)
    if shape.type == "structure" and isinstance(value, dict):
        members = {m.name: m.shape for m in shape.members}
        return {
            key: _special_floats_in(service, members[key], item) if key in members else item
            for key, item in value.items()
        }
    if shape.type == "list" and isinstance(value, list) and shape.member is not None:
        return [_special_floats_in(service, shape.member, item) for item in value]
    if shape.type == "map" and isinstance(value, dict) and shape.value is not None:
        return {key: _special_floats_in(service, shape.value, item) for key, item in value.items()}
    return value


def _arguments(service: Service, op_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The call's keyword arguments for botocore-style ``params``."""
    op = service.operations[op_name]
    if op.input is None:
        return {}
    shape = service.shapes[op.input]
    params = _special_floats_in(service, shape.name, params)
    instance = from_boto_dict(shape.cls_name or shape.name, params, service=service)
    return {m.py_name: getattr(instance, m.py_name) for m in shape.members}


def _list_headers(service: Service, op_name: str) -> dict[str, bool]:
    """Header names of the input's list members -> whether the elements are timestamps."""
    op = service.operations[op_name]
    if op.input is None:
        return {}
    shape = service.shapes[op.input]
    found = {}
    for member in shape.members:
        target = service.shapes[member.shape]
        if member.location == "header" and target.type == "list" and target.member is not None:
            found[member.wire_name.lower()] = service.shapes[target.member].type == "timestamp"
    return found


def _body_problems(ours: bytes, expected: str) -> list[str]:
    try:
        expected_value = json.loads(expected)
    except ValueError:
        expected_value = None
    else:
        try:
            return json_differences(json.loads(ours), expected_value, "body")
        except ValueError:
            return [f"body: expected JSON {expected!r}, got {ours!r}"]
    if ours != expected.encode():
        return [f"body: expected {expected!r}, got {ours!r}"]
    return []


@attrs.define
class _Recorded:
    method: str = ""
    raw_path: str = ""
    host: str = ""
    headers: dict[str, str] = attrs.Factory(dict)
    body: bytes = b""


class _LoopbackResolver(AbstractResolver):
    """Every name is 127.0.0.1: a host prefix (``foo.localhost``) stays on this machine."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[ResolveResult]:
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


class RequestRecorder:
    """A loopback server that records each request and answers ``200 {}``."""

    def __init__(self) -> None:
        self.last = _Recorded()
        self.port = 0
        self._runner: web.AppRunner | None = None
        #: One session for every client: the cases share its connections.
        self.session: aiohttp.ClientSession | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.last = _Recorded(
            method=request.method,
            raw_path=request.raw_path,
            host=request.host,
            headers={name.lower(): value for name, value in request.headers.items()},
            body=await request.read(),
        )
        return web.Response(status=200, body=b"{}", content_type="application/json")

    async def __aenter__(self) -> RequestRecorder:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=_LoopbackResolver())
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None and self.session is not None
        await self.session.close()
        await self._runner.cleanup()


async def _send(case: Case, service: Service, recorder: RequestRecorder, endpoint: str) -> None:
    """Call the case's operation through the generated client, as a user would."""
    package = importlib.import_module(service.models_module.rpartition(".")[0])
    arguments = _arguments(service, case.operation, case.data["params"])
    client = package.Client(
        region="us-east-1",
        endpoint_url=endpoint,
        credentials=Credentials("AKIDEXAMPLE", "SECRET"),
        config=ClientConfig(max_attempts=1),
        session=recorder.session,
    )
    async with client:
        method = getattr(client, safe_identifier(snake_case(case.operation)))
        with mock.patch.object(serialize_module.uuid, "uuid4", return_value=FIXED_UUID):
            await method(**{k: v for k, v in arguments.items() if v is not None})


async def run_input(case: Case, service: Service, recorder: RequestRecorder) -> list[str]:
    """Every way the request the client sends differs from the case's expected request."""
    expected = case.data["serialized"]
    client_endpoint = urlsplit(case.data["clientEndpoint"] or "https://example.com")
    local = f"localhost:{recorder.port}"
    recorder.last = _Recorded()
    await _send(case, service, recorder, f"http://{local}{client_endpoint.path}")
    sent = recorder.last
    problems: list[str] = []
    if "method" in expected and sent.method != expected["method"]:
        problems.append(f"method: expected {expected['method']}, got {sent.method}")
    if sent.raw_path != expected.get("uri", ""):
        problems.append(f"uri: expected {expected.get('uri')!r}, got {sent.raw_path!r}")
    list_headers = _list_headers(service, case.operation)
    for name, value in expected.get("headers", {}).items():
        got = sent.headers.get(name.lower())
        if name.lower() in list_headers:
            # The cases write list elements after ", "; botocore (and we) join with ",".
            # HTTP dates hold ", " themselves: compared without it on both sides (as
            # botocore's own runner does).
            value = value.replace(", ", ",")
            if got is not None and list_headers[name.lower()]:
                got = got.replace(", ", ",")
        if got != value:
            problems.append(f"header {name}: expected {value!r}, got {got!r}")
    for name in expected.get("forbidHeaders", ()):
        if name.lower() in sent.headers:
            problems.append(f"header {name}: forbidden, sent {sent.headers[name.lower()]!r}")
    for name in expected.get("requireHeaders", ()):
        if name.lower() not in sent.headers:
            problems.append(f"header {name}: required, not sent")
    if "body" in expected:
        problems += _body_problems(sent.body, expected["body"])
    if "host" in expected:
        # The host the client connected to, with the case's endpoint for the loopback one.
        host = sent.host.replace(local, client_endpoint.netloc) + client_endpoint.path.rstrip("/")
        if host != expected["host"]:
            problems.append(f"host: expected {expected['host']!r}, got {host!r}")
    return problems


# -- output cases --------------------------------------------------------------------------------


def _plain(value: Any, service: Service) -> Any:
    """Parsed data in the cases' terms: epoch seconds, blobs as text, NaN as a string."""
    if attrs.has(type(value)):
        value = to_boto_dict(value, service=service)
    if isinstance(value, dict):
        return {key: _plain(item, service) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, service) for item in value]
    if isinstance(value, datetime.datetime):
        seconds = value.timestamp()
        return int(seconds) if seconds.is_integer() else seconds
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _response(case: Case) -> tuple[int, CIMultiDict[str], bytes]:
    response = case.data["response"]
    headers: CIMultiDict[str] = CIMultiDict(response.get("headers", {}))
    return int(response["status_code"]), headers, str(response.get("body", "")).encode()


def run_output(case: Case, service: Service) -> list[str]:
    """Every way our parsed response differs from the case's expected result or error."""
    status, headers, body = _response(case)
    parser = ResponseParser(service)
    if "error" in case.data:
        error = parser.parse_error(status, headers, body)
        ours: dict[str, Any] = {"Error": {"Code": error.code, "Message": error.message}}
        shape = service.error_shape(error.code)
        for member in shape.members if shape is not None else ():
            value = getattr(error, member.py_name, None)
            if value is not None:
                ours[member.name] = _plain(value, service)
        expected = {
            "Error": {
                "Code": case.data.get("errorCode", ""),
                "Message": case.data.get("errorMessage", ""),
            },
            **case.data["error"],
        }
        return json_differences(ours, expected, "error")
    parsed = parser.parse(service.operations[case.operation], status, headers, body)
    result = {} if parsed is None else _plain(parsed, service)
    return json_differences(result, case.data["result"], "result")


# -- both ----------------------------------------------------------------------------------------


async def run_case(case: Case, cache: PackageCache, recorder: RequestRecorder) -> Outcome:
    """Generate (or reuse) the case's package and run the case; never raises."""
    try:
        service = cache.service(case)
        if case.direction == "input":
            problems = await run_input(case, service, recorder)
        else:
            problems = run_output(case, service)
    except Exception as exc:  # reported as the case's failure
        problems = [f"raised {type(exc).__name__}: {exc}"]
    if case.key in EXPECTED_DIFFERENCES:
        if problems:
            return Outcome(case, "expected", tuple(problems))
        return Outcome(case, "fail", ("listed as an expected difference, but now passes",))
    return Outcome(case, "fail" if problems else "pass", tuple(problems))


def summary(outcomes: list[Outcome]) -> str:
    """``N pass, M expected differences (listed), K fail`` and the listed ones with reasons."""
    counts = {
        status: sum(o.status == status for o in outcomes) for status in ("pass", "expected", "fail")
    }
    lines = [
        f"{counts['pass']} pass, {counts['expected']} expected differences (listed), "
        f"{counts['fail']} fail"
    ]
    for outcome in outcomes:
        if outcome.status == "expected":
            lines.append(
                f"  expected difference {outcome.case.id}: {EXPECTED_DIFFERENCES[outcome.case.key]}"
            )
    for outcome in outcomes:
        if outcome.status == "fail":
            lines.append(
                f"  FAIL {outcome.case.direction} {outcome.case.id}: {'; '.join(outcome.problems)}"
            )
    return "\n".join(lines)


async def run_cases(cases: list[Case], root: Path) -> list[Outcome]:
    """Run ``cases`` in order, generating packages into ``root``."""
    cache = PackageCache(root)
    async with RequestRecorder() as recorder:
        return [await run_case(case, cache, recorder) for case in cases]


def main() -> int:

    with tempfile.TemporaryDirectory() as tmp:
        cases = load_cases("input") + load_cases("output")
        outcomes = asyncio.run(run_cases(cases, Path(tmp)))
    print(summary(outcomes))
    return 1 if any(o.status == "fail" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
