"""The circles' side of joining a program that already started (the kernel's on_join hook), and the planner that
gives waiting members the places that open without anyone leaving (a larger maximum, changed working hours)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.circles.board import is_placed, load_board, position_in_line
from bot.circles.intake import fill_places, place
from bot.kernel.context import Ctx
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.planning import PlanContext
from storage.tables import Member, Program, ProgramFormat, ProgramState, ThemeMode


async def on_join(ctx: Ctx, program: Program, member: Member) -> str | None:
    """A member's enrollment became active in a forming or running circle program: a line for them saying where
    they are, or why they wait and where they stand in line. None for pair programs."""
    if program.format != ProgramFormat.CIRCLES:
        return None
    t = Translator(resolve_locale(member.locale, ctx.workspace.locale))
    if program.state == ProgramState.FORMING:
        picking = program.theme_mode == ThemeMode.SELF_SELECT
        return t("circles_intake.forming_pick" if picking else "circles_intake.forming", program=program.name)
    if program.state != ProgramState.RUNNING:
        return None
    for outcome in await fill_places(ctx, program):  # whoever waited longer goes first
        if outcome.member.id == member.id and outcome.circle is not None:
            return t("circles_intake.placed_line", circle=outcome.circle.name)
    board = await load_board(ctx, program)
    if is_placed(board, member.id or 0):
        return t("circles_intake.already_in", circle=board.circles[board.rows[member.id or 0].circle_id].name)
    outcome = await place(ctx, board, member)
    if outcome.circle is not None:
        return t("circles_intake.placed_line", circle=outcome.circle.name)
    meeting = board.next_meeting_with_room()  # circles may each meet at their own time
    local = meeting.astimezone(ZoneInfo(member.timezone))
    reason = t(f"circles_intake.wait.{outcome.reason}",
               when=format_moment(meeting, timezone=member.timezone, locale=t.locale),
               hours=f"{member.work_start_hour:02d}:00-{member.work_end_hour:02d}:00", time=f"{local:%H:%M}")
    return t("circles_intake.waiting", program=program.name, reason=reason,
             position=await position_in_line(ctx, board, member.id or 0))


async def place_waiting(pc: PlanContext) -> int:
    """A planner: places that fit a waiting member, wherever they came from, are given longest waiting first."""
    return len(await fill_places(pc, pc.program))
