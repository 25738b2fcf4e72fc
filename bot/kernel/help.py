"""Help text: the commands a member (and, for admins, the admin commands) can use, in their language."""

from __future__ import annotations

from bot.kernel.grammar import CommandSpec
from bot.kernel.i18n import Translator
from bot.kernel.messages import Context, Divider, Header, Message, Text

GROUPS = ("member", "moderator", "admin")
# Readers of these locales see a command's alias in their language first (its last alias with letters in it:
# `gabung`, `pasangan cek-in`, `bantuan` rather than `?`); the English name follows in brackets and works too.
ALIASED_LOCALES = ("id",)


def local_name(spec: CommandSpec, locale: str) -> str | None:
    if locale not in ALIASED_LOCALES:
        return None
    named = [a for a in spec.aliases if any(c.isalpha() for word in a for c in word) and a != spec.path]
    return " ".join(named[-1]) if named else None


def entry(t: Translator, spec: CommandSpec) -> str:
    """A command's help line ("join [program]: ..."), led by its name in the reader's language where it has one."""
    line = t(spec.help_key)
    english = " ".join(spec.path)
    name = local_name(spec, t.locale)
    if name is None or not line.startswith(english) or f"{name})" in line:  # some say "(atau program undang)"
        return line
    return f"{name} ({english}){line[len(english):]}"


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
        entries = [entry(t, s) for s in specs if s.group == group]
        if not entries:
            continue
        section = t(f"help.section.{group}")
        blocks.append(Divider())
        blocks.append(Text(section + "\n" + "\n".join(f"• {e}" for e in entries)))
        lines.append(section)
        lines.extend(f"  {e}" for e in entries)
    blocks.append(Context(t("help.footer")))
    return Message(text="\n".join([t("help.title"), *lines, t("help.footer")]), blocks=tuple(blocks))
