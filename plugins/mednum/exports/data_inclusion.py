"""``data-inclusion.json``: structures and their services in the data·inclusion v1 shape.

data·inclusion (the national hub of the offer of social and professional
inclusion) describes *structures* and the *services* they offer (schema v1,
Python package ``data-inclusion-schema``; the tests validate every object with
its models). The file is one JSON object::

    {"schema": …, "source": "mednum-<département>", "date_donnees": "AAAA-MM-JJ",
     "licence": …, "structures": [...], "services": [...]}

**Structures** are the help points (``data/sites.yaml``), with ids
``mednum-<département>--<id>``: name, address, coordinates, first phone, e-mail and
web site, ``horaires_accueil`` (opening_hours), ``siret`` (the ``pivot`` when it is
a SIRET), ``accessibilite_lieu`` (the acceslibre page), ``description``
(``presentation_resume``, else the first paragraph of ``presentation_detail``),
``lien_source`` (the page of the place), and ``reseaux_porteurs`` from
``typologie``/``dispositif_programmes_nationaux`` (table ``RESEAUX``: RFS and
France Services → ``france-service``, Conseillers numériques →
``conseillers-numeriques``, EPN → ``espaces-publics-numeriques``, CCAS/CIAS →
``ccas-cias``, MUNI → ``communes``…). A workshop held at its own address
(``adresse`` instead of ``lieu``) gets a structure for that venue,
``mednum-<département>--salle-<workshop id>``.

**Services** are the workshops and drop-in sessions (``data/workshops.yaml``),
ids ``mednum-<département>--<id>``, attached to the structure of their place:

* ``type``: ``permanence`` → ``accompagnement``, ``evenement`` →
  ``information``, every ``atelier-…`` → ``atelier``;
* ``thematiques`` from our ``thematiques`` (the « services » of the national
  standard), table ``THEMATIQUES``: Aide aux démarches administratives →
  ``numerique--acceder-a-des-services-en-ligne``; Accès internet et matériel
  informatique → ``numerique--acceder-a-une-connexion-internet``; Acquisition de
  matériel informatique à prix solidaire → ``numerique--acquerir-un-equipement``;
  all other values (outils du quotidien, insertion professionnelle, sécurité,
  parentalité, loisirs, compréhension du monde numérique) →
  ``numerique--maitriser-les-fondamentaux-du-numerique``;
* ``frais``: Gratuit → ``gratuit``, Payant → ``payant``; ``frais_precisions``
  gives the amount, the Pass numérique and our ``precisions``;
* ``publics``: Tout public → ``tous-publics`` (alone: the other publics of the
  workshop then go to ``publics_precisions``); Jeunes → ``jeunes``, Étudiants →
  ``etudiants``, Familles et/ou enfants → ``familles``, Seniors → ``seniors``,
  Femmes → ``femmes``, Demandeurs d'emploi → ``demandeurs-emploi``,
  Professionnels et entreprises → ``actifs``;
* ``modes_accueil``: always ``en-presentiel`` (our workshops take place at an address);
* ``modes_mobilisation`` from the registration modes: sans-inscription and
  sur-place → ``se-presenter``, telephone → ``telephoner``, courriel →
  ``envoyer-un-courriel``, en-ligne → ``utiliser-lien-mobilisation`` (with
  ``lien_mobilisation``); ``mobilisable_par``: ``usagers``;
* ``horaires_accueil``: the weekly recurrence (opening_hours) when there is one;
  ``conditions_acces``: the level; address, phone and e-mail of the
  registration, else of the place.

Fictional examples are left out unless ``include_examples`` (see ``mednum.exports``).
"""

from __future__ import annotations

from pathlib import Path

from .. import urls
from ..french import format_euros, plain
from ..model import Catalogue, Site, Workshop
from ..vocab import LEVELS, REGISTRATION_MODES, WORKSHOP_KINDS
from .publication import LICENCE, absolute, json_records, source_id, write_text

FILENAME = "data-inclusion.json"
SCHEMA = "data·inclusion v1 (structures et services, paquet data-inclusion-schema 1.0)"
# The field names below (structure(), service()) are data·inclusion's, mapped from ours:
# a different external format, not a copy of schemas/*.schema.json.

