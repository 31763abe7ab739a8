"""Pictograms (theme/components/icon/): small inline drawings beside words, never alone.

Every pictogram of the demo site is hidden from assistive technologies, drawn in the colour of the
text (``currentColor``: black on paper, the system colours in high-contrast modes) and has words
beside it in the same element. The needs and the facts people look for (phone, address, free,
step-free entrance, open now) each have their own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from browser.component_examples import THEME, environment
from html_tree import Element, parse_html

from mednum import vocab

BUILD_DATE = "2026-11-23"
FACTS = {"phone", "address", "free", "step-free", "clock"}
DRAWING_TAGS = {"path", "circle", "rect"}


@pytest.fixture(scope="module")
def site(demo_site) -> Path:
    return demo_site


@pytest.fixture(scope="module")
def icons():
    return environment().get_template("icon/macro.html").make_module({})


def tree(site: Path, path: str) -> Element:
    return parse_html((site / path).read_text(encoding="utf-8"))


def drawing(svg: Element) -> tuple:
    """What a pictogram draws, to compare two of them."""
    return tuple((e.tag, tuple(sorted(e.attrs.items()))) for e in svg.iter() if e is not svg)


def drawing_of(icons, name: str) -> tuple:
    return drawing(next(parse_html(str(icons.icon(name))).iter("svg")))


def pictograms(element: Element) -> list[Element]:
    return [svg for svg in element.iter("svg") if "mn-icon" in svg.classes]


def words(element: Element) -> str:
    return " ".join(element.text.split())


def test_each_need_and_fact_has_its_own_small_pictogram(icons):
    names = set(icons.ICONS)
    assert {n.slug for n in vocab.NEEDS} | FACTS <= names
    drawings = {name: drawing_of(icons, name) for name in names}
    assert len(set(drawings.values())) == len(names), "two names draw the same pictogram"
    for name, shapes in drawings.items():
        assert shapes and {tag for tag, _ in shapes} <= DRAWING_TAGS, name
        # 24 px grid, strokes only: no colour, no style, no text inside.
        assert not {a for _, attrs in shapes for a, _ in attrs} & {"fill", "stroke", "style", "color"}, name
        numbers = [float(n) for _, attrs in shapes for _, v in attrs for n in re.findall(r"-?\d*\.?\d+", v)]
        assert all(-24 <= n <= 24 for n in numbers), name
        assert len(str(icons.icon(name))) < 420, f"{name}: keep pictograms small"
    svg = next(parse_html(str(icons.icon("phone"))).iter("svg"))
    assert svg.attrs["aria-hidden"] == "true" and svg.attrs["focusable"] == "false"
    assert svg.attrs["stroke"] == "currentColor" and svg.attrs["fill"] == "none"
    assert svg.attrs["viewbox"] == "0 0 24 24"  # the parser lowers attribute names


def test_the_examples_show_every_pictogram_with_its_words(icons):
    examples = yaml.safe_load((THEME / "components" / "icon" / "examples.yaml").read_text(encoding="utf-8"))
    shown = [name for e in examples for name, text in e["args"]["items"] if text.strip()]
    assert sorted(shown) == sorted(icons.ICONS)
    labels = {n.slug: n.label for n in vocab.NEEDS}
    for e in examples:
        for name, text in e["args"]["items"]:
            assert labels.get(name, text) == text, f"{name}: the example shows another label than vocab.py"


def test_every_pictogram_has_words_beside_it_and_is_hidden_from_screen_readers(site):
    problems, uses = [], 0
    for file in sorted(site.rglob("*.html")):
        path = file.relative_to(site).as_posix()
        if "mn-icon" not in file.read_text(encoding="utf-8"):
            continue
        for svg in pictograms(tree(site, path)):
            uses += 1
            where = f"{path}:{svg.line}"
            if svg.attrs.get("aria-hidden") != "true" or svg.attrs.get("focusable") != "false":
                problems.append(f"{where}: pictogram not hidden from assistive technologies")
            if svg.attrs.get("stroke") != "currentColor" or svg.attrs.get("fill") != "none":
                problems.append(f"{where}: pictogram not drawn in the colour of the text")
            if not any(e.tag in DRAWING_TAGS for e in svg.iter()):
                problems.append(f"{where}: empty pictogram (unknown name?)")
            parent = svg.parent
            if "mn-open" in parent.classes:
                # The open-now badge: its words are written by static/ouvert.js, hidden until then.
                if "hidden" not in parent.attrs or not parent.find_class("mn-open__text"):
                    problems.append(f"{where}: open-now badge shown before its words are written")
            elif not words(parent):
                problems.append(f"{where}: pictogram without words in its <{parent.tag}>")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:100])
    assert uses > 1000, uses


def test_pictograms_mark_what_people_look_for(site, icons):
    expected = {name: drawing_of(icons, name) for name in icons.ICONS}
    problems = []

    def check(path: str, element: Element, name: str) -> None:
        found = pictograms(element)
        if [drawing(svg) for svg in found] != [expected[name]]:
            problems.append(f"{path}:{element.line}: expected the {name} pictogram in {words(element)!r}")

    # Place cards: address, phone, free, step-free entrance.
    cards = 0
    for path in ("communes/lodeve/index.html", "besoins/demarches-en-ligne/index.html"):
        doc = tree(site, path)
        for card in doc.find_class("mn-card"):
            cards += 1
            for element in card.find_class("mn-card__address"):
                check(path, element, "address")
            for element in card.find_class("mn-card__phone"):
                check(path, element, "phone")
            for tag in card.find_class("mn-tag"):
                name = {"Gratuit": "free", "Entrée sans marche": "step-free"}.get(words(tag))
                if name:
                    check(path, tag, name)
                elif pictograms(tag):
                    problems.append(f"{path}:{tag.line}: unexpected pictogram in {words(tag)!r}")
    assert cards > 20

    # The need pages: the need's pictogram in the title.
    for need in vocab.NEEDS:
        path = f"besoins/{need.slug}/index.html"
        check(path, next(tree(site, path).iter("h1")), need.slug)

    # A place page: address, phone, open now, its needs, free, step-free entrance.
    path = "lieux/exemple-mediatheque-lodeve/index.html"
    doc = tree(site, path)
    main = next(doc.iter("main"))
    check(path, next(h for h in main.iter("h2") if h.attrs.get("id") == "adresse"), "address")
    check(path, next(li for li in main.iter("li") if words(li).startswith("Téléphone :")), "phone")
    check(path, main.find_class("mn-open")[0], "clock")
    need_items = [li for li in main.iter("li") if words(li) in vocab.NEED_LABELS.values()]
    assert need_items
    for li in need_items:
        check(path, li, next(n.slug for n in vocab.NEEDS if n.label == words(li)))
    check(path, next(li for li in main.iter("li") if words(li) == "Coût : gratuit."), "free")
    check(path, next(li for li in main.find_class("mn-access")[0].iter("li")), "step-free")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:100])
