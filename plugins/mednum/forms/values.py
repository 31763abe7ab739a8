"""Answers as people write them → values of the data, or a French sentence saying what to write.

Each function takes the text of one answer and returns the value for the record, or raises
``Invalid`` whose message says what is wrong and what to write instead (the form's label is
added by the caller). Accepted forms:

* weekday lines (``Lundi : 9 h – 12 h, 14 h – 17 h``, ``mardi: 9h-12h / 14h-17h``,
  ``Mercredi : 9:00-12:00 et 14:00-17:00``, ``Jeudi : fermé``, ``du lundi au vendredi : 9h à
  midi``, ``Vendredi : 14h-17h sur rendez-vous``, ``Jours fériés : fermé``) → OSM
  ``opening_hours`` (``Mo-Fr 09:00-12:00; Fr 14:00-17:00 "sur rendez-vous"; PH off``),
  checked with ``mednum.opening_hours``;
* phone numbers as the French write them → ``+33…`` (``french.phone_to_e164``);
* a commune's name, its postal code, both, or its INSEE code → the commune of the reference
  data; a name shared by several communes asks for the postal code, a postal code shared
  by several communes asks for the name;
* a position as two numbers (``43.6275, 3.4312``, ``43,6275 3,4312``) or the address of a
  map page (OpenStreetMap ``#map=…/lat/lon`` or ``mlat=…&mlon=…``, ``@lat,lon`` of other
  map sites, ``geo:lat,lon``);
* session lines (``12/01/2027 : 14 h – 16 h``, ``mardi 12 janvier 2027, 14h-16h``,
  ``2027-01-12 14:00-16:00``; a weekday that does not match the date is refused) and
  periods (``du 07/01/2027 au 30/06/2027``).

Free text is refused when it holds HTML tags, control characters, YAML markers (``!!``,
a leading ``!``, ``&``, ``*``…) or, for a one-line field, several lines: none of them has a
place in a record, and refusing them keeps a hostile text from reaching the data at all.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from itertools import pairwise
from urllib.parse import unquote, urlsplit

from ..french import MONTHS, format_date_short, format_number, join_fr, phone_to_e164, plain
from ..geo import haversine_km
from ..opening_hours import OpeningHoursError
from ..opening_hours import parse as parse_hours
from ..reference import Commune, Reference
from ..schema import suggest

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
NEAR_COMMUNE_MARGIN_KM = 2.0  # as mednum.checks

_PHONE = re.compile(r"(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
# C0 and C1 controls (U+0085, NEL, is a line break for YAML), line and paragraph separators,
# non-characters: none has a place in a record.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_YAML_START = "!&*%@`|>{}[]"


class Invalid(ValueError):
    """An answer that cannot become a value; ``str()`` is French: what is wrong, what to write."""


def quoted(text: str, limit: int = 60) -> str:
    """``« text »`` on one line, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"« {text} »"


# --- text ---------------------------------------------------------------------------------


def text(value: str, max_chars: int, multiline: bool = False) -> str:
    """Free text, checked: one line unless ``multiline``, no HTML, no control character."""
    value = value.strip()
    if len(value) > max_chars:
        raise Invalid(
            f"texte trop long : {format_number(len(value))} caractères pour {format_number(max_chars)} au plus."
            " Raccourcissez-le"
        )
    if not multiline:
        if "\n" in value:
            raise Invalid("une seule ligne attendue : écrivez la réponse sur une ligne")
        value = re.sub(r"\s+", " ", value)
    else:
        value = "\n".join(line.rstrip() for line in value.split("\n"))
        value = re.sub(r"\n{3,}", "\n\n", value)
    if _CONTROL.search(value):
        raise Invalid(
            "le texte contient des caractères invisibles : écrivez-le à nouveau, sans copier-coller"
        )
    tag = _HTML_TAG.search(value)
    if tag:
        raise Invalid(
            f"le HTML n'est pas accepté ({quoted(tag.group(0), 30)}) : écrivez du texte simple, sans « < »"
        )
    if "!!" in value:
        raise Invalid("« !! » n'est pas accepté : écrivez du texte simple")
    if value[:1] in _YAML_START:
        raise Invalid(f"le texte ne peut pas commencer par « {value[0]} » : retirez ce signe")
    return value


