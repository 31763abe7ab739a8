"""Rebuilds: nothing to do when no input changed; Pagefind and the PDFs taken back when theirs did not.

Every build here is a real one (Pelican, Pagefind, WeasyPrint) into a temporary folder, with
a cache folder of its own.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from pelican.settings import read_settings

from conftest import DEMO_CONF, ROOT, small_project
from mednum import build as build_module
from mednum import buildstamp
from mednum import search as search_module
from mednum.build import build_site

BUILD_DATE = "2026-11-23"
UP_TO_DATE = "rien n'a changé depuis la dernière construction"


@pytest.fixture
def build(tmp_path, small_reference):
    """Build the small site (conftest.small_project) into ``out`` with its cache in ``cache``."""
    data = small_project(tmp_path / "small", small_reference)

    def run(out: Path, cache: Path, force: bool = False, **settings) -> int:
        override = {
            "CATALOGUE_BUILD_DATE": BUILD_DATE,
            "CATALOGUE_CACHE_PATH": str(cache),
            "CATALOGUE_DATA_PATH": str(data),
            "CATALOGUE_REFERENCE_PATH": str(data / "reference"),
            **settings,
        }
        return build_site(DEMO_CONF, out, override, force=force)

    run.data = data
    return run


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file with its inode and modification time: what a rewrite would change."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Calls:
    """Counts calls of a function that may run in worker processes (one line a call in a file)."""

    def __init__(self, log: Path, function):
        self.log, self.function = log, function

    def __call__(self, *args, **kwargs):
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write(f"{args[0]}\n")
        return self.function(*args, **kwargs)

    @property
    def count(self) -> int:
        return len(self.log.read_text(encoding="utf-8").splitlines()) if self.log.exists() else 0


@pytest.mark.site
def test_nothing_changed_nothing_rebuilt(build, tmp_path, capsys):
    out, cache = tmp_path / "output", tmp_path / "cache"
    assert build(out, cache) == 0
    assert UP_TO_DATE not in capsys.readouterr().out
    before, files = snapshot(out), contents(out)
    assert build(out, cache) == 0
    assert UP_TO_DATE in capsys.readouterr().out
    assert snapshot(out) == before  # not a file rewritten
    # --force builds everything again, into a new folder, with the same bytes.
    inode = out.stat().st_ino
    assert build(out, cache, force=True) == 0
    assert UP_TO_DATE not in capsys.readouterr().out
    assert out.stat().st_ino != inode and contents(out) == files


@pytest.mark.site
def test_an_output_changed_or_removed_since_is_built_again(build, tmp_path, capsys):
    out, cache = tmp_path / "output", tmp_path / "cache"
    assert build(out, cache) == 0
    (out / "index.html").unlink()
    assert build(out, cache) == 0
    assert UP_TO_DATE not in capsys.readouterr().out and (out / "index.html").is_file()
    shutil.rmtree(out)
    assert build(out, cache) == 0
    assert UP_TO_DATE not in capsys.readouterr().out and (out / "index.html").is_file()
    # A stamp that cannot be read is no stamp.
    for stamp in (cache / "builds").glob("*.json"):
        stamp.write_text("{pas du json", encoding="utf-8")
    assert build(out, cache) == 0
    assert UP_TO_DATE not in capsys.readouterr().out


@pytest.mark.site
def test_a_site_and_cache_restored_with_their_dates_are_taken_back(build, tmp_path, capsys):
    """What the workflows do between two runs (actions/cache: a tar of output/ and of the cache)."""
    out, cache = tmp_path / "output", tmp_path / "cache"
    assert build(out, cache) == 0
    saved = tmp_path / "saved"
    for folder in (out, cache):  # copytree keeps the dates, as tar does
        shutil.copytree(folder, saved / folder.name, symlinks=True)
        shutil.rmtree(folder)
        shutil.copytree(saved / folder.name, folder, symlinks=True)
    capsys.readouterr()
    assert build(out, cache) == 0
    assert UP_TO_DATE in capsys.readouterr().out


@pytest.mark.site
def test_a_failed_build_keeps_the_site_and_its_stamp(build, tmp_path, capsys):
    out, cache = tmp_path / "output", tmp_path / "cache"
    assert build(out, cache) == 0
    before = snapshot(out)
    assert build(out, cache, CATALOGUE_MAP_TILES="https://example.org/tuiles.png") == 1
    assert snapshot(out) == before
    capsys.readouterr()
    assert build(out, cache) == 0
    assert UP_TO_DATE in capsys.readouterr().out


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of what the site is made from: data, schemas, Markdown pages, theme."""
    for name in ("data", "schemas", "content", "theme"):
        shutil.copytree(ROOT / name, tmp_path / name)
    os.symlink(ROOT / "node_modules", tmp_path / "node_modules")
    return tmp_path


