"""QR codes as inline SVG, made at build time: printed pages lead back to their web address.

Every page has one (in its print footer), so this is on the build's hot path: zxing-cpp
encodes (C++, ~0.4 ms a code; segno took ~2 ms even with a fixed mask) and the SVG is one
path of horizontal runs of dark modules, written here. Codes are kept per URL for the
length of a process (a brochure and its territory page share theirs), and from one build to
the next in the build cache (``Store``): a URL's code never changes, and writing the paths
costs more than encoding them (2 s of a cold Hérault-size build).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sqlite3
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import zxingcpp
from markupsafe import Markup, escape

DRAWING = 1  # the version of _encode's drawing: change it with the drawing
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks: phones read it better
_DARK_RUNS = re.compile(rb"\x00+")  # zxing's image: 0 is a dark module, 255 a light one


class Store:
    """QR codes kept in the build cache, an SQLite file read code by code.

    ``load`` before the pages are rendered, ``keep`` in each rendering process after its pages
    (its new codes, in a file of its own), ``save`` once they are all done (those files into
    the SQLite file). At national size the codes of 108,000 pages take 260 MB: a build that
    renders a few hundred pages reads theirs, not all of them (a JSON file read whole took
    1.9 s of each incremental build and its memory). A file that cannot be read is no file.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        # Another encoder or another drawing is another set of codes.
        self.prefix = f"qr-codes-{metadata.version('zxing-cpp')}-{DRAWING}-{QUIET_ZONE}"

    @property
    def database(self) -> Path:
        return self.folder / f"{self.prefix}.sqlite"

    def load(self) -> None:
        global _database, _connection
        _database, _connection = self.database, None
        _known.clear()
        for path in self._parts():  # left by a build that stopped before saving
            _known.update(self._read(path))
        _made.clear()

    def keep(self) -> None:
        """This process's new codes, into a file of its own."""
        if _made:
            self._write(self.folder / f"{self.prefix}.{os.getpid()}.part", _made)

    def save(self) -> None:
        """The codes made by the processes since ``load``, into the SQLite file."""
        global _connection
        parts = self._parts()
        if not parts and not _made:  # nothing new: the file stays as it is
            return
        _connection = None  # this process's reader: closed before writing
        # A file at a time: a cold national build's codes are 260 MB, never all in memory at once.
        batches = [lambda: _known, *(functools.partial(self._read, path) for path in parts), lambda: _made]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                _insert(self.database, batches)
            except sqlite3.DatabaseError:  # not a database: made again
                self.database.unlink()
                _insert(self.database, batches)
        except (OSError, sqlite3.Error):  # a cache that cannot be written only costs time
            return
        for path in parts:
            path.unlink(missing_ok=True)
        # The whole JSON file of earlier versions: replaced by the SQLite file.
        (self.folder / f"{self.prefix}.json").unlink(missing_ok=True)

    def _parts(self) -> list[Path]:
        return sorted(self.folder.glob(f"{self.prefix}.*.part"))

    @staticmethod
    def _read(path: Path) -> dict[str, tuple[int, str]]:
        try:
            return {url: (int(size), str(d)) for url, (size, d) in json.loads(path.read_text()).items()}
        except (OSError, ValueError, TypeError):
            return {}

    def _write(self, target: Path, codes: dict) -> None:
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(codes, sort_keys=True, separators=(",", ":")))
            os.replace(temporary, target)


_database: Path | None = None  # the Store's SQLite file (Store.load)
_connection: tuple[int, sqlite3.Connection | None] | None = None  # (process, reader of _database)
_known: dict[str, tuple[int, str]] = {}  # codes of a build that stopped before saving them
_made: dict[str, tuple[int, str]] = {}  # codes made by this process since


def _insert(database: Path, batches: list[Callable[[], dict[str, tuple[int, str]]]]) -> None:
    """The codes each of ``batches`` gives, into ``database``, in one transaction."""
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as db, db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS codes (url TEXT PRIMARY KEY, size INTEGER, path TEXT) WITHOUT ROWID"
        )
        for batch in batches:
            db.executemany(
                "INSERT OR IGNORE INTO codes VALUES (?, ?, ?)",
                ((url, size, path) for url, (size, path) in batch().items()),
            )


def _stored(url: str) -> tuple[int, str] | None:
    """The code of ``url`` in the Store's file, if it is there. Each process reads the file
    through a connection of its own: the rendering processes are forked, and an SQLite
    connection must not cross a fork."""
    global _connection
    if _database is None:
        return None
    if _connection is None or _connection[0] != os.getpid():
        try:  # read-only: a missing file is not created by a reader
            reader = (
                sqlite3.connect(f"{_database.as_uri()}?mode=ro", uri=True) if _database.is_file() else None
            )
        except sqlite3.Error:
            reader = None
        _connection = (os.getpid(), reader)
    reader = _connection[1]
    if reader is None:
        return None
    try:
        row = reader.execute("SELECT size, path FROM codes WHERE url = ?", (url,)).fetchone()
    except sqlite3.Error:  # not a database, or not ours: a cache miss
        return None
    return (int(row[0]), str(row[1])) if row else None


def _path(url: str) -> tuple[int, str]:
    """(size in modules with the quiet zone, path data) of the QR code of ``url``."""
    found = _made.get(url) or _known.get(url) or _stored(url)
    if found is None:
        found = _made[url] = _encode(url)
    return found


def _encode(url: str) -> tuple[int, str]:
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    rows, width = image.shape
    pixels = bytes(memoryview(image))
    parts = []
    for y in range(rows):
        x = 0  # pen position in this row, relative to the row's first run
        first = True
        for run in _DARK_RUNS.finditer(pixels, y * width, (y + 1) * width):
            start, length = run.start() - y * width, run.end() - run.start()
            if first:  # absolute move to the row; y + .5: the stroke is centred on the line
                parts.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}.5h{length}")
                first = False
            else:
                parts.append(f"m{start - x} 0h{length}")
            x = start + length
    return rows + 2 * QUIET_ZONE, "".join(parts)


def qr_svg(url: str, label: str = "") -> Markup:
    """An accessible inline SVG QR code encoding ``url`` (deterministic for a given URL)."""
    size, path = _path(url)
    title = escape(label or f"QR code vers {url}")
    # role=img with a label: screen readers announce what the code leads to. A viewBox and no
    # fixed size: CSS sizes the printed code.
    return Markup(
        f'<svg role="img" aria-label="{title}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {size} {size}" class="mn-qr__code"><path stroke="#000" d="{path}"/></svg>'
    )
