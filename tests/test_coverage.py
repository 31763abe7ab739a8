"""Coverage indicators (``mednum.coverage``) and their open-data files (``exports/coverage_csv``).

A tiny catalogue over the real communes of the reference data, with every expected distance
measured again here by a plain scan with this file's own haversine: no site build.

The catalogue (build date 2026-11-23, a Monday):

* ``lieu-a`` at Lodève: free one-to-one help, France Services, Pass numérique, weekdays only;
* ``lieu-b`` at Sète: paying, open on Saturday mornings;
* ``service-c``, an itinerant service based at Montpellier: free one-to-one help, Wednesdays;
  a stop at Caussiniojouls open on Saturdays, a stop at Joncels with neither coordinates nor
  hours of its own (so at Joncels' centre, on the service's Wednesdays);
* ``lieu-d`` at Ganges without coordinates (at Ganges' centre): free one-to-one help.

Nobody has a step-free entrance: the kind ``sans-marche`` has no point at all.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from great_circle import haversine_km
from table_checks import error_lines, validate_csv

from conftest import REFERENCE, Project
from mednum import coverage, nearby
from mednum.exports import coverage_csv
from mednum.freshness import build_report

BUILD = dt.date(2026, 11, 23)
LODEVE, SETE, MONTPELLIER, GANGES = "34142", "34301", "34172", "34111"
CAUSSINIOJOULS, JONCELS, ROMIGUIERES = "34062", "34121", "34231"

SITES = """\
- id: lieu-a
  nom: Lieu A
  adresse: 1 rue du Test
  code_postal: "34700"
  commune: Lodève
  code_insee: "34142"
  latitude: 43.7317
  longitude: 3.3194
  typologie:
    - RFS
  horaires: Mo-Fr 09:00-12:00
  services:
    - Aide aux démarches administratives
  frais_a_charge:
    - Gratuit
  modalites_accompagnement:
    - Accompagnement individuel
  source: Tests
  date_maj: "2026-10-01"
  x_pass_numerique: true
  x_accessibilite:
    entree_plain_pied: false
  x_exemple: true

- id: lieu-b
  nom: Lieu B
  adresse: 2 quai du Test
  code_postal: "34200"
  commune: Sète
  code_insee: "34301"
  latitude: 43.4035
  longitude: 3.6935
  horaires: Tu 14:00-17:00; Sa 09:00-12:00
  services:
    - Maîtrise des outils numériques du quotidien
  frais_a_charge:
    - Payant
  modalites_accompagnement:
    - Accompagnement individuel
  source: Tests
  date_maj: "2025-01-10"
  x_exemple: true

- id: service-c
  nom: Service itinérant C
  adresse: 3 place du Test
  code_postal: "34000"
  commune: Montpellier
  code_insee: "34172"
  latitude: 43.6109
  longitude: 3.8772
  horaires: We 09:00-12:00
  itinerance:
    - Itinérant
  services:
    - Aide aux démarches administratives
  frais_a_charge:
    - Gratuit
  modalites_accompagnement:
    - Accompagnement individuel
  source: Tests
  date_maj: "2026-06-30"
  x_arrets:
    - commune: Caussiniojouls
      code_insee: "34062"
      code_postal: "34600"
      adresse: Place du Test
      latitude: 43.54904
      longitude: 3.15604
      horaires: Sa 10:00-12:00
    - commune: Joncels
      code_insee: "34121"
      code_postal: "34650"
      adresse: Parking du Test
  x_exemple: true

- id: lieu-d
  nom: Lieu D
  adresse: 4 rue du Test
  code_postal: "34190"
  commune: Ganges
  code_insee: "34111"
  services:
    - Aide aux démarches administratives
  frais_a_charge:
    - Gratuit
  modalites_accompagnement:
    - Accompagnement individuel
  source: Tests
  date_maj: "2025-11-23"
  x_exemple: true
"""

_WORKSHOP = """\
  type: atelier-collectif
  thematiques:
    - Aide aux démarches administratives
  publics:
    - Tout public
  niveau: debutant
  inscription:
    modes:
      - sans-inscription
  tarif:
    frais: Gratuit
  date_maj: "2026-11-01"
  exemple: true
