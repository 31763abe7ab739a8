"""Import the national *lieux de médiation numérique* CSV (schéma v1.x) as help-point records.

The national standard (LaMednum/ANCT) is a comma-separated CSV in UTF-8 with one
row per place; a field with several values joins them with ``|``. Its field
names are ours (``data/sites.yaml`` follows the standard), so the conversion is
mostly a matter of splitting lists and checking values:

* only places of the département (the reference data's) are kept: a row whose INSEE code (or, without one,
  whose postal code) is outside the département is skipped and counted, not
  reported — the national file covers all of France;
* a missing ``code_insee`` is derived from the commune name and the postal code
  (``mednum.reference``); a row where that is impossible is reported and skipped;
* the commune name is written as in the reference (``MONTPELLIER`` → ``Montpellier``);
* ``pivot`` "00000000000000" (what our own export writes when we have no SIRET)
  means "no pivot";
* a value outside the standard's lists is reported and left out, the rest of the
  row is imported; a row without any known ``services`` value is skipped
  (the field is required in ``data/sites.yaml``);
* ids that are not lowercase slugs (UUIDs, ``Structure-1``…) are slugified, so
  that re-importing the same file updates the same records;
* ``source`` is required here but optional in the standard: when missing it
  becomes « Fichier national des lieux de médiation numérique ».

The columns are those of the standard's official Table Schema, shipped with the
package (``schema.NATIONAL_STANDARD``): a file without one of its required columns is
refused (``shapes.NATIONAL``). The standard has no local fields (``x_…``); what a
re-import may replace in ``data/sites.yaml`` is decided by ``consolidate``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..checks import NEAR_COMMUNE_MARGIN_KM
from ..french import format_distance_km, phone_to_e164, slugify
from ..geo import haversine_km
from ..opening_hours import OpeningHoursError
from ..opening_hours import parse as parse_hours
from ..reference import Commune, Reference, ReferenceDataError, load_reference
from . import Candidate, ImportFileError, ImportResult, RowProblem, site_enums, site_fields
from .csvfile import clean, read_table
from .shapes import NATIONAL

NO_PIVOT = "00000000000000"
DEFAULT_SOURCE = "Fichier national des lieux de médiation numérique"

# The closed lists of schemas/sites.schema.json (= the national standard v1.0.2), read
# once on import: herault builds its lookup tables from them.
ENUMS: dict[str, tuple[str, ...]] = site_enums()
# How the importer converts the other columns of the standard (conversion rules, not a
# copy of the schema): text copied as written, addresses checked as web addresses.
TEXT_FIELDS = (
    "nom",
    "adresse",
    "complement_adresse",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "structure_parente",
)
URL_FIELDS = ("fiche_acces_libre", "prise_rdv")

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PIVOT = re.compile(r"[a-zA-Z0-9]{9,14}")
_POSTCODE = re.compile(r"\d{5}")
_INSEE = re.compile(r"([013-9]\d|2[AB1-9])\d{3}")
_PHONE = re.compile(r"(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*")


@dataclass
class MappedResult(ImportResult):
    """An import result that also tells what was left aside without being an error."""

    outside: int = 0  # rows of places outside the département, skipped
    unmapped: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (column, value) → lines

    def note_unmapped(self, column: str, value: str, line: int) -> None:
        self.unmapped.setdefault((column, value), []).append(line)

    def unmapped_lines(self) -> list[str]:
        """« publics « Stagiaire en formation » : 2 lignes (4, 7) », sorted by column then value."""
        out = []
        for (column, value), lines in sorted(self.unmapped.items()):
            where = ", ".join(str(n) for n in lines[:10]) + (", …" if len(lines) > 10 else "")
            count = f"{len(lines)} ligne" + ("s" if len(lines) > 1 else "")
            out.append(f"{column} « {value} » : {count} ({where})")
        return out


# --- shared by the importers of this package -----------------------------------------


def normalize(text: str) -> str:
    """Comparison key: NFKC (non-breaking and narrow spaces become spaces), one space, no case."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def reference_for(data_dir: Path) -> Reference:
    try:
        return load_reference(Path(data_dir) / "reference")
    except ReferenceDataError as error:
        raise ImportFileError(f"données de référence des communes illisibles : {error}") from None


