"""French text helpers, the only ones of the project: lists, capitals, numbers, units, dates, times.

Nothing here uses ``locale`` or ``strftime`` names: the build runs on CI machines whose
locale is usually C or en_US.

Typography: a number and its unit never part at the end of a line. The space between
them is U+00A0 NO-BREAK SPACE (``NBSP``): « 14 h », « 9 h 30 », « 15 € », « 3,5 km »,
« 92,54 % ». A range of hours is one unbreakable unit: no-break spaces on both sides of
the en dash too, « 9 h – 12 h »; the ranges of a day are joined with ordinary spaces
(« 9 h – 12 h et 14 h – 17 h ») so that a long line still wraps between them. Templates
need no ``nowrap`` span for these values.

Thousands are grouped with the same U+00A0 (« 1 234 », « 25 000 lieux »), not with the
narrow U+202F that CLDR prefers: U+00A0 is in every font (it is Latin-1), while U+202F is
missing from some older fonts, where browsers and WeasyPrint (the PDF brochures) fall back
to another font; and one invisible character for every no-break space of this module is
one less confusion in tests and data.

Machine-readable outputs (CSV, JSON, iCalendar, opening_hours syntax, search filter
values, HTML attributes that programs read such as ``datetime=`` or ``data-plan``) keep
plain data: they store numbers and ISO times, not these strings, and a French text that
does go into one passes through :func:`plain` first.
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "NBSP",
    "a_place",
    "capitalize_first",
    "count_fr",
    "de_place",
    "format_date",
    "format_date_short",
    "format_distance_km",
    "format_duration_hours",
    "format_euros",
    "format_km_tenths",
    "format_number",
    "format_percent",
    "format_phone",
    "format_range",
    "format_ranges",
    "format_share",
    "format_time",
    "join_fr",
    "month_name",
    "phone_to_e164",
    "plain",
    "slugify",
    "weekday_name",
]

NBSP = "\u00a0"
# The no-break spaces a French text may hold, for plain().
_NO_BREAK_SPACES = str.maketrans({NBSP: " ", "\u202f": " "})

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def weekday_name(i: int) -> str:
    """Name of weekday ``i`` (0 = lundi … 6 = dimanche), as ``date.weekday()`` counts."""
    if not 0 <= i <= 6:
        raise ValueError(f"weekday must be 0..6, got {i}")
    return WEEKDAYS[i]


def month_name(m: int) -> str:
    """Name of month ``m`` (1 = janvier … 12 = décembre)."""
    if not 1 <= m <= 12:
        raise ValueError(f"month must be 1..12, got {m}")
    return MONTHS[m - 1]


def day_of_month(day: int) -> str:
    """``1er`` for the first day of a month, the plain number otherwise."""
    return "1er" if day == 1 else str(day)


def format_date_short(d: date) -> str:
    """``3 mars 2026``, ``1er mars 2026``."""
    return f"{day_of_month(d.day)} {month_name(d.month)} {d.year}"


def format_date(d: date) -> str:
    """``mardi 3 mars 2026``, ``dimanche 1er mars 2026``."""
    return f"{weekday_name(d.weekday())} {format_date_short(d)}"


def join_fr(items: Iterable[str]) -> str:
    """``a``, ``a et b``, ``a, b et c`` (no serial comma); ``""`` for no item."""
    parts = list(items)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def capitalize_first(text: str) -> str:
    """First letter in capital, the rest untouched: ``à Lodève`` → ``À Lodève``, ``le CCAS`` → ``Le CCAS``.

    Unlike ``str.capitalize`` (and Jinja's ``capitalize``), which lowers the rest.
    """
    return text[:1].upper() + text[1:]


def plain(text: str) -> str:
    """``text`` with its no-break spaces as ordinary spaces, for machine-readable outputs."""
    return text.translate(_NO_BREAK_SPACES)


def _hours_minutes(hours: int, minutes: int) -> str:
    return f"{hours}{NBSP}h" if minutes == 0 else f"{hours}{NBSP}h{NBSP}{minutes:02d}"


def format_time(t: time) -> str:
    """``9 h``, ``12 h 30``, ``0 h``; ``time.max`` means the end of the day: ``24 h`` (no-break spaces)."""
    if t == time.max:
        return _hours_minutes(24, 0)
    return _hours_minutes(t.hour, t.minute)


def format_range(start: time, end: time) -> str:
    """``9 h – 12 h 30``: en dash, no-break spaces everywhere, one unbreakable unit."""
    return f"{format_time(start)}{NBSP}–{NBSP}{format_time(end)}"


def format_ranges(ranges: Iterable[tuple[time, time]]) -> str:
    """``9 h – 12 h et 14 h – 17 h``; empty string for no range."""
    return join_fr(format_range(start, end) for start, end in ranges)


def format_phone(e164: str) -> str:
    """Display form of an E.164 number: ``+33467162442`` → ``04 67 16 24 42``.

    Other country codes are returned unchanged (their grouping rules vary),
    as is anything that is not a well-formed French E.164 number.
    """
    if re.fullmatch(r"\+33[1-9]\d{8}", e164):
        national = "0" + e164[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return e164


def phone_to_e164(text: str) -> str | None:
    """Normalise a human-written phone number to E.164, or ``None`` if it cannot.

    Accepts French forms (``04 67 16 24 42``, ``04.67.16.24.42``, ``0467162442``,
    ``+33 4 67 16 24 42``, ``+33 (0)4 67 …``, ``0033 4 …``) and other
    international numbers written with a leading ``+``. Short numbers (3949…)
    and anything with letters give ``None``.
    """
    compact = re.sub(r"[\s.\-/\u00a0\u202f]", "", text.strip())
    trunk_zero = "(0)" in compact
    compact = compact.replace("(0)", "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"\+33[1-9]\d{8}", compact):
        return compact
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        return "+33" + compact[1:]
    if trunk_zero and re.fullmatch(r"[1-9]\d{8}", compact):
        return "+33" + compact
    if re.fullmatch(r"\+(?!33)[1-9]\d{6,14}", compact):
        return compact
    return None


# NFKD does not decompose these ligatures and letters into ASCII.
_LIGATURES = str.maketrans({"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss"})


def slugify(text: str) -> str:
    """URL-safe ASCII slug: ``Saint-Guilhem-le-Désert`` → ``saint-guilhem-le-desert``.

    Returns ``""`` when nothing usable is left (callers must handle it). The one slug rule
    of the project: commune and territory URLs, record ids made by the importers, sort keys.

    Not ``pelican.utils.slugify``, because these slugs are published URLs and record ids and
    must not change: with Pelican's default ``SLUG_REGEX_SUBSTITUTIONS`` it removes
    apostrophes instead of separating words (12 of the 341 communes and 2 of the 17 EPCI
    would move, ``clermont-l-herault`` → ``clermont-lherault``); with substitutions made to
    imitate this rule it agrees on today's data, but its transliteration (unidecode) and HTML
    tag stripping still give other ids to names the importers may meet (« n°2 » →
    ``ndeg2``, « <b>…</b> » removed).
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    # Drop only the accents: other non-ASCII signs (’, °, emoji) separate words.
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")


def format_number(x: float | Decimal) -> str:
    """``1 234``, ``3,5``, ``-0,25``: decimal comma, thousands grouped with no-break spaces.

    The digits are those of ``x`` (``str(x)``): round it first if needed.
    """
    value = Decimal(str(x))
    sign = "-" if value < 0 else ""
    integer, _, fraction = f"{abs(value):f}".partition(".")
    groups = []
    while len(integer) > 3:
        integer, groups = integer[:-3], [integer[-3:], *groups]
    grouped = NBSP.join([integer, *groups])
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def count_fr(n: int, singular: str, plural: str) -> str:
    """« 0 fiche ajoutée », « 1 fiche », « 2 fiches », « 1 234 fiches »: in French 0 and 1 take the singular."""
    return f"{format_number(n)} {singular if n < 2 else plural}"


def format_share(share: float, decimals: int = 1) -> str:
    """A share (0 to 1) as a percentage, rounded half up: ``0.93154`` → ``93,2 %``, ``1`` → ``100 %``."""
    step = Decimal(1).scaleb(-decimals)
    value = (Decimal(str(share)) * 100).quantize(step, rounding=ROUND_HALF_UP)
    return format_percent(value)


def format_percent(x: float | Decimal) -> str:
    """``92,54 %``, ``100 %``: the digits of ``x`` (``,00`` dropped), no-break space before ``%``."""
    value = Decimal(str(x))
    if value == value.to_integral_value():
        value = value.quantize(Decimal("1"))
    return f"{format_number(value)}{NBSP}%"


def format_distance_km(x: float) -> str:
    """``2,4 km``: one decimal under 10 km (``,0`` dropped), whole kilometres above (no-break space)."""
    if x < 0:
        raise ValueError(f"distance must not be negative, got {x}")
    value = Decimal(str(x))
    step = Decimal("0.1") if value < Decimal("9.95") else Decimal("1")
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal("1"))
    return f"{format_number(rounded)}{NBSP}km"


