"""Before a channel becomes where a program posts (`program create`, `program channel`), and before a program
announces there (`program open`, by hand or on its date): can Lingkar post there?
Slack answers a post in a channel the bot is not in with `not_in_channel`, a permanent failure nobody would hear
of; so the platform joins a public channel now, and a private one waits for the admin's `/invite @Lingkar`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.ports import ChannelAccess, DeliveryError, Target, ensure_member
from storage.tables import Program

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelCheck:
    """`error`: why the program cannot post there yet, with the step that fixes it (nothing is saved);
    `note`: a line for the admin's reply when all is well but worth saying (Lingkar joined the channel)."""

    error: str | None = None
    note: str | None = None


async def check_channel(ctx: Ctx, target: Target, *, retry: str) -> ChannelCheck:
    """`retry` is the key of what to do after inviting Lingkar: submit the form again, or type the command again."""
    access = await channel_access(ctx, target)
    if access is None:  # a rate limit or the platform's own trouble: the admin tries again shortly
        return ChannelCheck(error=ctx.t("slack_channels.check_failed"))
    if access == "invite_needed":
        return ChannelCheck(error=" ".join([ctx.t("slack_channels.invite_needed"), ctx.t(retry)]))
    if access == "archived":
        return ChannelCheck(error=ctx.t("slack_channels.archived"))
    if access == "joined":
        return ChannelCheck(note=ctx.t("slack_channels.joined"))
    return ChannelCheck()


class AnnouncementBlocked(UserError):
    """The program's channel cannot take its announcement; the message names the admin's next step. `transient`:
    only the check failed (a rate limit), so the same step a little later may pass."""

    def __init__(self, key: str, /, *, transient: bool = False, **params: object) -> None:
        super().__init__(key, **params)
        self.transient = transient


async def check_announcement(ctx: Ctx, program: Program, target: Target) -> None:
    """Before a program announces (`program open`, or on its enrollment date). A program saved before `program create`
    checked its channel, or whose channel Lingkar was removed from since, would otherwise end in `not_in_channel`, a
    failure nobody hears of: a public channel is joined now; a private or archived one stops the opening with
    AnnouncementBlocked (raised before anything is written) telling the admin what to do."""
    access = await channel_access(ctx, target)
    if access is None:
        raise AnnouncementBlocked("slack_grid.open.check_failed", transient=True, program=program.name,
                                  slug=program.slug)
    if access in ("invite_needed", "archived"):
        raise AnnouncementBlocked(f"slack_grid.open.{access}", program=program.name, slug=program.slug)


async def channel_access(ctx: Ctx, target: Target) -> ChannelAccess | None:
    """What the platform says of Lingkar in this channel (joining a public one); None when it could not say now."""
    if target.kind == "user":
        return "ok"
    try:
        return await ensure_member(ctx.services.messenger, target)
    except DeliveryError as error:
        log.warning("could not check a program's channel: %s", error)
        return None
