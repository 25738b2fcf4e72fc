"""Themes chosen by employees: propose, approval-vote, admin curation (selection at closing: selection.py)."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.grammar import without_mentions
from bot.kernel.messages import Choice, Context, Header, Message, Option
from bot.kernel.payload import Unavailable, int_id, int_ids
from bot.kernel.program_lookup import program_by_id
from bot.kernel.replies import Reply, Response, UpdateSource
from bot.kernel.text_keys import fold
from storage.tables import (
    EnrollmentStatus,
    Program,
    ProgramState,
    Theme,
    ThemeMode,
    ThemeStatus,
)

OPEN = (ThemeStatus.PROPOSED, ThemeStatus.SELECTED)


async def _my_program(ctx: Ctx) -> Program:
    """The enrolling program the member is in (the newest when several)."""
    past: Program | None = None
    for enrollment in reversed(await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id,
                                                                    member_id=ctx.member_id)):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if program is not None and program.state == ProgramState.ENROLLING:
            return program
        past = past or program
    if past is not None:
        raise UserError("themes.voting_closed", program=past.name)
    raise UserError("themes.not_enrolled")


async def _admin_program(ctx: Ctx) -> Program:
    programs = await ctx.uow.programs.in_states(workspace_id=ctx.workspace_id, states=(ProgramState.ENROLLING,
                                                                                         ProgramState.DRAFT))
    if not programs:
        raise UserError("themes.no_program")
    return programs[-1]


async def add_theme(ctx: Ctx, program: Program, title: str) -> tuple[Theme, bool]:
    title = " ".join(without_mentions(title).split())
    limit = ctx.services.config.max_theme_title
    if not title:
        raise UserError("themes.usage")
    if len(title) > limit:
        raise UserError("themes.too_long", limit=limit)
    key = fold(title)[:120]
    created = await ctx.uow.themes.propose(workspace_id=ctx.workspace_id, program_id=program.id or 0, title=title,
                                           title_key=key, member_id=ctx.member_id, now=ctx.now)
    theme = await ctx.uow.themes.by_key(program_id=program.id or 0, title_key=key)
    assert theme is not None
    return theme, created


async def propose(ctx: Ctx, args: str) -> list[Response]:
    program = await _my_program(ctx)
    if program.theme_mode == ThemeMode.ADMIN_FIXED:
        raise UserError("themes.admin_fixed", program=program.name)
    theme, created = await add_theme(ctx, program, args)
    if not created:
        if theme.status in (ThemeStatus.REJECTED, ThemeStatus.MERGED):
            raise UserError("themes.was_closed", title=theme.title)
        return [Reply(Message(text=ctx.t("themes.duplicate", title=theme.title, id=theme.id)))]
    return [Reply(Message(text=ctx.t("themes.proposed", title=theme.title, id=theme.id)))]


async def _ballot(ctx: Ctx, program: Program) -> Message:
    themes = await ctx.uow.themes.of_program(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                             statuses=OPEN)
    if not themes:
        raise UserError("themes.none_yet")
    mine = {v.theme_id for v in await ctx.uow.themes.votes_of_member(program_id=program.id or 0,
                                                                       member_id=ctx.member_id)}
    options = tuple(Option(f"{t.id}. {t.title}", str(t.id)) for t in themes)
    label = ctx.t("themes.ballot", limit=program.max_theme_votes)
    chosen = [f"{t.id}. {t.title}" for t in themes if t.id in mine]
    text = "\n".join([label, *(f"{'[x]' if t.id in mine else '[ ]'} {t.id}. {t.title}" for t in themes)])
    return Message(text=text, blocks=(
        Header(ctx.t("themes.ballot_title", program=program.name)),
        Choice(action_id=f"theme.vote:{program.id}", options=options, label=label,
               selected=tuple(str(i) for i in sorted(mine)), multi=True, view=f"theme.ballot:{program.id}"),
        Context(ctx.t("themes.your_votes", votes=", ".join(chosen) or "-")),
    ))


async def _set_votes(ctx: Ctx, program: Program, ordered: list[int]) -> None:
    """Replace the member's approvals; the order given is their ranking (first = most wanted) for formation."""
    ordered = list(dict.fromkeys(ordered))
    wanted = set(ordered)
    if program.state != ProgramState.ENROLLING:
        raise UserError("themes.voting_closed", program=program.name)
    valid = {t.id for t in await ctx.uow.themes.of_program(workspace_id=ctx.workspace_id,
                                                            program_id=program.id or 0, statuses=OPEN)}
    unknown = wanted - valid
    if unknown:
        raise UserError("themes.unknown", ids=", ".join(str(i) for i in sorted(unknown)))
    if len(wanted) > program.max_theme_votes:
        raise UserError("themes.too_many", limit=program.max_theme_votes)
    current = {v.theme_id for v in await ctx.uow.themes.votes_of_member(program_id=program.id or 0,
                                                                          member_id=ctx.member_id)}
    for theme_id in current - wanted:
        await ctx.uow.themes.remove_votes(theme_id=theme_id, member_id=ctx.member_id)
    for theme_id in [i for i in ordered if i not in current]:  # the database arbitrates concurrent double votes
        await ctx.uow.themes.add_vote(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                      theme_id=theme_id, member_id=ctx.member_id, created_at=ctx.now)


