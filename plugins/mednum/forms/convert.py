"""An issue form's answers → a record of ``data/``, written and checked like any other.

``convert(kind, body, context)`` reads the answers (``issue``), turns each into the value of
the record (``values``, ``geocode``), then:

1. writes the record into a copy of ``data/sites.yaml`` or ``data/workshops.yaml`` the way the
   importer writes records (``importers.merge``: inserted in identifier order, fields in the
   schema's order, the rest of the file unchanged to the byte);
2. checks the whole copied catalogue with the project's validator (``load_catalogue``, what
   ``python -m mednum check`` runs), so that identifiers, references and places are checked
   against every other record; the problems of the new or changed record come back as
   problems of the form's fields;
3. checks that no other record changed (``_only_this_record``) — an answer can never reach
   another record, whatever it holds.

The result holds either the new text of the changed file with a title and the elements of a
pull request's description, or the problems of each field (``render`` words both).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from ..catalogue import LoadOptions, load_catalogue
from ..french import format_number, slugify
from ..importers import ImportFileError
from ..importers.matching import address_key
from ..importers.merge import _dump, _load, _node, _quote, merge_into_yaml, write_text
from ..problems import Report
from ..reference import Reference, load_reference
from ..schema import SITES, WORKSHOPS, Kind, Schema, record_fields, suggest
from ..yamlsource import read_yaml
from . import values
from .geocode import Fetch, Found, NotFound, geocode
from .issue import Answers, Problem, read_answers
from .spec import (
    ACCESSIBILITY,
    CHOICES,
    NEW_SITE,
    TEMPLATES_DIR,
    UPDATE_SITE,
    WORKSHOP,
    Form,
    choose,
    load_form,
)

# Longest answer accepted for each field (characters); the schema's own limits where it has one.
LIMITS = {
    "id": 300,
    "nom": 200,
    "adresse": 200,
    "complement_adresse": 200,
    "commune": 100,
    "position": 500,
    "telephone": 60,
    "courriel": 300,
    "site_web": 500,
    "horaires": 1000,
    "accessibilite_precisions": 500,
    "presentation": 280,
    "source": 200,
    "titre": 150,
    "lieu": 300,
    "description": 3000,
    "seances": 3000,
    "chaque_semaine": 1000,
    "periode": 100,
    "places": 20,
    "contact_inscription": 500,
    "montant": 20,
}
DEFAULT_LIMIT = 300
MAX_SESSIONS = 60
CONSENT = "accord"

# Fields of the data → the form's field that gives them (for the validator's messages).
SITE_FIELD_OF = {
    "id": "nom",
    "nom": "nom",
    "adresse": "adresse",
    "complement_adresse": "complement_adresse",
    "code_postal": "commune",
    "commune": "commune",
    "code_insee": "commune",
    "latitude": "position",
    "longitude": "position",
    "typologie": "typologie",
    "telephone": "telephone",
    "courriels": "courriel",
    "site_web": "site_web",
    "horaires": "horaires",
    "presentation_resume": "presentation",
    "source": "source",
    "services": "services",
    "publics_specifiquement_adresses": "publics",
    "frais_a_charge": "frais",
    "modalites_acces": "acces",
    "modalites_accompagnement": "accompagnement",
    "x_pass_numerique": "pass_numerique",
    "x_accessibilite": "accessibilite",
    "x_accessibilite.commentaire": "accessibilite_precisions",
}
WORKSHOP_FIELD_OF = {
    "id": "titre",
    "titre": "titre",
    "type": "type",
    "lieu": "lieu",
    "description": "description",
    "thematiques": "thematiques",
    "publics": "publics",
    "niveau": "niveau",
    "seances": "seances",
    "recurrence": "chaque_semaine",
    "recurrence.du": "periode",
    "recurrence.au": "periode",
    "places": "places",
    "inscription": "inscription",
    "inscription.telephone": "contact_inscription",
    "inscription.lien": "contact_inscription",
    "inscription.courriel": "contact_inscription",
    "tarif": "tarif",
    "tarif.montant": "montant",
    "tarif.pass_numerique": "pass_numerique",
}


@dataclass
class Context:
    """Where the data is, what day it is, and how to find a position (``fetch``; None: never)."""

    data_dir: Path
    schemas_dir: Path
    today: dt.date
    fetch: Fetch | None = None
    reference_dir: Path | None = None
    templates_dir: Path = TEMPLATES_DIR
    number: int | None = None  # the issue's number
    author: str = ""  # who opened it
    title: str = ""  # its title

    @cached_property
    def reference(self) -> Reference:
        return load_reference(self.reference_dir or self.data_dir / "reference")

    def records(self, kind: Kind) -> list[dict]:
        return _records(self.data_dir / kind.filename, self.schemas_dir / kind.schema_file, kind)


@dataclass
class Change:
    field: str  # field of the data
    old: Any
    new: Any


@dataclass
class Result:
    kind: str
    form: Form
    problems: list[Problem] = field(default_factory=list)
    record: dict | None = None
    files: dict[str, str] = field(default_factory=dict)  # data file name → new text
    title: str = ""  # of the pull request and its commit
    changes: list[Change] = field(default_factory=list)  # updates only
    geocoded: Found | None = None
    warnings: list[str] = field(default_factory=list)  # of the validator, about this record
    notes: list[str] = field(default_factory=list)  # for the people who review
    source: str = ""  # who gave the information

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.files)


class _Problems(list):
    def add(self, ident: str | None, message: str) -> None:
        for line in message.split("\n"):
            self.append(Problem(ident, line))

    def take(self, ident: str, convert: Callable, *args):
        """``convert(*args)``, or None with its problem noted."""
        try:
            return convert(*args)
        except values.Invalid as error:
            self.add(ident, str(error))
            return None


def convert(kind: str, body: str, context: Context) -> Result:
    form = load_form(kind, context.templates_dir)
    result = Result(kind, form)
    answers, shape = read_answers(body, form)
    problems = _Problems(shape)
    if any(p.field is None for p in shape):
        result.problems = list(problems)
        return result
    _sizes(answers, form, problems)
    if CONSENT in {item.id for item in form.items} and not answers.boxes(CONSENT):
        option = form.item(CONSENT).options[0]
        problems.add(CONSENT, f"cochez la case « {option} » : sans votre accord, rien n'est publié")
    if kind == NEW_SITE:
        _new_site(answers, context, result, problems)
    elif kind == UPDATE_SITE:
        _update_site(answers, context, result, problems)
    else:
        _new_workshop(answers, context, result, problems)
    result.problems = list(problems)
    return result


def _sizes(answers: Answers, form: Form, problems: _Problems) -> None:
    """Answers over their limit are reported and emptied, so nothing else reads them."""
    for ident, value in list(answers.text.items()):
        limit = LIMITS.get(ident, DEFAULT_LIMIT)
        if len(value.strip()) > limit:
            problems.add(
                ident,
                f"réponse trop longue : {format_number(len(value.strip()))} caractères pour"
                f" {format_number(limit)} au plus. Raccourcissez-la",
            )
            answers.text[ident] = ""


# --- places -----------------------------------------------------------------------------


def _choices(kind: str, ident: str, answers: Answers, problems: _Problems, order: list[str] | None = None):
    table = CHOICES[kind][ident]
    chosen = [choose(table, label) for label in answers.boxes(ident)]
    if order:
        chosen.sort(key=lambda v: order.index(v) if v in order else len(order))
    return chosen


def _dropdown(kind: str, ident: str, answers: Answers, problems: _Problems):
    written = answers.get(ident).strip()
    if not written:
        return None
    value = choose(CHOICES[kind][ident], written)
    if value is None:
        problems.add(ident, f"choix {values.quoted(written)} inconnu : choisissez une des réponses proposées")
    return value


def _enum(schema: dict, name: str) -> list[str]:
    node = schema.get(name, {})
    return list((node.get("items") or {}).get("enum") or node.get("enum") or [])


def _site_answers(
    kind: str, answers: Answers, context: Context, problems: _Problems, old: dict | None
) -> dict:
    """The fields of a place that the answers give (None: not given); commune and position resolved."""
    fields = record_fields(context.schemas_dir / SITES.schema_file)
    given: dict[str, Any] = {}

    def answer(ident: str, convert: Callable, *args):
        written = answers.get(ident).strip()
        return problems.take(ident, convert, written, *args) if written else None

    given["nom"] = answer("nom", values.text, LIMITS["nom"])
    given["adresse"] = answer("adresse", values.text, LIMITS["adresse"])
    given["complement_adresse"] = answer("complement_adresse", values.text, LIMITS["complement_adresse"])
    place = answer("commune", values.commune, context.reference)
    if place is not None:
        commune, postal = place
        given.update(commune=commune.nom, code_insee=commune.code_insee, code_postal=postal)
        given["_commune"] = commune
    where = given.get("_commune") or (context.reference.commune(old["code_insee"]) if old else None)
    spot = answer("position", values.position, context.reference, where)
    if spot is not None:
        given["latitude"], given["longitude"] = spot
    given["telephone"] = answer("telephone", values.phone)
    given["courriels"] = answer("courriel", values.emails)
    given["site_web"] = answer("site_web", values.web_addresses)
    given["horaires"] = answer("horaires", values.weekly_hours)
    for ident, name in (
        ("services", "services"),
        ("publics", "publics_specifiquement_adresses"),
        ("acces", "modalites_acces"),
        ("accompagnement", "modalites_accompagnement"),
    ):
        given[name] = _choices(kind, ident, answers, problems, _enum(fields, name)) or None
    fee = _dropdown(kind, "frais", answers, problems)
    given["frais_a_charge"] = [fee] if fee else None
    kind_of_place = _dropdown(kind, "typologie", answers, problems)
    given["typologie"] = [kind_of_place] if kind_of_place else None
    given["x_pass_numerique"] = _dropdown(kind, "pass_numerique", answers, problems)
    given["_access"] = _accessibility(answers, problems)
    comment = answer("accessibilite_precisions", values.text, LIMITS["accessibilite_precisions"], True)
    if comment:
        given["_access"]["commentaire"] = " ".join(comment.split())
    summary = answer("presentation", values.text, LIMITS["presentation"], True)
    given["presentation_resume"] = " ".join(summary.split()) if summary else None
    given["source"] = answer("source", values.text, LIMITS["source"])
    return given


def _accessibility(answers: Answers, problems: _Problems) -> dict:
    access: dict[str, Any] = {}
    for label in answers.boxes("accessibilite"):
        key, value = choose(ACCESSIBILITY, label)
        if key == "accueil_equipements_malentendants":
            access.setdefault(key, []).append(value)
        elif key in access and access[key] != value:
            problems.add(
                "accessibilite",
                "« Entrée sans marche » et « Entrée avec des marches » : cochez l'une ou l'autre",
            )
        else:
            access[key] = value
    return access


def _access_block(old: dict | None, new: dict, schemas_dir: Path) -> dict | None:
    """``old`` completed with ``new``, in the schema's order; steps dropped when the entrance has none."""
    merged = dict(old or {})
    for key, value in new.items():
        if key == "accueil_equipements_malentendants":
            merged[key] = list(dict.fromkeys([*(merged.get(key) or []), *value]))
        else:
            merged[key] = value
    if merged.get("entree_plain_pied") is True:
        merged.pop("entree_marches", None)
        merged.pop("entree_marches_rampe", None)
    if merged.get("stationnement_pmr") is True:
        merged.setdefault("stationnement_presence", True)
    if merged.get("sanitaires_adaptes") is True:
        merged.setdefault("sanitaires_presence", True)
    order = list(record_fields(schemas_dir / SITES.schema_file)["x_accessibilite"]["properties"])
    return {
        k: merged[k] for k in sorted(merged, key=lambda k: order.index(k) if k in order else len(order))
    } or None


