"""Exceptions that carry a French report instead of a traceback."""

from __future__ import annotations

from .problems import Report


class CatalogueInvalid(Exception):
    """The data has errors: the build stops and shows the report."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} erreur(s) dans les données")
        self.report = report

    def __reduce__(self):  # raised in the Pelican process, re-raised in the build's (build.py)
        return (type(self), (self.report,))
