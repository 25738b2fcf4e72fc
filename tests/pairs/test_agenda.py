"""The day before a pair meeting: the stage's prompt for both, and each side's own agenda for that side alone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from bot.pairs.scope import PairRun
from bot.sessions.scripts import default_script
from bot.sessions.timing import prompt_due
from storage.tables import Delivery, Pair, Program
from tests.helpers import member_id, plan
from tests.pairs.world import make_pair, pair_deliveries

REVERSE = default_script("reverse")


async def _program(app: App, pair: Pair) -> Program:
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
    assert program is not None
    return program


async def _private_notes(app: App, pair: Pair, program: Program) -> None:
    """Each side's own goal and a check-in note about meeting 0, marked with whose they are."""
    async with app.uow() as uow:
        for user in ("MENTOR", "MENTEE"):
            member = await member_id(app, user)
            await uow.running.save_goal(values={
                "workspace_id": 1, "program_id": program.id, "member_id": member, "specific": f"{user}-GOAL",
                "measurable": "m", "achievable": "a", "relevant": "r", "due_on": date(2026, 3, 1)},
                now=program.created_at)
            await uow.pair_running.save_checkin(values={
                "workspace_id": 1, "program_id": program.id, "pair_id": pair.id, "member_id": member,
                "meeting_index": 0, "met": True, "usefulness": 4, "progress": f"{user}-NOTE"},
                now=program.created_at)
        await uow.commit()


async def _plan_meeting(app: App, clock: ManualClock, program: Program, index: int) -> None:
    moment = prompt_due(program, index) + timedelta(minutes=5)
    clock.set(moment)
    await plan(app.services.uow, now=moment, config=app.services.config)
    await plan(app.services.uow, now=moment, config=app.services.config)  # twice: each message once


def _text(delivery: Delivery) -> str:
    return decode(delivery.payload).text


async def test_each_side_gets_only_their_own_agenda_beside_the_shared_prompt(app: App, clock: ManualClock) -> None:
    pair = await make_pair(app, fmt="reverse", weeks=8)
    program = await _program(app, pair)
    await _plan_meeting(app, clock, program, 0)
    await _private_notes(app, pair, program)
    await _plan_meeting(app, clock, program, 1)

    prompts = await pair_deliveries(app, kinds=("pair_prompt",))
    assert [d.target for d in prompts] == [pair.space, pair.space]
    first, second = (_text(d) for d in prompts)
    # The pair's first meeting orients, in reverse mentoring's own words; the second sets goals.
    assert REVERSE.stage("orientation").prompts[0].text["en"] == first.splitlines()[1]
    assert "Getting to know each other" in first.splitlines()[0]
    assert REVERSE.stage("goal_setting").prompts[0].text["en"] == second.splitlines()[1]
    assert not any(secret in first + second for secret in ("GOAL", "NOTE"))  # the space is shared

    agendas = {d.target.rsplit(":", 1)[1]: _text(d) for d in await pair_deliveries(app, kinds=("pair_agenda",))
               if d.key.split(":")[2] == "1"}
    assert set(agendas) == {"MENTOR", "MENTEE"}
    guidance = REVERSE.stage("goal_setting").guidance["en"]
    mentor, mentee = agendas["MENTOR"], agendas["MENTEE"]
    assert "MENTOR-GOAL" in mentor and "MENTOR-NOTE" in mentor and guidance in mentor
    assert "MENTEE-GOAL" in mentee and "MENTEE-NOTE" in mentee and guidance not in mentee
    assert "MENTEE" not in mentor and "MENTOR" not in mentee  # never the partner's goal or check-in
    meeting0 = [d for d in await pair_deliveries(app, kinds=("pair_agenda",)) if d.key.split(":")[2] == "0"]
    assert len(meeting0) == 2 and all("no goal yet" in _text(d) for d in meeting0)


async def test_without_a_space_each_side_gets_one_dm_with_prompt_and_agenda(
        app: App, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    pair = await make_pair(app, fmt="reverse", weeks=8)
    monkeypatch.setattr(PairRun, "space", property(lambda run: None))  # a platform without pair spaces: by DM
    program = await _program(app, pair)
    await _private_notes(app, pair, program)
    await _plan_meeting(app, clock, program, 0)

    dms = {d.target.rsplit(":", 1)[1]: _text(d) for d in await pair_deliveries(app, kinds=("pair_prompt",))}
    assert set(dms) == {"MENTOR", "MENTEE"} and not await pair_deliveries(app, kinds=("pair_agenda",))
    orientation = REVERSE.stage("orientation")
    assert all(orientation.prompts[0].text["en"] in text for text in dms.values())
    assert orientation.guidance["en"] in dms["MENTOR"] and orientation.guidance["en"] not in dms["MENTEE"]
    assert "MENTOR-GOAL" in dms["MENTOR"] and "MENTEE" not in dms["MENTOR"]
    assert "MENTEE-GOAL" in dms["MENTEE"] and "MENTOR" not in dms["MENTEE"]
    assert "NOTE" not in dms["MENTOR"] + dms["MENTEE"]  # a check-in of meeting 0 is no follow-up for meeting 0
