"""JavaScript only enhances: without it every piece of content is there; with it the place page
says whether the place is open now (ouvert.js, from the plan the build wrote into the page)."""

from __future__ import annotations

import pytest

from .conftest import OPEN_WEEKDAYS_SITE, PAGES, page_in, watching

pytestmark = pytest.mark.browser

MAIN_TEXT = "() => document.querySelector('main').innerText"


def visible_badge(page) -> str | None:
    badge = page.locator(".mn-open")
    return badge.inner_text() if badge.count() == 1 and badge.is_visible() else None


@pytest.mark.parametrize(
    "url",
    [OPEN_WEEKDAYS_SITE, PAGES["site-itinerant"], PAGES["site-mediatheque"], PAGES["home"]],
    ids=["site-france-services", "site-itinerant", "site-mediatheque", "home"],
)
def test_content_is_all_there_without_javascript(contexts, base_url, url):
    with page_in(contexts(java_script_enabled=False)) as page, watching(page) as problems:
        page.goto(base_url + url)
        without_js = page.evaluate(MAIN_TEXT)
        assert page.locator(".mn-open").count() == (0 if url == PAGES["home"] else 1)
        badge = page.locator(".mn-open")
        assert badge.count() == 0 or not badge.is_visible(), "the empty badge stays hidden without JavaScript"
        if url != PAGES["home"]:
            tables = page.locator("table.mn-hours")
            assert tables.count() >= 1 and tables.first.is_visible()
            assert "Lundi" in tables.first.inner_text()
        assert not problems, problems
    with page_in(contexts("clock")) as page:
        page.clock.set_fixed_time("2026-11-23T10:00:00+01:00")
        page.goto(base_url + url)
        # Controls only a script can run (« Près de chez moi ») are hidden without it: set aside.
        page.evaluate("() => document.querySelectorAll('[data-js-only]').forEach(e => e.remove())")
        with_js = page.evaluate(MAIN_TEXT)
        badge = visible_badge(page)
    # The only difference JavaScript makes is the badge.
    assert with_js.replace((badge or "") + "\n", "", 1).split() == without_js.split()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-23T10:00:00+01:00", "Ouvert maintenant, jusqu'à 12\u00a0h"),
        ("2026-11-23T13:00:00+01:00", "Fermé pour le moment, ouvre à 14\u00a0h"),
        ("2026-11-23T08:15:00+01:00", "Fermé pour le moment, ouvre à 9\u00a0h"),
        ("2026-11-23T17:30:00+01:00", "Fermé pour le reste de la journée"),
        ("2026-11-28T11:00:00+01:00", "Fermé pour le reste de la journée"),  # Saturday
        ("2026-11-24T16:59:00+01:00", "Ouvert maintenant, jusqu'à 17\u00a0h"),
    ],
)
def test_open_now_badge_at_a_given_paris_time(contexts, base_url, moment, expected):
    with page_in(contexts("clock")) as page, watching(page) as problems:
        page.clock.set_fixed_time(moment)
        page.goto(base_url + OPEN_WEEKDAYS_SITE)
        assert visible_badge(page) == expected
        css_class = "mn-open--yes" if expected.startswith("Ouvert") else "mn-open--no"
        assert css_class in page.locator(".mn-open").get_attribute("class")
        assert not problems, problems


@pytest.mark.parametrize("timezone", ["America/New_York", "Asia/Tokyo", "UTC"])
def test_open_now_badge_uses_paris_time_wherever_the_visitor_is(contexts, base_url, timezone):
    """A phone set to another time zone still gets the place's hours right (Paris time)."""
    with page_in(contexts("clock", timezone_id=timezone)) as page, watching(page) as problems:
        page.clock.set_fixed_time("2026-11-23T10:00:00+01:00")
        page.goto(base_url + OPEN_WEEKDAYS_SITE)
        assert visible_badge(page) == "Ouvert maintenant, jusqu'à 12\u00a0h"
        assert not problems, problems


@pytest.mark.parametrize("moment", ["2026-11-20T10:00:00+01:00", "2026-12-31T10:00:00+01:00"])
def test_open_now_badge_says_nothing_outside_its_plan(contexts, base_url, moment):
    """Before the build date or after the 14 planned days the page cannot know: no badge."""
    with page_in(contexts("clock")) as page, watching(page) as problems:
        page.clock.set_fixed_time(moment)
        page.goto(base_url + OPEN_WEEKDAYS_SITE)
        assert visible_badge(page) is None
        assert not problems, problems
