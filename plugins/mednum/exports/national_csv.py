"""``lieux-mediation-numerique.csv``: the help points in the national standard v1.0.x.

LaMednum/ANCT *schéma des lieux de médiation numérique* (Table Schema, version
v1.0.2 of the official file, shipped with the package as
``lieux-mediation-numerique-schema.json``): comma-separated UTF-8 CSV, the columns
those of that file in its order, lists joined with ``|``, phones in international format
(``+33…``, already so in our records), dates ``AAAA-MM-JJ``, lines ending in
CRLF (RFC 4180).

* ``pivot`` is required by the standard: a place whose SIRET/RNA we do not know
  gets ``00000000000000`` (fourteen zeros: matches the schema's pattern and
  reads as "unknown", as in the national data); the importer reads it back as
  "no pivot".
* Local fields (``x_…``: Pass numérique, accessibility, stops of itinerant
  services, example flag) have no column in the standard and are not exported.
* Coordinates are written with at most 6 decimals, without exponent.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..model import Catalogue, Site
from ..schema import NATIONAL_STANDARD, record_fields
from .publication import write_text

FILENAME = "lieux-mediation-numerique.csv"
NO_PIVOT = "00000000000000"


def columns() -> tuple[str, ...]:
    """The columns of the standard, in the order of its official schema (``schema.NATIONAL_STANDARD``)."""
    return tuple(record_fields(NATIONAL_STANDARD))


def number(value: float) -> str:
    """``43.41861500`` → ``43.418615``; never ``1e-05``."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number(float(value))
    return str(value)


def row(site: Site) -> list[str]:
    record = dict(site.record)
    record.setdefault("pivot", NO_PIVOT)
    return [cell(record.get(name)) for name in columns()]


def sites(catalogue: Catalogue, include_examples: bool = False) -> list[Site]:
    return [s for s in catalogue.sites if include_examples or not s.example]


def render(catalogue: Catalogue, include_examples: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns())
    for site in sites(catalogue, include_examples):
        writer.writerow(row(site))
    return out.getvalue()


def write(catalogue: Catalogue, out: Path, include_examples: bool = False) -> dict[str, int]:
    write_text(out / FILENAME, render(catalogue, include_examples))
    return {FILENAME: len(sites(catalogue, include_examples))}
