import math

import pytest

from mednum.geo import Area, distance_to_geometry_km, haversine_km, point_in_geometry, polygons

# A 1°×1° square (lon 3–4, lat 43–44) with a hole (lon 3.4–3.6, lat 43.4–43.6).
SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[3, 43], [4, 43], [4, 44], [3, 44], [3, 43]],
        [[3.4, 43.4], [3.6, 43.4], [3.6, 43.6], [3.4, 43.6], [3.4, 43.4]],
    ],
}
# Longitudes 0–1, latitudes 40–50: tells a [lon, lat] mix-up apart.
TALL = {"type": "Polygon", "coordinates": [[[0, 40], [1, 40], [1, 50], [0, 50], [0, 40]]]}


def test_haversine_montpellier_beziers():
    assert haversine_km(43.6108, 3.8767, 43.3442, 3.2158) == pytest.approx(60, abs=3)


def test_haversine_one_degree_of_latitude():
    assert haversine_km(43, 3, 44, 3) == pytest.approx(111.2, abs=0.1)
    assert haversine_km(43.5, 3.5, 43.5, 3.5) == 0


def test_point_in_polygon_uses_lat_lon_order():
    assert point_in_geometry(45, 0.5, TALL)
    assert not point_in_geometry(0.5, 45, TALL)


def test_point_in_polygon_with_hole():
    assert point_in_geometry(43.2, 3.2, SQUARE_WITH_HOLE)
    assert not point_in_geometry(43.5, 3.5, SQUARE_WITH_HOLE)
    assert not point_in_geometry(42.9, 3.5, SQUARE_WITH_HOLE)


def test_point_in_multipolygon():
    multi = {
        "type": "MultiPolygon",
        "coordinates": [TALL["coordinates"], SQUARE_WITH_HOLE["coordinates"]],
    }
    assert point_in_geometry(45, 0.5, multi)
    assert point_in_geometry(43.2, 3.2, multi)
    assert not point_in_geometry(43.5, 3.5, multi)
    assert not point_in_geometry(43.5, 2, multi)


def test_other_geometry_types_are_rejected():
    with pytest.raises(ValueError):
        point_in_geometry(0, 0, {"type": "Point", "coordinates": [0, 0]})


def test_distance_is_zero_inside():
    assert distance_to_geometry_km(43.2, 3.2, SQUARE_WITH_HOLE) == 0


def test_distance_outside():
    # 0.1° of latitude south of the square.
    assert distance_to_geometry_km(42.9, 3.5, SQUARE_WITH_HOLE) == pytest.approx(11.12, abs=0.05)
    # 0.1° of longitude west, at 43.5°N: shrinks with cos(latitude).
    expected = 11.12 * math.cos(math.radians(43.5))
    assert distance_to_geometry_km(43.5, 2.9, SQUARE_WITH_HOLE) == pytest.approx(expected, abs=0.05)


def test_distance_inside_hole_is_to_the_hole_edge():
    assert distance_to_geometry_km(43.5, 3.5, SQUARE_WITH_HOLE) == pytest.approx(
        0.1 * 111.2 * math.cos(math.radians(43.5)), abs=0.1
    )


def _herault_outline() -> dict:
    import json
    from pathlib import Path

    data = json.loads(
        (Path(__file__).parent.parent / "data/reference/departement.geojson").read_text("utf-8")
    )
    return data.get("geometry") or data["features"][0]["geometry"]


@pytest.mark.parametrize(
    "geometry",
    [
        SQUARE_WITH_HOLE,
        TALL,
        {"type": "MultiPolygon", "coordinates": [TALL["coordinates"], SQUARE_WITH_HOLE["coordinates"]]},
        _herault_outline(),
    ],
    ids=["hole", "tall", "multi", "herault"],
)
def test_prepared_area_answers_like_ray_casting(geometry):
    import random

    area = Area(geometry)
    rng = random.Random(8)
    lats = [p[1] for rings in polygons(geometry) for ring in rings for p in ring]
    lons = [p[0] for rings in polygons(geometry) for ring in rings for p in ring]
    points = [
        (rng.uniform(min(lats) - 0.2, max(lats) + 0.2), rng.uniform(min(lons) - 0.2, max(lons) + 0.2))
        for _ in range(3000)
    ]
    # Vertices and the extreme latitudes themselves: the band edges.
    points += [(lat, lon) for lon, lat in zip(lons, lats, strict=True)][:500]
    points += [(min(lats), sum(lons) / len(lons)), (max(lats), sum(lons) / len(lons))]
    inside = [area.contains(lat, lon) for lat, lon in points]
    assert inside == [point_in_geometry(lat, lon, geometry) for lat, lon in points]
    assert any(inside) and not all(inside)
