"""Vietnamese first, English second. Message ids are the Vietnamese text; the `en` catalog translates them.

Catalogs are Babel .po files under server/locale, read once per process (no compile step to forget).
The locale of the current request lives in a context variable set by `LocaleMiddleware`.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import Format

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def _catalog(locale: str) -> dict[str, str]:
    """Every .po file of the locale, merged: each area of the product keeps its own catalog file."""
    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        merged.update({str(m.id): str(m.string) for m in catalog if m.id and m.string})
    return merged


def gettext(message: str, **values: object) -> str:
    translated = _catalog(current_locale.get()).get(message, message)
    return translated.format(**values) if values else translated


_ = gettext


def gettext_in(locale: str, message: str, **values: object) -> str:
    """`message` in a given person's language, whatever the current request's (a notice for someone else)."""
    token = current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        return gettext(message, **values)
    finally:
        current_locale.reset(token)


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    return gettext(singular if n == 1 else plural, n=n, **values)


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()[:2]
    return value if value in LOCALES else None


def format_date(value: object) -> str:
    """dd/mm/yyyy in both locales, as Vietnamese officials write dates."""
    import datetime as dt

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        from server.lib.clock import VN_TZ, as_utc

        value = as_utc(value).astimezone(VN_TZ)
    return value.strftime("%d/%m/%Y")  # type: ignore[union-attr]


def format_datetime(value: object) -> str:
    import datetime as dt

    from server.lib.clock import VN_TZ, as_utc

    if not isinstance(value, dt.datetime):
        return format_date(value)
    return as_utc(value).astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def format_percent(value: float | None) -> str:
    if value is None:
        return "—"
    return Format(current_locale.get()).percent(value, "#,##0.#%")


def format_number(value: float | None, decimals: int | None = None) -> str:
    """A number in the current locale: 1.250 and 0,5 in Vietnamese, 1,250 and 0.5 in English.

    `decimals` fixes the digits after the separator (a median of days: 0,0); None keeps up to three.
    """
    if value is None:
        return "—"
    from babel.numbers import format_decimal

    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=current_locale.get())
