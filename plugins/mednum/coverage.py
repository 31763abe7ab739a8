"""Where help is missing, and for how many people: coverage indicators of the catalogue.

Computed once per build from the validated catalogue (``compute(catalogue)``), for the
committee that steers digital inclusion in the département, and published as open data
(``exports/coverage_csv.py``). Nothing here is specific to one département: the communes,
the EPCI and the département's name come from the reference data.

**Kinds of help** (``KINDS``, in this order): any help point; free one-to-one help; France
Services; Pass numérique accepted; open on Saturday; step-free entrance. A stop of an
itinerant service qualifies by the properties of its service, except for Saturday, where
the stop's own opening hours count (the service's when the stop has none).

**Points of help.** Each help point counts at the coordinates of its address; a help point
without coordinates counts at its commune's centre. Each stop of an itinerant service
counts at its own coordinates; a stop without coordinates counts at its commune's centre
too (the same rule as for places, so that a commune with a stop is never farther from it
than its neighbours are).

**Distances** are measured from ``MEASURED_FROM``: the commune's centre (its latitude and
longitude in the reference data), as the crow flies (haversine). The reference data has no
population-weighted point, so the figure is the distance for someone living at the centre.
A commune is at 0 km of a kind of help when a qualifying place has its address in the
commune or a qualifying stop is in the commune; otherwise at the distance to the nearest
qualifying point anywhere, or ``None`` when no point qualifies at all.

**Saturday**: open at some time on one of the ``WEEKS`` Saturdays from the build date on
(``Schedule.intervals_on``), read as ordinary Saturdays (public holidays aside: a « PH off »
rule does not close a Saturday here, a « PH » opening does not open one).

**Sessions nearby**: sessions not cancelled, starting on the build date or later and before
the build date plus ``WEEKS`` weeks, of the workshops located within ``SESSIONS_KM`` of the
commune's centre (a workshop is located at its help point, else at its own address, else at
its commune's centre: ``nearby.workshop_point``).

**Territories** (each EPCI, and the département): population (a commune without population
counts 0), the population within each distance of ``THRESHOLDS_KM`` (0 km included) and its
share, help points per 10,000 inhabitants (places with their address in the territory), the
communes farther than ``FAR_KM`` from any help (kind ``tout``; a commune with no help
anywhere counts as far), the share of its records (help points) checked in the last
``CHECKED_MONTHS`` months (the rule of ``Site.stale`` with 12 months, the default of
``CATALOGUE_STALE_MONTHS``: the same as ``not site.stale`` unless a catalogue sets another
delay, and then still the 12 months the published figure says) and the mean completeness of
its records from the freshness report (``freshness.build_report``).

Scales to national size (35,000 communes, 25,000 places): for each kind, the qualifying
points go into a ``GridIndex`` and each commune searches growing circles until one holds a
point; never communes × places. Outputs are sorted (communes and EPCI by code), so that two
runs give the same objects in the same order.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .checks import months_before
from .french import slugify
from .freshness import FreshnessReport, build_report
from .geo import KM_PER_DEGREE, haversine_km
from .model import Catalogue, Site, Stop, is_stale
from .nearby import CELL_DEGREES, GridIndex, workshop_point
from .opening_hours import Schedule
from .pagekeys import NOT_RENDERED
from .reference import Commune, Department

MEASURED_FROM = "centre de la commune"  # the point distances start from; pages say which
THRESHOLDS_KM = (5, 10, 15, 20)
FAR_KM = 15  # a commune farther than this from any help is listed as far
WEEKS = 8  # Saturdays looked at, sessions counted: this many weeks from the build date
SESSIONS_KM = 10.0
CHECKED_MONTHS = 12  # « checked recently »: the catalogue's default CATALOGUE_STALE_MONTHS
FIRST_RADIUS_KM = 5.0  # the first circle searched around a commune; then doubled
MIN_CELL_DEGREES = 0.05  # the grid's cells for the densest points (about 5.5 km)
WALK_DEGREES = 0.1  # the bands of the walk over the communes (_distances)
SATURDAY = 5  # date.weekday()


@dataclass(frozen=True)
class HelpPoint:
    """A place at its address, or one stop of an itinerant service (``stop`` set)."""

    site: Site
    stop: Stop | None
    commune: Commune  # the place's commune, or the stop's
    latitude: float
    longitude: float
    at_centre: bool  # no coordinates: counted at its commune's centre
    schedule: Schedule | None  # the stop's hours if it has some, else the place's


@dataclass(frozen=True)
class Kind:
    """A kind of help; ``test(point, saturdays)`` tells whether a point offers it."""

    slug: str
    label: str
    # Code, which the environment key covers: left out of page keys, which cannot read functions
    # (what it finds is in the coverage's figures).
    test: Callable[[HelpPoint, Sequence[dt.date]], bool] = field(metadata=NOT_RENDERED)


def _any(_point: HelpPoint, _saturdays: Sequence[dt.date]) -> bool:
    return True


def _free_individual(point: HelpPoint, _saturdays: Sequence[dt.date]) -> bool:
    site = point.site
    return site.free and "Accompagnement individuel" in (site.get("modalites_accompagnement") or [])


def is_france_services(site: Site) -> bool:
    """Typology « RFS », or the national programme « France Services » (as the importers and
    the data·inclusion export recognise them)."""
    return "RFS" in (site.get("typologie") or []) or "France Services" in (
        site.get("dispositif_programmes_nationaux") or []
    )


def _france_services(point: HelpPoint, _saturdays: Sequence[dt.date]) -> bool:
    return is_france_services(point.site)


def _pass_numerique(point: HelpPoint, _saturdays: Sequence[dt.date]) -> bool:
    return point.site.pass_numerique


def _saturday(point: HelpPoint, saturdays: Sequence[dt.date]) -> bool:
    return point.schedule is not None and _open_on_any(point.schedule, tuple(saturdays))


@lru_cache(maxsize=4096)
def _open_on_any(schedule: Schedule, days: tuple[dt.date, ...]) -> bool:
    """Open at some time on one of ``days`` (many places share their hours: asked once)."""
    return any(schedule.intervals_on(day) for day in days)


def _step_free(point: HelpPoint, _saturdays: Sequence[dt.date]) -> bool:
    return point.site.step_free


KINDS: tuple[Kind, ...] = (
    Kind("tout", "Tout lieu d'aide ou arrêt d'un service itinérant", _any),
    Kind("accompagnement-gratuit", "Accompagnement individuel gratuit", _free_individual),
    Kind("france-services", "France Services", _france_services),
    Kind("pass-numerique", "Accepte le Pass numérique", _pass_numerique),
    Kind("samedi", "Ouvert le samedi", _saturday),
    Kind("sans-marche", "Entrée sans marche", _step_free),
)
ANY = KINDS[0].slug


@dataclass(frozen=True)
class CommuneCoverage:
    code: str  # INSEE code
    name: str
    slug: str
    population: int | None
    epci_code: str | None
    measured_from: str  # MEASURED_FROM
    latitude: float  # the point measured from
    longitude: float
    distance_km: dict[str, float | None]  # kind slug → km (0.0: help in the commune; None: none anywhere)
    places: int  # help points with their address in the commune
    stops: int  # stops of itinerant services in the commune
    sessions: int  # upcoming sessions (WEEKS weeks) of workshops within SESSIONS_KM of the centre


@dataclass(frozen=True)
class FarCommune:
    code: str
    name: str
    population: int | None
    distance_km: float | None  # to the nearest help of any kind; None: no help anywhere


@dataclass(frozen=True)
class TerritoryCoverage:
    code: str  # SIREN of the EPCI, or the département's code
    level: str  # "epci" or "departement"
    name: str
    slug: str | None  # the EPCI's (its page's); None for the département
    population: int  # sum over its communes, a commune without population counting 0
    communes: int  # number of communes
    population_within: dict[str, dict[int, int]]  # kind slug → threshold km → inhabitants at ≤ km
    share_within: dict[str, dict[int, float]]  # the same as a share of the population, 0 to 1
    places: int  # help points with their address in the territory
    places_per_10000: float | None  # None when the population is 0
    far_communes: tuple[FarCommune, ...]  # farther than FAR_KM from any help, farthest first
    far_population: int
    checked_share: float | None  # share of its help points checked in the last 12 months; None: none
    completeness: int | None  # mean completeness of its records, percent (freshness report)


@dataclass(frozen=True)
class Coverage:
    build_date: dt.date
    reference_department: Department  # names for texts: .name, .in_, .of
    kinds: tuple[Kind, ...]
    thresholds: tuple[int, ...]
    far_km: int
    weeks: int
    sessions_km: float
    checked_months: int
    measured_from: str
    communes: dict[str, CommuneCoverage]  # by INSEE code, sorted
    epcis: dict[str, TerritoryCoverage]  # by SIREN, sorted
    department: TerritoryCoverage

    @property
    def territories(self) -> tuple[TerritoryCoverage, ...]:
        """The département, then each EPCI by code."""
        return (self.department, *self.epcis.values())

    def kind(self, slug: str) -> Kind:
        return next(k for k in self.kinds if k.slug == slug)


def saturdays(start: dt.date, weeks: int = WEEKS) -> tuple[dt.date, ...]:
    """The Saturdays from ``start`` (included) to ``start`` + ``weeks`` weeks (excluded)."""
    first = start + dt.timedelta(days=(SATURDAY - start.weekday()) % 7)
    return tuple(first + dt.timedelta(weeks=n) for n in range(weeks))


def help_points(catalogue: Catalogue) -> list[HelpPoint]:
    """Every place at its address, each followed by its stops, in the catalogue's order."""
    points = []
    for site in catalogue.sites:
        coordinates = site.coordinates
        points.append(
            HelpPoint(
                site,
                None,
                site.commune,
                *(coordinates or (site.commune.latitude, site.commune.longitude)),
                at_centre=coordinates is None,
                schedule=site.schedule,
            )
        )
        for stop in site.stops:
            located = stop.latitude is not None and stop.longitude is not None
            points.append(
                HelpPoint(
                    site,
                    stop,
                    stop.commune,
                    stop.latitude if located else stop.commune.latitude,
                    stop.longitude if located else stop.commune.longitude,
                    at_centre=not located,
                    schedule=stop.schedule or site.schedule,
                )
            )
    return points


