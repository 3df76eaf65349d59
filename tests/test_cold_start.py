"""Cold start (issue 12): what a client's first call does cheaply, checked against the slow
way it replaces.

- the config files are read on the event loop when they are small, in a thread otherwise;
- the endpoint comes from the generated table, which must equal the rule-set evaluator for
  every known region and flag combination (and defer to it for everything else);
- a structure's parser is compiled on its second use; the checked parser that serves the
  first use must give the same results as the compiled one.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import math
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from _botocore_oracle import SERVICE_MODEL, OutputGenerator

from aioapigateway.runtime import parse as _parse
from aioapigateway.runtime.config import profiles as _profiles
from aioapigateway.runtime.config.profiles import INLINE_READ_LIMIT, ProfileLoader
from aioapigateway.runtime.endpoints import table as _table
from aioapigateway.runtime.endpoints.partitions import PARTITIONS
from aioapigateway.runtime.endpoints.rules import EndpointResolver
from aioapigateway.runtime.errors import ConfigError
from aioapigateway.runtime.parse import ResponseParser

ROOT = Path(__file__).resolve().parents[1]
RULE_MODULES = (
    "aioapigateway._endpoint_rules",
    "aioapigateway.v2._endpoint_rules",
    "aioapigateway.management._endpoint_rules",
)
REGIONS = sorted({r for p in PARTITIONS["partitions"] for r in p["regions"]})
CUSTOM_URLS = (
    "https://example.com",
    "http://localhost:4566",
    "https://api.internal.example:8443/some/base",
)


# -- config files -----------------------------------------------------------------------------


def _env(tmp_path: Path, config: str | bytes | None, credentials: str | None) -> dict[str, str]:
    for name, text in (("config", config), ("credentials", credentials)):
        if isinstance(text, bytes):
            (tmp_path / name).write_bytes(text)
        elif text is not None:
            (tmp_path / name).write_text(text)
    return {
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "HOME": str(tmp_path),
    }


@pytest.fixture
def thread_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every function handed to asyncio.to_thread (still run, in a thread)."""
    calls: list[Any] = []
    real = asyncio.to_thread

    async def counting(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        calls.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counting)
    return calls


async def test_small_config_files_are_read_on_the_loop(
    tmp_path: Path, thread_calls: list[Any]
) -> None:
    env = _env(
        tmp_path,
        "[default]\nregion = eu-west-1\n[profile dev]\nregion = us-west-2\n",
        "[dev]\naws_access_key_id = AKID\n",
    )
    loaded = await ProfileLoader(env).load()
    assert thread_calls == []
    assert loaded.profile("default")["region"] == "eu-west-1"
    assert dict(loaded.profile("dev")) == {"region": "us-west-2", "aws_access_key_id": "AKID"}


async def test_missing_config_files_need_no_thread(tmp_path: Path, thread_calls: list[Any]) -> None:
    loaded = await ProfileLoader(_env(tmp_path, None, None)).load()
    assert thread_calls == []
    assert loaded.config_file_found is False and loaded.credentials_file_found is False


