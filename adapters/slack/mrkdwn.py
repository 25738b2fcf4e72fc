"""Plain text <-> Slack text: escaping for mrkdwn, the core's `<@id>` mentions, typed mentions kept as text."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.kernel.grammar import without_mentions

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
    if "<@" not in text:
        return escape(text)
    parts = MENTION.split(text)  # text, user id, text, user id, ..., text
    return "".join(f"<@{part}>" if i % 2 else escape(part) for i, part in enumerate(parts))


def split_mrkdwn(text: str, *, limit: int) -> list[str]:
    """`mrkdwn(text)` in pieces of at most `limit` characters, breaking at line ends where it can and never
    inside an escape or a mention (escaping makes text longer, so it is measured after escaping)."""
    chunks: list[str] = []
    lines: list[str] = []
    size = 0
    for line in text.split("\n"):
        escaped = mrkdwn(line)
        if len(escaped) > limit:  # a single line longer than a piece: cut it between escapes
            if lines:
                chunks.append("\n".join(lines))
            *whole, rest = _cut(line, limit)
            chunks.extend(whole)
            lines, size = [rest], len(rest)
            continue
        if lines and size + 1 + len(escaped) > limit:
            chunks.append("\n".join(lines))
            lines, size = [], 0
        size += len(escaped) + (1 if lines else 0)
        lines.append(escaped)
    if lines:
        chunks.append("\n".join(lines))
    return [c for c in (chunk.strip("\n") for chunk in chunks) if c.strip()]


def _cut(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for atom in _atoms(line):
        if current and len(current) + len(atom) > limit:
            pieces.append(current)
            current = ""
        current += atom
    return [*pieces, current]


def shorten(text: str, *, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def shorten_mrkdwn(text: str, *, limit: int) -> str:
    """mrkdwn of `text` in at most `limit` characters, cut between escapes, with an ellipsis if cut."""
    escaped = mrkdwn(text)
    if len(escaped) <= limit:
        return escaped
    pieces = split_mrkdwn(text, limit=limit - 1)
    return pieces[0] + ELLIPSIS if pieces else ""


def plain(text: str, *, names: Names | None = None, limit: int | None = None) -> str:
    """Text for a plain_text field (headers, buttons, options, modal labels), where Slack shows no mentions:
    `<@U123>` becomes `@Name` when we know the name, else `@U123`."""
    shown = MENTION.sub(lambda m: "@" + ((names(m.group(1)) if names else None) or m.group(1)), text)
    return shorten(shown, limit=limit) if limit is not None else shown


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
