"""How the composition root and the server plug Slack in. (Filled in by the Slack adapter work.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from adapters.settings import Settings
from bot.ports import Messenger

if TYPE_CHECKING:
    from adapters.bootstrap import App


def build_messenger(settings: Settings) -> Messenger | None:
    """The Slack Messenger when a bot token is configured, else None."""
    return None


def install_routes(web_app: web.Application, lingkar: App) -> None:
    """Add /slack/events to the shared aiohttp app when Slack is configured for HTTP mode."""
