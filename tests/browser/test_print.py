"""Pages printed from Chromium (print media emulated): what is hidden, what is added.

Uses the session's built site, server and browser from tests/browser/conftest.py.
"""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

pytestmark = pytest.mark.browser

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
def printed(browser, base_url):
    """A page printed (print media), in a plain context (as browser.new_page() makes one) at an A4
    page's size: each test loads its page in it, which replaces the whole document."""
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.emulate_media(media="print")

    def open_(path: str):
        page.goto(base_url + path)
        return page

    yield open_
    context.close()


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
    internal = page.query_selector(".mn-main a[href='/pass-numerique/']")
    after = internal.evaluate("a => getComputedStyle(a, '::after').content")
    assert f"https://numerique.herault.example{internal.get_attribute('href')}" in after.replace('" "', "")
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
