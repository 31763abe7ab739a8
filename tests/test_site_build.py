"""The whole site built with Pelican from the bundled data: pages, shell, weight, links, dates, safety.

The site is built once per module (about a second) into a temporary folder, with the build date
2026-11-23; the tests read the files it wrote. Each test collects every problem it finds and
reports them all at once. The tables of counts and weights are printed (``pytest -s`` or ``-rP``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

from conftest import ROOT
from mednum.build import build_site

SETTINGS = ROOT / "pelicanconf.py"
DATA = ROOT / "data"
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
# A small HTML tree on the standard library's parser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False, repr=False)
class Element:
    tag: str
    attrs: dict[str, str | None]
    line: int
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)
    attr_names: list[str] = field(default_factory=list)  # in source order, repeats kept

    def iter(self, *tags: str) -> Iterator[Element]:
        """This element and its descendants in document order (only those named, if tags)."""
        stack = [self]
        while stack:
            element = stack.pop()
            if not tags or element.tag in tags:
                yield element
            stack.extend(c for c in reversed(element.children) if isinstance(c, Element))

    def find_class(self, name: str) -> list[Element]:
        return [e for e in self.iter() if name in e.classes]

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return "".join(parts)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, 0)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(
            tag, dict(attrs), self.getpos()[0], self.stack[-1], attr_names=[n for n, _ in attrs]
        )
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------------------------------
# The bundled data, read on their own (not through the plugin), to know what the site should have


def load_yaml(name: str) -> list[dict]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


SITES = load_yaml("sites")
WORKSHOPS = load_yaml("workshops")
TRAININGS = load_yaml("trainings")
COMMUNES = json.loads((DATA / "reference" / "communes.json").read_text(encoding="utf-8"))
EPCIS = json.loads((DATA / "reference" / "epci.json").read_text(encoding="utf-8"))
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
# Page types

LIST_TYPES = ("home", "commune", "epci", "need", "need-filter", "agenda", "trainings")
BUDGETS_KB = {"site": 14, **{kind: 40 for kind in LIST_TYPES}}
CSS_BUDGET_KB = 8


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
    }
    if path in fixed:
        return fixed[path]
    if re.fullmatch(r"static/site\.[0-9a-f]+\.css", path):
        return "css"
    if parts[0] == "donnees" and parts[-1].endswith((".csv", ".json", ".geojson", ".ics")):
        return "export"  # the open-data files, counted by tests/test_exports*.py
    if parts[-1] != "index.html":
        return "?"
    folders = parts[:-1]
    if len(folders) == 1 and folders[0] in CONTENT_SLUGS:
        return "content"
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
    return "?"


EXPECTED_COUNTS = {
    "home": 1,
    "site": len(SITES),
    "commune": 341,
    "epci": 17,
    "need": NEED_COUNT,
    "need-filter": NEED_COUNT * len(FILTER_SLUGS),
    "agenda": 1,
    "workshop": len(WORKSHOPS),
    "trainings": 1,
    "training": len(TRAININGS),
    "content": 7,
    "brochures": 1,
    "brochure-epci": 17,
    "brochure-commune": 341,
    "orientation": len(SITES),
    "export": None,
    "404": 1,
    "sitemap": 1,
    "robots": 1,
    "favicon": 1,
    "css": 1,
    "script": 1,
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
def site(tmp_path_factory) -> Site:
    out = tmp_path_factory.mktemp("bundled") / "output"
    assert build(out) == 0
    return Site(out, tree_bytes(out))


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
        if expected is not None and built != expected
    ]
    problems += [f"unexpected file: {p}" for p in sorted(types.get("?", []))]
    assert len(COMMUNES) == 341 and len(EPCIS) == 17 and len(CONTENT_SLUGS) == 7

    def folders(kind: str, prefix: str) -> set[str]:
        return {p[len(prefix) :].split("/")[0] for p in types.get(kind, [])}

    wanted = {
        "site": ("lieux/", {s["id"] for s in SITES}),
        "commune": ("communes/", {c["slug"] for c in COMMUNES}),
        "epci": ("territoires/", {e["slug"] for e in EPCIS}),
        "workshop": ("ateliers/", {w["id"] for w in WORKSHOPS}),
        "training": ("formations/", {t["id"] for t in TRAININGS}),
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
    pages = {url_of(p) for p in site.html_pages if p != "404.html"}
    problems += [f"page missing from the sitemap: {u}" for u in sorted(pages - listed)]
    problems += [f"listed but not built: {u}" for u in sorted(listed - pages)]
    if "/404.html" in listed:
        problems.append("404.html is listed")
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
    if first is None or first.tag != "a" or first.attrs.get("href") != "#contenu":
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
    titles = list(doc.iter("title"))
    if len(titles) != 1 or not titles[0].text.strip():
        problems.append("no single non-empty <title>")
    viewports = [m for m in doc.iter("meta") if m.attrs.get("name") == "viewport"]
    if len(viewports) != 1:
        problems.append("no single viewport <meta>")
    else:
        content = viewports[0].attrs.get("content") or ""
        values = dict(
            (k.strip().lower(), v.strip().lower())
            for k, _, v in (part.partition("=") for part in content.split(","))
        )
        if "width" not in values:
            problems.append(f"viewport without width: {content!r}")
        if values.get("user-scalable") in ("no", "0"):
            problems.append(f"viewport locks zoom: {content!r}")
        try:
            if float(values.get("maximum-scale", "10")) < 2:
                problems.append(f"viewport limits zoom: {content!r}")
        except ValueError:
            problems.append(f"viewport maximum-scale unreadable: {content!r}")
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
    scripts = list(doc.iter("script"))
    has_hours = any(e.tag == "table" and "mn-hours" in e.classes for e in doc.iter("table"))
    has_badge = bool(doc.find_class("mn-open"))
    for s in scripts:
        if s.attrs.get("src") != "/static/ouvert.js":
            problems.append(
                f"line {s.line}: <script src={s.attrs.get('src')!r}> (only /static/ouvert.js allowed)"
            )
        elif not (has_badge and has_hours):
            problems.append(f"line {s.line}: ouvert.js on a page without opening hours")
        if s.text.strip():
            problems.append(f"line {s.line}: inline script")
    return problems


BAD_PAGE = """<!doctype html>
<html lang="en"><head><meta name="viewport" content="width=device-width, user-scalable=no">
<link rel="stylesheet" href="https://fonts.example/x.css"><style>b { background: url(//cdn.example/b.png) }</style>
</head><body><a href="/">Accueil</a><a class="mn-skip" href="#contenu">Aller au contenu</a>
<main id="contenu"><h1>A</h1><h3 onclick="x()" style="color: red">B</h3><h1>C</h1>
<img src="http://img.example/a.png"><script>alert(1)</script><script src="/static/ouvert.js"></script></main>
<main></main></body></html>"""


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


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def page_weight(site: Site, path: str) -> int:
    """gzip -9 of the HTML plus the stylesheets it links (scripts are counted apart)."""
    total = gz(site.files[path])
    for link in site.tree(path).iter("link"):
        if "stylesheet" in (link.attrs.get("rel") or "").split():
            total += gz(site.files[(link.attrs.get("href") or "").lstrip("/")])
    return total


def test_weight_budget(site):
    types = site.by_type()
    rows, problems = [], []
    for kind in sorted(types):
        if kind == "?" or not any(p.endswith(".html") for p in types[kind]):
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
    css = [p for p in site.files if p.endswith(".css")]
    css_raw = sum(len(site.files[p]) for p in css)
    css_gz = sum(gz(site.files[p]) for p in css)
    js = [p for p in site.files if p.endswith(".js")]
    js_gz = sum(gz(site.files[p]) for p in js)
    print("\nHeaviest page by type (gzip -9 of the HTML + its CSS; 1 KB = 1024 bytes)\n")
    print(table(rows, ("type", "pages", "KB", "budget KB", "heaviest page")))
    print(
        f"CSS: {len(css)} file(s), {css_raw / KB:.1f} KB raw, {css_gz / KB:.1f} KB gzip (budget {CSS_BUDGET_KB} KB)"
    )
    print(f"JS: {', '.join(js)}, {js_gz / KB:.1f} KB gzip, optional (open-now badge); 0 KB needed")

    if css_gz > CSS_BUDGET_KB * KB:
        problems.append(f"CSS {css_gz / KB:.1f} KB > {CSS_BUDGET_KB} KB")
    assert js == ["static/ouvert.js"], f"JavaScript files: {js}"
    assert not problems, "over budget:\n" + "\n".join(problems)


def test_no_javascript_needed_for_core_tasks(site):
    """The only script is the deferred open-now badge; the hours it works from are in the HTML."""
    problems = []
    for path in site.html_pages:
        doc = site.tree(path)
        scripts = list(doc.iter("script"))
        for s in scripts:
            if "defer" not in s.attrs:
                problems.append(f"{path}: script {s.attrs.get('src')} not deferred")
        for badge in doc.find_class("mn-open"):
            if "hidden" not in badge.attrs:
                problems.append(f"{path}: open-now badge shown before the script fills it")
            if badge.text.strip():
                problems.append(f"{path}: open-now badge has content the HTML would show without the script")
        if scripts:
            tables = [t for t in doc.iter("table") if "mn-hours" in t.classes]
            rows = [r for t in tables for r in t.iter("tr")]
            if len(rows) < 7:
                problems.append(f"{path}: the hours table is not in the HTML ({len(rows)} rows)")
    site_pages = [p for p in site.html_pages if page_type(p) == "site"]
    assert any(list(site.tree(p).iter("script")) for p in site_pages), "no page uses the open-now badge"
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
            if href not in examples or path.startswith(href.lstrip("/")):
                # Not a record, or the breadcrumb of the record's own sub-page (which has the notice).
                continue
            entries[href.split("/")[1], examples[href]] += 1
            tagged = has_example_tag(li)
            if examples[href] and not tagged:
                problems.append(f"{path}:{li.line}: entry of example {href} without the « Exemple » tag")
            if not examples[href] and tagged:
                problems.append(f"{path}:{li.line}: entry of real {href} tagged « Exemple »")
    print("\nList entries checked (section, example):", dict(entries))
    assert entries["lieux", True] > 0 and entries["lieux", False] > 0 and entries["ateliers", True] > 0
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
        if sessions != sorted(sessions):
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
        if rows.get(day) != "9 h – 12 h et 14 h – 18 h":
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


def test_two_builds_are_byte_identical(site, tmp_path):
    out = tmp_path / "again"
    assert build(out) == 0
    differences = tree_differences(site.files, tree_bytes(out))
    assert not differences, "two builds of the same data differ:\n" + "\n".join(differences)


def test_source_date_epoch_gives_the_same_site(site, tmp_path, monkeypatch):
    noon = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(noon.timestamp())))
    out = tmp_path / "epoch"
    assert build(out, date=None) == 0
    differences = tree_differences(site.files, tree_bytes(out))
    assert not differences, "SOURCE_DATE_EPOCH build differs:\n" + "\n".join(differences)


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
def test_crash_mid_build_leaves_the_previous_site_intact(site, tmp_path, monkeypatch, failure):
    out = previous_site(site, tmp_path)
    before = tree_bytes(out)
    settings = {}
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
        build(out, **settings)
    assert tree_differences(before, tree_bytes(out)) == []
    assert leftovers(out.parent) == []
    assert [p.name for p in out.parent.iterdir()] == ["output"]
