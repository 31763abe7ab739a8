"""Tagged PDF (PDF/UA) from the built HTML brochures, with WeasyPrint.

WeasyPrint only logs a stylesheet, image or font it could not load and still
exits successfully; a brochure printed without its styles is not acceptable, so
every such message fails the step with the file it concerns.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import struct
import subprocess
import sys
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


def import_weasyprint():
    """WeasyPrint, imported with its C libraries found in ``ldconfig -p``'s list read once.

    WeasyPrint tries up to six names for each of its seven libraries (those of every platform),
    and for each name that does not load as it is, cffi asks ``ctypes.util.find_library``, which
    runs ldconfig, then gcc, every time: 0.17 s of the 0.55 s WeasyPrint takes to import, in
    every build that makes a PDF (the import runs beside Pelican, and took longer than Pelican on
    the real data). A name is looked up as find_library's first way does; one that is not in
    ldconfig's list is not found. If WeasyPrint cannot load its libraries that way (one that
    only gcc or ld would find), it is imported again the usual way.
    """
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    finder = _ldconfig_finder() if sys.platform.startswith("linux") else None
    if finder is not None:
        import ctypes.util

        usual, ctypes.util.find_library = ctypes.util.find_library, finder
        try:
            # WeasyPrint prints its installation help before a library error: not for this try.
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint
            return weasyprint
        except OSError:
            pass
        finally:
            ctypes.util.find_library = usual
    import weasyprint

    return weasyprint


# ldconfig's name for this machine's libraries (as in ctypes.util._findSoname_ldconfig).
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def _ldconfig_finder():
    """A ``find_library`` answering from one reading of ``ldconfig -p``; None if it cannot run."""
    try:
        listing = subprocess.run(
            ["/sbin/ldconfig", "-p"], capture_output=True, timeout=10, check=True, env={"LC_ALL": "C"}
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = re.escape(_ABI.get(machine, "libc6").encode())

    def find_library(name: str) -> str | None:
        found = re.search(rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(os.fsencode(name)), abi), listing)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


def html_to_pdf(html_file: Path, site_root: Path, pdf_file: Path) -> None:
    """Render ``html_file`` (a page of the built site) to ``pdf_file`` as PDF/UA-1."""
    weasyprint = import_weasyprint()

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
