"""Late joiners and the org data: placement keeps a newcomer out of their manager's circle when another fits."""

from __future__ import annotations

from adapters.bootstrap import App
from bot.circles.fit import Newcomer, Opening, best_fits
from tests.circles.intake_world import join_late, placed_in, running_program, voted
from tests.circles.world import Person
from tests.org.support import csv_bytes, send_import

DAY = frozenset(range(1, 10))


def test_a_circle_with_someone_to_keep_apart_from_comes_last() -> None:
    openings = [Opening(1, theme_id=10, size=2, shared=DAY, departments=frozenset(), members=frozenset({7, 8})),
                Opening(2, theme_id=10, size=3, shared=DAY, departments=frozenset(), members=frozenset({5, 6, 9}))]
    fits, _ = best_fits(Newcomer((10,), DAY, "A", apart_from=frozenset({8})), openings, size_max=4, meeting_hour=3)
    assert [f.opening.circle_id for f in fits] == [2, 1]  # the smaller circle holds their manager
    fits, _ = best_fits(Newcomer((10,), DAY, "A"), openings, size_max=4, meeting_hour=3)
    assert [f.opening.circle_id for f in fits] == [1, 2]  # without the org data: the smaller circle first


async def test_the_import_keeps_a_late_joiner_out_of_their_managers_circle(app: App) -> None:
    arena = await running_program(app, circles={
        "Feedback 1": [Person("B1"), Person("BOSS")],
        "Feedback 2": [Person("C1"), Person("C2"), Person("C3")]}, size_max=5)
    await send_import(app, csv_bytes("platform_id,department,team,manager", "N1,Sales,Field,BOSS"))
    await voted(app, arena, "N1", ["Feedback"])
    assert "You're in Feedback 2" in await join_late(app, arena, "N1")
    assert await placed_in(app, arena, "N1") == "Feedback 2"
