"""Pages printed from Chromium (print media emulated): what is hidden, what is added."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
import zxingcpp
from PIL import Image

from conftest import ROOT
from mednum.build import build_site

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREEN_ONLY = [
    ".mn-header",
    ".mn-nav",
    ".mn-crumbs",
    ".mn-skip",
    ".mn-share",
    ".mn-footer__links",
    ".mn-filters",
    ".mn-open",
]
PAGES = [
    "lieux/france-services-castries/",
    "lieux/exemple-mediatheque-lodeve/",
    "communes/lodeve/",
    "brochures/territoires/cc-lodevois-et-larzac/",
    "lieux/exemple-mediatheque-lodeve/orientation/",
    "besoins/demarches-en-ligne/",
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("print-browser") / "output"
    assert build_site(ROOT / "pelicanconf.py", out, {"CATALOGUE_BUILD_DATE": "2026-11-23"}) == 0
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def printed(browser, base_url):
    page = browser.new_page(viewport={"width": 794, "height": 1123})
    page.emulate_media(media="print")

    def open_(path: str):
        page.goto(base_url + path)
        return page

    yield open_
    page.close()


@pytest.mark.parametrize("path", PAGES)
def test_screen_only_parts_are_hidden_and_the_address_printed(printed, path):
    page = printed(path)
    visible = [sel for sel in SCREEN_ONLY for el in page.query_selector_all(sel) if el.is_visible()]
    assert visible == []
    footer = page.query_selector(".mn-print-footer")
    assert footer is not None and footer.is_visible()
    assert f"https://numerique.herault.example/{path}" in footer.inner_text()
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 11 * 96 / 72 - 0.1  # at least 11 pt


def test_link_addresses_are_printed_after_the_links(printed):
    page = printed("lieux/exemple-mediatheque-lodeve/")
    links = page.query_selector_all(".mn-main a[href^='http']")
    assert links
    for link in links:
        after = link.evaluate("a => getComputedStyle(a, '::after').content")
        assert link.get_attribute("href") in after
    tel = page.query_selector(".mn-main a[href^='tel:']")
    assert tel.evaluate("a => getComputedStyle(a, '::after').content") in ("none", "normal")


def test_printed_qr_code_decodes_to_the_page_address(browser, base_url, tmp_path):
    # Screenshot at printer-like resolution: 22 mm at 96 dpi is only ~2 px a module.
    page = browser.new_page(viewport={"width": 794, "height": 1123}, device_scale_factor=4)
    page.emulate_media(media="print")
    page.goto(base_url + "lieux/france-services-castries/")
    page.query_selector(".mn-print-footer svg").screenshot(path=str(tmp_path / "qr.png"))
    page.close()
    results = zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))
    assert [r.text for r in results] == ["https://numerique.herault.example/lieux/france-services-castries/"]


def test_a_help_point_prints_on_one_page(browser, base_url, tmp_path):
    from pypdf import PdfReader

    page = browser.new_page()
    page.goto(base_url + "lieux/france-services-castries/")
    page.pdf(path=str(tmp_path / "castries.pdf"), format="A4")
    assert len(PdfReader(tmp_path / "castries.pdf").pages) == 1
    page.close()
