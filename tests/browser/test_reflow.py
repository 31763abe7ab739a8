"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide nothing needs horizontal scrolling."""

from __future__ import annotations

import pytest

from .conftest import PAGES, open_page

pytestmark = pytest.mark.browser

# A desktop browser window 320 px wide (device pixel ratio 1) and a small phone (ratio 2, mobile
# viewport handling: a page too wide would make the phone zoom out).
VARIANTS = {
    "320px-ratio-1": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1},
    "320px-phone": {
        "viewport": {"width": 320, "height": 640},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    # WCAG 1.4.12: the text spacing a reader may force with a user style sheet.
    "320px-text-spacing": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1},
}
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
    " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)

OVERFLOW = """() => {
  const limit = window.innerWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const path = el => { const p = []; for (let e = el; e && e.nodeType === 1 && p.length < 4; e = e.parentElement) p.unshift(name(e)); return p.join(" > "); };
  // Inside a box that clips or scrolls its content and itself fits (a map, a scrolling
  // table), an element may be wider: the page does not scroll for it.
  const contained = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return a.getBoundingClientRect().right <= limit + 0.5;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit + 0.5 && !contained(el)) {
      wide.push({path: path(el), right: Math.round(r.right), width: Math.round(r.width),
                 text: (el.innerText || "").trim().slice(0, 60)});
    }
  }
  wide.sort((a, b) => b.right - a.right);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: limit,
          scale: window.visualViewport ? window.visualViewport.scale : 1, wide: wide.slice(0, 8)};
}"""


@pytest.fixture(scope="module", params=VARIANTS, ids=VARIANTS)
def narrow_page(request, browser):
    """One page per variant for the module: each test loads its URL into it."""
    with open_page(browser, **VARIANTS[request.param]) as page:
        yield page, request.param.endswith("text-spacing")


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_no_horizontal_scrolling_at_320px(narrow_page, base_url, url):
    page, text_spacing = narrow_page
    page.goto(base_url + url)
    if text_spacing:
        page.add_style_tag(content=TEXT_SPACING)
    if url == "":  # the home page's commune lists too, opened
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    result = page.evaluate(OVERFLOW)
    assert result["innerWidth"] == 320 and result["scale"] == 1, result
    details = "\n".join(
        f"- {w['path']}: right edge {w['right']} px, width {w['width']} px ({w['text']!r})"
        for w in result["wide"]
    )
    assert result["scrollWidth"] <= result["innerWidth"], (
        f"/{url} is {result['scrollWidth']} px wide at 320 px; widest elements:\n{details}"
    )
    assert not result["wide"], f"/{url}: elements wider than the 320 px viewport:\n{details}"
