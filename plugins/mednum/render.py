"""Writing the planned pages through Pelican's writer, on every processor of the machine.

Rendering is most of a build (one Jinja render per page, tens of thousands of pages at
national size) and each page depends only on the plan. The pages are dealt out in turn to
``processes`` shares: the build's process renders the first share, forked copies of it the
others (they inherit the plan, the templates and the writer; nothing is pickled but the
count of pages each wrote). A share done with its pages renders those another share has
left (``_Left``). A map page writes its own ``map.js`` and GeoJSON with it.

A page whose key (``pagekeys``) is the one it had in the previous build, whose file is still in
the published site, is copied from there instead of rendered (``Reuse``). The catalogue's part
of the keys is digested by a process of its own while the pages are planned (``DigestsAhead``).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import buildstamp
from .maps import write_map_script
from .pagekeys import Digester, Known

logger = logging.getLogger(__name__)

# Below this many pages a second process costs more than it saves (fork, Jinja's caches).
MIN_PAGES_PER_PROCESS = 200

_job = None  # (generator, writer, pages, shares, reuse, finish): set before forking, read by the workers
# Set by ``mednum.build`` in the settings of its Pelican run: what the previous build left.
REUSE_SETTING = "mednum_reuse"
last_reuse: Reuse | None = None  # this process's last ``Reuse``, for the build to read back
_alongside = None  # write_pages' ``alongside``: set before forking, run by one worker
_left: _Left | None = None  # the pages the shares have left to render: set before forking
last_alongside = None  # what it returned


def default_processes() -> int:
    """The processors this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def fork_context():
    """A multiprocessing context whose workers are forked copies of this process, or None."""
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not Linux
        return None
    return multiprocessing.get_context("fork")


def die_with_parent(parent: int) -> None:
    """In a forked worker: be killed with the process that forked it (``parent``, its pid).

    A build killed half-way must not leave workers writing into its staging folder while
    the next build cleans it up. Linux only (prctl); elsewhere workers end with their tasks.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked copies of this process, which die with it."""
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=fork_context(), initializer=die_with_parent, initargs=(os.getpid(),)
    )


@dataclass
class Reuse:
    """The pages of the previous build that this one may copy: ``keys`` (page → key) of the
    site published in ``site``. ``keys`` and ``reused`` become this build's when it is done."""

    environment: str
    site: Path | None = None
    keys: dict[str, str] = field(default_factory=dict)
    reused: int = 0
    calendars: dict[str, str] = field(default_factory=dict)  # workshop → key of its calendar
    known: Known | None = None  # the catalogue's digests (``DigestsAhead``)

    def take_back(self, pages: list, output: Path) -> tuple[list, dict[str, str], int]:
        """Copy the unchanged ``pages`` into ``output``: (the pages still to render, the keys of
        all, how many were copied)."""
        digester, todo, keys, reused = Digester(self.known), [], {}, 0
        # Paths as strings: pathlib's joins cost more than the links, 29,000 pages at x10 size.
        site, out, isfile = f"{self.site}/", f"{output}/", os.path.isfile
        for page in pages:
            key = digester.key(self.environment, page)
            if key is not None:
                keys[page.save_as] = key
                files = [page.save_as, *_companions(page)]
                if self.site and self.keys.get(page.save_as) == key and all(isfile(site + f) for f in files):
                    for name in files:
                        buildstamp.take_back_file(site + name, out + name)
                    reused += 1
                    continue
            todo.append(page)
        if self.site and len(todo) < len(pages):
            # Longest first, as their files in the published site tell: a share done with its
            # pages renders those the others have not started (``_Left``), and a long page
            # started last would keep one process at work alone (the agenda, 2.8 s at national
            # size). Every page, on a first build: the order costs more than it saves.
            todo.sort(key=lambda page: -_size(site + page.save_as))
        return todo, keys, reused


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:  # a new page
        return 0


