"""Import Hérault's open dataset of help points (« lieux d'accueil et d'accompagnement aux outils numériques »).

The département publishes it as a ``;``-separated CSV (columns in
``shared/data/README.md``). Its vocabulary is its own; the tables below map it to
the values of the national standard. Values are compared after NFKC
normalisation, with spaces collapsed, typographic apostrophes made straight and
case ignored: the stray double and non-breaking spaces of the export
(« Accéder à  l'information en ligne », « à\u00a0distance ») and capitals
(« Sans Rendez-Vous ») do not matter. A cell with several values is split on
``|``, ``;``, line breaks and commas outside parentheses (« Usages professionnels
(contacts chambres consulaires, gestion activité…) » is one value). A value that
no table knows is left out and listed in the import's report of unmapped values
(``MappedResult.unmapped``), with its lines, so that the table can be completed;
a value refused on purpose is listed there too, with the reason
(``HeraultResult.reasons``; ``REFUSED_PUBLICS``, ``PMR_REFUSED``).

Columns and what they become:

* ``lib_long_service`` → ``nom`` and ``id`` (slug of the name; the commune is
  appended when two rows give the same slug, as for the France Services);
  ``code_service`` → the candidate's ``key`` (``Candidate``), which ties the row to
  its record from one release to the next;
* ``nom_comm``, ``lieu_code_postal``, ``num_insee_comm_service`` → ``commune``,
  ``code_postal``, ``code_insee`` (derived from the name and postal code when
  missing); ``adresse``; ``lieu_lat84``/``lieu_long84`` → ``latitude``/``longitude``;
* ``tabservice_tel_service``, ``tabservice_mail_service``,
  ``site_internet_service`` → ``telephone``, ``courriels``, ``site_web``
  (``https://`` added to a bare ``www.…``);
* ``date_maj`` (``AAAA-MM-JJ`` or ``JJ/MM/AAAA``); ``infos_complementaires`` →
  ``presentation_detail``; ``horaires`` (already opening_hours, checked); ``pivot``;
* ``lib_long_type`` → ``typologie``, ``services``, ``dispositif_programmes_nationaux``
  (``TYPES``) and, for an MSA office, the candidate's ``kind`` (``TYPE_KINDS``);
* ``administration`` (CAF, DGFIP…) → service « Aide aux démarches administratives »,
  and the list in ``presentation_detail`` (« Démarches avec : CAF, DGFIP. »);
* ``demarches`` and ``usages`` → ``services`` (``USAGES``); the phrase
  « Accompagnement à la création numérique » in ``infos_complementaires`` →
  « Loisirs et créations numériques »;
* ``itinerance`` (``0``/``1``) → ``Fixe``/``Itinérant``;
* ``cond_acces`` → ``frais_a_charge`` or ``modalites_acces`` (``COND_ACCES``;
  « Téléphoner » only when the row has a phone number);
* ``mod_acces`` and ``borne_libre_service`` → ``modalites_accompagnement`` (``MOD_ACCES``);
* ``publics`` → ``publics_specifiquement_adresses`` (``PUBLICS``; « Tout public »
  means no specific public); refused values are written in ``presentation_detail``;
* ``accueil_pmr`` ``1`` → a sentence in ``presentation_detail`` (the structured
  accessibility is kept by hand in ``x_accessibilite``);
* ``reseau`` → ``dispositif_programmes_nationaux`` when it names a national
  programme, ``formations_labels`` when it names one of the standard's labels,
  ``autres_formations_labels`` otherwise (free text in the standard).

A row without a known service (the field is required) is reported and skipped.

Comparison with the national cartography's transformer
(``anct-cartographie-nationale/mednum-cli``, ``assets/input/herault/herault.config.json``,
copied in ``shared/data/sources/herault-data-mapping-mednum-cli.json``). It looks for
each term *inside* the cell (substring, case ignored); we compare whole values and
report the unknown ones, so that a new value is looked at instead of being caught
by a shorter term (its « Démarches » matches every cell that contains the word).

* ``id``: mednum-cli uses ``code_service``; we slug the name (readable, stable
  addresses on the site, shared with the other sources) and keep ``code_service``
  as the candidate's key, which is what follows a place across releases.
* ``typologie`` from ``lib_long_type``: adopted for the offices of public bodies,
  limited to the codes of our schema — « Caisse d'allocations familiales » → CAF,
  « Caisse primaire d'assurance maladie » → CPAM, « France Travail » / « Pôle emploi »
  → FT. mednum-cli's « Mutualité sociale agricole » → MSA is refused: there is no
  MSA code in our ``ENUMS["typologie"]``; the row gets no typologie and the kind
  ``msa`` for matching. These offices get « Aide aux démarches administratives »
  (what the Département lists them for, as ``rhinocc`` does).
* « Point d'accueil numérique » → EPN (mednum-cli): refused. A point d'accueil is a
  desk with a computer in a host structure (CCAS, association), not an *espace
  public numérique*; the host's own kind is not in the row. « Espace de médiation
  numérique » and « Lieu(x) d'accès multimédia » → EPN: same as ours.
* ``typologie`` from ``administration`` (CAF, CPAM, France Travail, La Poste; and
  DGFIP → CFP, Justice → PAD, MSA → MSA, codes that our schema does not even
  have): refused. ``administration`` lists the bodies whose procedures the place
  handles — a France Services lists most of its nine partners — not what the place
  is: a France Services or a point d'accueil would become a « CAF » or a « La Poste »,
  and be matched with the real CAF office of its commune (``matching`` tells kinds
  apart by typologie). We keep the list in ``presentation_detail`` and the service
  « Aide aux démarches administratives », which mednum-cli does not give.
* ``services`` from ``demarches``/``usages``: adopted term by term (``USAGES``),
  including « Imprimer ou scanner un document » → both « Accès internet et
  matériel informatique » and « Maîtrise des outils numériques du quotidien », and
  « Préparer et passer une certification » → « Insertion professionnelle via le
  numérique ». From ``infos_complementaires`` only the exact phrase « Accompagnement
  à la création numérique » is read, as mednum-cli does.
* ``mod_acces`` « Espace avec un accompagnement à la formation à l'informatique »
  → « Accompagnement individuel » (mednum-cli): adopted — someone accompanies the
  person, and the source says « collectif » when it is a group — plus the service
  « Maîtrise des outils numériques du quotidien » (training in computing is that
  service; mednum-cli gives none). « Espace ou borne en libre accès »,
  ``borne_libre_service`` 1 → « En autonomie »: same; we add the access service.
* ``publics``: « Jeune » → Jeunes, « Retraité » → Seniors: same. « Stagiaire en
  formation » → Étudiants: refused, a trainee of vocational training (often an adult
  job seeker) is not a student. « Personne en situation de handicap » → Surdité,
  Handicaps moteurs, Handicaps mentaux, Déficience visuelle: refused, welcoming
  disabled people does not mean offering support adapted to deafness or to visual
  impairment, and people who rely on these values would travel for nothing. Both
  are reported (with the reason) and written in ``presentation_detail`` in the
  source's words, so that nothing is lost.
* ``accueil_pmr`` 1 → « Handicaps moteurs »: refused for the same reason — premises
  accessible to people with reduced mobility are not an adapted accompaniment;
  reported, and said in ``presentation_detail``.
* ``reseau`` → ``autres_formations_labels`` (mednum-cli, every value): we keep the
  known programmes in ``dispositif_programmes_nationaux`` (« Conseiller numérique »
  → « Conseillers numériques »…) and put the other networks in
  ``autres_formations_labels`` instead of dropping them.
* ``cond_acces``: mednum-cli maps Gratuit, Payant, Sans Rendez-Vous; we also map
  « Gratuit sous condition(s) » and « Sur Rendez-Vous » → « Téléphoner » (only when
  the row has a phone: telling people to call a place without a number helps no one).
* ``itinerance`` 0/1 → Fixe/Itinérant and ``horaires`` as opening_hours: same; we
  check the hours and report those that do not parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..french import phone_to_e164, slugify
from ..reference import Reference
from . import Candidate, RowProblem
from .csvfile import RowKeys
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
from .shapes import HERAULT

SOURCE = (
    "Département de l'Hérault, données ouvertes (lieux d'accueil et d'accompagnement aux outils numériques)"
)
REQUIRED_COLUMNS = HERAULT.required
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
QUOTIDIEN = "Maîtrise des outils numériques du quotidien"
INSERTION = "Insertion professionnelle via le numérique"
CREATION = "Loisirs et créations numériques"
ACCES_INTERNET = "Accès internet et matériel informatique"

# lib_long_type → fields of the standard.
TYPES: dict[str, dict[str, list[str]]] = {
    "Espace de médiation numérique": {"typologie": ["EPN"], "services": [QUOTIDIEN]},
    "Lieux d'accès multimédia": {"typologie": ["EPN"], "services": [ACCES_INTERNET]},
    "Lieu d'accès multimédia": {"typologie": ["EPN"], "services": [ACCES_INTERNET]},
    "Point d'accueil numérique": {"services": [DEMARCHES]},  # not EPN: a desk in a host structure
    "France Services": {
        "typologie": ["RFS"],
        "services": [DEMARCHES],
        "dispositif_programmes_nationaux": ["France Services"],
    },
    # Offices of public bodies, listed by the Département as equipped partner sites.
    "Caisse d'allocations familiales": {"typologie": ["CAF"], "services": [DEMARCHES]},
    "Caisse primaire d'assurance maladie": {"typologie": ["CPAM"], "services": [DEMARCHES]},
    "France Travail": {"typologie": ["FT"], "services": [DEMARCHES]},
    "Pôle emploi": {"typologie": ["FT"], "services": [DEMARCHES]},
    "Mutualité sociale agricole": {"services": [DEMARCHES]},  # no MSA code in the standard
}
# lib_long_type → the candidate's kind, when the typologie cannot say it (``matching``).
TYPE_KINDS: dict[str, str] = {"Mutualité sociale agricole": "msa"}
# demarches and usages (the same vocabulary in both columns) → services.
USAGES: dict[str, list[str]] = {
    "Démarches": [DEMARCHES],
    "Faire une demande ou une déclaration en ligne": [DEMARCHES],
    "Faire valoir un droit": [DEMARCHES],
    "Accès au logement": [DEMARCHES],
    "Aide à la mobilité": [DEMARCHES],
    # « Usages professionnels (contacts chambres consulaires, gestion activité, accès sites
    # intranet...) »: read without its parenthesis; the formalities of a business.
    "Usages professionnels": [DEMARCHES],
    "Accéder à l'information en ligne": [QUOTIDIEN],
    "Créer et utiliser un compte de messagerie": [QUOTIDIEN],
    "Envoyer des courriels et joindre des fichiers": [QUOTIDIEN],
    "Effectuer des connexions réseaux": [QUOTIDIEN],
    "Télécharger un document": [QUOTIDIEN],
    "Géolocaliser un service ou un lieu": [QUOTIDIEN],
    "Imprimer ou scanner un document": [QUOTIDIEN, ACCES_INTERNET],
    "Services internet ouverts au public": [ACCES_INTERNET],
    "Préparer et passer une certification": [INSERTION],
}
# Phrase of infos_complementaires → services (the only free text that is read).
INFOS: dict[str, list[str]] = {"Accompagnement à la création numérique": [CREATION]}
# cond_acces → fields of the standard.
COND_ACCES: dict[str, dict[str, list[str]]] = {
    "Gratuit": {"frais_a_charge": ["Gratuit"]},
    "Gratuit sous condition": {"frais_a_charge": ["Gratuit sous condition"]},
    "Gratuit sous conditions": {"frais_a_charge": ["Gratuit sous condition"]},
    "Payant": {"frais_a_charge": ["Payant"]},
    "Sans Rendez-Vous": {"modalites_acces": ["Se présenter"]},
    "Sur Rendez-Vous": {"modalites_acces": ["Téléphoner"]},  # dropped when the row has no phone
}
# mod_acces → modalites_accompagnement (and the service it implies).
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
    "Espace avec un accompagnement à la formation à l'informatique": {
        "modalites_accompagnement": ["Accompagnement individuel"],
        "services": [QUOTIDIEN],
    },
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
_NOT_STUDENTS = (
    "refusé : un stagiaire de la formation professionnelle n'est pas un étudiant (« Étudiants ») ; "
    "noté dans presentation_detail"
)
_NOT_ADAPTED = (
    "refusé : accueillir des personnes handicapées ne veut pas dire proposer un accompagnement adapté "
    "(surdité, déficience visuelle…, prise_en_charge_specifique) ; noté dans presentation_detail"
)
# publics refused on purpose → (words for presentation_detail, reason for the report).
REFUSED_PUBLICS: dict[str, tuple[str, str]] = {
    "Stagiaire en formation": ("stagiaires en formation", _NOT_STUDENTS),
    "Stagiaires en formation": ("stagiaires en formation", _NOT_STUDENTS),
    "Personne en situation de handicap": ("personnes en situation de handicap", _NOT_ADAPTED),
    "Personnes en situation de handicap": ("personnes en situation de handicap", _NOT_ADAPTED),
}
PMR_REFUSED = (
    "refusé : un local accessible aux personnes à mobilité réduite n'est pas un accompagnement adapté "
    "(« Handicaps moteurs », prise_en_charge_specifique) ; noté dans presentation_detail"
)
PMR_DETAIL = "Lieu accessible aux personnes à mobilité réduite, selon le Département de l'Hérault."
# reseau → dispositif_programmes_nationaux: the standard's own values, and these spellings.
# Other networks go to formations_labels when they are one of its values, else to
# autres_formations_labels.
RESEAUX: dict[str, str] = {
    **{value: value for value in ENUMS["dispositif_programmes_nationaux"]},
    "Conseiller numérique": "Conseillers numériques",
    "Conseiller numérique France Services": "Conseillers numériques",
    "France Services": "France Services",
    "Maison France Services": "France Services",
}
# administration → how presentation_detail writes it (other values as written in the source).
ADMINISTRATIONS: dict[str, str] = {
    "CAF": "CAF",
    "Allocations Familiales CAF": "CAF",
    "Caisse d'allocations familiales": "CAF",
    "DGFIP": "DGFIP",
    "Services des impôts DGFIP": "DGFIP",
    "CPAM": "CPAM",
    "Assurance Maladie CPAM": "CPAM",
    "France Travail": "France Travail",
    "Pôle emploi": "France Travail",  # renamed France Travail in 2024
    "La Poste": "La Poste",
    "MSA": "MSA",
    "Mutualité Sociale Agricole": "MSA",
    "Justice": "Justice",
    "Services ministère de la Justice": "Justice",
}

_TRUE = {"1", "oui", "o", "true", "vrai", "x"}
_FALSE = {"0", "non", "n", "false", "faux", ""}


def key(text: str) -> str:
    """Comparison key: ``normalize`` (spaces, case), and typographic apostrophes made straight."""
    return normalize(text).replace("\u2019", "'")


def _table(mapping: dict) -> dict:
    return {key(name): value for name, value in mapping.items()}


_TYPES, _USAGES, _COND, _MOD, _PUBLICS, _RESEAUX = map(
    _table, (TYPES, USAGES, COND_ACCES, MOD_ACCES, PUBLICS, RESEAUX)
)
_TYPE_KINDS, _REFUSED_PUBLICS, _ADMINISTRATIONS = map(_table, (TYPE_KINDS, REFUSED_PUBLICS, ADMINISTRATIONS))
_LABELS = _table({value: value for value in ENUMS["formations_labels"]})


def lookup(table: dict, value: str):
    """The entry of ``value``, or else of ``value`` without its parentheses; None if unknown."""
    found = table.get(key(value))
    if found is None and "(" in value:
        found = table.get(key(re.sub(r"\([^)]*\)?", " ", value)))
    return found


@dataclass
class HeraultResult(MappedResult):
    """``MappedResult`` whose report also says why a value was refused on purpose."""

    reasons: dict[tuple[str, str], str] = field(default_factory=dict)  # (column, value) → reason

    def refuse(self, column: str, value: str, line: int, reason: str) -> None:
        self.note_unmapped(column, value, line)
        self.reasons[column, value] = reason

    def unmapped_lines(self) -> list[str]:
        lines = super().unmapped_lines()  # in the order of sorted(self.unmapped)
        return [
            f"{text} — {self.reasons[name]}" if name in self.reasons else text
            for name, text in zip(sorted(self.unmapped), lines, strict=True)
        ]


def read(path: str | Path, reference: Reference) -> HeraultResult:
    """Convert the Hérault CSV at ``path``; unknown values are listed in ``result.unmapped``."""
    path = Path(path)
    _, rows, problems = read_table(path, HERAULT.delimiter, HERAULT.required, HERAULT.label)
    result = HeraultResult(problems=problems, rows_read=len(rows) + len(problems))
    converted: list[tuple[int, dict, str]] = []
    keys: dict[int, tuple[str, str | None]] = {}
    read_keys = RowKeys("code_service")
    for line, raw in rows:
        row = {name: clean(raw.get(name) or "") for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
        row["infos_complementaires"] = raw.get("infos_complementaires") or ""
        code = row["code_service"] or f"ligne-{line}"
        if read_keys.repeated(code, line, result.problems):
            continue
        record, messages = convert_row(row, reference, result, line)
        result.problems.extend(RowProblem(line, message) for message in messages)
        if record is not None:
            converted.append((line, record, record["commune"]))
            kind = next(filter(None, (lookup(_TYPE_KINDS, v) for v in values(row["lib_long_type"]))), None)
            keys[id(record)] = (code, kind)
    result.records = _unique_ids(converted, result.problems)
    for line, record, _ in converted:
        code, kind = keys[id(record)]
        result.candidates.append(Candidate(code, line, record, kind))
    result.problems.sort(key=lambda problem: problem.line)
    return result


def values(cell: str) -> list[str]:
    """A cell with several values: separated by ``|``, ``;``, line breaks or commas outside parentheses."""
    parts, current, depth = [], [], 0
    for char in cell:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char in "|;\n" or (char == "," and depth == 0):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _add(record: dict, fields: dict[str, list[str]]) -> None:
    for name, items in fields.items():
        target = record.setdefault(name, [])
        target.extend(item for item in items if item not in target)


def convert_row(
    row: dict[str, str], reference: Reference, result: HeraultResult, line: int
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
            fields = lookup(table, value)
            if fields is None:
                result.note_unmapped(column, value, line)
            else:
                _add(record, fields)
    if "telephone" not in record and "Téléphoner" in record.get("modalites_acces", []):
        record["modalites_acces"].remove("Téléphoner")
    for column in ("demarches", "usages"):
        for value in values(row[column]):
            services = lookup(_USAGES, value)
            if services is None:
                result.note_unmapped(column, value, line)
            else:
                _add(record, {"services": services})
    infos = key(row["infos_complementaires"])
    for phrase, services in INFOS.items():
        if key(phrase) in infos:
            _add(record, {"services": services})
    named_publics: list[str] = []
    for value in values(row["publics"]):
        publics = lookup(_PUBLICS, value)
        refused = lookup(_REFUSED_PUBLICS, value)
        if publics is not None:
            _add(record, {"publics_specifiquement_adresses": publics})
        elif refused is not None:
            words, why = refused
            result.refuse("publics", value, line, why)
            named_publics.extend([words] if words not in named_publics else [])
        else:
            result.note_unmapped("publics", value, line)
    for value in values(row["reseau"]):
        programme = lookup(_RESEAUX, value)
        label = lookup(_LABELS, value)
        if programme is not None:
            _add(record, {"dispositif_programmes_nationaux": [programme]})
        elif label is not None:
            _add(record, {"formations_labels": [label]})
        else:
            _add(record, {"autres_formations_labels": [value]})
    administrations: list[str] = []
    for value in values(row["administration"]):
        name = lookup(_ADMINISTRATIONS, value) or value
        administrations.extend([name] if name not in administrations else [])
    if administrations:
        _add(record, {"services": [DEMARCHES]})
    flag = key(row["borne_libre_service"])
    if flag in _TRUE:
        _add(record, {"modalites_accompagnement": ["En autonomie"], "services": [ACCES_INTERNET]})
    elif flag not in _FALSE:
        result.note_unmapped("borne_libre_service", row["borne_libre_service"], line)
    itinerance = key(row["itinerance"])
    if itinerance in _TRUE:
        record["itinerance"] = ["Itinérant"]
    elif itinerance in _FALSE - {""}:
        record["itinerance"] = ["Fixe"]
    elif itinerance:
        result.note_unmapped("itinerance", row["itinerance"], line)
    pmr = key(row["accueil_pmr"])
    if pmr in _TRUE:
        result.refuse("accueil_pmr", row["accueil_pmr"], line, PMR_REFUSED)
    elif pmr not in _FALSE:
        result.note_unmapped("accueil_pmr", row["accueil_pmr"], line)

    detail = [clean_comment(row["infos_complementaires"].replace("\u00a0", " "))]
    if administrations:
        detail.append(f"Démarches avec : {', '.join(administrations)}.")
    if named_publics:
        detail.append(f"Publics indiqués par le Département de l'Hérault : {', '.join(named_publics)}.")
    if pmr in _TRUE:
        detail.append(PMR_DETAIL)
    if any(detail):
        record["presentation_detail"] = "\n\n".join(part for part in detail if part)
    if not record.get("services"):
        return None, [*problems, f"aucun service reconnu (type « {row['lib_long_type']} ») : ligne ignorée"]
    # Lists in the order of the standard's values, whatever the order of the cells.
    for name, allowed in ENUMS.items():
        if name in record:
            record[name] = sorted(record[name], key=allowed.index)
    return ordered(record), problems
