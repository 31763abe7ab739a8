"""Read → validate → model: the one entry point every output uses."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from .checks import Checker, Source, months_before
from .model import Catalogue, build_catalogue
from .problems import Location, Report
from .reference import ReferenceDataError, load_reference
from .schema import KINDS, Schema
from .yamlsource import DEFAULT_MAX_BYTES, read_yaml_cached


@dataclass(frozen=True)
class LoadOptions:
    data_dir: Path
    schemas_dir: Path
    build_date: dt.date
    stale_months: int = 12
    max_bytes: int = DEFAULT_MAX_BYTES
    recurrence_weeks: int = 26
    root: Path | None = None  # file names in messages are relative to it
    cache_dir: Path | None = None  # parsed files kept between builds (yamlsource.read_yaml_cached)
    reference_dir: Path | None = None  # default: data_dir / "reference"
    allow_examples: bool = False  # fictional records: the demo dataset, tests and bench only

    def display(self, path: Path) -> str:
        root = self.root or self.data_dir.parent
        try:
            return os.path.relpath(path, root)
        except ValueError:  # pragma: no cover - other drive on Windows
            return str(path)


def load_catalogue(options: LoadOptions) -> tuple[Catalogue | None, Report]:
    """The validated catalogue, or None; the report lists every problem found."""
    report = Report()
    reference_dir = options.reference_dir or options.data_dir / "reference"
    try:
        reference = load_reference(reference_dir)
    except ReferenceDataError as exc:
        report.error(Location(options.display(reference_dir)), str(exc))
        return None, report

    sources: dict[str, Source | None] = {}
    for kind in KINDS:
        schema_path = options.schemas_dir / kind.schema_file
        try:
            schema = Schema(schema_path, kind)
        except (OSError, ValueError) as exc:
            report.error(Location(options.display(schema_path)), f"schéma illisible ({exc})")
            sources[kind.name] = None
            continue
        data_path = options.data_dir / kind.filename
        display = options.display(data_path)
        doc = read_yaml_cached(data_path, display, report, options.max_bytes, options.cache_dir)
        if doc is None:
            sources[kind.name] = None
            continue
        _check_schema_pointer(data_path, display, kind.schema_file, report)
        sources[kind.name] = Source(kind, doc, schema.check(doc, report))

    checker = Checker(
        reference, options.build_date, report, options.stale_months, allow_examples=options.allow_examples
    )
    checker.run(sources["sites"], sources["workshops"], sources["trainings"])
    if not report.ok:
        return None, report

    def triples(name: str) -> list[tuple[dict, str, int]]:
        src = sources[name]
        return [(r, src.doc.file, src.at(i).line) for i, r in enumerate(src.records)]

    catalogue = build_catalogue(
        triples("sites"),
        triples("workshops"),
        triples("trainings"),
        reference,
        options.build_date,
        months_before(options.build_date, options.stale_months),
        options.recurrence_weeks,
    )
    return catalogue, report


def _check_schema_pointer(path: Path, display: str, schema_file: str, report: Report) -> None:
    """Editors check as you type only if the first line names the schema."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline().strip()
    expected = f"# yaml-language-server: $schema=../schemas/{schema_file}"
    if first != expected:
        report.warning(Location(display, 1, 1), f"la première ligne doit être « {expected} »")
