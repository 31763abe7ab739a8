"""Importing the sources of help points, from the command line and from the scheduled job.

``python -m mednum import FORMAT FICHIER.csv [--data data] [--date AAAA-MM-JJ] [--source NOM]``
    reads one file of one source (FORMAT: ``france-services``, ``rhinocc``, ``herault``,
    ``lieux-mediation-numerique``; the file's shape is checked from its header), keeps
    its rows in ``data/imports/<source>.json``, then merges every source into
    ``data/sites.yaml`` (``consolidate``).

``python -m mednum sources refresh (--download | --from DOSSIER) [--summary FICHIER.md]``
    the same for every source of ``data/imports/sources.yaml``: downloaded from its
    address (the weekly job), or taken from a folder (tests, offline work; a source
    without a file there keeps its last rows). Every source is read before anything is
    written: one download that fails, or one file whose shape changed, stops everything
    with a French message and ``data/`` untouched.

``python -m mednum sources merge [--summary FICHIER.md]``
    merges again without reading any source: after settling a pair in
    ``data/imports/revue.yaml`` or changing ``sources.yaml``.

``python -m mednum sources list``
    the configured sources and what the last import kept of each.

Each run prints the row problems of each file (``fichier.csv:12: …``), the values with
no equivalent in the standard, and a summary (records added, changed, left their
sources, pairs to review); ``--summary`` also writes it in Markdown (the pull request's
description). The merge is written to a copy of the data folder and checked with the
site's validator before anything replaces ``data/``.

Exit status: 0 done (row problems are reported, not fatal); 1 the merged catalogue
would be invalid (``data/`` untouched); 2 nothing could be imported (unreadable or
unknown file, failed download, bad arguments).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from pathlib import Path

from ..catalogue import LoadOptions, load_catalogue
from ..problems import Report
from ..settings import build_date
from ..yamlsource import read_yaml
from . import ImportFileError, france_services, herault, national, rhinocc
from .consolidate import Outcome, consolidate
from .merge import merge_into_yaml
from .report import markdown_summary, text_summary
from .shapes import FORMATS, recognise
from .store import (
    DEFAULTS,
    FOLDER,
    Snapshot,
    SourceDef,
    load_sources,
    read_review,
    read_snapshot,
    read_state,
    snapshot_path,
    source_for,
    write_review,
    write_snapshot,
    write_state,
    write_text,
)

USAGE = (
    f"python -m mednum import {{{','.join(FORMATS)}}} FICHIER.csv "
    "[--data DOSSIER] [--schemas DOSSIER] [--date AAAA-MM-JJ] [--source NOM]"
)
SOURCES_USAGE = (
    "python -m mednum sources refresh (--download | --from DOSSIER) [--summary FICHIER.md] | "
    "merge [--summary FICHIER.md] | list   [--data DOSSIER]"
)
DOWNLOAD_LIMIT = 200 * 1024 * 1024
DOWNLOAD_TIMEOUT_S = 120
USER_AGENT = "catalogue-mediation-numerique (import des sources ; python-urllib)"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    # argparse's own messages are English and it exits by itself: take over.
    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(message)


def _import_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mednum import", usage=USAGE, add_help=False)
    parser.add_argument("format", choices=FORMATS)
    parser.add_argument("file", type=Path)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--schemas", type=Path, default=None)
    parser.add_argument("--date", default=None)
    parser.add_argument("--source", default=None)
    parser.add_argument("--summary", type=Path, default=None)
    return parser


def _sources_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mednum sources", usage=SOURCES_USAGE, add_help=False)
    parser.add_argument("action", choices=("refresh", "merge", "list"))
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--schemas", type=Path, default=None)
    parser.add_argument("--download", action="store_true")
    parser.add_argument("--from", dest="folder", type=Path, default=None)
    parser.add_argument("--summary", type=Path, default=None)
    return parser


# --- reading one source -------------------------------------------------------------------


def convert(
    source: SourceDef, path: Path, data_dir: Path, date: str | None = None, served: str | None = None
) -> Snapshot:
    """The rows of ``path`` as a snapshot of ``source``; ``ImportFileError`` if unusable.

    ``date``: the date of the data given by a person (``--date``); ``served``: the date the
    server gave the downloaded file (Last-Modified), used when neither the person, the
    source's settings nor the file name give one. Row problems are printed
    (``fichier:ligne: …``) and kept in the snapshot.
    """
    shape = recognise(path, source.format)
    # The France Services list can be read without reference data (no département filter then).
    needs_reference = shape.format != "france-services" or (Path(data_dir) / "reference").is_dir()
    reference = national.reference_for(data_dir) if needs_reference else None
    if date:
        try:
            date = dt.date.fromisoformat(date).isoformat()
        except ValueError:
            raise ImportFileError(f"date « {date} » invalide : AAAA-MM-JJ attendu") from None
    date = date or source.date or None
    if shape.format == "france-services":
        if date is None and not france_services.dated_name(path):
            date = served
        result = france_services.read(path, date, reference)
        date = france_services.list_date(path, date)
    elif shape.format == "rhinocc":
        result = rhinocc.read(path, reference, default_date=date or served)
    elif shape.format == "herault":
        result = herault.read(path, reference)
    else:
        result = national.read(path, reference)
    for problem in result.problems:
        print(f"{path}:{problem.line}: {problem.message_fr}", file=sys.stderr)
    unmapped = result.unmapped_lines()
    if unmapped:
        print(f"Valeurs de {path} sans équivalent dans le schéma national (non reprises) :")
        for line in unmapped:
            print(f"  - {line}")
    if not result.candidates:
        if result.outside:
            raise ImportFileError(
                f"{path} : aucune des {result.outside} lignes n'est dans le département : est-ce le bon "
                "fichier ? Rien n'a été modifié."
            )
        raise ImportFileError(
            f"{path} : aucune ligne de lieu utilisable (fichier vide ou tronqué ?) : rien n'a été modifié"
        )
    return Snapshot(
        source=source.nom,
        file=path.name,
        date=date or "",
        rows_read=result.rows_read,
        outside=result.outside,
        problems=[f"ligne {p.line} : {p.message_fr}" for p in result.problems]
        + [f"non repris : {u}" for u in unmapped],
        candidates=result.candidates,
    )


def download(source: SourceDef, folder: Path) -> tuple[Path, str | None]:
    """The source's file, downloaded into ``folder``; (path, date of the data if the server gives one)."""
    if not source.telechargement:
        raise ImportFileError(f"source « {source.nom} » : pas d'adresse de téléchargement dans sources.yaml")
    request = urllib.request.Request(source.telechargement, headers={"User-Agent": USER_AGENT})
    target = folder / f"{source.nom}.csv"
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
            data = response.read(DOWNLOAD_LIMIT + 1)
            modified = response.headers.get("Last-Modified")
            name = _file_name(response.headers.get("Content-Disposition", ""), response.url)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise ImportFileError(
            f"source « {source.nom} » : téléchargement de {source.telechargement} impossible ({reason}) : "
            "rien n'a été modifié"
        ) from None
    if len(data) > DOWNLOAD_LIMIT:
        raise ImportFileError(f"source « {source.nom} » : fichier de plus de {DOWNLOAD_LIMIT} octets, refusé")
    if name:  # keep the server's file name: the France Services list dates itself in it
        target = folder / name
    target.write_bytes(data)
    date = None
    if modified:
        try:
            date = parsedate_to_datetime(modified).date().isoformat()
        except (TypeError, ValueError):
            date = None
    return target, date


