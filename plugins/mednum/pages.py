"""Which pages the catalogue has, at which address, with what on them.

Pure planning from the model: no rendering, no I/O. The generator renders each
``Page`` with its template; tests can inspect the plan directly.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .coverage import Coverage
from .coverage import compute as compute_coverage
from .coverage_pages import plan_coverage_pages
from .embed import plan_embed_pages
from .french import a_place, slugify
from .freshness import FreshnessReport, build_report
from .maps import plan_map_pages
from .model import Catalogue, Session, Site, Workshop
from .nearby import NEAREST_COUNT, Nearby, Neighbourhood, load_answers, save_answers
from .page import Page
from .reference import Commune, Epci
from .search import plan_search_pages
from .urls import HOME, Crumb
from .vocab import NEEDS

HOME_WORKSHOPS = 6
LIST_SESSIONS = 12  # sessions shown on a commune or territory page


@dataclass(frozen=True)
class Filter:
    slug: str
    label: str
    attribute: str  # the Site property that says if a place is kept

    def keep(self, site: Site) -> bool:
        return getattr(site, self.attribute)


FILTERS = (
    Filter("gratuit", "Gratuit", "free"),
    Filter("pass-numerique", "Accepte le Pass numérique", "pass_numerique"),
    Filter("accessible", "Entrée sans marche", "step_free"),
)


@dataclass(frozen=True)
class Occurrence:
    """One session of one workshop, for agendas."""

    workshop: Workshop
    session: Session


def french_order(name: str) -> tuple[str, str]:
    """Sort key of French alphabetical order, word by word: accents, case, hyphens and
    apostrophes ignored (« Saint-Étienne-d'Albagnan » sorts as « saint etienne d albagnan »)."""
    return (slugify(name).replace("-", " "), name)


def communes_by_letter(communes: list[Commune]) -> list[tuple[str, list[Commune]]]:
    """The communes in French alphabetical order, grouped by first letter (« É » under « E »)."""
    letters: dict[str, list[Commune]] = defaultdict(list)
    for commune in sorted(communes, key=lambda c: french_order(c.nom)):
        letters[french_order(commune.nom)[0][:1].upper()].append(commune)
    return sorted(letters.items())


def communes_by_postal_code(communes: list[Commune]) -> list[tuple[str, list[Commune]]]:
    """Every postal code in order, with its communes in French alphabetical order."""
    codes: dict[str, list[Commune]] = defaultdict(list)
    for commune in sorted(communes, key=lambda c: french_order(c.nom)):
        for code in commune.codes_postaux:
            codes[code].append(commune)
    return sorted(codes.items())


def finder_examples(communes: list[Commune]) -> list[str]:
    """What the commune field's hint shows as examples, from the département's own communes: the
    most populated, the most populated with a hyphenated name, and a postal code of the first."""
    ranked = sorted(communes, key=lambda c: (-(c.population or 0), c.code_insee))
    if not ranked:
        return []
    examples = [ranked[0].nom]
    hyphenated = next((c.nom for c in ranked if "-" in c.nom and c.nom not in examples), None)
    examples += [hyphenated] if hyphenated else []
    return examples + list(ranked[0].codes_postaux[:1])


def group_by_epci(sites: list[Site], catalogue: Catalogue) -> list[tuple[Epci, list[Site]]]:
    groups: dict[str, list[Site]] = defaultdict(list)
    for site in sites:
        if site.epci is not None:
            groups[site.epci.code].append(site)
    epcis = catalogue.reference.epcis
    return [
        (epcis[code], sorted(groups[code], key=_site_order))
        for code in sorted(groups, key=lambda c: epcis[c].nom)
    ]


def _site_order(site: Site) -> tuple:
    return (site.commune.nom, site.name.casefold(), site.id)


def _sites_by_epci(catalogue: Catalogue) -> dict[str, list[Site]]:
    """Help points of each territory (EPCI code), itinerant services included where they stop."""
    found: dict[str, dict[str, Site]] = {code: {} for code in catalogue.reference.epcis}
    for site in catalogue.sites:
        for commune in site.communes_served:
            epci = catalogue.reference.epci_of(commune.code_insee)
            if epci is not None:
                found[epci.code][site.id] = site
    return {code: sorted(sites.values(), key=_site_order) for code, sites in found.items()}


def upcoming(workshops: list[Workshop], today: dt.date) -> list[Occurrence]:
    occurrences = [Occurrence(w, s) for w in workshops for s in w.upcoming(today)]
    return sorted(occurrences, key=_occurrence_order)


def by_week(occurrences: list[Occurrence]) -> list[tuple[dt.date, list[Occurrence]]]:
    weeks: dict[dt.date, list[Occurrence]] = defaultdict(list)
    for occ in occurrences:
        day = occ.session.start.date()
        weeks[day - dt.timedelta(days=day.weekday())].append(occ)
    return sorted(weeks.items())


def nearest(catalogue: Catalogue, commune: Commune, exclude: set[str]) -> list[Nearby]:
    """The help points nearest to ``commune`` (one query; plan_pages shares one index)."""
    return Neighbourhood(catalogue).nearest(commune, exclude)


def nearest_outside(around: Neighbourhood, communes: list[Commune], exclude: set[str]) -> list[Nearby]:
    """The help points nearest to a territory (an EPCI) that has none, for its page and brochure.

    Measured from the territory's communes: each commune's nearest places (``Neighbourhood.nearest``,
    from the commune's centre), merged with one entry per place at its shortest distance from any
    of the communes, closest first. The result is the true nearest to the set of communes: a place
    among the NEAREST_COUNT closest to the territory is among those of the commune it is closest to.
    """
    best: dict[str, Nearby] = {}
    for commune in communes:
        for near in around.nearest(commune, exclude):
            kept = best.get(near.site.id)
            if kept is None or near.distance_km < kept.distance_km:
                best[near.site.id] = near
    ranked = sorted(best.values(), key=lambda n: (n.distance_km, n.site.id))
    return ranked[:NEAREST_COUNT]


def _merge_upcoming(
    workshops: list[Workshop], per_workshop: dict[int, list[tuple[int, Occurrence]]]
) -> list[Occurrence]:
    """``upcoming(workshops)`` from each workshop's occurrences, computed once for the whole plan
    with their place in its order (``_by_workshop``): sorting by that number gives the order of
    ``upcoming`` (1.6 million sort keys at x10 size, for the commune pages and brochures)."""
    ranked = [pair for w in workshops for pair in per_workshop[id(w)]]
    ranked.sort(key=_first)
    return [occurrence for _, occurrence in ranked]


_first = operator.itemgetter(0)


def _by_workshop(
    workshops: list[Workshop], ranked: Iterable[tuple[int, Occurrence]]
) -> dict[int, list[tuple[int, Occurrence]]]:
    """The ``ranked`` occurrences (each with its place in ``upcoming``'s order) of each
    workshop, by the workshop's id()."""
    found: dict[int, list[tuple[int, Occurrence]]] = {id(w): [] for w in workshops}
    for rank, occurrence in ranked:
        found[id(occurrence.workshop)].append((rank, occurrence))
    return found


def _occurrence_order(o: Occurrence) -> tuple:
    return (o.session.start, o.workshop.title, o.workshop.id)


def plan_pages(
    catalogue: Catalogue,
    settings: dict,
    coverage: Coverage | None = None,
    contours: dict[str, dict] | None = None,
    report: FreshnessReport | None = None,
    cache: Path | None = None,
) -> list[Page]:
    """Every page. ``coverage`` and ``report`` are computed here unless the caller has them;
    without ``contours`` (the communes' outlines), the coverage pages have no map, only tables.
    ``cache``: the build cache, where what is near each commune is kept (``nearby.load_answers``)."""
    today = catalogue.build_date
    report = report or build_report(catalogue)
    coverage = coverage or compute_coverage(catalogue, report)
    ref = catalogue.reference
    pages: list[Page] = []
    all_upcoming = upcoming(catalogue.workshops, today)
    per_workshop = _by_workshop(catalogue.workshops, enumerate(all_upcoming))
    answers, known = load_answers(cache, catalogue) if cache is not None else (None, None)
    around = Neighbourhood(catalogue, known)
    sites_by_epci = _sites_by_epci(catalogue)
    # Only a territory without a place lists the nearest ones outside it: its page and its brochure.
    nearest_by_epci = {
        code: nearest_outside(around, [ref.communes[c] for c in ref.epcis[code].communes], set())
        for code, sites in sites_by_epci.items()
        if not sites
    }

    communes_by_epci = [
        (epci, sorted((ref.communes[c] for c in epci.communes), key=lambda c: c.slug))
        for epci in sorted(ref.epcis.values(), key=lambda e: e.nom)
    ]
    all_communes = sorted(ref.communes.values(), key=lambda c: french_order(c.nom))
    by_postal_code = communes_by_postal_code(all_communes)
    pages.append(
        Page(
            "home",
            "",
            "catalogue/home",
            f"Se faire aider avec le numérique {ref.department.in_}",
            context={
                "needs": NEEDS,
                "communes_by_epci": communes_by_epci,
                # The commune finder: its list of names and postal codes (the browser completes them).
                "finder_communes": all_communes,
                "finder_postal_codes": [code for code, _ in by_postal_code],
                "finder_examples": finder_examples(all_communes),
                "next_sessions": all_upcoming[:HOME_WORKSHOPS],
                "pass_sites": [s for s in catalogue.sites if s.pass_numerique],
            },
        )
    )
    # Two more ways to find one's commune than its intercommunality, which few people know.
    pages.append(
        Page(
            "communes-az",
            urls.COMMUNES_AZ,
            "catalogue/communes-az",
            f"Les communes {ref.department.of} de A à Z",
            [HOME],
            {"letters": communes_by_letter(all_communes), "count": len(all_communes)},
        )
    )
    pages.append(
        Page(
            "postal-codes",
            urls.POSTAL_CODES,
            "catalogue/codes-postaux",
            f"Les communes {ref.department.of} par code postal",
            [HOME],
            {"codes": by_postal_code},
        )
    )

    for site in catalogue.sites:
        crumbs = [HOME, Crumb(site.commune.nom, urls.commune(site.commune))]
        pages.append(
            Page(
                "site",
                urls.site(site),
                "catalogue/site",
                site.name,
                crumbs,
                {
                    "site": site,
                    # upcoming(site.workshops), from the occurrences the other pages share.
                    "sessions": _merge_upcoming(site.workshops, per_workshop),
                },
            )
        )

    for commune in sorted(ref.communes.values(), key=lambda c: c.code_insee):
        here = sorted(catalogue.sites_by_commune.get(commune.code_insee, []), key=_site_order)
        epci = ref.epci_of(commune.code_insee)
        crumbs = [HOME] + ([Crumb(epci.nom, urls.epci(epci))] if epci else [])
        pages.append(
            Page(
                "commune",
                urls.commune(commune),
                "catalogue/commune",
                f"Aide au numérique {a_place(commune.nom)}",
                crumbs,
                {
                    "commune": commune,
                    "epci": epci,
                    "sites_here": here,
                    "nearest": around.nearest(commune, {s.id for s in here}),
                    # The next sessions only: the agenda has them all, the page stays light.
                    "sessions": _merge_upcoming(around.workshops_near(commune), per_workshop)[:LIST_SESSIONS],
                },
            )
        )

    for epci in sorted(ref.epcis.values(), key=lambda e: e.nom):
        sites = sites_by_epci[epci.code]
        communes = sorted((ref.communes[c] for c in epci.communes), key=lambda c: c.slug)
        workshops = [w for c in epci.communes for w in around.workshops_by_commune.get(c, ())]
        pages.append(
            Page(
                "epci",
                urls.epci(epci),
                "catalogue/epci",
                f"Aide au numérique : {epci.nom}",
                [HOME],
                {
                    "epci": epci,
                    "sites": sites,
                    "nearest": nearest_by_epci.get(epci.code, []),
                    "communes": communes,
                    "sessions": _merge_upcoming(workshops, per_workshop)[:LIST_SESSIONS],
                },
            )
        )

    for need in NEEDS:
        sites = catalogue.sites_by_service.get(need.value, [])
        for flt in (None, *FILTERS):
            kept = [s for s in sites if flt is None or flt.keep(s)]
            crumbs = [HOME] + ([Crumb(need.label, urls.need(need))] if flt else [])
            title = need.label + (f" : {flt.label.lower()}" if flt else "")
            pages.append(
                Page(
                    "need" if flt is None else "need-filter",
                    urls.need(need, flt),
                    "catalogue/need",
                    title,
                    crumbs,
                    {
                        "need": need,
                        "filter": flt,
                        "filters": FILTERS,
                        "groups": group_by_epci(kept, catalogue),
                        "count": len(kept),
                        "total": len(sites),
                    },
                )
            )

    pages.append(
        Page(
            "agenda",
            urls.AGENDA,
            "catalogue/agenda",
            "Ateliers et permanences numériques",
            [HOME],
            {"weeks": by_week(all_upcoming), "workshops": catalogue.workshops},
        )
    )
    for workshop in catalogue.workshops:
        pages.append(
            Page(
                "workshop",
                urls.workshop(workshop),
                "catalogue/workshop",
                workshop.title,
                [HOME, urls.AGENDA_CRUMB],
                {"workshop": workshop, "sessions": workshop.upcoming(today)},
            )
        )

    pages.append(
        Page(
            "trainings",
            urls.TRAININGS,
            "catalogue/trainings",
            "Formations pour les professionnels",
            [HOME],
            {"trainings": catalogue.trainings},
        )
    )
    for training in catalogue.trainings:
        pages.append(
            Page(
                "training",
                urls.training(training),
                "catalogue/training",
                training.title,
                [HOME, urls.TRAININGS_CRUMB],
                {"training": training},
            )
        )

    pages.extend(plan_print_pages(catalogue, all_upcoming, around, sites_by_epci, nearest_by_epci))
    if answers is not None:
        save_answers(answers, around)
    pages.append(
        Page(
            "freshness",
            urls.FRESHNESS,
            "catalogue/freshness",
            "Fraîcheur et complétude des fiches",
            [HOME],
            {"report": report},
            in_sitemap=False,
        )
    )
    pages.append(Page("404", urls.NOT_FOUND, "catalogue/404", "Page introuvable", [], {}, in_sitemap=False))
    covered = plan_coverage_pages(coverage, contours, catalogue)
    maps = plan_map_pages(catalogue, settings, pages)
    search = plan_search_pages(catalogue, settings, pages)
    embeds = plan_embed_pages(pages, settings)
    return pages + covered.apply(pages) + maps.apply(pages) + search.apply(pages) + embeds.apply(pages)


BROCHURE_WEEKS = 6
NEAREST_IN_BROCHURE = 4


def plan_print_pages(
    catalogue: Catalogue,
    all_upcoming: list[Occurrence],
    around: Neighbourhood,
    sites_by_epci: dict[str, list[Site]],
    nearest_by_epci: dict[str, list[Nearby]],
) -> list[Page]:
    """Brochures per EPCI and commune, and a referral sheet per help point, made for paper."""
    ref = catalogue.reference
    horizon = catalogue.build_date + dt.timedelta(weeks=BROCHURE_WEEKS)
    soon = [
        (rank, o)
        for rank, o in enumerate(all_upcoming)
        if o.session.start.date() < horizon and not o.session.cancelled
    ]
    soon_by_commune: dict[str, list[Occurrence]] = defaultdict(list)
    for _, occurrence in soon:
        soon_by_commune[occurrence.workshop.commune.code_insee].append(occurrence)
    soon_by_workshop = _by_workshop(catalogue.workshops, soon)
    epcis = sorted(ref.epcis.values(), key=lambda e: e.nom)
    pages = [
        Page(
            "brochures",
            urls.BROCHURES,
            "catalogue/brochures",
            "Brochures à imprimer",
            [HOME],
            {
                "epcis": [
                    (epci, sorted((ref.communes[c] for c in epci.communes), key=lambda c: c.slug))
                    for epci in epcis
                ],
            },
        )
    ]
    for epci in epcis:
        sites = sites_by_epci[epci.code]
        nearby = nearest_by_epci.get(epci.code, [])[:NEAREST_IN_BROCHURE]
        pages.append(
            Page(
                "brochure-epci",
                urls.epci_brochure(epci),
                "catalogue/brochure",
                f"Brochure : {epci.nom}",
                [HOME, urls.BROCHURES_CRUMB],
                {
                    "territory": epci.nom,
                    "territory_in": f"dans le territoire {epci.nom}",
                    "online_url": urls.epci(epci),
                    "pdf_url": urls.epci_pdf(epci),
                    "sites": sites,
                    "nearby": nearby,
                    "sessions": sorted(
                        (o for c in epci.communes for o in soon_by_commune.get(c, ())),
                        key=_occurrence_order,
                    ),
                },
            )
        )
    for commune in sorted(ref.communes.values(), key=lambda c: c.code_insee):
        here = sorted(catalogue.sites_by_commune.get(commune.code_insee, []), key=_site_order)
        near = around.nearest(commune, {s.id for s in here})[:NEAREST_IN_BROCHURE]
        pages.append(
            Page(
                "brochure-commune",
                urls.commune_brochure(commune),
                "catalogue/brochure",
                f"Brochure : {commune.nom}",
                [HOME, urls.BROCHURES_CRUMB],
                {
                    "territory": commune.nom,
                    "territory_in": a_place(commune.nom),
                    "online_url": urls.commune(commune),
                    "pdf_url": None,
                    "sites": here,
                    "nearby": near,
                    "sessions": _merge_upcoming(around.workshops_near(commune), soon_by_workshop),
                },
            )
        )
    for site in catalogue.sites:
        pages.append(
            Page(
                "orientation",
                urls.orientation(site),
                "catalogue/orientation",
                f"Fiche d'orientation : {site.name}",
                [HOME, Crumb(site.name, urls.site(site))],
                {"site": site},
            )
        )
    return pages
