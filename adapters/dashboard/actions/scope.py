"""What every action page shares: ids from the URL or the form read as this workspace's rows (else 404), the core
event built from validated values, run through the same `core.handle` the chat uses, and the result page."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from adapters.dashboard.auth import DashboardAdmin
from adapters.dashboard.errors import bad_request, not_found
from adapters.dashboard.ids import int_or_404
from adapters.dashboard.keys import LINGKAR_KEY, PREFIX
from adapters.dashboard.message_html import responses_html
from adapters.dashboard.render import page
from bot.kernel.events import Action, Command, Event
from bot.kernel.grammar import MENTION
from bot.kernel.i18n import Translator
from bot.kernel.replies import Response
from bot.kernel.text_keys import fold, slugify
from storage.tables import Circle, Member, Program
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

def uow(request: web.Request) -> UnitOfWork:
    return request.app[LINGKAR_KEY].services.uow()


async def program_of(request: web.Request, admin: DashboardAdmin, raw: object) -> Program:
    """This workspace's program; another workspace's, a deleted one or junk: 404 (a URL confirms nothing)."""
    program_id = int_or_404(raw)
    async with uow(request) as work:
        program = await work.programs.get(workspace_id=admin.workspace_pk, program_id=program_id)
    if program is None:
        raise not_found()
    return program


async def circle_of(request: web.Request, admin: DashboardAdmin, raw: object) -> tuple[Circle, Program]:
    circle_id = int_or_404(raw)
    async with uow(request) as work:
        circle = await work.circles.get(workspace_id=admin.workspace_pk, circle_id=circle_id)
        program = (await work.programs.get(workspace_id=admin.workspace_pk, program_id=circle.program_id)
                   if circle is not None else None)
    if circle is None or program is None:
        raise not_found()
    return circle, program


async def named_by_slug_only(request: web.Request, admin: DashboardAdmin, program: Program) -> bool:
    """Whether `program <verb> <slug>` reaches this very program: the chat takes the first program, by id, whose slug
    or name answers to the word (bot/kernel/program_lookup.find_program), and a renamed program may answer to
    another's slug. When it would reach another, the page refuses rather than act on the wrong program."""
    async with uow(request) as work:
        programs = await work.programs.all_in(workspace_id=admin.workspace_pk)
    wanted, wanted_slug = fold(program.slug), slugify(program.slug)
    first = next((p for p in programs if p.slug == wanted_slug or fold(p.name) == wanted), None)
    return first is not None and first.id == program.id


def mention(member: Member) -> str:
    """A member as the chat's commands name them (`<@id>`): built from the row, never from what a client sent."""
    text = f"<@{member.external_id}>"
    if MENTION.fullmatch(text) is None:  # an id the grammar could not read back: no command names them
        raise bad_request()
    return text


async def run(request: web.Request, admin: DashboardAdmin, event: Event, *, verb: str) -> list[Response]:
    """The web's action is the chat's: the same event through the same core (its admin check, its unit of work,
    its after-commit steps). Logged by verb and ids only, never with text."""
    log.info("dashboard action %s by %s/%s", verb, admin.platform, admin.workspace_id)
    return await request.app[LINGKAR_KEY].core.handle(event)


def command(admin: DashboardAdmin, text: str) -> Command:
    return Command(actor=admin.actor(), text=text)


def action(admin: DashboardAdmin, action_id: str) -> Action:
    return Action(actor=admin.actor(), action_id=action_id)


async def result_page(request: web.Request, admin: DashboardAdmin, *, title: str, responses: list[Response],
                      back: str, extra: dict[str, Any] | None = None) -> web.Response:
    t = Translator(admin.locale)
    return await page(request, "actions/result.html", {
        "title": title, "answer": responses_html(responses, t), "back": back, "note": "", **(extra or {})})


def actions_url(program_id: int) -> str:
    """The program's actions page: dash-pages links here from a program's page."""
    return f"{PREFIX}/actions/programs/{program_id}"


def circle_action_url(circle_id: int, verb: str) -> str:
    return f"{PREFIX}/actions/circles/{circle_id}/{verb}"


def program_action_url(program_id: int, verb: str) -> str:
    return f"{PREFIX}/actions/programs/{program_id}/{verb}"