class _Nearest:
    """The nearest of some points, found in growing circles over a grid index.

    The grid's cells are sized to the points' density (a sparse kind of help gets larger
    cells), and when a circle would cover more cells than there are points, the points are
    measured one by one instead: a commune never costs more than a full scan of the points.
    Once a circle holds a point, its nearest one is the nearest of all (every point outside
    the circle is farther).
    """

    def __init__(self, points: list[tuple[float, float, int]]):
        self.points = points  # (lat, lon, number of the help point)
        self.cell = _cell_size(points)
        self.index = GridIndex(points, cell=self.cell)

    def distance(self, lat: float, lon: float, km: float = FIRST_RADIUS_KM) -> float | None:
        """Distance to the nearest point, searched from a circle of ``km`` on; None without points."""
        if not self.points:
            return None
        while self._cells(lat, km) <= len(self.points):
            found = self.index.within(lat, lon, km)
            if found:
                return min(distance for distance, _, _ in found)
            km *= 2
        return min(haversine_km(lat, lon, plat, plon) for plat, plon, _ in self.points)

    def _cells(self, lat: float, km: float) -> float:
        """About how many cells GridIndex.within scans for a circle of ``km`` around ``lat``."""
        dlat = km / KM_PER_DEGREE
        edge = min(89.0, abs(lat) + dlat)
        dlon = km / (KM_PER_DEGREE * math.cos(math.radians(edge)))
        return (2 * dlat / self.cell + 2) * (2 * dlon / self.cell + 2)


