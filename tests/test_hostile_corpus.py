"""A corpus of hostile or broken records: each is refused with a located French message, or,
if it is valid data, the site built from it runs no script from the data and writes nothing
outside its output folder.

Every case is applied to the small valid catalogue of the ``Project`` fixture (conftest.py).
The valid ones are then built together, in one build.
"""

from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path

import pytest

from conftest import BUILD_DATE, DEMO_CONF, HEADERS, SITES, TRAININGS, WORKSHOPS, Project

# What an attacker puts in any text: a script, an event attribute, a javascript: link.
MARK = "mn-xss"
XSS = (
    f'<script>alert("{MARK}")</script><img src=x onerror=alert("{MARK}")><a href="javascript:alert(1)">x</a>'
)
XSS_ATTR = f'"><svg onload=alert("{MARK}")>\'><b onmouseover=alert(1)>'

SITE = {
    "nom": "Lieu hostile",
    "adresse": "1 rue du Test",
    "code_postal": "34700",
    "commune": "Lodève",
    "code_insee": "34142",
    "latitude": 43.7317,
    "longitude": 3.3194,
    "services": ["Aide aux démarches administratives"],
    "source": "Tests",
    "date_maj": "2026-10-01",
    "horaires": "Mo-Fr 09:00-12:00",
    "x_accessibilite": {"entree_plain_pied": True},
    "x_exemple": True,
}
WORKSHOP = {
    "titre": "Atelier hostile",
    "type": "atelier-collectif",
    "lieu": "lieu-test-lodeve",
    "thematiques": ["Aide aux démarches administratives"],
    "publics": ["Tout public"],
    "niveau": "debutant",
    "seances": [{"date": "2026-12-03", "debut": "14:00", "fin": "16:00"}],
    "inscription": {"modes": ["sans-inscription"]},
    "tarif": {"frais": "Gratuit"},
    "date_maj": "2026-11-01",
    "exemple": True,
}
TRAINING = {
    "titre": "Formation hostile",
    "organisme": "Organisme",
    "objectifs": ["Savoir."],
    "publics": ["Médiateurs numériques"],
    "format": "presentiel",
    "duree_heures": 7,
    "tarif": {"frais": "Gratuit"},
    "inscription": {"courriel": "formation@example.org"},
    "date_maj": "2026-11-01",
    "exemple": True,
}
BASE = {"sites": SITE, "workshops": WORKSHOP, "trainings": TRAINING}
TEXT = {"sites": SITES, "workshops": WORKSHOPS, "trainings": TRAININGS}


def rec(kind: str, **changes) -> tuple[str, dict]:
    """A valid record of ``kind`` with some fields changed (None removes a field)."""
    record = json.loads(json.dumps(BASE[kind]))
    for name, value in changes.items():
        target = record
        *parents, last = name.split("__")
        for parent in parents:
            target = target[parent]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return kind, record


