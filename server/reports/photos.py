"""Public copies of citizens' photos: the image work lives in server/media/images.py; this is its portal face.

The original (with its EXIF and GPS) is kept privately in media storage for staff; the public only ever gets
the 1600 px copy and the 320 px thumbnail, upright, re-encoded as WebP from raw pixels, so no EXIF, XMP, ICC
or comment survives.
"""

from __future__ import annotations

import asyncio

from server.media import images
from server.media.images import ImageRefused as PhotoError
from server.media.images import sniff_image

PUBLIC_SIZE = images.DISPLAY_SIZE
THUMB_SIZE = images.THUMB_SIZE
MAX_PIXELS = images.MAX_PIXELS  # checked on the header, before any pixel is decoded
MAX_PHOTO_BYTES = 10_000_000
MAX_PHOTOS = 5

__all__ = ["MAX_PHOTOS", "MAX_PHOTO_BYTES", "MAX_PIXELS", "PUBLIC_SIZE", "THUMB_SIZE", "PhotoError", "derive",
           "derive_async", "first_gps_point"]


def derive(data: bytes) -> tuple[bytes, bytes, int, int]:
    """(public WebP, thumbnail WebP, width, height) of the public copy. Blocking: call through `derive_async`.
    Raises PhotoError("image_too_large" / "image_unreadable")."""
    content_type = sniff_image(data[:16])
    if content_type is None:
        raise PhotoError("image_unreadable")
    display, thumb = images.derive(data, content_type, max_pixels=MAX_PIXELS, display_size=PUBLIC_SIZE,
                                   thumb_size=THUMB_SIZE)
    return display.data, thumb.data, display.width, display.height


async def derive_async(data: bytes) -> tuple[bytes, bytes, int, int]:
    return await asyncio.to_thread(derive, data)


async def first_gps_point(photos: list[bytes]) -> tuple[float, float] | None:
    """The EXIF GPS point of the first photo that carries one: where a citizen without JavaScript stood.
    Read from the private originals' headers; the public copies never carry it."""
    for data in photos:
        point = await asyncio.to_thread(images.gps_point, data)
        if point is not None:
            return point
    return None
