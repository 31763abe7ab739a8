"""Parser and evaluator for the subset of OSM ``opening_hours`` used by public services.

Supported (see https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification)::

    expression  = rule { ";" rule }
    rule        = "24/7" [state] [comment]
                | [dates] ["week" weeks] [weekdays] [state] [comment]   (at least one part)
    dates       = date_range { "," date_range }
    date_range  = [year] month [day] [ "-" ( [year] month [day] | day ) ]
    weeks       = week_range { "," week_range }     week_range = nn ["-" nn ["/" step]]
    weekdays    = wd_item { "," wd_item }
    wd_item     = "PH" | wd ["-" wd] | wd "[" nth { "," nth } "]"   nth = 1..5 | -1..-5 | n-m
    state       = hh:mm-hh:mm { "," hh:mm-hh:mm } | "off" | "closed" | "open"

Deliberately rejected, with a French message: ``,`` between rules (the
"additional rule" separator, almost always a typo for ``;``), ``||``, ``+``,
``unknown``, ``SH``, solar times, ``easter``, offsets, spans crossing midnight,
``off`` after times, years outside 2000-2099, week steps longer than their range.

Semantics follow the specification: a rule applies to the days its selectors
match, and a later rule replaces, for those days, whatever earlier rules said.
A rule without a state is open all day. ``PH`` rules match the days given in
``holidays``; ordinary weekday rules also apply on public holidays. Weeks are
ISO 8601 weeks. Times are local wall-clock times; spans never cross midnight.

Convention: the end of day ``24:00`` is represented as ``datetime.time.max``
(and written ``"24:00"`` by :meth:`Schedule.week_plan`).
"""

import calendar
import functools
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mednum.french import capitalize_first, day_of_month, format_time, join_fr, month_name, weekday_name

__all__ = ["OpeningHoursError", "Schedule", "parse"]

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
END_OF_DAY = 24 * 60
_STATES = ("off", "closed", "open")
DAYS_HELP = "utilisez Mo, Tu, We, Th, Fr, Sa, Su"
MONTHS_HELP = "utilisez Jan, Feb, Mar, Apr, May, Jun, Jul, Aug, Sep, Oct, Nov, Dec"

# Common mistakes (French or lower-case names) and the keyword that was meant.
_DAY_HINTS = {
    **{
        alias: code
        for code, french, english in zip(
            DAYS,
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            strict=True,
        )
        for alias in (french, french[:2], french[:3], english, english[:3], code.lower())
    },
}
_MONTH_HINTS = {
    **{m.lower(): m for m in MONTHS},
    **{
        alias: code
        for code, aliases in zip(
            MONTHS,
            (
                "janvier janv",
                "février fevrier févr fevr fév fev",
                "mars",
                "avril avr",
                "mai",
                "juin",
                "juillet juil",
                "août aout aoû aou",
                "septembre sept",
                "octobre",
                "novembre",
                "décembre decembre déc",
            ),
            strict=True,
        )
        for alias in aliases.split()
    },
}
_WORD_HINTS = {
    "jf": "jour férié inconnu « {w} » : utilisez PH pour les jours fériés",
    "férié": "mot inconnu « {w} » : utilisez PH pour les jours fériés",
    "fériés": "mot inconnu « {w} » : utilisez PH pour les jours fériés",
    "ferme": "mot inconnu « {w} » : utilisez off pour « fermé »",
    "fermé": "mot inconnu « {w} » : utilisez off pour « fermé »",
    "ouvert": "mot inconnu « {w} » : indiquez les horaires, par exemple 09:00-12:00",
    "h": "heure invalide : écrivez les heures sous la forme 09:00",
    "sh": "« SH » (vacances scolaires) n'est pas pris en charge",
    "unknown": "« unknown » n'est pas pris en charge : retirez la règle ou mettez un commentaire",
    "easter": "« easter » n'est pas pris en charge : indiquez la date",
}
for _solar in ("sunrise", "sunset", "dawn", "dusk"):
    _WORD_HINTS[_solar] = "« {w} » n'est pas pris en charge : indiquez une heure, par exemple 18:00"


