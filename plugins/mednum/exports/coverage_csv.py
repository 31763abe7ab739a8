"""``couverture-communes.csv`` and ``couverture-territoires.csv``: where help is missing.

The coverage indicators of ``coverage.compute`` as open data, each file described by a
Table Schema published next to it (``couverture-communes.schema.json``,
``couverture-territoires.schema.json``, local schemas, version 1.0). Comma-separated UTF-8
CSV, CRLF line endings (RFC 4180), numbers with a dot as decimal separator, an empty cell
for an unknown value.

* Communes: one row per commune of the reference data, by INSEE code; for each kind of help
  (``coverage.KINDS``, its slug with « _ » for « - » in the column's name) the distance in
  km from the commune's centre to the nearest help of that kind, one decimal (0: help in
  the commune; empty: no help of that kind anywhere).
* Territories: the département, then each EPCI by SIREN; for each kind and each distance of
  ``coverage.THRESHOLDS_KM``, the inhabitants at that distance or less and their share.

``url`` is the page of the commune or territory on the site (the home page for the
département), empty when the public address of the site is unknown. Two writes of the same
indicators give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .. import urls
from ..coverage import CommuneCoverage, Coverage, Kind, TerritoryCoverage
from ..french import format_number, join_fr, plain, slugify
from .publication import LICENCE_URL, absolute, write_text

COMMUNES_FILENAME = "couverture-communes.csv"
TERRITORIES_FILENAME = "couverture-territoires.csv"
COMMUNES_SCHEMA_FILENAME = "couverture-communes.schema.json"
TERRITORIES_SCHEMA_FILENAME = "couverture-territoires.schema.json"
VERSION = "1.0.0"
_LICENCES = [{"name": "etalab-2.0", "title": "Licence Ouverte 2.0", "path": LICENCE_URL}]


def column(kind: Kind) -> str:
    """A kind's part of a column name: ``accompagnement-gratuit`` → ``accompagnement_gratuit``."""
    return kind.slug.replace("-", "_")


def _field(name: str, title: str, description: str, type_: str = "string", **constraints) -> dict:
    field = {"name": name, "title": title, "description": description, "type": type_}
    if constraints:
        field["constraints"] = constraints
    return field


def sessions_column(coverage: Coverage) -> str:
    """``seances_10km_8_semaines``."""
    return f"seances_{coverage.sessions_km:g}km_{coverage.weeks}_semaines"


def checked_column(coverage: Coverage) -> str:
    """``part_fiches_verifiees_12_mois``."""
    return f"part_fiches_verifiees_{coverage.checked_months}_mois"


def _kinds_text(coverage: Coverage) -> str:
    return " ; ".join(f"{column(k)} : {k.label}" for k in coverage.kinds)


def _km(km: float) -> str:
    """« 10 km », « 2,5 km » (ordinary spaces: the schemas are read by programs)."""
    return plain(f"{format_number(int(km) if float(km).is_integer() else km)} km")


# --- cells --------------------------------------------------------------------------------------


def _integer(value: int | None) -> str:
    return "" if value is None else str(value)


def _decimal(value: float | None, digits: int) -> str:
    """``12.3``: a fixed number of decimals, dot separator."""
    return "" if value is None else f"{value:.{digits}f}"


# --- communes -----------------------------------------------------------------------------------


