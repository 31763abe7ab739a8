"""The catalogue on partners' websites: the pages to frame (integrer/…) and the code to copy.

Read from the session's demo site (tests/conftest.py ``demo_site``): every commune and territory
has its embeddable page, listing the places its own page lists; the page is self-contained (no
script, nothing from another server, its own stylesheet), light (≤ 6 KB gzip with its CSS) and
left out of the sitemap and the search index; every commune and territory page gives the code to
copy. In Chromium, framed by another site: tests/browser/test_embed.py.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from html_tree import Element, parse_html

from conftest import DEMO, DEMO_SITE_SETTINGS, REFERENCE, ROOT
from mednum import search, urls
from mednum.embed import EMBED_FILL, EMBED_MAX, FRAME_MAX_PX, FRAME_MIN_PX
from mednum.security import content_security_policy

KB = 1024
EMBED_BUDGET_BYTES = 6 * KB
PUBLIC_URL = "https://numerique.herault.example"  # democonf.py's CATALOGUE_PUBLIC_URL


def slugged(slug: str) -> SimpleNamespace:
    """What urls.commune() and urls.epci() read."""
    return SimpleNamespace(slug=slug)


COMMUNES = json.loads((REFERENCE / "communes.json").read_text(encoding="utf-8"))
EPCIS = json.loads((REFERENCE / "epci.json").read_text(encoding="utf-8"))


def demo_sites() -> list[dict]:
    import yaml

    return yaml.safe_load((DEMO / "sites.yaml").read_text(encoding="utf-8"))


def served(record: dict) -> set[str]:
    """The INSEE codes of a help point's commune and of its stops."""
    return {record["code_insee"], *(stop["code_insee"] for stop in record.get("x_arrets", []))}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def place_ids(html: str, section: str, next_sections: tuple[str, ...], card: str) -> list[str]:
    """The help points listed (``lieux/<id>/`` links matching ``card``) between the heading
    ``id=section`` and the next of ``next_sections``; [] without that heading."""
    start = html.find(f'<h2 id="{section}">')
    if start < 0:
        return []
    ends = [i for i in (html.find(f'<h2 id="{n}">', start) for n in next_sections) if i > 0]
    chunk = html[start : min(ends, default=len(html))]
    return re.findall(card + r'<a href="/lieux/([^/"]+)/"', chunk)


EMBED_CARD = r"<h3>"
PAGE_CARD = r'<h3 class="mn-card__title">'


@pytest.fixture(scope="module")
def site(demo_site) -> Path:
    return demo_site


def embed_pages(site: Path) -> dict[str, Path]:
    return {
        p.relative_to(site).as_posix().removesuffix("index.html"): p
        for p in sorted((site / urls.EMBED).glob("*/*/index.html"))
    }


def test_every_commune_and_territory_has_its_embeddable_page(site):
    expected = {urls.embed_of(urls.commune(slugged(c["slug"]))) for c in COMMUNES}
    expected |= {urls.embed_of(urls.epci(slugged(e["slug"]))) for e in EPCIS}
    assert set(embed_pages(site)) == expected
    assert (site / urls.EMBED_CSS).is_file()


def test_a_commune_embed_lists_its_places_then_the_nearest_of_its_page(site):
    """The places of the commune (its own and the itinerant services stopping there, from the
    data), at most EMBED_MAX; then, when fewer than EMBED_FILL, the nearest ones of its page."""
    records = demo_sites()
    problems, counts = [], {"with places": 0, "filled": 0, "empty": 0}
    for commune in COMMUNES:
        page = (site / urls.commune(slugged(commune["slug"])) / "index.html").read_text(encoding="utf-8")
        embed = (site / urls.embed_of(urls.commune(slugged(commune["slug"]))) / "index.html").read_text(
            encoding="utf-8"
        )
        here = {r["id"] for r in records if commune["code_insee"] in served(r)}
        listed_here = place_ids(embed, "ici", ("proches",), EMBED_CARD)
        page_here = place_ids(page, "ici", ("proches", "ateliers"), PAGE_CARD)
        page_near = place_ids(page, "proches", ("ateliers",), PAGE_CARD)
        listed_near = place_ids(embed, "proches", (), EMBED_CARD)
        if set(page_here) != here:
            problems.append(f"{commune['slug']}: its page lists {sorted(page_here)}, the data {sorted(here)}")
        if listed_here != page_here[:EMBED_MAX]:
            problems.append(f"{commune['slug']}: embed lists {listed_here}, its page {page_here}")
        if len(here) > EMBED_MAX and f"Et {len(here) - EMBED_MAX} autre" not in embed:
            problems.append(f"{commune['slug']}: does not say how many places are left out")
        wanted_near = page_near[: max(0, EMBED_FILL - len(here))]
        if listed_near != wanted_near:
            problems.append(f"{commune['slug']}: nearest {listed_near}, expected {wanted_near}")
        if not here and not page_near and "ni aux alentours" not in embed:
            problems.append(f"{commune['slug']}: no place and nothing says so")
        counts["with places" if here else "empty"] += 1
        counts["filled"] += bool(listed_near)
    print(f"\ncommune embeds: {counts}")
    assert counts["with places"] and counts["filled"] and counts["empty"]
    assert not problems, "\n".join(problems[:50])


