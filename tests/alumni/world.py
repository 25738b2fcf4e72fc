"""A program at its end, set up directly (the closing phase that leads there is P1's): a circle, a pair, bystanders."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.alumni import CAPABILITY
from bot.alumni.touch import KIND
from bot.kernel.events import Action, Actor
from bot.kernel.message_codec import decode
from bot.kernel.planning import plan as kernel_plan
from bot.kernel.replies import Response
from scheduler.deliver import deliver_due
from storage.tables import (
    Circle,
    CircleMember,
    ClosingChoice,
    Delivery,
    Enrollment,
    EnrollmentStatus,
    Pair,
    PairStatus,
    Program,
    ProgramFormat,
    ProgramState,
)
from tests.helpers import WORKSPACE
from tests.helpers import actor as local_actor

PLANNERS = CAPABILITY.planners
NAMES = {"U1": "Ayu", "U2": "Budi", "U3": "Citra", "U4": "Dimas", "U5": "Eka", "U6": "Fajar", "U7": "Gita",
         "M1": "Hana", "M2": "Indra", "M3": "Joko", "UADMIN": "Dewi Admin"}


@dataclass
class World:
    workspace_id: int = 0
    programs: dict[str, int] = field(default_factory=dict)  # "circles" / "pairs"
    members: dict[str, int] = field(default_factory=dict)  # by platform id


async def build(app: App, *, workspace: str = WORKSPACE, state: str = ProgramState.CLOSING) -> World:
    """In `workspace`: a circles program whose circle is U1-U4 (U5 enrolled without a circle, U6 invited, U7
    declined), and a pair program where M1 mentored M2 (M3 enrolled, never matched). Both in `state`."""
    now = app.services.clock.now()
    world = World()
    async with app.uow() as uow:
        ws = await uow.workspaces.get_or_create(platform="local", external_id=workspace, now=now)
        world.workspace_id = wid = ws.id or 0
        for user, name in NAMES.items():
            member = await uow.members.get_or_create(workspace_id=wid, external_id=user, now=now,
                                                     defaults={"display_name": name})
            world.members[user] = member.id or 0
        for kind, fmt in (("circles", ProgramFormat.CIRCLES), ("pairs", ProgramFormat.ONE_ON_ONE)):
            program = Program(workspace_id=wid, name=f"{kind.title()} 2025", slug=f"{kind}-2025", format=fmt,
                              state=state, created_at=now)
            uow.programs.add(program)
            await uow.flush()
            world.programs[kind] = program.id or 0
        statuses = {"U6": EnrollmentStatus.INVITED, "U7": EnrollmentStatus.DECLINED}
        for user in ("U1", "U2", "U3", "U4", "U5", "U6", "U7"):
            uow.enrollments.add(Enrollment(workspace_id=wid, program_id=world.programs["circles"],
                                           member_id=world.members[user], joined_at=now,
                                           status=statuses.get(user, EnrollmentStatus.ACTIVE)))
        for user, role in (("M1", "mentor"), ("M2", "mentee"), ("M3", "mentee")):
            uow.enrollments.add(Enrollment(workspace_id=wid, program_id=world.programs["pairs"], role=role,
                                           member_id=world.members[user], joined_at=now))
        circle = Circle(workspace_id=wid, program_id=world.programs["circles"], name="Feedback", created_at=now)
        uow.circles.add(circle)
        await uow.flush()
        for user in ("U1", "U2", "U3", "U4"):
            uow.circles.add(CircleMember(workspace_id=wid, program_id=world.programs["circles"],
                                         circle_id=circle.id or 0, member_id=world.members[user], joined_at=now))
        uow.pairs.add(Pair(workspace_id=wid, program_id=world.programs["pairs"], mentor_member_id=world.members["M1"],
                           mentee_member_id=world.members["M2"], status=PairStatus.ENDED, started_at=now))
        await uow.commit()
    return world


async def choose(app: App, user: str, program_id: int | str, choice: str, *, locale: str = "en",
                 workspace: str = WORKSPACE) -> list[Response]:
    who = Actor(platform="local", workspace_id=workspace, user_id=user, display_name=NAMES.get(user, user),
                locale=locale) if workspace != WORKSPACE else local_actor(user, locale=locale, name=NAMES.get(user))
    return await app.core.handle(Action(who, f"next:{program_id}:{choice}"))


async def choices(app: App) -> list[tuple[int, int, str, bool]]:
    """(program, member, choice, used) of every recorded choice."""
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(ClosingChoice).order_by(col(ClosingChoice.id)))).all()
        return [(r.program_id, r.member_id, r.choice, r.used_at is not None) for r in rows]


async def deliveries(app: App, *, kinds: tuple[str, ...]) -> list[Delivery]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Delivery).where(col(Delivery.kind).in_(kinds))
                                            .order_by(col(Delivery.id)))).all())


async def dms(app: App, user: str, *, kinds: tuple[str, ...] | None = (KIND,)) -> list[str]:
    """The texts queued for one user's DMs of these kinds, or of any (sent or not; skipped records left out)."""
    query = select(Delivery).where(col(Delivery.target).endswith(f":user:{user}"), Delivery.status != "skipped")
    if kinds is not None:
        query = query.where(col(Delivery.kind).in_(kinds))
    async with app.uow() as uow:
        rows = (await uow.session.exec(query.order_by(col(Delivery.id)))).all()
        return [decode(r.payload).text for r in rows]


async def plan(app: App) -> None:
    """This capability's planners only: other capabilities' closing steps are theirs to test."""
    await kernel_plan(app.uow, now=app.services.clock.now(), config=app.services.config, planners=PLANNERS)


async def tick(app: App) -> None:
    """The scheduler's turn: plan (which settles the alumni space), then deliver."""
    await plan(app)
    await deliver(app)


async def deliver(app: App) -> None:
    report = await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock,
                               worker_id="alumni-tests")
    assert report.failed == 0 and report.errors == 0, report
