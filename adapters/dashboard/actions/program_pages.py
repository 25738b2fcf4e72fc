"""A program's state changes from the web: open or close enrollment and end it, each shown first (what will happen,
to how many people), then done by the POSTed confirmation with the chat's own `program <verb> <slug>`."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from babel.dates import format_date

from adapters.dashboard.actions.scope import (
    actions_url,
    command,
    named_by_slug_only,
    program_action_url,
    program_of,
    result_page,
    run,
    uow,
)
from adapters.dashboard.auth import DashboardAdmin, signed_in
from adapters.dashboard.csrf import checked_form
from adapters.dashboard.errors import not_found
from adapters.dashboard.render import page
from bot.kernel.i18n import Translator
from bot.programs.lifecycle import TRANSITIONS
from storage.tables import EnrollmentStatus, Program, ProgramFormat, ProgramState

VERBS = ("open", "close", "end")
_BABEL = {"en": "en_GB", "id": "id_ID"}
_NOT_STARTED = (ProgramState.DRAFT, ProgramState.ENROLLING, ProgramState.FORMING)


@dataclass
class Confirmation:
    """What a confirmation page says: the question, the facts, and either the button or why there is none."""

    question: str
    facts: list[str] = field(default_factory=list)
    warning: str = ""  # the core will refuse (too few members): said before the admin presses
    blocked: str = ""  # the program is not in a state this action applies to: no button at all


def blocked_text(t: Translator, program: Program, verb: str) -> str:
    """The chat's rule (bot/programs/lifecycle.TRANSITIONS), said without the chat's command."""
    source, _ = TRANSITIONS[verb]
    if program.state == source:
        return ""
    return t("dashboard_actions.blocked", program=program.name, state=t(f"state.{program.state}"),
             needed=t(f"state.{source}"))


async def _counts(request: web.Request, admin: DashboardAdmin, program: Program) -> dict[str, int]:
    async with uow(request) as work:
        rows = await work.enrollments.of_program(workspace_id=admin.workspace_pk, program_id=program.id or 0,
                                                 active_only=False)
    counts = {status.value: 0 for status in EnrollmentStatus}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def _date(t: Translator, program: Program) -> str:
    closes = program.enrollment_closes
    return format_date(closes, format="long", locale=_BABEL.get(t.locale, "en_GB")) if closes else ""


async def confirmation(request: web.Request, admin: DashboardAdmin, program: Program, verb: str) -> Confirmation:
    t = Translator(admin.locale)
    counts = await _counts(request, admin, program)
    joined, waiting = counts[EnrollmentStatus.ACTIVE], counts[EnrollmentStatus.WAITLISTED]
    if verb == "open":
        found = Confirmation(t("dashboard_actions.open.question", program=program.name), blocked=blocked_text(
            t, program, verb))
        found.facts.append(t("dashboard_actions.open.announced" if program.announcement_target
                             else "dashboard_actions.open.no_channel"))
        if program.enrollment_closes:
            found.facts.append(t("dashboard_actions.open.closes", date=_date(t, program)))
        return found
    if verb == "close":
        found = Confirmation(t("dashboard_actions.close.question", program=program.name),
                             blocked=blocked_text(t, program, verb))
        found.facts.append(t.n("dashboard_actions.close.joined", joined, count=joined))
        if waiting:
            found.facts.append(t.n("dashboard_actions.close.waitlisted", waiting, count=waiting))
        circles = program.format == ProgramFormat.CIRCLES
        found.facts.append(t(f"dashboard_actions.close.next_{'circles' if circles else 'pairs'}"))
        if program.enrollment_closes:
            found.facts.append(t("dashboard_actions.close.planned", date=_date(t, program)))
        if circles and joined < program.size_min:
            found.warning = t("program.too_few", program=program.name, count=joined, minimum=program.size_min)
        return found
    if program.state in (ProgramState.CLOSING, ProgramState.CLOSED):
        return Confirmation(t("dashboard_actions.end.question", program=program.name),
                            blocked=t("dashboard_actions.end.blocked", program=program.name,
                                      state=t(f"state.{program.state}")))
    if program.state in _NOT_STARTED:
        told = joined + waiting + counts[EnrollmentStatus.INVITED]
        return Confirmation(t("dashboard_actions.end.cancel_question", program=program.name),
                            facts=[t.n("dashboard_actions.end.cancel_told", told, count=told)])
    return Confirmation(t("dashboard_actions.end.question", program=program.name),
                        facts=[t.n("dashboard_actions.end.closing", joined, count=joined)])


def _verb(request: web.Request) -> str:
    verb = request.match_info.get("verb", "")
    if verb not in VERBS:
        raise not_found()
    return verb


async def confirm_page(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    program = await program_of(request, admin, request.match_info.get("program_id"))
    verb = _verb(request)
    t = Translator(admin.locale)
    return await page(request, "actions/confirm.html", {
        "title": t(f"dashboard_actions.{verb}.title"), "program": program,
        "confirmation": await confirmation(request, admin, program, verb),
        "post_to": program_action_url(program.id or 0, verb), "submit": t(f"dashboard_actions.{verb}.submit"),
        "danger": verb == "end", "back": actions_url(program.id or 0), "fields": (), "search": None})


async def do_program_action(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    await checked_form(request)
    program = await program_of(request, admin, request.match_info.get("program_id"))
    verb = _verb(request)
    t = Translator(admin.locale)
    if not await named_by_slug_only(request, admin, program):
        return await result_page(request, admin, title=t(f"dashboard_actions.{verb}.title"), responses=[],
                                 back=actions_url(program.id or 0),
                                 extra={"note": t("dashboard_actions.ambiguous", program=program.name)})
    responses = await run(request, admin, command(admin, f"program {verb} {program.slug}"), verb=f"program.{verb}")
    return await result_page(request, admin, title=t(f"dashboard_actions.{verb}.title"), responses=responses,
                             back=actions_url(program.id or 0))
