"""The opened map against the RGAA audit: Space as well as Enter on what is announced as a
button, where the focus goes after a cluster or a popup, a metric scale, motion under
prefers-reduced-motion, the map page as a page of the site, the attribution's links."""

from __future__ import annotations

import re

import pytest

from browser_harness import describe_violations, outcome, run_axe

from .conftest import traffic_context, watch
from .map_visits import MAP_PAGES, active, open_map

pytestmark = pytest.mark.browser

KEYS = ("Space", "Enter")

# The layer shown by an icon (a marker, or a cluster) and the titles of the markers it stands for.
LAYER_TITLES = """el => {
  for (const m of mnMarkers.getLayers()) {
    const shown = mnMarkers.getVisibleParent ? mnMarkers.getVisibleParent(m) : m;
    if (shown && shown._icon === el) {
      return (shown.getAllChildMarkers ? shown.getAllChildMarkers() : [shown]).map(x => x.options.title);
    }
  }
  return null;
}"""


def zoom(page) -> int:
    return page.evaluate("() => mnMap.getZoom()")


# --------------------------------------------------------------------------------------------------
# 1. Space and Enter


def press_and_zoom(page, key: str) -> int:
    """Press ``key`` and wait for the end of the zoom (a zoom asked for during another is dropped):
    the new zoom, or None after 5 s without one."""
    page.evaluate(
        """() => { window.mnZoomed = new Promise(done => {
                     mnMap.once('zoomend', () => done(mnMap.getZoom()));
                     setTimeout(() => done(null), 5000); }); }"""
    )
    page.keyboard.press(key)
    return page.evaluate("() => mnZoomed")


@pytest.mark.parametrize("key", KEYS)
def test_space_and_enter_press_the_zoom_buttons_without_scrolling(traffic_page, maps_url, key):
    page, _ = traffic_page
    page.set_viewport_size({"width": 800, "height": 600})  # the map page scrolls
    problems = watch(page)
    open_map(page, maps_url, "departement")
    zoom_in, zoom_out = page.locator(".leaflet-control-zoom-in"), page.locator(".leaflet-control-zoom-out")
    assert zoom_in.get_attribute("role") == "button" and zoom_in.get_attribute("aria-label") == "Zoomer"
    before = zoom(page)
    for button, expected in ((zoom_in, before + 1), (zoom_out, before)):
        button.focus()
        scrolled = page.evaluate("() => window.scrollY")
        assert press_and_zoom(page, key) == expected
        assert page.evaluate("() => window.scrollY") == scrolled, f"{key} scrolled the page"
        assert page.evaluate("e => document.activeElement === e", button.element_handle())
    assert not problems, problems


@pytest.mark.parametrize("key", KEYS)
def test_space_and_enter_open_a_popup_and_closing_it_gives_the_focus_back(traffic_page, maps_url, key):
    page, _ = traffic_page
    open_map(page, maps_url, "site")
    marker = page.locator(".leaflet-marker-icon")
    assert marker.count() == 1 and marker.get_attribute("role") == "button"
    title = marker.get_attribute("title")
    marker.focus()
    page.keyboard.press(key)
    page.wait_for_selector(".leaflet-popup-content a")
    assert page.evaluate("() => document.activeElement.closest('.leaflet-popup-content') !== null")
    # Escape: back to the marker.
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    now = active(page)
    assert now["inMap"] and "leaflet-marker-icon" in now["cls"] and now["title"] == title, now
    # The close button, pressed with the same key: back to the marker.
    page.keyboard.press(key)
    page.wait_for_selector(".leaflet-popup-content a")
    close = page.locator(".leaflet-popup-close-button")
    assert close.get_attribute("role") == "button" and close.get_attribute("aria-label") == "Fermer"
    close.focus()
    page.keyboard.press(key)
    page.wait_for_selector(".leaflet-popup", state="detached")
    now = active(page)
    assert now["inMap"] and "leaflet-marker-icon" in now["cls"] and now["title"] == title, now
    assert page.evaluate("() => window.location.hash") == "", "the close button followed its href"


