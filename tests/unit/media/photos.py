"""Photos as phones make them, for the media tests: rotated JPEGs with GPS, HEIC, PNG with alpha, bombs."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms

SECRET_MODEL = "SecretPhone 15"
SECRET_ARTIST = "Nguyen Van Chup Anh"  # EXIF text is ASCII
ORIENTATION, MODEL, ARTIST, GPS_IFD = 0x0112, 0x0110, 0x013B, 0x8825
BLUE = (0, 0, 255)


def marked(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A red picture with a blue block in its top-left corner, so a test can tell which way is up."""
    image = Image.new(mode, (width, height), (255, 0, 0) if mode == "RGB" else (255, 0, 0, 255))
    image.paste(BLUE if mode == "RGB" else (*BLUE, 255), (0, 0, width // 2, height // 4))
    return image


def phone_exif(orientation: int = 6) -> Image.Exif:
    """What a phone writes: the way the sensor was held, the camera, the photographer, where it was taken."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MODEL] = SECRET_MODEL
    exif[ARTIST] = SECRET_ARTIST
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (21.0, 1.0, 42.5)
    gps[3] = "E"
    gps[4] = (105.0, 51.0, 3.25)
    return exif


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def rotated_jpeg(width: int = 80, height: int = 60, orientation: int = 6) -> bytes:
    """A JPEG stored sideways with Orientation 6 (rotate 90° clockwise to view), GPS, an ICC profile, XMP and a
    comment: everything a clean copy must drop."""
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/>SecretXMP</x:xmpmeta>'
    marked(width, height).save(out, "JPEG", quality=92, exif=phone_exif(orientation).tobytes(),
                               icc_profile=srgb_icc(), comment=b"secret comment", xmp=xmp)
    return out.getvalue()


def heic(width: int = 64, height: int = 48, orientation: int = 6) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    marked(width, height).save(out, format="HEIF", quality=90, exif=phone_exif(orientation).tobytes())
    return out.getvalue()


def png_with_alpha(width: int = 40, height: int = 30) -> bytes:
    """Opaque marked picture with a fully transparent bottom half."""
    image = marked(width, height, "RGBA")
    image.paste((0, 0, 0, 0), (0, height // 2, width, height))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG whose header claims width × height pixels, followed by a few rows of data: decoding it would need
    gigabytes (and fail on the missing rows); only a check of the header refuses it as too large."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def jpeg(width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 100, 50)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG")
    return out.getvalue()


def metadata_left(data: bytes) -> list[str]:
    """Every kind of metadata a file still carries (empty for a clean copy)."""
    found = []
    with Image.open(io.BytesIO(data)) as image:
        if len(image.getexif()):
            found.append(f"EXIF {dict(image.getexif())}")
        found += [key for key in ("exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp") if key in image.info]
    # The containers' own markers (JPEG APP1 "Exif", WebP chunks "EXIF", "XMP ", "ICCP") and our secrets; GPS
    # lives inside EXIF, so no EXIF means no GPS.
    for marker in (b"Exif", b"EXIF", b"XMP ", b"ICCP", b"SecretXMP", b"secret comment", SECRET_MODEL.encode(),
                   SECRET_ARTIST.encode()):
        if marker in data:
            found.append(f"bytes {marker!r}")
    return found
