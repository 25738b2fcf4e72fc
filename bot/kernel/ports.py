"""Ports the core talks through: the Messenger (a platform) and the Clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from bot.kernel.messages import Form, Message

TargetKind = Literal["user", "space", "channel"]
# Can the bot post in a channel? "ok": it is a member (or the platform needs none); "joined": it just joined a public
# channel; "invite_needed": a private channel it is not in (or one it may not join): someone must invite it;
# "archived": nothing can be posted there any more.
ChannelAccess = Literal["ok", "joined", "invite_needed", "archived"]


@dataclass(frozen=True)
class Target:
    """Where to send: a user's DM, a circle's space or a channel. `ref` is opaque to the core."""

    platform: str
    workspace_id: str  # the platform's tenant id
    kind: TargetKind
    ref: str  # user id, channel id, or a serialised conversation reference

    def key(self) -> str:
        return f"{self.platform}:{self.workspace_id}:{self.kind}:{self.ref}"

    @classmethod
    def from_key(cls, key: str) -> Target:
        platform, workspace_id, kind, ref = key.split(":", 3)
        if kind not in ("user", "space", "channel"):
            raise ValueError(f"unknown target kind {kind!r}")
        return cls(platform=platform, workspace_id=workspace_id, kind=kind, ref=ref)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MessageRef:
    target: Target
    message_id: str  # Slack's ts, Teams' activity id


@dataclass(frozen=True)
class SpaceRef:
    target: Target  # post here to talk to the circle
    name: str
    skipped: tuple[str, ...] = ()  # members the platform could not add; the core tells the program's admins


class DeliveryError(Exception):
    """A send failed. `retry_after` (seconds) when the platform said when to come back; `permanent` if never."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class SpaceUnsupported(DeliveryError):
    """The platform offers no such space here (a Teams group chat needs Microsoft Graph): not a fault to report,
    the owner falls back to what it did before spaces (a pair is welcomed by DM)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class UnreachableMember(DeliveryError):
    """The user left the workspace, blocked the bot, or never installed it: stop trying them."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class Messenger(Protocol):
    async def send(self, target: Target, message: Message) -> MessageRef: ...

    async def update(self, ref: MessageRef, message: Message) -> None: ...

    async def open_space(
        self, *, workspace_id: str, platform: str, name: str, members: list[str], private: bool = True,
        parent: Target | None = None, group_chat: bool = False,
    ) -> SpaceRef:
        """A place for these members to talk. `group_chat` asks for a conversation of just them, for a few
        people (a pair), where the platform has one (Slack's group DM); elsewhere the usual space."""

    async def add_to_space(self, space: SpaceRef, members: list[str]) -> None: ...

    async def archive_space(self, space: Target) -> None:
        """Close a circle's space after its closing message, still readable (Slack archives the channel).
        A platform without archiving raises SpaceUnsupported: the closing message is all it gets."""

    async def email_directory(self, *, workspace_id: str, platform: str) -> dict[str, str]:
        """Lower-cased email -> user id for the people the platform lets us see (the org import matches by it);
        {} where the platform tells no emails: members are then matched as they first write to the bot."""
        ...

    async def open_form(self, actor_context: str, form: Form) -> None: ...

    async def send_image(self, target: Target, png: bytes, title: str) -> MessageRef: ...

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        """Exports and `my data`; platforms without file support raise a permanent DeliveryError."""
        ...


@runtime_checkable
class ChannelJoiner(Protocol):
    """What a Messenger offers where posting needs membership (Slack answers `not_in_channel`): check a channel,
    joining it when the platform lets the bot. Optional: `ensure_member` answers "ok" for a Messenger without it."""

    async def ensure_member(self, target: Target) -> ChannelAccess: ...


async def ensure_member(messenger: Messenger, target: Target) -> ChannelAccess:
    """Before a channel is saved as where a program posts; a transient failure raises DeliveryError."""
    if isinstance(messenger, ChannelJoiner):
        return await messenger.ensure_member(target)
    return "ok"  # Teams and the local platform post wherever the bot is installed


class Clock(Protocol):
    def now(self) -> datetime: ...
