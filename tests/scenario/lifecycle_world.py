"""The lifecycle scenario's world: one invitation-only circle program from the org import to the alumni circle,
driven through the core as people and the scheduler would (every planner, then the real deliverer). Each step
records what people were answered (`said`) and where it ended in the platform's log (`marks`), for the checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger, Sent
from bot.kernel.events import FormValue
from bot.kernel.messages import Buttons, DateInput, Form, Message, MultiSelect
from scheduler.deliver import deliver_due
from tests.helpers import PROFILE, admin_creates_program, form_of, press, say, submit, text_of
from tests.org.support import csv_bytes, send_import
from tests.programs.intake_support import edit, program_named

NAME, SLUG = "Growth Circles", "growth-circles"
INVITED = [f"U{i}" for i in range(1, 9)]
DECLINER, LATE, BAHASA = "U8", "U9", "U3"  # U9 is invited once the program runs; U3 reads Indonesian
MEMBERS = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", LATE]
# HR's records: U1 and U5 are the most senior, so the appointed mode makes them the moderators; U1's manager is
# on record (MGR1), U5's is not. U4 is matched by the email the platform's directory knows.
ORG = {"U1": ("People", "MGR1", "lead"), "U2": ("Finance", "MGR2", "1"), "U3": ("Finance", "", "1"),
       "U4": ("Sales", "MGR1", "0"), "U5": ("Sales", "", "lead"), "U6": ("People", "", "1"),
       "U7": ("Finance", "MGR2", "0"), "U8": ("Sales", "", "1"), "U9": ("People", "", "0")}
VOTES = {"U1": "1", "U2": "1", "U3": "1 2", "U4": "2", "U5": "2", "U6": "1", "U7": "2"}
START_DATE = "2026-01-12"  # sessions on Wednesdays, 10:00 in Jakarta: 14, 21 and 28 January (03:00 UTC)
SESSIONS = [datetime(2026, 1, day, 3, 0, tzinfo=UTC) for day in (14, 21, 28)]
CLOSING_STARTS = SESSIONS[-1] + timedelta(hours=2)
CLOSING_ENDS = CLOSING_STARTS + timedelta(days=14)
CHECKINS = [["U1", "U2", "U3", "U4", "U5"], ["U1", "U2", "U4", LATE], ["U1", "U3", "U5", LATE]]  # by session
BEFORE = {"U2": "2", BAHASA: "2", LATE: "1"}  # self-assessments (public speaking, 1-5) before and after
AFTER = {"U2": "4", BAHASA: "3", LATE: "3"}
FINAL_POLL = ["U1", "U2", BAHASA, "U4", LATE]  # the others are reminded
MODERATORS = {"U1": "Giving feedback 1", "U5": "Career growth 1"}


@dataclass
class World:
    app: App
    local: LocalMessenger
    program_id: int = 0
    said: dict[str, str] = field(default_factory=dict)  # replies by step
    marks: dict[str, int] = field(default_factory=dict)  # len(local.sent) when each step ended

    def mark(self, step: str) -> None:
        self.marks[step] = len(self.local.sent)

    def sent(self, after: str, until: str | None = None) -> list[Sent]:
        """What the platform was given between two steps' marks (after `after`, up to `until` or now)."""
        return self.local.sent[self.marks[after]:self.marks[until] if until else None]

    def to(self, ref: str, after: str, until: str | None = None) -> list[Message]:
        return [s.message for s in self.sent(after, until) if s.target.ref == ref]

    def space_of(self, user: str) -> str:
        return next(name for name, people in self.local.spaces.items() if user in people and "alumni" not in name)


def actions(message: Message) -> list[str]:
    return [b.action_id for block in message.blocks if isinstance(block, Buttons) for b in block.buttons]


def first_action(message: Message) -> str:
    return (actions(message) or [""])[0]


