"""The core's Message -> an Adaptive Card (1.4, what every Teams client renders), within Teams' size limit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.signing import Seal
from adapters.teams.payloads import KIND, VERBS, action_data, choice_data, view_data
from adapters.teams.text import Person, escape, markup, plain_mentions, render, shorten
from bot.kernel.i18n import Translator
from bot.kernel.messages import Block, Buttons, Choice, Context, Divider, Fields, Header, Image, Message, Text

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.4"
# Teams refuses bot messages over about 28 KB (card, envelope and all); stay well below it.
BUDGET = 24_000
ACTIONS_PER_SET = 5  # Teams shows at most six buttons in a row before hiding them
CHOICE_BUTTONS = 6  # above this (or for multiple answers) a Choice becomes a pick list
TITLE_LIMIT = 80


def size(obj: Any) -> int:
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def card(body: list[dict[str, Any]], *, entities: list[dict[str, Any]],
         actions: list[dict[str, Any]] | None = None, refresh: dict[str, Any] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body,
                               "msteams": {"width": "Full"}}
    if actions:
        content["actions"] = actions
    if refresh:
        content["refresh"] = refresh
    used = json.dumps(body, ensure_ascii=False)
    # A mention entity whose tag is not in the card makes Teams reject the message.
    kept = [e for e in entities if json.dumps(e["text"], ensure_ascii=False)[1:-1] in used]
    if kept:
        content["msteams"]["entities"] = kept
    return content


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def submit(title: str, *, data: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    """A Universal Action (Action.Execute): Teams sends it as an adaptiveCard/action invoke and shows the card the
    bot answers with in its place, for the member who pressed it. Clients without Universal Actions (the Bot
    Framework Emulator, old ones) fall back to an Action.Submit carrying the same data."""
    title = shorten(title, limit=TITLE_LIMIT)
    fallback: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": data}
    action: dict[str, Any] = {"type": "Action.Execute", "verb": VERBS.get(str(data.get(KIND)), "lingkar"),
                              "title": title, "data": data, "fallback": fallback}
    if style in ("primary", "positive"):
        action["style"] = fallback["style"] = "positive"
    elif style in ("danger", "destructive"):
        action["style"] = fallback["style"] = "destructive"
    return action


def refresh_of(message: Message, *, seal: Seal | None) -> dict[str, Any] | None:
    """A card whose Choice shows each member their own answer refreshes per member: Teams asks the bot for that
    member's view (the Choice's `view` action, which changes nothing) whenever they see the card. No userIds:
    in a chat or channel of up to 60 people Teams refreshes for everyone, above that on request (Refresh card)."""
    views = [b.view for b in message.blocks if isinstance(b, Choice) and b.view]
    if not views or seal is None:
        return None
    return {"action": {"type": "Action.Execute", "verb": VERBS["view"], "data": view_data(views[0], seal=seal)}}


def _action_sets(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "ActionSet", "actions": actions[i:i + ACTIONS_PER_SET]}
            for i in range(0, len(actions), ACTIONS_PER_SET)]


def _choice(block: Choice, index: int, t: Translator, people: Mapping[str, Person],
            entities: list[dict[str, Any]], seal: Seal) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    if block.label:
        elements.append(text_block(render(block.label, people=people, entities=entities), weight="Bolder"))
    if not block.multi and len(block.options) <= CHOICE_BUTTONS:
        buttons = [submit(("✓ " if o.value in block.selected else "") + plain_mentions(o.label, people),
                          data=action_data(block.action_id, value=o.value, seal=seal),
                          style="positive" if o.value in block.selected else None)
                   for o in block.options]
        return elements + _action_sets(buttons)
    input_id = f"choice_{index}"
    signed = {o.value: seal.value(block.action_id, o.value) for o in block.options}  # each option's value, signed
    elements.append({
        "type": "Input.ChoiceSet", "id": input_id, "isMultiSelect": block.multi,
        "style": "expanded" if len(block.options) <= 10 else "compact",
        "choices": [{"title": shorten(plain_mentions(o.label, people), limit=200), "value": signed[o.value]}
                    for o in block.options],
        "value": ",".join(signed[v] for v in block.selected if v in signed),
    })
    data = choice_data(block.action_id, input_id=input_id, multi=block.multi, seal=seal)
    elements.extend(_action_sets([submit(t("teams.choice.submit"), data=data, style="positive")]))
    return elements


def _image(block: Image) -> list[dict[str, Any]]:
    if not block.url.startswith(("https://", "http://", "data:image/")):
        return [text_block(escape(block.alt), isSubtle=True)]
    return [{"type": "Image", "url": block.url, "altText": shorten(block.alt, limit=200)}]


def block_elements(block: Block, *, index: int, t: Translator, people: Mapping[str, Person],
                   entities: list[dict[str, Any]], seal: Seal | None) -> list[dict[str, Any]]:
    match block:
        case Header(text=text):
            return [text_block(render(shorten(text, limit=300), people=people, entities=entities), size="Medium",
                               weight="Bolder")]
        case Text(text=text):
            return [text_block(render(shorten(text), people=people, entities=entities))]
        case Context(text=text):
            return [text_block(render(shorten(text), people=people, entities=entities), isSubtle=True, size="Small")]
        case Fields(pairs=pairs):
            facts = [{"title": escape(plain_mentions(shorten(label, limit=200), people)),
                      "value": markup(plain_mentions(shorten(value, limit=1000), people))} for label, value in pairs]
            # Small FactSets, so a long list can be shortened at the end rather than dropped whole.
            return [{"type": "FactSet", "facts": facts[i:i + 10]} for i in range(0, len(facts), 10)]
        case Buttons(buttons=buttons) if seal is not None:
            return _action_sets([submit(plain_mentions(b.label, people), data=action_data(b.action_id, seal=seal),
                                        style=b.style) for b in buttons])
        case Choice() if seal is not None:
            return _choice(block, index, t, people, entities, seal)
        case Buttons() | Choice():
            raise ValueError("a card with buttons needs a seal: unsigned, they could not be verified")
        case Image():
            return _image(block)
    return []


def message_body(message: Message, *, t: Translator, people: Mapping[str, Person],
                 entities: list[dict[str, Any]], seal: Seal | None) -> list[dict[str, Any]]:
    if not message.blocks:
        return [text_block(render(shorten(message.text), people=people, entities=entities))]
    body: list[dict[str, Any]] = []
    separate = False
    for index, block in enumerate(message.blocks):
        if isinstance(block, Divider):
            separate = True
            continue
        elements = block_elements(block, index=index, t=t, people=people, entities=entities, seal=seal)
        if elements and separate:
            elements[0] = {**elements[0], "separator": True, "spacing": "Medium"}
            separate = False
        body.extend(elements)
    return body


def fit(body: list[dict[str, Any]], *, entities: list[dict[str, Any]], t: Translator,
        budget: int = BUDGET, refresh: dict[str, Any] | None = None) -> dict[str, Any]:
    """Drop trailing elements (with a note saying so) until the card fits Teams' message size."""
    content = card(body, entities=entities, refresh=refresh)
    if size(content) <= budget:
        return content
    note = text_block(escape(t("teams.truncated")), isSubtle=True, size="Small")
    kept = list(body)
    while kept and size(card([*kept, note], entities=entities, refresh=refresh)) > budget:
        kept.pop()
    return card([*kept, note], entities=entities, refresh=refresh)


def message_card(message: Message, *, t: Translator, people: Mapping[str, Person], seal: Seal | None = None,
                 budget: int = BUDGET) -> dict[str, Any]:
    """`seal` (the workspace's) signs what buttons and pick lists carry back. Only a message without them may go
    without one (plain notes, apologies)."""
    entities: list[dict[str, Any]] = []
    return fit(message_body(message, t=t, people=people, entities=entities, seal=seal), entities=entities, t=t,
               budget=budget, refresh=refresh_of(message, seal=seal))
