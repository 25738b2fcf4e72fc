"""Each member's personal summary when the program closes, with the "what next" buttons (handled by bot.alumni)."""

from __future__ import annotations

from bot.closing.records import ProgramRecord
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Context, Header, Message, Text
from bot.sessions.goal_trend import goal_path, goal_trend
from storage.tables import Member, NextStep, PollKind, Program, ProgramFormat, SelfAssessment

NEXT = "next"  # action verb: "next:<program id>:<choice>", a NextStep value; bot.alumni records the choice


def next_steps(program: Program, record: ProgramRecord, member_id: int) -> list[NextStep]:
    """Alumni and mentoring next time for everyone; a new match in pair programs; staying in touch for those who
    had a circle or a pair to stay in touch with."""
    steps = [NextStep.ALUMNI, NextStep.MENTOR_NEXT]
    if program.format != ProgramFormat.CIRCLES:
        steps.append(NextStep.NEW_MATCH)
    if member_id in record.circle_of or member_id in record.paired:
        steps.append(NextStep.STAY_IN_TOUCH)
    return steps


def _attendance(t: Translator, program: Program, record: ProgramRecord, member_id: int) -> str:
    if program.format == ProgramFormat.CIRCLES:
        circle = record.circle_of.get(member_id)
        if circle is None:
            return t("closing.summary.no_circle")
        return t("closing.summary.sessions", circle=circle.name, attended=record.attended.get(member_id, 0),
                 held=record.held.get(member_id, 0))
    if member_id not in record.paired:
        return t("closing.summary.no_pair")
    return t("closing.summary.meetings", attended=record.attended.get(member_id, 0),
             held=record.held.get(member_id, 0))


def _goal(t: Translator, record: ProgramRecord, member_id: int) -> str:
    goal = record.goals.get(member_id)
    if goal is None:
        return t("closing.summary.no_goal")
    # The path, not only the last number: a member sees how far they came (bot.sessions.goal_trend).
    trend = goal_trend(t, record.goal_paths.get(member_id) or goal_path(goal, ()))
    key = "goals.summary.goal_reached" if goal.progress >= 100 else "goals.summary.goal"
    return t(key, goal=goal.specific, trend=trend)


def _scores(row: SelfAssessment) -> dict[str, int]:
    return {str(r.get("skill")): int(r["score"]) for r in row.ratings if r.get("skill") is not None}


def assessment_lines(t: Translator, record: ProgramRecord, member_id: int) -> list[str]:
    """Their own before and after, skill by skill: only they see it (admins get the K-anonymous comparison)."""
    mine = record.assessments.get(member_id, {})
    before, after = mine.get(PollKind.BEFORE), mine.get(PollKind.AFTER)
    if before is None and after is None:
        return [t("closing.summary.assess_none")]
    if before is None or after is None:
        return [t("closing.summary.assess_one_before" if after is None else "closing.summary.assess_one_after")]
    first, last = _scores(before), _scores(after)
    shared = [skill for skill in first if skill in last]
    if not shared:
        return [t("closing.summary.assess_changed")]
    lines = [t("closing.summary.assess_title")]
    for skill in shared:
        lines.append(t("closing.summary.assess_skill", skill=skill or t("feedback.assess.general"),
                       before=first[skill], after=last[skill], change=f"{last[skill] - first[skill]:+d}"))
    return lines


def member_summary(t: Translator, program: Program, record: ProgramRecord, member: Member) -> Message:
    member_id = member.id or 0
    title = t("closing.summary.title", program=program.name)
    body = [t("closing.summary.intro", name=member.name, program=program.name),
            _attendance(t, program, record, member_id), _goal(t, record, member_id),
            *assessment_lines(t, record, member_id)]
    steps = next_steps(program, record, member_id)
    ask, note = t("closing.next.ask"), t("closing.next.note")
    buttons = tuple(Button(t(f"closing.next.{step}"), f"{NEXT}:{program.id}:{step}") for step in steps)
    text = "\n".join([title, *body, ask, *(f"• {b.label}" for b in buttons), note])
    return Message(text=text, blocks=(Header(title), Text("\n".join(body)), Text(ask), Buttons(buttons),
                                      Context(note)))
