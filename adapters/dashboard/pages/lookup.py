"""What every read page needs: the signed-in admin's App and clock, and a program of their workspace by its id."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from markupsafe import Markup

from adapters.bootstrap import App
from adapters.dashboard.chat_markup import chat_markup
from adapters.dashboard.errors import not_found
from adapters.dashboard.identity import DashboardAdmin
from adapters.dashboard.ids import int_or_404
from adapters.dashboard.keys import LINGKAR_KEY
from bot.feedback.disclosure import k_of
from storage.tables import Program
from storage.uow import UnitOfWork


def lingkar_of(request: web.Request) -> App:
    return request.app[LINGKAR_KEY]


def now_of(request: web.Request) -> datetime:
    return lingkar_of(request).services.clock.now()


def k_for(request: web.Request, program: Program) -> int:
    """The K its feedback is shown from: the program's own, else the configured one (as the digest does)."""
    return k_of(program, lingkar_of(request).services.config.k_anonymity)


async def program_of(request: web.Request, uow: UnitOfWork, admin: DashboardAdmin) -> Program:
    """The program named by the URL, in the admin's workspace only. Not a number, no such program, or another
    workspace's: the same 404, so a URL never confirms that a program exists elsewhere."""
    program_id = int_or_404(request.match_info.get("program_id", ""))
    program = await uow.programs.get(workspace_id=admin.workspace_pk, program_id=program_id)
    if program is None or program.workspace_id != admin.workspace_pk:
        raise not_found()
    return program


def with_code(text: str) -> Markup:
    """A catalog text as HTML (escaped; the chat's `command` spans as <code>)."""
    return chat_markup(text)
