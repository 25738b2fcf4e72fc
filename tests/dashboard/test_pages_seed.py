"""Seed data for the read pages' tests (no tests here): a Slack workspace with a running circles program whose
circle B has stopped meeting, a program of another workspace, and deliveries in every state.

Rows are written directly (as the digest's tests do): the dashboard's sign-in admits Slack and Teams workspaces only,
and the scenario helpers build programs in the local platform's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from adapters.bootstrap import App
from storage.tables import (
    CheckIn,
    Circle,
    CircleMember,
    Delivery,
    DeliveryStatus,
    Enrollment,
    EnrollmentStatus,
    Pair,
    PairCheckIn,
    Program,
    ProgramState,
    SessionLog,
    Theme,
    ThemeVote,
)
from storage.uow import UnitOfWork

# Wednesdays 10:00 in Jakarta from 7 January 2026: sessions 0, 1, 2 are over by this Saturday.
SATURDAY = datetime(2026, 1, 24, 2, 0, tzinfo=UTC)
CIRCLE_A, CIRCLE_B = ["U1", "U2", "U3"], ["U4", "U5", "U6"]


@dataclass(frozen=True)
class Seeded:
    program_id: int
    other_program_id: int  # another workspace's
    workspace_id: int


async def _program(uow: UnitOfWork, *, workspace_id: int, name: str, slug: str) -> Program:
    program = Program(workspace_id=workspace_id, name=name, slug=slug, state=ProgramState.RUNNING,
                      start_date=date(2026, 1, 5), meeting_weekday=2, meeting_time="10:00", timezone="Asia/Jakarta",
                      weeks=12, size_min=3, seats=8, created_at=SATURDAY - timedelta(days=30))
    uow.programs.add(program)
    await uow.flush()
    return program


async def seed(app: App, *, team: str, other_team: str) -> Seeded:
    """Circle A met at every session (session 1 by check-ins only; U3 at none of the last two); circle B met at
    session 0 only and has no moderator. Themes with votes, a waitlisted and an invited person, and deliveries."""
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=team, now=SATURDAY)
        other = await uow.workspaces.get_or_create(platform="slack", external_id=other_team, now=SATURDAY)
        wid = workspace.id or 0
        program = await _program(uow, workspace_id=wid, name="Leadership <Circles>", slug="leadership")
        secret = await _program(uow, workspace_id=other.id or 0, name="Other tenant's secret", slug="secret")
        pid = program.id or 0
        ids = {}
        for user in [*CIRCLE_A, *CIRCLE_B, "U7", "U8"]:
            member = await uow.members.get_or_create(workspace_id=wid, external_id=user, now=SATURDAY)
            ids[user] = member.id or 0
            status = {"U7": EnrollmentStatus.WAITLISTED, "U8": EnrollmentStatus.INVITED}.get(user,
                                                                                          EnrollmentStatus.ACTIVE)
            uow.session.add(Enrollment(workspace_id=wid, program_id=pid, member_id=ids[user], status=status,
                                       joined_at=SATURDAY - timedelta(days=20)))
        circles = []
        for name, users, moderator in (("Circle A", CIRCLE_A, "U1"), ("Circle B", CIRCLE_B, None)):
            circle = Circle(workspace_id=wid, program_id=pid, name=name, space=f"slack:{team}:space:C{name[-1]}",
                            moderator_member_id=ids[moderator] if moderator else None, created_at=SATURDAY)
            uow.circles.add(circle)
            await uow.flush()
            circles.append(circle.id or 0)
            for user in users:
                uow.circles.add(CircleMember(workspace_id=wid, program_id=pid, circle_id=circle.id or 0,
                                             member_id=ids[user], joined_at=SATURDAY - timedelta(days=20)))
        a, b = circles

        def log(circle_id: int, index: int, came: list[str]) -> SessionLog:
            return SessionLog(workspace_id=wid, program_id=pid, circle_id=circle_id, session_index=index,
                              attendee_member_ids=[ids[u] for u in came], outcomes="", created_at=SATURDAY,
                              updated_at=SATURDAY)

        def checkin(circle_id: int, user: str, index: int) -> CheckIn:
            return CheckIn(workspace_id=wid, program_id=pid, circle_id=circle_id, member_id=ids[user],
                           session_index=index, attended=True, usefulness=4, created_at=SATURDAY,
                           updated_at=SATURDAY)

        uow.session.add_all([log(a, 0, CIRCLE_A), log(b, 0, CIRCLE_B[:2]), log(a, 2, CIRCLE_A[:2]),
                             checkin(a, "U1", 1), checkin(a, "U2", 1), checkin(b, "U4", 0)])
        theme = Theme(workspace_id=wid, program_id=pid, title="<script>alert(1)</script> Feedback", title_key="fb",
                      status="selected", created_at=SATURDAY)
        uow.session.add(theme)
        await uow.flush()
        uow.session.add_all([ThemeVote(workspace_id=wid, program_id=pid, theme_id=theme.id or 0, member_id=ids[u],
                                       created_at=SATURDAY) for u in ("U1", "U2", "U4")])
        _deliveries(uow, wid, other.id or 0, team)
        await uow.commit()
        return Seeded(program_id=pid, other_program_id=secret.id or 0, workspace_id=wid)


def _deliveries(uow: UnitOfWork, wid: int, other_wid: int, team: str) -> None:
    """Three due and unsent (the oldest 3 hours late), one for later, two failed with a reason, one sent; and the
    other workspace's failures, which this workspace's page must not count."""
    rows = [
        ("prompt", DeliveryStatus.PENDING, SATURDAY - timedelta(hours=3), None),
        ("checkin", DeliveryStatus.PENDING, SATURDAY - timedelta(minutes=30), None),
        ("checkin", DeliveryStatus.SENDING, SATURDAY - timedelta(minutes=5), None),
        ("digest", DeliveryStatus.PENDING, SATURDAY + timedelta(days=2), None),
        ("poll", DeliveryStatus.FAILED, SATURDAY - timedelta(days=1), "SlackApiError: channel_not_found"),
        ("poll", DeliveryStatus.FAILED, SATURDAY - timedelta(days=2), "SlackApiError: channel_not_found"),
        ("prompt", DeliveryStatus.SENT, SATURDAY - timedelta(days=1), None),
    ]
    for index, (kind, status, due, error) in enumerate(rows):
        uow.session.add(Delivery(workspace_id=wid, key=f"seed:{index}", kind=kind,
                                 target=f"slack:{team}:channel:C{index}", status=status, due_at=due,
                                 last_error=error, created_at=due))
    for index in range(5):
        uow.session.add(Delivery(workspace_id=other_wid, key=f"other:{index}", kind="welcome",
                                 target="slack:TOTHER:user:U9", status=DeliveryStatus.FAILED,
                                 due_at=SATURDAY - timedelta(hours=1), last_error="other tenant's failure",
                                 created_at=SATURDAY))


async def seed_pair_program(app: App, *, team: str) -> int:
    """A 1-on-1 program in `team` with two pairs from 5 January: the first met at every meeting, the second never
    answered. Returns the program's id."""
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=team, now=SATURDAY)
        wid = workspace.id or 0
        program = await _program(uow, workspace_id=wid, name="Mentoring 1-on-1", slug="mentoring")
        program.format = "one_on_one"
        uow.session.add(program)
        ids = []
        for user in ("UMENTOR1", "UMENTEE1", "UMENTOR2", "UMENTEE2"):
            member = await uow.members.get_or_create(workspace_id=wid, external_id=user, now=SATURDAY)
            ids.append(member.id or 0)
            uow.session.add(Enrollment(workspace_id=wid, program_id=program.id or 0, member_id=member.id or 0,
                                       role="mentor" if "MENTOR" in user else "mentee",
                                       joined_at=SATURDAY - timedelta(days=20)))
        pairs = [Pair(workspace_id=wid, program_id=program.id or 0, mentor_member_id=ids[i],
                      mentee_member_id=ids[i + 1], started_at=SATURDAY - timedelta(days=20), space="")
                 for i in (0, 2)]
        uow.session.add_all(pairs)
        await uow.flush()
        uow.session.add_all([PairCheckIn(workspace_id=wid, program_id=program.id or 0, pair_id=pairs[0].id or 0,
                                         member_id=member_id, meeting_index=index, met=True, usefulness=4,
                                         progress="", created_at=SATURDAY, updated_at=SATURDAY)
                             for index in range(3) for member_id in ids[:2]])
        await uow.commit()
        return program.id or 0
