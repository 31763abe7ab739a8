"""Search with Pagefind: what the index knows about each page, the search page, the indexing.

* :func:`plan_search_pages` adds the search page (``recherche/``) and gives the help-point,
  workshop and training pages ``search_filters`` and ``search_meta``: (name, value) pairs
  the templates write as ``<meta data-pagefind-filter="name[content]" content="value">``
  (and ``data-pagefind-meta``). The search page offers the values that exist.
* :func:`index_site` runs Pagefind on the built site (the build's staging folder) and
  removes Pagefind's own interfaces, unused: the search page has its own (recherche.js).

Browsing by commune or by need is what the static pages are for: the search page never
runs a search without words (Pagefind would download its whole index for that).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import math
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import buildstamp, french, pagefind_order, urls, vocab
from .holidays_fr import holidays_between
from .model import Catalogue, Site, Training, Workshop
from .page import Addition, Page
from .pagefind_order import PagefindFormatError, normalise
from .render import default_processes
from .settings import DEFAULTS

BUNDLE = "pagefind"
BODY = b"data-pagefind-body"  # what marks a page for the index (and its indexed part)
# On an indexed page: the address of the page it is indexed with (a workshop's: its place's).
GROUP = re.compile(rb'data-search-group="([^"<>]*)"')
PARTS = "parts.json"  # in BUNDLE: the other parts of the index, for the search page to merge
PARTS_FOLDER = "parts"  # in BUNDLE: one folder per other part
DEFAULT_INDEX_PAGES = DEFAULTS["CATALOGUE_SEARCH_INDEX_PAGES"][0]
DEFAULT_PART_PAGES = DEFAULTS["CATALOGUE_SEARCH_PART_PAGES"][0]
NEXT_OPENING_DAYS = 21
# Pagefind's files the site does not use (its ready-made search interfaces).
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)

# The filters of the search page, in this order, with their label.
FILTERS = (
    ("rubrique", "Type de résultat"),
    ("besoin", "Besoin"),
    ("commune", "Commune"),
    ("epci", "Territoire"),
    ("public", "Public"),
    ("cout", "Coût"),
    ("lieu", "Type de lieu"),
)
CHECKBOXES = (
    ("pass", "Oui", "Accepte le Pass numérique"),
    ("acces", "Oui", "Entrée sans marche"),
)

# The pages Pagefind reads: those with data-pagefind-body (help points, workshops, trainings,
# content pages at the top level). Reading the others (commune pages, brochures, maps: most
# of a big site) only costs time and memory; a test checks that no indexed page is left out.
# The folders whose subfolders' index.html are indexed: the site's top, and the records'.
INDEX_FOLDERS = ("", urls.SITES_FOLDER, urls.WORKSHOPS_FOLDER, urls.TRAININGS_FOLDER)
INDEX_PATTERNS = tuple(f"{folder}*/index.html" for folder in INDEX_FOLDERS)

logger = logging.getLogger(__name__)

PLACE, WORKSHOP, TRAINING = "Lieu d'aide", "Atelier ou permanence", "Formation pour les professionnels"


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message is in French."""


def _next_opening(site: Site, today: dt.date) -> str | None:
    """« lundi 23 novembre 2026, 9 h – 12 h », the first opening from the build date."""
    if site.schedule is None:
        return None
    holidays = _holidays_ahead(today)
    for offset in range(NEXT_OPENING_DAYS):
        day = today + dt.timedelta(days=offset)
        intervals = site.schedule.intervals_on(day, holidays)
        if intervals:
            return f"{french.format_date(day)}, {french.format_ranges(intervals[:1])}"
    return None


@functools.lru_cache(maxsize=4)
def _holidays_ahead(today: dt.date) -> frozenset[dt.date]:
    """The public holidays of the days ``_next_opening`` looks at (the same for every place)."""
    return frozenset(holidays_between(today, today + dt.timedelta(days=NEXT_OPENING_DAYS)))


