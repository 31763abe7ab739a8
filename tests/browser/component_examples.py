"""Render the examples listed in theme/components/<name>/examples.yaml with the theme's Jinja.

An example names a macro of the component's macro.html and its arguments::

    - name: semaine type
      macro: hours_table
      args:
        schedule: {hours: "Mo-Fr 09:00-12:00"}   # an opening_hours Schedule
        caption: Horaires d'ouverture
        today: {date: "2026-11-23"}              # a date

Argument values are literals, except one-key mappings that build model objects from the real
bundled catalogue: ``{hours: TEXT}``, ``{date: YYYY-MM-DD}``, ``{site: ID}``, ``{sites: [ID…]}``,
``{nearby: [ID…]}`` (places with a distance), ``{upcoming: N}`` (the next N sessions of all
workshops) and ``{upcoming_at: ID, count: N}`` (the next N sessions at one place).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import yaml

from mednum import pages, urls
from mednum.filters import FILTERS
from mednum.opening_hours import parse as parse_hours

ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "theme"


def environment() -> jinja2.Environment:
    """The Jinja settings of pelicanconf.py: components first, then the templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([THEME / "components", THEME / "templates"]),
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(urls.JINJA_GLOBALS)  # as mednum.generator gives them to Pelican
    return env


def example_files() -> list[Path]:
    return sorted(THEME.glob("components/*/examples.yaml"))


def load_examples(path: Path) -> list[dict]:
    """The examples of one component; ``[]`` only with a comment saying where it is checked."""
    text = path.read_text(encoding="utf-8")
    examples = yaml.safe_load(text)
    assert isinstance(examples, list), f"{path}: expected a list of examples"
    assert examples or text.lstrip().startswith("#"), f"{path}: no example and no comment saying why"
    for example in examples:
        assert {"name", "macro"} <= set(example), f"{path}: every example needs a name and a macro"
    return examples


def _value(value, catalogue, today: dt.date):
    if not (isinstance(value, dict) and 1 <= len(value) <= 2):
        return value
    sites = catalogue.site_by_id
    if set(value) == {"hours"}:
        return parse_hours(value["hours"])
    if set(value) == {"date"}:
        return dt.date.fromisoformat(value["date"])
    if set(value) == {"site"}:
        return sites[value["site"]]
    if set(value) == {"sites"}:
        return [sites[i] for i in value["sites"]]
    if set(value) == {"nearby"}:
        return [pages.Nearby(sites[i], 1.5 + 2.25 * n) for n, i in enumerate(value["nearby"])]
    if set(value) == {"upcoming"}:
        return pages.upcoming(catalogue.workshops, today)[: value["upcoming"]]
    if set(value) == {"upcoming_at", "count"}:
        return pages.upcoming(sites[value["upcoming_at"]].workshops, today)[: value["count"]]
    if set(value) == {"coverage"}:  # the demo catalogue's indicators: the whole, or one territory's
        return _coverage(catalogue, value["coverage"])
    if set(value) == {"coverage_map", "kind"}:  # an EPCI's map, with the real contours
        from mednum.coverage_pages import coverage_map
        from mednum.reference import load_contours

        coverage = _coverage(catalogue, "all")
        epci = next(e for e in catalogue.reference.epcis.values() if e.slug == value["coverage_map"])
        contours = load_contours(ROOT / "data" / "reference")
        return coverage_map(
            coverage, coverage.kind(value["kind"]), sorted(epci.communes), contours, "ex", epci.nom
        )
    return value


def _coverage(catalogue, which: str):
    """``all``: the Coverage; ``departement``: its département's figures; an EPCI slug: that EPCI's."""
    from mednum.coverage import compute

    coverage = compute(catalogue)
    if which == "all":
        return coverage
    if which == "departement":
        return coverage.department
    return next(t for t in coverage.epcis.values() if t.slug == which)


def render_examples(catalogue, build_date: str) -> list[tuple[str, str, str]]:
    """[(component/example name, page title, HTML)] for every example of every component."""
    env = environment()
    today = dt.date.fromisoformat(build_date)
    rendered = []
    for path in example_files():
        component = path.parent.name
        examples = load_examples(path)
        if not examples:
            continue
        module = env.get_template(f"{component}/macro.html").make_module({"SITEURL": "", "build_date": today})
        for example in examples:
            macro = getattr(module, example["macro"], None)
            assert macro is not None, f"{path}: no macro {example['macro']!r} in {component}/macro.html"
            args = {k: _value(v, catalogue, today) for k, v in (example.get("args") or {}).items()}
            key = f"{component}/{example['name']}"
            rendered.append((key, f"Composant {component} : {example['name']}", str(macro(**args))))
    return rendered
