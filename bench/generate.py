"""Synthetic catalogues for the benchmark: valid, deterministic, and marked as examples.

Three sizes (see ``SIZES``): the Hérault (real communes and EPCI of ``data/reference/``),
ten times the Hérault and a national catalogue, both over synthetic communes and EPCI laid on
a grid, with a synthetic ``reference/`` folder in the format of ``data/reference/`` (one big
outline polygon around every synthetic point). Every record is a fictional example
(``x_exemple: true`` / ``exemple: true``): ids start with ``exemple-``, phones are in the
fiction range +33 4 65 71 xx xx, e-mails and links are on example.org.

The same size and seed always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from mednum.french import slugify
from mednum.geo import KM_PER_DEGREE, haversine_km
from mednum.reference import Reference, load_reference

ROOT = Path(__file__).resolve().parent.parent
REAL_REFERENCE = ROOT / "data" / "reference"
BUILD_DATE = dt.date(2026, 11, 23)
GENERATOR_VERSION = 1  # bump when the output of this module changes

HEADERS = {
    "sites": "# yaml-language-server: $schema=../schemas/sites.schema.json\n",
    "workshops": "# yaml-language-server: $schema=../schemas/workshops.schema.json\n",
    "trainings": "# yaml-language-server: $schema=../schemas/trainings.schema.json\n",
}
NOTICE = (
    "# Données SYNTHÉTIQUES du banc d'essai (bench/generate.py) : toutes les fiches sont des\n"
    "# exemples fictifs ; téléphones +33 4 65 71 xx xx, e-mails et liens sur example.org.\n"
)


@dataclass(frozen=True)
class Size:
    name: str
    places: int
    sessions: int  # workshop sessions (dated sessions plus weekly recurrences expanded)
    trainings: int
    communes: int | None  # None: the real communes of Hérault
    epcis: int | None
    box: tuple[float, float, float, float] | None = None  # lat0, lat1, lon0, lon1 of the grid


SIZES = {
    "herault": Size("herault", 400, 2_000, 30, None, None),
    # Ten times Hérault: ten times its communes and EPCI over ten times its area.
    "x10": Size("x10", 4_000, 20_000, 300, 3_410, 170, (42.9, 45.1, 1.6, 4.7)),
    # France-like box; 5,000 communes (not 35,000: see README, « Performances »).
    "national": Size("national", 25_000, 100_000, 500, 5_000, 250, (42.6, 50.8, -4.2, 7.6)),
}


def tiny(places: int = 20, herault: bool = False) -> Size:
    """A small catalogue for the tests: over synthetic communes, or the real ones of Hérault."""
    if herault:
        return Size(f"tiny{places}-herault", places, places * 4, max(2, places // 10), None, None)
    return Size(f"tiny{places}", places, places * 4, max(2, places // 10), 40, 4, (43.0, 43.6, 2.5, 3.4))


# --------------------------------------------------------------------------------------------------
# Vocabulary

ROOTS = [
    "Aubrac",
    "Belmont",
    "Castelnau",
    "Fontanes",
    "Garrigue",
    "Lavaur",
    "Mirabel",
    "Montredon",
    "Puech",
    "Roquefort",
    "Salvetat",
    "Tournemire",
    "Valras",
    "Vendres",
    "Villeneuve",
    "Cazouls",
    "Lunas",
    "Gignac",
    "Aumes",
    "Brissac",
    "Cessenon",
    "Faugères",
    "Gabian",
    "Lauroux",
    "Margon",
    "Nizas",
    "Octon",
    "Pézènes",
    "Quarante",
    "Riols",
    "Sorbs",
    "Tressan",
    "Usclas",
    "Vailhan",
    "Cabrières",
    "Causses",
    "Ceyras",
    "Colombiers",
    "Dio",
    "Escales",
    "Fabrègues",
    "Ganges",
    "Hérépian",
    "Jonquières",
    "Lamalou",
    "Lespignan",
    "Magalas",
    "Mourèze",
    "Nébian",
    "Olargues",
    "Paulhan",
    "Pouzolles",
    "Roujan",
    "Saussan",
    "Thézan",
    "Vias",
    "Vieussan",
    "Aspiran",
    "Boujan",
    "Caux",
    "Clapiers",
    "Combaillaux",
    "Creissan",
    "Ferrals",
    "Florensac",
    "Grabels",
    "Juvignac",
    "Lattes",
    "Marsillargues",
    "Montady",
    "Murviel",
    "Neffiès",
    "Pailhès",
    "Pignan",
    "Popian",
    "Prades",
    "Puimisson",
    "Rieussec",
    "Rosis",
    "Siran",
    "Taussac",
    "Teyran",
    "Viols",
    "Aigues",
    "Arboras",
    "Babeau",
    "Bassan",
    "Bédarieux",
    "Berlou",
    "Bouzigues",
    "Campagnan",
    "Carlencas",
    "Celles",
    "Claret",
    "Corneilhan",
    "Dausse",
    "Espondeilhan",
]
SUFFIXES = (
    "",
    "-sur-Orb",
    "-le-Vieux",
    "-la-Forêt",
    "-de-Thau",
    "-les-Bains",
    "-en-Causse",
    "-du-Lac",
    "-sur-Hérault",
    "-la-Garde",
    "-d'en-Haut",
    "-le-Pont",
    "-les-Vignes",
    "-sur-Mer",
    "-du-Bois",
    "-la-Rivière",
    "-en-Val",
    "-de-Lauzes",
    "-le-Haut",
    "-les-Pins",
)
PREFIXES = ("", "Saint-", "Sainte-", "Le ", "La ", "Les ", "Mont-", "Val-", "Puy-", "Villa-")
STREETS = (
    "rue de l'Exemple",
    "avenue de la République",
    "place de la Mairie",
    "rue des Écoles",
    "chemin du Moulin",
    "boulevard de la Liberté",
    "rue Jean Jaurès",
    "impasse des Tilleuls",
    "allée des Platanes",
    "rue du Marché",
)
KINDS = (
    ("BIB", "Médiathèque"),
    ("EPN", "Espace public numérique"),
    ("ASSO", "Association Clic Solidaire"),
    ("CCAS", "CCAS"),
    ("RFS", "France services"),
    ("TIERS_LIEUX", "Tiers-lieu"),
    ("CSC", "Centre social"),
    ("MUNI", "Mairie"),
    ("PIJ_BIJ", "Point information jeunesse"),
    ("FABLAB", "Fablab"),
)
HOURS = (
    "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
    "Mo-Fr 09:00-12:00,13:00-17:00; PH off",
    "Tu,Th 09:00-12:00; PH off",
    "Th 09:00-12:00; PH off",
    "We[1,3] 09:00-12:00,14:00-17:00; PH off",
    "We 14:00-19:00; Fr 14:00-22:00; Sa 10:00-18:00; PH off",
    "Tu-Fr 10:00-13:00,14:00-18:00; Sa 10:00-13:00; Aug 01-Aug 21 off; PH off",
    "Mo-Th 08:30-12:00,13:30-17:30; Fr 08:30-12:00; PH off",
    "Mo-Tu 09:00-12:30,13:30-17:00; Th-Fr 09:00-12:30,13:30-17:00; PH off",
    "Mo-We 09:00-12:00,13:30-16:00; Th 09:00-12:00,14:00-16:00; Fr 09:00-12:00,13:30-16:00; PH off",
)
SERVICES = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
)
PUBLICS = ("Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes")
FEES = ("Gratuit", "Gratuit sous condition", "Payant")
ACCESS = ("Se présenter", "Téléphoner", "Contacter par mail", "Prendre un RDV en ligne")
SUPPORT = ("En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance")
PROGRAMMES = ("Aidants Connect", "Conseillers numériques", "France Services", "Certification PIX")
WORKSHOP_TYPES = ("atelier-collectif", "atelier-individuel", "permanence", "atelier-partenaire", "evenement")
WORKSHOP_PUBLICS = ("Tout public", "Jeunes", "Seniors", "Familles et/ou enfants", "Demandeurs d'emploi")
LEVELS = ("debutant", "intermediaire", "avance", "tous-niveaux")
TOPICS = (
    "Premiers pas sur l'ordinateur",
    "Faire ses démarches en ligne",
    "Se protéger des arnaques",
    "Utiliser son smartphone",
    "Envoyer des photos à sa famille",
    "Chercher un emploi sur internet",
    "Ranger ses papiers numériques",
    "Découvrir la visio",
    "Créer son espace Ameli",
    "Traitement de texte : les bases",
)
SENTENCES = (
    "Des bénévoles vous accompagnent pas à pas, à votre rythme.",
    "Apportez vos identifiants si vous les avez, et vos papiers (carte d'identité, carte Vitale).",
    "Un ordinateur et une imprimante sont à votre disposition.",
    "L'accueil est gratuit et sans jugement : aucune question n'est bête.",
    "Nous aidons aussi pour la CAF, les impôts, la retraite et France Travail.",
    "Vous pouvez venir avec votre propre téléphone ou votre tablette.",
    "Des permanences ont lieu aussi dans les villages voisins.",
    "Pensez à prendre rendez-vous pour les démarches longues.",
)
TRAINING_PUBLICS = (
    "Médiateurs numériques",
    "Aidants numériques",
    "Travailleurs sociaux",
    "Agents d'accueil",
    "Bénévoles",
    "Conseillers numériques",
)


def _phone(n: int) -> str:
    return f"+3346571{n % 10_000:04d}"


def _paragraphs(rng: random.Random, count: int) -> str:
    return "\n\n".join(" ".join(rng.sample(SENTENCES, 2)) for _ in range(count))


# --------------------------------------------------------------------------------------------------
# Reference: the real Hérault, or a synthetic grid of communes


def _commune_names(count: int, rng: random.Random) -> list[str]:
    combos = [(p, r, s) for p in PREFIXES for r in ROOTS for s in SUFFIXES]
    rng.shuffle(combos)
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} synthetic communes")
    return [f"{p}{r}{s}" for p, r, s in combos[:count]]


def _insee_codes(count: int) -> list[str]:
    departments = [d for d in range(1, 96) if d != 20]
    return [f"{departments[i // 999]:02d}{i % 999 + 1:03d}" for i in range(count)]


def synthetic_reference(size: Size, rng: random.Random) -> tuple[list[dict], list[dict], dict]:
    """communes.json, epci.json and the outline for a grid of ``size.communes`` communes."""
    lat0, lat1, lon0, lon1 = size.box
    mid_lat = (lat0 + lat1) / 2
    width_km = (lon1 - lon0) * KM_PER_DEGREE * math.cos(math.radians(mid_lat))
    height_km = (lat1 - lat0) * KM_PER_DEGREE
    cols = max(1, round(math.sqrt(size.communes * width_km / height_km)))
    rows = math.ceil(size.communes / cols)
    dlat, dlon = (lat1 - lat0) / rows, (lon1 - lon0) / cols
    cell_km = max(dlat * KM_PER_DEGREE, dlon * KM_PER_DEGREE * math.cos(math.radians(lat1)))
    names = _commune_names(size.communes, rng)
    codes = _insee_codes(size.communes)
    # EPCI: rectangular blocks of the grid, about communes / epcis each.
    per_epci = size.communes / size.epcis
    block_h = max(1, round(math.sqrt(per_epci)))
    block_w = max(1, math.ceil(per_epci / block_h))
    block_cols = math.ceil(cols / block_w)
    communes, by_block = [], {}
    for i in range(size.communes):
        row, col = divmod(i, cols)
        lat = lat0 + (row + 0.5 + rng.uniform(-0.2, 0.2)) * dlat
        lon = lon0 + (col + 0.5 + rng.uniform(-0.2, 0.2)) * dlon
        key = (row // block_h) * block_cols + col // block_w
        by_block.setdefault(key, []).append(i)
        communes.append(
            {
                "code_insee": codes[i],
                "codes_postaux": [f"{codes[i][:2]}{100 + (i * 37) % 900:03d}"],
                "latitude": round(lat, 5),
                "longitude": round(lon, 5),
                "nom": names[i],
                "polygone_source": "synthétique",
                "population": int(200 * math.exp(rng.uniform(0, 5))),
                "rayon_km": round(cell_km, 1),
                "slug": slugify(names[i]),
            }
        )
    epcis = []
    for n, key in enumerate(sorted(by_block)):
        members = by_block[key]
        main = communes[members[0]]["nom"]
        kind = "CA" if len(members) > per_epci * 1.2 or n % 7 == 0 else "CC"
        nom = f"{'CA' if kind == 'CA' else 'CC'} {main} et environs"
        code = f"2{n + 1:08d}"
        for i in members:
            communes[i]["epci"] = code
        epcis.append(
            {
                "code": code,
                "communes": sorted(communes[i]["code_insee"] for i in members),
                "nom": nom,
                "nom_court": f"{main} et environs",
                "population": sum(communes[i]["population"] for i in members),
                "slug": slugify(nom),
                "type": kind,
            }
        )
    communes.sort(key=lambda c: c["code_insee"])
    epcis.sort(key=lambda e: e["nom"])
    return communes, epcis, _outline(size.box)


def _outline(box: tuple[float, float, float, float], vertices: int = 1500) -> dict:
    """A wavy rectangle around the box (as many vertices as Hérault's outline), closed."""
    lat0, lat1, lon0, lon1 = box
    margin_lat, margin_lon = 0.15, 0.2
    corners = [
        (lon0 - margin_lon, lat0 - margin_lat),
        (lon1 + margin_lon, lat0 - margin_lat),
        (lon1 + margin_lon, lat1 + margin_lat),
        (lon0 - margin_lon, lat1 + margin_lat),
    ]
    ring = []
    per_side = vertices // 4
    for side in range(4):
        (ax, ay), (bx, by) = corners[side], corners[(side + 1) % 4]
        for k in range(per_side):
            t = k / per_side
            wiggle = 0.05 * (1 + math.sin(k * 0.7))  # outwards only: the box stays inside
            nx, ny = (by - ay), -(bx - ax)  # outward normal of a counter-clockwise ring
            norm = math.hypot(nx, ny) or 1
            ring.append(
                [
                    round(ax + t * (bx - ax) + wiggle * nx / norm, 5),
                    round(ay + t * (by - ay) + wiggle * ny / norm, 5),
                ]
            )
    ring.append(ring[0])
    return {
        "type": "Feature",
        "properties": {"code": "XX", "nom": "Territoire synthétique du banc d'essai"},
        "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
    }


def _write_reference(folder: Path, communes: list[dict], epcis: list[dict], outline: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)

    def lines(records: list[dict]) -> str:
        body = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
        return f"[\n{body}\n]\n"

    (folder / "communes.json").write_text(lines(communes), encoding="utf-8")
    (folder / "epci.json").write_text(lines(epcis), encoding="utf-8")
    department = {
        "chef_lieu": max(communes, key=lambda c: (c["population"], c["code_insee"]))["code_insee"],
        "code": outline["properties"]["code"],
        "nom": outline["properties"]["nom"],
        "type_liaison": 2,  # « le Territoire synthétique… », « dans le… », « du… »
    }
    (folder / "departement.json").write_text(
        json.dumps(department, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    (folder / "departement.geojson").write_text(
        json.dumps(outline, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    # The communes' contours (the coverage maps): a square of the grid's step around each centre.
    features = []
    for c in communes:
        half_lat = c["rayon_km"] / 2 / KM_PER_DEGREE
        half_lon = half_lat / math.cos(math.radians(c["latitude"]))
        lat, lon = c["latitude"], c["longitude"]
        square = [
            [lon - half_lon, lat - half_lat],
            [lon + half_lon, lat - half_lat],
            [lon + half_lon, lat + half_lat],
        ]
        square += [[lon - half_lon, lat + half_lat], [lon - half_lon, lat - half_lat]]
        ring = [[round(x, 4), round(y, 4)] for x, y in square]
        geometry = {"type": "MultiPolygon", "coordinates": [[ring]]}
        features.append(
            {"type": "Feature", "properties": {"code_insee": c["code_insee"]}, "geometry": geometry}
        )
    (folder / "communes.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    (folder / "README.md").write_text(
        "Référence SYNTHÉTIQUE du banc d'essai (bench/generate.py) : département, communes, EPCI et contour"
        " inventés.\n",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------------------------------
# Records


class _Places:
    """Points near a commune's centre that pass the validator's checks."""

    def __init__(self, reference: Reference, rng: random.Random):
        self.ref = reference
        self.rng = rng

    def near(self, commune) -> tuple[float, float]:
        radius = min(commune.rayon_km * 0.5, 3.0)
        for _ in range(20):
            distance = radius * math.sqrt(self.rng.random())
            angle = self.rng.uniform(0, 2 * math.pi)
            lat = commune.latitude + distance * math.sin(angle) / KM_PER_DEGREE
            lon = commune.longitude + distance * math.cos(angle) / (
                KM_PER_DEGREE * math.cos(math.radians(commune.latitude))
            )
            lat, lon = round(lat, 6), round(lon, 6)
            if (
                self.ref.contains(lat, lon)
                and haversine_km(lat, lon, commune.latitude, commune.longitude) <= commune.rayon_km
            ):
                return lat, lon
        return commune.latitude, commune.longitude  # checked inside by tools/build_reference.py


def _weights(communes: list) -> list[float]:
    return [math.sqrt(c.population or 100) for c in communes]


def make_sites(size: Size, ref: Reference, rng: random.Random) -> list[dict]:
    communes = sorted(ref.communes.values(), key=lambda c: c.code_insee)
    by_epci = {code: [ref.communes[c] for c in e.communes] for code, e in ref.epcis.items()}
    weights = _weights(communes)
    places = _Places(ref, rng)
    sites = []
    for i in range(size.places):
        commune = rng.choices(communes, weights)[0]
        typology, label = KINDS[i % len(KINDS)]
        ident = f"exemple-lieu-{i + 1:05d}-{commune.slug}"[:80].rstrip("-")
        record: dict = {
            "id": ident,
            "nom": f"{label} de {commune.nom} n° {i + 1} (exemple)",
            "adresse": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            "code_postal": commune.codes_postaux[0],
            "commune": commune.nom,
            "code_insee": commune.code_insee,
        }
        if rng.random() < 0.97:
            record["latitude"], record["longitude"] = places.near(commune)
        record["typologie"] = [typology]
        record["telephone"] = _phone(i)
        record["courriels"] = [f"lieu-{i + 1}@example.org"]
        if rng.random() < 0.5:
            record["site_web"] = [f"https://example.org/lieux/{i + 1}"]
        itinerant = rng.random() < 0.04
        if not itinerant or rng.random() < 0.5:
            record["horaires"] = rng.choice(HOURS)
        record["presentation_resume"] = rng.choice(SENTENCES)
        if rng.random() < 0.6:
            record["presentation_detail"] = _paragraphs(rng, rng.randint(1, 3))
        record["source"] = "Banc d'essai : fiche synthétique (lieu fictif)"
        record["itinerance"] = ["Itinérant"] if itinerant else ["Fixe"]
        record["date_maj"] = (BUILD_DATE - dt.timedelta(days=rng.randint(0, 500))).isoformat()
        record["services"] = rng.sample(SERVICES, rng.randint(1, 5))
        if rng.random() < 0.5:
            record["publics_specifiquement_adresses"] = rng.sample(PUBLICS, rng.randint(1, 2))
        record["frais_a_charge"] = [rng.choices(FEES, (6, 2, 1))[0]]
        if rng.random() < 0.3:
            record["dispositif_programmes_nationaux"] = rng.sample(PROGRAMMES, rng.randint(1, 2))
        record["modalites_acces"] = rng.sample(ACCESS, rng.randint(1, 3))
        record["modalites_accompagnement"] = rng.sample(SUPPORT, rng.randint(1, 2))
        if rng.random() < 0.3:
            record["x_pass_numerique"] = True
        if rng.random() < 0.7:
            step_free = rng.random() < 0.6
            access: dict = {
                "stationnement_presence": rng.random() < 0.7,
                "cheminement_ext_plain_pied": True,
                "entree_plain_pied": step_free,
            }
            if not step_free:
                access["entree_marches"] = rng.randint(1, 5)
                access["entree_marches_rampe"] = rng.choice(("aucune", "fixe", "amovible"))
            access["accueil_personnels"] = rng.choice(("aucun", "formés", "non-formés"))
            access["sanitaires_presence"] = rng.random() < 0.6
            record["x_accessibilite"] = access
        if itinerant:
            neighbours = by_epci.get(commune.epci_code) or communes
            stops = []
            for stop_commune in rng.sample(neighbours, min(len(neighbours), rng.randint(2, 4))):
                lat, lon = places.near(stop_commune)
                stops.append(
                    {
                        "commune": stop_commune.nom,
                        "code_insee": stop_commune.code_insee,
                        "code_postal": stop_commune.codes_postaux[0],
                        "adresse": "Place de la Mairie",
                        "latitude": lat,
                        "longitude": lon,
                        "horaires": rng.choice(("We[1,3] 09:00-12:00", "Tu 14:00-17:00", "Fr 09:00-12:00")),
                    }
                )
            record["x_arrets"] = stops
        record["x_exemple"] = True
        sites.append(record)
    return sites


def make_workshops(size: Size, ref: Reference, sites: list[dict], rng: random.Random) -> list[dict]:
    """Workshops until their sessions (recurrences expanded, about) reach ``size.sessions``."""
    communes = sorted(ref.communes.values(), key=lambda c: c.code_insee)
    weights = _weights(communes)
    places = _Places(ref, rng)
    workshops, total, n = [], 0, 0
    while total < size.sessions:
        n += 1
        topic = rng.choice(TOPICS)
        record: dict = {
            "id": f"exemple-atelier-{n:06d}",
            "titre": f"{topic} (n° {n})",
            "type": rng.choice(WORKSHOP_TYPES),
        }
        if sites and rng.random() < 0.7:
            record["lieu"] = rng.choice(sites)["id"]
        else:
            commune = rng.choices(communes, weights)[0]
            lat, lon = places.near(commune)
            record["adresse"] = {
                "nom": f"Salle des fêtes de {commune.nom}",
                "adresse": f"{rng.randint(1, 80)} {rng.choice(STREETS)}",
                "code_postal": commune.codes_postaux[0],
                "commune": commune.nom,
                "code_insee": commune.code_insee,
                "latitude": lat,
                "longitude": lon,
            }
        record["description"] = _paragraphs(rng, rng.randint(1, 2))
        record["thematiques"] = rng.sample(SERVICES, rng.randint(1, 2))
        record["publics"] = rng.sample(WORKSHOP_PUBLICS, rng.randint(1, 2))
        record["niveau"] = rng.choice(LEVELS)
        hour = rng.choice((9, 10, 14, 15))
        if rng.random() < 0.15:
            weeks = rng.randint(4, 20)
            first = BUILD_DATE - dt.timedelta(days=rng.randint(0, 60))
            last = BUILD_DATE + dt.timedelta(weeks=weeks)
            day = rng.choice(("Mo", "Tu", "We", "Th", "Fr"))
            record["recurrence"] = {
                "horaires": f"{day} {hour:02d}:00-{hour + 2:02d}:00; PH off",
                "du": first.isoformat(),
                "au": last.isoformat(),
            }
            total += weeks
        else:
            count = min(rng.randint(1, 14), size.sessions - total)
            start = BUILD_DATE + dt.timedelta(days=rng.randint(-30, 150))
            record["seances"] = [
                {
                    "date": (start + dt.timedelta(weeks=k)).isoformat(),
                    "debut": f"{hour:02d}:00",
                    "fin": f"{hour + 2:02d}:00",
                    **({"annulee": True} if rng.random() < 0.03 else {}),
                }
                for k in range(count)
            ]
            total += count
        record["places"] = rng.randint(4, 20)
        mode = rng.choice(("sans-inscription", "telephone", "en-ligne", "courriel"))
        registration: dict = {"modes": [mode]}
        if mode == "telephone":
            registration["telephone"] = _phone(5_000 + n)
        elif mode == "en-ligne":
            registration["lien"] = f"https://example.org/ateliers/{n}"
        elif mode == "courriel":
            registration["courriel"] = f"atelier-{n}@example.org"
        record["inscription"] = registration
        if rng.random() < 0.85:
            record["tarif"] = {"frais": "Gratuit", **({"pass_numerique": True} if rng.random() < 0.2 else {})}
        else:
            record["tarif"] = {"frais": "Payant", "montant": rng.choice((2, 5, 10, 20))}
        record["date_maj"] = (BUILD_DATE - dt.timedelta(days=rng.randint(0, 200))).isoformat()
        record["exemple"] = True
        workshops.append(record)
    return workshops


def make_trainings(size: Size, ref: Reference, rng: random.Random) -> list[dict]:
    communes = sorted(ref.communes.values(), key=lambda c: c.code_insee)
    trainings = []
    for n in range(1, size.trainings + 1):
        sessions = []
        for _ in range(rng.randint(1, 3)):
            first = BUILD_DATE + dt.timedelta(days=rng.randint(-20, 200))
            commune = rng.choice(communes)
            sessions.append(
                {
                    "debut": first.isoformat(),
                    "fin": (first + dt.timedelta(days=rng.randint(0, 7))).isoformat(),
                    "lieu": f"Salle de formation, {commune.nom}",
                    "code_insee": commune.code_insee,
                }
            )
        paid = rng.random() < 0.5
        trainings.append(
            {
                "id": f"exemple-formation-{n:05d}",
                "titre": f"{rng.choice(TOPICS)} : accompagner le public (n° {n})",
                "organisme": "Centre de ressources du banc d'essai (exemple)",
                "description": _paragraphs(rng, 2),
                "objectifs": rng.sample(SENTENCES, 3),
                "publics": rng.sample(TRAINING_PUBLICS, rng.randint(1, 3)),
                "format": rng.choice(("presentiel", "distanciel", "hybride")),
                "duree_heures": rng.choice((3, 7, 14, 21)),
                "sessions": sessions,
                "tarif": {"frais": "Payant", "montant": rng.choice((150, 350, 600))}
                if paid
                else {"frais": "Gratuit"},
                "inscription": {
                    "lien": f"https://example.org/formations/{n}",
                    "courriel": "formations@example.org",
                },
                "date_maj": (BUILD_DATE - dt.timedelta(days=rng.randint(0, 200))).isoformat(),
                "exemple": True,
            }
        )
    return trainings


# --------------------------------------------------------------------------------------------------
# Writing


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(records: list[dict], header: str) -> str:
    body = yaml.dump(records, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return header + NOTICE + "\n" + body


def fingerprint(size: Size, seed: int) -> str:
    text = json.dumps([asdict(size), seed, GENERATOR_VERSION], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def generate(size: Size, folder: Path, seed: int = 34) -> dict:
    """Write ``folder/{sites,workshops,trainings}.yaml`` and ``folder/reference/``; return counts.

    Nothing is rewritten when the folder already holds this size and seed.
    """
    folder = Path(folder)
    stamp = folder / ".generated"
    key = fingerprint(size, seed)
    if stamp.is_file() and json.loads(stamp.read_text())["key"] == key:
        return json.loads(stamp.read_text())["counts"]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rng = random.Random(f"{seed}-{size.name}")
    if size.communes is None:
        shutil.copytree(REAL_REFERENCE, folder / "reference")
    else:
        _write_reference(folder / "reference", *synthetic_reference(size, rng))
    ref = load_reference(folder / "reference")
    sites = make_sites(size, ref, rng)
    workshops = make_workshops(size, ref, sites, rng)
    trainings = make_trainings(size, ref, rng)
    for name, records in (("sites", sites), ("workshops", workshops), ("trainings", trainings)):
        (folder / f"{name}.yaml").write_text(dump_yaml(records, HEADERS[name]), encoding="utf-8")
    counts = {
        "places": len(sites),
        "workshops": len(workshops),
        "trainings": len(trainings),
        "communes": len(ref.communes),
        "epcis": len(ref.epcis),
        "bytes": sum((folder / f"{n}.yaml").stat().st_size for n in HEADERS),
    }
    stamp.write_text(json.dumps({"key": key, "counts": counts}) + "\n")
    return counts


def main(argv: list[str]) -> int:
    """``python -m bench.generate SIZE FOLDER [SEED]``: the counts as JSON on the last line."""
    import sys

    name, folder = argv[0], Path(argv[1])
    seed = int(argv[2]) if len(argv) > 2 else 34
    if name in SIZES:
        size = SIZES[name]
    else:  # tiny20, tiny20-herault
        size = tiny(int(name.removeprefix("tiny").removesuffix("-herault")), name.endswith("-herault"))
    print(json.dumps(generate(size, folder, seed)))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
