"""Merging imported records into data/sites.yaml keeps hand-written content."""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from conftest import ROOT
from mednum import importers
from mednum.importers import ImportFileError
from mednum.importers.merge import MergeSummary, _load, merge_into_yaml

OWNED = {"id", "nom", "code_postal", "telephone", "horaires", "services", "date_maj"}

EXISTING = textwrap.dedent(
    """\
    # yaml-language-server: $schema=../schemas/sites.schema.json
    # Lieux de médiation numérique de l'Hérault.

    - id: b-lieu
      # Nom vérifié sur place.
      nom: Lieu B  # sans article
      code_postal: "34000"
      telephone: "+33465710001"
      horaires: Mo 09:00-12:00
      services:
        - Aide aux démarches administratives
      date_maj: "2022-12-01"
      champ_local: gardé
      x_pass_numerique: true
      x_arrets:
        - commune: Olargues
          horaires: We[1] 09:00-12:00

    # Le lieu D est suivi par l'équipe de Lodève.
    - id: d-lieu
      nom: Lieu D
      code_postal: "34700"
      services:
        - Loisirs et créations numériques
      date_maj: "2022-12-01"
      x_exemple: true
    """
)


def record(ident: str, **fields) -> dict:
    base = {
        "id": ident,
        "nom": f"Lieu {ident[0].upper()}",
        "code_postal": "34000",
        "services": ["Aide aux démarches administratives"],
        "date_maj": "2022-12-01",
    }
    base.update(fields)
    return base


@pytest.fixture
def sites(tmp_path):
    path = tmp_path / "sites.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    return path


def test_merge_keeps_comments_extensions_and_inserts_in_id_order(sites):
    b = record("b-lieu", telephone="+33465710002", horaires="Mo 09:00-12:00", date_maj="2023-01-01")
    d = record("d-lieu", nom="Lieu D", code_postal="34700", services=["Loisirs et créations numériques"])
    summary = merge_into_yaml(sites, [d, record("e-lieu"), record("a-lieu"), b, record("c-lieu")], OWNED)
    assert summary.added == ["a-lieu", "c-lieu", "e-lieu"]
    assert summary.changed == {"b-lieu": ["telephone", "date_maj"]}
    assert summary.unchanged == ["d-lieu"]
    text = sites.read_text(encoding="utf-8")
    new = textwrap.dedent(
        """\
        - id: {0}
          nom: Lieu {1}
          code_postal: "34000"
          services:
            - Aide aux démarches administratives
          date_maj: "2022-12-01"
        """
    )
    head, _, _ = EXISTING.partition("- id: b-lieu")
    b_text = EXISTING[len(head) : EXISTING.index("# Le lieu D")]
    b_text = b_text.replace("+33465710001", "+33465710002").replace(
        'date_maj: "2022-12-01"', 'date_maj: "2023-01-01"'
    )
    d_text = EXISTING[EXISTING.index("# Le lieu D") :]
    expected = (
        head
        + new.format("a-lieu", "A")
        + "\n"
        + b_text
        + new.format("c-lieu", "C")
        + "\n"
        + d_text
        + "\n"
        + new.format("e-lieu", "E")
    )
    assert text == expected


def test_owned_field_missing_from_import_is_removed_and_new_one_placed_in_schema_order(sites):
    b = record("b-lieu", telephone="+33465710001", pivot="12345678901234")
    summary = merge_into_yaml(sites, [b], OWNED | {"pivot"})
    assert summary.changed == {"b-lieu": ["pivot", "horaires"]}
    data = yaml.safe_load(sites.read_text(encoding="utf-8"))
    assert list(data[0])[:3] == ["id", "pivot", "nom"]
    assert data[0]["pivot"] == "12345678901234"
    assert "horaires" not in data[0]
    assert data[0]["champ_local"] == "gardé" and data[0]["x_pass_numerique"] is True


