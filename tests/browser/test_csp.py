"""The site works under its Content Security Policy (deploy/_headers, the single source).

The built site is served with the deployment headers; every representative page, a map shown
with « Afficher la carte » (with a popup opened) and the search page after a search must run
without any CSP violation.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from typing import ClassVar

import pytest

from .conftest import PAGES, ROOT, open_page

pytestmark = pytest.mark.browser

DEPLOY = ROOT / "deploy"

# Each violation is recorded in the document (and each frame) where it happens.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" | "));
});
"""


def read_headers_file(path: Path = DEPLOY / "_headers") -> dict[str, str]:
    """The headers of the ``/*`` rule of a Netlify/Cloudflare Pages ``_headers`` file."""
    headers: dict[str, str] = {}
    in_rule = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            in_rule = line.strip() == "/*"
            continue
        if in_rule:
            name, _, value = line.strip().partition(":")
            headers[name.strip()] = value.strip()
    return headers


def read_nginx_headers(path: Path = DEPLOY / "nginx.conf") -> list[tuple[str, str]]:
    """Every ``add_header NAME "VALUE"`` of the nginx sample, in order."""
    text = path.read_text(encoding="utf-8")
    return re.findall(r'^\s*add_header\s+([\w-]+)\s+"([^"]*)"(?:\s+always)?\s*;', text, re.MULTILINE)


HEADERS = read_headers_file()
POLICY = HEADERS["Content-Security-Policy"]


def test_headers_file_sets_the_other_protections():
    assert HEADERS["X-Content-Type-Options"] == "nosniff"
    assert HEADERS["Referrer-Policy"] == "same-origin"


def test_nginx_sample_sends_the_same_headers():
    """Every add_header of nginx.conf (server and location blocks) matches deploy/_headers."""
    found = read_nginx_headers()
    assert found, "no add_header in deploy/nginx.conf"
    for name, value in found:
        assert name in HEADERS, f"nginx sends {name}, not in _headers"
        assert value == HEADERS[name], f"{name} differs between nginx.conf and _headers"
    assert {name for name, _ in found} == set(HEADERS)
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "error_page 404 /404.html;" in conf
    assert "application/geo+json" in conf and "application/octet-stream" in conf


