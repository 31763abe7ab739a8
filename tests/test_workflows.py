"""GitHub workflows, contributor guide and commit hooks, checked statically.

The workflows cannot run here: actionlint (from the dev extras) checks them, and the
rules of the project (pinned actions, least privilege, pip cache, nightly build)
are checked on the parsed files. The copy-paste templates of CONTRIBUTING.md must
pass the validator, and the commit hooks must use the versions of pyproject.toml.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SITES, TRAININGS, WORKSHOPS, Project

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\b")
TAG_PIN = re.compile(r"^[\w.-]+/[\w./-]+@v\d+\.\d+\.\d+$")


def load(path: Path) -> dict:
    # BaseLoader: « on » stays the text « on » (YAML 1.1 would read it as true).
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def dev_pin(package: str) -> str:
    for requirement in PYPROJECT["project"]["optional-dependencies"]["dev"]:
        name, _, version = requirement.partition("==")
        if name.strip().lower() == package:
            return version.strip()
    raise AssertionError(f"{package} is not pinned in the dev extras of pyproject.toml")


def test_the_two_workflows_exist():
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "deploy.yml"}


def actionlint() -> str | None:
    here = Path(sys.executable).parent
    return shutil.which("actionlint", path=str(here)) or shutil.which("actionlint")


def test_actionlint_finds_nothing():
    binary = actionlint()
    if binary is None:
        pytest.skip("actionlint is missing: pip install -e '.[dev]'")
    run = subprocess.run(
        [binary, "-no-color", *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_or_an_exact_version(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if re.match(r"^\s*(-\s+)?uses:", line)]
    assert uses
    for line in uses:
        value, _, comment = line.split("uses:", 1)[1].partition("#")
        value = value.strip().strip("\"'")
        if SHA_PIN.match(value):
            assert VERSION_COMMENT.search("#" + comment), f"say which version the commit is: {line.strip()}"
        else:
            assert TAG_PIN.match(value), f"pin to a full commit SHA (or at least vX.Y.Z): {line.strip()}"
    for job in load(path)["jobs"].values():
        image = job.get("container", {})
        image = image.get("image") if isinstance(image, dict) else image
        if image:
            assert ":" in image and not image.endswith(":latest"), (
                f"container image without a version: {image}"
            )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_time_limits(path):
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert int(job["timeout-minutes"]) <= 60, name
        permissions = job.get("permissions", {})
        assert isinstance(permissions, dict), f"{name}: list each permission"
        writes = {scope for scope, level in permissions.items() if level == "write"}
        if path.name == "deploy.yml" and name == "deploy":
            assert permissions == {"pages": "write", "id-token": "write"}
        else:
            assert not writes, f"{name} must not write: {writes}"
    for _, step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] == "false"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_python_311_with_pip_cache(path):
    setups = [s for _, s in steps(load(path)) if s.get("uses", "").startswith("actions/setup-python@")]
    assert setups
    for step in setups:
        assert step["with"]["python-version"] == "3.11"
        assert step["with"]["cache"] == "pip"
        assert step["with"]["cache-dependency-path"] == "pyproject.toml"


def test_pull_request_workflow():
    workflow = load(ROOT / ".github" / "workflows" / "pull-request.yml")
    assert set(workflow["on"]) == {"pull_request"}
    runs = "\n".join(s.get("run", "") for _, s in steps(workflow))
    assert "pip install -e '.[dev]'" in runs
    assert "python -m mednum check --format github" in runs
    assert "python -m mednum sort --check --format github" in runs
    assert "python -m mednum build -s pelicanconf.py -o output" in runs
    assert "make test" in runs
    assert 'python tools/catalogue_diff.py .base/data data >> "$GITHUB_STEP_SUMMARY"' in runs
    uploads = [s for _, s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["path"].rstrip("/") == "output"
    base = [s for _, s in steps(workflow) if s.get("with", {}).get("path") == ".base"]
    assert base and base[0]["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    # The browser tests run where `make test` can install Debian's chromium, as on our CI.
    assert workflow["jobs"]["tests"]["container"]["image"].startswith("python:3.11-")


def test_deploy_workflow():
    workflow = load(ROOT / ".github" / "workflows" / "deploy.yml")
    on = workflow["on"]
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
    (schedule,) = on["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert rest == ["*", "*", "*"] and minute.isdigit() and hour.isdigit(), "once a day"
    assert workflow["concurrency"]["group"] and workflow["concurrency"]["cancel-in-progress"] == "false"
    build = "\n".join(s.get("run", "") for s in workflow["jobs"]["build"]["steps"])
    assert "python -m mednum build -s publishconf.py -o output" in build
    used = [s.get("uses", "").split("@")[0] for _, s in steps(workflow)]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in used
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"


def test_workflows_call_files_and_commands_that_exist():
    text = "\n".join(p.read_text(encoding="utf-8") for p in WORKFLOWS)
    for script in re.findall(r"python (tools/\S+\.py)", text):
        assert (ROOT / script).is_file(), script
    from mednum.cli import DELEGATED

    for command in re.findall(r"python -m mednum (\w+)", text):
        assert command in {"check", "build"} | set(DELEGATED), command


# --- contributor guide and templates ------------------------------------------------

CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def yaml_blocks() -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", CONTRIBUTING, flags=re.M | re.S)


def kind_of(block: str) -> str:
    record = yaml.safe_load(block)[0]
    if "organisme" in record:
        return "trainings"
    if "titre" in record:
        return "workshops"
    return "sites"


def test_contributing_has_a_template_for_each_kind_of_record():
    blocks = yaml_blocks()
    kinds = [kind_of(b) for b in blocks]
    assert sorted(kinds) == ["sites", "trainings", "workshops", "workshops"]
    workshops = [yaml.safe_load(b)[0] for b in blocks if kind_of(b) == "workshops"]
    assert any("seances" in w and "recurrence" not in w for w in workshops), "a workshop with dated sessions"
    assert any("recurrence" in w and "seances" not in w for w in workshops), "a weekly workshop"


def test_contributing_templates_are_valid(tmp_path):
    files = {"sites": [SITES], "workshops": [WORKSHOPS], "trainings": [TRAININGS]}
    for block in yaml_blocks():
        files[kind_of(block)].append(textwrap.dedent(block))
    project = Project(tmp_path)
    project.write(**{name: "\n".join(parts) for name, parts in files.items()})
    catalogue, report = project.load()
    assert report.ok, report.text()
    template_ids = {yaml.safe_load(b)[0]["id"] for b in yaml_blocks()}
    assert template_ids <= {r.id for r in (*catalogue.sites, *catalogue.workshops, *catalogue.trainings)}
    # Complete templates: not even a warning about them.
    warned = [str(w) for w in report.warnings if any(f"« {i} »" in str(w) for i in template_ids)]
    assert not warned, "\n".join(warned)
    # Real records, not examples: a partner who copies them publishes a real record.
    assert not any(r.example for r in catalogue.sites if r.id in template_ids)


def test_contributing_explains_the_real_messages():
    expected_report = (ROOT / "tests" / "fixtures" / "broken" / "expected-report.txt").read_text(
        encoding="utf-8"
    )
    # The most common messages of the stored broken report, as they are written.
    for fragment in (
        "champ obligatoire manquant",
        "téléphone au format international attendu, sans espace (ex. +33467000000)",
        "identifiant invalide : lettres minuscules sans accent, chiffres et tirets seulement",
        "une liste est attendue : écrivez chaque valeur sur sa ligne, après « - »",
        "adresse web invalide : elle doit commencer par https:// ou http://",
        "n'est pas une date qui existe",
        "écrivez true ou false (« oui » n'est pas reconnu)",
    ):
        assert fragment in expected_report, fragment
        assert fragment in CONTRIBUTING, fragment
    for title in ("Signaler une erreur sans GitHub", "La relecture", "Propose changes", "crayon"):
        assert title in CONTRIBUTING


def test_issue_form_and_pull_request_template():
    form = yaml.safe_load(
        (ROOT / ".github" / "ISSUE_TEMPLATE" / "signaler-une-erreur.yml").read_text("utf-8")
    )
    assert form["name"] == "Signaler une erreur sur une fiche"
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert ids == ["page", "erreur", "correction", "source"]
    config = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "config.yml").read_text("utf-8"))
    assert config["blank_issues_enabled"] is False
    template = (ROOT / ".github" / "pull_request_template.md").read_text("utf-8")
    assert template.count("- [ ]") >= 3 and "date_maj" in template


# --- commit hooks -------------------------------------------------------------------

PRE_COMMIT = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))


def hook_repo(url_end: str) -> dict:
    return next(r for r in PRE_COMMIT["repos"] if r["repo"].endswith(url_end))


def test_pre_commit_versions_match_pyproject():
    assert hook_repo("/ruff-pre-commit")["rev"] == "v" + dev_pin("ruff")
    assert hook_repo("/yamllint")["rev"] == "v" + dev_pin("yamllint")
    assert {h["id"] for h in hook_repo("/ruff-pre-commit")["hooks"]} == {"ruff-check", "ruff-format"}


def test_pre_commit_runs_the_catalogue_checks():
    local = {h["id"]: h for h in hook_repo("local")["hooks"]}
    assert local["mednum-check"]["entry"] == "python -m mednum check --quiet"
    assert local["mednum-sort"]["entry"] == "python -m mednum sort --check"
    for hook in local.values():
        assert hook["pass_filenames"] is False and re.search(hook["files"], "data/sites.yaml")


def test_yamllint_accepts_the_data_and_the_workflows():
    targets = [
        *sorted((ROOT / "data").glob("*.yaml")),
        *WORKFLOWS,
        ROOT / ".github",
        ROOT / ".pre-commit-config.yaml",
    ]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "yamllint",
            "--strict",
            "-f",
            "parsable",
            "-c",
            ".yamllint.yaml",
            *map(str, targets),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_yamllint_still_finds_real_mistakes(tmp_path):
    bad = tmp_path / "sites.yaml"
    bad.write_text("- id: a\n  nom: A\n  nom: B\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "yamllint", "-f", "parsable", "-c", str(ROOT / ".yamllint.yaml"), str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1 and "key-duplicates" in run.stdout
