"""Plain text -> the Adaptive Card markdown subset: escaping, the core's `<@id>` mentions, length limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.kernel.grammar import MENTION

# Characters that open a markdown construct in Teams' card renderer (emphasis, code, links, autolinks,
# strikethrough). Escaping them keeps user text (theme titles, names, notes) literal.
_INLINE = re.compile(r"([\\`*_\[\]<>~|{}])")
# Constructs that only count at the start of a line: headings, quotes, list items.
_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+)([.)]?)(?=\s|$)", re.MULTILINE)
# The core's own markup, written Slack's way in catalogs and guides: `a command` and a line that is all *a heading*.
# Card markdown has no code spans and reads *x* as italics, so both become bold (everything else stays escaped).
_MARKUP = re.compile(r"`([^`\n]+)`|^\*([^*\n]+)\*[ \t]*$", re.MULTILINE)
_CODE = re.compile(r"`([^`\n]+)`")
MAX_TEXT = 4000


@dataclass(frozen=True)
class Person:
    """Someone the core mentions as `<@id>`: how Teams shows and addresses them."""

    user_id: str  # the core's id (AAD object id)
    name: str
    mention_id: str  # the id Teams resolves in a mention entity (Teams user id, else the AAD id)


def escape(text: str) -> str:
    """Literal text in a TextBlock or Fact: nothing the user typed becomes a link, mention or formatting."""
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(_escape_line_start, text)
    # Markdown joins single newlines; a blank line keeps the line breaks the core meant.
    return text.replace("\r\n", "\n").replace("\n", "\n\n")


def markup(text: str) -> str:
    """`escape`, except that the core's `command` spans and *heading* lines become bold instead of showing their
    backticks and asterisks. Bold is all they can become: no link, mention or card JSON forms this way."""
    parts: list[str] = []
    last = 0
    for match in _MARKUP.finditer(text):
        inner = (match.group(1) or match.group(2) or "").strip()
        parts.append(escape(text[last:match.start()]))
        parts.append(f"**{escape(inner)}**" if inner else escape(match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def unquoted(text: str) -> str:
    """For plain places (button titles, choices, notifications): `command` shows without its backticks."""
    return _CODE.sub(r"\1", text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, dot = match.groups()
    if marker.isdigit():  # "1. " opens an ordered list; only its punctuation can be escaped
        return f"{indent}{marker}\\{dot}" if dot else match.group(0)
    return f"{indent}\\{marker}"


def shorten(text: str, *, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _tag_name(name: str) -> str:
    """A display name inside <at>…</at>: no angle brackets, so the tag cannot be broken open."""
    return re.sub(r"[<>\\]", "", name).strip() or "?"


_TAG_OPENING = re.compile(r"<(/?at\b)", re.IGNORECASE)


def plain(text: str) -> str:
    """Text Teams shows as typed (button titles, choices): only a typed <at> tag is broken, invisibly."""
    return _TAG_OPENING.sub("<\u200b\\1", text)


def plain_mentions(text: str, people: Mapping[str, Person]) -> str:
    """For places without mention support (button titles, choices): `<@id>` -> `@Name`, the rest as typed."""
    return MENTION.sub(lambda m: "@" + (people[m.group(1)].name if m.group(1) in people else m.group(1)),
                       plain(unquoted(text)))


def render(text: str, *, people: Mapping[str, Person], entities: list[dict[str, Any]]) -> str:
    """Escape `text` for card markdown (the core's own `command` and *heading* markup as bold, see `markup`);
    `<@id>` of known people become Teams mentions (added to `entities`).

    Unknown ids stay visible as plain `@id`: an id nobody in the tenant has is never turned into a mention.
    """
    parts: list[str] = []
    last = 0
    for match in MENTION.finditer(text):
        parts.append(markup(text[last:match.start()]))
        person = people.get(match.group(1))
        if person is None:
            parts.append(escape("@" + match.group(1)))
        else:
            tag = f"<at>{_tag_name(person.name)}</at>"
            parts.append(tag)
            if not any(e["text"] == tag and e["mentioned"]["id"] == person.mention_id for e in entities):
                entities.append({"type": "mention", "text": tag,
                                 "mentioned": {"id": person.mention_id, "name": person.name}})
        last = match.end()
    parts.append(markup(text[last:]))
    return "".join(parts)


def mentioned_ids(texts: list[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        for user_id in MENTION.findall(text):
            if user_id not in found:
                found.append(user_id)
    return found
