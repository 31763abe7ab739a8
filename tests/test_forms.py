"""Issue forms → records (``python -m mednum form``): the forms, the conversions, the texts.

Stored issue texts (``tests/fixtures/forms/demandes/``, written as GitHub writes a submitted
form) go through the conversion against a small real catalogue (``fixtures/forms/data``) and
once against the whole of ``data/``; the positions come from stored answers of the Base
Adresse Nationale (``fixtures/forms/ban``): no test uses the network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import types
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from conftest import ROOT
from mednum.canonical import check_file
from mednum.catalogue import LoadOptions, load_catalogue
from mednum.forms import cli as forms_cli
from mednum.forms import values
from mednum.forms.convert import Context, _only_this_record, _Problems, convert, no_reference
from mednum.forms.geocode import MIN_SCORE, NotFound, geocode, search_url
from mednum.forms.issue import read_answers
from mednum.forms.render import (
    MARKER,
    error_comment,
    escape,
    french_spacing,
    pull_request_body,
    success_comment,
)
from mednum.forms.spec import (
    ACCESSIBILITY,
    CHOICES,
    KINDS,
    NEW_SITE,
    TEMPLATES_DIR,
    UPDATE_SITE,
    WORKSHOP,
    load_form,
    same_text,
)
from mednum.french import NBSP, capitalize_first, plain
from mednum.importers import merge
from mednum.reference import load_reference
from mednum.schema import SITES, WORKSHOPS
from mednum.vocab import NEEDS, PUBLICS, WORKSHOP_PUBLICS

FIXTURES = ROOT / "tests" / "fixtures" / "forms"
BODIES = FIXTURES / "demandes"
TODAY = dt.date(2026, 11, 23)
REFERENCE = load_reference(ROOT / "data" / "reference")
FORM_FILES = {kind: TEMPLATES_DIR / spec.template for kind, spec in KINDS.items()}

# (address, INSEE code) → stored answer of the BAN's search service.
BAN = {
    ("8 place Jean Jaurès", "34079"): "clermont-8-place-jean-jaures.json",
    ("2 rue Introuvable", "34142"): "lodeve-rue-introuvable.json",
    ("12 rue des Écoles", "34142"): "lodeve-rue-des-ecoles.json",
    ("Quai de la Résistance", "34142"): "lodeve-mauvaise-commune.json",
    ("zzzz", "34142"): "lodeve-vide.json",
    ("1 Place Capitaine Francis Morand", "34142"): "lodeve-3-rue-de-la-republique.json",
}


def stored_fetch(url: str) -> bytes:
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).netloc == "api-adresse.data.gouv.fr" and query["limit"] == ["1"]
    key = (query["q"][0], query["citycode"][0])
    assert key in BAN, f"no stored answer for {key}: tests never use the network"
    return (FIXTURES / "ban" / BAN[key]).read_bytes()


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the small catalogue of the fixtures, with the real reference data."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", folder)
    shutil.copytree(ROOT / "data" / "reference", folder / "reference")
    return folder


def context(data: Path, **given) -> Context:
    return Context(
        data, ROOT / "schemas", TODAY, fetch=stored_fetch, number=42, author="cc-clermontais", **given
    )


def run(kind: str, fixture: str, data: Path, **given):
    return convert(kind, (BODIES / fixture).read_text(encoding="utf-8"), context(data, **given))


def messages(result) -> dict[str, list[str]]:
    """Problems by the form's label."""
    found: dict[str, list[str]] = {}
    for problem in result.problems:
        found.setdefault(result.form.label(problem.field), []).append(problem.message)
    return found


def valid_catalogue(folder: Path, text_by_file: dict[str, str], today: dt.date = TODAY) -> None:
    for name, text in text_by_file.items():
        (folder / name).write_text(text, encoding="utf-8")
    _, report = load_catalogue(LoadOptions(folder, ROOT / "schemas", today, root=folder.parent))
    assert report.ok, report.text()


def without(text: str, ident: str) -> str:
    """``text`` without the record ``ident`` (and the blank line that separates it)."""
    return re.sub(rf"\n- id: {re.escape(ident)}\n(?:  .*\n)*", "", text, count=1)


def github_body(kind: str, answers: dict) -> str:
    """The text GitHub writes for a form submitted with ``answers`` (field id → text or ticked labels)."""
    form = yaml.safe_load(FORM_FILES[kind].read_text(encoding="utf-8"))
    parts = []
    for item in form["body"]:
        if item["type"] == "markdown":
            continue
        attributes = item["attributes"]
        value = answers.get(item["id"])
        if item["type"] == "checkboxes":
            ticked = {same_text(v) for v in value or []}
            text = "\n".join(
                f"- [{'X' if same_text(o['label']) in ticked else ' '}] {o['label']}"
                for o in attributes["options"]
            )
        elif value is None and item["type"] == "textarea" and attributes.get("value"):
            text = attributes["value"].strip()
        else:
            text = value or "_No response_"
        parts.append(f"### {attributes['label']}\n\n{text}")
    return "\n\n".join(parts)


# --- the forms --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_the_converter_reads_is_in_its_form(kind):
    form = yaml.safe_load(FORM_FILES[kind].read_text(encoding="utf-8"))
    ids = {item["id"] for item in form["body"] if item["type"] != "markdown"}
    assert KINDS[kind].fields <= ids, f"missing in the form: {sorted(KINDS[kind].fields - ids)}"
    # And every question of the form is read (the consent box is checked apart).
    assert ids - KINDS[kind].fields == {"accord"}
    assert form["labels"] == [KINDS[kind].label]
    labels = [same_text(item["attributes"]["label"]) for item in form["body"] if item["type"] != "markdown"]
    assert len(labels) == len(set(labels)), "the answers are found by their label: labels must differ"
    for ident in CHOICES[kind]:
        assert load_form(kind).item(ident).type in ("checkboxes", "dropdown"), ident


@pytest.mark.parametrize(("kind", "ident"), [(k, i) for k in sorted(CHOICES) for i in sorted(CHOICES[k])])
def test_every_choice_of_a_form_is_the_sites_wording(kind, ident):
    options = {same_text(o) for o in load_form(kind).item(ident).options}
    assert options == {same_text(label) for label in CHOICES[kind][ident]}


