from datetime import date

import pytest

from mednum.holidays_fr import easter_sunday, holidays_between, public_holidays


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),  # latest possible
        (2285, date(2285, 3, 22)),  # earliest possible
        (2000, date(2000, 4, 23)),
        (1961, date(1961, 4, 2)),
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_public_holidays_2026():
    assert public_holidays(2026) == {
        date(2026, 1, 1): "Jour de l'an",
        date(2026, 4, 6): "Lundi de Pâques",
        date(2026, 5, 1): "Fête du Travail",
        date(2026, 5, 8): "Victoire 1945",
        date(2026, 5, 14): "Ascension",
        date(2026, 5, 25): "Lundi de Pentecôte",
        date(2026, 7, 14): "Fête nationale",
        date(2026, 8, 15): "Assomption",
        date(2026, 11, 1): "Toussaint",
        date(2026, 11, 11): "Armistice 1918",
        date(2026, 12, 25): "Noël",
    }


def test_public_holidays_are_sorted():
    days = list(public_holidays(2027))
    assert days == sorted(days)
    assert len(days) == 11


def test_movable_feasts_2025():
    holidays = public_holidays(2025)
    assert holidays[date(2025, 4, 21)] == "Lundi de Pâques"
    assert holidays[date(2025, 5, 29)] == "Ascension"
    assert holidays[date(2025, 6, 9)] == "Lundi de Pentecôte"


def test_ascension_on_labour_day_keeps_both_names():
    holidays = public_holidays(2008)
    assert holidays[date(2008, 5, 1)] == "Fête du Travail et Ascension"
    assert len(holidays) == 10


def test_no_alsace_moselle_holidays():
    holidays = public_holidays(2026)
    assert date(2026, 4, 3) not in holidays  # Good Friday
    assert date(2026, 12, 26) not in holidays


def test_holidays_between_is_inclusive_and_crosses_years():
    assert holidays_between(date(2025, 12, 25), date(2026, 1, 1)) == {
        date(2025, 12, 25),
        date(2026, 1, 1),
    }
    assert holidays_between(date(2026, 5, 2), date(2026, 5, 7)) == set()
    assert holidays_between(date(2026, 5, 1), date(2026, 4, 1)) == set()
    assert len(holidays_between(date(2025, 1, 1), date(2027, 12, 31))) == 33
