"""Help text: the commands a member (and, for admins, the admin commands) can use, in their language."""

from __future__ import annotations

from bot.kernel.grammar import CommandSpec
from bot.kernel.i18n import Translator
from bot.kernel.messages import Context, Divider, Header, Message, Text

GROUPS = ("member", "moderator", "admin")


def help_message(t: Translator, specs: list[CommandSpec], *, admin: bool, unknown: str = "") -> Message:
    lines: list[str] = []
    blocks: list[Header | Text | Divider | Context] = [Header(t("help.title"))]
    if unknown:
        intro = t("help.unknown", text=unknown[:60])
        blocks.append(Text(intro))
        lines.append(intro)
    for group in GROUPS:
        if group == "admin" and not admin:
            continue
        entries = [t(s.help_key) for s in specs if s.group == group]
        if not entries:
            continue
        section = t(f"help.section.{group}")
        blocks.append(Divider())
        blocks.append(Text(section + "\n" + "\n".join(f"• {e}" for e in entries)))
        lines.append(section)
        lines.extend(f"  {e}" for e in entries)
    blocks.append(Context(t("help.footer")))
    return Message(text="\n".join([t("help.title"), *lines, t("help.footer")]), blocks=tuple(blocks))
