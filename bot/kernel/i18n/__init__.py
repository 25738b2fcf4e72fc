"""Translations (compiled gettext catalogs, English and Bahasa Indonesia) and locale-aware dates.

Catalog message ids are stable keys ("enroll.joined"); texts use str.format placeholders. A text that counts
something is a plural entry (msgid_plural) chosen with ngettext: t.n("formation.summary", circles, ...).
The member's locale wins, then the workspace's, then English.
"""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_interval
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import Translations

from bot.kernel.i18n.compiled import load_translations

LOCALES: tuple[str, ...] = ("en", "id")
DEFAULT_LOCALE = "en"
_BABEL_LOCALE = {"en": "en_GB", "id": "id_ID"}


@cache
def translations(locale: str) -> Translations:
    return load_translations(locale)


def _entries(locale: str) -> dict[str | tuple[str, int], str]:
    entries: dict[str | tuple[str, int], str] = translations(locale)._catalog  # type: ignore[attr-defined]
    return entries


@cache
def plural_forms(locale: str) -> dict[str, tuple[str, ...]]:
    """Every plural entry of the locale: key -> its forms in the catalog's plural order."""
    found: dict[str, dict[int, str]] = {}
    for entry, text in _entries(locale).items():
        if isinstance(entry, tuple) and entry[0]:
            found.setdefault(entry[0], {})[entry[1]] = text
    return {key: tuple(forms[i] for i in sorted(forms)) for key, forms in found.items()}


@cache
def catalog(locale: str) -> dict[str, str]:
    """Key -> text of every entry (a plural entry shows its first form); the header entry is left out."""
    texts = {entry: text for entry, text in _entries(locale).items() if isinstance(entry, str) and entry}
    texts.update({key: forms[0] for key, forms in plural_forms(locale).items()})
    return texts


def normalise_locale(value: object) -> str | None:
    """'id-ID', 'in', 'id_ID', 'en-US' -> 'id' / 'en'; None for anything we do not speak. A client's locale is typed
    by an attacker: a number or a flag where a string belongs is simply not a language."""
    if not isinstance(value, str) or not value:
        return None
    base = value.replace("_", "-").split("-")[0].lower()
    base = {"in": "id"}.get(base, base)  # Java and some platforms still say "in" for Indonesian
    return base if base in LOCALES else None


def resolve_locale(*candidates: object) -> str:
    for candidate in candidates:
        found = normalise_locale(candidate)
        if found:
            return found
    return DEFAULT_LOCALE


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def name_list(items: list[str], locale: str) -> str:
    """'Budi, Indah and Yusuf' / 'Budi, Indah, dan Yusuf': a list as the language joins it."""
    return str(format_list(items, locale=_BABEL_LOCALE.get(locale, _BABEL_LOCALE[DEFAULT_LOCALE])))


# Indonesian writes ordinals 1-10 as words ("pertemuan pertama", "urutan ketiga") and larger ones as "ke-11".
_ORDINAL_WORDS = {"id": ("pertama", "kedua", "ketiga", "keempat", "kelima", "keenam", "ketujuh", "kedelapan",
                         "kesembilan", "kesepuluh")}


def ordinal(number: int, locale: str) -> str:
    """The ordinal of number as the language writes it: 'pertama' ... 'kesepuluh', 'ke-11' in Indonesian;
    '1st', '2nd', '11th', '23rd' in English."""
    words = _ORDINAL_WORDS.get(locale)
    if words is not None:
        return words[number - 1] if 1 <= number <= len(words) else f"ke-{number}"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class _Filler(string.Formatter):
    """str.format plus `{n:ordinal}`, so a catalog text says "pertemuan {meeting:ordinal}" where its language
    wants an ordinal word and another language keeps the plain number."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec == "ordinal":  # a number typed as text still reads as one; anything else as itself
            number = value if isinstance(value, int) else int(str(value)) if str(value).isdigit() else None
            return ordinal(number, self.locale) if number is not None else str(value)
        return str(super().format_field(value, format_spec))


def _fill(text: str, locale: str, params: dict[str, object]) -> str:
    return _Filler(locale).vformat(text, (), params) if ":ordinal}" in text else text.format(**params)


def translate(key: str, locale: str, /, **params: object) -> str:
    found = catalog(locale).get(key)
    text = found or catalog(DEFAULT_LOCALE).get(key)
    if text is None:
        raise KeyError(f"missing i18n key {key!r}")
    return _fill(text, locale if found else DEFAULT_LOCALE, params) if params else text


def translate_n(key: str, count: int, locale: str, /, **params: object) -> str:
    """The plural form of key that fits count in the locale (ngettext), then filled in like translate."""
    chosen = locale if key in plural_forms(locale) else DEFAULT_LOCALE
    if key not in plural_forms(chosen):
        raise KeyError(f"missing plural i18n key {key!r}")
    return _fill(translations(chosen).ngettext(key, key, count), chosen, params)


# tzdata keeps letters only for abbreviations people use (WIB, WITA, WIT, GMT, BST, IST, JST, CET); elsewhere it
# writes the offset ("+08"). One it keeps but a reader abroad would misread goes by its offset too.
_MISLEADING = {("PST", timedelta(hours=8))}  # Manila's "PST" is not Pacific time


def zone_label(moment: datetime, timezone: str) -> str:
    """The zone as a reader knows it at that moment: 'WIB', 'WITA', 'GMT', 'BST', else the offset 'UTC+8',
    'UTC+5:45'. The same in every language, so a member never sees '+0700' in one message and 'WIB' in another."""
    try:
        local = moment.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):  # a zone no longer known here: say it as it was given
        return timezone
    name, offset = local.tzname() or "", local.utcoffset() or timedelta(0)
    if name.isalpha() and (name, offset) not in _MISLEADING:
        return name
    minutes = int(offset.total_seconds()) // 60
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def format_moment(moment: datetime, *, timezone: str, locale: str) -> str:
    """'Wed, 3 Dec 2025, 10:00 WIB' in the reader's own zone and language; the zone as zone_label says it."""
    zone = ZoneInfo(timezone)
    local = babel_format_datetime(moment.astimezone(zone), "EEE, d MMM y, HH:mm", tzinfo=zone,
                                  locale=_BABEL_LOCALE[locale])
    return f"{local} {zone_label(moment, timezone)}"


def format_days(first: date, last: date, *, locale: str) -> str:
    """A span of days as people write it: '9–15 Feb 2026', '26 Jan–1 Feb 2026'; 'Des' in Indonesian."""
    return str(format_interval(first, last, "yMMMd", locale=_BABEL_LOCALE[locale]))


def decimal(value: float, locale: str, *, signed: bool = False) -> str:
    """One decimal as the language writes it: '4.3' in English, '4,3' in Indonesian; signed: '+0.5', '-1,2'."""
    return str(format_decimal(value, format="+0.0;-0.0" if signed else "0.0", locale=_BABEL_LOCALE[locale]))


class Translator:
    """Bound to one reader's locale, so handlers write t("key", name=...)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, key: str, /, **params: object) -> str:
        return translate(key, self.locale, **params)

    def n(self, key: str, count: int, /, **params: object) -> str:
        """A counted text: t.n("themes.result_line", 1, title=..., votes=1) -> "• ...: 1 vote"."""
        return translate_n(key, count, self.locale, **params)

    def decimal(self, value: float, *, signed: bool = False) -> str:
        return decimal(value, self.locale, signed=signed)
