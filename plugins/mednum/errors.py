"""Exceptions that carry a French report instead of a traceback, and how a run stops on them."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import NoReturn

from .problems import Report


class CatalogueInvalid(Exception):
    """The data has errors: the build stops and shows the report."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} erreur(s) dans les données")
        self.report = report

    def __reduce__(self):  # raised in the Pelican process, re-raised in the build's (build.py)
        return (type(self), (self.report,))


_raise_to_caller = False


@contextlib.contextmanager
def raised_to_caller() -> Iterator[None]:
    """Within this block (``mednum build``'s Pelican run), ``stop`` raises the error for the build
    to report it and keep the previous site; outside (``pelican`` run on its own), it exits."""
    global _raise_to_caller
    saved, _raise_to_caller = _raise_to_caller, True
    try:
        yield
    finally:
        _raise_to_caller = saved


def under_build() -> bool:
    """True in ``mednum build``'s Pelican run, False in ``pelican`` run on its own."""
    return _raise_to_caller


def stop(error: Exception) -> NoReturn:
    """Stop on a mistake in the data or the settings. In ``pelican`` run on its own, print the
    French message and exit with status 1: Pelican would log the exception with a traceback."""
    if _raise_to_caller:
        raise error
    text = error.report.text() if isinstance(error, CatalogueInvalid) else f"Erreur : {error}"
    print(text, file=sys.stderr)
    raise SystemExit(1)
