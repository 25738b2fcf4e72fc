"""The read pages (dash-pages): programs, a program, delivery health, exports."""

from __future__ import annotations

from aiohttp import web


def add_routes(app: web.Application) -> None:
    """Routes on the /admin sub-application (paths relative to /admin)."""
