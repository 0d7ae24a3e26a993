"""Where the portal's map opens: on the jurisdiction, never on a city hard-coded in the script.

In order: the areas the admin drew (their bounds, which is what routing knows of the jurisdiction), else where
its people already work (the points citizens chose for their public reports and the officers' field evidence:
a box from the 10th to the 90th percentile, so one stray point does not zoom out to the whole country), else
the whole of Viet Nam. The page gets it as `data-bounds` ("south,west,north,east") on the map.
"""

from __future__ import annotations

from server.reports.routing import load_areas
from server.reports.services import LISTED_STATUSES
from server.reports.tables import Report

Bounds = tuple[float, float, float, float]  # south, west, north, east
VIET_NAM: Bounds = (8.18, 102.14, 23.39, 109.46)
RECENT_POINTS = 500
MIN_SPAN = 0.01  # degrees (about 1 km): a single point opens on its neighbourhood, not on one house


def _box(lats: list[float], lons: list[float], trim: bool) -> Bounds | None:
    if not lats:
        return None
    lats, lons = sorted(lats), sorted(lons)
    low, high = (len(lats) // 10, len(lats) - 1 - len(lats) // 10) if trim else (0, len(lats) - 1)
    south, north, west, east = lats[low], lats[high], lons[low], lons[high]
    pad_lat, pad_lon = max(0.0, MIN_SPAN - (north - south)) / 2, max(0.0, MIN_SPAN - (east - west)) / 2
    return south - pad_lat, west - pad_lon, north + pad_lat, east + pad_lon


async def _areas_bounds() -> Bounds | None:
    lats: list[float] = []
    lons: list[float] = []
    for area in (await load_areas()).values():
        for polygon in area["geometry"]:
            for ring in polygon[:1]:  # the outer ring holds the holes
                lats.extend(lat for lat, _lon in ring)
                lons.extend(lon for _lat, lon in ring)
    return _box(lats, lons, trim=False)


async def _work_bounds() -> Bounds | None:
    points = [(r["latitude"], r["longitude"]) for r in await Report.select(Report.latitude, Report.longitude).where(
        Report.latitude.is_not_null() & Report.longitude.is_not_null() & Report.status.is_in(list(LISTED_STATUSES))
        & Report.point_from_photo.eq(False)).order_by(Report.id, ascending=False).limit(RECENT_POINTS)]
    # The officers' field evidence: only its extent leaves here, never a point. Read as kpi reads, without
    # importing the tasks domain's tables into the portal.
    points += [(r["latitude"], r["longitude"]) for r in await Report.raw(
        "SELECT latitude, longitude FROM progress_reports WHERE latitude IS NOT NULL AND longitude IS NOT NULL"
        f" ORDER BY id DESC LIMIT {RECENT_POINTS}")]
    points = [(lat, lon) for lat, lon in points if -90 <= lat <= 90 and -180 <= lon <= 180]
    return _box([p[0] for p in points], [p[1] for p in points], trim=True)


async def map_bounds() -> str:
    """The map's first view, "south,west,north,east", as the page's `data-bounds`."""
    bounds = await _areas_bounds() or await _work_bounds() or VIET_NAM
    return ",".join(f"{value:.5f}" for value in bounds)
