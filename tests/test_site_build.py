"""The whole site built with Pelican from the bundled data: pages, shell, weight, links, dates, safety.

The site is built once per module (about a second) into a temporary folder, with the build date
2026-11-23; the tests read the files it wrote. Each test collects every problem it finds and
reports them all at once. The tables of counts and weights are printed (``pytest -s`` or ``-rP``).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from great_circle import haversine_km
from html_tree import Element, parse_html

from conftest import DEMO, DEMO_CONF, REFERENCE, ROOT, small_project
from mednum.build import build_site
from mednum.coverage import KINDS
from mednum.settings import DEFAULTS

SETTINGS = DEMO_CONF
DATA = DEMO  # the demo dataset: every page type; data/ holds the real records
BUILD_DATE = "2026-11-23"
LATER_DATE = "2026-12-20"
KB = 1024

# --------------------------------------------------------------------------------------------------
# Building


def build(out: Path, data: Path = DATA, date: str | None = BUILD_DATE, **settings) -> int:
    override = {"CATALOGUE_DATA_PATH": str(data), **settings}
    if date is not None:
        override["CATALOGUE_BUILD_DATE"] = date
    return build_site(SETTINGS, out, override)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by path relative to it."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def tree_differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    problems = [f"only in the first: {p}" for p in sorted(a.keys() - b.keys())]
    problems += [f"only in the second: {p}" for p in sorted(b.keys() - a.keys())]
    problems += [f"differs: {p}" for p in sorted(a.keys() & b.keys()) if a[p] != b[p]]
    return problems


# --------------------------------------------------------------------------------------------------
# The HTML tree: tests/html_tree.py


# --------------------------------------------------------------------------------------------------
# The bundled data, read on their own (not through the plugin), to know what the site should have


def load_yaml(name: str) -> list[dict]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


SITES = load_yaml("sites")
WORKSHOPS = load_yaml("workshops")
TRAININGS = load_yaml("trainings")
COMMUNES = json.loads((REFERENCE / "communes.json").read_text(encoding="utf-8"))
EPCIS = json.loads((REFERENCE / "epci.json").read_text(encoding="utf-8"))
CONTENT_SLUGS = sorted(
    (re.search(r"^Slug:\s*(\S+)", p.read_text(encoding="utf-8"), re.M) or [None, p.stem])[1]
    for p in (ROOT / "content" / "pages").glob("*.md")
)
NEED_COUNT = 9
FILTER_SLUGS = ("gratuit", "pass-numerique", "accessible")

EXAMPLE_SITES = {s["id"] for s in SITES if s.get("x_exemple") is True}
REAL_SITES = {s["id"] for s in SITES} - EXAMPLE_SITES
EXAMPLE_WORKSHOPS = {w["id"] for w in WORKSHOPS if w.get("exemple") is True}
EXAMPLE_TRAININGS = {t["id"] for t in TRAININGS if t.get("exemple") is True}

# --------------------------------------------------------------------------------------------------
# Maps and search, worked out from the data on their own (the rules are in plugins/mednum/maps.py)
#
# A help point has a map when it has coordinates or a stop with coordinates; a commune when a
# help point or stop with coordinates is in it, or a help point not serving it has coordinates
# within 40 km (the « nearest » places of its page); a territory when a help point or stop with
# coordinates is in one of its communes. The département map and the territories' maps fetch
# their markers from a lieux.geojson next to them.

NEAREST_MAX_KM = 40.0
TILE_HOST = urlsplit(DEFAULTS["CATALOGUE_MAP_TILES"][0]).netloc
NODE_MODULES = ROOT / "node_modules"


def home_point(s: dict) -> tuple[float, float] | None:
    return (
        (s["latitude"], s["longitude"])
        if s.get("latitude") is not None and s.get("longitude") is not None
        else None
    )


def map_points(s: dict) -> list[tuple[str, float, float]]:
    """(INSEE code, latitude, longitude) of a help point and of its stops that have coordinates."""
    points = [(s["code_insee"], *home_point(s))] if home_point(s) else []
    points += [
        (stop["code_insee"], stop["latitude"], stop["longitude"])
        for stop in s.get("x_arrets", [])
        if stop.get("latitude") is not None and stop.get("longitude") is not None
    ]
    return points


def served(s: dict) -> set[str]:
    return {s["code_insee"], *(stop["code_insee"] for stop in s.get("x_arrets", []))}


def commune_has_map(c: dict) -> bool:
    for s in SITES:
        if any(code == c["code_insee"] for code, _, _ in map_points(s)):
            return True
        home = home_point(s)
        near = home and haversine_km(c["latitude"], c["longitude"], *home) <= NEAREST_MAX_KM
        if near and c["code_insee"] not in served(s):
            return True
    return False


MAP_SITES = {s["id"] for s in SITES if map_points(s)}
MAP_COMMUNES = {c["slug"] for c in COMMUNES if commune_has_map(c)}
MAP_EPCIS = {
    e["slug"] for e in EPCIS if any(code in set(e["communes"]) for s in SITES for code, _, _ in map_points(s))
}
MAPPED_SITES = {s["id"] for s in SITES if home_point(s)}  # the markers of the département map


def vendor_files() -> dict[str, Path]:
    """What static/vendor/ holds: Leaflet and its marker-cluster plugin from node_modules, licences included."""
    wanted = {
        "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "LICENSE"]
        + [f"dist/images/{p.name}" for p in sorted((NODE_MODULES / "leaflet" / "dist" / "images").iterdir())],
        "leaflet.markercluster": [
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
            "MIT-LICENCE.txt",
        ],
    }
    files = {}
    for package, names in wanted.items():
        version = json.loads((NODE_MODULES / package / "package.json").read_text(encoding="utf-8"))["version"]
        for name in names:
            files[f"static/vendor/{package}-{version}/{name.removeprefix('dist/')}"] = (
                NODE_MODULES / package / name
            )
    return files


VENDOR_FILES = vendor_files()
VENDOR_JS = {"/" + p for p in VENDOR_FILES if p.endswith(".js")}
LEAFLET_JS = next(u for u in VENDOR_JS if u.endswith("/leaflet.js"))
CLUSTER_JS = next(u for u in VENDOR_JS if u.endswith("/leaflet.markercluster.js"))
LICENCES = [p for p in VENDOR_FILES if p.rsplit("/", 1)[-1] in ("LICENSE", "MIT-LICENCE.txt")]

# Pagefind indexes the pages marked data-pagefind-body: help points, workshops, trainings, content.
INDEXED_COUNT = len(SITES) + len(WORKSHOPS) + len(TRAININGS) + len(CONTENT_SLUGS)
PAGEFIND_UNUSED = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")

# --------------------------------------------------------------------------------------------------
# Page types

LIST_TYPES = (
    "home",
    "commune",
    "epci",
    "need",
    "need-filter",
    "agenda",
    "trainings",
    "search",
    "communes-az",
    "postal-codes",
)
# The pages partners show in a frame (integrer/…): HTML and their own stylesheet, gzip.
EMBED_TYPES = ("embed-commune", "embed-epci")
EMBED_BUDGET_KB = 6
BUDGETS_KB = {
    "site": 14,
    **{kind: 40 for kind in LIST_TYPES},
    **{kind: EMBED_BUDGET_KB for kind in EMBED_TYPES},
}
CSS_BUDGET_KB = 8
MAP_BUDGET_KB = 120  # a map page with everything it loads: HTML, CSS, scripts, GeoJSON

MAP_TYPES = ("map-department", "map-epci", "map-commune", "map-site")
# Not in the sitemap, and marked noindex: the maps and the pages made for partners' frames (the
# pages with the list are indexed), the team's freshness report; the 404 page is not listed either.
NOINDEX_TYPES = {*MAP_TYPES, *EMBED_TYPES, "freshness"}
NOT_IN_SITEMAP = {*NOINDEX_TYPES, "404"}
SOME = "> 0"  # an expected count that depends on a tool's choices (Pagefind's chunks)


def page_type(path: str) -> str:
    """The type of an output file from its path; "?" for a file the site should not have."""
    parts = path.split("/")
    fixed = {
        "index.html": "home",
        "404.html": "404",
        "sitemap.xml": "sitemap",
        "robots.txt": "robots",
        "favicon.svg": "favicon",
        "ateliers/index.html": "agenda",
        "formations/index.html": "trainings",
        "brochures/index.html": "brochures",
        "static/ouvert.js": "script",
        "static/commune.js": "finder-script",
        "communes/index.html": "communes-az",
        "codes-postaux/index.html": "postal-codes",
        "static/carte.js": "map-link-script",
        "static/carte-leaflet.js": "map-helpers-script",
        "static/recherche.js": "search-script",
        "integrer/integrer.css": "embed-css",
        "recherche/index.html": "search",
        "equipe/fraicheur/index.html": "freshness",
        "carte/index.html": "map-department",
        "carte/map.js": "map-script",
        "carte/lieux.geojson": "map-data",
    }
    if path in fixed:
        return fixed[path]
    if path in VENDOR_FILES:
        return "vendor"
    if parts[0] == "integrer" and len(parts) == 4 and parts[3] == "index.html":
        return {"communes": "embed-commune", "territoires": "embed-epci"}.get(parts[1], "?")
    if parts[0] == "pagefind" and len(parts) > 1:
        return "pagefind"
    if parts[0] == "carte" and len(parts) == 4 and parts[1] in ("lieux", "communes", "territoires"):
        if parts[3] == "index.html":
            return {"lieux": "map-site", "communes": "map-commune", "territoires": "map-epci"}[parts[1]]
        if parts[3] == "map.js":
            return "map-script"
        if parts[3] == "lieux.geojson" and parts[1] == "territoires":
            return "map-data"
        return "?"
    if len(parts) == 3 and parts[0] == "brochures" and parts[2].endswith(".pdf"):
        # The session's demo site is built with CATALOGUE_PDF_BROCHURES.
        return {"territoires": "brochure-pdf", "couverture": "coverage-report-pdf"}.get(parts[1], "?")
    if re.fullmatch(r"static/site\.[0-9a-f]+\.css", path):
        return "css"
    if parts[0] == "donnees" and parts[-1].endswith((".csv", ".json", ".geojson", ".ics")):
        return "export"  # the open-data files, counted by tests/test_exports*.py
    if parts[-1] != "index.html":
        return "?"
    folders = parts[:-1]
    if len(folders) == 1 and folders[0] in CONTENT_SLUGS:
        return "content"
    if folders == ["couverture"]:
        return "coverage"
    if len(folders) == 2 and folders[0] == "couverture" and folders[1] in COVERAGE_KINDS:
        return "coverage-kind"
    if len(folders) == 2:
        return {
            "lieux": "site",
            "communes": "commune",
            "territoires": "epci",
            "besoins": "need",
            "ateliers": "workshop",
            "formations": "training",
        }.get(folders[0], "?")
    if len(folders) == 3 and folders[0] == "besoins" and folders[2] in FILTER_SLUGS:
        return "need-filter"
    if len(folders) == 3 and folders[0] == "lieux" and folders[2] == "orientation":
        return "orientation"
    if len(folders) == 3 and folders[:2] == ["brochures", "territoires"]:
        return "brochure-epci"
    if len(folders) == 3 and folders[:2] == ["brochures", "communes"]:
        return "brochure-commune"
    if len(folders) == 3 and folders[:2] == ["brochures", "couverture"]:
        return "coverage-report"
    return "?"


COVERAGE_KINDS = {kind.slug for kind in KINDS}  # one page each: couverture/<slug>/
EXPECTED_COUNTS = {
    "home": 1,
    "site": len(SITES),
    "commune": len(COMMUNES),
    "epci": len(EPCIS),
    "need": NEED_COUNT,
    "need-filter": NEED_COUNT * len(FILTER_SLUGS),
    "agenda": 1,
    "workshop": len(WORKSHOPS),
    "trainings": 1,
    "training": len(TRAININGS),
    "content": len(CONTENT_SLUGS),
    "brochures": 1,
    "brochure-epci": len(EPCIS),
    "brochure-pdf": len(EPCIS),
    "coverage": 1,
    "coverage-kind": len(COVERAGE_KINDS),
    "coverage-report": len(EPCIS),
    "coverage-report-pdf": len(EPCIS),
    "brochure-commune": len(COMMUNES),
    "orientation": len(SITES),
    "export": None,
    "404": 1,
    "sitemap": 1,
    "robots": 1,
    "favicon": 1,
    "css": 1,
    "embed-css": 1,
    "embed-commune": len(COMMUNES),
    "embed-epci": len(EPCIS),
    "script": 1,
    "finder-script": 1,
    "communes-az": 1,
    "postal-codes": 1,
    "map-link-script": 1,
    "map-helpers-script": 1,
    "search-script": 1,
    "search": 1,
    "freshness": 1,
    "map-department": 1,
    "map-epci": len(MAP_EPCIS),
    "map-commune": len(MAP_COMMUNES),
    "map-site": len(MAP_SITES),
    "map-script": 1 + len(MAP_EPCIS) + len(MAP_COMMUNES) + len(MAP_SITES),
    "map-data": 1 + len(MAP_EPCIS),
    "vendor": len(VENDOR_FILES),
    "pagefind": SOME,
}


def url_of(path: str) -> str:
    """The root-relative URL of an output file: ``lieux/x/index.html`` → ``/lieux/x/``."""
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


@dataclass(repr=False)
class Site:
    out: Path
    files: dict[str, bytes]
    _trees: dict[str, Element] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<site {self.out} ({len(self.files)} files)>"

    @property
    def html_pages(self) -> list[str]:
        return [p for p in self.files if p.endswith(".html")]

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")

    def tree(self, path: str) -> Element:
        if path not in self._trees:
            self._trees[path] = parse_html(self.text(path))
        return self._trees[path]

    def by_type(self) -> dict[str, list[str]]:
        types: dict[str, list[str]] = defaultdict(list)
        for path in self.files:
            types[page_type(path)].append(path)
        return types


@pytest.fixture(scope="module")
def site(demo_site) -> Site:
    return Site(demo_site, tree_bytes(demo_site))


@pytest.fixture(scope="module")
def later_site(tmp_path_factory) -> Site:
    out = tmp_path_factory.mktemp("later") / "output"
    assert build(out, date=LATER_DATE) == 0
    return Site(out, tree_bytes(out))


def table(rows: list[tuple], header: tuple) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = [" | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# 1. Every page type exists, with the expected count


def test_every_page_type_exists_with_expected_count(site):
    types = site.by_type()
    rows = [(kind, len(types.get(kind, [])), expected) for kind, expected in EXPECTED_COUNTS.items()]
    print("\nPages by type (bundled data, build date " + BUILD_DATE + ")\n")
    print(table(rows, ("type", "built", "expected")))
    print(f"total files: {len(site.files)}, HTML pages: {len(site.html_pages)}")

    problems = [
        f"{kind}: {built} built, {expected} expected"
        for kind, built, expected in rows
        if (expected == SOME and built == 0) or (isinstance(expected, int) and built != expected)
    ]
    problems += [f"unexpected file: {p}" for p in sorted(types.get("?", []))]

    def folders(kind: str, prefix: str) -> set[str]:
        return {p[len(prefix) :].split("/")[0] for p in types.get(kind, [])}

    wanted = {
        "site": ("lieux/", {s["id"] for s in SITES}),
        "commune": ("communes/", {c["slug"] for c in COMMUNES}),
        "epci": ("territoires/", {e["slug"] for e in EPCIS}),
        "workshop": ("ateliers/", {w["id"] for w in WORKSHOPS}),
        "training": ("formations/", {t["id"] for t in TRAININGS}),
        "map-site": ("carte/lieux/", MAP_SITES),
        "map-commune": ("carte/communes/", MAP_COMMUNES),
        "map-epci": ("carte/territoires/", MAP_EPCIS),
    }
    for kind, (prefix, ids) in wanted.items():
        built = folders(kind, prefix)
        problems += [f"{kind} page missing: {prefix}{i}/" for i in sorted(ids - built)]
        problems += [f"{kind} page without a record: {prefix}{i}/" for i in sorted(built - ids)]
    needs = folders("need", "besoins/")
    for need in sorted(needs):
        for flt in FILTER_SLUGS:
            if f"besoins/{need}/{flt}/index.html" not in site.files:
                problems.append(f"filter page missing: besoins/{need}/{flt}/")
    for slug in CONTENT_SLUGS:
        if f"{slug}/index.html" not in site.files:
            problems.append(f"content page missing: {slug}/")

    # Each map page has its script next to it; the clustered ones (département, territories) their data.
    for path in sorted(p for kind in MAP_TYPES for p in types.get(kind, [])):
        folder = path.removesuffix("index.html")
        if folder + "map.js" not in site.files:
            problems.append(f"map script missing: {folder}map.js")
        clustered = page_type(path) in ("map-department", "map-epci")
        if clustered != (folder + "lieux.geojson" in site.files):
            problems.append(f"{folder}: lieux.geojson {'missing' if clustered else 'unexpected'}")

    # Vendored files: as published on npm (scripts without their source-map comment), licences included.
    for path, source in sorted(VENDOR_FILES.items()):
        if path not in site.files:
            problems.append(f"vendored file missing: {path}")
        elif path.endswith(".js"):
            built = site.text(path)
            if "sourceMappingURL" in built:
                problems.append(f"{path}: links a source map the site does not have")
            original = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", source.read_text(encoding="utf-8"))
            if built != original:
                problems.append(f"{path}: differs from {source.relative_to(ROOT)}")
        elif site.files[path] != source.read_bytes():
            problems.append(f"{path}: differs from {source.relative_to(ROOT)}")
    if len(LICENCES) != 2:
        problems.append(f"licence files of the vendored packages: {LICENCES}")

    # Pagefind: its script and entry, one fragment per indexed page, none of its unused interfaces.
    for path in ("pagefind/pagefind.js", "pagefind/pagefind-entry.json"):
        if path not in site.files:
            problems.append(f"Pagefind file missing: {path}")
    problems += [
        f"unused Pagefind interface shipped: {p}"
        for p in sorted(types.get("pagefind", []))
        if p.rsplit("/", 1)[-1].startswith(PAGEFIND_UNUSED)
    ]
    if "pagefind/pagefind-entry.json" in site.files:
        entry = json.loads(site.files["pagefind/pagefind-entry.json"])
        counts = {lang: v.get("page_count") for lang, v in entry.get("languages", {}).items()}
        if counts != {"fr": INDEXED_COUNT}:
            problems.append(f"Pagefind indexed {counts}, expected {{'fr': {INDEXED_COUNT}}}")
    fragments = [p for p in types.get("pagefind", []) if p.startswith("pagefind/fragment/")]
    if len(fragments) != INDEXED_COUNT:
        problems.append(
            f"{len(fragments)} Pagefind fragments, expected {INDEXED_COUNT} (one per indexed page)"
        )
    indexed = sorted(p for p in site.html_pages if b"data-pagefind-body" in site.files[p])
    if len(indexed) != INDEXED_COUNT:
        problems.append(f"{len(indexed)} pages marked data-pagefind-body, expected {INDEXED_COUNT}")
    assert not problems, "\n".join(problems)


def test_sitemap_lists_every_page_with_absolute_urls(site):
    root = ET.fromstring(site.files["sitemap.xml"])  # raises if not well-formed
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert root.tag == f"{ns}urlset"
    locs = [loc.text or "" for loc in root.iter(f"{ns}loc")]
    problems = [f"listed twice: {loc}" for loc, n in Counter(locs).items() if n > 1]
    listed = set()
    for loc in locs:
        parts = urlsplit(loc)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"not an absolute URL: {loc!r}")
        listed.add(parts.path)
    pages = {url_of(p) for p in site.html_pages if page_type(p) not in NOT_IN_SITEMAP}
    left_out = {url_of(p) for p in site.html_pages if page_type(p) in NOT_IN_SITEMAP}
    assert "/404.html" in left_out and "/equipe/fraicheur/" in left_out and "/carte/" in left_out
    problems += [f"page missing from the sitemap: {u}" for u in sorted(pages - listed)]
    problems += [
        f"listed but deliberately left out (404, map, team report): {u}" for u in sorted(listed & left_out)
    ]
    problems += [f"listed but not built: {u}" for u in sorted(listed - pages - left_out)]
    # What is left out of the sitemap is also closed to search engines, and only that.
    for path in sorted(site.html_pages):
        robots = [
            m.attrs.get("content") or ""
            for m in site.tree(path).iter("meta")
            if m.attrs.get("name") == "robots"
        ]
        noindex = any("noindex" in r.lower() for r in robots)
        if page_type(path) in NOINDEX_TYPES and not noindex:
            problems.append(f'{path}: out of the sitemap but without <meta name="robots" content="noindex">')
        if url_of(path) in pages and noindex:
            problems.append(f"{path}: in the sitemap but noindex")
    assert not problems, "\n".join(problems)

    robots = site.text("robots.txt")
    sitemap_lines = [line for line in robots.splitlines() if line.startswith("Sitemap:")]
    assert len(sitemap_lines) == 1, robots
    sitemap_url = sitemap_lines[0].split(":", 1)[1].strip()
    assert urlsplit(sitemap_url).scheme == "https" and sitemap_url.endswith("/sitemap.xml"), robots
    assert "User-agent: *" in robots
    svg = ET.fromstring(site.files["favicon.svg"])
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"


# --------------------------------------------------------------------------------------------------
# 2. The shell of every page

NON_LOADING_RELS = {"canonical", "alternate", "author", "license", "help", "me", "next", "prev", "search"}


def is_external(url: str) -> bool:
    url = url.strip()
    return url.startswith("//") or urlsplit(url).scheme in ("http", "https")


def css_urls(css: str) -> list[str]:
    found = re.findall(r"url\(\s*['\"]?([^'\")]*)", css)
    found += re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return found


def focusable(e: Element) -> bool:
    a = e.attrs
    if "tabindex" in a:
        try:
            return int(a["tabindex"] or "") >= 0
        except ValueError:
            pass
    if e.tag in ("a", "area"):
        return "href" in a
    if e.tag in ("button", "select", "textarea", "iframe"):
        return "disabled" not in a
    if e.tag == "input":
        return a.get("type") != "hidden" and "disabled" not in a
    if e.tag == "summary":
        return e.parent is not None and e.parent.tag == "details"
    return False


def shell_problems(path: str, doc: Element) -> list[str]:
    problems: list[str] = []
    htmls = list(doc.iter("html"))
    if len(htmls) != 1 or htmls[0].attrs.get("lang") != "fr":
        problems.append('no single <html lang="fr">')
    mains = list(doc.iter("main"))
    if len(mains) != 1 or mains[0].attrs.get("id") != "contenu":
        problems.append(f'{len(mains)} <main>, expected exactly one <main id="contenu">')
    first = next((e for e in doc.iter() if focusable(e)), None)
    # A page made for a partner's frame has nothing before its content to skip (WCAG 2.4.1).
    skip = page_type(path) not in EMBED_TYPES
    if skip and (first is None or first.tag != "a" or first.attrs.get("href") != "#contenu"):
        shown = f"<{first.tag} href={first.attrs.get('href')!r}>" if first else "nothing"
        problems.append(f"first focusable element is {shown}, not the skip link to #contenu")
    headings = [(int(e.tag[1]), e.line) for e in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    if sum(1 for level, _ in headings if level == 1) != 1:
        problems.append(f"{sum(1 for level, _ in headings if level == 1)} <h1>, expected one")
    previous = 0
    for level, line in headings:
        if level > previous + 1:
            problems.append(f"line {line}: <h{level}> after <h{previous}> skips a level")
        previous = level
    # The document's title: in <head> (an inline SVG map has titles of its own, in <body>).
    titles = [t for head in doc.iter("head") for t in head.iter("title")]
    if len(titles) != 1 or not titles[0].text.strip():
        problems.append("no single non-empty <title>")
    viewports = [m for m in doc.iter("meta") if m.attrs.get("name") == "viewport"]
    if len(viewports) != 1:
        problems.append("no single viewport <meta>")
    else:
        # WCAG 1.4.4: the page follows the screen's width and nothing stops people from zooming.
        content = viewports[0].attrs.get("content") or ""
        values = dict(
            (k.strip().lower(), v.strip().lower())
            for k, _, v in (part.partition("=") for part in re.split(r"[,;]", content) if part.strip())
        )
        if values.get("width") != "device-width":
            problems.append(f"viewport width is not device-width: {content!r}")
        if values.get("user-scalable") in ("no", "0"):
            problems.append(f"viewport locks zoom: {content!r}")
        if "maximum-scale" in values:
            problems.append(f"viewport limits zoom with maximum-scale: {content!r}")
    for e in doc.iter():
        for name in e.attr_names:
            if name.startswith("on"):
                problems.append(f"line {e.line}: inline event handler {name}= on <{e.tag}>")
            if name == "style":
                problems.append(f"line {e.line}: style= attribute on <{e.tag}>")
        loads: list[str] = []
        if e.tag == "link" and not (set((e.attrs.get("rel") or "").lower().split()) <= NON_LOADING_RELS):
            loads.append(e.attrs.get("href") or "")
            if (e.attrs.get("as") or "").lower() == "font":
                problems.append(f"line {e.line}: font preloaded")
        if e.tag in ("script", "img", "iframe", "source", "video", "audio", "embed", "track", "input"):
            loads.append(e.attrs.get("src") or "")
        for attr in ("srcset", "poster"):
            loads += [part.strip().split(" ")[0] for part in (e.attrs.get(attr) or "").split(",")]
        if e.tag == "object":
            loads.append(e.attrs.get("data") or "")
        if e.tag == "style":
            loads += css_urls(e.text)
        for url in loads:
            if is_external(url):
                problems.append(f"line {e.line}: external resource {url} loaded by <{e.tag}>")
    problems += script_problems(path, doc)
    return problems


def script_problems(path: str, doc: Element) -> list[str]:
    """Which scripts a page may load.

    * ``/static/ouvert.js``, the open-now badge, on a page with opening hours and the badge;
    * ``/static/carte.js``, which turns « Afficher la carte » links into a button, on a page
      with such a link (and on every such page);
    * ``/static/recherche.js`` on the search page;
    * ``/static/commune.js``, the commune finder, on a page with its result area (home, A–Z page);
    * on a map page (``carte/…``): Leaflet, then the marker-cluster plugin when the page has its
      stylesheet, then the page's own ``map.js``, in this order (deferred scripts run in order).

    Never an inline script, never twice the same script.
    """
    problems = []
    scripts = list(doc.iter("script"))
    srcs = [s.attrs.get("src") for s in scripts]
    problems += [f"{src} loaded {n} times" for src, n in Counter(srcs).items() if src and n > 1]
    for s in scripts:
        if s.text.strip():
            problems.append(f"line {s.line}: inline script")
    if page_type(path) in MAP_TYPES:
        styles = {e.attrs.get("href") for e in doc.iter("link") if "stylesheet" in (e.attrs.get("rel") or "")}
        clustered = any((h or "").endswith("/MarkerCluster.css") for h in styles)
        wanted = [LEAFLET_JS, *([CLUSTER_JS] if clustered else []), "/static/carte-leaflet.js"]
        wanted.append(url_of(path) + "map.js")
        if srcs != wanted:
            problems.append(f"map scripts {srcs}, expected {wanted}")
        return problems
    has_hours = any(e.tag == "table" and "mn-hours" in e.classes for e in doc.iter("table"))
    has_badge = bool(doc.find_class("mn-open"))
    has_map_link = any("mn-map-link" in a.classes for a in doc.iter("a"))
    for s in scripts:
        src = s.attrs.get("src")
        if src == "/static/ouvert.js":
            if not (has_badge and has_hours):
                problems.append(f"line {s.line}: ouvert.js on a page without opening hours")
        elif src == "/static/carte.js":
            if not has_map_link:
                problems.append(f"line {s.line}: carte.js on a page without a map link")
        elif src == "/static/recherche.js":
            if path != "recherche/index.html":
                problems.append(f"line {s.line}: recherche.js on another page than the search page")
        elif src == "/static/commune.js":
            if not doc.find_class("mn-finder__result"):
                problems.append(f"line {s.line}: commune.js on a page without the commune finder")
        else:
            problems.append(
                f"line {s.line}: <script src={src!r}> (only /static/ouvert.js, /static/carte.js, "
                "/static/recherche.js, /static/commune.js, and on map pages Leaflet and their map.js, allowed)"
            )
    if has_map_link and "/static/carte.js" not in srcs:
        problems.append("map link without carte.js")
    return problems


BAD_PAGE = """<!doctype html>
<html lang="en"><head><meta name="viewport" content="width=device-width, user-scalable=no">
<link rel="stylesheet" href="https://fonts.example/x.css"><style>b { background: url(//cdn.example/b.png) }</style>
</head><body><a href="/">Accueil</a><a class="mn-skip" href="#contenu">Aller au contenu</a>
<main id="contenu"><h1>A</h1><h3 onclick="x()" style="color: red">B</h3><h1>C</h1>
<img src="http://img.example/a.png"><script>alert(1)</script><script src="/static/ouvert.js"></script>
<script src="/static/carte.js"></script><script src="/static/recherche.js"></script></main>
<main></main></body></html>"""

BAD_MAP_PAGE = """<!doctype html>
<html lang="fr"><head><title>Carte</title><meta name="viewport" content="width=device-width, maximum-scale=1">
<link rel="stylesheet" href="/static/vendor/leaflet-1.9.4/leaflet.css">
<link rel="stylesheet" href="https://data.geopf.fr/tiles.css"></head>
<body><a class="mn-skip" href="#contenu">Aller au contenu</a><main id="contenu"><h1>Carte</h1>
<div class="folium-map" id="map_1" style="height: 100%"></div><img src="https://data.geopf.fr/wmts?x=1"></main>
<script src="/carte/lieux/x/map.js" defer></script><script src="/static/vendor/leaflet-1.9.4/leaflet.js" defer></script>
<script>L.map("map_1")</script></body></html>"""


def test_shell_checks_catch_each_mistake():
    """The checks of test_page_shell do fail on a page that breaks each rule."""
    found = "\n".join(shell_problems("bad.html", parse_html(BAD_PAGE)))
    for expected in (
        '<html lang="fr">',
        "2 <main>",
        "not the skip link",
        "2 <h1>",
        "<h3> after <h1> skips a level",
        "no single non-empty <title>",
        "viewport locks zoom",
        "inline event handler onclick=",
        "style= attribute",
        "external resource https://fonts.example/x.css",
        "external resource //cdn.example/b.png",
        "external resource http://img.example/a.png",
        "<script src=None>",
        "inline script",
        "ouvert.js on a page without opening hours",
        "carte.js on a page without a map link",
        "recherche.js on another page than the search page",
    ):
        assert expected in found, f"{expected!r} not reported in:\n{found}"
    found = "\n".join(shell_problems("carte/lieux/x/index.html", parse_html(BAD_MAP_PAGE)))
    for expected in (
        "viewport limits zoom",
        "style= attribute on <div>",
        "external resource https://data.geopf.fr/tiles.css",
        "external resource https://data.geopf.fr/wmts?x=1",
        "inline script",
        "map scripts ['/carte/lieux/x/map.js', '/static/vendor/leaflet-1.9.4/leaflet.js', None]",
    ):
        assert expected in found, f"{expected!r} not reported in:\n{found}"


def test_page_shell(site):
    problems = []
    for path in sorted(site.html_pages):
        problems += [f"{path}: {p}" for p in shell_problems(path, site.tree(path))]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:200])


def test_no_web_fonts_and_no_external_resource_in_css(site):
    problems = []
    for path, data in site.files.items():
        if re.search(r"\.(woff2?|ttf|otf|eot)$", path):
            problems.append(f"font file: {path}")
        if path.endswith(".css"):
            css = data.decode("utf-8")
            if "@font-face" in css:
                problems.append(f"{path}: @font-face")
            problems += [f"{path}: external url {u}" for u in css_urls(css) if is_external(u)]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# 3. Weight budget


@functools.cache
def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def gz(data: bytes) -> int:
    return _gz(data)


def page_weight(site: Site, path: str) -> int:
    """gzip -9 of the HTML plus the stylesheets it links (scripts are counted apart)."""
    total = gz(site.files[path])
    for link in site.tree(path).iter("link"):
        if "stylesheet" in (link.attrs.get("rel") or "").split():
            total += gz(site.files[(link.attrs.get("href") or "").lstrip("/")])
    return total


def map_places(site: Site, path: str):
    """What a map page's script gives mnPlaces: a GeoJSON address (big maps) or a FeatureCollection."""
    script = site.text(path.removesuffix("index.html") + "map.js")
    found = re.findall(r"^mnPlaces\(map_\w+, (.*), (?:true|false)\);$", script, re.M)
    return json.loads(found[0]) if found else None


def map_data_url(site: Site, path: str) -> str | None:
    """The GeoJSON a map page's script fetches, if any (``mnPlaces(map, "/carte/…/lieux.geojson", …)``)."""
    places = map_places(site, path)
    return places if isinstance(places, str) else None


def map_weight(site: Site, path: str) -> tuple[int, list[str]]:
    """gzip -9 of a map page with everything it loads: its CSS, its scripts, the GeoJSON its script fetches."""
    doc = site.tree(path)
    loaded = [
        (link.attrs.get("href") or "")
        for link in doc.iter("link")
        if "stylesheet" in (link.attrs.get("rel") or "")
    ]
    loaded += [s.attrs.get("src") or "" for s in doc.iter("script")]
    data = map_data_url(site, path)
    loaded += [data] if data else []
    files = [u.lstrip("/") for u in loaded]
    return gz(site.files[path]) + sum(gz(site.files[f]) for f in files if f in site.files), files


def test_weight_budget(site):
    types = site.by_type()
    rows, problems = [], []
    for kind in sorted(types):
        if kind == "?" or kind in MAP_TYPES or not any(p.endswith(".html") for p in types[kind]):
            continue
        weights = {p: page_weight(site, p) for p in types[kind]}
        heaviest = max(weights, key=lambda p: (weights[p], p))
        budget = BUDGETS_KB.get(kind)
        rows.append(
            (kind, len(weights), f"{weights[heaviest] / KB:.1f}", f"≤ {budget}" if budget else "—", heaviest)
        )
        if budget:
            problems += [
                f"{p}: {w / KB:.1f} KB > {budget} KB ({kind})"
                for p, w in sorted(weights.items())
                if w > budget * KB
            ]
    # Map pages: the page with everything it loads, the département map (all the markers) included.
    map_rows = []
    for kind in MAP_TYPES:
        weights = {p: map_weight(site, p)[0] for p in types.get(kind, [])}
        if not weights:
            problems.append(f"no {kind} page")
            continue
        heaviest = max(weights, key=lambda p: (weights[p], p))
        map_rows.append((kind, len(weights), f"{weights[heaviest] / KB:.1f}", f"≤ {MAP_BUDGET_KB}", heaviest))
        problems += [
            f"{p}: {w / KB:.1f} KB with its CSS, scripts and data > {MAP_BUDGET_KB} KB ({kind})"
            for p, w in sorted(weights.items())
            if w > MAP_BUDGET_KB * KB
        ]
    department, loaded = map_weight(site, "carte/index.html")
    for wanted in ("carte/map.js", "carte/lieux.geojson", LEAFLET_JS.lstrip("/"), CLUSTER_JS.lstrip("/")):
        if wanted not in loaded:
            problems.append(f"carte/index.html: {wanted} not counted in its weight ({loaded})")

    # The site's own stylesheet (the one every page links); Leaflet's CSS is counted with the maps.
    css = [p for p in site.files if page_type(p) == "css"]
    css_raw = sum(len(site.files[p]) for p in css)
    css_gz = sum(gz(site.files[p]) for p in css)
    js = sorted(p for p in site.files if p.endswith(".js"))
    js_groups = defaultdict(list)
    for p in js:
        js_groups[page_type(p)].append(p)
    print("\nHeaviest page by type (gzip -9 of the HTML + its CSS; 1 KB = 1024 bytes)\n")
    print(table(rows, ("type", "pages", "KB", "budget KB", "heaviest page")))
    print("\nHeaviest map page by type (gzip -9 of the HTML + CSS + scripts + GeoJSON)\n")
    print(table(map_rows, ("type", "pages", "KB", "budget KB", "heaviest page")))
    print(f"département map: {department / KB:.1f} KB ({', '.join(loaded)})")
    print(
        f"CSS: {len(css)} file(s), {css_raw / KB:.1f} KB raw, {css_gz / KB:.1f} KB gzip (budget {CSS_BUDGET_KB} KB)"
    )
    for kind, paths in sorted(js_groups.items()):
        shown = ", ".join(paths) if len(paths) <= 3 else f"{len(paths)} files"
        print(f"JS {kind}: {shown}, {sum(gz(site.files[p]) for p in paths) / KB:.1f} KB gzip")

    if css_gz > CSS_BUDGET_KB * KB:
        problems.append(f"CSS {css_gz / KB:.1f} KB > {CSS_BUDGET_KB} KB")
    # Every script is an enhancement: the badge, the map button, the search, the maps, Pagefind,
    # the commune finder.
    allowed_js = {"static/ouvert.js", "static/carte.js", "static/carte-leaflet.js", "static/recherche.js"}
    allowed_js |= {"static/commune.js"}
    allowed_js |= {u.lstrip("/") for u in VENDOR_JS} | {"pagefind/pagefind.js", "pagefind/pagefind-worker.js"}
    allowed_js |= {p for p in js if page_type(p) == "map-script"}
    unexpected = [p for p in js if p not in allowed_js]
    assert not unexpected, f"unexpected JavaScript files: {unexpected}"
    assert not problems, "over budget:\n" + "\n".join(problems)


def hidden(e: Element) -> bool:
    return any("hidden" in x.attrs for x in (e, *e.ancestors()))


def test_no_javascript_needed_for_core_tasks(site):
    """Every script is deferred and adds to what the HTML already says.

    * The open-now badge (ouvert.js) works from the hours table, which is in the HTML.
    * « Afficher la carte » (carte.js) is a link to the map page: it works without the script.
    * The commune finder (commune.js): without it the form opens the A–Z page, which says how to
      choose (tests/browser/test_commune_finder.py); « Près de chez moi » is hidden in the HTML.
    * The search page (recherche.js, Pagefind) keeps its form hidden and offers, in the HTML,
      the links to browse by commune and by need.
    * A map needs JavaScript; it is not a core page. Its text alternative is the list of the
      same places, with their addresses, on the page it links back to (see test_map_pages).
    """
    problems = []
    core_scripts = {"/static/ouvert.js", "/static/carte.js", "/static/commune.js"}
    for path in site.html_pages:
        doc = site.tree(path)
        kind = page_type(path)
        scripts = list(doc.iter("script"))
        srcs = {s.attrs.get("src") for s in scripts}
        for s in scripts:
            if "defer" not in s.attrs:
                problems.append(f"{path}: script {s.attrs.get('src')} not deferred")
        if kind in MAP_TYPES:
            continue
        if kind != "search" and srcs - core_scripts:
            problems.append(f"{path}: scripts {sorted(srcs - core_scripts)} on a core page")
        for badge in doc.find_class("mn-open"):
            if "hidden" not in badge.attrs:
                problems.append(f"{path}: open-now badge shown before the script fills it")
            if badge.text.strip():
                problems.append(f"{path}: open-now badge has content the HTML would show without the script")
        if "/static/ouvert.js" in srcs:
            tables = [t for t in doc.iter("table") if "mn-hours" in t.classes]
            rows = [r for t in tables for r in t.iter("tr")]
            if len(rows) < 7:
                problems.append(f"{path}: the hours table is not in the HTML ({len(rows)} rows)")
        for a in doc.iter("a"):
            if "mn-map-link" not in a.classes:
                continue
            href = a.attrs.get("href") or ""
            target = href.lstrip("/") + "index.html"
            if (
                not href.startswith("/carte/")
                or page_type(target) not in MAP_TYPES
                or target not in site.files
            ):
                problems.append(f"{path}:{a.line}: map link {href!r} does not lead to a map page")
            if hidden(a) or not a.text.strip():
                problems.append(f"{path}:{a.line}: map link hidden or empty without JavaScript")
    search = site.tree("recherche/index.html")
    form = next(search.iter("form"), None)
    if form is None or "hidden" not in form.attrs:
        problems.append("recherche/index.html: the search form is shown without the script that runs it")
    main = next(search.iter("main"))
    browse = {a.attrs.get("href") for a in main.iter("a") if not hidden(a)}
    if not {"/#commune", "/#besoin"} <= browse:
        problems.append(
            f"recherche/index.html: no links to browse by commune and need without JavaScript ({browse})"
        )
    if not any("JavaScript" in p.text and not hidden(p) for p in main.iter("p")):
        problems.append("recherche/index.html: nothing says the search by words needs JavaScript")
    site_pages = [p for p in site.html_pages if page_type(p) == "site"]
    assert any(
        "/static/ouvert.js" in {s.attrs.get("src") for s in site.tree(p).iter("script")} for p in site_pages
    ), "no page uses the open-now badge"
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# 4. Links


def test_internal_links_and_fragments_resolve(site):
    ids: dict[str, set[str]] = {}

    def ids_of(path: str) -> set[str]:
        if path not in ids:
            ids[path] = {e.attrs["id"] for e in site.tree(path).iter() if e.attrs.get("id")}
        return ids[path]

    broken, checked = [], 0
    for path in sorted(site.html_pages):
        base = url_of(path)
        for e in site.tree(path).iter():
            for attr in ("href", "src"):
                href = e.attrs.get(attr)
                if href is None:
                    continue
                parts = urlsplit(href)
                if parts.scheme or parts.netloc:
                    continue  # mailto:, tel:, sms:, geo:, https: …
                checked += 1
                target_url = urlsplit(urljoin(base, href))
                target_path = unquote(target_url.path)
                target = target_path.lstrip("/")
                if target_path.endswith("/"):
                    target += "index.html"
                if target not in site.files:
                    broken.append(f"{path}:{e.line}: {attr}={href!r} → {target} does not exist")
                    continue
                fragment = unquote(target_url.fragment)
                if fragment and (not target.endswith(".html") or fragment not in ids_of(target)):
                    broken.append(f"{path}:{e.line}: {attr}={href!r} → no id {fragment!r} in {target}")
    assert checked > 1000
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:200])


