"""`program edit <program>`: a card with one button per section, each a short form prefilled with the current values.
The form's state names the program and section: typed by an attacker as far as we know, so admin rights and the
workspace are checked again on every press and submit."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action, FormSubmitted, FormValue
from bot.kernel.i18n import Translator
from bot.kernel.intake import promote
from bot.kernel.messages import Button, Buttons, Form, Header, Message, Text
from bot.kernel.payload import Unavailable, admin_only
from bot.kernel.program_lookup import find_program, program_by_id
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response
from bot.programs.form import apply_fields, read_program
from bot.programs.inputs import FLAGS, inputs, label_of, values_of
from storage.tables import Program, ProgramFormat, ProgramState

EDIT_FORM = "program.edit"
EDIT_ACTION = "program.edit"
SECTIONS: dict[str, tuple[str, ...]] = {
    "basics": ("name", "goal", "format", "video_link", "rules_frequency", "rules_duration", "rules_topics"),
    "enrollment": ("enrollment_opens", "enrollment_closes", "participation", "seats", "invite_new_within_days",
                   "org_fields_editable"),
    "schedule": ("start_date", "weeks", "cadence", "meeting_weekday", "meeting_time", "timezone"),
    "groups": ("size_min", "size_target", "size_max", "moderator_mode", "theme_mode", "max_theme_votes"),
    "pairs": ("pair_matching", "pair_response_hours", "pair_cooldown_days", "exclude_same_team"),
    "feedback": ("k_anonymity", "pulse_every_weeks", "checkins_by_dm"),
}
_D, _E, _F, _R = ProgramState.DRAFT, ProgramState.ENROLLING, ProgramState.FORMING, ProgramState.RUNNING
# The states in which a setting may still change. What is not listed changes until the program is closed.
_UNTIL_RUNNING_ENDS = (_D, _E, _F, _R)
CHANGEABLE: dict[str, tuple[str, ...]] = {
    "format": (_D,), "enrollment_opens": (_D,),
    **dict.fromkeys(("enrollment_closes", "theme_mode", "max_theme_votes"), (_D, _E)),
    # Sessions are numbered from the start date on this schedule: once they run, it stays.
    **dict.fromkeys(("start_date", "weeks", "cadence", "meeting_weekday", "meeting_time", "timezone",
                     "moderator_mode"), (_D, _E, _F)),
    **dict.fromkeys(("size_min", "size_target", "size_max", *SECTIONS["pairs"], "participation", "seats",
                     "invite_new_within_days", "org_fields_editable"), _UNTIL_RUNNING_ENDS),
}
# A rule across two settings reports on one; editing the other's section, it shows on the one in the form.
RELATED: dict[str, tuple[str, ...]] = {
    "enrollment_closes": ("start_date", "enrollment_opens"), "enrollment_opens": ("enrollment_closes", "start_date"),
    "theme_mode": ("format",),
}
_OPTION_PREFIX = {"format": "format", "cadence": "cadence", "moderator_mode": "moderator_mode",
                  "participation": "participation", "theme_mode": "theme_mode", "pair_matching": "pair_matching"}
_LONG_TEXTS = {"goal", "rules_topics"}


def _sections(program: Program) -> list[str]:
    hidden = "pairs" if program.format == ProgramFormat.CIRCLES else "groups"
    return [s for s in SECTIONS if s != hidden]


def card(t: Translator, program: Program) -> Message:
    buttons = tuple(Button(t(f"intake.section.{s}"), f"{EDIT_ACTION}:{program.id}:{s}") for s in _sections(program))
    text = t("intake.edit.intro", program=program.name)
    return Message(text=text, blocks=(Header(t("intake.edit.title", program=program.name)), Text(text),
                                      Buttons(buttons)))


async def program_edit(ctx: Ctx, args: str) -> list[Response]:
    program = await find_program(ctx, args)
    if program.state == ProgramState.CLOSED:
        raise UserError("intake.edit.closed", program=program.name)
    return [Reply(card(ctx.t, program))]


async def _target(ctx: Ctx, value: str) -> tuple[Program, str]:
    """"<program id>:<section>" from a button or a form's state: a program of this workspace, a known section."""
    program_arg, _, section = value.partition(":")
    if section not in SECTIONS:
        raise Unavailable()
    program = await program_by_id(ctx, program_arg)
    if program.state == ProgramState.CLOSED:
        raise UserError("intake.edit.closed", program=program.name)
    return program, section


