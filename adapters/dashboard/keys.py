"""Keys the dashboard's sub-application and requests carry, in a module of their own so pages and actions can
import them without importing app.py (which imports them)."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import Session

from adapters.bootstrap import App
from adapters.dashboard.identity import DashboardAdmin

# Pages get Lingkar from request.app[LINGKAR_KEY]: .services.uow(), .services.clock, .core, .settings.
LINGKAR_KEY = web.AppKey("lingkar", App)
# The signed-in admin, once auth.signed_in has checked the session in this request.
ADMIN_KEY = web.RequestKey("lingkar_dashboard_admin", DashboardAdmin)
SESSION_KEY = web.RequestKey("lingkar_dashboard_session", Session)

PREFIX = "/admin"


def admin_of(request: web.Request) -> DashboardAdmin | None:
    """The admin `auth.signed_in` let in during this request, or None (the sign-in and error pages)."""
    return request.get(ADMIN_KEY)
