"""The small fixture site, built with a fixed date, compared byte for byte with its stored output.

The data are the records of ``conftest.py`` (SITES, WORKSHOPS, TRAININGS), kept as real YAML files in
``tests/fixtures/site/data/``; the reference data are copied from ``data/reference/`` at test time.
The expected pages are in ``tests/fixtures/site/expected/``. A change of the templates, the styles or
the plugin that changes these pages makes this test fail with a diff; when the change is wanted,
regenerate them on purpose with ``make fixtures-expected`` (``MEDNUM_REGENERATE=1``) and review the
diff of the expected files before committing it.
"""

from __future__ import annotations

import difflib
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import DEMO_CONF, HEADERS, ROOT, SITES, TRAININGS, WORKSHOPS
from mednum.build import build_site

pytestmark = pytest.mark.site  # builds sites of its own

FIXTURE = ROOT / "tests" / "fixtures" / "site"
FIXTURE_DATA = FIXTURE / "data"
EXPECTED = FIXTURE / "expected"
BUILD_DATE = "2026-11-23"
REGENERATE = os.environ.get("MEDNUM_REGENERATE") == "1"
DIFF_LINES = 60

RECORDS = {"sites": SITES, "workshops": WORKSHOPS, "trainings": TRAININGS}

# The pages compared, as paths in the output folder.
PAGES = (
    "index.html",
    "lieux/lieu-test-lodeve/index.html",
    "lieux/lieu-test-sete/index.html",
    "communes/lodeve/index.html",
    "ateliers/atelier-test/index.html",
    "ateliers/index.html",
    "besoins/demarches-en-ligne/index.html",
    "sitemap.xml",
)


def fixture_yaml(name: str) -> str:
    """The text of one data file of the fixture site, as conftest.Project writes it."""
    return HEADERS[name] + textwrap.dedent(RECORDS[name])


def build_fixture_site(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in RECORDS:
        shutil.copyfile(FIXTURE_DATA / f"{name}.yaml", data / f"{name}.yaml")
    shutil.copytree(ROOT / "data" / "reference", data / "reference")
    out = tmp_path / "output"
    code = build_site(
        DEMO_CONF,
        out,
        {"CATALOGUE_BUILD_DATE": BUILD_DATE, "CATALOGUE_DATA_PATH": str(data)},
    )
    assert code == 0, "the fixture site did not build: its data are invalid (see the report above)"
    return out


def write_fixture_data() -> None:
    FIXTURE_DATA.mkdir(parents=True, exist_ok=True)
    for name in RECORDS:
        (FIXTURE_DATA / f"{name}.yaml").write_text(fixture_yaml(name), encoding="utf-8")


def write_expected(out: Path) -> None:
    if EXPECTED.exists():
        shutil.rmtree(EXPECTED)
    for page in PAGES:
        target = EXPECTED / page
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / page, target)


def diff(expected: bytes, actual: bytes, page: str) -> str:
    lines = list(
        difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(),
            actual.decode("utf-8", "replace").splitlines(),
            f"expected/{page}",
            f"built/{page}",
            lineterm="",
        )
    )
    shown = "\n".join(lines[:DIFF_LINES])
    if len(lines) > DIFF_LINES:
        shown += f"\n… ({len(lines) - DIFF_LINES} more diff lines)"
    return shown


@pytest.mark.skipif(REGENERATE, reason="MEDNUM_REGENERATE=1: the data files are being rewritten")
def test_fixture_data_are_the_conftest_records():
    """The committed YAML files are exactly the records of conftest.py (one source of truth)."""
    stale = [
        name
        for name in RECORDS
        if not (FIXTURE_DATA / f"{name}.yaml").exists()
        or (FIXTURE_DATA / f"{name}.yaml").read_text(encoding="utf-8") != fixture_yaml(name)
    ]
    assert not stale, (
        f"tests/fixtures/site/data/ differs from conftest.py for {', '.join(stale)}: "
        "run `make fixtures-expected` to rewrite them (and the expected pages)"
    )


def test_fixture_site_output_is_as_expected(tmp_path):
    if REGENERATE:
        write_fixture_data()
    out = build_fixture_site(tmp_path)
    if REGENERATE:
        write_expected(out)
        pytest.fail(
            f"MEDNUM_REGENERATE=1: regenerated {len(PAGES)} expected files in {EXPECTED.relative_to(ROOT)}/ "
            "and the fixture data; review their diff, then run the test again without the variable",
            pytrace=False,
        )
    problems = []
    for page in PAGES:
        built = out / page
        stored = EXPECTED / page
        if not built.exists():
            problems.append(f"{page}: not built")
        elif not stored.exists():
            problems.append(f"{page}: no expected file (run `make fixtures-expected`)")
        elif built.read_bytes() != stored.read_bytes():
            problems.append(diff(stored.read_bytes(), built.read_bytes(), page))
    stored_files = EXPECTED.rglob("*") if EXPECTED.exists() else []
    extra = sorted(p.relative_to(EXPECTED).as_posix() for p in stored_files if p.is_file())
    extra = [p for p in extra if p not in PAGES]
    if extra:
        problems.append(f"expected files no longer compared: {', '.join(extra)}")
    assert not problems, (
        "the fixture site differs from tests/fixtures/site/expected/; if the change is wanted, "
        "run `make fixtures-expected` and review the diff\n\n" + "\n\n".join(problems)
    )