def filled(form: Form, values: dict[str, FormValue]) -> dict[str, FormValue]:
    """A form as a person sends it back: what they typed over the values it opened with."""
    initial: dict[str, FormValue] = {}
    for i in form.inputs:
        value = getattr(i, "initial", None)
        initial[i.name] = list(value or ()) if isinstance(i, MultiSelect) else value.isoformat() \
            if isinstance(i, DateInput) and value else "" if value is None else str(value)
    return {**initial, **values}


async def deliver(app: App) -> None:
    report = await deliver_due(uow_factory=app.uow, messenger=app.messenger, clock=app.services.clock,
                               worker_id="lifecycle")
    assert report.failed == 0 and report.errors == 0, report


async def tick(app: App, at: datetime) -> None:
    """The scheduler's turn at `at`: every planner, then the deliverer."""
    app.services.clock.set(at)  # type: ignore[attr-defined]
    await app.plan(now=at)
    await deliver(app)


async def answer(world: World, user: str, message: Message, values: dict[str, FormValue]) -> str:
    """Press the message's first button and send the form it opens back with `values`."""
    locale = "id" if user == BAHASA else "en"
    opened = form_of(await press(world.app, user, actions(message)[0], locale=locale)).form
    return text_of(await submit(world.app, user, opened.form_id, filled(opened, values), state=opened.state,
                                locale=locale))


async def form_command(world: World, user: str, text: str, values: dict[str, FormValue]) -> str:
    opened = form_of(await say(world.app, user, text)).form
    return text_of(await submit(world.app, user, opened.form_id, filled(opened, values), state=opened.state))


async def accept(world: World, user: str) -> str:
    """The invitation's Accept, then the questionnaire it opens."""
    locale = "id" if user == BAHASA else "en"
    opened = form_of(await press(world.app, user, f"invite:{world.program_id}:yes", locale=locale)).form
    return text_of(await submit(world.app, user, opened.form_id, {**PROFILE, "locale": locale},
                                state=opened.state, locale=locale))


async def invitations(world: World) -> None:
    """Step 1: the org import, the program (created, made invitation-only with seats, opened), eight invitations."""
    app = world.app
    world.mark("begin")
    await say(app, "UADMIN", "status")  # a configured admin is written to once they are a member here
    rows = [f"{'dimas@example.com,' if user == 'U4' else ',' + user},"  # email or platform id, then the rest
            f"{dept},Team {dept},{manager},{level}"
            for user, (dept, manager, level) in ORG.items()]
    world.said["import"] = text_of(await send_import(app, csv_bytes(
        "email,platform_id,department,team,manager,seniority", *rows), directory={"dimas@example.com": "U4"}))
    await admin_creates_program(app, name=NAME, start_date=START_DATE, weeks="3", size_min="3", size_target="3",
                                size_max="4", moderator_mode="appointed")
    program = await program_named(app, SLUG)
    world.program_id = program.id or 0
    world.said["edit"] = text_of(await edit(app, program, "enrollment", {"participation": "invitation",
                                                                         "seats": "10"}))
    world.said["open"] = text_of(await say(app, "UADMIN", f"program open {SLUG}"))
    world.said["join"] = text_of(await say(app, "U7", f"join {SLUG}"))  # not invited yet
    mentions = " ".join(f"<@{user}>" for user in INVITED)
    world.said["invite"] = text_of(await say(app, "UADMIN", f"program invite {SLUG} {mentions}"))
    await deliver(app)
    world.mark("invited")


async def enrollment(world: World) -> None:
    """Seven accept (U3 in Indonesian), U8 declines; themes proposed and voted; enrollment closes; circles form."""
    app = world.app
    for user in INVITED[:-1]:
        world.said[f"accept:{user}"] = await accept(world, user)
    world.said["decline"] = text_of(await press(app, DECLINER, f"invite:{world.program_id}:no"))
    await say(app, "U1", "theme propose Giving feedback")
    await say(app, "U5", "theme propose Career growth")
    for user, numbers in VOTES.items():
        await say(app, user, f"theme vote {numbers}", locale="id" if user == BAHASA else "en")
    world.said["close"] = text_of(await say(app, "UADMIN", f"program close {SLUG}"))
    world.said["form"] = text_of(await say(app, "UADMIN", f"program form {SLUG}"))
    await deliver(app)
    world.said["show"] = text_of(await say(app, "UADMIN", f"program show {SLUG}"))
    world.said["info"] = text_of(await say(app, "U2", "circle info"))
    world.mark("formed")


