"""What every read page needs: the signed-in admin's App and clock, and a program of their workspace by its id."""

from __future__ import annotations

import re
from datetime import datetime

from aiohttp import web
from markupsafe import Markup, escape

from adapters.bootstrap import App
from adapters.dashboard.errors import not_found
from adapters.dashboard.identity import DashboardAdmin
from adapters.dashboard.keys import LINGKAR_KEY
from bot.feedback.disclosure import k_of
from storage.tables import Program
from storage.uow import UnitOfWork

_ID = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would take "²" or "١" and other scripts


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
    raw = request.match_info.get("program_id", "")
    if not _ID.fullmatch(raw):
        raise not_found()
    program = await uow.programs.get(workspace_id=admin.workspace_pk, program_id=int(raw))
    if program is None or program.workspace_id != admin.workspace_pk:
        raise not_found()
    return program


_CODE = re.compile(r"`([^`\n]{1,80})`")


def with_code(text: str) -> Markup:
    """A catalog text as HTML: escaped, then the chat's `command` spans as <code> (the only markup is ours)."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))
