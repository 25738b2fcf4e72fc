"""Issue 16 item 2, "programs always have a home", through the core on a Teams workspace: `program create` in a
personal chat asks which team channel (or gives the steps), `program channel` sets or changes it and re-opens the
circles that waited, and formation never reports circles with nowhere to meet as a plain success."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action, Actor, Command, FormSubmitted, FormValue
from bot.kernel.ports import DeliveryError, SpaceRef, Target
from bot.kernel.replies import OpenForm, Reply, Response
from scheduler.deliver import deliver_due
from storage.tables import DeliveryStatus, Program
from tests.conftest import Database, started_app
from tests.helpers import PROFILE, plan, text_of

TENANT = "T1"
DM = Target(platform="teams", workspace_id=TENANT, kind="user", ref="UADMIN")
CHANNEL_REF = "19:mentoring@thread.tacv2"
OTHER_REF = "19:general@thread.tacv2"


@dataclass
class TeamsWithoutGraph(LocalMessenger):
    """As adapters/teams/messenger.py without Microsoft Graph: a circle's thread opens only in a channel."""

    parents: list[Target | None] = field(default_factory=list)

    async def open_space(self, *, workspace_id: str, platform: str, name: str, members: list[str],
                         private: bool = True, parent: Target | None = None, group_chat: bool = False) -> SpaceRef:
        self.parents.append(parent)
        if parent is None:
            raise DeliveryError("a Teams circle needs a channel: create the program from a team channel",
                                permanent=True)
        return await super().open_space(workspace_id=workspace_id, platform=platform, name=name, members=members,
                                         private=private, parent=parent, group_chat=group_chat)


@pytest.fixture
def teams() -> TeamsWithoutGraph:
    return TeamsWithoutGraph()


@pytest.fixture
async def app(database: Database, clock: ManualClock, teams: TeamsWithoutGraph) -> AsyncIterator[App]:
    async with started_app(database, clock, {"teams": teams}) as built:
        yield built


def who(user: str, locale: str = "en") -> Actor:
    return Actor(platform="teams", workspace_id=TENANT, user_id=user, display_name=user, locale=locale)


async def say(app: App, user: str, text: str, *, where: Target | None = None, locale: str = "en") -> list[Response]:
    here = where or Target(platform="teams", workspace_id=TENANT, kind="user", ref=user)
    return await app.core.handle(Command(who(user, locale), text, where=here))


async def press(app: App, user: str, action_id: str) -> list[Response]:
    return await app.core.handle(Action(who(user), action_id, where=DM))


async def submit(app: App, user: str, form_id: str, values: dict[str, FormValue], state: str) -> list[Response]:
    return await app.core.handle(FormSubmitted(who(user), form_id, state=state, values=values, where=DM))


def buttons_of(responses: list[Response]) -> list[tuple[str, str]]:
    from bot.kernel.messages import Buttons

    return [(b.label, b.action_id) for r in responses if isinstance(r, Reply) for block in r.message.blocks
            if isinstance(block, Buttons) for b in block.buttons]


async def lingkar_in_channels(app: App, clock: ManualClock) -> None:
    """What the Teams adapter stores when Lingkar is added to a team: every channel, by name."""
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="teams", external_id=TENANT, now=clock.now())
        for ref, name in ((CHANNEL_REF, "Mentoring"), (OTHER_REF, "General")):
            await uow.conversations.save(workspace_id=workspace.id or 0, scope="channel", key=ref, reference={},
                                         now=clock.now(), name=name)
        await uow.conversations.save(workspace_id=workspace.id or 0, scope="channel", key="19:chat@thread.v2",
                                     reference={}, now=clock.now())  # a group chat: no name, no home
        await uow.commit()


def program_values(clock: ManualClock, name: str = "Leadership Circles") -> dict[str, FormValue]:
    return {"name": name, "goal": "Grow leaders", "start_date": clock.now().date().isoformat(), "weeks": "12",
            "cadence": "weekly", "meeting_weekday": "2", "meeting_time": "10:00", "timezone": "Asia/Jakarta",
            "size_min": "3", "size_target": "3", "size_max": "4", "moderator_mode": "elected",
            "participation": "voluntary", "theme_mode": "employee_voted"}


async def the_program(app: App) -> Program:
    async with app.uow() as uow:
        programs = await uow.programs.all_in(workspace_id=1)
        assert len(programs) == 1
        return programs[0]


