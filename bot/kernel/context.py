"""Everything a handler needs for one event, inside one unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.kernel.config import CoreConfig
from bot.kernel.errors import NotAllowed
from bot.kernel.events import Action, Actor, Attachment, FormSubmitted
from bot.kernel.grammar import CommandSpec
from bot.kernel.i18n import Translator
from bot.kernel.messages import Block
from bot.kernel.ports import Clock, Messenger, SpaceRef, Target
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
class TenantScope:
    """A Scope when neither a member nor the clock acts (the shell's `lingkar org import`, a test)."""

    uow: UnitOfWork
    workspace: Workspace
    now: datetime

    @property
    def workspace_id(self) -> int:
        assert self.workspace.id is not None
        return self.workspace.id


@dataclass(frozen=True)
class HomePart:
    """What one capability adds to a member's home view."""

    blocks: tuple[Block, ...] = ()
    lines: tuple[str, ...] = ()  # the plain-text fallback of `blocks`
    fields: tuple[tuple[str, str], ...] = ()  # merged into one Fields block after every section's blocks


@dataclass(frozen=True)
class HomeSection:
    """A part of the home view; `order`: 0 status, 10 circle, 20 pair, 30 paused, 40 check-in waiting, 50 goals."""

    order: int
    build: Callable[[Ctx], Awaitable[HomePart]]


@dataclass(frozen=True)
class Hooks:
    """What the capabilities offer each other, assembled once by the Core and read by handlers via ctx.hooks."""

    specs: tuple[CommandSpec, ...] = ()  # every command, for help texts
    on_leave: tuple[LeaveHook, ...] = ()
    on_close: tuple[ProgramStep, ...] = ()
    on_form: tuple[ProgramStep, ...] = ()
    on_join: tuple[JoinHook, ...] = ()
    home: tuple[HomeSection, ...] = ()  # sorted by order


@dataclass(frozen=True)
class SpaceRequest:
    """What Messenger.open_space needs, decided inside the unit of work and opened after its commit."""

    name: str
    members: tuple[str, ...]
    private: bool = True
    parent: Target | None = None
    group_chat: bool = False
    key: str = ""  # its durable delivery (kernel/spaces): opened once, retried by the deliverer; "" = one try


@dataclass(frozen=True)
class Step:
    """Work that must follow the commit: a platform call (opening a space), then recording what it gave."""

    then: Callable[[Ctx, SpaceRef | None], Awaitable[None]]
    space: SpaceRequest | None = None


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
    hooks: Hooks = field(default_factory=Hooks)
    attachment: Attachment | None = None  # the file a command came with (an admin's org import)
    steps: list[Step] = field(default_factory=list)  # run by the Core, in order, once this unit of work commits
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

    def after_commit(self, then: Callable[[Ctx, SpaceRef | None], Awaitable[None]], *,
                     space: SpaceRequest | None = None) -> None:
        """Run `then` in a unit of work of its own once this one is committed; with `space`, the platform opens it
        first (outside any transaction) and `then` gets the SpaceRef, or None when the platform refused."""
        self.steps.append(Step(then=then, space=space))


CommandHandler = Callable[[Ctx, str], Awaitable[list[Response]]]
ActionHandler = Callable[[Ctx, Action, str], Awaitable[list[Response]]]
FormHandler = Callable[[Ctx, FormSubmitted], Awaitable[list[Response]]]
# Called when a member leaves a program, so circles and pairs can let go of them too.
LeaveHook = Callable[[Ctx, Program], Awaitable[None]]
# A member's enrollment became active in a program already forming or running (a late joiner, a waitlisted member
# moved up, an accepted invitation): circles or pairs take them in. Returns a line for them (where they were placed,
# or why they wait), or None when the program is not that capability's kind.
JoinHook = Callable[[Ctx, Program, Member], Awaitable[str | None]]
# `program close` / `program form`: a capability's part, returning a summary line, or None when it is not its kind.
ProgramStep = Callable[[Ctx, Program], Awaitable[str | None]]
