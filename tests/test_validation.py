"""Each validation rule with one failing example: exact French message and location."""

from __future__ import annotations

import pytest

from conftest import SITES, TRAININGS, WORKSHOPS


def errors(project) -> list[str]:
    catalogue, report = project.load()
    assert (catalogue is None) == bool(report.errors)
    return [str(p) for p in report.errors]


def warnings(project) -> list[str]:
    return [str(p) for p in project.load()[1].warnings]


def test_base_fixture_is_valid(project):
    catalogue, report = project.load()
    assert report.errors == []
    assert [s.id for s in catalogue.sites] == ["lieu-test-lodeve", "lieu-test-sete"]
    assert catalogue.workshops[0].site is catalogue.sites[0]
    assert len(catalogue.trainings) == 1


# (data file, text to replace, replacement, expected error line)
SITE_CASES = [
    (
        "telephone",
        'telephone: "+33465710001"',
        "telephone: 04 65 71 00 01",
        "data/sites.yaml:12:14: lieu « lieu-test-lodeve », champ « telephone » : « 04 65 71 00 01 » :"
        " téléphone au format international attendu, sans espace (ex. +33467000000) ; écrivez « +33465710001 »",
    ),
    (
        "enum near miss",
        "    - Seniors",
        "    - Senior",
        "data/sites.yaml:17:7: lieu « lieu-test-lodeve », champ « publics_specifiquement_adresses[1] » :"
        " valeur « Senior » inconnue : vouliez-vous dire « Seniors » ?",
    ),
    (
        "unknown field",
        'telephone: "+33465710001"',
        'telphone: "+33465710001"',
        "data/sites.yaml:12:3: lieu « lieu-test-lodeve », champ « telphone » :"
        " champ inconnu : vouliez-vous dire « telephone » ?",
    ),
    (
        "missing required field",
        '  source: Tests\n  date_maj: "2026-10-01"',
        '  date_maj: "2026-10-01"',
        "data/sites.yaml:2:3: lieu « lieu-test-lodeve », champ « source » : champ obligatoire manquant",
    ),
    (
        "boolean written oui",
        "entree_plain_pied: true",
        "entree_plain_pied: oui",
        "data/sites.yaml:21:24: lieu « lieu-test-lodeve », champ « x_accessibilite.entree_plain_pied » :"
        " écrivez true ou false (« oui » n'est pas reconnu)",
    ),
    (
        "list expected",
        "  services:\n    - Aide aux démarches administratives\n  publics",
        "  services: Aide aux démarches administratives\n  publics",
        "data/sites.yaml:14:13: lieu « lieu-test-lodeve », champ « services » :"
        " une liste est attendue : écrivez chaque valeur sur sa ligne, après « - »",
    ),
    (
        "number with a comma",
        "latitude: 43.7317",
        "latitude: 43,7317",
        "data/sites.yaml:8:13: lieu « lieu-test-lodeve », champ « latitude » :"
        " un nombre attendu (avec un point décimal, sans guillemets), pas « 43,7317 » : écrivez 43.7317",
    ),
    (
        "id not url-safe",
        "- id: lieu-test-lodeve",
        "- id: Lieu Test Lodève",
        "data/sites.yaml:2:7: lieu « Lieu Test Lodève », champ « id » : « Lieu Test Lodève » :"
        " identifiant invalide : lettres minuscules sans accent, chiffres et tirets seulement"
        " (ex. « mediatheque-lodeve »)",
    ),
    (
        "duplicate id",
        "- id: lieu-test-sete",
        "- id: lieu-test-lodeve",
        "data/sites.yaml:24:7: lieu « lieu-test-lodeve », champ « id » : identifiant déjà utilisé à la ligne 2",
    ),
    (
        "postal code of another commune",
        'code_postal: "34700"',
        'code_postal: "34200"',
        "data/sites.yaml:5:16: lieu « lieu-test-lodeve », champ « code_postal » :"
        " le code postal 34200 n'est pas celui de Lodève (34700)",
    ),
    (
        "commune name differs from INSEE code",
        "commune: Lodève",
        "commune: Lodeve",
        "data/sites.yaml:6:12: lieu « lieu-test-lodeve », champ « commune » :"
        " la commune du code INSEE 34142 s'écrit « Lodève », pas « Lodeve »",
    ),
    (
        "INSEE code outside Hérault",
        'code_insee: "34142"',
        'code_insee: "30189"',
        "data/sites.yaml:7:15: lieu « lieu-test-lodeve », champ « code_insee » :"
        " le code INSEE 30189 n'est pas dans l'Hérault (34xxx) ; le code de Lodève est 34142",
    ),
    (
        "coordinates swapped",
        "latitude: 43.7317\n  longitude: 3.3194",
        "latitude: 3.3194\n  longitude: 43.7317",
        "data/sites.yaml:8:13: lieu « lieu-test-lodeve », champ « latitude » :"
        " coordonnées hors de l'Hérault : latitude et longitude inversées ? (3.3194, 43.7317)",
    ),
    (
        "coordinates far from the commune",
        "latitude: 43.7317\n  longitude: 3.3194",
        "latitude: 43.6109\n  longitude: 3.8772",
        "data/sites.yaml:8:13: lieu « lieu-test-lodeve », champ « latitude » :"
        " coordonnées à 48\u00a0km du centre de Lodève : vérifiez les coordonnées ou la commune",
    ),
    (
        "latitude without longitude",
        "  longitude: 3.3194\n",
        "",
        "data/sites.yaml:8:13: lieu « lieu-test-lodeve », champ « latitude » :"
        " latitude sans longitude : indiquez les deux ou aucune",
    ),
    (
        "opening hours in French",
        "horaires: Mo-Fr 09:00-12:00,14:00-17:00; PH off",
        "horaires: Lu-Ve 9h-12h",
        "data/sites.yaml:13:13: lieu « lieu-test-lodeve », champ « horaires » : horaires illisibles :",
    ),
    (
        "date that does not exist",
        'date_maj: "2026-10-01"',
        'date_maj: "2026-02-30"',
        "data/sites.yaml:19:13: lieu « lieu-test-lodeve », champ « date_maj » :"
        " « 2026-02-30 » n'est pas une date qui existe",
    ),
    (
        "date in the future",
        'date_maj: "2026-10-01"',
        'date_maj: "2027-01-15"',
        "data/sites.yaml:19:13: lieu « lieu-test-lodeve », champ « date_maj » :"
        " date dans le futur (15 janvier 2027) : indiquez le jour de la vérification",
    ),
    (
        "javascript link",
        'telephone: "+33465710001"',
        'telephone: "+33465710001"\n  site_web:\n    - "javascript:alert(1)"',
        "data/sites.yaml:14:7: lieu « lieu-test-lodeve », champ « site_web[1] » : « javascript:alert(1) » :"
        " adresse web invalide : elle doit commencer par https:// ou http://",
    ),
    (
        "raw HTML in Markdown",
        '  source: Tests\n  date_maj: "2026-10-01"',
        '  presentation_detail: "Bienvenue <script>alert(1)</script>"\n  source: Tests\n  date_maj: "2026-10-01"',
        "data/sites.yaml:18:24: lieu « lieu-test-lodeve », champ « presentation_detail » :"
        " le HTML n'est pas accepté (<script>) : écrivez en Markdown simple",
    ),
    (
        "summary too long",
        '  source: Tests\n  date_maj: "2026-10-01"',
        "  presentation_resume: " + "a" * 281 + '\n  source: Tests\n  date_maj: "2026-10-01"',
        "data/sites.yaml:18:24: lieu « lieu-test-lodeve », champ « presentation_resume » :"
        " texte trop long : 281 caractères pour 280 au plus",
    ),
    (
        "stops on a fixed place",
        "  x_exemple: true\n\n- id: lieu-test-sete",
        '  x_exemple: true\n  x_arrets:\n    - commune: Lodève\n      code_insee: "34142"\n'
        "      adresse: Place du marché\n      horaires: We 09:00-12:00\n\n- id: lieu-test-sete",
        "data/sites.yaml:24:5: lieu « lieu-test-lodeve », champ « x_arrets » :"
        " un lieu avec des arrêts (x_arrets) doit avoir itinerance : Itinérant",
    ),
    (
        "duplicate key",
        '  source: Tests\n  date_maj: "2026-10-01"',
        '  source: Tests\n  source: Autre\n  date_maj: "2026-10-01"',
        "data/sites.yaml:19:3: le champ « source » est écrit deux fois (déjà à la ligne 18) : gardez-en un seul",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), SITE_CASES, ids=[c[0] for c in SITE_CASES])
