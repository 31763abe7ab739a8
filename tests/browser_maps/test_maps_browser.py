"""The maps in Chromium: markers, popups, keyboard, requests, weight, axe."""

from __future__ import annotations

import gzip
import re

import pytest
from playwright.sync_api import expect

from browser_harness import InFlight, describe_violations, outcome, run_axe

from .conftest import TILE_HOST, watch
from .map_visits import MAP_PAGES, wait_for_map

pytestmark = pytest.mark.browser

KB = 1024
PAGES_WITH_MAP = {
    "home": "",
    "commune": "communes/lodeve/",
    "epci": "territoires/cc-lodevois-et-larzac/",
    "site": "lieux/exemple-mediatheque-lodeve/",
}
OTHER_PAGES = ("recherche/", "besoins/demarches-en-ligne/", "ateliers/", "pass-numerique/")


def test_department_map_shows_every_help_point(map_visits, catalogue_sites):
    """Counted during the department map's visit (map_visits.py), as it opens."""
    visited = map_visits("departement")
    with_coordinates = [s for s in catalogue_sites if s.coordinates]
    markers = outcome(visited, "markers", "markers")
    shown, in_clusters = markers["group"], markers["onScreen"]
    print(
        f"\nmarkers: {shown} in the group, {in_clusters} counted on screen, {len(with_coordinates)} expected"
    )
    assert shown == len(with_coordinates)
    assert in_clusters == len(with_coordinates)
    assert not visited["problems"], visited["problems"]


def test_department_map_popup_links_to_the_place(traffic_page, maps_url, catalogue_sites):
    page, _ = traffic_page
    page.goto(maps_url + "carte/")
    wait_for_map(page, clustered=True)
    site = next(s for s in catalogue_sites if s.id == "exemple-mediatheque-lodeve")
    link = page.evaluate(
        """url => new Promise(done => {
             const m = mnMarkers.getLayers().find(m => m.getPopup().getContent().querySelector('a').getAttribute('href') === url);
             mnMarkers.zoomToShowLayer(m, () => { m.openPopup(); done(true); });
           })""",
        f"/lieux/{site.id}/",
    )
    assert link
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator("a").get_attribute("href") == f"/lieux/{site.id}/"
    assert site.name in popup.inner_text() and site.commune.nom in popup.inner_text()
    # The link is focused: Enter follows it, in the whole window (target _top).
    assert page.evaluate("() => document.activeElement.closest('.leaflet-popup') !== null")
    violations = run_axe(page)
    assert not violations, describe_violations(violations, "/carte/ with a popup open")


def test_markers_and_popups_work_with_the_keyboard(traffic_page, maps_url, catalogue_sites):
    page, _ = traffic_page
    page.goto(maps_url + MAP_PAGES["site-itinerant"])
    wait_for_map(page, clustered=False)
    page.keyboard.press("Tab")  # skip link
    for _ in range(40):  # the site's header, menu and breadcrumbs, the link to the list, the zoom buttons
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('leaflet-marker-icon')"):
            break
    else:
        pytest.fail("no marker reached with Tab")
    marker = page.evaluate(
        "() => document.activeElement.getAttribute('title') || document.activeElement.textContent"
    )
    assert marker
    if page.evaluate("() => document.activeElement.classList.contains('marker-cluster')"):
        page.keyboard.press("Enter")  # a cluster zooms in
        page.wait_for_timeout(600)
        page.locator(".leaflet-marker-icon:not(.marker-cluster)").first.focus()
    title = page.evaluate("() => document.activeElement.getAttribute('title')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content a")
    # The marker is named « nom, commune » of the place its popup links to: the commune of its
    # address or, for a stop of an itinerant service, of that stop.
    href = page.locator(".leaflet-popup-content a").first.get_attribute("href")
    site = next(s for s in catalogue_sites if f"/lieux/{s.id}/" == href)
    communes = [site.commune.nom] if site.coordinates else []
    communes += [st.commune.nom for st in site.stops if st.latitude is not None]
    names = {f"{site.name}, {commune}" for commune in communes}
    assert title in names, (title, names)
    assert page.evaluate("() => document.activeElement.closest('.leaflet-popup-content') !== null")
    assert page.locator(".leaflet-popup-close-button").get_attribute("aria-label") == "Fermer"
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate("() => document.activeElement.getAttribute('title')") == title
    # What a screen reader announces for the focused marker is that name too.
    expect(page.locator(".leaflet-marker-icon:focus")).to_have_accessible_name(title)


