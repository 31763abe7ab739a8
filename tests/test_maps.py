"""Maps: the pages, their files, Folium reshaped (no CDN, no zoom lock, stable ids), settings."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import DEMO_CONF, ROOT, demo_options
from mednum import maps
from mednum.build import build_site

BUILD_DATE = "2026-11-23"
FORBIDDEN = re.compile(
    r"cdn|jquery|bootstrap|fontawesome|font-awesome|awesome-markers|glyphicons|unpkg", re.I
)


@pytest.fixture(scope="module")
def built(demo_site) -> Path:
    return demo_site


@pytest.fixture(scope="module")
def catalogue():
    import datetime as dt

    from mednum.catalogue import load_catalogue

    options = demo_options(dt.date.fromisoformat(BUILD_DATE))
    catalogue, report = load_catalogue(options)
    assert catalogue is not None, report.text()
    return catalogue


def map_pages(site: Path) -> list[Path]:
    return sorted(site.glob("carte/**/index.html"))


def test_map_pages_exist_for_the_departement_epcis_communes_and_places(built, catalogue):
    pages = {str(p.parent.relative_to(built)) for p in map_pages(built)}
    assert "carte" in pages
    for epci in sorted(built.glob("territoires/*/index.html")):
        linked = "mn-map-link" in epci.read_text(encoding="utf-8")
        assert linked == (f"carte/territoires/{epci.parent.name}" in pages), epci
    assert sum(p.startswith("carte/territoires/") for p in pages) >= 16  # one EPCI has no place yet
    assert "carte/communes/lodeve" in pages
    with_points = [s for s in catalogue.sites if s.coordinates or any(st.latitude for st in s.stops)]
    assert sum(p.startswith("carte/lieux/") for p in pages) == len(with_points)
    print(f"\n{len(pages)} map pages")


def test_department_geojson_has_one_marker_per_help_point_with_coordinates(built, catalogue):
    data = json.loads((built / "carte" / "lieux.geojson").read_text(encoding="utf-8"))
    expected = {f"lieux/{s.id}/" for s in catalogue.sites if s.coordinates}
    assert {f["properties"]["url"] for f in data["features"]} == expected
    assert len(data["features"]) == len(expected)
    raw = (built / "carte" / "lieux.geojson").read_bytes()
    print(f"\nlieux.geojson: {len(raw)} B, {len(gzip.compress(raw, 9, mtime=0))} B gzip")
    assert "lieux.geojson" not in (built / "carte" / "index.html").read_text(encoding="utf-8")
    assert '"/carte/lieux.geojson"' in (built / "carte" / "map.js").read_text(encoding="utf-8")


def inline_places(script: str) -> list[dict]:
    """The GeoJSON features a map.js gives mnPlaces inline (maps other than the big ones)."""
    match = re.search(r"^mnPlaces\(map_\w+, (\{.*\}), (?:true|false)\);$", script, re.M)
    assert match, script[-500:]
    return json.loads(match.group(1))["features"]


def test_itinerant_service_map_shows_its_stops(built, catalogue):
    bus = next(s for s in catalogue.sites if s.itinerant and len(s.stops) > 1)
    script = (built / "carte" / "lieux" / bus.id / "map.js").read_text(encoding="utf-8")
    stops = [st for st in bus.stops if st.latitude is not None]
    features = inline_places(script)
    assert len(features) == len(stops) + (1 if bus.coordinates else 0)
    where = {tuple(f["geometry"]["coordinates"]) for f in features}
    for stop in stops:
        assert (round(stop.longitude, 6), round(stop.latitude, 6)) in where
    details = [f["properties"].get("detail", "") for f in features]
    assert sum(d.startswith("Arrêt du service itinérant : ") for d in details) == len(stops)


def test_map_pages_load_nothing_from_elsewhere_and_allow_zoom(built):
    problems = []
    for page in map_pages(built):
        html = page.read_text(encoding="utf-8")
        script = (page.parent / "map.js").read_text(encoding="utf-8")
        where = page.relative_to(built)
        if FORBIDDEN.search(html + script):
            problems.append(f"{where}: {FORBIDDEN.search(html + script).group()}")
        if re.search(r"user-scalable|maximum-scale", html):
            problems.append(f"{where}: zoom locked")
        if '<html lang="fr">' not in html or "<main" not in html or html.count("<h1>") != 1:
            problems.append(f"{where}: lang, main or h1 missing")
        if not re.search(r'<a href="/[^"]*" target="_top">Voir ', html):
            problems.append(f"{where}: no link back to the list")
        if "<script>" in html or re.search(r"<script(?![^>]*\bsrc=)", html):
            problems.append(f"{where}: inline script")
        for src in re.findall(r'(?:src|href)="([^"]+)"', html):
            if src.startswith(("http:", "https:", "//")):
                problems.append(f"{where}: external {src}")
            elif src.startswith("/") and src != "/":
                local = built / src.lstrip("/").split("#")[0]
                if not local.exists() and not (local / "index.html").exists():
                    problems.append(f"{where}: missing {src}")
        hosts = set(re.findall(r"https?://([^/\"'\s?]+)", script))
        if hosts - {"data.geopf.fr", "leafletjs.com"}:
            problems.append(f"{where}: script names {hosts}")
    assert not problems, "\n".join(problems[:50])


def test_markers_are_keyboard_usable_with_a_name(built):
    features = inline_places((built / "carte" / "communes" / "lodeve" / "map.js").read_text(encoding="utf-8"))
    assert features
    for f in features:  # the marker's name is « nom, commune »
        assert f["properties"]["nom"].strip() and f["properties"]["commune"].strip(), f
        assert f["properties"]["url"].startswith("lieux/"), f


def test_vendor_files_come_from_npm_with_their_licence(built):
    leaflet = built / "static" / "vendor" / "leaflet-1.9.4"
    cluster = built / "static" / "vendor" / "leaflet.markercluster-1.5.3"
    for path in ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png"):
        assert (leaflet / path).is_file(), path
    for path in (
        "leaflet.markercluster.js",
        "MarkerCluster.css",
        "MarkerCluster.Default.css",
        "MIT-LICENCE.txt",
    ):
        assert (cluster / path).is_file(), path
    npm = ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.js"
    assert (leaflet / "leaflet.js").read_text(encoding="utf-8").strip() == re.sub(
        r"//# sourceMappingURL=\S+\s*$", "", npm.read_text(encoding="utf-8")
    ).strip()
    assert (built / "static" / "carte.js").is_file()
    assert (built / "static" / "carte-leaflet.js").read_bytes() == (
        ROOT / "theme" / "static" / "carte-leaflet.js"
    ).read_bytes()


def test_pages_link_to_their_map(built):
    commune = (built / "communes" / "lodeve" / "index.html").read_text(encoding="utf-8")
    assert '<a class="mn-map-link" href="/carte/communes/lodeve/"' in commune
    assert '<script src="/static/carte.js" defer></script>' in commune
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="/carte/"' in home
    # A page without a map has neither the link nor the script.
    need = (built / "besoins" / "demarches-en-ligne" / "index.html").read_text(encoding="utf-8")
    assert "carte.js" not in need and "mn-map-link" not in need


def test_ids_are_deterministic_and_the_generator_is_restored():
    from branca.element import Element

    before = Element.__dict__["_generate_id"]
    with maps.deterministic_ids("a"):
        first = [Element()._id for _ in range(3)]
    with maps.deterministic_ids("a"):
        again = [Element()._id for _ in range(3)]
    with maps.deterministic_ids("b"):
        other = Element()._id
    assert first == again and len(set(first)) == 3 and other != first[0]
    assert Element.__dict__["_generate_id"] is before
    assert len({Element()._id, Element()._id}) == 2  # random again outside

    with pytest.raises(RuntimeError), maps.deterministic_ids("c"):
        raise RuntimeError
    assert Element.__dict__["_generate_id"] is before


def test_same_map_renders_the_same_twice(catalogue):
    tiles = maps.tiles_from_settings({})
    points = maps.department_points(catalogue)[:5]
    one = maps.render_map(maps.MapSpec("carte/x/", "X", "", "Voir", points, tiles))
    two = maps.render_map(maps.MapSpec("carte/x/", "X", "", "Voir", points, tiles))
    assert one == two


def forget_frames() -> None:
    """The frames this process made or prepared (``maps._frame``, ``maps.prepare_frames``)."""
    maps._frames.clear()


def test_frames_are_made_before_the_rendering_and_kept_in_the_build_cache(catalogue, tmp_path, monkeypatch):
    """``prepare_frames`` makes the frames of the plan's maps once (before the rendering
    processes are forked) and keeps them in the build cache: the next build renders its maps
    without Folium. Frames of another version of the code or of Folium are removed."""
    import types

    import folium

    tiles = maps.tiles_from_settings({})
    points = maps.department_points(catalogue)
    specs = [
        maps.MapSpec("carte/a/", "A", "", "Voir", points[:3], tiles),
        maps.MapSpec("carte/b/", "B", "", "Voir", points[:1], tiles, center=(43.6, 3.3)),
        maps.MapSpec("carte/c/", "C", "", "Voir", points, tiles, clustered=True),
    ]
    pages = [types.SimpleNamespace(kind="map", context={"map": spec}) for spec in specs]
    pages.append(types.SimpleNamespace(kind="site", context={}))
    (tmp_path / f"{maps.FRAMES}-0000000000000000.pickle").write_bytes(b"older")
    forget_frames()
    expected = [maps.render_map(spec) for spec in specs]
    forget_frames()
    maps.prepare_frames(pages, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f"{maps.FRAMES}-{maps._frames_key()}.pickle"]
    assert len(maps._frames) == 2  # A and C have the same shape
    forget_frames()
    renders = []
    original = folium.Map.render
    monkeypatch.setattr(folium.Map, "render", lambda self, **kw: renders.append(1) or original(self, **kw))
    maps.prepare_frames(pages, tmp_path)
    assert [maps.render_map(spec) for spec in specs] == expected and renders == []
    forget_frames()
    next(tmp_path.iterdir()).write_bytes(b"not a pickle")  # a broken cache: made again
    maps.prepare_frames(pages, tmp_path)
    assert [maps.render_map(spec) for spec in specs] == expected and len(renders) == 2
    forget_frames()


def test_each_map_fills_its_shapes_frame_with_its_own_values(catalogue, monkeypatch):
    """Folium renders a shape of map once; the maps of that shape differ only by their values."""
    import folium

    tiles = maps.tiles_from_settings({})
    points = maps.department_points(catalogue)
    forget_frames()
    renders = []
    original = folium.Map.render
    monkeypatch.setattr(folium.Map, "render", lambda self, **kw: renders.append(1) or original(self, **kw))
    one = maps.render_map(maps.MapSpec("carte/a/", "A", "", "Voir", points[:3], tiles))
    # A title made of the sentinels' text is written as it is, never replaced again.
    hostile = f"{maps.PROTOTYPE_PREFIX} {maps.SENTINEL_TITLE} ${{x}} </script>"
    two = maps.render_map(maps.MapSpec("carte/b/", hostile, "", "Voir", points[3:5], tiles))
    assert len(renders) == 1
    for rendered, spec_points, url in ((one, points[:3], "carte/a/"), (two, points[3:5], "carte/b/")):
        prefix = hashlib.sha256(url.encode()).hexdigest()[:6]
        assert (
            f'id="map_{prefix}0001"' in rendered.div and f"var map_{prefix}0001 = L.map(" in rendered.script
        )
        assert maps.PROTOTYPE_PREFIX not in rendered.div
        coordinates = [f["geometry"]["coordinates"] for f in inline_places(rendered.script)]
        assert coordinates == [[round(p.longitude, 6), round(p.latitude, 6)] for p in spec_points]
        lats, lons = [p.latitude for p in spec_points], [p.longitude for p in spec_points]
        assert json.dumps([[min(lats), min(lons)], [max(lats), max(lons)]]) in rendered.script
        assert str(maps.SENTINEL_CENTER[0]) not in rendered.script
    label = re.search(r"^mnAccessible\(map_\w+, (.*)\);$", two.script, re.M).group(1)
    assert json.loads(label) == hostile and "</script>" not in two.script
    assert one.script.count(maps.PROTOTYPE_PREFIX) == 0 and two.script.count(maps.PROTOTYPE_PREFIX) == 1
    forget_frames()


def test_a_folium_that_no_longer_writes_a_value_fails_in_french(monkeypatch):
    forget_frames()
    monkeypatch.setattr(maps, "_reshape", lambda page, tiles: ("<div></div>", "var map;\n"))
    with pytest.raises(maps.MapError, match="version de Folium"):
        maps.render_map(
            maps.MapSpec(
                "carte/c/",
                "C",
                "",
                "Voir",
                [maps.Point(43.6, 3.3, "x", "y", "lieux/x/")],
                maps.tiles_from_settings({}),
            )
        )
    forget_frames()


def tile_layer(script: str) -> tuple[str, dict]:
    """The URL and the options of the tile layer a map.js adds (Folium writes them as JSON, with
    trailing commas)."""
    match = re.search(r"L\.tileLayer\(\s*(\"[^\"]*\"),\s*(\{.*?\})\s*\);", script, re.S)
    assert match, script
    return json.loads(match.group(1)), json.loads(re.sub(r",\s*\}", "}", match.group(2)))


def test_tile_server_is_a_setting(catalogue):
    points = maps.department_points(catalogue)[:2]
    default = maps.render_map(maps.MapSpec("carte/y/", "Y", "", "Voir", points, maps.tiles_from_settings({})))
    url, options = tile_layer(default.script)
    assert urlsplit(url).hostname == "data.geopf.fr" and all(p in url for p in ("{z}", "{x}", "{y}"))
    assert options["attribution"] == "© IGN" and options["maxZoom"] == 19

    osm = {
        "CATALOGUE_MAP_TILES": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "CATALOGUE_MAP_ATTRIBUTION": "© contributeurs OpenStreetMap",
    }
    rendered = maps.render_map(
        maps.MapSpec("carte/y/", "Y", "", "Voir", points, maps.tiles_from_settings(osm))
    )
    url, options = tile_layer(rendered.script)
    assert url == osm["CATALOGUE_MAP_TILES"]
    assert options["attribution"] == osm["CATALOGUE_MAP_ATTRIBUTION"]
    assert "data.geopf.fr" not in rendered.script and "IGN" not in rendered.script
    with pytest.raises(maps.MapError, match="CATALOGUE_MAP_TILES"):
        maps.tiles_from_settings({"CATALOGUE_MAP_TILES": "http://example.org/tiles.png"})


@pytest.mark.site
def test_bad_tile_setting_fails_the_build_in_french(tmp_path, capsys):
    out = tmp_path / "out"
    code = build_site(
        DEMO_CONF,
        out,
        {"CATALOGUE_BUILD_DATE": BUILD_DATE, "CATALOGUE_MAP_TILES": "https://example.org/tuiles.png"},
    )
    assert code == 1 and not out.exists()
    assert "CATALOGUE_MAP_TILES" in capsys.readouterr().err


@pytest.mark.site
def test_missing_npm_packages_fail_the_build_in_french(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(maps, "node_modules", lambda settings: tmp_path / "nowhere")
    out = tmp_path / "out"
    assert build_site(DEMO_CONF, out, {"CATALOGUE_BUILD_DATE": BUILD_DATE}) == 1
    err = capsys.readouterr().err
    assert "npm ci" in err and not out.exists()
