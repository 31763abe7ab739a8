"""Import of the national lieux de médiation numérique CSV: rows, problems, broken files, CLI."""

from __future__ import annotations

import contextlib
import csv
import json
import random
from pathlib import Path

import pytest

from conftest import ROOT, Project
from mednum import importers
from mednum.importers import ImportFileError, cli, national
from mednum.reference import load_reference

STANDARDS = ROOT / "tests" / "fixtures" / "standards"
OFFICIAL = json.loads((STANDARDS / "lieux-mediation-numerique-schema.json").read_text(encoding="utf-8"))
HEADER = [f["name"] for f in OFFICIAL["fields"]]
REQUIRED = [f["name"] for f in OFFICIAL["fields"] if f.get("constraints", {}).get("required")]


@pytest.fixture(scope="module")
def reference():
    return load_reference(ROOT / "data" / "reference")


def row(**values: str) -> dict[str, str]:
    base = {name: "" for name in HEADER}
    base.update(
        id="Lieu-Test-1",
        pivot="00000000000000",
        nom="Lieu de test",
        commune="MONTPELLIER",
        code_postal="34000",
        code_insee="34172",
        adresse="1 rue de l'Essai",
        latitude="43.6110",
        longitude="3.8770",
        telephone="04 65 71 00 01",
        courriels="a@example.org|b@example.org",
        services="Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
        modalites_accompagnement="Accompagnement individuel|À\u00a0distance",
        date_maj="2026-10-01",
    )
    base.update(values)
    return base


def write_csv(tmp_path: Path, rows: list[dict[str, str]], header=HEADER, name="lieux.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_official_example_is_outside_herault(reference):
    result = national.read(STANDARDS / "lieux-mediation-numerique-exemple-valide.csv", reference)
    assert result.records == [] and result.problems == [] and result.outside == 1


def test_full_row(tmp_path, reference):
    result = national.read(write_csv(tmp_path, [row()]), reference)
    assert result.problems == []
    assert result.records == [
        {
            "id": "lieu-test-1",
            "nom": "Lieu de test",
            "adresse": "1 rue de l'Essai",
            "code_postal": "34000",
            "commune": "Montpellier",
            "code_insee": "34172",
            "latitude": 43.611,
            "longitude": 3.877,
            "telephone": "+33465710001",
            "courriels": ["a@example.org", "b@example.org"],
            "source": national.DEFAULT_SOURCE,
            "date_maj": "2026-10-01",
            "services": ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"],
            "modalites_accompagnement": ["Accompagnement individuel", "À distance"],
        }
    ]


def test_missing_insee_code_is_derived_from_name_and_postal_code(tmp_path, reference):
    rows = [
        row(
            id="a", code_insee="", commune="St Jean de Vedas", code_postal="34430", latitude="", longitude=""
        ),
        row(id="b", code_insee="", commune="Montpellier", code_postal="34700", latitude="", longitude=""),
        row(id="c", code_insee="", commune="Nîmes", code_postal="30000"),
    ]
    result = national.read(write_csv(tmp_path, rows), reference)
    assert [(r["id"], r["code_insee"], r["commune"]) for r in result.records] == [
        ("a", "34270", "Saint-Jean-de-Védas")
    ]
    assert [p.line for p in result.problems] == [3]
    assert "code INSEE manquant et impossible à retrouver" in result.problems[0].message_fr
    assert result.outside == 1


def test_broken_rows_are_reported_and_the_rest_imported(tmp_path, reference):
    rows = [
        row(id="ok"),
        row(id="sans-nom", nom=""),
        row(id="mauvaise-date", date_maj="hier"),
        row(id="sans-service", services="Cuisine"),
        row(id="cp", code_postal="34700"),
        row(id="partiel", telephone="n/c", horaires="tous les jours", pivot="12", typologie="BIB|XYZ"),
        row(id="ok"),
    ]
    path = write_csv(tmp_path, rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("tronque,1,Nom\n")
    result = national.read(path, reference)
    assert [r["id"] for r in result.records] == ["ok", "partiel"]
    lines = sorted({p.line for p in result.problems})
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    text = "\n".join(f"{p.line}: {p.message_fr}" for p in result.problems)
    assert "3: nom manquant(s)" in text
    assert "4: date_maj « hier » invalide" in text
    assert "5: services : valeur « Cuisine » inconnue" in text and "5: aucun service connu" in text
    assert "6: le code postal « 34700 » n'est pas celui de Montpellier" in text
    assert "7: téléphone « n/c » illisible" in text and "7: pivot « 12 » invalide" in text
    assert "7: typologie : valeur « XYZ » inconnue" in text
    assert "8: identifiant « ok » déjà utilisé ligne 2" in text
    assert "9: 3 champs au lieu de 32" in text
    partiel = result.records[1]
    assert partiel["typologie"] == ["BIB"] and "telephone" not in partiel and "horaires" not in partiel


def test_records_are_written_in_the_order_of_the_schema(tmp_path, reference):
    order = list(
        json.loads((ROOT / "schemas" / "sites.schema.json").read_text("utf-8"))["$defs"]["lieu"]["properties"]
    )
    record = national.read(
        write_csv(tmp_path, [row(typologie="BIB", horaires="Mo 09:00-12:00")]), reference
    ).records[0]
    assert list(record) == [name for name in order if name in record]


def test_closed_lists_are_read_from_the_schema_file(tmp_path, monkeypatch):
    """A value or a list added to a copy of sites.schema.json is a value the importers know."""
    schema = json.loads((ROOT / "schemas" / "sites.schema.json").read_text(encoding="utf-8"))
    props = schema["$defs"]["lieu"]["properties"]
    props["typologie"]["items"]["enum"].append("NOUVEAU")
    props["x_niveau"] = {"type": "array", "items": {"type": "string", "enum": ["Débutant", "Confirmé"]}}
    copy = tmp_path / "sites.schema.json"
    copy.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(importers, "SCHEMAS_DIR", tmp_path)
    enums = importers.site_enums()
    assert enums["typologie"][-2:] == ("Autre", "NOUVEAU")
    assert enums["x_niveau"] == ("Débutant", "Confirmé")
    assert next(iter(enums)) == "typologie" and "courriels" not in enums


def test_every_column_of_the_standard_is_a_field_of_our_records():
    """Else the export would write an always empty column, and the importer drop it."""
    ours = json.loads((ROOT / "schemas" / "sites.schema.json").read_text(encoding="utf-8"))
    fields = list(ours["$defs"]["lieu"]["properties"])
    assert set(HEADER) <= set(fields)
    assert sorted(set(fields) - set(HEADER)) == [n for n in sorted(fields) if n.startswith("x_")]


@pytest.mark.parametrize("column", REQUIRED)
def test_a_file_without_a_required_column_of_the_official_schema_is_refused(tmp_path, reference, column):
    header = [name for name in HEADER if name != column]
    with pytest.raises(ImportFileError, match=f"colonnes manquantes : {column} "):
        national.read(write_csv(tmp_path, [row()], header=header), reference)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"\xff\xfe\x00\x01binaire", "UTF-8"),
        (b"id\x00,nom\n", "binaire"),
        (
            b"id;nom;commune;code_postal;adresse;date_maj\na;b;c;34000;d;2026-01-01\n",
            "colonnes manquantes",
        ),
        (b"id,nom,commune\na,b,c\n", "colonnes manquantes : pivot, code_postal, adresse, date_maj"),
        (b'id,nom\n"a,b\n', "colonnes manquantes"),
    ],
)
def test_malformed_files_raise_a_french_error(tmp_path, reference, content, message):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        national.read(path, reference)


