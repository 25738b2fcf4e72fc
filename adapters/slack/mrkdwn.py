"""Plain text <-> Slack text: escaping for mrkdwn, the core's `<@id>` mentions, typed mentions kept as text."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.grammar import without_mentions

# The only markup Lingkar ever lets through: a mention of a Slack user id, in the neutral form the core writes.
MENTION = re.compile(r"<@([UW][A-Z0-9]{1,30})>")
# Slack's own entities in slash command text (which Slack sends with &, <, > escaped around them).
_ENTITY = re.compile(r"<([^<>]*)>")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
ELLIPSIS = "…"

Names = Callable[[str], str | None]  # a user id -> a display name we already know, or None


def escape(text: str) -> str:
    """Slack's three control characters, escaped: no `<!channel>`, `<@U…>`, `<#C…>` or `<url|link>` can form."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _atoms(text: str) -> list[str]:
    """Text as indivisible escaped pieces: a mention is one piece, every other character its own."""
    atoms: list[str] = []
    last = 0
    for match in MENTION.finditer(text):
        atoms.extend(_ESCAPES.get(c, c) for c in text[last:match.start()])
        atoms.append(f"<@{match.group(1)}>")
        last = match.end()
    atoms.extend(_ESCAPES.get(c, c) for c in text[last:])
    return atoms


def mrkdwn(text: str) -> str:
    """Escape plain text for a mrkdwn field; only the core's `<@U…>` mentions stay live."""
    return "".join(_atoms(text))


def split_mrkdwn(text: str, *, limit: int) -> list[str]:
    """`mrkdwn(text)` in pieces of at most `limit` characters, breaking after a newline where it can and never
    inside an escape or a mention (escaping makes text longer, so split after escaping)."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    last_newline = -1  # index in `current` just after the latest newline
    for atom in _atoms(text):
        if size + len(atom) > limit and current:
            cut = last_newline if last_newline > 0 else len(current)
            chunks.append("".join(current[:cut]))
            current = current[cut:]
            size = sum(len(a) for a in current)
            last_newline = -1
        current.append(atom)
        size += len(atom)
        if atom == "\n":
            last_newline = len(current)
    if current:
        chunks.append("".join(current))
    return [c for c in (chunk.strip("\n") for chunk in chunks) if c.strip()]


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def shorten_mrkdwn(text: str, limit: int) -> str:
    """mrkdwn of `text` in at most `limit` characters, cut between escapes, with an ellipsis if cut."""
    pieces = split_mrkdwn(text, limit=limit - 1)
    if len(pieces) <= 1:
        return pieces[0] if pieces else ""
    return pieces[0] + ELLIPSIS


def plain(text: str, *, names: Names | None = None, limit: int | None = None) -> str:
    """Text for a plain_text field (headers, buttons, options, modal labels), where Slack shows no mentions:
    `<@U123>` becomes `@Name` when we know the name, else `@U123`."""
    shown = MENTION.sub(lambda m: "@" + ((names(m.group(1)) if names else None) or m.group(1)), text)
    return shorten(shown, limit) if limit is not None else shown


def from_slack(text: str) -> str:
    """Slash command text (Slack escapes &, <, > and wraps entities in <…>) -> what the member meant, with user
    mentions in the core's neutral form `<@U123>`; a mention typed as text (`<@U1>` literally) stays text."""
    parts: list[str] = []
    last = 0
    for match in _ENTITY.finditer(text):
        parts.append(without_mentions(_unescape(text[last:match.start()])))
        parts.append(_entity(match.group(1)))
        last = match.end()
    parts.append(without_mentions(_unescape(text[last:])))
    return "".join(parts)


def _entity(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user = target[1:]
        if re.fullmatch(r"[UW][A-Z0-9]{1,30}", user):
            return f"<@{user}>"
        return without_mentions(_unescape(label or user))
    if target.startswith("#"):  # a channel: its name, as the member saw it
        return "#" + _unescape(label or target[1:])
    if target.startswith("!"):  # <!here>, <!channel>, <!subteam^S1|@team>: the words, never the ping
        special = target[1:].split("^", 1)[0]
        return without_mentions(_unescape(label)) if label else "@" + special
    return without_mentions(_unescape(target))  # a link: the address itself


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
