"""The Rust validator (jsonschema-rs) only picks the records Python's jsonschema then checks:
it must never pass a record that Python refuses, or a mistake would reach the site unreported.

Checked on every record we have (bundled data, the fixture catalogues, the broken fixture, the
hostile corpus) and, for the patterns, on generated text with the characters where regular
expression engines differ (separators, Unicode digits and spaces, line ends).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SITES, TRAININGS, WORKSHOPS, examples
from mednum.problems import Report
from mednum.schema import KINDS, Schema, python_patterns
from mednum.yamlsource import read_yaml
from test_hostile_corpus import RECORDS, record_text

SCHEMAS = {kind.name: Schema(ROOT / "schemas" / kind.schema_file, kind) for kind in KINDS}
FIXTURE_TEXT = {"sites": SITES, "workshops": WORKSHOPS, "trainings": TRAININGS}


def _records(kind: str, path: Path) -> list:
    doc = read_yaml(path, path.name, Report())
    if doc is None or not isinstance(doc.data, list):
        return []
    schema = SCHEMAS[kind]
    return schema.coerce(doc.data, schema.document, (), doc)


def _corpus(tmp_path: Path) -> dict[str, list]:
    texts: dict[str, list[str]] = {kind: [] for kind in SCHEMAS}
    for kind in SCHEMAS:
        texts[kind].append((ROOT / "data" / f"{kind}.yaml").read_text("utf-8"))
        texts[kind].append((ROOT / "demo" / f"{kind}.yaml").read_text("utf-8"))
        texts[kind].append((ROOT / "tests/fixtures/site/data" / f"{kind}.yaml").read_text("utf-8"))
        texts[kind].append(FIXTURE_TEXT[kind])
    texts["sites"].append((ROOT / "tests/fixtures/broken/sites.yaml").read_text("utf-8"))
    for n, ((kind, record), _refused) in enumerate(RECORDS.values()):
        texts[kind].append(record_text(kind, record, f"h{n}"))
    corpus: dict[str, list] = {kind: [] for kind in SCHEMAS}
    for kind, items in texts.items():
        for n, text in enumerate(items):
            path = tmp_path / f"{kind}-{n}.yaml"
            path.write_text(text, encoding="utf-8")
            corpus[kind].extend(_records(kind, path))
    return corpus


def test_rust_and_python_agree_on_every_record_we_have(tmp_path):
    corpus = _corpus(tmp_path)
    compared = disagreements = 0
    refused = 0
    for kind, records in corpus.items():
        schema = SCHEMAS[kind]
        for record in records:
            python_ok = not list(schema.validator.iter_errors([record]))
            try:
                rust_ok = schema.fast_validator.is_valid([record])
            except ValueError:  # not JSON data: the whole file goes through Python
                continue
            compared += 1
            refused += not python_ok
            assert not (rust_ok and not python_ok), (kind, record)
            disagreements += rust_ok != python_ok
    assert compared > 150 and refused > 30  # the corpus really has both kinds of records
    assert disagreements == 0


def test_errors_are_those_of_python_alone(tmp_path):
    """Same errors, same order, as running Python's validator over the whole list."""
    corpus = _corpus(tmp_path)
    for kind, records in corpus.items():
        schema = SCHEMAS[kind]
        expected = [(tuple(e.absolute_path), e.message) for e in schema.validator.iter_errors(records)]
        got = [((*prefix, *e.absolute_path), e.message) for prefix, e in schema.errors(records)]
        assert got == expected
        assert expected


def test_a_record_rust_cannot_read_goes_through_python():
    schema = SCHEMAS["sites"]
    records = [{"id": "a", 1: "clé numérique"}]
    with pytest.raises(ValueError):
        schema.fast_validator.is_valid(records)
    prefixes = {prefix for prefix, _ in schema.errors(records)}
    assert prefixes == {()}  # the whole list, through Python


def _patterns(node) -> set[str]:
    found = set()
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        for value in node.values():
            found |= _patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= _patterns(value)
    return found


PATTERNS = sorted(set().union(*(_patterns(schema.document) for schema in SCHEMAS.values())))
# Every « "pattern": "…" » written in the schema files, read from their text: what the
# hypothesis test must draw from, whatever the walk above finds (or misses).
WRITTEN_PATTERNS = {
    json.loads(quoted)
    for kind in KINDS
    for quoted in re.findall(
        r'"pattern"\s*:\s*("(?:[^"\\]|\\.)*")', (ROOT / "schemas" / kind.schema_file).read_text("utf-8")
    )
}
TRICKY = "\x1c\x1d\x1e\x1f\x85\xa0\u2028\u3000\t\n\r\v\f ٣۴०0123456789+@.-:/#?$aAzZéh"


@settings(max_examples=examples(300), deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(PATTERNS) - 1),
    text=st.one_of(st.text(alphabet=TRICKY, max_size=20), st.text(max_size=20)),
)
def test_rust_patterns_never_accept_what_python_refuses(index, text):
    # The strategy draws from every pattern of the schemas.
    missing = WRITTEN_PATTERNS - set(PATTERNS)
    assert WRITTEN_PATTERNS and not missing, f"patterns the test never draws: {missing}"
    pattern = PATTERNS[index]
    rust = jsonschema_rs.validator_for(python_patterns({"type": "string", "pattern": pattern}))
    if rust.is_valid(text):
        assert re.search(pattern, text), (pattern, text)


@pytest.mark.parametrize("sample", ["a\x1cb@exemple.fr", "https://exemple.fr/\x1f", "34\x1d000"])
def test_python_separators_count_as_spaces_in_rust_too(sample):
    email = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$"}
    url = {"type": "string", "pattern": r"^https?://[^\s/$.?#][^\s]*$"}
    for schema in (email, url):
        assert not jsonschema_rs.validator_for(python_patterns(schema)).is_valid(sample)
        assert not re.search(schema["pattern"], sample)


@pytest.mark.parametrize(
    "broken",
    [{"type": 12}, {"type": "array", "items": {"minLength": -1}}, {"properties": []}],
)
def test_a_schema_that_breaks_the_metaschema_is_refused_as_python_words_it(tmp_path, broken):
    """jsonschema-rs checks a schema against the metaschema; Python's jsonschema words the
    problem: both refuse the same schemas."""
    from jsonschema.exceptions import SchemaError

    path = tmp_path / "casse.schema.json"
    path.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", **broken}))
    assert not jsonschema_rs.meta.is_valid(json.loads(path.read_text()))
    with pytest.raises(SchemaError):
        Schema(path, KINDS[0])
