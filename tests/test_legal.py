"""Legal notice and accessibility statement: settings in the pages, no placeholder, a publication
refused while they are missing (plugins/mednum/legal.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from html_tree import parse_html

from conftest import LEGAL_GIVEN, ROOT, build_bundled_site
from mednum.french import plain
from mednum.legal import (
    LEGAL_SETTINGS,
    MISSING,
    LegalInfoMissing,
    check_legal_info,
    missing_legal_info,
    substitute,
)
from mednum.settings import DEFAULTS

PAGES = ROOT / "content" / "pages"
LEGAL_PAGES = ("mentions-legales.md", "accessibilite.md")
BUILD_DATE = "2026-11-23"

# Three settings given, the others left as pelicanconf.py has them (empty, or an example address).
GIVEN = LEGAL_GIVEN
COMPLETE = {
    **GIVEN,
    "CATALOGUE_POSTAL_ADDRESS": [
        "Direction du numérique",
        "1977 avenue des Moulins",
        "34087 Montpellier Cedex 4",
    ],
    "CATALOGUE_CONTACT_EMAIL": "numerique@herault.fr",
    "CATALOGUE_REPOSITORY_URL": "https://github.com/herault/catalogue-mediation-numerique",
    "CATALOGUE_ACCESSIBILITY_PLAN_URL": "https://herault.fr/accessibilite/schema-pluriannuel",
}


def main_text(site: Path, slug: str) -> str:
    html = (site / slug / "index.html").read_text(encoding="utf-8")
    main = next(parse_html(html).iter("main"))
    return " ".join(main.text.split())


def main_html(site: Path, slug: str) -> str:
    html = (site / slug / "index.html").read_text(encoding="utf-8")
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture(scope="module")
def site(demo_site) -> Path:
    """The demo site, a development build (no CATALOGUE_REQUIRE_LEGAL_INFO), three settings given."""
    return demo_site


def test_given_settings_appear_escaped_on_the_pages(site):
    text = main_text(site, "mentions-legales")
    assert "Directeur ou directrice de la publication : Camille Martin, présidente du Département." in text
    assert "Licence du code : EUPL 1.2." in text
    html = main_html(site, "mentions-legales")
    assert "Hébergeur &lt;Test&gt; &amp; Cie<br>\n2 rue Kellermann<br>\n59100 Roubaix<br>" in html
    assert '<a href="mailto:numerique@herault.example">numerique@herault.example</a>' in html


def test_empty_settings_say_non_renseigne_in_a_development_build(site):
    text = main_text(site, "accessibilite")
    assert f"Par courrier : {MISSING}" in text
    assert f"plan d'actions de l'année : {MISSING}." in text


def test_no_placeholder_left_in_the_site(site):
    found = []
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        for pattern in ("[À compléter", "{{ CATALOGUE_", "partiellement conforme"):
            if pattern in html:
                found.append(f"{path.relative_to(site)}: {pattern}")
    assert not found, "\n".join(found)


def test_statement_says_non_conforme_and_lists_every_page_type(site):
    text = main_text(site, "accessibilite")
    assert "est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA)" in text
    footer = (site / "index.html").read_text(encoding="utf-8")
    assert ">Accessibilité : non conforme</a>" in footer
    checked = text[text.index("Pages du site ayant fait l'objet de la vérification") :]
    for kind in ("accueil", "lieu", "orientation", "commune", "territoire", "besoin", "ateliers", "formations",
                 "recherche", "cartes", "brochures", "404", "fraîcheur"):  # fmt: skip
        assert kind in checked, kind


def test_no_written_page_keeps_a_marker(site):
    """A marker with a typo, or one the plugin does not know, would stay on the page as « {{ … }} »."""
    pages = sorted(p.stem for p in PAGES.glob("*.md"))
    assert len(pages) >= 7
    for slug in pages:
        html = (site / slug / "index.html").read_text(encoding="utf-8")
        assert "{{" not in html and "}}" not in html, slug


def test_the_territory_markers_name_the_departement(site):
    assert "pour tout le territoire de l'Hérault." in main_text(site, "a-propos")
    assert "Qui publie ce site ? Département de l'Hérault, avec ses partenaires" in main_text(
        site, "a-propos"
    )
    assert "Ce site est publié par : Département de l'Hérault." in main_text(site, "mentions-legales")
    assert "s'applique au site Aide au numérique dans l'Hérault." in main_text(site, "accessibilite")


def test_every_legal_setting_is_declared_and_shown():
    shown = "".join((PAGES / name).read_text(encoding="utf-8") for name in LEGAL_PAGES)
    for name in LEGAL_SETTINGS:
        assert name in DEFAULTS, name
        assert "{{ " + name + " }}" in shown, name


def test_publication_build_refuses_without_legal_information(tmp_path, capsys):
    out = tmp_path / "site"
    assert build_bundled_site(out, CATALOGUE_BUILD_DATE=BUILD_DATE, CATALOGUE_REQUIRE_LEGAL_INFO=True) == 1
    err = capsys.readouterr().err
    assert "Erreur : informations légales manquantes (CATALOGUE_REQUIRE_LEGAL_INFO)" in err
    for name in ("CATALOGUE_PUBLICATION_DIRECTOR", "CATALOGUE_HOST", "CATALOGUE_POSTAL_ADDRESS",
                 "CATALOGUE_CODE_LICENSE", "CATALOGUE_ACCESSIBILITY_PLAN_URL"):  # fmt: skip
        assert f"  - {name} : vide ; " in err, name
    assert "CATALOGUE_CONTACT_EMAIL : valeur d'exemple « numerique@herault.example »" in err
    assert "CATALOGUE_REPOSITORY_URL" not in err  # a real address
    assert "Le site n'a pas été construit" in err
    assert not out.exists()


def test_publishconf_requires_legal_information(tmp_path, monkeypatch, capsys):
    """A publication build without the legal information from its environment stops before Pelican."""
    from mednum.build import build_site

    for name in LEGAL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "out"
    assert build_site(ROOT / "publishconf.py", out, {"CATALOGUE_BUILD_DATE": BUILD_DATE}) == 1
    assert "informations légales manquantes" in capsys.readouterr().err
    assert not out.exists()


def test_check_passes_with_every_value_and_without_the_requirement():
    check_legal_info({**COMPLETE, "CATALOGUE_REQUIRE_LEGAL_INFO": True})
    check_legal_info({})  # a development build: never refused
    assert missing_legal_info(COMPLETE) == []
    with pytest.raises(LegalInfoMissing, match="CATALOGUE_HOST : vide"):
        check_legal_info({**COMPLETE, "CATALOGUE_HOST": "  \n ", "CATALOGUE_REQUIRE_LEGAL_INFO": True})
    example = {**COMPLETE, "CATALOGUE_ACCESSIBILITY_PLAN_URL": "https://www.example.org/plan"}
    assert [p.split(" :")[0] for p in missing_legal_info(example)] == ["CATALOGUE_ACCESSIBILITY_PLAN_URL"]


def test_substitution():
    settings = {
        "CATALOGUE_PUBLICATION_DIRECTOR": "<b>Nom</b>",
        "CATALOGUE_CONTACT_EMAIL": "a@b.fr",
        "CATALOGUE_REPOSITORY_URL": "javascript:alert(1)",
        "CATALOGUE_ACCESSIBILITY_PLAN_URL": "https://herault.fr/plan?a=1&b=2",
        "CATALOGUE_POSTAL_ADDRESS": ("Service", "Rue"),
    }
    html = (
        "<p>{{ CATALOGUE_PUBLICATION_DIRECTOR }} {{CATALOGUE_CONTACT_EMAIL}} {{ CATALOGUE_REPOSITORY_URL }} "
        "{{ CATALOGUE_ACCESSIBILITY_PLAN_URL }} {{ CATALOGUE_POSTAL_ADDRESS }} {{ CATALOGUE_HOST }} "
        "{{ RGAA_RATE }}</p>"
    )
    assert substitute(html, settings) == (
        '<p>&lt;b&gt;Nom&lt;/b&gt; <a href="mailto:a@b.fr">a@b.fr</a> javascript:alert(1) '
        '<a href="https://herault.fr/plan?a=1&amp;b=2">https://herault.fr/plan?a=1&amp;b=2</a> '
        "Service<br>\nRue non renseigné {{ RGAA_RATE }}</p>"
    )


def test_statement_figures_come_from_the_rgaa_grid(site):
    from mednum.rgaa import chiffres, lire_grille

    figures = chiffres(lire_grille())
    text = main_text(site, "accessibilite")
    assert (
        f"{figures.conformes} critères sont respectés, {figures.non_conformes} ne le sont pas, "
        f"{figures.non_applicables} ne concernent pas ce site" in text
    )
    # main_text() makes every space, the no-break one of « 100 % » too, an ordinary space.
    assert f"soit {plain(figures.taux_fr)} des {figures.applicables} critères qui le concernent" in text
    assert "{{" not in main_html(site, "accessibilite")


def test_criteria_not_met_are_listed_with_reason_and_action(monkeypatch):
    from mednum import legal
    from mednum.rgaa import Critere

    grid = [
        Critere("1.1", "Images", "Titre 1.1", "C", ("preuve",)),
        Critere("3.2", "Couleurs", "Titre <3.2>", "NC", ("preuve",), "le menu manque de contraste", "foncer"),
        Critere("4.1", "Multimédia", "Titre 4.1", "NA", ("preuve",)),
    ]
    monkeypatch.setattr(legal, "lire_grille", lambda: grid)
    html = substitute(
        "<p>{{ RGAA_TAUX }} ({{ RGAA_CONFORMES }}/{{ RGAA_APPLICABLES }})</p>\n<p>{{ RGAA_NON_CONFORMITES }}</p>",
        {},
    )
    assert html.startswith("<p>50\u00a0% (1/2)</p>\n<ul>")  # the list replaces its paragraph
    assert "<strong>Critère 3.2</strong> : Titre &lt;3.2&gt;" in html
    assert "Ce qui ne va pas : le menu manque de contraste" in html and "Ce qui est prévu : foncer" in html


def test_an_unreadable_grid_stops_the_build_with_its_message(monkeypatch):
    from mednum import legal
    from mednum.rgaa import GrilleInvalide

    def broken():
        raise GrilleInvalide("docs/rgaa/grille.yaml:12 : critère 1.1 : statut « OK » inconnu")

    monkeypatch.setattr(legal, "lire_grille", broken)
    with pytest.raises(LegalInfoMissing, match=r"grille d.auto-évaluation RGAA illisible : .*statut « OK »"):
        check_legal_info({})


def test_a_deployment_fills_the_legal_information_from_its_environment(monkeypatch):
    """publishconf.py takes them from environment variables (the repository's, in deploy.yml)."""
    from pelican.settings import read_settings

    from mednum.legal import missing_legal_info

    for name, value in COMPLETE.items():
        monkeypatch.setenv(name, "\n".join(value) if isinstance(value, list) else value)
    settings = read_settings(str(ROOT / "publishconf.py"))
    assert missing_legal_info(settings) == []
    assert settings["CATALOGUE_HOST"].splitlines()[1] == "2 rue Kellermann"
    deploy = (ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    assert all(f"{name}: ${{{{ vars.{name} }}}}" in deploy for name in LEGAL_SETTINGS)
