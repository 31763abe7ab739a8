"""Open-data exports under /donnees/: complete, deterministic, valid against their schemas.

The national CSV is checked with frictionless against a copy of the official
Table Schema (tests/fixtures/standards/, v1.0.2). That schema has a known defect:
its ``formations_labels`` pattern lacks the space of « Étapes numériques (La
Poste) » (the value list of the standard has it). ``official_schema()`` patches
that pattern in memory, and ``test_official_pattern_defect_is_still_there`` fails
the day the official file is fixed, so that the patch can be removed.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from table_checks import error_lines, validate_csv

from conftest import BUILD_DATE, ROOT, Project
from mednum.exports import ics, write_exports
from mednum.exports import national_csv as ncsv
from mednum.importers import national

STANDARDS = ROOT / "tests" / "fixtures" / "standards"
OFFICIAL_SCHEMA = STANDARDS / "lieux-mediation-numerique-schema.json"
OFFICIAL_EXAMPLE = STANDARDS / "lieux-mediation-numerique-exemple-valide.csv"
BROKEN_LABEL_PATTERN = "Étapes numériques\\(La Poste\\)"
FIXED_LABEL_PATTERN = "Étapes numériques \\(La Poste\\)"
SETTINGS = {"CATALOGUE_PUBLIC_URL": "https://numerique.herault.example/"}

# Real-looking (not example) records of every kind, for round trips and services.
RICH_SITES = """\
- id: bus-test-haut-languedoc
  pivot: "20006889600018"
  nom: Bus numérique de test
  adresse: 1 place de l'Essai
  complement_adresse: Parking de la mairie
  code_postal: "34390"
  commune: Olargues
  code_insee: "34187"
  latitude: 43.5561
  longitude: 2.9145
  typologie:
    - EPCI
    - EPN
  telephone: "+33465710101"
  courriels:
    - bus@example.org
    - contact@example.org
  site_web:
    - https://example.org/bus
  horaires: We 09:00-12:00,14:00-17:00
  presentation_resume: Un bus, des médiateurs, vos questions.
  presentation_detail: |-
    Premier paragraphe, avec une virgule ; et un point-virgule.

    Second paragraphe « entre guillemets ».
  source: Tests
  itinerance:
    - Itinérant
  structure_parente: Communauté de communes de test
  date_maj: "2026-10-01"
  services:
    - Aide aux démarches administratives
    - Accès internet et matériel informatique
  publics_specifiquement_adresses:
    - Seniors
    - Familles et/ou enfants
  prise_en_charge_specifique:
    - Surdité
    - Langues étrangères (anglais)
  frais_a_charge:
    - Gratuit
  dispositif_programmes_nationaux:
    - Conseillers numériques
    - Aidants Connect
  formations_labels:
    - Étapes numériques (La Poste)
    - Formé à « Mon Espace Santé »
  autres_formations_labels:
    - Label de test
  modalites_acces:
    - Se présenter
    - Téléphoner
  modalites_accompagnement:
    - Accompagnement individuel
    - À distance
  fiche_acces_libre: https://acceslibre.beta.gouv.fr/uuid/3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b/
  prise_rdv: https://example.org/rdv
  x_pass_numerique: true
  x_arrets:
    - commune: Olargues
      code_insee: "34187"
      code_postal: "34390"
      adresse: Place de l'Essai
      latitude: 43.5561
      longitude: 2.9145
      horaires: We[1] 09:00-12:00
    - commune: Riols
      code_insee: "34229"
      adresse: Parking de l'Essai
      horaires: We[3] 09:00-12:00

- id: mediatheque-test-lodeve
  nom: Médiathèque de test
  adresse: 3 rue de l'Essai
  code_postal: "34700"
  commune: Lodève
  code_insee: "34142"
  latitude: 43.7317
  longitude: 3.3194
  typologie:
    - BIB
  horaires: Tu-Sa 10:00-12:30,14:00-18:00; PH off
  source: Tests
  date_maj: "2026-09-01"
  services:
    - Maîtrise des outils numériques du quotidien
