"""Running circles built straight from the tables (formation is not under test here), and a tiny deliverer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.ports import Target
from storage.tables import (
    Circle,
    CircleMember,
    Delivery,
    ModeratorMode,
    Program,
    ProgramFormat,
    ProgramState,
    Theme,
    ThemeStatus,
)
from tests.helpers import WORKSPACE


@dataclass
class Person:
    user: str
    timezone: str = "Asia/Jakarta"
    locale: str = "en"
    work: tuple[int, int] = (9, 17)


@dataclass
class World:
    program_id: int
    circle_id: int
    space: str  # the circle channel's Target key
    members: dict[str, int] = field(default_factory=dict)  # user id -> member id


async def build_circle(
    app: App, *, slug: str, timezone: str, weekday: int, at: str, start: date, people: list[Person],
    moderator: str | None, theme: str = "Leadership for new managers", weeks: int = 12,
    checkins_by_dm: bool = False, video_link: str = "https://meet.example/abc", created: datetime | None = None,
) -> World:
    now = created or app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="local", external_id=WORKSPACE, now=now)
        wid = workspace.id or 0
        program = Program(workspace_id=wid, name=f"Program {slug}", slug=slug, format=ProgramFormat.CIRCLES,
                          state=ProgramState.RUNNING, start_date=start, weeks=weeks, meeting_weekday=weekday,
                          meeting_time=at, timezone=timezone, video_link=video_link, checkins_by_dm=checkins_by_dm,
                          moderator_mode=ModeratorMode.APPOINTED, created_at=now)
        uow.programs.add(program)
        await uow.flush()
        topic = Theme(workspace_id=wid, program_id=program.id or 0, title=theme, title_key=f"{slug}-{theme}".lower(),
                      status=ThemeStatus.SELECTED, created_at=now)
        uow.session.add(topic)
        await uow.flush()
        space = Target(platform="local", workspace_id=WORKSPACE, kind="space", ref=f"circle-{slug}").key()
        circle = Circle(workspace_id=wid, program_id=program.id or 0, theme_id=topic.id, name=f"Circle {slug}",
                        space=space, created_at=now)
        uow.session.add(circle)
        await uow.flush()
        world = World(program_id=program.id or 0, circle_id=circle.id or 0, space=space)
        for admin in sorted(app.services.config.admins):  # whoever set the program up has used Lingkar here
            await uow.members.get_or_create(workspace_id=wid, external_id=admin, now=now,
                                            defaults={"display_name": f"Name {admin}"})
        for person in people:
            member = await uow.members.get_or_create(workspace_id=wid, external_id=person.user, now=now, defaults={
                "display_name": f"Name {person.user}", "timezone": person.timezone, "locale": person.locale,
                "work_start_hour": person.work[0], "work_end_hour": person.work[1]})
            world.members[person.user] = member.id or 0
            await uow.enrollments.enroll(workspace_id=wid, program_id=program.id or 0, member_id=member.id or 0,
                                         now=now)
            uow.session.add(CircleMember(workspace_id=wid, program_id=program.id or 0, circle_id=circle.id or 0,
                                         member_id=member.id or 0, joined_at=now))
        if moderator is not None:
            circle.moderator_member_id = world.members[moderator]
            uow.session.add(circle)
        await uow.commit()
    return world


async def deliveries(app: App, *, kinds: tuple[str, ...] = ("prompt", "reminder", "checkin", "flag"),
                     after_id: int = 0) -> list[Delivery]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Delivery).where(col(Delivery.kind).in_(kinds),
                                                                   col(Delivery.id) > after_id)
                                            .order_by(col(Delivery.id)))).all())
