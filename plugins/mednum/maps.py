"""Maps of the help points, drawn with Folium, opened only when a person asks for them.

Each map is a page of its own under ``carte/`` (the département, each EPCI, each commune,
each help point), meant to be shown in an iframe by ``static/carte.js`` when the person
presses « Afficher la carte » and reachable without JavaScript through the same link: on its
own, a page of the site (header, menu, footer: ``catalogue/map.html`` extends ``base.html``);
in the iframe, the map alone. The pages of the catalogue keep their list of places with
addresses: the map is an extra.

What Folium writes is reshaped so that the page stays ours and the build reproducible:

* Folium's header (CDN links to Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers,
  the viewport that locks zoom, inline styles and scripts) is dropped; the page links the
  Leaflet and marker-cluster files copied from ``node_modules`` into ``static/vendor/``
  with their licences (:func:`write_vendor_assets`);
* the map's script goes to a ``map.js`` file next to the page (no inline script); what every
  map calls (French labels for Leaflet's controls, a metric scale, Space on what is announced
  as a button, focus handling for clusters and popups, animations off under
  ``prefers-reduced-motion``, markers from GeoJSON) is in one shared file,
  ``static/carte-leaflet.js``;
* Folium renders each shape of map once, with sentinel values, and each map gets its own
  values in their place (:func:`render_map`): element ids derived from the map's address,
  not random; centre, bounds, title and markers;
* the markers of the big maps (département, EPCI) are in a GeoJSON file next to the page,
  fetched into a markerClusterGroup; the other maps have theirs in their map.js.

Planning (:func:`plan_map_pages`) is pure; Folium renders when the page is written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import urls
from .cachefile import read_pickle, write_pickle
from .french import a_place, de_place, format_phone
from .model import Catalogue, Site
from .page import Addition, Page
from .reference import Commune
from .settings import setting
from .urls import Crumb

MAX_ZOOM = 19
SITE_ZOOM = 16
FIT_MAX_ZOOM = 15
DATA_FILE = "lieux.geojson"
SCRIPT_FILE = "map.js"
HELPERS_FILE = "carte-leaflet.js"  # static/: what every map.js calls
ROOT_URL = urls.MAPS

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
    detail: str = ""  # for a stop of an itinerant service: its address (and when its days are unknown)
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
    points = []
    if site.coordinates and (communes is None or site.commune.code_insee in communes):
        points.append(
            Point(*site.coordinates, site.name, site.commune.nom, urls.site(site), "", site.example)
        )
    for stop in site.stops:
        if stop.latitude is None or stop.longitude is None:
            continue
        if communes is not None and stop.commune.code_insee not in communes:
            continue
        detail = f"Arrêt du service itinérant : {stop.address}"
        if stop.schedule is None:
            detail += f". {stop_days_unknown(site.get('telephone'))}"
        points.append(
            Point(
                stop.latitude,
                stop.longitude,
                site.name,
                stop.commune.nom,
                urls.site(site),
                detail,
                site.example,
            )
        )
    return points


def stop_days_unknown(phone: str | None) -> str:
    """What a popup says of a stop without days or hours: the sentence of the hours component's
    ``stop_days_unknown`` macro (theme/components/hours/macro.html), the phone as plain text."""
    text = "Jours de passage non communiqués : appelez le service avant de vous déplacer"
    return f"{text}, au {format_phone(phone)}." if phone else f"{text}."


def department_points(catalogue: Catalogue) -> list[Point]:
    """One marker per help point with coordinates, at its address."""
    return [
        Point(*s.coordinates, s.name, s.commune.nom, urls.site(s), "", s.example)
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
                Point(*site.coordinates, site.name, site.commune.nom, urls.site(site), "", site.example)
            )
    return points


def plan_map_pages(catalogue: Catalogue, settings: dict, pages: list[Page]) -> Addition:
    """The map pages, and ``map_url`` for the pages that link to a map.

    ``pages`` is the plan so far: the commune, EPCI and help-point pages get ``map_url``
    (their map's site-relative address) when their map has at least one point, and the home
    page gets the département map's.
    """
    tiles = tiles_from_settings(settings)
    specs: list[MapSpec] = []
    by_url: dict[str, MapSpec] = {}

    department = MapSpec(
        ROOT_URL,
        f"Carte des lieux d'aide au numérique {catalogue.reference.department.in_}",
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
            spec = MapSpec(urls.map_of(page.url), title, page.url, label, points, tiles, center=center)
        elif page.kind == "commune":
            commune = page.context["commune"]
            nearest_sites = [n.site for n in page.context["nearest"]]
            points = commune_points(catalogue, commune, nearest_sites)
            title = f"Carte des lieux d'aide au numérique {a_place(commune.nom)} et autour"
            label = f"Voir la liste des lieux {de_place(commune.nom)}, avec leurs adresses"
            spec = MapSpec(urls.map_of(page.url), title, page.url, label, points, tiles)
            spec.extra["around"] = (commune.latitude, commune.longitude)
        elif page.kind == "epci":
            epci = page.context["epci"]
            codes = set(epci.communes)
            points = [p for site in page.context["sites"] for p in site_points(site, codes)]
            title = f"Carte des lieux d'aide au numérique : {epci.nom}"
            label = "Voir la liste des lieux du territoire, avec leurs adresses"
            spec = MapSpec(urls.map_of(page.url), title, page.url, label, points, tiles, clustered=True)
        if spec is not None and spec.points:
            specs.append(spec)
            by_url[page.url] = spec

    # A map page on its own is a page of the site: its breadcrumbs are those of the page with
    # the list of the same places, then that page.
    crumbs_of = {"": [urls.HOME]}
    linked: dict[str, dict[str, Any]] = {}
    for page in pages:
        if page.url in by_url and page.kind in ("home", "site", "commune", "epci"):
            linked[page.url] = {"map_url": by_url[page.url].url, "map_title": by_url[page.url].title}
            if page.url:
                crumbs_of[page.url] = [*page.crumbs, Crumb(page.title, page.url)]

    map_pages = []
    for spec in specs:
        crumbs = crumbs_of.get(spec.back_url) or urls.trail(Crumb(spec.back_label, spec.back_url))
        map_pages.append(
            Page("map", spec.url, "catalogue/map", spec.title, crumbs, {"map": spec}, in_sitemap=False)
        )
    return Addition(map_pages, linked)


# --------------------------------------------------------------------------------------------------
# Rendering with Folium
#
# Every map has the same frame: a Leaflet map, the tile layer, the controls, and the markers
# added by carte-leaflet.js from GeoJSON (in a file for the big maps, in map.js for the others).
# Folium renders that frame once per shape (tiles, fit or centre, clusters or not) with
# sentinel values; each map then gets its own values put in place of the sentinels. A Folium
# render costs about 10 ms a map (30,000 maps at national size), filling a frame 0.05 ms.

PROTOTYPE_PREFIX = "mnproto"  # id prefix of the frames: not hexadecimal, never a real prefix
SENTINEL_CENTER = [-12.345678, -123.456789]
SENTINEL_BOUNDS = [[-21.212121, -121.212121], [-31.313131, -131.313131]]
SENTINEL_TITLE = "mn:sentinel:title"
SENTINEL_SOURCE = "mn:sentinel:source"


@contextlib.contextmanager
def deterministic_ids(seed: str, prefix: str | None = None) -> Iterator[None]:
    """branca element ids from a counter and ``seed`` (or ``prefix``) instead of random bytes.

    The counter lives in this call only: two builds, or two maps, never share state, and
    the original id generator is back when the block ends, even on error. Within the block,
    branca compiles each distinct template string once.
    """
    from branca import element

    counter = itertools.count(1)
    prefix = prefix or hashlib.sha256(seed.encode()).hexdigest()[:6]
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
def _macro_elements():
    from branca.element import MacroElement
    from folium.template import Template

    class Places(MacroElement):
        """The help points, drawn by mnPlaces (carte-leaflet.js) from GeoJSON: a URL or inline."""

        _template = Template(
            """
{% macro script(this, kwargs) %}
mnPlaces({{ this._parent.get_name() }}, {{ this.source|tojson }}, {{ this.grouped|tojson }});
{% endmacro %}
"""
        )

        def __init__(self, source: str, grouped: bool):
            super().__init__()
            self._name = "Places"
            self.source, self.grouped = source, grouped

    class Accessible(MacroElement):
        """French controls, a scale, a name for the map, keyboard and focus (carte-leaflet.js)."""

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

    return Places, Accessible


@dataclass(frozen=True)
class Frame:
    """Folium's div and script of one shape of map, with the sentinels in place of the values."""

    div: str
    script: str
    fit: bool


def _json(value: Any) -> str:
    """What Jinja's ``tojson`` writes (HTML-safe JSON), so a value replaces its sentinel exactly."""
    from jinja2.utils import htmlsafe_json_dumps

    return str(htmlsafe_json_dumps(value))


# This process's frames: made, or taken from the build cache (``prepare_frames``).
_frames: dict[tuple, Frame] = {}
FRAMES = "map-frames"  # in the build cache: map-frames-<what makes them>.pickle


def _frame(tiles: Tiles, fit: bool, grouped: bool, zoom: int) -> Frame:
    args = (tiles, fit, grouped, zoom)
    found = _frames.get(args)
    if found is None:
        found = _frames[args] = _make_frame(*args)
    return found


def _frames_key() -> str:
    """What a map's frame is made from besides its arguments: this code and Folium's packages."""
    from importlib import metadata

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for package in ("folium", "branca", "xyzservices", "jinja2"):
        digest.update(f"\0{package} {metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


def prepare_frames(pages: list, cache: Path | None) -> None:
    """The frames of the maps of ``pages``, made here, before the rendering processes are
    forked, or taken from the build cache: importing Folium and making a frame took each
    rendering process 0.3 s, on the first map page it rendered, in every build that renders one
    (the maps show the places: most changes of a place)."""
    needed = {
        (spec.tiles, spec.center is None, spec.grouped, spec.zoom)
        for spec in (page.context["map"] for page in pages if page.kind == "map")
    }
    path = cache / f"{FRAMES}-{_frames_key()}.pickle" if cache is not None else None
    stored = read_pickle(path) if path is not None else None
    stored = stored if isinstance(stored, dict) else {}
    _frames.update({args: stored[args] for args in needed if args in stored})
    frames = {args: _frame(*args) for args in needed}
    if path is not None and frames != stored:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            write_pickle(path, frames)
            for older in cache.glob(f"{FRAMES}-*.pickle"):
                if older != path:
                    older.unlink(missing_ok=True)


def _make_frame(tiles: Tiles, fit: bool, grouped: bool, zoom: int) -> Frame:
    import folium

    places_cls, accessible_cls = _macro_elements()
    with deterministic_ids("", prefix=PROTOTYPE_PREFIX):
        fmap = folium.Map(
            location=SENTINEL_CENTER,
            zoom_start=zoom,
            tiles=None,
            zoom_control=False,
            max_zoom=tiles.max_zoom,
            control_scale=False,  # mnAccessible adds it, metric only
        )
        folium.TileLayer(
            # A TileProvider, not the URL: Folium would search xyzservices' catalogue for it.
            tiles=tiles.provider(),
            attr=tiles.attribution,
            name="Plan",
            max_zoom=tiles.max_zoom,
            max_native_zoom=tiles.max_zoom,
        ).add_to(fmap)
        accessible_cls(SENTINEL_TITLE).add_to(fmap)
        places_cls(SENTINEL_SOURCE, grouped).add_to(fmap)
        if fit:
            fmap.fit_bounds(SENTINEL_BOUNDS, padding=(24, 24), max_zoom=FIT_MAX_ZOOM)
        page = fmap.get_root().render()
    div, script = _reshape(page, tiles)
    sentinels = [_json(SENTINEL_CENTER), _json(SENTINEL_TITLE), _json(SENTINEL_SOURCE)]
    if fit:
        sentinels.append(_json(SENTINEL_BOUNDS))
    for sentinel in sentinels:
        if script.count(sentinel) != 1:
            raise MapError(
                f"le code de carte produit par Folium n'a plus la forme attendue ({sentinel} "
                f"y est {script.count(sentinel)} fois au lieu d'une : version de Folium ?)"
            )
    return Frame(div, script, fit)


def _bounds(points: list[tuple[float, float]]) -> list[list[float]]:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def render_map(spec: MapSpec) -> RenderedMap:
    """The map's div and map.js: its frame with this map's centre, bounds, title and markers."""
    coordinates = [(p.latitude, p.longitude) for p in spec.points]
    if "around" in spec.extra:
        coordinates.append(spec.extra["around"])
    center = spec.center or (
        (sum(c[0] for c in coordinates) / len(coordinates)),
        (sum(c[1] for c in coordinates) / len(coordinates)),
    )
    frame = _frame(spec.tiles, spec.center is None, spec.grouped, spec.zoom)
    if spec.clustered:
        source: Any = "/" + spec.data_url
    else:
        source = {"type": "FeatureCollection", "features": [p.feature() for p in spec.points]}
    values = {
        _json(SENTINEL_CENTER): _json([round(center[0], 6), round(center[1], 6)]),
        _json(SENTINEL_TITLE): _json(spec.title),
        _json(SENTINEL_SOURCE): _json(source),
        PROTOTYPE_PREFIX: hashlib.sha256(spec.url.encode()).hexdigest()[:6],
    }
    if frame.fit:
        values[_json(SENTINEL_BOUNDS)] = _json(_bounds(coordinates))
    # One pass: a value that happens to contain a sentinel's text is never replaced again.
    pattern = re.compile("|".join(re.escape(k) for k in values))
    fill = lambda text: pattern.sub(lambda m: values[m.group()], text)  # noqa: E731
    return RenderedMap(fill(frame.div), fill(frame.script))


_BODY = re.compile(r"<body>\s*(.*?)\s*</body>", re.S)
_SCRIPT = re.compile(r"</body>\s*<script>\s*(.*?)\s*</script>\s*</html>\s*$", re.S)


def _reshape(page: str, tiles: Tiles) -> tuple[str, str]:
    """Keep the map's div and its script from Folium's page; drop the header."""
    body, script = _BODY.search(page), _SCRIPT.search(page)
    if body is None or script is None:
        raise MapError("la page produite par Folium n'a plus la forme attendue (version de Folium ?)")
    div = body.group(1).strip()
    code = script.group(1).strip()
    code = "\n".join(line.strip() for line in code.splitlines() if line.strip())
    allowed = {tiles.host} | set(re.findall(r"https?://([^/\"']+)", tiles.attribution))
    for host in re.findall(r"https?://([^/\s\"'`)?]+)", code):
        if host not in allowed:
            raise MapError(f"le script des cartes s'adresse à un autre serveur : {host}")
    return div, code + "\n"


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


def write_map_files(
    pages: list, output: Path, theme: Path, settings: dict, cache: Path | None = None
) -> None:
    """The files every map uses: Leaflet and marker-cluster, carte.js and carte-leaflet.js; and
    the maps' frames (``prepare_frames``, ``cache``: the build cache)."""
    if not any(p.kind == "map" for p in pages):
        return
    prepare_frames(pages, cache)
    modules = node_modules(settings)
    versions = vendor_versions(modules)
    write_vendor_assets(modules, output, versions)
    (output / "static").mkdir(parents=True, exist_ok=True)
    for name in ("carte.js", HELPERS_FILE):
        shutil.copyfile(theme / "static" / name, output / "static" / name)


def write_map_script(spec: MapSpec, output: Path) -> None:
    """One map's own files next to its page: map.js and, for the big maps, its GeoJSON."""
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
