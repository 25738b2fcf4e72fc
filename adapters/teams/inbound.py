"""Teams activity -> the core's words: tenant, actor, the conversation it happened in, the command text."""

from __future__ import annotations

import html
import ipaddress
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from botbuilder.schema import Activity, ChannelAccount

from adapters.teams.references import PLATFORM
from bot.kernel.events import Actor

PERSONAL = "personal"
CHANNEL = "channel"
GROUP_CHAT = "groupChat"
_AT_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"</?(?:p|div|span|br)\b[^>]*>", re.IGNORECASE)


def is_loopback(address: str | None) -> bool:
    """An IP address of this machine's loopback interface (127.0.0.0/8, ::1, or 127.x mapped into IPv6)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def on_this_machine(url: str | None) -> bool:
    """Local mode answers only the Emulator on this machine; plain-HTTP uploads only go here too."""
    try:
        host = urlsplit(url or "").hostname
    except ValueError:  # an unparseable URL (a bad port, an unclosed bracket) is nowhere we would send to
        return False
    return host == "localhost" or is_loopback(host)


def get_path(data: Any, *path: str) -> str | None:
    """The text at `path` in channelData, or None: every field read this way is an id or a name, and a client that
    sends an object or a number there is answered as if the field were missing (it must never reach the database)."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, str) else None


def tenant_of(activity: Activity) -> str:
    """The workspace: Teams' tenant id (channelData.tenant.id); the Emulator has none, so its channel id."""
    tenant = get_path(activity.channel_data, "tenant", "id")
    if not tenant and activity.conversation is not None:
        tenant = activity.conversation.tenant_id
    return str(tenant or activity.channel_id or "emulator")


def kind_of(activity: Activity) -> str:
    conversation = activity.conversation
    kind = conversation.conversation_type if conversation is not None else None
    if kind in (PERSONAL, CHANNEL, GROUP_CHAT):
        return str(kind)
    if get_path(activity.channel_data, "channel", "id") or get_path(activity.channel_data, "team", "id"):
        return CHANNEL
    return GROUP_CHAT if conversation is not None and conversation.is_group else PERSONAL


def account(value: Any) -> ChannelAccount:
    """A roster entry (TeamsChannelAccount, ChannelAccount or plain JSON) as a ChannelAccount with its AAD id."""
    if isinstance(value, dict):
        return ChannelAccount(id=value.get("id"), name=value.get("name"), aad_object_id=value.get("aadObjectId"))
    extra = getattr(value, "additional_properties", None) or {}
    return ChannelAccount(id=value.id, name=getattr(value, "name", None),
                          aad_object_id=getattr(value, "aad_object_id", None) or extra.get("aadObjectId"))


def user_id_of(account: Any) -> str:
    """Members are known by their Entra (AAD) object id: stable across apps, and what admins can look up."""
    aad = getattr(account, "aad_object_id", None) or (account.get("aadObjectId") if isinstance(account, dict)
                                                       else None)
    if aad:
        return str(aad)
    return str(getattr(account, "id", None) or (account.get("id") if isinstance(account, dict) else ""))


def _client_info(activity: Activity) -> dict[str, Any]:
    for entity in activity.entities or []:
        data = entity.serialize() if hasattr(entity, "serialize") else entity
        extra = getattr(entity, "additional_properties", None) or {}
        if isinstance(data, dict) and str(data.get("type", "")).lower() == "clientinfo":
            return {**extra, **data}
    return {}


def _zone(value: Any) -> str | None:
    return value if isinstance(value, str) and value in available_timezones() else None


def actor_of(activity: Activity) -> Actor:
    account = activity.from_property
    info = _client_info(activity)
    return Actor(
        platform=PLATFORM,
        workspace_id=tenant_of(activity),
        user_id=user_id_of(account),
        display_name=getattr(account, "name", None) or None,
        locale=activity.locale or info.get("locale"),
        timezone=_zone(activity.local_timezone) or _zone(info.get("timezone")),
    )


def channel_id_of(activity: Activity) -> str:
    """A channel's own id: what a command typed anywhere in it (a post or a reply) is 'where'."""
    return str(get_path(activity.channel_data, "channel", "id") or base_conversation_id(activity.conversation.id))


def base_conversation_id(conversation_id: str) -> str:
    return conversation_id.split(";", 1)[0]


def mentions(activity: Activity) -> list[dict[str, Any]]:
    found = []
    for entity in activity.entities or []:
        data = entity.serialize() if hasattr(entity, "serialize") else entity
        extra = getattr(entity, "additional_properties", None) or {}
        data = {**extra, **(data if isinstance(data, dict) else {})}
        if str(data.get("type", "")).lower() == "mention" and isinstance(data.get("mentioned"), dict):
            found.append(data)
    return found


async def command_text(activity: Activity, *, resolve: Callable[[dict[str, Any]], Awaitable[str | None]]) -> str:
    """The message without the bot's @mention; other people's mentions become the neutral `<@id>`, or their name
    as typed when Teams could not say who they are (a guessed id would name nobody, e.g. as an admin)."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient is not None else None
    for mention in mentions(activity):
        tag = str(mention.get("text") or "")
        if not tag or tag not in text:
            continue
        mentioned = mention["mentioned"]
        if mentioned.get("id") == bot_id:
            replacement = " "
        else:
            resolved = await resolve(mentioned)
            replacement = f" <@{resolved}> " if resolved else f" {_AT_TAG.sub(lambda m: m.group(1), tag)} "
        text = text.replace(tag, replacement, 1)
    text = _AT_TAG.sub(lambda m: m.group(1), text)  # a mention without an entity: keep the name as typed
    text = _HTML_TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())
