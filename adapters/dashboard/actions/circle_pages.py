"""A circle's actions from the web: retry its space, appoint its moderator, add a member, merge another circle into
it. Each page shows what will happen; the POST builds the chat's command (`circle retry 12`, `moderator appoint 12
<@U1>`, `circle add <@U1> 12`, the merge's Confirm button `circle.merge:12.13`) from ids checked against this
workspace, never from text the client sent."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.dashboard.actions.scope import (
    action,
    actions_url,
    circle_action_url,
    circle_of,
    command,
    mention,
    result_page,
    run,
    uow,
)
from adapters.dashboard.auth import DashboardAdmin, signed_in
from adapters.dashboard.csrf import checked_form
from adapters.dashboard.errors import bad_request, not_found
from adapters.dashboard.ids import int_or_400
from adapters.dashboard.message_html import responses_html
from adapters.dashboard.render import page
from bot.kernel.events import Event
from bot.kernel.i18n import Translator
from bot.kernel.messages import Buttons, Message
from bot.kernel.replies import Reply, Response
from bot.kernel.text_keys import fold
from storage.repositories.outbox import space_key
from storage.tables import Circle, CircleStatus, DeliveryStatus, EnrollmentStatus, Member, Program

VERBS = ("retry", "moderator", "add", "merge")
_STATUSES = {status.value for status in DeliveryStatus}
MOVE = "move"
SHOWN = 300  # names in the add page's select at once


async def _members(request: web.Request, admin: DashboardAdmin, circle: Circle) -> list[Member]:
    async with uow(request) as work:
        rows = await work.circles.memberships(circle_id=circle.id or 0)
        found = await work.members.many(workspace_id=admin.workspace_pk, member_ids=[r.member_id for r in rows])
    return sorted((m for m in found if not m.erased), key=lambda m: m.name.casefold())


async def _enrolled_elsewhere(request: web.Request, admin: DashboardAdmin, circle: Circle) -> list[Member]:
    """Active members of the circle's program who are not in this circle: whom `circle add` can take."""
    async with uow(request) as work:
        rows = await work.enrollments.of_program(workspace_id=admin.workspace_pk, program_id=circle.program_id)
        inside = {r.member_id for r in await work.circles.memberships(circle_id=circle.id or 0)}
        ids = [r.member_id for r in rows if r.status == EnrollmentStatus.ACTIVE and r.member_id not in inside]
        found = await work.members.many(workspace_id=admin.workspace_pk, member_ids=ids)
    return sorted((m for m in found if not m.erased), key=lambda m: m.name.casefold())


async def _other_circles(request: web.Request, admin: DashboardAdmin, circle: Circle) -> list[Circle]:
    async with uow(request) as work:
        circles = await work.circles.of_program(workspace_id=admin.workspace_pk, program_id=circle.program_id)
    return [c for c in circles if c.id != circle.id and c.status == CircleStatus.ACTIVE]


async def _space_state(request: web.Request, admin: DashboardAdmin, circle: Circle, t: Translator) -> list[str]:
    if circle.space:
        return []  # the page says so instead of offering the button
    async with uow(request) as work:
        row = await work.outbox.by_key(key=space_key("circle", circle.id or 0))
    facts = [t("dashboard_actions.retry.no_space", circle=circle.name)]
    if row is not None and row.workspace_id == admin.workspace_pk:
        status = row.status if row.status in _STATUSES else DeliveryStatus.FAILED
        facts.append(t("dashboard_actions.retry.last_try", status=t(f"dashboard_actions.retry.status.{status}"),
                       attempts=row.attempts, error=row.last_error or "-"))
    return facts


def _verb(request: web.Request) -> str:
    verb = request.match_info.get("verb", "")
    if verb not in VERBS:
        raise not_found()
    return verb


def _options(members: list[Member]) -> list[tuple[str, str]]:
    return [(str(m.id), m.name) for m in members]


