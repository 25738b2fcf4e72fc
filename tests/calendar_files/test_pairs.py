"""A reverse pair's invites (SQLite and PostgreSQL): each side named as mentor or mentee, sessions after formation."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
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
