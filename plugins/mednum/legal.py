"""Legal information of the written pages: legal notice and accessibility statement.

``content/pages/mentions-legales.md`` and ``accessibilite.md`` hold markers such as
``{{ CATALOGUE_HOST }}``. When Pelican reads a page (``content_object_init``), each marker of a
setting of ``LEGAL_SETTINGS`` is replaced by the setting's value, escaped (an address keeps its
lines, an e-mail or web address becomes a link), or by « non renseigné » when it is empty: a
development build (``make site``) works on a fresh machine. Other markers are left as they are.

The département and the publisher are markers too, so that the written pages serve any
département: ``{{ DEPARTEMENT }}`` (« l'Hérault », « le Gard »), ``{{ DANS_DEPARTEMENT }}``
(« dans l'Hérault »), ``{{ DU_DEPARTEMENT }}`` (« de l'Hérault »), from the reference data, and
``{{ CATALOGUE_PUBLISHER }}`` (« Département de l'Hérault » unless set), ``{{ SITENAME }}``.

The accessibility statement's figures come from the RGAA self-audit grid
(``docs/rgaa/grille.yaml``, read by ``mednum.rgaa``): markers ``{{ RGAA_TAUX }}``,
``{{ RGAA_CONFORMES }}``, ``{{ RGAA_NON_CONFORMES }}``, ``{{ RGAA_NON_APPLICABLES }}``,
``{{ RGAA_APPLICABLES }}``, ``{{ RGAA_DATE }}``, and ``{{ RGAA_NON_CONFORMITES }}`` alone in its
paragraph (the list of criteria not met, with their reason and planned action). A grid that cannot
be read stops every build before it starts, with its French message.

A publication build (``CATALOGUE_REQUIRE_LEGAL_INFO``, set in publishconf.py) refuses to start
while one of these settings is empty or still an example (a ``.example`` domain, RFC 2606): the
French message lists every setting to fill.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

from .french import format_date_short
from .reference import ReferenceDataError, load_department
from .rgaa import GrilleInvalide, chiffres, lire_date, lire_grille
from .settings import DEFAULTS, publisher, reference_path, setting

# The settings the written pages show, and how: text, lines (an address), email, url.
LEGAL_SETTINGS: dict[str, str] = {
    "CATALOGUE_PUBLICATION_DIRECTOR": "text",
    "CATALOGUE_HOST": "lines",
    "CATALOGUE_POSTAL_ADDRESS": "lines",
    "CATALOGUE_CONTACT_EMAIL": "email",
    "CATALOGUE_REPOSITORY_URL": "url",
    "CATALOGUE_CODE_LICENSE": "text",
    "CATALOGUE_ACCESSIBILITY_PLAN_URL": "url",
}
MISSING = "non renseigné"
MARKER = re.compile(r"\{\{\s*([A-Z][A-Z0-9_]*)\s*\}\}")
EXAMPLE_DOMAINS = ("example", "example.org", "example.com", "example.net")


class LegalInfoMissing(Exception):
    """A publication build without the legal information: the message says what to fill."""


def _lines(value) -> list[str]:
    """The lines of a value: a text with line breaks, or a list of lines."""
    items = value if isinstance(value, (list, tuple)) else str(value).splitlines()
    return [str(line).strip() for line in items if str(line).strip()]


def _host(name: str, value: str) -> str:
    kind = LEGAL_SETTINGS[name]
    if kind == "email":
        return value.rpartition("@")[2].lower()
    if kind == "url":
        return (urlsplit(value).hostname or "").lower()
    return ""


def is_example(name: str, value) -> bool:
    """An e-mail or web address on a domain reserved for examples (numerique@herault.example)."""
    host = _host(name, " ".join(_lines(value)))
    return any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS)


def value_html(name: str, value) -> str:
    """The HTML of one setting's value in a page; « non renseigné » when it is empty."""
    lines = _lines(value or "")
    if not lines:
        return MISSING
    kind = LEGAL_SETTINGS[name]
    text = " ".join(lines)
    if kind == "email":
        return f'<a href="mailto:{escape(text)}">{escape(text)}</a>'
    if kind == "url" and urlsplit(text).scheme in {"https", "http"}:
        return f'<a href="{escape(text)}">{escape(text)}</a>'
    if kind == "lines":
        return "<br>\n".join(escape(line) for line in lines)
    return escape(text)