def format_km_tenths(x: float) -> str:
    """``15,3 km``: always to the tenth (``15 km`` from format_distance_km would hide that
    15.3 is beyond a 15 km threshold), ``,0`` dropped."""
    rounded = Decimal(str(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal("1"))
    return f"{format_number(rounded)}{NBSP}km"


def format_euros(x: float | Decimal) -> str:
    """``15 €``, ``7,50 €``, ``1 200 €``: cents shown only when there are some (no-break spaces)."""
    value = Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        value = value.quantize(Decimal("1"))
    return f"{format_number(value)}{NBSP}€"


def format_duration_hours(x: float) -> str:
    """A duration given in hours: ``7 h``, ``10 h 30``, ``1 h 15`` (minutes rounded)."""
    if x < 0:
        raise ValueError(f"duration must not be negative, got {x}")
    minutes = int((Decimal(str(x)) * 60).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return _hours_minutes(*divmod(minutes, 60))


_ARTICLES = (("Les ", "aux ", "des "), ("Le ", "au ", "du "))
_VOWELS = "AEIOUYÂÉÈÊÎÏÔÛaeiouyâéèêîïôû"


def a_place(name: str) -> str:
    """« à » before a commune's name, contracted: ``à Lodève``, ``au Caylar``, ``aux Matelles``."""
    for article, contracted, _ in _ARTICLES:
        if name.startswith(article):
            return contracted + name[len(article) :]
    return f"à {name}"


def de_place(name: str) -> str:
    """« de » before a commune's name, contracted: ``de Lodève``, ``d'Agde``, ``du Caylar``, ``des Matelles``."""
    for article, _, contracted in _ARTICLES:
        if name.startswith(article):
            return contracted + name[len(article) :]
    if name[:1] in _VOWELS:
        return f"d'{name}"
    return f"de {name}"