def communes_schema(coverage: Coverage) -> dict:
    department = coverage.reference_department
    kinds = [
        _field(
            f"distance_km_{column(k)}",
            f"Distance : {k.label}",
            f"Distance à vol d'oiseau, en kilomètres (une décimale), du {coverage.measured_from} au plus proche "
            f"lieu ou arrêt de ce type ({k.label}) ; 0 quand il y en a un dans la commune ; vide quand "
            "il n'y en a aucun.",
            "number",
            minimum=0,
        )
        for k in coverage.kinds
    ]
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": f"couverture-communes-mediation-numerique-{slugify(department.name)}",
        "title": f"Couverture des communes par l'aide au numérique {department.in_}",
        "description": "Une ligne par commune : à quelle distance se trouve l'aide au numérique la plus "
        f"proche, pour chaque type d'aide ({_kinds_text(coverage)}). Distances à vol d'oiseau, mesurées "
        f"du {coverage.measured_from} (les données de référence ne donnent pas de point pondéré par la "
        "population). Un lieu sans coordonnées compte au centre de sa commune.",
        "version": VERSION,
        "licenses": _LICENCES,
        "primaryKey": "code_insee",
        "missingValues": [""],
        "fields": [
            _field(
                "code_insee",
                "Code INSEE",
                "Code officiel géographique de la commune.",
                required=True,
                unique=True,
                pattern="[0-9][0-9AB][0-9]{3}",
            ),
            _field("nom", "Nom", "Nom de la commune.", required=True),
            _field(
                "epci",
                "EPCI",
                "SIREN de l'intercommunalité (EPCI) de la commune ; vide si elle n'en a pas.",
                pattern="[0-9]{9}",
            ),
            _field("population", "Population", "Population municipale.", "integer", minimum=0),
            _field(
                "point_mesure",
                "Point de mesure",
                "D'où les distances sont mesurées.",
                required=True,
                enum=[coverage.measured_from],
            ),
            *kinds,
            _field(
                "lieux",
                "Lieux",
                "Nombre de lieux d'aide dont l'adresse est dans la commune.",
                "integer",
                required=True,
                minimum=0,
            ),
            _field(
                "arrets",
                "Arrêts",
                "Nombre d'arrêts de services itinérants dans la commune.",
                "integer",
                required=True,
                minimum=0,
            ),
            _field(
                sessions_column(coverage),
                f"Séances à {_km(coverage.sessions_km)} ou moins",
                f"Nombre de séances d'ateliers (non annulées) dans les {coverage.weeks} semaines qui suivent la "
                f"date de publication, dans des ateliers situés à {_km(coverage.sessions_km)} ou moins du centre de "
                "la commune.",
                "integer",
                required=True,
                minimum=0,
            ),
            _field(
                "url",
                "Page",
                "Adresse de la page de la commune sur le site.",
                pattern="https?://\\S+",
            ),
        ],
    }


def commune_row(commune: CommuneCoverage, coverage: Coverage, base: str) -> list[str]:
    return [
        commune.code,
        commune.name,
        commune.epci_code or "",
        _integer(commune.population),
        commune.measured_from,
        *(_decimal(commune.distance_km[k.slug], 1) for k in coverage.kinds),
        str(commune.places),
        str(commune.stops),
        str(commune.sessions),
        absolute(base, urls.commune(commune)) or "",
    ]


def render_communes(coverage: Coverage, base: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f["name"] for f in communes_schema(coverage)["fields"]])
    for commune in coverage.communes.values():
        writer.writerow(commune_row(commune, coverage, base))
    return out.getvalue()


# --- territories --------------------------------------------------------------------------------


