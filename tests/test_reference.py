import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mednum.french import slugify
from mednum.geo import haversine_km
from mednum.reference import Department, Reference, ReferenceDataError, load_reference, normalize_name

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
GARD = ROOT / "tests" / "fixtures" / "gard" / "reference"
SHARED = ROOT.parent / "shared" / "data"
DECOUPAGE = ROOT / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
FILES = ("communes.json", "epci.json", "departement.json", "departement.geojson", "communes.geojson")


@pytest.fixture(scope="module")
def ref():
    return load_reference(REFERENCE)


def test_counts(ref):
    assert len(ref.communes) == 341
    assert len(ref.epcis) == 17


def test_department(ref):
    assert ref.department == Department("34", "Hérault", 5)
    assert ref.department.in_ == "dans l'Hérault"
    assert ref.department_prefix == "34"


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
        ("departement.json", "{not json"),
        ("departement.json", "[]"),
        ("departement.json", '{"code": "34", "nom": "Hérault"}'),
        ("departement.json", '{"code": "34", "nom": "Hérault", "type_liaison": "5"}'),
        ("departement.json", '{"code": "34", "nom": "Hérault", "type_liaison": 9}'),
        ("departement.json", '{"code": "", "nom": "Hérault", "type_liaison": 5}'),
        ("departement.geojson", '{"type": "Point", "coordinates": [3, 43]}'),
        ("departement.geojson", "[]"),
    ],
)
def test_malformed_file_raises_reference_data_error(tmp_path, name, content):
    for file in FILES:
        (tmp_path / file).write_bytes((REFERENCE / file).read_bytes())
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=name.replace(".", r"\.")):
        load_reference(tmp_path)


def test_missing_department_file_raises_reference_data_error(tmp_path):
    for file in FILES:
        (tmp_path / file).write_bytes((REFERENCE / file).read_bytes())
    (tmp_path / "departement.json").unlink()
    with pytest.raises(ReferenceDataError, match=r"departement\.json : fichier de référence introuvable"):
        load_reference(tmp_path)


def test_unknown_epci_is_reported(tmp_path):
    for file in FILES:
        (tmp_path / file).write_bytes((REFERENCE / file).read_bytes())
    communes = json.loads((tmp_path / "communes.json").read_text(encoding="utf-8"))
    communes[0]["epci"] = "000000000"
    (tmp_path / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="EPCI inconnu"):
        load_reference(tmp_path)


def _build(tmp_path: Path, *options: str) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"open-data inputs absent ({SHARED}): only available in the maintainers' setup")
    if not DECOUPAGE.is_dir():
        pytest.skip(f"npm package absent ({DECOUPAGE}): run « npm ci »")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "build_reference.py"),
            *options,
            "--shared",
            str(SHARED),
            "--decoupage",
            str(DECOUPAGE),
            "--output",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_rebuild_is_byte_identical(tmp_path):
    _build(tmp_path)  # the default département is Hérault
    for file in FILES:
        assert filecmp.cmp(tmp_path / file, REFERENCE / file, shallow=False), file


def test_gard_fixture_is_up_to_date(tmp_path):
    _build(tmp_path, "--departement", "30")
    for file in FILES:
        assert filecmp.cmp(tmp_path / file, GARD / file, shallow=False), file


def run_tool_without_polygons(tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    """tools/build_reference.py for département ``code``, with no polygon file at hand."""
    if not DECOUPAGE.is_dir():
        pytest.skip(f"npm package absent ({DECOUPAGE}): run « npm ci »")
    tool = ROOT / "tools" / "build_reference.py"
    options = ["--departement", code, "--decoupage", str(DECOUPAGE), "--shared", str(tmp_path)]
    return subprocess.run(
        [sys.executable, str(tool), *options, "--output", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def test_unknown_department_is_a_clear_error(tmp_path):
    result = run_tool_without_polygons(tmp_path, "99")
    assert result.returncode != 0
    assert "département 99 inconnu" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_polygons_are_a_clear_error(tmp_path):
    result = run_tool_without_polygons(tmp_path, "48")
    assert result.returncode != 0
    assert "aucun fichier communes-48-*.geojson" in result.stderr


@pytest.mark.parametrize(
    ("code", "name", "tncc", "with_article", "in_", "of"),
    [
        ("75", "Paris", 0, "Paris", "à Paris", "de Paris"),
        ("34", "Agde", 1, "Agde", "à Agde", "d'Agde"),  # a commune's name: no département has TNCC 1
        ("30", "Gard", 2, "le Gard", "dans le Gard", "du Gard"),
        ("48", "Lozère", 3, "la Lozère", "dans la Lozère", "de la Lozère"),
        (
            "13",
            "Bouches-du-Rhône",
            4,
            "les Bouches-du-Rhône",
            "dans les Bouches-du-Rhône",
            "des Bouches-du-Rhône",
        ),
        ("34", "Hérault", 5, "l'Hérault", "dans l'Hérault", "de l'Hérault"),
    ],
)
def test_department_forms(code, name, tncc, with_article, in_, of):
    department = Department(code, name, tncc)
    assert (department.with_article, department.in_, department.of) == (with_article, in_, of)


@pytest.mark.parametrize("tncc", [-1, 9, True])
def test_department_rejects_unknown_tncc(tncc):
    with pytest.raises(ValueError, match="type_liaison"):
        Department("34", "Hérault", tncc)


@pytest.fixture(scope="module")
def gard():
    return load_reference(GARD)


def test_gard_fixture(gard):
    assert gard.department == Department("30", "Gard", 2)
    assert gard.department.in_ == "dans le Gard"
    assert gard.department_prefix == "30"
    assert not [code for code in gard.communes if code.startswith("34")]
    assert all(code.startswith("30") for code in gard.communes)
    assert gard.commune("30189").nom == "Nîmes"
    assert gard.contains(43.8367, 4.3601)  # Nîmes
    assert not gard.contains(43.6108, 3.8767)  # Montpellier, Hérault
    members = [code for epci in gard.epcis.values() for code in epci.communes]
    assert sorted(members) == sorted(gard.communes)
    outside = [c.nom for c in gard.communes.values() if not gard.contains(c.latitude, c.longitude)]
    assert outside == []


def test_department_prefix_falls_back_to_the_common_prefix(ref, gard):
    # Codes not starting with the département's (the benchmark's synthetic territory): the old rule.
    other = Reference(ref.communes, ref.epcis, ref.outline, Department("XX", "Synthétique", 2))
    assert other.department_prefix == "34"
    both = Reference({**ref.communes, **gard.communes}, {}, ref.outline, Department("XX", "Synthétique", 2))
    assert both.department_prefix == "3"


@pytest.mark.parametrize("folder", [REFERENCE, GARD], ids=["herault", "gard"])
def test_every_commune_has_a_simplified_contour_around_its_centre(folder):
    from mednum.geo import point_in_geometry
    from mednum.reference import load_contours

    reference, contours = load_reference(folder), load_contours(folder)
    assert sorted(contours) == sorted(reference.communes)
    outside = [
        code
        for code, commune in reference.communes.items()
        if not point_in_geometry(commune.latitude, commune.longitude, contours[code])
    ]
    assert len(outside) <= len(contours) // 100, outside  # simplified by 100 m: a few thin communes at most
    size = (folder / "communes.geojson").stat().st_size
    assert size < 300_000, size
