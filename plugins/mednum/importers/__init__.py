"""Importers: convert open-data files into records of ``data/sites.yaml``.

Each importer reads a file into an ``ImportResult`` (records + located row
problems); ``merge.merge_into_yaml`` then writes the records into the YAML file
without touching what people edit by hand (comments, local ``x_`` fields).
A file that cannot be read at all raises ``ImportFileError`` with a French
message, so that the command line prints it instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Field order of schemas/sites.schema.json (a test checks they stay in sync);
# records are written in this order so that every file reads the same way.
SITE_FIELDS: tuple[str, ...] = (
    "id",
    "pivot",
    "nom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
    "x_pass_numerique",
    "x_accessibilite",
    "x_arrets",
    "x_exemple",
)


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


__all__ = ["SITE_FIELDS", "Candidate", "ImportFileError", "ImportResult", "RowProblem"]