def test_map_page_passes_axe_before_and_after_opening_a_popup(map_visited):
    """During the map's visit (map_visits.py): axe as it opens, then with a popup opened by keyboard."""
    url, shell = map_visited["url"], outcome(map_visited, "shell", "shell")
    assert shell["lang"] == "fr"
    assert shell["title"]
    assert shell["h1"] == 1
    assert "user-scalable" not in shell["viewport"]
    assert shell["back"] == 1 and shell["back_href"].startswith("/")
    violations = outcome(map_visited, "axe", "axe")
    assert not violations, describe_violations(violations, f"/{url}")
    violations = outcome(map_visited, "popup", "popup")
    assert not violations, describe_violations(violations, f"/{url} with a popup open")
    assert set(map_visited["hosts_outside"]) <= {TILE_HOST}, map_visited["outside"]
    assert not map_visited["problems"], map_visited["problems"]


@pytest.mark.parametrize("url", [*PAGES_WITH_MAP.values(), *OTHER_PAGES])
def test_no_request_leaves_the_site_before_a_map_is_opened(traffic_page, maps_url, url):
    page, traffic = traffic_page
    with InFlight(page) as requests:
        page.goto(maps_url + url)
        requests.settle()
    assert traffic.outside == [], traffic.outside
    loaded = [r.url for r in traffic.requests]
    map_files = [u for u in loaded if re.search(r"/carte/|vendor|leaflet|geojson", u)]
    assert map_files == [], f"map files loaded before asking: {map_files}"


@pytest.mark.parametrize("kind", PAGES_WITH_MAP.keys())
def test_afficher_la_carte_shows_the_map_then_only_tiles_come_from_outside(traffic_page, maps_url, kind):
    page, traffic = traffic_page
    problems = watch(page)
    with InFlight(page) as requests:
        page.goto(maps_url + PAGES_WITH_MAP[kind])
        requests.settle()
    assert traffic.outside == []
    button = page.get_by_role("button", name=re.compile("^Afficher la carte"))
    assert button.count() == 1
    # The list of places with addresses stays (the text alternative).
    addresses = page.locator(".mn-card__address, .mn-address").count()
    assert kind == "home" or addresses > 0
    button.focus()
    page.keyboard.press("Enter")
    frame_element = page.locator("iframe.mn-map-frame")
    assert frame_element.get_attribute("title")
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_selector(".leaflet-marker-icon")
    frame.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    print(f"\n{kind}: hosts contacted after opening the map: {sorted(traffic.hosts_outside())}")
    assert traffic.hosts_outside() == {TILE_HOST}, traffic.outside
    assert page.get_by_role("button", name="Masquer la carte").count() == 1
    assert addresses == page.locator(".mn-card__address, .mn-address").count()
    violations = run_axe(page)
    assert not violations, describe_violations(violations, f"/{PAGES_WITH_MAP[kind]} with the map open")
    violations = run_axe(frame)
    assert not violations, describe_violations(violations, f"map in /{PAGES_WITH_MAP[kind]}")
    assert not problems, problems


def test_closed_map_costs_at_most_1_kb(traffic_page, maps_url, maps_site):
    """gzip of the page with its map link minus without it, plus carte.js as transferred."""
    page, traffic = traffic_page
    rows = []
    for url in PAGES_WITH_MAP.values():
        html = (maps_site / url / "index.html").read_text(encoding="utf-8")
        without = re.sub(r'<p class="mn-map"[^>]*>.*?</p>\n?', "", html)
        without = without.replace('<script src="/static/carte.js" defer></script>', "")
        assert without != html
        extra = len(gzip.compress(html.encode(), 9, mtime=0)) - len(
            gzip.compress(without.encode(), 9, mtime=0)
        )
        rows.append((url, extra))
    with InFlight(page) as requests:
        page.goto(maps_url + PAGES_WITH_MAP["commune"])
        requests.settle()
    script = traffic.transferred(lambda u: u.endswith("/static/carte.js"))
    assert script > 0
    for url, extra in rows:
        print(f"\n/{url}: map link {extra} B + carte.js {script} B = {(extra + script) / KB:.2f} KB (gzip)")
        assert extra + script <= KB


def test_department_map_weighs_at_most_120_kb_before_tiles(map_visits):
    """Measured during the department map's visit (map_visits.py), once the network is idle."""
    visited = map_visits("departement")
    total, files = outcome(visited, "transferred"), visited["files"]
    print(f"\n/carte/ with its data: {total / KB:.1f} KB transferred (gzip), {len(files)} files: {files}")
    assert total <= 120 * KB
