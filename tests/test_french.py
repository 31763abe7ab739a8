from datetime import date, time
from decimal import Decimal

import pytest

from mednum.french import (
    NBSP,
    capitalize_first,
    count_fr,
    format_date,
    format_date_short,
    format_distance_km,
    format_euros,
    format_km_tenths,
    format_number,
    format_percent,
    format_phone,
    format_range,
    format_ranges,
    format_share,
    format_time,
    join_fr,
    month_name,
    phone_to_e164,
    plain,
    slugify,
    weekday_name,
)


def nb(text: str) -> str:
    """``text`` with every space a no-break space: the expected form of a number and its unit."""
    return text.replace(" ", NBSP)


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
    assert format_time(value) == nb(text)


def test_format_range_is_one_unbreakable_unit_around_an_en_dash():
    assert format_range(time(9), time(12, 30)) == "9\u00a0h\u00a0\u2013\u00a012\u00a0h\u00a030"
    assert format_range(time(20), time.max) == nb("20 h – 24 h")
    assert " " not in format_range(time(9), time(12))


def test_format_ranges_break_only_between_ranges():
    assert format_ranges([]) == ""
    assert format_ranges([(time(9), time(12))]) == nb("9 h – 12 h")
    two = [(time(9), time(12)), (time(14), time(17))]
    assert format_ranges(two) == nb("9 h – 12 h") + " et " + nb("14 h – 17 h")
    three = [(time(8), time(9)), (time(10), time(11)), (time(14), time(17, 30))]
    assert format_ranges(three) == f"{nb('8 h – 9 h')}, {nb('10 h – 11 h')} et {nb('14 h – 17 h 30')}"
    assert plain(format_ranges(three)) == "8 h – 9 h, 10 h – 11 h et 14 h – 17 h 30"


def test_join_fr():
    assert join_fr([]) == ""
    assert join_fr(["a"]) == "a"
    assert join_fr(["a", "b"]) == "a et b"
    assert join_fr(iter(["a", "b", "c"])) == "a, b et c"


def test_capitalize_first_leaves_the_rest_alone():
    assert capitalize_first("à Lodève") == "À Lodève"
    assert capitalize_first("le CCAS de Sète") == "Le CCAS de Sète"
    assert capitalize_first("") == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1234, "1 234"),
        (25000, "25 000"),
        (Decimal("3.5"), "3,5"),
        (-1234.25, "-1 234,25"),
    ],
)
def test_format_number_groups_thousands_with_no_break_spaces(value, text):
    assert format_number(value) == nb(text)


def test_format_percent():
    assert format_percent(Decimal("92.54")) == nb("92,54 %")
    assert format_percent(Decimal("100.00")) == nb("100 %")
    assert format_percent(85) == nb("85 %")


def test_count_fr():
    assert [count_fr(n, "lieu", "lieux") for n in (0, 1, 2)] == ["0 lieu", "1 lieu", "2 lieux"]
    assert count_fr(25000, "lieu", "lieux") == nb("25 000") + " lieux"


def test_plain_turns_no_break_spaces_into_spaces():
    assert plain(format_euros(1200)) == "1 200 €"
    assert plain("10\u202f000") == "10 000"


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
    assert format_distance_km(km) == nb(text)


@pytest.mark.parametrize(
    ("km", "text"),
    [(15.3, "15,3 km"), (15.25, "15,3 km"), (15.0, "15 km"), (0.04, "0 km"), (1234.56, "1 234,6 km")],
)
def test_format_km_tenths_keeps_the_tenth_above_10_km(km, text):
    assert format_km_tenths(km) == nb(text)


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.93154, "93,2 %"), (1, "100 %"), (0.0, "0 %"), (0.99995, "100 %"), (0.5, "50 %"), (0.0004, "0 %")],
)
def test_format_share_is_a_percentage_to_the_tenth(share, text):
    assert format_share(share) == nb(text)


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
    assert format_euros(amount) == nb(text)


def test_format_duration_hours():
    from mednum.french import format_duration_hours

    assert [format_duration_hours(x) for x in (7, 10.5, 1.25, 0.5, 14)] == [
        nb("7 h"),
        nb("10 h 30"),
        nb("1 h 15"),
        nb("0 h 30"),
        nb("14 h"),
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
