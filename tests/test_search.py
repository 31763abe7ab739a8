"""Search: what the index gets, the search page without JavaScript, Pagefind in the build."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import cbor2
import pytest
from html_tree import parse_html

from conftest import DEMO_CONF, demo_options, small_project
from mednum import search
from mednum.build import build_site

BUILD_DATE = "2026-11-23"


@pytest.fixture(scope="module")
def built(demo_site) -> Path:
    return demo_site


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_search_page_without_javascript_explains_how_to_browse(built):
    html = (built / "recherche" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "<h1>Rechercher</h1>" in html
    assert 'href="/#commune"' in html and 'href="/#besoin"' in html
    assert re.search(r'<form class="mn-search"[^>]*\bhidden>', html)  # shown by recherche.js
    assert '<label for="mn-q">' in html and 'id="mn-q"' in html
    assert 'role="status"' in html
    for select in re.findall(r'<select id="(mn-f-[a-z]+)"', html):
        assert f'<label for="{select}">' in html
    assert '<script src="/static/recherche.js" defer></script>' in html
    assert "data-pagefind-body" not in html  # the search page is not in the index


def test_indexed_pages_carry_filters_and_metadata(built):
    site = (built / "lieux" / "exemple-mediatheque-lodeve" / "index.html").read_text(encoding="utf-8")
    filters = dict(re.findall(r'data-pagefind-filter="(\w+)\[content\]" content="([^"]*)"', site))
    assert filters["commune"] == "Lodève" and filters["rubrique"] == "Lieu d&#39;aide"
    assert {"besoin", "epci", "lieu"} <= filters.keys()
    meta = dict(re.findall(r'data-pagefind-meta="(\w+)\[content\]" content="([^"]*)"', site))
    assert meta["commune"] == "Lodève"
    assert "data-pagefind-body" in site
    for path in ("ateliers/initiation-ordinateur-lodeve/index.html", "a-propos/index.html"):
        assert "data-pagefind-body" in (built / path).read_text(encoding="utf-8"), path
    for path in (
        "index.html",
        "communes/lodeve/index.html",
        "carte/index.html",
        "besoins/demarches-en-ligne/index.html",
    ):
        assert "data-pagefind-body" not in (built / path).read_text(encoding="utf-8"), path


def test_site_filters_use_the_labels_people_read(catalogue):
    epcis = catalogue.reference.epcis
    for site in catalogue.sites:
        pairs = search.site_filters(site, epcis)
        names = {n for n, _ in pairs}
        assert {"rubrique", "commune", "besoin"} <= names
        assert ("pass", "Oui") in pairs if site.pass_numerique else ("pass", "Oui") not in pairs
        assert ("acces", "Oui") in pairs if site.step_free else ("acces", "Oui") not in pairs
        assert len(pairs) == len(set(pairs))


def test_build_runs_pagefind_in_french_and_keeps_only_what_is_used(built):
    bundle = built / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["fr"]
    indexed = entry["languages"]["fr"]["page_count"]
    print(f"\nPagefind: {indexed} pages indexed")
    assert 60 <= indexed <= 200  # places, workshops, trainings and content pages, nothing else
    # Pagefind reads only INDEX_PATTERNS' files: every page meant for the index is among the files
    # the build gives it (indexed_files, which also keys the parts of the index), and it indexed them all.
    bodies = [p for p in built.rglob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8")]
    listed = [built / name for name, _ in search.indexed_files(built)]
    outside = sorted(str(p.relative_to(built)) for p in set(bodies) - set(listed))
    assert outside == []
    assert indexed == len(bodies)
    # Listed without pathlib (os.scandir, one stat a page), in the order its glob gives.
    assert listed == sorted({p for glob in search.INDEX_PATTERNS for p in built.glob(glob)})
    for name in search.UNUSED:
        assert not (bundle / name).exists(), name
    assert list(bundle.glob("filter/*.pf_filter"))


def _urls(bundle: Path) -> list[str]:
    """The pages of one Pagefind index, from its fragments."""
    urls = []
    for path in bundle.glob("fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        urls.append(json.loads(data[len(b"pagefind_dcd") :])["url"])
    return urls


@pytest.fixture(scope="module")
def split(demo_site_split) -> Path:
    """The same site with 40 pages an index part on average: the index comes in parts."""
    return demo_site_split


def test_a_small_index_is_in_one_part(built):
    assert json.loads((built / "pagefind" / search.PARTS).read_text(encoding="utf-8")) == []
    assert not (built / "pagefind" / search.PARTS_FOLDER).exists()


def test_a_big_index_comes_in_parts_with_each_page_in_one_of_them(built, split):
    bundle = split / "pagefind"
    parts = json.loads((bundle / search.PARTS).read_text(encoding="utf-8"))
    # 89 indexed pages, 40 a part on average: the next power of two above 89 / 40 parts.
    assert parts == ["parts/4-1/", "parts/4-2/", "parts/4-3/"]
    bundles = [bundle, *(bundle / p for p in parts)]
    urls = [url for b in bundles for url in _urls(b)]
    assert len(urls) == len(set(urls))
    assert sorted(urls) == sorted(_urls(built / "pagefind"))  # the same pages as in one index
    for b in bundles:
        entry = json.loads((b / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert 10 < entry["languages"]["fr"]["page_count"] <= 40
        assert list(b.glob("filter/*.pf_filter"))
    # The other parts are merged by the first one's code: no code of their own.
    assert (bundle / "pagefind.js").is_file() and list(bundle.glob("wasm.*.pagefind"))
    for b in bundles[1:]:
        assert not list(b.glob("*.js")) and not list(b.glob("wasm.*"))
    # The folders of hard links Pagefind read the parts from are gone.
    assert [p.name for p in split.parent.iterdir() if p.is_dir()] == [split.name]


def test_split_index_is_byte_identical_from_one_build_to_the_next(split, tmp_path):
    """Pagefind run again on the same pages (that the pages are the same from build to build is
    test_site_build's reproducibility test) writes the same index, parts and filters included."""
    again = tmp_path / "again"
    shutil.copytree(split, again, ignore=shutil.ignore_patterns("pagefind"))
    search.index_site(again, part_pages=40)
    one, two = tree(split / "pagefind"), tree(again / "pagefind")
    assert one == two


def test_parts_are_indexed_side_by_side_into_the_index_one_at_a_time_gives(split, tmp_path, monkeypatch):
    """With two processes, two Pagefinds run at once (each waits here for another: one at a
    time, the wait would run out); the index is byte-identical to the one indexed part by part."""
    import threading

    together, real, overlapped = threading.Barrier(2, timeout=30), search._pagefind, []

    def pagefind(source: Path, bundle: Path, glob: str) -> str:
        try:
            together.wait()
            overlapped.append(bundle)
        except threading.BrokenBarrierError:
            pass
        return real(source, bundle, glob)

    side_by_side = tmp_path / "side-by-side"
    shutil.copytree(split, side_by_side, ignore=shutil.ignore_patterns("pagefind"))
    monkeypatch.setattr(search, "_pagefind", pagefind)
    search.index_site(side_by_side, part_pages=40, processes=2)
    monkeypatch.undo()
    assert len(overlapped) == 4  # the four parts, two by two
    one_at_a_time = tmp_path / "one-at-a-time"
    shutil.copytree(split, one_at_a_time, ignore=shutil.ignore_patterns("pagefind"))
    search.index_site(one_at_a_time, part_pages=40, processes=1)
    assert tree(side_by_side / "pagefind") == tree(one_at_a_time / "pagefind") == tree(split / "pagefind")


def test_parts_indexed_at_once_hold_no_more_pages_than_the_memory_setting_allows():
    """Pagefind holds the pages it reads in memory: the parts indexed at once are as many as
    the processes, while the largest of them together stay within CATALOGUE_SEARCH_INDEX_PAGES."""
    assert search.index_workers([2500, 2400, 2600], max_pages=10_000, processes=2) == 2
    assert search.index_workers([2500, 2400, 2600], max_pages=10_000, processes=4) == 3
    assert search.index_workers([2500, 2400, 2600], max_pages=5_000, processes=4) == 1
    assert search.index_workers([2500, 2400, 2600], max_pages=5_100, processes=4) == 2
    assert search.index_workers([700], max_pages=10_000, processes=8) == 1
    assert search.index_workers([], max_pages=10_000, processes=8) == 1


def test_a_failed_part_stops_the_indexing_with_its_error(split, tmp_path, monkeypatch):
    """Side by side too, a part Pagefind fails on raises its error (the first part's first)."""
    site = tmp_path / "site"
    shutil.copytree(split, site, ignore=shutil.ignore_patterns("pagefind"))
    real = search._pagefind

    def pagefind(source: Path, bundle: Path, glob: str) -> str:
        if bundle.name in ("4-1", "4-3"):
            raise search.SearchIndexError(f"échec de {bundle.name}")
        return real(source, bundle, glob)

    monkeypatch.setattr(search, "_pagefind", pagefind)
    with pytest.raises(search.SearchIndexError, match="échec de 4-1"):
        search.index_site(site, part_pages=40, processes=2)


def test_a_workshop_is_indexed_in_its_places_part(split):
    """A workshop's page shows its place's name, and the place's page lists the workshop: both
    in one part, a change of either indexes one part again."""
    part_of = {page: part.name for part in search.plan_index(split, part_pages=40) for page in part.pages}
    assert len(set(part_of.values())) > 2
    grouped = 0
    for page in split.glob("ateliers/*/index.html"):
        document = parse_html(page.read_text(encoding="utf-8"))
        where = next(e for e in document.iter("h2") if e.attrs.get("id") == "ou").parent
        links = [a.attrs["href"] for a in where.iter("a") if "/lieux/" in a.attrs.get("href", "")]
        article = next(a for a in document.iter("article") if "data-pagefind-body" in a.attrs)
        if not links:  # held at an address, not at a help point
            assert "data-search-group" not in article.attrs
            continue
        place = split / links[0].split("/lieux/", 1)[1].join(("lieux/", "index.html"))
        assert article.attrs["data-search-group"] == place.parent.relative_to(split).as_posix() + "/"
        assert part_of[page] == part_of[place], (page, place)
        grouped += 1
    assert grouped > 5


def test_the_pages_hashed_before_are_not_read_again(split, tmp_path, monkeypatch):
    """A page that is the same file as before (a hard link: same inode, size and date) keeps
    its hash without being read; a page written again is read, and only its part changes."""
    import os

    first = search.PageDigests()
    published = search.plan_index(split, part_pages=40, pages=first)
    site = tmp_path / "site"
    shutil.copytree(split, site, ignore=shutil.ignore_patterns("pagefind"), copy_function=os.link)
    page = site / "lieux" / "exemple-mediatheque-lodeve" / "index.html"
    text = page.read_text(encoding="utf-8")
    page.unlink()  # written again, as a build writes a changed page: another file
    page.write_text(text.replace("<h1>", "<h1>Nouveau nom : "), encoding="utf-8")
    read = []

    def reading(path, *args, **kwargs):
        read.append(Path(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(search, "open", reading, raising=False)  # before the builtin, for search
    again = search.plan_index(site, part_pages=40, pages=search.PageDigests(first.now))
    assert [p for p in read if site in p.parents] == [page]
    assert [p.key == q.key for p, q in zip(published, again, strict=True)].count(False) == 1
    monkeypatch.undo()
    assert [p.key for p in again] == [p.key for p in search.plan_index(site, part_pages=40)]


def test_a_changed_page_indexes_its_part_again_and_only_it(split, tmp_path, monkeypatch):
    """The parts whose pages are unchanged are taken back from the published site; the index
    is then byte-identical to the one a full indexing of the same pages writes."""
    site = tmp_path / "site"
    shutil.copytree(split, site, ignore=shutil.ignore_patterns("pagefind"))
    published = search.plan_index(split, part_pages=40)
    page = site / "lieux" / "exemple-mediatheque-lodeve" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<h1>", "<h1>Nouveau nom : "), encoding="utf-8")
    runs, real = [], search._pagefind

    def pagefind(source: Path, bundle: Path, glob: str) -> str:
        runs.append(bundle)
        return real(source, bundle, glob)

    monkeypatch.setattr(search, "_pagefind", pagefind)
    keys = search.index_site(
        site, part_pages=40, previous=search.PreviousIndex(split, {p.folder: p.key for p in published})
    )
    changed = [p for p in published if keys[p.folder] != p.key]
    assert len(changed) == 1 and split / page.relative_to(site) in changed[0].pages
    assert runs == [site / changed[0].folder]
    fragments = (gzip.decompress(f.read_bytes()) for f in (site / "pagefind").rglob("*.pf_fragment"))
    assert any(b"Nouveau nom" in data for data in fragments)
    full = tmp_path / "full"
    shutil.copytree(site, full, ignore=shutil.ignore_patterns("pagefind"))
    search.index_site(full, part_pages=40)
    assert tree(site / "pagefind") == tree(full / "pagefind")


def test_kept_trees_index_as_new_ones_and_are_made_again_when_their_pages_change(split, tmp_path):
    """The trees of links a build keeps for the next (``trees``): with the same pages, only the
    links of rewritten pages are made again (the folders stay); with a page added or removed,
    the tree is made anew. Either way the index is the one a tree made from nothing gives."""
    import os

    site, trees = tmp_path / "site", tmp_path / "trees"
    shutil.copytree(split, site, ignore=shutil.ignore_patterns("pagefind"))
    search.index_site(site, part_pages=40, trees=trees)
    parts = search.plan_index(site, part_pages=40)
    assert sorted(t.name for t in trees.iterdir()) == sorted(p.name or "main" for p in parts)
    page = site / "lieux" / "exemple-mediatheque-lodeve" / "index.html"
    (part,) = [p for p in parts if page in p.pages]
    folder = trees / (part.name or "main") / "lieux" / "exemple-mediatheque-lodeve"
    other = next(p for p in part.pages if p != page)
    other_link = trees / (part.name or "main") / other.relative_to(site)
    before = (folder.stat().st_ino, other_link.stat().st_ino)
    text = page.read_text(encoding="utf-8")
    page.unlink()  # written again, as a build writes a changed page: another file
    page.write_text(text.replace("<h1>", "<h1>Nouveau nom : "), encoding="utf-8")
    search.index_site(site, part_pages=40, trees=trees)
    assert (folder.stat().st_ino, other_link.stat().st_ino) == before  # kept
    assert os.path.samestat((folder / "index.html").stat(), page.stat())  # linked again
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("pagefind"))
    search.index_site(fresh, part_pages=40)
    assert tree(site / "pagefind") == tree(fresh / "pagefind")
    # A page gone from the part: its tree is made anew, without it.
    shutil.rmtree(other.parent)
    search.index_site(site, part_pages=40, trees=trees)
    assert not other_link.exists() and folder.is_dir()
    shutil.rmtree(fresh / other.relative_to(site).parent)
    shutil.rmtree(fresh / "pagefind")
    search.index_site(fresh, part_pages=40)
    assert tree(site / "pagefind") == tree(fresh / "pagefind")


@pytest.mark.site
def test_failed_indexing_stops_the_build_in_french(tmp_path, small_reference, monkeypatch, capsys):
    monkeypatch.setattr(search, "pagefind_executable", lambda: Path("/bin/false"))
    data = small_project(tmp_path / "small", small_reference)
    out = tmp_path / "out"
    out.mkdir()
    (out / "garde.txt").write_text("ancien site", encoding="utf-8")
    override = {
        "CATALOGUE_BUILD_DATE": BUILD_DATE,
        "CATALOGUE_DATA_PATH": str(data),
        "CATALOGUE_REFERENCE_PATH": str(data / "reference"),
    }
    assert build_site(DEMO_CONF, out, override) == 1
    err = capsys.readouterr().err
    assert "index de recherche" in err and "resté tel quel" in err
    assert (out / "garde.txt").read_text(encoding="utf-8") == "ancien site"


@pytest.mark.parametrize("name", ["CATALOGUE_SEARCH_INDEX_PAGES", "CATALOGUE_SEARCH_PART_PAGES"])
@pytest.mark.parametrize("value", [0, -5, "10000", 2.5, True])
def test_a_wrong_index_size_setting_stops_the_build_in_french(tmp_path, capsys, name, value):
    out = tmp_path / "out"
    override = {"CATALOGUE_BUILD_DATE": BUILD_DATE, name: value}
    assert build_site(DEMO_CONF, out, override) == 1
    err = capsys.readouterr().err
    assert name in err and "resté tel quel" in err
    assert "Traceback" not in err
    assert not out.exists()


def _filters(bundle: Path) -> dict[str, list[bytes]]:
    """Pagefind's filter chunks by filter name, decompressed; their bytes sorted (order aside)."""
    found = {}
    for path in bundle.glob("filter/*.pf_filter"):
        data = gzip.decompress(path.read_bytes())
        name = re.search(rb"[a-z]+", data[len(b"pagefind_dcd") :]).group().decode()
        found[name] = sorted(data)
    return found


def test_filter_values_are_sorted(built):
    for path in (built / "pagefind" / "filter").glob("*.pf_filter"):
        data = gzip.decompress(path.read_bytes())
        _, values = cbor2.loads(data[len(b"pagefind_dcd") :])
        assert [v[0] for v in values] == sorted(v[0] for v in values), path.name


@pytest.fixture(scope="module")
def catalogue():
    import datetime as dt

    from mednum.catalogue import load_catalogue

    options = demo_options(dt.date.fromisoformat(BUILD_DATE))
    catalogue, report = load_catalogue(options)
    assert catalogue is not None, report.text()
    return catalogue
