"""Workshops read from the places' online agendas (``x_agenda``, ``python -m mednum agendas``).

Stored feeds in the style of the common calendar tools (``tests/fixtures/agendas/``): Google
Calendar (times in UTC with X-WR-TIMEZONE, a weekly RRULE with an EXDATE and a moved
occurrence, HTML description), Microsoft Exchange/Outlook (VTIMEZONE « Romance Standard
Time », a recurrence over the change to summer time, an all-day event, Teams text),
Nextcloud (VTIMEZONE Europe/Paris, a cancelled occurrence and a cancelled event, an all-day
and a several-day event), a home-made feed with other time zones (New York, UTC, none), an
event without end, one with a DURATION, one ending at midnight; and feeds that fail: an HTML
page, a truncated file, an HTTP error, a time-out. The network is never used: ``urlopen`` is
replaced, so the real download function and its error messages are what is tested.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import REFERENCE, ROOT
from mednum import agenda_feeds
from mednum.agenda_feeds import FeedError, description_text, workshop_id
from mednum.canonical import check_file
from mednum.catalogue import LoadOptions, load_catalogue
from mednum.checks import _HTML_TAG, _refused_links
from mednum.importers.merge import _load as merge_load
from mednum.problems import Report
from mednum.schema import WORKSHOPS
from mednum.yamlsource import read_yaml

FEEDS = ROOT / "tests" / "fixtures" / "agendas"
TODAY = dt.date(2027, 1, 11)  # a Monday

# place id → (address of its agenda, stored file or failure)
AGENDAS = {
    "mediatheque-test-lodeve": ("https://calendar.example.org/calendar/ical/mediatheque/public/basic.ics", "google.ics"),
    "france-services-test-sete": ("https://outlook.example.org/owa/calendar/abc/reachcalendar.ics", "outlook.ics"),
    "tiers-lieu-test-ganges": ("https://cloud.example.org/remote.php/dav/public-calendars/XyZ?export", "nextcloud.ics"),
    "association-test-beziers": ("https://association.example.org/agenda.ics", "autres-fuseaux.ics"),
    "point-numerique-test-lodeve": ("https://calendar.example.org/calendar/embed?src=pn", "page.html"),
    "point-numerique-test-sete": ("https://agenda.example.org/tronque.ics", "tronque.ics"),
    "point-numerique-test-ganges": ("https://agenda.example.org/disparu.ics", 404),
    "point-numerique-test-beziers": ("https://lent.example.org/agenda.ics", "timeout"),
}  # fmt: skip
COMMUNES = {
    "lodeve": ("Lodève", "34142", "34700"),
    "sete": ("Sète", "34301", "34200"),
    "ganges": ("Ganges", "34111", "34190"),
    "beziers": ("Béziers", "34032", "34500"),
}
EXTRA = {  # what some agendas say beyond the required fields
    "france-services-test-sete": "    type: permanence\n    publics:\n      - Tout public\n      - Seniors\n",
    "tiers-lieu-test-ganges": "    niveau: debutant\n",
}


def site(ident: str) -> str:
    url, _ = AGENDAS[ident]
    name, insee, postal = COMMUNES[ident.rsplit("-", 1)[1]]
    return f"""\
- id: {ident}
  nom: Lieu de test {ident}
  adresse: 1 rue du Test
  code_postal: "{postal}"
  commune: {name}
  code_insee: "{insee}"
  telephone: "+33465710001"
  horaires: Mo-Fr 09:00-12:00
  source: Tests
  date_maj: "2026-12-01"
  services:
    - Maîtrise des outils numériques du quotidien
  x_accessibilite:
    entree_plain_pied: true
  x_agenda:
    ics: {url}
{EXTRA.get(ident, "")}    thematiques:
      - Maîtrise des outils numériques du quotidien
    inscription:
      modes:
        - telephone
      telephone: "+33465710001"
    tarif:
      frais: Gratuit
"""


HAND_WRITTEN = """\
- id: atelier-ecrit-a-la-main
  titre: Atelier écrit à la main
  type: atelier-collectif
  lieu: mediatheque-test-lodeve
  thematiques:
    - Aide aux démarches administratives
  publics:
    - Tout public
  niveau: debutant
  seances:
    - date: "2027-01-14"
      debut: "10:00"
      fin: "12:00"
  inscription:
    modes:
      - sans-inscription
  tarif:
    frais: Gratuit
  date_maj: "2026-12-01"
"""
# Made by an earlier run: removed when the feed no longer has it, kept when the feed fails.
EARLIER = """\
- id: mediatheque-test-lodeve-agenda-atelier-retire
  titre: Atelier retiré de l'agenda
  type: atelier-collectif
  lieu: mediatheque-test-lodeve
  thematiques:
    - Maîtrise des outils numériques du quotidien
  publics:
    - Tout public
  niveau: tous-niveaux
  seances:
    - date: "2027-01-15"
      debut: "10:00"
      fin: "11:00"
  inscription:
    modes:
      - sans-inscription
  tarif:
    frais: Gratuit
  date_maj: "2026-12-20"

- id: point-numerique-test-ganges-agenda-permanence
  titre: Permanence
  type: permanence
  lieu: point-numerique-test-ganges
  thematiques:
    - Maîtrise des outils numériques du quotidien
  publics:
    - Tout public
  niveau: tous-niveaux
  seances:
    - date: "2027-01-18"
      debut: "14:00"
      fin: "17:00"
  inscription:
    modes:
      - sans-inscription
  tarif:
    frais: Gratuit
  date_maj: "2026-12-20"
