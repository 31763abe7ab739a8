"""Is it the same place? Comparing two descriptions of help points, from any source.

The same France Services is « France services Gutenberg-Grabels » in the national
list and « France Services GRABELS (GUTENBERG) » in the regional one; a Lieu d'Accès
Multimédia and a France Services can share a building and a phone line. What tells a
place, as the issue that asked for this put it: same commune and a close name once
normalised, or the same phone or e-mail, or coordinates within a few dozen metres
with a compatible name. ``compare`` turns that into one of three answers:

* ``SAME``: certain enough to make one record;
* ``MAYBE``: alike but not certain: the pair goes to the review list
  (``data/imports/revue.yaml``) where a person writes « même » or « distinct »;
* ``DIFFERENT``.

Places in two communes are never the same place. Names are compared on their
distinctive words: accents, case, small words, the commune's name and the words
that only say what kind of place it is (« France services », « Lieux d'Accès
Multimédia », « permanence »…) are set aside, and what is left is compared by the
share of the shorter set found in the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..french import format_number, plain, slugify
from ..geo import haversine_km

NEAR_KM = 0.075  # same building or next door: geocoding puts one address a few dozen metres apart
CLOSE_KM = 0.3  # same street block
FAR_KM = 1.0  # another part of town
CLOSE_NAMES = 0.6  # share of the shorter name's distinctive words found in the other

STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "par",
        "pour",
        "sur",
        "sous",
        "un",
        "une",
        "st",
        "saint",
        "sainte",
    ]
)
# Words that say what kind of place it is, not which one.
KIND_WORDS = frozenset(
    [
        "france",
        "services",
        "service",
        "maison",
        "maisons",
        "public",
        "publics",
        "msap",
        "mfs",
        "lieu",
        "lieux",
        "acces",
        "multimedia",
        "multimedias",
        "lam",
        "espace",
        "espaces",
        "mediation",
        "numerique",
        "numeriques",
        "permanence",
        "permanences",
        "point",
        "points",
        "accueil",
        "itinerante",
        "itinerant",
        "itinerants",
        "itinerantes",
        "site",
        "sites",
        "multisites",
        "agence",
        "agences",
        "siege",
        "caisse",
        "allocations",
        "familiales",
        "caf",
        "primaire",
        "assurance",
        "maladie",
        "cpam",
        "mutualite",
        "sociale",
        "agricole",
        "msa",
        "pole",
        "emploi",
        "travail",
        "retraite",
        "carsat",
        "relais",
        "bus",
        "bureau",
        "centre",
    ]
)


class Verdict(Enum):
    SAME = "same"
    MAYBE = "maybe"
    DIFFERENT = "different"


# typologie codes that say what a place is, for telling kinds apart
_KIND_BY_TYPOLOGIE = (("RFS", "france-services"), ("CAF", "caf"), ("CPAM", "cpam"), ("FT", "france-travail"))
KIND_LABELS = {
    "france-services": "France Services",
    "caf": "CAF",
    "cpam": "Assurance maladie",
    "msa": "MSA",
    "france-travail": "France Travail",
    "carsat": "Assurance retraite",
    "mediation": "lieu de médiation numérique",
}


@dataclass(frozen=True)
class Facts:
    """What comparisons read of a record."""

    ref: str  # « source:key » or « fiche:id »
    name: str
    tokens: frozenset[str]
    code_insee: str
    position: tuple[float, float] | None
    phones: frozenset[str]
    emails: frozenset[str]
    kind: str | None
    itinerant: bool
    stop: bool
    address: str = ""  # number and street, normalised (« 1 place capitaine francis morand »)


def words(text: str) -> list[str]:
    return [w for w in slugify(text).split("-") if w]


def _stem(word: str) -> str:
    """Plural and singular alike: « avants » and « avant »."""
    return word[:-1] if len(word) > 3 and word.endswith(("s", "x")) else word


def name_tokens(name: str, commune: str) -> frozenset[str]:
    """Distinctive words of a place's name: ``France services Gutenberg-Grabels`` → {gutenberg}."""
    commune_words = set(words(commune))
    return frozenset(
        _stem(w)
        for w in words(name)
        if w not in STOPWORDS and w not in KIND_WORDS and w not in commune_words and len(w) > 1
    )


def address_key(text: str) -> str:
    """« Avenue des sergents » and « avenue de sergent » alike."""
    return " ".join(_stem(w) for w in words(text) if w not in STOPWORDS and w not in {"bis", "ter"})


def kind_of(record: dict, given: str | None = None) -> str | None:
    if given:
        return given
    typologie = record.get("typologie") or []
    if "France Services" in (record.get("dispositif_programmes_nationaux") or []):
        return "france-services"
    for code, kind in _KIND_BY_TYPOLOGIE:
        if code in typologie:
            return kind
    return "mediation" if typologie else None


