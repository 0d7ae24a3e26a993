"""Areas for routing: GeoJSON validated on the server, point-in-polygon with holes and several polygons,
communes matched by their boundary or by their name in the address; and the Open311 media_url check."""

from __future__ import annotations

import json

import pytest

from server.lib.errors import Conflict, Invalid
from server.reports import admin, routing, services
from tests.factories import make_jurisdiction, make_unit
from tests.unit.reports.helpers import make_category, make_report


def square(lon: float, lat: float, size: float) -> list[list[float]]:
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def polygon(*rings: list[list[float]]) -> str:
    return json.dumps({"type": "Polygon", "coordinates": list(rings)})


@pytest.mark.parametrize(("text", "code"), [
    ("not json", "not_json"),
    ('{"type": "Point", "coordinates": [106.7, 10.7]}', "not_polygon"),
    (polygon([[106.6, 10.7], [106.8, 10.7], [106.8, 10.8]]), "ring_too_short"),
    (polygon([[106.6, 10.7], [106.8, 10.7], [106.8, 10.8], [106.6, 10.8]]), "ring_not_closed"),
    (polygon([[106.6, 10.7], [206.8, 10.7], [106.8, 10.8], [106.6, 10.7]]), "coordinates_out_of_range"),
    (polygon([[106.6, 10.7], [106.8, 95.0], [106.8, 10.8], [106.6, 10.7]]), "coordinates_out_of_range"),
    (polygon([[106.6, 10.7], ["106.8", 10.7], [106.8, 10.8], [106.6, 10.7]]), "position_invalid"),
    (polygon([[106.6, 10.7], [106.7, 10.7], [106.8, 10.7], [106.6, 10.7]]), "ring_degenerate"),
    # A bow tie: the boundary crosses itself.
    (polygon([[0, 0], [2, 2], [2, 0], [0, 1], [0, 0]]), "ring_self_intersects"),
    (polygon(square(0, 0, 1), square(5, 5, 1)), "hole_outside"),
    ('{"type": "FeatureCollection", "features": []}', "one_feature"),
    (polygon([[0, 0], *([[0.5, 0.0001 * i] for i in range(1, 1001)]), [0, 1], [0, 0]]), "too_large"),
    ("[" * 5000 + "]" * 5000, "not_json"),
])
def test_bad_geometries_are_refused(text: str, code: str) -> None:
    with pytest.raises(routing.AreaError) as error:
        routing.validate_geometry(text)
    assert error.value.code == code


def test_geometries_accepted_and_normalised() -> None:
    text, geometry = routing.validate_geometry(json.dumps(
        {"type": "Feature", "properties": {"name": "x"}, "geometry": json.loads(polygon(square(106.6, 10.7, 0.2)))}))
    assert json.loads(text) == {"type": "Polygon", "coordinates": [square(106.6, 10.7, 0.2)]}
    assert routing.point_in_geometry(10.75, 106.7, geometry)
    assert not routing.point_in_geometry(11.0, 106.7, geometry)
    # A hole and a second polygon.
    donut = {"type": "MultiPolygon", "coordinates": [[square(0, 0, 10), square(4, 4, 2)], [square(20, 20, 1)]]}
    _text, geometry = routing.validate_geometry(json.dumps(donut))
    assert routing.point_in_geometry(1, 1, geometry)
    assert not routing.point_in_geometry(5, 5, geometry)  # in the hole
    assert routing.point_in_geometry(20.5, 20.5, geometry)
    assert not routing.point_in_geometry(15, 15, geometry)
    assert routing.validate_geometry("  ") == ("", [])


