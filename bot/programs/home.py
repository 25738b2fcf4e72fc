"""Where a program lives: the channel its announcements go to and, on Teams without Microsoft Graph, where its
circles' threads open. `program create` in a personal chat asks for it (or says how to get one), and
`program channel` sets or changes it, re-opening circles' spaces that waited for it."""

from __future__ import annotations

import re

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.messages import Button, Buttons, Message, Text
from bot.kernel.payload import Unavailable, admin_only, int_id, own_target
from bot.kernel.ports import Target
from bot.kernel.program_lookup import find_program, program_by_id
from bot.kernel.replies import OpenForm, Reply, Response
from bot.kernel.spaces import needs_home as platform_needs_home
from bot.programs.channel_check import check_channel
from bot.programs.form import program_form, requested_format
from storage.repositories.outbox import space_key
from storage.tables import CircleStatus, ConversationScope, DeliveryStatus, Program, ProgramState

CREATE_ACTION = "program.home"  # "program.home:<format>|<channel ref>": open the create form for that channel
MOVE_ACTION = "program.move"  # "program.move:<program id>|<channel ref>": the program lives there from now on
MAX_CHOICES = 25  # buttons in one message; a tenant with more channels names one by typing the command there
_SLACK_CHANNEL = re.compile(r"<#([A-Z0-9]{2,40})(?:\|([^>|]{0,80}))?>")


def needs_home(ctx: Ctx) -> bool:
    return platform_needs_home(ctx.workspace)


async def installed_channels(ctx: Ctx) -> list[tuple[Target, str]]:
    """The team channels Lingkar is installed in (read from each team's channel list at install), by name."""
    rows = await ctx.uow.conversations.named(workspace_id=ctx.workspace_id, scope=ConversationScope.CHANNEL.value)
    workspace = ctx.workspace
    return [(Target(platform=workspace.platform, workspace_id=workspace.external_id, kind="channel", ref=row.key),
             row.name) for row in rows]


async def channel_name(ctx: Ctx, target: Target, *, typed: str = "") -> str:
    """How to name a channel to the admin: its Teams name, the name a Slack mention carried, else "this channel"
    (a raw <#C…> would be escaped into literal text)."""
    for known, name in await installed_channels(ctx):
        if known == target:
            return name
    return f"#{typed}" if typed else ctx.t("program_home.this_channel")


async def _chosen(ctx: Ctx, ref: str) -> Target:
    """A channel a button names: only one of this workspace's installed channels, else the calm stale reply."""
    for target, _ in await installed_channels(ctx):
        if target.ref == ref:
            return target
    raise Unavailable()


def _split(arg: str) -> tuple[str, str]:
    head, bar, ref = arg.partition("|")
    if not bar or not ref:
        raise Unavailable()
    return head, ref


async def _choices(ctx: Ctx, *, action: str, head: str) -> Buttons:
    channels = (await installed_channels(ctx))[:MAX_CHOICES]
    return Buttons(tuple(Button(name, f"{action}:{head}|{target.ref}") for target, name in channels))


async def create_in_personal_chat(ctx: Ctx, args: str) -> list[Response] | None:
    """`program create` typed in a personal chat on Teams: which channel (buttons), or the exact steps to get one.
    None where the program may be created here (a channel, or Slack)."""
    if not needs_home(ctx) or (ctx.where is not None and ctx.where.kind != "user"):
        return None
    program_format = requested_format(args)
    if program_format is None:
        raise UserError("program_create.unknown_format", text=args.strip()[:40])
    buttons = await _choices(ctx, action=CREATE_ACTION, head=program_format.value)
    if not buttons.buttons:
        raise UserError("program_home.none_create")
    text = ctx.t("program_home.ask_create")
    names = ", ".join(b.label for b in buttons.buttons)
    return [Reply(Message(text=f"{text}\n{names}", blocks=(Text(text), buttons)))]