"""

RICH_WORKSHOPS = """\
- id: atelier-reel-lodeve
  titre: Atelier de test, avec virgule
  type: atelier-collectif
  lieu: mediatheque-test-lodeve
  description: Apprendre ; essayer, recommencer.
  thematiques:
    - Maîtrise des outils numériques du quotidien
    - Utilisation sécurisée du numérique
  publics:
    - Tout public
    - Seniors
  niveau: debutant
  seances:
    - date: "2026-12-03"
      debut: "14:00"
      fin: "16:00"
    - date: "2026-12-10"
      debut: "14:00"
      fin: "16:00"
      annulee: true
    - date: "2026-07-10"
      debut: "14:00"
      fin: "16:00"
  inscription:
    modes:
      - telephone
      - en-ligne
    telephone: "+33465710102"
    lien: https://example.org/inscription
  tarif:
    frais: Payant
    montant: 5
    pass_numerique: true
  date_maj: "2026-11-01"

- id: forum-reel-olargues
  titre: Forum de test
  type: evenement
  adresse:
    nom: Salle des fêtes
    adresse: 4 rue de l'Essai
    code_postal: "34390"
    commune: Olargues
    code_insee: "34187"
  thematiques:
    - Compréhension du monde numérique
  publics:
    - Jeunes
    - Demandeurs d'emploi
  niveau: tous-niveaux
  seances:
    - date: "2027-03-28"
      debut: "09:30"
      fin: "17:00"
  inscription:
    modes:
      - sans-inscription
  tarif:
    frais: Gratuit
  date_maj: "2026-11-01"

- id: permanence-reelle-bus
  titre: Permanence du bus de test
  type: permanence
  lieu: bus-test-haut-languedoc
  thematiques:
    - Aide aux démarches administratives
  publics:
    - Tout public
  niveau: tous-niveaux
  recurrence:
    horaires: We 09:00-12:00
    du: "2026-11-01"
    au: "2026-12-31"
  inscription:
    modes:
      - sans-inscription
  tarif:
    frais: Gratuit
  date_maj: "2026-11-01"
