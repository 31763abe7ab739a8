"""GitHub workflows, contributor guide and commit hooks, checked statically.

The workflows cannot run here: actionlint (from the dev extras) checks them, and the
rules of the project (pinned actions, least privilege, pip cache, nightly build,
weekly import, no untrusted text expanded into a script) are checked on the parsed files. The copy-paste templates of CONTRIBUTING.md must
pass the validator, and the commit hooks must use the versions of pyproject.toml.
"""

from __future__ import annotations

import json
import os
import re
import shlex
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


# The only jobs that may write, and exactly what each may write. Apart from the deployment,
# each runs only git and gh on what a job without write access handed over.
WRITERS = {
    ("deploy.yml", "deploy"): {"pages": "write", "id-token": "write"},
    ("sources.yml", "pull-request"): {"contents": "write", "pull-requests": "write"},
    ("agendas.yml", "pull-request"): {"contents": "write", "pull-requests": "write"},
    ("formulaires.yml", "publier"): {"contents": "write", "pull-requests": "write", "issues": "write"},
}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_time_limits(path):
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert int(job["timeout-minutes"]) <= 60, name
        permissions = job.get("permissions", {})
        assert isinstance(permissions, dict), f"{name}: list each permission"
        writes = {scope for scope, level in permissions.items() if level == "write"}
        if (path.name, name) in WRITERS:
            assert permissions == WRITERS[path.name, name]
        else:
            assert not writes, f"{name} must not write: {writes}"
        if writes and path.name != "deploy.yml":
            scripts = "\n".join(s.get("run", "") for s in job["steps"])
            assert job["needs"] and not re.search(r"\b(python|pip)\b", scripts), f"{name}: only git and gh"
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


@pytest.mark.parametrize("name", ["deploy.yml", "pull-request.yml"])
def test_builds_keep_what_the_next_build_takes_back(name):
    """The site, the build cache and the search index's trees of links go from one publication
    (one commit of a pull request) to the next: an incremental build's inputs. The spare site
    does not (a second copy of the site, for its folders only)."""
    from mednum.build import index_trees_folder

    workflow = load(ROOT / ".github" / "workflows" / name)
    kept = {
        s["uses"].split("@")[0]: s["with"]["path"].split()
        for _, s in steps(workflow)
        if s.get("uses", "").startswith("actions/cache/")
    }
    assert set(kept) == {"actions/cache/restore", "actions/cache/save"}
    assert kept["actions/cache/restore"] == kept["actions/cache/save"]
    assert set(kept["actions/cache/save"]) == {
        "output",
        index_trees_folder(Path("output")).name,
        ".cache/mednum",
    }


def test_workflows_call_files_and_commands_that_exist():
    text = "\n".join(p.read_text(encoding="utf-8") for p in WORKFLOWS)
    for script in re.findall(r"python (tools/\S+\.py)", text):
        assert (ROOT / script).is_file(), script
    from mednum.cli import DELEGATED

    for command in re.findall(r"python -m mednum (\w+)", text):
        assert command in {"check", "build"} | set(DELEGATED), command


# --- expressions in scripts ------------------------------------------------------------

# ${{ … }} in a script is pasted into it before the shell reads it: a branch name, an
# issue title or a dispatch input would run as code. Values go through env: instead;
# only these, which nobody outside the repository chooses, may be written in a script.
SAFE_IN_SCRIPTS = {
    "github.run_id",
    "github.run_number",
    "github.run_attempt",
    "github.sha",
    "github.repository",
    "github.repository_id",
    "github.server_url",
    "github.api_url",
    "github.workspace",
    "github.job",
    "runner.temp",
    "runner.os",
    "runner.arch",
    "job.status",
}
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
EXPRESSION_WORDS = {"true", "false", "null"}


