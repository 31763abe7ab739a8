"""axe-core on one page of every kind, in Chromium: WCAG 2.2 A and AA rules, then best practices.

axe-core runs during the one visit of each page (visits.py), with every rule in one run. Component
examples are checked in test_components.py.
"""

from __future__ import annotations

import pytest

from browser_harness import WCAG_TAGS, describe_violations, outcome, run_axe

from .conftest import OPEN_WEEKDAYS_SITE, is_wcag, page_in

pytestmark = pytest.mark.browser


def test_page_has_no_wcag_violation(visited):
    url, violations = visited["url"], outcome(visited, "axe", "axe")
    wcag = [v for v in violations if is_wcag(v)]
    assert not wcag, describe_violations(wcag, "/" + url)
    problems = outcome(visited, "problems")  # console errors, missing CSS or icon
    assert not problems, f"/{url}: " + "; ".join(problems)


def test_page_follows_axe_best_practices(visited):
    url, violations = visited["url"], outcome(visited, "axe", "axe")
    others = [v for v in violations if not is_wcag(v)]
    assert not others, describe_violations(others, "/" + url)


def test_home_with_every_commune_list_open(visits):
    """Every commune of the home page, hidden in closed <details> for the default run."""
    violations = outcome(visits("home"), "axe-lists-open", "axe-lists-open")
    assert not violations, describe_violations(violations, "/ (commune lists open)")


@pytest.mark.parametrize(
    ("moment", "state"),
    [("2026-11-23T10:00:00+01:00", "mn-open--yes"), ("2026-11-23T13:00:00+01:00", "mn-open--no")],
    ids=["open", "closed"],
)
def test_site_page_with_open_now_badge_shown(contexts, base_url, moment, state):
    """The badge ouvert.js shows (green or red text) is checked too, contrast included."""
    with page_in(contexts("clock")) as page:
        page.clock.set_fixed_time(moment)
        page.goto(base_url + OPEN_WEEKDAYS_SITE)
        assert page.locator(f".mn-open.{state}").is_visible()
        violations = run_axe(page, [*WCAG_TAGS, "best-practice"])
    assert not violations, describe_violations(violations, f"/{OPEN_WEEKDAYS_SITE} ({state})")
