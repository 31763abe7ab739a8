"""Static SVG maps of the communes, made at build time: no JavaScript, no tiles, readable in print.

A map shades each commune by a class (a distance to help, for instance). Classes are told apart
three ways, so that the map reads for people who do not see colours and on a grey-scale printer:
a colour on a scale of growing darkness (ColorBrewer's « YlOrBr », colour-blind safe), a pattern
(none, dots, then lines that get denser) and a label in the legend, drawn with the same
swatches. The map is an image with a text alternative (``<title>``, ``<desc>``); the page
that shows it gives the same figures in a table.

Coordinates: an equirectangular projection around the département's centre (longitudes scaled
by the cosine of its latitude), whole units on a frame WIDTH units wide, each ring written as
relative moves: a commune map of a département weighs some 20–40 KB gzipped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from .geo import polygons

WIDTH = 1000  # units of the frame; the page scales the picture to its column


@dataclass(frozen=True)
class MapClass:
    """One class of the legend: its label, fill colour and pattern (``PATTERNS``)."""

    label: str
    colour: str
    pattern: str


# Patterns drawn over the colour, in the order of growing need: dark ink on the light colours,
# white ink on the two darkest, so that the pattern shows on each.
PATTERNS = {
    "plein": "",
    "points": '<circle cx="4" cy="4" r="1.1" fill="#333"/>',
    "traits": '<path d="M0 8L8 0" stroke="#333" stroke-width="0.9"/>',
    "traits-serres": '<path d="M0 4L4 0M0 8L8 0M4 8L8 4" stroke="#333" stroke-width="0.9"/>',
    "quadrillage": '<path d="M0 8L8 0M0 0L8 8" stroke="#fff" stroke-width="1"/>',
    "quadrillage-serre": (
        '<path d="M0 4L4 0M0 8L8 0M4 8L8 4M0 0L8 8M0 4L4 8M4 0L8 4" stroke="#fff" stroke-width="0.9"/>'
    ),
}

# Six classes from « help in the commune » to « far from any help » (YlOrBr, 6 classes).
SCALE = ("#ffffd4", "#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404")


@dataclass(frozen=True)
class Frame:
    """The projection of one territory onto the frame."""

    lon0: float
    lat_top: float
    scale: float  # units per degree of latitude
    cos_lat: float
    height: int

    @classmethod
    def around(cls, geometries: Iterable[dict], width: int = WIDTH) -> Frame:
        points = [(x, y) for g in geometries for rings in polygons(g) for ring in rings for x, y in ring]
        if not points:
            raise ValueError("aucun contour à dessiner")
        west, east = min(x for x, _ in points), max(x for x, _ in points)
        south, north = min(y for _, y in points), max(y for _, y in points)
        cos_lat = math.cos(math.radians((north + south) / 2))
        scale = width / ((east - west) * cos_lat)
        return cls(west, north, scale, cos_lat, math.ceil((north - south) * scale))

    def point(self, lon: float, lat: float) -> tuple[int, int]:
        return round((lon - self.lon0) * self.cos_lat * self.scale), round((self.lat_top - lat) * self.scale)


def path_data(geometry: dict, frame: Frame) -> str:
    """``M x y l dx dy … z`` for each ring, repeated points dropped (the projection merges them)."""
    parts = []
    for rings in polygons(geometry):
        for ring in rings:
            points = [frame.point(x, y) for x, y in ring]
            kept = [points[0]]
            for p in points[1:]:
                if p != kept[-1]:
                    kept.append(p)
            if len(kept) < 3:
                continue  # smaller than a unit: nothing to see
            moves = " ".join(f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in itertools.pairwise(kept))
            parts.append(f"M{kept[0][0]} {kept[0][1]}l{moves}z")
    return "".join(parts).replace(" -", "-")


def swatch_defs(classes: Sequence[MapClass], prefix: str) -> str:
    """One ``<pattern>`` per class: its colour, then its pattern on top."""
    defs = []
    for index, item in enumerate(classes):
        defs.append(
            f'<pattern id="{prefix}{index}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<rect width="8" height="8" fill="{item.colour}"/>{PATTERNS[item.pattern]}</pattern>'
        )
    return "".join(defs)


def choropleth(
    title: str,
    description: str,
    contours: Mapping[str, dict],
    class_of: Mapping[str, int],
    names: Mapping[str, str],
    classes: Sequence[MapClass],
    prefix: str = "c",
    outline: dict | None = None,
) -> str:
    """An SVG map of ``contours`` (code → geometry), each filled by its class (``class_of``).

    ``prefix`` makes the patterns' ids unique when a page shows several maps. Each commune has
    its name as ``<title>`` (a tooltip for mouse users; the map is one image for screen readers:
    its title and description, and the table beside it).
    """
    frame = Frame.around(contours.values())
    groups: dict[int, list[str]] = {}
    for code in sorted(contours):
        index = class_of[code]
        name = escape(names.get(code, code))
        groups.setdefault(index, []).append(
            f'<path d="{path_data(contours[code], frame)}"><title>{name}</title></path>'
        )
    body = "".join(
        f'<g fill="url(#{prefix}{index})">{"".join(paths)}</g>' for index, paths in sorted(groups.items())
    )
    border = (
        f'<path d="{path_data(outline, frame)}" fill="none" stroke="#000" stroke-width="2"/>'
        if outline
        else ""
    )
    ident = f"{prefix}-titre"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {frame.height}" role="img" '
        f'aria-labelledby="{ident} {prefix}-desc" class="mn-svgmap">'
        f'<title id="{ident}">{escape(title)}</title><desc id="{prefix}-desc">{escape(description)}</desc>'
        f"<defs>{swatch_defs(classes, prefix)}</defs>"
        f'<g stroke="#fff" stroke-width="0.6" stroke-linejoin="round">{body}</g>{border}</svg>'
    )


def legend(classes: Sequence[MapClass], counts: Sequence[str], prefix: str = "c") -> str:
    """The legend as an HTML list: each class's swatch (same colour and pattern) and label."""
    items = []
    for index, (item, count) in enumerate(zip(classes, counts, strict=True)):
        items.append(
            f'<li><svg class="mn-swatch" viewBox="0 0 24 16" width="24" height="16" aria-hidden="true" '
            f'focusable="false"><defs>{swatch_defs([item], f"{prefix}l{index}-")}</defs>'
            f'<rect width="24" height="16" fill="url(#{prefix}l{index}-0)" stroke="#333"/></svg> '
            f"{escape(item.label)}{f' : {escape(count)}' if count else ''}</li>"
        )
    return '<ul class="mn-legend">' + "".join(items) + "</ul>"