# name -> (file, record dict or raw YAML text of one list item, must be refused?)
# A record without "id" gets a unique valid one.
ERROR, ANY = True, False
RECORDS: dict[str, tuple[tuple[str, dict | str], bool]] = {
    # Script tags and event attributes in every kind of text field.
    "site nom": (rec("sites", nom=XSS), ANY),
    "site nom attribute break": (rec("sites", nom=XSS_ATTR), ANY),
    "site adresse": (rec("sites", adresse=XSS), ANY),
    "site complement_adresse": (rec("sites", complement_adresse=XSS), ANY),
    "site presentation_resume": (rec("sites", presentation_resume=XSS[:270]), ANY),
    "site source": (rec("sites", source=XSS), ANY),
    "site structure_parente": (rec("sites", structure_parente=XSS), ANY),
    "site accessibility comment": (rec("sites", x_accessibilite={"commentaire": XSS}), ANY),
    "site stop address": (
        rec(
            "sites",
            itinerance=["Itinérant"],
            x_arrets=[
                {
                    "commune": "Lodève",
                    "code_insee": "34142",
                    "code_postal": "34700",
                    "adresse": XSS,
                    "latitude": 43.7317,
                    "longitude": 3.3194,
                    "horaires": "We 10:00-12:00",
                }
            ],
        ),
        ANY,
    ),
    "workshop titre": (rec("workshops", titre=XSS[:150]), ANY),
    "workshop tarif precisions": (rec("workshops", tarif={"frais": "Gratuit", "precisions": XSS}), ANY),
    "workshop address name": (
        rec(
            "workshops",
            adresse={
                "nom": XSS,
                "adresse": XSS_ATTR,
                "code_postal": "34700",
                "commune": "Lodève",
                "code_insee": "34142",
            },
        ),
        ANY,
    ),
    "training titre": (rec("trainings", titre=XSS[:150]), ANY),
    "training organisme": (rec("trainings", organisme=XSS), ANY),
    "training objectifs": (rec("trainings", objectifs=[XSS, XSS_ATTR]), ANY),
    "training prerequis": (rec("trainings", prerequis=XSS), ANY),
    "training certification": (rec("trainings", certification=XSS), ANY),
    "training financement": (rec("trainings", tarif={"frais": "Gratuit", "financement": XSS}), ANY),
    "training session place": (
        rec("trainings", sessions=[{"debut": "2026-12-01", "fin": "2026-12-02", "lieu": XSS}]),
        ANY,
    ),
    "quoted e-mail with attribute": (rec("sites", courriels=['"onmouseover=alert(1)"@example.org']), ANY),
    "web address breaking out of href": (
        rec("sites", site_web=['https://example.org/"><script>alert("mn-xss")</script>']),
        ANY,
    ),
    "RTL override in name": (rec("sites", nom="Médiathèque \u202egnp.exe\u202c"), ANY),
    "zero-width and NUL in text": (rec("sites", nom="Lieu\u200b\u200d\ufeff\u0000 nul"), ANY),
    "template literal break in name": (rec("sites", nom='${alert("mn-xss")}`-alert(1)-`'), ANY),
    "javascript: as plain text": (rec("sites", nom="javascript:alert(1)"), ANY),
    "huge Markdown text": (rec("sites", presentation_detail="Un texte très long. " * 10_000), ANY),
    # HTML and dangerous links in Markdown fields.
    "Markdown script tag": (rec("sites", presentation_detail=XSS), ERROR),
    "Markdown event attribute": (rec("workshops", description="<img src=x onerror=alert(1)>"), ERROR),
    "Markdown javascript link": (rec("sites", presentation_detail="[clic](javascript:alert(1))"), ERROR),
    "Markdown data link": (
        rec("workshops", description="[clic](data:text/html;base64,PHNjcmlwdD4=)"),
        ERROR,
    ),
    "Markdown vbscript reference link": (
        rec("trainings", description="Voir [ici][r].\n\n[r]: vbscript:msgbox(1)"),
        ERROR,
    ),
    "Markdown file link": (rec("trainings", description="[passwd](file:///etc/passwd)"), ERROR),
    "Markdown entity-obfuscated javascript": (
        rec("sites", presentation_detail="[a](java&#115;cript:alert(1))"),
        ERROR,
    ),
    "Markdown javascript autolink": (rec("sites", presentation_detail="<javascript:alert(1)>"), ERROR),
    # Dangerous URLs in URL fields.
    "javascript: web site": (rec("sites", site_web=["javascript:alert(1)"]), ERROR),
    "data: booking link": (rec("sites", prise_rdv="data:text/html,<script>alert(1)</script>"), ERROR),
    "vbscript: acceslibre link": (rec("sites", fiche_acces_libre="vbscript:msgbox(1)"), ERROR),
    "file: registration link": (
        rec("workshops", inscription={"modes": ["en-ligne"], "lien": "file:///etc/passwd"}),
        ERROR,
    ),
    "javascript: training link": (rec("trainings", inscription={"lien": "JaVaScRiPt:alert(1)"}), ERROR),
    "e-mail with script": (rec("trainings", inscription={"courriel": "<script>@x.fr"}), ANY),
    "phone with script": (rec("sites", telephone="+33<script>"), ERROR),
    # Identifiers that would be paths or look like others.
    "id path traversal": (rec("sites", id="../../etc/passwd"), ERROR),
    "id encoded traversal": (rec("sites", id="..%2f..%2fetc%2fpasswd"), ERROR),
    "id with slash": (rec("trainings", id="a/b"), ERROR),
    "id with backslash": (rec("workshops", id="a\\..\\b"), ERROR),
    "id with NUL": (rec("sites", id="lieu\u0000x"), ERROR),
    "id with RTL override": (rec("sites", id="lieu-\u202etxt"), ERROR),
    "id with zero-width space": (rec("sites", id="lieu-test\u200b-lodeve"), ERROR),
    "id uppercase and accents": (rec("sites", id="Médiathèque"), ERROR),
    "id empty": (rec("sites", id=""), ERROR),
    "id too long": (rec("sites", id="a" * 500), ERROR),
    "id dot": (rec("trainings", id="."), ERROR),
    "id duplicate": (rec("sites", id="lieu-test-lodeve"), ERROR),
    "workshop place traversal": (rec("workshops", lieu="../lieu-test-lodeve"), ERROR),
    # Wrong types.
    "id is a number": (rec("sites", id=123), ANY),  # read as the text "123", a valid id
    "id is a list": (rec("sites", id=["a"]), ERROR),
    "name is a mapping": (rec("sites", nom={"a": "b"}), ERROR),
    "latitude is text": (rec("sites", latitude="43.7"), ERROR),
    "services is text": (rec("sites", services="Aide"), ERROR),
    "boolean as oui": (rec("sites", x_exemple="oui"), ERROR),
    "sessions is a mapping": (rec("workshops", seances={"date": "2026-12-03"}), ERROR),
    "duration is text": (rec("trainings", duree_heures="7h"), ERROR),
    "record is a list": (("sites", "[1, 2, 3]"), ERROR),
    "record is text": (("trainings", '"<script>alert(1)</script>"'), ERROR),
    "script in an enumeration": (rec("sites", services=[XSS]), ERROR),
    "script in commune": (rec("sites", commune=XSS), ERROR),
    "script in opening hours": (rec("sites", horaires=XSS), ERROR),
    "script in date": (rec("workshops", date_maj="<script>"), ERROR),
    "script as a key": (rec("sites", **{"<script>": "x"}), ERROR),
    # Huge values.
    "huge name": (rec("sites", nom="A" * 100_000), ERROR),
    "huge number": (rec("sites", latitude=1e308), ERROR),
    "infinite duration": (("trainings", '{"id": "h-inf", "titre": "x", "duree_heures": 1e400}'), ERROR),
    "huge list": (rec("sites", services=["Aide aux démarches administratives"] * 20_000), ANY),
}

