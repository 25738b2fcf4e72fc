"""Pair figures in the admin digest (counts only, K-anonymous ratings), individual answers only in the admins'
export, feedback polls for a pair program's members, and erasure of pair check-ins by `forget me`."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.digest.pair_figures import pair_figures
from bot.feedback.schedule import rounds
from bot.kernel.clock import ManualClock
from bot.privacy.commands import my_data
from storage.repositories.outbox import file_of
from storage.tables import Delivery, Pair, PairCheckIn, PairStatus, PollKind
from tests.helpers import press, say, text_of
from tests.pairs.world import answer, make_pair

FIRST = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
NOW = FIRST + 3 * WEEK + timedelta(hours=2)  # meetings 1-4 held; the check-ins of 1-3 have closed

# Each extra pair: (mentor, mentee) and their answers {meeting: {side: (met, usefulness)}}.
SCENARIOS: dict[str, dict[int, dict[str, tuple[bool, int]]]] = {
    "B": {},  # never answered: never met, and at risk
    "C": {0: {"mentee": (True, 4)}, 2: {"mentor": (False, 3)}},  # met once, then missed two in a row: at risk
    "D": {i: {"mentor": (True, 4 if i < 2 else 1), "mentee": (True, 4 if i < 2 else 2)} for i in range(3)},  # low
}


async def _world(app: App, clock: ManualClock) -> Pair:
    first = await make_pair(app, fmt="one_on_one")
    start = clock.now()
    async with app.uow() as uow:
        def add_answer(pair: Pair, member_id: int, meeting: int, met: bool, usefulness: int) -> None:
            uow.session.add(PairCheckIn(workspace_id=1, program_id=pair.program_id, pair_id=pair.id or 0,
                                        member_id=member_id, meeting_index=meeting, met=met, usefulness=usefulness,
                                        progress=f"note {member_id}-{meeting}", created_at=start, updated_at=start))

        for meeting in range(3):  # the first pair meets every week and finds it useful
            for member_id in (first.mentor_member_id, first.mentee_member_id):
                add_answer(first, member_id, meeting, True, 4)
        for name in ("B", "C", "D", "E"):
            ids = []
            for side in ("mentor", "mentee"):
                member = await uow.members.get_or_create(workspace_id=1, external_id=f"{name}-{side}", now=start,
                                                         defaults={"display_name": f"{name} {side}"})
                await uow.enrollments.enroll(workspace_id=1, program_id=first.program_id, member_id=member.id or 0,
                                             now=start)
                ids.append(member.id or 0)
            pair = Pair(workspace_id=1, program_id=first.program_id, mentor_member_id=ids[0],
                        mentee_member_id=ids[1], started_at=start, space="")
            if name == "E":
                pair.status, pair.ended_at = PairStatus.ENDED, NOW - timedelta(days=2)
            uow.pairs.add(pair)
            await uow.flush()
            for meeting, sides in SCENARIOS.get(name, {}).items():
                for side, (met, usefulness) in sides.items():
                    add_answer(pair, ids[0] if side == "mentor" else ids[1], meeting, met, usefulness)
        await uow.commit()
    return first


async def test_digest_counts_pairs_active_never_met_at_risk_and_ended(app: App, clock: ManualClock) -> None:
    first = await _world(app, clock)
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=first.program_id)
        assert program is not None
        figures = await pair_figures(uow, program, now=NOW, k=3)
        strict = await pair_figures(uow, program, now=NOW, k=7)
    assert figures is not None and strict is not None
    assert (figures.active, figures.never_met, figures.at_risk, figures.ended_this_week) == (4, 1, 3, 1)
    # Six people answered: with K = 7 their ratings may not flag D, only meetings missed count.
    assert strict.at_risk == 2
    clock.set(NOW)
    digest = text_of(await say(app, "UADMIN", "digest now"))
    assert "Pairs: 4 active · 1 never met · 3 at risk · 1 ended this week" in digest
    assert not [word for word in ("B mentor", "C mentee", "D mentor", "note ") if word in digest]


async def test_admins_read_individual_answers_only_in_the_export(app: App, clock: ManualClock) -> None:
    first = await _world(app, clock)
    clock.set(NOW)
    assert "Only Lingkar admins" in text_of(await say(app, "MENTEE", "export leadership-circles"))
    await say(app, "UADMIN", "export leadership-circles")
    async with app.uow() as uow:
        [delivery] = (await uow.session.exec(select(Delivery).where(Delivery.kind == "file"))).all()
    sent = file_of(delivery)
    assert sent is not None and delivery.target == "local:W1:user:UADMIN"
    with zipfile.ZipFile(io.BytesIO(sent.data)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("/pair_checkins.csv"))
        rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert rows[0] == ["pair_id", "mentor", "mentee", "meeting", "member", "met", "usefulness", "progress"]
    assert [str(first.id), "MENTOR", "MENTEE", "1", "MENTEE", "True", "4",
            f"note {first.mentee_member_id}-0"] in rows
    assert len(rows) == 1 + 6 + 2 + 6


async def test_a_pair_programs_members_get_the_midpoint_and_final_polls(app: App, clock: ManualClock) -> None:
    from tests.helpers import plan

    pair = await make_pair(app, fmt="reverse")
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
    assert program is not None
    for kind in (PollKind.MIDPOINT, PollKind.FINAL):
        due = next(r for r in rounds(program) if r.kind == kind)
        clock.set(due.opens_at + timedelta(minutes=5))
        await plan(app.services.uow, now=clock.now(), config=app.services.config)
        async with app.uow() as uow:
            poll = next(p for p in await uow.feedback.polls_of_program(workspace_id=1, program_id=pair.program_id)
                        if p.kind == kind)
            invited = (await uow.session.exec(select(Delivery.target).where(
                col(Delivery.key).startswith(f"poll:{poll.id}:")))).all()
        assert sorted(invited) == ["local:W1:user:MENTEE", "local:W1:user:MENTOR"], kind


async def test_forget_me_erases_pair_check_ins(app: App, clock: ManualClock) -> None:
    # Platform-like ids: privacy's scrub matches ids as whole words anywhere, and "MENTEE" is also a role value.
    pair = await make_pair(app, fmt="peer", mentor="U1MENTOR", mentee="U2MENTEE")
    clock.set(FIRST + timedelta(hours=2))
    await answer(app, "U2MENTEE", f"pair_checkin.open:{pair.id}.0", usefulness="2", progress="PRIVATE-NOTE-42")
    async with app.uow() as uow:
        mentee = await uow.members.get(workspace_id=1, member_id=pair.mentee_member_id)
        assert mentee is not None
        mine = await my_data(uow, mentee, now=clock.now())
    assert [row["progress"] for row in mine["pair_checkins"]] == ["PRIVATE-NOTE-42"]
    assert [row["meeting_index"] for row in mine["pair_prompts"]] == []  # none chosen yet: no planner ran
    await say(app, "U2MENTEE", "forget me")
    await press(app, "U2MENTEE", f"forget.confirm:{pair.mentee_member_id}")
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(PairCheckIn))).all()
        member = await uow.members.get(workspace_id=1, member_id=pair.mentee_member_id)
    assert member is not None and member.erased
    # The number stays for the aggregates; what they wrote is gone.
    assert [(r.usefulness, r.progress) for r in rows] == [(2, "")]