def facts(ref: str, record: dict, kind: str | None = None, stop: bool = False) -> Facts:
    lat, lon = record.get("latitude"), record.get("longitude")
    return Facts(
        ref=ref,
        name=record.get("nom", ""),
        tokens=name_tokens(record.get("nom", ""), record.get("commune", "")),
        code_insee=record.get("code_insee", ""),
        position=(lat, lon) if isinstance(lat, float | int) and isinstance(lon, float | int) else None,
        phones=frozenset([record["telephone"]] if record.get("telephone") else []),
        emails=frozenset(e.casefold() for e in record.get("courriels") or []),
        kind=kind_of(record, kind),
        itinerant="Itinérant" in (record.get("itinerance") or []) or bool(record.get("x_arrets")),
        stop=stop,
        address=address_key(record.get("adresse", "")),
    )


def name_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the shorter set of distinctive words found in the other (1.0 when both are empty)."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.5  # one name says nothing beyond its kind: neither alike nor unlike
    return len(a & b) / min(len(a), len(b))


def distance_km(a: Facts, b: Facts) -> float | None:
    if a.position is None or b.position is None:
        return None
    return haversine_km(*a.position, *b.position)


def compare(a: Facts, b: Facts) -> tuple[Verdict, float, str]:
    """(verdict, score for ordering the links, French reason for the review list)."""
    if a.code_insee != b.code_insee:
        return Verdict.DIFFERENT, 0.0, "communes différentes"
    if (a.stop and b.itinerant and not b.stop) or (b.stop and a.itinerant and not a.stop):
        return Verdict.DIFFERENT, 0.0, "un arrêt et le service itinérant lui-même"
    distance = distance_km(a, b)
    near = distance is not None and distance <= NEAR_KM
    close = distance is None or distance <= CLOSE_KM
    contact = bool(a.phones & b.phones or a.emails & b.emails)
    kinds_ok = a.kind is None or b.kind is None or a.kind == b.kind
    similar = name_similarity(a.tokens, b.tokens)
    if not a.tokens and not b.tokens and not (a.kind and a.kind == b.kind):
        similar = 0.5  # two names made only of kind words, of different or unknown kinds
    score = similar + (1 if near else 0.5 if close else 0) + (1 if contact else 0) + (0.5 if kinds_ok else 0)
    reasons = []
    if distance is not None:
        reasons.append(f"à {_metres(distance)}")
    reasons.append("noms proches" if similar >= CLOSE_NAMES else "noms différents")
    if contact:
        reasons.append("même téléphone ou courriel")
    if not kinds_ok:
        reasons.append(
            f"types différents ({KIND_LABELS.get(a.kind, a.kind)} / {KIND_LABELS.get(b.kind, b.kind)})"
        )
    reason = ", ".join(reasons)
    same_address = bool(a.address) and a.address == b.address
    if same_address:
        reasons.insert(0, "même adresse")
        reason = ", ".join(reasons)
    if near and contact:
        return Verdict.SAME, score, reason  # one address, one phone line: one reception desk
    # Renamed in its source, still at the same address: a public office of the same kind,
    # or a place whose name still says the same thing.
    public_office = a.kind == b.kind and a.kind not in (None, "mediation")
    if same_address and kinds_ok and (near or contact) and (similar >= 0.5 or public_office):
        return Verdict.SAME, score, reason
    if (
        kinds_ok
        and similar >= CLOSE_NAMES
        and (near or (close and (contact or (similar == 1.0 and distance is not None))))
    ):
        return Verdict.SAME, score, reason
    if distance is not None and distance > FAR_KM:
        # Kilometres apart in one commune: alike only if the names say exactly the same.
        if a.tokens and a.tokens == b.tokens and kinds_ok and contact:
            return Verdict.MAYBE, score, reason
        return Verdict.DIFFERENT, score, reason
    if (similar >= CLOSE_NAMES and (close or contact)) or (contact and close):
        return Verdict.MAYBE, score, reason
    if near and ((kinds_ok and similar >= 0.5) or _domains(a) & _domains(b)):
        if _domains(a) & _domains(b):
            reason += ", courriels du même organisme"
        return Verdict.MAYBE, score, reason
    return Verdict.DIFFERENT, score, reason


# Mail providers and national domains shared by unrelated places: not a sign of one organisation.
SHARED_DOMAINS = frozenset(
    [
        "gmail.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "laposte.net",
        "hotmail.fr",
        "hotmail.com",
        "yahoo.fr",
        "outlook.fr",
        "sfr.fr",
        "neuf.fr",
        "live.fr",
        "france-services.gouv.fr",
    ]
)


def _domains(f: Facts) -> set[str]:
    return {e.rpartition("@")[2] for e in f.emails} - SHARED_DOMAINS


def _metres(km: float) -> str:
    """« 350 m », « 1,2 km », with ordinary spaces: the reasons go into data/imports/revue.yaml."""
    if km < 1:
        return f"{round(km * 1000)} m"
    return plain(format_number(round(km, 1))) + " km"


def label_tokens(label: str) -> frozenset[str]:
    """Words of an itinerant service's label (« MSA DU LANGUEDOC ») that find its record."""
    return frozenset(w for w in words(label) if w not in STOPWORDS and len(w) > 1)


def ties(label: str, record_facts: Facts) -> bool:
    """A stop's service label is in the name of this itinerant service."""
    wanted = label_tokens(label)
    return bool(wanted) and wanted <= set(words(record_facts.name))