# Whole files (after the schema line): the reader's defences. All must be refused.
FILES: dict[str, tuple[str, bytes]] = {
    "duplicate key": ("sites", b"- id: a\n  id: b\n"),
    "duplicate key in nested block": ("sites", b"- id: a\n  x_accessibilite:\n    a: 1\n    a: 2\n"),
    "alias bomb": ("sites", b"- &a [x, x, x]\n- &b [*a, *a, *a]\n- [*b, *b, *b]\n"),
    "merge key": ("trainings", b"- &a {id: a}\n- <<: *a\n"),
    "python tag": ("sites", b"- !!python/object/apply:os.system ['echo pwned']\n"),
    "binary tag": ("sites", b"- id: !!binary aGVsbG8=\n"),
    "latin-1": ("sites", "- id: a\n  nom: Médiathèque\n".encode("latin-1")),
    "utf-16": ("workshops", "- id: a\n".encode("utf-16")),
    "NUL byte": ("sites", b"- id: a\x00\n"),
    "binary garbage": ("trainings", bytes(range(256))),
    "control character": ("sites", b"- id: a\x1bb\n"),
    "deep nesting": ("sites", b"- " + b"[" * 5000 + b"]" * 5000 + b"\n"),
    "two documents": ("sites", b"- id: a\n---\n- id: b\n"),
    "tab indentation": ("sites", b"- id: a\n\tnom: b\n"),
    "unclosed quote": ("sites", b'- id: "a\n'),
    "a mapping instead of a list": ("sites", b"id: a\nnom: b\n"),
}


def record_text(kind: str, record: dict | str, ident: str) -> str:
    if isinstance(record, dict):
        record = dict(record)
        record.setdefault("id", ident)
        record = json.dumps(record, ensure_ascii=False)
    return f"- {record}\n"


LOCATED = re.compile(r"^data/(sites|workshops|trainings)\.yaml:\d+:\d+: \S")
ENGLISH = re.compile(r"Traceback|Error\b|Exception|object has no|invalid literal|unhashable|NoneType")


def check_refused(name: str, report, file: str) -> None:
    errors = [str(p) for p in report.errors]
    assert errors, f"{name}: no error"
    for message in errors:
        assert LOCATED.match(message), f"{name}: not located: {message!r}"
        assert not ENGLISH.search(message), f"{name}: not French: {message!r}"
    assert any(m.startswith(f"data/{file}.yaml:") for m in errors), f"{name}: {errors}"