# --- phone, e-mail, web -------------------------------------------------------------------


def phone(value: str) -> str:
    number = phone_to_e164(value.strip())
    if number is None or not _PHONE.fullmatch(number):
        digits = re.sub(r"\D", "", value)
        if len(digits) > 12:
            raise Invalid(
                f"{quoted(value)} : un seul numéro attendu, par exemple « 04 67 00 00 00 »"
                " (les autres numéros peuvent aller dans la présentation)"
            )
        raise Invalid(
            f"{quoted(value)} n'est pas un numéro de téléphone complet : écrivez ses 10 chiffres,"
            " par exemple « 04 67 00 00 00 »"
        )
    return number


def emails(value: str) -> list[str]:
    found = []
    for part in re.split(r"[\s,;]+", value.strip()):
        if not part:
            continue
        part = part.removeprefix("mailto:")
        if not _EMAIL.fullmatch(part) or _HTML_TAG.search(part) or "<" in part or ">" in part:
            raise Invalid(
                f"{quoted(part)} n'est pas une adresse e-mail : écrivez-la comme « contact@exemple.fr »"
            )
        if part not in found:
            found.append(part)
    return found


def web_address(value: str) -> str:
    url = value.strip()
    if re.match(r"(?i)www\.|[a-z0-9-]+(\.[a-z0-9-]+)+(/|$)", url) and "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "." not in parts.hostname
        or re.search(r"[\s<>\"]", url)
    ):
        raise Invalid(
            f"{quoted(value)} n'est pas une adresse web : écrivez-la en entier, « https://www.exemple.fr/… »"
        )
    return url


def web_addresses(value: str) -> list[str]:
    found = []
    for part in re.split(r"[\s,;]+", value.strip()):
        if part and (url := web_address(part)) not in found:
            found.append(url)
    return found


# --- opening hours ------------------------------------------------------------------------


def _fold_char(char: str) -> str:
    if char in "‐‑‒–—−":
        return "-"
    char = plain(char).replace("’", "'")
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).casefold()
    return bare[:1] or char


def fold(value: str) -> str:
    """Lower case without accents, dashes as ``-``, no-break spaces as spaces; one character for
    one character of ``value`` (NFC), so that a piece of it can be shown as it was written."""
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFC", value))


def _as_written(message: str, folded: str, line: str) -> str:
    """``message`` with each « piece » of ``folded`` shown as written in ``line``."""
    line = unicodedata.normalize("NFC", line)

    def original(match: re.Match) -> str:
        start = folded.find(match.group(1))
        return f"« {line[start : start + len(match.group(1))]} »" if start >= 0 else match.group(0)

    return re.sub(r"« (.+?) »", original, message)


