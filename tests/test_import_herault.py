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
        "agence-caf-de-test-sete",
        "agence-france-travail-de-test-lunel",
        "agence-msa-de-test-pezenas",
        "espace-numerique-de-test-montpellier",
        "france-services-de-test-bedarieux",
        "mediatheque-de-test-lattes",
        "point-d-accueil-numerique-de-test-lodeve",
        "point-numerique-de-test-beziers",
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
    # « Stagiaire en formation » is refused as a public, and kept in the source's words.
    assert lodeve["presentation_detail"] == (
        "Démarches avec : CAF, DGFIP.\n\n"
        "Publics indiqués par le Département de l'Hérault : stagiaires en formation."
    )
    fs = by_id["france-services-de-test-bedarieux"]
    # administration « CAF, CPAM, France Travail, MSA » says whose procedures, not what it is.
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
        f"accueil_pmr « 1 » : 3 lignes (2, 4, 11) — {herault.PMR_REFUSED}",
        "cond_acces « Adhésion » : 1 ligne (7)",
        "lib_long_type « Maison de quartier » : 1 ligne (7)",
        f"publics « Personne en situation de handicap » : 2 lignes (7, 11) — {herault._NOT_ADAPTED}",
        f"publics « Stagiaire en formation » : 2 lignes (3, 12) — {herault._NOT_STUDENTS}",
        "usages « Jouer en réseau » : 1 ligne (12)",
    ]


def _by_id(result):
    return {r["id"]: r for r in result.records}


def test_typologie_comes_from_lib_long_type_not_from_administration(result):
    by_id = _by_id(result)
    # « Caisse d’Allocations Familiales » (typographic apostrophe), « Pôle Emploi ».
    assert by_id["agence-caf-de-test-sete"]["typologie"] == ["CAF"]
    assert by_id["agence-france-travail-de-test-lunel"]["typologie"] == ["FT"]
    # No MSA code in our schema (mednum-cli writes one): no typologie, the kind says it for matching.
    msa = by_id["agence-msa-de-test-pezenas"]
    assert "typologie" not in msa and msa["services"] == ["Aide aux démarches administratives"]
    kinds = {c.key: c.kind for c in result.candidates}
    assert kinds["S013"] == "msa" and kinds["S011"] is None and kinds["S010"] is None
    # administration « CAF, France Travail, La Poste, Services des impôts DGFIP »: the bodies whose
    # procedures are handled, not the kind of place (mednum-cli would write CAF, FT, LA_POSTE, CFP).
    point = by_id["point-numerique-de-test-beziers"]
    assert "typologie" not in point  # a point d'accueil numérique is not an EPN either
    assert "Démarches avec : CAF, France Travail, La Poste, DGFIP." in point["presentation_detail"]
    assert all(set(r.get("typologie", [])) <= set(herault.ENUMS["typologie"]) for r in result.records)


def test_services_come_from_demarches_usages_and_infos(result):
    by_id = _by_id(result)
    # « Faire une demande… », « Faire valoir un droit », « Imprimer ou scanner… » (two services),
    # « Accéder à  l'information en ligne » (double space).
    assert by_id["agence-caf-de-test-sete"]["services"] == [
        "Aide aux démarches administratives",
        "Maîtrise des outils numériques du quotidien",
        "Accès internet et matériel informatique",
    ]
    # « Usages professionnels (contacts chambres consulaires, gestion activité, …) » is one value;
    # « Préparer et passer une certification »; « Services internet ouverts au public »;
    # « Accompagnement à la création numérique » in infos_complementaires.
    assert by_id["point-numerique-de-test-beziers"]["services"] == [
        "Aide aux démarches administratives",
        "Insertion professionnelle via le numérique",
        "Loisirs et créations numériques",
        "Accès internet et matériel informatique",
    ]
    assert not any("gestion activité" in value for _, value in result.unmapped)
    assert by_id["agence-france-travail-de-test-lunel"]["services"] == [
        "Aide aux démarches administratives",
        "Accès internet et matériel informatique",
    ]
    assert result.unmapped[("usages", "Jouer en réseau")] == [12]


