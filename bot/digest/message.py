"""The digest as a message (and its chart) in one admin's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.digest.chart import RATES, Labels, Panel, plotted, rates_png
from bot.digest.figures import GOAL_WEEKS, Digest, ProgramFigures
from bot.feedback.results import round_label, round_line
from bot.kernel.i18n import Translator, format_days
from bot.kernel.messages import Block, Context, Divider, Fields, Header, Message, Text
from bot.sessions.goal_trend import GroupGoals


def _count_trend(now: int, before: Any) -> str:
    if not isinstance(before, int | float):
        return ""
    delta = now - before
    return f" ({delta:+d})" if delta else " (±0)"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def _rate_trend(t: Translator, now: float | None, before: Any) -> str:
    if now is None or not isinstance(before, int | float):
        return ""
    return " " + t("digest.points", delta=f"{round((now - before) * 100):+d}")


def _members(t: Translator, f: ProgramFigures, last: dict[str, Any]) -> str:
    return t("digest.members_line", enrolled=f"{f.enrolled}{_count_trend(f.enrolled, last.get('enrolled'))}",
             active=f"{f.active}{_count_trend(f.active, last.get('active'))}",
             paused=f.paused, left=f"{f.left}{_count_trend(f.left, last.get('left'))}")


def _feedback(t: Translator, f: ProgramFigures, last: dict[str, Any], k: int) -> str:
    if f.feedback_round is None or f.feedback is None:
        return t("digest.no_feedback")
    text = f"{round_label(t, f.feedback_round)}: " + round_line(t, f.feedback, k=k, timezone=f.timezone)
    if f.invited:
        text += " " + t("digest.response_rate", rate=_rate(f.respondents / f.invited))
    if f.published is not None and f.published.poll.id != f.feedback_round.id:
        text += "; " + f"{round_label(t, f.published.poll)}: " + round_line(t, f.published, k=k, timezone=f.timezone)
    before = last.get("satisfaction")
    if f.published_summary is not None and isinstance(before, int | float):
        text += " " + t("digest.satisfaction_trend", delta=f"{f.published_summary.satisfaction - before:+.1f}")
    return text


def _risk_line(t: Translator, f: ProgramFigures) -> str:
    if not f.at_risk and f.spaces.circles:  # a circle with nowhere to meet needs attention: listed below
        return t.n("program_home.digest_risk_spaces", len(f.spaces.circles), count=len(f.spaces.circles))
    if not f.at_risk:
        return t("digest.no_risk")
    lines = [t("digest.at_risk_title", count=len(f.at_risk))]
    for risk in f.at_risk:
        reasons = "; ".join(t(f"digest.risk.{reason}", size=risk.size, minimum=f.size_min) for reason in risk.reasons)
        lines.append(f"• {risk.circle}: {reasons}")
    return "\n".join(lines)


def program_blocks(t: Translator, f: ProgramFigures, last: dict[str, Any], *, k: int) -> list[Block]:
    activity = f.activity
    met = t("digest.circles_met", met=activity.circles_met, total=f.circles)
    pairs: tuple[tuple[str, str], ...] = (
        (t("digest.f_members"), _members(t, f, last)),
        (t("digest.f_circles"), met + _count_trend(activity.circles_met, last.get("circles_met"))),
        (t("digest.f_attendance"), _rate(activity.attendance_rate)
         + _rate_trend(t, activity.attendance_rate, last.get("attendance_rate"))),
        (t("digest.f_checkins"), _rate(activity.checkin_rate)
         + _rate_trend(t, activity.checkin_rate, last.get("checkin_rate"))),
        (t("digest.f_feedback"), _feedback(t, f, last, k)),
    )
    if f.pairs is not None:
        pairs += ((t("pair_running.digest.label"), t(
            "pair_running.digest.line", active=f.pairs.active, never_met=f.pairs.never_met,
            at_risk=f.pairs.at_risk, ended=f.pairs.ended_this_week)),)
    if f.goals is not None:
        pairs += ((t("goals.digest.label"), _goals(t, f.goals)),)
    return [Header(f.name), Fields(pairs), Text(_risk_line(t, f)), *_attention(t, f), *_spaces(t, f)]


def _attention(t: Translator, f: ProgramFigures) -> list[Block]:
    """Each circle and pair to look at, by name, with what an admin can act on."""
    if not f.attention:
        return []
    lines = [t("digest_charts.attention_title", count=len(f.attention))]
    for one in f.attention:
        name = one.name if one.pair_id is None else t("digest_charts.pair", id=one.pair_id)
        lines.append(f"• {name}: " + "; ".join(t(f"digest_charts.reason.{r}") for r in one.reasons))
    return [Text("\n".join(lines))]


def _goals(t: Translator, goals: GroupGoals) -> str:
    """Members' goals over time at K: a count and medians, never one member's goal."""
    if not goals.shown:
        return t.n("goals.digest.withheld", goals.with_goal, count=goals.with_goal, members=goals.members, k=goals.k)
    return t.n("goals.digest.line", goals.with_goal, count=goals.with_goal, members=goals.members, before=goals.before,
             now=goals.now, weeks=GOAL_WEEKS)


def _spaces(t: Translator, f: ProgramFigures) -> list[Block]:
    """Circles and pairs still without a space, said plainly with the command that retries a circle's."""
    lines = []
    if f.spaces.circles:
        names = ", ".join(f"{name} (#{circle_id})" + (f" - {t('spaces.digest_refused')}" if failed else "")
                          for circle_id, name, failed in f.spaces.circles)
        lines.append(t("spaces.digest_circles", count=len(f.spaces.circles), circles=names,
                       command=f"circle retry {f.spaces.circles[0][0]}"))
        if f.spaces.homeless:
            lines.append(t("program_home.digest_no_home", program=f.name, slug=f.spaces.slug))
    if f.spaces.pairs:
        lines.append(t("spaces.digest_pairs", count=f.spaces.pairs, failed=f.spaces.pairs_failed))
    return [Text("\n".join(lines))] if lines else []