_DAY_WORDS = {name: i for i, name in enumerate(DAY_NAMES)} | {name[:3]: i for i, name in enumerate(DAY_NAMES)}
_DAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim)\b\.?"
_DAY_ITEM = rf"(?:du\s+)?{_DAY}(?:\s*(?:-|au|a|jusqu'au)\s*{_DAY})?"
_DAYS = rf"(?:tous\s+les\s+jours|{_DAY_ITEM}(?:\s*(?:,|/|et)\s*{_DAY_ITEM})*)"
_HOLIDAYS = r"(?:les\s+)?(?:jours?\s+)?feries?"
_DAY_LINE = re.compile(rf"\s*(?P<days>{_DAYS}|{_HOLIDAYS})\s*(?::|-|=)?\s*(?P<rest>.*)")
_CLOSED = {"", "ferme", "fermee", "fermes", "fermees", "-", "x", "/", "non", "aucun", "closed"}
_TIME = (
    r"(?:(?P<h{n}>\d{{1,2}})\s*(?:h|:)\s*(?P<m{n}>\d{{2}})?|(?P<b{n}>\d{{1,2}})(?![\d:h])|(?P<noon{n}>midi))"
)
_RANGE = re.compile(rf"(?:de\s+)?{_TIME.format(n=1)}\s*(?:-|a|au|jusqu'a)\s*{_TIME.format(n=2)}(?:\s*h\b)?")
_APPOINTMENT = re.compile(r"\(?\s*(?:uniquement\s+|seulement\s+)?sur\s+(?:rendez[\s-]*vous|rdv)\s*\)?")
_FILLER = re.compile(r"(?:[\s,;/+&]|\bet\b|\bpuis\b)*")
HOURS_HELP = "écrivez par exemple « Lundi : 9 h – 12 h, 14 h – 17 h », ou « Lundi : fermé »"


def _minutes(match: re.Match, n: int) -> int:
    if match.group(f"noon{n}"):
        return 12 * 60
    hours = int(match.group(f"h{n}") or match.group(f"b{n}"))
    minutes = int(match.group(f"m{n}") or 0)
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise Invalid(f"heure impossible ({hours} h {minutes:02d})")
    return hours * 60 + minutes


def time_spans(rest: str) -> tuple[list[tuple[int, int]], bool]:
    """``9h-12h, 14h-17h sur rendez-vous`` (folded) → ([(540, 720), (840, 1020)], True).

    The opening hours of the catalogue say « sur rendez-vous » of a whole day (a later rule for
    the same day replaces an earlier one): the words go before the first hours or after the
    last; written after some hours only (``9h-12h sur rendez-vous, 14h-17h``), they are refused."""
    markers = list(_APPOINTMENT.finditer(rest))
    appointment = bool(markers)
    # Blanks of the same length: the positions of the hours stay those of ``rest``.
    rest = _APPOINTMENT.sub(lambda m: " " * len(m.group(0)), rest)
    if rest.strip() in _CLOSED:
        return [], appointment
    spans, leftover, last, places = [], [], 0, []
    for match in _RANGE.finditer(rest):
        leftover.append(rest[last : match.start()])
        last = match.end()
        start, end = _minutes(match, 1), _minutes(match, 2)
        if end <= start:
            raise Invalid(f"« {match.group(0).strip()} » finit avant de commencer")
        spans.append((start, end))
        places.append((match.start(), match.start() + len(match.group(0).rstrip())))
    leftover.append(rest[last:])
    rest = rest.strip()
    if not spans and re.search(r"\d", rest):
        raise Invalid(f"« {rest} » : indiquez l'heure de début et l'heure de fin")
    for piece in leftover:
        if not _FILLER.fullmatch(piece):
            raise Invalid(f"« {piece.strip(' ,;/')} » n'est pas compris")
    # Before the first hours or after the last: the whole day.
    whole_day = (
        any(m.start() < places[0][0] or m.start() >= places[-1][1] for m in markers) if spans else True
    )
    if markers and not whole_day:
        raise Invalid(
            f"« {markers[0].group(0).strip(' ()')} » ne peut pas valoir pour une partie des heures"
            " seulement : écrivez-le en fin de ligne s'il vaut pour toute la journée (« Lundi : 9 h – 12 h,"
            " 14 h – 17 h sur rendez-vous »), sinon dites-le dans la présentation"
        )
    spans.sort()
    for (_, end), (start, _) in pairwise(spans):
        if start < end:
            raise Invalid("deux plages horaires se chevauchent")
    return spans, appointment


