"""The position of an address, from the national address base (Base Adresse Nationale, BAN).

``geocode(address, commune, fetch)`` asks the BAN's search service for the one best match of
``address`` inside the commune (``?q=<address>&citycode=<INSEE code>&limit=1``) and accepts
it only if all of these hold:

* the answer is the BAN's GeoJSON (a ``FeatureCollection`` with a point);
* its ``citycode`` is the commune's INSEE code (the filter asks for it; the answer is checked
  all the same);
* its ``type`` is a house number, a street or a named place (``housenumber``, ``street``,
  ``locality``): a ``municipality`` answer is the commune's centre, never a place's position;
* its ``score`` (0 to 1, how well the answer matches the words of the address) is at least
  ``MIN_SCORE``.

Otherwise ``NotFound`` says, in French, to write a more precise address or to give the
position: the commune's centre is never written in its place. The service not answering is
``NotFound`` too (with the same advice), so that a form is never blocked for good.

``fetch(url) -> bytes`` is given by the caller: ``fetch_url`` (HTTP, 10 s, 1 MB at most) in
the workflow, stored answers in the tests, which never use the network.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from ..french import format_number
from ..reference import Commune

SEARCH_URL = "https://api-adresse.data.gouv.fr/search/"
MIN_SCORE = 0.6
PRECISE_TYPES = {"housenumber": "le numéro", "street": "la rue", "locality": "le lieu-dit"}
TIMEOUT_S = 10
MAX_BYTES = 1024 * 1024
USER_AGENT = "catalogue-mediation-numerique (formulaires des partenaires ; python-urllib)"
ADVICE = (
    "écrivez une adresse plus précise (numéro et nom de la rue), ou indiquez la position du lieu"
    " dans « Position sur la carte »"
)

Fetch = Callable[[str], bytes]


class NotFound(Exception):
    """No acceptable position; ``str()`` is French, for the person who filled in the form."""


@dataclass(frozen=True)
class Found:
    latitude: float
    longitude: float
    label: str  # the BAN's address, « 12 Boulevard Gambetta 34800 Clermont-l'Hérault »
    score: float
    type: str  # housenumber, street or locality
    postcode: str


def search_url(address: str, commune: Commune) -> str:
    return f"{SEARCH_URL}?{urlencode({'q': address, 'citycode': commune.code_insee, 'limit': '1'})}"


def fetch_url(url: str) -> bytes:
    """GET ``url``; ``OSError`` if the service does not answer in time or answers too much."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        data = response.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError("réponse trop longue")
    return data


def geocode(address: str, commune: Commune, fetch: Fetch) -> Found:
    where = f"{address}, {commune.nom}"
    try:
        answer = json.loads(fetch(search_url(address, commune)).decode("utf-8"))
    except (OSError, urllib.error.URLError, TimeoutError, ValueError, UnicodeDecodeError):
        raise NotFound(
            "le service de recherche d'adresses (Base adresse nationale) n'a pas répondu :"
            " indiquez la position du lieu dans « Position sur la carte », ou modifiez la demande"
            " plus tard pour réessayer"
        ) from None
    features = answer.get("features") if isinstance(answer, dict) else None
    feature = features[0] if isinstance(features, list) and features else None
    if not isinstance(feature, dict):
        raise NotFound(f"l'adresse « {where} » est introuvable dans la Base adresse nationale : {ADVICE}")
    properties = feature.get("properties") or {}
    coordinates = (feature.get("geometry") or {}).get("coordinates") or []
    kind, score = properties.get("type"), properties.get("score")
    label = str(properties.get("label", ""))
    if properties.get("citycode") != commune.code_insee:
        raise NotFound(f"l'adresse « {where} » n'a pas été trouvée à {commune.nom} : {ADVICE}")
    if kind not in PRECISE_TYPES:
        raise NotFound(
            f"pour « {where} », la Base adresse nationale ne trouve que la commune, pas l'adresse : {ADVICE}"
        )
    if not isinstance(score, int | float) or score < MIN_SCORE:
        shown = format_number(round(float(score), 2)) if isinstance(score, int | float) else "?"
        raise NotFound(
            f"l'adresse « {where} » ne ressemble pas assez à celle que trouve la Base adresse nationale"
            f" (« {label} », score {shown}) : {ADVICE}"
        )
    if not (isinstance(coordinates, list) and len(coordinates) == 2):
        raise NotFound(f"l'adresse « {where} » n'a pas de position dans la Base adresse nationale : {ADVICE}")
    longitude, latitude = (round(float(c), 6) for c in coordinates)
    return Found(latitude, longitude, label, float(score), kind, str(properties.get("postcode", "")))
