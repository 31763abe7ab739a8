"""Jinja filters used by the theme: French formatting, labels, addresses.

The French formatting filters are the functions of ``french``, under the names the templates
use: templates format no number, unit, list or capital by hand (see french.py for the no-break
spaces they put in).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from . import french, markdown_safe, vocab
from .holidays_fr import holidays_between
from .opening_hours import Schedule
from .qr import qr_svg

WEEK_PLAN_DAYS = 14
SOMETIMES_DAYS = 63  # nine weeks: every nth weekday of a month shows up


def _per_text(function):
    """Keep a filter's result per opening-hours text (and arguments): a place's hours are
    shown on its page, its printable slip and its brochures, and many places share theirs.
    Results are tuples, so no template can change what another page gets."""
    cache: dict = {}

    @functools.wraps(function)
    def cached(schedule: Schedule, *args):
        key = (schedule.text, *args)
        if key not in cache:
            result = function(schedule, *args)
            cache[key] = result if isinstance(result, str) else tuple(result)
        return cache[key]

    return cached


@_per_text
def weekly_rows(schedule: Schedule, today: dt.date) -> list[tuple[str, str]]:
    """Monday to Sunday with their hours in words, closed days included.

    A day closed in the usual week but open on some dates (1st Wednesday of the
    month, even weeks) must not read "Fermé": it points to the exceptions below.
    """
    table = dict(schedule.weekly_table())
    end = today + dt.timedelta(days=SOMETIMES_DAYS)
    holidays = holidays_between(today, end)
    sometimes = {
        day.weekday()
        for day in (today + dt.timedelta(days=n) for n in range(SOMETIMES_DAYS))
        if schedule.intervals_on(day, holidays)
    }
    rows = []
    for i in range(7):
        if table.get(i):
            text = french.format_ranges(table[i])
        elif i in sometimes:
            text = "Certaines semaines seulement (voir ci-dessous)"
        else:
            text = "Fermé"
        rows.append((french.weekday_name(i), text))
    return rows


@_per_text
def hours_summary(schedule: Schedule) -> list[str]:
    """Short lines for paper: the open days of the usual week, then the exceptions in words."""
    lines = [
        f"{french.capitalize_first(french.weekday_name(day))} : {french.format_ranges(ranges)}"
        for day, ranges in schedule.weekly_table()
        if ranges
    ]
    return lines + schedule.exceptions_fr()


@_per_text
def week_plan(schedule: Schedule, today: dt.date) -> str:
    """Open intervals of the coming days, so the browser needs no opening_hours parser.

    Compact and quote-free for an HTML attribute: one day per ``|`` from the build
    date, intervals as ``HHMM-HHMM`` joined by ``,`` (``0900-1200,1400-1700|…``).
    """
    end = today + dt.timedelta(days=WEEK_PLAN_DAYS)
    plan = schedule.week_plan(today, WEEK_PLAN_DAYS, holidays_between(today, end))
    return "|".join(
        ",".join(f"{a.replace(':', '')}-{b.replace(':', '')}" for a, b in day["intervals"]) for day in plan
    )


def render_markdown(text: str) -> Markup:
    return Markup(markdown_safe.render(text))


def tel_href(e164: str) -> str:
    return f"tel:{e164}"


def mailto(address: str, subject: str = "", body: str = "") -> str:
    query = []
    if subject:
        query.append(f"subject={quote(subject)}")
    if body:
        query.append(f"body={quote(body)}")
    return f"mailto:{address}" + ("?" + "&".join(query) if query else "")


def sms_href(body: str) -> str:
    return f"sms:?&body={quote(body)}"


def osm_directions(lat: float, lon: float) -> str:
    return f"https://www.openstreetmap.org/directions?to={lat:.6f}%2C{lon:.6f}#map=16/{lat:.6f}/{lon:.6f}"


def geo_href(lat: float, lon: float, label: str = "") -> str:
    suffix = f"?q={lat:.6f},{lon:.6f}({quote(label)})" if label else ""
    return f"geo:{lat:.6f},{lon:.6f}{suffix}"


def label_for(value: str, table: str) -> str:
    return vocab.label(getattr(vocab, table), value)


@dataclass(frozen=True)
class WorkshopDates:
    """One workshop of a list of sessions, with its dates in that list."""

    workshop: object  # model.Workshop
    occurrences: tuple  # pages.Occurrence, in the order of the list (time order)
    later: int  # the workshop's sessions after the last one listed (a list cut short, other weeks)


def group_by_workshop(occurrences) -> list[WorkshopDates]:
    """Sessions as one entry per workshop, in the order of each workshop's first session.

    A permanence held every Monday is one heading with its dates under it, not one heading a
    date. ``occurrences`` are the sorted ``Occurrence`` lists of plugins/mednum/pages.py.
    """
    groups: dict[str, list] = {}
    for occurrence in occurrences:
        groups.setdefault(occurrence.workshop.id, []).append(occurrence)
    result = []
    for listed in groups.values():
        workshop = listed[0].workshop
        last = max(o.session.start for o in listed)
        later = sum(1 for s in workshop.sessions if s.start > last)
        result.append(WorkshopDates(workshop, tuple(listed), later))
    return result


FILTERS = {
    "date_fr": french.format_date,
    "date_short_fr": french.format_date_short,
    "time_fr": french.format_time,
    "time_range_fr": french.format_range,
    "phone_fr": french.format_phone,
    "km_fr": french.format_distance_km,
    "euros_fr": french.format_euros,
    "duration_fr": french.format_duration_hours,
    "number_fr": french.format_number,
    "percent_fr": french.format_percent,
    "share_fr": french.format_share,
    "km_tenths_fr": french.format_km_tenths,
    "weekly_rows": weekly_rows,
    "hours_summary": hours_summary,
    "week_plan": week_plan,
    "markdown": render_markdown,
    "tel_href": tel_href,
    "mailto": mailto,
    "sms_href": sms_href,
    "osm_directions": osm_directions,
    "geo_href": geo_href,
    "join_fr": french.join_fr,
    "plural": french.count_fr,
    "label": label_for,
    "group_by_workshop": group_by_workshop,
    "fromiso": dt.date.fromisoformat,
    "qr": qr_svg,
    "a_place": french.a_place,
    "capitalize_first": french.capitalize_first,
    "de_place": french.de_place,
}
