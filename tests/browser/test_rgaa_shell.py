"""The page shell against the RGAA: focus and hover contrast, target size, presentation in CSS only,
required fields, the search field's error, the skip link.

The focus, hover and target checks (their scripts are in visits.py) run during the one visit of
each page.

- RGAA 3.2 / WCAG 1.4.3 and 2.4.7: every focusable element of every representative page, focused,
  keeps text of 4.5:1 against its real background (the nearest backgrounds of its ancestors,
  composed) and a focus indicator of 3:1 against the colour around it; hovered, every kind of
  link keeps 4.5:1. At 1280 and 320 px wide; all failures are reported at once.
- WCAG 2.5.8: the menu, breadcrumb, footer links and the search checkboxes are 24 × 24 px, or
  far enough from any other target (the spacing exception), at 320 px.
- RGAA 10.1: no presentational attribute or element in any built page.
- RGAA 11.10: a required field says « obligatoire » in its label; the empty search names the
  field, is tied to it (aria-invalid, aria-describedby) and focus goes back to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from html_tree import OpenElementsParser, parse_html

from .conftest import PAGES, page_in
from .visits import HELPERS, TEXT_RATIO, WIDTHS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shell(visits) -> dict[str, dict]:
    """Focus, hover and targets of every representative page, measured at each width during its one
    visit (visits.py; each kind of link hovered once per width and worker).

    Returns {"focus" | "hover" | "targets": {"count": n, "problems": [...]}}, problems in PAGES order.
    """
    by_kind = {}
    # Backwards: the tests of each page visit the pages forwards, maybe in the other worker.
    for kind in reversed(PAGES):
        found = visits(kind)
        error = next((found["errors"][s] for s in ("load", "shell") if s in found["errors"]), None)
        by_kind[kind] = {"error": error} if error else found["shell"]
    found = {check: {"count": 0, "problems": []} for check in ("focus", "hover", "targets")}
    for kind in PAGES:
        if "error" in by_kind[kind]:
            for check in found.values():
                check["problems"].append(f"{kind}: the visit failed:\n{by_kind[kind]['error']}")
            continue
        for checks in by_kind[kind].values():
            for check, result in checks.items():
                found[check]["count"] += result["count"]
                found[check]["problems"] += result["problems"]
    return found


def test_focused_elements_keep_text_contrast_and_a_visible_indicator(shell):
    focus = shell["focus"]
    assert focus["count"] > 1000  # both widths
    assert not focus["problems"], f"{len(focus['problems'])} problem(s):\n" + "\n".join(focus["problems"])


def test_hovered_links_keep_text_contrast(shell):
    hover = shell["hover"]
    assert hover["count"] > 40  # each kind of link once per width
    assert not hover["problems"], f"{len(hover['problems'])} problem(s):\n" + "\n".join(hover["problems"])


def test_shell_links_and_search_checkboxes_are_large_enough_targets(shell):
    targets = shell["targets"]
    assert targets["count"] > 200
    assert not targets["problems"], (
        f"{len(targets['problems'])} target(s) too small at 320 px:\n" + "\n".join(targets["problems"])
    )


# --- Presentation in CSS only (RGAA 10.1) ------------------------------------------------------

PRESENTATIONAL_ATTRIBUTES = {
    "align", "alink", "background", "bgcolor", "border", "cellpadding", "cellspacing", "char",
    "charoff", "clear", "color", "compact", "frameborder", "hspace", "link", "marginheight",
    "marginwidth", "noshade", "nowrap", "text", "valign", "vlink", "vspace", "size", "width", "height",
}  # fmt: skip
PRESENTATIONAL_ELEMENTS = {"basefont", "big", "blink", "center", "font", "marquee", "s", "strike", "tt"}
SIZED_ELEMENTS = {"img", "object", "embed", "canvas", "svg"}  # may have width and height
CANDIDATE = re.compile(
    r"<(?:basefont|big|blink|center|font|marquee|s|strike|tt)[\s>]|<[a-z][^>]*\s(?:"
    + "|".join(sorted(PRESENTATIONAL_ATTRIBUTES))
    + r")\s*=",
    re.I,
)


class _PresentationScan(OpenElementsParser):
    """The start tags of a page, each with the elements open around it as html_tree's TreeBuilder
    keeps them (the same OpenElementsParser), without building the tree (the tree of 500 pages
    took seconds): only the open tags' names are kept."""

    def __init__(self):
        super().__init__("#document")
        self.problems: list[str] = []

    def opened(self, tag, attrs):
        # SVG and MathML attributes are their own geometry, not HTML presentation.
        if "svg" not in self.stack and "math" not in self.stack:
            line = self.getpos()[0]
            if tag in PRESENTATIONAL_ELEMENTS:
                self.problems.append(f"line {line}: <{tag}>")
            for attr in {name for name, _ in attrs} & PRESENTATIONAL_ATTRIBUTES:
                if attr in ("width", "height") and tag in SIZED_ELEMENTS:
                    continue
                if attr == "size" and tag == "select":
                    continue
                self.problems.append(f"line {line}: <{tag} {attr}=…>")
        return tag

    def tag_of(self, item) -> str:
        return item


def presentation_problems(html: str) -> list[str]:
    scan = _PresentationScan()
    scan.feed(html)
    scan.close()
    return scan.problems


def built_pages(site: Path):
    for path in sorted(site.rglob("*.html")):
        yield path.relative_to(site).as_posix(), path.read_text(encoding="utf-8")


