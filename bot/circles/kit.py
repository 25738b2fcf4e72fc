"""The moderator's session kit: the day before each circle session, a DM with a plan for it.

An opening round, the session's prompt (the one the circle gets, read from its CirclePrompt row), a closing
commitment and two facilitation tips that rotate by session. It is due with the circle's prompt and stale once
the session starts; a rotating circle's kit goes to that session's moderator; a paused moderator gets none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.circles.moderators import rotation
from bot.circles.prompts import prompt_for_session, prompt_text
from bot.circles.scope import CircleRun, active_circles, circle_pass, load_circle
from bot.kernel.anonymity import k_of
from bot.kernel.calendar import Timed, group_timetable, session_time
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.outbox import Outgoing, enqueue_many, user_target
from bot.kernel.planning import PlanContext
from bot.sessions.due_windows import Window, windows
from bot.sessions.goal_trend import Group, circle_goals_line, groups_goals
from bot.sessions.series import SeriesPass, Session, dm_ready, plan_series, series_pass
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


async def session_moderator(pc: PlanContext, run: CircleRun, index: int) -> Member | None:
    """Who moderates this session: the rotation's turn (as plan_rotation picks it), else the circle's moderator."""
    if pc.program.moderator_mode == ModeratorMode.ROTATING:
        everyone = await pc.uow.members.many(workspace_id=pc.workspace_id,
                                             member_ids=[m.member_id for m in run.memberships])
        chosen: Member | None = rotation(everyone, index) if everyone else None
    else:
        chosen = next((m for m in run.members if m.id == run.circle.moderator_member_id), None)
    return chosen if chosen is not None and chosen.id in run.member_ids() else None


async def kit_pass(pc: PlanContext) -> SeriesPass[Circle, CircleRun]:
    """Its own pass (family and key prefix): the kits' keys are read once, apart from the channel posts'."""
    async def load(circle: Circle) -> CircleRun:
        return await load_circle(pc, circle, pc.program)

    async def load_many(circles: list[Circle]) -> dict[int, CircleRun | None]:
        # The channel posts' pass (prompts, earlier in the same tick) has loaded these circles already: the kits
        # reuse its runs instead of reading every member and membership of the program a second time.
        posts = await circle_pass(pc)
        return {c.id or 0: await posts.run(c) for c in circles}

    return await series_pass(pc, family="circle-kits", prefixes=(f"{PREFIX}:",),
                             units=lambda scope: active_circles(scope, scope.program), load=load,
                             load_many=load_many)


async def plan_kits(pc: PlanContext) -> int:
    """A planner: each session's kit to its moderator, once per circle and session.

    Set-based (issue 18: 15,000 circles' kits due in one tick): the pass gathers the due sessions, then reads their
    prompts and their circles' goals once and queues the kits a statement per 1,000."""
    found: dict[int, list[Window]] = {}

    def windows_of(circle: Circle) -> list[Window]:
        if circle.id not in found:
            found[circle.id or 0] = kit_windows(group_timetable(pc.program, circle))
        return found[circle.id or 0]

    due: list[Session[Circle]] = []

    async def gather(work: SeriesPass[Circle, CircleRun], s: Session[Circle]) -> int:
        if not work.planned(s.key):
            due.append(s)
        return 0

    await plan_series(pc, prefix=PREFIX, windows_of=windows_of, open_pass=kit_pass,
                      includes=lambda c, i: windows_of(c)[i][1] > c.created_at, each=gather)
    return await _send_kits(await kit_pass(pc), due, windows_of) if due else 0


async def _send_kits(work: SeriesPass[Circle, CircleRun], sessions: list[Session[Circle]],
                     windows_of: Callable[[Circle], Sequence[Window]]) -> int:
    pc = work.pc
    ready: list[tuple[Session[Circle], CircleRun, Member]] = []
    for s in sessions:
        run = await work.loaded(s.unit)
        moderator = await session_moderator(pc, run, s.index)
        if moderator is not None and await dm_ready(work, run, moderator, key=s.key, kind="kit", due=s.due,
                                                    stale=s.stale):
            ready.append((s, run, moderator))
    await work.flush_notes()  # the stale or paused moderators dm_ready noted
    if not ready:
        return 0
    rows = await pc.uow.running.prompt_values_of_circles(circle_ids=sorted({s.unit.id or 0 for s, _, _ in ready}))
    goals = await groups_goals(pc.uow, program_id=pc.program.id or 0, k=k_of(pc.program, pc.config.k_anonymity),
                               groups=[Group(run.member_ids(), run.circle.created_at, moderator.id)
                                       for _, run, moderator in ready])
    items: list[Outgoing] = []
    for (s, run, moderator), found in zip(ready, goals, strict=True):
        held = next((CirclePrompt(**r) for r in rows.get(s.unit.id or 0, []) if r["session_index"] == s.index), None)
        row = held or await prompt_for_session(pc, s.unit, s.index)  # chosen by the prompt planner before this
        t = Translator(resolve_locale(moderator.locale, pc.workspace.locale))
        tz = zone(moderator.timezone, fallback=pc.program.timezone)
        # The session starts when its kit goes stale (kit_windows).
        message = kit_message(t, circle=s.unit, index=s.index, sessions=len(windows_of(s.unit)), moment=s.stale,
                              timezone=tz.key, prompt=prompt_text(row, t.locale, pc.program) if row else None,
                              goals=circle_goals_line(t, found, since_day=run.circle.created_at.astimezone(tz).date()))
        items.append(Outgoing(key=s.key, kind="kit", target=user_target(pc.workspace, moderator.external_id),
                              message=message, due_at=s.due, stale_at=s.stale, member_id=moderator.id))
    return len(await enqueue_many(pc.uow, workspace_id=pc.workspace_id, program_id=pc.program.id, items=items))
