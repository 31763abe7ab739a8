"""Maps of the help points, drawn with Folium, opened only when a person asks for them.

Each map is a page of its own under ``carte/`` (the département, each EPCI, each commune,
each help point), meant to be shown in an iframe by ``static/carte.js`` when the person
presses « Afficher la carte » and reachable without JavaScript through the same link. The
pages of the catalogue keep their list of places with addresses: the map is an extra.

What Folium writes is reshaped so that the page stays ours and the build reproducible:

* Folium's header (CDN links to Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers,
  the viewport that locks zoom, inline styles and scripts) is dropped; the page links the
  Leaflet and marker-cluster files copied from ``node_modules`` into ``static/vendor/``
  with their licences (:func:`write_vendor_assets`);
* the map's script goes to a ``map.js`` file next to the page (no inline script), after a
  short prelude with the one helper Folium's popups call (``$(html)[0]``), French
  labels for Leaflet's controls and focus handling for popups;
* element ids are derived from a counter per map (:func:`deterministic_ids`), not random;
* the markers of the big maps (département, EPCI) are in a GeoJSON file next to the page,
  fetched by :class:`ClusteredGeoJson` into a markerClusterGroup.

Planning (:func:`plan_map_pages`) is pure; Folium renders when the page is written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .french import a_place, de_place
from .model import Catalogue, Site
from .reference import Commune

MAX_ZOOM = 19
SITE_ZOOM = 16
FIT_MAX_ZOOM = 15
DATA_FILE = "lieux.geojson"
SCRIPT_FILE = "map.js"
ROOT_URL = "carte/"

# Files copied from node_modules into static/vendor/<package>-<version>/, licence included.
VENDOR = {
    "leaflet": ("dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"),
    "leaflet.markercluster": (
        "dist/leaflet.markercluster.js",
        "dist/MarkerCluster.css",
        "dist/MarkerCluster.Default.css",
        "MIT-LICENCE.txt",
    ),
}


class MapError(Exception):
    """A problem that stops the build, explained in French."""


# --------------------------------------------------------------------------------------------------
# What is on a map


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    name: str
    commune: str
    url: str  # site-relative page of the help point
    detail: str = ""  # for a stop of an itinerant service: its address
    example: bool = False  # a fictional record, said so in its popup

    def feature(self) -> dict:
        properties = {"nom": self.name, "commune": self.commune, "url": self.url}
        if self.detail:
            properties["detail"] = self.detail
        if self.example:
            properties["exemple"] = True
        return {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(self.longitude, 6), round(self.latitude, 6)],
            },
            "properties": properties,
        }


@dataclass(frozen=True)
class Tiles:
    url: str
    attribution: str
    max_zoom: int = MAX_ZOOM

    def provider(self):
        import xyzservices

        return xyzservices.TileProvider(
            name="plan", url=self.url, attribution=self.attribution, max_zoom=self.max_zoom
        )

    @property
    def host(self) -> str:
        return re.sub(r"^https?://([^/]+)/.*$", r"\1", self.url)


@dataclass(eq=False)
class MapSpec:
    """One map page: its points, where it looks, and how it gets its markers."""

    url: str  # site-relative address of the map page, ending in "/"
    title: str  # the <h1> and the iframe's title
    back_url: str  # the page with the list of the same places
    back_label: str
    points: list[Point]
    tiles: Tiles
    clustered: bool = False  # markers in a GeoJSON file, in clusters
    center: tuple[float, float] | None = None  # else fit the points
    zoom: int = SITE_ZOOM
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def grouped(self) -> bool:
        """Markers in clusters (never overlapping, each target large enough): all but one-point maps."""
        return self.clustered or len(self.points) > 1

    @property
    def data_url(self) -> str | None:
        return self.url + DATA_FILE if self.clustered else None

    @property
    def script_url(self) -> str:
        return self.url + SCRIPT_FILE

    def geojson(self) -> str:
        collection = {"type": "FeatureCollection", "features": [p.feature() for p in self.points]}
        return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"

    @cached_property
    def rendered(self) -> RenderedMap:
        return render_map(self)


@dataclass(frozen=True)
class RenderedMap:
    div: str  # the map's <div>
    script: str  # the whole of map.js


def tiles_from_settings(settings: dict) -> Tiles:
    from .settings import setting

    url = setting(settings, "CATALOGUE_MAP_TILES")
    attribution = setting(settings, "CATALOGUE_MAP_ATTRIBUTION")
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in url]
    if not url.startswith("https://") or missing:
        raise MapError(
            f"réglage CATALOGUE_MAP_TILES : « {url} » n'est pas une adresse de tuiles "
            "https://… avec {z}, {x} et {y}"
        )
    if not attribution.strip():
        raise MapError("réglage CATALOGUE_MAP_ATTRIBUTION : la mention de la source des tuiles est vide")
    return Tiles(url, attribution)


def site_points(site: Site, communes: set[str] | None = None) -> list[Point]:
    """Where to find a help point: its address and, for an itinerant service, its stops.

    With ``communes`` (INSEE codes), only what lies in them.
    """
    from .pages import url_site

    points = []
    if site.coordinates and (communes is None or site.commune.code_insee in communes):
        points.append(Point(*site.coordinates, site.name, site.commune.nom, url_site(site), "", site.example))
    for stop in site.stops:
        if stop.latitude is None or stop.longitude is None:
            continue
        if communes is not None and stop.commune.code_insee not in communes:
            continue
        detail = f"Arrêt du service itinérant : {stop.address}"
        points.append(
            Point(
                stop.latitude,
                stop.longitude,
                site.name,
                stop.commune.nom,
                url_site(site),
                detail,
                site.example,
            )
        )
    return points


def department_points(catalogue: Catalogue) -> list[Point]:
    """One marker per help point with coordinates, at its address."""
    from .pages import url_site

    return [
        Point(*s.coordinates, s.name, s.commune.nom, url_site(s), "", s.example)
        for s in catalogue.sites
        if s.coordinates
    ]


def commune_points(catalogue: Catalogue, commune: Commune, nearest_sites: list[Site]) -> list[Point]:
    here = catalogue.sites_by_commune.get(commune.code_insee, [])
    points = []
    for site in sorted(here, key=lambda s: (s.name.casefold(), s.id)):
        points += site_points(site, {commune.code_insee})
    for site in nearest_sites:
        if site.coordinates:
            points.append(
                Point(*site.coordinates, site.name, site.commune.nom, f"lieux/{site.id}/", "", site.example)
            )
    return points


def plan_map_pages(catalogue: Catalogue, settings: dict, pages: list) -> list:
    """The map pages, and ``map_url`` in the context of the pages that link to a map.

    ``pages`` is the plan so far: the commune, EPCI and help-point pages get ``map_url``
    (their map's site-relative address) when their map has at least one point, and the home
    page gets the département map's.
    """
    from .pages import Crumb, Page

    tiles = tiles_from_settings(settings)
    specs: list[MapSpec] = []
    by_url: dict[str, MapSpec] = {}

    department = MapSpec(
        ROOT_URL,
        "Carte des lieux d'aide au numérique dans l'Hérault",
        "",
        "Voir la liste des lieux par commune",
        department_points(catalogue),
        tiles,
        clustered=True,
    )
    specs.append(department)
    by_url[""] = department

    for page in pages:
        spec = None
        if page.kind == "site":
            site = page.context["site"]
            points = site_points(site)
            label = "Voir la fiche du lieu, avec son adresse"
            title = f"Carte : {site.name}" + (" (exemple, lieu fictif)" if site.example else "")
            center = site.coordinates if not site.stops else None
            spec = MapSpec(f"carte/{page.url}", title, page.url, label, points, tiles, center=center)
        elif page.kind == "commune":
            commune = page.context["commune"]
            nearest_sites = [n.site for n in page.context["nearest"]]
            points = commune_points(catalogue, commune, nearest_sites)
            title = f"Carte des lieux d'aide au numérique {a_place(commune.nom)} et autour"
            label = f"Voir la liste des lieux {de_place(commune.nom)}, avec leurs adresses"
            spec = MapSpec(f"carte/{page.url}", title, page.url, label, points, tiles)
            spec.extra["around"] = (commune.latitude, commune.longitude)
        elif page.kind == "epci":
            epci = page.context["epci"]
            codes = set(epci.communes)
            points = [p for site in page.context["sites"] for p in site_points(site, codes)]
            title = f"Carte des lieux d'aide au numérique : {epci.nom}"
            label = "Voir la liste des lieux du territoire, avec leurs adresses"
            spec = MapSpec(f"carte/{page.url}", title, page.url, label, points, tiles, clustered=True)
        if spec is not None and spec.points:
            specs.append(spec)
            by_url[page.url] = spec

    for page in pages:
        if page.url in by_url and page.kind in ("home", "site", "commune", "epci"):
            page.context["map_url"] = by_url[page.url].url
            page.context["map_title"] = by_url[page.url].title

    map_pages = []
    for spec in specs:
        crumbs = [Crumb("Accueil", "")]
        if spec.back_url:
            crumbs.append(Crumb(spec.back_label, spec.back_url))
        map_pages.append(
            Page("map", spec.url, "catalogue/map", spec.title, crumbs, {"map": spec}, in_sitemap=False)
        )
    return map_pages


# --------------------------------------------------------------------------------------------------
# Rendering with Folium


@contextlib.contextmanager
def deterministic_ids(seed: str) -> Iterator[None]:
    """branca element ids from a counter and ``seed`` instead of random bytes, for one map.

    The counter lives in this call only: two builds, or two maps, never share state, and
    the original id generator is back when the block ends, even on error. Within the block,
    branca compiles each distinct template string once (a map compiles dozens of identical
    small templates otherwise, most of the time of a build).
    """
    from branca import element

    counter = itertools.count(1)
    prefix = hashlib.sha256(seed.encode()).hexdigest()[:6]
    original_id = element.Element.__dict__["_generate_id"]
    original_template = element.Template

    def generate(cls) -> str:
        return f"{prefix}{next(counter):04d}"

    element.Element._generate_id = classmethod(generate)
    element.Template = _compiled_template
    try:
        yield
    finally:
        element.Element._generate_id = original_id
        element.Template = original_template


@functools.cache
def _compiled_template(source: str):
    from jinja2 import Template  # what branca.element.Template is

    return Template(source)


@functools.cache
def _macro_element():
    from branca.element import MacroElement
    from folium.template import Template

    class ClusteredGeoJson(MacroElement):
        """Markers from a GeoJSON file in a markerClusterGroup, fetched when the map opens."""

        _template = Template(
            """
{% macro script(this, kwargs) %}
mnClusters({{ this._parent.get_name() }}, {{ this.url|tojson }});
{% endmacro %}
"""
        )

        def __init__(self, url: str):
            super().__init__()
            self._name = "ClusteredGeoJson"
            self.url = url

    class Accessible(MacroElement):
        """French controls, a name for the map, focus handling for popups (see PRELUDE)."""

        _template = Template(
            """
{% macro script(this, kwargs) %}
mnAccessible({{ this._parent.get_name() }}, {{ this.label|tojson }});
{% endmacro %}
"""
        )

        def __init__(self, label: str):
            super().__init__()
            self._name = "Accessible"
            self.label = label

    return ClusteredGeoJson, Accessible


def _popup_html(point: Point) -> str:
    """The popup of an inline marker; the same content mnPopup builds for clustered ones."""
    lines = [f'<a href="/{html.escape(point.url)}" target="_top">{html.escape(point.name)}</a>']
    lines.append(html.escape(point.commune))
    if point.detail:
        lines.append(html.escape(point.detail))
    if point.example:
        lines.append("<strong>Exemple, lieu fictif</strong>")
    # Folium puts popup HTML inside a JavaScript template literal, where HTML escaping does not
    # stop `…` or ${…}: write those characters (and the backslash) as HTML entities.
    return ('<p class="mn-popup">' + "<br>".join(lines) + "</p>").translate(_TEMPLATE_LITERAL_SAFE)


_TEMPLATE_LITERAL_SAFE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def _bounds(points: list[tuple[float, float]]) -> list[list[float]]:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def render_map(spec: MapSpec) -> RenderedMap:
    import folium
    from folium.plugins import MarkerCluster

    clustered_cls, accessible_cls = _macro_element()
    with deterministic_ids(spec.url):
        coordinates = [(p.latitude, p.longitude) for p in spec.points]
        if "around" in spec.extra:
            coordinates.append(spec.extra["around"])
        center = spec.center or (
            (sum(c[0] for c in coordinates) / len(coordinates)),
            (sum(c[1] for c in coordinates) / len(coordinates)),
        )
        fmap = folium.Map(
            location=[round(center[0], 6), round(center[1], 6)],
            zoom_start=spec.zoom,
            tiles=None,
            zoom_control=False,
            max_zoom=spec.tiles.max_zoom,
            control_scale=True,
        )
        folium.TileLayer(
            # A TileProvider, not the URL: Folium would search xyzservices' catalogue for it.
            tiles=spec.tiles.provider(),
            attr=spec.tiles.attribution,
            name="Plan",
            max_zoom=spec.tiles.max_zoom,
            max_native_zoom=spec.tiles.max_zoom,
        ).add_to(fmap)
        accessible_cls(spec.title).add_to(fmap)
        if spec.clustered:
            clustered_cls("/" + spec.data_url).add_to(fmap)
        else:
            layer = fmap
            if spec.grouped:
                layer = MarkerCluster(
                    options={"showCoverageOnHover": False}, icon_create_function=CLUSTER_ICON
                ).add_to(fmap)
            for point in spec.points:
                label = f"{point.name}, {point.commune}"
                folium.Marker(
                    [point.latitude, point.longitude],
                    popup=folium.Popup(folium.Html(_popup_html(point), script=True), max_width=280),
                    keyboard=True,
                    title=label,
                    alt=label,
                ).add_to(layer)
        if spec.center is None:
            bounds = _bounds(coordinates)
            fmap.fit_bounds(bounds, padding=(24, 24), max_zoom=FIT_MAX_ZOOM)
        page = fmap.get_root().render()
    return _reshape(page, spec)


CLUSTER_ICON = "mnClusterIcon"
_BODY = re.compile(r"<body>\s*(.*?)\s*</body>", re.S)
_SCRIPT = re.compile(r"</body>\s*<script>\s*(.*?)\s*</script>\s*</html>\s*$", re.S)


def _reshape(page: str, spec: MapSpec) -> RenderedMap:
    """Keep the map's div and its script from Folium's page; drop the header."""
    body, script = _BODY.search(page), _SCRIPT.search(page)
    if body is None or script is None:
        raise MapError("la page produite par Folium n'a plus la forme attendue (version de Folium ?)")
    div = body.group(1).strip()
    code = script.group(1).strip()
    code = "\n".join(line.strip() for line in code.splitlines() if line.strip())
    # Folium sizes popup contents with a style attribute, which a strict CSP (style-src 'self')
    # refuses; the popup keeps its natural size without it.
    code = code.replace(' style=\\"width: 100.0%; height: 100.0%;\\"', "").replace(
        ' style="width: 100.0%; height: 100.0%;"', ""
    )
    allowed = {spec.tiles.host} | set(re.findall(r"https?://([^/\"']+)", spec.tiles.attribution))
    for host in re.findall(r"https?://([^/\s\"'`)?]+)", code):
        if host not in allowed:
            raise MapError(f"le script de la carte {spec.url} s'adresse à un autre serveur : {host}")
    return RenderedMap(div, PRELUDE + "\n" + code + "\n")


# The shared start of every map.js: what Folium's code expects beyond Leaflet, and the
# accessibility of the map (French labels, a name, keyboard and focus for popups).
PRELUDE = r"""/* Carte : Leaflet (static/vendor), code produit par Folium, voir plugins/mednum/maps.py. */
"use strict";
/* What Folium's popups call: $(html)[0], the first element of some HTML (no library needed). */
function $(html) {
  var t = document.createElement("template");
  t.innerHTML = String(html).trim();
  return [t.content.firstElementChild];
}
function mnAccessible(map, label) {
  var box = map.getContainer();
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", label);
  L.control.zoom({zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer"}).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  var opener = null;
  map.on("popupopen", function (e) {
    var source = e.popup._source;
    opener = source && source._icon ? source._icon : null;
    var root = e.popup.getElement();
    var close = root.querySelector(".leaflet-popup-close-button");
    if (close) { close.setAttribute("aria-label", "Fermer"); close.setAttribute("title", "Fermer"); }
    /* Leaflet closes popups on Escape only when the map itself has the focus. */
    root.addEventListener("keydown", function (k) {
      if (k.key === "Escape" || k.key === "Esc") { k.preventDefault(); map.closePopup(); }
    });
    var link = root.querySelector(".leaflet-popup-content a");
    if (link) { link.focus(); }
  });
  map.on("popupclose", function () {
    if (opener && document.body.contains(opener)) { opener.focus(); }
    opener = null;
  });
}
function mnPopup(p) {
  var box = document.createElement("p"), a = document.createElement("a");
  box.className = "mn-popup";
  a.href = "/" + p.url;
  a.target = "_top";
  a.textContent = p.nom;
  box.appendChild(a);
  [p.commune, p.detail].forEach(function (text) {
    if (text) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(text)); }
  });
  if (p.exemple) {
    var note = document.createElement("strong");
    note.textContent = "Exemple, lieu fictif";
    box.appendChild(document.createElement("br"));
    box.appendChild(note);
  }
  return box;
}
/* A cluster: its count, and what pressing it does, for screen readers. */
function mnClusterIcon(cluster) {
  var n = cluster.getChildCount(), size = n < 10 ? "small" : n < 100 ? "medium" : "large";
  return L.divIcon({
    html: "<div><span>" + n + '<span class="mn-sr"> lieux, zoomer</span></span></div>',
    className: "marker-cluster marker-cluster-" + size,
    iconSize: L.point(40, 40)
  });
}
function mnClusters(map, url) {
  var group = L.markerClusterGroup({showCoverageOnHover: false, iconCreateFunction: mnClusterIcon});
  map.addLayer(group);
  window.mnMarkers = group;
  var box = map.getContainer();
  box.setAttribute("aria-busy", "true");
  fetch(url).then(function (r) {
    if (!r.ok) { throw new Error(r.status); }
    return r.json();
  }).then(function (data) {
    group.addLayers(data.features.map(function (f) {
      var p = f.properties, c = f.geometry.coordinates, label = p.nom + ", " + p.commune;
      return L.marker([c[1], c[0]], {keyboard: true, title: label, alt: label}).bindPopup(mnPopup(p));
    }));
    box.setAttribute("data-markers", String(data.features.length));
  }).catch(function () {
    var note = document.getElementById("mn-map-error");
    if (note) { note.hidden = false; }
  }).then(function () { box.removeAttribute("aria-busy"); });
}
"""


# --------------------------------------------------------------------------------------------------
# Writing


def node_modules(settings: dict) -> Path:
    """node_modules of the project: next to the folder of the Pelican content (PATH)."""
    return Path(settings.get("PATH", ".")).resolve().parent / "node_modules"


def vendor_versions(modules: Path) -> dict[str, str]:
    versions = {}
    for package, files in VENDOR.items():
        folder = modules / package
        missing = [f for f in files if not (folder / f).exists()]
        if missing:
            raise MapError(
                f"{folder}/{missing[0]} manque : lancez « npm ci » (les fichiers de Leaflet pour les "
                "cartes viennent des paquets npm, voir package.json)"
            )
        versions[package] = json.loads((folder / "package.json").read_text(encoding="utf-8"))["version"]
    return versions


def vendor_url(package: str, versions: dict[str, str]) -> str:
    """Site-relative folder of a vendored package: the version in the name (long caching)."""
    return f"static/vendor/{package}-{versions[package]}/"


def write_vendor_assets(modules: Path, output: Path, versions: dict[str, str]) -> None:
    """Leaflet and marker-cluster as published on npm, with their licence; source maps unlinked."""
    for package, files in VENDOR.items():
        target = output / vendor_url(package, versions)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            source = modules / package / name
            if source.is_dir():
                shutil.copytree(source, target / source.name, dirs_exist_ok=True)
            elif source.suffix == ".js":
                text = source.read_text(encoding="utf-8")
                text = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)
                (target / source.name).write_text(text, encoding="utf-8")
            else:
                shutil.copyfile(source, target / source.name)


def write_map_files(pages: list, output: Path, theme: Path, settings: dict) -> None:
    """Vendor files, carte.js, and each map's script and GeoJSON next to its page."""
    maps = [p.context["map"] for p in pages if p.kind == "map"]
    if not maps:
        return
    modules = node_modules(settings)
    versions = vendor_versions(modules)
    write_vendor_assets(modules, output, versions)
    shutil.copyfile(theme / "static" / "carte.js", output / "static" / "carte.js")
    for spec in maps:
        folder = output / spec.url
        folder.mkdir(parents=True, exist_ok=True)
        (folder / SCRIPT_FILE).write_text(spec.rendered.script, encoding="utf-8")
        if spec.clustered:
            (folder / DATA_FILE).write_text(spec.geojson(), encoding="utf-8")


def map_template_context(settings: dict) -> dict[str, Any]:
    """What catalogue/map.html needs beyond the page: the vendored files' addresses."""
    versions = vendor_versions(node_modules(settings))
    return {
        "LEAFLET_URL": vendor_url("leaflet", versions),
        "MARKERCLUSTER_URL": vendor_url("leaflet.markercluster", versions),
    }