def find_commune(
    reference: Reference, code_insee: str, name: str, postal_code: str
) -> tuple[Commune | None, str | None]:
    """(commune, None), (None, None) when outside the département, or (None, French reason to report).

    Without an INSEE code, the commune is the one of that name whose postal codes
    include ``postal_code`` (« St Jean de Védas » finds Saint-Jean-de-Védas).
    """
    if code_insee:
        if not _INSEE.fullmatch(code_insee):
            return None, f"code INSEE « {code_insee} » invalide : ligne ignorée"
        commune = reference.commune(code_insee)
        if commune is None:
            if not code_insee.startswith(reference.department_prefix):
                return None, None
            return None, f"code INSEE « {code_insee} » inconnu dans le département : ligne ignorée"
    else:
        # Postal codes start like the INSEE codes of their département (Corsica aside: 20).
        if _POSTCODE.fullmatch(postal_code) and not postal_code.startswith(reference.department_prefix[:2]):
            return None, None
        matches = reference.communes_named(name)
        with_code = [c for c in matches if postal_code in c.codes_postaux]
        if len(with_code) == 1:
            commune = with_code[0]
        elif len(matches) == 1 and not _POSTCODE.fullmatch(postal_code):
            commune = matches[0]
        else:
            if not matches:
                reason = f"commune « {name} » inconnue {reference.department.in_}"
            elif not with_code:
                reason = f"le code postal « {postal_code} » n'est pas celui de {matches[0].nom}"
            else:
                reason = f"plusieurs communes « {name} » avec le code postal {postal_code}"
            return None, f"code INSEE manquant et impossible à retrouver ({reason}) : ligne ignorée"
    if postal_code and postal_code not in commune.codes_postaux:
        return None, (
            f"le code postal « {postal_code} » n'est pas celui de {commune.nom} "
            f"({', '.join(commune.codes_postaux)}) : ligne ignorée"
        )
    return commune, None


def coordinates(
    reference: Reference, commune: Commune, latitude: str, longitude: str
) -> tuple[tuple[float, float] | None, str | None]:
    """Checked coordinates, or None with the French reason (the row is kept without them)."""
    if not latitude and not longitude:
        return None, None
    try:
        lat, lon = float(latitude.replace(",", ".")), float(longitude.replace(",", "."))
    except ValueError:
        lat = lon = math.nan
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None, f"coordonnées « {latitude}, {longitude} » illisibles : fiche importée sans coordonnées"
    lat, lon = round(lat, 6), round(lon, 6)
    if not reference.contains(lat, lon):
        swapped = " (latitude et longitude inversées ?)" if reference.contains(lon, lat) else ""
        return None, f"coordonnées hors {reference.department.of}{swapped} : fiche importée sans coordonnées"
    distance = haversine_km(lat, lon, commune.latitude, commune.longitude)
    if distance > commune.rayon_km + NEAR_COMMUNE_MARGIN_KM:
        return None, (
            f"coordonnées à {format_distance_km(distance)} du centre de {commune.nom} : "
            "fiche importée sans coordonnées"
        )
    return (lat, lon), None


def check_hours(text: str) -> str | None:
    """None if ``text`` is valid opening_hours, else the French reason."""
    try:
        parse_hours(text)
    except OpeningHoursError as error:
        return f"horaires « {text} » illisibles ({error}) : fiche importée sans horaires"
    return None


def parse_date(text: str) -> str | None:
    """ISO date from ``2024-04-02``, ``2024-04-02T10:00:00``, ``02/04/2024``; else None."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?", text)
    if match:
        candidate = match.group(1)
    else:
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if not match:
            return None
        candidate = f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    try:
        return dt.date.fromisoformat(candidate).isoformat()
    except ValueError:
        return None


def ordered(record: dict) -> dict:
    """``record`` without its empty fields, in the order of ``schemas/sites.schema.json``."""
    return {name: record[name] for name in site_fields() if record.get(name) not in (None, [], "")}


def unique_ids(converted: list[tuple[int, dict]], problems: list[RowProblem]) -> list[dict]:
    """The first row keeps an id; later rows with the same id are reported and skipped."""
    seen: dict[str, int] = {}
    records = []
    for line, record in converted:
        if record["id"] in seen:
            problems.append(
                RowProblem(
                    line,
                    f"identifiant « {record['id']} » déjà utilisé ligne {seen[record['id']]} : ligne ignorée",
                )
            )
            continue
        seen[record["id"]] = line
        records.append(record)
    return records


# --- the national CSV ------------------------------------------------------------------


def read(path: str | Path, reference: Reference) -> MappedResult:
    """Convert the national CSV at ``path``, keeping the places of the reference data's département."""
    path = Path(path)
    _, rows, problems = read_table(path, NATIONAL.delimiter, NATIONAL.required, NATIONAL.label)
    result = MappedResult(problems=problems, rows_read=len(rows) + len(problems))
    converted: list[tuple[int, dict]] = []
    keys: dict[int, str] = {}
    for line, row in rows:
        record, messages = convert_row(row, reference, result, line)
        result.problems.extend(RowProblem(line, message) for message in messages)
        if record is not None:
            converted.append((line, record))
            keys[id(record)] = clean(row.get("id") or "")
    result.records = unique_ids(converted, result.problems)
    kept = {id(record) for record in result.records}
    result.candidates = [
        Candidate(keys[id(record)], line, record) for line, record in converted if id(record) in kept
    ]
    result.problems.sort(key=lambda problem: problem.line)
    return result


