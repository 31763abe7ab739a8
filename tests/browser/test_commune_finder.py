"""Finding one's commune on the built demo site (theme/components/commune-finder, static/commune.js).

* The built pages, read as HTML: the A–Z page lists every commune once, in French order, under
  working letter links; the postal-code page covers every code; on the home page each link text
  names one destination (RGAA 6.1), the field has a visible label and its list, the
  abbreviations are explained in words.
* In Chromium: without JavaScript the field opens the A–Z page, which says how to choose; with
  it, a name or a postal code with one commune opens the commune's page, anything else lists
  choices in a polite status line; keyboard only, at 320 px; « Près de chez moi » with a mocked
  position, refused, and hidden without JavaScript; axe-core and the deployment's CSP once the
  results are shown. The new pages are in PAGES (conftest.py): the axe, vnu, reflow and CSP
  suites check them as they are built.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from html_tree import Element, parse_html

from browser_harness import WCAG_TAGS, InFlight, describe_violations, run_axe
from conftest import REFERENCE

from .conftest import PAGES, page_file, page_in, watching
from .visits import OVERFLOW, RECORD_VIOLATIONS

pytestmark = pytest.mark.browser

HOME, AZ, CODES = PAGES["home"], PAGES["communes-az"], PAGES["postal-codes"]
COMMUNES = json.loads((REFERENCE / "communes.json").read_text(encoding="utf-8"))
EPCIS = json.loads((REFERENCE / "epci.json").read_text(encoding="utf-8"))
LABEL = "Votre commune ou votre code postal"
LODEVE = {"latitude": 43.7317, "longitude": 3.3194}  # the centre of Lodève, give or take 1 km
PARIS = {"latitude": 48.8566, "longitude": 2.3522}


def dictionary_key(name: str) -> str:
    """French order, independently of the plugin: accents, case, hyphens and apostrophes ignored."""
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", " ", bare.casefold()).strip()


def html(site_dir: Path, url: str) -> Element:
    return parse_html(page_file(site_dir, url).read_text(encoding="utf-8"))


def main_of(doc: Element) -> Element:
    return next(doc.iter("main"))


def words(text: str) -> str:
    return " ".join(text.split())


def real(problems: list[str]) -> list[str]:
    """Console errors and failed requests, but those cut short by leaving the page (the icon)."""
    return [p for p in problems if "net::ERR_ABORTED" not in p]


def commune_url(c: dict) -> str:
    return f"/communes/{c['slug']}/"


def following(element: Element, tag: str) -> Element:
    """The next sibling element named ``tag``."""
    siblings = [c for c in element.parent.children if isinstance(c, Element)]
    return next(s for s in siblings[siblings.index(element) + 1 :] if s.tag == tag)


# --------------------------------------------------------------------------------------------------
# The built pages


def test_a_to_z_page_lists_every_commune_once_in_french_order(site_dir):
    main = main_of(html(site_dir, AZ))
    links = [a for ul in main.find_class("mn-az") for a in ul.iter("a")]
    hrefs = [a.attrs["href"] for a in links]
    assert sorted(hrefs) == sorted(commune_url(c) for c in COMMUNES)  # every commune, once
    names = [words(a.text) for a in links]
    assert names == sorted(names, key=lambda n: (dictionary_key(n), n))
    for href in hrefs:
        assert page_file(site_dir, href.lstrip("/")).is_file(), href
    # Each link carries its commune's centre, for « Près de chez moi ».
    by_url = {commune_url(c): c for c in COMMUNES}
    for a in links:
        lat, lon = map(float, a.attrs["data-ll"].split(","))
        c = by_url[a.attrs["href"]]
        assert abs(lat - c["latitude"]) < 0.001 and abs(lon - c["longitude"]) < 0.001, a.attrs


def test_a_to_z_letters_lead_to_their_communes(site_dir):
    main = main_of(html(site_dir, AZ))
    nav = next(n for n in main.iter("nav") if n.attrs.get("id") == "lettres")
    assert nav.attrs.get("aria-label")
    letters = [words(a.text) for a in nav.iter("a")]
    assert letters == sorted({dictionary_key(c["nom"])[0].upper() for c in COMMUNES})
    headings = {h.attrs.get("id"): h for h in main.iter("h2")}
    for a in nav.iter("a"):
        letter = words(a.text)
        target = a.attrs["href"].removeprefix("#")
        assert target in headings and words(headings[target].text) == letter, a.attrs
        names = [words(x.text) for x in following(headings[target], "ul").iter("a")]
        assert names and all(dictionary_key(n)[0].upper() == letter for n in names), letter
    # The field's answer without JavaScript: a note at #choisir, shown when the address ends so.
    note = next(e for e in main.iter() if e.attrs.get("id") == "choisir")
    assert "mn-az-note" in note.classes and "choisissez-la dans la liste" in words(note.text)


def test_postal_code_page_covers_every_code(site_dir):
    main = main_of(html(site_dir, CODES))
    expected: dict[str, set[str]] = {}
    for c in COMMUNES:
        for code in c["codes_postaux"]:
            expected.setdefault(code, set()).add(commune_url(c))
    headings = {h.attrs.get("id"): h for h in main.iter("h2")}
    assert sorted(k for k in headings if k and k.startswith("cp-")) == [
        f"cp-{code}" for code in sorted(expected)
    ]
    for code, urls in expected.items():
        heading = headings[f"cp-{code}"]
        assert words(heading.text) == code
        found = [a.attrs["href"] for a in following(heading, "ul").iter("a")]
        assert sorted(found) == sorted(urls), code
    nav = next(n for n in main.iter("nav") if n.attrs.get("id") == "codes")
    assert [a.attrs["href"] for a in nav.iter("a")] == [f"#cp-{code}" for code in sorted(expected)]


def accessible_name(a: Element) -> str:
    return words(a.attrs.get("aria-label") or a.text)


@pytest.mark.parametrize("url", [HOME, AZ, CODES], ids=["home", "communes-az", "postal-codes"])
def test_each_link_text_names_one_destination(site_dir, url):
    """RGAA 6.1: the same link text never leads to two places (« Tous les lieux de ce territoire »)."""
    destinations: dict[str, set[str]] = {}
    for a in html(site_dir, url).iter("a"):
        if "href" in a.attrs:
            destinations.setdefault(accessible_name(a), set()).add(a.attrs["href"])
    ambiguous = {name: sorted(hrefs) for name, hrefs in destinations.items() if len(hrefs) > 1}
    assert not ambiguous


def test_home_territory_links_name_their_territory(site_dir):
    main = main_of(html(site_dir, HOME))
    links = {
        a.attrs["href"]: accessible_name(a) for a in main.iter("a") if "/territoires/" in a.attrs["href"]
    }
    assert sorted(links) == sorted(f"/territoires/{e['slug']}/" for e in EPCIS)
    for e in EPCIS:
        assert links[f"/territoires/{e['slug']}/"].endswith(e["nom"]), links[f"/territoires/{e['slug']}/"]
    assert links["/territoires/cc-lodevois-et-larzac/"] == "Tous les lieux de la CC Lodévois et Larzac"
    assert links["/territoires/montpellier-mediterranee-metropole/"] == (
        "Tous les lieux de Montpellier Méditerranée Métropole"
    )


def test_home_field_has_a_visible_label_and_every_name(site_dir):
    doc = html(site_dir, HOME)
    form = next(f for f in doc.iter("form") if "mn-finder" in f.classes)
    field = next(i for i in form.iter("input") if i.attrs.get("id") == "mn-commune")
    label = next(x for x in form.iter("label") if x.attrs.get("for") == "mn-commune")
    assert words(label.text) == LABEL and not any("hidden" in e.attrs for e in (label, *label.ancestors()))
    assert field.attrs["name"] == "commune" and field.attrs.get("autocomplete") == "address-level2"
    hint = next(e for e in form.iter() if e.attrs.get("id") == field.attrs["aria-describedby"])
    assert " ".join(hint.text.split()) == "Par exemple : Montpellier, Castelnau-le-Lez ou 34000."
    datalist = next(d for d in doc.iter("datalist") if d.attrs.get("id") == field.attrs["list"])
    values = [o.attrs["value"] for o in datalist.iter("option")]
    names = sorted(c["nom"] for c in COMMUNES)
    codes = sorted({p for c in COMMUNES for p in c["codes_postaux"]})
    assert sorted(values) == sorted(names + codes)
    cps = {o.attrs["value"]: o.attrs["data-cp"] for o in datalist.iter("option") if "data-cp" in o.attrs}
    assert cps == {c["nom"]: " ".join(c["codes_postaux"]) for c in COMMUNES}
    # Without JavaScript the form opens the A–Z page at its explanation.
    assert (form.attrs["method"], form.attrs["action"]) == ("get", "/communes/#choisir")
    assert 'id="choisir"' in page_file(site_dir, AZ).read_text(encoding="utf-8")
    # « Près de chez moi » cannot work without JavaScript: hidden in the HTML.
    near = doc.find_class("mn-near")
    assert len(near) == 1 and "hidden" in near[0].attrs and "data-js-only" in near[0].attrs


def test_abbreviations_are_explained_in_words(site_dir):
    """CA, CC, EPCI, CCAS: a title for those who can see it, and the words in the text for all."""
    main = main_of(html(site_dir, HOME))
    abbrs = list(main.iter("abbr"))
    assert {words(a.text) for a in abbrs} == {"CA", "CC", "EPCI", "CCAS"}
    assert all(a.attrs.get("title") for a in abbrs)
    text = words(main.text)
    for said in (
        "communautés d'agglomération (« CA »)",
        "communautés de communes (« CC »)",
        "intercommunalités (les professionnels disent « EPCI »)",
        "centre communal d'action sociale (CCAS)",
    ):
        assert said in text


# --------------------------------------------------------------------------------------------------
# In the browser: without JavaScript


def test_without_javascript_the_field_opens_the_list_that_explains(contexts, base_url):
    with page_in(contexts(java_script_enabled=False)) as page, watching(page) as problems:
        page.goto(base_url + HOME)
        field = page.get_by_label(LABEL)
        assert field.is_visible()
        assert page.locator(".mn-near").is_hidden()
        field.fill("Lodève")
        field.press("Enter")
        page.wait_for_url(re.compile(r"/communes/\?commune=Lod%C3%A8ve#choisir$"))
        note = page.locator("#choisir")
        assert note.is_visible() and "choisissez-la dans la liste" in note.inner_text()
        page.get_by_role("link", name="L", exact=True).click()
        assert page.url.endswith("#lettre-l")
        assert page.get_by_role("heading", name="L", exact=True).is_visible()
        page.get_by_role("link", name="Lodève", exact=True).click()
        page.wait_for_url(base_url + "communes/lodeve/")
        # The A–Z page opened from elsewhere does not show the note.
        page.goto(base_url + AZ)
        assert page.locator("#choisir").is_hidden()
        assert not real(problems), problems


# --------------------------------------------------------------------------------------------------
# With JavaScript


def ask(page, base_url, text: str) -> None:
    page.goto(base_url + HOME)
    page.get_by_label(LABEL).fill(text)
    page.get_by_label(LABEL).press("Enter")


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("lodeve", "communes/lodeve/"),
        ("st jean de vedas", "communes/saint-jean-de-vedas/"),
        ("SAINT JEAN-DE-VÉDAS", "communes/saint-jean-de-vedas/"),
        ("34430", "communes/saint-jean-de-vedas/"),
        ("34 000", "communes/montpellier/"),
        ("Lodève 34700", "communes/lodeve/"),
    ],
)
def test_a_name_or_a_postal_code_of_one_commune_opens_its_page(page, base_url, text, url):
    with watching(page) as problems:
        ask(page, base_url, text)
        page.wait_for_url(base_url + url)
        assert not real(problems), problems


def test_a_postal_code_of_several_communes_lists_them(page, base_url):
    with watching(page) as problems:
        ask(page, base_url, "34700")
        status = page.locator(".mn-finder__result [role=status]")
        status.filter(has_text="Le code postal 34700 est celui de 17 communes").wait_for()
        choices = page.locator(".mn-finder__result li a")
        assert choices.count() == 17
        assert page.get_by_role("link", name="Lodève", exact=True).first.is_visible()
        page.locator(".mn-finder__result").get_by_role("link", name="Lodève", exact=True).click()
        page.wait_for_url(base_url + "communes/lodeve/")
        assert not real(problems), problems


@pytest.mark.parametrize(
    ("text", "said", "offered"),
    [
        ("Montpelier", "Vouliez-vous dire", ["Montpellier"]),
        ("saint jean de", "communes correspondent à « saint jean de »", ["Saint-Jean-de-Védas"]),
        ("vedas", "Une commune correspond à « vedas »", ["Saint-Jean-de-Védas"]),
        ("zzzz", "Aucune commune de l'Hérault ne correspond", ["Toutes les communes de A à Z"]),
        ("75001", "Aucune commune de l'Hérault n'a le code postal 75001", ["Les communes par code postal"]),
        ("", "Écrivez le nom de votre commune ou son code postal.", []),
    ],
)
def test_other_answers_are_said_and_offer_choices(page, base_url, text, said, offered):
    ask(page, base_url, text)
    page.locator(".mn-finder__result [role=status]").filter(has_text=said).wait_for()
    shown = page.locator(".mn-finder__result li a").all_inner_texts()
    assert set(offered) <= set(shown), shown
    assert page.url == base_url + HOME


def test_the_a_to_z_page_reads_what_the_form_sent(page, base_url):
    """When the form was sent before its script ran, the A–Z page answers instead."""
    page.goto(base_url + AZ + "?commune=st+jean+de+vedas#choisir")
    page.wait_for_url(base_url + "communes/saint-jean-de-vedas/")
    page.goto(base_url + AZ + "?commune=saint+jean#choisir")
    page.locator(".mn-finder__result [role=status]").filter(has_text="« saint jean »").wait_for()
    assert page.locator("#choisir").is_hidden()
    assert "Saint-Jean-de-Védas" in page.locator(".mn-finder__result li a").all_inner_texts()
    page.goto(base_url + AZ + "?commune=34700#choisir")
    page.wait_for_url(base_url + CODES + "#cp-34700")


@pytest.mark.parametrize("width", [1280, 320])
def test_keyboard_only(contexts, base_url, width):
    viewport = {"width": width, "height": 720 if width > 320 else 640}
    with page_in(contexts(), viewport=viewport) as page, watching(page) as problems:
        page.goto(base_url + HOME)
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "mn-commune":
                break
        assert page.evaluate("document.activeElement.id") == "mn-commune"
        page.keyboard.type("34700")
        page.keyboard.press("Enter")
        page.locator(".mn-finder__result li a").first.wait_for()
        page.keyboard.press("Tab")  # the button « Trouver »
        page.keyboard.press("Tab")  # the first commune listed
        first = page.locator(".mn-finder__result li a").first
        assert page.evaluate("document.activeElement.textContent") == first.inner_text()
        href = first.get_attribute("href")
        page.keyboard.press("Enter")
        page.wait_for_url(base_url + href.lstrip("/"))
        page.go_back()
        page.get_by_label(LABEL).focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("lodeve")
        page.keyboard.press("Enter")
        page.wait_for_url(base_url + "communes/lodeve/")
        assert not real(problems), problems


def test_near_me_lists_the_nearest_communes(contexts, base_url):
    with (
        page_in(contexts(geolocation=LODEVE, permissions=["geolocation"])) as page,
        watching(page) as problems,
    ):
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        with InFlight(page) as in_flight:
            page.goto(base_url + HOME)
            in_flight.settle()
        assert base_url + "communes/" not in requests, (
            "the communes' centres are fetched before they are needed"
        )
        button = page.get_by_role("button", name="Près de chez moi")
        button.focus()
        page.keyboard.press("Enter")
        status = page.locator(".mn-near [role=status]")
        status.filter(has_text="Les communes les plus proches de votre position").wait_for()
        items = page.locator(".mn-near li")
        assert items.count() == 5
        assert items.first.inner_text().startswith("Lodève, à ")
        assert items.first.get_by_role("link").get_attribute("href") == "/communes/lodeve/"
        assert requests.count(base_url + "communes/") == 1
        assert not real(problems), problems


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({}, "Vous n'avez pas donné votre position"),  # no permission: the browser refuses
        ({"geolocation": PARIS, "permissions": ["geolocation"]}, "Votre position semble loin de l'Hérault"),
    ],
    ids=["refused", "far-away"],
)
def test_near_me_says_when_it_cannot_help(contexts, base_url, options, said):
    with page_in(contexts(**options)) as page, watching(page) as problems:
        page.goto(base_url + HOME)
        page.get_by_role("button", name="Près de chez moi").click()
        page.locator(".mn-near [role=status]").filter(has_text=said).wait_for()
        if not options:
            assert (
                "Écrivez plutôt le nom de votre commune"
                in page.locator(".mn-near [role=status]").inner_text()
            )
            assert page.locator(".mn-near ol").is_hidden()
        assert not real(problems), problems


def show_every_answer(page, base_url) -> None:
    """The home page with the choices of a postal code and the communes near the position."""
    ask(page, base_url, "34700")
    page.locator(".mn-finder__result li").first.wait_for()
    page.get_by_role("button", name="Près de chez moi").click()
    page.locator(".mn-near li").first.wait_for()


def test_answers_fit_320_px(contexts, base_url):
    narrow = {"width": 320, "height": 640}
    with page_in(contexts(geolocation=LODEVE, permissions=["geolocation"]), viewport=narrow) as page:
        show_every_answer(page, base_url)
        result = page.evaluate(OVERFLOW)
        assert result["scrollWidth"] <= 320 and not result["wide"], result
    # The A–Z page as the form opens it without JavaScript, its note shown.
    with page_in(contexts(java_script_enabled=False), viewport=narrow) as page:
        page.goto(base_url + AZ + "?commune=x#choisir")
        assert page.locator("#choisir").is_visible()
        result = page.evaluate(OVERFLOW)
        assert result["scrollWidth"] <= 320 and not result["wide"], result


def test_answers_pass_axe(contexts, base_url):
    with page_in(contexts(geolocation=LODEVE, permissions=["geolocation"])) as page:
        show_every_answer(page, base_url)
        violations = run_axe(page, [*WCAG_TAGS, "best-practice"])
        assert not violations, describe_violations(violations, "/ (answers shown)")


def test_answers_under_the_content_security_policy(contexts, csp_url):
    with page_in(contexts(geolocation=LODEVE, permissions=["geolocation"]), recycle=False) as page:
        page.add_init_script(RECORD_VIOLATIONS)
        with InFlight(page) as requests:
            show_every_answer(page, csp_url)
            requests.settle()
        assert page.evaluate("window.__csp") == []
