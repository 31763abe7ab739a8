"""Tagged PDF (PDF/UA) from the built HTML brochures, with WeasyPrint.

WeasyPrint only logs a stylesheet, image or font it could not load and still
exits successfully; a brochure printed without its styles is not acceptable, so
every such message fails the step with the file it concerns.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit


class PdfError(Exception):
    """A brochure could not be turned into a complete PDF (French message)."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _local_fetcher(site_root: Path):
    """Resolve the site's own files only; anything missing or external stops the rendering."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    root = site_root.resolve()

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path))
                if root not in path.resolve().parents:
                    # A root-relative link ("/static/x.css") joined to a file: base.
                    path = root / path.relative_to(path.anchor)
                path = path.resolve()
                if root not in path.parents:
                    raise FatalURLFetchingError(f"ressource hors du site : {url}")
                if not path.is_file():
                    raise FatalURLFetchingError(f"ressource introuvable : /{path.relative_to(root)}")
                url = path.as_uri()
            elif parts.scheme != "data":
                raise FatalURLFetchingError(f"ressource externe refusée : {url}")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols={"file", "data"})


def html_to_pdf(html_file: Path, site_root: Path, pdf_file: Path) -> None:
    """Render ``html_file`` (a page of the built site) to ``pdf_file`` as PDF/UA-1."""
    import weasyprint

    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        # Root-relative links ("/static/…") resolve inside the built site.
        document = weasyprint.HTML(
            filename=str(html_file),
            base_url=site_root.resolve().as_uri() + "/",
            url_fetcher=_local_fetcher(site_root),
        )
        pdf = document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False, custom_metadata=False)
    except BaseException as exc:  # FatalURLFetchingError is not an Exception
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        where = html_file.relative_to(site_root)
        raise PdfError(f"{where} : la brochure PDF n'a pas pu être produite ({exc})") from exc
    finally:
        logger.removeHandler(collector)
    problems = [m for m in collector.messages if "Failed to load" in m]
    if problems:
        raise PdfError(f"{html_file.relative_to(site_root)} : " + " ; ".join(problems))
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    pdf_file.write_bytes(pdf)
