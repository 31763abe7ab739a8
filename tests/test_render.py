"""The rendering processes share the pages left to render (``render._Left``): a share done with
its own renders those another share has not started, each page once. They start from the
catalogue's digests, made by a process of its own while the pages are planned (``DigestsAhead``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import multiprocessing
import os
import time

import pytest

from conftest import DEMO_BUILD_DATE, DEMO_CONF
from mednum import render
from mednum.coverage import compute as compute_coverage
from mednum.freshness import build_report
from mednum.generator import catalogue_objects, template_context
from mednum.pagekeys import Digester
from mednum.pages import plan_pages
from mednum.render import DigestsAhead, _Left


def test_a_share_done_with_its_pages_renders_the_others_left():
    pages = [f"p{i}" for i in range(10)]
    left = _Left(len(pages), shares=2)
    mine0, mine1 = pages[0::2], pages[1::2]
    left.publish(0, mine0, [])  # every page of share 0 taken back
    left.publish(1, mine1, [pages[3], pages[7], pages[9]])
    taken = left.claimed(1, pages)
    assert next(taken) == "p3"  # its own first
    assert list(left.claimed(0, pages)) == ["p7", "p9"]  # then the others', in their order
    assert list(taken) == []


def test_a_share_not_yet_done_with_its_keys_is_left_alone():
    pages = [f"p{i}" for i in range(6)]
    left = _Left(len(pages), shares=2)
    left.publish(0, pages[0::2], [pages[0], pages[4]])
    assert list(left.claimed(0, pages)) == ["p0", "p4"]  # share 1 has not said which yet


def _render(left: _Left, share: int, pages: list, todo: list, out) -> None:
    left.publish(share, pages[share::3], todo)
    out.put(list(left.claimed(share, pages)))


def test_forked_processes_render_each_page_once():
    pages = [f"p{i}" for i in range(300)]
    shares = 3
    todo = [pages[s::shares] if s == 0 else pages[s::shares][:5] for s in range(shares)]
    context = multiprocessing.get_context("fork")
    left, out = _Left(len(pages), shares), context.Queue()
    workers = [context.Process(target=_render, args=(left, s, pages, todo[s], out)) for s in range(shares)]
    for worker in workers:
        worker.start()
    rendered = [out.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    every = [page for share in rendered for page in share]
    assert sorted(every) == sorted(page for share in todo for page in share)  # each once


def _digests(values: list) -> list:
    return [Digester().key("env", value) for value in values]


def test_the_plan_leaves_the_catalogue_as_it_was(demo_catalogue):
    """The digests made while the pages are planned are those of the catalogue after the plan:
    what the generator does between the two (``CatalogueGenerator._plan``) changes none of it."""
    objects = catalogue_objects(demo_catalogue)
    before = _digests(objects)
    from pelican.settings import read_settings

    settings = read_settings(str(DEMO_CONF), override={"CATALOGUE_BUILD_DATE": DEMO_BUILD_DATE})
    template_context(demo_catalogue, settings)
    report = build_report(demo_catalogue)
    plan_pages(demo_catalogue, settings, compute_coverage(demo_catalogue, report), None, report)
    assert _digests(objects) == before


def test_pages_keyed_from_the_digests_made_ahead_get_the_same_keys(demo_catalogue):
    ahead = DigestsAhead(catalogue_objects(demo_catalogue))
    pages = plan_pages(demo_catalogue, {"CATALOGUE_BUILD_DATE": DEMO_BUILD_DATE})
    known = ahead.result()
    assert known is not None
    # Every record, commune and territory was digested there.
    assert {id(site) for site in demo_catalogue.sites} <= set(known.digests)
    assert {id(w) for w in demo_catalogue.workshops} <= set(known.digests)
    assert {id(c) for c in demo_catalogue.reference.communes.values()} <= set(known.digests)
    plain, seeded = Digester(), Digester(known)
    assert [seeded.key("env", page) for page in pages] == [plain.key("env", page) for page in pages]
    assert len(pages) > 1000


@dataclasses.dataclass(slots=True)
class _Unset:
    value: int


def test_digests_that_fail_ahead_are_made_by_each_process(caplog):
    broken = object.__new__(_Unset)  # reading its field raises AttributeError there
    with caplog.at_level(logging.WARNING, logger="mednum.render"):
        assert DigestsAhead([[broken]]).result() is None
    assert "AttributeError" in caplog.text


def test_a_process_that_dies_ahead_costs_only_its_digests(monkeypatch, caplog):
    monkeypatch.setattr(render, "_digest_ahead", lambda *_: os._exit(3))
    with caplog.at_level(logging.WARNING, logger="mednum.render"):
        assert DigestsAhead([dt.date(2026, 12, 4)]).result() is None
    assert "EOFError" in caplog.text


def test_a_plan_that_fails_stops_the_digests_made_ahead(monkeypatch):
    monkeypatch.setattr(render, "_digest_ahead", lambda *_: time.sleep(60))
    ahead = DigestsAhead([])
    pid, started = ahead._process.pid, time.monotonic()
    ahead.close()
    assert time.monotonic() - started < 5
    with pytest.raises(ProcessLookupError):  # stopped, and waited for
        os.kill(pid, 0)
    ahead.close()  # once is enough


@dataclasses.dataclass
class _Page:
    save_as: str
    kind: str = "page"


def test_pages_rendered_again_come_longest_first(tmp_path):
    """The long pages are started first, so that no process is left rendering one alone while
    the others wait (a share takes the pages the others have not started)."""
    site = tmp_path / "site"
    sizes = {"a/index.html": 10, "b/index.html": 3000, "c/index.html": 200, "same/index.html": 50}
    for name, size in sizes.items():
        (site / name).parent.mkdir(parents=True)
        (site / name).write_text("x" * size)
    pages = [_Page(name) for name in [*sizes, "new/index.html"]]
    reuse = render.Reuse("env", site, {"same/index.html": Digester().key("env", pages[3])})
    todo, keys, reused = reuse.take_back(pages, tmp_path / "out")
    assert reused == 1 and (tmp_path / "out" / "same" / "index.html").read_text() == "x" * 50
    assert [page.save_as for page in todo] == [
        "b/index.html",
        "c/index.html",
        "a/index.html",
        "new/index.html",
    ]
    assert len(keys) == len(pages)
