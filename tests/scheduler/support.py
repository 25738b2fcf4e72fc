"""What the scheduler's tests share: a recording messenger with scripted failures, and a seeded world."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.kernel.messages import Form, Message
from bot.kernel.outbox import enqueue
from bot.kernel.ports import DeliveryError, MessageRef, SpaceRef, Target
from storage.engine import make_engine, make_session_factory
from storage.tables import Delivery, Enrollment, Member, Program, ProgramState
from storage.uow import UnitOfWork
from tests.conftest import Database

WORKSPACE = "W1"


@dataclass
class Sent:
    target: Target
    text: str
    kind: str = "message"  # message | image | file | archive
    data: bytes = b""
    name: str = ""


@dataclass
class Recorder:
    """A platform stand-in: records what it was asked to post; `script[text]` lists errors for the next tries."""

    script: dict[str, list[BaseException]] = field(default_factory=dict)
    delay: float = 0.0
    gate: asyncio.Event | None = None  # when set up, every send waits for it
    sent: list[Sent] = field(default_factory=list)
    starts: asyncio.Queue[str] = field(default_factory=asyncio.Queue)  # texts whose send has begun
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def _post(self, record: Sent) -> MessageRef:
        self.starts.put_nowait(record.text)
        if self.gate is not None:
            await self.gate.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        errors = self.script.get(record.text)
        if errors:
            raise errors.pop(0)
        self.sent.append(record)
        return MessageRef(target=record.target, message_id=f"m{next(self._ids)}")

    async def send(self, target: Target, message: Message) -> MessageRef:
        return await self._post(Sent(target, message.text))

    async def send_image(self, target: Target, png: bytes, title: str) -> MessageRef:
        return await self._post(Sent(target, title, kind="image", data=png))

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        return await self._post(Sent(target, title, kind="file", data=data, name=filename))

    async def update(self, ref: MessageRef, message: Message) -> None:
        raise AssertionError("the deliverer never updates")

    async def open_space(self, *, workspace_id: str, platform: str, name: str, members: list[str],
                         private: bool = True, parent: Target | None = None,
                         group_chat: bool = False) -> SpaceRef:
        raise AssertionError("the deliverer never opens spaces")

    async def add_to_space(self, space: SpaceRef, members: list[str]) -> None:
        raise AssertionError("the deliverer never adds members")

    async def archive_space(self, space: Target) -> None:
        await self._post(Sent(space, "archive", kind="archive"))

    async def email_directory(self, *, workspace_id: str, platform: str) -> dict[str, str]:
        raise AssertionError("the deliverer never reads the directory")

    async def open_form(self, actor_context: str, form: Form) -> None:
        raise AssertionError("the deliverer never opens forms")

    def texts(self) -> Counter[str]:
        return Counter(s.text for s in self.sent)


class NoFiles(Recorder):
    """A platform without file uploads: the port says it raises a permanent DeliveryError."""

    async def send_file(self, target: Target, data: bytes, filename: str, title: str) -> MessageRef:
        raise DeliveryError("this platform cannot send files yet", permanent=True)


def channel(ref: str, *, platform: str = "local") -> Target:
    return Target(platform=platform, workspace_id=WORKSPACE, kind="channel", ref=ref)


def dm(ref: str) -> Target:
    return Target(platform="local", workspace_id=WORKSPACE, kind="user", ref=ref)


@dataclass
class World:
    database: Database
    engine: AsyncEngine
    uow: Callable[[], UnitOfWork]
    workspace_id: int
    now: datetime

    async def queue(self, key: str, target: Target, *, text: str | None = None, due: datetime | None = None,
                    **extra: object) -> bool:
        async with self.uow() as uow:
            created = await enqueue(uow, workspace_id=self.workspace_id, key=key, kind="prompt", target=target,
                                    message=Message(text=text or key), due_at=due or self.now, **extra)  # type: ignore[arg-type]
            await uow.commit()
        return created

    async def rows(self) -> dict[str, Delivery]:
        async with self.uow() as uow:
            found = await uow.session.exec(select(Delivery).order_by(col(Delivery.id)))
            return {row.key: row for row in found.all()}

    async def member(self, user: str, *, timezone: str = "Asia/Jakarta", erased: bool = False) -> int:
        async with self.uow() as uow:
            member = await uow.members.get_or_create(workspace_id=self.workspace_id, external_id=user,
                                                     now=self.now, defaults={"timezone": timezone})
            member.erased = erased
            uow.session.add(member)
            await uow.commit()
            assert member.id is not None
            return member.id

    async def program(self, slug: str) -> int:
        async with self.uow() as uow:
            program = Program(workspace_id=self.workspace_id, name=slug, slug=slug, state=ProgramState.RUNNING,
                              created_at=self.now)
            uow.programs.add(program)
            await uow.commit()
            assert program.id is not None
            return program.id

    async def enroll(self, member_id: int, program_id: int, *, paused_until: date | None = None) -> None:
        async with self.uow() as uow:
            await uow.enrollments.enroll(workspace_id=self.workspace_id, program_id=program_id,
                                         member_id=member_id, now=self.now)
            enrollment = (await uow.session.exec(select(Enrollment).where(
                Enrollment.program_id == program_id, Enrollment.member_id == member_id))).one()
            enrollment.paused_until = paused_until
            uow.session.add(enrollment)
            await uow.commit()

    async def reachable(self, member_id: int) -> bool:
        async with self.uow() as uow:
            member = await uow.session.get(Member, member_id)
            assert member is not None
            return member.reachable


async def open_world(database: Database, now: datetime) -> World:
    engine = make_engine(database.url, schema=database.schema)
    sessions = make_session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    async with uow() as unit:
        workspace = await unit.workspaces.get_or_create(platform="local", external_id=WORKSPACE, now=now)
        await unit.commit()
    return World(database=database, engine=engine, uow=uow, workspace_id=workspace.id or 0, now=now)


def second_engine(database: Database) -> tuple[AsyncEngine, Callable[[], UnitOfWork]]:
    """Another process's view of the same database: its own engine and connection pool."""
    engine = make_engine(database.url, schema=database.schema)
    sessions = make_session_factory(engine)
    return engine, lambda: UnitOfWork(sessions)


def later(moment: datetime, **delta: float) -> datetime:
    return moment + timedelta(**delta)
