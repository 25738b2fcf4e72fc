"""POST /api/messages: parse, authenticate (Bot Framework JWT, or local mode's loopback peer), run the turn."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from adapters.http_guard import holds_nul
from adapters.metrics import METRICS
from adapters.teams import universal
from adapters.teams.bot_handler import TeamsBot
from adapters.teams.cards import message_card
from adapters.teams.inbound import is_loopback, on_this_machine, tenant_of
from adapters.teams.outbound import card_activity
from bot.kernel.messages import Message

log = logging.getLogger(__name__)
ROUTE = "/api/messages"
MAX_BODY = 1_000_000
# Headers a reverse proxy adds: a request carrying one was relayed from elsewhere, whatever its TCP peer says.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


class TeamsEndpoint:
    def __init__(self, *, adapter: CloudAdapter, bot: TeamsBot, local: bool) -> None:
        self.adapter = adapter
        self.bot = bot
        self.local = local  # no Bot Framework tokens (the Emulator): only this machine may talk to us
        adapter.on_turn_error = self.on_turn_error

    def from_this_machine(self, request: web.Request) -> bool:
        """The TCP peer is a loopback address and no proxy relayed the request. What the body claims (serviceUrl,
        from.id) is never evidence of where a request came from."""
        return is_loopback(request.remote) and not any(header in request.headers for header in PROXY_HEADERS)

    async def handle(self, request: web.Request) -> web.Response:
        if self.local and not self.from_this_machine(request):
            log.warning("Teams local mode refused a request from another machine")
            return web.Response(status=403, text="Teams local mode only accepts requests from this machine")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415, text="expected application/json")
        activity = _parse(await request.read())
        if activity is None:
            return web.Response(status=400, text="malformed activity")
        if self.local and not on_this_machine(activity.service_url):
            # Without an app id nothing is verified: answering would let anyone make this server call any URL.
            # Local mode is for the Bot Framework Emulator, which runs on this machine.
            log.warning("Teams local mode refused an activity whose serviceUrl is not on this machine")
            return web.Response(status=401)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            invoke = await self.adapter.process_activity(request.headers.get("Authorization", ""), activity,
                                                         self.bot.on_turn)
        except PermissionError:
            return web.Response(status=401)
        metrics = request.app.get(METRICS)
        if metrics is not None and activity.type in ("message", "invoke"):  # answered inside the turn
            metrics.observe_answer(platform="teams", kind=str(activity.type), seconds=loop.time() - started)
        if invoke is not None:
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=200)

    async def on_turn_error(self, turn: TurnContext, error: Exception) -> None:
        """The one error hook: log with an incident id (never the message text), apologise in the conversation."""
        incident = uuid.uuid4().hex[:8]
        activity = turn.activity
        log.error("unhandled error %s in a Teams %s activity from tenant %s", incident, activity.type,
                  tenant_of(activity), exc_info=error, extra={"incident": incident})
        if activity.type not in ("message", "invoke"):
            return  # nobody is waiting for an answer to an install or a member update
        t = self.bot.translator(activity)
        apology = Message(text=t("errors.unexpected", incident=incident))
        try:
            if activity.type == "invoke" and activity.name == universal.INVOKE:  # the card waits for this answer
                await turn.send_activity(Activity(type="invokeResponse", value=InvokeResponse(
                    status=200, body=universal.message_answer(apology.text))))
                return
            await turn.send_activity(card_activity(message_card(apology, t=t, people={}), summary=apology.text))
        except Exception:
            log.exception("could not apologise for Teams incident %s", incident)


# Fields the SDK and Lingkar use as text. msrest lets any JSON value through for them, and a number or an object
# there fails later, in the middle of a turn (a reply to an activity whose id is {}).
_TEXT_FIELDS = ("type", "id", "channelId", "serviceUrl", "text", "textFormat", "locale", "localTimezone",
                "replyToId", "name", "action", "valueType", "timestamp", "localTimestamp")
_ACCOUNT_TEXT = ("id", "name", "aadObjectId", "role", "tenantId", "conversationType")


def _parse(body: bytes) -> Activity | None:
    """A Bot Framework activity, or None: bad JSON, not an object, no type, no conversation or service URL, or a
    field Lingkar reads as text that is not text."""
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or not data["type"] or holds_nul(data):
        return None
    conversation = data.get("conversation")
    if not isinstance(conversation, dict) or not conversation.get("id") or not isinstance(data.get("serviceUrl"),
                                                                                          str):
        return None
    if not isinstance(data.get("from"), dict) or not isinstance(data.get("recipient"), dict):
        return None
    if not _text(data, _TEXT_FIELDS) or not all(_text(data[key], _ACCOUNT_TEXT)
                                                for key in ("from", "recipient", "conversation")):
        return None
    for key in ("membersAdded", "membersRemoved", "entities", "attachments"):
        value = data.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return None
    if not all(_text(member, _ACCOUNT_TEXT) for key in ("membersAdded", "membersRemoved")
               for member in data.get(key) or []):
        return None
    try:
        activity: Activity = Activity().deserialize(data)
    except Exception:  # msrest raises its own DeserializationError for wrongly typed fields
        return None
    return activity


def _text(data: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return all(data.get(key) is None or isinstance(data[key], str) for key in keys)
