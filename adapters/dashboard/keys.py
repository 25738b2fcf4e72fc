"""Keys the dashboard's sub-application and requests carry, in a module of their own so pages and actions can
import them without importing app.py (which imports them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from adapters.bootstrap import App

if TYPE_CHECKING:
    from adapters.dashboard.auth import DashboardAdmin

# Pages get Lingkar from request.app[LINGKAR_KEY]: .services.uow(), .services.clock, .core, .settings.
LINGKAR_KEY = web.AppKey("lingkar", App)
# The signed-in admin, once auth.signed_in has checked the session in this request.
ADMIN_KEY = "lingkar_dashboard_admin"
SESSION_KEY = "lingkar_dashboard_session"

PREFIX = "/admin"


def admin_of(request: web.Request) -> DashboardAdmin | None:
    found = request.get(ADMIN_KEY)
    return found  # type: ignore[no-any-return]
