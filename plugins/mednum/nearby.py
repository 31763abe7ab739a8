"""What is near each commune: help points and workshops, found through a grid index.

Commune pages, their brochures and their maps list the nearest help points and the
workshops within a few kilometres. Measuring every commune against every place costs
communes × places distances (43 million at ten times Hérault's size, hours at national size);
the grid keeps points in cells of about 20 km, so a query only measures what lies in the
few cells around the commune. Results are the same as a full scan, in the same order.

The answers (ids and distances) are kept in the build cache (``load_answers``,
``save_answers``) for the next build with the same places and workshops where they are:
a record changed but not moved, the most common edit, asks the grid nothing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from . import geo
from .cachefile import read_pickle, write_pickle
from .geo import EARTH_RADIUS_KM, KM_PER_DEGREE, haversine_km
from .model import Catalogue, Site, Workshop
from .reference import Commune

NEAREST_COUNT = 8
NEAREST_MAX_KM = 40.0
NEAREST_STEPS_KM = (5.0, 10.0, 20.0, NEAREST_MAX_KM)  # the circles nearest() tries, in turn
NEARBY_WORKSHOP_KM = 20.0
CELL_DEGREES = 0.2  # about 22 km of latitude

T = TypeVar("T")


class GridIndex(Generic[T]):
    """Items at (lat, lon) points, found by distance from a point."""

    def __init__(self, items: Iterable[tuple[float, float, T]], cell: float = CELL_DEGREES):
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[float, float, int, T]]] = defaultdict(list)
        for order, (lat, lon, item) in enumerate(items):
            self.cells[self._key(lat, lon)].append((lat, lon, order, item))

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self.cell), math.floor(lon / self.cell))

    def within(self, lat: float, lon: float, km: float) -> list[tuple[float, int, T]]:
        """(distance in km, insertion order, item) of the items at most ``km`` away, unsorted."""
        dlat = km / KM_PER_DEGREE
        # Longitude degrees shrink towards the poles: widen the search at the far edge.
        edge = min(89.0, abs(lat) + dlat)
        dlon = km / (KM_PER_DEGREE * math.cos(math.radians(edge)))
        row0, col0 = self._key(lat - dlat, lon - dlon)
        row1, col1 = self._key(lat + dlat, lon + dlon)
        # Points surely farther than km, told apart without the trigonometry of haversine_km
        # (most of the points of the cells around): the great-circle distance is at least
        # the distance along the meridian, and, with both latitudes within ±far, at least
        # 2R·asin(cos(far)·sin(Δlon/2)). Bounds a hair wider than exact: rounding keeps points.
        lat_gap = dlat * (1 + 1e-9)
        far = abs(lat) + dlat
        ratio = math.sin(km / (2 * EARTH_RADIUS_KM)) / math.cos(math.radians(far)) if far < 90 else 2.0
        lon_gap = math.degrees(2 * math.asin(ratio)) * (1 + 1e-9) if ratio < 1 else math.inf
        found = []
        for row in range(row0, row1 + 1):
            for col in range(col0, col1 + 1):
                for plat, plon, order, item in self.cells.get((row, col), ()):
                    if abs(plat - lat) > lat_gap or abs(plon - lon) > lon_gap:
                        continue
                    distance = haversine_km(lat, lon, plat, plon)
                    if distance <= km:
                        found.append((distance, order, item))
        return found


@dataclass(frozen=True)
class Nearby:
    site: Site
    distance_km: float


def workshop_point(workshop: Workshop) -> tuple[float, float]:
    """Where a workshop takes place: its help point, else its own address, else its commune."""
    if workshop.site is not None:
        return workshop.site.coordinates or (workshop.site.commune.latitude, workshop.site.commune.longitude)
    a = workshop.address
    if a.latitude is not None:
        return (a.latitude, a.longitude)
    return (a.commune.latitude, a.commune.longitude)


class Neighbourhood:
    """The indexes of one catalogue, built once and queried for each commune.

    ``known``: answers of an earlier build with the same inputs (``load_answers``), by
    question; ``asked`` holds this build's, and ``new`` says whether any had to be found.
    """

    def __init__(self, catalogue: Catalogue, known: dict | None = None):
        self.catalogue = catalogue
        self.order = {id(w): i for i, w in enumerate(catalogue.workshops)}
        self.workshops_by_commune: dict[str, list[Workshop]] = defaultdict(list)
        for w in catalogue.workshops:
            self.workshops_by_commune[w.commune.code_insee].append(w)
        self.known = known or {}
        self.asked: dict[tuple, tuple] = {}
        self.new = False

    @functools.cached_property
    def sites(self) -> GridIndex[Site]:
        return GridIndex((*s.coordinates, s) for s in self.catalogue.sites if s.coordinates)

    @functools.cached_property
    def workshops(self) -> GridIndex[Workshop]:
        return GridIndex((*workshop_point(w), w) for w in self.catalogue.workshops)

    @functools.cached_property
    def sites_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.catalogue.sites}

    def _answer(self, question: tuple, find) -> tuple:
        answer = self.asked.get(question)
        if answer is None:
            answer = self.known.get(question)
            if answer is None:
                answer = find()
                self.new = True
            self.asked[question] = answer
        return answer

    def nearest(self, commune: Commune, exclude: set[str]) -> list[Nearby]:
        """The closest help points within NEAREST_MAX_KM, but those in ``exclude`` (ids)."""
        question = ("nearest", commune.code_insee, commune.latitude, commune.longitude, *sorted(exclude))
        answer = self._answer(
            question, lambda: tuple((n.site.id, n.distance_km) for n in self._nearest(commune, exclude))
        )
        return [Nearby(self.sites_by_id[site], distance) for site, distance in answer]

    def _nearest(self, commune: Commune, exclude: set[str]) -> list[Nearby]:
        """Searched in growing circles: once one holds NEAREST_COUNT places, they are the
        nearest of all (every place outside is farther), so a town among many help points
        measures a few cells instead of all those within 40 km."""
        for km in NEAREST_STEPS_KM:
            found = [
                (distance, site.id, site)
                for distance, _, site in self.sites.within(commune.latitude, commune.longitude, km)
                if site.id not in exclude
            ]
            if len(found) >= NEAREST_COUNT:
                break
        found.sort(key=lambda f: (f[0], f[1]))
        return [Nearby(site, distance) for distance, _, site in found[:NEAREST_COUNT]]

    def workshops_near(self, commune: Commune) -> list[Workshop]:
        """Workshops in the commune or within NEARBY_WORKSHOP_KM, in the catalogue's order."""
        question = ("workshops", commune.code_insee, commune.latitude, commune.longitude)
        answer = self._answer(question, lambda: self._workshops_near(commune))
        return [self.catalogue.workshops[i] for i in answer]

    def _workshops_near(self, commune: Commune) -> tuple[int, ...]:
        near = {id(w): w for w in self.workshops_by_commune.get(commune.code_insee, ())}
        for _, _, w in self.workshops.within(commune.latitude, commune.longitude, NEARBY_WORKSHOP_KM):
            near[id(w)] = w
        return tuple(sorted(self.order[key] for key in near))


