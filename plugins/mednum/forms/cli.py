"""``python -m mednum form``: turn an issue opened with a form into a change of ``data/``, or a comment.

::

    python -m mednum form --event ÉVÉNEMENT.json [--out DOSSIER]          (the workflow)
    python -m mednum form --form {nouveau-lieu,mise-a-jour,atelier} --body DEMANDE.md
                          [--title TITRE] [--number N] [--author COMPTE] [--out DOSSIER]
    options: [--data data] [--schemas schemas] [--date AAAA-MM-JJ] [--no-geocoding]

``--event`` is the file GitHub gives a workflow (``$GITHUB_EVENT_PATH``): the issue's text,
title, number, author and labels are read from it, so that no text of the issue ever goes
through a command line. The form is told by the issue's label.

Exit status and what ``--out`` holds:

* 0: the record is written into ``data/`` (the changed file only, nothing else touched);
  ``titre.txt`` (title of the pull request and of its commit), ``demande.md`` (its
  description, in French) and ``reponse.md`` (the comment for the issue; it ends with a colon,
  the pull request's address goes after it);
* 1: the answers have problems; ``data/`` is untouched; ``reponse.md`` is the comment that
  lists them, field by field; ``fermeture.md``, what the workflow says on the pull request of
  an earlier version of the issue when it closes it;
* 2: nothing could be done (bad arguments, unreadable event, data already invalid, an
  unexpected error): the message is printed, the workflow fails.

With 0 and 1, ``relecture.md`` is the comment for the issue when its pull request is already
being reviewed: the workflow then changes nothing (it ends with a colon, as ``reponse.md``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from ..importers.merge import write_text
from ..settings import build_date
from .convert import Context, FormError, convert
from .geocode import fetch_url
from .issue import MAX_BODY_CHARS
from .render import (
    closing_comment,
    error_comment,
    pull_request_body,
    success_comment,
    under_review_comment,
)
from .spec import KIND_OF_LABEL, KINDS

USAGE = (
    "python -m mednum form (--event ÉVÉNEMENT.json | --form {nouveau-lieu,mise-a-jour,atelier} --body FICHIER)"
    " [--out DOSSIER] [--data data] [--schemas schemas] [--date AAAA-MM-JJ] [--no-geocoding]"
)
MAX_EVENT_BYTES = 8 * 1024 * 1024


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mednum form", add_help=True, description="Formulaires des partenaires")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--event", type=Path, help="fichier de l'événement GitHub (issues)")
    source.add_argument("--body", type=Path, help="texte de la demande (Markdown écrit par GitHub)")
    parser.add_argument("--form", choices=sorted(KINDS), help="formulaire de la demande (avec --body)")
    parser.add_argument("--title", default="", help="titre de la demande (avec --body)")
    parser.add_argument("--number", type=int, help="numéro de la demande (avec --body)")
    parser.add_argument("--author", default="", help="compte GitHub de la personne (avec --body)")
    parser.add_argument("--out", type=Path, help="dossier où écrire titre.txt, demande.md et reponse.md")
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--schemas", type=Path, default=Path("schemas"))
    parser.add_argument("--date", help="date du jour AAAA-MM-JJ (défaut : aujourd'hui)")
    parser.add_argument(
        "--no-geocoding",
        action="store_true",
        help="ne pas chercher la position d'après l'adresse (hors ligne)",
    )
    return parser


def _read_text(path: Path, limit: int) -> str:
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    return data.decode("utf-8", errors="replace")


def _from_event(path: Path) -> tuple[str, str, str, int | None, str]:
    """(form, body, title, number, author) of an ``issues`` event."""
    raw = _read_text(path, MAX_EVENT_BYTES)
    if len(raw) > MAX_EVENT_BYTES:
        raise _UsageError(f"{path} : événement trop gros")
    try:
        issue = json.loads(raw)["issue"]
    except (ValueError, KeyError, TypeError):
        raise _UsageError(f"{path} : ce n'est pas un événement « issues » de GitHub") from None
    labels = {label.get("name") for label in issue.get("labels") or [] if isinstance(label, dict)}
    forms = sorted({KIND_OF_LABEL[name] for name in labels if name in KIND_OF_LABEL})
    if len(forms) != 1:
        names = ", ".join(sorted(KIND_OF_LABEL))
        raise _UsageError(f"la demande doit porter une et une seule de ces étiquettes : {names}")
    number = issue.get("number")
    author = (issue.get("user") or {}).get("login") or ""
    return (
        forms[0],
        str(issue.get("body") or ""),
        str(issue.get("title") or ""),
        number if isinstance(number, int) else None,
        str(author),
    )


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except Exception as error:  # a bug, never « answers to correct »: the job fails
        what = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        print(f"Erreur inattendue, la demande n'a pas pu être traitée ({what}).", file=sys.stderr)
        return 2


def _main(argv: list[str] | None) -> int:
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.event:
            kind, body, title, number, author = _from_event(args.event)
        else:
            if not args.form:
                raise _UsageError("--form est obligatoire avec --body")
            kind, title, number, author = args.form, args.title, args.number, args.author
            body = _read_text(args.body, MAX_BODY_CHARS)
        today = dt.date.fromisoformat(args.date) if args.date else build_date({})
    except _UsageError as error:
        print(f"Erreur : {error}.\nUtilisation : {USAGE}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"Erreur : {error.filename or ''} illisible ({error.strerror or error})", file=sys.stderr)
        return 2
    except ValueError:
        print(f"Erreur : date invalide « {args.date} » (AAAA-MM-JJ attendu)", file=sys.stderr)
        return 2
    context = Context(
        data_dir=args.data,
        schemas_dir=args.schemas,
        today=today,
        fetch=None if args.no_geocoding else fetch_url,
        number=number,
        author=author,
        title=title,
    )
    try:
        result = convert(kind, body, context)
    except FormError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"Erreur : {error.filename or ''} illisible ({error.strerror or error})", file=sys.stderr)
        return 2
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        write_text(args.out / "relecture.md", under_review_comment())
    if not result.ok:
        comment = error_comment(result)
        if args.out:
            write_text(args.out / "reponse.md", comment)
            write_text(args.out / "fermeture.md", closing_comment(number))
        print(f"La demande a {len(result.problems)} réponse(s) à corriger ; rien n'a été modifié.")
        return 1
    for name, text in result.files.items():
        write_text(args.data / name, text)
    if args.out:
        write_text(args.out / "titre.txt", result.title + "\n")
        write_text(args.out / "demande.md", pull_request_body(result, number, author))
        write_text(args.out / "reponse.md", success_comment(result))
    changed = ", ".join(str(args.data / name) for name in result.files)
    print(f"{result.title} : {changed} modifié.")
    return 0
