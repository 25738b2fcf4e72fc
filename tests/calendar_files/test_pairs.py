"""A reverse pair's invites (SQLite and PostgreSQL): each side named as mentor or mentee, sessions after formation."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
from bot.calendar_files.seats import program_seats
from bot.kernel.calendar import group_timetable, session_times
from tests.calendar_files.support import event, invites, plan_invites_at
from tests.pairs.world import make_pair


async def test_both_sides_of_a_pair_get_the_pairs_sessions(app: App) -> None:
    pair = await make_pair(app, fmt="reverse", weeks=8)
    assert await plan_invites_at(app, app.services.clock.now() + timedelta(minutes=1)) == 2
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
        [stored] = await uow.pairs.of_program(workspace_id=1, program_id=pair.program_id)
    assert program is not None
    # The pair's own timetable: the program's slot, or one moved into both sides' working hours at formation.
    held = [moment for moment in session_times(group_timetable(program, stored)) if moment > pair.started_at]
    [(_, mentor)] = await invites(app, user="MENTOR")
    [(_, mentee)] = await invites(app, user="MENTEE")
    for cal, line in ((mentor, "Your mentee: MENTEE"), (mentee, "Your mentor: MENTOR")):
        vevent = event(cal)
        assert line in str(vevent["description"])
        assert vevent.decoded("dtstart") == held[0] and vevent["rrule"]["COUNT"] == [len(held)]
        assert str(vevent["uid"]).endswith("@lingkar") and f"-p{pair.id}-" in str(vevent["uid"])
    assert event(mentor)["summary"] == "Mentoring with MENTEE"
    assert event(mentor)["uid"] != event(mentee)["uid"]


async def test_each_side_of_a_pair_is_keyed_by_its_own_print(app: App) -> None:
    """The planner shares a print among a group's seats within a pass; a pair's sides name each other, so each
    side's key must carry the print of its own invite (else a partner's rename would update only one side)."""
    pair = await make_pair(app, fmt="reverse", weeks=8)
    await plan_invites_at(app, app.services.clock.now() + timedelta(minutes=1))
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
        assert program is not None
        seats = await program_seats(uow, program)
        keys = await uow.outbox.planned_keys(program_id=pair.program_id, prefixes=(f"ics:{pair.program_id}:",))
    prints = {key.rsplit(":", 1)[1] for key in keys}
    assert len(seats) == 2 and prints == {seat.print for seat in seats} and len(prints) == 2
