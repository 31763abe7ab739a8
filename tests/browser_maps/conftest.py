"""Browser tests of the maps and the search: the bundled site, served
with gzip like a production server, and Chromium with every request outside the site
answered locally (tiles get a tiny PNG; the hosts asked are recorded)."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.first_search import GzipHandler as _Handler
from browser_harness import KeeperHandler, keep_renderer, run_axe, serving
from conftest import demo_options

from .map_visits import MAP_PAGES

ROOT = Path(__file__).resolve().parents[2]
BUILD_DATE = "2026-11-23"
TILE_HOST = "data.geopf.fr"
# A 1×1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="session")
def maps_site(demo_site) -> Path:
    return demo_site


def _serve(site: Path):
    with serving(functools.partial(_Handler, directory=str(site))) as url:
        yield url


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


@pytest.fixture(scope="session")
def maps_context(browser):
    """The context of the maps' tests, French at Paris time, a fresh page for each test (a context
    per test cost a third of a second). Nothing the site stores outlives its page: it keeps no
    cookie nor storage, and routing a page disables the HTTP cache (its server says no-store too).
    bypass_csp: the axe-core these tests inject would break the pages' own policy (<meta>)."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    context.set_default_timeout(15_000)
    with serving(KeeperHandler) as keeper_url:
        keep_renderer(context, keeper_url)
        yield context
        context.close()


@contextlib.contextmanager
def traffic_context(maps_context, maps_url: str, reduced_motion: str | None = None):
    """A fresh page whose requests outside the site are recorded and answered locally, with
    ``reduced_motion`` as the system's setting when given."""
    page = maps_context.new_page()
    traffic = Traffic(maps_url.rstrip("/"))

    def outside(route):
        url = route.request.url
        traffic.outside.append(url)
        if urlsplit(url).hostname == TILE_HOST:
            route.fulfill(status=200, body=PNG, headers={"Content-Type": "image/png"})
        else:
            route.abort()

    # A pattern, matched by Playwright, rather than a function called back for every request.
    page.route(re.compile("^(?!" + re.escape(traffic.origin) + ")"), outside)
    if reduced_motion:
        page.emulate_media(reduced_motion=reduced_motion)
    page.on("request", lambda request: traffic.requests.append(request))
    try:
        yield page, traffic
    finally:
        page.close()


@pytest.fixture
def traffic_page(maps_context, maps_url):
    """A fresh page whose requests outside the site are recorded and answered locally."""
    with traffic_context(maps_context, maps_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def map_visits(maps_context, maps_url, tmp_path_factory):
    """kind of MAP_PAGES -> the results of its one visit (map_visits.py), once per test run: the
    first pytest-xdist worker to need a map visits it, the other reads what it found."""
    from conftest import shared_build

    from .map_visits import visit_map

    cache: dict[str, dict] = {}

    def results(kind: str) -> dict:
        if kind not in cache:

            def build(out: Path) -> None:
                with traffic_context(maps_context, maps_url) as (page, traffic):
                    found = visit_map(page, traffic, maps_url, kind, run_axe, watch)
                out.write_text(json.dumps(found), encoding="utf-8")

            cache[kind] = json.loads(shared_build(tmp_path_factory, f"map-visit-{kind}", build).read_text())
        return cache[kind]

    return results


@pytest.fixture(scope="session", params=list(MAP_PAGES))
def map_visited(request, map_visits) -> dict:
    """The visit of each map page in turn (a session-scoped parameter: the tests of one map run
    together, so that one worker visits it while the other visits another)."""
    return map_visits(request.param)


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
