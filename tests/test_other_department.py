"""The same code serves another département, with only settings and data changed: Gard (30).

Gard's reference data (tests/fixtures/gard/reference/, made by tools/build_reference.py
--departement 30) and the France Services of Gard in the national list of 2024-08-01 (the
fixture's rows with insee_dep 30) make a small real catalogue; the site built from it names
Gard everywhere Hérault's names Hérault, and its checks refuse a commune of Hérault.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from html_tree import parse_html

from conftest import ROOT
from mednum.build import build_site
from mednum.catalogue import LoadOptions, load_catalogue
from mednum.importers.cli import main as import_main

GARD = ROOT / "tests" / "fixtures" / "gard" / "reference"
FS_2024 = ROOT / "tests" / "fixtures" / "sources" / "liste-fs-20240801.csv"
BUILD_DATE = "2026-12-03"
SETTINGS = {
    "SITENAME": "Aide au numérique dans le Gard",
    "AUTHOR": "Département du Gard",
    "CATALOGUE_BUILD_DATE": BUILD_DATE,
    "CATALOGUE_PUBLIC_URL": "https://numerique.gard.example",
    "CATALOGUE_CONTACT_EMAIL": "numerique@gard.example",
    "CATALOGUE_REPOSITORY_URL": "https://github.com/gard/catalogue-mediation-numerique",
}


def gard_rows() -> int:
    with FS_2024.open(encoding="utf-8", newline="") as f:
        return sum(1 for row in csv.DictReader(f) if row["insee_dep"] == "30")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """data/ of a Gard catalogue: its reference data, and the France Services imported into it."""
    root = tmp_path_factory.mktemp("gard")
    data = root / "data"
    shutil.copytree(GARD, data / "reference")
    for name in ("sites", "workshops", "trainings"):
        (data / f"{name}.yaml").write_text("[]\n", encoding="utf-8")
    schemas = ["--schemas", str(ROOT / "schemas")]
    code = import_main(["france-services", str(FS_2024), "--data", str(data), *schemas, "--date", BUILD_DATE])
    assert code == 0
    return data


@pytest.fixture(scope="module")
def site(project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gard-site") / "output"
    override = {
        **SETTINGS,
        "CATALOGUE_DATA_PATH": str(project),
        "CATALOGUE_CACHE_PATH": str(project / ".cache"),
    }
    assert build_site(ROOT / "pelicanconf.py", out, override) == 0
    return out


def test_the_import_keeps_the_france_services_of_gard_only(project):
    sites = yaml.safe_load((project / "sites.yaml").read_text(encoding="utf-8"))
    assert gard_rows() >= 30
    assert len(sites) >= 25  # antennas and main sites, some joined as one itinerant service
    assert all(s["code_insee"].startswith("30") for s in sites)
    assert all(s["source"].startswith("ANCT") or "France Services" in s["source"] for s in sites)


@pytest.mark.site
def test_the_site_of_gard_names_gard(site, project):
    home = parse_html((site / "index.html").read_text(encoding="utf-8"))
    title = next(home.iter("title")).text
    assert (
        "Se faire aider avec le numérique dans le Gard" in title and "Aide au numérique dans le Gard" in title
    )
    assert "Par exemple : Nîmes, Bagnols-sur-Cèze ou 30000." in " ".join(home.text.split())
    az = parse_html((site / "communes" / "index.html").read_text(encoding="utf-8"))
    assert next(az.iter("h1")).text.strip() == "Les communes du Gard de A à Z"
    nimes = site / "communes" / "nimes" / "index.html"
    assert nimes.is_file()
    assert not (site / "communes" / "montpellier").exists()
    sites = yaml.safe_load((project / "sites.yaml").read_text(encoding="utf-8"))
    for record in sites:
        assert (site / "lieux" / record["id"] / "index.html").is_file()
    legal = (site / "mentions-legales" / "index.html").read_text(encoding="utf-8")
    assert "Département du Gard" in legal


@pytest.mark.site
def test_no_page_of_gard_speaks_of_herault(site):
    """Except the open-data page's list of sources, a written page each team words for itself."""
    mentions = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file()
        and p.suffix in {".html", ".json", ".csv", ".ics", ".geojson", ".xml", ".txt"}
        and "Hérault" in p.read_text(encoding="utf-8")
    ]
    assert mentions == ["donnees/index.html"]


def test_a_commune_of_herault_is_refused_in_gard(project, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(project, data)
    text = (data / "sites.yaml").read_text(encoding="utf-8")
    first = yaml.safe_load(text)[0]
    text = text.replace(f'code_insee: "{first["code_insee"]}"', 'code_insee: "34172"', 1)
    (data / "sites.yaml").write_text(text, encoding="utf-8")
    options = LoadOptions(data, ROOT / "schemas", dt.date.fromisoformat(BUILD_DATE), root=tmp_path)
    catalogue, report = load_catalogue(options)
    assert catalogue is None
    messages = [p.message for p in report.errors]
    assert any("le code INSEE 34172 n'est pas dans le Gard (30xxx)" in m for m in messages), messages