def _locate(given: dict, old: dict | None, context: Context, result: Result, problems: _Problems) -> None:
    """Coordinates (and a missing postal code) from the address, when the form gives no position."""
    commune = given.get("_commune") or (context.reference.commune(old["code_insee"]) if old else None)
    address = given.get("adresse") or (old or {}).get("adresse")
    if commune is None or not address:
        return
    if given.get("latitude") is None:
        if context.fetch is None:
            problems.add(
                "position",
                "indiquez la position du lieu (la recherche d'après l'adresse n'est pas disponible)",
            )
            return
        try:
            found = geocode(address, commune, context.fetch)
        except NotFound as error:
            problems.add("adresse", str(error))
            return
        given["latitude"], given["longitude"] = found.latitude, found.longitude
        result.geocoded = found
        if given.get("code_postal") is None and found.postcode in commune.codes_postaux:
            given["code_postal"] = found.postcode
    if "_commune" in given and given.get("code_postal") is None:
        codes = ", ".join(commune.codes_postaux)
        problems.add(
            "commune",
            f"{commune.nom} a plusieurs codes postaux ({codes}) : écrivez aussi le code postal,"
            f" par exemple « {commune.codes_postaux[0]} {commune.nom} »",
        )


def _same_place(name: str, ident: str, code_insee: str, sites: list[dict]) -> dict | None:
    """The record that has the identifier ``ident``, or the same name in the same commune."""
    key = slugify(name)
    for other in sites:
        if other.get("id") == ident:
            return other
        same_commune = other.get("code_insee") == code_insee
        if same_commune and key in (slugify(str(other.get("nom", ""))), other.get("id")):
            return other
    return None


