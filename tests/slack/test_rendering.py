"""Block Kit and modal rendering: escaping, mentions, and Slack's limits on blocks, texts, titles and menus."""

from __future__ import annotations

from datetime import date

from adapters.signing import PayloadSigner, Scope, Seal
from adapters.slack.blocks import decode_action, encode_action, fallback_text, render
from adapters.slack.modals import Metadata, errors_for, modal, values_of
from adapters.slack.mrkdwn import from_slack, mrkdwn, split_mrkdwn
from bot.kernel.i18n import Translator
from bot.kernel.messages import (
    Button,
    Buttons,
    Choice,
    Context,
    DateInput,
    Fields,
    Form,
    Header,
    Image,
    Message,
    MultiSelect,
    Number,
    Option,
    Select,
    Text,
    TextInput,
)

T = Translator("en")
SEAL = Seal(PayloadSigner(key="test-key"), Scope("slack", "T1", "U1"))
NASTY = "<!channel> <!here|here> <@U2|x> <https://evil.example|click> &amp; *bold*"


def test_user_text_cannot_ping_link_or_mention() -> None:
    rendered = mrkdwn(NASTY)
    assert "<" not in rendered and ">" not in rendered
    assert rendered.startswith("&lt;!channel&gt; &lt;!here|here&gt; &lt;@U2|x&gt; &lt;https://evil.example|click&gt;")
    assert "&amp;amp;" in rendered  # the ampersand itself is escaped too
    assert mrkdwn("Welcome <@U123ABC>!") == "Welcome <@U123ABC>!"  # the core's own mention stays a mention


def test_every_text_of_a_message_is_escaped() -> None:
    message = Message(text=NASTY, blocks=(Header(NASTY), Text(NASTY), Fields(((NASTY, NASTY),)), Context(NASTY),
                                          Buttons((Button(NASTY, "x:1"),)),
                                          Choice("vote:1", (Option(NASTY, "1"),) * 6, label=NASTY)))
    blocks = render(message, t=T)
    mrkdwn_texts: list[str] = []
    plain_texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                mrkdwn_texts.append(node["text"])
                assert node["verbatim"] is True  # no auto-linking of names, channels or URLs either
            elif node.get("type") == "plain_text":
                plain_texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    assert len(mrkdwn_texts) == 4  # section, field, context, the choice's label
    assert all("<" not in t and ">" not in t for t in mrkdwn_texts)
    assert plain_texts  # plain_text is shown as typed by Slack, markup included, and never parsed
    assert "<" not in fallback_text(message)


def test_inbound_command_text_keeps_only_real_mentions() -> None:
    assert from_slack("admin add <@U2|budi> and <@W3>") == "admin add <@U2> and <@W3>"
    assert from_slack("theme propose &lt;@U9&gt; &amp; <!here> <#C1|general> <https://x.example|x>") == (
        "theme propose @U9 & @here #general https://x.example")


def test_long_texts_are_split_into_sections_of_3000() -> None:
    line = "Week notes & <ideas>\n"
    text = line * 400  # 8,400 characters, 12,400 once escaped
    blocks = render(Message(text=text, blocks=(Text(text),)), t=T)
    pieces = [b["text"]["text"] for b in blocks]
    assert all(len(p) <= 3000 for p in pieces) and len(pieces) == 5  # 96 whole lines fit in 3,000
    assert "\n".join(pieces) == mrkdwn(text).strip("\n")  # cut at line ends, nothing lost or broken
    assert split_mrkdwn("a&b" * 10, limit=7) == ["a&amp;b"] * 10
    pieces = split_mrkdwn("a&b" * 10, limit=6)
    assert "".join(pieces) == mrkdwn("a&b" * 10) and all(len(p) <= 6 for p in pieces)
    assert all(p.count("&") == p.count(";") for p in pieces)  # never cut inside "&amp;"


def test_a_message_keeps_to_50_blocks_with_a_note() -> None:
    message = Message(text="many", blocks=tuple(Text(f"item {i}") for i in range(80)))
    blocks = render(message, t=T)
    assert len(blocks) == 50
    assert blocks[48]["text"]["text"] == "item 48"
    assert blocks[49] == {"type": "context", "elements": [
        {"type": "mrkdwn", "text": "This message was too long for Slack and was shortened.", "verbatim": True}]}
    assert len(render(message, t=T, limit=100)) == 80