def split(value: str) -> list[str]:
    """``a|b||c`` → ``["a", "b", "c"]`` (non-breaking spaces made ordinary)."""
    return [clean(part) for part in value.split("|") if clean(part)]


def convert_row(
    raw: dict[str, str], reference: Reference, result: MappedResult, line: int
) -> tuple[dict | None, list[str]]:
    """One CSV row → (record or None when it cannot be imported, French problems)."""
    row = {name: clean(value or "") for name, value in raw.items()}
    problems: list[str] = []
    labels = {"id": "id", "nom": "nom", "adresse": "adresse", "commune": "commune", "date_maj": "date_maj"}
    missing = [label for column, label in labels.items() if not row.get(column)]
    if missing:
        return None, [f"{', '.join(missing)} manquant(s) : ligne ignorée"]
    if not _POSTCODE.fullmatch(row.get("code_postal", "")):
        return None, [f"code postal « {row.get('code_postal', '')} » invalide (5 chiffres) : ligne ignorée"]
    commune, reason = find_commune(reference, row.get("code_insee", ""), row["commune"], row["code_postal"])
    if commune is None:
        if reason is None:
            result.outside += 1
            return None, []
        return None, [reason]
    record_id = row["id"] if _ID.fullmatch(row["id"]) else slugify(row["id"])
    if not record_id or len(record_id) > 80:
        return None, [f"identifiant « {row['id']} » inutilisable : ligne ignorée"]
    date_maj = parse_date(row["date_maj"])
    if date_maj is None:
        return None, [f"date_maj « {row['date_maj']} » invalide (AAAA-MM-JJ) : ligne ignorée"]

    record: dict = {
        "id": record_id,
        "code_postal": row["code_postal"],
        "commune": commune.nom,
        "code_insee": commune.code_insee,
        "date_maj": date_maj,
    }
    for name in TEXT_FIELDS:
        if row.get(name):
            record[name] = row[name]
    record.setdefault("source", DEFAULT_SOURCE)
    if len(record.get("presentation_resume", "")) > 280:
        problems.append("presentation_resume de plus de 280 caractères : fiche importée sans ce résumé")
        del record["presentation_resume"]
    if "horaires" in record:
        reason = check_hours(record["horaires"])
        if reason:
            problems.append(reason)
            del record["horaires"]
    pivot = row.get("pivot", "")
    if pivot and pivot != NO_PIVOT:
        if _PIVOT.fullmatch(pivot):
            record["pivot"] = pivot
        else:
            problems.append(f"pivot « {pivot} » invalide (SIRET ou RNA) : fiche importée sans pivot")
    position, reason = coordinates(reference, commune, row.get("latitude", ""), row.get("longitude", ""))
    if position:
        record["latitude"], record["longitude"] = position
    elif reason:
        problems.append(reason)
    if row.get("telephone"):
        phone = phone_to_e164(row["telephone"])
        if phone and _PHONE.fullmatch(phone):
            record["telephone"] = phone
        else:
            problems.append(f"téléphone « {row['telephone']} » illisible : fiche importée sans téléphone")
    for name, pattern, label in (("courriels", _EMAIL, "courriel"), ("site_web", _URL, "adresse web")):
        values = []
        for value in split(row.get(name, "")):
            if pattern.fullmatch(value):
                if value not in values:
                    values.append(value)
            else:
                problems.append(f"{label} « {value} » invalide : non repris")
        record[name] = values
    for name in URL_FIELDS:
        if row.get(name):
            if _URL.fullmatch(row[name]):
                record[name] = row[name]
            else:
                problems.append(f"{name} « {row[name]} » n'est pas une adresse web : non repris")
    for name, allowed in ENUMS.items():
        known = {normalize(value): value for value in allowed}
        values = []
        for value in split(row.get(name, "")):
            match = known.get(normalize(value))
            if match is None:
                problems.append(f"{name} : valeur « {value} » inconnue du schéma national : non reprise")
            elif match not in values:
                values.append(match)
        record[name] = values
    record["autres_formations_labels"] = list(dict.fromkeys(split(row.get("autres_formations_labels", ""))))
    if not record["services"]:
        return None, [*problems, "aucun service connu (champ services) : ligne ignorée"]
    return ordered(record), problems
