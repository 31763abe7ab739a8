"""Import of the Hérault open-data export (made-up fixture in tests/fixtures/imports/)."""

from __future__ import annotations

import pytest

from conftest import ROOT, Project
from mednum.importers import ImportFileError, cli, herault
from mednum.reference import load_reference

FIXTURE = ROOT / "tests" / "fixtures" / "imports" / "herault-lieux-numeriques-exemple.csv"


@pytest.fixture(scope="module")
def reference():
    return load_reference(ROOT / "data" / "reference")


@pytest.fixture(scope="module")
def result(reference):
    return herault.read(FIXTURE, reference)


def test_rows_are_imported_with_mapped_values(result):
    by_id = {r["id"]: r for r in result.records}
    assert sorted(by_id) == [
        "espace-numerique-de-test-montpellier",
        "france-services-de-test-bedarieux",
        "mediatheque-de-test-lattes",
        "point-d-accueil-numerique-de-test-lodeve",
    ]
    montpellier = by_id["espace-numerique-de-test-montpellier"]
    assert montpellier["commune"] == "Montpellier" and montpellier["code_insee"] == "34172"
    assert (montpellier["latitude"], montpellier["longitude"]) == (43.611, 3.877)
    assert montpellier["pivot"] == "21340172201787"
    assert montpellier["site_web"] == ["https://www.example.org/montpellier"]
    assert montpellier["frais_a_charge"] == ["Gratuit"] and montpellier["modalites_acces"] == ["Se présenter"]
    # « Accompagnement à<NBSP>distance » maps like the plain spelling.
    assert montpellier["modalites_accompagnement"] == [
        "En autonomie",
        "Accompagnement individuel",
        "À distance",
    ]
    assert montpellier["publics_specifiquement_adresses"] == ["Jeunes", "Seniors"]
    assert montpellier["dispositif_programmes_nationaux"] == ["Conseillers numériques"]
    lodeve = by_id["point-d-accueil-numerique-de-test-lodeve"]
    assert lodeve["code_insee"] == "34142"  # derived from « Lodève » + 34700
    assert lodeve["date_maj"] == "2026-09-15"  # from 15/09/2026
    assert lodeve["modalites_accompagnement"] == ["En autonomie"]  # « libre<NBSP>accès »
    assert lodeve["presentation_detail"] == "Démarches avec : CAF, DGFIP."
    fs = by_id["france-services-de-test-bedarieux"]
    assert fs["typologie"] == ["RFS"] and fs["itinerance"] == ["Itinérant"]
    assert fs["courriels"] == ["fs-test@example.org", "fs-test2@example.org"]
    assert "publics_specifiquement_adresses" not in fs  # Tout public
    assert result.outside == 1


def test_broken_rows_are_reported_with_their_line(result):
    problems = {(p.line, p.message_fr.split(" ")[0]) for p in result.problems}
    assert {line for line, _ in problems} == {5, 6, 7, 9, 10}
    text = "\n".join(f"{p.line}: {p.message_fr}" for p in result.problems)
    assert "5: commune manquant(s) : ligne ignorée" in text
    assert "6: code INSEE manquant et impossible à retrouver" in text
    assert "7: aucun service reconnu (type « Maison de quartier »)" in text
    assert "9: téléphone « n/c » illisible" in text and "9: horaires « tous les jours » illisibles" in text
    assert "10: 5 champs au lieu de 26" in text


def test_unmapped_values_are_listed(result):
    assert result.unmapped_lines() == [
        "cond_acces « Adhésion » : 1 ligne (7)",
        "lib_long_type « Maison de quartier » : 1 ligne (7)",
        "publics « Personne en situation de handicap » : 1 ligne (7)",
        "publics « Stagiaire en formation » : 1 ligne (3)",
    ]


@pytest.mark.parametrize(
    "value",
    ["Accompagnement à\u00a0distance", "ACCOMPAGNEMENT À  DISTANCE", "Accompagnement à\u202fdistance"],
)
def test_spacing_and_case_do_not_matter(value):
    assert herault._MOD[herault.normalize(value)] == {"modalites_accompagnement": ["À distance"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"\n\n", "vide"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "UTF-8|binaire"),
        (FIXTURE.read_bytes().replace(b";", b","), "colonnes manquantes"),
        (b"lib_long_service;nom_comm\nA;B\n", "colonnes manquantes : lieu_code_postal, adresse, date_maj"),
    ],
)
def test_malformed_files_raise_a_french_error(tmp_path, reference, content, message):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        herault.read(path, reference)


def test_cli_imports_reports_and_is_idempotent(tmp_path, capsys):
    root = tmp_path / "project"
    root.mkdir()
    project = Project(root)
    args = ["import", "herault", str(FIXTURE), "--data", str(project.data)]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert "4 fiches ajoutées, 0 modifiée, 0 inchangée" in captured.out
    assert "publics « Stagiaire en formation » : 1 ligne (3)" in captured.out
    assert "1 hors du département" in captured.out
    assert f"{FIXTURE}:5: commune manquant(s)" in captured.err
    catalogue, report = project.load()
    assert catalogue is not None, report.text()
    first = project.path("sites").read_bytes()
    assert cli.main(args) == 0
    assert "0 fiche ajoutée, 0 modifiée, 4 inchangées" in capsys.readouterr().out
    assert project.path("sites").read_bytes() == first