def _distances(
    communes: list[Commune], points: list[HelpPoint], days: Sequence[dt.date]
) -> dict[str, dict[str, float | None]]:
    """Commune code → kind slug → distance in km (0.0: help in the commune; None: none at all).

    Communes are measured in a walk over the map, band by band (neighbours one after the other
    query the same cells, which stay in the processor's caches: a quarter faster at national
    size than in the order of their codes); the result does not depend on that order.
    """
    walk = sorted(communes, key=_walk_key)
    result: dict[str, dict[str, float | None]] = {c.code_insee: {} for c in communes}
    for kind in KINDS:
        qualifying = [p for p in points if kind.test(p, days)]
        present = {p.commune.code_insee for p in qualifying}
        nearest = _Nearest([(p.latitude, p.longitude, n) for n, p in enumerate(qualifying)])
        for commune in walk:
            result[commune.code_insee][kind.slug] = (
                0.0
                if commune.code_insee in present
                else nearest.distance(commune.latitude, commune.longitude)
            )
    return result


def _walk_key(commune: Commune) -> tuple[int, float, str]:
    """Bands of WALK_DEGREES of latitude, west to east and east to west in turn."""
    band = math.floor(commune.latitude / WALK_DEGREES)
    return (band, commune.longitude if band % 2 == 0 else -commune.longitude, commune.code_insee)


def _cell_size(points: list[tuple[float, float, int]]) -> float:
    """Cells holding about two points each on average, if the points were spread evenly."""
    if len(points) < 2:
        return CELL_DEGREES
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    area = max(max(lats) - min(lats), CELL_DEGREES) * max(max(lons) - min(lons), CELL_DEGREES)
    return min(max(1.5 * math.sqrt(area / len(points)), MIN_CELL_DEGREES), 10.0)


def _upcoming_counts(catalogue: Catalogue, weeks: int) -> list[tuple[float, float, int]]:
    """(lat, lon, sessions) of the workshops with sessions in the coming ``weeks`` weeks."""
    start = catalogue.build_date
    end = start + dt.timedelta(weeks=weeks)
    counted = []
    for workshop in catalogue.workshops:
        n = sum(1 for s in workshop.sessions if not s.cancelled and start <= s.start.date() < end)
        if n:
            counted.append((*workshop_point(workshop), n))
    return counted


def _far_key(far: FarCommune) -> tuple:
    distance = math.inf if far.distance_km is None else far.distance_km
    return (-distance, slugify(far.name).replace("-", " "), far.name, far.code)


