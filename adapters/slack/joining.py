"""Can the bot post in a Slack channel? conversations.info says whether it is a member; a public channel it is not
in is joined (conversations.join, scope channels:join); a private one needs someone to `/invite @Lingkar`.
Without this, the first post answers `not_in_channel`, a permanent failure nobody hears of."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

from adapters.slack.api import SlackApi, call, error_code
from bot.kernel.ports import ChannelAccess, DeliveryError

log = logging.getLogger(__name__)
T = TypeVar("T")

# conversations.info on a private channel the bot is not in answers channel_not_found: the admin typed the command
# there, so it exists and the bot cannot see it. missing_scope: an install older than the scope; an invitation works.
_INVITE_INSTEAD = frozenset({"channel_not_found", "missing_scope", "method_not_supported_for_channel_type",
                             "restricted_action", "not_allowed", "not_in_channel", "cant_join"})


def refusal_code(error: DeliveryError) -> str:
    """Slack's error code behind a DeliveryError raised by `call` ("" when it was not Slack's answer)."""
    cause = error.__cause__
    return error_code(cause) if isinstance(cause, SlackApiError) else ""


async def ensure_member(api: SlackApi, channel: str) -> ChannelAccess:
    """"ok" when the bot can post there, "joined" when it just joined, "invite_needed" or "archived" otherwise.
    Rate limits and Slack's own trouble raise DeliveryError: the caller asks the admin to try again."""
    if channel.startswith("D"):  # a DM with the bot: always writable
        return "ok"
    try:
        info = await call(api.web.conversations_info(channel=channel), what="conversations.info")
    except DeliveryError as error:
        return _refused(error)
    found: dict[str, Any] = info.get("channel") or {}
    if found.get("is_archived"):
        return "archived"
    if found.get("is_member") or found.get("is_im") or found.get("is_mpim"):
        return "ok"
    if found.get("is_private") or found.get("is_group"):
        return "invite_needed"
    return await _join(api, channel)


def _refused(error: DeliveryError) -> ChannelAccess:
    """What Slack's refusal means for the admin (invite us, or the channel is archived); anything else re-raises."""
    code = refusal_code(error)
    if code in _INVITE_INSTEAD:
        return "invite_needed"
    if code == "is_archived":
        return "archived"
    raise error


async def _join(api: SlackApi, channel: str) -> ChannelAccess:
    try:
        await call(api.web.conversations_join(channel=channel), what="conversations.join")
    except DeliveryError as error:
        return _refused(error)
    log.info("Slack: joined a public channel to post a program's announcements")
    return "joined"


async def post_joining(api: SlackApi, channel: str, post: Callable[[], Awaitable[T]]) -> T:
    """Post; when Slack answers `not_in_channel` (a program's channel saved before `program create` checked it, or
    the bot was removed since), join a public channel and post once more. A private or archived channel stays a
    permanent failure that says what is needed; the core checks the channel before a program opens and tells the
    admin (bot/programs/channel_check.py)."""
    try:
        return await post()
    except DeliveryError as error:
        if refusal_code(error) != "not_in_channel":
            raise
        access = await ensure_member(api, channel)
        if access not in ("joined", "ok"):
            raise DeliveryError(f"{error}: {access.replace('_', ' ')} (/invite @Lingkar)", permanent=True) from error
    return await post()
