"""A circle's space opens exactly once whatever Slack answers: 429s and 500s are retried, a channel Slack created
is reused, nobody is invited twice, and a permanent refusal reaches the admins until `circle retry` fixes it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.events import Actor, Command
from bot.kernel.replies import Reply, Response
from scheduler.deliver import deliver_due
from storage.tables import Circle, ModeratorMode, Program, ProgramFormat, ProgramState, Theme, ThemeStatus, ThemeVote
from tests.helpers import plan
from tests.slack.conftest import TEAM, lingkar, mock_slack, sleeps  # noqa: F401  (fixtures)
from tests.slack.mock_slack import MockSlack

SPACE_CALLS = ("conversations.create", "conversations.invite", "conversations.members", "conversations.list")
PEOPLE = [f"UM{i:02d}" for i in range(40)]


async def forming_program(app: App, mock: MockSlack) -> None:
    """40 Slack members enrolled in a circles program waiting for `program form`, two themes voted."""
    now = app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
        wid = workspace.id or 0
        program = Program(workspace_id=wid, name="Leadership Circles", slug="leadership", format=ProgramFormat.CIRCLES,
                          state=ProgramState.FORMING, start_date=now.date(), weeks=12, meeting_weekday=2,
                          meeting_time="10:00", timezone="Asia/Jakarta", size_min=3, size_target=4, size_max=5,
                          moderator_mode=ModeratorMode.APPOINTED, created_at=now)
        uow.programs.add(program)
        await uow.flush()
        themes = [Theme(workspace_id=wid, program_id=program.id or 0, title=title, title_key=title.lower(),
                        status=ThemeStatus.SELECTED, created_at=now) for title in ("Feedback", "Delegation")]
        for theme in themes:
            uow.session.add(theme)
        await uow.flush()
        await uow.members.get_or_create(workspace_id=wid, external_id="UADMIN", now=now,
                                        defaults={"display_name": "Dewi Admin", "locale": "en"})
        for index, user in enumerate(PEOPLE):
            mock.add_user(user, name=f"Person {index}")
            member = await uow.members.get_or_create(workspace_id=wid, external_id=user, now=now,
                                                     defaults={"display_name": f"Person {index}"})
            await uow.enrollments.enroll(workspace_id=wid, program_id=program.id or 0, member_id=member.id or 0,
                                         now=now)
            uow.session.add(ThemeVote(workspace_id=wid, program_id=program.id or 0, member_id=member.id or 0,
                                      theme_id=themes[index % 2].id or 0, created_at=now))
        await uow.commit()


async def admin_says(app: App, text: str) -> list[Response]:
    admin = Actor(platform="slack", workspace_id=TEAM, user_id="UADMIN", display_name="Dewi Admin", locale="en")
    return await app.core.handle(Command(admin, text))


async def run_the_service(app: App, clock: ManualClock, *, rounds: int = 12) -> None:
    """The scheduler's ticks, two hours apart: plan (which finishes spaces opened late), then deliver."""
    for _ in range(rounds):
        clock.advance(timedelta(hours=2))
        await plan(app.services.uow, now=clock.now(), config=app.services.config)
        await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=clock, worker_id="test")


async def circles_of(app: App) -> list[tuple[Circle, list[str]]]:
    async with app.uow() as uow:
        found = []
        for circle in await uow.circles.of_program(workspace_id=1, program_id=1):
            rows = await uow.circles.memberships(circle_id=circle.id or 0)
            members = await uow.members.many(workspace_id=1, member_ids=[r.member_id for r in rows])
            found.append((circle, sorted(m.external_id for m in members)))
        return found


def welcomes(mock: MockSlack) -> Counter[str]:
    return Counter(c.args["channel"] for c in mock.calls_to("chat.postMessage") if c.ok and "Welcome to" in c.text())


async def test_formation_under_429s_and_500s_opens_every_space_once(lingkar: App, mock_slack: MockSlack,  # noqa: F811
                                                                    clock: ManualClock) -> None:
    await forming_program(lingkar, mock_slack)
    mock_slack.flaky(SPACE_CALLS, throttled=0.3, broken=0.1, lost=0.5, seed=13)
    # A post whose answer is lost is posted again by any client (Slack has no idempotency key for posts), so
    # welcomes fail only before Slack acts.
    mock_slack.flaky(("chat.postMessage",), throttled=0.3, broken=0.1, lost=0.0)
    for method in ("conversations.create", "conversations.invite"):  # at least once each, whatever the seed
        mock_slack.lose_answers(method, times=2)
    await admin_says(lingkar, "program form leadership")
    await run_the_service(lingkar, clock)

    circles = await circles_of(lingkar)
    assert len(circles) >= 8
    struck = [c for c in mock_slack.calls if c.method in SPACE_CALLS and c.status in (429, 500)]
    assert len([c for c in struck if c.status == 500]) >= 3, "the double must really have failed"
    created = [c for c in mock_slack.channels.values() if c.creator == mock_slack.bot_user]
    assert len(created) == len(circles), "a channel was created twice"
    assert len({c.name for c in created}) == len(created)
    for circle, members in circles:
        assert circle.space, f"{circle.name} has no space"
        channel = mock_slack.channels[circle.space.rsplit(":", 1)[-1]]
        assert channel.name == "leadership-" + circle.name.lower().replace(" ", "-")  # its own name, no "-2"
        assert sorted(channel.members) == sorted([mock_slack.bot_user, *members])
        assert welcomes(mock_slack)[channel.id] == 1
    invites = [c for c in mock_slack.calls_to("conversations.invite") if c.ok]
    invited = Counter(u for c in invites for u in c.args["users"].split(","))
    assert set(invited.values()) <= {1}, "someone was invited twice"
    refused = [c for c in mock_slack.calls_to("conversations.invite") if c.status == 200 and not c.ok]
    assert refused == [], "an invitation went to someone already in the channel"


async def test_a_permanent_refusal_tells_the_admins_and_circle_retry_fixes_it(
        lingkar: App, mock_slack: MockSlack, clock: ManualClock) -> None:  # noqa: F811
    await forming_program(lingkar, mock_slack)
    mock_slack.fail("conversations.create", "missing_scope", times=1)
    await admin_says(lingkar, "program form leadership")
    await run_the_service(lingkar, clock, rounds=2)

    circles = await circles_of(lingkar)
    lacking = [c for c, _ in circles if not c.space]
    assert len(lacking) == 1 and all(c.space for c, _ in circles if c not in lacking)
    broken = lacking[0]
    notices = [c.text() or str(c.args.get("text")) for c in mock_slack.calls_to("chat.postMessage")
               if c.args["channel"] == "DUADMIN"]
    told = [n for n in notices if broken.name in n and "missing_scope" in n]
    assert len(told) == 1, notices  # the real cause, once, with the command that fixes it
    assert f"circle retry {broken.id}" in told[0]

    answer = await admin_says(lingkar, f"circle retry {broken.id}")
    assert isinstance(answer[0], Reply) and "again" in answer[0].message.text
    await run_the_service(lingkar, clock, rounds=2)
    circles = await circles_of(lingkar)
    fixed = next(c for c, _ in circles if c.id == broken.id)
    assert fixed.space
    assert welcomes(mock_slack)[fixed.space.rsplit(":", 1)[-1]] == 1
    again = await admin_says(lingkar, f"circle retry {broken.id}")
    assert isinstance(again[0], Reply) and "already has its space" in again[0].message.text
