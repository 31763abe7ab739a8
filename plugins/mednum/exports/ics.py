"""``ateliers.ics`` and ``ateliers/<id>.ics``: upcoming workshop sessions as iCalendar (RFC 5545).

One VEVENT per upcoming session (``Workshop.upcoming(build date)``, recurring
sessions included), ``STATUS:CANCELLED`` for a cancelled one. Written by hand
so that the output is exactly under control:

* ``UID`` = ``<workshop id>-<start AAAAMMJJTHHMM>@<host of CATALOGUE_PUBLIC_URL>``:
  the same session keeps the same UID across builds, so calendar applications
  update it (a cancellation replaces the event) instead of duplicating it;
* ``DTSTAMP`` is the build date at 00:00 UTC, never "now";
* times are local times in ``Europe/Paris`` (``DTSTART;TZID=Europe/Paris:…``) and
  the file carries the matching VTIMEZONE (rules of the EU since 1996);
* ``LOCATION`` is the place and its address, ``GEO`` its coordinates, ``URL``
  the absolute address of the workshop page, ``DESCRIPTION`` plain text
  (registration, level, price, description);
* CRLF line endings, lines folded at 75 octets (never inside a UTF-8 character),
  text escaped (``\\``, ``;``, ``,``, line breaks).

The file of a workshop with no upcoming session holds only the time zone: its
address stays valid for the links of the workshop page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..model import Catalogue, Session, Workshop
from ..pages import url_workshop
from ..vocab import LEVELS, REGISTRATION_MODES, WORKSHOP_KINDS, label
from . import PUBLISHER, absolute, write_text

FILENAME = "ateliers.ics"
FOLDER = "ateliers"
TZID = "Europe/Paris"
PRODID = "-//Département de l'Hérault//Catalogue de la médiation numérique//FR"
CALENDAR_NAME = "Ateliers numériques dans l'Hérault"

VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape(text: str) -> str:
    """TEXT value (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (RFC 5545 §3.1), CRLF-terminated."""
    data = line.encode("utf-8")
    if len(data) <= 75:  # most lines: nothing to fold
        return line + "\r\n"
    parts: list[bytes] = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # do not split a UTF-8 sequence
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = 74  # continuation lines start with one space
    parts.append(data)
    return "\r\n ".join(part.decode("utf-8") for part in parts) + "\r\n"


def _local(moment: dt.datetime, zone: ZoneInfo) -> str:
    """Wall-clock time of ``moment`` (naive, in the catalogue's zone) in Paris."""
    paris = moment.replace(tzinfo=zone).astimezone(ZoneInfo(TZID))
    return paris.strftime("%Y%m%dT%H%M%S")


def uid(workshop: Workshop, session: Session, host: str) -> str:
    return f"{workshop.id}-{session.start:%Y%m%dT%H%M}@{host}"


def location(workshop: Workshop) -> tuple[str, tuple[float, float] | None]:
    site = workshop.site
    if site is not None:
        r = site.record
        parts = [
            site.name,
            r["adresse"],
            r.get("complement_adresse"),
            f"{r['code_postal']} {site.commune.nom}",
        ]
        return ", ".join(p for p in parts if p), site.coordinates
    a = workshop.address
    position = (a.latitude, a.longitude) if a.latitude is not None and a.longitude is not None else None
    return f"{a.name}, {a.street}, {a.postal_code} {a.commune.nom}", position


def description(workshop: Workshop, session: Session, url: str | None) -> str:
    r = workshop.record
    lines = []
    if workshop.example:
        lines.append("EXEMPLE FICTIF : cet atelier n'existe pas, il montre le fonctionnement du site.")
    if session.cancelled:
        lines.append("Séance annulée.")
    lines.append(f"{label(WORKSHOP_KINDS, workshop.kind)}, niveau {LEVELS[r['niveau']].lower()}.")
    tarif = r["tarif"]
    price = "Gratuit" if tarif["frais"] == "Gratuit" else "Payant"
    if tarif.get("pass_numerique"):
        price += ", Pass numérique accepté"
    lines.append(f"{price}.")
    inscription = r["inscription"]
    lines.extend(f"{REGISTRATION_MODES[m]}." for m in inscription["modes"])
    if "telephone" in inscription:
        lines.append(f"Téléphone : {inscription['telephone']}")
    if "courriel" in inscription:
        lines.append(f"E-mail : {inscription['courriel']}")
    if "lien" in inscription:
        lines.append(f"Inscription : {inscription['lien']}")
    if r.get("description"):
        lines.extend(["", r["description"].strip()])
    if url:
        lines.extend(["", f"Plus d'informations : {url}"])
    return "\n".join(lines)


def event(
    workshop: Workshop, session: Session, base: str, host: str, stamp: str, zone: ZoneInfo
) -> list[str]:
    url = absolute(base, url_workshop(workshop))
    where, position = location(workshop)
    title = f"[Exemple fictif] {workshop.title}" if workshop.example else workshop.title
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(workshop, session, host)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID={TZID}:{_local(session.start, zone)}",
        f"DTEND;TZID={TZID}:{_local(session.end, zone)}",
        f"SUMMARY:{escape(title)}",
        f"LOCATION:{escape(where)}",
    ]
    if position:
        lines.append(f"GEO:{position[0]:.6f};{position[1]:.6f}")
    lines.append(f"DESCRIPTION:{escape(description(workshop, session, url))}")
    if url:
        lines.append(f"URL:{url}")
    lines += [
        f"CATEGORIES:{escape(label(WORKSHOP_KINDS, workshop.kind))}",
        f"STATUS:{'CANCELLED' if session.cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


def calendar(name: str, events: list[list[str]]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for item in events:
        lines.extend(item)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)


def write(catalogue: Catalogue, out: Path, base: str, timezone: str = TZID) -> dict[str, int]:
    zone = ZoneInfo(timezone)
    host = urlsplit(base).hostname or "mednum-herault"
    stamp = f"{catalogue.build_date:%Y%m%d}T000000Z"
    everything: list[tuple[dt.datetime, str, list[str]]] = []
    for workshop in catalogue.workshops:
        events = [
            event(workshop, session, base, host, stamp, zone)
            for session in workshop.upcoming(catalogue.build_date)
        ]
        everything += [
            (s.start, workshop.id, e)
            for s, e in zip(workshop.upcoming(catalogue.build_date), events, strict=True)
        ]
        write_text(out / FOLDER / f"{workshop.id}.ics", calendar(f"{workshop.title} ({PUBLISHER})", events))
    everything.sort(key=lambda item: (item[0], item[1]))
    write_text(out / FILENAME, calendar(CALENDAR_NAME, [e for _, _, e in everything]))
    return {FILENAME: len(everything), f"{FOLDER}/*.ics": len(catalogue.workshops)}
