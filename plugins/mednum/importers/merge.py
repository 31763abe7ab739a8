"""Merge imported records into a YAML data file, keeping what people wrote by hand.

The file is read and written with ruamel.yaml's round-trip mode so that its
comments, the editor hint on the first line, key order and record order
survive. Records are matched by ``id``: an importer only replaces the fields it
owns; local extensions (``x_…``) and fields it does not know stay as they are.

Blank lines and comments between two records are stored by ruamel.yaml on the
last value of the record above; ``_pop_tail``/``_set_tail`` move them so that
they stay in front of the record they describe when records are inserted.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import CommentMark, MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from ..french import count_fr
from . import ImportFileError, site_fields

SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/sites.schema.json"
# Codes, phones and dates are text with digits: quoted, no reader can take them for numbers.
ALWAYS_QUOTED = frozenset({"code_postal", "code_insee", "telephone", "pivot", "date_maj"})
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVERS = (VersionedResolver(version=(1, 1)), VersionedResolver(version=(1, 2)))
_MISSING = object()
# What a block (« | »), plain or single-quoted scalar cannot hold as it is: line breaks other
# than « \n » (NEL U+0085, U+2028, U+2029, CR), control characters, non-characters. ruamel.yaml
# writes them raw and then cannot read the file back (or reads another text); in double
# quotes they are escapes (« \N », « \L »…) that every reader turns back into the same text.
_NOT_PRINTABLE = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")


@dataclass
class MergeSummary:
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # id → changed field names
    unchanged: list[str] = field(default_factory=list)

    def text(self) -> str:
        """« 3 fiches ajoutées, 2 modifiées (telephone, horaires), 44 inchangées »."""
        fields: list[str] = []
        for names in self.changed.values():
            fields.extend(name for name in names if name not in fields)
        changed = count_fr(len(self.changed), "modifiée", "modifiées")
        if fields:
            changed += f" ({', '.join(fields)})"
        return ", ".join(
            [
                count_fr(len(self.added), "fiche ajoutée", "fiches ajoutées"),
                changed,
                count_fr(len(self.unchanged), "inchangée", "inchangées"),
            ]
        )


def merge_into_yaml(
    path: str | Path,
    records: Iterable[dict],
    owned_fields: set[str] | frozenset[str] | Mapping[str, set[str]],
    field_order: Sequence[str] | None = None,
    remove: Iterable[str] = (),
) -> MergeSummary:
    """Merge ``records`` into the list of records in ``path`` (created if missing).

    ``owned_fields`` are the fields an import may replace or remove: the same for every
    record, or one set per record id (the consolidation keeps what people changed by hand).
    ``remove``: ids of records to take out (the consolidation merged them into another one).
    ``field_order``: where a new field goes in a record (default: ``schemas/sites.schema.json``'s order).
    """
    path = Path(path)
    # A field set to None is a field the import does not have.
    records = [{k: v for k, v in r.items() if v is not None} for r in records]
    ids = [record["id"] for record in records]
    if len(set(ids)) != len(ids):
        raise ImportFileError("identifiants en double dans les fiches importées")
    header, document = _load(path)
    by_id = {
        item["id"]: item
        for item in document
        if isinstance(item, CommentedMap) and isinstance(item.get("id"), str)
    }
    rank = {name: i for i, name in enumerate(site_fields() if field_order is None else field_order)}
    summary = MergeSummary()
    for record in sorted(records, key=lambda r: r["id"]):
        target = by_id.get(record["id"])
        if target is None:
            _insert(document, _node(record))
            summary.added.append(record["id"])
            continue
        owned = owned_fields.get(record["id"], set()) if isinstance(owned_fields, Mapping) else owned_fields
        changed = _update(target, record, owned, rank)
        if changed:
            summary.changed[record["id"]] = changed
        else:
            summary.unchanged.append(record["id"])
    _remove(document, set(remove))
    _quote(document)
    write_text(path, header + _dump(document))
    return summary


def _yaml() -> YAML:
    yaml = YAML()
    yaml.Emitter = _FlushLeftEmitter
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 10_000  # never fold a long sentence over several lines
    return yaml


class _FlushLeftEmitter(Emitter):
    """Write the top-level list at column 0 (``- id: …``) while nested lists stay
    indented under their key; ruamel.yaml applies one dash offset everywhere."""

    def increase_indent(self, flow: bool = False, sequence: Any = None, indentless: bool = False):
        super().increase_indent(flow, sequence, indentless)
        values = self.indents.values
        if not flow and len(values) == 2 and values[0] == (None, True):
            self.indent = 2  # the keys of a top-level record

    def expect_block_sequence_item(self, first: bool = False) -> None:
        if self.indent == 0 and len(self.indents.values) == 1:
            saved, self.sequence_dash_offset = self.sequence_dash_offset, 0
            try:
                return super().expect_block_sequence_item(first)
            finally:
                self.sequence_dash_offset = saved
        return super().expect_block_sequence_item(first)


def _load(path: Path) -> tuple[str, CommentedSeq]:
    """(text to write before the list, the list) — the header is only needed
    when the file holds no record yet: ruamel.yaml drops comments of an empty document."""
    if not path.exists():
        return SCHEMA_LINE + "\n\n", CommentedSeq()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ImportFileError(f"{path} : le fichier n'est pas un texte en UTF-8") from None
    except OSError as error:
        raise ImportFileError(f"{path} : lecture impossible ({error.strerror})") from None
    try:
        document = _yaml().load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ImportFileError(f"{where}: YAML illisible ({error.problem})") from None
    except YAMLError as error:
        raise ImportFileError(f"{path} : YAML illisible ({error})") from None
    if document is None:
        lines = [line for line in text.splitlines() if line.strip()]
        if any(not line.lstrip().startswith("#") for line in lines):
            raise ImportFileError(f"{path} : le fichier doit contenir une liste de fiches")
        return ("\n".join(lines) + "\n\n" if lines else ""), CommentedSeq()
    if not isinstance(document, CommentedSeq):
        raise ImportFileError(f"{path} : le fichier doit contenir une liste de fiches (- id: …)")
    return "", document


def _dump(document: CommentedSeq) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def write_text(path: Path, text: str) -> None:
    """Write ``text`` next to ``path`` then rename; leave an unchanged file (and its date) alone."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # An interrupted import never leaves half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, _mode(path))  # mkstemp creates 0600 files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _remove(document: CommentedSeq, ids: set[str]) -> None:
    """Take records out; the comments above one go with it, those below it stay for the next."""
    for index in reversed(range(len(document))):
        item = document[index]
        if not (isinstance(item, CommentedMap) and item.get("id") in ids):
            continue
        tail = _pop_tail(item)
        del document[index]
        if index > 0:
            previous = document[index - 1]
            _pop_tail(previous)
            _set_tail(previous, tail)


def _insert(document: CommentedSeq, node: CommentedMap) -> None:
    """Insert before the first record with a greater id (canonical order: by id)."""
    position = next(
        (
            i
            for i, item in enumerate(document)
            if isinstance(item, CommentedMap) and str(item.get("id", "")) > node["id"]
        ),
        len(document),
    )
    if position > 0:
        # What followed the previous record (blank line, comments about the next
        # record, end-of-file comments) now follows the new one.
        previous = document[position - 1]
        tail = _pop_tail(previous)
        _set_tail(node, tail if position == len(document) else tail or "\n")
        _set_tail(previous, "\n")
    elif document:
        _set_tail(node, "\n")
    document.insert(position, node)


def _update(target: CommentedMap, record: dict, owned: Iterable[str], rank: dict) -> list[str]:
    """Replace the owned fields of ``target`` that differ; return their names."""
    changed = [
        name for name in owned if _plain(target.get(name, _MISSING)) != _plain(record.get(name, _MISSING))
    ]
    changed.sort(key=lambda name: (rank.get(name, len(rank)), name))
    if not changed:
        return []
    tail = _pop_tail(target)
    for name in changed:
        # Comments written below a field are stored on its value: move them along.
        if name not in record:
            keys = list(target)
            after = _pop_after(_last_slot(target, name))
            del target[name]
            previous = keys[keys.index(name) - 1]
            slot = _last_slot(target, previous)
            _set_after(slot, _pop_after(slot) + after)
        elif name in target:
            after = _pop_after(_last_slot(target, name))
            target[name] = _node(record[name])
            _set_after(_last_slot(target, name), after)
        else:
            target.insert(_position(target, name, rank), name, _node(record[name]))
    _set_tail(target, tail)
    return changed


def _position(target: CommentedMap, name: str, rank: dict) -> int:
    """Index after the last key that comes before ``name`` in the schema's order."""
    position = 0
    for i, key in enumerate(target):
        if key in rank and name in rank and rank[key] < rank[name]:
            position = i + 1
    return position if name in rank else len(target)


def _plain(value: Any) -> Any:
    """Compare values whatever their YAML style (quoted or not, flow or block)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, ScalarString):
        return str(value)
    if isinstance(value, bool):
        return ("bool", value)  # True must not equal 1
    return value


def _node(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((key, _node(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return CommentedSeq(_node(item) for item in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)  # several lines stay readable as lines
    return value


def _quote(node: Any, key: Any = None) -> Any:
    """Double-quote codes, any text that YAML 1.1 or 1.2 would not read as text, and any text
    with a character only double quotes can write (``_NOT_PRINTABLE``), even in several lines."""
    if isinstance(node, CommentedMap):
        for name in list(node):
            new = _quote(node[name], name)
            if new is not node[name]:
                node[name] = new
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            new = _quote(item, key)
            if new is not item:
                node[i] = new
    elif (
        isinstance(node, str)
        and not isinstance(node, DoubleQuotedScalarString)
        and _NOT_PRINTABLE.search(node)
    ):
        return DoubleQuotedScalarString(str(node))
    elif (
        isinstance(node, str)
        and not isinstance(node, DoubleQuotedScalarString | LiteralScalarString)
        and (key in ALWAYS_QUOTED or _ambiguous(node))
    ):
        return DoubleQuotedScalarString(node)
    return node


def _ambiguous(text: str) -> bool:
    if any(str(r.resolve(ScalarNode, text, (True, False))) != _STR_TAG for r in _RESOLVERS):
        return True
    # PyYAML (used elsewhere in the project) has its own YAML 1.1 rules.
    return pyyaml.resolver.Resolver().resolve(pyyaml.ScalarNode, text, (True, False)) != _STR_TAG


# --- blank lines and comments after a record ---------------------------------
# ruamel.yaml keeps the line break that ends a value, the blank lines and the
# comment lines below it in one token on the value's last scalar (its deepest
# last item). The first segment of that token, up to its first line break, is
# the value's own end-of-line comment and stays; the rest is what we move.


def _last_slot(container: Any, key: Any) -> tuple[Any, Any]:
    """(container, key or index) of the last scalar of ``container[key]``."""
    while True:
        value = container[key]
        block = isinstance(value, CommentedMap | CommentedSeq) and not value.fa.flow_style()
        if not (block and len(value)):
            return container, key
        container = value
        key = next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1


def _record_slot(record: Any) -> tuple[Any, Any] | None:
    if isinstance(record, CommentedMap | CommentedSeq) and len(record):
        return _last_slot(record, next(reversed(record)) if isinstance(record, CommentedMap) else -1)
    return None


def _index(container: Any) -> int:
    return 2 if isinstance(container, CommentedMap) else 0


def _pop_after(slot: tuple[Any, Any] | None) -> str:
    """Detach the blank lines and comments below a value (keep its end-of-line comment)."""
    if slot is None:
        return ""
    container, key = slot
    if isinstance(container, CommentedSeq):
        key = key % len(container)
    entry = container.ca.items.get(key)
    index = _index(container)
    token = entry[index] if entry and len(entry) > index else None
    if token is None:
        return ""
    first, _, rest = token.value.partition("\n")
    if first:
        token.value = first + "\n"
    else:
        entry[index] = None
    return rest


def _set_after(slot: tuple[Any, Any] | None, text: str) -> None:
    """Put ``text`` (``"\\n"`` is one blank line) below a value."""
    if slot is None or not text:
        return
    container, key = slot
    if isinstance(container, CommentedSeq):
        key = key % len(container)
    index = _index(container)
    entry = container.ca.items.setdefault(key, [None] * (4 if index == 2 else 2))
    token = entry[index]
    if token is not None:
        token.value = token.value.partition("\n")[0] + "\n" + text
    else:
        entry[index] = CommentToken("\n" + text, CommentMark(0), None)


def _pop_tail(record: Any) -> str:
    return _pop_after(_record_slot(record))


def _set_tail(record: Any, text: str) -> None:
    _set_after(_record_slot(record), text)
