"""The portal's "Chọn trên bản đồ" on a phone (390×844) opens on the jurisdiction, not on a city in the script."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from playwright.async_api import expect

from server.reports.tables import Area
from tests.browser.conftest import PHONE
from tests.factories import unique

SHOTS = Path("/tmp/shots")
# A commune of the demo's kind (Hoài Nhơn, Bình Định), 500 km from Ho Chi Minh City where the map used to open.
SOUTH, WEST, NORTH, EAST = 14.48, 109.00, 14.52, 109.03
TILE_RE = re.compile(r"/(\d+)/(\d+)/(\d+)\.png$")


def tile_png() -> bytes:
    """An offline stand-in for a map tile: a pale square with its edges drawn, so the screenshot shows the grid."""
    image = Image.new("RGB", (256, 256), (236, 240, 232))
    ImageDraw.Draw(image).rectangle((0, 0, 255, 255), outline=(190, 200, 190))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def tile_of(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    n = 2 ** zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


async def test_pick_on_map_opens_on_the_jurisdiction(new_context: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before the page
    ring = [[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]
    await Area.insert(Area(name=unique("Xã Hoài Hương "), kind="polygon",
                           polygon=json.dumps({"type": "Polygon", "coordinates": [ring]})))
    only_area = await Area.count() == 1
    context = await new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tiles: list[tuple[int, int, int]] = []
    png = tile_png()

    async def serve_tile(route: Any) -> None:
        match = TILE_RE.search(route.request.url)
        if match:
            tiles.append((int(match.group(1)), int(match.group(2)), int(match.group(3))))
        await route.fulfill(status=200, content_type="image/png", body=png)

    await context.route("https://tile.openstreetmap.org/**", serve_tile)
    page = await context.new_page()
    await page.goto("/portal/report")
    bounds = await page.locator("#map").get_attribute("data-bounds")
    assert bounds and "106.7" not in bounds
    await page.get_by_role("button", name="Chọn trên bản đồ").click()
    await expect(page.locator("#map .leaflet-tile-loaded").first).to_be_visible()
    await page.locator("#map").scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / "portal-map-390.png"))

    # The tiles asked for cover the commune: the first view is on it.
    zoom = max(z for z, _x, _y in tiles)
    centre_tile = tile_of((SOUTH + NORTH) / 2, (WEST + EAST) / 2, zoom)
    assert centre_tile in {(x, y) for z, x, y in tiles if z == zoom}, (zoom, centre_tile, tiles[:10])
    assert tile_of(10.78, 106.7, zoom) not in {(x, y) for z, x, y in tiles if z == zoom} or zoom < 7
    # A tap in the middle of the map picks a point of the commune.
    box = await page.locator("#map").bounding_box()
    assert box is not None
    await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    latitude = float(await page.locator("#latitude").input_value())
    longitude = float(await page.locator("#longitude").input_value())
    if only_area:  # other tests' areas in the same database widen the first view to hold them all
        assert zoom >= 12
        assert SOUTH <= latitude <= NORTH and WEST <= longitude <= EAST, (latitude, longitude)
    await expect(page.locator("#place-status")).to_contain_text(f"{latitude:.6f}")
    await page.screenshot(path=str(SHOTS / "portal-map-390-picked.png"))
