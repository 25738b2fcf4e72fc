"""A circle's thread on Teams opens exactly once whatever the connector answers: 429s and 500s are retried (in the
call, then by the deliverer), every member is mentioned once, and a 403 reaches the admins until the bot is back in
the team and `circle retry` fixes it."""

from __future__ import annotations

from collections import Counter

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.events import Actor, Command
from bot.kernel.ports import Target
from bot.kernel.replies import Reply, Response
from storage.tables import Circle, ModeratorMode, Program, ProgramFormat, ProgramState, Theme, ThemeStatus, ThemeVote
from tests.circles.test_spaces_durable import circles_of, run_the_service
from tests.teams.activities import ADMIN, CHANNEL, TENANT, User, installed_in_team, installed_personally
from tests.teams.conftest import Teams
from tests.teams.helpers import make_admin
from tests.teams.mock_connector import Call, MockConnector

PEOPLE = [User(f"Person {i}", f"6b2f3c1e-0000-4000-8000-{i:012d}") for i in range(40)]
BY_TEAMS_ID = {u.teams_id: u.aad for u in PEOPLE}


async def forming_program(app: App, client: Teams, connector: MockConnector) -> None:
    """40 Teams members enrolled in a circles program announced in CHANNEL, waiting for `program form`."""
    connector.roster = [u.account for u in [*PEOPLE, ADMIN]]
    connector.channels = [{"id": CHANNEL, "name": "Circles"}]
    assert await client.post(installed_in_team(connector.url, ADMIN)) == 200  # roster and channels learnt
    assert await client.post(installed_personally(connector.url, ADMIN)) == 200  # where the admin hears from us
    now = app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="teams", external_id=TENANT, now=now)
        wid = workspace.id or 0
        program = Program(workspace_id=wid, name="Leadership Circles", slug="leadership", format=ProgramFormat.CIRCLES,
                          state=ProgramState.FORMING, start_date=now.date(), weeks=12, meeting_weekday=2,
                          meeting_time="10:00", timezone="Asia/Jakarta", size_min=3, size_target=4, size_max=5,
                          moderator_mode=ModeratorMode.APPOINTED, created_at=now,
                          announcement_target=Target(platform="teams", workspace_id=TENANT, kind="channel",
                                                     ref=CHANNEL).key())
        uow.programs.add(program)
        await uow.flush()
        themes = [Theme(workspace_id=wid, program_id=program.id or 0, title=title, title_key=title.lower(),
                        status=ThemeStatus.SELECTED, created_at=now) for title in ("Feedback", "Delegation")]
        for theme in themes:
            uow.session.add(theme)
        await uow.flush()
        await uow.members.get_or_create(workspace_id=wid, external_id=ADMIN.aad, now=now,
                                        defaults={"display_name": ADMIN.name, "locale": "en"})
        for index, user in enumerate(PEOPLE):
            member = await uow.members.get_or_create(workspace_id=wid, external_id=user.aad, now=now,
                                                     defaults={"display_name": user.name})
            await uow.enrollments.enroll(workspace_id=wid, program_id=program.id or 0, member_id=member.id or 0,
                                         now=now)
            uow.session.add(ThemeVote(workspace_id=wid, program_id=program.id or 0, member_id=member.id or 0,
                                      theme_id=themes[index % 2].id or 0, created_at=now))
        await uow.commit()
    await make_admin(app, ADMIN.aad)


async def admin_says(app: App, text: str) -> list[Response]:
    admin = Actor(platform="teams", workspace_id=TENANT, user_id=ADMIN.aad, display_name=ADMIN.name, locale="en")
    return await app.core.handle(Command(admin, text))


def threads(connector: MockConnector) -> list[Call]:
    """Threads the connector created in the channel (only calls it answered: a failed call creates nothing)."""
    return [c for c in connector.of("create") if (c.body.get("channelData") or {}).get("channel", {}).get("id")]


def mentioned(call: Call) -> list[str]:
    content = call.body["activity"]["attachments"][0]["content"]
    return [BY_TEAMS_ID[e["mentioned"]["id"]] for e in content["msteams"]["entities"]]


def welcomes(connector: MockConnector) -> Counter[str]:
    return Counter(c.conversation_id for c in connector.messages()
                   if c.conversation_id.startswith(f"{CHANNEL};messageid=") and "Welcome to" in c.text())


def space_of(circle: Circle) -> str:
    assert circle.space, f"{circle.name} has no space"
    return Target.from_key(circle.space).ref


async def test_formation_under_429s_and_500s_opens_every_thread_once(
        app: App, client: Teams, connector: MockConnector, clock: ManualClock) -> None:
    await forming_program(app, client, connector)
    connector.flaky(("create", "send", "reply"), throttled=0.3, broken=0.1, seed=13)
    await admin_says(app, "program form leadership")
    await run_the_service(app, clock)

    circles = await circles_of(app)
    assert len(circles) >= 8
    struck = Counter((status, call.kind) for status, call in connector.failed)
    assert struck[(500, "create")] >= 2 and struck[(429, "create")] >= 2, struck  # the double really failed
    created = threads(connector)
    assert len(created) == len(circles), "a thread was opened twice"
    for circle, _ in circles:
        thread = space_of(circle)
        assert thread.startswith(f"{CHANNEL};messageid=")
        assert welcomes(connector)[thread] == 1, f"{circle.name}: {welcomes(connector)[thread]} welcomes"
    everyone = Counter(aad for call in created for aad in mentioned(call))
    assert set(everyone.values()) == {1}, "someone was mentioned twice"
    assert sorted(everyone) == sorted(aad for _, members in circles for aad in members)
    assert all(sorted(mentioned(call)) in [m for _, m in circles] for call in created)


async def test_a_403_tells_the_admins_and_circle_retry_fixes_it(
        app: App, client: Teams, connector: MockConnector, clock: ManualClock) -> None:
    await forming_program(app, client, connector)
    connector.fail(403, kinds=("create",), conversation_id=CHANNEL)  # the bot was taken out of the team
    await admin_says(app, "program form leadership")
    await run_the_service(app, clock, rounds=2)

    circles = await circles_of(app)
    assert circles and all(not c.space for c, _ in circles)  # the channel refused: no thread anywhere
    assert threads(connector) == []
    notices = [c.text() for c in connector.to(ADMIN.personal) if "content" in c.body["attachments"][0]]
    for circle, _ in circles:
        told = [n for n in notices if circle.name in n and "removed from Teams channel" in n]
        assert len(told) == 1, notices  # the real cause, once, with the command that fixes it
        assert f"circle retry {circle.id}" in told[0]

    assert await client.post(installed_in_team(connector.url, ADMIN)) == 200  # the bot is back in the team
    for circle, _ in circles:
        answer = await admin_says(app, f"circle retry {circle.id}")
        assert isinstance(answer[0], Reply) and "again" in answer[0].message.text
    await run_the_service(app, clock, rounds=2)
    circles = await circles_of(app)
    assert len(threads(connector)) == len(circles)
    for circle, _ in circles:
        assert welcomes(connector)[space_of(circle)] == 1
    everyone = Counter(aad for call in threads(connector) for aad in mentioned(call))
    assert set(everyone.values()) == {1}
    again = await admin_says(app, f"circle retry {circles[0][0].id}")
    assert isinstance(again[0], Reply) and "already has its space" in again[0].message.text
