"""Browser tests of the maps and the search: the bundled site, served
with gzip like a production server, and Chromium with every request outside the site
answered locally (tiles get a tiny PNG; the hosts asked are recorded)."""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.first_search import GzipHandler as _Handler
from conftest import demo_options

ROOT = Path(__file__).resolve().parents[2]
BUILD_DATE = "2026-11-23"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TILE_HOST = "data.geopf.fr"
# A 1×1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="session")
def maps_site(demo_site) -> Path:
    return demo_site


def _serve(site: Path):
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="session")
def maps_url(maps_site: Path):
    yield from _serve(maps_site)


@pytest.fixture(scope="session")
def split_url(demo_site_split):
    """The same site with its search index in parts (40 pages at most each), served."""
    yield from _serve(demo_site_split)


@dataclass
class Traffic:
    """Every request of a page, in order, and what was answered from outside the site."""

    origin: str
    requests: list = field(default_factory=list)  # playwright Request objects
    outside: list[str] = field(default_factory=list)  # URLs outside the site, in order

    def hosts_outside(self, since: int = 0) -> set[str]:
        return {urlsplit(u).hostname for u in self.outside[since:]}

    def transferred(self, keep=lambda url: True) -> int:
        """Bytes received (headers and encoded bodies) for the finished requests kept."""
        total = 0
        for request in self.requests:
            if not keep(request.url):
                continue
            response = request.response()
            if response is None:
                continue
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total


@contextlib.contextmanager
def traffic_context(browser, maps_url: str, **options):
    """A fresh context and page whose requests outside the site are recorded and answered locally
    (``options``: more context options, such as ``reduced_motion``)."""
    # bypass_csp: the axe-core these tests inject would break the pages' own policy (<meta>).
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True, **options)
    context.set_default_timeout(15_000)
    traffic = Traffic(maps_url.rstrip("/"))

    def outside(route):
        url = route.request.url
        traffic.outside.append(url)
        if urlsplit(url).hostname == TILE_HOST:
            route.fulfill(status=200, body=PNG, headers={"Content-Type": "image/png"})
        else:
            route.abort()

    context.route(lambda url: not url.startswith(traffic.origin), outside)
    page = context.new_page()
    page.on("request", lambda request: traffic.requests.append(request))
    try:
        yield page, traffic
    finally:
        context.close()


@pytest.fixture
def traffic_page(browser, maps_url):
    """A fresh context and page whose requests outside the site are recorded and answered locally."""
    with traffic_context(browser, maps_url) as opened:
        yield opened


def run_axe(frame, tags: list[str] | None = None) -> list[dict]:
    frame.add_script_tag(path=str(AXE_JS))
    options = {"runOnly": {"type": "tag", "values": tags or WCAG_TAGS}, "resultTypes": ["violations"]}
    return frame.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


def describe(violations: list[dict], where: str) -> str:
    lines = [f"{where}: {len(violations)} axe violation(s)"]
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {', '.join(targets)}")
        summary = v["nodes"][0].get("failureSummary", "").replace("\n", " ")
        if summary:
            lines.append(f"    {summary[:300]}")
    return "\n".join(lines)


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    return problems


@pytest.fixture(scope="session")
def catalogue_sites():
    import datetime as dt

    from mednum.catalogue import load_catalogue

    options = demo_options(dt.date.fromisoformat(BUILD_DATE))
    catalogue, report = load_catalogue(options)
    assert catalogue is not None, report.text()
    return catalogue.sites


@pytest.fixture(scope="session")
def catalogue_workshops():
    import datetime as dt

    from mednum.catalogue import load_catalogue

    options = demo_options(dt.date.fromisoformat(BUILD_DATE))
    catalogue, _ = load_catalogue(options)
    return catalogue.workshops
