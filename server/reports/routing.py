"""Routing is data: category + area → unit, edited by the admin. The most specific matching rule wins."""

from __future__ import annotations

import json
import math
from typing import Any

from server.reports.tables import Area, Category, RoutingRule

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def parse_polygon(text: str) -> list[tuple[float, float]]:
    if not (text or "").strip():
        return []
    points = json.loads(text)
    return [(float(p[0]), float(p[1])) for p in points]


def point_in_polygon(lat: float, lon: float, polygon: list[tuple[float, float]]) -> bool:
    """Ray casting on [lat, lon] points; an empty polygon contains everything."""
    if not polygon:
        return True
    inside = False
    j = len(polygon) - 1
    for i in range(len(polygon)):
        yi, xi = polygon[i]
        yj, xj = polygon[j]
        if (xi > lon) != (xj > lon) and lat < (yj - yi) * (lon - xi) / (xj - xi) + yi:
            inside = not inside
        j = i
    return inside


def choose_rule(rules: list[dict[str, Any]], category_id: int | None, lat: float | None, lon: float | None,
                polygons: dict[int, list[tuple[float, float]]]) -> dict[str, Any] | None:
    """Pure: the best rule for a category and a point. Specificity: category+area > category > area > any."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for rule in rules:
        if rule["category"] is not None and rule["category"] != category_id:
            continue
        if rule["area"] is not None:
            if lat is None or lon is None or not point_in_polygon(lat, lon, polygons.get(rule["area"], [])):
                continue
        specificity = int(rule["category"] is not None) * 2 + int(rule["area"] is not None)
        score = (specificity, rule["priority"], -rule["id"])
        if best is None or score > best:
            best, chosen = score, rule
    return chosen


async def route(category_id: int | None, lat: float | None, lon: float | None) -> int | None:
    """The unit for a report: the best rule, else the category's default unit, else None (receptionist picks)."""
    rules = await RoutingRule.select(RoutingRule.id, RoutingRule.category, RoutingRule.area, RoutingRule.unit,
                                     RoutingRule.priority)
    areas = await Area.select(Area.id, Area.polygon)
    polygons = {a["id"]: parse_polygon(a["polygon"]) for a in areas}
    rule = choose_rule(rules, category_id, lat, lon, polygons)
    if rule is not None:
        return rule["unit"]
    if category_id is not None:
        row = await Category.select(Category.default_unit).where(Category.id == category_id).first()
        if row and row["default_unit"]:
            return row["default_unit"]
    return None