def unsafe_expressions(workflow: dict) -> list[str]:
    """Every ${{ … }} of a script (run:, github-script's script:) that is not known safe."""
    found = []
    for name, step in steps(workflow):
        scripts = [step.get("run", "")]
        if step.get("uses", "").startswith("actions/github-script@"):
            scripts.append(step.get("with", {}).get("script", ""))
        for script in scripts:
            for expression in EXPRESSION.findall(script):
                # Index access (github['head_ref']) hides the name: never safe.
                code = re.sub(r"'(?:[^']|'')*'", "''", expression)
                names = re.findall(r"[A-Za-z_][\w-]*(?:\s*\.\s*[\w*-]+)*(?!\s*[\w.(-])", code)
                names = {re.sub(r"\s+", "", n) for n in names} - EXPRESSION_WORDS
                if "[" in code or not names <= SAFE_IN_SCRIPTS:
                    found.append(f"{name}: ${{{{{expression}}}}}")
    return found


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_untrusted_expression_in_scripts(path):
    assert not unsafe_expressions(load(path))


@pytest.mark.parametrize(
    "script",
    [
        'echo "${{ github.event.issue.title }}"',
        "git push origin ${{ github.head_ref }}",
        "echo ${{ inputs.message }}",
        "echo ${{ github.event.pull_request.body || 'vide' }}",
        "echo ${{ github['head_ref'] }}",
        "echo ${{ format('{0}', github.ref_name) }}",
        "echo ${{ steps.x.outputs.titre }}",
        "echo ${{ needs.import.outputs.changed }}",
        "echo ${{ env.TITLE }}",
        "echo ${{ secrets.TOKEN }}",
        "echo ${{github.event.comment.body}}",
        "cat <<'EOF'\n${{\n  github.event.head_commit.message\n}}\nEOF",
    ],
)
def test_the_expression_check_finds_injections(script):
    bad = {"jobs": {"x": {"steps": [{"uses": "actions/checkout@v7.0.1"}, {"run": script}]}}}
    assert unsafe_expressions(bad) == [f"x: {EXPRESSION.search(script).group(0)}"]
    script_step = {"uses": "actions/github-script@v8.0.0", "with": {"script": script}}
    assert unsafe_expressions({"jobs": {"x": {"steps": [script_step]}}})


def test_the_expression_check_lets_safe_values_through():
    good = {
        "jobs": {
            "x": {
                "steps": [
                    {"run": 'cat "${{ runner.temp }}/a" ${{ github.sha }} ${{ github.run_id }}'},
                    # Through env:, the shell reads it as a value, never as code.
                    {"env": {"TITLE": "${{ github.event.issue.title }}"}, "run": 'echo "$TITLE"'},
                    {"with": {"ref": "${{ github.head_ref }}"}, "uses": "actions/checkout@v7.0.1"},
                ]
            }
        }
    }
    assert unsafe_expressions(good) == []


# --- weekly import of the sources -------------------------------------------------------

SOURCES = ROOT / ".github" / "workflows" / "sources.yml"
REFRESH = ["python", "-m", "mednum", "sources", "refresh", "--download", "--summary"]
SHELL_OPERATORS = {"|", "||", "&&", ";", "&", "2>&1"}


def commands(script: str) -> list[list[str]]:
    """The words of each line of a shell script (continuations joined), up to a pipe or a redirection."""
    out = []
    for line in script.replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            line_words = shlex.split(line, comments=True)
        except ValueError:  # a quote that closes on a later line: not a command of interest
            continue
        words = []
        for word in line_words:
            if word in SHELL_OPERATORS or re.match(r"^\d?>", word):
                break
            words.append(word)
        out.append(words)
    return out


