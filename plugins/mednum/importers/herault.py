"""Import Hérault's open dataset of help points (« lieux d'accueil et d'accompagnement aux outils numériques »).

The département publishes it as a ``;``-separated CSV (columns in
``shared/data/README.md``). Its vocabulary is its own; the tables below map it to
the values of the national standard. Values are compared after NFKC
normalisation, with spaces collapsed and case ignored: the stray non-breaking
spaces of the export (« à\u00a0distance ») and capitals (« Sans Rendez-Vous »)
do not matter. A value that no table knows is left out and listed in the
import's report of unmapped values (``MappedResult.unmapped``), with its lines,
so that the table can be completed.

Columns and what they become:

* ``lib_long_service`` → ``nom`` and ``id`` (slug of the name; the commune is
  appended when two rows give the same slug, as for the France Services);
* ``nom_comm``, ``lieu_code_postal``, ``num_insee_comm_service`` → ``commune``,
  ``code_postal``, ``code_insee`` (derived from the name and postal code when
  missing); ``adresse``; ``lieu_lat84``/``lieu_long84`` → ``latitude``/``longitude``;
* ``tabservice_tel_service``, ``tabservice_mail_service``,
  ``site_internet_service`` → ``telephone``, ``courriels``, ``site_web``
  (``https://`` added to a bare ``www.…``);
* ``date_maj`` (``AAAA-MM-JJ`` or ``JJ/MM/AAAA``); ``infos_complementaires`` →
  ``presentation_detail``; ``horaires`` (already opening_hours); ``pivot``;
* ``lib_long_type`` → ``typologie``, ``services`` and ``dispositif_programmes_nationaux`` (``TYPES``);
* ``administration`` (CAF, DGFIP…) → service « Aide aux démarches
  administratives », and the list in ``presentation_detail``;
* ``itinerance`` (``0``/``1``) → ``Fixe``/``Itinérant``;
* ``cond_acces`` → ``frais_a_charge`` or ``modalites_acces`` (``COND_ACCES``);
* ``mod_acces`` and ``borne_libre_service`` → ``modalites_accompagnement`` (``MOD_ACCES``);
* ``publics`` → ``publics_specifiquement_adresses`` (``PUBLICS``; « Tout public »
  means no specific public; « Stagiaire en formation » and « Personne en
  situation de handicap » have no equivalent in the standard and are reported);
* ``reseau`` → ``dispositif_programmes_nationaux`` when it names one;
* ``accueil_pmr``, ``demarches``, ``usages``, ``code_service`` are not imported:
  the standard has no field for them (accessibility is kept by hand in ``x_accessibilite``).

A row without a known service (the field is required) is reported and skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..french import phone_to_e164, slugify
from ..reference import Reference
from . import Candidate, RowProblem
from .france_services import _unique_ids, clean_comment
from .national import (
    _EMAIL,
    _PHONE,
    _PIVOT,
    _POSTCODE,
    _URL,
    ENUMS,
    MappedResult,
    check_hours,
    clean,
    coordinates,
    find_commune,
    normalize,
    ordered,
    parse_date,
    read_table,
)

SOURCE = (
    "Département de l'Hérault, données ouvertes (lieux d'accueil et d'accompagnement aux outils numériques)"
)
REQUIRED_COLUMNS = (
    "lib_long_service",
    "nom_comm",
    "lieu_code_postal",
    "adresse",
    "date_maj",
    "lib_long_type",
)
OPTIONAL_COLUMNS = (
    "code_service",
    "pivot",
    "num_insee_comm_service",
    "lieu_lat84",
    "lieu_long84",
    "tabservice_tel_service",
    "tabservice_mail_service",
    "site_internet_service",
    "infos_complementaires",
    "administration",
    "itinerance",
    "cond_acces",
    "mod_acces",
    "borne_libre_service",
    "publics",
    "accueil_pmr",
    "demarches",
    "usages",
    "reseau",
    "horaires",
)

DEMARCHES = "Aide aux démarches administratives"
ACCES_INTERNET = "Accès internet et matériel informatique"

# lib_long_type → fields of the standard.
TYPES: dict[str, dict[str, list[str]]] = {
    "Espace de médiation numérique": {
        "typologie": ["EPN"],
        "services": ["Maîtrise des outils numériques du quotidien"],
    },
    "Lieux d'accès multimédia": {"typologie": ["EPN"], "services": [ACCES_INTERNET]},
    "Lieu d'accès multimédia": {"typologie": ["EPN"], "services": [ACCES_INTERNET]},
    "Point d'accueil numérique": {"services": [DEMARCHES]},
    "France Services": {
        "typologie": ["RFS"],
        "services": [DEMARCHES],
        "dispositif_programmes_nationaux": ["France Services"],
    },
}
# cond_acces → fields of the standard.
COND_ACCES: dict[str, dict[str, list[str]]] = {
    "Gratuit": {"frais_a_charge": ["Gratuit"]},
    "Gratuit sous condition": {"frais_a_charge": ["Gratuit sous condition"]},
    "Gratuit sous conditions": {"frais_a_charge": ["Gratuit sous condition"]},
    "Payant": {"frais_a_charge": ["Payant"]},
    "Sans Rendez-Vous": {"modalites_acces": ["Se présenter"]},
    "Sur Rendez-Vous": {"modalites_acces": ["Téléphoner"]},
}
# mod_acces → modalites_accompagnement (and the free access to computers as a service).
MOD_ACCES: dict[str, dict[str, list[str]]] = {
    "Espace ou borne en libre accès": {
        "modalites_accompagnement": ["En autonomie"],
        "services": [ACCES_INTERNET],
    },
    "Espace avec un accompagnement en individuel": {
        "modalites_accompagnement": ["Accompagnement individuel"]
    },
    "Espace avec un accompagnement individuel": {"modalites_accompagnement": ["Accompagnement individuel"]},
    "Espace avec un accompagnement collectif": {"modalites_accompagnement": ["Dans un atelier collectif"]},
    "Accompagnement à distance": {"modalites_accompagnement": ["À distance"]},
}
# publics → publics_specifiquement_adresses ([] = known, nothing specific).
PUBLICS: dict[str, list[str]] = {
    "Tout public": [],
    "Tous publics": [],
    "Jeune": ["Jeunes"],
    "Jeunes": ["Jeunes"],
    "Étudiant": ["Étudiants"],
    "Étudiants": ["Étudiants"],
    "Retraité": ["Seniors"],
    "Retraités": ["Seniors"],
    "Senior": ["Seniors"],
    "Seniors": ["Seniors"],
    "Famille": ["Familles et/ou enfants"],
    "Familles": ["Familles et/ou enfants"],
    "Femme": ["Femmes"],
    "Femmes": ["Femmes"],
}
# reseau → dispositif_programmes_nationaux: the standard's own values, and these spellings.
RESEAUX: dict[str, str] = {
    **{value: value for value in ENUMS["dispositif_programmes_nationaux"]},
    "Conseiller numérique": "Conseillers numériques",
    "Conseiller numérique France Services": "Conseillers numériques",
    "France Services": "France Services",
    "Maison France Services": "France Services",
}
ADMINISTRATIONS = ("CAF", "DGFIP", "CPAM", "France Travail", "Pôle emploi", "La Poste", "MSA", "Justice")

# Fields this importer fills: replaced on re-import; the others (x_…, prise_en_charge_specifique…) are kept.
OWNED_FIELDS = frozenset(
    {
        "id",
        "pivot",
        "nom",
        "adresse",
        "code_postal",
        "commune",
        "code_insee",
        "latitude",
        "longitude",
        "typologie",
        "telephone",
        "courriels",
        "site_web",
        "horaires",
        "presentation_detail",
        "source",
        "itinerance",
        "date_maj",
        "services",
        "publics_specifiquement_adresses",
        "frais_a_charge",
        "dispositif_programmes_nationaux",
        "modalites_acces",
        "modalites_accompagnement",
    }
)
_TRUE = {"1", "oui", "o", "true", "vrai", "x"}
_FALSE = {"0", "non", "n", "false", "faux", ""}


def _table(mapping: dict) -> dict:
    return {normalize(key): value for key, value in mapping.items()}


_TYPES, _COND, _MOD, _PUBLICS, _RESEAUX = map(_table, (TYPES, COND_ACCES, MOD_ACCES, PUBLICS, RESEAUX))
_ADMINISTRATIONS = {normalize(name): name for name in ADMINISTRATIONS}


def read(path: str | Path, reference: Reference) -> MappedResult:
    """Convert the Hérault CSV at ``path``; unknown values are listed in ``result.unmapped``."""
    path = Path(path)
    _, rows, problems = read_table(
        path,
        ";",
        REQUIRED_COLUMNS,
        "l'export des lieux d'accueil numérique du Département de l'Hérault, séparé par des points-virgules",
    )
    result = MappedResult(problems=problems)
    converted: list[tuple[int, dict, str]] = []
    keys: dict[int, str] = {}
    seen: dict[str, int] = {}
    for line, raw in rows:
        row = {name: clean(raw.get(name) or "") for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
        row["infos_complementaires"] = raw.get("infos_complementaires") or ""
        key = row["code_service"] or f"ligne-{line}"
        if key in seen:
            result.problems.append(
                RowProblem(line, f"ligne en double (code_service {key} déjà lu ligne {seen[key]}) : ignorée")
            )
            continue
        seen[key] = line
        record, messages = convert_row(row, reference, result, line)
        result.problems.extend(RowProblem(line, message) for message in messages)
        if record is not None:
            converted.append((line, record, record["commune"]))
            keys[id(record)] = key
    result.records = _unique_ids(converted, result.problems)
    result.candidates = [Candidate(keys[id(record)], line, record) for line, record, _ in converted]
    result.problems.sort(key=lambda problem: problem.line)
    return result


def values(cell: str) -> list[str]:
    """A cell with several values: separated by ``|``, ``,``, ``;`` or line breaks."""
    return [part.strip() for part in re.split(r"[|,;\n]", cell) if part.strip()]


def _add(record: dict, fields: dict[str, list[str]]) -> None:
    for name, items in fields.items():
        target = record.setdefault(name, [])
        target.extend(item for item in items if item not in target)


def convert_row(
    row: dict[str, str], reference: Reference, result: MappedResult, line: int
) -> tuple[dict | None, list[str]]:
    """One row → (record or None when it cannot be imported, French problems)."""
    labels = {"lib_long_service": "nom", "adresse": "adresse", "nom_comm": "commune", "date_maj": "date_maj"}
    missing = [label for column, label in labels.items() if not row[column]]
    if missing:
        return None, [f"{', '.join(missing)} manquant(s) : ligne ignorée"]
    postal = row["lieu_code_postal"]
    if re.fullmatch(r"\d{4}", postal):
        postal = "0" + postal  # a spreadsheet dropped the leading zero
    if not _POSTCODE.fullmatch(postal):
        return None, [f"code postal « {row['lieu_code_postal']} » invalide (5 chiffres) : ligne ignorée"]
    commune, reason = find_commune(reference, row["num_insee_comm_service"], row["nom_comm"], postal)
    if commune is None:
        if reason is None:
            result.outside += 1
            return None, []
        return None, [reason]
    if not slugify(row["lib_long_service"]):
        return None, [f"nom « {row['lib_long_service']} » sans lettre ni chiffre : ligne ignorée"]
    date_maj = parse_date(row["date_maj"])
    if date_maj is None:
        return None, [f"date_maj « {row['date_maj']} » invalide (AAAA-MM-JJ ou JJ/MM/AAAA) : ligne ignorée"]

    problems: list[str] = []
    record: dict = {
        "id": slugify(row["lib_long_service"])[:80].strip("-"),
        "nom": row["lib_long_service"],
        "adresse": row["adresse"],
        "code_postal": postal,
        "commune": commune.nom,
        "code_insee": commune.code_insee,
        "source": SOURCE,
        "date_maj": date_maj,
    }
    if row["pivot"]:
        if _PIVOT.fullmatch(row["pivot"]) and row["pivot"] != "00000000000000":
            record["pivot"] = row["pivot"]
        else:
            problems.append(f"pivot « {row['pivot']} » invalide (SIRET ou RNA) : fiche importée sans pivot")
    position, reason = coordinates(reference, commune, row["lieu_lat84"], row["lieu_long84"])
    if position:
        record["latitude"], record["longitude"] = position
    elif reason:
        problems.append(reason)
    if row["tabservice_tel_service"]:
        phone = phone_to_e164(row["tabservice_tel_service"])
        if phone and _PHONE.fullmatch(phone):
            record["telephone"] = phone
        else:
            problems.append(
                f"téléphone « {row['tabservice_tel_service']} » illisible : fiche importée sans téléphone"
            )
    for mail in values(row["tabservice_mail_service"].replace(" ", ",")):
        if _EMAIL.fullmatch(mail):
            _add(record, {"courriels": [mail]})
        else:
            problems.append(f"courriel « {mail} » invalide : non repris")
    for url in values(row["site_internet_service"].replace(" ", ",")):
        full = url if re.match(r"https?://", url) else f"https://{url}" if url.startswith("www.") else url
        if _URL.fullmatch(full):
            _add(record, {"site_web": [full]})
        else:
            problems.append(f"site internet « {url} » invalide : non repris")
    if row["horaires"]:
        reason = check_hours(row["horaires"])
        if reason:
            problems.append(reason)
        else:
            record["horaires"] = row["horaires"]

    for column, table in (("lib_long_type", _TYPES), ("cond_acces", _COND), ("mod_acces", _MOD)):
        for value in values(row[column]):
            fields = table.get(normalize(value))
            if fields is None:
                result.note_unmapped(column, value, line)
            else:
                _add(record, fields)
    for value in values(row["publics"]):
        publics = _PUBLICS.get(normalize(value))
        if publics is None:
            result.note_unmapped("publics", value, line)
        else:
            _add(record, {"publics_specifiquement_adresses": publics})
    for value in values(row["reseau"]):
        programme = _RESEAUX.get(normalize(value))
        if programme is None:
            result.note_unmapped("reseau", value, line)
        else:
            _add(record, {"dispositif_programmes_nationaux": [programme]})
    administrations = [_ADMINISTRATIONS.get(normalize(v), v) for v in values(row["administration"])]
    if administrations:
        _add(record, {"services": [DEMARCHES]})
    flag = normalize(row["borne_libre_service"])
    if flag in _TRUE:
        _add(record, {"modalites_accompagnement": ["En autonomie"], "services": [ACCES_INTERNET]})
    elif flag not in _FALSE:
        result.note_unmapped("borne_libre_service", row["borne_libre_service"], line)
    itinerance = normalize(row["itinerance"])
    if itinerance in _TRUE:
        record["itinerance"] = ["Itinérant"]
    elif itinerance in _FALSE - {""}:
        record["itinerance"] = ["Fixe"]
    elif itinerance:
        result.note_unmapped("itinerance", row["itinerance"], line)

    detail = [clean_comment(row["infos_complementaires"].replace("\u00a0", " "))]
    if administrations:
        detail.append(f"Démarches avec : {', '.join(administrations)}.")
    if any(detail):
        record["presentation_detail"] = "\n\n".join(part for part in detail if part)
    if not record.get("services"):
        return None, [*problems, f"aucun service reconnu (type « {row['lib_long_type']} ») : ligne ignorée"]
    # Lists in the order of the standard's values, whatever the order of the cells.
    for name, allowed in ENUMS.items():
        if name in record:
            record[name] = sorted(record[name], key=allowed.index)
    return ordered(record), problems
