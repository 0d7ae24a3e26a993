"""Media: a small plain JPEG of one colour, as a phone's photo without any metadata."""

from __future__ import annotations

import io

from PIL import Image


def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (80, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()
