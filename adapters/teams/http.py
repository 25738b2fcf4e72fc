"""POST /api/messages: parse, authenticate (Bot Framework JWT), run the turn, answer invokes."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from adapters.teams.bot_handler import TeamsBot
from adapters.teams.cards import message_card
from adapters.teams.inbound import on_this_machine, tenant_of
from adapters.teams.outbound import card_activity
from bot.messages import Message

log = logging.getLogger(__name__)
ROUTE = "/api/messages"
MAX_BODY = 1_000_000


class TeamsEndpoint:
    def __init__(self, *, adapter: CloudAdapter, bot: TeamsBot, authenticated: bool) -> None:
        self.adapter = adapter
        self.bot = bot
        self.authenticated = authenticated
        adapter.on_turn_error = self.on_turn_error

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415, text="expected application/json")
        activity = _parse(await request.read())
        if activity is None:
            return web.Response(status=400, text="malformed activity")
        if not self.authenticated and not on_this_machine(activity.service_url):
            # Without an app id nothing is verified: answering would let anyone make this server call any URL.
            # Local mode is for the Bot Framework Emulator, which runs on this machine.
            log.warning("Teams local mode refused an activity whose serviceUrl is not on this machine")
            return web.Response(status=401)
        try:
            invoke = await self.adapter.process_activity(request.headers.get("Authorization", ""), activity,
                                                         self.bot.on_turn)
        except PermissionError:
            return web.Response(status=401)
        if invoke is not None:
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=200)

    async def on_turn_error(self, turn: TurnContext, error: Exception) -> None:
        """The one error hook: log with an incident id (never the message text), apologise in the conversation."""
        incident = uuid.uuid4().hex[:8]
        activity = turn.activity
        log.error("unhandled error %s in a Teams %s activity from tenant %s", incident, activity.type,
                  tenant_of(activity), exc_info=error)
        if activity.type not in ("message", "invoke"):
            return  # nobody is waiting for an answer to an install or a member update
        t = self.bot.translator(activity)
        apology = Message(text=t("errors.unexpected", incident=incident))
        try:
            await turn.send_activity(card_activity(message_card(apology, t=t, people={}), summary=apology.text))
        except Exception:
            log.exception("could not apologise for Teams incident %s", incident)


def _parse(body: bytes) -> Activity | None:
    """A Bot Framework activity, or None: bad JSON, not an object, no type, no conversation or service URL."""
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or not data["type"]:
        return None
    conversation = data.get("conversation")
    if not isinstance(conversation, dict) or not conversation.get("id") or not isinstance(data.get("serviceUrl"),
                                                                                          str):
        return None
    if not isinstance(data.get("from"), dict) or not isinstance(data.get("recipient"), dict):
        return None
    try:
        activity: Activity = Activity().deserialize(data)
    except Exception:  # msrest raises its own DeserializationError for wrongly typed fields
        return None
    return activity
