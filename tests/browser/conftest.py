"""The browser layer: one built site, one local HTTP server and one Chromium per test session.

The site is the demo catalogue (demo/, as `make demo` builds it) built by Pelican into a temporary folder, at a fixed
build date. Debian's chromium is driven by Playwright (``playwright install`` is not used);
the Nu Html Checker needs Java. Without them the tests that need them are skipped (and a skip
fails the run under CI, see tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import json
import re
import shutil
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from browser_harness import DESKTOP, WCAG_TAGS, KeeperHandler, keep_renderer, run_axe, serving
from conftest import demo_options

from .deploy_headers import headers_for

ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "theme"
BUILD_DATE = "2026-11-23"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# One page of every kind, at its site-relative address. The two example places show every
# block of a place page (itinerant stops, accessibility, workshops, notices…).
PAGES = {
    "home": "",
    "site-france-services": "lieux/france-services-herault-mediterranee-itinerante/",
    "site-itinerant": "lieux/exemple-bus-numerique-haut-languedoc/",
    "site-mediatheque": "lieux/exemple-mediatheque-lodeve/",
    "commune-with-sites": "communes/lodeve/",
    "commune-without-sites": "communes/agel/",
    "communes-az": "communes/",
    "postal-codes": "codes-postaux/",
    "epci": "territoires/cc-lodevois-et-larzac/",
    "need": "besoins/demarches-en-ligne/",
    "need-filter": "besoins/demarches-en-ligne/pass-numerique/",
    "agenda": "ateliers/",
    "workshop": "ateliers/permanence-bus-numerique-haut-languedoc/",
    "trainings": "formations/",
    "training": "formations/accessibilite-handicap-outils/",
    "pass-numerique": "pass-numerique/",
    "accessibilite": "accessibilite/",
    "mentions-legales": "mentions-legales/",
    "donnees": "donnees/",
    "a-propos": "a-propos/",
    "devenir-partenaire": "devenir-partenaire/",
    "ordinateur-reconditionne": "ordinateur-reconditionne/",
    "404": "404.html",
    "brochures": "brochures/",
    "brochure-epci": "brochures/territoires/cc-lodevois-et-larzac/",
    "brochure-commune": "brochures/communes/lodeve/",
    "brochure-commune-without-sites": "brochures/communes/agel/",
    "orientation": "lieux/exemple-mediatheque-lodeve/orientation/",
    "orientation-itinerant": "lieux/exemple-bus-numerique-haut-languedoc/orientation/",
    "map": "carte/",
    "map-commune": "carte/communes/lodeve/",
    "map-site-itinerant": "carte/lieux/exemple-bus-numerique-haut-languedoc/",
    "search": "recherche/",
    "freshness": "equipe/fraicheur/",
    "coverage": "couverture/",
    "coverage-kind": "couverture/pass-numerique/",
    "coverage-report": "brochures/couverture/cc-lodevois-et-larzac/",
    "embed-commune": "integrer/communes/lodeve/",
    "embed-commune-without-sites": "integrer/communes/agel/",
    "embed-epci": "integrer/territoires/cc-lodevois-et-larzac/",
}

# A France Services place open "Mo-Fr 09:00-12:00,14:00-17:00; PH off" (the open-now badge).
OPEN_WEEKDAYS_SITE = "lieux/france-services-herault-mediterranee-itinerante/"


def page_file(site: Path, url: str) -> Path:
    return site / (url + "index.html" if url == "" or url.endswith("/") else url)


@pytest.fixture(scope="session")
def site_dir(demo_site) -> Path:
    """The demo site of the session (tests/conftest.py), served to the browser."""
    out = demo_site
    for kind, url in PAGES.items():
        assert page_file(out, url).is_file(), f"representative {kind} page {url!r} not built"
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def base_url(site_dir: Path):
    """The built site on http://127.0.0.1:<free port>/, served from a background thread."""
    with serving(functools.partial(_QuietHandler, directory=str(site_dir))) as url:
        yield url


class _HeadersHandler(_QuietHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".geojson": "application/geo+json",
        ".pagefind": "application/octet-stream",
    }

    def end_headers(self):
        for name, value in headers_for(urlsplit(self.path).path).items():
            self.send_header(name, value)
        super().end_headers()


@pytest.fixture(scope="session")
def csp_url(site_dir: Path):
    """The built site served with the deployment headers of deploy/_headers (as Cloudflare Pages
    reads them), for each address."""
    with serving(functools.partial(_HeadersHandler, directory=str(site_dir))) as url:
        yield url


