"""The image work behind every photo: checking an upload, and the clean copies people look at.

- `inspect()` runs on upload: the header's size is checked against MAX_PIXELS before a single pixel is
  decoded (a decompression bomb is refused for the price of reading its header), then the image is decoded
  once, at reduced scale where the format allows it, so a truncated or damaged file is refused at once.
- `derive()` builds the two copies: a "display" WebP (longest side DISPLAY_SIZE) and a thumbnail WebP
  (THUMB_SIZE), upright (EXIF orientation applied), in sRGB, rebuilt from raw pixels so that no EXIF, GPS,
  XMP, ICC profile or comment survives. The original keeps its metadata; it is only served to those who may
  see it.

Everything here is blocking CPU work on bytes: callers run it in a thread (`asyncio.to_thread`) or in the
worker, never on the event loop.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

try:  # HEIC from iPhones
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    pass

# content type (as sniffed from the magic bytes) → the only Pillow decoder allowed to open it, so a file
# that claims to be a JPEG is never handed to another parser.
DECODERS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
# ISO BMFF major brands of HEIF still images and sequences (iPhones write "heic").
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
# Below Pillow's own limit (89.5 MP, and it only raises at twice that): a phone photo is 12–50 MP.
MAX_PIXELS = 50_000_000
DISPLAY_SIZE = 1600
THUMB_SIZE = 320
DISPLAY_QUALITY = 78
THUMB_QUALITY = 70
WEBP_METHOD = 4  # libwebp's speed/size trade-off (0 fastest … 6 smallest); 4 is its default
DERIVATIVE_TYPE = "image/webp"
KINDS = ("display", "thumb")

# Decoding a 12 MP photo takes ~50 MB; on a small server a burst of uploads must not decode dozens at once.
_DECODE_SLOTS = threading.BoundedSemaphore(2)
_SRGB = ImageCms.createProfile("sRGB")


def sniff_image(head: bytes) -> str | None:
    """The image type the first bytes (magic numbers) announce, if it is one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


class ImageRefused(ValueError):
    """Why an image cannot be used. `code` is the API error code (str(error) too: the portal reads it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Copy:
    kind: str
    data: bytes
    width: int
    height: int


def _open(data: bytes, content_type: str, max_pixels: int) -> Image.Image:
    """The image, opened lazily (header only) by the one decoder its magic bytes name, its size checked."""
    decoder = DECODERS.get(content_type)
    if decoder is None:
        raise ImageRefused("image_type_not_allowed")
    try:
        image = Image.open(io.BytesIO(data), formats=[decoder])
    except Image.DecompressionBombError as error:
        raise ImageRefused("image_too_large") from error
    except Exception as error:  # not an image of that type at all
        raise ImageRefused("image_unreadable") from error
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise ImageRefused("image_too_large")
    return image


def _draft_box(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """The size to ask a JPEG decoder for: the target size, so that it may decode at 1/2, 1/4 or 1/8 scale
    (in the DCT, far cheaper than decoding every pixel and throwing most away)."""
    width, height = size
    scale = longest / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _decode(image: Image.Image, longest: int) -> None:
    if image.format == "JPEG" and max(image.size) > longest:
        image.draft(None, _draft_box(image.size, longest))
    try:
        with _DECODE_SLOTS:
            image.load()
    except Image.DecompressionBombError as error:
        raise ImageRefused("image_too_large") from error
    except Exception as error:  # truncated, corrupt, unsupported variant
        raise ImageRefused("image_unreadable") from error


def inspect(data: bytes, content_type: str, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """(width, height) of an upload as stored; refuses what is too large, truncated or not that image type."""
    with _open(data, content_type, max_pixels) as image:
        size = image.size
        _decode(image, DISPLAY_SIZE)
    return size


def _upright_srgb(image: Image.Image) -> Image.Image:
    """Orientation applied, colours converted to sRGB, in RGB or RGBA: pixels that need no metadata."""
    icc = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    alpha = "A" in image.getbands() or "transparency" in image.info
    mode = "RGBA" if alpha else "RGB"
    if image.mode == "P" or image.mode.startswith(("I", "F")):
        image = image.convert(mode)
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode) or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are rather than refuse the photo
    return image if image.mode == mode else image.convert(mode)


def _bare_webp(image: Image.Image, quality: int) -> bytes:
    # Rebuilt from raw pixels: the new image carries no info at all (no EXIF, XMP, ICC, comment), and
    # nothing is passed to save() that could add any back.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    bare.save(out, format="WEBP", quality=quality, method=WEBP_METHOD)
    return out.getvalue()


def _fit(image: Image.Image, longest: int) -> Image.Image:
    width, height = image.size
    if max(width, height) <= longest:
        return image
    box = _draft_box(image.size, longest)
    return image.resize(box, Image.Resampling.LANCZOS, reducing_gap=3.0)


def derive(
    data: bytes, content_type: str, *, max_pixels: int = MAX_PIXELS, display_size: int = DISPLAY_SIZE,
    thumb_size: int = THUMB_SIZE,
) -> tuple[Copy, Copy]:
    """(display copy, thumbnail) of an image, both WebP without any metadata. Blocking."""
    with _open(data, content_type, max_pixels) as image:
        _decode(image, display_size)
        display = _fit(_upright_srgb(image), display_size)
    thumb = _fit(display, thumb_size)  # from the display copy: 1600 → 320 px is cheap and looks the same
    return (
        Copy("display", _bare_webp(display, DISPLAY_QUALITY), *display.size),
        Copy("thumb", _bare_webp(thumb, THUMB_QUALITY), *thumb.size),
    )


GPS_IFD = 0x8825  # the EXIF pointer to the GPS tags: 1/2 latitude ref/value, 3/4 longitude ref/value


def _degrees(value: object) -> float | None:
    """Degrees, minutes, seconds (three EXIF rationals) as decimal degrees."""
    try:
        d, m, s = (float(part) for part in value)  # type: ignore[union-attr]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if any(part != part or part < 0 for part in (d, m, s)):  # NaN (a 0/0 rational) or negative
        return None
    return d + m / 60 + s / 3600


def gps_point(data: bytes) -> tuple[float, float] | None:
    """(latitude, longitude) from a photo's EXIF GPS, if it has a usable one. Reads the header only (no pixel is
    decoded), under the same decoder and size rules as `inspect`. Blocking (cheap): call it from a thread."""
    content_type = sniff_image(data[:16])
    if content_type is None:
        return None
    try:
        with _open(data, content_type, MAX_PIXELS) as image:
            gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # a photo without a readable EXIF simply has no point
        return None
    lat, lon = _degrees(gps.get(2)), _degrees(gps.get(4))
    if lat is None or lon is None:
        return None
    if str(gps.get(1, "N")).strip().upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).strip().upper().startswith("W"):
        lon = -lon
    # 0,0 is what a camera writes when it had no fix, not a place in a commune.
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (abs(lat) < 1e-6 and abs(lon) < 1e-6):
        return None
    return round(lat, 6), round(lon, 6)
