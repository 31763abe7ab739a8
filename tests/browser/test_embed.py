"""The catalogue on a partner's site: the code to copy, pasted into a page of another origin.

The built site is served on one origin with the headers of a shipped server configuration
(deploy/_headers as Cloudflare Pages and as Netlify read it, deploy/nginx.conf), for each address;
a partner's page is served on another origin (another port) with the code to copy of a commune's
page, its frame 300 px wide. The embeddable page loads in it, under its policy, without a console
error, passes axe-core, and needs no horizontal scrolling; a page that is not made for frames is
refused by Chromium (frame-ancestors 'self'). Served without headers, as GitHub Pages does, nothing
stops another site from framing any page: the README says so.
"""

from __future__ import annotations

import functools
import http.server
import re
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest
from html_tree import parse_html

from browser_harness import WCAG_TAGS, InFlight, describe_violations, inject_axe, serving

from .conftest import page_in, watching
from .deploy_headers import headers_for, nginx_headers_for

pytestmark = pytest.mark.browser

PUBLIC_URL = "https://numerique.herault.example"  # democonf.py's CATALOGUE_PUBLIC_URL, in the code to copy
COMMUNE = "communes/lodeve/"
FRAME_WIDTH = 300
# The embeddable pages checked in the frame: places here and nearest, none here (nearest only),
# the heaviest territory.
EMBEDS = (
    "integrer/communes/lodeve/",
    "integrer/communes/agel/",
    "integrer/territoires/montpellier-mediterranee-metropole/",
)

HOSTS: dict[str, Callable[[str], dict[str, str]]] = {
    "cloudflare-headers": lambda path: headers_for(path, "cloudflare"),
    "netlify-headers": lambda path: headers_for(path, "netlify"),
    "nginx": nginx_headers_for,
}


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    headers_of: Callable[[str], dict[str, str]] = staticmethod(lambda path: {})

    def end_headers(self):
        for name, value in self.headers_of(urlsplit(self.path).path).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):
        pass


class _PartnerHandler(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, str]] = {}

    def do_GET(self):
        body = self.pages.get(urlsplit(self.path).path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "").encode())

    def log_message(self, format, *args):
        pass


def site_handler(site_dir: Path, headers_of: Callable[[str], dict[str, str]]):
    handler = type("Handler", (_SiteHandler,), {"headers_of": staticmethod(headers_of)})
    return functools.partial(handler, directory=str(site_dir))


def partner_page(body: str) -> str:
    """A town hall's page holding the code it copied, in a column 300 px wide."""
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Se faire aider avec le numérique – Mairie d'exemple</title>
<link rel="icon" href="data:,">
<style>body{{font-family:sans-serif}} .colonne{{width:{FRAME_WIDTH}px}}</style>
</head>
<body>
<main>
<h1>Se faire aider avec le numérique</h1>
<div class="colonne">
{body}
</div>
</main>
</body>
</html>
"""


def code_to_copy(site_dir: Path, page: str, site_url: str) -> str:
    """The code a commune's or territory's page gives to copy, pointing at the test server."""
    doc = parse_html((site_dir / page / "index.html").read_text(encoding="utf-8"))
    area = next(t for t in doc.iter("textarea") if t.attrs.get("id") == "integrer-code")
    assert PUBLIC_URL in area.text
    return area.text.replace(PUBLIC_URL + "/", site_url)


def frame_code(url: str) -> str:
    """A frame as the code to copy writes it, for a page that has no such code."""
    return f'<iframe src="{escape(url)}" title="Une page du catalogue" width="{FRAME_WIDTH}" height="400"></iframe>'


@pytest.fixture(scope="module")
def partner_url() -> Iterator[str]:
    with serving(_PartnerHandler) as url:
        yield url


@pytest.fixture(scope="module", params=sorted(HOSTS))
def host_site(request, site_dir: Path) -> Iterator[tuple[str, str]]:
    """(host configuration, address of the built site served with its headers)."""
    with serving(site_handler(site_dir, HOSTS[request.param])) as url:
        yield request.param, url


def show(page, partner_url: str, name: str, body: str):
    """The partner's page ``name`` with ``body``, loaded in ``page``; its one child frame."""
    _PartnerHandler.pages[f"/{name}"] = partner_page(body)
    page.goto(partner_url + name)
    page.wait_for_load_state("load")
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 1
    return frames[0]


