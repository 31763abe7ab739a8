"""The typed catalogue: sessions, recurrences, indexes and the page plan built from it."""

from __future__ import annotations

import datetime as dt
import json
import math

from conftest import ROOT, SITES, WORKSHOPS
from mednum.coverage import KINDS
from mednum.pages import FILTERS, nearest, plan_pages, upcoming
from mednum.vocab import NEEDS

RECURRING = WORKSHOPS.replace(
    '  seances:\n    - date: "2026-12-03"\n      debut: "14:00"\n      fin: "16:00"\n',
    '  recurrence:\n    horaires: Fr 14:00-16:00; PH off\n    du: "2026-12-01"\n    au: "2026-12-31"\n',
)


def test_weekly_recurrence_is_expanded_without_public_holidays(project):
    project.write(workshops=RECURRING)
    catalogue, report = project.load()
    assert report.ok, report.text()
    starts = [s.start for s in catalogue.workshops[0].sessions]
    # Fridays of December 2026; the 25th is Christmas.
    assert starts == [dt.datetime(2026, 12, d, 14, 0) for d in (4, 11, 18)]


def test_recurrence_starts_at_the_build_date(project):
    project.write(workshops=RECURRING)
    catalogue, _ = project.load(build_date=dt.date(2026, 12, 12))
    assert [s.start.day for s in catalogue.workshops[0].sessions] == [18]


def test_past_sessions_are_not_upcoming(project):
    catalogue, _ = project.load(build_date=dt.date(2026, 12, 4))
    assert catalogue.workshops[0].sessions and upcoming(catalogue.workshops, dt.date(2026, 12, 4)) == []
    assert len(upcoming(catalogue.workshops, dt.date(2026, 12, 3))) == 1


def test_a_places_page_lists_its_upcoming_sessions_shared_with_the_other_pages(demo_catalogue):
    """A place's page gets ``upcoming(site.workshops)``, made of the same occurrences as the
    agenda's (their keys are digested once for all pages)."""
    pages = plan_pages(demo_catalogue, {})
    agenda = {
        id(o) for week in next(p for p in pages if p.kind == "agenda").context["weeks"] for o in week[1]
    }
    listed = 0
    for page in (p for p in pages if p.kind == "site"):
        site = page.context["site"]
        assert page.context["sessions"] == upcoming(site.workshops, demo_catalogue.build_date)
        assert all(id(o) in agenda for o in page.context["sessions"])
        listed += len(page.context["sessions"])
    assert listed > 5


def test_itinerant_service_is_listed_in_every_commune_it_stops_in(project):
    text = SITES.replace(
        "  x_exemple: true\n\n- id: lieu-test-sete",
        "  itinerance:\n    - Itinérant\n  x_arrets:\n    - commune: Clermont-l'Hérault\n"
        '      code_insee: "34079"\n      adresse: Place du marché\n      horaires: We[1] 09:00-12:00\n'
        "  x_exemple: true\n\n- id: lieu-test-sete",
        1,
    )
    project.write(sites=text)
    catalogue, report = project.load()
    assert report.ok, report.text()
    lodeve = catalogue.site_by_id["lieu-test-lodeve"]
    assert [c.nom for c in lodeve.communes_served] == ["Lodève", "Clermont-l'Hérault"]
    assert catalogue.sites_by_commune["34079"] == [lodeve]


def test_nearest_places_are_sorted_by_distance_within_reach(project):
    catalogue, _ = project.load()
    gignac = catalogue.reference.commune("34114")  # Lodève ~23 km, Sète ~28 km
    found = nearest(catalogue, gignac, exclude=set())
    assert [n.site.id for n in found] == ["lieu-test-lodeve", "lieu-test-sete"]
    assert 20 < found[0].distance_km < found[1].distance_km < 32
    # Montpellier is ~48 km from Lodève: beyond reach, not offered as "near".
    montpellier = catalogue.reference.commune("34172")
    assert [n.site.id for n in nearest(catalogue, montpellier, exclude=set())] == ["lieu-test-sete"]


def communes_with_a_map(places: dict[str, tuple[float, float]]) -> int:
    """Communes with a help point (by INSEE code) or one within 40 km: the rule of the commune maps."""
    communes = json.loads((ROOT / "data" / "reference" / "communes.json").read_text(encoding="utf-8"))

    def km(lat1, lon1, lat2, lon2):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        h = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
        )
        return 2 * 6371.0088 * math.asin(math.sqrt(h))

    return sum(
        1
        for c in communes
        if c["code_insee"] in places
        or any(km(c["latitude"], c["longitude"], *p) <= 40 for p in places.values())
    )


def test_page_plan_has_one_page_per_record_and_commune(project):
    catalogue, _ = project.load()
    pages = plan_pages(catalogue, {})
    kinds = {}
    for page in pages:
        kinds[page.kind] = kinds.get(page.kind, 0) + 1
    # Maps (plugins/mednum/maps.py): the département, each of the two help points (both have
    # coordinates), each commune with a help point in it or within 40 km of one, and the two
    # territories with a help point (CC Lodévois et Larzac, Sète Agglopôle Méditerranée).
    commune_maps = communes_with_a_map({"34142": (43.7317, 3.3194), "34301": (43.4035, 3.6935)})
    maps = [p.url for p in pages if p.kind == "map"]
    assert sorted({u.split("/")[1] if u != "carte/" else "" for u in maps}) == [
        "",
        "communes",
        "lieux",
        "territoires",
    ]
    by_folder = {
        f: sum(1 for u in maps if u.startswith(f"carte/{f}/")) for f in ("lieux", "communes", "territoires")
    }
    assert maps.count("carte/") == 1
    assert by_folder == {"lieux": 2, "communes": commune_maps, "territoires": 2}
    assert {
        "carte/lieux/lieu-test-lodeve/",
        "carte/communes/lodeve/",
        "carte/territoires/cc-lodevois-et-larzac/",
    } <= set(maps)
    # One page per commune and per EPCI of the reference data, per need and per need and filter.
    reference = ROOT / "data" / "reference"
    communes = len(json.loads((reference / "communes.json").read_text(encoding="utf-8")))
    epcis = len(json.loads((reference / "epci.json").read_text(encoding="utf-8")))
    assert kinds == {
        "home": 1,
        "communes-az": 1,
        "postal-codes": 1,
        "site": 2,
        "commune": communes,
        "epci": epcis,
        "need": len(NEEDS),
        "need-filter": len(NEEDS) * len(FILTERS),
        "agenda": 1,
        "workshop": 1,
        "trainings": 1,
        "training": 1,
        "brochures": 1,
        "brochure-epci": epcis,
        "brochure-commune": communes,
        "orientation": 2,
        "coverage": 1,
        "coverage-kind": len(KINDS),
        "coverage-report": epcis,
        "embed-commune": communes,
        "embed-epci": epcis,
        "404": 1,
        "map": 1 + 2 + commune_maps + 2,
        "search": 1,
        "freshness": 1,
    }
    urls = [p.url for p in pages]
    assert len(urls) == len(set(urls))
    assert "lieux/lieu-test-lodeve/" in urls and "communes/lodeve/" in urls
    assert "recherche/" in urls and "equipe/fraicheur/" in urls
    # Out of the sitemap: the maps, the pages made to be shown in other sites, the team's report,
    # the 404 page; everything else in it.
    embeds = [p.url for p in pages if p.kind.startswith("embed-")]
    assert {p.url for p in pages if not p.in_sitemap} == {*maps, *embeds, "equipe/fraicheur/", "404.html"}
