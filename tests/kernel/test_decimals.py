"""Decimals read as each language writes them: a comma in Indonesian ('4,3/5'), a point in English."""

from __future__ import annotations

from bot.kernel.i18n import Translator, decimal


def test_indonesian_writes_a_decimal_comma() -> None:
    assert decimal(4.3, "id") == "4,3"
    assert decimal(4.3, "en") == "4.3"


def test_signed_changes_keep_their_sign_in_both_languages() -> None:
    assert decimal(0.5, "en", signed=True) == "+0.5"
    assert decimal(-1.2, "id", signed=True) == "-1,2"


def test_no_thousands_separator_inside_a_score() -> None:
    assert Translator("id").decimal(1234.5) == "1234,5"
