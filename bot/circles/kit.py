"""The moderator's session kit: the day before each circle session, a DM with a plan for it.

An opening round, the session's prompt (the one the circle gets, read from its CirclePrompt row), a closing
commitment and two facilitation tips that rotate by session. It is due with the circle's prompt and stale once
the session starts; a rotating circle's kit goes to that session's moderator; a paused moderator gets none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.circles.moderators import rotation
from bot.circles.prompts import prompt_for_session, prompt_text
from bot.circles.scope import CircleRun, active_circles, load_circle, load_circles
from bot.kernel.anonymity import k_of
from bot.kernel.calendar import Timed, group_timetable, session_time
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.planning import PlanContext
from bot.sessions.due_windows import Window, windows
from bot.sessions.goal_trend import circle_goals_line, group_goals
from bot.sessions.series import Item, SeriesPass, Session, dm, plan_series, series_pass
from bot.sessions.timing import prompt_due, zone
from storage.tables import Circle, CirclePrompt, Member, ModeratorMode

PREFIX = "kit"
# At least six, two a session in this order: with 2 × 2 < len(TIPS), no tip comes back the next session.
TIPS = ("active_listening", "quiet_members", "feedback", "confidentiality", "time_keeping", "disagreement")
TIPS_PER_SESSION = 2
OPENINGS = 4  # kit.opening.1 .. 4 rotate between the first session's (0) and the last's ("last")


def kit_windows(program: Timed) -> list[Window]:
    """When each session's kit is due and goes stale: the prompt's window. The one place the kit reads the
    schedule, so a circle's own schedule can replace the program's here."""
    return windows(program, prompt_due, session_time)


def tips_for(index: int) -> tuple[str, ...]:
    start = index * TIPS_PER_SESSION
    return tuple(TIPS[(start + i) % len(TIPS)] for i in range(TIPS_PER_SESSION))


def opening_for(index: int, sessions: int) -> str:
    """The first session asks what members hope for, the last what they take away; the rest rotate."""
    if index == 0:
        return "kit.opening.0"
    if index == sessions - 1:
        return "kit.opening.last"
    return f"kit.opening.{1 + (index - 1) % OPENINGS}"


def kit_message(t: Translator, *, circle: Circle, index: int, sessions: int, moment: datetime,
                timezone: str, prompt: str | None, goals: str | None = None) -> Message:
    title = t("kit.session.title", session=index + 1, circle=circle.name)
    intro = t("kit.session.intro", session=index + 1, circle=circle.name,
              when=format_moment(moment, timezone=timezone, locale=t.locale))
    sections = [(t("kit.session.goals_title"), goals)] if goals else []
    sections += [
        (t("kit.session.opening_title"), t("kit.session.opening", question=t(opening_for(index, sessions)))),
        (t("kit.session.prompt_title"), t("kit.session.prompt", prompt=prompt) if prompt
         else t("kit.session.no_prompt")),
        (t("kit.session.closing_title"), t("kit.session.closing")),
        (t("kit.session.tips_title"), "\n".join(f"• {t(f'kit.tip.{tip}')}" for tip in tips_for(index))),
    ]
    after = t("kit.session.after")
    text = "\n\n".join([title, intro, *(f"*{head}*\n{body}" for head, body in sections), after])
    blocks: list[Header | Text | Context] = [Header(title), Text(intro)]
    blocks += [Text(f"*{head}*\n{body}") for head, body in sections]
    blocks.append(Context(after))
    return Message(text=text, blocks=tuple(blocks))


async def session_prompt(pc: PlanContext, circle: Circle, index: int) -> CirclePrompt | None:
    """The prompt the circle gets for this session: its row if the prompt planner chose it, else the same choice."""
    for row in await pc.uow.running.prompts_of_circle(circle_id=circle.id or 0):
        if row.session_index == index:
            return row
    return await prompt_for_session(pc, circle, index)


async def session_moderator(pc: PlanContext, run: CircleRun, index: int) -> Member | None:
    """Who moderates this session: the rotation's turn (as plan_rotation picks it), else the circle's moderator."""
    if pc.program.moderator_mode == ModeratorMode.ROTATING:
        everyone = await pc.uow.members.many(workspace_id=pc.workspace_id,
                                             member_ids=[m.member_id for m in run.memberships])
        chosen: Member | None = rotation(everyone, index) if everyone else None
    else:
        chosen = next((m for m in run.members if m.id == run.circle.moderator_member_id), None)
    return chosen if chosen is not None and chosen.id in run.member_ids() else None


async def goals_line(pc: PlanContext, t: Translator, run: CircleRun, moderator: Member, tz: ZoneInfo) -> str:
    """The circle's goals since it began, in aggregate at K; the moderator's own goal left out of the figures."""
    since = run.circle.created_at
    found = await group_goals(pc.uow, program_id=pc.program.id or 0, member_ids=run.member_ids(), since=since,
                              k=k_of(pc.program, pc.config.k_anonymity), exclude=moderator.id)
    return circle_goals_line(t, found, since_day=since.astimezone(tz).date())


async def kit_pass(pc: PlanContext) -> SeriesPass[Circle, CircleRun]:
    """Its own pass (family and key prefix): the kits' keys are read once, apart from the channel posts'."""
    async def load(circle: Circle) -> CircleRun:
        return await load_circle(pc, circle, pc.program)

    async def load_many(circles: list[Circle]) -> dict[int, CircleRun | None]:
        return await load_circles(pc, circles, pc.program)

    return await series_pass(pc, family="circle-kits", prefixes=(f"{PREFIX}:",),
                             units=lambda scope: active_circles(scope, scope.program), load=load,
                             load_many=load_many)


async def plan_kits(pc: PlanContext) -> int:
    """A planner: each session's kit to its moderator, once per circle and session."""
    found: dict[int, list[Window]] = {}

    def windows_of(circle: Circle) -> list[Window]:
        if circle.id not in found:
            found[circle.id or 0] = kit_windows(group_timetable(pc.program, circle))
        return found[circle.id or 0]

    return await plan_series(pc, prefix=PREFIX, windows_of=windows_of, open_pass=kit_pass,
                             includes=lambda c, i: windows_of(c)[i][1] > c.created_at, each=_send_kit(windows_of))


def _send_kit(windows_of: Callable[[Circle], Sequence[Window]]) -> Item[Circle, CircleRun]:
    """One session's kit; the circle's windows tell which session is the last."""

    async def send(work: SeriesPass[Circle, CircleRun], s: Session[Circle]) -> int:
        if work.planned(s.key):
            return 0
        pc = work.pc
        run = await work.loaded(s.unit)
        moderator = await session_moderator(pc, run, s.index)
        if moderator is None:
            return 0

        async def build(t: Translator) -> Message:
            row = await session_prompt(pc, s.unit, s.index)
            tz = zone(moderator.timezone, fallback=pc.program.timezone)
            # The session starts when its kit goes stale (kit_windows).
            return kit_message(t, circle=s.unit, index=s.index, sessions=len(windows_of(s.unit)), moment=s.stale,
                               timezone=tz.key,
                               prompt=prompt_text(row, t.locale, pc.program) if row else None,
                               goals=await goals_line(pc, t, run, moderator, tz))

        return await dm(work, run, moderator, key=s.key, kind="kit", due=s.due, stale=s.stale, build=build)

    return send
