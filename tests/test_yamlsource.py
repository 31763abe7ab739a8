"""The YAML reader: no silent implicit typing, located French errors for abuse."""

from __future__ import annotations

import pytest

from mednum.problems import Report
from mednum.yamlsource import read_yaml


def read(tmp_path, content: str | bytes, **kw):
    path = tmp_path / "f.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    report = Report()
    doc = read_yaml(path, "data/f.yaml", report, **kw)
    return doc, [str(p) for p in report.errors]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12:30", "12:30"),  # YAML 1.1 reads 750
        ("01000", "01000"),  # YAML 1.1 reads 512
        ("no", "no"),  # YAML 1.1 reads False
        ("on", "on"),
        ("yes", "yes"),
        ("2026-03-01", "2026-03-01"),  # not a date object
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        (".inf", ".inf"),
        ("true", True),
        ("false", False),
        ("34000", 34000),
        ("43.61", 43.61),
        ('"34000"', "34000"),
        ("'no'", "no"),
        ("~", None),
        ("", None),
    ],
)
def test_plain_scalars_keep_what_the_author_wrote(tmp_path, text, value):
    doc, errors = read(tmp_path, f"- v: {text}\n")
    assert errors == []
    assert doc.data == [{"v": value}]
    assert type(doc.data[0]["v"]) is type(value)


def test_written_text_of_numbers_is_kept_for_text_fields(tmp_path):
    doc, _ = read(tmp_path, "- code_postal: 34000\n  lat: 43.610\n")
    assert doc.plain_text == {(0, "code_postal"): "34000", (0, "lat"): "43.610"}


def test_positions_of_values_and_keys(tmp_path):
    doc, _ = read(tmp_path, "# header\n- id: a\n  services:\n    - x\n")
    assert doc.values[(0, "id")] == (2, 7)
    assert doc.keys[(0, "services")] == (3, 3)
    assert doc.values[(0, "services", 0)] == (4, 7)
    assert str(doc.location((0, "missing"))) == "data/f.yaml:2:3"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "- id: a\n  id: b\n",
            "data/f.yaml:2:3: le champ « id » est écrit deux fois (déjà à la ligne 1) : gardez-en un seul",
        ),
        (
            "- &a {x: 1}\n- *a\n",
            "data/f.yaml:1:3: les ancres YAML (&nom) ne sont pas acceptées : recopiez la valeur",
        ),
        (
            "- !!python/object/apply:os.system [ls]\n",
            "data/f.yaml:1:3: les étiquettes YAML (« tag:yaml.org,2002:python/object/apply:os.system ») ne sont pas acceptées : retirez-la",
        ),
        ("- id: a\n\tnom: b\n", "data/f.yaml:2:1: tabulation interdite : indentez avec des espaces"),
        (
            "- id: a\n  nom: Mairie: accueil\n",
            "data/f.yaml:2:14: deux-points inattendu : une valeur qui contient « : » doit être entre guillemets, ou l'indentation de cette ligne est fausse",
        ),
        ("", "data/f.yaml:1:1: le fichier est vide : s'il ne doit contenir aucune fiche, écrivez []"),
        ("# rien\n", "data/f.yaml:1:1: le fichier est vide : s'il ne doit contenir aucune fiche, écrivez []"),
        (
            "- a\n---\n- b\n",
            "data/f.yaml:2:1: un seul document YAML attendu : retirez la ligne « --- » en trop",
        ),
        ('- id: "abc\n', "data/f.yaml:2:1: guillemet ouvert mais jamais fermé"),
        (
            "- id: @x\n",
            "data/f.yaml:1:7: caractère « @ » interdit en début de valeur : mettez la valeur entre guillemets",
        ),
        ("- id: a\x07b\n", "data/f.yaml:1:8: caractère de contrôle interdit (code 7)"),
        (
            b"- id: caf\xe9\n",
            "data/f.yaml:1:10: le fichier n'est pas encodé en UTF-8 (octet 0xE9) : enregistrez-le en UTF-8",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "data/f.yaml:1:1: le fichier n'est pas encodé en UTF-8 (octet 0x89) : enregistrez-le en UTF-8",
        ),
        (b"- id: \x00\x01", "data/f.yaml:1:7: le fichier contient des données binaires (octet nul)"),
        ("[" * 100 + "]" * 100, "data/f.yaml:1:34: structure trop profondément imbriquée"),
    ],
)
def test_abuse_is_refused_with_a_located_message(tmp_path, content, expected):
    doc, errors = read(tmp_path, content)
    assert doc is None
    assert errors == [expected]


