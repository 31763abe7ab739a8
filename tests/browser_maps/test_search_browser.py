"""The search page in Chromium: results, filters, announcements, keyboard, weight, axe."""

from __future__ import annotations

import json
import re

import pytest

from browser_harness import InFlight, describe_violations, run_axe
from mednum.vocab import NEEDS

from .conftest import watch

pytestmark = pytest.mark.browser

KB = 1024
COMMUNE = "Lodève"


def search(page, words: str, **filters) -> list[str]:
    """Type, choose filters, press Enter; the result links, in order."""
    page.get_by_label(re.compile("^Mots à rechercher")).fill(words)
    if filters:
        page.locator("details.mn-search-filters summary").click()
    for name, value in filters.items():
        page.locator(f"#mn-f-{name}").select_option(value)
    page.get_by_label(re.compile("^Mots à rechercher")).press("Enter")
    page.wait_for_function(
        "() => /résultat|Aucun/.test(document.getElementById('mn-search-status').textContent)"
    )
    return page.eval_on_selector_all(
        "#mn-search-results > li h2 a", "links => links.map(a => a.getAttribute('href'))"
    )


def show_all(page) -> list[str]:
    more = page.locator("#mn-search-more")
    while more.is_visible():
        count = page.locator("#mn-search-results > li").count()
        more.click()
        page.wait_for_function(f"() => document.querySelectorAll('#mn-search-results > li').length > {count}")
    return page.eval_on_selector_all(
        "#mn-search-results > li h2 a", "links => links.map(a => a.getAttribute('href'))"
    )


def test_first_search_transfers_at_most_150_kb(traffic_page, maps_url):
    page, traffic = traffic_page
    problems = watch(page)
    with InFlight(page) as requests:
        page.goto(maps_url + "recherche/")
        requests.settle()
        before = [r.url for r in traffic.requests]
        assert not [u for u in before if "/pagefind/" in u], "Pagefind loaded before the first search"
        links = search(page, COMMUNE)
        requests.settle()
    total = traffic.transferred()
    files = [r.url.removeprefix(traffic.origin) for r in traffic.requests]
    status = page.locator("#mn-search-status").inner_text()
    print(
        f"\nfirst search « {COMMUNE} »: {total / KB:.1f} KB transferred (page included), {len(files)} requests"
    )
    print(f"  {status}; files: {files}")
    assert links
    assert total <= 150 * KB
    assert traffic.outside == []
    assert not problems, problems


def test_a_communes_name_gives_its_help_points_first(traffic_page, maps_url, catalogue_sites):
    page, _ = traffic_page
    page.goto(maps_url + "recherche/")
    links = search(page, COMMUNE)
    links = show_all(page)
    here = {f"/lieux/{s.id}/" for s in catalogue_sites if COMMUNE in {c.nom for c in s.communes_served}}
    assert here
    print(f"\n{len(links)} results; the first {len(here)}: {links[: len(here)]}")
    assert set(links[: len(here)]) == here, links


@pytest.mark.parametrize("need", NEEDS[:3], ids=[n.slug for n in NEEDS[:3]])
def test_a_need_filter_keeps_only_matching_places(
    traffic_page, maps_url, catalogue_sites, catalogue_workshops, need
):
    page, _ = traffic_page
    page.goto(maps_url + "recherche/")
    search(page, "numérique", besoin=need.label)
    links = show_all(page)
    assert links
    sites = {f"/lieux/{s.id}/": s for s in catalogue_sites}
    workshops = {f"/ateliers/{w.id}/": w for w in catalogue_workshops}
    wrong = []
    for link in links:
        if link in sites:
            ok = need.value in sites[link].services
        elif link in workshops:
            ok = need.value in workshops[link].get("thematiques", [])
        else:
            ok = False
        if not ok:
            wrong.append(link)
    expected = {u for u, s in sites.items() if need.value in s.services}
    print(f"\n{need.label}: {len(links)} results, {len(expected)} places with this need")
    assert not wrong, wrong
    assert {u for u in links if u in sites} <= expected


