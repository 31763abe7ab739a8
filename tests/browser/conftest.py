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
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import demo_options

ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "theme"
BUILD_DATE = "2026-11-23"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

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
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


def is_external(url: str) -> bool:
    """A request leaving the test machine (map tiles…): never made by the tests."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and parts.hostname not in {"127.0.0.1", "localhost"}


def new_context(browser, **context_options):
    """A browser context in French at Paris time, whose requests never leave 127.0.0.1:
    other hosts (map tiles) get an empty answer, so no test depends on the network.

    The pages' own Content Security Policy (<meta>) would refuse the scripts the tests inject
    (axe-core): contexts bypass it unless told ``bypass_csp=False``, as tests/browser/test_csp.py
    does to check that the pages run under their policy."""
    options = {"locale": "fr-FR", "timezone_id": "Europe/Paris", "bypass_csp": True, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    context.route(is_external, lambda route: route.fulfill(status=204, body=b""))
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
def default_context(browser):
    """The context most tests share (desktop viewport, French, Paris time); a new page per test."""
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(default_context):
    """A fresh page, for tests that change its state (focus, keyboard, clock…)."""
    page = default_context.new_page()
    yield page
    page.close()


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


def run_axe(page, tags: list[str] | None = None, rules: dict | None = None) -> list[dict]:
    """axe-core's violations on the loaded page, for the given rule tags (WCAG A/AA by default)."""
    page.add_script_tag(path=str(AXE_JS))
    options = {
        "runOnly": {"type": "tag", "values": tags or WCAG_TAGS},
        "resultTypes": ["violations"],
    }
    if rules:
        options["rules"] = rules
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


def is_wcag(violation: dict) -> bool:
    return bool(set(violation["tags"]) & set(WCAG_TAGS))


@pytest.fixture(scope="session")
def axe_site(shared_page, base_url):
    """axe-core on a page of the site, WCAG and best-practice rules in one run, once per page.

    Returns a function url -> (violations, console errors and failed requests while loading).
    A rule's result does not depend on the other rules run with it, so the WCAG test and the
    best-practice test of a page share one run.
    """
    cache: dict[str, tuple[list[dict], list[str]]] = {}

    def check(url: str) -> tuple[list[dict], list[str]]:
        if url not in cache:
            # Requests of the previous page end (aborted) before watching this one.
            shared_page.goto("about:blank")
            with watching(shared_page) as problems:
                shared_page.goto(base_url + url)
                violations = run_axe(shared_page, [*WCAG_TAGS, "best-practice"])
            cache[url] = (violations, problems)
        return cache[url]

    return check


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
def component_pages(tmp_path_factory, catalogue) -> dict[str, Path]:
    """Every example of theme/components/*/examples.yaml rendered into a minimal valid page.

    Returns {"<component>/<example name>": file}; the files share the real CSS bundle.
    """
    from mednum.assets import bundle_css

    from .component_examples import render_examples

    folder = tmp_path_factory.mktemp("components")
    (folder / "site.css").write_text(bundle_css(THEME).css, encoding="utf-8")
    pages = {}
    for n, (key, title, html) in enumerate(render_examples(catalogue, BUILD_DATE), start=1):
        path = folder / f"{n:02d}-{key.split('/')[0]}.html"
        path.write_text(SHELL.format(title=title, body=html), encoding="utf-8")
        pages[key] = path
    return pages


@pytest.fixture(scope="session")
def vnu_messages(site_dir: Path, component_pages: dict[str, Path]) -> dict[Path, list[dict]]:
    """Nu Html Checker errors, one JVM for every representative page and component example."""
    import subprocess

    java = shutil.which("java")
    if java is None:
        pytest.skip("java is missing: apt-get install default-jre-headless")
    if not VNU_JAR.is_file():
        pytest.skip("node_modules/vnu-jar is missing: npm ci")
    files = [page_file(site_dir, url) for url in PAGES.values()] + list(component_pages.values())
    proc = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # vnu exits 1 when it found errors; the JSON report is on stderr.
    report = json.loads(proc.stderr or proc.stdout)
    found: dict[Path, list[dict]] = {f.resolve(): [] for f in files}
    for message in report["messages"]:
        url = message.get("url", "")
        path = Path(url.removeprefix("file:")).resolve() if url.startswith("file:") else None
        found.setdefault(path, []).append(message)
    return found
