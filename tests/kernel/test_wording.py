"""The i18n kernel's wording helpers: ordinals in words, and one way to name a time zone in every language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.kernel.i18n import Translator, format_moment, ordinal, translate, zone_label

WINTER = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 7, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("number", "indonesian", "english"), [
    (1, "pertama", "1st"), (2, "kedua", "2nd"), (3, "ketiga", "3rd"), (4, "keempat", "4th"),
    (10, "kesepuluh", "10th"), (11, "ke-11", "11th"), (12, "ke-12", "12th"), (13, "ke-13", "13th"),
    (21, "ke-21", "21st"), (22, "ke-22", "22nd"), (111, "ke-111", "111th"),
])
def test_ordinals_in_words_up_to_ten(number: int, indonesian: str, english: str) -> None:
    assert ordinal(number, "id") == indonesian
    assert ordinal(number, "en") == english


def test_a_catalog_text_asks_for_an_ordinal_and_gets_the_word() -> None:
    assert "pertemuan pertama" in translate("pair_running.checkin.title", "id", meeting=1)
    assert "pertemuan ke-11" in translate("pair_running.checkin.title", "id", meeting=11)
    assert "ke-1" not in translate("pair_running.checkin.title", "id", meeting=1)
    waiting = translate("circles_intake.waiting", "id", position=3, program="P", reason="R.")
    assert "urutan ketiga dalam antrean" in waiting
    # English keeps its plain number where its text has one.
    assert "meeting 1" in translate("pair_running.checkin.title", "en", meeting=1).lower()


@pytest.mark.parametrize(("zone", "when", "label"), [
    ("Asia/Jakarta", WINTER, "WIB"), ("Asia/Makassar", WINTER, "WITA"), ("Asia/Jayapura", WINTER, "WIT"),
    ("Europe/London", WINTER, "GMT"), ("Europe/London", SUMMER, "BST"), ("Asia/Kolkata", WINTER, "IST"),
    ("Asia/Singapore", WINTER, "UTC+8"), ("Asia/Kathmandu", WINTER, "UTC+5:45"), ("Asia/Manila", WINTER, "UTC+8"),
    ("America/New_York", WINTER, "EST"), ("UTC", WINTER, "UTC"),
])
def test_a_zone_is_named_once_abbreviation_or_offset(zone: str, when: datetime, label: str) -> None:
    assert zone_label(when, zone) == label


@pytest.mark.parametrize("locale", ["en", "id"])
def test_moments_name_their_zone_the_same_way_in_both_languages(locale: str) -> None:
    jakarta = format_moment(WINTER, timezone="Asia/Jakarta", locale=locale)
    assert jakarta.endswith(" 10:00 WIB") and "+0700" not in jakarta
    assert format_moment(WINTER, timezone="Asia/Singapore", locale=locale).endswith(" 11:00 UTC+8")
    assert format_moment(WINTER, timezone="Europe/London", locale=locale).endswith(" 03:00 GMT")
    assert Translator(locale).locale == locale


def test_withheld_goals_and_sessions_left_count_in_both_languages() -> None:
    en, id_ = Translator("en"), Translator("id")
    assert en.n("goals.digest.withheld", 1, count=1, members=36, k=3).startswith("1 of 36 members has set a goal;")
    assert en.n("goals.digest.withheld", 2, count=2, members=36, k=3).startswith("2 of 36 members have set a goal;")
    assert en.n("goals.kit.withheld", 1, count=1, members=6, k=3).startswith("1 of 6 members has a goal.")
    assert id_.n("goals.kit.withheld", 1, count=1, members=6, k=3).startswith("1 dari 6 anggota memiliki tujuan.")
    one = en.n("agreements.sessions_left", 1, count=1, day="Wed, 1 Apr 2026")
    assert one.startswith("1 session is left before the program ends on Wed, 1 Apr 2026.")
    assert en.n("agreements.sessions_left", 5, count=5, day="X").startswith("5 sessions are left")
    assert id_.n("agreements.sessions_left", 1, count=1, day="X").startswith("Tersisa 1 sesi sebelum program")


# The domains whose texts part "words" keeps (see docs/glossary.md, "Commands").
WORDS_DOMAINS = ("agreements", "circles", "circles_intake", "circles_left", "goals", "kit", "pairs", "pairs_intake",
                 "pair_running", "running", "scripts", "words", "calendar", "messages", "wording")


def test_indonesian_texts_name_the_indonesian_commands() -> None:
    """A command in backticks in an Indonesian text is the one help shows Indonesian readers (`sesi catat`, not
    `session log`), unless the text names an Indonesian alias of it too ("`join` atau `gabung`")."""
    import json
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    from adapters.bootstrap import capabilities
    from bot.kernel.help import local_name

    specs = [spec for capability in capabilities() for spec, _ in capability.commands]
    local = {" ".join(s.path): name for s in specs if (name := local_name(s, "id"))}
    aliases = {" ".join(s.path): {" ".join(a) for a in s.aliases} for s in specs}
    root = Path(__file__).resolve().parents[2]
    texts: list[tuple[str, str]] = []
    for domain in WORDS_DOMAINS:
        with (root / f"bot/kernel/i18n/locales/id/LC_MESSAGES/{domain}.po").open("rb") as handle:
            for message in read_po(handle):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                texts.extend((str(message.id), str(text)) for text in strings if message.id)
    scripts = json.loads((root / "bot/sessions/scripts/circles.json").read_text(encoding="utf-8"))
    texts.extend(("scripts/circles.json", found) for found in re.findall(r'"id": "([^"]*`[^"]*)"', json.dumps(
        scripts, ensure_ascii=False)))
    wrong = []
    for key, text in texts:
        for command in re.findall(r"`([^`]+)`", text):
            for english, name in local.items():
                if (command == english or command.startswith(english + " ")) and not command.startswith(name) \
                        and not any(re.search(rf"`{re.escape(alias)}[` ]", text) for alias in aliases[english]):
                    wrong.append((key, command, name))
    assert wrong == []
    assert local["moderator handover"] == "moderator serahkan" and local["moderator appoint"] == "moderator tunjuk"
    assert local["agreement show"] == "kesepakatan lihat"  # not "kesepakatan show"


def test_a_program_summary_says_its_configured_circle_sizes_in_words() -> None:
    from datetime import date

    from bot.programs.commands import _summary
    from storage.tables import Program

    program = Program(workspace_id=1, name="P", slug="p", start_date=date(2026, 1, 5), size_min=3, size_target=5,
                      size_max=9, created_at=WINTER)
    for locale, label, value in (("en", "Circle size", "3 to 9 members, ideally 5"),
                                 ("id", "Ukuran lingkaran", "3 sampai 9 anggota, idealnya 5")):
        fields = dict(_summary(Translator(locale), program).pairs)
        assert fields[label] == value, fields


def test_slots_and_schedules_name_the_zone_as_dates_do() -> None:
    from bot.pairs.when import slot_text

    assert slot_text(Translator("en"), WINTER, "Asia/Jakarta") == "Wednesday at 10:00 WIB"
    assert slot_text(Translator("id"), WINTER, "Asia/Singapore").endswith("pukul 11:00 UTC+8")
    assert zone_label(WINTER, "Not/A_Zone") == "Not/A_Zone"  # an unknown zone is said as given, never a 500
