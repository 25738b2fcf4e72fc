"""The moderator's orientation (once per person and circle, however they became moderator) and the session kit
(the day before each session, with the circle's prompt, rotating tips, to that session's moderator)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.bootstrap import App
from bot.circles.elections import plan_rotation
from bot.circles.kit import TIPS, plan_kits
from bot.circles.prompts import plan_prompts, prompt_text
from bot.kernel.calendar import session_time
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import translate
from bot.kernel.message_codec import decode
from bot.sessions.timing import prompt_due
from storage.tables import Delivery, DeliveryStatus, ModeratorMode, Program
from tests import helpers
from tests.circles.world import Person, World, build_circle, deliveries
from tests.helpers import admin_creates_program, enroll, member_id, plan, queued, say, text_of
from tests.programs.support import _program

JAKARTA = "Asia/Jakarta"
START = date(2026, 1, 5)  # a Monday: sessions on Wednesdays 10:00 Jakarta (03:00 UTC) from 7 January


def _tips_in(text: str, locale: str = "en") -> set[str]:
    return {tip for tip in TIPS if translate(f"kit.tip.{tip}", locale) in text}


async def _orientations(app: App) -> list[tuple[str, str]]:
    """(user, text) of every orientation DM queued, oldest first."""
    return [(target.rsplit(":", 1)[1], text) for _, target, text in await queued(app, kind="orientation")]


async def _formed(app: App, mode: str, *, indonesian: str = "") -> None:
    """A circles program formed with four members U00-U03 (U03 the most senior); `indonesian` reads Indonesian."""
    await admin_creates_program(app, moderator_mode=mode)
    await say(app, "UADMIN", "program open leadership-circles")
    program = await _program(app)
    for i, user in enumerate(("U00", "U01", "U02", "U03")):
        await enroll(app, user, program, seniority=str(i), department=f"D{i}",
                     locale="id" if user == indonesian else "en")
    await say(app, "UADMIN", "program close leadership-circles")
    await say(app, "UADMIN", "program form leadership-circles")


async def test_appointed_handover_and_admin_appointment_orient_each_person_once(app: App) -> None:
    await _formed(app, "appointed", indonesian="U03")
    # The appointed moderator's one DM is the orientation, in their language (it replaced the short appointed DM).
    told = await _orientations(app)
    assert [user for user, _ in told] == ["U03"]
    text = told[0][1]
    assert text.startswith("Anda adalah moderator") and "ditunjuk oleh penyelenggara" in text
    assert "Aturan dasar" in text and "`sesi catat`" in text and "`moderator serahkan @orang`" in text
    assert not [q for q in await queued(app) if q[1].endswith(":U03") and q[2].startswith("You are the moderator")]

    assert "sekarang menjadi moderator" in text_of(await say(app, "U03", "moderator serahkan <@U00>", locale="id"))
    assert "now this circle's moderator" in text_of(await say(app, "U00", "moderator handover <@U03>"))
    assert "is now the moderator" in text_of(await say(app, "UADMIN", "moderator appoint 1 <@U01>"))
    await say(app, "UADMIN", "moderator appoint 1 <@U01>")
    told = await _orientations(app)
    assert [user for user, _ in told] == ["U03", "U00", "U01"]  # U03 had it already; U01 once
    handed, appointed = told[1][1], told[2][1]
    assert handed.startswith("You are now the moderator of") and "handed over to you" in handed
    for english in (handed, appointed):
        for part in ("Ground rules", "Confidentiality", "Everyone speaks", "No fixing", "When someone goes quiet",
                     "Ending well", "`prompt next`", "`prompt skip`", "`prompt add"):
            assert part in english, part
    assert appointed.startswith("You are the moderator of") and "appointed by the organisers" in appointed


async def test_an_elected_moderator_is_oriented_once(app: App, clock: ManualClock) -> None:
    await _formed(app, "elected")
    assert "U01" in text_of(await say(app, "U01", "moderator stand"))
    formed = clock.now()
    for days in (3, 5, 6):  # nominations close, voting closes, a later pass
        clock.set(formed + timedelta(days=days))
        await plan(app.services.uow, now=clock.now(), config=app.services.config)
        await plan(app.services.uow, now=clock.now(), config=app.services.config)
    told = await _orientations(app)
    assert [user for user, _ in told] == ["U01"]
    assert "your circle elected you" in told[0][1] and "session kit" in told[0][1]


@pytest.fixture
def kit_planners(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only what the kit meets: the rotation picks a turn's moderator, the prompt planner the channel's prompt.
    monkeypatch.setattr(helpers, "PLANNERS", (plan_rotation, plan_prompts, plan_kits))


async def _program_of(app: App, world: World) -> Program:
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=world.program_id)
    assert program is not None
    return program


async def _through(app: App, clock: ManualClock, program: Program, sessions: int) -> None:
    """Plan around each kit's due moment: before it, at it (twice: replanning), and later the same day."""
    for index in range(sessions):
        due = prompt_due(program, index)
        for moment in (due - timedelta(minutes=30), due, due, due + timedelta(hours=5)):
            clock.set(moment)
            await plan(app.services.uow, now=moment, config=app.services.config)


