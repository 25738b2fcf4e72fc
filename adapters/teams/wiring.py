"""How the composition root and the server plug Teams in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.metrics import Metrics
from adapters.settings import Settings
from adapters.signing import signer_for
from adapters.teams.connection import BotConfig, Connection, make_adapter
from adapters.teams.files import FileStore
from adapters.teams.files_now import FilesAtOnce, TeamsBotSendingFiles
from adapters.teams.graph import GraphClient, GraphConfig
from adapters.teams.graph_spaces import ChatSpaces
from adapters.teams.http import ROUTE, TeamsEndpoint
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.references import ReferenceStore
from bot.kernel.ports import Clock
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from adapters.bootstrap import App

log = logging.getLogger(__name__)
TEAMS = web.AppKey("teams", TeamsEndpoint)


def build_messenger(settings: Settings, uow: Callable[[], UnitOfWork], *, clock: Clock,
                    metrics: Metrics | None = None) -> TeamsMessenger:
    """The Teams Messenger (proactive messages through stored conversation references); its stores date what
    they save by the composition root's clock, its 429s and retries go to `metrics`."""
    observe = None if metrics is None else metrics.platform_observer(platform="teams")
    connection = Connection(adapter=make_adapter(BotConfig.from_settings(settings)), app_id=settings.microsoft_app_id,
                            observe=observe)
    store = ReferenceStore(uow, now=clock.now)
    graph = GraphConfig.from_settings(settings)  # None: no Graph, circles meet in channel threads
    return TeamsMessenger(connection=connection, store=store,
                          files=FileStore(uow, now=clock.now), default_locale=settings.default_locale,
                          signer=signer_for(settings.secret_key),
                          chats=ChatSpaces(graph=GraphClient(graph), store=store) if graph else None)


def install_routes(web_app: web.Application, lingkar: App) -> None:
    """Add /api/messages to the shared aiohttp app: with a MicrosoftAppId (Bot Framework tokens verified), or in
    local mode (LINGKAR_TEAMS_LOCAL, the Emulator on this machine). Neither: Teams is off and the route absent."""
    settings = lingkar.settings
    if not settings.microsoft_app_id and not settings.teams_local:
        log.warning("Teams: off (no MicrosoftAppId, and LINGKAR_TEAMS_LOCAL is not set): %s is not served", ROUTE)
        return
    messenger = lingkar.platforms.teams  # the real one, even when the routing messenger was given a fake
    local = not settings.microsoft_app_id  # Settings refuses local mode together with an app id
    bot = TeamsBotSendingFiles(core=lingkar.core, connection=messenger.connection, messenger=messenger,
                               default_locale=settings.default_locale, metrics=lingkar.metrics,
                               file_hosts=settings.teams_file_host_list(), local=local)
    # "On its way" means now: the consent card follows the turn instead of waiting for the scheduler's next tick.
    bot.files_now = FilesAtOnce(uow=lingkar.services.uow, messenger=messenger, clock=lingkar.services.clock)
    endpoint = TeamsEndpoint(adapter=messenger.connection.adapter, bot=bot, local=local)
    web_app[TEAMS] = endpoint
    web_app.router.add_post(ROUTE, endpoint.handle)
    web_app.on_shutdown.append(lambda _: bot.drain())
    if local:
        log.warning("Teams: local mode (LINGKAR_TEAMS_LOCAL) for the Bot Framework Emulator: %s does not "
                    "authenticate requests, and only accepts them from this machine (a loopback TCP peer)", ROUTE)
    else:
        log.info("Teams: %s verifies Bot Framework tokens for app %s", ROUTE, settings.microsoft_app_id)
