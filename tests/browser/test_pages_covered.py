"""The representative pages of the browser layer cover every page kind of the plan, and every
Markdown page: a new kind of page is checked by axe, vnu and the reflow test from the start."""

from __future__ import annotations

from conftest import DEMO_CONF

from .conftest import PAGES, ROOT


def test_every_page_kind_has_a_representative(catalogue):
    from pelican.settings import read_settings

    from mednum.pages import plan_pages

    settings = read_settings(str(DEMO_CONF), override={"CATALOGUE_BUILD_DATE": "2026-11-23"})
    urls_by_kind: dict[str, set[str]] = {}
    for page in plan_pages(catalogue, settings):
        urls_by_kind.setdefault(page.kind, set()).add(page.url)
    chosen = set(PAGES.values())
    missing = sorted(kind for kind, urls in urls_by_kind.items() if not urls & chosen)
    assert not missing, f"add a page of each of these kinds to PAGES in tests/browser/conftest.py: {missing}"


def test_every_content_page_is_checked():
    slugs = {path.stem for path in (ROOT / "content" / "pages").glob("*.md")}
    missing = sorted(slug for slug in slugs if f"{slug}/" not in PAGES.values())
    assert not missing, f"add these Markdown pages to PAGES in tests/browser/conftest.py: {missing}"
