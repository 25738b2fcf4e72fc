"""How the composition root and the server plug Teams in. (Filled in by the Teams adapter work.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.settings import Settings
from bot.ports import Messenger
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from adapters.bootstrap import App


def build_messenger(settings: Settings, uow: Callable[[], UnitOfWork]) -> Messenger | None:
    """The Teams Messenger (proactive messages through stored conversation references)."""
    return None


def install_routes(web_app: web.Application, lingkar: App) -> None:
    """Add /api/messages to the shared aiohttp app."""
