"""Shared fixtures: a small catalogue in a temporary project, and strict skips under CI."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from mednum.catalogue import LoadOptions, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
BUILD_DATE = dt.date(2026, 11, 23)
# The demo dataset (demo/): fictional examples and a frozen copy of the 2022 France Services,
# with the real reference data. Tests build it rather than data/, whose records change with
# every import. Its settings file allows example records; pelicanconf.py refuses them.
DEMO = ROOT / "demo"
DEMO_CONF = ROOT / "democonf.py"
REFERENCE = ROOT / "data" / "reference"


def demo_options(build_date: dt.date, **options) -> LoadOptions:
    """Loading options of the demo dataset, as ``make demo`` uses them."""
    return LoadOptions(
        DEMO, ROOT / "schemas", build_date, root=ROOT, reference_dir=REFERENCE, allow_examples=True, **options
    )


HEADERS = {
    "sites": "# yaml-language-server: $schema=../schemas/sites.schema.json\n",
    "workshops": "# yaml-language-server: $schema=../schemas/workshops.schema.json\n",
    "trainings": "# yaml-language-server: $schema=../schemas/trainings.schema.json\n",
}

# A small valid catalogue. Test records, not real places.
SITES = """\
- id: lieu-test-lodeve
  nom: Lieu de test de Lodève
  adresse: 1 rue du Test
  code_postal: "34700"
  commune: Lodève
  code_insee: "34142"
  latitude: 43.7317
  longitude: 3.3194
  typologie:
    - BIB
  telephone: "+33465710001"
  horaires: Mo-Fr 09:00-12:00,14:00-17:00; PH off
  services:
    - Aide aux démarches administratives
  publics_specifiquement_adresses:
    - Seniors
  source: Tests
  date_maj: "2026-10-01"
  x_accessibilite:
    entree_plain_pied: true
  x_exemple: true

- id: lieu-test-sete
  nom: Lieu de test de Sète
  adresse: 2 quai du Test
  code_postal: "34200"
  commune: Sète
  code_insee: "34301"
  latitude: 43.4035
  longitude: 3.6935
  courriels:
    - test@example.org
  horaires: Tu,Th 14:00-17:00
  services:
    - Maîtrise des outils numériques du quotidien
  source: Tests
  date_maj: "2026-09-15"
  x_accessibilite:
    entree_plain_pied: false
  x_exemple: true
"""

WORKSHOPS = """\
- id: atelier-test
  titre: Atelier de test
  type: atelier-collectif
  lieu: lieu-test-lodeve
  thematiques:
    - Aide aux démarches administratives
  publics:
    - Tout public
  niveau: debutant
  seances:
    - date: "2026-12-03"
      debut: "14:00"
      fin: "16:00"
  inscription:
    modes:
      - sans-inscription
  tarif:
    frais: Gratuit
  date_maj: "2026-11-01"
  exemple: true
"""

TRAININGS = """\
- id: formation-test
  titre: Formation de test
  organisme: Organisme de test
  objectifs:
    - Savoir tester.
  publics:
    - Médiateurs numériques
  format: presentiel
  duree_heures: 7
  tarif:
    frais: Gratuit
  inscription:
    courriel: formation@example.org
  date_maj: "2026-11-01"
  exemple: true