def territories_schema(coverage: Coverage) -> dict:
    department = coverage.reference_department
    by_kind = []
    for k in coverage.kinds:
        for km in coverage.thresholds:
            by_kind += [
                _field(
                    f"part_{column(k)}_{km}km",
                    f"Part à {_km(km)} ou moins : {k.label}",
                    f"Part de la population (0 à 1, quatre décimales) dont la commune est à {_km(km)} "
                    f"ou moins (0 compris) d'une aide de ce type ({k.label}).",
                    "number",
                    required=True,
                    minimum=0,
                    maximum=1,
                ),
                _field(
                    f"population_{column(k)}_{km}km",
                    f"Population à {_km(km)} ou moins : {k.label}",
                    f"Habitants dont la commune est à {_km(km)} ou moins (0 compris) d'une aide de ce "
                    f"type ({k.label}).",
                    "integer",
                    required=True,
                    minimum=0,
                ),
            ]
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": f"couverture-territoires-mediation-numerique-{slugify(department.name)}",
        "title": f"Couverture des territoires par l'aide au numérique {department.in_}",
        "description": f"Une ligne pour le département {department.of}, puis une par intercommunalité "
        "(EPCI) : part de la population à "
        + join_fr(_km(km) for km in coverage.thresholds)
        + f" ou moins de chaque type d'aide ({_kinds_text(coverage)}), distances à vol d'oiseau mesurées du "
        f"{coverage.measured_from} ; lieux pour 10 000 habitants ; communes à plus de {_km(coverage.far_km)} de toute "
        "aide ; fraîcheur et complétude des fiches.",
        "version": VERSION,
        "licenses": _LICENCES,
        "primaryKey": "code",
        "missingValues": [""],
        "fields": [
            _field(
                "code",
                "Code",
                "Code du département, ou SIREN de l'intercommunalité (EPCI).",
                required=True,
                unique=True,
            ),
            _field(
                "type",
                "Type",
                "departement ou epci.",
                required=True,
                enum=["departement", "epci"],
            ),
            _field("nom", "Nom", "Nom du territoire.", required=True),
            _field(
                "population",
                "Population",
                "Somme des populations municipales de ses communes.",
                "integer",
                required=True,
                minimum=0,
            ),
            _field("communes", "Communes", "Nombre de ses communes.", "integer", required=True, minimum=0),
            *by_kind,
            _field(
                "lieux_pour_10000",
                "Lieux pour 10 000 habitants",
                "Lieux d'aide dont l'adresse est dans le territoire, pour 10 000 habitants (deux "
                "décimales) ; vide pour une population nulle.",
                "number",
                minimum=0,
            ),
            _field(
                "communes_loin",
                f"Communes à plus de {_km(coverage.far_km)}",
                f"Communes dont le centre est à plus de {_km(coverage.far_km)} de tout lieu d'aide ou arrêt d'un "
                "service itinérant.",
                "integer",
                required=True,
                minimum=0,
            ),
            _field(
                "population_loin",
                f"Population à plus de {_km(coverage.far_km)}",
                "Habitants de ces communes.",
                "integer",
                required=True,
                minimum=0,
            ),
            _field(
                checked_column(coverage),
                "Part des fiches vérifiées",
                f"Part des fiches de lieux du territoire (0 à 1, quatre décimales) vérifiées dans les "
                f"{coverage.checked_months} derniers mois ; vide sans fiche.",
                "number",
                minimum=0,
                maximum=1,
            ),
            _field(
                "completude_moyenne",
                "Complétude moyenne",
                "Complétude moyenne des fiches du territoire, en pourcentage (0 à 100), comme le "
                "rapport de fraîcheur la calcule ; vide sans fiche.",
                "integer",
                minimum=0,
                maximum=100,
            ),
            _field(
                "url",
                "Page",
                "Adresse de la page du territoire sur le site (l'accueil pour le département).",
                pattern="https?://\\S+",
            ),
        ],
    }


def territory_row(territory: TerritoryCoverage, coverage: Coverage, base: str) -> list[str]:
    by_kind = []
    for k in coverage.kinds:
        for km in coverage.thresholds:
            by_kind += [
                _decimal(territory.share_within[k.slug][km], 4),
                str(territory.population_within[k.slug][km]),
            ]
    page = urls.epci(territory) if territory.slug is not None else urls.HOME_URL
    return [
        territory.code,
        territory.level,
        territory.name,
        str(territory.population),
        str(territory.communes),
        *by_kind,
        _decimal(territory.places_per_10000, 2),
        str(len(territory.far_communes)),
        str(territory.far_population),
        _decimal(territory.checked_share, 4),
        _integer(territory.completeness),
        absolute(base, page) or "",
    ]


def render_territories(coverage: Coverage, base: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f["name"] for f in territories_schema(coverage)["fields"]])
    for territory in coverage.territories:
        writer.writerow(territory_row(territory, coverage, base))
    return out.getvalue()


# --- files --------------------------------------------------------------------------------------


def _json(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write(coverage: Coverage, out: Path, base_url: str) -> dict[str, int]:
    """Write the two CSV files and their Table Schemas into ``out``; return the rows per CSV file."""
    out = Path(out)
    write_text(out / COMMUNES_FILENAME, render_communes(coverage, base_url))
    write_text(out / COMMUNES_SCHEMA_FILENAME, _json(communes_schema(coverage)))
    write_text(out / TERRITORIES_FILENAME, render_territories(coverage, base_url))
    write_text(out / TERRITORIES_SCHEMA_FILENAME, _json(territories_schema(coverage)))
    return {COMMUNES_FILENAME: len(coverage.communes), TERRITORIES_FILENAME: len(coverage.territories)}
