"""Command line: ``python -m mednum check|build|import|sources|sort|report|serve``.

Data mistakes are reported in French with file, line and column and a non-zero
exit code; they never show a Python traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from pathlib import Path

from . import collector
from .catalogue import LoadOptions, load_catalogue
from .problems import Report
from .settings import DEFAULTS

DELEGATED = {
    "import": (".importers.cli", "importer des fiches : python -m mednum import FORMAT FICHIER"),
    "sources": (".importers.sources_cli", "importer toutes les sources de data/imports/sources.yaml"),
    "agendas": (".agenda_feeds", "lire les agendas en ligne des lieux (x_agenda) et en faire leurs ateliers"),
    "sort": (".canonical", "remettre les fiches dans l'ordre canonique (par identifiant)"),
    "report": (".freshness", "rapport de fraîcheur et de complétude par territoire"),
    "serve": (".serve", "servir le site, reconstruit et rechargé à chaque modification"),
    "form": (".forms.cli", "transformer une demande faite avec un formulaire GitHub en fiche ou en réponse"),
}


def _options(args) -> LoadOptions:
    root = Path(args.root).resolve()
    if args.date:
        day = dt.date.fromisoformat(args.date)
    else:
        from .settings import build_date

        day = build_date({})
    return LoadOptions(
        data_dir=(root / args.data).resolve(),
        schemas_dir=(root / args.schemas).resolve(),
        build_date=day,
        stale_months=DEFAULTS["CATALOGUE_STALE_MONTHS"][0],
        root=root,
        reference_dir=(root / args.reference).resolve() if args.reference else None,
        allow_examples=args.examples,
    )


def github_annotations(report: Report) -> str:
    """Workflow commands that GitHub shows on the changed lines of a pull request."""

    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    lines = []
    for level, problems in (("error", report.errors), ("warning", report.warnings)):
        for p in problems:
            loc = p.location
            head = f"{p.subject}, champ « {p.field} »" if p.field else p.subject
            message = f"{head} : {p.message}" if head else p.message
            lines.append(f"::{level} file={loc.file},line={loc.line},col={loc.column}::{escape(message)}")
    return "\n".join(lines)


def cmd_check(args) -> int:
    try:
        options = _options(args)
    except ValueError:
        print(f"mednum : date invalide « {args.date} » (AAAA-MM-JJ attendu)", file=sys.stderr)
        return 2
    with collector.paused():
        catalogue, report = load_catalogue(options)
    if args.format == "github":
        text = github_annotations(report)
        if text:
            print(text)
    else:
        print(report.text(warnings=not args.quiet))
        if catalogue is not None:
            print(
                f"{len(catalogue.sites)} lieux, {len(catalogue.workshops)} ateliers,"
                f" {len(catalogue.trainings)} formations."
            )
    return 0 if report.ok else 1


def cmd_build(args) -> int:
    from .build import build_site

    override = {"CATALOGUE_PDF_BROCHURES": True} if args.pdf else None
    return build_site(Path(args.settings), Path(args.output), override, force=args.force)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Sub-commands with their own argument parsers live next to what they do.
    if argv and argv[0] in DELEGATED:
        module_name, _ = DELEGATED[argv[0]]
        module = importlib.import_module(module_name, __package__)
        return module.main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m mednum", description="Catalogue de la médiation numérique"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="vérifier les fiches de data/")
    check.add_argument("--root", default=".", help="dossier du projet (défaut : .)")
    check.add_argument("--data", default="data")
    check.add_argument("--schemas", default="schemas")
    check.add_argument("--reference", help="dossier des données de référence (défaut : DATA/reference)")
    check.add_argument(
        "--examples", action="store_true", help="accepter les fiches d'exemple (jeu de démonstration)"
    )
    check.add_argument("--date", help="date de référence AAAA-MM-JJ (défaut : aujourd'hui)")
    check.add_argument("--format", choices=("text", "github"), default="text")
    check.add_argument("--quiet", action="store_true", help="ne pas lister les avertissements")
    check.set_defaults(func=cmd_check)
    build = sub.add_parser(
        "build", help="construire le site (remplace le dossier de sortie seulement si tout réussit)"
    )
    build.add_argument("-s", "--settings", default="pelicanconf.py")
    build.add_argument("-o", "--output", default="output")
    build.add_argument("--pdf", action="store_true", help="produire aussi les brochures PDF des territoires")
    build.add_argument(
        "--force",
        action="store_true",
        help="tout reconstruire, même si rien n'a changé depuis la dernière fois",
    )
    build.set_defaults(func=cmd_build)
    for name, (_, text) in DELEGATED.items():
        sub.add_parser(name, help=text)
    args = parser.parse_args(argv)
    return args.func(args)
