"""Mechanical faults in rendered Slack and Teams JSON: what no reader should ever have to find by eye.

Each check reads the strings a person sees, with the kind of place they sit in (a button, a header, mrkdwn,
card markdown...), because what is a fault depends on the place: backticks are code in mrkdwn but show as typed
on a button; `&amp;` is right in mrkdwn and wrong in plain text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import cache
from typing import Any

from adapters.slack.blocks import BUTTON_TEXT, OPTION_TEXT
from adapters.slack.modals import TITLE_TEXT
from adapters.teams.cards import TITLE_LIMIT
from bot.kernel.i18n import catalog
from bot.kernel.messages import Buttons, Choice, Form, Message

Place = tuple[str, str]  # (kind of place, the text shown there)

_KEY = re.compile(r"(?<![\w./-])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?![\w/-])")
_FIELD = re.compile(r"\{[a-z_][a-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}")
_DOUBLE = re.compile(r"(?<![.\w])\.\.(?!\.)|[,;:]\.(?!\.)|[.!?][,;]|\s[,.;:!?](?=\s|$)|!\.|\?\.")
_URL = re.compile(r"https?://\S+")
_WORDS = 5  # an English run this long inside Indonesian text is a leak, not a name
_SLACK_PLAIN = ("header", "button", "option", "label", "placeholder", "title", "submit", "close")


# ---- what a person sees --------------------------------------------------------------------------------------


def slack_places(node: Any, parent: str = "") -> Iterator[Place]:
    """Every text object of Block Kit JSON (blocks or a view), named by where it sits."""
    if isinstance(node, list):
        for item in node:
            yield from slack_places(item, parent)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "plain_text" and "text" in node:
        yield parent or "plain", node["text"]
        return
    if node.get("type") == "mrkdwn" and "text" in node:
        yield "mrkdwn", node["text"]
        return
    kind = node.get("type", "")
    for key, value in node.items():
        if key in ("value", "private_metadata", "action_id", "block_id", "callback_id", "image_url", "url"):
            continue
        place = {"text": "button" if kind == "button" else ("header" if kind == "header" else parent),
                 "placeholder": "placeholder", "label": "label", "title": "title", "submit": "submit",
                 "close": "close", "options": "option", "initial_option": "option",
                 "initial_options": "option", "option_groups": "option"}.get(key, parent)
        yield from slack_places(value, place)


def teams_places(node: Any) -> Iterator[Place]:
    """Every string a card shows: TextBlock and Fact markdown, button titles, input labels, choices, errors."""
    if isinstance(node, list):
        for item in node:
            yield from teams_places(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type", "")
    if kind == "TextBlock":
        yield "markdown", node.get("text", "")
    elif kind in ("Action.Execute", "Action.Submit"):
        yield "button", node.get("title", "")
        return  # its data and fallback are not shown
    elif kind == "FactSet":
        for fact in node.get("facts", []):
            yield "fact-title", fact["title"]
            yield "fact-value", fact["value"]
    elif kind == "Input.ChoiceSet":
        yield from (("choice", choice["title"]) for choice in node.get("choices", []))
    for key in ("label", "placeholder", "errorMessage", "altText"):
        if isinstance(node.get(key), str):
            yield key, node[key]
    for key, value in node.items():
        if key in ("body", "actions", "items", "columns"):
            yield from teams_places(value)


# ---- the checks ----------------------------------------------------------------------------------------------


@cache
def _english_runs() -> frozenset[str]:
    """Literal runs of English catalog texts that the Indonesian catalog translates (and never uses itself)."""
    english, indonesian = catalog("en"), catalog("id")
    every_id = "\n".join(indonesian.values())
    runs: set[str] = set()
    for key, text in english.items():
        if indonesian.get(key, text) == text:
            continue  # the same in both (a name, a format): not a leak
        for literal, *_ in string.Formatter().parse(text):
            for piece in re.split(r"[.:;!?()\n`\"]", literal or ""):
                piece = piece.strip(" ,·-•")
                if len(piece.split()) >= _WORDS and piece not in every_id:
                    runs.add(piece)
    return frozenset(runs)


def text_faults(places: list[Place], *, locale: str, platform: str) -> list[str]:
    keys = catalog("en")
    found: list[str] = []
    for place, text in places:
        shown = _URL.sub("URL", text)
        found += [f"{place}: untranslated key {k!r}" for k in _KEY.findall(shown) if k in keys]
        found += [f"{place}: unfilled placeholder {m!r} in {text[:60]!r}" for m in _FIELD.findall(shown)]
        if _DOUBLE.search(shown.replace("...", "…")):
            found.append(f"{place}: double or loose punctuation in {text[:80]!r}")
        if not text.strip() and place in ("mrkdwn", "markdown", "button", "header", "label"):
            found.append(f"{place}: empty text")
        if locale != "en":
            found += [f"{place}: English in {locale}: {run!r}" for run in _english_runs() if run in text]
        found += _format_faults(place, text, platform=platform)
    return found


def _format_faults(place: str, text: str, *, platform: str) -> list[str]:
    found: list[str] = []
    if platform == "slack":
        if place in _SLACK_PLAIN and "`" in text:
            found.append(f"{place}: backticks show as typed in plain text: {text[:60]!r}")
        if place in _SLACK_PLAIN and re.search(r"&(amp|lt|gt);", text):
            found.append(f"{place}: an escape shows as typed in plain text: {text[:60]!r}")
        if place == "mrkdwn" and ("&amp;amp;" in text or "&amp;lt;" in text):
            found.append(f"mrkdwn: escaped twice: {text[:60]!r}")
        if place == "mrkdwn":
            found += [f"mrkdwn: unbalanced * in {line[:60]!r}" for line in text.split("\n")
                      if _unpaired(re.sub(r"`[^`]*`", "", line), "*")]
        if "<@" in text and place != "mrkdwn":
            found.append(f"{place}: a raw mention in plain text: {text[:60]!r}")
    else:
        if "<@" in text:
            found.append(f"{place}: a raw <@ mention: {text[:60]!r}")
        if re.search(r"&(amp|lt|gt);", text):
            found.append(f"{place}: an HTML escape shows as typed: {text[:60]!r}")
        unescaped = re.sub(r"\\.", "", text)
        if "`" in unescaped:
            found.append(f"{place}: backticks show as typed: {text[:60]!r}")
        if place in ("markdown", "fact-value") and _unpaired(unescaped.replace("**", ""), "*"):
            found.append(f"{place}: a stray * (italics) in {text[:60]!r}")
        if place in ("markdown", "fact-value") and "\\*" in text:  # the core's emphasis that did not become bold
            found.append(f"{place}: a stray * shows as typed in {text[:60]!r}")
    return found


def _unpaired(text: str, mark: str) -> bool:
    return text.count(mark) % 2 == 1


def length_faults(item: Message | Form) -> list[str]:
    """Labels the platforms cut: Slack buttons and options at 75, modal titles and buttons at 24, Teams at 80."""
    found: list[str] = []
    if isinstance(item, Form):
        for what, text in (("modal title", item.title), ("modal submit", item.submit)):
            if len(text) > TITLE_TEXT:
                found.append(f"{what} over Slack's {TITLE_TEXT}: {text!r}")
        labels = [o.label for i in item.inputs for o in getattr(i, "options", ())]
        found += [f"menu option over Slack's {OPTION_TEXT}: {label!r}" for label in labels if len(label) > OPTION_TEXT]
        return found
    for block in item.blocks:
        if isinstance(block, Buttons):
            found += [f"button over Slack's {BUTTON_TEXT}: {b.label!r}" for b in block.buttons
                      if len(b.label) > min(BUTTON_TEXT, TITLE_LIMIT)]
        elif isinstance(block, Choice):
            found += [f"choice over Slack's {BUTTON_TEXT}: {o.label!r}" for o in block.options
                      if len(o.label) > BUTTON_TEXT]
    return found
