"""The actions with confirmation (dash-actions): each the same core command the chat uses."""

from __future__ import annotations

from aiohttp import web


def add_routes(app: web.Application) -> None:
    """Routes on the /admin sub-application (paths relative to /admin)."""
