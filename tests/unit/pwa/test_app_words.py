"""Every word the installable app shows in Vietnamese has its English in pwa/js/i18n.js: a string added to a
screen without its translation would show Vietnamese to an English reader, and nothing else would notice."""

from __future__ import annotations

import re
from pathlib import Path

PWA_JS = Path(__file__).resolve().parents[3] / "pwa" / "js"
VIETNAMESE_LETTER = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)
SINGLE_QUOTED = re.compile(r"'((?:[^'\\\n]|\\.)+)'")
COMMENT = re.compile(r"/\*.*?\*/|^\s*//.*?$", re.DOTALL | re.MULTILINE)


def english_words() -> dict[str, str]:
    source = (PWA_JS / "i18n.js").read_text(encoding="utf-8")
    table = source[source.index("const EN = {"):source.index("};", source.index("const EN = {"))]
    pairs = re.findall(r"""^\s*'((?:[^'\\]|\\.)+)':\s*(?:'((?:[^'\\]|\\.)*)'|"([^"]*)")""", table, re.MULTILINE)
    return {key: single or double for key, single, double in pairs}


def vietnamese_literals() -> dict[str, str]:
    """Each single-quoted string with a Vietnamese letter in the app's scripts, with the file it is in."""
    found: dict[str, str] = {}
    for script in sorted(PWA_JS.rglob("*.js")):
        if script.name == "i18n.js":
            continue
        code = COMMENT.sub("", script.read_text(encoding="utf-8"))
        for literal in SINGLE_QUOTED.findall(code):
            if VIETNAMESE_LETTER.search(literal):
                found.setdefault(literal, script.name)
    return found


def test_the_check_sees_the_apps_words() -> None:
    literals = vietnamese_literals()
    assert len(literals) > 50 and "Nhắc việc" in literals and "Cần có mạng để chia việc và giao việc" in literals


def test_every_vietnamese_word_of_the_app_has_its_english() -> None:
    english = english_words()
    missing = {word: where for word, where in vietnamese_literals().items() if word not in english}
    assert not missing, f"no English in pwa/js/i18n.js for: {missing}"
    untranslated = [word for word, translation in english.items() if not translation.strip()]
    assert not untranslated, f"empty English for: {untranslated}"
