"""What ``pelican content -s pelicanconf.py`` does after Pelican wrote the pages.

Run the usual way, Pelican builds the same complete site as ``make site``: the catalogue's
pages, maps and exports come from the generator; the search index (Pagefind, on the written
pages) and the PDF brochures come from here, on Pelican's ``finalized`` signal. ``mednum build``
(``make site``) does these two itself, in its staging folder, taking back the previous build's
index and PDFs when their inputs did not change: there, this handler does nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .errors import stop, under_build
from .legal import LegalInfoMissing, check_legal_info
from .pdf import PdfError
from .search import SearchIndexError, check_index_pages, check_part_pages, index_site
from .settings import setting

logger = logging.getLogger(__name__)


def check_on_init(pelican) -> None:
    """Before the work: the legal information of a publication build, the search index's setting."""
    try:
        check_legal_info(pelican.settings)
        check_index_pages(setting(pelican.settings, "CATALOGUE_SEARCH_INDEX_PAGES"))
        check_part_pages(setting(pelican.settings, "CATALOGUE_SEARCH_PART_PAGES"))
    except (LegalInfoMissing, SearchIndexError) as error:
        stop(error)


def finish_site(pelican) -> None:
    """The search index and, with CATALOGUE_PDF_BROCHURES, the PDF brochures of ``pelican``'s output."""
    if under_build():
        return
    from .build import write_brochure_pdfs

    output = Path(pelican.output_path)
    max_pages = check_index_pages(setting(pelican.settings, "CATALOGUE_SEARCH_INDEX_PAGES"))
    part_pages = check_part_pages(setting(pelican.settings, "CATALOGUE_SEARCH_PART_PAGES"))
    try:
        if pelican.settings.get("CATALOGUE_PDF_BROCHURES"):
            write_brochure_pdfs(output, alongside=lambda: index_site(output, max_pages, part_pages))
        else:
            index_site(output, max_pages, part_pages)
    except (SearchIndexError, PdfError) as error:
        stop(error)
    logger.info(
        "mednum: index de recherche%s écrits",
        " et brochures PDF" if setting(pelican.settings, "CATALOGUE_PDF_BROCHURES") else "",
    )