def rgaa_values() -> dict[str, str]:
    """The HTML of each RGAA marker, from the self-audit grid (``GrilleInvalide`` if unreadable)."""
    figures = chiffres(lire_grille())
    if figures.non_conformites:
        items = "\n".join(
            f"<li><strong>Critère {escape(c.numero)}</strong> : {escape(c.titre)}<br>"
            f"Ce qui ne va pas : {escape(c.raison or '')}<br>Ce qui est prévu : {escape(c.action or '')}</li>"
            for c in figures.non_conformites
        )
        listing = f"<ul>\n{items}\n</ul>"
    else:
        listing = "<p>Aucun critère non conforme n'a été trouvé sur l'échantillon.</p>"
    return {
        "RGAA_TAUX": escape(figures.taux_fr),
        "RGAA_CONFORMES": str(figures.conformes),
        "RGAA_NON_CONFORMES": str(figures.non_conformes),
        "RGAA_NON_APPLICABLES": str(figures.non_applicables),
        "RGAA_APPLICABLES": str(figures.applicables),
        "RGAA_DATE": escape(format_date_short(lire_date())),
        "RGAA_NON_CONFORMITES": listing,
    }


_NC_PARAGRAPH = re.compile(r"<p>\s*\{\{\s*RGAA_NON_CONFORMITES\s*\}\}\s*</p>")


def territory_values(settings: dict) -> dict[str, str]:
    """The HTML of the département's and the publisher's markers (none if the reference data
    cannot be read: the catalogue's loading then reports it with the data's errors)."""
    try:
        department = load_department(reference_path(settings))
    except ReferenceDataError:
        return {}
    values = {
        "DEPARTEMENT": department.with_article,
        "DANS_DEPARTEMENT": department.in_,
        "DU_DEPARTEMENT": department.of,
        "CATALOGUE_PUBLISHER": publisher(settings, department),
        "SITENAME": str(settings.get("SITENAME", "")),
    }
    return {name: escape(value, quote=False) for name, value in values.items()}


def substitute(html: str, settings: dict) -> str:
    """``html`` with the markers of the legal settings, of the territory and of the RGAA grid
    replaced; others untouched."""
    rgaa = rgaa_values() if "RGAA_" in html else {}
    rgaa.update(territory_values(settings))
    if rgaa:  # a list cannot sit inside a paragraph: the marker replaces its whole paragraph
        html = _NC_PARAGRAPH.sub(lambda _: rgaa["RGAA_NON_CONFORMITES"], html)

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in rgaa:
            return rgaa[name]
        if name not in LEGAL_SETTINGS:
            return match.group(0)
        return value_html(name, setting(settings, name))

    return MARKER.sub(replace, html)


def missing_legal_info(settings: dict) -> list[str]:
    """One French line per legal setting that is empty or an example value."""
    problems = []
    for name in LEGAL_SETTINGS:
        value = setting(settings, name)
        description = DEFAULTS[name][1].rstrip(".")
        if not _lines(value or ""):
            problems.append(f"{name} : vide ; {description[:1].lower()}{description[1:]}")
        elif is_example(name, value):
            shown = " ".join(_lines(value))
            problems.append(
                f"{name} : valeur d'exemple « {shown} » ; {description[:1].lower()}{description[1:]}"
            )
    return problems


def check_legal_info(settings: dict) -> None:
    """Before any build, the RGAA grid must be readable; before a publication build, every legal
    setting must be filled. Raises LegalInfoMissing with the French message."""
    try:
        chiffres(lire_grille())
        lire_date()
    except GrilleInvalide as error:
        raise LegalInfoMissing(f"grille d'auto-évaluation RGAA illisible : {error}") from None
    if not setting(settings, "CATALOGUE_REQUIRE_LEGAL_INFO"):
        return
    problems = missing_legal_info(settings)
    if problems:
        raise LegalInfoMissing(
            "informations légales manquantes (CATALOGUE_REQUIRE_LEGAL_INFO) : les mentions légales et "
            "la déclaration d'accessibilité ne peuvent pas être publiées sans elles. À renseigner dans "
            "pelicanconf.py (ou publishconf.py) :\n" + "\n".join(f"  - {p}" for p in problems)
        )


def fill_legal_info(content) -> None:
    """content_object_init: the legal settings in a written page's HTML."""
    html = getattr(content, "_content", None)
    if isinstance(html, str) and "{{" in html:
        content._content = substitute(html, content.settings)
