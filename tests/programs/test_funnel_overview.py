"""The dashboard's enrollment funnel: invited -> joined -> placed -> active, from the database (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
from bot.programs.funnel import ACTIVE_WINDOW, program_funnel
from storage.tables import CheckIn, Enrollment, EnrollmentStatus
from tests.digest.test_digest_charts import SATURDAY, _two_circles
from tests.helpers import member_id


async def test_the_funnel_counts_each_step_as_a_subset_of_the_one_before(app: App) -> None:
    program = await _two_circles(app)  # six members placed in two circles; sessions logged on SATURDAY
    async with app.uow() as uow:
        members = [await uow.members.get_or_create(workspace_id=1, external_id=user, now=SATURDAY)
                   for user in ("U7", "U8", "U9", "U10")]
        for member, status in zip(members, (EnrollmentStatus.INVITED, EnrollmentStatus.DECLINED,
                                            EnrollmentStatus.WAITLISTED, EnrollmentStatus.LEFT), strict=True):
            uow.session.add(Enrollment(workspace_id=1, program_id=program.id or 0, member_id=member.id or 0,
                                       status=status, joined_at=SATURDAY))
        program.seats = 6
        uow.session.add(program)
        await uow.commit()
    async with app.uow() as uow:
        funnel = await program_funnel(uow, program, now=SATURDAY + timedelta(days=1))
    # Took part in the window: every attendee of a logged session (A: U1-U3, B: U4, U5) and U4's check-in.
    assert funnel.steps == (("invited", 10), ("joined", 8), ("placed", 6), ("active", 5))
    assert (funnel.enrolled, funnel.waitlisted, funnel.declined, funnel.left, funnel.seats) == (6, 1, 1, 1, 6)
    async with app.uow() as uow:  # a fortnight later nobody took part lately; a new check-in counts again
        later = SATURDAY + ACTIVE_WINDOW + timedelta(days=1)
        _, circle_b = await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
        uow.session.add(CheckIn(workspace_id=1, program_id=program.id or 0, circle_id=circle_b.id or 0,
                                member_id=await member_id(app, "U6"), session_index=3, attended=False,
                                usefulness=3, created_at=later, updated_at=later))
        await uow.commit()
    async with app.uow() as uow:
        funnel = await program_funnel(uow, program, now=later)
    assert funnel.active == 1
