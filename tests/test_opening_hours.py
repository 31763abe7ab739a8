import re
from datetime import date, datetime, time, timedelta

import opening_hours as osm_reference
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import examples
from mednum.holidays_fr import holidays_between
from mednum.opening_hours import OpeningHoursError, parse

HOLIDAYS = holidays_between(date(2024, 1, 1), date(2028, 12, 31))
MONDAY = date(2026, 3, 2)  # an ordinary week: 2 to 8 March 2026, no public holiday


def hours(schedule, day, holidays=HOLIDAYS):
    return [
        (a.strftime("%H:%M"), "24:00" if b == time.max else b.strftime("%H:%M"))
        for a, b in schedule.intervals_on(day, holidays)
    ]


def nb_hours(text: str) -> str:
    """The times of ``text`` as format_time writes them: no-break spaces in « 9 h », « 16 h 30 »."""
    return re.sub(
        r"\b(\d{1,2}) h(?: (\d\d)\b)?", lambda m: "\u00a0".join(filter(None, [m[1], "h", m[2]])), text
    )


def table(schedule):
    return {
        day: [(a.strftime("%H:%M"), "24:00" if b == time.max else b.strftime("%H:%M")) for a, b in iv]
        for day, iv in schedule.weekly_table()
        if iv
    }


# -- evaluation ------------------------------------------------------------------


def test_typical_week_with_public_holidays_off():
    s = parse("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off")
    assert hours(s, MONDAY) == [("09:00", "12:00"), ("14:00", "17:00")]
    assert hours(s, MONDAY + timedelta(5)) == [("09:00", "12:00")]
    assert hours(s, MONDAY + timedelta(6)) == []
    assert hours(s, date(2026, 4, 6)) == []  # Easter Monday
    assert hours(s, date(2026, 4, 6), holidays=()) == [("09:00", "12:00"), ("14:00", "17:00")]
    assert s.is_open(datetime(2026, 3, 2, 9, 0), HOLIDAYS)
    assert s.is_open(datetime(2026, 3, 2, 11, 59), HOLIDAYS)
    assert not s.is_open(datetime(2026, 3, 2, 12, 0), HOLIDAYS)  # intervals are half-open
    assert not s.is_open(datetime(2026, 3, 2, 8, 59), HOLIDAYS)
    assert not s.is_open(datetime(2026, 5, 8, 10, 0), HOLIDAYS)


def test_weekday_list():
    s = parse("Tu,Th 13:30-17:00")
    assert [bool(hours(s, MONDAY + timedelta(i))) for i in range(7)] == [
        False,
        True,
        False,
        True,
        False,
        False,
        False,
    ]


def test_nth_weekday_of_month():
    s = parse("We[1,3] 09:00-12:00")
    wednesdays = [date(2026, 3, d) for d in (4, 11, 18, 25)]
    assert [bool(hours(s, d)) for d in wednesdays] == [True, False, True, False]
    last = parse("We[-1] 09:00-12:00")
    assert [bool(hours(last, d)) for d in wednesdays] == [False, False, False, True]
    assert bool(hours(parse("Mo[1-2] 10:00-11:00"), date(2026, 3, 9)))


def test_later_rule_replaces_the_day():
    s = parse("Mo-Fr 09:00-18:00; We 09:00-12:00")
    assert hours(s, date(2026, 3, 4)) == [("09:00", "12:00")]
    assert hours(s, date(2026, 3, 5)) == [("09:00", "18:00")]


def test_christmas_closure_wraps_over_new_year():
    s = parse("Mo-Fr 09:00-12:00; Dec 24-Jan 02 off")
    assert hours(s, date(2026, 12, 23)) == [("09:00", "12:00")]
    assert hours(s, date(2026, 12, 24)) == []
    assert hours(s, date(2027, 1, 1)) == []
    assert hours(s, date(2027, 1, 4)) == [("09:00", "12:00")]


def test_dated_closure_with_years():
    s = parse("Mo-Sa 10:00-12:00; 2026 Aug 01-2026 Aug 23 off")
    assert hours(s, date(2026, 7, 31)) == [("10:00", "12:00")]
    assert hours(s, date(2026, 8, 1)) == []
    assert hours(s, date(2026, 8, 22)) == []
    assert hours(s, date(2026, 8, 24)) == [("10:00", "12:00")]
    assert hours(s, date(2027, 8, 2)) == [("10:00", "12:00")]  # only in 2026
    assert hours(parse("2028 Feb 01-Feb 29 off"), date(2028, 2, 29)) == []
    cross = parse("24/7; 2026 Dec 24-Jan 02 off")
    assert hours(cross, date(2027, 1, 2)) == []
    assert hours(cross, date(2027, 1, 3)) == [("00:00", "24:00")]