def section_form(t: Translator, program: Program, section: str) -> Form:
    return Form(form_id=EDIT_FORM, title=t(f"intake.section.{section}"), submit=t("intake.edit.submit"),
                state=f"{program.id}:{section}", intro=t("intake.edit.form_intro", program=program.name),
                inputs=inputs(t, SECTIONS[section], values_of(program)))


@admin_only
async def open_section(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    program, section = await _target(ctx, arg)
    return [OpenForm(section_form(ctx.t, program, section))]


def _placed(t: Translator, errors: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The errors this form's answers cause, on its fields: a rule across sections that reports on another
    section's setting goes on the related field here, named. What another section holds unchanged (a program made
    before a rule existed) does not stop this section from saving."""
    shown: dict[str, str] = {}
    for name, error in errors.items():
        target = name if name in names else next((n for n in RELATED.get(name, ()) if n in names), None)
        if target is None:
            continue
        text = error if target == name else f"{label_of(t, name)}: {error}"
        shown[target] = f"{shown[target]} {text}" if target in shown else text
    return shown


def _locked(t: Translator, program: Program, changed: list[str]) -> dict[str, str]:
    errors = {}
    for name in changed:
        allowed = CHANGEABLE.get(name, (*_UNTIL_RUNNING_ENDS, ProgramState.CLOSING))
        if program.state not in allowed:
            errors[name] = t("intake.edit.locked", program=program.name, state=t(f"state.{program.state}"),
                             allowed=", ".join(t(f"state.{s}") for s in allowed))
    return errors


def _shown(t: Translator, name: str, value: object) -> str:
    if name in _LONG_TEXTS:
        return t("intake.edit.new_text")
    if value is None or value == "":
        return "-"
    if name in FLAGS:
        return t("common.yes" if value else "common.no")
    if name in _OPTION_PREFIX:
        return t(f"{_OPTION_PREFIX[name]}.{value}")
    if name == "meeting_weekday":
        return t(f"weekday.{value}")
    return str(value)


@admin_only
async def submit_edit(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    program, section = await _target(ctx, form.state)
    names = SECTIONS[section]
    # Only this section's answers count; every other setting is validated as it is, so cross-field rules hold.
    values: dict[str, FormValue] = {**values_of(program), **{n: form.values.get(n) or "" for n in names}}
    fields, errors = read_program(ctx.t, values, today=ctx.now.date(), before=program,
                                  k_floor=ctx.services.config.k_anonymity)
    changed = [n for n in names if n in fields and fields[n] != getattr(program, n)]
    shown = {**_placed(ctx.t, errors, names), **_locked(ctx.t, program, changed)}
    if shown:
        return [FormErrors(shown)]
    if not changed:
        return [Reply(Message(text=ctx.t("intake.edit.unchanged", program=program.name)))]
    lines = [f"• {label_of(ctx.t, n)}: {_shown(ctx.t, n, getattr(program, n))} → {_shown(ctx.t, n, fields[n])}"
             for n in changed]
    apply_fields(program, {n: fields[n] for n in changed})
    ctx.uow.programs.add(program)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="program.edited",
                         actor_member_id=ctx.member_id, detail={"program_id": program.id, "fields": changed})
    lines += await _seat_notes(ctx, program) if "seats" in changed else []
    text = "\n".join([ctx.t("intake.edit.saved", program=program.name), *lines])
    return [Reply(Message(text=text, blocks=(Header(program.name), Text(text))))]


async def _seat_notes(ctx: Ctx, program: Program) -> list[str]:
    """Raised seats move the waitlist up at once; lowered below the enrolled count, nobody is removed."""
    moved = await promote(ctx, program)
    active = await ctx.uow.enrollments.count_active(workspace_id=ctx.workspace_id, program_id=program.id or 0)
    notes = [ctx.t.n("intake.edit.moved_up", moved, count=moved)] if moved else []
    if program.seats and active > program.seats:
        notes.append(ctx.t("intake.edit.seats_below", active=active, seats=program.seats))
    return notes
