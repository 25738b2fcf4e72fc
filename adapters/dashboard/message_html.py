"""The core's responses as HTML for the dashboard: every text escaped, nothing a member wrote can become markup.

Buttons and polls are shown, not wired: an action on the web is a page of its own with a confirmation (a button's
action id comes from the client and is not taken as a command here). A form the core would open in chat is named,
and the admin is told to continue there."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup

from adapters.dashboard.chat_markup import chat_markup
from bot.kernel.i18n import Translator
from bot.kernel.messages import (
    Block,
    Buttons,
    Choice,
    Context,
    Divider,
    Fields,
    Header,
    Image,
    Message,
    Text,
)
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response, UpdateSource

_SAFE_IMAGE = re.compile(r"https?://[^\s\"'<>]+")


def _text(value: str) -> Markup:
    return chat_markup(value)


def _block(block: Block, t: Translator) -> Markup:
    if isinstance(block, Header):
        return Markup("<h3>{}</h3>").format(block.text)
    if isinstance(block, Text):
        return Markup("<p>{}</p>").format(_text(block.text))
    if isinstance(block, Fields):
        rows = Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(_text(k), _text(v)) for k, v in block.pairs)
        return Markup('<dl class="fields">{}</dl>').format(rows)
    if isinstance(block, Buttons):
        labels = ", ".join(b.label for b in block.buttons)
        return Markup('<p class="chat-only">{}</p>').format(t("dashboard_actions.result.buttons", labels=labels))
    if isinstance(block, Choice):
        items = Markup("").join(Markup("<li>{}</li>").format(o.label) for o in block.options)
        return Markup('<div class="chat-only"><p>{}</p><ul>{}</ul></div>').format(
            block.label or t("dashboard_actions.result.choice"), items)
    if isinstance(block, Image):
        if _SAFE_IMAGE.fullmatch(block.url):
            return Markup('<img src="{}" alt="{}">').format(block.url, block.alt)
        return Markup("<p>{}</p>").format(block.alt)
    if isinstance(block, Divider):
        return Markup("<hr>")
    if isinstance(block, Context):
        return Markup('<p class="context"><small>{}</small></p>').format(_text(block.text))
    raise TypeError(f"unknown block {type(block).__name__}")


def message_html(message: Message, t: Translator) -> Markup:
    """A message as the chat shows it: its blocks, or its plain text when it has none."""
    if not message.blocks:
        return Markup('<div class="message"><p>{}</p></div>').format(_text(message.text))
    inner = Markup("\n").join(_block(block, t) for block in message.blocks)
    return Markup('<div class="message">{}</div>').format(inner)


def response_html(response: Response, t: Translator) -> Markup:
    if isinstance(response, Reply | UpdateSource):
        return message_html(response.message, t)
    if isinstance(response, OpenForm):
        return Markup('<div class="message chat-only"><p>{}</p></div>').format(
            t("dashboard_actions.result.form", title=response.form.title))
    if isinstance(response, FormErrors):
        items = Markup("").join(Markup("<li>{}</li>").format(text) for text in response.errors.values())
        return Markup('<div class="message" role="alert"><ul>{}</ul></div>').format(items)
    raise TypeError(f"unknown response {type(response).__name__}")


def responses_html(responses: Iterable[Response], t: Translator) -> Markup:
    """Everything the core answered, in order."""
    return Markup("\n").join(response_html(r, t) for r in responses)
