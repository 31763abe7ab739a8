"""The site works under its Content Security Policy (plugins/mednum/security.py, the single source).

deploy/_headers (as Netlify and as Cloudflare Pages read it) and deploy/nginx.conf send, for each
address, the headers security.py says: the pages' policy with frame-ancestors 'self', and under
/integrer/ the embeddable pages' policy with frame-ancestors *. The built site is served with the
headers of deploy/_headers; every representative page, a map shown with « Afficher la carte »
(with a popup opened) and the search page after a search must run without any CSP violation.
Framing by another site is checked in test_embed.py.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from mednum import urls
from mednum.security import host_headers

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


Rule = tuple[str, list[tuple[str, str | None]]]  # a path pattern, its (name, value) lines; None: « ! name »


def read_headers_rules(path: Path = DEPLOY / "_headers") -> list[Rule]:
    """The rules of a Netlify/Cloudflare Pages ``_headers`` file, in order."""
    rules: list[Rule] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
            continue
        text = line.strip()
        if text.startswith("!"):
            rules[-1][1].append((text[1:].strip(), None))
        else:
            name, _, value = text.partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def _matches(pattern: str, path: str) -> bool:
    """A ``_headers`` path pattern (exact, or ending in the ``*`` splat) against a request path."""
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def headers_for(path: str, host: str = "cloudflare", rules: list[Rule] | None = None) -> dict[str, str]:
    """The headers a ``_headers`` file gives a request path, as each host reads it.

    * Cloudflare Pages applies every matching rule in order: a header set twice is joined with
      ", " (two policies, both enforced), « ! name » removes what earlier rules set.
    * Netlify gives a header the value of the last matching rule that sets it, and ignores the
      « ! name » lines (no colon).
    """
    found: dict[str, str] = {}
    for pattern, lines in read_headers_rules() if rules is None else rules:
        if not _matches(pattern, path):
            continue
        for name, value in lines:
            if value is None:
                if host == "cloudflare":
                    found.pop(name, None)
            elif host == "cloudflare" and name in found:
                found[name] += ", " + value
            else:
                found[name] = value
    return found


def read_nginx_blocks(path: Path = DEPLOY / "nginx.conf") -> dict[str, list[tuple[str, str]]]:
    """Every ``add_header NAME "VALUE"`` of the nginx sample, by block: "server", then each
    ``location`` by what follows the word (``/integrer/``, ``~* \\.geojson$``…), in order."""
    blocks: dict[str, list[tuple[str, str]]] = {"server": []}
    current, depth = "server", 0
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0] if not line.lstrip().startswith("add_header") else line
        location = re.match(r"\s*location\s+(.+?)\s*\{", text)
        if location and depth == 1:
            current = location.group(1)
            blocks[current] = []
        header = re.match(r'^\s*add_header\s+([\w-]+)\s+"([^"]*)"(?:\s+always)?\s*;', line)
        if header:
            blocks[current].append((header.group(1), header.group(2)))
        depth += text.count("{") - text.count("}")
        if depth == 1:
            current = "server"
    return blocks


def read_nginx_headers(path: Path = DEPLOY / "nginx.conf") -> list[tuple[str, str]]:
    """Every ``add_header NAME "VALUE"`` of the nginx sample, in order."""
    text = path.read_text(encoding="utf-8")
    return re.findall(r'^\s*add_header\s+([\w-]+)\s+"([^"]*)"(?:\s+always)?\s*;', text, re.MULTILINE)


def nginx_headers_for(path: str) -> dict[str, str]:
    """The headers nginx.conf sends for a page's path: a location's add_header lines replace the
    server's (nginx inherits them only into a location that has none). Prefix locations only
    (the regular-expression ones are for the search index's and the maps' data files)."""
    blocks = read_nginx_blocks()
    prefixes = [loc for loc in blocks if loc != "server" and not loc.startswith("~")]
    best = max((loc for loc in prefixes if path.startswith(loc)), key=len, default=None)
    return dict(blocks[best] if best and blocks[best] else blocks["server"])


HEADERS = headers_for("/")
POLICY = HEADERS["Content-Security-Policy"]
EMBED_PATH = "/" + urls.embed_of(urls.commune(SimpleNamespace(slug="lodeve")))
# Addresses of each kind, and near misses of the embeddable folder.
SAMPLE_PATHS = (
    "/",
    "/communes/lodeve/",
    "/carte/communes/lodeve/",
    "/lieux/x/orientation/",
    "/404.html",
    "/static/carte.js",
    "/integrerx/",
    "/x/integrer/",
    EMBED_PATH,
    "/" + urls.embed_of(urls.epci(SimpleNamespace(slug="cc-lodevois-et-larzac"))),
    "/" + urls.EMBED_CSS,
)


def test_headers_file_sets_the_other_protections():
    assert HEADERS["X-Content-Type-Options"] == "nosniff"
    assert HEADERS["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("host", ["cloudflare", "netlify"])
@pytest.mark.parametrize("path", SAMPLE_PATHS)
def test_headers_file_sends_what_security_py_says_for_each_address(host, path):
    """For every address, as each host reads _headers: the headers of mednum.security, one policy
    (frame-ancestors * under /integrer/ only, 'self' elsewhere)."""
    assert headers_for(path, host) == host_headers({}, path)


def test_nginx_sample_sends_what_security_py_says_for_each_address():
    """Every block of nginx.conf with add_header lines repeats them all (a location's lines replace
    the server's); the /integrer/ location sends the embeddable pages' policy, every other block
    the pages' policy."""
    blocks = read_nginx_blocks()
    assert set(blocks) >= {"server", "/", "/integrer/"}, sorted(blocks)
    for block, lines in blocks.items():
        if not lines:
            continue
        assert len(lines) == len(dict(lines)), f"{block}: a header sent twice"
        expected = host_headers({}, "/integrer/x/" if block == "/integrer/" else "/")
        assert dict(lines) == expected, block
    for path in SAMPLE_PATHS:
        assert nginx_headers_for(path) == host_headers({}, path), path
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "error_page 404 /404.html;" in conf
    assert "application/geo+json" in conf and "application/octet-stream" in conf


def test_the_header_readers_see_each_mistake():
    """The rules above would fail on a _headers file whose embeddable rule came first, or did not
    remove the policy of /* on Cloudflare Pages (two policies: the stricter forbids the frame)."""
    site = ("/*", [("Content-Security-Policy", "frame-ancestors 'self'")])
    embed = ("/integrer/*", [("Content-Security-Policy", "frame-ancestors *")])
    detached = ("/integrer/*", [("Content-Security-Policy", None), *embed[1]])
    policy = "Content-Security-Policy"
    assert (
        headers_for("/integrer/x/", "cloudflare", [embed, site])[policy]
        == "frame-ancestors *, frame-ancestors 'self'"
    )
    assert headers_for("/integrer/x/", "netlify", [embed, site])[policy] == "frame-ancestors 'self'"
    assert (
        headers_for("/integrer/x/", "cloudflare", [site, embed])[policy]
        == "frame-ancestors 'self', frame-ancestors *"
    )
    assert headers_for("/integrer/x/", "netlify", [site, embed])[policy] == "frame-ancestors *"
    assert headers_for("/integrer/x/", "cloudflare", [site, detached])[policy] == "frame-ancestors *"
    assert headers_for("/integrer/x/", "netlify", [site, detached])[policy] == "frame-ancestors *"
    assert headers_for("/x/", "cloudflare", [site, detached])[policy] == "frame-ancestors 'self'"


class _HeadersHandler(http.server.SimpleHTTPRequestHandler):
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

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def csp_url(site_dir: Path):
    """The built site served with the deployment headers of deploy/_headers (as Cloudflare Pages
    reads them), for each address."""
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
    assert (
        response.headers["content-security-policy"] == host_headers({}, "/" + url)["Content-Security-Policy"]
    )
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
    assert "frame-ancestors 'self'" in POLICY
    embed = content_security_policy({}, header=True, embed=True)
    assert headers_for(EMBED_PATH)["Content-Security-Policy"] == embed
    assert "frame-ancestors *" in embed and "default-src 'none'" in embed and "script-src" not in embed
    nginx = [value for name, value in read_nginx_headers() if name == "Content-Security-Policy"]
    assert nginx and set(nginx) == {POLICY, embed}
    assert "frame-ancestors" not in content_security_policy({})
    assert "frame-ancestors" not in content_security_policy({}, embed=True)


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
