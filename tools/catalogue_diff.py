"""What a pull request changes in the catalogue, in Markdown: records added, changed, removed.

    python tools/catalogue_diff.py BASE_DATA_DIR HEAD_DATA_DIR >> "$GITHUB_STEP_SUMMARY"

Compares data/sites.yaml, data/workshops.yaml and data/trainings.yaml of two
checkouts record by record (matched by ``id``) and names, for each changed record,
the fields that changed. The files are read as plain text values (PyYAML's
BaseLoader: no implicit typing, like the project's reader), so a change of quotes
or of layout alone is not a change. A file that cannot be read is reported as
such: the summary never fails the workflow, the validator does.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FILES = {
    "sites.yaml": ("lieu", "lieux d'aide"),
    "workshops.yaml": ("atelier", "ateliers et permanences"),
    "trainings.yaml": ("formation", "formations"),
}


class Unreadable(Exception):
    pass


@dataclass
class FileDiff:
    name: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, nom or titre)
    changed: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (id, name, fields)
    removed: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.error)


def load_records(path: Path) -> dict[str, dict[str, Any]]:
    """Records of a data file by id (a missing file has none)."""
    if not path.exists():
        return {}
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Unreadable(f"{path.name} illisible ({exc.__class__.__name__})") from None
    if document is None:
        return {}
    if not isinstance(document, list):
        raise Unreadable(f"{path.name} ne contient pas une liste de fiches")
    records: dict[str, dict[str, Any]] = {}
    for i, record in enumerate(document):
        if not isinstance(record, dict):
            record = {"": record}
        ident = record.get("id")
        key = ident if isinstance(ident, str) and ident else f"fiche n° {i + 1} (sans id)"
        while key in records:  # duplicate ids: the validator reports them; keep both here
            key += " (doublon)"
        records[key] = record
    return records


def _name(record: dict[str, Any]) -> str:
    value = record.get("nom", record.get("titre", ""))
    return value if isinstance(value, str) else ""


def diff_file(name: str, base: Path, head: Path) -> FileDiff:
    result = FileDiff(name)
    try:
        before, after = load_records(base / name), load_records(head / name)
    except Unreadable as exc:
        result.error = str(exc)
        return result
    for ident, record in after.items():
        if ident not in before:
            result.added.append((ident, _name(record)))
            continue
        old = before[ident]
        fields = [k for k in record if old.get(k, _MISSING) != record[k]]
        fields += [k for k in old if k not in record]
        if fields:
            result.changed.append((ident, _name(record), fields))
    result.removed = [(ident, _name(r)) for ident, r in before.items() if ident not in after]
    for items in (result.added, result.changed, result.removed):
        items.sort()
    return result


_MISSING = object()


def diff(base: Path, head: Path) -> list[FileDiff]:
    return [diff_file(name, base, head) for name in FILES]


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n < 2 else plural}"


def _text(value: str) -> str:
    """Text from a pull request, shown as text in the summary (no HTML, no Markdown)."""
    value = " ".join(value.split())
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        value = value.replace(char, entity)
    return "".join(f"\\{c}" if c in "\\`*_[]|#!" else c for c in value)


def _item(ident: str, name: str) -> str:
    code = ident.replace("`", "'")
    return f"`{code}`" + (f" — {_text(name)}" if name else "")


def render_markdown(diffs: list[FileDiff]) -> str:
    out = ["## Changements dans le catalogue", ""]
    if all(d.empty for d in diffs):
        out.append("Aucune fiche ajoutée, modifiée ou supprimée.")
        return "\n".join(out) + "\n"
    out += ["| fichier | ajoutées | modifiées | supprimées |", "|---|--:|--:|--:|"]
    for d in diffs:
        if d.error:
            out.append(f"| `data/{d.name}` | ? | ? | ? |")
        else:
            out.append(f"| `data/{d.name}` | {len(d.added)} | {len(d.changed)} | {len(d.removed)} |")
    for d in diffs:
        if d.empty:
            continue
        out += ["", f"### `data/{d.name}` ({FILES[d.name][1]})", ""]
        if d.error:
            out.append(f"Comparaison impossible : {d.error}.")
            continue
        out += [f"- ajoutée : {_item(ident, name)}" for ident, name in d.added]
        for ident, name, fields in d.changed:
            noun = _count(len(fields), "champ", "champs")
            out.append(f"- modifiée : {_item(ident, name)} ({noun} : {_text(', '.join(fields))})")
        out += [f"- supprimée : {_item(ident, name)}" for ident, name in d.removed]
        summary = ", ".join(
            [
                _count(len(d.added), "fiche ajoutée", "fiches ajoutées"),
                _count(len(d.changed), "modifiée", "modifiées"),
                _count(len(d.removed), "supprimée", "supprimées"),
            ]
        )
        out += ["", f"*{summary}.*"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage : python tools/catalogue_diff.py DOSSIER_AVANT DOSSIER_APRES", file=sys.stderr)
        return 2
    print(render_markdown(diff(Path(args[0]), Path(args[1]))), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