class DigestsAhead:
    """The digests of ``values`` (the catalogue's records and reference data: ``pagekeys.Known``),
    made by a forked process while this one goes on (plans the pages).

    Every process that keys pages (each rendering process, and the exports' for the workshop
    calendars) would otherwise walk the whole catalogue again: half of a page's key, 3.5 s
    of each rendering process at national size, while the plan leaves a processor idle for
    longer than that. The plan reads the catalogue and never changes it, so the digests still
    hold once it is done; ``result`` is taken then, before the rendering processes are forked.
    """

    def __init__(self, values: list) -> None:
        self._process = self._pipe = None
        context = fork_context()
        if context is None:  # pragma: no cover - not Linux
            return
        self._pipe, sending = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_digest_ahead, args=(values, sending, os.getpid()), daemon=True
        )
        self._process.start()
        sending.close()

    def result(self) -> Known | None:
        """The digests; None if they could not be made (each process then makes its own)."""
        if self._process is None:  # pragma: no cover - not Linux
            return None
        try:
            known = self._pipe.recv()
        except (EOFError, OSError) as exc:  # the process died (memory, a signal)
            known = f"processus arrêté, {exc!r}"
        finally:
            self.close()
        if not isinstance(known, Known):  # the keys cost more, nothing else
            logger.warning("mednum: empreintes du catalogue non calculées à l'avance (%s)", known)
            return None
        return known

    def close(self) -> None:
        """Stop the process if it is still at work (the plan failed: its digests are not needed)."""
        if self._process is None:  # not Linux, or closed already
            return
        self._pipe.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._process.close()
        self._process = None


def _digest_ahead(values: list, sending, parent: int) -> None:
    die_with_parent(parent)
    # The collector would touch, and so copy, every page of memory shared with the parent.
    gc.freeze()
    try:
        digester = Digester()
        digester.remember(values)
        known = digester.known()
    except Exception as exc:  # said by the build's process, without a traceback
        known = repr(exc)
    sending.send(known)
    sending.close()


def _companions(page) -> list[str]:
    """The files a page writes beside itself: a map page's map.js (and GeoJSON for big maps)."""
    if page.kind != "map":
        return []
    spec = page.context["map"]
    return [url for url in (spec.script_url, spec.data_url) if url]