def test_a_territory_embed_lists_the_places_of_its_page(site):
    problems, empty = [], 0
    for epci in EPCIS:
        page = (site / urls.epci(slugged(epci["slug"])) / "index.html").read_text(encoding="utf-8")
        embed = (site / urls.embed_of(urls.epci(slugged(epci["slug"]))) / "index.html").read_text(
            encoding="utf-8"
        )
        page_here = place_ids(page, "lieux", ("proches", "ateliers"), PAGE_CARD)
        page_near = place_ids(page, "proches", ("ateliers",), PAGE_CARD)
        listed_here = place_ids(embed, "ici", ("proches",), EMBED_CARD)
        listed_near = place_ids(embed, "proches", (), EMBED_CARD)
        if listed_here != page_here[:EMBED_MAX] or listed_near != page_near[:EMBED_FILL]:
            problems.append(
                f"{epci['slug']}: embed {listed_here} + {listed_near}, page {page_here} + {page_near}"
            )
        if len(page_here) > EMBED_MAX and f"Et {len(page_here) - EMBED_MAX} autre" not in embed:
            problems.append(f"{epci['slug']}: does not say how many places are left out")
        empty += not page_here
    assert empty, "the demo has a territory without a place: its embed lists the nearest"
    assert not problems, "\n".join(problems)


def test_a_place_shows_its_usual_hours_phone_and_full_page(site):
    """Hours as on paper (day by day, whatever the build date), a tel: link, a link to the place
    and one to the commune's page, all opening in the whole window."""
    html = (site / "integrer/communes/lodeve/index.html").read_text(encoding="utf-8")
    doc = parse_html(html)
    assert "<li>Mardi : 14 h – 18 h</li>" in html.replace("\u202f", " ").replace("\xa0", " ")
    links = list(doc.iter("a"))
    tel = [a for a in links if (a.attrs.get("href") or "").startswith("tel:")]
    assert tel and all(re.fullmatch(r"tel:\+\d+", a.attrs["href"]) for a in tel)
    web = [a for a in links if a not in tel]
    assert {a.attrs.get("target") for a in web} == {"_top"}, "every link leaves the frame"
    hrefs = {a.attrs["href"] for a in web}
    assert "/lieux/exemple-mediatheque-lodeve/" in hrefs and "/communes/lodeve/" in hrefs
    assert "Exemple, lieu fictif" in html


def _external(url: str) -> bool:
    url = url.strip()
    return url.startswith("//") or bool(urlsplit(url).scheme)


