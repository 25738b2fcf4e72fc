"""The end-to-end scenario as data: what people do and what they should see, the same on Slack and on Teams."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from storage.tables import (
    CheckIn,
    Circle,
    CircleMember,
    Election,
    ElectionStatus,
    Enrollment,
    Poll,
    PollResponse,
    Program,
    ProgramState,
    Theme,
    ThemeVote,
)
from tests.scenario.kinds import (
    ADMIN,
    AYU,
    BUDI,
    CHANNEL,
    CIRCLE,
    CITRA,
    EKO,
    FAJAR,
    MEMBERS,
    PEOPLE,
    Db,
    FileArrives,
    Fill,
    FormShows,
    OwnView,
    Press,
    Say,
    Sees,
    SpaceCreated,
    Step,
    Tick,
)
from tests.scenario.member_steps import MY_DATA, OWN_BALLOT_VIEWS, profile_round_trip

# The vocabulary is re-exported: scenarios and drivers import it from here too.
__all__ = ["ADMIN", "AYU", "BUDI", "CHANNEL", "CIRCLE", "CITRA", "EKO", "FAJAR", "MEMBERS", "PEOPLE", "Db",
           "FileArrives", "Fill", "FormShows", "OwnView", "Press", "Say", "Sees", "SpaceCreated", "Step", "Tick"]

if TYPE_CHECKING:
    from tests.scenario.driver import Driver

# -- the database checks ------------------------------------------------------------------------------------------


async def _rows(driver: Driver, model: Any) -> list[Any]:
    async with driver.app.uow() as uow:
        return list((await uow.session.exec(select(model))).all())


async def five_enrolled(driver: Driver) -> None:
    enrolled = await _rows(driver, Enrollment)
    members = {(await driver.member(p)).id for p in MEMBERS}
    assert {e.member_id for e in enrolled if e.status == "active"} == members
    budi = await driver.member(BUDI)
    assert budi.work_start_hour == 8 and budi.department == "Sales & Ops"  # the corrected answer, typed as is


async def two_themes_each(driver: Driver) -> None:
    themes = {t.id: t.title for t in await _rows(driver, Theme)}
    votes = await _rows(driver, ThemeVote)
    by_member: dict[int, set[str]] = {}
    for vote in votes:
        by_member.setdefault(vote.member_id, set()).add(themes[vote.theme_id])
    ayu, fajar = (await driver.member(AYU)).id or 0, (await driver.member(FAJAR)).id or 0
    assert by_member[ayu] == {"Giving feedback", "Career growth"}
    assert by_member[fajar] == {"Giving feedback", "Public speaking"}
    assert len(by_member) == 5


async def two_circles(driver: Driver) -> None:
    circles = await _rows(driver, Circle)
    assert len(circles) == 2 and all(c.space for c in circles)
    assert {(p.state, p.name) for p in await _rows(driver, Program)} == {(ProgramState.RUNNING, PROGRAM_NAME)}
    placed = [m for m in await _rows(driver, CircleMember)]
    assert len(placed) == 5


async def elected(driver: Driver) -> None:
    elections = await _rows(driver, Election)
    assert len(elections) == 2 and {e.status for e in elections} == {ElectionStatus.CLOSED}
    moderators = {c.moderator_member_id for c in await _rows(driver, Circle)}
    assert moderators == {(await driver.member(AYU)).id, (await driver.member(BUDI)).id}


async def ayu_checked_in(driver: Driver) -> None:
    ayu = await driver.member(AYU)
    rows = [c for c in await _rows(driver, CheckIn) if c.member_id == ayu.id]
    assert len(rows) == 1 and rows[0].attended and rows[0].usefulness == 4


async def ayu_answered_the_poll(driver: Driver) -> None:
    polls = {p.id: p for p in await _rows(driver, Poll)}
    answers = await _rows(driver, PollResponse)
    assert [(polls[a.poll_id].kind, a.satisfaction) for a in answers] == [("final", 5)]


# -- the scenario ---------------------------------------------------------------------------------------------------

PROGRAM_NAME = "Mentoring Circles 2026"
SLUG = "mentoring-circles-2026"
PROGRAM_FORM = {
    "name": PROGRAM_NAME, "goal": "Grow leaders across departments", "format": "circles",
    "start_date": "2026-01-05", "weeks": "2", "cadence": "weekly", "meeting_weekday": "2", "meeting_time": "10:00",
    "timezone": "Asia/Jakarta", "size_min": "2", "size_target": "3", "size_max": "3", "moderator_mode": "elected",
    "participation": "voluntary", "theme_mode": "employee_voted", "video_link": "https://meet.example/circles",
    "rules_frequency": "weekly", "rules_duration": "45 minutes", "rules_topics": "What is said here stays here",
}
PROFILES: Mapping[str, Mapping[str, str]] = {
    person: {
        "department": department, "seniority": str(level), "job_title": "Analyst",
        "skills_offered": "Excel, budgeting", "skills_wanted": "public speaking", "interests": "hiking",
        "timezone": "Asia/Jakarta", "work_start_hour": "8", "work_end_hour": "17", "locale": "en",
    }
    for person, department, level in ((AYU, "Finance", 3), (BUDI, "Sales & Ops", 1), (CITRA, "Engineering", 2),
                                       (EKO, "Legal", 0), (FAJAR, "Engineering", 4))
}


def joins(person: str) -> list[Step]:
    return [Say(person, "join"), Fill(person, PROFILES[person]), Sees(person, f"Welcome to {PROGRAM_NAME}!")]


def votes(person: str, *titles: str) -> list[Step]:
    return [Say(person, "theme vote"), Press(person, "theme.vote", choose=titles),
            Sees(person, ("Your votes", *titles))]


# Named, so a known bug can point at it (tests/scenario/test_scenario.py).
CIRCLES_FORMED = Sees(ADMIN, "5 members placed, 0 could not be placed")

SCENARIO: list[Step] = [
    # An admin creates the program with the form, from the program's channel, and opens enrollment.
    Say(ADMIN, "program create", where=CHANNEL),
    Fill(ADMIN, PROGRAM_FORM),
    Sees(ADMIN, (PROGRAM_NAME, "created as a draft")),
    Say(ADMIN, f"program open {SLUG}", where=CHANNEL),
    Sees(ADMIN, f"Enrollment for {PROGRAM_NAME} is open"),
    Tick(),
    Sees(EKO, (PROGRAM_NAME, "Why: Grow leaders across departments")),  # the announcement in the channel

    # Five members join through the profile form; Budi's first try has a mistake, shown under the field.
    *joins(AYU),
    Say(BUDI, "join"),
    Fill(BUDI, {**PROFILES[BUDI], "work_start_hour": "25"}),
    Sees(BUDI, "Enter a whole hour from 0 to 23."),
    Fill(BUDI, PROFILES[BUDI]),
    Sees(BUDI, (f"Welcome to {PROGRAM_NAME}!", "Sales & Ops")),
    *joins(CITRA), *joins(EKO), *joins(FAJAR),
    Db("all five enrolled, Budi with his corrected answers", five_enrolled),

    # They propose themes and vote with the ballot's pick list.
    Say(AYU, "theme propose Giving feedback"),
    Sees(AYU, "Giving feedback"),
    Say(CITRA, "theme propose Career growth"),
    Say(EKO, "theme propose Public speaking"),
    Sees(EKO, "Public speaking"),
    *votes(AYU, "Giving feedback", "Career growth"),
    *votes(BUDI, "Giving feedback", "Career growth"),
    *votes(CITRA, "Career growth", "Giving feedback"),
    *votes(EKO, "Giving feedback", "Public speaking"),
    *votes(FAJAR, "Public speaking", "Giving feedback"),
    Db("every vote counted", two_themes_each),

    # The admin closes enrollment and forms the circles: each gets its space and a welcome.
    Say(ADMIN, f"program close {SLUG}", where=CHANNEL),
    Sees(ADMIN, "Giving feedback: 5 votes"),
    Say(ADMIN, f"program form {SLUG}", where=CHANNEL),
    CIRCLES_FORMED,
    SpaceCreated(frozenset({AYU, CITRA, EKO})),
    SpaceCreated(frozenset({BUDI, FAJAR})),
    Db("two circles of the running program hold all five", two_circles),
    Tick(),
    Sees(AYU, ("Why you're in this circle", "https://meet.example/circles")),
    Sees(FAJAR, "Why you're in this circle"),

    # Elections: nominations (one by @mention), a ballot with buttons in each circle's space, a result.
    Say(AYU, "moderator stand"),
    Sees(AYU, "nominated"),
    Say(CITRA, "moderator nominate @eko"),
    Sees(CITRA, "Eko Prasetyo is nominated"),
    Say(BUDI, "moderator stand"),
    Tick(timedelta(days=2, minutes=1)),
    Sees(CITRA, ("Vote for your circle's moderator", "Ayu Lestari", "Eko Prasetyo"), never=("Budi",)),
    Press(AYU, PEOPLE[AYU]),
    Sees(AYU, "✓ Ayu Lestari"),
    Press(CITRA, PEOPLE[AYU]),
    Press(EKO, PEOPLE[EKO]),
    Press(FAJAR, PEOPLE[BUDI]),
    *OWN_BALLOT_VIEWS,  # each voter sees their own choice; the ballot everyone sees shows none
    Tick(timedelta(days=2)),
    Sees(EKO, "Ayu Lestari is your circle's moderator"),
    Sees(FAJAR, "Budi Santoso is your circle's moderator"),
    Db("the elections closed: Ayu and Budi moderate", elected),

    # A check-in after the first session (posted in the circle meanwhile), answered through its button and form.
    Sees(AYU, ("Check-in for session 1", "Giving feedback 1")),
    Press(AYU, "checkin.open"),
    Fill(AYU, {"attended": "yes", "usefulness": "4", "progress": "Practised giving feedback"}),
    Sees(AYU, "is saved"),
    Db("Ayu's check-in is stored", ayu_checked_in),

    # The final feedback poll, a week later, by private message.
    Tick(timedelta(days=5, hours=4)),
    Sees(AYU, ("Final poll", f"How is {PROGRAM_NAME} going for you?")),
    Press(AYU, "poll.open"),
    Fill(AYU, {"satisfaction": "5", "recommend": "9", "keep": "The small group", "improve": ""}),
    Sees(AYU, f"Your feedback on {PROGRAM_NAME} is saved"),
    Db("Ayu's poll answer is stored", ayu_answered_the_poll),

    # The admin's digest, with its chart.
    Say(ADMIN, "digest now"),
    Sees(ADMIN, ("Lingkar weekly digest", PROGRAM_NAME, "Final poll: 1 answer so far")),
    Tick(),
    Sees(ADMIN, image="Participation per week"),

    # A member who asks for help, then mistypes.
    Say(FAJAR, "help"),
    Sees(FAJAR, "join [program]"),
    Say(FAJAR, "frobnicate"),
    Sees(FAJAR, "I didn't understand \"frobnicate\""),

    # He edits his profile (and switches to Bahasa Indonesia), opens it again, and asks for his data.
    *profile_round_trip(PROFILES[FAJAR]),
    *MY_DATA,
]
