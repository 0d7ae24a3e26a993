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


# ---------------------------------------------------------------- Vietnamese collation
#
# The alphabet as Vietnamese dictionaries order it (f, j, w, z of foreign words at their Latin places), the
# vowel marks (breve, circumflex, horn) and đ making letters of their own, and the five tones a secondary
# difference only: "Dương" < "Đặng" (D before Đ), "Hoa" < "Hoà" < "Hoá", but "Hoá" < "Hoan".
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER = {letter: index for index, letter in enumerate(_ALPHABET)}
_VOWEL_MARKS = frozenset({"\u0306", "\u0302", "\u031b"})  # breve (ă), circumflex (â ê ô), horn (ơ ư)
# Unicode's (CLDR's) order of the tones: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SPACE, _DIGIT, _LETTERS, _OTHER = 0, 1, 100, 1000


def _character(ch: str) -> tuple[int, int, int]:
    """(primary, secondary, tertiary) weights of one character of NFC text."""
    lower = ch.lower()
    case = 0 if ch == lower else 1
    if ch.isspace():
        return _SPACE, 0, 0
    if ch.isdigit():
        return _DIGIT + int(ch) if ch in "0123456789" else _DIGIT + 10, 0, 0
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _VOWEL_MARKS))
    tone = max((_TONES.get(m, 0) for m in marks), default=0)
    index = _LETTER.get(letter)
    if index is None:  # another script or a symbol: after every letter, in code point order
        return _OTHER + ord(letter[0]), tone, case
    return _LETTERS + index, tone, case


def collation_key(text: str | None) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A sort key for Vietnamese text: letters first (a ă â b … đ …), then tones, then case, over the whole text."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
    weights = [_character(ch) for ch in text]
    return (tuple(w[0] for w in weights), tuple(w[1] for w in weights), tuple(w[2] for w in weights))


def person_sort_key(full_name: str | None) -> tuple[object, ...]:
    """People as a Vietnamese list orders them: by given name (tên, the last word), then the rest of the name
    (họ and tên đệm), each with Vietnamese collation, as an office sorts the columns "Tên" then "Họ và tên đệm".

    "Đặng Văn An" < "Nguyễn Thị Bình" (An < Bình), "Dương Văn An" < "Đặng Văn An" (D before Đ).
    """
    words = _SPACES.sub(" ", unicodedata.normalize("NFC", full_name or "")).strip().split(" ")
    return collation_key(words[-1]), collation_key(" ".join(words[:-1]))
