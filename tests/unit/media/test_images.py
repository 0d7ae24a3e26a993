"""The image work itself (server/media/images.py): clean, upright copies, and what is refused before decoding."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.media import images
from tests.unit.media.photos import (
    heic,
    jpeg,
    marked,
    metadata_left,
    png_bomb,
    png_with_alpha,
    rotated_jpeg,
)


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _is_blue(pixel: tuple[int, ...]) -> bool:
    return pixel[2] > 200 and pixel[0] < 60


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_copies_are_upright(orientation: int) -> None:
    """The photo was stored sideways with an Orientation tag; both copies show it the way it was taken."""
    display, thumb = images.derive(rotated_jpeg(80, 60, orientation), "image/jpeg")
    # 3 = upside down (blue block ends bottom-right), 6 = turn right (top-right), 8 = turn left (bottom-left).
    expected_size = (80, 60) if orientation == 3 else (60, 80)
    for copy in (display, thumb):
        image = _open(copy.data)
        assert image.format == "WEBP" and image.size == expected_size == (copy.width, copy.height)
        w, h = image.size
        corners = {"top_left": (1, 1), "top_right": (w - 2, 1), "bottom_left": (1, h - 2),
                   "bottom_right": (w - 2, h - 2)}
        blue = {name for name, xy in corners.items() if _is_blue(image.getpixel(xy))}
        assert blue == {{3: "bottom_right", 6: "top_right", 8: "bottom_left"}[orientation]}, blue


def test_copies_carry_no_metadata_at_all() -> None:
    original = rotated_jpeg()
    assert len(metadata_left(original)) >= 5  # the test photo really has EXIF with GPS, XMP, ICC and a comment
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(0x8825)  # GPS
    for copy in images.derive(original, "image/jpeg"):
        assert metadata_left(copy.data) == [], copy.kind
        image = _open(copy.data)
        assert len(image.getexif()) == 0
        assert not {"icc_profile", "xmp", "exif", "comment"} & image.info.keys()


def test_sizes_are_1600_and_320_on_the_longest_side() -> None:
    big = io.BytesIO()
    marked(3000, 2000).save(big, "JPEG")
    display, thumb = images.derive(big.getvalue(), "image/jpeg")
    assert (display.width, display.height) == (1600, 1067) == _open(display.data).size
    assert (thumb.width, thumb.height) == (320, 213) == _open(thumb.data).size
    # A small photo is not blown up.
    small_display, small_thumb = images.derive(jpeg(200, 100), "image/jpeg")
    assert (small_display.width, small_display.height) == (200, 100)
    assert (small_thumb.width, small_thumb.height) == (200, 100)


def test_heic_from_an_iphone() -> None:
    data = heic(64, 48, orientation=6)
    assert images.sniff_image(data[:16]) == "image/heic"
    assert images.inspect(data, "image/heic") in {(48, 64), (64, 48)}
    for copy in images.derive(data, "image/heic"):
        image = _open(copy.data)
        assert image.format == "WEBP" and image.size == (48, 64)  # upright
        assert _is_blue(image.getpixel((46, 1)))
        assert metadata_left(copy.data) == []


def test_png_keeps_its_transparency() -> None:
    for copy in images.derive(png_with_alpha(40, 30), "image/png"):
        image = _open(copy.data)
        assert image.mode == "RGBA"
        assert image.getpixel((1, 1))[3] == 255 and _is_blue(image.getpixel((1, 1)))
        assert image.getpixel((1, image.height - 2))[3] == 0


def test_palette_greyscale_and_cmyk_images_become_rgb() -> None:
    for mode, extra in (("P", {"transparency": 0}), ("L", {}), ("CMYK", {})):
        source = marked(30, 20).convert(mode)
        out = io.BytesIO()
        source.save(out, "PNG" if mode != "CMYK" else "JPEG", **extra)
        content_type = "image/png" if mode != "CMYK" else "image/jpeg"
        for copy in images.derive(out.getvalue(), content_type):
            assert _open(copy.data).mode in ("RGB", "RGBA"), mode


def test_the_pixel_cap_is_checked_on_the_header_before_decoding() -> None:
    """A 400-megapixel PNG of a few hundred bytes: refused as too large, not as unreadable — which is what
    decoding its missing rows would have said — so the header was checked first."""
    bomb = png_bomb(20_000, 20_000)
    assert len(bomb) < 2_000
    for check in (lambda: images.inspect(bomb, "image/png"), lambda: images.derive(bomb, "image/png")):
        with pytest.raises(images.ImageRefused) as refused:
            check()
        assert refused.value.code == "image_too_large"
    assert images.MAX_PIXELS < Image.MAX_IMAGE_PIXELS  # below Pillow's own (warning) limit
    with pytest.raises(images.ImageRefused, match="image_too_large"):
        images.inspect(jpeg(64, 48), "image/jpeg", max_pixels=64 * 48 - 1)
    assert images.inspect(jpeg(64, 48), "image/jpeg", max_pixels=64 * 48) == (64, 48)


@pytest.mark.parametrize("kind", ["jpeg", "png", "webp", "heic"])
def test_a_truncated_file_is_unreadable(kind: str) -> None:
    source = marked(300, 200)
    out = io.BytesIO()
    if kind == "heic":
        data = heic(300, 200, orientation=1)
    else:
        source.save(out, kind.upper(), **({"quality": 90} if kind != "png" else {}))
        data = out.getvalue()
    content_type = f"image/{kind}"
    assert images.inspect(data, content_type) == (300, 200)
    cut = data[: len(data) * 2 // 3]
    for check in (lambda: images.inspect(cut, content_type), lambda: images.derive(cut, content_type)):
        with pytest.raises(images.ImageRefused) as refused:
            check()
        assert refused.value.code == "image_unreadable"


def test_only_the_decoder_the_magic_bytes_name_is_used() -> None:
    """A PNG sent as a JPEG (or any polyglot) is not handed to another parser."""
    with pytest.raises(images.ImageRefused, match="image_unreadable"):
        images.inspect(png_with_alpha(), "image/jpeg")
    with pytest.raises(images.ImageRefused, match="image_type_not_allowed"):
        images.inspect(b"GIF89a" + b"\x00" * 32, "image/gif")
    assert images.sniff_image(b"GIF89a\x00\x00") is None
    assert images.sniff_image(jpeg()[:16]) == "image/jpeg"
    assert images.sniff_image(png_with_alpha()[:16]) == "image/png"


def test_the_portal_face_still_works() -> None:
    """server/reports/photos.py re-exports the pipeline for the citizen portal."""
    from server.reports import photos

    public, thumb, width, height = photos.derive(rotated_jpeg(80, 60, 6))
    assert (width, height) == (60, 80)
    assert metadata_left(public) == [] and metadata_left(thumb) == []
    with pytest.raises(photos.PhotoError) as refused:
        photos.derive(b"not an image at all")
    assert str(refused.value) == "image_unreadable"
