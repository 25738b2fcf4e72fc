"""`pair concern`: a pair member (written for the junior mentor of a reverse pair) tells the admins privately.

Not anonymous, so that an admin can help; the other side of the pair is never told, and an admin who is that
other side does not get it. The audit records that a concern was raised, never its text.
"""

from __future__ import annotations

import secrets

from bot.kernel.admins import admin_recipients
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import FormSubmitted
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Form, Header, Message, Text, TextInput
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.payload import int_id
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.pairs.scope import PairRun, pair_of

CONCERN_FORM = "pair.concern"


async def concern(ctx: Ctx, args: str) -> list[Response]:
    pairs = await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
    if not pairs:
        raise UserError("pairs.none")
    run = await pair_of(ctx, pairs[-1].id or 0)
    partner = run.partner_of(ctx.member_id).name
    return [OpenForm(Form(form_id=CONCERN_FORM, title=ctx.t("care.concern.title"),
                          submit=ctx.t("care.concern.submit"),
                          intro=ctx.t("care.concern.intro", partner=partner, program=run.program.name),
                          state=str(run.pair.id),
                          inputs=(TextInput("concern", ctx.t("care.concern.label"), multiline=True,
                                            max_length=ctx.services.config.max_free_text),)))]


def _admin_message(t: Translator, run: PairRun, raised_by: int, text: str) -> Message:
    raiser, partner = (run.mentor, run.mentee) if run.mentor.id == raised_by else (run.mentee, run.mentor)
    role = t(f"pairs.role.{'mentor' if raiser is run.mentor else 'mentee'}")
    title = t("care.concern.admin_title", program=run.program.name)
    body = t("care.concern.admin", name=raiser.name, role=role, partner=partner.name, program=run.program.name)
    advice = t("care.concern.admin_advice", name=raiser.name, partner=partner.name)
    return Message(text="\n".join([title, body, text, advice]),
                   blocks=(Header(title), Text(body), Text(text), Text(advice)))


async def submit_concern(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    run = await pair_of(ctx, int_id(form.state))
    raw = form.values.get("concern")
    text = (raw if isinstance(raw, str) else "").strip()
    limit = ctx.services.config.max_free_text
    if not text:
        return [FormErrors({"concern": ctx.t("profile.error.required")})]
    if len(text) > limit:
        return [FormErrors({"concern": ctx.t("profile.error.too_long", limit=limit)})]
    partner = run.partner_of(ctx.member_id)
    token = secrets.token_hex(8)  # each concern is its own message: two are never one delivery
    queued = 0
    for external_id, member in await admin_recipients(ctx, config=ctx.services.config):
        if external_id == partner.external_id:
            continue
        t = Translator(resolve_locale(member.locale if member else None, ctx.workspace.locale))
        queued += await enqueue(ctx.uow, workspace_id=ctx.workspace_id, key=f"pair-concern:{token}:{external_id}",
                                kind="admin", target=user_target(ctx.workspace, external_id),
                                message=_admin_message(t, run, ctx.member_id, text), due_at=ctx.now,
                                program_id=run.program.id)
    if not queued:
        raise UserError("care.concern.no_admin")
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="pair.concern",
                         actor_member_id=ctx.member_id,
                         detail={"pair_id": run.pair.id, "program_id": run.program.id})
    return [Reply(Message(text=ctx.t("care.concern.sent", partner=partner.name)), ephemeral=True)]
