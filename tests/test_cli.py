"""The command line as partners and CI use it: French report, exit codes, never a traceback."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, Project

FIXTURES = Path(__file__).parent / "fixtures"


def run_check(
    project: Project, *args: str, examples: bool = True, in_process: bool = True
) -> subprocess.CompletedProcess:
    """``mednum check`` on the project; its records are marked as examples, hence ``--examples``.

    In this process by default (a new Python costs a second a call): an exception would reach the
    test, as a traceback would reach the partner. ``in_process=False`` runs ``python -m mednum`` for
    real, as CI and partners do."""
    flags = ["--examples"] if examples else []
    argv = ["check", "--root", str(project.root), "--date", "2026-11-23", *flags, *args]
    if in_process:
        from mednum.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    return subprocess.run(
        [sys.executable, "-m", "mednum", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        check=False,
    )


def test_valid_data_exits_zero(project):
    result = run_check(project, in_process=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Aucune erreur." in result.stdout
    assert "2 lieux, 1 ateliers, 1 formations." in result.stdout


def test_examples_are_refused_in_published_data(project):
    """Fictional records belong to demo/: without --examples every one of them is an error."""
    result = run_check(project, "--quiet", examples=False)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "fiche d'exemple (fictive)" in line]
    assert [line.split(":")[0] for line in lines] == [
        "data/sites.yaml",
        "data/sites.yaml",
        "data/trainings.yaml",
        "data/workshops.yaml",
    ]
    assert "champ « x_exemple »" in lines[0] and "demo/" in lines[0]


def test_bundled_data_holds_real_records_only():
    """What `make site` publishes: data/ passes the check without --examples (demo/ would not)."""
    for folder, code in (("data", 0), ("demo", 1)):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mednum",
                "check",
                "--root",
                str(ROOT),
                "--data",
                folder,
                "--reference",
                "data/reference",
                "--quiet",
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        )
        assert result.returncode == code, (folder, result.stdout)


def test_broken_file_matches_stored_report(project):
    """Every problem of a broken file at once, each on one line, as stored in expected-report.txt."""
    shutil.copy(FIXTURES / "broken" / "sites.yaml", project.path("sites"))
    project.write(workshops="[]\n")
    result = run_check(project, "--quiet")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    expected = (FIXTURES / "broken" / "expected-report.txt").read_text(encoding="utf-8")
    assert result.stdout == expected


def test_github_annotations(project):
    project.write(sites=(FIXTURES / "broken" / "sites.yaml").read_text(encoding="utf-8").split("\n", 1)[1])
    result = run_check(project, "--format", "github")
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "::error file=data/sites.yaml,line=3,col=7::lieu « Mediatheque Lodeve », champ « id » : "
    )


BROKEN_INPUTS = {
    "binary garbage": bytes(range(256)) * 4,
    "empty file": b"",
    "only a comment": b"# rien\n",
    "bad indentation": b"- id: a\n  nom: b\n    commune: c\n",
    "a mapping instead of a list": b"id: a\nnom: b\n",
    "a scalar": b"bonjour\n",
    "a list of scalars": b"- a\n- b\n",
    "wrong types everywhere": b"- id: [1, 2]\n  nom: {a: b}\n  services: 3\n  latitude: [x]\n  x_arrets: oui\n  x_accessibilite: [1]\n",
    "latin-1": "- id: a\n  nom: Médiathèque\n".encode("latin-1"),
    "utf-16": "- id: a\n".encode("utf-16"),
    "windows line endings": b"- id: a\r\n  nom: b\r\n",
    "deep nesting": b"- " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "alias bomb": b"- &a [x, x]\n- &b [*a, *a]\n- [*b, *b]\n",
    "python tag": b"- !!python/object/apply:os.system ['echo pwned']\n",
    "huge key": b"- " + b"k" * 10000 + b": v\n",
    "null record": b"- \n- ~\n",
}


@pytest.mark.parametrize("content", BROKEN_INPUTS.values(), ids=BROKEN_INPUTS.keys())
def test_no_traceback_whatever_the_input(project, content):
    project.path("sites").write_bytes(content)
    result = run_check(project)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout.startswith(("1 erreur", "2 erreurs", "3 erreurs")) or "erreurs :" in result.stdout
    assert "data/sites.yaml:" in result.stdout


def test_missing_file(project):
    project.path("trainings").unlink()
    result = run_check(project)
    assert result.returncode == 1
    assert "data/trainings.yaml:1:1: fichier introuvable" in result.stdout


def test_missing_reference_data(project):
    shutil.rmtree(project.data / "reference")
    result = run_check(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("1 erreur :\ndata/reference:1:1: ")


def test_bad_date_argument(project):
    result = run_check(project, "--date", "demain")
    assert result.returncode == 2
    assert "date invalide" in result.stderr


@pytest.mark.site
def test_build_exit_codes_and_messages_reach_the_caller(tmp_path, small_reference):
    """``python -m mednum build`` ends without Python's shutdown (``mednum.__main__``): its exit
    code and everything it printed still reach CI."""
    from conftest import DEMO_CONF, small_project

    data = small_project(tmp_path / "small", small_reference)
    settings = tmp_path / "conf.py"
    settings.write_text(
        f"import runpy\nglobals().update(runpy.run_path({str(DEMO_CONF)!r}))\n"
        f"PATH = {str(ROOT / 'content')!r}\n"
        f"CATALOGUE_DATA_PATH = {str(data)!r}\nCATALOGUE_REFERENCE_PATH = {str(data / 'reference')!r}\n"
        f"CATALOGUE_BUILD_DATE = '2026-11-23'\nCATALOGUE_CACHE_PATH = {str(tmp_path / 'cache')!r}\n",
        encoding="utf-8",
    )
    out = tmp_path / "output"

    # Printed into a pipe, buffered as in CI (not with PYTHONUNBUFFERED, which this machine sets).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}

    def build() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "mednum", "build", "-s", str(settings), "-o", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**env, "PYTHONPATH": str(ROOT / "plugins")},
            check=False,
        )

    built = build()
    assert built.returncode == 0, built.stderr
    again = build()
    assert again.returncode == 0
    assert "rien n'a changé depuis la dernière construction" in again.stdout
    sites = data / "sites.yaml"
    sites.write_text(sites.read_text(encoding="utf-8") + "\n- id: [\n", encoding="utf-8")
    broken = build()
    assert broken.returncode == 1
    assert "data/sites.yaml:" in broken.stderr and "Traceback" not in broken.stderr
    assert broken.stderr.rstrip().endswith("output/ est resté tel quel.")
