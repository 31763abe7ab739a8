"""No page stops people from zooming (WCAG 1.4.4).

Every built page is checked, without a browser, by tests/test_site_build.py::test_page_shell
(``shell_problems``); here, those rules are shown to catch each way of locking the zoom.
"""

from __future__ import annotations

import pytest
from html_tree import parse_html
from test_site_build import shell_problems

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Essai</title>{viewport}</head>
<body><a class="mn-skip" href="#contenu">Aller au contenu</a><main id="contenu"><h1>Essai</h1></main></body>
</html>"""


def problems(viewport: str) -> list[str]:
    return shell_problems("essai/index.html", parse_html(PAGE.format(viewport=viewport)))


def meta(content: str) -> str:
    return f'<meta name="viewport" content="{content}">'


@pytest.mark.parametrize(
    "content", ["width=device-width, initial-scale=1", "initial-scale=1, width=device-width"]
)
def test_a_viewport_that_lets_people_zoom_passes(content):
    assert problems(meta(content)) == []


@pytest.mark.parametrize(
    ("viewport", "reported"),
    [
        (meta("width=device-width, user-scalable=no"), "viewport locks zoom"),
        (meta("width=device-width, user-scalable=0"), "viewport locks zoom"),
        (meta("width=device-width;user-scalable=no"), "viewport locks zoom"),
        (meta("width=device-width, maximum-scale=1"), "viewport limits zoom"),
        (meta("width=device-width, maximum-scale=5"), "viewport limits zoom"),
        (meta("width=1024, initial-scale=1"), "width is not device-width"),
        (meta("initial-scale=1"), "width is not device-width"),
        ("", "no single viewport <meta>"),
        (meta("width=device-width") * 2, "no single viewport <meta>"),
    ],
)
def test_the_page_shell_checks_find_zoom_locks(viewport, reported):
    found = problems(viewport)
    assert len(found) == 1 and reported in found[0], found