def is_external(url: str) -> bool:
    """A request leaving the test machine (map tiles…): never made by the tests."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and parts.hostname not in {"127.0.0.1", "localhost"}


# is_external as a pattern, for routes: Playwright matches a pattern itself, where it calls a
# function back (in this process) for every request of every page.
EXTERNAL = re.compile(r"^https?://(?!(?:127\.0\.0\.1|localhost)(?::\d+)?(?:[/?#]|$))")


def new_context(browser, **context_options):
    """A browser context in French at Paris time, whose requests never leave 127.0.0.1:
    other hosts (map tiles) get an empty answer, so no test depends on the network.

    The pages' own Content Security Policy (<meta>) would refuse the scripts the tests inject
    (axe-core): contexts bypass it unless told ``bypass_csp=False``, as tests/browser/test_csp.py
    does to check that the pages run under their policy."""
    options = {"locale": "fr-FR", "timezone_id": "Europe/Paris", "bypass_csp": True, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    context.route(EXTERNAL, lambda route: route.fulfill(status=204, body=b""))
    return context


@contextlib.contextmanager
def open_page(browser, **context_options):
    """A fresh context (no shared cookies, history or :visited state) and its one page."""
    context = new_context(browser, **context_options)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def keeper_url():
    """An empty page on 127.0.0.1, the site of every test server (a site ignores the port)."""
    with serving(KeeperHandler) as url:
        yield url


@pytest.fixture(scope="session")
def default_context(browser, keeper_url):
    """The context most tests share (desktop viewport, French, Paris time); a new page per test."""
    context = new_context(browser)
    keep_renderer(context, keeper_url)
    yield context
    context.close()


@pytest.fixture(scope="session")
def contexts(browser, default_context, keeper_url):
    """``contexts(name, **options)``: a context shared by the tests that ask for the same name and
    options, a page of its own for each (page_in; open_page's context per test cost more). The
    name sets apart the tests that change the context the same way: "clock" for those that set its
    clock before loading a page. Without name nor options: the default context."""
    pool = {("", "{}"): default_context}

    def get(name: str = "", **options):
        key = (name, json.dumps(options, sort_keys=True))
        if key not in pool:
            pool[key] = new_context(browser, **options)
            keep_renderer(pool[key], keeper_url)
        return pool[key]

    yield get
    for key, context in pool.items():
        if key != ("", "{}"):
            context.close()


_idle_pages: dict = {}  # context -> the page a test gave back, ready for the next one


def _listeners(page) -> dict | None:
    """How many listeners the page has for each event (None if Playwright hides it)."""
    try:
        impl = page._impl_obj
        return {event: len(impl.listeners(event)) for event in impl.event_names()}
    except Exception:
        return None


def _renew(page, viewport: dict) -> bool:
    """Bring a page a test gave back to the state of a new one: an empty document, the context's
    viewport, the mouse outside it (nothing hovered)."""
    try:
        page.goto("about:blank")
        page.mouse.move(-1, -1)
        page.set_viewport_size(viewport)
        return True
    except Exception:
        return False


@contextlib.contextmanager
def page_in(context, viewport: dict | None = None, *, recycle: bool = True):
    """A page of a shared context for one test, at ``viewport`` size (the context's by default).

    A page costs Chromium a renderer process (a fifth of a second of CPU): the page the previous
    test gave back is used again, renewed (_renew). A page given back with listeners of its test
    still on it is closed instead; ``recycle=False`` for a test that adds an init script (it would
    stay with the page) or emulates a media."""
    default = getattr(context, "mn_viewport", DESKTOP)
    page = _idle_pages.pop(context, None) or context.new_page()
    before = _listeners(page)
    try:
        if viewport:
            page.set_viewport_size(viewport)
        yield page
    finally:
        if recycle and before is not None and _listeners(page) == before and _renew(page, default):
            _idle_pages[context] = page
        else:
            page.close()


@pytest.fixture
def page(default_context):
    """A page of its own for the test (a renewed one: page_in), for tests that change its state
    (focus, keyboard…)."""
    with page_in(default_context) as page:
        yield page


@pytest.fixture(scope="session")
def shared_page(default_context):
    """One page for the read-only checks (load a URL, look, run axe): opening a page costs more than
    loading one. Each test starts with page.goto(), which replaces the whole document."""
    page = default_context.new_page()
    yield page
    page.close()


@contextlib.contextmanager
def watching(page):
    """Collect console errors, uncaught exceptions and failed requests of the page meanwhile."""
    problems: list[str] = []

    def console(message):
        if message.type == "error" and not is_external(message.location.get("url", "")):
            problems.append(f"console error: {message.text}")

    handlers = {
        "console": console,
        "pageerror": lambda e: problems.append(f"uncaught exception: {e}"),
        "requestfailed": lambda r: (
            is_external(r.url) or problems.append(f"request failed: {r.url} ({r.failure})")
        ),
        "response": lambda r: r.status >= 400 and problems.append(f"HTTP {r.status} for {r.url}"),
    }
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        yield problems
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)


def is_wcag(violation: dict) -> bool:
    return bool(set(violation["tags"]) & set(WCAG_TAGS))


@pytest.fixture(scope="session")
def visits(browser, base_url, csp_url, tmp_path_factory):
    """kind of PAGES -> the results of its one visit (visits.py), loaded once per test run: the
    first pytest-xdist worker to need a page visits it, the other reads what it found."""
    from conftest import shared_build

    from . import visits as checks

    cache: dict[str, dict] = {}
    seen: dict[str, list[str]] = {width: [] for width in checks.WIDTHS}  # kinds of links hovered
    pages = []  # [visit page, phone page], opened at the first visit of this worker

    def open_pages():
        context = new_context(browser, bypass_csp=False)
        context.add_init_script(checks.RECORD_VIOLATIONS)
        page = context.new_page()
        checks.record_csp_console(page)
        phone = new_context(browser, **checks.PHONE).new_page()
        pages.extend([page, phone])

    def axe(page):
        return run_axe(page, [*WCAG_TAGS, "best-practice"])

    def results(kind: str) -> dict:
        if kind not in cache:

            def build(out: Path) -> None:
                if not pages:
                    open_pages()
                found = checks.visit(*pages, kind, PAGES[kind], csp_url, base_url, axe, watching, seen)
                out.write_text(json.dumps(found), encoding="utf-8")

            cache[kind] = json.loads(shared_build(tmp_path_factory, f"visit-{kind}", build).read_text())
        return cache[kind]

    yield results
    for page in pages:
        page.context.close()


@pytest.fixture(scope="session", params=list(PAGES), ids=list(PAGES))
def visited(request, visits) -> dict:
    """The visit of each representative page in turn. A session-scoped parameter: pytest runs all
    the tests of one page together, so that one worker visits it while the other visits another."""
    return visits(request.param)


# --- Component examples -------------------------------------------------------------------

SHELL = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{title} – exemple de composant</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="site.css">
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""


@pytest.fixture(scope="session")
def catalogue():
    from mednum.catalogue import load_catalogue

    options = demo_options(dt.date.fromisoformat(BUILD_DATE))
    catalogue, report = load_catalogue(options)
    assert catalogue is not None, report.text()
    return catalogue


@pytest.fixture(scope="session")
def component_pages(request, tmp_path_factory) -> dict[str, Path]:
    """Every example of theme/components/*/examples.yaml rendered into a minimal valid page, once
    per test run (the same files for every worker: the Nu Html Checker's report is shared too).

    Returns {"<component>/<example name>": file}; the files share the real CSS bundle.
    """
    from conftest import shared_build
    from mednum.assets import bundle_css

    from .component_examples import render_examples

    def build(folder: Path) -> None:
        folder.mkdir()
        (folder / "site.css").write_text(bundle_css(THEME).css, encoding="utf-8")
        names = {}
        examples = render_examples(request.getfixturevalue("catalogue"), BUILD_DATE)
        for n, (key, title, html) in enumerate(examples, start=1):
            names[key] = f"{n:02d}-{key.split('/')[0]}.html"
            (folder / names[key]).write_text(SHELL.format(title=title, body=html), encoding="utf-8")
        (folder / "examples.json").write_text(json.dumps(names), encoding="utf-8")

    folder = shared_build(tmp_path_factory, "components", build)
    names = json.loads((folder / "examples.json").read_text(encoding="utf-8"))
    return {key: folder / name for key, name in names.items()}


# The checker runs for seconds, not hours: the JIT's first tier only (half the CPU time); its
# schema validation then needs a deeper stack than the default.
VNU_JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"]


@pytest.fixture(scope="session")
def vnu_messages(
    site_dir: Path, component_pages: dict[str, Path], tmp_path_factory
) -> dict[Path, list[dict]]:
    """Nu Html Checker errors, one JVM for every representative page and component example, once
    per test run (the first worker to need them runs it, the other reads its report)."""
    import subprocess

    from conftest import shared_build

    java = shutil.which("java")
    if java is None:
        pytest.skip("java is missing: apt-get install default-jre-headless")
    if not VNU_JAR.is_file():
        pytest.skip("node_modules/vnu-jar is missing: npm ci")
    files = [page_file(site_dir, url) for url in PAGES.values()] + list(component_pages.values())

    def build(out: Path) -> None:
        proc = subprocess.run(
            [
                java,
                *VNU_JAVA_OPTIONS,
                "-jar",
                str(VNU_JAR),
                "--errors-only",
                "--format",
                "json",
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        # vnu exits 1 when it found errors; the JSON report is on stderr.
        out.write_text(proc.stderr or proc.stdout, encoding="utf-8")

    report = json.loads(shared_build(tmp_path_factory, "vnu", build).read_text(encoding="utf-8"))
    found: dict[Path, list[dict]] = {f.resolve(): [] for f in files}
    for message in report["messages"]:
        url = message.get("url", "")
        path = Path(url.removeprefix("file:")).resolve() if url.startswith("file:") else None
        found.setdefault(path, []).append(message)
    return found
