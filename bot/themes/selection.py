"""When enrollment closes: the themes that will form circles, announced with those that will not."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.i18n import Translator
from bot.kernel.messages import Header, Message, Text
from bot.kernel.outbox import post
from bot.kernel.payload import announcement_channel
from bot.sessions.theme_plan import Bounds, step_seed, themes_that_form
from bot.themes.commands import OPEN, add_theme
from storage.tables import Program, ProgramFormat, Theme, ThemeMode, ThemeStatus

Tally = list[tuple[Theme, int]]  # themes with their approvals by members still enrolled


async def _formation_preview(ctx: Ctx, program: Program, enrolled: list[int], themes: list[Theme]) -> set[int]:
    """The themes formation will open for these members and votes (bot/sessions/theme_plan, the rule formation
    uses): each member's approvals in the order they gave them, members by id, seeded like `program form`."""
    assert program.id is not None
    offered = {t.id for t in themes}
    prefs: dict[int, list[int]] = {}
    for vote in await ctx.uow.themes.votes_of_program(program_id=program.id):
        if vote.theme_id in offered:
            prefs.setdefault(vote.member_id, []).append(vote.theme_id)
    plan = themes_that_form(prefs=[prefs.get(m, []) for m in enrolled], theme_ids=sorted(t.id or 0 for t in themes),
                            bounds=Bounds(program.size_min, program.size_target, program.size_max),
                            seed=step_seed(program.id))
    return set(plan)


def _by_approvals(program: Program, themes: list[Theme], counts: dict[int, int], members: int) -> set[int]:
    """Self-select mode has no formation: the top themes that can fill a circle, one per `size_min` members."""
    ranked = sorted(themes, key=lambda t: (-counts.get(t.id or 0, 0), t.id))
    room = max(1, members // max(1, program.size_min))
    viable = [t for t in ranked if counts.get(t.id or 0, 0) >= program.size_min][:room] or ranked[:1]
    return {t.id or 0 for t in viable}


async def select_themes(ctx: Ctx, program: Program) -> tuple[Tally, Tally]:
    """(selected, not forming but voted for), most approved first, ties to the theme proposed first. The selected
    themes are the ones that will have circles; with no theme at all, a general theme carries everyone."""
    assert program.id is not None
    enrolled = sorted(e.member_id for e in await ctx.uow.enrollments.of_program(workspace_id=ctx.workspace_id,
                                                                               program_id=program.id))
    themes = await ctx.uow.themes.of_program(workspace_id=ctx.workspace_id, program_id=program.id, statuses=OPEN)
    counts = dict(await ctx.uow.themes.counts(program_id=program.id, member_ids=set(enrolled)))
    if not themes:
        general, _ = await add_theme(ctx, program, ctx.t("themes.general"))
        themes = [general]
    if program.theme_mode == ThemeMode.SELF_SELECT:
        chosen = _by_approvals(program, themes, counts, len(enrolled))
    else:
        chosen = await _formation_preview(ctx, program, enrolled, themes)
    ranked = sorted(themes, key=lambda t: (-counts.get(t.id or 0, 0), t.id))
    for theme in ranked:
        if theme.id in chosen:
            theme.status = ThemeStatus.SELECTED
            ctx.uow.themes.add(theme)
    tally = [(t, counts.get(t.id or 0, 0)) for t in ranked]
    return [x for x in tally if x[0].id in chosen], [x for x in tally if x[0].id not in chosen and x[1]]


def results_message(t: Translator, program: Program, selected: Tally, dropped: Tally) -> Message:
    lines = [t("themes.results", program=program.name),
             *(t.n("themes.result_line", votes, title=theme.title, votes=votes) for theme, votes in selected)]
    if dropped:
        pick = program.theme_mode == ThemeMode.SELF_SELECT
        lines += [t("themes.not_forming_pick" if pick else "themes.not_forming"),
                  *(t.n("themes.result_line", votes, title=theme.title, votes=votes) for theme, votes in dropped)]
    text = "\n".join(lines)
    return Message(text=text, blocks=(Header(t("themes.results_title")), Text(text)))


async def close_step(ctx: Ctx, program: Program) -> str | None:
    """`program close`'s part for circle programs: select the themes and announce them (pairs have none)."""
    if program.format != ProgramFormat.CIRCLES:
        return None
    selected, dropped = await select_themes(ctx, program)
    message = results_message(ctx.t, program, selected, dropped)
    channel = announcement_channel(ctx.workspace, program)
    if channel is not None:
        await post(ctx, target=channel, key=f"themes:{program.id}", kind="announcement", message=message,
                   program_id=program.id)
    return message.text
