"""Build the site into a staging folder and swap it in only when every step succeeded.

A data mistake, a crash or an interruption leaves the previous ``output/`` as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .errors import CatalogueInvalid
from .maps import MapError
from .pdf import PdfError, html_to_pdf
from .search import SearchIndexError, index_site

logger = logging.getLogger(__name__)


def build_site(settings_path: Path, output: Path, override: dict | None = None) -> int:
    from pelican import Pelican
    from pelican.settings import read_settings

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a build that was killed: never the published site itself.
    for stale in output.parent.glob(f".{output.name}-staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in output.parent.glob(f".{output.name}-old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-staging-", dir=output.parent))
    try:
        settings = read_settings(
            str(settings_path), override={**(override or {}), "OUTPUT_PATH": str(staging)}
        )
        Pelican(settings).run()
        if settings.get("CATALOGUE_PDF_BROCHURES"):
            write_brochure_pdfs(staging)
        index_site(staging)  # the search index (Pagefind), on the finished pages
    except SearchIndexError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"Erreur : recherche : {exc}", file=sys.stderr)
        print(f"\nLe site n'a pas été construit : {output.name}/ est resté tel quel.", file=sys.stderr)
        return 1
    except (PdfError, MapError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"Erreur : {exc}", file=sys.stderr)
        print(f"\nLe site n'a pas été construit : {output.name}/ est resté tel quel.", file=sys.stderr)
        return 1
    except CatalogueInvalid as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(exc.report.text(), file=sys.stderr)
        print(f"\nLe site n'a pas été construit : {output.name}/ est resté tel quel.", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, output)
    return 0


def write_brochure_pdfs(site: Path) -> list[Path]:
    """A tagged PDF next to each territory brochure (brochures/territoires/<slug>.pdf)."""
    pages = sorted(site.glob("brochures/territoires/*/index.html"))
    targets = [page.parent.with_suffix(".pdf") for page in pages]
    # WeasyPrint is single-threaded: one process per core.
    with ProcessPoolExecutor(max_workers=min(len(pages), os.cpu_count() or 1) or 1) as pool:
        list(pool.map(html_to_pdf, pages, [site] * len(pages), targets))
    return targets


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` with two renames (no half-written site in between)."""
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}-old-", dir=output.parent))
        os.rmdir(old)
        os.rename(output, old)
    os.rename(staging, output)
    os.chmod(output, 0o755)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
