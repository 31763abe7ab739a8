"""France Services importer: hours, phones, ids and broken files (no traceback)."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import pytest

from mednum import importers
from mednum.importers import ImportFileError, cli, france_services
from mednum.importers.france_services import HoursError, day_ranges, opening_hours

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "id_fs",
    "insee_dep",
    "lib_fs",
    "adresse",
    "complement_adresse",
    "insee_com",
    "code_postal",
    "lib_com",
    "latitude",
    "longitude",
    "mail",
    "telephone",
    "h_lundi",
    "h_mardi",
    "h_mercredi",
    "h_jeudi",
    "h_vendredi",
    "h_samedi",
    "commentaire",
    "itinerance",
    "format_fs",
    "groupe",
    "labellisation",
]
WEEK = "09:00 - 12:00 / 13:30 - 17:00"
_ROW_IDS = itertools.count(1)


def row(**values: str) -> dict[str, str]:
    base = {
        "id_fs": str(next(_ROW_IDS)),  # the row's key in the list: one per row
        "insee_dep": "34",
        "lib_fs": "France services Castries",
        "adresse": "50 Avenue de la Gare",
        "complement_adresse": "",
        "insee_com": "34058",
        "code_postal": "34160",
        "lib_com": "Castries",
        "latitude": "43.6743291234",
        "longitude": "3.987889",
        "mail": "accueil@castries.example.org",
        "telephone": "04 67 16 24 42",
        "h_lundi": WEEK,
        "h_mardi": WEEK,
        "h_mercredi": WEEK,
        "h_jeudi": WEEK,
        "h_vendredi": WEEK,
        "h_samedi": "",
        "commentaire": "",
        "itinerance": "Non",
        "format_fs": "Site principal",
        "groupe": "",
        "labellisation": "Espace labellisé 01/09/2020",
    }
    base.update(values)
    return base


def write_csv(tmp_path: Path, rows: list[dict[str, str]], header=HEADER) -> Path:
    path = tmp_path / "liste-fs-20221201.csv"  # the list's date is in its name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def hours(**days: str) -> str | None:
    return opening_hours({d: days.get(d, "") for d in ("Mo", "Tu", "We", "Th", "Fr", "Sa")})


# --- opening hours -------------------------------------------------------------


def test_same_hours_monday_to_friday_are_grouped():
    five = {d: WEEK for d in ("Mo", "Tu", "We", "Th", "Fr")}
    assert hours(**five) == "Mo-Fr 09:00-12:00,13:30-17:00; PH off"


def test_mixed_days_and_saturday():
    result = hours(
        Mo="09:00 - 12:00 / 14:00 - 18:00",
        Tu="09:00 - 12:00 / 14:00 - 18:00",
        We="09:00 - 12:00",
        Th="09:00 - 12:00 / 14:00 - 18:00",
        Fr="09:00 - 12:00 / 14:00 - 17:00",
        Sa="09:00 - 12:00",
    )
    assert result == (
        "Mo-Tu 09:00-12:00,14:00-18:00; We 09:00-12:00; Th 09:00-12:00,14:00-18:00; "
        "Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off"
    )


def test_closed_days_break_groups_and_dash_means_closed():
    result = hours(Mo="09:00 - 13:00", Tu="09:00 - 13:00", We="", Th="09:00 - 13:00", Sa="-")
    assert result == "Mo-Tu 09:00-13:00; Th 09:00-13:00; PH off"


def test_compact_variant_without_spaces():
    cell = "09:00-12:45/13:30-19:00"
    assert day_ranges(cell) == [(540, 765), (810, 1140)]
    assert hours(Mo=cell, Tu=cell) == "Mo-Tu 09:00-12:45,13:30-19:00; PH off"


def test_all_closed_gives_no_hours():
    assert hours() is None


@pytest.mark.parametrize(
    "cell",
    ["9 heures", "00:00 - 00:00 / 09:00 - 12:00", "14:00 - 12:00", "09:00 - 12:00 / 11:00 - 13:00"],
)
def test_unreadable_cells_raise_a_french_error(cell):
    with pytest.raises(HoursError, match="horaire"):
        day_ranges(cell)


def test_output_is_valid_opening_hours():
    oh = pytest.importorskip("opening_hours")
    oh.OpeningHours(hours(Mo=WEEK, Tu=WEEK, Sa="09:00 - 12:00"))


# --- rows ----------------------------------------------------------------------


def test_full_record(tmp_path):
    result = france_services.read(write_csv(tmp_path, [row(complement_adresse="Espace Gare")]))
    assert result.problems == []
    assert result.records == [
        {
            "id": "france-services-castries",
            "nom": "France services Castries",
            "adresse": "50 Avenue de la Gare",
            "complement_adresse": "Espace Gare",
            "code_postal": "34160",
            "commune": "Castries",
            "code_insee": "34058",
            "latitude": 43.674329,
            "longitude": 3.987889,
            "typologie": ["RFS"],
            "telephone": "+33467162442",
            "courriels": ["accueil@castries.example.org"],
            "horaires": "Mo-Fr 09:00-12:00,13:30-17:00; PH off",
            "source": "ANCT, liste nationale des France Services (2022-12-01)",
            "itinerance": ["Fixe"],
            "date_maj": "2022-12-01",
            "services": ["Aide aux démarches administratives"],
            "frais_a_charge": ["Gratuit"],
            "dispositif_programmes_nationaux": ["France Services"],
            "modalites_acces": ["Se présenter", "Téléphoner", "Contacter par mail"],
            "modalites_accompagnement": ["Accompagnement individuel"],
        }
    ]
    assert list(result.records[0]) == [f for f in schema_order(SITES_SCHEMA) if f in result.records[0]]


SITES_SCHEMA = ROOT / "schemas" / "sites.schema.json"


def schema_order(path: Path) -> list[str]:
    return list(json.loads(path.read_text(encoding="utf-8"))["$defs"]["lieu"]["properties"])


def test_records_follow_the_order_of_the_schema_file(tmp_path, monkeypatch):
    """Reorder the properties in a copy of the schema: the importer's records follow the copy."""
    schema = json.loads(SITES_SCHEMA.read_text(encoding="utf-8"))
    lieu = schema["$defs"]["lieu"]
    lieu["properties"] = dict(reversed(lieu["properties"].items()))
    copy = tmp_path / "schemas" / "sites.schema.json"
    copy.parent.mkdir()
    copy.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(importers, "SCHEMAS_DIR", copy.parent)
    record = france_services.read(write_csv(tmp_path, [row(complement_adresse="Espace Gare")])).records[0]
    assert list(record)[:3] == [
        "modalites_accompagnement",
        "modalites_acces",
        "dispositif_programmes_nationaux",
    ]
    assert list(record) == [f for f in schema_order(copy) if f in record]


