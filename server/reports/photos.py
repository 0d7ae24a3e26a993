"""Public copies of citizens' photos: orientation applied, resized, re-encoded as WebP with no metadata at all.

The original (with its EXIF and GPS) is kept privately in media storage for staff; the public only ever gets
the 1600 px copy and the 320 px thumbnail built here from raw pixels, so no EXIF, XMP, ICC or comment survives.
"""

from __future__ import annotations

import asyncio
import io

from PIL import Image, ImageOps

PUBLIC_SIZE = 1600
THUMB_SIZE = 320
MAX_PIXELS = 50_000_000  # checked on the header, before any pixel is decoded
MAX_PHOTO_BYTES = 10_000_000
MAX_PHOTOS = 5
WEBP_QUALITY = 78

try:  # HEIC from iPhones
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    pass


class PhotoError(ValueError):
    pass


def _clean_copy(image: Image.Image, size: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    # Rebuild from raw pixels: the new image carries no info, EXIF, XMP or ICC profile.
    bare = Image.frombytes(copy.mode, copy.size, copy.tobytes())
    bare.info.clear()
    out = io.BytesIO()
    bare.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def derive(data: bytes) -> tuple[bytes, bytes, int, int]:
    """(public WebP, thumbnail WebP, width, height) of the public copy. Blocking: call through `derive_async`."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise PhotoError("image_too_large")
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except PhotoError:
        raise
    except Exception as error:  # any decoder failure: not a usable image
        raise PhotoError("image_unreadable") from error
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    public = _clean_copy(image, PUBLIC_SIZE)
    thumb = _clean_copy(image, THUMB_SIZE)
    with Image.open(io.BytesIO(public)) as done:
        w, h = done.size
    return public, thumb, w, h


async def derive_async(data: bytes) -> tuple[bytes, bytes, int, int]:
    return await asyncio.to_thread(derive, data)
