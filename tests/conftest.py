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


class Project:
    """A throwaway project folder with data/, schemas/ and the real reference data."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.data.mkdir()
        shutil.copytree(ROOT / "schemas", root / "schemas")
        shutil.copytree(ROOT / "data" / "reference", self.data / "reference")
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


def pytest_sessionfinish(session, exitstatus):
    """Under CI a skipped test is a failure: every test must really run there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not os.environ.get("CI") or reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run under CI.", red=True)
        session.exitstatus = 1
