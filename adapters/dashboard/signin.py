"""The sign-in landing page (a button per configured identity provider), the home redirect, sign-out, the refusal
and the not-configured page."""

from __future__ import annotations

from aiohttp import web

from adapters.dashboard import signin_microsoft, signin_slack
from adapters.dashboard.auth import SIGNIN, current_admin, end_session, signed_in
from adapters.dashboard.csrf import checked_form
from adapters.dashboard.errors import PageError
from adapters.dashboard.keys import LINGKAR_KEY, PREFIX
from adapters.dashboard.render import page


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/signin", landing)
    app.router.add_post("/signout", sign_out)
    settings = app[LINGKAR_KEY].settings
    if signin_slack.configured(settings):
        signin_slack.add_routes(app)
    if signin_microsoft.configured(settings):
        signin_microsoft.add_routes(app)


async def home(request: web.Request) -> web.Response:
    await signed_in(request)
    raise web.HTTPSeeOther(f"{PREFIX}/programs")


async def landing(request: web.Request) -> web.Response:
    if await current_admin(request) is not None:
        raise web.HTTPSeeOther(f"{PREFIX}/")
    settings = request.app[LINGKAR_KEY].settings
    providers = [name for name, module in (("slack", signin_slack), ("microsoft", signin_microsoft))
                 if module.configured(settings)]
    return await page(request, "signin.html", {"providers": providers, "notice": request.query.get("notice")})


async def sign_out(request: web.Request) -> web.Response:
    await checked_form(request)
    end_session(request)
    raise web.HTTPSeeOther(f"{SIGNIN}?notice=signed_out")


async def not_configured(request: web.Request) -> web.Response:
    return await page(request, "error.html", {"error": PageError(503, "dashboard.error.not_configured")},
                      status=503)
