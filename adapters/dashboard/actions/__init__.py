"""The actions with confirmation (dash-actions): each the same core command the chat uses.

Every action is a GET that shows what will happen and a POST (CSRF-checked) that does it through `core.handle`.
URLs (under /admin): /actions/programs/{id} lists a program's actions; /actions/programs/{id}/{open|close|end|form};
/actions/circles/{id}/{retry|moderator|add|merge}."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from adapters.dashboard.actions.circle_pages import circle_page, do_circle_action
from adapters.dashboard.actions.form_pages import do_form, form_page
from adapters.dashboard.actions.index import actions_index
from adapters.dashboard.actions.program_pages import confirm_page, do_program_action
from adapters.dashboard.actions.scope import actions_url

__all__ = ["actions_url", "add_routes"]


def add_routes(app: web.Application) -> None:
    """Routes on the /admin sub-application (paths relative to /admin). The fixed `form` route comes before the
    `{verb}` one, which answers 404 for any verb it does not know."""
    app.router.add_static("/actions-static", Path(__file__).parent / "static", name="actions_static")
    app.router.add_get("/actions/programs/{program_id}", actions_index)
    app.router.add_get("/actions/programs/{program_id}/form", form_page)
    app.router.add_post("/actions/programs/{program_id}/form", do_form)
    app.router.add_get("/actions/programs/{program_id}/{verb}", confirm_page)
    app.router.add_post("/actions/programs/{program_id}/{verb}", do_program_action)
    app.router.add_get("/actions/circles/{circle_id}/{verb}", circle_page)
    app.router.add_post("/actions/circles/{circle_id}/{verb}", do_circle_action)