def _about_place(problems: _Problems) -> bool:
    return any(p.field in ("adresse", "commune", "position") for p in problems)


def _ordered(record: dict, schema_path: Path) -> dict:
    return {
        name: record[name]
        for name in record_fields(schema_path)
        if record.get(name) not in (None, [], {}, "")
    }


def _slug_id(name: str, commune_slug: str, suffix: str = "") -> str:
    base = slugify(name)
    if commune_slug and commune_slug not in base:
        base = f"{base}-{commune_slug}"
    if suffix:
        base = f"{base}-{suffix}"
    if len(base) > 80:
        base = base[:80].rsplit("-", 1)[0]
    return base


def _new_site(answers: Answers, context: Context, result: Result, problems: _Problems) -> None:
    given = _site_answers(NEW_SITE, answers, context, problems, None)
    for ident, name in (("nom", "nom"), ("adresse", "adresse"), ("commune", "commune"), ("source", "source")):
        if given.get(name) is None and not any(p.field == ident for p in problems):
            problems.add(ident, "réponse obligatoire : remplissez ce champ")
    if not given.get("services") and not any(p.field == "services" for p in problems):
        problems.add("services", "cochez au moins une case")
    sites = context.records(SITES)
    commune = given.get("_commune")
    ident = _slug_id(given["nom"], commune.slug) if given.get("nom") and commune else None
    if given.get("nom") and not slugify(given["nom"]):
        problems.add("nom", "le nom doit contenir des lettres ou des chiffres")
    elif ident and (same := _same_place(given["nom"], ident, commune.code_insee, sites)) is not None:
        problems.add(
            "nom",
            f"un lieu de ce nom est déjà dans le catalogue à {same.get('commune', commune.nom)} :"
            f" « {same.get('nom', ident)} » (identifiant « {same.get('id')} »). Pour le corriger, utilisez plutôt"
            " le formulaire « Mettre à jour un lieu » ; s'il s'agit d'un autre lieu, précisez son nom",
        )
    elif ident and given.get("adresse") and not _about_place(problems):
        # Even when other answers are to be corrected: every problem is told at once.
        _locate(given, None, context, result, problems)
    if problems:
        return
    result.source = given["source"]
    record = {k: v for k, v in given.items() if not k.startswith("_")}
    record.update(id=ident, date_maj=context.today.isoformat())
    record["x_accessibilite"] = _access_block(None, given["_access"], context.schemas_dir)
    record = _ordered(record, context.schemas_dir / SITES.schema_file)
    key = address_key(record["adresse"])
    for other in sites:
        if (
            other.get("code_insee") == record["code_insee"]
            and address_key(str(other.get("adresse", ""))) == key
        ):
            result.notes.append(
                f"À la même adresse, le catalogue a déjà « {other.get('nom')} » (identifiant {other.get('id')}) :"
                " vérifiez qu'il ne s'agit pas du même lieu."
            )
    result.record = record
    result.title = f"Nouveau lieu : {no_reference(record['nom'])} ({record['id']})"
    _write(context, result, SITES, record, set(record), problems, added=True)