def _epci_names(communes, epcis: dict) -> list[tuple[str, str]]:
    return [("epci", epcis[c.epci_code].nom) for c in communes if c.epci_code in epcis]


def site_filters(site: Site, epcis: dict) -> list[tuple[str, str]]:
    """The filters of a help point; ``epcis`` is the reference's EPCIs by code."""
    r = site.record
    pairs = [("rubrique", PLACE)]
    pairs += [("commune", c.nom) for c in site.communes_served]
    pairs += _epci_names(site.communes_served, epcis)
    pairs += [("besoin", vocab.label(vocab.NEED_LABELS, v)) for v in site.services]
    pairs += [
        ("public", french.capitalize_first(vocab.label(vocab.PUBLICS, v)))
        for v in r.get("publics_specifiquement_adresses", [])
    ]
    pairs += [("cout", vocab.label(vocab.FEES, v)) for v in r.get("frais_a_charge", [])]
    pairs += [("lieu", vocab.label(vocab.TYPOLOGIES, v)) for v in r.get("typologie", [])]
    if site.itinerant:
        pairs.append(("lieu", "Service itinérant"))
    if site.pass_numerique:
        pairs.append(("pass", "Oui"))
    if site.step_free:
        pairs.append(("acces", "Oui"))
    return _unique(pairs)


def site_meta(site: Site, today: dt.date) -> list[tuple[str, str]]:
    pairs = [("rubrique", PLACE), ("commune", site.commune.nom)]
    opening = _next_opening(site, today)
    if opening:
        pairs.append(("prochaine", f"Prochaine ouverture : {opening}"))
    elif site.stops:
        pairs.append(("prochaine", "Service itinérant : voir les arrêts"))
    return pairs


def workshop_filters(workshop: Workshop, epcis: dict) -> list[tuple[str, str]]:
    r = workshop.record
    pairs = [("rubrique", WORKSHOP), ("commune", workshop.commune.nom)]
    pairs += _epci_names([workshop.commune], epcis)
    pairs += [("besoin", vocab.label(vocab.NEED_LABELS, v)) for v in r.get("thematiques", [])]
    pairs += [
        ("public", french.capitalize_first(vocab.label(vocab.WORKSHOP_PUBLICS, v)))
        for v in r.get("publics", [])
    ]
    tarif = r.get("tarif", {})
    pairs.append(("cout", "Gratuit" if tarif.get("frais") == "Gratuit" else "Payant"))
    if tarif.get("pass_numerique"):
        pairs.append(("pass", "Oui"))
    return _unique(pairs)


def workshop_meta(workshop: Workshop, today: dt.date) -> list[tuple[str, str]]:
    pairs = [("rubrique", WORKSHOP), ("commune", workshop.commune.nom)]
    upcoming = [s for s in workshop.upcoming(today) if not s.cancelled]
    if upcoming:
        s = upcoming[0]
        when = f"{french.format_date(s.start.date())}, {french.format_range(s.start.time(), s.end.time())}"
        pairs.append(("prochaine", f"Prochaine séance : {when}"))
    return pairs


def training_filters(training: Training) -> list[tuple[str, str]]:
    tarif = training.record.get("tarif", {})
    return [("rubrique", TRAINING), ("cout", "Gratuit" if tarif.get("frais") == "Gratuit" else "Payant")]


def training_meta(training: Training) -> list[tuple[str, str]]:
    return [("rubrique", TRAINING), ("organisme", training.record.get("organisme", ""))]


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(pairs))