def test_buttons_options_and_headers_keep_to_their_lengths() -> None:
    long = "Mentoring " * 40
    options = tuple(Option(f"{i} {long}", str(i)) for i in range(130))
    blocks = render(Message(text="x", blocks=(Header(long), Buttons((Button(long, "a:1"),)),
                                              Choice("pick:1", options))), t=T)
    header, actions, menu_block = blocks
    assert len(header["text"]["text"]) == 150 and header["text"]["text"].endswith("…")
    assert len(actions["elements"][0]["text"]["text"]) == 75
    menu = menu_block["elements"][0]
    assert menu["type"] == "static_select" and "options" not in menu
    groups = menu["option_groups"]  # 130 options: Slack takes 100 per group
    assert [len(g["options"]) for g in groups] == [100, 30]
    assert all(len(o["text"]["text"]) <= 75 for g in groups for o in g["options"])


def test_action_ids_round_trip() -> None:
    assert decode_action(encode_action("theme.vote:12", index=3)) == "theme.vote:12"
    assert decode_action("slack#thing") == "slack#thing"  # not ours: unchanged


def test_an_image_needs_a_web_address() -> None:
    assert render(Message(text="x", blocks=(Image("https://example.com/c.png", "Chart"),)), t=T) == [
        {"type": "image", "image_url": "https://example.com/c.png", "alt_text": "Chart"}]
    assert render(Message(text="x", blocks=(Image("file:///etc/passwd", "Chart"),)), t=T)[0]["type"] == "section"


def _form(inputs: tuple, **extra: object) -> Form:  # type: ignore[type-arg]
    return Form(form_id="program.create", title="Create a mentoring program for the whole company",
                inputs=inputs, submit="Create the program now, please", **extra)  # type: ignore[arg-type]


def test_a_modal_keeps_to_slacks_limits() -> None:
    inputs = (TextInput("name", "Name", initial="x" * 5000, max_length=5000),
              Select("format", "Format", (Option("Circles", "circles"), Option("Pairs", "pairs")), initial="pairs"),
              MultiSelect("days", "Days", (Option("Mon", "1"), Option("Tue", "2")), initial=("2",), max_selected=1),
              Number("weeks", "Weeks", initial=12, min_value=1, max_value=52),
              DateInput("start", "Start", initial=date(2026, 2, 2), optional=True))
    view = modal(_form(inputs, intro="Intro & <rules>"), t=T, metadata=Metadata("program.create", "s"), seal=SEAL)
    assert view["title"]["text"] == "Create a mentoring prog…" and len(view["title"]["text"]) == 24
    assert len(view["submit"]["text"]) == 24
    intro, name, kind, days, weeks, start = view["blocks"]
    assert intro["text"]["text"] == "Intro &amp; &lt;rules&gt;"
    assert name["element"]["max_length"] == 3000 and len(name["element"]["initial_value"]) == 3000
    assert kind["element"]["initial_option"] == {"text": {"type": "plain_text", "text": "Pairs", "emoji": True},
                                                 "value": "pairs"}
    assert days["element"]["initial_options"][0]["value"] == "2" and days["element"]["max_selected_items"] == 1
    assert weeks["element"] == {"type": "number_input", "action_id": "value", "is_decimal_allowed": False,
                                "initial_value": "12", "min_value": "1", "max_value": "52"}
    assert start["element"]["initial_date"] == "2026-02-02" and start["optional"] is True

    many = tuple(TextInput(f"f{i}", f"Field {i}") for i in range(120))
    big = modal(_form(many, intro="An introduction"), t=T, metadata=Metadata("program.create"), seal=SEAL)
    assert len(big["blocks"]) == 100 and big["blocks"][0]["type"] == "input"  # fields first, intro dropped


def test_submitted_values_and_errors() -> None:
    view = {"blocks": [{"type": "input", "block_id": "name"}, {"type": "input", "block_id": "weeks"}],
            "state": {"values": {
                "name": {"value": {"type": "plain_text_input", "value": "Guild <@U1>"}},
                "weeks": {"value": {"type": "number_input", "value": "12"}},
                "format": {"value": {"type": "static_select", "selected_option": {"value": "pairs"}}},
                "days": {"value": {"type": "multi_static_select", "selected_options": [{"value": "1"}]}},
                "start": {"value": {"type": "datepicker", "selected_date": None}},
                "note": {"value": {"type": "plain_text_input", "value": None}}}}}
    assert values_of(view) == {"name": "Guild <@U1>", "weeks": "12", "format": "pairs", "days": ["1"],
                               "start": None, "note": None}
    assert errors_for(view, errors={"weeks": "Too many", "size_min": "Too small"}) == {
        "weeks": "Too many", "name": "Too small"}  # a field without a block shows on the first one


def test_metadata_stays_within_3000_characters() -> None:
    long_url = "https://hooks.slack.com/commands/" + "x" * 3000
    encoded = Metadata("profile", "join:1", channel="C1", user="U1", response_url=long_url, nonce="n1").encode(
        seal=SEAL)
    assert len(encoded) < 3000 and Metadata.decode(encoded, seal=SEAL) == Metadata("profile", "join:1", "C1", "U1",
                                                                                  nonce="n1")