async def test_create_in_a_personal_chat_without_any_channel_gives_the_steps(app: App) -> None:
    english = text_of(await say(app, "UADMIN", "program create"))
    assert "Lingkar is not in any team channel yet" in english
    assert "add Lingkar to the team" in english and "`@Lingkar program create`" in english
    indonesian = text_of(await say(app, "UADMIN", "program create", locale="id"))
    assert "belum ada di saluran tim mana pun" in indonesian and "tambahkan Lingkar ke tim itu" in indonesian
    assert await the_program_count(app) == 0


async def the_program_count(app: App) -> int:
    async with app.uow() as uow:
        return len(await uow.programs.all_in(workspace_id=1))


async def test_create_in_a_personal_chat_asks_which_channel_and_the_program_lives_there(
        app: App, clock: ManualClock) -> None:
    await lingkar_in_channels(app, clock)
    asked = await say(app, "UADMIN", "program create peer")
    assert "Which team channel should the new program live in?" in text_of(asked)
    choices = buttons_of(asked)
    assert choices == [("General", f"program.home:peer|{OTHER_REF}"), ("Mentoring", f"program.home:peer|{CHANNEL_REF}")]
    opened = [r for r in await press(app, "UADMIN", choices[1][1]) if isinstance(r, OpenForm)]
    assert len(opened) == 1 and opened[0].form.state == f"teams:{TENANT}:channel:{CHANNEL_REF}"
    created = await submit(app, "UADMIN", opened[0].form.form_id, {**program_values(clock), "format": "peer"},
                           state=opened[0].form.state)
    assert "created as a draft" in text_of(created) and "no team channel" not in text_of(created)
    assert (await the_program(app)).announcement_target == f"teams:{TENANT}:channel:{CHANNEL_REF}"


async def test_forged_choices_and_members_change_nothing(app: App, clock: ManualClock) -> None:
    await lingkar_in_channels(app, clock)
    stale = "That button or form is out of date"
    assert stale in text_of(await press(app, "UADMIN", "program.home:circles|19:chat@thread.v2"))  # no home
    assert stale in text_of(await press(app, "UADMIN", "program.home:circles|19:elsewhere@thread.tacv2"))
    assert stale in text_of(await press(app, "UADMIN", f"program.home:nonsense|{CHANNEL_REF}"))
    assert stale in text_of(await press(app, "UADMIN", "program.home:circles"))
    assert "only lingkar admins" in text_of(await press(app, "U1", f"program.home:circles|{CHANNEL_REF}")).lower()
    assert "only lingkar admins" in text_of(await say(app, "U1", "program channel anything")).lower()


async def test_program_channel_sets_and_changes_the_home(app: App, clock: ManualClock) -> None:
    await lingkar_in_channels(app, clock)
    opened = [r for r in await submit(app, "UADMIN", "program.create", program_values(clock), state="")]
    assert "has no team channel yet" in text_of(opened)  # a form opened before the question: said, not hidden
    here = Target(platform="teams", workspace_id=TENANT, kind="channel", ref=OTHER_REF)
    moved = text_of(await say(app, "UADMIN", "program channel leadership-circles", where=here))
    assert "Leadership Circles now lives in General" in moved
    assert (await the_program(app)).announcement_target == here.key()
    assert "already lives in General" in text_of(await say(app, "UADMIN", "program channel leadership-circles",
                                                           where=here))
    asked = await say(app, "UADMIN", "program kanal leadership-circles")  # the Indonesian alias, in a DM
    assert "Which team channel should Leadership Circles live in?" in text_of(asked)
    program = await the_program(app)
    assert ("Mentoring", f"program.move:{program.id}|{CHANNEL_REF}") in buttons_of(asked)
    assert "now lives in Mentoring" in text_of(await press(app, "UADMIN", f"program.move:{program.id}|{CHANNEL_REF}"))
    assert (await the_program(app)).announcement_target == f"teams:{TENANT}:channel:{CHANNEL_REF}"
    assert "out of date" in text_of(await press(app, "UADMIN", f"program.move:999|{CHANNEL_REF}"))
    assert "Say which program" in text_of(await say(app, "UADMIN", "program channel"))
    group_chat = Target(platform="teams", workspace_id=TENANT, kind="channel", ref="19:chat@thread.v2")
    refused = text_of(await say(app, "UADMIN", "program channel leadership-circles", where=group_chat))
    assert "This is not a team channel Lingkar knows" in refused
    assert (await the_program(app)).announcement_target == f"teams:{TENANT}:channel:{CHANNEL_REF}"  # unchanged


