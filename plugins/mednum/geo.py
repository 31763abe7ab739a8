"""Small geodesy helpers for GeoJSON (Multi)Polygons, without extra dependencies.

Arguments are always ``(lat, lon)`` while GeoJSON stores ``[lon, lat]``: the
swap happens here, once, so callers never deal with it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180

Ring = Sequence[Sequence[float]]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def polygons(geometry: dict) -> list[list[Ring]]:
    """The polygons (each a list of rings, outer first) of a Polygon or MultiPolygon."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"expected a Polygon or MultiPolygon, got {kind!r}")


def _ring_contains(lat: float, lon: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_geometry(lat: float, lon: float, geometry: dict) -> bool:
    """Ray casting; even-odd over all rings of a polygon, so holes are excluded."""
    for rings in polygons(geometry):
        inside = False
        for ring in rings:
            if _ring_contains(lat, lon, ring):
                inside = not inside
        if inside:
            return True
    return False


class Area:
    """A (Multi)Polygon prepared for many point-in-area tests (one per record of a build).

    The rings' edges are bucketed in horizontal bands of latitude: a point is only tested
    against the edges whose latitude span holds it, which are the only ones a horizontal ray
    can cross. Same even-odd answers as ``point_in_geometry``, without walking the whole
    outline (1,500 vertices for a département) for each of 25,000 places.
    """

    BANDS = 256

    def __init__(self, geometry: dict):
        # Per polygon, per band: the edges (xi, yi, xj, yj) of each ring, rings kept apart so
        # that holes still count once each.
        self._polygons: list[list[list[list[tuple[float, float, float, float]]]]] = []
        lats = [point[1] for rings in polygons(geometry) for ring in rings for point in ring]
        self._south, self._north = min(lats, default=0.0), max(lats, default=0.0)
        self._height = ((self._north - self._south) / self.BANDS) or 1.0
        for rings in polygons(geometry):
            prepared = []
            for ring in rings:
                bands: list[list[tuple[float, float, float, float]]] = [[] for _ in range(self.BANDS)]
                j = len(ring) - 1
                for i in range(len(ring)):
                    xi, yi, xj, yj = ring[i][0], ring[i][1], ring[j][0], ring[j][1]
                    j = i
                    if yi == yj:  # horizontal: never crossed by a horizontal ray
                        continue
                    low, high = self._band(min(yi, yj)), self._band(max(yi, yj))
                    for band in range(max(low, 0), min(high, self.BANDS - 1) + 1):
                        bands[band].append((xi, yi, xj, yj))
                prepared.append(bands)
            self._polygons.append(prepared)

    def _band(self, lat: float) -> int:
        return math.floor((lat - self._south) / self._height)

    def contains(self, lat: float, lon: float) -> bool:
        if not self._south <= lat < self._north:  # no edge spans it
            return False
        band = min(self._band(lat), self.BANDS - 1)  # monotonic, so clamping keeps every edge
        for rings in self._polygons:
            inside = False
            for bands in rings:
                crossings = False
                for xi, yi, xj, yj in bands[band]:
                    if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
                        crossings = not crossings
                if crossings:
                    inside = not inside
            if inside:
                return True
        return False


def _edges(geometry: dict) -> Iterator[tuple[Sequence[float], Sequence[float]]]:
    for rings in polygons(geometry):
        for ring in rings:
            yield from itertools.pairwise(ring)
            if ring and ring[0] != ring[-1]:
                yield ring[-1], ring[0]


def distance_to_geometry_km(lat: float, lon: float, geometry: dict) -> float:
    """0 inside, else the distance to the nearest edge.

    Equirectangular projection centred on the point: at the scale of a
    département the error is far below a metre per kilometre.
    """
    if point_in_geometry(lat, lon, geometry):
        return 0.0
    kx = KM_PER_DEGREE * math.cos(math.radians(lat))
    ky = KM_PER_DEGREE
    best = math.inf
    for a, b in _edges(geometry):
        ax, ay = (a[0] - lon) * kx, (a[1] - lat) * ky
        bx, by = (b[0] - lon) * kx, (b[1] - lat) * ky
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best
