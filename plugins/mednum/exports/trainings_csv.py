"""``formations.csv``: the training catalogue for professionals, one row per training.

Comma-separated UTF-8 CSV, CRLF line endings (RFC 4180), described by the Table
Schema ``formations.schema.json`` (local schema, version 1.0, published next to
it). Lists are joined with ``|``; ``sessions`` lists each session as
``AAAA-MM-JJ/AAAA-MM-JJ lieu`` (first and last day, then the place or « À
distance »); ``url`` is the page of the training; ``exemple`` is ``true`` for a
fictional record.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .. import urls
from ..french import slugify
from ..model import Catalogue, Training
from .national_csv import cell
from .publication import LICENCE_URL, absolute, write_text

FILENAME = "formations.csv"
SCHEMA_FILENAME = "formations.schema.json"
_LIST = "Liste : valeurs séparées par « | »."
_DATE = r"\d{4}-\d{2}-\d{2}"


def _field(name: str, title: str, description: str, type_: str = "string", **constraints) -> dict:
    field = {"name": name, "title": title, "description": description, "type": type_}
    if constraints:
        field["constraints"] = constraints
    return field


# Table Schema (frictionless) of formations.csv, published next to it. Its fields are kept here on
# purpose rather than read from schemas/trainings.schema.json: the CSV is a flattened, versioned
# view (tarif.* and inscription.* become columns, sessions one cell, url added) whose column
# order is a published contract, independent of the order records are edited in.
SCHEMA = {
    "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
    # name, title and description: the territory's, filled in by schema() below.
    "version": "1.0.0",
    "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte 2.0", "path": LICENCE_URL}],
    "primaryKey": "id",
    "missingValues": [""],
    "fields": [
        _field(
            "id",
            "Identifiant",
            "Identifiant stable de la formation.",
            required=True,
            unique=True,
            pattern="[a-z0-9]+(?:-[a-z0-9]+)*",
        ),
        _field("titre", "Titre", "Titre de la formation.", required=True, maxLength=150),
        _field("organisme", "Organisme", "Organisme qui donne la formation.", required=True),
        _field("description", "Description", "Présentation, en Markdown simple."),
        _field("objectifs", "Objectifs", f"Ce que l'on saura faire à la fin. {_LIST}", required=True),
        _field("competences", "Compétences", f"Compétences travaillées. {_LIST}"),
        _field(
            "publics",
            "Publics",
            f"Professionnels à qui la formation s'adresse. {_LIST}",
            required=True,
            pattern="(?:(?:^|\\|)(Médiateurs numériques|Aidants numériques|Travailleurs sociaux|"
            "Agents d'accueil|Bénévoles|Conseillers numériques|Tout professionnel))+$",
        ),
        _field("prerequis", "Prérequis", "Ce qu'il faut savoir avant."),
        _field(
            "format",
            "Format",
            "presentiel, distanciel ou hybride.",
            required=True,
            enum=["presentiel", "distanciel", "hybride"],
        ),
        _field(
            "duree_heures", "Durée (heures)", "Durée totale en heures.", "number", required=True, minimum=0
        ),
        _field("frais", "Frais", "Gratuit ou Payant.", required=True, enum=["Gratuit", "Payant"]),
        _field(
            "montant_euros",
            "Montant (euros)",
            "Prix par personne, quand la formation est payante.",
            "number",
            minimum=0,
        ),
        _field("financement", "Financement", "Financements possibles (OPCO, CNFPT, employeur…)."),
        _field("certification", "Certification", "Certification ou attestation délivrée."),
        _field(
            "sessions",
            "Sessions",
            f"Sessions programmées, chacune « AAAA-MM-JJ/AAAA-MM-JJ lieu » (premier et dernier jour, "
            f"puis le lieu ou « À distance »). {_LIST}",
            pattern=f"(?:(?:^|\\|){_DATE}/{_DATE} [^|]+)+$",
        ),
        _field("inscription_lien", "Lien d'inscription", "Page d'inscription.", pattern="https?://\\S+"),
        _field(
            "inscription_courriel",
            "Courriel d'inscription",
            "Adresse e-mail pour s'inscrire.",
            pattern="[^@\\s]+@[^@\\s]+\\.[a-zA-Z]{2,}",
        ),
        _field(
            "inscription_telephone",
            "Téléphone d'inscription",
            "Téléphone, format international.",
            pattern="\\+\\d{7,14}",
        ),
        _field("url", "Page", "Adresse de la page de la formation sur le site.", pattern="https?://\\S+"),
        _field(
            "date_maj",
            "Date de mise à jour",
            "Date de la dernière vérification (AAAA-MM-JJ).",
            "date",
            required=True,
        ),
        _field("exemple", "Exemple", "true pour une formation d'exemple, fictive.", "boolean", required=True),
    ],
}


def columns() -> tuple[str, ...]:
    return tuple(f["name"] for f in SCHEMA["fields"])


def row(training: Training, base: str) -> dict[str, str]:
    r = training.record
    tarif, inscription = r["tarif"], r["inscription"]
    sessions = [f"{s['debut']}/{s['fin']} {s['lieu']}" for s in r.get("sessions", [])]
    values = {
        "id": training.id,
        "titre": training.title,
        "organisme": r["organisme"],
        "description": r.get("description"),
        "objectifs": r["objectifs"],
        "competences": r.get("competences"),
        "publics": r["publics"],
        "prerequis": r.get("prerequis"),
        "format": r["format"],
        "duree_heures": r["duree_heures"],
        "frais": tarif["frais"],
        "montant_euros": tarif.get("montant"),
        "financement": tarif.get("financement"),
        "certification": r.get("certification"),
        "sessions": sessions,
        "inscription_lien": inscription.get("lien"),
        "inscription_courriel": inscription.get("courriel"),
        "inscription_telephone": inscription.get("telephone"),
        "url": absolute(base, urls.training(training)),
        "date_maj": r["date_maj"],
        "exemple": training.example,
    }
    return {name: cell(value) for name, value in values.items()}


def render(catalogue: Catalogue, base: str) -> str:
    out = io.StringIO()
    names = columns()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for training in catalogue.trainings:
        writer.writerow(row(training, base))
    return out.getvalue()


def schema(catalogue: Catalogue, publisher: str) -> dict:
    """SCHEMA named after the catalogue's territory (« formations-mediation-numerique-herault »)."""
    department = catalogue.reference.department
    named = {
        "$schema": SCHEMA["$schema"],
        "name": f"formations-mediation-numerique-{slugify(department.name)}",
        "title": f"Formations pour les professionnels de la médiation numérique {department.in_}",
        "description": "Une ligne par formation destinée aux professionnels et bénévoles qui "
        f"accompagnent les personnes vers le numérique. Schéma local : {publisher}.",
    }
    return {**named, **{k: v for k, v in SCHEMA.items() if k not in named}}


def write(catalogue: Catalogue, out: Path, base: str, publisher: str) -> dict[str, int]:
    write_text(out / FILENAME, render(catalogue, base))
    text = json.dumps(schema(catalogue, publisher), ensure_ascii=False, indent=2) + "\n"
    write_text(out / SCHEMA_FILENAME, text)
    return {FILENAME: len(catalogue.trainings)}
