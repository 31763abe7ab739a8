"""A key per page of the plan: what it is rendered from, so the next build can take it back.

A page is a function of its template (with the whole theme, the plugin's code, the settings,
the reference data and the build date: the *environment*, one key for all pages) and of what
the plan gives it (``Page``: address, title, breadcrumbs and context). Templates read nothing
else of the catalogue (``tests/test_incremental.py`` rebuilds after changes of every kind and
compares with a clean build, byte for byte), so two builds that give a page the same key write
the same bytes, and the second one can copy the page instead of rendering it.

The digest walks the context's values: model objects (dataclasses) field by field, lists,
dicts, sets, dates. Objects reached from several pages (a place in its commune's page, its
territory's, the nearest-places lists) are digested once per build. A place and its workshops
point at each other: a reference back to an object being digested stands for it by its depth,
and a digest made under such a reference is not remembered, since it depends on where the walk
came from. A value of an unknown kind gives no key: the page is always rendered.

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
import struct
from pathlib import PurePath
from typing import Any

_ATOMS = (str, int, float, bool, type(None), bytes, dt.date, dt.time, dt.timedelta, PurePath, enum.Enum)
# The exact types met most (a set lookup is cheaper than isinstance over the tuple above).
_PLAIN = frozenset({int, float, bool, type(None), dt.date, dt.datetime, dt.time})
NOT_RENDERED = {"mednum.pagekeys.not_rendered": True}  # a dataclass field's metadata


class NoKey(Exception):
    """A value the digest cannot read safely (the page is rendered every time)."""


class Digester:
    """Digests of values for one build; remembers those of shared objects by identity."""

    def __init__(self) -> None:
        self._memo: dict[int, bytes] = {}
        self._keep: list[Any] = []  # the objects remembered, so that their ids stay theirs
        self._open: dict[int, int] = {}  # objects being digested → their depth

    def key(self, environment: str, value: Any) -> str | None:
        """The key of ``value`` (a page, or what a calendar is made from) in ``environment``;
        None when it holds a value the digest cannot read."""
        try:
            digest, _ = self._digest(value, 0)
        except (NoKey, RecursionError):
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
        key = id(value)
        if key in self._memo:
            return self._memo[key], _NONE
        if key in self._open:
            return _hash([b"back", str(depth - self._open[key]).encode()]), self._open[key]
        self._open[key] = depth
        try:
            parts, lowest = self._parts(value, depth + 1)
        finally:
            del self._open[key]
        digest = _hash(parts)
        if lowest >= depth:  # refers to nothing outside itself: the same wherever it is reached
            self._memo[key] = digest
            self._keep.append(value)
            lowest = _NONE
        return digest, lowest

    def _parts(self, value: Any, depth: int) -> tuple[list[bytes], int]:
        """The digests a value is made of, its type's first: a dataclass's fields (their names
        are in its type's part), a dict's keys and values, a sequence's items."""
        kind = type(value)
        if isinstance(value, dict):
            values = [item for pair in value.items() for item in pair]
        elif isinstance(value, (list, tuple)):
            values = value
        elif isinstance(value, (set, frozenset)):
            return self._unordered(value, depth)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            values = [getattr(value, name) for name in _field_names(kind)]
        else:
            raise NoKey(kind.__qualname__)
        parts, lowest = [_type_part(kind)], _NONE
        for item in values:
            digest, low = self._digest(item, depth)
            parts.append(digest)
            if low < lowest:
                lowest = low
        return parts, lowest

    def _unordered(self, value, depth: int) -> tuple[list[bytes], int]:
        found = [self._digest(item, depth) for item in value]
        parts = [_type_part(type(value)), *sorted(d for d, _ in found)]
        return parts, min((low for _, low in found), default=_NONE)


_NONE = 1 << 30


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
