"""Feedback polls: the invitation DM, the form (satisfaction, would-recommend, keep, improve), one answer each."""

from __future__ import annotations

from bot.feedback.disclosure import k_of
from bot.feedback.results import round_label
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted, FormValue
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Context, Form, Header, Message, Option, Select, Text, TextInput
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from storage.tables import (
    CircleMemberStatus,
    EnrollmentStatus,
    Poll,
    PollKind,
    PollResponse,
    Program,
)

POLL_FORM = "feedback.poll"
OPEN_POLL = "poll.open"  # action verb: "poll.open:<poll id>"


def invitation(t: Translator, program: Program, poll: Poll, *, k: int) -> Message:
    title = t("feedback.invite_title", program=program.name, round=round_label(t, poll))
    body = t("feedback.invite", program=program.name)
    note = t("feedback.privacy_note", k=k)
    return Message(text="\n".join([title, body, note]), blocks=(
        Header(title), Text(body),
        Buttons((Button(t("feedback.answer_button"), f"{OPEN_POLL}:{poll.id}", style="primary"),)),
        Context(note),
    ))


def poll_form(t: Translator, poll: Poll, program: Program, existing: PollResponse | None, *, max_text: int) -> Form:
    satisfaction = tuple(Option(t(f"feedback.satisfaction.{n}"), str(n)) for n in range(1, 6))
    recommend = tuple(Option(str(n), str(n)) for n in range(11))
    return Form(
        form_id=POLL_FORM,
        title=t("feedback.form_title"),
        intro=t("feedback.form_intro", program=program.name, round=round_label(t, poll)),
        submit=t("feedback.submit"),
        state=str(poll.id),
        inputs=(
            Select("satisfaction", t("feedback.q_satisfaction"), satisfaction,
                   initial=str(existing.satisfaction) if existing else None),
            Select("recommend", t("feedback.q_recommend"), recommend,
                   initial=str(existing.recommend) if existing else None),
            TextInput("keep", t("feedback.q_keep"), initial=(existing.keep or "") if existing else "",
                      multiline=True, optional=True, max_length=max_text),
            TextInput("improve", t("feedback.q_improve"), initial=(existing.improve or "") if existing else "",
                      multiline=True, optional=True, max_length=max_text),
        ),
    )


async def round_for_member(ctx: Ctx, poll_id_text: str, *, kinds: tuple[str, ...]) -> tuple[Poll, Program]:
    """The round a button or form is about, if the actor takes part in its program and it is still open."""
    poll = await ctx.uow.feedback.poll(workspace_id=ctx.workspace_id, poll_id=int_id(poll_id_text))
    if poll is None or poll.kind not in kinds:
        raise Unavailable()
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=poll.program_id)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=poll.program_id,
                                               member_id=ctx.member_id)
    if program is None or enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        raise UserError("feedback.not_in_program")
    if not poll.opens_at <= ctx.now < poll.closes_at:
        raise UserError("feedback.closed", program=program.name)
    return poll, program


async def open_poll(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    poll, program = await round_for_member(ctx, arg, kinds=(PollKind.PULSE, PollKind.MIDPOINT, PollKind.FINAL))
    existing = await ctx.uow.feedback.response_of(poll_id=poll.id or 0, member_id=ctx.member_id)
    return [OpenForm(poll_form(ctx.t, poll, program, existing, max_text=ctx.services.config.max_free_text))]


def _number(value: FormValue, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _text(value: FormValue, limit: int) -> str | None:
    text = (value if isinstance(value, str) else "").strip()[:limit]
    return text or None


async def submit_poll(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    poll, program = await round_for_member(ctx, form.state, kinds=(PollKind.PULSE, PollKind.MIDPOINT, PollKind.FINAL))
    satisfaction = _number(form.values.get("satisfaction"), 1, 5)
    recommend = _number(form.values.get("recommend"), 0, 10)
    errors = {}
    if satisfaction is None:
        errors["satisfaction"] = ctx.t("feedback.err_satisfaction")
    if recommend is None:
        errors["recommend"] = ctx.t("feedback.err_recommend")
    if errors:
        return [FormErrors(errors)]
    assert satisfaction is not None and recommend is not None
    limit = ctx.services.config.max_free_text
    circle_id = None
    for membership in await ctx.uow.circles.membership_of(workspace_id=ctx.workspace_id, member_id=ctx.member_id,
                                                          program_id=program.id):
        if membership.status == CircleMemberStatus.ACTIVE:
            circle_id = membership.circle_id
    created = await ctx.uow.feedback.save_response(values={
        "workspace_id": ctx.workspace_id, "program_id": program.id, "poll_id": poll.id, "member_id": ctx.member_id,
        "circle_id": circle_id, "satisfaction": satisfaction, "recommend": recommend,
        "keep": _text(form.values.get("keep"), limit), "improve": _text(form.values.get("improve"), limit),
    }, now=ctx.now)
    key = "feedback.thanks" if created else "feedback.updated"
    return [Reply(Message(text=ctx.t(key, program=program.name, k=k_of(program, ctx.services.config.k_anonymity))))]