def test_month_closure_and_whole_day():
    s = parse("Mo-Fr 09:00-17:00; Jul-Aug off")
    assert hours(s, date(2026, 7, 1)) == []
    assert hours(s, date(2026, 8, 31)) == []
    assert hours(s, date(2026, 9, 1)) == [("09:00", "17:00")]
    assert hours(parse("Jul-Aug off"), date(2026, 7, 1)) == []
    assert hours(parse("Nov-Feb Mo"), date(2027, 1, 4)) == [("00:00", "24:00")]


def test_even_weeks():
    s = parse("week 02-52/2 Mo 09:00-12:00")
    assert hours(s, date(2026, 1, 5)) == [("09:00", "12:00")]  # ISO week 2
    assert hours(s, date(2026, 1, 12)) == []  # ISO week 3


def test_public_holiday_opening():
    s = parse("Mo-Fr 09:00-17:00; PH 10:00-12:00")
    assert hours(s, date(2026, 7, 14)) == [("10:00", "12:00")]
    assert hours(s, date(2026, 8, 15)) == [("10:00", "12:00")]  # a Saturday
    assert hours(s, date(2026, 7, 13)) == [("09:00", "17:00")]
    either = parse("Sa,PH 09:00-12:00")
    assert hours(either, date(2026, 5, 8)) == [("09:00", "12:00")]
    assert hours(either, date(2026, 3, 7)) == [("09:00", "12:00")]
    assert hours(either, date(2026, 3, 6)) == []


def test_always_and_never():
    assert hours(parse("24/7"), MONDAY) == [("00:00", "24:00")]
    assert parse("24/7").intervals_on(MONDAY, ()) == [(time(0), time.max)]
    assert parse("24/7").is_open(datetime(2026, 3, 2, 23, 59), ())
    assert hours(parse("off"), MONDAY) == []
    assert hours(parse("closed"), MONDAY) == []
    assert hours(parse("Mo-Su 08:00-20:00; Su off"), MONDAY + timedelta(6)) == []


def test_end_of_day():
    s = parse("Mo-Fr 18:00-24:00")
    assert s.intervals_on(MONDAY, ()) == [(time(18), time.max)]
    assert s.is_open(datetime(2026, 3, 2, 23, 59, 59), ())
    assert not s.is_open(datetime(2026, 3, 3, 0, 0), ())  # Tuesday 00:00: spans never cross midnight


def test_overlapping_spans_are_merged():
    assert hours(parse("Mo 09:00-12:00,11:00-13:00,13:00-14:00"), MONDAY) == [("09:00", "14:00")]


def test_comments():
    s = parse('Mo 14:00-17:00 "sur rendez-vous"; Tu off "fermé pour travaux"')
    assert s.comments == ["sur rendez-vous", "fermé pour travaux"]
    assert hours(s, MONDAY) == [("14:00", "17:00")]
    assert hours(parse('Mo "sur rendez-vous"'), MONDAY) == [("00:00", "24:00")]


def test_week_plan_is_json_ready():
    s = parse("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off; Su 10:00-24:00")
    plan = s.week_plan(date(2026, 5, 7), 4, HOLIDAYS)
    assert plan == [
        {"date": "2026-05-07", "intervals": [["09:00", "12:00"], ["14:00", "17:00"]]},
        {"date": "2026-05-08", "intervals": []},
        {"date": "2026-05-09", "intervals": [["09:00", "12:00"]]},
        {"date": "2026-05-10", "intervals": [["10:00", "24:00"]]},
    ]
    assert s.week_plan(MONDAY, 0, HOLIDAYS) == []


# -- weekly table and French description ----------------------------------------


def test_weekly_table_and_exceptions():
    s = parse("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off")
    weekly = s.weekly_table()
    assert [day for day, _ in weekly] == list(range(7))
    assert weekly[0] == (0, [(time(9), time(12)), (time(14), time(17))])
    assert weekly[5] == (5, [(time(9), time(12))])
    assert weekly[6] == (6, [])
    assert s.exceptions_fr() == ["Fermé les jours fériés"]


def test_weekly_table_applies_overrides_in_order():
    s = parse("Mo-Fr 09:00-18:00; We 09:00-12:00; Fr off")
    assert table(s) == {
        0: [("09:00", "18:00")],
        1: [("09:00", "18:00")],
        2: [("09:00", "12:00")],
        3: [("09:00", "18:00")],
    }
    assert s.exceptions_fr() == []
    assert table(parse("24/7")) == {i: [("00:00", "24:00")] for i in range(7)}