def test_presentation_check_catches_each_mistake():
    assert presentation_problems('<p align="center">x</p><center>y</center>') == [
        "line 1: <p align=…>",
        "line 1: <center>",
    ]
    assert presentation_problems('<input size="30"><td width="10"></td>')
    assert not presentation_problems('<img width="10" height="10"><select size="3"></select>')
    assert not presentation_problems('<svg width="10"><rect width="4" height="4"/></svg>')


def test_no_presentational_attribute_in_any_page(site_dir):
    problems = []
    for name, html in built_pages(site_dir):
        if CANDIDATE.search(html):
            problems += [f"{name} {p}" for p in presentation_problems(html)]
    assert not problems, "\n".join(problems)


# --- Required fields (RGAA 11.10) -----------------------------------------------------------


def required_problems(html: str) -> list[str]:
    root = parse_html(html)
    labels = {e.attrs.get("for"): e for e in root.iter("label") if e.attrs.get("for")}
    problems = []
    for field in root.iter("input", "select", "textarea"):
        if "required" not in field.attrs and field.attrs.get("aria-required") != "true":
            continue
        label = labels.get(field.attrs.get("id")) or next(
            (a for a in field.ancestors() if a.tag == "label"), None
        )
        if label is None or "obligatoire" not in label.text:
            text = " ".join(label.text.split()) if label is not None else "no label"
            problems.append(f"line {field.line}: required {field.tag}#{field.attrs.get('id')}: « {text} »")
    return problems


def test_every_required_field_says_so_in_its_label(site_dir):
    problems = []
    required = 0
    for name, html in built_pages(site_dir):
        if "required" in html:
            required += html.count(" required")
            problems += [f"{name} {p}" for p in required_problems(html)]
    assert required >= 1  # the search field at least
    assert not problems, "\n".join(problems)
    assert required_problems('<label for="a">Nom</label><input id="a" required>')


# --- The search field's error (RGAA 11.10) ------------------------------------------------------

ERROR_STATE = """() => {
  const field = document.getElementById("mn-q");
  const ids = (field.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
  const error = document.getElementById("mn-q-erreur");
  return {
    active: document.activeElement.id,
    invalid: field.getAttribute("aria-invalid"),
    describedBy: ids.map(id => document.getElementById(id).textContent.trim()),
    errorShown: !error.hidden && error.getBoundingClientRect().height > 0,
    errorText: error.textContent.trim(),
    label: field.labels[0].textContent,
    status: document.getElementById("mn-search-status").textContent,
  };
}"""


def test_empty_search_names_the_field_and_is_tied_to_it(page, base_url):
    page.goto(base_url + PAGES["search"])
    state = page.evaluate(ERROR_STATE)
    assert "obligatoire" in state["label"] and state["invalid"] is None and not state["errorShown"]
    # From the button: focus goes back to the field, which reads its label and its error.
    page.get_by_role("button", name="Rechercher").click()
    state = page.evaluate(ERROR_STATE)
    assert state["active"] == "mn-q"
    assert state["invalid"] == "true"
    assert state["errorShown"], state
    assert "« Mots à rechercher »" in state["errorText"] and "au moins un mot" in state["errorText"]
    assert state["errorText"] in state["describedBy"]
    assert state["status"] == ""  # read with the field: not twice
    # From the field itself (focus does not move, nothing would be read): the status says it.
    page.locator("#mn-q").press("Enter")
    state = page.evaluate(ERROR_STATE)
    assert "« Mots à rechercher »" in state["status"] and state["errorShown"]
    # Words: the error goes away at once.
    page.locator("#mn-q").fill("Lodève")
    page.locator("#mn-q").press("Enter")
    state = page.evaluate(ERROR_STATE)
    assert state["invalid"] is None and not state["errorShown"]
    assert "mn-q-erreur" not in (page.locator("#mn-q").get_attribute("aria-describedby") or "")


def test_search_without_javascript_points_to_the_lists(contexts, base_url):
    with page_in(contexts(java_script_enabled=False)) as page:
        page.goto(base_url + PAGES["search"])
        assert not page.locator("#mn-search").is_visible()
        note = page.locator(".mn-search-nojs")
        assert note.is_visible() and "JavaScript" in note.inner_text()
        links = page.locator(".mn-search-intro a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert len(hrefs) >= 2, "the ways to browse without search: by commune, by need"
        for href in hrefs:  # each leads to an existing list
            page.goto(base_url + href.lstrip("/"))
            fragment = href.partition("#")[2]
            assert not fragment or page.locator(f"[id='{fragment}']").count() == 1, href


# --- The skip link ----------------------------------------------------------------------------

SKIP_STATE = """() => {
  const {parse, ratio, background} = window.rgaa;
  const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
  return {
    id: el.id, cls: el.className,
    inView: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight && r.width > 0,
    background: s.backgroundColor, boxShadow: s.boxShadow,
    outline: s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth),
    ratio: ratio(parse(s.color), background(el)),
  };
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_skip_link_is_visible_and_lands_on_main_without_painting_it(contexts, base_url, width):
    with page_in(contexts(), viewport=WIDTHS[width]) as page:
        page.goto(base_url + PAGES["site-mediatheque"])
        page.evaluate(HELPERS)
        page.keyboard.press("Tab")
        skip = page.evaluate(SKIP_STATE)
        assert skip["cls"] == "mn-skip" and skip["inView"], skip
        assert skip["ratio"] >= TEXT_RATIO and skip["outline"] >= 2, skip
        page.keyboard.press("Enter")
        main = page.evaluate(SKIP_STATE)
        assert main["id"] == "contenu"
        assert main["background"] == "rgba(0, 0, 0, 0)", f"main painted when focused: {main}"
        assert main["boxShadow"] == "none" and main["outline"] <= 2, main
