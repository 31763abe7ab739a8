"""The validated catalogue as typed objects: what pages, maps and exports read.

Built only from records that passed validation, so constructors may trust types.
Each object keeps ``record`` (the validated mapping, in file order) for exports
and ``line`` (where it starts in its file) for "propose a change" links.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .holidays_fr import holidays_between
from .opening_hours import Schedule
from .opening_hours import parse as parse_hours
from .pagekeys import NOT_RENDERED
from .reference import Commune, Epci, Reference


@dataclass(frozen=True, slots=True)
class Stop:
    commune: Commune
    address: str
    postal_code: str | None
    latitude: float | None
    longitude: float | None
    hours: str | None  # the opening_hours text; None when the source gives no days or hours
    schedule: Schedule | None


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    street: str
    postal_code: str
    commune: Commune
    latitude: float | None
    longitude: float | None


@dataclass(eq=False)
class Site:
    id: str
    name: str
    commune: Commune
    epci: Epci | None
    record: dict[str, Any]
    file: str = field(metadata=NOT_RENDERED)  # where the record is: messages only
    line: int = field(metadata=NOT_RENDERED)
    schedule: Schedule | None
    stops: list[Stop]
    updated: dt.date
    stale: bool
    workshops: list[Workshop] = field(default_factory=list)

    def get(self, name: str, default: Any = None) -> Any:
        return self.record.get(name, default)

    @property
    def example(self) -> bool:
        return self.record.get("x_exemple") is True

    @property
    def itinerant(self) -> bool:
        return "Itinérant" in self.record.get("itinerance", [])

    @property
    def services(self) -> list[str]:
        return self.record["services"]

    @property
    def pass_numerique(self) -> bool:
        return self.record.get("x_pass_numerique") is True

    @property
    def free(self) -> bool:
        return self.record.get("frais_a_charge") == ["Gratuit"]

    @property
    def step_free(self) -> bool:
        access = self.record.get("x_accessibilite", {})
        return (
            access.get("entree_plain_pied") is True and access.get("cheminement_ext_plain_pied", True) is True
        )

    @property
    def coordinates(self) -> tuple[float, float] | None:
        lat, lon = self.record.get("latitude"), self.record.get("longitude")
        return (lat, lon) if lat is not None and lon is not None else None

    @property
    def communes_served(self) -> list[Commune]:
        """The home commune, then the communes of its stops."""
        seen = {self.commune.code_insee: self.commune}
        for stop in self.stops:
            seen.setdefault(stop.commune.code_insee, stop.commune)
        return list(seen.values())


@dataclass(frozen=True, slots=True)
class Session:
    start: dt.datetime
    end: dt.datetime
    places: int | None = None
    cancelled: bool = False


@dataclass(eq=False)
class Workshop:
    id: str
    title: str
    kind: str
    record: dict[str, Any]
    file: str = field(metadata=NOT_RENDERED)  # where the record is: messages only
    line: int = field(metadata=NOT_RENDERED)
    site: Site | None
    address: Address | None
    sessions: list[Session]
    updated: dt.date
    stale: bool

    def get(self, name: str, default: Any = None) -> Any:
        return self.record.get(name, default)

    @property
    def example(self) -> bool:
        return self.record.get("exemple") is True

    @property
    def commune(self) -> Commune:
        return self.site.commune if self.site else self.address.commune

    def upcoming(self, today: dt.date) -> list[Session]:
        return [s for s in self.sessions if s.start.date() >= today]


@dataclass(eq=False)
class Training:
    id: str
    title: str
    record: dict[str, Any]
    file: str = field(metadata=NOT_RENDERED)  # where the record is: messages only
    line: int = field(metadata=NOT_RENDERED)
    updated: dt.date
    stale: bool

    def get(self, name: str, default: Any = None) -> Any:
        return self.record.get(name, default)

    @property
    def example(self) -> bool:
        return self.record.get("exemple") is True


@dataclass
class Catalogue:
    sites: list[Site]
    workshops: list[Workshop]
    trainings: list[Training]
    reference: Reference
    build_date: dt.date

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    @cached_property
    def sites_by_commune(self) -> dict[str, list[Site]]:
        """Help points by INSEE code, itinerant services listed in every commune they stop in."""
        index: dict[str, list[Site]] = defaultdict(list)
        for site in self.sites:
            for commune in site.communes_served:
                index[commune.code_insee].append(site)
        return dict(index)

    @cached_property
    def sites_by_service(self) -> dict[str, list[Site]]:
        index: dict[str, list[Site]] = defaultdict(list)
        for site in self.sites:
            for service in site.services:
                index[service].append(site)
        return dict(index)


def is_stale(day: dt.date, limit: dt.date) -> bool:
    """Checked on ``limit`` (the build date minus 12 months) or earlier: 12 months or more ago."""
    return day <= limit


def build_catalogue(
    sites: list[tuple[dict, str, int]],
    workshops: list[tuple[dict, str, int]],
    trainings: list[tuple[dict, str, int]],
    reference: Reference,
    build_date: dt.date,
    stale_before: dt.date,
    recurrence_weeks: int = 26,
) -> Catalogue:
    """Typed catalogue from validated (record, file, line) triples."""
    site_objects = []
    for record, file, line in sorted(sites, key=lambda t: t[0]["id"]):
        commune = reference.commune(record["code_insee"])
        updated = dt.date.fromisoformat(record["date_maj"])
        stops = [
            Stop(
                commune=reference.commune(s["code_insee"]),
                address=s["adresse"],
                postal_code=s.get("code_postal"),
                latitude=s.get("latitude"),
                longitude=s.get("longitude"),
                hours=s.get("horaires"),
                schedule=parse_hours(s["horaires"]) if "horaires" in s else None,
            )
            for s in record.get("x_arrets", [])
        ]
        site_objects.append(
            Site(
                id=record["id"],
                name=record["nom"],
                commune=commune,
                epci=reference.epci_of(commune.code_insee),
                record=record,
                file=file,
                line=line,
                schedule=parse_hours(record["horaires"]) if "horaires" in record else None,
                stops=stops,
                updated=updated,
                stale=is_stale(updated, stale_before),
            )
        )
    by_id = {s.id: s for s in site_objects}

    workshop_objects = []
    for record, file, line in sorted(workshops, key=lambda t: t[0]["id"]):
        site = by_id.get(record["lieu"]) if "lieu" in record else None
        address = None
        if "adresse" in record:
            a = record["adresse"]
            address = Address(
                name=a["nom"],
                street=a["adresse"],
                postal_code=a["code_postal"],
                commune=reference.commune(a["code_insee"]),
                latitude=a.get("latitude"),
                longitude=a.get("longitude"),
            )
        updated = dt.date.fromisoformat(record["date_maj"])
        workshop = Workshop(
            id=record["id"],
            title=record["titre"],
            kind=record["type"],
            record=record,
            file=file,
            line=line,
            site=site,
            address=address,
            sessions=_sessions(record, build_date, recurrence_weeks),
            updated=updated,
            stale=is_stale(updated, stale_before),
        )
        workshop_objects.append(workshop)
        if site is not None:
            site.workshops.append(workshop)

    training_objects = []
    for record, file, line in sorted(trainings, key=lambda t: t[0]["id"]):
        updated = dt.date.fromisoformat(record["date_maj"])
        training_objects.append(
            Training(
                id=record["id"],
                title=record["titre"],
                record=record,
                file=file,
                line=line,
                updated=updated,
                stale=is_stale(updated, stale_before),
            )
        )
    return Catalogue(site_objects, workshop_objects, training_objects, reference, build_date)


def _sessions(record: dict, build_date: dt.date, weeks: int) -> list[Session]:
    """Dated sessions plus the weekly recurrence expanded over the coming weeks."""
    default_places = record.get("places")
    sessions: dict[dt.datetime, Session] = {}
    for s in record.get("seances", []):
        day = dt.date.fromisoformat(s["date"])
        start = dt.datetime.combine(day, dt.time.fromisoformat(s["debut"]))
        end = dt.datetime.combine(day, dt.time.fromisoformat(s["fin"]))
        sessions[start] = Session(start, end, s.get("places", default_places), s.get("annulee") is True)
    recurrence = record.get("recurrence")
    if recurrence:
        schedule = parse_hours(recurrence["horaires"])
        first = max(dt.date.fromisoformat(recurrence["du"]), build_date)
        last = min(dt.date.fromisoformat(recurrence["au"]), build_date + dt.timedelta(weeks=weeks))
        holidays = holidays_between(first, last) if first <= last else set()
        day = first
        while day <= last:
            for opens, closes in schedule.intervals_on(day, holidays):
                start = dt.datetime.combine(day, opens)
                end = (
                    dt.datetime.combine(day, closes)
                    if closes != dt.time.max
                    else (dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
                )
                sessions.setdefault(start, Session(start, end, default_places))
            day += dt.timedelta(days=1)
    return [sessions[k] for k in sorted(sessions)]
