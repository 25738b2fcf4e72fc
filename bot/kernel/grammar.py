"""The command grammar: the text after `/circle` (Slack) or the bot's @mention (Teams) -> a command.

Verbs may have several words (`theme propose`); the longest known path wins and the rest of the
text is the argument, kept as typed. Indonesian aliases sit beside the English verbs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MENTION = re.compile(r"<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class CommandSpec:
    path: tuple[str, ...]
    help_key: str  # i18n key of this command's help line
    admin: bool = False
    aliases: tuple[tuple[str, ...], ...] = ()
    group: str = "member"  # help sections: member, moderator, admin
    slow: bool = False  # may take longer than Slack's 3 s: adapters acknowledge first and answer later
    takes_file: bool = False  # an admin may send it with a file in a DM: adapters download it (admins only)


@dataclass(frozen=True)
class Parsed:
    spec: CommandSpec | None
    args: str = ""


def clean(text: str) -> str:
    """Normalise what platforms send: NFC, no control characters, single spaces, smart quotes unified."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    for smart, plain in (("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'")):
        text = text.replace(smart, plain)
    return text.strip()


def parse(text: str, specs: list[CommandSpec]) -> Parsed:
    text = clean(text)
    if not text:
        return Parsed(spec=None)
    raw_words = text.split()
    lowered = [w.lower() for w in raw_words]
    best: tuple[int, CommandSpec] | None = None
    for spec in specs:
        for path in (spec.path, *spec.aliases):
            n = len(path)
            if tuple(lowered[:n]) == path and (best is None or n > best[0]):
                best = (n, spec)
    if best is None:
        return Parsed(spec=None)
    n, spec = best
    # Keep the argument exactly as typed (case, inner spacing) after the verb's words.
    rest = text
    for _ in range(n):
        rest = rest.lstrip()
        rest = rest[len(rest.split(maxsplit=1)[0]):] if rest else rest
    return Parsed(spec=spec, args=rest.strip())


def without_mentions(text: str) -> str:
    """User free text keeps what was typed but can never carry the core's mention form (`<@id>` -> `@id`)."""
    return MENTION.sub(lambda match: "@" + match.group(1), text).replace("<@", "@")


def mentioned_users(text: str) -> list[str]:
    """User ids in the neutral mention form `<@U123>` that adapters translate platform mentions into."""
    return MENTION.findall(text)
