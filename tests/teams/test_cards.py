"""Rendering: user text stays literal in cards, mentions only where the core put them, size within limits."""

from __future__ import annotations

import json

from adapters.signing import PayloadSigner, Scope, Seal
from adapters.teams.cards import message_card
from adapters.teams.form_cards import decode_form, encode_form, form_card
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.text import Person, escape
from bot.kernel.i18n import Translator
from bot.kernel.messages import (
    Button,
    Buttons,
    Choice,
    Context,
    DateInput,
    Divider,
    Fields,
    Form,
    Header,
    Message,
    MultiSelect,
    Number,
    Option,
    Select,
    Text,
    TextInput,
)
from bot.kernel.ports import Target
from tests.teams.activities import BUDI, SARI, TENANT, installed_personally
from tests.teams.conftest import Teams
from tests.teams.mock_connector import MockConnector

T = Translator("en")
SEAL = Seal(PayloadSigner(key="test-key"), Scope("teams", "tenant-1", "user-1"))
MALICIOUS = ('**Free** [click here](https://evil.example/phish) <at>Sari Wulandari</at> '
             '![x](https://evil.example/i.png) {{DATE(2026-01-01T00:00:00Z, SHORT)}} `code` ~~gone~~ '
             '"}], "actions": [{"type": "Action.OpenUrl"}]')


def test_escape_keeps_markdown_and_tags_literal() -> None:
    escaped = escape(MALICIOUS)
    assert "\\*\\*Free\\*\\*" in escaped and "\\[click here\\](https://evil.example/phish)" in escaped
    assert "<at>" not in escaped and "\\<at\\>" in escaped
    assert "{{" not in escaped and "\\`code\\`" in escaped and "\\~\\~gone\\~\\~" in escaped
    assert escape("1. first\n- second\n# third\n> quote") == "1\\. first\n\n\\- second\n\n\\# third\n\n\\> quote"


async def test_malicious_text_reaches_teams_literal_with_only_the_real_mention(
    client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    await client.post(installed_personally(connector.url, SARI))
    message = Message(text=f"New theme by <@{BUDI.aad}>: {MALICIOUS}", blocks=(
        Header(f"Theme: {MALICIOUS}"),
        Text(f"Proposed by <@{BUDI.aad}>: {MALICIOUS}"),
        Fields(((MALICIOUS, MALICIOUS),)),
        Buttons((Button(MALICIOUS, "theme.vote:1"),)),
        Choice("theme.vote:1", (Option(MALICIOUS, "1"),), label=MALICIOUS),
        Context(f"<@not-a-member> {MALICIOUS}"),
    ))
    await teams.send(Target(platform="teams", workspace_id=TENANT, kind="user", ref=SARI.aad), message)
    card = connector.messages()[-1].card

    assert card["msteams"]["entities"] == [{"type": "mention", "text": "<at>Budi Santoso</at>",
                                            "mentioned": {"id": BUDI.teams_id, "name": "Budi Santoso"}}]
    raw = json.dumps(card)
    assert raw.count("<at>") == 2  # the mention the core made, and its entity; every typed one is broken
    assert "Action.OpenUrl" not in [a.get("type") for a in _actions(card)]
    assert [a["data"]["action_id"] for a in _actions(card)] == ["theme.vote:1", "theme.vote:1"]
    seal = teams.seal(TENANT)  # values come back signed for their action and tenant
    assert [seal.read_value("theme.vote:1", a["data"]["value"]) for a in _actions(card)] == ["", "1"]
    texts = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
    assert all("[click here](" not in t and "**Free**" not in t for t in texts)
    assert "@not-a-member" in texts[-1]  # an id nobody has stays plain text


def _actions(card: dict) -> list[dict]:  # type: ignore[type-arg]
    return [a for e in card["body"] if e.get("type") == "ActionSet" for a in e["actions"]]


async def test_a_large_message_fits_in_one_teams_message(
    client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    blocks = [Header("Digest: Leadership Circles")]
    for n in range(120):
        blocks += [Text(f"Circle {n}: " + "Diskusi yang sangat produktif tentang umpan balik 👍 " * 12), Divider()]
    blocks.append(Fields(tuple((f"Member {n}", "attended 9 of 12 sessions ✓") for n in range(300))))
    message = Message(text="Digest", blocks=tuple(blocks))
    await teams.send(Target(platform="teams", workspace_id=TENANT, kind="user", ref=BUDI.aad), message)

    sent = connector.messages()[-1]
    size = len(json.dumps(sent.body, ensure_ascii=False).encode("utf-8"))
    assert size < 25_000  # Teams refuses messages over about 28 KB
    texts = sent.texts()
    assert texts[0] == "Digest: Leadership Circles" and "Circle 0:" in texts[1]
    assert "Shortened" in texts[-1]  # says it was cut, never silently


def test_choice_buttons_mark_the_members_own_choice() -> None:
    card = message_card(Message(text="vote", blocks=(
        Choice("elect.vote:3", (Option("Budi", "11"), Option("Sari", "12")), label="Who moderates?",
               selected=("12",)),)), t=T, people={}, seal=SEAL)
    [action_set] = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert [(a["title"], a.get("style"), SEAL.read_value("elect.vote:3", a["data"]["value"]))
            for a in action_set["actions"]] == [("Budi", None, "11"), ("✓ Sari", "positive", "12")]


def test_every_form_input_type_renders_and_round_trips() -> None:
    from datetime import date

    form = Form(form_id="program", title="New program", submit="Create", state="s1", intro="Fill <@x> in",
                inputs=(TextInput("name", "Name", initial="Lead"), Select("format", "Format", (Option("Circles", "c"),),
                        initial="c"), MultiSelect("days", "Days", (Option("Mon", "0"), Option("Tue", "1")),
                        initial=("1",)), Number("weeks", "Weeks", initial=12, min_value=1, max_value=52),
                        DateInput("start", "Start", initial=date(2026, 1, 12), optional=True)))
    assert decode_form(json.loads(json.dumps(encode_form(form)))) == form
    card = form_card(form, t=T, seal=SEAL, people={"x": Person("x", "Sari", "29:x")},
                     errors={"weeks": "Too many weeks"},
                     values={"name": "Lead 2", "days": ["0", "1"], "weeks": "99", "start": None})
    inputs = {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}
    assert [inputs[i]["type"] for i in ("f_name", "f_format", "f_days", "f_weeks", "f_start")] == [
        "Input.Text", "Input.ChoiceSet", "Input.ChoiceSet", "Input.Number", "Input.Date"]
    assert inputs["f_days"]["isMultiSelect"] is True and inputs["f_days"]["value"] == "0,1"
    assert inputs["f_weeks"]["value"] == 99 and "value" not in inputs["f_start"]  # a number, as Teams needs
    assert "isRequired" not in inputs["f_start"] and inputs["f_name"]["isRequired"] is True
    ids = [e.get("id") for e in card["body"]]
    assert card["body"][ids.index("f_weeks") + 1]["text"] == "Too many weeks"
    assert card["msteams"]["entities"][0]["mentioned"]["id"] == "29:x"
    assert card["actions"][0]["data"]["multi"] == ["days"]