def settings_of(project: Path, **extra) -> dict:
    override = {
        "PATH": str(project / "content"),
        "THEME": str(project / "theme"),
        "THEME_TEMPLATES_OVERRIDES": [str(project / "theme" / "components")],
        "CATALOGUE_DATA_PATH": str(project / "data"),
        "CATALOGUE_SCHEMAS_PATH": str(project / "schemas"),
        "CATALOGUE_BUILD_DATE": BUILD_DATE,
        **extra,
    }
    return read_settings(str(DEMO_CONF), override=override)


def _append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode())


CHANGES = {
    "data": lambda p: _append(p / "data" / "trainings.yaml", "\n"),
    "reference": lambda p: _append(p / "data" / "reference" / "epci.json", "\n"),
    "schema": lambda p: _append(p / "schemas" / "sites.schema.json", "\n"),
    "markdown page": lambda p: _append(p / "content" / "pages" / "a-propos.md", "\nUne phrase de plus.\n"),
    "template": lambda p: _append(p / "theme" / "templates" / "base.html", "\n"),
    "component": lambda p: _append(p / "theme" / "components" / "qr" / "style.css", "\n"),
    "script": lambda p: _append(p / "theme" / "static" / "carte.js", "\n"),
    "new file": lambda p: (p / "theme" / "static" / "nouveau.txt").write_text("x", encoding="utf-8"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_input_is_in_the_fingerprint(project, change):
    before = buildstamp.fingerprint(settings_of(project))
    assert buildstamp.fingerprint(settings_of(project)) == before  # stable
    CHANGES[change](project)
    assert buildstamp.fingerprint(settings_of(project)) != before


def test_settings_date_plugin_and_packages_are_in_the_fingerprint(project, monkeypatch):
    before = buildstamp.fingerprint(settings_of(project))
    assert buildstamp.fingerprint(settings_of(project, CATALOGUE_CONTACT_EMAIL="a@b.example")) != before
    assert buildstamp.fingerprint(settings_of(project, CATALOGUE_BUILD_DATE="2026-11-24")) != before
    assert buildstamp.fingerprint(settings_of(project, CATALOGUE_PDF_BROCHURES=True)) != before
    # Where the output goes is not what it holds.
    assert buildstamp.fingerprint(settings_of(project, OUTPUT_PATH="/ailleurs")) == before
    folders = buildstamp.input_folders(settings_of(project))
    assert folders["plugin"] == Path(buildstamp.__file__).parent
    assert {"npm:leaflet", "npm:leaflet.markercluster"} <= set(folders)
    monkeypatch.setattr(buildstamp, "package_version", lambda name: "9.9" if name == "folium" else "1")
    assert buildstamp.fingerprint(settings_of(project)) != before


def test_a_touched_file_with_the_same_bytes_changes_nothing(project):
    before = buildstamp.fingerprint(settings_of(project))
    sites = project / "data" / "sites.yaml"
    os.utime(sites, ns=(1, 1))
    assert buildstamp.fingerprint(settings_of(project)) == before


@pytest.mark.site
def test_search_index_is_taken_back_only_when_the_indexed_pages_are_the_same(build, tmp_path, monkeypatch):
    out, cache = tmp_path / "output", tmp_path / "cache"
    assert build(out, cache) == 0
    index = contents(out / "pagefind")
    calls = Calls(tmp_path / "pagefind.log", search_module._pagefind)
    monkeypatch.setattr(search_module, "_pagefind", calls)
    # The maps' attribution is on no indexed page: Pagefind is not run again.
    assert build(out, cache, CATALOGUE_MAP_ATTRIBUTION="© IGN, carte") == 0
    assert "IGN, carte" in (out / "carte" / "map.js").read_text(encoding="utf-8")
    assert calls.count == 0 and contents(out / "pagefind") == index
    # The contact address is on every help point's page (in a link): Pagefind reads them again.
    assert build(out, cache, CATALOGUE_CONTACT_EMAIL="autre@herault.example") == 0
    assert calls.count == 1


@pytest.mark.site
def test_pdf_brochures_are_taken_back_when_their_page_is_the_same(build, tmp_path, monkeypatch):
    out, cache = tmp_path / "output", tmp_path / "cache"
    territories = len(json.loads((build.data / "reference" / "epci.json").read_text(encoding="utf-8")))
    settings = {"CATALOGUE_PDF_BROCHURES": True}
    calls = Calls(tmp_path / "pdf.log", build_module.html_to_pdf)
    monkeypatch.setattr(build_module, "html_to_pdf", calls)
    assert build(out, cache, **settings) == 0
    # Two PDFs a territory: its brochure and its coverage report.
    pdfs = sorted(out.glob("brochures/territoires/*.pdf")) + sorted(out.glob("brochures/couverture/*.pdf"))
    made = calls.count
    assert territories >= 2 and len(pdfs) == made == 2 * territories
    first = contents(out / "brochures" / "territoires")

    assert build(out, cache, CATALOGUE_MAP_ATTRIBUTION="© IGN, carte", **settings) == 0
    assert calls.count == made  # none made again
    assert contents(out / "brochures" / "territoires") == first

    # One help point renamed: only the brochures that show it are made again: its territory's, and
    # the one of the territory without help point (Clermontais), which lists the nearest ones.
    sites = build.data / "sites.yaml"
    text = sites.read_text(encoding="utf-8")
    assert text.count("nom: Lieu de test de Lodève\n") == 1
    sites.write_text(text.replace("nom: Lieu de test de Lodève\n", "nom: Lieu renommé de Lodève\n"))
    assert build(out, cache, **settings) == 0
    # The pages as they were in the staging folder, now published in out/.
    remade = [Path(line).parent.name for line in calls.log.read_text(encoding="utf-8").splitlines()[made:]]
    assert sorted(remade) == ["cc-du-clermontais", "cc-lodevois-et-larzac"], remade
    for name in remade:
        page = out / "brochures" / "territoires" / name / "index.html"
        assert "Lieu renommé de Lodève" in page.read_text(encoding="utf-8")
    again = contents(out / "brochures" / "territoires")
    changed = {name.split("/")[0].removesuffix(".pdf") for name in first if first[name] != again[name]}
    assert changed == set(remade)


@pytest.mark.site
def test_the_replaced_site_is_the_next_builds_folders(build, tmp_path, monkeypatch):
    """The replaced site waits beside the new one, untouched; the next build empties it of its
    files (while Pelican reads and plans, which then waits for it: emptying slowed down here
    would remove pages written meanwhile) and builds into its folders, and removes those its
    pages no longer need."""
    import time

    empty = build_module._empty

    def slowly(folder: Path) -> list[str]:
        time.sleep(1.5)  # a small site is read and planned in less
        return empty(folder)

    monkeypatch.setattr(build_module, "_empty", slowly)
    out, cache = tmp_path / "www" / "output", tmp_path / "cache"
    spare = out.parent / ".output-spare"
    assert build(out, cache) == 0
    first = contents(out)
    assert not spare.exists()
    assert build(out, cache, force=True) == 0
    assert contents(spare) == first == contents(out)  # the previous site, untouched
    # A folder of a page gone since: not in the next site, nor any folder of its own.
    (spare / "lieux" / "lieu-disparu").mkdir()
    (spare / "lieux" / "lieu-disparu" / "index.html").write_text("ancien", encoding="utf-8")
    (spare / "vide" / "dans-vide").mkdir(parents=True)
    folders = {p.relative_to(out) for p in out.rglob("*") if p.is_dir()}
    assert build(out, cache, force=True) == 0
    assert contents(out) == first
    assert {p.relative_to(out) for p in out.rglob("*") if p.is_dir()} == folders
    # Beside the site: the spare and the trees of links the search index is made from.
    assert sorted(p.name for p in out.parent.iterdir()) == [".output-index", ".output-spare", "output"]


@pytest.mark.site
def test_without_a_spare_the_published_sites_folders_are_made_while_pages_are_written(
    build, tmp_path, monkeypatch
):
    """No spare site (the first build after a clean one, a CI job): the new staging folder gets
    the published site's folders while Pelican works. Pages do not wait for them: a page makes
    its folder if it is not there yet, and the copy leaves that folder alone. Those no page
    uses are removed before the swap."""
    import time

    made = []
    copy = build_module._copy_folders

    def recorded(site: Path, folder: Path) -> list[str]:
        deadline = time.monotonic() + 30
        while not any(folder.glob("lieux/*/index.html")):  # pages are written before the copy
            assert time.monotonic() < deadline, "no page written while the folders were to be made"
            time.sleep(0.01)
        given = copy(site, folder)
        present = {p.relative_to(folder) for p in folder.rglob("*") if p.is_dir()}
        made.append(({Path(f).relative_to(folder) for f in given}, present))
        return given

    monkeypatch.setattr(build_module, "_copy_folders", recorded)
    out, cache = tmp_path / "www" / "output", tmp_path / "cache"
    assert build(out, cache) == 0
    assert made == []  # nothing published before: no folder to make
    first = contents(out)
    folders = {p.relative_to(out) for p in out.rglob("*") if p.is_dir()}
    (out / "lieux" / "lieu-disparu").mkdir()  # the folder of a page gone since
    assert not build_module.spare_folder(out).exists()
    assert build(out, cache, force=True) == 0
    ((copied, present),) = made
    assert present == folders | {Path("lieux/lieu-disparu")}
    assert Path("lieux/lieu-disparu") in copied
    assert copied < present  # the folders of the pages written first: made by them
    assert contents(out) == first
    assert {p.relative_to(out) for p in out.rglob("*") if p.is_dir()} == folders


@pytest.mark.site
def test_the_replaced_site_is_deleted_after_the_build_returns(build, tmp_path, monkeypatch):
    """With a spare site already there (a build that did not take it), swap_in hands the old
    site to a detached process; it is gone soon after."""
    import time

    removed = []
    monkeypatch.setattr(build_module, "remove_later", lambda folder: removed.append(folder))
    out, cache = tmp_path / "www" / "output", tmp_path / "cache"
    assert build(out, cache) == 0
    first = contents(out)
    spare = out.parent / ".output-spare"
    (spare / "lieux").mkdir(parents=True)  # not empty: a rename cannot replace it

    def fresh(output: Path):  # a staging folder that leaves the spare where it is
        folder = Path(build_module.tempfile.mkdtemp(prefix=".output-staging-", dir=output.parent))
        return folder, None, False

    monkeypatch.setattr(build_module, "staging_folder", fresh)
    assert build(out, cache, force=True) == 0
    assert len(removed) == 1 and removed[0].name.startswith(".output-old-")
    shutil.rmtree(spare)
    assert contents(removed[0]) == first  # the previous site, untouched, beside the new one
    assert contents(out) == first

    monkeypatch.undo()
    build_module.remove_later(removed[0])
    deadline = time.monotonic() + 30
    while removed[0].exists():
        assert time.monotonic() < deadline, "the old site was not deleted"
        time.sleep(0.05)
    assert sorted(p.name for p in out.parent.iterdir()) == [".output-index", "output"]


def test_pruning_tries_only_the_folders_no_page_of_the_build_holds(tmp_path, monkeypatch):
    """After a build, the folders the staging folder started with are removed if empty; those
    above a page written this time are not even tried, nor are folders the build made itself."""
    site = tmp_path / "site"
    for folder in ("lieux/garde", "lieux/parti", "vide/dans-vide", "donnees", "neuf"):
        (site / folder).mkdir(parents=True)
    (site / "lieux" / "garde" / "index.html").write_text("page", encoding="utf-8")
    (site / "donnees" / "lieux.csv").write_text("pas une page", encoding="utf-8")
    started = [
        str(site / f) for f in ("lieux", "lieux/garde", "lieux/parti", "vide", "vide/dans-vide", "donnees")
    ]
    tried = []
    rmdir = os.rmdir

    def recorded(path, *args, **kwargs):
        tried.append(Path(path).relative_to(site).as_posix())
        return rmdir(path, *args, **kwargs)

    monkeypatch.setattr(build_module.os, "rmdir", recorded)
    build_module.prune_empty_folders(site, started, ["lieux/garde/index.html"])
    assert tried == ["donnees", "vide/dans-vide", "vide", "lieux/parti"]
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == [
        "donnees",
        "donnees/lieux.csv",
        "lieux",
        "lieux/garde",
        "lieux/garde/index.html",
        "neuf",  # made by the build (an empty folder it needs): not the site before's
    ]
