"""A real ``moto_server`` process for the end-to-end tests.

``MotoServer`` starts moto on a free 127.0.0.1 port, waits until it answers, and stops it by
its pid (terminate, then kill after a grace period), also when start-up fails. The server's
stdout/stderr go to a temporary file whose content is shown when start-up fails.

moto cannot be handed a listening socket, so the port is picked by binding port 0 and
closing that socket before moto binds it; another process may take it in between. A server
that exits during start-up (the port was taken, or anything else) is therefore started again
on a new port, at most ``START_ATTEMPTS`` times in all.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["MotoServer", "MotoStartError", "free_port", "moto_server"]

START_ATTEMPTS = 3  # processes started before giving up, each on a new port
START_DEADLINE = 30.0  # seconds to wait for the server to answer
POLL_INTERVAL = 0.1
MAX_POLLS = int(START_DEADLINE / POLL_INTERVAL) + 1
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL
HOST = "127.0.0.1"


class MotoStartError(RuntimeError):
    """moto_server did not come up; the message includes its output."""


class _ExitedEarly(MotoStartError):
    """The process ended before it answered (e.g. its port was taken meanwhile)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("moto_server")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "-H", HOST, "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)]


class MotoServer:
    """One moto_server process; ``url`` is its base URL once ``start()`` returned."""

    def __init__(self) -> None:
        self.port = 0
        self.pid = 0
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.attempts = 0  # processes started by the last ``start()``
        self._log: IO[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        """Start moto and wait until it answers; a new port for each of a few attempts."""
        failures: list[str] = []
        for attempt in range(1, START_ATTEMPTS + 1):
            self.attempts = attempt
            try:
                return self._start_once()
            except _ExitedEarly as exc:
                failures.append(str(exc))
        raise MotoStartError(
            f"moto_server exited during start-up {START_ATTEMPTS} times:\n" + "\n".join(failures)
        )

    def _start_once(self) -> str:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._log = tempfile.NamedTemporaryFile(prefix="moto_server-", suffix=".log", delete=False)
        # Nothing from the developer's AWS setup may leak into the server.
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            PYTHONUNBUFFERED="1",
        )
        self.process = subprocess.Popen(
            _command(self.port),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self.pid = self.process.pid
        try:
            self._wait_until_ready()
        except Exception as exc:
            output = self.output()
            self.stop()
            error = _ExitedEarly if isinstance(exc, _ExitedEarly) else MotoStartError
            raise error(
                f"moto_server on port {self.port} did not start ({exc}; command "
                f"{_command(self.port)}).\n--- server output ---\n{output}"
            ) from None
        except BaseException:
            self.stop()
            raise
        return self.url

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_DEADLINE
        last_error: Exception | None = None
        for _ in range(MAX_POLLS):
            if self.process.poll() is not None:
                raise _ExitedEarly(f"moto_server exited with code {self.process.returncode}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                with urllib.request.urlopen(
                    f"{self.url}/moto-api/", timeout=min(2.0, remaining)
                ) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_error = exc
            time.sleep(POLL_INTERVAL)
        raise MotoStartError(f"moto_server did not answer: {last_error!r}")

    def output(self) -> str:
        if self._log is None:
            return ""
        with contextlib.suppress(OSError):
            self._log.flush()
            return Path(self._log.name).read_text(encoding="utf-8", errors="replace")
        return ""

    def stop(self) -> None:
        """Stop the process by its pid: terminate, wait, kill if it does not go."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_GRACE)
        log, self._log = self._log, None
        if log is not None:
            log.close()
            with contextlib.suppress(OSError):
                os.unlink(log.name)

    # -- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every resource moto holds (``POST /moto-api/reset``)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status != 200:
                raise RuntimeError(f"moto reset failed: HTTP {response.status}")


@contextlib.contextmanager
def moto_server() -> Iterator[MotoServer]:
    """A started ``MotoServer``, stopped on exit whatever happens."""
    server = MotoServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
