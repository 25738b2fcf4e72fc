"""The digest counts check-ins in the database (uow.digest_reads); what it counts must be what the records say, the
way the dashboard's circle health and the export read them (SQLite and PostgreSQL)."""

from __future__ import annotations

from adapters.bootstrap import App
from bot.digest.activity import records, tallies, tally_of
from storage.tables import CircleMemberStatus, CircleStatus, Delivery
from tests.digest.test_digest_charts import CIRCLE_A, CIRCLE_B, SATURDAY, _two_circles


async def test_counted_in_the_database_as_in_the_records(app: App) -> None:
    program = await _two_circles(app)
    async with app.uow() as uow:
        circles = [c for c in await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
                   if c.status == CircleStatus.ACTIVE]
        counted = await tallies(uow, program, circles)
        read = [tally_of(program, run) for run in await records(uow, circles)]
    assert counted == read
    assert any(t.answers for t in counted) and any(t.attendees for t in counted)  # the world has both
    assert any(t.attended for t in counted)


def _invitation(key: str, *, kind: str = "poll") -> Delivery:
    return Delivery(workspace_id=1, key=key, kind=kind, target="local:W1:user:U1", payload={"text": ""},
                    due_at=SATURDAY, created_at=SATURDAY)


async def test_invitations_enrollments_and_placements_read_as_columns_match_the_rows(app: App) -> None:
    """The columns the digest counts with say what the repositories' objects say: a poll's invitations (its own
    prefix only: poll 1 is not poll 10), every enrollment, the active placements; pending writes are seen."""
    program = await _two_circles(app)
    program_id = program.id or 0
    async with app.uow() as uow:
        uow.session.add_all([_invitation("poll:1:1"), _invitation("poll:1:2"), _invitation("poll:10:1"),
                             _invitation("pollx:1:3", kind="dm")])
        await uow.commit()
    async with app.uow() as uow:
        uow.session.add(_invitation("poll:1:3"))  # not flushed yet: counted all the same, as the ORM's autoflush did
        invited = await uow.digest_reads.invited(workspace_id=1, poll_ids=[10, 1, 2, 1])
        assert invited == {1: 3, 2: 0, 10: 1}
        assert invited[1] == await uow.outbox.count(workspace_id=1, key_prefix="poll:1:")
        assert await uow.digest_reads.invited(workspace_id=1, poll_ids=[1]) == {1: 3}
        assert await uow.digest_reads.invited(workspace_id=1, poll_ids=[]) == {}
        objects = await uow.enrollments.of_program(workspace_id=1, program_id=program_id, active_only=False)
        rows = await uow.digest_reads.enrollments(workspace_id=1, program_id=program_id)
        assert rows == [(e.member_id, e.status, e.paused_until, e.joined_at, e.left_at) for e in objects]
        assert len(rows) == len(CIRCLE_A + CIRCLE_B)
        memberships = await uow.circles.of_program_members(workspace_id=1, program_id=program_id)
        placed = await uow.digest_reads.active_placements(workspace_id=1, program_id=program_id)
        assert placed == [(m.circle_id, m.member_id) for m in memberships if m.status == CircleMemberStatus.ACTIVE]
        assert len(placed) == len(CIRCLE_A + CIRCLE_B)
