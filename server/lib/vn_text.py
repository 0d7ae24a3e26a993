"""Vietnamese text folded for search: case and diacritics ignored, so `nuoc` finds `nước`."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.casefold()).strip()


def like_pattern(query: str) -> str:
    """A LIKE pattern for a folded query, with LIKE's own wildcards escaped away."""
    cleaned = fold(query).replace("\\", "").replace("%", "").replace("_", " ")
    return f"%{cleaned}%"
