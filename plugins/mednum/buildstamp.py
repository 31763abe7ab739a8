"""What a build depends on, and what the next build may take back from it.

A build is a pure function of its inputs: the data, the schemas, the Markdown pages, the
theme, this plugin's code, the vendored map libraries, the versions of the packages that
write the output, the settings and the build date. Their fingerprint is kept, with what
some costly steps produced, in a stamp for the output folder (in the cache folder, never in
the published site):

* same fingerprint, same output folder as the stamp says (the folder swapped in by the last
  build, untouched at its top level): nothing to do, the build stops at once;
* otherwise the site is built again, but the search index is copied from the published site
  when the pages Pagefind reads are byte for byte the same, and so is each PDF brochure whose
  HTML and resources are the same.

A stamp that cannot be read is no stamp: the build simply does all the work.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import maps
from .rgaa import GRILLE
from .settings import build_date, reference_path, resolve_path

STAMP_VERSION = 2
# Packages whose version changes what a build writes.
PACKAGES = (
    *("pelican", "jinja2", "markdown", "pyyaml", "folium", "branca"),
    *("pagefind-bin", "weasyprint", "zxing-cpp"),
)
# Settings that say where the output goes, not what is in it.
IGNORED_SETTINGS = {"OUTPUT_PATH"}
# Settings that say where records and caches are: not part of what every page depends on.
LOCATION_SETTINGS = {"CATALOGUE_DATA_PATH", "CATALOGUE_CACHE_PATH", "CATALOGUE_REFERENCE_PATH"}


def cache_dir(settings: dict) -> Path:
    return resolve_path(settings, "CATALOGUE_CACHE_PATH")


def canonical(value: Any) -> Any:
    """A JSON-able image of a setting's value, without memory addresses."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(canonical(v)) for v in value)
    kind = type(value)
    name = getattr(value, "__qualname__", "") or getattr(value, "pattern", "") or ""
    return f"<{kind.__module__}.{kind.__qualname__} {name}>"


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def input_folders(settings: dict) -> dict[str, Path]:
    folders = {
        "data": resolve_path(settings, "CATALOGUE_DATA_PATH"),
        "reference": reference_path(settings),
        "schemas": resolve_path(settings, "CATALOGUE_SCHEMAS_PATH"),
        "content": Path(settings.get("PATH", ".")).resolve(),
        "theme": Path(settings.get("THEME", ".")).resolve(),
        "plugin": Path(__file__).resolve().parent,
        "rgaa": GRILLE.parent,  # the accessibility statement's figures
    }
    for extra in settings.get("THEME_TEMPLATES_OVERRIDES", []):
        folders[f"templates:{extra}"] = Path(extra).resolve()
    modules = maps.node_modules(settings)
    for package in maps.VENDOR:
        folders[f"npm:{package}"] = modules / package
    return folders


def _hasher():
    """A sha256 and a function adding length-prefixed parts to it."""
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "big") + data)

    return digest, add


def _add_folder(add, folder: Path) -> None:
    for path in _files(folder):
        add(path.relative_to(folder).as_posix(), path.read_bytes())


def environment_key(settings: dict) -> str:
    """What every page depends on: all the inputs but the records (``data/``), whose effect on
    each page its key follows (``pagekeys``), and but the settings that only say where inputs
    are (their contents count). The reference data stays in: it is small, rarely changed, and
    read by pages in ways their context does not show (the département's name)."""
    digest, add = _hasher()
    add("stamp", str(STAMP_VERSION), sys.version)
    ignored = IGNORED_SETTINGS | LOCATION_SETTINGS
    shown = {k: v for k, v in settings.items() if k.isupper() and k not in ignored}
    add("settings", json.dumps(canonical(shown), sort_keys=True, ensure_ascii=False))
    add("date", build_date(settings).isoformat())
    for package in PACKAGES:
        add("package", package, package_version(package))
    for label, folder in sorted(input_folders(settings).items()):
        if label != "data":
            add("folder", label)
            _add_folder(add, folder)
    return digest.hexdigest()


def fingerprint(settings: dict, environment: str | None = None) -> str:
    """One hash of everything the site is made from (see the module's docstring): the
    environment (``environment_key``, computed here unless given), where the inputs are, and
    the records."""
    digest, add = _hasher()
    add("environment", environment if environment is not None else environment_key(settings))
    places = {k: v for k, v in settings.items() if k in LOCATION_SETTINGS}
    add("places", json.dumps(canonical(places), sort_keys=True, ensure_ascii=False))
    folders = input_folders(settings)
    for label, folder in sorted(folders.items()):
        add("folder", label, str(folder))
    _add_folder(add, folders["data"])
    return digest.hexdigest()


