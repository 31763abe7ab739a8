"""``python -m mednum agendas``: the workshops of the places that publish an online agenda.

A place of ``data/sites.yaml`` may name its agenda in ``x_agenda`` (an iCalendar feed,
``https://….ics``, with what a workshop needs and a calendar event does not say: type,
thematiques, publics, niveau, inscription, tarif). The command reads every feed and turns
its coming events into workshops of that place in ``data/workshops.yaml``:

* the event's SUMMARY is the title, its DESCRIPTION the description (HTML from Google or
  Outlook turned into plain text and links; Markdown link syntax and tags neutralised, so a
  feed can never put HTML or a ``javascript:`` link in a page); events with the same title
  (same slug: case, accents and punctuation aside) are one workshop with several sessions;
* recurrences (RRULE, RDATE) are expanded by ``recurring-ical-events`` over the agenda's
  horizon: from the run's day to CATALOGUE_RECURRENCE_WEEKS weeks later (the weeks the site
  shows weekly workshops), past sessions dropped; EXDATE and moved or changed occurrences
  (RECURRENCE-ID) are applied; cancelled events and occurrences (STATUS:CANCELLED) removed;
* times are converted to the catalogue's zone (CATALOGUE_TIMEZONE): TZID with the tz
  database or the feed's VTIMEZONE (Outlook's Windows names such as « Romance Standard
  Time » included), UTC (``…Z``), Google's X-WR-TIMEZONE (``x-wr-timezone``); a time
  without zone is taken in the catalogue's zone;
* an event without end (neither DTEND nor DURATION) or of no length lasts DEFAULT_DURATION
  (one hour); one that ends at midnight ends at 23:59 (a session ends on its day);
* all-day events and events over several days have no session hours, which the schema
  requires: they are left out with a warning in the summary;
* ids are ``<lieu>-agenda-<slug of the title>`` (``id_prefix``): the same feed gives the same
  ids. A workshop of that place whose id starts with that prefix was made by this command
  and only such workshops are replaced or removed; hand-written workshops are never touched
  (a generated id that a hand-written workshop already uses is left out, with a warning);
* ``date_maj`` is the run's day when a workshop changed, otherwise the one already written:
  running twice with the same feeds changes nothing.

A feed that cannot be read (download failed, HTTP error, time-out, too large, an HTML page
or another file instead of iCalendar, a truncated or broken calendar, a rule repeating every
second, minute or hour or too costly to expand, a feed too long to read, an ``x_agenda`` the
schema refuses, or workshops the validator refuses) is reported in French with the place's
id, the address and the reason; that place's workshops stay as they were, the other places
are updated. Everything is written to a copy, read back with the importers' reader, checked
with the site's validator, then put in place. In the pull request's description, every text
that comes from a feed is plain text (``feed_text``: no link, image, HTML, mention or issue
reference).

Exit status: 0 every feed read; 3 some feeds could not be read (the others were written);
1 the catalogue would be invalid (``data/`` untouched); 2 nothing could be done (bad
arguments, unreadable data file). ``--summary`` writes the Markdown summary (the pull
request's description of ``.github/workflows/agendas.yml``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from .catalogue import LoadOptions, load_catalogue
from .french import count_fr, format_date_short, slugify
from .importers import ImportFileError
from .importers.merge import _load as load_written
from .importers.merge import merge_into_yaml, write_text
from .problems import Report
from .schema import SITES, WORKSHOPS, Schema, record_fields
from .settings import DEFAULTS, build_date
from .yamlsource import read_yaml

FIELD = "x_agenda"
ID_INFIX = "-agenda-"
MAX_ID = 80
MAX_TITLE = 150
DEFAULT_DURATION = dt.timedelta(hours=1)
FETCH_TIMEOUT_S = 30  # each network operation
FETCH_DEADLINE_S = 90  # the whole download
FETCH_LIMIT = 10 * 1024 * 1024
MAX_EVENTS = 5000  # occurrences read over the horizon, past the day before it
# What a repetition rule may cost: the occurrences it can give from its DTSTART to the end
# of the horizon (dateutil counts them from DTSTART, whatever the window), at most.
MAX_RULE_OCCURRENCES = 100_000
FEED_TIME_LIMIT_S = 20  # reading and expanding one feed, on the clock
FREQUENT = {"SECONDLY": "chaque seconde", "MINUTELY": "chaque minute", "HOURLY": "chaque heure"}
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}  # shortest period
_DAYS_IN_PERIOD = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}  # longest period
_DAY_PARTS = ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
USER_AGENT = "catalogue-mediation-numerique (lecture des agendas des lieux ; python-urllib)"
SAFE_LINK = re.compile(r"(?i)^(https?://|mailto:|tel:)")
# What the validator takes for HTML (checks._HTML_TAG) and for an autolink.
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_UNSAFE_LINK = re.compile(r"\]\((?!\s*<?(?:https?://|mailto:|tel:))", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?:[-*]|\d{1,2}[.)])\s")
_AUTOLINK = re.compile(r"<\s*((?:https?://|mailto:)[^\s<>]+)\s*>")
EMPTY_WORKSHOPS = f"# yaml-language-server: $schema=../schemas/{WORKSHOPS.schema_file}\n\n[]\n"
USAGE = (
    "python -m mednum agendas (--download | --from DOSSIER) [--summary FICHIER.md] [--lieu ID] "
    "[--date AAAA-MM-JJ] [--weeks N] [--data DOSSIER] [--schemas DOSSIER]"
)

Fetch = Callable[[str], bytes]


class FeedError(Exception):
    """One feed cannot be used; ``str(error)`` is the French reason."""


class AgendaError(Exception):
    """Nothing can be done (data file unreadable…); ``str(error)`` is a French sentence."""


class _TimeUp(BaseException):
    """The clock of ``time_limit`` rang (a BaseException: no ``except Exception`` of a
    library swallows it)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt the block with ``_TimeUp`` after ``seconds`` on the clock (SIGALRM).

    Only where a timer can be set: the main thread of a system with ``setitimer``, no other
    timer running; elsewhere the block runs without limit."""
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def ring(signum, frame):
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, ring)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- downloading -----------------------------------------------------------------------


def download(url: str, timeout: float = FETCH_TIMEOUT_S, limit: int = FETCH_LIMIT) -> bytes:
    """The bytes at ``url`` (https only), or ``FeedError``: HTTP error, time-out, too large.

    ``timeout`` bounds each network operation, FETCH_DEADLINE_S the whole body: ``read1``
    returns what has arrived, so a server that sends a byte now and then is given up once
    the deadline is past (``refresh`` also bounds the headers, with ``time_limit``)."""
    if not url.lower().startswith("https://"):
        raise FeedError("adresse refusée : seules les adresses https:// sont lues")
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.1"}
    )
    deadline = time.monotonic() + max(timeout, FETCH_DEADLINE_S)
    chunks: list[bytes] = []
    size = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            while chunk := response.read1(64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise FeedError(f"agenda de plus de {limit // (1024 * 1024)} Mo : refusé")
                if time.monotonic() > deadline:
                    raise FeedError("téléchargement trop long : abandonné")
    except urllib.error.HTTPError as error:
        raise FeedError(f"le serveur répond {error.code} ({error.reason})") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise FeedError(f"pas de réponse en {timeout:g} s") from None
        raise FeedError(f"téléchargement impossible ({reason})") from None
    return b"".join(chunks)


def folder_fetch(folder: Path, urls: dict[str, str]) -> Fetch:
    """Read the feed of place ``p`` from ``folder/p.ics`` (``urls``: address → place id)."""

    def fetch(url: str) -> bytes:
        path = Path(folder) / f"{urls[url]}.ics"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise FeedError(f"pas de fichier {path}") from None
        except OSError as error:
            raise FeedError(f"{path} illisible ({error.strerror})") from None

    return fetch


# --- reading a calendar ------------------------------------------------------------------


def parse(data: bytes) -> icalendar.Calendar:
    """The calendar in ``data``, or ``FeedError`` saying why it is not one."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise FeedError("fichier vide : ce n'est pas un agenda iCalendar")
    if not head[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        if head[:1] == b"<":
            raise FeedError(
                "une page web (HTML) au lieu d'un agenda iCalendar : donnez l'adresse publique "
                "au format iCal (.ics) de l'agenda"
            )
        raise FeedError("ce n'est pas un agenda iCalendar (il ne commence pas par BEGIN:VCALENDAR)")
    if b"END:VCALENDAR" not in head[-4096:].upper():
        raise FeedError("agenda tronqué (END:VCALENDAR manquant) : téléchargement interrompu ?")
    try:
        return icalendar.Calendar.from_ical(head)
    except Exception as error:  # the parser's errors are many and unlisted
        raise FeedError(f"agenda illisible ({_short(error)})") from None


@dataclass(frozen=True, order=True)
class Occurrence:
    """One coming event of a feed, in the catalogue's local time."""

    start: dt.datetime  # naive, local
    end: dt.datetime
    title: str
    description: str = ""


@dataclass
class Notes:
    """Events left out or changed, grouped: « « Fermé » (1er mars 2027) : … »."""

    by_reason: dict[tuple[str, str], list[dt.date]] = field(default_factory=dict)

    def add(self, title: str, reason: str, day: dt.date) -> None:
        days = self.by_reason.setdefault((title, reason), [])
        if day not in days:
            days.append(day)

    def lines(self) -> list[str]:
        out = []
        for (title, reason), days in sorted(self.by_reason.items()):
            days = sorted(days)
            when = ", ".join(format_date_short(d) for d in days[:3])
            if len(days) > 3:
                when += f" et {len(days) - 3} autre(s)"
            name = f"« {title} »" if title else "événement sans titre"
            out.append(f"{name} ({when}) : {reason}")
        return out


def occurrences(
    calendar: icalendar.Calendar, zone: ZoneInfo, first: dt.date, last: dt.date, notes: Notes
) -> list[Occurrence]:
    """The sessions of ``calendar`` from ``first`` to ``last`` (local days, both included).

    The occurrences asked of ``recurring-ical-events`` are those from a day before ``first``
    to two days after ``last`` (the query's bounds are not in our zone), between two
    datetimes (given dates, its search for what comes « after » a day never ends on some
    feeds). Repetition rules are checked first (``check_rules``); more than MAX_EVENTS
    occurrences refuse the feed.
    """
    check_rules(calendar, last + dt.timedelta(days=2))
    window = (
        dt.datetime.combine(first - dt.timedelta(days=1), dt.time.min),
        dt.datetime.combine(last + dt.timedelta(days=2), dt.time.min),
    )
    try:
        events = recurring_ical_events.of(calendar).between(*window)
    except Exception as error:  # the library's errors are many and unlisted
        raise FeedError(f"agenda illisible ({_short(error)})") from None
    if len(events) > MAX_EVENTS:
        raise FeedError(
            f"plus de {MAX_EVENTS} événements en {(last - first).days // 7} semaines : agenda refusé"
        )
    found: list[Occurrence] = []
    for event in events:
        said = Notes()
        try:
            item = _occurrence(event, zone, said)
        except Exception as error:
            raise FeedError(f"événement illisible ({_short(error)})") from None
        if item is not None and first <= item.start.date() <= last:
            found.append(item)
        for (title, reason), days in said.by_reason.items():
            for when in days:
                if first <= when <= last:  # nothing said of what is past or beyond the horizon
                    notes.add(title, reason, when)
    return sorted(found)


def check_rules(calendar: icalendar.Calendar, end: dt.date) -> None:
    """``FeedError`` for a repetition rule (RRULE) that would cost too much to expand.

    A rule repeating every second, minute or hour is refused: no workshop repeats so. Any
    other is refused when the occurrences it may give from its DTSTART to ``end`` (an upper
    bound: every day of the period for a rule with day parts, times every hour, minute and
    second listed) exceed MAX_RULE_OCCURRENCES: ``dateutil`` goes through them all, from
    DTSTART, whatever the window asked (a daily rule since 1900 is 46,000 of them).
    """
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        if rules is None:
            continue
        title = _one_line(str(event.get("SUMMARY") or ""))[:80]
        name = f"« {title} »" if title else "un événement sans titre"
        start = event.get("DTSTART")
        for rule in rules if isinstance(rules, list) else [rules]:
            try:
                freq = str(rule["FREQ"][0]).upper()
                interval = int(rule.get("INTERVAL", [1])[0])
                until = rule.get("UNTIL", [None])[0]
                start_day = start.dt if start is not None else None
            except Exception as error:
                raise FeedError(f"agenda illisible (répétition de {name} : {_short(error)})") from None
            if freq in FREQUENT:
                raise FeedError(
                    f"{name} se répète {FREQUENT[freq]} (RRULE FREQ={freq}) : ce n'est pas un atelier ; "
                    "agenda refusé"
                )
            if freq not in _PERIOD_DAYS:
                raise FeedError(f"agenda illisible (répétition de {name} : FREQ={freq} inconnue)")
            if not isinstance(start_day, dt.date):
                continue  # no DTSTART: the library says what is wrong
            if isinstance(start_day, dt.datetime):
                start_day = start_day.date()
            last = end
            if isinstance(until, dt.date):
                last = min(last, until.date() if isinstance(until, dt.datetime) else until)
            span = (last - start_day).days + 1
            periods = 1 + max(0, span) // (_PERIOD_DAYS[freq] * max(1, interval))
            days = _DAYS_IN_PERIOD[freq] if any(part in rule for part in _DAY_PARTS) else 1
            times = math.prod(len(rule.get(part) or [0]) for part in _TIME_PARTS)
            if periods * days * times > MAX_RULE_OCCURRENCES:
                raise FeedError(
                    f"{name} se répète trop souvent depuis le {format_date_short(start_day)} "
                    f"(plus de {MAX_RULE_OCCURRENCES} occurrences à calculer) : agenda refusé"
                )


def _occurrence(event: Any, zone: ZoneInfo, notes: Notes) -> Occurrence | None:
    title = _one_line(str(event.get("SUMMARY") or ""))
    start = event.get("DTSTART").dt
    day = start if not isinstance(start, dt.datetime) else _local(start, zone).date()
    if str(event.get("STATUS") or "").upper() == "CANCELLED":
        return None
    if not title:
        notes.add("", "événement sans titre (SUMMARY) : non repris", day)
        return None
    all_day = str(event.get("X-MICROSOFT-CDO-ALLDAYEVENT") or "").upper() == "TRUE"
    if not isinstance(start, dt.datetime) or all_day:
        notes.add(title, "journée entière, sans heures de début et de fin : non repris", day)
        return None
    start = _local(start, zone)
    end_value = event.get("DTEND").dt if event.get("DTEND") is not None else None
    if isinstance(end_value, dt.datetime):
        end = _local(end_value, zone)
    elif isinstance(end_value, dt.date):
        end = dt.datetime.combine(end_value, dt.time.min)
    else:
        end = start
    if end <= start:  # neither DTEND nor DURATION (the standard's end is the start), or no length
        end = start + DEFAULT_DURATION
        notes.add(title, f"sans heure de fin : {_duration(DEFAULT_DURATION)} retenue", start.date())
    if end.date() > start.date():
        midnight = dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time.min)
        if end == midnight and start.time() != dt.time.min:
            end = dt.datetime.combine(start.date(), dt.time(23, 59))
        elif start.time() == dt.time.min and (end - start) % dt.timedelta(days=1) == dt.timedelta(0):
            notes.add(title, "journée entière, sans heures de début et de fin : non repris", start.date())
            return None
        else:
            notes.add(title, "sur plusieurs jours, sans horaires de chaque jour : non repris", start.date())
            return None
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    if end <= start:
        end = start + DEFAULT_DURATION
    return Occurrence(start, end, title, description_text(str(event.get("DESCRIPTION") or "")))


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Naive local time of the catalogue's zone; a time without zone is already one."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=None)
    return moment.astimezone(zone).replace(tzinfo=None)


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return "durée d'une heure" if minutes == 60 else f"durée de {minutes} minutes"


