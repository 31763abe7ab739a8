from datetime import date, time
from decimal import Decimal

import pytest

from mednum.french import (
    format_date,
    format_date_short,
    format_distance_km,
    format_euros,
    format_phone,
    format_range,
    format_ranges,
    format_time,
    month_name,
    phone_to_e164,
    slugify,
    weekday_name,
)


def test_format_date():
    assert format_date(date(2026, 3, 3)) == "mardi 3 mars 2026"
    assert format_date(date(2026, 3, 1)) == "dimanche 1er mars 2026"
    assert format_date(date(2026, 8, 15)) == "samedi 15 août 2026"
    assert format_date(date(2026, 2, 11)) == "mercredi 11 février 2026"


def test_format_date_short():
    assert format_date_short(date(2026, 3, 3)) == "3 mars 2026"
    assert format_date_short(date(2026, 12, 1)) == "1er décembre 2026"
    assert format_date_short(date(2026, 12, 31)) == "31 décembre 2026"


def test_names():
    assert [weekday_name(i) for i in range(7)] == [
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
    ]
    assert month_name(1) == "janvier"
    assert month_name(2) == "février"
    assert month_name(12) == "décembre"
    with pytest.raises(ValueError):
        weekday_name(7)
    with pytest.raises(ValueError):
        month_name(0)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (time(9), "9 h"),
        (time(12, 30), "12 h 30"),
        (time(0), "0 h"),
        (time(8, 5), "8 h 05"),
        (time(23, 59), "23 h 59"),
        (time.max, "24 h"),
    ],
)
def test_format_time(value, text):
    assert format_time(value) == text


def test_format_range_uses_en_dash_with_spaces():
    assert format_range(time(9), time(12, 30)) == "9 h \u2013 12 h 30"
    assert format_range(time(20), time.max) == "20 h – 24 h"


def test_format_ranges():
    assert format_ranges([]) == ""
    assert format_ranges([(time(9), time(12))]) == "9 h – 12 h"
    assert format_ranges([(time(9), time(12)), (time(14), time(17))]) == "9 h – 12 h et 14 h – 17 h"
    three = [(time(8), time(9)), (time(10), time(11)), (time(14), time(17, 30))]
    assert format_ranges(three) == "8 h – 9 h, 10 h – 11 h et 14 h – 17 h 30"


def test_format_phone():
    assert format_phone("+33467000000") == "04 67 00 00 00"
    assert format_phone("+33612345678") == "06 12 34 56 78"
    assert format_phone("+3246700000") == "+3246700000"
    assert format_phone("+3346700") == "+3346700"  # malformed: left alone
    assert format_phone("04 67") == "04 67"


@pytest.mark.parametrize(
    "text",
    [
        "04 67 16 24 42",
        "04.67.16.24.42",
        "04-67-16-24-42",
        "0467162442",
        "+33 4 67 16 24 42",
        "+33467162442",
        "+33 (0)4 67 16 24 42",
        "(0)4 67 16 24 42",
        "0033 4 67 16 24 42",
        " 04\u00a067\u00a016\u00a024\u00a042 ",
    ],
)
def test_phone_to_e164_french_forms(text):
    assert phone_to_e164(text) == "+33467162442"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "3949",
        "04 67 16 24",
        "04 67 16 24 42 1",
        "+33 67 16 24 42",
        "tél. 04 67",
        "+33 0 67 16 24 42",
    ],
)
def test_phone_to_e164_rejects(text):
    assert phone_to_e164(text) is None


def test_phone_to_e164_other_country():
    assert phone_to_e164("+32 2 123 45 67") == "+3221234567"
    assert phone_to_e164("0032 2 123 45 67") == "+3221234567"


def test_phone_round_trip():
    assert format_phone(phone_to_e164("04.67.16.24.42")) == "04 67 16 24 42"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Saint-Guilhem-le-Désert", "saint-guilhem-le-desert"),
        ("L'Œuf", "l-oeuf"),
        ("L’œuvre", "l-oeuvre"),
        ("Cæcilia & Ægis", "caecilia-aegis"),
        ("Straße", "strasse"),
        ("  Médiathèque  Émile-Zola (Montpellier) ", "mediatheque-emile-zola-montpellier"),
        ("Espace n°2", "espace-n-2"),
        ("Ça va ? ☺", "ca-va"),
        ("İstanbul", "istanbul"),
        ("---", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("km", "text"),
    [
        (2.4, "2,4 km"),
        (2.45, "2,5 km"),
        (0.04, "0 km"),
        (3, "3 km"),
        (3.0, "3 km"),
        (9.94, "9,9 km"),
        (9.96, "10 km"),
        (12.6, "13 km"),
        (1234, "1 234 km"),
    ],
)
def test_format_distance_km(km, text):
    assert format_distance_km(km) == text


def test_format_distance_rejects_negative():
    with pytest.raises(ValueError):
        format_distance_km(-1)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (15, "15 €"),
        (7.5, "7,50 €"),
        (Decimal("7.5"), "7,50 €"),
        (0, "0 €"),
        (0.05, "0,05 €"),
        (2.675, "2,68 €"),
        (15.0, "15 €"),
        (1200, "1 200 €"),
        (1234567.8, "1 234 567,80 €"),
    ],
)
def test_format_euros(amount, text):
    assert format_euros(amount) == text


def test_format_duration_hours():
    from mednum.french import format_duration_hours

    assert [format_duration_hours(x) for x in (7, 10.5, 1.25, 0.5, 14)] == [
        "7 h",
        "10 h 30",
        "1 h 15",
        "0 h 30",
        "14 h",
    ]


def test_place_names_take_contracted_prepositions():
    from mednum.french import a_place, de_place

    assert [a_place(n) for n in ("Lodève", "Le Caylar", "Les Matelles", "La Grande-Motte", "Agde")] == [
        "à Lodève",
        "au Caylar",
        "aux Matelles",
        "à La Grande-Motte",
        "à Agde",
    ]
    assert [
        de_place(n)
        for n in ("Lodève", "Le Caylar", "Les Matelles", "La Grande-Motte", "Agde", "Usclas-d'Hérault")
    ] == [
        "de Lodève",
        "du Caylar",
        "des Matelles",
        "de La Grande-Motte",
        "d'Agde",
        "d'Usclas-d'Hérault",
    ]
