"""Before a channel becomes where a program posts (`program create`, `program channel`): can Lingkar post there?
Slack answers a post in a channel the bot is not in with `not_in_channel`, a permanent failure nobody would hear
of; so the platform joins a public channel now, and a private one waits for the admin's `/invite @Lingkar`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.kernel.context import Ctx
from bot.kernel.ports import DeliveryError, Target, ensure_member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelCheck:
    """`error`: why the program cannot post there yet, with the step that fixes it (nothing is saved);
    `note`: a line for the admin's reply when all is well but worth saying (Lingkar joined the channel)."""

    error: str | None = None
    note: str | None = None


async def check_channel(ctx: Ctx, target: Target, *, retry: str) -> ChannelCheck:
    """`retry` is the key of what to do after inviting Lingkar: submit the form again, or type the command again."""
    if target.kind == "user":
        return ChannelCheck()
    try:
        access = await ensure_member(ctx.services.messenger, target)
    except DeliveryError as error:  # a rate limit or the platform's own trouble: the admin tries again shortly
        log.warning("could not check a program's channel: %s", error)
        return ChannelCheck(error=ctx.t("slack_channels.check_failed"))
    if access == "invite_needed":
        return ChannelCheck(error=" ".join([ctx.t("slack_channels.invite_needed"), ctx.t(retry)]))
    if access == "archived":
        return ChannelCheck(error=ctx.t("slack_channels.archived"))
    if access == "joined":
        return ChannelCheck(note=ctx.t("slack_channels.joined"))
    return ChannelCheck()
