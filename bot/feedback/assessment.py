"""Before/after self-assessment: members rate, 1-5, the skills they said they wanted to learn."""

from __future__ import annotations

from bot.feedback.disclosure import k_of
from bot.feedback.polls import round_for_member
from bot.feedback.results import round_label
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Context, Form, Header, Message, Option, Select, Text
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from storage.tables import Member, Poll, PollKind, Program, SelfAssessment

ASSESSMENT_FORM = "feedback.assessment"
OPEN_ASSESSMENT = "assess.open"  # action verb: "assess.open:<poll id>"
MAX_SKILLS = 8  # a form stays short enough to finish in a minute
GENERAL = ""  # the one item for members who named no skill: "your goals for this program"


def skills_of(member: Member) -> list[str]:
    return list(member.skills_wanted[:MAX_SKILLS]) or [GENERAL]


def invitation(t: Translator, program: Program, poll: Poll) -> Message:
    title = t("feedback.assess_title", program=program.name, round=round_label(t, poll))
    body = t(f"feedback.assess_invite_{poll.kind}", program=program.name)
    note = t("feedback.assess_note")
    return Message(text="\n".join([title, body, note]), blocks=(
        Header(title), Text(body),
        Buttons((Button(t("feedback.assess_button"), f"{OPEN_ASSESSMENT}:{poll.id}", style="primary"),)),
        Context(note),
    ))


def assessment_form(t: Translator, poll: Poll, program: Program, skills: list[str],
                    existing: SelfAssessment | None) -> Form:
    levels = tuple(Option(t(f"feedback.level.{n}"), str(n)) for n in range(1, 6))
    before = {str(r.get("skill")): str(r.get("score")) for r in existing.ratings} if existing else {}
    return Form(
        form_id=ASSESSMENT_FORM,
        title=t("feedback.assess_form_title"),
        intro=t("feedback.assess_form_intro", program=program.name, round=round_label(t, poll)),
        submit=t("feedback.submit"),
        state=str(poll.id),
        inputs=tuple(
            Select(f"skill_{index}", (skill or t("feedback.assess.general"))[:150], levels,
                   initial=before.get(skill))
            for index, skill in enumerate(skills)
        ),
    )


async def open_assessment(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    poll, program = await round_for_member(ctx, arg, kinds=(PollKind.BEFORE, PollKind.AFTER))
    existing = await ctx.uow.feedback.assessment_of(poll_id=poll.id or 0, member_id=ctx.member_id)
    return [OpenForm(assessment_form(ctx.t, poll, program, skills_of(ctx.member), existing))]


async def submit_assessment(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    poll, program = await round_for_member(ctx, form.state, kinds=(PollKind.BEFORE, PollKind.AFTER))
    skills = skills_of(ctx.member)
    if any(f"skill_{index}" not in form.values for index in range(len(skills))):
        raise UserError("feedback.assess_changed")  # the profile changed since the form opened
    ratings, errors = [], {}
    for index, skill in enumerate(skills):
        raw = str(form.values.get(f"skill_{index}") or "").strip()
        if raw not in {"1", "2", "3", "4", "5"}:
            errors[f"skill_{index}"] = ctx.t("feedback.err_level")
            continue
        ratings.append({"skill": skill, "score": int(raw)})
    if errors:
        return [FormErrors(errors)]
    created = await ctx.uow.feedback.save_assessment(values={
        "workspace_id": ctx.workspace_id, "program_id": program.id, "poll_id": poll.id, "member_id": ctx.member_id,
        "phase": poll.kind, "ratings": ratings,
    }, now=ctx.now)
    key = "feedback.assess_thanks" if created else "feedback.updated"
    return [Reply(Message(text=ctx.t(key, program=program.name, k=k_of(program, ctx.services.config.k_anonymity))))]