def test_nth_rule_is_an_exception_not_in_the_table():
    s = parse("Mo 09:00-12:00; We[1,3] 09:00-12:00")
    assert table(s) == {0: [("09:00", "12:00")]}
    assert s.exceptions_fr() == ["Le mercredi : 1er et 3e du mois seulement, de 9\u00a0h à 12\u00a0h"]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("PH off", ["Fermé les jours fériés"]),
        ("PH 10:00-12:00", ["Ouvert les jours fériés de 10 h à 12 h"]),
        ("Dec 24-Jan 02 off", ["Fermé du 24 décembre au 2 janvier"]),
        ("Jul-Aug off", ["Fermé en juillet et août"]),
        ("Aug off", ["Fermé en août"]),
        ("Jul-Sep off", ["Fermé de juillet à septembre"]),
        ("Apr-Oct off", ["Fermé d'avril à octobre"]),
        ("Dec 25 off", ["Fermé le 25 décembre"]),
        ("Aug 01-15 off", ["Fermé du 1er au 15 août"]),
        ("2026 Aug 01-2026 Aug 23 off", ["Fermé du 1er au 23 août 2026"]),
        ("2026 Dec 24-2027 Jan 02 off", ["Fermé du 24 décembre 2026 au 2 janvier 2027"]),
        ("We[1,3] 09:00-12:00", ["Le mercredi : 1er et 3e du mois seulement, de 9 h à 12 h"]),
        ("We[-1] off", ["Le mercredi : fermé le dernier du mois"]),
        ("week 02-52/2 Mo 09:00-12:00", ["Semaines paires : lundi de 9 h à 12 h"]),
        ("week 01-53/2 Mo-Fr off", ["Semaines impaires : du lundi au vendredi fermé"]),
        ("week 10-12 Tu 14:00-16:00", ["Semaines 10 à 12 : mardi de 14 h à 16 h"]),
        (
            "Jul-Aug Sa 09:00-12:00,14:00-16:30",
            ["Ouvert en juillet et août le samedi de 9 h à 12 h et de 14 h à 16 h 30"],
        ),
        ('PH 10:00-12:00 "permanence"', ["Ouvert les jours fériés de 10 h à 12 h (permanence)"]),
        ("Sa,PH off", ["Fermé les jours fériés"]),
        ("Mo-Fr 09:00-17:00", []),
    ],
)
def test_exceptions_fr(text, sentences):
    assert parse(text).exceptions_fr() == [nb_hours(s) for s in sentences]


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        (
            "Lu-Ve 09:00-12:00",
            1,
            "jour inconnu « Lu » : utilisez Mo, Tu, We, Th, Fr, Sa, Su (ici « Mo »)",
        ),
        (
            "Mo-Ve 09:00-12:00",
            4,
            "jour inconnu « Ve » : utilisez Mo, Tu, We, Th, Fr, Sa, Su (ici « Fr »)",
        ),
        ("Mo,Di off", 4, "jour inconnu « Di » : utilisez Mo, Tu, We, Th, Fr, Sa, Su (ici « Su »)"),
        (
            "mo 09:00-12:00",
            1,
            "jour inconnu « mo » : utilisez Mo, Tu, We, Th, Fr, Sa, Su (ici « Mo »)",
        ),
        ("Mo-Fr 9h-12h", 7, "heure invalide « 9h » : écrivez 09:00"),
        ("Mo-Fr 09:00-12h30", 13, "heure invalide « 12h30 » : écrivez 12:30"),
        ("Mo 9:00-12:00", 4, "heure invalide « 9:00 » : écrivez 09:00"),
        ("Mo 25:00-26:00", 4, "heure invalide « 25:00 »"),
        ("Mo 09:60-10:00", 4, "heure invalide « 09:60 »"),
        ("Mo 12:00-24:30", 10, "heure invalide « 24:30 »"),
        ("Mo 24:00-24:00", 4, "heure invalide « 24:00 » en début de plage"),
        (
            "Mo 14:00-12:00",
            10,
            "l'heure de fin (12:00) doit être après l'heure de début (14:00)",
        ),
        (
            "Fr 22:00-02:00",
            10,
            "l'heure de fin (02:00) doit être après l'heure de début (22:00)",
        ),
        ("Mo-Fr 08:30-12:30, Sa 09:00-12:00", 18, "séparez les règles par « ; »"),
        ("Mo-Fr 08:30-12:30 Sa 09:00-12:00", 19, "séparez les règles par « ; »"),
        ("Mo off Tu 09:00-12:00", 8, "séparez les règles par « ; »"),
        ("Mo-Fr 09:00-12:00;", 19, "règle vide : retirez le « ; » en trop"),
        ("Mo;;Tu", 4, "règle vide : retirez le « ; » en trop"),
        ("", 1, "horaires vides"),
        ("   ", 4, "horaires vides"),
        ("Mo 09:00–12:00", 9, "caractère inattendu « – » : utilisez « - » (trait d'union)"),
        ('Mo 09:00-12:00 "sur rendez-vous', 16, 'commentaire non fermé : ajoutez « " » à la fin'),
        ('"sur rendez-vous"', 1, "le commentaire doit suivre les jours ou les horaires"),
        ("Mo-Fr 09:00", 7, "plage horaire incomplète : ajoutez l'heure de fin (ex. 09:00-12:00)"),
        (
            "Mo 09:00-12:00 off",
            16,
            "« off » ne s'utilise pas avec des horaires : écrivez par exemple « Mo off »",
        ),
        ("Feb 30 off", 5, "jour invalide « 30 » en février"),
        (
            "Janv 01 off",
            1,
            "mois inconnu « Janv » : utilisez Jan, Feb, Mar, Apr, May, Jun, Jul, Aug, Sep, "
            "Oct, Nov, Dec (ici « Jan »)",
        ),
        ("We[6] 10:00-11:00", 4, "rang dans le mois attendu, de 1 à 5 (ex. We[1,3])"),
        ("We[1,3 10:00-12:00", 8, "« ] » attendu pour fermer la liste des rangs"),
        ("week 50-02 Mo", 9, "les semaines doivent aller croissant (ex. 02-52)"),
        ("week 50-52/3 Mo", 12, "le pas /3 dépasse la période de semaines 50-52"),
        ("week 54 Mo", 6, "numéro de semaine attendu (01 à 53)"),
        ("2026 Aug 23-2026 Aug 01 off", 1, "la date de fin doit être après la date de début"),
        ("Dec 24-Jan off", 7, "précisez le jour du mois aux deux bouts de la période"),
        ("2026 Mo off", 6, "mois attendu (Jan, Feb … Dec)"),
        ("1999 Jan off", 1, "année invalide « 1999 »"),
        ("2027 Feb 01-Feb 29 off", 1, "le 29 février 2027 n'existe pas"),
        ("week 000000001 Mo", 6, "nombre inattendu « 000000001 »"),
        (
            "Mo-Fr 09:00-12:00 || Sa",
            19,
            "caractère inattendu « | » : la règle de repli « || » n'est pas prise en charge",
        ),
        (
            "sunrise-sunset",
            1,
            "« sunrise » n'est pas pris en charge : indiquez une heure, par exemple 18:00",
        ),
        ("SH off", 1, "« SH » (vacances scolaires) n'est pas pris en charge"),
        ("JF off", 1, "jour férié inconnu « JF » : utilisez PH pour les jours fériés"),
        ("Mo-Fr fermé", 7, "mot inconnu « fermé » : utilisez off pour « fermé »"),
        (
            "Mo 10:00-12:00+",
            15,
            "caractère inattendu « + » : "
            "les horaires ouverts (« + ») et décalages ne sont pas pris en charge",
        ),
        (
            "Mo 09:00-12:00; Mo Jul off",
            20,
            "« Jul » mal placé : l'ordre est année, mois, semaines, jours, heures",
        ),
    ],
)
def test_errors(text, column, message):
    with pytest.raises(OpeningHoursError) as caught:
        parse(text)
    assert caught.value.message == message
    assert caught.value.column == column
    assert str(caught.value) == f"colonne {column} : {message}"


