"""Routing is data: category + area → unit, edited by the admin. The most specific matching rule wins."""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

from server.lib.geo import distance_m  # noqa: F401 (routing.distance_m, as the tests read it)
from server.lib.vn_text import fold
from server.reports.tables import Area, Category, RoutingRule

# Limits on an area the admin draws: enough for a commune's boundary traced by hand or imported, small
# enough that routing every report through every area stays cheap and no one stores a megabyte of JSON.
MAX_GEOJSON_CHARS = 200_000
MAX_POSITIONS = 1_000
MAX_RINGS = 50

Ring = list[tuple[float, float]]  # [(lat, lon), ...], closed (first == last) for GeoJSON input
# A geometry for routing: polygons, each an outer ring then its holes.
Geometry = list[list[Ring]]


class AreaError(ValueError):
    """An area's geometry is not acceptable; `code` says why (the admin sees a localised message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _position(value: Any) -> tuple[float, float]:
    """A GeoJSON position [longitude, latitude] → (lat, lon), refusing anything that is not a real place."""
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise AreaError("position_invalid")
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in value):
        raise AreaError("position_invalid")
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise AreaError("coordinates_out_of_range")
    return lat, lon


def _segments_cross(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float],
                    d: tuple[float, float]) -> bool:
    """Whether segments ab and cd properly cross (touching at a shared end does not count)."""
    def orient(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    d1, d2, d3, d4 = orient(c, d, a), orient(c, d, b), orient(a, b, c), orient(a, b, d)
    return ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4))


def _ring(value: Any, strict: bool = True) -> Ring:
    if not isinstance(value, list):
        raise AreaError("ring_invalid")
    points = [_position(p) for p in value]
    if len(points) < 4:
        raise AreaError("ring_too_short")  # a triangle is 3 points plus the closing one
    if points[0] != points[-1]:
        raise AreaError("ring_not_closed")
    distinct = {p for p in points}
    if len(distinct) < 3:
        raise AreaError("ring_too_short")
    if not strict:
        return points
    if abs(_signed_area(points)) < 1e-12:
        raise AreaError("ring_degenerate")
    edges = list(itertools.pairwise(points))
    for i, (a, b) in enumerate(edges):
        for j in range(i + 2, len(edges)):
            if i == 0 and j == len(edges) - 1:
                continue  # the first and last edges meet at the closing point
            if _segments_cross(a, b, *edges[j]):
                raise AreaError("ring_self_intersects")
    return points


def _signed_area(points: Ring) -> float:
    return sum(p[1] * q[0] - q[1] * p[0] for p, q in itertools.pairwise(points)) / 2


def _polygon(value: Any, strict: bool = True) -> list[Ring]:
    if not isinstance(value, list) or not value:
        raise AreaError("polygon_invalid")
    rings = [_ring(r, strict) for r in value]
    if not strict:
        return rings
    outer = rings[0]
    for hole in rings[1:]:
        if not all(point_in_ring(lat, lon, outer) for lat, lon in hole[:-1]):
            raise AreaError("hole_outside")
    return rings


def validate_geometry(text: str, strict: bool = True) -> tuple[str, Geometry]:
    """Check the admin's GeoJSON (a Polygon or MultiPolygon geometry, a Feature of one, or a FeatureCollection
    of exactly one) and return it normalised (the bare geometry, compact) with its rings for routing.

    Refused: not JSON, another type, a position that is not [longitude, latitude] within range, a ring
    that is not closed, has fewer than 3 distinct points, no area or crosses itself, a hole outside its
    polygon, and anything over the limits above. An empty text is an empty geometry. `strict=False` (reading
    what was validated when saved, on every routing) skips the quadratic crossing check.
    """
    text = (text or "").strip()
    if not text:
        return "", []
    if len(text) > MAX_GEOJSON_CHARS:
        raise AreaError("too_large")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise AreaError("not_json") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise AreaError("one_feature")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise AreaError("not_polygon")
    coordinates = data.get("coordinates")
    polygons_in = [coordinates] if data["type"] == "Polygon" else coordinates
    if not isinstance(polygons_in, list) or not polygons_in:
        raise AreaError("polygon_invalid")
    count = 0
    for polygon in polygons_in:
        if not isinstance(polygon, list):
            raise AreaError("polygon_invalid")
        count += len(polygon)
        if count > MAX_RINGS:
            raise AreaError("too_large")
        if sum(len(r) if isinstance(r, list) else 0 for r in polygon) > MAX_POSITIONS:
            raise AreaError("too_large")
    geometry = [_polygon(p, strict) for p in polygons_in]
    if sum(len(r) for p in geometry for r in p) > MAX_POSITIONS:
        raise AreaError("too_large")
    normal = {"type": data["type"], "coordinates": coordinates}
    return json.dumps(normal, separators=(",", ":")), geometry


def parse_polygon(text: str) -> Geometry:
    """The stored geometry for routing: GeoJSON (validated when saved), or the older list of [lat, lon] points."""
    if not (text or "").strip():
        return []
    data = json.loads(text)
    if isinstance(data, dict):
        return validate_geometry(text, strict=False)[1]
    points = [(float(p[0]), float(p[1])) for p in data]
    return [[points]] if points else []


def point_in_ring(lat: float, lon: float, ring: Ring) -> bool:
    """Ray casting on (lat, lon) points; the ring may or may not repeat its first point."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (xi > lon) != (xj > lon) and lat < (yj - yi) * (lon - xi) / (xj - xi) + yi:
            inside = not inside
        j = i
    return inside