@pytest.mark.site
def test_hostile_corpus(tmp_path: Path, small_reference: Path, monkeypatch):
    import functools

    import mednum.catalogue

    # The reference data (communes, shapes) is the same for every case: read it once.
    monkeypatch.setattr(
        mednum.catalogue, "load_reference", functools.lru_cache(mednum.catalogue.load_reference)
    )
    assert len(RECORDS) + len(FILES) >= 50
    refused, harmless = [], []
    (tmp_path / "project").mkdir()
    # Three territories' communes instead of 341: the same checks, a build four times smaller.
    project = Project(tmp_path / "project", reference=small_reference)

    for name, (file, content) in FILES.items():
        project.path(file).write_bytes(HEADERS[file].encode() + content)
        catalogue, report = project.load()
        assert catalogue is None, f"{name}: accepted"
        check_refused(name, report, file)
        refused.append(name)
        project.write(**TEXT)

    kept: dict[str, list[str]] = {"sites": [], "workshops": [], "trainings": []}
    wrongly_accepted: list[str] = []
    for n, (name, ((file, record), must_fail)) in enumerate(RECORDS.items()):
        item = record_text(file, record, f"hostile-{n}")
        project.write(**{file: TEXT[file] + "\n" + item})
        catalogue, report = project.load()
        if report.errors:
            check_refused(name, report, file)
            refused.append(name)
        else:
            if must_fail:
                wrongly_accepted.append(name)
            kept[file].append(item)
            harmless.append(name)
        project.write(**TEXT)

    assert wrongly_accepted == [], "accepted, must be refused"

    # Every valid hostile record at once, then the whole site built from them.
    project.write(**{file: TEXT[file] + "\n" + "".join(items) for file, items in kept.items()})
    catalogue, report = project.load()
    assert catalogue is not None, report.text()
    before = {p for p in tmp_path.rglob("*")}
    outside = tmp_path / "elsewhere"
    out = outside / "output"
    from mednum.build import build_site

    code = build_site(
        DEMO_CONF,
        out,
        {"CATALOGUE_DATA_PATH": str(project.data), "CATALOGUE_BUILD_DATE": BUILD_DATE.isoformat()},
    )
    assert code == 0
    new = {p for p in tmp_path.rglob("*")} - before
    # The build's own folders beside the site: the spare site and the search index's trees.
    from mednum.build import index_trees_folder, spare_folder

    owned = (out, spare_folder(out), index_trees_folder(out))
    stray = [p for p in new if p != outside and not any(o in (p, *p.parents) for o in owned)]
    assert stray == [], f"written outside the output folder: {stray}"
    problems = scan_site(out)
    print(
        f"\nhostile corpus: {len(refused)} refused with a located error, {len(harmless)} valid and harmless"
    )
    assert problems == [], "\n".join(problems[:30])
    assert len(harmless) >= 10 and len(refused) >= 40


class _Scan(html.parser.HTMLParser):
    def __init__(self, name: str, problems: list[str]):
        super().__init__(convert_charrefs=True)
        self.name, self.problems, self.in_script = name, problems, False

    def handle_starttag(self, tag, attrs):
        for attr, value in attrs:
            if attr.startswith("on"):
                self.problems.append(f"{self.name}: event attribute <{tag} {attr}={value!r}>")
            if attr in ("href", "src", "action", "formaction", "xlink:href", "data") and value:
                probe = re.sub(r"[\x00-\x20]", "", value).lower()
                if probe.startswith(("javascript:", "data:", "vbscript:", "file:")):
                    self.problems.append(f"{self.name}: <{tag} {attr}={value!r}>")
        if tag == "script":
            src = dict(attrs).get("src")
            if not src or not src.startswith("/") or src.startswith("//"):
                self.problems.append(f"{self.name}: script not from the site ({src!r})")
            self.in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"{self.name}: inline script {data[:80]!r}")


# Unescaped markup of the payloads (escaped text « &lt;img onerror=… » is harmless).
RAW_PAYLOADS = ("<script>alert", "<img src=x onerror", "<svg onload", "<b onmouseover")
# Folium's popups: HTML in a JavaScript template literal, parsed by the map script.
POPUP_HTML = re.compile(r"\$\(`(.*?)`\)\[0\]", re.DOTALL)


def scan_site(out: Path) -> list[str]:
    """Scripts, event attributes or dangerous links in the built site, and raw payloads."""
    problems: list[str] = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        assert out.resolve() in path.resolve().parents, f"{path} points outside the output"
        name = path.relative_to(out).as_posix()
        if path.suffix not in (".html", ".js", ".json", ".geojson", ".ics", ".csv", ".xml", ".txt"):
            continue
        if name.startswith(("pagefind/", "static/")):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for payload in RAW_PAYLOADS:
            if payload in text and path.suffix in (".html", ".js", ".xml"):
                problems.append(f"{name}: raw {payload!r}")
        if path.suffix == ".html":
            _Scan(name, problems).feed(text)
        elif path.suffix == ".js":
            for popup in POPUP_HTML.findall(text):
                _Scan(f"{name} (popup)", problems).feed(popup)
                # Data that ends the template literal or interpolates in it runs as code.
                if "`" in popup or "${" in popup:
                    problems.append(f"{name}: data breaks out of a popup template literal: {popup[:160]!r}")
    return problems
