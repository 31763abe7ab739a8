"""``python -m mednum import france-services FICHIER.csv [--data data] [--date AAAA-MM-JJ]``.

Prints one line per row problem (``fichier.csv:12: …``) and a French summary.
Exit status: 0 when the merge happened (row problems are reported, not fatal),
2 when nothing could be imported (unreadable file, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import ImportFileError, france_services
from .merge import merge_into_yaml

USAGE = "python -m mednum import france-services FICHIER.csv [--data DOSSIER] [--date AAAA-MM-JJ]"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    # argparse's own messages are English and it exits by itself: take over.
    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mednum import", usage=USAGE, add_help=False)
    parser.add_argument("source", choices=["france-services"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--date", default=france_services.DEFAULT_DATE)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the import; ``argv`` may start with ``import`` or directly with the source."""
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
        result = france_services.read(args.file, date_maj=args.date)
        for problem in result.problems:
            print(f"{args.file}:{problem.line}: {problem.message_fr}", file=sys.stderr)
        summary = merge_into_yaml(target, result.records, france_services.OWNED_FIELDS)
    except ImportFileError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except OSError as error:  # writing the YAML file (disk full, no permission…)
        print(f"Erreur : écriture de {target} impossible ({error.strerror})", file=sys.stderr)
        return 2
    lines = len(result.problems)
    print(f"{target} : {summary.text()}.")
    if lines:
        print(f"{lines} problème(s) signalé(s) dans {args.file} (voir ci-dessus).")
    return 0