@pytest.mark.parametrize(
    ("words", "filters"), [(COMMUNE, {}), ("numérique", {}), ("atelier", {"commune": COMMUNE})]
)
def test_an_index_in_parts_finds_what_one_index_finds(
    browser, maps_url, split_url, demo_site_split, words, filters
):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    context.set_default_timeout(15_000)
    context.route(lambda url: not url.startswith((maps_url, split_url)), lambda route: route.abort())
    page = context.new_page()
    read = []
    page.on("request", lambda r: r.url.startswith(split_url + "pagefind/") and read.append(r.url))
    try:
        problems = watch(page)
        page.goto(maps_url + "recherche/")
        search(page, words, **filters)
        whole = show_all(page)
        page.goto(split_url + "recherche/")
        search(page, words, **filters)
        merged = show_all(page)
    finally:
        context.close()
    listed = [
        p.rstrip("/") for p in json.loads((demo_site_split / "pagefind" / "parts.json").read_text("utf-8"))
    ]
    prefix = split_url + "pagefind/"
    parts = sorted({"/".join(u.removeprefix(prefix).split("/")[:2]) for u in read} & set(listed))
    print(f"\n« {words} » {filters}: {len(whole)} results in one index, {len(merged)} in parts")
    assert whole and sorted(merged) == sorted(whole)
    assert len(listed) == 3 and parts == listed  # the other parts were read
    assert not problems, problems


def test_an_empty_search_downloads_nothing_and_explains(traffic_page, maps_url):
    page, traffic = traffic_page
    page.goto(maps_url + "recherche/")
    page.locator("details.mn-search-filters summary").click()
    page.locator("#mn-f-besoin").select_option(NEEDS[0].label)
    page.get_by_label(re.compile("^Mots à rechercher")).press("Enter")
    page.wait_for_function("() => document.getElementById('mn-search-status').textContent.length > 0")
    assert "au moins un mot" in page.locator("#mn-search-status").inner_text()
    page.wait_for_timeout(300)
    assert not [r.url for r in traffic.requests if "/pagefind/" in r.url]


def test_results_are_announced_and_usable_by_keyboard(traffic_page, maps_url):
    page, _ = traffic_page
    page.goto(maps_url + "recherche/")
    status = page.locator("#mn-search-status")
    assert status.get_attribute("role") == "status"
    page.keyboard.press("Tab")  # skip link
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "mn-q":
            break
    else:
        pytest.fail("the search field is not reached with Tab")
    page.keyboard.type("médiathèque")
    page.keyboard.press("Enter")
    page.wait_for_function("() => /résultat/.test(document.getElementById('mn-search-status').textContent)")
    assert re.match(r"^\d+ résultats? pour « médiathèque »", status.inner_text())
    assert page.evaluate("() => document.activeElement.id") == "mn-q"  # focus stays
    count = int(status.inner_text().split()[0])
    assert page.locator("#mn-search-results > li").count() == min(count, 10)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the button, then the filters' summary… or the first result
    assert page.evaluate("() => document.activeElement.tagName") in ("BUTTON", "SUMMARY", "A")


def test_search_page_passes_axe_before_and_after_a_search(traffic_page, maps_url):
    page, _ = traffic_page
    problems = watch(page)
    page.goto(maps_url + "recherche/")
    violations = run_axe(page)
    assert not violations, describe_violations(violations, "/recherche/")
    page.locator("details.mn-search-filters summary").click()
    search(page, COMMUNE)
    violations = run_axe(page)
    assert not violations, describe_violations(violations, "/recherche/ with results")
    search(page, "zzzzqqq")
    violations = run_axe(page)
    assert not violations, describe_violations(violations, "/recherche/ without result")
    assert not problems, problems


def test_without_javascript_the_page_explains_how_to_browse(browser, maps_url):
    """Without JavaScript the map link is a plain link to the map page (the search page's own
    explanation: tests/browser/test_rgaa_shell.py and tests/test_search.py)."""
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(maps_url + "communes/lodeve/")
        link = page.locator("a.mn-map-link")
        assert link.get_attribute("href") == "/carte/communes/lodeve/"
        link.click()
        assert page.url == maps_url + "carte/communes/lodeve/"
        assert page.locator("main h1").count() == 1
    finally:
        context.close()


def test_search_link_in_the_menu(traffic_page, maps_url):
    page, _ = traffic_page
    page.goto(maps_url)
    assert page.locator("nav.mn-nav a[href='/recherche/']").count() == 1