async def test_large_config_files_are_read_in_a_thread(
    tmp_path: Path, thread_calls: list[Any]
) -> None:
    padding = "".join(f"# comment line {i:06d}\n" for i in range(INLINE_READ_LIMIT // 20))
    config = padding + "[default]\nregion = ap-south-1\n"
    assert len(config) > INLINE_READ_LIMIT
    loaded = await ProfileLoader(_env(tmp_path, config, None)).load()
    assert thread_calls == [_profiles._load_files]
    assert loaded.profile("default")["region"] == "ap-south-1"


async def test_the_limit_counts_both_files_together(
    tmp_path: Path, thread_calls: list[Any]
) -> None:
    half = "".join(f"# {i:08d}\n" for i in range(INLINE_READ_LIMIT // 2 // 11 + 1))
    env = _env(tmp_path, half + "[default]\n", half + "[default]\n")
    await ProfileLoader(env).load()
    assert thread_calls == [_profiles._load_files]


async def test_a_config_path_that_is_not_a_regular_file_goes_to_the_thread(
    tmp_path: Path, thread_calls: list[Any]
) -> None:
    env = _env(tmp_path, None, None)
    (tmp_path / "config").mkdir()
    loaded = await ProfileLoader(env).load()
    assert thread_calls == [_profiles._load_files]
    assert loaded.config_file_found is False


async def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    env = _env(tmp_path, b"\xef\xbb\xbf[default]\nregion = sa-east-1\n", None)
    assert (await ProfileLoader(env).load()).profile("default")["region"] == "sa-east-1"


@pytest.mark.parametrize(("prefix", "offset"), [(b"", 10), (b"\xef\xbb\xbf", 13)])
async def test_invalid_utf8_names_its_offset_in_the_file(
    tmp_path: Path, prefix: bytes, offset: int
) -> None:
    env = _env(tmp_path, prefix + b"[default]\n\xff = 1\n", None)
    with pytest.raises(ConfigError, match=rf"not valid UTF-8 \(bad byte at offset {offset}\)"):
        await ProfileLoader(env).load()


class _CountingEnviron(MutableMapping[str, str]):
    """An environment that counts how often it is read."""

    def __init__(self, data: dict[str, str]) -> None:
        self.data = data
        self.reads = 0
        self.passes = 0

    def __getitem__(self, name: str) -> str:
        self.reads += 1
        return self.data[name]

    def __iter__(self) -> Iterator[str]:
        self.passes += 1
        return iter(list(self.data))

    def __len__(self) -> int:
        return len(self.data)

    def __setitem__(self, name: str, value: str) -> None:
        self.data[name] = value

    def __delitem__(self, name: str) -> None:
        del self.data[name]


async def test_a_client_start_reads_the_environment_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings, the config files' paths and the proxies come from one copy: every read of
    os.environ decodes, and start-up would otherwise make dozens."""
    import aioapigateway

    (tmp_path / "config").write_text("[default]\nregion = eu-west-1\n")
    environ = _CountingEnviron(
        {
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "missing"),
            "HTTPS_PROXY": "http://proxy.invalid:3128",
            "NO_PROXY": "example.com",
        }
    )
    monkeypatch.setattr("os.environ", environ)
    client = aioapigateway.ApiGatewayClient(credentials=aioapigateway.Credentials("AKID", "S"))
    try:
        runtime = await client._start()
    finally:
        await client.close()
    # What was read came from the environment...
    assert runtime.settings.region == "eu-west-1"
    assert runtime.endpoint is not None
    assert runtime.endpoint.proxy == "http://proxy.invalid:3128"
    # ... in one pass: each variable read once.
    assert (environ.passes, environ.reads) == (1, len(environ.data))


def test_a_client_start_without_config_files_uses_no_thread_and_imports_nothing_unused(
    tmp_path: Path,
) -> None:
    """Start-up with missing config files and an endpoint_url: no worker thread (no default
    executor), and neither the endpoint evaluator nor the pacing module (it never paces)."""
    code = textwrap.dedent(
        """
        import asyncio, sys, threading
        import aioapigateway

        async def main():
            client = aioapigateway.ApiGatewayClient(
                region="eu-west-1", endpoint_url="http://127.0.0.1:9",
                credentials=aioapigateway.Credentials("AKID", "SECRET"),
            )
            runtime = await client._start()
            assert runtime.endpoint.origin == "http://127.0.0.1:9"
            assert runtime.pacer is None
            assert asyncio.get_running_loop()._default_executor is None
            assert threading.active_count() == 1, threading.enumerate()
            for name in ("aioapigateway.runtime.pacing", "aioapigateway.runtime.endpoints.rules"):
                assert name not in sys.modules, name
            await client.close()
            print("ok")

        asyncio.run(main())
        """
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "missing-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "missing-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# -- the endpoint table -------------------------------------------------------------------------


def _evaluated(rules_module: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
    """The evaluator's answer, or ("error", message)."""
    resolver = EndpointResolver(importlib.import_module(rules_module).RULES)
    try:
        found = resolver.resolve(params)
    except ConfigError as exc:
        return ("error", str(exc))
    return (found.url, found.headers, found.properties)


def _looked_up(rules_module: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
    try:
        return _table.resolve_endpoint(rules_module, params)
    except ConfigError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("rules_module", RULE_MODULES)
def test_the_table_equals_the_evaluator_for_every_region_and_flag(rules_module: str) -> None:
    listed = 0
    for region in REGIONS:
        for fips in (False, True):
            for dualstack in (False, True):
                params = {"Region": region, "UseFIPS": fips, "UseDualStack": dualstack}
                params["Endpoint"] = None
                expected = _evaluated(rules_module, params)
                # Listed exactly when the rule set resolves; then the answers are equal.
                in_table = _table._from_table(rules_module, params) is not None
                assert in_table == (expected[0] != "error")
                listed += in_table
                assert _looked_up(rules_module, params) == expected, params
                for url in CUSTOM_URLS:
                    custom = {**params, "Endpoint": url}
                    assert _looked_up(rules_module, custom) == _evaluated(rules_module, custom)
    assert listed >= len(REGIONS)  # at least the plain endpoint of every region


@pytest.mark.parametrize(
    "params",
    [
        {"Region": "mars-north-1", "UseFIPS": False, "UseDualStack": False, "Endpoint": None},
        {"Region": None, "UseFIPS": False, "UseDualStack": False, "Endpoint": "http://x:1"},
        {"Region": "us-east-1", "UseFIPS": True, "UseDualStack": False, "Endpoint": "http://x"},
        {"Region": "us-east-1", "UseFIPS": False, "UseDualStack": False, "Endpoint": None, "X": 1},
        {"Region": "us-east-1", "UseFIPS": "yes", "UseDualStack": False, "Endpoint": None},
        {"Region": "us-east-1", "UseFIPS": False},
    ],
)
def test_anything_the_table_does_not_hold_goes_to_the_evaluator(
    params: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules_module = RULE_MODULES[0]
    assert _table._from_table(rules_module, params) is None
    assert _looked_up(rules_module, params) == _evaluated(rules_module, params)


def test_a_package_without_a_table_uses_the_evaluator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "old_generated_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    rules = importlib.import_module(RULE_MODULES[0]).RULES
    (package / "_endpoint_rules.py").write_text(f"RULES = {rules!r}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    params = {"Region": "eu-west-3", "UseFIPS": False, "UseDualStack": True, "Endpoint": None}
    found = _table.resolve_endpoint("old_generated_pkg._endpoint_rules", params)
    assert found == _evaluated(RULE_MODULES[0], params)
    assert _table._TABLES["old_generated_pkg._endpoint_rules"] is None


def test_a_first_call_resolves_from_the_table_without_the_evaluator() -> None:
    code = textwrap.dedent(
        """
        import asyncio, sys
        import aioapigateway
        from aioapigateway.runtime.client import _codecs, _resolve_endpoint
        from aioapigateway.runtime.config.settings import Settings

        service = _codecs("aioapigateway._spec")[0]
        for region, fips, url in (("eu-central-1", True, None), ("us-east-1", False, "http://h:1")):
            settings = Settings(
                region=region, endpoint_url=url, max_attempts=3, retry_mode="standard",
                connect_timeout=1.0, read_timeout=1.0, max_connections=1,
                use_fips_endpoint=fips, use_dualstack_endpoint=False, ca_bundle=None,
                user_agent_extra=None, profile="default",
            )
            endpoint = _resolve_endpoint(service, settings, {})
            print(endpoint.origin, endpoint.signer.region if hasattr(endpoint.signer, "region") else "")
        assert "aioapigateway.runtime.endpoints.rules" not in sys.modules
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0].startswith("https://apigateway-fips.eu-central-1.")
    assert done.stdout.split("\n")[1].startswith("http://h:1")


# -- parsers: checked first, compiled on the second use ---------------------------------------------


def _strict_differences(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Differences, types included (True is not 1, a member is not its str value)."""
    if type(ours) is not type(theirs):
        return [f"{path}: {type(ours).__name__} != {type(theirs).__name__}"]
    if attrs.has(type(ours)):
        found = []
        for field in attrs.fields(type(ours)):
            found += _strict_differences(
                getattr(ours, field.name), getattr(theirs, field.name), f"{path}.{field.name}"
            )
        return found
    if isinstance(ours, list):
        if len(ours) != len(theirs):
            return [f"{path}: {len(ours)} != {len(theirs)} items"]
        return [
            d
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
            for d in _strict_differences(a, b, f"{path}[{i}]")
        ]
    if isinstance(ours, dict):
        if ours.keys() != theirs.keys():
            return [f"{path}: keys {sorted(ours)} != {sorted(theirs)}"]
        return [d for k in ours for d in _strict_differences(ours[k], theirs[k], f"{path}[{k!r}]")]
    if isinstance(ours, float) and math.isnan(ours) and math.isnan(theirs):
        return []
    if isinstance(ours, datetime.datetime) and ours.tzinfo != theirs.tzinfo:
        return [f"{path}: tz {ours.tzinfo} != {theirs.tzinfo}"]
    return [] if ours == theirs else [f"{path}: {ours!r} != {theirs!r}"]


OUTPUT_OPERATIONS = sorted(
    name
    for name in SERVICE_MODEL.operation_names
    if SERVICE_MODEL.operation_model(name).output_shape is not None
)


def test_the_checked_and_the_compiled_parsers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every output operation, random responses: a parser that compiles on first use and one
    that never compiles give the same objects."""
    from aioapigateway._spec import SERVICE

    monkeypatch.setattr(_parse, "COMPILE_AFTER", 1)
    compiled = ResponseParser(SERVICE)
    checked_only = ResponseParser(SERVICE)
    problems: list[str] = []
    compared = 0
    for name in OUTPUT_OPERATIONS:
        operation = SERVICE_MODEL.operation_model(name)
        op = SERVICE.operations[name]
        status = operation.http.get("responseCode", 200)
        for trial in range(4):
            headers, body = OutputGenerator(f"cold-start/{name}/{trial}").response(operation)
            fast = compiled.parse(op, status, headers, body)
            monkeypatch.setattr(_parse, "COMPILE_AFTER", 10**9)
            slow = checked_only.parse(op, status, headers, body)
            monkeypatch.setattr(_parse, "COMPILE_AFTER", 1)
            problems += [f"{name}/{trial}{d}" for d in _strict_differences(fast, slow)]
            compared += 1
    assert not problems, "\n".join(problems[:20])
    assert compared == 4 * len(OUTPUT_OPERATIONS)
    # The first parser did compile (so the comparison was between the two kinds).
    assert not isinstance(compiled._parsers["RestApi"], _parse._Tiered)
    assert isinstance(checked_only._parsers["RestApi"], _parse._Tiered)


def test_a_structure_is_compiled_once_on_its_second_use(monkeypatch: pytest.MonkeyPatch) -> None:
    from aioapigateway._spec import SERVICE

    compiled: list[str] = []
    real = _parse._compile_structure

    def counting(shape: Any, *args: Any) -> Any:
        compiled.append(shape.name)
        return real(shape, *args)

    monkeypatch.setattr(_parse, "_compile_structure", counting)
    parser = ResponseParser(SERVICE)
    op = SERVICE.operations["GetRestApis"]
    body = b'{"item": [{"id": "a", "endpointConfiguration": {"types": ["EDGE"]}}, {"id": "b"}]}'
    first = parser.parse(op, 200, {}, body)
    # The first response: RestApis once, then RestApi twice (its 2nd use compiles it), and
    # EndpointConfiguration once (checked).
    assert compiled == ["RestApi"]
    for _ in range(3):
        again = parser.parse(op, 200, {}, body)
        assert not _strict_differences(again, first)
    assert sorted(compiled) == ["EndpointConfiguration", "RestApi", "RestApis"]
    # Where the parsers are looked up or installed, the compiled ones replaced the tiered:
    # the operation's table, and the globals of RestApi's compiled parser, which took
    # EndpointConfiguration's parser while it was still tiered.
    assert parser._body_only["RestApis"] is parser._parsers["RestApis"]
    assert not isinstance(parser._parsers["RestApis"], _parse._Tiered)
    installed = parser._parsers["RestApi"].__globals__.values()  # type: ignore[attr-defined]
    assert any(value is parser._parsers["EndpointConfiguration"] for value in installed)
    assert not any(isinstance(value, _parse._Tiered) for value in installed)


@pytest.mark.parametrize(
    ("service", "as_is"),
    [("apigateway", True), ("lambda", True), ("s3", False), ("s3control", False)],
)
def test_a_custom_endpoint_is_taken_as_it_is_only_where_the_rules_never_rewrite_it(
    service: str, as_is: bool
) -> None:
    """S3's rules parse the endpoint URL (path-style buckets...): the table must not claim
    that any custom endpoint passes through unchanged there."""
    import gzip
    import json

    import botocore

    from codegen.endpoint_table import custom_endpoint_passes_through

    data = Path(botocore.__file__).parent / "data"
    newest = sorted(data.glob(f"{service}/*/endpoint-rule-set-1.json.gz"))[-1]
    with gzip.open(newest) as handle:
        rules = json.load(handle)
    assert custom_endpoint_passes_through(rules) is as_is


# -- descriptors: each shape built on first lookup --------------------------------------------------


def test_a_lazy_table_builds_each_entry_once_on_first_lookup() -> None:
    from aioapigateway.runtime.shapes import LazyTable, Shape, string

    built: list[str] = []

    def build(name: str, data: str) -> Shape:
        built.append(name)
        return string(name, max=len(data))

    names = ["B", "A", "C"]
    shapes = LazyTable({name: name * 2 for name in names}, build)
    # Membership, size and get see the whole table without building it.
    assert "C" in shapes and "Z" not in shapes and len(shapes) == 3
    assert built == []
    assert shapes["C"].name == "C" and shapes["C"] is shapes["C"]
    assert shapes["C"].max == 2  # built from its own data
    assert shapes.get("A") is shapes["A"] and shapes.get("Z") is None
    assert shapes.get("Z", 5) == 5
    assert built == ["C", "A"]
    with pytest.raises(KeyError):
        shapes["Z"]
    # Iterating builds the rest, in the table's order, once.
    assert list(shapes) == names
    assert [shape.name for shape in shapes.values()] == names
    assert list(shapes.keys()) == names and [k for k, _ in shapes.items()] == names
    assert sorted(built) == sorted(names) and len(built) == 3
    assert dict(shapes) == {name: shapes[name] for name in names}


def test_packed_data_maps_each_name_to_its_own_descriptor() -> None:
    from aioapigateway.runtime.shapes import LazyTable, PackedData, build_operation
    from codegen.spec_data import packed_data

    entries = [
        ("B", ['[["GET", "/b"], {}]']),
        ("A", ['[["POST", ', '"/a"], {"output": "O"}]']),  # two pieces, one descriptor
        ("C", ['[["PUT", "/c\\u00e9"], {}]']),
    ]
    expression = packed_data(entries)
    data = eval(expression, {"PackedData": PackedData})
    assert list(data) == ["B", "A", "C"] and len(data) == 3
    assert data["A"] == '[["POST", "/a"], {"output": "O"}]'
    assert data["B"] == '[["GET", "/b"], {}]' and data["C"] == '[["PUT", "/c\\u00e9"], {}]'
    assert "A" in data and "Z" not in data and data.get("Z") is None
    with pytest.raises(KeyError):
        data["Z"]
    operations = LazyTable(data, build_operation)
    assert operations["A"].http_method == "POST" and operations["A"].output == "O"
    assert operations["C"].request_uri == "/c\u00e9"
    assert list(operations) == ["B", "A", "C"]
    empty = eval(packed_data([]), {"PackedData": PackedData})
    assert len(empty) == 0 and list(empty) == [] and "A" not in empty


@pytest.mark.parametrize("name", ["Two words", "", "Caf\u00e9", "Tab\tbed"])
def test_packed_data_refuses_names_it_could_not_separate(name: str) -> None:
    from codegen.spec_data import DescriptorDataError, packed_data

    with pytest.raises(DescriptorDataError):
        packed_data([(name, ["[]"])])


def test_packed_data_with_names_and_offsets_that_disagree_is_an_error() -> None:
    from aioapigateway.runtime.shapes import PackedData

    with pytest.raises(ValueError, match="2 names for 1 descriptors"):
        "A" in PackedData("A B", b"[][]", (0, 2))  # noqa: B015


SPEC_PACKAGES = (
    ("aioapigateway", ROOT / "spec" / "apigateway" / "2015-07-09"),
    ("aioapigateway.v2", ROOT / "spec" / "apigatewayv2" / "2018-11-29"),
    ("aioapigateway.management", ROOT / "spec" / "apigatewaymanagementapi" / "2018-11-29"),
    ("golden_service", ROOT / "tests" / "fixtures" / "golden"),
)


def _slots(value: Any) -> dict[str, Any]:
    names = [n for cls in type(value).__mro__ for n in getattr(cls, "__slots__", ())]
    return {name: getattr(value, name) for name in names if not name.startswith("_")}


def _descriptor_differences(ours: Any, expected: Any, path: str) -> list[str]:
    """Slot by slot, types included (a tuple is not a list, True is not 1)."""
    if type(ours) is not type(expected):
        return [f"{path}: {type(ours).__name__} != {type(expected).__name__}"]
    if isinstance(ours, tuple):
        if len(ours) != len(expected):
            return [f"{path}: {len(ours)} != {len(expected)} items"]
        return [
            d
            for i, (a, b) in enumerate(zip(ours, expected, strict=True))
            for d in _descriptor_differences(a, b, f"{path}[{i}]")
        ]
    if hasattr(type(ours), "__slots__") and not isinstance(ours, str | int | float):
        mine, theirs = _slots(ours), _slots(expected)
        return [
            d
            for name in theirs
            for d in _descriptor_differences(mine[name], theirs[name], f"{path}.{name}")
        ]
    return [] if ours == expected else [f"{path}: {ours!r} != {expected!r}"]


@pytest.mark.parametrize(("package", "model_dir"), SPEC_PACKAGES, ids=[p for p, _ in SPEC_PACKAGES])
def test_the_descriptor_data_builds_what_the_generator_decided(
    package: str, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every shape, operation and paginator of a generated ``_spec`` (JSON data, built on
    lookup) equals the descriptor call the generator decided from the model, run."""
    from aioapigateway.runtime import shapes as runtime_shapes
    from codegen.build import build_service
    from codegen.loader import load_model_files

    monkeypatch.syspath_prepend(str(ROOT / "tests" / "golden"))
    rules = model_dir / "endpoint-rule-set-1.json"
    service_ir = build_service(
        load_model_files(
            model_dir / "service-2.json",
            model_dir / "paginators-1.json",
            rules if rules.exists() else None,
        ),
        package,
    )
    spec = importlib.import_module(f"{package}._spec")
    calls = {name: getattr(runtime_shapes, name) for name in runtime_shapes.__all__}
    calls["M"] = runtime_shapes.Member
    problems: list[str] = []
    tables = (
        (spec.SHAPES, {s.name: s.descriptor for s in service_ir.shapes}),
        (spec.OPERATIONS, {o.name: o.descriptor for o in service_ir.operations}),
        (spec.PAGINATORS, {p.operation: p.descriptor for p in service_ir.paginators}),
    )
    compared = 0
    for table, descriptors in tables:
        assert list(table) == list(descriptors)
        for name, call in descriptors.items():
            expected = eval(call, dict(calls))  # the generator's own call text
            problems += _descriptor_differences(table[name], expected, name)
            compared += 1
    assert not problems, "\n".join(problems[:20])
    assert compared == len(service_ir.shapes) + len(service_ir.operations) + len(
        service_ir.paginators
    )
    assert spec.SERVICE.shapes is spec.SHAPES and spec.SERVICE.operations is spec.OPERATIONS


@pytest.mark.parametrize(
    "call",
    [
        'structure("X", (M("a", "a", "S"), other("b")), cls_name="X")',
        'string("S", max=LIMIT)',
        'string(name="S")',
        'Operation("Op", "GET", "/", **extra)',
        "not a call",
    ],
)
def test_a_descriptor_that_is_not_a_call_of_literals_is_refused(call: str) -> None:
    from codegen.spec_data import DescriptorDataError, named_call_pieces, shape_pieces

    convert = named_call_pieces if call.startswith("Operation") else shape_pieces
    with pytest.raises(DescriptorDataError):
        convert(call)


def test_a_first_call_builds_only_the_descriptors_it_needs() -> None:
    code = textwrap.dedent(
        """
        import json
        from aioapigateway.runtime.client import _codecs
        service, serializer, parser = _codecs("aioapigateway._spec")
        op = service.operations["GetRestApi"]
        serializer.serialize(op, {"rest_api_id": "abc"})
        parser.parse(op, 200, {}, json.dumps({"id": "a", "tags": {"k": "v"}}).encode())
        built = dict.__len__(service.shapes)
        assert 0 < built < 20, built
        assert len(service.shapes) > 200 and "VpcLink" in service.shapes
        # One operation built, no paginator.
        assert list(dict.keys(service.operations)) == ["GetRestApi"], dict(service.operations)
        assert dict.__len__(service.paginators) == 0 and len(service.paginators) > 10
        print(built)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