def _territory(
    code: str,
    level: str,
    name: str,
    slug: str | None,
    communes: list[CommuneCoverage],
    sites: list[Site],
    completeness: int | None,
    thresholds: tuple[int, ...],
    checked_limit: dt.date,
) -> TerritoryCoverage:
    population = sum(c.population or 0 for c in communes)
    within: dict[str, dict[int, int]] = {}
    shares: dict[str, dict[int, float]] = {}
    for kind in KINDS:
        # Inhabitants by the first threshold their commune is within, then summed up the thresholds.
        bands = [0] * (len(thresholds) + 1)
        for c in communes:
            distance = c.distance_km[kind.slug]
            if distance is not None:
                bands[bisect_left(thresholds, distance)] += c.population or 0
        within[kind.slug] = dict(zip(thresholds, itertools.accumulate(bands[:-1]), strict=True))
        shares[kind.slug] = {
            km: (n / population if population else 0.0) for km, n in within[kind.slug].items()
        }
    far = sorted(
        (
            FarCommune(c.code, c.name, c.population, c.distance_km[ANY])
            for c in communes
            if c.distance_km[ANY] is None or c.distance_km[ANY] > FAR_KM
        ),
        key=_far_key,
    )
    return TerritoryCoverage(
        code=code,
        level=level,
        name=name,
        slug=slug,
        population=population,
        communes=len(communes),
        population_within=within,
        share_within=shares,
        places=len(sites),
        places_per_10000=len(sites) * 10_000 / population if population else None,
        far_communes=tuple(far),
        far_population=sum(f.population or 0 for f in far),
        checked_share=(
            sum(1 for s in sites if not is_stale(s.updated, checked_limit)) / len(sites) if sites else None
        ),
        completeness=completeness,
    )


def compute(catalogue: Catalogue, report: FreshnessReport | None = None) -> Coverage:
    """The coverage indicators of ``catalogue`` at its build date.

    ``report``: the freshness report of the same catalogue and date, when the build has one
    already (else it is built here, for the completeness figures).
    """
    ref = catalogue.reference
    day = catalogue.build_date
    days = saturdays(day, WEEKS)
    points = help_points(catalogue)
    communes = [ref.communes[code] for code in sorted(ref.communes)]

    distances = _distances(communes, points, days)

    places = Counter(site.commune.code_insee for site in catalogue.sites)
    stops = Counter(stop.commune.code_insee for site in catalogue.sites for stop in site.stops)
    workshops = GridIndex(_upcoming_counts(catalogue, WEEKS))
    by_code: dict[str, CommuneCoverage] = {}
    for commune in communes:
        code = commune.code_insee
        nearby_sessions = workshops.within(commune.latitude, commune.longitude, SESSIONS_KM)
        by_code[code] = CommuneCoverage(
            code=code,
            name=commune.nom,
            slug=commune.slug,
            population=commune.population,
            epci_code=commune.epci_code,
            measured_from=MEASURED_FROM,
            latitude=commune.latitude,
            longitude=commune.longitude,
            distance_km=distances[code],
            places=places[code],
            stops=stops[code],
            sessions=sum(n for _, _, n in nearby_sessions),
        )

    if report is None:
        report = build_report(catalogue, day)
    checked_limit = months_before(day, CHECKED_MONTHS)
    completeness = {t.code: t.completeness for t in report.territories if t.code is not None}
    communes_of: dict[str, list[CommuneCoverage]] = defaultdict(list)
    for c in by_code.values():
        if c.epci_code is not None:
            communes_of[c.epci_code].append(c)
    sites_of: dict[str, list[Site]] = defaultdict(list)
    for site in catalogue.sites:
        if site.commune.epci_code is not None:
            sites_of[site.commune.epci_code].append(site)
    epcis = {
        code: _territory(
            code,
            "epci",
            ref.epcis[code].nom,
            ref.epcis[code].slug,
            communes_of.get(code, []),
            sites_of.get(code, []),
            completeness.get(code),
            THRESHOLDS_KM,
            checked_limit,
        )
        for code in sorted(ref.epcis)
    }
    department = _territory(
        ref.department.code,
        "departement",
        ref.department.name,
        None,
        list(by_code.values()),
        list(catalogue.sites),
        report.completeness,
        THRESHOLDS_KM,
        checked_limit,
    )
    return Coverage(
        build_date=day,
        reference_department=ref.department,
        kinds=KINDS,
        thresholds=THRESHOLDS_KM,
        far_km=FAR_KM,
        weeks=WEEKS,
        sessions_km=SESSIONS_KM,
        checked_months=CHECKED_MONTHS,
        measured_from=MEASURED_FROM,
        communes=by_code,
        epcis=epcis,
        department=department,
    )
