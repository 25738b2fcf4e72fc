"""Everything a handler needs for one event, inside one unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.kernel.config import CoreConfig
from bot.kernel.errors import NotAllowed
from bot.kernel.events import Action, Actor, FormSubmitted
from bot.kernel.grammar import CommandSpec
from bot.kernel.i18n import Translator
from bot.kernel.ports import Clock, Messenger, Target
from bot.kernel.replies import Response
from storage.tables import Member, Program, Workspace
from storage.uow import UnitOfWork


@dataclass
class Services:
    """Long-lived collaborators, built once by the composition root."""

    uow: Callable[[], UnitOfWork]
    messenger: Messenger
    clock: Clock
    config: CoreConfig


class Scope(Protocol):
    """What tenant-level work needs, whether a member acted (Ctx) or the clock did (PlanContext)."""

    uow: UnitOfWork
    workspace: Workspace
    now: datetime

    @property
    def workspace_id(self) -> int: ...


@dataclass
class Ctx:
    services: Services
    uow: UnitOfWork
    actor: Actor
    workspace: Workspace
    member: Member
    t: Translator
    now: datetime
    where: Target | None = None
    specs: list[CommandSpec] = field(default_factory=list)  # every command, for help texts
    leave_hooks: list[LeaveHook] = field(default_factory=list)
    _admin: bool | None = field(default=None, repr=False)

    @property
    def workspace_id(self) -> int:
        assert self.workspace.id is not None
        return self.workspace.id

    @property
    def member_id(self) -> int:
        assert self.member.id is not None
        return self.member.id

    def user_target(self, user_external_id: str | None = None) -> Target:
        return Target(
            platform=self.actor.platform, workspace_id=self.actor.workspace_id, kind="user",
            ref=user_external_id or self.actor.user_id,
        )

    async def is_admin(self) -> bool:
        if self._admin is None:
            config = self.services.config
            self._admin = (
                self.actor.user_id in config.admins
                or (config.workspace_admins_are_admins and self.actor.is_workspace_admin)
                or await self.uow.admins.is_admin(workspace_id=self.workspace_id,
                                                  user_external_id=self.actor.user_id)
            )
        return self._admin

    async def require_admin(self) -> None:
        if not await self.is_admin():
            raise NotAllowed("errors.admin_only")


CommandHandler = Callable[[Ctx, str], Awaitable[list[Response]]]
ActionHandler = Callable[[Ctx, Action, str], Awaitable[list[Response]]]
FormHandler = Callable[[Ctx, FormSubmitted], Awaitable[list[Response]]]
# Called when a member leaves a program, so circles and pairs can let go of them too.
LeaveHook = Callable[["Ctx", Program], Awaitable[None]]


@dataclass(frozen=True)
class Feature:
    """One capability's entry points: commands with their handlers, action verbs, form ids."""

    commands: tuple[tuple[CommandSpec, CommandHandler], ...] = ()
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    forms: dict[str, FormHandler] = field(default_factory=dict)
    on_leave: tuple[LeaveHook, ...] = ()
