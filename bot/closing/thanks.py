"""Thanks to moderators and mentors, and the recognition note to their manager that they may ask for."""

from __future__ import annotations

from bot.closing.records import Contribution, program_record
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Button, Buttons, Context, Header, Message, Text
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.replies import Reply, Response
from bot.kernel.spaces import tell_admins
from storage.tables import Member, Program, ProgramState

MANAGER_NOTE = "closing.manager"  # action verb: "closing.manager:<program id>"


def has_manager(member: Member) -> bool:
    return bool(member.manager_external_id) and member.manager_external_id != member.external_id


def what_they_did(t: Translator, contribution: Contribution) -> str:
    """The figures, said the same way to them, their manager and the admins."""
    if contribution.role == "moderator":
        # people: the members of their circles besides them, and the text says so (a welcome counts everyone)
        return t.n("wording.did.moderator", contribution.people, circles=", ".join(contribution.circles),
                   sessions=contribution.sessions, people=contribution.people, checkins=contribution.checkins)
    return t.n("closing.did.mentor", contribution.people, people=contribution.people, sessions=contribution.sessions)


def thank_you(t: Translator, program: Program, member: Member, contribution: Contribution) -> Message:
    title = t("closing.thanks.title", program=program.name)
    body = t("closing.thanks.body", name=member.name, program=program.name, did=what_they_did(t, contribution))
    if not has_manager(member):
        note = t("closing.thanks.no_manager")
        return Message(text="\n".join([title, body, note]), blocks=(Header(title), Text(body), Context(note)))
    note = t("closing.thanks.manager_offer")
    button = Button(t("closing.thanks.manager_button"), f"{MANAGER_NOTE}:{program.id}", style="primary")
    return Message(text="\n".join([title, body, note, f"• {button.label}"]),
                   blocks=(Header(title), Text(body), Context(note), Buttons((button,))))


def manager_note(t: Translator, program: Program, member: Member, contribution: Contribution) -> Message:
    title = t("closing.manager.note_title", name=member.name)
    body = t("closing.manager.note", name=member.name, program=program.name, did=what_they_did(t, contribution))
    return Message(text=f"{title}\n{body}", blocks=(Header(title), Text(body)))


async def tell_manager(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """"Tell my manager" under a thank-you: the program must be this workspace's and closing or closed, and the
    actor one of its moderators or mentors with a manager on record. One note per program and person."""
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=int_id(arg))
    if program is None:
        raise Unavailable()
    if program.state not in (ProgramState.CLOSING, ProgramState.CLOSED):  # no thank-you exists yet to press
        raise UserError("closing.manager.not_yet", program=program.name)
    record = await program_record(ctx.uow, program, member_ids=[], only=ctx.member_id)
    contribution = record.contributions.get(ctx.member_id)
    if contribution is None:
        raise Unavailable()
    if not has_manager(ctx.member):
        raise UserError("closing.manager.unknown")
    manager_id = ctx.member.manager_external_id or ""
    manager = await ctx.uow.members.by_external_id(workspace_id=ctx.workspace_id, external_id=manager_id)
    if manager is not None and (manager.erased or not manager.reachable):
        raise UserError("closing.manager.unreachable")
    t = Translator(resolve_locale(manager.locale if manager else None, ctx.workspace.locale))
    queued = await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=f"manager-note:{program.id}:{ctx.member_id}",
                           kind="recognition", target=user_target(ctx.workspace, manager_id),
                           message=manager_note(t, program, ctx.member, contribution), due_at=ctx.now,
                           program_id=program.id, member_id=manager.id if manager else None)
    if not queued:
        return [Reply(Message(text=ctx.t("closing.manager.already", program=program.name)))]
    name = ctx.member.name
    await tell_admins(ctx, ctx.services.config, key=f"manager-note-admin:{program.id}:{ctx.member_id}",
                      program_id=program.id, build=lambda at: Message(text=at(
                          "closing.manager.admin", name=name, program=program.name)))
    return [Reply(Message(text=ctx.t("closing.manager.sent", program=program.name)))]
