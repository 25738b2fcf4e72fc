"""The world test_payload_trust builds in each of its two workspaces: programs, circles, an election, polls, pairs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import SQLModel

from adapters.bootstrap import App
from bot.kernel.events import Actor, Command
from storage.tables import (
    Agreement,
    AgreementConfirmation,
    Circle,
    CircleMember,
    Election,
    ElectionStatus,
    Enrollment,
    EnrollmentStatus,
    Goal,
    Nomination,
    Pair,
    PairRequest,
    Poll,
    PollKind,
    Program,
    ProgramFormat,
    ProgramState,
    Theme,
    ThemeMode,
    ThemeStatus,
)
from storage.uow import UnitOfWork
from tests.conftest import START


@dataclass
class World:
    """One workspace's ids, by role: U1 moderates the circle and mentors; U2 is a member and mentee."""

    workspace: str
    ids: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.ids[name]


def actor(workspace: str, user: str) -> Actor:
    return Actor(platform="local", workspace_id=workspace, user_id=user, display_name=user, locale="en")


async def snapshot(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused event must leave all of them as they were."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with app.uow() as uow:
        connection = await uow.session.connection()
        for table in SQLModel.metadata.sorted_tables:
            found = await connection.execute(table.select())
            rows[table.name] = sorted((tuple(r) for r in found.all()), key=repr)
    return rows


async def worlds(app: App) -> tuple[World, World]:
    """W1 and W2, each member already known to the core."""
    a, b = await build_world(app, "W1"), await build_world(app, "W2")
    for world in (a, b):  # first contact refreshes names: do it before anything is compared
        for user in ("U1", "U2", "U3", "U4", "UADMIN"):
            await app.core.handle(Command(actor(world.workspace, user), "status"))
    return a, b


async def build_world(app: App, workspace_external_id: str) -> World:
    world = World(workspace_external_id)
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="local", external_id=workspace_external_id, now=START)
        wid = workspace.id or 0
        await _members(uow, world, wid)
        programs = await _programs(uow, world, wid)
        await _activity(uow, world, wid, programs)
        # A channel Lingkar is installed in, by name: where `program create`/`program channel` let a program live.
        await uow.conversations.save(workspace_id=wid, scope="channel", key="CHOME", reference={}, now=START,
                                     name="Home")
        await uow.commit()
    return world


async def _members(uow: UnitOfWork, world: World, wid: int) -> None:
    for user in ("U1", "U2", "U3", "U4"):
        member = await uow.members.get_or_create(workspace_id=wid, external_id=user, now=START, defaults={
            "display_name": user, "timezone": "Asia/Jakarta", "locale": "en"})
        member.profile_completed, member.department = True, f"Dept {user}"
        member.skills_wanted = ["public speaking"]
        uow.session.add(member)
        world.ids[user] = member.id or 0
    await uow.flush()


async def _programs(uow: UnitOfWork, world: World, wid: int) -> dict[str, Program]:
    """Four programs (enrolling, running, forming with self-select, pairs) and everyone's enrollments."""
    now = START

    def program(key: str, **fields: Any) -> Program:
        row = Program(workspace_id=wid, name=f"Program {key}", slug=key, created_at=now, **fields)
        uow.programs.add(row)
        return row

    enrolling = program("enrolling", state=ProgramState.ENROLLING)
    running = program("running", state=ProgramState.RUNNING, start_date=date(2026, 1, 5), meeting_weekday=0,
                      meeting_time="08:00", timezone="Asia/Jakarta", size_min=2)
    forming = program("forming", state=ProgramState.FORMING, theme_mode=ThemeMode.SELF_SELECT)
    pairs = program("pairs", state=ProgramState.RUNNING, format=ProgramFormat.ONE_ON_ONE,
                    start_date=date(2026, 1, 5), meeting_weekday=0, meeting_time="08:00")
    # Reverse mentoring since December: its pair's engagement check (after meeting 2) is open at START.
    reverse = program("reverse", state=ProgramState.RUNNING, format=ProgramFormat.REVERSE,
                      start_date=date(2025, 12, 1), meeting_weekday=0, meeting_time="08:00")
    await uow.flush()
    programs = {"enrolling": enrolling, "running": running, "forming": forming, "pairs": pairs, "reverse": reverse}
    for key, row in programs.items():
        world.ids[key] = row.id or 0
    for user in ("U1", "U2", "U3"):
        for row in (enrolling, running, forming):
            uow.session.add(Enrollment(workspace_id=wid, program_id=row.id or 0, member_id=world[user],
                                       status=EnrollmentStatus.ACTIVE, joined_at=now))
    # U4 is invited to the enrolling program (not yet a member): the one who may answer `invite:`.
    uow.session.add(Enrollment(workspace_id=wid, program_id=enrolling.id or 0, member_id=world["U4"],
                               status=EnrollmentStatus.INVITED, joined_at=now))
    for user, role in (("U1", "mentor"), ("U2", "mentee"), ("U3", "mentee"), ("U4", "mentee")):
        uow.session.add(Enrollment(workspace_id=wid, program_id=pairs.id or 0, member_id=world[user],
                                   status=EnrollmentStatus.ACTIVE, joined_at=now, role=role, capacity=3))
    for user, role in (("U1", "mentor"), ("U3", "mentee")):
        uow.session.add(Enrollment(workspace_id=wid, program_id=reverse.id or 0, member_id=world[user],
                                   status=EnrollmentStatus.ACTIVE, joined_at=now, role=role))
    return programs


