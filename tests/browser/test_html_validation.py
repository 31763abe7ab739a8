"""The Nu Html Checker (vnu.jar, needs Java) on one page of every kind and every component example.

One JVM checks all the files (session fixture ``vnu_messages`` in conftest.py).
"""

from __future__ import annotations

import pytest

from .conftest import PAGES, page_file

pytestmark = pytest.mark.browser


def describe(messages: list[dict], name: str) -> str:
    lines = [f"{name}: {len(messages)} HTML error(s)"]
    for m in messages:
        line = m.get("lastLine", m.get("firstLine", "?"))
        extract = " ".join(m.get("extract", "").split())[:120]
        lines.append(f"- {name}:{line}: {m.get('message')}  [{extract}]")
    return "\n".join(lines)


def test_checker_saw_every_file(vnu_messages, site_dir, component_pages):
    expected = {page_file(site_dir, url).resolve() for url in PAGES.values()}
    expected |= {p.resolve() for p in component_pages.values()}
    assert expected <= set(vnu_messages)
    stray = {k: v for k, v in vnu_messages.items() if k not in expected}
    assert not stray, f"messages about no checked file: {stray}"


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_page_is_valid_html(vnu_messages, site_dir, url):
    path = page_file(site_dir, url)
    messages = vnu_messages[path.resolve()]
    assert not messages, describe(messages, path.relative_to(site_dir).as_posix())


def test_component_examples_are_valid_html(vnu_messages, component_pages):
    failures = [
        describe(vnu_messages[path.resolve()], f"{key} ({path.name})")
        for key, path in component_pages.items()
        if vnu_messages[path.resolve()]
    ]
    assert not failures, "\n".join(failures)
