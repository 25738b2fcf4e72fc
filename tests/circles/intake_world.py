"""A running circle program with several formed circles, built straight from the tables like world.py, for the
intake tests: late joiners, waiting members, `circle add` and `circle merge`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.message_codec import decode
from bot.kernel.ports import Target
from storage.tables import (
    Circle,
    CircleMember,
    CircleMemberStatus,
    Delivery,
    ModeratorMode,
    Program,
    ProgramFormat,
    ProgramState,
    Theme,
    ThemeStatus,
    ThemeVote,
)
from storage.uow import UnitOfWork
from tests.circles.world import Person
from tests.helpers import WORKSPACE, enroll, form_of, say, submit

START = date(2026, 1, 5)  # Monday; circles meet on Wednesdays at 10:00 in Jakarta (03:00 UTC)
FIRST_SESSION = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)
NEW_YORK = {"timezone": "America/New_York", "work_start_hour": "9", "work_end_hour": "17"}  # 03:00 UTC is night


@dataclass
class Arena:
    program_id: int
    slug: str
    circles: dict[str, int] = field(default_factory=dict)  # circle name -> id
    spaces: dict[str, str] = field(default_factory=dict)  # circle name -> its channel's Target key
    themes: dict[str, int] = field(default_factory=dict)  # theme title -> id
    members: dict[str, int] = field(default_factory=dict)  # user id -> member id


async def running_program(app: App, *, circles: dict[str, list[Person]], slug: str = "growth", size_min: int = 3,
                          size_max: int = 4, workspace: str = WORKSPACE) -> Arena:
    """Circles named "<theme> <n>", each with its own theme row; the first person of each moderates it."""
    now = app.services.clock.now()
    async with app.uow() as uow:
        space = await uow.workspaces.get_or_create(platform="local", external_id=workspace, now=now)
        wid = space.id or 0
        program = Program(workspace_id=wid, name=f"Program {slug}", slug=slug, format=ProgramFormat.CIRCLES,
                          state=ProgramState.RUNNING, start_date=START, weeks=12, meeting_weekday=2,
                          meeting_time="10:00", timezone="Asia/Jakarta", size_min=size_min,
                          size_target=size_min, size_max=size_max, moderator_mode=ModeratorMode.APPOINTED,
                          video_link="https://meet.example/abc", created_at=now)
        uow.programs.add(program)
        await uow.flush()
        arena = Arena(program_id=program.id or 0, slug=slug)
        for admin in sorted(app.services.config.admins):
            await uow.members.get_or_create(workspace_id=wid, external_id=admin, now=now,
                                            defaults={"display_name": f"Name {admin}"})
        for name, people in circles.items():
            title = name.rsplit(" ", 1)[0]
            if title not in arena.themes:
                theme = Theme(workspace_id=wid, program_id=arena.program_id, title=title,
                              title_key=f"{slug}-{title}".lower(), status=ThemeStatus.SELECTED, created_at=now)
                uow.session.add(theme)
                await uow.flush()
                arena.themes[title] = theme.id or 0
            key = Target(platform="local", workspace_id=workspace, kind="space", ref=f"{slug}-{name}").key()
            circle = Circle(workspace_id=wid, program_id=arena.program_id, theme_id=arena.themes[title], name=name,
                            space=key, capacity=size_max, created_at=now)
            uow.session.add(circle)
            await uow.flush()
            arena.circles[name], arena.spaces[name] = circle.id or 0, key
            for person in people:
                member_id = await _enrolled(uow, wid, arena, person, now)
                uow.session.add(CircleMember(workspace_id=wid, program_id=arena.program_id, circle_id=circle.id or 0,
                                             member_id=member_id, joined_at=now,
                                             why={"code": "first_choice", "rank": 1}))
            circle.moderator_member_id = arena.members[people[0].user] if people else None
            uow.session.add(circle)
        await uow.commit()
    return arena


async def _enrolled(uow: UnitOfWork, wid: int, arena: Arena, person: Person, now: datetime) -> int:
    member = await uow.members.get_or_create(workspace_id=wid, external_id=person.user, now=now, defaults={
        "display_name": f"Name {person.user}", "timezone": person.timezone, "locale": person.locale,
        "work_start_hour": person.work[0], "work_end_hour": person.work[1]})
    arena.members[person.user] = member.id or 0
    await uow.enrollments.enroll(workspace_id=wid, program_id=arena.program_id, member_id=member.id or 0, now=now)
    return int(member.id or 0)


async def enrolled_without_circle(app: App, arena: Arena, person: Person) -> None:
    """An enrolled member nobody has placed (formation left them out, or they were never in line)."""
    now = app.services.clock.now()
    async with app.uow() as uow:
        space = await uow.workspaces.get_or_create(platform="local", external_id=WORKSPACE, now=now)
        await _enrolled(uow, space.id or 0, arena, person, now)
        await uow.commit()


async def voted(app: App, arena: Arena, user: str, titles: list[str], *, locale: str = "en") -> None:
    """A member who approved these themes while enrollment was open (in this order)."""
    now = app.services.clock.now()
    async with app.uow() as uow:
        space = await uow.workspaces.get_or_create(platform="local", external_id=WORKSPACE, now=now)
        member = await uow.members.get_or_create(workspace_id=space.id or 0, external_id=user, now=now,
                                                 defaults={"display_name": user, "locale": locale})
        arena.members[user] = member.id or 0
        for title in titles:
            uow.session.add(ThemeVote(workspace_id=space.id or 0, program_id=arena.program_id,
                                      theme_id=arena.themes[title], member_id=member.id or 0, created_at=now))
            await uow.flush()
        await uow.commit()


async def join_late(app: App, arena: Arena, user: str, *, locale: str = "en", **profile: str) -> str:
    """`join <program>` and the profile form, as a member does it."""
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=arena.program_id)
    assert program is not None
    replies = await enroll(app, user, program, locale=locale, **profile)
    return "\n".join(r.message.text for r in replies if hasattr(r, "message"))


async def leave_circle(app: App, user: str) -> None:
    opened = form_of(await say(app, user, "circle leave"))
    await submit(app, user, opened.form.form_id, {"reason": ""}, state=opened.form.state)


async def placed_in(app: App, arena: Arena, user: str) -> str | None:
    """The name of the circle the member has an active place in, if any."""
    async with app.uow() as uow:
        member = await uow.members.by_external_id(workspace_id=1, external_id=user)
        assert member is not None
        rows = await uow.circles.membership_of(workspace_id=1, member_id=member.id or 0, program_id=arena.program_id)
    names = {v: k for k, v in arena.circles.items()}
    active = [names.get(r.circle_id) for r in rows if r.status == CircleMemberStatus.ACTIVE]
    return active[0] if active else None


async def sizes(app: App, arena: Arena) -> dict[str, int]:
    async with app.uow() as uow:
        return {name: len(await uow.circles.memberships(circle_id=cid)) for name, cid in arena.circles.items()}


async def sent_to(app: App, target: str, *, kind: str | None = None) -> list[str]:
    """Texts of deliveries queued for a target key (a user's or a circle's)."""
    async with app.uow() as uow:
        query = select(Delivery).where(Delivery.target == target).order_by(col(Delivery.id))
        rows = (await uow.session.exec(query)).all()
    return [decode(r.payload).text for r in rows if kind is None or r.kind == kind]


async def space_changes(app: App) -> list[Delivery]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Delivery).where(Delivery.kind == "space_change")
                                            .order_by(col(Delivery.id)))).all())


def dm_target(user: str) -> str:
    return Target(platform="local", workspace_id=WORKSPACE, kind="user", ref=user).key()
