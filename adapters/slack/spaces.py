"""Circle channels: a valid, unique Slack channel name, creation, and invitations in batches that skip leavers."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from adapters.slack.api import UNREACHABLE, SlackApi, call, error_code
from bot.kernel.ports import DeliveryError, SpaceRef

log = logging.getLogger(__name__)

NAME_MAX = 80
NAME_ATTEMPTS = 50
INVITE_BATCH = 100
LIST_PAGE = 200  # conversations.list / conversations.members page size (Slack suggests at most 200)
FALLBACK_NAME = "lingkar-circle"
# Per-user invitation outcomes that are fine: the member is there already, or it is the bot itself.
ALREADY = frozenset({"already_in_channel", "cant_invite_self"})
# ... and those that mean the member cannot be added (left, deactivated, external, or otherwise refused).
CANNOT_INVITE = UNREACHABLE | frozenset({"cant_invite", "user_not_found", "not_in_team", "ura_max_channels",
                                         "user_team_not_in_channel", "missing_user", "invalid_user"})


@dataclass(frozen=True)
class SlackSpaceRef(SpaceRef):
    """A SpaceRef that also says which members could not be added (they left the workspace, were deactivated,
    or Slack refused them), in the port's `skipped`; the core tells the program's admins."""


def channel_name(name: str, *, attempt: int = 1) -> str:
    """Slack's rules: lowercase letters, digits, '-' and '_', at most 80 characters; `-2`, `-3`… on a retry."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9_-]+", "-", ascii_name.lower())
    base = re.sub(r"-{2,}", "-", base).strip("-_") or FALLBACK_NAME
    suffix = f"-{attempt}" if attempt > 1 else ""
    return base[: NAME_MAX - len(suffix)].rstrip("-_") + suffix


async def create_channel(api: SlackApi, *, name: str, private: bool) -> tuple[str, str]:
    """Create the channel under the first free name; returns (channel id, name used)."""
    for attempt in range(1, NAME_ATTEMPTS + 1):
        candidate = channel_name(name, attempt=attempt)
        try:
            response = await call(api.web.conversations_create(name=candidate, is_private=private),
                                  what="conversations.create")
        except DeliveryError as error:
            if not (isinstance(error.__cause__, SlackApiError) and error_code(error.__cause__) == "name_taken"):
                raise
            # A retry after Slack created the channel but its answer was lost: the name is ours, reuse it.
            mine = await own_channel(api, name=candidate)
            if mine is not None:
                return mine, candidate
            continue
        channel = response.get("channel") or {}
        return str(channel["id"]), str(channel.get("name") or candidate)
    raise DeliveryError(f"conversations.create: {NAME_ATTEMPTS} names like {channel_name(name)!r} are taken",
                        permanent=True)


async def own_channel(api: SlackApi, *, name: str) -> str | None:
    """The unarchived channel called `name` that this app created, if it can see one (conversations.list). An
    archived one is never reused (it may be a closed program's circle): its name stays taken, the next is tried."""
    bot, cursor = await api.bot_user_id(), ""
    while True:
        page = await call(api.web.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                                     limit=LIST_PAGE, cursor=cursor or None),
                          what="conversations.list")
        for channel in page.get("channels") or []:
            if channel.get("name") == name and channel.get("creator") == bot and not channel.get("is_archived"):
                return str(channel["id"])
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return None


async def members_of(api: SlackApi, *, channel: str) -> set[str]:
    """Who is in the channel already (conversations.members), so a retry invites only the others."""
    found: set[str] = set()
    cursor = ""
    while True:
        page = await call(api.web.conversations_members(channel=channel, limit=LIST_PAGE, cursor=cursor or None),
                          what="conversations.members")
        found.update(str(m) for m in page.get("members") or [])
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return found


async def invite(api: SlackApi, *, channel: str, members: list[str]) -> list[str]:
    """Invite everyone not in the channel yet, at most 100 per call; returns the members who could not be added.
    Rate limits and Slack's own errors still raise (the caller retries), so a skipped member is always a real
    refusal. The channel's members are read first, so a retry never invites anyone twice."""
    bot = await api.bot_user_id()
    present = await members_of(api, channel=channel)
    wanted = [m for m in dict.fromkeys(members) if m and m != bot and m not in present]
    skipped: list[str] = []
    for start in range(0, len(wanted), INVITE_BATCH):
        skipped.extend(await _invite_batch(api, channel=channel, users=wanted[start: start + INVITE_BATCH]))
    if skipped:
        log.info("%d member(s) could not be added to a Slack channel", len(skipped))
    return skipped


async def _invite_batch(api: SlackApi, *, channel: str, users: list[str]) -> list[str]:
    try:
        response = await call(api.web.conversations_invite(channel=channel, users=users, force=True),
                              what="conversations.invite")
        failures = response.get("errors") or []
    except DeliveryError as error:
        cause = error.__cause__
        if not isinstance(cause, SlackApiError):
            raise
        code = error_code(cause)
        data = cause.response.data if isinstance(cause.response.data, dict) else {}
        failures = data.get("errors") or []
        if not failures:
            if code in ALREADY:
                return []
            if code not in CANNOT_INVITE:
                raise
            if len(users) == 1:
                return list(users)
            # Slack named no one: ask for each member alone, so only the ones it refuses are skipped.
            skipped: list[str] = []
            for user in users:
                skipped.extend(await _invite_batch(api, channel=channel, users=[user]))
            return skipped
    return [str(f.get("user")) for f in failures
            if isinstance(f, dict) and f.get("user") and f.get("error") not in ALREADY]