"""

# At lieu-a (Lodève): one session in the 8 weeks, one cancelled, one on the first day after
# them (build date + 8 weeks) and one 9 weeks on. At Romiguières (its centre, 11.1 km from
# Lodève's): one session in the 8 weeks.
WORKSHOPS = (
    """\
- id: atelier-lodeve
  titre: Atelier à Lodève
  lieu: lieu-a
  seances:
    - date: "2026-11-23"
      debut: "14:00"
      fin: "16:00"
    - date: "2026-12-10"
      debut: "14:00"
      fin: "16:00"
      annulee: true
    - date: "2027-01-18"
      debut: "14:00"
      fin: "16:00"
    - date: "2027-01-25"
      debut: "14:00"
      fin: "16:00"
"""
    + _WORKSHOP
    + """
- id: atelier-romiguieres
  titre: Atelier à Romiguières
  adresse:
    nom: Salle du Test
    adresse: Place du Test
    code_postal: "34650"
    commune: Romiguières
    code_insee: "34231"
  seances:
    - date: "2026-12-02"
      debut: "14:00"
      fin: "16:00"
"""
    + _WORKSHOP
)

KIND_SLUGS = ("tout", "accompagnement-gratuit", "france-services", "pass-numerique", "samedi", "sans-marche")


REFERENCE_COMMUNES = {
    c["code_insee"]: c for c in json.loads((REFERENCE / "communes.json").read_text("utf-8"))
}


def centre(code: str) -> tuple[float, float]:
    return REFERENCE_COMMUNES[code]["latitude"], REFERENCE_COMMUNES[code]["longitude"]


# The points of help of the catalogue above: (lat, lon, commune, kinds it offers).
FREE = {"tout", "accompagnement-gratuit"}
POINTS = [
    (43.7317, 3.3194, LODEVE, {*FREE, "france-services", "pass-numerique"}),
    (43.4035, 3.6935, SETE, {"tout", "samedi"}),
    (43.6109, 3.8772, MONTPELLIER, FREE),
    (*centre(CAUSSINIOJOULS), CAUSSINIOJOULS, {*FREE, "samedi"}),
    (*centre(JONCELS), JONCELS, FREE),
    (*centre(GANGES), GANGES, FREE),
]


def expected_distance(code: str, kind: str) -> float | None:
    points = [p for p in POINTS if kind in p[3]]
    if any(p[2] == code for p in points):
        return 0.0
    lat, lon = centre(code)
    return min((haversine_km(lat, lon, p[0], p[1]) for p in points), default=None)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The catalogue above, its coverage and its freshness report."""
    project = Project(tmp_path_factory.mktemp("coverage"))
    project.write(sites=SITES, workshops=WORKSHOPS)
    catalogue, problems = project.load(BUILD)
    assert catalogue is not None, problems.text()
    return catalogue, coverage.compute(catalogue)


def test_kinds_in_order_with_french_labels():
    assert tuple(k.slug for k in coverage.KINDS) == KIND_SLUGS
    assert coverage.KINDS[0].label == "Tout lieu d'aide ou arrêt d'un service itinérant"
    assert coverage.THRESHOLDS_KM == (5, 10, 15, 20)
    assert coverage.MEASURED_FROM == "centre de la commune"


def test_saturdays_of_the_eight_weeks():
    days = coverage.saturdays(BUILD)
    assert days[0] == dt.date(2026, 11, 28) and days[-1] == dt.date(2027, 1, 16)
    assert len(days) == 8 and all(d.weekday() == 5 for d in days)
    assert coverage.saturdays(dt.date(2026, 11, 28))[0] == dt.date(2026, 11, 28)  # a Saturday counts itself


