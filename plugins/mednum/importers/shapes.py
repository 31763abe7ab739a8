"""Which file is this? The shape of a source file, told by its header.

Open-data lists change their columns between releases (the France Services list
dropped ``itinerance`` for ``format_fs`` and ``type_fs`` in 2024), so an importer
never trusts a file name or a format given on the command line alone: it reads the
header and picks the shape whose columns are all there. A file that fits no shape
gets one French message naming, for each shape it could have been, the columns it
lacks, and the columns it has.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..schema import NATIONAL_STANDARD, record_fields
from . import ImportFileError
from .csvfile import clean, read_text


@dataclass(frozen=True)
class Shape:
    name: str  # e.g. "france-services-2024"
    format: str  # the importer that reads it, as in `python -m mednum import FORMAT`
    label: str  # French, for messages
    delimiter: str
    required: tuple[str, ...]

    def missing(self, header: list[str]) -> list[str]:
        return [column for column in self.required if column not in header]


_FS_COMMON = (
    "lib_fs",
    "adresse",
    "complement_adresse",
    "insee_com",
    "code_postal",
    "lib_com",
    "latitude",
    "longitude",
    "mail",
    "telephone",
    "h_lundi",
    "h_mardi",
    "h_mercredi",
    "h_jeudi",
    "h_vendredi",
    "h_samedi",
    "commentaire",
)
FRANCE_SERVICES_2022 = Shape(
    "france-services-2022",
    "france-services",
    "la liste des France Services de l'ANCT (forme de 2022, colonne itinerance)",
    ",",
    (*_FS_COMMON, "itinerance"),
)
FRANCE_SERVICES_2024 = Shape(
    "france-services-2024",
    "france-services",
    "la liste des France Services de l'ANCT (forme de 2024, colonnes format_fs et type_fs)",
    ",",
    ("id_fs", "insee_dep", *_FS_COMMON, "prise_rdv", "type_fs", "format_fs"),
)
RHINOCC = Shape(
    "rhinocc",
    "rhinocc",
    "le jeu de données régional de RhinOcc (Occitanie)",
    ",",
    (
        "n_ref",
        "departement",
        "ville",
        "nom",
        "code_postal",
        "adresse",
        "tel_structure",
        "email_structure",
        "site_internet",
        "date_maj",
        "conditions_acces_toutes_actions",
        "code_label",
        "codes_types_mediations",
        "lat",
        "lon",
    ),
)
HERAULT = Shape(
    "herault",
    "herault",
    "l'export des lieux d'accueil numérique du Département de l'Hérault (points-virgules)",
    ";",
    ("lib_long_service", "nom_comm", "lieu_code_postal", "adresse", "date_maj", "lib_long_type"),
)
# The columns the official schema of the national standard requires, in its order.
NATIONAL = Shape(
    "lieux-mediation-numerique",
    "lieux-mediation-numerique",
    "un fichier du schéma national des lieux de médiation numérique (virgules)",
    ",",
    tuple(
        name
        for name, spec in record_fields(NATIONAL_STANDARD).items()
        if spec.get("constraints", {}).get("required")
    ),
)
SHAPES = (FRANCE_SERVICES_2024, FRANCE_SERVICES_2022, RHINOCC, HERAULT, NATIONAL)
FORMATS = tuple(dict.fromkeys(shape.format for shape in SHAPES))


def header_of(path: Path, delimiter: str) -> list[str]:
    """The first non-empty row of the file, cleaned as the readers clean it."""
    text = read_text(path)
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if any(cell.strip() for cell in cells):
                return [clean(cell).strip('"') for cell in cells]
    except csv.Error as error:
        raise ImportFileError(f"{path}:1: CSV illisible ({error})") from None
    return []


def recognise(path: str | Path, fmt: str | None = None) -> Shape:
    """The shape of ``path`` (among those of ``fmt`` if given); ``ImportFileError`` if none fits."""
    path = Path(path)
    candidates = [shape for shape in SHAPES if fmt is None or shape.format == fmt]
    if not candidates:
        raise ImportFileError(f"format « {fmt} » inconnu (formats : {', '.join(FORMATS)})")
    headers = {d: header_of(path, d) for d in dict.fromkeys(shape.delimiter for shape in candidates)}
    for shape in candidates:
        if not shape.missing(headers[shape.delimiter]):
            return shape
    found = max(headers.values(), key=len)
    lacks = "\n".join(
        f"  - {shape.label} : colonnes manquantes : {', '.join(shape.missing(headers[shape.delimiter]))}"
        for shape in sorted(candidates, key=lambda s: len(s.missing(headers[s.delimiter])))
    )
    shown = ", ".join(found[:40]) + (", …" if len(found) > 40 else "")
    raise ImportFileError(
        f"{path}:1: fichier non reconnu, ses colonnes ne sont celles d'aucun format attendu :\n"
        f"{lacks}\n  Colonnes trouvées : {shown or '(aucune)'}"
    )
