"""What every export shares: the licence, the publisher, absolute addresses, exact writing.

Kept apart from the package's ``__init__`` (which runs the exports) so that each export
imports it without importing the others.
"""

from __future__ import annotations

import json
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


def json_records(document: dict) -> str:
    """``document`` as JSON with each item of its lists of records on a line of its own: a
    record changed is a line changed, and the text is written by json's C encoder (with an
    indent, Python writes it in Python: 3 s of a national-size build for two files)."""
    lines = []
    for name, value in document.items():
        head = json.dumps(name, ensure_ascii=False)
        if isinstance(value, list) and value:
            items = ",\n".join(json.dumps(item, ensure_ascii=False) for item in value)
            lines.append(f"{head}: [\n{items}\n]")
        else:
            lines.append(f"{head}: {json.dumps(value, ensure_ascii=False)}")
    return "{" + ",\n".join(lines) + "}\n"