async def circle_page(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    circle, program = await circle_of(request, admin, request.match_info.get("circle_id"))
    verb = _verb(request)
    t = Translator(admin.locale)
    context: dict[str, Any] = {"facts": [], "fields": [], "blocked": "", "warning": "", "search": None}
    if verb == "retry":
        context["facts"] = await _space_state(request, admin, circle, t)
        context["blocked"] = t("dashboard_actions.retry.has_space", circle=circle.name) if circle.space else ""
    elif verb == "moderator":
        members = await _members(request, admin, circle)
        context["fields"] = [{"kind": "select", "name": "member", "label": t("dashboard_actions.moderator.who"),
                              "options": _options(members)}]
        context["blocked"] = "" if members else t("dashboard_actions.moderator.empty", circle=circle.name)
    elif verb == "add":
        people = await _enrolled_elsewhere(request, admin, circle)
        shown, context["search"] = _searched(request, t, people)
        context["fields"] = [{"kind": "select", "name": "member", "label": t("dashboard_actions.add.who"),
                              "options": _options(shown)},
                             {"kind": "checkbox", "name": MOVE, "label": t("dashboard_actions.add.move")}]
        context["blocked"] = "" if people else t("dashboard_actions.add.empty", program=program.name)
    else:
        return await _merge_page(request, admin, circle, program)
    return await page(request, "actions/confirm.html", {
        "title": t(f"dashboard_actions.{verb}.title", circle=circle.name), "program": program,
        "confirmation": {"question": t(f"dashboard_actions.{verb}.question", circle=circle.name), **context},
        "post_to": circle_action_url(circle.id or 0, verb), "submit": t(f"dashboard_actions.{verb}.submit"),
        "danger": False, "back": actions_url(program.id or 0), "fields": context["fields"],
        "search": context["search"]})


def _searched(request: web.Request, t: Translator, people: list[Member]) -> tuple[list[Member], dict[str, Any]]:
    """A program of thousands is not one select: at most SHOWN names, narrowed by part of a name (`?q=`)."""
    typed = request.query.get("q", "")[:100]
    wanted = fold(typed)
    found = [m for m in people if wanted in fold(m.name)] if wanted else people
    note = t("dashboard_actions.add.limited", shown=SHOWN, total=len(found)) if len(found) > SHOWN else ""
    return found[:SHOWN], {"name": "q", "value": typed, "label": t("dashboard_actions.add.search"),
                           "submit": t("dashboard_actions.add.find"), "note": note}


async def _merge_page(request: web.Request, admin: DashboardAdmin, circle: Circle, program: Program) -> web.Response:
    """Pick the circle to merge in; with one picked (`?from=`), the chat's own preview of the merge (`circle merge`,
    which only reads) and the button that confirms it."""
    t = Translator(admin.locale)
    others = await _other_circles(request, admin, circle)
    chosen = request.query.get("from")
    preview: list[Response] = []
    away: Circle | None = None
    if chosen is not None:
        away = next((c for c in others if str(c.id) == chosen), None)
        if away is None:
            raise not_found()
        preview = await run(request, admin, command(admin, f"circle merge {circle.id} {away.id}"),
                            verb="circle.merge_preview")
    ready = away is not None and _offers_confirm(preview)
    return await page(request, "actions/merge.html", {
        "title": t("dashboard_actions.merge.title", circle=circle.name), "program": program, "circle": circle,
        "others": [(str(c.id), c.name) for c in others], "away": away,
        "preview": responses_html(_without_buttons(preview), t), "ready": ready,
        "pick_url": circle_action_url(circle.id or 0, "merge"), "post_to": circle_action_url(circle.id or 0, "merge"),
        "back": actions_url(program.id or 0)})


def _offers_confirm(responses: list[Response]) -> bool:
    """The chat's preview ends in a Confirm button; a refusal (too big, another program) has none."""
    return any(isinstance(r, Reply) and any(isinstance(b, Buttons) for b in r.message.blocks)
               for r in responses)


def _without_buttons(responses: list[Response]) -> list[Response]:
    """The page's own form confirms; the chat's button would only say "press it in chat"."""
    out: list[Response] = []
    for r in responses:
        if isinstance(r, Reply):
            blocks = tuple(b for b in r.message.blocks if not isinstance(b, Buttons))
            out.append(Reply(Message(text=r.message.text, blocks=blocks), ephemeral=r.ephemeral))
        else:
            out.append(r)
    return out


async def do_circle_action(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    form = await checked_form(request)
    circle, program = await circle_of(request, admin, request.match_info.get("circle_id"))
    verb = _verb(request)
    t = Translator(admin.locale)
    event: Event
    if verb == "retry":
        event = command(admin, f"circle retry {circle.id}")
    elif verb == "moderator":
        member = _chosen(await _members(request, admin, circle), int_or_400(form, "member"))
        event = command(admin, f"moderator appoint {circle.id} {mention(member)}")
    elif verb == "add":
        member = _chosen(await _enrolled_elsewhere(request, admin, circle), int_or_400(form, "member"))
        move = " move" if form.get(MOVE) == "1" else ""
        event = command(admin, f"circle add {mention(member)} {circle.id}{move}")
    else:
        away_id = int_or_400(form, "from")
        if away_id not in {c.id for c in await _other_circles(request, admin, circle)}:
            raise bad_request()
        event = action(admin, f"circle.merge:{circle.id}.{away_id}")
    responses = await run(request, admin, event, verb=f"circle.{verb}")
    return await result_page(request, admin, title=t(f"dashboard_actions.{verb}.title", circle=circle.name),
                             responses=responses, back=actions_url(program.id or 0))


def _chosen(allowed: list[Member], member_id: int) -> Member:
    """The select's value must be one the page offered: this workspace's, in this circle (or its program)."""
    for member in allowed:
        if member.id == member_id:
            return member
    raise bad_request()
