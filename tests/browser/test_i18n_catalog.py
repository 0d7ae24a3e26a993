"""Every Vietnamese text a screen can show has an English translation in the `en` catalogs.

Message ids are the Vietnamese text itself (server/lib/i18n.py); each area may keep its own .po file, and
they are merged. The texts come from three places, in server/ and citizen_portal/:
- the templates' `_("…")` calls, found with Babel's Jinja2 extractor (as `pybabel extract -F
  server/locale/babel.cfg` finds them);
- `_("…")` calls in Python;
- the messages the error handlers translate: `NotFound("code", "…")` and the other domain errors, guards'
  `detail=`, the fixed messages of server/lib/responses.py and the refusals of server/tasks/controllers.py.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
PORTAL = ROOT / "citizen_portal"
LOCALE = SERVER / "locale"
ERROR_CLASSES = {"DomainError", "NotFound", "Forbidden", "Conflict", "Invalid", "Unauthenticated", "TooManyAttempts"}
# Files whose every Vietnamese string literal is a message shown to people (tables of messages).
MESSAGE_TABLES = [
    SERVER / "lib" / "responses.py", SERVER / "tasks" / "controllers.py", SERVER / "tasks" / "refusals.py",
]
VIETNAMESE = re.compile(r"[ạảãàáâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữíìỉĩịúùủũụýỳỷỹỵóòỏõọéèẻẽẹ]", re.I)


def template_messages() -> Iterator[tuple[str, str]]:
    method_map = [("**/templates/**.html", "jinja2.ext:babel_extract")]
    for root in (SERVER, PORTAL):
        if not root.is_dir():
            continue
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map=method_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
        ):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    yield f"{root.name}/{filename}", text


def _string(node: ast.AST, module: dict[str, object]) -> str | None:
    """A literal, or an f-string whose names are the module's constants (rendered the way Python will)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue) and getattr(value.value, "id", None) in module:
                parts.append(str(module[value.value.id]))  # type: ignore[attr-defined]
            else:
                return None
        return "".join(parts)
    return None


def _constants(tree: ast.Module) -> dict[str, object]:
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value.value
    return values


def _name(func: ast.AST) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def python_messages() -> Iterator[tuple[str, str]]:
    for path in sorted([*SERVER.rglob("*.py"), *PORTAL.rglob("*.py")]):
        if "piccolo_migrations" in path.parts:
            continue
        where = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = _constants(tree)
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                if name in ERROR_CLASSES and len(node.args) >= 2:
                    text = _string(node.args[1], module)
                    if text:
                        yield where, text
                elif name in {"_", "gettext"} and node.args:
                    text = _string(node.args[0], module)
                    if text:
                        yield where, text
                for keyword in node.keywords:
                    if keyword.arg == "detail" and (text := _string(keyword.value, module)) and VIETNAMESE.search(text):
                        yield where, text
            elif (
                path in MESSAGE_TABLES
                and isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and VIETNAMESE.search(node.value)
            ):
                yield where, node.value


def english() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALE / "en" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            merged.update({str(m.id): str(m.string) for m in read_po(handle, locale="en") if m.id})
    return merged


def test_every_message_has_an_english_translation() -> None:
    catalog = english()
    found = [*template_messages(), *python_messages()]
    assert len(found) > 300, "the extraction found too little; is it still looking in the right places?"
    missing = sorted({f"{where}: {text}" for where, text in found if not catalog.get(text, "").strip()})
    assert not missing, "no English for:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    placeholder = re.compile(r"\{(\w*)\}")
    wrong = [
        f"{msgid!r} → {msgstr!r}"
        for msgid, msgstr in english().items()
        if msgstr and sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(msgstr))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_vietnamese_catalog_is_valid() -> None:
    with (LOCALE / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    assert len(catalog) > 0