async def form_circles(app: App, clock: ManualClock, *, home: str = "") -> str:
    """A program (by default one created before `program create` asked for a channel) formed into two circles."""
    await submit(app, "UADMIN", "program.create", program_values(clock), state=home)
    await say(app, "UADMIN", "program open leadership-circles")
    users = [f"U{i}" for i in range(6)]
    for user in users:
        form = next(r for r in await say(app, user, "join leadership-circles") if isinstance(r, OpenForm)).form
        await app.core.handle(FormSubmitted(who(user), "profile", state=form.state, values=dict(PROFILE)))
    await say(app, "U0", "theme propose Feedback")
    for user in users:
        await say(app, user, "theme vote 1")
    await say(app, "UADMIN", "program close leadership-circles")
    return text_of(await say(app, "UADMIN", "program form leadership-circles"))


async def test_formation_without_a_home_says_so_and_program_channel_fixes_it(
        app: App, clock: ManualClock, teams: TeamsWithoutGraph) -> None:
    formed = await form_circles(app, clock)
    assert "2 circles formed" in formed
    assert "But 2 of these 2 circles have no space yet, so their members have not been welcomed" in formed
    assert "`@Lingkar program channel leadership-circles`" in formed
    assert teams.parents == [None, None] and not teams.spaces
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock, worker_id="t")
    told = [s.message.text for s in teams.sent if s.target.ref == "UADMIN"]
    assert any("Circle" in text and "has no team channel for its circles to meet in" in text
               and "`@Lingkar program channel leadership-circles`" in text for text in told), told
    await lingkar_in_channels(app, clock)
    here = Target(platform="teams", workspace_id=TENANT, kind="channel", ref=CHANNEL_REF)
    moved = text_of(await say(app, "UADMIN", "program channel leadership-circles", where=here))
    assert "The spaces of 2 circles that had none are being opened there now" in moved
    await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock, worker_id="t")
    assert teams.parents[2:] == [here, here] and len(teams.spaces) == 2
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    async with app.uow() as uow:
        circles = await uow.circles.of_program(workspace_id=1, program_id=1)
        assert all(c.space for c in circles)
        rows = [await uow.outbox.by_key(key=f"welcome:{c.id}") for c in circles]
    assert all(row is not None and row.status in (DeliveryStatus.PENDING, DeliveryStatus.SENT) for row in rows)


async def test_a_program_with_a_home_reports_plain_success(app: App, clock: ManualClock,
                                                           teams: TeamsWithoutGraph) -> None:
    await lingkar_in_channels(app, clock)
    here = Target(platform="teams", workspace_id=TENANT, kind="channel", ref=CHANNEL_REF)
    formed = await form_circles(app, clock, home=here.key())
    assert "2 circles formed" in formed and "no space" not in formed
    assert teams.parents[:2] == [here, here]


async def test_slack_keeps_creating_in_a_dm_and_takes_a_named_channel(app: App, clock: ManualClock) -> None:
    """Slack opens a private channel per circle wherever the program lives: a DM `program create` opens the form
    at once (today's behaviour), and `program channel` also takes a channel named in the command."""
    slack = Actor(platform="slack", workspace_id="T0SLACK", user_id="UADMIN", display_name="Admin", locale="en")
    in_dm = Target(platform="slack", workspace_id="T0SLACK", kind="user", ref="UADMIN")
    opened = [r for r in await app.core.handle(Command(slack, "program create", where=in_dm))
              if isinstance(r, OpenForm)]
    assert len(opened) == 1 and opened[0].form.state == ""
    created = await app.core.handle(FormSubmitted(slack, "program.create", state="", values=program_values(clock),
                                                  where=in_dm))
    assert "created as a draft" in text_of(created) and "no team channel" not in text_of(created)
    moved = await app.core.handle(Command(slack, "program channel leadership-circles <#C0HOME|mentoring>",
                                          where=in_dm))
    assert "Leadership Circles now lives in #mentoring" in text_of(moved)
    unnamed = await app.core.handle(Command(slack, "program channel leadership-circles", where=in_dm))
    assert "`program channel <program> #channel`" in text_of(unnamed)  # no Teams steps on Slack
    assert (await the_program(app)).announcement_target == "slack:T0SLACK:channel:C0HOME"