async def _kits(app: App) -> list[Delivery]:
    return await deliveries(app, kinds=("kit",))


@pytest.mark.usefixtures("kit_planners")
async def test_the_kit_comes_the_day_before_each_session_with_the_circles_prompt(app: App,
                                                                                clock: ManualClock) -> None:
    clock.set(datetime(2026, 1, 5, 0, 7, tzinfo=UTC))
    world = await build_circle(app, slug="kit", timezone=JAKARTA, weekday=2, at="10:00", start=START, weeks=4,
                               moderator="M1", people=[Person("M1"), Person("M2"), Person("M3")])
    program = await _program_of(app, world)
    await _through(app, clock, program, 3)
    kits = await _kits(app)
    assert [k.key for k in kits] == [f"kit:{world.circle_id}:{i}" for i in range(3)]  # replanning: once each
    assert {k.target for k in kits} == {"local:W1:user:M1"}
    async with app.uow() as uow:
        rows = {r.session_index: r for r in await uow.running.prompts_of_circle(circle_id=world.circle_id)}
    prompts = {p.key: p for p in await deliveries(app, kinds=("prompt",))}
    seen: list[set[str]] = []
    for index, kit in enumerate(kits):
        # The prompt's due moment and staleness: the day before, stale once the session starts.
        assert kit.due_at == prompt_due(program, index) == prompts[f"prompt:{world.circle_id}:{index}"].due_at
        assert kit.stale_at == session_time(program, index)
        text = decode(kit.payload).text
        assert f"session {index + 1} of Circle kit" in text
        assert prompt_text(rows[index], "en") in text and prompt_text(rows[index], "en")
        assert "Opening round" in text and "One thing I'll try before we meet again" in text
        seen.append(_tips_in(text))
    assert all(len(tips) == 2 for tips in seen)
    assert not seen[0] & seen[1] and not seen[1] & seen[2]  # never the same tip two sessions running
    assert set().union(*seen) == set(TIPS)  # three sessions: all six tips
    assert translate("kit.opening.0", "en") in decode(kits[0].payload).text
    # Goals only in aggregate at K, the moderator's own left out: two members, nobody has one yet.
    assert "*The circle's goals*\n0 of 2 members have a goal. Progress is shared once at least 3" in text


@pytest.mark.usefixtures("kit_planners")
async def test_rotating_circles_kit_goes_to_that_sessions_moderator(app: App, clock: ManualClock) -> None:
    clock.set(datetime(2026, 1, 5, 0, 7, tzinfo=UTC))
    world = await build_circle(app, slug="turns", timezone=JAKARTA, weekday=2, at="10:00", start=START, weeks=5,
                               moderator=None, people=[Person("R1"), Person("R2", locale="id"), Person("R3")])
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=world.program_id)
        assert program is not None
        program.moderator_mode = ModeratorMode.ROTATING
        uow.programs.add(program)
        await uow.commit()
    program = await _program_of(app, world)
    await _through(app, clock, program, 4)
    kits = await _kits(app)
    assert [k.target.rsplit(":", 1)[1] for k in kits] == ["R1", "R2", "R3", "R1"]
    indonesian = decode(kits[1].payload).text
    assert indonesian.startswith("Panduan sesi Anda: sesi 2") and "Putaran pembuka" in indonesian
    assert len(_tips_in(indonesian, "id")) == 2
    # Each member's first turn brought the orientation; R1's second turn did not.
    told = await _orientations(app)
    assert [user for user, _ in told] == ["R1", "R2", "R3"]
    assert told[0][1].startswith("It is your first turn as moderator")
    assert told[1][1].startswith("Ini giliran pertama Anda sebagai moderator")


@pytest.mark.usefixtures("kit_planners")
async def test_a_paused_moderator_gets_no_kit(app: App, clock: ManualClock) -> None:
    clock.set(datetime(2026, 1, 5, 0, 7, tzinfo=UTC))
    world = await build_circle(app, slug="away", timezone=JAKARTA, weekday=2, at="10:00", start=START, weeks=4,
                               moderator="P1", people=[Person("P1"), Person("P2"), Person("P3")])
    async with app.uow() as uow:
        enrollment = await uow.enrollments.get(workspace_id=1, program_id=world.program_id,
                                               member_id=await member_id(app, "P1"))
        assert enrollment is not None
        enrollment.paused_until = date(2026, 1, 13)  # the day before session 2 (14 January)
        uow.enrollments.add(enrollment)
        await uow.commit()
    await _through(app, clock, await _program_of(app, world), 3)
    kits = await _kits(app)
    assert [(k.key.rsplit(":", 1)[1], k.status) for k in kits] == [
        ("0", DeliveryStatus.SKIPPED), ("1", DeliveryStatus.SKIPPED), ("2", DeliveryStatus.PENDING)]
    assert all(k.last_error == "recipient paused" for k in kits[:2])