def press_and_settle(page, key: str) -> None:
    """Press ``key`` on the focused cluster; wait for the zoom, and for the focus to settle on an
    icon shown in its place (the cluster's own icon stays during the animation)."""
    page.evaluate("() => { window.mnPressed = document.activeElement; window.mnZoom = mnMap.getZoom(); }")
    page.keyboard.press(key)
    page.wait_for_function(
        """() => { const a = document.activeElement;
             return mnMap.getZoom() > mnZoom && a !== mnPressed && a.isConnected
               && a.classList.contains('leaflet-marker-icon') && !!a.closest('.folium-map'); }"""
    )


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
@pytest.mark.parametrize("key", KEYS)
def test_opening_a_cluster_puts_the_focus_on_what_it_reveals(maps_context, maps_url, key, motion):
    with traffic_context(maps_context, maps_url, reduced_motion=motion) as (page, _):
        problems = watch(page)
        open_map(page, maps_url, "departement")
        # The biggest cluster: it opens on smaller clusters, then markers.
        biggest = page.evaluate(
            """() => { const all = [...document.querySelectorAll('.leaflet-marker-icon.marker-cluster')];
                 const count = el => parseInt(el.textContent, 10);
                 return all.indexOf(all.reduce((a, b) => (count(b) > count(a) ? b : a))); }"""
        )
        cluster = page.locator(".leaflet-marker-icon.marker-cluster").nth(biggest)
        assert cluster.get_attribute("role") == "button" and cluster.get_attribute("tabindex") == "0"
        inside = cluster.evaluate(LAYER_TITLES)
        assert inside and len(inside) > 1, inside
        cluster.focus()
        press_and_settle(page, key)
        now = active(page)
        assert now["connected"] and now["inMap"], now
        revealed = page.evaluate(f"() => ({LAYER_TITLES})(document.activeElement)")
        assert revealed and set(revealed) <= set(inside), (revealed, inside)
        print(f"\n{key}, {motion}: cluster of {len(inside)} → focus on {now['title'] or now['text']!r}")
        # From there, the same key goes on: into a smaller cluster, or the popup of a marker.
        for _ in range(6):
            if "marker-cluster" not in page.evaluate("() => document.activeElement.className"):
                break
            press_and_settle(page, key)
            print(f"then focus on {page.evaluate('() => document.activeElement.textContent')!r}")
        title = page.evaluate("() => document.activeElement.getAttribute('title')")
        assert title in inside
        page.keyboard.press(key)
        page.wait_for_selector(".leaflet-popup-content a")
        assert page.evaluate("() => document.activeElement.closest('.leaflet-popup-content') !== null")
        violations = run_axe(page)
        assert not violations, describe_violations(
            violations, f"/carte/ after {key} on a cluster and a marker"
        )
        page.keyboard.press("Escape")
        page.wait_for_selector(".leaflet-popup", state="detached")
        assert page.evaluate("() => document.activeElement.getAttribute('title')") == title
        assert not problems, problems


# --------------------------------------------------------------------------------------------------
# 3, 4, 6. Scale, motion, attribution


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgba(css: str) -> tuple[float, ...]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return tuple(values) if len(values) == 4 else (*values, 1.0)


def test_contrast_helper():
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert rgba("rgba(255, 255, 255, 0.8)") == (255, 255, 255, 0.8)
    assert rgba("rgb(11, 79, 156)") == (11, 79, 156, 1.0)