def test_the_choices_are_the_labels_of_the_site():
    """The tables the forms are checked against come from mednum.vocab, as the pages show them."""
    form = load_form(NEW_SITE)
    assert list(form.item("services").options) == [n.label for n in NEEDS]
    assert [plain(o) for o in form.item("publics").options] == [capitalize_first(p) for p in PUBLICS.values()]
    workshop = load_form(WORKSHOP)
    assert list(workshop.item("thematiques").options) == [n.label for n in NEEDS]
    assert [plain(o) for o in workshop.item("publics").options] == [
        capitalize_first(p) for p in WORKSHOP_PUBLICS.values()
    ]


def test_accessibility_boxes_say_what_the_page_says_and_fit_the_schema():
    """Each box, ticked, makes the place's page say the box's words (theme/components/access)."""
    import jinja2

    from mednum.filters import FILTERS

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "theme" / "components"))
    environment.filters.update(FILTERS)
    facts = environment.get_template("access/macro.html").module.access_facts
    schema = json.loads((ROOT / "schemas" / "sites.schema.json").read_text(encoding="utf-8"))
    properties = schema["$defs"]["lieu"]["properties"]["x_accessibilite"]["properties"]
    for label, (key, value) in ACCESSIBILITY.items():
        shown = {key: [value] if properties[key]["type"] == "array" else value}
        page = re.sub(r"<[^>]+>", "", str(facts(shown)))
        assert label.casefold() in page.casefold(), (label, page)
        node = properties[key]
        allowed = node.get("enum") or (node.get("items") or {}).get("enum")
        assert (value in allowed) if allowed else isinstance(value, bool), (label, key, value)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_forms_use_french_typography(kind):
    form = yaml.safe_load(FORM_FILES[kind].read_text(encoding="utf-8"))
    texts = [form["name"], form["description"], form["title"]]
    for item in form["body"]:
        attributes = item.get("attributes") or {}
        texts += [attributes.get(k, "") for k in ("label", "description", "value", "placeholder")]
        texts += [o["label"] if isinstance(o, dict) else o for o in attributes.get("options") or []]
    for text in texts:
        assert not re.search(r" [:;!?»]|« ", str(text)), text


def test_update_link_of_a_place_page_opens_the_form_with_the_identifier():
    import jinja2

    template = (ROOT / "theme" / "templates" / "catalogue" / "site.html").read_text(encoding="utf-8")
    (line,) = [line for line in template.splitlines() if "Proposer une modification" in line]
    place = types.SimpleNamespace(
        id="france-services-lodevois-et-larzac", name="France services Lodevois & Larzac"
    )
    environment = jinja2.Environment(autoescape=True)
    html = environment.from_string(line).render(CATALOGUE_REPOSITORY_URL="https://github.com/h/c", site=place)
    href = re.search(r'href="([^"]+)"', html).group(1).replace("&amp;", "&")
    url = urlsplit(href)
    query = parse_qs(url.query)
    assert (url.netloc, url.path) == ("github.com", "/h/c/issues/new")
    assert query["template"] == [KINDS[UPDATE_SITE].template]
    assert query["id"] == [place.id] and load_form(UPDATE_SITE).item("id").type == "input"
    # The title names the record: an issue edited to change another record is refused.
    assert query["title"] == [f"Mise à jour{NBSP}: France services Lodevois & Larzac ({place.id})"]
    assert environment.from_string(line).render(CATALOGUE_REPOSITORY_URL="", site=place) == ""


def test_answers_are_read_under_the_labels_and_a_field_written_twice_is_refused():
    form = load_form(NEW_SITE)
    body = github_body(
        NEW_SITE, {"nom": "Lieu\n### Pas une rubrique", "services": ["Faire mes démarches en ligne"]}
    )
    answers, problems = read_answers(body.replace("\n", "\r\n"), form)
    assert not problems
    assert answers.get("nom") == "Lieu\n### Pas une rubrique"
    assert answers.get("telephone") == ""  # _No response_
    assert answers.boxes("services") == ["Faire mes démarches en ligne"]
    _, problems = read_answers(body + "\n\n### Nom du lieu\n\nAutre", form)
    assert [(p.field, p.message[:30]) for p in problems] == [("nom", "ce champ est écrit deux fois d")]
    _, problems = read_answers("Bonjour, pouvez-vous ajouter ma médiathèque ?", form)
    assert problems and problems[0].field is None and "ne suit pas le formulaire" in problems[0].message


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Lundi : 9 h – 12 h, 14 h – 17 h", "Mo 09:00-12:00,14:00-17:00"),
        ("lundi: 9h-12h / 14h-17h\nMardi : 9:00-12:00 et 14:00-17:00", "Mo,Tu 09:00-12:00,14:00-17:00"),
        ("Du lundi au vendredi : 9h à midi\nSamedi : fermé\nDimanche :", "Mo-Fr 09:00-12:00"),
        ("Mardi et jeudi : 14h30-18h\nJours fériés : fermé", "Tu,Th 14:30-18:00; PH off"),
        (f"Mercredi{NBSP}: 9h – 12h sur rendez-vous", 'We 09:00-12:00 "sur rendez-vous"'),
        ("Lun. 9-12\nMer. 9 h 30 - 12 h", "Mo 09:00-12:00; We 09:30-12:00"),
        # « sur rendez-vous » before the first hours or after the last: the whole day.
        ("Lundi : 9h-12h, 14h-17h sur rendez-vous", 'Mo 09:00-12:00,14:00-17:00 "sur rendez-vous"'),
        ("Lundi : sur RDV 9h-12h, 14h-17h", 'Mo 09:00-12:00,14:00-17:00 "sur rendez-vous"'),
        ("Lundi :\nMardi :\nJours fériés : fermé", None),
    ],
)
def test_weekday_lines_become_opening_hours(written, expected):
    assert values.weekly_hours(written) == expected


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ("Lundi : 9h-8h", "« 9h-8h » finit avant de commencer"),
        ("Lundi : 9h-12h, 11h-13h", "deux plages horaires se chevauchent"),
        ("Lundi : toute la journée", "« toute la journée » n'est pas compris"),
        ("Ouvert le samedi", "commencez la ligne par le jour"),
        ("Lundi : 9h-12h\nLundi : 14h-17h", "le lundi est déjà indiqué plus haut"),
        ("Lundi : 25h-26h", "heure impossible"),
        # The catalogue cannot say « sur rendez-vous » of the morning only: never of the whole day.
        (
            "Lundi : 9h-12h sur rendez-vous, 14h-17h",
            "« sur rendez-vous » ne peut pas valoir pour une partie des heures seulement",
        ),
        ("Mardi : 9h-12h (sur RDV) et 14h-17h", "« sur RDV » ne peut pas valoir pour une partie des heures"),
    ],
)
def test_unreadable_weekday_lines_say_what_to_write(written, fragment):
    with pytest.raises(values.Invalid) as error:
        values.weekly_hours(written)
    assert fragment in str(error.value)
    assert "« Lundi : 9 h – 12 h, 14 h – 17 h »" in str(error.value)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("04 67 00 00 00", "+33467000000"),
        ("04.67.00.00.00", "+33467000000"),
        ("+33 (0)4 67 00 00 00", "+33467000000"),
    ],
)
def test_phones(written, expected):
    assert values.phone(written) == expected


