"""One visit of each representative page (PAGES) for every check that only reads it.

axe-core, the Content Security Policy, reflow at 320 px (three variants) and the page shell's focus,
hover and target checks used to load each page six times. One visit now loads it once, under its own
policy and the deployment's headers, and measures everything in turn; only the phone variant, whose
mobile viewport and pixel ratio are fixed with its context, loads it a second time, in a context of
its own. The tests (test_axe.py, test_csp.py, test_reflow.py, test_rgaa_shell.py) read the results,
one test per page as before. Order of the visit, each step on the state the check had before:

1. 1280 × 720, as the axe and CSP checks had it: load; console errors, uncaught exceptions and
   failed requests meanwhile (the axe tests' « problems »); wait for the network to be idle; read
   the policy violations (test_csp.py); axe-core (WCAG and best practices in one run: a rule's result
   does not depend on the others run with it); on the home page, axe again with every commune list
   open.
2. 320 × 640, scrolled back to the top: the reflow measure, then again with the text spacing of
   WCAG 1.4.12 (a constructable style sheet, last in the cascade as the <style> it replaces was,
   and allowed by the policy, which a <style> element is not), then without it.
3. The shell checks at 1280 × 800 then 320 × 640, as test_rgaa_shell.py's own visit did (they open
   every <details>, focus and hover: last).

axe-core is evaluated in the page (a page's policy applies to the scripts it loads, not to what
the test evaluates), so its checks run on the page as it is served. The phone variant is measured
while the first page goes idle (another context is another renderer process: it does not delay
that page's own scripts).
"""

from __future__ import annotations

from browser_harness import DESKTOP, InFlight, step_recorder

# The reflow variants of test_reflow.py: a desktop browser window 320 px wide (device pixel ratio 1),
# a small phone (ratio 2, mobile viewport handling: a page too wide would make the phone zoom out),
# and the window with the text spacing a reader may force with a user style sheet (WCAG 1.4.12).
VARIANTS = ("320px-ratio-1", "320px-phone", "320px-text-spacing")
NARROW = {"width": 320, "height": 640}
PHONE = {"viewport": NARROW, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
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


# Each violation is recorded in the document (and each frame) where it happens.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" | "));
});
"""


def record_csp_console(page) -> None:
    """Collect the page's console messages about its policy in ``page.console_csp``."""
    page.console_csp = []
    page.on(
        "console",
        lambda m: (
            "Content Security Policy" in m.text
            and page.console_csp.append(f"console: {m.location.get('url', '')}: {m.text}")
        ),
    )


def violations(page) -> list[str]:
    """The violations recorded in every frame of the page, and CSP console errors."""
    found = []
    for frame in page.frames:
        try:
            found += [f"{frame.url}: {v}" for v in frame.evaluate("window.__csp || []")]
        except Exception as exc:  # a frame that went away
            found.append(f"{frame.url}: could not read violations ({exc})")
    found += page.console_csp
    page.console_csp.clear()
    return found


def is_about_policy(problem: str) -> bool:
    """A console error or a blocked request that the policy caused: test_csp.py reports it."""
    return "Content Security Policy" in problem or "ERR_BLOCKED_BY_CSP" in problem


OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
ADD_SPACING = """css => { window.mnSpacing = new CSSStyleSheet(); window.mnSpacing.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, window.mnSpacing]; }"""
REMOVE_SPACING = (
    "() => { document.adoptedStyleSheets = document.adoptedStyleSheets.filter(s => s !== window.mnSpacing); }"
)


def measure_reflow(page, url: str) -> dict:
    """OVERFLOW on the loaded page, the home page's commune lists opened."""
    if url == "":
        page.evaluate(OPEN_DETAILS)
    return page.evaluate(OVERFLOW)


def check_shell(page, kind: str, seen: dict[str, list[str]]) -> dict[str, dict]:
    """Focus and hover at each width, target sizes at 320 px: {width: {check: {count, problems}}}.

    ``seen``: the kinds of links hovered on earlier pages, by width (each kind is hovered once)."""
    page.evaluate(HELPERS)
    found = {}
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        where = f"{kind} ({width})"
        checks = found[width] = {}
        page.keyboard.press("Tab")  # keyboard use: script focus then matches :focus-visible
        focus = page.evaluate(FOCUS_CHECK)
        checks["focus"] = {"count": focus["count"], "problems": [f"{where}: {p}" for p in focus["problems"]]}
        hover = {"count": 0, "problems": []}
        for key, index in page.evaluate(HOVER_TARGETS, seen[width]):
            seen[width].append(key)
            x, y = page.evaluate(POINT_AT, index)
            page.mouse.move(x, y)
            result = page.evaluate(HOVER_CHECK, index)
            if result is not None:
                hover["count"] += 1
                hover["problems"] += [f"{where}: {p}" for p in result]
        page.mouse.move(0, 0)
        checks["hover"] = hover
        if width == "320px":
            targets = page.evaluate(TARGETS)
            checks["targets"] = {
                "count": targets["count"],
                "problems": [f"{where}: {p}" for p in targets["problems"]],
            }
    return found


def visit(page, phone, kind: str, url: str, site_url: str, phone_url: str, run_axe, watching, seen) -> dict:
    """Every measure of one page (see the module's docstring), as JSON-ready data.

    ``page``: in a context under the pages' policy (bypass_csp=False) recording violations
    (RECORD_VIOLATIONS, record_csp_console), ``site_url`` serving the deployment's headers;
    ``phone``: in the phone variant's context, ``phone_url`` serving the site as test_reflow.py did.
    A step that raises is recorded in ``errors`` (by step) and fails only the tests reading it."""
    found: dict = {"kind": kind, "url": url, "reflow": {}, "errors": {}}
    step = step_recorder(found)

    page.goto("about:blank")  # requests of the previous page end before watching this one
    page.console_csp.clear()
    page.set_viewport_size(DESKTOP)
    with watching(page) as problems:
        requests = InFlight(page)
        response = step("load", lambda: page.goto(site_url + url))
        if response is None:
            requests.close()
            return found
        found["policy"] = response.headers.get("content-security-policy")
        # Meanwhile the page goes idle.
        found["reflow"]["320px-phone"] = step(
            "320px-phone", lambda: (phone.goto(phone_url + url), measure_reflow(phone, url))[1]
        )
        step("idle", requests.settle)
        requests.close()
        found["csp"] = step("csp", lambda: violations(page))
        found["axe"] = step("axe", lambda: run_axe(page))
        if url == "":
            found["axe-lists-open"] = step(
                "axe-lists-open", lambda: (page.evaluate(OPEN_DETAILS), run_axe(page))[1]
            )
    found["problems"] = [p for p in problems if not is_about_policy(p)]

    page.set_viewport_size(NARROW)
    page.evaluate("() => window.scrollTo(0, 0)")
    found["reflow"]["320px-ratio-1"] = step("320px-ratio-1", lambda: measure_reflow(page, url))

    def spaced() -> dict:
        page.evaluate(ADD_SPACING, TEXT_SPACING)
        try:
            return measure_reflow(page, url)
        finally:
            page.evaluate(REMOVE_SPACING)

    found["reflow"]["320px-text-spacing"] = step("320px-text-spacing", spaced)
    found["shell"] = step("shell", lambda: check_shell(page, kind, seen))
    return found
