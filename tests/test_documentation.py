"""Documentation cannot fall behind: fields, settings and labels are all described."""

from __future__ import annotations

import json
import re

import pytest

from conftest import DEMO_CONF, ROOT
from mednum import vocab
from mednum.settings import DEFAULTS

SCHEMAS = sorted((ROOT / "schemas").glob("*.schema.json"))


def walk_properties(node, path=()):
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield (*path, name), sub
            yield from walk_properties(sub, (*path, name))
        for key in ("items", "$defs"):
            if key in node:
                sub = node[key]
                children = sub.values() if key == "$defs" else [sub]
                for child in children:
                    yield from walk_properties(child, path)


@pytest.mark.parametrize("schema_path", SCHEMAS, ids=lambda p: p.name)
def test_every_field_is_described(schema_path):
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    undocumented = [".".join(path) for path, sub in walk_properties(schema) if not sub.get("description")]
    assert undocumented == []


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in DEFAULTS if f"`{name}`" not in readme]
    assert missing == []


def test_every_setting_used_is_declared():
    used = set()
    for path in [
        *ROOT.glob("theme/**/*.html"),
        *ROOT.glob("plugins/mednum/**/*.py"),
        ROOT / "pelicanconf.py",
        DEMO_CONF,
    ]:
        used |= set(re.findall(r"\bCATALOGUE_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert sorted(used - set(DEFAULTS)) == []


def test_every_local_extension_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    schema = json.loads((ROOT / "schemas" / "sites.schema.json").read_text(encoding="utf-8"))
    extensions = [name for name in schema["$defs"]["lieu"]["properties"] if name.startswith("x_")]
    assert extensions and [name for name in extensions if f"`{name}`" not in readme] == []


LABEL_TABLES = {
    ("sites", "services"): vocab.NEED_LABELS,
    ("sites", "publics_specifiquement_adresses"): vocab.PUBLICS,
    ("sites", "prise_en_charge_specifique"): vocab.SPECIFIC_SUPPORT,
    ("sites", "frais_a_charge"): vocab.FEES,
    ("sites", "modalites_acces"): vocab.ACCESS_MODES,
    ("sites", "modalites_accompagnement"): vocab.SUPPORT_MODES,
    ("sites", "typologie"): vocab.TYPOLOGIES,
    ("sites", "itinerance"): vocab.ITINERANCE,
    ("sites", "x_accessibilite.entree_dispositif_appel"): vocab.ACCESS_CALL,
    ("sites", "x_accessibilite.accueil_equipements_malentendants"): vocab.HEARING_EQUIPMENT,
    ("sites", "x_accessibilite.accueil_personnels"): vocab.STAFF_TRAINING,
    ("workshops", "type"): vocab.WORKSHOP_KINDS,
    ("workshops", "publics"): vocab.WORKSHOP_PUBLICS,
    ("workshops", "niveau"): vocab.LEVELS,
    ("workshops", "inscription.modes"): vocab.REGISTRATION_MODES,
    ("workshops", "thematiques"): vocab.NEED_LABELS,
    ("trainings", "format"): vocab.TRAINING_FORMATS,
}


def enum_values(schema_name: str, dotted: str) -> list[str]:
    schema = json.loads((ROOT / "schemas" / f"{schema_name}.schema.json").read_text(encoding="utf-8"))
    for path, sub in walk_properties(schema):
        if ".".join(path) == dotted:
            return sub.get("enum") or sub["items"]["enum"]
    raise AssertionError(f"no field {dotted} in {schema_name}")


@pytest.mark.parametrize(("schema_name", "field"), LABEL_TABLES, ids=lambda v: str(v))
def test_every_enumerated_value_has_a_label_for_citizens(schema_name, field):
    values = enum_values(schema_name, field)
    table = LABEL_TABLES[(schema_name, field)]
    assert [v for v in values if v not in table] == []
    assert sorted(table) == sorted(values), "labels for values the schema no longer allows"


def test_needs_have_unique_slugs_and_cover_the_services_of_the_schema():
    assert len({n.slug for n in vocab.NEEDS}) == len(vocab.NEEDS)
    assert [n.value for n in vocab.NEEDS] == enum_values("sites", "services")


def test_every_source_and_sources_key_is_documented():
    """Each key of data/imports/sources.yaml is in the README; each source is named on the site."""
    from mednum.importers.store import SOURCE_KEYS, load_sources

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [key for key in SOURCE_KEYS if f"`{key}`" not in readme] == []
    donnees = (ROOT / "content" / "pages" / "donnees.md").read_text(encoding="utf-8")
    sources = load_sources(ROOT / "data")
    assert sources
    for source in sources:
        assert f"`{source.nom}`" in readme, source.nom
        assert source.page and source.page in donnees, f"{source.nom}: its page is not linked on /donnees/"
        assert source.licence.split(" ;")[0].split(" /")[0] in readme, source.nom
