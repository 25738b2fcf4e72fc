"""Why a circle is made up as it is, said once to the whole circle: members who share a reason are named together,
and what is true of the circle (departments, shared hours) is said once, not repeated under every name."""

from __future__ import annotations

from collections import Counter

from bot.kernel.i18n import Translator, catalog, name_list
from storage.tables import Member

# Reasons that read naturally as "everyone's": the whole circle shares them (see wording.po).
EVERYONE = ("first_choice", "second_choice", "third_choice", "later_choice", "no_preference", "self_selected")


def names(t: Translator, people: list[str]) -> str:
    """'Budi, Indah and Yusuf' / 'Budi, Indah, dan Yusuf'."""
    return name_list(people, t.locale)


def _number(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def circle_facts(t: Translator, whys: list[dict[str, object]]) -> str | None:
    """The departments and shared hours formation recorded: one circle, one figure (the most common, since a
    member placed later may carry none)."""
    found = Counter((_number(w.get("mixed_departments", 0)), _number(w.get("shared_hours", 0))) for w in whys)
    found.pop((0, 0), None)
    if not found:
        return None
    departments, hours = found.most_common(1)[0][0]
    parts = []
    if departments > 1:
        parts.append(t("formation.why.departments", count=departments))
    if hours >= 2:
        parts.append(t("formation.why.hours", hours=hours))
    if not parts:
        return None
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def circle_whys(t: Translator, members: list[tuple[Member, dict[str, object]]], theme: str) -> list[str]:
    """The welcome's reasons: one line per reason with the names it applies to, then the circle's own facts."""
    groups: dict[str, list[str]] = {}
    for member, why in members:
        code = str(why.get("code", "no_preference"))
        code = code if f"wording.why.named.{code}" in catalog(t.locale) else "no_preference"  # an older record
        groups.setdefault(code, []).append(member.name)
    lines = []
    for code, people in groups.items():
        if len(groups) == 1 and len(people) > 1 and code in EVERYONE:
            lines.append(t(f"wording.why.everyone.{code}", theme=theme))
        else:
            lines.append(t(f"wording.why.named.{code}", theme=theme, names=names(t, people)))
    facts = circle_facts(t, [why for _, why in members])
    return [*lines, *([facts] if facts else [])]