def _update_site(answers: Answers, context: Context, result: Result, problems: _Problems) -> None:
    written = answers.get("id").strip()
    if not written:
        problems.add("id", "réponse obligatoire : collez l'adresse de la page du lieu ou son identifiant")
        return
    sites = context.records(SITES)
    by_id = {r["id"]: r for r in sites if isinstance(r.get("id"), str)}
    try:
        ident = values.record_id(written)
    except values.Invalid as error:
        ident, invalid = None, str(error)
    if ident not in by_id:
        # The place's name instead of its identifier: say which identifier it is.
        by_name = {slugify(str(r.get("nom", ""))): r["id"] for r in sites if isinstance(r.get("id"), str)}
        hint = by_name.get(slugify(written)) or suggest(ident or slugify(written), list(by_id))
        more = f" : vouliez-vous dire « {hint} » ?" if hint else " : collez l'adresse de la page du lieu"
        if ident is None and hint is None:
            problems.add("id", invalid)
        else:
            shown = ident or " ".join(written.split())[:80]
            problems.add("id", f"aucun lieu n'a l'identifiant « {shown} » dans le catalogue{more}")
        return
    named = re.search(r"\(([a-z0-9]+(?:-[a-z0-9]+)*)\)\s*$", context.title or "")
    if named and named.group(1) in by_id and named.group(1) != ident:
        problems.add(
            "id",
            f"le titre de la demande parle de la fiche « {named.group(1)} », mais ce champ donne « {ident} » :"
            " une demande ne modifie qu'une fiche. Remettez le bon identifiant, ou ouvrez une autre demande"
            " pour l'autre lieu",
        )
        return
    old = by_id[ident]
    given = _site_answers(UPDATE_SITE, answers, context, problems, old)
    # Who gave the information goes to the reviewers; the record keeps the sources it cites.
    result.source = given.pop("source", None) or ""
    moved = given.get("adresse") not in (None, old.get("adresse")) or given.get("code_insee") not in (
        None,
        old.get("code_insee"),
    )
    if moved and not _about_place(problems):
        _locate(given, old, context, result, problems)
    elif not moved and "_commune" in given and given.get("code_postal") is None:
        given["code_postal"] = old.get("code_postal")
    if problems:
        return
    new = dict(old)
    for name, value in given.items():
        if not name.startswith("_") and value is not None:
            new[name] = value
    if given["_access"]:
        new["x_accessibilite"] = _access_block(
            old.get("x_accessibilite"), given["_access"], context.schemas_dir
        )
    if given.get("typologie") and given["typologie"][0] in (old.get("typologie") or []):
        new["typologie"] = old["typologie"]  # already said: the other kinds stay
    order = list(record_fields(context.schemas_dir / SITES.schema_file))
    changed = [name for name in order if new.get(name) != old.get(name)]
    if not changed:
        problems.add(
            None,
            "aucun changement trouvé : les réponses sont celles de la fiche, ou tous les champs sont vides."
            " Remplissez les champs qui changent (un champ laissé vide ne change pas)",
        )
        return
    new["date_maj"] = context.today.isoformat()
    result.changes = [Change(name, old.get(name), new.get(name)) for name in changed]
    result.record = new
    result.title = f"Mise à jour : {no_reference(str(new.get('nom', ident)))} ({ident})"
    _write(context, result, SITES, new, {*changed, "date_maj"}, problems, added=False)


