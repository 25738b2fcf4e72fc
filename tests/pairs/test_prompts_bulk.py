"""The pair prompt planner, set-based (issue 18): many pairs in one pass, each reader's own agenda from reads made
once for all, and the database still arbitrating a prompt another replica chose first."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.context import Services
from bot.kernel.message_codec import decode
from bot.kernel.planning import plan as kernel_plan
from bot.pairs.meetings import plan_pair_prompts
from bot.sessions.scripts import default_script
from bot.sessions.timing import prompt_due
from storage.repositories.pair_running import PairRunningRepository
from storage.repositories.running import RunningRepository
from storage.tables import Delivery, Member, Pair, PairPrompt, Program
from tests.helpers import HOOKS, plan
from tests.pairs.world import make_pair, pair_deliveries

REVERSE = default_script("reverse")


async def _program(app: App, pair: Pair) -> Program:
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
    assert program is not None
    return program


async def _more_pairs(app: App, first: Pair, names: list[str]) -> list[Pair]:
    """More pairs of the first's program on its timetable, by DM (no space), each side enrolled."""
    made = []
    async with app.uow() as uow:
        for name in names:
            people = [await uow.members.get_or_create(workspace_id=1, external_id=f"{name}-{side}",
                                                      now=first.started_at) for side in ("MENTOR", "MENTEE")]
            await uow.flush()
            for person in people:
                await uow.enrollments.enroll(workspace_id=1, program_id=first.program_id,
                                             member_id=person.id or 0, now=first.started_at)
            made.append(Pair(workspace_id=1, program_id=first.program_id, mentor_member_id=people[0].id or 0,
                             mentee_member_id=people[1].id or 0, started_at=first.started_at,
                             schedule=first.schedule, space=""))
        uow.session.add_all(made)
        await uow.commit()
    return made


async def _notes(app: App, program: Program, pairs: list[Pair]) -> dict[int, str]:
    """Each member's own goal and a check-in note about meeting 0, both marked with their external id."""
    names: dict[int, str] = {}
    async with app.uow() as uow:
        for pair in pairs:
            for member_id in (pair.mentor_member_id, pair.mentee_member_id):
                member = await uow.session.get(Member, member_id)
                assert member is not None
                names[member_id] = member.external_id
                await uow.running.save_goal(values={
                    "workspace_id": 1, "program_id": program.id, "member_id": member_id,
                    "specific": f"GOAL<{member.external_id}>", "measurable": "m", "achievable": "a",
                    "relevant": "r", "due_on": date(2026, 3, 1)}, now=program.created_at)
                await uow.pair_running.save_checkin(values={
                    "workspace_id": 1, "program_id": program.id, "pair_id": pair.id, "member_id": member_id,
                    "meeting_index": 0, "met": True, "usefulness": 4, "progress": f"NOTE<{member.external_id}>"},
                    now=program.created_at)
        await uow.commit()
    return names


async def _plan_meeting(app: App, clock: ManualClock, program: Program, index: int) -> None:
    moment = prompt_due(program, index) + timedelta(minutes=5)
    clock.set(moment)
    await plan(app.services.uow, now=moment, config=app.services.config)
    await plan(app.services.uow, now=moment, config=app.services.config)  # twice: each message once


async def _rows(app: App, pair: Pair) -> list[PairPrompt]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(PairPrompt).where(PairPrompt.pair_id == pair.id)
                                            .order_by(col(PairPrompt.meeting_index)))).all())


def _meeting(deliveries: list[Delivery], index: int) -> list[Delivery]:
    return [d for d in deliveries if d.key.split(":")[2] == str(index)]


