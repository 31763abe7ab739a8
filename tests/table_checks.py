"""Shared by the tests of the open-data files: validate a CSV file against its Table Schema."""

from __future__ import annotations

from pathlib import Path

import pytest


def validate_csv(path: Path, schema: dict):
    """frictionless's report of ``path`` read with ``schema`` (a Table Schema descriptor)."""
    frictionless = pytest.importorskip("frictionless")
    resource = frictionless.Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=frictionless.Schema.from_descriptor(schema),
        format="csv",
        encoding="utf-8",
    )
    return resource.validate()


def error_lines(report) -> list[str]:
    """The first 20 errors of a frictionless report, one line each."""
    return [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors][:20]
