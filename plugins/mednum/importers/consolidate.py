"""One place, one record: the rows of every source, merged into the records of ``data/sites.yaml``.

Pure: from the last rows of each source (``store.Snapshot``), the review list, the
import's memory of what it wrote (``store.Entry``) and the current records, it
computes what each record should become; ``refresh`` writes it.

1. **Rows that are the same place are grouped** (union-find). Rows once grouped stay
   grouped (the memory links rows to records); pairs a person settled in the review
   list are obeyed; other pairs in the same commune are compared (``matching.compare``):
   certain pairs are grouped, likely pairs go to the review list. Two rows of a source
   that lists each place once (the France Services list) are never grouped, nor are
   rows a person called « distinct ».
2. **Stops of itinerant services** (rows a source names « … itinérante de X (SERVICE) »)
   that are not the same place as a fixed place become the ``x_arrets`` of their service:
   the itinerant record whose name holds the service's name, else the one with the same
   phone or e-mail; with none, the stops make a record of their own, based at the
   fixed place that shares their phone or e-mail (the organisation that runs them).
3. **Each field takes the value of the most trusted source** (``confiance`` in
   ``data/imports/sources.yaml``), then the most recent, then the most complete row; services, typologies, national
   programmes and support modes add up; the address comes whole from one row; the
   Pass numérique is taken if any source says so; ``date_maj`` is the most recent date
   of the data; ``source`` names every contributing source with the date of its data.
4. **Ids are stable**: a group keeps the record its rows made before; the first time,
   a group takes the record already in ``data/sites.yaml`` that is the same place (so
   that addresses on the site do not change); else a new id from its name.
5. **People win**: for each field, if the record still holds what the import wrote last
   time, the new value is written; if a person changed it, theirs is kept and, when the
   source changed too, the summary says so. Records made by hand are only completed
   (fields they lack). A record whose rows left every source is reported, not deleted; a
   record deleted by hand is not brought back (``supprimees`` in the review list).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..french import slugify
from . import Candidate, site_fields
from .matching import Facts, Verdict, compare, facts, ties
from .national import ENUMS
from .store import DEFAULTS, Entry, Pair, Review, Snapshot, SourceDef

# Fields of sites.schema.json the import never writes: the id is the record's key,
# x_accessibilite and x_exemple are people's.
NOT_IMPORTED = frozenset({"id", "x_accessibilite", "x_agenda", "x_exemple"})
UNION_FIELDS = ("services", "typologie", "dispositif_programmes_nationaux", "modalites_accompagnement")
ADDRESS_FIELDS = ("adresse", "complement_adresse", "code_postal", "commune", "code_insee")
# A record's ``source`` that starts with one of these was written by an import (the
# France Services list of 2022 was imported before the import kept a memory).
LEGACY_TITLES = ("ANCT, liste nationale des France Services",)


def import_fields() -> tuple[str, ...]:
    """The fields the import writes, in the order of ``schemas/sites.schema.json``."""
    return tuple(name for name in site_fields() if name not in NOT_IMPORTED)


@dataclass
class Row:
    source: SourceDef
    rank: int  # position of the source in sources.yaml
    candidate: Candidate
    facts: Facts

    @property
    def ref(self) -> str:
        return self.facts.ref

    @property
    def record(self) -> dict:
        return self.candidate.record

    @property
    def priority(self) -> tuple:
        """Most trusted first, then most recent, then the most complete, then sources.yaml's order."""
        date = self.record.get("date_maj", "")
        # What people need most counts most: a way to reach the place, its hours.
        filled = sum(
            3 if name in ("telephone", "courriels", "horaires") else 1
            for name, value in self.record.items()
            if value not in (None, "", [])
        )
        return (-self.source.confiance, _negated(date), -filled, self.rank, self.candidate.key)

    def describe(self) -> str:
        r = self.record
        return f"{r.get('nom')} — {r.get('adresse')}, {r.get('commune')} ({self.source.titre}, {self.candidate.key})"


def _negated(date: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in date)


@dataclass
class Change:
    ident: str
    name: str
    commune: str
    fields: list[str] = field(default_factory=list)