THEMATIQUES = {
    "Aide aux démarches administratives": "numerique--acceder-a-des-services-en-ligne",
    "Maîtrise des outils numériques du quotidien": "numerique--maitriser-les-fondamentaux-du-numerique",
    "Insertion professionnelle via le numérique": "numerique--maitriser-les-fondamentaux-du-numerique",
    "Utilisation sécurisée du numérique": "numerique--maitriser-les-fondamentaux-du-numerique",
    "Parentalité et éducation avec le numérique": "numerique--maitriser-les-fondamentaux-du-numerique",
    "Loisirs et créations numériques": "numerique--maitriser-les-fondamentaux-du-numerique",
    "Compréhension du monde numérique": "numerique--maitriser-les-fondamentaux-du-numerique",
    "Accès internet et matériel informatique": "numerique--acceder-a-une-connexion-internet",
    "Acquisition de matériel informatique à prix solidaire": "numerique--acquerir-un-equipement",
}
FRAIS = {"Gratuit": "gratuit", "Payant": "payant"}
PUBLICS = {
    "Jeunes": "jeunes",
    "Étudiants": "etudiants",
    "Familles et/ou enfants": "familles",
    "Seniors": "seniors",
    "Femmes": "femmes",
    "Demandeurs d'emploi": "demandeurs-emploi",
    "Professionnels et entreprises": "actifs",
}
TYPES = {"permanence": "accompagnement", "evenement": "information"}  # atelier-… → atelier
MOBILISATION = {
    "sans-inscription": "se-presenter",
    "sur-place": "se-presenter",
    "telephone": "telephoner",
    "courriel": "envoyer-un-courriel",
    "en-ligne": "utiliser-lien-mobilisation",
}
# typologie and dispositif_programmes_nationaux → reseaux_porteurs.
RESEAUX = {
    "RFS": "france-service",
    "France Services": "france-service",
    "Conseillers numériques": "conseillers-numeriques",
    "Aidants Connect": "aidants-connect",
    "EPN": "espaces-publics-numeriques",
    "CCAS": "ccas-cias",
    "CIAS": "ccas-cias",
    "MUNI": "communes",
    "CD": "departements",
    "MDS": "maisons-des-solidarites",
    "MJC": "mjc",
    "ML": "mission-locale",
    "PIJ_BIJ": "reseau-information-jeunesse",
    "LA_POSTE": "la-poste",
    "CAF": "caf",
    "CPAM": "cpam",
    "FT": "france-travail",
    "PIMMS": "pimms-mediation",
    "RESSOURCERIE": "ressourceries",
    "La Croix Rouge": "croix-rouge",
    "Emmaüs Connect": "emmaus",
    "Relais numérique (Emmaüs Connect)": "emmaus",
    "Grande école du numérique": "grandes-ecoles-du-numerique",
}
ACCESLIBRE_UUID_URL = "https://acceslibre.beta.gouv.fr/uuid/{}/"


def _compact(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in (None, [], "")}


def _first_paragraph(text: str | None) -> str | None:
    return text.strip().split("\n\n")[0].strip() if text else None


def structure(site: Site, base: str, source: str) -> dict:
    r = site.record
    pivot = r.get("pivot", "")
    access = r.get("x_accessibilite", {})
    accessibilite = r.get("fiche_acces_libre") or (
        ACCESLIBRE_UUID_URL.format(access["acceslibre_uuid"]) if "acceslibre_uuid" in access else None
    )
    reseaux = sorted(
        {
            RESEAUX[v]
            for v in [*r.get("typologie", []), *r.get("dispositif_programmes_nationaux", [])]
            if v in RESEAUX
        }
    )
    return _compact(
        {
            "source": source,
            "id": f"{source}--{site.id}",
            "nom": site.name,
            "date_maj": r["date_maj"],
            "description": r.get("presentation_resume") or _first_paragraph(r.get("presentation_detail")),
            "lien_source": absolute(base, urls.site(site)),
            "siret": pivot if len(pivot) == 14 and pivot.isdigit() and set(pivot) != {"0"} else None,
            "commune": r["commune"],
            "code_postal": r["code_postal"],
            "code_insee": r["code_insee"],
            "adresse": r["adresse"],
            "complement_adresse": r.get("complement_adresse"),
            "longitude": r.get("longitude"),
            "latitude": r.get("latitude"),
            "telephone": r.get("telephone"),
            "courriel": (r.get("courriels") or [None])[0],
            "site_web": (r.get("site_web") or [None])[0],
            "horaires_accueil": r.get("horaires"),
            "accessibilite_lieu": accessibilite,
            "reseaux_porteurs": reseaux,
        }
    )


def venue_id(workshop: Workshop, source: str) -> str:
    return f"{source}--salle-{workshop.id}"