async def _activity(uow: UnitOfWork, world: World, wid: int, programs: dict[str, Program]) -> None:
    """A proposed theme, a running circle with an open election, polls, a goal, a pair and a pair request."""
    now, running, pairs, space = START, programs["running"].id or 0, programs["pairs"].id or 0, world.workspace
    theme = Theme(workspace_id=wid, program_id=programs["enrolling"].id or 0, title="Leading", title_key="leading",
                  status=ThemeStatus.PROPOSED, created_at=now)
    uow.session.add(theme)
    circle = Circle(workspace_id=wid, program_id=running, name="Circle", space=f"local:{space}:space:circle",
                    moderator_member_id=world["U1"], created_at=now)
    pick = Circle(workspace_id=wid, program_id=programs["forming"].id or 0, name="Pick me", created_at=now)
    uow.session.add_all([circle, pick])
    await uow.flush()
    world.ids.update(theme=theme.id or 0, circle=circle.id or 0, pick=pick.id or 0)
    for user in ("U1", "U2", "U3"):
        uow.session.add(CircleMember(workspace_id=wid, program_id=running, circle_id=circle.id or 0,
                                     member_id=world[user], joined_at=now))
    election = Election(workspace_id=wid, circle_id=circle.id or 0, status=ElectionStatus.VOTING,
                        nominations_close_at=now - timedelta(days=1), voting_closes_at=now + timedelta(days=2),
                        created_at=now)
    pulse = Poll(workspace_id=wid, program_id=running, kind=PollKind.PULSE, key="pulse-1",
                 opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7), created_at=now)
    before = Poll(workspace_id=wid, program_id=running, kind=PollKind.BEFORE, key="before",
                  opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7), created_at=now)
    goal = Goal(workspace_id=wid, program_id=running, member_id=world["U1"], specific="Speak",
                measurable="3 talks", achievable="yes", relevant="yes", due_on=date(2026, 3, 1),
                created_at=now, updated_at=now)
    pair = Pair(workspace_id=wid, program_id=pairs, mentor_member_id=world["U1"], mentee_member_id=world["U2"],
                space=f"local:{space}:space:pair", started_at=now - timedelta(days=1))
    request = PairRequest(workspace_id=wid, program_id=pairs, mentee_member_id=world["U3"],
                          mentor_member_id=world["U1"], expires_at=now + timedelta(days=2), created_at=now)
    reverse = Pair(workspace_id=wid, program_id=programs["reverse"].id or 0, mentor_member_id=world["U1"],
                   mentee_member_id=world["U3"], started_at=now - timedelta(days=40))
    uow.session.add_all([election, pulse, before, goal, pair, request, reverse])
    await uow.flush()
    uow.session.add(Nomination(workspace_id=wid, election_id=election.id or 0, nominee_member_id=world["U2"],
                               nominated_by_member_id=world["U2"], created_at=now))
    world.ids.update(election=election.id or 0, pulse=pulse.id or 0, before=before.id or 0, goal=goal.id or 0,
                     pair=pair.id or 0, request=request.id or 0, reverse_pair=reverse.id or 0)
    # The pair's agreement, proposed by U1 and waiting for U2's confirmation (bot/agreements).
    agreement = Agreement(workspace_id=wid, program_id=pairs, group=f"pair:{pair.id}",
                          proposed_by_member_id=world["U1"], weekday=4, meeting_time="09:00",
                          timezone="Europe/London", every_weeks=2, created_at=now)
    uow.session.add(agreement)
    await uow.flush()
    uow.session.add(AgreementConfirmation(workspace_id=wid, agreement_id=agreement.id or 0, member_id=world["U1"],
                                          confirmed_at=now))
    world.ids["agreement"] = agreement.id or 0
