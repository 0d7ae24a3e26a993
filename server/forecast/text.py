"""A citizen's words as the learned routing and the duplicates read them: folded, with the commune's problems named.

Pure and synchronous (the worker, the triage queue and bench/ use the very same code). Text is folded first
(server.lib.vn_text.fold: no case, no diacritics), so "vỡ ống nước" and "vo ong nuoc" are the same words.

CONCEPTS is a small hand-kept map of the commune's vocabulary of problems: different words for the same thing
("vỡ ống nước", "rò rỉ đường ống", "bể ống") name one concept ("ong_nuoc"). It is not a word segmenter: a
Vietnamese segmenter from PyPI (underthesea, pyvi) would bring a model of tens of megabytes to split syllables
into words, when the problems a commune hears fit in a page of phrases; the phrases below are matched on whole
syllables of the folded text.

`trigram_similarity` is pg_trgm's `similarity()` written in Python (each word padded with two spaces before and
one after, the set of its three-character pieces, shared over all), so SQLite gives the figure PostgreSQL gives.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from server.lib.vn_text import fold

# concept → (its Vietnamese label, shown as evidence, the folded phrases that name it)
CONCEPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ong_nuoc": ("vỡ, rò rỉ ống nước", (
        "vo ong", "ong nuoc", "ro ri", "ri nuoc", "duong ong", "be ong", "thung ong", "xi nuoc", "ong cap nuoc",
        "nuoc chay tran", "nuoc chay lenh lang", "nut ong")),
    "mat_nuoc": ("mất nước, nước yếu", (
        "mat nuoc", "cup nuoc", "khong co nuoc", "nuoc yeu", "nuoc chay yeu", "khong co nuoc sach", "ngung cap nuoc")),
    "nuoc_ban": ("nước bẩn, có cặn", (
        "nuoc duc", "mau la", "nhieu can", "nuoc ban", "co can", "nuoc co mui", "nuoc vang")),
    "den_duong": ("đèn đường hỏng", (
        "den duong", "den chieu sang", "bong den", "cot den", "den tat", "den hong", "khong sang", "toi om",
        "den khong sang", "he thong chieu sang")),
    "ngap": ("ngập nước", (
        "ngap", "ngap ung", "nuoc dong", "ung ngap", "trieu cuong", "nuoc tran vao nha", "lut")),
    "o_ga": ("ổ gà, hư mặt đường", (
        "o ga", "o voi", "hu hong mat duong", "sut lun", "lun", "nut mat duong", "mat duong hu", "hong duong",
        "duong hu", "bong troc", "duong be tong hu")),
    "rac": ("rác thải", (
        "rac", "rac thai", "do rac", "bai rac", "xa rac", "khong thu gom", "chat thai", "phe thai")),
    "cong": ("cống, mương tắc", (
        "tac cong", "cong nghet", "nap cong", "ho ga", "muong tac", "cong thoat nuoc", "khai thong cong", "cong ranh",
        "muong nghet")),
    "cay": ("cây đổ, cành gãy", (
        "cay do", "nga do", "canh cay", "gay canh", "cay nga", "cay gay", "cay sap do")),
    "on": ("ồn ào", (
        "on ao", "tieng on", "karaoke", "loa keo", "hat ho", "gay on", "no po", "net po")),
    "lan_chiem": ("lấn chiếm, xây trái phép", (
        "lan chiem", "chiem via he", "buon ban via he", "lan ra long duong", "xay dung trai phep", "xay trai phep",
        "tuong rao lan", "xay lan")),
    "dien": ("dây điện, cột điện", (
        "day dien", "cot dien", "chap dien", "dien giat", "day dien vong", "mat dien", "dut day")),
    "mui": ("ô nhiễm, mùi hôi", (
        "o nhiem", "mui hoi", "boc mui", "nuoc thai", "hoi thoi", "khoi bui", "dot rom")),
    "gia_suc": ("gia súc thả rông", (
        "tha rong", "cho tha rong", "gia suc", "trau bo", "cho can")),
    "bien_bao": ("biển báo, giao thông", (
        "bien bao", "den giao thong", "guong cau loi", "vach ke", "giao lo")),
}

# Words that say nothing about the problem (folded): left out of the routing's tokens and the shared words.
STOPWORDS = frozenset("""
a ai anh ban bi bo cac cach can cho chu co con cua cung da dang de den di do doan dong duoc gan gi gio hai hay het
hien hom khi khong la lai lam len luc ma moi mot nam nay neu nguoi nhieu nha nhu nhung noi nua o qua ra rat roi
sau se so ta tai tam than the theo thi thon toi tren trong tu tung va van vao ve vi voi xa xin xom ap khu pho
de nghi kinh mong sua som giai quyet xu ly phan anh dan cu
""".split())

_WORD = re.compile(r"[a-z0-9]+")
_PHRASES = sorted(((phrase.split(), code) for code, (_, phrases) in CONCEPTS.items() for phrase in phrases),
                  key=lambda item: -len(item[0]))


def words(text: str | None) -> list[str]:
    """The folded syllables of a text, in order (punctuation gone)."""
    return _WORD.findall(fold(text))


def concepts(text: str | None) -> set[str]:
    """The problems a text names, by whole-syllable phrases of CONCEPTS."""
    found: set[str] = set()
    w = words(text)
    for phrase, code in _PHRASES:
        n = len(phrase)
        if code in found:
            continue
        for i in range(len(w) - n + 1):
            if w[i:i + n] == phrase:
                found.add(code)
                break
    return found


def content_words(text: str | None) -> set[str]:
    """Syllables that carry meaning: no stop words, no one-letter pieces, no bare numbers."""
    return {w for w in words(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()}


def tokens(text: str | None) -> list[str]:
    """The routing's tokens: content syllables, their adjacent pairs (Vietnamese words are often two syllables)
    and the concepts named, marked "c:"."""
    w = [x for x in words(text) if len(x) > 1 and x not in STOPWORDS]
    return w + [f"{a}_{b}" for a, b in itertools.pairwise(w)] + [f"c:{c}" for c in sorted(concepts(text))]


def trigrams(text: str | None) -> set[str]:
    """pg_trgm's trigrams of a text: each alphanumeric word lower-cased, padded "  word ", cut in threes."""
    grams: set[str] = set()
    for word in re.findall(r"[^\W_]+", (text or "").lower()):
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def overlap(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """What two sets share over all they hold (Jaccard); 0 when either is empty."""
    return len(a & b) / len(a | b) if a and b else 0.0


def trigram_similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's similarity(a, b): shared trigrams over all trigrams of the two."""
    return overlap(trigrams(a), trigrams(b))


def concept_labels(codes: Iterable[str]) -> list[str]:
    return [CONCEPTS[c][0] for c in sorted(codes) if c in CONCEPTS]