ANSWERS = "nearby"  # in the build cache: nearby-<inputs>.pickle


def inputs_key(catalogue: Catalogue) -> str:
    """What the answers depend on besides the question (a commune, its position, the places
    left out): the places and the workshops with where they are, in order, and this code."""
    digest = hashlib.sha256()
    for module in (sys.modules[__name__], geo):
        with open(module.__file__, "rb") as handle:
            digest.update(handle.read())
    digest.update(repr([(s.id, s.coordinates) for s in catalogue.sites]).encode())
    digest.update(
        repr([(w.id, workshop_point(w), w.commune.code_insee) for w in catalogue.workshops]).encode()
    )
    return digest.hexdigest()


def load_answers(cache: Path, catalogue: Catalogue) -> tuple[Path, dict]:
    """The file of the answers for ``catalogue``'s inputs, and the answers it holds (none if it
    cannot be read)."""
    path = cache / f"{ANSWERS}-{inputs_key(catalogue)}.pickle"
    answers = read_pickle(path)
    return path, answers if isinstance(answers, dict) else {}


def save_answers(path: Path, around: Neighbourhood) -> None:
    """This build's answers for the next one, if any was new or some are no longer asked; the
    answers of other inputs are removed."""
    if not around.new and len(around.asked) == len(around.known):
        return
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_pickle(path, around.asked)
        for older in path.parent.glob(f"{ANSWERS}-*.pickle"):
            if older != path:
                older.unlink(missing_ok=True)