"""


def examples(n: int) -> int:
    """Hypothesis examples for a property test: ``n`` in the complete suite, a quarter under
    `make test-fast` (the loop that answers in a minute; `make test` and CI draw them all)."""
    return max(10, n // 4) if os.environ.get("MEDNUM_TEST_FAST") else n


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test: Playwright's sync API allows one instance per process."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: make browsers (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def build_bundled_site(out: Path, **settings) -> int:
    """The demo site, as `make demo` builds it, into ``out``."""
    from mednum.build import build_site

    return build_site(DEMO_CONF, out, settings)


# The demo site that most tests read, built once per session (a build costs 5 to 10 s): its
# build date, the PDF brochures, and three of the legal settings given (the others left as
# democonf.py has them, to show « non renseigné »).
DEMO_BUILD_DATE = "2026-11-23"
LEGAL_GIVEN = {
    "CATALOGUE_PUBLICATION_DIRECTOR": "Camille Martin, présidente du Département",
    "CATALOGUE_HOST": "Hébergeur <Test> & Cie\n2 rue Kellermann\n59100 Roubaix\n+33 9 72 10 10 07",
    "CATALOGUE_CODE_LICENSE": "EUPL 1.2",
}
DEMO_SITE_SETTINGS = {"CATALOGUE_BUILD_DATE": DEMO_BUILD_DATE, "CATALOGUE_PDF_BROCHURES": True, **LEGAL_GIVEN}


def shared_build(tmp_path_factory, name: str, build) -> Path:
    """``build(out)`` once per test run, whatever the number of pytest-xdist workers: the first
    worker to need it builds it, the others wait for it and read the same folder."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp(name) / "output"
        build(out)
        return out
    import fcntl

    root = tmp_path_factory.getbasetemp().parent / f"shared-{name}"
    root.mkdir(exist_ok=True)
    out = root / "output"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "built").exists():
            build(out)
            (root / "built").touch()
    return out


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo site (DEMO_SITE_SETTINGS), shared by every test of the run: read it, never change it."""

    def build(out: Path) -> None:
        assert build_bundled_site(out, **DEMO_SITE_SETTINGS) == 0

    return shared_build(tmp_path_factory, "demo", build)


_PDF_ORIGIN: Path | None = None  # the site whose PDFs the second build takes (read by forked workers)


def pdf_of_first_build(page: Path, site: Path, target: Path) -> None:
    """html_to_pdf's stand-in for the second build: the first build's PDF of the same page.

    WeasyPrint's own reproducibility is tests/test_print.py's (the same page made again gives the
    same bytes); making the 34 PDFs twice would only cost the suite a quarter of a minute."""
    shutil.copyfile(_PDF_ORIGIN / target.relative_to(site), target)


@pytest.fixture(scope="session")
def demo_site_again(tmp_path_factory, demo_site) -> Path:
    """The same site built a second time, by another Pelican run, for the determinism tests,
    its date given the way reproducible builds give it: SOURCE_DATE_EPOCH, noon of that day (UTC).
    Its PDFs are the first build's (pdf_of_first_build)."""
    import mednum.build

    def build(out: Path) -> None:
        global _PDF_ORIGIN
        noon = dt.datetime.fromisoformat(f"{DEMO_BUILD_DATE}T12:00:00+00:00")
        settings = {k: v for k, v in DEMO_SITE_SETTINGS.items() if k != "CATALOGUE_BUILD_DATE"}
        saved = os.environ.get("SOURCE_DATE_EPOCH"), mednum.build.html_to_pdf
        os.environ["SOURCE_DATE_EPOCH"] = str(int(noon.timestamp()))
        _PDF_ORIGIN, mednum.build.html_to_pdf = demo_site, pdf_of_first_build
        try:
            assert build_bundled_site(out, **settings) == 0
        finally:
            mednum.build.html_to_pdf = saved[1]
            if saved[0] is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = saved[0]

    return shared_build(tmp_path_factory, "demo-again", build)


@pytest.fixture(scope="session")
def demo_site_split(tmp_path_factory, demo_site) -> Path:
    """The demo site with its search index in parts (40 pages at most each on average): its pages
    indexed again as a build with CATALOGUE_SEARCH_PART_PAGES=40 indexes them. The pages do not
    depend on the setting; that a build passes it on is test_incremental's (4 pages a part)."""
    from mednum import search

    def build(out: Path) -> None:
        shutil.copytree(demo_site, out, ignore=shutil.ignore_patterns(search.BUNDLE))
        search.index_site(out, part_pages=40)

    return shared_build(tmp_path_factory, "demo-split", build)


# A small site for the tests that build again and again (rebuilds, failures, empty states): the
# two records of tests/fixtures/site/ and the reference data of three territories only (Lodève's,
# Sète's, and Octon's, which has no help point): about 60 communes instead of 341, a build in
# about two seconds.
SMALL_DATA = ROOT / "tests" / "fixtures" / "site" / "data"
SMALL_TERRITORIES_OF = ("34142", "34301", "34186")


@pytest.fixture(scope="session")
def small_reference(tmp_path_factory) -> Path:
    """data/reference/ cut down to the territories of SMALL_TERRITORIES_OF, département unchanged."""
    import json

    out = tmp_path_factory.mktemp("small-reference")
    communes = json.loads((REFERENCE / "communes.json").read_text(encoding="utf-8"))
    epcis = {c["epci"] for c in communes if c["code_insee"] in SMALL_TERRITORIES_OF}
    kept = [c for c in communes if c["epci"] in epcis]
    (out / "communes.json").write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    all_epcis = json.loads((REFERENCE / "epci.json").read_text(encoding="utf-8"))
    (out / "epci.json").write_text(
        json.dumps([e for e in all_epcis if e["code"] in epcis], ensure_ascii=False), encoding="utf-8"
    )
    for name in ("departement.json", "departement.geojson"):
        shutil.copyfile(REFERENCE / name, out / name)
    codes = {c["code_insee"] for c in kept}
    contours = json.loads((REFERENCE / "communes.geojson").read_text(encoding="utf-8"))
    contours["features"] = [f for f in contours["features"] if f["properties"]["code_insee"] in codes]
    (out / "communes.geojson").write_text(json.dumps(contours), encoding="utf-8")
    return out


