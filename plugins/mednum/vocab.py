"""Words for citizens: how each enumerated value of the data is shown on the site.

The data keeps the exact values of the national standard; pages show these
labels. A test checks that every value allowed by the schemas has a label here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    value: str  # the `services` value of the national standard
    slug: str
    label: str  # what a person wants to do, in their words
    hint: str  # one short sentence of examples


NEEDS = (
    Need(
        "Aide aux démarches administratives",
        "demarches-en-ligne",
        "Faire mes démarches en ligne",
        "CAF, impôts, retraite, Ameli, France Travail, carte grise…",
    ),
    Need(
        "Maîtrise des outils numériques du quotidien",
        "apprendre-ordinateur-smartphone",
        "Apprendre à me servir d'un ordinateur ou d'un smartphone",
        "Allumer, écrire, envoyer un e-mail, installer une application.",
    ),
    Need(
        "Insertion professionnelle via le numérique",
        "trouver-un-emploi",
        "Chercher un emploi ou une formation avec internet",
        "CV, lettre de motivation, offres d'emploi, entretiens en visio.",
    ),
    Need(
        "Utilisation sécurisée du numérique",
        "securite-arnaques",
        "Me protéger des arnaques et protéger mes données",
        "Mots de passe, faux messages, achats en ligne sans risque.",
    ),
    Need(
        "Parentalité et éducation avec le numérique",
        "enfants-ecrans-ecole",
        "Accompagner mes enfants avec les écrans et l'école",
        "Espace parents de l'école, temps d'écran, réseaux sociaux.",
    ),
    Need(
        "Loisirs et créations numériques",
        "loisirs-creation",
        "Créer et me divertir avec le numérique",
        "Photos, vidéos, musique, jeux, impression 3D.",
    ),
    Need(
        "Compréhension du monde numérique",
        "comprendre-le-numerique",
        "Comprendre le numérique et ses enjeux",
        "Intelligence artificielle, informations fiables, réseaux sociaux.",
    ),
    Need(
        "Accès internet et matériel informatique",
        "acces-ordinateur-internet",
        "Utiliser un ordinateur, internet ou une imprimante sur place",
        "Ordinateurs en libre accès, wifi, impression et scan de documents.",
    ),
    Need(
        "Acquisition de matériel informatique à prix solidaire",
        "ordinateur-petit-prix",
        "Trouver un ordinateur ou un téléphone à petit prix",
        "Matériel reconditionné vendu à prix solidaire.",
    ),
)
NEED_BY_VALUE = {n.value: n for n in NEEDS}
NEED_BY_SLUG = {n.slug: n for n in NEEDS}
# A need's slug is also the name of its pictogram (theme/components/icon/): `value|label("NEED_SLUGS")`.
NEED_SLUGS = {n.value: n.slug for n in NEEDS}

PUBLICS = {
    "Jeunes": "les jeunes",
    "Étudiants": "les étudiants",
    "Familles et/ou enfants": "les familles et les enfants",
    "Seniors": "les personnes âgées",
    "Femmes": "les femmes",
}

SPECIFIC_SUPPORT = {
    "Surdité": "personnes sourdes ou malentendantes",
    "Handicaps moteurs": "personnes avec un handicap moteur",
    "Handicaps mentaux": "personnes avec un handicap mental ou psychique",
    "Illettrisme": "personnes qui ont des difficultés à lire ou écrire",
    "Langues étrangères (anglais)": "personnes qui parlent anglais",
    "Langues étrangères (autres)": "personnes qui parlent d'autres langues",
    "Déficience visuelle": "personnes aveugles ou malvoyantes",
}

FEES = {
    "Gratuit": "Gratuit",
    "Gratuit sous condition": "Gratuit sous conditions",
    "Payant": "Payant",
}

ACCESS_MODES = {
    "Se présenter": "Venir sans rendez-vous",
    "Téléphoner": "Téléphoner",
    "Contacter par mail": "Écrire un e-mail",
    "Prendre un RDV en ligne": "Prendre rendez-vous sur internet",
    "Ce lieu n'accueille pas de public": "Ce lieu n'accueille pas de public",
    "Envoyer un mail avec une fiche de prescription": "Sur orientation d'un travailleur social (fiche de prescription)",
}

SUPPORT_MODES = {
    "En autonomie": "Seul, avec du matériel en libre accès",
    "Accompagnement individuel": "Aide individuelle",
    "Dans un atelier collectif": "En atelier de groupe",
    "À distance": "À distance (téléphone ou visio)",
}

TYPOLOGIES = {
    "ASSO": "Association",
    "BIB": "Bibliothèque ou médiathèque",
    "CCAS": "Centre communal d'action sociale (CCAS)",
    "CIAS": "Centre intercommunal d'action sociale (CIAS)",
    "CS": "Centre social",
    "CSC": "Centre socioculturel",
    "EPN": "Espace public numérique (ordinateurs en libre accès)",
    "TIERS_LIEUX": "Tiers-lieu (lieu partagé de travail et d'activités)",
    "FABLAB": "Fablab (atelier de fabrication numérique)",
    "RFS": "France Services",
    "MUNI": "Mairie",
    "EPCI": "Intercommunalité",
    "CD": "Département",
    "MDS": "Maison départementale des solidarités",
    "PIJ_BIJ": "Point information jeunesse",
    "ML": "Mission locale",
    "MJC": "Maison des jeunes et de la culture",
    "LA_POSTE": "La Poste",
    "CAF": "Caisse d'allocations familiales (CAF)",
    "CPAM": "Assurance maladie (CPAM)",
    "FT": "France Travail",
    "PIMMS": "Point d'information médiation multi-services (PIMMS)",
    "RESSOURCERIE": "Ressourcerie, matériel reconditionné",
    "Autre": "Autre lieu",
}

WORKSHOP_KINDS = {
    "atelier-individuel": "Atelier individuel",
    "atelier-collectif": "Atelier en groupe",
    "permanence": "Permanence numérique",
    "atelier-partenaire": "Atelier avec un partenaire",
    "atelier-professionnels": "Atelier pour les professionnels",
    "evenement": "Événement",
}

WORKSHOP_PUBLICS = {
    "Tout public": "tout public",
    **PUBLICS,
    "Demandeurs d'emploi": "les personnes qui cherchent un emploi",
    "Professionnels et entreprises": "les professionnels et les entreprises",
}

LEVELS = {
    "debutant": "Débutant",
    "intermediaire": "Intermédiaire",
    "avance": "Avancé",
    "tous-niveaux": "Tous niveaux",
}

REGISTRATION_MODES = {
    "sans-inscription": "Sans inscription : venez directement",
    "sur-place": "Inscription à l'accueil du lieu",
    "telephone": "Inscription par téléphone",
    "en-ligne": "Inscription sur internet",
    "courriel": "Inscription par e-mail",
}

TRAINING_FORMATS = {
    "presentiel": "En présentiel",
    "distanciel": "À distance",
    "hybride": "En partie à distance",
}

ITINERANCE = {"Itinérant": "Service itinérant", "Fixe": "Lieu fixe"}

ACCESS_CALL = {
    "bouton": "un bouton d'appel",
    "sonnette": "une sonnette",
    "interphone": "un interphone",
    "visiophone": "un visiophone",
}
HEARING_EQUIPMENT = {
    "bim": "boucle magnétique",
    "bmp": "boucle magnétique portative",
    "lsf": "langue des signes française (LSF)",
    "lpc": "langue française parlée complétée (LfPC)",
    "sts": "sous-titrage ou transcription écrite",
    "autres": "autres équipements",
}
STAFF_TRAINING = {
    "aucun": "pas de personnel d'accueil",
    "formés": "personnel formé à l'accueil des personnes handicapées",
    "non-formés": "personnel présent, non formé au handicap",
}


def label(table: dict[str, str], value: str) -> str:
    return table.get(value, value)


NEED_LABELS = {n.value: n.label for n in NEEDS}
