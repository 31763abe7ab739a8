"""The typed catalogue: sessions, recurrences, indexes and the page plan built from it."""

from __future__ import annotations

import datetime as dt

from conftest import SITES, WORKSHOPS
from mednum.pages import nearest, plan_pages, upcoming

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


def test_page_plan_has_one_page_per_record_and_commune(project):
    catalogue, _ = project.load()
    pages = plan_pages(catalogue, {})
    kinds = {}
    for page in pages:
        kinds[page.kind] = kinds.get(page.kind, 0) + 1
    assert kinds == {
        "home": 1,
        "site": 2,
        "commune": 341,
        "epci": 17,
        "need": 9,
        "need-filter": 27,
        "agenda": 1,
        "workshop": 1,
        "trainings": 1,
        "training": 1,
        "brochures": 1,
        "brochure-epci": 17,
        "brochure-commune": 341,
        "orientation": 2,
        "404": 1,
    }
    urls = [p.url for p in pages]
    assert len(urls) == len(set(urls))
    assert "lieux/lieu-test-lodeve/" in urls and "communes/lodeve/" in urls
