"""What every export shares: the licence, the publisher, absolute addresses, exact writing.

Kept apart from the package's ``__init__`` (which runs the exports) so that each export
imports it without importing the others.
"""

from __future__ import annotations

from pathlib import Path

from ..french import slugify
from ..model import Catalogue
from ..settings import setting

LICENCE = "Licence Ouverte 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def base_url(settings: dict) -> str:
    """Public address of the site without the final slash ("" when unknown)."""
    url = setting(settings, "CATALOGUE_PUBLIC_URL") or settings.get("SITEURL", "") or ""
    return str(url).rstrip("/")


def absolute(base: str, path: str) -> str | None:
    """Absolute address of a site page (``lieux/x/``), or None when the public address is unknown."""
    return f"{base}/{path}" if base.startswith(("http://", "https://")) else None


def source_id(catalogue: Catalogue) -> str:
    """The catalogue's name in shared data (« mednum-herault », « mednum-gard »): prefix of its ids."""
    return f"mednum-{slugify(catalogue.reference.department.name)}"


def write_text(path: Path, text: str) -> None:
    """Write exactly ``text`` (its line endings are the format's), in UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