@admin_only
async def choose_create_home(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """A channel picked for a new program: the create form, carrying that channel as where it is announced."""
    head, ref = _split(arg)
    program_format = requested_format(head)
    if program_format is None:
        raise Unavailable()
    target = await _chosen(ctx, ref)
    return [OpenForm(program_form(ctx.t, today=ctx.now.date(), announce_here=target.key(),
                                  program_format=program_format))]


async def program_channel(ctx: Ctx, args: str) -> list[Response]:
    """`program channel <program> [#channel]`: typed in a channel, the program lives there; in a personal chat,
    a Slack channel named in the command, or a choice among the team channels Lingkar is in."""
    match = _SLACK_CHANNEL.search(args)
    name = _SLACK_CHANNEL.sub("", args).strip()
    if not name:
        raise UserError("program_home.usage")
    program = await find_program(ctx, name)
    if match is not None:
        workspace = ctx.workspace
        named = own_target(workspace, Target(platform=workspace.platform, workspace_id=workspace.external_id,
                                             kind="channel", ref=match.group(1)).key())
        if named is None:
            raise Unavailable()
        return await _move(ctx, program, named, typed=match.group(2) or "")
    if ctx.where is not None and ctx.where.kind != "user":
        return await _move(ctx, program, ctx.where)
    if not needs_home(ctx):  # Slack keeps no channel list: the channel is named, or the command typed there
        raise UserError("program_home.usage")
    buttons = await _choices(ctx, action=MOVE_ACTION, head=str(program.id))
    if not buttons.buttons:
        raise UserError("program_home.none_move", program=program.name, slug=program.slug)
    text = ctx.t("program_home.ask_move", program=program.name, slug=program.slug)
    names = ", ".join(b.label for b in buttons.buttons)
    return [Reply(Message(text=f"{text}\n{names}", blocks=(Text(text), buttons)))]


@admin_only
async def choose_move_home(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    head, ref = _split(arg)
    program = await program_by_id(ctx, str(int_id(head)))
    return await _move(ctx, program, await _chosen(ctx, ref))


async def _move(ctx: Ctx, program: Program, target: Target, *, typed: str = "") -> list[Response]:
    if program.state == ProgramState.CLOSED:
        raise UserError("program_home.closed", program=program.name)
    if target.kind != "channel" or await _is_group_space(ctx, target):
        raise UserError("program_home.not_a_channel")
    if needs_home(ctx) and target not in [known for known, _ in await installed_channels(ctx)]:
        # A Teams group chat looks like a channel here, but no circle thread can open in it.
        raise UserError("program_home.not_a_team_channel", slug=program.slug)
    channel = await channel_name(ctx, target, typed=typed)
    if program.announcement_target == target.key():
        return [Reply(Message(text=ctx.t("program_home.same", program=program.name, channel=channel)))]
    checked = await check_channel(ctx, target, retry="slack_channels.retry_command")
    if checked.error is not None:  # the program stays where it was until Lingkar can post in the new channel
        return [Reply(Message(text=checked.error))]
    program.announcement_target = target.key()
    ctx.uow.programs.add(program)
    reopened = await reopen_spaces(ctx, program, target)
    lines = [ctx.t("program_home.set", program=program.name, channel=channel), *filter(None, [checked.note])]
    if reopened:
        lines.append(ctx.t.n("program_home.reopened", reopened, count=reopened))
    return [Reply(Message(text="\n".join(lines)))]


async def _is_group_space(ctx: Ctx, target: Target) -> bool:
    """A circle's own channel (Slack) is no home for a whole program."""
    return await ctx.uow.circles.by_space(workspace_id=ctx.workspace_id, space=target.key()) is not None


async def reopen_spaces(ctx: Ctx, program: Program, home: Target) -> int:
    """Circles whose space failed or still waits (no channel to open it in) try again, now in the new home; the
    deliverer opens them and the circles' planner records each space and welcomes its members."""
    count = 0
    for circle in await ctx.uow.circles.of_program(workspace_id=ctx.workspace_id, program_id=program.id or 0):
        if circle.space or circle.status != CircleStatus.ACTIVE:
            continue
        key = space_key("circle", circle.id or 0)
        row = await ctx.uow.outbox.by_key(key=key)
        if row is None or row.status not in (DeliveryStatus.FAILED, DeliveryStatus.PENDING):
            continue
        if not await ctx.uow.outbox.reopen(key=key, now=ctx.now):
            continue
        # reopen() kept the row in this session: the new parent is written with it at the commit.
        row.payload = {**row.payload, "space": {**row.payload["space"], "parent": home.key()}}
        count += 1
    return count