def test_date_parameter_and_itinerant(tmp_path):
    path = write_csv(tmp_path, [row(itinerance="Oui", mail="", complement_adresse="")])
    record = france_services.read(path, date_maj="2023-06-01").records[0]
    assert record["itinerance"] == ["Itinérant"]
    assert record["date_maj"] == "2023-06-01"
    assert record["source"].endswith("(2023-06-01)")
    assert "courriels" not in record and "complement_adresse" not in record
    assert record["modalites_acces"] == ["Se présenter", "Téléphoner"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04 67 16 24 42", "+33467162442"),
        ("04.67.16.24.42", "+33467162442"),
        ("0467162442", "+33467162442"),
        ("+33 4 67 16 24 42", "+33467162442"),
        ("06 37 09 39 82", "+33637093982"),
    ],
)
def test_phones(tmp_path, text, expected):
    record = france_services.read(write_csv(tmp_path, [row(telephone=text)])).records[0]
    assert record["telephone"] == expected


def test_unreadable_phone_is_reported_and_row_kept(tmp_path):
    result = france_services.read(write_csv(tmp_path, [row(telephone="3949 ou accueil")]))
    assert "telephone" not in result.records[0]
    assert result.problems[0].line == 2
    assert "téléphone « 3949 ou accueil »" in result.problems[0].message_fr


def test_unreadable_hours_are_reported_and_row_kept_without_hours(tmp_path):
    result = france_services.read(write_csv(tmp_path, [row(h_mardi="le matin")]))
    assert "horaires" not in result.records[0]
    assert result.problems[0].line == 2
    assert "le matin" in result.problems[0].message_fr