class _HeadersHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".geojson": "application/geo+json",
        ".pagefind": "application/octet-stream",
    }

    def end_headers(self):
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def csp_url(site_dir: Path):
    """The built site served with the deployment headers of deploy/_headers."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_HeadersHandler, directory=str(site_dir))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def csp_page(browser):
    with open_page(browser, bypass_csp=False) as page:
        page.add_init_script(RECORD_VIOLATIONS)
        console: list[str] = []
        page.on(
            "console",
            lambda m: (
                "Content Security Policy" in m.text
                and console.append(f"console: {m.location.get('url', '')}: {m.text}")
            ),
        )
        page.console_csp = console
        yield page


@pytest.fixture(autouse=True)
def _forget_previous_console(request):
    """Console messages of a test that failed early must not be blamed on the next one."""
    if "csp_page" in request.fixturenames:
        request.getfixturevalue("csp_page").console_csp.clear()


def violations(page) -> list[str]:
    """The violations recorded in every frame of the page, and CSP console errors."""
    found = []
    for frame in page.frames:
        try:
            found += [f"{frame.url}: {v}" for v in frame.evaluate("window.__csp || []")]
        except Exception as exc:  # a frame that went away
            found.append(f"{frame.url}: could not read violations ({exc})")
    found += page.console_csp
    page.console_csp.clear()
    return found


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_page_has_no_csp_violation(csp_page, csp_url, url):
    response = csp_page.goto(csp_url + url)
    assert response.headers["content-security-policy"] == POLICY
    csp_page.wait_for_load_state("networkidle")
    assert violations(csp_page) == []


def test_the_policy_blocks_inline_code_styles_and_other_servers(browser, csp_url):
    """What the policy is for: code or styles slipped into a page do not run."""
    with open_page(browser, bypass_csp=False) as page:
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto(csp_url)
        page.evaluate(
            """() => {
              const inline = document.createElement("script");
              inline.textContent = "window.injected = 1";
              document.body.append(inline);
              const styled = document.createElement("p");
              styled.setAttribute("style", "color: red");
              document.body.append(styled);
              const remote = document.createElement("script");
              remote.src = "https://evil.example/x.js";
              document.body.append(remote);
            }"""
        )
        page.wait_for_timeout(300)
        found = page.evaluate("window.__csp")
        assert page.evaluate("window.injected") is None
    directives = sorted({v.split(" | ")[0] for v in found})
    assert directives == ["script-src-elem", "style-src-attr"], found
    assert any("evil.example" in v for v in found) and any("inline" in v for v in found), found


@pytest.mark.parametrize("url", ["", PAGES["site-mediatheque"]], ids=["departement", "site"])
def test_map_shown_in_the_page_has_no_csp_violation(csp_page, csp_url, url):
    csp_page.goto(csp_url + url)
    csp_page.get_by_role("button", name=re.compile("Afficher la carte")).first.click()
    frame = csp_page.frame_locator("iframe.mn-map-frame")
    markers = frame.locator(".leaflet-marker-icon")
    markers.first.wait_for(state="visible")
    csp_page.wait_for_load_state("networkidle")
    # A popup: Folium's HTML parsed by the map script.
    if url:
        markers.first.click()
        frame.locator(".leaflet-popup-content").wait_for(state="visible")
    assert violations(csp_page) == []


def test_search_has_no_csp_violation(csp_page, csp_url):
    csp_page.goto(csp_url + PAGES["search"])
    csp_page.locator("#mn-q").fill("Lodève")
    csp_page.locator("#mn-q").press("Enter")
    csp_page.locator("#mn-search-results li").first.wait_for(state="visible")
    csp_page.wait_for_load_state("networkidle")
    assert violations(csp_page) == []


def test_the_host_headers_send_the_pages_policy_and_frame_ancestors():
    """deploy/_headers and deploy/nginx.conf send the policy of mednum.security, frame-ancestors
    included; the pages carry it in a <meta> without frame-ancestors (no <meta> can say it)."""
    from mednum.security import content_security_policy

    assert content_security_policy({}, header=True) == POLICY
    nginx = [value for name, value in read_nginx_headers() if name == "Content-Security-Policy"]
    assert nginx and set(nginx) == {POLICY}
    assert "frame-ancestors" not in content_security_policy({})


# The pages whose scripts, styles, images or WebAssembly could trip the policy: the commune
# finder, the open-now badge, a map shown in its page and on its own, a search, an inline SVG map.
META_ONLY = ("home", "site-mediatheque", "map", "search", "coverage")


@pytest.mark.parametrize("kind", META_ONLY)
def test_served_without_headers_a_page_runs_under_its_own_meta_policy(browser, base_url, site_dir, kind):
    """GitHub Pages sends no header: the <meta> policy alone must hold, and be obeyed."""
    html = site_dir / (PAGES[kind] + "index.html" if not PAGES[kind].endswith(".html") else PAGES[kind])
    text = html.read_text(encoding="utf-8")
    assert '<meta http-equiv="Content-Security-Policy" content="' in text[: text.index("</head>")]
    with open_page(browser, bypass_csp=False) as page:
        page.add_init_script(RECORD_VIOLATIONS)
        console: list[str] = []
        page.on("console", lambda m: m.type == "error" and console.append(m.text))
        page.goto(base_url + PAGES[kind])
        if kind in ("home", "site-mediatheque"):
            page.get_by_role("button", name=re.compile("Afficher la carte")).first.click()
        if kind == "search":
            page.locator("#mn-q").fill("Lodève")
            page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__csp") + [c for c in console if "Content Security Policy" in c]
        injected = page.evaluate(
            """() => { const s = document.createElement("script"); s.textContent = "window.injected = 1";
                       document.body.append(s); return window.injected === undefined; }"""
        )
    assert found == [], found
    assert injected, "an inline script ran: the <meta> policy is not applied"
