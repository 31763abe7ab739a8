"""Import the regional dataset of RhinOcc, the Occitanie hub for digital inclusion.

The file (``rhinocc-inclusion-dataset-geocoded.csv``, GitHub
``multi-coop/data-rhinocc-inclusion``) has one row per place for 13 départements,
geocoded with the national address base (``BAN_*`` columns). Its vocabulary is its
own; what the conversion does with it:

* rows whose ``departement`` is not the one of the reference data are counted, not
  reported (the file covers the region);
* the commune comes from ``ville`` and ``code_postal``; when that postal code is not
  the commune's (CEDEX codes such as 34204, typing slips such as 64360), the
  geocoded ``BAN_city``/``BAN_postcode`` are used and the correction is reported;
* **the kind of place is only written in its name** (« Lieux d'Accès Multimédia de
  AGDE (IFIIP) »): ``KINDS`` reads it into ``typologie`` and the services that kind
  gives (a Lieu d'Accès Multimédia gives access to computers and the internet; for
  France Services, ``dispositif_programmes_nationaux`` too); the carrying organisation in the name
  (« CCAS », « Médiathèque », « Association »…) adds its own typologie code (``CARRIERS``);
* **support codes** (``codes_types_mediations``, e.g. ``ACCDA-ACCDS``; their labels
  are in the dataset's ``rhinocc-inclusion-fields-custom-props.json``) become
  ``services`` and ``modalites_accompagnement`` (``SUPPORTS``); a row without code
  gets the services its kind implies (a France Services helps with online procedures);
* ``code_label`` ``APTIC`` means the place takes the Pass numérique (``x_pass_numerique``);
* ``conditions_acces_toutes_actions`` (``Gratuit;Payant;Sans Rendez-Vous``…) becomes
  ``frais_a_charge`` and ``modalites_acces`` (``CONDITIONS``);
* ``structure_porteuse``, the structure that hosts the place (« Mairie », « Espace
  gare »), becomes ``complement_adresse``: it tells where to go in;
* phones become ``+33…``; a short number (3646, 39 60) cannot be a ``telephone``
  in the standard: it is written in ``presentation_detail`` so that people still see
  it; e-mails are split on « ou », commas and spaces; a contact meant for businesses
  (« Contact pour entreprise : … ») is left out;
* ``date_maj`` is written « juil-22 » or « Décembre 2019 »: the first day of that
  month is the record's date (the date of the data, not of the import);
* weekday columns (``lundi``…``dimanche``, « 14h-18h », « 10h-12h30 / 14h-18h »,
  « Fermé ») become ``horaires`` (empty for every Hérault row in the 2022 release);
* **itinerant stops**: rows named « … itinérant(e) … » are stops of an itinerant
  service (« France Services itinérante de BERLOU (MSA DU LANGUEDOC) »): their
  candidate says which service (``Candidate.stop_of``), and the consolidation
  (``consolidate``) attaches them to that service as ``x_arrets``.

Values that have no equivalent in the standard are listed, with their lines, in the
report of unmapped values (``MappedResult.unmapped``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..french import phone_to_e164, slugify
from ..geo import haversine_km
from ..reference import Reference
from . import Candidate, RowProblem
from .csvfile import RowKeys, read_table
from .france_services import HoursError, opening_hours
from .national import (
    _EMAIL,
    _PHONE,
    _POSTCODE,
    _URL,
    ENUMS,
    MappedResult,
    coordinates,
    find_commune,
    normalize,
    ordered,
)
from .shapes import RHINOCC

SOURCE = "RhinOcc, réseau régional de l'inclusion numérique en Occitanie"
DEMARCHES = "Aide aux démarches administratives"
QUOTIDIEN = "Maîtrise des outils numériques du quotidien"
INTERNET = "Accès internet et matériel informatique"

# Kind of place, read in the name: (pattern, kind for matching, fields of the standard).
KINDS: tuple[tuple[str, str, dict[str, list[str]]], ...] = (
    (
        r"france services",
        "france-services",
        {"typologie": ["RFS"], "dispositif_programmes_nationaux": ["France Services"]},
    ),
    (r"maison de services? au public|\bmsap\b", "france-services", {}),
    (r"caisse d.allocations familiales", "caf", {"typologie": ["CAF"]}),
    (r"caisse primaire d.assurance maladie", "cpam", {"typologie": ["CPAM"]}),
    (r"mutualite sociale agricole", "msa", {}),
    (r"pole emploi|france travail", "france-travail", {"typologie": ["FT"]}),
    (r"agence retraite", "carsat", {}),
    (r"lieux? d.acces multimedias?|\blam\b", "mediation", {"typologie": ["EPN"], "services": [INTERNET]}),
    (r"espace de mediation numerique", "mediation", {"typologie": ["EPN"], "services": [QUOTIDIEN]}),
    (r"point d.accueil numerique", "mediation", {"services": [DEMARCHES]}),
    (r"relais numerique itinerant", "mediation", {"services": [QUOTIDIEN]}),
)
# Carrying organisations named in the place's name → typologie.
CARRIERS: tuple[tuple[str, str], ...] = (
    (r"\bccas\b", "CCAS"),
    (r"mediatheque|bibliotheque", "BIB"),
    (r"centre socio.?culturel", "CSC"),
    (r"centre social|espace de vie sociale", "CS"),
    (r"association|\bligue de l.enseignement|familles rurales|\bassoc\b", "ASSO"),
    (r"\(commune\)|\bmairie\b", "MUNI"),
    (r"la poste", "LA_POSTE"),
)
# codes_types_mediations → services and support modes (labels from the dataset's code list).
SUPPORTS: dict[str, dict[str, list[str]]] = {
    "ORD": {"services": [INTERNET], "modalites_accompagnement": ["En autonomie"]},
    "ORDM": {"services": [INTERNET], "modalites_accompagnement": ["Accompagnement individuel"]},
    "REP": {"services": [QUOTIDIEN], "modalites_accompagnement": ["Dans un atelier collectif"]},
    "FL": {"services": ["Loisirs et créations numériques"], "typologie": ["FABLAB"]},
    "W": {"services": [INTERNET], "typologie": ["TIERS_LIEUX"]},
    "ACCDS": {"services": [DEMARCHES], "modalites_accompagnement": ["Accompagnement individuel"]},
    "ACCDA": {"services": [DEMARCHES], "modalites_accompagnement": ["Accompagnement individuel"]},
    "SENS": {
        "services": ["Compréhension du monde numérique"],
        "modalites_accompagnement": ["Dans un atelier collectif"],
    },
    "ACCN": {"services": [QUOTIDIEN], "modalites_accompagnement": ["Accompagnement individuel"]},
    "COMP": {"services": [QUOTIDIEN], "modalites_accompagnement": ["Dans un atelier collectif"]},
    "PRO": {
        "services": ["Insertion professionnelle via le numérique"],
        "modalites_accompagnement": ["Dans un atelier collectif"],
    },
    "ENT": {"services": [QUOTIDIEN], "modalites_accompagnement": ["Dans un atelier collectif"]},
}
# Services of a row without support code, by kind.
DEFAULT_SERVICES = {
    "france-services": [DEMARCHES],
    "caf": [DEMARCHES],
    "cpam": [DEMARCHES],
    "msa": [DEMARCHES],
    "france-travail": [DEMARCHES],
    "carsat": [DEMARCHES],
    "mediation": [QUOTIDIEN],
}
# conditions_acces_toutes_actions → fields of the standard ([] = known, nothing to say).
CONDITIONS: dict[str, dict[str, list[str]]] = {
    "Gratuit": {"frais_a_charge": ["Gratuit"]},
    "Payant": {"frais_a_charge": ["Payant"]},
    "Sans Rendez-Vous": {"modalites_acces": ["Se présenter"]},
    "Sur Rendez-Vous": {"modalites_acces": ["Téléphoner"]},
    "Inscription obligatoire": {},
}
MONTHS = {
    "janv": 1, "janvier": 1, "fevr": 2, "fev": 2, "fevrier": 2, "mars": 3, "avr": 4, "avril": 4,
    "mai": 5, "juin": 6, "juil": 7, "juillet": 7, "aout": 8, "sept": 9, "septembre": 9,
    "oct": 10, "octobre": 10, "nov": 11, "novembre": 11, "dec": 12, "decembre": 12,
}  # fmt: skip
DAYS = (
    ("lundi", "Mo"),
    ("mardi", "Tu"),
    ("mercredi", "We"),
    ("jeudi", "Th"),
    ("vendredi", "Fr"),
    ("samedi", "Sa"),
    ("dimanche", "Su"),
)
_ITINERANT = re.compile(r"\bitinerant", re.IGNORECASE)
_CONDITIONS = {normalize(k): v for k, v in CONDITIONS.items()}


def read(path: str | Path, reference: Reference, default_date: str | None = None) -> MappedResult:
    """Convert the RhinOcc CSV at ``path``; ``default_date`` (AAAA-MM-JJ) for rows without date."""
    path = Path(path)
    _, rows, problems = read_table(path, RHINOCC.delimiter, RHINOCC.required, RHINOCC.label)
    result = MappedResult(problems=problems, rows_read=len(rows) + len(problems))
    read_keys = RowKeys("n_ref")
    for line, raw in rows:
        row = {name: (value or "").replace("\u00a0", " ").strip() for name, value in raw.items()}
        if row["departement"].zfill(2) != reference.department_prefix:
            result.outside += 1
            continue
        key = row["n_ref"] or f"ligne-{line}"
        if read_keys.repeated(key, line, result.problems):
            continue
        candidate, messages = convert_row(row, reference, result, line, default_date)
        result.problems.extend(RowProblem(line, message) for message in messages)
        if candidate is not None:
            result.candidates.append(candidate)
    result.records = [c.record for c in result.candidates]
    result.problems.sort(key=lambda problem: problem.line)
    return result


def _fold(text: str) -> str:
    return " ".join(slugify(text).split("-"))


def _add(record: dict, fields: dict[str, list[str]]) -> None:
    for name, items in fields.items():
        target = record.setdefault(name, [])
        target.extend(item for item in items if item not in target)


def parse_month(text: str) -> str | None:
    """« juil-22 », « Décembre 2019 », « Novembre 20 » → first day of that month (ISO)."""
    match = re.fullmatch(
        r"([a-z]+)\.?[\s-]*(\d{2}|\d{4})", _fold(text).replace(" ", "-").replace("-", " ").strip()
    )
    if not match or match.group(1) not in MONTHS:
        return None
    year = int(match.group(2))
    year += 2000 if year < 100 else 0
    try:
        return dt.date(year, MONTHS[match.group(1)], 1).isoformat()
    except ValueError:
        return None


def day_cell(text: str) -> str:
    """« 14h-18h », « 10h-12h30 / 14h-18h », « Fermé » → the France Services cell syntax."""
    text = text.strip()
    if _fold(text) in {"ferme", "fermee", ""}:
        return ""
    return re.sub(r"(\d{1,2})h(\d{2})?", lambda m: f"{int(m.group(1)):02d}:{m.group(2) or '00'}", text)


def service_label(name: str) -> str:
    """The itinerant service a stop row belongs to: the words between brackets or after a dash."""
    bracket = re.search(r"\(([^)]+)\)\s*$", name)
    if bracket:
        return bracket.group(1).strip()
    dash = re.search(r"\s[-–]\s*(.+)$", name)
    return dash.group(1).strip() if dash else name.strip()


def _commune(reference: Reference, row: dict[str, str]):
    """(commune, French note about a corrected postal code, or reason to skip the row)."""
    postal = row["code_postal"]
    commune, reason = find_commune(reference, row.get("code_commune", ""), row["ville"], postal)
    if commune is not None:
        return commune, None, None
    ban_city, ban_postal = row.get("BAN_city", ""), row.get("BAN_postcode", "")
    if ban_city and _POSTCODE.fullmatch(ban_postal):
        fixed, _ = find_commune(reference, "", ban_city, ban_postal)
        if fixed is not None and _fold(fixed.nom) == _fold(row["ville"]):
            note = (
                f"code postal « {postal} » qui n'est pas celui de {fixed.nom} : "
                f"remplacé par {ban_postal}, celui de la Base adresse nationale"
            )
            return fixed, note, None
    # A commune merged since (Lunas → Lunas-les-Châteaux): its postal code, if it has only one commune.
    by_postcode = [c for c in reference.communes.values() if postal in c.codes_postaux]
    try:  # several communes share a postal code: keep those around the row's point
        lat, lon = float(row["lat"]), float(row["lon"])
        by_postcode = [
            c for c in by_postcode if haversine_km(lat, lon, c.latitude, c.longitude) <= c.rayon_km + 1
        ]
    except ValueError:
        pass
    # A commune nouvelle often keeps the old name at its start (Lunas → Lunas-les-Châteaux).
    named = [c for c in by_postcode if _fold(c.nom).startswith(_fold(row["ville"]) + " ")]
    by_postcode = named or by_postcode
    if len(by_postcode) == 1 and not reference.communes_named(row["ville"]):
        note = (
            f"commune « {row['ville']} » inconnue dans les communes actuelles : rattachée à "
            f"{by_postcode[0].nom}, la commune du code postal {postal} où se trouve le lieu"
        )
        return by_postcode[0], note, None
    return None, None, reason or f"commune « {row['ville']} » introuvable : ligne ignorée"


def convert_row(
    row: dict[str, str],
    reference: Reference,
    result: MappedResult,
    line: int,
    default_date: str | None = None,
) -> tuple[Candidate | None, list[str]]:
    problems: list[str] = []
    name = re.sub(r"\s+", " ", row["nom"]).strip()
    missing = [label for label, value in (("nom", name), ("ville", row["ville"])) if not value]
    if missing:
        return None, [f"{', '.join(missing)} manquant(s) : ligne ignorée"]
    if not slugify(name):
        return None, [f"nom « {name} » sans lettre ni chiffre : ligne ignorée"]
    commune, note, reason = _commune(reference, row)
    if commune is None:
        return None, [reason]
    if note:
        problems.append(note)
    postal = row["code_postal"] if row["code_postal"] in commune.codes_postaux else row["BAN_postcode"]
    date_maj = parse_month(row["date_maj"]) if row["date_maj"] else default_date
    if date_maj is None:
        return None, [f"date_maj « {row['date_maj']} » illisible (« juil-22 » attendu) : ligne ignorée"]
    address = row["adresse"] or row.get("BAN_adress", "")
    if not address:
        return None, ["adresse manquante : ligne ignorée"]

    name = _commune_written_as_named(name, row["ville"], commune.nom)
    folded = _fold(name)
    record: dict = {
        "nom": name,
        "adresse": address,
        # The hosting structure (« Mairie », « Espace gare ») tells where to go in.
        "complement_adresse": row.get("adresse_suite") or row.get("structure_porteuse") or None,
        "code_postal": postal,
        "commune": commune.nom,
        "code_insee": commune.code_insee,
        "source": f"{SOURCE} ({date_maj[:7]})",
        "date_maj": date_maj,
    }
    kind = None
    for pattern, kind_name, fields in KINDS:
        if re.search(pattern, folded):
            kind = kind_name
            _add(record, fields)
            break
    for pattern, code in CARRIERS:
        if re.search(pattern, folded):
            _add(record, {"typologie": [code]})
    stop_of = service_label(name) if _ITINERANT.search(folded) else None
    if stop_of:
        record["itinerance"] = ["Itinérant"]

    lat, lon = row["lat"] or row.get("BAN_latitude", ""), row["lon"] or row.get("BAN_longitude", "")
    position, reason = coordinates(reference, commune, lat, lon)
    if position:
        record["latitude"], record["longitude"] = position
    elif reason:
        problems.append(reason)
    detail: list[str] = []
    _contacts(row, record, detail, problems)
    hours_cells = {day: day_cell(row.get(column, "")) for column, day in DAYS}
    if any(hours_cells.values()):
        try:
            hours = opening_hours(hours_cells)
        except HoursError as error:
            problems.append(f"{error} : fiche importée sans horaires")
        else:
            if hours:
                record["horaires"] = hours

    for code in filter(None, re.split(r"[-;,\s]+", row["codes_types_mediations"])):
        fields = SUPPORTS.get(code.upper())
        if fields is None:
            result.note_unmapped("codes_types_mediations", code, line)
        else:
            _add(record, fields)
    if not record.get("services") and kind in DEFAULT_SERVICES:
        _add(record, {"services": DEFAULT_SERVICES[kind]})
    for value in filter(None, (part.strip() for part in row["conditions_acces_toutes_actions"].split(";"))):
        fields = _CONDITIONS.get(normalize(value))
        if fields is None:
            result.note_unmapped("conditions_acces_toutes_actions", value, line)
        else:
            _add(record, fields)
    if "Téléphoner" in record.get("modalites_acces", []) and "telephone" not in record:
        record["modalites_acces"].remove("Téléphoner")
    if record.get("courriels"):
        _add(record, {"modalites_acces": ["Contacter par mail"]})
    labels = [part for part in re.split(r"[-;,\s]+", row["code_label"].upper()) if part]
    if "APTIC" in labels:
        record["x_pass_numerique"] = True
    for label in labels:
        if label not in {"APTIC", "MSAP", "MFS", "EPN", "TL", "REL"}:
            result.note_unmapped("code_label", label, line)
    if detail:
        record["presentation_detail"] = "\n\n".join(detail)
    if not record.get("services"):
        return None, [
            *problems,
            f"aucun service reconnu (nom « {name} », codes « {row['codes_types_mediations']} ») : ligne ignorée",
        ]
    for field_name, allowed in ENUMS.items():
        if field_name in record:
            record[field_name] = sorted(record[field_name], key=allowed.index)
    record["id"] = slugify(name)[:80].strip("-")
    return Candidate(row["n_ref"] or f"ligne-{line}", line, ordered(record), kind, stop_of), problems


def _commune_written_as_named(name: str, written: str, official: str) -> str:
    """« Lieux d'Accès Multimédia de AGDE (IFIIP) » → « … d'Agde (IFIIP) »: the commune's name,
    written in capitals in the source, as the site writes it everywhere else."""
    bare = re.sub(r"^(La|Le|Les) ", "", official)  # « de la GRANDE MOTTE » keeps its article
    targets = {_fold(written): official, _fold(official): official, _fold(bare): bare}

    def replace(match: re.Match) -> str:
        text = match.group(0)
        return targets.get(_fold(text), text)

    fixed = re.sub(r"(?<!\w)[A-ZÀ-Ý][A-ZÀ-Ý'’ -]*[A-ZÀ-Ý](?![\w'’])", replace, name)
    if fixed != name:
        fixed = re.sub(
            rf"\b([dD])e ({re.escape(official)})",
            lambda m: f"{m.group(1)}'{m.group(2)}" if m.group(2)[0] in "AEIOUYÉÈÊÂÎÔaeiouy" else m.group(0),
            fixed,
        )
    return fixed


def _contacts(row: dict[str, str], record: dict, detail: list[str], problems: list[str]) -> None:
    """Phone, e-mails and web site; short numbers and non-addresses go to the presentation."""
    phone_text = row["tel_structure"]
    if phone_text:
        label, _, number = phone_text.rpartition(":")
        number = number.strip()
        phone = phone_to_e164(number)
        digits = re.sub(r"\D", "", number)
        if phone and _PHONE.fullmatch(phone):
            record["telephone"] = phone
        elif re.fullmatch(r"3\d{3}", digits):
            who = f" ({label.strip().lower()})" if label.strip() else ""
            detail.append(f"Téléphone{who} : {digits[:2]} {digits[2:]}.")
            problems.append(
                f"numéro court « {phone_text} » : écrit dans la présentation (le champ telephone "
                "attend un numéro à 10 chiffres)"
            )
        else:
            problems.append(f"téléphone « {phone_text} » illisible : fiche importée sans téléphone")
    mail_text = row["email_structure"]
    if mail_text:
        label, _, addresses = mail_text.rpartition(":")
        if "entreprise" in normalize(label):
            problems.append(f"courriel « {mail_text} » réservé aux entreprises : non repris")
        else:
            found = [part for part in re.split(r"\s+ou\s+|[,;\s]+", addresses.strip()) if part]
            valid = [part for part in found if _EMAIL.fullmatch(part)]
            if valid:
                _add(record, {"courriels": valid})
            if len(valid) < len(found):
                if not valid and "@" not in mail_text:
                    detail.append(f"Contact : {mail_text}.")
                problems.append(f"courriel « {mail_text} » invalide : non repris")
    site = row["site_internet"]
    if site:
        if _URL.fullmatch(site):
            record["site_web"] = [site]
        else:
            problems.append(f"site internet « {site} » invalide : non repris")
