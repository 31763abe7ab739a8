"""Make Pagefind's output byte-identical from one build to the next.

Pagefind 1.5 writes the values of each filter in hash-map order, so the filter
files, their content-hashed names, the metadata file listing them and the entry
file listing that one change between two builds of the same pages. This module
rewrites them in sorted order and names them from their content again. Only the
order changes: the same values, pages and filters are kept.

The files are gzip-compressed ``pagefind_dcd`` + CBOR, which is how Pagefind's own
browser code reads them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"


class PagefindFormatError(Exception):
    """Pagefind's files are not in the format this module knows (another Pagefind version?)."""


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise PagefindFormatError(f"{path.name} : signature Pagefind absente")
    return cbor2.loads(data[len(SIGNATURE) :])


def _write(directory: Path, prefix: str, digits: int, suffix: str, value) -> str:
    """Write ``value`` compressed; its name is the language prefix and a hash of the content."""
    payload = SIGNATURE + cbor2.dumps(value)
    name = f"{prefix}{hashlib.sha256(payload).hexdigest()[:digits]}"
    # mtime=0: no date in the gzip header, so the bytes depend on the content only.
    (directory / f"{name}{suffix}").write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    return name


def normalise(bundle: Path) -> None:
    """Sort the filter values and rename filter and metadata files after their content."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read(meta_path)
        if not (isinstance(meta, list) and len(meta) > 3 and isinstance(meta[3], list)):
            raise PagefindFormatError(f"{meta_path.name} : structure inattendue")
        lang = language["hash"].rsplit("_", 1)[0] + "_"
        filters = []
        for name, old_hash in meta[3]:
            old = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = _read(old)
            values = sorted(values, key=lambda item: item[0])
            old.unlink()
            filters.append([name, _write(bundle / "filter", lang, 7, ".pf_filter", [filter_name, values])])
        meta[3] = sorted(filters)
        meta_path.unlink()
        language["hash"] = _write(bundle, "pagefind." + lang, 10, ".pf_meta", meta).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
