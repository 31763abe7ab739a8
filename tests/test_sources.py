"""Every source at once, as the weekly job runs it, on stored real files (tests/fixtures/sources/).

A project is made with the real reference data and the real data/imports/sources.yaml, then
``python -m mednum sources refresh --from tests/fixtures/sources`` fills it: the France
Services list of 2024 (Hérault and Gard rows), the RhinOcc regional file (Hérault and Gard
rows) and a small fictional file in the national standard's shape. The tests then change what
people change — a decision in the review list, a phone edited by hand, a record deleted — and
what sources change — a row gone, new hours — and check what the next merge does with it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import BUILD_DATE, ROOT
from mednum.catalogue import LoadOptions, load_catalogue
from mednum.importers import cli, store
from mednum.problems import Report
from mednum.yamlsource import read_yaml

SOURCES = ROOT / "tests" / "fixtures" / "sources"
SHARED_FS_2022 = ROOT.parent / "shared" / "data" / "france-services-2022-12-01-herault.csv"


def new_project(root: Path) -> Path:
    """A project with the real reference data and sources.yaml, and no place yet."""
    data = root / "data"
    (data / "imports").mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", root / "schemas")
    shutil.copytree(ROOT / "data" / "reference", data / "reference")
    shutil.copy(ROOT / "data" / "imports" / "sources.yaml", data / "imports" / "sources.yaml")
    for name in ("workshops.yaml", "trainings.yaml"):
        shutil.copy(ROOT / "data" / name, data / name)
    return data


def records(data: Path) -> dict[str, dict]:
    doc = read_yaml(data / "sites.yaml", "sites.yaml", Report())
    return {r["id"]: r for r in doc.data}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def refresh(data: Path, *extra: str) -> int:
    return cli.sources_main(["refresh", "--from", str(SOURCES), "--data", str(data), *extra])


def merge(data: Path) -> int:
    return cli.sources_main(["merge", "--data", str(data)])


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sources")
    data = new_project(root)
    summary = root / "resume.md"
    assert refresh(data, "--summary", str(summary)) == 0
    return data, summary


@pytest.fixture
def project(imported, tmp_path) -> Path:
    """A copy of the imported project, for tests that change it."""
    data, _ = imported
    root = tmp_path / "p"
    shutil.copytree(data.parent, root)
    return root / "data"


def by_name(data: Path, text: str) -> list[dict]:
    return [r for r in records(data).values() if text in r["nom"]]


# --- the first import -----------------------------------------------------------------------


def test_only_rows_of_the_departement_and_a_valid_catalogue(imported):
    data, _ = imported
    snapshots = {s: store.read_snapshot(data, s) for s in ("france-services", "rhinocc", "national")}
    assert {s: len(snap.candidates) for s, snap in snapshots.items()} == {
        "france-services": 58,
        "rhinocc": 163,
        "national": 2,
    }
    assert {s: snap.outside for s, snap in snapshots.items()} == {
        "france-services": 34,
        "rhinocc": 40,
        "national": 1,
    }
    assert all(r["code_insee"].startswith("34") for r in records(data).values())
    catalogue, report = load_catalogue(
        LoadOptions(data, data.parent / "schemas", BUILD_DATE, root=data.parent)
    )
    assert catalogue is not None, report.text()
    assert not report.errors


def test_one_place_one_record_with_every_source_and_the_date_of_its_data(imported):
    data, _ = imported
    castries = by_name(data, "Castries")
    assert [r["nom"] for r in castries] == [
        "France services Castries"
    ]  # FS list + 2 RhinOcc rows + national row
    record = castries[0]
    assert record["source"] == (
        "ANCT, liste nationale des France Services (2024-08-01) ; "
        "ANCT, cartographie nationale des lieux de médiation numérique (2025-03-01) ; "
        "RhinOcc, réseau régional de l'inclusion numérique en Occitanie (2022-07-01)"
    )
    assert record["date_maj"] == "2025-03-01"  # the most recent data, not the day of the import
    # The most trusted source gives each field; services and typologies add up.
    assert record["horaires"] == "Mo-Th 09:00-12:00,14:00-18:00; Fr 09:00-12:00,14:00-17:00; PH off"
    assert record["services"] == [
        "Aide aux démarches administratives",
        "Accès internet et matériel informatique",
    ]
    assert {"RFS", "EPN"} <= set(record["typologie"])
    state = store.read_state(data)
    rows = state[
        next(i for i, r in records(data).items() if r is not None and r["nom"] == record["nom"])
    ].rows
    assert sorted(r.split(":")[0] for r in rows) == ["france-services", "national", "rhinocc", "rhinocc"]


def test_each_row_of_the_official_list_stays_a_place_of_its_own(imported):
    data, _ = imported
    agde = by_name(data, "Hérault Méditerranée - Agde")
    assert sorted(r["nom"] for r in agde) == [
        "France services Hérault Méditerranée - Agde",
        "France services Hérault Méditerranée - Agde QPV",
    ]  # same coordinates in the list, two labelled places


def test_stops_become_the_stops_of_their_service(imported):
    data, _ = imported
    (bus,) = by_name(data, "Bus France services MSA du Languedoc")
    communes = [stop["commune"] for stop in bus["x_arrets"]]
    assert len(communes) == 20 and communes == sorted(communes)
    assert "Lunas-les-Châteaux" in communes  # « LUNAS » in the source, merged into a new commune since
    assert all("horaires" not in stop for stop in bus["x_arrets"])  # the source gives no day: none invented
    (relais,) = by_name(data, "Relais Numérique Itinérant - APIJE")
    assert relais["itinerance"] == ["Itinérant"] and len(relais["x_arrets"]) == 8
    assert relais["commune"] == "Sète"  # based where APIJE, which shares its phone, receives people


def test_codes_labels_and_short_numbers(imported):
    data, _ = imported
    (agde,) = by_name(data, "Lieux d'Accès Multimédia d'Agde")
    assert agde["x_pass_numerique"] is True  # code_label APTIC
    assert agde["modalites_accompagnement"] == ["Accompagnement individuel"]  # ACCDA-ACCDS
    (cpam,) = by_name(data, "Caisse Primaire d'Assurance Maladie - agence de Béziers")
    assert "telephone" not in cpam and "Téléphone : 36 46." in cpam["presentation_detail"]
    assert cpam["typologie"] == ["CPAM"]


def test_pairs_that_look_alike_wait_for_a_person(imported):
    data, summary = imported
    review = store.read_review(data)
    lodeve = [
        p for p in review.pairs.values() if "Lodève" in p.places[0] and "Accès Multimédia" in p.places[1]
    ]
    assert lodeve and not lodeve[0].decision and "types différents" in lodeve[0].why
    text = summary.read_text(encoding="utf-8")
    assert "### Lieux qui se ressemblent, à trancher" in text and "decision: même" in text
    assert "| ANCT, liste nationale des France Services | 58 | 34 |" in text


def test_importing_again_changes_nothing(imported, tmp_path, capsys):
    data, _ = imported
    copy = tmp_path / "again"
    shutil.copytree(data.parent, copy)
    before = tree(copy / "data")
    capsys.readouterr()
    assert refresh(copy / "data") == 0
    assert "Fichiers modifiés : aucun." in capsys.readouterr().out
    assert tree(copy / "data") == before


# --- people and sources change things --------------------------------------------------------


def _pair(data: Path, text_a: str, text_b: str) -> store.Pair:
    review = store.read_review(data)
    return next(p for p in review.pairs.values() if text_a in p.places[0] and text_b in p.places[1])


def _decide(data: Path, pair: store.Pair, word: str) -> None:
    path = data / "imports" / "revue.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = f'  - paire: ["{pair.refs[0]}", "{pair.refs[1]}"]'
    start = text.index(anchor)
    at = text.index("    decision:", start)
    end = text.index("\n", at)
    path.write_text(text[:at] + f"    decision: {word}" + text[end:], encoding="utf-8")


def test_a_pair_settled_as_the_same_place_becomes_one_record(project):
    pair = _pair(project, "France services Lodevois et Larzac", "Lieux d'Accès Multimédia de Lodève")
    count = len(records(project))
    _decide(project, pair, "même")
    assert merge(project) == 0
    assert len(records(project)) == count - 1
    names = [
        r["nom"] for r in records(project).values() if r["commune"] == "Lodève" and "Caisse" not in r["nom"]
    ]
    assert "Lieux d'Accès Multimédia de Lodève (cc Lodévois Larzac)" not in names
    assert store.read_review(project).pairs[pair.refs].decision == "same"


def test_a_pair_settled_as_distinct_is_not_asked_again(project):
    pair = _pair(project, "France services Lodevois et Larzac", "Lieux d'Accès Multimédia de Lodève")
    _decide(project, pair, "distinct")
    count = len(records(project))
    assert merge(project) == 0
    assert len(records(project)) == count
    review = store.read_review(project)
    assert review.pairs[pair.refs].decision == "distinct"
    assert pair.refs not in {p.refs for p in review.pairs.values() if not p.decision}


def test_an_unknown_decision_is_refused_in_french(project, capsys):
    pair = _pair(project, "France services Lodevois et Larzac", "Lieux d'Accès Multimédia de Lodève")
    _decide(project, pair, "peut-être")
    before = tree(project)
    assert merge(project) == 2
    assert "décision « peut-être » : écrivez « même » ou « distinct »" in capsys.readouterr().err
    assert tree(project) == before


def _edit_sites(data: Path, ident: str, old: str, new: str) -> None:
    path = data / "sites.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- id: {ident}\n")
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def _edit_snapshot(data: Path, source: str, key: str, change) -> None:
    snapshot = store.read_snapshot(data, source)
    for candidate in snapshot.candidates:
        if candidate.key == key:
            change(candidate.record)
    store.write_snapshot(data, snapshot)


def test_hand_edits_are_kept_and_source_changes_elsewhere_applied(project, capsys):
    ident = "france-services-castries"
    _edit_sites(project, ident, 'telephone: "+33467162442"', 'telephone: "+33467000000"')
    assert merge(project) == 0
    assert records(project)[ident]["telephone"] == "+33467000000"

    # The source changes the phone too, and the hours: the phone stays the person's, the hours follow.
    def change(record):
        record["telephone"] = "+33467999999"
        record["horaires"] = "Mo-Fr 09:00-12:00; PH off"

    _edit_snapshot(project, "france-services", "202", change)
    capsys.readouterr()
    assert merge(project) == 0
    record = records(project)[ident]
    assert record["telephone"] == "+33467000000" and record["horaires"] == "Mo-Fr 09:00-12:00; PH off"
    out = capsys.readouterr().out
    assert f"« {ident} », champ « telephone » : valeur écrite à la main gardée" in out
    assert "1 modifiée" in out


def test_a_record_that_left_its_sources_is_reported_not_deleted(project, capsys):
    ident = "france-services-boisseron"
    assert ident in records(project)
    snapshot = store.read_snapshot(project, "france-services")
    snapshot.candidates = [c for c in snapshot.candidates if c.record["commune"] != "Boisseron"]
    store.write_snapshot(project, snapshot)
    capsys.readouterr()
    assert (
        merge(
            project,
        )
        == 0
    )
    assert ident in records(project)
    assert (
        f"À vérifier : « {ident} » (France services Boisseron) n'est plus dans ses sources"
        in capsys.readouterr().out
    )


def test_a_record_deleted_by_hand_is_not_brought_back_until_its_line_goes(project):
    ident = "france-services-boisseron"
    path = project / "sites.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- id: {ident}\n")
    end = text.index("\n- id: ", start + 1) + 1
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert merge(project) == 0
    assert ident not in records(project)
    assert ident in store.read_review(project).deleted
    review = store.read_review(project)
    del review.deleted[ident]
    store.write_review(project, review)
    assert merge(project) == 0
    assert ident in records(project)


def test_a_record_made_by_hand_is_left_alone(project):
    path = project / "sites.yaml"
    text = path.read_text(encoding="utf-8")
    hand = (
        "- id: mediatheque-de-brissac\n  nom: Médiathèque de Brissac\n  adresse: Place de la Mairie\n"
        '  code_postal: "34190"\n  commune: Brissac\n  code_insee: "34042"\n  services:\n'
        '    - Accès internet et matériel informatique\n  source: Mairie de Brissac\n  date_maj: "2026-10-01"\n\n'
    )
    at = text.index("- id: ")
    path.write_text(text[:at] + hand + text[at:], encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    assert merge(project) == 0
    assert path.read_text(encoding="utf-8") == before


# --- bad input: a French message, data/ untouched --------------------------------------------


def _folder_with(tmp_path: Path, name: str, content: bytes) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    for path in SOURCES.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    (folder / name).write_bytes(content)
    return folder


FS = (SOURCES / "liste-fs-20240801.csv").read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "le fichier est vide"),
        (FS.split(b"\n", 1)[0] + b"\n", "aucune ligne de lieu utilisable"),
        (FS.decode("utf-8").encode("latin-1", "replace"), "UTF-8"),
        (b'{"type": "FeatureCollection", "features": []}\n', "fichier non reconnu"),
        (
            b"\n".join(
                [FS.split(b"\n", 1)[0], *(line for line in FS.split(b"\n")[1:] if b'"30"' in line[:12])]
            ),
            "aucune des 34 lignes n'est dans le département",
        ),
    ],
    ids=["empty", "header-only", "latin-1", "json", "only-gard"],
)
def test_a_bad_source_file_changes_nothing(project, tmp_path, capsys, content, message):
    folder = _folder_with(tmp_path, "liste-fs-20240801.csv", content)
    before = tree(project)
    capsys.readouterr()
    assert cli.sources_main(["refresh", "--from", str(folder), "--data", str(project)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert tree(project) == before


def test_a_file_of_another_shape_lists_expected_and_found_columns(tmp_path, capsys):
    data = new_project(tmp_path)
    rhinocc = SOURCES / "rhinocc-inclusion-dataset-geocoded.csv"
    assert (
        cli.main(["import", "france-services", str(rhinocc), "--data", str(data), "--date", "2024-08-01"])
        == 2
    )
    err = capsys.readouterr().err
    assert "fichier non reconnu" in err
    assert (
        "forme de 2024, colonnes format_fs et type_fs) : colonnes manquantes : id_fs, insee_dep, lib_fs"
        in err
    )
    assert "Colonnes trouvées : n_ref, statut_infos, departement" in err
    assert not (data / "sites.yaml").exists()


def test_duplicated_rows_are_reported_and_read_once(tmp_path, capsys):
    data = new_project(tmp_path)
    lines = FS.split(b"\n")
    castries = next(line for line in lines if b"France services Castries" in line)
    path = tmp_path / "liste-fs-20240801.csv"
    path.write_bytes(FS + castries + b"\n")
    assert cli.main(["import", "france-services", str(path), "--data", str(data)]) == 0
    assert "ligne en double (id_fs 202 déjà lu ligne" in capsys.readouterr().err
    assert len(by_name(data, "France services Castries")) == 1


def test_a_failed_download_changes_nothing(project, capsys):
    sources = project / "imports" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    # Local files served as downloads; one address that does not answer.
    text = text.replace(
        "https://www.data.gouv.fr/fr/datasets/r/afc3f97f-0ef5-429b-bf16-7b7876d27cd4",
        (SOURCES / "liste-fs-20240801.csv").as_uri(),
    ).replace(
        "https://raw.githubusercontent.com/multi-coop/data-rhinocc-inclusion/main/csv/geocoding/rhinocc-inclusion-dataset-geocoded.csv",
        (SOURCES / "absent.csv").as_uri(),
    )
    sources.write_text(text, encoding="utf-8")
    before = tree(project)
    capsys.readouterr()
    assert cli.sources_main(["refresh", "--download", "--data", str(project)]) == 2
    err = capsys.readouterr().err
    assert "téléchargement de" in err and "rien n'a été modifié" in err and "Traceback" not in err
    assert tree(project) == before


def test_the_2022_and_2024_lists_are_both_read(tmp_path, capsys):
    """`python -m mednum import france-services liste-fs-20240801.csv`, as a new user would."""
    data = new_project(tmp_path)
    assert (
        cli.main(["import", "france-services", str(SOURCES / "liste-fs-20240801.csv"), "--data", str(data)])
        == 0
    )
    assert len(records(data)) == 58
    if SHARED_FS_2022.exists():  # the 2022 list, outside the repository
        other = new_project(tmp_path / "b")
        args = [
            "import",
            "france-services",
            str(SHARED_FS_2022),
            "--data",
            str(other),
            "--date",
            "2022-12-01",
        ]
        assert cli.main(args) == 0
        assert len(records(other)) == 49


def test_download_of_every_source(project, capsys):
    """The weekly job's path, with local files standing for the servers (file:// addresses)."""
    urls = {
        "france-services": SOURCES / "liste-fs-20240801.csv",
        "herault": ROOT / "tests" / "fixtures" / "imports" / "herault-lieux-numeriques-exemple.csv",
        "national": SOURCES / "lieux-mediation-numerique-exemple.csv",
        "rhinocc": SOURCES / "rhinocc-inclusion-dataset-geocoded.csv",
    }
    sources = project / "imports" / "sources.yaml"
    lines = []
    current = None
    for line in sources.read_text(encoding="utf-8").splitlines():
        if line.startswith("- nom: "):
            current = line.split(": ", 1)[1]
        if line.startswith("  telechargement: "):
            line = f"  telechargement: {urls[current].as_uri()}"
        lines.append(line)
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.sources_main(["refresh", "--download", "--data", str(project)]) == 0
    out = capsys.readouterr().out
    assert "france-services : 58 lignes du département (liste-fs-20240801.csv, données du 2024-08-01)" in out
    assert re.search(r"herault : \d+ lignes du département \(herault-lieux-numeriques-exemple\.csv\)", out)
    assert store.read_snapshot(project, "herault").file == "herault-lieux-numeriques-exemple.csv"
