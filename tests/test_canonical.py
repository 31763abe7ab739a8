"""Canonical order of the data files (``python -m mednum sort``)."""

from __future__ import annotations

import json
import re
import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from conftest import ROOT
from mednum import canonical
from mednum.schema import KINDS, TRAININGS

DATA_FILES = [kind.filename for kind in KINDS]


@pytest.mark.parametrize("folder", ["data", "demo"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.filename)
def test_bundled_data_is_in_canonical_order(kind, folder):
    found = canonical.check_file(
        ROOT / folder / kind.filename,
        ROOT / "schemas" / kind.schema_file,
        kind,
        f"{folder}/{kind.filename}",
    )
    assert not found, "lancez « make sort » :\n" + "\n".join(map(str, found))


def test_unknown_fields_go_last_in_their_written_order():
    order = canonical.field_order(ROOT / "schemas" / "sites.schema.json")
    assert canonical.canonical_keys(["nom", "zz", "id", "aa"], order) == ["id", "nom", "zz", "aa"]


def _schema_with(tmp_path: Path, kind, change) -> Path:
    """A copy of the schema of ``kind`` whose record properties went through ``change``."""
    document = json.loads((ROOT / "schemas" / kind.schema_file).read_text(encoding="utf-8"))
    name = document["items"]["$ref"].rsplit("/", 1)[1]
    record = document["$defs"][name]
    record["properties"] = dict(change(list(record["properties"].items())))
    path = tmp_path / "schemas" / kind.schema_file
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_property_added_to_the_schema_takes_its_place(tmp_path):
    path = tmp_path / "trainings.yaml"
    path.write_text('- id: a\n  titre: A\n  date_maj: "2026-11-03"\n  zz_nouveau: oui\n', encoding="utf-8")
    assert not canonical.sort_file(path, ROOT / "schemas" / "trainings.schema.json")  # unknown: stays last
    schema = _schema_with(tmp_path, TRAININGS, lambda items: [*items[:2], ("zz_nouveau", {}), *items[2:]])
    assert canonical.field_order(schema)[:3] == ["id", "titre", "zz_nouveau"]
    assert canonical.sort_file(path, schema)
    assert (
        path.read_text(encoding="utf-8")
        == '- id: a\n  titre: A\n  zz_nouveau: oui\n  date_maj: "2026-11-03"\n'
    )


def test_field_order_reads_each_version_of_the_schema_file(tmp_path):
    path = _schema_with(tmp_path, TRAININGS, lambda items: items)
    order = canonical.field_order(path)
    _schema_with(tmp_path, TRAININGS, lambda items: [*reversed(items), ("zz_nouveau", {})])
    assert canonical.field_order(path) == [*reversed(order), "zz_nouveau"]


def test_unusable_schema_is_a_french_error(tmp_path):
    with pytest.raises(canonical.CanonicalError, match="schéma illisible"):
        canonical.field_order(tmp_path / "absent.schema.json")
    (tmp_path / "vide.schema.json").write_text('{"type": "array", "items": {}}', encoding="utf-8")
    with pytest.raises(canonical.CanonicalError, match="ne décrit pas les champs"):
        canonical.field_order(tmp_path / "vide.schema.json")
    (tmp_path / "casse.schema.json").write_text("{", encoding="utf-8")
    with pytest.raises(canonical.CanonicalError, match=r"casse\.schema\.json : schéma illisible"):
        canonical.field_order(tmp_path / "casse.schema.json")


# --- sorting a shuffled file ------------------------------------------------------


def _chunks(text: str) -> tuple[str, list[str]]:
    """(header, records): each record with the comment lines written just above it."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("- ")]
    starts = [_comment_start(lines, i) for i in starts]
    header = "".join(lines[: starts[0]])
    bounds = [*starts, len(lines)]
    records = ["".join(lines[a:b]).rstrip("\n") + "\n" for a, b in pairwise(bounds)]
    return header, records


def _comment_start(lines: list[str], index: int) -> int:
    while index > 0 and lines[index - 1].startswith("#"):
        index -= 1
    return index


def _join(header: str, records: list[str]) -> str:
    return header + "\n".join(records)


def _move_line_after_id(record: str, field: str) -> str:
    """Move ``field`` (one line, with the comment lines above it) right below ``- id:``."""
    lines = record.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f"  {field}:"))
    start = at
    while lines[start - 1].lstrip().startswith("#"):
        start -= 1
    block = lines[start : at + 1]
    del lines[start : at + 1]
    dash = next(i for i, line in enumerate(lines) if line.startswith("- "))
    return "".join(lines[: dash + 1] + block + lines[dash + 1 :])


def _annotate(records: list[str], index: int, field: str) -> list[str]:
    """Comments a person might write: above a record, above a field, at the end of a line."""
    records = list(records)
    record = records[index]
    record = re.sub(rf"(?m)^  {field}:", f"  # {field} vérifié par téléphone\n  {field}:", record, count=1)
    record = re.sub(r"(?m)^(  nom: .*|  titre: .*)$", r"\1  # nom officiel", record, count=1)
    records[index] = f"# Fiche relue en novembre\n{record}"
    return records


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.filename)
def test_sorting_a_shuffled_file_restores_it_and_keeps_comments(tmp_path, kind):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    header, records = _chunks((ROOT / "demo" / kind.filename).read_text(encoding="utf-8"))
    assert len(records) >= 3
    records = _annotate(records, 1, "date_maj")
    expected = _join(header, records)

    shuffled = list(reversed(records))  # record 1 stays in the middle, out of order
    for i in (0, len(shuffled) - 2):
        shuffled[i] = _move_line_after_id(shuffled[i], "date_maj")
    path = data / kind.filename
    path.write_text(_join(header, shuffled), encoding="utf-8")
    schema = tmp_path / "schemas" / kind.schema_file

    found = canonical.check_file(path, schema, kind, kind.filename)
    assert any("rangées par identifiant" in d.message for d in found)
    assert any("doit venir avant" in d.message for d in found)

    assert canonical.sort_file(path, schema) is True
    assert path.read_text(encoding="utf-8") == expected
    assert canonical.check_file(path, schema, kind) == []
    assert canonical.sort_file(path, schema) is False  # already canonical: untouched


def test_comment_above_a_moved_field_moves_with_it(tmp_path):
    path = tmp_path / "trainings.yaml"
    path.write_text(
        "# yaml-language-server: $schema=../schemas/trainings.schema.json\n"
        "\n"
        "- id: b\n"
        "  # vérifié le 3 novembre\n"
        '  date_maj: "2026-11-03"\n'
        "  titre: B  # titre court\n"
        "\n"
        "# la formation A\n"
        "- id: a\n"
        "  titre: A\n"
        "\n"
        "# fin du fichier\n",
        encoding="utf-8",
    )
    assert canonical.sort_file(path, ROOT / "schemas" / "trainings.schema.json")
    assert path.read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schemas/trainings.schema.json\n"
        "\n"
        "# la formation A\n"
        "- id: a\n"
        "  titre: A\n"
        "\n"
        "- id: b\n"
        "  titre: B  # titre court\n"
        "  # vérifié le 3 novembre\n"
        '  date_maj: "2026-11-03"\n'
        "\n"
        "# fin du fichier\n"
    )


# --- command line -------------------------------------------------------------------


def _project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    (tmp_path / "data").mkdir()
    for name in DATA_FILES:
        shutil.copy(ROOT / "demo" / name, tmp_path / "data" / name)
    return tmp_path


def test_cli_check_names_the_files_and_rewrites_nothing(tmp_path, monkeypatch, capsys):
    from mednum.cli import main

    root = _project(tmp_path)
    monkeypatch.chdir(root)
    header, records = _chunks((root / "data" / "trainings.yaml").read_text(encoding="utf-8"))
    shuffled = _join(header, [records[1], records[0], *records[2:]])
    (root / "data" / "trainings.yaml").write_text(shuffled, encoding="utf-8")

    assert main(["sort", "--check"]) == 1
    out = capsys.readouterr().out
    assert "data/trainings.yaml n'est pas dans l'ordre canonique" in out
    assert "sites.yaml" not in out and "workshops.yaml" not in out
    assert (root / "data" / "trainings.yaml").read_text(encoding="utf-8") == shuffled

    assert main(["sort", "--check", "--format", "github"]) == 1
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r"::error file=data/trainings\.yaml,line=\d+::formation « .+ » placée après .+", line)

    assert main(["sort"]) == 0
    assert "data/trainings.yaml : remis dans l'ordre canonique" in capsys.readouterr().out
    assert main(["sort", "--check"]) == 0
    assert (root / "data" / "trainings.yaml").read_bytes() == (ROOT / "demo" / "trainings.yaml").read_bytes()


def test_cli_reports_unreadable_files_without_traceback(tmp_path, monkeypatch, capsys):
    from mednum.cli import main

    root = _project(tmp_path)
    monkeypatch.chdir(root)
    (root / "data" / "sites.yaml").write_text("- id: a\n  nom: [\n", encoding="utf-8")
    assert main(["sort", "--check"]) == 2
    assert "YAML illisible" in capsys.readouterr().err
    (root / "data" / "sites.yaml").write_text("- nom: Sans identifiant\n", encoding="utf-8")
    assert main(["sort"]) == 2
    assert "n'a pas d'identifiant" in capsys.readouterr().err
