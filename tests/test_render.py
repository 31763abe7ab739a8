"""The rendering processes share the pages left to render (``render._Left``): a share done with
its own renders those another share has not started, each page once."""

from __future__ import annotations

import multiprocessing

from mednum.render import _Left


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
