"""Templates → (subject, text, HTML). One Jinja2 file per event and locale under server/mail/templates/<locale>/;
each extends the locale's `_layout.jinja`, which renders the subject, the plain-text part or the HTML part
depending on `part`. Autoescaping is off because two of the three parts are plain text; the HTML part escapes
through the `paragraphs` filter and `| e`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup, escape

from server.lib.i18n import DEFAULT_LOCALE, LOCALES

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
MAX_SUBJECT = 250

# Notification kinds that share a template.
KIND_TEMPLATES = {
    "due_before": "due",
    "due_today": "due",
    "escalate_head": "escalation",
    "escalate_leader": "escalation",
    "extension_approved": "extension_decided",
    "extension_rejected": "extension_decided",
    "report_due_soon": "report_due",
    "report_due_today": "report_due",
    "report_overdue": "report_due",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _paragraphs(value: str) -> Markup:
    """Plain text → escaped HTML paragraphs (blank line) with line breaks (single newline)."""
    blocks = [block.strip() for block in str(value).replace("\r\n", "\n").split("\n\n")]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in block.split("\n")))
        for block in blocks
        if block
    )


def _paragraphs_inline(value: str) -> Markup:
    return Markup("<br>\n").join(escape(line) for line in str(value).split("\n"))


class _Lenient(StrictUndefined):
    """A missing value renders as nothing (a mail is still sent); tests render every template strictly."""

    def __str__(self) -> str:
        return ""

    def __bool__(self) -> bool:
        return False


@cache
def environment(strict: bool = False) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=False,
        keep_trailing_newline=False,
        undefined=StrictUndefined if strict else _Lenient,
    )
    env.filters["paragraphs"] = _paragraphs
    env.filters["paragraphs_inline"] = _paragraphs_inline
    return env


def template_for(kind: str) -> str:
    return KIND_TEMPLATES.get(kind, kind)


def render(template: str, locale: str, context: dict[str, Any], *, strict: bool = False) -> Rendered:
    """Render one e-mail in the person's locale (Vietnamese when the locale or its variant is missing)."""
    from server.settings import get_settings

    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    env = environment(strict)
    try:
        compiled = env.get_template(f"{locale}/{template}.jinja")
    except TemplateNotFound:
        compiled = env.get_template(f"{locale}/generic.jinja")
    values = {"base_url": get_settings().base_url, "title": "", "body": "", "link": "", "person_name": "",
              **context}
    subject = " ".join(compiled.render(part="subject", **values).split())[:MAX_SUBJECT]
    text = compiled.render(part="text", **values).strip() + "\n"
    html = compiled.render(part="html", **values).strip() + "\n"
    return Rendered(subject, _tidy(text), html)


def _tidy(text: str) -> str:
    """At most one blank line in a row (the templates' conditionals leave some)."""
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip() if line != "-- " else line
        if line == "" and lines and lines[-1] == "":
            continue
        lines.append(line)
    return "\n".join(lines)
