"""A Messenger that hands each call to the platform the target belongs to."""

from __future__ import annotations

from collections.abc import Mapping

from bot.kernel.messages import Form, Message
from bot.kernel.ports import ChannelAccess, DeliveryError, MessageRef, Messenger, SpaceRef, Target, ensure_member


class RoutingMessenger:
    def __init__(self, messengers: Mapping[str, Messenger]) -> None:
        self.messengers = dict(messengers)

    def for_platform(self, platform: str) -> Messenger:
        try:
            return self.messengers[platform]
        except KeyError:
            raise LookupError(f"no messenger configured for platform {platform!r}") from None

    async def send(self, target: Target, message: Message) -> MessageRef:
        return await self.for_platform(target.platform).send(target, message)

    async def update(self, ref: MessageRef, message: Message) -> None:
        await self.for_platform(ref.target.platform).update(ref, message)

    async def open_space(
        self, *, workspace_id: str, platform: str, name: str, members: list[str], private: bool = True,
        parent: Target | None = None, group_chat: bool = False,
    ) -> SpaceRef:
        return await self.for_platform(platform).open_space(
            workspace_id=workspace_id, platform=platform, name=name, members=members, private=private,
            parent=parent, group_chat=group_chat,
        )

    async def add_to_space(self, space: SpaceRef, members: list[str]) -> None:
        await self.for_platform(space.target.platform).add_to_space(space, members)

    async def archive_space(self, space: Target) -> None:
        await self.for_platform(space.platform).archive_space(space)

    async def ensure_member(self, target: Target) -> ChannelAccess:
        messenger = self.messengers.get(target.platform)
        # No messenger for that platform here (a core test, a CLI): nothing to check with, nothing is posted either.
        return "ok" if messenger is None else await ensure_member(messenger, target)

    async def email_directory(self, *, workspace_id: str, platform: str) -> dict[str, str]:
        return await self.for_platform(platform).email_directory(workspace_id=workspace_id, platform=platform)

    async def open_form(self, actor_context: str, form: Form) -> None:
        platform = actor_context.split(":", 1)[0]
        await self.for_platform(platform).open_form(actor_context, form)

    async def send_image(self, target: Target, png: bytes, title: str) -> MessageRef:
        return await self.for_platform(target.platform).send_image(target, png, title)

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        # Messenger declares send_file; a messenger written against an older port may still lack it, and its
        # files then fail for good instead of being retried.
        send_file = getattr(self.for_platform(target.platform), "send_file", None)
        if send_file is None:
            raise DeliveryError(f"{target.platform} cannot send files yet", permanent=True)
        sent: MessageRef = await send_file(target, data, filename, title)
        return sent
