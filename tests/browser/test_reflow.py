"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide nothing needs horizontal scrolling.

Three variants (visits.VARIANTS): a desktop window 320 px wide, a small phone, and the window with
the text spacing of WCAG 1.4.12. Measured during the one visit of each page (visits.py).
"""

from __future__ import annotations

import pytest

from browser_harness import outcome

from .visits import VARIANTS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_horizontal_scrolling_at_320px(visited, variant):
    url, result = visited["url"], outcome(visited, "reflow", variant)[variant]
    assert result["innerWidth"] == 320 and result["scale"] == 1, result
    details = "\n".join(
        f"- {w['path']}: right edge {w['right']} px, width {w['width']} px ({w['text']!r})"
        for w in result["wide"]
    )
    assert result["scrollWidth"] <= result["innerWidth"], (
        f"/{url} is {result['scrollWidth']} px wide at 320 px; widest elements:\n{details}"
    )
    assert not result["wide"], f"/{url}: elements wider than the 320 px viewport:\n{details}"