def _days_of(part: str) -> list[int]:
    if part.startswith("tous"):
        return list(range(7))
    days: list[int] = []
    for item in re.split(r"\s*(?:,|/|\bet\b)\s*", part):
        names = re.findall(r"[a-z]+", re.sub(r"^du\s+", "", item))
        names = [n for n in names if n not in ("au", "a", "jusqu")]
        first, last = _DAY_WORDS[names[0]], _DAY_WORDS[names[-1]]
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        days.extend(d for d in span if d not in days)
    return days


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span_text(span: tuple[int, int]) -> str:
    return "-".join(map(_hhmm, span))


def _days_text(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{OSM_DAYS[run[0]]}-{OSM_DAYS[run[-1]]}")
        else:
            parts.extend(OSM_DAYS[d] for d in run)
    return ",".join(parts)


def weekly_hours(value: str, holidays: bool = True) -> str | None:
    """Weekday lines → opening_hours; None when no day has hours. Raises ``Invalid`` listing every bad line."""
    week: dict[int, tuple[tuple[tuple[int, int], ...], bool]] = {}
    holiday: tuple[list[tuple[int, int]], bool] | None = None
    problems = []
    for line in value.split("\n"):
        if not line.strip():
            continue
        folded = fold(line)
        match = _DAY_LINE.fullmatch(folded)
        if match is None:
            problems.append(f"ligne {quoted(line)} : commencez la ligne par le jour ({HOURS_HELP})")
            continue
        try:
            spans, appointment = time_spans(match.group("rest").strip())
        except Invalid as error:
            problems.append(f"ligne {quoted(line)} : {_as_written(str(error), folded, line)} ; {HOURS_HELP}")
            continue
        if re.fullmatch(_HOLIDAYS, match.group("days")):
            if not holidays:
                problems.append(f"ligne {quoted(line)} : les jours fériés ne se précisent pas ici")
            holiday = (spans, appointment)
            continue
        for day in _days_of(match.group("days")):
            if day in week and week[day] != (tuple(spans), appointment):
                problems.append(
                    f"ligne {quoted(line)} : le {DAY_NAMES[day]} est déjà indiqué plus haut ; écrivez une seule"
                    " ligne par jour, avec toutes ses heures : « Lundi : 9 h – 12 h, 14 h – 17 h »"
                )
            week[day] = (tuple(spans), appointment)
    if problems:
        raise Invalid("\n".join(problems))
    groups: dict[tuple, list[int]] = {}
    for day in sorted(week):
        if week[day][0]:
            groups.setdefault(week[day], []).append(day)
    if not groups:
        return None
    rules = []
    for (spans, appointment), days in sorted(groups.items(), key=lambda g: g[1][0]):
        rule = f"{_days_text(days)} {','.join(map(_span_text, spans))}"
        rules.append(rule + (' "sur rendez-vous"' if appointment else ""))
    if holiday is not None:
        spans, appointment = holiday
        rule = f"PH {','.join(map(_span_text, spans))}" if spans else "PH off"
        rules.append(rule + (' "sur rendez-vous"' if appointment and spans else ""))
    result = "; ".join(rules)
    try:
        parse_hours(result)
    except OpeningHoursError as error:  # pragma: no cover - what is built above always parses
        raise Invalid(f"horaires impossibles à écrire ({error.message}) ; {HOURS_HELP}") from None
    return result


# --- commune and position -----------------------------------------------------------------


def commune(value: str, reference: Reference) -> tuple[Commune, str | None]:
    """(commune, postal code given or the commune's only one, else None)."""
    written = " ".join(plain(value).split())
    codes = re.findall(r"\b\d[\dAB]\d{3}\b", written)
    name = re.sub(r"\b\d[\dAB]\d{3}\b", " ", written).strip(" ,;-()\t")
    name = " ".join(name.split())
    department = reference.department.in_
    if len(codes) > 1:
        raise Invalid(f"{quoted(value)} : un seul code postal attendu, par exemple « 34700 Lodève »")
    code = codes[0] if codes else None
    if name:
        matches = reference.communes_named(name)
        if not matches:
            hint = suggest(name, [c.nom for c in reference.communes.values()])
            more = f" : vouliez-vous dire « {hint} » ?" if hint else " : vérifiez l'orthographe"
            raise Invalid(f"commune « {name} » inconnue {department}{more}")
        if code:
            matches = [c for c in matches if code in c.codes_postaux or code == c.code_insee]
            if not matches:
                found = reference.communes_named(name)[0]
                raise Invalid(
                    f"le code postal {code} n'est pas celui de {found.nom} : écrivez"
                    f" « {found.codes_postaux[0]} {found.nom} »"
                    + (f" (ou {', '.join(found.codes_postaux[1:])})" if len(found.codes_postaux) > 1 else "")
                )
        if len(matches) > 1:
            postal = sorted({p for c in matches for p in c.codes_postaux})
            raise Invalid(
                f"plusieurs communes s'appellent « {matches[0].nom} » {department} : ajoutez le code postal,"
                f" par exemple « {postal[0]} {matches[0].nom} » (codes possibles : {', '.join(postal)})"
            )
        found = matches[0]
    elif code:
        by_postal = [c for c in reference.communes.values() if code in c.codes_postaux]
        if not by_postal and (by_code := reference.commune(code)) is not None:
            return by_code, by_code.codes_postaux[0] if len(by_code.codes_postaux) == 1 else None
        if not by_postal:
            raise Invalid(
                f"aucune commune {department} n'a le code postal {code} : vérifiez-le, ou écrivez le nom"
            )
        if len(by_postal) > 1:
            names = sorted(c.nom for c in by_postal)
            names = (
                join_fr(names) if len(names) <= 6 else f"{', '.join(names[:5])} et {len(names) - 5} autres"
            )
            raise Invalid(
                f"le code postal {code} est celui de {len(by_postal)} communes ({names}) :"
                f" écrivez aussi le nom, par exemple « {code} {by_postal[0].nom} »"
            )
        found = by_postal[0]
    else:
        raise Invalid("écrivez le nom de la commune ou son code postal, par exemple « 34700 Lodève »")
    if code and code in found.codes_postaux:
        return found, code
    return found, found.codes_postaux[0] if len(found.codes_postaux) == 1 else None


_NUMBER = r"-?\d{1,3}(?:[.,]\d+)?"
_PAIR = re.compile(rf"\s*(?P<lat>{_NUMBER})\s*[,; ]\s*(?P<lon>{_NUMBER})\s*")
_MAP_URLS = (
    re.compile(r"#map=\d+(?:\.\d+)?/(?P<lat>-?\d+\.\d+)/(?P<lon>-?\d+\.\d+)"),
    re.compile(r"[?&]mlat=(?P<lat>-?\d+\.\d+)&mlon=(?P<lon>-?\d+\.\d+)"),
    re.compile(r"@(?P<lat>-?\d+\.\d+),(?P<lon>-?\d+\.\d+)"),
    re.compile(r"^geo:(?P<lat>-?\d+\.\d+),(?P<lon>-?\d+\.\d+)"),
    re.compile(r"[?&](?:q|ll|query)=(?P<lat>-?\d+\.\d+),\s*(?P<lon>-?\d+\.\d+)"),
)
POSITION_HELP = "écrivez la latitude puis la longitude, par exemple « 43.6275, 3.4312 »"


def position(value: str, reference: Reference, place: Commune | None) -> tuple[float, float]:
    """(latitude, longitude) inside the département, and near ``place`` when it is known."""
    written = unquote(value.strip())
    match = _PAIR.fullmatch(written)
    if match is None:
        match = next((m for pattern in _MAP_URLS if (m := pattern.search(written))), None)
    if match is None:
        if "°" in written:
            raise Invalid(f"{quoted(value)} : degrés et minutes ne sont pas acceptés ; {POSITION_HELP}")
        raise Invalid(f"{quoted(value)} n'est pas une position : {POSITION_HELP}")
    lat, lon = (float(match.group(k).replace(",", ".")) for k in ("lat", "lon"))
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise Invalid(f"{quoted(value)} n'est pas une position : {POSITION_HELP}")
    lat, lon = round(lat, 6), round(lon, 6)
    outside = reference.department.of
    if not reference.contains(lat, lon):
        if reference.contains(lon, lat):
            raise Invalid(f"latitude et longitude inversées ? Écrivez « {lon}, {lat} »")
        raise Invalid(f"ce point est hors {outside} : vérifiez les deux nombres ; {POSITION_HELP}")
    if place is not None:
        distance = haversine_km(lat, lon, place.latitude, place.longitude)
        if distance > place.rayon_km + NEAR_COMMUNE_MARGIN_KM:
            raise Invalid(
                f"ce point est à {format_number(round(distance))} km du centre de {place.nom} :"
                " vérifiez la position ou la commune"
            )
    return lat, lon


# --- identifiers, numbers -----------------------------------------------------------------


def record_id(value: str, kind_path: str = "lieux") -> str:
    """An identifier, or the address of its page (``…/lieux/<id>/``)."""
    written = value.strip()
    page = re.search(rf"/{kind_path}/([^/?#\s]+)", written)
    ident = unquote(page.group(1) if page else written).strip().strip("/").lower()
    if not _ID.fullmatch(ident) or len(ident) > 80:
        raise Invalid(
            f"{quoted(value)} n'est pas un identifiant de fiche : collez l'adresse de la page"
            f" (…/{kind_path}/identifiant/) ou l'identifiant seul"
        )
    return ident


def whole_number(value: str, lowest: int, highest: int) -> int:
    written = value.strip()
    if not re.fullmatch(r"\d{1,6}", written) or not lowest <= int(written) <= highest:
        raise Invalid(
            f"{quoted(value)} : écrivez un nombre entier entre {lowest} et {format_number(highest)}"
        )
    return int(written)


def euros(value: str) -> float | int:
    written = fold(value).replace("€", " ").replace("euros", " ").replace("euro", " ").strip()
    if not re.fullmatch(r"\d{1,5}(?:[.,]\d{1,2})?", written):
        raise Invalid(f"{quoted(value)} : écrivez le prix en euros, par exemple « 5 » ou « 7,50 »")
    amount = float(written.replace(",", "."))
    return int(amount) if amount.is_integer() else amount


# --- dates and sessions -------------------------------------------------------------------

_MONTH_WORDS = {fold(name): i for i, name in enumerate(MONTHS, start=1)} | {
    "janv": 1,
    "fev": 2,
    "fevr": 2,
    "avr": 4,
    "juil": 7,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
_DATE = re.compile(
    rf"(?:(?P<wd>{_DAY})\s*,?\s*)?"
    r"(?:(?P<d1>\d{1,2})/(?P<m1>\d{1,2})(?:/(?P<y1>\d{4}|\d{2}))?"
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    rf"|(?P<d3>\d{{1,2}})(?:er)?\s+(?P<m3>{_MONTH})\.?(?:\s+(?P<y3>\d{{4}}))?)"
)
SESSION_HELP = "écrivez par exemple « 12/01/2027 : 14 h – 16 h »"
MAX_YEARS_AHEAD = 2


def years_later(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _year_of(match: re.Match) -> str | None:
    return match.group("y1") or match.group("y2") or match.group("y3")


def _date_of(
    match: re.Match,
    today: dt.date,
    past_ok: bool = False,
    after: dt.date | None = None,
    before: dt.date | None = None,
) -> dt.date:
    """The date of ``match``. Without a year: the latest such day on or before ``before`` when it
    is given, else the next such day from today (or from ``after``, when it is later)."""
    day = int(match.group("d1") or match.group("d2") or match.group("d3"))
    month_text = match.group("m1") or match.group("m2")
    month = int(month_text) if month_text else _MONTH_WORDS[match.group("m3")]
    year_text = _year_of(match)
    written = match.group(0).strip()
    if year_text:
        years = [int(year_text) + (2000 if len(year_text) == 2 else 0)]
    elif before is not None:
        years = [before.year, before.year - 1]  # within the year before
    else:
        start = max(today, after or today)
        years = list(range(start.year, start.year + 5))  # the next 29 February: 4 years at most
    found = None
    for year in years:
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # 29 February of a common year, 31 April…
            continue
        if year_text or (candidate <= before if before is not None else candidate >= start):
            found = candidate
            break
    if found is None:
        if not year_text and (month, day) == (2, 29):
            raise Invalid(f"« {written} » : précisez l'année, par exemple « 29/02/2028 »")
        raise Invalid(f"« {written} » n'est pas une date qui existe")
    weekday = match.group("wd")
    if weekday:
        said = _DAY_WORDS[weekday.rstrip(".")]
        if said != found.weekday():
            raise Invalid(
                f"le {format_date_short(found)} est un {DAY_NAMES[found.weekday()]}, pas un {DAY_NAMES[said]} :"
                " vérifiez la date"
            )
    if found < today and not past_ok:
        raise Invalid(f"la date du {format_date_short(found)} est passée")
    if found > years_later(today, MAX_YEARS_AHEAD):
        raise Invalid(f"la date du {format_date_short(found)} est trop lointaine : vérifiez l'année")
    return found


def sessions(value: str, today: dt.date) -> list[dict]:
    """Session lines → ``[{"date": …, "debut": …, "fin": …}]`` in date order; every bad line reported."""
    found, problems = [], []
    for line in value.split("\n"):
        if not line.strip():
            continue
        folded = fold(line)
        match = _DATE.match(folded, len(folded) - len(folded.lstrip()))
        if match is None:
            problems.append(f"ligne {quoted(line)} : commencez la ligne par la date ; {SESSION_HELP}")
            continue
        try:
            day = _date_of(match, today)
            rest = re.sub(r"^\s*(?:[:,-]|\ba\b|\bde\b)?\s*", "", folded[match.end() :])
            spans, _ = time_spans(rest)
            if len(spans) != 1:
                raise Invalid("une seule plage horaire par ligne (une ligne par séance)")
        except Invalid as error:
            problems.append(
                f"ligne {quoted(line)} : {_as_written(str(error), folded, line)} ; {SESSION_HELP}"
            )
            continue
        start, end = spans[0]
        if end == 24 * 60:
            problems.append(f"ligne {quoted(line)} : une séance finit avant minuit ; {SESSION_HELP}")
            continue
        session = {"date": day.isoformat(), "debut": _hhmm(start), "fin": _hhmm(end)}
        if any(s["date"] == session["date"] and s["debut"] == session["debut"] for s in found):
            problems.append(f"ligne {quoted(line)} : cette séance est déjà écrite plus haut")
            continue
        found.append(session)
    if problems:
        raise Invalid("\n".join(problems))
    return sorted(found, key=lambda s: (s["date"], s["debut"]))


def period(value: str, today: dt.date) -> tuple[dt.date, dt.date]:
    folded = fold(value)
    matches = list(_DATE.finditer(folded))
    if len(matches) != 2:
        raise Invalid(
            f"{quoted(value)} : écrivez le premier et le dernier jour, « du 07/01/2027 au 30/06/2027 »"
        )
    # A weekly workshop may have started already; it must not be over. A day written without its
    # year: the first, the latest such day before the last (« du 7 janvier au 30 juin », written
    # in November: January of next year); the last, the next such day after the first.
    try:
        if _year_of(matches[0]):
            first = _date_of(matches[0], today, past_ok=True)
            last = _date_of(matches[1], today, after=first)
        else:
            last = _date_of(matches[1], today)
            first = _date_of(matches[0], today, past_ok=True, before=last)
    except Invalid as error:
        raise Invalid(_as_written(str(error), folded, value)) from None
    if last < first:
        raise Invalid(f"{quoted(value)} : la période finit avant de commencer")
    return first, last
