"""The digest counts check-ins in the database (uow.digest_reads); what it counts must be what the records say, the
way the dashboard's circle health and the export read them (SQLite and PostgreSQL)."""

from __future__ import annotations

from adapters.bootstrap import App
from bot.digest.activity import records, tallies, tally_of
from storage.tables import CircleStatus
from tests.digest.test_digest_charts import _two_circles


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