def _identity(output: Path) -> list[int] | None:
    """What tells the folder the last build swapped in from any other one at that place: its
    date to the nanosecond, which a file added or removed in it changes. Not its inode: the
    same folder restored from a CI cache (tar keeps the date) is still that build's site."""
    try:
        info = os.stat(output)
    except OSError:
        return None
    return [info.st_mtime_ns]


@dataclass
class Stamp:
    """What the last build into ``output`` left: its fingerprint and its reusable results."""

    output: str
    identity: list[int] | None = None
    fingerprint: str = ""
    index_keys: dict[str, str] = field(default_factory=dict)  # search index part → hash of its pages
    pdf_keys: dict[str, str] = field(default_factory=dict)  # brochure PDF → hash of its HTML
    page_keys: dict[str, str] = field(default_factory=dict)  # page (save_as) → pagekeys' key
    pages_reused: int = 0  # how many of them this build took back from the previous one
    calendar_keys: dict[str, str] = field(default_factory=dict)  # workshop → key of its .ics
    # page read by the index → [inode, size, mtime_ns, hash] (search.PageDigests)
    index_pages: dict[str, list] = field(default_factory=dict)

    def matches_output(self) -> bool:
        """The output folder is still the one that build produced."""
        return self.identity is not None and self.identity == _identity(Path(self.output))

    def up_to_date(self, current: str) -> bool:
        return bool(self.fingerprint) and self.fingerprint == current and self.matches_output()


def _stamp_file(cache: Path, output: Path) -> Path:
    name = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return cache / "builds" / f"{name}.json"


def read_stamp(cache: Path, output: Path) -> Stamp:
    """The stamp of the last build into ``output``; an empty one if there is none to trust."""
    try:
        data = json.loads(_stamp_file(cache, output).read_text(encoding="utf-8"))
        if data.get("version") != STAMP_VERSION or data.get("output") != str(output.resolve()):
            raise ValueError("other version or folder")
        stamp = Stamp(
            data["output"],
            data["identity"],
            data["fingerprint"],
            dict(data["index_keys"]),
            dict(data["pdf_keys"]),
            dict(data.get("page_keys", {})),
            int(data.get("pages_reused", 0)),
            dict(data.get("calendar_keys", {})),
            dict(data.get("index_pages", {})),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return Stamp(str(output.resolve()))
    return stamp if stamp.matches_output() else Stamp(str(output.resolve()))


def write_stamp(cache: Path, output: Path, stamp: Stamp) -> None:
    """Record the build just swapped in at ``output`` (written whole or not at all)."""
    stamp.output = str(output.resolve())
    stamp.identity = _identity(output)
    target = _stamp_file(cache, output)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Without an indent, json's C encoder writes it: 0.10 s against 0.19 s for the keys of
    # 108,000 pages at national size.
    text = json.dumps({"version": STAMP_VERSION, **stamp.__dict__}, separators=(",", ":"), sort_keys=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, target)
    # Stamps of output folders that are gone (temporary builds) only take room.
    for other in target.parent.glob("*.json"):
        with contextlib.suppress(OSError, ValueError, KeyError):
            if not Path(json.loads(other.read_text(encoding="utf-8"))["output"]).exists():
                other.unlink()


def forget_stamp(cache: Path, output: Path) -> None:
    with contextlib.suppress(OSError):
        _stamp_file(cache, output).unlink()


# --------------------------------------------------------------------------------------------------
# Keys of the reusable results

_LOCAL_RESOURCE = re.compile(r'<(?:link|img|script)\b[^>]*?\b(?:href|src)="(/[^"#?]*)"')


def files_key(files: list[Path], root: Path, *extra: str) -> str:
    """A hash of some files of the site (names and bytes) and of ``extra`` strings."""
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode() + b"\0")
    for path in files:
        name = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def take_back_file(old: Path | str, new: Path | str) -> None:
    """A file of the published site into the site being built: a hard link (a tenth of the time
    of a copy; nothing writes into a written file, and the old site is only ever deleted), a
    copy across file systems. ``old`` and ``new``: paths, or strings (cheaper, for each page)."""
    try:
        os.link(old, new)  # its folder is most often there (the spare site's: build.staging_folder)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(new), exist_ok=True)
        try:
            os.link(old, new)
        except OSError:
            shutil.copyfile(old, new)
    except OSError:
        shutil.copyfile(old, new)


def page_key(html_file: Path, site: Path, *extra: str) -> str:
    """A hash of a page and of the site's files it loads (styles, images, scripts)."""
    html = html_file.read_text(encoding="utf-8")
    resources = sorted({site / url.lstrip("/") for url in _LOCAL_RESOURCE.findall(html)})
    return files_key([html_file, *(r for r in resources if r.is_file())], site, *extra)


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def source_hash(*modules) -> str:
    """A hash of some modules' source: a key changes when the code that made the result does."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()
