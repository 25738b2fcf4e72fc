"""Translations (Babel catalogs, English and Bahasa Indonesia) and locale-aware dates.

Catalog message ids are stable keys ("enroll.joined"); texts use str.format placeholders.
The member's locale wins, then the workspace's, then English.
"""

from __future__ import annotations

import string
from datetime import datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.messages.pofile import read_po

LOCALES: tuple[str, ...] = ("en", "id")
DEFAULT_LOCALE = "en"
_BABEL_LOCALE = {"en": "en_GB", "id": "id_ID"}


@cache
def catalog(locale: str) -> dict[str, str]:
    """Every domain file (messages.po, circles.po, ...) of the locale, merged: each capability keeps its own."""
    folder = resources.files("bot.kernel.i18n") / "locales" / locale / "LC_MESSAGES"
    merged: dict[str, str] = {}
    for path in sorted((p for p in folder.iterdir() if p.name.endswith(".po")), key=lambda p: p.name):
        with path.open("rb") as handle:
            parsed = read_po(handle, locale=locale)
        merged.update({str(m.id): str(m.string) for m in parsed if m.id and m.string})
    return merged


def normalise_locale(value: str | None) -> str | None:
    """'id-ID', 'in', 'id_ID', 'en-US' -> 'id' / 'en'; None for anything we do not speak."""
    if not value:
        return None
    base = value.replace("_", "-").split("-")[0].lower()
    base = {"in": "id"}.get(base, base)  # Java and some platforms still say "in" for Indonesian
    return base if base in LOCALES else None


def resolve_locale(*candidates: str | None) -> str:
    for candidate in candidates:
        found = normalise_locale(candidate)
        if found:
            return found
    return DEFAULT_LOCALE


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def translate(key: str, locale: str, /, **params: object) -> str:
    text = catalog(locale).get(key) or catalog(DEFAULT_LOCALE).get(key)
    if text is None:
        raise KeyError(f"missing i18n key {key!r}")
    return text.format(**params) if params else text


def format_moment(moment: datetime, *, timezone: str, locale: str) -> str:
    """'Wed, 3 Dec 2025, 10:00 WIB' in the reader's own zone and language."""
    zone = ZoneInfo(timezone)
    return babel_format_datetime(
        moment.astimezone(zone), "EEE, d MMM y, HH:mm zzz", tzinfo=zone, locale=_BABEL_LOCALE[locale]
    )


class Translator:
    """Bound to one reader's locale, so handlers write t("key", name=...)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, key: str, /, **params: object) -> str:
        return translate(key, self.locale, **params)