def digest_message(t: Translator, digest: Digest, *, k: int) -> Message:
    # The days it covers, not its ISO week ("2026-W05"), which no HR team reads.
    days = format_days(digest.since.date(), (digest.until - timedelta(days=1)).date(), locale=t.locale)
    title = t("digest.title", week=days)
    blocks: list[Block] = [Header(title)]
    if not digest.programs:
        blocks.append(Text(t("digest.no_programs")))
    for figures in digest.programs:
        last = digest.previous.get(figures.program_id, {})
        blocks.extend(program_blocks(t, figures, last, k=figures.k or k))
        if not last:
            blocks.append(Context(t("digest.no_trend")))
        blocks.append(Divider())
    blocks.extend(_deliveries(t, digest))
    if digest.erasures:
        blocks.append(Text(t("digest.erasures", count=digest.erasures)))
    if not plotted(chart_panels(digest)):  # no chart follows: say why rather than send empty axes
        blocks.append(Context(t("digest_charts.nothing")))
    blocks.append(Context(t("digest.footer", k=k)))
    return Message(text=_plain(blocks), blocks=tuple(blocks))


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items()))


def _deliveries(t: Translator, digest: Digest) -> list[Block]:
    """What did not arrive this week, said plainly: messages that gave up, those skipped as too late, and circles
    still without a space; "every message was delivered" only when none of these happened."""
    blocks: list[Block] = []
    if digest.failed:
        blocks.append(Text(t("digest.failed", count=sum(digest.failed.values()), kinds=_kinds(digest.failed))))
    if digest.late:
        blocks.append(Text(t("program_home.digest_late", count=sum(digest.late.values()), kinds=_kinds(digest.late))))
    if not blocks and any(f.spaces for f in digest.programs):  # nothing gave up, but not everything arrived either
        blocks.append(Text(t("program_home.digest_none_failed_but_spaces")))
    return blocks or [Text(t("digest.no_failed"))]


def _plain(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        match block:
            case Header(text=text) | Text(text=text) | Context(text=text):
                lines.append(text)
            case Fields(pairs=pairs):
                lines.extend(f"{label}: {value}" for label, value in pairs)
    return "\n".join(lines)


def _labels(t: Translator) -> Labels:
    return Labels(title=t("digest_charts.title"), week=t("digest_charts.week"), rate=t("digest_charts.rate"),
                  lines={key: t(f"digest_charts.{key}") for key in RATES}, not_logged=t("digest_charts.not_logged"))


def chart_panels(digest: Digest) -> list[Panel]:
    return [Panel(f.name, f.weeks) for f in digest.programs]


def chart_or_none(t: Translator, digest: Digest) -> bytes | None:
    """The rates chart in the admin's language; None when nothing was held yet (the digest says so instead)."""
    return rates_png(chart_panels(digest), _labels(t))

