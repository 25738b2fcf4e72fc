"""The Slack Messenger when each workspace has its own token ("Add to Slack"): every send names its workspace.

A delivery carries its Target, whose workspace is the Slack team; the call then goes out with that team's token
(adapters/slack/tokens.py). Inside a request, bolt's authorization has set the team already."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from adapters.slack.messenger import SlackMessenger
from adapters.slack.tokens import TEAM, serving
from bot.kernel.messages import Form, Message
from bot.kernel.ports import MessageRef, SpaceRef, Target


def as_team(team_id: str) -> AbstractContextManager[None]:
    return nullcontext() if TEAM.get() == team_id else serving(team_id)


class InstalledSlackMessenger(SlackMessenger):
    async def send(self, target: Target, message: Message) -> MessageRef:
        with as_team(target.workspace_id):
            return await super().send(target, message)

    async def update(self, ref: MessageRef, message: Message) -> None:
        with as_team(ref.target.workspace_id):
            await super().update(ref, message)

    async def open_space(self, *, workspace_id: str, platform: str, name: str, members: list[str],
                         private: bool = True, parent: Target | None = None, group_chat: bool = False) -> SpaceRef:
        with as_team(workspace_id):
            return await super().open_space(workspace_id=workspace_id, platform=platform, name=name, members=members,
                                            private=private, parent=parent, group_chat=group_chat)

    async def add_to_space(self, space: SpaceRef, members: list[str]) -> None:
        with as_team(space.target.workspace_id):
            await super().add_to_space(space, members)

    async def archive_space(self, space: Target) -> None:
        with as_team(space.workspace_id):
            await super().archive_space(space)

    async def email_directory(self, *, workspace_id: str, platform: str) -> dict[str, str]:
        with as_team(workspace_id):
            return await super().email_directory(workspace_id=workspace_id, platform=platform)

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        with as_team(target.workspace_id):
            return await super().send_file(target, data, filename, title)

    async def open_form(self, actor_context: str, form: Form) -> None:
        if actor_context.startswith("slack:trigger:"):  # only ever inside a request: its team is served already
            await super().open_form(actor_context, form)
            return
        with as_team(Target.from_key(actor_context).workspace_id):
            await super().open_form(actor_context, form)
