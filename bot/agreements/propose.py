"""Submitting the agreement form: the group's next version, the proposer's own yes, and a request to the others."""

from __future__ import annotations

from collections.abc import Callable

from bot.agreements.confirm import apply_if_everyone
from bot.agreements.form import on_the_table
from bot.agreements.groups import Group, own_group
from bot.agreements.messages import proposal_message
from bot.agreements.terms import TOPICS_LIMIT, Terms, read_terms, terms_of
from bot.kernel.context import Ctx
from bot.kernel.events import FormSubmitted
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.kernel.outbox import dm
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.replies import FormErrors, Reply, Response
from storage.tables import Agreement, AgreementStatus, Member


def _state(state: str) -> tuple[str, int]:
    """"<kind>.<id>.<version the form was opened on>"."""
    ref, dot, version = state.rpartition(".")
    if not dot or not ref:
        raise Unavailable()
    return ref, int_id(version, low=0)


async def submit_agreement(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    ref, base = _state(form.state)
    group = await own_group(ctx, ref)
    terms, errors = read_terms(ctx.t, form.values,
                               topics_limit=min(ctx.services.config.max_free_text, TOPICS_LIMIT))
    if terms is None:
        return [FormErrors(errors)]
    versions = await ctx.uow.agreements.of_group(workspace_id=ctx.workspace_id, group=group.key)
    latest = versions[-1].version if versions else 0
    if base > latest:
        raise Unavailable()  # a version nobody opened: a forged state
    new_id = None
    if base == latest:
        new_id = await ctx.uow.agreements.propose(values={
            "workspace_id": ctx.workspace_id, "program_id": group.program.id, "group": group.key,
            "version": latest + 1, "status": AgreementStatus.PROPOSED, "proposed_by_member_id": ctx.member_id,
            "created_at": ctx.now, **terms.columns()})
    if new_id is None:  # another proposal came first (at the same moment, or while this form was open)
        return await _arrived(ctx, group)
    await ctx.uow.agreements.supersede_others(group=group.key, keep_id=new_id, status=AgreementStatus.PROPOSED)
    await ctx.uow.agreements.confirm(workspace_id=ctx.workspace_id, agreement_id=new_id, member_id=ctx.member_id,
                                     now=ctx.now)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="agreement.proposed",
                         actor_member_id=ctx.member_id, detail={
                             "group": group.key, "version": latest + 1, "agreement_id": new_id,
                             "program_id": group.program.id})
    others = group.others(ctx.member_id)
    await _ask(ctx, group, terms, agreement_id=new_id)
    if not others:  # a circle of one: nobody else to ask
        await apply_if_everyone(ctx, group, new_id)
        return [Reply(Message(text=ctx.t("agreements.proposed.alone")))]
    names = ", ".join(m.name for m in others)
    return [Reply(Message(text=ctx.t("agreements.proposed", names=names, group=group.name)))]


async def _ask(ctx: Ctx, group: Group, terms: Terms, *, agreement_id: int) -> None:
    """Each other member, by DM in their language, with the sessions in their own zone."""
    proposer = ctx.member.name
    for member in group.others(ctx.member_id):
        await dm(ctx, member=member, key=f"agreement-ask:{agreement_id}:{member.id}", kind="agreement",
                 program_id=group.program.id, build=_asking(ctx, group, terms, agreement_id, proposer, member))


def _asking(ctx: Ctx, group: Group, terms: Terms, agreement_id: int, proposer: str,
            reader: Member) -> Callable[[Translator], Message]:
    return lambda t: proposal_message(t, group, terms, agreement_id=agreement_id, proposer=proposer, now=ctx.now,
                                      reader=reader)


async def _arrived(ctx: Ctx, group: Group) -> list[Response]:
    """The loser of two proposals at once: told one just arrived, and shown it (with Confirm / Suggest a change)."""
    versions = await ctx.uow.agreements.of_group(workspace_id=ctx.workspace_id, group=group.key)
    table: Agreement | None = on_the_table(versions)
    if table is None or table.id is None:
        raise Unavailable()
    proposer = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=table.proposed_by_member_id)
    waiting = table.status == AgreementStatus.PROPOSED  # else it was confirmed meanwhile: only a change is left
    return [Reply(proposal_message(ctx.t, group, terms_of(table), agreement_id=table.id if waiting else None,
                                   proposer=proposer.name if proposer else "-", now=ctx.now, reader=ctx.member,
                                   intro_key="agreements.arrived"))]