def test_comment_becomes_detail_with_blank_lines_collapsed(tmp_path):
    comment = 'Contact : 04 67 00 00 00\n\n\n\nTous les mardis en """"ALLER VERS"""".'
    record = france_services.read(write_csv(tmp_path, [row(commentaire=comment)])).records[0]
    assert record["presentation_detail"] == (
        'Précisions sur les horaires : Contact : 04 67 00 00 00\n\nTous les mardis en "ALLER VERS".'
    )


def test_slug_collisions_get_the_commune(tmp_path):
    rows = [
        row(lib_fs="France services Hérault Méditerranée", lib_com="Agde", insee_com="34003"),
        row(lib_fs="Œuvre Æther", lib_com="Lunel", insee_com="34145"),
        row(lib_fs="France services Herault Mediterranée", lib_com="Saint-Thibéry"),
    ]
    ids = [r["id"] for r in france_services.read(write_csv(tmp_path, rows)).records]
    assert ids == [
        "france-services-herault-mediterranee-agde",
        "oeuvre-aether",
        "france-services-herault-mediterranee-saint-thibery",
    ]


def test_suffixed_id_never_takes_another_rows_own_id(tmp_path):
    rows = [
        row(lib_fs="FS Hérault - Saint-thibéry", lib_com="Saint-Thibéry"),
        row(lib_fs="FS Hérault", lib_com="Agde"),
        row(lib_fs="FS Herault", lib_com="Saint-Thibéry"),
    ]
    result = france_services.read(write_csv(tmp_path, rows))
    assert [r["id"] for r in result.records] == [
        "fs-herault-saint-thibery",
        "fs-herault-agde",
        "fs-herault-saint-thibery-2",
    ]
    assert result.problems[0].line == 4
    assert "déjà pris par la ligne 2" in result.problems[0].message_fr


# --- broken files ----------------------------------------------------------------


def test_bad_rows_are_located_and_others_imported(tmp_path):
    path = write_csv(tmp_path, [row(), row(code_postal="341"), row(lib_fs="Autre", lib_com="")])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("1,34,France services Tronquée,1 rue\n")
    result = france_services.read(path)
    assert [r["id"] for r in result.records] == ["france-services-castries"]
    assert [p.line for p in result.problems] == [3, 4, 5]
    assert "code postal « 341 »" in result.problems[0].message_fr
    assert "commune" in result.problems[1].message_fr
    assert "4 champs au lieu de 23" in result.problems[2].message_fr


def test_line_numbers_count_multiline_cells(tmp_path):
    path = write_csv(tmp_path, [row(commentaire="a\n\n\nb"), row(telephone="n/a")])
    assert france_services.read(path).problems[0].line == 6


def test_missing_column_is_fatal_with_french_message(tmp_path):
    header = [h for h in HEADER if h != "h_samedi"]
    with pytest.raises(ImportFileError, match="colonnes manquantes : h_samedi"):
        france_services.read(write_csv(tmp_path, [row()], header=header))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"\n  \n", "vide"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "UTF-8"),
        (b"lib_fs\x00,adresse\n", "binaire"),
        (b"lib_fs;adresse;code_postal\nA;B;34000\n", "colonnes manquantes"),
    ],
)
def test_broken_files_raise_import_file_error(tmp_path, content, message):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        france_services.read(path)


def test_missing_file_and_bad_date(tmp_path):
    with pytest.raises(ImportFileError, match="introuvable"):
        france_services.read(tmp_path / "absent.csv")
    with pytest.raises(ImportFileError, match="date"):
        france_services.read(write_csv(tmp_path, [row()]), date_maj="01/12/2022")


# --- command line ------------------------------------------------------------------


def test_cli_reports_problems_and_summary(tmp_path, capsys):
    path = write_csv(tmp_path, [row(), row(lib_fs="FS Lunel", telephone="?")])
    assert cli.main(["france-services", str(path), "--data", str(tmp_path / "data")]) == 0
    out, err = capsys.readouterr()
    assert f"{path}:3: téléphone « ? » illisible" in err
    assert "2 fiches ajoutées, 0 modifiée, 0 inchangée" in out
    assert (
        (tmp_path / "data" / "sites.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=../schemas/sites.schema.json\n")
    )


def test_cli_fatal_errors_exit_2_without_traceback(tmp_path, capsys):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\xff\xfe\x00garbage")
    assert cli.main(["import", "france-services", str(garbage)]) == 2
    assert cli.main(["france-services"]) == 2
    assert cli.main(["france-services", str(tmp_path / "absent.csv")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("Erreur :") == 3