def test_help_points_and_where_they_count(tiny):
    catalogue, _ = tiny
    points = coverage.help_points(catalogue)
    assert [(p.site.id, p.commune.code_insee, p.at_centre) for p in points] == [
        ("lieu-a", LODEVE, False),
        ("lieu-b", SETE, False),
        ("lieu-d", GANGES, True),
        ("service-c", MONTPELLIER, False),
        ("service-c", CAUSSINIOJOULS, False),
        ("service-c", JONCELS, True),
    ]
    ganges = points[2]
    assert (ganges.latitude, ganges.longitude) == centre(GANGES)
    assert points[5].schedule is catalogue.site_by_id["service-c"].schedule  # a stop without hours


def test_every_distance_is_that_of_a_full_scan(tiny):
    _, cov = tiny
    assert list(cov.communes) == sorted(REFERENCE_COMMUNES)
    for code, commune in cov.communes.items():
        assert set(commune.distance_km) == set(KIND_SLUGS)
        for kind in KIND_SLUGS:
            assert commune.distance_km[kind] == pytest.approx(expected_distance(code, kind), abs=1e-9), (
                code,
                kind,
            )


def test_a_commune_with_a_place_is_at_zero(tiny):
    _, cov = tiny
    lodeve = cov.communes[LODEVE]
    assert lodeve.distance_km["tout"] == 0.0
    assert lodeve.distance_km["france-services"] == 0.0
    assert lodeve.distance_km["samedi"] == pytest.approx(
        haversine_km(*centre(LODEVE), *centre(CAUSSINIOJOULS))
    )  # lieu-a is closed on Saturdays: the nearest Saturday is the stop
    assert cov.communes[SETE].distance_km["samedi"] == 0.0
    assert cov.communes[SETE].distance_km["accompagnement-gratuit"] > 0  # lieu-b is paying
    assert cov.communes[GANGES].distance_km["tout"] == 0.0  # no coordinates, still in Ganges
    # The address, not the commune's centre, is what neighbours measure to.
    olmet = cov.communes["34188"]
    assert olmet.distance_km["tout"] == pytest.approx(haversine_km(*centre("34188"), 43.7317, 3.3194))
    assert olmet.distance_km["tout"] != pytest.approx(haversine_km(*centre("34188"), *centre(LODEVE)))


def test_a_commune_whose_only_help_is_a_stop_is_at_zero(tiny):
    _, cov = tiny
    for code in (CAUSSINIOJOULS, JONCELS):
        commune = cov.communes[code]
        assert (commune.places, commune.stops) == (0, 1)
        assert commune.distance_km["tout"] == commune.distance_km["accompagnement-gratuit"] == 0.0
        assert commune.distance_km["france-services"] > 0
    # Saturday by the stop's own hours (Caussiniojouls), else by the service's (Joncels: Wednesdays).
    assert cov.communes[CAUSSINIOJOULS].distance_km["samedi"] == 0.0
    assert cov.communes[JONCELS].distance_km["samedi"] > 0
    assert cov.communes[MONTPELLIER].distance_km["samedi"] > 0


def test_a_kind_without_any_point_is_none_everywhere(tiny):
    _, cov = tiny
    assert all(c.distance_km["sans-marche"] is None for c in cov.communes.values())
    for territory in cov.territories:
        assert set(territory.population_within["sans-marche"].values()) == {0}
        assert set(territory.share_within["sans-marche"].values()) == {0.0}


def test_counts_of_places_and_stops(tiny):
    _, cov = tiny
    places = {code: c.places for code, c in cov.communes.items() if c.places}
    stops = {code: c.stops for code, c in cov.communes.items() if c.stops}
    assert places == {LODEVE: 1, SETE: 1, MONTPELLIER: 1, GANGES: 1}
    assert stops == {CAUSSINIOJOULS: 1, JONCELS: 1}
    assert cov.department.places == 4
    assert cov.epcis["200017341"].places == 1  # Lodévois et Larzac: lieu-a only
    assert cov.epcis["200017341"].places_per_10000 == pytest.approx(10_000 / 14_929)


