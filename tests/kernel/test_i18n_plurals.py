"""Counted texts take the plural form of the reader's language, from compiled gettext catalogs."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from babel.support import Translations

from bot.kernel.i18n import LOCALES, Translator, catalog, normalise_locale, resolve_locale, translate_n
from bot.kernel.i18n.compiled import compile_po, domain_files, load_translations, mo_bytes

LOCALES_DIR = Path(__file__).resolve().parents[2] / "bot" / "kernel" / "i18n" / "locales"


def test_english_singular_and_plural() -> None:
    t = Translator("en")
    assert t.n("themes.result_line", 1, title="Feedback", votes=1) == "• Feedback: 1 vote"
    assert t.n("themes.result_line", 2, title="Feedback", votes=2) == "• Feedback: 2 votes"
    assert t.n("themes.result_line", 0, title="Feedback", votes=0) == "• Feedback: 0 votes"
    assert t.n("calendar.every_week", 1, count=1) == "1 session, every week."
    one = t.n("formation.summary", 1, program="P", circles=1, placed=4, unplaced=0, satisfaction=90)
    assert "1 circle formed" in one and "circles" not in one
    assert "3 circles formed" in t.n("formation.summary", 3, program="P", circles=3, placed=12, unplaced=1,
                                     satisfaction=80)
    assert t.n("program_home.digest_risk_spaces", 1, count=1).startswith("1 circle needs attention: it has")
    goals = {"members": 36, "before": 20, "now": 40, "weeks": 4}
    assert t.n("goals.digest.line", 1, count=1, **goals).startswith("1 of 36 members has set a goal;")
    assert t.n("goals.digest.line", 3, count=3, **goals).startswith("3 of 36 members have set a goal;")


def test_indonesian_has_one_form() -> None:
    t = Translator("id")
    assert t.n("themes.result_line", 1, title="Umpan balik", votes=1) == "• Umpan balik: 1 suara"
    assert t.n("themes.result_line", 5, title="Umpan balik", votes=5) == "• Umpan balik: 5 suara"
    assert t.n("calendar.every_two_weeks", 1, count=1) == "1 sesi, setiap dua minggu."


def test_program_state_is_a_label_not_a_sentence_fragment() -> None:
    line = Translator("en").n("program.line", 1, program="Lead", slug="lead",
                              state=Translator("en")("state_label.draft"), count=1)
    assert line == "• Lead (lead): Draft, 1 member enrolled"
    assert Translator("id")("state_label.enrolling") == "Pendaftaran dibuka"
    fragment = Translator("id")("circles_intake.not_running", program="Lead", state=Translator("id")("state.enrolling"))
    assert fragment.startswith("Lead sedang membuka pendaftaran: ")


def test_unknown_plural_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        translate_n("no.such.key", 2, "id")
    with pytest.raises(KeyError):
        translate_n("leave.done", 2, "en", program="X")  # a plain entry is not a counted one


@pytest.mark.parametrize("locale", LOCALES)
def test_every_domain_file_is_loaded(locale: str) -> None:
    """A domain file another capability adds (slack_install.po, ...) is picked up without registering it."""
    loaded = load_translations(locale)
    for po in domain_files(locale):
        own = Translations(fp=io.BytesIO(compile_po(po)))
        keys = [k for k in own._catalog if k]  # type: ignore[attr-defined]
        assert keys and all(loaded._catalog.get(k) == own._catalog[k] for k in keys), po.name  # type: ignore[attr-defined]


@pytest.mark.parametrize(("locale", "forms"), [("en", [1, 0, 1, 1]), ("id", [0, 0, 0, 0])])
def test_the_languages_own_plural_rule_applies(locale: str, forms: list[int]) -> None:
    """Indonesian has one form whatever a domain file's header says (a copied English header must not matter)."""
    assert [load_translations(locale).plural(n) for n in (0, 1, 2, 21)] == forms
    for po in domain_files(locale):  # files with counted texts must say so themselves too, for pybabel's .mo
        if "msgid_plural" in po.read_text(encoding="utf-8"):
            compiled = Translations(fp=io.BytesIO(compile_po(po)))
            assert [compiled.plural(n) for n in (0, 1, 2, 21)] == forms, po.name


def test_missing_or_stale_mo_is_compiled_from_its_po(tmp_path: Path) -> None:
    source = LOCALES_DIR / "id" / "LC_MESSAGES" / "words.po"
    po = tmp_path / "id" / "LC_MESSAGES" / "words.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(source.read_bytes())
    mo = po.with_suffix(".mo")
    assert not mo.exists()
    first = mo_bytes(po)
    assert mo.read_bytes() == first  # compiled and saved beside the .po
    po.write_text(po.read_text(encoding="utf-8").replace('"Draf"', '"Rancangan"'), encoding="utf-8")
    later = time.time() + 5
    os.utime(po, (later, later))  # the .po is now newer than its .mo
    fresh = Translations(fp=io.BytesIO(mo_bytes(po)))
    assert fresh.gettext("state_label.draft") == "Rancangan"
    assert Translations(fp=mo.open("rb")).gettext("state_label.draft") == "Rancangan"


def test_up_to_date_mo_is_used_as_it_is(tmp_path: Path) -> None:
    po = tmp_path / "words.po"
    po.write_bytes((LOCALES_DIR / "en" / "LC_MESSAGES" / "words.po").read_bytes())
    mo = po.with_suffix(".mo")
    mo.write_bytes(b"not compiled from this po")
    later = time.time() + 5
    os.utime(mo, (later, later))
    assert mo_bytes(po) == b"not compiled from this po"


def test_no_key_is_missing_in_either_language() -> None:
    assert set(catalog("en")) == set(catalog("id"))
    assert "state_label.closed" in catalog("id")


def test_a_locale_that_is_not_a_string_is_no_language() -> None:
    # A client's activity may carry a number or a flag where its locale belongs (found by tests/teams/test_fuzz.py).
    assert normalise_locale(True) is None and normalise_locale(1.5) is None
    assert resolve_locale(False, 7, "id-ID") == "id"
