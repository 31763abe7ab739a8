"""The pages of « Couverture du territoire »: where help is missing, and for how many people.

Plans, from the indicators of ``coverage`` (computed once a build) and the communes' contours
(``reference.load_contours``), the département's page with its map, one page per kind of help
with its map and every commune's distance, a printable report per EPCI (a PDF beside it with the
brochures), and the coverage section of the EPCI pages (an ``Addition``: context for pages that
``pages.plan_pages`` planned). Each map comes with its legend and a table of the same figures.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from . import urls
from .coverage import ANY, Coverage, Kind, TerritoryCoverage
from .french import capitalize_first, count_fr, format_distance_km
from .page import Addition, Page
from .svgmap import SCALE, MapClass, choropleth
from .urls import HOME, Crumb

PATTERN_ORDER = ("plein", "points", "traits", "traits-serres", "quadrillage", "quadrillage-serre")
NEED_KM = 10  # the EPCI table is ordered by the share of the population farther than this


def class_labels(thresholds: tuple[int, ...]) -> list[str]:
    """« Un lieu dans la commune », « À 5 km ou moins », « De 5 à 10 km »…, « À plus de 20 km, ou aucun »."""
    labels = ["Un lieu dans la commune", f"À {format_distance_km(thresholds[0])} ou moins"]
    labels += [f"De {a} à {format_distance_km(b)}" for a, b in itertools.pairwise(thresholds)]
    return [*labels, f"À plus de {format_distance_km(thresholds[-1])}, ou aucun lieu"]


def distance_class(distance: float | None, thresholds: tuple[int, ...]) -> int:
    """0 (help in the commune), 1 (≤ first threshold) … len(thresholds) + 1 (farther, or none)."""
    if distance is None:
        return len(thresholds) + 1
    if distance == 0:
        return 0
    for index, km in enumerate(thresholds, start=1):
        if distance <= km:
            return index
    return len(thresholds) + 1


@dataclass(frozen=True)
class ClassRow:
    label: str
    communes: int
    population: int
    share: float  # of the population of the map's communes


@dataclass(frozen=True)
class CoverageMap:
    """A map and what goes with it: the SVG (None without contours), its classes with their figures."""

    prefix: str  # ids of its patterns: unique in the page
    title: str
    description: str
    svg: str | None
    classes: tuple[ClassRow, ...]


def coverage_map(
    coverage: Coverage,
    kind: Kind,
    codes: list[str],
    contours: dict[str, dict] | None,
    prefix: str,
    where: str,
) -> CoverageMap:
    """The map of ``kind`` over the communes ``codes`` (a territory), classes by distance."""
    thresholds = coverage.thresholds
    labels = class_labels(thresholds)
    classes = [MapClass(label, SCALE[i], PATTERN_ORDER[i]) for i, label in enumerate(labels)]
    class_of = {c: distance_class(coverage.communes[c].distance_km[kind.slug], thresholds) for c in codes}
    total = sum(coverage.communes[c].population or 0 for c in codes)
    rows = []
    for index, label in enumerate(labels):
        members = [c for c in codes if class_of[c] == index]
        population = sum(coverage.communes[c].population or 0 for c in members)
        rows.append(ClassRow(label, len(members), population, population / total if total else 0.0))
    title = f"{where} : distance à l'aide la plus proche ({kind.label})"
    description = (
        f"Carte des {len(codes)} communes ({where}), chacune teintée selon la distance à vol d'oiseau "
        f"entre son centre et l'aide la plus proche ({kind.label}) : "
        + " ; ".join(f"{r.label.lower()} : {count_fr(r.communes, 'commune', 'communes')}" for r in rows)
        + ". Les mêmes chiffres sont dans le tableau qui suit la carte."
    )
    svg = None
    if contours is not None:
        names = {c: coverage.communes[c].name for c in codes}
        svg = choropleth(
            title, description, {c: contours[c] for c in codes}, class_of, names, classes, prefix
        )
    return CoverageMap(prefix, title, description, svg, tuple(rows))


def far_share(territory: TerritoryCoverage, km: int = NEED_KM) -> float:
    """The share of the territory's population farther than ``km`` from any help."""
    return 1 - territory.share_within[ANY][km]


def plan_coverage_pages(coverage: Coverage, contours: dict[str, dict] | None, catalogue) -> Addition:
    """The coverage pages, and the coverage section of each EPCI page."""
    ref = catalogue.reference
    department = coverage.department
    all_codes = sorted(coverage.communes)
    # Each EPCI with the share the table shows and sorts by.
    by_need = sorted(
        ((t, far_share(t)) for t in coverage.epcis.values()), key=lambda tf: (-tf[1], tf[0].name)
    )
    kinds = coverage.kinds
    where = capitalize_first(ref.department.with_article)
    main = Page(
        "coverage",
        urls.COVERAGE,
        "catalogue/coverage",
        "Couverture du territoire",
        [HOME],
        {
            "coverage": coverage,
            "territory": department,
            "map": coverage_map(coverage, coverage.kind(ANY), all_codes, contours, "cv", where),
            "kinds": kinds,
            "epcis_by_need": by_need,
            "need_km": NEED_KM,
            "any_kind": ANY,
            "epci_of": {e.code: e for e in ref.epcis.values()},
        },
    )
    pages = [main]
    crumb = urls.COVERAGE_CRUMB
    for kind in kinds:
        communes = sorted(
            coverage.communes.values(),
            key=lambda c: (
                c.distance_km[kind.slug] is not None,
                -(c.distance_km[kind.slug] or 0),
                c.name,
            ),
        )
        pages.append(
            Page(
                "coverage-kind",
                urls.coverage_kind(kind),
                "catalogue/coverage-kind",
                f"Couverture du territoire : {kind.label}",
                [HOME, crumb],
                {
                    "coverage": coverage,
                    "kind": kind,
                    "territory": department,
                    "map": coverage_map(coverage, kind, all_codes, contours, "ck", where),
                    "communes": communes,
                    "epci_of": {e.code: e for e in ref.epcis.values()},
                },
            )
        )
    context: dict[str, dict] = {}
    for epci in sorted(ref.epcis.values(), key=lambda e: e.nom):
        territory = coverage.epcis[epci.code]
        codes = sorted(epci.communes)
        context[urls.epci(epci)] = {
            "catalogue_coverage": coverage,
            "coverage_epci": territory,
            "coverage_department": department,
        }
        pages.append(
            Page(
                "coverage-report",
                urls.coverage_report(epci),
                "catalogue/coverage-report",
                f"Couverture du territoire : {epci.nom}",
                [HOME, urls.BROCHURES_CRUMB, Crumb(epci.nom, urls.epci(epci))],
                {
                    "coverage": coverage,
                    "epci": epci,
                    "territory": territory,
                    "department": department,
                    "map": coverage_map(coverage, coverage.kind(ANY), codes, contours, "cr", epci.nom),
                    "communes": [
                        coverage.communes[c] for c in sorted(codes, key=lambda c: coverage.communes[c].name)
                    ],
                    "pdf_url": urls.coverage_report_pdf(epci),
                },
            )
        )
    return Addition(pages, context)