async def session(world: World, index: int) -> None:
    """Prompt the day before, reminder an hour before, check-in an hour after; some answer, moderators log it."""
    moment = SESSIONS[index]
    for at in (moment - timedelta(days=1), moment - timedelta(hours=1), moment + timedelta(hours=1)):
        await tick(world.app, at + timedelta(minutes=1))
    for user in CHECKINS[index]:
        [checkin] = [m for m in world.local.to(world.space_of(user))
                     if first_action(m).startswith("checkin.open:") and first_action(m).endswith(f".{index}")]
        world.said[f"checkin:{index}:{user}"] = await answer(world, user, checkin, {
            "attended": "yes", "usefulness": "4", "progress": "on track"})
    for moderator in MODERATORS:
        world.said[f"log:{index}:{moderator}"] = await form_command(world, moderator, "session log", {})
    if index < len(SESSIONS) - 1:  # two hours after the last one, the closing phase starts instead
        await tick(world.app, moment + timedelta(hours=3, minutes=1))  # the midpoint poll after the second


async def assess(world: World, phase: str, scores: dict[str, str]) -> None:
    """Members answer the self-assessment DM of this phase ("before" or "after")."""
    title = {"before": ("before the program", "sebelum program"), "after": ("after the program", "setelah program")}
    for user, score in scores.items():
        invitation = next(m for m in world.local.to(user) if any(t in m.text for t in title[phase])
                          and first_action(m).startswith("assess.open:"))  # not its reminder
        await answer(world, user, invitation, {"skill_0": score})


async def late_joiner(world: World) -> None:
    """After the first session the admin invites U9, who accepts and is placed in the circle with room."""
    world.said["late_invite"] = text_of(await say(world.app, "UADMIN", f"program invite {SLUG} <@{LATE}>"))
    await deliver(world.app)
    world.said["late_accept"] = await accept(world, LATE)
    await deliver(world.app)
    world.mark("late")


async def running(world: World) -> None:
    """Step 2: three sessions, a goal, self-assessments before, a late joiner after the first session."""
    await tick(world.app, datetime(2026, 1, 12, 3, 1, tzinfo=UTC))  # the start date: the before round is open
    world.mark("started")
    await assess(world, "before", {u: s for u, s in BEFORE.items() if u != LATE})
    world.said["goal"] = await form_command(world, "U2", "goal set", {
        "specific": "Give feedback every week", "measurable": "m", "achievable": "a", "relevant": "r"})
    await say(world.app, "U2", "goal update 60")
    await session(world, 0)
    world.mark("session1")
    await late_joiner(world)
    await session(world, 1)
    await assess(world, "before", {LATE: BEFORE[LATE]})
    await session(world, 2)
    world.mark("sessions")


async def closing(world: World) -> None:
    """Step 3: the last session passes; the closing phase starts by itself; some answer; a week in, reminders."""
    await tick(world.app, CLOSING_STARTS + timedelta(minutes=1))
    world.mark("closing")
    for user in FINAL_POLL:
        final = [m for m in world.local.to(user) if first_action(m).startswith("poll.open:")][-1]
        await answer(world, user, final, {"satisfaction": "4", "recommend": "9"})
    await assess(world, "after", AFTER)
    await tick(world.app, CLOSING_STARTS + timedelta(days=7, minutes=1))
    world.mark("reminded")


async def until_reminded(app: App, local: LocalMessenger) -> World:
    world = World(app, local)
    for step in (invitations, enrollment, running, closing):
        await step(world)
    return world