def test_the_embeddable_page_loads_in_a_partners_frame(contexts, site_dir, host_site, partner_url):
    """Under the headers of each host: the commune's code, pasted on another origin, shows its
    places; no console error in the page or the frame, nothing blocked by a policy."""
    host, site_url = host_site
    assert urlsplit(site_url).netloc != urlsplit(partner_url).netloc
    with page_in(contexts(bypass_csp=False)) as page:
        with watching(page) as problems, InFlight(page) as in_flight:
            frame = show(page, partner_url, f"{host}-embed.html", code_to_copy(site_dir, COMMUNE, site_url))
            frame.locator("h1").wait_for()
            frame.wait_for_load_state("load")  # a lazy frame: its stylesheet may come after its h1
            assert frame.url == site_url + "integrer/" + COMMUNE
            assert frame.locator("h1").inner_text() == "Aide au numérique à Lodève"
            assert frame.locator("h3 a").count() >= 2
            assert frame.evaluate("getComputedStyle(document.body).paddingLeft") == "12px", (
                "stylesheet not applied"
            )
            in_flight.settle()
        assert problems == []


def test_a_page_not_made_for_frames_is_refused(contexts, site_dir, host_site, partner_url):
    """frame-ancestors 'self': Chromium does not show a commune's page in another site's frame."""
    host, site_url = host_site
    with page_in(contexts(bypass_csp=False)) as page:
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        with InFlight(page) as requests:
            frame = show(page, partner_url, f"{host}-refused.html", frame_code(site_url + COMMUNE))
            requests.settle()
        assert frame.url != site_url + COMMUNE
        assert (
            not frame.locator("h1").count()
            or frame.locator("h1").inner_text() != "Aide au numérique à Lodève"
        )
    assert any("frame-ancestors" in text for text in console), console


def test_without_headers_nothing_stops_framing(contexts, base_url, partner_url):
    """Served without headers (GitHub Pages), any page shows in another site's frame: a <meta>
    cannot say frame-ancestors. What the README's « Publication et sécurité » says."""
    with page_in(contexts(bypass_csp=False)) as page:
        frame = show(page, partner_url, "no-headers.html", frame_code(base_url + COMMUNE))
        frame.locator("h1").wait_for()
        assert frame.locator("h1").inner_text() == "Aide au numérique à Lodève"


def run_axe_in(target, iframes: bool = True) -> list[dict]:
    """axe-core's WCAG and best-practice violations in a page or a frame."""
    inject_axe(target)
    options = {
        "runOnly": {"type": "tag", "values": [*WCAG_TAGS, "best-practice"]},
        "resultTypes": ["violations"],
        "iframes": iframes,
    }
    return target.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


@pytest.mark.parametrize("embed", EMBEDS)
def test_the_frame_and_the_partners_page_pass_axe_without_horizontal_scrolling(
    contexts, site_dir, base_url, partner_url, embed
):
    """axe-core in the frame and on the partner's page (its frame titled by the code to copy), and
    the frame 300 px wide: its content fits, no horizontal scrolling."""
    page_url = embed.removeprefix("integrer/")
    with page_in(contexts()) as page:
        frame = show(
            page,
            partner_url,
            f"axe-{page_url.replace('/', '-')}html",
            code_to_copy(site_dir, page_url, base_url),
        )
        frame.locator("h1").wait_for()
        assert frame.evaluate("document.documentElement.clientWidth") <= FRAME_WIDTH
        widths = frame.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{embed}: content {widths[0]} px wide in a {widths[1]} px frame"
        inside = run_axe_in(frame)
        outside = run_axe_in(page, iframes=False)
    assert not inside, describe_violations(inside, embed + " in its frame")
    assert not outside, describe_violations(outside, "partner's page with " + embed)


@pytest.mark.parametrize("embed", EMBEDS)
def test_the_embeddable_page_reflows_at_320_px(contexts, base_url, embed):
    """Opened on its own on a phone (320 CSS px): no horizontal scrolling either."""
    with page_in(contexts(), viewport={"width": 320, "height": 640}) as page:
        page.goto(base_url + embed)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{embed}: {overflow} px of horizontal scrolling at 320 px"
        assert re.fullmatch(r"\d+px", page.evaluate("getComputedStyle(document.body).fontSize"))
