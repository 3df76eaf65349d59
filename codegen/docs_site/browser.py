"""``make docs-check``: the built site in a real headless browser (Debian's Chromium).

The site is served by ``python -m http.server`` on a free loopback port (a process started
here and stopped by its pid), Chromium runs with a fresh profile through Playwright (its
own browser downloads are not used: ``executable_path`` is Debian's binary), and four
things are checked: the home page, a client page, a model page and a search. Any console
error, uncaught page error, failed request or HTTP error fails the check, and so does a
page or a search that shows nothing. Screenshots go to ``SITE/_screenshots/``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import attrs
from playwright.sync_api import ConsoleMessage, Page, Request, Response, sync_playwright

__all__ = ["CHROMIUM_FLAGS", "browser_check"]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_SERVER_START_SECONDS = 10.0
_TIMEOUT_MS = 30_000


@attrs.define(slots=False)  # Playwright sets attributes on the handlers it is given
class _Problems:
    """What went wrong in the browser, as it happened."""

    lines: list[str] = attrs.field(factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.lines.append(f"console error: {message.text} ({message.location.get('url')})")

    def page_error(self, error: Exception) -> None:
        self.lines.append(f"uncaught error in the page: {error}")

    def request_failed(self, request: Request) -> None:
        self.lines.append(f"request failed: {request.url} ({request.failure})")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.lines.append(f"HTTP {response.status}: {response.url}")


def _serve(site: Path) -> tuple[subprocess.Popen[str], str]:
    """``python -m http.server`` on a free loopback port; its process and base URL."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
            str(site),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + _SERVER_START_SECONDS
    assert server.stdout is not None
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        match = re.search(r"port (\d+)", line)
        if match:
            return server, f"http://127.0.0.1:{match.group(1)}"
        if not line and server.poll() is not None:
            break
    _stop(server)
    raise RuntimeError("the http server did not start")


def _stop(server: subprocess.Popen[str]) -> None:
    """Stop the server by its pid (terminate, then kill if it lingers)."""
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)
    if server.stdout is not None:
        server.stdout.close()


def _expect(condition: bool, what: str, problems: _Problems) -> None:
    if not condition:
        problems.lines.append(what)


def _heading(page: Page) -> str:
    """The page's title, without the permalink sign the theme appends."""
    return page.locator("article h1").first.inner_text().replace("\u00b6", "").strip()


def _check_home(page: Page, base: str, problems: _Problems) -> str:
    page.goto(f"{base}/index.html", wait_until="load")
    title = _heading(page)
    links = page.locator("nav.md-nav a.md-nav__link").count()
    _expect(bool(title.strip()), "home page: no title", problems)
    _expect(links > 10, f"home page: {links} navigation links", problems)
    return f"home page: {title!r}, {links} navigation links"


def _check_client(page: Page, base: str, path: str, problems: _Problems) -> str:
    page.goto(f"{base}/{path}", wait_until="load")
    operations = page.locator("article h2[id] + div.highlight").count()
    rows = page.locator("article table").first.locator("tbody tr").count()
    _expect(operations > 0, f"{path}: no operation signature", problems)
    _expect(rows > 0, f"{path}: empty operations table", problems)
    return f"client page: {rows} operations in the table, {operations} signatures"


def _check_model(page: Page, base: str, path: str, problems: _Problems) -> str:
    page.goto(f"{base}/{path}", wait_until="load")
    title = _heading(page)
    fields = page.locator("article h3[id]").count()
    _expect(fields > 0, f"{path}: no field", problems)
    return f"model page: {title!r}, {fields} fields"


def _check_search(page: Page, base: str, query: str, problems: _Problems) -> str:
    page.goto(f"{base}/index.html", wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    results = page.locator(".md-search-result__item")
    try:
        results.first.wait_for(state="visible", timeout=_TIMEOUT_MS)
    except Exception as exc:  # Playwright's TimeoutError: reported as an empty result
        problems.lines.append(f"search {query!r}: no result ({type(exc).__name__})")
        return f"search {query!r}: no result"
    meta = page.locator(".md-search-result__meta").inner_text()
    count = results.count()
    _expect(count > 0, f"search {query!r}: no result", problems)
    return f"search {query!r}: {meta.strip()!r}, {count} results shown"


def _step(
    page: Page, screenshots: Path, name: str, problems: _Problems, run: Callable[[], str]
) -> None:
    before = len(problems.lines)
    summary = run()
    page.wait_for_timeout(300)  # late console errors (scripts run after load) are counted
    page.screenshot(path=str(screenshots / f"{name}.png"))
    status = "ok" if len(problems.lines) == before else "FAILED"
    print(f"docs-check: {status}: {summary} -> {screenshots / name}.png")


def browser_check(site: Path, chromium: str, client_page: str, model_page: str, query: str) -> int:
    """Open the site in headless Chromium; 0 when every check passed."""
    if not Path(chromium).exists():
        print(f"docs-check: no Chromium at {chromium} (apt-get install chromium)", file=sys.stderr)
        return 1
    for path in ("index.html", client_page, model_page):
        if not (site / path).is_file():
            print(f"docs-check: {site / path} is missing: run make docs first", file=sys.stderr)
            return 1
    screenshots = site / "_screenshots"
    screenshots.mkdir(exist_ok=True)
    problems = _Problems()
    server, base = _serve(site)
    try:
        with tempfile.TemporaryDirectory(prefix="docs-check-") as profile, sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=chromium,
                headless=True,
                args=list(CHROMIUM_FLAGS),
                viewport={"width": 1280, "height": 900},
            )
            try:
                page = context.new_page()
                page.set_default_timeout(_TIMEOUT_MS)
                page.on("console", problems.console)
                page.on("pageerror", problems.page_error)
                page.on("requestfailed", problems.request_failed)
                page.on("response", problems.response)
                _step(
                    page, screenshots, "home", problems, lambda: _check_home(page, base, problems)
                )
                _step(
                    page,
                    screenshots,
                    "client",
                    problems,
                    lambda: _check_client(page, base, client_page, problems),
                )
                _step(
                    page,
                    screenshots,
                    "model",
                    problems,
                    lambda: _check_model(page, base, model_page, problems),
                )
                _step(
                    page,
                    screenshots,
                    "search",
                    problems,
                    lambda: _check_search(page, base, query, problems),
                )
            finally:
                context.close()
    finally:
        _stop(server)
    for line in problems.lines:
        print(f"docs-check: {line}", file=sys.stderr)
    if problems.lines:
        print(f"docs-check: FAILED ({len(problems.lines)} problem(s))", file=sys.stderr)
        return 1
    print("docs-check: passed")
    return 0