def test_a_property_added_to_the_schema_file_takes_its_place(sites, tmp_path, monkeypatch):
    """The order comes from schemas/sites.schema.json: a new property is placed where the schema puts it."""
    schema = json.loads((ROOT / "schemas" / "sites.schema.json").read_text(encoding="utf-8"))
    items = list(schema["$defs"]["lieu"]["properties"].items())
    after_nom = [name for name, _ in items].index("nom") + 1
    items.insert(after_nom, ("x_nouveau", {"type": "string"}))
    schema["$defs"]["lieu"]["properties"] = dict(items)
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "sites.schema.json").write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    b = record("b-lieu", telephone="+33465710001", horaires="Mo 09:00-12:00", x_nouveau="oui")

    monkeypatch.setattr(importers, "SCHEMAS_DIR", tmp_path / "schemas")
    merge_into_yaml(sites, [b], OWNED | {"x_nouveau"})
    assert list(yaml.safe_load(sites.read_text(encoding="utf-8"))[0])[:4] == [
        "id",
        "nom",
        "x_nouveau",
        "code_postal",
    ]


def test_a_field_the_schema_does_not_know_goes_last(sites):
    b = record("b-lieu", telephone="+33465710001", horaires="Mo 09:00-12:00", x_nouveau="oui")
    merge_into_yaml(sites, [b], OWNED | {"x_nouveau"})
    assert list(yaml.safe_load(sites.read_text(encoding="utf-8"))[0])[-1] == "x_nouveau"


def test_merge_is_idempotent_byte_for_byte(sites):
    records = [record("a-lieu", nom="12:30"), record("b-lieu", horaires=None), record("z")]
    merge_into_yaml(sites, records, OWNED)
    first = sites.read_bytes()
    summary = merge_into_yaml(sites, records, OWNED)
    assert sites.read_bytes() == first
    assert summary.added == [] and summary.changed == {}
    assert summary.unchanged == ["a-lieu", "b-lieu", "z"]


def test_new_file_gets_schema_line_blank_lines_and_quotes(tmp_path):
    path = tmp_path / "data" / "sites.yaml"
    long_text = "Un texte assez long pour dépasser largement la largeur habituelle. " * 4
    records = [
        record(
            "b",
            adresse="no",
            commune="on",
            code_insee="01000",
            telephone="+33465710000",
            horaires="12:30",
            presentation_resume=long_text.strip(),
            latitude=43.123456,
            x_pass_numerique=True,
        ),
        record("a"),
    ]
    merge_into_yaml(path, records, OWNED)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/sites.schema.json\n\n- id: a\n")
    assert "\n\n- id: b\n" in text
    for quoted in ('"no"', '"on"', '"01000"', '"+33465710000"', '"12:30"', '"2022-12-01"'):
        assert quoted in text
    assert "  services:\n    - Aide aux démarches administratives\n" in text
    assert f"  presentation_resume: {long_text.strip()}\n" in text
    assert "  latitude: 43.123456\n" in text
    data = yaml.safe_load(text)
    assert data[1]["adresse"] == "no" and data[1]["horaires"] == "12:30"
    assert data[1]["x_pass_numerique"] is True
    assert not text.endswith("\n\n")


def test_multiline_text_is_written_as_a_block(tmp_path):
    path = tmp_path / "sites.yaml"
    merge_into_yaml(path, [record("a", presentation_detail="Ligne 1\n\nLigne 2")], OWNED)
    assert "presentation_detail: |-\n    Ligne 1\n\n    Ligne 2\n" in path.read_text("utf-8")
    assert yaml.safe_load(path.read_text("utf-8"))[0]["presentation_detail"] == "Ligne 1\n\nLigne 2"


SEPARATORS = ["\x85", "\u2028", "\u2029"]
AWKWARD = [
    *(f"Ligne 1{c}suite\nLigne 2" for c in SEPARATORS),  # several lines: was a block ruamel could not read
    *(f"Une ligne{c}suite" for c in SEPARATORS),  # one line: was single-quoted, U+0085 read as a space
    *(f"Fin\n{c}" for c in SEPARATORS),
    "\r tab\t \x00 \x1b[31m \x9b \ufffe \ufeff \n fin ",
]


