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
from pathlib import PurePath
from typing import Any

_ATOMS = (str, int, float, bool, type(None), bytes, dt.date, dt.time, dt.timedelta, PurePath)
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
        if isinstance(value, (*_ATOMS, enum.Enum)):
            # Written out, not hashed (most values are small). str includes Markup; the type's
            # name and repr tell 1 from "1" from True, dates from datetimes.
            return type(value).__name__.encode() + b":" + repr(value).encode(), _NONE
        key = id(value)
        if key in self._memo:
            return self._memo[key], _NONE
        if key in self._open:
            return _hash(b"back", str(depth - self._open[key]).encode()), self._open[key]
        self._open[key] = depth
        try:
            parts, lowest = self._parts(value, depth + 1)
        finally:
            del self._open[key]
        digest = _hash(type(value).__qualname__.encode(), *parts)
        if lowest >= depth:  # refers to nothing outside itself: the same wherever it is reached
            self._memo[key] = digest
            self._keep.append(value)
            lowest = _NONE
        return digest, lowest

    def _parts(self, value: Any, depth: int) -> tuple[list[bytes], int]:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = _field_names(type(value))
            items: list[tuple[Any, Any]] = [(name, getattr(value, name)) for name in names]
        elif isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, (list, tuple)):
            items = list(enumerate(value))
        elif isinstance(value, (set, frozenset)):
            return self._unordered(value, depth)
        else:
            raise NoKey(type(value).__qualname__)
        parts, lowest = [], _NONE
        for name, item in items:
            named, low_name = self._digest(name, depth)
            digest, low = self._digest(item, depth)
            parts += [named, digest]
            lowest = min(lowest, low, low_name)
        return parts, lowest

    def _unordered(self, value, depth: int) -> tuple[list[bytes], int]:
        found = [self._digest(item, depth) for item in value]
        return sorted(d for d, _ in found), min((low for _, low in found), default=_NONE)


_NONE = 1 << 30


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(
        f.name for f in dataclasses.fields(kind) if not f.metadata.get("mednum.pagekeys.not_rendered")
    )


def _hash(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()
