"""Sign in with Microsoft (Entra ID): MSAL's authorization code flow with PKCE (filled in below)."""

from __future__ import annotations

from aiohttp import web

from adapters.settings import Settings

PROVIDER = "microsoft"


def configured(settings: Settings) -> bool:
    return bool(settings.dashboard_entra_client_id and settings.dashboard_entra_client_secret)


def add_routes(app: web.Application) -> None:
    """Added with the MSAL flow."""
