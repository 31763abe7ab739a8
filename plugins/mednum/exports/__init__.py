"""Open-data exports of the catalogue, written with the site under ``/donnees/``.

=================================  ==========================================================
file                               content
=================================  ==========================================================
``lieux-mediation-numerique.csv``  help points, national standard v1.0 (``national_csv``)
``lieux.geojson``                  help points and the stops of itinerant services (``geojson``)
``data-inclusion.json``            structures and their services, data·inclusion v1 (``data_inclusion``)
``ateliers.ics``                   upcoming workshop sessions, iCalendar (``ics``)
``ateliers/<id>.ics``              the sessions of one workshop
``formations.csv``                 the training catalogue (``trainings_csv``), with
``formations.schema.json``         its Table Schema
=================================  ==========================================================

Every file is deterministic: records sorted by id, no "now" (dates come from the
build date and the records), fixed line endings. Two builds of the same data
with the same build date give byte-identical files.

Fictional example records (``x_exemple`` / ``exemple``) are left out of the two
files meant for national aggregators (the national CSV and data·inclusion), which
have no field to mark them and would spread them as real places; the other files
carry them with an explicit mark (``exemple`` property or column, « [Exemple
fictif] » in calendar titles). ``write_exports(include_examples=True)`` puts them
everywhere.
"""

from __future__ import annotations

from pathlib import Path

from ..coverage import Coverage
from ..coverage import compute as compute_coverage
from ..model import Catalogue
from ..settings import publisher, setting
from . import coverage_csv, data_inclusion, geojson, ics, national_csv, trainings_csv
from .publication import base_url


def write_exports(
    catalogue: Catalogue,
    out: Path,
    settings: dict,
    include_examples: bool = False,
    coverage: Coverage | None = None,
    calendars: ics.Previous | None = None,
) -> dict[str, int]:
    """Write every export into ``out`` (the ``donnees/`` folder); return the records per file.
    ``coverage``: the build's indicators (computed here if not given); ``calendars``: the
    published site's workshop calendars, for the unchanged ones to be taken back."""
    out = Path(out)
    base = base_url(settings)
    department = catalogue.reference.department
    counts: dict[str, int] = {}
    counts.update(national_csv.write(catalogue, out, include_examples))
    counts.update(geojson.write(catalogue, out, base))
    counts.update(data_inclusion.write(catalogue, out, base, include_examples))
    counts.update(
        ics.write(
            catalogue,
            out,
            base,
            setting(settings, "CATALOGUE_TIMEZONE"),
            publisher(settings, department),
            calendars,
        )
    )
    counts.update(trainings_csv.write(catalogue, out, base, publisher(settings, department)))
    counts.update(coverage_csv.write(coverage or compute_coverage(catalogue), out, base))
    return counts