def test_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse("Lu 09:00-12:00")


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet='MoTuWeFrSaPHJanDecweek0123456789:-,;[]/ "hLu–+', max_size=40))
def test_garbage_only_raises_opening_hours_error(text):
    try:
        schedule = parse(text)
    except OpeningHoursError as error:
        assert 1 <= error.column <= len(text) + 1
        assert error.message
    else:
        schedule.intervals_on(MONDAY, HOLIDAYS)


# -- agreement with the reference implementation -----------------------------------
#
# ``opening_hours`` (PyPI opening-hours-py, Rust) is driven with country="FR": its
# French calendar has the same 11 public holidays as ``holidays_fr`` (checked below),
# so PH rules are part of the comparison. Feb 29-31 are not generated, and a week step
# longer than its range (e.g. ``week 50-52/3``) is not either: the reference ignores
# such a step, while we reject it.

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def test_reference_holidays_match_ours():
    reference = osm_reference.OpeningHours("PH", country="FR")
    day, found = date(2024, 1, 1), set()
    while day.year < 2029:
        if reference.is_open(datetime.combine(day, time(12))):
            found.add(day)
        day += timedelta(days=1)
    assert found == HOLIDAYS


@st.composite
def time_spans(draw):
    count = draw(st.integers(1, 3))
    marks = sorted(draw(st.sets(st.integers(0, 96), min_size=2 * count, max_size=2 * count)))
    clock = [f"{q * 15 // 60:02d}:{q * 15 % 60:02d}" for q in marks]
    return ",".join(f"{clock[i]}-{clock[i + 1]}" for i in range(0, len(clock), 2))