def test_metric_scale_and_attribution_links_underlined_with_contrast(map_visited):
    """During the map's visit (map_visits.py): the scale as the map opens and at zoom 18."""
    kind = map_visited["kind"]
    assert outcome(map_visited, "scale_lines", "scale") == 1, "one scale, metric only"
    texts = map_visited["scale"]
    assert all(re.fullmatch(r"\d+ (km|m)", t) for t in texts), texts
    assert re.fullmatch(r"\d+ m", texts[-1]), texts
    styles = outcome(map_visited, "attribution", "attribution")
    assert len(styles) >= 1
    for style in styles:
        assert "underline" in style["line"], style
        background = rgba(style["background"])
        assert background[3] == 1, f"the attribution's background is not opaque: {style}"
        ratio = contrast(rgba(style["color"]), background)
        print(
            f"\n{kind}: attribution link {style['text']!r} {style['color']} on {style['background']}: {ratio:.2f}:1"
        )
        assert ratio >= 4.5, style


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_animations_follow_prefers_reduced_motion(maps_context, maps_url, motion):
    with traffic_context(maps_context, maps_url, reduced_motion=motion) as (page, _):
        open_map(page, maps_url, "departement")
        state = page.evaluate(
            """() => {
                 const o = mnMap.options, box = mnMap.getContainer(), pane = mnMap.getPane('mapPane');
                 const icon = document.querySelector('.leaflet-marker-icon');
                 pane.classList.add('leaflet-cluster-anim');
                 const cluster = getComputedStyle(icon).transitionDuration;
                 pane.classList.remove('leaflet-cluster-anim');
                 const probe = document.createElement('div');
                 probe.className = 'leaflet-zoom-animated';
                 pane.appendChild(probe);
                 box.classList.add('leaflet-zoom-anim');
                 const zoomed = getComputedStyle(probe).transitionDuration;
                 box.classList.remove('leaflet-zoom-anim');
                 probe.remove();
                 return {zoomAnimation: o.zoomAnimation, fadeAnimation: o.fadeAnimation,
                         markerZoomAnimation: o.markerZoomAnimation, inertia: o.inertia,
                         clusterAnimate: mnMarkers.options.animate,
                         fadeClass: box.classList.contains('leaflet-fade-anim'),
                         clusterTransition: cluster, zoomTransition: zoomed};
               }"""
        )
        print(f"\n{motion}: {state}")
        animated = motion != "reduce"
        for option in ("zoomAnimation", "fadeAnimation", "markerZoomAnimation", "inertia", "clusterAnimate"):
            assert state[option] is animated, (option, state)
        assert state["fadeClass"] is animated, state
        # Leaflet's and marker-cluster's CSS transitions, off as well.
        assert (state["clusterTransition"] != "0s") is animated, state
        assert (state["zoomTransition"] != "0s") is animated, state
        # A pan (the keyboard's arrows, a popup brought into view) is a jump, not a glide.
        moving = page.evaluate(
            "() => { mnMap.panBy([80, 0]); return !!(mnMap._panAnim && mnMap._panAnim._inProgress); }"
        )
        assert moving is animated


# --------------------------------------------------------------------------------------------------
# 5. The map page on its own: a page of the site; in the iframe: the map alone


def test_map_page_on_its_own_keeps_the_site_shell(map_visited):
    """During the map's visit (map_visits.py), once it is drawn and the network idle."""
    shell = outcome(map_visited, "shell", "shell")
    assert shell["lang"] == "fr"
    viewport = shell["viewport"]
    assert not re.search(r"user-scalable|maximum-scale", viewport), viewport
    skip = outcome(map_visited, "skip", "skip")
    assert skip["tag"] == "A" and "mn-skip" in skip["cls"], skip
    assert skip["href"] == "#contenu"
    assert shell["main"] == 1 and shell["main_map"] == 1
    assert shell["header"]
    assert shell["nav"] and shell["nav_links"] >= 3
    assert shell["footer"]
    assert shell["accessibilite"]
    # The text alternative: the list of the same places, linked above the map.
    assert shell.get("back_visible") and shell["back_text"].startswith("Voir ")
    height = shell["height"]
    assert height >= 250, height
    assert not map_visited["problems"], map_visited["problems"]


@pytest.mark.parametrize("how", ["afficher-la-carte", "framed-without-fragment"])
def test_map_in_an_iframe_is_the_map_alone(traffic_page, maps_url, how):
    page, _ = traffic_page
    problems = watch(page)
    page.goto(maps_url + "communes/lodeve/")
    if how == "afficher-la-carte":
        page.get_by_role("button", name="Afficher la carte").click()
    else:
        page.evaluate(
            """url => { const f = document.createElement('iframe');
                 f.className = 'mn-map-frame'; f.title = 'Carte'; f.src = url;
                 f.width = 800; f.height = 500; document.querySelector('main').appendChild(f); }""",
            maps_url + MAP_PAGES["commune"],
        )
    frame = page.locator("iframe.mn-map-frame").element_handle().content_frame()
    frame.wait_for_selector(".leaflet-marker-icon")
    for hidden in (".mn-skip", ".mn-header", ".mn-crumbs", ".mn-footer"):
        assert not frame.locator(hidden).is_visible(), f"{hidden} shown in the iframe"
    assert frame.locator(".mn-mapbar h1").is_visible() and frame.locator(".mn-mapbar a").is_visible()
    sizes = frame.evaluate(
        """() => ({map: document.querySelector('.folium-map').getBoundingClientRect().height,
                   page: innerHeight, scroll: document.documentElement.scrollHeight})"""
    )
    assert sizes["map"] >= sizes["page"] * 0.6 and sizes["scroll"] <= sizes["page"] + 1, sizes
    assert not problems, problems
