import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mednum.french import slugify
from mednum.geo import haversine_km
from mednum.reference import ReferenceDataError, load_reference, normalize_name

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
SHARED = ROOT.parent / "shared" / "data"
FILES = ("communes.json", "epci.json", "herault.geojson")


@pytest.fixture(scope="module")
def ref():
    return load_reference(REFERENCE)


def test_counts(ref):
    assert len(ref.communes) == 341
    assert len(ref.epcis) == 17


def test_every_commune_belongs_to_exactly_one_epci(ref):
    members = [code for epci in ref.epcis.values() for code in epci.communes]
    assert sorted(members) == sorted(ref.communes)
    for commune in ref.communes.values():
        assert commune.code_insee in ref.epci_of(commune.code_insee).communes


def test_epci_population_is_the_sum_of_its_communes(ref):
    for epci in ref.epcis.values():
        assert epci.population == sum(ref.communes[c].population for c in epci.communes)


def test_every_commune_centre_is_inside_herault(ref):
    outside = [c.nom for c in ref.communes.values() if not ref.contains(c.latitude, c.longitude)]
    assert outside == []


def test_radius_is_plausible(ref):
    for commune in ref.communes.values():
        assert 0.3 < commune.rayon_km < 25, commune


def test_known_facts(ref):
    montpellier = ref.commune("34172")
    assert montpellier.nom == "Montpellier"
    assert "34000" in montpellier.codes_postaux
    assert ref.epci_of("34172").nom == "Montpellier Méditerranée Métropole"
    assert ref.epci_of("34172").type == "METRO"
    assert ref.commune("34142").nom == "Lodève"
    lodevois = ref.epci_of("34142")
    assert lodevois.nom == "CC Lodévois et Larzac"
    assert lodevois.slug == "cc-lodevois-et-larzac"
    assert ref.commune("99999") is None
    assert ref.epci_of("99999") is None


def test_communes_nouvelles_are_present(ref):
    assert ref.commune("34144").nom == "Lunas-les-Châteaux"
    assert ref.commune("34246").nom == "Entre-Vignes"
    # Former communes déléguées are not communes any more.
    assert ref.commune("34093") is None
    assert ref.commune("34330") is None


def test_sete_centre(ref):
    sete = ref.commune("34301")
    assert haversine_km(sete.latitude, sete.longitude, 43.40, 3.69) < 5


def test_outline(ref):
    assert not ref.contains(43.3, 3.7)  # the sea off Sète
    assert ref.contains(43.6108, 3.8767)  # Montpellier, place de la Comédie
    assert not ref.contains(43.8367, 4.3601)  # Nîmes, Gard


def test_slugs_are_unique_and_follow_the_rule(ref):
    for records in (ref.communes.values(), ref.epcis.values()):
        slugs = [r.slug for r in records]
        assert len(set(slugs)) == len(slugs)
        assert all(r.slug == slugify(r.nom) for r in records)


def test_communes_named(ref):
    assert [c.code_insee for c in ref.communes_named("montpellier")] == ["34172"]
    assert ref.communes_named("St Guilhem le Desert") == ref.communes_named("Saint-Guilhem-le-Désert")
    assert [c.code_insee for c in ref.communes_named("LODEVE")] == ["34142"]
    assert ref.communes_named("Paris") == []


def test_normalize_name():
    assert normalize_name("St-Jean-de-Védas") == normalize_name("saint jean de vedas")
    assert normalize_name("L'Île") == normalize_name("l ile")


def test_files_are_sorted(ref):
    assert list(ref.communes) == sorted(ref.communes)
    names = [slugify(e.nom) for e in ref.epcis.values()]
    assert names == sorted(names)


def test_missing_file_raises_reference_data_error(tmp_path):
    with pytest.raises(ReferenceDataError, match=r"communes\.json"):
        load_reference(tmp_path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("communes.json", "{not json"),
        ("communes.json", '{"code_insee": "34172"}'),
        ("communes.json", '[{"code_insee": "34172"}]'),
        ("epci.json", "[1, 2]"),
        ("herault.geojson", '{"type": "Point", "coordinates": [3, 43]}'),
        ("herault.geojson", "[]"),
    ],
)
def test_malformed_file_raises_reference_data_error(tmp_path, name, content):
    for file in FILES:
        (tmp_path / file).write_bytes((REFERENCE / file).read_bytes())
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=name.replace(".", r"\.")):
        load_reference(tmp_path)


def test_unknown_epci_is_reported(tmp_path):
    for file in FILES:
        (tmp_path / file).write_bytes((REFERENCE / file).read_bytes())
    communes = json.loads((tmp_path / "communes.json").read_text(encoding="utf-8"))
    communes[0]["epci"] = "000000000"
    (tmp_path / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="EPCI inconnu"):
        load_reference(tmp_path)


def test_rebuild_is_byte_identical(tmp_path):
    if not SHARED.is_dir():
        pytest.skip(f"open-data inputs absent ({SHARED}): only available in the maintainers' setup")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "build_reference.py"),
            "--shared",
            str(SHARED),
            "--output",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for file in FILES:
        assert filecmp.cmp(tmp_path / file, REFERENCE / file, shallow=False), file