@dataclass
class Summary:
    """What an import did, for people: the pull request's description and the command's output."""

    snapshots: list[tuple[SourceDef, Snapshot]] = field(default_factory=list)
    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    kept_by_hand: list[tuple[str, str]] = field(default_factory=list)  # (id, field) the source changed too
    left: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, why)
    deleted: list[str] = field(default_factory=list)
    merged: list[tuple[str, list[str]]] = field(default_factory=list)  # (id, rows) of records of ≥ 2 rows
    stops: list[tuple[str, int]] = field(default_factory=list)  # (id, number of stops)
    open_pairs: list[Pair] = field(default_factory=list)
    new_pairs: int = 0


@dataclass
class Outcome:
    records: dict[str, dict]  # id → the fields the import sets on it (complete record for a new one)
    removed: set[str]  # ids of records merged into another one by a person's decision, untouched since
    owned: dict[str, set[str]]  # id → fields to set, or to remove when absent from ``records[id]``
    state: dict[str, Entry]
    review: Review
    summary: Summary


class _Groups:
    """Union-find over rows, refusing unions a person or a source forbids."""

    def __init__(self, rows: list[Row], review: Review):
        self.parent = {r.ref: r.ref for r in rows}
        self.members = {r.ref: [r] for r in rows}
        self.review = review

    def find(self, ref: str) -> str:
        while self.parent[ref] != ref:
            self.parent[ref] = self.parent[self.parent[ref]]
            ref = self.parent[ref]
        return ref

    def allowed(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        for x in self.members[ra]:
            for y in self.members[rb]:
                if self.review.decision(x.ref, y.ref) == "distinct":
                    return False
                if x.source.nom == y.source.nom and x.source.une_ligne_par_lieu:
                    return False
        return True

    def join(self, a: str, b: str) -> bool:
        if not self.allowed(a, b):
            return False
        ra, rb = sorted((self.find(a), self.find(b)))
        if ra != rb:
            self.parent[rb] = ra
            self.members[ra].extend(self.members.pop(rb))
        return True

    def groups(self) -> list[list[Row]]:
        return [sorted(rows, key=lambda r: r.priority) for _, rows in sorted(self.members.items())]


def rows_of(sources: list[SourceDef], snapshots: dict[str, Snapshot]) -> list[Row]:
    rows = []
    for rank, source in enumerate(sources):
        snapshot = snapshots.get(source.nom)
        for c in snapshot.candidates if snapshot else ():
            ref = f"{source.nom}:{c.key}"
            rows.append(Row(source, rank, c, facts(ref, c.record, c.kind, stop=bool(c.stop_of))))
    return rows


def group_rows(
    rows: list[Row], review: Review, state: dict[str, Entry]
) -> tuple[list[list[Row]], list[Pair]]:
    """Groups of rows that are one place each, and the likely pairs left for a person."""
    groups = _Groups(rows, review)
    by_ref = {r.ref: r for r in rows}
    for entry in state.values():  # grouped once, grouped still (stops are attached anew each time)
        present = [r for r in sorted(entry.rows) if r in by_ref and not by_ref[r].candidate.stop_of]
        for ref in present[1:]:
            groups.join(present[0], ref)
    links: list[tuple[float, str, str]] = []
    likely: dict[tuple[str, str], str] = {}
    by_commune: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_commune[row.facts.code_insee].append(row)
    for block in by_commune.values():
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                if a.source.nom == b.source.nom and a.source.une_ligne_par_lieu:
                    continue  # each row of that source is a place of its own
                decision = review.decision(a.ref, b.ref)
                if decision == "distinct":
                    continue
                verdict, score, why = compare(a.facts, b.facts)
                key = tuple(sorted((a.ref, b.ref)))
                if decision == "same":
                    links.append((100.0, *key))
                elif verdict is Verdict.SAME:
                    links.append((score, *key))
                    likely[key] = why
                elif verdict is Verdict.MAYBE:
                    likely[key] = why
    for _, a, b in sorted(links, key=lambda link: (-link[0], link[1], link[2])):
        if groups.join(a, b):
            likely.pop((a, b), None)
        elif (a, b) in likely:
            likely[(a, b)] += " ; déjà rapprochée d'une autre ligne de la même source"
    pairs = [
        Pair(key, (by_ref[key[0]].describe(), by_ref[key[1]].describe()), why)
        for key, why in sorted(likely.items())
        if groups.find(key[0]) != groups.find(key[1]) and groups.allowed(*key)
    ]
    return groups.groups(), pairs


def _group_facts(rows: list[Row]) -> Facts:
    best = rows[0].facts
    return Facts(
        ref=best.ref,
        name=best.name,
        tokens=best.tokens,
        code_insee=best.code_insee,
        position=next((r.facts.position for r in rows if r.facts.position), None),
        phones=frozenset().union(*(r.facts.phones for r in rows)),
        emails=frozenset().union(*(r.facts.emails for r in rows)),
        kind=best.kind,
        itinerant=any(r.facts.itinerant and not r.facts.stop for r in rows),
        stop=all(r.facts.stop for r in rows),
    )


@dataclass
class Place:
    """One record to be: its rows (best first) and the stops attached to it."""

    rows: list[Row]
    stops: list[list[Row]] = field(default_factory=list)
    service: str | None = None  # for a record made of stops only: the service's label
    home: Place | None = None  # … and the place its stops are run from

    @property
    def refs(self) -> list[str]:
        return sorted({r.ref for r in self.rows} | {r.ref for stop in self.stops for r in stop})


def attach_stops(groups: list[list[Row]]) -> list[Place]:
    """Places, with the stops of itinerant services attached to their service."""
    places = [Place(rows) for rows in groups if not all(r.candidate.stop_of for r in rows)]
    stops = [rows for rows in groups if all(r.candidate.stop_of for r in rows)]
    services: dict[tuple[str, str], list[list[Row]]] = defaultdict(list)
    for stop in stops:
        services[(stop[0].source.nom, stop[0].candidate.stop_of or "")].append(stop)
    known = [(p, _group_facts(p.rows)) for p in places]  # before the service records made below
    itinerant = [(p, f) for p, f in known if f.itinerant]
    for (_, label), members in sorted(services.items()):
        members.sort(key=lambda stop: (stop[0].record.get("commune", ""), stop[0].ref))
        phones = frozenset().union(*(r.facts.phones for stop in members for r in stop))
        emails = frozenset().union(*(r.facts.emails for stop in members for r in stop))
        by_name = [p for p, f in itinerant if any(ties(label, r.facts) for r in p.rows)]
        by_contact = [p for p, f in itinerant if f.phones & phones or f.emails & emails]
        target = by_name[0] if len(by_name) == 1 else by_contact[0] if len(by_contact) == 1 else None
        if target is not None:
            target.stops.extend(members)
            continue
        home = [p for p, f in known if f.phones & phones or f.emails & emails]
        places.append(
            Place([r for stop in members for r in stop][:1], members, label, home[0] if home else None)
        )
    return places


def _stop_entry(record: dict) -> dict:
    entry = {
        name: record[name] for name in ("commune", "code_insee", "code_postal", "adresse") if record.get(name)
    }
    if record.get("complement_adresse"):
        entry["adresse"] = f"{record['adresse']} ({record['complement_adresse']})"
    for name in ("latitude", "longitude", "horaires"):
        if record.get(name) is not None:
            entry[name] = record[name]
    return entry


def merge_fields(place: Place) -> dict:
    """The record the rows of ``place`` give together (see the module's rule 3)."""
    rows = place.rows
    best = rows[0].record
    merged: dict[str, Any] = {}
    base = place.home.rows[0].record if place.home is not None else best
    for name in ADDRESS_FIELDS:
        if base.get(name):
            merged[name] = base[name]
    position = next(
        (r.record for r in ([*place.home.rows] if place.home else rows) if r.facts.position), None
    )
    if position is not None:
        merged["latitude"], merged["longitude"] = position["latitude"], position["longitude"]
    for name in import_fields():
        if name in merged or name in ADDRESS_FIELDS or name in {"latitude", "longitude"}:
            continue
        if name in UNION_FIELDS:
            values: list[str] = []
            for row in rows:
                values.extend(v for v in row.record.get(name) or [] if v not in values)
            if values:
                merged[name] = sorted(values, key=ENUMS[name].index) if name in ENUMS else values
        elif name == "x_pass_numerique":
            if any(row.record.get(name) is True for row in rows):
                merged[name] = True
        elif name == "date_maj":
            merged[name] = max(row.record["date_maj"] for row in rows)
        elif name == "source":
            merged[name] = _sources_text(rows)
        elif name == "x_arrets":
            pass
        else:
            value = next(
                (row.record[name] for row in rows if row.record.get(name) not in (None, "", [])), None
            )
            if value is not None:
                merged[name] = value
    if place.stops:
        entries: dict[tuple[str, str], dict] = {}
        for stop in place.stops:
            entry = _stop_entry(stop[0].record)
            entries.setdefault((entry["code_insee"], entry["adresse"]), entry)
        merged["x_arrets"] = sorted(entries.values(), key=lambda e: (e["commune"], e["adresse"]))
        merged["itinerance"] = ["Itinérant"]
        merged["date_maj"] = max(
            [merged["date_maj"], *(r.record["date_maj"] for s in place.stops for r in s)]
        )
        merged["source"] = _sources_text(rows + [r for stop in place.stops for r in stop])
    if place.service is not None:  # a service made of its stops: what one stop says is not the service's
        merged["nom"] = _service_name(best)
        merged["structure_parente"] = place.service
        for name in ("horaires", "presentation_detail", "complement_adresse"):
            merged.pop(name, None)
        if place.home is not None and place.home.rows[0].record.get("complement_adresse"):
            merged["complement_adresse"] = place.home.rows[0].record["complement_adresse"]
    if "telephone" not in merged and "Téléphoner" in merged.get("modalites_acces", []):
        merged["modalites_acces"] = [m for m in merged["modalites_acces"] if m != "Téléphoner"]
    return {name: merged[name] for name in site_fields() if name in merged}


def _service_name(record: dict) -> str:
    """« France Services itinérante de Berlou (MSA DU LANGUEDOC) » → « France Services itinérante (MSA DU LANGUEDOC) »."""
    commune = re.escape(record.get("commune", ""))
    name = re.sub(rf"\s*\b(?:de |d['’])?{commune}\b", "", record["nom"]) if commune else record["nom"]
    return re.sub(r"\s+", " ", name).strip(" -") or record["nom"]


def _sources_text(rows: list[Row]) -> str:
    dates: dict[str, tuple[Row, str]] = {}
    for row in sorted(rows, key=lambda r: r.priority):
        date = row.record.get("date_maj", "")
        if row.source.nom not in dates or date > dates[row.source.nom][1]:
            dates[row.source.nom] = (dates.get(row.source.nom, (row, ""))[0], date)
    return " ; ".join(f"{row.source.titre} ({date})" for row, date in dates.values())


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def consolidate(
    sources: list[SourceDef],
    snapshots: dict[str, Snapshot],
    review: Review,
    state: dict[str, Entry],
    existing: dict[str, dict],
) -> Outcome:
    """What every record built from the sources should become (see the module's docstring)."""
    summary = Summary(snapshots=[(s, snapshots[s.nom]) for s in sources if s.nom in snapshots])
    fields = import_fields()
    rows = rows_of(sources, snapshots)
    groups, pairs = group_rows(rows, review, state)
    places = attach_stops(groups)
    decided = {key: pair for key, pair in review.pairs.items() if pair.decision}
    new_review = Review(pairs=dict(decided), deleted=dict(review.deleted))
    for pair in pairs:
        if pair.refs not in new_review.pairs:
            new_review.pairs[pair.refs] = pair
            summary.new_pairs += pair.refs not in review.pairs
    summary.open_pairs = [p for p in new_review.pairs.values() if not p.decision]

    ref_to_id = {ref: ident for ident, entry in sorted(state.items()) for ref in entry.rows}
    titles = tuple({s.titre for s in sources} | {s.titre for s in DEFAULTS.values()} | set(LEGACY_TITLES))
    linked = set(state)
    unlinked = {ident: rec for ident, rec in existing.items() if ident not in linked}
    taken = set(existing) | set(state) | set(review.deleted)
    records: dict[str, dict] = {}
    owned: dict[str, set[str]] = {}
    new_state: dict[str, Entry] = {}
    assigned: dict[str, Place] = {}
    removed: set[str] = set()
    bases: dict[str, dict] = {}

    for place in sorted(places, key=lambda p: p.refs):
        desired = merge_fields(place)
        ids = sorted({ref_to_id[ref] for ref in place.refs if ref in ref_to_id} - set(assigned))
        ident = next((i for i in ids if i in existing), ids[0] if ids else None)
        if ident is None:
            ident = _adopt(place, desired, unlinked)
            if ident is not None:
                record = unlinked.pop(ident)
                imported = str(record.get("source", "")).startswith(titles)
                bases[ident] = {n: record[n] for n in fields if n in record} if imported else {}
        if ident is None:
            ident = _new_id(desired, taken)
        taken.add(ident)
        assigned[ident] = place
        for other in ids:  # records whose rows are now this place's (a person said « même »)
            if other != ident and other in existing:
                untouched = all(_equal(existing[other].get(n), state[other].written.get(n)) for n in fields)
                if untouched:
                    removed.add(other)
                why = "supprimée" if untouched else "gardée, car modifiée à la main"
                summary.left.append(
                    (other, existing[other].get("nom", ""), f"réunie avec « {ident} » : {why}")
                )
        # Deleted by hand: listed in the review list; a person who takes it off the list wants it back.
        newly_deleted = ident in state and ident not in existing and not state[ident].deleted
        if ident in review.deleted or newly_deleted:
            new_review.deleted.setdefault(ident, "supprimée à la main de data/sites.yaml")
            new_state[ident] = Entry(place.refs, desired, deleted=True)
            summary.deleted.append(ident)
            continue
        base = state[ident].written if ident in state else bases.get(ident, {})
        current = existing.get(ident)
        fields_to_set = _three_way(ident, desired, base, current, summary)
        records[ident] = {"id": ident, **desired}
        owned[ident] = fields_to_set
        new_state[ident] = Entry(place.refs, desired)
        if len(place.refs) > 1:
            summary.merged.append((ident, place.refs))
        if place.stops:
            summary.stops.append((ident, len(desired.get("x_arrets", []))))

    for ident, entry in sorted(state.items()):  # built from sources before, not any more
        if ident not in new_state and ident not in removed:
            new_state[ident] = Entry([], entry.written)
            if ident in existing:
                summary.left.append((ident, existing[ident].get("nom", ""), "n'est plus dans ses sources"))
    for ident, record in sorted(unlinked.items()):  # imported before the import kept a memory
        if str(record.get("source", "")).startswith(titles):
            new_state[ident] = Entry([], {n: record[n] for n in fields if n in record})
            summary.left.append((ident, record.get("nom", ""), "n'est plus dans ses sources"))
    summary.left.sort()
    for ident in removed:
        new_state.pop(ident, None)
    return Outcome(records, removed, owned, new_state, new_review, summary)


def _adopt(place: Place, desired: dict, unlinked: dict[str, dict]) -> str | None:
    """The record of ``data/sites.yaml`` that is this place, made before the import had a memory."""
    best: tuple[float, str] | None = None
    mine = facts("groupe", desired, place.rows[0].facts.kind)
    for ident, record in unlinked.items():
        if record.get("code_insee") != desired.get("code_insee"):
            continue
        theirs = facts(f"fiche:{ident}", record)
        verdict, score, _ = compare(mine, theirs)
        if ident == desired.get("id") and verdict is not Verdict.DIFFERENT:
            verdict, score = Verdict.SAME, score + 10
        if verdict is Verdict.SAME and (best is None or (score, ident) > best):
            best = (score, ident)
    return best[1] if best else None


def _new_id(record: dict, taken: set[str]) -> str:
    wanted = slugify(record["nom"])[:80].strip("-") or "lieu"
    candidate = wanted
    if candidate in taken:
        candidate = f"{wanted}-{slugify(record['commune'])}"[:80].strip("-")
    number = 1
    base = candidate
    while candidate in taken:
        number += 1
        candidate = f"{base[:76]}-{number}"
    return candidate


def _three_way(ident: str, desired: dict, base: dict, current: dict | None, summary: Summary) -> set[str]:
    """Fields the import may set (or remove) on the record; the others were changed by people."""
    name, commune = desired.get("nom", ""), desired.get("commune", "")
    fields = import_fields()
    if current is None:
        summary.added.append(Change(ident, name, commune))
        return set(fields)
    owned: set[str] = set()
    changed: list[str] = []
    for field_name in fields:
        now, before, new = current.get(field_name), base.get(field_name), desired.get(field_name)
        if _equal(now, before):  # untouched since the last import (or absent on both sides)
            owned.add(field_name)
            if not _equal(now, new):
                changed.append(field_name)
        elif new is not None and not _equal(new, before) and not _equal(new, now):
            summary.kept_by_hand.append((ident, field_name))  # a person's value against the source's
    if changed:
        summary.changed.append(Change(ident, current.get("nom", name), commune, changed))
    else:
        summary.unchanged += 1
    return owned