def test_site_rule(project, name, old, new, expected):
    assert SITES.count(old) >= 1, name
    project.write(sites=SITES.replace(old, new, 1))
    found = errors(project)
    assert any(line.startswith(expected) for line in found), "\n".join(found)
    if not expected.endswith(":"):
        assert expected in found


WORKSHOP_CASES = [
    (
        "unknown place with suggestion",
        "lieu: lieu-test-lodeve",
        "lieu: lieu-test-lodev",
        "data/workshops.yaml:5:9: atelier « atelier-test », champ « lieu » :"
        " aucun lieu « lieu-test-lodev » dans data/sites.yaml : vouliez-vous dire « lieu-test-lodeve » ?",
    ),
    (
        "session ends before it starts",
        'fin: "16:00"',
        'fin: "13:00"',
        "data/workshops.yaml:14:12: atelier « atelier-test », champ « seances[1].fin » :"
        " la séance finit (13:00) avant de commencer (14:00)",
    ),
    (
        "time read as text, never as minutes",
        'debut: "14:00"',
        "debut: 14h",
        "data/workshops.yaml:13:14: atelier « atelier-test », champ « seances[1].debut » : « 14h » :"
        " heure attendue au format HH:MM (ex. 09:30)",
    ),
    (
        "both a place and an address",
        "  lieu: lieu-test-lodeve\n",
        "  lieu: lieu-test-lodeve\n  adresse:\n    nom: Salle\n    adresse: 1 rue\n"
        '    code_postal: "34700"\n    commune: Lodève\n    code_insee: "34142"\n',
        "data/workshops.yaml:2:3: atelier « atelier-test » : indiquez « lieu » ou « adresse », pas les deux",
    ),
    (
        "neither sessions nor recurrence",
        '  seances:\n    - date: "2026-12-03"\n      debut: "14:00"\n      fin: "16:00"\n',
        "",
        "data/workshops.yaml:2:3: atelier « atelier-test » : indiquez « seances » ou « recurrence »",
    ),
    (
        "paid without amount",
        "    frais: Gratuit",
        "    frais: Payant",
        "data/workshops.yaml:19:12: atelier « atelier-test », champ « tarif.frais » :"
        " indiquez le « montant » en euros d'une activité payante",
    ),
    (
        "telephone registration without number",
        "      - sans-inscription",
        "      - telephone",
        "data/workshops.yaml:17:7: atelier « atelier-test », champ « inscription.modes » :"
        " mode « telephone » : indiquez aussi « telephone »",
    ),
    (
        "example workshop at a real place",
        "  exemple: true",
        "  exemple: false",
        "data/workshops.yaml:5:9: atelier « atelier-test », champ « lieu » :"
        " un atelier réel ne peut pas avoir lieu dans un lieu d'exemple",
    ),
    (
        "unknown kind",
        "type: atelier-collectif",
        "type: atelier collectif",
        "data/workshops.yaml:4:9: atelier « atelier-test », champ « type » :"
        " valeur « atelier collectif » inconnue : vouliez-vous dire « atelier-collectif » ?",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"), WORKSHOP_CASES, ids=[c[0] for c in WORKSHOP_CASES]
)
def test_workshop_rule(project, name, old, new, expected):
    assert WORKSHOPS.count(old) >= 1, name
    project.write(workshops=WORKSHOPS.replace(old, new, 1))
    found = errors(project)
    assert expected in found, "\n".join(found)


def test_training_session_order(project):
    text = TRAININGS.replace(
        "  tarif:",
        '  sessions:\n    - debut: "2027-02-10"\n      fin: "2027-02-09"\n      lieu: Salle, Lodève\n'
        '      code_insee: "34142"\n  tarif:',
    )
    project.write(trainings=text)
    assert (
        "data/trainings.yaml:13:12: formation « formation-test », champ « sessions[1].fin » :"
        " la session finit avant de commencer"
    ) in errors(project)


def test_all_errors_of_all_files_reported_at_once(project):
    project.write(
        sites=SITES.replace('"+33465710001"', "0465710001").replace("Seniors", "Senior"),
        workshops=WORKSHOPS.replace("debutant", "débutant"),
        trainings=TRAININGS.replace("presentiel", "présentiel"),
    )
    found = errors(project)
    assert [line.split(":")[0] for line in found] == [
        "data/sites.yaml",
        "data/sites.yaml",
        "data/trainings.yaml",
        "data/workshops.yaml",
    ]


def test_warnings_do_not_fail(project):
    stale = SITES.replace('date_maj: "2026-10-01"', 'date_maj: "2025-06-15"').replace(
        "  x_accessibilite:\n    entree_plain_pied: false\n", ""
    )
    project.write(sites=stale)
    catalogue, report = project.load()
    assert catalogue is not None
    assert [str(w) for w in report.warnings] == [
        "data/sites.yaml:19:13: lieu « lieu-test-lodeve », champ « date_maj » :"
        " fiche non vérifiée depuis le 15 juin 2025 (12 mois ou plus)",
        "data/sites.yaml:24:3: lieu « lieu-test-sete » : accessibilité du lieu non renseignée (x_accessibilite)",
    ]


@pytest.mark.parametrize(("date_maj", "stale"), [("2025-11-23", True), ("2025-11-24", False)])
def test_twelve_months_or_more_is_stale(project, date_maj, stale):
    project.write(sites=SITES.replace('date_maj: "2026-10-01"', f'date_maj: "{date_maj}"'))
    catalogue, report = project.load()
    assert catalogue.site_by_id["lieu-test-lodeve"].stale is stale
    assert any("fiche non vérifiée depuis" in str(w) for w in report.warnings) is stale


def test_records_come_out_as_written_once_checked(project):
    """What the schema wants as text is the written text (an unquoted postcode, a telephone);
    texts, numbers, true/false and lists stay as they are; empty fields are dropped."""
    text = SITES.replace('code_postal: "34700"', "code_postal: 34700", 1).replace(
        'telephone: "+33465710001"', "telephone: +33465710001\n  complement_adresse:", 1
    )
    project.write(sites=text)
    catalogue, report = project.load()
    assert report.errors == [], report.text()
    record = catalogue.sites[0].record
    assert record["code_postal"] == "34700" and record["telephone"] == "+33465710001"
    assert "complement_adresse" not in record
    assert record["latitude"] == 43.7317 and record["x_exemple"] is True
    assert record["services"] == ["Aide aux démarches administratives"]
    assert record["x_accessibilite"] == {"entree_plain_pied": True}