"""
HEADER = "# yaml-language-server: $schema=../schemas/workshops.schema.json\n#\n# Ateliers de test.\n\n"


def new_project(root: Path) -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", root / "schemas")
    shutil.copytree(REFERENCE, data / "reference")
    sites = "\n".join(site(i) for i in sorted(AGENDAS))
    (data / "sites.yaml").write_text(
        "# yaml-language-server: $schema=../schemas/sites.schema.json\n\n" + sites, encoding="utf-8"
    )
    records = sorted([HAND_WRITTEN, *EARLIER.split("\n\n")], key=lambda r: r.split("\n", 1)[0])
    (data / "workshops.yaml").write_text(
        HEADER + "\n".join(r.rstrip("\n") + "\n" for r in records), encoding="utf-8"
    )
    shutil.copy(ROOT / "data" / "trainings.yaml", data / "trainings.yaml")
    return data


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def fake_urlopen(request, timeout):
    """The feeds of AGENDAS as a server would answer; asserts what the download asks for."""
    assert timeout == agenda_feeds.FETCH_TIMEOUT_S
    assert "catalogue-mediation-numerique" in request.get_header("User-agent")
    by_url = {url: what for url, what in AGENDAS.values()}
    what = by_url[request.full_url]
    if what == 404:
        raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)
    if what == "timeout":
        raise urllib.error.URLError(TimeoutError("timed out"))
    return _Response((FEEDS / what).read_bytes())


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setattr(agenda_feeds.urllib.request, "urlopen", fake_urlopen)


def run(data: Path, capsys, *extra: str, day: dt.date = TODAY) -> tuple[int, str, str]:
    code = agenda_feeds.main(["--download", "--data", str(data), "--date", day.isoformat(), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def workshops(data: Path) -> dict[str, dict]:
    doc = read_yaml(data / "workshops.yaml", "workshops.yaml", Report())
    return {r["id"]: r for r in doc.data}


def sessions(record: dict) -> list[tuple[str, str, str]]:
    return [(s["date"], s["debut"], s["fin"]) for s in record["seances"]]


@pytest.fixture
def project(tmp_path, offline) -> Path:
    return new_project(tmp_path)


@pytest.fixture
def refreshed(project, capsys) -> tuple[Path, int, str, str, Path]:
    summary = project.parent / "resume.md"
    code, out, err = run(project, capsys, "--summary", str(summary))
    return project, code, out, err, summary


# --- what each tool's feed gives ----------------------------------------------------------


def test_google_calendar_recurrence_exdate_and_moved_occurrence(refreshed):
    data = refreshed[0]
    found = workshops(data)
    cafe = found["mediatheque-test-lodeve-agenda-cafe-numerique"]
    # Weekly on Tuesday 14:00-16:00 Paris (13:00Z with X-WR-TIMEZONE); 5 January is past,
    # 19 January is an EXDATE, 26 January moved to 15:00-17:00 (RECURRENCE-ID).
    assert sessions(cafe) == [
        ("2027-01-12", "14:00", "16:00"),
        ("2027-01-26", "15:00", "17:00"),
        ("2027-02-02", "14:00", "16:00"),
        ("2027-02-09", "14:00", "16:00"),
        ("2027-02-16", "14:00", "16:00"),
        ("2027-02-23", "14:00", "16:00"),
    ]
    assert cafe["titre"] == "Café numérique"
    assert cafe["lieu"] == "mediatheque-test-lodeve"
    assert cafe["description"] == (
        "Venez avec vos questions sur l'ordinateur, la tablette ou le téléphone.\n\n"
        "Sans inscription. [En savoir plus](https://www.example.org/cafe-numerique)"
    )
    # The defaults of the schema, the rest from x_agenda.
    assert (cafe["type"], cafe["publics"], cafe["niveau"]) == (
        "atelier-collectif",
        ["Tout public"],
        "tous-niveaux",
    )
    assert cafe["inscription"] == {"modes": ["telephone"], "telephone": "+33465710001"}
    assert cafe["tarif"] == {"frais": "Gratuit"}
    assert cafe["date_maj"] == TODAY.isoformat()
    # Same title but for case: one workshop, the first title and the first description.
    smartphone = found["mediatheque-test-lodeve-agenda-initiation-smartphone"]
    assert smartphone["titre"] == "Initiation smartphone"
    assert sessions(smartphone) == [("2027-02-03", "09:30", "11:30"), ("2027-02-10", "09:30", "11:30")]
    assert smartphone["description"] == "Apportez votre téléphone chargé."
    # Past (15 December 2026) and beyond the 26 weeks (1 September 2027): no workshop.
    assert not any("passe" in i or "rentree" in i for i in found)


def test_outlook_windows_time_zone_and_summer_time(refreshed):
    found = workshops(refreshed[0])
    (ident,) = [i for i in found if i.startswith("france-services-test-sete-")]
    assert ident == "france-services-test-sete-agenda-permanence-numerique"
    record = found[ident]
    # « Romance Standard Time » 09:30 before and after 28 March 2027; 1 April is an EXDATE.
    assert sessions(record) == [
        ("2027-03-18", "09:30", "12:00"),
        ("2027-03-25", "09:30", "12:00"),
        ("2027-04-08", "09:30", "12:00"),
        ("2027-04-15", "09:30", "12:00"),
    ]
    assert record["type"] == "permanence" and record["publics"] == ["Tout public", "Seniors"]
    # Teams' text stays text: the autolink becomes a plain address, the javascript: link is broken.
    assert "https://teams.microsoft.com/l/meetup-join/19%3ameeting_test" in record["description"]
    assert "<" not in record["description"] and "](javascript" not in record["description"]


def test_nextcloud_cancelled_all_day_and_several_days(refreshed):
    data, _, out, _, summary = refreshed
    found = workshops(data)
    ganges = {i: r for i, r in found.items() if r["lieu"] == "tiers-lieu-test-ganges"}
    assert list(ganges) == ["tiers-lieu-test-ganges-agenda-atelier-tablette"]
    tablet = ganges["tiers-lieu-test-ganges-agenda-atelier-tablette"]
    # Wednesdays 10:00-11:30; 27 January cancelled (RECURRENCE-ID with STATUS:CANCELLED).
    assert sessions(tablet) == [
        ("2027-01-13", "10:00", "11:30"),
        ("2027-01-20", "10:00", "11:30"),
        ("2027-02-03", "10:00", "11:30"),
    ]
    assert tablet["niveau"] == "debutant"
    assert tablet["description"] == (
        "Prendre en main sa tablette : réglages, applications, photos.\n\n"
        "- Tablettes prêtées sur place\n- Groupe de 6 personnes"
    )
    # The cancelled forum is gone without a word; all-day and several-day events are said.
    assert "Forum" not in out and "Forum" not in summary.read_text(encoding="utf-8")
    assert (
        "  Attention : « Journée portes ouvertes » (20 février 2027) : journée entière, sans heures de début"
        " et de fin : non repris." in out
    )
    assert (
        "  Attention : « Stage montage vidéo » (15 février 2027) : sur plusieurs jours, sans horaires de"
        " chaque jour : non repris." in out
    )


def test_other_time_zones_no_end_duration_and_midnight(refreshed):
    data, _, out, _, _ = refreshed
    found = workshops(data)
    prefix = "association-test-beziers-agenda-"
    got = {i.removeprefix(prefix): sessions(r) for i, r in found.items() if i.startswith(prefix)}
    assert got == {
        # 09:30 in New York on 18 March 2027: summer time there, not yet here (5 hours).
        "visioconference-avec-new-york": [("2027-03-18", "14:30", "15:30")],
        # 12:00Z on 1 July: 14:00 in Paris.
        "point-info-heure-utc": [("2027-07-01", "14:00", "15:30")],
        "rendez-vous-sans-heure-de-fin": [("2027-01-20", "10:00", "11:00")],
        "rendez-vous-avec-une-duree": [("2027-01-21", "14:00", "15:30")],
        "soiree-jeux-video": [("2027-01-22", "20:00", "23:59")],
        "heure-sans-fuseau": [("2027-01-25", "09:00", "10:00")],
    }
    assert (
        "« Rendez-vous sans heure de fin » (20 janvier 2027) : sans heure de fin : durée d'une heure retenue"
        in out
    )


# --- what the run does to data/ -------------------------------------------------------------


def test_failing_feeds_are_reported_and_leave_their_workshops(refreshed):
    data, code, _, err, summary = refreshed
    assert code == 3
    lines = [line for line in err.splitlines() if line.startswith("Erreur")]
    assert lines == [
        "Erreur : lieu « point-numerique-test-beziers », agenda https://lent.example.org/agenda.ics : pas de"
        " réponse en 30 s ; ses ateliers restent ceux de la dernière lecture.",
        "Erreur : lieu « point-numerique-test-ganges », agenda https://agenda.example.org/disparu.ics : le"
        " serveur répond 404 (Not Found) ; ses ateliers restent ceux de la dernière lecture.",
        "Erreur : lieu « point-numerique-test-lodeve », agenda https://calendar.example.org/calendar/embed?src=pn"
        " : une page web (HTML) au lieu d'un agenda iCalendar : donnez l'adresse publique au format iCal (.ics)"
        " de l'agenda ; ses ateliers restent ceux de la dernière lecture.",
        "Erreur : lieu « point-numerique-test-sete », agenda https://agenda.example.org/tronque.ics : agenda"
        " tronqué (END:VCALENDAR manquant) : téléchargement interrompu ? ; ses ateliers restent ceux de la"
        " dernière lecture.",
    ]
    found = workshops(data)
    kept = yaml.safe_load(EARLIER.split("\n\n")[1])[0]
    assert found["point-numerique-test-ganges-agenda-permanence"] == kept
    assert "mediatheque-test-lodeve-agenda-atelier-retire" not in found
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Ateliers lus dans les agendas des lieux\n")
    assert "### Agendas illisibles (4)" in text
    assert (
        "- `point-numerique-test-ganges` (https://agenda.example.org/disparu.ics) : le serveur répond 404"
        in text
    )
    assert (
        "### Ateliers retirés (1)\n\n- `mediatheque-test-lodeve-agenda-atelier-retire` : Atelier retiré"
        in text
    )
    assert "Fichiers modifiés : `data/workshops.yaml`." in text


def test_hand_written_workshops_are_untouched(refreshed):
    data = refreshed[0]
    text = (data / "workshops.yaml").read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert "\n" + HAND_WRITTEN + "\n" in text


def test_the_result_passes_the_validator_and_is_in_canonical_order(refreshed):
    data = refreshed[0]
    options = LoadOptions(data, data.parent / "schemas", TODAY, root=data.parent)
    catalogue, report = load_catalogue(options)
    assert report.ok, report.text()
    generated = [w for w in catalogue.workshops if "-agenda-" in w.id]
    assert len(generated) == 11
    assert not [p for p in report.warnings if "-agenda-" in p.subject]
    assert (
        check_file(data / "workshops.yaml", data.parent / "schemas" / WORKSHOPS.schema_file, WORKSHOPS) == []
    )
    lint = subprocess.run(
        [
            sys.executable,
            "-m",
            "yamllint",
            "--strict",
            "-c",
            str(ROOT / ".yamllint.yaml"),
            str(data / "workshops.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert lint.returncode == 0, lint.stdout


def test_running_again_changes_nothing(refreshed, capsys):
    data, code, _, _, summary = refreshed
    before = (data / "workshops.yaml").read_bytes()
    again = run(data, capsys, "--summary", str(summary))
    assert again[0] == code
    assert (data / "workshops.yaml").read_bytes() == before
    assert "data/workshops.yaml : 0 atelier ajouté, 0 modifié, 0 retiré." in again[1]
    assert "Fichiers modifiés : aucun." in again[1]
    # A week later with the same feeds: past sessions go, unchanged workshops keep their date.
    later = TODAY + dt.timedelta(days=7)
    assert run(data, capsys, day=later)[0] == 3
    found = workshops(data)
    assert sessions(found["mediatheque-test-lodeve-agenda-cafe-numerique"])[0] == (
        "2027-01-26",
        "15:00",
        "17:00",
    )
    assert found["mediatheque-test-lodeve-agenda-cafe-numerique"]["date_maj"] == later.isoformat()
    assert found["france-services-test-sete-agenda-permanence-numerique"]["date_maj"] == TODAY.isoformat()


def test_one_place_only_and_from_a_folder(tmp_path, capsys):
    data = new_project(tmp_path)
    folder = tmp_path / "agendas"
    folder.mkdir()
    shutil.copy(FEEDS / "outlook.ics", folder / "france-services-test-sete.ics")
    code = agenda_feeds.main(
        [
            "--from",
            str(folder),
            "--data",
            str(data),
            "--date",
            TODAY.isoformat(),
            "--lieu",
            "france-services-test-sete",
        ]
    )
    assert code == 0, capsys.readouterr()
    after = (data / "workshops.yaml").read_text(encoding="utf-8")
    assert after.startswith(HEADER)
    # The other places were not read: the workshop made earlier from Lodève's agenda stays.
    assert set(workshops(data)) == {
        "atelier-ecrit-a-la-main",
        "france-services-test-sete-agenda-permanence-numerique",
        "mediatheque-test-lodeve-agenda-atelier-retire",
        "point-numerique-test-ganges-agenda-permanence",
    }
    assert "Erreur" not in capsys.readouterr().err


def test_a_generated_id_taken_by_a_hand_written_workshop(tmp_path, offline, capsys):
    data = new_project(tmp_path)
    path = data / "workshops.yaml"
    taken = HAND_WRITTEN.replace("atelier-ecrit-a-la-main", "tiers-lieu-test-ganges-agenda-atelier-tablette")
    path.write_text(HEADER + taken, encoding="utf-8")
    code, out, _ = run(data, capsys)
    assert code == 3
    assert (
        "« Atelier tablette » : l'identifiant tiers-lieu-test-ganges-agenda-atelier-tablette est celui d'un atelier"
        " écrit à la main : non repris." in out
    )
    assert "\n" + taken in path.read_text(encoding="utf-8")


def test_refused_workshops_fail_their_place_only(tmp_path, offline, capsys):
    data = new_project(tmp_path)
    sites = data / "sites.yaml"
    # « en-ligne » wants a « lien »: the schema cannot say it, the validator does.
    text = sites.read_text(encoding="utf-8")
    block = text.split("- id: association-test-beziers", 1)[1].split("\n- id:", 1)[0]
    sites.write_text(text.replace(block, block.replace("- telephone\n", "- en-ligne\n")), encoding="utf-8")
    code, _, err = run(data, capsys)
    assert code == 3
    assert (
        "Erreur : lieu « association-test-beziers », agenda https://association.example.org/agenda.ics : atelier"
        " refusé par la vérification : atelier « association-test-beziers-agenda-heure-sans-fuseau »,"
        " champ « inscription.modes » : mode « en-ligne » : indiquez aussi « lien »" in err
    )
    found = workshops(data)
    assert not any(i.startswith("association-test-beziers-") for i in found)
    assert "mediatheque-test-lodeve-agenda-cafe-numerique" in found


def test_no_agenda_nothing_to_do(tmp_path, capsys):
    data = new_project(tmp_path)
    (data / "sites.yaml").write_text(
        re.sub(r"  x_agenda:\n(?:    .*\n)+", "", (data / "sites.yaml").read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    before = (data / "workshops.yaml").read_bytes()
    assert agenda_feeds.main(["--download", "--data", str(data)], fetch=_no_network) == 0
    assert "Aucun lieu n'indique d'agenda (x_agenda) : rien à lire." in capsys.readouterr().out
    assert (data / "workshops.yaml").read_bytes() == before


def _no_network(url: str) -> bytes:
    raise AssertionError(f"no download expected: {url}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "--download ou --from DOSSIER"),
        (["--download", "--from", "x"], "--download ou --from DOSSIER"),
        (["--download", "--date", "2027-02-30"], "arguments invalides"),
        (["--download", "--weeks", "0"], "de 1 à 104 semaines"),
    ],
)
def test_usage_errors(argv, message, capsys):
    assert agenda_feeds.main(argv) == 2
    assert message in capsys.readouterr().err


# --- downloading ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            urllib.error.HTTPError("u", 503, "Service Unavailable", {}, None),
            "le serveur répond 503 (Service Unavailable)",
        ),
        (urllib.error.URLError(TimeoutError("timed out")), "pas de réponse en 30 s"),
        (TimeoutError("The read operation timed out"), "pas de réponse en 30 s"),
        (
            urllib.error.URLError("[Errno -2] Name or service not known"),
            "téléchargement impossible ([Errno -2]",
        ),
        (_Response(b"x" * (agenda_feeds.FETCH_LIMIT + 1)), "agenda de plus de 10 Mo : refusé"),
    ],
)
def test_download_errors_in_french(monkeypatch, answer, message):
    def urlopen(request, timeout):
        if isinstance(answer, BaseException):
            raise answer
        return answer

    monkeypatch.setattr(agenda_feeds.urllib.request, "urlopen", urlopen)
    with pytest.raises(FeedError, match=re.escape(message)):
        agenda_feeds.download("https://agenda.example.org/a.ics")


def test_only_https_is_downloaded(monkeypatch):
    monkeypatch.setattr(agenda_feeds.urllib.request, "urlopen", _no_network)
    for url in ("http://agenda.example.org/a.ics", "file:///etc/passwd", "webcal://agenda.example.org/a.ics"):
        with pytest.raises(FeedError, match="seules les adresses https://"):
            agenda_feeds.download(url)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "fichier vide"),
        (b'{"events": []}', "ce n'est pas un agenda iCalendar"),
        (b"\xef\xbb\xbf  <html><body>Connexion</body></html>", "une page web (HTML)"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "agenda tronqué"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:hier\r\nEND:VCALENDAR\r\n", "agenda illisible"),
    ],
)
def test_what_is_not_a_calendar(data, message):
    with pytest.raises(FeedError, match=re.escape(message)):
        agenda_feeds.parse(data)


def test_a_broken_event_fails_the_feed():
    calendar = agenda_feeds.parse(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:x\r\nDTSTART:20270120T100000Z\r\n"
        b"RRULE:FREQ=SOUVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(FeedError, match="agenda illisible"):
        agenda_feeds.occurrences(
            calendar, agenda_feeds.ZoneInfo("Europe/Paris"), TODAY, TODAY, agenda_feeds.Notes()
        )


# --- descriptions and ids ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[clic](javascript:alert(1))",
        "<b>]</b>(javascript:alert(1))",
        "[a]: javascript:alert(1)",
        '<a href="javascript:alert(1)">clic</a> <img src=x onerror=alert(1)>',
        "texte <script>alert(1)</script> < b > fin",
        "](jav&#x61;script:alert(1))",
        '<p>Un <a href="data:text/html,x">lien</a></p><p>]</p>(vbscript:x)',
        "Écrire à <mailto:contact@example.org> ou <https://example.org/a>",
    ],
)
def test_descriptions_never_carry_html_or_unsafe_links(raw):
    text = description_text(raw)
    assert not _HTML_TAG.search(text), text
    assert _refused_links(text) == [], text


def test_html_descriptions_become_text_and_links():
    raw = 'Bienvenue&nbsp;!<br>Inscription : <a href="https://example.org/i">ici</a><ul><li>un</li><li>deux</li></ul>'
    assert (
        description_text(raw) == "Bienvenue !\n\nInscription : [ici](https://example.org/i)\n\n- un\n- deux"
    )
    assert description_text("Ligne 1\nLigne 2\n\n\n[note]") == "Ligne 1\n\nLigne 2\n\n\\[note]"


def test_ids_are_stable_valid_and_bounded():
    pattern = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    long_place = "lieu-" + "tres-long-" * 7 + "fin"
    long_title = "atelier-" * 20
    for place, key in [("mediatheque-lodeve", "cafe-numerique"), (long_place, long_title), (long_place, "")]:
        ident = workshop_id(place, key)
        assert pattern.match(ident) and len(ident) <= 80, ident
        assert ident == workshop_id(place, key)
        assert agenda_feeds.is_generated({"id": ident, "lieu": place}, place)
        assert not agenda_feeds.is_generated({"id": ident, "lieu": "autre-lieu"}, place)
    assert workshop_id(long_place, long_title + "a") != workshop_id(long_place, long_title + "b")


# --- the schema, the other importers, the documentation ---------------------------------------


def _without_descriptions(node):
    if isinstance(node, dict):
        return {k: _without_descriptions(v) for k, v in node.items() if k not in ("description", "default")}
    if isinstance(node, list):
        return [_without_descriptions(v) for v in node]
    return node


def test_x_agenda_takes_the_values_of_the_workshops_schema():
    sites = json.loads((ROOT / "schemas" / "sites.schema.json").read_text(encoding="utf-8"))
    workshops_schema = json.loads((ROOT / "schemas" / "workshops.schema.json").read_text(encoding="utf-8"))
    agenda = sites["$defs"]["lieu"]["properties"]["x_agenda"]
    atelier = workshops_schema["$defs"]["atelier"]["properties"]
    copied = set(agenda["properties"]) - {"ics"}
    assert copied == {"type", "thematiques", "publics", "niveau", "inscription", "tarif"}
    for name in copied:
        assert _without_descriptions(agenda["properties"][name]) == _without_descriptions(atelier[name]), name
    # Each default is a value the workshops schema accepts.
    assert agenda_feeds.agenda_defaults(ROOT / "schemas") == {
        "type": "atelier-collectif",
        "publics": ["Tout public"],
        "niveau": "tous-niveaux",
    }
    assert set(agenda["required"]) == {"ics", "thematiques", "inscription", "tarif"}


def test_the_validator_checks_x_agenda(tmp_path):
    data = new_project(tmp_path)
    sites = data / "sites.yaml"
    text = sites.read_text(encoding="utf-8").replace(
        "ics: https://association.example.org/agenda.ics", "ics: webcal://association.example.org/agenda.ics"
    )
    sites.write_text(
        text.replace(
            "      - Maîtrise des outils numériques du quotidien\n    inscription:",
            "      - Informatique\n    inscription:",
            1,
        ),
        encoding="utf-8",
    )
    _, report = load_catalogue(LoadOptions(data, data.parent / "schemas", TODAY, root=data.parent))
    messages = [str(p) for p in report.errors]
    assert any(
        "lieu « association-test-beziers », champ « x_agenda.ics » : « webcal://association.example.org/agenda.ics »"
        " : adresse de l'agenda attendue en https://" in m
        for m in messages
    ), messages
    assert any("x_agenda.thematiques[1]" in m and "« Informatique » inconnue" in m for m in messages), (
        messages
    )
    assert len(messages) == 2


def test_sources_merge_keeps_x_agenda(tmp_path):
    """The weekly import (sources merge, as refresh ends) leaves a place's x_agenda alone."""
    from mednum.importers import cli

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    sites = data / "sites.yaml"
    agenda = (
        "  x_agenda:\n    ics: https://agenda.example.org/retraite.ics\n    thematiques:\n"
        "      - Aide aux démarches administratives\n    inscription:\n      modes:\n"
        "        - sans-inscription\n    tarif:\n      frais: Gratuit\n"
    )
    text = sites.read_text(encoding="utf-8")
    block = text.split("- id: agence-retraite-de-sete\n", 1)[1].split("\n\n", 1)[0]
    sites.write_text(text.replace(block, block + "\n" + agenda.rstrip("\n")), encoding="utf-8")
    assert cli.sources_main(["merge", "--data", str(data)]) == 0
    record = {r["id"]: r for r in read_yaml(sites, "sites.yaml", Report()).data}["agence-retraite-de-sete"]
    assert record["x_agenda"]["ics"] == "https://agenda.example.org/retraite.ics"