def test_communes_by_name_postal_code_or_both():
    assert values.commune("Clermont l'Herault", REFERENCE)[0].code_insee == "34079"
    assert values.commune("34800 Clermont-l'Hérault", REFERENCE)[1] == "34800"
    assert values.commune("34300", REFERENCE)[0].nom == "Agde"
    assert values.commune("Montpellier (34070)", REFERENCE)[1] == "34070"
    assert values.commune("Montpellier", REFERENCE)[1] is None  # several: asked later, or from the BAN
    with pytest.raises(
        values.Invalid, match=r"le code postal 34290 est celui de 9 communes .* écrivez aussi le nom"
    ):
        values.commune("34290", REFERENCE)
    with pytest.raises(values.Invalid, match="vouliez-vous dire « Lodève »"):
        values.commune("Lodèv", REFERENCE)
    with pytest.raises(values.Invalid, match="le code postal 34200 n'est pas celui de Lodève"):
        values.commune("34200 Lodève", REFERENCE)


def test_two_communes_with_the_same_name_ask_for_the_postal_code():
    lodeve = REFERENCE.commune("34142")
    twin = dataclasses.replace(lodeve, code_insee="34999", codes_postaux=("34999",), slug="lodeve-2")
    reference = dataclasses.replace(REFERENCE, communes={**REFERENCE.communes, "34999": twin})
    with pytest.raises(
        values.Invalid, match=r"plusieurs communes s'appellent « Lodève » .* ajoutez le code postal"
    ):
        values.commune("Lodève", reference)
    assert values.commune("34999 Lodève", reference)[0].code_insee == "34999"


@pytest.mark.parametrize(
    "written",
    [
        "43.7317, 3.3194",
        "43,7317 3,3194",
        "https://www.openstreetmap.org/#map=19/43.73170/3.31940",
        "https://www.openstreetmap.org/?mlat=43.7317&mlon=3.3194#map=19/43.73170/3.31940",
        "https://www.google.com/maps/place/X/@43.7317,3.3194,17z",
    ],
)
def test_positions_copied_from_a_map(written):
    assert values.position(written, REFERENCE, REFERENCE.commune("34142")) == (43.7317, 3.3194)


def test_positions_out_of_place_are_refused():
    lodeve = REFERENCE.commune("34142")
    with pytest.raises(values.Invalid, match="latitude et longitude inversées"):
        values.position("3.3194, 43.7317", REFERENCE, lodeve)
    with pytest.raises(values.Invalid, match="km du centre de Lodève"):
        values.position("43.6, 3.9", REFERENCE, lodeve)
    with pytest.raises(values.Invalid, match="hors de l'Hérault"):
        values.position("48.85, 2.35", REFERENCE, lodeve)


def test_sessions_and_periods():
    assert values.sessions("mardi 12 janvier 2027, 14h-16h\n2027-01-05 9:30-11:00", TODAY) == [
        {"date": "2027-01-05", "debut": "09:30", "fin": "11:00"},
        {"date": "2027-01-12", "debut": "14:00", "fin": "16:00"},
    ]
    assert values.sessions("2 février : 10h-12h", TODAY) == [
        {"date": "2027-02-02", "debut": "10:00", "fin": "12:00"}
    ]
    with pytest.raises(values.Invalid, match="est un mardi, pas un lundi"):
        values.sessions("lundi 12/01/2027 14h-16h", TODAY)
    with pytest.raises(values.Invalid, match="est passée"):
        values.sessions("12/01/2025 14h-16h", TODAY)
    with pytest.raises(values.Invalid, match="indiquez l'heure de début et l'heure de fin"):
        values.sessions("12/01/2027 14h", TODAY)
    # A weekly workshop may have started; not ended.
    assert values.period("du 07/09/2026 au 30/06/2027", TODAY) == (dt.date(2026, 9, 7), dt.date(2027, 6, 30))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # Written on 23 November 2026: January of next year, not of this one.
        ("du 7 janvier au 30 juin", (dt.date(2027, 1, 7), dt.date(2027, 6, 30))),
        ("du 7 janvier au 30/06/2027", (dt.date(2027, 1, 7), dt.date(2027, 6, 30))),
        ("du 07/01/2027 au 30 juin", (dt.date(2027, 1, 7), dt.date(2027, 6, 30))),
        ("du 1er décembre au 30 juin", (dt.date(2026, 12, 1), dt.date(2027, 6, 30))),
        # Started already: the latest such day before the end.
        ("du 2 septembre au 30 juin", (dt.date(2026, 9, 2), dt.date(2027, 6, 30))),
        ("du 02/09/2027 au 30 juin", (dt.date(2027, 9, 2), dt.date(2028, 6, 30))),
    ],
)
def test_a_period_without_years_starts_on_the_latest_such_day_before_its_end(written, expected):
    assert values.period(written, TODAY) == expected


def test_a_period_from_29_february_without_a_year_asks_for_the_year():
    with pytest.raises(values.Invalid, match="« 29 février » : précisez l'année"):
        values.period("du 29 février au 30 juin", TODAY)


