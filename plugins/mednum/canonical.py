"""Canonical order of the data files: ``python -m mednum sort [--check] [--data data]``.

Canonical order is what every file of ``data/`` should look like, so that a pull
request shows only real changes and two people adding records do not collide:

- the records of each file are sorted by ``id`` (plain text order, as the importer
  inserts them);
- the fields of each record follow the order of the ``properties`` of the record in
  its schema (``schemas/*.schema.json``); fields the schema does not know (the
  validator reports them) come last, in the order they were written. Blocks inside a
  record (``x_accessibilite``, ``seances``…) are left as written.

Files are rewritten with ruamel.yaml's round-trip mode and the style of the
importer (``importers.merge``), so comments, quotes and the editor hint on the first
line survive. Comment lines written above a record (or above a field) move with it.
A file already in canonical order is never rewritten.

``--check`` rewrites nothing: it names the files that are not in canonical order and
exits 1 (``--format github`` prints them as annotations for a pull request).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from .importers import ImportFileError
from .importers.merge import (
    _dump,
    _last_slot,
    _load,
    _pop_after,
    _pop_tail,
    _set_after,
    _set_tail,
    write_text,
)
from .schema import KINDS, Kind, record_fields


class CanonicalError(Exception):
    """The file cannot be put in canonical order; ``str(error)`` is a French sentence."""


@dataclass(frozen=True)
class Disorder:
    """The first reason why a file is not in canonical order."""

    file: str
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def field_order(schema_path: Path) -> list[str]:
    """The record's properties in the order the schema lists them (``schema.record_fields``)."""
    try:
        return list(record_fields(schema_path))
    except OSError as exc:
        raise CanonicalError(f"{schema_path} : schéma illisible ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise CanonicalError(str(exc)) from None


def canonical_keys(keys: Sequence[str], order: Sequence[str]) -> list[str]:
    """Known fields in schema order, then unknown fields in their written order."""
    ranks = {name: i for i, name in enumerate(order)}
    return [k for _, k in sorted(enumerate(keys), key=lambda p: (ranks.get(p[1], len(ranks)), p[0]))]


def _ident(record: Any, index: int, file: str) -> str:
    ident = record.get("id") if isinstance(record, CommentedMap) else None
    if not isinstance(ident, str) or not ident:
        raise CanonicalError(
            f"{file} : la fiche n° {index + 1} n'a pas d'identifiant (id) : "
            "corrigez-la d'abord (python -m mednum check)"
        )
    return ident


def _line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return (lc.line + 1) if lc is not None and lc.line is not None else 1


def disorders(document: CommentedSeq, order: Sequence[str], kind: Kind, file: str) -> list[Disorder]:
    """Why ``document`` is not in canonical order (empty if it is)."""
    found: list[Disorder] = []
    ids = [_ident(record, i, file) for i, record in enumerate(document)]
    for i in range(1, len(ids)):
        if ids[i] < ids[i - 1]:
            found.append(
                Disorder(
                    file,
                    _line(document[i]),
                    f"{kind.noun} « {ids[i]} » placée après « {ids[i - 1]} » :"
                    " les fiches sont rangées par identifiant (id)",
                )
            )
            break
    for ident, record in zip(ids, document, strict=True):
        keys = list(record)
        expected = canonical_keys(keys, order)
        if keys != expected:
            position = next(i for i, (a, b) in enumerate(zip(keys, expected, strict=True)) if a != b)
            found.append(
                Disorder(
                    file,
                    _line(record),
                    f"{kind.noun} « {ident} » : le champ « {expected[position]} » doit venir avant"
                    f" « {keys[position]} » (ordre des champs du schéma {kind.schema_file})",
                )
            )
    return found


# --- rewriting --------------------------------------------------------------------
# Blank lines and comments between two records (or two fields) are stored by
# ruamel.yaml on the last value above them; they describe what follows them, so
# they are detached, the items reordered, and the text put back in front of the
# item it preceded.


def _reorder_fields(record: CommentedMap, order: Sequence[str]) -> str:
    """Put the fields of ``record`` (tail already detached) in canonical order.

    Returns the text that must now stand in front of the record: non-empty only
    when a field with comments above it becomes the record's first field.
    """
    keys = list(record)
    expected = canonical_keys(keys, order)
    if keys == expected:
        return ""
    leading = {keys[0]: ""}
    for previous, key in pairwise(keys):
        leading[key] = _pop_after(_last_slot(record, previous))
    for key in expected:
        record.move_to_end(key)
    for previous, key in pairwise(expected):
        _set_after(_last_slot(record, previous), leading[key])
    return leading[expected[0]]


def _add_to_header(document: CommentedSeq, text: str) -> None:
    """Comment lines that now stand above the first record go below the file's header."""
    text = text.lstrip("\n")
    if not text.strip():
        return
    if document.ca.comment is None:
        document.ca.comment = [None, []]
    while len(document.ca.comment) < 2:
        document.ca.comment.append(None)
    if document.ca.comment[1] is None:
        document.ca.comment[1] = []
    document.ca.comment[1].append(CommentToken(text, CommentMark(0), None))


def canonicalize(document: CommentedSeq, order: Sequence[str], file: str = "") -> bool:
    """Sort ``document`` in place; True if anything moved."""
    records = list(document)
    ids = [_ident(record, i, file) for i, record in enumerate(records)]
    sorted_ids = sorted(ids)
    fields_ok = all(list(r) == canonical_keys(list(r), order) for r in records)
    if ids == sorted_ids and fields_ok:
        return False
    tails = [_pop_tail(record) for record in records]
    leading: dict[int, str | None] = {id(records[0]): None}
    for record, tail in zip(records[1:], tails, strict=False):
        leading[id(record)] = tail
    end = tails[-1]
    for record in records:
        extra = _reorder_fields(record, order)
        if extra:
            before = leading[id(record)]
            leading[id(record)] = (before or "\n") + extra.lstrip("\n")
    ordered = [r for _, r in sorted(zip(ids, records, strict=True), key=lambda p: p[0])]
    del document[:]
    document.extend(ordered)
    first = leading[id(ordered[0])]
    if first is not None:
        _add_to_header(document, first)
    for record, following in pairwise(ordered):
        text = leading[id(following)]
        _set_tail(record, "\n" if text is None else text)
    _set_tail(ordered[-1], end)
    return True


def _document(path: Path) -> tuple[str, CommentedSeq]:
    try:
        return _load(path)
    except ImportFileError as exc:
        raise CanonicalError(str(exc)) from None


def sort_file(path: Path, schema_path: Path, display: str | None = None) -> bool:
    """Rewrite ``path`` in canonical order; True if it changed."""
    display = display or str(path)
    order = field_order(schema_path)
    header, document = _document(path)
    if not len(document) or not canonicalize(document, order, display):
        return False
    write_text(path, header + _dump(document))
    return True


def check_file(path: Path, schema_path: Path, kind: Kind, display: str | None = None) -> list[Disorder]:
    display = display or str(path)
    _, document = _document(path)
    return disorders(document, field_order(schema_path), kind, display)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mednum sort",
        description="Range les fiches par identifiant et leurs champs dans l'ordre du schéma.",
    )
    parser.add_argument(
        "--check", action="store_true", help="ne rien réécrire : signaler les fichiers à remettre en ordre"
    )
    parser.add_argument("--data", default="data", help="dossier des fiches (défaut : data)")
    parser.add_argument("--schemas", default="schemas", help="dossier des schémas (défaut : schemas)")
    parser.add_argument("--format", choices=("text", "github"), default="text")
    args = parser.parse_args(argv)
    data, schemas = Path(args.data), Path(args.schemas)
    status = 0
    for kind in KINDS:
        path = data / kind.filename
        display = str(path)
        if not path.exists():
            print(f"mednum sort : {display} introuvable", file=sys.stderr)
            status = 2
            continue
        try:
            if args.check:
                found = check_file(path, schemas / kind.schema_file, kind, display)
                if not found:
                    continue
                status = max(status, 1)
                if args.format == "github":
                    for d in found:
                        message = f"{d.message}. Corrigez avec « make sort » (python -m mednum sort)."
                        print(f"::error file={d.file},line={d.line}::{_escape(message)}")
                else:
                    print(f"{display} n'est pas dans l'ordre canonique :")
                    for d in found:
                        print(f"  {d}")
            elif sort_file(path, schemas / kind.schema_file, display):
                print(f"{display} : remis dans l'ordre canonique")
        except CanonicalError as exc:
            print(f"mednum sort : {exc}", file=sys.stderr)
            status = 2
    if status == 1 and args.format == "text":
        print("Pour les remettre en ordre : make sort (ou python -m mednum sort).")
    return status
