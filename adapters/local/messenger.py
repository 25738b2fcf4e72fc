"""The local platform's Messenger: records everything it is asked to send, for tests and the demo."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.kernel.messages import Form, Message
from bot.kernel.ports import ChannelAccess, MessageRef, SpaceRef, Target


@dataclass
class Sent:
    target: Target
    message: Message
    ref: MessageRef


@dataclass
class LocalMessenger:
    """Keeps every call in order; spaces are named like channels so transcripts read naturally."""

    sent: list[Sent] = field(default_factory=list)
    updates: list[tuple[MessageRef, Message]] = field(default_factory=list)
    spaces: dict[str, list[str]] = field(default_factory=dict)
    forms: list[tuple[str, Form]] = field(default_factory=list)
    images: list[tuple[Target, bytes, str]] = field(default_factory=list)
    files: list[tuple[Target, bytes, str, str]] = field(default_factory=list)  # target, data, filename, title
    archived: list[str] = field(default_factory=list)  # names of archived spaces, in order
    people: dict[str, str] = field(default_factory=dict)  # the directory: lower-cased email -> user id
    # What ensure_member answers per channel ref, as Slack would ("ok" when not set); "joined" turns into "ok".
    channel_access: dict[str, ChannelAccess] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    async def send(self, target: Target, message: Message) -> MessageRef:
        ref = MessageRef(target=target, message_id=str(next(self._ids)))
        self.sent.append(Sent(target, message, ref))
        return ref

    async def update(self, ref: MessageRef, message: Message) -> None:
        self.updates.append((ref, message))

    async def open_space(
        self, *, workspace_id: str, platform: str, name: str, members: list[str], private: bool = True,
        parent: Target | None = None, group_chat: bool = False,
    ) -> SpaceRef:
        unique = name
        suffix = itertools.count(2)
        while unique in self.spaces:
            unique = f"{name}-{next(suffix)}"
        self.spaces[unique] = list(members)
        target = Target(platform=platform, workspace_id=workspace_id, kind="space", ref=unique)
        return SpaceRef(target=target, name=unique)

    async def add_to_space(self, space: SpaceRef, members: list[str]) -> None:
        current = self.spaces.setdefault(space.name, [])
        current.extend(m for m in members if m not in current)

    async def archive_space(self, space: Target) -> None:
        if space.ref not in self.archived:
            self.archived.append(space.ref)

    async def email_directory(self, *, workspace_id: str, platform: str) -> dict[str, str]:
        return dict(self.people)

    async def ensure_member(self, target: Target) -> ChannelAccess:
        answer = self.channel_access.get(target.ref, "ok")
        if answer == "joined":
            self.channel_access[target.ref] = "ok"
        return answer

    async def open_form(self, actor_context: str, form: Form) -> None:
        self.forms.append((actor_context, form))

    async def send_image(self, target: Target, png: bytes, title: str) -> MessageRef:
        ref = MessageRef(target=target, message_id=str(next(self._ids)))
        self.images.append((target, png, title))
        return ref

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        ref = MessageRef(target=target, message_id=str(next(self._ids)))
        self.files.append((target, data, filename, title))
        return ref

    def to(self, ref: str, *, kind: str | None = None) -> list[Message]:
        """What one user, space or channel received, in order."""
        return [s.message for s in self.sent if s.target.ref == ref and (kind is None or s.target.kind == kind)]
