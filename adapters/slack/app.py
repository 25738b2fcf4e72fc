"""The bolt AsyncApp and its listeners: slash command, buttons and menus, modals (in views.py), App Home."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.metrics import Metrics
from adapters.settings import Settings
from adapters.signing import Tampered
from adapters.slack import uploads, views
from adapters.slack.background import Background, RecentEvents
from adapters.slack.blocks import SURFACE_BLOCKS, render
from adapters.slack.events import (
    Body,
    Origin,
    action_event,
    action_origin,
    command_event,
    command_origin,
    team_of,
    user_of,
)
from adapters.slack.intake import Refused, bolt_request
from adapters.slack.messenger import FORM_BUTTON, SlackMessenger
from adapters.slack.modals import CALLBACK_ID
from adapters.slack.mrkdwn import mrkdwn
from adapters.slack.responder import Responder
from adapters.slack.tokens import TeamTokenClient, serve_team
from adapters.slack.uninstall import Removals
from bot.kernel.core import Core
from bot.kernel.events import Actor, Event
from bot.kernel.i18n import Translator, resolve_locale, translate
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError
from bot.kernel.replies import Response
from storage.engine import is_sqlite

log = logging.getLogger(__name__)
ROUTE = "/slack/events"
ACK_BUDGET = 2.0  # seconds from a request's arrival to "working on it" at the latest (Slack gives up after 3)
# Slack events in the core at once on SQLite: one writer; with more, the core's database work crowds the event loop
# that reads Slack's requests and acks slow down (measured: docs/benchmarks.md, bench/slack_ack.py). On PostgreSQL
# a command mostly waits on round trips: 8 was the best of 2/4/8/16 at 200 commands a second (issue 18).
CORE_SLOTS = 2
CORE_SLOTS_POSTGRES = 8


def build_bolt_app(*, settings: Settings, messenger: SlackMessenger,
                   oauth: AsyncOAuthSettings | None = None) -> AsyncApp:
    """process_before_response: each listener decides when Slack gets its answer, and spawns what may follow,
    instead of bolt polling for the ack every 10 ms. With `oauth`, bolt finds each workspace's token in the
    installation store; without, the token comes with the client."""
    return AsyncApp(
        name="lingkar", signing_secret=settings.slack_signing_secret, oauth_settings=oauth,
        client=messenger.api.client, process_before_response=True, logger=logging.getLogger("adapters.slack.bolt"),
        # A workspace without an installation: bolt's English-only reply, in Lingkar's words instead.
        user_facing_authorize_error_message=translate("slack.install.missing", settings.default_locale),
    )


class SlackBot:
    def __init__(self, *, core: Core, messenger: SlackMessenger, settings: Settings, seen: RecentEvents,
                 core_slots: int | None = None, ack_budget: float = ACK_BUDGET, metrics: Metrics | None = None,
                 oauth: AsyncOAuthSettings | None = None, removals: Removals | None = None) -> None:
        self.core = core
        self.metrics = metrics or Metrics()  # a registry of its own when nobody scrapes this bot
        # At most this many Slack events in the core at once; the rest wait their turn here, in order. Unbounded,
        # a burst has every request contend for the database (SQLite has one writer) and for the event loop that
        # also reads Slack's requests, and all of them finish late.
        default_slots = CORE_SLOTS if is_sqlite(settings.database_url) else CORE_SLOTS_POSTGRES
        self.gate = asyncio.Semaphore(core_slots or default_slots)
        self.ack_budget = ack_budget
        self.in_core = 0  # Slack events in the core or waiting at the gate
        self._slow: dict[str, bool] = {}  # command text -> core.is_slow(text): members repeat the same few
        self.messenger = messenger
        self.directory = messenger.directory
        self.default_locale = settings.default_locale
        self.responder = Responder(messenger=messenger)
        self.background = Background()
        self.seen = seen  # in the database: Slack may retry an event on another replica
        self.bolt = build_bolt_app(settings=settings, messenger=messenger, oauth=oauth)
        client = messenger.api.client
        self.bolt.use(serve_team(client.tokens if isinstance(client, TeamTokenClient) else None))
        if removals is not None:
            self.bolt.event("app_uninstalled")(removals.on_uninstalled)
            self.bolt.event("tokens_revoked")(removals.on_tokens_revoked)
            self.bolt.event("team_access_revoked")(removals.on_access_revoked)  # one workspace of a Grid org
            self.bolt.event("team_access_granted")(removals.on_access_granted)
        self.signing_secret = settings.slack_signing_secret
        self.command = settings.slack_command
        self.bolt.command(settings.slack_command)(self.on_command)
        self.bolt.action(re.compile(".+"))(self.on_action)
        self.bolt.view_submission(CALLBACK_ID)(self.on_submit)
        self.bolt.view_closed(CALLBACK_ID)(self.on_closed)
        self.bolt.event("app_home_opened")(self.on_home_opened)
        self.bolt.event("message")(self.on_message)  # every message event is acked, or Slack sends it again
        self.bolt.error(self.on_error)

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp endpoint: signature, timestamp and payload shape checked first (a calm 4xx otherwise), then
        bolt verifies again and dispatches."""
        try:
            incoming = await bolt_request(request, signing_secret=self.signing_secret)
        except Refused as refused:
            return refused.response()
        bolt_response = await self.bolt.async_dispatch(incoming)
        return await to_aiohttp_response(bolt_response)

    async def handle_oauth(self, request: web.Request) -> web.Response:
        """GET /slack/install (the "Add to Slack" page, with a fresh state) and /slack/oauth_redirect (Slack sends
        the admin back with a code: oauth.v2.access, then the installation is stored)."""
        flow = self.bolt.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        incoming = await to_bolt_request(request)
        if request.path == flow.install_path:
            return await to_aiohttp_response(await flow.handle_installation(incoming))
        return await to_aiohttp_response(await flow.handle_callback(incoming))

    async def ask_core(self, event: Event) -> list[Response]:
        self.in_core += 1
        try:
            async with self.gate:
                started = asyncio.get_running_loop().time()
                try:
                    return await self.core.handle(event)
                finally:
                    self.metrics.observe_core(platform="slack", seconds=self.since(started))
        finally:
            self.in_core -= 1

    def since(self, started: float) -> float:
        return asyncio.get_running_loop().time() - started

    def answered(self, kind: str, started: float) -> None:
        """The member has their answer (in the ack, or through response_url): `started` is the request's arrival."""
        self.metrics.observe_answer(platform="slack", kind=kind, seconds=self.since(started))

    def translator(self, actor: Actor) -> Translator:
        return Translator(resolve_locale(actor.locale, self.default_locale))

    async def actor(self, body: Body, *, fallback_name: str | None = None) -> Actor:
        return await self.directory.actor(team_id=team_of(body), user_id=user_of(body), fallback_name=fallback_name)

    # -- the slash command --------------------------------------------------------------------------------------

    def is_slow(self, text: str) -> bool:
        slow = self._slow.get(text)
        if slow is None:
            slow = self.core.is_slow(text)
            if len(self._slow) < 4096:  # bounded: anything typed after that is simply parsed each time
                self._slow[text] = slow
        return slow

    def left(self, started: float) -> float:
        """What is left of the ack budget for a request that reached us at `started` (loop time)."""
        return max(0.05, self.ack_budget - (asyncio.get_running_loop().time() - started))

    async def on_command(self, ack: AsyncAck, body: Body) -> None:
        started = asyncio.get_running_loop().time()
        actor = await self.actor(body, fallback_name=body.get("user_name"))
        origin = command_origin(body, actor=actor, t=self.translator(actor))
        event = command_event(body, actor=actor)
        if self.is_slow(event.text):  # Slack waits 3 s: say we are on it, answer through response_url
            await self._working(ack, origin, self.ask_core(event), started=started)
            return
        if self.in_core:
            # Other events are in the core: holding this request would share the core (and the event loop) with
            # them and keep Slack waiting. Slack gets an empty ack now and the answer follows through
            # response_url when its turn comes. When the core is idle (the usual case) the answer rides in the
            # ack itself, one round trip sooner.
            await ack()
            self.background.spawn(self.finish(origin, self.ask_core(event), started=started), what="a queued command")
            return
        work = asyncio.ensure_future(self.ask_core(event))
        done, _ = await asyncio.wait({work}, timeout=self.left(started))
        if not done:  # a busy moment: Slack still gets its answer in time, the member gets theirs when ready
            await self._working(ack, origin, work, started=started)
            return
        body_now, rest = self.responder.ack_body(origin, work.result())
        await ack(**body_now)
        self.answered("command", started)
        if rest:
            self.background.spawn(self.responder.deliver(origin, rest), what="command replies")

    async def _working(self, ack: AsyncAck, origin: Origin, responses: Awaitable[list[Response]], *,
                       started: float) -> None:
        await ack(text=mrkdwn(origin.t("slack.working")), response_type="ephemeral")
        self.background.spawn(self.finish(origin, responses, started=started), what="a slow command")

    async def finish(self, origin: Origin, responses: Awaitable[list[Response]], *,
                     started: float | None = None) -> None:
        await self.responder.deliver(origin, await responses)
        if started is not None:
            self.answered("command", started)

    # -- buttons and menus ---------------------------------------------------------------------------------------

    async def on_action(self, ack: AsyncAck, body: Body) -> None:
        await ack()  # the answer goes through response_url, views.open or the Web API, after Slack has its ack
        self.background.spawn(self._action(body, started=asyncio.get_running_loop().time()), what="an action")

    async def _action(self, body: Body, *, started: float) -> None:
        actor = await self.actor(body)
        origin = action_origin(body, actor=actor, t=self.translator(actor))
        try:
            event = action_event(body, actor=actor, origin=origin, seal=self.messenger.seal(actor.workspace_id))
        except Tampered:  # edited, or signed for another workspace: nothing happens, and the member is told
            log.warning("Slack: a button or menu value failed verification in %s", actor.workspace_id)
            await self.responder.reply(origin, Message(text=origin.t("trust.button_invalid")))
            if origin.surface == "home":  # e.g. signed with a key from before a restart: fresh buttons
                await self.publish_home(actor)
            return
        if event is None:
            return
        if event.action_id.startswith(f"{FORM_BUTTON}:"):
            await views.open_kept_form(self, origin, event.action_id.removeprefix(f"{FORM_BUTTON}:"))
            return
        await self.responder.deliver(origin, await self.ask_core(event))
        self.answered("action", started)
        if origin.surface == "home":  # what the member just did may change their overview
            await self.publish_home(actor)

    # -- modals -------------------------------------------------------------------------------------------------

    async def on_submit(self, ack: AsyncAck, body: Body) -> None:
        await views.submit(self, ack, body)

    async def on_closed(self, ack: AsyncAck) -> None:
        await ack()

    # -- App Home -------------------------------------------------------------------------------------------------

    async def on_home_opened(self, event: dict[str, Any], body: Body) -> None:
        if event.get("tab", "home") != "home" or not await self.seen.first(body.get("event_id")):
            return  # the Messages tab, or Slack retrying an event we already took
        team = team_of(body) or str((event.get("view") or {}).get("team_id") or "")
        user = str(event.get("user") or "")
        self.background.spawn(self._home(team, user), what="the home tab")

    async def _home(self, team: str, user: str) -> None:
        await self.publish_home(await self.directory.actor(team_id=team, user_id=user))

    async def publish_home(self, actor: Actor) -> None:
        async with self.gate:
            message = await self.core.home(actor)
        names = self.directory.names(actor.workspace_id)
        view = {"type": "home", "blocks": render(message, t=self.translator(actor), names=names,
                                                 limit=SURFACE_BLOCKS, seal=self.messenger.seal(actor.workspace_id))}
        try:
            await self.messenger.publish_home(user_id=actor.user_id, view=view)
        except DeliveryError as error:
            log.warning("could not publish a Slack home tab: %s", error)

    # -- the DM with the bot ------------------------------------------------------------------------------------

    async def on_message(self, event: dict[str, Any], body: Body) -> None:
        """message.im: what a person writes to the bot (an org import's upload, see uploads.py). The ack goes at
        once; Slack's retries of the same event are dropped."""
        if not uploads.written_in_dm(event) or not await self.seen.first(body.get("event_id")):
            return
        self.background.spawn(uploads.on_dm(self, event, team_id=team_of(body)), what="a direct message")

    async def on_error(self, error: Exception, body: Body, request: AsyncBoltRequest) -> None:
        retry = (request.headers.get("x-slack-retry-num") or [""])[0]
        log.error("Slack: unhandled %s for a %s request%s", type(error).__name__, body.get("type", "command"),
                  f" (Slack retry {retry})" if retry else "", exc_info=error)