async def vote(ctx: Ctx, args: str) -> list[Response]:
    program = await _my_program(ctx)
    if args:
        try:
            ranked = [int(x.lstrip("#")) for x in args.replace(",", " ").split()]
        except ValueError:
            raise UserError("themes.vote_usage") from None
        await _set_votes(ctx, program, ranked)
    return [Reply(await _ballot(ctx, program))]


async def _enrolled_program(ctx: Ctx, arg: str) -> Program:
    program = await program_by_id(ctx, arg)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:  # the ballot travels; the vote does not
        raise UserError("themes.not_enrolled")
    return program


async def ballot_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """The member's own ballot as it stands (a card refreshing per member); changes nothing."""
    return [UpdateSource(await _ballot(ctx, await _enrolled_program(ctx, arg)))]


async def vote_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """A checkbox set (values) replaces the member's votes; a single value toggles that theme."""
    program = await _enrolled_program(ctx, arg)
    current = [v.theme_id for v in await ctx.uow.themes.votes_of_member(program_id=program.id or 0,
                                                                          member_id=ctx.member_id)]
    if action.values:  # a checkbox set
        ranked = int_ids(action.values)
    else:  # a single button toggles that theme, keeping the order of the others
        chosen = int_id(action.value)
        ranked = [i for i in current if i != chosen] + ([] if chosen in current else [chosen])
    offered = {t.id for t in await ctx.uow.themes.of_program(workspace_id=ctx.workspace_id,
                                                             program_id=program.id or 0, statuses=OPEN)}
    if not set(ranked) <= offered:  # only themes the ballot offered: of this program, this workspace, still open
        raise Unavailable()
    await _set_votes(ctx, program, ranked)
    return [UpdateSource(await _ballot(ctx, program))]


async def theme_list(ctx: Ctx, args: str) -> list[Response]:
    program = await _my_program(ctx) if not await ctx.is_admin() else await _admin_program(ctx)
    themes = await ctx.uow.themes.of_program(workspace_id=ctx.workspace_id, program_id=program.id or 0)
    counts = await ctx.uow.themes.counts(program_id=program.id or 0)
    if not themes:
        raise UserError("themes.none_yet")
    lines = [ctx.t.n("themes.line", counts.get(t.id or 0, 0), id=t.id, title=t.title,
                     votes=counts.get(t.id or 0, 0), status=ctx.t(f"theme_status.{t.status}")) for t in themes]
    return [Reply(Message(text="\n".join([ctx.t("themes.list_title", program=program.name), *lines])))]


def _theme_id(text: str) -> int:
    try:
        return int(text.strip().lstrip("#"))
    except ValueError:
        raise UserError("themes.admin_usage") from None


async def _theme(ctx: Ctx, text: str) -> Theme:
    theme = await ctx.uow.themes.get(workspace_id=ctx.workspace_id, theme_id=_theme_id(text))
    if theme is None:
        raise UserError("themes.unknown", ids=text.strip())
    return theme


async def admin_add(ctx: Ctx, args: str) -> list[Response]:
    program = await _admin_program(ctx)
    theme, created = await add_theme(ctx, program, args)
    return [Reply(Message(text=ctx.t("themes.proposed" if created else "themes.duplicate", title=theme.title,
                                     id=theme.id)))]


async def admin_rename(ctx: Ctx, args: str) -> list[Response]:
    number, _, title = args.partition(" ")
    theme = await _theme(ctx, number)
    title = " ".join(without_mentions(title).split())
    if not title or len(title) > ctx.services.config.max_theme_title:
        raise UserError("themes.too_long", limit=ctx.services.config.max_theme_title)
    clash = await ctx.uow.themes.by_key(program_id=theme.program_id, title_key=fold(title)[:120])
    if clash is not None and clash.id != theme.id:
        raise UserError("themes.duplicate", title=clash.title, id=clash.id)
    old, theme.title, theme.title_key = theme.title, title, fold(title)[:120]
    ctx.uow.themes.add(theme)
    return [Reply(Message(text=ctx.t("themes.renamed", old=old, title=title)))]


async def admin_merge(ctx: Ctx, args: str) -> list[Response]:
    words = args.replace(" into ", " ").replace(" ke ", " ").split()
    if len(words) != 2:
        raise UserError("themes.admin_usage")
    source, target = await _theme(ctx, words[0]), await _theme(ctx, words[1])
    if source.id == target.id or source.program_id != target.program_id:
        raise UserError("themes.admin_usage")
    for vote_row in await ctx.uow.themes.votes_of_program(program_id=source.program_id):
        if vote_row.theme_id == source.id:
            await ctx.uow.themes.add_vote(workspace_id=ctx.workspace_id, program_id=source.program_id,
                                          theme_id=target.id or 0, member_id=vote_row.member_id,
                                          created_at=vote_row.created_at)
    await ctx.uow.themes.remove_votes(theme_id=source.id or 0)
    source.status, source.merged_into_id = ThemeStatus.MERGED, target.id
    ctx.uow.themes.add(source)
    return [Reply(Message(text=ctx.t("themes.merged", source=source.title, target=target.title)))]


async def admin_reject(ctx: Ctx, args: str) -> list[Response]:
    theme = await _theme(ctx, args)
    theme.status = ThemeStatus.REJECTED
    ctx.uow.themes.add(theme)
    await ctx.uow.themes.remove_votes(theme_id=theme.id or 0)
    return [Reply(Message(text=ctx.t("themes.rejected", title=theme.title)))]
