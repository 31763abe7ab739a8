"""The issue forms of ``.github/ISSUE_TEMPLATE/`` as the converter reads them, and their choices.

The forms themselves are the single description of their fields: the converter reads each
form's YAML to know under which heading (the field's label) GitHub writes each answer. The
choices of checkboxes and dropdowns are the site's own words (``mednum.vocab``): the tables
below turn a label back into the value of the data, and ``tests/test_forms.py`` checks that
every form offers exactly these labels, so that the form, the site and the converter cannot
drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..french import capitalize_first, plain
from ..vocab import (
    ACCESS_MODES,
    FEES,
    HEARING_EQUIPMENT,
    LEVELS,
    NEEDS,
    PUBLICS,
    REGISTRATION_MODES,
    STAFF_TRAINING,
    SUPPORT_MODES,
    TYPOLOGIES,
    WORKSHOP_KINDS,
    WORKSHOP_PUBLICS,
)

# plugins/mednum/forms/spec.py → the project's folder.
ROOT = Path(__file__).resolve().parents[3]
TEMPLATES_DIR = ROOT / ".github" / "ISSUE_TEMPLATE"

NEW_SITE = "nouveau-lieu"
UPDATE_SITE = "mise-a-jour"
WORKSHOP = "atelier"


@dataclass(frozen=True)
class FormKind:
    name: str  # NEW_SITE, UPDATE_SITE, WORKSHOP
    template: str  # file name in .github/ISSUE_TEMPLATE/
    label: str  # the issue label the form sets, and the workflow listens to
    fields: frozenset[str]  # the field ids the converter reads


_SITE_FIELDS = frozenset(
    {
        "nom",
        "adresse",
        "complement_adresse",
        "commune",
        "position",
        "telephone",
        "courriel",
        "site_web",
        "horaires",
        "services",
        "publics",
        "acces",
        "accompagnement",
        "frais",
        "pass_numerique",
        "typologie",
        "accessibilite",
        "accessibilite_precisions",
        "presentation",
        "source",
    }
)
KINDS = {
    NEW_SITE: FormKind(NEW_SITE, "proposer-un-lieu.yml", "formulaire-nouveau-lieu", _SITE_FIELDS),
    UPDATE_SITE: FormKind(
        UPDATE_SITE, "mettre-a-jour-un-lieu.yml", "formulaire-mise-a-jour", _SITE_FIELDS | {"id"}
    ),
    WORKSHOP: FormKind(
        WORKSHOP,
        "annoncer-un-atelier.yml",
        "formulaire-atelier",
        frozenset(
            {
                "titre",
                "type",
                "lieu",
                "description",
                "thematiques",
                "publics",
                "niveau",
                "seances",
                "chaque_semaine",
                "periode",
                "places",
                "inscription",
                "contact_inscription",
                "tarif",
                "montant",
                "pass_numerique",
            }
        ),
    ),
}
KIND_OF_LABEL = {kind.label: kind.name for kind in KINDS.values()}


def same_text(text: str) -> str:
    """Comparison key of a label: no-break spaces as spaces, one space, no case."""
    return re.sub(r"\s+", " ", plain(text)).strip().casefold()


# --- choices: label shown in the form → value of the data -----------------------------

SERVICES = {n.label: n.value for n in NEEDS}
SITE_PUBLICS = {capitalize_first(label): value for value, label in PUBLICS.items()}
# « Ce lieu n'accueille pas de public » is no way to come: a place proposed here receives people.
ACCESS = {
    label: value for value, label in ACCESS_MODES.items() if value != "Ce lieu n'accueille pas de public"
}
SUPPORT = {label: value for value, label in SUPPORT_MODES.items()}
SITE_FEES = {label: value for value, label in FEES.items()}
TYPES = {label: value for value, label in TYPOLOGIES.items()}
YES_NO = {"Oui": True, "Non": False}
WORKSHOP_TYPES = {label: value for value, label in WORKSHOP_KINDS.items()}
WORKSHOP_AUDIENCES = {capitalize_first(label): value for value, label in WORKSHOP_PUBLICS.items()}
WORKSHOP_LEVELS = {label: value for value, label in LEVELS.items()}
REGISTRATION = {label: value for value, label in REGISTRATION_MODES.items()}
WORKSHOP_FEES = {FEES[value]: value for value in ("Gratuit", "Payant")}

# Accessibility: the words of the place's page (theme/components/access/macro.html, or the
# labels of mednum.vocab) → (field of x_accessibilite, value).
ACCESSIBILITY: dict[str, tuple[str, object]] = {
    "Entrée sans marche": ("entree_plain_pied", True),
    "Entrée avec des marches": ("entree_plain_pied", False),
    "Chemin d'accès sans marche depuis la rue": ("cheminement_ext_plain_pied", True),
    "Places de stationnement adaptées": ("stationnement_pmr", True),
    "Stationnement à proximité": ("stationnement_presence", True),
    "Arrêt de bus ou de tram à moins de 200 m": ("transport_station_presence", True),
    "Une personne peut vous aider à entrer": ("entree_aide_humaine", True),
    "Toilettes adaptées aux fauteuils roulants": ("sanitaires_adaptes", True),
    capitalize_first(HEARING_EQUIPMENT["bim"]): ("accueil_equipements_malentendants", "bim"),
    "Outils pour les personnes aveugles ou malvoyantes": ("accueil_audiodescription", True),
    capitalize_first(STAFF_TRAINING["formés"]): ("accueil_personnels", "formés"),
}

_SITE_CHOICES = {
    "services": SERVICES,
    "publics": SITE_PUBLICS,
    "acces": ACCESS,
    "accompagnement": SUPPORT,
    "frais": SITE_FEES,
    "pass_numerique": YES_NO,
    "typologie": TYPES,
    "accessibilite": ACCESSIBILITY,
}
CHOICES: dict[str, dict[str, dict]] = {
    NEW_SITE: _SITE_CHOICES,
    UPDATE_SITE: _SITE_CHOICES,
    WORKSHOP: {
        "type": WORKSHOP_TYPES,
        "thematiques": SERVICES,
        "publics": WORKSHOP_AUDIENCES,
        "niveau": WORKSHOP_LEVELS,
        "inscription": REGISTRATION,
        "tarif": WORKSHOP_FEES,
        "pass_numerique": YES_NO,
    },
}


def choose(table: dict, label: str):
    """The value of the choice ``label`` (compared without case and space differences), or None."""
    wanted = same_text(label)
    return next((value for key, value in table.items() if same_text(key) == wanted), None)


# --- the forms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: str
    type: str  # input, textarea, dropdown, checkboxes
    label: str
    options: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Form:
    kind: FormKind
    name: str
    items: tuple[Item, ...]

    def item(self, ident: str) -> Item | None:
        return next((i for i in self.items if i.id == ident), None)

    def label(self, ident: str | None) -> str:
        item = self.item(ident) if ident else None
        return plain(item.label) if item else ""


def load_form(kind: str, templates_dir: Path = TEMPLATES_DIR) -> Form:
    """The form of ``kind`` (``NEW_SITE``, ``UPDATE_SITE``, ``WORKSHOP``) read from its YAML file."""
    form_kind = KINDS[kind]
    document = yaml.safe_load((Path(templates_dir) / form_kind.template).read_text(encoding="utf-8"))
    items = []
    for entry in document["body"]:
        if entry.get("type") == "markdown":
            continue
        attributes = entry.get("attributes") or {}
        options = attributes.get("options") or ()
        labels = tuple(o["label"] if isinstance(o, dict) else str(o) for o in options)
        items.append(
            Item(
                id=entry["id"],
                type=entry["type"],
                label=str(attributes["label"]),
                options=labels,
                required=bool((entry.get("validations") or {}).get("required")),
            )
        )
    return Form(form_kind, str(document["name"]), tuple(items))