"""


def official_schema() -> dict:
    """The official Table Schema with its known regex defect patched (see module docstring)."""
    schema = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    for f in schema["fields"]:
        if f["name"] == "formations_labels":
            f["constraints"]["pattern"] = f["constraints"]["pattern"].replace(
                BROKEN_LABEL_PATTERN, FIXED_LABEL_PATTERN
            )
    return schema


def new_project(root: Path) -> Project:
    root.mkdir(parents=True)
    return Project(root)


def rich_project(tmp_path: Path) -> Project:
    project = new_project(tmp_path)
    base_sites = (project.path("sites").read_text(encoding="utf-8")).split("\n", 1)[1]
    base_workshops = project.path("workshops").read_text(encoding="utf-8").split("\n", 1)[1]
    project.write(sites=RICH_SITES + "\n" + base_sites, workshops=RICH_WORKSHOPS + "\n" + base_workshops)
    return project


def load(project: Project):
    catalogue, report = project.load()
    assert catalogue is not None, report.text()
    return catalogue


@pytest.fixture
def rich(tmp_path):
    project = rich_project(tmp_path / "project")
    return project, load(project)


# --- the bundled data: complete and reproducible -------------------------------------------


@pytest.fixture(scope="module")
def bundled(demo_site, demo_catalogue):
    """The exports of the session's demo site, and its catalogue. That two builds give the same
    bytes, exports included, is test_site_build.py's test_two_builds_are_byte_identical."""
    assert demo_catalogue.build_date == BUILD_DATE
    return demo_catalogue, demo_site / "donnees"


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_bundled_record_is_in_every_export_it_belongs_to(bundled):
    catalogue, out = bundled
    real_sites = [s for s in catalogue.sites if not s.example]
    real_workshops = [w for w in catalogue.workshops if not w.example]

    rows = list(csv.DictReader(io.StringIO((out / ncsv.FILENAME).read_text(encoding="utf-8"), newline="")))
    assert [r["id"] for r in rows] == [s.id for s in real_sites]

    features = json.loads((out / "lieux.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["id"] for f in features if f["properties"]["type"] == "lieu"] == [
        s.id for s in catalogue.sites if s.coordinates
    ]
    stops = [(s.id, n) for s in catalogue.sites for n, st in enumerate(s.stops, 1) if st.latitude is not None]
    assert [f["id"] for f in features if f["properties"]["type"] == "arret"] == [
        f"{i}/arret-{n}" for i, n in stops
    ]

    inclusion = json.loads((out / "data-inclusion.json").read_text(encoding="utf-8"))
    venues = [w for w in real_workshops if w.site is None]
    assert len(inclusion["structures"]) == len(real_sites) + len(venues)
    assert [s["id"] for s in inclusion["services"]] == [f"mednum-herault--{w.id}" for w in real_workshops]

    icalendar = pytest.importorskip("icalendar")
    calendar = icalendar.Calendar.from_ical((out / "ateliers.ics").read_bytes())
    upcoming = sum(len(w.upcoming(catalogue.build_date)) for w in catalogue.workshops)
    assert len(calendar.walk("VEVENT")) == upcoming > 0
    assert sorted(p.stem for p in (out / "ateliers").glob("*.ics")) == [w.id for w in catalogue.workshops]

    trainings = list(
        csv.DictReader(io.StringIO((out / "formations.csv").read_text(encoding="utf-8"), newline=""))
    )
    assert [r["id"] for r in trainings] == [t.id for t in catalogue.trainings]


def test_bundled_national_csv_is_valid_against_the_official_schema(bundled):
    _, out = bundled
    report = validate_csv(out / ncsv.FILENAME, official_schema())
    assert report.valid, error_lines(report)


def test_bundled_trainings_csv_is_valid_against_its_table_schema(bundled):
    _, out = bundled
    schema = json.loads((out / "formations.schema.json").read_text(encoding="utf-8"))
    report = validate_csv(out / "formations.csv", schema)
    assert report.valid, error_lines(report)


# --- national CSV --------------------------------------------------------------------------


def test_official_example_is_valid_with_the_patched_schema():
    report = validate_csv(OFFICIAL_EXAMPLE, official_schema())
    assert report.valid, error_lines(report)


def test_official_pattern_defect_is_still_there(tmp_path, rich):
    """The unpatched schema rejects a value of the standard's own list (see module docstring)."""
    _, catalogue = rich
    write_exports(catalogue, tmp_path, SETTINGS)
    raw = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    report = validate_csv(tmp_path / ncsv.FILENAME, raw)
    assert not report.valid
    assert {e.type for task in report.tasks for e in task.errors} == {"constraint-error"}


def test_rich_national_csv_is_valid_and_has_no_local_fields(tmp_path, rich):
    _, catalogue = rich
    write_exports(catalogue, tmp_path, SETTINGS)
    path = tmp_path / ncsv.FILENAME
    report = validate_csv(path, official_schema())
    assert report.valid, error_lines(report)
    text = path.read_bytes().decode("utf-8")
    header = text.split("\r\n", 1)[0].split(",")
    assert header == [f["name"] for f in official_schema()["fields"]]
    assert not any(name.startswith("x_") for name in header)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert set(rows) == {"bus-test-haut-languedoc", "mediatheque-test-lodeve"}  # examples left out
    bus = rows["bus-test-haut-languedoc"]
    assert bus["typologie"] == "EPCI|EPN"
    assert bus["courriels"] == "bus@example.org|contact@example.org"
    assert bus["telephone"] == "+33465710101"
    assert rows["mediatheque-test-lodeve"]["pivot"] == ncsv.NO_PIVOT
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "").replace(bus["presentation_detail"], "")


