"""Incremental builds give the bytes of a clean build.

A build copies the pages whose key (``mednum.pagekeys``) has not changed from the site it
replaces (``render.Reuse``). The guard: the small site is built, then changed one input at a
time — a place, a workshop, a training, a place added then removed, the reference data, a
template, the build date. After
a change of records, the incremental build copies some pages and is compared, file by file and
byte for byte, with a clean build (``--force``) of the same inputs into another folder; after a
change of anything else (reference data, templates, code, settings, packages, the date, which
every page's footer shows), it copies none. The search index is in parts there, and only the
parts that hold a changed page are made again by Pagefind.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import DEMO_CONF, ROOT, small_project
from mednum import buildstamp, render, search
from mednum.build import build_site

pytestmark = pytest.mark.site


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def differences(one: Path, two: Path) -> list[str]:
    a, b = tree(one), tree(two)
    return sorted(
        [f"only in the incremental build: {n}" for n in a.keys() - b.keys()]
        + [f"only in the clean build: {n}" for n in b.keys() - a.keys()]
        + [f"differs: {n}" for n in a.keys() & b.keys() if a[n] != b[n]]
    )


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_each_kind_of_change_rebuilds_to_the_bytes_of_a_clean_build(tmp_path, small_reference, monkeypatch):
    data = small_project(tmp_path / "small", small_reference)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = {
        "CATALOGUE_BUILD_DATE": "2026-11-23",
        "CATALOGUE_CACHE_PATH": str(tmp_path / "cache"),
        "CATALOGUE_DATA_PATH": str(data),
        "CATALOGUE_REFERENCE_PATH": str(data / "reference"),
        "THEME": str(theme),
        "THEME_TEMPLATES_OVERRIDES": [str(theme / "components")],
        "CATALOGUE_SEARCH_PART_PAGES": 4,  # the search index in parts, each taken back or not
    }
    indexed = []  # the index parts Pagefind made, build after build
    real_pagefind = search._pagefind

    def pagefind(source: Path, bundle: Path, glob: str) -> str:
        indexed.append(bundle)
        return real_pagefind(source, bundle, glob)

    monkeypatch.setattr(search, "_pagefind", pagefind)
    # Each rendering process says whether it had the catalogue's digests made while planning.
    seeded, real_take_back = tmp_path / "seeded", render.Reuse.take_back

    def take_back(self, pages, output):
        with seeded.open("a", encoding="utf-8") as said:
            said.write(f"{len(self.known.digests) if self.known is not None else 0}\n")
        return real_take_back(self, pages, output)

    monkeypatch.setattr(render.Reuse, "take_back", take_back)
    # Rendered by two processes, with the exports in a third, as a bigger site is.
    monkeypatch.setattr(render, "MIN_PAGES_PER_PROCESS", 100)
    monkeypatch.setattr(render, "default_processes", lambda: 2)
    out = tmp_path / "www" / "output"
    assert build_site(DEMO_CONF, out, settings) == 0
    cache = tmp_path / "cache"
    first = buildstamp.read_stamp(cache, out)
    assert first.pages_reused == 0 and len(first.page_keys) > 100
    assert first.calendar_keys  # from the exports' process, for the next build
    digests = [int(count) for count in seeded.read_text(encoding="utf-8").split()]
    assert len(digests) == 2 and digests[0] == digests[1] > 0  # both processes had them

    def place():
        replace_once(data / "sites.yaml", "nom: Lieu de test de Lodève\n", "nom: Lieu renommé de Lodève\n")

    def workshop():
        replace_once(data / "workshops.yaml", 'debut: "14:00"', 'debut: "14:30"')

    def training():
        replace_once(data / "trainings.yaml", "titre: Formation de test", "titre: Formation de test renommée")

    def lines():  # every record below moves down a line: only where the records are changes
        replace_once(
            data / "sites.yaml",
            "- id: lieu-test-lodeve\n",
            "# Vérifiée par téléphone.\n- id: lieu-test-lodeve\n",
        )

    added_place = {}

    def added():  # a page more: half the pages go to the other rendering process
        sites = data / "sites.yaml"
        text = sites.read_text(encoding="utf-8")
        start = text.index("- id: lieu-test-lodeve\n")
        block = text[start : text.index("\n\n", start) + 1]
        for old, new in [
            ("- id: lieu-test-lodeve\n", "- id: lieu-test-lodeve-bis\n"),
            ("  nom: ", "  nom: Second "),
            ("1 rue du Test", "5 rue du Test"),
            ("+33465710001", "+33465710009"),
            ("latitude: 43.7317", "latitude: 43.7350"),
        ]:
            assert block.count(old) == 1, old
            block = block.replace(old, new)
        added_place["before"] = text
        sites.write_text(text + "\n" + block, encoding="utf-8")

    def removed():  # and gone again: its folders too
        (data / "sites.yaml").write_text(added_place["before"], encoding="utf-8")

    def reference():
        communes = json.loads((data / "reference" / "communes.json").read_text(encoding="utf-8"))
        lodeve = next(c for c in communes if c["code_insee"] == "34142")
        lodeve["population"] = lodeve["population"] + 1000
        (data / "reference" / "communes.json").write_text(json.dumps(communes, ensure_ascii=False), "utf-8")

    def template():
        replace_once(theme / "templates" / "base.html", "Un service proposé par :", "Un service offert par :")

    def date():
        settings["CATALOGUE_BUILD_DATE"] = "2026-11-24"

    # (change, whether some pages are copied: a change of the environment renders every page).
    # With two places, every commune of the small site lists both among its nearest ones: a
    # renamed place changes most of its pages; the national benchmark shows the other extreme.
    changes = {"place": (place, True), "workshop": (workshop, True), "training": (training, True)}
    changes |= {"lines": (lines, True), "added": (added, True), "removed": (removed, True)}
    changes |= {"reference": (reference, False), "template": (template, False), "date": (date, False)}
    rendered, parts = {}, {}
    for name, (change, some_copied) in changes.items():
        change()
        indexed.clear()
        assert build_site(DEMO_CONF, out, settings) == 0, name
        stamp = buildstamp.read_stamp(cache, out)
        rendered[name] = len(stamp.page_keys) - stamp.pages_reused
        assert stamp.calendar_keys.keys() == first.calendar_keys.keys(), name
        parts[name] = f"{len(indexed)}/{len(stamp.index_keys)}"
        if not some_copied:  # every page rendered, as a clean build does
            assert stamp.pages_reused == 0, (name, stamp.pages_reused)
            continue
        assert 0 < rendered[name] < len(stamp.page_keys), (name, rendered[name])
        if name == "lines":  # the freshness report's links to the records' lines, not indexed
            assert rendered[name] == 1 and not indexed, (rendered[name], indexed)
        elif name in ("added", "removed"):  # the new place's part, and its commune's
            assert len(stamp.index_keys) == 4 and 1 <= len(indexed) < 4, (name, indexed)
        else:  # only the part of the search index that holds the changed pages is indexed again:
            # a place's page and its workshop's are in the same part (search.GROUP)
            assert len(stamp.index_keys) == 4 and len(indexed) == 1, (name, indexed)
        clean = tmp_path / f"clean-{name}"
        assert build_site(DEMO_CONF, clean, settings, force=True) == 0, name
        found = differences(out, clean)
        assert not found, f"after the {name} change:\n" + "\n".join(found[:20])
    print(f"\npages rendered again of {len(first.page_keys)}: {rendered}; index parts made again: {parts}")


def test_force_and_a_changed_output_folder_render_every_page(tmp_path, small_reference):
    data = small_project(tmp_path / "small", small_reference)
    settings = {
        "CATALOGUE_BUILD_DATE": "2026-11-23",
        "CATALOGUE_CACHE_PATH": str(tmp_path / "cache"),
        "CATALOGUE_DATA_PATH": str(data),
        "CATALOGUE_REFERENCE_PATH": str(data / "reference"),
    }
    out, cache = tmp_path / "output", tmp_path / "cache"
    assert build_site(DEMO_CONF, out, settings) == 0
    replace_once(data / "sites.yaml", "nom: Lieu de test de Lodève\n", "nom: Lieu renommé de Lodève\n")
    assert build_site(DEMO_CONF, out, settings, force=True) == 0
    assert buildstamp.read_stamp(cache, out).pages_reused == 0
    # A page edited by hand in the published folder: the folder is no longer the one the last
    # build swapped in, nothing is copied from it.
    replace_once(data / "sites.yaml", "nom: Lieu renommé de Lodève\n", "nom: Lieu de test de Lodève\n")
    (out / "a-propos").mkdir(exist_ok=True)
    (out / "touche.txt").write_text("changé à la main", encoding="utf-8")
    assert build_site(DEMO_CONF, out, settings) == 0
    assert buildstamp.read_stamp(cache, out).pages_reused == 0
