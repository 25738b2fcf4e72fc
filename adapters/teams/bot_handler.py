"""One Teams turn -> the core: remember where the bot can write, translate the activity, answer it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from adapters.metrics import Metrics
from adapters.shutdown import settle
from adapters.signing import Tampered
from adapters.teams import files, inbound, roster, universal, uploads
from adapters.teams.cards import message_card
from adapters.teams.connection import Connection
from adapters.teams.inbound import GROUP_CHAT, PERSONAL
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.outbound import card_activity
from adapters.teams.payloads import FORM, is_refresh, to_event
from adapters.teams.people import Emails
from adapters.teams.references import CHANNEL, PLATFORM, SPACE, USER, Entry, proactive
from adapters.teams.responder import Origin, Responder
from adapters.uploads import UploadRefused, megabytes, takes_file
from bot.kernel.core import Core
from bot.kernel.events import Command, Event
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError, Target
from bot.kernel.replies import Response

log = logging.getLogger(__name__)
INSTALLED = ("add", "add-upgrade")
UNINSTALLED = ("remove", "remove-upgrade")


class TeamsBot:
    def __init__(self, *, core: Core, connection: Connection, messenger: TeamsMessenger, default_locale: str,
                 metrics: Metrics | None = None, file_hosts: Sequence[str] = ("sharepoint.com",),
                 local: bool = False) -> None:
        self.core = core
        self.metrics = metrics or Metrics()  # a registry of its own when nobody scrapes this bot
        self.connection = connection
        self.messenger = messenger
        self.store = messenger.store
        self.default_locale = default_locale
        self.responder = Responder(connection=connection, messenger=messenger)
        self.background: set[asyncio.Task[None]] = set()
        self.emails = Emails()
        self.file_hosts = tuple(file_hosts)  # where an org import file may be fetched from
        self.local = local  # the Emulator's local mode: its files are served from this machine

    async def on_turn(self, turn: TurnContext) -> None:
        activity = turn.activity
        if activity.type == ActivityTypes.message:
            await self._message(turn)
        elif activity.type == ActivityTypes.installation_update:
            await self._installation(turn, activity.action or "")
        elif activity.type == ActivityTypes.conversation_update:
            await self._conversation_update(turn)
        elif activity.type == ActivityTypes.invoke and activity.name == files.INVOKE:
            await self._file_consent(turn)
            # Teams waits for the answer to an invoke; 200 says we took it. (Invokes we never ask for get
            # none, and the adapter answers 501.)
            await turn.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200)))
        elif activity.type == ActivityTypes.invoke and activity.name == universal.INVOKE:
            body = await self._execute(turn)  # Teams reads the card to show from the invoke's answer
            await turn.send_activity(Activity(type=ActivityTypes.invoke_response,
                                              value=InvokeResponse(status=200, body=body)))
        # Other activities (typing, reactions, message edits) need no answer.

    async def ask_core(self, event: Event) -> list[Response]:
        started = asyncio.get_running_loop().time()
        try:
            return await self.core.handle(event)
        finally:
            self.metrics.observe_core(platform="teams", seconds=asyncio.get_running_loop().time() - started)

    def translator(self, activity: Activity) -> Translator:
        return Translator(resolve_locale(activity.locale, self.default_locale))

    async def drain(self, *, grace_seconds: float | None = None) -> int:
        """Wait for slow commands still running (tests, and a graceful shutdown); past `grace_seconds` cancel the rest
        and return how many that was."""
        return await settle(self.background, grace_seconds=grace_seconds)

    # -- messages ----------------------------------------------------------------------------------------------

    async def _origin(self, turn: TurnContext) -> tuple[Origin, Target]:
        activity = turn.activity
        kind = inbound.kind_of(activity)
        await self._remember(turn, kind)
        actor = replace(inbound.actor_of(activity), email=await self.emails.of(turn))
        origin = Origin(actor=actor, kind=kind, t=self.translator(activity))
        return origin, await self._where(activity, kind, actor.user_id)

    def _card_event(self, data: Any, origin: Origin, where: Target) -> Event | None:
        """What a card sent back, as an event; Tampered when it does not verify (edited, or signed for another
        tenant or member: nothing happens)."""
        try:
            return to_event(data, actor=origin.actor, where=where, seal=self.messenger.seal(origin.actor.workspace_id))
        except Tampered as error:
            log.warning("Teams: a card's %s data failed verification in %s", error, origin.actor.workspace_id)
            raise

    async def _execute(self, turn: TurnContext) -> dict[str, Any]:
        """An Action.Execute press or a card refresh: the core's answer, as the card Teams shows in its place."""
        data = universal.execute_data(turn.activity.value)
        if data is None:
            return universal.error_answer(400, "BadRequest", "not an Action.Execute")
        origin, where = await self._origin(turn)
        origin = replace(origin, data=data, source_id=turn.activity.reply_to_id)
        try:
            event = self._card_event(data, origin, where)
        except Tampered as error:
            return universal.message_answer(origin.t("trust.form_invalid" if str(error) == FORM
                                                     else "trust.button_invalid"))
        if event is None or isinstance(event, Command):
            return universal.error_answer(400, "BadRequest", "not a Lingkar card")
        responses = await self.ask_core(event)
        return await self.responder.execute(turn, origin, event, responses, refresh=is_refresh(data))

    async def _message(self, turn: TurnContext) -> None:
        activity = turn.activity
        origin, where = await self._origin(turn)
        actor = origin.actor
        event: Event | None = None
        if activity.value is not None:  # an Action.Submit (clients without Universal Actions)
            try:
                event = self._card_event(activity.value, origin, where)
            except Tampered as error:
                key = "trust.form_invalid" if str(error) == FORM else "trust.button_invalid"
                await self._say(turn, origin.t, origin.t(key))
                return
            if event is None:
                return  # a submit from some other card: not ours to answer
            origin = replace(origin, data=activity.value if isinstance(activity.value, dict) else None,
                             source_id=activity.reply_to_id)
        else:
            text = await inbound.command_text(activity, resolve=lambda m: self._member_id(turn, m))
            event = Command(actor=actor, text=text, where=where)
            if takes_file(text, self.core.specs) and await self.core.is_admin(actor):  # read before the core's work
                try:
                    event = await uploads.with_file(event, activity, hosts=self.file_hosts, local=self.local)
                except UploadRefused as refused:
                    await self._say(turn, origin.t, origin.t(f"teams.import.{refused.reason}", limit=megabytes()))
                    return
            if self.core.is_slow(text):
                await self._acknowledge(turn, origin, event)
                return
        responses = await self.ask_core(event)
        await self.responder.respond(turn, origin, event, responses)

    async def _acknowledge(self, turn: TurnContext, origin: Origin, event: Command) -> None:
        """Teams gives a bot 15 seconds: say we are on it, answer in the same conversation when done."""
        await self._say(turn, origin.t, origin.t("teams.working"))
        reference = TurnContext.get_conversation_reference(turn.activity)

        async def later() -> None:
            responses = await self.ask_core(event)  # never raises
            try:
                await self.connection.proactive(
                    reference, lambda later_turn: self.responder.respond(later_turn, origin, event, responses))
            except DeliveryError as error:
                log.warning("could not deliver the answer to a slow Teams command: %s", error)
            except Exception:
                log.exception("unexpected error answering a slow Teams command")

        task = asyncio.create_task(later())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _where(self, activity: Activity, kind: str, user_id: str) -> Target:
        tenant = inbound.tenant_of(activity)
        if kind == PERSONAL:
            return Target(platform=PLATFORM, workspace_id=tenant, kind="user", ref=user_id)
        if kind == GROUP_CHAT:  # a circle's or pair's private chat (Microsoft Graph) is its space
            chat = activity.conversation.id
            known = await self.store.get(tenant=tenant, scope=SPACE, key=chat) is not None
            return Target(platform=PLATFORM, workspace_id=tenant, kind="space" if known else "channel", ref=chat)
        thread = activity.conversation.id
        if ";messageid=" in thread and await self.store.get(tenant=tenant, scope=SPACE, key=thread) is not None:
            return Target(platform=PLATFORM, workspace_id=tenant, kind="space", ref=thread)
        return Target(platform=PLATFORM, workspace_id=tenant, kind="channel", ref=inbound.channel_id_of(activity))

    async def _member_id(self, turn: TurnContext, mentioned: dict[str, Any]) -> str | None:
        """A mention names a Teams user id; the core knows members by their Entra object id. None when Teams
        cannot say who it is: the command then reads the name, and asks for the Entra object id where it needs one."""
        if mentioned.get("aadObjectId"):
            return str(mentioned["aadObjectId"])
        teams_id = str(mentioned.get("id") or "")
        tenant = inbound.tenant_of(turn.activity)
        known = await self.store.user_by_alias(tenant=tenant, alias=teams_id)
        if known:
            return known
        team_id = inbound.get_path(turn.activity.channel_data, "team", "id")
        try:  # ask Teams who this is, and remember them
            account = await self.connection.member(
                turn, conversation_id=team_id or inbound.base_conversation_id(turn.activity.conversation.id),
                member_id=teams_id)
        except Exception as error:  # a failed lookup must not lose the command: it goes on with the name
            log.info("could not resolve a Teams mention: %s", type(error).__name__)
            return None
        await roster.remember_people(self.store, turn, [account])
        return inbound.user_id_of(account)

    # -- files ------------------------------------------------------------------------------------------------

    async def _file_consent(self, turn: TurnContext) -> None:
        """The member answered a file consent card: upload on Allow, forget the file on Decline."""
        t = self.translator(turn.activity)
        answer = await files.consented(turn.activity, store=self.messenger.files, t=t)
        if isinstance(answer, str):
            await self._say(turn, t, answer)
        else:
            await self.connection.post(turn, answer)

    async def _say(self, turn: TurnContext, t: Translator, text: str) -> None:
        """A plain card in the turn's conversation."""
        await self.connection.post(turn, card_activity(message_card(Message(text=text), t=t, people={}),
                                                       summary=text))

    # -- where the bot can write -------------------------------------------------------------------------------

    async def _remember(self, turn: TurnContext, kind: str) -> None:
        """Every contact refreshes how to reach this member (and this channel) proactively later."""
        activity = turn.activity
        tenant = inbound.tenant_of(activity)
        reference = proactive(TurnContext.get_conversation_reference(activity))
        user = activity.from_property
        user_id = inbound.user_id_of(user)
        entries: list[Entry] = []
        if kind == PERSONAL:
            entries.append(Entry(scope=USER, key=user_id, reference=reference, alias=user.id, name=user.name or ""))
        else:
            conversation_id = activity.conversation.id if kind == GROUP_CHAT else inbound.channel_id_of(activity)
            entries.append(Entry(scope=CHANNEL, key=conversation_id,
                                 reference=proactive(reference, conversation_id=conversation_id)))
            entries.append(roster.roster_entry(activity, user))
        await self.store.save(tenant=tenant, entries=entries)

    async def _installation(self, turn: TurnContext, action: str) -> None:
        activity = turn.activity
        kind = inbound.kind_of(activity)
        if action in UNINSTALLED:
            await roster.uninstalled(self.store, activity, kind)
            return
        if action not in INSTALLED:
            return
        await self._remember(turn, kind)
        if kind == PERSONAL and action == "add":  # not on upgrades; the conversationUpdate Teams also sends is quiet
            t = self.translator(activity)
            await self._say(turn, t, t("teams.welcome"))

    async def _conversation_update(self, turn: TurnContext) -> None:
        activity = turn.activity
        kind = inbound.kind_of(activity)
        event = inbound.get_path(activity.channel_data, "eventType")
        channel_id = inbound.get_path(activity.channel_data, "channel", "id")
        if event in ("channelCreated", "channelRenamed", "channelRestored") and channel_id:
            reference = proactive(TurnContext.get_conversation_reference(activity), conversation_id=channel_id)
            name = str(inbound.get_path(activity.channel_data, "channel", "name") or "")
            await self.store.save(tenant=inbound.tenant_of(activity),
                                  entries=[Entry(scope=CHANNEL, key=channel_id, reference=reference, name=name)])
        elif event == "channelDeleted" and channel_id:
            await self.store.set_reachable(tenant=inbound.tenant_of(activity), scope=CHANNEL, key=channel_id,
                                           reachable=False)
        bot_id = activity.recipient.id if activity.recipient else None
        added = list(activity.members_added or [])
        if any(m.id == bot_id for m in added):
            await self._remember(turn, kind)
            if kind != PERSONAL:
                await roster.sync_roster(self.store, self.connection, turn, kind)
        elif added:  # new people in a team where the bot already is
            await roster.remember_people(self.store, turn, added)
        if any(m.id == bot_id for m in activity.members_removed or []):
            await roster.uninstalled(self.store, activity, kind)
