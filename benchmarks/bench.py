#!/usr/bin/env python3
"""Benchmark: aioapigateway against aiobotocore and against the floor (raw aiohttp + SigV4 +
json.loads; per call also the unsigned floor, raw aiohttp + json.loads), all calling a stub
API Gateway that runs in its own process.

    python benchmarks/bench.py [--quick] [--json PATH]
    python benchmarks/bench.py --profile get_rest_api|get_rest_apis|post_to_connection|first-call
    python benchmarks/bench.py --profile-first-call [--samples N]
    python benchmarks/bench.py --importtime [MODULE]

Run it from the benchmark venv (``make bench``): aiobotocore pins an older botocore than the
development venv. See benchmarks/README.md for what is measured and how.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import re
import resource
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import clients  # noqa: E402  (the adapters; standard library only at import)

#: AWS's own smithy-python client joins when it can be imported (Python >= 3.12 and
#: benchmarks/requirements-smithy.txt: `make bench BENCH_PYTHON=python3.13`).
SMITHY = "aws-sdk-api-gateway"
_VARIANTS = (SMITHY,) if clients.AwsSdkApiGateway.available() else ()
CLIENTS = ("floor", "aiobotocore", *_VARIANTS, "aioapigateway")
#: The unsigned floor (raw aiohttp + json.loads) runs in the per-call measurements only: it
#: is the limit of CPU per call for any client built on aiohttp.
UNSIGNED = "aiohttp-unsigned"
THROUGHPUT_CLIENTS = ("floor", UNSIGNED, "aiobotocore", *_VARIANTS, "aioapigateway")
#: Clients without a WebSocket connections-API client: no post_to_connection rows.
NO_CONNECTIONS = frozenset({SMITHY})
#: The slow references make --reference-calls calls per measurement (every figure is per call).
REFERENCE_CLIENTS = frozenset({"aiobotocore", SMITHY})
OPERATIONS = ("get_rest_api", "get_rest_apis")
CONCURRENCIES = (1, 32)
# The WebSocket connections API: one call per message per connected client, so it is the
# call made at volume; measured up to the fan-out of a broadcast.
CONNECTION_OPERATION = "post_to_connection"
CONNECTION_CONCURRENCIES = (1, 32, 256)
#: Every (operation, concurrency) measured, in report order.
MEASUREMENTS = [(op, c) for op in OPERATIONS for c in CONCURRENCIES] + [
    (CONNECTION_OPERATION, c) for c in CONNECTION_CONCURRENCIES
]
RATIO_METRICS = ("calls_per_s", "cpu_us_per_call", "p50_ms", "p99_ms")
PROBE_TIMEOUT = 180.0  # seconds, per fresh-interpreter probe

# (label, metric key, limit as a ratio to the floor[, how many times less CPU per call than
# aiobotocore at least]): the issues' targets. "cpu:" keys are ratios to the signed floor,
# "cpu-unsigned:" keys to the unsigned one (raw aiohttp, no SigV4).
TARGETS: list[tuple[Any, ...]] = [
    ("CPU/call get_rest_api, concurrency 1", "cpu:get_rest_api:1", 1.25),
    ("CPU/call get_rest_api, concurrency 32", "cpu:get_rest_api:32", 1.25),
    ("CPU/call get_rest_apis, concurrency 1", "cpu:get_rest_apis:1", 1.5),
    ("CPU/call get_rest_apis, concurrency 32", "cpu:get_rest_apis:32", 1.5),
    ("CPU/call get_rest_api, c. 1 / unsigned", "cpu-unsigned:get_rest_api:1", 1.15),
    ("CPU/call get_rest_api, c. 32 / unsigned", "cpu-unsigned:get_rest_api:32", 1.15),
    ("CPU/call get_rest_apis, c. 1 / unsigned", "cpu-unsigned:get_rest_apis:1", 1.3),
    ("CPU/call get_rest_apis, c. 32 / unsigned", "cpu-unsigned:get_rest_apis:32", 1.3),
    *(
        (f"CPU/call post_to_connection, conc. {c}", f"cpu:{CONNECTION_OPERATION}:{c}", 1.15, 3.0)
        for c in CONNECTION_CONCURRENCIES
    ),
    ("import time", "import", 1.1),
    ("warm construction", "warm_construct", 5.0),
    # Cold start (issue 12): construction + first call in a fresh interpreter, after the
    # import; what a Lambda function or a freshly scaled container pays once.
    ("construction + first call (fresh interp)", "first_call_total", 3.0),
    ("memory per extra client", "mem_per_extra", 4.0),
]


# -- environment ------------------------------------------------------------------------------


def make_environment(tmp: Path) -> dict[str, str]:
    """The environment of every client process: no AWS_* variable of this machine, a small
    realistic config and credentials file, no instance metadata lookups, and bytecode
    caching on (in a private cache directory), as for any installed package: with
    PYTHONDONTWRITEBYTECODE set, the editable aioapigateway would be compiled from source in
    every fresh interpreter while site-packages have their .pyc files."""
    config = tmp / "config"
    config.write_text("[default]\nregion = us-east-1\noutput = json\n")
    credentials = tmp / "credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = SECRETFROMFILE\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_EC2_METADATA_DISABLED="true",
    )
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):
        env.pop(name, None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


# -- the stub server ------------------------------------------------------------------------


class StubServer:
    """benchmarks/stub_server.py in a child process on a free 127.0.0.1 port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "stub_server.py"), "--port", "0"],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        self.pid = self.process.pid
        try:
            self.port = self._wait_ready(timeout=30.0)
        except BaseException:
            self.stop()
            raise
        self.url = f"http://127.0.0.1:{self.port}"

    def _wait_ready(self, timeout: float) -> int:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while (left := deadline - time.monotonic()) > 0:
                if not selector.select(left):
                    break
                line = self.process.stdout.readline()
                if not line:
                    raise RuntimeError(f"stub server exited with {self.process.wait()}")
                if line.startswith("READY "):
                    return int(line.split()[1])
        raise RuntimeError(f"stub server not ready after {timeout:.0f}s")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        with open(f"/proc/{self.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def stub_server(env: dict[str, str]) -> Iterator[StubServer]:
    server = StubServer(env)
    try:
        yield server
    finally:
        server.stop()


# -- machine and versions ---------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cpus": str(os.cpu_count()),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }
    try:
        info["loadavg"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        info["loadavg"] = "unknown"
    for dist in (
        "aiohttp",
        "aiobotocore",
        "botocore",
        "aioapigateway",
        "attrs",
        "cattrs",
        *_VARIANTS,
    ):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = "not installed"
    return info


# -- sanity checks ------------------------------------------------------------------------------


def check_floor_signature(port: int) -> None:
    """The floor's SigV4 must be byte-identical to botocore's for the same request."""
    import datetime
    from unittest import mock

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    clients.Floor.load()
    floor = clients.Floor(f"http://127.0.0.1:{port}")
    floor._empty_hash = clients._sha256(b"").hexdigest()
    when = datetime.datetime(2026, 11, 25, 12, 34, 56, tzinfo=datetime.UTC)
    for path, query in (("/restapis/abc", ""), ("/restapis", "limit=25")):
        url = f"http://127.0.0.1:{port}{path}" + (f"?{query}" if query else "")
        request = AWSRequest(method="GET", url=url, data=b"")
        with mock.patch("botocore.auth.get_current_datetime", return_value=when):
            SigV4Auth(
                Credentials(clients.ACCESS_KEY, clients.SECRET_KEY), "apigateway", "us-east-1"
            ).add_auth(request)
        ours = floor.sign("GET", path, query, amz_date=when.strftime("%Y%m%dT%H%M%SZ"))
        if ours["Authorization"] != request.headers["Authorization"]:
            raise SystemExit(
                f"floor SigV4 differs from botocore's for {url}:\n"
                f"  floor:    {ours['Authorization']}\n  botocore: {request.headers['Authorization']}"
            )
    path = f"/{clients.STAGE}/@connections/{clients.CONNECTION_ID}"
    url = f"http://127.0.0.1:{port}{path}"
    request = AWSRequest(method="POST", url=url, data=clients.MESSAGE)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(
            Credentials(clients.ACCESS_KEY, clients.SECRET_KEY), "execute-api", "us-east-1"
        ).add_auth(request)
    ours = floor.sign_post(path, clients.MESSAGE, amz_date=when.strftime("%Y%m%dT%H%M%SZ"))
    if ours["Authorization"] != request.headers["Authorization"]:
        raise SystemExit(
            f"floor SigV4 differs from botocore's for POST {url}:\n"
            f"  floor:    {ours['Authorization']}\n  botocore: {request.headers['Authorization']}"
        )


async def check_clients(adapters: dict[str, Any], endpoint: str) -> None:
    """Every client gets the canned answers (and the 404) the stub server sends."""
    for name, adapter in adapters.items():
        one = await adapter.get_rest_api()
        page = await adapter.get_rest_apis()
        if name in ("aioapigateway", SMITHY):
            one_name, items = one.name, page.items
            assert one.created_date.year == 2024, one.created_date
        else:
            one_name, items = one["name"], page["items" if name == "aiobotocore" else "item"]
        assert one_name == "pets-api-0", (name, one_name)
        assert len(items) == 25, (name, len(items))
        try:
            await adapter.get_rest_api(rest_api_id="missing")
        except Exception as exc:
            code = (
                getattr(exc, "code", None)
                or getattr(exc, "response", {}).get("Error", {}).get("Code")
                or type(exc).__name__  # smithy-python: the modeled error class
            )
            if name not in ("floor", UNSIGNED) and code != "NotFoundException":
                raise AssertionError(f"{name}: 404 gave {exc!r}") from exc
        else:
            raise AssertionError(f"{name}: no error for a missing API")
        if name in NO_CONNECTIONS:
            continue
        posted = await adapter.post_to_connection()
        if name == "aiobotocore":
            assert posted["ResponseMetadata"]["HTTPStatusCode"] == 200, (name, posted)
        else:
            assert posted is None, (name, posted)


# -- throughput, CPU and latency ------------------------------------------------------------


async def timed_calls(
    call: Callable[[], Any], concurrency: int, total: int, server: StubServer
) -> dict[str, float]:
    """``concurrency`` tasks making ``total // concurrency`` calls each."""
    per_task = max(1, total // concurrency)
    latencies: list[float] = []

    async def worker() -> None:
        append, clock = latencies.append, time.perf_counter
        for _ in range(per_task):
            started = clock()
            await call()
            append(clock() - started)

    # Untimed: wake up (or reopen) every pooled connection this run will use.
    await asyncio.gather(*(call() for _ in range(concurrency)))
    gc.collect()
    server_cpu = server.cpu_seconds()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = server.cpu_seconds() - server_cpu
    calls = per_task * concurrency
    latencies.sort()
    return {
        "calls": calls,
        "calls_per_s": calls / wall,
        "cpu_us_per_call": cpu / calls * 1e6,
        "p50_ms": statistics.median(latencies) * 1e3,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e3,
        "server_busy": server_cpu / wall,
        # Noise indicators: page faults that hit the disk (memory pressure: the kernel's
        # reclaim work is billed as this process's system time) and forced context switches.
        "major_faults": after.ru_majflt - usage.ru_majflt,
        "involuntary_switches_per_call": (after.ru_nivcsw - usage.ru_nivcsw) / calls,
        "system_cpu_share": (after.ru_stime - usage.ru_stime) / cpu if cpu else 0.0,
    }


async def throughput(
    server: StubServer, rounds: int, calls: int, reference_calls: int, log: Callable[[str], None]
) -> dict[str, Any]:
    adapters: dict[str, Any] = {}
    for name in THROUGHPUT_CLIENTS:
        clients.ADAPTERS[name].load()
        adapter = clients.ADAPTERS[name](server.url)
        await adapter.start()
        await adapter.start_connections()
        adapters[name] = adapter
    try:
        await check_clients(adapters, server.url)
        for name, adapter in adapters.items():  # warm-up: compile, fill pools
            for op in (*OPERATIONS, CONNECTION_OPERATION):
                if op == CONNECTION_OPERATION and name in NO_CONNECTIONS:
                    continue
                await timed_calls(getattr(adapter, op), 32, 256, server)
        results: dict[str, Any] = {}
        order = list(THROUGHPUT_CLIENTS)
        for round_no in range(rounds):
            for op, concurrency in MEASUREMENTS:
                for name in order:
                    if op == CONNECTION_OPERATION and name in NO_CONNECTIONS:
                        continue
                    sample = await timed_calls(
                        getattr(adapters[name], op),
                        concurrency,
                        reference_calls if name in REFERENCE_CLIENTS else calls,
                        server,
                    )
                    key = f"{op}:{concurrency}"
                    results.setdefault(key, {}).setdefault(name, []).append(sample)
            log(f"  round {round_no + 1}/{rounds} done (order {', '.join(order)})")
            order = order[1:] + order[:1]  # rotate, so no client always runs first
        return results
    finally:
        for adapter in adapters.values():
            await adapter.close()


def paired_ratio(values: list[float], floors: list[float]) -> float:
    """Median over rounds of value / floor in the same round: the machine's drift between
    rounds cancels out, which the ratio of two medians does not do."""
    return statistics.median(
        v / f if f else float("inf") for v, f in zip(values, floors, strict=True)
    )


def summarize_throughput(
    raw: dict[str, Any], base: str = "floor"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per measurement and client: the median of each metric, and its paired ratio to
    ``base`` (the signed floor, or the unsigned one)."""
    summary: dict[str, Any] = {}
    ratios: dict[str, Any] = {}
    for key, per_client in raw.items():
        floor = per_client[base]
        for name, samples in per_client.items():
            for metric in samples[0]:
                values = [sample[metric] for sample in samples]
                summary.setdefault(key, {}).setdefault(name, {})[metric] = statistics.median(values)
                if metric in RATIO_METRICS:
                    ratios.setdefault(key, {}).setdefault(name, {})[metric] = paired_ratio(
                        values, [sample[metric] for sample in floor]
                    )
    return summary, ratios


# -- fresh-interpreter probes -----------------------------------------------------------------


def run_python(args: list[str], env: dict[str, str], cwd: str) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe {args!r} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    for line in done.stdout.splitlines():
        if line.startswith("PROBE "):
            return line[6:]
    raise RuntimeError(f"probe {args!r} printed no result:\n{done.stdout[-2000:]}")


def import_seconds(name: str, env: dict[str, str], cwd: str) -> float:
    statement = clients.ADAPTERS[name].import_statement
    code = (
        "import time; _t = time.perf_counter()\n"
        f"{statement}\n"
        "_t = time.perf_counter() - _t; print('PROBE', _t)"
    )
    return float(run_python(["-c", code], env, cwd))


def client_probe(
    kind: str, name: str, url: str, count: int, env: dict[str, str], cwd: str
) -> dict[str, Any]:
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import clients; "
        f"clients.probe({kind!r}, {name!r}, {url!r}, {count})"
    )
    result: dict[str, Any] = json.loads(run_python(["-c", code], env, cwd))
    return result


def startup(
    server: StubServer,
    env: dict[str, str],
    samples: int,
    warm: int,
    memory_clients: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    cwd = tempfile.gettempdir()
    raw: dict[str, Any] = {
        "import": {},
        "startup": {},
        "memory": {},
        "rss": {},
    }
    for name in CLIENTS:  # untimed: compile and cache the .pyc files, lazy imports included
        import_seconds(name, env, cwd)
        client_probe("startup", name, server.url, 1, env, cwd)
    order = list(CLIENTS)
    for sample in range(samples):
        for name in order:
            raw["import"].setdefault(name, []).append(import_seconds(name, env, cwd))
            raw["startup"].setdefault(name, []).append(
                client_probe("startup", name, server.url, warm, env, cwd)
            )
        order = order[1:] + order[:1]
        log(f"  start-up sample {sample + 1}/{samples} done")
    for name in CLIENTS:
        raw["memory"][name] = client_probe("memory", name, server.url, memory_clients, env, cwd)
        raw["rss"][name] = client_probe("rss", name, server.url, memory_clients, env, cwd)
    log("  memory done")
    series: dict[str, dict[str, list[float]]] = {}
    for name in CLIENTS:
        row = series.setdefault(name, {})
        row["import"] = raw["import"][name]
        for metric in raw["startup"][name][0]:
            row[metric] = [s[metric] for s in raw["startup"][name]]
        # One sample each: memory is close to deterministic.
        row["mem_first"] = [raw["memory"][name]["first_client"]]
        row["mem_per_extra"] = [raw["memory"][name]["per_extra_client"]]
        row["rss_first"] = [raw["rss"][name]["first_client"]]
        row["rss_per_extra"] = [raw["rss"][name]["per_extra_client"]]
    summary = {
        name: {metric: statistics.median(values) for metric, values in row.items()}
        for name, row in series.items()
    }
    # Samples with the same index ran back to back (clients rotated), so pair them.
    ratios = {
        name: {
            metric: paired_ratio(values, series["floor"][metric]) for metric, values in row.items()
        }
        for name, row in series.items()
    }
    return {"raw": raw, "summary": summary, "ratios": ratios}


# -- report -------------------------------------------------------------------------------------


def metric_value(results: dict[str, Any], key: str, name: str, ratio: bool = False) -> float:
    """A target's metric for one client: its median, or (ratio=True) its paired ratio."""
    if key.startswith("cpu"):
        base, op, concurrency = key.split(":")
        table = results[
            ("throughput_ratio_unsigned" if base == "cpu-unsigned" else "throughput_ratio")
            if ratio
            else "throughput"
        ]
        return float(table[f"{op}:{concurrency}"][name]["cpu_us_per_call"])
    return float(results["startup_ratio" if ratio else "startup"][name][key])


def cell(value: float, ratio: float | None, unit_scale: float, fmt: str) -> str:
    text = format(value * unit_scale, fmt)
    if ratio is not None:
        text += f" ({ratio:.2f}x)"
    return text


def render(results: dict[str, Any]) -> str:
    lines: list[str] = []
    out = lines.append
    info = results["machine"]
    out(
        f"Machine: {info['cpu']} ({info['cpus']} CPUs), {info['platform']}; load average "
        f"{info['loadavg']} at the start, {results.get('loadavg_end', '?')} at the end"
    )
    out(
        "Versions: "
        + ", ".join(
            f"{k} {info[k]}"
            for k in (
                "python",
                "aiohttp",
                "aiobotocore",
                "botocore",
                "aioapigateway",
                "attrs",
                "cattrs",
                *_VARIANTS,
            )
            if k in info
        )
    )
    params = results["parameters"]
    references = " and ".join(n for n in THROUGHPUT_CLIENTS if n in REFERENCE_CLIENTS)
    out(
        f"Run: {params['rounds']} rounds x {params['calls']} calls per measurement "
        f"({params['reference_calls']} for {references}), clients interleaved round by round. "
        f"Fresh-interpreter probes: {params['samples']} samples; memory with 1 and "
        f"{params['memory_clients']} clients."
    )
    out(
        "Values are medians. Ratios in parentheses are to the floor (raw aiohttp + SigV4 + "
        "json.loads): the median over rounds/samples of client/floor in the same round."
    )

    def widths_for(columns: int) -> tuple[int, ...]:
        return (40, *(22,) * (columns - 1))

    def row(*cells: str) -> None:
        widths = widths_for(len(cells))
        out(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )

    if "throughput" in results:
        out("")
        row("Per call", *THROUGHPUT_CLIENTS)
        out("-" * (40 + 24 * len(THROUGHPUT_CLIENTS)))
        for op, concurrency in MEASUREMENTS:
            data = results["throughput"][f"{op}:{concurrency}"]
            ratios = results["throughput_ratio"][f"{op}:{concurrency}"]
            unsigned = results["throughput_ratio_unsigned"][f"{op}:{concurrency}"]
            out(f"{op}(), concurrency {concurrency}")

            # "-" for a client this measurement does not have (no connections-API client).
            present = [n for n in THROUGHPUT_CLIENTS if n in data]
            for label, metric, scale, fmt in (
                ("  calls/s", "calls_per_s", 1.0, ",.0f"),
                ("  client CPU per call (us)", "cpu_us_per_call", 1.0, ",.1f"),
                ("  latency p50 (ms)", "p50_ms", 1.0, ".3f"),
                ("  latency p99 (ms)", "p99_ms", 1.0, ".3f"),
            ):
                row(
                    label,
                    *(
                        cell(
                            data[n][metric],
                            None if n == "floor" else ratios[n][metric],
                            scale,
                            fmt,
                        )
                        if n in present
                        else "-"
                        for n in THROUGHPUT_CLIENTS
                    ),
                )
            row(
                "  CPU per call / unsigned floor",
                *(
                    f"{unsigned[n]['cpu_us_per_call']:.2f}x"
                    if n in present and n != UNSIGNED
                    else "-"
                    for n in THROUGHPUT_CLIENTS
                ),
            )
            # The CPU bound on one core: what a fan-out can reach per core of the caller.
            row(
                "  calls/s per core (1 s / CPU per call)",
                *(
                    format(1e6 / data[n]["cpu_us_per_call"], ",.0f") if n in present else "-"
                    for n in THROUGHPUT_CLIENTS
                ),
            )
            row(
                "  stub server busy (% of a core)",
                *(
                    format(data[n]["server_busy"] * 100, ".0f") if n in present else "-"
                    for n in THROUGHPUT_CLIENTS
                ),
            )
    if "startup" in results:
        s = results["startup"]
        ratios = results["startup_ratio"]
        out("")
        row("Start-up and memory", *CLIENTS)
        out("-" * (40 + 24 * len(CLIENTS)))
        for label, metric, scale, fmt in (
            ("import (ms)", "import", 1e3, ".1f"),
            ("construction, first client (ms)", "cold_construct", 1e3, ".3f"),
            ("construction, warm (us)", "warm_construct", 1e6, ",.1f"),
            ("warm construction + 1st call (ms)", "warm_construct_first_call", 1e3, ".3f"),
            ("construction + first call (ms)", "first_call_total", 1e3, ".2f"),
            ("  of which construction (ms)", "cold_construct", 1e3, ".3f"),
            ("  of which the first call (ms)", "first_call_only", 1e3, ".2f"),
            ("memory, 1st client (KiB, tracemalloc)", "mem_first", 1 / 1024, ",.1f"),
            ("memory/extra client (KiB, tracemalloc)", "mem_per_extra", 1 / 1024, ",.1f"),
            ("RSS, 1st client (KiB)", "rss_first", 1 / 1024, ",.0f"),
            ("RSS/extra client (KiB)", "rss_per_extra", 1 / 1024, ",.1f"),
        ):
            row(
                label,
                *(
                    "-"
                    if metric not in s[n]
                    else cell(s[n][metric], None if n == "floor" else ratios[n][metric], scale, fmt)
                    for n in CLIENTS
                ),
            )
    noisy = [
        f"{key} {name} round {index + 1}"
        for key, per_client in results.get("throughput_raw", {}).items()
        for name, samples in per_client.items()
        for index, sample in enumerate(samples)
        if sample["major_faults"] > 0
    ]
    if noisy:
        out("")
        out(
            f"WARNING: {len(noisy)} measurement(s) had major page faults (memory pressure on "
            f"the machine; reclaim is billed as client CPU): {', '.join(noisy[:6])}"
            + (", ..." if len(noisy) > 6 else "")
        )
    if results.get("targets"):
        out("")
        out(
            "Targets (aioapigateway / floor, same run: median of the per-round ratios, their "
            "range in parentheses; aiobotocore for reference)"
        )
        out("-" * 110)
        for t in results["targets"]:
            verdict = (
                "PASS"
                if t["pass"]
                else f"FAIL ({(t['ratio'] / t['limit'] - 1) * 100:+.0f}% over the limit)"
            )
            if t.get("min_advantage") and not t["advantage_met"]:
                verdict = f"FAIL (only {t['advantage']:.2f}x less than aiobotocore)"
            spread = f"{t['ratio_min']:.2f}-{t['ratio_max']:.2f}"
            advantage = (
                f"  {t['advantage']:.1f}x less (>= {t['min_advantage']:g}x)"
                if t.get("min_advantage")
                else ""
            )
            out(
                f"{t['label']:<40} <= {format(t['limit'], 'g') + 'x':<6} ours {t['ratio']:6.2f}x "
                f"({spread:>11})  aiobotocore {t['aiobotocore_ratio']:6.2f}x{advantage}  {verdict}"
            )
        failed = sum(not t["pass"] for t in results["targets"])
        out(f"{len(results['targets']) - failed} of {len(results['targets'])} targets met.")
    return "\n".join(lines)


def per_round_ratios(results: dict[str, Any], key: str, name: str) -> list[float]:
    """client / floor for each round (or fresh-interpreter sample) of a target's metric."""
    if key.startswith("cpu"):
        base, op, concurrency = key.split(":")
        raw = results["throughput_raw"][f"{op}:{concurrency}"]
        floor = UNSIGNED if base == "cpu-unsigned" else "floor"
        pairs = zip(raw[name], raw[floor], strict=True)
        return [c["cpu_us_per_call"] / f["cpu_us_per_call"] for c, f in pairs]
    raw = results["startup_raw"]
    if key == "import":
        values, floors = raw["import"][name], raw["import"]["floor"]
    elif key == "mem_per_extra":
        values = [raw["memory"][name]["per_extra_client"]]
        floors = [raw["memory"]["floor"]["per_extra_client"]]
    else:
        values = [sample[key] for sample in raw["startup"][name]]
        floors = [sample[key] for sample in raw["startup"]["floor"]]
    return [v / f if f else float("inf") for v, f in zip(values, floors, strict=True)]


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    targets = []
    for label, key, limit, *more in TARGETS:
        needs = "throughput" if key.startswith("cpu") else "startup"
        if needs not in results:
            continue
        ratio = metric_value(results, key, "aioapigateway", ratio=True)
        spread = per_round_ratios(results, key, "aioapigateway")
        reference = metric_value(results, key, "aiobotocore", ratio=True)
        # aiobotocore's CPU per call over ours, both as paired ratios to the same floor.
        advantage = reference / ratio if ratio else float("inf")
        min_advantage = more[0] if more else None
        advantage_met = min_advantage is None or advantage >= min_advantage
        targets.append(
            {
                "min_advantage": min_advantage,
                "advantage": advantage,
                "advantage_met": advantage_met,
                "label": label,
                "metric": key,
                "limit": limit,
                "floor": metric_value(
                    results, key, UNSIGNED if key.startswith("cpu-unsigned:") else "floor"
                ),
                "aioapigateway": metric_value(results, key, "aioapigateway"),
                "ratio": ratio,
                "ratio_min": min(spread),
                "ratio_max": max(spread),
                "aiobotocore_ratio": metric_value(results, key, "aiobotocore", ratio=True),
                "pass": ratio <= limit and advantage_met,
            }
        )
    return targets


# -- pacing's cost per call (issue 16) ---------------------------------------------------------


class _NeverWaits:
    """The process's LocalPacer with buckets far above the call rate: all of the pacing path
    (plan, account key, bucket arithmetic) runs on every call, and no call ever waits."""

    def __init__(self) -> None:
        from aioapigateway.runtime.pacing import LocalPacer

        self._local = LocalPacer()

    async def acquire(
        self, key: str, bucket: str, rate: float, burst: float, deadline: float | None
    ) -> float:
        wait: float = await self._local.acquire(key, bucket, 1e9, 1e9, deadline)
        return wait


async def pacing_cost(server: StubServer, rounds: int, calls: int) -> dict[str, Any]:
    """Pacing's CPU per call, in microseconds.

    Whole calls (get_rest_api, concurrency 1, interleaved rounds) of three clients of the same
    stub: pacing unset (a custom endpoint: "auto" does not pace), "off", and a never-waiting
    local pacer. On a shared machine their differences are noisier than the few microseconds
    at stake, so the verdicts use what differs between them, measured alone: "off" and unset
    must leave the client without a pacer (the call path then pays one attribute check), and
    "local" is the CPU of the pacing seam itself (``PacingPlan.wait``: the plan, the account
    key, the bucket arithmetic) in a loop of ``50 * calls`` calls.
    """
    import aioapigateway
    from aioapigateway.runtime.pacing import PacingPlan

    def client(**config: Any) -> Any:
        return aioapigateway.ApiGatewayClient(
            region=clients.REGION,
            endpoint_url=server.url,
            credentials=aioapigateway.Credentials(clients.ACCESS_KEY, clients.SECRET_KEY),
            config=aioapigateway.ClientConfig(**config),
        )

    made = {"unset": client(), "off": client(pacing="off"), "local": client(pacing=_NeverWaits())}
    cpu: dict[str, list[float]] = {name: [] for name in made}
    try:
        for _ in range(rounds):
            for name, each in made.items():

                async def call(each: Any = each) -> Any:
                    return await each.get_rest_api(rest_api_id=clients.REST_API_ID)

                cpu[name].append((await timed_calls(call, 1, calls, server))["cpu_us_per_call"])
        pacers = {name: each._runtime.pacer for name, each in made.items()}
    finally:
        for each in made.values():
            await each.close()
    plan = PacingPlan(_NeverWaits(), clients.REGION, aioapigateway._spec.PACING)
    seam: list[float] = []
    loops = 50 * calls
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(loops):
            await plan.wait("GetRestApi", clients.ACCESS_KEY, None)
        seam.append((time.process_time() - started) / loops * 1e6)
    return {
        "cpu_us_per_call": cpu,
        "client_diff_off": [o - u for o, u in zip(cpu["off"], cpu["unset"], strict=True)],
        "client_diff_local": [lo - o for lo, o in zip(cpu["local"], cpu["off"], strict=True)],
        "no_pacer_when_off": pacers["unset"] is None and pacers["off"] is None,
        "local_pacer_used": pacers["local"] is not None,
        "seam_us": seam,
    }


def render_pacing(raw: dict[str, Any]) -> list[str]:
    """The pacing rows, PASS/FAIL (see :func:`pacing_cost`)."""
    off = statistics.median(raw["client_diff_off"])
    local = statistics.median(raw["client_diff_local"])
    seam = min(raw["seam_us"])
    off_ok = raw["no_pacer_when_off"]
    local_ok = raw["local_pacer_used"] and seam <= 5.0
    return [
        "Pacing (issue 16: CPU per call; whole get_rest_api calls at concurrency 1, median of "
        "the paired rounds' differences, for reference)",
        "-" * 110,
        f"{'pacing off (vs pacing unset)':<40} no pacer on the call path: {off_ok}; "
        f"whole calls {off:+7.2f} us   {'PASS' if off_ok else 'FAIL'}",
        f"{'pacing local (vs pacing off)':<40} pacing seam {seam:5.2f} us/call (<= 5 us); "
        f"whole calls {local:+7.2f} us   {'PASS' if local_ok else 'FAIL'}",
    ]


# -- profiling helpers (inputs for optimization work) ------------------------------------------


def _area(filename: str) -> str:
    """Which package a profiled function belongs to."""
    for marker, area in (
        ("/aioapigateway/", "aioapigateway"),
        ("/benchmarks/", "benchmark adapters (benchmarks/clients.py)"),
        ("/aiobotocore/", "aiobotocore"),
        ("/botocore/", "botocore"),
        ("/aiohttp/", "aiohttp"),
        ("/yarl/", "yarl/multidict/propcache"),
        ("/multidict/", "yarl/multidict/propcache"),
        ("/propcache/", "yarl/multidict/propcache"),
        ("/cattrs/", "attrs/cattrs"),
        ("/attr/", "attrs/cattrs"),
        ("/asyncio/", "asyncio"),
    ):
        if marker in filename:
            return area
    return "builtins (C)" if filename == "~" else "other stdlib/site-packages"


def print_profile(stats: Any, calls: int, sort: str, top: int) -> None:
    """Top functions, the event loop's idle wait left out (it is not CPU), per call."""
    stats.sort_stats(sort)
    idle = 0.0
    rows = []
    areas: dict[str, float] = {}
    for func in stats.fcn_list:
        primitive, total_calls, tottime, cumtime, _ = stats.stats[func]
        filename, line, name = func
        if name == "<method 'poll' of 'select.epoll' objects>":
            idle += tottime
            continue
        area = _area(filename)
        areas[area] = areas.get(area, 0.0) + tottime
        rows.append((func, primitive, total_calls, tottime, cumtime))
    busy = sum(areas.values())
    print(
        f"{busy / calls * 1e6:.1f} us/call in functions (profiler overhead included), "
        f"{idle / calls * 1e6:.1f} us/call idle in epoll (left out below)"
    )
    print(f"{'ncalls':>13} {'tottime s':>9} {'us/op call':>10} {'cumtime s':>9}  function")
    for func, primitive, total_calls, tottime, cumtime in rows[:top]:
        filename, line, name = func
        where = name if filename == "~" else f"{_short(filename)}:{line}({name})"
        ncalls = str(total_calls) if primitive == total_calls else f"{total_calls}/{primitive}"
        print(
            f"{ncalls:>13} {tottime:>9.3f} {tottime / calls * 1e6:>10.1f} {cumtime:>9.3f}  {where}"
        )
    print("tottime by package (us per operation call):")
    for area, seconds in sorted(areas.items(), key=lambda item: -item[1]):
        print(f"  {seconds / calls * 1e6:>8.1f}  {area}")


def _short(filename: str) -> str:
    for marker in ("/site-packages/", "/src/", "/lib/python3.", "/benchmarks/"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3." else tail
    return filename


async def _profile_loop(
    server: StubServer, client: str, op: str, calls: int, concurrency: int, sort: str, top: int
) -> None:
    import cProfile
    import pstats

    adapter_cls = clients.ADAPTERS[client]
    adapter_cls.load()
    adapter = adapter_cls(server.url)
    await adapter.start()
    await adapter.start_connections()
    call = getattr(adapter, op)
    per_task = max(1, calls // concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    await asyncio.gather(*(worker(max(1, 200 // concurrency)) for _ in range(concurrency)))
    gc.collect()
    profile = cProfile.Profile()
    profile.enable()
    await asyncio.gather(*(worker(per_task) for _ in range(concurrency)))
    profile.disable()
    await adapter.close()
    calls = per_task * concurrency
    print(
        f"cProfile of {client} {op}(), concurrency {concurrency}, {calls} calls, sorted by {sort}:"
    )
    print_profile(pstats.Stats(profile), calls, sort, top)


_FIRST_CALL_PROFILE = """
import asyncio, cProfile, pstats, sys, time
import aioapigateway

async def _inline(func, /, *args, **kwargs):  # run to_thread work where cProfile sees it
    return func(*args, **kwargs)

asyncio.to_thread = _inline

async def main(url):
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    client = aioapigateway.ApiGatewayClient(
        region="us-east-1", endpoint_url=url, credentials=aioapigateway.Credentials("AKID", "SECRET"))
    await client.get_rest_api(rest_api_id="abc")
    profile.disable()
    elapsed = time.perf_counter() - started
    await client.close()
    print(f"first call (construct + get_rest_api) under cProfile: {elapsed * 1e3:.1f} ms wall")
    print("(asyncio.to_thread ran inline so that the file reads it does are profiled)")
    for sort in ("cumulative", "tottime"):
        print(f"--- sorted by {sort}")
        pstats.Stats(profile).sort_stats(sort).print_stats(int(sys.argv[2]))

asyncio.run(main(sys.argv[1]))
"""


def first_call_phases(server: StubServer, env: dict[str, str], samples: int, cwd: str) -> str:
    """Where aioapigateway's construction + first call go, phase by phase: the median over
    ``samples`` fresh interpreters of each phase's wall time (see clients.FIRST_CALL_PHASES),
    next to the floor's construction + first call in the same interpreters' rotation."""
    client_probe("startup", "aioapigateway", server.url, 1, env, cwd)  # untimed: .pyc
    client_probe("startup", "floor", server.url, 1, env, cwd)
    runs = []
    floors = []
    for _ in range(samples):
        runs.append(client_probe("phases", "aioapigateway", server.url, 1, env, cwd))
        floors.append(client_probe("startup", "floor", server.url, 1, env, cwd))

    def median_ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1e3:8.3f}"

    def line(label: str, pick: Callable[[dict[str, Any]], float]) -> str:
        wall = median_ms([pick(r) for r in runs])
        return f"{label:<42}{wall}  {median_ms([pick(r['cpu']) for r in runs])}"

    out = [
        f"aioapigateway's construction + first get_rest_api, by phase: median of {samples} "
        "fresh interpreters (ms; a nested phase is not counted in its parent; CPU is the "
        "event loop thread's)",
        f"{'':<42}{'wall':>8}  {'CPU':>8}",
        line("construction", lambda r: r["construction"]),
        line("first call", lambda r: r["first_call"]),
    ]
    for phase, *_ in clients.FIRST_CALL_PHASES:
        out.append(line(f"  {phase}", lambda r, phase=phase: r["phases"].get(phase, 0.0)))
    out.append(line("  the rest (serialize, sign, parse, ...)", lambda r: r["rest"]))
    total = [r["construction"] + r["first_call"] for r in runs]
    floor_total = [f["first_call_total"] for f in floors]
    out.append(f"{'construction + first call':<42}{median_ms(total)}")
    out.append(
        f"{'the floor: construction + first call':<42}{median_ms(floor_total)}"
        f"   ratio {paired_ratio(total, floor_total):.2f}x (the probe's wrappers included)"
    )
    out.append(f"(load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])})")
    return "\n".join(out)


def _importtime(statement: str, env: dict[str, str]) -> list[tuple[int, int, int, str]]:
    """(cumulative us, self us, depth, module) for each module ``statement`` imports."""
    cwd = tempfile.gettempdir()
    run_python(["-c", f"{statement}; print('PROBE ok')"], env, cwd)  # untimed: cache .pyc
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(.+)$", line)
        if match:
            rows.append((int(match[2]), int(match[1]), len(match[3]) // 2, match[4].strip()))
    return rows


def importtime_breakdown(module: str, env: dict[str, str], top: int) -> str:
    rows = _importtime(f"import {module}", env)
    floor = {row[3] for row in _importtime(clients.Floor.import_statement, env)}
    total = sum(row[1] for row in rows)
    out = [f"python -X importtime -c 'import {module}': top {top} by cumulative time (us)"]
    out.append(f"{'cumulative':>10} {'self':>8} {'depth':>5}  module")
    for cumulative, self_us, depth, name in sorted(rows, reverse=True)[:top]:
        out.append(f"{cumulative:>10,} {self_us:>8,} {depth:>5}  {name}")
    out.append(f"(all {len(rows)} modules: {total / 1e3:.1f} ms; one sample)")
    extra = [row for row in rows if row[3] not in floor]
    out.append("")
    out.append(
        f"Modules the floor ({clients.Floor.import_statement}) does not import: "
        f"{len(extra)}, {sum(r[1] for r in extra) / 1e3:.1f} ms of self time; top {top} by self:"
    )
    out.append(f"{'self':>10} {'cumulative':>10} {'depth':>5}  module")
    for cumulative, self_us, depth, name in sorted(extra, key=lambda r: -r[1])[:top]:
        out.append(f"{self_us:>10,} {cumulative:>10,} {depth:>5}  {name}")
    return "\n".join(out)


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--quick", action="store_true", help="a short run (a smoke test, noisy)")
    parser.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    parser.add_argument("--rounds", type=int, help="rounds of per-call measurements (default 9)")
    parser.add_argument("--calls", type=int, help="calls per measurement (default 2000)")
    parser.add_argument(
        "--reference-calls",
        type=int,
        help="calls per measurement for aiobotocore, the slow reference (default: half of --calls)",
    )
    parser.add_argument("--samples", type=int, help="fresh-interpreter samples (default 7)")
    parser.add_argument(
        "--memory-clients", type=int, help="clients in the memory probe (default 100)"
    )
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument(
        "--profile",
        choices=("get_rest_api", "get_rest_apis", CONNECTION_OPERATION, "first-call"),
        help="instead of benchmarking, cProfile aioapigateway",
    )
    parser.add_argument(
        "--profile-first-call",
        action="store_true",
        help="instead of benchmarking, time the phases of the first call (settings, "
        "credentials, endpoint, model classes, parser compilation, connection) over --samples "
        "fresh interpreters (default 15)",
    )
    parser.add_argument("--profile-client", choices=THROUGHPUT_CLIENTS, default="aioapigateway")
    parser.add_argument("--profile-calls", type=int, default=3000)
    parser.add_argument("--profile-concurrency", type=int, default=1)
    parser.add_argument("--profile-sort", default="tottime")
    parser.add_argument("--top", type=int, default=15, help="rows of profile output")
    parser.add_argument(
        "--importtime",
        nargs="?",
        const="aioapigateway",
        metavar="MODULE",
        help="instead of benchmarking, print an -X importtime breakdown",
    )
    args = parser.parse_args(argv)

    rounds = args.rounds or (2 if args.quick else 9)
    calls = args.calls or (320 if args.quick else 2000)
    samples = args.samples or (3 if args.quick else 7)
    memory_clients = args.memory_clients or (20 if args.quick else 100)
    reference_calls = args.reference_calls or max(32, calls // 2)
    warm = 5 if args.quick else 10
    for value, name in (
        (rounds, "rounds"),
        (calls, "calls"),
        (reference_calls, "reference-calls"),
        (samples, "samples"),
    ):
        if not 1 <= value <= 100_000:
            parser.error(f"--{name} out of range")
    if not 2 <= memory_clients <= 1000:
        parser.error("--memory-clients must be 2..1000")
    if not 1 <= args.profile_concurrency <= 1000 or not 1 <= args.profile_calls <= 100_000:
        parser.error("--profile-concurrency must be 1..1000 and --profile-calls 1..100000")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="aioapigw-bench-") as tmp:
        env = make_environment(Path(tmp))
        # This process runs clients too: same environment as the probes.
        os.environ.clear()
        os.environ.update(env)
        if args.importtime:
            print(importtime_breakdown(args.importtime, env, args.top))
            return 0
        with stub_server(env) as server:
            if args.profile_first_call:
                print(first_call_phases(server, env, args.samples or 15, tmp))
                return 0
            if args.profile == "first-call":
                # Untimed: compile and cache the .pyc files the first call imports.
                client_probe("startup", "aioapigateway", server.url, 1, env, tmp)
                done = subprocess.run(
                    [sys.executable, "-c", _FIRST_CALL_PROFILE, server.url, str(args.top)],
                    env=env,
                    cwd=tmp,
                    timeout=PROBE_TIMEOUT,
                )
                return done.returncode
            if args.profile:
                asyncio.run(
                    _profile_loop(
                        server,
                        args.profile_client,
                        args.profile,
                        args.profile_calls,
                        args.profile_concurrency,
                        args.profile_sort,
                        args.top,
                    )
                )
                return 0

            results: dict[str, Any] = {
                "machine": machine_info(),
                "parameters": {
                    "rounds": rounds,
                    "calls": calls,
                    "reference_calls": reference_calls,
                    "samples": samples,
                    "memory_clients": memory_clients,
                    "warm_constructions": warm,
                    "quick": args.quick,
                },
            }
            check_floor_signature(server.port)
            started = time.monotonic()
            if not args.skip_throughput:
                log(f"per-call measurements: {rounds} rounds x {calls} calls ...")
                raw = asyncio.run(throughput(server, rounds, calls, reference_calls, log))
                results["throughput_raw"] = raw
                results["throughput"], results["throughput_ratio"] = summarize_throughput(raw)
                results["throughput_ratio_unsigned"] = summarize_throughput(raw, UNSIGNED)[1]
            if not args.skip_throughput:
                log(f"pacing: {rounds} rounds x {calls} calls x 3 clients ...")
                results["pacing_raw"] = asyncio.run(pacing_cost(server, rounds, calls))
            if not args.skip_startup:
                log(f"start-up probes: {samples} samples per client ...")
                probed = startup(server, env, samples, warm, memory_clients, log)
                results["startup_raw"] = probed["raw"]
                results["startup"] = probed["summary"]
                results["startup_ratio"] = probed["ratios"]
            results["elapsed_s"] = time.monotonic() - started
            results["loadavg_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    results["targets"] = evaluate_targets(results)
    sys.stderr.flush()
    print(render(results))
    if "pacing_raw" in results:
        print("\n" + "\n".join(render_pacing(results["pacing_raw"])))
    print(f"(measured in {results['elapsed_s']:.0f} s)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        log(f"results saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
