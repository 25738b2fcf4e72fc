"""Signed in or not: the session's admin, checked on every request (expiry by Lingkar's clock, still an admin)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.dashboard.errors import PageError
from adapters.dashboard.identity import DashboardAdmin, Identity, admit
from adapters.dashboard.keys import ADMIN_KEY, LINGKAR_KEY, PREFIX, SESSION_KEY
from adapters.dashboard.sessions import max_age_seconds, session_of

__all__ = ["DashboardAdmin", "begin_session", "current_admin", "end_session", "signed_in"]

SIGNIN = f"{PREFIX}/signin"
_ADMIN = "admin"
_ISSUED = "issued_at"
_NEXT = "next"


async def signed_in(request: web.Request) -> DashboardAdmin:
    """The admin of this session. No session, an expired one, or a forged one: a redirect to the sign-in page
    (the page asked for is remembered). Someone no longer an admin: the 403 refusal page, and the session ends."""
    cached = request.get(ADMIN_KEY)
    if isinstance(cached, DashboardAdmin):
        return cached
    lingkar = request.app[LINGKAR_KEY]
    session = session_of(request)
    identity = _session_identity(request)
    if identity is None:
        session.clear()
        if request.method == "GET":
            session[_NEXT] = request.rel_url.path_qs
        raise web.HTTPSeeOther(SIGNIN)
    admin = await admit(lingkar, identity)
    if admin is None:  # removed as an admin (or erased) since signing in: told in the language they signed in with
        session.clear()
        raise PageError(403, "dashboard.refused.no_longer", locale=identity.locale)
    request[ADMIN_KEY] = admin
    return admin


async def current_admin(request: web.Request) -> DashboardAdmin | None:
    """The admin if this request carries a valid session, else None; never redirects or refuses (for pages that
    anyone may see, such as the error pages, which then show the navigation to a signed-in admin)."""
    cached = request.get(ADMIN_KEY)
    if cached is not None or request.get(SESSION_KEY) is None:
        return cached
    identity = _session_identity(request)
    admin = await admit(request.app[LINGKAR_KEY], identity) if identity is not None else None
    if admin is not None:
        request[ADMIN_KEY] = admin
    return admin


def _session_identity(request: web.Request) -> Identity | None:
    """Who the session says is signed in, if it was issued within the max age by Lingkar's clock."""
    lingkar = request.app[LINGKAR_KEY]
    session = session_of(request)
    issued = session.get(_ISSUED)
    now = lingkar.services.clock.now().timestamp()
    fresh = isinstance(issued, int | float) and issued - 300 <= now <= issued + max_age_seconds(lingkar.settings)
    return _identity(session.get(_ADMIN)) if fresh else None


def begin_session(request: web.Request, admin: DashboardAdmin) -> str:
    """Sign `admin` in: a new session (nothing of the anonymous one survives but the page asked for); returns
    where to go next, a path under /admin only (never an address someone put in a link)."""
    session = session_of(request)
    wanted = session.get(_NEXT)
    session.clear()
    session[_ADMIN] = admin.to_session()
    session[_ISSUED] = request.app[LINGKAR_KEY].services.clock.now().timestamp()
    return wanted if _safe_next(wanted) else f"{PREFIX}/"  # type: ignore[return-value]


def end_session(request: web.Request) -> None:
    session_of(request).invalidate()


def _identity(stored: Any) -> Identity | None:
    if not isinstance(stored, dict):
        return None
    platform, tenant, user = stored.get("platform"), stored.get("workspace_id"), stored.get("user_id")
    if platform not in ("slack", "teams") or not (isinstance(tenant, str) and isinstance(user, str)
                                                  and tenant and user):
        return None
    name, locale = stored.get("display_name"), stored.get("locale")
    return Identity(platform=str(platform), tenant=tenant, user_id=user,
                    display_name=name if isinstance(name, str) else None,
                    locale=locale if isinstance(locale, str) else None)


def _safe_next(path: object) -> bool:
    return (isinstance(path, str) and path.startswith(f"{PREFIX}/") and "//" not in path and "\\" not in path
            and not path.startswith(SIGNIN) and len(path) < 2000)
