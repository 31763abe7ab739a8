"""The site works under its Content Security Policy (plugins/mednum/security.py, the single source).

deploy/_headers (as Netlify and as Cloudflare Pages read it) and deploy/nginx.conf send, for each
address, the headers security.py says: the pages' policy with frame-ancestors 'self', and under
/integrer/ the embeddable pages' policy with frame-ancestors *. The built site is served with the
headers of deploy/_headers; every representative page, a map shown with « Afficher la carte »
(with a popup opened) and the search page after a search must run without any CSP violation.
Framing by another site is checked in test_embed.py.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from browser_harness import InFlight, outcome
from mednum import urls
from mednum.security import host_headers

from .conftest import PAGES, open_page, page_in
from .deploy_headers import DEPLOY, headers_for, nginx_headers_for, read_nginx_blocks, read_nginx_headers
from .visits import RECORD_VIOLATIONS, record_csp_console, violations

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
def csp_page(browser):
    with open_page(browser, bypass_csp=False) as page:
        page.add_init_script(RECORD_VIOLATIONS)
        record_csp_console(page)
        yield page


@pytest.fixture(autouse=True)
def _forget_previous_console(request):
    """Console messages of a test that failed early must not be blamed on the next one."""
    if "csp_page" in request.fixturenames:
        request.getfixturevalue("csp_page").console_csp.clear()


def test_page_has_no_csp_violation(visited):
    """Each page loaded (during its one visit, visits.py) until the network is idle."""
    url = visited["url"]
    assert outcome(visited, "policy") == host_headers({}, "/" + url)["Content-Security-Policy"]
    assert outcome(visited, "csp", "idle", "csp") == []


def test_the_policy_blocks_inline_code_styles_and_other_servers(contexts, csp_url):
    """What the policy is for: code or styles slipped into a page do not run."""
    with page_in(contexts(bypass_csp=False), recycle=False) as page:
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
    with InFlight(csp_page) as requests:
        csp_page.goto(csp_url + url)
        csp_page.get_by_role("button", name=re.compile("Afficher la carte")).first.click()
        frame = csp_page.frame_locator("iframe.mn-map-frame")
        markers = frame.locator(".leaflet-marker-icon")
        markers.first.wait_for(state="visible")
        requests.settle()
    # A popup: Folium's HTML parsed by the map script.
    if url:
        markers.first.click()
        frame.locator(".leaflet-popup-content").wait_for(state="visible")
    assert violations(csp_page) == []


def test_search_has_no_csp_violation(csp_page, csp_url):
    with InFlight(csp_page) as requests:
        csp_page.goto(csp_url + PAGES["search"])
        csp_page.locator("#mn-q").fill("Lodève")
        csp_page.locator("#mn-q").press("Enter")
        csp_page.locator("#mn-search-results li").first.wait_for(state="visible")
        requests.settle()
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
def test_served_without_headers_a_page_runs_under_its_own_meta_policy(contexts, base_url, site_dir, kind):
    """GitHub Pages sends no header: the <meta> policy alone must hold, and be obeyed."""
    html = site_dir / (PAGES[kind] + "index.html" if not PAGES[kind].endswith(".html") else PAGES[kind])
    text = html.read_text(encoding="utf-8")
    assert '<meta http-equiv="Content-Security-Policy" content="' in text[: text.index("</head>")]
    with page_in(contexts(bypass_csp=False), recycle=False) as page:
        page.add_init_script(RECORD_VIOLATIONS)
        console: list[str] = []
        page.on("console", lambda m: m.type == "error" and console.append(m.text))
        with InFlight(page) as requests:
            page.goto(base_url + PAGES[kind])
            if kind in ("home", "site-mediatheque"):
                page.get_by_role("button", name=re.compile("Afficher la carte")).first.click()
            if kind == "search":
                page.locator("#mn-q").fill("Lodève")
                page.keyboard.press("Enter")
            requests.settle()
        found = page.evaluate("window.__csp") + [c for c in console if "Content Security Policy" in c]
        injected = page.evaluate(
            """() => { const s = document.createElement("script"); s.textContent = "window.injected = 1";
                       document.body.append(s); return window.injected === undefined; }"""
        )
    assert found == [], found
    assert injected, "an inline script ran: the <meta> policy is not applied"
