"""The garbage collector kept away from the catalogue and its plan while they are made."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from conftest import DEMO_BUILD_DATE, demo_options
from mednum import collector
from mednum.catalogue import load_catalogue
from mednum.pages import plan_pages


@pytest.fixture(autouse=True)
def _collector_as_it_was():
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    yield
    assert gc.get_freeze_count() == frozen, "objects left frozen"
    gc.enable() if enabled else gc.disable()


def test_paused_turns_the_collector_off_and_back_on():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("une erreur dans le bloc")
    assert gc.isenabled()


def test_paused_leaves_a_collector_that_was_off_off():
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()
    gc.enable()


def test_what_is_kept_is_not_walked_until_it_is_released():
    before = gc.get_freeze_count()
    with collector.paused(keep=True):
        made = [[n] for n in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() >= before + len(made)
    collector.released()
    assert gc.get_freeze_count() == 0


def test_reading_and_planning_leave_no_garbage_for_the_collector():
    """What the collector would have freed while the catalogue was read and its pages planned:
    nothing (the pause is only safe while this holds; at national size, the same)."""
    gc.collect()
    with collector.paused():
        catalogue, report = load_catalogue(demo_options(dt.date.fromisoformat(DEMO_BUILD_DATE)))
        assert catalogue is not None, report.text()
        pages = plan_pages(catalogue, {"CATALOGUE_BUILD_DATE": DEMO_BUILD_DATE})
        assert len(pages) > 1000
        del pages
        found = gc.collect()
    assert found == 0