# --------------------------------------------------------------------------------------------------
# 4b. Map pages: each with its way back to the list of the same places


def map_point_urls(site: Site, path: str) -> list[str]:
    """The help-point pages (``lieux/x/``) of a map's markers: from its GeoJSON or its script's popups."""
    places = map_places(site, path)
    if isinstance(places, str):
        places = json.loads(site.files[places.lstrip("/")])
    return [f["properties"]["url"] for f in places["features"]] if places else []


HERAULT_BOX = ((42.9, 2.4), (44.2, 4.4))  # (south, west), (north, east), with a margin


def test_map_pages(site):
    problems = []
    counts = Counter()
    back_of = {
        "map-department": lambda slug: "/",
        "map-epci": lambda slug: f"/territoires/{slug}/",
        "map-commune": lambda slug: f"/communes/{slug}/",
        "map-site": lambda slug: f"/lieux/{slug}/",
    }
    for path in sorted(p for p in site.html_pages if page_type(p) in MAP_TYPES):
        kind = page_type(path)
        doc, html_text = site.tree(path), site.text(path)
        script = site.text(path.removesuffix("index.html") + "map.js")
        h1s = [" ".join(h.text.split()) for h in doc.iter("h1")]
        title = " ".join(next(doc.iter("title")).text.split())
        if len(h1s) != 1 or not title.startswith(h1s[0]):
            problems.append(f"{path}: title {title!r} does not start with the <h1> {h1s}")
        # The tile server is only in the script's configuration (and in the page's security policy,
        # which allows its images); nothing else leaves the site.
        policy = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
        if TILE_HOST in policy.sub("", html_text):
            problems.append(f"{path}: the tile server {TILE_HOST} appears in the HTML")
        if TILE_HOST not in script:
            problems.append(f"{path}: map.js does not use the tile server {TILE_HOST}")
        hosts = set(re.findall(r"https?://([^/\s\"'`)?\\]+)", script)) - {TILE_HOST, "leafletjs.com"}
        if hosts:
            problems.append(f"{path}: map.js addresses other servers: {sorted(hosts)}")
        # The way back to the list of places, with or without JavaScript.
        slug = path.split("/")[-2]
        back = back_of[kind](slug)
        bar = [a for a in doc.iter("a") if a.attrs.get("target") == "_top" and not hidden(a)]
        if [a.attrs.get("href") for a in bar] != [back]:
            problems.append(
                f"{path}: links out of the frame {[a.attrs.get('href') for a in bar]}, expected [{back!r}]"
            )
        label = " ".join(bar[0].text.split()) if bar else ""
        noscript = [a for n in doc.iter("noscript") for a in n.iter("a")]
        if [a.attrs.get("href") for a in noscript] != [back]:
            problems.append(
                f"{path}: <noscript> links {[a.attrs.get('href') for a in noscript]}, expected [{back!r}]"
            )
        elif label:
            text = " ".join(noscript[0].text.split())
            if text != label[:1].lower() + label[1:]:
                problems.append(
                    f"{path}: <noscript> link {text!r} is not the label {label!r} (names changed?)"
                )
        back_path = back.lstrip("/") + "index.html"
        if back_path not in site.files:
            problems.append(f"{path}: back link {back} leads nowhere")
            continue
        links = [a for a in site.tree(back_path).iter("a") if "mn-map-link" in a.classes]
        if [(a.attrs.get("href"), a.attrs.get("data-title")) for a in links] != [
            (url_of(path), h1s[0] if h1s else None)
        ]:
            problems.append(
                f"{back_path}: map links {[(a.attrs.get('href'), a.attrs.get('data-title')) for a in links]}, "
                f"expected one to {url_of(path)} titled like the map"
            )
        # The markers: help points of the site; each listed, with its address, on the page back.
        urls = map_point_urls(site, path)
        counts[kind] += len(urls)
        if not urls:
            problems.append(f"{path}: a map without markers")
        problems += [
            f"{path}: marker of {u}, a page that does not exist"
            for u in urls
            if u + "index.html" not in site.files
        ]
        if kind == "map-department":
            wanted = sorted(f"lieux/{i}/" for i in MAPPED_SITES)
            if sorted(urls) != wanted:
                problems.append(
                    f"{path}: {len(urls)} markers, expected one per help point with coordinates ({len(wanted)})"
                )
        elif kind == "map-site":
            if set(urls) != {f"lieux/{slug}/"}:
                problems.append(f"{path}: markers of other places: {sorted(set(urls))}")
        else:
            listed = {a.attrs.get("href") for a in site.tree(back_path).iter("a")}
            problems += [
                f"{path}: marker of /{u} not listed on {back}"
                for u in sorted(set(urls))
                if "/" + u not in listed
            ]
        # Clustered maps fetch their markers from a GeoJSON next to them, in the Hérault, [lon, lat].
        data = map_data_url(site, path)
        if (kind in ("map-department", "map-epci")) != (data == url_of(path) + "lieux.geojson"):
            problems.append(f"{path}: fetches {data!r}")
        if data:
            collection = json.loads(site.files[data.lstrip("/")])
            if collection.get("type") != "FeatureCollection":
                problems.append(f"{data}: not a FeatureCollection")
            (south, west), (north, east) = HERAULT_BOX
            for f in collection.get("features", []):
                lon, lat = f["geometry"]["coordinates"]
                if not (south <= lat <= north and west <= lon <= east):
                    problems.append(
                        f"{data}: marker of {f['properties'].get('url')} at {lat}, {lon}, outside the Hérault"
                    )
            if not doc.find_class("mn-map-note") or not any(
                e.attrs.get("id") == "mn-map-error" and "hidden" in e.attrs for e in doc.iter("p")
            ):
                problems.append(f"{path}: no hidden message for markers that could not be loaded")
    # Every page whose record has a map links to it.
    pages_with_maps = [
        "index.html",
        *(f"communes/{c}/index.html" for c in MAP_COMMUNES),
        *(f"territoires/{e}/index.html" for e in MAP_EPCIS),
        *(f"lieux/{i}/index.html" for i in MAP_SITES),
    ]
    for path in sorted(pages_with_maps):
        if not any("mn-map-link" in a.classes for a in site.tree(path).iter("a")):
            problems.append(f"{path}: no « Afficher la carte » link, though it has a map")
    print("\nMap markers by map type:", dict(counts))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:200])