_CHAR_HINTS = {
    "|": " : la règle de repli « || » n'est pas prise en charge",
    "+": " : les horaires ouverts (« + ») et décalages ne sont pas pris en charge",
    ":": " : écrivez les heures sous la forme 09:00, sans secondes",
}


class OpeningHoursError(ValueError):
    """Invalid or unsupported ``opening_hours`` text.

    ``message`` is French, for the people who edit the records; ``column`` is
    1-based in the original text.
    """

    def __init__(self, message: str, column: int):
        super().__init__(f"colonne {column} : {message}")
        self.message = message
        self.column = column


@dataclass(frozen=True)
class _Token:
    kind: str  # word, num, time, badtime, punct, comment
    text: str
    column: int


_TOKEN_RE = re.compile(
    r"""(?P<space>\s+)
      | (?P<comment>"[^"]*")
      | (?P<time>\d+:\d+)
      | (?P<badtime>\d+[hH]\d*|\d+\.\d+)
      | (?P<num>\d+)
      | (?P<word>[^\W\d_]+)
      | (?P<punct>[-,;\[\]/])""",
    re.VERBOSE,
)


def _tokenize(text: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            char = text[pos]
            if char == '"':
                raise OpeningHoursError('commentaire non fermé : ajoutez « " » à la fin', pos + 1)
            hint = _CHAR_HINTS.get(char, " : utilisez « - » (trait d'union)" if char in "–—‐−" else "")
            raise OpeningHoursError(f"caractère inattendu « {char} »{hint}", pos + 1)
        if match.lastgroup == "num" and len(match.group()) > 4:
            raise OpeningHoursError(f"nombre inattendu « {match.group()} »", pos + 1)
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup, match.group(), pos + 1))
        pos = match.end()
    return tokens


@dataclass(frozen=True)
class _DateRange:
    """Inclusive range; without a year it recurs every year and may wrap past December."""

    start: tuple[int, int, int]  # (year or 0, month, day)
    end: tuple[int, int, int]
    whole_months: bool

    def contains(self, day: date) -> bool:
        if self.start[0]:
            return date(*self.start) <= day <= date(*self.end)
        key, start, end = (day.month, day.day), self.start[1:], self.end[1:]
        return start <= key <= end if start <= end else key >= start or key <= end

    def describe(self) -> str:
        (y1, m1, d1), (y2, m2, d2) = self.start, self.end
        if self.whole_months and not y1:
            if m1 == m2:
                return f"en {month_name(m1)}"
            if m2 == m1 % 12 + 1:
                return f"en {month_name(m1)} et {month_name(m2)}"
            return f"{_de(month_name(m1))} à {month_name(m2)}"
        year1, year2 = (f" {y1}", f" {y2}") if y1 else ("", "")
        if self.start == self.end:
            return f"le {day_of_month(d1)} {month_name(m1)}{year1}"
        if (y1, m1) == (y2, m2):
            return f"du {day_of_month(d1)} au {d2} {month_name(m2)}{year2}"
        if y1 == y2:
            year1 = ""
        start = f"{day_of_month(d1)} {month_name(m1)}{year1}"
        return f"du {start} au {day_of_month(d2)} {month_name(m2)}{year2}"


def _de(word: str) -> str:
    return f"d'{word}" if word[0] in "aeiouâéèêîôû" else f"de {word}"


