"""Card markdown on Teams: the core's `command` and *heading* markup read as bold, never as literal backticks or
asterisks, and never open a way to links or mentions."""

from __future__ import annotations

import json

from adapters.signing import PayloadSigner, Scope, Seal
from adapters.teams.cards import message_card
from adapters.teams.outbound import card_activity
from adapters.teams.text import markup
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Fields, Message, sectioned

SEAL = Seal(PayloadSigner(key="test-key"), Scope("teams", "tenant-1", None))


def _texts(card: dict) -> list[str]:  # type: ignore[type-arg]
    return [e["text"] for e in card["body"] if e["type"] == "TextBlock"]


def test_commands_in_catalog_texts_are_bold_in_both_languages() -> None:
    for locale in ("en", "id"):
        t = Translator(locale)
        text = t("program.created", program="ACC Circles", slug="acc-circles")
        card = message_card(Message(text=text), t=t, people={})
        [shown] = _texts(card)
        assert "`" not in json.dumps(card, ensure_ascii=False)
        assert "**program open acc-circles**" in shown
        assert "`" not in (card_activity(card, summary=text).summary or "")  # the notification's text too


def test_a_guide_heading_is_bold_not_starred() -> None:
    message = sectioned("Kit", "Before the session", [("Ground rules", "What is said here stays here.")])
    texts = _texts(message_card(message, t=Translator("en"), people={}))
    assert texts[-1] == "**Ground rules**\n\nWhat is said here stays here."


def test_markup_never_lets_a_link_or_mention_through() -> None:
    assert markup("`[x](https://evil.example)` and <at>Sari</at>") == (
        "**\\[x\\](https://evil.example)** and \\<at\\>Sari\\</at\\>")
    assert markup("*not* a heading *here*") == "\\*not\\* a heading \\*here\\*"  # only a whole line is a heading
    assert markup("a ` lone backtick") == "a \\` lone backtick"


def test_plain_places_drop_the_backticks() -> None:
    message = Message(text="x", blocks=(Buttons((Button("Type `join`", "join:1"),)),
                                        Fields((("Next", "Type `status`"),))))
    card = message_card(message, t=Translator("en"), people={}, seal=SEAL)
    [button] = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert button["title"] == "Type join" and button["fallback"]["title"] == "Type join"
    [facts] = [e for e in card["body"] if e["type"] == "FactSet"]
    assert facts["facts"][0]["value"] == "Type status"
