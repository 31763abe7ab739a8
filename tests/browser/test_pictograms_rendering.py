"""Pictograms as Chromium draws them (theme/components/icon/): at the size of their words, in
their colour on screen, black on paper (they use ``currentColor``; nothing colours them)."""

from __future__ import annotations

import pytest

from .conftest import PAGES

pytestmark = pytest.mark.browser

URLS = [PAGES["site-mediatheque"], PAGES["commune-with-sites"], PAGES["need"]]

MEASURE = """() => Array.from(document.querySelectorAll('svg.mn-icon'))
  .filter(svg => svg.getClientRects().length > 0)
  .map(svg => {
    const box = svg.getBoundingClientRect(), around = getComputedStyle(svg.parentElement);
    return {stroke: getComputedStyle(svg).stroke, color: around.color,
            height: box.height, width: box.width, font: parseFloat(around.fontSize)};
  })"""


@pytest.fixture(scope="module")
def media_page(default_context):
    """A page for each media, at an A4 page's size, in which each test loads its page."""
    pages = {}

    def get(media: str):
        if media not in pages:
            pages[media] = default_context.new_page()
            pages[media].set_viewport_size({"width": 794, "height": 1123})
            pages[media].emulate_media(media=media)
        return pages[media]

    yield get
    for page in pages.values():
        page.close()


@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("url", URLS)
def test_pictograms_are_the_size_and_colour_of_their_words(media_page, base_url, url, media):
    page = media_page(media)
    page.goto(base_url + url)
    drawn = page.evaluate(MEASURE)
    assert drawn, f"{url}: no pictogram drawn ({media})"
    for icon in drawn:
        assert icon["stroke"] == icon["color"], icon
        assert icon["width"] == icon["height"], icon
        assert 1.1 * icon["font"] <= icon["height"] <= 1.4 * icon["font"], icon
        if media == "print":
            assert icon["stroke"] == "rgb(0, 0, 0)", icon