# --- workshops --------------------------------------------------------------------------


def _contacts(written: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in re.split(r"\s*[,;]\s*|\s+(?:ou|et)\s+", written.strip()):
        if not part:
            continue
        if "@" in part and "/" not in part:
            found.setdefault("courriel", values.emails(part)[0])
        elif re.search(r"[a-zA-Z]", part):
            found.setdefault("lien", values.web_address(part))
        else:
            found.setdefault("telephone", values.phone(part))
    return found


def _new_workshop(answers: Answers, context: Context, result: Result, problems: _Problems) -> None:
    schema = record_fields(context.schemas_dir / WORKSHOPS.schema_file)

    def answer(ident: str, convert: Callable, *args):
        written = answers.get(ident).strip()
        return problems.take(ident, convert, written, *args) if written else None

    title = answer("titre", values.text, LIMITS["titre"])
    kind = _dropdown(WORKSHOP, "type", answers, problems)
    level = _dropdown(WORKSHOP, "niveau", answers, problems)
    fee = _dropdown(WORKSHOP, "tarif", answers, problems)
    place_id = answer("lieu", values.record_id)
    sites = {r["id"]: r for r in context.records(SITES) if isinstance(r.get("id"), str)}
    if place_id is not None and place_id not in sites:
        hint = suggest(place_id, list(sites))
        more = f" (vouliez-vous dire « {hint} » ?)" if hint else ""
        problems.add(
            "lieu",
            f"aucun lieu « {place_id} » dans le catalogue{more}. Collez l'adresse de la page du lieu ; s'il n'est"
            " pas encore dans le catalogue, proposez-le d'abord avec le formulaire « Proposer un nouveau lieu »",
        )
        place_id = None
    description = answer("description", values.text, LIMITS["description"], True)
    themes = _choices(WORKSHOP, "thematiques", answers, problems, _enum(schema, "thematiques"))
    audiences = _choices(WORKSHOP, "publics", answers, problems, _enum(schema, "publics"))
    sessions = answer("seances", values.sessions, context.today)
    weekly = answer("chaque_semaine", values.weekly_hours, False)
    period = answer("periode", values.period, context.today)
    seats = answer("places", values.whole_number, 1, 10000)
    modes = _choices(
        WORKSHOP, "inscription", answers, problems, _enum(schema["inscription"]["properties"], "modes")
    )
    contacts = answer("contact_inscription", _contacts) or {}
    amount = answer("montant", values.euros)
    pass_numerique = _dropdown(WORKSHOP, "pass_numerique", answers, problems)

    for ident, value in (
        ("titre", title),
        ("type", kind),
        ("lieu", place_id),
        ("niveau", level),
        ("tarif", fee),
    ):
        if value is None and not any(p.field == ident for p in problems):
            problems.add(ident, "réponse obligatoire : remplissez ce champ")
    for ident, chosen in (("thematiques", themes), ("publics", audiences), ("inscription", modes)):
        if not chosen:
            problems.add(ident, "cochez au moins une case")
    dated = answers.get("seances").strip()
    every_week = answers.get("chaque_semaine").strip() or answers.get("periode").strip()
    if dated and every_week:
        problems.add(
            "seances",
            "remplissez soit « Dates et heures », soit « Chaque semaine » et « Période », pas les deux",
        )
    elif not dated and not every_week:
        problems.add(
            "seances",
            "indiquez les dates et heures des séances (ou, chaque semaine, les jours et la période)",
        )
    elif every_week and not any(p.field in ("chaque_semaine", "periode") for p in problems):
        if weekly is None:
            problems.add(
                "chaque_semaine", "indiquez les jours et heures, par exemple « Mercredi : 9 h – 12 h »"
            )
        if period is None:
            problems.add("periode", "indiquez le premier et le dernier jour, « du 07/01/2027 au 30/06/2027 »")
    if sessions and len(sessions) > MAX_SESSIONS:
        problems.add(
            "seances",
            f"{len(sessions)} séances : {MAX_SESSIONS} au plus ; pour un atelier de chaque semaine, remplissez « Chaque semaine »",
        )
    registration: dict[str, Any] = {"modes": modes}
    needs = {"telephone": "telephone", "en-ligne": "lien", "courriel": "courriel"}
    registration.update(contacts)
    for mode in modes:
        wanted = needs.get(mode)
        if wanted and wanted not in contacts and not any(p.field == "contact_inscription" for p in problems):
            what = {
                "telephone": "le numéro de téléphone",
                "lien": "l'adresse de la page d'inscription",
                "courriel": "l'adresse e-mail",
            }[wanted]
            problems.add(
                "contact_inscription", f"vous avez coché une inscription qui demande {what} : écrivez-le ici"
            )
    if "sans-inscription" in modes and len(modes) > 1:
        problems.add(
            "inscription", "« Sans inscription » ne va pas avec une autre case : cochez l'une ou les autres"
        )
    price: dict[str, Any] = {"frais": fee}
    if fee == "Payant" and amount is None and not any(p.field == "montant" for p in problems):
        problems.add("montant", "indiquez le prix d'un atelier payant, en euros")
    if fee == "Gratuit" and amount:
        problems.add(
            "montant", "un atelier gratuit n'a pas de prix : videz ce champ ou choisissez « Payant »"
        )
    if amount is not None and fee == "Payant":
        price["montant"] = amount
    if pass_numerique is not None:
        price["pass_numerique"] = pass_numerique
    if problems:
        return
    place = sites[place_id]
    first_day = sessions[0]["date"] if sessions else period[0].isoformat()
    commune = context.reference.commune(str(place.get("code_insee", "")))
    ident = _slug_id(title, commune.slug if commune else "", first_day[:7])
    if not slugify(title):
        problems.add("titre", "le titre doit contenir des lettres ou des chiffres")
        return
    if any(r.get("id") == ident for r in context.records(WORKSHOPS)):
        problems.add(
            "titre",
            f"un atelier de ce titre est déjà annoncé dans ce lieu ce mois-ci (identifiant « {ident} ») :"
            " s'il s'agit d'un autre atelier, précisez son titre",
        )
        return
    record = {
        "id": ident,
        "titre": title,
        "type": kind,
        "lieu": place_id,
        "description": description,
        "thematiques": themes,
        "publics": audiences,
        "niveau": level,
        "seances": sessions,
        "recurrence": {"horaires": weekly, "du": period[0].isoformat(), "au": period[1].isoformat()}
        if weekly and period
        else None,
        "places": seats,
        "inscription": {
            k: registration[k] for k in ("modes", "telephone", "lien", "courriel") if k in registration
        },
        "tarif": {k: price[k] for k in ("frais", "montant", "pass_numerique") if k in price},
        "date_maj": context.today.isoformat(),
    }
    record = _ordered(record, context.schemas_dir / WORKSHOPS.schema_file)
    result.record = record
    result.title = f"Nouvel atelier : {no_reference(title)} ({ident})"
    _write(context, result, WORKSHOPS, record, set(record), problems, added=True)


# --- writing and checking ---------------------------------------------------------------


def _records(path: Path, schema_path: Path, kind: Kind) -> list[dict]:
    report = Report()
    doc = read_yaml(path, str(path), report)
    if doc is None or not isinstance(doc.data, list):
        raise FormError(f"{path} illisible : {report.text(warnings=False)}")
    schema = Schema(schema_path, kind)
    return [r for r in schema.coerce(doc.data, schema.document, (), doc) if isinstance(r, dict)]


class FormError(Exception):
    """Not the form's fault (unreadable data, a catalogue already invalid): the job fails."""


def _insert_first(path: Path, record: dict) -> str:
    """The text of ``path`` with ``record`` as its first record: a file that holds ``[]`` keeps its
    comments (ruamel.yaml cannot add to an empty flow list that has comments)."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^\[\]\s*$", text, flags=re.M)
    if match is None or text[match.end() :].strip():
        raise FormError(f"{path} : liste vide attendue sous la forme « [] »")
    document = CommentedSeq([_node(record)])
    _quote(document)
    return text[: match.start()] + _dump(document)


def _write(
    context: Context,
    result: Result,
    kind: Kind,
    record: dict,
    owned: set[str],
    problems: _Problems,
    added: bool,
) -> None:
    work = Path(tempfile.mkdtemp(prefix=".formulaire-"))
    try:
        copy = work / "data"
        copy.mkdir()
        for name in ("sites.yaml", "workshops.yaml", "trainings.yaml"):
            shutil.copyfile(context.data_dir / name, copy / name)
        target = copy / kind.filename
        before = target.read_text(encoding="utf-8")
        _, document = _load(target)
        if added and not len(document):
            write_text(target, _insert_first(target, record))
        else:
            order = list(record_fields(context.schemas_dir / kind.schema_file))
            merge_into_yaml(target, [record], {record["id"]: owned}, field_order=order)
        try:  # what the importers and the next forms will read
            _load(target)
        except ImportFileError:
            problems.add(
                None,
                "une réponse contient un caractère que le fichier des données ne peut pas enregistrer :"
                " écrivez à nouveau les textes, sans copier-coller",
            )
            return
        after = target.read_text(encoding="utf-8")
        _only_this_record(before, after, kind, record["id"], added, problems)
        if problems:
            return
        options = LoadOptions(
            copy,
            context.schemas_dir,
            context.today,
            root=work,
            reference_dir=context.reference_dir or context.data_dir / "reference",
        )
        _, report = load_catalogue(options)
        subject = kind.subject(record, 0)
        field_of = SITE_FIELD_OF if kind is SITES else WORKSHOP_FIELD_OF
        if result.kind == UPDATE_SITE:
            field_of = {**field_of, "id": "id"}
        others = [p for p in report.errors if p.subject != subject]
        if others:
            raise FormError(
                "le catalogue a déjà des erreurs, sans rapport avec le formulaire :\n"
                + "\n".join(str(p) for p in others[:20])
            )
        for problem in report.errors:
            problems.add(_form_field(problem.field, field_of), problem.message)
        result.warnings = [p.message for p in report.warnings if p.subject == subject]
        if not problems:
            result.files[kind.filename] = after
    finally:
        shutil.rmtree(work, ignore_errors=True)


def no_reference(text: str) -> str:
    """``text`` for the title of a pull request and the message of its commit: GitHub finds no
    issue (« Fixes #1 », « owner/repo#1 », « GH-1 », « …/issues/1 ») nor person (« @name ») in it,
    so that merging never closes another issue and nobody is notified. A word joiner (U+2060,
    invisible) follows « # », « @ », « GH- » and a « / » before a number."""
    text = re.sub(r"[#@]", "\\g<0>\u2060", text)
    text = re.sub(r"(?i)\bgh-(?=\d)", "\\g<0>\u2060", text)
    return re.sub(r"/(?=\d)", "/\u2060", text)


def _form_field(name: str, field_of: dict[str, str]) -> str | None:
    path = re.sub(r"\[\d+\]", "", name or "")
    while path:
        if path in field_of:
            return field_of[path]
        path = path.rpartition(".")[0]
    return None


def _only_this_record(
    before: str, after: str, kind: Kind, ident: str, added: bool, problems: _Problems
) -> None:
    """Every record but ``ident`` is the same before and after; ``ident`` added or changed as asked."""

    def parsed(text: str) -> list:
        report = Report()
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=False) as handle:
            handle.write(text)
        try:
            doc = read_yaml(Path(handle.name), kind.filename, report)
        finally:
            Path(handle.name).unlink()
        return doc.data if doc is not None and isinstance(doc.data, list) else []

    old, new = parsed(before), parsed(after)
    old_others = [r for r in old if not (isinstance(r, dict) and r.get("id") == ident)]
    new_others = [r for r in new if not (isinstance(r, dict) and r.get("id") == ident)]
    targets = [r for r in new if isinstance(r, dict) and r.get("id") == ident]
    expected = len(old) + 1 if added else len(old)
    if old_others != new_others or len(targets) != 1 or len(new) != expected:
        problems.add(
            None,
            f"la demande modifierait d'autres fiches que « {ident} » : elle est refusée."
            " Vérifiez qu'aucune réponse ne contient de texte copié d'un fichier de données",
        )
