"""The published site, built from data/ as `make site` builds it: real records only.

The other site tests build the demo dataset (every page type, fictional examples); this one
checks what citizens get: no fictional record anywhere, every place of data/sites.yaml on
its page with its sources, and the empty lists saying so and telling partners what to do.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from html_tree import parse_html

from conftest import ROOT
from mednum.build import build_site
from mednum.problems import Report
from mednum.yamlsource import read_yaml

pytestmark = pytest.mark.site  # builds sites of its own

BUILD_DATE = "2026-12-03"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("real") / "site"
    assert build_site(ROOT / "pelicanconf.py", out, {"CATALOGUE_BUILD_DATE": BUILD_DATE}) == 0
    return out


@pytest.fixture(scope="module")
def records() -> list[dict]:
    doc = read_yaml(ROOT / "data" / "sites.yaml", "data/sites.yaml", Report())
    return doc.data


def text_of(path: Path) -> str:
    main = next(parse_html(path.read_text(encoding="utf-8")).iter("main"))
    return " ".join(main.text.split())


def test_every_real_place_has_its_page_and_nothing_else(site, records):
    pages = {p.parent.name for p in (site / "lieux").glob("*/index.html")}
    assert pages == {r["id"] for r in records}
    assert len(records) > 100


def test_no_fictional_record_is_published(site):
    found = []
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        if "mn-tag--example" in html or "example.org" in html or "lieu fictif" in html:
            found.append(path.relative_to(site).as_posix())
    assert found == []


def test_each_place_names_its_sources_and_the_date_of_their_data(site, records):
    missing = []
    for record in records:
        text = text_of(site / "lieux" / record["id"] / "index.html")
        if f"Source : {record['source']}" not in text:
            missing.append(record["id"])
    assert missing == []


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("ateliers/index.html", "Aucun atelier ni permanence n'est annoncé pour le moment."),
        ("formations/index.html", "Aucune formation n'est annoncée pour le moment."),
    ],
)
def test_empty_lists_say_so_and_tell_partners_how_to_add_theirs(site, url, sentence):
    text = text_of(site / url)
    assert sentence in text
    html = (site / url).read_text(encoding="utf-8")
    assert "CONTRIBUTING.md" in html
    main = next(parse_html(html).iter("main"))
    assert [ul for ul in main.iter("ul") if not list(ul.iter("li")) and "hidden" not in ul.attrs] == []


def test_itinerant_stops_without_days_tell_people_to_call(site):
    text = text_of(site / "lieux" / "bus-france-services-msa-du-languedoc" / "index.html")
    assert "Jours de passage non communiqués" in text and "Lunas-les-Châteaux" in text