def test_sessions_within_ten_km_in_eight_weeks(tiny):
    _, cov = tiny
    workshops = [(43.7317, 3.3194, 1), (*centre(ROMIGUIERES), 1)]  # sessions counted at each
    assert haversine_km(*centre(LODEVE), *centre(ROMIGUIERES)) == pytest.approx(11.09, abs=0.01)
    assert cov.communes[LODEVE].sessions == 1  # not the cancelled one, nor those of weeks 9 and 10
    assert cov.communes[ROMIGUIERES].sessions == 1  # Lodève's is 11 km away
    for code, commune in cov.communes.items():
        lat, lon = centre(code)
        assert commune.sessions == sum(
            n for wlat, wlon, n in workshops if haversine_km(lat, lon, wlat, wlon) <= 10
        )
    assert sum(c.sessions > 0 for c in cov.communes.values()) > 10


def test_population_shares(tiny):
    _, cov = tiny
    populations = {code: c["population"] or 0 for code, c in REFERENCE_COMMUNES.items()}
    department = cov.department
    assert department.population == sum(populations.values())
    assert department.communes == len(REFERENCE_COMMUNES)
    for territory in cov.territories:
        for kind in KIND_SLUGS:
            within = [territory.population_within[kind][km] for km in coverage.THRESHOLDS_KM]
            shares = [territory.share_within[kind][km] for km in coverage.THRESHOLDS_KM]
            assert within == sorted(within) and shares == sorted(shares)
            assert all(0 <= s <= 1 for s in shares)
            assert shares == pytest.approx([n / territory.population for n in within])
    without_epci = [code for code, c in REFERENCE_COMMUNES.items() if c["epci"] is None]
    for kind in KIND_SLUGS:
        for km in coverage.THRESHOLDS_KM:
            expected = sum(
                populations[code]
                for code in REFERENCE_COMMUNES
                if expected_distance(code, kind) is not None and expected_distance(code, kind) <= km
            )
            assert department.population_within[kind][km] == expected
            # The département is its EPCI plus its communes without EPCI (none in today's data).
            assert department.population_within[kind][km] == sum(
                e.population_within[kind][km] for e in cov.epcis.values()
            ) + sum(
                populations[c]
                for c in without_epci
                if cov.communes[c].distance_km[kind] is not None and cov.communes[c].distance_km[kind] <= km
            )
    assert department.population == sum(e.population for e in cov.epcis.values()) + sum(
        populations[c] for c in without_epci
    )
    assert list(cov.epcis) == sorted(cov.epcis)
    assert [t.level for t in cov.territories] == ["departement"] + ["epci"] * len(cov.epcis)


def test_far_communes(tiny):
    _, cov = tiny
    far = sorted(
        (
            (-expected_distance(code, "tout"), c["nom"], code)
            for code, c in REFERENCE_COMMUNES.items()
            if expected_distance(code, "tout") > coverage.FAR_KM
        ),
    )
    department = cov.department
    assert [f.code for f in department.far_communes] == [code for _, _, code in far]
    assert len(far) > 20  # four places and two stops leave much of the département far
    assert all(
        a.distance_km >= b.distance_km
        for a, b in zip(department.far_communes, department.far_communes[1:], strict=False)
    )
    assert department.far_population == sum(REFERENCE_COMMUNES[code]["population"] or 0 for _, _, code in far)
    # Farther than 15 km is exactly what is not within 15 km.
    for territory in cov.territories:
        assert territory.far_population == territory.population - territory.population_within["tout"][15]
    assert sum(len(e.far_communes) for e in cov.epcis.values()) == len(far)
    assert not any(f.code == LODEVE for f in department.far_communes)


def test_checked_records_and_completeness(tiny):
    catalogue, cov = tiny
    # lieu-b (2025-01-10) and lieu-d (2025-11-23, exactly 12 months before) are not recent.
    assert cov.department.checked_share == 0.5
    assert cov.epcis["200017341"].checked_share == 1.0  # lieu-a
    assert cov.epcis["200066355"].checked_share == 0.0  # lieu-b at Sète
    assert cov.epcis["200071058"].checked_share is None  # Caussiniojouls: a stop, no record
    report = build_report(catalogue)
    assert cov.department.completeness == report.completeness
    by_code = {t.code: t.completeness for t in report.territories}
    assert {code: e.completeness for code, e in cov.epcis.items()} == {
        code: by_code[code] for code in cov.epcis
    }
    assert cov.epcis["200017341"].completeness is not None
    assert coverage.compute(catalogue, report) == cov  # the report a build already has gives the same