def test_embeddable_pages_are_self_contained_light_and_not_indexed(site):
    """No script, no style attribute or element, nothing loaded but their stylesheet, no external
    address but links; their policy forbids the rest; ≤ 6 KB gzip with the stylesheet; noindex,
    out of the sitemap and of what Pagefind reads."""
    css = (site / urls.EMBED_CSS).read_bytes()
    assert b"url(" not in css and b"@import" not in css
    policy = content_security_policy(DEMO_SITE_SETTINGS, embed=True)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    indexed = {name for name, _ in search.indexed_files(site)}
    problems, weights = [], {}
    for url, path in embed_pages(site).items():
        text = path.read_text(encoding="utf-8")
        doc = parse_html(text)
        weights[url] = gz(path.read_bytes()) + gz(css)
        if weights[url] > EMBED_BUDGET_BYTES:
            problems.append(f"{url}: {weights[url]} bytes gzip with its CSS > {EMBED_BUDGET_BYTES}")
        for e in doc.iter():
            if e.tag in ("script", "style", "iframe", "img", "object", "embed", "form", "base"):
                problems.append(f"{url}: <{e.tag}>")
            if "style" in e.attrs or any(n.startswith("on") for n in e.attr_names):
                problems.append(f"{url}: style or event attribute on <{e.tag}>")
            for attr in ("src", "srcset", "action", "data", "poster"):
                if attr in e.attrs:
                    problems.append(f"{url}: {attr}= on <{e.tag}>")
            href = e.attrs.get("href")
            if href is not None and e.tag != "a" and _external(href):
                problems.append(f"{url}: <{e.tag} href={href!r}> loads from another server")
        stylesheets = [e.attrs.get("href") for e in doc.iter("link") if e.attrs.get("rel") == "stylesheet"]
        if stylesheets != ["/" + urls.EMBED_CSS] or len(list(doc.iter("link"))) != 1:
            problems.append(f"{url}: links {stylesheets}, not its stylesheet alone")
        metas = {
            m.attrs.get("name") or m.attrs.get("http-equiv"): m.attrs.get("content") for m in doc.iter("meta")
        }
        if metas.get("robots") != "noindex":
            problems.append(f"{url}: not noindex")
        if metas.get("Content-Security-Policy") != policy:
            problems.append(f"{url}: policy {metas.get('Content-Security-Policy')!r}")
        if "data-pagefind-body" in text or url + "index.html" in indexed:
            problems.append(f"{url}: read by Pagefind")
        if f"/{url}<" in sitemap:
            problems.append(f"{url}: in the sitemap")
        if len(list(doc.iter("h1"))) != 1 or len(list(doc.iter("main"))) != 1:
            problems.append(f"{url}: not one <h1> and one <main>")
    heaviest = max(weights, key=lambda u: (weights[u], u))
    lodeve = weights[urls.embed_of("communes/lodeve/")]
    print(
        f"\nembeddable pages: {len(weights)}, heaviest {heaviest} {weights[heaviest] / KB:.2f} KB gzip with CSS;"
    )
    print(f"communes/lodeve: {lodeve / KB:.2f} KB; CSS {gz(css)} bytes gzip")
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert not problems, "\n".join(problems[:50])


def _embed_section(doc: Element) -> Element:
    sections = [s for s in doc.iter("section") if "mn-embed" in s.classes]
    assert len(sections) == 1
    return sections[0]


@pytest.mark.parametrize(
    "page, embed, link",
    [
        ("communes/lodeve/", "integrer/communes/lodeve/", "communes/lodeve/"),
        ("communes/agel/", "integrer/communes/agel/", "communes/agel/"),
        ("territoires/cc-lodevois-et-larzac/", "integrer/territoires/cc-lodevois-et-larzac/", None),
    ],
)
def test_the_page_gives_the_code_to_copy(site, page, embed, link):
    """« Afficher ces lieux sur votre site »: closed, not printed, read-only code with a labelled
    field: a titled frame of the public address, as wide as its column, loaded lazily, then a
    plain link for sites that refuse frames."""
    doc = parse_html((site / page / "index.html").read_text(encoding="utf-8"))
    section = _embed_section(doc)
    assert next(section.iter("h2")).text == "Afficher ces lieux sur votre site"
    details = list(section.iter("details"))
    assert len(details) == 1 and "open" not in details[0].attrs
    areas = list(section.iter("textarea"))
    assert len(areas) == 1 and "readonly" in areas[0].attrs
    labels = [label for label in section.iter("label") if label.attrs.get("for") == areas[0].attrs["id"]]
    assert labels
    code = parse_html(areas[0].text)
    frames = list(code.iter("iframe"))
    assert len(frames) == 1
    frame = frames[0].attrs
    assert frame["src"] == f"{PUBLIC_URL}/{embed}"
    assert frame["title"].startswith("Lieux d'aide au numérique")
    assert frame["loading"] == "lazy" and "width: 100%" in frame["style"]
    assert frame["width"].isdigit() and FRAME_MIN_PX <= int(frame["height"]) <= FRAME_MAX_PX
    anchors = [a.attrs["href"] for a in code.iter("a")]
    assert anchors == [f"{PUBLIC_URL}/{link or page}"]
    preview = [a.attrs.get("href") for a in section.iter("a")]
    assert f"/{embed}" in preview
    print_css = (ROOT / "theme/components/embed-code/print.css").read_text(encoding="utf-8")
    assert re.search(r"\.mn-embed\{display:none", print_css)


def test_every_commune_and_territory_page_gives_its_code(site):
    missing = []
    for commune in COMMUNES:
        page = site / urls.commune(slugged(commune["slug"])) / "index.html"
        if 'class="mn-embed"' not in page.read_text(encoding="utf-8"):
            missing.append(page)
    for epci in EPCIS:
        page = site / urls.epci(slugged(epci["slug"])) / "index.html"
        if 'class="mn-embed"' not in page.read_text(encoding="utf-8"):
            missing.append(page)
    assert missing == []
