"""Keyboard use: skip link, every control reached in order, visible, with a visible focus indicator."""

from __future__ import annotations

import pytest

from .conftest import OPEN_WEEKDAYS_SITE, PAGES

pytestmark = pytest.mark.browser

KEYBOARD_PAGES = {
    "home": PAGES["home"],
    "site-mediatheque": PAGES["site-mediatheque"],
    "site-itinerant": PAGES["site-itinerant"],
    "site-france-services": OPEN_WEEKDAYS_SITE,
}

# Number every element that should take focus with Tab, in document order, and remember how it
# looks unfocused. Content of closed <details> is skipped (it is not rendered), not its summary.
MARK_FOCUSABLES = """() => {
  const selector = "a[href], area[href], button, input, select, textarea, summary, [tabindex]";
  const look = el => { const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor].join("|"); };
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.tabIndex < 0 || el.disabled) continue;
    if (el.tagName === "SUMMARY" && el.parentElement.tagName !== "DETAILS") continue;
    const closed = el.closest("details:not([open])");
    if (closed && !(el.tagName === "SUMMARY" && el.parentElement === closed)) continue;
    if (el.closest("[hidden], [inert]")) continue;
    el.dataset.kb = found.length;
    found.push({index: found.length, html: el.outerHTML.slice(0, 120), look: look(el)});
  }
  return found;
}"""

# Where the focus is now and how the focused element looks.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  return {
    index: el.dataset.kb === undefined ? null : Number(el.dataset.kb),
    id: el.id, tag: el.tagName.toLowerCase(), html: el.outerHTML.slice(0, 120),
    rect: [r.left, r.top, r.right, r.bottom], viewport: [innerWidth, innerHeight],
    look: [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor].join("|"),
    outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
    uncovered: !!hit && (hit === el || el.contains(hit) || hit.contains(el)),
  };
}"""


def focus_problems(focused: dict, expected: dict) -> list[str]:
    problems = []
    left, top, right, bottom = focused["rect"]
    width, height = focused["viewport"]
    if right - left < 1 or bottom - top < 1:
        problems.append("has no size")
    elif left < 0 or top < 0 or right > width + 1 or bottom > height + 1:
        problems.append(f"is outside the viewport after scrolling: {focused['rect']}")
    elif not focused["uncovered"]:
        problems.append("is covered by another element")
    if focused["look"] == expected["look"]:
        problems.append("looks the same focused and unfocused (no outline, shadow or background)")
    elif not focused["outline"] and "none" in focused["look"].split("|")[3]:
        problems.append(f"focus indicator too thin: {focused['look']}")
    return problems


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("url", KEYBOARD_PAGES.values(), ids=KEYBOARD_PAGES.keys())
def test_tab_reaches_every_control_in_order_with_visible_focus(page, base_url, url, width):
    page.set_viewport_size({"width": width, "height": 720 if width > 320 else 640})
    page.goto(base_url + url)
    expected = page.evaluate(MARK_FOCUSABLES)
    assert len(expected) > 10
    problems = []
    seen = []
    for _ in range(len(expected) + 2):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (seen and focused["index"] == 0):
            break  # past the last control: focus left the document or wrapped around
        if focused["index"] is None:
            problems.append(f"Tab reached an element not expected to take focus: {focused['html']}")
            continue
        seen.append(focused["index"])
        for problem in focus_problems(focused, expected[focused["index"]]):
            problems.append(f"#{focused['index']} {focused['html']} {problem}")
    assert seen == list(range(len(expected))), (
        f"focus order {seen} differs from document order 0..{len(expected) - 1}; "
        f"first missing: {next((e['html'] for e in expected if e['index'] not in seen), None)}"
    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", ["Enter", "Space"])
@pytest.mark.parametrize("url", KEYBOARD_PAGES.values(), ids=KEYBOARD_PAGES.keys())
def test_skip_link_comes_first_and_moves_focus_to_main(page, base_url, url, key):
    page.goto(base_url + url)
    page.keyboard.press("Tab")
    skip = page.evaluate(FOCUSED)
    assert skip is not None and "mn-skip" in skip["html"], skip
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    assert not focus_problems(skip, {"look": ""}), skip
    if key == "Space":  # Space does not follow links: Enter is the key for a link
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.className") == "mn-skip"
        page.keyboard.press("Enter")
    else:
        page.keyboard.press(key)
    assert page.evaluate("document.activeElement.id") == "contenu"
    assert page.url.endswith("#contenu")
    # The next Tab goes on from the main content, not back to the header.
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('#contenu')")
    assert inside, page.evaluate("document.activeElement.outerHTML")


def test_commune_lists_open_with_enter_and_space(page, base_url):
    page.goto(base_url)
    summary = page.locator("details.mn-communes > summary").first
    details = page.locator("details.mn-communes").first
    summary.focus()
    assert not details.evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert not details.evaluate("d => d.open")
    page.keyboard.press("Space")
    assert details.evaluate("d => d.open")
    # Once open, its links come next in the Tab order.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('details') !== null")
    assert page.evaluate("document.activeElement.tagName") == "A"
