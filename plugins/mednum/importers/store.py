"""What the imports keep in the repository, in ``data/imports/``.

* ``sources.yaml`` (written by people): the sources of help points, where to
  download them, their licence and how much to trust them (``SourceDef``);
* ``<source>.json`` (written by the import): the last rows read from each source,
  already converted to the fields of ``data/sites.yaml`` — one row per line, so that
  a pull request shows what changed in the source. The consolidation reads these,
  never the network: settling a review pair or changing a trust level is applied with
  ``python -m mednum sources merge``, without downloading anything;
* ``revue.yaml`` (written by both): pairs of rows that look like the same place
  without certainty, where a person writes ``decision: même`` or ``decision: distinct``,
  and the records deleted by hand that the import must not bring back;
* ``etat.json`` (written by the import): for each record built from the sources, the
  rows it was built from and the values the import last wrote, so that the next
  import knows what a person changed by hand (and keeps it).

All files are read without YAML's implicit typing (``yes``, ``12:30``, ``01000`` stay
text) and written in a stable order: the same import gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import Candidate, ImportFileError
from .merge import write_text  # one atomic writer for every file of data/

FOLDER = "imports"
SOURCES_FILE = "sources.yaml"
REVIEW_FILE = "revue.yaml"
STATE_FILE = "etat.json"
SAME_WORDS = {"meme", "même", "same", "identique"}
DISTINCT_WORDS = {"distinct", "distincts", "distincte", "distinctes", "different", "différent", "differents"}

# Keys of sources.yaml and what they mean (README « Sources des lieux » documents each one).
SOURCE_KEYS = {
    "nom": "identifiant court de la source (nom de son fichier data/imports/<nom>.json)",
    "format": "forme du fichier : france-services, rhinocc, herault ou lieux-mediation-numerique",
    "titre": "nom de la source tel que le site l'affiche (champ source des fiches)",
    "telechargement": "adresse du fichier à télécharger (tâche programmée, sources refresh --download)",
    "page": "page de présentation du jeu de données",
    "licence": "licence du jeu de données, affichée sur le site",
    "confiance": "1 à 3 : pour chaque champ, la valeur de la source la plus sûre l'emporte, puis la plus récente",
    "une_ligne_par_lieu": "oui si deux lignes de la source ne sont jamais le même lieu (liste officielle)",
    "date": "date des données quand le fichier ne la donne pas (AAAA-MM-JJ)",
}


@dataclass(frozen=True)
class SourceDef:
    nom: str
    format: str
    titre: str
    telechargement: str = ""
    page: str = ""
    licence: str = ""
    confiance: int = 1
    une_ligne_par_lieu: bool = False
    date: str = ""


# What a source of each format is when data/imports/sources.yaml does not list it
# (a new project, the tests): the same titles as the bundled sources.yaml.
DEFAULTS = {
    "france-services": SourceDef(
        "france-services", "france-services", "ANCT, liste nationale des France Services", confiance=3,
        une_ligne_par_lieu=True,
    ),
    "herault": SourceDef(
        "herault", "herault",
        "Département de l'Hérault, données ouvertes (lieux d'accueil et d'accompagnement aux outils numériques)",
        confiance=3,
    ),
    "lieux-mediation-numerique": SourceDef(
        "national", "lieux-mediation-numerique", "Fichier national des lieux de médiation numérique", confiance=2
    ),
    "rhinocc": SourceDef(
        "rhinocc", "rhinocc", "RhinOcc, réseau régional de l'inclusion numérique en Occitanie", confiance=1
    ),
}  # fmt: skip


def folder(data_dir: Path) -> Path:
    return Path(data_dir) / FOLDER


class _Loader(yaml.SafeLoader):
    """Every scalar is text: ``oui``, ``12:30`` or ``034`` stay what was written."""


_Loader.yaml_implicit_resolvers = {}


def _no_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"la clé « {key} » est écrite deux fois", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(f"{path} : lecture impossible ({error})") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise ImportFileError(f"{where}: YAML illisible ({problem})") from None


def _yes(value: Any, where: str) -> bool:
    text = str(value or "").strip().casefold()
    if text in {"oui", "yes", "true", "vrai"}:
        return True
    if text in {"non", "no", "false", "faux", ""}:
        return False
    raise ImportFileError(f"{where} : « {value} » : oui ou non attendu")


def load_sources(data_dir: Path) -> list[SourceDef]:
    """The sources listed in ``data/imports/sources.yaml`` (none if the file is missing)."""
    path = folder(data_dir) / SOURCES_FILE
    data = read_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise ImportFileError(f"{path} : une liste de sources (- nom: …) est attendue")
    sources: list[SourceDef] = []
    for n, item in enumerate(data, start=1):
        where = f"{path}, source n° {n}"
        if not isinstance(item, dict):
            raise ImportFileError(f"{where} : une source s'écrit « nom: … », « format: … »…")
        unknown = sorted(set(item) - set(SOURCE_KEYS))
        if unknown:
            raise ImportFileError(f"{where} : clé(s) inconnue(s) : {', '.join(unknown)}")
        for key in ("nom", "format", "titre"):
            if not item.get(key):
                raise ImportFileError(f"{where} : « {key} » manquant")
        if item["format"] not in DEFAULTS:
            raise ImportFileError(f"{where} : format « {item['format']} » inconnu ({', '.join(DEFAULTS)})")
        try:
            trust = int(item.get("confiance", 1))
        except ValueError:
            raise ImportFileError(
                f"{where} : confiance « {item['confiance']} » : 1, 2 ou 3 attendu"
            ) from None
        sources.append(
            SourceDef(
                nom=str(item["nom"]),
                format=str(item["format"]),
                titre=str(item["titre"]),
                telechargement=str(item.get("telechargement") or ""),
                page=str(item.get("page") or ""),
                licence=str(item.get("licence") or ""),
                confiance=trust,
                une_ligne_par_lieu=_yes(item.get("une_ligne_par_lieu"), where),
                date=str(item.get("date") or ""),
            )
        )
    names = [s.nom for s in sources]
    if len(set(names)) != len(names):
        raise ImportFileError(f"{path} : deux sources portent le même nom")
    return sources


def source_for(sources: list[SourceDef], fmt: str, name: str | None = None) -> SourceDef:
    """The configured source of that format (or name); the default one when none is configured."""
    if name:
        for source in sources:
            if source.nom == name:
                return source
        raise ImportFileError(f"source « {name} » absente de data/imports/sources.yaml")
    matching = [s for s in sources if s.format == fmt]
    if len(matching) > 1:
        names = ", ".join(s.nom for s in matching)
        raise ImportFileError(f"plusieurs sources au format {fmt} ({names}) : précisez --source NOM")
    return matching[0] if matching else DEFAULTS[fmt]


# --- snapshots -------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The rows last read from one source, converted."""

    source: str
    file: str = ""
    date: str = ""  # date of the data, when the file gives one date for all its rows
    rows_read: int = 0
    outside: int = 0
    problems: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)


