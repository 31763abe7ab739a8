"""``python -m mednum import FORMAT FICHIER.csv [--data data] [--date AAAA-MM-JJ]``.

Formats:

* ``france-services``: the ANCT national list of France Services (``--date``: date of the list);
* ``lieux-mediation-numerique``: a CSV of the national standard of *lieux de
  médiation numérique* v1.x (only the places of Hérault are kept);
* ``herault``: the Hérault open-data export of help points (``;``-separated).

Prints one line per row problem (``fichier.csv:12: …``), the values that could
not be mapped to the standard, and a French summary of the merge into
``DATA/sites.yaml`` (added / changed / left alone).

The merge is written to a copy of the data folder first and checked there with
the validator of the site (``load_catalogue``): ``sites.yaml`` is replaced only
when the whole catalogue is still valid. Exit status: 0 when the merge happened
(row problems are reported, not fatal); 1 when the merged catalogue is invalid
(its errors are printed and ``sites.yaml`` is left as it was); 2 when nothing
could be imported (unreadable file, bad arguments).

A data folder without ``reference/`` (not a catalogue, e.g. a new folder) cannot
be checked: the merge is then written directly and a warning says so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..catalogue import LoadOptions, load_catalogue
from ..settings import build_date
from . import ImportFileError, france_services, herault, national
from .merge import merge_into_yaml

FORMATS = ("france-services", "lieux-mediation-numerique", "herault")
USAGE = (
    f"python -m mednum import {{{','.join(FORMATS)}}} FICHIER.csv "
    "[--data DOSSIER] [--schemas DOSSIER] [--date AAAA-MM-JJ]"
)


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    # argparse's own messages are English and it exits by itself: take over.
    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mednum import", usage=USAGE, add_help=False)
    parser.add_argument("source", choices=FORMATS)
    parser.add_argument("file", type=Path)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--schemas", type=Path, default=None)
    parser.add_argument("--date", default=france_services.DEFAULT_DATE)
    return parser


def _read(args):
    """(import result, fields the format owns)."""
    if args.source == "france-services":
        return france_services.read(args.file, date_maj=args.date), france_services.OWNED_FIELDS
    reference = national.reference_for(args.data)
    if args.source == "herault":
        return herault.read(args.file, reference), herault.OWNED_FIELDS
    return national.read(args.file, reference), national.OWNED_FIELDS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the import; ``argv`` may start with ``import`` or directly with the format."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["import"]:
        args_list = args_list[1:]
    try:
        args = _parser().parse_args(args_list)
    except _UsageError as error:
        print(f"Erreur : arguments invalides ({error}).\nUtilisation : {USAGE}", file=sys.stderr)
        return 2
    target = args.data / "sites.yaml"
    try:
        result, owned = _read(args)
        for problem in result.problems:
            print(f"{args.file}:{problem.line}: {problem.message_fr}", file=sys.stderr)
        unmapped = result.unmapped_lines() if isinstance(result, national.MappedResult) else []
        if unmapped:
            print(f"Valeurs de {args.file} sans équivalent dans le schéma national (non reprises) :")
            for line in unmapped:
                print(f"  - {line}")
        if (args.data / "reference").is_dir():
            code, summary = _merge_checked(args, target, result.records, owned)
            if code:
                return code
        else:
            summary = merge_into_yaml(target, result.records, owned)
            print(
                f"Attention : {args.data} n'a pas de dossier reference/ : les fiches n'ont pas été vérifiées.",
                file=sys.stderr,
            )
    except ImportFileError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except OSError as error:  # writing the YAML file (disk full, no permission…)
        print(f"Erreur : écriture de {target} impossible ({error.strerror})", file=sys.stderr)
        return 2
    outside = getattr(result, "outside", 0)
    if outside:
        print(f"{outside} lieu(x) hors de l'Hérault laissé(s) de côté.")
    print(f"{target} : {summary.text()}.")
    if result.problems:
        print(f"{len(result.problems)} problème(s) signalé(s) dans {args.file} (voir ci-dessus).")
    return 0


def _merge_checked(args, target: Path, records: list[dict], owned) -> tuple[int, object]:
    """Merge into a copy of the data folder, validate it, then replace ``sites.yaml``.

    Returns (exit code, merge summary); exit code 1 leaves ``target`` untouched.
    """
    data = args.data.resolve()
    schemas = (args.schemas or data.parent / "schemas").resolve()
    # The copy sits next to the data folder: same file system, so the final rename is atomic.
    work = Path(tempfile.mkdtemp(prefix=".import-", dir=data.parent))
    try:
        copy = work / data.name
        shutil.copytree(data, copy, symlinks=True)
        summary = merge_into_yaml(copy / "sites.yaml", records, owned)
        # Fictional records already there are `make check`'s business, not the import's.
        options = LoadOptions(copy, schemas, build_date({}), root=work, allow_examples=True)
        catalogue, report = load_catalogue(options)
        if catalogue is None:
            print(report.text(warnings=False), file=sys.stderr)
            print(
                f"Erreur : après l'import, le catalogue n'est plus valide (voir ci-dessus) : "
                f"{target} n'a pas été modifié.",
                file=sys.stderr,
            )
            return 1, summary
        if report.warnings:
            print(f"{len(report.warnings)} avertissement(s) sur les données (make check les liste).")
        if target.exists() and (copy / "sites.yaml").read_bytes() == target.read_bytes():
            return 0, summary
        os.replace(copy / "sites.yaml", target)
        return 0, summary
    finally:
        shutil.rmtree(work, ignore_errors=True)