day_of_month = st.integers(1, 28).map(lambda d: f"{d:02d}")
month = st.sampled_from(MONTHS)


@st.composite
def date_selector(draw):
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(month)
    if kind == 1:
        return f"{draw(month)}-{draw(month)}"
    if kind == 2:
        return f"{draw(month)} {draw(day_of_month)}"
    if kind == 3:
        return f"{draw(month)} {draw(day_of_month)}-{draw(month)} {draw(day_of_month)}"
    year = draw(st.integers(2025, 2026))
    return f"{year} {draw(month)} {draw(day_of_month)}-{year + 1} {draw(month)} {draw(day_of_month)}"


@st.composite
def week_selector(draw):
    start = draw(st.integers(1, 52))
    end = draw(st.integers(start, 53))
    text = f"week {start:02d}-{end:02d}"
    if end > start and draw(st.booleans()):
        text += f"/{draw(st.integers(1, min(3, end - start)))}"
    return text


@st.composite
def weekday_item(draw):
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.sampled_from(DAYS))
    if kind == 1:
        return f"{draw(st.sampled_from(DAYS))}-{draw(st.sampled_from(DAYS))}"
    if kind == 2:
        ranks = draw(st.lists(st.sampled_from([1, 2, 3, 4, 5, -1, -2]), min_size=1, max_size=2))
        return f"{draw(st.sampled_from(DAYS))}[{','.join(map(str, ranks))}]"
    return "PH"


@st.composite
def rule(draw):
    parts = []
    if draw(st.integers(0, 9)) < 3:
        parts.append(draw(date_selector()))
    if draw(st.integers(0, 9)) < 2:
        parts.append(draw(week_selector()))
    if draw(st.integers(0, 9)) < 7 or not parts:
        parts.append(",".join(draw(st.lists(weekday_item(), min_size=1, max_size=2))))
    parts.append(draw(st.sampled_from(["spans", "spans", "spans", "off", ""])))
    if parts[-1] == "spans":
        parts[-1] = draw(time_spans())
    if draw(st.integers(0, 9)) == 0:
        parts.append('"commentaire"')
    return " ".join(p for p in parts if p)


expressions = st.one_of(
    st.lists(rule(), min_size=1, max_size=4).map("; ".join),
    st.sampled_from(["24/7", "off", "24/7; PH off", "24/7; Dec 24-Jan 02 off"]),
)
moments = st.lists(
    st.integers(0, 3 * 365 * 96 - 1).map(lambda q: datetime(2025, 1, 1) + timedelta(minutes=15 * q)),
    min_size=40,
    max_size=40,
)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, moments)
def test_is_open_agrees_with_reference(expression, when):
    ours = parse(expression)
    reference = osm_reference.OpeningHours(expression, country="FR")
    for moment in when:
        assert ours.is_open(moment, HOLIDAYS) == reference.is_open(moment), (expression, moment)


@pytest.mark.parametrize(
    "expression",
    [
        "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off",
        "We[1,3] 09:00-12:00",
        "Mo-Fr 09:00-12:00; Dec 24-Jan 02 off",
        "24/7; 2026 Aug 01-2026 Aug 23 off",
        'Mo 14:00-17:00 "sur rendez-vous"',
        "week 02-52/2 Mo 09:00-12:00",
        "Mo-Fr 09:00-18:00; We 09:00-12:00; PH 10:00-12:00",
    ],
)
def test_examples_agree_with_reference_every_quarter_hour(expression):
    ours = parse(expression)
    reference = osm_reference.OpeningHours(expression, country="FR")
    moment = datetime(2026, 1, 1)
    while moment < datetime(2027, 1, 1):
        assert ours.is_open(moment, HOLIDAYS) == reference.is_open(moment), moment
        moment += timedelta(minutes=15 * 7 + 1)  # drifts through every quarter-hour
