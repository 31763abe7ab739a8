"""Check records against the JSON Schema files of ``schemas/``, in French.

The schemas are the single description of every field: editors use them as you
type (first line of each data file), this module uses them at build time, and
the documentation test checks that each field carries a description.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from .problems import Report
from .yamlsource import YamlDocument

_TYPE_FR = {
    "string": "du texte",
    "number": "un nombre",
    "integer": "un nombre entier",
    "boolean": "true ou false",
    "array": "une liste",
    "object": "un bloc de champs",
    "null": "une valeur vide",
}

_BOOLEAN_WORDS = {"oui", "non", "yes", "no", "on", "off", "vrai", "faux", "y", "n"}


@dataclass(frozen=True)
class Kind:
    """One data file and how its records are named in messages."""

    name: str
    filename: str
    schema_file: str
    noun: str
    example_field: str

    def subject(self, record: Any, index: int) -> str:
        ident = record.get("id") if isinstance(record, dict) else None
        if isinstance(ident, str) and ident:
            return f"{self.noun} « {ident} »"
        return f"{self.noun} n° {index + 1}"


SITES = Kind("sites", "sites.yaml", "sites.schema.json", "lieu", "x_exemple")
WORKSHOPS = Kind("workshops", "workshops.yaml", "workshops.schema.json", "atelier", "exemple")
TRAININGS = Kind("trainings", "trainings.yaml", "trainings.schema.json", "formation", "exemple")
KINDS = (SITES, WORKSHOPS, TRAININGS)

# The official Table Schema of the national standard (LaMednum/ANCT « schéma des lieux de
# médiation numérique », v1.0.2), shipped with the package: the national CSV export writes
# its columns and the national importer expects its required ones.
NATIONAL_STANDARD = Path(__file__).with_name("lieux-mediation-numerique-schema.json")


def record_fields(schema_path: Path) -> Mapping[str, dict]:
    """The fields of one record described by ``schema_path``, in the schema's order, with their definitions.

    ``schemas/*.schema.json`` (JSON Schema of a list of records): the ``properties`` of its
    ``items`` (``$ref`` followed); a Table Schema (the national standard): its ``fields`` by
    name. This order is the one every file and export follows. Each version of a file is read
    once; the mapping is shared, not to be modified. Raises ``OSError``, or ``ValueError``
    with a French sentence.
    """
    path = Path(schema_path).resolve()
    stat = path.stat()
    try:
        return _record_fields(path, stat.st_mtime_ns, stat.st_size)
    except ValueError as exc:
        raise ValueError(f"{schema_path} : {exc}") from None


@cache
def _record_fields(path: Path, _mtime_ns: int, _size: int) -> Mapping[str, dict]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"schéma illisible ({exc})") from None
    if isinstance(document, dict) and isinstance(document.get("fields"), list):  # Table Schema
        fields = {f["name"]: f for f in document["fields"] if isinstance(f, dict) and "name" in f}
    else:
        node = document.get("items", {}) if isinstance(document, dict) else {}
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str) and ref.startswith("#/"):
            node = document
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
        fields = node.get("properties") if isinstance(node, dict) else None
    if not isinstance(fields, dict) or not fields:
        raise ValueError("le schéma ne décrit pas les champs d'une fiche")
    return MappingProxyType(dict(fields))


def field_name(path: tuple) -> str:
    """``("x_arrets", 1, "horaires")`` → ``x_arrets[2].horaires`` (counted from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def fold(text: str) -> str:
    """Case- and accent-insensitive form, for suggestions."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def suggest(value: str, choices: list[str]) -> str | None:
    """The choice a near miss was meant to be, if one stands out."""
    folded = {fold(c): c for c in choices}
    if fold(value) in folded:
        return folded[fold(value)]
    close = difflib.get_close_matches(fold(value), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


# The texts of the schema files already checked against the metaschema in this process.
_WELL_FORMED: set[str] = set()


class Schema:
    """A JSON Schema file, with the coercion and French messages it needs."""

    def __init__(self, path: Path, kind: Kind):
        self.kind = kind
        self.path = path
        text = path.read_text(encoding="utf-8")
        self.document = json.loads(text)
        if text not in _WELL_FORMED:
            # Checked against the metaschema by jsonschema-rs (1 ms; Python's jsonschema takes
            # 50 ms a schema, at every build); Python's words the problem if there is one.
            if not jsonschema_rs.meta.is_valid(self.document):
                Draft202012Validator.check_schema(self.document)
            _WELL_FORMED.add(text)

    @cached_property
    def validator(self) -> Draft202012Validator:
        return Draft202012Validator(self.document)

    @cached_property
    def fast_validator(self) -> jsonschema_rs.Draft202012Validator:
        """The same schema in jsonschema-rs (Rust): it only tells which records have a problem.

        Python's jsonschema takes ~10 s for 25,000 records, nearly all of them valid; the Rust
        validator takes a fraction of a second. It must never pass what Python refuses
        (``tests/test_fast_validation.py`` checks both agree on every record of the fixtures and of
        the hostile corpus), so its patterns get Python's ``\\s``, and formats stay unchecked
        as in ``validator``.
        """
        return jsonschema_rs.validator_for(python_patterns(self.document), validate_formats=False)

    @cached_property
    def record_validator(self) -> Draft202012Validator:
        """``validator`` for one record: its ``items`` schema with the shared definitions."""
        shared = {k: v for k, v in self.document.items() if k in ("$schema", "$id", "$defs")}
        return Draft202012Validator({**shared, **self.document["items"]})

    @cached_property
    def record_schema(self) -> dict:
        return self.resolve(self.document["items"])

    def resolve(self, node: dict) -> dict:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"unsupported $ref {ref}")
            target: Any = self.document
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
        return node

    def coerce(self, value: Any, node: dict, path: tuple, doc: YamlDocument) -> Any:
        """Give back the written text where the schema wants text; drop empty fields.

        ``code_postal: 34000`` was read as the int 34000 with its text kept: a
        text field gets "34000" back, so authors need not quote codes.
        """
        node = self.resolve(node)
        wanted = node.get("type")
        if wanted == "string" and not isinstance(value, str):
            written = doc.written(path)
            if written is not None:
                return written
        # A text stays as it is whatever the schema wants (most values: 1.7 million at national
        # size), so it is kept here without a call.
        if wanted == "object" and isinstance(value, dict):
            props = node.get("properties", {})
            return {
                key: item if type(item) is str else self.coerce(item, props.get(key, {}), (*path, key), doc)
                for key, item in value.items()
                if item is not None
            }
        if wanted == "array" and isinstance(value, list):
            items = node.get("items", {})
            return [
                item if type(item) is str else self.coerce(item, items, (*path, i), doc)
                for i, item in enumerate(value)
            ]
        return value

    def check(self, doc: YamlDocument, report: Report) -> list:
        """Coerced records of ``doc`` with every schema problem reported."""
        if not isinstance(doc.data, list):
            report.error(
                doc.location(()),
                "le fichier doit être une liste de fiches, chacune commençant par « - id: »",
            )
            return []
        records = self.coerce(doc.data, self.document, (), doc)
        for prefix, error in self.errors(records):
            self._report(error, prefix, records, doc, report)
        return records

    def errors(self, records: list):
        """(path prefix, error) for every problem Python's jsonschema finds in ``records``.

        The Rust validator first names the records with any problem; only those go through
        the Python validator, whose errors carry what the French messages need. Anything the
        Rust side cannot take (a key that is not text, a value JSON has no type for) or an
        error about the whole list sends the whole list through Python, as before.
        """
        try:
            failing = {tuple(e.instance_path[:1]) for e in self.fast_validator.iter_errors(records)}
        except ValueError:
            failing = {()}
        if () in failing or any(not isinstance(index, int) for (index,) in failing):
            for error in self.validator.iter_errors(records):
                yield (), error
            return
        for (index,) in sorted(failing):
            for error in self.record_validator.iter_errors(records[index]):
                yield (index,), error

    def _report(self, error, prefix: tuple, records: list, doc: YamlDocument, report: Report) -> None:
        path = (*prefix, *error.absolute_path)
        if not path:
            report.error(doc.location(()), f"structure invalide ({error.message})")
            return
        index = path[0]
        record = records[index] if isinstance(index, int) else None
        subject = self.kind.subject(record, index)
        rel = path[1:]
        for field_path, message, on_key in self._messages(error, rel):
            location = doc.location((index, *field_path), key=on_key)
            report.error(location, message, subject, field_name(field_path))

    def _messages(self, error, rel: tuple):
        """Yield (field path, French message, point at key?) for one schema error."""
        v, inst, schema = error.validator, error.instance, error.schema
        if v == "required":
            props = set(inst) if isinstance(inst, dict) else set()
            for name in error.validator_value:
                if name not in props:
                    yield (*rel, name), "champ obligatoire manquant", False
        elif v == "additionalProperties":
            known = sorted(schema.get("properties", {}))
            for name in inst:
                if name in known:
                    continue
                hint = suggest(name, known)
                if hint:
                    message = f"champ inconnu : vouliez-vous dire « {hint} » ?"
                else:
                    message = f"champ inconnu (voir la liste des champs dans schemas/{self.kind.schema_file})"
                yield (*rel, name), message, True
        elif v == "type":
            yield rel, self._type_message(error.validator_value, inst), False
        elif v == "enum":
            choices = [str(c) for c in error.validator_value]
            hint = suggest(str(inst), choices)
            if hint:
                message = f"valeur « {inst} » inconnue : vouliez-vous dire « {hint} » ?"
            elif len(choices) <= 12:
                message = f"valeur « {inst} » inconnue ; valeurs possibles : " + ", ".join(
                    f"« {c} »" for c in choices
                )
            else:
                message = f"valeur « {inst} » inconnue (voir la liste dans schemas/{self.kind.schema_file})"
            yield rel, message, False
        elif v in ("pattern", "format"):
            message = schema.get("x-erreur", "format invalide")
            yield rel, f"« {inst} » : {message}{self._pattern_hint(schema, inst)}", False
        elif v == "maxLength":
            yield rel, f"texte trop long : {len(inst)} caractères pour {error.validator_value} au plus", False
        elif v == "minLength":
            yield rel, "valeur vide : supprimez le champ ou remplissez-le", False
        elif v == "minItems":
            n = error.validator_value
            yield rel, "au moins une valeur attendue" if n == 1 else f"au moins {n} valeurs attendues", False
        elif v == "uniqueItems":
            seen, dup = [], None
            for item in inst:
                if item in seen:
                    dup = item
                    break
                seen.append(item)
            yield rel, f"valeur « {dup} » écrite deux fois", False
        elif v in ("minimum", "exclusiveMinimum"):
            word = "au moins" if v == "minimum" else "plus que"
            yield rel, f"{inst} : la valeur doit être {word} {error.validator_value}", False
        elif v in ("maximum", "exclusiveMaximum"):
            word = "au plus" if v == "maximum" else "moins que"
            yield rel, f"{inst} : la valeur doit être {word} {error.validator_value}", False
        elif v in ("oneOf", "anyOf"):
            names = [n for s in error.validator_value for n in s.get("required", [])]
            listed = " ou ".join(f"« {n} »" for n in names)
            present = [n for n in names if isinstance(inst, dict) and n in inst]
            if v == "oneOf" and len(present) > 1:
                yield rel, f"indiquez {listed}, pas les deux", False
            else:
                yield rel, f"indiquez {listed}", False
        elif v == "minProperties":
            yield rel, "indiquez au moins un champ", False
        else:  # pragma: no cover - every keyword our schemas use is handled above
            yield rel, f"valeur invalide ({error.message})", False

    @staticmethod
    def _type_message(expected: str | list, inst: Any) -> str:
        wanted = expected if isinstance(expected, str) else expected[0]
        if wanted == "boolean" and isinstance(inst, str) and inst.strip().lower() in _BOOLEAN_WORDS:
            return f"écrivez true ou false (« {inst} » n'est pas reconnu)"
        if wanted == "array" and not isinstance(inst, list):
            return "une liste est attendue : écrivez chaque valeur sur sa ligne, après « - »"
        if wanted in ("number", "integer") and isinstance(inst, str):
            shown = inst.replace(",", ".")
            hint = " (avec un point décimal, sans guillemets)" if "," in inst else " (sans guillemets)"
            return f"{_TYPE_FR[wanted]} attendu{hint}, pas « {inst} »" + (
                f" : écrivez {shown}" if shown != inst else ""
            )
        return f"{_TYPE_FR.get(wanted, wanted)} attendu, pas {_describe(inst)}"

    @staticmethod
    def _pattern_hint(schema: dict, inst: Any) -> str:
        if "+33" in schema.get("pattern", "") and isinstance(inst, str):
            from .french import phone_to_e164

            fixed = phone_to_e164(inst)
            if fixed and fixed != inst:
                return f" ; écrivez « {fixed} »"
        return ""


# Python's ``\s`` on text also matches the separators U+001C to U+001F; Rust's does not.
_SPACE = re.compile(r"(?<!\\)((?:\\\\)*)\\s")
_CLASS = re.compile(r"\[(?:\\.|[^\]\\])*\]")


def _python_space(pattern: str) -> str:
    """``pattern`` with each ``\\s`` matching what it matches in Python's ``re``."""
    out, last = [], 0
    for klass in _CLASS.finditer(pattern):  # inside a class: add the range to the class
        out.append(_SPACE.sub(r"\1[\\s\\x1c-\\x1f]", pattern[last : klass.start()]))
        out.append(_SPACE.sub(r"\1\\s\\x1c-\\x1f", klass.group()))
        last = klass.end()
    out.append(_SPACE.sub(r"\1[\\s\\x1c-\\x1f]", pattern[last:]))
    return "".join(out)


def python_patterns(schema: Any) -> Any:
    """A copy of ``schema`` whose ``pattern`` keywords match exactly as Python's ``re`` does."""
    schema = copy.deepcopy(schema)
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                node["pattern"] = _python_space(node["pattern"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return schema


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"« {str(value).lower()} »"
    if isinstance(value, (int, float)):
        return f"le nombre {value}"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, dict):
        return "un bloc de champs"
    if value is None:
        return "une valeur vide"
    return f"« {value} »"
