"""How the composition root and the server plug Slack in: the Messenger, /slack/events, Socket Mode."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.metrics import Metrics
from adapters.settings import Settings
from adapters.signing import signer_for
from adapters.slack.api import SlackApi, make_client
from adapters.slack.app import ROUTE, SlackBot
from adapters.slack.background import RecentEvents
from adapters.slack.identity import Directory
from adapters.slack.kept_forms import PendingForms
from adapters.slack.messenger import SlackMessenger
from bot.kernel.ports import Clock
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from adapters.bootstrap import App

log = logging.getLogger(__name__)
SLACK = web.AppKey("slack", SlackBot)


def build_messenger(settings: Settings, *, uow: Callable[[], UnitOfWork] | None = None, clock: Clock | None = None,
                    metrics: Metrics | None = None) -> SlackMessenger | None:
    """The Slack Messenger when a bot token is configured, else None; its 429s and retries go to `metrics`. Forms
    waiting for their button are kept through `uow` (any replica may get the press), dated by `clock`."""
    if not settings.slack_bot_token:
        return None
    assert uow is not None and clock is not None, "the composition root passes the unit of work and the clock"
    observe = None if metrics is None else metrics.platform_observer(platform="slack")
    api = SlackApi(make_client(token=settings.slack_bot_token, base_url=settings.slack_api_url, observe=observe))
    return SlackMessenger(api=api, directory=Directory(api), default_locale=settings.default_locale,
                          signer=signer_for(settings.secret_key), forms=PendingForms(uow, now=clock.now))


def install_routes(web_app: web.Application, lingkar: App) -> None:
    """Add /slack/events to the shared aiohttp app when Slack is configured (HTTP mode needs the signing
    secret; Socket Mode only the app token, see start_socket_mode)."""
    settings = lingkar.settings
    # The real messenger bootstrap built, even when the routing messenger was given a fake instead.
    messenger = lingkar.platforms.slack
    if messenger is None:  # no SLACK_BOT_TOKEN
        return
    bot = SlackBot(core=lingkar.core, messenger=messenger, settings=settings, metrics=lingkar.metrics,
                   seen=RecentEvents(lingkar.services.uow, now=lingkar.services.clock.now))
    web_app[SLACK] = bot
    web_app.on_startup.append(_freeze_startup_objects)
    web_app.on_shutdown.append(lambda _: bot.background.drain())
    web_app.on_cleanup.append(lambda _: messenger.api.aclose())
    if settings.slack_signing_secret:
        web_app.router.add_post(ROUTE, bot.handle)
    elif not settings.slack_app_token:
        log.warning("Slack: SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN "
                    "(Socket Mode): Slack cannot reach Lingkar")


async def _freeze_startup_objects(_: web.Application) -> None:
    """What start-up built (settings, catalogs, bolt, SQLAlchemy's metadata, the core) lives as long as the process.
    Frozen out of the collector's sight, a full collection no longer stalls every request queued behind it: in
    bench/slack_ack.py the adapter's p99 went from about 160 ms to 25 ms. Once per process."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


async def start_socket_mode(web_app: web.Application, settings: Settings) -> AsyncSocketModeHandler | None:
    """Connect out to Slack over Socket Mode when SLACK_APP_TOKEN is set; the caller closes the handler."""
    if not settings.slack_app_token or SLACK not in web_app:
        return None
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(web_app[SLACK].bolt, settings.slack_app_token)
    await handler.connect_async()
    log.warning("Slack: connected over Socket Mode")
    return handler
