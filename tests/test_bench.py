"""The benchmark's data generator, at a tiny size: the data validates and the site builds.

Timings are measured by ``make bench`` only, never asserted here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_CONF, ROOT
from mednum.build import build_site
from mednum.catalogue import LoadOptions, load_catalogue

if str(ROOT) not in sys.path:  # bench/ lives at the root of the repository, next to tests/
    sys.path.insert(0, str(ROOT))

from bench.__main__ import settings_file
from bench.generate import BUILD_DATE, generate, tiny


def _load(folder: Path):
    return load_catalogue(
        LoadOptions(folder, ROOT / "schemas", BUILD_DATE, root=folder.parent, allow_examples=True)
    )


@pytest.mark.parametrize("herault", [False, True], ids=["synthetic-communes", "herault-communes"])
def test_generated_data_validates_and_is_all_examples(tmp_path, herault):
    size = tiny(20, herault=herault)
    counts = generate(size, tmp_path / "data")
    catalogue, report = _load(tmp_path / "data")
    assert catalogue is not None, report.text()
    assert not report.errors
    assert len(catalogue.sites) == counts["places"] == 20
    assert len(catalogue.trainings) == counts["trainings"] == size.trainings
    sessions = sum(len(w.sessions) for w in catalogue.workshops)
    assert size.sessions * 0.8 <= sessions <= size.sessions * 1.2
    assert all(s.example for s in catalogue.sites)
    assert all(w.example for w in catalogue.workshops)
    assert all(t.example for t in catalogue.trainings)
    text = "".join(
        (tmp_path / "data" / f"{n}.yaml").read_text(encoding="utf-8")
        for n in ("sites", "workshops", "trainings")
    )
    phones = re.findall(r"\+33\d+", text)
    assert phones and all(re.fullmatch(r"\+3346571\d{4}", p) for p in phones)
    emails = re.findall(r"[\w.+-]+@[\w.-]+", text)
    assert emails and all(e.endswith("@example.org") for e in emails)
    urls = re.findall(r"https?://[^\s'\"]+", text)
    assert all(u.startswith("https://example.org/") for u in urls)
    assert all(s.id.startswith("exemple-") for s in catalogue.sites)
    if herault:
        real = json.loads((ROOT / "data" / "reference" / "communes.json").read_text(encoding="utf-8"))
        codes = {c["code_insee"] for c in real}
        assert {s.commune.code_insee for s in catalogue.sites} <= codes


def test_synthetic_reference_has_the_format_of_data_reference(tmp_path):
    generate(tiny(20), tmp_path / "data")
    ref = tmp_path / "data" / "reference"
    real = ROOT / "data" / "reference"
    for name in ("communes.json", "epci.json"):
        ours = json.loads((ref / name).read_text(encoding="utf-8"))
        theirs = json.loads((real / name).read_text(encoding="utf-8"))
        assert set(ours[0]) == set(theirs[0]), name
    outline = json.loads((ref / "departement.geojson").read_text(encoding="utf-8"))
    assert outline["type"] == "Feature" and outline["geometry"]["type"] == "MultiPolygon"
    assert set(outline["properties"]) == set(
        json.loads((real / "departement.geojson").read_bytes())["properties"]
    )
    department = json.loads((ref / "departement.json").read_text(encoding="utf-8"))
    assert set(department) == set(json.loads((real / "departement.json").read_text(encoding="utf-8")))
    data_files = {p.name for p in real.iterdir() if p.suffix in (".json", ".geojson")}
    assert {p.name for p in ref.iterdir() if p.suffix in (".json", ".geojson")} == data_files
    communes = json.loads((ref / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((ref / "epci.json").read_text(encoding="utf-8"))
    assert len({c["slug"] for c in communes}) == len(communes)
    assert sorted(c for e in epcis for c in e["communes"]) == sorted(c["code_insee"] for c in communes)


def test_generation_is_deterministic(tmp_path):
    size = tiny(20)
    generate(size, tmp_path / "a")
    generate(size, tmp_path / "b")
    for path in sorted((tmp_path / "a").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes(), path


@pytest.mark.site
def test_site_of_generated_data_builds(tmp_path):
    generate(tiny(20), tmp_path / "data")
    out = tmp_path / "out"
    override = {
        "CATALOGUE_DATA_PATH": str(tmp_path / "data"),
        "CATALOGUE_REFERENCE_PATH": "",
        "CATALOGUE_BUILD_DATE": BUILD_DATE.isoformat(),
    }
    assert build_site(DEMO_CONF, out, override) == 0
    assert (out / "index.html").is_file()
    assert len(list((out / "lieux").glob("*/index.html"))) == 20
    assert (out / "pagefind" / "pagefind.js").is_file()


@pytest.mark.site  # runs the benchmark's stages in a process of their own: a build
def test_stage_runner_and_floor_at_tiny_size(tmp_path):
    """Two stages in their own process, as ``make bench`` runs them: they report, they write pages."""
    workdir = tmp_path / "tiny"
    generate(tiny(20), workdir / "data")
    settings_file(workdir)
    for stage in ("load", "floor"):
        done = subprocess.run(
            [sys.executable, "-m", "bench.stages", stage, str(workdir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH-RESULT "))
        result = json.loads(line.removeprefix("BENCH-RESULT "))
        assert result["stage"] == stage and result["wall_s"] >= 0 and result["peak_rss_mb"] > 0
    assert len(list((workdir / "floor" / "lieux").glob("*/index.html"))) == 20


@pytest.mark.site
def test_whole_builds_report_time_and_memory_at_tiny_size(tmp_path):
    """``site`` (no PDF), then ``edit``: the builds run, report their tree's memory, and the
    edited record reaches the site."""
    from bench.__main__ import run_build

    workdir = tmp_path / "tiny"
    generate(tiny(20), workdir / "data")
    settings_file(workdir)
    site = run_build("site", workdir)
    assert "error" not in site, site
    assert site["wall_s"] > 0 and 0 < site["tree_peak_pss_mb"] <= site["tree_peak_rss_mb"]
    assert not list((workdir / "site-build").rglob("*.pdf"))
    assert (workdir / "cache").is_dir()  # the bench's own cache, not the project's
    edit = run_build("edit", workdir)
    assert "error" not in edit, edit
    pages = [p.read_text(encoding="utf-8") for p in (workdir / "build" / "lieux").glob("*/index.html")]
    assert sum("Nouveau nom, " in page for page in pages) == 1
    assert list((workdir / "build").rglob("*.pdf"))


@pytest.mark.browser
def test_first_search_stage_measures_what_a_search_downloads(browser, demo_site):
    """bench's first-search stage, on the demo site."""
    from bench.first_search import measure

    found = measure(demo_site, ("Lodève",), browser)["Lodève"]
    assert "résultat" in found["status"] and not found["status"].startswith("0 ")
    # Pagefind's code and WebAssembly (~85 KB compressed) at least, and the index's files.
    assert found["kb"] > 80 and found["requests"] >= 6, found
