"""Who and where the bot can reach: a team's or chat's roster and channels, and where it was removed."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount

from adapters.teams import inbound
from adapters.teams.connection import Connection
from adapters.teams.inbound import CHANNEL as CHANNEL_CONVERSATION
from adapters.teams.inbound import GROUP_CHAT, PERSONAL
from adapters.teams.references import CHANNEL, USER, Entry, ReferenceStore, proactive, roster_reference

log = logging.getLogger(__name__)


def roster_entry(activity: Activity, account: ChannelAccount) -> Entry:
    reference = roster_reference(service_url=activity.service_url, channel_id=activity.channel_id,
                                 bot=activity.recipient, user=account, tenant_id=inbound.tenant_of(activity))
    return Entry(scope=USER, key=inbound.user_id_of(account), reference=reference, alias=account.id,
                 name=account.name or "", replace=False)


async def remember_people(store: ReferenceStore, turn: TurnContext, accounts: list[Any]) -> None:
    activity = turn.activity
    bot_id = activity.recipient.id if activity.recipient else None
    entries = [roster_entry(activity, inbound.account(a))
               for a in accounts if a is not None and a.id and a.id != bot_id]
    await store.save(tenant=inbound.tenant_of(activity), entries=entries)


async def sync_roster(store: ReferenceStore, connection: Connection, turn: TurnContext, kind: str) -> None:
    """Installed in a team or chat: learn its members so the bot can open a 1:1 chat with any of them."""
    activity = turn.activity
    conversation_id = inbound.get_path(activity.channel_data, "team", "id") if kind == CHANNEL_CONVERSATION \
        else activity.conversation.id
    try:
        accounts = await connection.members(turn, str(conversation_id or activity.conversation.id))
    except Exception as error:  # the install itself is stored; the roster fills in as people write
        log.warning("could not read the Teams member list: %s", error)
    else:
        await remember_people(store, turn, accounts)
    if kind == CHANNEL_CONVERSATION and conversation_id:
        await remember_channels(store, connection, turn, str(conversation_id))


async def remember_channels(store: ReferenceStore, connection: Connection, turn: TurnContext, team_id: str) -> None:
    """Every channel of the team: any of them can be where a program is announced and its circles meet."""
    activity = turn.activity
    try:
        channels = await connection.channels(turn, team_id)
    except Exception as error:
        log.warning("could not read the Teams channel list: %s", error)
        return
    reference = proactive(TurnContext.get_conversation_reference(activity))
    entries = [Entry(scope=CHANNEL, key=str(c.id), reference=proactive(reference, conversation_id=str(c.id)),
                     name=str(c.name or "General")) for c in channels if getattr(c, "id", None)]
    await store.save(tenant=inbound.tenant_of(activity), entries=entries)


async def uninstalled(store: ReferenceStore, activity: Activity, kind: str) -> None:
    tenant = inbound.tenant_of(activity)
    if kind == PERSONAL:
        key, scope = inbound.user_id_of(activity.from_property), USER
    elif kind == GROUP_CHAT:
        key, scope = activity.conversation.id, CHANNEL
    else:
        key, scope = inbound.channel_id_of(activity), CHANNEL
    await store.set_reachable(tenant=tenant, scope=scope, key=key, reachable=False)