# --------------------------------------------------------------------------------------------------
# 5. Example records are visible as examples


def first_link(li: Element) -> str | None:
    a = next((a for a in li.iter("a") if a.attrs.get("href")), None)
    return a.attrs["href"] if a else None


def has_example_tag(li: Element) -> bool:
    return any(t.text.strip().startswith("Exemple") for t in li.find_class("mn-tag--example"))


def test_example_records_are_marked(site):
    problems = []
    record_pages = [
        *(f"lieux/{i}/index.html" for i in EXAMPLE_SITES),
        *(f"ateliers/{i}/index.html" for i in EXAMPLE_WORKSHOPS),
        *(f"formations/{i}/index.html" for i in EXAMPLE_TRAININGS),
    ]
    for path in sorted(record_pages):
        if not site.tree(path).find_class("mn-notice--example"):
            problems.append(f"{path}: example record without the example notice")
    for i in sorted(REAL_SITES):
        path = f"lieux/{i}/index.html"
        doc = site.tree(path)
        if doc.find_class("mn-notice--example") or "Exemple :" in doc.text:
            problems.append(f"{path}: real place shown as an example")

    examples = {
        **{f"/lieux/{i}/": True for i in EXAMPLE_SITES},
        **{f"/lieux/{i}/": False for i in REAL_SITES},
        **{f"/ateliers/{w['id']}/": w.get("exemple") is True for w in WORKSHOPS},
        **{f"/formations/{t['id']}/": t.get("exemple") is True for t in TRAININGS},
    }
    entries = Counter()
    for path in sorted(site.html_pages):
        for li in site.tree(path).iter("li"):
            href = first_link(li)
            if href not in examples or path.removeprefix("carte/").startswith(href.lstrip("/")):
                # Not a record, or the breadcrumb of the record's own sub-page (which has the notice)
                # or map (whose title says « exemple, lieu fictif »: checked below).
                continue
            entries[href.split("/")[1], examples[href]] += 1
            tagged = has_example_tag(li)
            if examples[href] and not tagged:
                problems.append(f"{path}:{li.line}: entry of example {href} without the « Exemple » tag")
            if not examples[href] and tagged:
                problems.append(f"{path}:{li.line}: entry of real {href} tagged « Exemple »")
    print("\nList entries checked (section, example):", dict(entries))
    assert entries["lieux", True] > 0 and entries["lieux", False] > 0 and entries["ateliers", True] > 0

    # On the maps: the title of an example's map, its popup, its marker on the big maps.
    for i in sorted(MAP_SITES):
        path = f"carte/lieux/{i}/index.html"
        h1 = " ".join(next(site.tree(path).iter("h1")).text.split())
        # The marker's data says so; mnPopup (static/carte-leaflet.js) writes « Exemple, lieu fictif ».
        places = map_places(site, path)
        popup = bool(places) and all(f["properties"].get("exemple") for f in places["features"])
        if (i in EXAMPLE_SITES) != ("exemple" in h1.lower()):
            problems.append(
                f"{path}: title {h1!r} for {'an example' if i in EXAMPLE_SITES else 'a real place'}"
            )
        if (i in EXAMPLE_SITES) != popup:
            problems.append(
                f"carte/lieux/{i}/map.js: popup {'without' if not popup else 'with'} « Exemple, lieu fictif »"
            )
    for path in sorted(p for p in site.files if page_type(p) == "map-data"):
        for feature in json.loads(site.files[path])["features"]:
            props = feature["properties"]
            record = props["url"].strip("/").split("/")[-1]
            if props.get("exemple", False) != (record in EXAMPLE_SITES):
                problems.append(f"{path}: marker of {props['url']} with exemple={props.get('exemple')}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:200])


# --------------------------------------------------------------------------------------------------
# 6. The agenda drops past sessions

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
FRENCH_DATE = re.compile(rf"({'|'.join(WEEKDAYS)}) (\d{{1,2}})(?:er)? ({'|'.join(MONTHS)}) (\d{{4}})", re.I)


def parse_french_date(text: str) -> tuple[str, dt.date] | None:
    m = FRENCH_DATE.search(text)
    if not m:
        return None
    weekday, day, month, year = m.groups()
    return weekday.lower(), dt.date(int(year), MONTHS.index(month.lower()) + 1, int(day))


def agenda(site: Site) -> tuple[list[dt.datetime], list[str]]:
    """The sessions of the agenda and the problems of its week headings."""
    main = next(site.tree("ateliers/index.html").iter("main"))
    sessions, problems, week = [], [], None
    for e in main.iter("h2", "time"):
        if e.tag == "h2":
            found = parse_french_date(e.text)
            if not found:
                problems.append(f"line {e.line}: week heading without a date: {e.text!r}")
                continue
            weekday, week = found
            if weekday != "lundi" or week.weekday() != 0:
                problems.append(f"line {e.line}: week heading is not a Monday: {e.text!r}")
        else:
            start = dt.datetime.fromisoformat(e.attrs["datetime"])
            sessions.append(start)
            if week is None or not week <= start.date() < week + dt.timedelta(days=7):
                problems.append(f"line {e.line}: session {start} not in the week of its heading {week}")
    return sessions, problems


def test_agenda_drops_past_sessions(site, later_site):
    problems = []
    counts = {}
    for built, date in ((site, BUILD_DATE), (later_site, LATER_DATE)):
        today = dt.date.fromisoformat(date)
        sessions, week_problems = agenda(built)
        counts[date] = len(sessions)
        problems += [f"{date}: {p}" for p in week_problems]
        problems += [f"{date}: past session {s} on the agenda" for s in sessions if s.date() < today]
        # One entry per workshop and week (theme/components/session-list): its dates in order, the
        # entries in the order of their first dates.
        entries = [
            [dt.datetime.fromisoformat(t.attrs["datetime"]) for t in li.iter("time")]
            for li in next(built.tree("ateliers/index.html").iter("main")).find_class("mn-session")
        ]
        firsts = [times[0] for times in entries if times]
        if sorted(sessions) != sorted(t for times in entries for t in times):
            problems.append(f"{date}: sessions outside the workshop entries")
        if any(times != sorted(times) for times in entries) or firsts != sorted(firsts):
            problems.append(f"{date}: sessions not in date order")
        # No past session anywhere else either (home, places, communes, territories): every page
        # of the main build, the home page of the later one.
        for path in built.html_pages if built is site else ["index.html"]:
            if b"mn-sessions" not in built.files[path]:
                continue
            for lst in built.tree(path).find_class("mn-sessions"):
                for t in lst.iter("time"):
                    if dt.datetime.fromisoformat(t.attrs["datetime"]).date() < today:
                        problems.append(f"{date}: {path}:{t.line}: past session {t.attrs['datetime']}")
    print(f"\nAgenda sessions: {counts}")
    assert counts[BUILD_DATE] > 0
    assert 0 < counts[LATER_DATE] < counts[BUILD_DATE], counts
    assert not problems, "\n".join(problems[:100])


# --------------------------------------------------------------------------------------------------
# 7. French formatting


def main_text(site: Site, path: str) -> str:
    return " ".join(next(site.tree(path).iter("main")).text.split())


def test_french_dates_hours_and_phones(site):
    castries = "lieux/france-services-castries/index.html"
    record = next(s for s in SITES if s["id"] == "france-services-castries")
    assert record["telephone"] == "+33467162442"
    assert record["horaires"].startswith("Mo-Th 09:00-12:00,14:00-18:00")
    text = main_text(site, castries)
    problems = []
    for wanted in ("04 67 16 24 42", "9 h – 12 h et 14 h – 18 h", "Lundi", "Fermé"):
        if wanted not in text:
            problems.append(f"{castries}: {wanted!r} not found")
    rows = {
        r.iter("th").__next__().text.strip(): r.iter("td").__next__().text.strip()
        for r in site.tree(castries).iter("tr")
    }
    for day in ("Lundi", "Mardi", "Mercredi", "Jeudi"):
        if rows.get(day) != "9\u00a0h\u00a0–\u00a012\u00a0h et 14\u00a0h\u00a0–\u00a018\u00a0h":
            problems.append(f"{castries}: {day} hours are {rows.get(day)!r}")
    if 'href="tel:+33467162442"' not in site.text(castries):
        problems.append(f"{castries}: phone link is not tel:+33467162442")
    agenda_text = main_text(site, "ateliers/index.html")
    if "lundi 23 novembre 2026" not in agenda_text:
        problems.append("ateliers/index.html: 'lundi 23 novembre 2026' not found")
    if "1er décembre 2026" not in agenda_text:
        problems.append("ateliers/index.html: '1er décembre 2026' not found")
    footer = " ".join(next(site.tree("index.html").iter("footer")).text.split())
    if "23 novembre 2026" not in footer:
        problems.append(f"index.html: build date not in the footer: {footer!r}")
    # No machine formats anywhere in the visible text of the catalogue pages.
    machine = re.compile(r"\b\d{1,2}:\d{2}\b|\b20\d\d-\d\d-\d\d\b|\+33\d{9}\b|\b(?:AM|PM)\b")
    sources = {" ".join(str(r["source"]).split()) for r in SITES if r.get("source")}
    for path in site.html_pages:
        if page_type(path) == "content":
            continue
        text = main_text(site, path)
        for source in sources:  # a source is quoted as written (« … (2022-12-01) »)
            text = text.replace(source, "")
        for m in machine.finditer(text):
            problems.append(f"{path}: machine format {m.group()!r} in the text")
    assert not problems, "\n".join(problems[:100])


# A time as the pages write it, whatever its spaces: « 9 h », « 12 h 30 ».
TIME_WORDS = r"\b\d{1,2}\s+h(?:\s+\d\d)?\b"


def test_hours_of_a_place_never_break_inside_a_range(site):
    """« 9 h – 12 h » is one unbreakable unit: only no-break spaces (U+00A0) around the « h »,
    the minutes and the en dash of a range, in the weekly table and in the exceptions below it.
    A line may only break between the ranges of a day (« 9 h – 12 h et 14 h – 18 h »)."""
    time_range = re.compile(rf"{TIME_WORDS}\s+–\s+{TIME_WORDS}")
    alone = re.compile(TIME_WORDS)
    breakable = re.compile(r"[^\S\u00a0]")  # any white space but the no-break one
    places = [p for p in sorted(site.html_pages) if p.startswith("lieux/") and p.count("/") == 2]
    ranges, problems = 0, []
    for path in places:
        tree = site.tree(path)
        for block in [*tree.find_class("mn-hours"), *tree.find_class("mn-hours__exceptions")]:
            for cell in block.iter("td", "li"):
                text = cell.text
                for m in [*time_range.finditer(text), *alone.finditer(text)]:
                    ranges += "–" in m.group()
                    if breakable.search(m.group()):
                        problems.append(f"{path}: {m.group()!r} in {text!r}")
    assert ranges > 100, f"only {ranges} ranges of hours found on {len(places)} place pages"
    assert not problems, "a line may break inside a time or a range:\n" + "\n".join(problems[:50])


def test_decimal_numbers_are_written_the_french_way(site):
    """« 10,5 h » or « 10 h 30 », never « 10.5 h » (nor « 3.5 heures »)."""
    decimal_point = re.compile(r"\b\d+\.\d+\s*(?:h|heures?|km|€)(?!\w)")
    problems = [
        f"{path}: {m.group()!r}"
        for path in sorted(site.html_pages)
        for m in decimal_point.finditer(main_text(site, path))
    ]
    assert not problems, "decimal point instead of a French decimal comma:\n" + "\n".join(problems)


def test_count_sentence_agrees_with_the_count(site):
    """« 1 lieu, classé par territoire », not « 1 lieu, classés par territoire »."""
    wrong = re.compile(r"\b1 lieu(?: sur \d+)?, classés\b")
    problems = [
        f"{path}: {m.group()!r}"
        for path in sorted(site.html_pages)
        for m in wrong.finditer(main_text(site, path))
    ]
    assert not problems, "singular count with a plural participle:\n" + "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# 8. Reproducible builds


def test_two_builds_are_byte_identical(site, demo_site_again):
    """Everything, Pagefind's index (pagefind/) included; the PDFs are made once (see
    conftest.pdf_of_first_build and test_print's reproducibility test). The second build, another
    Pelican run, takes its date from SOURCE_DATE_EPOCH (noon of the first one's date, UTC):
    the date of the day is the only thing that can differ between two builds of the same data."""
    # Pagefind 1.5.2 writes filter values in hash-map order; mednum.pagefind_order sorts them.
    assert any(path.startswith("pagefind/filter/") for path in site.files)
    differences = tree_differences(site.files, tree_bytes(demo_site_again))
    if differences:
        print(f"\n{len(differences)} differing files between two builds:\n" + "\n".join(differences))
    assert not differences, "two builds of the same data differ:\n" + "\n".join(differences)


# --------------------------------------------------------------------------------------------------
# 9. A failed build leaves the previous site intact


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    return data


def line_of(path: Path, text: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "staging" in p.name or "-old-" in p.name)


def previous_site(site: Site, tmp_path: Path) -> Path:
    """A folder holding a valid site (a copy of the module's build), as ``make site`` leaves it."""
    out = tmp_path / "www" / "output"
    shutil.copytree(site.out, out)
    return out


def test_bad_data_leaves_the_previous_site_intact(site, tmp_path, capsys):
    data = copy_data(tmp_path)
    sites_file, workshops_file = data / "sites.yaml", data / "workshops.yaml"
    out = previous_site(site, tmp_path)
    before = tree_bytes(out)
    assert before == site.files
    capsys.readouterr()

    # A wrong postal code for Castries (34160) and a time written 17h30 instead of "17:30".
    text = sites_file.read_text(encoding="utf-8")
    record = text.index("- id: france-services-castries")
    postal = text.index('code_postal: "34160"', record)
    sites_file.write_text(text[:postal] + 'code_postal: "34170"' + text[postal + 20 :], encoding="utf-8")
    postal_line = line_of(sites_file, 'code_postal: "34170"', "- id: france-services-castries")
    text = workshops_file.read_text(encoding="utf-8")
    assert text.count('fin: "17:30"') >= 1
    workshops_file.write_text(text.replace('fin: "17:30"', 'fin: "17h30"', 1), encoding="utf-8")
    time_line = line_of(workshops_file, 'fin: "17h30"')

    assert build(out, data) == 1
    report = capsys.readouterr().err
    assert f"data/sites.yaml:{postal_line}:" in report, report
    assert "« france-services-castries », champ « code_postal » : le code postal 34170" in report, report
    assert f"data/workshops.yaml:{time_line}:" in report, report
    assert "« 17h30 »" in report, report
    assert "Le site n'a pas été construit" in report, report
    assert tree_differences(before, tree_bytes(out)) == []
    assert leftovers(out.parent) == []


@pytest.mark.parametrize("failure", ["template", "generator"])
def test_crash_mid_build_leaves_the_previous_site_intact(
    site, tmp_path, monkeypatch, failure, small_reference
):
    out = previous_site(site, tmp_path)
    before = tree_bytes(out)
    # The small site crashes as the demo site would, sooner.
    data = small_project(tmp_path / "small", small_reference)
    settings = {"CATALOGUE_REFERENCE_PATH": str(data / "reference")}
    if failure == "template":
        theme = tmp_path / "theme"
        shutil.copytree(ROOT / "theme", theme)
        template = theme / "templates" / "catalogue" / "workshop.html"
        text = template.read_text(encoding="utf-8")
        assert "{% block content %}" in text
        template.write_text(
            text.replace("{% block content %}", "{% block content %}{{ 1 // 0 }}"), encoding="utf-8"
        )
        settings["THEME"] = str(theme)
    else:
        from mednum.generator import CatalogueGenerator

        def crash(self, output):
            raise RuntimeError("crash after the pages were written")

        monkeypatch.setattr(CatalogueGenerator, "_write_sitemap", crash)

    with pytest.raises(Exception):  # noqa: B017 - any crash
        build(out, data, **settings)
    assert tree_differences(before, tree_bytes(out)) == []
    assert leftovers(out.parent) == []
    assert [p.name for p in out.parent.iterdir()] == ["output"]
