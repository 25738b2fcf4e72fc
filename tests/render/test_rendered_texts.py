"""Every kind of text the demo shows, rendered for Slack and Teams in English and Bahasa Indonesia, is free of
mechanical faults (scripts/render_faults.py): untranslated keys, English inside Indonesian, labels the platforms
cut, raw mentions, broken emphasis, escapes shown as typed. The checker is tested on faulty messages first."""

from __future__ import annotations

import asyncio

import pytest

from bot.kernel.i18n import LOCALES, Translator
from bot.kernel.messages import Button, Buttons, Choice, Form, Message, Option, Select, Text, TextInput
from scripts.render_dump import slack_blocks, slack_view, teams_card, teams_form_card
from scripts.render_faults import length_faults, slack_places, teams_places, text_faults
from scripts.render_review import Seen, collect, distinct, faults

MEMBERS = 12  # enough people for every scene (circles, an election, pairs); the full demo has 36


def slack_faults(message: Message, locale: str = "en") -> list[str]:
    t = Translator(locale)
    return text_faults(list(slack_places(slack_blocks(message, t=t))), locale=locale, platform="slack")


def teams_faults(message: Message, locale: str = "en") -> list[str]:
    t = Translator(locale)
    return text_faults(list(teams_places(teams_card(message, t=t))), locale=locale, platform="teams")


def test_a_key_left_in_the_text_is_found_on_both_platforms() -> None:
    message = Message(text="x", blocks=(Text("Pendaftaran dibuka. enroll.joined"),))
    assert any("untranslated key 'enroll.joined'" in f for f in slack_faults(message, "id"))
    assert any("untranslated key 'enroll.joined'" in f for f in teams_faults(message, "id"))
    assert not slack_faults(Message(text="x", blocks=(Text("See https://meet.example.com/a.b and file.csv"),)))


def test_english_inside_indonesian_is_found() -> None:
    english = Translator("en")("trust.form_invalid")  # a sentence the Indonesian catalog translates
    leaked = Message(text="x", blocks=(Text(f"Halo. {english}"),))
    assert any("English in id" in f for f in slack_faults(leaked, "id"))
    assert not any("English in id" in f for f in slack_faults(leaked, "en"))
    translated = Message(text="x", blocks=(Text(Translator("id")("trust.form_invalid")),))
    assert not slack_faults(translated, "id")


def test_raw_mentions_emphasis_and_escapes_are_found() -> None:
    unbalanced = Message(text="x", blocks=(Text("*Apa yang diminta dari peran ini\nbaris"),))
    assert any("unbalanced *" in f for f in slack_faults(unbalanced))
    assert any("stray *" in f for f in teams_faults(unbalanced))
    assert not slack_faults(Message(text="x", blocks=(Text("*Heading*\n`session log` is fine"),)))
    button = Message(text="x", blocks=(Buttons((Button("Use `goal set` & more", "goal.set"),)),))
    assert any("backticks show as typed" in f for f in slack_faults(button))
    # Teams: an unknown id stays visible as @id, never as a raw <@…> tag.
    assert not any("raw <@" in f for f in teams_faults(Message(text="x", blocks=(Text("Hi <@U999>"),))))
    assert any("raw <@" in f for f in text_faults([("markdown", "Hi <@U1>")], locale="en", platform="teams"))
    assert any("escape shows" in f for f in text_faults([("button", "R&amp;D")], locale="en", platform="slack"))
    assert any("punctuation" in f for f in text_faults([("markdown", "Selesai?.")], locale="id", platform="teams"))


def test_labels_the_platforms_cut_are_found() -> None:
    long = "Mentor: saya karyawan junior yang mengajari rekan senior (keterampilan digital, sudut pandang baru)"
    form = Form("f", "A title far longer than Slack allows", (Select("role", "Role", (Option(long, "mentor"),)),),
                submit="Save")
    found = length_faults(form)
    assert any("modal title" in f for f in found) and any("menu option" in f for f in found)
    message = Message(text="x", blocks=(Buttons((Button("x" * 76, "a"),)), Choice("c", (Option("y" * 76, "1"),))))
    assert len(length_faults(message)) == 2


def test_a_question_label_reads_well_in_the_teams_required_message() -> None:
    inputs = (TextInput("goal", "Tujuan: apa yang ingin dicapai organisasi?"),
              TextInput("q", "Seberapa bermanfaat sesi ini?"), TextInput("name", "Nama"))
    form = Form("f", "Judul", inputs, submit="Kirim")
    card = teams_form_card(form, t=Translator("id"))
    messages = {e["id"]: e["errorMessage"] for e in card["body"] if "errorMessage" in e}
    assert messages == {"f_goal": "Mohon isi Tujuan.", "f_q": "Mohon jawab pertanyaan ini.",
                        "f_name": "Mohon isi Nama."}
    assert not text_faults(list(teams_places(card)), locale="id", platform="teams")
    assert not text_faults(list(slack_places(slack_view(form, t=Translator("id")))), locale="id", platform="slack")


@pytest.fixture(scope="module")
def reviewed() -> dict[str, list[tuple[Seen, int]]]:
    """The demo once per language (every person speaking it), one of each kind of text it shows."""
    from adapters.demo_people import people

    names = [p.name for p in people(MEMBERS)]
    return {locale: distinct(asyncio.run(collect(locale, members=MEMBERS)), names=names) for locale in LOCALES}


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["slack", "teams"])
@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_of_the_demo_renders_without_mechanical_faults(
    reviewed: dict[str, list[tuple[Seen, int]]], locale: str, platform: str,
) -> None:
    items = reviewed[locale]
    kinds = {(item.form.form_id if item.form else "message") for item, _ in items}
    # What the review must cover: a member's, a moderator's and an admin's texts, and a form of each kind.
    assert {"program.create", "agreement", "feedback.poll", "checkin.answer"} <= kinds, kinds
    assert len(items) > 100
    t = Translator(locale)
    found = [f"{item.where}: {fault}" for item, _ in items for fault in faults(item, platform=platform, t=t)]
    assert not found, "\n".join(found[:40])
