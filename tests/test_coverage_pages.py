"""« Couverture du territoire »: its pages, maps, tables and reports, as the built site shows them."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pytest
from html_tree import Element, parse_html

from mednum.coverage import KINDS, THRESHOLDS_KM
from mednum.coverage_pages import PATTERN_ORDER, class_labels, distance_class
from mednum.french import NBSP

SVG_BUDGET = 60 * 1024  # gzip, per map


def page(site: Path, url: str) -> Element:
    return parse_html((site / url / "index.html").read_text(encoding="utf-8"))


def words(text: str) -> str:
    return " ".join(text.replace(NBSP, " ").split())


def numbers(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.mark.parametrize(
    ("distance", "expected"),
    [
        (0.0, 0),
        (0.1, 1),
        (5.0, 1),
        (5.01, 2),
        (10.0, 2),
        (14.9, 3),
        (15.3, 4),
        (20.0, 4),
        (20.1, 5),
        (None, 5),
    ],
)
def test_distance_classes_put_each_threshold_in_the_nearer_class(distance, expected):
    assert distance_class(distance, THRESHOLDS_KM) == expected


def test_class_labels_name_every_class_once():
    labels = [words(label) for label in class_labels(THRESHOLDS_KM)]
    assert labels == [
        "Un lieu dans la commune",
        "À 5 km ou moins",
        "De 5 à 10 km",
        "De 10 à 15 km",
        "De 15 à 20 km",
        "À plus de 20 km, ou aucun lieu",
    ]
    assert len(set(PATTERN_ORDER)) == len(labels)


def svg_of(root: Element) -> Element:
    return next(e for e in root.iter("svg") if "mn-svgmap" in e.classes)


def test_the_coverage_page_has_a_map_with_its_text_alternative_legend_and_table(demo_site, demo_catalogue):
    root = page(demo_site, "couverture")
    svg = svg_of(root)
    assert svg.attrs["role"] == "img"
    labelled = svg.attrs["aria-labelledby"].split()
    ids = {e.attrs.get("id"): e for e in svg.iter("title", "desc")}
    assert set(labelled) <= set(ids) and all(ids[i].text.strip() for i in labelled)
    # One path per commune, each with its name as a tooltip.
    communes = demo_catalogue.reference.communes
    named = [
        p for p in svg.iter("path") if any(c.tag == "title" for c in p.children if not isinstance(c, str))
    ]
    assert len(named) == len(communes)
    # Six classes, each its own colour and its own pattern, in the legend with the same swatches.
    patterns = [p for p in svg.iter("pattern")]
    assert len(patterns) == 6
    fills = [next(r for r in p.iter("rect")).attrs["fill"] for p in patterns]
    drawings = ["".join(str(c) for c in p.children[1:]) for p in patterns]
    assert len(set(fills)) == 6 and len(set(drawings)) == 6
    legend = next(e for e in root.iter("ul") if "mn-cmap__legend" in e.classes)
    swatches = [r.attrs["fill"] for r in legend.iter("rect")]
    assert swatches == [f"url(#{p.attrs['id']})" for p in patterns]
    # The table: the same six classes, every commune and every inhabitant once.
    table = next(t for t in root.iter("table") if "communes et habitants" in t.text.lower())
    rows = list(next(table.iter("tbody")).iter("tr"))
    assert [words(r.children[0].text) for r in rows if not isinstance(r.children[0], str)] == [
        words(label) for label in class_labels(THRESHOLDS_KM)
    ]
    cells = [[c for c in r.iter("td")] for r in rows]
    assert sum(numbers(c[0].text) for c in cells) == len(communes)
    assert sum(numbers(c[1].text) for c in cells) == sum(c.population or 0 for c in communes.values())


def test_each_map_keeps_the_weight_budget(demo_site):
    sizes = {}
    for html in [demo_site / "couverture/index.html", *demo_site.glob("couverture/*/index.html")]:
        text = html.read_text(encoding="utf-8")
        svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg"[^>]*class="mn-svgmap".*?</svg>', text, re.S)
        sizes[html.parent.name] = len(gzip.compress(svg.group(0).encode("utf-8"), 9))
    assert len(sizes) == 1 + len(KINDS)
    assert max(sizes.values()) <= SVG_BUDGET, sizes
    print(f"\nSVG map, gzip: {sorted(sizes.values())[-1]} bytes at most")


def test_one_page_per_kind_lists_every_commune_farthest_first(demo_site, demo_catalogue):
    communes = demo_catalogue.reference.communes
    for kind in KINDS:
        root = page(demo_site, f"couverture/{kind.slug}")
        table = next(t for t in root.iter("table") if "Les communes, des plus" in t.text)
        rows = list(next(table.iter("tbody")).iter("tr"))
        assert len(rows) == len(communes), kind.slug
        distances = [words(list(r.iter("td"))[-1].text) for r in rows]
        km = [
            0.0 if d == "dans la commune" else float(d.removesuffix(" km").replace(",", "."))
            for d in distances
            if d != "aucune"
        ]
        assert km == sorted(km, reverse=True), kind.slug


def test_the_territories_are_ordered_by_need_and_link_to_their_report(demo_site, demo_catalogue):
    root = page(demo_site, "couverture")
    table = next(t for t in root.iter("table") if "EPCI" in t.text)
    rows = list(next(table.iter("tbody")).iter("tr"))
    assert len(rows) == len(demo_catalogue.reference.epcis)
    # The first figure of a row: the share of its inhabitants farther than 10 km from any help.
    shares = [float(words(list(r.iter("td"))[1].text).rstrip(" %").replace(",", ".")) for r in rows]
    assert shares == sorted(shares, reverse=True)
    reports = [
        a.attrs["href"] for a in table.iter("a") if "/brochures/couverture/" in a.attrs.get("href", "")
    ]
    assert len(reports) == len(rows)
    for href in reports:
        assert (demo_site / href.strip("/") / "index.html").is_file()
        assert (demo_site / (href.strip("/") + ".pdf")).is_file()  # with the brochures' PDFs


def test_each_epci_page_compares_its_figures_with_the_departement(demo_site, demo_catalogue):
    for epci in demo_catalogue.reference.epcis.values():
        root = page(demo_site, f"territoires/{epci.slug}")
        section = next(h for h in root.iter("h2") if h.attrs.get("id") == "couverture")
        assert section is not None
        table = next(t for t in root.iter("table") if "pour comparer" in t.text)
        labels = [
            words(c.text) for c in table.iter("td") if words(c.text) == "Hérault" or epci.nom == words(c.text)
        ]
        assert labels.count(epci.nom) == len(KINDS) and labels.count("Hérault") == len(KINDS)
        links = [a.attrs["href"] for a in root.iter("a")]
        assert f"/brochures/couverture/{epci.slug}/" in links and "/couverture/" in links


def test_the_professionals_page_links_to_the_coverage(demo_site):
    links = [a.attrs["href"] for a in page(demo_site, "formations").iter("a")]
    assert "/couverture/" in links


def test_the_open_data_files_hold_every_commune_and_territory(demo_site, demo_catalogue):
    data = demo_site / "donnees"
    communes = list(
        csv.DictReader(io.StringIO((data / "couverture-communes.csv").read_text(encoding="utf-8")))
    )
    assert [r["code_insee"] for r in communes] == sorted(demo_catalogue.reference.communes)
    territories = list(
        csv.DictReader(io.StringIO((data / "couverture-territoires.csv").read_text(encoding="utf-8")))
    )
    assert len(territories) == 1 + len(demo_catalogue.reference.epcis)
    assert territories[0]["type"] == "departement"
    for name in ("couverture-communes.schema.json", "couverture-territoires.schema.json"):
        assert (data / name).is_file()
