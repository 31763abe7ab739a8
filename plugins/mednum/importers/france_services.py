"""Import the ANCT national list of France Services (CSV) as help-point records.

The list (``liste-fs-AAAAMMJJ.csv``, Licence Ouverte) has one row per France
Services with its name, address, coordinates, e-mail, phone and one opening-hours
cell per weekday (``h_lundi`` … ``h_samedi``, e.g. ``09:00 - 12:00 / 13:30 - 17:00``).
Its columns changed between releases; the shape is told by the header
(``shapes.FRANCE_SERVICES_2022``: ``itinerance`` Oui/Non; ``shapes.FRANCE_SERVICES_2024``:
``type_fs`` Principal/Antenne, ``format_fs``, ``prise_rdv``, ``groupe_fs``).

Choices made by the conversion, visible on the site:

* the list covers France: with the reference data, only the rows of its
  département are kept (the others are counted, not reported), the commune comes
  from the INSEE code and coordinates far from the commune are dropped and reported;
* opening hours become OpenStreetMap ``opening_hours``, with ``; PH off``
  appended: the file says nothing about public holidays, and French public
  offices (France Services included) are closed on them;
* ``frais_a_charge: [Gratuit]``: the France Services charter makes the service free;
* ``format_fs`` ``Itinérante`` and ``Bus_équivalent`` are itinerant services;
  ``Fixe``, ``Multisites`` (one row per site) and ``Fixe_antenne(s)`` (an antenna,
  ``type_fs`` ``Antenne``) are fixed places; ``groupe_fs`` names the group an
  antenna belongs to (``structure_parente``);
* ``prise_rdv`` ``Oui``: the list says the place receives by appointment, so
  « Se présenter » is not offered and the page says to call first;
* the date of the list is the record's ``date_maj`` (from the file name
  ``liste-fs-AAAAMMJJ.csv`` or ``--date``): it is the date of the data, not of the import;
* no ``pivot``: the file has no SIRET, and an invented one would be worse than none.

A row that cannot be converted is reported with its line number and skipped; a
field that cannot be converted (phone, hours, e-mail…) is reported and left out,
and the rest of the row is imported.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from pathlib import Path

from ..french import phone_to_e164, slugify
from ..reference import Reference
from . import Candidate, ImportFileError, RowProblem, site_fields
from .csvfile import RowKeys, read_table
from .shapes import FRANCE_SERVICES_2022, FRANCE_SERVICES_2024, Shape, recognise

KIND = "france-services"
DAY_COLUMNS = (
    ("h_lundi", "Mo"),
    ("h_mardi", "Tu"),
    ("h_mercredi", "We"),
    ("h_jeudi", "Th"),
    ("h_vendredi", "Fr"),
    ("h_samedi", "Sa"),
)
FORMATS_FS = {
    "fixe": "Fixe",
    "multisites": "Fixe",
    "fixe_antenne(s)": "Fixe",
    "site principal": "Fixe",
    "itinérante": "Itinérant",
    "itinerante": "Itinérant",
    "bus_équivalent": "Itinérant",
    "bus_equivalent": "Itinérant",
}

SOURCE = "ANCT, liste nationale des France Services"

# Same patterns as schemas/sites.schema.json: a value the schema would refuse is
# reported here, at its CSV line, rather than later at build time.
_POSTCODE = re.compile(r"\d{5}")
_INSEE = re.compile(r"([013-9]\d|2[AB1-9])\d{3}")
_PHONE = re.compile(r"\+33\d{9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}")
_RANGE = re.compile(r"(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})")
_CLOSED = {"", "-"}
_DATED_NAME = re.compile(r"liste-fs-(\d{4})(\d{2})(\d{2})")


class HoursError(ValueError):
    """An opening-hours cell that cannot be read; the message is French."""


def dated_name(path: Path) -> bool:
    """The file's name gives the list's date (``liste-fs-AAAAMMJJ.csv``)."""
    return bool(_DATED_NAME.search(Path(path).name))


def list_date(path: Path, date_maj: str | None) -> str:
    """The date of the list: given, else read from ``liste-fs-AAAAMMJJ.csv``."""
    if date_maj is None:
        match = _DATED_NAME.search(path.name)
        if not match:
            raise ImportFileError(
                f"{path} : date de la liste inconnue (le nom du fichier n'est pas liste-fs-AAAAMMJJ.csv) : "
                "indiquez-la avec --date AAAA-MM-JJ"
            )
        date_maj = "-".join(match.groups())
    try:
        return dt.date.fromisoformat(date_maj).isoformat()
    except ValueError:
        raise ImportFileError(f"date « {date_maj} » invalide : AAAA-MM-JJ attendu") from None


def read(path: str | Path, date_maj: str | None = None, reference: Reference | None = None):
    """Convert the CSV at ``path``; ``date_maj`` is the date of the list (else from its name).

    With ``reference``, only the rows of its département are kept and communes and
    coordinates are checked against it.
    """
    from .national import MappedResult

    path = Path(path)
    shape = recognise(path, "france-services")
    date_maj = list_date(path, date_maj)
    _, rows, problems = read_table(path, shape.delimiter, shape.required, shape.label)
    result = MappedResult(problems=problems, rows_read=len(rows) + len(problems))
    converted: list[tuple[int, dict, str]] = []
    keys: dict[int, str] = {}
    read_keys = RowKeys("id_fs")
    for line, raw in rows:
        row = {name: (value or "").strip() for name, value in raw.items()}
        key = row.get("id_fs") or f"ligne-{line}"
        if read_keys.repeated(key, line, result.problems):
            continue
        record, messages = convert_row(row, date_maj, shape, reference, result)
        result.problems.extend(RowProblem(line, message) for message in messages)
        if record is not None:
            converted.append((line, record, record["commune"]))
            keys[id(record)] = key
    result.records = _unique_ids(converted, result.problems)
    result.candidates = [Candidate(keys[id(record)], line, record, KIND) for line, record, _ in converted]
    result.problems.sort(key=lambda problem: problem.line)
    return result


def convert_row(
    row: dict[str, str],
    date_maj: str,
    shape: Shape = FRANCE_SERVICES_2022,
    reference: Reference | None = None,
    result=None,
) -> tuple[dict | None, list[str]]:
    """One CSV row → (record or None when the row is unusable, French problems)."""
    from .national import coordinates, find_commune

    problems: list[str] = []
    labels = {
        "lib_fs": "nom",
        "adresse": "adresse",
        "code_postal": "code postal",
        "lib_com": "commune",
        "insee_com": "code INSEE",
    }
    missing = [label for column, label in labels.items() if not row[column]]
    if missing:
        return None, [f"{', '.join(missing)} manquant(s) : ligne ignorée"]
    if not _POSTCODE.fullmatch(row["code_postal"]):
        return None, [f"code postal « {row['code_postal']} » invalide : ligne ignorée"]
    if not _INSEE.fullmatch(row["insee_com"]):
        return None, [f"code INSEE « {row['insee_com']} » invalide : ligne ignorée"]
    if not slugify(row["lib_fs"]):
        return None, [f"nom « {row['lib_fs']} » sans lettre ni chiffre : ligne ignorée"]
    commune_name = row["lib_com"]
    commune = None
    if reference is not None:
        commune, reason = find_commune(reference, row["insee_com"], row["lib_com"], row["code_postal"])
        if commune is None:
            if reason is None:
                if result is not None:
                    result.outside += 1
                return None, []
            return None, [reason]
        commune_name = commune.nom

    record: dict = {
        "id": slugify(row["lib_fs"]),
        "nom": row["lib_fs"],
        "adresse": row["adresse"],
        "complement_adresse": row["complement_adresse"] or None,
        "code_postal": row["code_postal"],
        "commune": commune_name,
        "code_insee": row["insee_com"],
        "typologie": ["RFS"],
        "source": f"{SOURCE} ({date_maj})",
        "date_maj": date_maj,
        "services": ["Aide aux démarches administratives"],
        "dispositif_programmes_nationaux": ["France Services"],
        "frais_a_charge": ["Gratuit"],
        "modalites_acces": ["Se présenter", "Téléphoner"],
        "modalites_accompagnement": ["Accompagnement individuel"],
    }
    if commune is not None:
        position, reason = coordinates(reference, commune, row["latitude"], row["longitude"])
        if position:
            record["latitude"], record["longitude"] = position
        elif reason:
            problems.append(reason)
    else:
        position = _coordinates(row["latitude"], row["longitude"])
        if position:
            record["latitude"], record["longitude"] = position
        elif row["latitude"] or row["longitude"]:
            problems.append(
                f"coordonnées « {row['latitude']}, {row['longitude']} » illisibles : "
                "fiche importée sans coordonnées"
            )
    if row["telephone"]:
        phone = phone_to_e164(row["telephone"])
        if phone and _PHONE.fullmatch(phone):
            record["telephone"] = phone
        else:
            problems.append(f"téléphone « {row['telephone']} » illisible : fiche importée sans téléphone")
    if row["mail"]:
        if _EMAIL.fullmatch(row["mail"]):
            record["courriels"] = [row["mail"]]
            record["modalites_acces"].append("Contacter par mail")
        else:
            problems.append(f"courriel « {row['mail']} » invalide : fiche importée sans courriel")
    try:
        hours = opening_hours({day: row[column] for column, day in DAY_COLUMNS})
    except HoursError as error:
        problems.append(f"{error} : fiche importée sans horaires")
    else:
        if hours:
            record["horaires"] = hours
        else:
            problems.append("aucun horaire indiqué : fiche importée sans horaires")
    detail = []
    if shape is FRANCE_SERVICES_2024:
        problems.extend(_format_2024(row, record, detail))
    else:
        itinerance = {"oui": ["Itinérant"], "non": ["Fixe"]}.get(row["itinerance"].lower())
        if itinerance:
            record["itinerance"] = itinerance
        elif row["itinerance"]:
            problems.append(f"itinérance « {row['itinerance']} » inconnue (Oui ou Non attendu)")
    comment = clean_comment(row["commentaire"])
    if comment:
        detail.append(f"Précisions sur les horaires : {comment}")
    if detail:
        record["presentation_detail"] = "\n\n".join(detail)
    ordered = {name: record[name] for name in site_fields() if record.get(name) is not None}
    return ordered, problems


def _format_2024(row: dict[str, str], record: dict, detail: list[str]) -> list[str]:
    """``format_fs``, ``type_fs``, ``groupe_fs`` and ``prise_rdv`` of the 2024 list."""
    problems = []
    fmt = row["format_fs"]
    itinerance = FORMATS_FS.get(fmt.strip().lower())
    if itinerance:
        record["itinerance"] = [itinerance]
    elif fmt:
        problems.append(
            f"format_fs « {fmt} » inconnu (Fixe, Multisites, Fixe_antenne(s), Itinérante ou "
            "Bus_équivalent attendu) : itinérance non reprise"
        )
    if row["type_fs"].strip().lower() not in {"", "principal", "antenne"}:
        problems.append(f"type_fs « {row['type_fs']} » inconnu (Principal ou Antenne attendu)")
    group = row.get("groupe_fs", "").strip()
    if group:
        record["structure_parente"] = f"France services {group}"
    appointment = row["prise_rdv"].strip().lower()
    if appointment == "oui":
        record["modalites_acces"].remove("Se présenter")
        detail.append("Accueil sur rendez-vous : appelez avant de venir.")
    elif appointment not in {"", "non"}:
        problems.append(f"prise_rdv « {row['prise_rdv']} » inconnue (Oui ou Non attendu)")
    return problems


def _coordinates(latitude: str, longitude: str) -> tuple[float, float] | None:
    try:
        lat, lon = float(latitude.replace(",", ".")), float(longitude.replace(",", "."))
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def day_ranges(cell: str) -> list[tuple[int, int]]:
    """``"09:00 - 12:00 / 13:30 - 17:00"`` → ``[(540, 720), (810, 1020)]`` (minutes).

    Empty or ``-`` means closed: ``[]``. Raises ``HoursError`` when unreadable.
    """
    cell = cell.strip()
    if cell in _CLOSED:
        return []
    ranges: list[tuple[int, int]] = []
    for part in cell.split("/"):
        match = _RANGE.fullmatch(part.strip())
        if not match:
            raise HoursError(f"horaire « {cell} » illisible (attendu « 09:00 - 12:00 / 13:30 - 17:00 »)")
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if start_m > 59 or end_m > 59 or end > 24 * 60 or end <= start:
            raise HoursError(f"plage horaire « {part.strip()} » impossible dans « {cell} »")
        if ranges and start < ranges[-1][1]:
            raise HoursError(f"plages horaires qui se chevauchent dans « {cell} »")
        ranges.append((start, end))
    return ranges


def opening_hours(cells: dict[str, str]) -> str | None:
    """Weekday cells (``{"Mo": "09:00 - 12:00", …}``) → OSM opening_hours, or None if all closed.

    Consecutive days with the same hours are grouped (``Mo-Fr``); ``; PH off`` is
    appended because French public offices close on public holidays.
    """
    days = [(day, day_ranges(cell)) for day, cell in cells.items()]
    groups: list[tuple[str, str, list[tuple[int, int]]]] = []
    for day, ranges in days:
        if groups and groups[-1][2] == ranges and _follows(groups[-1][1], day, cells):
            groups[-1] = (groups[-1][0], day, ranges)
        else:
            groups.append((day, day, ranges))
    rules = [
        f"{first if first == last else f'{first}-{last}'} {','.join(map(_range_text, ranges))}"
        for first, last, ranges in groups
        if ranges
    ]
    return "; ".join([*rules, "PH off"]) if rules else None


def _follows(previous: str, day: str, cells: dict[str, str]) -> bool:
    order = list(cells)
    return order.index(day) == order.index(previous) + 1


def _range_text(minutes: tuple[int, int]) -> str:
    return "-".join(f"{m // 60:02d}:{m % 60:02d}" for m in minutes)


def clean_comment(text: str) -> str:
    """Strip lines, keep at most one blank line between paragraphs, undo doubled quotes."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    cleaned = ["\n".join(line.strip() for line in p.split("\n")) for p in paragraphs]
    # The national export escapes quotes several times (""""ALLER VERS"""").
    return re.sub(r'"{2,}', '"', "\n\n".join(p for p in cleaned if p))


def _unique_ids(converted: list[tuple[int, dict, str]], problems: list[RowProblem]) -> list[dict]:
    """Suffix the commune to ids shared by several rows, then a number if still taken.

    Ids that no other row shares are reserved first: a place keeps the id its own
    name gives even when another row's commune suffix produces the same one.
    """
    counts = Counter(record["id"] for _, record, _ in converted)
    taken = {record["id"]: line for line, record, _ in converted if counts[record["id"]] == 1}
    for line, record, commune in converted:
        if counts[record["id"]] == 1:
            continue
        wanted = candidate = f"{record['id']}-{slugify(commune)}"
        number = 1
        while candidate in taken:
            number += 1
            candidate = f"{wanted}-{number}"
        if candidate != wanted:
            problems.append(
                RowProblem(
                    line,
                    f"l'identifiant « {wanted} » est déjà pris par la ligne {taken[wanted]} : "
                    f"cette fiche reçoit l'identifiant « {candidate} »",
                )
            )
        record["id"] = candidate
        taken[candidate] = line
    return [record for _, record, _ in converted]
