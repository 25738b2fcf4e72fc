"""A program's actions page: what can be done to it in its state, and to each of its circles."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from aiohttp import web

from adapters.dashboard.actions.program_pages import blocked_text
from adapters.dashboard.actions.scope import circle_action_url, program_action_url, program_of, uow
from adapters.dashboard.auth import DashboardAdmin, signed_in
from adapters.dashboard.keys import PREFIX
from adapters.dashboard.render import page
from bot.kernel.i18n import Translator
from storage.tables import CircleMemberStatus, CircleStatus, Program, ProgramFormat, ProgramState


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    note: str = ""  # why it does not apply now (the link stays: the page says the same)


@dataclass(frozen=True)
class CircleRow:
    name: str
    members: int
    moderator: str
    space: bool
    links: tuple[Link, ...]


def _program_links(t: Translator, program: Program) -> list[Link]:
    pid = program.id or 0
    form_key = "form" if program.format == ProgramFormat.CIRCLES else "form_pairs"
    links = [Link(t(f"dashboard_actions.{verb}.title"), program_action_url(pid, verb), blocked_text(t, program, verb))
             for verb in ("open", "close")]
    links.append(Link(t(f"dashboard_actions.{form_key}.title"), program_action_url(pid, "form"),
                      blocked_text(t, program, "form")))
    ended = program.state in (ProgramState.CLOSING, ProgramState.CLOSED)
    links.append(Link(t("dashboard_actions.end.title"), program_action_url(pid, "end"),
                      t("dashboard_actions.end.blocked", program=program.name, state=t(f"state.{program.state}"))
                      if ended else ""))
    return links


async def _circles(request: web.Request, admin: DashboardAdmin, program: Program, t: Translator) -> list[CircleRow]:
    """Three queries whatever the number of circles: the circles, their memberships, their moderators."""
    async with uow(request) as work:
        circles = [c for c in await work.circles.of_program(workspace_id=admin.workspace_pk,
                                                            program_id=program.id or 0)
                   if c.status == CircleStatus.ACTIVE]
        placed = Counter(m.circle_id for m in await work.circles.of_program_members(
            workspace_id=admin.workspace_pk, program_id=program.id or 0) if m.status == CircleMemberStatus.ACTIVE)
        moderators = {m.id: m.name for m in await work.members.many(
            workspace_id=admin.workspace_pk, member_ids=[c.moderator_member_id for c in circles
                                                         if c.moderator_member_id])}
    rows = []
    for circle in circles:
        cid = circle.id or 0
        links = [Link(t("dashboard_actions.moderator.short"), circle_action_url(cid, "moderator")),
                 Link(t("dashboard_actions.add.short"), circle_action_url(cid, "add")),
                 Link(t("dashboard_actions.merge.short"), circle_action_url(cid, "merge"))]
        if not circle.space:
            links.append(Link(t("dashboard_actions.retry.short"), circle_action_url(cid, "retry")))
        rows.append(CircleRow(circle.name, placed[cid], moderators.get(circle.moderator_member_id, "-"),
                              bool(circle.space), tuple(links)))
    return rows


async def actions_index(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    program = await program_of(request, admin, request.match_info.get("program_id"))
    t = Translator(admin.locale)
    return await page(request, "actions/index.html", {
        "title": t("dashboard_actions.index.title", program=program.name), "program": program,
        "state": t(f"state_label.{program.state}"), "links": _program_links(t, program),
        "circles": await _circles(request, admin, program, t), "running": program.state == ProgramState.RUNNING,
        "program_url": f"{PREFIX}/programs/{program.id}", "nav": "programs"})
