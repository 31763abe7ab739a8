"""Build the site into a staging folder and swap it in only when every step succeeded.

A data mistake, a crash or an interruption leaves the previous ``output/`` as it was.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from . import buildstamp, render, urls
from .errors import CatalogueInvalid, raised_to_caller
from .legal import LegalInfoMissing, check_legal_info
from .maps import MapError
from .pdf import PdfError, html_to_pdf, import_weasyprint
from .reference import ReferenceDataError
from .render import default_processes, fork_context, worker_pool
from .search import (
    PageDigests,
    PreviousIndex,
    SearchIndexError,
    check_index_pages,
    check_part_pages,
    index_site,
)
from .settings import setting

logger = logging.getLogger(__name__)


def build_site(settings_path: Path, output: Path, override: dict | None = None, force: bool = False) -> int:
    """Build the site into ``output``; 0 on success (or when it is already up to date), 1 otherwise.

    ``force``: build everything again, even if nothing changed since the last build.
    """
    from pelican.settings import read_settings

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a build that was killed: never the published site itself.
    for stale in output.parent.glob(f".{output.name}-staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in output.parent.glob(f".{output.name}-old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging, prepare_staging, writes_wait = staging_folder(output)
    folders: list[str] = []  # those the staging folder starts with (the site before's): pruned after
    try:
        settings = read_settings(
            str(settings_path), override={**(override or {}), "OUTPUT_PATH": str(staging)}
        )
        check_legal_info(settings)  # a publication build without its legal information: before the work
        cache = buildstamp.cache_dir(settings)
        previous = buildstamp.read_stamp(cache, output) if not force else buildstamp.Stamp(str(output))
        try:
            environment = buildstamp.environment_key(settings)
            current = buildstamp.fingerprint(settings, environment)
        except OSError:  # an input that cannot be read: the build will say which
            current = ""
        if previous.up_to_date(current):
            shutil.rmtree(staging, ignore_errors=True)
            print(
                f"mednum : rien n'a changé depuis la dernière construction, {output.name}/ est à jour "
                "(--force pour tout reconstruire)."
            )
            return 0
        # Before the work:
        max_pages = check_index_pages(setting(settings, "CATALOGUE_SEARCH_INDEX_PAGES"))
        part_pages = check_part_pages(setting(settings, "CATALOGUE_SEARCH_PART_PAGES"))
        if current:  # pages whose key is unchanged are copied from the published site (render.Reuse)
            settings[render.REUSE_SETTING] = {
                "environment": environment,
                "site": output if previous.matches_output() else None,
                "keys": previous.page_keys,
                "calendars": previous.calendar_keys,
            }

        def prepare() -> None:
            folders.extend(prepare_staging())

        before_writing, meanwhile = None, []
        if prepare_staging is not None and writes_wait:
            before_writing = prepare
        elif prepare_staging is not None:
            meanwhile.append(prepare)
        if settings.get("CATALOGUE_PDF_BROCHURES"):
            meanwhile.append(_import_weasyprint)
        reuse = run_pelican(settings, before_writing=before_writing, meanwhile=meanwhile)
        stamp = buildstamp.Stamp(str(output), fingerprint=current)
        if reuse is not None:
            stamp.page_keys, stamp.pages_reused, stamp.calendar_keys = (
                reuse.keys,
                reuse.reused,
                reuse.calendars,
            )

        def index() -> None:
            # The parts of the index whose pages are unchanged are taken back (search.plan_index).
            pages = PageDigests(previous.index_pages)
            stamp.index_keys = index_site(
                staging,
                max_pages,
                part_pages,
                PreviousIndex(output, previous.index_keys),
                pages,
                trees=index_trees_folder(output),
            )
            stamp.index_pages = pages.now

        if settings.get("CATALOGUE_PDF_BROCHURES"):  # Pagefind runs while the PDF workers work
            stamp.pdf_keys = write_brochure_pdfs(staging, previous.pdf_keys, output, alongside=index)
        else:
            index()
    except SearchIndexError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"Erreur : recherche : {exc}", file=sys.stderr)
        print(f"\nLe site n'a pas été construit : {output.name}/ est resté tel quel.", file=sys.stderr)
        return 1
    except (PdfError, MapError, LegalInfoMissing, ReferenceDataError) as exc:
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
    buildstamp.forget_stamp(cache, output)  # no stamp at all rather than one of the old site
    if prepare_staging is not None:  # the folders of the site before: those of pages gone since are empty
        prune_empty_folders(staging, folders, stamp.page_keys)
    swap_in(staging, output)
    try:
        buildstamp.write_stamp(cache, output, stamp)
    except OSError as exc:  # the site is built; the next build will just do all the work
        logger.warning("mednum: empreinte de la construction non enregistrée (%s)", exc)
    return 0


_settings: dict | None = None  # for the Pelican process: set before forking it
_may_write = None  # for the Pelican process: an Event set once the output folder is ready


def run_pelican(
    settings: dict,
    before_writing: Callable[[], None] | None = None,
    meanwhile: Sequence[Callable[[], None]] = (),
) -> render.Reuse | None:
    """Pelican's run (read, validate, plan, render) in a forked process of its own; what it
    took back from the previous build and the keys for the next one (``render.Reuse``).

    The catalogue, the plan and the templates' caches take 1.4 GB at national size; that
    process gives it all back when it ends, before Pagefind (1.5 GB an index part) and the
    PDF workers start. Its errors (French messages, data report) are raised here again.
    ``before_writing`` runs here while Pelican reads and plans there: Pelican writes nothing
    before it has returned (its generators write only once all have read, at
    ``all_generators_finalized``). ``meanwhile`` runs here next, one after the other, while
    Pelican works there.
    """
    global _settings, _may_write
    _settings = settings
    try:
        with raised_to_caller():  # the forked process inherits it
            if fork_context() is None:  # pragma: no cover - not Linux
                if before_writing is not None:
                    before_writing()
                for work in meanwhile:
                    work()
                return _pelican()
            _may_write = fork_context().Event()
            with worker_pool(1) as pool:
                running = pool.submit(_pelican)
                try:
                    if before_writing is not None:
                        before_writing()
                finally:
                    _may_write.set()
                for work in meanwhile:
                    work()
                return running.result()
    finally:
        _settings = _may_write = None


def _pelican() -> render.Reuse | None:
    from pelican import Pelican, signals

    def wait(_generators) -> None:
        if _may_write is not None:
            _may_write.wait()

    signals.all_generators_finalized.connect(wait, weak=False)
    try:
        Pelican(_settings).run()
    finally:
        signals.all_generators_finalized.disconnect(wait)
    return render.last_reuse


def _import_weasyprint() -> None:
    """WeasyPrint imported (0.3 s, ``pdf.import_weasyprint``) while Pelican works, in the
    process that forks the PDF workers (``write_brochure_pdfs``): they start with it loaded. A
    failure is reported there."""
    with contextlib.suppress(ImportError):
        import_weasyprint()


def write_brochure_pdfs(
    site: Path,
    previous: dict[str, str] | None = None,
    previous_site: Path | None = None,
    alongside: Callable[[], None] | None = None,
) -> dict[str, str]:
    """A tagged PDF next to each page of urls.PDF_FOLDERS: territory brochures and coverage
    reports (brochures/territoires/<slug>.pdf, brochures/couverture/<slug>.pdf).

    A brochure whose HTML and resources are the same as in ``previous_site`` (``previous``:
    its PDFs and their keys) gets that PDF back instead of a new WeasyPrint run. Returns
    each PDF (site-relative) with its key.

    ``alongside`` runs in this process while the workers make the PDFs (the build gives it
    Pagefind, a process of its own: the two fill the processors better than one after the
    other). It runs once the workers are forked, so they never copy a process with a thread.
    """
    previous = previous or {}
    pages = sorted(page for folder in urls.PDF_FOLDERS for page in site.glob(f"{folder}*/index.html"))
    from . import pdf

    # What makes a PDF beside its page: WeasyPrint's version and our code around it.
    maker = (buildstamp.package_version("weasyprint"), buildstamp.source_hash(pdf))
    keys, todo = {}, []
    for page in pages:
        target = page.parent.with_suffix(".pdf")
        name = target.relative_to(site).as_posix()
        keys[name] = buildstamp.page_key(page, site, *maker)
        old = previous_site / name if previous_site else None
        if old is not None and previous.get(name) == keys[name] and old.is_file():
            buildstamp.take_back_file(old, target)  # a hard link: 250 national brochures, 58 pages each
        else:
            todo.append((page, target))
    if todo:
        # WeasyPrint is single-threaded: one process per core. Imported here first (0.3 s),
        # the workers forked from this process start with it loaded.
        import_weasyprint()

        with worker_pool(min(len(todo), default_processes())) as pool:
            made = [pool.submit(html_to_pdf, page, site, target) for page, target in todo]
            try:
                if alongside is not None:
                    alongside()
                for future in made:
                    future.result()
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
    elif alongside is not None:
        alongside()
    if len(todo) < len(pages):
        logger.info("mednum: %d brochures PDF reprises, %d produites", len(pages) - len(todo), len(todo))
    return keys


def index_trees_folder(output: Path) -> Path:
    """Where the trees of links Pagefind indexes are kept between builds, beside ``output``
    (``search._link_tree``)."""
    return output.parent / f".{output.name}-index"


def spare_folder(output: Path) -> Path:
    """Where the site replaced by the last build waits, beside ``output``, for the next build."""
    return output.parent / f".{output.name}-spare"


def staging_folder(output: Path) -> tuple[Path, Callable[[], list[str]] | None, bool]:
    """A folder for the site being built, beside ``output``; what prepares it; and whether
    nothing may be written into it before that has run.

    The site the last build replaced (``spare_folder``), if it is there, is emptied of its files
    with its folders kept, before anything is written (it would remove pages written
    meanwhile). Else a new folder is given the folders of the published site (``_copy_folders``;
    None if there is none) while pages are written: a page whose folder is not made yet makes
    it. Either gives the folders it leaves, parents first (for ``prune_empty_folders``).

    A page is a folder of its own (``lieux/<id>/index.html``): a build writes as many folders
    as pages, and creating one costs far more than linking a file into it (0.4 ms against
    0.01 ms on the bench's machine; 29,000 folders at x10 size). The folders of the site before
    are the ones this build needs but for the pages added or removed: ``prune_empty_folders``
    removes the latter's before the site is swapped in. Emptying them (46,000 files at x10
    size, 2 s) is done while Pelican reads and plans (``run_pelican``); making them (29,000 at
    x10 size, 5 s, longer than Pelican's reading and planning), while Pelican works.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-staging-", dir=output.parent))
    spare = spare_folder(output)
    if not spare.is_dir():
        return staging, _fresh(output, staging), False
    os.rmdir(staging)
    try:
        os.rename(spare, staging)
    except OSError:  # taken by another build: a new folder
        staging.mkdir()
        return staging, _fresh(output, staging), False
    return staging, functools.partial(_empty, staging), True


def _fresh(output: Path, staging: Path) -> Callable[[], list[str]] | None:
    """For a new staging folder: what gives it the folders of the published site, if there is
    one (``_copy_folders``); None if there is not (a first build: nothing to prune after it)."""
    if not output.is_dir():
        return None
    return functools.partial(_copy_folders, output, staging)


def _copy_folders(site: Path, folder: Path) -> list[str]:
    """Make in ``folder`` the folders of ``site``, without its files; the folders made, parents
    first.

    The first build after a clean one has no spare site, nor has a CI job (its cache holds the
    published site, not the spare): the folders of its pages are made here, while Pelican
    reads, plans and writes, rather than only by the rendering processes as they take pages
    back (29,000 folders at x10 size: 1.2 s on an idle disk, 5 s and more on a busy one). A
    folder a rendering process has made first is left to it.
    """
    made = []
    try:
        for parent, subfolders, _files in os.walk(site):  # never follows a link
            inside = os.path.join(folder, os.path.relpath(parent, site))
            for name in subfolders:
                if not os.path.islink(os.path.join(parent, name)):
                    path = os.path.normpath(os.path.join(inside, name))
                    try:
                        os.mkdir(path)
                    except FileExistsError:  # a page's, written meanwhile: not empty
                        continue
                    made.append(path)
    except OSError as exc:  # the pages make the folders they still need
        logger.warning("mednum: dossiers du site publié non recopiés (%s)", exc)
    return made


def _empty(folder: Path) -> list[str]:
    """Remove the files of ``folder`` and keep its folders; those folders, parents first."""
    kept = []
    try:
        for parent, subfolders, files in os.walk(folder):  # never follows a link
            links = [name for name in subfolders if os.path.islink(os.path.join(parent, name))]
            for name in [*files, *links]:
                os.unlink(os.path.join(parent, name))
            kept.extend(os.path.join(parent, name) for name in subfolders if name not in links)
    except OSError:  # whatever is left of it is a leftover, removed as one
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(exist_ok=True)
        return []
    return kept


def prune_empty_folders(site: Path, folders: list[str], pages=()) -> None:
    """Remove the folders of ``site`` left empty (the spare site's, for pages gone since): a
    build writes no empty folder of its own.

    ``folders``: the folders ``site`` started with (``staging_folder``), parents first; the
    others are the build's own, never empty. ``pages``: files written this time (site-relative
    paths): their folders and the folders above are not empty. Only the rest are tried, instead
    of walking the whole site (108,000 folders and 290,000 files at national size: 1 s).
    """
    holding = set()
    for name in pages:
        above = name.rpartition("/")[0]
        while above and above not in holding:
            holding.add(above)
            above = above.rpartition("/")[0]
    start = len(str(site)) + 1
    for folder in reversed(folders):  # subfolders before their folder
        if folder[start:] not in holding:
            with contextlib.suppress(OSError):  # not empty: a file, or a subfolder kept
                os.rmdir(folder)


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` with two renames (no half-written site in between).

    The replaced site becomes the spare (``staging_folder``) that the next build empties and
    fills. If there is one already, the replaced site is deleted by a process of its own: at
    national size its 290,000 files take ~25 s to delete, which the build need not wait for. A
    build started meanwhile removes what is left of it (``.output-old-*``), as it does after a
    killed build.
    """
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}-old-", dir=output.parent))
        os.rmdir(old)
        os.rename(output, old)
    os.rename(staging, output)
    os.chmod(output, 0o755)
    if old is None:
        return
    try:
        os.rename(old, spare_folder(output))  # fails if a spare is there
    except OSError:
        remove_later(old)


def remove_later(folder: Path) -> None:
    """Delete ``folder`` from a detached process; here and now if it cannot be started."""
    try:
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                folder,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped by the Ctrl-C that may follow the build
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
