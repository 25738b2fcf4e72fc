"""Feedback results as a message: what the disclosure rule lets a member or an admin see, never who said what."""

from __future__ import annotations

from collections.abc import Sequence

from bot.feedback.disclosure import Comments, Evaluation, RoundResults, Shown
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Block, Context, Divider, Header, Message, Text
from storage.tables import Poll, PollKind

MAX_COMMENTS_SHOWN = 25  # per question and round in chat; `export` has them all


def round_label(t: Translator, poll: Poll) -> str:
    if poll.kind == PollKind.PULSE:
        week = poll.key.removeprefix("pulse-")
        return t("feedback.kind.pulse_week", week=int(week) + 1 if week.isdigit() else week)
    return t(f"feedback.kind.{poll.kind}")


def round_line(t: Translator, results: RoundResults, *, k: int, timezone: str) -> str:
    """One round in a line: figures once closed and from K answers; until then the count and why."""
    if results.shown == Shown.OPEN:
        return t.n("feedback.open_round", results.respondents, count=results.respondents,
                   closes=format_moment(results.poll.closes_at, timezone=timezone, locale=t.locale))
    if results.summary is None:
        return t.n("feedback.not_enough", results.respondents, count=results.respondents, k=k)
    summary = results.summary
    return t.n("feedback.summary", summary.respondents, count=summary.respondents,
               satisfaction=t.decimal(summary.satisfaction), recommend=t.decimal(summary.recommend),
               nps=f"{summary.nps:+d}")


def evaluation_lines(t: Translator, evaluation: Evaluation, *, k: int) -> list[str]:
    if evaluation.before_respondents == 0 and evaluation.after_respondents == 0:
        return [t("feedback.eval.none")]
    if evaluation.waiting:
        return [t("feedback.eval.waiting", before=evaluation.before_respondents,
                  after=evaluation.after_respondents)]
    if evaluation.change is None or evaluation.before is None or evaluation.after is None:  # change implies both
        return [t("feedback.eval.not_enough", before=evaluation.before_respondents,
                  after=evaluation.after_respondents, k=k)]
    lines = [t("feedback.eval.overall", before=t.decimal(evaluation.before), after=t.decimal(evaluation.after),
               change=t.decimal(evaluation.change, signed=True), n_before=evaluation.before_respondents,
               n_after=evaluation.after_respondents)]
    for change in evaluation.skills:
        skill = change.skill or t("feedback.assess.general")
        lines.append(t("feedback.eval.skill", skill=skill, before=t.decimal(change.before),
                       after=t.decimal(change.after), change=t.decimal(change.after - change.before, signed=True)))
    return lines


def _comment_lines(t: Translator, question: str, comments: Comments, *, k: int) -> list[str]:
    if comments.count == 0:
        return []
    title = t(f"feedback.comments_{question}")
    if not comments.texts:
        return [f"{title} " + t("feedback.comments_too_few", count=comments.count, k=k)]
    lines = [title, *(f"• {text}" for text in comments.texts[:MAX_COMMENTS_SHOWN])]
    if comments.count > MAX_COMMENTS_SHOWN:
        lines.append(t("feedback.answers_more", count=comments.count - MAX_COMMENTS_SHOWN))
    return lines


def results_message(
    t: Translator, *, program_name: str, timezone: str, rounds: Sequence[RoundResults], evaluation: Evaluation,
    k: int, admin: bool,
) -> Message:
    """Every round's figures and the before/after comparison; for admins also the comments (shuffled, no names)."""
    title = t("feedback.results_title", program=program_name)
    blocks: list[Block] = [Header(title)]
    lines = [title]
    if not rounds:
        lines.append(t("feedback.no_rounds"))
        blocks.append(Text(lines[-1]))
    for results in rounds:
        text = f"{round_label(t, results.poll)}: " + round_line(t, results, k=k, timezone=timezone)
        lines.append(text)
        blocks.append(Text(text))
    evaluation_text = t("feedback.eval.title") + "\n" + "\n".join(evaluation_lines(t, evaluation, k=k))
    blocks.extend([Divider(), Text(evaluation_text)])
    lines.append(evaluation_text)
    if admin:
        for results in rounds:
            found = [*_comment_lines(t, "keep", results.keep, k=k),
                     *_comment_lines(t, "improve", results.improve, k=k)]
            if results.shown != Shown.SHOWN or not found:
                continue
            text = t("feedback.comments_title", round=round_label(t, results.poll)) + "\n" + "\n".join(found)
            blocks.extend([Divider(), Text(text)])
            lines.append(text)
        note = t("feedback.admin_note", k=k)
    else:
        note = t("feedback.member_note", k=k)
    blocks.append(Context(note))
    lines.append(note)
    return Message(text="\n".join(lines), blocks=tuple(blocks))