def _file_name(disposition: str, url: str) -> str | None:
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition)
    name = match.group(1) if match else url.rsplit("/", 1)[-1].split("?", 1)[0]
    name = os.path.basename(name)
    return name if re.fullmatch(r"[\w.-]{1,120}\.csv", name) else None


# --- merging -------------------------------------------------------------------------------


def _existing_records(path: Path) -> dict[str, dict]:
    report = Report()
    doc = read_yaml(path, str(path), report) if path.exists() else None
    if doc is None:
        if path.exists():
            raise ImportFileError(f"{path} illisible : {report.text(warnings=False)}")
        return {}
    data = doc.data if isinstance(doc.data, list) else []
    return {r["id"]: r for r in data if isinstance(r, dict) and isinstance(r.get("id"), str)}


def apply(
    data_dir: Path, schemas: Path | None, updates: dict[str, Snapshot], summary_file: Path | None
) -> int:
    """Write ``updates``, merge every source into ``sites.yaml``: all in a checked copy first."""
    data = data_dir.resolve()
    schemas = (schemas or data.parent / "schemas").resolve()
    sources = load_sources(data)
    # Sources imported without being listed in sources.yaml (a new project): their defaults.
    known = {s.nom for s in sources}
    for default in DEFAULTS.values():
        if default.nom not in known and (default.nom in updates or snapshot_path(data, default.nom).exists()):
            sources.append(default)
    # The copy sits next to the data folder: same file system, so each rename is atomic.
    data.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".import-", dir=data.parent))
    try:
        copy = work / data.name
        if data.exists():
            shutil.copytree(data, copy, symlinks=True)
        else:
            copy.mkdir()
        for snapshot in updates.values():
            write_snapshot(copy, snapshot)
        snapshots = {s.nom: snap for s in sources if (snap := read_snapshot(copy, s.nom)) is not None}
        outcome = consolidate(
            sources, snapshots, read_review(copy), read_state(copy), _existing_records(copy / "sites.yaml")
        )
        _write_outcome(copy, outcome)
        code = _check(copy, schemas, work, data)
        if code:
            return code
        changed = _replace(copy, data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(text_summary(outcome.summary, changed))
    if summary_file is not None:
        write_text(summary_file, markdown_summary(outcome.summary, changed))
    return 0


def _write_outcome(copy: Path, outcome: Outcome) -> None:
    records = [outcome.records[i] for i in sorted(outcome.records)]
    merge_into_yaml(copy / "sites.yaml", records, outcome.owned, remove=outcome.removed)
    write_state(copy, outcome.state)
    write_review(copy, outcome.review)


def _check(copy: Path, schemas: Path, work: Path, data: Path) -> int:
    if not (copy / "reference").is_dir():
        print(
            f"Attention : {data} n'a pas de dossier reference/ : les fiches n'ont pas été vérifiées.",
            file=sys.stderr,
        )
        return 0
    # Fictional records already there are `make check`'s business, not the import's.
    options = LoadOptions(copy, schemas, build_date({}), root=work, allow_examples=True)
    catalogue, report = load_catalogue(options)
    if catalogue is None:
        print(report.text(warnings=False), file=sys.stderr)
        print(
            f"Erreur : après l'import, le catalogue n'est plus valide (voir ci-dessus) : {data} n'a pas été modifié.",
            file=sys.stderr,
        )
        return 1
    if report.warnings:
        print(f"{len(report.warnings)} avertissement(s) sur les données (make check les liste).")
    return 0


def _replace(copy: Path, data: Path) -> list[str]:
    """Move the files that changed from the checked copy into ``data``; their names."""
    changed = []
    for path in sorted([copy / "sites.yaml", *sorted((copy / FOLDER).glob("*"))]):
        if not path.is_file():
            continue
        target = data / path.relative_to(copy)
        if target.exists() and target.read_bytes() == path.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        changed.append(
            target.relative_to(data.parent).as_posix() if data.parent in target.parents else str(target)
        )
    return changed


# --- commands ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mednum import …``; ``argv`` may start with ``import`` or directly with the format."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["import"]:
        args_list = args_list[1:]
    try:
        args = _import_parser().parse_args(args_list)
    except _UsageError as error:
        print(f"Erreur : arguments invalides ({error}).\nUtilisation : {USAGE}", file=sys.stderr)
        return 2
    return _reported(args.data, lambda: _import_one(args))


def _import_one(args) -> int:
    source = source_for(load_sources(args.data), args.format, args.source)
    if source.format != args.format:
        raise ImportFileError(f"la source « {source.nom} » est au format {source.format}, pas {args.format}")
    snapshot = convert(source, args.file, args.data, args.date)
    return apply(args.data, args.schemas, {source.nom: snapshot}, args.summary)


def _reported(data: Path, run: Callable[[], int]) -> int:
    """``run()``, with what stops an import said in French (exit 2) rather than as a traceback."""
    try:
        return run()
    except ImportFileError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except OSError as error:  # writing the data folder (disk full, no permission…)
        print(f"Erreur : écriture dans {data} impossible ({error.strerror})", file=sys.stderr)
        return 2


def sources_main(argv: Sequence[str] | None = None) -> int:
    """``python -m mednum sources refresh|merge|list``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sources"]:
        args_list = args_list[1:]
    try:
        args = _sources_parser().parse_args(args_list)
        if args.action == "refresh" and bool(args.download) == bool(args.folder):
            raise _UsageError("refresh demande --download ou --from DOSSIER (l'un des deux)")
    except _UsageError as error:
        print(f"Erreur : arguments invalides ({error}).\nUtilisation : {SOURCES_USAGE}", file=sys.stderr)
        return 2
    return _reported(args.data, lambda: _sources_action(args))


def _sources_action(args) -> int:
    sources = load_sources(args.data)
    if args.action == "list":
        return _list(args.data, sources)
    if not sources:
        raise ImportFileError(f"{args.data / FOLDER / 'sources.yaml'} : aucune source configurée")
    updates: dict[str, Snapshot] = {}
    if args.action == "refresh":
        files = local_files(args.folder, sources) if args.folder else {}
        with tempfile.TemporaryDirectory(prefix="mednum-sources-") as tmp:
            for source in sources:
                if args.download:
                    path, served = download(source, Path(tmp))
                else:
                    path, served = files.get(source.nom), None
                    if path is None:
                        print(
                            f"{source.nom} : pas de fichier dans {args.folder} : ses lignes de la dernière "
                            "fois sont gardées."
                        )
                        continue
                updates[source.nom] = convert(source, path, args.data, served=served)
    return apply(args.data, args.schemas, updates, args.summary)


def local_files(folder: Path, sources: list[SourceDef]) -> dict[str, Path]:
    """The file of each source in ``folder``, told by its columns (``<nom>.csv`` wins a tie).

    Every CSV of the folder must be the file of a source: one that is not (another shape,
    broken, empty) stops everything rather than be skipped in silence.
    """
    if not folder.is_dir():
        raise ImportFileError(f"{folder} : dossier introuvable")
    formats = {s.format for s in sources}
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.csv")):
        fmt = next((f for f in sorted(formats) if _fits(path, f)), None)
        if fmt is None:
            recognise(path)  # raises the French message: expected and found columns
            raise ImportFileError(f"{path} : fichier d'un format sans source dans sources.yaml")
        found.setdefault(fmt, []).append(path)
    files: dict[str, Path] = {}
    for source in sources:
        paths = found.get(source.format, [])
        named = [p for p in paths if p.name == f"{source.nom}.csv"]
        if named or len(paths) == 1:
            files[source.nom] = (named or paths)[0]
        elif paths:
            names = ", ".join(p.name for p in paths)
            raise ImportFileError(
                f"{folder} : plusieurs fichiers au format {source.format} ({names}) : "
                f"nommez celui de la source « {source.nom} » {source.nom}.csv"
            )
    return files


def _fits(path: Path, fmt: str) -> bool:
    try:
        recognise(path, fmt)
    except ImportFileError as error:
        if "fichier non reconnu" in str(error):
            return False
        raise  # unreadable: empty, not UTF-8, binary…
    return True


def _list(data_dir: Path, sources: list[SourceDef]) -> int:
    if not sources:
        print(f"Aucune source dans {data_dir / FOLDER / 'sources.yaml'}.")
        return 0
    for source in sources:
        snapshot = read_snapshot(data_dir, source.nom)
        kept = (
            f"{len(snapshot.candidates)} lignes gardées de {snapshot.file or '?'}"
            + (f" ({snapshot.date})" if snapshot.date else "")
            if snapshot
            else "jamais importée"
        )
        print(f"{source.nom} ({source.format}, confiance {source.confiance}) : {source.titre} — {kept}")
    return 0