@pytest.mark.parametrize("text", AWKWARD, ids=ascii)
def test_text_with_unicode_line_breaks_or_controls_reads_back_the_same(tmp_path, text):
    """U+0085, U+2028, U+2029 are line breaks for YAML: written raw in a block (« | ») the file
    cannot be read again (and every later import fails); double quotes escape them."""
    path = tmp_path / "sites.yaml"
    merge_into_yaml(path, [record("a", presentation_detail=text, nom=text)], OWNED | {"presentation_detail"})
    written = path.read_text("utf-8")
    _, document = _load(path)  # as the next import reads it
    assert str(document[0]["presentation_detail"]) == text and str(document[0]["nom"]) == text
    assert yaml.safe_load(written)[0]["presentation_detail"] == text  # as the site reads it
    assert not any(c in written for c in SEPARATORS), "written as escapes"
    # A record already there takes the text as well, and the next merge changes nothing.
    merge_into_yaml(
        path, [record("b"), record("a", presentation_detail=text + "!")], OWNED | {"presentation_detail"}
    )
    _, document = _load(path)
    assert str(document[0]["presentation_detail"]) == text + "!"
    again = path.read_text("utf-8")
    merge_into_yaml(path, [record("a", presentation_detail=text + "!")], OWNED | {"presentation_detail"})
    assert path.read_text("utf-8") == again


def test_comment_only_file_keeps_its_header(tmp_path):
    path = tmp_path / "sites.yaml"
    path.write_text("# yaml-language-server: $schema=../schemas/sites.schema.json\n# Fiches.\n")
    merge_into_yaml(path, [record("a")], OWNED)
    assert path.read_text("utf-8").startswith(
        "# yaml-language-server: $schema=../schemas/sites.schema.json\n# Fiches.\n\n- id: a\n"
    )


def test_unquoted_values_written_by_hand_are_compared_as_text(tmp_path):
    path = tmp_path / "sites.yaml"
    path.write_text("- id: a\n  nom: Lieu A\n  code_postal: 34000\n  date_maj: 2022-12-01\n")
    summary = merge_into_yaml(path, [record("a", services=None)], OWNED - {"services"})
    assert summary.changed == {"a": ["code_postal", "date_maj"]}
    assert 'code_postal: "34000"' in path.read_text("utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- id: a\n  nom: [oups\n", "YAML illisible"),
        ("id: a\nnom: Lieu A\n", "liste de fiches"),
        ("- id: a\n  nom: A\n  nom: B\n", "YAML illisible"),
    ],
)
def test_unreadable_yaml_raises_french_error(tmp_path, content, message):
    path = tmp_path / "sites.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError, match=message):
        merge_into_yaml(path, [record("a")], OWNED)
    assert path.read_text(encoding="utf-8") == content


def test_summary_text():
    summary = MergeSummary(
        added=["a", "b", "c"],
        changed={"d": ["telephone"], "e": ["telephone", "horaires"]},
        unchanged=[f"x{i}" for i in range(44)],
    )
    assert summary.text() == "3 fiches ajoutées, 2 modifiées (telephone, horaires), 44 inchangées"
    assert MergeSummary(added=["a"]).text() == "1 fiche ajoutée, 0 modifiée, 0 inchangée"


def test_comments_below_replaced_or_removed_fields_are_kept(tmp_path):
    path = tmp_path / "sites.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            - id: a
              nom: Lieu A
              # avant les horaires
              horaires: Mo 09:00-12:00  # vérifié
              # sous les horaires
              services:
                - Loisirs et créations numériques
              # sous les services
              x_pass_numerique: true

            - id: b
              nom: Lieu B
            """
        ),
        encoding="utf-8",
    )
    merge_into_yaml(path, [record("a")], {"horaires", "services", "nom"})
    text = path.read_text(encoding="utf-8")
    for comment in ("# avant les horaires", "# sous les horaires", "# sous les services"):
        assert comment in text
    assert "x_pass_numerique: true\n\n- id: b\n" in text
    data = yaml.safe_load(text)
    assert "horaires" not in data[0]
    assert data[0]["services"] == ["Aide aux démarches administratives"]


def test_written_file_is_readable_by_others(tmp_path):
    path = tmp_path / "sites.yaml"
    merge_into_yaml(path, [record("a")], OWNED)
    assert path.stat().st_mode & 0o044  # not mkstemp's private 0600