def write_pages(
    generator,
    writer,
    pages: list,
    processes: int | None = None,
    reuse: Reuse | None = None,
    finish: Callable[[], None] | None = None,
    alongside: Callable[[], Any] | None = None,
) -> int:
    """Render and write ``pages`` (but those ``reuse`` takes back); the number of pages rendered.
    Each share keys its own pages: digesting them costs a fraction of rendering, in parallel too.
    ``finish`` runs in each rendering process once its pages are written. ``alongside`` (work
    that needs the plan but not the pages: the exports) runs in a process of its own while the
    pages are rendered, or after them when they are too few to share; what it returns goes to
    ``last_alongside``. The processes then take the processors' time as it comes, instead of
    the exports waiting for the slower share."""
    global _job, _alongside, _left, last_reuse, last_alongside
    last_reuse, last_alongside = reuse, None
    wanted = processes or default_processes()
    shares = max(1, min(wanted, len(pages) // MIN_PAGES_PER_PROCESS))
    if shares == 1 or fork_context() is None:
        results = [_write_some(generator, writer, pages, reuse, finish)]
        if alongside is not None:
            last_alongside = alongside()
    else:
        _job, _alongside = (generator, writer, pages, shares, reuse, finish), alongside
        _left = _Left(len(pages), shares) if reuse is not None else None
        # Objects that exist now are never collected in the workers: the collector would touch
        # (and so copy) every page of memory they share with this process.
        gc.freeze()
        try:
            with worker_pool(shares - 1 + (alongside is not None)) as pool:
                beside = pool.submit(_run_alongside) if alongside is not None else None
                others = [pool.submit(_write_share, share) for share in range(1, shares)]
                results = [_write_share(0), *(future.result() for future in others)]
                if beside is not None:
                    last_alongside = beside.result()
        finally:
            _job = _alongside = _left = None
            gc.unfreeze()
    written = sum(rendered for rendered, _, _ in results)
    if reuse is not None:
        reuse.keys = {name: key for _, keys, _ in results for name, key in keys.items()}
        reuse.reused = sum(reused for _, _, reused in results)
        logger.info(
            "mednum: %d pages reprises de la construction précédente, %d rendues", reuse.reused, written
        )
    logger.debug("mednum: %d pages rendues par %d processus", written, shares)
    return written


def _run_alongside():
    return _alongside()


def _write_share(share: int) -> tuple[int, dict[str, str], int]:
    generator, writer, pages, shares, reuse, finish = _job
    return _write_some(generator, writer, pages[share::shares], reuse, finish, share)


def _write_some(
    generator,
    writer,
    pages: list,
    reuse: Reuse | None,
    finish: Callable[[], None] | None = None,
    share: int | None = None,
) -> tuple[int, dict[str, str], int]:
    """(pages rendered, keys, pages taken back) for ``pages`` (share ``share``'s, if shared)."""
    keys, reused, todo = {}, 0, pages
    if reuse is not None:
        todo, keys, reused = reuse.take_back(pages, Path(generator.output_path))
    if _left is not None and share is not None:  # and the others' pages left, once ours are done
        _left.publish(share, pages, todo)
        todo = _left.claimed(share, _job[2])
    written = _write(generator, writer, todo)
    if finish is not None:
        finish()
    return written, keys, reused


class _Left:
    """The pages left to render by each share, shared by the rendering processes (made before
    they are forked): a share that has rendered its own renders those another share has not
    started yet.

    Which pages a build renders again is known only once their keys are: an incremental build
    renders a few hundred pages of very unequal weight (the agenda, the freshness report and a
    territory's pages are long; most are short), dealt out before that. Without this, one
    share rendered for 5.5 s and the other for 1.4 s at national size.
    """

    def __init__(self, pages: int, shares: int) -> None:
        context = fork_context()
        self.shares = shares
        # Share s's k-th page to render is pages[slots[s + k * shares]]; ``counts[s]`` is -1
        # until share s has said which (``publish``).
        self.slots = context.RawArray("i", max(pages, 1))
        self.counts = context.RawArray("i", [-1] * shares)
        self.started = context.RawArray("i", shares)  # share s's pages claimed so far
        self.lock = context.Lock()

    def publish(self, share: int, mine: list, todo: list) -> None:
        """Share ``share`` (``mine``: its pages) renders ``todo``, in this order."""
        where = {id(page): k for k, page in enumerate(mine)}
        for k, page in enumerate(todo):
            self.slots[share + k * self.shares] = share + where[id(page)] * self.shares
        with self.lock:  # the slots are written before the count tells of them
            self.counts[share] = len(todo)

    def claimed(self, share: int, pages: list):
        """The pages this process renders, one at a time: its share's, then the others'."""
        order = [share, *(other for other in range(self.shares) if other != share)]
        while True:
            with self.lock:
                for other in order:
                    k = self.started[other]
                    if k < self.counts[other]:
                        self.started[other] = k + 1
                        break
                else:
                    return
            yield pages[self.slots[other + k * self.shares]]


def _write(generator, writer, pages) -> int:
    output = Path(generator.output_path)
    templates: dict = {}
    written = 0
    for page in pages:
        written += 1
        template = templates.get(page.template)
        if template is None:
            template = templates[page.template] = generator.get_template(page.template)
        writer.write_file(
            page.save_as,
            template,
            generator.context,
            relative_urls=False,
            url=page.url,
            page=page,
            **page.context,
        )
        if page.kind == "map":
            write_map_script(page.context["map"], output)
    return written