def test_round_trip_through_the_national_csv(tmp_path, rich):
    """Export then import: the same records for every field the standard carries."""
    _, catalogue = rich
    write_exports(catalogue, tmp_path, SETTINGS, include_examples=True)
    result = national.read(tmp_path / ncsv.FILENAME, catalogue.reference)
    assert result.problems == [] and result.outside == 0
    standard = [f["name"] for f in official_schema()["fields"]]
    imported = {r["id"]: r for r in result.records}
    assert sorted(imported) == [s.id for s in catalogue.sites]
    for site in catalogue.sites:
        expected = {k: v for k, v in site.record.items() if k in standard}
        assert imported[site.id] == expected, site.id


def test_round_trip_merge_changes_nothing(tmp_path, rich, capsys):
    """Re-importing our own export into our data leaves every record alone (x_ fields kept)."""
    from mednum.importers import cli

    project, catalogue = rich
    write_exports(catalogue, tmp_path / "out", SETTINGS, include_examples=True)
    before = project.path("sites").read_bytes()
    code = cli.main(
        [
            "import",
            "lieux-mediation-numerique",
            str(tmp_path / "out" / ncsv.FILENAME),
            "--data",
            str(project.data),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "data/sites.yaml : 0 fiche ajoutée, 0 modifiée" in out
    assert project.path("sites").read_bytes() == before


def test_examples_can_be_included(tmp_path):
    project = new_project(tmp_path / "p")
    catalogue = load(project)
    counts = write_exports(catalogue, tmp_path / "default", SETTINGS)
    assert counts[ncsv.FILENAME] == 0
    counts = write_exports(catalogue, tmp_path / "all", SETTINGS, include_examples=True)
    assert counts[ncsv.FILENAME] == len(catalogue.sites)


# --- GeoJSON -------------------------------------------------------------------------------


def test_geojson_places_and_stops(tmp_path, rich):
    _, catalogue = rich
    write_exports(catalogue, tmp_path, SETTINGS)
    doc = json.loads((tmp_path / "lieux.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and doc["date_donnees"] == BUILD_DATE.isoformat()
    by_id = {f["id"]: f for f in doc["features"]}
    bus = by_id["bus-test-haut-languedoc"]
    assert bus["geometry"] == {"type": "Point", "coordinates": [2.9145, 43.5561]}
    assert bus["properties"]["url"] == "https://numerique.herault.example/lieux/bus-test-haut-languedoc/"
    assert bus["properties"]["pass_numerique"] is True and bus["properties"]["exemple"] is False
    stop = by_id["bus-test-haut-languedoc/arret-1"]
    assert stop["properties"]["type"] == "arret" and stop["properties"]["lieu"] == "bus-test-haut-languedoc"
    assert "bus-test-haut-languedoc/arret-2" not in by_id  # no coordinates: nothing to draw
    assert by_id["lieu-test-lodeve"]["properties"]["exemple"] is True
    assert (tmp_path / "lieux.geojson").read_bytes().endswith(b"}\n")


def test_json_exports_have_a_record_a_line(tmp_path, rich):
    """The GeoJSON and the data·inclusion file: each feature, structure and service on a line of
    its own (a record changed is a line changed in a diff), the rest as json writes it."""
    _, catalogue = rich
    write_exports(catalogue, tmp_path, SETTINGS, include_examples=True)
    for name, lists in (("lieux.geojson", ["features"]), ("data-inclusion.json", ["structures", "services"])):
        text = (tmp_path / name).read_text(encoding="utf-8")
        doc = json.loads(text)
        records = [json.dumps(item, ensure_ascii=False) for key in lists for item in doc[key]]
        assert len(records) > 3
        lines = [line.removesuffix(",") for line in text.splitlines()]
        assert all(record in lines for record in records), name
        assert len(lines) == len(doc) + len(records) + len(lists)  # a line a key, a record, a "]"
        assert "é" in text and "\\u00e9" not in text


def test_json_records_reads_back_as_the_document():
    from mednum.exports.publication import json_records

    document = {
        "type": "X",
        "vide": [],
        "n": 2,
        "liste": [{"a": "é", "b": [1, 2]}, {"a": None}],
        "t": {"x": 1},
    }
    text = json_records(document)
    assert json.loads(text) == document and text.endswith("}\n")
    assert '\n{"a": "é", "b": [1, 2]},\n{"a": null}\n]' in text


# --- data.inclusion ------------------------------------------------------------------------


def test_data_inclusion_objects_validate_with_the_official_models(tmp_path, rich):
    schema = pytest.importorskip("data_inclusion.schema.v1")
    _, catalogue = rich
    write_exports(catalogue, tmp_path, SETTINGS, include_examples=True)
    doc = json.loads((tmp_path / "data-inclusion.json").read_text(encoding="utf-8"))
    for item in doc["structures"]:
        schema.Structure.model_validate(item)
    for item in doc["services"]:
        schema.Service.model_validate(item)
    services = {s["id"]: s for s in doc["services"]}
    atelier = services["mednum-herault--atelier-reel-lodeve"]
    assert atelier["structure_id"] == "mednum-herault--mediatheque-test-lodeve"
    assert atelier["type"] == "atelier" and atelier["frais"] == "payant"
    assert atelier["frais_precisions"] == "5 € ; Pass numérique accepté"
    assert atelier["publics"] == ["tous-publics"] and "Seniors" in atelier["publics_precisions"]
    assert atelier["thematiques"] == ["numerique--maitriser-les-fondamentaux-du-numerique"]
    assert atelier["modes_mobilisation"] == ["telephoner", "utiliser-lien-mobilisation"]
    forum = services["mednum-herault--forum-reel-olargues"]
    assert forum["publics"] == ["demandeurs-emploi", "jeunes"] and forum["type"] == "information"
    assert forum["structure_id"] in {s["id"] for s in doc["structures"]}
    permanence = services["mednum-herault--permanence-reelle-bus"]
    assert permanence["type"] == "accompagnement" and permanence["horaires_accueil"] == "We 09:00-12:00"
    bus = next(s for s in doc["structures"] if s["id"] == "mednum-herault--bus-test-haut-languedoc")
    assert bus["siret"] == "20006889600018"
    assert bus["reseaux_porteurs"] == [
        "aidants-connect",
        "conseillers-numeriques",
        "espaces-publics-numeriques",
    ]


# --- iCalendar -----------------------------------------------------------------------------


def test_ics_parses_with_stable_uids_paris_times_and_folding(tmp_path, rich):
    icalendar = pytest.importorskip("icalendar")
    _, catalogue = rich
    write_exports(catalogue, tmp_path / "a", SETTINGS)
    write_exports(catalogue, tmp_path / "b", SETTINGS)
    raw = (tmp_path / "a" / "ateliers.ics").read_bytes()
    assert raw == (tmp_path / "b" / "ateliers.ics").read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    calendar = icalendar.Calendar.from_ical(raw)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = calendar.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    assert "atelier-reel-lodeve-20261203T1400@numerique.herault.example" in uids
    past = [u for u in uids if "20260710" in u]
    assert past == []  # sessions before the build date are not in the calendar
    by_uid = {str(e["UID"]): e for e in events}
    first = by_uid["atelier-reel-lodeve-20261203T1400@numerique.herault.example"]
    start = first.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Paris" and start.utcoffset().total_seconds() == 3600
    assert first.decoded("DTSTAMP").isoformat() == "2026-11-23T00:00:00+00:00"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(first["URL"]) == "https://numerique.herault.example/ateliers/atelier-reel-lodeve/"
    assert "3 rue de l'Essai, 34700 Lodève" in str(first["LOCATION"])
    assert str(first["SUMMARY"]) == "Atelier de test, avec virgule"
    cancelled = by_uid["atelier-reel-lodeve-20261210T1400@numerique.herault.example"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    weekly = [u for u in uids if u.startswith("permanence-reelle-bus-")]
    assert len(weekly) == 6  # Wednesdays from 2026-11-25 to 2026-12-30
    example = next(e for e in events if str(e["UID"]).startswith("atelier-test-"))
    assert str(example["SUMMARY"]).startswith("[Exemple fictif]")


def test_one_ics_per_workshop(tmp_path, rich):
    icalendar = pytest.importorskip("icalendar")
    _, catalogue = rich
    write_exports(catalogue, tmp_path, SETTINGS)
    for workshop in catalogue.workshops:
        calendar = icalendar.Calendar.from_ical((tmp_path / "ateliers" / f"{workshop.id}.ics").read_bytes())
        assert len(calendar.walk("VEVENT")) == len(workshop.upcoming(catalogue.build_date))


def test_unchanged_workshops_get_their_calendar_back(tmp_path, rich, monkeypatch):
    """With the previous calendars and their keys, a workshop whose key is unchanged has its
    events taken back from its published file: the same bytes, without writing them again."""
    _, catalogue = rich
    first, second = tmp_path / "first", tmp_path / "second"
    previous = ics.Previous("environment")
    write_exports(catalogue, first, SETTINGS, calendars=previous)
    assert set(previous.keys) == {w.id for w in catalogue.workshops}
    made = []
    original = ics.event
    monkeypatch.setattr(ics, "event", lambda *args: made.append(args) or original(*args))
    again = ics.Previous("environment", first / ics.FOLDER, previous.keys)
    write_exports(catalogue, second, SETTINGS, calendars=again)
    assert made == [] and again.keys == previous.keys
    for path in [first / ics.FILENAME, *sorted((first / ics.FOLDER).glob("*.ics"))]:
        assert (second / path.relative_to(first)).read_bytes() == path.read_bytes(), path.name
    # Each calendar is the published file itself (a hard link), its events read from ateliers.ics.
    for path in sorted((first / ics.FOLDER).glob("*.ics")):
        assert (second / ics.FOLDER / path.name).stat().st_ino == path.stat().st_ino
    # A calendar gone from the published site is written again from those events.
    gone = sorted((first / ics.FOLDER).glob("*.ics"))[0]
    expected = gone.read_bytes()
    gone.unlink()
    again = ics.Previous("environment", first / ics.FOLDER, previous.keys)
    write_exports(catalogue, tmp_path / "fourth", SETTINGS, calendars=again)
    assert made == [] and (tmp_path / "fourth" / ics.FOLDER / gone.name).read_bytes() == expected
    # Another environment (code, settings, date…): every event is written again.
    write_exports(
        catalogue,
        tmp_path / "third",
        SETTINGS,
        calendars=ics.Previous("other", first / ics.FOLDER, previous.keys),
    )
    assert len(made) == sum(len(w.upcoming(catalogue.build_date)) for w in catalogue.workshops) > 0


def test_folding_never_splits_a_character():
    """The library folds: at most 75 octets a line, each line valid UTF-8 on its own."""
    icalendar = pytest.importorskip("icalendar")
    from mednum.exports.ics import WrittenZone, calendar, vtimezone

    event = icalendar.Event()
    event.add("summary", "é" * 100)
    written = event.to_ical().decode("utf-8")
    zone = WrittenZone.of(vtimezone("Europe/Paris", 2026, 2027))
    raw = calendar("Agenda", [written], zone, "Département").encode("utf-8")
    assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no character cut in two
    assert str(icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]["SUMMARY"]) == "é" * 100


def test_published_events_are_found_by_their_uid_even_folded(tmp_path):
    """A long UID is folded over several lines in ateliers.ics: it is read back whole."""
    icalendar = pytest.importorskip("icalendar")
    from mednum.exports.ics import WrittenZone, calendar, vtimezone

    long_uid = "atelier-" + "tres-long-" * 10 + "20261203T1400@numerique.herault.example"
    events = []
    for uid in (long_uid, "court-20261204T0900@h.example", long_uid):
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("summary", f"Séance {len(events)}")
        events.append(event.to_ical(sorted=False).decode("utf-8"))
    assert "\r\n " in events[0]  # folded
    zone = WrittenZone.of(vtimezone("Europe/Paris", 2026, 2027))
    (tmp_path / ics.FILENAME).write_text(
        calendar("Ateliers", events, zone, "D"), encoding="utf-8", newline=""
    )
    found = ics._published_events(tmp_path / ics.FOLDER)
    assert found == {long_uid: [events[0], events[2]], "court-20261204T0900@h.example": [events[1]]}
    assert ics._events_again(found, [long_uid, long_uid]) == [events[0], events[2]]
    assert ics._events_again(found, ["absent@h.example"]) is None


def test_a_calendar_is_the_one_the_library_writes_with_its_time_zone():
    """calendar() adds the time zone written once to the calendar's properties: the same text as
    the library's own calendar holding the VTIMEZONE component."""
    icalendar = pytest.importorskip("icalendar")
    from mednum.exports.ics import WrittenZone, calendar, vtimezone

    timezone = vtimezone("Europe/Paris", 2026, 2028)
    event = icalendar.Event()
    event.add("summary", "Atelier")
    written = event.to_ical(sorted=False).decode("utf-8")
    cal = icalendar.Calendar()
    for name, value in [
        ("version", "2.0"),
        ("prodid", "-//Département//Catalogue de la médiation numérique//FR"),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
        ("x-wr-calname", icalendar.vText("Ateliers : « initiation », 14 h " + "x" * 80)),
        ("x-wr-timezone", "Europe/Paris"),
    ]:
        cal.add(name, value)
    cal.add_component(timezone)
    cal.add_component(event)
    name = "Ateliers : « initiation », 14 h " + "x" * 80
    ours = calendar(name, [written], WrittenZone.of(timezone), "Département")
    assert ours == cal.to_ical(sorted=False).decode("utf-8")


def test_ics_time_zone_comes_from_the_time_zone_database(tmp_path, rich):
    """VTIMEZONE generated for the years of the calendar: it gives Paris's offsets on both sides of
    the clock changes, and the local times of the events read back as written."""
    icalendar = pytest.importorskip("icalendar")
    _, catalogue = rich
    write_exports(catalogue, tmp_path, SETTINGS)
    raw = (tmp_path / "ateliers.ics").read_bytes()
    calendar = icalendar.Calendar.from_ical(raw)
    (timezone,) = calendar.walk("VTIMEZONE")
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n" in raw
    assert {str(c["TZNAME"]) for c in timezone.walk("DAYLIGHT")} == {"CEST"}
    zone = timezone.to_tz()
    assert dt.datetime(2026, 7, 1, 12, tzinfo=zone).utcoffset() == dt.timedelta(hours=2)
    assert dt.datetime(2026, 12, 1, 12, tzinfo=zone).utcoffset() == dt.timedelta(hours=1)
    assert calendar.get_missing_tzids() == set()
    # Without upcoming session, a workshop's file is the calendar and its time zone only.
    later = dataclasses.replace(catalogue, build_date=dt.date(2030, 1, 1))
    ics.write(
        later,
        tmp_path / "later",
        "https://numerique.herault.example",
        "Europe/Paris",
        "Département de l'Hérault",
    )
    for path in (tmp_path / "later" / "ateliers").glob("*.ics"):
        alone = icalendar.Calendar.from_ical(path.read_bytes())
        assert alone.walk("VEVENT") == [] and [str(t["TZID"]) for t in alone.walk("VTIMEZONE")] == [
            "Europe/Paris"
        ]