def point_in_geometry(lat: float, lon: float, geometry: Geometry) -> bool:
    """Inside one polygon's outer ring and none of its holes; an empty geometry contains everything."""
    if not geometry:
        return True
    return any(point_in_ring(lat, lon, rings[0]) and not any(point_in_ring(lat, lon, h) for h in rings[1:])
               for rings in geometry)


_COMMUNE_PREFIXES = ("ubnd ", "uy ban nhan dan ", "xa ", "phuong ", "thi tran ", "dac khu ")


def _words(text: str) -> str:
    """Folded (no diacritics, no case) words separated by single spaces, punctuation dropped."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def commune_name(name: str) -> str:
    """The folded name a citizen would write in an address: "UBND xã Phụng Hiệp" → "phung hiep"."""
    folded = _words(name)
    changed = True
    while changed:
        changed = False
        for prefix in _COMMUNE_PREFIXES:
            if folded.startswith(prefix):
                folded, changed = folded[len(prefix):].strip(), True
    return folded


def address_names_commune(address: str, name: str) -> bool:
    """Whether one part of the address (between commas) is the commune: "xã Phụng Hiệp" or "Phụng Hiệp" as a
    part, or a part ending in "xã Phụng Hiệp"; "xã Phụng Hiệp Đông" is another commune and does not match."""
    for part in re.split(r"[,;\n]+", address or ""):
        words = _words(part)
        if commune_name(part) == name or any(f" {words}".endswith(f" {p}{name}") for p in _COMMUNE_PREFIXES[2:]):
            return True
    return False


def area_matches(area: dict[str, Any], lat: float | None, lon: float | None, address: str = "") -> bool:
    """A drawn boundary decides when the report has a point; a commune without one (or a report without a
    point) matches when the address names the commune (address_names_commune), diacritics and case ignored."""
    geometry = area.get("geometry") or []
    if lat is not None and lon is not None and (geometry or area.get("kind") != "commune"):
        return point_in_geometry(lat, lon, geometry)
    if area.get("kind") == "commune" and area.get("match_name"):
        return address_names_commune(address, area["match_name"])
    return False


def choose_rule(rules: list[dict[str, Any]], category_id: int | None, lat: float | None, lon: float | None,
                polygons: dict[int, Any], address: str = "") -> dict[str, Any] | None:
    """Pure: the best rule for a category and a place. Specificity: category+area > category > area > any.

    `polygons` maps an area id to its area ({"kind", "geometry", "match_name"}) or, for older callers, to a
    ring of (lat, lon) points.
    """
    best: tuple[int, int, int] | None = None
    chosen = None
    for rule in rules:
        if rule["category"] is not None and rule["category"] != category_id:
            continue
        if rule["area"] is not None:
            area = polygons.get(rule["area"])
            if not isinstance(area, dict):
                area = {"kind": "polygon", "geometry": [[list(area)]] if area else []}
            if not area_matches(area, lat, lon, address):
                continue
        specificity = int(rule["category"] is not None) * 2 + int(rule["area"] is not None)
        score = (specificity, rule["priority"], -rule["id"])
        if best is None or score > best:
            best, chosen = score, rule
    return chosen


async def load_areas() -> dict[int, dict[str, Any]]:
    rows = await Area.select(Area.id, Area.kind, Area.name, Area.polygon, Area.unit.name)
    areas = {}
    for row in rows:
        try:
            geometry = parse_polygon(row["polygon"])
        except (ValueError, TypeError, IndexError, AreaError):
            geometry = []  # never route by a broken boundary: it matches nothing below
            if row["kind"] != "commune":
                continue
        areas[row["id"]] = {"kind": row["kind"], "geometry": geometry,
                            "match_name": commune_name(row["unit.name"] or row["name"])}
    return areas


async def route(category_id: int | None, lat: float | None, lon: float | None, address: str = "") -> int | None:
    """The unit for a report: the best rule, else the category's default unit, else None (receptionist picks)."""
    return (await route_many([{"id": 0, "category": category_id, "latitude": lat, "longitude": lon,
                                "address": address}]))[0]


async def route_many(reports: list[dict[str, Any]]) -> dict[int, int | None]:
    """`route` for a whole page of reports (by their "id") in three queries, whatever the page's size: the
    triage queue names each report's unit before the receptionist taps."""
    rules = await RoutingRule.select(RoutingRule.id, RoutingRule.category, RoutingRule.area, RoutingRule.unit,
                                     RoutingRule.priority)
    areas = await load_areas()
    # A rule whose area could not be read (a broken boundary) never matches.
    rules = [r for r in rules if r["area"] is None or r["area"] in areas]
    defaults = {row["id"]: row["default_unit"] for row in await Category.select(Category.id, Category.default_unit)}
    chosen: dict[int, int | None] = {}
    for report in reports:
        rule = choose_rule(rules, report["category"], report["latitude"], report["longitude"], areas,
                           report.get("address") or "")
        if rule is not None:
            chosen[report["id"]] = rule["unit"]
        else:
            chosen[report["id"]] = defaults.get(report["category"]) if report["category"] is not None else None
    return chosen