def test_dates_written_on_29_february():
    """Two years after 29 February 2028 is 28 February 2030 (no 29 February in 2030)."""
    leap_day = dt.date(2028, 2, 29)
    assert values.sessions("01/03/2028 : 10h-12h\n28/02/2030 : 10h-12h", leap_day) == [
        {"date": "2028-03-01", "debut": "10:00", "fin": "12:00"},
        {"date": "2030-02-28", "debut": "10:00", "fin": "12:00"},
    ]
    with pytest.raises(values.Invalid, match="trop lointaine"):
        values.sessions("01/03/2030 : 10h-12h", leap_day)
    assert values.period("du 29/02/2028 au 30 juin", leap_day) == (leap_day, dt.date(2028, 6, 30))
    assert values.years_later(leap_day, 4) == dt.date(2032, 2, 29)


def test_a_workshop_announced_on_29_february(data):
    body = (BODIES / "atelier.md").read_text(encoding="utf-8")
    body = body.replace(
        "12/01/2027 : 14 h – 16 h\nmardi 19 janvier 2027", "07/03/2028 : 14 h – 16 h\nmardi 14 mars 2028"
    )
    leap_day = dt.date(2028, 2, 29)
    result = convert(WORKSHOP, body, dataclasses.replace(context(data), today=leap_day))
    assert result.ok, result.problems
    assert [s["date"] for s in result.record["seances"]] == ["2028-03-07", "2028-03-14"]


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ("<script>alert(1)</script>", "le HTML n'est pas accepté"),
        ("!!python/object/apply:os.system ['id']", "« !! » n'est pas accepté"),
        ("&ancre Médiathèque", "ne peut pas commencer par « & »"),
        ("Médiathèque\n- id: autre", "une seule ligne attendue"),
        ("Médiathèque\x1b[31m", "caractères invisibles"),
    ],
)
def test_hostile_text_is_refused(written, fragment):
    with pytest.raises(values.Invalid) as error:
        values.text(written, 200)
    assert fragment in str(error.value)


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\x80", "\u2028", "\u2029", "\ufffe"])
def test_c1_controls_and_line_separators_are_refused_in_several_lines(char):
    """U+0085 (NEL) is a line break for YAML: a description holding it could not be read back."""
    with pytest.raises(values.Invalid, match="caractères invisibles"):
        values.text(f"Première ligne{char}suite\nDeuxième ligne", 3000, multiline=True)


# --- geocoding ----------------------------------------------------------------------------------

CLERMONT = REFERENCE.commune("34079")
LODEVE = REFERENCE.commune("34142")


def test_geocoding_accepts_a_precise_answer_in_the_commune():
    assert search_url("8 place Jean Jaurès", CLERMONT) == (
        "https://api-adresse.data.gouv.fr/search/?q=8+place+Jean+Jaur%C3%A8s&citycode=34079&limit=1"
    )
    found = geocode("8 place Jean Jaurès", CLERMONT, stored_fetch)
    assert (found.latitude, found.longitude, found.type, found.postcode) == (
        43.627194,
        3.431851,
        "housenumber",
        "34800",
    )
    assert found.score >= MIN_SCORE


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("2 rue Introuvable", "ne trouve que la commune, pas l'adresse"),  # type municipality: the centre
        ("12 rue des Écoles", "ne ressemble pas assez"),  # score 0.45
        ("Quai de la Résistance", "n'a pas été trouvée à Lodève"),  # another citycode
        ("zzzz", "introuvable dans la Base adresse nationale"),
    ],
)
def test_geocoding_never_guesses(address, fragment):
    with pytest.raises(NotFound) as error:
        geocode(address, LODEVE, stored_fetch)
    assert fragment in str(error.value)
    assert "indiquez la position du lieu dans « Position sur la carte »" in str(error.value)


@pytest.mark.parametrize("failure", [OSError("réseau"), TimeoutError(), ValueError()])
def test_geocoding_service_down_asks_for_the_position(failure):
    def fetch(url):
        raise failure

    with pytest.raises(NotFound, match="n'a pas répondu : indiquez la position"):
        geocode("8 place Jean Jaurès", CLERMONT, fetch)
    with pytest.raises(NotFound, match="n'a pas répondu"):
        geocode("8 place Jean Jaurès", CLERMONT, lambda url: b"<html>erreur</html>")


# --- « Proposer un nouveau lieu » ---------------------------------------------------------------

NEW_RECORD = {
    "id": "espace-numerique-du-clermontais-clermont-l-herault",
    "nom": "Espace numérique du Clermontais",
    "adresse": "8 place Jean Jaurès",
    "complement_adresse": "1er étage, entrée par la cour",
    "code_postal": "34800",
    "commune": "Clermont-l'Hérault",
    "code_insee": "34079",
    "latitude": 43.627194,
    "longitude": 3.431851,
    "typologie": ["EPN"],
    "telephone": "+33467881234",
    "courriels": ["numerique@clermontais.example.fr"],
    "site_web": ["https://www.clermontais.example.fr/numerique"],
    "horaires": 'Tu,Fr 09:00-12:00,14:00-17:00; We 09:00-12:00; Th 14:00-18:00 "sur rendez-vous"; PH off',
    "presentation_resume": "Un conseiller numérique vous aide à faire vos démarches en ligne et à utiliser"
    " votre téléphone ou votre ordinateur.",
    "source": "Communauté de communes du Clermontais",
    "date_maj": "2026-11-23",
    "services": ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"],
    "publics_specifiquement_adresses": ["Seniors"],
    "frais_a_charge": ["Gratuit"],
    "modalites_acces": ["Se présenter", "Téléphoner"],
    "modalites_accompagnement": ["Accompagnement individuel", "Dans un atelier collectif"],
    "x_pass_numerique": True,
    "x_accessibilite": {
        "stationnement_presence": True,
        "stationnement_pmr": True,
        "entree_plain_pied": True,
        "sanitaires_presence": True,
        "sanitaires_adaptes": True,
        "commentaire": "Ascenseur pour l'étage.",
    },
}


