"""The proof against a real quota: a bulk job by 4 worker processes against a loopback API
Gateway that throttles with the quota table's token buckets (tests/_quota_server.py).

The job is the issue's: 30 CreateResource, 3 CreateDeployment and 60 Get* calls (15
GetResources, 45 GetRestApi), at the real quotas, unscaled: its quota-bound minimum is
CreateDeployment's 2 x 5 s = 10 s (every other bucket needs less, see ``minimum_seconds``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _quota_server import QuotaServer, minimum_seconds, quota_buckets, quota_server, run_bulk_job
from _redis import redis_server

from aioapigateway import errors as rest_errors
from aioapigateway.management import errors as management_errors
from aioapigateway.runtime.errors import PacingTimeoutError
from aioapigateway.v2 import errors as v2_errors

JOB = {"CreateResource": 30, "CreateDeployment": 3, "GetResources": 15, "GetRestApi": 45}


@pytest.fixture(scope="module")
def server() -> Iterator[QuotaServer]:
    with quota_server() as running:
        yield running


def test_the_minimum_is_the_slowest_bucket() -> None:
    table = quota_buckets()
    assert minimum_seconds(JOB, table) == 10.0  # CreateDeployment: (3 - 1) / 0.2
    # 93 calls through the total bucket (10/s, burst 40): (93 - 40) / 10.
    assert minimum_seconds({"GetRestApi": 93}, table) == pytest.approx(5.3)
    assert minimum_seconds({"GetRestApi": 40}, table) == 0.0


def test_without_pacing_the_bulk_job_is_throttled_and_calls_fail(server: QuotaServer) -> None:
    report = run_bulk_job(server, JOB, account=100000000001)
    assert report.calls == 93
    # 30 CreateResource against a burst of 5 and 3 CreateDeployment against 1, all at once:
    # 19-21 throttled responses in runs here; at least half of that whatever the scheduling.
    assert report.throttled >= 10
    # Two of the three deployments find no token for 5 s; standard mode's two retries are
    # over in under 3 s, so at least one of them fails whatever the jitter.
    assert report.failed >= 1


def test_redis_pacer_across_4_processes_is_never_throttled(
    server: QuotaServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        report = run_bulk_job(server, JOB, account=200000000001, redis_url=url)
    assert (report.calls, report.throttled, report.failed) == (93, 0, 0)
    assert report.minimum == 10.0
    assert report.minimum <= report.seconds <= 1.10 * report.minimum


def test_generated_errors_modules_re_export_pacing_timeout_error() -> None:
    for module in (rest_errors, v2_errors, management_errors):
        assert module.PacingTimeoutError is PacingTimeoutError
        assert "PacingTimeoutError" in module.__all__
        assert module.__doc__ is not None and "PacingTimeoutError" in module.__doc__