def small_project(root: Path, reference: Path) -> Path:
    """A data/ folder at ``root`` with the small site's records and reference data; returned."""
    data = root / "data"
    shutil.copytree(SMALL_DATA, data)
    shutil.copytree(reference, data / "reference")
    return data


@pytest.fixture(scope="session")
def demo_catalogue():
    """The demo catalogue at the demo site's build date, loaded once per session."""
    catalogue, report = load_catalogue(demo_options(dt.date.fromisoformat(DEMO_BUILD_DATE)))
    assert catalogue is not None, report.text()
    return catalogue


class Project:
    """A throwaway project folder with data/, schemas/ and the real reference data (or ``reference``)."""

    def __init__(self, root: Path, reference: Path = REFERENCE):
        self.root = root
        self.data = root / "data"
        self.data.mkdir()
        shutil.copytree(ROOT / "schemas", root / "schemas")
        shutil.copytree(reference, self.data / "reference")
        self.write(sites=SITES, workshops=WORKSHOPS, trainings=TRAININGS)

    def write(self, **files: str) -> None:
        for name, text in files.items():
            (self.data / f"{name}.yaml").write_text(HEADERS[name] + textwrap.dedent(text), encoding="utf-8")

    def path(self, name: str) -> Path:
        return self.data / f"{name}.yaml"

    def load(self, build_date: dt.date = BUILD_DATE, allow_examples: bool = True):
        options = LoadOptions(
            self.data, self.root / "schemas", build_date, root=self.root, allow_examples=allow_examples
        )
        return load_catalogue(options)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


# Fixtures that build a site or start a browser: their tests are marked `site` (or `browser`) and
# left out of `make test-fast`. A test that builds a site by itself says so with
# @pytest.mark.site; under `make test-fast` a site build in an unmarked test fails (below).
SLOW_FIXTURES = {"demo_site", "demo_site_again", "demo_site_split"}


# The builds of a run write some 600 MB in tens of thousands of small files. On this project's
# 2-core machine, with them on disk the kernel's writeback took a seventh of the suite's time
# (374 s against 321 s, system time 86 s against 56 s): they go to memory when the machine has a
# tmpfs with room for them, unless TMPDIR or --basetemp says where.
SCRATCH_IN_MEMORY = Path("/dev/shm")
SCRATCH_ROOM = 4 << 30  # bytes free on it, at least


def pytest_configure(config):
    if os.environ.get("TMPDIR") or config.option.basetemp or os.environ.get("PYTEST_XDIST_WORKER"):
        return  # workers inherit the environment the controller chose
    try:
        free = os.statvfs(SCRATCH_IN_MEMORY)
    except OSError:
        return
    if os.access(SCRATCH_IN_MEMORY, os.W_OK) and free.f_bavail * free.f_frsize >= SCRATCH_ROOM:
        import tempfile

        os.environ["TMPDIR"] = str(SCRATCH_IN_MEMORY)
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.site)

    # pytest-xdist (--dist worksteal) gives the first worker the first half of the list and the
    # second worker the rest, then an idle worker takes the end of the other's queue. Tests on the
    # demo site come first: one worker builds it while the other runs the tests that need no build
    # (last in the list) instead of waiting for it; the other shared builds sit at the end of the
    # first half, where the worker that runs out of work takes them.
    def order(item) -> int:
        names = set(item.fixturenames)
        if "demo_site" in names and not names & {"demo_site_again", "demo_site_split"}:
            return 0
        return 1 if item.get_closest_marker("site") or item.get_closest_marker("browser") else 2

    items.sort(key=order)  # stable: the order of files and tests within each group is kept


@pytest.fixture(autouse=True, scope="session")
def _fast_means_no_site_build():
    """Under `make test-fast` (MEDNUM_TEST_FAST=1) the `site` tests are left out: any Pelican run
    left is a test (or a fixture) that builds without the mark; it fails and says so, instead of
    silently making the fast loop slow."""
    if not os.environ.get("MEDNUM_TEST_FAST"):
        yield
        return
    import mednum.build

    def refuse(settings, **_):
        raise AssertionError(
            "this test builds a site: mark it @pytest.mark.site (left out of make test-fast)"
        )

    saved, mednum.build.run_pelican = mednum.build.run_pelican, refuse
    try:
        yield
    finally:
        mednum.build.run_pelican = saved


def pytest_sessionfinish(session, exitstatus):
    """Under CI a skipped test is a failure: every test must really run there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not os.environ.get("CI") or reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run under CI.", red=True)
        session.exitstatus = 1
