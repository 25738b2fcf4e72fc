"""Pages: jinja2 templates (autoescape on) that extend base.html, in the admin's language.

Every template gets `t` (a Translator: t("key", **kw), t.n("key", n, **kw)), `admin` (a DashboardAdmin, or None on
the sign-in and refusal pages), `csrf_token` and `csrf_field` (the hidden field of every form), `nav` (set it to
"programs", "delivery" or "exports" to mark the current item), `nav_items`, `signout`, `prefix`, `k_anonymity`.
The URLs of the navigation are fixed here; the parts serve them:
  /admin/programs (dash-pages), /admin/delivery (dash-pages), /admin/exports (dash-pages), /admin/signout (POST).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from adapters.dashboard.auth import current_admin
from adapters.dashboard.csrf import FIELD as CSRF_FIELD
from adapters.dashboard.csrf import csrf_token
from adapters.dashboard.errors import PageError
from adapters.dashboard.keys import ADMIN_KEY, LINGKAR_KEY, PREFIX, SESSION_KEY
from bot.kernel.i18n import Translator, resolve_locale

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
NAV_ITEMS = (("programs", f"{PREFIX}/programs", "dashboard.nav.programs"),
             ("delivery", f"{PREFIX}/delivery", "dashboard.nav.delivery"),
             ("exports", f"{PREFIX}/exports", "dashboard.nav.exports"))
SIGNOUT = f"{PREFIX}/signout"
LANG_COOKIE_FIELD = "lang"


def setup(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                         undefined=jinja2.StrictUndefined)
    app.router.add_static("/static", STATIC, name="static", append_version=True)


def locale_of(request: web.Request) -> str:
    """The admin's locale; before sign-in, ?lang= (kept in the session), then the browser's first language."""
    admin = request.get(ADMIN_KEY)
    if admin is not None:
        return str(admin.locale)
    session = request.get(SESSION_KEY)
    asked = request.query.get("lang")
    if asked and resolve_locale(asked, "") == asked and session is not None:
        session[LANG_COOKIE_FIELD] = asked
    chosen = asked or (session.get(LANG_COOKIE_FIELD) if session is not None else None)
    browser = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()
    return resolve_locale(chosen, browser, request.app[LINGKAR_KEY].settings.default_locale)


def base_context(request: web.Request, locale: str | None = None) -> dict[str, Any]:
    signed = request.get(ADMIN_KEY) is not None
    return {"t": Translator(locale or locale_of(request)), "admin": request.get(ADMIN_KEY),
            # Forms exist only for a signed-in admin; an anonymous visitor gets no session cookie from a page view.
            "csrf_token": csrf_token(request) if signed else "",
            "csrf_field": CSRF_FIELD, "nav_items": NAV_ITEMS if signed else (), "nav": None, "signout": SIGNOUT,
            "prefix": PREFIX, "k_anonymity": request.app[LINGKAR_KEY].settings.k_anonymity}


async def page(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200,
               locale: str | None = None) -> web.Response:
    """Render `template` with the shared context (whose names are reserved); `locale` overrides the reader's."""
    await current_admin(request)  # an error page shows a signed-in admin their navigation too
    full = base_context(request, locale)
    full.update(context)
    response = aiohttp_jinja2.render_template(template, request, full, status=status)
    response.headers["Cache-Control"] = "no-store"  # pages show people's data: no shared or back-button caches
    return response


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """PageError -> its localised page; an unknown /admin URL -> the 404 page (never aiohttp's bare text)."""
    try:
        return await handler(request)
    except PageError as error:
        return await error_page(request, error)
    except web.HTTPNotFound:
        return await error_page(request, PageError(404, "dashboard.error.not_found"))
    except web.HTTPMethodNotAllowed:
        return await error_page(request, PageError(405, "dashboard.error.bad_request"))
    except web.HTTPException:
        raise  # redirects, and what a handler answered on purpose
    except Exception:
        # A bug, not the reader's fault: logged with an incident id (no request body, no page content), and the
        # reader gets the id in their language instead of aiohttp's bare 500.
        incident = uuid.uuid4().hex[:8]
        log.exception("dashboard error %s on %s %s", incident, request.method, request.path,
                      extra={"incident": incident})
        return await error_page(request, PageError(500, "dashboard.error.unexpected", incident=incident))


async def error_page(request: web.Request, error: PageError) -> web.Response:
    return await page(request, "error.html", {"error": error}, status=error.status, locale=error.locale)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    # No scripts at all; styles from here (and style attributes, for inline SVG); no framing (clickjacking on
    # confirmation forms); forms post here only.
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
