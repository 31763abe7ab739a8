"""Public holidays of metropolitan France (the 11 national ones).

Alsace-Moselle's extra days (Good Friday, 26 December, départements 57, 67, 68) and those
of the overseas départements (abolition of slavery) are not here: a catalogue for one of
them has to add its days (the README's section for a new département says so).
"""

from datetime import date, timedelta

__all__ = ["easter_sunday", "holidays_between", "public_holidays"]


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian / Meeus-Jones-Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int) -> dict[date, str]:
    """The public holidays of ``year``, in chronological order, with their French names.

    Eleven entries, or ten in the rare years when Ascension falls on 1 May.
    """
    easter = easter_sunday(year)
    named = [
        (date(year, 1, 1), "Jour de l'an"),
        (easter + timedelta(days=1), "Lundi de Pâques"),
        (date(year, 5, 1), "Fête du Travail"),
        (date(year, 5, 8), "Victoire 1945"),
        (easter + timedelta(days=39), "Ascension"),
        (easter + timedelta(days=50), "Lundi de Pentecôte"),
        (date(year, 7, 14), "Fête nationale"),
        (date(year, 8, 15), "Assomption"),
        (date(year, 11, 1), "Toussaint"),
        (date(year, 11, 11), "Armistice 1918"),
        (date(year, 12, 25), "Noël"),
    ]
    # Ascension can fall on 1 May (2008, 2160): such a day gets both names.
    days: dict[date, str] = {}
    for day, name in sorted(named, key=lambda pair: pair[0]):
        days[day] = f"{days[day]} et {name}" if day in days else name
    return days


def holidays_between(start: date, end: date) -> set[date]:
    """Public holidays from ``start`` to ``end``, both included (empty if ``end < start``)."""
    found: set[date] = set()
    for year in range(start.year, end.year + 1):
        found.update(day for day in public_holidays(year) if start <= day <= end)
    return found
