"""La grille d'auto-évaluation RGAA (docs/rgaa/grille.yaml) et les chiffres d'une déclaration.

La grille a une entrée par critère du RGAA 4.1 (format décrit en tête du fichier). Ce module la
lit, la vérifie et en tire ce qu'une déclaration d'accessibilité doit dire :

* le nombre de critères conformes (C), non conformes (NC) et non applicables (NA) ;
* le taux de conformité, tel que le calcule la méthode du RGAA : la part des critères respectés
  parmi les critères applicables, C / (C + NC), les NA n'entrant pas dans le calcul. Il est donné
  en pour cent arrondi au centième, au plus proche (la moitié vers le haut), comme le présente
  l'outil d'audit de la DINUM (Ara : « 27 / 89 = 30,34 % ») ;
* la liste des critères non conformes, avec leur raison et l'action prévue.

La grille est lue sans typage implicite (``yaml.BaseLoader``, ou sa version libyaml) : tout y
est texte, « 1.10 » reste « 1.10 » et ne devient pas le nombre 1.1, « NA » reste « NA ». Une
grille mal formée donne un message en français qui nomme le fichier, la ligne et l'entrée
(``GrilleInvalide``), jamais une trace Python ; ``python -m mednum.rgaa [GRILLE]`` affiche les
chiffres ou ce message.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from .french import format_percent

ROOT = Path(__file__).resolve().parents[2]
GRILLE = ROOT / "docs" / "rgaa" / "grille.yaml"
# libyaml quand PyYAML l'a (dix fois plus rapide : la grille est lue à chaque construction), même
# lecture sans typage.
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

STATUTS = ("C", "NC", "NA")
NUMERO = re.compile(r"^(\d{1,2})\.(\d{1,2})$")
ATTENDU = "attendu : C, NC ou NA"
CLES_GRILLE = {"referentiel", "date", "echantillon", "criteres"}
CLES_OBLIGATOIRES = ("critere", "theme", "titre", "statut", "preuve")
CLES_NC = ("raison", "action")


class GrilleInvalide(Exception):
    """Une grille mal formée : le message, en français, nomme le fichier, la ligne et l'entrée."""


@dataclass(frozen=True)
class Critere:
    numero: str  # « 1.1 »
    theme: str
    titre: str
    statut: str  # C, NC ou NA
    preuves: tuple[str, ...]
    raison: str | None = None  # NC seulement
    action: str | None = None  # NC seulement


