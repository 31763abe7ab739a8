"""Random mutations of valid records: the result is valid, or every error is located."""

from __future__ import annotations

import copy

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SITES, WORKSHOPS, Project, examples

BASE_SITES = yaml.safe_load(SITES)
BASE_WORKSHOPS = yaml.safe_load(WORKSHOPS)

odd_text = st.sampled_from(
    [
        "12:30",
        "01000",
        "no",
        "on",
        "",
        " ",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "../../etc/passwd",
        "Senior",
        "Mo-Fr 09:00-12:00",
        "Lu 9h-12h",
        "+33465710001",
        "04 65 71 00 01",
        "2026-02-30",
        "34700",
        "é" * 300,
    ]
)
values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
        odd_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated(draw, base):
    records = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        record = records[draw(st.integers(0, len(records) - 1))]
        action = draw(st.sampled_from(["set", "delete", "add", "set_nested", "duplicate"]))
        keys = list(record)
        if action == "set" and keys:
            record[draw(st.sampled_from(keys))] = draw(values)
        elif action == "delete" and keys:
            record.pop(draw(st.sampled_from(keys)))
        elif action == "add":
            record[draw(st.text(min_size=1, max_size=12))] = draw(values)
        elif action == "set_nested":
            nested = [k for k in keys if isinstance(record[k], (dict, list)) and record[k]]
            if nested:
                target = record[draw(st.sampled_from(nested))]
                if isinstance(target, dict):
                    target[draw(st.sampled_from(list(target)))] = draw(values)
                else:
                    target[draw(st.integers(0, len(target) - 1))] = draw(values)
        elif action == "duplicate":
            records.append(copy.deepcopy(record))
    return records


def check(project: Project, name: str, records) -> None:
    text = yaml.safe_dump(records, allow_unicode=True, sort_keys=False)
    project.write(**{name: text})
    lines = {
        f"data/{n}.yaml": project.path(n).read_text(encoding="utf-8").count("\n") + 1
        for n in ("sites", "workshops", "trainings")
    }
    catalogue, report = project.load()
    if report.errors:
        assert catalogue is None
        # A broken place may also break the workshops that refer to it: any data file, real lines.
        for problem in report.errors:
            loc = problem.location
            assert loc.file in lines, problem
            assert 1 <= loc.line <= lines[loc.file] and loc.column >= 1, problem
            assert problem.message and "Traceback" not in problem.message
    else:
        assert catalogue is not None


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=mutated(BASE_SITES))
def test_mutated_sites(project, records):
    check(project, "sites", records)


@settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=mutated(BASE_WORKSHOPS))
def test_mutated_workshops(project, records):
    check(project, "workshops", records)