def assignments(script: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*(\w+)="([^"$]*(?:\$\w+[^"$]*)*)"\s*$', script, flags=re.M))


def expand(value: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), value)


def sources_step(workflow: dict, job: str, predicate) -> dict:
    (found,) = [s for s in workflow["jobs"][job]["steps"] if predicate(s)]
    return found


def refresh_step(workflow: dict) -> dict:
    return sources_step(workflow, "import", lambda s: "mednum sources" in s.get("run", ""))


def refresh_commands(workflow: dict) -> list[list[str]]:
    runs = [s["run"] for _, s in steps(workflow) if "run" in s]
    return [c for r in runs for c in commands(r) if c[2:4] == ["mednum", "sources"]]


def test_sources_workflow_runs_every_week_and_by_hand():
    workflow = load(SOURCES)
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    (schedule,) = workflow["on"]["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit() and (day, month) == ("*", "*")
    assert weekday.isdigit() and 0 <= int(weekday) <= 6, "once a week"
    # Two runs never overlap, and none is cut off while it pushes.
    assert workflow["concurrency"]["group"] and workflow["concurrency"]["cancel-in-progress"] == "false"


def test_sources_workflow_only_the_pull_request_job_writes():
    jobs = load(SOURCES)["jobs"]
    assert set(jobs) == {"import", "pull-request"}
    assert "permissions" not in jobs["import"] or "write" not in jobs["import"]["permissions"].values()
    assert jobs["pull-request"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    # The code that reads the downloaded files runs in the job without a token that writes.
    assert jobs["pull-request"]["needs"] == "import"
    assert "changed == 'true'" in jobs["pull-request"]["if"]
    pr_runs = "\n".join(s.get("run", "") for s in jobs["pull-request"]["steps"])
    assert "python" not in pr_runs and "pip" not in pr_runs


def test_sources_workflow_runs_the_refresh_with_download_and_summary():
    workflow = load(SOURCES)
    runs = [s["run"] for _, s in steps(workflow) if "run" in s]
    installs = [c for r in runs for c in commands(r) if c[:3] == ["python", "-m", "pip"]]
    assert installs == [["python", "-m", "pip", "install", "-e", "."]], "the runtime dependencies suffice"
    assert refresh_commands(workflow) == [[*REFRESH, "$RUNNER_TEMP/resume-import.md"]]


def test_sources_workflow_fails_when_the_refresh_fails():
    workflow = load(SOURCES)
    job = workflow["jobs"]["import"]
    step = refresh_step(workflow)
    assert "continue-on-error" not in job and "continue-on-error" not in step
    assert "if" not in step, "the refresh runs after a successful install, and only then"
    script = step["run"]
    assert not re.search(r"\|\|\s*(true|:|exit\s+0)\b|\|\|\s*$|set\s+\+[eo]", script, flags=re.M)
    # A pipe keeps the exit status of the refresh only with pipefail: GitHub's « bash ».
    assert (
        "|" not in script
        or step.get("shell", workflow.get("defaults", {}).get("run", {}).get("shell")) == "bash"
    )
    # Nothing after a failed refresh commits or hands data over.
    later = job["steps"][job["steps"].index(step) + 1 :]
    for other in later:
        condition = other.get("if", "")
        if "always()" in condition or "failure()" in condition or "!cancelled()" in condition:
            assert "run" in other and not re.search(r"\bgit (add|commit|push)\b|gh pr", other["run"])
    # The command's French message: an annotation and the job summary.
    explain = sources_step(workflow, "import", lambda s: "failure()" in s.get("if", ""))
    assert "steps.refresh.outcome == 'failure'" in explain["if"] and step["id"] == "refresh"
    assert "::error" in explain["run"] and '"$GITHUB_STEP_SUMMARY"' in explain["run"]
    assert "::stop-commands::" in script, "downloaded text is never read as a workflow command"


def test_sources_workflow_says_what_changed_or_that_nothing_did():
    workflow = load(SOURCES)
    changes = sources_step(workflow, "import", lambda s: s.get("id") == "changes")
    assert "git status --porcelain -- data" in changes["run"]
    assert "changed=false" in changes["run"] and '"$GITHUB_STEP_SUMMARY"' in changes["run"]
    summary = sources_step(
        workflow,
        "import",
        lambda s: (
            "resume-import.md" in s.get("run", "") and s is not changes and "mednum" not in s.get("run", "")
        ),
    )
    assert summary["if"] == "${{ !cancelled() }}"
    assert 'cat "$RUNNER_TEMP/resume-import.md" >> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    assert workflow["jobs"]["import"]["outputs"]["changed"] == "${{ steps.changes.outputs.changed }}"


def test_sources_pull_request_body_is_the_summary():
    workflow = load(SOURCES)
    jobs = workflow["jobs"]
    (refresh,) = refresh_commands(workflow)
    summary = refresh[refresh.index("--summary") + 1]
    upload = sources_step(
        workflow, "import", lambda s: s.get("uses", "").startswith("actions/upload-artifact@")
    )
    assert summary.replace("$RUNNER_TEMP", "${{ runner.temp }}") in upload["with"]["path"].splitlines()
    assert upload["if"] == "${{ steps.changes.outputs.changed == 'true' }}"
    download = sources_step(
        workflow, "pull-request", lambda s: s.get("uses", "").startswith("actions/download-artifact@")
    )
    assert download["with"]["name"] == upload["with"]["name"]
    body = download["with"]["path"].replace("${{ runner.temp }}", "$RUNNER_TEMP") + "/" + Path(summary).name
    gh_calls = {}
    for step in jobs["pull-request"]["steps"]:
        script = step.get("run", "")
        variables = {**step.get("env", {}), **assignments(script)}
        for line in script.replace("\\\n", " ").splitlines():
            if m := re.search(r"\bgh pr (create|edit)\b(.*)", line):
                option = re.search(r'--body-file\s+"?([^"\s]+)"?', m.group(2))
                assert option, f"the summary is the description: {line.strip()}"
                gh_calls[m.group(1)] = expand(option.group(1), variables)
                title = re.search(r'--title\s+"?([^"\s]+)"?', m.group(2)).group(1)
                assert expand(title, variables) == "Mise à jour des lieux depuis les sources ouvertes"
    assert gh_calls == {"create": body, "edit": body}


def test_sources_pull_request_job_pushes_one_fixed_branch():
    workflow = load(SOURCES)
    job = workflow["jobs"]["pull-request"]
    for step in job["steps"]:
        if "run" in step:
            assert step["env"]["GH_TOKEN"] == "${{ secrets.SOURCES_PR_TOKEN || github.token }}"
            assert step["env"].get("BRANCH", "import-sources") == "import-sources"
    script = "\n".join(s.get("run", "") for s in job["steps"])
    assert 'git push --force origin "HEAD:refs/heads/$BRANCH"' in script
    assert 'git config user.name "github-actions[bot]"' in script
    assert "gh auth setup-git" in script, "no token written into a URL or into .git/config"


# --- issue forms → pull requests ------------------------------------------------------------

FORMS_WORKFLOW = ROOT / ".github" / "workflows" / "formulaires.yml"


def forms_labels() -> set[str]:
    forms = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in ISSUE_FORMS]
    return {label for form in forms for label in form.get("labels", []) if label.startswith("formulaire-")}


def test_forms_workflow_runs_on_issues_of_the_forms_only():
    workflow = load(FORMS_WORKFLOW)
    assert workflow["on"] == {"issues": {"types": ["opened", "edited"]}}
    from mednum.forms.spec import KINDS

    assert forms_labels() == {kind.label for kind in KINDS.values()} and len(forms_labels()) == 3
    condition = workflow["jobs"]["convertir"]["if"]
    assert set(re.findall(r"labels\.\*\.name, '([^']+)'", condition)) == forms_labels()
    assert "github.event.issue.state == 'open'" in condition
    # Runs of one issue wait for each other (an edited issue pushes over the same branch).
    assert workflow["concurrency"]["group"] == "formulaire-${{ github.event.issue.number }}"
    assert workflow["concurrency"]["cancel-in-progress"] == "false"


def test_forms_workflow_permissions_per_job():
    jobs = load(FORMS_WORKFLOW)["jobs"]
    assert set(jobs) == {"convertir", "publier"}
    assert "permissions" not in jobs["convertir"], "the job that reads the issue only reads the repository"
    assert jobs["publier"]["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
    }
    assert jobs["publier"]["needs"] == "convertir"
    convert = yaml.safe_dump(jobs["convertir"], allow_unicode=True)
    assert not re.search(r"\$\{\{[^}]*secrets", convert), "no secret where the issue's text is read"


def test_forms_workflow_never_puts_the_issue_in_a_script():
    workflow = load(FORMS_WORKFLOW)
    assert not unsafe_expressions(workflow)
    for _, step in steps(workflow):
        assert "github.event.issue" not in step.get("run", "")
        for value in (step.get("env") or {}).values():
            # Only the number of the issue goes through env:; python reads the rest from the event file.
            assert "github.event.issue" not in value or value == "${{ github.event.issue.number }}", value
    runs = "\n".join(s.get("run", "") for s in workflow["jobs"]["convertir"]["steps"])
    (convert,) = [c for c in commands(runs) if c[:4] == ["python", "-m", "mednum", "form"]]
    assert convert[4:] == ["--event", "$GITHUB_EVENT_PATH", "--out", "$out"]
    # The output, answers included, is never read as workflow commands.
    assert runs.index("::stop-commands::") < runs.index("python -m mednum form")
    assert "trap 'echo \"::${token}::\"' EXIT" in runs


def test_forms_workflow_publishes_with_git_and_gh_only():
    workflow = load(FORMS_WORKFLOW)
    job = workflow["jobs"]["publier"]
    script = "\n".join(s.get("run", "") for s in job["steps"])
    assert "python" not in script and "pip" not in script
    assert {s["uses"].split("@")[0] for s in job["steps"] if "uses" in s} == {
        "actions/checkout",
        "actions/download-artifact",
    }
    # Only the records can change, on the branch of the issue, force-pushed over what was checked.
    assert "git apply --index --include=data/sites.yaml --include=data/workshops.yaml" in script
    assert "grep -qvxE 'data/(sites|workshops)\\.yaml'" in script
    words = " ".join(script.replace("\\\n", " ").split())
    assert (
        'git push --force-with-lease="refs/heads/formulaire-$NUMBER:$HEAD_SEEN" origin "HEAD:refs/heads/formulaire-$NUMBER"'
        in words
    )
    assert "git push --force " not in script
    assert "gh auth setup-git" in script
    for option in ('--body-file "$dir/demande.md"', "gh pr edit", "gh pr create"):
        assert option in script
    from mednum.forms.render import MARKER

    assert f'startswith("{MARKER}")' in script, "the workflow finds the comment it wrote"
    upload = [s for _, s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact@")]
    download = [s for _, s in steps(workflow) if s.get("uses", "").startswith("actions/download-artifact@")]
    assert upload[0]["with"]["name"] == download[0]["with"]["name"]


def test_forms_workflow_outputs_match_the_command():
    """The files the workflow reads are those ``python -m mednum form --out`` writes."""
    script = FORMS_WORKFLOW.read_text(encoding="utf-8")
    from mednum.forms import cli

    for name in ("titre.txt", "demande.md", "reponse.md", "relecture.md", "fermeture.md"):
        assert name in script and name in cli.__doc__


BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


def forms_step(name: str) -> dict:
    (found,) = [
        s for s in load(FORMS_WORKFLOW)["jobs"]["publier"]["steps"] if s.get("name", "").startswith(name)
    ]
    return found


def test_forms_workflow_leaves_a_proposal_under_review_alone():
    """An edited issue never changes a pull request the team has reviewed or added a commit to:
    nothing is pushed nor closed, the issue is told to use the pull request's discussion."""
    job = load(FORMS_WORKFLOW)["jobs"]["publier"]
    check = forms_step("Voir si la proposition est déjà en relecture")
    push = forms_step("Pousser la branche")
    pull_request = forms_step("Ouvrir ou mettre à jour")
    close = forms_step("Fermer la proposition")
    reply = forms_step("Répondre dans la demande")
    order = [job["steps"].index(s) for s in (check, push, pull_request, close, reply)]
    assert order == sorted(order)
    assert check["id"] == "relecture" and "if" not in check, "checked for a proposal and for a comment"
    script = " ".join(check["run"].replace("\\\n", " ").split())
    # A review of the open pull request (ours, not a fork's)…
    assert "map(select(.isCrossRepository | not))" in script and "--state open" in script
    assert "gh pr view \"$number\" --json reviews --jq '.reviews | length'" in script
    # … or a commit on the branch that is not the bot's: the workflow writes only those.
    assert 'git ls-remote origin "refs/heads/$branch"' in script
    assert 'gh api "repos/$GH_REPO/compare/$BASE...$head"' in script
    assert 'select(.commit.author.email != \\"$bot\\")' in script
    assert f'bot="{BOT_EMAIL}"' in script
    assert f'git config user.email "{BOT_EMAIL}"' in push["run"]
    assert 'if [ "$reviews" -gt 0 ] || [ "$others" -gt 0 ]; then' in script
    assert 'cp "$dir/relecture.md" "$dir/reponse.md"' in script
    assert 'echo "en_relecture=true" >> "$GITHUB_OUTPUT"' in script
    for step in (push, pull_request, close):
        assert "steps.relecture.outputs.en_relecture != 'true'" in step["if"], step["name"]
    assert "needs.convertir.outputs.resultat == 'proposition'" in push["if"] and pull_request["if"]
    # The push replaces only what was checked: a commit of the team pushed meanwhile stays.
    assert push["env"]["HEAD_SEEN"] == "${{ steps.relecture.outputs.tete }}"
    assert pull_request["env"]["PROPOSITION"] == "${{ steps.relecture.outputs.proposition }}"
    # An edit that now has answers to correct closes the proposal of the earlier version.
    assert "needs.convertir.outputs.resultat == 'commentaire'" in close["if"]
    assert "steps.relecture.outputs.proposition != ''" in close["if"]
    assert 'gh pr comment "$PROPOSITION" --body-file "$RUNNER_TEMP/formulaire/fermeture.md"' in close["run"]
    assert 'gh pr close "$PROPOSITION"' in close["run"]
    assert "if" not in reply, "the issue always gets an answer"


FAKE_GH = """\
import json, os, subprocess, sys

args = sys.argv[1:]
state = json.loads(open(os.environ["FAKE_STATE"], encoding="utf-8").read())
with open(os.environ["FAKE_LOG"], "a", encoding="utf-8") as log:
    log.write(" ".join(args) + "\\n")
if args[:2] == ["auth", "setup-git"]:
    sys.exit(0)
if args[:2] == ["pr", "list"]:
    answer = state["open"] if "open" in args else state["all"]
elif args[:2] == ["pr", "view"]:
    answer = {"reviews": state["reviews"], "url": state["all"][0]["url"] if state["all"] else ""}
elif args[0] == "api":
    answer = {"commits": [{"commit": {"author": {"email": email}}} for email in state["commits"]]}
else:
    sys.exit(f"unexpected gh {args}")
jq = args[args.index("--jq") + 1]
done = subprocess.run(["jq", "-r", jq], input=json.dumps(answer), capture_output=True, text=True, check=True)
sys.stdout.write(done.stdout)
"""

FAKE_GIT = """\
import os, sys

args = sys.argv[1:]
assert args[:2] == ["ls-remote", "origin"], args
if os.environ["FAKE_HEAD"]:
    print(os.environ["FAKE_HEAD"] + "\\t" + args[2])
"""


@pytest.mark.parametrize(
    ("situation", "blocked"),
    [
        ({"head": "", "open": [], "reviews": [], "commits": []}, False),  # first proposal
        (
            {"head": "a" * 40, "open": [7], "reviews": [], "commits": [BOT_EMAIL]},
            False,
        ),  # an edit, not reviewed
        ({"head": "a" * 40, "open": [7], "reviews": [{"state": "APPROVED"}], "commits": [BOT_EMAIL]}, True),
        ({"head": "a" * 40, "open": [7], "reviews": [], "commits": [BOT_EMAIL, "equipe@herault.fr"]}, True),
        # Closed pull request, a commit of the team still on the branch.
        ({"head": "a" * 40, "open": [], "reviews": [], "commits": [BOT_EMAIL, "equipe@herault.fr"]}, True),
        ({"head": "a" * 40, "open": [], "reviews": [], "commits": []}, False),  # merged long ago
    ],
)
def test_forms_workflow_review_check_runs_as_written(tmp_path, situation, blocked):
    """The check's script, run by bash with stand-ins for git and gh (their --jq run by jq)."""
    if shutil.which("jq") is None or shutil.which("bash") is None:
        pytest.skip("jq or bash missing")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, code in (("gh", FAKE_GH), ("git", FAKE_GIT)):
        (bin_dir / name).write_text(f"#!{sys.executable}\n{code}", encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    url = "https://github.com/h/c/pull/9"
    pulls = [{"number": n, "isCrossRepository": False, "url": url} for n in situation["open"]]
    fork = {"number": 3, "isCrossRepository": True, "url": "https://github.com/h/c/pull/3"}
    state = {**situation, "open": [fork, *pulls], "all": [fork, *pulls]}
    if situation["commits"] and not pulls:
        state["all"] = [fork, {"number": 9, "isCrossRepository": False, "url": url}]
    (tmp_path / "state.json").write_text(json.dumps(state), encoding="utf-8")
    out = tmp_path / "formulaire"
    out.mkdir()
    (out / "relecture.md").write_text("déjà en relecture :\n\n", encoding="utf-8")
    (out / "reponse.md").write_text("la réponse\n", encoding="utf-8")
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_STATE": str(tmp_path / "state.json"),
        "FAKE_LOG": str(tmp_path / "gh.log"),
        "FAKE_HEAD": situation["head"],
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "GITHUB_SERVER_URL": "https://github.com",
        "GH_REPO": "h/c",
        "BASE": "main",
        "NUMBER": "12",
    }
    script = forms_step("Voir si la proposition est déjà en relecture")["run"]
    run = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    assert outputs["tete"] == situation["head"]
    assert outputs["proposition"] == ("7" if situation["open"] else "")
    assert (outputs.get("en_relecture") == "true") is blocked
    answer = (out / "reponse.md").read_text(encoding="utf-8")
    assert answer == (f"déjà en relecture :\n\n{url}\n" if blocked else "la réponse\n")
    log = (tmp_path / "gh.log").read_text(encoding="utf-8")
    assert ("repos/h/c/compare/main..." + situation["head"] in log) is bool(situation["head"])


def test_readme_mentions_the_sources_workflow():
    assert ".github/workflows/sources.yml" in (ROOT / "README.md").read_text(encoding="utf-8")


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


# What GitHub accepts in the body of an issue form.
FORM_ITEM_TYPES = {"markdown", "textarea", "input", "dropdown", "checkboxes"}
ISSUE_FORMS = sorted(p for p in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.y*ml") if p.stem != "config")


@pytest.mark.parametrize("path", ISSUE_FORMS, ids=lambda p: p.name)
def test_issue_forms_have_the_shape_github_accepts(path):
    """Each issue form has the shape GitHub needs to show it (otherwise it shows none)."""
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert form["name"] and form["description"] and form["body"]
    problems = []
    ids = [item["id"] for item in form["body"] if "id" in item]
    if len(ids) != len(set(ids)):
        problems.append(f"ids are not unique: {ids}")
    for number, item in enumerate(form["body"], start=1):
        kind = item.get("type")
        if kind not in FORM_ITEM_TYPES:
            problems.append(f"item {number}: type {kind!r} is not one of {sorted(FORM_ITEM_TYPES)}")
            continue
        attributes = item.get("attributes") or {}
        if kind == "markdown":
            if not str(attributes.get("value", "")).strip():
                problems.append(f"item {number}: markdown without a value")
        elif (item.get("validations") or {}).get("required") and not str(attributes.get("label", "")).strip():
            problems.append(f"item {number} ({item.get('id')}): required without a label")
    assert not problems, "\n".join(problems)


# --- commit hooks -------------------------------------------------------------------

PRE_COMMIT = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))


def hook_repo(url_end: str) -> dict:
    return next(r for r in PRE_COMMIT["repos"] if r["repo"].endswith(url_end))


def test_pre_commit_versions_match_pyproject():
    assert hook_repo("/ruff-pre-commit")["rev"] == "v" + dev_pin("ruff")
    assert hook_repo("/yamllint")["rev"] == "v" + dev_pin("yamllint")
    assert {h["id"] for h in hook_repo("/ruff-pre-commit")["hooks"]} == {"ruff-check", "ruff-format"}


LOCAL_HOOKS = hook_repo("local")["hooks"]


@pytest.mark.parametrize("hook", LOCAL_HOOKS, ids=lambda h: h["id"])
def test_pre_commit_runs_the_catalogue_checks(hook):
    """Each local hook runs, as pre-commit would, with the virtual environment's Python, and
    accepts the repository's data: a commit of unchanged data is never refused."""
    assert re.search(hook["files"], "data/sites.yaml"), "the hook runs when a record changes"
    command = [*shlex.split(hook["entry"]), *hook.get("args", [])]
    if hook.get("pass_filenames", True):
        command += sorted(
            str(path.relative_to(ROOT))
            for folder in ("data", "schemas")
            for path in (ROOT / folder).rglob("*")
            if path.is_file() and re.search(hook["files"], str(path.relative_to(ROOT)))
        )
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, f"{hook['id']}: {command}\n{run.stdout}{run.stderr}"


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
