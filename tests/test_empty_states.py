"""Real records only: empty lists said plainly, territories without a place, stops without hours.

One small site is built per module (conftest.Project, no workshop and no training at all, two help
points in Lodève, one of them an itinerant service whose stops have no days or hours), then its pages
are parsed. The CC du Clermontais has no help point: its page and brochure list the nearest ones.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from html_tree import Element, parse_html
from pypdf import PdfReader

from conftest import DEMO_CONF, SITES, Project
from mednum.build import build_site
from mednum.pdf import html_to_pdf

pytestmark = pytest.mark.site  # builds sites of its own

BUILD_DATE = "2026-11-23"
REPOSITORY = "https://github.com/herault/catalogue-mediation-numerique"  # pelicanconf.py
CONTACT = "numerique@herault.example"
EMPTY_EPCI = "cc-du-clermontais"
FULL_EPCI = "cc-lodevois-et-larzac"
UNKNOWN_DAYS = "Jours de passage non communiqués : appelez le service avant de vous déplacer"

BUS = """\

- id: bus-test-sans-horaires
  nom: Bus numérique de test
  adresse: 5 avenue de l'Essai
  code_postal: "34700"
  commune: Lodève
  code_insee: "34142"
  latitude: 43.7301
  longitude: 3.3102
  typologie:
    - ASSO
  telephone: "+33465710009"
  itinerance:
    - Itinérant
  services:
    - Aide aux démarches administratives
  source: Tests
  date_maj: "2026-10-01"
  x_arrets:
    - commune: Le Caylar
      code_insee: "34064"
      code_postal: "34520"
      adresse: Place de la mairie
      latitude: 43.8716
      longitude: 3.3115
    - commune: Soubès
      code_insee: "34304"
      adresse: Parking de la salle des fêtes
