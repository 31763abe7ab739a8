"""The page shell against the RGAA: focus and hover contrast, target size, presentation in CSS only,
required fields, the search field's error, the skip link.

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
from html_tree import parse_html

from .conftest import PAGES, open_page

pytestmark = pytest.mark.browser

WIDTHS = {"1280px": {"width": 1280, "height": 800}, "320px": {"width": 320, "height": 640}}
TEXT_RATIO = 4.5

# Colours, WCAG contrast, the background behind an element, its text-bearing parts. Defined once
# per page (window.rgaa) and used by the checks below.
HELPERS = r"""() => {
  if (window.rgaa) return;
  const parse = c => {
    const m = /rgba?\(([^)]+)\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const lum = c => {
    const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  // The colour behind an element: its own and its ancestors' backgrounds down to the first opaque
  // one, composed over the white canvas. null behind an image or a gradient (not measurable).
  const background = el => {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== "none") return null;
      const c = parse(s.backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((below, c) => over(c, below), [255, 255, 255, 1]);
  };
  const name = el => {
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls + (text ? " « " + text + " »" : "");
  };
  const shown = e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && s.clip === "auto" && s.clipPath === "none";
  };
  const noText = new Set(["checkbox", "radio", "range", "color", "file", "image", "hidden"]);
  // The element and its descendants that draw text of their own.
  const textParts = el => {
    const parts = [];
    for (const e of [el, ...el.querySelectorAll("*")]) {
      const control = /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(e.tagName);
      if (control && e.tagName === "INPUT" && noText.has(e.type)) continue;
      const own = control || [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (own && shown(e)) parts.push(e);
    }
    return parts;
  };
  // Text contrast problems of an element in its current state.
  const textProblems = el => {
    const found = [];
    for (const part of textParts(el)) {
      const bg = background(part);
      if (!bg) continue;
      let fg = parse(getComputedStyle(part).color);
      if (fg[3] < 1) fg = over(fg, bg);
      const r = ratio(fg, bg);
      if (r < window.rgaa.TEXT_RATIO) {
        found.push((part === el ? "" : "its " + name(part) + ": ") + "text " + getComputedStyle(part).color
          + " on " + "rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + ")" + " = " + r.toFixed(2) + ":1");
      }
    }
    return found;
  };
  window.rgaa = {parse, ratio, background, name, shown, textProblems, TEXT_RATIO: 4.5, INDICATOR_RATIO: 3};
}"""

# Open every <details>, list what takes focus, focus each and measure it.
FOCUS_CHECK = r"""() => {
  const {parse, ratio, background, name, shown, textProblems, INDICATOR_RATIO} = window.rgaa;
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const selector = "a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  const problems = [];
  let count = 0;
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || el.tabIndex < 0 || el.closest("[hidden], [inert]")) continue;
    el.focus({preventScroll: true});
    if (document.activeElement !== el) continue;  // not focusable after all (display: none…)
    count += 1;
    const where = name(el);
    if (!el.matches(":focus-visible")) { problems.push(where + ": no :focus-visible style applies"); continue; }
    if (!shown(el) && el.getBoundingClientRect().width < 1) continue;
    for (const p of textProblems(el)) problems.push(where + " focused: " + p);
    // The indicator: an outline or a box-shadow ring of 2 px at least, 3:1 against the colour
    // around the element (its parent's background).
    const s = getComputedStyle(el), around = background(el.parentElement || el);
    const rings = [];
    if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) rings.push(parse(s.outlineColor));
    const spread = /(-?[\d.]+)px\s*$/.exec(s.boxShadow.replace(/rgba?\([^)]*\)/g, "").trim().split(",")[0] || "");
    if (s.boxShadow !== "none" && spread && parseFloat(spread[1]) >= 2) rings.push(parse(s.boxShadow));
    if (!rings.length) problems.push(where + ": no focus indicator of 2 px (outline or box-shadow)");
    else if (around && Math.max(...rings.map(c => ratio(c, around))) < INDICATOR_RATIO) {
      problems.push(where + ": focus indicator below 3:1 against rgb(" + around.slice(0, 3).join(", ") + ")");
    }
  }
  if (document.activeElement) document.activeElement.blur();
  return {count, problems};
}"""

# One link of each kind not seen on an earlier page (same classes up the tree, same colours):
# [key, index] of each.
HOVER_TARGETS = r"""seen => {
  const {background, shown} = window.rgaa;
  const kinds = new Map(), known = new Set(seen);
  document.querySelectorAll("a[href]").forEach((a, i) => {
    if (a.closest("[hidden], [inert]") || !shown(a)) return;
    const path = [];
    for (let e = a; e && e !== document.body; e = e.parentElement) {
      path.push(e.tagName + "." + (typeof e.className === "string" ? e.className : "") + (e.getAttribute("aria-current") || ""));
    }
    const key = path.join("<") + "|" + getComputedStyle(a).color + "|" + background(a);
    if (!kinds.has(key) && !known.has(key)) { a.dataset.rgaaHover = i; kinds.set(key, i); }
  });
  return [...kinds.entries()];
}"""

POINT_AT = r"""i => {
  const a = document.querySelector(`[data-rgaa-hover="${i}"]`);
  a.scrollIntoView({block: "center", inline: "nearest"});
  const r = a.getClientRects()[0] || a.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
}"""

HOVER_CHECK = r"""i => {
  const {name, textProblems} = window.rgaa;
  const a = document.querySelector(`[data-rgaa-hover="${i}"]`);
  if (!a.matches(":hover")) return null;  // covered by another element at that point
  return textProblems(a).map(p => name(a) + " hovered: " + p);
}"""


# --- Target size (WCAG 2.5.8) --------------------------------------------------------------

TARGETS = r"""() => {
  const {name, shown} = window.rgaa;
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const scope = ".mn-brand, .mn-nav a, .mn-crumbs a, .mn-footer__links a, #mn-search input[type=checkbox]";
  const all = "a[href], button, input:not([type=hidden]), select, textarea, summary, label, [tabindex]:not([tabindex='-1'])";
  const box = e => { const r = e.getBoundingClientRect(); return {l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height, cx: r.left + r.width / 2, cy: r.top + r.height / 2}; };
  const usable = e => !e.closest("[hidden], [inert]") && shown(e) && e.getBoundingClientRect().right > 0;
  const targets = [...document.querySelectorAll(all)].filter(usable).map(e => ({e, b: box(e)}));
  const small = b => b.w < 24 || b.h < 24;
  const distance = (x, y, b) => Math.hypot(Math.max(b.l - x, 0, x - b.r), Math.max(b.t - y, 0, y - b.b));
  const problems = [];
  let count = 0;
  for (const el of document.querySelectorAll(scope)) {
    if (!usable(el)) continue;
    count += 1;
    const b = box(el), own = el.labels ? [...el.labels] : [];
    if (el.matches("input[type=checkbox]")) {
      for (const label of own) if (label.getBoundingClientRect().height < 24) problems.push(name(label) + ": label " + Math.round(label.getBoundingClientRect().height) + " px high, under 24");
    }
    if (!small(b)) continue;
    // The spacing exception: a 24 px circle centred on it meets no other target nor the circle
    // of another small target.
    const hit = targets.find(o => o.e !== el && !o.e.contains(el) && !el.contains(o.e) && !own.includes(o.e)
      && (distance(b.cx, b.cy, o.b) < 12 || (small(o.b) && Math.hypot(b.cx - o.b.cx, b.cy - o.b.cy) < 24)));
    if (hit) problems.push(name(el) + ": " + Math.round(b.w) + " × " + Math.round(b.h) + " px, too close to " + name(hit.e));
  }
  return {count, problems};
}"""


@pytest.fixture(scope="module")
def shell(browser, base_url) -> dict[str, dict]:
    """Every representative page loaded once, measured at each width: focus, hover, targets.

    Returns {"focus" | "hover" | "targets": {"count": n, "problems": [...]}}.
    """
    found = {check: {"count": 0, "problems": []} for check in ("focus", "hover", "targets")}

    def add(check: str, where: str, result: dict) -> None:
        found[check]["count"] += result["count"]
        found[check]["problems"] += [f"{where}: {p}" for p in result["problems"]]

    seen: dict[str, list[str]] = {width: [] for width in WIDTHS}  # kinds of links hovered
    with open_page(browser, viewport=WIDTHS["1280px"]) as page:
        for kind, url in PAGES.items():
            page.goto(base_url + url)
            page.evaluate(HELPERS)
            for width, viewport in WIDTHS.items():
                page.set_viewport_size(viewport)
                where = f"{kind} ({width})"
                page.keyboard.press("Tab")  # keyboard use: script focus then matches :focus-visible
                add("focus", where, page.evaluate(FOCUS_CHECK))
                hover = {"count": 0, "problems": []}
                for key, index in page.evaluate(HOVER_TARGETS, seen[width]):
                    seen[width].append(key)
                    x, y = page.evaluate(POINT_AT, index)
                    page.mouse.move(x, y)
                    result = page.evaluate(HOVER_CHECK, index)
                    if result is not None:
                        hover["count"] += 1
                        hover["problems"] += result
                page.mouse.move(0, 0)
                add("hover", where, hover)
                if width == "320px":
                    add("targets", where, page.evaluate(TARGETS))
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


def presentation_problems(html: str) -> list[str]:
    problems = []
    for element in parse_html(html).iter():
        if element.tag == "#document" or any(a.tag in ("svg", "math") for a in element.ancestors()):
            continue  # SVG and MathML attributes are their own geometry, not HTML presentation
        if element.tag in PRESENTATIONAL_ELEMENTS:
            problems.append(f"line {element.line}: <{element.tag}>")
        for attr in set(element.attr_names) & PRESENTATIONAL_ATTRIBUTES:
            if attr in ("width", "height") and element.tag in SIZED_ELEMENTS:
                continue
            if attr == "size" and element.tag == "select":
                continue
            problems.append(f"line {element.line}: <{element.tag} {attr}=…>")
    return problems


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


def test_search_without_javascript_points_to_the_lists(browser, base_url):
    with open_page(browser, java_script_enabled=False) as page:
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
def test_skip_link_is_visible_and_lands_on_main_without_painting_it(browser, base_url, width):
    with open_page(browser, viewport=WIDTHS[width]) as page:
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
