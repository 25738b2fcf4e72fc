"""The ending of a pair program: meetings in each summary, a new match offered, mentors thanked (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from adapters.bootstrap import App
from storage.tables import Pair, PairCheckIn, Program, ProgramFormat, ProgramState
from tests.closing.support import buttons, message, rows, tick
from tests.helpers import make_program, press, say, text_of

# Four weekly meetings on Wednesdays at 10:00 in Jakarta, from 7 January 2026: the last on 28 January.
START = datetime(2026, 1, 28, 5, 0, tzinfo=UTC)
END = START + timedelta(days=14)


async def _pair_program(app: App) -> Program:
    program = await make_program(app, name="Buddy Pairs", slug="buddies", state=ProgramState.RUNNING,
                                 format=ProgramFormat.ONE_ON_ONE, start_date=date(2026, 1, 5), weeks=4,
                                 meeting_weekday=2, meeting_time="10:00", timezone="Asia/Jakarta")
    await say(app, "UADMIN", "status")
    now = app.services.clock.now()
    async with app.uow() as uow:
        ids = {}
        for user, role, manager in (("MENTOR", "mentor", "UBOSS"), ("MENTEE", "mentee", None)):
            member = await uow.members.get_or_create(workspace_id=1, external_id=user, now=now)
            member.manager_external_id = manager
            uow.session.add(member)
            await uow.flush()
            ids[user] = member.id or 0
            await uow.enrollments.enroll(workspace_id=1, program_id=program.id or 0, member_id=ids[user], now=now,
                                         role=role)
        pair = Pair(workspace_id=1, program_id=program.id or 0, mentor_member_id=ids["MENTOR"],
                    mentee_member_id=ids["MENTEE"], space="local:W1:space:pair-1", started_at=now)
        uow.pairs.add(pair)
        await uow.flush()
        for user, met in (("MENTOR", (0, 1, 2)), ("MENTEE", (0, 1))):
            for index in range(4):
                uow.session.add(PairCheckIn(workspace_id=1, program_id=program.id or 0, pair_id=pair.id or 0,
                                            member_id=ids[user], meeting_index=index, met=index in met,
                                            usefulness=4, created_at=now, updated_at=now))
        await uow.commit()
    return program


async def test_pair_members_get_their_meetings_a_new_match_and_mentors_their_thanks(app: App) -> None:
    program = await _pair_program(app)
    await tick(app, START)
    await tick(app, END)
    summaries = {r.target: r for r in await rows(app, kind="summary")}
    mentee = summaries["local:W1:user:MENTEE"]
    assert "Meetings held, as your check-ins recorded them: 2 of 4." in message(mentee).text
    assert [a for _, a in buttons(mentee)] == [f"next:{program.id}:{step}" for step in (
        "alumni", "mentor_next", "new_match", "stay_in_touch")]
    assert "3 of 4" in message(summaries["local:W1:user:MENTOR"]).text
    thanks = await rows(app, kind="thanks")
    assert [r.target for r in thanks] == ["local:W1:user:MENTOR"]  # mentees are not thanked as mentors
    assert "you mentored 1 mentee; meetings held: 3." in message(thanks[0]).text
    assert await rows(app, prefix="closing-circle:") == [] and await rows(app, kind="space_change") == []
    assert "Your manager gets" not in text_of(await press(app, "MENTEE", f"closing.manager:{program.id}"))
    assert "your manager gets a short note" in text_of(await press(app, "MENTOR", f"closing.manager:{program.id}"))
    note = message((await rows(app, kind="recognition"))[0]).text
    assert "MENTOR asked us to let you know: in Buddy Pairs they mentored 1 mentee; meetings held: 3." in note
    admin = message((await rows(app, prefix=f"closing-admin:{program.id}:"))[0]).text
    assert "• MENTOR mentored 1 mentee; meetings held: 3. (offered a note to their manager)" in admin
    assert "circle channels" not in admin