def test_readme_documents_the_command_and_its_decisions():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for fragment in (
        "`x_agenda`",
        "python -m mednum agendas --download",
        "`<id du lieu>-agenda-<titre>`",
        "dure une heure",
        "journée entière",
        ".github/workflows/agendas.yml",
    ):
        assert fragment in readme, fragment


# --- the daily workflow ---------------------------------------------------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "agendas.yml"


def load_workflow() -> dict:
    return yaml.load(WORKFLOW.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def test_agendas_workflow_runs_every_day_and_by_hand():
    workflow = load_workflow()
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    (schedule,) = workflow["on"]["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"]
    assert workflow["concurrency"]["cancel-in-progress"] == "false"
    assert workflow["permissions"] == {"contents": "read"}


def test_agendas_workflow_only_the_pull_request_job_writes():
    jobs = load_workflow()["jobs"]
    assert set(jobs) == {"agendas", "pull-request"}
    assert "permissions" not in jobs["agendas"]
    assert jobs["pull-request"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert jobs["pull-request"]["needs"] == "agendas"
    assert "changed == 'true'" in jobs["pull-request"]["if"]
    script = "\n".join(s.get("run", "") for s in jobs["pull-request"]["steps"])
    assert "python" not in script and "pip" not in script
    assert 'git push --force origin "HEAD:refs/heads/$BRANCH"' in script and "gh auth setup-git" in script
    for step in jobs["pull-request"]["steps"]:
        if "run" in step:
            assert step["env"]["BRANCH"] == "agendas-lieux"
    assert 'gh pr create --base "$BASE" --head "$BRANCH" --title "$TITLE" --body-file "$body"' in script
    assert 'body="$RUNNER_TEMP/agendas/resume-agendas.md"' in script


def test_agendas_workflow_goes_on_with_unreadable_feeds_and_stops_otherwise():
    steps = load_workflow()["jobs"]["agendas"]["steps"]
    (read,) = [s for s in steps if "mednum agendas" in s.get("run", "")]
    script = read["run"]
    assert read["id"] == "agendas" and "if" not in read
    assert 'python -m mednum agendas --download --summary "$RUNNER_TEMP/resume-agendas.md"' in script
    assert "::stop-commands::" in script
    assert "|| status=$?" in script and 'if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then' in script
    assert load_workflow()["defaults"]["run"]["shell"] == "bash"
    (warn,) = [s for s in steps if s.get("if") == "${{ steps.agendas.outputs.status == '3' }}"]
    assert "::warning" in warn["run"]
    (explain,) = [s for s in steps if "failure()" in s.get("if", "")]
    assert "::error" in explain["run"] and '"$GITHUB_STEP_SUMMARY"' in explain["run"]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert "${{ runner.temp }}/resume-agendas.md" in upload["with"]["path"].splitlines()
    assert upload["if"] == "${{ steps.changes.outputs.changed == 'true' }}"


def test_an_example_place_gives_example_workshops():
    item = agenda_feeds.Occurrence(dt.datetime(2027, 1, 12, 14), dt.datetime(2027, 1, 12, 16), "Café")
    agenda = {
        "ics": "https://agenda.example.org/a.ics",
        "thematiques": ["Maîtrise des outils numériques du quotidien"],
        "inscription": {"modes": ["sans-inscription"]},
        "tarif": {"frais": "Gratuit"},
    }
    defaults = agenda_feeds.agenda_defaults(ROOT / "schemas")
    (record,) = agenda_feeds.build_workshops("exemple-lieu", agenda, [item], defaults, example=True)
    assert record["exemple"] is True and list(record)[-1] == "exemple"
    (real,) = agenda_feeds.build_workshops("lieu", agenda, [item], defaults)
    assert "exemple" not in real and "description" not in real


# --- feeds that are wrong or hostile ----------------------------------------------------------


def ics(*events: str) -> bytes:
    """A calendar of ``events`` (each the lines of a VEVENT, without BEGIN and END)."""
    body = "".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT\n" for event in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Tests//FR\n{body}END:VCALENDAR\n".replace(
        "\n", "\r\n"
    ).encode("utf-8")


def timed(uid: str, summary: str, start: str = "20270120T100000", *extra: str) -> str:
    return "\n".join(
        [f"UID:{uid}", f"SUMMARY:{summary}", f"DTSTART:{start}", f"DTEND:{start[:9]}113000", *extra]
    )


def read_feeds(data: Path, feeds: dict[str, bytes], capsys, *extra: str) -> tuple[int, str, str]:
    """``--from`` a folder holding ``feeds`` (place id → calendar), those places only."""
    folder = data.parent / "agendas"
    folder.mkdir(exist_ok=True)
    places = []
    for place, content in feeds.items():
        (folder / f"{place}.ics").write_bytes(content)
        places += ["--lieu", place]
    argv = ["--from", str(folder), "--data", str(data), "--date", TODAY.isoformat(), *places, *extra]
    code = agenda_feeds.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def within(seconds: float, function):
    """``function()`` in a thread given ``seconds``: a hang fails the test instead of stopping it."""
    box: dict = {}

    def target():
        try:
            box["value"] = function()
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"toujours en cours après {seconds} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_an_all_day_event_over_several_days_does_not_hang(tmp_path):
    """recurring-ical-events 3.8.2, asked what comes after a date (not a datetime), never
    ended on this feed: a separate process, stopped after 20 s."""
    data = new_project(tmp_path)
    folder = tmp_path / "agendas"
    folder.mkdir()
    stage = (
        b"BEGIN:VEVENT\r\nUID:stage@test\r\nDTSTAMP:20270110T081500Z\r\nSUMMARY:Stage de trois jours\r\n"
        b"DTSTART;VALUE=DATE:20270112\r\nDTEND;VALUE=DATE:20270115\r\nEND:VEVENT\r\n"
    )
    feed = (FEEDS / "google.ics").read_bytes().replace(b"END:VCALENDAR", stage + b"END:VCALENDAR")
    (folder / "mediatheque-test-lodeve.ics").write_bytes(feed)
    plugins = Path(agenda_feeds.__file__).resolve().parents[1]
    argv = ["--from", str(folder), "--data", str(data), "--date", "2027-01-11"]
    done = subprocess.run(
        [sys.executable, "-m", "mednum", "agendas", *argv, "--lieu", "mediatheque-test-lodeve"],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(plugins)},
    )
    assert done.returncode == 0, done.stderr
    assert (
        "« Stage de trois jours » (12 janvier 2027) : journée entière, sans heures de début et de fin"
        in done.stdout
    )
    cafe = workshops(data)["mediatheque-test-lodeve-agenda-cafe-numerique"]
    assert sessions(cafe)[:2] == [("2027-01-12", "14:00", "16:00"), ("2027-01-26", "15:00", "17:00")]


@pytest.mark.parametrize(
    ("rule", "start", "message"),
    [
        ("FREQ=SECONDLY", "20270112T100000", "« Piège » se répète chaque seconde (RRULE FREQ=SECONDLY)"),
        ("FREQ=MINUTELY;INTERVAL=15", "19000101T100000", "« Piège » se répète chaque minute"),
        ("FREQ=HOURLY;BYDAY=MO", "20270112T100000", "« Piège » se répète chaque heure"),
        (
            "FREQ=DAILY;BYHOUR=9,10,11,14,15,16;BYMINUTE=0,30",
            "19000101T100000",
            "« Piège » se répète trop souvent depuis le 1er janvier 1900 (plus de 100000 occurrences",
        ),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,10,11,14", "19000102T100000", "trop souvent"),
    ],
)
def test_rules_too_costly_to_expand_are_refused(rule, start, message):
    calendar = agenda_feeds.parse(ics(timed("piege@test", "Piège", start, f"RRULE:{rule}")))
    zone, last = agenda_feeds.ZoneInfo("Europe/Paris"), TODAY + dt.timedelta(weeks=26)
    with pytest.raises(FeedError, match=re.escape(message)):
        within(10, lambda: agenda_feeds.occurrences(calendar, zone, TODAY, last, agenda_feeds.Notes()))


def test_old_rules_of_reasonable_cost_are_read():
    calendar = agenda_feeds.parse(
        ics(
            timed("jeudi@test", "Jeudi", "19900104T100000", "RRULE:FREQ=DAILY;BYDAY=TH"),
            timed("mois@test", "Mois", "20000103T140000", "RRULE:FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9,14"),
        )
    )
    zone = agenda_feeds.ZoneInfo("Europe/Paris")
    found = within(10, lambda: agenda_feeds.occurrences(calendar, zone, TODAY, TODAY, agenda_feeds.Notes()))
    assert found == []  # 11 January 2027 is a Monday, not the first of February
    found = agenda_feeds.occurrences(
        calendar, zone, TODAY, TODAY + dt.timedelta(weeks=4), agenda_feeds.Notes()
    )
    assert [(o.title, o.start.date().isoformat(), o.start.hour) for o in found] == [
        ("Jeudi", "2027-01-14", 10),
        ("Jeudi", "2027-01-21", 10),
        ("Jeudi", "2027-01-28", 10),
        ("Mois", "2027-02-01", 9),
        ("Mois", "2027-02-01", 14),
        ("Jeudi", "2027-02-04", 10),
    ]


def test_a_refused_rule_fails_its_place_only(tmp_path, capsys):
    data = new_project(tmp_path)
    feeds = {
        "mediatheque-test-lodeve": ics(timed("p@test", "Piège", "19000101T100000", "RRULE:FREQ=SECONDLY")),
        "france-services-test-sete": (FEEDS / "outlook.ics").read_bytes(),
    }
    code, _, err = within(15, lambda: read_feeds(data, feeds, capsys))
    assert code == 3
    assert (
        "Erreur : lieu « mediatheque-test-lodeve », agenda https://calendar.example.org/calendar/ical/mediatheque"
        "/public/basic.ics : « Piège » se répète chaque seconde (RRULE FREQ=SECONDLY) : ce n'est pas un atelier ;"
        " agenda refusé ; ses ateliers restent ceux de la dernière lecture." in err
    )
    found = workshops(data)
    assert "mediatheque-test-lodeve-agenda-atelier-retire" in found  # kept
    assert "france-services-test-sete-agenda-permanence-numerique" in found  # read


def test_a_feed_too_long_to_read_is_given_up(tmp_path, capsys, monkeypatch):
    """No 30 February: dateutil looks for one until the year 9999 (seconds); the clock stops it."""
    monkeypatch.setattr(agenda_feeds, "FEED_TIME_LIMIT_S", 0.5)
    data = new_project(tmp_path)
    never = timed("jamais@test", "Jamais", "20270101T100000", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    feeds = {
        "mediatheque-test-lodeve": ics(never),
        "france-services-test-sete": (FEEDS / "outlook.ics").read_bytes(),
    }
    began = time.monotonic()
    code, _, err = read_feeds(data, feeds, capsys)
    assert time.monotonic() - began < 3
    assert code == 3
    assert "/basic.ics : agenda trop long à lire (plus de 0.5 s) : agenda refusé ;" in err
    assert "france-services-test-sete-agenda-permanence-numerique" in workshops(data)
    assert signal_free()


def signal_free() -> bool:
    """The timer is off and SIGALRM has its handler back."""
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) in (
        signal.SIG_DFL,
        signal.SIG_IGN,
        None,
    )


class _Drip(http.server.BaseHTTPRequestHandler):
    """A server that sends its answer a byte at a time, each well within the time-out."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        try:
            for _ in range(60):
                self.wfile.write(b"B")
                time.sleep(0.05)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_download_gives_up_a_server_that_sends_a_byte_now_and_then(monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    address = f"http://127.0.0.1:{server.server_address[1]}/agenda.ics"
    monkeypatch.setattr(
        agenda_feeds.urllib.request, "urlopen", lambda request, timeout: opener.open(address, timeout=timeout)
    )
    monkeypatch.setattr(agenda_feeds, "FETCH_DEADLINE_S", 0.3)
    try:
        began = time.monotonic()
        with pytest.raises(FeedError, match="téléchargement trop long : abandonné"):
            agenda_feeds.download("https://lent.example.org/agenda.ics", timeout=0.5)
        assert time.monotonic() - began < 2
    finally:
        server.shutdown()
        server.server_close()


def test_line_separators_of_a_feed_make_a_file_that_reads_back(tmp_path, capsys):
    """U+2028 in a block of several lines was written as it is: the importers' reader (and
    the next run) then refused the file."""
    data = new_project(tmp_path)
    description = "Première ligne\\n\\nDeuxième\u2028Troisième\u2029Quatrième\x85Cinquième\x9b fin\ufeff"
    feed = ics(
        timed("ls@test", "Atelier\u2028photo\x85numérique", "20270120T100000", f"DESCRIPTION:{description}")
    )
    code, _, err = read_feeds(data, {"mediatheque-test-lodeve": feed}, capsys)
    assert code == 0, err
    merge_load(data / "workshops.yaml")  # the importers' round-trip reader takes it
    record = workshops(data)["mediatheque-test-lodeve-agenda-atelier-photo-numerique"]
    assert record["titre"] == "Atelier photo numérique"
    assert record["description"] == "Première ligne\n\nDeuxième\n\nTroisième\n\nQuatrième\n\nCinquième fin"
    before = (data / "workshops.yaml").read_bytes()
    assert read_feeds(data, {"mediatheque-test-lodeve": feed}, capsys)[0] == 0
    assert (data / "workshops.yaml").read_bytes() == before


def test_a_file_that_would_not_read_back_is_not_written(tmp_path, capsys, monkeypatch):
    data = new_project(tmp_path)
    before = (data / "workshops.yaml").read_bytes()
    merge = agenda_feeds.merge_into_yaml

    def broken(path, *args, **kwargs):
        merge(path, *args, **kwargs)
        with open(path, "a", encoding="utf-8") as file:
            file.write("- id: [pas fermé\n")

    monkeypatch.setattr(agenda_feeds, "merge_into_yaml", broken)
    code, _, err = read_feeds(
        data, {"france-services-test-sete": (FEEDS / "outlook.ics").read_bytes()}, capsys
    )
    assert code == 2
    assert (
        "Erreur : le fichier workshops.yaml écrit à partir des agendas ne pourrait pas être relu (workshops.yaml:"
        in err
    )
    assert "YAML illisible" in err and f": {data} n'a pas été modifié" in err
    assert (data / "workshops.yaml").read_bytes() == before
    assert not list(tmp_path.glob(".agendas-*"))


def test_feed_text_in_the_pull_request_description_is_plain_text(tmp_path, capsys):
    data = new_project(tmp_path)
    added = "Atelier @octocat #1 org/depot#2 GH-3 https://evil.example www.evil.example a@b.example"
    noted = "Fête [clic](https://evil.example) ![i](https://evil.example/i.png) `code` *gras* _it_ | ~barré~ &#64;x <img src=x onerror=alert(1)>"
    feeds = {
        "mediatheque-test-lodeve": ics(
            timed("a@test", added),
            f"UID:b@test\nSUMMARY:{noted}\nDTSTART;VALUE=DATE:20270121\nDTEND;VALUE=DATE:20270122",
        ),
        "france-services-test-sete": ics(
            timed(
                "c@test", "Piège @octocat [x](https://evil.example)", "20270120T100000", "RRULE:FREQ=SECONDLY"
            )
        ),
    }
    summary = tmp_path / "resume.md"
    code, out, _ = read_feeds(data, feeds, capsys, "--summary", str(summary))
    assert code == 3
    assert f"« {noted} »" in out  # the text summary (the job's log) says it as it is
    text = summary.read_text(encoding="utf-8")
    assert not re.search(r"[@#]\w", text)  # no mention, no issue reference
    assert "https://evil" not in text and "www.evil" not in text  # no bare address GitHub would link
    joiner = "\u2060"
    assert (
        f"Atelier @{joiner}octocat #{joiner}1 org/depot#{joiner}2 GH-{joiner}3 https{joiner}://evil.example"
        in text
    )
    assert (
        rf"Fête \[clic\](https{joiner}://evil.example) \!\[i\](https{joiner}://evil.example/i.png) \`code\`"
        rf" \*gras\* \_it\_ \| \~barré\~ \&#{joiner}64;x \<img src=x onerror=alert(1)\>" in text
    )
    assert rf"**échec** : « Piège @{joiner}octocat \[x\](https{joiner}://evil.example) » se répète" in text
    for row in [line for line in text.splitlines() if line.startswith("| `")]:
        assert len(re.findall(r"(?<!\\)\|", row)) == 6, row
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    assert "<a " not in html and "<img" not in html and "<code>code" not in html and "<em>" not in html
    assert "<del>" not in html