def test_new_place(data):
    before = (data / "sites.yaml").read_text(encoding="utf-8")
    result = run(NEW_SITE, "nouveau-lieu.md", data)
    assert result.ok, result.problems
    assert set(result.files) == {"sites.yaml"}
    text = result.files["sites.yaml"]
    records = yaml.safe_load(text)
    (record,) = [r for r in records if r["id"] == NEW_RECORD["id"]]
    assert record == NEW_RECORD
    assert list(record) == list(NEW_RECORD), "fields in the schema's order"
    assert [r["id"] for r in records] == sorted(r["id"] for r in records), "records in identifier order"
    assert without(text, NEW_RECORD["id"]) == before, "the rest of the file is unchanged, to the byte"
    assert '  telephone: "+33467881234"\n  courriels:' in text and '  code_postal: "34800"' in text
    assert not check_file(data / "sites.yaml", ROOT / "schemas" / SITES.schema_file, SITES)
    valid_catalogue(data, result.files)
    assert not check_file(data / "sites.yaml", ROOT / "schemas" / SITES.schema_file, SITES)
    body = pull_request_body(result, 42, "cc-clermontais")
    assert body.startswith("Proposition écrite automatiquement à partir de la demande #42 de @cc-clermontais")
    assert f"Base adresse nationale{NBSP}: «{NBSP}8 Place Jean Jaurès 34800 Clermont-l'Hérault{NBSP}»" in body
    assert "closes #42." in body and "| Téléphone | 04 67 88 12 34 |" in body
    assert result.title == f"Nouveau lieu : Espace numérique du Clermontais ({NEW_RECORD['id']})"


def test_new_place_in_the_whole_catalogue(tmp_path):
    """The real data/: the validator checks the record among all the others."""
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("imports"))
    before = (folder / "sites.yaml").read_text(encoding="utf-8")
    # Today: the real records may have been checked up to today.
    today = max(TODAY, dt.date.today())
    body = (BODIES / "nouveau-lieu.md").read_text(encoding="utf-8")
    result = convert(NEW_SITE, body, dataclasses.replace(context(folder), today=today))
    assert result.ok, result.problems
    assert without(result.files["sites.yaml"], NEW_RECORD["id"]) == before
    valid_catalogue(folder, result.files, today)


def test_broken_new_place_gets_every_problem_at_once(data):
    result = run(NEW_SITE, "nouveau-lieu-casse.md", data)
    assert not result.ok and not result.files
    found = messages(result)
    assert found["Commune"] == [
        "le code postal 34290 est celui de 9 communes (Abeilhan, Alignan-du-Vent, Bassan, Coulobres, Espondeilhan"
        " et 4 autres) : écrivez aussi le nom, par exemple « 34290 Abeilhan »"
    ]
    assert found["Position sur la carte"] == ["latitude et longitude inversées ? Écrivez « 43.6272, 3.4319 »"]
    assert "n'est pas un numéro de téléphone complet" in found["Téléphone"][0]
    assert "n'est pas une adresse e-mail" in found["Adresse e-mail"][0]
    assert "n'est pas une adresse web" in found["Site web"][0]
    assert len(found["Horaires d'ouverture"]) == 3
    assert found["Ce que l'on peut y faire"] == ["cochez au moins une case"]
    assert found["Qui donne ces informations ?"] == ["réponse obligatoire : remplissez ce champ"]
    comment = error_comment(result)
    assert comment.startswith(MARKER + "\nBonjour,")
    assert f"- **Téléphone**{NBSP}: «{NBSP}04 67{NBSP}» n'est pas un numéro de téléphone complet" in comment
    assert not re.search(r" [:;?!»]|« ", comment), "French typography"


# --- « Mettre à jour un lieu » ------------------------------------------------------------------


def test_update(data):
    before = (data / "sites.yaml").read_text(encoding="utf-8")
    old = {r["id"]: r for r in yaml.safe_load(before)}["france-services-lodevois-et-larzac"]
    result = run(UPDATE_SITE, "mise-a-jour.md", data)
    assert result.ok, result.problems
    after = result.files["sites.yaml"]
    new = {r["id"]: r for r in yaml.safe_load(after)}["france-services-lodevois-et-larzac"]
    assert [c.field for c in result.changes] == [
        "telephone",
        "horaires",
        "x_pass_numerique",
        "x_accessibilite",
    ]
    assert new["telephone"] == "+33411950141"
    assert (
        new["horaires"]
        == "Mo,Tu,Th 08:30-12:00,13:30-17:30; We 08:30-12:00; Fr 08:30-12:00,13:30-16:30; PH off"
    )
    assert new["x_accessibilite"] == {"entree_plain_pied": True, "entree_aide_humaine": True}
    assert new["date_maj"] == "2026-11-23"
    assert new["source"] == old["source"], "the record keeps its sources; the person's goes to the reviewers"
    unchanged = {
        k: v
        for k, v in new.items()
        if k not in ("telephone", "horaires", "x_pass_numerique", "x_accessibilite", "date_maj")
    }
    assert unchanged == {k: v for k, v in old.items() if k not in ("telephone", "horaires", "date_maj")}
    # Only the record's lines change.
    assert without(after, old["id"]) == without(before, old["id"])
    valid_catalogue(data, result.files)
    assert not check_file(data / "sites.yaml", ROOT / "schemas" / SITES.schema_file, SITES), "canonical order"
    body = pull_request_body(result, 57, "mediatheque-lodeve")
    assert "| Téléphone | 04 11 95 01 40 | 04 11 95 01 41 |" in body
    assert "| Pass numérique | — | oui |" in body
    assert (
        f"Source des informations, selon la demande{NBSP}: «{NBSP}Je travaille à la France services{NBSP}»."
        in body
    )
    assert "closes #57." in body


def test_update_that_moves_the_place_finds_its_new_position(data):
    body = github_body(
        UPDATE_SITE,
        {
            "id": "agence-retraite-de-beziers",
            "adresse": "8 place Jean Jaurès",
            "commune": "Clermont-l'Hérault",
            "accord": ["Ces informations peuvent être publiées sur le site."],
        },
    )
    result = convert(UPDATE_SITE, body, context(data))
    assert result.ok, result.problems
    assert [c.field for c in result.changes] == [
        "adresse",
        "code_postal",
        "commune",
        "code_insee",
        "latitude",
        "longitude",
    ]
    assert result.record["latitude"] == 43.627194 and result.geocoded.type == "housenumber"


