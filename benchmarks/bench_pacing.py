"""``make bench-pacing``: a bulk job by 4 worker processes against a loopback API Gateway that
enforces the quota table (tests/_quota_server.py), without pacing and with a RedisPacer.

Prints one row per mode: calls, 429s the server answered, calls failed after retries
(standard mode, 3 attempts), total time, the quota-bound minimum, and their ratio.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _quota_server import BulkReport, quota_server, run_bulk_job
from _redis import redis_server

JOB = {"CreateResource": 60, "CreateDeployment": 4, "GetResources": 30, "GetRestApi": 100}


def _row(report: BulkReport) -> str:
    return (
        f"| {report.mode} | {report.calls} | {report.throttled} | {report.failed} "
        f"| {report.seconds:.2f} s | {report.minimum:.2f} s | {report.ratio:.3f} |"
    )


def main() -> None:
    """Run the job in both modes and print the table."""
    print("job:", ", ".join(f"{n} {operation}" for operation, n in JOB.items()), "; 4 processes")
    with quota_server() as server, tempfile.TemporaryDirectory() as directory:
        with redis_server(Path(directory)) as url:
            reports = [
                run_bulk_job(server, JOB, account=300000000001),
                run_bulk_job(server, JOB, account=400000000001, redis_url=url),
            ]
    print("| mode | calls | 429s | failed | total time | minimum | ratio |")
    print("|---|---|---|---|---|---|---|")
    for report in reports:
        print(_row(report))


if __name__ == "__main__":
    main()