def _short(error: Exception) -> str:
    text = re.sub(r"\s+", " ", str(error) or type(error).__name__).strip()
    return text if len(text) <= 160 else text[:157] + "…"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", _printable(text)).strip()


# What YAML and the pages could not show: control characters (C0 but the line break, DEL,
# C1), lone surrogates, the non-characters U+FFFE and U+FFFF, the byte order mark.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
# Line breaks of other systems (YAML reads NEL, LS and PS as line breaks).
_OTHER_BREAKS = re.compile("\r\n?|[\x85\u2028\u2029]")


def _printable(text: str) -> str:
    """Line breaks as ``\\n``, tabs as spaces, no other control character."""
    return _UNPRINTABLE.sub("", _OTHER_BREAKS.sub("\n", text).replace("\t", " "))


# --- descriptions ------------------------------------------------------------------------


class _Text(HTMLParser):
    """HTML of a description (Google, Outlook) as plain text, with its links in Markdown."""

    BLOCKS = frozenset({"p", "div", "br", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.link: str | None = None
        self.link_text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "a":
            self.link = dict(attrs).get("href") or ""
            self.link_text = []

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.link is not None:
            text = _one_line("".join(self.link_text))
            href = self.link.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            if SAFE_LINK.match(href) and text and text != href:
                self.parts.append(f"[{escape_markdown(text)}]({href})")
            else:
                self.parts.append(escape_markdown(text or href))
            self.link = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.link is not None:
            self.link_text.append(data)
        else:
            self.parts.append(escape_markdown(data))


_LOOKS_HTML = re.compile(r"(?i)<\s*(br|p|div|a|b|i|u|em|strong|span|ul|ol|li|html|body|font)\b[^>]*>")


def escape_markdown(text: str) -> str:
    """Plain text that the validator and the Markdown renderer read as plain text: no tag
    (``<b>`` → ``&lt;b>``), no link syntax (``\\[``); ``description_text`` also breaks every
    ``](`` that does not open a safe address."""
    text = _AUTOLINK.sub(r"\1", text)
    text = _TAG.sub(lambda m: "&lt;" + m.group(0)[1:], text)
    return text.replace("[", "\\[")


def description_text(raw: str) -> str:
    """The DESCRIPTION of an event as the Markdown of a workshop's description ("" if none)."""
    raw = _printable(raw)
    if _LOOKS_HTML.search(raw):
        parser = _Text()
        parser.feed(raw)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = escape_markdown(raw)
    # No tag and a link only to a safe address, even from pieces put together (« ] » then
    # « (javascript:… », « < » then « b> »).
    text = _TAG.sub(lambda m: "&lt;" + m.group(0)[1:], text)
    text = _UNSAFE_LINK.sub("]\\\\(", text)
    # A line break in an agenda is meant: each line is a paragraph, list items stay a list.
    lines = [line.strip() for line in text.replace("\u00a0", " ").split("\n")]
    out: list[str] = []
    for line in filter(None, lines):
        item = _LIST_ITEM.match(line) is not None
        out.append(
            ("\n" if item and out and _LIST_ITEM.match(out[-1].rsplit("\n", 1)[-1]) else "\n\n") + line
        )
    return "".join(out).strip()


# --- workshops ---------------------------------------------------------------------------


def id_prefix(place: str) -> str:
    """``<lieu>-agenda-``: the ids of the workshops made from the place's agenda start with it."""
    return place[:50].rstrip("-") + ID_INFIX


def is_generated(record: dict, place: str) -> bool:
    """Made by this command from ``place``'s agenda (and so replaced by the next run)."""
    ident = record.get("id")
    return record.get("lieu") == place and isinstance(ident, str) and ident.startswith(id_prefix(place))


def workshop_id(place: str, key: str) -> str:
    """Stable id of the workshop of title slug ``key``: prefix and slug, cut with a hash if too long."""
    prefix = id_prefix(place)
    if key and len(prefix) + len(key) <= MAX_ID:
        return prefix + key
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    room = MAX_ID - len(prefix) - len(digest) - 1
    head = key[:room].strip("-")
    return f"{prefix}{head}-{digest}" if head else prefix + digest


def agenda_defaults(schemas: Path) -> dict[str, Any]:
    """The ``default`` of each field of ``x_agenda`` in the sites schema (type, publics, niveau)."""
    node = record_fields(schemas / SITES.schema_file)[FIELD]
    return {k: v["default"] for k, v in node["properties"].items() if "default" in v}


def build_workshops(
    place: str, agenda: dict, items: Sequence[Occurrence], defaults: dict, example: bool = False
) -> list[dict]:
    """The workshops of ``place`` made from its coming events, without ``date_maj``."""
    groups: dict[str, list[Occurrence]] = {}
    for item in sorted(items):
        groups.setdefault(slugify(item.title), []).append(item)
    records = []
    for key, group in sorted(groups.items()):
        titles = Counter(o.title for o in group)
        best = max(titles.values())
        title = next(o.title for o in group if titles[o.title] == best)
        if len(title) > MAX_TITLE:
            title = title[: MAX_TITLE - 1].rstrip() + "…"
        description = next((o.description for o in group if o.description), "")
        sessions: dict[tuple[str, str], dict] = {}
        for o in group:
            slot = (o.start.date().isoformat(), o.start.strftime("%H:%M"))
            sessions.setdefault(slot, {"date": slot[0], "debut": slot[1], "fin": o.end.strftime("%H:%M")})
        record: dict[str, Any] = {
            "id": workshop_id(place, key),
            "titre": title,
            "type": agenda.get("type", defaults.get("type")),
            "lieu": place,
            "description": description or None,
            "thematiques": list(agenda["thematiques"]),
            "publics": list(agenda.get("publics", defaults.get("publics"))),
            "niveau": agenda.get("niveau", defaults.get("niveau")),
            "seances": [sessions[s] for s in sorted(sessions)],
            "inscription": _plain(agenda["inscription"]),
            "tarif": _plain(agenda["tarif"]),
            "exemple": True if example else None,
        }
        records.append({k: v for k, v in record.items() if v is not None})
    return records


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- one run -------------------------------------------------------------------------------


@dataclass
class PlaceResult:
    place: str
    url: str
    error: str = ""
    workshops: list[dict] = field(default_factory=list)  # made from the feed, without date_maj
    written: list[dict] = field(default_factory=list)  # as written in data/workshops.yaml
    notes: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def sessions(self) -> int:
        return sum(len(w["seances"]) for w in self.written)


@dataclass
class Run:
    results: list[PlaceResult]
    changed_files: list[str]
    titles: dict[str, str]  # id → title, of the workshops added, changed or removed

    @property
    def failed(self) -> list[PlaceResult]:
        return [r for r in self.results if r.error]


def refresh(
    data_dir: Path,
    fetch: Fetch = download,
    today: dt.date | None = None,
    weeks: int | None = None,
    zone: str | None = None,
    schemas_dir: Path | None = None,
    only: Iterable[str] = (),
) -> Run:
    """Read every feed and write the workshops; ``AgendaError`` when nothing can be done,
    ``InvalidCatalogue`` when the result would not pass the validator."""
    data = Path(data_dir).resolve()
    schemas = (schemas_dir or data.parent / "schemas").resolve()
    today = today or build_date({})
    weeks = DEFAULTS["CATALOGUE_RECURRENCE_WEEKS"][0] if weeks is None else weeks
    tz = ZoneInfo(zone or DEFAULTS["CATALOGUE_TIMEZONE"][0])
    last = today + dt.timedelta(weeks=weeks)
    sites_schema = Schema(schemas / SITES.schema_file, SITES)
    workshops_schema = Schema(schemas / WORKSHOPS.schema_file, WORKSHOPS)
    sites, site_report = _records(data / SITES.filename, sites_schema)
    existing, _ = _records(data / WORKSHOPS.filename, workshops_schema)
    defaults = agenda_defaults(schemas)
    wanted = set(only)
    unknown = sorted(wanted - {s.get("id") for s in sites})
    if unknown:
        raise AgendaError(f"aucun lieu « {unknown[0]} » dans {data / SITES.filename}")

    results: list[PlaceResult] = []
    for site in sorted(sites, key=lambda s: str(s.get("id"))):
        place, agenda = site.get("id"), site.get(FIELD)
        if agenda is None or not isinstance(place, str) or (wanted and place not in wanted):
            continue
        url = str(agenda.get("ics", "")) if isinstance(agenda, dict) else ""
        result = PlaceResult(place, url)
        results.append(result)
        problems = [
            p for p in site_report.errors if p.subject == SITES.subject(site, 0) and p.field.startswith(FIELD)
        ]
        if problems:
            result.error = f"champ {FIELD} invalide ({_problem(problems[0])})"
            continue
        try:
            notes = Notes()
            try:  # the headers too: download() bounds the body only
                with time_limit(FETCH_DEADLINE_S + FETCH_TIMEOUT_S):
                    raw = fetch(url)
            except _TimeUp:
                raise FeedError("téléchargement trop long : abandonné") from None
            try:  # a rule that never matches keeps dateutil busy until the year 9999
                with time_limit(FEED_TIME_LIMIT_S):
                    items = occurrences(parse(raw), tz, today, last, notes)
            except _TimeUp:
                raise FeedError(
                    f"agenda trop long à lire (plus de {FEED_TIME_LIMIT_S} s) : agenda refusé"
                ) from None
            result.workshops = build_workshops(place, agenda, items, defaults, site.get("x_exemple") is True)
            result.notes = notes.lines()
        except FeedError as error:
            result.error = str(error)
        except Exception as error:  # one feed never stops the others
            result.error = f"erreur inattendue ({type(error).__name__} : {_short(error)})"
    if not results:
        return Run([], [], {})
    return _write(data, schemas, results, existing, today)


class InvalidCatalogue(Exception):
    """The catalogue would not be valid, for reasons that are not the agendas'."""

    def __init__(self, report: Report):
        super().__init__("catalogue invalide")
        self.report = report


def _records(path: Path, schema: Schema) -> tuple[list[dict], Report]:
    report = Report()
    doc = read_yaml(path, str(path), report) if path.exists() else None
    if doc is None:
        if path.exists():
            raise AgendaError(f"{path} illisible : {report.text(warnings=False)}")
        return [], report
    records = schema.check(doc, report)
    return [r for r in records if isinstance(r, dict)], report


def _problem(problem) -> str:
    head = f"champ « {problem.field} » : " if problem.field else ""
    return head + problem.message


def _write(
    data: Path, schemas: Path, results: list[PlaceResult], existing: list[dict], today: dt.date
) -> Run:
    by_id = {r["id"]: r for r in existing if isinstance(r.get("id"), str)}
    order = list(record_fields(schemas / WORKSHOPS.schema_file))
    data.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".agendas-", dir=data.parent))
    try:
        copy = work / data.name
        copy.mkdir()
        for name in (SITES.filename, "trainings.yaml"):
            if (data / name).exists():
                shutil.copy2(data / name, copy / name)
        titles: dict[str, str] = {}
        # Each pass either passes the validator, or fails at least one more place, or stops.
        for _attempt in range(len(results) + 1):
            records, removed = _plan(results, by_id, today, titles)
            if not any(r.added or r.changed or r.removed for r in results):
                return Run(results, [], titles)  # the file is not even rewritten
            target = copy / WORKSHOPS.filename
            if (data / WORKSHOPS.filename).exists():
                shutil.copy2(data / WORKSHOPS.filename, target)
            else:
                target.write_text(EMPTY_WORKSHOPS, encoding="utf-8")
            try:
                merge_into_yaml(target, records, set(order), field_order=order, remove=removed)
                load_written(target)  # what the next run and the importers read back
            except ImportFileError as error:
                reason = str(error).replace(str(target), WORKSHOPS.filename)
                raise AgendaError(
                    f"le fichier {WORKSHOPS.filename} écrit à partir des agendas ne pourrait pas être "
                    f"relu ({reason}) : {data} n'a pas été modifié"
                ) from None
            report = _check(copy, schemas, data, today)
            if report.ok:
                break
            if not _blame(report, results):
                raise InvalidCatalogue(report)
        else:
            raise InvalidCatalogue(report)
        changed = []
        source = copy / WORKSHOPS.filename
        destination = data / WORKSHOPS.filename
        if not destination.exists() or destination.read_bytes() != source.read_bytes():
            os.replace(source, destination)
            changed.append(f"{data.name}/{WORKSHOPS.filename}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Run(results, changed, titles)


def _plan(
    results: list[PlaceResult], by_id: dict[str, dict], today: dt.date, titles: dict[str, str]
) -> tuple[list[dict], list[str]]:
    """(workshops to write, ids to remove) for the places whose feed was read."""
    records: list[dict] = []
    removed: list[str] = []
    for result in results:
        result.added, result.changed, result.removed, result.written = [], [], [], []
        if result.error:
            continue
        for record in result.workshops:
            ident = record["id"]
            before = by_id.get(ident)
            if before is not None and not is_generated(before, result.place):
                note = f"« {record['titre']} » : l'identifiant {ident} est celui d'un atelier écrit à la main : non repris"
                if note not in result.notes:
                    result.notes.append(note)
                continue
            if before is None:
                day = today.isoformat()
                result.added.append(ident)
            elif {k: v for k, v in before.items() if k != "date_maj"} == record:
                day = before.get("date_maj") or today.isoformat()
            else:
                day = today.isoformat()
                result.changed.append(ident)
            titles[ident] = record["titre"]
            # date_maj where the schema puts it: before « exemple », after everything else.
            written = {k: v for k, v in record.items() if k != "exemple"}
            written["date_maj"] = day
            if "exemple" in record:
                written["exemple"] = record["exemple"]
            result.written.append(written)
        records.extend(result.written)
        mine = {r["id"] for r in result.written}
        for ident, before in sorted(by_id.items()):
            if is_generated(before, result.place) and ident not in mine:
                removed.append(ident)
                result.removed.append(ident)
                titles[ident] = str(before.get("titre", ""))
    return records, removed


def _check(copy: Path, schemas: Path, data: Path, today: dt.date) -> Report:
    options = LoadOptions(
        copy,
        schemas,
        today,
        root=copy.parent,
        reference_dir=data / "reference",
        allow_examples=True,  # fictional records already there are `make check`'s business
    )
    _, report = load_catalogue(options)
    return report


def _blame(report: Report, results: list[PlaceResult]) -> bool:
    """Mark failed the places whose workshops the validator refuses; False if others are at fault."""
    owners = {f"atelier « {w['id']} »": r for r in results if not r.error for w in r.written}
    if any(error.subject not in owners for error in report.errors):
        return False
    for error in report.errors:
        owner = owners[error.subject]
        if not owner.error:
            owner.error = f"atelier refusé par la vérification : {error.subject}, {_problem(error)}"
            owner.workshops, owner.written = [], []
    return True


# --- summaries ---------------------------------------------------------------------------


def failure_line(result: PlaceResult) -> str:
    return (
        f"Erreur : lieu « {result.place} », agenda {result.url or '(sans adresse)'} : {result.error} ; "
        "ses ateliers restent ceux de la dernière lecture."
    )


def _counts(results: list[PlaceResult]) -> str:
    added = sum(len(r.added) for r in results)
    changed = sum(len(r.changed) for r in results)
    removed = sum(len(r.removed) for r in results)
    return ", ".join(
        [
            count_fr(added, "atelier ajouté", "ateliers ajoutés"),
            count_fr(changed, "modifié", "modifiés"),
            count_fr(removed, "retiré", "retirés"),
        ]
    )


def text_summary(run: Run) -> str:
    lines = []
    for r in run.results:
        if r.error:
            continue
        lines.append(
            f"{r.place} : {count_fr(len(r.written), 'atelier', 'ateliers')}, "
            f"{count_fr(r.sessions, 'séance', 'séances')} ({r.url})"
        )
        lines.extend(f"  Attention : {note}." for note in r.notes)
    lines.append(f"data/workshops.yaml : {_counts(run.results)}.")
    if run.failed:
        lines.append(
            f"{count_fr(len(run.failed), 'agenda illisible', 'agendas illisibles')} (voir ci-dessus)."
        )
    lines.append("Fichiers modifiés : " + (", ".join(run.changed_files) or "aucun") + ".")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~!&])")