def test_broken_update(data):
    result = run(UPDATE_SITE, "mise-a-jour-casse.md", data)
    found = messages(result)
    assert found["Site web"] == [
        "« javascript:alert(1) » n'est pas une adresse web : écrivez-la en entier, « https://www.exemple.fr/… »"
    ]
    assert found["Horaires d'ouverture"] == [
        "ligne « Lundi : toute la journée » : « toute la journée » n'est pas compris ; écrivez par exemple"
        " « Lundi : 9 h – 12 h, 14 h – 17 h », ou « Lundi : fermé »"
    ]
    assert found["Accessibilité"] == [
        "« Entrée sans marche » et « Entrée avec des marches » : cochez l'une ou l'autre"
    ]
    # The commune's centre is never taken for the place.
    assert "ne trouve que la commune, pas l'adresse" in found["Adresse"][0]


def test_update_names_the_record_by_its_page_its_identifier_or_asks(data):
    for written, fragment in (
        ("France services Lodevois et Larzac", "vouliez-vous dire « france-services-lodevois-et-larzac » ?"),
        ("https://exemple.fr/lieux/inconnu/", "aucun lieu n'a l'identifiant « inconnu » dans le catalogue"),
        ("?!", "n'est pas un identifiant de fiche : collez l'adresse de la page"),
    ):
        body = github_body(UPDATE_SITE, {"id": written, "telephone": "04 67 00 00 00", "accord": ["Ces"]})
        (problem,) = [p for p in convert(UPDATE_SITE, body, context(data)).problems if p.field == "id"]
        assert fragment in problem.message


def test_update_with_nothing_to_change(data):
    result = run(UPDATE_SITE, "mise-a-jour-rien.md", data)
    assert [(p.field, p.message[:25]) for p in result.problems] == [(None, "aucun changement trouvé :")]


# --- « Annoncer un atelier » --------------------------------------------------------------------


def test_workshop_with_dated_sessions(data):
    before = (data / "workshops.yaml").read_text(encoding="utf-8")
    result = run(WORKSHOP, "atelier.md", data)
    assert result.ok, result.problems
    text = result.files["workshops.yaml"]
    header = before[: before.index("[]")]
    assert text.startswith(header), "the comments of the file stay"
    (record,) = yaml.safe_load(text)
    assert record == {
        "id": "bien-utiliser-son-smartphone-lodeve-2027-01",
        "titre": "Bien utiliser son smartphone",
        "type": "atelier-collectif",
        "lieu": "lieux-d-acces-multimedia-de-lodeve-cc-lodevois-larzac",
        "description": "Réglages, photos, messages et applications utiles : venez avec votre téléphone.\n\n"
        "- id: ceci reste du texte",
        "thematiques": ["Maîtrise des outils numériques du quotidien"],
        "publics": ["Seniors"],
        "niveau": "debutant",
        "seances": [
            {"date": "2027-01-12", "debut": "14:00", "fin": "16:00"},
            {"date": "2027-01-19", "debut": "14:00", "fin": "16:00"},
        ],
        "places": 8,
        "inscription": {"modes": ["telephone"], "telephone": "+33467442460"},
        "tarif": {"frais": "Gratuit", "pass_numerique": False},
        "date_maj": "2026-11-23",
    }
    assert "  description: |-\n" in text, "several lines stay lines, and a « - id: » in them stays text"
    valid_catalogue(data, result.files)
    assert not check_file(data / "workshops.yaml", ROOT / "schemas" / WORKSHOPS.schema_file, WORKSHOPS)
    # A second workshop goes in identifier order, after the first.
    again = run(WORKSHOP, "atelier-chaque-semaine.md", data)
    assert again.ok, again.problems
    ids = [r["id"] for r in yaml.safe_load(again.files["workshops.yaml"])]
    assert ids == [
        "bien-utiliser-son-smartphone-lodeve-2027-01",
        "permanence-aide-aux-demarches-lodeve-2027-01",
    ]
    assert again.files["workshops.yaml"].startswith(text.rstrip("\n"))


def test_weekly_workshop(data):
    result = run(WORKSHOP, "atelier-chaque-semaine.md", data)
    assert result.ok, result.problems
    (record,) = yaml.safe_load(result.files["workshops.yaml"])
    assert record["recurrence"] == {"horaires": "We 09:00-12:00", "du": "2027-01-07", "au": "2027-06-30"}
    assert "seances" not in record and record["inscription"] == {"modes": ["sans-inscription"]}
    valid_catalogue(data, result.files)


def test_broken_workshop(data):
    found = messages(run(WORKSHOP, "atelier-casse.md", data))
    assert found["Lieu"] == [
        "aucun lieu « mediatheque-de-lodeve » dans le catalogue. Collez l'adresse de la page du lieu ; s'il n'est pas"
        " encore dans le catalogue, proposez-le d'abord avec le formulaire « Proposer un nouveau lieu »"
    ]
    assert [m.split(" : ", 1)[1].split(" ;")[0] for m in found["Dates et heures"]] == [
        "le 12 janvier 2027 est un mardi, pas un lundi : vérifiez la date",
        "« 30/02/2027 » n'est pas une date qui existe",
    ]
    assert found["Nombre de places"] == [f"« huit » : écrivez un nombre entier entre 1 et 10{NBSP}000"]
    assert found["Niveau"] == ["réponse obligatoire : remplissez ce champ"]
    assert found["Inscription"] == ["cochez au moins une case"]
    assert found["Prix en euros"] == ["indiquez le prix d'un atelier payant, en euros"]


# --- hostile texts: a comment, and nothing changes ------------------------------------------------


def cli(*args: str) -> types.SimpleNamespace:
    """``python -m mednum form …``, in this process (as the other command tests do, it is faster)."""
    from mednum.cli import main

    code = main(["form", "--schemas", str(ROOT / "schemas"), *args])
    return types.SimpleNamespace(returncode=code, stdout="", stderr="")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.yaml")}


