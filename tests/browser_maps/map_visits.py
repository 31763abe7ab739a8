"""One visit of each map page (MAP_PAGES) for the checks that start from the map as it opens.

The axe test, the site-shell test and the scale-and-attribution test of each map page, and the
department map's marker count and weight, each loaded the page afresh. One visit now loads it once
and measures, in this order (each check on the state it had before):

1. load, until the map is drawn and the network is idle; on the department map, its markers and
   the bytes transferred so far (before any tile: tiles are not from the site);
2. axe-core; the scale as the map opens;
3. the first Tab (the skip link), then what the page is as a page of the site (language, title,
   heading, viewport, header, menu, footer, the link back to the list, the map's height);
4. a popup opened with the keyboard (Enter on clusters until a marker shows, then on it); axe-core;
5. the scale at zoom 18, and the attribution's links;
6. the hosts asked outside the site, and the console errors and uncaught exceptions all along.

A step that raises is recorded in ``errors`` and fails only the tests that read it.
"""

from __future__ import annotations

from browser_harness import InFlight, step_recorder

MAP_PAGES = {
    "departement": "carte/",
    "epci": "carte/territoires/cc-lodevois-et-larzac/",
    "commune": "carte/communes/lodeve/",
    "site": "carte/lieux/exemple-mediatheque-lodeve/",
    "site-itinerant": "carte/lieux/exemple-bus-numerique-haut-languedoc/",
}
CLUSTERED = ("departement", "epci")

ACTIVE = """() => { const a = document.activeElement;
  return {tag: a.tagName, cls: String(a.className), title: a.getAttribute('title'),
          text: a.textContent, inMap: !!a.closest('.folium-map'), connected: a.isConnected}; }"""

# Markers in the group, and counted on screen (each cluster's number, and the single markers).
MARKERS = """() => {
  let n = 0;
  document.querySelectorAll('.marker-cluster > div > span').forEach(s => { n += parseInt(s.firstChild.textContent, 10); });
  return {group: mnMarkers.getLayers().length,
          onScreen: n + document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length};
}"""

ATTRIBUTION_STYLE = """a => { const s = getComputedStyle(a), box = getComputedStyle(a.closest('.leaflet-control-attribution'));
  return {line: s.textDecorationLine, color: s.color, background: box.backgroundColor, text: a.textContent}; }"""


def wait_for_map(page, clustered: bool) -> None:
    page.wait_for_selector(".leaflet-container")
    if clustered:
        page.wait_for_selector(".folium-map[data-markers]")
        # The group then animates the clusters it made (carte-leaflet.js reads the same flag).
        page.wait_for_function("() => !window.mnMarkers._inZoomAnimation")
    else:
        page.wait_for_selector(".leaflet-marker-icon")


def open_map(page, maps_url: str, kind: str) -> None:
    with InFlight(page) as requests:
        page.goto(maps_url + MAP_PAGES[kind])
        wait_for_map(page, clustered=kind in CLUSTERED)
        requests.settle()


def active(page) -> dict:
    return page.evaluate(ACTIVE)


def site_shell(page) -> dict:
    """What makes the map page a page of the site (read as the tests read it)."""
    back = page.locator(".mn-mapbar a")
    nav = page.get_by_role("navigation", name="Menu principal")
    found = {
        "lang": page.locator("html").get_attribute("lang"),
        "title": page.title(),
        "h1": page.locator("main h1").count(),
        "viewport": page.locator("meta[name=viewport]").get_attribute("content") or "",
        "back": back.count(),
        "main": page.locator("main").count(),
        "main_map": page.locator("main#contenu .folium-map").count(),
        "header": page.locator("header.mn-header").is_visible(),
        "nav": nav.is_visible(),
        "nav_links": nav.get_by_role("link").count(),
        "footer": page.locator("footer.mn-footer").is_visible(),
        "accessibilite": page.locator("footer a[href='/accessibilite/']").is_visible(),
        "height": page.evaluate("() => document.querySelector('.folium-map').getBoundingClientRect().height"),
    }
    if found["back"] == 1:
        found |= {"back_href": back.get_attribute("href"), "back_visible": back.is_visible()}
        found["back_text"] = back.inner_text()
    return found


def open_a_popup(page, run_axe) -> list[dict]:
    """Enter on clusters until a marker shows, then on it: axe-core with the popup open."""
    target = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
    for _ in range(5):
        if target.count():
            break
        page.locator(".leaflet-marker-icon.marker-cluster").first.press("Enter")
        page.wait_for_timeout(800)
    target.first.press("Enter")
    page.wait_for_selector(".leaflet-popup-content a")
    return run_axe(page)


def visit_map(page, traffic, maps_url: str, kind: str, run_axe, watch) -> dict:
    """Every measure of one map page (see the module's docstring), as JSON-ready data."""
    found: dict = {"kind": kind, "url": MAP_PAGES[kind], "errors": {}}
    step = step_recorder(found)

    problems = watch(page)
    step("load", lambda: open_map(page, maps_url, kind))
    if found["errors"]:
        return found
    if kind == "departement":
        found["markers"] = step("markers", lambda: page.evaluate(MARKERS))
        found["transferred"] = traffic.transferred(lambda u: u.startswith(traffic.origin))
        found["files"] = sorted(
            {r.url.removeprefix(traffic.origin) for r in traffic.requests if r.url.startswith(traffic.origin)}
        )
    found["axe"] = step("axe", lambda: run_axe(page))
    lines = page.locator(".leaflet-control-scale-line")
    found["scale_lines"] = step("scale", lines.count)
    if found["scale_lines"] == 1:
        found["scale"] = [step("scale", lines.inner_text)]

    def tab() -> dict:
        page.keyboard.press("Tab")
        return {**active(page), "href": page.evaluate("() => document.activeElement.getAttribute('href')")}

    found["skip"] = step("skip", tab)
    found["shell"] = step("shell", lambda: site_shell(page))
    found["popup"] = step("popup", lambda: open_a_popup(page, run_axe))
    if found["scale_lines"] == 1:

        def zoomed() -> str:
            page.evaluate("() => mnMap.setZoom(18, {animate: false})")
            return lines.inner_text()

        found["scale"].append(step("scale", zoomed))
    links = page.locator(".leaflet-control-attribution a")
    found["attribution"] = step(
        "attribution", lambda: [links.nth(i).evaluate(ATTRIBUTION_STYLE) for i in range(links.count())]
    )
    found["outside"] = list(traffic.outside)
    found["hosts_outside"] = sorted(traffic.hosts_outside())
    found["problems"] = list(problems)
    return found
