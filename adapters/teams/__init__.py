"""Microsoft Teams: the Bot Framework endpoint, Adaptive Cards, and the Messenger on proactive messaging.

What the composition root and the server use of Teams, without the Bot Framework SDK: with Teams off (no
MicrosoftAppId, no LINGKAR_TEAMS_LOCAL) botbuilder, msrest, msal and requests, about 16 MiB of an idle server
(issue 18), are imported only if a Teams message is ever sent, as heavy libraries are imported on first use
(tests/scale/test_lazy_imports.py). With Teams on, everything is built at start as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from aiohttp import web

    from adapters.bootstrap import App
    from adapters.metrics import Metrics
    from adapters.settings import Settings
    from adapters.teams.http import TeamsEndpoint
    from adapters.teams.messenger import TeamsMessenger
    from bot.kernel.ports import Clock
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
ROUTE = "/api/messages"  # adapters.teams.http.ROUTE, here so the server names it without importing botbuilder


def enabled(settings: Settings) -> bool:
    """Teams is served: with an app id (Bot Framework tokens verified) or in the Emulator's local mode."""
    return bool(settings.microsoft_app_id or settings.teams_local)


class OnFirstUse:
    """Stands for the Teams messenger of a server with Teams off until something uses it (a delivery to a Teams
    target): then builds the real one, with botbuilder, and hands it every call, as if it had been built at start."""

    def __init__(self, build: Callable[[], TeamsMessenger]) -> None:
        self._build = build
        self._built: TeamsMessenger | None = None

    @property
    def built(self) -> TeamsMessenger:
        if self._built is None:
            self._built = self._build()
        return self._built

    def __getattr__(self, name: str) -> Any:  # only for what this class does not define itself
        return getattr(self.built, name)


def build_messenger(settings: Settings, uow: Callable[[], UnitOfWork], *, clock: Clock,
                    metrics: Metrics | None = None) -> TeamsMessenger:
    """adapters.teams.wiring.build_messenger: at once with Teams on, on first use with Teams off."""

    def build() -> TeamsMessenger:
        from adapters.teams import wiring  # for memory: botbuilder only where Teams is used

        return wiring.build_messenger(settings, uow, clock=clock, metrics=metrics)

    return build() if enabled(settings) else cast("TeamsMessenger", OnFirstUse(build))


def install_routes(web_app: web.Application, lingkar: App) -> None:
    """adapters.teams.wiring.install_routes, which serves /api/messages, when Teams is on; else says it is off."""
    if not enabled(lingkar.settings):
        log.warning("Teams: off (no MicrosoftAppId, and LINGKAR_TEAMS_LOCAL is not set): %s is not served", ROUTE)
        return
    from adapters.teams import wiring  # for memory: botbuilder only where Teams is used

    wiring.install_routes(web_app, lingkar)


def endpoint(web_app: web.Application, lingkar: App) -> TeamsEndpoint | None:
    """The endpoint install_routes added (its bot's background replies are drained at shutdown); None when off."""
    if not enabled(lingkar.settings):
        return None
    from adapters.teams import wiring  # for memory: botbuilder only where Teams is used

    return web_app.get(wiring.TEAMS)
