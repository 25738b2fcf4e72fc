"""Cards -> Bot Framework activities, with the people the core mentions looked up for Teams."""

from __future__ import annotations

import base64
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.cards import CONTENT_TYPE
from adapters.teams.references import ReferenceStore
from adapters.teams.text import Person, mentioned_ids, shorten, unquoted
from bot.kernel.messages import Buttons, Choice, Context, Fields, Form, Header, Message, Text

SUMMARY_LIMIT = 200


def card_activity(content: dict[str, Any], *, summary: str = "") -> Activity:
    # `summary` is what Teams shows in notifications and the chat list instead of "sent a card".
    return Activity(type=ActivityTypes.message,
                    summary=shorten(" ".join(unquoted(summary).split()), limit=SUMMARY_LIMIT) or None,
                    attachments=[Attachment(content_type=CONTENT_TYPE, content=content)])


def image_activity(png: bytes, *, title: str) -> Activity:
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return Activity(type=ActivityTypes.message, summary=shorten(title, limit=SUMMARY_LIMIT),
                    attachments=[Attachment(content_type="image/png", content_url=url, name=shorten(title, limit=100))])


def message_texts(message: Message) -> list[str]:
    texts = [message.text]
    for block in message.blocks:
        match block:
            case Header(text=text) | Text(text=text) | Context(text=text):
                texts.append(text)
            case Fields(pairs=pairs):
                texts.extend(part for pair in pairs for part in pair)
            case Buttons(buttons=buttons):
                texts.extend(b.label for b in buttons)
            case Choice(label=label, options=options):
                texts.append(label)
                texts.extend(o.label for o in options)
    return texts


def form_texts(form: Form) -> list[str]:
    return [form.title, form.intro]


async def people_in(store: ReferenceStore, *, tenant: str, texts: list[str]) -> dict[str, Person]:
    return await store.people(tenant=tenant, user_ids=mentioned_ids(texts))