def test_alias_bomb_is_refused_without_expanding(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    doc, errors = read(tmp_path, bomb)
    assert doc is None
    assert errors[0].endswith("les ancres YAML (&nom) ne sont pas acceptées : recopiez la valeur")


def test_size_limit(tmp_path):
    doc, errors = read(tmp_path, "- id: " + "a" * 100 + "\n", max_bytes=50)
    assert doc is None
    assert errors == [
        "data/f.yaml:1:1: fichier trop gros (107 octets, 50 au plus) : découpez-le ou vérifiez son contenu"
    ]


def test_missing_file(tmp_path):
    report = Report()
    assert read_yaml(tmp_path / "absent.yaml", "data/absent.yaml", report) is None
    assert [str(p) for p in report.errors] == ["data/absent.yaml:1:1: fichier introuvable"]


def test_byte_order_mark_is_accepted(tmp_path):
    doc, errors = read(tmp_path, b"\xef\xbb\xbf- id: a\n")
    assert errors == [] and doc.data == [{"id": "a"}]


# --- the cache of parsed files --------------------------------------------------------------------


def read_cached(tmp_path, content: str, cache):
    from mednum.yamlsource import read_yaml_cached

    path = tmp_path / "f.yaml"
    path.write_text(content, encoding="utf-8")
    report = Report()
    doc = read_yaml_cached(path, "data/f.yaml", report, cache=cache)
    return doc, [str(p) for p in report.problems]


def same_document(doc, fresh) -> None:
    """``doc`` gives what a whole read of the same text gives: the data, every value's and
    key's location, the written text of numbers and booleans."""
    assert doc.data == fresh.data
    for path in fresh.values:
        assert doc.location(path) == fresh.location(path), path
        assert doc.written(path) == fresh.plain_text.get(path), path
    for path in fresh.keys:
        assert doc.location(path, key=True) == fresh.location(path, key=True), path
    for path in [(), (0, "absent"), (99,), ("x",)]:
        assert doc.location(path) == fresh.location(path), path


def test_cached_parse_is_the_parse(tmp_path, monkeypatch):
    from mednum import yamlsource

    cache = tmp_path / "cache"
    text = "- id: a\n  heure: 12:30\n  code: 01000\n  n: 34000\n- id: b\n  ok: no\n"
    fresh, _ = read(tmp_path, text)
    first, problems = read_cached(tmp_path, text, cache)
    assert problems == [] and list((cache / "yaml").glob("*.pickle"))
    # The second read comes from the cache: the parser is not called.
    monkeypatch.setattr(yamlsource, "read_yaml", lambda *a, **k: pytest.fail("parsed again"))
    monkeypatch.setattr(yamlsource, "_parse", lambda *a, **k: pytest.fail("parsed again"))
    second, problems = read_cached(tmp_path, text, cache)
    assert problems == []
    for doc in (first, second):
        same_document(doc, fresh)
    assert second.data[0]["heure"] == "12:30" and second.location((1, "ok")).line == 6


RECORDS = """# yaml-language-server: $schema=../schemas/sites.schema.json
# Des commentaires avant la première fiche.

- id: a
  nom: "Premier lieu"
  code_postal: 34000
  horaires: |
    Lundi 9 h - 12 h
    - mardi fermé
# un commentaire entre deux fiches
- id: b
  services:
    - Prendre en main un ordinateur
  actif: true

- id: c
  presentation: >-
    Sur deux
    lignes.
"""


def test_a_changed_record_is_the_only_one_parsed_again(tmp_path, monkeypatch):
    """Data files are read record by record: a pull request that changes one record, or adds
    one, has that record parsed, and the document is the one a whole read gives (lines of
    the records below included)."""
    from mednum import yamlsource

    cache = tmp_path / "cache"
    parsed, real = [], yamlsource._parse

    def parse(text, *args):
        parsed.append(text)
        return real(text, *args)

    monkeypatch.setattr(yamlsource, "_parse", parse)
    doc, problems = read_cached(tmp_path, RECORDS, cache)
    assert problems == [] and len(parsed) == 3 and len(doc.records) == 3
    same_document(doc, read(tmp_path, RECORDS)[0])
    text = RECORDS
    for old, new in [
        ("Premier lieu", "Premier lieu renommé"),
        ("- id: b\n", "- id: a0\n  nom: Ajouté\n- id: b\n"),  # the lines below move down
        ("Sur deux", "Sur trois\n    ou deux"),
    ]:
        text = text.replace(old, new)
        parsed.clear()
        doc, problems = read_cached(tmp_path, text, cache)
        assert problems == [] and len(parsed) == 1, parsed
        same_document(doc, read(tmp_path, text)[0])
    assert doc.written((0, "code_postal")) == "34000" and doc.data[2]["actif"] is True


@pytest.mark.parametrize(
    "text",
    [
        "[]\n",
        "---\n- id: a\n",
        '- id: a\n  nom: "sur\ndeux lignes"\n- id: b\n',
        "- id: a\r\n- id: b\r\n",
        "- {id: a}\n- {id: b}\n",
        "# rien\n",
    ],
)
def test_other_layouts_are_read_whole(tmp_path, text):
    """A file that is not a list of records each starting a line is read whole, as before."""
    doc, problems = read_cached(tmp_path, text, tmp_path / "cache")
    fresh, fresh_problems = read(tmp_path, text)
    assert problems == fresh_problems
    if fresh is not None:
        assert doc.records is None or text.startswith("- {")
        same_document(doc, fresh)


def test_a_record_with_a_mistake_is_reported_as_a_whole_read_reports_it(tmp_path):
    text = RECORDS.replace("  actif: true\n", "  actif: true\n  actif: false\n")
    for _ in range(2):
        doc, problems = read_cached(tmp_path, text, tmp_path / "cache")
        assert doc is None and problems == read(tmp_path, text)[1]
        assert problems == [
            "data/f.yaml:15:3: le champ « actif » est écrit deux fois (déjà à la ligne 14) : gardez-en un seul"
        ]


def test_changed_bytes_are_parsed_again_and_replace_the_entry(tmp_path):
    cache = tmp_path / "cache"
    read_cached(tmp_path, "- id: a\n", cache)
    doc, _ = read_cached(tmp_path, "- id: b\n", cache)
    assert doc.data == [{"id": "b"}]
    assert len(list((cache / "yaml").glob("*.pickle"))) == 1  # the older version is gone


def test_a_file_with_a_mistake_is_never_cached_and_always_reported(tmp_path):
    cache = tmp_path / "cache"
    text = "- id: a\n  id: b\n"  # duplicate key
    for _ in range(2):
        _, problems = read_cached(tmp_path, text, cache)
        assert problems == [
            "data/f.yaml:2:3: le champ « id » est écrit deux fois (déjà à la ligne 1) : gardez-en un seul"
        ]
    assert not list(cache.rglob("*.pickle"))


def test_a_broken_cache_entry_is_parsed_again(tmp_path):
    cache = tmp_path / "cache"
    read_cached(tmp_path, "- id: a\n", cache)
    (entry,) = (cache / "yaml").glob("*.pickle")
    entry.write_bytes(b"pas un pickle")
    doc, problems = read_cached(tmp_path, "- id: a\n", cache)
    assert doc.data == [{"id": "a"}] and problems == []
    assert entry.read_bytes() != b"pas un pickle"
