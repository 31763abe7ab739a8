"""Where each page of the catalogue lives, and the breadcrumbs that lead to it.

The one place that knows the site's addresses: the planners, the maps, the search
index, the exports and the templates (as Jinja globals) all ask this module, so an
address changes here and nowhere else. Addresses are site-relative, without a leading
slash, and end in "/" for folders ("" is the home page). Imports nothing of the plugin:
any module can use it without creating an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str


HOME_URL = ""
COMMUNES_AZ = "communes/"
POSTAL_CODES = "codes-postaux/"
AGENDA = "ateliers/"
TRAININGS = "formations/"
BROCHURES = "brochures/"
SEARCH = "recherche/"
FRESHNESS = "equipe/fraicheur/"
NOT_FOUND = "404.html"
MAPS = "carte/"  # the département's map; every other map is carte/<address of its list page>
DATA = "donnees/"
COVERAGE = "couverture/"
COVERAGE_REPORTS_FOLDER = "brochures/couverture/"
# The pages other websites may show in a frame: integrer/<address of the page they summarise>,
# and their own small stylesheet. The hosts' headers let any site frame this folder and no other.
EMBED = "integrer/"
EMBED_CSS = f"{EMBED}integrer.css"

# Folders of the pages made one per record, for the search index's patterns.
SITES_FOLDER = "lieux/"
WORKSHOPS_FOLDER = "ateliers/"
TRAININGS_FOLDER = "formations/"
EPCI_BROCHURES_FOLDER = "brochures/territoires/"

HOME = Crumb("Accueil", HOME_URL)
AGENDA_CRUMB = Crumb("Ateliers", AGENDA)
TRAININGS_CRUMB = Crumb("Formations", TRAININGS)
BROCHURES_CRUMB = Crumb("Brochures", BROCHURES)
COVERAGE_CRUMB = Crumb("Couverture du territoire", COVERAGE)

# The folders whose pages also become PDF files beside them (brochures/territoires/<slug>.pdf).
PDF_FOLDERS = (EPCI_BROCHURES_FOLDER, COVERAGE_REPORTS_FOLDER)


def site(place: Any) -> str:
    """A help point's page (anything with an ``id``: a Site, or a record's id holder)."""
    return f"{SITES_FOLDER}{place.id}/"


def orientation(place: Any) -> str:
    """A help point's referral sheet, made for paper."""
    return f"{site(place)}orientation/"


def commune(item: Any) -> str:
    return f"communes/{item.slug}/"


def epci(item: Any) -> str:
    return f"territoires/{item.slug}/"


def need(item: Any, flt: Any = None) -> str:
    """A need's page, or its page restricted by a filter (anything with a ``slug``)."""
    return f"besoins/{item.slug}/" + (f"{flt.slug}/" if flt is not None else "")


def workshop(item: Any) -> str:
    return f"{WORKSHOPS_FOLDER}{item.id}/"


def training(item: Any) -> str:
    return f"{TRAININGS_FOLDER}{item.id}/"


def epci_brochure(item: Any) -> str:
    return f"{EPCI_BROCHURES_FOLDER}{item.slug}/"


def epci_pdf(item: Any) -> str:
    return pdf_of(epci_brochure(item))


def commune_brochure(item: Any) -> str:
    return f"brochures/communes/{item.slug}/"


def coverage_kind(kind: Any) -> str:
    """The coverage map and table of one kind of help (anything with a ``slug``)."""
    return f"{COVERAGE}{kind.slug}/"


def coverage_report(item: Any) -> str:
    """A territory's coverage report, made for paper (an EPCI, anything with a ``slug``)."""
    return f"{COVERAGE_REPORTS_FOLDER}{item.slug}/"


def coverage_report_pdf(item: Any) -> str:
    return pdf_of(coverage_report(item))


def pdf_of(page_url: str) -> str:
    """The PDF beside a brochure page: ``brochures/territoires/x/`` → ``brochures/territoires/x.pdf``."""
    return page_url.rstrip("/") + ".pdf"


def map_of(page_url: str) -> str:
    """The map page of the page at ``page_url`` (the département's map for the home page)."""
    return f"{MAPS}{page_url}"


def embed_of(page_url: str) -> str:
    """The page other sites can frame, of a commune's or territory's page: ``communes/x/`` →
    ``integrer/communes/x/``."""
    return f"{EMBED}{page_url}"


def trail(*crumbs: Crumb) -> list[Crumb]:
    """Breadcrumbs from the home page: ``trail(Crumb(...))`` → [Accueil, …]."""
    return [HOME, *crumbs]


# What the templates get as Jinja globals (``{{ SITEURL }}/{{ url_site(site) }}``).
JINJA_GLOBALS = {
    "url_site": site,
    "url_orientation": orientation,
    "url_commune": commune,
    "url_epci": epci,
    "url_need": need,
    "url_workshop": workshop,
    "url_training": training,
    "url_epci_brochure": epci_brochure,
    "url_epci_pdf": epci_pdf,
    "url_commune_brochure": commune_brochure,
    "url_map": map_of,
    "url_embed": embed_of,
    "url_coverage_kind": coverage_kind,
    "url_coverage_report": coverage_report,
    "url_coverage_report_pdf": coverage_report_pdf,
    "URL_COMMUNES_AZ": COMMUNES_AZ,
    "URL_POSTAL_CODES": POSTAL_CODES,
    "URL_AGENDA": AGENDA,
    "URL_TRAININGS": TRAININGS,
    "URL_BROCHURES": BROCHURES,
    "URL_SEARCH": SEARCH,
    "URL_DATA": DATA,
    "URL_COVERAGE": COVERAGE,
    "URL_EMBED_CSS": EMBED_CSS,
}
