"""How the composition root and the server plug Slack in: the Messenger, /slack/events, Socket Mode."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from adapters.metrics import Metrics
from adapters.settings import Settings
from adapters.signing import signer_for
from adapters.slack.api import SlackApi, make_client
from adapters.slack.app import ROUTE, SlackBot
from adapters.slack.background import RecentEvents
from adapters.slack.identity import Directory
from adapters.slack.installations import INSTALL_PATH, REDIRECT_PATH, oauth_settings
from adapters.slack.installed import InstalledSlackMessenger
from adapters.slack.kept_forms import PendingForms
from adapters.slack.messenger import SlackMessenger
from adapters.slack.tokens import TeamTokenClient, TeamTokens, TokenCipher
from adapters.slack.uninstall import Removals
from bot.kernel.ports import Clock
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from adapters.bootstrap import App

log = logging.getLogger(__name__)
SLACK = web.AppKey("slack", SlackBot)


def build_messenger(settings: Settings, *, uow: Callable[[], UnitOfWork] | None = None, clock: Clock | None = None,
                    metrics: Metrics | None = None) -> SlackMessenger | None:
    """The Slack Messenger when a bot token (one workspace) or an OAuth client id ("Add to Slack": each installed
    workspace with its own token) is configured, else None; its 429s and retries go to `metrics`. Forms waiting
    for their button are kept through `uow` (any replica may get the press), dated by `clock`."""
    if not settings.slack_bot_token and not settings.slack_client_id:
        return None
    assert uow is not None and clock is not None, "the composition root passes the unit of work and the clock"
    observe = None if metrics is None else metrics.platform_observer(platform="slack")
    tokens = None
    if settings.slack_client_id:
        tokens = TeamTokens(uow=uow, cipher=TokenCipher(settings.slack_token_key_list()),
                            client_id=settings.slack_client_id, now=clock.now)
    api = SlackApi(make_client(token=settings.slack_bot_token or None, base_url=settings.slack_api_url,
                               observe=observe, tokens=tokens))
    kind = SlackMessenger if tokens is None else InstalledSlackMessenger
    return kind(api=api, directory=Directory(api), default_locale=settings.default_locale,
                signer=signer_for(settings.secret_key), forms=PendingForms(uow, now=clock.now))


def oauth_parts(lingkar: App, messenger: SlackMessenger) -> tuple[AsyncOAuthSettings | None, Removals]:
    """In "Add to Slack" mode, bolt's OAuth settings on Lingkar's database; in both modes, what a removal does."""
    services = lingkar.services
    client = messenger.api.client
    tokens = client.tokens if isinstance(client, TeamTokenClient) else None
    if tokens is None:
        return None, Removals(uow=services.uow, now=services.clock.now)
    oauth = oauth_settings(settings=lingkar.settings, engine=lingkar.engine, uow=services.uow, tokens=tokens)
    return oauth, Removals(uow=services.uow, now=services.clock.now, store=oauth.installation_store, tokens=tokens,
                           client_id=lingkar.settings.slack_client_id)


def install_routes(web_app: web.Application, lingkar: App) -> None:
    """Add /slack/events to the shared aiohttp app when Slack is configured (HTTP mode needs the signing
    secret; Socket Mode only the app token, see start_socket_mode)."""
    settings = lingkar.settings
    # The real messenger bootstrap built, even when the routing messenger was given a fake instead.
    messenger = lingkar.platforms.slack
    if messenger is None:  # no SLACK_BOT_TOKEN
        return
    oauth, removals = oauth_parts(lingkar, messenger)
    bot = SlackBot(core=lingkar.core, messenger=messenger, settings=settings, metrics=lingkar.metrics,
                   seen=RecentEvents(lingkar.services.uow, now=lingkar.services.clock.now), oauth=oauth,
                   removals=removals)
    web_app[SLACK] = bot
    web_app.on_startup.append(_freeze_startup_objects)
    web_app.on_shutdown.append(lambda _: bot.background.drain())
    web_app.on_cleanup.append(lambda _: messenger.api.aclose())
    if settings.slack_signing_secret:
        web_app.router.add_post(ROUTE, bot.handle)
    if oauth is not None:
        web_app.router.add_get(INSTALL_PATH, bot.handle_oauth)
        web_app.router.add_get(REDIRECT_PATH, bot.handle_oauth)
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
