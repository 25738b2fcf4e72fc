"""The Messenger port on Teams: proactive messages through stored conversation references."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationAccount, ConversationParameters, ConversationReference

from adapters.signing import PayloadSigner, Scope, Seal
from adapters.teams.cards import message_card
from adapters.teams.connection import Connection
from adapters.teams.files import FileStore, consent_activity
from adapters.teams.form_cards import form_card
from adapters.teams.graph_spaces import ChatSpaces
from adapters.teams.outbound import card_activity, form_texts, image_activity, message_texts, people_in
from adapters.teams.references import CHANNEL, PLATFORM, SPACE, USER, Entry, ReferenceStore, proactive
from adapters.teams.reliability import ConversationForbidden
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Form, Header, Message, Text
from bot.kernel.ports import (
    ChannelAccess,
    DeliveryError,
    MessageRef,
    SpaceRef,
    SpaceUnsupported,
    Target,
    UnreachableMember,
)

log = logging.getLogger(__name__)
IMAGE_LIMIT = 1_000_000  # bytes of PNG; Teams drops larger inline images


class NoConversationReference(UnreachableMember):
    """Teams only lets a bot write where it was installed, and nothing is stored for this member."""


@dataclass(frozen=True)
class TeamsSpaceRef(SpaceRef):
    skipped: tuple[str, ...] = ()  # members Teams never introduced to the bot: not mentioned, told to the admin
    # True for a thread in the program's channel (the whole team reads it); False for a Graph group chat.
    visible_to_team: bool = True


def visible_to_team(space: Target) -> bool:
    """Whether a Teams space is a channel thread (readable by the whole team) rather than a private group chat:
    a thread's conversation id names its root message, a group chat's never does."""
    return ";messageid=" in space.ref


class TeamsMessenger:
    def __init__(self, *, connection: Connection, store: ReferenceStore, files: FileStore,
                 default_locale: str, signer: PayloadSigner, chats: ChatSpaces | None = None) -> None:
        self.connection = connection
        self.chats = chats  # Microsoft Graph configured: circles and pairs meet in private group chats
        self.signer = signer
        self.store = store
        self.files = files
        self.default_locale = default_locale

    # -- rendering ---------------------------------------------------------------------------------------------

    def seal(self, tenant: str, user_id: str | None = None) -> Seal:
        """Signs (and verifies) what cards carry back from this tenant; with a user, what only that member may send."""
        return Seal(self.signer, Scope(PLATFORM, tenant, user_id))

    async def translator(self, target: Target) -> Translator:
        locale = None
        if target.kind == USER:
            locale = await self.store.member_locale(tenant=target.workspace_id, user_id=target.ref)
        return Translator(resolve_locale(locale, self.default_locale))

    async def message_activity(self, target: Target, message: Message, t: Translator | None = None) -> Activity:
        t = t or await self.translator(target)
        people = await people_in(self.store, tenant=target.workspace_id, texts=message_texts(message))
        return card_activity(message_card(message, t=t, people=people, seal=self.seal(target.workspace_id)),
                             summary=message.text)

    async def form_activity(self, target: Target, form: Form, t: Translator | None = None) -> Activity:
        t = t or await self.translator(target)
        people = await people_in(self.store, tenant=target.workspace_id, texts=form_texts(form))
        seal = self.seal(target.workspace_id, target.ref if target.kind == USER else None)
        return card_activity(form_card(form, t=t, people=people, seal=seal), summary=form.title)

    # -- the port ----------------------------------------------------------------------------------------------

    async def send(self, target: Target, message: Message) -> MessageRef:
        return await self.deliver(target, await self.message_activity(target, message))

    async def update(self, ref: MessageRef, message: Message) -> None:
        activity = await self.message_activity(ref.target, message)
        reference = await self._reference(ref.target)
        await self._guarded(ref.target, self.connection.proactive(
            reference, lambda turn: self.connection.replace(turn, activity_id=ref.message_id, activity=activity)))

    async def open_form(self, actor_context: str, form: Form) -> None:
        """`actor_context` is the Target key of where the form goes (normally the member's 1:1 chat)."""
        target = Target.from_key(actor_context)
        await self.deliver(target, await self.form_activity(target, form))

    async def send_image(self, target: Target, png: bytes, title: str) -> MessageRef:
        if len(png) > IMAGE_LIMIT:
            raise DeliveryError(f"image of {len(png)} bytes is over Teams' inline limit", permanent=True)
        return await self.deliver(target, image_activity(png, title=title))

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        """A consent card in the member's 1:1 chat; the file follows when they press Allow (adapters/teams/files).
        Teams offers that only in 1:1 chats: anywhere else the message says where to ask instead."""
        if target.kind != USER:
            t = await self.translator(target)
            return await self.send(target, Message(text=t("teams.file.only_personal", title=title,
                                                          filename=filename)))
        reference = await self._reference(target)  # before keeping anything: an unreachable member fails here
        token = await self.files.keep(tenant=target.workspace_id, user=target.ref, filename=filename, title=title,
                                      data=data)
        try:
            # The card's text fallback in the member's language, as when it goes out at once (files_now).
            return await self.deliver(target, consent_activity(token=token, filename=filename, title=title,
                                                               size=len(data), t=await self.translator(target)),
                                      reference=reference)
        except Exception:  # no card, nothing to wait for: the outbox retries with a fresh one
            await self.files.drop(tenant=target.workspace_id, token=token)
            raise

    async def open_space(
        self, *, workspace_id: str, platform: str, name: str, members: list[str], private: bool = True,
        parent: Target | None = None, group_chat: bool = False,
    ) -> SpaceRef:
        """With Microsoft Graph, a private group chat of the members and Lingkar (adapters/teams/graph_spaces).
        Without it, a circle's space is a new thread in the channel the admin chose, opened by a message that
        @mentions its members, and a pair meets in each member's chat with Lingkar."""
        if self.chats is not None:
            chat = await self._open_chat(workspace_id=workspace_id, platform=platform, name=name, members=members,
                                         pair=group_chat)
            if chat is not None:
                return chat
        if group_chat and parent is None:
            raise SpaceUnsupported("a Teams pair meets in each member's chat with Lingkar (group chats need "
                                   "Microsoft Graph)")
        if parent is None or parent.kind not in (CHANNEL, SPACE):
            raise DeliveryError("a Teams circle needs a channel: create the program from a team channel "
                                "(private channels and group chats need Microsoft Graph)", permanent=True)
        channel_id = parent.ref.split(";", 1)[0]
        template = await self._reference(Target(platform=PLATFORM, workspace_id=workspace_id, kind="channel",
                                                ref=channel_id))
        known = await self.store.people(tenant=workspace_id, user_ids=members)
        skipped = tuple(m for m in members if m not in known)
        t = Translator(resolve_locale(self.default_locale))
        mentions = ", ".join(f"<@{m}>" for m in members if m in known) or "-"
        first = Message(text=t("teams.space.opened", name=name, members=mentions),
                        blocks=(Header(name), Text(t("teams.space.opened", name=name, members=mentions))))
        activity = await self.message_activity(parent, first, t)
        parameters = ConversationParameters(
            is_group=True, bot=template.bot, tenant_id=workspace_id, activity=activity,
            channel_data={"channel": {"id": channel_id}, "tenant": {"id": workspace_id}})
        conversation_id, activity_id = await self._guarded(parent, self.connection.create(
            service_url=template.service_url, parameters=parameters))
        if ";messageid=" not in conversation_id and activity_id:
            conversation_id = f"{channel_id};messageid={activity_id}"
        thread = proactive(template, conversation_id=conversation_id)
        await self.store.save(tenant=workspace_id, entries=[Entry(scope=SPACE, key=conversation_id, reference=thread,
                                                                  name=name)])
        target = Target(platform=platform, workspace_id=workspace_id, kind="space", ref=conversation_id)
        return TeamsSpaceRef(target=target, name=name, skipped=skipped, visible_to_team=True)

    async def _open_chat(self, *, workspace_id: str, platform: str, name: str, members: list[str],
                         pair: bool) -> TeamsSpaceRef | None:
        """The group chat, then a first message in it that @mentions everyone (which also shows the chat works)."""
        assert self.chats is not None
        opened = await self.chats.open(tenant=workspace_id, name=name, members=members)
        if opened is None:
            return None
        target = Target(platform=platform, workspace_id=workspace_id, kind="space", ref=opened.chat_id)
        t = Translator(resolve_locale(self.default_locale))
        mentions = ", ".join(f"<@{m}>" for m in opened.members)
        text = t("teams_chats.opened.pair" if pair else "teams_chats.opened.circle", name=name, members=mentions)
        activity = await self.message_activity(target, Message(text=text, blocks=(Header(name), Text(text))), t)
        try:
            await self.connection.proactive(opened.reference, lambda turn: self.connection.post(turn, activity))
        except DeliveryError as error:  # not marked unreachable: Teams may take a moment to let the bot in
            raise DeliveryError(f"Teams has not let Lingkar post in the new group chat yet ({error})",
                                retry_after=30) from error
        return TeamsSpaceRef(target=target, name=name, skipped=opened.skipped, visible_to_team=False)

    async def add_to_space(self, space: SpaceRef, members: list[str]) -> None:
        """A group chat gets the members added through Graph; a thread has no member list of its own, and
        mentioning people brings them in (and notifies them)."""
        if not members:
            return
        target = space.target
        t = Translator(resolve_locale(self.default_locale))
        key = "teams.space.added"
        if self.chats is not None and await self.chats.is_chat(tenant=target.workspace_id, space_id=target.ref):
            members, _ = await self.chats.add(tenant=target.workspace_id, chat_id=target.ref, members=members)
            key = "teams_chats.added"
            if not members:
                return
        mentions = ", ".join(f"<@{m}>" for m in members)
        await self.send(target, Message(text=t(key, members=mentions)))

    async def archive_space(self, space: Target) -> None:
        """Neither a channel thread nor a group chat can be archived by a bot: the closing message is the last word."""
        raise SpaceUnsupported("Teams threads and group chats cannot be archived by a bot; the closing message "
                               "was posted")

    async def ensure_member(self, target: Target) -> ChannelAccess:
        return "ok"  # a channel the bot is installed in (its conversation reference) always takes its posts

    async def email_directory(self, *, workspace_id: str, platform: str) -> dict[str, str]:
        """Without Microsoft Graph a bot sees no directory: members are matched by their user principal name as
        they first write to Lingkar."""
        return {}

    # -- delivery ----------------------------------------------------------------------------------------------

    async def deliver(self, target: Target, activity: Activity,
                      reference: ConversationReference | None = None) -> MessageRef:
        reference = reference or await self._reference(target)

        async def post(turn: TurnContext) -> str:
            return await self.connection.post(turn, activity)

        message_id = await self._guarded(target, self.connection.proactive(reference, post))
        return MessageRef(target=target, message_id=message_id)

    async def _guarded(self, target: Target, operation: Any) -> Any:
        """A 403 means the bot may no longer write there: remember that, and stop trying that member."""
        try:
            return await operation
        except ConversationForbidden as error:
            scope = target.kind if target.kind in (USER, CHANNEL, SPACE) else USER
            await self.store.set_reachable(tenant=target.workspace_id, scope=scope, key=target.ref, reachable=False)
            log.warning("Teams refused a message to a %s in %s: marked unreachable", target.kind,
                        target.workspace_id)
            if target.kind == USER:
                raise UnreachableMember(f"Teams user {target.ref} blocked or removed Lingkar (403)") from error
            raise DeliveryError(f"Lingkar was removed from Teams {target.kind} {target.ref} (403)",
                                permanent=True) from error

    async def _reference(self, target: Target) -> ConversationReference:
        if target.kind == USER:
            return await self._user_reference(target)
        stored = await self.store.get(tenant=target.workspace_id, scope=target.kind, key=target.ref)
        if stored is not None:
            if not stored.reachable:
                raise DeliveryError(f"Lingkar was removed from Teams {target.kind} {target.ref}", permanent=True)
            return proactive(stored.reference)
        # Any conversation of the team reaches its channels and threads (same service URL and bot).
        template = await self.store.template(tenant=target.workspace_id)
        if template is None:
            raise DeliveryError(f"Lingkar is not installed in Teams tenant {target.workspace_id}", permanent=True)
        return proactive(template, conversation_id=target.ref)

    async def _user_reference(self, target: Target) -> ConversationReference:
        stored = await self.store.get(tenant=target.workspace_id, scope=USER, key=target.ref)
        if stored is None:
            raise NoConversationReference(
                f"no Teams conversation with user {target.ref}: they have not installed Lingkar or written to it, "
                "and are not in a team where it is installed. Install the app for them (Teams admin center) "
                "or ask them to open a chat with Lingkar.")
        if not stored.reachable:
            raise UnreachableMember(f"Teams user {target.ref} blocked or removed Lingkar")
        reference = proactive(stored.reference)
        if reference.conversation is not None and reference.conversation.id:
            return reference
        # A team member who never chatted with the bot: open the 1:1 chat now and keep it.
        parameters = ConversationParameters(
            is_group=False, bot=reference.bot, members=[reference.user], tenant_id=target.workspace_id,
            channel_data={"tenant": {"id": target.workspace_id}})
        conversation_id, _ = await self._guarded(target, self.connection.create(
            service_url=reference.service_url, parameters=parameters))
        reference.conversation = ConversationAccount(id=conversation_id, conversation_type="personal",
                                                     tenant_id=target.workspace_id)
        await self.store.save(tenant=target.workspace_id, entries=[Entry(
            scope=USER, key=target.ref, reference=reference, alias=stored.alias, name=stored.name)])
        return reference