@dataclass(frozen=True)
class _WeekdayItem:
    first: int
    last: int
    nth: tuple[int, ...] = ()  # 1..5 from the start of the month, -1..-5 from its end

    def matches(self, day: date) -> bool:
        weekday = day.weekday()
        if self.first <= self.last:
            if not self.first <= weekday <= self.last:
                return False
        elif self.last < weekday < self.first:
            return False
        if not self.nth:
            return True
        from_start = (day.day - 1) // 7 + 1
        from_end = -((calendar.monthrange(day.year, day.month)[1] - day.day) // 7 + 1)
        return from_start in self.nth or from_end in self.nth

    def describe(self, article: bool) -> str:
        if self.first == self.last:
            return f"le {weekday_name(self.first)}" if article else weekday_name(self.first)
        return f"du {weekday_name(self.first)} au {weekday_name(self.last)}"


@dataclass(frozen=True)
class _Rule:
    dates: tuple[_DateRange, ...]
    weeks: frozenset[int]
    weekdays: tuple[_WeekdayItem, ...]
    holiday: bool
    spans: tuple[tuple[int, int], ...]  # minutes since midnight; empty means closed
    comment: str | None

    def matches(self, day: date, holidays: Collection[date]) -> bool:
        if self.dates and not any(r.contains(day) for r in self.dates):
            return False
        if self.weeks and day.isocalendar().week not in self.weeks:
            return False
        if self.weekdays or self.holiday:
            return (self.holiday and day in holidays) or any(w.matches(day) for w in self.weekdays)
        return True

    @property
    def is_plain(self) -> bool:
        """True if the rule only depends on the day of the week."""
        return not (self.dates or self.weeks or self.holiday or any(w.nth for w in self.weekdays))


def _as_time(minutes: int) -> time:
    return time.max if minutes == END_OF_DAY else time(*divmod(minutes, 60))


def _as_text(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}"


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    # -- token helpers -------------------------------------------------
    def peek(self, offset: int = 0) -> _Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise OpeningHoursError("la saisie s'arrête trop tôt", len(self.text) + 1)
        self.pos += 1
        return token

    def at(self, kind: str, text: str | None = None, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == kind and text in (None, token.text)

    def error(self, message: str, token: _Token | None) -> OpeningHoursError:
        return OpeningHoursError(message, token.column if token else len(self.text) + 1)

    def unexpected(self, token: _Token | None) -> OpeningHoursError:
        if token is None:
            return self.error("la saisie s'arrête trop tôt", None)
        word = token.text
        if token.kind == "badtime" or (token.kind == "num" and len(word) <= 2):
            return self.error(_time_hint(word), token)
        if token.kind == "time":
            return self.error(f"heure « {word} » inattendue à cet endroit", token)
        if token.kind == "word":
            return self.error(_word_hint(word), token)
        if token.kind == "comment":
            return self.error("le commentaire doit suivre les jours ou les horaires", token)
        return self.error(f"« {word} » inattendu à cet endroit", token)

    # -- grammar -------------------------------------------------------
    def parse(self) -> list[_Rule]:
        if not self.tokens:
            raise self.error("horaires vides", None)
        rules = [self.rule()]
        while (token := self.peek()) is not None:
            if token.text == ",":
                raise self.error("séparez les règles par « ; »", token)
            if token.text != ";":
                ended = self.tokens[self.pos - 1]
                after_state = ended.kind in ("time", "comment") or ended.text in _STATES
                if after_state and token.kind == "word" and token.text in (*DAYS, *MONTHS, "PH"):
                    raise self.error("séparez les règles par « ; »", token)
                raise self.unexpected(token)
            self.pos += 1
            rules.append(self.rule())
        return rules

    def rule(self) -> _Rule:
        first = self.peek()
        if first is None or first.text == ";":
            raise self.error("règle vide : retirez le « ; » en trop", first)
        if self.at("num", "24") and self.at("punct", "/", 1) and self.at("num", "7", 2):
            self.pos += 3
            return self.finish((), frozenset(), (), False, has_selector=True)
        dates = self.dates() if self.at("num") and len(first.text) == 4 else ()
        if not dates and self.at("word") and first.text in MONTHS:
            dates = self.dates()
        weeks = self.weeks() if self.at("word", "week") else frozenset()
        weekdays, holiday = (), False
        if self.at("word") and (self.peek().text in DAYS or self.peek().text == "PH"):
            weekdays, holiday = self.weekdays()
        has_selector = bool(dates or weeks or weekdays or holiday)
        return self.finish(dates, weeks, weekdays, holiday, has_selector)

    def finish(self, dates, weeks, weekdays, holiday, has_selector: bool) -> _Rule:
        token = self.peek()
        spans: tuple[tuple[int, int], ...] = ((0, END_OF_DAY),)
        if token is not None and token.kind == "time":
            spans = self.spans()
            if self.at("word", "off") or self.at("word", "closed"):
                raise self.error(
                    f"« {self.peek().text} » ne s'utilise pas avec des horaires : "
                    "écrivez par exemple « Mo off »",
                    self.peek(),
                )
        elif token is not None and token.kind == "word" and token.text in ("off", "closed"):
            self.pos += 1
            spans = ()
        elif token is not None and token.kind == "word" and token.text == "open":
            self.pos += 1
        elif not has_selector:
            raise self.unexpected(token)
        comment = None
        if self.at("comment"):
            comment = self.next().text[1:-1].strip()
            if not comment:
                raise self.error("commentaire vide", self.tokens[self.pos - 1])
        return _Rule(tuple(dates), frozenset(weeks), tuple(weekdays), holiday, spans, comment)

    def dates(self) -> tuple[_DateRange, ...]:
        ranges = [self.date_range()]
        while self.at("punct", ",") and (
            (self.at("word", offset=1) and self.peek(1).text in MONTHS)
            or (self.at("num", offset=1) and len(self.peek(1).text) == 4)
        ):
            self.pos += 1
            ranges.append(self.date_range())
        return tuple(ranges)

    def date_point(self) -> tuple[int, int, int | None]:
        year = 0
        if self.at("num") and len(self.peek().text) == 4:
            token = self.next()
            year = int(token.text)
            if not 2000 <= year <= 2099:
                raise self.error(f"année invalide « {token.text} »", token)
        token = self.peek()
        if token is None or token.kind != "word" or token.text not in MONTHS:
            if token is not None and token.kind == "word" and token.text.lower() in _MONTH_HINTS:
                raise self.unexpected(token)
            raise self.error("mois attendu (Jan, Feb … Dec)", token)
        self.pos += 1
        month = MONTHS.index(token.text) + 1
        day = self.day_number(year, month) if self.at("num") and len(self.peek().text) <= 2 else None
        return year, month, day

    def day_number(self, year: int, month: int) -> int:
        token = self.next()
        day = int(token.text)
        last = calendar.monthrange(year or 2000, month)[1]  # 2000: leap, so Feb 29 is allowed
        if not 1 <= day <= last:
            raise self.error(f"jour invalide « {token.text} » en {month_name(month)}", token)
        return day

    def date_range(self) -> _DateRange:
        first = self.peek()
        y1, m1, d1 = self.date_point()
        y2, m2, d2 = y1, m1, d1
        if self.at("punct", "-"):
            dash = self.next()
            if self.at("num") and len(self.peek().text) <= 2:
                if d1 is None:
                    raise self.error("précisez le jour de début (ex. Dec 24-31)", dash)
                m2, d2 = m1, self.day_number(y1, m1)
            else:
                y2, m2, d2 = self.date_point()
            if (d1 is None) != (d2 is None):
                raise self.error("précisez le jour du mois aux deux bouts de la période", dash)
            if y2 and not y1:
                raise self.error("précisez l'année de début aussi", first)
            if y1 and not y2:
                y2 = y1 if (m2, d2 or 1) >= (m1, d1 or 1) else y1 + 1
        if y2 and d2 and d2 > calendar.monthrange(y2, m2)[1]:
            raise self.error(f"le {d2} {month_name(m2)} {y2} n'existe pas", first)
        whole = d1 is None
        start = (y1, m1, d1 or 1)
        end = (y2, m2, d2 or (calendar.monthrange(y2, m2)[1] if y2 else 31))
        if y1 and start > end:
            raise self.error("la date de fin doit être après la date de début", first)
        return _DateRange(start, end, whole)

    def weeks(self) -> frozenset[int]:
        self.next()  # "week"
        weeks: set[int] = set()
        while True:
            start = end = self.week_number()
            step = 1
            if self.at("punct", "-"):
                self.pos += 1
                end = self.week_number()
                if end < start:
                    raise self.error("les semaines doivent aller croissant (ex. 02-52)", self.peek(-1))
                if self.at("punct", "/"):
                    self.pos += 1
                    token = self.next()
                    if token.kind != "num" or not 1 <= int(token.text) <= 26:
                        raise self.error("pas de semaines invalide (ex. /2)", token)
                    step = int(token.text)
                    if step > end - start:
                        raise self.error(
                            f"le pas /{step} dépasse la période de semaines {start}-{end}", token
                        )
            weeks.update(range(start, end + 1, step))
            if not (self.at("punct", ",") and self.at("num", offset=1)):
                return frozenset(weeks)
            self.pos += 1

    def week_number(self) -> int:
        token = self.peek()
        if token is None or token.kind != "num" or not 1 <= int(token.text) <= 53:
            raise self.error("numéro de semaine attendu (01 à 53)", token)
        self.pos += 1
        return int(token.text)

    def weekdays(self) -> tuple[tuple[_WeekdayItem, ...], bool]:
        items: list[_WeekdayItem] = []
        holiday = False
        while True:
            token = self.next()
            if token.kind == "word" and token.text == "PH":
                holiday = True
            elif token.kind == "word" and token.text in DAYS:
                items.append(self.weekday_item(DAYS.index(token.text)))
            else:
                raise (
                    self.unexpected(token)
                    if token.kind == "word"
                    else self.error(f"jour attendu après « , » : {DAYS_HELP}", token)
                )
            if not self.at("punct", ","):
                return tuple(items), holiday
            self.pos += 1

    def weekday_item(self, first: int) -> _WeekdayItem:
        if self.at("punct", "-"):
            self.pos += 1
            token = self.next()
            if token.kind != "word" or token.text not in DAYS:
                raise (
                    self.unexpected(token)
                    if token.kind == "word"
                    else self.error(f"jour de fin attendu : {DAYS_HELP}", token)
                )
            return _WeekdayItem(first, DAYS.index(token.text))
        if not self.at("punct", "["):
            return _WeekdayItem(first, first)
        self.pos += 1
        nth: set[int] = set()
        while True:
            negative = self.at("punct", "-")
            if negative:
                self.pos += 1
            low = high = self.nth_number()
            if not negative and self.at("punct", "-"):
                self.pos += 1
                high = self.nth_number()
            nth.update(-n if negative else n for n in range(low, high + 1))
            token = self.next()
            if token.text == "]":
                if high < low:
                    raise self.error("intervalle de rangs inversé (ex. [1-3])", token)
                return _WeekdayItem(first, first, tuple(sorted(nth, key=lambda n: (n < 0, abs(n)))))
            if token.text != ",":
                raise self.error("« ] » attendu pour fermer la liste des rangs", token)

    def nth_number(self) -> int:
        token = self.peek()
        if token is None or token.kind != "num" or not 1 <= int(token.text) <= 5:
            raise self.error("rang dans le mois attendu, de 1 à 5 (ex. We[1,3])", token)
        self.pos += 1
        return int(token.text)

    def spans(self) -> tuple[tuple[int, int], ...]:
        spans = [self.span()]
        while self.at("punct", ","):
            comma = self.next()
            if not self.at("time"):
                if self.at("word") or self.at("num"):
                    raise self.error("séparez les règles par « ; »", comma)
                raise self.error("heure attendue après « , »", self.peek())
            spans.append(self.span())
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return tuple((start, end) for start, end in merged)

    def span(self) -> tuple[int, int]:
        start_token = self.next()
        start = self.clock(start_token)
        if start == END_OF_DAY:
            raise self.error("heure invalide « 24:00 » en début de plage", start_token)
        if not self.at("punct", "-"):
            raise self.error(
                f"plage horaire incomplète : ajoutez l'heure de fin (ex. {start_token.text}-12:00)",
                self.peek() or start_token,
            )
        self.pos += 1
        end_token = self.peek()
        if end_token is None or end_token.kind != "time":
            raise (self.unexpected(end_token) if end_token else self.error("heure de fin attendue", None))
        self.pos += 1
        end = self.clock(end_token)
        if end <= start:
            raise self.error(
                f"l'heure de fin ({end_token.text}) doit être après l'heure de début ({start_token.text})",
                end_token,
            )
        return start, end

    def clock(self, token: _Token) -> int:
        match = re.fullmatch(r"(\d\d):(\d\d)", token.text)
        if match is None:
            raise self.error(_time_hint(token.text), token)
        hours, minutes = int(match[1]), int(match[2])
        if hours > 24 or minutes > 59 or (hours == 24 and minutes):
            raise self.error(f"heure invalide « {token.text} »", token)
        return hours * 60 + minutes


def _time_hint(text: str) -> str:
    digits = re.findall(r"\d+", text)
    hours = int(digits[0])
    minutes = int(digits[1]) if len(digits) > 1 and digits[1] else 0
    if hours <= 24 and minutes <= 59:
        return f"heure invalide « {text} » : écrivez {hours:02d}:{minutes:02d}"
    return f"heure invalide « {text} » : écrivez les heures sous la forme 09:00"


def _word_hint(word: str) -> str:
    if word in DAYS or word in MONTHS or word in ("PH", "week"):
        return f"« {word} » mal placé : l'ordre est année, mois, semaines, jours, heures"
    lower = word.lower()
    if lower in _DAY_HINTS:
        return f"jour inconnu « {word} » : {DAYS_HELP} (ici « {_DAY_HINTS[lower]} »)"
    if lower in _MONTH_HINTS:
        return f"mois inconnu « {word} » : {MONTHS_HELP} (ici « {_MONTH_HINTS[lower]} »)"
    if lower in _WORD_HINTS:
        return _WORD_HINTS[lower].format(w=word)
    if lower in ("ph", "week", "off", "closed", "open"):
        return f"mot inconnu « {word} » : écrivez « {lower if lower != 'ph' else 'PH'} »"
    return f"mot inconnu « {word} »"


@functools.lru_cache(maxsize=65536)
def parse(text: str) -> "Schedule":
    """Parse ``text``; raise :class:`OpeningHoursError` if it is invalid or unsupported.

    Kept per text (a Schedule is immutable): the checks and the model both parse each
    record's hours, and many places share theirs ("Mo-Fr 09:00-12:00,14:00-17:00").
    """
    return Schedule(text, tuple(_Parser(text).parse()))


@dataclass(frozen=True)
class Schedule:
    """A parsed ``opening_hours`` value. Immutable; build it with :func:`parse`."""

    text: str
    rules: tuple[_Rule, ...]

    @property
    def comments(self) -> list[str]:
        return [rule.comment for rule in self.rules if rule.comment]

    def _spans_on(self, day: date, holidays: Collection[date]) -> tuple[tuple[int, int], ...]:
        spans: tuple[tuple[int, int], ...] = ()
        for rule in self.rules:
            if rule.matches(day, holidays):
                spans = rule.spans
        return spans

    def intervals_on(self, day: date, holidays: Collection[date] = frozenset()) -> list[tuple[time, time]]:
        """Open intervals on ``day``, sorted, half-open; an end of ``time.max`` means 24:00."""
        return [(_as_time(a), _as_time(b)) for a, b in self._spans_on(day, holidays)]

    def is_open(self, moment: datetime, holidays: Collection[date] = frozenset()) -> bool:
        """Whether the place is open at ``moment`` (naive local time; any tzinfo is ignored)."""
        minute = moment.hour * 60 + moment.minute
        return any(a <= minute < b for a, b in self._spans_on(moment.date(), holidays))

    def week_plan(self, start: date, days: int, holidays: Collection[date] = frozenset()) -> list[dict]:
        """JSON-ready plan: ``[{"date": "2026-03-02", "intervals": [["09:00", "12:00"]]}, …]``."""
        plan = []
        for offset in range(days):
            day = start + timedelta(days=offset)
            spans = self._spans_on(day, holidays)
            plan.append(
                {
                    "date": day.isoformat(),
                    "intervals": [[_as_text(a), _as_text(b)] for a, b in spans],
                }
            )
        return plan

    def weekly_table(self) -> list[tuple[int, list[tuple[time, time]]]]:
        """The usual week, ``[(0, intervals of Monday), … (6, …)]``, from weekday-only rules.

        Rules restricted by dates, weeks, rank in the month or ``PH`` are left
        out here and described by :meth:`exceptions_fr`.
        """
        table: dict[int, tuple[tuple[int, int], ...]] = {i: () for i in range(7)}
        for rule in self.rules:
            if rule.dates or rule.weeks:
                continue
            plain = [w for w in rule.weekdays if not w.nth]
            everyday = not rule.weekdays and not rule.holiday
            for weekday in range(7):
                if everyday or any(w.matches(_A_MONDAY + timedelta(weekday)) for w in plain):
                    table[weekday] = rule.spans
        return [(i, [(_as_time(a), _as_time(b)) for a, b in table[i]]) for i in range(7)]

    def exceptions_fr(self) -> list[str]:
        """Rules that are not part of :meth:`weekly_table`, as French sentences."""
        sentences = []
        for rule in self.rules:
            if rule.is_plain:
                continue
            if rule.dates or rule.weeks:
                sentences.append(_describe(rule, rule.weekdays, rule.holiday))
                continue
            # Only the PH and ranked parts: the plain weekdays are in the table.
            if rule.holiday:
                sentences.append(_describe(rule, (), True))
            sentences.extend(_describe(rule, (w,), False) for w in rule.weekdays if w.nth)
        return sentences


_A_MONDAY = date(2024, 1, 1)


def _hours_fr(spans: tuple[tuple[int, int], ...]) -> str:
    if spans == ((0, END_OF_DAY),):
        return "toute la journée"
    return join_fr(f"de {format_time(_as_time(a))} à {format_time(_as_time(b))}" for a, b in spans)


def _nth_fr(nth: tuple[int, ...]) -> str:
    names = [
        ("1er" if n == 1 else f"{n}e") if n > 0 else ("dernier" if n == -1 else f"{-n}e en partant de la fin")
        for n in nth
    ]
    return f"{join_fr(names)} du mois"


def _weeks_fr(weeks: frozenset[int]) -> str:
    if all(w % 2 == 0 for w in weeks) and weeks >= set(range(2, 53, 2)):
        return "semaines paires"
    if all(w % 2 for w in weeks) and weeks >= set(range(1, 52, 2)):
        return "semaines impaires"
    groups: list[list[int]] = []
    for week in sorted(weeks):
        if groups and week == groups[-1][1] + 1:
            groups[-1][1] = week
        else:
            groups.append([week, week])
    label = "semaine" if len(weeks) == 1 else "semaines"
    return f"{label} " + join_fr([str(a) if a == b else f"{a} à {b}" for a, b in groups])


def _describe(rule: _Rule, weekdays: tuple[_WeekdayItem, ...], holiday: bool) -> str:
    is_open = bool(rule.spans)
    hours = _hours_fr(rule.spans) if is_open else "fermé"
    suffix = f" ({rule.comment})" if rule.comment else ""
    periods = [r.describe() for r in rule.dates]
    ranked = [w for w in weekdays if w.nth]
    if ranked and len(weekdays) == 1 and not holiday:
        item = ranked[0]
        lead = f"le {weekday_name(item.first)}"
        if periods or rule.weeks:
            lead = join_fr([*([_weeks_fr(rule.weeks)] if rule.weeks else []), *periods]) + ", " + lead
        ranks = _nth_fr(item.nth)
        body = f"{ranks} seulement, {hours}" if is_open else f"fermé le {ranks}"
        return f"{capitalize_first(lead)} : {body}{suffix}"
    if rule.weeks:
        days = [_day_item_fr(w, article=False) for w in weekdays]
        days += ["jours fériés"] if holiday else []
        lead = join_fr([_weeks_fr(rule.weeks), *periods])
        body = " ".join([*([join_fr(days)] if days else []), hours])
        return f"{capitalize_first(lead)} : {body}{suffix}"
    days = [_day_item_fr(w, article=True) for w in weekdays]
    days += ["les jours fériés"] if holiday else []
    words = ["Ouvert" if is_open else "Fermé", *periods, *([join_fr(days)] if days else [])]
    if is_open:
        words.append(hours)
    return " ".join(words) + suffix


def _day_item_fr(item: _WeekdayItem, article: bool) -> str:
    text = item.describe(article)
    return f"{text} ({_nth_fr(item.nth)})" if item.nth else text
