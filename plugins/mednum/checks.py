"""Checks that a schema cannot express: identity, references, places, times.

Each check reads values defensively (a record that failed the schema is still
checked for the rest) and reports in French at the value's position.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .french import format_date_short, format_distance_km
from .geo import haversine_km
from .model import is_stale
from .opening_hours import OpeningHoursError
from .opening_hours import parse as parse_hours
from .problems import Location, Report
from .reference import Reference
from .schema import SITES, TRAININGS, WORKSHOPS, Kind, field_name, suggest
from .yamlsource import YamlDocument

# A help point more than this beyond its commune's farthest edge is misplaced.
NEAR_COMMUNE_MARGIN_KM = 2.0
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_MARKDOWN_FIELDS = ("presentation_detail", "description")
# Markdown link targets: inline « [texte](adresse) » and reference « [nom]: adresse ».
_MARKDOWN_LINK = re.compile(
    r"\]\(\s*<?((?:[^\s()<>]|\([^\s()]*\))+)|^[ ]{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE
)
_URL_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_LINK_SCHEMES = ("http", "https", "mailto", "tel")


@dataclass
class Source:
    """A validated file: its records and where they were written."""

    kind: Kind
    doc: YamlDocument
    records: list

    def at(self, index: int, *path: Any, key: bool = False) -> Location:
        return self.doc.location((index, *path), key=key)


class Checker:
    def __init__(
        self,
        reference: Reference,
        build_date: dt.date,
        report: Report,
        stale_months: int = 12,
        allow_examples: bool = False,
    ):
        self.ref = reference
        self.allow_examples = allow_examples
        self.today = build_date
        self.report = report
        self.stale_before = months_before(build_date, stale_months)
        self.stale_months = stale_months

    # -- helpers -----------------------------------------------------------
    def _error(self, src: Source, index: int, path: tuple, message: str, key: bool = False) -> None:
        record = src.records[index]
        self.report.error(
            src.at(index, *path, key=key), message, src.kind.subject(record, index), field_name(path)
        )

    def _warning(self, src: Source, index: int, path: tuple, message: str) -> None:
        record = src.records[index]
        self.report.warning(src.at(index, *path), message, src.kind.subject(record, index), field_name(path))

    # -- entry point -------------------------------------------------------
    def run(self, sites: Source | None, workshops: Source | None, trainings: Source | None) -> None:
        site_ids: dict[str, bool] = {}
        for src in (sites, workshops, trainings):
            if src and not self.allow_examples:
                self._no_examples(src)
        if sites:
            self._unique_ids(sites)
            for i, record in _records(sites):
                self._site(sites, i, record)
                if isinstance(record.get("id"), str):
                    site_ids[record["id"]] = record.get("x_exemple") is True
        if workshops:
            self._unique_ids(workshops)
            for i, record in _records(workshops):
                self._workshop(workshops, i, record, site_ids if sites else None)
        if trainings:
            self._unique_ids(trainings)
            for i, record in _records(trainings):
                self._training(trainings, i, record)

    def _no_examples(self, src: Source) -> None:
        """The published catalogue holds real records only: fictional ones live in demo/."""
        flag = src.kind.example_field
        for i, record in _records(src):
            if record.get(flag) is True:
                self._error(
                    src,
                    i,
                    (flag,),
                    "fiche d'exemple (fictive) : le site publié n'accepte que des fiches réelles ; "
                    "les exemples vont dans le jeu de démonstration demo/",
                )

    def _unique_ids(self, src: Source) -> None:
        seen: dict[str, int] = {}
        for i, record in _records(src):
            ident = record.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first = src.at(seen[ident], "id")
                self._error(src, i, ("id",), f"identifiant déjà utilisé à la ligne {first.line}")
            else:
                seen[ident] = i

    # -- records -----------------------------------------------------------
    def _site(self, src: Source, i: int, r: dict) -> None:
        commune = self._place(src, i, r, ())
        self._coordinates(src, i, r, (), commune)
        self._hours(src, i, r, ("horaires",))
        self._date_maj(src, i, r)
        self._links(src, i, r, ("site_web",), ("fiche_acces_libre",), ("prise_rdv",))
        self._markdown(src, i, r)
        stops = r.get("x_arrets")
        itinerant = isinstance(r.get("itinerance"), list) and "Itinérant" in r["itinerance"]
        if isinstance(stops, list):
            if not itinerant:
                self._error(
                    src,
                    i,
                    ("itinerance",) if "itinerance" in r else ("x_arrets",),
                    "un lieu avec des arrêts (x_arrets) doit avoir itinerance : Itinérant",
                )
            for n, stop in enumerate(stops):
                if isinstance(stop, dict):
                    path = ("x_arrets", n)
                    stop_commune = self._place(src, i, stop, path)
                    self._coordinates(src, i, stop, path, stop_commune)
                    self._hours(src, i, stop, (*path, "horaires"))
        elif itinerant:
            self._warning(
                src,
                i,
                ("itinerance",),
                "service itinérant sans arrêts (x_arrets) : indiquez où et quand le trouver",
            )
        if "horaires" not in r and not itinerant:
            self._warning(src, i, (), "horaires non renseignés")
        elif (
            isinstance(stops, list)
            and stops
            and "horaires" not in r
            and not any(isinstance(s, dict) and "horaires" in s for s in stops)
        ):
            self._warning(src, i, ("x_arrets",), "jours de passage des arrêts non renseignés (horaires)")
        if "x_accessibilite" not in r:
            self._warning(src, i, (), "accessibilité du lieu non renseignée (x_accessibilite)")
        if not any(k in r for k in ("telephone", "courriels", "site_web")):
            self._warning(src, i, (), "aucun moyen de contact (téléphone, courriel ou site web)")
        if "latitude" not in r and "longitude" not in r:
            self._warning(src, i, (), "pas de coordonnées : le lieu n'apparaîtra pas sur la carte")

    def _workshop(self, src: Source, i: int, r: dict, site_ids: dict[str, bool] | None) -> None:
        place = r.get("lieu")
        if isinstance(place, str) and site_ids is not None:
            if place not in site_ids:
                hint = suggest(place, list(site_ids))
                more = f" : vouliez-vous dire « {hint} » ?" if hint else ""
                self._error(src, i, ("lieu",), f"aucun lieu « {place} » dans data/sites.yaml{more}")
            else:
                place_is_example = site_ids[place]
                is_example = r.get("exemple") is True
                if place_is_example and not is_example:
                    self._error(
                        src, i, ("lieu",), "un atelier réel ne peut pas avoir lieu dans un lieu d'exemple"
                    )
                if is_example and not place_is_example:
                    self._error(
                        src, i, ("lieu",), "un atelier d'exemple ne peut pas être rattaché à un lieu réel"
                    )
        address = r.get("adresse")
        if isinstance(address, dict):
            commune = self._place(src, i, address, ("adresse",))
            self._coordinates(src, i, address, ("adresse",), commune)
        sessions = r.get("seances")
        if isinstance(sessions, list):
            seen: dict[tuple, int] = {}
            for n, session in enumerate(sessions):
                if not isinstance(session, dict):
                    continue
                path = ("seances", n)
                day = self._date(src, i, session, (*path, "date"))
                start = _time(session.get("debut"))
                end = _time(session.get("fin"))
                if start and end and end <= start:
                    self._error(
                        src,
                        i,
                        (*path, "fin"),
                        f"la séance finit ({session['fin']}) avant de commencer ({session['debut']})",
                    )
                slot = (session.get("date"), session.get("debut"))
                if day and slot in seen:
                    self._error(src, i, (*path, "date"), f"séance déjà indiquée (séance n° {seen[slot] + 1})")
                seen.setdefault(slot, n)
        recurrence = r.get("recurrence")
        if isinstance(recurrence, dict):
            self._hours(src, i, recurrence, ("recurrence", "horaires"))
            first = self._date(src, i, recurrence, ("recurrence", "du"))
            last = self._date(src, i, recurrence, ("recurrence", "au"))
            if first and last and last < first:
                self._error(src, i, ("recurrence", "au"), "la période finit avant de commencer")
        self._price(src, i, r.get("tarif"), ("tarif",))
        self._registration(src, i, r.get("inscription"), ("inscription",))
        self._date_maj(src, i, r)
        self._markdown(src, i, r)

    def _training(self, src: Source, i: int, r: dict) -> None:
        sessions = r.get("sessions")
        if isinstance(sessions, list):
            for n, session in enumerate(sessions):
                if not isinstance(session, dict):
                    continue
                path = ("sessions", n)
                first = self._date(src, i, session, (*path, "debut"))
                last = self._date(src, i, session, (*path, "fin"))
                if first and last and last < first:
                    self._error(src, i, (*path, "fin"), "la session finit avant de commencer")
                code = session.get("code_insee")
                if isinstance(code, str):
                    self._commune_code(src, i, (*path, "code_insee"), code)
        self._price(src, i, r.get("tarif"), ("tarif",))
        registration = r.get("inscription")
        if isinstance(registration, dict):
            self._links(src, i, registration, ("inscription", "lien"))
        self._date_maj(src, i, r)
        self._markdown(src, i, r)

    # -- shared checks -----------------------------------------------------
    def _commune_code(self, src: Source, i: int, path: tuple, code: str):
        commune = self.ref.commune(code)
        if commune is None:
            where = self._outside(code)
            self._error(src, i, path, f"le code INSEE {code} {where}")
        return commune

    def _outside(self, code: str) -> str:
        """Why a commune code is refused: « n'est pas dans le Gard (30xxx) », « est inconnu … »."""
        prefix, department = self.ref.department_prefix, self.ref.department
        if not code.startswith(prefix):
            return f"n'est pas {department.in_} ({prefix}{'x' * (5 - len(prefix))})"
        return f"est inconnu {department.in_}"

    def _place(self, src: Source, i: int, block: dict, base: tuple):
        """Commune name, INSEE code and postal code must agree with the reference."""
        code, name, postal = block.get("code_insee"), block.get("commune"), block.get("code_postal")
        if not isinstance(code, str) or not re.fullmatch(r"\d[\dAB]\d{3}", code):
            return None
        commune = self.ref.commune(code)
        if commune is None:
            message = self._outside(code)
            hint = ""
            if isinstance(name, str):
                matches = self.ref.communes_named(name)
                if len(matches) == 1:
                    hint = f" ; le code de {matches[0].nom} est {matches[0].code_insee}"
            self._error(src, i, (*base, "code_insee"), f"le code INSEE {code} {message}{hint}")
            return None
        if isinstance(name, str) and name != commune.nom:
            self._error(
                src,
                i,
                (*base, "commune"),
                f"la commune du code INSEE {code} s'écrit « {commune.nom} », pas « {name} »",
            )
        if isinstance(postal, str) and re.fullmatch(r"\d{5}", postal) and postal not in commune.codes_postaux:
            expected = ", ".join(commune.codes_postaux)
            self._error(
                src,
                i,
                (*base, "code_postal"),
                f"le code postal {postal} n'est pas celui de {commune.nom} ({expected})",
            )
        return commune

    def _coordinates(self, src: Source, i: int, block: dict, base: tuple, commune) -> None:
        lat, lon = block.get("latitude"), block.get("longitude")
        has_lat, has_lon = _is_number(lat), _is_number(lon)
        if has_lat != has_lon:
            missing = "longitude" if has_lat else "latitude"
            present = "latitude" if has_lat else "longitude"
            self._error(src, i, (*base, present), f"{present} sans {missing} : indiquez les deux ou aucune")
            return
        if not has_lat:
            return
        if not self.ref.contains(lat, lon):
            if self.ref.contains(lon, lat):
                message = (
                    f"coordonnées hors {self.ref.department.of} : latitude et longitude inversées ? "
                    f"({lat}, {lon})"
                )
            else:
                message = f"coordonnées hors {self.ref.department.of} ({lat}, {lon})"
            self._error(src, i, (*base, "latitude"), message)
            return
        if commune is not None:
            distance = haversine_km(lat, lon, commune.latitude, commune.longitude)
            if distance > commune.rayon_km + NEAR_COMMUNE_MARGIN_KM:
                self._error(
                    src,
                    i,
                    (*base, "latitude"),
                    f"coordonnées à {format_distance_km(distance)} du centre de {commune.nom} :"
                    " vérifiez les coordonnées ou la commune",
                )

    def _hours(self, src: Source, i: int, block: dict, path: tuple) -> None:
        text = block.get(path[-1])
        if not isinstance(text, str) or not text.strip():
            return
        try:
            parse_hours(text)
        except OpeningHoursError as exc:
            self._error(src, i, path, f"horaires illisibles : {exc.message} (caractère {exc.column})")

    def _date(self, src: Source, i: int, block: dict, path: tuple) -> dt.date | None:
        value = block.get(path[-1])
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self._error(src, i, path, f"« {value} » n'est pas une date qui existe")
            return None

    def _date_maj(self, src: Source, i: int, r: dict) -> None:
        day = self._date(src, i, r, ("date_maj",))
        if day is None:
            return
        if day > self.today:
            self._error(
                src,
                i,
                ("date_maj",),
                f"date dans le futur ({format_date_short(day)}) : indiquez le jour de la vérification",
            )
        elif is_stale(day, self.stale_before):
            self._warning(
                src,
                i,
                ("date_maj",),
                f"fiche non vérifiée depuis le {format_date_short(day)} ({self.stale_months} mois ou plus)",
            )

    def _links(self, src: Source, i: int, block: dict, *paths: tuple) -> None:
        for path in paths:
            value = block.get(path[-1])
            values = value if isinstance(value, list) else [value]
            for n, url in enumerate(values):
                if not isinstance(url, str):
                    continue
                at = (*path, n) if isinstance(value, list) else path
                parts = urlsplit(url)
                if parts.scheme in ("http", "https") and (
                    "." not in parts.hostname if parts.hostname else True
                ):
                    self._error(src, i, at, f"« {url} » : adresse web sans nom de domaine valide")

    def _markdown(self, src: Source, i: int, r: dict) -> None:
        for name in _MARKDOWN_FIELDS:
            text = r.get(name)
            if isinstance(text, str) and _HTML_TAG.search(text):
                tag = _HTML_TAG.search(text).group(0)
                self._error(
                    src, i, (name,), f"le HTML n'est pas accepté ({tag}) : écrivez en Markdown simple"
                )
            if isinstance(text, str):
                for target in _refused_links(text):
                    self._error(
                        src,
                        i,
                        (name,),
                        f"lien refusé « {target} » : seules les adresses https://, http://, mailto:"
                        " et tel: sont acceptées",
                    )

    def _price(self, src: Source, i: int, price: Any, path: tuple) -> None:
        if not isinstance(price, dict):
            return
        fee, amount = price.get("frais"), price.get("montant")
        if fee == "Payant" and amount is None:
            self._error(src, i, (*path, "frais"), "indiquez le « montant » en euros d'une activité payante")
        if fee == "Gratuit" and _is_number(amount) and amount > 0:
            self._error(src, i, (*path, "montant"), "une activité gratuite ne peut pas avoir de montant")

    def _registration(self, src: Source, i: int, reg: Any, path: tuple) -> None:
        if not isinstance(reg, dict) or not isinstance(reg.get("modes"), list):
            return
        needs = {"telephone": "telephone", "en-ligne": "lien", "courriel": "courriel"}
        for mode in reg["modes"]:
            wanted = needs.get(mode) if isinstance(mode, str) else None
            if wanted and wanted not in reg:
                self._error(src, i, (*path, "modes"), f"mode « {mode} » : indiquez aussi « {wanted} »")
        if "sans-inscription" in reg["modes"] and len(reg["modes"]) > 1:
            self._error(
                src, i, (*path, "modes"), "« sans-inscription » ne va pas avec un autre mode d'inscription"
            )
        self._links(src, i, reg, (*path, "lien"))


def _records(src: Source) -> Iterable[tuple[int, dict]]:
    return ((i, r) for i, r in enumerate(src.records) if isinstance(r, dict))


def _refused_links(text: str) -> list[str]:
    """Targets of Markdown links whose scheme is not http(s), mailto or tel (javascript:, data:…)."""
    refused = []
    for match in _MARKDOWN_LINK.finditer(text):
        target = match.group(1) or match.group(2)
        # What a browser ignores in a scheme: entities, tabs, newlines, leading controls and spaces.
        probe = re.sub(r"[\t\n\r]", "", html.unescape(target)).lstrip("\x00- ")
        scheme = _URL_SCHEME.match(probe)
        if scheme and scheme.group(1).lower() not in _LINK_SCHEMES:
            refused.append(target)
    return refused


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _time(value: Any) -> dt.time | None:
    if isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return dt.time.fromisoformat(value)
    return None


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


__all__ = ["SITES", "TRAININGS", "WORKSHOPS", "Checker", "Source"]
