"""Form circles from the web: the proposal first (each circle, its members and why each is there), then the chat's
`program form <slug>` when the admin confirms, but only while the proposal is still the one they saw."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from adapters.dashboard.actions.program_pages import blocked_text
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
from adapters.dashboard.render import page
from bot.circles.launch import why_line
from bot.circles.preview import FormationPreview, preview_formation
from bot.kernel.i18n import Translator
from storage.tables import Program, ProgramFormat

FINGERPRINT = "proposal"


def title(t: Translator, program: Program) -> str:
    return t("dashboard_actions.form.title" if program.format == ProgramFormat.CIRCLES
             else "dashboard_actions.form_pairs.title")


@dataclass(frozen=True)
class Row:
    name: str
    why: str


@dataclass(frozen=True)
class CircleView:
    name: str
    launches: bool
    rows: tuple[Row, ...]


def _views(t: Translator, preview: FormationPreview) -> tuple[list[CircleView], list[Row]]:
    """The proposal in the admin's language: each reason as the member will read it in the circle's welcome."""
    circles = [CircleView(c.name, c.launches, tuple(Row(m.name, why_line(t, m.why, c.theme)) for m in c.members))
               for c in preview.circles]
    waiting = [Row(w.name, t("dashboard_actions.form.below_minimum") if w.code == "below_minimum"
                   else t(f"formation.unplaced.{w.code}")) for w in preview.waiting]
    return circles, waiting


async def _preview(request: web.Request, admin: DashboardAdmin, program: Program) -> FormationPreview:
    async with uow(request) as work:  # read only: the unit of work is closed without a commit
        return await preview_formation(work, workspace_id=admin.workspace_pk, program=program)


async def _proposal_page(request: web.Request, admin: DashboardAdmin, program: Program, *,
                         changed: bool = False) -> web.Response:
    t = Translator(admin.locale)
    blocked = blocked_text(t, program, "form")
    # Only a program that is forming has a proposal: a running one's circles are made (no dry run to show).
    preview = FormationPreview(kind="blocked") if blocked else await _preview(request, admin, program)
    circles, waiting = _views(t, preview)
    return await page(request, "actions/form_preview.html", {
        "title": title(t, program), "program": program, "preview": preview, "circles": circles,
        "waiting": waiting, "blocked": blocked, "changed": changed,
        "fingerprint_field": FINGERPRINT, "post_to": program_action_url(program.id or 0, "form"),
        "back": actions_url(program.id or 0)})


async def form_page(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    program = await program_of(request, admin, request.match_info.get("program_id"))
    return await _proposal_page(request, admin, program)


async def do_form(request: web.Request) -> web.Response:
    """Commit only the proposal the admin saw: if a join, a leave or a vote changed it since, show the new one to
    confirm instead. Formation is deterministic, so an unchanged proposal is what `program form` commits."""
    admin = await signed_in(request)
    form = await checked_form(request)
    program = await program_of(request, admin, request.match_info.get("program_id"))
    t = Translator(admin.locale)
    # Formed meanwhile (another tab, the chat): no proposal to compare, and the chat's refusal says why.
    if not blocked_text(t, program, "form"):
        preview = await _preview(request, admin, program)
        if preview.kind != "pairs" and form.get(FINGERPRINT) != preview.fingerprint:
            return await _proposal_page(request, admin, program, changed=True)
    if not await named_by_slug_only(request, admin, program):
        return await result_page(request, admin, title=title(t, program), responses=[],
                                 back=actions_url(program.id or 0),
                                 extra={"note": t("dashboard_actions.ambiguous", program=program.name)})
    responses = await run(request, admin, command(admin, f"program form {program.slug}"), verb="program.form")
    return await result_page(request, admin, title=title(t, program), responses=responses,
                             back=actions_url(program.id or 0))