def venue_structure(workshop: Workshop, source: str) -> dict:
    """A structure for a workshop held at its own address (a hall, not a place of the catalogue)."""
    a = workshop.address
    return _compact(
        {
            "source": source,
            "id": venue_id(workshop, source),
            "nom": a.name if len(a.name) >= 3 else f"{a.name} ({a.commune.nom})",
            "date_maj": workshop.record["date_maj"],
            "description": f"Lieu de l'atelier « {workshop.title} ».",
            "commune": a.commune.nom,
            "code_postal": a.postal_code,
            "code_insee": a.commune.code_insee,
            "adresse": a.street,
            "longitude": a.longitude,
            "latitude": a.latitude,
        }
    )


def service(workshop: Workshop, base: str, source: str) -> dict:
    r = workshop.record
    tarif = r["tarif"]
    inscription = r["inscription"]
    site = workshop.site
    precisions = []
    if "montant" in tarif:
        precisions.append(plain(format_euros(tarif["montant"])))  # an export: ordinary spaces
    if tarif.get("pass_numerique"):
        precisions.append("Pass numérique accepté")
    if "precisions" in tarif:
        precisions.append(tarif["precisions"])
    publics = r["publics"]
    if "Tout public" in publics:
        codes = ["tous-publics"]
        others = [p for p in publics if p != "Tout public"]
        publics_precisions = f"Ouvert à tous, en particulier : {', '.join(others)}." if others else None
    else:
        codes = sorted({PUBLICS[p] for p in publics})
        publics_precisions = None
    modes = inscription["modes"]
    if site is not None:
        place = {
            "commune": site.commune.nom,
            "code_postal": site.record["code_postal"],
            "code_insee": site.commune.code_insee,
            "adresse": site.record["adresse"],
            "complement_adresse": site.record.get("complement_adresse"),
            "longitude": site.record.get("longitude"),
            "latitude": site.record.get("latitude"),
        }
        structure_id = f"{source}--{site.id}"
    else:
        a = workshop.address
        place = {
            "commune": a.commune.nom,
            "code_postal": a.postal_code,
            "code_insee": a.commune.code_insee,
            "adresse": a.street,
            "complement_adresse": a.name,
            "longitude": a.longitude,
            "latitude": a.latitude,
        }
        structure_id = venue_id(workshop, source)
    site_record = site.record if site is not None else {}
    return _compact(
        {
            "source": source,
            "structure_id": structure_id,
            "id": f"{source}--{workshop.id}",
            "nom": workshop.title,
            "description": r.get("description") or f"{WORKSHOP_KINDS[workshop.kind]} : {workshop.title}.",
            "lien_source": absolute(base, urls.workshop(workshop)),
            "date_maj": r["date_maj"],
            "type": TYPES.get(workshop.kind, "atelier"),
            "thematiques": sorted({THEMATIQUES[t] for t in r["thematiques"]}),
            "frais": FRAIS[tarif["frais"]],
            "frais_precisions": " ; ".join(precisions) or None,
            "publics": codes,
            "publics_precisions": publics_precisions,
            "conditions_acces": f"Niveau : {LEVELS[r['niveau']].lower()}.",
            **place,
            "telephone": inscription.get("telephone") or site_record.get("telephone"),
            "courriel": inscription.get("courriel") or (site_record.get("courriels") or [None])[0],
            "modes_accueil": ["en-presentiel"],
            "lien_mobilisation": inscription.get("lien"),
            "modes_mobilisation": sorted({MOBILISATION[m] for m in modes}),
            "mobilisable_par": ["usagers"],
            "mobilisation_precisions": " ; ".join(REGISTRATION_MODES[m] for m in modes) + ".",
            "horaires_accueil": r.get("recurrence", {}).get("horaires"),
        }
    )


def document(catalogue: Catalogue, base: str, include_examples: bool = False) -> dict:
    source = source_id(catalogue)
    sites = [s for s in catalogue.sites if include_examples or not s.example]
    workshops = [w for w in catalogue.workshops if include_examples or not w.example]
    structures = [structure(s, base, source) for s in sites]
    structures += [venue_structure(w, source) for w in workshops if w.site is None]
    return {
        "schema": SCHEMA,
        "source": source,
        "date_donnees": catalogue.build_date.isoformat(),
        "licence": LICENCE,
        "structures": sorted(structures, key=lambda s: s["id"]),
        "services": sorted((service(w, base, source) for w in workshops), key=lambda s: s["id"]),
    }


def write(catalogue: Catalogue, out: Path, base: str, include_examples: bool = False) -> dict[str, int]:
    doc = document(catalogue, base, include_examples)
    write_text(out / FILENAME, json_records(doc))
    return {
        f"{FILENAME} (structures)": len(doc["structures"]),
        f"{FILENAME} (services)": len(doc["services"]),
    }