def test_random_bytes_never_crash(tmp_path, reference):
    generator = random.Random(34)
    good = write_csv(tmp_path, [row(), row(id="b")], name="good.csv").read_bytes()
    for i in range(60):
        data = bytearray(good)
        for _ in range(generator.randint(1, 20)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        path = tmp_path / f"fuzz-{i}.csv"
        path.write_bytes(bytes(data[: generator.randrange(len(data) + 1)]))
        with contextlib.suppress(ImportFileError):
            national.read(path, reference)


# --- command line: merge, validation, restore --------------------------------------------


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    return Project(root)


def test_cli_merges_keeps_local_fields_and_comments(tmp_path, project, capsys):
    text = project.path("sites").read_text(encoding="utf-8")
    project.path("sites").write_text(
        text.replace("- id: lieu-test-sete", "# Commentaire gardé\n- id: lieu-test-sete")
    )
    rows = [
        row(
            id="lieu-test-lodeve",
            nom="Lieu de test de Lodève",
            commune="Lodève",
            code_postal="34700",
            code_insee="34142",
            adresse="1 rue du Test",
            latitude="43.7317",
            longitude="3.3194",
            telephone="+33465710009",
            courriels="",
            modalites_accompagnement="",
            source="Tests",
            typologie="BIB",
            horaires="Mo-Fr 09:00-12:00,14:00-17:00; PH off",
            services="Aide aux démarches administratives",
            publics_specifiquement_adresses="Seniors",
            date_maj="2026-10-01",
        ),
        row(id="nouveau-lieu"),
    ]
    code = cli.main(
        ["import", "lieux-mediation-numerique", str(write_csv(tmp_path, rows)), "--data", str(project.data)]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    # lieu-test-lodeve was written by hand (its source is not an import): the row is the same
    # place, so it becomes that record, whose hand-written phone is kept and reported.
    assert "1 fiche ajoutée, 0 modifiée" in out
    assert "« lieu-test-lodeve », champ « telephone » : valeur écrite à la main gardée" in out
    new = project.path("sites").read_text(encoding="utf-8")
    assert "+33465710009" not in new and "+33465710001" in new
    assert "# Commentaire gardé\n- id: lieu-test-sete" in new
    assert new.count("x_exemple: true") == 2 and "entree_plain_pied: true" in new
    catalogue, report = project.load()
    assert catalogue is not None, report.text()


def test_cli_invalid_result_exits_1_and_leaves_the_file_alone(tmp_path, project, capsys):
    before = project.path("sites").read_bytes()
    rows = [row(id="avec-html", presentation_detail="<script>alert(1)</script>")]
    code = cli.main(
        ["lieux-mediation-numerique", str(write_csv(tmp_path, rows)), "--data", str(project.data)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "data/sites.yaml:" in err and "n'a pas été modifié" in err
    assert project.path("sites").read_bytes() == before
    assert sorted(p.name for p in project.root.iterdir()) == ["data", "schemas"]  # no temporary copy left


def test_cli_unreadable_file_exits_2(tmp_path, project, capsys):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    assert cli.main(["lieux-mediation-numerique", str(path), "--data", str(project.data)]) == 2
    assert "Erreur :" in capsys.readouterr().err
