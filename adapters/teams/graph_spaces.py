"""Circles and pairs on Teams as private group chats: created through Graph, remembered as conversation references."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from botbuilder.schema import ConversationReference

from adapters.teams.graph import GraphClient, is_object_id
from adapters.teams.references import SPACE, Entry, ReferenceStore, chat_reference, is_group_chat
from bot.kernel.ports import DeliveryError

log = logging.getLogger(__name__)
MIN_MEMBERS = 2  # a group chat of one is no conversation


@dataclass(frozen=True)
class OpenedChat:
    chat_id: str
    reference: ConversationReference
    members: tuple[str, ...]  # in the chat
    skipped: tuple[str, ...]  # not Entra users Graph can add: the core tells the program's admins


def request_alias(name: str, members: list[str]) -> str:
    """The same request (a retried open) finds the chat it created instead of creating a second one."""
    digest = hashlib.sha256("\n".join([name, *sorted(members)]).encode()).hexdigest()[:40]
    return f"graph:{digest}"


class ChatSpaces:
    def __init__(self, *, graph: GraphClient, store: ReferenceStore) -> None:
        self.graph = graph
        self.store = store

    async def open(self, *, tenant: str, name: str, members: list[str]) -> OpenedChat | None:
        """Create (or find again) the chat of these members and install Lingkar in it. None when fewer than two
        members are Entra users: the caller keeps the space it would have opened without Graph."""
        bound = tuple(dict.fromkeys(m for m in members if is_object_id(m)))
        skipped = tuple(m for m in members if m not in bound)
        if len(bound) < MIN_MEMBERS:
            return None
        template = await self.store.template(tenant=tenant)
        if template is None:
            raise DeliveryError(f"Lingkar is not installed in Teams tenant {tenant}", permanent=True)
        alias = request_alias(name, list(bound))
        stored = await self.store.space_by_alias(tenant=tenant, alias=alias)
        if stored is not None and stored.reachable:
            chat_id, reference = stored.key, stored.reference
        else:
            chat_id = await self.graph.create_chat(tenant=tenant, topic=name, members=list(bound))
            reference = chat_reference(template, chat_id=chat_id, tenant_id=tenant)
            # Kept before the install: a retry after a failure from here on reuses this chat.
            await self.store.save(tenant=tenant, entries=[Entry(scope=SPACE, key=chat_id, reference=reference,
                                                                alias=alias, name=name)])
        installed = await self.graph.install_app(tenant=tenant, chat_id=chat_id)
        log.info("Teams group chat for a space in %s: %s", tenant, "created" if installed else "found again")
        return OpenedChat(chat_id=chat_id, reference=reference, members=bound, skipped=skipped)

    async def is_chat(self, *, tenant: str, space_id: str) -> bool:
        stored = await self.store.get(tenant=tenant, scope=SPACE, key=space_id)
        return stored is not None and is_group_chat(stored.reference)

    async def add(self, *, tenant: str, chat_id: str, members: list[str]) -> tuple[list[str], list[str]]:
        """Add each member to the chat; returns (added, skipped: not an Entra user id)."""
        added: list[str] = []
        for member in dict.fromkeys(members):
            if is_object_id(member):
                await self.graph.add_member(tenant=tenant, chat_id=chat_id, user_id=member)
                added.append(member)
        return added, [m for m in members if m not in added]