_REFERENCE = re.compile(r"([@#])|(?i:\b(GH-)(?=\d))|(?i:\b(https?|ftp|mailto|xmpp|www)(?=[:.]))")
WORD_JOINER = "\u2060"


def feed_text(text: str, limit: int = 500) -> str:
    """Text from a feed (or its errors) as plain Markdown of one line in the pull request's
    description: no emphasis, code, table cell, HTML, link or image (backslash before
    `` \\ ` * _ [ ] < > | ~ ! & ``), no mention, issue reference or autolink (a word joiner
    after ``@``, ``#``, ``GH-``, ``https``, ``www``…). As ``forms.render.escape``, and bare
    addresses and ``owner/repo#1`` too."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    return _REFERENCE.sub(lambda m: m.group(0) + WORD_JOINER, text)


def markdown_summary(run: Run) -> str:
    """The description of the pull request of the daily job."""
    out = ["## Ateliers lus dans les agendas des lieux", ""]
    if not run.results:
        return "\n".join([*out, "Aucun lieu n'indique d'agenda (`x_agenda`) : rien à lire.", ""])
    out += ["| lieu | agenda | ateliers | séances | lecture |", "|---|---|---:|---:|---|"]
    for r in run.results:
        state = f"**échec** : {feed_text(r.error)}" if r.error else "lu"
        workshops = "—" if r.error else str(len(r.written))
        sessions = "—" if r.error else str(r.sessions)
        out.append(f"| `{r.place}` | {_cell(r.url)} | {workshops} | {sessions} | {state} |")
    out += ["", f"**data/workshops.yaml** : {_counts(run.results)}.", ""]
    for label, attribute in (("ajoutés", "added"), ("modifiés", "changed"), ("retirés", "removed")):
        idents = [i for r in run.results for i in getattr(r, attribute)]
        if idents:
            out += [f"### Ateliers {label} ({len(idents)})", ""]
            out += [f"- `{i}` : {feed_text(run.titles.get(i, ''))}" for i in idents]
            out.append("")
    if run.failed:
        out += [
            f"### Agendas illisibles ({len(run.failed)})",
            "",
            "Les ateliers de ces lieux restent ceux de la dernière lecture. Vérifiez l'adresse "
            "(champ `x_agenda.ics` du lieu dans `data/sites.yaml`) avec le lieu.",
            "",
        ]
        out += [f"- `{r.place}` ({_cell(r.url)}) : {feed_text(r.error)}" for r in run.failed]
        out.append("")
    notes = [(r.place, n) for r in run.results if not r.error for n in r.notes]
    if notes:
        out += ["### Événements non repris ou complétés", ""]
        out += [f"- `{place}` : {feed_text(note)}" for place, note in notes]
        out.append("")
    out.append("Fichiers modifiés : " + (", ".join(f"`{f}`" for f in run.changed_files) or "aucun") + ".")
    return "\n".join(out) + "\n"


# --- command line --------------------------------------------------------------------------


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mednum agendas", usage=USAGE, add_help=False)
    parser.add_argument("--download", action="store_true")
    parser.add_argument("--from", dest="folder", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--schemas", type=Path, default=None)
    parser.add_argument("--summary", type=Path, default=None)
    parser.add_argument("--lieu", action="append", default=[])
    parser.add_argument("--date", default=None)
    parser.add_argument("--weeks", type=int, default=None)
    return parser


def main(argv: Sequence[str] | None = None, fetch: Fetch | None = None) -> int:
    """``python -m mednum agendas …``; ``fetch`` replaces the download (tests)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["agendas"]:
        args_list = args_list[1:]
    try:
        args = _parser().parse_args(args_list)
        if fetch is None and bool(args.download) == bool(args.folder):
            raise _UsageError("--download ou --from DOSSIER (l'un des deux)")
        today = dt.date.fromisoformat(args.date) if args.date else None
        if args.weeks is not None and not 1 <= args.weeks <= 104:
            raise _UsageError("--weeks : de 1 à 104 semaines")
    except (_UsageError, ValueError) as error:
        print(f"Erreur : arguments invalides ({error}).\nUtilisation : {USAGE}", file=sys.stderr)
        return 2
    try:
        if fetch is None and args.folder is not None:
            fetch = folder_fetch(args.folder, _urls(args.data, args.schemas))
        run = refresh(args.data, fetch or download, today, args.weeks, None, args.schemas, args.lieu)
    except AgendaError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except InvalidCatalogue as error:
        print(error.report.text(warnings=False), file=sys.stderr)
        print(
            f"Erreur : le catalogue n'est pas valide (voir ci-dessus) : {args.data} n'a pas été modifié.",
            file=sys.stderr,
        )
        return 1
    except OSError as error:
        print(f"Erreur : écriture dans {args.data} impossible ({error.strerror or error})", file=sys.stderr)
        return 2
    if not run.results:
        print("Aucun lieu n'indique d'agenda (x_agenda) : rien à lire.")
    for result in run.failed:
        print(failure_line(result), file=sys.stderr)
    if run.results:
        print(text_summary(run))
    if args.summary is not None:
        write_text(args.summary, markdown_summary(run))
    return 3 if run.failed else 0


def _urls(data: Path, schemas: Path | None) -> dict[str, str]:
    """Address → place id, for ``--from``: the feed of place ``p`` is the file ``p.ics``."""
    schema = Schema((schemas or Path(data).resolve().parent / "schemas") / SITES.schema_file, SITES)
    sites, _ = _records(Path(data) / SITES.filename, schema)
    return {
        str(s[FIELD].get("ics")): s["id"]
        for s in sites
        if isinstance(s.get(FIELD), dict) and isinstance(s.get("id"), str)
    }