def plan_search_pages(catalogue: Catalogue, settings: dict, pages: list[Page]) -> Addition:
    """The search page; ``search_filters`` and ``search_meta`` for the pages to index."""
    today = catalogue.build_date
    epcis = catalogue.reference.epcis
    values: dict[str, set[str]] = defaultdict(set)
    indexed: dict[str, dict] = {}
    for page in pages:
        if page.kind == "site":
            site = page.context["site"]
            filters, meta = site_filters(site, epcis), site_meta(site, today)
        elif page.kind == "workshop":
            workshop = page.context["workshop"]
            filters, meta = workshop_filters(workshop, epcis), workshop_meta(workshop, today)
        elif page.kind == "training":
            training = page.context["training"]
            filters, meta = training_filters(training), training_meta(training)
        else:
            continue
        indexed[page.url] = {"search_filters": filters, "search_meta": meta}
        for name, value in filters:
            values[name].add(value)
    values["rubrique"].add("Information")
    selects = [
        (name, label, sorted(values[name], key=lambda v: (french.slugify(v), v)))
        for name, label in FILTERS
        if values[name]
    ]
    page = Page(
        "search",
        urls.SEARCH,
        "catalogue/search",
        "Rechercher",
        [urls.HOME],
        {"selects": selects, "checkboxes": CHECKBOXES, "bundle": BUNDLE, "place": PLACE},
    )
    return Addition([page], indexed)


def write_search_assets(theme: Path, output: Path) -> None:
    (output / "static").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(theme / "static" / "recherche.js", output / "static" / "recherche.js")


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise SearchIndexError(
            "Pagefind n'est pas installé (paquet Python pagefind-bin) : relancez « make site »."
        ) from exc
    try:
        return get_executable()
    except FileNotFoundError as exc:
        raise SearchIndexError(f"l'exécutable de Pagefind est introuvable : {exc}") from exc


def indexed_files(site: Path) -> list[tuple[str, os.stat_result]]:
    """The files the index is made from (INDEX_PATTERNS): (name in ``site``, file information)
    of each, in the order of their paths. What pathlib's glob gives, for one stat a page and no
    path object (38,000 pages at national size: 1 s of glob, sort and stat in a build, and as
    much again to turn the paths into names)."""
    found = []
    for folder in INDEX_FOLDERS:
        try:
            with os.scandir(f"{site}/{folder}") as entries:
                subfolders = [entry.name for entry in entries if entry.is_dir()]
        except (FileNotFoundError, NotADirectoryError):
            continue
        for subfolder in subfolders:
            name = f"{folder}{subfolder}/index.html"
            try:
                info = os.stat(f"{site}/{name}")
            except (FileNotFoundError, NotADirectoryError):
                continue
            if stat.S_ISREG(info.st_mode):
                found.append((name, info))
    found.sort(key=lambda item: item[0].split("/"))  # pathlib's order: part by part
    return found


def check_index_pages(max_pages) -> int:
    """``max_pages`` (CATALOGUE_SEARCH_INDEX_PAGES) if it is a number of pages, else SearchIndexError."""
    return _check_pages("CATALOGUE_SEARCH_INDEX_PAGES", max_pages)


def check_part_pages(part_pages) -> int:
    """``part_pages`` (CATALOGUE_SEARCH_PART_PAGES) if it is a number of pages, else SearchIndexError."""
    return _check_pages("CATALOGUE_SEARCH_PART_PAGES", part_pages)