def test_commune_names_and_address_matching() -> None:
    assert routing.commune_name("UBND xã Phụng Hiệp") == "phung hiep"
    area = {"kind": "commune", "geometry": [], "match_name": "phung hiep"}
    assert routing.area_matches(area, None, None, "Ấp Mỹ Thuận 1, xã Phụng Hiệp, Hậu Giang")
    assert not routing.area_matches(area, None, None, "xã Phụng Hiệp Đông")  # another commune
    assert not routing.area_matches(area, None, None, "Ấp Mỹ Thuận")
    # A drawn boundary decides when the report has a point.
    _text, geometry = routing.validate_geometry(polygon(square(106.6, 10.7, 0.2)))
    drawn = {**area, "geometry": geometry}
    assert routing.area_matches(drawn, 10.75, 106.7, "")
    assert not routing.area_matches(drawn, 12.0, 106.7, "xã Phụng Hiệp")
    assert routing.area_matches(drawn, None, None, "xã Phụng Hiệp")


async def test_routing_uses_the_drawn_polygon_and_the_commune() -> None:
    j = await make_jurisdiction()
    category = await make_category(j)
    commune = await make_unit("UBND xã Tân Phước Hưng", "commune")
    # A concave (L-shaped) area: its bounding box contains points that are outside it.
    l_shape = [[106.60, 10.70], [106.80, 10.70], [106.80, 10.74], [106.64, 10.74], [106.64, 10.80],
               [106.60, 10.80], [106.60, 10.70]]
    drawn = await admin.save_area(None, name="Khu L", polygon=polygon(l_shape))
    named = await admin.save_area(None, name="Xã Tân Phước Hưng", kind="commune", unit_id=commune.id)
    await admin.add_rule(None, unit_id=j.dept_sub.id, category_id=category["id"], area_id=drawn)
    await admin.add_rule(None, unit_id=j.other_dept.id, category_id=category["id"], area_id=named)
    assert await routing.route(category["id"], 10.72, 106.70) == j.dept_sub.id  # in the L
    assert await routing.route(category["id"], 10.78, 106.70) == j.dept.id  # in its box, not in it: default
    assert await routing.route(category["id"], None, None, "Ấp 3, xã Tân Phước Hưng") == j.other_dept.id
    inside = await make_report(category, lat=10.72, lon=106.62)
    assert (await services.accept(j.receptionist, inside["id"]))["unit_id"] == j.dept_sub.id

    # Editing the boundary changes the routing; a bad edit is refused and changes nothing.
    await admin.save_area(None, area_id=drawn, name="Khu L", polygon=polygon(square(107.0, 11.0, 0.1)))
    assert await routing.route(category["id"], 10.72, 106.70) == j.dept.id
    with pytest.raises(Invalid):
        await admin.save_area(None, area_id=drawn, name="Khu L", polygon=polygon([[0, 0], [1, 1], [1, 0], [0, 0.5]]))
    assert await routing.route(category["id"], 11.05, 107.05) == j.dept_sub.id
    with pytest.raises(Conflict):
        await admin.delete_area(None, drawn)  # a rule uses it


def test_older_point_lists_still_route() -> None:
    legacy = json.dumps([[10.7, 106.6], [10.7, 106.8], [10.8, 106.8], [10.8, 106.6]])
    geometry = routing.parse_polygon(legacy)
    assert routing.point_in_geometry(10.75, 106.7, geometry)
    assert not routing.point_in_geometry(10.85, 106.7, geometry)
    assert json.loads(admin.check_geometry(legacy))["type"] == "Polygon"


@pytest.mark.parametrize("url", [
    "ftp://example.org/a.jpg", "javascript:alert(1)", "file:///etc/passwd", "//example.org/a.jpg",
    "http://user:secret@example.org/a.jpg", "https://example.org/a b.jpg", "https://example.org:99999/a.jpg",
    "https://" + "a" * 2050 + ".example.org/", "http:///nohost", "https://example.org/\x00",
])
def test_media_url_refused(url: str) -> None:
    with pytest.raises(Invalid):
        services.check_media_url(url)


def test_media_url_accepted() -> None:
    assert services.check_media_url(" https://anh.example.vn/p/1.jpg?size=large ") == \
        "https://anh.example.vn/p/1.jpg?size=large"
    assert services.check_media_url("") == ""
