"""The grid index behind the nearby places and workshops: the same answers as measuring all."""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

import pytest

from mednum import nearby
from mednum.geo import haversine_km
from mednum.nearby import GridIndex


@pytest.mark.parametrize("km", [0.5, 20.0, 40.0])
@pytest.mark.parametrize("centre", [(43.6, 3.9), (48.8, 2.3), (-21.1, 55.5), (70.0, 25.0), (85.0, 0.0)])
def test_grid_index_finds_what_a_full_scan_finds(centre, km):
    """Its cells and its cheap bounds never drop a point within reach: same points, same distances."""
    rng = random.Random(hash((centre, km)) & 0xFFFF)
    lat0, lon0 = centre
    points = [(lat0 + rng.uniform(-1, 1), lon0 + rng.uniform(-1.5, 1.5)) for _ in range(3000)]
    # Points right at the distance: along the meridian and the parallel.
    points += [(lat0 + sign * km / 111.195, lon0) for sign in (-1, 1)]
    points += [(lat0, lon0 + sign * km / (111.195 * math.cos(math.radians(lat0)))) for sign in (-1, 1)]
    index = GridIndex((lat, lon, n) for n, (lat, lon) in enumerate(points))
    for qlat, qlon in [centre, (lat0 + 0.37, lon0 - 0.41), (lat0 - 0.2, lon0 + 0.2)]:
        expected = sorted(
            (haversine_km(qlat, qlon, lat, lon), n, n)
            for n, (lat, lon) in enumerate(points)
            if haversine_km(qlat, qlon, lat, lon) <= km
        )
        assert sorted(index.within(qlat, qlon, km)) == expected
        assert expected or km < 1


def test_nearest_in_growing_circles_are_the_nearest_of_all():
    """A dense town (8 places within 5 km) and the countryside around (up to 40 km)."""
    rng = random.Random(5)
    sites = [
        SimpleNamespace(id=f"s{n:04d}", coordinates=(43.6 + rng.gauss(0, 0.15), 3.9 + rng.gauss(0, 0.2)))
        for n in range(1500)
    ]
    hood = nearby.Neighbourhood(SimpleNamespace(sites=sites, workshops=[]))
    steps = set()
    for _ in range(300):
        lat, lon = 43.6 + rng.uniform(-0.7, 0.7), 3.9 + rng.uniform(-0.9, 0.9)
        commune = SimpleNamespace(latitude=lat, longitude=lon, code_insee="00000")
        exclude = {s.id for s in rng.sample(sites, 100)}
        measured = sorted(
            (haversine_km(lat, lon, *s.coordinates), s.id) for s in sites if s.id not in exclude
        )
        expected = [(d, i) for d, i in measured if d <= nearby.NEAREST_MAX_KM][: nearby.NEAREST_COUNT]
        assert [(n.distance_km, n.site.id) for n in hood.nearest(commune, exclude)] == expected
        eighth = expected[-1][0] if len(expected) == nearby.NEAREST_COUNT else math.inf
        steps.add(next((km for km in nearby.NEAREST_STEPS_KM if km >= eighth), None))
    assert {5.0, 40.0, None} <= steps  # the first circle sufficed, the last was needed, or even it was not


def test_the_answers_kept_for_the_next_build_give_the_same_plan(demo_catalogue, tmp_path, monkeypatch):
    """The nearest places and the workshops near each commune, kept in the build cache, are
    what the grid finds; the next build with the same places asks the grid nothing, and a
    moved place makes it ask again."""
    from mednum.pages import plan_pages

    def nearness(pages) -> list:
        found = []
        for page in pages:
            for name in ("nearest", "sessions"):
                for item in page.context.get(name) or ():
                    found.append((page.url, name, getattr(item, "site", None) and item.site.id))
                    found.append(getattr(item, "distance_km", None) or id(getattr(item, "workshop", None)))
        return found

    cache = tmp_path / "cache"
    expected = nearness(plan_pages(demo_catalogue, {}))
    assert len(expected) > 50
    assert nearness(plan_pages(demo_catalogue, {}, cache=cache)) == expected
    (kept,) = cache.glob("nearby-*.pickle")
    for finder in ("_nearest", "_workshops_near"):
        monkeypatch.setattr(nearby.Neighbourhood, finder, lambda *a: pytest.fail("asked the grid"))
    assert nearness(plan_pages(demo_catalogue, {}, cache=cache)) == expected
    assert list(cache.glob("nearby-*.pickle")) == [kept]  # nothing new: not written again
    monkeypatch.undo()
    site = next(s for s in demo_catalogue.sites if s.coordinates)
    monkeypatch.setitem(site.record, "latitude", site.coordinates[0] + 0.05)
    asked = []
    real = nearby.Neighbourhood._nearest
    monkeypatch.setattr(nearby.Neighbourhood, "_nearest", lambda *a: asked.append(1) or real(*a))
    plan_pages(demo_catalogue, {}, cache=cache)
    assert asked and [p.name for p in cache.glob("nearby-*.pickle")] != [kept.name]
