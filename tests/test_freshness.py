"""Freshness and completeness report (``python -m mednum report``)."""

from __future__ import annotations

import datetime as dt
import json
import re

from conftest import BUILD_DATE, SITES, WORKSHOPS, demo_options
from mednum import freshness
from mednum.cli import main
from mednum.settings import DEFAULTS

# lieu-test-sete without hours, accessibility nor contact, checked long ago.
OLD_SITE = (
    SITES.replace("  courriels:\n    - test@example.org\n", "")
    .replace("  horaires: Tu,Th 14:00-17:00\n", "")
    .replace('date_maj: "2026-09-15"', 'date_maj: "2025-11-22"')
    .replace("  x_accessibilite:\n    entree_plain_pied: false\n", "")
)


def _report(project, **files):
    if files:
        project.write(**files)
    catalogue, problems = project.load()
    assert catalogue is not None, problems.text()
    return freshness.build_report(catalogue)


def test_shape_and_territories(project):
    report = _report(project)
    assert report.date == BUILD_DATE
    # Old means checked at least the default number of months ago: the same day, that many months back.
    months = DEFAULTS["CATALOGUE_STALE_MONTHS"][0]
    assert report.stale_months == months
    year, month = divmod(BUILD_DATE.year * 12 + BUILD_DATE.month - 1 - months, 12)
    assert report.stale_before == dt.date(year, month + 1, BUILD_DATE.day)
    # Every EPCI of the reference, by name, even without a record.
    epcis = json.loads((project.data / "reference" / "epci.json").read_text(encoding="utf-8"))
    assert len(report.territories) == len(epcis)
    catalogue, _ = project.load()
    assert [t.code for t in report.territories] == list(catalogue.reference.epcis)  # by name
    by_id = {r.id: (t, r) for t in report.territories for r in t.records}
    lodeve, site = by_id["lieu-test-lodeve"]
    assert lodeve.name == "CC Lodévois et Larzac"
    assert [r.id for r in lodeve.workshops] == ["atelier-test"]
    assert site.kind == "lieu" and site.commune == "Lodève" and site.file == "data/sites.yaml"
    assert site.line == 2 and site.example
    assert by_id["lieu-test-sete"][0].name == "CA Sète Agglopôle Méditerranée"
    assert [r.id for r in report.trainings] == ["formation-test"]
    assert not any(
        t.records for t in report.territories if t.name not in {lodeve.name, "CA Sète Agglopôle Méditerranée"}
    )


def test_completeness_counts_the_documented_fields(project):
    report = _report(project)
    site = next(r for r in report.records if r.id == "lieu-test-lodeve")
    # No presentation, no frais, no modalités: 10 fields, 6 filled.
    assert set(site.missing) == {
        "presentation_resume",
        "frais_a_charge",
        "modalites_acces",
        "modalites_accompagnement",
    }
    assert site.completeness == 60
    assert site.missing_labels[0] == "présentation"
    assert not (site.missing_hours or site.missing_accessibility or site.missing_contact)
    workshop = next(r for r in report.records if r.id == "atelier-test")
    # Contact through its help point, a session to come, no description.
    assert workshop.missing == ("description",) and workshop.completeness == 67
    training = next(r for r in report.records if r.id == "formation-test")
    assert training.completeness == 0 and training.commune is None


def test_old_records_and_missing_hours_accessibility_contact(project):
    report = _report(project, sites=OLD_SITE)
    sete = next(t for t in report.territories if t.name == "CA Sète Agglopôle Méditerranée")
    (record,) = sete.sites
    assert record.stale and record.age_days == 366
    assert record.missing_hours and record.missing_accessibility and record.missing_contact
    assert sete.stale == (record,)
    assert sete.missing_hours == sete.missing_accessibility == sete.missing_contact == (record,)
    assert sete.completeness == record.completeness == 10  # only its coordinates
    assert report.stale == (record,)


def test_twelve_months_or_more_is_old_as_for_the_validator(project):
    # Checked exactly 12 months before: old, as for the validator's warning; a day later: not yet.
    report = _report(project, sites=OLD_SITE.replace("2025-11-22", "2025-11-23"))
    assert [r.id for r in report.stale] == ["lieu-test-sete"]
    report = _report(project, sites=OLD_SITE.replace("2025-11-22", "2025-11-24"))
    assert not report.stale


def test_itinerant_service_hours_are_its_stops(project):
    itinerant = OLD_SITE.replace(
        '  source: Tests\n  date_maj: "2025-11-22"\n',
        '  source: Tests\n  itinerance:\n    - Itinérant\n  date_maj: "2025-11-22"\n',
    )
    head, tail = itinerant.rsplit("  x_exemple: true\n", 1)
    itinerant = (
        head + '  x_arrets:\n    - commune: Sète\n      code_insee: "34301"\n'
        "      adresse: Place du marché\n      horaires: Sa 09:00-12:00\n  x_exemple: true\n" + tail
    )
    assert itinerant.count("x_arrets") == 1
    report = _report(project, sites=itinerant)
    record = next(r for r in report.records if r.id == "lieu-test-sete")
    assert not record.missing_hours


def test_workshop_without_upcoming_session_is_incomplete(project):
    past = WORKSHOPS.replace('"2026-12-03"', '"2026-10-03"')
    report = _report(project, workshops=past)
    workshop = next(r for r in report.records if r.id == "atelier-test")
    assert "seances_a_venir" in workshop.missing


def test_text_and_markdown_renderings(project, monkeypatch, capsys):
    project.write(sites=OLD_SITE)
    monkeypatch.chdir(project.root)
    assert main(["report", "--date", "2026-11-23"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Fraîcheur et complétude des fiches au 23 novembre 2026\n")
    assert "== CA Sète Agglopôle Méditerranée (SIREN 200066355) ==" in text
    assert re.search(
        r"  10\u00a0%  lieu « lieu-test-sete » \(Sète\) \[exemple\] — vérifiée le 22 novembre 2025 : ANCIENNE ;"
        r" manque : horaires, contact \(téléphone, courriel ou site web\), accessibilité, .* et ",
        text,
    )
    assert "== CA Hérault-Méditerranée (SIREN 243400819) ==\n  aucun lieu ni atelier" in text

    assert main(["report", "--date", "2026-11-23", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Fraîcheur et complétude des fiches au 23 novembre 2026\n")
    assert "| CA Sète Agglopôle Méditerranée | 1 | 0 | 1 | 1 | 1 | 1 | 10\u00a0% |" in markdown
    assert "## Formations (tout le département)" in markdown


def test_cli_errors_without_traceback(project, monkeypatch, capsys):
    monkeypatch.chdir(project.root)
    assert main(["report", "--date", "2026-13-01"]) == 2
    assert "date invalide" in capsys.readouterr().err
    project.write(sites=SITES.replace("  nom: Lieu de test de Lodève\n", ""))
    assert main(["report", "--date", "2026-11-23"]) == 1
    err = capsys.readouterr().err
    assert "champ obligatoire manquant" in err and "Rapport impossible" in err


def test_bundled_catalogue_report_runs():
    from mednum.catalogue import load_catalogue

    catalogue, problems = load_catalogue(demo_options(BUILD_DATE))
    assert catalogue is not None, problems.text()
    report = freshness.build_report(catalogue)
    assert len(report.records) == len(catalogue.sites) + len(catalogue.workshops) + len(catalogue.trainings)
    assert freshness.render_text(report) and freshness.render_markdown(report)