def test_compute_is_deterministic(tiny):
    catalogue, cov = tiny
    again = coverage.compute(catalogue)
    assert again == cov
    assert list(again.communes) == list(cov.communes)
    assert [f.code for f in again.department.far_communes] == [f.code for f in cov.department.far_communes]


# --- the nearest-point search ---------------------------------------------------------------------


def test_nearest_search_is_a_full_scan_without_its_cost(monkeypatch):
    """Clustered points (towns) and sparse ones: the same nearest distance as measuring all,
    for a small share of the measurements."""
    rng = random.Random(7)
    towns = [(rng.uniform(43, 45), rng.uniform(1, 5)) for _ in range(40)]
    points = [
        (lat + rng.gauss(0, 0.05), lon + rng.gauss(0, 0.05), n) for n, (lat, lon) in enumerate(towns * 30)
    ]
    points += [(rng.uniform(43, 45), rng.uniform(1, 5), 10_000 + n) for n in range(300)]
    queries = [(rng.uniform(42.5, 45.5), rng.uniform(0.5, 5.5)) for _ in range(400)]
    calls = 0
    real = nearby.haversine_km

    def counted(*args):
        nonlocal calls
        calls += 1
        return real(*args)

    for subset in (points, points[::50], points[:1], []):
        monkeypatch.setattr(nearby, "haversine_km", counted)
        monkeypatch.setattr(coverage, "haversine_km", counted)
        nearest = coverage._Nearest(subset)
        calls = 0
        found = [nearest.distance(lat, lon) for lat, lon in queries]
        monkeypatch.undo()
        if not subset:
            assert found == [None] * len(queries) and calls == 0
            continue
        expected = [min(haversine_km(lat, lon, p[0], p[1]) for p in subset) for lat, lon in queries]
        assert found == pytest.approx(expected, abs=1e-9)
        full_scan = len(queries) * len(subset)
        assert calls <= (full_scan // 20 if subset is points else full_scan), (len(subset), calls)


# --- open data ------------------------------------------------------------------------------------


def read_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_csv_files_validate_and_are_byte_identical(tiny, tmp_path):
    _, cov = tiny
    counts = coverage_csv.write(cov, tmp_path / "a", "https://exemple.fr/")
    assert counts == {"couverture-communes.csv": len(REFERENCE_COMMUNES), "couverture-territoires.csv": 18}
    coverage_csv.write(cov, tmp_path / "b", "https://exemple.fr/")
    first = read_files(tmp_path / "a")
    assert first == read_files(tmp_path / "b")
    assert sorted(first) == [
        "couverture-communes.csv",
        "couverture-communes.schema.json",
        "couverture-territoires.csv",
        "couverture-territoires.schema.json",
    ]
    for name in ("couverture-communes", "couverture-territoires"):
        schema = json.loads(first[f"{name}.schema.json"])
        assert schema["licenses"][0]["title"] == "Licence Ouverte 2.0"
        assert "dans l'Hérault" in schema["title"]
        report = validate_csv(tmp_path / "a" / f"{name}.csv", schema)
        assert report.valid, error_lines(report)
        text = first[f"{name}.csv"].decode("utf-8")
        assert text.count("\r\n") == text.count("\n")  # CRLF only
        assert [f["name"] for f in schema["fields"]] == text.split("\r\n", 1)[0].split(",")


def test_csv_columns_and_values(tiny, tmp_path):
    _, cov = tiny
    coverage_csv.write(cov, tmp_path, "https://exemple.fr")
    communes = (tmp_path / "couverture-communes.csv").read_bytes().decode("utf-8").split("\r\n")
    assert communes[0] == (
        "code_insee,nom,epci,population,point_mesure,distance_km_tout,distance_km_accompagnement_gratuit,"
        "distance_km_france_services,distance_km_pass_numerique,distance_km_samedi,distance_km_sans_marche,"
        "lieux,arrets,seances_10km_8_semaines,url"
    )
    lodeve = next(line for line in communes if line.startswith(LODEVE + ","))
    samedi = f"{haversine_km(*centre(LODEVE), *centre(CAUSSINIOJOULS)):.1f}"
    assert lodeve == (
        f"34142,Lodève,200017341,7251,centre de la commune,0.0,0.0,0.0,0.0,{samedi},,1,0,1,"
        "https://exemple.fr/communes/lodeve/"
    )
    territories = (tmp_path / "couverture-territoires.csv").read_bytes().decode("utf-8").split("\r\n")
    header = territories[0].split(",")
    assert header[:7] == [
        "code",
        "type",
        "nom",
        "population",
        "communes",
        "part_tout_5km",
        "population_tout_5km",
    ]
    assert header[-6:] == [
        "lieux_pour_10000",
        "communes_loin",
        "population_loin",
        "part_fiches_verifiees_12_mois",
        "completude_moyenne",
        "url",
    ]
    assert len(header) == 5 + 2 * len(KIND_SLUGS) * len(coverage.THRESHOLDS_KM) + 6
    rows = [dict(zip(header, line.split(","), strict=True)) for line in territories[1:] if line]
    assert [r["code"] for r in rows] == ["34", *sorted(cov.epcis)]
    department = rows[0]
    assert (department["type"], department["nom"], department["url"]) == (
        "departement",
        "Hérault",
        "https://exemple.fr/",
    )
    assert department["part_fiches_verifiees_12_mois"] == "0.5000"
    assert department["population_loin"] == str(cov.department.far_population)
    assert department["part_sans_marche_20km"] == "0.0000"
    assert float(department["part_tout_10km"]) == pytest.approx(
        cov.department.share_within["tout"][10], abs=5e-5
    )
    lodevois = next(r for r in rows if r["code"] == "200017341")
    assert lodevois["lieux_pour_10000"] == "0.67"
    assert lodevois["url"] == "https://exemple.fr/territoires/cc-lodevois-et-larzac/"
    caussiniojouls = next(r for r in rows if r["code"] == "200071058")
    assert caussiniojouls["part_fiches_verifiees_12_mois"] == caussiniojouls["completude_moyenne"] == ""


def test_csv_without_public_address_leaves_urls_empty(tiny, tmp_path):
    _, cov = tiny
    coverage_csv.write(cov, tmp_path, "")
    lines = (tmp_path / "couverture-communes.csv").read_bytes().decode("utf-8").split("\r\n")
    assert all(line.endswith(",") for line in lines[1:] if line)
    report = validate_csv(tmp_path / "couverture-communes.csv", coverage_csv.communes_schema(cov))
    assert report.valid, error_lines(report)


# --- the demo catalogue ---------------------------------------------------------------------------


def test_demo_catalogue(demo_catalogue, tmp_path):
    cov = coverage.compute(demo_catalogue)
    assert cov.build_date == dt.date(2026, 11, 23)
    assert list(cov.communes) == sorted(REFERENCE_COMMUNES)
    for commune in cov.communes.values():
        closest = commune.distance_km["tout"]
        assert closest is not None
        for kind in KIND_SLUGS[1:]:
            other = commune.distance_km[kind]
            assert other is None or closest <= other, (commune.code, kind)
    assert cov.department.places == len(demo_catalogue.sites)
    assert sum(c.stops for c in cov.communes.values()) == sum(len(s.stops) for s in demo_catalogue.sites)
    counts = coverage_csv.write(cov, tmp_path, "")
    assert counts["couverture-communes.csv"] == len(REFERENCE_COMMUNES)
    rows = (tmp_path / "couverture-communes.csv").read_bytes().decode("utf-8").split("\r\n")[1:-1]
    assert [row.split(",", 1)[0] for row in rows] == sorted(REFERENCE_COMMUNES)
    for name in ("couverture-communes", "couverture-territoires"):
        schema = json.loads((tmp_path / f"{name}.schema.json").read_text("utf-8"))
        report = validate_csv(tmp_path / f"{name}.csv", schema)
        assert report.valid, error_lines(report)
