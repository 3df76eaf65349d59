"""``make demo``: start a local API Gateway (moto) on a free loopback port, run the quickstart
against it, and stop the server by its pid, also when the quickstart fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from _moto import MotoServer  # noqa: E402  (the test suite's launcher, shared)


def main() -> int:
    server = MotoServer()
    url = server.start()
    print(f"local API Gateway (moto) listening on {url}, pid {server.pid}")
    try:
        env = dict(
            os.environ,
            AWS_ACCESS_KEY_ID="demo",
            AWS_SECRET_ACCESS_KEY="demo",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        env.pop("AWS_PROFILE", None)
        result = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "quickstart.py"), "--endpoint-url", url],
            env=env,
            check=False,
        )
        return result.returncode
    finally:
        server.stop()
        print("local API Gateway stopped")


if __name__ == "__main__":
    sys.exit(main())
