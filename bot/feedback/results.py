"""Feedback results: aggregates only for groups of at least K people, individual answers only for admins."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from bot.i18n import Translator
from bot.messages import Block, Context, Divider, Header, Message, Text
from storage.tables import Poll, PollKind, PollResponse, SelfAssessment

MAX_ANSWERS_SHOWN = 25  # per round in chat; `export` has them all


@dataclass(frozen=True)
class PollSummary:
    respondents: int
    satisfaction: float  # mean of 1-5
    recommend: float  # mean of 0-10
    nps: int  # promoters (9-10) minus detractors (0-6), in percent of respondents


def summarise(responses: Sequence[PollResponse], *, k: int) -> PollSummary | None:
    """None below k respondents, so no answer can be traced back to a person."""
    if not responses or len(responses) < k:
        return None
    promoters = sum(1 for r in responses if r.recommend >= 9)
    detractors = sum(1 for r in responses if r.recommend <= 6)
    return PollSummary(
        respondents=len(responses),
        satisfaction=round(fmean(r.satisfaction for r in responses), 2),
        recommend=round(fmean(r.recommend for r in responses), 2),
        nps=round(100 * (promoters - detractors) / len(responses)),
    )


@dataclass(frozen=True)
class SkillChange:
    skill: str  # "" stands for "your goals in general" (members who named no skill)
    before: float
    after: float


@dataclass(frozen=True)
class Evaluation:
    before_respondents: int
    after_respondents: int
    before: float | None  # mean self-rating, only from k respondents up
    after: float | None
    skills: tuple[SkillChange, ...]  # only skills rated by at least k people both before and after

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


def evaluate(assessments: Sequence[SelfAssessment], *, k: int) -> Evaluation:
    by_phase: dict[str, list[SelfAssessment]] = defaultdict(list)
    skill_scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in assessments:
        by_phase[row.phase].append(row)
        for rating in row.ratings:
            if rating.get("skill") is not None:  # erased members' skill names are gone; their scores still count
                skill_scores[(row.phase, str(rating["skill"]))].append(int(rating["score"]))

    def overall(phase: str) -> float | None:
        rows = by_phase.get(phase, [])
        scores = [int(r["score"]) for row in rows for r in row.ratings]
        return round(fmean(scores), 2) if len(rows) >= k and scores else None

    skills = sorted({skill for _, skill in skill_scores})
    changes = tuple(
        SkillChange(skill, round(fmean(skill_scores[(PollKind.BEFORE, skill)]), 2),
                    round(fmean(skill_scores[(PollKind.AFTER, skill)]), 2))
        for skill in skills
        if len(skill_scores[(PollKind.BEFORE, skill)]) >= k and len(skill_scores[(PollKind.AFTER, skill)]) >= k
    )
    return Evaluation(len(by_phase.get(PollKind.BEFORE, [])), len(by_phase.get(PollKind.AFTER, [])),
                      overall(PollKind.BEFORE), overall(PollKind.AFTER), changes)


def round_label(t: Translator, poll: Poll) -> str:
    if poll.kind == PollKind.PULSE:
        week = poll.key.removeprefix("pulse-")
        return t("feedback.kind.pulse_week", week=int(week) + 1 if week.isdigit() else week)
    return t(f"feedback.kind.{poll.kind}")


def summary_line(t: Translator, summary: PollSummary | None, *, respondents: int, k: int) -> str:
    if summary is None:
        return t("feedback.not_enough", count=respondents, k=k)
    return t("feedback.summary", count=summary.respondents, satisfaction=f"{summary.satisfaction:.1f}",
             recommend=f"{summary.recommend:.1f}", nps=f"{summary.nps:+d}")


def evaluation_lines(t: Translator, evaluation: Evaluation, *, k: int) -> list[str]:
    if evaluation.before_respondents == 0 and evaluation.after_respondents == 0:
        return [t("feedback.eval.none")]
    if evaluation.change is None:
        return [t("feedback.eval.not_enough", before=evaluation.before_respondents,
                  after=evaluation.after_respondents, k=k)]
    lines = [t("feedback.eval.overall", before=f"{evaluation.before:.1f}", after=f"{evaluation.after:.1f}",
               change=f"{evaluation.change:+.1f}", n_before=evaluation.before_respondents,
               n_after=evaluation.after_respondents)]
    for change in evaluation.skills:
        skill = change.skill or t("feedback.assess.general")
        lines.append(t("feedback.eval.skill", skill=skill, before=f"{change.before:.1f}",
                       after=f"{change.after:.1f}", change=f"{change.after - change.before:+.1f}"))
    return lines


def _answer_line(t: Translator, response: PollResponse) -> str:
    line = t("feedback.answer", satisfaction=response.satisfaction, recommend=response.recommend)
    if response.keep:
        line += "\n    " + t("feedback.answer_keep", text=response.keep)
    if response.improve:
        line += "\n    " + t("feedback.answer_improve", text=response.improve)
    return line


def results_message(
    t: Translator, *, program_name: str, rounds: Sequence[tuple[Poll, Sequence[PollResponse]]],
    evaluation: Evaluation, k: int, admin: bool,
) -> Message:
    """Every round's aggregate and the before/after comparison; for admins, the answers themselves (no names)."""
    title = t("feedback.results_title", program=program_name)
    blocks: list[Block] = [Header(title)]
    lines = [title]
    if not rounds:
        lines.append(t("feedback.no_rounds"))
        blocks.append(Text(lines[-1]))
    for poll, responses in rounds:
        text = f"{round_label(t, poll)}: " + summary_line(t, summarise(responses, k=k), respondents=len(responses),
                                                          k=k)
        lines.append(text)
        blocks.append(Text(text))
    evaluation_text = t("feedback.eval.title") + "\n" + "\n".join(evaluation_lines(t, evaluation, k=k))
    blocks.extend([Divider(), Text(evaluation_text)])
    lines.append(evaluation_text)
    if admin:
        for poll, responses in rounds:
            if not responses:
                continue
            # Ordered by the answers, not by time or person, so the list cannot be lined up with who answered when.
            ordered = sorted(responses, key=lambda r: (r.satisfaction, r.recommend, r.keep or "", r.improve or ""))
            shown = [_answer_line(t, r) for r in ordered[:MAX_ANSWERS_SHOWN]]
            text = t("feedback.answers_title", round=round_label(t, poll)) + "\n" + "\n".join(
                f"• {line}" for line in shown)
            if len(ordered) > MAX_ANSWERS_SHOWN:
                text += "\n" + t("feedback.answers_more", count=len(ordered) - MAX_ANSWERS_SHOWN)
            blocks.extend([Divider(), Text(text)])
            lines.append(text)
        blocks.append(Context(t("feedback.admin_note", k=k)))
        lines.append(t("feedback.admin_note", k=k))
    else:
        blocks.append(Context(t("feedback.member_note", k=k)))
        lines.append(t("feedback.member_note", k=k))
    return Message(text="\n".join(lines), blocks=tuple(blocks))
