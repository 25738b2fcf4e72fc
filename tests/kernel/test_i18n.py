"""Every message exists in English and Bahasa Indonesia with the same placeholders, and code uses only known keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.kernel.i18n import LOCALES, catalog, format_moment, placeholders, plural_forms, resolve_locale, translate

ROOT = Path(__file__).resolve().parents[2]
# t("key"), ctx.t("key"), UserError("key"), NotAllowed("key"), translate("key", ...): literal keys only.
KEY_USE = re.compile(
    r"""(?:\bt|\bt\.n|translate|translate_n|UserError|NotAllowed)\(\s*["']([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)["']""")


def test_both_languages_have_the_same_keys() -> None:
    en, id_ = catalog("en"), catalog("id")
    assert sorted(set(en) - set(id_)) == [], "missing in Bahasa Indonesia"
    assert sorted(set(id_) - set(en)) == [], "missing in English"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match_english(locale: str) -> None:
    en = catalog("en")
    mismatched = {k: v for k, v in catalog(locale).items() if placeholders(v) != placeholders(en[k])}
    assert mismatched == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_plural_form_has_the_english_placeholders(locale: str) -> None:
    english = {key: placeholders(forms[-1]) for key, forms in plural_forms("en").items()}
    assert sorted(plural_forms(locale)) == sorted(english)
    mismatched = {k: f for k, forms in plural_forms(locale).items() for f in forms if placeholders(f) != english[k]}
    assert mismatched == {}


def test_every_key_used_in_code_exists() -> None:
    known = set(catalog("en"))
    used: dict[str, str] = {}
    for folder in ("bot", "adapters", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in KEY_USE.findall(path.read_text(encoding="utf-8")):
                used.setdefault(key, str(path.relative_to(ROOT)))
    missing = {k: where for k, where in used.items() if k not in known}
    assert missing == {}
    assert len(used) > 20  # the scan itself works


def test_locale_resolution_order() -> None:
    assert resolve_locale("id-ID", "en") == "id"
    assert resolve_locale(None, "in") == "id"
    assert resolve_locale("fr", None, "id") == "id"
    assert resolve_locale(None, None) == "en"


def test_translate_and_dates() -> None:
    assert translate("leave.done", "id", program="X").startswith("Anda sudah keluar dari X")
    from datetime import UTC, datetime

    moment = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)
    assert format_moment(moment, timezone="Asia/Jakarta", locale="id") == "Rab, 4 Mar 2026, 10:00 WIB"
    assert format_moment(moment, timezone="Asia/Jakarta", locale="en") == "Wed, 4 Mar 2026, 10:00 WIB"
