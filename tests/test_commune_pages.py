"""The ways to find one's commune, as planned (plugins/mednum/pages.py): the A–Z page, the
postal-code page and the list of the home page's field, checked against the reference file
read on its own. The built pages and the field at work: tests/browser/test_commune_finder.py."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from types import SimpleNamespace

import pytest

from conftest import BUILD_DATE, DEMO_CONF, REFERENCE, ROOT, demo_options
from mednum.catalogue import load_catalogue
from mednum.pages import communes_by_letter, french_order, plan_pages

COMMUNES = json.loads((REFERENCE / "communes.json").read_text(encoding="utf-8"))
EPCIS = json.loads((REFERENCE / "epci.json").read_text(encoding="utf-8"))
SCRIPT = ROOT / "theme" / "static" / "commune.js"
SCRIPT_BUDGET_GZIP = 5 * 1024  # the finder and « Près de chez moi », comments included


def dictionary_key(name: str) -> str:
    """French dictionary order, written out independently of the plugin: accents and case
    ignored, hyphens and apostrophes as spaces between words (ligatures spelt out)."""
    name = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", " ", bare.casefold()).strip()


@pytest.fixture(scope="module")
def plan():
    from pelican.settings import read_settings

    catalogue, report = load_catalogue(demo_options(BUILD_DATE))
    assert catalogue is not None, report.text()
    settings = read_settings(str(DEMO_CONF), override={"CATALOGUE_BUILD_DATE": BUILD_DATE.isoformat()})
    return {page.kind: page for page in plan_pages(catalogue, settings)}


def test_a_to_z_lists_every_commune_once_in_french_order(plan):
    page = plan["communes-az"]
    assert (page.url, page.in_sitemap) == ("communes/", True)
    letters = page.context["letters"]
    names = [c.nom for _, communes in letters for c in communes]
    assert sorted(names) == sorted(c["nom"] for c in COMMUNES)  # each once
    assert len(names) == len(set(names)) == page.context["count"] == len(COMMUNES)
    assert names == sorted(names, key=lambda n: (dictionary_key(n), n))
    assert [letter for letter, _ in letters] == sorted({dictionary_key(n)[0].upper() for n in names})
    for letter, communes in letters:
        assert communes and all(dictionary_key(c.nom)[0].upper() == letter for c in communes)
    # Accents ignored: « Élise » would be under E; the département's Saint-Étienne-… are under S.
    s = dict(letters)["S"]
    etienne = [c.nom for c in s if c.nom.startswith("Saint-Étienne")]
    assert etienne == ["Saint-Étienne-d'Albagnan", "Saint-Étienne-de-Gourgas", "Saint-Étienne-Estréchoux"]


def test_french_order_ignores_accents_case_and_hyphens():
    names = ["Lespignan", "le Bosc", "Saint-Étienne-Estréchoux", "Saint-Etienne-de-Gourgas", "Élise", "Eaux"]
    assert sorted(names, key=french_order) == [
        "Eaux",
        "Élise",
        "le Bosc",
        "Lespignan",
        "Saint-Etienne-de-Gourgas",
        "Saint-Étienne-Estréchoux",
    ]
    communes = [SimpleNamespace(nom=n) for n in ["Élise", "Abeilhan", "Eaux"]]
    assert [(letter, [c.nom for c in group]) for letter, group in communes_by_letter(communes)] == [
        ("A", ["Abeilhan"]),
        ("E", ["Eaux", "Élise"]),
    ]


def test_postal_code_page_covers_every_code_and_commune(plan):
    page = plan["postal-codes"]
    assert (page.url, page.in_sitemap) == ("codes-postaux/", True)
    codes = page.context["codes"]
    expected: dict[str, set[str]] = {}
    for c in COMMUNES:
        for code in c["codes_postaux"]:
            expected.setdefault(code, set()).add(c["nom"])
    assert [code for code, _ in codes] == sorted(expected)
    for code, communes in codes:
        names = [c.nom for c in communes]
        assert set(names) == expected[code] and len(names) == len(set(names)), code
        assert names == sorted(names, key=lambda n: (dictionary_key(n), n)), code
    # A commune with several codes is under each: Montpellier under its four.
    assert [code for code, communes in codes if "Montpellier" in [c.nom for c in communes]] == [
        "34000",
        "34070",
        "34080",
        "34090",
    ]


def test_home_field_offers_every_name_and_postal_code(plan):
    context = plan["home"].context
    assert sorted(c.nom for c in context["finder_communes"]) == sorted(c["nom"] for c in COMMUNES)
    assert context["finder_postal_codes"] == sorted({p for c in COMMUNES for p in c["codes_postaux"]})
    # The intercommunalities stay, for the professionals: each once, with its communes.
    by_epci = context["communes_by_epci"]
    assert len(by_epci) == len(EPCIS)
    assert {epci.code: sorted(c.code_insee for c in communes) for epci, communes in by_epci} == {
        e["code"]: sorted(e["communes"]) for e in EPCIS
    }


def test_finder_script_stays_small():
    size = len(gzip.compress(SCRIPT.read_bytes(), 9))
    assert size <= SCRIPT_BUDGET_GZIP, f"static/commune.js: {size} bytes gzip > {SCRIPT_BUDGET_GZIP}"