"""


def build(project: Project, out: Path, **settings) -> None:
    override = {
        "CATALOGUE_BUILD_DATE": BUILD_DATE,
        "CATALOGUE_DATA_PATH": str(project.data),
        "CATALOGUE_SCHEMAS_PATH": str(project.root / "schemas"),
        **settings,
    }
    assert build_site(DEMO_CONF, out, override) == 0


@pytest.fixture(scope="module")
def project(tmp_path_factory, small_reference) -> Project:
    project = Project(tmp_path_factory.mktemp("project"), small_reference)
    # Real records (no x_exemple): the published site is about to refuse examples.
    project.write(sites=SITES.replace("  x_exemple: true\n", "") + BUS, workshops="[]\n", trainings="[]\n")
    return project


@pytest.fixture(scope="module")
def site(project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("empty") / "output"
    build(project, out)
    return out


def page(site: Path, url: str) -> Element:
    return parse_html((site / url / "index.html").read_text(encoding="utf-8"))


def main(root: Element) -> Element:
    return next(e for e in root.iter("main"))


def text(element: Element) -> str:
    return re.sub(r"\s+", " ", element.text).strip()


def links(element: Element) -> list[str]:
    return [a.attrs.get("href") or "" for a in element.iter("a")]


def empty_state(root: Element) -> Element:
    found = main(root).find_class("mn-empty")
    assert len(found) == 1, "expected one empty-state block"
    return found[0]


def assert_no_empty_list(root: Element) -> None:
    """No empty list shown; a hidden one that a script fills (the commune finder's) is not shown."""

    def shown(e: Element) -> bool:
        return not any("hidden" in node.attrs for node in (e, *e.ancestors()))

    empty = [e.line for e in main(root).iter("ul", "ol") if not list(e.iter("li")) and shown(e)]
    assert empty == [], f"empty lists at lines {empty}"


def test_the_catalogue_really_has_no_workshop_nor_training(project):
    catalogue, report = project.load(dt.date.fromisoformat(BUILD_DATE))
    assert catalogue is not None, report.text()
    assert catalogue.workshops == [] and catalogue.trainings == []


@pytest.mark.parametrize(
    ("url", "says", "adds"),
    [
        ("ateliers", "Aucun atelier ni permanence n'est annoncé pour le moment.", "ajouter vos ateliers"),
        ("", "Aucun atelier ni permanence n'est annoncé pour le moment.", "ajouter vos ateliers"),
        ("formations", "Aucune formation n'est annoncée pour le moment.", "ajouter vos formations"),
        (
            "communes/octon",
            "Aucun lieu d'aide au numérique n'est enregistré à Octon pour le moment.",
            "ajouter votre lieu",
        ),
        (
            f"territoires/{EMPTY_EPCI}",
            "Aucun lieu d'aide n'est enregistré dans ce territoire pour le moment.",
            "ajouter votre lieu",
        ),
    ],
)
def test_an_empty_list_says_so_and_tells_partners_how_to_add_theirs(site, url, says, adds):
    root = page(site, url)
    block = empty_state(root)
    assert says in text(block)
    assert "(association, mairie, médiathèque…)" in text(block) or url == "formations"
    guide = [a for a in block.iter("a") if a.attrs.get("href") == f"{REPOSITORY}/blob/main/CONTRIBUTING.md"]
    assert len(guide) == 1 and text(guide[0]) == f"Voici comment {adds}"
    assert_no_empty_list(root)


def test_the_home_page_sends_to_no_empty_agenda(site):
    home = main(page(site, ""))
    assert "Prochains ateliers" in text(home)
    assert "Tous les ateliers et permanences" not in text(home)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"CATALOGUE_REPOSITORY_URL": ""}, f"mailto:{CONTACT}?subject="),
        ({"CATALOGUE_REPOSITORY_URL": "", "CATALOGUE_CONTACT_EMAIL": ""}, None),
    ],
    ids=["e-mail when no repository", "nothing when neither"],
)
def test_the_invitation_falls_back_to_the_e_mail_then_to_nothing(project, tmp_path, settings, expected):
    out = tmp_path / "output"
    build(project, out, **settings)
    for url in ("ateliers", "formations", f"territoires/{EMPTY_EPCI}", "communes/octon"):
        block = empty_state(page(out, url))
        hrefs = links(block)
        if expected is None:
            assert hrefs == [], url
            assert "?" not in text(block), f"{url}: a question to partners with no way to answer"
        else:
            assert len(hrefs) == 1 and hrefs[0].startswith(expected), (url, hrefs)
            assert f"écrivez-nous : {CONTACT}." in text(block), url


def nearest_names(root: Element) -> list[tuple[str, str]]:
    """(name, distance) of the place cards after the « Les lieux les plus proches » heading."""
    heading = next(h for h in main(root).iter("h2") if h.attrs.get("id") == "proches")
    cards = []
    started = False
    for element in main(root).iter():
        started = started or element is heading
        if started and element.tag == "li" and "mn-card" in element.classes:
            title = next(element.iter("h3"))
            meta = text(element.find_class("mn-card__meta")[0])
            cards.append((text(title), meta.rsplit("à ", 1)[-1].removesuffix(" en ligne droite")))
    return cards


def test_a_territory_without_a_place_lists_the_nearest_outside_it(site):
    root = page(site, f"territoires/{EMPTY_EPCI}")
    assert any("aucun lieu d'aide" in text(p) for p in main(root).iter("p"))
    assert "Les plus proches, hors du territoire, sont listés ci-dessous." in text(empty_state(root))
    near = nearest_names(root)
    names = [name for name, _ in near]
    # Lodève's places first, measured from Octon (about 7 km), the closest commune of the Clermontais.
    assert sorted(names[:2]) == ["Bus numérique de test", "Lieu de test de Lodève"]
    assert len(names) == len(set(names)), "a place listed twice"
    distances = [float(d.removesuffix(" km").replace(",", ".")) for _, d in near]
    assert distances == sorted(distances) and all(5 < d < 10 for d in distances[:2]), near
    assert "Distances en ligne droite" in text(main(root))


def test_a_territory_with_places_lists_no_nearest(site):
    root = page(site, f"territoires/{FULL_EPCI}")
    assert not [h for h in main(root).iter("h2") if h.attrs.get("id") == "proches"]
    assert not main(root).find_class("mn-empty")


