"""Conversation references in the database: saved whenever Teams shows us one, read for proactive messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams.text import Person
from storage.tables import ConversationRecord, ConversationScope
from storage.uow import UnitOfWork

PLATFORM = "teams"
USER = ConversationScope.USER.value
CHANNEL = ConversationScope.CHANNEL.value
SPACE = ConversationScope.SPACE.value
GROUP_CHAT = "groupChat"  # Teams' conversationType of a group chat (a circle's or pair's private space)


@dataclass(frozen=True)
class Stored:
    scope: str
    key: str
    reference: ConversationReference
    alias: str | None
    name: str
    reachable: bool


@dataclass(frozen=True)
class Entry:
    """One reference to save. `replace=False`: only if none is stored yet (roster rows never overwrite chats)."""

    scope: str
    key: str
    reference: ConversationReference
    alias: str | None = None
    name: str = ""
    replace: bool = True


def to_json(reference: ConversationReference) -> dict[str, Any]:
    data: dict[str, Any] = reference.serialize()
    return data


def from_json(data: dict[str, Any]) -> ConversationReference:
    reference: ConversationReference = ConversationReference().deserialize(data)
    return reference


def proactive(reference: ConversationReference, *, conversation_id: str | None = None) -> ConversationReference:
    """A copy fit for proactive sends: no activity id (so it posts rather than replies), optionally elsewhere."""
    conversation = reference.conversation
    if conversation_id is not None:
        conversation = ConversationAccount(
            id=conversation_id, is_group=True, conversation_type="channel",
            tenant_id=conversation.tenant_id if conversation else None)
    return ConversationReference(
        activity_id=None, user=reference.user, bot=reference.bot, conversation=conversation,
        channel_id=reference.channel_id, locale=reference.locale, service_url=reference.service_url)


def chat_reference(template: ConversationReference, *, chat_id: str, tenant_id: str) -> ConversationReference:
    """How to post into a group chat Graph created: the tenant's bot and service URL, the chat's id (Graph's chat id
    is the Bot Framework conversation id)."""
    return ConversationReference(
        user=template.user, bot=template.bot, channel_id=template.channel_id, service_url=template.service_url,
        conversation=ConversationAccount(id=chat_id, is_group=True, conversation_type=GROUP_CHAT,
                                         tenant_id=tenant_id))


def is_group_chat(reference: ConversationReference) -> bool:
    return reference.conversation is not None and reference.conversation.conversation_type == GROUP_CHAT


def roster_reference(*, service_url: str, channel_id: str, bot: ChannelAccount, user: ChannelAccount,
                     tenant_id: str) -> ConversationReference:
    """How to reach a team member who never chatted with the bot: create the 1:1 chat when first needed."""
    return ConversationReference(
        user=user, bot=bot, channel_id=channel_id, service_url=service_url,
        conversation=ConversationAccount(id="", tenant_id=tenant_id, conversation_type="personal"))


def _stored(row: ConversationRecord | None) -> Stored | None:
    if row is None:
        return None
    return Stored(scope=row.scope, key=row.key, reference=from_json(row.reference), alias=row.alias, name=row.name,
                  reachable=row.reachable)


class ReferenceStore:
    def __init__(self, uow: Callable[[], UnitOfWork], *, now: Callable[[], datetime]) -> None:
        self._uow = uow
        self._now = now

    async def save(self, *, tenant: str, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        now = self._now()
        async with self._uow() as uow:
            workspace = await uow.workspaces.get_or_create(platform=PLATFORM, external_id=tenant, now=now)
            assert workspace.id is not None
            for entry in entries:
                await uow.conversations.save(
                    workspace_id=workspace.id, scope=entry.scope, key=entry.key, reference=to_json(entry.reference),
                    now=now, alias=entry.alias, name=entry.name, replace=entry.replace)
            await uow.commit()

    async def get(self, *, tenant: str, scope: str, key: str) -> Stored | None:
        async with self._uow() as uow:
            workspace_id = await uow.conversations.workspace_id(platform=PLATFORM, external_id=tenant)
            if workspace_id is None:
                return None
            return _stored(await uow.conversations.get(workspace_id=workspace_id, scope=scope, key=key))

    async def space_by_alias(self, *, tenant: str, alias: str) -> Stored | None:
        """A space saved under this alias (a group chat, by the request that created it)."""
        async with self._uow() as uow:
            workspace_id = await uow.conversations.workspace_id(platform=PLATFORM, external_id=tenant)
            if workspace_id is None:
                return None
            return _stored(await uow.conversations.by_alias(workspace_id=workspace_id, scope=SPACE, alias=alias))

    async def user_by_alias(self, *, tenant: str, alias: str) -> str | None:
        """The member id (AAD object id) of a Teams user id seen in a mention."""
        async with self._uow() as uow:
            workspace_id = await uow.conversations.workspace_id(platform=PLATFORM, external_id=tenant)
            if workspace_id is None:
                return None
            row = await uow.conversations.by_alias(workspace_id=workspace_id, scope=USER, alias=alias)
            return row.key if row is not None else None

    async def people(self, *, tenant: str, user_ids: Sequence[str]) -> dict[str, Person]:
        if not user_ids:
            return {}
        async with self._uow() as uow:
            workspace_id = await uow.conversations.workspace_id(platform=PLATFORM, external_id=tenant)
            if workspace_id is None:
                return {}
            rows = await uow.conversations.many(workspace_id=workspace_id, scope=USER, keys=user_ids)
            people = {row.key: Person(user_id=row.key, name=row.name or row.key, mention_id=row.alias or row.key)
                      for row in rows}
            missing = [u for u in user_ids if u not in people]
            for user_id in missing:  # someone the core knows but Teams never introduced: their member name
                member = await uow.members.by_external_id(workspace_id=workspace_id, external_id=user_id)
                if member is not None and member.display_name and not member.erased:
                    people[user_id] = Person(user_id=user_id, name=member.display_name, mention_id=user_id)
            return people

    async def template(self, *, tenant: str) -> ConversationReference | None:
        """Any recent reference of the tenant: its service URL and bot account reach every conversation there."""
        async with self._uow() as uow:
            workspace_id = await uow.conversations.workspace_id(platform=PLATFORM, external_id=tenant)
            if workspace_id is None:
                return None
            row = await uow.conversations.latest(workspace_id=workspace_id)
            return from_json(row.reference) if row is not None else None

    async def member_locale(self, *, tenant: str, user_id: str) -> str | None:
        async with self._uow() as uow:
            workspace_id = await uow.conversations.workspace_id(platform=PLATFORM, external_id=tenant)
            if workspace_id is None:
                return None
            member = await uow.members.by_external_id(workspace_id=workspace_id, external_id=user_id)
            if member is None:
                return None
            workspace = await uow.workspaces.get(workspace_id)
            return member.locale or (workspace.locale if workspace else None)

    async def set_reachable(self, *, tenant: str, scope: str, key: str, reachable: bool) -> bool:
        async with self._uow() as uow:
            workspace_id = await uow.conversations.workspace_id(platform=PLATFORM, external_id=tenant)
            if workspace_id is None:
                return False
            changed = await uow.conversations.set_reachable(workspace_id=workspace_id, scope=scope, key=key,
                                                            reachable=reachable, now=self._now())
            await uow.commit()
            return changed
