"""Pictograms as Chromium draws them (theme/components/icon/): at the size of their words, in
their colour on screen, black on paper (they use ``currentColor``; nothing colours them)."""

from __future__ import annotations

import pytest

from .conftest import PAGES, open_page

pytestmark = pytest.mark.browser

URLS = [PAGES["site-mediatheque"], PAGES["commune-with-sites"], PAGES["need"]]

MEASURE = """() => Array.from(document.querySelectorAll('svg.mn-icon'))
  .filter(svg => svg.getClientRects().length > 0)
  .map(svg => {
    const box = svg.getBoundingClientRect(), around = getComputedStyle(svg.parentElement);
    return {stroke: getComputedStyle(svg).stroke, color: around.color,
            height: box.height, width: box.width, font: parseFloat(around.fontSize)};
  })"""


@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("url", URLS)
def test_pictograms_are_the_size_and_colour_of_their_words(browser, base_url, url, media):
    with open_page(browser, viewport={"width": 794, "height": 1123}) as page:
        page.emulate_media(media=media)
        page.goto(base_url + url)
        drawn = page.evaluate(MEASURE)
    assert drawn, f"{url}: no pictogram drawn ({media})"
    for icon in drawn:
        assert icon["stroke"] == icon["color"], icon
        assert icon["width"] == icon["height"], icon
        assert 1.1 * icon["font"] <= icon["height"] <= 1.4 * icon["font"], icon
        if media == "print":
            assert icon["stroke"] == "rgb(0, 0, 0)", icon
