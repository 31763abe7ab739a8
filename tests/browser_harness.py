"""What the browser tests (tests/browser, tests/browser_maps) run on: HTTP servers on 127.0.0.1,
and the steps of a visit that measures a page for several tests."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


class QuietServer(http.server.ThreadingHTTPServer):
    """A browser that leaves a page drops its connections: not worth a traceback, other errors are."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serving(handler) -> Iterator[str]:
    """``handler`` on http://127.0.0.1:<free port>/ from a background thread."""
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class KeeperHandler(http.server.BaseHTTPRequestHandler):
    """An empty page, for keep_renderer."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"<!doctype html><title>-</title>")

    def log_message(self, format, *args):
        pass


def keep_renderer(context, keeper_url: str) -> None:
    """An idle page of the test servers' site (a site ignores the port: every server here is
    127.0.0.1), left open in a shared context: Chromium then gives each new page of that site the
    renderer process already running instead of starting one (about a third of a second of CPU
    for each page a test opens)."""
    context.new_page().goto(keeper_url)


class InFlight:
    """The requests of a page not yet answered, counted from Playwright's events from now on.

    ``settle()`` is networkidle's rule (the load event, then no request for a while) with a
    quiet time of 50 ms instead of Playwright's fixed 500 ms: the pages are served from
    127.0.0.1, and 40 visits spent 16 s waiting for the rest of the half-second."""

    EVENTS = ("request", "requestfinished", "requestfailed")

    def __init__(self, page):
        self.page, self.open, self.since = page, 0, time.monotonic()
        self.handlers = dict(zip(self.EVENTS, (self._started, self._ended, self._ended), strict=True))
        for event, handler in self.handlers.items():
            page.on(event, handler)

    def _started(self, request) -> None:
        self.open, self.since = self.open + 1, time.monotonic()

    def _ended(self, request) -> None:
        self.open, self.since = self.open - 1, time.monotonic()

    def settle(self, quiet: float = 0.05, timeout: float = 15.0) -> None:
        self.page.wait_for_load_state("load")
        deadline = time.monotonic() + timeout
        while self.open > 0 or time.monotonic() - self.since < quiet:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.open} request(s) still open after {timeout} s")
            self.page.wait_for_timeout(10)  # lets Playwright deliver the events meanwhile

    def close(self) -> None:
        for event, handler in self.handlers.items():
            self.page.remove_listener(event, handler)

    def __enter__(self) -> InFlight:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def step_recorder(found: dict) -> Callable:
    """``step(name, work)``: work's result, or None when it raises, the traceback then kept in
    ``found["errors"][name]``. A visit goes on after a failed step, so only the tests reading
    that step fail."""
    found.setdefault("errors", {})

    def step(name: str, work):
        try:
            return work()
        except Exception:
            found["errors"][name] = traceback.format_exc(limit=-3)
            return None

    return step


def outcome(visited: dict, key: str, *steps: str):
    """visited[key] (a step's result), or the test fails with what went wrong in its steps."""
    for step in ("load", *steps):
        if step in visited["errors"]:
            pytest.fail(f"/{visited['url']}: the visit failed at {step}:\n{visited['errors'][step]}")
    return visited[key]


@functools.cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def inject_axe(target) -> None:
    """axe-core in a page or a frame, once per document. Evaluated rather than added as a <script>
    element: its 650 kB of text in the DOM made every run about twice as slow, and the page's
    policy does not apply to what the test evaluates."""
    if not target.evaluate("() => typeof window.axe === 'object'"):
        target.evaluate(axe_source())


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 720}  # Playwright's default viewport


def run_axe(target, tags: list[str] | None = None, rules: dict | None = None) -> list[dict]:
    """axe-core's violations in a loaded page or frame, for the given rule tags (WCAG A/AA by
    default)."""
    inject_axe(target)
    options = {"runOnly": {"type": "tag", "values": tags or WCAG_TAGS}, "resultTypes": ["violations"]}
    if rules:
        options["rules"] = rules
    return target.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


def describe_violations(violations: list[dict], where: str) -> str:
    lines = [f"{where}: {len(violations)} axe violation(s)"]
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {', '.join(targets)}{more}")
        summary = v["nodes"][0].get("failureSummary", "").replace("\n", " ")
        if summary:
            lines.append(f"    {summary[:300]}")
    return "\n".join(lines)