def snapshot_path(data_dir: Path, source: str) -> Path:
    return folder(data_dir) / f"{source}.json"


def write_snapshot(data_dir: Path, snapshot: Snapshot) -> None:
    rows = [
        json.dumps(
            {"cle": c.key, "ligne": c.line, "genre": c.kind, "arret_de": c.stop_of, "fiche": c.record},
            ensure_ascii=False,
            sort_keys=True,
        )
        for c in sorted(snapshot.candidates, key=lambda c: c.key)
    ]
    head = {
        "source": snapshot.source,
        "fichier": snapshot.file,
        "date": snapshot.date,
        "lignes_lues": snapshot.rows_read,
        "hors_departement": snapshot.outside,
        "problemes": snapshot.problems,
    }
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    text += ',\n "lieux": [\n' + ",\n".join(rows) + "\n ]\n}\n"
    write_text(snapshot_path(data_dir, snapshot.source), text)


def read_snapshot(data_dir: Path, source: str) -> Snapshot | None:
    path = snapshot_path(data_dir, source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(
            f"{path} : fichier illisible ({error}) : refaites l'import de cette source"
        ) from None
    try:
        candidates = [
            Candidate(row["cle"], int(row["ligne"]), row["fiche"], row.get("genre"), row.get("arret_de"))
            for row in data["lieux"]
        ]
        return Snapshot(
            data["source"],
            data.get("fichier", ""),
            data.get("date", ""),
            int(data.get("lignes_lues", 0)),
            int(data.get("hors_departement", 0)),
            list(data.get("problemes", [])),
            candidates,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ImportFileError(
            f"{path} : contenu inattendu ({error}) : refaites l'import de cette source"
        ) from None


# --- review list ---------------------------------------------------------------------------


@dataclass
class Pair:
    refs: tuple[str, str]  # sorted « source:key »
    places: tuple[str, str] = ("", "")
    why: str = ""
    decision: str = ""  # "", "same" or "distinct"


@dataclass
class Review:
    pairs: dict[tuple[str, str], Pair] = field(default_factory=dict)
    deleted: dict[str, str] = field(default_factory=dict)  # record id → why it is not brought back

    def decision(self, a: str, b: str) -> str:
        pair = self.pairs.get(tuple(sorted((a, b))))
        return pair.decision if pair else ""


REVIEW_HEADER = """\
# Lieux à vérifier par une personne : ce fichier est écrit par l'import des sources
# (python -m mednum sources …) et lu par lui à chaque fois.
#
# paires : deux lignes de sources qui se ressemblent (même commune, noms ou adresses
#   proches…) sans qu'on soit sûr que ce soit le même lieu. Tant que « decision » est
#   vide, ce sont deux fiches. Écrivez :
#     decision: même       → une seule fiche, qui réunit les deux lignes ;
#     decision: distinct   → deux fiches, et la paire ne sera plus proposée.
#   Puis lancez « python -m mednum sources merge » (ou attendez l'import suivant).
# supprimees : fiches supprimées à la main de data/sites.yaml alors que leur source les
#   publie encore ; l'import ne les recrée pas. Retirez une ligne pour que la fiche revienne.
"""


def read_review(data_dir: Path) -> Review:
    path = folder(data_dir) / REVIEW_FILE
    data = read_yaml(path)
    review = Review()
    if data is None:
        return review
    if not isinstance(data, dict):
        raise ImportFileError(f"{path} : « paires: » et « supprimees: » attendus")
    for n, item in enumerate(data.get("paires") or [], start=1):
        where = f"{path}, paire n° {n}"
        refs = item.get("paire") if isinstance(item, dict) else None
        if not (isinstance(refs, list) and len(refs) == 2 and all(isinstance(r, str) for r in refs)):
            raise ImportFileError(f"{where} : « paire: [source:clé, source:clé] » attendu")
        raw = str(item.get("decision") or "").strip()
        folded = raw.casefold()
        if folded in SAME_WORDS:
            decision = "same"
        elif folded in DISTINCT_WORDS:
            decision = "distinct"
        elif not folded:
            decision = ""
        else:
            raise ImportFileError(f"{where} : décision « {raw} » : écrivez « même » ou « distinct »")
        key = tuple(sorted(refs))
        places = tuple(item.get("lieux") or ("", ""))
        review.pairs[key] = Pair(
            key, places if len(places) == 2 else ("", ""), str(item.get("pourquoi") or ""), decision
        )
    for item in data.get("supprimees") or []:
        if not (isinstance(item, dict) and item.get("fiche")):
            raise ImportFileError(f"{path} : « supprimees » : « - fiche: identifiant » attendu")
        review.deleted[str(item["fiche"])] = str(item.get("pourquoi") or "")
    return review


def write_review(data_dir: Path, review: Review) -> None:
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    words = {"same": "même", "distinct": "distinct", "": ""}
    lines = [REVIEW_HEADER, "paires:" + ("" if review.pairs else " []")]
    for key in sorted(review.pairs, key=lambda k: (review.pairs[k].decision != "", k)):
        pair = review.pairs[key]
        lines.append(f"  - paire: [{quoted(key[0])}, {quoted(key[1])}]")
        lines.append("    lieux:")
        lines.extend(f"      - {quoted(place)}" for place in pair.places)
        lines.append(f"    pourquoi: {quoted(pair.why)}")
        lines.append(f"    decision: {words[pair.decision]}".rstrip())
    lines.append("supprimees:" + ("" if review.deleted else " []"))
    for ident in sorted(review.deleted):
        lines.append(f"  - fiche: {quoted(ident)}")
        lines.append(f"    pourquoi: {quoted(review.deleted[ident])}")
    write_text(folder(data_dir) / REVIEW_FILE, "\n".join(lines) + "\n")


# --- state ----------------------------------------------------------------------------------


@dataclass
class Entry:
    rows: list[str]  # « source:key » of the rows the record was built from
    written: dict[str, Any]  # the fields and values the import last wanted for it
    deleted: bool = False  # deleted by hand and listed in revue.yaml (« supprimees »)


def read_state(data_dir: Path) -> dict[str, Entry]:
    path = folder(data_dir) / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(f"{path} : fichier illisible ({error})") from None
    try:
        return {
            ident: Entry(list(entry["lignes"]), dict(entry["ecrit"]), bool(entry.get("supprimee", False)))
            for ident, entry in data["fiches"].items()
        }
    except (KeyError, TypeError, AttributeError) as error:
        raise ImportFileError(f"{path} : contenu inattendu ({error})") from None


def write_state(data_dir: Path, state: dict[str, Entry]) -> None:
    data = {
        "fiches": {
            ident: {"lignes": sorted(entry.rows), "ecrit": entry.written}
            | ({"supprimee": True} if entry.deleted else {})
            for ident, entry in sorted(state.items())
        }
    }
    write_text(
        folder(data_dir) / STATE_FILE, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    )
