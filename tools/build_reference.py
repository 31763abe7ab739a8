"""Derive data/reference/ (a département, its communes, EPCI and outline) from open data.

    python tools/build_reference.py --departement 34

Inputs: the npm package ``@etalab/decoupage-administratif`` (installed by
``npm ci``) for the département, its communes and EPCI; the 2018 polygons of the
communes and the outline of the département, ``communes-<code>-*.geojson`` and
``departement-<code>-*.geojson`` in ``--shared`` (described in
``<shared>/README.md``). The outputs are described in ``data/reference/README.md``.
Output is deterministic so that re-running the script on the same inputs gives
byte-identical files (a test checks it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))  # works without the editable install too

from mednum.french import slugify  # noqa: E402
from mednum.geo import haversine_km, point_in_geometry, polygons  # noqa: E402
from mednum.reference import Department  # noqa: E402

DEFAULT_DEPARTEMENT = "34"
DECIMALS = 5  # about 1 m
COMMUNE_TYPES = ("commune-actuelle", "commune-deleguee")  # not communes associées nor arrondissements


def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        sys.exit(f"fichier introuvable : {path}")


def find_one(folder: Path, pattern: str, what: str) -> Path:
    """The only file of ``folder`` matching ``pattern``, or a clear error."""
    matches = sorted(folder.glob(pattern))
    if not matches:
        sys.exit(f"aucun fichier {pattern} dans {folder} ({what}) : voir {folder / 'README.md'}")
    if len(matches) > 1:
        names = ", ".join(m.name for m in matches)
        sys.exit(f"plusieurs fichiers {pattern} dans {folder} ({what}) : {names}")
    return matches[0]


def write_records(path: Path, records: list[dict]) -> None:
    """One record per line: readable diffs when the open data changes."""
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records]
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def normalize_code(code: str) -> str:
    """``2a`` → ``2A``, ``1`` → ``01``."""
    code = code.strip().upper()
    return code.zfill(2) if code.isdigit() and len(code) == 1 else code


# --- planar geometry in degrees (fine for centroids: they are affine-invariant) ---


def ring_area_centroid(ring) -> tuple[float, float, float]:
    """Signed area and centroid (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return area, cx / (6 * area), cy / (6 * area)


def area_centroid(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of the area-weighted centroid; inner rings (holes) count negatively."""
    total = sx = sy = 0.0
    for rings in polygons(geometry):
        for index, ring in enumerate(rings):
            area, cx, cy = ring_area_centroid(ring)
            weight = abs(area) if index == 0 else -abs(area)
            total += weight
            sx += weight * cx
            sy += weight * cy
    return sy / total, sx / total


def interior_point(geometry: dict, lat: float) -> tuple[float, float]:
    """Middle of the widest inside stretch of the parallel ``lat`` (as GEOS's InteriorPoint)."""
    crossings = []
    for rings in polygons(geometry):
        for ring in rings:
            for (x0, y0), (x1, y1) in itertools.pairwise(ring):
                if (y0 > lat) != (y1 > lat):
                    crossings.append(x0 + (lat - y0) * (x1 - x0) / (y1 - y0))
    crossings.sort()
    pairs = zip(crossings[::2], crossings[1::2], strict=True)
    west, east = max(pairs, key=lambda p: p[1] - p[0])
    return lat, (west + east) / 2


def centre(geometry: dict) -> tuple[float, float, bool]:
    """(lat, lon, is_centroid): the area centroid if it is inside, else an interior point."""
    lat, lon = area_centroid(geometry)
    if point_in_geometry(lat, lon, geometry):
        return lat, lon, True
    lat, lon = interior_point(geometry, lat)
    if not point_in_geometry(lat, lon, geometry):
        raise ValueError("no interior point found")
    return lat, lon, False


def radius_km(lat: float, lon: float, geometry: dict) -> float:
    """Distance to the farthest vertex, rounded up to 0.1 km."""
    farthest = max(
        haversine_km(lat, lon, y, x) for rings in polygons(geometry) for ring in rings for x, y in ring
    )
    return math.ceil(round(farthest * 10, 6)) / 10


# --- building the records ---


def former_codes(commune: dict, delegated: list[dict]) -> list[str]:
    """The commune's own code and those of the communes it absorbed (communes nouvelles)."""
    codes = {commune["code"], *commune.get("anciensCodes", [])}
    codes.update(d["code"] for d in delegated if d.get("chefLieu") == commune["code"])
    return sorted(codes)


def merged_geometry(codes: list[str], shapes: dict[str, dict]) -> dict:
    """A MultiPolygon combining the parts: adjacent polygons, not a true union,
    which is enough for a centroid, a radius and point-in-polygon tests."""
    parts = [p for code in codes for p in polygons(shapes[code])]
    return {"type": "MultiPolygon", "coordinates": parts}


def build_communes(
    raw: list[dict], shapes: dict[str, dict], log: list[str], contours: dict[str, dict] | None = None
) -> list[dict]:
    """The commune records; ``contours`` gets each commune's geometry (merged for a commune nouvelle)."""
    current = [c for c in raw if c["type"] == "commune-actuelle"]
    delegated = [c for c in raw if c["type"] == "commune-deleguee"]
    records = []
    for commune in sorted(current, key=lambda c: c["code"]):
        code = commune["code"]
        parts = [c for c in former_codes(commune, delegated) if c in shapes]
        if not parts:
            raise SystemExit(f"{code} {commune['nom']} : aucun polygone 2018, ni de ses anciennes communes")
        if parts == [code]:
            geometry, source = shapes[code], "2018"
        else:
            geometry = merged_geometry(parts, shapes)
            source = "2018, réunion des polygones " + " + ".join(parts)
            log.append(f"{code} {commune['nom']} : {source}")
        if contours is not None:
            contours[code] = geometry
        lat, lon, is_centroid = centre(geometry)
        lat, lon = round(lat, DECIMALS), round(lon, DECIMALS)
        if not point_in_geometry(lat, lon, geometry):
            raise SystemExit(f"{code} {commune['nom']} : le centre arrondi sort du polygone")
        if not is_centroid:
            log.append(f"{code} {commune['nom']} : centroïde hors du polygone, point intérieur")
        records.append(
            {
                "code_insee": code,
                "nom": commune["nom"],
                "slug": slugify(commune["nom"]),
                "codes_postaux": sorted(commune.get("codesPostaux", [])),
                "population": commune.get("population"),
                "epci": None,
                "latitude": lat,
                "longitude": lon,
                "rayon_km": radius_km(lat, lon, geometry),
                "polygone_source": source,
            }
        )
    return records


# --- simplified contours, for the maps drawn at build time (mednum.svgmap) ---

CONTOUR_TOLERANCE_KM = 0.1  # Douglas-Peucker: about a pixel of a département map 1,000 px wide
CONTOUR_DECIMALS = 4  # about 10 m


def simplify_ring(ring: list, tolerance: float, cos_lat: float) -> list:
    """Douglas-Peucker on one closed ring, distances in degrees of latitude (longitudes scaled)."""
    points = [(x * cos_lat, y) for x, y in ring]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, index = -1.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            d = (
                abs(dy * px - dx * py + bx * ay - by * ax) / length
                if length
                else math.hypot(px - ax, py - ay)
            )
            if d > farthest:
                farthest, index = d, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [
        [round(x, CONTOUR_DECIMALS), round(y, CONTOUR_DECIMALS)]
        for (x, y), kept in zip(ring, keep, strict=True)
        if kept
    ]


def simplify(geometry: dict) -> dict:
    """A MultiPolygon of the simplified rings; rings reduced to less than a triangle are dropped."""
    tolerance = CONTOUR_TOLERANCE_KM / 111.2
    ys = [y for rings in polygons(geometry) for ring in rings for _, y in ring]
    cos_lat = math.cos(math.radians((min(ys) + max(ys)) / 2))
    parts = []
    for outer, *holes in polygons(geometry):
        shape = simplify_ring(outer, tolerance, cos_lat)
        if len(shape) >= 4:  # a polygon smaller than the tolerance goes, with its holes
            kept = (simplify_ring(hole, tolerance, cos_lat) for hole in holes)
            parts.append([shape, *(h for h in kept if len(h) >= 4)])
    return {"type": "MultiPolygon", "coordinates": parts}


def write_contours(path: Path, contours: dict[str, dict]) -> None:
    """communes.geojson: one Feature a line (property code_insee), in code order."""
    features = [
        json.dumps(
            {"type": "Feature", "properties": {"code_insee": code}, "geometry": simplify(contours[code])},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        for code in sorted(contours)
    ]
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n", encoding="utf-8"
    )


def short_name(name: str, kind: str) -> str:
    """``CC du Grand Pic Saint-Loup`` → ``Grand Pic Saint-Loup``."""
    short = name.removeprefix(f"{kind} ")
    short = short.split(" Communauté de Communes")[0]
    for article in ("du ", "de ", "des "):
        short = short.removeprefix(article)
    return short[:1].upper() + short[1:]


def build_department(raw: list[dict], code: str) -> dict:
    """The record of ``departement.json``."""
    for row in raw:
        if row["code"] == code:
            return {
                "code": row["code"],
                "nom": row["nom"],
                "type_liaison": row["typeLiaison"],
                "chef_lieu": row["chefLieu"],
            }
    known = ", ".join(row["code"] for row in raw)
    sys.exit(f"département {code} inconnu (codes connus : {known})")


def in_department(code_insee: str, department: Department) -> bool:
    # INSEE codes start with the département's code: 34172, 2A004, 97105.
    return code_insee.startswith(department.code)


def build_epcis(raw: list[dict], communes: list[dict], department: Department, log: list[str]) -> list[dict]:
    """The EPCI having at least one member in the département, with only those members."""
    by_code = {c["code_insee"]: c for c in communes}
    records = []
    for epci in raw:
        if not any(in_department(m["code"], department) for m in epci["membres"]):
            continue
        members = sorted(m["code"] for m in epci["membres"] if m["code"] in by_code)
        for m in epci["membres"]:
            if in_department(m["code"], department) and m["code"] not in by_code:
                log.append(f"EPCI {epci['nom']} : membre {m['code']} inconnu")
        for code in members:
            if by_code[code]["epci"] is not None:
                log.append(f"{code} : membre de deux EPCI ({by_code[code]['epci']}, {epci['code']})")
            by_code[code]["epci"] = epci["code"]
        records.append(
            {
                "code": epci["code"],
                "nom": epci["nom"],
                "nom_court": short_name(epci["nom"], epci["type"]),
                "type": epci["type"],
                "slug": slugify(epci["nom"]),
                "communes": members,
                "population": sum(by_code[c]["population"] or 0 for c in members),
            }
        )
    log.extend(f"{c['code_insee']} {c['nom']} : sans EPCI" for c in communes if c["epci"] is None)
    return sorted(records, key=lambda e: (slugify(e["nom"]), e["code"]))


def round_coordinates(value):
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list):
        return [round_coordinates(v) for v in value]
    return value


def build_outline(raw: dict, department: Department) -> dict:
    # The source (about 1,500 vertices, 30 kB for a département) is already simplified
    # by france-geojson: simplifying more would cost accuracy along the coast.
    geometry = raw["geometry"] if raw.get("type") == "Feature" else raw
    return {
        "type": "Feature",
        "properties": {"code": department.code, "nom": department.name},
        "geometry": {
            "type": geometry["type"],
            "coordinates": round_coordinates(geometry["coordinates"]),
        },
    }


def check(
    communes: list[dict], epcis: list[dict], outline: dict, department: Department, log: list[str]
) -> list[str]:
    errors = []
    for kind, records in (("commune", communes), ("EPCI", epcis)):
        slugs = [r["slug"] for r in records]
        errors += [f"slug de {kind} en double : {s}" for s in sorted(set(slugs)) if slugs.count(s) > 1]
    for c in communes:
        if not point_in_geometry(c["latitude"], c["longitude"], outline["geometry"]):
            errors.append(f"{c['code_insee']} {c['nom']} : centre hors du contour {department.of}")
    errors += [line for line in log if "deux EPCI" in line or "inconnu" in line]
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--departement", default=DEFAULT_DEPARTEMENT, help="code INSEE du département (34, 30, 2A, 971…)"
    )
    parser.add_argument(
        "--decoupage",
        type=Path,
        default=ROOT / "node_modules" / "@etalab" / "decoupage-administratif" / "data",
        help="dossier data/ du paquet npm @etalab/decoupage-administratif (installé par « npm ci »)",
    )
    parser.add_argument(
        "--shared", type=Path, default=ROOT.parent / "shared" / "data", help="dossier des polygones"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "data" / "reference")
    args = parser.parse_args(argv)

    code = normalize_code(args.departement)
    if not args.decoupage.is_dir():
        sys.exit(
            f"{args.decoupage} introuvable : installer le paquet @etalab/decoupage-administratif "
            "avec « npm ci » ou indiquer son dossier data/ avec --decoupage"
        )
    identity = build_department(read_json(args.decoupage / "departements.json"), code)
    department = Department(code, identity["nom"], identity["type_liaison"])
    communes_file = find_one(args.shared, f"communes-{code}-*.geojson", "polygones des communes")
    outline_file = find_one(args.shared, f"departement-{code}-*.geojson", "contour du département")

    raw = [
        c
        for c in read_json(args.decoupage / "communes.json")
        if c.get("departement") == code and c["type"] in COMMUNE_TYPES
    ]
    shapes_raw = read_json(communes_file)
    shapes = {f["properties"]["code"]: f["geometry"] for f in shapes_raw["features"]}
    log: list[str] = []
    contours: dict[str, dict] = {}
    communes = build_communes(raw, shapes, log, contours)
    epcis = build_epcis(read_json(args.decoupage / "epci.json"), communes, department, log)
    outline = build_outline(read_json(outline_file), department)

    errors = check(communes, epcis, outline, department, log)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    args.output.mkdir(parents=True, exist_ok=True)
    write_records(args.output / "communes.json", communes)
    write_records(args.output / "epci.json", epcis)
    text = json.dumps(identity, ensure_ascii=False, sort_keys=True)
    (args.output / "departement.json").write_text(text + "\n", encoding="utf-8")
    text = json.dumps(outline, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (args.output / "departement.geojson").write_text(text + "\n", encoding="utf-8")
    write_contours(args.output / "communes.geojson", contours)

    print(f"{department.with_article} ({code}) : {len(communes)} communes, {len(epcis)} EPCI → {args.output}")
    print("\n".join(log) if log else "aucun cas particulier")
    return 0


if __name__ == "__main__":
    sys.exit(main())