def _check_pages(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SearchIndexError(
            f"réglage {name} : un nombre entier de pages, 1 ou plus, est attendu, pas {value!r}"
        )
    return value


@dataclass(frozen=True)
class IndexPart:
    """Pages indexed together: ``name`` "" is the main index (``pagefind/``, with Pagefind's code),
    any other a part merged by the search page (``pagefind/parts/<name>/``)."""

    name: str
    pages: tuple[Path, ...]
    key: str  # what its index is made from: its pages (names and bytes), Pagefind, our code

    @property
    def folder(self) -> str:
        return BUNDLE if not self.name else f"{BUNDLE}/{PARTS_FOLDER}/{self.name}"

    @property
    def tree(self) -> str:
        """Its tree of links's folder in ``index_site``'s ``trees``."""
        return self.name or "main"


def _bucket(name: str, buckets: int) -> int:
    """The part of a page: decided by the address of its group alone (``PageDigests.of``), so
    that adding or removing a page changes its own part only."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % buckets


class PageDigests:
    """The hash and group (``GROUP``) of each page the index reads, by its name in the site
    (``now``, for the next build), read again only when the file is not the one hashed before
    (``known``): the same inode, size and modification time. A page taken back from the
    published site is a hard link to the same file; reading the 38,000 indexed pages of a
    national-size site took 4 s."""

    def __init__(self, known: dict[str, list] | None = None) -> None:
        self.known = known or {}
        self.now: dict[str, list] = {}

    def of(self, path: str, name: str, info: os.stat_result) -> tuple[bytes, str] | None:
        """The hash of the page at ``path`` (``info``: its stat) and the address of the page it
        is indexed with (its own, unless it names another); None if it is not indexed (no
        data-pagefind-body)."""
        identity = [info.st_ino, info.st_size, info.st_mtime_ns]
        old = self.known.get(name)
        if isinstance(old, list) and len(old) == 5 and old[:3] == identity:
            digest, group = old[3], old[4]
        else:
            with open(path, "rb") as page:
                data = page.read()
            digest, group = "", ""
            if BODY in data:
                digest = hashlib.sha256(data).hexdigest()
                found = GROUP.search(data)
                group = found.group(1).decode("utf-8", "replace") if found else ""
        self.now[name] = [*identity, digest, group]
        if not digest:
            return None
        return bytes.fromhex(digest), group or name.removesuffix("index.html")


def plan_index(
    site: Path,
    max_pages: int = DEFAULT_INDEX_PAGES,
    part_pages: int = DEFAULT_PART_PAGES,
    pages: PageDigests | None = None,
) -> list[IndexPart]:
    """The parts of the index of ``site``: each a pure function of its own pages.

    Up to ``part_pages`` indexed pages, one index. Beyond, the pages are spread over a power of
    two of parts by a hash of their group's address: a page's own, or the one it names
    (``GROUP``). A workshop names its place's: the place's page lists it and it shows the
    place's name, so renaming either changes one part, not two. Between half and all of
    ``part_pages`` pages a part (never more than ``max_pages``: Pagefind holds every page it
    reads in memory, about 150 KB each). A changed, added or removed page changes its part's
    key only, and only that part is indexed again (``index_site``'s ``previous``); the number
    of parts changes when the number of pages doubles or halves. Each part costs a first search 20 to 40 KB more (its
    own chunk of the word index, its metadata and filters): the default size keeps the
    Hérault's index in one part.
    """
    maker = (
        buildstamp.package_version("pagefind-bin"),
        buildstamp.source_hash(pagefind_order, sys.modules[__name__]),
    )
    # Only the pages with data-pagefind-body: Pagefind indexes the whole <body> of every page
    # it reads when none of them has one, which could be the case of a part.
    pages = pages if pages is not None else PageDigests()
    digests: dict[str, bytes] = {}
    groups_of: dict[str, str] = {}
    for name, info in indexed_files(site):
        found = pages.of(f"{site}/{name}", name, info)
        if found is not None:
            digests[name], groups_of[name] = found
    names = list(digests)  # in address order
    buckets = 1 << max(0, math.ceil(math.log2(max(len(names), 1) / min(part_pages, max_pages))))
    # The first part is the main index; the others are named after their number and the number
    # of parts, so that no part of another spread is taken for one of this one.
    groups = {"" if b == 0 else f"{buckets}-{b}": [] for b in range(buckets)}
    for name in names:
        b = _bucket(groups_of[name], buckets) if buckets > 1 else 0
        groups["" if b == 0 else f"{buckets}-{b}"].append(name)
    parts = []
    for part_name, members in groups.items():
        if len(members) > max_pages:  # only with a very uneven spread: the memory limit first
            raise SearchIndexError(
                f"la partie {part_name or 'principale'} de l'index aurait {len(members)} pages, plus que "
                f"CATALOGUE_SEARCH_INDEX_PAGES ({max_pages}) : baissez CATALOGUE_SEARCH_PART_PAGES"
            )
        key = hashlib.sha256("\0".join((*maker, part_name)).encode())
        for name in members:
            key.update(name.encode() + b"\0" + digests[name])
        parts.append(IndexPart(part_name, tuple(site / n for n in members), key.hexdigest()))
    return parts


@dataclass(frozen=True)
class PreviousIndex:
    """The published site and the keys of its index's parts (``IndexPart.key``)."""

    site: Path
    keys: dict[str, str]


def index_site(
    site: Path,
    max_pages: int = DEFAULT_INDEX_PAGES,
    part_pages: int = DEFAULT_PART_PAGES,
    previous: PreviousIndex | None = None,
    pages: PageDigests | None = None,
    trees: Path | None = None,
    processes: int | None = None,
) -> dict[str, str]:
    """Index ``site`` with Pagefind (``plan_index``'s parts); SearchIndexError on failure.

    A part whose key is the one it had in ``previous`` is taken back from the published site
    instead of being indexed again. Returns each part's key (by its folder), for the next build;
    ``pages`` (``PageDigests``) keeps the pages' hashes for it too.
    Each part is Pagefind run on a folder of hard links to its pages, at their paths in the
    site, made in address order: Pagefind numbers pages in the order it lists folders, so a
    ``--glob`` naming the part's pages in the site itself gives an index that depends on the
    order its folders were written in (checked: a copied site gave another). The search page
    merges the parts (listed in ``pagefind/parts.json``) with Pagefind's
    ``mergeIndex``. ``trees``: a folder where each part's tree is kept for the next build
    (``_link_tree``); without it, the trees are made beside ``site`` and removed.

    The parts to index are indexed side by side, up to ``processes`` at once (default: the
    processors available) and ``max_pages`` pages at once (``index_workers``): one Pagefind
    keeps about one and a half processors busy, and each part is written to its own folder.
    """
    check_index_pages(max_pages)
    check_part_pages(part_pages)
    parts = plan_index(site, max_pages, part_pages, pages)
    # An index left by an earlier run (``pelican`` run the usual way writes over its output):
    # none of its files may outlive it.
    shutil.rmtree(site / BUNDLE, ignore_errors=True)
    old_keys = previous.keys if previous is not None else {}
    todo = []
    for part in parts:
        old = previous.site / part.folder if previous is not None else None
        if old is not None and old_keys.get(part.folder) == part.key and old.is_dir():
            _take_back_part(old, site / part.folder)
        else:
            todo.append(part)
    workers = index_workers([len(part.pages) for part in todo], max_pages, processes)
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            running = [pool.submit(_index_part, part, site, trees) for part in todo]
            try:
                for done in running:  # the first part's error first, as one after the other
                    done.result()
            except BaseException:
                for waiting in running:
                    waiting.cancel()
                raise
    else:
        for part in todo:
            _index_part(part, site, trees)
    taken = len(parts) - len(todo)
    if trees is not None and trees.is_dir():  # those of parts gone (their number changed)
        current = {part.tree for part in parts}
        for tree in trees.iterdir():
            if tree.name not in current:
                shutil.rmtree(tree, ignore_errors=True)
    if not (site / BUNDLE / "pagefind.js").is_file():
        raise SearchIndexError("l'index de recherche n'a pas été écrit (pagefind/pagefind.js manque)")
    (site / BUNDLE / PARTS).write_text(
        json.dumps([f"{PARTS_FOLDER}/{p.name}/" for p in parts if p.name]) + "\n", encoding="utf-8"
    )
    if taken:
        logger.info("mednum: index de recherche : %d parties reprises sur %d", taken, len(parts))
    return {part.folder: part.key for part in parts}


def index_workers(sizes: list[int], max_pages: int, processes: int | None = None) -> int:
    """How many of the parts to index (``sizes``: their pages) are indexed at once: as many as
    ``processes`` (default: the processors available), if the largest of them together have at
    most ``max_pages`` pages (Pagefind holds the pages it reads in memory)."""
    processes = processes or default_processes()
    largest = sorted(sizes, reverse=True)
    workers = 1
    while workers < min(processes, len(largest)) and sum(largest[: workers + 1]) <= max_pages:
        workers += 1
    return workers


def _index_part(part: IndexPart, site: Path, trees: Path | None) -> None:
    """Pagefind on ``part``'s pages, its index written to its folder of ``site``."""
    # Without ``trees``, beside the staging folder and named after it: the leftovers of a
    # killed build are removed with it.
    kept = trees is not None
    tree = (
        trees / part.tree if kept else Path(tempfile.mkdtemp(prefix=f"{site.name}-index-", dir=site.parent))
    )
    try:
        _link_tree(tree, site, part.pages)
        _pagefind(tree, site / part.folder, glob="**/*.html")
    finally:
        if not kept:
            shutil.rmtree(tree, ignore_errors=True)
    if part.name:  # a merged index uses the main one's code and WebAssembly
        for name in ("pagefind.js", "pagefind-worker.js"):
            (site / part.folder / name).unlink(missing_ok=True)
        for wasm in (site / part.folder).glob("wasm.*.pagefind"):
            wasm.unlink()


TREE_PAGES = "pages.json"  # in a kept tree: its pages, in the order their links were made


def _link_tree(tree: Path, site: Path, pages: tuple[Path, ...]) -> None:
    """``tree`` made of hard links to ``pages`` (of ``site``), at their paths, in address order.

    Pagefind numbers pages in the order it lists folders, so a tree is only ever made whole,
    in address order, in an empty folder. A kept tree with the same pages (a record changed,
    none added or removed: the folders and their order are those a new tree would have) only
    gets the links of the pages written again: creating a folder costs 40 times linking a
    file on the bench's machine, and each page is a folder of its own.
    """
    names = [page.relative_to(site).as_posix() for page in pages]
    listed = tree / TREE_PAGES
    try:
        same = json.loads(listed.read_text(encoding="utf-8")) == names
    except (OSError, ValueError):
        same = False
    if same:
        for page, name in zip(pages, names, strict=True):
            link = tree / name
            try:
                if os.path.samestat(os.stat(link), os.stat(page)):
                    continue
                os.unlink(link)
            except FileNotFoundError:
                pass
            buildstamp.take_back_file(page, link)
        return
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    for page, name in zip(pages, names, strict=True):
        buildstamp.take_back_file(page, tree / name)
    listed.write_text(json.dumps(names), encoding="utf-8")


def _take_back_part(old: Path, new: Path) -> None:
    """A part's index from the published site (the main one without the other parts)."""
    for path in sorted(old.rglob("*")):
        relative = path.relative_to(old)
        if not path.is_file() or (new.name == BUNDLE and relative.parts[0] in (PARTS_FOLDER, PARTS)):
            continue
        buildstamp.take_back_file(path, new / relative)


def _pagefind(source: Path, bundle: Path, glob: str) -> str:
    """Pagefind on the pages of ``source`` matching ``glob``, its index written to ``bundle``."""
    command = [
        str(pagefind_executable()),
        *("--site", str(source), "--output-path", str(bundle), "--glob", glob),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=600
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"Pagefind n'a pas pu être lancé : {exc}") from exc
    report = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        last = "\n".join(report.splitlines()[-15:])
        raise SearchIndexError(
            f"l'index de recherche n'a pas pu être construit (Pagefind a échoué, code {done.returncode}) :\n{last}"
        )
    if not (bundle / "pagefind-entry.json").is_file():
        raise SearchIndexError(
            f"l'index de recherche n'a pas été écrit ({bundle}/pagefind-entry.json manque)"
        )
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    try:
        normalise(bundle)
    except (PagefindFormatError, OSError, ValueError, KeyError) as exc:
        raise SearchIndexError(f"l'index de recherche n'a pas pu être mis en ordre : {exc}") from exc
    return report
