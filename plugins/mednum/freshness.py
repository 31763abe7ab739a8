"""Freshness and completeness of the records, per EPCI: ``python -m mednum report``.

For the département's team: which records nobody has checked for a long time,
which ones lack what a visitor needs (opening hours, accessibility, a way to get in
touch), territory by territory (EPCI), with a completeness percentage per record.

``build_report(catalogue)`` returns a ``FreshnessReport`` (plain dataclasses, ready
for a template); ``render_text`` and ``render_markdown`` print it.

A record is **old** (``stale``) when its ``date_maj`` is ``stale_months`` or more
(12) months before the report's date: the same rule as the validator's warning
« fiche non vérifiée depuis … » and the « information ancienne » notice on the site.

**Completeness** is the share of the fields below that a record fills, rounded to
the nearest percent. Required fields are not counted (every valid record has
them); each item counts once:

Help points (``data/sites.yaml``), ``SITE_FIELDS``:
  ``horaires`` — opening hours (for an itinerant service, the hours of its stops,
  ``x_arrets``, count); ``contact`` — ``telephone``, ``courriels`` or ``site_web``;
  ``x_accessibilite``; ``presentation_resume``; ``coordonnees`` — ``latitude`` and
  ``longitude`` (the map); ``typologie``; ``publics_specifiquement_adresses``;
  ``frais_a_charge``; ``modalites_acces``; ``modalites_accompagnement``.

Workshops (``data/workshops.yaml``), ``WORKSHOP_FIELDS``:
  ``description``; ``contact`` — ``inscription.telephone``, ``inscription.lien`` or
  ``inscription.courriel``, or a contact of the help point where it takes place;
  ``seances_a_venir`` — at least one session on or after the report's date (a
  workshop without any is out of date even if its fields are filled).

Trainings (``data/trainings.yaml``), ``TRAINING_FIELDS``:
  ``description``; ``competences``; ``prerequis``; ``sessions``.

Help points and workshops are grouped by the EPCI of their commune (an itinerant
service under the EPCI of its home commune; a workshop under the EPCI of its place).
Every EPCI of the reference data is listed, even with no record: an empty territory
is worth knowing about. Trainings have no territory and are listed apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .catalogue import LoadOptions, load_catalogue
from .checks import months_before
from .french import count_fr, format_date_short, format_percent, join_fr
from .model import Catalogue, Site, Training, Workshop, is_stale
from .settings import DEFAULTS

STALE_MONTHS: int = DEFAULTS["CATALOGUE_STALE_MONTHS"][0]

# name → (label in French, test on the object). The names are those of the docstring.
_Check = Callable[[object, dt.date], bool]


def _has(*names: str) -> _Check:
    return lambda obj, _day: any(obj.record.get(name) not in (None, "", [], {}) for name in names)


def _site_hours(site: Site, _day: dt.date) -> bool:
    return "horaires" in site.record or any(stop.hours for stop in site.stops)


def _workshop_contact(workshop: Workshop, _day: dt.date) -> bool:
    signup = workshop.record.get("inscription", {})
    if any(signup.get(k) for k in ("telephone", "lien", "courriel")):
        return True
    site = workshop.site
    return site is not None and any(site.record.get(k) for k in ("telephone", "courriels", "site_web"))


def _workshop_upcoming(workshop: Workshop, day: dt.date) -> bool:
    return any(not s.cancelled for s in workshop.upcoming(day))


SITE_FIELDS: dict[str, tuple[str, _Check]] = {
    "horaires": ("horaires", _site_hours),
    "contact": ("contact (téléphone, courriel ou site web)", _has("telephone", "courriels", "site_web")),
    "x_accessibilite": ("accessibilité", _has("x_accessibilite")),
    "presentation_resume": ("présentation", _has("presentation_resume")),
    "coordonnees": ("coordonnées (carte)", _has("latitude")),
    "typologie": ("type de lieu", _has("typologie")),
    "publics_specifiquement_adresses": ("publics accueillis", _has("publics_specifiquement_adresses")),
    "frais_a_charge": ("frais", _has("frais_a_charge")),
    "modalites_acces": ("modalités d'accès", _has("modalites_acces")),
    "modalites_accompagnement": ("modalités d'accompagnement", _has("modalites_accompagnement")),
}
WORKSHOP_FIELDS: dict[str, tuple[str, _Check]] = {
    "description": ("description", _has("description")),
    "contact": ("contact pour s'inscrire ou se renseigner", _workshop_contact),
    "seances_a_venir": ("séances à venir", _workshop_upcoming),
}
TRAINING_FIELDS: dict[str, tuple[str, _Check]] = {
    "description": ("description", _has("description")),
    "competences": ("compétences visées", _has("competences")),
    "prerequis": ("prérequis", _has("prerequis")),
    "sessions": ("sessions", _has("sessions")),
}

NOUNS = {"lieu": "lieu", "atelier": "atelier", "formation": "formation"}


@dataclass(frozen=True)
class RecordStatus:
    """One record: how old, how complete."""

    kind: str  # "lieu", "atelier" or "formation"
    id: str
    name: str
    commune: str | None  # None for a training
    file: str  # data/sites.yaml…
    line: int  # where the record starts, for « Proposer une modification » links
    updated: dt.date  # date_maj
    age_days: int  # days between date_maj and the report's date
    stale: bool  # not checked for more than stale_months months
    example: bool  # fictitious example record
    filled: tuple[str, ...]  # names (keys of *_FIELDS) of the counted fields it fills
    missing: tuple[str, ...]  # names of the counted fields it lacks, in the order of *_FIELDS
    missing_labels: tuple[str, ...]  # the same, in French
    completeness: int  # percent, 0-100

    @property
    def missing_hours(self) -> bool:
        return "horaires" in self.missing

    @property
    def missing_accessibility(self) -> bool:
        return "x_accessibilite" in self.missing

    @property
    def missing_contact(self) -> bool:
        return "contact" in self.missing

    @property
    def needs_attention(self) -> bool:
        return self.stale or bool(self.missing)


@dataclass(frozen=True)
class TerritoryReport:
    """One EPCI (``code`` None: records whose commune has no EPCI)."""

    code: str | None  # SIREN of the EPCI
    name: str
    slug: str | None
    sites: tuple[RecordStatus, ...]  # help points, least complete first
    workshops: tuple[RecordStatus, ...]  # workshops, least complete first

    @property
    def records(self) -> tuple[RecordStatus, ...]:
        return self.sites + self.workshops

    @property
    def stale(self) -> tuple[RecordStatus, ...]:
        return tuple(r for r in self.records if r.stale)

    @property
    def missing_hours(self) -> tuple[RecordStatus, ...]:
        return tuple(r for r in self.sites if r.missing_hours)

    @property
    def missing_accessibility(self) -> tuple[RecordStatus, ...]:
        return tuple(r for r in self.sites if r.missing_accessibility)

    @property
    def missing_contact(self) -> tuple[RecordStatus, ...]:
        return tuple(r for r in self.records if r.missing_contact)

    @property
    def completeness(self) -> int | None:
        """Mean completeness of its records (None if it has none)."""
        return _mean(self.records)


@dataclass(frozen=True)
class FreshnessReport:
    date: dt.date  # the day the report describes
    stale_months: int
    stale_before: dt.date  # records checked before this day are old
    territories: tuple[TerritoryReport, ...]  # every EPCI, by name; « hors EPCI » last if any
    trainings: tuple[RecordStatus, ...]  # trainings have no territory

    @property
    def records(self) -> tuple[RecordStatus, ...]:
        return tuple(r for t in self.territories for r in t.records) + self.trainings

    @property
    def stale(self) -> tuple[RecordStatus, ...]:
        return tuple(r for r in self.records if r.stale)

    @property
    def completeness(self) -> int | None:
        return _mean(self.records)


def _mean(records: Iterable[RecordStatus]) -> int | None:
    values = [r.completeness for r in records]
    return round(sum(values) / len(values)) if values else None


def _status(
    kind: str,
    obj: Site | Workshop | Training,
    name: str,
    commune: str | None,
    fields: dict[str, tuple[str, _Check]],
    day: dt.date,
    stale_before: dt.date,
) -> RecordStatus:
    filled = tuple(key for key, (_, check) in fields.items() if check(obj, day))
    missing = tuple(key for key in fields if key not in filled)
    return RecordStatus(
        kind=kind,
        id=obj.id,
        name=name,
        commune=commune,
        file=obj.file,
        line=obj.line,
        updated=obj.updated,
        age_days=(day - obj.updated).days,
        stale=is_stale(obj.updated, stale_before),
        example=obj.example,
        filled=filled,
        missing=missing,
        missing_labels=tuple(fields[key][0] for key in missing),
        completeness=round(100 * len(filled) / len(fields)),
    )


def _order(records: Iterable[RecordStatus]) -> tuple[RecordStatus, ...]:
    return tuple(sorted(records, key=lambda r: (r.completeness, not r.stale, r.id)))


def build_report(
    catalogue: Catalogue, date: dt.date | None = None, stale_months: int = STALE_MONTHS
) -> FreshnessReport:
    """The report of a validated catalogue, on ``date`` (default: the catalogue's build date)."""
    day = date or catalogue.build_date
    stale_before = months_before(day, stale_months)
    sites: dict[str | None, list[RecordStatus]] = {}
    workshops: dict[str | None, list[RecordStatus]] = {}
    for site in catalogue.sites:
        code = site.epci.code if site.epci else None
        sites.setdefault(code, []).append(
            _status("lieu", site, site.name, site.commune.nom, SITE_FIELDS, day, stale_before)
        )
    for workshop in catalogue.workshops:
        epci = catalogue.reference.epci_of(workshop.commune.code_insee)
        workshops.setdefault(epci.code if epci else None, []).append(
            _status(
                "atelier", workshop, workshop.title, workshop.commune.nom, WORKSHOP_FIELDS, day, stale_before
            )
        )
    territories = [
        TerritoryReport(
            epci.code,
            epci.nom,
            epci.slug,
            _order(sites.get(epci.code, ())),
            _order(workshops.get(epci.code, ())),
        )
        for epci in catalogue.reference.epcis.values()  # by name, as in data/reference/epci.json
    ]
    if None in sites or None in workshops:
        territories.append(
            TerritoryReport(
                None, "Hors EPCI", None, _order(sites.get(None, ())), _order(workshops.get(None, ()))
            )
        )
    trainings = _order(
        _status("formation", t, t.title, None, TRAINING_FIELDS, day, stale_before)
        for t in catalogue.trainings
    )
    return FreshnessReport(day, stale_months, stale_before, tuple(territories), trainings)


# --- rendering ----------------------------------------------------------------------


def _percent(value: int | None) -> str:
    return "—" if value is None else format_percent(value)


def _summary(t: TerritoryReport) -> str:
    return (
        f"{count_fr(len(t.sites), 'lieu', 'lieux')}, {count_fr(len(t.workshops), 'atelier', 'ateliers')} ;"
        f" anciennes : {len(t.stale)} ; sans horaires : {len(t.missing_hours)} ;"
        f" sans accessibilité : {len(t.missing_accessibility)} ; sans contact : {len(t.missing_contact)} ;"
        f" complétude moyenne : {_percent(t.completeness)}"
    )


def _legend(report: FreshnessReport) -> str:
    return (
        f"Fiche ancienne : vérifiée pour la dernière fois le {format_date_short(report.stale_before)} ou avant"
        f" ({report.stale_months} mois ou plus). Complétude : part des champs utiles renseignés"
        " (voir python -m mednum report --help)."
    )


def _line_text(r: RecordStatus) -> str:
    parts = [f"vérifiée le {format_date_short(r.updated)}" + (" : ANCIENNE" if r.stale else "")]
    if r.missing_labels:
        parts.append("manque : " + join_fr(r.missing_labels))
    where = f" ({r.commune})" if r.commune else ""
    example = " [exemple]" if r.example else ""
    return f"  {format_percent(r.completeness):>5}  {r.kind} « {r.id} »{where}{example} — " + " ; ".join(
        parts
    )


def render_text(report: FreshnessReport) -> str:
    out = [
        f"Fraîcheur et complétude des fiches au {format_date_short(report.date)}",
        _legend(report),
        f"Ensemble : {len(report.records)} fiches, {len(report.stale)} anciennes,"
        f" complétude moyenne {_percent(report.completeness)}.",
    ]
    for t in report.territories:
        out += ["", f"== {t.name}" + (f" (SIREN {t.code})" if t.code else "") + " =="]
        if not t.records:
            out.append("  aucun lieu ni atelier")
            continue
        out.append("  " + _summary(t))
        out += [_line_text(r) for r in t.records]
    out += ["", "== Formations (tout le département) =="]
    out += [_line_text(r) for r in report.trainings] or ["  aucune formation"]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _row(r: RecordStatus) -> str:
    updated = format_date_short(r.updated) + (" **ancienne**" if r.stale else "")
    name = _cell(r.name) + (" *(exemple)*" if r.example else "")
    return (
        f"| {r.kind} | {name} (`{r.id}`) | {_cell(r.commune or '')} | {updated} | {format_percent(r.completeness)} |"
        f" {_cell(join_fr(r.missing_labels)) or '—'} |"
    )


_HEADER = "| fiche | nom | commune | vérifiée le | complétude | à compléter |\n|---|---|---|---|--:|---|"


def render_markdown(report: FreshnessReport) -> str:
    out = [
        f"# Fraîcheur et complétude des fiches au {format_date_short(report.date)}",
        "",
        _legend(report),
        "",
        "| territoire | lieux | ateliers | anciennes | sans horaires | sans accessibilité | sans contact"
        " | complétude |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for t in report.territories:
        out.append(
            f"| {_cell(t.name)} | {len(t.sites)} | {len(t.workshops)} | {len(t.stale)} |"
            f" {len(t.missing_hours)} | {len(t.missing_accessibility)} | {len(t.missing_contact)} |"
            f" {_percent(t.completeness)} |"
        )
    for t in report.territories:
        out += ["", f"## {t.name}", ""]
        if not t.records:
            out.append("Aucun lieu ni atelier.")
            continue
        out += [_summary(t) + ".", "", _HEADER, *map(_row, t.records)]
    out += ["", "## Formations (tout le département)", ""]
    out += [_HEADER, *map(_row, report.trainings)] if report.trainings else ["Aucune formation."]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mednum report",
        description="Rapport de fraîcheur et de complétude des fiches, par EPCI.",
        epilog="Champs comptés pour la complétude — lieux : "
        + ", ".join(label for label, _ in SITE_FIELDS.values())
        + " ; ateliers : "
        + ", ".join(label for label, _ in WORKSHOP_FIELDS.values())
        + " ; formations : "
        + ", ".join(label for label, _ in TRAINING_FIELDS.values())
        + ".",
    )
    parser.add_argument("--date", help="date du rapport AAAA-MM-JJ (défaut : aujourd'hui à Paris)")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    parser.add_argument("--root", default=".", help="dossier du projet (défaut : .)")
    parser.add_argument("--data", default="data")
    parser.add_argument("--schemas", default="schemas")
    args = parser.parse_args(argv)
    if args.date:
        try:
            day = dt.date.fromisoformat(args.date)
        except ValueError:
            print(f"mednum : date invalide « {args.date} » (AAAA-MM-JJ attendu)", file=sys.stderr)
            return 2
    else:
        from .settings import build_date

        day = build_date({})
    root = Path(args.root).resolve()
    options = LoadOptions(
        data_dir=(root / args.data).resolve(),
        schemas_dir=(root / args.schemas).resolve(),
        build_date=day,
        stale_months=STALE_MONTHS,
        root=root,
        allow_examples=True,  # a report, not a publication: example records are marked in it
    )
    catalogue, problems = load_catalogue(options)
    if catalogue is None:
        print(problems.text(warnings=False), file=sys.stderr)
        print("\nRapport impossible : corrigez d'abord les erreurs (make check).", file=sys.stderr)
        return 1
    report = build_report(catalogue, day)
    print(render_markdown(report) if args.format == "markdown" else render_text(report))
    return 0