def test_training_access_mode_is_individual_support(result):
    # « Espace avec un accompagnement à  la formation à<NBSP>l'informatique ».
    sete = _by_id(result)["agence-caf-de-test-sete"]
    assert sete["modalites_accompagnement"] == ["Accompagnement individuel"]
    assert not any(column == "mod_acces" for column, _ in result.unmapped)


def test_disability_and_trainees_are_refused_with_their_reason(result):
    by_id = _by_id(result)
    assert not any("prise_en_charge_specifique" in r for r in result.records)
    assert not any("Étudiants" in r.get("publics_specifiquement_adresses", []) for r in result.records)
    assert result.reasons == {
        ("publics", "Personne en situation de handicap"): herault._NOT_ADAPTED,
        ("publics", "Stagiaire en formation"): herault._NOT_STUDENTS,
        ("accueil_pmr", "1"): herault.PMR_REFUSED,
    }
    report = "\n".join(result.unmapped_lines())
    assert "n'est pas un étudiant" in report
    assert "ne veut pas dire proposer un accompagnement adapté (surdité, déficience visuelle" in report
    assert "mobilité réduite n'est pas un accompagnement adapté (« Handicaps moteurs »" in report
    # Nothing is lost: the source's words are in the description people read.
    assert by_id["agence-caf-de-test-sete"]["presentation_detail"] == (
        "Démarches avec : CAF.\n\n"
        "Publics indiqués par le Département de l'Hérault : personnes en situation de handicap.\n\n"
        "Lieu accessible aux personnes à mobilité réduite, selon le Département de l'Hérault."
    )
    beziers = by_id["point-numerique-de-test-beziers"]
    assert beziers["publics_specifiquement_adresses"] == ["Jeunes"]
    assert (
        "Publics indiqués par le Département de l'Hérault : stagiaires en formation."
        in (beziers["presentation_detail"])
    )
    assert "mobilité réduite" not in beziers["presentation_detail"]  # accueil_pmr 0


def test_networks_go_to_programmes_labels_or_other_labels(result):
    beziers = _by_id(result)["point-numerique-de-test-beziers"]
    assert beziers["dispositif_programmes_nationaux"] == ["Conseillers numériques"]
    assert beziers["formations_labels"] == ["Étapes numériques (La Poste)"]
    assert beziers["autres_formations_labels"] == ["Réseau de test des espaces numériques"]
    assert not any(column == "reseau" for column, _ in result.unmapped)


def test_appointment_means_phoning_only_with_a_phone(result):
    by_id = _by_id(result)
    assert "modalites_acces" not in by_id["agence-caf-de-test-sete"]  # Sur Rendez-Vous, no phone
    assert by_id["agence-msa-de-test-pezenas"]["modalites_acces"] == ["Téléphoner"]


@pytest.mark.parametrize(
    "value",
    [
        "Accéder à l'information en ligne",
        "Accéder à  l'information en ligne",
        "Accéder à\u00a0l'information en ligne",
        "Accéder à\u00a0 l'information en ligne",
        "ACCÉDER À L\u2019INFORMATION EN LIGNE",
    ],
)
def test_stray_spaces_in_usages_do_not_matter(value):
    assert herault.lookup(herault._USAGES, value) == ["Maîtrise des outils numériques du quotidien"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("A, B", ["A", "B"]),
        ("A (b, c), D; E|F\nG", ["A (b, c)", "D", "E", "F", "G"]),
        ("Étapes numériques (La Poste), Autre", ["Étapes numériques (La Poste)", "Autre"]),
        (" , ;", []),
    ],
)
def test_cells_are_split_outside_parentheses(cell, expected):
    assert herault.values(cell) == expected


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
    assert "8 fiches ajoutées, 0 modifiée, 0 inchangée" in captured.out
    assert "publics « Stagiaire en formation » : 2 lignes (3, 12) — refusé : un stagiaire" in captured.out
    assert "1 hors du département" in captured.out
    assert f"{FIXTURE}:5: commune manquant(s)" in captured.err
    catalogue, report = project.load()
    assert catalogue is not None, report.text()
    first = project.path("sites").read_bytes()
    assert cli.main(args) == 0
    assert "0 fiche ajoutée, 0 modifiée, 8 inchangées" in capsys.readouterr().out
    assert project.path("sites").read_bytes() == first
