"""Importers: convert open-data files into records of ``data/sites.yaml``.

Each importer reads a file into an ``ImportResult`` (records + located row
problems); ``merge.merge_into_yaml`` then writes the records into the YAML file
without touching what people edit by hand (comments, local ``x_`` fields).
A file that cannot be read at all raises ``ImportFileError`` with a French
message, so that the command line prints it instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..schema import SITES, record_fields

# The project's schemas/ folder, next to plugins/: importers run without Pelican's
# settings (``python -m mednum import``, ``sources refresh``), so they find it from here.
SCHEMAS_DIR = Path(__file__).resolve().parents[3] / "schemas"


def site_fields() -> tuple[str, ...]:
    """The fields of a record of ``data/sites.yaml``, in the order of ``schemas/sites.schema.json``.

    Records are written in this order so that every file reads the same way.
    """
    return tuple(record_fields(SCHEMAS_DIR / SITES.schema_file))


def site_enums() -> dict[str, tuple[str, ...]]:
    """The list fields of ``schemas/sites.schema.json`` that take values from a closed list, with it.

    Those lists are the national standard's (v1.0.2), in its order: imported values are
    checked against them and written in that order.
    """
    fields = record_fields(SCHEMAS_DIR / SITES.schema_file)
    return {
        name: tuple(node["items"]["enum"])
        for name, node in fields.items()
        if isinstance(node.get("items"), dict) and "enum" in node["items"]
    }


class ImportFileError(Exception):
    """The whole file cannot be imported; ``str(error)`` is a French sentence."""


@dataclass(frozen=True)
class RowProblem:
    """A row that could not be (fully) converted: its line in the source file."""

    line: int
    message_fr: str


@dataclass
class Candidate:
    """What one row of a source says about one place, in the fields of ``data/sites.yaml``.

    ``key`` identifies the row in its source from one release to the next (``id_fs``,
    ``n_ref``, ``code_service``, ``id``): it ties the row to the record it became, so a
    place renamed in its source keeps its record and its address on the site.
    ``kind`` is what the place is for matching (« france-services », « caf »…), when the
    record's typologie cannot say it; ``stop_of`` names the itinerant service of a row
    that is one of its stops.
    """

    key: str
    line: int
    record: dict
    kind: str | None = None
    stop_of: str | None = None


@dataclass
class ImportResult:
    records: list[dict] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    rows_read: int = 0  # rows of places in the file, those of the wrong width included


__all__ = [
    "SCHEMAS_DIR",
    "Candidate",
    "ImportFileError",
    "ImportResult",
    "RowProblem",
    "site_enums",
    "site_fields",
]
