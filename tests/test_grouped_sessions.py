"""Session lists show each workshop once, its dates under it (theme/components/session-list/).

A permanence held twice a week used to be as many identical heading links as dates: on a commune
page, eight « Permanence pour vos démarches en ligne » in a row. Now each list (a place's, a
commune's, a territory's, each week of the agenda) has one entry per workshop, a heading linking to
its page, with all its dates of that list under it, cancelled ones marked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path
from types import SimpleNamespace

import pytest
from html_tree import Element, parse_html

from mednum.filters import group_by_workshop

BUILD_DATE = dt.date(2026, 11, 23)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@pytest.fixture(scope="module")
def site(demo_site) -> Path:
    return demo_site


@pytest.fixture(scope="module")
def catalogue(demo_catalogue):
    return demo_catalogue


def tree(site: Path, path: str) -> Element:
    return parse_html((site / path).read_text(encoding="utf-8"))


def main(doc: Element) -> Element:
    return next(doc.iter("main"))


def words(element: Element) -> str:
    return " ".join(element.text.split())


def pages(site: Path) -> list[str]:
    """The commune, territory, place and agenda pages."""
    found = [
        *(p.relative_to(site).as_posix() for p in site.glob("communes/*/index.html")),
        *(p.relative_to(site).as_posix() for p in site.glob("territoires/*/index.html")),
        *(p.relative_to(site).as_posix() for p in site.glob("lieux/*/index.html")),
        "ateliers/index.html",
    ]
    return sorted(found)


def entries(session_list: Element) -> list[tuple[str, Element, list[Element]]]:
    """(workshop URL, entry, its dates) of a ``ul.mn-sessions``."""
    result = []
    for li in session_list.children:
        if isinstance(li, Element) and li.tag == "li":
            title = li.find_class("mn-session__title")[0]
            href = next(title.iter("a")).attrs["href"]
            dates = [d for d in li.iter("li") if d is not li and next(d.iter("time"), None) is not None]
            result.append((href, li, dates))
    return result


def start(date: Element) -> str:
    return next(date.iter("time")).attrs["datetime"]


# --------------------------------------------------------------------------------------------------


def occurrence(workshop, day: int, hour: int = 9):
    return SimpleNamespace(workshop=workshop, session=SimpleNamespace(start=dt.datetime(2026, 11, day, hour)))


def test_group_by_workshop_keeps_the_order_of_first_dates_and_counts_later_ones():
    sessions = [dt.datetime(2026, 11, d, 9) for d in (23, 25, 30)]
    a = SimpleNamespace(id="a", sessions=[SimpleNamespace(start=s) for s in sessions])
    b = SimpleNamespace(id="b", sessions=[SimpleNamespace(start=dt.datetime(2026, 11, 24, 14))])
    listed = [occurrence(a, 23), occurrence(b, 24, 14), occurrence(a, 25)]
    groups = group_by_workshop(listed)
    assert [g.workshop.id for g in groups] == ["a", "b"]
    assert [[o.session.start.day for o in g.occurrences] for g in groups] == [[23, 25], [24]]
    assert [g.later for g in groups] == [1, 0]  # a's 30 November is not in the list
    assert group_by_workshop([]) == []


def test_no_two_headings_alike_under_one_heading(site):
    """On the commune, territory, place and agenda pages: no repeated heading in one section."""
    problems = []
    for path in pages(site):
        parents: list[tuple[int, str]] = []  # the open headings, outermost first
        seen: dict[tuple, Counter] = defaultdict(Counter)
        for h in main(tree(site, path)).iter(*HEADINGS):
            level = int(h.tag[1])
            while parents and parents[-1][0] >= level:
                parents.pop()
            seen[tuple(parents)][words(h)] += 1
            parents.append((level, words(h)))
        for section, counts in seen.items():
            for text, n in counts.items():
                if n > 1:
                    under = f"under {section[-1][1]!r}" if section else "at the top"
                    problems.append(f"{path}: {n} headings {text!r} {under}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:100])


def test_each_list_has_each_workshop_once_with_its_dates_in_order(site):
    problems, lists = [], 0
    for path in pages(site):
        for session_list in main(tree(site, path)).find_class("mn-sessions"):
            lists += 1
            found = entries(session_list)
            repeated = [href for href, n in Counter(href for href, _, _ in found).items() if n > 1]
            problems += [
                f"{path}: {href} listed {len([1 for h, _, _ in found if h == href])} times"
                for href in repeated
            ]
            for href, li, dates in found:
                starts = [dt.datetime.fromisoformat(start(d)) for d in dates]
                if not starts:
                    problems.append(f"{path}:{li.line}: {href} without a date")
                if starts != sorted(starts):
                    problems.append(f"{path}:{li.line}: dates of {href} not in order")
                for d in dates:
                    if next(d.iter("time")).parent is not d:
                        problems.append(f"{path}:{d.line}: a date list item holding more than one date")
            firsts = [dt.datetime.fromisoformat(start(dates[0])) for _, _, dates in found if dates]
            if firsts != sorted(firsts):
                problems.append(f"{path}: workshops not in the order of their first date")
    assert lists > 300
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:100])


def test_a_place_page_lists_all_the_upcoming_dates_of_each_workshop(site, catalogue):
    problems, checked = [], 0
    for place in catalogue.sites:
        path = f"lieux/{place.id}/index.html"
        section = next(
            s for s in main(tree(site, path)).iter("section") if s.attrs.get("aria-labelledby") == "ateliers"
        )
        lists = section.find_class("mn-sessions")
        found = {href: dates for href, _, dates in (entries(lists[0]) if lists else [])}
        expected = {
            f"/ateliers/{w.id}/": w.upcoming(BUILD_DATE) for w in place.workshops if w.upcoming(BUILD_DATE)
        }
        if set(found) != set(expected):
            problems.append(f"{path}: workshops {sorted(found)}, expected {sorted(expected)}")
            continue
        for href, sessions in expected.items():
            checked += 1
            dates = found[href]
            if [start(d) for d in dates] != [s.start.isoformat() for s in sessions]:
                problems.append(f"{path}: dates of {href} are not all its upcoming sessions")
                continue
            for d, s in zip(dates, sessions, strict=True):
                marked = "mn-session--cancelled" in d.classes and "Annulé" in words(d)
                if marked != s.cancelled:
                    problems.append(
                        f"{path}:{d.line}: {s.start} {'not ' if s.cancelled else ''}marked cancelled"
                    )
    cancelled = sum(s.cancelled for w in catalogue.workshops for s in w.upcoming(BUILD_DATE))
    assert checked > 10 and cancelled > 0
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:100])


def test_the_agenda_lists_each_workshop_once_a_week_with_its_dates(site, catalogue, capsys):
    by_id = {w.id: w for w in catalogue.workshops}
    doc = main(tree(site, "ateliers/index.html"))
    problems, week, weeks, entries_count = [], None, 0, 0
    for element in doc.children:
        if not isinstance(element, Element):
            continue
        if element.tag == "h2":
            week = dt.date.fromisoformat(element.attrs["id"].removeprefix("semaine-"))
            weeks += 1
        elif "mn-sessions" in element.classes:
            for href, li, dates in entries(element):
                entries_count += 1
                workshop = by_id[href.strip("/").split("/")[-1]]
                expected = [
                    s.start.isoformat()
                    for s in workshop.upcoming(BUILD_DATE)
                    if week <= s.start.date() < week + dt.timedelta(days=7)
                ]
                if [start(d) for d in dates] != expected:
                    problems.append(
                        f"week of {week}: dates of {href} {[start(d) for d in dates]}, expected {expected}"
                    )
                if li.find_class("mn-session__more"):
                    problems.append(
                        f"week of {week}: {href} links to its other dates (the next weeks follow)"
                    )
    sessions = sum(len(w.upcoming(BUILD_DATE)) for w in catalogue.workshops)
    headings = len(list(doc.iter(*HEADINGS)))
    with capsys.disabled():
        print(
            f"\nAgenda: {sessions} sessions, {weeks} weeks, {entries_count} workshop entries, {headings} headings"
        )
    assert headings == 1 + weeks + entries_count
    assert entries_count < sessions
    assert len(list(doc.iter("time"))) == sessions
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:100])


def test_a_list_cut_short_links_to_all_the_dates(site, catalogue):
    """Commune and territory pages list the next sessions only: an entry whose workshop has later
    dates than those listed links to its page, with their number."""
    by_id = {w.id: w for w in catalogue.workshops}
    problems, links = [], 0
    paths = [p for p in pages(site) if p.startswith(("communes/", "territoires/"))]
    for path in paths:
        for session_list in main(tree(site, path)).find_class("mn-sessions"):
            for href, li, dates in entries(session_list):
                upcoming = by_id[href.strip("/").split("/")[-1]].upcoming(BUILD_DATE)
                listed = [start(d) for d in dates]
                if listed != [s.start.isoformat() for s in upcoming[: len(listed)]]:
                    problems.append(f"{path}:{li.line}: {href} does not list its next dates")
                more = li.find_class("mn-session__more")
                if len(listed) < len(upcoming):
                    links += 1
                    link = next(more[0].iter("a")) if more else None
                    if (
                        link is None
                        or link.attrs["href"] != href + "#quand"
                        or f"({len(upcoming)})" not in words(link)
                    ):
                        problems.append(
                            f"{path}:{li.line}: {href} lists {len(listed)} of {len(upcoming)} dates, no link"
                        )
                elif more:
                    problems.append(f"{path}:{li.line}: {href} lists all its dates but links to more")
    assert links > 0
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:100])