def test_the_brochure_of_an_empty_territory_lists_the_nearest_places(site):
    root = page(site, f"brochures/territoires/{EMPTY_EPCI}")
    body = text(main(root))
    assert "Pas de lieu d'aide enregistré ici" not in body
    assert (
        "Aucun lieu d'aide n'est enregistré dans le territoire CC du Clermontais. Les plus proches :" in body
    )
    sheets = main(root).find_class("mn-print-site")
    names = [text(next(s.iter("h3"))).removesuffix(" Exemple, lieu fictif") for s in sheets]
    assert sorted(names[:2]) == ["Bus numérique de test", "Lieu de test de Lodève"]
    assert all(" km" in text(s) for s in sheets), "distances"
    assert "Tél. 04 65 71 00 01" in body  # a phone number to call


def test_the_brochure_of_a_commune_without_a_place_says_so(site):
    body = text(main(page(site, "brochures/communes/octon")))
    assert "Aucun lieu d'aide n'est enregistré à Octon. Les plus proches :" in body
    assert "Lieu de test de Lodève" in body


def first_page_text(site: Path, url: str, tmp_path: Path) -> tuple[str, int]:
    pdf = tmp_path / (url.replace("/", "-") + ".pdf")
    html_to_pdf(site / url / "index.html", site, pdf)
    reader = PdfReader(pdf)
    return re.sub(r"\s+", " ", reader.pages[0].extract_text()), len(reader.pages)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (f"brochures/territoires/{FULL_EPCI}", "Lieu de test de Lodève"),
        (f"brochures/territoires/{EMPTY_EPCI}", "Lieu de test de Lodève"),
    ],
)
def test_the_first_printed_page_of_a_brochure_shows_places(site, tmp_path, url, name):
    first, pages = first_page_text(site, url, tmp_path)
    assert "Où trouver de l'aide avec le numérique" in first
    assert name in first, f"page 1 of {pages} has no place: {first[:300]}"
    assert "04 65 71 00 01" in first


def test_stops_without_hours_say_to_call_on_the_page(site):
    root = page(site, "lieux/bus-test-sans-horaires")
    hours = text(next(s for s in main(root).iter("section") if s.attrs.get("aria-labelledby") == "horaires"))
    assert "voir les horaires de chaque arrêt" not in hours
    assert f"Ce service se déplace : voir ses arrêts plus bas. {UNKNOWN_DAYS}, au 04 65 71 00 09." in hours
    stops = next(s for s in main(root).iter("section") if s.attrs.get("aria-labelledby") == "arrets")
    items = [li for li in stops.iter("li")]
    assert len(items) == 2
    for li in items:
        assert f"{UNKNOWN_DAYS}, au 04 65 71 00 09." in text(li)
        assert "tel:+33465710009" in links(li)
        assert not list(li.iter("table")), "no empty hours table"


def test_stops_without_hours_on_paper(site):
    for url in ("lieux/bus-test-sans-horaires/orientation", f"brochures/territoires/{FULL_EPCI}"):
        body = text(main(page(site, url)))
        assert "Le Caylar, Place de la mairie : jours de passage non communiqués" in body, url
        assert f"{UNKNOWN_DAYS}, au 04 65 71 00 09." in body, url


def test_stops_without_hours_on_the_map_and_in_the_exports(site):
    script = (site / "carte/lieux/bus-test-sans-horaires/map.js").read_text(encoding="utf-8")
    places = re.search(r"^mnPlaces\(map_\w+, (\{.*\}), (?:true|false)\);$", script, re.M)
    details = [f["properties"].get("detail") for f in json.loads(places.group(1))["features"]]
    assert f"Arrêt du service itinérant : Place de la mairie. {UNKNOWN_DAYS}, au 04 65 71 00 09." in details
    features = json.loads((site / "donnees/lieux.geojson").read_text(encoding="utf-8"))["features"]
    stop = next(f for f in features if f["id"] == "bus-test-sans-horaires/arret-1")
    assert "horaires" not in stop["properties"]
