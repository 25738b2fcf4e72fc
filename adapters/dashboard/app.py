"""/admin: the dashboard as an aiohttp sub-application of the one server (Slack, Teams, health checks)."""

from __future__ import annotations

from aiohttp import web

from adapters.bootstrap import App
from adapters.dashboard import render
from adapters.dashboard.errors import PageError
from adapters.dashboard.keys import LINGKAR_KEY, PREFIX


def install_routes(web_app: web.Application, lingkar: App) -> None:
    """Mount the dashboard at /admin. Without LINGKAR_DASHBOARD_SESSION_KEY every /admin URL answers a page that
    says the dashboard is not configured (503), never a 500."""
    configured = bool(lingkar.settings.dashboard_session_key)
    if configured:
        # For memory: sign-in (msal, requests, Microsoft Graph's client), sessions, pages and actions are imported
        # only by a server whose dashboard is configured (issue 18; tests/scale/test_lazy_imports.py).
        from adapters.dashboard import actions, pages, sessions, signin

        middlewares = [*sessions.middlewares(lingkar.settings)]
    else:
        middlewares = []
    sub = web.Application(middlewares=[render.security_headers, *middlewares, render.error_pages])
    sub[LINGKAR_KEY] = lingkar
    render.setup(sub)
    if configured:
        signin.add_routes(sub)
        pages.add_routes(sub)
        actions.add_routes(sub)
    else:
        sub.router.add_route("*", "/{tail:.*}", not_configured)
    web_app.router.add_get(PREFIX, _to_home)  # before the sub-application, which would answer /admin with a 404
    web_app.add_subapp(PREFIX, sub)


async def not_configured(request: web.Request) -> web.Response:
    return await render.page(request, "error.html", {"error": PageError(503, "dashboard.error.not_configured")},
                             status=503)


async def _to_home(_: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect(f"{PREFIX}/")
