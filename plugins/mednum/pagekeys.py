"""A key per page of the plan: what it is rendered from, so the next build can take it back.

A page is a function of its template (with the whole theme, the plugin's code, the settings,
the reference data and the build date: the *environment*, one key for all pages) and of what
the plan gives it (``Page``: address, title, breadcrumbs and context). Templates read nothing
else of the catalogue (``tests/test_incremental.py`` rebuilds after changes of every kind and
compares with a clean build, byte for byte), so two builds that give a page the same key write
the same bytes, and the second one can copy the page instead of rendering it.

The digest walks the context's values: model objects (dataclasses) field by field, lists,
dicts, sets, dates. Objects reached from several pages (a place in its commune's page, its
territory's, the nearest-places lists) are digested once per build. A value of an unknown kind
gives no key: the page is always rendered.

A place and its workshops point at each other (a cycle). A reference back to an object being
digested stands for it by its depth, so an object's digest is that of the walk that starts
from it. A digest made under such a reference depends on where the walk came from and is not
remembered; once the walk is back at the object where the cycle closes, the objects of the
cycle are known (``_cycle``), and a walk that enters the cycle again digests its objects from
there instead of taking their remembered digests. A page's key is thus the same whichever
pages were digested before it in its process: a page added moves half the pages to the other
rendering process, and their keys must not change for that.

Digests made by another process forked from this one can be taken over (``Known``): the
build digests the catalogue's objects in a process of its own while it plans the pages, and
each rendering process starts from those digests instead of walking the catalogue again (half
of a page's key at national size). The plan reads the catalogue and never changes it
(``tests/test_render.py`` checks it), so they are still its objects' digests once it is done.

Short tuples, lists and records of texts, numbers and booleans only (breadcrumbs, a map's
points, search filters: new objects on every page) are written out as texts are, neither hashed
nor remembered; an object remembered is taken without a call. Keys of half the national pages:
3.35 s, against 3.68 s.

A model field marked NOT_RENDERED (where a record is in its file, which only the messages and
the freshness report's own rows give) is left out: a line added above a record would otherwise
re-render the pages of every record below it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import operator
import struct
from pathlib import PurePath
from typing import Any

_ATOMS = (str, int, float, bool, type(None), bytes, dt.date, dt.time, dt.timedelta, PurePath, enum.Enum)
# The exact types met most (a set lookup is cheaper than isinstance over the tuple above).
_PLAIN = frozenset({int, float, bool, type(None), dt.date, dt.datetime, dt.time})
_PLAIN_PREFIX = {kind: kind.__name__.encode() + b":" for kind in _PLAIN}  # as _digest writes them
# Values whose repr() tells them apart from any other value of these types ('1', 1, 1.0, True,
# None): a short tuple, list or dataclass of them only is written out, not walked. (Dates are
# left out: their repr costs more than the digests remembered of the sessions that hold them.)
_FLAT = frozenset({str, int, float, bool, type(None)})
_FLAT_MOST = 16  # longer containers are walked (a set of their types would cost more)
NOT_RENDERED = {"mednum.pagekeys.not_rendered": True}  # a dataclass field's metadata


class NoKey(Exception):
    """A value the digest cannot read safely (the page is rendered every time)."""


@dataclasses.dataclass(frozen=True)
class Known:
    """Digests of model objects (by id) and the cycles they are in, made by a ``Digester`` in
    another process (``Digester.known``). Ids name the same objects in a process forked from
    the one that holds them: these digests are good there for as long as the objects are
    alive and unchanged."""

    digests: dict[int, bytes]
    cycles: dict[int, int]


class Digester:
    """Digests of values for one build; remembers those of shared objects by identity.
    ``known``: digests made by another process of objects this one shares with it."""

    def __init__(self, known: Known | None = None) -> None:
        self._memo: dict[int, bytes] = dict(known.digests) if known else {}
        self._keep: list[Any] = []  # the objects remembered, so that their ids stay theirs
        self._open: dict[int, int] = {}  # objects being digested → their depth
        # Objects digested under a reference back to an open one, not yet in a known cycle.
        self._pending: list[Any] = []
        self._cycle: dict[int, int] = dict(known.cycles) if known else {}  # object → its cycle
        self._open_cycles: dict[int, int] = {}  # cycle → how many of its objects are open

    def remember(self, values: list) -> None:
        """Digest ``values`` (and what they hold) to have them at hand (``known``)."""
        for value in values:
            self.key("", value)

    def known(self) -> Known:
        """The digests of the model objects (dataclasses) remembered, and the cycles: what a
        page's key reads of the catalogue. The containers inside them (a record's fields) are
        left out: a page reaches them through their object, whose digest stands for them."""
        digests = {}
        for value in self._keep:
            digest = self._memo.get(id(value))
            if digest is not None and _category(type(value)) is _DATACLASS:
                digests[id(value)] = digest
        return Known(digests, dict(self._cycle))

    def key(self, environment: str, value: Any) -> str | None:
        """The key of ``value`` (a page, or what a calendar is made from) in ``environment``;
        None when it holds a value the digest cannot read."""
        try:
            digest, _ = self._digest(value, 0)
        except (NoKey, RecursionError):
            self._pending.clear()  # the open objects and cycles are closed by _digest's finally
            return None
        return hashlib.blake2b(environment.encode() + b"\0" + digest, digest_size=20).hexdigest()

    def _digest(self, value: Any, depth: int) -> tuple[bytes, int]:
        """(digest, depth of the outermost open object it refers back to; large if none)."""
        kind = type(value)
        if kind is str:  # most values: written out, not hashed
            return b"str:" + value.encode("utf-8", "surrogatepass"), _NONE
        if kind in _PLAIN or isinstance(value, _ATOMS):
            # The type's name and repr tell 1 from "1" from True, dates from datetimes, Markup
            # (a str) from str.
            return kind.__name__.encode() + b":" + repr(value).encode(), _NONE
        written = _written_out(kind, value)
        if written is not None:
            return written, _NONE
        key = id(value)
        opened = self._open.get(key)
        if opened is not None:
            return _hash([b"back", str(depth - opened).encode()]), opened
        known = self._memo.get(key)
        cycle = self._cycle.get(key)
        if known is not None and (cycle is None or cycle not in self._open_cycles):
            return known, _NONE
        # Not digested yet, or an object of a cycle being walked: digested from here.
        self._open[key] = depth
        if cycle is not None:
            self._open_cycles[cycle] = self._open_cycles.get(cycle, 0) + 1
        pending = len(self._pending)
        try:
            parts, lowest = self._parts(value, depth + 1)
        finally:
            del self._open[key]
            if cycle is not None:
                left = self._open_cycles.pop(cycle) - 1
                if left:
                    self._open_cycles[cycle] = left
        digest = _hash(parts)
        if lowest < depth:  # depends on where the walk came from
            self._pending.append(value)
            return digest, lowest
        # Refers to nothing outside itself: the same wherever it is reached.
        if known is None:
            self._memo[key] = digest
            self._keep.append(value)
        members = self._pending[pending:]
        if members:  # they all lead back here: this object and they are a cycle
            del self._pending[pending:]
            cycle = key if cycle is None else cycle
            self._cycle[key] = cycle
            for member in members:
                self._cycle[id(member)] = cycle
            self._keep.extend(members)
        return digest, _NONE

    def _parts(self, value: Any, depth: int) -> tuple[list[bytes], int]:
        """The digests a value is made of, its type's first: a dataclass's fields (their names
        are in its type's part), a dict's keys and values, a sequence's items."""
        kind = type(value)
        category = _category(kind)
        if category is _MAPPING:
            values = [item for pair in value.items() for item in pair]
        elif category is _SEQUENCE:
            values = value
        elif category is _SET:
            return self._unordered(value, depth)
        else:
            values = _fields(kind)(value)
        parts, lowest = [_type_part(kind)], _NONE
        append, digest_of = parts.append, self._digest
        remembered, cycles = self._memo.get, self._cycle
        for item in values:
            # Strings and numbers, most items, written here: a call less each.
            kind = type(item)
            if kind is str:
                append(b"str:" + item.encode("utf-8", "surrogatepass"))
                continue
            prefix = _PLAIN_PREFIX.get(kind)
            if prefix is not None:
                append(prefix + repr(item).encode())
                continue
            # An object digested before, outside any cycle (most places, communes, sessions):
            # what _digest would return, without the call. Such an object is never open.
            known = remembered(id(item))
            if known is not None and id(item) not in cycles:
                append(known)
                continue
            digest, low = digest_of(item, depth)
            append(digest)
            if low < lowest:
                lowest = low
        return parts, lowest

    def _unordered(self, value, depth: int) -> tuple[list[bytes], int]:
        found = [self._digest(item, depth) for item in value]
        parts = [_type_part(type(value)), *sorted(d for d, _ in found)]
        return parts, min((low for _, low in found), default=_NONE)


_NONE = 1 << 30


# How a container is read, by its type (``_category``).
_SEQUENCE, _MAPPING, _SET, _DATACLASS = "sequence", "mapping", "set", "dataclass"


@functools.cache
def _category(kind: type) -> str:
    """How values of ``kind`` (not an atom) are read; NoKey if they cannot be."""
    if issubclass(kind, dict):
        return _MAPPING
    if issubclass(kind, (list, tuple)):
        return _SEQUENCE
    if issubclass(kind, (set, frozenset)):
        return _SET
    if dataclasses.is_dataclass(kind):  # a dataclass's value; a dataclass itself is a type
        return _DATACLASS
    raise NoKey(kind.__qualname__)


@functools.cache
def _flat_getter(kind: type):
    """For the written-out form of short containers of ``_FLAT`` values: ``_ITSELF`` for a tuple
    or a list, the fields' getter for a dataclass of up to _FLAT_MOST fields; else None."""
    if kind is tuple or kind is list:
        return _ITSELF
    if isinstance(kind, type) and dataclasses.is_dataclass(kind) and len(_field_names(kind)) <= _FLAT_MOST:
        return _fields(kind)
    return None


_ITSELF = object()  # _flat_getter's answer for a tuple or a list: its items are the value's own


def _written_out(kind: type, value: Any) -> bytes | None:
    """The digest of a short sequence or record of texts, numbers and booleans only (a
    breadcrumb, a map's point, a search filter): the value written out, as texts are; None for
    any other value. Such a value refers to nothing, and is never remembered: ``_parts`` takes
    what is remembered without asking whether it could be written out."""
    getter = _flat_getter(kind)
    if getter is None:
        return None
    items = value if getter is _ITSELF else getter(value)
    if len(items) <= _FLAT_MOST and _FLAT.issuperset(map(type, items)):
        return _type_part(kind) + b"\0" + repr(items).encode("utf-8", "surrogatepass")
    return None


@functools.cache
def _fields(kind: type):
    """A function giving the rendered fields' values of a ``kind`` value, as a tuple."""
    names = _field_names(kind)
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:
        return lambda value: (getattr(value, names[0]),)
    return lambda value: ()


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(
        f.name for f in dataclasses.fields(kind) if not f.metadata.get("mednum.pagekeys.not_rendered")
    )


@functools.cache
def _type_part(kind: type) -> bytes:
    """A container's type, and a dataclass's field names (the same for all its values)."""
    names = _field_names(kind) if dataclasses.is_dataclass(kind) else ()
    return "\0".join((kind.__module__, kind.__qualname__, *names)).encode()


def _hash(parts: list[bytes]) -> bytes:
    """One digest of ``parts``, told apart by their count and lengths (b"ab", b"c" is not
    b"a", b"bc")."""
    lengths = struct.pack(f">{len(parts) + 1}Q", len(parts), *map(len, parts))
    return hashlib.blake2b(lengths + b"".join(parts), digest_size=20).digest()