def _count(monkeypatch: pytest.MonkeyPatch, owner: type, name: str, calls: list[str]) -> None:
    """Note calls of a one-at-a-time read the set-based planner should not make."""
    original = getattr(owner, name)

    async def counted(self: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return await original(self, **kwargs)

    monkeypatch.setattr(owner, name, counted)


async def test_many_pairs_each_reader_gets_their_own_agenda_from_reads_made_once(
        app: App, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await make_pair(app, fmt="reverse", weeks=8)
    others = await _more_pairs(app, first, ["B", "C", "D"])
    pairs = [first, *others]
    program = await _program(app, first)
    await _plan_meeting(app, clock, program, 0)
    names = await _notes(app, program, pairs)
    calls: list[str] = []
    _count(monkeypatch, PairRunningRepository, "prompts_of_pair", calls)
    _count(monkeypatch, RunningRepository, "goal", calls)
    moment = prompt_due(program, 1) + timedelta(minutes=5)
    clock.set(moment)
    services = Services(uow=app.services.uow, messenger=LocalMessenger(), clock=ManualClock(moment),
                        config=app.services.config)
    report = await kernel_plan(app.services.uow, now=moment, config=app.services.config,
                               planners=(plan_pair_prompts,), hooks=HOOKS, services=services)
    assert report.total == 9 and calls == []  # no read per pair or per reader: prompts and goals read once
    await _plan_meeting(app, clock, program, 1)  # every planner, twice: nothing more of these

    deliveries = await pair_deliveries(app, kinds=("pair_prompt", "pair_agenda"))
    meeting1 = _meeting(deliveries, 1)
    # The first pair: the post in its space and an agenda for each side; the others one DM per side.
    assert sorted(d.kind for d in meeting1) == ["pair_agenda"] * 2 + ["pair_prompt"] * 7
    assert len({d.key for d in deliveries}) == len(deliveries)
    goal_setting = REVERSE.stage("goal_setting")
    for pair in pairs:
        rows = await _rows(app, pair)
        assert [r.meeting_index for r in rows] == [0, 1]
        assert rows[1].prompt_id == goal_setting.prompts[0].id  # the stage's first for every pair
    for d in meeting1:
        text = decode(d.payload).text
        if d.target == first.space:
            assert goal_setting.prompts[0].text["en"] in text and "GOAL<" not in text and "NOTE<" not in text
            continue
        reader = d.target.rsplit(":", 1)[1]
        assert f"GOAL<{reader}>" in text and f"NOTE<{reader}>" in text, (reader, text)
        others_marks = [n for n in names.values() if n != reader]
        assert not any(f"<{other}>" in text for other in others_marks)  # never anyone else's goal or note
        assert (goal_setting.guidance["en"] in text) == reader.endswith("MENTOR")
        assert (goal_setting.prompts[0].text["en"] in text) == (d.kind == "pair_prompt")


async def test_a_prompt_another_replica_chose_first_is_the_one_sent(
        app: App, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await make_pair(app, fmt="reverse", weeks=8)
    (other,) = await _more_pairs(app, first, ["B"])
    program = await _program(app, first)
    goal_setting = REVERSE.stage("goal_setting")
    chosen_elsewhere = goal_setting.prompts[1]
    async with app.uow() as uow:  # another replica chose meeting 1's prompt after this pass read the rows
        await uow.pair_running.add_prompt(values={
            "workspace_id": 1, "program_id": program.id, "pair_id": first.id, "prompt_id": chosen_elsewhere.id,
            "meeting_index": 1, "created_at": program.created_at})
        await uow.commit()
    original = PairRunningRepository.prompts_of_pairs

    async def read_before(self: PairRunningRepository, *, pair_ids: list[int]) -> Any:
        found = await original(self, pair_ids=pair_ids)
        found.pop(first.id or 0, None)
        return found

    monkeypatch.setattr(PairRunningRepository, "prompts_of_pairs", read_before)
    moment = prompt_due(program, 1) + timedelta(minutes=5)
    clock.set(moment)
    await plan(app.services.uow, now=moment, config=app.services.config)

    assert [(r.meeting_index, r.prompt_id) for r in await _rows(app, first)] == [(1, chosen_elsewhere.id)]
    assert [(r.meeting_index, r.prompt_id) for r in await _rows(app, other)] == [(1, goal_setting.prompts[0].id)]
    posts = [d for d in _meeting(await pair_deliveries(app, kinds=("pair_prompt",)), 1) if d.target == first.space]
    assert len(posts) == 1 and chosen_elsewhere.text["en"] in decode(posts[0].payload).text
