"""Settings of the catalogue plugin: declared once, with their defaults and meaning.

Pelican settings given in ``pelicanconf.py`` win over these defaults. The
documentation test checks that each of them is described in the README.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

DEFAULTS: dict[str, tuple[Any, str]] = {
    "CATALOGUE_DATA_PATH": (
        "data",
        "Dossier des fiches YAML (sites.yaml, workshops.yaml, trainings.yaml, reference/).",
    ),
    "CATALOGUE_REFERENCE_PATH": (
        "",
        "Dossier des données de référence (communes, EPCI, contour du département) ; vide : le dossier "
        "reference/ de CATALOGUE_DATA_PATH. Le jeu de démonstration (demo/) prend celui de data/.",
    ),
    "CATALOGUE_ALLOW_EXAMPLES": (
        False,
        "Accepter les fiches d'exemple (x_exemple, exemple : true) : seulement pour le jeu de "
        "démonstration (make demo), les tests et le banc ; le site publié les refuse.",
    ),
    "CATALOGUE_SCHEMAS_PATH": ("schemas", "Dossier des schémas JSON des fiches."),
    "CATALOGUE_BUILD_DATE": (
        None,
        "Date de la construction (AAAA-MM-JJ) : ateliers passés, fraîcheur des fiches. "
        "Sinon SOURCE_DATE_EPOCH, sinon la date du jour à Paris.",
    ),
    "CATALOGUE_TIMEZONE": ("Europe/Paris", "Fuseau horaire des horaires et des ateliers."),
    "CATALOGUE_STALE_MONTHS": (
        12,
        "Nombre de mois sans vérification après lequel une fiche est signalée ancienne.",
    ),
    "CATALOGUE_MAX_FILE_BYTES": (64 * 1024 * 1024, "Taille maximale d'un fichier de données, en octets."),
    "CATALOGUE_PUBLIC_URL": (
        "",
        "Adresse publique du site (https://…), pour les liens de partage, le plan du site et les QR codes.",
    ),
    "CATALOGUE_PUBLISHER": (
        "",
        "Qui publie le catalogue, tel que les pages, les données ouvertes et les agendas le nomment ; "
        "vide : « Département » suivi du nom du département des données de référence (« Département "
        "de l'Hérault », « Département du Gard »).",
    ),
    "CATALOGUE_CONTACT_EMAIL": (
        "",
        "Adresse e-mail qui reçoit les signalements d'erreur et d'accessibilité (mentions légales, "
        "déclaration d'accessibilité).",
    ),
    "CATALOGUE_REPOSITORY_URL": (
        "",
        "Adresse du dépôt GitHub des données et du code, pour les liens « Proposer une modification » "
        "et les mentions légales.",
    ),
    "CATALOGUE_PUBLICATION_DIRECTOR": (
        "",
        "Nom et fonction du directeur ou de la directrice de la publication (mentions légales).",
    ),
    "CATALOGUE_HOST": (
        "",
        "Nom, adresse postale et téléphone de l'hébergeur du site (mentions légales), une ligne par "
        "ligne d'adresse.",
    ),
    "CATALOGUE_POSTAL_ADDRESS": (
        "",
        "Adresse postale du service responsable du site, pour écrire au sujet de l'accessibilité "
        "(déclaration d'accessibilité), une ligne par ligne d'adresse.",
    ),
    "CATALOGUE_CODE_LICENSE": (
        "",
        "Licence du code du site (mentions légales), par exemple « EUPL 1.2 ».",
    ),
    "CATALOGUE_ACCESSIBILITY_PLAN_URL": (
        "",
        "Adresse du schéma pluriannuel de mise en accessibilité numérique du Département et de son plan "
        "d'actions de l'année (déclaration d'accessibilité).",
    ),
    "CATALOGUE_REQUIRE_LEGAL_INFO": (
        False,
        "Refuser de construire le site tant qu'une information des mentions légales ou de la "
        "déclaration d'accessibilité est vide ou garde une valeur d'exemple (.example) : "
        "publishconf.py l'active. Sinon les pages affichent « non renseigné ».",
    ),
    "CATALOGUE_PDF_BROCHURES": (
        False,
        "Produire les brochures PDF des territoires (WeasyPrint, environ 1 s par brochure) : "
        "`make pdf` et la publication l'activent.",
    ),
    "CATALOGUE_MAP_TILES": (
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        "Adresse des tuiles des cartes, avec {z}, {x} et {y} : le Plan IGN de la Géoplateforme par "
        "défaut ; OpenStreetMap : https://tile.openstreetmap.org/{z}/{x}/{y}.png (avec sa mention).",
    ),
    "CATALOGUE_MAP_ATTRIBUTION": (
        "© IGN",
        "Mention de la source des tuiles, affichée sur les cartes (« © contributeurs OpenStreetMap » "
        "pour OpenStreetMap).",
    ),
    "CATALOGUE_RENDER_PROCESSES": (
        None,
        "Nombre de processus qui rendent les pages (défaut : les processeurs disponibles ; 1 : un seul).",
    ),
    "CATALOGUE_SEARCH_INDEX_PAGES": (
        10_000,
        "Nombre de pages au plus par index Pagefind : au-delà, l'index est fait en plusieurs "
        "parties, que la page de recherche réunit (Pagefind prend environ 150 Ko de mémoire par page). "
        "Les parties sont indexées côte à côte tant que leurs pages ensemble ne dépassent pas ce nombre.",
    ),
    "CATALOGUE_SEARCH_PART_PAGES": (
        3_000,
        "Nombre moyen de pages par partie de l'index de recherche : au-delà de ce nombre de pages "
        "indexées, l'index est fait en parties stables (une page modifiée ne fait refaire que la "
        "sienne) ; plus elles sont petites, plus une construction après une petite modification "
        "est rapide, mais plus la première recherche télécharge de fichiers.",
    ),
    "CATALOGUE_CACHE_PATH": (
        ".cache/mednum",
        "Dossier du cache des constructions : fichiers YAML déjà lus, gabarits compilés, codes QR, "
        "empreinte de la dernière construction de chaque dossier de sortie. Peut être effacé à "
        "tout moment.",
    ),
    "CATALOGUE_RECURRENCE_WEEKS": (
        26,
        "Nombre de semaines pendant lesquelles les ateliers récurrents sont affichés.",
    ),
}


def setting(settings: dict, name: str) -> Any:
    return settings.get(name, DEFAULTS[name][0])


def resolve_path(settings: dict, name: str) -> Path:
    """A path setting, relative to the folder of the Pelican configuration (its PATH's parent)."""
    value = Path(setting(settings, name))
    if value.is_absolute():
        return value
    base = Path(settings.get("PATH", ".")).resolve().parent
    return base / value


def publisher(settings: dict, department) -> str:
    """CATALOGUE_PUBLISHER, else « Département » and the name of ``department`` (reference data)."""
    return setting(settings, "CATALOGUE_PUBLISHER") or f"Département {department.of}"


def reference_path(settings: dict) -> Path:
    """The reference folder: its own setting, else ``reference/`` in the data folder."""
    if setting(settings, "CATALOGUE_REFERENCE_PATH"):
        return resolve_path(settings, "CATALOGUE_REFERENCE_PATH")
    return resolve_path(settings, "CATALOGUE_DATA_PATH") / "reference"


def build_date(settings: dict) -> dt.date:
    """The day the site describes: a setting, else SOURCE_DATE_EPOCH, else today in Paris."""
    value = setting(settings, "CATALOGUE_BUILD_DATE")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value:
        return dt.date.fromisoformat(str(value))
    zone = ZoneInfo(setting(settings, "CATALOGUE_TIMEZONE"))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=zone).date()
    return dt.datetime.now(tz=zone).date()
