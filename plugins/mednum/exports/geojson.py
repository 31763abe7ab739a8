"""``lieux.geojson``: one Feature per help point with coordinates, and one per stop of an itinerant service.

GeoJSON (RFC 7946), coordinates ``[longitude, latitude]`` in WGS 84. Properties:

* a help point: ``type`` = ``"lieu"``, its id, name, address, commune and INSEE
  code, the fields of the national standard used on maps (services, hours,
  phone…), ``pass_numerique``, ``exemple`` (fictional record) and ``url`` (its page);
* a stop (``x_arrets``): ``type`` = ``"arret"``, ``lieu`` (the id of the itinerant
  service it belongs to), ``lieu_nom``, ``lieu_url``, its own commune, address
  and hours (``horaires``, absent when the source gives no days or hours: never
  made up); its Feature id is ``<lieu>/arret-<n>`` (n from 1, in the order of the record).

Places and stops without coordinates are not in the file (nothing to draw).
The collection carries ``date_donnees`` (the build date), a foreign member allowed by RFC 7946.
"""

from __future__ import annotations

from pathlib import Path

from .. import urls
from ..model import Catalogue, Site
from .publication import LICENCE, absolute, json_records, write_text

FILENAME = "lieux.geojson"
SITE_PROPERTIES = (
    "id",
    "nom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "typologie",
    "services",
    "itinerance",
    "horaires",
    "telephone",
    "courriels",
    "site_web",
    "frais_a_charge",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "modalites_acces",
    "modalites_accompagnement",
    "prise_rdv",
    "date_maj",
)


def _point(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def site_features(site: Site, base: str) -> list[dict]:
    features = []
    url = absolute(base, urls.site(site)) or f"/{urls.site(site)}"
    if site.coordinates:
        properties = {"type": "lieu"}
        properties.update({name: site.record[name] for name in SITE_PROPERTIES if name in site.record})
        properties.update(pass_numerique=site.pass_numerique, exemple=site.example, url=url)
        features.append(
            {
                "type": "Feature",
                "id": site.id,
                "geometry": _point(*site.coordinates),
                "properties": properties,
            }
        )
    for n, stop in enumerate(site.stops, start=1):
        if stop.latitude is None or stop.longitude is None:
            continue
        properties = {
            "type": "arret",
            "lieu": site.id,
            "lieu_nom": site.name,
            "lieu_url": url,
            "adresse": stop.address,
            "code_postal": stop.postal_code,
            "commune": stop.commune.nom,
            "code_insee": stop.commune.code_insee,
            "horaires": stop.hours,
            "exemple": site.example,
        }
        features.append(
            {
                "type": "Feature",
                "id": f"{site.id}/arret-{n}",
                "geometry": _point(stop.latitude, stop.longitude),
                "properties": {k: v for k, v in properties.items() if v is not None},
            }
        )
    return features


def render(catalogue: Catalogue, base: str) -> tuple[str, int]:
    features = [feature for site in catalogue.sites for feature in site_features(site, base)]
    collection = {
        "type": "FeatureCollection",
        "date_donnees": catalogue.build_date.isoformat(),
        "licence": LICENCE,
        "features": features,
    }
    return json_records(collection), len(features)


def write(catalogue: Catalogue, out: Path, base: str) -> dict[str, int]:
    text, count = render(catalogue, base)
    write_text(out / FILENAME, text)
    return {FILENAME: count}
