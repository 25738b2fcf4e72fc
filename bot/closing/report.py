"""What the closing says to a circle's space and to the admins: the recognition list, and why a step could not run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.closing.records import ProgramRecord
from bot.closing.thanks import has_manager, what_they_did
from bot.kernel.i18n import Translator, format_moment, name_list
from bot.kernel.messages import Block, Context, Header, Message, Text
from storage.tables import Circle, Member, Program


@dataclass
class Outcome:
    """What the closing did and could not do, for the admins' message."""

    k: int
    late: bool = False  # the planner first ran days after the final round closed: nothing went to members
    summaries: int = 0
    thanked: int = 0
    unreachable: int = 0  # active members the platform says we cannot write to
    no_space: list[str] = field(default_factory=list)  # circles without a space: no closing message there
    archived: int = 0  # circle spaces queued for archiving
    archive_at: datetime | None = None
    archive_supported: bool = True  # Teams keeps its channel threads: the closing message is all
    final_answers: int | None = None  # None: the program had no final poll


def circle_closing(t: Translator, program: Program, circle: Circle, *, archive_supported: bool) -> Message:
    title = t("closing.circle.title", program=program.name)
    body = t("closing.circle.body", circle=circle.name, program=program.name)
    after = t("closing.circle.archive" if archive_supported else "closing.circle.kept")
    return Message(text="\n".join([title, body, after]), blocks=(Header(title), Text(body), Context(after)))


def recognition_lines(t: Translator, record: ProgramRecord, people: dict[int, Member]) -> list[str]:
    """One line per moderator or mentor; who has no manager on record is said once, after them all."""
    lines, unmanaged = [], []
    for member_id, contribution in sorted(record.contributions.items()):
        member = people.get(member_id)
        if member is None or member.erased:
            continue
        line = f"• {member.name} {what_they_did(t, contribution)}"
        if has_manager(member):
            line += " " + t("wording.recognition.manager_known")
        else:
            unmanaged.append(member.name)
        lines.append(line)
    if unmanaged and len(unmanaged) == len(lines):
        lines.append(t("wording.recognition.no_manager_all"))
    elif unmanaged:
        lines.append(t.n("wording.recognition.no_manager_some", len(unmanaged),
                         names=name_list(unmanaged, t.locale)))
    return lines


def _why(t: Translator, outcome: Outcome, *, zone: str) -> list[str]:
    """Each step that could not run, and why, said plainly."""
    lines = []
    if outcome.unreachable:
        lines.append(t("closing.admin.unreachable", count=outcome.unreachable))
    if outcome.no_space:
        lines.append(t("closing.admin.no_space", circles=", ".join(outcome.no_space)))
    if outcome.archived and not outcome.archive_supported and outcome.archive_at is not None:
        at = format_moment(outcome.archive_at, timezone=zone, locale=t.locale)
        lines.append(t("closing.admin.teams_kept", count=outcome.archived, at=at))
    if outcome.final_answers is None:
        lines.append(t("closing.admin.no_final"))
    elif outcome.final_answers < outcome.k:
        lines.append(t("closing.admin.under_k", count=outcome.final_answers, k=outcome.k))
    return lines


def admin_closing(t: Translator, program: Program, record: ProgramRecord, people: dict[int, Member],
                  outcome: Outcome, *, zone: str, ended: datetime) -> Message:
    """The admins' closing message; the closing report with the figures (feedback) comes on its own."""
    title = t("closing.admin.title", program=program.name)
    if outcome.late:
        first = t("closing.admin.late", closes=format_moment(ended, timezone=zone, locale=t.locale))
    else:
        first = t("closing.admin.sent", summaries=outcome.summaries, thanked=outcome.thanked)
    if outcome.archived and outcome.archive_supported and outcome.archive_at is not None:
        at = format_moment(outcome.archive_at, timezone=zone, locale=t.locale)
        first += "\n" + t.n("closing.admin.archive", outcome.archived, count=outcome.archived, at=at)
    recognised = recognition_lines(t, record, people)
    anyone_asks = any(has_manager(m) for i, m in people.items() if i in record.contributions and not m.erased)
    recognition = ([t("closing.admin.recognition_title"), *recognised,
                    *([t("closing.admin.optin_later")] if anyone_asks else [])]  # nobody can ask without one
                   if recognised else [t("closing.admin.no_recognition")])
    why = _why(t, outcome, zone=zone)
    blocks: list[Block] = [Header(title), Text(first), Text("\n".join(recognition))]
    if why:
        blocks.append(Text("\n".join([t("closing.admin.why_title"), *why])))
    text = "\n".join([title, first, *recognition, *([t("closing.admin.why_title"), *why] if why else [])])
    return Message(text=text, blocks=tuple(blocks))