HOSTILE = [
    (
        NEW_SITE,
        "nouveau-lieu-script.md",
        "Nom du lieu",
        "Le HTML n'est pas accepté («\u00a0\\<script\\>\u00a0»)",
    ),
    (NEW_SITE, "nouveau-lieu-injection-yaml.md", "Nom du lieu", "Une seule ligne attendue"),
    (NEW_SITE, "nouveau-lieu-injection-yaml.md", "Présentation", "«\u00a0!!\u00a0» n'est pas accepté"),
    (
        NEW_SITE,
        "nouveau-lieu-deja-la.md",
        "Nom du lieu",
        "Un lieu de ce nom est déjà dans le catalogue à Lodève",
    ),
    (
        UPDATE_SITE,
        "mise-a-jour-inconnue.md",
        "Identifiant de la fiche",
        "vouliez-vous dire «\u00a0france-services-lodevois-et-larzac\u00a0»",
    ),
    (
        UPDATE_SITE,
        "mise-a-jour-deux-identifiants.md",
        "Identifiant de la fiche",
        "Ce champ est écrit deux fois",
    ),
]


@pytest.mark.parametrize(("kind", "fixture", "label", "fragment"), HOSTILE, ids=lambda v: str(v)[:30])
def test_hostile_forms_get_a_comment_and_change_nothing(data, tmp_path, kind, fixture, label, fragment):
    before = snapshot(data)
    out = tmp_path / "sortie"
    done = cli(
        "--form",
        kind,
        "--body",
        str(BODIES / fixture),
        "--data",
        str(data),
        "--out",
        str(out),
        "--date",
        TODAY.isoformat(),
        "--no-geocoding",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert snapshot(data) == before
    assert sorted(p.name for p in out.iterdir()) == ["fermeture.md", "relecture.md", "reponse.md"]
    comment = (out / "reponse.md").read_text(encoding="utf-8")
    assert f"- **{label}**{NBSP}: " in comment.replace(" ?", f"{NBSP}?")
    assert fragment in comment
    assert "<script>" not in comment


def test_a_one_megabyte_answer_is_refused(data):
    body = github_body(NEW_SITE, {"nom": "Lieu", "presentation": "a" * 1_048_576})
    result = convert(NEW_SITE, body, context(data))
    found = messages(result)
    assert found["Présentation"] == [
        "réponse trop longue : 1 048 576 caractères pour 280 au plus. Raccourcissez-la".replace(
            "1 048 576", f"1{NBSP}048{NBSP}576"
        )
    ]
    assert not result.files


def test_an_edited_issue_cannot_turn_to_another_record(data, tmp_path):
    """The event's title names the record of the « Proposer une modification » link; the field another."""
    before = snapshot(data)
    out = tmp_path / "sortie"
    event = FIXTURES / "evenement-mise-a-jour-autre-fiche.json"
    done = cli("--event", str(event), "--data", str(data), "--out", str(out), "--date", TODAY.isoformat())
    assert done.returncode == 1, done.stdout + done.stderr
    assert snapshot(data) == before
    assert (
        "Le titre de la demande parle de la fiche «\u00a0france-services-lodevois-et-larzac\u00a0», mais ce champ"
        " donne «\u00a0agence-retraite-de-beziers\u00a0»"
    ) in (out / "reponse.md").read_text(encoding="utf-8")


def test_a_change_to_another_record_is_refused():
    before = (FIXTURES / "data" / "sites.yaml").read_text(encoding="utf-8")
    after = before.replace('telephone: "+33411950140"', 'telephone: "+33411950141"').replace(
        "nom: Agence Retraite de Béziers", "nom: Agence piratée"
    )
    problems = _Problems()
    _only_this_record(before, after, SITES, "france-services-lodevois-et-larzac", False, problems)
    assert [p.message.split(" :")[0] for p in problems] == [
        "la demande modifierait d'autres fiches que « france-services-lodevois-et-larzac »"
    ]
    problems = _Problems()
    _only_this_record(
        before,
        before.replace('"+33411950140"', '"+33411950141"'),
        SITES,
        "france-services-lodevois-et-larzac",
        False,
        problems,
    )
    assert not problems


def test_the_workflow_path_with_an_event(data, tmp_path):
    out = tmp_path / "sortie"
    done = cli(
        "--event",
        str(FIXTURES / "evenement-nouveau-lieu.json"),
        "--data",
        str(data),
        "--out",
        str(out),
        "--date",
        TODAY.isoformat(),
        "--no-geocoding",
    )
    # Offline, without a position: the person is asked for it, nothing is written.
    assert done.returncode == 1
    assert "Position sur la carte" in (out / "reponse.md").read_text(encoding="utf-8")
    event = json.loads((FIXTURES / "evenement-nouveau-lieu.json").read_text(encoding="utf-8"))
    event["issue"]["body"] = event["issue"]["body"].replace(
        "### Position sur la carte\n\n_No response_", "### Position sur la carte\n\n43.627194, 3.431851"
    )
    out = tmp_path / "sortie-2"  # as a new run of the workflow
    (tmp_path / "evenement.json").write_text(json.dumps(event), encoding="utf-8")
    done = cli(
        "--event",
        str(tmp_path / "evenement.json"),
        "--data",
        str(data),
        "--out",
        str(out),
        "--date",
        TODAY.isoformat(),
        "--no-geocoding",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["demande.md", "relecture.md", "reponse.md", "titre.txt"]
    assert (out / "titre.txt").read_text(encoding="utf-8") == (
        f"Nouveau lieu : Espace numérique du Clermontais ({NEW_RECORD['id']})\n"
    )
    assert "de @cc-clermontais" in (out / "demande.md").read_text(encoding="utf-8")
    assert (
        (out / "reponse.md")
        .read_text(encoding="utf-8")
        .endswith(f"La proposition de modification{NBSP}:\n\n")
    )
    assert NEW_RECORD["id"] in (data / "sites.yaml").read_text(encoding="utf-8")
    # An event without a form's label is none of this command's business.
    event["issue"]["labels"] = [{"name": "signalement"}]
    (tmp_path / "evenement.json").write_text(json.dumps(event), encoding="utf-8")
    assert cli("--event", str(tmp_path / "evenement.json"), "--data", str(data)).returncode == 2


# --- texts --------------------------------------------------------------------------------------


def test_texts_of_people_cannot_become_markdown():
    assert escape("[clic](javascript:alert(1)) <img src=x> @quelquun #12 **gras**") == (
        "\\[clic\\](javascript:alert(1)) \\<img src=x\\> @\u2060quelquun #\u206012 \\*\\*gras\\*\\*"
    )
    assert escape("contact@exemple.fr") == "contact@exemple.fr"
    assert french_spacing("Bonjour : « oui » ? `a : b`") == f"Bonjour{NBSP}: «{NBSP}oui{NBSP}»{NBSP}? `a : b`"


def test_success_comment_lists_what_to_complete(data):
    result = run(WORKSHOP, "atelier.md", data)
    assert success_comment(result).startswith(f"{MARKER}\nBonjour,\n\nMerci{NBSP}! Vos réponses")


# --- what the data files can hold, titles, unexpected errors ----------------------------------

LINE_BREAKS = "Réglages\u2028photos\u2029messages\x85applications utiles.\n\nSecond paragraphe\x85fin."


def test_a_description_with_unicode_line_breaks_is_written_so_that_it_reads_back(data, monkeypatch):
    """Were an answer to hold U+0085, U+2028 or U+2029 (the form refuses them; another writer of
    the data may not), the record is written in double quotes: the file reads back, the same text."""
    first = run(WORKSHOP, "atelier.md", data)
    (data / "workshops.yaml").write_text(first.files["workshops.yaml"], encoding="utf-8")
    monkeypatch.setattr(values, "_CONTROL", re.compile("(?!)"))
    body = (BODIES / "atelier-chaque-semaine.md").read_text(encoding="utf-8")
    body = body.replace(
        "Réglages, photos, messages et applications utiles : venez avec votre téléphone.", LINE_BREAKS
    )
    result = convert(WORKSHOP, body, context(data))
    assert result.ok, result.problems
    text = result.files["workshops.yaml"]
    (data / "workshops.yaml").write_text(text, encoding="utf-8")
    _, document = merge._load(data / "workshops.yaml")
    (record,) = [r for r in document if r["id"] == result.record["id"]]
    assert str(record["description"]).startswith(LINE_BREAKS)
    assert yaml.safe_load(text)[1]["description"] == result.record["description"]
    valid_catalogue(data, result.files)
    # The next conversion reads the file.
    again = run(UPDATE_SITE, "mise-a-jour.md", data)
    assert again.ok, again.problems


def test_a_record_the_data_file_could_not_read_back_is_refused(data, monkeypatch):
    """The written file is read again as the importers read it: a failure is a problem, not a file."""
    monkeypatch.setattr(values, "_CONTROL", re.compile("(?!)"))
    monkeypatch.setattr(merge, "_NOT_PRINTABLE", re.compile("(?!)"))  # the quoting before the fix
    body = (BODIES / "atelier.md").read_text(encoding="utf-8").replace("venez avec", "venez\x85avec")
    before = snapshot(data)
    result = convert(WORKSHOP, body, context(data))
    assert not result.ok and not result.files
    assert [p.message.split(" :")[0] for p in result.problems] == [
        "une réponse contient un caractère que le fichier des données ne peut pas enregistrer"
    ]
    assert snapshot(data) == before


def test_titles_never_reference_an_issue_nor_a_person(data):
    """The title is the commit's message: « Fixes #1 » in it would close issue 1 once merged."""
    assert no_reference("Fixes #1, closes o/r#2, @bob, GH-3, https://github.com/o/r/issues/4") == (
        "Fixes #\u20601, closes o/r#\u20602, @\u2060bob, GH-\u20603, https://github.com/o/r/issues/\u20604"
    )
    body = (BODIES / "nouveau-lieu.md").read_text(encoding="utf-8")
    assert "Espace numérique du Clermontais" in body
    result = convert(
        NEW_SITE, body.replace("Espace numérique du Clermontais", "Fixes #1 merci @bob"), context(data)
    )
    assert result.ok, result.problems
    ident = "fixes-1-merci-bob-clermont-l-herault"
    assert result.title == f"Nouveau lieu : Fixes #\u20601 merci @\u2060bob ({ident})"
    assert result.record["id"] == ident and result.record["nom"] == "Fixes #1 merci @bob"
    assert not re.search(r"[#@]\w", result.title)
    workshop = run(WORKSHOP, "atelier.md", data)
    assert (
        workshop.title
        == "Nouvel atelier : Bien utiliser son smartphone (bien-utiliser-son-smartphone-lodeve-2027-01)"
    )
    update = run(UPDATE_SITE, "mise-a-jour.md", data)
    assert update.title.endswith(" (france-services-lodevois-et-larzac)")


def test_an_unexpected_error_is_exit_status_2_never_answers_to_correct(data, tmp_path, monkeypatch, capsys):
    def broken(kind, body, context):
        raise RuntimeError("bogue")

    monkeypatch.setattr(forms_cli, "convert", broken)
    out = tmp_path / "sortie"
    args = ["--form", WORKSHOP, "--body", str(BODIES / "atelier.md"), "--data", str(data), "--out", str(out)]
    assert forms_cli.main(["--schemas", str(ROOT / "schemas"), *args]) == 2
    assert (
        "Erreur inattendue, la demande n'a pas pu être traitée (RuntimeError: bogue)."
        in capsys.readouterr().err
    )
    assert not out.exists()


def test_texts_for_a_proposal_under_review_and_a_closed_one(data, tmp_path):
    from mednum.forms.render import closing_comment, under_review_comment

    review = under_review_comment()
    assert review.startswith(f"{MARKER}\nBonjour,\n\nVotre demande a été modifiée")
    assert "déjà en cours de relecture" in review and "discussion de la proposition" in review
    assert review.endswith(f"La proposition de modification{NBSP}:\n\n"), "the workflow adds the address"
    assert closing_comment(42) == (
        f"Proposition fermée automatiquement{NBSP}: la demande #42 a été modifiée et ses réponses sont maintenant"
        " à corriger. Une fois la demande corrigée, une nouvelle proposition de modification sera ouverte.\n"
    )
    for text in (review, closing_comment(42)):
        assert not re.search(r" [:;?!»]|« ", text), "French typography"