@dataclass(frozen=True)
class Chiffres:
    conformes: int
    non_conformes: int
    non_applicables: int
    non_conformites: tuple[Critere, ...]

    @property
    def applicables(self) -> int:
        return self.conformes + self.non_conformes

    @property
    def taux(self) -> Decimal | None:
        """C / (C + NC) en pour cent, au centième ; None sans aucun critère applicable."""
        if not self.applicables:
            return None
        return (Decimal(100 * self.conformes) / Decimal(self.applicables)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def taux_fr(self) -> str:
        """« 92,54 % », « 100 % » (centièmes nuls omis) ; « sans objet » sans critère applicable."""
        taux = self.taux
        return "sans objet" if taux is None else format_percent(taux)

    def texte(self) -> str:
        """Les chiffres tels qu'une déclaration d'accessibilité les donne."""
        lignes = [
            f"{self.taux_fr} des critères du RGAA applicables sont respectés "
            f"({self.conformes} sur {self.applicables}).",
            f"Critères conformes : {self.conformes} ; non conformes : {self.non_conformes} ; "
            f"non applicables : {self.non_applicables}.",
        ]
        if self.non_conformites:
            lignes.append("Critères non conformes :")
            for c in self.non_conformites:
                lignes.append(f"- {c.numero} {c.titre}")
                lignes.append(f"  Raison : {c.raison}")
                lignes.append(f"  Action : {c.action}")
        return "\n".join(lignes)


def chiffres(criteres: list[Critere] | tuple[Critere, ...]) -> Chiffres:
    """Les nombres de C, NC et NA, le taux et les non-conformités (dans l'ordre de la grille)."""
    compte = {statut: 0 for statut in STATUTS}
    for c in criteres:
        if c.statut not in compte:
            raise GrilleInvalide(f"critère {c.numero} : statut « {c.statut} » inconnu ({ATTENDU})")
        compte[c.statut] += 1
    return Chiffres(
        conformes=compte["C"],
        non_conformes=compte["NC"],
        non_applicables=compte["NA"],
        non_conformites=tuple(c for c in criteres if c.statut == "NC"),
    )


def _nom(path: Path) -> str:
    """Le chemin tel qu'on le lit dans le dépôt (docs/rgaa/grille.yaml), sinon tel quel."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _lignes_des_entrees(texte: str) -> list[int]:
    """La ligne (à partir de 1) où commence chaque entrée de ``criteres``, pour les messages."""
    try:
        racine = yaml.compose(texte, Loader=_LOADER)
    except yaml.YAMLError:
        return []
    if not isinstance(racine, yaml.MappingNode):
        return []
    for cle, valeur in racine.value:
        if cle.value == "criteres" and isinstance(valeur, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in valeur.value]
    return []


def lire_texte(texte: str, nom: str = "grille.yaml") -> list[Critere]:
    """Les critères d'une grille donnée par son texte ; ``nom`` sert aux messages d'erreur."""
    try:
        donnees = yaml.load(texte, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        ligne = f", ligne {mark.line + 1}" if mark else ""
        raise GrilleInvalide(f"{nom}{ligne} : YAML illisible ({e.problem or e.context})") from None
    except yaml.YAMLError as e:
        raise GrilleInvalide(f"{nom} : YAML illisible ({e})") from None
    if not isinstance(donnees, dict) or "criteres" not in donnees:
        raise GrilleInvalide(f"{nom} : la grille doit avoir une clé « criteres » (la liste des critères)")
    inconnues = sorted(set(donnees) - CLES_GRILLE)
    if inconnues:
        raise GrilleInvalide(
            f"{nom} : clé(s) inconnue(s) en tête de grille : {', '.join(inconnues)} "
            f"(possibles : {', '.join(sorted(CLES_GRILLE))})"
        )
    entrees = donnees["criteres"]
    if not isinstance(entrees, list) or not entrees:
        raise GrilleInvalide(f"{nom} : « criteres » doit être une liste non vide d'entrées")
    lignes = _lignes_des_entrees(texte)
    criteres: list[Critere] = []
    vus: dict[str, int] = {}
    for i, entree in enumerate(entrees, start=1):
        ligne = f", ligne {lignes[i - 1]}" if len(lignes) >= i else ""
        numero = entree.get("critere") if isinstance(entree, dict) else None
        ou = f"{nom}{ligne}, entrée {i}" + (f" (critère {numero})" if isinstance(numero, str) else "")
        critere = _critere(entree, ou)
        if critere.numero in vus:
            raise GrilleInvalide(
                f"{ou} : critère {critere.numero} déjà décrit à l'entrée {vus[critere.numero]}"
            )
        vus[critere.numero] = i
        criteres.append(critere)
    return criteres


def _texte(entree: dict, cle: str, ou: str) -> str:
    valeur = entree.get(cle)
    if not isinstance(valeur, str) or not valeur.strip():
        raise GrilleInvalide(f"{ou} : « {cle} » manque ou est vide")
    return valeur.strip()


def _critere(entree: object, ou: str) -> Critere:
    if not isinstance(entree, dict):
        raise GrilleInvalide(f"{ou} : une entrée doit avoir les clés {', '.join(CLES_OBLIGATOIRES)}")
    possibles = (*CLES_OBLIGATOIRES, *CLES_NC)
    inconnues = sorted(set(entree) - set(possibles))
    if inconnues:
        raise GrilleInvalide(
            f"{ou} : clé(s) inconnue(s) : {', '.join(inconnues)} (possibles : {', '.join(possibles)})"
        )
    numero = _texte(entree, "critere", ou)
    if not NUMERO.match(numero):
        raise GrilleInvalide(
            f"{ou} : numéro de critère « {numero} » invalide (attendu : « 1.1 » … « 13.12 »)"
        )
    statut = _texte(entree, "statut", ou)
    if statut not in STATUTS:
        raise GrilleInvalide(f"{ou} : statut « {statut} » inconnu ({ATTENDU})")
    preuve = entree.get("preuve")
    if isinstance(preuve, str):
        preuve = [preuve]
    if isinstance(preuve, list) and any(isinstance(p, dict) for p in preuve):
        raise GrilleInvalide(
            f"{ou} : une preuve contient « : » sans guillemets, et YAML la lit comme un dictionnaire : "
            "mettre chaque preuve entre guillemets"
        )
    if (
        not isinstance(preuve, list)
        or not preuve
        or not all(isinstance(p, str) and p.strip() for p in preuve)
    ):
        raise GrilleInvalide(
            f"{ou} : « preuve » doit être une liste non vide de textes (tests « tests/….py::test_nom » "
            "ou constats « vérifié à la main le AAAA-MM-JJ : … »)"
        )
    raison = action = None
    if statut == "NC":
        raison = _texte(entree, "raison", ou)
        action = _texte(entree, "action", ou)
    else:
        en_trop = [cle for cle in CLES_NC if cle in entree]
        if en_trop:
            raise GrilleInvalide(
                f"{ou} : {' et '.join(f'« {c} »' for c in en_trop)} seulement pour un critère NC "
                f"(statut {statut} : les retirer)"
            )
    return Critere(
        numero=numero,
        theme=_texte(entree, "theme", ou),
        titre=_texte(entree, "titre", ou),
        statut=statut,
        preuves=tuple(p.strip() for p in preuve),
        raison=raison,
        action=action,
    )


def _lire(path: Path) -> tuple[str, str]:
    """(texte, nom pour les messages) de la grille ``path``."""
    nom = _nom(path)
    try:
        return path.read_text(encoding="utf-8"), nom
    except FileNotFoundError:
        raise GrilleInvalide(f"{nom} : fichier introuvable") from None
    except UnicodeDecodeError:
        raise GrilleInvalide(f"{nom} : le fichier n'est pas en UTF-8") from None
    except OSError as e:
        raise GrilleInvalide(f"{nom} : lecture impossible ({e.strerror})") from None


def _version(path: Path) -> tuple[int, int] | None:
    """What tells one state of the file from another, for the caches below."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def lire_grille(path: Path = GRILLE) -> list[Critere]:
    """Les critères de la grille ``path`` (par défaut docs/rgaa/grille.yaml). Lue une fois par
    état du fichier : une construction la lit pour vérifier, puis pour écrire la déclaration."""
    return list(_grille(path, _version(path)))


@functools.lru_cache(maxsize=8)
def _grille(path: Path, version: tuple[int, int] | None) -> tuple[Critere, ...]:
    return tuple(lire_texte(*_lire(path)))


def lire_date(path: Path = GRILLE) -> dt.date:
    """La date de l'auto-évaluation : « date » en tête de la grille."""
    return _date(path, _version(path))


@functools.lru_cache(maxsize=8)
def _date(path: Path, version: tuple[int, int] | None) -> dt.date:
    texte, nom = _lire(path)
    try:
        donnees = yaml.load(texte, Loader=_LOADER)
    except yaml.YAMLError as e:
        raise GrilleInvalide(f"{nom} : YAML illisible ({e})") from None
    valeur = donnees.get("date") if isinstance(donnees, dict) else None
    try:
        return dt.date.fromisoformat(valeur)
    except (TypeError, ValueError):
        raise GrilleInvalide(
            f"{nom} : « date: AAAA-MM-JJ » manquante ou invalide en tête de la grille"
        ) from None


def main(argv: list[str] | None = None) -> int:
    """``python -m mednum.rgaa [GRILLE]`` : les chiffres de la déclaration, ou l'erreur (code 2)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage : python -m mednum.rgaa [GRILLE]  (défaut : docs/rgaa/grille.yaml)", file=sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    path = Path(args[0]) if args else GRILLE
    try:
        resultat = chiffres(lire_grille(path))
    except GrilleInvalide as e:
        print(f"Grille RGAA invalide : {e}", file=sys.stderr)
        return 2
    print(resultat.texte())
    return 0


if __name__ == "__main__":
    sys.exit(main())
